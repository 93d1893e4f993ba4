//! Durable databases: a directory holding the latest snapshot and a write-ahead log of the
//! commits since (layout in `storage/dir.rs`, log format in `docs/wal-format.md`).
//!
//! A commit appends its records to the log (in the batched mode, to the batch a background
//! thread writes) and, in the default mode, syncs them before it is acknowledged and
//! published; opening replays the log over the snapshot; a checkpoint starts a new generation
//! (an empty log, then a snapshot of the state it starts from) and removes the old one.
//! Lock order: `checkpoint` < `writer` < `committed`, `log` (the last two are never
//! held together with each other).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, TryLockError};
use std::time::{Duration, Instant};

use super::{lock, Database, Shared, Writer};
use crate::graph::Graph;
use crate::storage::dir::{self, DbFs, Entry, LogHandle, StdDbFs};
use crate::storage::{codec, wal, SnapshotError};

/// When a commit's log records reach the disk.
///
/// ```
/// use kgraph::{Database, DbOptions, Durability};
/// let dir = tempfile::tempdir()?;
/// let db = Database::open_with(dir.path(), DbOptions::default().durability(Durability::Periodic(std::time::Duration::from_millis(50))))?;
/// db.execute("CREATE (:A)")?;
/// db.sync()?; // everything committed so far is on disk now
/// # Ok::<_, Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Durability {
    /// Every commit syncs its records (fdatasync) before it returns: an acknowledged commit
    /// survives a crash of the process and of the machine. The default.
    #[default]
    EveryCommit,
    /// A commit returns once its records are written to the operating system; a background
    /// thread syncs the log at most this long after a commit. A crash of the process loses
    /// nothing; a crash of the machine (power loss) can lose the commits of that last interval.
    Periodic(Duration),
    /// Commits are never synced by the database: the operating system writes them back when
    /// it chooses (on Linux, typically within 30 seconds). A crash of the process loses
    /// nothing; a crash of the machine can lose every commit since the last checkpoint or
    /// [`Database::sync`].
    OperatingSystem,
    /// Group commit: a commit returns without touching the disk; its records wait in memory
    /// and a background thread writes and syncs them with the others of the interval, at most
    /// this long after they were committed (a commit that brings the waiting records past
    /// [`BATCH_BYTES`] writes them itself). A crash of the process or of the machine can lose
    /// the commits of that last interval, always whole and always the latest ones (what is
    /// reopened is the state after some earlier commit), and never one committed before a
    /// [`Database::sync`] or checkpoint that returned; dropping the database writes them.
    /// The fastest mode, for data that can be made again.
    ///
    /// ```
    /// use kgraph::{Database, DbOptions, Durability};
    /// let dir = tempfile::tempdir()?;
    /// let every = std::time::Duration::from_millis(20);
    /// let db = Database::open_with(dir.path(), DbOptions::default().durability(Durability::Batched(every)))?;
    /// db.execute("CREATE (:A)")?; // in memory, on disk within 20 ms
    /// db.sync()?; // on disk now
    /// # Ok::<_, Box<dyn std::error::Error>>(())
    /// ```
    Batched(Duration),
}

/// In the [`Durability::Batched`] mode, the commit that brings the records waiting to be
/// written past this many bytes writes them (without a sync), so that a large transaction or
/// a burst of them neither waits in memory nor is lost whole with a crash.
pub const BATCH_BYTES: usize = 1 << 20;

/// The encoding buffers a database keeps between commits, at most (a larger commit's are
/// dropped after it).
const REUSED_BUFFER_BYTES: usize = 64 << 10;

/// How to open a database directory.
///
/// ```
/// use kgraph::{DbOptions, Durability};
/// let options = DbOptions::default().durability(Durability::OperatingSystem).checkpoint_after(64 << 20);
/// # let _ = options;
/// ```
#[derive(Clone, Debug)]
pub struct DbOptions {
    durability: Durability,
    /// A checkpoint starts once the log passes this size and the snapshot's.
    checkpoint_after: u64,
}

impl Default for DbOptions {
    fn default() -> DbOptions {
        DbOptions {
            durability: Durability::EveryCommit,
            checkpoint_after: DEFAULT_CHECKPOINT_BYTES,
        }
    }
}

/// The log size past which a checkpoint starts by itself (and past the snapshot's size).
pub const DEFAULT_CHECKPOINT_BYTES: u64 = 64 << 20;

impl DbOptions {
    /// When commits reach the disk (see [`Durability`]).
    ///
    /// ```
    /// let o = kgraph::DbOptions::default().durability(kgraph::Durability::EveryCommit);
    /// # let _ = o;
    /// ```
    #[must_use]
    pub fn durability(mut self, durability: Durability) -> DbOptions {
        self.durability = durability;
        self
    }

    /// A checkpoint starts by itself, on a background thread, once the log is larger than
    /// both `bytes` and the latest snapshot ([`DEFAULT_CHECKPOINT_BYTES`] by default; `u64::MAX`
    /// turns it off). That thread holds the database open until its checkpoint ends, so a
    /// reopen in the same process just after the last handle is dropped may see
    /// [`DbError::Locked`] for that long.
    ///
    /// ```
    /// let o = kgraph::DbOptions::default().checkpoint_after(u64::MAX);
    /// # let _ = o;
    /// ```
    #[must_use]
    pub fn checkpoint_after(mut self, bytes: u64) -> DbOptions {
        self.checkpoint_after = bytes;
        self
    }
}

