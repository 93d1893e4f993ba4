//! Property test of the graph API against a reference model: random sequences of node,
//! relationship, label and property operations (on live, removed and never-existing ids) are
//! applied to a `kgraph::Graph` and to a plain model built from maps; after every step the two
//! must agree on what succeeded, on every item, on the label index, on the name index and on
//! the relationships around each node, and the graph's own invariants must hold.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::collections::{BTreeMap, BTreeSet, HashMap};

use kgraph::{normalize_name, Direction, Graph, GraphError, NodeId, Path, RelId, Value};
use proptest::collection::{btree_map, btree_set, vec};
use proptest::prelude::*;
use proptest::sample::select;

const LABELS: [&str; 4] = ["Company", "Person", "Place", "Drug"];
const TYPES: [&str; 3] = ["INVESTS_IN", "PARTNERS", "LOCATED_IN"];
/// Queried as relationship types besides `TYPES`: never used.
const NEVER_TYPE: &str = "NEVER_USED";
/// The names drawn for `name`, `name_zh` and `aliases` (several normalise alike).
const NAMES: [&str; 8] = ["Pfizer", "pfizer", "辉瑞", "Ｐｆｉｚｅｒ", "A", "B", " a ", ""];
/// Looked up after every step besides `NAMES`.
const EXTRA_LOOKUPS: [&str; 4] = ["PFIZER", "ａ", "b", "Roche"];
const NODE_KEYS: [&str; 5] = ["name", "name_zh", "aliases", "k", "w"];
const NAME_KEYS: [&str; 3] = ["name", "name_zh", "aliases"];
const REL_KEYS: [&str; 3] = ["k", "w", "name"];

/// A node id never handed out in a test this small.
const GHOST_NODE: u32 = 50_000;
const GHOST_REL: u32 = 50_000;

/// Picks an id from the history of ids handed out, or (one slot more) a never-existing id.
#[derive(Clone, Copy, Debug)]
struct Pick(usize);

fn pick() -> impl Strategy<Value = Pick> {
    any::<usize>().prop_map(Pick)
}

#[derive(Clone, Debug)]
enum Op {
    AddNode {
        labels: BTreeSet<usize>,
        props: BTreeMap<usize, Value>,
    },
    AddRel {
        start: Pick,
        end: Pick,
        ty: usize,
        props: BTreeMap<usize, Value>,
    },
    SetNodeProp {
        node: Pick,
        key: usize,
        value: Value,
    },
    RemoveNodeProp {
        node: Pick,
        key: usize,
    },
    AddLabel {
        node: Pick,
        label: usize,
    },
    RemoveLabel {
        node: Pick,
        label: usize,
    },
    RemoveNode {
        node: Pick,
    },
    DetachRemoveNode {
        node: Pick,
    },
    RemoveRel {
        rel: Pick,
    },
    SetRelProp {
        rel: Pick,
        key: usize,
        value: Value,
    },
    RemoveRelProp {
        rel: Pick,
        key: usize,
    },
}

/// A value a property may hold (or `Null`, which removes), names drawn from `NAMES`.
fn storable_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        2 => Just(Value::Null),
        2 => (-2i64..3).prop_map(Value::Int),
        1 => any::<bool>().prop_map(Value::Bool),
        1 => prop_oneof![Just(0.5), Just(-0.0), Just(f64::NAN)].prop_map(Value::Float),
        6 => select(&NAMES[..]).prop_map(Value::from),
        3 => vec(select(&NAMES[..]), 0..4).prop_map(Value::from),
        1 => (select(&NAMES[..]), -2i64..3)
            .prop_map(|(s, i)| Value::List(vec![Value::Int(i), Value::from(s)])),
    ]
}

/// A value that may not be stored: the call must fail and change nothing.
fn invalid_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Node(NodeId::from_index(0))),
        Just(Value::Relationship(RelId::from_index(0))),
        Just(Value::Path(Path::single(NodeId::from_index(0)))),
        select(&NAMES[..])
            .prop_map(|s| Value::List(vec![Value::from(s), Value::Node(NodeId::from_index(1))])),
    ]
}

