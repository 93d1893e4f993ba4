//! Property and result values, with Cypher's rules for equality and ordering.

use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use serde::de::{self, MapAccess, SeqAccess, Visitor};
use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::id::{NodeId, RelId};
use super::temporal::{Date, DateTime, Duration, LocalDateTime, LocalTime, Temporal, Time};

/// A path through the graph: `nodes.len() == relationships.len() + 1`.
///
/// ```
/// use kgraph::{Path, NodeId};
/// let p = Path::single(NodeId::from_index(0));
/// assert_eq!(p.len(), 0);
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Path {
    /// Boxed so that a path, which only appears in results, does not widen every [`Value`]:
    /// without the box `Value` is 56 bytes, with it 32, and every stored property is a `Value`.
    steps: Box<Steps>,
}

/// The nodes and relationships of a path (the order of the fields is the order of `Ord`).
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
struct Steps {
    nodes: Vec<NodeId>,
    relationships: Vec<RelId>,
}

impl fmt::Debug for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Path")
            .field("nodes", &self.steps.nodes)
            .field("relationships", &self.steps.relationships)
            .finish()
    }
}

impl Path {
    /// A path of length zero, at one node.
    ///
    /// ```
    /// use kgraph::{Path, NodeId};
    /// assert_eq!(Path::single(NodeId::from_index(3)).nodes(), &[NodeId::from_index(3)]);
    /// ```
    pub fn single(node: NodeId) -> Path {
        Path {
            steps: Box::new(Steps {
                nodes: vec![node],
                relationships: Vec::new(),
            }),
        }
    }

    /// Builds a path from its nodes and the relationships between them; `None` unless there is
    /// exactly one node more than relationships.
    ///
    /// ```
    /// use kgraph::{Path, NodeId, RelId};
    /// let (a, b) = (NodeId::from_index(0), NodeId::from_index(1));
    /// assert!(Path::new(vec![a, b], vec![RelId::from_index(0)]).is_some());
    /// assert!(Path::new(vec![a], vec![RelId::from_index(0)]).is_none());
    /// ```
    pub fn new(nodes: Vec<NodeId>, relationships: Vec<RelId>) -> Option<Path> {
        (nodes.len() == relationships.len() + 1).then(|| Path {
            steps: Box::new(Steps { nodes, relationships }),
        })
    }

    /// Appends a step: the relationship taken and the node it leads to.
    ///
    /// ```
    /// use kgraph::{Path, NodeId, RelId};
    /// let mut p = Path::single(NodeId::from_index(0));
    /// p.push(RelId::from_index(7), NodeId::from_index(1));
    /// assert_eq!(p.len(), 1);
    /// ```
    pub fn push(&mut self, rel: RelId, node: NodeId) {
        self.steps.relationships.push(rel);
        self.steps.nodes.push(node);
    }

    /// The nodes, in order.
    ///
    /// ```
    /// use kgraph::{Path, NodeId};
    /// assert_eq!(Path::single(NodeId::from_index(1)).nodes().len(), 1);
    /// ```
    pub fn nodes(&self) -> &[NodeId] {
        &self.steps.nodes
    }

    /// The relationships, in order.
    ///
    /// ```
    /// use kgraph::{Path, NodeId};
    /// assert!(Path::single(NodeId::from_index(1)).relationships().is_empty());
    /// ```
    pub fn relationships(&self) -> &[RelId] {
        &self.steps.relationships
    }

    /// The number of relationships.
    ///
    /// ```
    /// use kgraph::{Path, NodeId};
    /// assert_eq!(Path::single(NodeId::from_index(1)).len(), 0);
    /// ```
    pub fn len(&self) -> usize {
        self.steps.relationships.len()
    }

    /// True for a path of length zero.
    ///
    /// ```
    /// use kgraph::{Path, NodeId};
    /// assert!(Path::single(NodeId::from_index(1)).is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.steps.relationships.is_empty()
    }

    /// The first node.
    ///
    /// ```
    /// use kgraph::{Path, NodeId};
    /// assert_eq!(Path::single(NodeId::from_index(1)).start(), NodeId::from_index(1));
    /// ```
    pub fn start(&self) -> NodeId {
        self.steps.nodes[0]
    }

    /// The last node.
    ///
    /// ```
    /// use kgraph::{Path, NodeId};
    /// assert_eq!(Path::single(NodeId::from_index(1)).end(), NodeId::from_index(1));
    /// ```
    pub fn end(&self) -> NodeId {
        self.steps.nodes[self.steps.nodes.len() - 1]
    }
}

/// A path serialises as its ids, `{"nodes":[0,1],"relationships":[7]}`, and deserialises
/// from that form only when it has one node more than relationships.
///
/// ```
/// use kgraph::{NodeId, Path, RelId};
/// let p = Path::new(vec![NodeId::from_index(0), NodeId::from_index(1)], vec![RelId::from_index(7)]).unwrap();
/// let text = serde_json::to_string(&p)?;
/// assert_eq!(text, r#"{"nodes":[0,1],"relationships":[7]}"#);
/// assert_eq!(serde_json::from_str::<Path>(&text)?, p);
/// assert!(serde_json::from_str::<Path>(r#"{"nodes":[0],"relationships":[7]}"#).is_err());
/// # Ok::<_, serde_json::Error>(())
/// ```
impl Serialize for Path {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Ids<'a> {
            nodes: &'a [NodeId],
            relationships: &'a [RelId],
        }
        Ids {
            nodes: self.nodes(),
            relationships: self.relationships(),
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for Path {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Path, D::Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Ids {
            nodes: Vec<NodeId>,
            relationships: Vec<RelId>,
        }
        let ids = Ids::deserialize(d)?;
        let (n, r) = (ids.nodes.len(), ids.relationships.len());
        Path::new(ids.nodes, ids.relationships).ok_or_else(|| {
            de::Error::custom(format!(
                "a path has one node more than relationships, not {n} nodes and {r} relationships"
            ))
        })
    }
}

