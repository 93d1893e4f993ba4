//! Export to a Cypher script that replays into any graph, empty or not, through this crate
//! (`Graph::execute` per statement, or `Database::execute_script` for all of it in one
//! transaction), FalkorDB and Neo4j (`cypher-shell -f`): one statement per line, ending with
//! `;`, comments starting with `//`.
//!
//! Nodes are never found by `id()`. As Neo4j's APOC export does, each created node carries a
//! temporary label (`KGRAPH_IMPORT`) and key (`kgraph_import_id`, its position in the export)
//! during the load; relationships find their endpoints by that label and key (under a
//! property index the script creates first), and the last statements remove both and drop
//! the index. Replayed into a graph that already has nodes, the script adds a copy of the
//! exported graph beside them: the union.
//!
//! Rows travel in batches of literal lists, one statement per batch: nodes grouped by their
//! set of labels (`UNWIND [{i: 0, p: {..}}, ..] AS row CREATE (n:KGRAPH_IMPORT:A {..}) SET n
//! += row.p`), relationships by type (`UNWIND [{s: 0, e: 1, p: {..}}, ..] AS row MATCH ..
//! MATCH .. CREATE (a)-[r:T]->(b) SET r += row.p`).

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::io::Write;
use std::path::Path;

use super::csv::io_err;
use super::error::{ExportError, ExportItem};
use super::file::AtomicFile;
use crate::graph::{Graph, LabelId, NodeId, Props, RelId, TypeId, Value};
use crate::{MAX_QUERY_BYTES, MAX_STRING_LITERAL_BYTES};

/// The temporary label every node the script creates carries until the load ends.
const IMPORT_LABEL: &str = "KGRAPH_IMPORT";
/// The temporary key holding each created node's position in the export, until the load ends.
const IMPORT_KEY: &str = "kgraph_import_id";
/// The name of the property index the script creates on them, and drops at the end.
const IMPORT_INDEX: &str = "kgraph_import_id";

/// How [`Graph::export_cypher_with`] cuts its statements.
///
/// ```
/// use kgraph::{CypherExportOptions, Graph};
/// let path = std::env::temp_dir().join(format!("kgraph-doc-cypher-opts-{}.cypher", std::process::id()));
/// let options = CypherExportOptions::default().batch_rows(10).statement_bytes(4096);
/// Graph::ecosystem()?.export_cypher_with(&path, &options)?;
/// let script = std::fs::read_to_string(&path)?;
/// assert!(script.lines().all(|l| l.len() <= 4096 || l.starts_with("//")));
/// std::fs::remove_file(&path)?;
/// # Ok::<_, Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CypherExportOptions {
    batch_rows: usize,
    statement_bytes: usize,
    dialect: CypherDialect,
}

/// Whose syntax the few engine-specific statements of a Cypher export follow: the index the
/// script creates on its temporary key, and drops at the end.
///
/// ```
/// use kgraph::{CypherDialect, CypherExportOptions};
/// let options = CypherExportOptions::default().dialect(CypherDialect::FalkorDb);
/// assert_ne!(options, CypherExportOptions::default());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum CypherDialect {
    /// Neo4j 5 (and this crate): `CREATE INDEX kgraph_import_id FOR (n:..) ON (n..)`, `DROP
    /// INDEX kgraph_import_id`.
    #[default]
    Neo4j,
    /// FalkorDB, which names no index: `CREATE INDEX FOR (n:..) ON (n..)`, `DROP INDEX ON
    /// :KGRAPH_IMPORT(kgraph_import_id)`. FalkorDB has no `time` or `datetime` (with an
    /// offset or zone) values, so the export refuses them.
    FalkorDb,
}

impl Default for CypherExportOptions {
    /// 500 rows and 64 KiB per statement, Neo4j's syntax.
    fn default() -> Self {
        CypherExportOptions {
            batch_rows: 500,
            statement_bytes: 64 * 1024,
            dialect: CypherDialect::Neo4j,
        }
    }
}

impl CypherExportOptions {
    /// At most this many nodes or relationships per statement (at least 1).
    ///
    /// ```
    /// let o = kgraph::CypherExportOptions::default().batch_rows(0);
    /// assert_eq!(o, kgraph::CypherExportOptions::default().batch_rows(1));
    /// ```
    #[must_use]
    pub fn batch_rows(mut self, rows: usize) -> Self {
        self.batch_rows = rows.max(1);
        self
    }

