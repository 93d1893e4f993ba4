//! The database handle: many threads share one graph; readers see a committed state for their
//! whole life; one writer at a time changes it in transactions of several statements.
//!
//! Design (see ARCHITECTURE.md, "Transactions"): the committed state is an `Arc<Graph>`.
//! A reader clones that `Arc` (a lock held for a pointer copy) and reads its graph without any
//! further synchronisation: a commit never changes a graph a reader holds. The writer works on
//! a second copy of the graph, its *spare*, which equals the committed state when a transaction
//! begins; the graph's journal records every change. A commit publishes the spare as the new
//! committed state (a pointer swap) and takes the old state back as the next spare, replaying
//! the transaction's records on it, so a commit costs what the transaction changed. If a
//! reader still holds the old state, the commit does not wait for it: the old state is
//! retired, and a later transaction catches it up from the records once its readers are gone,
//! or, if every older state is still held when a transaction begins, copies the committed
//! graph (the one case where a write costs the size of the graph).
//!
//! Invariants:
//! - `committed` is only ever replaced whole, under its lock, by a commit.
//! - The writer's spare, when present and not in a transaction, equals `committed`; a retired
//!   state of version `v` becomes equal to `committed` after the logs of versions `v+1..` are
//!   replayed on it in order.
//! - A transaction that ends without a commit (rollback, drop, panic) undoes its records, so
//!   its copy equals `committed` again.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Arc, Mutex, MutexGuard};

mod durable;
mod import;
mod verify;

use crate::graph::journal::{Mark, Redo};
use crate::graph::Graph;
use crate::query::error::QueryError;
use crate::query::{QueryResult, ReadQuery, WriteQuery};
use crate::{CancelHandle, Error, Params};
pub use durable::{DbError, DbOptions, Durability, Recovery, BATCH_BYTES, DEFAULT_CHECKPOINT_BYTES};
pub use verify::Verified;

/// A transaction's deadline and cancel handle, which each of its statements observes beside
/// its own, and the procedures its statements may call (the database's when it began).
#[derive(Clone, Debug, Default)]
pub(crate) struct Stop {
    pub(crate) deadline: Option<std::time::Instant>,
    pub(crate) cancel: Option<CancelHandle>,
    pub(crate) procedures: crate::query::procedures::Procedures,
}

impl Stop {
    fn set_deadline(&mut self, at: std::time::Instant) {
        self.deadline = Some(at);
    }

    fn set_timeout(&mut self, limit: std::time::Duration) {
        if let Some(at) = std::time::Instant::now().checked_add(limit) {
            self.set_deadline(at);
        }
    }

    fn handle(&mut self) -> CancelHandle {
        self.cancel.get_or_insert_with(CancelHandle::new).clone()
    }
}

/// A graph shared by many threads, with snapshot readers and one writer at a time.
///
/// Cloning the handle is cheap; every clone names the same database.
///
/// ```
/// use kgraph::{Database, Value};
/// let db = Database::new();
/// let mut tx = db.write();
/// tx.execute("CREATE (:Company {name: 'Pfizer'})").run()?;
/// tx.execute("CREATE (:Company {name: 'Roche'})").run()?;
/// tx.commit()?;
/// let r = db.read().query("MATCH (c:Company) RETURN count(*) AS n").run()?;
/// assert_eq!(r.get(0, "n"), Some(&Value::Int(2)));
/// # Ok::<_, kgraph::Error>(())
/// ```
#[derive(Clone, Default)]
pub struct Database {
    shared: Arc<Shared>,
}

#[derive(Default)]
struct Shared {
    /// The committed state readers start from.
    committed: Mutex<Arc<Graph>>,
    /// The writer's side; held by a write transaction for its whole life (and, for a
    /// moment, by a batched database's background thread catching the spare up).
    writer: Arc<Mutex<Writer>>,
    /// The directory and its log, for a database opened from a directory.
    durable: Option<Box<durable::Durable>>,
    /// The procedures that the statements of transactions begun from now on may call.
    procedures: Mutex<crate::query::procedures::Procedures>,
}

