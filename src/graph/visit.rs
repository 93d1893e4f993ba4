//! petgraph's visit traits on [`Graph`], so that petgraph's algorithms (`dijkstra`,
//! `kosaraju_scc`, `page_rank`, `Bfs`, `Dfs`, `toposort`, ...) run on a graph, or on a
//! database's committed state, without a copy.
//!
//! Node and edge ids are the graph's [`NodeId`] and [`RelId`]; the graph is directed.
//! Neighbours and edges are read from the adjacency lists (`adjacency.rs`), in the order the
//! relationships were added. Weights are `()`: an algorithm that needs a weight reads it by id,
//! `g.relationship(e.id())?.property("w")`.
//!
//! ```
//! use kgraph::Graph;
//! use petgraph::algo::{dijkstra, kosaraju_scc};
//! use petgraph::visit::EdgeRef;
//! let mut g = Graph::new();
//! let a = g.add_node(&["A"], [("name", "a")])?;
//! let b = g.add_node(&["A"], [("name", "b")])?;
//! let c = g.add_node(&["A"], [("name", "c")])?;
//! g.add_relationship(a, b, "T", [("w", 2)])?;
//! g.add_relationship(b, c, "T", [("w", 3)])?;
//! let cost = |e: kgraph::EdgeReference| {
//!     g.relationship(e.id()).ok().and_then(|r| r.property("w")?.as_int()).unwrap_or(1)
//! };
//! let dist = dijkstra(&g, a, None, cost);
//! assert_eq!(dist[&c], 5);
//! assert_eq!(kosaraju_scc(&g).len(), 3);
//! # Ok::<_, kgraph::GraphError>(())
//! ```

use fixedbitset::FixedBitSet;
use petgraph::visit::{
    Data, EdgeCount, EdgeIndexable, GraphBase, GraphProp, IntoEdgeReferences, IntoEdges, IntoEdgesDirected,
    IntoNeighbors, IntoNeighborsDirected, IntoNodeIdentifiers, NodeCount, NodeIndexable, Visitable,
};
use petgraph::{Directed, Direction as PgDirection};

use super::adjacency::Adj;
use super::id::{NodeId, RelId};
use super::{Graph, NodeData, RelData};

impl GraphBase for Graph {
    type NodeId = NodeId;
    type EdgeId = RelId;
}

impl GraphProp for Graph {
    type EdgeType = Directed;
}

impl Data for Graph {
    type NodeWeight = ();
    type EdgeWeight = ();
}

impl NodeCount for Graph {
    fn node_count(&self) -> usize {
        self.inner.node_count()
    }
}

impl EdgeCount for Graph {
    fn edge_count(&self) -> usize {
        self.inner.edge_count()
    }
}

impl NodeIndexable for Graph {
    fn node_bound(&self) -> usize {
        self.inner.node_bound()
    }
    fn to_index(&self, a: NodeId) -> usize {
        a.index() as usize
    }
    fn from_index(&self, i: usize) -> NodeId {
        NodeId::from_index(i as u32)
    }
}

impl EdgeIndexable for Graph {
    fn edge_bound(&self) -> usize {
        self.inner.edge_bound()
    }
    fn to_index(&self, a: RelId) -> usize {
        a.index() as usize
    }
    fn from_index(&self, i: usize) -> RelId {
        RelId::from_index(i as u32)
    }
}

impl Visitable for Graph {
    type Map = VisitSet;
    fn visit_map(&self) -> VisitSet {
        VisitSet(FixedBitSet::with_capacity(self.inner.node_bound()))
    }
    fn reset_map(&self, map: &mut VisitSet) {
        map.0.clear();
        map.0.grow(self.inner.node_bound());
    }
}

/// The nodes an algorithm has visited: a bit per node slot (petgraph's `Visitable::Map`).
///
/// ```
/// use petgraph::visit::{VisitMap, Visitable};
/// let mut g = kgraph::Graph::new();
/// let a = g.add_node(&["A"], [("k", 1)])?;
/// let mut seen = g.visit_map();
/// assert!(seen.visit(a));
/// assert!(seen.is_visited(&a));
/// # Ok::<_, kgraph::GraphError>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct VisitSet(FixedBitSet);

impl petgraph::visit::VisitMap<NodeId> for VisitSet {
    fn visit(&mut self, a: NodeId) -> bool {
        let i = a.index() as usize;
        if i >= self.0.len() {
            self.0.grow(i + 1);
        }
        !self.0.put(i)
    }
    fn is_visited(&self, a: &NodeId) -> bool {
        self.0.contains(a.index() as usize)
    }
    fn unvisit(&mut self, a: NodeId) -> bool {
        let i = a.index() as usize;
        let was = self.0.contains(i);
        if was {
            self.0.set(i, false);
        }
        was
    }
}

/// One relationship as petgraph's algorithms see it: its id and its two ends, start first.
///
/// ```
/// use petgraph::visit::{EdgeRef, IntoEdgeReferences};
/// let mut g = kgraph::Graph::new();
/// let a = g.add_node(&["A"], [("k", 1)])?;
/// let r = g.add_relationship(a, a, "T", [("k", 1)])?;
/// let e = (&g).edge_references().next().unwrap();
/// assert_eq!((e.id(), e.source(), e.target()), (r, a, a));
/// # Ok::<_, kgraph::GraphError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EdgeReference {
    id: RelId,
    source: NodeId,
    target: NodeId,
}

impl petgraph::visit::EdgeRef for EdgeReference {
    type NodeId = NodeId;
    type EdgeId = RelId;
    type Weight = ();
    fn source(&self) -> NodeId {
        self.source
    }
    fn target(&self) -> NodeId {
        self.target
    }
    fn weight(&self) -> &() {
        &()
    }
    fn id(&self) -> RelId {
        self.id
    }
}

