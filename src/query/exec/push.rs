//! Pushing rows through per-row operators, over one row buffer.
//!
//! Pulled through the iterator chain, every row an operator produces is a new row: the input
//! row cloned, a slot or two set, and a boxed iterator per operator and input row. Pushed,
//! the operators instead run over one buffer: a scan or an expand writes the node and the
//! relationship it found into the buffer and calls the operators after it, which read the
//! buffer, and the last one hands it to a sink (an aggregation's groups, or the result rows).
//! Three places push:
//! - the per-row operators just before an aggregation (`pushable_tail`), into its groups;
//! - the per-row operators at the end of a pipeline (`output_tail`), into the result rows. A
//!   point lookup then allocates no row and no iterator at all;
//! - the read operators before a write clause, when all of them can (`output_tail`), into
//!   the rows the write runs over (`WriteRun::ops`).
//!
//! Architecture invariants:
//! - Pushing gives the rows the pull chain would give, in the same order, with the same errors
//!   at the same point (`tests/differential.rs` runs both over generated graphs and queries).
//! - An operator writes only slots that the operators before it do not read (a pattern binds
//!   each variable once), except a projection, which can overwrite a variable in scope; it
//!   puts the slots it wrote back as they were before returning. So the buffer never needs
//!   copying between the rows a loop produces.
//! - `SKIP`, `LIMIT` and `DISTINCT` keep their counts and seen keys in the `Pusher` of one run;
//!   a `LIMIT` that is reached stops every loop before it ([`Flow::Stop`]), as a pulled
//!   `take` stops pulling.

use std::collections::HashSet;

use super::error::{ExecError, ExecKind, ExecResult};
use super::eval::{set_slot, Row};
use super::{aggregate, count_arg, distinct_rels, one_row, Ctx, ExpandStep, GroupKey};
use crate::graph::{NodeId, Value};
use crate::query::plan::{NodeCheck, Op, Start};

/// At most this many operators run push-style before an aggregation, or at the end of a
/// pipeline: each one is a level of recursion.
const MAX_PUSHED: usize = 32;

/// Whether the operators before a pushed row should go on producing rows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Flow {
    /// Go on.
    More,
    /// A `LIMIT` has its rows: produce no more.
    Stop,
}

/// True for the operators an aggregation can take as its pushed tail: every operator that
/// turns each row into rows without seeing the others. (`SKIP`, `LIMIT` and `DISTINCT` keep
/// counts across rows, which one pusher per aggregation would share, and are pulled.)
fn feeds_aggregate(op: &Op) -> bool {
    super::parallel::per_row(op)
}

/// True for the operators that can push their rows to the result: every operator that turns
/// each row into rows without seeing the others, and `SKIP`, `LIMIT`, `DISTINCT`, which keep a
/// count or a set. Aggregations, sorts and writes need all their input first, and are pulled.
fn feeds_output(op: &Op) -> bool {
    super::parallel::per_row(op) || matches!(op, Op::Distinct { .. } | Op::Skip(_) | Op::Limit(_))
}

/// How many operators at the end of `ops` can push their rows into an aggregation.
pub(crate) fn pushable_tail(ops: &[Op]) -> usize {
    ops.iter()
        .rev()
        .take(MAX_PUSHED)
        .take_while(|op| feeds_aggregate(op))
        .count()
}

/// `ops` cut before its pushable tail.
pub(crate) fn split_tail(ops: &[Op]) -> (&[Op], &[Op]) {
    ops.split_at(ops.len() - pushable_tail(ops))
}

/// `ops` cut before the operators at its end that can push their rows to the result.
pub(crate) fn output_tail(ops: &[Op]) -> (&[Op], &[Op]) {
    let n = ops
        .iter()
        .rev()
        .take(MAX_PUSHED)
        .take_while(|op| feeds_output(op))
        .count();
    ops.split_at(ops.len() - n)
}

/// The slots of a pushed tail that the sink may move its values out of: those the last
/// projection wrote, when only operators that read a row before passing it on come after it.
/// The projection puts its slots back when the sink returns, so nothing sees them moved.
pub(crate) fn movable_slots(ops: &[Op]) -> &[(usize, crate::query::plan::Expr)] {
    for op in ops.iter().rev() {
        match op {
            Op::Project { items, .. } => return items,
            Op::Distinct { .. } | Op::Skip(_) | Op::Limit(_) | Op::Filter(_) | Op::DistinctRels { .. } => {}
            _ => return &[],
        }
    }
    &[]
}

