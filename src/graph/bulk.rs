//! Bulk construction of a graph from its storage, for the snapshot decoder and the importers.
//!
//! Architecture invariant: a graph built here meets every invariant of `Graph` (see the module
//! docs of `graph`): the label index, the name index and the owners of the unique constraints
//! are rebuilt from the storage in one pass, so a caller cannot hand in an index that disagrees
//! with the items. The caller must hand in storage whose symbol ids are in range and whose
//! labels and property keys are sorted and unique per item (the snapshot decoder and the
//! importers check or guarantee that before calling).

use std::collections::HashMap;

use petgraph::stable_graph::{NodeIndex, StableDiGraph};

use super::adjacency::Adjacency;
use super::names::{NameIndex, NAME_KEYS};
use petgraph::visit::{EdgeRef, IntoEdgeReferences};

use super::{
    Graph, KeyId, LabelId, NodeData, NodeId, Props, RelData, RelId, Symbols, TypeId, UniqueConstraint, Value,
};

/// The storage of a graph: petgraph's stable graph of node and relationship data.
pub(crate) type Storage = StableDiGraph<NodeData, RelData, u32>;

/// Why storage handed to [`Graph::from_storage`] was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub(crate) enum BulkError {
    /// Two nodes carrying `label` hold the same value of `key`, against a unique constraint.
    #[error("two :{label} nodes have {key} = {value}, against a unique constraint")]
    ConstraintBroken {
        /// The constrained label.
        label: String,
        /// The constrained key.
        key: String,
        /// The duplicated value, as a Cypher literal.
        value: String,
    },
    /// A constraint names a label or key that is not interned.
    #[error("a unique constraint names an unknown symbol")]
    UnknownSymbol,
    /// petgraph refused an item: more ids than its index type holds.
    #[error("the graph has more items than its index type holds")]
    TooLarge,
}

/// A relationship's place in the graph: its id, endpoints and type. Its properties travel
/// apart (see [`RelBlock`]), so the adjacency lists can be built from the heads on one thread
/// while another moves the properties into the storage.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct RelHead {
    pub(crate) id: u32,
    pub(crate) start: u32,
    pub(crate) end: u32,
    pub(crate) ty: TypeId,
}

/// Relationships in increasing id order: the heads, and the properties of each, in the same
/// order.
#[derive(Debug)]
pub(crate) struct RelBlock {
    pub(crate) heads: Vec<RelHead>,
    pub(crate) props: Vec<Props>,
}

/// Nodes in increasing id order, with the indexes built from them and the unique constraints
/// they were checked against. A decoder builds them as soon as it has the nodes, so the work
/// overlaps the decoding of the relationships; the fields are private, so the indexes cannot
/// disagree with the nodes.
#[derive(Debug)]
pub(crate) struct IndexedNodes {
    nodes: Vec<(u32, NodeData)>,
    indexes: NodeIndexes,
    constraints: Vec<(LabelId, KeyId)>,
}

impl IndexedNodes {
    /// Indexes `nodes` (ids strictly increasing) with `symbols`, checking the unique
    /// `constraints`.
    pub(crate) fn new(
        nodes: Vec<(u32, NodeData)>,
        symbols: &Symbols,
        constraints: Vec<(LabelId, KeyId)>,
    ) -> Result<IndexedNodes, BulkError> {
        let indexes = node_indexes(
            nodes.iter().map(|(id, d)| (NodeId::from_index(*id), d)),
            nodes.len(),
            symbols,
            &constraints,
        )?;
        Ok(IndexedNodes {
            nodes,
            indexes,
            constraints,
        })
    }

    /// The node ids, increasing.
    pub(crate) fn ids(&self) -> impl Iterator<Item = u32> + '_ {
        self.nodes.iter().map(|(id, _)| *id)
    }

    /// One more than the largest node id: the node slots the storage needs.
    pub(crate) fn slots(&self) -> usize {
        self.nodes.last().map_or(0, |(id, _)| *id as usize + 1)
    }
}

