//! The property graph: nodes with labels and properties, typed relationships with
//! properties, over `petgraph::stable_graph::StableDiGraph`.
//!
//! Architecture invariants:
//! - Ids are petgraph's stable indices: removing an item never renumbers another.
//! - Every node id in `label_index[l]` is a live node carrying label `l`, and every live node is
//!   in the set of each of its labels; the name index holds exactly the normalised names of the
//!   live nodes (see `names.rs`). All mutations go through the methods of this module, which
//!   keep both true after every call, successful or not: a call that fails changes nothing.
//! - Labels, types and keys are interned; storage holds only their numbers.

pub(crate) mod adjacency;
pub(crate) mod bulk;
pub(crate) mod convert;
pub(crate) mod error;
pub(crate) mod id;
pub(crate) mod intern;
pub(crate) mod journal;
pub(crate) mod labels;
pub(crate) mod names;
mod resolve;
pub(crate) mod schema;
pub(crate) mod temporal;
pub(crate) mod type_index;
pub(crate) mod value;
pub(crate) mod visit;

use std::collections::HashMap;

use petgraph::stable_graph::StableDiGraph;

pub use convert::ValueError;
pub use error::GraphError;
pub use id::{NodeId, RelId};
pub(crate) use intern::{KeyId, LabelId, SymbolSizes, Symbols, TypeId};
use names::{NameIndex, NAME_KEYS};
pub use value::Value;

/// Which relationships of a node to follow.
///
/// ```
/// use kgraph::{Direction, Graph};
/// let mut g = Graph::new();
/// let a = g.add_node(&["A"], [("name", "a")])?;
/// let b = g.add_node(&["B"], [("name", "b")])?;
/// g.add_relationship(a, b, "T", Vec::<(&str, kgraph::Value)>::new())?;
/// assert_eq!(g.relationships_of(a, Direction::Outgoing, None)?.count(), 1);
/// assert_eq!(g.relationships_of(a, Direction::Incoming, None)?.count(), 0);
/// assert_eq!(g.relationships_of(b, Direction::Both, Some("T"))?.count(), 1);
/// # Ok::<_, kgraph::GraphError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Direction {
    /// Relationships that start at the node.
    Outgoing,
    /// Relationships that end at the node.
    Incoming,
    /// Both; a self-loop is listed once.
    Both,
}

/// The properties of one node or relationship: sorted by key number, few per item.
///
/// A boxed slice, not a vector: two words instead of three in every node and relationship, and
/// no spare capacity. Properties are read far more often than changed; a change reallocates.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Props(Box<[(KeyId, Value)]>);

impl Props {
    pub(crate) fn get(&self, key: KeyId) -> Option<&Value> {
        if self.0.len() <= 8 {
            // A few keys: a scan of adjacent pairs beats the branches of a binary search.
            return self.0.iter().find(|(k, _)| *k == key).map(|(_, v)| v);
        }
        self.0
            .binary_search_by_key(&key, |(k, _)| *k)
            .ok()
            .and_then(|i| self.0.get(i))
            .map(|(_, v)| v)
    }

    /// Sets or (with `Null`) removes; returns the old value.
    pub(crate) fn set(&mut self, key: KeyId, value: Value) -> Option<Value> {
        match self.0.binary_search_by_key(&key, |(k, _)| *k) {
            Ok(i) if value.is_null() => {
                let mut pairs = std::mem::take(&mut self.0).into_vec();
                let old = pairs.remove(i).1;
                self.0 = pairs.into_boxed_slice();
                Some(old)
            }
            Ok(i) => self
                .0
                .get_mut(i)
                .map(|slot| std::mem::replace(&mut slot.1, value)),
            Err(_) if value.is_null() => None,
            Err(i) => {
                let mut pairs = std::mem::take(&mut self.0).into_vec();
                pairs.insert(i, (key, value));
                self.0 = pairs.into_boxed_slice();
                None
            }
        }
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = (KeyId, &Value)> {
        self.0.iter().map(|(k, v)| (*k, v))
    }

    /// The pairs, sorted by key.
    pub(crate) fn into_pairs(self) -> Vec<(KeyId, Value)> {
        self.0.into_vec()
    }

    /// Properties from pairs in any order, as if each were `set` in turn: of pairs with the
    /// same key the last wins, and a `Null` removes the key. One allocation, not one a key.
    pub(crate) fn from_pairs(mut pairs: Vec<(KeyId, Value)>) -> Props {
        // A stable sort keeps the pairs of one key in the order they were given.
        pairs.sort_by_key(|(k, _)| *k);
        let mut out: Vec<(KeyId, Value)> = Vec::with_capacity(pairs.len());
        let mut last_key = None;
        for (k, v) in pairs {
            if last_key == Some(k) {
                if let Some(slot) = out.last_mut() {
                    slot.1 = v;
                }
            } else {
                out.push((k, v));
                last_key = Some(k);
            }
        }
        out.retain(|(_, v)| !v.is_null());
        Props(out.into_boxed_slice())
    }
}

#[derive(Clone, Debug)]
pub(crate) struct NodeData {
    /// Sorted, no duplicates.
    pub(crate) labels: Vec<LabelId>,
    pub(crate) props: Props,
}

#[derive(Clone, Debug)]
pub(crate) struct RelData {
    pub(crate) ty: TypeId,
    pub(crate) props: Props,
}

#[derive(Clone, Debug)]
struct UniqueConstraint {
    label: LabelId,
    key: KeyId,
    owners: HashMap<Value, NodeId>,
}

/// An in-memory property graph with a label index, a name index and interned symbols.
///
/// ```
/// use kgraph::{Direction, Graph};
/// let mut g = Graph::new();
/// let az = g.add_node(&["Company"], [("name", "AstraZeneca"), ("name_zh", "阿斯利康")])?;
/// let etown = g.add_node(&["Place"], [("name", "Beijing E-Town")])?;
/// g.add_relationship(az, etown, "INVESTS_IN", [("amount", 2.5e9)])?;
/// assert_eq!(g.resolve("阿斯利康")?, az);
/// let out: Vec<_> = g.relationships_of(az, Direction::Outgoing, Some("INVESTS_IN"))?.collect();
/// assert_eq!(g.relationship(out[0])?.property("amount"), Some(&2.5e9.into()));
/// # Ok::<_, kgraph::GraphError>(())
/// ```
#[derive(Debug, Default)]
pub struct Graph {
    pub(crate) inner: StableDiGraph<NodeData, RelData, u32>,
    pub(crate) symbols: Symbols,
    /// Indexed by `LabelId`.
    label_index: Vec<labels::LabelSet>,
    names: NameIndex,
    /// Each node's relationships, side by side (see `adjacency.rs`).
    adjacency: adjacency::Adjacency,
    /// The relationships of each type, built on demand (see `type_index.rs`).
    type_index: std::sync::OnceLock<type_index::TypeIndex>,
    constraints: Vec<UniqueConstraint>,
    /// Whether no two nodes may share a name key (see [`Graph::require_unique_names`]).
    unique_names: bool,
    /// The property indexes and the constraints' names (see `schema.rs`).
    schema: schema::Schema,
    /// While on, the record of every change (see `journal.rs`); a clone starts without one.
    journal: Option<Box<journal::Journal>>,
    /// A statement's journal, kept between statements with its allocation (see
    /// `journal_discard`).
    idle_journal: Option<Box<journal::Journal>>,
    /// The identity that caches of plans key on (see `journal::CacheId`).
    pub(crate) cache_id: journal::CacheId,
}

impl Clone for Graph {
    /// A copy of the graph's state; it has its own plan-cache identity and no journal.
    fn clone(&self) -> Graph {
        Graph {
            inner: self.inner.clone(),
            symbols: self.symbols.clone(),
            label_index: self.label_index.clone(),
            names: self.names.clone(),
            adjacency: self.adjacency.clone(),
            type_index: self.type_index.clone(),
            constraints: self.constraints.clone(),
            unique_names: self.unique_names,
            schema: self.schema.clone(),
            journal: None,
            idle_journal: None,
            cache_id: journal::CacheId::default(),
        }
    }
}

/// A read-only view of one node.
///
/// ```
/// use kgraph::Graph;
/// let mut g = Graph::new();
/// let n = g.add_node(&["Company", "Listed"], [("name", "Mindray")])?;
/// let node = g.node(n)?;
/// assert_eq!(node.labels().collect::<Vec<_>>(), ["Company", "Listed"]);
/// assert!(node.has_label("Listed"));
/// assert_eq!(node.property("name").and_then(|v| v.as_str()), Some("Mindray"));
/// # Ok::<_, kgraph::GraphError>(())
/// ```
#[derive(Clone, Copy)]
pub struct NodeRef<'g> {
    graph: &'g Graph,
    id: NodeId,
    data: &'g NodeData,
}