/// What the writer keeps between transactions.
#[derive(Default)]
struct Writer {
    /// The number of the last commit.
    version: u64,
    /// A copy equal to the committed state, free for the next transaction.
    spare: Option<Graph>,
    /// Earlier committed states still held by readers, with their versions.
    retired: Vec<(u64, Arc<Graph>)>,
    /// The records of the commits after the oldest retired state: (version it made, records).
    logs: VecDeque<(u64, Arc<Redo>)>,
    /// The thread that brings the old state up to date after a commit, off the committing
    /// thread's path; started by the first commit that needs it.
    replayer: Option<Replayer>,
    /// True while the replayer holds the next spare (the last commit's old state).
    replaying: bool,
    /// The last commit's old state and records, not yet replayed: a database in the batched
    /// mode leaves a small commit's catch-up to its background thread, or to the next
    /// transaction if that begins first.
    deferred: Option<(Graph, Redo)>,
    /// Whether small commits defer their catch-up (see `deferred`).
    defers: bool,
}

/// The replay thread's two ends: jobs in, caught-up copies out (in order, one per job).
struct Replayer {
    jobs: mpsc::Sender<(Graph, Redo)>,
    done: mpsc::Receiver<Option<Graph>>,
}

impl Writer {
    /// The spare copy, waiting for the replayer if it holds it; `None` if there is none (or
    /// its replay failed).
    fn take_spare(&mut self) -> Option<Graph> {
        if let Some(g) = self.spare.take() {
            return Some(g);
        }
        if self.deferred.is_some() {
            self.catch_up_deferred();
            return self.spare.take();
        }
        if std::mem::take(&mut self.replaying) {
            return self.replayer.as_ref().and_then(|r| r.done.recv().ok().flatten());
        }
        None
    }

    /// Forgets the spare, also one the replayer is making, keeping its results in step.
    fn drop_spare(&mut self) {
        self.deferred = None;
        drop(self.take_spare());
    }

    /// Replays a deferred commit on its old state, which becomes the spare.
    fn catch_up_deferred(&mut self) {
        if let Some((mut g, redo)) = self.deferred.take()
            && g.redo_owned(redo).is_ok()
        {
            self.spare = Some(g);
        }
    }

    /// Brings `old` up to date with `redo` on the replay thread, or here if it cannot be
    /// started; the result is the next spare.
    fn replay(&mut self, old: Graph, redo: Redo) {
        if redo.changes.len() <= INLINE_REPLAY_CHANGES {
            if self.defers {
                self.deferred = Some((old, redo));
                return;
            }
            // A small commit is caught up here: cheaper than waking the replay thread.
            let mut g = old;
            if g.redo_owned(redo).is_ok() {
                self.spare = Some(g);
            }
            return;
        }
        if self.replayer.is_none() {
            self.replayer = start_replayer();
        }
        let sent = match &self.replayer {
            Some(r) => r.jobs.send((old, redo)).map_err(|e| e.0),
            None => Err((old, redo)),
        };
        match sent {
            Ok(()) => self.replaying = true,
            Err((mut g, redo)) => {
                // No replay thread: catch up here.
                self.replayer = None;
                if g.redo_owned(redo).is_ok() {
                    self.spare = Some(g);
                }
            }
        }
    }
}

/// A commit of at most this many changes catches the old state up on the committing thread:
/// waking the replay thread and waiting for it at the next `write` costs more (several
/// microseconds) than replaying a few changes (tens of nanoseconds each).
const INLINE_REPLAY_CHANGES: usize = 64;

/// Starts the replay thread; it ends when its job queue is dropped with the database.
fn start_replayer() -> Option<Replayer> {
    let (jobs, inbox) = mpsc::channel::<(Graph, Redo)>();
    let (outbox, done) = mpsc::channel::<Option<Graph>>();
    std::thread::Builder::new()
        .name("kgraph-replay".into())
        .spawn(move || {
            for (mut g, redo) in inbox {
                let caught_up = g.redo_owned(redo).is_ok().then_some(g);
                if outbox.send(caught_up).is_err() {
                    return;
                }
            }
        })
        .ok()?;
    Some(Replayer { jobs, done })
}

impl std::fmt::Debug for Database {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let g = self.read();
        f.debug_struct("Database")
            .field("nodes", &g.node_count())
            .field("relationships", &g.relationship_count())
            .finish()
    }
}