/// A value: a property of a node or relationship, a query parameter, or a cell of a result row.
///
/// Properties hold `Bool`, `Int`, `Float`, `String`, the temporal types (`Date`, `LocalTime`,
/// `Time`, `LocalDateTime`, `DateTime`, `Duration`), `List` and `Map`; a property set to
/// `Null` is removed. `Node`, `Relationship` and `Path` only appear in query results and
/// parameters: the graph refuses them as property values.
///
/// # Equality and ordering (Cypher's rules)
/// - [`Value::cypher_eq`] is the `=` of Cypher: `null` compared with anything is `null`
///   (`None`); an integer equals a float of the same numeric value (`1 = 1.0`); `NaN` equals
///   nothing; lists and maps are equal when their elements are, and a `null` inside makes the
///   answer `null` unless another element already differs.
/// - [`Value::cypher_cmp`] is the `<`, `<=`, `>`, `>=` of Cypher: defined between numbers,
///   between strings (by code point), between booleans (`false < true`), between dates and
///   between lists (element by element); anything else, `null` or `NaN` gives `None` (null).
/// - [`Value::order_cmp`] is the total order of `ORDER BY`: maps < nodes < relationships <
///   lists < paths < dates < strings < booleans < numbers < null, numbers by value with `NaN`
///   after every other number.
/// - The derived `==` of Rust is structural: `Int(1) != Float(1.0)`, and `NaN == NaN`. It is the
///   equality of tests, not of Cypher.
///
/// # Serde
/// Values serialise in the JSON encoding of the adapter protocol: integers as numbers without a
/// fraction, floats always with one (`2.0`; non-finite floats as `{"~float":"NaN"}`), dates as
/// `{"~date":"2022-11-05"}`, lists as arrays, maps as objects. Nodes, relationships and paths
/// serialise as `{"~node":{"id":N}}`, `{"~relationship":{"id":N}}` and
/// `{"~path":{"nodes":[..],"relationships":[..]}}`, ids only.
///
/// ```
/// use kgraph::Value;
/// assert_eq!(Value::Int(1).cypher_eq(&Value::Float(1.0)), Some(true));
/// assert_eq!(Value::Null.cypher_eq(&Value::Null), None);
/// let v: Value = serde_json::from_str(r#"{"~date":"2022-11-05"}"#)?;
/// assert_eq!(serde_json::to_string(&v)?, r#"{"~date":"2022-11-05"}"#);
/// # Ok::<_, serde_json::Error>(())
/// ```
#[derive(Clone, Debug, Default)]
pub enum Value {
    /// The absence of a value.
    #[default]
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A 64-bit signed integer.
    Int(i64),
    /// A 64-bit float.
    Float(f64),
    /// A string; shared, so cloning a value does not copy the text.
    String(Arc<str>),
    /// A calendar date.
    Date(Date),
    /// A time of day without an offset.
    LocalTime(LocalTime),
    /// A time of day with an offset from UTC.
    Time(Time),
    /// A date and a time of day without a zone.
    LocalDateTime(LocalDateTime),
    /// A date and a time of day with an offset, and a named zone when it has one.
    DateTime(DateTime),
    /// An amount of time in months, days, seconds and nanoseconds; boxed, as it is four
    /// words and would widen every `Value`.
    Duration(Box<Duration>),
    /// A list of values.
    List(Vec<Value>),
    /// A map from string keys to values, ordered by key; shared, so cloning a value does
    /// not copy the map (build one with `Value::from(map)`; change one with
    /// [`Arc::make_mut`]).
    Map(Arc<BTreeMap<String, Value>>),
    /// A node (results and parameters only).
    Node(NodeId),
    /// A relationship (results and parameters only).
    Relationship(RelId),
    /// A path (results only).
    Path(Path),
}

