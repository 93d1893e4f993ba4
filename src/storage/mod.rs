//! Persistence: crash-safe snapshots, CSV and JSON Lines import and export, Cypher and Kùzu
//! scripts, neo4j-admin's CSV layout and GraphML (`docs/export-formats.md`).
//!
//! Architecture invariants:
//! - `codec.rs` is the only module that knows the snapshot's bytes (and the only user of
//!   bincode); `file.rs` only moves bytes to disk, through the `SnapshotFs` trait.
//! - Bulk importers never touch an existing graph: they build a new one and return it only
//!   when the whole input was read, so a failed import loads nothing. Appending imports
//!   (`append.rs`) change a graph through its mutation methods, a batch at a time, each batch
//!   undone whole if it fails.
//! - Exporters refuse what their format cannot express (a typed `ExportError`) rather than
//!   write something that reads back differently.
//! - Exporters write each file under a temporary name beside it and rename it into place once
//!   whole (`file::AtomicFile`): a failed export never leaves a partial file under a target
//!   name, nor a temporary file.
//! - Bulk paths build petgraph's storage directly and rebuild the indexes once, through
//!   `Graph::from_storage` (`graph/bulk.rs`); nothing here goes through the query engine.

pub(crate) mod append;
pub(crate) mod codec;
pub(crate) mod csv;
pub(crate) mod cypher;
pub(crate) mod dir;
pub(crate) mod error;
pub(crate) mod file;
pub(crate) mod graphml;
pub(crate) mod jsonl;
pub(crate) mod kuzu;
pub(crate) mod neo4j;
pub(crate) mod progress;
pub(crate) mod read;
pub(crate) mod strings;
pub(crate) mod wal;

use std::path::Path;

/// The longest line of a JSON Lines file, or record of a CSV file, that [`Graph::import_jsonl`]
/// and [`Graph::import_csv`] read: 64 MiB, not counting the line break. A longer one is
/// refused with [`ImportError::LineTooLong`], naming the line it starts on, after reading at
/// most this much of it: an endless line costs no more memory than this.
///
/// ```
/// use kgraph::{Graph, ImportError, MAX_IMPORT_LINE_BYTES};
/// let path = std::env::temp_dir().join(format!("kgraph-doc-long-line-{}.jsonl", std::process::id()));
/// let mut text = String::from("\n");
/// text.push_str(&" ".repeat(MAX_IMPORT_LINE_BYTES + 1));
/// std::fs::write(&path, text)?;
/// let err = Graph::import_jsonl(&path).unwrap_err();
/// assert!(matches!(err, ImportError::LineTooLong { line: 2, .. }));
/// std::fs::remove_file(&path)?;
/// # Ok::<_, std::io::Error>(())
/// ```
pub const MAX_IMPORT_LINE_BYTES: usize = 64 << 20;

use crate::graph::{Graph, Value};
pub use append::{ImportFailure, ImportOptions, ImportProgress, ImportReport};
pub use cypher::{CypherDialect, CypherExportOptions};
pub use error::{ExportError, ExportItem, ImportError, ImportErrorKind, SnapshotError};
pub use file::SnapshotFs;
pub use progress::{report_progress, ProgressStage, StorageProgress};