/// The items of a graph, as a snapshot decoder yields them, for [`Graph::from_items`].
///
/// The caller guarantees what the decoder validates: node ids strictly increasing (their
/// slots are [`IndexedNodes::slots`]); relationship ids strictly increasing across the blocks
/// and below `rel_slots`; every endpoint a node of `nodes`; every block with as many properties as
/// heads; symbols in range, labels and property keys sorted and unique per item.
#[derive(Debug)]
pub(crate) struct Items {
    pub(crate) nodes: IndexedNodes,
    pub(crate) rels: Vec<RelBlock>,
    pub(crate) rel_slots: usize,
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
        let nodes = || {
            inner
                .node_indices()
                .filter_map(|ix| inner.node_weight(ix).map(|d| (NodeId::from_ix(ix), d)))
        };
        let rels = || {
            inner.edge_references().map(|e| {
                (
                    RelId::from_ix(e.id()),
                    NodeId::from_ix(e.source()),
                    NodeId::from_ix(e.target()),
                    e.weight().ty,
                )
            })
        };
        let node_bound = petgraph::visit::NodeIndexable::node_bound(&inner);
        // The adjacency lists (a pass over the relationships) and the node indexes (a pass
        // over the nodes) read the storage independently: on a large graph, on two threads.
        let (adjacency, indexes) = beside(
            inner.edge_count() >= PARALLEL_BUILD_RELS,
            || Adjacency::build(node_bound, rels()),
            || node_indexes(nodes(), inner.node_count(), &symbols, constraints),
        );
        Graph::assemble(inner, symbols, constraints, adjacency, indexes?)
    }

    /// Builds a graph from validated items in id order (see [`Items`]) and `symbols`, which
    /// must be the symbols the nodes were indexed with. The adjacency lists are built from the
    /// relationship heads on a second thread while this one moves the items into petgraph's
    /// storage.
    pub(crate) fn from_items(items: Items, symbols: Symbols) -> Result<Graph, BulkError> {
        let Items {
            nodes,
            rels,
            rel_slots,
        } = items;
        let node_slots = nodes.slots();
        let IndexedNodes {
            nodes,
            indexes,
            constraints,
        } = nodes;
        let (heads, props): (Vec<Vec<RelHead>>, Vec<Vec<Props>>) =
            rels.into_iter().map(|b| (b.heads, b.props)).unzip();
        let rel_count: usize = heads.iter().map(Vec::len).sum();
        let (adjacency, inner) = beside(
            rel_count >= PARALLEL_BUILD_RELS,
            || {
                Adjacency::build(
                    node_slots,
                    heads.iter().flatten().map(|h| {
                        (
                            RelId::from_index(h.id),
                            NodeId::from_index(h.start),
                            NodeId::from_index(h.end),
                            h.ty,
                        )
                    }),
                )
            },
            || storage(nodes, &heads, props, node_slots, rel_slots),
        );
        Graph::assemble(inner?, symbols, &constraints, adjacency, indexes)
    }

    /// The graph of storage and indexes built from it.
    fn assemble(
        inner: Storage,
        symbols: Symbols,
        constraints: &[(LabelId, KeyId)],
        adjacency: Adjacency,
        indexes: NodeIndexes,
    ) -> Result<Graph, BulkError> {
        let NodeIndexes {
            label_index,
            names,
            owners,
        } = indexes;
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
            unique_names: false,
            schema: Default::default(),
            journal: None,
            idle_journal: None,
            cache_id: Default::default(),
        })
    }

    /// The unique constraints, as (label, key) pairs in the order they were declared.
    pub(crate) fn constraint_pairs(&self) -> Vec<(LabelId, KeyId)> {
        self.constraints.iter().map(|c| (c.label, c.key)).collect()
    }
}

/// From this many relationships on, the adjacency lists are built on a thread of their own
/// (below, starting a thread costs more than it saves).
const PARALLEL_BUILD_RELS: usize = 50_000;

/// Runs `side` on a second thread while this one runs `main`, when `parallel` holds and a
/// thread can be started; otherwise one after the other, here.
fn beside<A: Send, B>(parallel: bool, side: impl Fn() -> A + Sync, main: impl FnOnce() -> B) -> (A, B) {
    if !parallel {
        return (side(), main());
    }
    std::thread::scope(|s| {
        let side = &side;
        let worker = std::thread::Builder::new()
            .name("kgraph-build".into())
            .spawn_scoped(s, side);
        let b = main();
        let a = match worker.map(|w| w.join()) {
            Ok(Ok(a)) => a,
            Ok(Err(panic)) => std::panic::resume_unwind(panic),
            // No thread could be started: the side job runs here.
            Err(_) => side(),
        };
        (a, b)
    })
}

