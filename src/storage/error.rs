//! The errors of snapshots, imports and exports.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use crate::graph::NodeId;

/// Why a snapshot could not be saved or opened. Every kind of damage has its own variant, and
/// every variant names the file.
///
/// ```
/// use kgraph::{Graph, SnapshotError};
/// let path = std::env::temp_dir().join(format!("kgraph-doc-error-{}.kgs", std::process::id()));
/// std::fs::write(&path, b"")?;
/// assert!(matches!(Graph::open(&path), Err(SnapshotError::Empty { .. })));
/// std::fs::write(&path, b"name,age\nAda,36\n")?;
/// assert!(matches!(Graph::open(&path), Err(SnapshotError::NotASnapshot { .. })));
/// std::fs::remove_file(&path)?;
/// # Ok::<_, Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SnapshotError {
    /// The file system refused an operation.
    #[error("{action} {}: {source}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// What was being done, e.g. `cannot read` or `cannot rename the temporary file to`.
        action: &'static str,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
    /// The file is empty (for example a save that was never written).
    #[error("{} is empty, not a snapshot", path.display())]
    Empty {
        /// The file.
        path: PathBuf,
    },
    /// The file does not start with the snapshot magic number: it is some other kind of file.
    #[error("{} is not a kgraph snapshot (wrong magic number)", path.display())]
    NotASnapshot {
        /// The file.
        path: PathBuf,
    },
    /// The file was written by a newer version of the format than this build reads.
    #[error(
        "{} is a snapshot of format version {version}; this build reads versions up to {supported}",
        path.display()
    )]
    FutureVersion {
        /// The file.
        path: PathBuf,
        /// The version in the file.
        version: u32,
        /// The newest version this build reads.
        supported: u32,
    },
    /// The file ends before the length its header announces (an interrupted copy, say).
    #[error("{} is truncated: {actual} bytes, {expected} expected", path.display())]
    Truncated {
        /// The file.
        path: PathBuf,
        /// The length the file should have, in bytes.
        expected: u64,
        /// Its length, in bytes.
        actual: u64,
    },
    /// The file is longer than its header announces.
    #[error("{} has {actual} bytes, but its header announces {expected}", path.display())]
    LengthMismatch {
        /// The file.
        path: PathBuf,
        /// The length the file should have, in bytes.
        expected: u64,
        /// Its length, in bytes.
        actual: u64,
    },
    /// The checksum of the header or of the payload does not match: bits have changed.
    #[error(
        "{} is damaged: the {region} checksum is {actual:#018x}, {expected:#018x} expected",
        path.display()
    )]
    ChecksumMismatch {
        /// The file.
        path: PathBuf,
        /// `header` or `payload`.
        region: &'static str,
        /// The checksum stored in the file.
        expected: u64,
        /// The checksum of the bytes read.
        actual: u64,
    },
    /// The header sets flags this build does not know.
    #[error("{} sets unknown header flags {flags:#010x}", path.display())]
    UnknownFlags {
        /// The file.
        path: PathBuf,
        /// The flags word.
        flags: u32,
    },
    /// The payload passed its checksum but does not decode to a consistent graph (an id out of
    /// range, a relationship to a missing node, a duplicate node id, ...).
    #[error("{} is corrupt: {reason}", path.display())]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// The graph holds something the format cannot store (a value nested too deeply).
    #[error("cannot save to {}: {reason}", path.display())]
    Unencodable {
        /// The target file.
        path: PathBuf,
        /// What could not be stored.
        reason: String,
    },
}

impl SnapshotError {
    pub(crate) fn io(path: &Path, action: &'static str, source: io::Error) -> SnapshotError {
        SnapshotError::Io {
            path: path.to_owned(),
            action,
            source,
        }
    }

    pub(crate) fn corrupt(path: &Path, reason: impl Into<String>) -> SnapshotError {
        SnapshotError::Corrupt {
            path: path.to_owned(),
            reason: reason.into(),
        }
    }

