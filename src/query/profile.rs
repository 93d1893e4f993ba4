//! What `PROFILE` reports: rows and time per operator of the plan that ran.

use std::fmt;
use std::time::Duration;

use serde::Serialize;

/// Rows and time per operator of a statement run under `PROFILE`, in the order and tree of
/// the plan `EXPLAIN` prints (`ProduceResults` first, each operator above the operators that
/// feed it). [`QueryResult::profile`](crate::QueryResult::profile) gives it.
///
/// An operator's time is **exclusive**: the time spent in the operator itself, not in the
/// operators that feed it (nor in those nested under it, such as the inner pipeline of an
/// `Optional`); `ProduceResults` holds the time outside every operator (moving rows into the
/// result). Every clock reading is charged to exactly one of them, so the times add up to
/// [`total_time`](Profile::total_time) exactly.
///
/// A profiled statement runs on one thread, pulling each row through every operator (no
/// parallel aggregation, no operator fused into the one before it): the rows and the answer
/// are those of a plain run, the times those of that simpler way of running, and measuring
/// adds two clock readings per row per operator.
///
/// `Display` prints an aligned table:
///
/// ```
/// let mut g = kgraph::Graph::new();
/// g.execute("UNWIND range(1, 10) AS i CREATE (:N {i: i})").run()?;
/// let r = g.query("PROFILE MATCH (n:N) WHERE n.i <= 3 RETURN n.i AS i").run()?;
/// assert_eq!(r.len(), 3);
/// let profile = r.profile().expect("a PROFILE result has a profile");
/// let table = profile.to_string();
/// assert!(table.starts_with("Operator"));
/// assert!(table.lines().any(|l| l.trim_start().starts_with("NodeByLabelScan")));
/// assert!(table.lines().last().unwrap().starts_with("Total time"));
/// # Ok::<_, kgraph::QueryError>(())
/// ```
///
/// ```text
/// Operator             Details          Rows  Time (ms)
/// -----------------------------------------------------
/// ProduceResults       i                   3      0.017
///   Projection         $1                  3      0.007
///     Filter                               3      0.008
///     NodeByLabelScan  $0 [1 label(s)]    10      0.009
/// -----------------------------------------------------
/// Total time: 0.041 ms
/// ```
#[non_exhaustive]
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Profile {
    pub(crate) operators: Vec<OperatorProfile>,
    #[serde(rename = "total_time_ms", serialize_with = "millis")]
    pub(crate) total_time: Duration,
}

/// One operator of a [`Profile`]: where it sits in the plan, what it is, the rows it produced
/// and the time spent in it.
///
/// ```
/// let mut g = kgraph::Graph::new();
/// g.execute("UNWIND range(1, 10) AS i CREATE (:N {i: i})").run()?;
/// let r = g.query("PROFILE MATCH (n:N) WHERE n.i <= 3 RETURN n.i AS i").run()?;
/// let ops = r.profile().unwrap().operators();
/// let scan = ops.iter().find(|o| o.operator == "NodeByLabelScan").unwrap();
/// let filter = ops.iter().find(|o| o.operator == "Filter").unwrap();
/// assert_eq!((scan.rows, filter.rows), (10, 3));
/// assert_eq!(ops[0].operator, "ProduceResults");
/// assert_eq!((ops[0].depth, ops[0].rows), (0, 3));
/// # Ok::<_, kgraph::QueryError>(())
/// ```
#[non_exhaustive]
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct OperatorProfile {
    /// The depth in the plan's tree (0 for `ProduceResults`); `EXPLAIN` indents each line by
    /// two spaces per level.
    pub depth: usize,
    /// The operator's name as `EXPLAIN` prints it (`NodeByLabelScan`, `Expand`, `Filter`,
    /// `Projection`, ...; `Union` or `UnionAll` for a part of a `UNION`).
    pub operator: String,
    /// Its details as `EXPLAIN` prints them (slots, checks, keys); may be empty.
    pub details: String,
    /// The rows it produced, over the whole run (for an operator under an `Optional`, a
    /// `MERGE`, a `FOREACH` or a `CALL { }`, summed over every row it ran for). For a write
    /// operator, the rows it passed on; what it changed is in the result's statistics.
    pub rows: u64,
    /// The time spent in the operator itself (exclusive; see [`Profile`]). Serialised as
    /// `time_ms`, a float of milliseconds.
    #[serde(rename = "time_ms", serialize_with = "millis")]
    pub time: Duration,
}

