//! The query facade: text -> tokens -> AST (`syntax`) -> bound plan (`bind`, `optimize`,
//! `plan`) -> execution (`exec`) -> rows (`result`).

mod algo_procedures;
mod bind;
mod de;
pub(crate) mod error;
pub(crate) mod exec;
mod optimize;
pub(crate) mod plan;
pub(crate) mod prepared;
pub mod procedures;
mod profile;
pub(crate) mod record;
mod result;
pub(crate) mod row;
mod stream;
pub(crate) mod syntax;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::graph::journal::Mark;
use crate::graph::{Graph, Value};
use bind::{BindError, BindErrorKind, Binder, Resolver};
use error::{QueryError, RuntimeKind, SemanticKind};
use exec::error::{ExecError, ExecKind};
use exec::Limits;
pub use prepared::Prepared;
pub use profile::{OperatorProfile, Profile};
pub use record::{Node, Records, Relationship};
pub use result::QueryResult;
pub use row::{Cell, FromValue, Row, RowError};
pub use stream::{OwnedRow, RowStream};
use syntax::span::line_col;
use syntax::Query;

/// Query parameters, `$name` in the text.
///
/// ```
/// use kgraph::{Params, Value};
/// let p = Params::new().with("name", "Pfizer").with("min", 3);
/// assert_eq!(p.get("min"), Some(&Value::Int(3)));
/// #[derive(serde::Serialize)]
/// struct Args { name: String }
/// let p = Params::from_serialize(&Args { name: "Pfizer".into() })?;
/// assert_eq!(p.get("name"), Some(&Value::from("Pfizer")));
/// # Ok::<_, serde_json::Error>(())
/// ```
///
/// Cloning is cheap (the map is shared until one of the clones changes it), so a caller can
/// keep one `Params` and hand a clone to every run.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Params(pub(crate) std::sync::Arc<BTreeMap<String, Value>>);

impl Params {
    /// No parameters.
    ///
    /// ```
    /// assert!(kgraph::Params::new().is_empty());
    /// ```
    pub fn new() -> Params {
        Params::default()
    }

    /// Adds a parameter (builder style).
    ///
    /// ```
    /// let p = kgraph::Params::new().with("x", 1);
    /// assert_eq!(p.len(), 1);
    /// ```
    #[must_use]
    pub fn with(mut self, name: &str, value: impl Into<Value>) -> Params {
        std::sync::Arc::make_mut(&mut self.0).insert(name.to_owned(), value.into());
        self
    }

    /// Adds or replaces a parameter.
    ///
    /// ```
    /// let mut p = kgraph::Params::new();
    /// p.insert("x", 1);
    /// assert!(p.get("x").is_some());
    /// ```
    pub fn insert(&mut self, name: &str, value: impl Into<Value>) {
        std::sync::Arc::make_mut(&mut self.0).insert(name.to_owned(), value.into());
    }

    /// A parameter's value.
    ///
    /// ```
    /// assert!(kgraph::Params::new().get("x").is_none());
    /// ```
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.0.get(name)
    }

    /// The number of parameters.
    ///
    /// ```
    /// assert_eq!(kgraph::Params::new().len(), 0);
    /// ```
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True if there are none.
    ///
    /// ```
    /// assert!(kgraph::Params::new().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Parameters from any serde value that serialises as a map (a struct, a `HashMap`, a
    /// `serde_json` object), values in the adapter encoding (`{"~date": ...}` for dates).
    ///
    /// ```
    /// let p = kgraph::Params::from_serialize(&serde_json::json!({"d": {"~date": "2022-11-05"}}))?;
    /// assert!(p.get("d").and_then(|v| v.as_date()).is_some());
    /// # Ok::<_, serde_json::Error>(())
    /// ```
    pub fn from_serialize<T: Serialize>(value: &T) -> Result<Params, serde_json::Error> {
        let json = serde_json::to_value(value)?;
        match serde_json::from_value::<Value>(json)? {
            Value::Map(m) => Ok(Params(m)),
            Value::Null => Ok(Params::new()),
            other => Err(serde::de::Error::custom(format!(
                "parameters must be a map, not a {}",
                other.type_name()
            ))),
        }
    }
}

#[derive(Clone, Debug)]
struct Options {
    optimize: bool,
    limits: Limits,
    /// Panic once the statement's writes are done (tests of panic safety).
    panic_after_writes: bool,
    /// The procedures a `CALL` may run besides the built-ins.
    procedures: procedures::Procedures,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            optimize: true,
            limits: Limits::default(),
            panic_after_writes: false,
            procedures: procedures::Procedures::default(),
        }
    }
}

