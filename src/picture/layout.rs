//! Where each node's box goes. Each connected component is laid out on its own: a radial tree
//! around its best-connected node as the start (deterministic), then `force_graph`'s
//! force-directed simulation (springs along relationships, inverse-square repulsion between
//! every pair of nodes, heavier nodes for more neighbours), then scaled to the smallest size at
//! which no two boxes overlap and every relationship has room for its label, and any overlap
//! left pushed apart. The components are packed in rows, largest first.
//!
//! Cost, for n nodes and m relationships: one simulation step is O(nᵢ² + mᵢ) per component;
//! the steps are `PAIR_BUDGET / Σ nᵢ²` within [`MIN_STEPS`, `MAX_STEPS`], so a layout does at
//! most about `PAIR_BUDGET` pair evaluations. `compact` is O(nᵢ² + mᵢ), the overlap removal at
//! most `OVERLAP_PASSES` sweeps of O(n log n) plus the pairs whose boxes share an x range.
//! Past [`FORCE_LAYOUT_LIMIT`] nodes there is no simulation: the nodes go on a grid in
//! breadth-first order, O(n + m). Memory is O(n + m).

use force_graph::{ForceGraph, NodeData, SimulationParameters};

/// Above this many nodes the layout is a grid in breadth-first order instead of a simulation.
pub const FORCE_LAYOUT_LIMIT: usize = 500;

/// How many pair evaluations the simulation may spend, roughly.
const PAIR_BUDGET: usize = 10_000_000;
/// The fewest and most simulation steps.
const MIN_STEPS: usize = 30;
const MAX_STEPS: usize = 800;
/// The simulation's time step.
const DT: f32 = 0.01;
/// The most sweeps that push overlapping boxes apart.
const OVERLAP_PASSES: usize = 200;
/// The bounds of `compact`'s scaling: a pair of boxes almost on top of each other asks for
/// more, and `separate` moves them instead.
const MIN_SCALE: f64 = 0.05;
const MAX_SCALE: f64 = 3.0;
/// How much more room than the least `compact` leaves.
const SLACK: f64 = 1.1;
/// The least space between two boxes, in pixels.
const GAP: f64 = 14.0;

/// A component's edges (index pairs within it) and their clear lengths.
type Edges = (Vec<(usize, usize)>, Vec<f64>);

/// A box to place: its width and height.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Size {
    pub(crate) w: f64,
    pub(crate) h: f64,
}

/// The centres of the boxes (in the order given), all at non-negative coordinates with the
/// top-left box edge at (0, 0), and the width and height of what they cover.
pub(crate) struct Placement {
    pub(crate) centres: Vec<(f64, f64)>,
    pub(crate) width: f64,
    pub(crate) height: f64,
}

/// Lays out boxes of `sizes` joined by `edges` (index pairs; loops and repeats allowed), each
/// edge with at least `clear[e]` pixels between its boxes (room for its label).
pub(crate) fn layout(sizes: &[Size], edges: &[(usize, usize)], clear: &[f64]) -> Placement {
    let n = sizes.len();
    if n == 0 {
        return Placement {
            centres: Vec::new(),
            width: 0.0,
            height: 0.0,
        };
    }
    let adjacency = adjacency(n, edges);
    let order = breadth_first(&adjacency);
    let mut centres = if n > FORCE_LAYOUT_LIMIT {
        grid(sizes, &order)
    } else {
        let pairs: usize = order.iter().map(|c| c.len() * c.len()).sum();
        let steps = (PAIR_BUDGET / pairs.max(1)).clamp(MIN_STEPS, MAX_STEPS);
        // Each component on its own (no force between components), then packed in rows.
        let mut component = vec![usize::MAX; n];
        let mut local = vec![0usize; n];
        for (c, comp) in order.iter().enumerate() {
            for (k, &v) in comp.iter().enumerate() {
                component[v] = c;
                local[v] = k;
            }
        }
        let mut inner: Vec<Edges> = vec![(Vec::new(), Vec::new()); order.len()];
        for (e, &(a, b)) in edges.iter().enumerate() {
            if a < n && b < n && a != b {
                let c = component[a];
                inner[c].0.push((local[a], local[b]));
                inner[c].1.push(clear.get(e).copied().unwrap_or(0.0));
            }
        }
        let drawn: Vec<Vec<(f64, f64)>> = order
            .iter()
            .zip(&inner)
            .map(|(comp, (edges, clear))| {
                let sizes: Vec<Size> = comp.iter().map(|&v| sizes[v]).collect();
                let adj: Vec<Vec<usize>> = comp
                    .iter()
                    .map(|&v| adjacency[v].iter().map(|&w| local[w]).collect())
                    .collect();
                let mut c = radial(&sizes, &adj);
                if comp.len() > 1 {
                    c = simulate(&sizes, edges, &adj, c, steps);
                    compact(&sizes, edges, clear, &mut c);
                    separate(&sizes, &mut c);
                }
                c
            })
            .collect();
        pack(sizes, &order, &drawn)
    };
    normalise(sizes, &mut centres)
}

