//! How central each node is: PageRank, degree and betweenness.

use super::project::{Compact, Weights};
use super::{by_node, bytes_of, check_range, AlgoError, Guard, Orientation, Projection};
use crate::graph::{Graph, NodeId};

/// The options of [`page_rank`]; the defaults are networkx's (`alpha=0.85`,
/// `max_iter=100`, `tol=1e-06` there; a tighter `1e-10` here).
///
/// ```
/// let o = kgraph::algo::PageRankOptions::default();
/// assert_eq!((o.damping, o.max_iterations, o.tolerance), (0.85, 100, 1e-10));
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct PageRankOptions {
    /// The probability of following a relationship rather than jumping to a random node:
    /// strictly between 0 and 1, else [`AlgoError::InvalidOption`].
    pub damping: f64,
    /// The most iterations (at least 1).
    pub max_iterations: u32,
    /// Iteration stops when the scores moved, in sum, less than `tolerance` times the node
    /// count (networkx's test).
    pub tolerance: f64,
    /// A relationship property that weighs it (missing: 1); `None` weighs each 1.
    pub weight: Option<String>,
}

impl Default for PageRankOptions {
    fn default() -> PageRankOptions {
        PageRankOptions {
            damping: 0.85,
            max_iterations: 100,
            tolerance: 1e-10,
            weight: None,
        }
    }
}

/// Scores by node, and how the iteration ended.
///
/// ```
/// use kgraph::algo::{self, Projection};
/// let r = algo::page_rank(&kgraph::Graph::new(), &Projection::all(), &Default::default())?;
/// assert!(r.scores.is_empty() && r.converged);
/// # Ok::<_, kgraph::algo::AlgoError>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Ranking {
    /// Each node of the projection with its score, in node-id order.
    pub scores: Vec<(NodeId, f64)>,
    /// The iterations run.
    pub iterations: u32,
    /// Whether the scores settled within the tolerance (else `max_iterations` stopped it).
    pub converged: bool,
}

/// PageRank by power iteration, as networkx's `pagerank` computes it: scores sum to 1; a node
/// without outgoing relationships (in the projection's orientation) gives its score to every
/// node evenly; each of several relationships between two nodes counts (as in a networkx
/// `MultiDiGraph`). Weights, if any, must not be negative.
///
/// ```
/// use kgraph::algo::{self, PageRankOptions, Projection};
/// let mut g = kgraph::Graph::new();
/// let a = g.add_node(&["P"], [("name", "a")])?;
/// let b = g.add_node(&["P"], [("name", "b")])?;
/// g.add_relationship(a, b, "LINKS", [("w", 1)])?;
/// let r = algo::page_rank(&g, &Projection::all(), &PageRankOptions::default())?;
/// assert!(r.converged);
/// assert!(r.scores[1].1 > r.scores[0].1); // b, linked to, ranks above a
/// # Ok::<_, Box<dyn std::error::Error>>(())
/// ```
pub fn page_rank(
    g: &Graph,
    projection: &Projection,
    options: &PageRankOptions,
) -> Result<Ranking, AlgoError> {
    if !(options.damping > 0.0 && options.damping < 1.0) {
        return Err(AlgoError::InvalidOption {
            option: "damping",
            reason: format!("{} is not between 0 and 1 (both excluded)", options.damping),
        });
    }
    check_range("tolerance", options.tolerance, 0.0..=f64::MAX)?;
    if options.max_iterations == 0 {
        return Err(AlgoError::InvalidOption {
            option: "maxIterations",
            reason: "at least one iteration is needed".into(),
        });
    }
    let guard = Guard::new(projection);
    let c = Compact::build(g, projection, &guard)?;
    let weights = Weights::new(g, options.weight.as_deref(), 1.0)?;
    let n = c.len();
    guard.reserve(
        "PageRank's scores",
        bytes_of::<f64>(c.entries()) + 3 * bytes_of::<f64>(n),
    )?;
    let mut tick = guard.ticker();
    // Each entry's share of its node's score: its weight over the node's total.
    let mut share = vec![0.0f64; c.entries()];
    let mut dangling = Vec::new();
    for i in 0..n {
        tick.add(c.targets(i).len() + 1)?;
        let span = c.span(i);
        let mut total = 0.0;
        for (slot, &r) in share[span.clone()].iter_mut().zip(c.rels(i)) {
            *slot = weights.non_negative(r)?;
            total += *slot;
        }
        if total > 0.0 {
            share[span].iter_mut().for_each(|s| *s /= total);
        } else {
            dangling.push(i);
        }
    }
    weights.finish()?;
    if n == 0 {
        return Ok(Ranking {
            scores: Vec::new(),
            iterations: 0,
            converged: true,
        });
    }
    let alpha = options.damping;
    let nf = n as f64;
    let mut x = vec![1.0 / nf; n];
    let mut last = vec![0.0; n];
    let mut iterations = 0;
    while iterations < options.max_iterations {
        guard.check()?;
        iterations += 1;
        std::mem::swap(&mut x, &mut last);
        let dangle: f64 = alpha * dangling.iter().map(|&i| last[i]).sum::<f64>();
        let base = (dangle + (1.0 - alpha)) / nf;
        x.iter_mut().for_each(|v| *v = base);
        for (i, &score) in last.iter().enumerate() {
            let span = c.span(i);
            tick.add(span.len() + 1)?;
            let from = alpha * score;
            for (&t, &s) in c.targets(i).iter().zip(&share[span]) {
                x[t as usize] += from * s;
            }
        }
        let err: f64 = x.iter().zip(&last).map(|(a, b)| (a - b).abs()).sum();
        if err < nf * options.tolerance {
            return Ok(Ranking {
                scores: by_node(&c.ids, &x),
                iterations,
                converged: true,
            });
        }
    }
    Ok(Ranking {
        scores: by_node(&c.ids, &x),
        iterations,
        converged: false,
    })
}