/// What went wrong with a database directory.
///
/// ```
/// let dir = tempfile::tempdir()?;
/// let first = kgraph::Database::open(dir.path())?;
/// let second = kgraph::Database::open(dir.path());
/// assert!(matches!(second, Err(kgraph::DbError::Locked { .. })));
/// # drop(first);
/// # Ok::<_, Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DbError {
    /// Another process, or another handle in this one, has the directory open.
    #[error("{} is locked: another process (or handle) has this database open", dir.display())]
    Locked {
        /// The database directory.
        dir: PathBuf,
    },
    /// The file system refused an operation.
    #[error("{action} {}: {source}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// What was being done.
        action: &'static str,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The snapshot could not be written or read.
    #[error(transparent)]
    Snapshot(#[from] SnapshotError),
    /// A log is damaged before its last commit, or the directory's files do not fit together.
    /// [`Database::recover`] opens the database with what precedes the damage.
    #[error("{} is damaged at offset {offset}: {reason} (Database::recover keeps what precedes it)", path.display())]
    Corrupt {
        /// The damaged file.
        path: PathBuf,
        /// Where in it.
        offset: u64,
        /// What is wrong.
        reason: String,
    },
    /// A commit could not be made durable and could not be undone on disk either: the
    /// database refuses further commits until it is opened again.
    #[error("the database refuses commits after a failed write ({reason}); open it again")]
    Failed {
        /// The failure.
        reason: String,
    },
    /// A value in the commit cannot be written to the log.
    #[error("a commit cannot be logged: {reason}")]
    Unloggable {
        /// Why.
        reason: String,
    },
    /// The operation needs a database opened from a directory.
    #[error("{what} needs a database opened from a directory")]
    InMemory {
        /// The operation.
        what: &'static str,
    },
    /// A backup's destination already holds a database.
    #[error("{} already holds a database", dir.display())]
    NotEmpty {
        /// The directory.
        dir: PathBuf,
    },
}

pub(super) fn io<'p>(path: &'p Path, action: &'static str) -> impl FnOnce(std::io::Error) -> DbError + 'p {
    move |source| DbError::Io {
        path: path.to_owned(),
        action,
        source,
    }
}

/// What [`Database::recover`] cut off.
///
/// ```
/// let dir = tempfile::tempdir()?;
/// let (db, report) = kgraph::Database::recover(dir.path(), kgraph::DbOptions::default())?;
/// assert!(report.is_none()); // nothing was damaged
/// # drop(db);
/// # Ok::<_, Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recovery {
    /// The damaged log.
    pub log: PathBuf,
    /// The offset of the damage; the log now ends before the commit it was in.
    pub offset: u64,
    /// What was wrong.
    pub reason: String,
    /// Later logs that were removed (their commits followed the damage).
    pub removed: Vec<PathBuf>,
}

/// The durable side of a database.
pub(super) struct Durable {
    dir: PathBuf,
    fs: Arc<dyn DbFs>,
    options: DbOptions,
    /// Holds the directory's lock while open.
    _lock: std::fs::File,
    /// Shared with the periodic sync thread, which holds nothing else of the database (so the
    /// database, and its directory lock, go when the last handle does).
    log: Arc<Mutex<LogState>>,
    checkpointing: Mutex<()>,
    checkpoint_running: AtomicBool,
    /// Tells the periodic sync thread to stop.
    closing: Arc<AtomicBool>,
    /// The periodic sync thread, woken when the database closes.
    flusher: std::sync::OnceLock<std::thread::Thread>,
}

struct LogState {
    handle: Box<dyn LogHandle>,
    generation: u64,
    /// Bytes of the log that hold whole commits.
    len: u64,
    /// The next commit's sequence number.
    next_sequence: u64,
    /// Written but not synced.
    dirty: bool,
    /// Set when a failed commit could not be cut off the log again.
    failed: Option<String>,
    /// Whole commits encoded but not yet written ([`Durability::Batched`]); the file holds
    /// `len` bytes, these follow.
    pending: Vec<u8>,
    /// The last commit's encoded records (the other modes), kept for its allocation.
    encoded: Vec<u8>,
    /// Where a record is built while a commit is encoded, kept for its allocation.
    scratch: Vec<u8>,
    /// The size of the generation's snapshot, for the checkpoint threshold.
    snapshot_len: u64,
}

impl LogState {
    /// Drops the encoding buffer if a large commit grew it.
    fn shrink_scratch(&mut self) {
        if self.scratch.capacity() > REUSED_BUFFER_BYTES {
            self.scratch = Vec::new();
        }
    }

    /// Writes the waiting commits of the batched mode (none in the other modes) at the end
    /// of the file. If that fails they stay waiting, and what part of them reached the file is
    /// cut off again (if that fails too, the log is failed for good).
    fn write_pending(&mut self) -> std::io::Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        if let Err(e) = self.handle.append(&self.pending) {
            let len = self.len;
            if let Err(t) = self.handle.truncate(len).and_then(|()| self.handle.sync()) {
                self.failed = Some(format!("{e}; cutting the log back failed too: {t}"));
            }
            return Err(e);
        }
        self.len += self.pending.len() as u64;
        self.dirty = true;
        if self.pending.capacity() > 4 * BATCH_BYTES {
            self.pending = Vec::new();
        } else {
            self.pending.clear();
        }
        Ok(())
    }
}

