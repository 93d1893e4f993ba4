//! Graph algorithms over the whole graph or a projection of it: PageRank, weakly and strongly
//! connected components, Louvain communities and modularity, betweenness and degree
//! centrality, triangle counts and weighted shortest paths (Dijkstra).
//!
//! Each function takes a [`Projection`] (which labels, which relationship types, which
//! orientation) and reads the graph through it into a compact form (`project.rs`: the
//! selected nodes numbered `0..n`, their relationships as offset arrays), runs on that, and
//! answers by [`NodeId`], in node-id order. In Cypher they are the `algo.*` procedures
//! (`CALL algo.pageRank({}) YIELD node, score`).
//!
//! Architecture invariants:
//! - This layer reads the graph and knows nothing of queries; the procedures that call it
//!   (`query/algo_procedures.rs`) turn their configuration maps into these options.
//! - Results agree with networkx's (tests/algorithms.rs checks them against fixtures that
//!   `tests/algorithms/make_fixtures.py` computed with networkx): the semantics of multiple
//!   relationships between two nodes and of self-loops follow networkx's, as each function
//!   says.
//! - petgraph's algorithms run where they serve: strongly connected components
//!   (`tarjan_scc`) and Dijkstra (`dijkstra`), on a petgraph `Csr` of the projection.
//!   PageRank, components, Louvain, betweenness and triangles are written here, on the offset
//!   arrays: petgraph's `page_rank` is quadratic in the node count.
//!
//! Cost model: projecting reads every relationship once, O(n + m) time and memory (about
//! 12 bytes per relationship and direction); PageRank is O(m) per iteration; components and
//! degrees O(n + m); Louvain O(m) per pass; betweenness O(n m) (Brandes); triangles
//! O(m^1.5); Dijkstra O(m log n).
//!
//! ```
//! use kgraph::algo::{self, Projection};
//! let g = kgraph::Graph::ecosystem()?;
//! let ranks = algo::page_rank(&g, &Projection::all(), &algo::PageRankOptions::default())?;
//! let (top, _) = ranks.scores.iter().max_by(|a, b| a.1.total_cmp(&b.1)).copied().unwrap();
//! assert!(g.node(top)?.property("name").is_some());
//! # Ok::<_, Box<dyn std::error::Error>>(())
//! ```

mod centrality;
mod community;
mod components;
mod paths;
mod project;

use thiserror::Error;

use crate::graph::NodeId;

pub use centrality::{betweenness, degree, page_rank, PageRankOptions, Ranking};
pub use community::{louvain, modularity, triangle_count, Communities, LouvainOptions};
pub use components::{strongly_connected_components, weakly_connected_components};
pub use paths::dijkstra;

/// Which part of the graph an algorithm sees, and which way its relationships point.
///
/// By default ([`Projection::all`]): every node, every relationship, in its own direction.
///
/// ```
/// use kgraph::algo::{Orientation, Projection};
/// let p = Projection::all()
///     .labels(["Company", "Place"])
///     .types(["LOCATED_IN"])
///     .orientation(Orientation::Undirected);
/// assert_eq!(p.orientation_of(), Orientation::Undirected);
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Projection {
    labels: Option<Vec<String>>,
    types: Option<Vec<String>>,
    orientation: Orientation,
}

/// Which way a projection's relationships point.
///
/// ```
/// assert_eq!(kgraph::algo::Orientation::default(), kgraph::algo::Orientation::Natural);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Orientation {
    /// From start node to end node, as stored.
    #[default]
    Natural,
    /// From end node to start node.
    Reverse,
    /// Both ways.
    Undirected,
}

impl Projection {
    /// Every node and relationship, in its natural direction.
    ///
    /// ```
    /// assert_eq!(kgraph::algo::Projection::all(), kgraph::algo::Projection::default());
    /// ```
    pub fn all() -> Projection {
        Projection::default()
    }

