//! Stable identifiers of nodes and relationships.

use std::fmt;

use petgraph::stable_graph::{EdgeIndex, NodeIndex};
use serde::{Deserialize, Serialize};

/// The id of a node. It stays valid, and keeps naming the same node, when other nodes or
/// relationships are removed; the id of a removed node may be reused by a later node.
///
/// ```
/// use kgraph::{Graph, NodeId};
/// let mut g = Graph::new();
/// let a = g.add_node(&["Company"], [("name", "A")])?;
/// let b = g.add_node(&["Company"], [("name", "B")])?;
/// g.remove_node(a)?;
/// assert_eq!(g.node(b)?.property("name"), Some(&"B".into()));
/// assert_eq!(b, NodeId::from_index(b.index()));
/// # Ok::<_, kgraph::GraphError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize, Deserialize)]
#[serde(transparent)]
pub struct NodeId(u32);

/// The id of a relationship; stable in the same way as [`NodeId`].
///
/// ```
/// use kgraph::Graph;
/// let mut g = Graph::new();
/// let a = g.add_node(&["Company"], [("name", "A")])?;
/// let b = g.add_node(&["Place"], [("name", "B")])?;
/// let r = g.add_relationship(a, b, "LOCATED_IN", [("source", "doc")])?;
/// assert_eq!(g.relationship(r)?.end(), b);
/// # Ok::<_, kgraph::GraphError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RelId(u32);

impl NodeId {
    /// The id with this raw index (what [`NodeId::index`] returns).
    ///
    /// ```
    /// assert_eq!(kgraph::NodeId::from_index(4).index(), 4);
    /// ```
    pub fn from_index(index: u32) -> NodeId {
        NodeId(index)
    }

    /// The raw index of the id.
    ///
    /// ```
    /// assert_eq!(kgraph::NodeId::from_index(4).index(), 4);
    /// ```
    pub fn index(self) -> u32 {
        self.0
    }

    pub(crate) fn ix(self) -> NodeIndex<u32> {
        NodeIndex::new(self.0 as usize)
    }

    pub(crate) fn from_ix(ix: NodeIndex<u32>) -> NodeId {
        NodeId(ix.index() as u32)
    }
}

impl RelId {
    /// The id with this raw index (what [`RelId::index`] returns).
    ///
    /// ```
    /// assert_eq!(kgraph::RelId::from_index(4).index(), 4);
    /// ```
    pub fn from_index(index: u32) -> RelId {
        RelId(index)
    }

    /// The raw index of the id.
    ///
    /// ```
    /// assert_eq!(kgraph::RelId::from_index(4).index(), 4);
    /// ```
    pub fn index(self) -> u32 {
        self.0
    }

    pub(crate) fn ix(self) -> EdgeIndex<u32> {
        EdgeIndex::new(self.0 as usize)
    }

    pub(crate) fn from_ix(ix: EdgeIndex<u32>) -> RelId {
        RelId(ix.index() as u32)
    }
}

impl fmt::Display for NodeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "n{}", self.0)
    }
}

impl fmt::Display for RelId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "r{}", self.0)
    }
}
