//! Nodes and relationships as a result carries them: id, labels or type and ends, and
//! properties, copied from the graph when the result is built, so that a caller reads them
//! without going back to the graph.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use serde::de::{self, MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::graph::{Graph, NodeId, RelId, Value};

/// A node as a query returned it: its id, labels and properties at the end of the statement.
///
/// Read it from a row with `row.get::<Node>("column")`. It serialises in the adapter
/// encoding, `{"~node":{"id":0,"labels":["Company"],"properties":{"name":"Pfizer"}}}`, and
/// deserialises from that form or from the inner object alone.
///
/// ```
/// use kgraph::{Graph, Node, Value};
/// let g = Graph::ecosystem()?;
/// let r = g.query("MATCH (c:Company {name: 'AstraZeneca'}) RETURN c").run()?;
/// let c: Node = r.iter().next().unwrap().get("c")?;
/// assert!(c.has_label("Company"));
/// assert_eq!(c.property("name"), Some(&Value::from("AstraZeneca")));
/// assert_eq!(g.node(c.id())?.property("name_zh"), c.property("name_zh"));
/// # Ok::<_, kgraph::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    id: NodeId,
    labels: Vec<String>,
    properties: BTreeMap<String, Value>,
}

impl Node {
    /// A node record from its parts.
    ///
    /// ```
    /// use kgraph::{Node, NodeId, Value};
    /// let n = Node::new(NodeId::from_index(1), vec!["A".into()], [("x".to_owned(), Value::Int(1))].into());
    /// assert_eq!(n.labels(), ["A"]);
    /// ```
    pub fn new(id: NodeId, labels: Vec<String>, properties: BTreeMap<String, Value>) -> Node {
        Node {
            id,
            labels,
            properties,
        }
    }

    fn of(graph: &Graph, id: NodeId) -> Option<Node> {
        let n = graph.node(id).ok()?;
        Some(Node {
            id,
            labels: n.labels().map(str::to_owned).collect(),
            properties: n.properties().map(|(k, v)| (k.to_owned(), v.clone())).collect(),
        })
    }

    /// The node's id in the graph it came from.
    ///
    /// ```
    /// use kgraph::{Node, NodeId};
    /// assert_eq!(Node::new(NodeId::from_index(3), vec![], Default::default()).id(), NodeId::from_index(3));
    /// ```
    pub fn id(&self) -> NodeId {
        self.id
    }

    /// The labels, in the order the graph keeps them.
    ///
    /// ```
    /// use kgraph::{Node, NodeId};
    /// assert!(Node::new(NodeId::from_index(0), vec![], Default::default()).labels().is_empty());
    /// ```
    pub fn labels(&self) -> &[String] {
        &self.labels
    }

    /// True if the node has the label.
    ///
    /// ```
    /// use kgraph::{Node, NodeId};
    /// assert!(Node::new(NodeId::from_index(0), vec!["A".into()], Default::default()).has_label("A"));
    /// ```
    pub fn has_label(&self, label: &str) -> bool {
        self.labels.iter().any(|l| l == label)
    }

    /// One property.
    ///
    /// ```
    /// use kgraph::{Node, NodeId};
    /// assert_eq!(Node::new(NodeId::from_index(0), vec![], Default::default()).property("x"), None);
    /// ```
    pub fn property(&self, key: &str) -> Option<&Value> {
        self.properties.get(key)
    }

    /// Every property, by key.
    ///
    /// ```
    /// use kgraph::{Node, NodeId};
    /// assert!(Node::new(NodeId::from_index(0), vec![], Default::default()).properties().is_empty());
    /// ```
    pub fn properties(&self) -> &BTreeMap<String, Value> {
        &self.properties
    }
}

/// A relationship as a query returned it: its id, type, start and end nodes and properties.
///
/// Read it from a row with `row.get::<Relationship>("column")`. It serialises as
/// `{"~relationship":{"id":0,"type":"T","start":1,"end":2,"properties":{}}}` and
/// deserialises from that form or from the inner object alone.
///
/// ```
/// use kgraph::{Graph, Relationship};
/// let g = Graph::ecosystem()?;
/// let r = g.query("MATCH (:Company)-[i:INVESTS_IN]->(:Place) RETURN i LIMIT 1").run()?;
/// let i: Relationship = r.iter().next().unwrap().get("i")?;
/// assert_eq!(i.rel_type(), "INVESTS_IN");
/// assert_eq!(g.relationship(i.id())?.start(), i.start());
/// # Ok::<_, kgraph::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Relationship {
    id: RelId,
    rel_type: String,
    start: NodeId,
    end: NodeId,
    properties: BTreeMap<String, Value>,
}

