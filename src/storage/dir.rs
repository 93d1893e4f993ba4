//! A database directory on disk: its file names, its lock, and the file-system operations a
//! database performs on it, behind the [`DbFs`] trait so that tests can fail or "crash" any of
//! them (`tests/durability.rs`).
//!
//! Layout: `LOCK` (held with an exclusive lock by the process that has the database open),
//! `snapshot-G.kgs` (a snapshot, `docs/snapshot-format.md`) and `log-G.kgl` (a write-ahead log,
//! `docs/wal-format.md`), where `G` is a generation number written with twelve digits. The
//! log of generation `G` holds the commits made after the snapshot of generation `G`; a
//! checkpoint starts generation `G + 1` with an empty log, then writes its snapshot.
//! Opening loads the newest snapshot and replays the logs of its generation and later.

use std::ffi::OsString;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::file::{SnapshotFs, StdFs};

/// The lock file's name.
pub(crate) const LOCK: &str = "LOCK";

/// A snapshot's file name.
pub(crate) fn snapshot_name(generation: u64) -> String {
    format!("snapshot-{generation:012}.kgs")
}

/// A log's file name.
pub(crate) fn log_name(generation: u64) -> String {
    format!("log-{generation:012}.kgl")
}

/// What a file name in a database directory is.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Entry {
    Snapshot(u64),
    Log(u64),
    /// A temporary file of a snapshot's save (`.snapshot-G.kgs.PID.N.tmp`): under the
    /// directory's lock, outside a checkpoint, one left by an interrupted save.
    Temporary,
    Other,
}

/// Classifies a file name.
pub(crate) fn entry(name: &str) -> Entry {
    let number = |s: &str| {
        (s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    if let Some(g) = name
        .strip_prefix("snapshot-")
        .and_then(|r| r.strip_suffix(".kgs"))
        .and_then(number)
    {
        return Entry::Snapshot(g);
    }
    if let Some(g) = name
        .strip_prefix("log-")
        .and_then(|r| r.strip_suffix(".kgl"))
        .and_then(number)
    {
        return Entry::Log(g);
    }
    if let Some(target) = super::file::temp_target(name.as_bytes())
        && std::str::from_utf8(target).is_ok_and(|t| matches!(entry(t), Entry::Snapshot(_)))
    {
        return Entry::Temporary;
    }
    Entry::Other
}

/// An open log file, appended to at its end.
#[doc(hidden)]
pub trait LogHandle: Send {
    /// Appends `data`.
    fn append(&mut self, data: &[u8]) -> io::Result<()>;
    /// Makes what was appended durable (fdatasync).
    fn sync(&mut self) -> io::Result<()>;
    /// Cuts the file to `len` bytes; later appends go to the new end.
    fn truncate(&mut self, len: u64) -> io::Result<()>;
    /// A second handle on the same file that makes what was appended durable (fdatasync) on
    /// its own: the background flusher of the periodic and batched modes syncs through it
    /// with the log's lock released, so commits go on meanwhile. `None` (the default): syncs
    /// go through this handle, under the lock.
    fn syncer(&self) -> Option<Box<dyn LogSync>> {
        None
    }
}

/// Makes a log durable apart from the handle that appends to it ([`LogHandle::syncer`]).
/// Not a stable API.
#[doc(hidden)]
pub trait LogSync: Send {
    /// fdatasync of the file.
    fn sync(&mut self) -> io::Result<()>;
}

impl LogSync for File {
    fn sync(&mut self) -> io::Result<()> {
        self.sync_data()
    }
}

/// The file-system operations of a database directory. The real one is used by
/// [`Database::open`](crate::Database::open); tests plug in one that fails or "crashes" at a
/// chosen operation through `Database::open_with_fs`. Not a stable API.
#[doc(hidden)]
pub trait DbFs: Send + Sync {
    /// Creates the directory and its parents if missing.
    fn create_dir(&self, dir: &Path) -> io::Result<()>;
    /// The names of the files in `dir`.
    fn list(&self, dir: &Path) -> io::Result<Vec<OsString>>;
    /// A whole file.
    fn read(&self, path: &Path) -> io::Result<Vec<u8>>;
    /// Creates (or truncates) a file and opens it for appending.
    fn create(&self, path: &Path) -> io::Result<Box<dyn LogHandle>>;
    /// Opens an existing file for appending at its end.
    fn open_append(&self, path: &Path) -> io::Result<Box<dyn LogHandle>>;
    /// Removes a file.
    fn remove(&self, path: &Path) -> io::Result<()>;
    /// Makes the directory's entries durable.
    fn sync_dir(&self, dir: &Path) -> io::Result<()>;
    /// The operations of a snapshot save (a checkpoint's snapshot goes through them).
    fn snapshot_fs(&self) -> Box<dyn SnapshotFs + '_>;
}

/// The operating system's file system.
#[derive(Default, Clone, Copy, Debug)]
pub struct StdDbFs;

struct StdLog(File);

impl LogHandle for StdLog {
    fn append(&mut self, data: &[u8]) -> io::Result<()> {
        self.0.write_all(data)
    }
    fn sync(&mut self) -> io::Result<()> {
        self.0.sync_data()
    }
    fn truncate(&mut self, len: u64) -> io::Result<()> {
        self.0.set_len(len)?;
        // Opened for appending: writes go to the (new) end.
        Ok(())
    }
    fn syncer(&self) -> Option<Box<dyn LogSync>> {
        // A duplicate descriptor: fdatasync applies to the file, whichever descriptor asks.
        let file = self.0.try_clone().ok()?;
        Some(Box::new(file))
    }
}

impl DbFs for StdDbFs {
    fn create_dir(&self, dir: &Path) -> io::Result<()> {
        fs::create_dir_all(dir)
    }
    fn list(&self, dir: &Path) -> io::Result<Vec<OsString>> {
        fs::read_dir(dir)?.map(|e| e.map(|e| e.file_name())).collect()
    }
    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        super::read::read_whole(path)
    }
    fn create(&self, path: &Path) -> io::Result<Box<dyn LogHandle>> {
        let f = OpenOptions::new()
            .create(true)
            .truncate(true)
            .write(true)
            .open(path)?;
        drop(f);
        self.open_append(path)
    }
    fn open_append(&self, path: &Path) -> io::Result<Box<dyn LogHandle>> {
        Ok(Box::new(StdLog(OpenOptions::new().append(true).open(path)?)))
    }
    fn remove(&self, path: &Path) -> io::Result<()> {
        fs::remove_file(path)
    }
    #[cfg(unix)]
    fn sync_dir(&self, dir: &Path) -> io::Result<()> {
        File::open(dir)?.sync_all()
    }
    #[cfg(not(unix))]
    fn sync_dir(&self, _dir: &Path) -> io::Result<()> {
        Ok(())
    }
    fn snapshot_fs(&self) -> Box<dyn SnapshotFs + '_> {
        Box::new(StdFs::default())
    }
}