    /// The file the error is about.
    ///
    /// ```
    /// use kgraph::Graph;
    /// let missing = std::env::temp_dir().join("kgraph-doc-no-such-snapshot.kgs");
    /// let err = Graph::open(&missing).unwrap_err();
    /// assert_eq!(err.path(), missing.as_path());
    /// ```
    pub fn path(&self) -> &Path {
        match self {
            SnapshotError::Io { path, .. }
            | SnapshotError::Empty { path }
            | SnapshotError::NotASnapshot { path }
            | SnapshotError::FutureVersion { path, .. }
            | SnapshotError::Truncated { path, .. }
            | SnapshotError::LengthMismatch { path, .. }
            | SnapshotError::ChecksumMismatch { path, .. }
            | SnapshotError::UnknownFlags { path, .. }
            | SnapshotError::Corrupt { path, .. }
            | SnapshotError::Unencodable { path, .. } => path,
        }
    }

    /// True for every kind of damage (as opposed to a failure of the file system or a save
    /// that could not encode the graph).
    ///
    /// ```
    /// use kgraph::Graph;
    /// let path = std::env::temp_dir().join(format!("kgraph-doc-damage-{}.kgs", std::process::id()));
    /// std::fs::write(&path, b"\x89KGS\r\n")?;
    /// assert!(Graph::open(&path).unwrap_err().is_damage());
    /// std::fs::remove_file(&path)?;
    /// # Ok::<_, std::io::Error>(())
    /// ```
    pub fn is_damage(&self) -> bool {
        !matches!(self, SnapshotError::Io { .. } | SnapshotError::Unencodable { .. })
    }
}

/// Why an import failed. Nothing is loaded when an import fails: the importers build a new
/// graph and only return it on success.
///
/// ```
/// use kgraph::{Graph, ImportErrorKind};
/// let dir = std::env::temp_dir().join(format!("kgraph-doc-import-error-{}", std::process::id()));
/// std::fs::create_dir_all(&dir)?;
/// std::fs::write(dir.join("nodes.csv"), "id:ID,label:LABEL,age:INT\n0,Person,old\n")?;
/// std::fs::write(dir.join("rels.csv"), "start:START_ID,end:END_ID,type:TYPE\n")?;
/// let err = Graph::import_csv(dir.join("nodes.csv"), dir.join("rels.csv")).unwrap_err();
/// assert_eq!((err.line(), err.column()), (Some(2), Some(3)));
/// assert!(matches!(err.kind(), Some(ImportErrorKind::BadInteger { .. })));
/// std::fs::remove_dir_all(&dir)?;
/// # Ok::<_, std::io::Error>(())
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ImportError {
    /// A file could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
    /// A line of a file is malformed.
    #[error("{}:{line}:{column}: {kind}", path.display())]
    Malformed {
        /// The file.
        path: PathBuf,
        /// The line, from 1 (for a CSV record spanning lines, the line it starts on).
        line: u64,
        /// The column, from 1: for CSV the field number, for JSON Lines the character.
        column: u64,
        /// What is wrong.
        kind: ImportErrorKind,
    },
    /// A line of a JSON Lines file, or a record of a CSV file, is longer than an import reads
    /// in one piece ([`MAX_IMPORT_LINE_BYTES`](crate::MAX_IMPORT_LINE_BYTES)): it is refused
    /// rather than held in memory whole, however long it is.
    #[error(
        "{}:{line}: the line is longer than {limit} bytes, the most an import reads in one line",
        path.display()
    )]
    LineTooLong {
        /// The file.
        path: PathBuf,
        /// The line, from 1, on which the over-long line (or CSV record) starts.
        line: u64,
        /// The limit, in bytes, not counting the line break.
        limit: u64,
    },
}

impl ImportError {
    /// The file the error is about.
    ///
    /// ```
    /// use kgraph::Graph;
    /// let missing = std::env::temp_dir().join("kgraph-doc-no-such-file.jsonl");
    /// assert_eq!(Graph::import_jsonl(&missing).unwrap_err().path(), missing.as_path());
    /// ```
    pub fn path(&self) -> &Path {
        match self {
            ImportError::Io { path, .. }
            | ImportError::Malformed { path, .. }
            | ImportError::LineTooLong { path, .. } => path,
        }
    }