impl Relationship {
    /// A relationship record from its parts.
    ///
    /// ```
    /// use kgraph::{NodeId, RelId, Relationship};
    /// let r = Relationship::new(RelId::from_index(0), "T".into(), NodeId::from_index(1), NodeId::from_index(2), Default::default());
    /// assert_eq!(r.end(), NodeId::from_index(2));
    /// ```
    pub fn new(
        id: RelId,
        rel_type: String,
        start: NodeId,
        end: NodeId,
        properties: BTreeMap<String, Value>,
    ) -> Relationship {
        Relationship {
            id,
            rel_type,
            start,
            end,
            properties,
        }
    }

    fn of(graph: &Graph, id: RelId) -> Option<Relationship> {
        let r = graph.relationship(id).ok()?;
        Some(Relationship {
            id,
            rel_type: r.rel_type().to_owned(),
            start: r.start(),
            end: r.end(),
            properties: r.properties().map(|(k, v)| (k.to_owned(), v.clone())).collect(),
        })
    }

    /// The relationship's id.
    ///
    /// ```
    /// use kgraph::{NodeId, RelId, Relationship};
    /// let r = Relationship::new(RelId::from_index(5), "T".into(), NodeId::from_index(1), NodeId::from_index(2), Default::default());
    /// assert_eq!(r.id(), RelId::from_index(5));
    /// ```
    pub fn id(&self) -> RelId {
        self.id
    }

    /// The relationship's type.
    ///
    /// ```
    /// use kgraph::{NodeId, RelId, Relationship};
    /// let r = Relationship::new(RelId::from_index(5), "T".into(), NodeId::from_index(1), NodeId::from_index(2), Default::default());
    /// assert_eq!(r.rel_type(), "T");
    /// ```
    pub fn rel_type(&self) -> &str {
        &self.rel_type
    }

    /// The node it starts at.
    ///
    /// ```
    /// use kgraph::{NodeId, RelId, Relationship};
    /// let r = Relationship::new(RelId::from_index(5), "T".into(), NodeId::from_index(1), NodeId::from_index(2), Default::default());
    /// assert_eq!(r.start(), NodeId::from_index(1));
    /// ```
    pub fn start(&self) -> NodeId {
        self.start
    }

    /// The node it ends at.
    ///
    /// ```
    /// use kgraph::{NodeId, RelId, Relationship};
    /// let r = Relationship::new(RelId::from_index(5), "T".into(), NodeId::from_index(1), NodeId::from_index(2), Default::default());
    /// assert_eq!(r.end(), NodeId::from_index(2));
    /// ```
    pub fn end(&self) -> NodeId {
        self.end
    }

    /// One property.
    ///
    /// ```
    /// use kgraph::{NodeId, RelId, Relationship};
    /// let r = Relationship::new(RelId::from_index(5), "T".into(), NodeId::from_index(1), NodeId::from_index(2), Default::default());
    /// assert!(r.property("x").is_none());
    /// ```
    pub fn property(&self, key: &str) -> Option<&Value> {
        self.properties.get(key)
    }

    /// Every property, by key.
    ///
    /// ```
    /// use kgraph::{NodeId, RelId, Relationship};
    /// let r = Relationship::new(RelId::from_index(5), "T".into(), NodeId::from_index(1), NodeId::from_index(2), Default::default());
    /// assert!(r.properties().is_empty());
    /// ```
    pub fn properties(&self) -> &BTreeMap<String, Value> {
        &self.properties
    }
}

/// The nodes and relationships that appear in a result's rows (at the top of a cell, inside
/// lists and maps, and along paths), with their labels or type and properties as they were
/// when the result was built. A node or relationship that the statement itself deleted has
/// no record.
///
/// ```
/// let g = kgraph::Graph::ecosystem()?;
/// let r = g.query("MATCH (c:Company {name: 'Pfizer'}) RETURN collect(c) AS cs, 1 AS one").run()?;
/// let id = r.rows()[0][0].as_list().unwrap()[0].as_node().unwrap();
/// assert!(r.records().node(id).unwrap().has_label("Company"));
/// # Ok::<_, kgraph::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Records {
    nodes: HashMap<NodeId, Node>,
    relationships: HashMap<RelId, Relationship>,
}

impl Records {
    /// The record of a node of the result.
    ///
    /// ```
    /// assert!(kgraph::Records::default().node(kgraph::NodeId::from_index(0)).is_none());
    /// ```
    pub fn node(&self, id: NodeId) -> Option<&Node> {
        self.nodes.get(&id)
    }

