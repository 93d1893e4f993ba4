//! Communities (Louvain), modularity and triangles: all on the projection taken as
//! undirected, whatever its orientation.

use std::collections::HashMap;

use super::project::{Compact, Weights};
use super::{bytes_of, check_range, AlgoError, Guard, Projection, Ticker};
use crate::graph::{Graph, NodeId};

/// The options of [`louvain`].
///
/// ```
/// let o = kgraph::algo::LouvainOptions::default();
/// assert_eq!((o.resolution, o.max_levels, o.tolerance, o.runs, o.seed), (1.0, 10, 1e-7, 4, 42));
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct LouvainOptions {
    /// A relationship property that weighs it (missing: 1); `None` weighs each 1. Weights
    /// must not be negative.
    pub weight: Option<String>,
    /// Above 1 favours smaller communities, below 1 larger ones (networkx's `resolution`).
    pub resolution: f64,
    /// The most levels of aggregation (at least 1).
    pub max_levels: u32,
    /// A level that raises the modularity by no more than this ends the algorithm
    /// (networkx's `threshold`).
    pub tolerance: f64,
    /// How many times to run, keeping the partition of highest modularity: the first run
    /// visits the nodes in node-id order, the others in orders shuffled from `seed`. Louvain
    /// finds a local optimum that depends on the order; more runs find a better one more
    /// often, at a cost proportional to their number.
    pub runs: u32,
    /// The seed of the shuffled orders.
    pub seed: u64,
}

impl Default for LouvainOptions {
    fn default() -> LouvainOptions {
        LouvainOptions {
            weight: None,
            resolution: 1.0,
            max_levels: 10,
            tolerance: 1e-7,
            runs: 4,
            seed: 42,
        }
    }
}

/// Communities found by [`louvain`].
///
/// ```
/// use kgraph::algo::{self, Projection};
/// let c = algo::louvain(&kgraph::Graph::new(), &Projection::all(), &Default::default())?;
/// assert!(c.assignment.is_empty());
/// # Ok::<_, kgraph::algo::AlgoError>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Communities {
    /// Each node of the projection with its community, named by the community's smallest
    /// node id; in node-id order.
    pub assignment: Vec<(NodeId, NodeId)>,
    /// The modularity of the partition (as [`modularity`] computes it).
    pub modularity: f64,
    /// The levels of aggregation run.
    pub levels: u32,
}

/// The projection as an undirected weighted simple graph: merged weights between distinct
/// nodes (each pair in both lists) and self-loop weights.
struct Undirected {
    adj: Vec<Vec<(u32, f64)>>,
    self_w: Vec<f64>,
}

impl Undirected {
    fn from(c: &Compact, weights: &Weights<'_>, guard: &Guard<'_>) -> Result<Undirected, AlgoError> {
        let n = c.len();
        // The hash maps (about 32 bytes an entry with their slack) while the lists are
        // made, the lists, the self-loops.
        guard.reserve(
            "the undirected graph",
            2 * bytes_of::<[u64; 2]>(c.edges.len()) * 3
                + bytes_of::<Vec<u32>>(n)
                + bytes_of::<HashMap<u32, f64>>(n),
        )?;
        let mut tick = guard.ticker();
        let mut maps: Vec<HashMap<u32, f64>> = vec![HashMap::new(); n];
        let mut self_w = vec![0.0; n];
        for &(s, t, rel) in &c.edges {
            tick.add(1)?;
            let w = weights.non_negative(rel)?;
            if s == t {
                self_w[s as usize] += w;
            } else {
                *maps[s as usize].entry(t).or_default() += w;
                *maps[t as usize].entry(s).or_default() += w;
            }
        }
        weights.finish()?;
        let adj = sorted_lists(maps);
        Ok(Undirected { adj, self_w })
    }

    fn len(&self) -> usize {
        self.adj.len()
    }

    /// Each node's weighted degree (a self-loop counts twice).
    fn degrees(&self) -> Vec<f64> {
        self.adj
            .iter()
            .zip(&self.self_w)
            .map(|(a, s)| a.iter().map(|&(_, w)| w).sum::<f64>() + 2.0 * s)
            .collect()
    }

    /// networkx's modularity of the partition `comm` (a community number per node).
    fn modularity(&self, comm: &[u32], resolution: f64) -> f64 {
        let k = self.degrees();
        let m2: f64 = k.iter().sum();
        if m2 == 0.0 {
            return 0.0;
        }
        let m = m2 / 2.0;
        let groups = comm.iter().copied().max().map_or(0, |c| c as usize + 1);
        let mut inside = vec![0.0; groups];
        let mut degree = vec![0.0; groups];
        for i in 0..self.len() {
            let c = comm[i] as usize;
            degree[c] += k[i];
            inside[c] += self.self_w[i];
            for &(j, w) in &self.adj[i] {
                if comm[j as usize] as usize == c && (j as usize) > i {
                    inside[c] += w;
                }
            }
        }
        inside
            .iter()
            .zip(&degree)
            .map(|(l, d)| l / m - resolution * (d / m2) * (d / m2))
            .sum()
    }