/// Each node's neighbours (either direction, without loops), sorted and without repeats.
fn adjacency(n: usize, edges: &[(usize, usize)]) -> Vec<Vec<usize>> {
    let mut adj = vec![Vec::new(); n];
    for &(a, b) in edges {
        if a != b && a < n && b < n {
            adj[a].push(b);
            adj[b].push(a);
        }
    }
    for list in &mut adj {
        list.sort_unstable();
        list.dedup();
    }
    adj
}

/// The nodes component by component, each from its best-connected node (the lowest index
/// among equals) outward, breadth first; the largest components first.
fn breadth_first(adj: &[Vec<usize>]) -> Vec<Vec<usize>> {
    let n = adj.len();
    let mut seen = vec![false; n];
    let mut by_degree: Vec<usize> = (0..n).collect();
    by_degree.sort_by_key(|&i| (std::cmp::Reverse(adj[i].len()), i));
    let mut components = Vec::new();
    for &root in &by_degree {
        if seen[root] {
            continue;
        }
        seen[root] = true;
        let mut comp = vec![root];
        let mut head = 0;
        while head < comp.len() {
            let v = comp[head];
            head += 1;
            for &w in &adj[v] {
                if !seen[w] {
                    seen[w] = true;
                    comp.push(w);
                }
            }
        }
        components.push(comp);
    }
    // Stable: among equal sizes, the order of their roots.
    components.sort_by_key(|c| std::cmp::Reverse(c.len()));
    components
}

/// Start positions for one component (node 0 its root, the nodes in breadth-first order):
/// a radial tree around the root, every breadth-first level on a ring long enough for its
/// boxes side by side, each subtree in a wedge as wide as its share of the leaves.
fn radial(sizes: &[Size], adj: &[Vec<usize>]) -> Vec<(f64, f64)> {
    use std::f64::consts::TAU;
    let n = sizes.len();
    let mut pos = vec![(0.0, 0.0); n];
    if n == 0 {
        return pos;
    }
    // The breadth-first tree; the nodes are already in breadth-first order from node 0.
    let mut parent = vec![usize::MAX; n];
    let mut depth = vec![0usize; n];
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); n];
    parent[0] = 0;
    let mut queue = vec![0usize];
    let mut head = 0;
    while head < queue.len() {
        let v = queue[head];
        head += 1;
        for &w in &adj[v] {
            if parent[w] == usize::MAX {
                parent[w] = v;
                depth[w] = depth[v] + 1;
                children[v].push(w);
                queue.push(w);
            }
        }
    }
    let mut leaves = vec![0.0f64; n];
    for &v in queue.iter().rev() {
        let sum: f64 = children[v].iter().map(|&c| leaves[c]).sum();
        leaves[v] = sum.max(1.0);
    }
    let levels = depth.iter().copied().max().unwrap_or(0);
    let mut around = vec![0.0f64; levels + 1];
    let mut widest = vec![0.0f64; levels + 1];
    for v in 0..n {
        around[depth[v]] += sizes[v].w + 2.0 * GAP;
        widest[depth[v]] = widest[depth[v]].max(sizes[v].w);
    }
    let mut radius = vec![0.0f64; levels + 1];
    for d in 1..=levels {
        radius[d] = (radius[d - 1] + (widest[d - 1] + widest[d]) / 2.0 + 60.0).max(around[d] / TAU);
    }
    let mut wedge = vec![(0.0f64, TAU); n];
    for &v in &queue {
        let (lo, hi) = wedge[v];
        let mid = (lo + hi) / 2.0;
        pos[v] = (radius[depth[v]] * mid.cos(), radius[depth[v]] * mid.sin());
        let total: f64 = children[v].iter().map(|&c| leaves[c]).sum();
        let mut at = lo;
        for &c in &children[v] {
            let share = (hi - lo) * leaves[c] / total.max(1.0);
            wedge[c] = (at, at + share);
            at += share;
        }
    }
    pos
}