macro_rules! builder_methods {
    () => {
        /// Sets one parameter.
        ///
        /// ```
        /// let g = kgraph::Graph::new();
        /// let r = g.query("RETURN $x AS x").param("x", 5).run()?;
        /// assert_eq!(r.get(0, "x"), Some(&kgraph::Value::Int(5)));
        /// # Ok::<_, kgraph::QueryError>(())
        /// ```
        pub fn param(mut self, name: &str, value: impl Into<Value>) -> Self {
            self.params.insert(name, value);
            self
        }

        /// Sets every parameter at once.
        ///
        /// ```
        /// let g = kgraph::Graph::new();
        /// let r = g.query("RETURN $a + $b AS s").params(kgraph::Params::new().with("a", 1).with("b", 2)).run()?;
        /// assert_eq!(r.get(0, "s"), Some(&kgraph::Value::Int(3)));
        /// # Ok::<_, kgraph::QueryError>(())
        /// ```
        pub fn params(mut self, params: Params) -> Self {
            self.params = params;
            self
        }

        /// Turns the optimiser off: patterns start at their left end with a scan, WHERE runs
        /// as written. Answers are the same; this exists to check that.
        ///
        /// ```
        /// let g = kgraph::Graph::ecosystem()?;
        /// let q = "MATCH (c:Company) WHERE c.name = 'Pfizer' RETURN c.country AS c";
        /// assert_eq!(g.query(q).run()?, g.query(q).without_optimizer().run()?);
        /// # Ok::<_, kgraph::Error>(())
        /// ```
        pub fn without_optimizer(mut self) -> Self {
            self.options.optimize = false;
            self
        }

        /// The path cap: the upper bound of a variable-length pattern that gives none (`*`,
        /// `*2..`), 100 relationships by default.
        ///
        /// - **Not set (the default):** the cap is a safety net, not an answer. A search that
        ///   reaches 100 relationships at a node with a relationship still to follow fails with
        ///   `RuntimeKind::PathLengthLimit` (class `LimitExceeded`), whose message names the
        ///   cap and this method; so does a lower bound above the cap (`*150..`).
        /// - **Set by this call:** the caller chose the answer. An unbounded pattern matches
        ///   exactly the paths of at most `hops` relationships, as if written `*..hops`
        ///   (`*min..hops`); longer paths are not followed and no error is raised. A lower
        ///   bound above `hops` is still a `PathLengthLimit` error, never an empty answer.
        ///
        /// Patterns with an upper bound (`*..50`, `*1..3`, `*5`) ignore the cap. So do
        /// `shortestPath`, `allShortestPaths` and pattern predicates (`exists((a)-[*]->(b))`,
        /// `WHERE (a)-[*]->(b)`), which search until they know the answer, bounded by the
        /// graph, the memory budget, [`max_expansions`](Self::max_expansions) and the
        /// deadline. Whatever the cap, a pattern that follows more than `max_expansions`
        /// relationships fails with `LimitExceeded`.
        ///
        /// ```
        /// let mut g = kgraph::Graph::new();
        /// g.execute("CREATE (:N {i: 0})-[:NEXT]->(:N {i: 1})-[:NEXT]->(:N {i: 2})-[:NEXT]->(:N {i: 3})").run()?;
        /// let q = "MATCH (:N {i: 0})-[*]->(b) RETURN count(b) AS n";
        /// // Set by the caller: paths of at most 2 relationships, no error.
        /// let r = g.query(q).max_path_length(2).run()?;
        /// assert_eq!(r.get(0, "n"), Some(&kgraph::Value::Int(2)));
        /// // The default cap of 100 is not reached here.
        /// assert_eq!(g.query(q).run()?.get(0, "n"), Some(&kgraph::Value::Int(3)));
        /// # Ok::<_, kgraph::QueryError>(())
        /// ```
        pub fn max_path_length(mut self, hops: u32) -> Self {
            self.options.limits.max_var_length = hops;
            self.options.limits.max_var_length_set = true;
            self
        }

        /// How many threads an aggregation over many rows may use (by default the machine's
        /// cores, at most 8). Answers, and the order of groups, do not depend on it.
        ///
        /// ```
        /// let g = kgraph::Graph::ecosystem()?;
        /// let q = "MATCH (c:Company)-[:LOCATED_IN]->(p) RETURN p.name AS p, count(*) AS n";
        /// assert_eq!(g.query(q).threads(1).run()?, g.query(q).threads(4).run()?);
        /// # Ok::<_, kgraph::Error>(())
        /// ```
        pub fn threads(mut self, threads: usize) -> Self {
            self.options.limits.threads = threads.max(1);
            self
        }

        /// The most relationships the variable-length and shortest-path searches of one query
        /// may follow (100 million by default); more is a `LimitExceeded` error.
        ///
        /// ```
        /// let mut g = kgraph::Graph::new();
        /// g.execute("UNWIND range(1, 20) AS i CREATE (:N {i: i})").run()?;
        /// g.execute("MATCH (a:N), (b:N) WHERE a.i < b.i CREATE (a)-[:T]->(b)").run()?;
        /// let err = g.query("MATCH (a)-[*]->(b) RETURN count(*) AS n").max_expansions(1000).run().unwrap_err();
        /// assert_eq!(err.kind_name(), "LimitExceeded");
        /// # Ok::<_, kgraph::QueryError>(())
        /// ```
        pub fn max_expansions(mut self, relationships: u64) -> Self {
            self.options.limits.max_expansions = relationships;
            self
        }

        /// The most rows an `ORDER BY` may sort; the same as [`max_rows`](Self::max_rows),
        /// kept for callers written before it.
        ///
        /// ```
        /// let g = kgraph::Graph::new();
        /// let err = g.query("UNWIND range(1, 10) AS x RETURN x ORDER BY x").max_sort_rows(5).run().unwrap_err();
        /// assert_eq!(err.kind_name(), "LimitExceeded");
        /// ```
        pub fn max_sort_rows(self, rows: usize) -> Self {
            self.max_rows(rows)
        }

        /// The most rows any one operator may hold: the rows a sort sorts, the groups of an
        /// aggregation, the rows of a `DISTINCT`, the rows materialised before a write clause
        /// (10 million by default). More is a `RuntimeKind::LimitExceeded` error.
        ///
        /// ```
        /// let g = kgraph::Graph::new();
        /// let err = g.query("UNWIND range(1, 10) AS x RETURN DISTINCT x").max_rows(5).run().unwrap_err();
        /// assert!(matches!(err, kgraph::QueryError::Runtime { kind: kgraph::RuntimeKind::LimitExceeded, .. }));
        /// ```
        pub fn max_rows(mut self, rows: usize) -> Self {
            self.options.limits.max_rows = rows;
            self
        }

        /// The memory budget, in bytes: how much the values that sorts, aggregation groups,
        /// `collect`, `DISTINCT` sets, materialised rows and lists being built may hold at
        /// once, as estimated from their sizes (2 GiB by default). More is a
        /// `RuntimeKind::MemoryLimit` error (class `LimitExceeded`).
        ///
        /// ```
        /// let g = kgraph::Graph::new();
        /// let err = g.query("UNWIND range(1, 100000) AS x RETURN collect(x) AS xs").max_memory(1 << 20).run().unwrap_err();
        /// assert!(matches!(err, kgraph::QueryError::Runtime { kind: kgraph::RuntimeKind::MemoryLimit, .. }));
        /// ```
        pub fn max_memory(mut self, bytes: u64) -> Self {
            self.options.limits.max_memory = bytes;
            self
        }

        /// Stops the query with `RuntimeKind::Timeout` (class `LimitExceeded`) once `limit`
        /// has passed, counted from this call; a write is undone. No deadline by default.
        /// With [`deadline`](Self::deadline) or a transaction's deadline too, the earliest wins.
        ///
        /// ```
        /// let g = kgraph::Graph::new();
        /// let r = g.query("RETURN 1 AS x").timeout(std::time::Duration::from_secs(5)).run()?;
        /// assert_eq!(r.len(), 1);
        /// let err = g.query("UNWIND range(1, 1000000) AS x RETURN count(*) AS n")
        ///     .timeout(std::time::Duration::ZERO).run().unwrap_err();
        /// assert!(matches!(err, kgraph::QueryError::Runtime { kind: kgraph::RuntimeKind::Timeout, .. }));
        /// # Ok::<_, kgraph::QueryError>(())
        /// ```
        pub fn timeout(self, limit: std::time::Duration) -> Self {
            match std::time::Instant::now().checked_add(limit) {
                Some(at) => self.deadline(at),
                None => self,
            }
        }

        /// Stops the query with `RuntimeKind::Timeout` once the clock passes `at` (checked
        /// every 1,024 rows, expansions or list items of each thread). The earliest of the
        /// deadlines given wins.
        ///
        /// ```
        /// let g = kgraph::Graph::new();
        /// let at = std::time::Instant::now() + std::time::Duration::from_secs(5);
        /// assert!(g.query("RETURN 1 AS x").deadline(at).run().is_ok());
        /// ```
        pub fn deadline(mut self, at: std::time::Instant) -> Self {
            let limits = &mut self.options.limits;
            limits.deadline = Some(limits.deadline.map_or(at, |d| d.min(at)));
            self
        }

        /// Stops the query with `RuntimeKind::Cancelled` (class `LimitExceeded`) as soon as
        /// `handle` is cancelled, from any thread; a write is undone.
        ///
        /// ```
        /// let g = kgraph::Graph::new();
        /// let h = kgraph::CancelHandle::new();
        /// assert!(g.query("RETURN 1 AS x").cancel_handle(&h).run().is_ok());
        /// h.cancel();
        /// assert!(g.query("UNWIND [1, 2] AS x RETURN x").cancel_handle(&h).run().is_err());
        /// ```
        pub fn cancel_handle(mut self, handle: &crate::CancelHandle) -> Self {
            if let Some(slot) = self.options.limits.cancel.first_mut() {
                *slot = Some(handle.clone());
            }
            self
        }

        /// Tests only: cancels the query's handle when its first thread reaches step `step`,
        /// as another thread could. Not part of the stable API.
        #[doc(hidden)]
        pub fn cancel_at_step(mut self, step: u64) -> Self {
            self.options.limits.cancel_at_step = step;
            self
        }

        /// The transaction's deadline and cancel handle, which its statements observe
        /// beside their own.
        pub(crate) fn in_txn(mut self, stop: &crate::database::Stop) -> Self {
            if let Some(at) = stop.deadline {
                self = self.deadline(at);
            }
            if let Some(slot) = self.options.limits.cancel.get_mut(1) {
                slot.clone_from(&stop.cancel);
            }
            self.options.procedures = stop.procedures.clone();
            self
        }

        /// The procedures `CALL` may run, besides the built-ins (`db.labels()` and the
        /// others, which are always there). Without this call, only the built-ins.
        ///
        /// ```
        /// use kgraph::{Graph, Procedure, Procedures, Value};
        /// let mut procs = Procedures::new();
        /// procs.register(Procedure::new("my.echo(x :: ANY?) :: (x :: ANY?)", |_, a| Ok(vec![a.to_vec()]))?);
        /// let r = Graph::new().query("CALL my.echo('hi') YIELD x RETURN x").procedures(&procs).run()?;
        /// assert_eq!(r.get(0, "x"), Some(&Value::from("hi")));
        /// # Ok::<_, kgraph::Error>(())
        /// ```
        pub fn procedures(mut self, procedures: &procedures::Procedures) -> Self {
            self.options.procedures = procedures.clone();
            self
        }

        /// Pulls every row through the operator chain, pushing none into the result, so that
        /// tests can check the two ways of running a plan give the same answer. Not part of
        /// the stable API.
        #[doc(hidden)]
        pub fn pull_only(mut self) -> Self {
            self.options.limits.pull_only = true;
            self
        }

        /// Tests only: the work (relationships to follow or rows) from which an aggregation
        /// shares its input out to threads, instead of the default 32,768, so that tests on
        /// small graphs reach the parallel paths. Not part of the stable API.
        #[doc(hidden)]
        pub fn parallel_work(mut self, work: usize) -> Self {
            self.options.limits.parallel_work = work.max(1);
            self
        }
    };
}