impl Value {
    /// True for `Null`.
    ///
    /// ```
    /// assert!(kgraph::Value::Null.is_null());
    /// ```
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// The Cypher name of the value's type, as error messages print it.
    ///
    /// ```
    /// assert_eq!(kgraph::Value::from("x").type_name(), "String");
    /// ```
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "Null",
            Value::Bool(_) => "Boolean",
            Value::Int(_) => "Integer",
            Value::Float(_) => "Float",
            Value::String(_) => "String",
            Value::Date(_) => "Date",
            Value::LocalTime(_) => "LocalTime",
            Value::Time(_) => "Time",
            Value::LocalDateTime(_) => "LocalDateTime",
            Value::DateTime(_) => "DateTime",
            Value::Duration(_) => "Duration",
            Value::List(_) => "List",
            Value::Map(_) => "Map",
            Value::Node(_) => "Node",
            Value::Relationship(_) => "Relationship",
            Value::Path(_) => "Path",
        }
    }

    /// The string inside, if this is a string.
    ///
    /// ```
    /// assert_eq!(kgraph::Value::from("Pfizer").as_str(), Some("Pfizer"));
    /// ```
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The integer inside, if this is an integer.
    ///
    /// ```
    /// assert_eq!(kgraph::Value::Int(5).as_int(), Some(5));
    /// ```
    pub fn as_int(&self) -> Option<i64> {
        match self {
            Value::Int(i) => Some(*i),
            _ => None,
        }
    }

    /// The number inside as a float, if this is an integer or a float.
    ///
    /// ```
    /// assert_eq!(kgraph::Value::Int(5).as_float(), Some(5.0));
    /// ```
    pub fn as_float(&self) -> Option<f64> {
        match self {
            Value::Int(i) => Some(*i as f64),
            Value::Float(f) => Some(*f),
            _ => None,
        }
    }

    /// The boolean inside, if this is a boolean.
    ///
    /// ```
    /// assert_eq!(kgraph::Value::Bool(true).as_bool(), Some(true));
    /// ```
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The list inside, if this is a list.
    ///
    /// ```
    /// use kgraph::Value;
    /// assert_eq!(Value::List(vec![Value::Int(1)]).as_list().map(<[_]>::len), Some(1));
    /// ```
    pub fn as_list(&self) -> Option<&[Value]> {
        match self {
            Value::List(l) => Some(l),
            _ => None,
        }
    }

    /// The date inside, if this is a date.
    ///
    /// ```
    /// use kgraph::{Date, Value};
    /// let d = Date::from_ymd(2022, 11, 5)?;
    /// assert_eq!(Value::Date(d).as_date(), Some(d));
    /// # Ok::<_, kgraph::DateError>(())
    /// ```
    pub fn as_date(&self) -> Option<Date> {
        match self {
            Value::Date(d) => Some(*d),
            _ => None,
        }
    }

    /// The temporal value inside, if this is one that names a point (not a duration).
    pub(crate) fn as_temporal(&self) -> Option<Temporal> {
        Some(match self {
            Value::Date(d) => Temporal::Date(*d),
            Value::LocalTime(t) => Temporal::LocalTime(*t),
            Value::Time(t) => Temporal::Time(*t),
            Value::LocalDateTime(t) => Temporal::LocalDateTime(*t),
            Value::DateTime(t) => Temporal::DateTime(*t),
            _ => return None,
        })
    }

    /// The value of a temporal point.
    pub(crate) fn from_temporal(t: Temporal) -> Value {
        match t {
            Temporal::Date(d) => Value::Date(d),
            Temporal::LocalTime(t) => Value::LocalTime(t),
            Temporal::Time(t) => Value::Time(t),
            Temporal::LocalDateTime(t) => Value::LocalDateTime(t),
            Temporal::DateTime(t) => Value::DateTime(t),
        }
    }

    /// The node inside, if this is a node.
    ///
    /// ```
    /// use kgraph::{NodeId, Value};
    /// assert_eq!(Value::Node(NodeId::from_index(2)).as_node(), Some(NodeId::from_index(2)));
    /// ```
    pub fn as_node(&self) -> Option<NodeId> {
        match self {
            Value::Node(n) => Some(*n),
            _ => None,
        }
    }

    /// How deeply lists and maps may nest in a property value: a list of scalars is one
    /// level, a list of such lists two. The graph API refuses deeper values where they enter
    /// (`GraphError::ValueTooDeep`), so that every value it holds can be saved and opened
    /// again, and exported to JSON Lines and imported again: the snapshot decoder reads 128
    /// levels, and the JSON Lines importer's parser 128 levels of JSON, of which a line's
    /// record takes three and a temporal value's tag one. 100 leaves room in both.
    ///
    /// ```
    /// use kgraph::{Graph, GraphError, Value};
    /// let nest = |levels: usize| (0..levels).fold(Value::Int(1), |v, _| Value::List(vec![v]));
    /// let mut g = Graph::new();
    /// assert!(g.add_node(&["A"], [("ok", nest(Value::MAX_NESTING))]).is_ok());
    /// let err = g.add_node(&["A"], [("deep", nest(Value::MAX_NESTING + 1))]).unwrap_err();
    /// assert!(matches!(err, GraphError::ValueTooDeep { .. }));
    /// ```
    pub const MAX_NESTING: usize = 100;

    /// True if lists and maps nest more than `levels` deep in this value. It looks no deeper
    /// than `levels + 1`, so a value nested without end costs no more stack than that.
    pub(crate) fn nested_deeper_than(&self, levels: usize) -> bool {
        let Some(left) = levels.checked_sub(1) else {
            // No level left: any list or map is one too many.
            return matches!(self, Value::List(_) | Value::Map(_));
        };
        match self {
            Value::List(items) => items.iter().any(|v| v.nested_deeper_than(left)),
            Value::Map(m) => m.values().any(|v| v.nested_deeper_than(left)),
            _ => false,
        }
    }

    /// True if the value may be stored as a property: not a node, relationship, path or map
    /// (maps are not property values, as in Neo4j and openCypher), and none of those inside a
    /// list.
    ///
    /// ```
    /// use kgraph::{NodeId, Value};
    /// use std::collections::BTreeMap;
    /// assert!(Value::from("x").is_storable());
    /// assert!(!Value::List(vec![Value::Node(NodeId::from_index(0))]).is_storable());
    /// assert!(!Value::from(BTreeMap::new()).is_storable());
    /// ```
    pub fn is_storable(&self) -> bool {
        match self {
            Value::Node(_) | Value::Relationship(_) | Value::Path(_) | Value::Map(_) => false,
            Value::List(l) => l.iter().all(Value::is_storable),
            _ => true,
        }
    }

    /// True if the value is a map or holds one inside its lists: what no property may hold.
    pub(crate) fn contains_map(&self) -> bool {
        match self {
            Value::Map(_) => true,
            Value::List(l) => l.iter().any(Value::contains_map),
            _ => false,
        }
    }

    /// Cypher's `=`: `None` stands for `null`. See the type's docs for the rules.
    ///
    /// ```
    /// use kgraph::Value;
    /// assert_eq!(Value::from("a").cypher_eq(&Value::from("a")), Some(true));
    /// assert_eq!(Value::Int(1).cypher_eq(&Value::from("1")), Some(false));
    /// assert_eq!(Value::Int(1).cypher_eq(&Value::Null), None);
    /// ```
    pub fn cypher_eq(&self, other: &Value) -> Option<bool> {
        use Value::*;
        match (self, other) {
            (Null, _) | (_, Null) => None,
            (Bool(a), Bool(b)) => Some(a == b),
            (Int(a), Int(b)) => Some(a == b),
            (Float(a), Float(b)) => Some(a == b),
            (Int(a), Float(b)) | (Float(b), Int(a)) => Some(int_float_cmp(*a, *b) == Some(Ordering::Equal)),
            (String(a), String(b)) => Some(a == b),
            (Date(a), Date(b)) => Some(a == b),
            (LocalTime(a), LocalTime(b)) => Some(a == b),
            (Time(a), Time(b)) => Some(a == b),
            (LocalDateTime(a), LocalDateTime(b)) => Some(a == b),
            (DateTime(a), DateTime(b)) => Some(a == b),
            (Duration(a), Duration(b)) => Some(a == b),
            (List(a), List(b)) => {
                if a.len() != b.len() {
                    return Some(false);
                }
                let mut unknown = false;
                for (x, y) in a.iter().zip(b) {
                    match x.cypher_eq(y) {
                        Some(false) => return Some(false),
                        None => unknown = true,
                        Some(true) => {}
                    }
                }
                if unknown {
                    None
                } else {
                    Some(true)
                }
            }
            (Map(a), Map(b)) => {
                if a.len() != b.len() || a.keys().ne(b.keys()) {
                    return Some(false);
                }
                let mut unknown = false;
                for (x, y) in a.values().zip(b.values()) {
                    match x.cypher_eq(y) {
                        Some(false) => return Some(false),
                        None => unknown = true,
                        Some(true) => {}
                    }
                }
                if unknown {
                    None
                } else {
                    Some(true)
                }
            }
            (Node(a), Node(b)) => Some(a == b),
            (Relationship(a), Relationship(b)) => Some(a == b),
            (Path(a), Path(b)) => Some(a == b),
            _ => Some(false),
        }
    }

    /// Cypher's `<` family: the ordering of two comparable values, `None` (null) otherwise.
    ///
    /// ```
    /// use kgraph::Value;
    /// use std::cmp::Ordering;
    /// assert_eq!(Value::Int(1).cypher_cmp(&Value::Float(1.5)), Some(Ordering::Less));
    /// assert_eq!(Value::Int(1).cypher_cmp(&Value::from("a")), None);
    /// ```
    pub fn cypher_cmp(&self, other: &Value) -> Option<Ordering> {
        use Value::*;
        match (self, other) {
            (Int(a), Int(b)) => Some(a.cmp(b)),
            (Float(a), Float(b)) => a.partial_cmp(b),
            (Int(a), Float(b)) => int_float_cmp(*a, *b),
            (Float(a), Int(b)) => int_float_cmp(*b, *a).map(Ordering::reverse),
            (String(a), String(b)) => Some(a.cmp(b)),
            (Bool(a), Bool(b)) => Some(a.cmp(b)),
            (Date(a), Date(b)) => Some(a.cmp(b)),
            (LocalTime(a), LocalTime(b)) => Some(a.cmp(b)),
            (Time(a), Time(b)) => Some(a.cmp(b)),
            (LocalDateTime(a), LocalDateTime(b)) => Some(a.cmp(b)),
            (DateTime(a), DateTime(b)) => Some(a.cmp(b)),
            (List(a), List(b)) => {
                for (x, y) in a.iter().zip(b) {
                    match x.cypher_cmp(y)? {
                        Ordering::Equal => {}
                        o => return Some(o),
                    }
                }
                Some(a.len().cmp(&b.len()))
            }
            _ => None,
        }
    }

    fn order_rank(&self) -> u8 {
        match self {
            Value::Map(_) => 0,
            Value::Node(_) => 1,
            Value::Relationship(_) => 2,
            Value::List(_) => 3,
            Value::Path(_) => 4,
            Value::DateTime(_) => 5,
            Value::LocalDateTime(_) => 6,
            Value::Date(_) => 7,
            Value::Time(_) => 8,
            Value::LocalTime(_) => 9,
            Value::Duration(_) => 10,
            Value::String(_) => 11,
            Value::Bool(_) => 12,
            Value::Int(_) | Value::Float(_) => 13,
            Value::Null => 14,
        }
    }

    /// The total order of `ORDER BY` (ascending). See the type's docs for the rules.
    ///
    /// ```
    /// use kgraph::Value;
    /// use std::cmp::Ordering;
    /// assert_eq!(Value::from("z").order_cmp(&Value::Int(1)), Ordering::Less);
    /// assert_eq!(Value::Float(f64::NAN).order_cmp(&Value::Int(9)), Ordering::Greater);
    /// assert_eq!(Value::Int(9).order_cmp(&Value::Null), Ordering::Less);
    /// ```
    pub fn order_cmp(&self, other: &Value) -> Ordering {
        use Value::*;
        let rank = self.order_rank().cmp(&other.order_rank());
        if rank != Ordering::Equal {
            return rank;
        }
        match (self, other) {
            (Int(a), Int(b)) => a.cmp(b),
            (Float(a), Float(b)) => float_order(*a, *b),
            (Int(a), Float(b)) => int_float_order(*a, *b),
            (Float(a), Int(b)) => int_float_order(*b, *a).reverse(),
            (String(a), String(b)) => a.cmp(b),
            (Bool(a), Bool(b)) => a.cmp(b),
            (Date(a), Date(b)) => a.cmp(b),
            (LocalTime(a), LocalTime(b)) => a.cmp(b),
            (Time(a), Time(b)) => a.cmp(b),
            (LocalDateTime(a), LocalDateTime(b)) => a.cmp(b),
            (DateTime(a), DateTime(b)) => a.cmp(b),
            (Duration(a), Duration(b)) => a.cmp(b),
            (List(a), List(b)) => {
                for (x, y) in a.iter().zip(b) {
                    match x.order_cmp(y) {
                        Ordering::Equal => {}
                        o => return o,
                    }
                }
                a.len().cmp(&b.len())
            }
            (Map(a), Map(b)) => {
                for ((ka, va), (kb, vb)) in a.iter().zip(b.iter()) {
                    match ka.cmp(kb).then_with(|| va.order_cmp(vb)) {
                        Ordering::Equal => {}
                        o => return o,
                    }
                }
                a.len().cmp(&b.len())
            }
            (Node(a), Node(b)) => a.cmp(b),
            (Relationship(a), Relationship(b)) => a.cmp(b),
            (Path(a), Path(b)) => a.cmp(b),
            _ => Ordering::Equal,
        }
    }

    /// Cypher's equivalence, used by `DISTINCT`, grouping and `IN` de-duplication: like
    /// [`Value::cypher_eq`] but `null` is equivalent to `null` and `NaN` to `NaN`.
    ///
    /// ```
    /// use kgraph::Value;
    /// assert!(Value::Null.equivalent(&Value::Null));
    /// assert!(Value::Int(2).equivalent(&Value::Float(2.0)));
    /// ```
    pub fn equivalent(&self, other: &Value) -> bool {
        use Value::*;
        match (self, other) {
            (Null, Null) => true,
            (Float(a), Float(b)) if a.is_nan() && b.is_nan() => true,
            (List(a), List(b)) => a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.equivalent(y)),
            (Map(a), Map(b)) => {
                a.len() == b.len()
                    && a.iter()
                        .zip(b.iter())
                        .all(|((ka, va), (kb, vb))| ka == kb && va.equivalent(vb))
            }
            _ => self.cypher_eq(other) == Some(true),
        }
    }

    /// Feeds a hash consistent with [`Value::equivalent`]: equivalent values hash alike.
    ///
    /// ```
    /// use kgraph::Value;
    /// use std::hash::{BuildHasher, RandomState};
    /// let s = RandomState::new();
    /// let h = |v: &Value| { let mut h = s.build_hasher(); v.hash_equivalent(&mut h); std::hash::Hasher::finish(&h) };
    /// assert_eq!(h(&Value::Int(2)), h(&Value::Float(2.0)));
    /// ```
    pub fn hash_equivalent<H: Hasher>(&self, state: &mut H) {
        match self {
            Value::Null => 0u8.hash(state),
            Value::Bool(b) => (1u8, b).hash(state),
            Value::Int(i) => (2u8, *i).hash(state),
            Value::Float(f) => {
                if f.fract() == 0.0 && *f >= -9.223_372_036_854_776e18 && *f < 9.223_372_036_854_776e18 {
                    (2u8, *f as i64).hash(state)
                } else if f.is_nan() {
                    3u8.hash(state)
                } else {
                    (3u8, f.to_bits()).hash(state)
                }
            }
            Value::String(s) => (4u8, &**s).hash(state),
            Value::Date(d) => (5u8, d).hash(state),
            Value::LocalTime(t) => (11u8, t).hash(state),
            Value::Time(t) => (12u8, t).hash(state),
            Value::LocalDateTime(t) => (13u8, t).hash(state),
            Value::DateTime(t) => (14u8, t).hash(state),
            Value::Duration(d) => (15u8, d).hash(state),
            Value::List(l) => {
                (6u8, l.len()).hash(state);
                for v in l {
                    v.hash_equivalent(state);
                }
            }
            Value::Map(m) => {
                (7u8, m.len()).hash(state);
                for (k, v) in m.iter() {
                    k.hash(state);
                    v.hash_equivalent(state);
                }
            }
            Value::Node(n) => (8u8, n).hash(state),
            Value::Relationship(r) => (9u8, r).hash(state),
            Value::Path(p) => (10u8, p).hash(state),
        }
    }
}