/// Numbers transactions, so a journal is known to be the one its transaction began.
static TXN_NUMBERS: AtomicU64 = AtomicU64::new(1);

impl Database {
    /// An empty database in memory.
    ///
    /// ```
    /// assert_eq!(kgraph::Database::new().read().node_count(), 0);
    /// ```
    pub fn new() -> Database {
        Database::default()
    }

    /// A database whose first committed state is `graph`.
    ///
    /// ```
    /// let db = kgraph::Database::from_graph(kgraph::Graph::ecosystem()?);
    /// assert!(db.read().resolve("阿斯利康").is_ok());
    /// # Ok::<_, kgraph::Error>(())
    /// ```
    pub fn from_graph(graph: Graph) -> Database {
        Database {
            shared: Arc::new(Shared {
                committed: Mutex::new(Arc::new(graph)),
                writer: Arc::default(),
                durable: None,
                procedures: Mutex::default(),
            }),
        }
    }

    fn with_durable(graph: Graph, durable: durable::Durable) -> Database {
        let spare = graph.clone();
        Database {
            shared: Arc::new(Shared {
                committed: Mutex::new(Arc::new(graph)),
                writer: Arc::new(Mutex::new(Writer {
                    spare: Some(spare),
                    ..Writer::default()
                })),
                durable: Some(Box::new(durable)),
                procedures: Mutex::default(),
            }),
        }
    }

    /// A read transaction: the committed state as of now, for as long as it is kept. It never
    /// waits for a writer, and no writer waits for it.
    ///
    /// ```
    /// let db = kgraph::Database::new();
    /// let before = db.read();
    /// db.execute("CREATE (:A)")?;
    /// assert_eq!(before.node_count(), 0);
    /// assert_eq!(db.read().node_count(), 1);
    /// # Ok::<_, kgraph::Error>(())
    /// ```
    pub fn read(&self) -> ReadTxn {
        ReadTxn {
            graph: lock(&self.shared.committed).clone(),
            stop: self.stop(),
        }
    }

    /// A new transaction's stop conditions: none yet, and the database's procedures.
    fn stop(&self) -> Stop {
        Stop {
            procedures: lock(&self.shared.procedures).clone(),
            ..Stop::default()
        }
    }

    /// Sets the procedures (besides the built-ins) that `CALL` may run in the statements of
    /// the transactions begun from now on; a transaction already open keeps those it began
    /// with.
    ///
    /// ```
    /// use kgraph::{Database, Procedure, Procedures, Value};
    /// let db = Database::new();
    /// let mut procs = Procedures::new();
    /// procs.register(Procedure::new("my.one() :: (one :: INTEGER)", |_, _| Ok(vec![vec![Value::Int(1)]]))?);
    /// db.set_procedures(procs);
    /// let r = db.read().query("CALL my.one() YIELD one RETURN one").run()?;
    /// assert_eq!(r.get(0, "one"), Some(&Value::Int(1)));
    /// # Ok::<_, kgraph::Error>(())
    /// ```
    pub fn set_procedures(&self, procedures: crate::query::procedures::Procedures) {
        *lock(&self.shared.procedures) = procedures;
    }

    /// The procedures set with [`set_procedures`](Self::set_procedures).
    ///
    /// ```
    /// assert!(kgraph::Database::new().procedures().is_empty());
    /// ```
    pub fn procedures(&self) -> crate::query::procedures::Procedures {
        lock(&self.shared.procedures).clone()
    }

