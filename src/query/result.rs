//! Query results: columns, rows of values, and what the query changed.

use serde::de::DeserializeOwned;

use crate::graph::Value;
use crate::query::exec::Stats;

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

    /// Deserialises every row, as a map from column name to value, into `T` with serde.
    /// Nodes and relationships arrive as `{"~node":{"id":N}}`; return their properties
    /// (`n.name`) to get plain values.
    ///
    /// ```
    /// #[derive(serde::Deserialize)]
    /// struct Firm { name: String, country: Option<String> }
    /// let g = kgraph::Graph::ecosystem()?;
    /// let firms: Vec<Firm> = g
    ///     .query("MATCH (c:Company) WHERE c.name STARTS WITH 'Astra' RETURN c.name AS name, c.country AS country")
    ///     .run()?
    ///     .deserialize()?;
    /// assert_eq!(firms[0].name, "AstraZeneca");
    /// assert_eq!(firms[0].country.as_deref(), Some("GB"));
    /// # Ok::<_, kgraph::Error>(())
    /// ```
    pub fn deserialize<T: DeserializeOwned>(&self) -> Result<Vec<T>, serde_json::Error> {
        self.rows
            .iter()
            .map(|row| {
                let map: serde_json::Map<String, serde_json::Value> = self
                    .columns
                    .iter()
                    .zip(row)
                    .map(|(c, v)| Ok((c.clone(), serde_json::to_value(v)?)))
                    .collect::<Result<_, serde_json::Error>>()?;
                serde_json::from_value(serde_json::Value::Object(map))
            })
            .collect()
    }
}