impl Database {
    /// Opens the database in directory `dir`, creating it if needed, with the default options
    /// (every commit synced). Replays the log over the latest snapshot; a torn last commit
    /// (what a crash leaves) is cut off, every complete commit before it is kept.
    ///
    /// ```
    /// let dir = tempfile::tempdir()?;
    /// {
    ///     let db = kgraph::Database::open(dir.path())?;
    ///     db.execute("CREATE (:Company {name: 'Mindray'})")?;
    /// } // closed: the lock is released
    /// let db = kgraph::Database::open(dir.path())?;
    /// assert!(db.read().resolve("mindray").is_ok());
    /// # Ok::<_, Box<dyn std::error::Error>>(())
    /// ```
    pub fn open(dir: impl AsRef<Path>) -> Result<Database, DbError> {
        Database::open_with(dir, DbOptions::default())
    }

    /// [`Database::open`] with options.
    ///
    /// ```
    /// let dir = tempfile::tempdir()?;
    /// let db = kgraph::Database::open_with(dir.path(), kgraph::DbOptions::default().durability(kgraph::Durability::OperatingSystem))?;
    /// # drop(db);
    /// # Ok::<_, Box<dyn std::error::Error>>(())
    /// ```
    pub fn open_with(dir: impl AsRef<Path>, options: DbOptions) -> Result<Database, DbError> {
        open_dir(dir.as_ref(), options, Arc::new(StdDbFs), false).map(|(db, _)| db)
    }

    /// [`Database::open_with`] through the given file-system operations: for fault-injection
    /// tests. Not a stable API.
    #[doc(hidden)]
    pub fn open_with_fs(
        dir: impl AsRef<Path>,
        options: DbOptions,
        fs: Arc<dyn DbFs>,
    ) -> Result<Database, DbError> {
        open_dir(dir.as_ref(), options, fs, false).map(|(db, _)| db)
    }

    /// Opens a database whose log is damaged before its last commit (the error
    /// [`DbError::Corrupt`] of [`Database::open`]): the damaged log is cut before the commit
    /// that holds the damage, later logs are removed, and every commit before the damage is
    /// kept. The report says what was cut (`None`: nothing was damaged).
    ///
    /// ```
    /// let dir = tempfile::tempdir()?;
    /// let (db, report) = kgraph::Database::recover(dir.path(), kgraph::DbOptions::default())?;
    /// assert_eq!(report, None);
    /// # drop(db);
    /// # Ok::<_, Box<dyn std::error::Error>>(())
    /// ```
    pub fn recover(
        dir: impl AsRef<Path>,
        options: DbOptions,
    ) -> Result<(Database, Option<Recovery>), DbError> {
        open_dir(dir.as_ref(), options, Arc::new(StdDbFs), true)
    }

    /// The directory of a database opened from one.
    ///
    /// ```
    /// assert!(kgraph::Database::new().path().is_none());
    /// ```
    pub fn path(&self) -> Option<&Path> {
        self.shared.durable.as_ref().map(|d| d.dir.as_path())
    }

    /// Writes a snapshot of the committed state and starts an empty log. Commits wait only
    /// while the new log is created (a file creation and two syncs), not while the snapshot
    /// is written. A crash at any step loses no commit.
    ///
    /// ```
    /// let dir = tempfile::tempdir()?;
    /// let db = kgraph::Database::open(dir.path())?;
    /// db.execute("CREATE (:A)")?;
    /// db.checkpoint()?;
    /// # Ok::<_, Box<dyn std::error::Error>>(())
    /// ```
    pub fn checkpoint(&self) -> Result<(), DbError> {
        let d = self.durable("a checkpoint")?;
        let _one = lock(&d.checkpointing);
        // Start the new generation and encode the state it starts from while no commit can
        // run. Encoding here, rather than holding the state while commits go on, lets the next
        // commit take the old state back as its spare instead of copying the graph.
        let (generation, path, encoded) = {
            let _writer = lock(&self.shared.writer);
            let state = lock(&self.shared.committed).clone();
            let mut log = lock(&d.log);
            let generation = d.rotate(&mut log)?;
            drop(log);
            let path = dir::path(&d.dir, &dir::snapshot_name(generation));
            let encoded = encode_snapshot(&state, &path)?;
            (generation, path, encoded)
        };
        // Written to disk while commits go on.
        let len = write_snapshot(&*d.fs, &path, &encoded)?;
        drop(encoded);
        lock(&d.log).snapshot_len = len;
        d.remove_before(generation)
    }

    /// Writes and syncs the log now: every commit so far is on disk when it returns (for the
    /// [`Durability::Periodic`], [`Durability::OperatingSystem`] and [`Durability::Batched`]
    /// modes). In the batched mode, a failure leaves the commits waiting for the next try.
    ///
    /// ```
    /// let dir = tempfile::tempdir()?;
    /// let db = kgraph::Database::open(dir.path())?;
    /// db.sync()?;
    /// # Ok::<_, Box<dyn std::error::Error>>(())
    /// ```
    pub fn sync(&self) -> Result<(), DbError> {
        let d = self.durable("a sync")?;
        let mut log = lock(&d.log);
        d.sync_log(&mut log)
    }

