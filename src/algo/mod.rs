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
//! Limits: a projection may carry a deadline, cancel handles and a memory budget
//! ([`Projection::timeout`], [`Projection::cancel_handle`], [`Projection::max_memory`]; the
//! `algo.*` procedures give it their query's). A run checks the first two every 65,536 units
//! of work (a relationship followed, a node visited; for betweenness, every source node) and
//! between iterations, passes, levels and runs, so a cancelled or late run stops within about
//! a millisecond of work per thread; it estimates its working memory (the projection and the
//! algorithm's arrays) before allocating it and refuses to start past the budget. petgraph's
//! `tarjan_scc` and `dijkstra`, which are linear or O(m log n), are checked before and after.
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

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use thiserror::Error;

use crate::graph::NodeId;
use crate::CancelHandle;

pub use centrality::{betweenness, degree, page_rank, PageRankOptions, Ranking};
pub use community::{louvain, modularity, triangle_count, Communities, LouvainOptions};
pub use components::{strongly_connected_components, weakly_connected_components};
pub use paths::dijkstra;

/// Which part of the graph an algorithm sees, and which way its relationships point.
///
/// By default ([`Projection::all`]): every node, every relationship, in its own direction,
/// without limits. A projection may also carry the limits of the runs that use it: a deadline,
/// cancel handles and a memory budget, as a query's builder takes them (they take no part in
/// `==`, which compares what is projected).
///
/// ```
/// use kgraph::algo::{Orientation, Projection};
/// let p = Projection::all()
///     .labels(["Company", "Place"])
///     .types(["LOCATED_IN"])
///     .orientation(Orientation::Undirected);
/// assert_eq!(p.orientation_of(), Orientation::Undirected);
/// ```
#[derive(Clone, Debug, Default)]
pub struct Projection {
    labels: Option<Vec<String>>,
    types: Option<Vec<String>>,
    orientation: Orientation,
    limits: Limits,
}

impl PartialEq for Projection {
    fn eq(&self, other: &Projection) -> bool {
        (&self.labels, &self.types, self.orientation) == (&other.labels, &other.types, other.orientation)
    }
}

/// The limits a projection carries (see [`Projection::timeout`]).
#[derive(Clone, Debug, Default)]
struct Limits {
    deadline: Option<Instant>,
    cancel: Vec<CancelHandle>,
    max_memory: Option<u64>,
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

    /// Stops a run on this projection with [`AlgoError::Timeout`] once `limit` has passed,
    /// counted from this call (as a query's `timeout`). With [`Projection::deadline`] too, the
    /// earliest wins.
    ///
    /// ```
    /// use std::time::Duration;
    /// use kgraph::algo::{self, AlgoError, Projection};
    /// let g = kgraph::Graph::ecosystem()?;
    /// let late = Projection::all().timeout(Duration::ZERO);
    /// assert_eq!(algo::betweenness(&g, &late, true), Err(AlgoError::Timeout));
    /// # Ok::<_, kgraph::Error>(())
    /// ```
    pub fn timeout(self, limit: Duration) -> Projection {
        match Instant::now().checked_add(limit) {
            Some(at) => self.deadline(at),
            None => self,
        }
    }

    /// Stops a run on this projection with [`AlgoError::Timeout`] once the clock passes `at`.
    ///
    /// ```
    /// let p = kgraph::algo::Projection::all().deadline(std::time::Instant::now());
    /// let g = kgraph::Graph::ecosystem()?;
    /// assert!(kgraph::algo::weakly_connected_components(&g, &p).is_err());
    /// # Ok::<_, kgraph::Error>(())
    /// ```
    pub fn deadline(mut self, at: Instant) -> Projection {
        self.limits.deadline = Some(self.limits.deadline.map_or(at, |d| d.min(at)));
        self
    }

    /// Stops a run on this projection with [`AlgoError::Cancelled`] once `handle` (or any
    /// other handle given) is cancelled, from any thread.
    ///
    /// ```
    /// use kgraph::algo::{self, AlgoError, PageRankOptions, Projection};
    /// let g = kgraph::Graph::ecosystem()?;
    /// let h = kgraph::CancelHandle::new();
    /// h.cancel();
    /// let p = Projection::all().cancel_handle(&h);
    /// assert_eq!(algo::page_rank(&g, &p, &PageRankOptions::default()), Err(AlgoError::Cancelled));
    /// # Ok::<_, kgraph::Error>(())
    /// ```
    pub fn cancel_handle(mut self, handle: &CancelHandle) -> Projection {
        self.limits.cancel.push(handle.clone());
        self
    }

