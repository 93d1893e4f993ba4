//! Appending imports: CSV and JSON Lines files streamed into a graph that already holds data,
//! in batches, each batch atomic (see `ImportOptions`). The files are read one row at a time
//! by the same readers as the bulk importers (`csv.rs`, `jsonl.rs`), which intern names in a
//! table of their own; each row is then applied through the graph's mutation methods, which
//! keep every index and record every change in the journal, so a failed batch rolls back
//! and, on a `Database`, a batch is one write transaction like any other.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::csv::{NodeReader, NodeRow, RelReader, RelRow};
use super::error::{ImportError, ImportErrorKind};
use super::jsonl::{Item, JsonlReader};
use crate::graph::{Graph, GraphError, KeyId, LabelId, NodeId, Props, Symbols, TypeId, Value};

/// How an appending import ([`Graph::import_csv_into`], [`Graph::import_jsonl_into`] and the
/// same on a [`Database`](crate::Database)) treats the graph and the file.
///
/// - **Matching** (`merge_on(label, key)`): a node row that has `label` among its labels and a
///   value for `key` is matched to the existing node with that label and an equal value (of
///   the same type; the lowest id if several have it), or to a node an earlier row of the same
///   import created; a matched node gets the row's labels added and the row's properties set
///   (the row's values replace the node's for the same keys; keys the row does not have
///   keep their values; nothing is removed). Every other node row creates a node. Without
///   `merge_on`, every node row creates a node.
/// - **Relationships** are always created, between the nodes that the rows with their start
///   and end ids created or matched: those rows must come before (CSV: the nodes file is read
///   first; JSON Lines: on an earlier line).
/// - **Batches** (`batch_rows`, [`ImportOptions::DEFAULT_BATCH_ROWS`] by default): the rows
///   (nodes, relationships, constraints; CSV counts the rows of both files) are applied in
///   batches of that many, each atomic: on a failure, nothing of the failing batch is left in
///   the graph, and the batches before it stay. An import of at most `batch_rows` rows is
///   therefore atomic. On a `Database` each batch is one write transaction, durable as its
///   commits are.
/// - **Memory** is bounded by one batch (the rows' changes, kept to undo them), one row being
///   parsed, the read buffers, a map from the file's node ids to the graph's (about 40 bytes
///   per node row) and, with `merge_on`, one entry per node of the label: never the whole file.
///
/// ```
/// use kgraph::ImportOptions;
/// let opts = ImportOptions::new().merge_on("Company", "name").batch_rows(10_000);
/// assert_eq!(opts.batch_size(), 10_000);
/// ```
pub struct ImportOptions<'a> {
    merge: Option<(String, String)>,
    batch_rows: usize,
    progress: Option<&'a dyn Fn(&ImportProgress)>,
}

impl Default for ImportOptions<'_> {
    fn default() -> Self {
        ImportOptions::new()
    }
}

impl std::fmt::Debug for ImportOptions<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ImportOptions")
            .field("merge", &self.merge)
            .field("batch_rows", &self.batch_rows)
            .field("progress", &self.progress.is_some())
            .finish()
    }
}

impl<'a> ImportOptions<'a> {
    /// The rows of one batch unless [`ImportOptions::batch_rows`] says otherwise: 100,000.
    ///
    /// ```
    /// assert_eq!(kgraph::ImportOptions::new().batch_size(), kgraph::ImportOptions::DEFAULT_BATCH_ROWS);
    /// ```
    pub const DEFAULT_BATCH_ROWS: usize = 100_000;