/// The slot of an `UNWIND` that is the last loop of `ops` (only filters and uniqueness checks
/// after it): each row a sink gets holds the item it just wrote, which it writes over with the
/// next item before anything reads the buffer again. So a sink may move that value out.
pub(crate) fn unwound_slot(ops: &[Op]) -> Option<usize> {
    match ops
        .iter()
        .rev()
        .find(|op| !matches!(op, Op::Filter(_) | Op::DistinctRels { .. }))
    {
        Some(Op::Unwind { slot, .. }) => Some(*slot),
        _ => None,
    }
}

/// The state of one push run: the counts of its `SKIP`s and `LIMIT`s and the keys its
/// `DISTINCT`s have seen (by position in the operators), and the values projections have
/// taken out of the buffer, to put back.
pub(crate) struct Pusher<'p> {
    ops: &'p [Op],
    counts: Vec<(usize, usize)>,
    seen: Vec<(usize, HashSet<GroupKey, aggregate::FastHash>)>,
    /// The rows the DISTINCT sets hold, counted against the budgets.
    held: super::budget::Tally,
    saved: Saved,
}

/// How many values projections keep aside without allocating.
const INLINE_SAVED: usize = 8;

/// A stack of values: the first few in place, the rest on the heap. A short query's
/// projection then allocates nothing.
#[derive(Default)]
struct Saved {
    /// Not dropped as a whole: `Drop` empties the stack first, which leaves every value here
    /// `Null`, with nothing to free. (The drop glue of eight values was a twentieth of a
    /// point lookup, run for every push run, and a MERGE's match is one per row.)
    inline: std::mem::ManuallyDrop<[Value; INLINE_SAVED]>,
    len: usize,
    spill: Vec<Value>,
}

impl Drop for Saved {
    fn drop(&mut self) {
        self.truncate(0);
    }
}

impl Saved {
    fn len(&self) -> usize {
        self.len
    }

    fn push(&mut self, v: Value) {
        match self.inline.get_mut(self.len) {
            Some(slot) => *slot = v,
            None => self.spill.push(v),
        }
        self.len += 1;
    }

    fn get_mut(&mut self, i: usize) -> Option<&mut Value> {
        if i >= self.len {
            return None;
        }
        match self.inline.get_mut(i) {
            Some(v) => Some(v),
            None => self.spill.get_mut(i - INLINE_SAVED),
        }
    }

    /// Drops the values from position `n` on.
    fn truncate(&mut self, n: usize) {
        for v in self.inline.iter_mut().take(self.len).skip(n) {
            *v = Value::Null;
        }
        self.spill.truncate(n.saturating_sub(INLINE_SAVED));
        self.len = self.len.min(n);
    }
}

impl<'p> Pusher<'p> {
    /// A run of `ops`. The counts of `SKIP` and `LIMIT` are evaluated now, in order, as the
    /// pulled chain evaluates them when it is built.
    pub(crate) fn new(ctx: &Ctx<'_>, ops: &'p [Op]) -> ExecResult<Pusher<'p>> {
        let mut counts = Vec::new();
        let mut failed = None;
        for (i, op) in ops.iter().enumerate() {
            let n = match op {
                Op::Skip(e) => count_arg(ctx, e, "SKIP"),
                Op::Limit(e) => count_arg(ctx, e, "LIMIT"),
                _ => continue,
            };
            // The pulled chain fails with the error of the last operator that failed (its
            // iterator is the outermost); keep going to find it.
            match n {
                Ok(n) => counts.push((i, n)),
                Err(e) => failed = Some(e),
            }
        }
        if let Some(e) = failed {
            return Err(e);
        }
        Ok(Pusher {
            ops,
            counts,
            seen: Vec::new(),
            held: super::budget::Tally::new("DISTINCT"),
            saved: Saved::default(),
        })
    }

    /// True if a `LIMIT 0` means no row can come out: nothing before it need run.
    pub(crate) fn is_empty(&self) -> bool {
        self.counts
            .iter()
            .any(|(i, n)| *n == 0 && matches!(self.ops.get(*i), Some(Op::Limit(_))))
    }

    fn count(&mut self, at: usize) -> Option<&mut usize> {
        self.counts.iter_mut().find(|(i, _)| *i == at).map(|(_, n)| n)
    }

    fn seen(&mut self, at: usize) -> &mut HashSet<GroupKey, aggregate::FastHash> {
        let i = match self.seen.iter().position(|(i, _)| *i == at) {
            Some(i) => i,
            None => {
                // Room for a few dozen rows at once: growing from empty rehashed four times
                // before the sixteenth distinct row.
                self.seen
                    .push((at, HashSet::with_capacity_and_hasher(16, Default::default())));
                self.seen.len() - 1
            }
        };
        &mut self.seen[i].1
    }
}

