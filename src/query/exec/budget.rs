//! What stops a query: a cancel handle, a deadline, a budget on the memory the operators hold
//! and one on the rows each of them holds.
//!
//! Every operator that loops calls [`Ctx::tick`] once per row, relationship or list item it
//! handles. A tick adds one to a counter local to the `Ctx` (one per thread); the first tick
//! and every [`CANCEL_INTERVAL`] ticks after it also read the cancel flags (a relaxed load
//! each), and the first and every [`CHECK_INTERVAL`] ticks after it the clock. So a cancelled
//! query stops within `CANCEL_INTERVAL` ticks, and one past its deadline within
//! `CHECK_INTERVAL` ticks.
//!
//! Memory is an estimate ([`value_bytes`]) of the values that sorts, aggregation groups,
//! `collect`, DISTINCT sets and materialised rows hold. Each holder keeps a [`Held`] that
//! counts locally and adds its count to the query's shared counter (an atomic, shared by the
//! threads of a parallel aggregation) every 64 KiB or `CHECK_INTERVAL` rows, and takes it back
//! when dropped.

use std::cell::Cell;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

use super::error::{ExecError, ExecKind, ExecResult};
use super::{Ctx, Limits};
use crate::graph::Value;

/// Ticks between two readings of the clock, and the most rows a holder counts before it adds
/// them to the shared memory counter.
pub(crate) const CHECK_INTERVAL: u64 = 1024;

/// Ticks between two readings of the cancel flags: a tick between them is an increment and
/// a compare.
pub(crate) const CANCEL_INTERVAL: u64 = 64;

/// The bytes a holder counts locally before it adds them to the shared counter.
const FLUSH_BYTES: u64 = 64 << 10;

/// The default memory budget: 2 GiB of held values, estimated.
pub(crate) const DEFAULT_MAX_MEMORY: u64 = 2 << 30;

/// The default row budget of each operator that holds rows.
pub(crate) const DEFAULT_MAX_ROWS: usize = 10_000_000;

/// A handle that stops the queries it is given to, from any thread.
///
/// ```
/// use kgraph::{CancelHandle, Graph, RuntimeKind, QueryError};
/// let g = Graph::new();
/// let handle = CancelHandle::new();
/// handle.cancel();
/// let err = g.query("UNWIND range(1, 10) AS x RETURN x").cancel_handle(&handle).run().unwrap_err();
/// assert!(matches!(err, QueryError::Runtime { kind: RuntimeKind::Cancelled, .. }));
/// assert_eq!(err.kind_name(), "LimitExceeded");
/// ```
#[derive(Clone, Debug, Default)]
pub struct CancelHandle(Arc<AtomicBool>);

impl CancelHandle {
    /// A handle not yet cancelled.
    ///
    /// ```
    /// assert!(!kgraph::CancelHandle::new().is_cancelled());
    /// ```
    pub fn new() -> CancelHandle {
        CancelHandle::default()
    }

    /// Stops every query running with this handle (and every later one): each ends with a
    /// `RuntimeKind::Cancelled` error at its next check, and a write is undone. A handle
    /// stays cancelled.
    ///
    /// ```
    /// let h = kgraph::CancelHandle::new();
    /// let other = h.clone();
    /// std::thread::spawn(move || other.cancel()).join().unwrap();
    /// assert!(h.is_cancelled());
    /// ```
    pub fn cancel(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    /// True once `cancel` was called on this handle or a clone of it.
    ///
    /// ```
    /// let h = kgraph::CancelHandle::new();
    /// h.cancel();
    /// assert!(h.is_cancelled());
    /// ```
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

/// The state of one statement's budgets shared by every `Ctx` that runs it (the threads of a
/// parallel aggregation too).
pub(crate) struct Budget<'l> {
    pub(crate) limits: &'l Limits,
    /// Estimated bytes the holders have added so far (and not taken back).
    memory: AtomicU64,
    /// Relationships followed by variable-length and shortest-path searches so far.
    pub(crate) expansions: AtomicU64,
    /// When the statement started, in nanoseconds since 1970-01-01T00:00Z: the statement and
    /// transaction clocks of the temporal functions.
    pub(crate) now: i128,
    /// The counters of a `PROFILE` run; `None` for a plain run (see `profile.rs`).
    pub(crate) profile: Option<&'l super::profile::Profiler>,
}

impl<'l> Budget<'l> {
    pub(crate) fn new(limits: &'l Limits) -> Budget<'l> {
        Budget::profiled(limits, None)
    }

    /// A budget whose operators report to `profile` (if any).
    pub(crate) fn profiled(limits: &'l Limits, profile: Option<&'l super::profile::Profiler>) -> Budget<'l> {
        Budget {
            limits,
            memory: AtomicU64::new(0),
            expansions: AtomicU64::new(0),
            now: super::clock_now(),
            profile,
        }
    }

