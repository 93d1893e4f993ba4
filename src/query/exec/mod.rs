//! The executor: pull-based operators over the graph.
//!
//! Architecture invariants:
//! - The executor sees only the plan (`plan.rs`), never the AST or the query text.
//! - Read operators are lazy iterators over `&Graph`; a write operator ends the lazy segment:
//!   the rows before it are materialised, the write runs with `&mut Graph`, and a new segment
//!   starts. So every clause sees the writes of the clauses before it, as Cypher requires.
//! - No operator panics on data: every failure is an `ExecError`.

mod aggregate;
pub(crate) mod budget;
mod closing;
pub(crate) mod error;
pub(crate) mod eval;
mod functions;
mod parallel;
mod paths;
pub(crate) mod profile;
mod push;
mod shortest;
mod temporal;
pub(crate) mod write;

use std::collections::{BTreeMap, HashSet};
use std::hash::{Hash, Hasher};
use std::sync::atomic::Ordering;

use error::{ExecError, ExecKind, ExecResult};
use eval::{set_slot, Row};

use crate::graph::{Direction, Graph, NodeId, Value};
use crate::query::plan::{CallPlan, NodeCheck, Op, PathPart, Pipeline, Plan, Start, SubKind, SubPlan};
use crate::Path;

pub use write::Stats;

/// How many operators a lazy pipeline chains before it collects the rows (see `Ctx::read`).
const MAX_CHAINED_OPS: usize = 32;

/// The longest list `range()` may build.
pub(crate) const MAX_RANGE: usize = 10_000_000;

/// The path cap: the upper bound an unbounded variable-length pattern takes.
pub(crate) const DEFAULT_MAX_VAR_LENGTH: u32 = 100;

/// Limits that keep a query from running away; see the builders' methods.
#[derive(Clone, Debug)]
pub(crate) struct Limits {
    /// The most rows one operator may hold (a sort, the groups of an aggregation, a DISTINCT
    /// set, materialised rows).
    pub(crate) max_rows: usize,
    /// The most bytes (estimated) of values the operators of a statement may hold at once.
    pub(crate) max_memory: u64,
    /// The statement stops with `Timeout` once this has passed.
    pub(crate) deadline: Option<std::time::Instant>,
    /// The statement's own cancel handle and its transaction's.
    pub(crate) cancel: [Option<budget::CancelHandle>; 2],
    /// Tests only: the step at which the first cancel handle is cancelled, as if by another
    /// thread (`u64::MAX`: never).
    pub(crate) cancel_at_step: u64,
    /// The upper bound of an unbounded variable-length pattern (the path cap).
    pub(crate) max_var_length: u32,
    /// The caller set `max_var_length` (`max_path_length`): reaching it truncates quietly.
    pub(crate) max_var_length_set: bool,
    pub(crate) max_expansions: u64,
    /// Threads an aggregation may use (1: never more than the caller's).
    pub(crate) threads: usize,
    /// Rows are pulled through every operator, none pushed into the result (to check that
    /// both ways agree).
    pub(crate) pull_only: bool,
    /// The expected work (relationships to follow, relationships to scan) from which an
    /// aggregation shares its input out to threads (`parallel::PARALLEL_WORK` by default).
    pub(crate) parallel_work: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_rows: budget::DEFAULT_MAX_ROWS,
            max_memory: budget::DEFAULT_MAX_MEMORY,
            deadline: None,
            cancel: [None, None],
            cancel_at_step: u64::MAX,
            max_var_length: DEFAULT_MAX_VAR_LENGTH,
            max_var_length_set: false,
            max_expansions: 100_000_000,
            threads: default_threads(),
            pull_only: false,
            parallel_work: parallel::PARALLEL_WORK,
        }
    }
}

/// The machine's cores, at most 8, asked once: the standard library reads the cgroup files
/// on every call, which costs more than a small query.
fn default_threads() -> usize {
    static THREADS: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *THREADS.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()).min(8))
}

/// What a sub-plan over an owned row found (`Ctx::sub_rows_owned`).
pub(crate) enum SubRows {
    /// No row: the row given, as it was.
    None(Row),
    /// The rows found, the last of them built in the row given.
    Found(Vec<Row>),
}

/// What an executing operator can see.
pub(crate) struct Ctx<'g> {
    pub(crate) graph: &'g Graph,
    pub(crate) params: &'g BTreeMap<String, Value>,
    pub(crate) limits: &'g Limits,
    pub(crate) width: usize,
    /// The statement's budgets, shared by every `Ctx` that runs it.
    pub(crate) budget: &'g budget::Budget<'g>,
    /// Steps counted by `tick` on this thread (each thread has its own counter, so that a
    /// tick touches no shared cache line).
    pub(crate) steps: &'g std::cell::Cell<u64>,
    /// What the statement has deleted so far, for the questions still allowed about it.
    pub(crate) deleted: Option<&'g write::Tombstones>,
    /// When the statement started, in nanoseconds since 1970-01-01T00:00Z: the statement and
    /// transaction clocks of the temporal functions.
    pub(crate) now: i128,
    /// `Limits::cancel_at_step`, kept here for `tick`.
    pub(crate) cancel_at_step: u64,
}

/// The wall clock, in nanoseconds since 1970-01-01T00:00Z (0 if the clock is before it).
pub(crate) fn clock_now() -> i128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as i128)
}

pub(crate) type RowIter<'a> = Box<dyn Iterator<Item = ExecResult<Row>> + 'a>;

/// A row key under Cypher's equivalence (for DISTINCT and grouping). A key of one value (the
/// common `GROUP BY` of one expression) is held inline: a new group allocates no key.
#[derive(Clone, Debug)]
pub(crate) struct GroupKey(KeyValues);

#[derive(Clone, Debug)]
enum KeyValues {
    One(Value),
    Many(Vec<Value>),
}

impl GroupKey {
    pub(crate) fn new(values: Vec<Value>) -> GroupKey {
        GroupKey(KeyValues::Many(values))
    }

    pub(crate) fn one(value: Value) -> GroupKey {
        GroupKey(KeyValues::One(value))
    }

    pub(crate) fn values(&self) -> &[Value] {
        match &self.0 {
            KeyValues::One(v) => std::slice::from_ref(v),
            KeyValues::Many(vs) => vs,
        }
    }

    pub(crate) fn into_values(self) -> impl Iterator<Item = Value> {
        let (one, many) = match self.0 {
            KeyValues::One(v) => (Some(v), Vec::new()),
            KeyValues::Many(vs) => (None, vs),
        };
        one.into_iter().chain(many)
    }
}

impl PartialEq for GroupKey {
    fn eq(&self, other: &GroupKey) -> bool {
        let (a, b) = (self.values(), other.values());
        a.len() == b.len() && a.iter().zip(b).all(|(a, b)| a.equivalent(b))
    }
}
impl Eq for GroupKey {}
impl Hash for GroupKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        for v in self.values() {
            v.hash_equivalent(state);
        }
    }
}

/// A group key borrowed from a buffer, to look a group up without allocating its key.
pub(crate) struct KeyRef<'a>(pub(crate) &'a [Value]);

impl Hash for KeyRef<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        // Exactly as `GroupKey` hashes, so that a lookup finds the stored key.
        for v in self.0 {
            v.hash_equivalent(state);
        }
    }
}

impl indexmap::Equivalent<GroupKey> for KeyRef<'_> {
    fn equivalent(&self, key: &GroupKey) -> bool {
        let theirs = key.values();
        self.0.len() == theirs.len() && self.0.iter().zip(theirs).all(|(a, b)| a.equivalent(b))
    }
}

/// One value under Cypher's equivalence (the values of a DISTINCT aggregate).
#[derive(Clone, Debug)]
pub(crate) struct Equiv(pub(crate) Value);

impl PartialEq for Equiv {
    fn eq(&self, other: &Equiv) -> bool {
        self.0.equivalent(&other.0)
    }
}
impl Eq for Equiv {}
impl Hash for Equiv {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.0.hash_equivalent(state);
    }
}

fn one_row(row: Row) -> RowIter<'static> {
    Box::new(std::iter::once(Ok(row)))
}

fn no_rows<'a>() -> RowIter<'a> {
    Box::new(std::iter::empty())
}

/// Turns each incoming row into rows with `f`; an incoming error passes through.
fn each_row<'a>(input: RowIter<'a>, mut f: impl FnMut(Row) -> RowIter<'a> + 'a) -> RowIter<'a> {
    Box::new(input.flat_map(move |row| match row {
        Ok(row) => f(row),
        Err(e) => fail(e),
    }))
}

fn fail<'a>(e: ExecError) -> RowIter<'a> {
    Box::new(std::iter::once(Err(e)))
}