    /// The most working memory (estimated: the projection and the algorithm's arrays) a run
    /// on this projection may take; past it the run fails with [`AlgoError::MemoryLimit`]
    /// before allocating. No budget by default.
    ///
    /// ```
    /// use kgraph::algo::{self, AlgoError, Projection};
    /// let g = kgraph::Graph::ecosystem()?;
    /// let err = algo::degree(&g, &Projection::all().max_memory(1_000), None).unwrap_err();
    /// assert!(matches!(err, AlgoError::MemoryLimit { budget: 1_000, .. }));
    /// # Ok::<_, kgraph::Error>(())
    /// ```
    pub fn max_memory(mut self, bytes: u64) -> Projection {
        self.limits.max_memory = Some(bytes);
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
    /// PageRank, Louvain).
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
    /// The weight property names a property that no relationship of the projection has (a
    /// relationship without it weighs 1 when others have it).
    #[error("no relationship of the projection has the weight property {0:?}")]
    UnknownProperty(String),
    /// A cancel handle of the projection was cancelled.
    #[error("the algorithm was cancelled through its CancelHandle")]
    Cancelled,
    /// The projection's deadline passed.
    #[error("the algorithm ran past its deadline")]
    Timeout,
    /// The run's working memory (estimated) would pass the projection's memory budget.
    #[error("{what} would take about {needed} bytes, more than the memory budget of {budget} bytes")]
    MemoryLimit {
        /// What was about to be allocated.
        what: &'static str,
        /// The bytes the run would hold with it.
        needed: u64,
        /// The budget.
        budget: u64,
    },
}

/// The units of work (relationships followed, nodes visited) between two checks of the
/// deadline and the cancel handles.
const CHECK_WORK: u64 = 1 << 16;

/// A run's limits, from its projection: checked as it works, and its working memory counted.
pub(crate) struct Guard<'p> {
    deadline: Option<Instant>,
    cancel: &'p [CancelHandle],
    max_memory: Option<u64>,
    reserved: AtomicU64,
}

impl<'p> Guard<'p> {
    pub(crate) fn new(projection: &'p Projection) -> Guard<'p> {
        let limits = &projection.limits;
        Guard {
            deadline: limits.deadline,
            cancel: &limits.cancel,
            max_memory: limits.max_memory,
            reserved: AtomicU64::new(0),
        }
    }

    /// An error if a cancel handle was cancelled or the deadline has passed.
    pub(crate) fn check(&self) -> Result<(), AlgoError> {
        if self.cancel.iter().any(CancelHandle::is_cancelled) {
            return Err(AlgoError::Cancelled);
        }
        if self.deadline.is_some_and(|d| Instant::now() >= d) {
            return Err(AlgoError::Timeout);
        }
        Ok(())
    }

    /// Counts `bytes` more working memory for `what`; an error past the budget.
    pub(crate) fn reserve(&self, what: &'static str, bytes: u64) -> Result<(), AlgoError> {
        let total = self
            .reserved
            .fetch_add(bytes, Ordering::Relaxed)
            .saturating_add(bytes);
        match self.max_memory {
            Some(budget) if total > budget => Err(AlgoError::MemoryLimit {
                what,
                needed: total,
                budget,
            }),
            _ => Ok(()),
        }
    }

    /// A counter of work that checks the limits every [`CHECK_WORK`] units.
    pub(crate) fn ticker(&self) -> Ticker<'_, 'p> {
        Ticker { guard: self, work: 0 }
    }
}

/// Counts a run's work (one per thread), checking its limits every [`CHECK_WORK`] units.
pub(crate) struct Ticker<'g, 'p> {
    guard: &'g Guard<'p>,
    work: u64,
}

impl Ticker<'_, '_> {
    /// Counts `units` of work.
    #[inline]
    pub(crate) fn add(&mut self, units: usize) -> Result<(), AlgoError> {
        self.work += units as u64;
        if self.work >= CHECK_WORK {
            self.work = 0;
            return self.guard.check();
        }
        Ok(())
    }
}

/// The estimated bytes of `count` values of `T`.
pub(crate) fn bytes_of<T>(count: usize) -> u64 {
    (count as u64).saturating_mul(std::mem::size_of::<T>() as u64)
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