/// Why an importer refuses a value it read (see [`check_imported`]).
pub(crate) enum Refusal {
    Map,
    NotStorable(&'static str),
    TooDeep,
}

impl Refusal {
    /// The error kind for a value of `column` (a CSV header field or a JSON Lines key).
    pub(crate) fn kind(self, column: &str) -> ImportErrorKind {
        let column = column.to_owned();
        match self {
            Refusal::Map => ImportErrorKind::MapValue { column },
            Refusal::NotStorable(type_name) => ImportErrorKind::BadValue {
                column,
                message: format!("a {type_name} value is not a property value"),
            },
            Refusal::TooDeep => ImportErrorKind::BadValue {
                column,
                message: format!("lists nest more than {} levels deep", Value::MAX_NESTING),
            },
        }
    }
}

/// Checks a value an importer read as the graph API would: no map anywhere in it, only
/// property values, nested at most `Value::MAX_NESTING` levels.
pub(crate) fn check_imported(value: &Value) -> Result<(), Refusal> {
    if value.nested_deeper_than(Value::MAX_NESTING) {
        return Err(Refusal::TooDeep);
    }
    if value.contains_map() {
        return Err(Refusal::Map);
    }
    if !value.is_storable() {
        return Err(Refusal::NotStorable(value.type_name()));
    }
    Ok(())
}

impl Graph {
    /// Writes a snapshot of the whole graph to `path`, crash-safely: a temporary file beside
    /// it is written and fsynced, renamed over `path`, and the directory is fsynced. If any
    /// step fails, the previous file at `path` is left as it was. Ids, symbols, both indexes
    /// and unique constraints survive [`Graph::open`]. The format is described in
    /// `docs/snapshot-format.md`.
    ///
    /// ```
    /// use kgraph::Graph;
    /// let dir = std::env::temp_dir().join(format!("kgraph-doc-save-{}", std::process::id()));
    /// std::fs::create_dir_all(&dir)?;
    /// let mut g = Graph::new();
    /// let a = g.add_node(&["Company"], [("name", "Pfizer")])?;
    /// let b = g.add_node(&["Company"], [("name", "BeiGene")])?;
    /// g.remove_node(a)?;
    /// g.save(dir.join("graph.kgs"))?;
    /// let back = Graph::open(dir.join("graph.kgs"))?;
    /// assert_eq!(back.resolve("beigene")?, b);
    /// std::fs::remove_dir_all(&dir)?;
    /// # Ok::<_, Box<dyn std::error::Error>>(())
    /// ```
    pub fn save(&self, path: impl AsRef<Path>) -> Result<(), SnapshotError> {
        self.save_with_fs(path.as_ref(), &mut file::StdFs::default())
    }

    /// [`Graph::save`] through the given file-system operations: for fault-injection tests.
    /// Not a stable API.
    #[doc(hidden)]
    pub fn save_with_fs(&self, path: &Path, fs: &mut dyn SnapshotFs) -> Result<(), SnapshotError> {
        progress::report(progress::ProgressStage::Encode, 0, 0);
        let encoded = codec::encode(self).map_err(|reason| SnapshotError::Unencodable {
            path: path.to_owned(),
            reason,
        })?;
        file::write_atomic(fs, path, &encoded)
    }

    /// Reads a snapshot written by [`Graph::save`]. The file is checked (magic number, format
    /// version, header and payload checksums, length) before it is decoded, decoded under an
    /// allocation limit, and validated after; each kind of damage gets its own
    /// [`SnapshotError`] variant.
    ///
    /// ```
    /// use kgraph::{Graph, SnapshotError};
    /// let dir = std::env::temp_dir().join(format!("kgraph-doc-open-{}", std::process::id()));
    /// std::fs::create_dir_all(&dir)?;
    /// let g = Graph::ecosystem()?;
    /// g.save(dir.join("eco.kgs"))?;
    /// let back = Graph::open(dir.join("eco.kgs"))?;
    /// assert_eq!(back.node_count(), g.node_count());
    /// let mut bytes = std::fs::read(dir.join("eco.kgs"))?;
    /// let last = bytes.len() - 1;
    /// bytes[last] ^= 1;
    /// std::fs::write(dir.join("bad.kgs"), &bytes)?;
    /// assert!(matches!(Graph::open(dir.join("bad.kgs")), Err(SnapshotError::ChecksumMismatch { .. })));
    /// std::fs::remove_dir_all(&dir)?;
    /// # Ok::<_, Box<dyn std::error::Error>>(())
    /// ```
    pub fn open(path: impl AsRef<Path>) -> Result<Graph, SnapshotError> {
        let path = path.as_ref();
        let bytes = read::read_whole(path).map_err(|e| SnapshotError::io(path, "cannot read", e))?;
        codec::decode(path, &bytes)
    }