/// Evaluates a SKIP or LIMIT count.
fn count_arg(ctx: &Ctx<'_>, e: &crate::query::plan::Expr, what: &str) -> ExecResult<usize> {
    let row = vec![Value::Null; ctx.width];
    match ctx.eval(e, &row)? {
        Value::Int(i) if i >= 0 => Ok(usize::try_from(i).unwrap_or(usize::MAX)),
        // The same errors as the binder gives for a literal or a parameter it can see, so
        // that a cached plan run with new parameter values fails the same way.
        Value::Int(i) => Err(ExecError::new(
            ExecKind::NegativeCount,
            format!("{what} must not be negative, got {i}"),
        )),
        other => Err(ExecError::new(
            ExecKind::NonIntegerCount,
            format!("{what} needs a non-negative integer, got {other}"),
        )),
    }
}

impl<'g> Ctx<'g> {
    /// A context for one statement's operators on one thread.
    pub(crate) fn new(
        graph: &'g Graph,
        params: &'g BTreeMap<String, Value>,
        budget: &'g budget::Budget<'g>,
        steps: &'g std::cell::Cell<u64>,
        width: usize,
        deleted: Option<&'g write::Tombstones>,
    ) -> Ctx<'g> {
        Ctx {
            graph,
            params,
            limits: budget.limits,
            width,
            budget,
            steps,
            deleted,
            now: budget.now,
            cancel_at_step: budget.limits.cancel_at_step,
        }
    }

    /// Chains the read operators `ops` over `input`.
    pub(crate) fn read<'a>(&'a self, ops: &'a [Op], input: RowIter<'a>) -> RowIter<'a> {
        if let Some(profiler) = self.budget.profile {
            return self.chain_profiled(profiler, ops, input);
        }
        let mut rows = input;
        let mut start = 0;
        if self.limits.threads > 1 {
            for (i, op) in ops.iter().enumerate() {
                let before = ops.get(start..i).unwrap_or_default();
                if !matches!(op, Op::Aggregate { .. }) || !before.iter().all(parallel::per_row) {
                    continue;
                }
                // The per-row operators before an aggregation may share the work out to threads.
                rows = match self.parallel_aggregate(before, op, rows) {
                    Ok(out) => Box::new(out.into_iter().map(Ok)),
                    Err(e) => fail(e),
                };
                start = i + 1;
            }
        }
        // An aggregation takes the per-row operators just before it as a tail it pushes its
        // input rows through (see `push.rs`), instead of pulling rows they would allocate.
        let mut rest = ops.get(start..).unwrap_or_default();
        while let Some(at) = rest.iter().position(|op| matches!(op, Op::Aggregate { .. })) {
            let (before, after) = rest.split_at(at);
            let (head, tail) = push::split_tail(before);
            rows = self.chain(head, rows);
            if let Some(Op::Aggregate { keys, aggs, clear }) = after.first() {
                rows = match self.aggregate(rows, tail, keys, aggs, clear) {
                    Ok(rows) => Box::new(rows.into_iter().map(Ok)),
                    Err(e) => fail(e),
                };
            }
            rest = after.get(1..).unwrap_or_default();
        }
        self.chain(rest, rows)
    }

    /// Chains `ops` over `rows`. Each operator wraps the iterator of the one before, and
    /// pulling a row recurses through all of them: past a few dozen operators, the rows are
    /// collected, so a query of ten thousand clauses needs no more stack than one of
    /// thirty-two.
    fn chain<'a>(&'a self, ops: &'a [Op], mut rows: RowIter<'a>) -> RowIter<'a> {
        // An expand takes the filters right after it, which then test each relationship
        // before its row is allocated (see `Ctx::expand`).
        let mut chained = 0;
        let mut i = 0;
        while let Some(op) = ops.get(i) {
            if chained == MAX_CHAINED_OPS {
                rows = self.hold_all(rows);
                chained = 0;
            }
            let post: &'a [Op] = if matches!(op, Op::Expand { .. }) {
                let after = ops.get(i + 1..).unwrap_or_default();
                let n = after
                    .iter()
                    .take(MAX_CHAINED_OPS)
                    .take_while(|op| matches!(op, Op::Filter(_) | Op::DistinctRels { .. }))
                    .count();
                after.get(..n).unwrap_or_default()
            } else {
                &[]
            };
            rows = match op {
                Op::Expand { .. } => each_row(rows, move |row| self.expand(op, post, row)),
                _ => self.apply(op, rows),
            };
            chained += 1;
            i += 1 + post.len();
        }
        rows
    }

    /// The rows of `rows`, collected now (held, and counted, until they have all been pulled).
    fn hold_all<'a>(&'a self, rows: RowIter<'a>) -> RowIter<'a> {
        let mut held = self.held("the rows of a long chain of operators");
        match self.collect_counted(rows, &mut held) {
            Ok(all) => Box::new(all.into_iter().map(move |row| {
                let _held = &held;
                Ok(row)
            })),
            Err(e) => fail(e),
        }
    }

    /// `chain` for a `PROFILE` run: every operator on its own, none fused into another, each
    /// that is a line of the plan counted and timed (see `profile.rs`). Work an operator does
    /// when it is chained (a sort or an aggregation takes all its input then) is timed too.
    #[inline(never)]
    fn chain_profiled<'a>(
        &'a self,
        profiler: &'a profile::Profiler,
        ops: &'a [Op],
        mut rows: RowIter<'a>,
    ) -> RowIter<'a> {
        for (i, op) in ops.iter().enumerate() {
            if i > 0 && i % MAX_CHAINED_OPS == 0 {
                rows = self.hold_all(rows);
            }
            rows = match profiler.line_of(op) {
                None => self.apply(op, rows),
                Some(line) => {
                    let prev = profiler.enter(line);
                    let out = self.apply(op, rows);
                    profiler.exit(line, prev, 0);
                    Box::new(profile::Profiled {
                        rows: out,
                        profiler,
                        line,
                    })
                }
            };
        }
        rows
    }

    /// True if `row` passes the filters `post` (filters and relationship-uniqueness checks).
    fn passes(&self, post: &[Op], row: &Row) -> ExecResult<bool> {
        for op in post {
            let ok = match op {
                Op::Filter(pred) => self.truthy(pred, row)?,
                Op::DistinctRels { rels, lists } => distinct_rels(row, rels, lists),
                _ => true,
            };
            if !ok {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// The rows of an `Expand` for one input row that pass the filters `post`. Lazy: each
    /// relationship is checked as it is pulled. With filters, the relationship and node are
    /// written into a scratch copy of the row (made once) and tested there, so a row is
    /// allocated only for the relationships that pass.
    fn expand<'a>(&'a self, op: &'a Op, post: &'a [Op], row: Row) -> RowIter<'a> {
        let Some(step) = ExpandStep::of(self, op, &row) else {
            return no_rows();
        };
        let mut scratch: Option<Row> = None;
        Box::new(
            self.graph
                .expand(step.start, step.dir)
                .filter_map(move |(r, other, ty)| {
                    if let Err(e) = self.tick() {
                        return Some(Err(e));
                    }
                    match step.accepts(self, r, other, ty, &row) {
                        Ok(false) => None,
                        Ok(true) if post.is_empty() => {
                            let mut next = row.clone();
                            step.bind(&mut next, r, other);
                            Some(Ok(next))
                        }
                        Ok(true) => {
                            let next = scratch.get_or_insert_with(|| row.clone());
                            step.bind(next, r, other);
                            match self.passes(post, next) {
                                Ok(true) => Some(Ok(next.clone())),
                                Ok(false) => None,
                                Err(e) => Some(Err(e)),
                            }
                        }
                        Err(e) => Some(Err(e)),
                    }
                }),
        )
    }

    /// Counts one relationship followed by a path search; past the limit, an error.
    pub(crate) fn count_expansion(&self) -> ExecResult<()> {
        self.count_expansions(1)
    }

    /// Counts `n` relationships followed at once (see `count_expansion`).
    pub(crate) fn count_expansions(&self, n: u64) -> ExecResult<()> {
        self.tick()?;
        let before = self.budget.expansions.fetch_add(n, Ordering::Relaxed);
        if n > 0 && before.saturating_add(n) > self.limits.max_expansions {
            return Err(ExecError::new(
                ExecKind::LimitExceeded,
                format!(
                    "a variable-length or shortest-path search followed more than {} relationships",
                    self.limits.max_expansions
                ),
            ));
        }
        Ok(())
    }

    pub(crate) fn any_row(&self, p: &Pipeline, row: &Row) -> ExecResult<bool> {
        match self.read(&p.ops, one_row(row.clone())).next() {
            None => Ok(false),
            Some(Ok(_)) => Ok(true),
            Some(Err(e)) => Err(e),
        }
    }

    /// The rows of the sub-plan `p` run over `row` (a MERGE's match, a pattern comprehension,
    /// a subquery), counted against the budgets.
    pub(crate) fn sub_rows(&self, p: &Pipeline, row: &Row) -> ExecResult<Vec<Row>> {
        let mut held = self.held("a pattern comprehension or subquery");
        if self.all_push(&p.ops) {
            return self.push_collect(&p.ops, [&mut row.clone()], &mut held);
        }
        self.collect_counted(self.read(&p.ops, one_row(row.clone())), &mut held)
    }

    /// `sub_rows` over a row the caller owns: when the sub-plan pushes, the row is its buffer,
    /// not a copy of it, and the last row found is that row itself, not a copy (a MERGE's
    /// rows often carry a map from an UNWIND, whose copy is a deep one). A sub-plan reads
    /// the variables bound before it and writes only slots it found empty (or past the end),
    /// so the sink keeps just those; emptying them again gives the row back, to build the
    /// rows found from, or to return when there are none.
    pub(crate) fn sub_rows_owned(&self, p: &Pipeline, mut row: Row) -> ExecResult<SubRows> {
        let found = |out: Vec<Row>, row: Row| {
            if out.is_empty() {
                SubRows::None(row)
            } else {
                SubRows::Found(out)
            }
        };
        if row.len() > 64 || !self.all_push(&p.ops) {
            let out = self.sub_rows(p, &row)?;
            return Ok(found(out, row));
        }
        let empty = row
            .iter()
            .enumerate()
            .filter(|(_, v)| v.is_null())
            .fold(0u64, |mask, (i, _)| mask | 1 << i);
        let width = row.len();
        let bound_here = |i: usize| i >= width || empty & (1 << i) != 0;
        let mut pusher = push::Pusher::new(self, &p.ops)?;
        if pusher.is_empty() {
            return Ok(SubRows::None(row));
        }
        let mut held = self.held("a pattern comprehension or subquery");
        // Per row found: its length, and the values of the slots it bound, in slot order.
        let mut lens: Vec<usize> = Vec::new();
        let mut bound: Vec<Value> = Vec::new();
        let mut sink = |r: &mut Row| {
            let values = || r.iter().enumerate().filter(|(i, _)| bound_here(*i));
            // The first row found is the given one: only what it bound is new. Each
            // further one is a copy.
            held.row(match lens.is_empty() {
                true => values().map(|(_, v)| budget::value_bytes(v)).sum(),
                false => budget::row_bytes(r),
            })?;
            lens.push(r.len());
            bound.extend(values().map(|(_, v)| v.clone()));
            Ok(push::Flow::More)
        };
        self.push_from(&mut pusher, 0, &mut row, &mut sink)?;
        drop(pusher);
        row.truncate(width);
        for (i, v) in row.iter_mut().enumerate() {
            if empty & (1 << i) != 0 && !v.is_null() {
                *v = Value::Null;
            }
        }
        let Some(last) = lens.len().checked_sub(1) else {
            return Ok(SubRows::None(row));
        };
        let mut values = bound.into_iter();
        let mut out = Vec::with_capacity(lens.len());
        for (k, &len) in lens.iter().enumerate() {
            let mut r = if k == last {
                std::mem::take(&mut row)
            } else {
                row.clone()
            };
            if r.len() < len {
                r.resize(len, Value::Null);
            }
            for (i, slot) in r.iter_mut().enumerate().take(len) {
                if bound_here(i) {
                    *slot = values.next().unwrap_or_default();
                }
            }
            out.push(r);
        }
        Ok(SubRows::Found(out))
    }

    /// True if every operator of `ops` can push its rows on (see `push.rs`), and this run
    /// pushes (not `pull_only`, not profiled).
    fn all_push(&self, ops: &[Op]) -> bool {
        !self.budget.limits.pull_only
            && self.budget.profile.is_none()
            && !ops.is_empty()
            && push::output_tail(ops).0.is_empty()
    }

    /// Runs each of `rows` through `ops` (all of which push, see `all_push`), each row its own
    /// buffer; only the rows that come out are copied, each counted in `held`.
    fn push_collect<'r>(
        &self,
        ops: &[Op],
        rows: impl IntoIterator<Item = &'r mut Row>,
        held: &mut budget::Held<'_>,
    ) -> ExecResult<Vec<Row>> {
        let mut pusher = push::Pusher::new(self, ops)?;
        let mut out = Vec::new();
        if pusher.is_empty() {
            return Ok(out);
        }
        let unwound = push::unwound_slot(ops);
        let mut sink = |row: &mut Row| {
            held.row(budget::row_bytes(row))?;
            // The item an UNWIND just wrote is moved, not cloned: the UNWIND overwrites it
            // before anything reads the buffer again (a list of maps is a deep clone each).
            let item = unwound.and_then(|s| row.get_mut(s)).map(std::mem::take);
            let mut copy = row.clone();
            if let (Some(item), Some(slot)) = (item, unwound.and_then(|s| copy.get_mut(s))) {
                *slot = item;
            }
            out.push(copy);
            Ok(push::Flow::More)
        };
        for row in rows {
            if self.push_from(&mut pusher, 0, row, &mut sink)? == push::Flow::Stop {
                break;
            }
        }
        Ok(out)
    }

    /// Collects `rows`, each counted against the budgets in `held` as it comes, so that
    /// collecting more rows than the memory budget holds stops with `MemoryLimit` (or the row
    /// budget's error) instead of exhausting the process's memory.
    pub(crate) fn collect_counted(
        &self,
        rows: RowIter<'_>,
        held: &mut budget::Held<'_>,
    ) -> ExecResult<Vec<Row>> {
        let mut out = Vec::new();
        for row in rows {
            let row = row?;
            held.row(budget::row_bytes(&row))?;
            out.push(row);
        }
        Ok(out)
    }

    /// True if the node passes the label and property checks.
    pub(crate) fn check_node(&self, id: NodeId, check: &NodeCheck, row: &Row) -> ExecResult<bool> {
        self.check_node_with(id, check, &[], row)
    }

    /// `check_node` with the wanted property values that do not depend on the row read
    /// before the loop (`hoisted`, by position in `check.props`; see `Ctx::hoist`).
    pub(crate) fn check_node_with(
        &self,
        id: NodeId,
        check: &NodeCheck,
        hoisted: &[Option<&Value>],
        row: &Row,
    ) -> ExecResult<bool> {
        if check.labels.is_empty() && check.props.is_empty() && check.prop_map.is_none() {
            return Ok(true);
        }
        // Labels from the label bitsets: the node is read only if it passes them.
        for l in &check.labels {
            if !l.is_some_and(|l| self.graph.has_label(id, l)) {
                return Ok(false);
            }
        }
        if check.props.is_empty() && check.prop_map.is_none() {
            // Only labels, which only live nodes carry (an empty check returned above).
            return Ok(true);
        }
        let Ok(data) = self.graph.node_data(id) else {
            return Ok(false);
        };
        if !self.props_equal(&data.props, &check.props, hoisted, row)? {
            return Ok(false);
        }
        if let Some(map) = &check.prop_map
            && !self.props_match(&Value::Node(id), map, row)?
        {
            return Ok(false);
        }
        Ok(true)
    }

    fn props_match(&self, entity: &Value, map: &crate::query::plan::Expr, row: &Row) -> ExecResult<bool> {
        let want = match self.eval(map, row)? {
            Value::Map(m) => m,
            Value::Null => return Ok(false),
            other => {
                return Err(ExecError::type_error(format!(
                    "a property map must be a map, got {}",
                    other.type_name()
                )))
            }
        };
        for (k, v) in want.iter() {
            let have = self.property(entity, k, self.graph.symbols.find_key(k))?;
            if have.cypher_eq(v) != Some(true) {
                return Ok(false);
            }
        }
        Ok(true)
    }

    pub(crate) fn check_rel(
        &self,
        rel: crate::RelId,
        props: &[(Option<crate::graph::KeyId>, crate::query::plan::Expr)],
        row: &Row,
    ) -> ExecResult<bool> {
        self.check_rel_with(rel, props, &[], row)
    }

    /// `check_rel` with the wanted values that do not depend on the row read before the loop.
    pub(crate) fn check_rel_with(
        &self,
        rel: crate::RelId,
        props: &[(Option<crate::graph::KeyId>, crate::query::plan::Expr)],
        hoisted: &[Option<&Value>],
        row: &Row,
    ) -> ExecResult<bool> {
        if props.is_empty() {
            return Ok(true);
        }
        let Ok(data) = self.graph.rel_data(rel) else {
            return Ok(false);
        };
        self.props_equal(&data.props, props, hoisted, row)
    }

    /// The wanted values of `props` that do not depend on the row (constants and given
    /// parameters), by position, read once before a loop checks them for every node or
    /// relationship; `None` for the others, evaluated for each.
    pub(crate) fn hoist<'a>(
        &'a self,
        props: &'a [(Option<crate::graph::KeyId>, crate::query::plan::Expr)],
    ) -> Vec<Option<&'a Value>> {
        props
            .iter()
            .map(|(_, e)| match e {
                crate::query::plan::Expr::Const(v) => Some(v),
                crate::query::plan::Expr::Param(name) => self.params.get(&**name),
                _ => None,
            })
            .collect()
    }

    /// True if every property `(key, expr)` of `want` is in `have` and equal to its value
    /// (the `hoisted` one, if read before the loop).
    fn props_equal(
        &self,
        have: &crate::graph::Props,
        want: &[(Option<crate::graph::KeyId>, crate::query::plan::Expr)],
        hoisted: &[Option<&Value>],
        row: &Row,
    ) -> ExecResult<bool> {
        for (i, (key, expr)) in want.iter().enumerate() {
            let pre = hoisted.get(i).copied().flatten();
            let Some(have) = key.and_then(|k| have.get(k)) else {
                // Absent: no match, once the wanted value is known to evaluate.
                if pre.is_none() {
                    self.eval_ref(expr, row)?;
                }
                return Ok(false);
            };
            let same = match pre.or_else(|| self.peek(expr, row)) {
                // Strings and integers, the usual keys, compared here: `cypher_eq` is a large
                // function for what is one comparison.
                Some(want) => match (have, want) {
                    (Value::String(a), Value::String(b)) => Some(a == b),
                    (Value::Int(a), Value::Int(b)) => Some(a == b),
                    _ => have.cypher_eq(want),
                },
                None => have.cypher_eq(&*self.eval_ref(expr, row)?),
            };
            if same != Some(true) {
                return Ok(false);
            }
        }
        Ok(true)
    }

    fn apply<'a>(&'a self, op: &'a Op, input: RowIter<'a>) -> RowIter<'a> {
        match op {
            Op::NodeScan { slot, start, check } => {
                each_row(input, move |row| self.scan(*slot, start, check, row))
            }
            Op::Expand { .. } => each_row(input, move |row| self.expand(op, &[], row)),
            Op::RelScan { scan, expand } => {
                if !self.use_rel_scan(scan) {
                    return self.apply(expand, self.apply(scan, input));
                }
                let all = 0..self.rel_scan_bound(expand);
                each_row(input, move |row| self.rel_scan(scan, expand, row, all.clone()))
            }
            Op::VarExpand { .. } => each_row(input, move |row| self.var_paths(op, row)),
            Op::ShortestPath { .. } => each_row(input, move |row| match self.paths(op, row) {
                Ok(rows) => Box::new(rows.into_iter().map(Ok)) as RowIter<'a>,
                Err(e) => fail(e),
            }),
            Op::DistinctRels { rels, lists } => Box::new(input.filter(move |row| match row {
                Err(_) => true,
                Ok(row) => distinct_rels(row, rels, lists),
            })),
            Op::BuildPath { slot, parts } => Box::new(input.map(move |row| {
                let mut row = row?;
                self.tick()?;
                let path = self.build_path(&row, parts)?;
                set_slot(&mut row, *slot, path);
                Ok(row)
            })),
            Op::Filter(pred) => Box::new(input.filter_map(move |row| match row {
                Err(e) => Some(Err(e)),
                Ok(row) => match self.tick().and_then(|()| self.truthy(pred, &row)) {
                    Ok(true) => Some(Ok(row)),
                    Ok(false) => None,
                    Err(e) => Some(Err(e)),
                },
            })),
            Op::Optional { inner, nulls } => each_row(input, move |row| match self.sub_rows(inner, &row) {
                Err(e) => fail(e),
                Ok(rows) if rows.is_empty() => {
                    let mut row = row;
                    for s in nulls {
                        set_slot(&mut row, *s, Value::Null);
                    }
                    one_row(row)
                }
                Ok(rows) => Box::new(rows.into_iter().map(Ok)),
            }),
            Op::Unwind { expr, slot } => each_row(input, move |row| match self.unwind_items(expr, &row) {
                Err(e) => fail(e),
                Ok(items) => Box::new(items.map(move |v| {
                    self.tick()?;
                    let mut next = row.clone();
                    set_slot(&mut next, *slot, v);
                    Ok(next)
                })),
            }),
            Op::Project { items, clear } => Box::new(input.map(move |row| {
                let row = row?;
                self.tick()?;
                let values = items
                    .iter()
                    .map(|(_, e)| self.eval(e, &row))
                    .collect::<ExecResult<Vec<_>>>()?;
                let mut row = row;
                for s in clear {
                    set_slot(&mut row, *s, Value::Null);
                }
                for ((slot, _), v) in items.iter().zip(values) {
                    set_slot(&mut row, *slot, v);
                }
                Ok(row)
            })),
            Op::Aggregate { keys, aggs, clear } => match self.aggregate(input, &[], keys, aggs, clear) {
                Ok(rows) => Box::new(rows.into_iter().map(Ok)),
                Err(e) => fail(e),
            },
            Op::Distinct { slots } => {
                let mut seen: HashSet<GroupKey, aggregate::FastHash> = HashSet::default();
                let mut held = self.held("DISTINCT");
                Box::new(input.filter_map(move |row| {
                    let row = match row.and_then(|row| self.tick().map(|()| row)) {
                        Err(e) => return Some(Err(e)),
                        Ok(row) => row,
                    };
                    let key: Vec<Value> = slots
                        .iter()
                        .map(|s| row.get(*s).cloned().unwrap_or_default())
                        .collect();
                    let bytes = budget::row_bytes(&key);
                    if !seen.insert(GroupKey::new(key)) {
                        return None;
                    }
                    match held.row(bytes) {
                        Ok(()) => Some(Ok(row)),
                        Err(e) => Some(Err(e)),
                    }
                }))
            }
            Op::Sort { keys } => match self.sort(input, keys, None) {
                Ok(rows) => Box::new(rows.into_iter().map(Ok)),
                Err(e) => fail(e),
            },
            Op::TopK { keys, limit } => {
                let sorted = count_arg(self, limit, "LIMIT").and_then(|k| self.sort(input, keys, Some(k)));
                match sorted {
                    Ok(rows) => Box::new(rows.into_iter().map(Ok)),
                    Err(e) => fail(e),
                }
            }
            Op::Skip(e) => match count_arg(self, e, "SKIP") {
                Ok(n) => Box::new(input.skip(n)),
                Err(e) => fail(e),
            },
            Op::Limit(e) => match count_arg(self, e, "LIMIT") {
                Ok(n) => Box::new(input.take(n)),
                Err(e) => fail(e),
            },
            Op::SubCall(call) => each_row(input, move |row| match self.sub_call_rows(call, &row) {
                Ok(rows) => Box::new(rows.into_iter().map(Ok)),
                Err(e) => fail(e),
            }),
            Op::ProcCall {
                proc,
                args,
                yields,
                pos,
            } => each_row(input, move |row| {
                match self.call_procedure(proc, args, *pos, &row) {
                    Err(e) => fail(e),
                    Ok(records) if proc.outputs().is_empty() => {
                        // A void procedure leaves each row as it is.
                        drop(records);
                        one_row(row)
                    }
                    Ok(records) => Box::new(records.into_iter().map(move |record| {
                        self.tick()?;
                        let mut next = row.clone();
                        for (field, slot) in yields {
                            set_slot(&mut next, *slot, record.get(*field).cloned().unwrap_or_default());
                        }
                        Ok(next)
                    })),
                }
            }),
            Op::Create(_)
            | Op::Merge(_)
            | Op::Set(_)
            | Op::Remove(_)
            | Op::Delete { .. }
            | Op::Foreach { .. }
            | Op::Schema(_) => fail(ExecError::new(
                ExecKind::Semantic,
                "a write clause cannot run in a read-only query; use Graph::execute",
            )),
        }
    }

    /// Runs a procedure for one row: its arguments evaluated and converted to the input types,
    /// its records checked against the outputs.
    fn call_procedure(
        &self,
        proc: &crate::query::procedures::Procedure,
        args: &[crate::query::plan::Expr],
        pos: crate::query::plan::Pos,
        row: &Row,
    ) -> ExecResult<Vec<Row>> {
        self.tick()?;
        let mut values = Vec::with_capacity(args.len());
        for (arg, field) in args.iter().zip(proc.inputs()) {
            let v = self.eval(arg, row)?;
            let v = field
                .convert(v)
                .map_err(|m| ExecError::new(ExecKind::Type, format!("{}: {m}", proc.name())).at(pos))?;
            values.push(v);
        }
        let records = proc.call(self, &values).map_err(|e| e.at(pos))?;
        let width = proc.outputs().len();
        // The records are held until the rows they make are passed on.
        let mut held = self.held("a procedure's records");
        for r in &records {
            held.row(budget::row_bytes(r))?;
        }
        if let Some(bad) = records.iter().find(|r| r.len() != width) {
            return Err(ExecError::new(
                ExecKind::Procedure,
                format!(
                    "{} returned a record of {} values for {width} outputs",
                    proc.name(),
                    bad.len()
                ),
            )
            .at(pos));
        }
        Ok(records)
    }

    /// True if a `RelScan` should pass over the relationships rather than scan its nodes and
    /// expand each: when the scan visits all nodes, or a label held by at least an eighth of
    /// them (their adjacency lists then cover much of the graph, in random order).
    pub(crate) fn use_rel_scan(&self, scan: &Op) -> bool {
        match scan {
            Op::NodeScan {
                start: Start::All, ..
            } => true,
            Op::NodeScan {
                start: Start::Label(Some(l)),
                ..
            } => self.graph.label_nodes(*l).len().saturating_mul(8) >= self.graph.node_count(),
            _ => false,
        }
    }

    /// The bound of the ranges `rel_scan` takes for `expand`: positions among the relationships
    /// of its types (read from the type index), or relationship indexes when it follows any type.
    pub(crate) fn rel_scan_bound(&self, expand: &Op) -> usize {
        match scan_types(expand) {
            Some(known) => self.graph.typed_rel_count(&known),
            None => self.graph.rel_bound(),
        }
    }

    /// The rows of a `RelScan` for one input row, over the part `range` of what
    /// `rel_scan_bound` bounds: each relationship of a wanted type whose ends pass the scan's and the
    /// expand's checks, as the node scan and the expand would have found it.
    pub(crate) fn rel_scan<'a>(
        &'a self,
        scan: &'a Op,
        expand: &'a Op,
        row: Row,
        range: std::ops::Range<usize>,
    ) -> RowIter<'a> {
        let Some(parts) = ScanParts::of(self, scan, expand) else {
            return no_rows();
        };
        Box::new(self.scan_rels(expand, range).filter_map(move |(r, a, b, ty)| {
            if let Err(e) = self.tick() {
                return Some(Err(e));
            }
            let (from, other) = parts.ends(a, b);
            match parts.keep(self, r, ty, from, other, &row) {
                Ok(false) => None,
                Ok(true) => {
                    let mut next = row.clone();
                    parts.bind(&mut next, from, r, other);
                    Some(Ok(next))
                }
                Err(e) => Some(Err(e)),
            }
        }))
    }

    /// The relationships a scan for `expand` reads, in the part `range` of what
    /// `rel_scan_bound` bounds: id, start, end, type.
    fn scan_rels(
        &self,
        expand: &Op,
        range: std::ops::Range<usize>,
    ) -> Box<dyn Iterator<Item = (crate::RelId, NodeId, NodeId, crate::graph::TypeId)> + '_> {
        match scan_types(expand) {
            Some(known) => Box::new(self.graph.typed_rels(known, range)),
            None => Box::new(self.graph.rels_in(range)),
        }
    }

    /// `rel_scan` push-style: each matching relationship and its ends are written into `row`,
    /// which is then handed to `each` (see `push.rs`), until it says stop.
    pub(crate) fn rel_scan_each(
        &self,
        scan: &Op,
        expand: &Op,
        row: &mut Row,
        range: std::ops::Range<usize>,
        each: &mut dyn FnMut(&mut Row) -> ExecResult<push::Flow>,
    ) -> ExecResult<push::Flow> {
        let Some(parts) = ScanParts::of(self, scan, expand) else {
            return Ok(push::Flow::More);
        };
        let mut one = |(r, a, b, ty)| -> ExecResult<push::Flow> {
            self.tick()?;
            let (from, other) = parts.ends(a, b);
            if parts.keep(self, r, ty, from, other, row)? {
                parts.bind(row, from, r, other);
                return each(row);
            }
            Ok(push::Flow::More)
        };
        match scan_types(expand) {
            // Named types: a plain loop over each type's slice of the type index.
            Some(known) => {
                for (t, part) in self.graph.typed_rel_parts(known, range) {
                    for r in part {
                        if let Some(rel) = self.graph.rel_ends_typed(*r, t)
                            && one(rel)? == push::Flow::Stop
                        {
                            return Ok(push::Flow::Stop);
                        }
                    }
                }
            }
            None => {
                for rel in self.graph.rels_in(range) {
                    if one(rel)? == push::Flow::Stop {
                        return Ok(push::Flow::Stop);
                    }
                }
            }
        }
        Ok(push::Flow::More)
    }

    fn scan<'a>(&'a self, slot: usize, start: &'a Start, check: &'a NodeCheck, row: Row) -> RowIter<'a> {
        let candidates: Vec<NodeId> = match start {
            Start::Bound => {
                return match row.get(slot) {
                    Some(Value::Node(id)) => match self.check_node(*id, check, &row) {
                        Ok(true) => one_row(row),
                        Ok(false) => no_rows(),
                        Err(e) => fail(e),
                    },
                    _ => no_rows(),
                };
            }
            Start::All => self.graph.nodes().collect(),
            Start::Label(None) => Vec::new(),
            Start::Label(Some(l)) => self.graph.label_nodes(*l).iter().copied().collect(),
            Start::PropSeek(label, key, e) => {
                let v = match self.eval_ref(e, &row) {
                    Ok(v) => v,
                    Err(e) => return fail(e),
                };
                match self.graph.index_seek(*label, *key, &v) {
                    Some(ids) => ids,
                    None => self.graph.label_nodes(*label).iter().copied().collect(),
                }
            }
            Start::NameSeek(e, fallback) => {
                let key = match self.eval_ref(e, &row) {
                    Ok(v) => v.as_str().map(crate::normalize_name).unwrap_or_default(),
                    Err(e) => return fail(e),
                };
                // The index holds only strings that stay non-empty once normalised; the
                // checks after the scan decide for anything else.
                match fallback {
                    _ if !key.is_empty() => self.graph.lookup_normalized(&key).to_vec(),
                    None => self.graph.nodes().collect(),
                    Some(None) => Vec::new(),
                    Some(Some(l)) => self.graph.label_nodes(*l).iter().copied().collect(),
                }
            }
        };
        Box::new(candidates.into_iter().filter_map(move |id| {
            match self.tick().and_then(|()| self.check_node(id, check, &row)) {
                Ok(true) => {
                    let mut next = row.clone();
                    set_slot(&mut next, slot, Value::Node(id));
                    Some(Ok(next))
                }
                Ok(false) => None,
                Err(e) => Some(Err(e)),
            }
        }))
    }

    /// The items an UNWIND of `expr` walks over for `row`. `range(...)` is not built as a
    /// list: its items come one by one, so that an UNWIND of a long range holds nothing.
    pub(crate) fn unwind_items(&self, expr: &crate::query::plan::Expr, row: &Row) -> ExecResult<Unwound> {
        if let crate::query::plan::Expr::Call(crate::query::plan::Func::Range, args, pos) = expr {
            let args = args
                .iter()
                .map(|a| self.eval(a, row))
                .collect::<ExecResult<Vec<_>>>()?;
            let (start, step, count) = functions::range_bounds(&args).map_err(|e| e.at(*pos))?;
            return Ok(Unwound::Range(functions::RangeItems::new(start, step, count)));
        }
        Ok(match self.eval(expr, row)? {
            Value::Null => Unwound::One(None),
            Value::List(items) => Unwound::List(items.into_iter()),
            other => Unwound::One(Some(other)),
        })
    }

    fn build_path(&self, row: &Row, parts: &[PathPart]) -> ExecResult<Value> {
        let mut path: Option<Path> = None;
        let mut pending: Vec<crate::RelId> = Vec::new();
        for part in parts {
            let v = match part {
                PathPart::Node(s) | PathPart::Rel(s) | PathPart::RelList(s) => {
                    row.get(*s).cloned().unwrap_or_default()
                }
            };
            match (part, v) {
                (_, Value::Null) => return Ok(Value::Null),
                (PathPart::Node(_), Value::Node(n)) => match path.as_mut() {
                    None => path = Some(Path::single(n)),
                    Some(p) => {
                        let steps = std::mem::take(&mut pending);
                        let count = steps.len();
                        for (i, r) in steps.into_iter().enumerate() {
                            let (a, b) = self.graph.rel_endpoints(r)?;
                            let here = p.end();
                            let next = if i + 1 == count {
                                n
                            } else if a == here {
                                b
                            } else {
                                a
                            };
                            p.push(r, next);
                        }
                    }
                },
                (PathPart::Rel(_), Value::Relationship(r)) => pending.push(r),
                (PathPart::RelList(_), Value::List(items)) => {
                    for item in items {
                        if let Value::Relationship(r) = item {
                            pending.push(r);
                        }
                    }
                }
                (_, other) => {
                    return Err(ExecError::type_error(format!(
                        "a path cannot be built from a {}",
                        other.type_name()
                    )))
                }
            }
        }
        Ok(path.map_or(Value::Null, Value::Path))
    }
}