impl<'g> NodeRef<'g> {
    /// The node's id.
    ///
    /// ```
    /// # let mut g = kgraph::Graph::new();
    /// let n = g.add_node(&["A"], [("k", 1)])?;
    /// assert_eq!(g.node(n)?.id(), n);
    /// # Ok::<_, kgraph::GraphError>(())
    /// ```
    pub fn id(&self) -> NodeId {
        self.id
    }

    /// The node's labels, in the order they were first used in the graph.
    ///
    /// ```
    /// # let mut g = kgraph::Graph::new();
    /// let n = g.add_node(&["B", "A"], [("k", 1)])?;
    /// assert_eq!(g.node(n)?.labels().count(), 2);
    /// # Ok::<_, kgraph::GraphError>(())
    /// ```
    pub fn labels(&self) -> impl Iterator<Item = &'g str> + 'g + use<'g> {
        let symbols = &self.graph.symbols;
        self.data.labels.iter().map(move |l| symbols.label_name(*l))
    }

    /// True if the node carries the label.
    ///
    /// ```
    /// # let mut g = kgraph::Graph::new();
    /// let n = g.add_node(&["A"], [("k", 1)])?;
    /// assert!(!g.node(n)?.has_label("B"));
    /// # Ok::<_, kgraph::GraphError>(())
    /// ```
    pub fn has_label(&self, label: &str) -> bool {
        self.graph
            .symbols
            .find_label(label)
            .is_some_and(|l| self.data.labels.binary_search(&l).is_ok())
    }

    /// The value of one property, if the node has it.
    ///
    /// ```
    /// # let mut g = kgraph::Graph::new();
    /// let n = g.add_node(&["A"], [("k", 1)])?;
    /// assert_eq!(g.node(n)?.property("k"), Some(&kgraph::Value::Int(1)));
    /// # Ok::<_, kgraph::GraphError>(())
    /// ```
    pub fn property(&self, key: &str) -> Option<&'g Value> {
        self.graph
            .symbols
            .find_key(key)
            .and_then(|k| self.data.props.get(k))
    }

    /// Every property, in the order the keys were first used in the graph.
    ///
    /// ```
    /// # let mut g = kgraph::Graph::new();
    /// let n = g.add_node(&["A"], [("a", 1), ("b", 2)])?;
    /// assert_eq!(g.node(n)?.properties().count(), 2);
    /// # Ok::<_, kgraph::GraphError>(())
    /// ```
    pub fn properties(&self) -> impl Iterator<Item = (&'g str, &'g Value)> + 'g + use<'g> {
        let symbols = &self.graph.symbols;
        self.data.props.iter().map(move |(k, v)| (symbols.key_name(k), v))
    }
}

/// A read-only view of one relationship.
///
/// ```
/// use kgraph::Graph;
/// let mut g = Graph::new();
/// let a = g.add_node(&["A"], [("name", "a")])?;
/// let r = g.add_relationship(a, a, "SELF", [("w", 1)])?;
/// let rel = g.relationship(r)?;
/// assert_eq!((rel.rel_type(), rel.start(), rel.end()), ("SELF", a, a));
/// # Ok::<_, kgraph::GraphError>(())
/// ```
#[derive(Clone, Copy)]
pub struct RelRef<'g> {
    graph: &'g Graph,
    id: RelId,
    start: NodeId,
    end: NodeId,
    data: &'g RelData,
}

impl<'g> RelRef<'g> {
    /// The relationship's id.
    ///
    /// ```
    /// # let mut g = kgraph::Graph::new();
    /// # let a = g.add_node(&["A"], [("name", "a")])?;
    /// let r = g.add_relationship(a, a, "T", [("w", 1)])?;
    /// assert_eq!(g.relationship(r)?.id(), r);
    /// # Ok::<_, kgraph::GraphError>(())
    /// ```
    pub fn id(&self) -> RelId {
        self.id
    }

    /// The relationship's type.
    ///
    /// ```
    /// # let mut g = kgraph::Graph::new();
    /// # let a = g.add_node(&["A"], [("name", "a")])?;
    /// let r = g.add_relationship(a, a, "T", [("w", 1)])?;
    /// assert_eq!(g.relationship(r)?.rel_type(), "T");
    /// # Ok::<_, kgraph::GraphError>(())
    /// ```
    pub fn rel_type(&self) -> &'g str {
        self.graph.symbols.type_name(self.data.ty)
    }

    /// The start node.
    ///
    /// ```
    /// # let mut g = kgraph::Graph::new();
    /// # let a = g.add_node(&["A"], [("name", "a")])?;
    /// let r = g.add_relationship(a, a, "T", [("w", 1)])?;
    /// assert_eq!(g.relationship(r)?.start(), a);
    /// # Ok::<_, kgraph::GraphError>(())
    /// ```
    pub fn start(&self) -> NodeId {
        self.start
    }

    /// The end node.
    ///
    /// ```
    /// # let mut g = kgraph::Graph::new();
    /// # let a = g.add_node(&["A"], [("name", "a")])?;
    /// let r = g.add_relationship(a, a, "T", [("w", 1)])?;
    /// assert_eq!(g.relationship(r)?.end(), a);
    /// # Ok::<_, kgraph::GraphError>(())
    /// ```
    pub fn end(&self) -> NodeId {
        self.end
    }

    /// The value of one property, if the relationship has it.
    ///
    /// ```
    /// # let mut g = kgraph::Graph::new();
    /// # let a = g.add_node(&["A"], [("name", "a")])?;
    /// let r = g.add_relationship(a, a, "T", [("w", 1)])?;
    /// assert_eq!(g.relationship(r)?.property("w"), Some(&kgraph::Value::Int(1)));
    /// # Ok::<_, kgraph::GraphError>(())
    /// ```
    pub fn property(&self, key: &str) -> Option<&'g Value> {
        self.graph
            .symbols
            .find_key(key)
            .and_then(|k| self.data.props.get(k))
    }

    /// Every property.
    ///
    /// ```
    /// # let mut g = kgraph::Graph::new();
    /// # let a = g.add_node(&["A"], [("name", "a")])?;
    /// let r = g.add_relationship(a, a, "T", [("w", 1)])?;
    /// assert_eq!(g.relationship(r)?.properties().count(), 1);
    /// # Ok::<_, kgraph::GraphError>(())
    /// ```
    pub fn properties(&self) -> impl Iterator<Item = (&'g str, &'g Value)> + 'g + use<'g> {
        let symbols = &self.graph.symbols;
        self.data.props.iter().map(move |(k, v)| (symbols.key_name(k), v))
    }
}