    /// Creates every node, batches of [`ImportOptions::DEFAULT_BATCH_ROWS`], no progress
    /// callback.
    ///
    /// ```
    /// let opts = kgraph::ImportOptions::new();
    /// assert_eq!(opts.merge_key(), None);
    /// ```
    pub fn new() -> ImportOptions<'a> {
        ImportOptions {
            merge: None,
            batch_rows: Self::DEFAULT_BATCH_ROWS,
            progress: None,
        }
    }

    /// Matches node rows to existing nodes by `label` and `key`, as `MERGE (:label {key: ..})`
    /// would (see the type's docs for the rule).
    ///
    /// ```
    /// let opts = kgraph::ImportOptions::new().merge_on("Company", "name");
    /// assert_eq!(opts.merge_key(), Some(("Company", "name")));
    /// ```
    pub fn merge_on(mut self, label: &str, key: &str) -> ImportOptions<'a> {
        self.merge = Some((label.to_owned(), key.to_owned()));
        self
    }

    /// Applies and commits the rows in batches of `rows` (at least 1).
    ///
    /// ```
    /// assert_eq!(kgraph::ImportOptions::new().batch_rows(0).batch_size(), 1);
    /// ```
    pub fn batch_rows(mut self, rows: usize) -> ImportOptions<'a> {
        self.batch_rows = rows.max(1);
        self
    }

    /// Calls `callback` as the import goes: after each committed batch, and every 16,384 rows.
    ///
    /// ```
    /// use std::cell::Cell;
    /// let calls = Cell::new(0);
    /// let count = |_: &kgraph::ImportProgress| calls.set(calls.get() + 1);
    /// let opts = kgraph::ImportOptions::new().progress(&count);
    /// # let _ = opts;
    /// ```
    pub fn progress(mut self, callback: &'a dyn Fn(&ImportProgress)) -> ImportOptions<'a> {
        self.progress = Some(callback);
        self
    }

    /// The label and key node rows are matched by, if any.
    ///
    /// ```
    /// assert_eq!(kgraph::ImportOptions::new().merge_key(), None);
    /// ```
    pub fn merge_key(&self) -> Option<(&str, &str)> {
        self.merge.as_ref().map(|(l, k)| (l.as_str(), k.as_str()))
    }

    /// The rows of one batch.
    ///
    /// ```
    /// assert_eq!(kgraph::ImportOptions::new().batch_rows(5).batch_size(), 5);
    /// ```
    pub fn batch_size(&self) -> usize {
        self.batch_rows
    }
}

/// How far an appending import is, as its progress callback is told.
///
/// ```
/// let p = kgraph::ImportProgress::default();
/// assert_eq!((p.rows, p.bytes_read, p.total_bytes, p.batches_committed), (0, 0, 0, 0));
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ImportProgress {
    /// Rows read and applied so far (nodes, relationships, constraints; header lines and
    /// blank lines not counted).
    pub rows: u64,
    /// Bytes of the files read so far.
    pub bytes_read: u64,
    /// The size of the files, in bytes (CSV: both files).
    pub total_bytes: u64,
    /// Batches committed so far.
    pub batches_committed: u64,
}

/// What an appending import did (or, in an [`ImportFailure`], what it committed before
/// failing).
///
/// ```
/// let r = kgraph::ImportReport::default();
/// assert_eq!(r.nodes_created + r.nodes_matched + r.relationships_created, 0);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ImportReport {
    /// Nodes created.
    pub nodes_created: u64,
    /// Node rows matched to an existing node (or one created earlier in the import).
    pub nodes_matched: u64,
    /// Relationships created.
    pub relationships_created: u64,
    /// Unique constraints created (JSON Lines `constraint` lines for a constraint the graph
    /// did not have).
    pub constraints_created: u64,
    /// Rows applied (nodes, relationships, constraints).
    pub rows: u64,
    /// Batches committed.
    pub batches: u64,
}

impl ImportReport {
    fn add(&mut self, other: &ImportReport) {
        self.nodes_created += other.nodes_created;
        self.nodes_matched += other.nodes_matched;
        self.relationships_created += other.relationships_created;
        self.constraints_created += other.constraints_created;
        self.rows += other.rows;
    }
}