    /// One level of local moves from singletons; the community of each node (renumbered
    /// `0..k`), or `None` if no node moved.
    fn local_moves(
        &self,
        resolution: f64,
        order: &[u32],
        tick: &mut Ticker<'_, '_>,
    ) -> Result<Option<Vec<u32>>, AlgoError> {
        let n = self.len();
        let k = self.degrees();
        let m2: f64 = k.iter().sum();
        if m2 == 0.0 {
            return Ok(None);
        }
        let mut comm: Vec<u32> = (0..n as u32).collect();
        let mut tot = k.clone();
        let mut to_comm = vec![0.0f64; n];
        let mut touched: Vec<u32> = Vec::new();
        let mut any_move = false;
        for _pass in 0..1000 {
            let mut moved = false;
            for &i in order {
                let i = i as usize;
                tick.add(self.adj[i].len() + 1)?;
                for &(j, w) in &self.adj[i] {
                    let c = comm[j as usize];
                    if to_comm[c as usize] == 0.0 {
                        touched.push(c);
                    }
                    to_comm[c as usize] += w;
                }
                let own = comm[i];
                tot[own as usize] -= k[i];
                let gain = |c: u32, to: f64| to - resolution * tot[c as usize] * k[i] / m2;
                let mut best = own;
                let mut best_gain = gain(own, to_comm[own as usize]);
                for &c in &touched {
                    let g = gain(c, to_comm[c as usize]);
                    if g > best_gain + 1e-12 {
                        best = c;
                        best_gain = g;
                    }
                }
                tot[best as usize] += k[i];
                if best != own {
                    comm[i] = best;
                    moved = true;
                    any_move = true;
                }
                for &c in &touched {
                    to_comm[c as usize] = 0.0;
                }
                touched.clear();
            }
            if !moved {
                break;
            }
        }
        if !any_move {
            return Ok(None);
        }
        let mut number = vec![u32::MAX; n];
        let mut next = 0;
        for c in comm.iter_mut() {
            if number[*c as usize] == u32::MAX {
                number[*c as usize] = next;
                next += 1;
            }
            *c = number[*c as usize];
        }
        Ok(Some(comm))
    }

    /// The graph of the communities `comm`.
    fn aggregate(&self, comm: &[u32], tick: &mut Ticker<'_, '_>) -> Result<Undirected, AlgoError> {
        let groups = comm.iter().copied().max().map_or(0, |c| c as usize + 1);
        let mut maps: Vec<HashMap<u32, f64>> = vec![HashMap::new(); groups];
        let mut self_w = vec![0.0; groups];
        for i in 0..self.len() {
            tick.add(self.adj[i].len() + 1)?;
            let ci = comm[i];
            self_w[ci as usize] += self.self_w[i];
            for &(j, w) in &self.adj[i] {
                let cj = comm[j as usize];
                if ci == cj {
                    // Each pair is in both lists: half from each side.
                    self_w[ci as usize] += w / 2.0;
                } else {
                    *maps[ci as usize].entry(cj).or_default() += w;
                }
            }
        }
        let adj = sorted_lists(maps);
        Ok(Undirected { adj, self_w })
    }
}

/// Each node's neighbours and weights, sorted by neighbour.
fn sorted_lists(maps: Vec<HashMap<u32, f64>>) -> Vec<Vec<(u32, f64)>> {
    maps.into_iter()
        .map(|m| {
            let mut v: Vec<(u32, f64)> = m.into_iter().collect();
            v.sort_unstable_by_key(|&(j, _)| j);
            v
        })
        .collect()
}