    /// The line of a malformed row, from 1.
    ///
    /// ```
    /// # use kgraph::Graph;
    /// let missing = std::env::temp_dir().join("kgraph-doc-no-such-file.jsonl");
    /// assert_eq!(Graph::import_jsonl(&missing).unwrap_err().line(), None);
    /// ```
    pub fn line(&self) -> Option<u64> {
        match self {
            ImportError::Malformed { line, .. } | ImportError::LineTooLong { line, .. } => Some(*line),
            ImportError::Io { .. } => None,
        }
    }

    /// The column of a malformed row, from 1 (CSV: the field number).
    ///
    /// ```
    /// # use kgraph::Graph;
    /// let missing = std::env::temp_dir().join("kgraph-doc-no-such-file.jsonl");
    /// assert_eq!(Graph::import_jsonl(&missing).unwrap_err().column(), None);
    /// ```
    pub fn column(&self) -> Option<u64> {
        match self {
            ImportError::Malformed { column, .. } => Some(*column),
            ImportError::Io { .. } | ImportError::LineTooLong { .. } => None,
        }
    }

    /// What is wrong with a malformed row.
    ///
    /// ```
    /// # use kgraph::Graph;
    /// let missing = std::env::temp_dir().join("kgraph-doc-no-such-file.jsonl");
    /// assert!(Graph::import_jsonl(&missing).unwrap_err().kind().is_none());
    /// ```
    pub fn kind(&self) -> Option<&ImportErrorKind> {
        match self {
            ImportError::Malformed { kind, .. } => Some(kind),
            ImportError::Io { .. } | ImportError::LineTooLong { .. } => None,
        }
    }
}