/// The items of an UNWIND for one row (see `Ctx::unwind_items`).
pub(crate) enum Unwound {
    /// A value that is not a list is one item; null is none.
    One(Option<Value>),
    List(std::vec::IntoIter<Value>),
    Range(functions::RangeItems),
}

impl Iterator for Unwound {
    type Item = Value;
    fn next(&mut self) -> Option<Value> {
        match self {
            Unwound::One(v) => v.take(),
            Unwound::List(items) => items.next(),
            Unwound::Range(items) => items.next(),
        }
    }
}

/// What an `Expand` asks of each relationship it follows and of the node it reaches, and
/// where it writes them: shared by the expand from a bound node (`ExpandStep`) and the
/// relationship scan (`ScanParts`).
struct ExpandChecks<'a> {
    rel: usize,
    to: usize,
    dir: Direction,
    types: &'a crate::query::plan::TypeFilter,
    rel_props: &'a [(Option<crate::graph::KeyId>, crate::query::plan::Expr)],
    check: &'a NodeCheck,
    /// The wanted values of `rel_props` and of `check`'s properties that do not depend on
    /// the row, read once (`Ctx::hoist`).
    rel_hoisted: Vec<Option<&'a Value>>,
    end_hoisted: Vec<Option<&'a Value>>,
    /// No property of the relationship to check, and nothing of the node it reaches (the
    /// usual far end of a pattern): read once, not per relationship.
    rel_plain: bool,
    end_plain: bool,
}