fn millis<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(d.as_secs_f64() * 1000.0)
}

impl Profile {
    /// The operators, in plan order: `ProduceResults` first, then each operator with the
    /// operators that feed it after it (deeper), as `EXPLAIN` prints them.
    ///
    /// ```
    /// let g = kgraph::Graph::new();
    /// let r = g.query("PROFILE UNWIND [1, 2, 3] AS x RETURN x").run()?;
    /// let names: Vec<&str> = r.profile().unwrap().operators().iter().map(|o| o.operator.as_str()).collect();
    /// assert_eq!(names, ["ProduceResults", "Projection", "Unwind"]);
    /// assert!(r.profile().unwrap().operators().iter().all(|o| o.rows == 3));
    /// # Ok::<_, kgraph::QueryError>(())
    /// ```
    pub fn operators(&self) -> &[OperatorProfile] {
        &self.operators
    }

    /// The time the statement's execution took, from its first operator to its last row
    /// (not counting parsing and planning).
    ///
    /// ```
    /// let g = kgraph::Graph::new();
    /// let r = g.query("PROFILE UNWIND range(1, 1000) AS x RETURN sum(x) AS s").run()?;
    /// let p = r.profile().unwrap();
    /// let sum: std::time::Duration = p.operators().iter().map(|o| o.time).sum();
    /// assert!(sum <= p.total_time());
    /// # Ok::<_, kgraph::QueryError>(())
    /// ```
    pub fn total_time(&self) -> Duration {
        self.total_time
    }
}

/// Milliseconds with three decimals (microseconds).
fn ms(d: Duration) -> String {
    format!("{:.3}", d.as_secs_f64() * 1000.0)
}

impl fmt::Display for Profile {
    /// An aligned table: the operator (indented two spaces per depth), its details, its rows
    /// and its time in milliseconds, with a header and a total line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const HEAD: [&str; 4] = ["Operator", "Details", "Rows", "Time (ms)"];
        let names: Vec<String> = self
            .operators
            .iter()
            .map(|o| format!("{:indent$}{}", "", o.operator, indent = 2 * o.depth))
            .collect();
        let rows: Vec<String> = self.operators.iter().map(|o| o.rows.to_string()).collect();
        let times: Vec<String> = self.operators.iter().map(|o| ms(o.time)).collect();
        let width =
            |head: &str, cells: &mut dyn Iterator<Item = usize>| cells.fold(head.chars().count(), usize::max);
        let w_name = width(HEAD[0], &mut names.iter().map(|s| s.chars().count()));
        let w_detail = width(
            HEAD[1],
            &mut self.operators.iter().map(|o| o.details.chars().count()),
        );
        let w_rows = width(HEAD[2], &mut rows.iter().map(String::len));
        let w_time = width(HEAD[3], &mut times.iter().map(String::len));
        let total_width = w_name + w_detail + w_rows + w_time + 6;
        let rule = "-".repeat(total_width);
        writeln!(
            f,
            "{:<w_name$}  {:<w_detail$}  {:>w_rows$}  {:>w_time$}",
            HEAD[0], HEAD[1], HEAD[2], HEAD[3]
        )?;
        writeln!(f, "{rule}")?;
        for (((o, name), rows), time) in self.operators.iter().zip(&names).zip(&rows).zip(&times) {
            // `{:<w$}` pads by characters, so details in any script line up.
            let line = format!(
                "{name:<w_name$}  {:<w_detail$}  {rows:>w_rows$}  {time:>w_time$}",
                o.details
            );
            writeln!(f, "{}", line.trim_end())?;
        }
        writeln!(f, "{rule}")?;
        write!(f, "Total time: {} ms", ms(self.total_time))
    }
}
