//! Weighted shortest paths: petgraph's `dijkstra` on a `Csr` of the projection.

use petgraph::csr::Csr;

use super::project::{Compact, Weights};
use super::{bytes_of, AlgoError, Guard, Projection};
use crate::graph::{Graph, NodeId};

/// The length of the shortest path from `source` to every node it reaches in the projection
/// (itself at 0), summing the relationships' `weight` property (missing: 1; `None` weighs
/// each 1; a negative weight is an error); of several relationships between two nodes the
/// lightest counts, as networkx's `single_source_dijkstra_path_length` on a multigraph.
/// In node-id order.
///
/// ```
/// use kgraph::algo::{self, Projection};
/// let mut g = kgraph::Graph::new();
/// let a = g.add_node(&["P"], [("name", "a")])?;
/// let b = g.add_node(&["P"], [("name", "b")])?;
/// let c = g.add_node(&["P"], [("name", "c")])?;
/// g.add_relationship(a, b, "ROAD", [("km", 2.5)])?;
/// g.add_relationship(b, c, "ROAD", [("km", 1)])?;
/// g.add_relationship(a, c, "ROAD", [("km", 9)])?;
/// let d = algo::dijkstra(&g, &Projection::all(), a, Some("km"))?;
/// assert_eq!(d, vec![(a, 0.0), (b, 2.5), (c, 3.5)]);
/// # Ok::<_, Box<dyn std::error::Error>>(())
/// ```
pub fn dijkstra(
    g: &Graph,
    projection: &Projection,
    source: NodeId,
    weight: Option<&str>,
) -> Result<Vec<(NodeId, f64)>, AlgoError> {
    let guard = Guard::new(projection);
    let c = Compact::build(g, projection, &guard)?;
    let start = c
        .local(source)
        .ok_or(AlgoError::NodeNotInProjection(source.index()))?;
    let weights = Weights::new(g, weight, 1.0)?;
    let n = c.len();
    // The weighted pairs, the Csr, petgraph's distances and heap (a hash map entry and a
    // heap entry a node, about 48 bytes), the answer.
    guard.reserve(
        "Dijkstra's graph",
        2 * bytes_of::<(u32, u32, f64)>(c.entries()) + 8 * bytes_of::<u64>(n),
    )?;
    let mut tick = guard.ticker();
    let mut edges: Vec<(u32, u32, f64)> = Vec::with_capacity(c.entries());
    for i in 0..n {
        tick.add(c.targets(i).len() + 1)?;
        let from = edges.len();
        for (&t, &r) in c.targets(i).iter().zip(c.rels(i)) {
            edges.push((i as u32, t, weights.non_negative(r)?));
        }
        // Sorted by target, then weight: the first of each target is the lightest.
        edges[from..].sort_unstable_by(|x, y| x.1.cmp(&y.1).then(x.2.total_cmp(&y.2)));
    }
    weights.finish()?;
    edges.dedup_by_key(|e| (e.0, e.1));
    let mut csr: Csr<(), f64, petgraph::Directed, u32> =
        Csr::from_sorted_edges(&edges).map_err(|_| AlgoError::InvalidOption {
            option: "projection",
            reason: "the relationships could not be sorted".into(),
        })?;
    while csr.node_count() < n {
        csr.add_node(());
    }
    guard.check()?;
    let dist = petgraph::algo::dijkstra(&csr, start, None, |e| *e.weight());
    guard.check()?;
    let mut out: Vec<(NodeId, f64)> = dist.into_iter().map(|(i, d)| (c.ids[i as usize], d)).collect();
    out.sort_unstable_by_key(|&(id, _)| id);
    Ok(out)
}