fn check_name(name: &str, what: &'static str) -> Result<(), GraphError> {
    if name.is_empty() {
        Err(GraphError::EmptyName { what })
    } else {
        Ok(())
    }
}

fn check_value(key: &str, value: &Value) -> Result<(), GraphError> {
    check_name(key, "property key")?;
    // First, so that the walks below (and the codecs later) see a bounded depth.
    if value.nested_deeper_than(Value::MAX_NESTING) {
        return Err(GraphError::ValueTooDeep {
            key: key.to_owned(),
            max: Value::MAX_NESTING,
        });
    }
    if value.contains_map() {
        return Err(GraphError::MapValue { key: key.to_owned() });
    }
    if value.is_storable() {
        Ok(())
    } else {
        Err(GraphError::InvalidPropertyValue {
            key: key.to_owned(),
            type_name: value.type_name(),
        })
    }
}

impl Graph {
    /// An empty graph.
    ///
    /// ```
    /// assert_eq!(kgraph::Graph::new().node_count(), 0);
    /// ```
    pub fn new() -> Graph {
        Graph::default()
    }

    /// The number of nodes.
    ///
    /// ```
    /// # let mut g = kgraph::Graph::new();
    /// g.add_node(&["A"], [("k", 1)])?;
    /// assert_eq!(g.node_count(), 1);
    /// # Ok::<_, kgraph::GraphError>(())
    /// ```
    pub fn node_count(&self) -> usize {
        self.inner.node_count()
    }

    /// The number of relationships.
    ///
    /// ```
    /// assert_eq!(kgraph::Graph::new().relationship_count(), 0);
    /// ```
    pub fn relationship_count(&self) -> usize {
        self.inner.edge_count()
    }

    /// Adds a node with the given labels (duplicates ignored) and properties (`Null` values
    /// skipped). Fails, adding nothing, on an empty label or key, a value that cannot be stored,
    /// or a broken unique constraint.
    ///
    /// ```
    /// use kgraph::{Graph, Value};
    /// let mut g = Graph::new();
    /// let n = g.add_node(&["Company"], [("name", Value::from("Mindray")), ("country", "CN".into())])?;
    /// assert_eq!(g.node(n)?.properties().count(), 2);
    /// assert!(g.add_node(&[""], [("name", "x")]).is_err());
    /// # Ok::<_, kgraph::GraphError>(())
    /// ```
    pub fn add_node<K, V, I>(&mut self, labels: &[&str], props: I) -> Result<NodeId, GraphError>
    where
        K: AsRef<str>,
        V: Into<Value>,
        I: IntoIterator<Item = (K, V)>,
    {
        let props: Vec<(K, Value)> = props.into_iter().map(|(k, v)| (k, v.into())).collect();
        for label in labels {
            check_name(label, "label")?;
        }
        for (k, v) in &props {
            check_value(k.as_ref(), v)?;
        }
        if self.unique_names {
            self.check_unique_names(
                None,
                props
                    .iter()
                    .filter(|(k, _)| NAME_KEYS.contains(&k.as_ref()))
                    .map(|(_, v)| v),
            )?;
        }
        // Constraints are checked before any name is interned, so a refused call leaves no
        // trace: a label or key the graph has never seen cannot be under a constraint.
        if !self.constraints.is_empty() {
            let mut known: Vec<LabelId> = labels.iter().filter_map(|l| self.symbols.find_label(l)).collect();
            known.sort_unstable();
            known.dedup();
            let mut data = Props::default();
            for (k, v) in &props {
                if let Some(key) = self.symbols.find_key(k.as_ref()) {
                    data.set(key, v.clone());
                }
            }
            self.check_constraints_for(None, &known, &data)?;
        }
        let mut label_ids: Vec<LabelId> = labels.iter().map(|l| self.symbols.label(l)).collect();
        label_ids.sort_unstable();
        label_ids.dedup();
        let mut data = Props::default();
        for (k, v) in props {
            let key = self.symbols.key(k.as_ref());
            data.set(key, v);
        }
        Ok(self.insert_node_unchecked(label_ids, data))
    }

    /// Inserts a node whose labels are sorted and whose values were checked, after checking
    /// the unique constraints.
    pub(crate) fn insert_node_checked(
        &mut self,
        labels: Vec<LabelId>,
        props: Props,
    ) -> Result<NodeId, GraphError> {
        self.check_constraints_for(None, &labels, &props)?;
        if self.unique_names {
            self.check_unique_names(None, self.name_values(&props))?;
        }
        Ok(self.insert_node_unchecked(labels, props))
    }

    /// Inserts a node whose labels are sorted and whose values were checked.
    pub(crate) fn insert_node_unchecked(&mut self, labels: Vec<LabelId>, props: Props) -> NodeId {
        let id = NodeId::from_ix(self.inner.add_node(NodeData {
            labels: Vec::new(),
            props: Props::default(),
        }));
        for l in &labels {
            self.label_set_mut(*l).insert(id);
        }
        self.index_names(id, &props, true);
        self.constraint_insert(id, &labels, &props);
        if self.journaling() {
            let (labels, props) = match self.journal_redoes() {
                true => (labels.clone(), props.clone()),
                false => (Vec::new(), Props::default()),
            };
            self.record(|| journal::Change::NodeAdded { id, labels, props });
        }
        if let Some(slot) = self.inner.node_weight_mut(id.ix()) {
            *slot = NodeData { labels, props };
        }
        id
    }

    /// Adds a relationship of type `rel_type` from `start` to `end`.
    ///
    /// ```
    /// # let mut g = kgraph::Graph::new();
    /// let a = g.add_node(&["Company"], [("name", "AstraZeneca")])?;
    /// let b = g.add_node(&["Company"], [("name", "Daiichi Sankyo")])?;
    /// let r = g.add_relationship(a, b, "SIGNS_WITH", [("source", "001_e0d1812e1d7dabb9")])?;
    /// assert_eq!(g.relationship(r)?.start(), a);
    /// assert!(g.add_relationship(a, kgraph::NodeId::from_index(99), "X", [("k", 1)]).is_err());
    /// # Ok::<_, kgraph::GraphError>(())
    /// ```
    pub fn add_relationship<K, V, I>(
        &mut self,
        start: NodeId,
        end: NodeId,
        rel_type: &str,
        props: I,
    ) -> Result<RelId, GraphError>
    where
        K: AsRef<str>,
        V: Into<Value>,
        I: IntoIterator<Item = (K, V)>,
    {
        self.node_data(start)?;
        self.node_data(end)?;
        check_name(rel_type, "relationship type")?;
        let props: Vec<(K, Value)> = props.into_iter().map(|(k, v)| (k, v.into())).collect();
        for (k, v) in &props {
            check_value(k.as_ref(), v)?;
        }
        let ty = self.symbols.rel_type(rel_type);
        let mut data = Props::default();
        for (k, v) in props {
            let key = self.symbols.key(k.as_ref());
            data.set(key, v);
        }
        Ok(self.insert_rel_unchecked(start, end, ty, data))
    }

    pub(crate) fn insert_rel_unchecked(
        &mut self,
        start: NodeId,
        end: NodeId,
        ty: TypeId,
        props: Props,
    ) -> RelId {
        let copy = self.journaling().then(|| match self.journal_redoes() {
            true => props.clone(),
            false => Props::default(),
        });
        let rel = RelId::from_ix(self.inner.add_edge(start.ix(), end.ix(), RelData { ty, props }));
        self.adjacency.add(rel, start, end, ty);
        self.type_index.take();
        if let Some(props) = copy {
            self.record(|| journal::Change::RelAdded {
                id: rel,
                start,
                end,
                ty,
                props,
            });
        }
        rel
    }