/// A read-only query being set up; [`Graph::query`] makes one, [`ReadQuery::run`] runs it.
///
/// ```
/// let g = kgraph::Graph::ecosystem()?;
/// let r = g.query("MATCH (c:Company {name: $name}) RETURN c.name_zh AS zh").param("name", "AstraZeneca").run()?;
/// assert_eq!(r.get(0, "zh").and_then(|v| v.as_str()), Some("阿斯利康"));
/// # Ok::<_, kgraph::Error>(())
/// ```
#[must_use = "a query does nothing until it is run"]
pub struct ReadQuery<'g> {
    graph: &'g Graph,
    text: &'g str,
    params: Params,
    options: Options,
    /// The prepared statement this runs, whose parse and last plan it uses.
    prepared: Option<&'g prepared::Prepared>,
}

/// A query that may write, being set up; [`Graph::execute`] makes one, [`WriteQuery::run`]
/// runs it. If it fails, the graph is left exactly as it was.
///
/// ```
/// let mut g = kgraph::Graph::new();
/// g.execute("CREATE (:Company {name: $n})").param("n", "Mindray").run()?;
/// assert_eq!(g.resolve("mindray").is_ok(), true);
/// # Ok::<_, kgraph::QueryError>(())
/// ```
#[must_use = "a query does nothing until it is run"]
pub struct WriteQuery<'g> {
    graph: &'g mut Graph,
    text: &'g str,
    params: Params,
    options: Options,
    /// The prepared statement this runs, whose parse and last plan it uses.
    prepared: Option<&'g prepared::Prepared>,
}