/// Takes the directory's lock: an exclusive lock on `LOCK`, held while the returned file is
/// open. The operating system releases it when the process ends, however it ends, so a lock
/// never outlives its process. `Ok(None)`: another process (or handle) holds it.
pub(crate) fn lock(dir: &Path) -> io::Result<Option<File>> {
    let path = dir.join(LOCK);
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)?;
    match file.try_lock() {
        Ok(()) => Ok(Some(file)),
        Err(fs::TryLockError::WouldBlock) => Ok(None),
        Err(fs::TryLockError::Error(e)) => Err(e),
    }
}

/// The lock of a directory for a reader that must not change it: held, held by another
/// handle, or absent (no database was ever opened there, and nothing is created).
pub(crate) enum ExistingLock {
    Held(File),
    Busy,
    Absent,
}

/// `lock`, without creating the lock file when it is missing.
pub(crate) fn lock_existing(dir: &Path) -> io::Result<ExistingLock> {
    let file = match OpenOptions::new().read(true).open(dir.join(LOCK)) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(ExistingLock::Absent),
        Err(e) => return Err(e),
    };
    match file.try_lock() {
        Ok(()) => Ok(ExistingLock::Held(file)),
        Err(fs::TryLockError::WouldBlock) => Ok(ExistingLock::Busy),
        Err(fs::TryLockError::Error(e)) => Err(e),
    }
}

/// `dir/name`.
pub(crate) fn path(dir: &Path, name: &str) -> PathBuf {
    dir.join(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_others_are_told_apart() {
        assert_eq!(entry(&snapshot_name(7)), Entry::Snapshot(7));
        assert_eq!(entry(&log_name(123_456_789_012)), Entry::Log(123_456_789_012));
        assert_eq!(entry(".snapshot-000000000001.kgs.77.0.tmp"), Entry::Temporary);
        for other in [
            "LOCK",
            "log-1.kgl",
            "snapshot-00000000000x.kgs",
            "log-000000000001.kgs",
            // Hidden temporary-looking files that no save of a snapshot writes.
            ".notes.tmp",
            ".snapshot-000000000001.kgs.tmp",
            ".snapshot-000000000001.kgs.77.x.tmp",
            ".LOCK.77.0.tmp",
            ".log-000000000001.kgl.77.0.tmp",
        ] {
            assert_eq!(entry(other), Entry::Other, "{other}");
        }
    }
}