/// Louvain community detection on the projection taken as undirected (several relationships
/// between two nodes add their weights; a self-loop counts as in networkx's modularity).
/// Nodes are visited in node-id order, so the result is deterministic; networkx shuffles them
/// with its seed, so the two partitions may differ while their modularities stay close.
///
/// ```
/// use kgraph::algo::{self, Projection};
/// let mut g = kgraph::Graph::new();
/// let mut ids = Vec::new();
/// for i in 0..6 {
///     ids.push(g.add_node(&["P"], [("i", i)])?);
/// }
/// // Two triangles joined by one relationship.
/// for (a, b) in [(0, 1), (1, 2), (2, 0), (3, 4), (4, 5), (5, 3), (2, 3)] {
///     g.add_relationship(ids[a], ids[b], "T", [("k", 1)])?;
/// }
/// let c = algo::louvain(&g, &Projection::all(), &Default::default())?;
/// assert_eq!(c.assignment[1].1, ids[0]);
/// assert_eq!(c.assignment[4].1, ids[3]);
/// assert!((c.modularity - 5.0 / 14.0).abs() < 1e-12);
/// # Ok::<_, Box<dyn std::error::Error>>(())
/// ```
pub fn louvain(
    g: &Graph,
    projection: &Projection,
    options: &LouvainOptions,
) -> Result<Communities, AlgoError> {
    check_range("resolution", options.resolution, 0.0..=f64::MAX)?;
    check_range("tolerance", options.tolerance, 0.0..=f64::MAX)?;
    if options.runs == 0 {
        return Err(AlgoError::InvalidOption {
            option: "runs",
            reason: "at least one run is needed".into(),
        });
    }
    if options.max_levels == 0 {
        return Err(AlgoError::InvalidOption {
            option: "maxLevels",
            reason: "at least one level is needed".into(),
        });
    }
    let guard = Guard::new(projection);
    let c = Compact::build(g, projection, &guard)?;
    let weights = Weights::new(g, options.weight.as_deref(), 1.0)?;
    let base = Undirected::from(&c, &weights, &guard)?;
    // A level's arrays (community, totals, weights to each community, the order; about
    // 40 bytes a node) and the graph of its communities, no larger than the first; the
    // best partition so far.
    guard.reserve(
        "Louvain's levels",
        10 * bytes_of::<u64>(base.len()) + 2 * bytes_of::<(u32, f64)>(c.edges.len()),
    )?;
    let mut best: Option<(Vec<u32>, f64, u32)> = None;
    let mut rng = SplitMix(options.seed);
    for run in 0..options.runs {
        guard.check()?;
        let (partition, q, levels) = louvain_run(
            &base,
            options,
            if run == 0 { None } else { Some(&mut rng) },
            &guard,
        )?;
        if best.as_ref().is_none_or(|b| q > b.1 + 1e-12) {
            best = Some((partition, q, levels));
        }
    }
    let (partition, modularity, levels) = best.unwrap_or_default();
    Ok(Communities {
        assignment: name_by_smallest(&c.ids, &partition),
        modularity,
        levels,
    })
}

/// One run of Louvain: the community of each node, the modularity, the levels run. Nodes are
/// visited in order, or in orders shuffled by `rng`.
fn louvain_run(
    base: &Undirected,
    options: &LouvainOptions,
    mut rng: Option<&mut SplitMix>,
    guard: &Guard<'_>,
) -> Result<(Vec<u32>, f64, u32), AlgoError> {
    let mut tick = guard.ticker();
    let n = base.len();
    let mut of_node: Vec<u32> = (0..n as u32).collect();
    let mut quality = base.modularity(&of_node, options.resolution);
    let mut level_graph = None::<Undirected>;
    let mut levels = 0;
    while levels < options.max_levels {
        guard.check()?;
        let current = level_graph.as_ref().unwrap_or(base);
        let mut order: Vec<u32> = (0..current.len() as u32).collect();
        if let Some(rng) = rng.as_deref_mut() {
            rng.shuffle(&mut order);
        }
        let Some(comm) = current.local_moves(options.resolution, &order, &mut tick)? else {
            break;
        };
        let next: Vec<u32> = of_node.iter().map(|&c| comm[c as usize]).collect();
        let q = base.modularity(&next, options.resolution);
        if q - quality <= options.tolerance {
            // networkx stops here too, keeping the partition of this level if it is better.
            if q > quality {
                of_node = next;
                quality = q;
                levels += 1;
            }
            break;
        }
        let aggregated = current.aggregate(&comm, &mut tick)?;
        of_node = next;
        quality = q;
        levels += 1;
        level_graph = Some(aggregated);
    }
    Ok((of_node, quality, levels))
}

/// A small, fast, seedable generator (SplitMix64) for the shuffled visiting orders.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Fisher-Yates.
    fn shuffle(&mut self, items: &mut [u32]) {
        for i in (1..items.len()).rev() {
            let j = (self.next() % (i as u64 + 1)) as usize;
            items.swap(i, j);
        }
    }
}

/// Names each community by its smallest node id.
fn name_by_smallest(ids: &[NodeId], comm: &[u32]) -> Vec<(NodeId, NodeId)> {
    let groups = comm.iter().copied().max().map_or(0, |c| c as usize + 1);
    let mut first: Vec<Option<NodeId>> = vec![None; groups];
    for (i, &c) in comm.iter().enumerate() {
        first[c as usize].get_or_insert(ids[i]);
    }
    comm.iter()
        .enumerate()
        .map(|(i, &c)| (ids[i], first[c as usize].unwrap_or(ids[i])))
        .collect()
}

