//! `PROFILE`: counting the rows each operator produces and timing it.
//!
//! A [`Profiler`] is made for one run of one plan and reached through the statement's
//! `Budget` (`budget.profile`), so a plain run carries `None` and pays one branch per pipeline
//! it chains (`Ctx::read`), per write operator and per `UNION` part: never per row.
//!
//! When it is there, `Ctx::read` chains every operator on its own (`Ctx::chain_profiled`: no
//! expand with its filters fused in, no tail pushed into an aggregation, no parallel
//! aggregation; the facade also turns off the output push and sets one thread), and wraps
//! each operator that is a line of the plan (`Plan::lines`) in [`Profiled`], which counts the
//! rows it hands on and brackets each pull with [`Profiler::enter`] / [`Profiler::exit`].
//! Operators that work when they are chained (a sort, an aggregation pulls all its input
//! there) are bracketed there too, as are the write operators (`WriteRun::ops`).
//!
//! Time is exclusive: the profiler keeps the line being run now and the instant of the last
//! switch; each switch (entering an operator, returning from it) charges the time since to the
//! line that was running. Nested pulls form a stack (each `exit` restores what its `enter`
//! replaced), so the time an operator spends pulling from its input is charged to the input.
//! Operators that are not lines of the plan (the pipelines of subquery expressions such as
//! `EXISTS { }`, the two halves of a `RelationshipScan` run apart) are not wrapped: their rows
//! are not counted and their time is their caller's.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::error::ExecResult;
use super::eval::Row;
use super::RowIter;
use crate::query::plan::{LineOf, Op, Plan};
use crate::query::profile::{OperatorProfile, Profile};

/// The line of `ProduceResults`, charged the time outside every operator.
pub(crate) const ROOT: usize = 0;

/// The counters of one profiled run (see the module's documentation).
pub(crate) struct Profiler {
    /// The address of each operator of the plan → its line.
    lines_of_ops: HashMap<usize, usize>,
    /// The line of each `UNION` part, when there are several.
    part_lines: Vec<usize>,
    /// Depth, name and details of each line.
    lines: Vec<(usize, &'static str, String)>,
    start: Instant,
    /// Behind a mutex only so that the statement's `Budget` stays `Sync`: a profiled run has
    /// one thread, so it is never contended.
    state: Mutex<State>,
}

struct State {
    rows: Vec<u64>,
    time: Vec<Duration>,
    /// The line running now.
    current: usize,
    /// When the running line last changed.
    mark: Instant,
}

impl State {
    /// Charges the time since the last switch to the running line; returns now.
    fn charge(&mut self) -> Instant {
        let now = Instant::now();
        if let Some(t) = self.time.get_mut(self.current) {
            *t += now.saturating_duration_since(self.mark);
        }
        self.mark = now;
        now
    }
}

impl Profiler {
    /// Counters for one run of `plan`; its clock starts now.
    pub(crate) fn new(plan: &Plan) -> Profiler {
        let mut lines_of_ops = HashMap::new();
        let mut part_lines = Vec::new();
        let mut lines = Vec::new();
        for (i, line) in plan.lines().into_iter().enumerate() {
            match line.of {
                LineOf::Op(op) => {
                    lines_of_ops.insert(std::ptr::from_ref(op) as usize, i);
                }
                LineOf::Part => part_lines.push(i),
                LineOf::Root => {}
            }
            lines.push((line.depth, line.name, line.detail));
        }
        let n = lines.len();
        let start = Instant::now();
        Profiler {
            lines_of_ops,
            part_lines,
            lines,
            start,
            state: Mutex::new(State {
                rows: vec![0; n],
                time: vec![Duration::ZERO; n],
                current: ROOT,
                mark: start,
            }),
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The line of `op`, if it is an operator of the plan's tree.
    pub(crate) fn line_of(&self, op: &Op) -> Option<usize> {
        self.lines_of_ops.get(&(std::ptr::from_ref(op) as usize)).copied()
    }

    /// The `Union` line of part `part`, if the plan has several.
    pub(crate) fn part_line(&self, part: usize) -> Option<usize> {
        self.part_lines.get(part).copied()
    }

    /// `line` starts running; returns the line it interrupts, for `exit`.
    pub(crate) fn enter(&self, line: usize) -> usize {
        let mut s = self.state();
        s.charge();
        std::mem::replace(&mut s.current, line)
    }

    /// `line` stops running, having produced `rows` rows; `prev` (from `enter`) runs again.
    pub(crate) fn exit(&self, line: usize, prev: usize, rows: u64) {
        let mut s = self.state();
        s.charge();
        if let Some(r) = s.rows.get_mut(line) {
            *r += rows;
        }
        s.current = prev;
    }

    /// The profile of the finished run, which returned `rows` rows.
    pub(crate) fn finish(self, rows: u64) -> Profile {
        let mut s = self
            .state
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let end = s.charge();
        if let Some(r) = s.rows.get_mut(ROOT) {
            *r = rows;
        }
        let operators = self
            .lines
            .into_iter()
            .zip(s.rows)
            .zip(s.time)
            .map(|(((depth, name, detail), rows), time)| OperatorProfile {
                depth,
                operator: name.to_owned(),
                details: detail,
                rows,
                time,
            })
            .collect();
        Profile {
            operators,
            total_time: end.saturating_duration_since(self.start),
        }
    }
}

/// An operator's rows, counted and timed as they are pulled.
pub(crate) struct Profiled<'a> {
    pub(crate) rows: RowIter<'a>,
    pub(crate) profiler: &'a Profiler,
    pub(crate) line: usize,
}

impl Iterator for Profiled<'_> {
    type Item = ExecResult<Row>;

    fn next(&mut self) -> Option<ExecResult<Row>> {
        let prev = self.profiler.enter(self.line);
        let row = self.rows.next();
        self.profiler
            .exit(self.line, prev, u64::from(matches!(row, Some(Ok(_)))));
        row
    }
}
