//! Adjacency lists: per node, its relationships as (relationship, other end, type) entries in
//! one contiguous vector, the outgoing ones first.
//!
//! petgraph threads each node's relationships through linked lists inside its edge storage,
//! so walking a node's relationships reads one far-apart edge record per relationship, and an
//! expansion that wants one type reads the records of every type to learn each one's type.
//! These lists hold what an expansion needs in twelve bytes per entry, side by side: walking a
//! node of degree 150 reads about 30 cache lines instead of 150 scattered records.
//!
//! Architecture invariant: for every live relationship `r` from `a` to `b` of type `t`, the
//! list of `a` holds `(r, b, t)` among its outgoing entries and the list of `b` holds
//! `(r, a, t)` among its incoming entries (a self-loop is in both parts of one list), and the
//! lists hold nothing else. Within each part, entries keep the order their relationships were
//! added in. Every mutation of relationships in `Graph` goes through `add` and `remove`; bulk
//! loading builds the lists with `build` in one pass.

use super::id::{NodeId, RelId};
use super::intern::TypeId;

/// One relationship seen from one of its ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Adj {
    pub(crate) rel: RelId,
    pub(crate) other: NodeId,
    pub(crate) ty: TypeId,
}

/// Room for this many more entries in each list built in bulk: the first relationships a
/// write adds to an imported node do not copy its list (a copy of a cold list is most of a
/// small write's time), for 24 bytes a node; past it a list grows by doubling.
const ROOM: usize = 2;

/// One node's entries: `entries[..split]` outgoing, `entries[split..]` incoming.
#[derive(Clone, Debug, Default, PartialEq)]
struct Lists {
    entries: Vec<Adj>,
    split: usize,
}

/// The adjacency lists of all nodes, indexed by node index; a node past the end has none.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Adjacency {
    nodes: Vec<Lists>,
}

impl Adjacency {
    /// Lists for `rels` (relationship, start, end, type), with every vector allocated once at
    /// its final size.
    pub(crate) fn build(
        node_bound: usize,
        rels: impl Iterator<Item = (RelId, NodeId, NodeId, TypeId)> + Clone,
    ) -> Adjacency {
        let mut out_degree = vec![0usize; node_bound];
        let mut in_degree = vec![0usize; node_bound];
        for (_, a, b, _) in rels.clone() {
            if let Some(d) = out_degree.get_mut(a.index() as usize) {
                *d += 1;
            }
            if let Some(d) = in_degree.get_mut(b.index() as usize) {
                *d += 1;
            }
        }
        let mut nodes: Vec<Lists> = out_degree
            .iter()
            .zip(&in_degree)
            .map(|(o, i)| Lists {
                entries: Vec::with_capacity(o + i + ROOM),
                split: *o,
            })
            .collect();
        // All outgoing entries first, then all incoming ones, each part in order.
        for (rel, a, b, ty) in rels.clone() {
            if let Some(l) = nodes.get_mut(a.index() as usize) {
                l.entries.push(Adj { rel, other: b, ty });
            }
        }
        for (rel, a, b, ty) in rels {
            if let Some(l) = nodes.get_mut(b.index() as usize) {
                l.entries.push(Adj { rel, other: a, ty });
            }
        }
        Adjacency { nodes }
    }

    fn lists_mut(&mut self, node: NodeId) -> &mut Lists {
        let i = node.index() as usize;
        if i >= self.nodes.len() {
            self.nodes.resize_with(i + 1, Lists::default);
        }
        &mut self.nodes[i]
    }

    /// Records a new relationship `rel` from `start` to `end`.
    pub(crate) fn add(&mut self, rel: RelId, start: NodeId, end: NodeId, ty: TypeId) {
        let out = self.lists_mut(start);
        out.entries.insert(out.split, Adj { rel, other: end, ty });
        out.split += 1;
        self.lists_mut(end).entries.push(Adj {
            rel,
            other: start,
            ty,
        });
    }