/// The modularity (networkx's `modularity`, resolution 1) of a partition of the projection
/// taken as undirected: `assignment` gives each node a community key; a node without one is
/// a community of its own, and a node outside the projection is ignored.
///
/// ```
/// use kgraph::algo::{self, Projection};
/// let mut g = kgraph::Graph::new();
/// let a = g.add_node(&["P"], [("i", 1)])?;
/// let b = g.add_node(&["P"], [("i", 2)])?;
/// g.add_relationship(a, b, "T", [("k", 1)])?;
/// let together = algo::modularity(&g, &Projection::all(), None, &[(a, a), (b, a)])?;
/// let apart = algo::modularity(&g, &Projection::all(), None, &[(a, a), (b, b)])?;
/// assert_eq!((together, apart), (0.0, -0.5));
/// # Ok::<_, Box<dyn std::error::Error>>(())
/// ```
pub fn modularity(
    g: &Graph,
    projection: &Projection,
    weight: Option<&str>,
    assignment: &[(NodeId, NodeId)],
) -> Result<f64, AlgoError> {
    let guard = Guard::new(projection);
    let c = Compact::build(g, projection, &guard)?;
    let base = Undirected::from(&c, &Weights::new(g, weight, 1.0)?, &guard)?;
    let mut key_of: Vec<Option<NodeId>> = vec![None; c.len()];
    for &(node, key) in assignment {
        if let Some(i) = c.local(node) {
            key_of[i as usize] = Some(key);
        }
    }
    let mut numbers: HashMap<NodeId, u32> = HashMap::new();
    let mut next = 0u32;
    let mut comm = Vec::with_capacity(c.len());
    for key in key_of {
        let number = match key {
            Some(k) => *numbers.entry(k).or_insert_with(|| {
                next += 1;
                next - 1
            }),
            // A node without a key is a community of its own.
            None => {
                next += 1;
                next - 1
            }
        };
        comm.push(number);
    }
    Ok(base.modularity(&comm, 1.0))
}

/// The number of triangles each node is part of, in the projection taken as an undirected
/// simple graph (direction, parallel relationships and self-loops ignored, as networkx's
/// `triangles` on a `Graph`); in node-id order.
///
/// ```
/// use kgraph::algo::{self, Projection};
/// let mut g = kgraph::Graph::new();
/// let a = g.add_node(&["P"], [("i", 1)])?;
/// let b = g.add_node(&["P"], [("i", 2)])?;
/// let c = g.add_node(&["P"], [("i", 3)])?;
/// let d = g.add_node(&["P"], [("i", 4)])?;
/// for (x, y) in [(a, b), (b, c), (c, a), (c, d)] {
///     g.add_relationship(x, y, "T", [("k", 1)])?;
/// }
/// let t = algo::triangle_count(&g, &Projection::all())?;
/// assert_eq!(t, vec![(a, 1), (b, 1), (c, 1), (d, 0)]);
/// # Ok::<_, Box<dyn std::error::Error>>(())
/// ```
pub fn triangle_count(g: &Graph, projection: &Projection) -> Result<Vec<(NodeId, u64)>, AlgoError> {
    let guard = Guard::new(projection);
    let c = Compact::build(g, projection, &guard)?;
    let n = c.len();
    // Both neighbour lists, the forward lists, the counts and marks.
    guard.reserve(
        "the triangle counts",
        2 * bytes_of::<Vec<u32>>(n) + 4 * bytes_of::<u32>(c.edges.len()) + 2 * bytes_of::<u64>(n),
    )?;
    let mut tick = guard.ticker();
    let mut adj: Vec<Vec<u32>> = vec![Vec::new(); n];
    for &(s, t, _) in &c.edges {
        tick.add(1)?;
        if s != t {
            adj[s as usize].push(t);
            adj[t as usize].push(s);
        }
    }
    for a in &mut adj {
        a.sort_unstable();
        a.dedup();
    }
    // Orient each edge from the lower to the higher rank (degree, then number): every
    // triangle is found once, from its lowest-ranked node.
    let rank = |v: u32| (adj[v as usize].len(), v);
    let forward: Vec<Vec<u32>> = (0..n as u32)
        .map(|v| {
            adj[v as usize]
                .iter()
                .copied()
                .filter(|&w| rank(w) > rank(v))
                .collect()
        })
        .collect();
    let mut count = vec![0u64; n];
    let mut mark = vec![false; n];
    for u in 0..n {
        tick.add(forward[u].len() + 1)?;
        for &w in &forward[u] {
            mark[w as usize] = true;
        }
        for &v in &forward[u] {
            tick.add(forward[v as usize].len())?;
            for &w in &forward[v as usize] {
                if mark[w as usize] {
                    count[u] += 1;
                    count[v as usize] += 1;
                    count[w as usize] += 1;
                }
            }
        }
        for &w in &forward[u] {
            mark[w as usize] = false;
        }
    }
    Ok(c.ids.iter().copied().zip(count).collect())
}