    pub(crate) fn node_data(&self, id: NodeId) -> Result<&NodeData, GraphError> {
        // A match, not `ok_or`: the error (which has drop glue) is built only when missing.
        match self.inner.node_weight(id.ix()) {
            Some(d) => Ok(d),
            None => Err(GraphError::NodeNotFound { id }),
        }
    }

    pub(crate) fn rel_data(&self, id: RelId) -> Result<&RelData, GraphError> {
        match self.inner.edge_weight(id.ix()) {
            Some(d) => Ok(d),
            None => Err(GraphError::RelationshipNotFound { id }),
        }
    }

    pub(crate) fn rel_endpoints(&self, id: RelId) -> Result<(NodeId, NodeId), GraphError> {
        match self.inner.edge_endpoints(id.ix()) {
            Some((a, b)) => Ok((NodeId::from_ix(a), NodeId::from_ix(b))),
            None => Err(GraphError::RelationshipNotFound { id }),
        }
    }

    /// True if a live node has this id.
    ///
    /// ```
    /// # let mut g = kgraph::Graph::new();
    /// let n = g.add_node(&["A"], [("k", 1)])?;
    /// assert!(g.contains_node(n));
    /// g.remove_node(n)?;
    /// assert!(!g.contains_node(n));
    /// # Ok::<_, kgraph::GraphError>(())
    /// ```
    pub fn contains_node(&self, id: NodeId) -> bool {
        self.inner.contains_node(id.ix())
    }

    /// True if a live relationship has this id.
    ///
    /// ```
    /// # let mut g = kgraph::Graph::new();
    /// # let n = g.add_node(&["A"], [("k", 1)])?;
    /// let r = g.add_relationship(n, n, "T", [("k", 1)])?;
    /// assert!(g.contains_relationship(r));
    /// # Ok::<_, kgraph::GraphError>(())
    /// ```
    pub fn contains_relationship(&self, id: RelId) -> bool {
        self.inner.edge_weight(id.ix()).is_some()
    }

