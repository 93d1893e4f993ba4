//! Query results: columns, rows of values, and what the query changed.

use serde::de::DeserializeOwned;

use super::de::Entries;
use super::record::Records;
use super::row::Row;
use crate::graph::Value;
use crate::query::exec::Stats;
use crate::query::profile::Profile;

/// The records of a result without nodes or relationships.
static NO_RECORDS: std::sync::LazyLock<Records> = std::sync::LazyLock::new(Records::default);

/// The records of a row without nodes or relationships.
pub(crate) fn no_records() -> &'static Records {
    &NO_RECORDS
}

/// The result of a query: named columns, rows of values, and statistics of the writes.
///
/// ```
/// let g = kgraph::Graph::ecosystem()?;
/// let r = g.query("MATCH (c:Company {name: 'AstraZeneca'}) RETURN c.name AS name, c.country AS country").run()?;
/// assert_eq!(r.columns(), ["name", "country"]);
/// assert_eq!(r.len(), 1);
/// assert_eq!(r.get(0, "country").and_then(|v| v.as_str()), Some("GB"));
/// # Ok::<_, kgraph::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct QueryResult {
    pub(crate) columns: std::sync::Arc<[String]>,
    pub(crate) rows: Vec<Vec<Value>>,
    pub(crate) stats: Stats,
    /// The nodes and relationships of the rows, read from the graph when the result was
    /// built; `None` when the rows hold none.
    pub(crate) records: Option<Box<Records>>,
    /// Rows and time per operator, for a statement run under `PROFILE`.
    pub(crate) profile: Option<Box<Profile>>,
}

impl QueryResult {
    /// The column names, in order.
    ///
    /// ```
    /// let r = kgraph::Graph::new().query("RETURN 1 AS one").run()?;
    /// assert_eq!(r.columns(), ["one"]);
    /// # Ok::<_, kgraph::QueryError>(())
    /// ```
    pub fn columns(&self) -> &[String] {
        &self.columns
    }

    /// The rows; each has one value per column.
    ///
    /// ```
    /// let r = kgraph::Graph::new().query("UNWIND [1, 2] AS x RETURN x").run()?;
    /// assert_eq!(r.rows().len(), 2);
    /// # Ok::<_, kgraph::QueryError>(())
    /// ```
    pub fn rows(&self) -> &[Vec<Value>] {
        &self.rows
    }

    /// Takes the rows out.
    ///
    /// ```
    /// let r = kgraph::Graph::new().query("RETURN 1 AS x").run()?;
    /// assert_eq!(r.into_rows(), vec![vec![kgraph::Value::Int(1)]]);
    /// # Ok::<_, kgraph::QueryError>(())
    /// ```
    pub fn into_rows(self) -> Vec<Vec<Value>> {
        self.rows
    }

    /// The number of rows.
    ///
    /// ```
    /// assert_eq!(kgraph::Graph::new().query("RETURN 1 AS x").run()?.len(), 1);
    /// # Ok::<_, kgraph::QueryError>(())
    /// ```
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// True if there are no rows.
    ///
    /// ```
    /// assert!(kgraph::Graph::new().query("MATCH (n) RETURN n").run()?.is_empty());
    /// # Ok::<_, kgraph::QueryError>(())
    /// ```
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The value in row `row` under column `column`.
    ///
    /// ```
    /// let r = kgraph::Graph::new().query("RETURN 'x' AS a").run()?;
    /// assert_eq!(r.get(0, "a"), Some(&kgraph::Value::from("x")));
    /// assert_eq!(r.get(0, "b"), None);
    /// # Ok::<_, kgraph::QueryError>(())
    /// ```
    pub fn get(&self, row: usize, column: &str) -> Option<&Value> {
        let c = self.columns.iter().position(|c| c == column)?;
        self.rows.get(row)?.get(c)
    }