    /// A write transaction; waits while another one is open.
    ///
    /// ```
    /// let db = kgraph::Database::new();
    /// let mut tx = db.write();
    /// tx.execute("CREATE (:A {x: 1})").run()?;
    /// assert_eq!(tx.graph().node_count(), 1);
    /// assert_eq!(db.read().node_count(), 0);
    /// tx.commit()?;
    /// assert_eq!(db.read().node_count(), 1);
    /// # Ok::<_, kgraph::Error>(())
    /// ```
    pub fn write(&self) -> WriteTxn<'_> {
        self.begin(lock(&self.shared.writer))
    }

    /// A write transaction if none is open, else `None` at once (also, for the few
    /// microseconds it takes, while a database in the [`Durability::Batched`] mode catches the
    /// writer's copy up with the last commit on its background thread).
    ///
    /// ```
    /// let db = kgraph::Database::new();
    /// let tx = db.write();
    /// assert!(db.try_write().is_none());
    /// drop(tx);
    /// assert!(db.try_write().is_some());
    /// ```
    pub fn try_write(&self) -> Option<WriteTxn<'_>> {
        let guard = match self.shared.writer.try_lock() {
            Ok(g) => g,
            Err(std::sync::TryLockError::Poisoned(p)) => p.into_inner(),
            Err(std::sync::TryLockError::WouldBlock) => return None,
        };
        Some(self.begin(guard))
    }

    /// Runs one statement in a transaction of its own and commits it.
    ///
    /// ```
    /// let db = kgraph::Database::new();
    /// let r = db.execute("CREATE (n:A) RETURN id(n) AS id")?;
    /// assert_eq!(r.len(), 1);
    /// # Ok::<_, kgraph::Error>(())
    /// ```
    pub fn execute(&self, text: &str) -> Result<QueryResult, Error> {
        self.execute_with(text, &Params::new())
    }

    /// [`Database::execute`] with parameters.
    ///
    /// ```
    /// let db = kgraph::Database::new();
    /// db.execute_with("CREATE (:A {x: $x})", &kgraph::Params::new().with("x", 1))?;
    /// # Ok::<_, kgraph::Error>(())
    /// ```
    pub fn execute_with(&self, text: &str, params: &Params) -> Result<QueryResult, Error> {
        let mut tx = self.write();
        let r = tx.execute(text).params(params.clone()).run()?;
        tx.commit()?;
        Ok(r)
    }

    /// Runs a script of statements separated by `;` in one transaction: all of them, or, if
    /// one fails, none. Returns each statement's result.
    ///
    /// ```
    /// let db = kgraph::Database::new();
    /// let results = db.execute_script("CREATE (:A); CREATE (:B); MATCH (n) RETURN count(n) AS n", &kgraph::Params::new())?;
    /// assert_eq!(results.len(), 3);
    /// assert!(db.execute_script("CREATE (:C); RETURN 1/0", &kgraph::Params::new()).is_err());
    /// assert_eq!(db.read().node_count(), 2);
    /// # Ok::<_, kgraph::Error>(())
    /// ```
    pub fn execute_script(&self, script: &str, params: &Params) -> Result<Vec<QueryResult>, Error> {
        let mut tx = self.write();
        let results = tx.execute_script(script, params)?;
        tx.commit()?;
        Ok(results)
    }

    fn begin<'db>(&'db self, mut writer: MutexGuard<'db, Writer>) -> WriteTxn<'db> {
        let mut graph = match writer.take_spare() {
            Some(g) => g,
            None => self.catch_up(&mut writer),
        };
        let number = TXN_NUMBERS.fetch_add(1, Ordering::Relaxed);
        let start = graph.journal_begin_owned(number);
        WriteTxn {
            db: self,
            writer: Some(writer),
            graph: Some(graph),
            number,
            start,
            stop: self.stop(),
        }
    }

    /// A copy equal to the committed state: a retired state whose readers are gone, brought
    /// up to date from the logs, or else a clone of the committed graph.
    fn catch_up(&self, writer: &mut Writer) -> Graph {
        // Free retired states, newest first (fewest records to replay).
        let mut copy = None;
        let retired = std::mem::take(&mut writer.retired);
        for (version, state) in retired.into_iter().rev() {
            match Arc::try_unwrap(state) {
                Ok(g) if copy.is_none() => copy = Some((version, g)),
                Ok(_) => {} // another free copy: dropped
                Err(held) => writer.retired.push((version, held)),
            }
        }
        writer.retired.reverse();
        let replayed = copy.and_then(|(version, mut g)| {
            for (v, redo) in &writer.logs {
                if *v > version && g.redo(redo).is_err() {
                    return None;
                }
            }
            Some(g)
        });
        writer.prune_logs();
        match replayed {
            Some(g) => g,
            None => lock(&self.shared.committed).as_ref().clone(),
        }
    }
}