    /// A view of one node.
    ///
    /// ```
    /// # let mut g = kgraph::Graph::new();
    /// let n = g.add_node(&["A"], [("k", 1)])?;
    /// assert!(g.node(n)?.has_label("A"));
    /// # Ok::<_, kgraph::GraphError>(())
    /// ```
    pub fn node(&self, id: NodeId) -> Result<NodeRef<'_>, GraphError> {
        let data = self.node_data(id)?;
        Ok(NodeRef {
            graph: self,
            id,
            data,
        })
    }

    /// A view of one relationship.
    ///
    /// ```
    /// # let mut g = kgraph::Graph::new();
    /// # let n = g.add_node(&["A"], [("k", 1)])?;
    /// let r = g.add_relationship(n, n, "T", [("k", 1)])?;
    /// assert_eq!(g.relationship(r)?.rel_type(), "T");
    /// # Ok::<_, kgraph::GraphError>(())
    /// ```
    pub fn relationship(&self, id: RelId) -> Result<RelRef<'_>, GraphError> {
        let data = self.rel_data(id)?;
        let (start, end) = self.rel_endpoints(id)?;
        Ok(RelRef {
            graph: self,
            id,
            start,
            end,
            data,
        })
    }

    /// Every node id, in id order.
    ///
    /// ```
    /// # let mut g = kgraph::Graph::new();
    /// g.add_node(&["A"], [("k", 1)])?;
    /// assert_eq!(g.nodes().count(), 1);
    /// # Ok::<_, kgraph::GraphError>(())
    /// ```
    pub fn nodes(&self) -> impl Iterator<Item = NodeId> + '_ {
        self.inner.node_indices().map(NodeId::from_ix)
    }

    /// Every relationship id, in id order.
    ///
    /// ```
    /// assert_eq!(kgraph::Graph::new().relationships().count(), 0);
    /// ```
    pub fn relationships(&self) -> impl Iterator<Item = RelId> + '_ {
        self.inner.edge_indices().map(RelId::from_ix)
    }

    /// The nodes that carry a label (none for a label never used).
    ///
    /// ```
    /// # let mut g = kgraph::Graph::new();
    /// g.add_node(&["Company"], [("name", "a")])?;
    /// g.add_node(&["Place"], [("name", "b")])?;
    /// assert_eq!(g.nodes_with_label("Company").count(), 1);
    /// assert_eq!(g.nodes_with_label("Nothing").count(), 0);
    /// # Ok::<_, kgraph::GraphError>(())
    /// ```
    pub fn nodes_with_label(&self, label: &str) -> impl Iterator<Item = NodeId> + '_ + use<'_> {
        self.symbols
            .find_label(label)
            .map(|l| self.label_nodes(l))
            .unwrap_or_default()
            .iter()
            .copied()
    }

    /// One past the highest node index in use (removed ones leave holes).
    pub(crate) fn node_bound(&self) -> usize {
        petgraph::visit::NodeIndexable::node_bound(&self.inner)
    }

    /// One past the highest relationship index in use (removed ones leave holes).
    pub(crate) fn rel_bound(&self) -> usize {
        petgraph::visit::EdgeIndexable::edge_bound(&self.inner)
    }

    /// How many relationships the types `types` have together.
    pub(crate) fn typed_rel_count(&self, types: &[TypeId]) -> usize {
        let index = self.type_index();
        types.iter().map(|t| index.of(*t).len()).sum()
    }

    /// The relationships of the types `types`, type after type, each in index order, those at
    /// positions `range` of that sequence: id, start, end, type.
    pub(crate) fn typed_rels(
        &self,
        types: Vec<TypeId>,
        range: std::ops::Range<usize>,
    ) -> impl Iterator<Item = (RelId, NodeId, NodeId, TypeId)> + '_ {
        self.typed_rel_parts(types, range)
            .flat_map(move |(t, part)| part.iter().filter_map(move |r| self.rel_ends_typed(*r, t)))
    }

    /// The relationships of `types` whose position in the list of those types' relationships
    /// (the first type's, then the next's) is in `range`: per type, its part of the range, as
    /// a slice of the type index. A scan loops over these without an iterator per item.
    pub(crate) fn typed_rel_parts(
        &self,
        types: Vec<TypeId>,
        range: std::ops::Range<usize>,
    ) -> impl Iterator<Item = (TypeId, &[RelId])> + '_ {
        let index = self.type_index();
        let mut skip = range.start;
        let mut take = range.end.saturating_sub(range.start);
        types.into_iter().map(move |t| {
            let all = index.of(t);
            let part = all.get(skip.min(all.len())..).unwrap_or_default();
            skip = skip.saturating_sub(all.len());
            let part = part.get(..take.min(part.len())).unwrap_or_default();
            take -= part.len();
            (t, part)
        })
    }

    /// A relationship of type `t` with its ends: (id, start, end, type); `None` if it is gone.
    #[inline]
    pub(crate) fn rel_ends_typed(&self, r: RelId, t: TypeId) -> Option<(RelId, NodeId, NodeId, TypeId)> {
        let (a, b) = self.inner.edge_endpoints(r.ix())?;
        Some((r, NodeId::from_ix(a), NodeId::from_ix(b), t))
    }

    fn type_index(&self) -> &type_index::TypeIndex {
        self.type_index.get_or_init(|| {
            type_index::TypeIndex::build(
                self.symbols.types.len(),
                self.inner
                    .edge_indices()
                    .filter_map(|ix| Some((RelId::from_ix(ix), self.inner.edge_weight(ix)?.ty))),
            )
        })
    }

    /// The relationships whose index is in `range`, in index order (the order of storage):
    /// id, start, end, type.
    pub(crate) fn rels_in(
        &self,
        range: std::ops::Range<usize>,
    ) -> impl Iterator<Item = (RelId, NodeId, NodeId, TypeId)> + '_ {
        range.filter_map(move |i| {
            let ix = petgraph::stable_graph::EdgeIndex::new(i);
            let ty = self.inner.edge_weight(ix)?.ty;
            let (a, b) = self.inner.edge_endpoints(ix)?;
            Some((RelId::from_ix(ix), NodeId::from_ix(a), NodeId::from_ix(b), ty))
        })
    }

    /// True if the node carries the label (false for a dead node), without reading the node.
    pub(crate) fn has_label(&self, id: NodeId, label: LabelId) -> bool {
        self.label_index
            .get(label.index())
            .is_some_and(|s| s.contains(id))
    }

    pub(crate) fn label_nodes(&self, label: LabelId) -> &indexmap::set::Slice<NodeId> {
        self.label_index
            .get(label.index())
            .map_or(Default::default(), |s| s.as_slice())
    }

    /// How many nodes carry each label in use, in the order the labels were first used.
    ///
    /// ```
    /// # let mut g = kgraph::Graph::new();
    /// g.add_node(&["Company"], [("name", "a")])?;
    /// assert_eq!(g.label_counts(), vec![("Company", 1)]);
    /// # Ok::<_, kgraph::GraphError>(())
    /// ```
    pub fn label_counts(&self) -> Vec<(&str, usize)> {
        self.symbols
            .labels
            .iter()
            .enumerate()
            .map(|(i, name)| (name, self.label_index.get(i).map_or(0, labels::LabelSet::len)))
            .filter(|(_, n)| *n > 0)
            .collect()
    }

    /// How many relationships have each type in use, in the order the types were first used.
    ///
    /// ```
    /// # let mut g = kgraph::Graph::new();
    /// # let a = g.add_node(&["A"], [("k", 1)])?;
    /// g.add_relationship(a, a, "T", [("k", 1)])?;
    /// assert_eq!(g.relationship_type_counts(), vec![("T", 1)]);
    /// # Ok::<_, kgraph::GraphError>(())
    /// ```
    pub fn relationship_type_counts(&self) -> Vec<(&str, usize)> {
        let mut counts = vec![0usize; self.symbols.types.len()];
        for w in self.inner.edge_weights() {
            if let Some(c) = counts.get_mut(w.ty.index()) {
                *c += 1;
            }
        }
        self.symbols
            .types
            .iter()
            .zip(counts)
            .filter(|(_, n)| *n > 0)
            .collect()
    }

    /// The relationships of a node in a direction, optionally of one type only.
    ///
    /// ```
    /// use kgraph::{Direction, Graph};
    /// # let mut g = Graph::new();
    /// let a = g.add_node(&["A"], [("k", 1)])?;
    /// g.add_relationship(a, a, "LOOP", [("k", 1)])?;
    /// assert_eq!(g.relationships_of(a, Direction::Both, None)?.count(), 1);
    /// assert_eq!(g.relationships_of(a, Direction::Outgoing, Some("OTHER"))?.count(), 0);
    /// # Ok::<_, kgraph::GraphError>(())
    /// ```
    pub fn relationships_of(
        &self,
        node: NodeId,
        direction: Direction,
        rel_type: Option<&str>,
    ) -> Result<impl Iterator<Item = RelId> + '_ + use<'_>, GraphError> {
        self.node_data(node)?;
        let ty = rel_type.map(|name| self.symbols.find_type(name));
        // A type that was never used matches nothing.
        let never = matches!(ty, Some(None));
        let ty = ty.flatten();
        Ok(self
            .expand(node, direction)
            .filter(move |(_, _, t)| !never && ty.is_none_or(|want| *t == want))
            .map(|(r, _, _)| r))
    }

    /// The (relationship, other node, type) triples around a node; a self-loop once under `Both`.
    pub(crate) fn expand(
        &self,
        node: NodeId,
        direction: Direction,
    ) -> impl Iterator<Item = (RelId, NodeId, TypeId)> + '_ {
        let (out, inc) = self.expand_lists(node, direction);
        // A self-loop is in both parts of the node's list: under `Both`, listed once.
        let both = direction == Direction::Both;
        out.iter()
            .chain(inc.iter().filter(move |a| !(both && a.other == node)))
            .map(|a| (a.rel, a.other, a.ty))
    }

    /// The entries that `expand` walks, as the outgoing and the incoming list, for a loop
    /// that wants no iterator chain. Under `Both`, a self-loop is in both: `expand` skips it in
    /// the second, where its other node is `node`.
    #[inline]
    pub(crate) fn expand_lists(
        &self,
        node: NodeId,
        direction: Direction,
    ) -> (&[adjacency::Adj], &[adjacency::Adj]) {
        let out = match direction {
            Direction::Outgoing | Direction::Both => self.adjacency.outgoing(node),
            Direction::Incoming => &[],
        };
        let inc = match direction {
            Direction::Incoming | Direction::Both => self.adjacency.incoming(node),
            Direction::Outgoing => &[],
        };
        (out, inc)
    }

    /// Sets a node property; `Null` removes it. Returns the previous value.
    ///
    /// ```
    /// use kgraph::Value;
    /// # let mut g = kgraph::Graph::new();
    /// let n = g.add_node(&["A"], [("name", "old")])?;
    /// assert_eq!(g.set_node_property(n, "name", "new")?, Some(Value::from("old")));
    /// assert_eq!(g.resolve("new")?, n);
    /// assert!(g.resolve("old").is_err());
    /// # Ok::<_, kgraph::GraphError>(())
    /// ```
    pub fn set_node_property(
        &mut self,
        id: NodeId,
        key: &str,
        value: impl Into<Value>,
    ) -> Result<Option<Value>, GraphError> {
        let value = value.into();
        check_value(key, &value)?;
        self.node_data(id)?;
        let key = self.symbols.key(key);
        self.set_node_prop_by_key(id, key, value)
    }

    /// Sets a node property by interned key; the value was checked as storable.
    pub(crate) fn set_node_prop_by_key(
        &mut self,
        id: NodeId,
        key: KeyId,
        value: Value,
    ) -> Result<Option<Value>, GraphError> {
        let data = self.node_data(id)?;
        if data.props.get(key).is_some_and(|old| *old == value) {
            return Ok(Some(value));
        }
        if !self.constraints.is_empty() {
            let mut props = data.props.clone();
            props.set(key, value.clone());
            self.check_constraints_for(Some(id), &data.labels, &props)?;
        }
        if self.unique_names && self.symbols.is_name_key(key) {
            self.check_unique_names(Some(id), std::iter::once(&value))?;
        }
        let new = self.journaling().then(|| match self.journal_redoes() {
            true => value.clone(),
            false => Value::Null,
        });
        let old = self.set_node_prop_unchecked(id, key, value);
        if let Some(new) = new {
            let old = old.clone().unwrap_or(Value::Null);
            self.record(|| journal::Change::NodePropSet { id, key, old, new });
        }
        Ok(old)
    }

    /// Sets (or with `Null` removes) a node property, keeping the name index and the
    /// constraints' owners, without checking the constraints or recording the change.
    fn set_node_prop_unchecked(&mut self, id: NodeId, key: KeyId, value: Value) -> Option<Value> {
        let is_name = self.symbols.is_name_key(key);
        let (labels, old_props) = match self.inner.node_weight_mut(id.ix()) {
            Some(data) => (std::mem::take(&mut data.labels), std::mem::take(&mut data.props)),
            None => return None,
        };
        self.constraint_remove(id, &labels, &old_props);
        if is_name {
            self.index_names(id, &old_props, false);
        }
        let mut props = old_props;
        let old = props.set(key, value);
        if is_name {
            self.index_names(id, &props, true);
        }
        self.constraint_insert(id, &labels, &props);
        if let Some(data) = self.inner.node_weight_mut(id.ix()) {
            *data = NodeData { labels, props };
        }
        old
    }

    /// Removes a node property; returns its value, if it had one.
    ///
    /// ```
    /// # let mut g = kgraph::Graph::new();
    /// let n = g.add_node(&["A"], [("k", 1)])?;
    /// assert_eq!(g.remove_node_property(n, "k")?, Some(kgraph::Value::Int(1)));
    /// assert_eq!(g.remove_node_property(n, "k")?, None);
    /// # Ok::<_, kgraph::GraphError>(())
    /// ```
    pub fn remove_node_property(&mut self, id: NodeId, key: &str) -> Result<Option<Value>, GraphError> {
        self.node_data(id)?;
        match self.symbols.find_key(key) {
            Some(k) => self.set_node_prop_by_key(id, k, Value::Null),
            None => Ok(None),
        }
    }

    /// Sets a relationship property; `Null` removes it. Returns the previous value.
    ///
    /// ```
    /// # let mut g = kgraph::Graph::new();
    /// # let n = g.add_node(&["A"], [("k", 1)])?;
    /// let r = g.add_relationship(n, n, "T", [("w", 1)])?;
    /// g.set_relationship_property(r, "w", 2)?;
    /// assert_eq!(g.relationship(r)?.property("w"), Some(&kgraph::Value::Int(2)));
    /// # Ok::<_, kgraph::GraphError>(())
    /// ```
    pub fn set_relationship_property(
        &mut self,
        id: RelId,
        key: &str,
        value: impl Into<Value>,
    ) -> Result<Option<Value>, GraphError> {
        let value = value.into();
        check_value(key, &value)?;
        self.rel_data(id)?;
        let key = self.symbols.key(key);
        self.set_rel_prop_by_key(id, key, value)
    }

    pub(crate) fn set_rel_prop_by_key(
        &mut self,
        id: RelId,
        key: KeyId,
        value: Value,
    ) -> Result<Option<Value>, GraphError> {
        let Some(data) = self.inner.edge_weight_mut(id.ix()) else {
            return Err(GraphError::RelationshipNotFound { id });
        };
        let new = self.journal.as_ref().map(|j| match j.redoes() {
            true => value.clone(),
            false => Value::Null,
        });
        let old = data.props.set(key, value);
        if let Some(new) = new {
            let old = old.clone().unwrap_or(Value::Null);
            self.record(|| journal::Change::RelPropSet { id, key, old, new });
        }
        Ok(old)
    }

    /// Removes a relationship property; returns its value, if it had one.
    ///
    /// ```
    /// # let mut g = kgraph::Graph::new();
    /// # let n = g.add_node(&["A"], [("k", 1)])?;
    /// let r = g.add_relationship(n, n, "T", [("w", 1)])?;
    /// assert!(g.remove_relationship_property(r, "w")?.is_some());
    /// # Ok::<_, kgraph::GraphError>(())
    /// ```
    pub fn remove_relationship_property(
        &mut self,
        id: RelId,
        key: &str,
    ) -> Result<Option<Value>, GraphError> {
        self.rel_data(id)?;
        match self.symbols.find_key(key) {
            Some(k) => self.set_rel_prop_by_key(id, k, Value::Null),
            None => Ok(None),
        }
    }

    /// Adds a label to a node; `false` if it already had it.
    ///
    /// ```
    /// # let mut g = kgraph::Graph::new();
    /// let n = g.add_node(&["A"], [("k", 1)])?;
    /// assert!(g.add_label(n, "B")?);
    /// assert!(!g.add_label(n, "B")?);
    /// assert_eq!(g.nodes_with_label("B").count(), 1);
    /// # Ok::<_, kgraph::GraphError>(())
    /// ```
    pub fn add_label(&mut self, id: NodeId, label: &str) -> Result<bool, GraphError> {
        check_name(label, "label")?;
        self.node_data(id)?;
        let l = self.symbols.label(label);
        self.add_label_id(id, l)
    }

    pub(crate) fn add_label_id(&mut self, id: NodeId, l: LabelId) -> Result<bool, GraphError> {
        let data = self.node_data(id)?;
        let Err(pos) = data.labels.binary_search(&l) else {
            return Ok(false);
        };
        let mut labels = data.labels.clone();
        labels.insert(pos, l);
        let props = data.props.clone();
        self.check_constraints_for(Some(id), &labels, &props)?;
        self.constraint_insert(id, &labels, &props);
        self.node_mut(id)?.labels = labels;
        self.label_set_mut(l).insert(id);
        self.record(|| journal::Change::LabelAdded { id, label: l });
        Ok(true)
    }

    /// Removes a label from a node; `false` if it did not have it.
    ///
    /// ```
    /// # let mut g = kgraph::Graph::new();
    /// let n = g.add_node(&["A", "B"], [("k", 1)])?;
    /// assert!(g.remove_label(n, "B")?);
    /// assert!(!g.remove_label(n, "B")?);
    /// # Ok::<_, kgraph::GraphError>(())
    /// ```
    pub fn remove_label(&mut self, id: NodeId, label: &str) -> Result<bool, GraphError> {
        self.node_data(id)?;
        match self.symbols.find_label(label) {
            Some(l) => self.remove_label_id(id, l),
            None => Ok(false),
        }
    }

    pub(crate) fn remove_label_id(&mut self, id: NodeId, l: LabelId) -> Result<bool, GraphError> {
        let data = self.node_data(id)?;
        let Ok(pos) = data.labels.binary_search(&l) else {
            return Ok(false);
        };
        let props = data.props.clone();
        self.constraint_remove(id, &[l], &props);
        self.node_mut(id)?.labels.remove(pos);
        let at = self.label_set_mut(l).swap_remove_at(&id).unwrap_or(0);
        self.record(|| journal::Change::LabelRemoved {
            id,
            label: l,
            pos: at,
        });
        Ok(true)
    }

    /// Removes a node that has no relationships; fails, changing nothing, if it has some.
    ///
    /// ```
    /// use kgraph::GraphError;
    /// # let mut g = kgraph::Graph::new();
    /// let a = g.add_node(&["A"], [("name", "a")])?;
    /// let b = g.add_node(&["A"], [("name", "b")])?;
    /// g.add_relationship(a, b, "T", [("k", 1)])?;
    /// assert!(matches!(g.remove_node(a), Err(GraphError::NodeHasRelationships { count: 1, .. })));
    /// assert_eq!(g.node_count(), 2);
    /// # Ok::<_, kgraph::GraphError>(())
    /// ```
    pub fn remove_node(&mut self, id: NodeId) -> Result<(), GraphError> {
        self.node_data(id)?;
        let count = self.expand(id, Direction::Both).count();
        if count > 0 {
            return Err(GraphError::NodeHasRelationships { id, count });
        }
        self.remove_node_unchecked(id);
        Ok(())
    }

    /// Removes a node and all its relationships; returns how many relationships went.
    ///
    /// ```
    /// # let mut g = kgraph::Graph::new();
    /// let a = g.add_node(&["A"], [("name", "a")])?;
    /// let b = g.add_node(&["A"], [("name", "b")])?;
    /// g.add_relationship(a, b, "T", [("k", 1)])?;
    /// assert_eq!(g.detach_remove_node(a)?, 1);
    /// assert_eq!((g.node_count(), g.relationship_count()), (1, 0));
    /// # Ok::<_, kgraph::GraphError>(())
    /// ```
    pub fn detach_remove_node(&mut self, id: NodeId) -> Result<usize, GraphError> {
        self.node_data(id)?;
        let rels: Vec<RelId> = self.expand(id, Direction::Both).map(|(r, _, _)| r).collect();
        for r in &rels {
            self.remove_rel_unchecked(*r);
        }
        self.remove_node_unchecked(id);
        Ok(rels.len())
    }

    fn remove_node_unchecked(&mut self, id: NodeId) {
        let Some(data) = self.inner.remove_node(id.ix()) else {
            return;
        };
        let mut label_pos = Vec::with_capacity(data.labels.len());
        for l in &data.labels {
            label_pos.push(self.label_set_mut(*l).swap_remove_at(&id).unwrap_or(0));
        }
        self.index_names(id, &data.props, false);
        self.constraint_remove(id, &data.labels, &data.props);
        self.record(|| journal::Change::NodeRemoved { id, data, label_pos });
    }

    /// Removes a relationship.
    ///
    /// ```
    /// # let mut g = kgraph::Graph::new();
    /// # let n = g.add_node(&["A"], [("k", 1)])?;
    /// let r = g.add_relationship(n, n, "T", [("k", 1)])?;
    /// g.remove_relationship(r)?;
    /// assert!(g.remove_relationship(r).is_err());
    /// # Ok::<_, kgraph::GraphError>(())
    /// ```
    pub fn remove_relationship(&mut self, id: RelId) -> Result<(), GraphError> {
        if self.remove_rel_unchecked(id) {
            Ok(())
        } else {
            Err(GraphError::RelationshipNotFound { id })
        }
    }

    /// Removes a relationship from the storage and the adjacency lists; false if it was not
    /// there.
    fn remove_rel_unchecked(&mut self, id: RelId) -> bool {
        let Some((a, b)) = self.inner.edge_endpoints(id.ix()) else {
            return false;
        };
        let (start, end) = (NodeId::from_ix(a), NodeId::from_ix(b));
        let data = self.inner.remove_edge(id.ix());
        let at = self.adjacency.remove(id, start, end);
        self.type_index.take();
        if let Some(data) = data {
            self.record(|| journal::Change::RelRemoved {
                id,
                start,
                end,
                data,
                at,
            });
        }
        true
    }

    /// Every node whose `name`, `name_zh` or one of whose `aliases` normalises to the same key
    /// as `name` (see [`normalize_name`](crate::normalize_name)).
    ///
    /// ```
    /// # let mut g = kgraph::Graph::new();
    /// let n = g.add_node(&["Company"], [("name", kgraph::Value::from("Pfizer")), ("aliases", vec!["辉瑞中国"].into())])?;
    /// assert_eq!(g.lookup("ＰＦＩＺＥＲ"), &[n]);
    /// assert!(g.lookup("Roche").is_empty());
    /// # Ok::<_, kgraph::GraphError>(())
    /// ```
    pub fn lookup(&self, name: &str) -> &[NodeId] {
        self.names.get(name)
    }

    /// As [`Graph::lookup`], for a name already in the form `normalize_name` gives.
    pub(crate) fn lookup_normalized(&self, key: &str) -> &[NodeId] {
        self.names.get_normalized(key)
    }

    /// The one node that carries `name` as its name, Chinese name or an alias, after
    /// normalisation; a typed error when none or several do.
    ///
    /// ```
    /// use kgraph::GraphError;
    /// # let mut g = kgraph::Graph::new();
    /// let n = g.add_node(&["Company"], [("name", "Pfizer"), ("name_zh", "辉瑞")])?;
    /// assert_eq!(g.resolve("pfizer")?, n);
    /// assert!(matches!(g.resolve("Roche"), Err(GraphError::NameNotFound { .. })));
    /// g.add_node(&["Person"], [("name", "Pfizer")])?;
    /// assert!(matches!(g.resolve("Pfizer"), Err(GraphError::AmbiguousName { .. })));
    /// # Ok::<_, kgraph::GraphError>(())
    /// ```
    pub fn resolve(&self, name: &str) -> Result<NodeId, GraphError> {
        match self.lookup(name) {
            [] => Err(GraphError::NameNotFound {
                name: name.to_owned(),
            }),
            [one] => Ok(*one),
            many => Err(GraphError::AmbiguousName {
                name: name.to_owned(),
                candidates: many
                    .iter()
                    .map(|id| {
                        let canonical = self
                            .node(*id)
                            .ok()
                            .and_then(|n| n.property("name").and_then(Value::as_str).map(str::to_owned))
                            .unwrap_or_default();
                        (*id, canonical)
                    })
                    .collect(),
            }),
        }
    }

    /// Declares that no two nodes with `label` may have equal values of `key`. Fails, adding
    /// nothing, if the graph already breaks it.
    ///
    /// ```
    /// use kgraph::GraphError;
    /// # let mut g = kgraph::Graph::new();
    /// g.add_node(&["Company"], [("name", "Pfizer")])?;
    /// g.create_unique_constraint("Company", "name")?;
    /// let err = g.add_node(&["Company"], [("name", "Pfizer")]).unwrap_err();
    /// assert!(matches!(err, GraphError::ConstraintViolation { .. }));
    /// # Ok::<_, kgraph::GraphError>(())
    /// ```
    pub fn create_unique_constraint(&mut self, label: &str, key: &str) -> Result<(), GraphError> {
        check_name(label, "label")?;
        check_name(key, "property key")?;
        let (Some(l), Some(k)) = (self.symbols.find_label(label), self.symbols.find_key(key)) else {
            // No node can break a constraint on a name the graph has never used.
            let l = self.symbols.label(label);
            let k = self.symbols.key(key);
            return self.add_constraint_ids(l, k);
        };
        self.add_constraint_ids(l, k)
    }

    /// `create_unique_constraint` on interned names.
    pub(crate) fn add_constraint_ids(&mut self, l: LabelId, k: KeyId) -> Result<(), GraphError> {
        if self.constraints.iter().any(|c| c.label == l && c.key == k) {
            return Ok(());
        }
        let mut owners = HashMap::new();
        for id in self.label_nodes(l) {
            let Some(v) = self.node_data(*id).ok().and_then(|d| d.props.get(k)) else {
                continue;
            };
            if let Some(existing) = owners.insert(v.clone(), *id) {
                return Err(GraphError::ConstraintViolation {
                    label: self.symbols.label_name(l).to_owned(),
                    key: self.symbols.key_name(k).to_owned(),
                    value: v.to_string(),
                    existing,
                });
            }
        }
        self.constraints.push(UniqueConstraint {
            label: l,
            key: k,
            owners,
        });
        self.record(|| journal::Change::ConstraintAdded {
            label: l,
            key: k,
            name: None,
        });
        Ok(())
    }

    /// Makes names unique graph-wide: from now on no two nodes may carry `name`, `name_zh` or
    /// `aliases` entries with the same key in the name index (normalised and script-folded, see
    /// [`normalize_name`](crate::normalize_name)), whatever their labels. A node that would
    /// share one is refused with [`GraphError::ConstraintViolation`] (in Cypher,
    /// `ConstraintVerificationFailed`). Fails, changing nothing, if two nodes already share a
    /// name. The embedded dataset has it on. Like the index, it is not stored in a snapshot:
    /// call it again after an open.
    ///
    /// ```
    /// use kgraph::{Graph, GraphError};
    /// let mut g = Graph::new();
    /// g.add_node(&["Company"], [("name", "Pfizer"), ("name_zh", "辉瑞")])?;
    /// g.require_unique_names()?;
    /// let err = g.add_node(&["Company"], [("name", "輝瑞")]).unwrap_err();
    /// assert!(matches!(err, GraphError::ConstraintViolation { .. }));
    /// # Ok::<_, GraphError>(())
    /// ```
    pub fn require_unique_names(&mut self) -> Result<(), GraphError> {
        if let Some((key, nodes)) = self.names.entries().find(|(_, nodes)| nodes.len() > 1) {
            return Err(GraphError::ConstraintViolation {
                label: "*".to_owned(),
                key: "name".to_owned(),
                value: format!("'{key}'"),
                existing: nodes[0],
            });
        }
        if !self.unique_names {
            self.unique_names = true;
            self.record(|| journal::Change::UniqueNamesRequired);
        }
        Ok(())
    }

    /// Whether [`require_unique_names`](Graph::require_unique_names) is on.
    ///
    /// ```
    /// assert!(kgraph::Graph::ecosystem()?.unique_names());
    /// assert!(!kgraph::Graph::new().unique_names());
    /// # Ok::<_, kgraph::Error>(())
    /// ```
    pub fn unique_names(&self) -> bool {
        self.unique_names
    }

    /// Sets the flag of [`require_unique_names`](Graph::require_unique_names) without checking
    /// (for decoders and undo, whose graph was checked when the flag was first set).
    pub(crate) fn set_unique_names_unchecked(&mut self, on: bool) {
        self.unique_names = on;
    }

    /// The name-property values among `props`.
    fn name_values<'p>(&self, props: &'p Props) -> impl Iterator<Item = &'p Value> + 'p + use<'p> {
        let keys: Vec<KeyId> = self.symbols.name_keys().collect();
        keys.into_iter().filter_map(move |k| props.get(k))
    }

    /// Fails if a name among `values` is held by a node other than `id`.
    fn check_unique_names<'v>(
        &self,
        id: Option<NodeId>,
        values: impl Iterator<Item = &'v Value>,
    ) -> Result<(), GraphError> {
        for v in values {
            for name in names::names_in(v) {
                if let Some(other) = self.names.get(name).iter().find(|n| Some(**n) != id) {
                    return Err(GraphError::ConstraintViolation {
                        label: "*".to_owned(),
                        key: "name".to_owned(),
                        value: format!("'{name}'"),
                        existing: *other,
                    });
                }
            }
        }
        Ok(())
    }

    /// Checks the constraints a node with these labels and properties must meet.
    fn check_constraints_for(
        &self,
        id: Option<NodeId>,
        labels: &[LabelId],
        props: &Props,
    ) -> Result<(), GraphError> {
        for c in &self.constraints {
            if labels.binary_search(&c.label).is_err() {
                continue;
            }
            let Some(v) = props.get(c.key) else { continue };
            if let Some(existing) = c.owners.get(v)
                && Some(*existing) != id
            {
                return Err(GraphError::ConstraintViolation {
                    label: self.symbols.label_name(c.label).to_owned(),
                    key: self.symbols.key_name(c.key).to_owned(),
                    value: v.to_string(),
                    existing: *existing,
                });
            }
        }
        Ok(())
    }

    fn constraint_insert(&mut self, id: NodeId, labels: &[LabelId], props: &Props) {
        if !self.schema.indexes.is_empty() {
            self.index_insert(id, labels, props);
        }
        for c in &mut self.constraints {
            if labels.binary_search(&c.label).is_ok()
                && let Some(v) = props.get(c.key)
            {
                c.owners.insert(v.clone(), id);
            }
        }
    }

    fn constraint_remove(&mut self, id: NodeId, labels: &[LabelId], props: &Props) {
        if !self.schema.indexes.is_empty() {
            self.index_remove(id, labels, props);
        }
        for c in &mut self.constraints {
            if labels.binary_search(&c.label).is_ok()
                && let Some(v) = props.get(c.key)
                && c.owners.get(v) == Some(&id)
            {
                c.owners.remove(v);
            }
        }
    }

    fn node_mut(&mut self, id: NodeId) -> Result<&mut NodeData, GraphError> {
        match self.inner.node_weight_mut(id.ix()) {
            Some(d) => Ok(d),
            None => Err(GraphError::NodeNotFound { id }),
        }
    }

    fn label_set_mut(&mut self, l: LabelId) -> &mut labels::LabelSet {
        if self.label_index.len() <= l.index() {
            self.label_index.resize_with(l.index() + 1, Default::default);
        }
        &mut self.label_index[l.index()]
    }

    /// Adds (or removes) the names among `props` to (from) the name index.
    fn index_names(&mut self, id: NodeId, props: &Props, add: bool) {
        for k in self.symbols.name_keys() {
            if let Some(v) = props.get(k) {
                if add {
                    self.names.insert(id, v);
                } else {
                    self.names.remove(id, v);
                }
            }
        }
    }

    /// Checks every invariant of the indexes against the storage; for tests.
    #[doc(hidden)]
    pub fn check_invariants(&self) -> Result<(), String> {
        self.check_indexes()?;
        let mut expected = NameIndex::default();
        for id in self.nodes() {
            let data = self.node_data(id).map_err(|e| e.to_string())?;
            if data.labels.windows(2).any(|w| w[0] >= w[1]) {
                return Err(format!("labels of {id} not sorted and unique"));
            }
            for l in &data.labels {
                if !self.has_label(id, *l) {
                    return Err(format!("{id} missing from label index"));
                }
            }
            for name_key in NAME_KEYS {
                if let Some(v) = self.symbols.find_key(name_key).and_then(|k| data.props.get(k)) {
                    expected.insert(id, v);
                }
            }
        }
        for r in self.inner.edge_indices() {
            let (Some((a, b)), Some(data)) = (self.inner.edge_endpoints(r), self.inner.edge_weight(r)) else {
                continue;
            };
            let (rel, a, b) = (RelId::from_ix(r), NodeId::from_ix(a), NodeId::from_ix(b));
            let out = adjacency::Adj {
                rel,
                other: b,
                ty: data.ty,
            };
            let inc = adjacency::Adj {
                rel,
                other: a,
                ty: data.ty,
            };
            if self.adjacency.outgoing(a).iter().filter(|x| **x == out).count() != 1
                || self.adjacency.incoming(b).iter().filter(|x| **x == inc).count() != 1
            {
                return Err(format!(
                    "{rel} not listed once at each end in the adjacency lists"
                ));
            }
        }
        let listed: usize = self
            .nodes()
            .map(|n| self.adjacency.outgoing(n).len())
            .sum::<usize>();
        if listed != self.relationship_count() {
            return Err(format!(
                "adjacency lists hold {listed} relationships, not {}",
                self.relationship_count()
            ));
        }
        for (l, set) in self.label_index.iter().enumerate() {
            for id in self.nodes() {
                let carries = self
                    .node_data(id)
                    .is_ok_and(|d| d.labels.contains(&LabelId(l as u32)));
                if set.contains(id) != carries {
                    return Err(format!("label bitset of label {l} wrong for {id}"));
                }
            }
            for id in set.iter() {
                let ok = self
                    .node_data(*id)
                    .is_ok_and(|d| d.labels.contains(&LabelId(l as u32)));
                if !ok {
                    return Err(format!("label index lists {id} under label {l} wrongly"));
                }
            }
        }
        if expected.len() != self.names.len() {
            return Err(format!(
                "name index has {} keys, expected {}",
                self.names.len(),
                expected.len()
            ));
        }
        for (key, nodes) in expected.entries() {
            let mut have = self.names.get_normalized(key).to_vec();
            let mut want = nodes.to_vec();
            have.sort();
            want.sort();
            if have != want {
                return Err(format!("name index for '{key}': {have:?}, expected {want:?}"));
            }
        }
        Ok(())
    }
}