/// The ids of a graph's nodes (petgraph's `IntoNodeIdentifiers`).
///
/// ```
/// use petgraph::visit::IntoNodeIdentifiers;
/// let mut g = kgraph::Graph::new();
/// g.add_node(&["A"], [("k", 1)])?;
/// assert_eq!((&g).node_identifiers().count(), 1);
/// # Ok::<_, kgraph::GraphError>(())
/// ```
pub struct NodeIdentifiers<'a>(petgraph::stable_graph::NodeIndices<'a, NodeData, u32>);

impl Iterator for NodeIdentifiers<'_> {
    type Item = NodeId;
    fn next(&mut self) -> Option<NodeId> {
        self.0.next().map(NodeId::from_ix)
    }
}

/// A node's neighbours in one direction, in the order their relationships were added.
///
/// ```
/// use petgraph::visit::IntoNeighbors;
/// let mut g = kgraph::Graph::new();
/// let a = g.add_node(&["A"], [("k", 1)])?;
/// let b = g.add_node(&["A"], [("k", 2)])?;
/// g.add_relationship(a, b, "T", [("k", 1)])?;
/// assert_eq!((&g).neighbors(a).collect::<Vec<_>>(), [b]);
/// # Ok::<_, kgraph::GraphError>(())
/// ```
pub struct Neighbors<'a>(std::slice::Iter<'a, Adj>);

impl Iterator for Neighbors<'_> {
    type Item = NodeId;
    fn next(&mut self) -> Option<NodeId> {
        self.0.next().map(|a| a.other)
    }
}

/// A node's relationships in one direction (petgraph's `IntoEdges`, `IntoEdgesDirected`).
///
/// ```
/// use petgraph::visit::{EdgeRef, IntoEdgesDirected};
/// use petgraph::Direction;
/// let mut g = kgraph::Graph::new();
/// let a = g.add_node(&["A"], [("k", 1)])?;
/// let b = g.add_node(&["A"], [("k", 2)])?;
/// g.add_relationship(a, b, "T", [("k", 1)])?;
/// let e = (&g).edges_directed(b, Direction::Incoming).next().unwrap();
/// assert_eq!((e.source(), e.target()), (a, b));
/// # Ok::<_, kgraph::GraphError>(())
/// ```
pub struct Edges<'a> {
    node: NodeId,
    outgoing: bool,
    iter: std::slice::Iter<'a, Adj>,
}

impl Iterator for Edges<'_> {
    type Item = EdgeReference;
    fn next(&mut self) -> Option<EdgeReference> {
        let a = self.iter.next()?;
        let (source, target) = if self.outgoing {
            (self.node, a.other)
        } else {
            (a.other, self.node)
        };
        Some(EdgeReference {
            id: a.rel,
            source,
            target,
        })
    }
}

/// Every relationship of a graph, in id order (petgraph's `IntoEdgeReferences`).
///
/// ```
/// use petgraph::visit::IntoEdgeReferences;
/// let g = kgraph::Graph::new();
/// assert_eq!((&g).edge_references().count(), 0);
/// ```
pub struct EdgeReferences<'a>(petgraph::stable_graph::EdgeReferences<'a, RelData, u32>);

impl Iterator for EdgeReferences<'_> {
    type Item = EdgeReference;
    fn next(&mut self) -> Option<EdgeReference> {
        use petgraph::visit::EdgeRef;
        let e = self.0.next()?;
        Some(EdgeReference {
            id: RelId::from_ix(e.id()),
            source: NodeId::from_ix(e.source()),
            target: NodeId::from_ix(e.target()),
        })
    }
}

impl<'a> IntoNodeIdentifiers for &'a Graph {
    type NodeIdentifiers = NodeIdentifiers<'a>;
    fn node_identifiers(self) -> NodeIdentifiers<'a> {
        NodeIdentifiers(self.inner.node_indices())
    }
}

impl<'a> IntoNeighbors for &'a Graph {
    type Neighbors = Neighbors<'a>;
    fn neighbors(self, a: NodeId) -> Neighbors<'a> {
        Neighbors(self.adjacency.outgoing(a).iter())
    }
}

impl<'a> IntoNeighborsDirected for &'a Graph {
    type NeighborsDirected = Neighbors<'a>;
    fn neighbors_directed(self, a: NodeId, d: PgDirection) -> Neighbors<'a> {
        match d {
            PgDirection::Outgoing => Neighbors(self.adjacency.outgoing(a).iter()),
            PgDirection::Incoming => Neighbors(self.adjacency.incoming(a).iter()),
        }
    }
}

impl<'a> IntoEdgeReferences for &'a Graph {
    type EdgeRef = EdgeReference;
    type EdgeReferences = EdgeReferences<'a>;
    fn edge_references(self) -> EdgeReferences<'a> {
        EdgeReferences(self.inner.edge_references())
    }
}

impl<'a> IntoEdges for &'a Graph {
    type Edges = Edges<'a>;
    fn edges(self, a: NodeId) -> Edges<'a> {
        Edges {
            node: a,
            outgoing: true,
            iter: self.adjacency.outgoing(a).iter(),
        }
    }
}

impl<'a> IntoEdgesDirected for &'a Graph {
    type EdgesDirected = Edges<'a>;
    fn edges_directed(self, a: NodeId, d: PgDirection) -> Edges<'a> {
        let outgoing = d == PgDirection::Outgoing;
        let list = if outgoing {
            self.adjacency.outgoing(a)
        } else {
            self.adjacency.incoming(a)
        };
        Edges {
            node: a,
            outgoing,
            iter: list.iter(),
        }
    }
}
