//! Typed access to a result's rows: [`Row`], [`FromValue`] and [`RowError`].

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};

use super::record::{NodeInner, Records, RelInner, Tagged};
use crate::graph::temporal::{Date, DateTime, Duration, LocalDateTime, LocalTime, Time};
use crate::graph::{NodeId, RelId, Value, ValueError};
use crate::query::record::{Node, Relationship};
use crate::Path;

/// Why a row's cell could not be read.
///
/// ```
/// use kgraph::{Graph, RowError};
/// let r = Graph::new().query("RETURN 'x' AS a").run()?;
/// let row = r.iter().next().unwrap();
/// let err = row.get::<i64>("a").unwrap_err();
/// assert!(matches!(&err, RowError::WrongType { column, expected: "Integer", actual: "String" } if column == "a"));
/// assert!(matches!(row.get::<i64>("b"), Err(RowError::UnknownColumn { .. })));
/// # Ok::<_, kgraph::QueryError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RowError {
    /// No column has this name.
    #[error("no column `{column}` in this result (its columns: {})", columns.join(", "))]
    UnknownColumn {
        /// The name asked for.
        column: String,
        /// The result's columns.
        columns: Vec<String>,
    },
    /// The cell (or an element of it) is of another type than the one asked for.
    #[error("column `{column}`: expected {expected}, found {actual}")]
    WrongType {
        /// The column.
        column: String,
        /// The Cypher type the conversion reads.
        expected: &'static str,
        /// The Cypher type found (`Null` for null: ask for an `Option` to accept it).
        actual: &'static str,
    },
    /// The cell is of the right type, but the Rust type cannot hold its value.
    #[error("column `{column}`: {value} does not fit in {target}")]
    OutOfRange {
        /// The column.
        column: String,
        /// The value, printed.
        value: String,
        /// The Rust type.
        target: &'static str,
    },
    /// The cell is a node or relationship that the statement deleted: it has no record.
    #[error(
        "column `{column}`: {entity} was deleted by the statement, so it has no labels or properties to read"
    )]
    Deleted {
        /// The column.
        column: String,
        /// The node (`n3`) or relationship (`r7`).
        entity: String,
    },
}

impl RowError {
    fn at(column: &str, e: ValueError) -> RowError {
        match e {
            ValueError::WrongType { expected, actual } => RowError::WrongType {
                column: column.to_owned(),
                expected,
                actual,
            },
            ValueError::OutOfRange { value, target } if target == DELETED => RowError::Deleted {
                column: column.to_owned(),
                entity: value,
            },
            ValueError::OutOfRange { value, target } => RowError::OutOfRange {
                column: column.to_owned(),
                value,
                target,
            },
        }
    }
}

/// The `target` of the `OutOfRange` error that stands for a deleted entity's missing record.
const DELETED: &str = "a record (it was deleted by the statement)";

/// A Rust type a row's cell can be read as, with the records of the result's nodes and
/// relationships at hand. Implemented for every type with `TryFrom<&Value>` in this crate
/// (integers, checked; `f64`; `bool`; `String`; the temporal types; `NodeId`, `RelId`,
/// `Path`), for [`Value`] itself, [`Node`] and [`Relationship`] (their records),
/// `Option<T>` (null is `None`), `Vec<T>` (a list), and, with the `chrono` or `jiff`
/// features, their date and time types.
///
/// ```
/// use kgraph::{FromValue, Records, Value};
/// assert_eq!(Option::<i64>::from_value(&Value::Null, &Records::default()), Ok(None));
/// assert_eq!(Vec::<String>::from_value(&Value::List(vec!["a".into()]), &Records::default()), Ok(vec!["a".to_owned()]));
/// ```
pub trait FromValue: Sized {
    /// Reads `value`; `records` holds the result's nodes and relationships.
    fn from_value(value: &Value, records: &Records) -> Result<Self, ValueError>;
}

macro_rules! from_value_via_try_from {
    ($($t:ty),*) => {$(
        impl FromValue for $t {
            fn from_value(value: &Value, _: &Records) -> Result<$t, ValueError> {
                <$t>::try_from(value)
            }
        }
    )*};
}

from_value_via_try_from!(
    i64,
    i32,
    i16,
    i8,
    u64,
    u32,
    u16,
    u8,
    usize,
    isize,
    f64,
    bool,
    String,
    Arc<str>,
    Date,
    LocalTime,
    Time,
    LocalDateTime,
    DateTime,
    Duration,
    NodeId,
    RelId,
    Path
);

#[cfg(feature = "chrono")]
from_value_via_try_from!(
    chrono::NaiveDate,
    chrono::NaiveTime,
    chrono::NaiveDateTime,
    chrono::DateTime<chrono::FixedOffset>
);

#[cfg(feature = "jiff")]
from_value_via_try_from!(
    jiff::civil::Date,
    jiff::civil::Time,
    jiff::civil::DateTime,
    jiff::Timestamp,
    jiff::Zoned,
    jiff::Span,
    jiff::SignedDuration
);

