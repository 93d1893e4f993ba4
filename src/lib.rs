#![doc = include_str!("../README.md")]
#![doc(test(attr(deny(warnings))))]

mod dataset;
mod error;
mod graph;
mod query;
mod storage;

pub use dataset::{DatasetError, DatasetFile};
pub use error::Error;
pub use graph::names::normalize_name;
pub use graph::temporal::{
    Date, DateError, DateTime, Duration, LocalDateTime, LocalTime, TemporalError, Time,
};
pub use graph::value::Path;
pub use graph::{Direction, Graph, GraphError, NodeId, NodeRef, RelId, RelRef, Value};
pub use query::error::{QueryError, RuntimeKind, SemanticKind};
pub use query::exec::Stats;
pub use query::syntax::{
    ParseError, ParseErrorKind, Query, MAX_NESTING_DEPTH, MAX_QUERY_BYTES, MAX_STRING_LITERAL_BYTES,
};
pub use query::{Params, QueryResult, ReadQuery, WriteQuery};
pub use storage::{ExportError, ExportItem, ImportError, ImportErrorKind, SnapshotError, SnapshotFs};