impl<'a> ExpandChecks<'a> {
    fn of(ctx: &'a Ctx<'_>, op: &'a Op) -> Option<ExpandChecks<'a>> {
        let Op::Expand {
            rel,
            to,
            dir,
            types,
            rel_props,
            check,
            ..
        } = op
        else {
            return None;
        };
        Some(ExpandChecks {
            rel: *rel,
            to: *to,
            dir: *dir,
            types,
            rel_props,
            check,
            rel_hoisted: ctx.hoist(rel_props),
            end_hoisted: ctx.hoist(&check.props),
            rel_plain: rel_props.is_empty(),
            end_plain: check.labels.is_empty() && check.props.is_empty() && check.prop_map.is_none(),
        })
    }

    /// True if the relationship's type and properties match.
    #[inline]
    fn rel_ok(
        &self,
        ctx: &Ctx<'_>,
        r: crate::RelId,
        ty: crate::graph::TypeId,
        row: &Row,
    ) -> ExecResult<bool> {
        Ok(self.types.matches(ty) && self.rel_props_ok(ctx, r, row)?)
    }

    /// True if the relationship's properties match.
    #[inline(always)]
    fn rel_props_ok(&self, ctx: &Ctx<'_>, r: crate::RelId, row: &Row) -> ExecResult<bool> {
        Ok(self.rel_plain || ctx.check_rel_with(r, self.rel_props, &self.rel_hoisted, row)?)
    }

    /// True if the node reached passes the node check.
    #[inline(always)]
    fn end_ok(&self, ctx: &Ctx<'_>, other: NodeId, row: &Row) -> ExecResult<bool> {
        Ok(self.end_plain || ctx.check_node_with(other, self.check, &self.end_hoisted, row)?)
    }

    /// Writes the relationship and the node it reaches into `row`.
    fn bind(&self, row: &mut Row, r: crate::RelId, other: NodeId) {
        eval::set_rel_slot(row, self.rel, r);
        eval::set_node_slot(row, self.to, other);
    }
}

/// An `Expand` from one input row: the start node and what each relationship around it must
/// meet, shared by the pulled (`Ctx::expand`) and the pushed (`push.rs`) expansion.
pub(crate) struct ExpandStep<'a> {
    pub(crate) start: NodeId,
    pub(crate) dir: Direction,
    checks: ExpandChecks<'a>,
    to_bound: bool,
    want_rel: Option<Value>,
    want_to: Option<Value>,
    excluded: paths::RelSet,
}