impl FromValue for Value {
    fn from_value(value: &Value, _: &Records) -> Result<Value, ValueError> {
        Ok(value.clone())
    }
}

impl<T: FromValue> FromValue for Option<T> {
    fn from_value(value: &Value, records: &Records) -> Result<Option<T>, ValueError> {
        match value {
            Value::Null => Ok(None),
            v => T::from_value(v, records).map(Some),
        }
    }
}

impl<T: FromValue> FromValue for Vec<T> {
    fn from_value(value: &Value, records: &Records) -> Result<Vec<T>, ValueError> {
        match value {
            Value::List(items) => items.iter().map(|i| T::from_value(i, records)).collect(),
            other => Err(ValueError::wrong("List", other)),
        }
    }
}

impl<T: FromValue> FromValue for BTreeMap<String, T> {
    fn from_value(value: &Value, records: &Records) -> Result<BTreeMap<String, T>, ValueError> {
        match value {
            Value::Map(m) => m
                .iter()
                .map(|(k, v)| Ok((k.clone(), T::from_value(v, records)?)))
                .collect(),
            other => Err(ValueError::wrong("Map", other)),
        }
    }
}

impl FromValue for Node {
    fn from_value(value: &Value, records: &Records) -> Result<Node, ValueError> {
        let id = NodeId::try_from(value)?;
        records.node(id).cloned().ok_or_else(|| ValueError::OutOfRange {
            value: id.to_string(),
            target: DELETED,
        })
    }
}

impl FromValue for Relationship {
    fn from_value(value: &Value, records: &Records) -> Result<Relationship, ValueError> {
        let id = RelId::try_from(value)?;
        records
            .relationship(id)
            .cloned()
            .ok_or_else(|| ValueError::OutOfRange {
                value: id.to_string(),
                target: DELETED,
            })
    }
}

/// One row of a result: its cells by column name, read as Rust types.
///
/// ```
/// use kgraph::{Date, Graph, Node};
/// let g = Graph::ecosystem()?;
/// let r = g.query("MATCH (c:Company {name: 'AstraZeneca'}) RETURN c, c.name AS name, date('2022-11-05') AS day").run()?;
/// for row in r.iter() {
///     let name: String = row.get("name")?;
///     let day: Date = row.get("day")?;
///     let c: Node = row.get("c")?;
///     assert_eq!((name.as_str(), day.year()), ("AstraZeneca", 2022));
///     assert!(c.has_label("Company"));
/// }
/// # Ok::<_, kgraph::Error>(())
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Row<'r> {
    pub(crate) columns: &'r [String],
    pub(crate) values: &'r [Value],
    pub(crate) records: &'r Records,
}

impl<'r> Row<'r> {
    /// The cell under `column`, read as `T`.
    ///
    /// ```
    /// let r = kgraph::Graph::new().query("RETURN 7 AS n, null AS none").run()?;
    /// let row = r.iter().next().unwrap();
    /// assert_eq!(row.get::<u32>("n")?, 7);
    /// assert_eq!(row.get::<Option<String>>("none")?, None);
    /// # Ok::<_, kgraph::Error>(())
    /// ```
    pub fn get<T: FromValue>(&self, column: &str) -> Result<T, RowError> {
        let v = self.value(column).ok_or_else(|| RowError::UnknownColumn {
            column: column.to_owned(),
            columns: self.columns.to_vec(),
        })?;
        T::from_value(v, self.records).map_err(|e| RowError::at(column, e))
    }

    /// The cell at position `index` (0 is the first column), read as `T`.
    ///
    /// ```
    /// let r = kgraph::Graph::new().query("RETURN 'a' AS x").run()?;
    /// assert_eq!(r.iter().next().unwrap().get_at::<String>(0)?, "a");
    /// # Ok::<_, kgraph::Error>(())
    /// ```
    pub fn get_at<T: FromValue>(&self, index: usize) -> Result<T, RowError> {
        let column = self.columns.get(index).map_or("", String::as_str);
        let v = self.values.get(index).ok_or_else(|| RowError::UnknownColumn {
            column: format!("#{index}"),
            columns: self.columns.to_vec(),
        })?;
        T::from_value(v, self.records).map_err(|e| RowError::at(column, e))
    }