/// An appending import that failed: the error, and what the batches committed before it
/// imported (they stay in the graph; nothing of the failing batch does).
///
/// ```
/// use kgraph::{Graph, ImportErrorKind, ImportOptions};
/// let path = std::env::temp_dir().join(format!("kgraph-doc-import-failure-{}.jsonl", std::process::id()));
/// std::fs::write(&path, concat!(
///     r#"{"node":{"id":1,"labels":["A"]}}"#, "\n",
///     r#"{"node":{"id":2,"labels":["A"]}}"#, "\n",
///     r#"{"relationship":{"start":1,"end":3,"type":"T"}}"#, "\n",
/// ))?;
/// let mut g = Graph::new();
/// let failure = g.import_jsonl_into(&path, &ImportOptions::new().batch_rows(2)).unwrap_err();
/// assert_eq!(failure.committed.batches, 1);
/// assert_eq!(failure.committed.nodes_created, 2);
/// assert!(matches!(failure.import_error().and_then(|e| e.kind()), Some(ImportErrorKind::UnknownNodeId { .. })));
/// assert_eq!(g.node_count(), 2);
/// std::fs::remove_file(&path)?;
/// # Ok::<_, Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, thiserror::Error)]
#[error("{error} ({} batch(es) of the import were committed before it)", committed.batches)]
pub struct ImportFailure {
    /// What went wrong: an [`ImportError`] for the file, or a
    /// [`DbError`](crate::DbError) for a commit.
    #[source]
    pub error: crate::Error,
    /// What the committed batches imported.
    pub committed: ImportReport,
}

impl ImportFailure {
    /// A failure before any batch began (a file that does not open, a bad header).
    pub(crate) fn before_any(error: ImportError) -> ImportFailure {
        ImportFailure {
            error: error.into(),
            committed: ImportReport::default(),
        }
    }

    /// The error about the file, if the failure was one (not a failed commit).
    ///
    /// ```
    /// use kgraph::{Graph, ImportOptions};
    /// let missing = std::env::temp_dir().join("kgraph-doc-no-such-file-append.jsonl");
    /// let failure = Graph::new().import_jsonl_into(&missing, &ImportOptions::new()).unwrap_err();
    /// assert_eq!(failure.import_error().map(|e| e.path()), Some(missing.as_path()));
    /// ```
    pub fn import_error(&self) -> Option<&ImportError> {
        match &self.error {
            crate::Error::Import(e) => Some(e),
            _ => None,
        }
    }
}

/// Where the batches go: a graph, or a database's write transactions.
pub(crate) trait Target {
    /// Starts a batch and returns the graph to apply it to.
    fn begin(&mut self) -> Result<&mut Graph, crate::Error>;
    /// The graph of the batch begun.
    fn graph(&mut self) -> &mut Graph;
    /// Makes the batch's changes stay (visible, and durable as the target's commits are).
    fn commit(&mut self) -> Result<(), crate::Error>;
    /// Undoes every change of the batch.
    fn abort(&mut self);
}

/// Batches on a graph: each under a mark of its journal, rolled back to on failure.
pub(crate) struct GraphTarget<'g> {
    graph: &'g mut Graph,
    mark: Option<(crate::graph::journal::Mark, bool)>,
}

impl<'g> GraphTarget<'g> {
    pub(crate) fn new(graph: &'g mut Graph) -> GraphTarget<'g> {
        GraphTarget { graph, mark: None }
    }
}

impl Target for GraphTarget<'_> {
    fn begin(&mut self) -> Result<&mut Graph, crate::Error> {
        self.mark = Some(self.graph.journal_begin());
        Ok(self.graph)
    }

    fn graph(&mut self) -> &mut Graph {
        self.graph
    }

    fn commit(&mut self) -> Result<(), crate::Error> {
        if let Some((_, true)) = self.mark.take() {
            self.graph.journal_discard();
        }
        Ok(())
    }

    fn abort(&mut self) {
        if let Some((mark, turned_on)) = self.mark.take() {
            self.graph.rollback_to(mark);
            if turned_on {
                self.graph.journal_discard();
            }
        }
    }
}

/// The rows of the files of one import, one at a time.
pub(crate) enum Source {
    /// A CSV nodes file, then its relationships file (opened once the nodes are read).
    Csv {
        nodes: Option<Box<NodeReader>>,
        rels: Option<Box<RelReader>>,
        rels_path: PathBuf,
        nodes_len: u64,
        rels_len: u64,
        max_record: usize,
    },
    Jsonl(Box<JsonlReader>),
}

