//! Connected components, weak (union-find) and strong (petgraph's `tarjan_scc`).

use petgraph::csr::Csr;

use super::project::Compact;
use super::{bytes_of, AlgoError, Guard, Projection};
use crate::graph::{Graph, NodeId};

/// Each node of the projection with its weakly connected component (relationships followed
/// either way), named by the component's smallest node id; in node-id order.
///
/// ```
/// use kgraph::algo::{self, Projection};
/// let mut g = kgraph::Graph::new();
/// let a = g.add_node(&["P"], [("name", "a")])?;
/// let b = g.add_node(&["P"], [("name", "b")])?;
/// let c = g.add_node(&["P"], [("name", "c")])?;
/// g.add_relationship(b, a, "T", [("k", 1)])?;
/// let wcc = algo::weakly_connected_components(&g, &Projection::all())?;
/// assert_eq!(wcc, vec![(a, a), (b, a), (c, c)]);
/// # Ok::<_, Box<dyn std::error::Error>>(())
/// ```
pub fn weakly_connected_components(
    g: &Graph,
    projection: &Projection,
) -> Result<Vec<(NodeId, NodeId)>, AlgoError> {
    let guard = Guard::new(projection);
    let c = Compact::build(g, projection, &guard)?;
    guard.reserve(
        "the components",
        bytes_of::<u32>(c.len()) + bytes_of::<(NodeId, NodeId)>(c.len()),
    )?;
    let mut tick = guard.ticker();
    let mut parent: Vec<u32> = (0..c.len() as u32).collect();
    fn root(parent: &mut [u32], mut x: u32) -> u32 {
        while parent[x as usize] != x {
            let up = parent[parent[x as usize] as usize];
            parent[x as usize] = up;
            x = up;
        }
        x
    }
    for &(s, t, _) in &c.edges {
        tick.add(1)?;
        let (a, b) = (root(&mut parent, s), root(&mut parent, t));
        // The smaller local number (so the smaller node id) becomes the root.
        if a < b {
            parent[b as usize] = a;
        } else if b < a {
            parent[a as usize] = b;
        }
    }
    Ok((0..c.len())
        .map(|i| {
            let r = root(&mut parent, i as u32);
            (c.ids[i], c.ids[r as usize])
        })
        .collect())
}

/// Each node of the projection with its strongly connected component (in the projection's
/// orientation; an undirected projection gives the weak components), named by the
/// component's smallest node id; in node-id order. petgraph's `tarjan_scc` runs on a
/// `Csr` of the projection.
///
/// ```
/// use kgraph::algo::{self, Projection};
/// let mut g = kgraph::Graph::new();
/// let a = g.add_node(&["P"], [("name", "a")])?;
/// let b = g.add_node(&["P"], [("name", "b")])?;
/// let c = g.add_node(&["P"], [("name", "c")])?;
/// g.add_relationship(a, b, "T", [("k", 1)])?;
/// g.add_relationship(b, a, "T", [("k", 1)])?;
/// g.add_relationship(b, c, "T", [("k", 1)])?;
/// let scc = algo::strongly_connected_components(&g, &Projection::all())?;
/// assert_eq!(scc, vec![(a, a), (b, a), (c, c)]);
/// # Ok::<_, Box<dyn std::error::Error>>(())
/// ```
pub fn strongly_connected_components(
    g: &Graph,
    projection: &Projection,
) -> Result<Vec<(NodeId, NodeId)>, AlgoError> {
    let guard = Guard::new(projection);
    let c = Compact::build(g, projection, &guard)?;
    let n = c.len();
    // The pairs, the Csr (offsets and targets), tarjan_scc's state (about four words a
    // node), the answer.
    guard.reserve(
        "the strongly connected components",
        2 * bytes_of::<(u32, u32)>(c.entries()) + 8 * bytes_of::<u64>(n),
    )?;
    let mut tick = guard.ticker();
    let mut pairs: Vec<(u32, u32)> = Vec::with_capacity(c.entries());
    for i in 0..n {
        tick.add(c.targets(i).len() + 1)?;
        let start = pairs.len();
        pairs.extend(c.targets(i).iter().map(|&t| (i as u32, t)));
        pairs[start..].sort_unstable();
    }
    pairs.dedup();
    let csr: Csr<(), (), petgraph::Directed, u32> =
        Csr::from_sorted_edges(&pairs).map_err(|_| AlgoError::InvalidOption {
            option: "projection",
            reason: "the relationships could not be sorted".into(),
        })?;
    // `from_sorted_edges` makes as many nodes as the largest endpoint needs: add the rest.
    let mut csr = csr;
    while csr.node_count() < n {
        csr.add_node(());
    }
    guard.check()?;
    let mut component = vec![0u32; n];
    for members in petgraph::algo::tarjan_scc(&csr) {
        let smallest = members.iter().copied().min().unwrap_or(0);
        for m in members {
            component[m as usize] = smallest;
        }
    }
    Ok((0..n).map(|i| (c.ids[i], c.ids[component[i] as usize])).collect())
}