/// Where a pushed row ends: it may read the buffer, or take values out of the slots
/// `movable_slots` names.
pub(crate) type Sink<'s> = dyn FnMut(&mut Row) -> ExecResult<Flow> + 's;

impl Ctx<'_> {
    /// Runs the operators of `p` from position `at` over `row`, handing each resulting row to
    /// `sink`. A small dispatcher: each operator's loop is a function of its own, so a short
    /// query touches only the code and the stack of the operators it has.
    pub(crate) fn push_from(
        &self,
        p: &mut Pusher<'_>,
        mut at: usize,
        row: &mut Row,
        sink: &mut Sink<'_>,
    ) -> ExecResult<Flow> {
        // The operators that only keep or drop the row run in this loop, not a call each.
        let op = loop {
            let Some(op) = p.ops.get(at) else {
                return sink(row);
            };
            match op {
                Op::Filter(pred) => {
                    self.tick()?;
                    if !self.truthy(pred, row)? {
                        return Ok(Flow::More);
                    }
                }
                Op::DistinctRels { rels, lists } => {
                    if !distinct_rels(row, rels, lists) {
                        return Ok(Flow::More);
                    }
                }
                _ => break op,
            }
            at += 1;
        };
        let next = at + 1;
        match op {
            Op::Filter(_) | Op::DistinctRels { .. } => Err(not_pushable(op)),
            Op::Expand { .. } => self.push_expand(p, op, next, row, sink),
            Op::RelScan { scan, expand } if self.use_rel_scan(scan) => {
                let range = 0..self.rel_scan_bound(expand);
                self.rel_scan_each(scan, expand, row, range, &mut |row| {
                    self.push_from(p, next, row, sink)
                })
            }
            Op::NodeScan { slot, start, check } => self.push_scan(p, next, *slot, start, check, row, sink),
            Op::Project { items, clear } => self.push_project(p, next, items, clear, row, sink),
            Op::Unwind { expr, slot } => self.push_unwind(p, next, expr, *slot, row, sink),
            Op::BuildPath { slot, parts } => {
                let path = self.build_path(row, parts)?;
                set_slot(row, *slot, path);
                self.push_from(p, next, row, sink)
            }
            Op::Distinct { slots } => {
                let value = |s: &usize| row.get(*s).cloned().unwrap_or_default();
                // One column (`RETURN DISTINCT p.name`): its key held inline, no allocation.
                let key = match slots.as_slice() {
                    [one] => GroupKey::one(value(one)),
                    _ => GroupKey::new(slots.iter().map(value).collect()),
                };
                let bytes = super::budget::row_bytes(key.values());
                if p.seen(at).insert(key) {
                    p.held.row(self.budget, bytes)?;
                    return self.push_from(p, next, row, sink);
                }
                Ok(Flow::More)
            }
            Op::Skip(_) => match p.count(at) {
                Some(n) if *n > 0 => {
                    *n -= 1;
                    Ok(Flow::More)
                }
                _ => self.push_from(p, next, row, sink),
            },
            Op::Limit(_) => {
                let Some(n) = p.count(at) else {
                    return Err(not_pushable(op));
                };
                if *n == 0 {
                    return Ok(Flow::Stop);
                }
                *n -= 1;
                let last = *n == 0;
                let flow = self.push_from(p, next, row, sink)?;
                Ok(if last { Flow::Stop } else { flow })
            }
            // Path searches, OPTIONAL MATCH and a relationship scan that runs as a node scan
            // and an expand: this operator's rows for this row are pulled, then pushed on.
            Op::RelScan { .. } | Op::VarExpand { .. } | Op::ShortestPath { .. } | Op::Optional { .. } => {
                self.push_pulled(p, op, next, row, sink)
            }
            Op::Aggregate { .. }
            | Op::Sort { .. }
            | Op::TopK { .. }
            | Op::ProcCall { .. }
            | Op::SubCall(_)
            | Op::Foreach { .. }
            | Op::Schema(_)
            | Op::Create(_)
            | Op::Merge(_)
            | Op::Set(_)
            | Op::Remove(_)
            | Op::Delete { .. } => Err(not_pushable(op)),
        }
    }

    /// An expand pushed: each accepted relationship and the node it reaches, written into
    /// the buffer.
    #[inline(never)]
    fn push_expand(
        &self,
        p: &mut Pusher<'_>,
        op: &Op,
        next: usize,
        row: &mut Row,
        sink: &mut Sink<'_>,
    ) -> ExecResult<Flow> {
        let Some(step) = ExpandStep::of(self, op, row) else {
            return Ok(Flow::More);
        };
        for (r, other, ty) in self.graph.expand(step.start, step.dir) {
            self.tick()?;
            if step.accepts(self, r, other, ty, row)? {
                step.bind(row, r, other);
                if self.push_from(p, next, row, sink)? == Flow::Stop {
                    return Ok(Flow::Stop);
                }
            }
        }
        Ok(Flow::More)
    }

    /// A projection pushed: the values are all computed, then swapped into their slots; the
    /// old values wait in `saved` and go back, in reverse order, when the rows after return.
    #[inline(never)]
    fn push_project(
        &self,
        p: &mut Pusher<'_>,
        next: usize,
        items: &[(usize, crate::query::plan::Expr)],
        clear: &[usize],
        row: &mut Row,
        sink: &mut Sink<'_>,
    ) -> ExecResult<Flow> {
        self.tick()?;
        let base = p.saved.len();
        for (_, e) in items {
            match self.eval(e, row) {
                Ok(v) => p.saved.push(v),
                Err(e) => {
                    p.saved.truncate(base);
                    return Err(e);
                }
            }
        }
        // As pulled: the cleared slots are emptied, then the new values stored.
        for s in clear {
            let old = std::mem::take(slot_mut(row, *s));
            p.saved.push(old);
        }
        for (i, (s, _)) in items.iter().enumerate() {
            if let Some(v) = p.saved.get_mut(base + i) {
                std::mem::swap(slot_mut(row, *s), v);
            }
        }
        let flow = self.push_from(p, next, row, sink);
        for (i, (s, _)) in items.iter().enumerate().rev() {
            if let Some(v) = p.saved.get_mut(base + i) {
                std::mem::swap(slot_mut(row, *s), v);
            }
        }
        for (j, s) in clear.iter().enumerate().rev() {
            if let Some(v) = p.saved.get_mut(base + items.len() + j) {
                *slot_mut(row, *s) = std::mem::take(v);
            }
        }
        p.saved.truncate(base);
        flow
    }

    /// An UNWIND pushed: each item of the list in the slot.
    #[inline(never)]
    fn push_unwind(
        &self,
        p: &mut Pusher<'_>,
        next: usize,
        expr: &crate::query::plan::Expr,
        slot: usize,
        row: &mut Row,
        sink: &mut Sink<'_>,
    ) -> ExecResult<Flow> {
        for v in self.unwind_items(expr, row)? {
            self.tick()?;
            set_slot(row, slot, v);
            if self.push_from(p, next, row, sink)? == Flow::Stop {
                return Ok(Flow::Stop);
            }
        }
        Ok(Flow::More)
    }

    /// An operator pulled for one row, its rows pushed on.
    #[inline(never)]
    fn push_pulled(
        &self,
        p: &mut Pusher<'_>,
        op: &Op,
        next: usize,
        row: &mut Row,
        sink: &mut Sink<'_>,
    ) -> ExecResult<Flow> {
        for pulled in self.read(std::slice::from_ref(op), one_row(row.clone())) {
            let mut pulled = pulled?;
            if self.push_from(p, next, &mut pulled, sink)? == Flow::Stop {
                return Ok(Flow::Stop);
            }
        }
        Ok(Flow::More)
    }

    /// A node scan pushed: each start node that passes `check`, written into `slot`.
    #[allow(clippy::too_many_arguments)]
    #[inline(never)]
    fn push_scan(
        &self,
        p: &mut Pusher<'_>,
        next: usize,
        slot: usize,
        start: &Start,
        check: &NodeCheck,
        row: &mut Row,
        sink: &mut Sink<'_>,
    ) -> ExecResult<Flow> {
        let candidates: &[NodeId] = match start {
            Start::Bound => {
                return match row.get(slot) {
                    Some(Value::Node(id)) if self.check_node(*id, check, row)? => {
                        self.push_from(p, next, row, sink)
                    }
                    _ => Ok(Flow::More),
                };
            }
            Start::Label(None) => &[],
            Start::Label(Some(l)) => {
                return self.push_nodes(
                    p,
                    next,
                    slot,
                    check,
                    self.graph.label_nodes(*l).iter().copied(),
                    row,
                    sink,
                )
            }
            Start::All => return self.push_nodes(p, next, slot, check, self.graph.nodes(), row, sink),
            Start::PropSeek(label, key, e) => {
                let v = self.eval_ref(e, row)?;
                match self.graph.index_seek(*label, *key, &v) {
                    Some(ids) => return self.push_nodes(p, next, slot, check, ids.into_iter(), row, sink),
                    None => {
                        let nodes = self.graph.label_nodes(*label).iter().copied();
                        return self.push_nodes(p, next, slot, check, nodes, row, sink);
                    }
                }
            }
            Start::NameSeek(e, fallback) => {
                let v = self.eval_ref(e, row)?;
                // The index holds only strings that stay non-empty once normalised; the
                // checks after the scan decide for anything else.
                let mut buf = [0; 64];
                let key = v
                    .as_str()
                    .map(|t| crate::graph::names::normalized_in(t, &mut buf))
                    .unwrap_or_default();
                match fallback {
                    _ if !key.is_empty() => self.graph.lookup_normalized(&key),
                    None => return self.push_nodes(p, next, slot, check, self.graph.nodes(), row, sink),
                    Some(None) => &[],
                    Some(Some(l)) => {
                        let nodes = self.graph.label_nodes(*l).iter().copied();
                        return self.push_nodes(p, next, slot, check, nodes, row, sink);
                    }
                }
            }
        };
        self.push_nodes(p, next, slot, check, candidates.iter().copied(), row, sink)
    }

    /// Pushes each of `nodes` that passes `check`, written into `slot`.
    #[allow(clippy::too_many_arguments)]
    fn push_nodes(
        &self,
        p: &mut Pusher<'_>,
        next: usize,
        slot: usize,
        check: &NodeCheck,
        nodes: impl Iterator<Item = NodeId>,
        row: &mut Row,
        sink: &mut Sink<'_>,
    ) -> ExecResult<Flow> {
        for id in nodes {
            self.tick()?;
            if self.check_node(id, check, row)? {
                super::eval::set_node_slot(row, slot, id);
                if self.push_from(p, next, row, sink)? == Flow::Stop {
                    return Ok(Flow::Stop);
                }
            }
        }
        Ok(Flow::More)
    }
}