impl Source {
    pub(crate) fn csv(
        nodes: &Path,
        rels: &Path,
        symbols: &mut Symbols,
        max_record: usize,
    ) -> Result<Source, ImportError> {
        let rels_len = std::fs::metadata(rels)
            .map_err(|source| ImportError::Io {
                path: rels.to_owned(),
                source,
            })?
            .len();
        let reader = NodeReader::open(nodes, symbols, max_record)?;
        Ok(Source::Csv {
            nodes_len: reader.len(),
            nodes: Some(Box::new(reader)),
            rels: None,
            rels_path: rels.to_owned(),
            rels_len,
            max_record,
        })
    }

    pub(crate) fn jsonl(path: &Path, max_line: usize) -> Result<Source, ImportError> {
        JsonlReader::open(path, max_line).map(|r| Source::Jsonl(Box::new(r)))
    }

    fn next(&mut self, symbols: &mut Symbols) -> Result<Option<Item>, ImportError> {
        match self {
            Source::Jsonl(r) => r.next(symbols),
            Source::Csv {
                nodes,
                rels,
                rels_path,
                max_record,
                ..
            } => {
                if let Some(reader) = nodes {
                    if let Some(row) = reader.next(symbols)? {
                        return Ok(Some(Item::Node(row)));
                    }
                    *nodes = None;
                    *rels = Some(Box::new(RelReader::open(rels_path, symbols, *max_record)?));
                }
                match rels {
                    Some(reader) => Ok(reader.next(symbols)?.map(Item::Rel)),
                    None => Ok(None),
                }
            }
        }
    }

    fn total_bytes(&self) -> u64 {
        match self {
            Source::Jsonl(r) => r.len(),
            Source::Csv {
                nodes_len, rels_len, ..
            } => nodes_len + rels_len,
        }
    }

    fn bytes_read(&self) -> u64 {
        match self {
            Source::Jsonl(r) => r.position(),
            Source::Csv {
                nodes,
                rels,
                nodes_len,
                ..
            } => match (nodes, rels) {
                (Some(n), _) => n.position(),
                (None, Some(r)) => nodes_len + r.position(),
                (None, None) => *nodes_len,
            },
        }
    }

    /// The file being read, and the columns (from 1) of a node row's id and of a relationship
    /// row's start and end ids.
    fn place(&self) -> (&Path, u64, [u64; 2]) {
        match self {
            Source::Jsonl(r) => (r.path(), 1, [1, 1]),
            Source::Csv {
                nodes,
                rels,
                rels_path,
                ..
            } => match (nodes, rels) {
                (Some(n), _) => (n.path(), n.id_column(), [1, 1]),
                (None, Some(r)) => (r.path(), 1, r.end_columns()),
                (None, None) => (rels_path, 1, [1, 1]),
            },
        }
    }
}

/// Graph symbols of the reader's symbols, looked up once per batch (a failed batch may have
/// forgotten the names it interned, so nothing is kept across batches).
#[derive(Default)]
struct SymbolMap {
    labels: Vec<Option<LabelId>>,
    types: Vec<Option<TypeId>>,
    keys: Vec<Option<KeyId>>,
}

macro_rules! map_symbol {
    ($fn:ident, $field:ident, $id:ty, $name:ident, $intern:ident) => {
        fn $fn(&mut self, file: &Symbols, graph: &mut Graph, id: $id) -> $id {
            let i = id.index();
            if let Some(Some(g)) = self.$field.get(i) {
                return *g;
            }
            let g = graph.symbols.$intern(file.$name(id));
            if self.$field.len() <= i {
                self.$field.resize(i + 1, None);
            }
            self.$field[i] = Some(g);
            g
        }
    };
}

impl SymbolMap {
    map_symbol!(label, labels, LabelId, label_name, label);
    map_symbol!(rel_type, types, TypeId, type_name, rel_type);
    map_symbol!(key, keys, KeyId, key_name, key);

    fn props(&mut self, file: &Symbols, graph: &mut Graph, props: Props) -> Props {
        let pairs: Vec<(KeyId, Value)> = props
            .into_pairs()
            .into_iter()
            .map(|(k, v)| (self.key(file, graph, k), v))
            .collect();
        Props::from_pairs(pairs)
    }
}