    /// A statement is cut before it grows past this many bytes (capped at
    /// [`MAX_QUERY_BYTES`](crate::MAX_QUERY_BYTES)); a statement of one item may be longer, up
    /// to that cap, and an item too large for the cap is refused.
    ///
    /// ```
    /// let o = kgraph::CypherExportOptions::default().statement_bytes(usize::MAX);
    /// assert_eq!(o, kgraph::CypherExportOptions::default().statement_bytes(kgraph::MAX_QUERY_BYTES));
    /// ```
    #[must_use]
    pub fn statement_bytes(mut self, bytes: usize) -> Self {
        self.statement_bytes = bytes.min(MAX_QUERY_BYTES);
        self
    }

    /// The syntax of the index statements (see [`CypherDialect`]).
    ///
    /// ```
    /// use kgraph::{CypherDialect, CypherExportOptions, Graph};
    /// let path = std::env::temp_dir().join(format!("kgraph-doc-cypher-dialect-{}.cypher", std::process::id()));
    /// let options = CypherExportOptions::default().dialect(CypherDialect::FalkorDb);
    /// Graph::ecosystem()?.export_cypher_with(&path, &options)?;
    /// let script = std::fs::read_to_string(&path)?;
    /// assert!(script.contains("DROP INDEX ON :`KGRAPH_IMPORT`(`kgraph_import_id`);"));
    /// std::fs::remove_file(&path)?;
    /// # Ok::<_, Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn dialect(mut self, dialect: CypherDialect) -> Self {
        self.dialect = dialect;
        self
    }
}

/// A name in back-quotes, with back-quotes doubled: always valid, whatever the name.
fn quoted(out: &mut String, name: &str) {
    out.push('`');
    for c in name.chars() {
        if c == '`' {
            out.push('`');
        }
        out.push(c);
    }
    out.push('`');
}

fn string_literal(out: &mut String, s: &str) {
    out.push('\'');
    for c in s.chars() {
        match c {
            '\'' => out.push_str("\\'"),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() || c == '\u{2028}' || c == '\u{2029}' => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('\'');
}

/// A Cypher expression that evaluates to the value, or why there is none.
fn literal(out: &mut String, v: &Value, in_list: bool) -> Result<(), &'static str> {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(i) => {
            let _ = write!(out, "{i}");
        }
        Value::Float(x) if x.is_nan() => out.push_str("(0.0 / 0.0)"),
        Value::Float(x) if x.is_infinite() => {
            out.push_str(if *x > 0.0 { "(1.0 / 0.0)" } else { "(-1.0 / 0.0)" })
        }
        Value::Float(x) => {
            let _ = write!(out, "{x:?}");
        }
        Value::String(s) => {
            if s.len() > MAX_STRING_LITERAL_BYTES {
                return Err("a string longer than the query language's literals");
            }
            string_literal(out, s);
        }
        Value::Date(d) => {
            let _ = write!(out, "date('{d}')");
        }
        Value::LocalTime(_)
        | Value::Time(_)
        | Value::LocalDateTime(_)
        | Value::DateTime(_)
        | Value::Duration(_) => {
            // `localtime('...')`, `duration('...')`, ...: each type's text through its function.
            let _ = write!(out, "{v}");
        }
        Value::List(items) => {
            if in_list {
                return Err("a list of lists, which CREATE cannot store");
            }
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                literal(out, item, true)?;
            }
            out.push(']');
        }
        Value::Map(_) if in_list => return Err("a list of maps, which CREATE cannot store"),
        Value::Map(_) => return Err("a map, which CREATE cannot store"),
        _ => return Err("not a property value"),
    }
    Ok(())
}

/// Why FalkorDB cannot hold the value, if it cannot.
fn falkordb_lacks(v: &Value) -> Option<&'static str> {
    match v {
        Value::Time(_) => Some("a time with an offset, which FalkorDB has no type for"),
        Value::DateTime(_) => Some("a datetime with an offset or zone, which FalkorDB has no type for"),
        Value::List(items) => items.iter().find_map(falkordb_lacks),
        _ => None,
    }
}

/// A map literal of the properties (`{}` when there are none).
fn props(
    out: &mut String,
    graph: &Graph,
    props: &Props,
    item: ExportItem,
    dialect: CypherDialect,
) -> Result<(), ExportError> {
    out.push('{');
    for (i, (k, v)) in props.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        let key = graph.symbols.key_name(k);
        quoted(out, key);
        out.push_str(": ");
        let lacking = match dialect {
            CypherDialect::FalkorDb => falkordb_lacks(v).map_or(Ok(()), Err),
            CypherDialect::Neo4j => Ok(()),
        };
        lacking
            .and_then(|()| literal(out, v, false))
            .map_err(|reason| ExportError::Unrepresentable {
                item,
                key: key.to_owned(),
                reason,
            })?;
    }
    out.push('}');
    Ok(())
}