    /// Bulk-loads the CSV files of the benchmark format (`nodes.csv` with `ID` and `LABEL`
    /// columns, `relationships.csv` with `START_ID`, `END_ID` and `TYPE`, typed property
    /// columns `name:STRING|INT|FLOAT|BOOL|DATE` and lists `T[]`) into a new graph, and its
    /// extension that [`Graph::export_csv`] writes (several labels in a `LABEL` cell, `ANY`
    /// columns whose cells carry their type: `docs/csv-format.md`). The ids of the file map to
    /// new node ids. A malformed row is an error naming the file, line and column, a record
    /// longer than [`MAX_IMPORT_LINE_BYTES`] is [`ImportError::LineTooLong`], and nothing is
    /// loaded.
    ///
    /// ```
    /// use kgraph::Graph;
    /// let dir = std::env::temp_dir().join(format!("kgraph-doc-import-csv-{}", std::process::id()));
    /// std::fs::create_dir_all(&dir)?;
    /// std::fs::write(dir.join("nodes.csv"),
    ///     "id:ID,label:LABEL,name:STRING,aliases:STRING[],founded:DATE\n\
    ///      7,Company,\"Veranox Medical Co., Ltd.\",Veranox;威诺,2001-05-17\n\
    ///      9,Place,Suzhou,,\n")?;
    /// std::fs::write(dir.join("rels.csv"), "start:START_ID,end:END_ID,type:TYPE,since:INT\n7,9,LOCATED_IN,2003\n")?;
    /// let g = Graph::import_csv(dir.join("nodes.csv"), dir.join("rels.csv"))?;
    /// assert_eq!((g.node_count(), g.relationship_count()), (2, 1));
    /// assert_eq!(g.resolve("威诺")?, g.resolve("veranox medical co., ltd.")?);
    /// std::fs::remove_dir_all(&dir)?;
    /// # Ok::<_, Box<dyn std::error::Error>>(())
    /// ```
    pub fn import_csv(
        nodes: impl AsRef<Path>,
        relationships: impl AsRef<Path>,
    ) -> Result<Graph, ImportError> {
        csv::import(nodes.as_ref(), relationships.as_ref(), MAX_IMPORT_LINE_BYTES)
    }

    /// Imports CSV files (the benchmark format or its extension, as [`Graph::import_csv`]
    /// reads them) into this graph, which may hold data: node rows are matched to existing
    /// nodes by the key [`ImportOptions::merge_on`] names (their labels and properties merged
    /// in) or created, relationships are created between the nodes their ids resolve to. The
    /// files are streamed and applied in batches of [`ImportOptions::batch_rows`] rows, each
    /// atomic: see [`ImportOptions`] for the rules, the atomicity and the memory bound. On a
    /// failure, the [`ImportFailure`] says what the committed batches imported; nothing of
    /// the failing batch is left.
    ///
    /// ```
    /// use kgraph::{Graph, ImportOptions, Value};
    /// let dir = std::env::temp_dir().join(format!("kgraph-doc-import-csv-into-{}", std::process::id()));
    /// std::fs::create_dir_all(&dir)?;
    /// let mut g = Graph::new();
    /// let pfizer = g.add_node(&["Company"], [("name", "Pfizer")])?;
    /// std::fs::write(dir.join("nodes.csv"), "id:ID,label:LABEL,name:STRING,country:STRING\n\
    ///     1,Company;Listed,Pfizer,US\n2,Place,New York,US\n")?;
    /// std::fs::write(dir.join("rels.csv"), "start:START_ID,end:END_ID,type:TYPE\n1,2,LOCATED_IN\n")?;
    /// let report = g.import_csv_into(dir.join("nodes.csv"), dir.join("rels.csv"),
    ///     &ImportOptions::new().merge_on("Company", "name"))?;
    /// assert_eq!((report.nodes_matched, report.nodes_created, report.relationships_created), (1, 1, 1));
    /// assert_eq!(g.node(pfizer)?.property("country"), Some(&Value::from("US")));
    /// assert!(g.node(pfizer)?.has_label("Listed"));
    /// std::fs::remove_dir_all(&dir)?;
    /// # Ok::<_, Box<dyn std::error::Error>>(())
    /// ```
    pub fn import_csv_into(
        &mut self,
        nodes: impl AsRef<Path>,
        relationships: impl AsRef<Path>,
        options: &ImportOptions<'_>,
    ) -> Result<ImportReport, ImportFailure> {
        let mut symbols = crate::graph::Symbols::default();
        let source = append::Source::csv(
            nodes.as_ref(),
            relationships.as_ref(),
            &mut symbols,
            MAX_IMPORT_LINE_BYTES,
        )
        .map_err(ImportFailure::before_any)?;
        append::run(source, symbols, &mut append::GraphTarget::new(self), options)
    }