impl ReadQuery<'_> {
    builder_methods!();

    /// Parses, plans and runs the query.
    ///
    /// ```
    /// let r = kgraph::Graph::new().query("RETURN 1 + 1 AS two").run()?;
    /// assert_eq!(r.get(0, "two"), Some(&kgraph::Value::Int(2)));
    /// # Ok::<_, kgraph::QueryError>(())
    /// ```
    pub fn run(self) -> Result<QueryResult, QueryError> {
        // A statement run before with the same shape of parameters has its plan cached: it
        // runs without being parsed again (parsing is a pure function of the text).
        let key = PlanKey::new(self.text, &self.options, self.graph);
        if let Some(hit) = cached_plan(self.prepared, &key, &self.params).filter(|hit| !hit.plan.writes)
            && hit.shallow
            && !hit.explain
        {
            return read(
                self.graph,
                &hit.plan,
                self.text,
                &self.params,
                &self.options,
                hit.profile,
            );
        }
        self.run_uncached()
    }

    /// `run` for a statement whose plan is not cached, or that needs more than a plain run.
    #[inline(never)]
    fn run_uncached(self) -> Result<QueryResult, QueryError> {
        let parsed = match self.prepared {
            Some(p) => p.parsed.clone(),
            None => parse_cached(self.text)?,
        };
        let parsed: &Query = &parsed;
        on_deep_stack(parsed.depth(), move || self.run_parsed(parsed))?
    }

    fn run_parsed(self, parsed: &Query) -> Result<QueryResult, QueryError> {
        let stmt = parsed.statement();
        let plan = self.plan(parsed)?;
        if stmt.explain {
            return Ok(explain(&plan));
        }
        read(
            self.graph,
            &plan,
            self.text,
            &self.params,
            &self.options,
            stmt.profile,
        )
    }

    /// The plan of the parsed statement: cached, or bound now (and cached).
    fn plan(&self, parsed: &Query) -> Result<std::sync::Arc<plan::Plan>, QueryError> {
        let stmt = parsed.statement();
        let key = PlanKey::new(self.text, &self.options, self.graph);
        Ok(
            match cached_plan(self.prepared, &key, &self.params).filter(|hit| !hit.plan.writes) {
                Some(hit) => hit.plan,
                None => {
                    let mut resolver = Resolver::Read(&self.graph.symbols);
                    let indexed = self.graph.seekable();
                    let plan = std::sync::Arc::new(bind(
                        &mut resolver,
                        &indexed,
                        self.text,
                        &self.params,
                        &self.options,
                        stmt,
                    )?);
                    let hit = CachedPlan {
                        plan: plan.clone(),
                        shallow: parsed.depth() <= SHALLOW,
                        explain: stmt.explain,
                        profile: stmt.profile,
                    };
                    cache_plan(self.prepared, key, &self.params, hit);
                    plan
                }
            },
        )
    }
}