/// The state of one import across its batches.
struct Run<'o> {
    symbols: Symbols,
    /// File id -> (node, line of its row).
    ids: HashMap<u64, (NodeId, u64), foldhash::fast::RandomState>,
    /// With `merge_on`: the key's value -> the node of the label holding it.
    merge: Option<Merge>,
    opts: &'o ImportOptions<'o>,
}

struct Merge {
    label: String,
    key: String,
    nodes: HashMap<Value, NodeId>,
}

impl Merge {
    fn new(graph: &Graph, label: &str, key: &str) -> Merge {
        let mut nodes: HashMap<Value, NodeId> = HashMap::new();
        for id in graph.nodes_with_label(label) {
            if let Some(v) = graph.node(id).ok().and_then(|n| n.property(key)) {
                let slot = nodes.entry(v.clone()).or_insert(id);
                if id < *slot {
                    *slot = id;
                }
            }
        }
        Merge {
            label: label.to_owned(),
            key: key.to_owned(),
            nodes,
        }
    }
}

/// A failure inside a batch: the error, and whether to report it with the row's place.
fn malformed(path: &Path, line: u64, column: u64, kind: ImportErrorKind) -> ImportError {
    ImportError::Malformed {
        path: path.to_owned(),
        line,
        column,
        kind,
    }
}

fn graph_err(path: &Path, line: u64, column: u64, e: GraphError) -> ImportError {
    malformed(
        path,
        line,
        column,
        ImportErrorKind::BadRecord {
            message: e.to_string(),
        },
    )
}

/// How often, in rows, the progress callback hears between batches.
const PROGRESS_ROWS: u64 = 1 << 14;

/// Streams `source` into `target`, in batches (see `ImportOptions`).
pub(crate) fn run(
    mut source: Source,
    symbols: Symbols,
    target: &mut dyn Target,
    opts: &ImportOptions<'_>,
) -> Result<ImportReport, ImportFailure> {
    let mut run = Run {
        symbols,
        ids: HashMap::default(),
        merge: None,
        opts,
    };
    let mut committed = ImportReport::default();
    let fail = |error: crate::Error, committed: ImportReport| ImportFailure { error, committed };
    let progress = |source: &Source, rows: u64, batches: u64| {
        if let Some(callback) = opts.progress {
            callback(&ImportProgress {
                rows,
                bytes_read: source.bytes_read(),
                total_bytes: source.total_bytes(),
                batches_committed: batches,
            });
        }
    };
    loop {
        let graph = target.begin().map_err(|e| fail(e, committed))?;
        if run.merge.is_none()
            && let Some((label, key)) = &opts.merge
        {
            run.merge = Some(Merge::new(graph, label, key));
        }
        let mut batch = ImportReport::default();
        let (rows_before, batches) = (committed.rows, committed.batches);
        let result = run.batch(&mut source, target.graph(), &mut batch, &|source, rows| {
            progress(source, rows_before + rows, batches)
        });
        match result {
            Ok(more) => {
                target.commit().map_err(|e| fail(e, committed))?;
                // The empty batch that finds the end of a file of whole batches is no batch.
                if batch.rows > 0 || committed.batches == 0 {
                    committed.add(&batch);
                    committed.batches += 1;
                    progress(&source, committed.rows, committed.batches);
                }
                if !more {
                    return Ok(committed);
                }
            }
            Err(e) => {
                target.abort();
                return Err(fail(e.into(), committed));
            }
        }
    }
}