impl Writer {
    /// Drops the logs no retired state needs.
    fn prune_logs(&mut self) {
        let oldest = self.retired.iter().map(|(v, _)| *v).min();
        match oldest {
            None => self.logs.clear(),
            Some(oldest) => {
                while self.logs.front().is_some_and(|(v, _)| *v <= oldest) {
                    self.logs.pop_front();
                }
            }
        }
    }
}

/// Locks a mutex, taking it over if a thread panicked while holding it: every holder keeps
/// the data consistent at each step (a transaction undoes itself when dropped, also while
/// unwinding), so the data behind a poisoned lock is sound.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// A read transaction: one committed state, unchanged for as long as it is kept. It derefs to
/// the [`Graph`], so every read method and petgraph's algorithms work on it.
///
/// ```
/// let db = kgraph::Database::from_graph(kgraph::Graph::ecosystem()?);
/// let snapshot = db.read();
/// let r = snapshot.query("MATCH (c:Company) RETURN count(*) AS n").run()?;
/// assert!(r.get(0, "n").and_then(|v| v.as_int()).unwrap_or(0) > 0);
/// # Ok::<_, kgraph::Error>(())
/// ```
#[derive(Clone)]
pub struct ReadTxn {
    graph: Arc<Graph>,
    stop: Stop,
}

impl ReadTxn {
    /// The committed state this transaction reads.
    ///
    /// ```
    /// let db = kgraph::Database::new();
    /// assert_eq!(db.read().graph().node_count(), 0);
    /// ```
    pub fn graph(&self) -> &Graph {
        &self.graph
    }

    /// A read-only query on this transaction's state.
    ///
    /// ```
    /// let db = kgraph::Database::new();
    /// let tx = db.read();
    /// assert_eq!(tx.query("RETURN 1 AS x").run()?.len(), 1);
    /// # Ok::<_, kgraph::QueryError>(())
    /// ```
    pub fn query<'t>(&'t self, text: &'t str) -> ReadQuery<'t> {
        self.graph.query(text).in_txn(&self.stop)
    }

    /// A run of a prepared statement on this transaction's state (with the transaction's
    /// deadline and cancel handle).
    ///
    /// ```
    /// let db = kgraph::Database::from_graph(kgraph::Graph::ecosystem()?);
    /// let stmt = kgraph::Prepared::new("MATCH (c:Company {name: $name}) RETURN c.country AS country")?;
    /// let tx = db.read();
    /// let r = tx.query_prepared(&stmt).param("name", "Pfizer").run()?;
    /// assert_eq!(r.row(0).unwrap().get::<String>("country")?, "US");
    /// # Ok::<_, kgraph::Error>(())
    /// ```
    pub fn query_prepared<'t>(&'t self, stmt: &'t crate::Prepared) -> ReadQuery<'t> {
        stmt.query(&self.graph).in_txn(&self.stop)
    }

    /// Gives every later query of this transaction a deadline `limit` from now (beside its
    /// own: the earlier one wins).
    ///
    /// ```
    /// let mut tx = kgraph::Database::new().read();
    /// tx.set_timeout(std::time::Duration::ZERO);
    /// let err = tx.query("UNWIND range(1, 100000) AS x RETURN count(*) AS n").run().unwrap_err();
    /// assert!(matches!(err, kgraph::QueryError::Runtime { kind: kgraph::RuntimeKind::Timeout, .. }));
    /// ```
    pub fn set_timeout(&mut self, limit: std::time::Duration) {
        self.stop.set_timeout(limit);
    }

    /// Gives every later query of this transaction the deadline `at` (beside its own).
    ///
    /// ```
    /// let mut tx = kgraph::Database::new().read();
    /// tx.set_deadline(std::time::Instant::now() + std::time::Duration::from_secs(5));
    /// assert!(tx.query("RETURN 1 AS x").run().is_ok());
    /// ```
    pub fn set_deadline(&mut self, at: std::time::Instant) {
        self.stop.set_deadline(at);
    }

