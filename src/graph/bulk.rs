//! Bulk construction of a graph from its storage, for the snapshot decoder and the importers.
//!
//! Architecture invariant: a graph built here meets every invariant of `Graph` (see the module
//! docs of `graph`): the label index, the name index and the owners of the unique constraints
//! are rebuilt from the storage in one pass, so a caller cannot hand in an index that disagrees
//! with the items. The caller must hand in storage whose symbol ids are in range and whose
//! labels and property keys are sorted and unique per item (the snapshot decoder and the
//! importers check or guarantee that before calling).

use std::collections::HashMap;

use petgraph::stable_graph::StableDiGraph;

use super::names::{NameIndex, NAME_KEYS};
use petgraph::visit::{EdgeRef, IntoEdgeReferences};

use super::{
    Graph, KeyId, LabelId, NodeData, NodeId, Props, RelData, RelId, Symbols, UniqueConstraint, Value,
};

/// The storage of a graph: petgraph's stable graph of node and relationship data.
pub(crate) type Storage = StableDiGraph<NodeData, RelData, u32>;

/// Why storage handed to [`Graph::from_storage`] was refused.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum BulkError {
    /// Two nodes carrying `label` hold the same value of `key`, against a unique constraint.
    ConstraintBroken {
        /// The constrained label.
        label: String,
        /// The constrained key.
        key: String,
        /// The duplicated value, as a Cypher literal.
        value: String,
    },
    /// A constraint names a label or key that is not interned.
    UnknownSymbol,
}

impl Props {
    /// Properties from pairs already sorted by key, without duplicate keys or `Null` values.
    pub(crate) fn from_sorted(pairs: Vec<(KeyId, Value)>) -> Props {
        debug_assert!(pairs.windows(2).all(|w| w[0].0 < w[1].0));
        Props(pairs.into_boxed_slice())
    }

    /// The (key, value) pairs, sorted by key number.
    pub(crate) fn as_slice(&self) -> &[(KeyId, Value)] {
        &self.0
    }
}

impl Graph {
    /// Builds a graph around `inner` and `symbols`, rebuilding the label index, the name index
    /// and the owners of the unique constraints `(label, key)` in one pass over the nodes.
    pub(crate) fn from_storage(
        inner: Storage,
        symbols: Symbols,
        constraints: &[(LabelId, KeyId)],
    ) -> Result<Graph, BulkError> {
        // The adjacency lists (a pass over the relationships) and the node indexes (a pass
        // over the nodes) read the storage independently: on a large graph, on two threads.
        let build_adjacency = || {
            super::adjacency::Adjacency::build(
                petgraph::visit::NodeIndexable::node_bound(&inner),
                inner.edge_references().map(|e| {
                    (
                        RelId::from_ix(e.id()),
                        NodeId::from_ix(e.source()),
                        NodeId::from_ix(e.target()),
                        e.weight().ty,
                    )
                }),
            )
        };
        let (adjacency, indexes) = if inner.edge_count() >= PARALLEL_BUILD_RELS {
            std::thread::scope(|s| {
                let worker = std::thread::Builder::new()
                    .name("kgraph-build".into())
                    .spawn_scoped(s, build_adjacency);
                let indexes = node_indexes(&inner, &symbols, constraints);
                // Built here if no thread could be started.
                let adjacency = match worker.map(|w| w.join()) {
                    Ok(Ok(adjacency)) => adjacency,
                    _ => build_adjacency(),
                };
                (adjacency, indexes)
            })
        } else {
            (build_adjacency(), node_indexes(&inner, &symbols, constraints))
        };
        let NodeIndexes {
            label_index,
            names,
            owners,
        } = indexes?;
        let constraints = constraints
            .iter()
            .zip(owners)
            .map(|((label, key), owners)| UniqueConstraint {
                label: *label,
                key: *key,
                owners,
            })
            .collect();
        Ok(Graph {
            inner,
            symbols,
            label_index,
            names,
            adjacency,
            type_index: Default::default(),
            constraints,
            plans: Default::default(),
        })
    }

    /// The unique constraints, as (label, key) pairs in the order they were declared.
    pub(crate) fn constraint_pairs(&self) -> Vec<(LabelId, KeyId)> {
        self.constraints.iter().map(|c| (c.label, c.key)).collect()
    }
}