    /// Copies a consistent state of the database into `dest` (a new or empty directory), as a
    /// database directory of its own, while commits go on.
    ///
    /// ```
    /// let dir = tempfile::tempdir()?;
    /// let db = kgraph::Database::open(dir.path().join("db"))?;
    /// db.execute("CREATE (:A {name: 'x'})")?;
    /// db.backup(dir.path().join("copy"))?;
    /// let copy = kgraph::Database::open(dir.path().join("copy"))?;
    /// assert!(copy.read().resolve("x").is_ok());
    /// # Ok::<_, Box<dyn std::error::Error>>(())
    /// ```
    pub fn backup(&self, dest: impl AsRef<Path>) -> Result<(), DbError> {
        let dest = dest.as_ref();
        let fs: Arc<dyn DbFs> = match &self.shared.durable {
            Some(d) => d.fs.clone(),
            None => Arc::new(StdDbFs),
        };
        fs.create_dir(dest).map_err(io(dest, "cannot create"))?;
        let names = fs.list(dest).map_err(io(dest, "cannot list"))?;
        if names.iter().any(|n| {
            matches!(
                dir::entry(&n.to_string_lossy()),
                Entry::Snapshot(_) | Entry::Log(_)
            )
        }) {
            return Err(DbError::NotEmpty { dir: dest.to_owned() });
        }
        let state = self.read();
        start_generation(&*fs, dest, 1, state.graph()).map(|_| ())
    }

    /// Replaces the whole content with `graph` (an import), as one commit; on a database
    /// opened from a directory it returns once the new content is durable (a new snapshot
    /// and an empty log). Readers that hold the old state keep it.
    ///
    /// ```
    /// let db = kgraph::Database::new();
    /// db.replace(kgraph::Graph::ecosystem()?)?;
    /// assert!(db.read().node_count() > 250);
    /// # Ok::<_, kgraph::Error>(())
    /// ```
    pub fn replace(&self, graph: Graph) -> Result<(), DbError> {
        let checkpoint = self.shared.durable.as_ref().map(|d| lock(&d.checkpointing));
        let mut writer = lock(&self.shared.writer);
        if let Some(d) = &self.shared.durable {
            let mut log = lock(&d.log);
            d.sync_log(&mut log)?;
            let generation = log.generation + 1;
            let (handle, snapshot_len) = start_generation(&*d.fs, &d.dir, generation, &graph)?;
            log.handle = handle;
            log.generation = generation;
            log.len = wal::HEADER_LEN as u64;
            log.dirty = false;
            log.snapshot_len = snapshot_len;
            drop(log);
            d.remove_before(generation)?;
        }
        drop(checkpoint);
        publish_whole(&self.shared, &mut writer, graph);
        Ok(())
    }

    fn durable(&self, what: &'static str) -> Result<&Durable, DbError> {
        self.shared.durable.as_deref().ok_or(DbError::InMemory { what })
    }

    /// After a commit: starts a checkpoint on a background thread if the log has grown past
    /// the threshold and none is running.
    pub(super) fn maybe_checkpoint(&self) {
        let Some(d) = self.shared.durable.as_deref() else {
            return;
        };
        let due = {
            let log = lock(&d.log);
            log.len + log.pending.len() as u64 > d.options.checkpoint_after.max(log.snapshot_len)
        };
        if due && !d.checkpoint_running.swap(true, Ordering::AcqRel) {
            let db = self.clone();
            let spawned = std::thread::Builder::new()
                .name("kgraph-checkpoint".into())
                .spawn(move || {
                    // A failed checkpoint leaves the old generation in place; the next one
                    // tries again.
                    let _ = db.checkpoint();
                    if let Some(d) = db.shared.durable.as_deref() {
                        d.checkpoint_running.store(false, Ordering::Release);
                    }
                });
            if spawned.is_err() {
                d.checkpoint_running.store(false, Ordering::Release);
            }
        }
    }
}

/// Replaces the committed state by `graph` (under the writer lock), dropping every copy the
/// writer kept of the old one.
fn publish_whole(shared: &Shared, writer: &mut Writer, graph: Graph) {
    let spare = graph.clone();
    writer.drop_spare();
    *lock(&shared.committed) = Arc::new(graph);
    writer.version += 1;
    writer.retired.clear();
    writer.logs.clear();
    writer.spare = Some(spare);
}

/// Writes the snapshot and the empty log of a new generation in `dir` (snapshot first: once it
/// is there, it is the newest and its generation's log may be empty or missing).
fn start_generation(
    fs: &dyn DbFs,
    dir: &Path,
    generation: u64,
    graph: &Graph,
) -> Result<(Box<dyn LogHandle>, u64), DbError> {
    let snap = dir::path(dir, &dir::snapshot_name(generation));
    let len = save_snapshot(fs, graph, &snap)?;
    let handle = create_log(fs, dir, generation)?;
    Ok((handle, len))
}

fn save_snapshot(fs: &dyn DbFs, graph: &Graph, path: &Path) -> Result<u64, DbError> {
    let encoded = encode_snapshot(graph, path)?;
    write_snapshot(fs, path, &encoded)
}

fn encode_snapshot(graph: &Graph, path: &Path) -> Result<codec::Encoded, DbError> {
    Ok(codec::encode(graph).map_err(|reason| SnapshotError::Unencodable {
        path: path.to_owned(),
        reason,
    })?)
}

/// Writes an encoded snapshot crash-safely; returns its size.
fn write_snapshot(fs: &dyn DbFs, path: &Path, encoded: &codec::Encoded) -> Result<u64, DbError> {
    crate::storage::file::write_atomic(&mut *fs.snapshot_fs(), path, encoded)?;
    Ok((encoded.header.len() + encoded.payload.iter().map(Vec::len).sum::<usize>()) as u64)
}