    /// True if a cancel handle of the statement was cancelled.
    #[inline]
    fn cancelled(&self) -> bool {
        self.limits
            .cancel
            .iter()
            .any(|c| c.as_ref().is_some_and(CancelHandle::is_cancelled))
    }

    /// The error for a query whose memory budget is spent.
    fn memory_error(&self, total: u64) -> ExecError {
        ExecError::new(
            ExecKind::MemoryLimit,
            format!(
                "the query would hold about {total} bytes of values (sorts, groups, collect, DISTINCT, \
                 materialised rows), more than its memory budget of {} bytes; raise it with max_memory()",
                self.limits.max_memory
            ),
        )
    }

    /// An error if `bytes` more (a list about to be built) would not fit in the memory budget
    /// beside what is held.
    pub(crate) fn check_transient(&self, bytes: u64) -> ExecResult<()> {
        let total = self.memory.load(Ordering::Relaxed).saturating_add(bytes);
        if total > self.limits.max_memory {
            return Err(self.memory_error(total));
        }
        Ok(())
    }
}

impl Budget<'_> {
    /// Counts one step on the counter `steps` of one thread (see `Ctx::tick`).
    #[inline]
    pub(crate) fn tick(&self, steps: &Cell<u64>) -> ExecResult<()> {
        let n = steps.get().wrapping_add(1);
        steps.set(n);
        if n % CANCEL_INTERVAL == 1 || n == self.limits.cancel_at_step {
            return self.check(n);
        }
        Ok(())
    }

    /// The slow part of `tick`.
    #[cold]
    #[inline(never)]
    pub(crate) fn check(&self, n: u64) -> ExecResult<()> {
        if n == self.limits.cancel_at_step {
            // A test's stand-in for another thread cancelling at exactly this step.
            if let Some(Some(h)) = self.limits.cancel.first() {
                h.cancel();
            }
        }
        if self.cancelled() {
            return Err(ExecError::new(
                ExecKind::Cancelled,
                format!("the query was cancelled through its CancelHandle (stopped at step {n})"),
            ));
        }
        if let Some(deadline) = self.limits.deadline
            && n % CHECK_INTERVAL == 1
            && Instant::now() >= deadline
        {
            return Err(ExecError::new(
                ExecKind::Timeout,
                format!(
                    "the query ran past its deadline (stopped at step {n}); \
                         give it more time with timeout() or deadline()"
                ),
            ));
        }
        Ok(())
    }
}

impl Ctx<'_> {
    /// Counts one step of a loop (a row, a relationship, a list item); an error if the query
    /// was cancelled or, every `CHECK_INTERVAL` steps, if its deadline has passed.
    #[inline]
    pub(crate) fn tick(&self) -> ExecResult<()> {
        // As `Budget::tick`, with the test step read from this thread's `Ctx` rather than
        // through the shared budget and its limits.
        let n = self.steps.get().wrapping_add(1);
        self.steps.set(n);
        if n % CANCEL_INTERVAL == 1 || n == self.cancel_at_step {
            return self.budget.check(n);
        }
        Ok(())
    }

    /// A holder of rows or values, counted against the memory and row budgets.
    pub(crate) fn held(&self, what: &'static str) -> Held<'_> {
        Held {
            budget: self.budget,
            tally: Tally::new(what),
        }
    }

    /// An error if a list of `len` values about to be built would not fit in the memory
    /// budget.
    pub(crate) fn check_list(&self, len: usize) -> ExecResult<()> {
        let bytes = (len as u64).saturating_mul(std::mem::size_of::<Value>() as u64);
        self.budget.check_transient(bytes)
    }

    /// An error if a string of `bytes` about to be built would not fit in the memory budget.
    pub(crate) fn check_text(&self, bytes: usize) -> ExecResult<()> {
        self.budget.check_transient(bytes as u64)
    }

    /// An error if `a + b` would build a string or list that does not fit in the memory
    /// budget: checked before the concatenation, so that a doubling loop
    /// (`reduce(s = 'x', i IN range(1, 64) | s + s)`) stops at the budget instead of
    /// exhausting the memory.
    pub(crate) fn check_concat(&self, a: &Value, b: &Value) -> ExecResult<()> {
        match (a, b) {
            // Deep sizes: `l + [l]` doubles what the list holds at each step, not its length.
            // Walking the lists costs no more than the copy the concatenation makes.
            (Value::List(_), _) | (_, Value::List(_)) => self
                .budget
                .check_transient(value_bytes(a).saturating_add(value_bytes(b)) as u64),
            // A number renders in at most a few dozen bytes.
            (Value::String(x), Value::String(y)) => self.check_text(x.len().saturating_add(y.len())),
            (Value::String(x), _) | (_, Value::String(x)) => self.check_text(x.len().saturating_add(64)),
            _ => Ok(()),
        }
    }
}

/// What one operator holds, counted against the budgets; takes its bytes back when dropped.
pub(crate) struct Held<'b> {
    budget: &'b Budget<'b>,
    tally: Tally,
}