fn float_order(a: f64, b: f64) -> Ordering {
    match (a.is_nan(), b.is_nan()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Greater,
        (false, true) => Ordering::Less,
        // Neither is NaN, so partial_cmp always answers; -0.0 and 0.0 are equal here.
        (false, false) => a.partial_cmp(&b).unwrap_or(Ordering::Equal),
    }
}

fn int_float_order(a: i64, b: f64) -> Ordering {
    if b.is_nan() {
        return Ordering::Less;
    }
    int_float_cmp(a, b).unwrap_or(Ordering::Equal)
}

/// Exact comparison of an integer with a float (no rounding of large integers).
fn int_float_cmp(a: i64, b: f64) -> Option<Ordering> {
    if b.is_nan() {
        return None;
    }
    if b >= 9.223_372_036_854_776e18 {
        return Some(Ordering::Less);
    }
    if b < -9.223_372_036_854_776e18 {
        return Some(Ordering::Greater);
    }
    let t = b.trunc();
    let bi = t as i64;
    match a.cmp(&bi) {
        Ordering::Equal => 0.0f64.partial_cmp(&(b - t)),
        o => Some(o),
    }
}

impl PartialEq for Value {
    fn eq(&self, other: &Value) -> bool {
        use Value::*;
        match (self, other) {
            (Null, Null) => true,
            (Bool(a), Bool(b)) => a == b,
            (Int(a), Int(b)) => a == b,
            (Float(a), Float(b)) => a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan()),
            (String(a), String(b)) => a == b,
            (Date(a), Date(b)) => a == b,
            (LocalTime(a), LocalTime(b)) => a == b,
            (Time(a), Time(b)) => a == b,
            (LocalDateTime(a), LocalDateTime(b)) => a == b,
            (DateTime(a), DateTime(b)) => a == b,
            (Duration(a), Duration(b)) => a == b,
            (List(a), List(b)) => a == b,
            (Map(a), Map(b)) => a == b,
            (Node(a), Node(b)) => a == b,
            (Relationship(a), Relationship(b)) => a == b,
            (Path(a), Path(b)) => a == b,
            _ => false,
        }
    }
}