    /// The record of a relationship of the result.
    ///
    /// ```
    /// assert!(kgraph::Records::default().relationship(kgraph::RelId::from_index(0)).is_none());
    /// ```
    pub fn relationship(&self, id: RelId) -> Option<&Relationship> {
        self.relationships.get(&id)
    }

    /// True if there are no records (the rows hold no node, relationship or path).
    ///
    /// ```
    /// assert!(kgraph::Records::default().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty() && self.relationships.is_empty()
    }

    /// The records of the entities in `rows`, read from `graph`; `None` if there are none.
    /// A row of scalars costs one test of each cell's variant.
    pub(crate) fn collect<'a>(
        graph: &Graph,
        rows: impl IntoIterator<Item = &'a [Value]>,
    ) -> Option<Box<Records>> {
        let mut out: Option<Box<Records>> = None;
        for row in rows {
            for v in row {
                if may_hold_entity(v) {
                    out.get_or_insert_with(Box::default).add(graph, v);
                }
            }
        }
        out
    }

    fn add(&mut self, graph: &Graph, v: &Value) {
        match v {
            Value::Node(id) => self.add_node(graph, *id),
            Value::Relationship(id) => self.add_rel(graph, *id),
            Value::Path(p) => {
                for n in p.nodes() {
                    self.add_node(graph, *n);
                }
                for r in p.relationships() {
                    self.add_rel(graph, *r);
                }
            }
            Value::List(items) => {
                for i in items {
                    if may_hold_entity(i) {
                        self.add(graph, i);
                    }
                }
            }
            Value::Map(m) => {
                for i in m.values() {
                    if may_hold_entity(i) {
                        self.add(graph, i);
                    }
                }
            }
            _ => {}
        }
    }

    fn add_node(&mut self, graph: &Graph, id: NodeId) {
        if let std::collections::hash_map::Entry::Vacant(slot) = self.nodes.entry(id)
            && let Some(n) = Node::of(graph, id)
        {
            slot.insert(n);
        }
    }

    fn add_rel(&mut self, graph: &Graph, id: RelId) {
        if let std::collections::hash_map::Entry::Vacant(slot) = self.relationships.entry(id)
            && let Some(r) = Relationship::of(graph, id)
        {
            slot.insert(r);
        }
    }
}

/// True for the variants that are or may contain a node or relationship.
#[inline]
fn may_hold_entity(v: &Value) -> bool {
    matches!(
        v,
        Value::Node(_) | Value::Relationship(_) | Value::Path(_) | Value::List(_) | Value::Map(_)
    )
}

/// A node's or relationship's inner object, with or without its tag.
#[derive(Deserialize)]
struct NodeBody {
    id: NodeId,
    #[serde(default)]
    labels: Vec<String>,
    #[serde(default)]
    properties: BTreeMap<String, Value>,
}

#[derive(Deserialize)]
struct RelBody {
    id: RelId,
    #[serde(rename = "type")]
    rel_type: String,
    start: NodeId,
    end: NodeId,
    #[serde(default)]
    properties: BTreeMap<String, Value>,
}

/// Writes the inner object of a node: its id, labels and properties.
pub(crate) struct NodeInner<'a> {
    pub(crate) id: NodeId,
    pub(crate) record: Option<&'a Node>,
}

impl Serialize for NodeInner<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(3))?;
        m.serialize_entry("id", &self.id)?;
        match self.record {
            Some(n) => {
                m.serialize_entry("labels", &n.labels)?;
                m.serialize_entry("properties", &n.properties)?;
            }
            None => {
                m.serialize_entry("labels", &[] as &[String])?;
                m.serialize_entry("properties", &BTreeMap::<String, Value>::new())?;
            }
        }
        m.end()
    }
}

/// Writes the inner object of a relationship, with the direction it is read in along a path.
pub(crate) struct RelInner<'a> {
    pub(crate) id: RelId,
    pub(crate) record: Option<&'a Relationship>,
    pub(crate) direction: Option<&'static str>,
}

impl Serialize for RelInner<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("id", &self.id)?;
        match self.record {
            Some(r) => {
                m.serialize_entry("type", &r.rel_type)?;
                m.serialize_entry("start", &r.start)?;
                m.serialize_entry("end", &r.end)?;
                m.serialize_entry("properties", &r.properties)?;
            }
            None => {
                m.serialize_entry("type", "")?;
                m.serialize_entry("properties", &BTreeMap::<String, Value>::new())?;
            }
        }
        if let Some(d) = self.direction {
            m.serialize_entry("~direction", d)?;
        }
        m.end()
    }
}

/// `{tag: inner}`.
pub(crate) struct Tagged<'a, T>(pub(crate) &'static str, pub(crate) &'a T);