impl Held<'_> {
    /// Counts one more row (or group, or set member) of `bytes`.
    #[inline]
    pub(crate) fn row(&mut self, bytes: usize) -> ExecResult<()> {
        self.tally.row(self.budget, bytes)
    }

    /// Counts `bytes` more, not a row (a value added to a `collect`).
    #[inline]
    pub(crate) fn bytes(&mut self, bytes: usize) -> ExecResult<()> {
        self.tally.bytes(self.budget, bytes)
    }
}

impl Held<'_> {
    /// Stops counting without giving the bytes back: they stay counted against the budget
    /// until another `Held` that `adopt`s the number returned is dropped (the groups of one
    /// part of a parallel or chunked aggregation, merged into the others').
    pub(crate) fn keep(mut self) -> u64 {
        let pending = std::mem::take(&mut self.tally.pending);
        self.budget.memory.fetch_add(pending, Ordering::Relaxed);
        std::mem::take(&mut self.tally.added).saturating_add(pending)
    }

    /// Takes over bytes another `Held` kept: they are given back when this one is dropped.
    pub(crate) fn adopt(&mut self, bytes: u64) {
        self.tally.added = self.tally.added.saturating_add(bytes);
    }

    /// `adopt`s the bytes each part kept; returns the parts' groups.
    pub(crate) fn adopt_parts(
        &mut self,
        parts: Vec<(super::aggregate::Groups, u64)>,
    ) -> Vec<super::aggregate::Groups> {
        parts
            .into_iter()
            .map(|(groups, kept)| {
                self.adopt(kept);
                groups
            })
            .collect()
    }
}

impl Drop for Held<'_> {
    fn drop(&mut self) {
        self.budget.memory.fetch_sub(self.tally.added, Ordering::Relaxed);
    }
}

/// The count behind a `Held`, for a holder that cannot borrow the budget (a pushed DISTINCT,
/// whose set lives as long as the statement): it keeps its bytes until the statement ends.
pub(crate) struct Tally {
    what: &'static str,
    /// Bytes not yet added to the shared counter.
    pending: u64,
    /// Bytes added to the shared counter.
    added: u64,
    rows: u64,
}

impl Tally {
    pub(crate) fn new(what: &'static str) -> Tally {
        Tally {
            what,
            pending: 0,
            added: 0,
            rows: 0,
        }
    }

    /// Counts one more row (or group, or set member) of `bytes`.
    #[inline]
    pub(crate) fn row(&mut self, budget: &Budget<'_>, bytes: usize) -> ExecResult<()> {
        self.rows += 1;
        if self.rows > budget.limits.max_rows as u64 {
            return Err(ExecError::new(
                ExecKind::LimitExceeded,
                format!(
                    "{} would hold more than {} rows; raise the row budget with max_rows()",
                    self.what, budget.limits.max_rows
                ),
            ));
        }
        self.pending = self.pending.saturating_add(bytes as u64);
        if self.pending >= FLUSH_BYTES || self.rows.is_multiple_of(CHECK_INTERVAL) {
            return self.flush(budget);
        }
        Ok(())
    }

    /// Counts `bytes` more, not a row.
    #[inline]
    pub(crate) fn bytes(&mut self, budget: &Budget<'_>, bytes: usize) -> ExecResult<()> {
        self.pending = self.pending.saturating_add(bytes as u64);
        if self.pending >= FLUSH_BYTES {
            return self.flush(budget);
        }
        Ok(())
    }

    /// Adds the pending bytes to the shared counter; an error past the budget.
    fn flush(&mut self, budget: &Budget<'_>) -> ExecResult<()> {
        let add = std::mem::take(&mut self.pending);
        self.added = self.added.saturating_add(add);
        let total = budget
            .memory
            .fetch_add(add, Ordering::Relaxed)
            .saturating_add(add);
        if total > budget.limits.max_memory {
            return Err(budget.memory_error(total));
        }
        Ok(())
    }
}

/// The estimated bytes a value holds: its own slot and what it points to.
pub(crate) fn value_bytes(v: &Value) -> usize {
    const SLOT: usize = std::mem::size_of::<Value>();
    match v {
        Value::String(s) => SLOT + s.len(),
        Value::List(items) => SLOT + items.iter().map(value_bytes).sum::<usize>(),
        Value::Map(m) => {
            SLOT + m
                .iter()
                .map(|(k, v)| k.len() + 2 * SLOT + value_bytes(v))
                .sum::<usize>()
        }
        Value::Path(p) => SLOT + 16 * (2 * p.len() + 1),
        #[allow(unreachable_patterns)]
        _ => SLOT,
    }
}

/// The estimated bytes of a row of values.
pub(crate) fn row_bytes(row: &[Value]) -> usize {
    std::mem::size_of::<Vec<Value>>() + row.iter().map(value_bytes).sum::<usize>()
}