fn any_value() -> impl Strategy<Value = Value> {
    prop_oneof![12 => storable_value(), 1 => invalid_value()]
}

fn node_props() -> impl Strategy<Value = BTreeMap<usize, Value>> {
    prop_oneof![
        15 => btree_map(0..NODE_KEYS.len(), storable_value(), 0..4),
        1 => btree_map(0..NODE_KEYS.len(), any_value(), 1..3),
    ]
}

fn rel_props() -> impl Strategy<Value = BTreeMap<usize, Value>> {
    prop_oneof![
        15 => btree_map(0..REL_KEYS.len(), storable_value(), 0..3),
        1 => btree_map(0..REL_KEYS.len(), any_value(), 1..3),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        8 => (btree_set(0..LABELS.len(), 0..4), node_props())
            .prop_map(|(labels, props)| Op::AddNode { labels, props }),
        6 => (pick(), pick(), 0..TYPES.len(), rel_props())
            .prop_map(|(start, end, ty, props)| Op::AddRel { start, end, ty, props }),
        6 => (pick(), 0..NODE_KEYS.len(), any_value())
            .prop_map(|(node, key, value)| Op::SetNodeProp { node, key, value }),
        2 => (pick(), 0..NODE_KEYS.len()).prop_map(|(node, key)| Op::RemoveNodeProp { node, key }),
        3 => (pick(), 0..LABELS.len()).prop_map(|(node, label)| Op::AddLabel { node, label }),
        2 => (pick(), 0..LABELS.len()).prop_map(|(node, label)| Op::RemoveLabel { node, label }),
        2 => pick().prop_map(|node| Op::RemoveNode { node }),
        1 => pick().prop_map(|node| Op::DetachRemoveNode { node }),
        2 => pick().prop_map(|rel| Op::RemoveRel { rel }),
        2 => (pick(), 0..REL_KEYS.len(), any_value())
            .prop_map(|(rel, key, value)| Op::SetRelProp { rel, key, value }),
        1 => (pick(), 0..REL_KEYS.len()).prop_map(|(rel, key)| Op::RemoveRelProp { rel, key }),
    ]
}

/// Why the model says a call must fail; a call may have several reasons, and the graph may
/// report any one of them.
#[derive(Clone, Debug, PartialEq)]
enum Failure {
    NodeNotFound(NodeId),
    RelNotFound(RelId),
    HasRelationships(NodeId, usize),
    Invalid(String, &'static str),
}

fn failure_of(e: &GraphError) -> Failure {
    match e {
        GraphError::NodeNotFound { id } => Failure::NodeNotFound(*id),
        GraphError::RelationshipNotFound { id } => Failure::RelNotFound(*id),
        GraphError::NodeHasRelationships { id, count } => Failure::HasRelationships(*id, *count),
        GraphError::InvalidPropertyValue { key, type_name } => Failure::Invalid(key.clone(), type_name),
        other => panic!("unexpected error {other:?}"),
    }
}

/// Compares the graph's answer with the model's: the same success value, or an error that is one
/// of the model's reasons.
fn same_outcome<T: PartialEq + std::fmt::Debug>(
    step: usize,
    op: &Op,
    got: Result<T, GraphError>,
    want: Result<T, Vec<Failure>>,
) {
    match (got, want) {
        (Ok(g), Ok(m)) => assert_eq!(g, m, "step {step} {op:?}: result differs"),
        (Err(e), Err(reasons)) => {
            let f = failure_of(&e);
            assert!(
                reasons.contains(&f),
                "step {step} {op:?}: error {e:?}, expected one of {reasons:?}"
            );
        }
        (Ok(g), Err(reasons)) => panic!("step {step} {op:?}: succeeded with {g:?}, expected {reasons:?}"),
        (Err(e), Ok(m)) => panic!("step {step} {op:?}: failed with {e:?}, expected {m:?}"),
    }
}

#[derive(Clone, Debug, Default)]
struct NodeModel {
    labels: BTreeSet<String>,
    props: BTreeMap<String, Value>,
}

#[derive(Clone, Debug)]
struct RelModel {
    start: NodeId,
    end: NodeId,
    ty: String,
    props: BTreeMap<String, Value>,
}

#[derive(Default)]
struct Model {
    nodes: HashMap<NodeId, NodeModel>,
    rels: HashMap<RelId, RelModel>,
    /// Every node id ever handed out, live or not (ids may be reused by later nodes).
    node_history: Vec<NodeId>,
    rel_history: Vec<RelId>,
}

/// Applies a property with the graph's rule: `Null` removes.
fn set_prop(props: &mut BTreeMap<String, Value>, key: &str, value: Value) -> Option<Value> {
    if value.is_null() {
        props.remove(key)
    } else {
        props.insert(key.to_owned(), value)
    }
}

fn invalid_reasons<'a>(props: impl IntoIterator<Item = (&'a str, &'a Value)>) -> Vec<Failure> {
    props
        .into_iter()
        .filter(|(_, v)| !v.is_storable())
        .map(|(k, v)| Failure::Invalid(k.to_owned(), v.type_name()))
        .collect()
}

