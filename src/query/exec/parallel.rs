//! Parallel aggregation: the read operators before an aggregation run on several threads over
//! parts of their input, each thread aggregates what it produced, and the partial groups are
//! merged in input order, so the result (and its group order) is the same as one pass gives.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;

use super::aggregate::Groups;
use super::error::ExecResult;
use super::eval::{set_slot, Row};
use super::push::split_tail;
use super::{Ctx, RowIter};
use crate::graph::{Direction, NodeId, Value};
use crate::query::plan::{AggFn, Expr, Op, Start};

/// Below this many rows, or `Limits::parallel_work` of expected work, threads cost more than
/// they save.
const MIN_ROWS: usize = 2048;

/// The default expected work (relationships to follow or to scan) from which an aggregation
/// shares its input out to threads. Following a relationship into a pushed row costs 20-40
/// ns; starting and joining the threads, and merging their groups, 50-100 µs on a busy
/// 2-core machine, and the shared-out rows are materialised. So sharing pays from about a
/// millisecond of work: measured at scale S, benchmark Q4 (16,000 second-hop relationships)
/// and Q3 (a scan of 5,000) ran slower on two threads than on one, while at M (Q4 over
/// 100,000 and more, scans of 80,000) two threads win.
pub(crate) const PARALLEL_WORK: usize = 32_768;

/// The groups of one part of the input, and the bytes they keep counted (see `Held::keep`).
type Part = (Groups, u64);

/// How many rows, and how many bytes of rows, at most are taken from an operator at once to
/// be shared out to the threads (bytes: also at most a sixteenth of the memory budget).
const CHUNK_ROWS: usize = 16 * MIN_ROWS;
const CHUNK_BYTES: u64 = 16 << 20;

/// The next rows of `source`, at most a chunk, each counted in `held`; and whether the chunk
/// is full (more rows may follow) rather than the end of `source`.
fn take_chunk(
    ctx: &Ctx<'_>,
    source: &mut RowIter<'_>,
    held: &mut super::budget::Held<'_>,
) -> ExecResult<(Vec<Row>, bool)> {
    let max_bytes = CHUNK_BYTES.min(ctx.limits.max_memory / 16);
    let mut chunk = Vec::new();
    let mut bytes = 0u64;
    while chunk.len() < CHUNK_ROWS && (chunk.is_empty() || bytes < max_bytes) {
        match source.next() {
            Some(row) => {
                let row = row?;
                let size = super::budget::row_bytes(&row);
                held.row(size)?;
                bytes = bytes.saturating_add(size as u64);
                chunk.push(row);
            }
            None => return Ok((chunk, false)),
        }
    }
    Ok((chunk, true))
}

/// True for the operators that can turn one row into many: after the last of them, the rows
/// an aggregation meets are at most those it produces.
fn multiplies(op: &Op) -> bool {
    matches!(
        op,
        Op::NodeScan { .. }
            | Op::RelScan { .. }
            | Op::Expand { .. }
            | Op::VarExpand { .. }
            | Op::ShortestPath { .. }
            | Op::Optional { .. }
            | Op::Unwind { .. }
    )
}

/// True for operators that turn each row into rows independently of the others: those that
/// may multiply rows, and those that keep, drop or extend one.
pub(crate) fn per_row(op: &Op) -> bool {
    multiplies(op)
        || matches!(
            op,
            Op::DistinctRels { .. } | Op::BuildPath { .. } | Op::Filter(_) | Op::Project { .. }
        )
}