    /// The transaction's cancel handle (made on the first call): cancelling it, from any
    /// thread, stops every query of the transaction, running or later.
    ///
    /// ```
    /// let mut tx = kgraph::Database::new().read();
    /// tx.cancel_handle().cancel();
    /// assert!(tx.query("UNWIND [1] AS x RETURN x").run().is_err());
    /// ```
    pub fn cancel_handle(&mut self) -> CancelHandle {
        self.stop.handle()
    }
}

impl std::ops::Deref for ReadTxn {
    type Target = Graph;
    fn deref(&self) -> &Graph {
        &self.graph
    }
}

/// A write transaction: statements run one after another on the writer's copy, each atomic;
/// [`commit`](WriteTxn::commit) publishes them all at once, [`rollback`](WriteTxn::rollback) or
/// dropping the transaction uncommitted (also while a panic unwinds) undoes them all.
///
/// ```
/// let db = kgraph::Database::new();
/// {
///     let mut tx = db.write();
///     tx.execute("CREATE (:A)").run()?;
///     // dropped without commit: undone
/// }
/// assert_eq!(db.read().node_count(), 0);
/// # Ok::<_, kgraph::QueryError>(())
/// ```
pub struct WriteTxn<'db> {
    db: &'db Database,
    /// The writer lock; `None` once the transaction has ended.
    writer: Option<MutexGuard<'db, Writer>>,
    /// The writer's copy; `None` once the transaction has ended.
    graph: Option<Graph>,
    number: u64,
    start: Mark,
    stop: Stop,
}