/// Each node's degree in the projection: its outgoing relationships (natural orientation),
/// incoming ones (reverse), or all (undirected, where a self-loop counts twice, as in
/// networkx); summed weights when `weight` names a property (missing: 1).
///
/// ```
/// use kgraph::algo::{self, Orientation, Projection};
/// let mut g = kgraph::Graph::new();
/// let a = g.add_node(&["P"], [("name", "a")])?;
/// let b = g.add_node(&["P"], [("name", "b")])?;
/// g.add_relationship(a, b, "T", [("w", 2.5)])?;
/// let out = algo::degree(&g, &Projection::all(), None)?;
/// assert_eq!(out, vec![(a, 1.0), (b, 0.0)]);
/// let both = algo::degree(&g, &Projection::all().orientation(Orientation::Undirected), Some("w"))?;
/// assert_eq!(both, vec![(a, 2.5), (b, 2.5)]);
/// # Ok::<_, Box<dyn std::error::Error>>(())
/// ```
pub fn degree(
    g: &Graph,
    projection: &Projection,
    weight: Option<&str>,
) -> Result<Vec<(NodeId, f64)>, AlgoError> {
    let guard = Guard::new(projection);
    let c = Compact::build(g, projection, &guard)?;
    let weights = Weights::new(g, weight, 1.0)?;
    guard.reserve("the degrees", bytes_of::<(NodeId, f64)>(c.len()))?;
    let mut tick = guard.ticker();
    let undirected = projection.orientation == Orientation::Undirected;
    let mut out = Vec::with_capacity(c.len());
    for i in 0..c.len() {
        tick.add(c.targets(i).len() + 1)?;
        let mut d = 0.0;
        for (&t, &r) in c.targets(i).iter().zip(c.rels(i)) {
            let w = weights.of(r)?;
            d += if undirected && t as usize == i { 2.0 * w } else { w };
        }
        out.push((c.ids[i], d));
    }
    weights.finish()?;
    Ok(out)
}