/// The slot `s` of `row`, which grows to hold it.
fn slot_mut(row: &mut Row, s: usize) -> &mut Value {
    if row.len() <= s {
        row.resize(s + 1, Value::Null);
    }
    &mut row[s]
}

fn not_pushable(op: &Op) -> ExecError {
    ExecError::new(
        ExecKind::Semantic,
        format!("internal error: {} cannot run push-style", op.name()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::Graph;
    use crate::query::exec::Limits;
    use crate::query::plan::{CmpOp, Expr};

    fn ints(xs: &[i64]) -> Expr {
        Expr::Const(Value::List(xs.iter().map(|x| Value::Int(*x)).collect()))
    }

    /// Runs `ops` over one empty row of width 3, push-style; the first slot of each row.
    fn pushed(ops: &[Op]) -> ExecResult<Vec<Value>> {
        let graph = Graph::new();
        let params = Default::default();
        let limits = Limits::default();
        let budget = super::super::budget::Budget::new(&limits);
        let steps = std::cell::Cell::new(0);
        let ctx = Ctx::new(&graph, &params, &budget, &steps, 3, None);
        let mut p = Pusher::new(&ctx, ops)?;
        let mut out = Vec::new();
        let mut row = vec![Value::Null; 3];
        ctx.push_from(&mut p, 0, &mut row, &mut |row| {
            out.push(row[0].clone());
            Ok(Flow::More)
        })?;
        Ok(out)
    }

    #[test]
    fn saved_values_spill_past_the_inline_ones_and_truncate() {
        let mut saved = Saved::default();
        for i in 0..12 {
            saved.push(Value::Int(i));
        }
        assert_eq!(saved.len(), 12);
        assert_eq!(saved.get_mut(3).cloned(), Some(Value::Int(3)));
        assert_eq!(saved.get_mut(10).cloned(), Some(Value::Int(10)));
        assert_eq!(saved.get_mut(12), None);
        saved.truncate(9);
        assert_eq!((saved.len(), saved.spill.len()), (9, 1));
        saved.truncate(2);
        assert_eq!((saved.len(), saved.spill.len()), (2, 0));
        assert_eq!(saved.inline[2], Value::Null);
        assert_eq!(saved.get_mut(2), None);
        saved.push(Value::Int(7));
        assert_eq!(saved.get_mut(2).cloned(), Some(Value::Int(7)));
    }

    #[test]
    fn dropped_saved_values_are_freed_in_place_and_spilled() {
        let text: std::sync::Arc<str> = std::sync::Arc::from("kept");
        let mut saved = Saved::default();
        for _ in 0..INLINE_SAVED + 2 {
            saved.push(Value::String(text.clone()));
        }
        assert_eq!(std::sync::Arc::strong_count(&text), INLINE_SAVED + 3);
        drop(saved);
        assert_eq!(std::sync::Arc::strong_count(&text), 1);
    }

    #[test]
    fn a_projection_puts_back_what_it_overwrote_for_the_loops_before_it() {
        // UNWIND [1, 2] AS s0 UNWIND [10, 20] AS s1 WHERE s0 < 5, then s0 := s1. The WHERE of
        // the second pass of the inner loop must see s0 as the outer loop set it.
        let filter = Op::Filter(Expr::Cmp(
            CmpOp::Lt,
            Box::new(Expr::Slot(0)),
            Box::new(Expr::Const(Value::Int(5))),
        ));
        // UNWIND [1, 2] AS s0 UNWIND [10, 20] AS s1.
        let loops = || {
            [
                Op::Unwind {
                    expr: ints(&[1, 2]),
                    slot: 0,
                },
                Op::Unwind {
                    expr: ints(&[10, 20]),
                    slot: 1,
                },
            ]
        };
        let [outer, inner] = loops();
        let ops = [
            outer,
            inner,
            filter.clone(),
            Op::Project {
                items: vec![(0, Expr::Slot(1))],
                clear: vec![],
            },
        ];
        let want: Vec<Value> = [10, 20, 10, 20].into_iter().map(Value::Int).collect();
        assert_eq!(pushed(&ops).ok(), Some(want.clone()));
        // The same with a projection that clears s0 and writes another slot first.
        let [outer, inner] = loops();
        let ops = [
            outer,
            inner,
            filter,
            Op::Project {
                items: vec![(2, Expr::Slot(1))],
                clear: vec![0],
            },
            Op::Project {
                items: vec![(0, Expr::Slot(2))],
                clear: vec![],
            },
        ];
        assert_eq!(pushed(&ops).ok(), Some(want));
    }

    #[test]
    fn the_tail_is_the_run_of_expands_and_filters_at_the_end() {
        let filter = || Op::Filter(Expr::Const(Value::Bool(true)));
        let distinct = || Op::DistinctRels {
            rels: vec![],
            lists: vec![],
        };
        let limit = || Op::Limit(Expr::Const(Value::Int(1)));
        assert_eq!(pushable_tail(&[limit(), filter(), distinct()]), 2);
        assert_eq!(pushable_tail(&[filter(), limit()]), 0);
        assert_eq!(pushable_tail(&[]), 0);
        let many: Vec<Op> = (0..40).map(|_| filter()).collect();
        assert_eq!(pushable_tail(&many), MAX_PUSHED);
    }

    #[test]
    fn the_output_tail_stops_at_the_last_operator_that_needs_all_its_input() {
        let filter = || Op::Filter(Expr::Const(Value::Bool(true)));
        let limit = || Op::Limit(Expr::Const(Value::Int(1)));
        let sort = || Op::Sort { keys: vec![] };
        let ops = [filter(), sort(), limit(), filter()];
        let (head, tail) = output_tail(&ops);
        assert_eq!((head.len(), tail.len()), (2, 2));
        let many: Vec<Op> = (0..40).map(|_| filter()).collect();
        assert_eq!(output_tail(&many).1.len(), MAX_PUSHED);
    }

    #[test]
    fn a_sub_plan_over_an_owned_row_gives_it_back_as_it_was() {
        // Two nodes; the sub-plan binds each into slot 1 and then drops it, or keeps it.
        let mut graph = Graph::new();
        for _ in 0..2 {
            graph
                .add_node(&["N"], [("x", 1)])
                .unwrap_or_else(|e| panic!("{e}"));
        }
        let params = Default::default();
        let limits = Limits::default();
        let budget = super::super::budget::Budget::new(&limits);
        let steps = std::cell::Cell::new(0);
        let ctx = Ctx::new(&graph, &params, &budget, &steps, 3, None);
        let plan = |keep: bool| crate::query::plan::Pipeline {
            ops: vec![
                Op::NodeScan {
                    slot: 1,
                    start: Start::All,
                    check: NodeCheck::default(),
                },
                Op::Filter(Expr::Const(Value::Bool(keep))),
            ],
        };
        let row = vec![Value::Int(7), Value::Null];
        match ctx.sub_rows_owned(&plan(false), row.clone()) {
            Ok(super::super::SubRows::None(back)) => assert_eq!(back, row),
            Ok(super::super::SubRows::Found(out)) => panic!("found {out:?}"),
            Err(e) => panic!("{e:?}"),
        }
        // Both nodes found: each row is the given one with slot 1 bound, the two differ.
        match ctx.sub_rows_owned(&plan(true), row.clone()) {
            Ok(super::super::SubRows::Found(out)) => {
                assert_eq!(out.len(), 2);
                assert!(out
                    .iter()
                    .all(|r| r.len() == 2 && r[0] == Value::Int(7) && matches!(r[1], Value::Node(_))));
                assert_ne!(out[0][1], out[1][1]);
            }
            Ok(super::super::SubRows::None(_)) => panic!("found nothing"),
            Err(e) => panic!("{e:?}"),
        }
        // A sub-plan that binds a slot past the row's end: the rows found grow to hold it.
        let past = crate::query::plan::Pipeline {
            ops: vec![Op::NodeScan {
                slot: 3,
                start: Start::All,
                check: NodeCheck::default(),
            }],
        };
        match ctx.sub_rows_owned(&past, row.clone()) {
            Ok(super::super::SubRows::Found(out)) => {
                assert_eq!(out.len(), 2);
                assert!(out.iter().all(|r| r.len() == 4
                    && r[..3] == [Value::Int(7), Value::Null, Value::Null]
                    && matches!(r[3], Value::Node(_))));
                assert_ne!(out[0][3], out[1][3]);
            }
            Ok(super::super::SubRows::None(_)) => panic!("found nothing"),
            Err(e) => panic!("{e:?}"),
        }
    }

    #[test]
    fn only_the_item_of_a_last_unwind_may_be_moved() {
        let unwind = |slot| Op::Unwind {
            expr: Expr::Const(Value::Null),
            slot,
        };
        let filter = || Op::Filter(Expr::Const(Value::Bool(true)));
        assert_eq!(unwound_slot(&[unwind(1), unwind(2), filter()]), Some(2));
        // Anything but checks after it: not moved (a projection may have written its slot).
        let project = Op::Project {
            items: vec![(3, Expr::Slot(2))],
            clear: vec![],
        };
        assert_eq!(unwound_slot(&[unwind(2), project]), None);
        assert_eq!(unwound_slot(&[filter()]), None);
        assert_eq!(unwound_slot(&[]), None);
    }

    #[test]
    fn only_the_last_projection_s_slots_may_be_moved() {
        let project = |slot| Op::Project {
            items: vec![(slot, Expr::Const(Value::Int(1)))],
            clear: vec![],
        };
        let limit = || Op::Limit(Expr::Const(Value::Int(1)));
        let unwind = || Op::Unwind {
            expr: Expr::Const(Value::Null),
            slot: 3,
        };
        assert_eq!(
            movable_slots(&[project(1), project(2), limit()])
                .first()
                .map(|i| i.0),
            Some(2)
        );
        assert!(movable_slots(&[project(1), unwind()]).is_empty());
        assert!(movable_slots(&[]).is_empty());
    }
}