    /// Forgets the relationship `rel` from `start` to `end`; returns where it was among the
    /// outgoing entries of `start` and the incoming entries of `end` (for [`Adjacency::restore`]).
    pub(crate) fn remove(&mut self, rel: RelId, start: NodeId, end: NodeId) -> (usize, usize) {
        let mut at = (0, 0);
        if let Some(l) = self.nodes.get_mut(start.index() as usize) {
            let out = l.entries.get(..l.split).unwrap_or_default();
            if let Some(i) = out.iter().position(|a| a.rel == rel) {
                l.entries.remove(i);
                l.split -= 1;
                at.0 = i;
            }
        }
        if let Some(l) = self.nodes.get_mut(end.index() as usize) {
            let inc = l.entries.get(l.split..).unwrap_or_default();
            if let Some(i) = inc.iter().position(|a| a.rel == rel) {
                l.entries.remove(l.split + i);
                at.1 = i;
            }
        }
        at
    }

    /// Undoes the `remove` that returned `at`: the entries go back where they were, so the
    /// order of every list is as before the removal.
    pub(crate) fn restore(&mut self, rel: RelId, start: NodeId, end: NodeId, ty: TypeId, at: (usize, usize)) {
        let l = self.lists_mut(end);
        let i = (l.split + at.1).min(l.entries.len());
        l.entries.insert(
            i,
            Adj {
                rel,
                other: start,
                ty,
            },
        );
        let l = self.lists_mut(start);
        let i = at.0.min(l.split);
        l.entries.insert(i, Adj { rel, other: end, ty });
        l.split += 1;
    }

    /// The outgoing entries of `node`.
    pub(crate) fn outgoing(&self, node: NodeId) -> &[Adj] {
        self.nodes
            .get(node.index() as usize)
            .and_then(|l| l.entries.get(..l.split))
            .unwrap_or_default()
    }

    /// The incoming entries of `node`.
    pub(crate) fn incoming(&self, node: NodeId) -> &[Adj] {
        self.nodes
            .get(node.index() as usize)
            .and_then(|l| l.entries.get(l.split..))
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(i: u32) -> NodeId {
        NodeId::from_index(i)
    }
    fn r(i: u32) -> RelId {
        RelId::from_index(i)
    }

    #[test]
    fn add_and_remove_keep_both_ends_in_order() {
        let t = TypeId(0);
        let mut adj = Adjacency::default();
        adj.add(r(0), n(0), n(1), t);
        adj.add(r(1), n(2), n(0), t);
        adj.add(r(2), n(0), n(0), TypeId(1));
        let rels = |s: &[Adj]| s.iter().map(|a| a.rel).collect::<Vec<_>>();
        assert_eq!(rels(adj.outgoing(n(0))), [r(0), r(2)]);
        assert_eq!(rels(adj.incoming(n(0))), [r(1), r(2)]);
        assert_eq!(
            adj.incoming(n(1)),
            &[Adj {
                rel: r(0),
                other: n(0),
                ty: t
            }]
        );
        adj.remove(r(0), n(0), n(1));
        assert_eq!(rels(adj.outgoing(n(0))), [r(2)]);
        assert!(adj.incoming(n(1)).is_empty());
        adj.remove(r(2), n(0), n(0));
        assert!(adj.outgoing(n(0)).is_empty());
        assert_eq!(rels(adj.incoming(n(0))), [r(1)]);
        assert!(adj.outgoing(n(9)).is_empty());
    }

    #[test]
    fn build_gives_what_adding_one_by_one_gives() {
        let rels = [
            (r(0), n(0), n(1), TypeId(0)),
            (r(1), n(1), n(0), TypeId(1)),
            (r(2), n(1), n(1), TypeId(0)),
            (r(3), n(0), n(2), TypeId(2)),
        ];
        let mut one_by_one = Adjacency::default();
        for (rel, a, b, t) in rels {
            one_by_one.add(rel, a, b, t);
        }
        let mut built = Adjacency::build(3, rels.iter().copied());
        for i in 0..3 {
            assert_eq!(built.outgoing(n(i)), one_by_one.outgoing(n(i)));
            assert_eq!(built.incoming(n(i)), one_by_one.incoming(n(i)));
        }
        // Each list has room for `ROOM` more entries: adding them moves no list. (Each round
        // gives every node one outgoing and one incoming entry.)
        let before: Vec<*const Adj> = built.nodes.iter().map(|l| l.entries.as_ptr()).collect();
        for (k, i) in (0..(ROOM / 2) as u32).flat_map(|k| (0..3).map(move |i| (k, i))) {
            built.add(r(10 + 3 * k + i), n(i), n((i + 1) % 3), TypeId(0));
        }
        let after: Vec<*const Adj> = built.nodes.iter().map(|l| l.entries.as_ptr()).collect();
        assert_eq!(before, after);
    }
}