    /// Imports a JSON Lines file (`docs/jsonl-format.md`) into this graph, which may hold
    /// data, as [`Graph::import_csv_into`] does CSV files: node lines matched by the
    /// [`ImportOptions::merge_on`] key or created, relationship lines created (their nodes must
    /// be on earlier lines), `constraint` lines create the constraints the graph lacks;
    /// streamed, in atomic batches.
    ///
    /// ```
    /// use kgraph::{Graph, ImportOptions};
    /// let path = std::env::temp_dir().join(format!("kgraph-doc-import-jsonl-into-{}.jsonl", std::process::id()));
    /// std::fs::write(&path, concat!(
    ///     r#"{"node":{"id":1,"labels":["Company"],"properties":{"name":"Pfizer","employees":83000}}}"#, "\n",
    ///     r#"{"node":{"id":2,"labels":["Company"],"properties":{"name":"BeiGene"}}}"#, "\n",
    ///     r#"{"relationship":{"start":2,"end":1,"type":"SIGNS_WITH"}}"#, "\n",
    /// ))?;
    /// let mut g = Graph::new();
    /// g.add_node(&["Company"], [("name", "Pfizer")])?;
    /// let report = g.import_jsonl_into(&path, &ImportOptions::new().merge_on("Company", "name"))?;
    /// assert_eq!((report.nodes_matched, report.nodes_created), (1, 1));
    /// assert_eq!((g.node_count(), g.relationship_count()), (2, 1));
    /// std::fs::remove_file(&path)?;
    /// # Ok::<_, Box<dyn std::error::Error>>(())
    /// ```
    pub fn import_jsonl_into(
        &mut self,
        path: impl AsRef<Path>,
        options: &ImportOptions<'_>,
    ) -> Result<ImportReport, ImportFailure> {
        let source =
            append::Source::jsonl(path.as_ref(), MAX_IMPORT_LINE_BYTES).map_err(ImportFailure::before_any)?;
        append::run(
            source,
            crate::graph::Symbols::default(),
            &mut append::GraphTarget::new(self),
            options,
        )
    }