impl WriteTxn<'_> {
    /// A statement in this transaction; it sees the transaction's earlier writes. If it fails,
    /// only what it did is undone and the transaction goes on.
    ///
    /// ```
    /// let db = kgraph::Database::new();
    /// let mut tx = db.write();
    /// tx.execute("CREATE (:A)").run()?;
    /// assert!(tx.execute("CREATE (:B {x: 1/0})").run().is_err());
    /// tx.commit()?;
    /// assert_eq!(db.read().node_count(), 1);
    /// # Ok::<_, kgraph::Error>(())
    /// ```
    pub fn execute<'t>(&'t mut self, text: &'t str) -> WriteQuery<'t> {
        let stop = self.stop.clone();
        self.graph_mut().execute(text).in_txn(&stop)
    }

    /// Gives every later statement of this transaction a deadline `limit` from now (beside
    /// its own: the earlier one wins). A statement stopped by it is undone; the transaction
    /// goes on.
    ///
    /// ```
    /// let db = kgraph::Database::new();
    /// let mut tx = db.write();
    /// tx.execute("UNWIND range(1, 100) AS i CREATE (:A {i: i})").run()?;
    /// tx.set_timeout(std::time::Duration::ZERO);
    /// let err = tx.execute("MATCH (a), (b), (c) CREATE (:B)").run().unwrap_err();
    /// assert!(matches!(err, kgraph::QueryError::Runtime { kind: kgraph::RuntimeKind::Timeout, .. }));
    /// assert_eq!(tx.graph().node_count(), 100);
    /// # Ok::<_, kgraph::QueryError>(())
    /// ```
    pub fn set_timeout(&mut self, limit: std::time::Duration) {
        self.stop.set_timeout(limit);
    }

    /// Gives every later statement of this transaction the deadline `at` (beside its own).
    ///
    /// ```
    /// let db = kgraph::Database::new();
    /// let mut tx = db.write();
    /// tx.set_deadline(std::time::Instant::now() + std::time::Duration::from_secs(5));
    /// assert!(tx.execute("CREATE (:A)").run().is_ok());
    /// ```
    pub fn set_deadline(&mut self, at: std::time::Instant) {
        self.stop.set_deadline(at);
    }

    /// The transaction's cancel handle (made on the first call): cancelling it, from any
    /// thread, stops the running statement and every later one (each is undone).
    ///
    /// ```
    /// let db = kgraph::Database::new();
    /// let mut tx = db.write();
    /// let h = tx.cancel_handle();
    /// h.cancel();
    /// assert!(tx.execute("UNWIND [1, 2] AS i CREATE (:A)").run().is_err());
    /// assert_eq!(tx.graph().node_count(), 0);
    /// ```
    pub fn cancel_handle(&mut self) -> CancelHandle {
        self.stop.handle()
    }

    /// A read-only query that sees the transaction's writes.
    ///
    /// ```
    /// let db = kgraph::Database::new();
    /// let mut tx = db.write();
    /// tx.execute("CREATE (:A)").run()?;
    /// assert_eq!(tx.query("MATCH (n) RETURN n").run()?.len(), 1);
    /// # Ok::<_, kgraph::QueryError>(())
    /// ```
    pub fn query<'t>(&'t self, text: &'t str) -> ReadQuery<'t> {
        self.graph().query(text).in_txn(&self.stop)
    }

    /// A read-only run of a prepared statement that sees the transaction's writes.
    ///
    /// ```
    /// let db = kgraph::Database::new();
    /// let stmt = kgraph::Prepared::new("MATCH (n:A) RETURN count(n) AS n")?;
    /// let mut tx = db.write();
    /// tx.execute("CREATE (:A)").run()?;
    /// assert_eq!(tx.query_prepared(&stmt).run()?.row(0).unwrap().get::<i64>("n")?, 1);
    /// # Ok::<_, kgraph::Error>(())
    /// ```
    pub fn query_prepared<'t>(&'t self, stmt: &'t crate::Prepared) -> ReadQuery<'t> {
        stmt.query(self.graph()).in_txn(&self.stop)
    }

    /// A run of a prepared statement that may write, in this transaction.
    ///
    /// ```
    /// let db = kgraph::Database::new();
    /// let stmt = kgraph::Prepared::new("CREATE (:Company {name: $name})")?;
    /// let mut tx = db.write();
    /// for name in ["A", "B"] {
    ///     tx.execute_prepared(&stmt).param("name", name).run()?;
    /// }
    /// tx.commit()?;
    /// assert_eq!(db.read().node_count(), 2);
    /// # Ok::<_, kgraph::Error>(())
    /// ```
    pub fn execute_prepared<'t>(&'t mut self, stmt: &'t crate::Prepared) -> WriteQuery<'t> {
        let stop = self.stop.clone();
        stmt.execute(self.graph_mut()).in_txn(&stop)
    }

    /// Runs a script of statements separated by `;`, in order, with the same parameters; if
    /// one fails, what the script did is undone (the transaction's earlier work stays) and
    /// the error names the failing statement's line and column in the script.
    ///
    /// ```
    /// let db = kgraph::Database::new();
    /// let mut tx = db.write();
    /// let err = tx.execute_script("CREATE (:A);\nCREATE (:B {x: $p / 0})", &kgraph::Params::new().with("p", 1)).unwrap_err();
    /// assert_eq!(err.line(), Some(2));
    /// assert_eq!(tx.graph().node_count(), 0);
    /// ```
    pub fn execute_script(&mut self, script: &str, params: &Params) -> Result<Vec<QueryResult>, QueryError> {
        let statements = crate::query::split_script(script)?;
        let stop = self.stop.clone();
        let graph = self.graph_mut();
        let mark = graph.journal_mark_now();
        let mut results = Vec::with_capacity(statements.len());
        for (offset, text) in statements {
            match graph.execute(text).params(params.clone()).in_txn(&stop).run() {
                Ok(r) => results.push(r),
                Err(e) => {
                    graph.rollback_to(mark);
                    return Err(e.shifted(script, offset));
                }
            }
        }
        Ok(results)
    }

    /// The transaction's state, with its writes so far.
    ///
    /// ```
    /// let db = kgraph::Database::new();
    /// let mut tx = db.write();
    /// tx.graph_mut().add_node(&["A"], [("k", 1)])?;
    /// assert_eq!(tx.graph().node_count(), 1);
    /// # Ok::<_, kgraph::GraphError>(())
    /// ```
    pub fn graph(&self) -> &Graph {
        // `graph` is `Some` until the transaction ends, which consumes or drops it.
        self.graph.as_ref().unwrap_or(&EMPTY)
    }

    /// The transaction's state, for the Rust mutation API; every change made through it is
    /// part of the transaction.
    ///
    /// ```
    /// let db = kgraph::Database::new();
    /// let mut tx = db.write();
    /// let n = tx.graph_mut().add_node(&["A"], [("name", "a")])?;
    /// tx.commit()?;
    /// assert_eq!(db.read().resolve("a")?, n);
    /// # Ok::<_, kgraph::Error>(())
    /// ```
    pub fn graph_mut(&mut self) -> &mut Graph {
        self.graph.get_or_insert_with(Graph::new)
    }

    /// Publishes the transaction's writes to new readers, at once and all together. It does
    /// not wait for readers of the old state. On a database opened from a directory, the
    /// commit is first written to the log (and synced, in the default mode); if that fails,
    /// the transaction is rolled back and the error returned.
    ///
    /// ```
    /// let db = kgraph::Database::new();
    /// let mut tx = db.write();
    /// tx.execute("CREATE (:A)").run()?;
    /// tx.commit()?;
    /// assert_eq!(db.read().node_count(), 1);
    /// # Ok::<_, kgraph::Error>(())
    /// ```
    pub fn commit(mut self) -> Result<(), DbError> {
        let (Some(mut writer), Some(mut graph)) = (self.writer.take(), self.graph.take()) else {
            return Ok(());
        };
        // The records are the transaction's own only if its journal is still the one it
        // began (a caller may have swapped the graph through `graph_mut`).
        let ours = graph.journal_owner() == Some(self.number);
        if ours && graph.journal_view().is_empty() {
            // Nothing changed: the committed state stays, and the copy stays spare.
            graph.journal_end();
            writer.spare = Some(graph);
            return Ok(());
        }
        if let Some(d) = self.db.shared.durable.as_deref() {
            let logged = if ours {
                d.append_commit(&graph)
            } else {
                Err(DbError::Unloggable {
                    reason: "the transaction's graph was replaced through graph_mut; use Database::replace"
                        .into(),
                })
            };
            if let Err(e) = logged {
                if ours {
                    graph.rollback_to(self.start);
                    graph.journal_end();
                    writer.spare = Some(graph);
                }
                return Err(e);
            }
        }
        let redo = graph.journal_end();
        let new = Arc::new(graph);
        let old = std::mem::replace(&mut *lock(&self.db.shared.committed), new);
        let old_version = writer.version;
        writer.version += 1;
        let version = writer.version;
        if !ours {
            // No records to catch the old state up with: let its readers keep it alone, and
            // forget the retired states the missing records would have caught up.
            writer.retired.clear();
            writer.logs.clear();
            return Ok(());
        }
        let old = match Arc::try_unwrap(old) {
            Ok(g) => Some(g),
            Err(held) => {
                writer.retired.push((old_version, held));
                None
            }
        };
        // Every retired state needs this commit's records to catch up; if none does, the
        // records move into the old state, on the replay thread, so that the commit returns
        // without waiting for it (the next transaction waits, if it begins first).
        if writer.retired.is_empty() {
            if let Some(g) = old {
                writer.replay(g, redo);
            }
        } else {
            if let Some(Ok(g)) = old.map(|mut g| g.redo(&redo).map(|()| g)) {
                writer.spare = Some(g);
            }
            writer.logs.push_back((version, Arc::new(redo)));
        }
        drop(writer);
        self.db.maybe_checkpoint();
        Ok(())
    }

    /// Undoes every write of the transaction.
    ///
    /// ```
    /// let db = kgraph::Database::new();
    /// let mut tx = db.write();
    /// tx.execute("CREATE (:A)").run()?;
    /// tx.rollback();
    /// assert_eq!(db.read().node_count(), 0);
    /// # Ok::<_, kgraph::QueryError>(())
    /// ```
    pub fn rollback(mut self) {
        self.end_uncommitted();
    }

    fn end_uncommitted(&mut self) {
        let (Some(mut writer), Some(mut graph)) = (self.writer.take(), self.graph.take()) else {
            return;
        };
        if graph.journal_owner() == Some(self.number) {
            graph.rollback_to(self.start);
            graph.journal_end();
            writer.spare = Some(graph);
        }
        // Otherwise the copy is not known to equal the committed state: it is dropped, and
        // the next transaction makes another.
    }
}

impl Drop for WriteTxn<'_> {
    fn drop(&mut self) {
        self.end_uncommitted();
    }
}

static EMPTY: std::sync::LazyLock<Graph> = std::sync::LazyLock::new(Graph::new);