impl<'a> ExpandStep<'a> {
    /// The step for `op` (an `Expand`) from `row`; `None` when it yields nothing (the start
    /// is not a live node).
    pub(crate) fn of(ctx: &'a Ctx<'_>, op: &'a Op, row: &Row) -> Option<ExpandStep<'a>> {
        let Op::Expand {
            from,
            rel,
            to,
            to_bound,
            rel_bound,
            exclude,
            ..
        } = op
        else {
            return None;
        };
        let Some(Value::Node(start)) = row.get(*from) else {
            return None;
        };
        if !ctx.graph.contains_node(*start) {
            return None;
        }
        let checks = ExpandChecks::of(ctx, op)?;
        Some(ExpandStep {
            start: *start,
            dir: checks.dir,
            checks,
            to_bound: *to_bound,
            want_rel: if *rel_bound { row.get(*rel).cloned() } else { None },
            want_to: if *to_bound { row.get(*to).cloned() } else { None },
            excluded: paths::excluded_rels(row, exclude),
        })
    }

    /// True if the relationship `r` of type `ty` to `other` matches. Inlined into each loop:
    /// as a call, its frame was a fifth of its cost.
    #[inline(always)]
    pub(crate) fn accepts(
        &self,
        ctx: &Ctx<'_>,
        r: crate::RelId,
        other: NodeId,
        ty: crate::graph::TypeId,
        row: &Row,
    ) -> ExecResult<bool> {
        // The type first: the cheapest check, and the one most relationships fail.
        if !self.checks.types.matches(ty) || self.excluded.contains(&r) {
            return Ok(false);
        }
        if self
            .want_rel
            .as_ref()
            .is_some_and(|w| *w != Value::Relationship(r))
        {
            return Ok(false);
        }
        if self.want_to.as_ref().is_some_and(|w| *w != Value::Node(other)) {
            return Ok(false);
        }
        Ok(self.checks.rel_props_ok(ctx, r, row)?
            && (self.to_bound || self.checks.end_ok(ctx, other, row)?))
    }

    /// Writes the relationship and the node it reaches into `row`.
    pub(crate) fn bind(&self, row: &mut Row, r: crate::RelId, other: NodeId) {
        self.checks.bind(row, r, other);
    }
}

/// The parts of a `RelScan` (its node scan and its expand) that each relationship meets.
struct ScanParts<'a> {
    from_slot: usize,
    from_check: &'a NodeCheck,
    /// The wanted values of `from_check`'s properties that do not depend on the row.
    from_hoisted: Vec<Option<&'a Value>>,
    expand: ExpandChecks<'a>,
    /// The relationship's own properties are at hand (its type was just read): they are
    /// checked before the start node is read, unless a check could fail with an error, which
    /// must then come only for start nodes that passed, as in the scan and the expand.
    rel_first: bool,
}