fn too_large(item: ExportItem) -> ExportError {
    ExportError::Unrepresentable {
        item,
        key: String::new(),
        reason: "its properties are too large for one statement",
    }
}

/// One statement being gathered: its fixed head and tail around the rows of its list.
struct Batch {
    head: &'static str,
    tail: String,
    rows: String,
    count: usize,
}

impl Batch {
    fn new(head: &'static str, tail: String) -> Batch {
        Batch {
            head,
            tail,
            rows: String::new(),
            count: 0,
        }
    }

    /// The statement's length with one more row (and its separator, `;` and line break).
    fn len_with(&self, row: &str) -> usize {
        self.head.len() + self.rows.len() + 2 + row.len() + self.tail.len() + 2
    }

    /// Writes the statement, if it has rows, and empties it.
    fn flush(&mut self, w: &mut impl Write, path: &Path) -> Result<(), ExportError> {
        if self.count == 0 {
            return Ok(());
        }
        let mut line = String::with_capacity(self.head.len() + self.rows.len() + self.tail.len() + 2);
        line.push_str(self.head);
        line.push_str(&self.rows);
        line.push_str(&self.tail);
        line.push_str(";\n");
        w.write_all(line.as_bytes()).map_err(io_err(path))?;
        self.rows.clear();
        self.count = 0;
        Ok(())
    }

    /// Adds a row, writing the statement first if the row would make it too long or too many.
    fn push(
        &mut self,
        row: &str,
        item: ExportItem,
        options: &CypherExportOptions,
        w: &mut impl Write,
        path: &Path,
    ) -> Result<(), ExportError> {
        if self.count > 0
            && (self.count >= options.batch_rows || self.len_with(row) > options.statement_bytes)
        {
            self.flush(w, path)?;
        }
        if self.len_with(row) > MAX_QUERY_BYTES {
            return Err(too_large(item));
        }
        if self.count > 0 {
            self.rows.push_str(", ");
        }
        self.rows.push_str(row);
        self.count += 1;
        Ok(())
    }
}

/// The label and key the script marks its nodes with are its own: a graph that has them is
/// refused, since the last statements remove them from every node that has them.
fn check_reserved(graph: &Graph) -> Result<(), ExportError> {
    let inner = &graph.inner;
    for ix in inner.node_indices() {
        let Some(d) = inner.node_weight(ix) else { continue };
        let item = ExportItem::Node(NodeId::from_ix(ix));
        if d.labels
            .iter()
            .any(|l| graph.symbols.label_name(*l) == IMPORT_LABEL)
        {
            return Err(ExportError::Unrepresentable {
                item,
                key: String::new(),
                reason: "its label KGRAPH_IMPORT is the one the script marks its nodes with while it loads",
            });
        }
        if d.props
            .iter()
            .any(|(k, _)| graph.symbols.key_name(k) == IMPORT_KEY)
        {
            return Err(ExportError::Unrepresentable {
                item,
                key: IMPORT_KEY.to_owned(),
                reason: "the script keeps its import ids under this key while it loads",
            });
        }
    }
    Ok(())
}