/// Runs `force_graph`'s simulation on one component for `steps` steps from `start`. A node's
/// mass (how hard it pushes) grows with its box and with its degree to the power 1.5: a
/// node with many neighbours holds them on a ring around it instead of letting them crowd.
fn simulate(
    sizes: &[Size],
    edges: &[(usize, usize)],
    adj: &[Vec<usize>],
    start: Vec<(f64, f64)>,
    steps: usize,
) -> Vec<(f64, f64)> {
    let n = sizes.len();
    let params = SimulationParameters {
        force_charge: 12_000.0,
        force_spring: 0.3,
        force_max: 280.0,
        node_speed: 7_000.0,
        damping_factor: 0.9,
    };
    let degexp: f64 = 1.5;
    let mut sim: ForceGraph<usize> = ForceGraph::new(params);
    let index: Vec<_> = sizes
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let mass = 10.0 * ((s.w + s.h) / 120.0).sqrt() * (adj[i].len().max(1) as f64).powf(degexp);
            sim.add_node(NodeData {
                x: start[i].0 as f32,
                y: start[i].1 as f32,
                mass: mass as f32,
                is_anchor: false,
                user_data: i,
            })
        })
        .collect();
    for &(a, b) in edges {
        if a != b && a < n && b < n {
            sim.add_edge(index[a], index[b], Default::default());
        }
    }
    for _ in 0..steps {
        sim.update(DT);
    }
    let mut out = start;
    sim.visit_nodes(|node| {
        let i = node.data.user_data;
        let (x, y) = (f64::from(node.x()), f64::from(node.y()));
        if i < n && x.is_finite() && y.is_finite() {
            out[i] = (x, y);
        }
    });
    out
}

/// Packs the components' drawings in rows, largest first, the rows about as wide as the
/// whole is tall; returns every node's centre.
fn pack(sizes: &[Size], order: &[Vec<usize>], drawn: &[Vec<(f64, f64)>]) -> Vec<(f64, f64)> {
    let mut out = vec![(0.0, 0.0); sizes.len()];
    // Each component's bounding box.
    let boxes: Vec<(f64, f64, f64, f64)> = order
        .iter()
        .zip(drawn)
        .map(|(comp, c)| {
            let mut b = (f64::INFINITY, f64::INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY);
            for (&v, p) in comp.iter().zip(c) {
                b.0 = b.0.min(p.0 - sizes[v].w / 2.0);
                b.1 = b.1.min(p.1 - sizes[v].h / 2.0);
                b.2 = b.2.max(p.0 + sizes[v].w / 2.0);
                b.3 = b.3.max(p.1 + sizes[v].h / 2.0);
            }
            b
        })
        .collect();
    let space = 3.0 * GAP;
    let area: f64 = boxes
        .iter()
        .map(|b| (b.2 - b.0 + space) * (b.3 - b.1 + space))
        .sum();
    let widest = boxes.iter().map(|b| b.2 - b.0).fold(0.0, f64::max);
    let row_width = (area.sqrt() * 1.3).max(widest);
    let (mut x, mut y, mut row_height) = (0.0f64, 0.0f64, 0.0f64);
    for ((comp, c), b) in order.iter().zip(drawn).zip(&boxes) {
        let (w, h) = (b.2 - b.0, b.3 - b.1);
        if x > 0.0 && x + w > row_width {
            x = 0.0;
            y += row_height + space;
            row_height = 0.0;
        }
        for (&v, p) in comp.iter().zip(c) {
            out[v] = (p.0 - b.0 + x, p.1 - b.1 + y);
        }
        x += w + space;
        row_height = row_height.max(h);
    }
    out
}