/// From this many relationships on, `from_storage` builds the adjacency lists on a thread of
/// their own (below, starting a thread costs more than it saves).
const PARALLEL_BUILD_RELS: usize = 50_000;

/// The indexes built from the nodes: the label sets, the name index and the owners of each
/// unique constraint.
struct NodeIndexes {
    label_index: Vec<super::labels::LabelSet>,
    names: NameIndex,
    owners: Vec<HashMap<Value, NodeId>>,
}

/// Builds the node indexes in one pass over the nodes.
fn node_indexes(
    inner: &Storage,
    symbols: &Symbols,
    constraints: &[(LabelId, KeyId)],
) -> Result<NodeIndexes, BulkError> {
    let label_count = symbols.labels.len();
    // Count first (a cheap pass over the label vectors) so every set is allocated once.
    let mut per_label = vec![0usize; label_count];
    for data in inner.node_weights() {
        for l in &data.labels {
            if let Some(c) = per_label.get_mut(l.index()) {
                *c += 1;
            }
        }
    }
    let mut label_index: Vec<super::labels::LabelSet> = per_label
        .iter()
        .map(|n| super::labels::LabelSet::with_capacity(*n))
        .collect();
    let name_keys: Vec<KeyId> = NAME_KEYS.iter().filter_map(|k| symbols.find_key(k)).collect();
    let mut names = NameIndex::default();
    if !name_keys.is_empty() {
        names.reserve(inner.node_count());
    }
    let mut owners: Vec<HashMap<Value, NodeId>> = Vec::with_capacity(constraints.len());
    for (l, k) in constraints {
        if l.index() >= label_count || k.index() >= symbols.keys.len() {
            return Err(BulkError::UnknownSymbol);
        }
        owners.push(HashMap::with_capacity(per_label[l.index()]));
    }
    for ix in inner.node_indices() {
        let id = NodeId::from_ix(ix);
        let Some(data) = inner.node_weight(ix) else {
            continue;
        };
        for l in &data.labels {
            if let Some(set) = label_index.get_mut(l.index()) {
                set.insert(id);
            }
        }
        for k in &name_keys {
            if let Some(v) = data.props.get(*k) {
                names.insert(id, v);
            }
        }
        for ((l, k), owned) in constraints.iter().zip(owners.iter_mut()) {
            if data.labels.binary_search(l).is_err() {
                continue;
            }
            let Some(v) = data.props.get(*k) else { continue };
            if owned.insert(v.clone(), id).is_some() {
                return Err(BulkError::ConstraintBroken {
                    label: symbols.label_name(*l).to_owned(),
                    key: symbols.key_name(*k).to_owned(),
                    value: v.to_string(),
                });
            }
        }
    }
    Ok(NodeIndexes {
        label_index,
        names,
        owners,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_stay_narrow() {
        // Per-item overhead is paid a million times over in a large graph: a relationship's
        // data is its type and a two-word property slice.
        assert_eq!(std::mem::size_of::<Props>(), 16);
        assert_eq!(std::mem::size_of::<RelData>(), 24);
        assert_eq!(std::mem::size_of::<(KeyId, Value)>(), 40);
    }

    #[test]
    fn set_inserts_replaces_and_removes_in_key_order() {
        let mut p = Props::default();
        assert_eq!(p.set(KeyId(2), Value::Int(2)), None);
        assert_eq!(p.set(KeyId(0), Value::Int(0)), None);
        assert_eq!(p.set(KeyId(1), Value::Int(1)), None);
        assert_eq!(p.set(KeyId(1), Value::Int(10)), Some(Value::Int(1)));
        assert_eq!(p.set(KeyId(5), Value::Null), None);
        let keys: Vec<u32> = p.iter().map(|(k, _)| k.0).collect();
        assert_eq!(keys, [0, 1, 2]);
        assert_eq!(p.set(KeyId(0), Value::Null), Some(Value::Int(0)));
        assert_eq!(p.get(KeyId(1)), Some(&Value::Int(10)));
        assert_eq!(p.get(KeyId(0)), None);
        assert_eq!(p.as_slice().len(), 2);
    }
}
