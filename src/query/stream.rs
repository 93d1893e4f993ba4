//! Rows as an iterator that runs the query as it is pulled: [`RowStream`].

use std::cell::Cell;
use std::sync::Arc;

use super::exec::budget::Budget;
use super::exec::{Ctx, Limits, RowIter};
use super::plan::Plan;
use super::record::Records;
use super::row::{FromValue, Row, RowError};
use super::{runtime, Params, QueryError, QueryResult};
use crate::graph::{Graph, Value};

/// What a running stream owns: the plan, the parameters, the limits and the step counter.
struct Owner<'g> {
    graph: &'g Graph,
    plan: Arc<Plan>,
    params: Params,
    limits: Limits,
    steps: Cell<u64>,
}

type BudgetOf<'a> = Budget<'a>;
type CtxOf<'a> = Ctx<'a>;
type RowsOf<'a> = RowIter<'a>;

self_cell::self_cell!(
    /// The owner and the statement's budget, which borrows its limits.
    struct WithBudget<'g> {
        owner: Owner<'g>,
        #[covariant]
        dependent: BudgetOf,
    }
);

self_cell::self_cell!(
    /// ... and the executor's context, which borrows the budget.
    struct WithCtx<'g> {
        owner: WithBudget<'g>,
        #[covariant]
        dependent: CtxOf,
    }
);

self_cell::self_cell!(
    /// ... and the pull iterator over the plan, which borrows the context and the plan.
    struct Running<'g> {
        owner: WithCtx<'g>,
        #[not_covariant]
        dependent: RowsOf,
    }
);

/// Where a stream's rows come from.
enum Source<'g> {
    /// The executor, pulled row by row.
    Running(Box<Running<'g>>),
    /// Rows already made (an `EXPLAIN`, or a statement nested too deeply to run on the
    /// caller's stack, which runs whole on a thread of its own).
    Done(std::vec::IntoIter<Vec<Value>>, Option<Box<Records>>),
    /// Finished, or stopped by an error.
    Ended,
}

/// The rows of a read query as the executor produces them: an iterator of
/// `Result<OwnedRow, QueryError>` that runs the query as it is pulled, so a caller that stops
/// early does not pay for the rest. Made by [`ReadQuery::stream`](crate::ReadQuery::stream).
///
/// Plans whose last operators need all their input (`ORDER BY`, aggregation, `DISTINCT`
/// between the parts of a `UNION`) produce it when the first row is asked for; rows then
/// come one at a time from what they hold. The statement's budgets (deadline, cancel
/// handle, memory, rows) apply while rows are pulled; a stopped query yields its error as an
/// item, and then nothing more. The stream borrows the graph: it cannot change while rows
/// are read.
///
/// ```
/// use kgraph::Graph;
/// let mut g = Graph::new();
/// g.execute("UNWIND range(1, 1000) AS i CREATE (:N {i: i})").run()?;
/// // A cartesian product of a million rows, of which ten are read.
/// let first: Vec<i64> = g
///     .query("MATCH (a:N), (b:N) RETURN a.i * 1000 + b.i AS k")
///     .stream()?
///     .take(10)
///     .map(|row| Ok::<_, kgraph::Error>(row?.get::<i64>("k")?))
///     .collect::<Result<_, _>>()?;
/// assert_eq!(first.len(), 10);
/// # Ok::<_, kgraph::Error>(())
/// ```
pub struct RowStream<'g> {
    graph: &'g Graph,
    text: &'g str,
    columns: Arc<[String]>,
    source: Source<'g>,
    /// The profile of a `PROFILE` statement (which runs whole before its rows stream).
    profile: Option<Box<super::Profile>>,
}

impl std::fmt::Debug for RowStream<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RowStream")
            .field("text", &self.text)
            .field("columns", &self.columns)
            .finish_non_exhaustive()
    }
}