/// The distance from a box's centre to its border in direction (ux, uy), a unit vector.
fn reach(s: Size, ux: f64, uy: f64) -> f64 {
    let tx = if ux == 0.0 {
        f64::INFINITY
    } else {
        s.w / 2.0 / ux.abs()
    };
    let ty = if uy == 0.0 {
        f64::INFINITY
    } else {
        s.h / 2.0 / uy.abs()
    };
    tx.min(ty)
}

/// Scales the drawing (about the origin) to the smallest size at which no two boxes overlap
/// and every edge has its clear length between its boxes: the simulation sets the shape, this
/// sets the size. O(n² + m).
fn compact(sizes: &[Size], edges: &[(usize, usize)], clear: &[f64], centres: &mut [(f64, f64)]) {
    let n = sizes.len();
    let mut scale: f64 = 0.0;
    for (e, &(a, b)) in edges.iter().enumerate() {
        if a == b || a >= n || b >= n {
            continue;
        }
        let (dx, dy) = (centres[b].0 - centres[a].0, centres[b].1 - centres[a].1);
        let d = (dx * dx + dy * dy).sqrt();
        if d < 1e-6 {
            continue;
        }
        let (ux, uy) = (dx / d, dy / d);
        let need = clear.get(e).copied().unwrap_or(0.0) + reach(sizes[a], ux, uy) + reach(sizes[b], ux, uy);
        scale = scale.max(need / d);
    }
    for a in 0..n {
        for b in a + 1..n {
            let (dx, dy) = (
                (centres[b].0 - centres[a].0).abs(),
                (centres[b].1 - centres[a].1).abs(),
            );
            let rx = (sizes[a].w + sizes[b].w) / 2.0 + GAP;
            let ry = (sizes[a].h + sizes[b].h) / 2.0 + GAP;
            let sx = if dx < 1e-6 { f64::INFINITY } else { rx / dx };
            let sy = if dy < 1e-6 { f64::INFINITY } else { ry / dy };
            scale = scale.max(sx.min(sy).min(MAX_SCALE));
        }
    }
    if scale <= 0.0 || !scale.is_finite() {
        return;
    }
    let scale = (scale * SLACK).clamp(MIN_SCALE, MAX_SCALE);
    for c in centres.iter_mut() {
        c.0 *= scale;
        c.1 *= scale;
    }
}

/// Pushes overlapping boxes apart (each by half the overlap, along the axis where it is
/// smaller) until none overlap or the passes run out.
fn separate(sizes: &[Size], centres: &mut [(f64, f64)]) {
    let n = sizes.len();
    let mut by_left: Vec<usize> = (0..n).collect();
    for _ in 0..OVERLAP_PASSES {
        by_left.sort_by(|&a, &b| {
            let la = centres[a].0 - sizes[a].w / 2.0;
            let lb = centres[b].0 - sizes[b].w / 2.0;
            la.total_cmp(&lb).then(a.cmp(&b))
        });
        let mut moved = false;
        for (k, &a) in by_left.iter().enumerate() {
            for &b in &by_left[k + 1..] {
                let (ax, ay) = centres[a];
                let (bx, by) = centres[b];
                let reach_x = (sizes[a].w + sizes[b].w) / 2.0 + GAP;
                if bx - sizes[b].w / 2.0 >= ax + sizes[a].w / 2.0 + GAP {
                    break;
                }
                let reach_y = (sizes[a].h + sizes[b].h) / 2.0 + GAP;
                let (dx, dy) = (bx - ax, by - ay);
                let (ox, oy) = (reach_x - dx.abs(), reach_y - dy.abs());
                if ox <= 0.0 || oy <= 0.0 {
                    continue;
                }
                moved = true;
                // The smaller push, half to each; a tie (the same centre) splits by index.
                if ox * sizes[a].h.min(sizes[b].h) < oy * sizes[a].w.min(sizes[b].w) {
                    let s = if dx > 0.0 || (dx == 0.0 && a < b) {
                        1.0
                    } else {
                        -1.0
                    };
                    centres[a].0 -= s * ox / 2.0;
                    centres[b].0 += s * ox / 2.0;
                } else {
                    let s = if dy > 0.0 || (dy == 0.0 && a < b) {
                        1.0
                    } else {
                        -1.0
                    };
                    centres[a].1 -= s * oy / 2.0;
                    centres[b].1 += s * oy / 2.0;
                }
            }
        }
        if !moved {
            break;
        }
    }
}