impl Ctx<'_> {
    /// Runs `pre` (per-row operators) and the aggregation `agg` over `input`, on several threads
    /// when the work is large enough.
    pub(crate) fn parallel_aggregate(
        &self,
        pre: &[Op],
        agg: &Op,
        input: RowIter<'_>,
    ) -> ExecResult<Vec<Row>> {
        match agg {
            Op::Aggregate { keys, aggs, clear } => self.aggregate_in_parallel(pre, keys, aggs, clear, input),
            _ => input.collect(),
        }
    }

    fn aggregate_in_parallel(
        &self,
        pre: &[Op],
        keys: &[(usize, Expr)],
        aggs: &[(usize, AggFn, bool, Vec<Expr>)],
        clear: &[usize],
        input: RowIter<'_>,
    ) -> ExecResult<Vec<Row>> {
        let mut rows: Vec<Row> = input.collect::<ExecResult<_>>()?;
        let mut rest: Vec<Op> = pre.to_vec();
        if let (Some(Op::RelScan { scan, expand }), 1) = (pre.first(), rows.len()) {
            if !self.use_rel_scan(scan) {
                // As the node scan and the expand, which the loop below shares out.
                rest.splice(0..1, [(**scan).clone(), (**expand).clone()]);
            } else if self.rel_scan_bound(expand) < self.limits.parallel_work
                && !pre.iter().skip(1).any(multiplies)
            {
                // A scan too small to share, whose rows nothing multiplies after it: pushed
                // straight into the groups on this thread.
                let mut held = self.held("an aggregation");
                let groups = self.aggregate_here(pre, rows, keys, aggs, &mut held)?;
                return self.finish_groups(groups, keys, aggs, clear);
            } else if let total = self.rel_scan_bound(expand)
                && total >= self.limits.parallel_work.max(MIN_ROWS)
            {
                // Each thread takes ranges of the relationships to scan in turn.
                let base = rows.pop().unwrap_or_default();
                let after = pre.get(1..).unwrap_or_default();
                let parts = (self.limits.threads * 16).min(total).max(1);
                let size = total.div_ceil(parts);
                let groups = self.run_parallel(total.div_ceil(size), |ctx, i| {
                    let range = (i * size)..((i + 1) * size).min(total);
                    let (head, tail) = split_tail(after);
                    if head.is_empty() {
                        // Every row of the scan goes straight into the groups.
                        let mut row = base.clone();
                        return ctx.push_aggregate(tail, keys, aggs, |each| {
                            ctx.rel_scan_each(scan, expand, &mut row, range, &mut |row| {
                                each(row).map(|()| super::push::Flow::More)
                            })
                            .map(|_| ())
                        });
                    }
                    let rows = ctx.rel_scan(scan, expand, base.clone(), range);
                    ctx.partial_aggregate(ctx.read(head, rows), tail, keys, aggs)
                })?;
                let mut held = self.held("an aggregation");
                let groups = held.adopt_parts(groups);
                return self.finish_groups(Ctx::merge_groups(groups)?, keys, aggs, clear);
            }
        }
        // Run the first operators on one thread until there are rows enough to share. An
        // operator's rows are taken a chunk at a time: past one chunk, its rows are shared out
        // chunk by chunk (`aggregate_in_chunks`), so no operator's whole output is ever held
        // to share it out.
        while !rest.is_empty() && rows.len() < MIN_ROWS {
            if rows.len() == 1
                && let Some(Op::NodeScan { slot, start, check }) = rest.first()
            {
                let ids: Option<Vec<NodeId>> = match start {
                    Start::All => Some(self.graph.nodes().collect()),
                    Start::Label(Some(l)) => Some(self.graph.label_nodes(*l).iter().copied().collect()),
                    _ => None,
                };
                if let Some(ids) = ids {
                    // Hand out the candidates, a chunk at a time; each thread checks its own.
                    let base = rows.pop().unwrap_or_default();
                    let slot = *slot;
                    rest[0] = Op::NodeScan {
                        slot,
                        start: Start::Bound,
                        check: check.clone(),
                    };
                    let candidates = ids.into_iter().map(move |id| {
                        let mut r = base.clone();
                        set_slot(&mut r, slot, Value::Node(id));
                        Ok(r)
                    });
                    return self.aggregate_in_chunks(Box::new(candidates), &rest, keys, aggs, clear);
                }
            }
            if rows.len() > 1 {
                let work = self.fan_out(&rest[0], &rows);
                if work >= self.limits.parallel_work {
                    break;
                }
                if matches!(rest[0], Op::Expand { .. }) && !rest.iter().skip(1).any(multiplies) {
                    // What is left is at most `work` rows through operators that do not
                    // multiply them: too little to share, and pushed on this thread it
                    // materialises no row.
                    let mut held = self.held("an aggregation");
                    let groups = self.aggregate_here(&rest, rows, keys, aggs, &mut held)?;
                    return self.finish_groups(groups, keys, aggs, clear);
                }
            }
            let first = rest.remove(0);
            let mut produced = self.read(std::slice::from_ref(&first), Box::new(rows.into_iter().map(Ok)));
            let mut held = self.held("the rows shared out to threads");
            let more;
            (rows, more) = take_chunk(self, &mut produced, &mut held)?;
            if more {
                drop(held);
                let all = Box::new(rows.into_iter().map(Ok).chain(produced));
                return self.aggregate_in_chunks(all, &rest, keys, aggs, clear);
            }
        }
        let mut held = self.held("an aggregation");
        let groups = self.aggregate_rows(&rest, rows, keys, aggs, &mut held)?;
        self.finish_groups(groups, keys, aggs, clear)
    }

    /// Aggregates the rows of `source`, each run through `ops`: a chunk of rows at a time,
    /// shared out to the threads, the groups of each chunk merged after those of the chunks
    /// before it (the order one pass gives). Memory: one chunk of rows, counted against the
    /// budget, and the groups.
    fn aggregate_in_chunks(
        &self,
        mut source: RowIter<'_>,
        ops: &[Op],
        keys: &[(usize, Expr)],
        aggs: &[(usize, AggFn, bool, Vec<Expr>)],
        clear: &[usize],
    ) -> ExecResult<Vec<Row>> {
        let mut groups: Option<Groups> = None;
        // The groups' bytes, counted by each part and kept until the groups are finished.
        let mut kept = self.held("an aggregation");
        loop {
            let mut held = self.held("the rows shared out to threads");
            let (chunk, more) = take_chunk(self, &mut source, &mut held)?;
            if chunk.is_empty() {
                break;
            }
            let part = self.aggregate_rows(ops, chunk, keys, aggs, &mut kept)?;
            groups = Some(match groups {
                None => part,
                Some(before) => Ctx::merge_groups(vec![before, part])?,
            });
            if !more {
                break;
            }
        }
        self.finish_groups(groups.unwrap_or_default(), keys, aggs, clear)
    }

    /// Groups `rows`, each run through `ops`: shared out to the threads when the work is large
    /// enough, else on this thread. The bytes the groups hold are adopted into `held`.
    fn aggregate_rows(
        &self,
        ops: &[Op],
        rows: Vec<Row>,
        keys: &[(usize, Expr)],
        aggs: &[(usize, AggFn, bool, Vec<Expr>)],
        held: &mut super::budget::Held<'_>,
    ) -> ExecResult<Groups> {
        let worth_it = match ops.first() {
            None => false,
            Some(op) => {
                rows.len() >= 2
                    && (rows.len() >= MIN_ROWS || self.fan_out(op, &rows) >= self.limits.parallel_work)
            }
        };
        if worth_it {
            return Ctx::merge_groups(held.adopt_parts(self.run_parts(ops, rows, keys, aggs)?));
        }
        self.aggregate_here(ops, rows, keys, aggs, held)
    }

    /// Groups `rows`, each run through `ops`, on this thread (the operators at the end
    /// pushed into the groups). The bytes the groups hold are adopted into `held`.
    fn aggregate_here(
        &self,
        ops: &[Op],
        rows: Vec<Row>,
        keys: &[(usize, Expr)],
        aggs: &[(usize, AggFn, bool, Vec<Expr>)],
        held: &mut super::budget::Held<'_>,
    ) -> ExecResult<Groups> {
        let (head, tail) = split_tail(ops);
        let (groups, kept) = self.partial_aggregate(
            self.read(head, Box::new(rows.into_iter().map(Ok))),
            tail,
            keys,
            aggs,
        )?;
        held.adopt(kept);
        Ok(groups)
    }

    /// Roughly how many relationships the operator will touch for these rows.
    fn fan_out(&self, op: &Op, rows: &[Row]) -> usize {
        let from = match op {
            Op::Expand { from, .. } | Op::VarExpand { from, .. } => *from,
            _ => return rows.len(),
        };
        let min_work = self.limits.parallel_work;
        let mut work = 0;
        for row in rows {
            if let Some(Value::Node(n)) = row.get(from) {
                // Counted only up to the threshold: the estimate must not cost as much as the work.
                work += self
                    .graph
                    .expand(*n, Direction::Both)
                    .take(min_work.saturating_sub(work))
                    .count();
                if work >= min_work {
                    break;
                }
            }
        }
        work
    }

    /// Splits `rows` into small parts that the threads take in turn; returns each part's
    /// groups in the parts' order.
    fn run_parts(
        &self,
        ops: &[Op],
        rows: Vec<Row>,
        keys: &[(usize, Expr)],
        aggs: &[(usize, AggFn, bool, Vec<Expr>)],
    ) -> ExecResult<Vec<Part>> {
        let parts_wanted = (self.limits.threads * 16).min(rows.len()).max(1);
        let size = rows.len().div_ceil(parts_wanted);
        let mut parts: Vec<Mutex<Vec<Row>>> = Vec::new();
        let mut rows = rows.into_iter();
        loop {
            let part: Vec<Row> = rows.by_ref().take(size).collect();
            if part.is_empty() {
                break;
            }
            parts.push(Mutex::new(part));
        }
        self.run_parallel(parts.len(), |ctx, i| {
            let part = parts
                .get(i)
                .and_then(|p| p.lock().ok().map(|mut p| std::mem::take(&mut *p)))
                .unwrap_or_default();
            let (head, tail) = split_tail(ops);
            ctx.partial_aggregate(
                ctx.read(head, Box::new(part.into_iter().map(Ok))),
                tail,
                keys,
                aggs,
            )
        })
    }

    /// Runs `part(0..n)` on the threads, each taking the next part when done with one, with
    /// a context of its own (its own step counter; the statement's budgets shared); returns
    /// the results in part order (the first error stops the others early).
    fn run_parallel(
        &self,
        n: usize,
        part: impl Fn(&Ctx<'_>, usize) -> ExecResult<Part> + Sync,
    ) -> ExecResult<Vec<Part>> {
        let next = AtomicUsize::new(0);
        let failed = AtomicBool::new(false);
        let results: Mutex<Vec<(usize, ExecResult<Part>)>> = Mutex::new(Vec::new());
        let (graph, params, budget, width, deleted) =
            (self.graph, self.params, self.budget, self.width, self.deleted);
        std::thread::scope(|s| {
            for _ in 0..self.limits.threads.min(n) {
                s.spawn(|| {
                    let steps = std::cell::Cell::new(0);
                    let ctx = Ctx::new(graph, params, budget, &steps, width, deleted);
                    loop {
                        if failed.load(Ordering::Relaxed) {
                            break;
                        }
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        if i >= n {
                            break;
                        }
                        let result = part(&ctx, i);
                        if result.is_err() {
                            failed.store(true, Ordering::Relaxed);
                        }
                        if let Ok(mut r) = results.lock() {
                            r.push((i, result));
                        }
                    }
                });
            }
        });
        let mut results = results.into_inner().unwrap_or_default();
        results.sort_by_key(|(i, _)| *i);
        let mut done = Vec::with_capacity(results.len());
        let mut first_error = None;
        for (_, r) in results {
            match r {
                Ok(part) => done.push(part),
                Err(e) => {
                    first_error.get_or_insert(e);
                }
            }
        }
        match first_error {
            None => Ok(done),
            Some(e) => {
                // Give back what the finished parts kept.
                let mut held = self.held("an aggregation");
                held.adopt_parts(done);
                Err(e)
            }
        }
    }
}