impl Run<'_> {
    /// Reads and applies up to one batch of rows; `Ok(true)` if the file may hold more.
    fn batch(
        &mut self,
        source: &mut Source,
        graph: &mut Graph,
        report: &mut ImportReport,
        tick: &dyn Fn(&Source, u64),
    ) -> Result<bool, ImportError> {
        let mut map = SymbolMap::default();
        while report.rows < self.opts.batch_rows as u64 {
            let Some(item) = source.next(&mut self.symbols)? else {
                return Ok(false);
            };
            let (path, id_column, end_columns) = source.place();
            match item {
                Item::Node(row) => self.node(graph, &mut map, row, path, id_column, report)?,
                Item::Rel(row) => self.rel(graph, &mut map, row, path, end_columns, report)?,
                Item::Constraint { line, label, key } => {
                    let (label, key) = (self.symbols.label_name(label), self.symbols.key_name(key));
                    let known = match (graph.symbols.find_label(label), graph.symbols.find_key(key)) {
                        (Some(l), Some(k)) => graph.constraint_pairs().contains(&(l, k)),
                        _ => false,
                    };
                    if !known {
                        graph
                            .create_unique_constraint(label, key)
                            .map_err(|e| graph_err(path, line, 1, e))?;
                        report.constraints_created += 1;
                    }
                }
            }
            report.rows += 1;
            if report.rows.is_multiple_of(PROGRESS_ROWS) {
                tick(source, report.rows);
            }
        }
        Ok(true)
    }

    fn node(
        &mut self,
        graph: &mut Graph,
        map: &mut SymbolMap,
        row: NodeRow,
        path: &Path,
        id_column: u64,
        report: &mut ImportReport,
    ) -> Result<(), ImportError> {
        if let Some((_, first_line)) = self.ids.get(&row.file_id) {
            return Err(malformed(
                path,
                row.line,
                id_column,
                ImportErrorKind::DuplicateNodeId {
                    id: row.file_id.to_string(),
                    first_line: *first_line,
                },
            ));
        }
        // The value the row is matched by, if it has the label and the key.
        let merge_value = self.merge.as_ref().and_then(|m| {
            let has_label = row
                .data
                .labels
                .iter()
                .any(|l| self.symbols.label_name(*l) == m.label);
            let key = self.symbols.find_key(&m.key)?;
            has_label.then(|| row.data.props.get(key)).flatten().cloned()
        });
        let matched = match (&self.merge, &merge_value) {
            (Some(m), Some(v)) => m.nodes.get(v).copied().filter(|id| graph.contains_node(*id)),
            _ => None,
        };
        let mut labels: Vec<LabelId> = row
            .data
            .labels
            .iter()
            .map(|l| map.label(&self.symbols, graph, *l))
            .collect();
        labels.sort_unstable();
        labels.dedup();
        let props = map.props(&self.symbols, graph, row.data.props);
        let err = |e| graph_err(path, row.line, id_column, e);
        let id = match matched {
            Some(id) => {
                for l in labels {
                    graph.add_label_id(id, l).map_err(err)?;
                }
                for (k, v) in props.into_pairs() {
                    graph.set_node_prop_by_key(id, k, v).map_err(err)?;
                }
                report.nodes_matched += 1;
                id
            }
            None => {
                let id = graph.insert_node_checked(labels, props).map_err(err)?;
                if let (Some(m), Some(v)) = (self.merge.as_mut(), merge_value) {
                    m.nodes.insert(v, id);
                }
                report.nodes_created += 1;
                id
            }
        };
        self.ids.insert(row.file_id, (id, row.line));
        Ok(())
    }

    fn rel(
        &mut self,
        graph: &mut Graph,
        map: &mut SymbolMap,
        row: RelRow,
        path: &Path,
        columns: [u64; 2],
        report: &mut ImportReport,
    ) -> Result<(), ImportError> {
        let mut ends = [NodeId::from_index(0); 2];
        for ((slot, file_id), column) in ends.iter_mut().zip([row.start, row.end]).zip(columns) {
            let Some((id, _)) = self.ids.get(&file_id) else {
                return Err(malformed(
                    path,
                    row.line,
                    column,
                    ImportErrorKind::UnknownNodeId {
                        id: file_id.to_string(),
                    },
                ));
            };
            // On a database, another transaction may have removed it since its batch.
            if !graph.contains_node(*id) {
                return Err(graph_err(
                    path,
                    row.line,
                    column,
                    GraphError::NodeNotFound { id: *id },
                ));
            }
            *slot = *id;
        }
        let ty = map.rel_type(&self.symbols, graph, row.data.ty);
        let props = map.props(&self.symbols, graph, row.data.props);
        graph.insert_rel_unchecked(ends[0], ends[1], ty, props);
        report.relationships_created += 1;
        Ok(())
    }
}