impl<'a> ScanParts<'a> {
    fn of(ctx: &'a Ctx<'_>, scan: &'a Op, expand: &'a Op) -> Option<ScanParts<'a>> {
        let Op::NodeScan {
            slot: from_slot,
            check: from_check,
            ..
        } = scan
        else {
            return None;
        };
        let expand = ExpandChecks::of(ctx, expand)?;
        let rel_first = expand.rel_props.iter().all(|(_, e)| match e {
            crate::query::plan::Expr::Const(_) => true,
            crate::query::plan::Expr::Param(name) => ctx.params.contains_key(&**name),
            _ => false,
        });
        Some(ScanParts {
            from_slot: *from_slot,
            from_check,
            from_hoisted: ctx.hoist(&from_check.props),
            expand,
            rel_first,
        })
    }

    /// The (scanned, reached) ends of a relationship from `a` to `b`.
    fn ends(&self, a: NodeId, b: NodeId) -> (NodeId, NodeId) {
        match self.expand.dir {
            Direction::Incoming => (b, a),
            Direction::Outgoing | Direction::Both => (a, b),
        }
    }

    /// True if the relationship and its ends pass every check.
    #[inline]
    fn keep(
        &self,
        ctx: &Ctx<'_>,
        r: crate::RelId,
        ty: crate::graph::TypeId,
        from: NodeId,
        other: NodeId,
        row: &Row,
    ) -> ExecResult<bool> {
        if !self.expand.types.matches(ty) {
            return Ok(false);
        }
        if self.rel_first && !self.expand.rel_ok(ctx, r, ty, row)? {
            return Ok(false);
        }
        if !ctx.check_node_with(from, self.from_check, &self.from_hoisted, row)? {
            return Ok(false);
        }
        if !self.rel_first && !self.expand.rel_ok(ctx, r, ty, row)? {
            return Ok(false);
        }
        self.expand.end_ok(ctx, other, row)
    }

    /// Writes the relationship and its ends into `row`.
    fn bind(&self, row: &mut Row, from: NodeId, r: crate::RelId, other: NodeId) {
        eval::set_node_slot(row, self.from_slot, from);
        self.expand.bind(row, r, other);
    }
}

/// The types a relationship scan for `expand` reads from the type index: those the graph
/// knows, when the expand names its types; `None` when it follows any type.
fn scan_types(expand: &Op) -> Option<Vec<crate::graph::TypeId>> {
    match expand {
        Op::Expand {
            types: crate::query::plan::TypeFilter(Some(types)),
            ..
        } => {
            // Each type once: `[:T|:T]` follows a relationship of type T once.
            let mut known: Vec<crate::graph::TypeId> = Vec::new();
            for t in types.iter().flatten() {
                if !known.contains(t) {
                    known.push(*t);
                }
            }
            Some(known)
        }
        _ => None,
    }
}