    /// Writes any graph as `nodes.csv` and `relationships.csv` into `dir` (created if
    /// missing), in the benchmark format extended as `docs/csv-format.md` describes:
    /// [`Graph::import_csv`] reads them back to an equal graph (with new ids). A key whose
    /// values all fit one type of the benchmark format gets that typed column; a node's labels
    /// share its `LABEL` cell, separated by `;`; a key whose values do not fit one type
    /// (mixed types, empty strings or lists, nested lists, `;` in a list element) gets an
    /// `ANY` column whose cells are values in the JSON encoding of `docs/jsonl-format.md`. So
    /// a graph within the benchmark format is written in it. Only a map (which only an old
    /// snapshot can hold) is refused, with [`ExportError::Unrepresentable`]. Unique
    /// constraints are not written. Both files are written under temporary names and renamed
    /// into place once both are whole: a failed export leaves the previous files as they were.
    ///
    /// ```
    /// use kgraph::{Graph, Value};
    /// let dir = std::env::temp_dir().join(format!("kgraph-doc-export-csv-{}", std::process::id()));
    /// let mut g = Graph::ecosystem()?;
    /// let n = g.add_node(&["Company", "Listed"], [("name", Value::from("某公司")), ("note", Value::from(""))])?;
    /// g.set_node_property(n, "founded", 1999)?;
    /// g.export_csv(&dir)?;
    /// let back = Graph::import_csv(dir.join("nodes.csv"), dir.join("relationships.csv"))?;
    /// assert_eq!(back.relationship_count(), g.relationship_count());
    /// let copy = back.node(back.resolve("某公司")?)?;
    /// assert_eq!(copy.labels().collect::<Vec<_>>(), ["Company", "Listed"]);
    /// assert_eq!(copy.property("note"), Some(&Value::from("")));
    /// std::fs::remove_dir_all(&dir)?;
    /// # Ok::<_, Box<dyn std::error::Error>>(())
    /// ```
    pub fn export_csv(&self, dir: impl AsRef<Path>) -> Result<(), ExportError> {
        csv::export(self, dir.as_ref())
    }

    /// Reads a JSON Lines file (`docs/jsonl-format.md`) into a new graph: one
    /// `{"node":{"id":..,"labels":[..],"properties":{..}}}` or
    /// `{"relationship":{"start":..,"end":..,"type":..,"properties":{..}}}` per line, values
    /// in the adapter's encoding. Relationships may come before the nodes they name. A line
    /// longer than [`MAX_IMPORT_LINE_BYTES`] is [`ImportError::LineTooLong`].
    ///
    /// ```
    /// use kgraph::{Graph, Value};
    /// let path = std::env::temp_dir().join(format!("kgraph-doc-import-{}.jsonl", std::process::id()));
    /// std::fs::write(&path, concat!(
    ///     r#"{"node":{"id":1,"labels":["Company"],"properties":{"name":"Pfizer","since":{"~date":"1849-01-01"}}}}"#, "\n",
    ///     r#"{"node":{"id":2,"labels":["Place"],"properties":{"name":"New York"}}}"#, "\n",
    ///     r#"{"relationship":{"start":1,"end":2,"type":"LOCATED_IN","properties":{"share":0.5}}}"#, "\n",
    /// ))?;
    /// let g = Graph::import_jsonl(&path)?;
    /// let pfizer = g.resolve("Pfizer")?;
    /// assert!(matches!(g.node(pfizer)?.property("since"), Some(Value::Date(_))));
    /// std::fs::remove_file(&path)?;
    /// # Ok::<_, Box<dyn std::error::Error>>(())
    /// ```
    pub fn import_jsonl(path: impl AsRef<Path>) -> Result<Graph, ImportError> {
        jsonl::import(path.as_ref(), MAX_IMPORT_LINE_BYTES)
    }

    /// Writes every node, relationship and unique constraint as JSON Lines
    /// (`docs/jsonl-format.md`); [`Graph::import_jsonl`] reads it back (with new ids). Only a
    /// map (which only an old snapshot can hold) is refused: maps are not property values.
    /// The file is written under a temporary name and
    /// renamed over `path` once whole: a failed export leaves the previous file as it was.
    ///
    /// ```
    /// use kgraph::Graph;
    /// let path = std::env::temp_dir().join(format!("kgraph-doc-export-{}.jsonl", std::process::id()));
    /// let g = Graph::ecosystem()?;
    /// g.export_jsonl(&path)?;
    /// let back = Graph::import_jsonl(&path)?;
    /// assert_eq!(back.node_count(), g.node_count());
    /// std::fs::remove_file(&path)?;
    /// # Ok::<_, Box<dyn std::error::Error>>(())
    /// ```
    pub fn export_jsonl(&self, path: impl AsRef<Path>) -> Result<(), ExportError> {
        jsonl::export(self, path.as_ref())
    }