/// Rows of cells as wide as the widest box, filled in breadth-first order, about as many
/// columns as rows.
fn grid(sizes: &[Size], order: &[Vec<usize>]) -> Vec<(f64, f64)> {
    let n = sizes.len();
    let cell_w = sizes.iter().map(|s| s.w).fold(0.0, f64::max) + GAP;
    let cell_h = sizes.iter().map(|s| s.h).fold(0.0, f64::max) + GAP * 2.0;
    let columns = ((n as f64 * cell_h / cell_w).sqrt().ceil() as usize).max(1);
    let mut out = vec![(0.0, 0.0); n];
    for (k, &v) in order.iter().flatten().enumerate() {
        out[v] = ((k % columns) as f64 * cell_w, (k / columns) as f64 * cell_h);
    }
    out
}

/// Moves the boxes so that the top-left edge of all of them is at (0, 0), and measures them.
fn normalise(sizes: &[Size], centres: &mut [(f64, f64)]) -> Placement {
    let mut min = (f64::INFINITY, f64::INFINITY);
    let mut max = (f64::NEG_INFINITY, f64::NEG_INFINITY);
    for (c, s) in centres.iter().zip(sizes) {
        min.0 = min.0.min(c.0 - s.w / 2.0);
        min.1 = min.1.min(c.1 - s.h / 2.0);
        max.0 = max.0.max(c.0 + s.w / 2.0);
        max.1 = max.1.max(c.1 + s.h / 2.0);
    }
    for c in centres.iter_mut() {
        // Whole pixels tenths: the written numbers do not depend on rounding noise.
        c.0 = ((c.0 - min.0) * 10.0).round() / 10.0;
        c.1 = ((c.1 - min.1) * 10.0).round() / 10.0;
    }
    Placement {
        centres: centres.to_vec(),
        width: (max.0 - min.0).ceil(),
        height: (max.1 - min.1).ceil(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn overlaps(sizes: &[Size], p: &Placement) -> usize {
        let mut count = 0;
        for a in 0..sizes.len() {
            for b in a + 1..sizes.len() {
                let (ca, cb) = (p.centres[a], p.centres[b]);
                if (ca.0 - cb.0).abs() < (sizes[a].w + sizes[b].w) / 2.0
                    && (ca.1 - cb.1).abs() < (sizes[a].h + sizes[b].h) / 2.0
                {
                    count += 1;
                }
            }
        }
        count
    }

    #[test]
    fn star_without_overlaps_and_deterministic() {
        let sizes: Vec<Size> = (0..30)
            .map(|i| Size {
                w: 60.0 + (i % 5) as f64 * 20.0,
                h: 28.0,
            })
            .collect();
        let edges: Vec<(usize, usize)> = (1..30).map(|i| (0, i)).chain([(3, 4), (4, 4)]).collect();
        let p = layout(&sizes, &edges, &[]);
        assert_eq!(overlaps(&sizes, &p), 0);
        assert_eq!(layout(&sizes, &edges, &[]).centres, p.centres);
        assert!(p.centres.iter().all(|c| c.0 >= 0.0 && c.1 >= 0.0));
    }

    #[test]
    fn disconnected_and_large_graphs_stay_bounded() {
        let sizes = vec![Size { w: 50.0, h: 20.0 }; 40];
        let p = layout(&sizes, &[], &[]);
        assert_eq!(overlaps(&sizes, &p), 0);
        assert!(
            p.width < 5_000.0 && p.height < 5_000.0,
            "{} x {}",
            p.width,
            p.height
        );
        let n = FORCE_LAYOUT_LIMIT + 1;
        let sizes = vec![Size { w: 50.0, h: 20.0 }; n];
        let edges: Vec<(usize, usize)> = (1..n).map(|i| (i - 1, i)).collect();
        let p = layout(&sizes, &edges, &[]);
        assert_eq!(p.centres.len(), n);
        assert_eq!(overlaps(&sizes, &p), 0);
    }
}