impl Model {
    fn pick_node(&self, i: Pick) -> NodeId {
        // One slot more than the history: a never-existing id.
        let n = self.node_history.len() + 1;
        self.node_history
            .get(i.0 % n)
            .copied()
            .unwrap_or(NodeId::from_index(GHOST_NODE))
    }

    fn pick_rel(&self, i: Pick) -> RelId {
        let n = self.rel_history.len() + 1;
        self.rel_history
            .get(i.0 % n)
            .copied()
            .unwrap_or(RelId::from_index(GHOST_REL))
    }

    fn node_missing(&self, id: NodeId) -> Option<Failure> {
        (!self.nodes.contains_key(&id)).then_some(Failure::NodeNotFound(id))
    }

    fn rel_missing(&self, id: RelId) -> Option<Failure> {
        (!self.rels.contains_key(&id)).then_some(Failure::RelNotFound(id))
    }

    /// The distinct relationships touching a node (a self-loop once).
    fn rels_touching(&self, id: NodeId) -> Vec<RelId> {
        self.rels_of(id, Direction::Both, None)
    }

    fn rels_of(&self, id: NodeId, dir: Direction, ty: Option<&str>) -> Vec<RelId> {
        let mut out: Vec<RelId> = self
            .rels
            .iter()
            .filter(|(_, r)| match dir {
                Direction::Outgoing => r.start == id,
                Direction::Incoming => r.end == id,
                Direction::Both => r.start == id || r.end == id,
            })
            .filter(|(_, r)| ty.is_none_or(|t| r.ty == t))
            .map(|(id, _)| *id)
            .collect();
        out.sort();
        out
    }

    fn lookup(&self, name: &str) -> Vec<NodeId> {
        let key = normalize_name(name);
        if key.is_empty() {
            return Vec::new();
        }
        let mut out: Vec<NodeId> = self
            .nodes
            .iter()
            .filter(|(_, n)| {
                NAME_KEYS.iter().any(|k| match n.props.get(*k) {
                    Some(Value::String(s)) => normalize_name(s) == key,
                    Some(Value::List(items)) => items
                        .iter()
                        .filter_map(Value::as_str)
                        .any(|s| normalize_name(s) == key),
                    _ => false,
                })
            })
            .map(|(id, _)| *id)
            .collect();
        out.sort();
        out
    }

    fn nodes_with_label(&self, label: &str) -> Vec<NodeId> {
        let mut out: Vec<NodeId> = self
            .nodes
            .iter()
            .filter(|(_, n)| n.labels.contains(label))
            .map(|(id, _)| *id)
            .collect();
        out.sort();
        out
    }
}