    /// Writes a Cypher script that adds a copy of the graph to any graph it is run on, empty
    /// or not, with [`CypherExportOptions::default`] (`docs/export-formats.md`). Its statements
    /// (one a line, each ending with `;`; comments start with `//`) run here with
    /// [`Graph::execute`] one by one or [`Database::execute_script`](crate::Database::execute_script)
    /// all at once, in FalkorDB and, in Neo4j's syntax, with `cypher-shell -f`. Nodes are
    /// found by a temporary label and key (`KGRAPH_IMPORT`, `kgraph_import_id`), never by
    /// `id()`, and the last statements remove them. Refuses maps, lists of lists or maps, a
    /// graph that already uses that label or key, and an item too large for one statement
    /// ([`MAX_QUERY_BYTES`](crate::MAX_QUERY_BYTES)). The file is written under a temporary
    /// name and renamed over `path` once whole: a failed export leaves the previous file as
    /// it was.
    ///
    /// ```
    /// use kgraph::{Database, Graph, Params};
    /// let path = std::env::temp_dir().join(format!("kgraph-doc-export-{}.cypher", std::process::id()));
    /// let g = Graph::ecosystem()?;
    /// g.export_cypher(&path)?;
    /// let script = std::fs::read_to_string(&path)?;
    /// let db = Database::new();
    /// db.execute("CREATE (:Note {text: 'here before'})")?;
    /// db.execute_script(&script, &Params::new())?;
    /// assert_eq!(db.read().node_count(), g.node_count() + 1);
    /// assert_eq!(db.read().relationship_count(), g.relationship_count());
    /// std::fs::remove_file(&path)?;
    /// # Ok::<_, Box<dyn std::error::Error>>(())
    /// ```
    pub fn export_cypher(&self, path: impl AsRef<Path>) -> Result<(), ExportError> {
        cypher::export(self, path.as_ref(), &CypherExportOptions::default())
    }

    /// [`Graph::export_cypher`] with statements cut as `options` say.
    ///
    /// ```
    /// use kgraph::{CypherExportOptions, Graph};
    /// let path = std::env::temp_dir().join(format!("kgraph-doc-export-with-{}.cypher", std::process::id()));
    /// let g = Graph::ecosystem()?;
    /// g.export_cypher_with(&path, &CypherExportOptions::default().batch_rows(1))?;
    /// let mut replay = Graph::new();
    /// for line in std::fs::read_to_string(&path)?.lines().filter(|l| !l.starts_with("//")) {
    ///     replay.execute(line).run()?;
    /// }
    /// assert_eq!(replay.relationship_count(), g.relationship_count());
    /// std::fs::remove_file(&path)?;
    /// # Ok::<_, Box<dyn std::error::Error>>(())
    /// ```
    pub fn export_cypher_with(
        &self,
        path: impl AsRef<Path>,
        options: &CypherExportOptions,
    ) -> Result<(), ExportError> {
        cypher::export(self, path.as_ref(), options)
    }

    /// Writes the graph for Kùzu (or Ladybug) into `dir`: one CSV file per label and per
    /// (type, start label, end label), and `schema.cypher`, a script of `CREATE NODE TABLE`,
    /// `CREATE REL TABLE` and `COPY ... FROM` statements to run from `dir`. Every node needs
    /// exactly one label; values follow the rules of [`Graph::export_csv`]. Each file is
    /// written under a temporary name and renamed into place once whole, `schema.cypher`
    /// last: a failed export leaves no partial file and the previous script.
    ///
    /// ```
    /// use kgraph::Graph;
    /// let dir = std::env::temp_dir().join(format!("kgraph-doc-export-kuzu-{}", std::process::id()));
    /// Graph::ecosystem()?.export_kuzu(&dir)?;
    /// let script = std::fs::read_to_string(dir.join("schema.cypher"))?;
    /// assert!(script.contains("CREATE NODE TABLE `Company`"));
    /// assert!(script.contains("COPY `LOCATED_IN` FROM"));
    /// std::fs::remove_dir_all(&dir)?;
    /// # Ok::<_, Box<dyn std::error::Error>>(())
    /// ```
    pub fn export_kuzu(&self, dir: impl AsRef<Path>) -> Result<(), ExportError> {
        kuzu::export(self, dir.as_ref())
    }