    /// One column's values, top to bottom.
    ///
    /// ```
    /// let r = kgraph::Graph::new().query("UNWIND [3, 4] AS x RETURN x").run()?;
    /// assert_eq!(r.column("x").count(), 2);
    /// # Ok::<_, kgraph::QueryError>(())
    /// ```
    pub fn column<'r>(&'r self, column: &str) -> impl Iterator<Item = &'r Value> + 'r {
        let c = self.columns.iter().position(|x| x == column);
        self.rows.iter().filter_map(move |r| c.and_then(|c| r.get(c)))
    }

    /// What the query changed.
    ///
    /// ```
    /// let mut g = kgraph::Graph::new();
    /// let r = g.execute("CREATE (:A {x: 1})").run()?;
    /// assert_eq!((r.stats().nodes_created, r.stats().properties_set), (1, 1));
    /// # Ok::<_, kgraph::QueryError>(())
    /// ```
    pub fn stats(&self) -> &Stats {
        &self.stats
    }

    /// For a statement run under `PROFILE`, the rows each operator of its plan produced and
    /// the time spent in it; `None` otherwise. See [`Profile`] for what is measured and how.
    ///
    /// ```
    /// let mut g = kgraph::Graph::new();
    /// g.execute("UNWIND range(1, 10) AS i CREATE (:N {i: i})").run()?;
    /// let r = g.query("PROFILE MATCH (n:N) WHERE n.i > 7 RETURN n.i AS i").run()?;
    /// assert_eq!(r.len(), 3); // the rows of a plain run
    /// let profile = r.profile().expect("profiled");
    /// assert!(profile.operators().iter().any(|o| o.operator == "Filter" && o.rows == 3));
    /// println!("{profile}");
    /// assert!(g.query("MATCH (n:N) RETURN n.i AS i").run()?.profile().is_none());
    /// # Ok::<_, kgraph::QueryError>(())
    /// ```
    pub fn profile(&self) -> Option<&Profile> {
        self.profile.as_deref()
    }

    /// The rows as [`Row`]s, whose cells read as Rust types (`row.get::<T>("column")`).
    ///
    /// ```
    /// let g = kgraph::Graph::ecosystem()?;
    /// let r = g.query("MATCH (c:Company) WHERE c.name STARTS WITH 'Astra' RETURN c.name AS name, c.country AS country").run()?;
    /// for row in r.iter() {
    ///     let name: String = row.get("name")?;
    ///     let country: Option<String> = row.get("country")?;
    ///     assert_eq!((name.as_str(), country.as_deref()), ("AstraZeneca", Some("GB")));
    /// }
    /// # Ok::<_, kgraph::Error>(())
    /// ```
    pub fn iter(&self) -> impl ExactSizeIterator<Item = Row<'_>> + '_ {
        let records = self.records();
        self.rows.iter().map(move |values| Row {
            columns: &self.columns,
            values,
            records,
        })
    }

    /// The row at `index`, if there is one.
    ///
    /// ```
    /// let r = kgraph::Graph::new().query("RETURN 1 AS x").run()?;
    /// assert_eq!(r.row(0).map(|row| row.get::<i64>("x")), Some(Ok(1)));
    /// assert!(r.row(1).is_none());
    /// # Ok::<_, kgraph::QueryError>(())
    /// ```
    pub fn row(&self, index: usize) -> Option<Row<'_>> {
        let values = self.rows.get(index)?;
        Some(Row {
            columns: &self.columns,
            values,
            records: self.records(),
        })
    }

    /// The records (labels or type, ends and properties) of the nodes and relationships in
    /// the rows, as they were when the result was built.
    ///
    /// ```
    /// let g = kgraph::Graph::ecosystem()?;
    /// let r = g.query("MATCH (c:Company {name: 'Pfizer'}) RETURN c").run()?;
    /// let id = r.rows()[0][0].as_node().unwrap();
    /// assert_eq!(r.records().node(id).and_then(|n| n.property("name")), Some(&kgraph::Value::from("Pfizer")));
    /// # Ok::<_, kgraph::Error>(())
    /// ```
    pub fn records(&self) -> &Records {
        self.records.as_deref().unwrap_or(&NO_RECORDS)
    }

    /// Deserialises every row, as a map from column name to value, into `T` with serde.
    ///
    /// Each value is handed over in the form its field asks for: a `String` field (or any
    /// type that reads text, such as `chrono::NaiveDate`) gets a temporal value's ISO 8601
    /// text; a field that reads any form (`kgraph::Value`, `serde_json::Value`,
    /// `kgraph::Date`) gets the adapter encoding (`{"~date":"2022-11-05"}`), which the
    /// crate's temporal types read too. Nodes and relationships arrive as
    /// `{"~node":{"id":..,"labels":..,"properties":..}}` and
    /// `{"~relationship":{"id":..,"type":..,"start":..,"end":..,"properties":..}}`, which
    /// [`Node`](crate::Node) and [`Relationship`](crate::Relationship) read.
    ///
    /// ```
    /// #[derive(serde::Deserialize)]
    /// struct Firm { name: String, country: Option<String>, day: String, date: kgraph::Date, c: kgraph::Node }
    /// let g = kgraph::Graph::ecosystem()?;
    /// let firms: Vec<Firm> = g
    ///     .query("MATCH (c:Company) WHERE c.name STARTS WITH 'Astra'
    ///             RETURN c.name AS name, c.country AS country, date('2022-11-05') AS day, date('2022-11-05') AS date, c")
    ///     .run()?
    ///     .deserialize()?;
    /// assert_eq!(firms[0].name, "AstraZeneca");
    /// assert_eq!(firms[0].country.as_deref(), Some("GB"));
    /// assert_eq!(firms[0].day, "2022-11-05");
    /// assert_eq!(firms[0].date.year(), 2022);
    /// assert!(firms[0].c.has_label("Company"));
    /// # Ok::<_, kgraph::Error>(())
    /// ```
    pub fn deserialize<T: DeserializeOwned>(&self) -> Result<Vec<T>, serde_json::Error> {
        let records = self.records();
        self.rows
            .iter()
            .map(|row| {
                let entries = Entries {
                    entries: self.columns.iter().zip(row.iter()),
                    value: None,
                    records,
                };
                T::deserialize(RowDe(entries))
            })
            .collect()
    }
}

/// A row as a map, for serde.
struct RowDe<'a, I>(Entries<'a, I>);

impl<'de, 'a, I: Iterator<Item = (&'a String, &'a Value)>> serde::de::Deserializer<'de> for RowDe<'a, I> {
    type Error = serde_json::Error;

    fn deserialize_any<V: serde::de::Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        visitor.visit_map(self.0)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf option unit
        unit_struct newtype_struct seq tuple tuple_struct map struct enum identifier ignored_any
    }
}
