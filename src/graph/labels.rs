//! The nodes of one label: in insertion order for scans, and as a bitset by node index for
//! membership tests that need not read the node.
//!
//! A pattern like `(c:Company)-[:LOCATED_IN]->(p:Place)` tests the label of both ends of every
//! relationship it scans. Read from the node, each test is a far-apart read of the node record
//! and then of its label vector; read from the bitset (a bit per node, 12.5 KB per label at
//! 100,000 nodes), it stays in cache.
//!
//! Architecture invariant: bit `i` is set exactly when node `i` is in `members`.

use indexmap::IndexSet;

use super::id::NodeId;

/// The nodes carrying one label.
#[derive(Clone, Debug, Default)]
pub(crate) struct LabelSet {
    /// Hashed with foldhash: membership changes hash one small id.
    members: IndexSet<NodeId, foldhash::fast::RandomState>,
    bits: Vec<u64>,
}

impl LabelSet {
    pub(crate) fn with_capacity(n: usize) -> LabelSet {
        LabelSet {
            members: IndexSet::with_capacity_and_hasher(n, Default::default()),
            bits: Vec::new(),
        }
    }

    pub(crate) fn insert(&mut self, id: NodeId) -> bool {
        let i = id.index() as usize;
        let word = i / 64;
        if self.bits.len() <= word {
            self.bits.resize(word + 1, 0);
        }
        if let Some(w) = self.bits.get_mut(word) {
            *w |= 1 << (i % 64);
        }
        self.members.insert(id)
    }

    /// Removes `id`, moving the last member into its place; returns the place it had.
    pub(crate) fn swap_remove_at(&mut self, id: &NodeId) -> Option<usize> {
        let i = id.index() as usize;
        if let Some(w) = self.bits.get_mut(i / 64) {
            *w &= !(1 << (i % 64));
        }
        self.members.swap_remove_full(id).map(|(at, _)| at)
    }

    /// Undoes the `swap_remove_at` that returned `at`: `id` goes back to its place and the
    /// member that took it goes back to the end, so the scan order is as before.
    pub(crate) fn restore(&mut self, id: NodeId, at: usize) {
        self.insert(id);
        let last = self.members.len() - 1;
        if at < last {
            self.members.swap_indices(at, last);
        }
    }

    pub(crate) fn contains(&self, id: NodeId) -> bool {
        let i = id.index() as usize;
        self.bits.get(i / 64).is_some_and(|w| w & (1 << (i % 64)) != 0)
    }

    pub(crate) fn len(&self) -> usize {
        self.members.len()
    }

    pub(crate) fn as_slice(&self) -> &indexmap::set::Slice<NodeId> {
        self.members.as_slice()
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = &NodeId> {
        self.members.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bits_follow_the_members() {
        let mut s = LabelSet::with_capacity(2);
        let (a, b) = (NodeId::from_index(3), NodeId::from_index(200));
        assert!(s.insert(a) && s.insert(b) && !s.insert(a));
        assert!(s.contains(a) && s.contains(b) && !s.contains(NodeId::from_index(4)));
        assert!(s.swap_remove_at(&a).is_some());
        assert!(!s.contains(a) && s.contains(b));
        assert_eq!(s.as_slice().iter().copied().collect::<Vec<_>>(), [b]);
        assert!(!s.contains(NodeId::from_index(100_000)));
        assert_eq!(s.len(), 1);
    }
}