    /// Writes the graph in the CSV layout of Neo4j's `neo4j-admin database import full` into
    /// `dir` (created if missing): `nodes_N.csv` (`:ID`, `:LABEL` with labels joined by `;`,
    /// typed property columns such as `name:string`, `since:date`, `aliases:string[]`),
    /// `relationships_N.csv` (`:START_ID`, `:END_ID`, `:TYPE`, typed columns), and
    /// `neo4j-admin-import.txt` with the command line that loads them (its array delimiter is
    /// one no list element contains). Items go to as few files as keep each column's type
    /// one. Refuses what Neo4j cannot store (maps, lists of mixed types, with nulls or of
    /// lists), a key with `:` and a label with `;`. See `docs/export-formats.md`; checked by
    /// format only (no Neo4j here). Each file is written under a temporary name and renamed
    /// into place once whole.
    ///
    /// ```
    /// use kgraph::Graph;
    /// let dir = std::env::temp_dir().join(format!("kgraph-doc-export-neo4j-{}", std::process::id()));
    /// Graph::ecosystem()?.export_neo4j_admin(&dir)?;
    /// let nodes = std::fs::read_to_string(dir.join("nodes_1.csv"))?;
    /// assert!(nodes.starts_with("\":ID\",\":LABEL\","));
    /// let command = std::fs::read_to_string(dir.join("neo4j-admin-import.txt"))?;
    /// assert!(command.contains("neo4j-admin database import full"));
    /// std::fs::remove_dir_all(&dir)?;
    /// # Ok::<_, Box<dyn std::error::Error>>(())
    /// ```
    pub fn export_neo4j_admin(&self, dir: impl AsRef<Path>) -> Result<(), ExportError> {
        neo4j::export(self, dir.as_ref())
    }

    /// Writes the graph as GraphML, for Gephi, networkx or igraph, shaped as Neo4j's APOC
    /// export shapes it: a node's labels in a `labels` value (`:A:B`), a relationship's type
    /// in a `label` value, each property under a `<key>` of its GraphML type (`long`,
    /// `double`, `boolean`, `string`; temporal values as ISO 8601 text and lists as JSON
    /// arrays, both `string`). Refuses maps, strings with control characters XML 1.0 cannot
    /// hold (line breaks and tabs are kept), and a node property named `labels` or a
    /// relationship property named `label`. See `docs/export-formats.md`. The file is written
    /// under a temporary name and renamed over `path` once whole.
    ///
    /// ```
    /// use kgraph::Graph;
    /// let path = std::env::temp_dir().join(format!("kgraph-doc-export-{}.graphml", std::process::id()));
    /// let mut g = Graph::new();
    /// let a = g.add_node(&["Company", "Listed"], [("name", "辉瑞 & Co")])?;
    /// let b = g.add_node(&["Place"], [("name", "New York")])?;
    /// g.add_relationship(a, b, "LOCATED_IN", [("since", 1849)])?;
    /// g.export_graphml(&path)?;
    /// let xml = std::fs::read_to_string(&path)?;
    /// assert!(xml.contains("<data key=\"labels\">:Company:Listed</data>"));
    /// assert!(xml.contains("辉瑞 &amp; Co"));
    /// std::fs::remove_file(&path)?;
    /// # Ok::<_, Box<dyn std::error::Error>>(())
    /// ```
    pub fn export_graphml(&self, path: impl AsRef<Path>) -> Result<(), ExportError> {
        graphml::export(self, path.as_ref())
    }
}