/// Creates the empty log of `generation`: its header, synced, and the directory synced.
fn create_log(fs: &dyn DbFs, dir: &Path, generation: u64) -> Result<Box<dyn LogHandle>, DbError> {
    let path = dir::path(dir, &dir::log_name(generation));
    let mut handle = fs.create(&path).map_err(io(&path, "cannot create the log"))?;
    let made = (|| {
        handle
            .append(&wal::header(generation))
            .map_err(io(&path, "cannot write the log"))?;
        handle.sync().map_err(io(&path, "cannot sync the log"))?;
        fs.sync_dir(dir).map_err(io(dir, "cannot sync the directory"))
    })();
    if let Err(e) = made {
        // Best effort: a log left behind with no commit is removed by the next open anyway.
        drop(handle);
        let _ = fs.remove(&path);
        return Err(e);
    }
    Ok(handle)
}

impl Durable {
    fn log_path(&self, generation: u64) -> PathBuf {
        dir::path(&self.dir, &dir::log_name(generation))
    }

    /// Appends one commit's records (and syncs them, in the default mode). On failure the
    /// log is cut back to where it was, so the commit leaves no trace on disk.
    pub(super) fn append_commit(&self, graph: &Graph) -> Result<(), DbError> {
        let mut log = lock(&self.log);
        if let Some(reason) = &log.failed {
            return Err(DbError::Failed {
                reason: reason.clone(),
            });
        }
        let view = graph.journal_view();
        let commit = wal::CommitView {
            labels: view.labels,
            types: view.types,
            keys: view.keys,
            changes: view.changes,
        };
        let log = &mut *log;
        if let Durability::Batched(_) = self.options.durability {
            return self.batch_commit(log, &commit);
        }
        // Encoded in the log's reused buffers: a small commit allocates nothing.
        let mut bytes = std::mem::take(&mut log.encoded);
        bytes.clear();
        let encoded = wal::encode_commit_into(log.next_sequence, &commit, &mut bytes, &mut log.scratch);
        let result = match encoded {
            Ok(()) => self.write_commit(log, &bytes),
            Err(reason) => Err(DbError::Unloggable { reason }),
        };
        if bytes.capacity() <= REUSED_BUFFER_BYTES {
            log.encoded = bytes;
        }
        log.shrink_scratch();
        result
    }

    /// Appends one commit's records to the log (and syncs them in the default mode); on a
    /// failure, cuts the log back to where it was.
    fn write_commit(&self, log: &mut LogState, bytes: &[u8]) -> Result<(), DbError> {
        // The path is made only for an error: a commit of a few bytes should not allocate it.
        let generation = log.generation;
        let failed = |action| {
            let path = self.log_path(generation);
            move |source| DbError::Io { path, action, source }
        };
        let mut written = log
            .handle
            .append(bytes)
            .map_err(failed("cannot append to the log"));
        if written.is_ok() && self.options.durability == Durability::EveryCommit {
            written = log.handle.sync().map_err(failed("cannot sync the log"));
        }
        if let Err(e) = written {
            let len = log.len;
            let undone = log.handle.truncate(len).and_then(|()| log.handle.sync());
            if let Err(t) = undone {
                log.failed = Some(format!("{e}; cutting the log back failed too: {t}"));
            }
            return Err(e);
        }
        log.len += bytes.len() as u64;
        log.next_sequence += 1;
        log.dirty = self.options.durability != Durability::EveryCommit;
        Ok(())
    }

    /// The batched mode's commit: its records are encoded at the end of the waiting ones,
    /// which it writes itself once they pass [`BATCH_BYTES`]; if that fails, this commit is
    /// taken out again and fails (the earlier ones stay waiting, for the next try).
    fn batch_commit(&self, log: &mut LogState, commit: &wal::CommitView<'_>) -> Result<(), DbError> {
        let before = log.pending.len();
        let encoded = wal::encode_commit_into(log.next_sequence, commit, &mut log.pending, &mut log.scratch);
        log.shrink_scratch();
        encoded.map_err(|reason| DbError::Unloggable { reason })?;
        if log.pending.len() >= BATCH_BYTES
            && let Err(source) = log.write_pending()
        {
            log.pending.truncate(before);
            return Err(DbError::Io {
                path: self.log_path(log.generation),
                action: "cannot append to the log",
                source,
            });
        }
        log.next_sequence += 1;
        Ok(())
    }

    fn sync_log(&self, log: &mut LogState) -> Result<(), DbError> {
        if let Some(reason) = &log.failed {
            return Err(DbError::Failed {
                reason: reason.clone(),
            });
        }
        if let Err(source) = log.write_pending() {
            return Err(DbError::Io {
                path: self.log_path(log.generation),
                action: "cannot append to the log",
                source,
            });
        }
        if log.dirty {
            let path = self.log_path(log.generation);
            log.handle.sync().map_err(io(&path, "cannot sync the log"))?;
            log.dirty = false;
        }
        Ok(())
    }

    /// Ends the current log (synced) and starts the next generation's, empty; returns its
    /// generation.
    fn rotate(&self, log: &mut LogState) -> Result<u64, DbError> {
        self.sync_log(log)?;
        let generation = log.generation + 1;
        log.handle = create_log(&*self.fs, &self.dir, generation)?;
        log.generation = generation;
        log.len = wal::HEADER_LEN as u64;
        log.dirty = false;
        Ok(generation)
    }

