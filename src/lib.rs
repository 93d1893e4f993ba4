//! kgraph: an embedded property graph with a Cypher subset.
#![doc(test(attr(deny(warnings))))]

mod dataset;
mod error;
mod graph;

pub use dataset::{DatasetError, DatasetFile};
pub use error::Error;
pub use graph::date::{Date, DateError};
pub use graph::names::normalize_name;
pub use graph::value::Path;
pub use graph::{Direction, Graph, GraphError, NodeId, NodeRef, RelId, RelRef, Value};