/// What is wrong with a malformed row or header; see [`ImportError::Malformed`].
///
/// ```
/// use kgraph::ImportErrorKind;
/// let k = ImportErrorKind::UnknownNodeId { id: "42".into() };
/// assert_eq!(k.to_string(), "unknown node id 42");
/// ```
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ImportErrorKind {
    /// A header field is not of the form `name:TYPE` with a known type.
    #[error("bad header field '{field}': {reason}")]
    BadHeader {
        /// The header field.
        field: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The header lacks a column the file must have (`ID`, `START_ID`, ...).
    #[error("the header has no {column} column")]
    MissingColumn {
        /// The missing column type.
        column: &'static str,
    },
    /// Two header fields name the same property, or a structural column appears twice.
    #[error("the header names '{name}' twice")]
    DuplicateColumn {
        /// The name given twice.
        name: String,
    },
    /// A row has a different number of fields from the header.
    #[error("{found} fields, but the header has {expected}")]
    WrongFieldCount {
        /// Fields in the header.
        expected: u64,
        /// Fields in the row.
        found: u64,
    },
    /// A field is not valid UTF-8.
    #[error("the field is not valid UTF-8")]
    BadUtf8,
    /// A required field (an id, a relationship type) is empty.
    #[error("the {column} field is empty")]
    MissingValue {
        /// The header field.
        column: String,
    },
    /// A field of an `INT` (or `ID`) column is not a 64-bit integer.
    #[error("'{text}' in column '{column}' is not an integer")]
    BadInteger {
        /// The header field.
        column: String,
        /// The text found.
        text: String,
    },
    /// A field of a `FLOAT` column is not a number.
    #[error("'{text}' in column '{column}' is not a float")]
    BadFloat {
        /// The header field.
        column: String,
        /// The text found.
        text: String,
    },
    /// A field of a `BOOL` column is not `true` or `false`.
    #[error("'{text}' in column '{column}' is not a boolean (true or false)")]
    BadBool {
        /// The header field.
        column: String,
        /// The text found.
        text: String,
    },
    /// A field of a `DATE` column is not a date `YYYY-MM-DD`.
    #[error("'{text}' in column '{column}' is not a date (YYYY-MM-DD)")]
    BadDate {
        /// The header field.
        column: String,
        /// The text found.
        text: String,
    },
    /// A field of a `LOCALTIME`, `TIME`, `LOCALDATETIME`, `DATETIME` or `DURATION` column is
    /// not a value of that type in ISO 8601 text.
    #[error("'{text}' in column '{column}' is not a {type_name} value")]
    BadTemporal {
        /// The header field.
        column: String,
        /// The column's type (`DATETIME`, ...).
        type_name: &'static str,
        /// The text found.
        text: String,
    },
    /// A relationship names a node id that no node of the nodes file has.
    #[error("unknown node id {id}")]
    UnknownNodeId {
        /// The id as written.
        id: String,
    },
    /// Two nodes have the same id.
    #[error("duplicate node id {id} (first on line {first_line})")]
    DuplicateNodeId {
        /// The id as written.
        id: String,
        /// The line of the first node with this id.
        first_line: u64,
    },
    /// A line of a JSON Lines file is not JSON.
    #[error("malformed JSON: {message}")]
    BadJson {
        /// The JSON parser's message.
        message: String,
    },
    /// A property value is a map (or a list holding one): maps are not property values.
    #[error("'{column}' holds a map: maps are not property values")]
    MapValue {
        /// The CSV header field, or the JSON Lines property key.
        column: String,
    },
    /// A cell of an `ANY` column of the extended CSV format is not a property value in the
    /// JSON encoding of `docs/jsonl-format.md`, or a value nests too deep.
    #[error("'{column}': {message}")]
    BadValue {
        /// The CSV header field, or the JSON Lines property key.
        column: String,
        /// What is wrong.
        message: String,
    },
    /// A line is JSON but not a node or relationship record of the format.
    #[error("bad record: {message}")]
    BadRecord {
        /// What is wrong.
        message: String,
    },
}

/// Why an export failed. Cypher and Kùzu exports refuse a graph they cannot express
/// faithfully rather than write something that reads back differently (the CSV and JSON
/// Lines exports write any graph).
///
/// ```
/// use kgraph::{ExportError, Graph};
/// let mut g = Graph::new();
/// g.add_node(&["Company", "Listed"], [("name", "Mindray")])?;
/// let dir = std::env::temp_dir().join(format!("kgraph-doc-export-error-{}", std::process::id()));
/// let err = g.export_kuzu(&dir).unwrap_err();
/// assert!(matches!(err, ExportError::LabelCount { count: 2, .. }));
/// # let _ = std::fs::remove_dir_all(&dir);
/// # Ok::<_, kgraph::Error>(())
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ExportError {
    /// A file could not be written.
    #[error("cannot write {}: {source}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
    /// The format gives every node exactly one label; this node has another number.
    #[error("node {node} has {count} labels; this format needs exactly one")]
    LabelCount {
        /// The node.
        node: NodeId,
        /// How many labels it has.
        count: usize,
    },
    /// A property value that the format cannot express.
    #[error("{item}: property '{key}' cannot be exported: {reason}")]
    Unrepresentable {
        /// The node or relationship, e.g. `node n3`.
        item: ExportItem,
        /// The property key.
        key: String,
        /// Why not, e.g. `a map`.
        reason: &'static str,
    },
    /// A property key holds values of different types on different items, and the format
    /// gives each column one type.
    #[error("property '{key}' of {scope} holds both {first} and {second} values; a column has one type")]
    MixedColumnType {
        /// The property key.
        key: String,
        /// Which items the column covers, e.g. `nodes` or `relationships of type T`.
        scope: String,
        /// The type first seen.
        first: String,
        /// The other type.
        second: String,
    },
}

/// A node or a relationship, as export errors name them.
///
/// ```
/// use kgraph::{ExportItem, NodeId};
/// assert_eq!(ExportItem::Node(NodeId::from_index(3)).to_string(), "node n3");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ExportItem {
    /// A node.
    Node(NodeId),
    /// A relationship.
    Relationship(crate::graph::RelId),
}

impl fmt::Display for ExportItem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExportItem::Node(n) => write!(f, "node {n}"),
            ExportItem::Relationship(r) => write!(f, "relationship {r}"),
        }
    }
}