    /// Removes the snapshots and logs of generations before `generation`, and the temporary
    /// files of interrupted snapshot saves. Called only where no snapshot is being written
    /// (under `checkpointing`, or while opening): with the directory's lock held, every
    /// temporary file is a leftover.
    fn remove_before(&self, generation: u64) -> Result<(), DbError> {
        let names = self.fs.list(&self.dir).map_err(io(&self.dir, "cannot list"))?;
        let mut removed = false;
        for name in names {
            let name = name.to_string_lossy().into_owned();
            let old = match dir::entry(&name) {
                Entry::Snapshot(g) | Entry::Log(g) => g < generation,
                Entry::Temporary => {
                    // Best effort: a leftover is never read, so failing to remove it is no
                    // reason to fail the checkpoint.
                    let _ = self.fs.remove(&dir::path(&self.dir, &name));
                    false
                }
                _ => false,
            };
            if old {
                let path = dir::path(&self.dir, &name);
                self.fs.remove(&path).map_err(io(&path, "cannot remove"))?;
                removed = true;
            }
        }
        if removed {
            self.fs
                .sync_dir(&self.dir)
                .map_err(io(&self.dir, "cannot sync the directory"))?;
        }
        Ok(())
    }
}

impl Drop for Durable {
    fn drop(&mut self) {
        self.closing.store(true, Ordering::Release);
        if let Some(thread) = self.flusher.get() {
            thread.unpark();
        }
        // Best effort: what the relaxed modes have not written or synced yet.
        if let Ok(mut log) = self.log.lock()
            && log.failed.is_none()
            && log.write_pending().is_ok()
            && log.dirty
        {
            let _ = log.handle.sync();
        }
    }
}

/// Opens (or creates) the database in `dir`. With `recover`, damage before a log's last
/// commit cuts the log there instead of failing.
fn open_dir(
    dir: &Path,
    options: DbOptions,
    fs: Arc<dyn DbFs>,
    recover: bool,
) -> Result<(Database, Option<Recovery>), DbError> {
    fs.create_dir(dir).map_err(io(dir, "cannot create"))?;
    let lock_file = match dir::lock(dir).map_err(io(dir, "cannot lock"))? {
        Some(f) => f,
        None => return Err(DbError::Locked { dir: dir.to_owned() }),
    };
    let mut snapshots = Vec::new();
    let mut logs = Vec::new();
    for name in fs.list(dir).map_err(io(dir, "cannot list"))? {
        let name = name.to_string_lossy().into_owned();
        match dir::entry(&name) {
            Entry::Snapshot(g) => snapshots.push(g),
            Entry::Log(g) => logs.push(g),
            // An interrupted save's temporary file: never read, so it can go.
            Entry::Temporary => {
                let _ = fs.remove(&dir::path(dir, &name));
            }
            Entry::Other => {}
        }
    }
    snapshots.sort_unstable();
    logs.sort_unstable();
    let newest = snapshots.last().copied().unwrap_or(0);
    for path in trailing_empty_logs(&*fs, dir, newest, &mut logs) {
        fs.remove(&path).map_err(io(&path, "cannot remove"))?;
    }
    let mut report = None;
    let oldest_needed = snapshots.last().copied().unwrap_or(1);
    let (graph, state) = match snapshots.last().copied() {
        None if logs.is_empty() => {
            let graph = Graph::new();
            let (handle, snapshot_len) = start_generation(&*fs, dir, 1, &graph)?;
            let state = LogState {
                handle,
                generation: 1,
                len: wal::HEADER_LEN as u64,
                next_sequence: 1,
                dirty: false,
                failed: None,
                pending: Vec::new(),
                encoded: Vec::new(),
                scratch: Vec::new(),
                snapshot_len,
            };
            (graph, state)
        }
        None => {
            let path = dir::path(dir, &dir::log_name(logs[0]));
            return Err(DbError::Corrupt {
                path,
                offset: 0,
                reason: "a log with no snapshot to replay it on".into(),
            });
        }
        Some(k) => {
            let (graph, state, r) = replay(&*fs, dir, k, &logs, recover)?;
            report = r;
            (graph, state)
        }
    };
    let durable = Durable {
        dir: dir.to_owned(),
        fs,
        options: options.clone(),
        _lock: lock_file,
        log: Arc::new(Mutex::new(state)),
        checkpointing: Mutex::new(()),
        checkpoint_running: AtomicBool::new(false),
        closing: Arc::new(AtomicBool::new(false)),
        flusher: std::sync::OnceLock::new(),
    };
    // Generations before the newest snapshot's are left over from a checkpoint that was cut
    // short after its snapshot was written.
    durable.remove_before(oldest_needed)?;
    let db = Database::with_durable(graph, durable);
    if let Durability::Periodic(every) | Durability::Batched(every) = options.durability
        && let Some(d) = db.shared.durable.as_deref()
    {
        let writer = if let Durability::Batched(_) = options.durability {
            lock(&db.shared.writer).defers = true;
            Some(db.shared.writer.clone())
        } else {
            None
        };
        if let Some(thread) = start_flusher(d.log.clone(), d.closing.clone(), every, writer) {
            let _ = d.flusher.set(thread);
        }
    }
    Ok((db, report))
}