pub(crate) fn export(graph: &Graph, path: &Path, options: &CypherExportOptions) -> Result<(), ExportError> {
    super::progress::export_begin((graph.node_count() + graph.relationship_count()) as u64);
    let inner = &graph.inner;
    check_reserved(graph)?;
    // Check every value before creating the file, so a refused graph leaves nothing behind.
    let mut scratch = String::new();
    for ix in inner.node_indices() {
        if let Some(d) = inner.node_weight(ix) {
            scratch.clear();
            props(
                &mut scratch,
                graph,
                &d.props,
                ExportItem::Node(NodeId::from_ix(ix)),
                options.dialect,
            )?;
        }
    }
    for ix in inner.edge_indices() {
        if let Some(d) = inner.edge_weight(ix) {
            scratch.clear();
            let item = ExportItem::Relationship(RelId::from_ix(ix));
            props(&mut scratch, graph, &d.props, item, options.dialect)?;
        }
    }

    // A temporary file beside the target, renamed over it once whole: a statement refused
    // halfway (too large) leaves nothing.
    let mut w = AtomicFile::create(path).map_err(io_err(path))?;
    let mut label = String::new();
    quoted(&mut label, IMPORT_LABEL);
    let mut key = String::new();
    quoted(&mut key, IMPORT_KEY);
    let mut text = String::new();
    let _ = writeln!(
        text,
        "// kgraph Cypher export: {} nodes, {} relationships (docs/export-formats.md).\n\
         // Run the statements (one a line, each ending with ';') in order, on an empty graph or not:\n\
         // they add a copy of the exported graph. While they run, the new nodes carry the label\n\
         // {IMPORT_LABEL} and the key {IMPORT_KEY}; the last statements remove both and drop the index.",
        graph.node_count(),
        graph.relationship_count()
    );
    for (l, k) in graph.constraint_pairs() {
        let mut stmt = String::from("CREATE CONSTRAINT IF NOT EXISTS FOR (n:");
        quoted(&mut stmt, graph.symbols.label_name(l));
        stmt.push_str(") REQUIRE n.");
        quoted(&mut stmt, graph.symbols.key_name(k));
        stmt.push_str(" IS UNIQUE");
        let _ = writeln!(
            text,
            "// A unique constraint of the exported graph, not created by the script: {stmt}"
        );
    }
    let _ = match options.dialect {
        CypherDialect::Neo4j => writeln!(text, "CREATE INDEX {IMPORT_INDEX} FOR (n:{label}) ON (n.{key});"),
        CypherDialect::FalkorDb => writeln!(text, "CREATE INDEX FOR (n:{label}) ON (n.{key});"),
    };
    w.write_all(text.as_bytes()).map_err(io_err(path))?;

    // Nodes, numbered in id order; one open batch per set of labels.
    let mut batches: BTreeMap<&[LabelId], Batch> = BTreeMap::new();
    let mut position: HashMap<NodeId, usize> = HashMap::with_capacity(graph.node_count());
    let mut row = String::new();
    for (i, ix) in inner.node_indices().enumerate() {
        let Some(d) = inner.node_weight(ix) else { continue };
        let id = NodeId::from_ix(ix);
        position.insert(id, i);
        row.clear();
        let _ = write!(row, "{{i: {i}, p: ");
        props(&mut row, graph, &d.props, ExportItem::Node(id), options.dialect)?;
        row.push('}');
        let batch = batches.entry(d.labels.as_slice()).or_insert_with(|| {
            let mut tail = format!("] AS row CREATE (n:{label}");
            for l in &d.labels {
                tail.push(':');
                quoted(&mut tail, graph.symbols.label_name(*l));
            }
            let _ = write!(tail, " {{{key}: row.i}}) SET n += row.p");
            Batch::new("UNWIND [", tail)
        });
        batch.push(&row, ExportItem::Node(id), options, &mut w, path)?;
        super::progress::export_item();
    }
    for batch in batches.values_mut() {
        batch.flush(&mut w, path)?;
    }

    // Relationships; one open batch per type.
    let mut batches: BTreeMap<TypeId, Batch> = BTreeMap::new();
    for ix in inner.edge_indices() {
        let (Some(d), Some((a, b))) = (inner.edge_weight(ix), inner.edge_endpoints(ix)) else {
            continue;
        };
        let item = ExportItem::Relationship(RelId::from_ix(ix));
        let at = |n| position.get(&NodeId::from_ix(n)).copied().unwrap_or(0);
        row.clear();
        let _ = write!(row, "{{s: {}, e: {}, p: ", at(a), at(b));
        props(&mut row, graph, &d.props, item, options.dialect)?;
        row.push('}');
        let batch = batches.entry(d.ty).or_insert_with(|| {
            let mut tail = format!(
                "] AS row MATCH (a:{label} {{{key}: row.s}}) MATCH (b:{label} {{{key}: row.e}}) CREATE (a)-[r:"
            );
            quoted(&mut tail, graph.symbols.type_name(d.ty));
            tail.push_str("]->(b) SET r += row.p");
            Batch::new("UNWIND [", tail)
        });
        batch.push(&row, item, options, &mut w, path)?;
        super::progress::export_item();
    }
    for batch in batches.values_mut() {
        batch.flush(&mut w, path)?;
    }

    // Take the temporary label and key off again, a batch at a time, and drop the index.
    let mut text = String::new();
    let per = options.batch_rows;
    for _ in 0..graph.node_count().div_ceil(per) {
        let _ = writeln!(
            text,
            "MATCH (n:{label}) WITH n LIMIT {per} REMOVE n:{label}, n.{key};"
        );
    }
    let _ = match options.dialect {
        CypherDialect::Neo4j => writeln!(text, "DROP INDEX {IMPORT_INDEX};"),
        CypherDialect::FalkorDb => writeln!(text, "DROP INDEX ON :{label}({key});"),
    };
    w.write_all(text.as_bytes()).map_err(io_err(path))?;
    w.commit().map_err(io_err(path))
}
