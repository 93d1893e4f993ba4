//! The umbrella error of the crate.

use crate::database::DbError;
use crate::dataset::DatasetError;
use crate::graph::GraphError;
use crate::query::error::QueryError;
use crate::storage::{ExportError, ImportError, SnapshotError};

/// Any error of the crate; each layer's own error converts into it with `?`.
///
/// ```
/// fn first_company() -> Result<String, kgraph::Error> {
///     let g = kgraph::Graph::ecosystem()?;
///     let id = g.resolve("Pfizer")?;
///     let label = g.node(id)?.labels().next().unwrap_or_default().to_owned();
///     Ok(label)
/// }
/// assert_eq!(first_company()?, "Company");
/// # Ok::<_, kgraph::Error>(())
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A call of the graph API failed.
    #[error(transparent)]
    Graph(#[from] GraphError),
    /// A dataset was refused.
    #[error(transparent)]
    Dataset(#[from] DatasetError),
    /// A query failed.
    #[error(transparent)]
    Query(#[from] QueryError),
    /// Query results could not be deserialised into the type asked for.
    #[error("cannot deserialise the result: {0}")]
    Deserialize(#[from] serde_json::Error),
    /// A snapshot could not be saved or opened.
    #[error(transparent)]
    Snapshot(#[from] SnapshotError),
    /// An import failed (nothing was loaded).
    #[error(transparent)]
    Import(#[from] ImportError),
    /// An export failed.
    #[error(transparent)]
    Export(#[from] ExportError),
    /// A database directory or its log failed.
    #[error(transparent)]
    Database(#[from] DbError),
    /// A row's cell could not be read as the type asked for.
    #[error(transparent)]
    Row(#[from] crate::query::row::RowError),
    /// A value could not be converted to the type asked for.
    #[error(transparent)]
    Value(#[from] crate::graph::ValueError),
    /// A procedure's signature could not be read.
    #[error(transparent)]
    Signature(#[from] crate::query::procedures::SignatureError),
}