/// Applies one operation to both, checking that they answer alike.
fn apply(step: usize, op: &Op, g: &mut Graph, m: &mut Model) {
    match op {
        Op::AddNode { labels, props } => {
            let labels: Vec<&str> = labels.iter().map(|l| LABELS[*l]).collect();
            let props: Vec<(&str, Value)> = props.iter().map(|(k, v)| (NODE_KEYS[*k], v.clone())).collect();
            let reasons = invalid_reasons(props.iter().map(|(k, v)| (*k, v)));
            let got = g.add_node(&labels, props.clone());
            if !reasons.is_empty() {
                same_outcome(step, op, got, Err(reasons));
                return;
            }
            let id = got.unwrap_or_else(|e| panic!("step {step} {op:?}: add_node failed: {e:?}"));
            assert!(
                !m.nodes.contains_key(&id),
                "step {step}: add_node returned live id {id}"
            );
            let mut node = NodeModel {
                labels: labels.iter().map(|l| (*l).to_owned()).collect(),
                props: BTreeMap::new(),
            };
            for (k, v) in props {
                set_prop(&mut node.props, k, v);
            }
            m.nodes.insert(id, node);
            m.node_history.push(id);
        }
        Op::AddRel {
            start,
            end,
            ty,
            props,
        } => {
            let (s, e) = (m.pick_node(*start), m.pick_node(*end));
            let props: Vec<(&str, Value)> = props.iter().map(|(k, v)| (REL_KEYS[*k], v.clone())).collect();
            let mut reasons: Vec<Failure> = [m.node_missing(s), m.node_missing(e)]
                .into_iter()
                .flatten()
                .collect();
            reasons.extend(invalid_reasons(props.iter().map(|(k, v)| (*k, v))));
            let got = g.add_relationship(s, e, TYPES[*ty], props.clone());
            if !reasons.is_empty() {
                same_outcome(step, op, got, Err(reasons));
                return;
            }
            let id = got.unwrap_or_else(|err| panic!("step {step} {op:?}: add_relationship failed: {err:?}"));
            assert!(
                !m.rels.contains_key(&id),
                "step {step}: add_relationship returned live id {id}"
            );
            let mut rel = RelModel {
                start: s,
                end: e,
                ty: TYPES[*ty].to_owned(),
                props: BTreeMap::new(),
            };
            for (k, v) in props {
                set_prop(&mut rel.props, k, v);
            }
            m.rels.insert(id, rel);
            m.rel_history.push(id);
        }
        Op::SetNodeProp { node, key, value } => {
            let id = m.pick_node(*node);
            let key = NODE_KEYS[*key];
            let mut reasons: Vec<Failure> = m.node_missing(id).into_iter().collect();
            reasons.extend(invalid_reasons([(key, value)]));
            let got = g.set_node_property(id, key, value.clone());
            let want = match m.nodes.get_mut(&id) {
                Some(n) if reasons.is_empty() => Ok(set_prop(&mut n.props, key, value.clone())),
                _ => Err(reasons),
            };
            same_outcome(step, op, got, want);
        }
        Op::RemoveNodeProp { node, key } => {
            let id = m.pick_node(*node);
            let key = NODE_KEYS[*key];
            let got = g.remove_node_property(id, key);
            let want = match m.nodes.get_mut(&id) {
                Some(n) => Ok(n.props.remove(key)),
                None => Err(vec![Failure::NodeNotFound(id)]),
            };
            same_outcome(step, op, got, want);
        }
        Op::AddLabel { node, label } => {
            let id = m.pick_node(*node);
            let label = LABELS[*label];
            let got = g.add_label(id, label);
            let want = match m.nodes.get_mut(&id) {
                Some(n) => Ok(n.labels.insert(label.to_owned())),
                None => Err(vec![Failure::NodeNotFound(id)]),
            };
            same_outcome(step, op, got, want);
        }
        Op::RemoveLabel { node, label } => {
            let id = m.pick_node(*node);
            let label = LABELS[*label];
            let got = g.remove_label(id, label);
            let want = match m.nodes.get_mut(&id) {
                Some(n) => Ok(n.labels.remove(label)),
                None => Err(vec![Failure::NodeNotFound(id)]),
            };
            same_outcome(step, op, got, want);
        }
        Op::RemoveNode { node } => {
            let id = m.pick_node(*node);
            let got = g.remove_node(id);
            let want = if let Some(f) = m.node_missing(id) {
                Err(vec![f])
            } else {
                let count = m.rels_touching(id).len();
                if count > 0 {
                    Err(vec![Failure::HasRelationships(id, count)])
                } else {
                    m.nodes.remove(&id);
                    Ok(())
                }
            };
            same_outcome(step, op, got, want);
        }
        Op::DetachRemoveNode { node } => {
            let id = m.pick_node(*node);
            let got = g.detach_remove_node(id);
            let want = if let Some(f) = m.node_missing(id) {
                Err(vec![f])
            } else {
                let rels = m.rels_touching(id);
                for r in &rels {
                    m.rels.remove(r);
                }
                m.nodes.remove(&id);
                Ok(rels.len())
            };
            same_outcome(step, op, got, want);
        }
        Op::RemoveRel { rel } => {
            let id = m.pick_rel(*rel);
            let got = g.remove_relationship(id);
            let want = match m.rels.remove(&id) {
                Some(_) => Ok(()),
                None => Err(vec![Failure::RelNotFound(id)]),
            };
            same_outcome(step, op, got, want);
        }
        Op::SetRelProp { rel, key, value } => {
            let id = m.pick_rel(*rel);
            let key = REL_KEYS[*key];
            let mut reasons: Vec<Failure> = m.rel_missing(id).into_iter().collect();
            reasons.extend(invalid_reasons([(key, value)]));
            let got = g.set_relationship_property(id, key, value.clone());
            let want = match m.rels.get_mut(&id) {
                Some(r) if reasons.is_empty() => Ok(set_prop(&mut r.props, key, value.clone())),
                _ => Err(reasons),
            };
            same_outcome(step, op, got, want);
        }
        Op::RemoveRelProp { rel, key } => {
            let id = m.pick_rel(*rel);
            let key = REL_KEYS[*key];
            let got = g.remove_relationship_property(id, key);
            let want = match m.rels.get_mut(&id) {
                Some(r) => Ok(r.props.remove(key)),
                None => Err(vec![Failure::RelNotFound(id)]),
            };
            same_outcome(step, op, got, want);
        }
    }
}