impl Eq for Value {}

impl Hash for Value {
    fn hash<H: Hasher>(&self, state: &mut H) {
        match self {
            Value::Float(f) if f.is_nan() => 3u8.hash(state),
            Value::Float(f) => (3u8, f.to_bits()).hash(state),
            other => other.hash_equivalent(state),
        }
    }
}

impl From<bool> for Value {
    fn from(v: bool) -> Value {
        Value::Bool(v)
    }
}
impl From<i64> for Value {
    fn from(v: i64) -> Value {
        Value::Int(v)
    }
}
impl From<i32> for Value {
    fn from(v: i32) -> Value {
        Value::Int(i64::from(v))
    }
}
impl From<f64> for Value {
    fn from(v: f64) -> Value {
        Value::Float(v)
    }
}
impl From<&str> for Value {
    fn from(v: &str) -> Value {
        Value::String(Arc::from(v))
    }
}
impl From<String> for Value {
    fn from(v: String) -> Value {
        Value::String(Arc::from(v))
    }
}
impl From<Date> for Value {
    fn from(v: Date) -> Value {
        Value::Date(v)
    }
}
impl From<LocalTime> for Value {
    fn from(v: LocalTime) -> Value {
        Value::LocalTime(v)
    }
}
impl From<Time> for Value {
    fn from(v: Time) -> Value {
        Value::Time(v)
    }
}
impl From<LocalDateTime> for Value {
    fn from(v: LocalDateTime) -> Value {
        Value::LocalDateTime(v)
    }
}
impl From<DateTime> for Value {
    fn from(v: DateTime) -> Value {
        Value::DateTime(v)
    }
}
impl From<Duration> for Value {
    fn from(v: Duration) -> Value {
        Value::Duration(Box::new(v))
    }
}
impl From<NodeId> for Value {
    fn from(v: NodeId) -> Value {
        Value::Node(v)
    }
}
/// A map value.
///
/// ```
/// use std::collections::BTreeMap;
/// let v = kgraph::Value::from(BTreeMap::from([("k".to_owned(), kgraph::Value::Int(1))]));
/// assert_eq!(v.type_name(), "Map");
/// ```
impl From<BTreeMap<String, Value>> for Value {
    fn from(map: BTreeMap<String, Value>) -> Value {
        Value::Map(Arc::new(map))
    }
}