/// Betweenness centrality (Brandes): for each node, the share of shortest paths between other
/// pairs of nodes that pass through it, counting paths between distinct nodes (parallel
/// relationships are one step and self-loops none, as networkx's `betweenness_centrality`
/// sees a multigraph). `normalized` divides by `(n - 1)(n - 2)`; unnormalised, an undirected
/// projection counts each pair once. Runs on the available cores.
///
/// ```
/// use kgraph::algo::{self, Projection};
/// let mut g = kgraph::Graph::new();
/// let a = g.add_node(&["P"], [("name", "a")])?;
/// let b = g.add_node(&["P"], [("name", "b")])?;
/// let c = g.add_node(&["P"], [("name", "c")])?;
/// g.add_relationship(a, b, "T", [("k", 1)])?;
/// g.add_relationship(b, c, "T", [("k", 1)])?;
/// let bc = algo::betweenness(&g, &Projection::all(), false)?;
/// assert_eq!(bc, vec![(a, 0.0), (b, 1.0), (c, 0.0)]);
/// # Ok::<_, Box<dyn std::error::Error>>(())
/// ```
pub fn betweenness(
    g: &Graph,
    projection: &Projection,
    normalized: bool,
) -> Result<Vec<(NodeId, f64)>, AlgoError> {
    let guard = Guard::new(projection);
    let c = Compact::build(g, projection, &guard)?;
    let adj = c.simple(&guard)?;
    let n = adj.len();
    let threads = std::thread::available_parallelism()
        .map_or(1, |p| p.get())
        .clamp(1, 8)
        .min(n.max(1));
    // Each thread's arrays (order, distance, paths, dependency, its scores), and the sum.
    guard.reserve(
        "betweenness's arrays",
        (threads as u64 + 1) * (bytes_of::<u32>(n) + bytes_of::<i64>(n) + 3 * bytes_of::<f64>(n)),
    )?;
    let per = n.div_ceil(threads.max(1)).max(1);
    let guard = &guard;
    let parts: Vec<Result<Vec<f64>, AlgoError>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..n)
            .step_by(per)
            .map(|start| {
                let adj = &adj;
                s.spawn(move || brandes(adj, start..(start + per).min(n), guard))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join().unwrap_or_else(|_| {
                    Err(AlgoError::InvalidOption {
                        option: "betweenness",
                        reason: "a worker thread failed".into(),
                    })
                })
            })
            .collect()
    });
    let mut bc = vec![0.0; n];
    for part in parts {
        for (b, p) in bc.iter_mut().zip(part?) {
            *b += p;
        }
    }
    let scale = if normalized {
        (n > 2).then(|| 1.0 / ((n as f64 - 1.0) * (n as f64 - 2.0)))
    } else {
        (projection.orientation == Orientation::Undirected).then_some(0.5)
    };
    if let Some(scale) = scale {
        bc.iter_mut().for_each(|b| *b *= scale);
    }
    Ok(by_node(&c.ids, &bc))
}

/// Brandes' accumulation from the sources `sources` over unweighted shortest paths; the
/// limits checked before each source (the work of one source is O(m)).
fn brandes(
    adj: &[Vec<u32>],
    sources: std::ops::Range<usize>,
    guard: &Guard<'_>,
) -> Result<Vec<f64>, AlgoError> {
    let n = adj.len();
    let mut bc = vec![0.0; n];
    let mut order: Vec<u32> = Vec::with_capacity(n);
    let mut dist = vec![-1i64; n];
    let mut sigma = vec![0.0f64; n];
    let mut delta = vec![0.0f64; n];
    for s in sources {
        guard.check()?;
        order.clear();
        dist[s] = 0;
        sigma[s] = 1.0;
        order.push(s as u32);
        let mut head = 0;
        while head < order.len() {
            let v = order[head] as usize;
            head += 1;
            for &w in &adj[v] {
                let w = w as usize;
                if dist[w] < 0 {
                    dist[w] = dist[v] + 1;
                    order.push(w as u32);
                }
                if dist[w] == dist[v] + 1 {
                    sigma[w] += sigma[v];
                }
            }
        }
        for &v in order.iter().rev() {
            let v = v as usize;
            for &w in &adj[v] {
                let w = w as usize;
                if dist[w] == dist[v] + 1 {
                    delta[v] += sigma[v] / sigma[w] * (1.0 + delta[w]);
                }
            }
            if v != s {
                bc[v] += delta[v];
            }
        }
        for &v in &order {
            let v = v as usize;
            dist[v] = -1;
            sigma[v] = 0.0;
            delta[v] = 0.0;
        }
    }
    Ok(bc)
}
