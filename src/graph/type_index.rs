//! Per relationship type, the ids of its relationships: built when a whole-graph scan of a
//! type first asks for it, dropped by any change to the relationships.
//!
//! A scan of `(c)-[:LOCATED_IN]->(p)` over the storage reads every relationship record (forty
//! bytes each, a million of them at scale M) to keep the five percent of the wanted type. With
//! the ids of each type at hand it reads four bytes per relationship of that type, and the
//! records of those alone, in storage order.
//!
//! Architecture invariant: when present, the index lists exactly the live relationships of
//! each type, in index order. `Graph` drops it whenever a relationship is added or removed,
//! so a write-heavy workload pays nothing for it and a read after a write rebuilds it in one
//! pass (what one scan without it costs).

use super::id::RelId;
use super::intern::TypeId;

/// The relationship ids of each type, indexed by type number.
#[derive(Clone, Debug, Default)]
pub(crate) struct TypeIndex {
    rels: Vec<Vec<RelId>>,
}

impl TypeIndex {
    /// The index of `rels` (id, type), given in index order.
    pub(crate) fn build(types: usize, rels: impl Iterator<Item = (RelId, TypeId)> + Clone) -> TypeIndex {
        let mut counts = vec![0usize; types];
        for (_, t) in rels.clone() {
            if let Some(c) = counts.get_mut(t.index()) {
                *c += 1;
            }
        }
        let mut lists: Vec<Vec<RelId>> = counts.iter().map(|c| Vec::with_capacity(*c)).collect();
        for (r, t) in rels {
            if let Some(l) = lists.get_mut(t.index()) {
                l.push(r);
            }
        }
        TypeIndex { rels: lists }
    }

    /// The relationships of type `ty`, in index order.
    pub(crate) fn of(&self, ty: TypeId) -> &[RelId] {
        self.rels.get(ty.index()).map_or(&[], Vec::as_slice)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_each_type_in_index_order() {
        let r = RelId::from_index;
        let rels = [(r(0), TypeId(1)), (r(2), TypeId(0)), (r(5), TypeId(1))];
        let idx = TypeIndex::build(2, rels.iter().copied());
        assert_eq!(idx.of(TypeId(1)), &[r(0), r(5)]);
        assert_eq!(idx.of(TypeId(0)), &[r(2)]);
        assert!(idx.of(TypeId(7)).is_empty());
    }
}