/// The logs newer than the newest snapshot (`newest`) that hold no commit, taken off the end
/// of `logs` (sorted): a checkpoint whose new log was cut short leaves one, and it adds
/// nothing, so opening removes it and the log before it is the last again.
pub(super) fn trailing_empty_logs(
    fs: &dyn DbFs,
    dir: &Path,
    newest: u64,
    logs: &mut Vec<u64>,
) -> Vec<PathBuf> {
    let mut empty = Vec::new();
    while let Some(&g) = logs.last() {
        let path = dir::path(dir, &dir::log_name(g));
        let len = fs.read(&path).map(|b| b.len()).unwrap_or(usize::MAX);
        if g <= newest || len > wal::HEADER_LEN {
            break;
        }
        empty.push(path);
        logs.pop();
    }
    empty
}

/// The logs to replay over snapshot `k`, in order: those of generations `k` and later, which
/// must follow one another. True as well when the log of generation `k` does not exist yet
/// (its snapshot was written, the log not: it is empty), and then the list is empty.
pub(super) fn logs_after(dir: &Path, k: u64, logs: &[u64]) -> Result<(Vec<u64>, bool), DbError> {
    let todo: Vec<u64> = logs.iter().copied().filter(|g| *g >= k).collect();
    match todo.first() {
        None => return Ok((todo, true)),
        Some(first) if *first != k => {
            return Err(DbError::Corrupt {
                path: dir::path(dir, &dir::log_name(*first)),
                offset: 0,
                reason: format!("the log of generation {k} is missing before it"),
            })
        }
        Some(_) => {}
    }
    for (i, g) in todo.iter().enumerate() {
        if *g != k + i as u64 {
            return Err(DbError::Corrupt {
                path: dir::path(dir, &dir::log_name(*g)),
                offset: 0,
                reason: format!("the log of generation {} is missing before it", k + i as u64),
            });
        }
    }
    Ok((todo, false))
}

/// What `read_logs` found.
pub(super) struct LogsRead {
    /// The sequence number the next commit takes (`None`: no commit was replayed).
    pub(super) next_sequence: Option<u64>,
    /// How many commits were replayed.
    pub(super) commits: u64,
    /// The last log read: its generation, the length of its whole commits, its file length.
    pub(super) last: Option<(u64, u64, u64)>,
    /// Damage before the end of the logs: the position in the list of the log that holds it,
    /// the log, the offset and what is wrong. Reading stopped there.
    pub(super) damage: Option<(usize, PathBuf, u64, String)>,
}

/// Replays the commits of the logs `todo` (from `logs_after`) on `graph`, reading the files
/// and changing none.
pub(super) fn read_logs(
    fs: &dyn DbFs,
    dir: &Path,
    graph: &mut Graph,
    todo: &[u64],
) -> Result<LogsRead, DbError> {
    let mut read = LogsRead {
        next_sequence: None,
        commits: 0,
        last: None,
        damage: None,
    };
    let count = todo.len();
    for (i, g) in todo.iter().copied().enumerate() {
        let path = dir::path(dir, &dir::log_name(g));
        let bytes = fs.read(&path).map_err(io(&path, "cannot read"))?;
        let is_last = i + 1 == count;
        let contents = match wal::read(&bytes, g) {
            Ok(c) => c,
            // A last log whose creation was cut short (its header all zeros): empty.
            Err(_)
                if is_last
                    && bytes
                        .get(..wal::HEADER_LEN)
                        .is_some_and(|h| h.iter().all(|b| *b == 0)) =>
            {
                wal::LogContents {
                    end: 0,
                    torn_at: Some(0),
                    ..wal::LogContents::default()
                }
            }
            Err(wal::LogDamage::Header(reason)) => {
                return Err(DbError::Corrupt {
                    path,
                    offset: 0,
                    reason,
                })
            }
        };
        let (damage, torn_at, end) = (contents.damage, contents.torn_at, contents.end);
        for (sequence, start, redo) in contents.commits {
            if read.next_sequence.is_some_and(|n| n != sequence) {
                return Err(DbError::Corrupt {
                    path,
                    offset: start,
                    reason: format!(
                        "commit {sequence} where commit {} was expected",
                        read.next_sequence.unwrap_or(0)
                    ),
                });
            }
            graph.redo_owned(redo).map_err(|e| DbError::Corrupt {
                path: path.clone(),
                offset: start,
                reason: format!("commit {sequence} does not apply to the state before it: {e}"),
            })?;
            read.next_sequence = Some(sequence + 1);
            read.commits += 1;
        }
        read.last = Some((g, end, bytes.len() as u64));
        let damaged = match (&damage, torn_at) {
            (Some((offset, reason)), _) => Some((*offset, reason.clone())),
            // A finished log (one that a later log follows) was synced whole before the next
            // began: a torn end there is damage, not a crash.
            (None, Some(at)) if !is_last => Some((at, "a finished log ends in a torn commit".to_owned())),
            _ => None,
        };
        if let Some((offset, reason)) = damaged {
            read.damage = Some((i, path, offset, reason));
            break;
        }
    }
    Ok(read)
}