/// Checks that the graph and the model agree on everything observable.
fn check(step: usize, op: &Op, g: &Graph, m: &Model) {
    let ctx = || format!("after step {step} {op:?}");

    // Live ids.
    let nodes: BTreeSet<NodeId> = g.nodes().collect();
    let want_nodes: BTreeSet<NodeId> = m.nodes.keys().copied().collect();
    assert_eq!(nodes, want_nodes, "live nodes {}", ctx());
    assert_eq!(g.node_count(), m.nodes.len(), "node_count {}", ctx());
    let rels: BTreeSet<RelId> = g.relationships().collect();
    let want_rels: BTreeSet<RelId> = m.rels.keys().copied().collect();
    assert_eq!(rels, want_rels, "live relationships {}", ctx());
    assert_eq!(
        g.relationship_count(),
        m.rels.len(),
        "relationship_count {}",
        ctx()
    );
    for id in &m.node_history {
        assert_eq!(
            g.contains_node(*id),
            m.nodes.contains_key(id),
            "contains_node({id}) {}",
            ctx()
        );
    }
    for id in &m.rel_history {
        assert_eq!(
            g.contains_relationship(*id),
            m.rels.contains_key(id),
            "contains_relationship {}",
            ctx()
        );
    }

    // Each node: labels and properties.
    for (id, want) in &m.nodes {
        let node = g
            .node(*id)
            .unwrap_or_else(|e| panic!("node({id}): {e:?} {}", ctx()));
        assert_eq!(node.id(), *id);
        let labels: Vec<&str> = node.labels().collect();
        let label_set: BTreeSet<String> = labels.iter().map(|l| (*l).to_owned()).collect();
        assert_eq!(
            labels.len(),
            label_set.len(),
            "duplicate labels on {id}: {labels:?} {}",
            ctx()
        );
        assert_eq!(label_set, want.labels, "labels of {id} {}", ctx());
        for l in LABELS {
            assert_eq!(
                node.has_label(l),
                want.labels.contains(l),
                "has_label({l}) on {id} {}",
                ctx()
            );
        }
        let props: Vec<(&str, &Value)> = node.properties().collect();
        let prop_map: BTreeMap<String, Value> = props
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).clone()))
            .collect();
        assert_eq!(props.len(), prop_map.len(), "duplicate keys on {id} {}", ctx());
        assert_eq!(prop_map, want.props, "properties of {id} {}", ctx());
        for k in NODE_KEYS {
            assert_eq!(
                node.property(k),
                want.props.get(k),
                "property {k} of {id} {}",
                ctx()
            );
        }
    }

    // Each relationship.
    for (id, want) in &m.rels {
        let rel = g
            .relationship(*id)
            .unwrap_or_else(|e| panic!("relationship({id}): {e:?} {}", ctx()));
        assert_eq!(
            (rel.id(), rel.start(), rel.end(), rel.rel_type()),
            (*id, want.start, want.end, want.ty.as_str()),
            "relationship {id} {}",
            ctx()
        );
        let props: BTreeMap<String, Value> =
            rel.properties().map(|(k, v)| (k.to_owned(), v.clone())).collect();
        assert_eq!(
            rel.properties().count(),
            props.len(),
            "duplicate keys on {id} {}",
            ctx()
        );
        assert_eq!(props, want.props, "properties of {id} {}", ctx());
    }

    // The label index and the counts.
    for l in LABELS {
        let have: Vec<NodeId> = g.nodes_with_label(l).collect();
        let mut sorted_have = have.clone();
        sorted_have.sort();
        assert_eq!(
            sorted_have,
            m.nodes_with_label(l),
            "nodes_with_label({l}) {}",
            ctx()
        );
    }
    let mut label_counts: Vec<(String, usize)> = g
        .label_counts()
        .into_iter()
        .map(|(l, n)| (l.to_owned(), n))
        .collect();
    label_counts.sort();
    let want_label_counts: Vec<(String, usize)> = LABELS
        .iter()
        .map(|l| ((*l).to_owned(), m.nodes_with_label(l).len()))
        .filter(|(_, n)| *n > 0)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    assert_eq!(label_counts, want_label_counts, "label_counts {}", ctx());
    let mut type_counts: Vec<(String, usize)> = g
        .relationship_type_counts()
        .into_iter()
        .map(|(t, n)| (t.to_owned(), n))
        .collect();
    type_counts.sort();
    let mut want_type_counts: BTreeMap<String, usize> = BTreeMap::new();
    for r in m.rels.values() {
        *want_type_counts.entry(r.ty.clone()).or_default() += 1;
    }
    assert_eq!(
        type_counts,
        want_type_counts.into_iter().collect::<Vec<_>>(),
        "relationship_type_counts {}",
        ctx()
    );

    // The name index, through lookup and resolve.
    for name in NAMES.iter().chain(&EXTRA_LOOKUPS) {
        let mut have = g.lookup(name).to_vec();
        have.sort();
        let want = m.lookup(name);
        assert_eq!(have, want, "lookup({name:?}) {}", ctx());
        match (g.resolve(name), want.as_slice()) {
            (Err(GraphError::NameNotFound { name: n }), []) => assert_eq!(n, *name),
            (Ok(id), [one]) => assert_eq!(id, *one, "resolve({name:?}) {}", ctx()),
            (
                Err(GraphError::AmbiguousName {
                    name: n,
                    mut candidates,
                }),
                many,
            ) if many.len() > 1 => {
                assert_eq!(n, *name);
                candidates.sort();
                let want: Vec<(NodeId, String)> = many
                    .iter()
                    .map(|id| {
                        let canonical = m.nodes[id]
                            .props
                            .get("name")
                            .and_then(Value::as_str)
                            .unwrap_or("");
                        (*id, canonical.to_owned())
                    })
                    .collect();
                assert_eq!(candidates, want, "resolve({name:?}) candidates {}", ctx());
            }
            (got, want) => panic!("resolve({name:?}) = {got:?}, model has {want:?} {}", ctx()),
        }
    }

    // The relationships around a sample of nodes (the first eight of the history, live or
    // not, and a never-existing id).
    let mut sample: Vec<NodeId> = m.node_history.iter().take(8).copied().collect();
    sample.extend(m.node_history.iter().rev().take(4).copied());
    sample.push(NodeId::from_index(GHOST_NODE));
    for id in sample {
        for dir in [Direction::Outgoing, Direction::Incoming, Direction::Both] {
            for ty in [None, Some(NEVER_TYPE)]
                .into_iter()
                .chain(TYPES.iter().map(|t| Some(*t)))
            {
                match g.relationships_of(id, dir, ty) {
                    Ok(it) => {
                        assert!(
                            m.nodes.contains_key(&id),
                            "relationships_of({id}) of a dead node {}",
                            ctx()
                        );
                        let mut have: Vec<RelId> = it.collect();
                        have.sort();
                        assert_eq!(
                            have,
                            m.rels_of(id, dir, ty),
                            "relationships_of({id}, {dir:?}, {ty:?}) {}",
                            ctx()
                        );
                    }
                    Err(e) => {
                        assert!(
                            !m.nodes.contains_key(&id),
                            "relationships_of({id}): {e:?} {}",
                            ctx()
                        );
                        assert_eq!(e, GraphError::NodeNotFound { id });
                    }
                }
            }
        }
    }

    if let Err(e) = g.check_invariants() {
        panic!("check_invariants: {e} {}", ctx());
    }
}

