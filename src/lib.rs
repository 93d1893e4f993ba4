#![doc = include_str!("../README.md")]
#![doc(test(attr(deny(warnings))))]

pub mod algo;
mod database;
mod dataset;
mod error;
mod graph;
#[cfg(feature = "picture")]
pub mod picture;
mod query;
mod storage;

pub use database::{
    Database, DbError, DbOptions, Durability, ReadTxn, Recovery, Verified, WriteTxn, BATCH_BYTES,
    DEFAULT_CHECKPOINT_BYTES,
};
pub use dataset::{DatasetError, DatasetFile};
pub use error::Error;
pub use graph::names::normalize_name;
pub use graph::temporal::{
    Date, DateError, DateTime, Duration, LocalDateTime, LocalTime, TemporalError, Time,
};
pub use graph::value::Path;
pub use graph::visit::{EdgeReference, EdgeReferences, Edges, Neighbors, NodeIdentifiers, VisitSet};
pub use graph::{Direction, Graph, GraphError, NodeId, NodeRef, RelId, RelRef, Value, ValueError};
pub use query::error::{QueryError, RuntimeKind, SemanticKind, UnsupportedKind};
pub use query::exec::budget::CancelHandle;
pub use query::exec::Stats;
pub use query::procedures::{ProcField, ProcRecords, ProcType, Procedure, Procedures, SignatureError};
pub use query::syntax::{
    ParseError, ParseErrorKind, Query, MAX_NESTING_DEPTH, MAX_QUERY_BYTES, MAX_STRING_LITERAL_BYTES,
};
pub use query::{
    Cell, FromValue, Node, OperatorProfile, OwnedRow, Params, Prepared, Profile, QueryResult, ReadQuery,
    Records, Relationship, Row, RowError, RowStream, WriteQuery,
};
#[doc(hidden)]
pub use storage::dir::{DbFs, LogHandle, LogSync, StdDbFs};
pub use storage::{
    report_progress, CypherDialect, CypherExportOptions, ExportError, ExportItem, ImportError,
    ImportErrorKind, ImportFailure, ImportOptions, ImportProgress, ImportReport, ProgressStage,
    SnapshotError, SnapshotFs, StorageProgress, MAX_IMPORT_LINE_BYTES,
};

// What the graph API accepts, the snapshot codec reads back (tests/value_limits.rs checks
// the JSON Lines importer too).
const _: () = assert!(graph::Value::MAX_NESTING <= storage::codec::MAX_VALUE_DEPTH);