impl<T: Into<Value>> From<Vec<T>> for Value {
    fn from(v: Vec<T>) -> Value {
        Value::List(v.into_iter().map(Into::into).collect())
    }
}
impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Value {
        v.map_or(Value::Null, Into::into)
    }
}

/// Writes a float so that it reads back as a float: `1.0`, not `1`.
pub(crate) fn write_float(f: &mut impl fmt::Write, x: f64) -> fmt::Result {
    if x.is_nan() {
        f.write_str("NaN")
    } else if x.is_infinite() {
        f.write_str(if x > 0.0 { "Infinity" } else { "-Infinity" })
    } else {
        write!(f, "{x:?}")
    }
}

/// Prints the value as a Cypher literal would: strings quoted, floats with a fraction.
impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => f.write_str("null"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Int(i) => write!(f, "{i}"),
            Value::Float(x) => write_float(f, *x),
            Value::String(s) => {
                f.write_str("'")?;
                for c in s.chars() {
                    match c {
                        '\'' => f.write_str("\\'")?,
                        '\\' => f.write_str("\\\\")?,
                        '\n' => f.write_str("\\n")?,
                        _ => write!(f, "{c}")?,
                    }
                }
                f.write_str("'")
            }
            Value::Date(d) => write!(f, "date('{d}')"),
            Value::LocalTime(t) => write!(f, "localtime('{t}')"),
            Value::Time(t) => write!(f, "time('{t}')"),
            Value::LocalDateTime(t) => write!(f, "localdatetime('{t}')"),
            Value::DateTime(t) => write!(f, "datetime('{t}')"),
            Value::Duration(d) => write!(f, "duration('{d}')"),
            Value::List(l) => {
                f.write_str("[")?;
                for (i, v) in l.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{v}")?;
                }
                f.write_str("]")
            }
            Value::Map(m) => {
                f.write_str("{")?;
                for (i, (k, v)) in m.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{k}: {v}")?;
                }
                f.write_str("}")
            }
            Value::Node(n) => write!(f, "({n})"),
            Value::Relationship(r) => write!(f, "[{r}]"),
            Value::Path(p) => {
                write!(f, "<({})", p.start())?;
                for (r, n) in p.relationships().iter().zip(&p.nodes()[1..]) {
                    write!(f, "-[{r}]-({n})")?;
                }
                f.write_str(">")
            }
        }
    }
}

