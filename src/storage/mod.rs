//! Persistence: crash-safe snapshots, CSV and JSON Lines import and export, Cypher and Kùzu
//! scripts, neo4j-admin's CSV layout and GraphML (`docs/export-formats.md`).
//!
//! Architecture invariants:
//! - `codec.rs` is the only module that knows the snapshot's bytes (and the only user of
//!   bincode); `file.rs` only moves bytes to disk, through the `SnapshotFs` trait.
//! - Importers never touch an existing graph: they build a new one and return it only when the
//!   whole input was read, so a failed import loads nothing.
//! - Exporters refuse what their format cannot express (a typed `ExportError`) rather than
//!   write something that reads back differently.
//! - Exporters write each file under a temporary name beside it and rename it into place once
//!   whole (`file::AtomicFile`): a failed export never leaves a partial file under a target
//!   name, nor a temporary file.
//! - Bulk paths build petgraph's storage directly and rebuild the indexes once, through
//!   `Graph::from_storage` (`graph/bulk.rs`); nothing here goes through the query engine.

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

use crate::graph::Graph;
pub use cypher::{CypherDialect, CypherExportOptions};
pub use error::{ExportError, ExportItem, ImportError, ImportErrorKind, SnapshotError};
pub use file::SnapshotFs;

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
    /// columns `name:STRING|INT|FLOAT|BOOL|DATE` and lists `T[]`) into a new graph. The ids of
    /// the file map to new node ids. A malformed row is an error naming the file, line and
    /// column, a record longer than [`MAX_IMPORT_LINE_BYTES`] is [`ImportError::LineTooLong`],
    /// and nothing is loaded.
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

    /// Writes the graph as `nodes.csv` and `relationships.csv` of the benchmark format into
    /// `dir` (created if missing); [`Graph::import_csv`] reads them back. Refuses, with an
    /// [`ExportError`], a graph the format cannot express: a node without exactly one label, a
    /// map, a list of mixed types or of lists, an empty string or list, a list element with
    /// `;`, a property with different types on different items. Both files are written under
    /// temporary names and renamed into place once both are whole: a failed export leaves the
    /// previous files as they were.
    ///
    /// ```
    /// use kgraph::Graph;
    /// let dir = std::env::temp_dir().join(format!("kgraph-doc-export-csv-{}", std::process::id()));
    /// let g = Graph::ecosystem()?;
    /// g.export_csv(&dir)?;
    /// let back = Graph::import_csv(dir.join("nodes.csv"), dir.join("relationships.csv"))?;
    /// assert_eq!(back.relationship_count(), g.relationship_count());
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
    /// map value with a key starting with `~` is refused: the encoding reserves those keys for
    /// tagged values such as `{"~date":..}`. The file is written under a temporary name and
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