impl<T: Serialize> Serialize for Tagged<'_, T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(1))?;
        m.serialize_entry(self.0, self.1)?;
        m.end()
    }
}

impl Serialize for Node {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let inner = NodeInner {
            id: self.id,
            record: Some(self),
        };
        Tagged("~node", &inner).serialize(s)
    }
}

impl Serialize for Relationship {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let inner = RelInner {
            id: self.id,
            record: Some(self),
            direction: None,
        };
        Tagged("~relationship", &inner).serialize(s)
    }
}

/// Reads `{"~tag": body}` or `body`.
struct TaggedOrBare<B>(&'static str, std::marker::PhantomData<B>);

impl<'de, B: Deserialize<'de>> Visitor<'de> for TaggedOrBare<B> {
    type Value = B;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{{\"{}\": {{...}}}} or its inner object", self.0)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<B, A::Error> {
        // Gather the object (it is small) and look at its keys.
        let mut fields: BTreeMap<String, serde_json::Value> = BTreeMap::new();
        while let Some(k) = map.next_key::<String>()? {
            let v: serde_json::Value = map.next_value()?;
            fields.insert(k, v);
        }
        let body = match fields.remove(self.0) {
            Some(inner) if fields.is_empty() => inner,
            Some(_) => {
                return Err(de::Error::custom(
                    "a tagged value must be the only key of its object",
                ))
            }
            None => serde_json::Value::Object(fields.into_iter().collect()),
        };
        B::deserialize(body).map_err(de::Error::custom)
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Node, D::Error> {
        let b: NodeBody = d.deserialize_map(TaggedOrBare("~node", std::marker::PhantomData))?;
        Ok(Node {
            id: b.id,
            labels: b.labels,
            properties: b.properties,
        })
    }
}

impl<'de> Deserialize<'de> for Relationship {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Relationship, D::Error> {
        let b: RelBody = d.deserialize_map(TaggedOrBare("~relationship", std::marker::PhantomData))?;
        Ok(Relationship {
            id: b.id,
            rel_type: b.rel_type,
            start: b.start,
            end: b.end,
            properties: b.properties,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_cover_lists_maps_and_paths() -> Result<(), Box<dyn std::error::Error>> {
        let mut g = Graph::new();
        let a = g.add_node(&["A", "B"], [("x", 1)])?;
        let b = g.add_node(&["C"], [("y", "z")])?;
        let r = g.add_relationship(a, b, "T", [("w", 2.5)])?;
        let path = crate::Path::new(vec![a, b], vec![r]).ok_or("path")?;
        let rows = [
            vec![Value::Int(1), Value::from("s")],
            vec![Value::List(vec![Value::Node(b)]), Value::Path(path)],
        ];
        let recs = Records::collect(&g, rows.iter().map(Vec::as_slice)).ok_or("no records")?;
        assert_eq!(
            recs.node(a).map(Node::labels),
            Some(&["A".to_owned(), "B".to_owned()][..])
        );
        assert_eq!(
            recs.node(b).and_then(|n| n.property("y")),
            Some(&Value::from("z"))
        );
        assert_eq!(recs.relationship(r).map(|r| (r.start(), r.end())), Some((a, b)));
        let scalars = [vec![Value::Int(1)], vec![Value::List(vec![Value::Int(2)])]];
        assert!(Records::collect(&g, scalars.iter().map(Vec::as_slice)).is_none_or(|r| r.is_empty()));
        Ok(())
    }

    #[test]
    fn serde_round_trip_tagged_and_bare() -> Result<(), Box<dyn std::error::Error>> {
        let n = Node::new(
            NodeId::from_index(2),
            vec!["A".into()],
            [("k".to_owned(), Value::Int(1))].into(),
        );
        let text = serde_json::to_string(&n)?;
        assert_eq!(text, r#"{"~node":{"id":2,"labels":["A"],"properties":{"k":1}}}"#);
        assert_eq!(serde_json::from_str::<Node>(&text)?, n);
        assert_eq!(
            serde_json::from_str::<Node>(r#"{"id":2,"labels":["A"],"properties":{"k":1}}"#)?,
            n
        );
        let r = Relationship::new(
            RelId::from_index(1),
            "T".into(),
            NodeId::from_index(0),
            NodeId::from_index(2),
            BTreeMap::new(),
        );
        let text = serde_json::to_string(&r)?;
        assert_eq!(
            text,
            r#"{"~relationship":{"id":1,"type":"T","start":0,"end":2,"properties":{}}}"#
        );
        assert_eq!(serde_json::from_str::<Relationship>(&text)?, r);
        assert!(serde_json::from_str::<Relationship>(r#"{"~relationship":{"id":1}}"#).is_err());
        Ok(())
    }
}