impl Serialize for Value {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        fn tagged<S: Serializer, T: Serialize + ?Sized>(
            s: S,
            tag: &str,
            inner: &T,
        ) -> Result<S::Ok, S::Error> {
            let mut m = s.serialize_map(Some(1))?;
            m.serialize_entry(tag, inner)?;
            m.end()
        }
        #[derive(Serialize)]
        struct Id {
            id: u32,
        }
        #[derive(Serialize)]
        struct PathIds<'a> {
            nodes: Vec<u32>,
            relationships: &'a [RelId],
        }
        match self {
            Value::Null => s.serialize_unit(),
            Value::Bool(b) => s.serialize_bool(*b),
            Value::Int(i) => s.serialize_i64(*i),
            Value::Float(x) if x.is_finite() => s.serialize_f64(*x),
            Value::Float(x) => {
                let mut text = String::new();
                write_float(&mut text, *x).map_err(serde::ser::Error::custom)?;
                tagged(s, "~float", &text)
            }
            Value::String(t) => s.serialize_str(t),
            Value::Date(d) => tagged(s, "~date", &d.to_string()),
            Value::LocalTime(t) => tagged(s, "~localtime", &t.to_string()),
            Value::Time(t) => tagged(s, "~time", &t.to_string()),
            Value::LocalDateTime(t) => tagged(s, "~localdatetime", &t.to_string()),
            Value::DateTime(t) => tagged(s, "~datetime", &t.to_string()),
            Value::Duration(d) => tagged(s, "~duration", &d.to_string()),
            Value::List(l) => {
                let mut seq = s.serialize_seq(Some(l.len()))?;
                for v in l {
                    seq.serialize_element(v)?;
                }
                seq.end()
            }
            Value::Map(m) => {
                let mut map = s.serialize_map(Some(m.len()))?;
                for (k, v) in m.iter() {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
            Value::Node(n) => tagged(s, "~node", &Id { id: n.index() }),
            Value::Relationship(r) => tagged(s, "~relationship", &Id { id: r.index() }),
            Value::Path(p) => tagged(
                s,
                "~path",
                &PathIds {
                    nodes: p.nodes().iter().map(|n| n.index()).collect(),
                    relationships: p.relationships(),
                },
            ),
        }
    }
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Value, D::Error> {
        d.deserialize_any(ValueVisitor)
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a Cypher value in the adapter's JSON encoding")
    }
    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(ValueVisitor)
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Int(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        i64::try_from(v)
            .map(Value::Int)
            .map_err(|_| E::custom(format!("integer {v} does not fit in 64 signed bits")))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        Ok(Value::Float(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
        while let Some(v) = seq.next_element::<Value>()? {
            out.push(v);
        }
        Ok(Value::List(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = BTreeMap::new();
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "~date" => {
                    let text: String = map.next_value()?;
                    let d = text.parse::<Date>().map_err(de::Error::custom)?;
                    return finish_tagged(map, Value::Date(d));
                }
                "~localtime" | "~time" | "~localdatetime" | "~datetime" | "~duration" => {
                    let text: String = map.next_value()?;
                    let v = temporal_from_tag(&key, &text).map_err(de::Error::custom)?;
                    return finish_tagged(map, v);
                }
                "~float" => {
                    let text: String = map.next_value()?;
                    let x = match text.as_str() {
                        "NaN" => f64::NAN,
                        "Infinity" => f64::INFINITY,
                        "-Infinity" => f64::NEG_INFINITY,
                        other => other
                            .parse::<f64>()
                            .map_err(|_| de::Error::custom(format!("'{other}' is not a float")))?,
                    };
                    return finish_tagged(map, Value::Float(x));
                }
                k if k.starts_with('~') => {
                    return Err(de::Error::custom(format!(
                        "'{k}' values cannot be given as input (only temporal values and ~float)"
                    )));
                }
                _ => {
                    let v: Value = map.next_value()?;
                    out.insert(key, v);
                }
            }
        }
        Ok(Value::from(out))
    }
}

/// The temporal value of a tag (`~time`, ...) and its text.
fn temporal_from_tag(tag: &str, text: &str) -> Result<Value, super::temporal::TemporalError> {
    Ok(match tag {
        "~localtime" => Value::LocalTime(text.parse()?),
        "~time" => Value::Time(text.parse()?),
        "~localdatetime" => Value::LocalDateTime(text.parse()?),
        "~datetime" => Value::DateTime(text.parse()?),
        _ => Value::from(text.parse::<Duration>()?),
    })
}

fn finish_tagged<'de, A: MapAccess<'de>>(mut map: A, v: Value) -> Result<Value, A::Error> {
    if map.next_key::<de::IgnoredAny>()?.is_some() {
        return Err(de::Error::custom(
            "a tagged value must be the only key of its object",
        ));
    }
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nesting_depth_counts_lists_and_maps() {
        let list = |v: Value| Value::List(vec![Value::Int(0), v]);
        let map = |v: Value| Value::from(BTreeMap::from([("k".to_owned(), v)]));
        assert!(!Value::Int(1).nested_deeper_than(0));
        assert!(Value::List(Vec::new()).nested_deeper_than(0));
        assert!(!Value::List(Vec::new()).nested_deeper_than(1));
        let three = list(map(list(Value::Null)));
        assert!(three.nested_deeper_than(2));
        assert!(!three.nested_deeper_than(3));
        // The deep branch is found beside shallow ones.
        let wide = Value::List(vec![Value::Int(1), map(Value::Int(2)), three]);
        assert!(wide.nested_deeper_than(3));
        assert!(!wide.nested_deeper_than(4));
    }

    #[test]
    fn a_value_is_four_words() {
        // Every stored property is a `Value`: a wider variant (an unboxed `Path` made it 56
        // bytes) costs memory on every property of a large graph.
        assert_eq!(std::mem::size_of::<Value>(), 32);
        let p = Path::new(
            vec![NodeId::from_index(1), NodeId::from_index(2)],
            vec![RelId::from_index(7)],
        );
        assert_eq!(
            format!("{p:?}"),
            "Some(Path { nodes: [NodeId(1), NodeId(2)], relationships: [RelId(7)] })"
        );
    }

    #[test]
    fn json_round_trip_keeps_types() {
        let text = r#"[1,1.0,2.5e9,"x",null,true,{"~date":"2022-11-05"},{"~float":"NaN"},{"a":[1]}]"#;
        let v: Value = serde_json::from_str(text).unwrap_or_default();
        let Value::List(items) = &v else {
            panic!("not a list: {v:?}")
        };
        assert_eq!(items[0], Value::Int(1));
        assert_eq!(items[1], Value::Float(1.0));
        assert!(matches!(items[7], Value::Float(x) if x.is_nan()));
        let back = serde_json::to_string(&v).unwrap_or_default();
        assert_eq!(
            back,
            r#"[1,1.0,2500000000.0,"x",null,true,{"~date":"2022-11-05"},{"~float":"NaN"},{"a":[1]}]"#
        );
    }

    #[test]
    fn refuses_foreign_tags_and_huge_integers() {
        assert!(serde_json::from_str::<Value>(r#"{"~node":{}}"#).is_err());
        assert!(serde_json::from_str::<Value>("18446744073709551615").is_err());
        assert!(serde_json::from_str::<Value>(r#"{"~date":"2022-02-30"}"#).is_err());
    }

    #[test]
    fn three_valued_equality_in_lists() {
        let a = Value::List(vec![Value::Int(1), Value::Null]);
        let b = Value::List(vec![Value::Int(2), Value::Null]);
        assert_eq!(a.cypher_eq(&b), Some(false));
        assert_eq!(a.cypher_eq(&a.clone()), None);
    }

    #[test]
    fn large_integers_compare_exactly_with_floats() {
        let big = Value::Int(i64::MAX);
        assert_eq!(
            big.cypher_cmp(&Value::Float(9.223_372_036_854_776e18)),
            Some(Ordering::Less)
        );
        assert_eq!(Value::Int(3).cypher_cmp(&Value::Float(3.5)), Some(Ordering::Less));
        assert_eq!(
            Value::Float(-3.5).cypher_cmp(&Value::Int(-3)),
            Some(Ordering::Less)
        );
    }

    #[test]
    fn order_puts_types_in_cypher_order() {
        let mut vs = [
            Value::Null,
            Value::Int(1),
            Value::Bool(true),
            Value::from("a"),
            Value::List(vec![]),
            Value::from(BTreeMap::new()),
            Value::Float(f64::NAN),
        ];
        vs.sort_by(Value::order_cmp);
        let names: Vec<_> = vs.iter().map(Value::type_name).collect();
        assert_eq!(
            names,
            ["Map", "List", "String", "Boolean", "Integer", "Float", "Null"]
        );
    }
}