fn distinct_rels(row: &Row, rels: &[usize], lists: &[usize]) -> bool {
    if let ([a, b], []) = (rels, lists) {
        // Two relationships (a two-hop pattern): one comparison.
        return match (row.get(*a), row.get(*b)) {
            (Some(Value::Relationship(x)), Some(Value::Relationship(y))) => x != y,
            _ => true,
        };
    }
    if lists.is_empty() && rels.len() <= 8 {
        // The usual case: a few single relationships, compared pairwise without allocating.
        let mut seen: [Option<crate::RelId>; 8] = [None; 8];
        let mut n = 0;
        for s in rels {
            if let (Some(Value::Relationship(r)), Some(slot)) = (row.get(*s), seen.get_mut(n)) {
                *slot = Some(*r);
                n += 1;
            }
        }
        let seen = seen.get(..n).unwrap_or_default();
        return seen
            .iter()
            .enumerate()
            .all(|(i, r)| !seen.get(i + 1..).unwrap_or_default().contains(r));
    }
    // A handful of relationships per row: a sorted vector, not a hash set.
    let mut seen: Vec<crate::RelId> = Vec::with_capacity(rels.len());
    for s in rels {
        if let Some(Value::Relationship(r)) = row.get(*s) {
            seen.push(*r);
        }
    }
    for s in lists {
        if let Some(Value::List(items)) = row.get(*s) {
            for item in items {
                if let Value::Relationship(r) = item {
                    seen.push(*r);
                }
            }
        }
    }
    seen.sort_unstable();
    seen.windows(2).all(|w| w[0] != w[1])
}

/// Runs a whole plan on a read-only graph.
///
/// With a profiler (`PROFILE`), every row is pulled (`limits` should then also ask for one
/// thread) and each operator reports to it (see `profile.rs`).
pub(crate) fn run_read(
    graph: &Graph,
    plan: &Plan,
    params: &BTreeMap<String, Value>,
    limits: &Limits,
    profiler: Option<&profile::Profiler>,
) -> ExecResult<Vec<Row>> {
    let budget = budget::Budget::profiled(limits, profiler);
    let steps = std::cell::Cell::new(0);
    let ctx = Ctx::new(graph, params, &budget, &steps, plan.width, None);
    let mut out = Vec::new();
    for (i, (part, outputs)) in plan.parts.iter().zip(&plan.outputs).enumerate() {
        // The operators at the end push their rows straight into the result (see `push.rs`).
        let (head, tail) = if limits.pull_only || profiler.is_some() {
            (&part.ops[..], &[][..])
        } else {
            push::output_tail(&part.ops)
        };
        let start = vec![Value::Null; plan.width];
        if tail.is_empty() {
            match profiler.and_then(|p| Some((p, p.part_line(i)?))) {
                None => pull_into(&ctx, head, start, outputs, &mut out)?,
                Some((p, line)) => {
                    let (prev, before) = (p.enter(line), out.len());
                    pull_into(&ctx, head, start, outputs, &mut out)?;
                    p.exit(line, prev, out.len().saturating_sub(before) as u64);
                }
            }
            continue;
        }
        let mut pusher = push::Pusher::new(&ctx, tail)?;
        if pusher.is_empty() {
            continue;
        }
        let movable = push::movable_slots(tail);
        let mut sink = |row: &mut Row| {
            out.push(take_output(row, outputs, movable));
            Ok(push::Flow::More)
        };
        if head.is_empty() {
            // The whole pipeline pushes, from one row.
            let mut row = start;
            ctx.push_from(&mut pusher, 0, &mut row, &mut sink)?;
            continue;
        }
        pull_then_push(&ctx, head, start, &mut pusher, &mut sink)?;
    }
    Ok(finish_union(plan, out))
}

/// The rows of a read plan, pulled one at a time as a caller asks for them: each operator's
/// iterator is lazy, so a caller that stops early leaves the rest unproduced. Operators that
/// need all their input (sorts, aggregations, `DISTINCT` over the whole input of a
/// `UNION`) gather it when the first row is asked for, within the same budgets.
pub(crate) fn stream_read<'a>(ctx: &'a Ctx<'a>, plan: &'a Plan) -> RowIter<'a> {
    let width = plan.width;
    let rows = plan
        .parts
        .iter()
        .zip(&plan.outputs)
        .flat_map(move |(part, outputs)| {
            ctx.read(&part.ops, one_row(vec![Value::Null; width]))
                .map(move |row| row.map(|row| output_row(row, outputs)))
        });
    if plan.parts.len() > 1 && plan.union_distinct {
        let mut seen = HashSet::new();
        let mut held = ctx.held("UNION");
        Box::new(rows.filter_map(move |row| match row {
            Ok(row) if seen.contains(&GroupKey::new(row.clone())) => None,
            Ok(row) => match held.row(budget::row_bytes(&row)) {
                Ok(()) => {
                    seen.insert(GroupKey::new(row.clone()));
                    Some(Ok(row))
                }
                Err(e) => Some(Err(e)),
            },
            Err(e) => Some(Err(e)),
        }))
    } else {
        Box::new(rows)
    }
}

/// The rows of `ops` over `start`, pulled, as output rows into `out`.
#[inline(never)]
fn pull_into(ctx: &Ctx<'_>, ops: &[Op], start: Row, outputs: &[usize], out: &mut Vec<Row>) -> ExecResult<()> {
    for row in ctx.read(ops, one_row(start)) {
        out.push(output_row(row?, outputs));
    }
    Ok(())
}

/// The rows of `head` over `start`, pulled, each pushed through the operators of `pusher`.
#[inline(never)]
fn pull_then_push(
    ctx: &Ctx<'_>,
    head: &[Op],
    start: Row,
    pusher: &mut push::Pusher<'_>,
    sink: &mut push::Sink<'_>,
) -> ExecResult<()> {
    for row in ctx.read(head, one_row(start)) {
        let mut row = row?;
        if ctx.push_from(pusher, 0, &mut row, sink)? == push::Flow::Stop {
            break;
        }
    }
    Ok(())
}

/// The output columns of a row pushed to the result: values moved out of the slots the last
/// projection wrote (it puts them back itself), cloned from the others.
fn take_output(row: &mut Row, outputs: &[usize], movable: &[(usize, crate::query::plan::Expr)]) -> Row {
    output_values(row, outputs, |s| movable.iter().any(|(m, _)| *m == s))
}

/// The output columns of a finished row: each value moved out of its slot (no reference count
/// to touch).
fn output_row(mut row: Row, outputs: &[usize]) -> Row {
    output_values(&mut row, outputs, |_| true)
}

/// The values of the slots `outputs` of `row`: moved out where `may_move` allows it and no later
/// column reads the same slot, cloned otherwise.
fn output_values(row: &mut Row, outputs: &[usize], may_move: impl Fn(usize) -> bool) -> Row {
    outputs
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let again = outputs.get(i + 1..).is_some_and(|rest| rest.contains(s));
            match row.get_mut(*s) {
                Some(v) if !again && may_move(*s) => std::mem::take(v),
                Some(v) => v.clone(),
                None => Value::Null,
            }
        })
        .collect()
}

/// Runs a plan that may write; the caller restores the graph if this fails.
///
/// With a profiler (`PROFILE`), each operator reports to it (see `profile.rs`).
pub(crate) fn run_write(
    graph: &mut Graph,
    plan: &Plan,
    params: &BTreeMap<String, Value>,
    limits: &Limits,
    profiler: Option<&profile::Profiler>,
) -> ExecResult<(Vec<Row>, Stats)> {
    let budget = budget::Budget::profiled(limits, profiler);
    let steps = std::cell::Cell::new(0);
    let mut changes = write::Changes::default();
    let mut out = Vec::new();
    let mut run = WriteRun {
        params,
        budget: &budget,
        steps: &steps,
        width: plan.width,
        changes: &mut changes,
    };
    for (i, (part, outputs)) in plan.parts.iter().zip(&plan.outputs).enumerate() {
        let part_line = profiler.and_then(|p| Some((p, p.part_line(i)?)));
        let prev = part_line.map(|(p, line)| p.enter(line));
        let rows = run.ops(graph, &part.ops, vec![vec![Value::Null; plan.width]])?;
        if let (Some((p, line)), Some(prev)) = (part_line, prev) {
            p.exit(line, prev, rows.len() as u64);
        }
        if !plan.returns {
            continue;
        }
        for row in rows {
            out.push(output_row(row, outputs));
        }
    }
    Ok((finish_union(plan, out), changes.stats(graph)))
}