fn run(ops: &[Op]) {
    let mut g = Graph::new();
    let mut m = Model::default();
    for (step, op) in ops.iter().enumerate() {
        apply(step, op, &mut g, &mut m);
        check(step, op, &g, &m);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn graph_agrees_with_the_reference_model(ops in vec(op(), 1..60)) {
        run(&ops);
    }
}

/// A fixed sequence exercising id reuse, name keys and failed removals, checked like a case.
#[test]
fn fixed_sequence_agrees_with_the_reference_model() {
    let i = Pick;
    let ops = vec![
        Op::AddNode {
            labels: BTreeSet::from([0, 1]),
            props: BTreeMap::from([(0, Value::from("Pfizer")), (2, Value::from(vec!["辉瑞", "A"]))]),
        },
        Op::AddNode {
            labels: BTreeSet::from([0]),
            props: BTreeMap::from([(1, Value::from("Ｐｆｉｚｅｒ"))]),
        },
        Op::AddRel {
            start: i(0),
            end: i(0),
            ty: 0,
            props: BTreeMap::from([(0, Value::Int(1))]),
        },
        Op::RemoveNode { node: i(0) },
        Op::SetNodeProp {
            node: i(1),
            key: 0,
            value: Value::from(" a "),
        },
        Op::DetachRemoveNode { node: i(0) },
        Op::AddNode {
            labels: BTreeSet::from([2]),
            props: BTreeMap::from([(2, Value::from("pfizer"))]),
        },
        Op::SetNodeProp {
            node: i(1),
            key: 2,
            value: Value::List(vec![Value::Node(NodeId::from_index(0))]),
        },
        Op::RemoveLabel { node: i(1), label: 0 },
        Op::RemoveNodeProp { node: i(1), key: 1 },
    ];
    run(&ops);
}