impl<'g> ReadQuery<'g> {
    /// Runs the query as its rows are pulled: an iterator of rows (each a `Result`) that a
    /// caller can stop at any point without paying for the rest. See [`RowStream`] for what
    /// streams and what is gathered first (a sort, an aggregation). A syntax or semantic
    /// error is returned here; a runtime error is the stream's last item.
    ///
    /// ```
    /// let g = kgraph::Graph::ecosystem()?;
    /// let mut rows = g.query("MATCH (c:Company) RETURN c.name AS name").stream()?;
    /// let first = rows.next().unwrap()?;
    /// assert!(first.get::<String>("name").is_ok());
    /// # Ok::<_, kgraph::Error>(())
    /// ```
    pub fn stream(self) -> Result<RowStream<'g>, QueryError> {
        let parsed = match self.prepared {
            Some(p) => p.parsed.clone(),
            None => parse_cached(self.text)?,
        };
        if parsed.depth() > SHALLOW || parsed.statement().explain || parsed.statement().profile {
            // Runs whole (a deep statement on a thread with a large stack; a profile, which is
            // known only once every row is made).
            let (graph, text) = (self.graph, self.text);
            return Ok(RowStream::done(graph, text, self.run()?));
        }
        let plan = self.plan(&parsed)?;
        Ok(RowStream::running(
            self.graph,
            self.text,
            plan,
            self.params,
            self.options.limits,
        ))
    }
}

impl WriteQuery<'_> {
    builder_methods!();

    /// Makes the statement panic once its writes are done, before it returns, so that tests
    /// can check a panic inside a statement leaves the graph as it was. Not part of the
    /// stable API.
    #[doc(hidden)]
    pub fn panic_after_writes(mut self) -> Self {
        self.options.panic_after_writes = true;
        self
    }

    /// Parses, plans and runs the query; on any error the graph is restored.
    ///
    /// ```
    /// let mut g = kgraph::Graph::new();
    /// g.execute("CREATE (:A {x: 1})").run()?;
    /// assert!(g.execute("MATCH (a:A) SET a.y = 1 / 0").run().is_err());
    /// let r = g.query("MATCH (a:A) RETURN a.y AS y").run()?;
    /// assert_eq!(r.get(0, "y"), Some(&kgraph::Value::Null));
    /// # Ok::<_, kgraph::QueryError>(())
    /// ```
    pub fn run(self) -> Result<QueryResult, QueryError> {
        // A statement run before with the same shape of parameters has its plan cached, as for
        // reads; a write plan is cached under the symbol tables it left behind (binding a
        // write interns the names it creates), which is what the next run of it sees.
        let key = PlanKey::new(self.text, &self.options, self.graph);
        if let Some(hit) = cached_plan(self.prepared, &key, &self.params)
            && hit.shallow
            && !hit.explain
        {
            let plan = hit.plan;
            if !plan.writes {
                return read(
                    self.graph,
                    &plan,
                    self.text,
                    &self.params,
                    &self.options,
                    hit.profile,
                );
            }
            let mark = self.graph.journal_begin();
            return write_statement(
                self.graph,
                &plan,
                self.text,
                &self.params,
                &self.options,
                mark,
                hit.profile,
            );
        }
        let parsed = match self.prepared {
            Some(p) => p.parsed.clone(),
            None => parse_cached(self.text)?,
        };
        let parsed: &Query = &parsed;
        on_deep_stack(parsed.depth(), move || self.run_parsed(parsed))?
    }

    fn run_parsed(self, parsed: &Query) -> Result<QueryResult, QueryError> {
        let stmt = parsed.statement();
        // Binding interns the names a write may create: they are recorded from here on, and
        // taken back unless the statement writes and succeeds.
        let mark = self.graph.journal_begin();
        let before = self.graph.symbols.sizes();
        let indexed = self.graph.seekable();
        let plan = bind(
            &mut Resolver::Write(&mut self.graph.symbols),
            &indexed,
            self.text,
            &self.params,
            &self.options,
            stmt,
        );
        let plan = match plan {
            Ok(plan) if plan.writes && !stmt.explain => plan,
            other => {
                journal_finish(self.graph, mark, false);
                let plan = other?;
                if stmt.explain {
                    return Ok(explain(&plan));
                }
                if self.graph.symbols.sizes() == before {
                    // Bound without a new name, the plan is the one `query` would bind.
                    let hit = CachedPlan {
                        plan: std::sync::Arc::new(plan),
                        shallow: parsed.depth() <= SHALLOW,
                        explain: false,
                        profile: stmt.profile,
                    };
                    cache_plan(
                        self.prepared,
                        PlanKey::new(self.text, &self.options, self.graph),
                        &self.params,
                        hit.clone(),
                    );
                    return read(
                        self.graph,
                        &hit.plan,
                        self.text,
                        &self.params,
                        &self.options,
                        stmt.profile,
                    );
                }
                return read(
                    self.graph,
                    &plan,
                    self.text,
                    &self.params,
                    &self.options,
                    stmt.profile,
                );
            }
        };
        let plan = std::sync::Arc::new(plan);
        let hit = CachedPlan {
            plan: plan.clone(),
            shallow: parsed.depth() <= SHALLOW,
            explain: false,
            profile: stmt.profile,
        };
        cache_plan(
            self.prepared,
            PlanKey::new(self.text, &self.options, self.graph),
            &self.params,
            hit,
        );
        write_statement(
            self.graph,
            &plan,
            self.text,
            &self.params,
            &self.options,
            mark,
            stmt.profile,
        )
    }
}