/// The indexes built from the nodes: the label sets, the name index and the owners of each
/// unique constraint.
#[derive(Debug)]
struct NodeIndexes {
    label_index: Vec<super::labels::LabelSet>,
    names: NameIndex,
    owners: Vec<HashMap<Value, NodeId>>,
}

/// Builds petgraph's storage with every item at its id; the gaps become vacant slots.
fn storage(
    nodes: Vec<(u32, NodeData)>,
    heads: &[Vec<RelHead>],
    props: Vec<Vec<Props>>,
    node_slots: usize,
    rel_slots: usize,
) -> Result<Storage, BulkError> {
    let full = |_| BulkError::TooLarge;
    let rel_count: usize = heads.iter().map(Vec::len).sum();
    let rels = heads.iter().flatten().zip(props.into_iter().flatten());
    if nodes.len() == node_slots && rel_count == rel_slots {
        // No gaps: the items go straight in, in id order.
        let mut g = Storage::with_capacity(node_slots, rel_slots);
        for (_, data) in nodes {
            g.try_add_node(data).map_err(full)?;
        }
        for (h, props) in rels {
            let (a, b) = (NodeIndex::new(h.start as usize), NodeIndex::new(h.end as usize));
            g.try_add_edge(a, b, RelData { ty: h.ty, props }).map_err(full)?;
        }
        return Ok(g);
    }
    // Gaps: fill every slot (vacant ones with `None`, vacant relationships as loops on node 0),
    // then let petgraph turn the `None`s into vacancies, keeping every index.
    let mut g: StableDiGraph<Option<NodeData>, Option<RelData>, u32> =
        StableDiGraph::with_capacity(node_slots, rel_slots);
    let mut nodes = nodes.into_iter().peekable();
    for slot in 0..node_slots {
        let data = nodes.next_if(|(id, _)| *id as usize == slot).map(|(_, d)| d);
        g.try_add_node(data).map_err(full)?;
    }
    let mut rels = rels.peekable();
    for slot in 0..rel_slots {
        let (a, b, data) = match rels.next_if(|(h, _)| h.id as usize == slot) {
            Some((h, props)) => (h.start, h.end, Some(RelData { ty: h.ty, props })),
            None => (0, 0, None),
        };
        g.try_add_edge(NodeIndex::new(a as usize), NodeIndex::new(b as usize), data)
            .map_err(full)?;
    }
    Ok(g.filter_map_owned(|_, n| n, |_, e| e))
}

/// Builds the node indexes in one pass over the nodes.
fn node_indexes<'a>(
    nodes: impl Iterator<Item = (NodeId, &'a NodeData)> + Clone,
    node_count: usize,
    symbols: &Symbols,
    constraints: &[(LabelId, KeyId)],
) -> Result<NodeIndexes, BulkError> {
    let label_count = symbols.labels.len();
    // Count first (a cheap pass over the label vectors) so every set is allocated once.
    let mut per_label = vec![0usize; label_count];
    for (_, data) in nodes.clone() {
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
        names.reserve(node_count);
    }
    let mut owners: Vec<HashMap<Value, NodeId>> = Vec::with_capacity(constraints.len());
    for (l, k) in constraints {
        if l.index() >= label_count || k.index() >= symbols.keys.len() {
            return Err(BulkError::UnknownSymbol);
        }
        owners.push(HashMap::with_capacity(per_label[l.index()]));
    }
    for (id, data) in nodes {
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

    #[test]
    fn from_pairs_is_set_in_turn() {
        let pairs = vec![
            (KeyId(3), Value::Int(1)),
            (KeyId(1), Value::Int(2)),
            (KeyId(3), Value::Int(3)),
            (KeyId(2), Value::Int(4)),
            (KeyId(2), Value::Null),
            (KeyId(0), Value::Null),
            (KeyId(1), Value::Null),
            (KeyId(1), Value::Int(5)),
        ];
        let mut one_by_one = Props::default();
        for (k, v) in pairs.clone() {
            one_by_one.set(k, v);
        }
        let at_once = Props::from_pairs(pairs);
        assert_eq!(at_once.as_slice(), one_by_one.as_slice());
        assert_eq!(
            at_once.as_slice(),
            [(KeyId(1), Value::Int(5)), (KeyId(3), Value::Int(3))]
        );
    }
}