/// Loads snapshot `k` and replays the logs of generations `k` and later.
fn replay(
    fs: &dyn DbFs,
    dir: &Path,
    k: u64,
    logs: &[u64],
    recover: bool,
) -> Result<(Graph, LogState, Option<Recovery>), DbError> {
    let snap = dir::path(dir, &dir::snapshot_name(k));
    let bytes = fs.read(&snap).map_err(io(&snap, "cannot read"))?;
    let snapshot_len = bytes.len() as u64;
    let mut graph = codec::decode(&snap, &bytes)?;
    drop(bytes);
    let (mut todo, missing) = logs_after(dir, k, logs)?;
    if missing {
        // The snapshot of a new generation was written, its log not yet: it is empty.
        todo.push(k);
        let _ = create_log(fs, dir, k)?;
    }
    let read = read_logs(fs, dir, &mut graph, &todo)?;
    let mut report = None;
    if let Some((i, path, offset, reason)) = read.damage {
        if !recover {
            return Err(DbError::Corrupt { path, offset, reason });
        }
        let mut removed = Vec::new();
        for later in todo.iter().skip(i + 1) {
            let p = dir::path(dir, &dir::log_name(*later));
            fs.remove(&p).map_err(io(&p, "cannot remove"))?;
            removed.push(p);
        }
        report = Some(Recovery {
            log: path,
            offset,
            reason,
            removed,
        });
    }
    let (next_sequence, last) = (read.next_sequence, read.last);
    let (generation, end, file_len) = last.unwrap_or((k, 0, 0));
    let path = dir::path(dir, &dir::log_name(generation));
    let (handle, len) = if end < wal::HEADER_LEN as u64 {
        // Nothing whole, not even the header: start the log again.
        (create_log(fs, dir, generation)?, wal::HEADER_LEN as u64)
    } else {
        let mut handle = fs.open_append(&path).map_err(io(&path, "cannot open the log"))?;
        if file_len != end {
            // Cut a torn tail off, so the next commit follows the last whole one.
            handle
                .truncate(end)
                .map_err(io(&path, "cannot cut the log's torn end"))?;
            handle.sync().map_err(io(&path, "cannot sync the log"))?;
        }
        (handle, end)
    };
    let state = LogState {
        handle,
        generation,
        len,
        next_sequence: next_sequence.unwrap_or(1),
        dirty: false,
        failed: None,
        pending: Vec::new(),
        encoded: Vec::new(),
        scratch: Vec::new(),
        snapshot_len,
    };
    Ok((graph, state, report))
}

/// How often a [`Durability::Batched`] database's background thread looks for a commit to
/// catch the writer's copy up with, while commits come (idle, it wakes once per interval).
const CATCH_UP_TICK: Duration = Duration::from_millis(1);

/// The background thread of the [`Durability::Periodic`] and [`Durability::Batched`] modes,
/// until `closing`: every `every` it writes the batch (batched mode) and syncs the log. In
/// the batched mode (`writer` given) it also replays the last commit on the writer's copy
/// (`Writer::deferred`), so that the commit returned without that work and the next
/// transaction finds the copy ready; it looks every [`CATCH_UP_TICK`] while commits come,
/// never waits for the writer's lock (an open transaction does the catch-up itself), and holds
/// only the log and the writer's side, not the database (whose last handle closes it).
/// One round of the background flusher: writes the waiting records under the log's lock,
/// then syncs with the lock released when the handle offers a second handle to sync through
/// (commits append meanwhile; the log stays dirty if anything was written during the sync or
/// a checkpoint began a new log), under it otherwise.
///
/// A failed write stays waiting, a failed sync dirty, and both are tried again; a commit in
/// the default mode would report them, these modes have no caller to report them to
/// (`Database::sync` does).
fn flush(log: &Mutex<LogState>) {
    let mut state = lock(log);
    if state.failed.is_some() || state.write_pending().is_err() || !state.dirty {
        return;
    }
    let Some(mut syncer) = state.handle.syncer() else {
        if state.handle.sync().is_ok() {
            state.dirty = false;
        }
        return;
    };
    let (generation, len) = (state.generation, state.len);
    drop(state);
    let synced = syncer.sync().is_ok();
    let mut state = lock(log);
    if synced && state.generation == generation && state.len == len {
        state.dirty = false;
    }
}

fn start_flusher(
    log: Arc<Mutex<LogState>>,
    closing: Arc<AtomicBool>,
    every: Duration,
    writer: Option<Arc<Mutex<Writer>>>,
) -> Option<std::thread::Thread> {
    std::thread::Builder::new()
        .name("kgraph-log-sync".into())
        .spawn(move || {
            let mut next_flush = Instant::now() + every;
            let mut busy_until = Instant::now();
            loop {
                let now = Instant::now();
                let wake = if now < busy_until {
                    next_flush.min(now + CATCH_UP_TICK)
                } else {
                    next_flush
                };
                // Parked rather than asleep: closing the database wakes it.
                std::thread::park_timeout(wake.saturating_duration_since(now));
                if closing.load(Ordering::Acquire) {
                    return;
                }
                if let Some(w) = &writer {
                    let guard = match w.try_lock() {
                        Ok(g) => Some(g),
                        Err(TryLockError::Poisoned(p)) => Some(p.into_inner()),
                        Err(TryLockError::WouldBlock) => None,
                    };
                    if let Some(mut w) = guard
                        && w.deferred.is_some()
                    {
                        w.catch_up_deferred();
                        busy_until = Instant::now() + every;
                    }
                }
                if Instant::now() < next_flush {
                    continue;
                }
                next_flush = Instant::now() + every;
                flush(&log);
            }
        })
        .ok()
        .map(|handle| handle.thread().clone())
}