impl<'g> RowStream<'g> {
    /// A stream that pulls `plan`'s rows from the executor.
    pub(crate) fn running(
        graph: &'g Graph,
        text: &'g str,
        plan: Arc<Plan>,
        params: Params,
        limits: Limits,
    ) -> RowStream<'g> {
        let columns = plan.columns.clone();
        let owner = Owner {
            graph,
            plan,
            params,
            limits,
            steps: Cell::new(0),
        };
        let with_budget = WithBudget::new(owner, |o| Budget::new(&o.limits));
        let with_ctx = WithCtx::new(with_budget, |wb| {
            let o = wb.borrow_owner();
            Ctx::new(
                o.graph,
                &o.params.0,
                wb.borrow_dependent(),
                &o.steps,
                o.plan.width,
                None,
            )
        });
        let running = Running::new(with_ctx, |wc| {
            let plan: &Plan = &wc.borrow_owner().borrow_owner().plan;
            super::exec::stream_read(wc.borrow_dependent(), plan)
        });
        RowStream {
            graph,
            text,
            columns,
            source: Source::Running(Box::new(running)),
            profile: None,
        }
    }

    /// A stream over a result already made.
    pub(crate) fn done(graph: &'g Graph, text: &'g str, result: QueryResult) -> RowStream<'g> {
        RowStream {
            graph,
            text,
            columns: result.columns,
            source: Source::Done(result.rows.into_iter(), result.records),
            profile: result.profile,
        }
    }

    /// The profile of a statement run under `PROFILE` (see
    /// [`QueryResult::profile`](crate::QueryResult::profile)); `None` otherwise. A profiled
    /// statement runs whole when the stream is made (its profile is known only once every
    /// row is), and its rows are then read from what it made.
    ///
    /// ```
    /// let g = kgraph::Graph::new();
    /// let rows = g.query("PROFILE UNWIND [1, 2] AS x RETURN x").stream()?;
    /// assert_eq!(rows.profile().map(|p| p.operators()[0].rows), Some(2));
    /// assert_eq!(rows.count(), 2);
    /// assert!(g.query("RETURN 1 AS x").stream()?.profile().is_none());
    /// # Ok::<_, kgraph::QueryError>(())
    /// ```
    pub fn profile(&self) -> Option<&super::Profile> {
        self.profile.as_deref()
    }

    /// The column names.
    ///
    /// ```
    /// let g = kgraph::Graph::new();
    /// assert_eq!(g.query("RETURN 1 AS x").stream()?.columns(), ["x"]);
    /// # Ok::<_, kgraph::QueryError>(())
    /// ```
    pub fn columns(&self) -> &[String] {
        &self.columns
    }
}

impl Iterator for RowStream<'_> {
    type Item = Result<OwnedRow, QueryError>;

    fn next(&mut self) -> Option<Self::Item> {
        let (values, records) = match &mut self.source {
            Source::Running(running) => match running.with_dependent_mut(|_, rows| rows.next()) {
                Some(Ok(values)) => {
                    let records = Records::collect(self.graph, [values.as_slice()]);
                    (values, records)
                }
                Some(Err(e)) => {
                    self.source = Source::Ended;
                    return Some(Err(runtime(self.text, e)));
                }
                None => {
                    self.source = Source::Ended;
                    return None;
                }
            },
            Source::Done(rows, records) => match rows.next() {
                Some(values) => (values, records.clone()),
                None => {
                    self.source = Source::Ended;
                    return None;
                }
            },
            Source::Ended => return None,
        };
        Some(Ok(OwnedRow {
            columns: self.columns.clone(),
            values,
            records,
        }))
    }
}

/// A row that owns its cells and the records of its nodes and relationships: what a
/// [`RowStream`] yields. Read it as a [`Row`] ([`OwnedRow::row`]) or directly with
/// [`OwnedRow::get`].
///
/// ```
/// let g = kgraph::Graph::new();
/// let row = g.query("RETURN 'a' AS x").stream()?.next().unwrap()?;
/// assert_eq!(row.get::<String>("x")?, "a");
/// assert_eq!(row.into_values(), vec![kgraph::Value::from("a")]);
/// # Ok::<_, kgraph::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct OwnedRow {
    columns: Arc<[String]>,
    values: Vec<Value>,
    records: Option<Box<Records>>,
}

impl OwnedRow {
    /// The row as a [`Row`] view.
    ///
    /// ```
    /// let g = kgraph::Graph::new();
    /// let row = g.query("RETURN 1 AS x").stream()?.next().unwrap()?;
    /// assert_eq!(row.row().columns(), ["x"]);
    /// # Ok::<_, kgraph::Error>(())
    /// ```
    pub fn row(&self) -> Row<'_> {
        Row {
            columns: &self.columns,
            values: &self.values,
            records: self
                .records
                .as_deref()
                .unwrap_or_else(|| super::result::no_records()),
        }
    }

    /// The cell under `column`, read as `T` (see [`Row::get`]).
    ///
    /// ```
    /// let g = kgraph::Graph::new();
    /// let row = g.query("RETURN 1 AS x").stream()?.next().unwrap()?;
    /// assert_eq!(row.get::<i64>("x")?, 1);
    /// # Ok::<_, kgraph::Error>(())
    /// ```
    pub fn get<T: FromValue>(&self, column: &str) -> Result<T, RowError> {
        self.row().get(column)
    }

    /// The cells, in column order.
    ///
    /// ```
    /// let g = kgraph::Graph::new();
    /// let row = g.query("RETURN 1 AS x").stream()?.next().unwrap()?;
    /// assert_eq!(row.values(), [kgraph::Value::Int(1)]);
    /// # Ok::<_, kgraph::Error>(())
    /// ```
    pub fn values(&self) -> &[Value] {
        &self.values
    }

    /// Takes the cells out.
    ///
    /// ```
    /// let g = kgraph::Graph::new();
    /// let row = g.query("RETURN 1 AS x").stream()?.next().unwrap()?;
    /// assert_eq!(row.into_values(), vec![kgraph::Value::Int(1)]);
    /// # Ok::<_, kgraph::Error>(())
    /// ```
    pub fn into_values(self) -> Vec<Value> {
        self.values
    }
}