    /// The cell under `column`, as a [`Value`].
    ///
    /// ```
    /// let r = kgraph::Graph::new().query("RETURN 1 AS x").run()?;
    /// assert_eq!(r.iter().next().unwrap().value("x"), Some(&kgraph::Value::Int(1)));
    /// # Ok::<_, kgraph::QueryError>(())
    /// ```
    pub fn value(&self, column: &str) -> Option<&'r Value> {
        let i = self.columns.iter().position(|c| c == column)?;
        self.values.get(i)
    }

    /// The column names.
    ///
    /// ```
    /// let r = kgraph::Graph::new().query("RETURN 1 AS x").run()?;
    /// assert_eq!(r.iter().next().unwrap().columns(), ["x"]);
    /// # Ok::<_, kgraph::QueryError>(())
    /// ```
    pub fn columns(&self) -> &'r [String] {
        self.columns
    }

    /// The cells, in column order.
    ///
    /// ```
    /// let r = kgraph::Graph::new().query("RETURN 1 AS x").run()?;
    /// assert_eq!(r.iter().next().unwrap().values(), [kgraph::Value::Int(1)]);
    /// # Ok::<_, kgraph::QueryError>(())
    /// ```
    pub fn values(&self) -> &'r [Value] {
        self.values
    }

    /// The records of the nodes and relationships of the result (for the ids inside paths
    /// and lists).
    ///
    /// ```
    /// let g = kgraph::Graph::ecosystem()?;
    /// let r = g.query("MATCH p = (:Company {name: 'AstraZeneca'})-[:INVESTS_IN]->() RETURN p LIMIT 1").run()?;
    /// let row = r.iter().next().unwrap();
    /// let p: kgraph::Path = row.get("p")?;
    /// assert!(row.records().node(p.end()).is_some());
    /// # Ok::<_, kgraph::Error>(())
    /// ```
    pub fn records(&self) -> &'r Records {
        self.records
    }
}

/// A row serialises as a map from column name to cell, in the adapter encoding with the
/// records filled in: `{"~node":{"id":..,"labels":[..],"properties":{..}}}`,
/// `{"~relationship":{"id":..,"type":..,"start":..,"end":..,"properties":{..}}}` and
/// `{"~path":[node, relationship, node, ...]}` with each relationship's `"~direction"`.
///
/// ```
/// let mut g = kgraph::Graph::new();
/// let r = g.execute("CREATE (a:A {x: 1})-[t:T]->(b:B) RETURN a, t").run()?;
/// let json = serde_json::to_string(&r.iter().next().unwrap())?;
/// assert_eq!(json, r#"{"a":{"~node":{"id":0,"labels":["A"],"properties":{"x":1}}},"t":{"~relationship":{"id":0,"type":"T","start":0,"end":1,"properties":{}}}}"#);
/// # Ok::<_, kgraph::Error>(())
/// ```
impl Serialize for Row<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.columns.len()))?;
        for (c, v) in self.columns.iter().zip(self.values) {
            m.serialize_entry(c, &Cell::new(v, self.records))?;
        }
        m.end()
    }
}

/// A cell with the records to write its nodes and relationships in full: the adapter
/// encoding of a value of a result.
///
/// ```
/// use kgraph::{Cell, Records, Value};
/// let json = serde_json::to_string(&Cell::new(&Value::List(vec![Value::Int(1)]), &Records::default()))?;
/// assert_eq!(json, "[1]");
/// # Ok::<_, serde_json::Error>(())
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Cell<'a> {
    value: &'a Value,
    records: &'a Records,
}

impl<'a> Cell<'a> {
    /// A value and the records of its result.
    ///
    /// ```
    /// let v = kgraph::Value::Null;
    /// let _ = kgraph::Cell::new(&v, &kgraph::Records::default());
    /// ```
    pub fn new(value: &'a Value, records: &'a Records) -> Cell<'a> {
        Cell { value, records }
    }
}

impl Serialize for Cell<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let records = self.records;
        match self.value {
            Value::Node(id) => Tagged(
                "~node",
                &NodeInner {
                    id: *id,
                    record: records.node(*id),
                },
            )
            .serialize(s),
            Value::Relationship(id) => Tagged(
                "~relationship",
                &RelInner {
                    id: *id,
                    record: records.relationship(*id),
                    direction: None,
                },
            )
            .serialize(s),
            Value::Path(p) => Tagged("~path", &PathCells { path: p, records }).serialize(s),
            Value::List(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for i in items {
                    seq.serialize_element(&Cell::new(i, records))?;
                }
                seq.end()
            }
            Value::Map(m) => {
                let mut map = s.serialize_map(Some(m.len()))?;
                for (k, v) in m.iter() {
                    map.serialize_entry(k, &Cell::new(v, records))?;
                }
                map.end()
            }
            other => other.serialize(s),
        }
    }
}

/// A path as the alternating list of its nodes and relationships.
struct PathCells<'a> {
    path: &'a Path,
    records: &'a Records,
}

impl Serialize for PathCells<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let nodes = self.path.nodes();
        let mut seq = s.serialize_seq(Some(nodes.len() * 2 - 1))?;
        let node = |id: NodeId| NodeInner {
            id,
            record: self.records.node(id),
        };
        seq.serialize_element(&Tagged("~node", &node(self.path.start())))?;
        for (r, pair) in self.path.relationships().iter().zip(nodes.windows(2)) {
            let record = self.records.relationship(*r);
            let forward = record.is_none_or(|rel| rel.start() == pair[0]);
            let inner = RelInner {
                id: *r,
                record,
                direction: Some(if forward { "->" } else { "<-" }),
            };
            seq.serialize_element(&Tagged("~relationship", &inner))?;
            seq.serialize_element(&Tagged("~node", &node(pair[1])))?;
        }
        seq.end()
    }
}