    /// Only nodes with at least one of these labels (and the relationships between them).
    /// A label no node carries is an [`AlgoError::UnknownLabel`] when the projection is
    /// used.
    ///
    /// ```
    /// let p = kgraph::algo::Projection::all().labels(["Company"]);
    /// assert_ne!(p, kgraph::algo::Projection::all());
    /// ```
    pub fn labels<S: Into<String>>(mut self, labels: impl IntoIterator<Item = S>) -> Projection {
        self.labels = Some(labels.into_iter().map(Into::into).collect());
        self
    }

    /// Only relationships of one of these types. A type no relationship has is an
    /// [`AlgoError::UnknownType`] when the projection is used.
    ///
    /// ```
    /// let p = kgraph::algo::Projection::all().types(["SIGNS_WITH", "INVESTS_IN"]);
    /// assert_ne!(p, kgraph::algo::Projection::all());
    /// ```
    pub fn types<S: Into<String>>(mut self, types: impl IntoIterator<Item = S>) -> Projection {
        self.types = Some(types.into_iter().map(Into::into).collect());
        self
    }

    /// Which way the relationships point.
    ///
    /// ```
    /// use kgraph::algo::{Orientation, Projection};
    /// assert_eq!(Projection::all().orientation(Orientation::Reverse).orientation_of(), Orientation::Reverse);
    /// ```
    pub fn orientation(mut self, orientation: Orientation) -> Projection {
        self.orientation = orientation;
        self
    }

    /// The orientation set.
    ///
    /// ```
    /// assert_eq!(kgraph::algo::Projection::all().orientation_of(), kgraph::algo::Orientation::Natural);
    /// ```
    pub fn orientation_of(&self) -> Orientation {
        self.orientation
    }
}

/// Why an algorithm could not run.
///
/// ```
/// use kgraph::algo::{self, AlgoError, Projection};
/// let g = kgraph::Graph::ecosystem()?;
/// let err = algo::weakly_connected_components(&g, &Projection::all().labels(["Planet"])).unwrap_err();
/// assert!(matches!(err, AlgoError::UnknownLabel(ref l) if l == "Planet"));
/// # Ok::<_, kgraph::Error>(())
/// ```
#[derive(Debug, Error, Clone, PartialEq)]
#[non_exhaustive]
pub enum AlgoError {
    /// The projection names a label that no node carries.
    #[error("no node has the label {0:?}")]
    UnknownLabel(String),
    /// The projection names a relationship type that no relationship has.
    #[error("no relationship has the type {0:?}")]
    UnknownType(String),
    /// A relationship's weight property is not a number (or is NaN or infinite).
    #[error("relationship {rel} has {key} = {value}, not a finite number")]
    NotANumber {
        /// The relationship's id.
        rel: u32,
        /// The weight property.
        key: String,
        /// The value found, as Cypher prints it.
        value: String,
    },
    /// A weight is negative where the algorithm needs weights of zero or more (Dijkstra,
    /// Louvain).
    #[error("relationship {rel} has the negative weight {key} = {value}")]
    NegativeWeight {
        /// The relationship's id.
        rel: u32,
        /// The weight property.
        key: String,
        /// The weight.
        value: f64,
    },
    /// The source node of a path search is not in the projection (deleted, or without the
    /// projection's labels).
    #[error("node {0} is not in the projection")]
    NodeNotInProjection(u32),
    /// An option is out of its range.
    #[error("{option}: {reason}")]
    InvalidOption {
        /// The option's name.
        option: &'static str,
        /// What is wrong with it.
        reason: String,
    },
}

/// Checks that a finite option lies in `range`.
fn check_range(
    option: &'static str,
    value: f64,
    range: std::ops::RangeInclusive<f64>,
) -> Result<(), AlgoError> {
    if value.is_finite() && range.contains(&value) {
        Ok(())
    } else {
        Err(AlgoError::InvalidOption {
            option,
            reason: format!("{value} is not within {}..={}", range.start(), range.end()),
        })
    }
}

/// The nodes of a projection with one value each, in node-id order.
fn by_node<T: Copy>(ids: &[NodeId], values: &[T]) -> Vec<(NodeId, T)> {
    ids.iter().copied().zip(values.iter().copied()).collect()
}
