//! One shortest path, by a bidirectional breadth-first search over dense per-node marks.
//!
//! The general search in `paths.rs` keeps every node it reaches in hash maps and finishes
//! the level on which the two sides meet, as finding all shortest paths requires. For one
//! shortest path the first meeting is enough: when the sides first touch while a level of one
//! side is being expanded, the node touched lies on the other side's last level, so every
//! meeting on this level gives the same length. This search stops there, and marks nodes in
//! vectors indexed by node, reused from search to search (a generation number tells the marks
//! of this search from older ones), so a search costs no hashing and no clearing.

use std::cell::RefCell;

use super::error::ExecResult;
use super::eval::Row;
use super::Ctx;
use crate::graph::{Direction, NodeId, RelId};
use crate::query::plan::Step;
use crate::Path;

/// Marks of one search: `stamp[n] == generation` says node `n` was reached in this search.
#[derive(Default)]
struct Marks {
    generation: u32,
    stamp: Vec<u32>,
    /// Per node: the side that reached it (`FORWARD` or `BACKWARD`) and the step towards
    /// that side's root (`None` for the roots).
    mark: Vec<(u8, Option<(RelId, NodeId)>)>,
}

const FORWARD: u8 = 1;
const BACKWARD: u8 = 2;

impl Marks {
    /// Starts a search over nodes with indexes below `bound`.
    fn start(&mut self, bound: usize) {
        if self.stamp.len() < bound {
            self.stamp.resize(bound, 0);
            self.mark.resize(bound, (0, None));
        }
        self.generation = match self.generation.checked_add(1) {
            Some(g) => g,
            None => {
                self.stamp.iter_mut().for_each(|s| *s = 0);
                1
            }
        };
    }

    fn get(&self, n: NodeId) -> Option<(u8, Option<(RelId, NodeId)>)> {
        let i = n.index() as usize;
        match self.stamp.get(i) {
            Some(s) if *s == self.generation => self.mark.get(i).copied(),
            _ => None,
        }
    }

    fn set(&mut self, n: NodeId, side: u8, parent: Option<(RelId, NodeId)>) {
        let i = n.index() as usize;
        if let (Some(s), Some(m)) = (self.stamp.get_mut(i), self.mark.get_mut(i)) {
            *s = self.generation;
            *m = (side, parent);
        }
    }

    /// The steps from `n` back to its side's root.
    fn chain(&self, mut n: NodeId) -> Vec<(RelId, NodeId)> {
        let mut out = Vec::new();
        while let Some((_, Some((r, p)))) = self.get(n) {
            out.push((r, p));
            n = p;
            if out.len() > self.stamp.len() {
                break; // A cycle cannot happen; this keeps a bug from looping.
            }
        }
        out
    }
}

thread_local! {
    static MARKS: RefCell<Marks> = RefCell::new(Marks::default());
}

impl Ctx<'_> {
    /// One shortest path from `a` to `b` (distinct nodes) of at most `max` relationships.
    pub(crate) fn one_shortest(
        &self,
        a: NodeId,
        b: NodeId,
        step: &Step,
        back: &Step,
        max: u32,
        row: &Row,
    ) -> ExecResult<Option<Path>> {
        MARKS.with(|cell| match cell.try_borrow_mut() {
            Ok(mut marks) => self.search(&mut marks, a, b, step, back, max, row),
            // A search started from inside another one's relationship check: fresh marks.
            Err(_) => self.search(&mut Marks::default(), a, b, step, back, max, row),
        })
    }

    #[allow(clippy::too_many_arguments)]
    fn search(
        &self,
        marks: &mut Marks,
        a: NodeId,
        b: NodeId,
        step: &Step,
        back: &Step,
        max: u32,
        row: &Row,
    ) -> ExecResult<Option<Path>> {
        let bound = self.graph.node_bound();
        if a.index() as usize >= bound || b.index() as usize >= bound {
            return Ok(None);
        }
        marks.start(bound);
        marks.set(a, FORWARD, None);
        marks.set(b, BACKWARD, None);
        let (mut fwd, mut bwd) = (vec![a], vec![b]);
        let mut next = Vec::new();
        let mut steps: Vec<(RelId, NodeId)> = Vec::new();
        let mut hops = 0u32;
        while !fwd.is_empty() && !bwd.is_empty() && hops < max {
            hops += 1;
            let forward = fwd.len() <= bwd.len();
            let (frontier, side, st) = if forward {
                (&fwd, FORWARD, step)
            } else {
                (&bwd, BACKWARD, back)
            };
            next.clear();
            for &node in frontier {
                let followed = self.step_into(node, st, row, &mut steps)?;
                self.count_expansions(followed)?;
                for &(r, other) in &steps {
                    match marks.get(other) {
                        Some((s, _)) if s == side => {}
                        Some(_) => {
                            // The sides meet: `node` (this side) -(r)- `other` (the other side).
                            let (near, far, via) = if forward {
                                (node, other, r)
                            } else {
                                (other, node, r)
                            };
                            return Ok(join(marks, near, via, far));
                        }
                        None => {
                            marks.set(other, side, Some((r, node)));
                            next.push(other);
                        }
                    }
                }
            }
            if forward {
                std::mem::swap(&mut fwd, &mut next);
            } else {
                std::mem::swap(&mut bwd, &mut next);
            }
        }
        Ok(None)
    }
}

/// The path a .. `near` -(via)- `far` .. b, from the marks of both sides.
fn join(marks: &Marks, near: NodeId, via: RelId, far: NodeId) -> Option<Path> {
    let left = marks.chain(near);
    let right = marks.chain(far);
    let mut nodes: Vec<NodeId> = left.iter().rev().map(|(_, n)| *n).collect();
    let mut rels: Vec<RelId> = left.iter().rev().map(|(r, _)| *r).collect();
    nodes.push(near);
    rels.push(via);
    nodes.push(far);
    for (r, n) in right {
        rels.push(r);
        nodes.push(n);
    }
    Path::new(nodes, rels)
}

/// The step walked from the far end: the same relationships, the other way round.
pub(crate) fn reversed(step: &Step) -> Step {
    Step {
        dir: match step.dir {
            Direction::Outgoing => Direction::Incoming,
            Direction::Incoming => Direction::Outgoing,
            Direction::Both => Direction::Both,
        },
        types: step.types.clone(),
        rel_props: step.rel_props.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_of_an_older_search_are_not_seen() {
        let mut m = Marks::default();
        m.start(4);
        let (n, p) = (NodeId::from_index(2), NodeId::from_index(1));
        m.set(n, FORWARD, Some((RelId::from_index(7), p)));
        assert_eq!(m.get(n), Some((FORWARD, Some((RelId::from_index(7), p)))));
        m.start(4);
        assert_eq!(m.get(n), None);
        assert_eq!(m.get(NodeId::from_index(9)), None);
    }

    #[test]
    fn the_generation_wraps_by_clearing_the_stamps() {
        let mut m = Marks::default();
        m.start(2);
        m.set(NodeId::from_index(0), BACKWARD, None);
        m.generation = u32::MAX;
        m.stamp[1] = u32::MAX;
        m.start(2);
        assert_eq!(m.generation, 1);
        assert_eq!(m.get(NodeId::from_index(0)), None);
        assert_eq!(m.get(NodeId::from_index(1)), None);
    }
}