/// Runs a bound write plan as one statement: if it fails or panics, every change it made (and
/// every name it interned) since `mark` is undone, so the graph is as it was.
fn write_statement(
    graph: &mut Graph,
    plan: &plan::Plan,
    text: &str,
    params: &Params,
    options: &Options,
    mark: (Mark, bool),
    profile: bool,
) -> Result<QueryResult, QueryError> {
    let profiler = profile.then(|| exec::profile::Profiler::new(plan));
    let limits = match profiler {
        Some(_) => std::borrow::Cow::Owned(profiled_limits(&options.limits)),
        None => std::borrow::Cow::Borrowed(&options.limits),
    };
    let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let result = exec::run_write(graph, plan, &params.0, &limits, profiler.as_ref());
        if options.panic_after_writes && result.is_ok() {
            #[allow(clippy::panic)] // the test hook's whole purpose
            {
                panic!("panic injected after the statement's writes");
            }
        }
        result
    }));
    match run {
        Ok(Ok((rows, stats))) => {
            journal_finish(graph, mark, true);
            let profile = profiler.map(|p| Box::new(p.finish(rows.len() as u64)));
            let records = record::Records::collect(graph, rows.iter().map(Vec::as_slice));
            Ok(QueryResult {
                columns: plan.columns.clone(),
                rows,
                stats,
                records,
                profile,
            })
        }
        Ok(Err(e)) => {
            journal_finish(graph, mark, false);
            Err(runtime(text, e))
        }
        Err(panic) => {
            journal_finish(graph, mark, false);
            Err(QueryError::Runtime {
                kind: RuntimeKind::Internal,
                message: format!(
                    "internal error (a panic) while writing; the statement was undone: {}",
                    panic_message(&panic)
                ),
                line: None,
                column: None,
            })
        }
    }
}

/// Keeps (`keep`) or undoes what was recorded since `mark`; turns the journal off if the mark
/// turned it on.
fn journal_finish(graph: &mut Graph, (mark, owner): (Mark, bool), keep: bool) {
    if !keep {
        graph.rollback_to(mark);
    }
    if owner {
        graph.journal_discard();
    }
}

/// The text of a caught panic's payload.
pub(crate) fn panic_message(panic: &Box<dyn std::any::Any + Send>) -> String {
    if let Some(s) = panic.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = panic.downcast_ref::<String>() {
        s.clone()
    } else {
        "no message".to_owned()
    }
}

/// The statements of a script separated by `;`, each with the byte offset of its text.
pub(crate) fn split_script(script: &str) -> Result<Vec<(usize, &str)>, QueryError> {
    syntax::split_statements(script).map_err(QueryError::Syntax)
}

/// Binds a parsed statement into a plan.
fn bind(
    resolver: &mut Resolver<'_>,
    indexed: &[(crate::graph::LabelId, crate::graph::KeyId)],
    text: &str,
    params: &Params,
    options: &Options,
    stmt: &syntax::ast::Statement,
) -> Result<plan::Plan, QueryError> {
    Binder::new(
        resolver,
        text,
        &params.0,
        options.optimize,
        options.limits.max_var_length,
        &options.procedures,
        indexed,
    )
    .bind_query(&stmt.query)
    .map_err(|e| semantic(text, e))
}

/// Runs a plan that does not write; under `PROFILE` (`profile`), with a profile.
fn read(
    graph: &Graph,
    plan: &plan::Plan,
    text: &str,
    params: &Params,
    options: &Options,
    profile: bool,
) -> Result<QueryResult, QueryError> {
    if profile {
        return read_profiled(graph, plan, text, params, options);
    }
    let rows = exec::run_read(graph, plan, &params.0, &options.limits, None).map_err(|e| runtime(text, e))?;
    let records = record::Records::collect(graph, rows.iter().map(Vec::as_slice));
    Ok(QueryResult {
        columns: plan.columns.clone(),
        rows,
        stats: exec::Stats::default(),
        records,
        profile: None,
    })
}

/// `read` under `PROFILE`: on one thread, every row pulled, each operator counted and timed.
#[inline(never)]
fn read_profiled(
    graph: &Graph,
    plan: &plan::Plan,
    text: &str,
    params: &Params,
    options: &Options,
) -> Result<QueryResult, QueryError> {
    let profiler = exec::profile::Profiler::new(plan);
    let limits = profiled_limits(&options.limits);
    let rows =
        exec::run_read(graph, plan, &params.0, &limits, Some(&profiler)).map_err(|e| runtime(text, e))?;
    let profile = profiler.finish(rows.len() as u64);
    let records = record::Records::collect(graph, rows.iter().map(Vec::as_slice));
    Ok(QueryResult {
        columns: plan.columns.clone(),
        rows,
        stats: exec::Stats::default(),
        records,
        profile: Some(Box::new(profile)),
    })
}

/// The limits of a profiled run: one thread (the profiler times one operator at a time) and
/// every row pulled (so each operator's rows pass where they can be counted).
fn profiled_limits(limits: &Limits) -> Limits {
    Limits {
        threads: 1,
        pull_only: true,
        ..limits.clone()
    }
}

/// A cache entry: a key, the names of the parameters the plan was bound with, and the plan.
///
/// The plans of the last few statements run on this thread, so that a statement repeated
/// with new parameter values skips parsing and binding. A plan depends on the graph it was
/// bound for (its `CacheId`), the text, the options the binder reads, the names of the
/// parameters given (a missing one is a bind error) and the graph's symbols (names the graph
/// has never used bind to `None`; a write interns them): all of it is the key. Symbol tables
/// only grow, except when a roll-back forgets names, which gives the graph a new `CacheId`; so
/// their sizes tell whether a name was added since. The cache lives in the query layer, per
/// thread: the graph knows nothing of plans.
pub(crate) type CacheEntry = (PlanKey<'static>, Vec<String>, CachedPlan);

/// A cached plan, with what its run needs to know of the parsed statement.
#[derive(Clone)]
pub(crate) struct CachedPlan {
    plan: std::sync::Arc<plan::Plan>,
    /// Nested shallowly enough to run on the caller's stack (see `on_deep_stack`).
    shallow: bool,
    /// An `EXPLAIN`: the plan is the answer.
    explain: bool,
    /// A `PROFILE`: the statement runs with its profile.
    profile: bool,
}

const PLAN_CACHE_ENTRIES: usize = 16;

/// Borrows the text to look a plan up (no allocation per query); owns it once cached.
#[derive(PartialEq)]
pub(crate) struct PlanKey<'t> {
    graph: u64,
    text: std::borrow::Cow<'t, str>,
    optimize: bool,
    max_var_length: u32,
    symbols: crate::graph::SymbolSizes,
    procedures: u64,
    /// The graph's schema generation: a plan may seek an index.
    schema: u64,
}