/// Runs a schema command: `IF [NOT] EXISTS` makes what is already so a no-op.
fn schema_command(graph: &mut Graph, cmd: &crate::query::plan::SchemaOp) -> ExecResult<()> {
    use crate::query::plan::SchemaOp;
    let failed = |e: crate::GraphError| {
        let kind = match e {
            crate::GraphError::ConstraintViolation { .. } => ExecKind::Constraint,
            _ => ExecKind::Argument,
        };
        ExecError::new(kind, e.to_string())
    };
    match cmd {
        SchemaOp::CreateIndex {
            name,
            label,
            key,
            if_not_exists,
        } => {
            let exists = graph
                .indexes()
                .iter()
                .any(|(n, l, k)| name.as_deref() == Some(*n) || (l == label && k == key));
            if *if_not_exists && exists {
                return Ok(());
            }
            graph.create_index(name.as_deref(), label, key).map_err(failed)?;
        }
        SchemaOp::CreateConstraint {
            name,
            label,
            key,
            if_not_exists,
        } => {
            let exists = graph
                .constraints()
                .iter()
                .any(|(n, l, k)| name.as_deref() == Some(n.as_str()) || (l == label && k == key));
            if *if_not_exists && exists {
                return Ok(());
            }
            let default = crate::graph::schema::default_constraint_name(label, key);
            let name = name.as_deref().unwrap_or(&default);
            graph
                .create_named_unique_constraint(name, label, key)
                .map_err(failed)?;
        }
        SchemaOp::DropIndex { name, if_exists } => match graph.drop_index(name) {
            Err(crate::GraphError::SchemaNotFound { .. }) if *if_exists => {}
            other => other.map_err(failed)?,
        },
        SchemaOp::DropConstraint { name, if_exists } => match graph.drop_constraint(name) {
            Err(crate::GraphError::SchemaNotFound { .. }) if *if_exists => {}
            other => other.map_err(failed)?,
        },
    }
    Ok(())
}

/// What running a pipeline that writes needs besides the graph.
struct WriteRun<'r> {
    params: &'r BTreeMap<String, Value>,
    budget: &'r budget::Budget<'r>,
    steps: &'r std::cell::Cell<u64>,
    width: usize,
    changes: &'r mut write::Changes,
}

impl WriteRun<'_> {
    /// Runs `ops` over `rows`: the reads between two writes lazily, each write over all the
    /// rows before it (so each clause sees the writes of the clauses before it).
    fn ops(&mut self, graph: &mut Graph, ops: &[Op], mut rows: Vec<Row>) -> ExecResult<Vec<Row>> {
        let mut rest: &[Op] = ops;
        while !rest.is_empty() {
            let cut = rest.iter().position(Op::is_write).unwrap_or(rest.len());
            let (reads, after) = rest.split_at(cut);
            if !reads.is_empty() {
                let ctx = Ctx::new(
                    graph,
                    self.params,
                    self.budget,
                    self.steps,
                    self.width,
                    Some(&self.changes.tombstones),
                );
                // The rows between two writes are held: counted against the budgets.
                let mut held = ctx.held("the rows before a write clause");
                rows = if ctx.all_push(reads) {
                    ctx.push_collect(reads, rows.iter_mut(), &mut held)?
                } else {
                    ctx.collect_counted(ctx.read(reads, Box::new(rows.into_iter().map(Ok))), &mut held)?
                };
            }
            if let Some((write, tail)) = after.split_first() {
                let profiled = self.budget.profile.and_then(|p| Some((p, p.line_of(write)?)));
                let prev = profiled.map(|(p, line)| p.enter(line));
                rows = match write {
                    Op::SubCall(call) => self.sub_call(graph, call, rows)?,
                    Op::Foreach {
                        slot,
                        list,
                        body,
                        pos,
                    } => self.foreach(graph, *slot, list, body, *pos, rows)?,
                    Op::Schema(cmd) => {
                        schema_command(graph, cmd)?;
                        rows
                    }
                    _ => {
                        let w = write::Writer::new(
                            graph,
                            self.params,
                            self.budget,
                            self.steps,
                            self.width,
                            self.changes,
                        );
                        write::apply(w, write, rows)?
                    }
                };
                if let (Some((p, line)), Some(prev)) = (profiled, prev) {
                    p.exit(line, prev, rows.len() as u64);
                }
                rest = tail;
            } else {
                rest = &[];
            }
        }
        Ok(rows)
    }

    /// A context for reading `graph` between writes.
    fn ctx<'c>(&'c self, graph: &'c Graph) -> Ctx<'c> {
        Ctx::new(
            graph,
            self.params,
            self.budget,
            self.steps,
            self.width,
            Some(&self.changes.tombstones),
        )
    }

    /// `FOREACH`: its updates run for each item of the list of each row, in order.
    fn foreach(
        &mut self,
        graph: &mut Graph,
        slot: usize,
        list: &crate::query::plan::Expr,
        body: &Pipeline,
        pos: crate::query::plan::Pos,
        rows: Vec<Row>,
    ) -> ExecResult<Vec<Row>> {
        for row in &rows {
            let items = match self.ctx(graph).eval(list, row)? {
                Value::Null => Vec::new(),
                Value::List(items) => items,
                other => {
                    return Err(ExecError::new(
                        ExecKind::Type,
                        format!("FOREACH needs a list, got {}", other.type_name()),
                    )
                    .at(pos))
                }
            };
            for item in items {
                self.ctx(graph).tick()?;
                let mut r = row.clone();
                set_slot(&mut r, slot, item);
                self.ops(graph, &body.ops, vec![r])?;
            }
        }
        Ok(rows)
    }

    /// A `CALL { ... }` that writes: its subquery runs for each row in turn (seeing the writes
    /// it made for the rows before).
    fn sub_call(&mut self, graph: &mut Graph, call: &CallPlan, rows: Vec<Row>) -> ExecResult<Vec<Row>> {
        let mut out = Vec::new();
        for row in rows {
            let mut results = Vec::new();
            for (part, outs) in call.sub.parts.iter().zip(&call.sub.outputs) {
                for r in self.ops(graph, &part.ops, vec![row.clone()])? {
                    results.push(
                        outs.iter()
                            .map(|s| r.get(*s).cloned().unwrap_or_default())
                            .collect(),
                    );
                }
            }
            extend_call_rows(call, &row, results, &mut out);
        }
        Ok(out)
    }
}

/// The rows a `CALL { ... }` gives for `row` from the values its subquery returned: one per
/// result (de-duplicated for `UNION`), or the row itself once for a unit subquery.
fn extend_call_rows(call: &CallPlan, row: &Row, results: Vec<Vec<Value>>, out: &mut Vec<Row>) {
    if call.unit {
        out.push(row.clone());
        return;
    }
    let mut seen = HashSet::new();
    for values in results {
        if call.sub.distinct && !seen.insert(GroupKey::new(values.clone())) {
            continue;
        }
        let mut next = row.clone();
        for (slot, v) in call.targets.iter().zip(values) {
            set_slot(&mut next, *slot, v);
        }
        out.push(next);
    }
}

impl Ctx<'_> {
    /// The rows of a read-only `CALL { ... }` for one row.
    fn sub_call_rows(&self, call: &CallPlan, row: &Row) -> ExecResult<Vec<Row>> {
        let mut results: Vec<Vec<Value>> = Vec::new();
        // The rows are held until they are passed on: counted against the budgets.
        let mut held = self.held("the rows of a CALL subquery");
        for (part, outs) in call.sub.parts.iter().zip(&call.sub.outputs) {
            for r in self.read(&part.ops, one_row(row.clone())) {
                let r = r?;
                self.tick()?;
                if !call.unit {
                    let values: Vec<Value> = outs
                        .iter()
                        .map(|s| r.get(*s).cloned().unwrap_or_default())
                        .collect();
                    held.row(budget::row_bytes(&values))?;
                    results.push(values);
                }
            }
        }
        let mut out = Vec::new();
        extend_call_rows(call, row, results, &mut out);
        Ok(out)
    }

    /// The value of `EXISTS { ... }`, `COUNT { ... }` or `COLLECT { ... }` for one row.
    pub(crate) fn eval_sub(&self, sub: &SubPlan, row: &Row) -> ExecResult<Value> {
        if sub.kind == SubKind::Exists {
            for part in &sub.parts {
                if self.any_row(part, row)? {
                    return Ok(Value::Bool(true));
                }
            }
            return Ok(Value::Bool(false));
        }
        let mut count = 0i64;
        let mut values = Vec::new();
        let mut seen = HashSet::new();
        for (part, outs) in sub.parts.iter().zip(&sub.outputs) {
            for r in self.read(&part.ops, one_row(row.clone())) {
                let r = r?;
                self.tick()?;
                if sub.distinct {
                    let key: Vec<Value> = outs
                        .iter()
                        .map(|s| r.get(*s).cloned().unwrap_or_default())
                        .collect();
                    if !seen.insert(GroupKey::new(key)) {
                        continue;
                    }
                }
                count += 1;
                if sub.kind == SubKind::Collect {
                    values.push(outs.first().and_then(|s| r.get(*s)).cloned().unwrap_or_default());
                    self.check_list(values.len())?;
                }
            }
        }
        Ok(match sub.kind {
            SubKind::Collect => Value::List(values),
            _ => Value::Int(count),
        })
    }
}

fn finish_union(plan: &Plan, rows: Vec<Row>) -> Vec<Row> {
    if plan.parts.len() > 1 && plan.union_distinct {
        let mut seen = HashSet::new();
        rows.into_iter()
            .filter(|r| seen.insert(GroupKey::new(r.clone())))
            .collect()
    } else {
        rows
    }
}
