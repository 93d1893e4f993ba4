//! Checking a database directory without changing it: `Database::verify`, which `kgraph
//! check` runs.
//!
//! Opening a directory repairs what a crash or a cut-short checkpoint leaves (it cuts a torn
//! last commit off the log, removes temporary files, empty newer logs and generations before
//! the newest snapshot, creates a missing log). A check must not: it reads what opening reads,
//! replays the same commits in memory, and reports what opening would repair.
//!
//! Invariant: `verify` creates, writes, truncates and removes nothing. It holds the
//! directory's lock while it reads, when the directory has a lock file (a database opened
//! there before), so that no writer changes the files under it.

use std::path::{Path, PathBuf};

use super::durable::{io, logs_after, read_logs, trailing_empty_logs, DbError};
use super::Database;
use crate::graph::Graph;
use crate::storage::codec;
use crate::storage::dir::{self, DbFs, Entry, ExistingLock, StdDbFs};

/// What [`Database::verify`] found in a database directory that opens: its graph, and what
/// opening it would repair.
#[derive(Debug)]
#[non_exhaustive]
pub struct Verified {
    /// The graph the directory holds: its newest snapshot with every whole commit of the logs
    /// after it replayed, its indexes checked against the data.
    pub graph: Graph,
    /// The generation of that snapshot.
    pub generation: u64,
    /// The commits replayed over it.
    pub commits: u64,
    /// Bytes at the end of the last log that hold no whole commit (what a crash in the
    /// middle of a commit leaves); opening cuts them off. 0 when there are none.
    pub torn_bytes: u64,
    /// Files that opening removes: an interrupted save's temporary file, a newer log that
    /// holds no commit, the snapshots and logs of generations before the newest snapshot.
    pub leftovers: Vec<PathBuf>,
    /// True when the log of the newest generation does not exist yet (a checkpoint wrote the
    /// snapshot and stopped): it holds nothing, and opening creates it.
    pub log_missing: bool,
}

impl Database {
    /// Checks the database in directory `dir` without changing anything in it: reads its
    /// newest snapshot (magic number, version, lengths, checksums, structure), replays the
    /// logs after it commit by commit in memory, checks every index against the data, and
    /// reports what [`Database::open`] would repair. Damage that opening refuses is the same
    /// error here ([`DbError::Corrupt`]); a directory another handle has open is
    /// [`DbError::Locked`].
    ///
    /// ```
    /// let dir = tempfile::tempdir()?;
    /// {
    ///     let db = kgraph::Database::open(dir.path())?;
    ///     db.execute("CREATE (:Company {name: 'Mindray'})")?;
    /// }
    /// let checked = kgraph::Database::verify(dir.path())?;
    /// assert_eq!((checked.graph.node_count(), checked.commits, checked.torn_bytes), (1, 1, 0));
    /// # Ok::<_, Box<dyn std::error::Error>>(())
    /// ```
    pub fn verify(dir: impl AsRef<Path>) -> Result<Verified, DbError> {
        verify_with(dir.as_ref(), &StdDbFs)
    }
}

fn verify_with(dir: &Path, fs: &dyn DbFs) -> Result<Verified, DbError> {
    if !dir.is_dir() {
        return Err(not_a_database(dir, "it is not a directory"));
    }
    let _lock = match dir::lock_existing(dir).map_err(io(dir, "cannot lock"))? {
        ExistingLock::Held(file) => Some(file),
        ExistingLock::Busy => return Err(DbError::Locked { dir: dir.to_owned() }),
        ExistingLock::Absent => None,
    };
    let (mut snapshots, mut logs, mut leftovers) = (Vec::new(), Vec::new(), Vec::new());
    for name in fs.list(dir).map_err(io(dir, "cannot list"))? {
        let name = name.to_string_lossy().into_owned();
        match dir::entry(&name) {
            Entry::Snapshot(g) => snapshots.push(g),
            Entry::Log(g) => logs.push(g),
            Entry::Temporary => leftovers.push(dir::path(dir, &name)),
            Entry::Other => {}
        }
    }
    snapshots.sort_unstable();
    logs.sort_unstable();
    let newest = snapshots.last().copied().unwrap_or(0);
    leftovers.extend(trailing_empty_logs(fs, dir, newest, &mut logs));
    let k = match snapshots.last().copied() {
        Some(k) => k,
        None if logs.is_empty() => return Err(not_a_database(dir, "it holds no snapshot and no log")),
        None => {
            return Err(DbError::Corrupt {
                path: dir::path(dir, &dir::log_name(logs[0])),
                offset: 0,
                reason: "a log with no snapshot to replay it on".into(),
            })
        }
    };
    leftovers.extend(
        snapshots
            .iter()
            .filter(|g| **g < k)
            .map(|g| dir::path(dir, &dir::snapshot_name(*g))),
    );
    leftovers.extend(
        logs.iter()
            .filter(|g| **g < k)
            .map(|g| dir::path(dir, &dir::log_name(*g))),
    );
    let (todo, log_missing) = logs_after(dir, k, &logs)?;
    let snap = dir::path(dir, &dir::snapshot_name(k));
    let bytes = fs.read(&snap).map_err(io(&snap, "cannot read"))?;
    let mut graph = codec::decode(&snap, &bytes)?;
    drop(bytes);
    let read = read_logs(fs, dir, &mut graph, &todo)?;
    if let Some((_, path, offset, reason)) = read.damage {
        return Err(DbError::Corrupt { path, offset, reason });
    }
    graph.check_invariants().map_err(|reason| DbError::Corrupt {
        path: dir.to_owned(),
        offset: 0,
        reason: format!("the replayed graph is inconsistent: {reason}"),
    })?;
    let torn_bytes = read.last.map_or(0, |(_, end, len)| len.saturating_sub(end));
    leftovers.sort();
    Ok(Verified {
        graph,
        generation: k,
        commits: read.commits,
        torn_bytes,
        leftovers,
        log_missing,
    })
}

fn not_a_database(dir: &Path, why: &str) -> DbError {
    DbError::Io {
        path: dir.to_owned(),
        action: "cannot verify",
        source: std::io::Error::new(
            std::io::ErrorKind::NotFound,
            format!("not a database directory: {why}"),
        ),
    }
}