impl<'t> PlanKey<'t> {
    /// The key with its text owned, to keep.
    fn into_owned(self) -> PlanKey<'static> {
        PlanKey {
            text: std::borrow::Cow::Owned(self.text.into_owned()),
            ..self
        }
    }

    fn new(text: &'t str, options: &Options, graph: &Graph) -> PlanKey<'t> {
        PlanKey {
            graph: graph.cache_id.0,
            text: std::borrow::Cow::Borrowed(text),
            optimize: options.optimize,
            max_var_length: options.limits.max_var_length,
            symbols: graph.symbols.sizes(),
            procedures: options.procedures.cache_id(),
            schema: graph.schema_generation(),
        }
    }
}

thread_local! {
    /// Recent plans, most recent first (see `CacheEntry`).
    static PLANS: std::cell::RefCell<Vec<CacheEntry>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// The plan for `key`: a prepared statement's own, else the thread's cache's.
fn cached_plan(
    prepared: Option<&prepared::Prepared>,
    key: &PlanKey<'_>,
    params: &Params,
) -> Option<CachedPlan> {
    match prepared {
        Some(p) => p.plan_get(key, &params.0),
        None => plan_cache_get(key, &params.0),
    }
}

/// Keeps a plan bound for `key`: in the prepared statement, else in the thread's cache.
fn cache_plan(prepared: Option<&prepared::Prepared>, key: PlanKey<'_>, params: &Params, plan: CachedPlan) {
    match prepared {
        Some(p) => p.plan_put(key, &params.0, plan),
        None => plan_cache_put(key, &params.0, plan),
    }
}

/// The cached plan for `key`; a read query must not take a write plan that `execute` cached
/// under the same key (its callers filter on `plan.writes`).
fn plan_cache_get(key: &PlanKey<'_>, params: &BTreeMap<String, Value>) -> Option<CachedPlan> {
    if key.text.len() > PARSE_CACHE_MAX_TEXT {
        return None;
    }
    PLANS.with(|plans| {
        let mut plans = plans.try_borrow_mut().ok()?;
        let i = plans
            .iter()
            .position(|(k, names, _)| k == key && names.iter().eq(params.keys()))?;
        let hit = plans.get(i).map(|(_, _, hit)| hit.clone())?;
        if i > 0 {
            let entry = plans.remove(i);
            plans.insert(0, entry);
        }
        Some(hit)
    })
}

fn plan_cache_put(key: PlanKey<'_>, params: &BTreeMap<String, Value>, plan: CachedPlan) {
    if key.text.len() > PARSE_CACHE_MAX_TEXT {
        return;
    }
    let key = PlanKey {
        text: std::borrow::Cow::Owned(key.text.into_owned()),
        ..key
    };
    PLANS.with(|plans| {
        if let Ok(mut plans) = plans.try_borrow_mut() {
            plans.truncate(PLAN_CACHE_ENTRIES - 1);
            plans.insert(0, (key, params.keys().cloned().collect(), plan));
        }
    });
}

/// How many parsed statements each thread keeps, and the longest text it keeps one for.
const PARSE_CACHE_ENTRIES: usize = 32;
const PARSE_CACHE_MAX_TEXT: usize = 4096;

thread_local! {
    /// Recently parsed statements by text, most recent first. Parsing is a pure function of
    /// the text (binding, which reads the graph's symbols and the parameters, is not cached),
    /// so a hit answers exactly as a parse would; it saves the tokenizer and parser, about a
    /// third of a point lookup.
    static PARSED: std::cell::RefCell<Vec<(Box<str>, std::sync::Arc<Query>)>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

/// `Query::parse`, through the per-thread cache of recent statements.
fn parse_cached(text: &str) -> Result<std::sync::Arc<Query>, syntax::ParseError> {
    if text.len() > PARSE_CACHE_MAX_TEXT {
        return Query::parse(text).map(std::sync::Arc::new);
    }
    let hit = PARSED.with(|cache| {
        let mut cache = cache.try_borrow_mut().ok()?;
        let i = cache.iter().position(|(t, _)| &**t == text)?;
        let q = cache.get(i).map(|(_, q)| q.clone())?;
        if i > 0 {
            let entry = cache.remove(i);
            cache.insert(0, entry);
        }
        Some(q)
    });
    if let Some(q) = hit {
        return Ok(q);
    }
    let q = std::sync::Arc::new(Query::parse(text)?);
    PARSED.with(|cache| {
        if let Ok(mut cache) = cache.try_borrow_mut() {
            cache.truncate(PARSE_CACHE_ENTRIES - 1);
            cache.insert(0, (text.into(), q.clone()));
        }
    });
    Ok(q)
}

/// Statements nested deeper than this are bound and run on a thread of their own.
const SHALLOW: u32 = 32;
/// That thread's stack: the binder and the executor recurse once per level of nesting, and
/// the parser accepts up to `MAX_NESTING_DEPTH` levels.
const DEEP_STACK_BYTES: usize = 256 << 20;

/// Runs `f` here, or, for a deeply nested statement, on a scoped thread with a large stack
/// (reserved, not committed), so that no accepted statement can overflow the caller's stack.
fn on_deep_stack<T: Send>(depth: u32, f: impl FnOnce() -> T + Send) -> Result<T, QueryError> {
    if depth <= SHALLOW {
        return Ok(f());
    }
    std::thread::scope(|s| {
        match std::thread::Builder::new()
            .name("kgraph-deep-query".into())
            .stack_size(DEEP_STACK_BYTES)
            .spawn_scoped(s, f)
        {
            Ok(handle) => match handle.join() {
                Ok(v) => Ok(v),
                Err(panic) => std::panic::resume_unwind(panic),
            },
            Err(e) => Err(QueryError::Runtime {
                kind: RuntimeKind::LimitExceeded,
                message: format!("cannot start a thread for a deeply nested query: {e}"),
                line: None,
                column: None,
            }),
        }
    })
}

fn explain(plan: &plan::Plan) -> QueryResult {
    QueryResult {
        columns: vec!["plan".to_owned()].into(),
        rows: plan.to_string().lines().map(|l| vec![Value::from(l)]).collect(),
        stats: exec::Stats::default(),
        records: None,
        profile: None,
    }
}

fn semantic(text: &str, e: BindError) -> QueryError {
    let (line, column) = line_col(text, e.span.start as usize);
    match e.kind {
        BindErrorKind::Semantic(kind) => QueryError::Semantic {
            kind,
            message: e.message,
            line,
            column,
        },
        BindErrorKind::Unsupported(kind) => QueryError::Unsupported {
            kind,
            message: e.message,
            line,
            column,
        },
    }
}

fn runtime(text: &str, mut e: ExecError) -> QueryError {
    let (line, column) = match e.pos {
        Some(p) => {
            let (l, c) = line_col(text, p.start as usize);
            (Some(l), Some(c))
        }
        None => (None, None),
    };
    let kind = match e.kind {
        ExecKind::Type => RuntimeKind::Type,
        ExecKind::Argument => RuntimeKind::Argument,
        ExecKind::Arithmetic => RuntimeKind::Arithmetic,
        ExecKind::EntityNotFound => RuntimeKind::EntityNotFound,
        ExecKind::Constraint => RuntimeKind::Constraint,
        ExecKind::LimitExceeded => RuntimeKind::LimitExceeded,
        ExecKind::PathLengthLimit => RuntimeKind::PathLengthLimit,
        ExecKind::Cancelled => RuntimeKind::Cancelled,
        ExecKind::Timeout => RuntimeKind::Timeout,
        ExecKind::MemoryLimit => RuntimeKind::MemoryLimit,
        ExecKind::Procedure => RuntimeKind::Procedure,
        ExecKind::ParameterMissing
        | ExecKind::Semantic
        | ExecKind::NegativeCount
        | ExecKind::NonIntegerCount => {
            return QueryError::Semantic {
                kind: match e.kind {
                    ExecKind::ParameterMissing => SemanticKind::ParameterMissing,
                    ExecKind::NegativeCount => SemanticKind::NegativeIntegerArgument,
                    ExecKind::NonIntegerCount => SemanticKind::InvalidArgumentType,
                    _ => SemanticKind::ReadOnly,
                },
                message: std::mem::take(&mut e.message),
                line: line.unwrap_or(1),
                column: column.unwrap_or(1),
            }
        }
    };
    QueryError::Runtime {
        kind,
        message: std::mem::take(&mut e.message),
        line,
        column,
    }
}

impl Graph {
    /// A read-only query on the graph (`MATCH ... RETURN`); a write clause in it is a
    /// semantic error.
    ///
    /// ```
    /// let g = kgraph::Graph::ecosystem()?;
    /// let r = g.query("MATCH (:Company)-[:INVESTS_IN]->(p:Place) RETURN p.name AS place").run()?;
    /// assert!(r.column("place").any(|v| v.as_str() == Some("Beijing Economic-Technological Development Area")));
    /// # Ok::<_, kgraph::Error>(())
    /// ```
    pub fn query<'g>(&'g self, text: &'g str) -> ReadQuery<'g> {
        ReadQuery {
            graph: self,
            text,
            params: Params::new(),
            options: Options::default(),
            prepared: None,
        }
    }

    /// A query that may write (`CREATE`, `MERGE`, `SET`, `REMOVE`, `DELETE`); it runs as one
    /// statement: if it fails, nothing it did remains.
    ///
    /// ```
    /// let mut g = kgraph::Graph::new();
    /// let r = g.execute("CREATE (a:Company {name: 'A'})-[:SIGNS_WITH]->(b:Company {name: 'B'}) RETURN a.name AS a").run()?;
    /// assert_eq!(r.stats().relationships_created, 1);
    /// assert_eq!(g.relationship_count(), 1);
    /// # Ok::<_, kgraph::QueryError>(())
    /// ```
    pub fn execute<'g>(&'g mut self, text: &'g str) -> WriteQuery<'g> {
        WriteQuery {
            graph: self,
            text,
            params: Params::new(),
            options: Options::default(),
            prepared: None,
        }
    }
}
