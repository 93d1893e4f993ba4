//! Crash-safe replacement of a file: write a temporary file beside the target, fsync it,
//! rename it over the target, fsync the directory. Snapshots are saved this way
//! ([`write_atomic`]), and so are exports ([`AtomicFile`]).
//!
//! Architecture invariants:
//! - Every file-system operation of a save goes through [`SnapshotFs`], so a test can fail or
//!   "crash" at each write and sync point (`tests/snapshot_crash.rs`). Until the rename, the
//!   target is untouched; the rename is atomic; the temporary file's data is durable before the
//!   rename, so after a crash the target holds the old or the new content, whole.
//! - A temporary file is named `.NAME.PID.N.tmp` beside its target `NAME` ([`temp_path`]), and
//!   its writer holds an exclusive lock on it until the rename. A save or export of `NAME`
//!   first removes the files of that name pattern that nobody holds locked: the leftovers of
//!   interrupted saves. No other file is ever removed.

use std::ffi::OsString;
use std::fs::{self, File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use super::codec::Encoded;
use super::error::SnapshotError;

/// The file-system operations a save performs, in this order: `create` the temporary file,
/// `write` it (several times), `sync_file`, `rename` it over the target, `sync_dir`; on a
/// failure before the rename, `remove` the temporary file.
///
/// The real implementation is used by [`Graph::save`](crate::Graph::save); tests plug in one
/// that injects failures or simulates a crash through
/// [`Graph::save_with_fs`](crate::Graph::save_with_fs). Not a stable API.
#[doc(hidden)]
pub trait SnapshotFs {
    /// Creates `path` (truncating it if it exists) and opens it for writing.
    fn create(&mut self, path: &Path) -> io::Result<()>;
    /// Appends `data` to the file opened by `create`.
    fn write(&mut self, path: &Path, data: &[u8]) -> io::Result<()>;
    /// Makes the file's data durable (fsync). The file may stay open (the real one stays
    /// open and locked until `rename` or `remove`).
    fn sync_file(&mut self, path: &Path) -> io::Result<()>;
    /// Renames `from` over `to`, atomically replacing `to`.
    fn rename(&mut self, from: &Path, to: &Path) -> io::Result<()>;
    /// Makes the directory's entries durable (fsync of the directory).
    fn sync_dir(&mut self, dir: &Path) -> io::Result<()>;
    /// Removes a file (the temporary file, after a failure).
    fn remove(&mut self, path: &Path) -> io::Result<()>;
    /// Removes the temporary files that interrupted saves of `target` left beside it (see
    /// the module's invariants), before a save of `target` creates its own. Best effort. The
    /// default does nothing: a simulated file system has no leftovers of other processes.
    fn remove_stale(&mut self, target: &Path) {
        let _ = target;
    }
}

/// The operating system's file system.
#[derive(Default)]
pub(crate) struct StdFs {
    open: Option<File>,
}

impl SnapshotFs for StdFs {
    fn create(&mut self, path: &Path) -> io::Result<()> {
        self.open = Some(create_locked(path)?);
        Ok(())
    }

    fn write(&mut self, _path: &Path, data: &[u8]) -> io::Result<()> {
        match &mut self.open {
            Some(f) => f.write_all(data),
            None => Err(io::Error::other("no file is open")),
        }
    }

    fn sync_file(&mut self, _path: &Path) -> io::Result<()> {
        // The file stays open, and locked, until it is renamed.
        match &self.open {
            Some(f) => f.sync_all(),
            None => Err(io::Error::other("no file is open")),
        }
    }

    fn rename(&mut self, from: &Path, to: &Path) -> io::Result<()> {
        let renamed = fs::rename(from, to);
        self.open = None;
        renamed
    }

    #[cfg(unix)]
    fn sync_dir(&mut self, dir: &Path) -> io::Result<()> {
        File::open(dir)?.sync_all()
    }

    #[cfg(not(unix))]
    fn sync_dir(&mut self, _dir: &Path) -> io::Result<()> {
        // Directories cannot be opened for syncing here; the rename is made durable by the
        // file system's own journal.
        Ok(())
    }

    fn remove(&mut self, path: &Path) -> io::Result<()> {
        self.open = None;
        fs::remove_file(path)
    }

    fn remove_stale(&mut self, target: &Path) {
        remove_stale(target);
    }
}

/// Creates (or truncates) a temporary file and takes its lock, which tells a later
/// [`remove_stale`] that the file is being written. Where the file system cannot lock, the
/// file is written unlocked (and `remove_stale` removes nothing there).
fn create_locked(path: &Path) -> io::Result<File> {
    let file = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .open(path)?;
    // Between the creation and the lock, a `remove_stale` of another process could take the
    // file for a leftover: this save's rename then fails (an error; the target is untouched).
    let _ = file.try_lock();
    Ok(file)
}

/// The payload is written in pieces of this size, so a large save has several write points.
const CHUNK: usize = 1 << 20;

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// A fresh temporary name beside `target`: `.NAME.PID.N.tmp`, hidden and unique per save.
pub(crate) fn temp_path(target: &Path) -> io::Result<PathBuf> {
    let name = target
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "the path has no file name"))?;
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let mut tmp = OsString::from(".");
    tmp.push(name);
    tmp.push(format!(".{}.{n}.tmp", std::process::id()));
    Ok(target.with_file_name(tmp))
}

/// The target's name if `name` is a temporary name of [`temp_path`] (`.NAME.PID.N.tmp`, with
/// `PID` and `N` decimal numbers).
pub(crate) fn temp_target(name: &[u8]) -> Option<&[u8]> {
    let inner = name.strip_prefix(b".")?.strip_suffix(b".tmp")?;
    let number = |s: &[u8]| !s.is_empty() && s.iter().all(u8::is_ascii_digit);
    let dot = inner.iter().rposition(|&b| b == b'.')?;
    let (rest, n) = (&inner[..dot], &inner[dot + 1..]);
    let dot = rest.iter().rposition(|&b| b == b'.')?;
    let (target, pid) = (&rest[..dot], &rest[dot + 1..]);
    (number(n) && number(pid) && !target.is_empty()).then_some(target)
}

/// Removes the temporary files of `target` (named as [`temp_path`] names them) that no writer
/// holds locked: what interrupted saves and exports of `target` left behind. A file whose lock
/// cannot be taken is left alone, and so is every other file. Best effort: a leftover that
/// cannot be removed is harmless (hidden, never read), so failures are ignored.
pub(crate) fn remove_stale(target: &Path) {
    let Some(name) = target.file_name() else {
        return;
    };
    let dir = parent_dir(target);
    let Ok(entries) = fs::read_dir(&dir) else {
        return;
    };
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        if temp_target(file_name.as_encoded_bytes()) != Some(name.as_encoded_bytes()) {
            continue;
        }
        let path = dir.join(&file_name);
        let Ok(file) = File::open(&path) else {
            continue;
        };
        // Held while the file is removed: no writer can be using it meanwhile.
        if file.try_lock().is_ok() {
            let _ = fs::remove_file(&path);
        }
    }
}

/// The directory holding `target` (`.` for a bare file name).
fn parent_dir(target: &Path) -> PathBuf {
    match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => PathBuf::from("."),
    }
}

/// Replaces `target` with the encoded snapshot, crash-safely.
pub(crate) fn write_atomic(
    fs: &mut dyn SnapshotFs,
    target: &Path,
    enc: &Encoded,
) -> Result<(), SnapshotError> {
    let tmp = temp_path(target).map_err(|e| SnapshotError::io(target, "cannot save to", e))?;
    fs.remove_stale(target);
    let written = (|| {
        fs.create(&tmp)
            .map_err(|e| SnapshotError::io(&tmp, "cannot create the temporary file", e))?;
        fs.write(&tmp, &enc.header)
            .map_err(|e| SnapshotError::io(&tmp, "cannot write the temporary file", e))?;
        let total = (enc.header.len() + enc.payload.iter().map(Vec::len).sum::<usize>()) as u64;
        let mut written = enc.header.len() as u64;
        super::progress::report(super::progress::ProgressStage::Write, written, total);
        let mut write = |chunk: &[u8]| {
            fs.write(&tmp, chunk)
                .map_err(|e| SnapshotError::io(&tmp, "cannot write the temporary file", e))?;
            written += chunk.len() as u64;
            super::progress::report(super::progress::ProgressStage::Write, written, total);
            Ok(())
        };
        // The payload's parts, concatenated, in pieces of CHUNK: a piece that spans parts is
        // gathered first.
        let mut pending: Vec<u8> = Vec::new();
        for part in &enc.payload {
            let mut rest = part.as_slice();
            while !rest.is_empty() {
                if pending.is_empty() && rest.len() >= CHUNK {
                    let (chunk, tail) = rest.split_at(CHUNK);
                    write(chunk)?;
                    rest = tail;
                    continue;
                }
                let take = (CHUNK - pending.len()).min(rest.len());
                let (head, tail) = rest.split_at(take);
                pending.extend_from_slice(head);
                rest = tail;
                if pending.len() == CHUNK {
                    write(&pending)?;
                    pending.clear();
                }
            }
        }
        if !pending.is_empty() {
            write(&pending)?;
        }
        fs.sync_file(&tmp)
            .map_err(|e| SnapshotError::io(&tmp, "cannot sync the temporary file", e))?;
        fs.rename(&tmp, target)
            .map_err(|e| SnapshotError::io(target, "cannot rename the temporary file to", e))
    })();
    if let Err(e) = written {
        // Best effort: the target is untouched either way, and a leftover temporary file is
        // harmless (hidden, never read).
        let _ = fs.remove(&tmp);
        return Err(e);
    }
    let dir = parent_dir(target);
    fs.sync_dir(&dir)
        .map_err(|e| SnapshotError::io(&dir, "cannot sync the directory", e))
}

/// A file written under a temporary name beside its target and renamed over it by
/// [`commit`](AtomicFile::commit), once whole and synced: an export that fails (a full disk, a
/// value refused halfway) leaves the target as it was, and no temporary file, since dropping
/// an `AtomicFile` that was not committed removes it.
pub(crate) struct AtomicFile {
    out: Option<BufWriter<Sink>>,
    tmp: PathBuf,
    target: PathBuf,
}

/// The temporary file under the buffer: where the fault-injection seam of the tests sits.
struct Sink {
    file: File,
}

#[cfg(test)]
thread_local! {
    /// Tests only: the room left on the "disk" of the [`AtomicFile`]s of this thread, in bytes:
    /// a write past it fails with `StorageFull`. `None`: no limit.
    pub(crate) static ROOM: std::cell::Cell<Option<u64>> = const { std::cell::Cell::new(None) };
}

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        #[cfg(test)]
        if let Some(room) = ROOM.with(std::cell::Cell::get) {
            if room == 0 && !buf.is_empty() {
                return Err(io::Error::new(io::ErrorKind::StorageFull, "disk full (injected)"));
            }
            let n = self.file.write(&buf[..buf.len().min(room as usize)])?;
            ROOM.with(|r| r.set(Some(room - n as u64)));
            return Ok(n);
        }
        self.file.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}

impl AtomicFile {
    /// Starts writing `target`: removes what interrupted writes of it left (see
    /// [`remove_stale`]) and creates a fresh temporary file beside it.
    pub(crate) fn create(target: &Path) -> io::Result<AtomicFile> {
        let tmp = temp_path(target)?;
        remove_stale(target);
        let file = create_locked(&tmp)?;
        Ok(AtomicFile {
            out: Some(BufWriter::with_capacity(1 << 16, Sink { file })),
            tmp,
            target: target.to_owned(),
        })
    }

    /// Flushes and syncs the temporary file, renames it over the target and syncs the
    /// directory. On an error the target is untouched (unless the directory sync failed,
    /// after the rename) and the temporary file is removed.
    pub(crate) fn commit(mut self) -> io::Result<()> {
        let Some(out) = self.out.take() else {
            return Err(io::Error::other("the file was already committed"));
        };
        let renamed = out.into_inner().map_err(|e| e.into_error()).and_then(|sink| {
            sink.file.sync_all()?;
            fs::rename(&self.tmp, &self.target)
            // The file, and its lock, are dropped once it has its name.
        });
        if let Err(e) = renamed {
            let _ = fs::remove_file(&self.tmp);
            return Err(e);
        }
        StdFs::default().sync_dir(&parent_dir(&self.target))
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match &mut self.out {
            Some(out) => out.write(buf),
            None => Err(io::Error::other("the file was already committed")),
        }
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        match &mut self.out {
            Some(out) => out.write_all(buf),
            None => Err(io::Error::other("the file was already committed")),
        }
    }

    /// Flushes the buffer into the temporary file (only [`commit`](AtomicFile::commit)
    /// makes it the target).
    fn flush(&mut self) -> io::Result<()> {
        match &mut self.out {
            Some(out) => out.flush(),
            None => Ok(()),
        }
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if let Some(out) = self.out.take() {
            // Not committed: what was written goes, unflushed.
            let (sink, _) = out.into_parts();
            drop(sink);
            let _ = fs::remove_file(&self.tmp);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::codec::HEADER_LEN;

    /// Records the writes; every other operation succeeds.
    #[derive(Default)]
    struct Recorder {
        writes: Vec<Vec<u8>>,
    }

    impl SnapshotFs for Recorder {
        fn create(&mut self, _: &Path) -> io::Result<()> {
            Ok(())
        }
        fn write(&mut self, _: &Path, data: &[u8]) -> io::Result<()> {
            self.writes.push(data.to_vec());
            Ok(())
        }
        fn sync_file(&mut self, _: &Path) -> io::Result<()> {
            Ok(())
        }
        fn rename(&mut self, _: &Path, _: &Path) -> io::Result<()> {
            Ok(())
        }
        fn sync_dir(&mut self, _: &Path) -> io::Result<()> {
            Ok(())
        }
        fn remove(&mut self, _: &Path) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn the_parts_are_written_as_one_payload_in_pieces_of_a_chunk() {
        let parts: Vec<Vec<u8>> = vec![vec![1; 3], vec![2; CHUNK + 5], vec![], vec![3; 10]];
        let enc = Encoded {
            header: [9; HEADER_LEN],
            payload: parts.clone(),
        };
        let mut fs = Recorder::default();
        write_atomic(&mut fs, Path::new("dir/g.kgs"), &enc).unwrap_or_else(|e| panic!("{e}"));
        let sizes: Vec<usize> = fs.writes.iter().map(Vec::len).collect();
        assert_eq!(sizes, [HEADER_LEN, CHUNK, 18]);
        assert_eq!(fs.writes[1..].concat(), parts.concat());
    }

    #[test]
    fn temporary_names_are_recognised_with_their_target() {
        let tmp = temp_path(Path::new("dir/g.kgs")).unwrap_or_else(|e| panic!("{e}"));
        let name = tmp.file_name().unwrap_or_default().as_encoded_bytes();
        assert_eq!(temp_target(name), Some(&b"g.kgs"[..]));
        assert_eq!(temp_target(b".g.kgs.1.2.tmp"), Some(&b"g.kgs"[..]));
        assert_eq!(temp_target(b".a.b.c.12.0.tmp"), Some(&b"a.b.c"[..]));
        for other in [
            &b"g.kgs.1.2.tmp"[..],
            b".g.kgs.tmp",
            b".g.kgs.1.tmp",
            b".g.kgs.x.2.tmp",
            b".g.kgs.1.2.tmp~",
            b"..1.2.tmp",
            b".g.kgs.1..tmp",
        ] {
            assert_eq!(temp_target(other), None, "{}", String::from_utf8_lossy(other));
        }
    }

    #[test]
    fn only_unlocked_temporary_files_of_the_target_are_stale() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let target = dir.path().join("g.kgs");
        let stale = [".g.kgs.4000000.0.tmp", ".g.kgs.1.77.tmp"];
        let kept = [
            ".g.kgs.tmp",
            ".h.kgs.4000000.0.tmp",
            "g.kgs.4000000.0.tmp",
            ".g.kgs.5.4000000.0.tmp",
            "notes.txt",
        ];
        for name in stale.iter().chain(&kept) {
            std::fs::write(dir.path().join(name), b"x").unwrap_or_else(|e| panic!("{e}"));
        }
        // A save in progress holds its file's lock.
        let busy = dir.path().join(".g.kgs.4000001.0.tmp");
        let held = create_locked(&busy).unwrap_or_else(|e| panic!("{e}"));
        remove_stale(&target);
        for name in stale {
            assert!(!dir.path().join(name).exists(), "{name} was left");
        }
        for name in kept {
            assert!(dir.path().join(name).exists(), "{name} was removed");
        }
        assert!(busy.exists(), "the file of a save in progress was removed");
        drop(held);
        remove_stale(&target);
        assert!(!busy.exists());
    }

    /// The names in `dir`, sorted.
    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap_or_else(|e| panic!("{e}"))
            .map(|e| e.map(|e| e.file_name().to_string_lossy().into_owned()))
            .collect::<Result<_, _>>()
            .unwrap_or_else(|e| panic!("{e}"));
        names.sort();
        names
    }

    #[test]
    fn an_atomic_file_is_the_target_only_once_committed() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let target = dir.path().join("out.txt");
        fs::write(&target, b"old").unwrap_or_else(|e| panic!("{e}"));
        let mut f = AtomicFile::create(&target).unwrap_or_else(|e| panic!("{e}"));
        f.write_all(b"new").unwrap_or_else(|e| panic!("{e}"));
        f.flush().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(fs::read(&target).unwrap_or_default(), b"old");
        assert_eq!(
            names(dir.path()).len(),
            2,
            "the temporary file is beside the target"
        );
        drop(f);
        assert_eq!(
            names(dir.path()),
            ["out.txt"],
            "dropped uncommitted, it leaves nothing"
        );
        assert_eq!(fs::read(&target).unwrap_or_default(), b"old");
        let mut f = AtomicFile::create(&target).unwrap_or_else(|e| panic!("{e}"));
        f.write_all(b"new").unwrap_or_else(|e| panic!("{e}"));
        f.commit().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(fs::read(&target).unwrap_or_default(), b"new");
        assert_eq!(names(dir.path()), ["out.txt"]);
    }

    #[test]
    fn an_export_that_fills_the_disk_leaves_the_old_files_and_no_temporary_file() {
        let g = crate::Graph::ecosystem().unwrap_or_else(|e| panic!("{e}"));
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let old = [
            "g.jsonl",
            "g.cypher",
            "csv/nodes.csv",
            "csv/relationships.csv",
            "kuzu/schema.cypher",
        ];
        fs::create_dir_all(dir.path().join("csv")).unwrap_or_else(|e| panic!("{e}"));
        fs::create_dir_all(dir.path().join("kuzu")).unwrap_or_else(|e| panic!("{e}"));
        for name in old {
            fs::write(dir.path().join(name), b"old").unwrap_or_else(|e| panic!("{e}"));
        }
        let before = |sub: &str| names(&dir.path().join(sub));
        let listing = (before(""), before("csv"), before("kuzu"));
        // The disk fills before the first byte, halfway, and one byte before the end of the
        // export (for the CSV and Kùzu exports, in their last file).
        type Export<'a> = &'a dyn Fn(&Path) -> Result<(), crate::ExportError>;
        let exports: [(&str, &str, Export<'_>); 4] = [
            ("jsonl", "g.jsonl", &|p| g.export_jsonl(p)),
            ("cypher", "g.cypher", &|p| g.export_cypher(p)),
            ("csv", "csv", &|p| g.export_csv(p)),
            ("kuzu", "kuzu", &|p| g.export_kuzu(p)),
        ];
        for (what, target, export) in exports {
            let scratch = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
            export(&scratch.path().join(target)).unwrap_or_else(|e| panic!("{e}"));
            let size = |p: &Path| fs::metadata(p).map(|m| m.len()).unwrap_or(0);
            let whole = scratch.path().join(target);
            let total: u64 = match fs::read_dir(&whole) {
                Ok(files) => files.flatten().map(|f| size(&f.path())).sum(),
                Err(_) => size(&whole),
            };
            assert!(total > 1000, "{what}: {total} bytes");
            let limits = [0, 100, total / 2, total - 1];
            for limit in limits {
                ROOM.with(|r| r.set(Some(limit)));
                let result = export(&dir.path().join(target));
                let left = ROOM.with(std::cell::Cell::get);
                ROOM.with(|r| r.set(None));
                assert_eq!(left, Some(0), "{what} at {limit}: the disk filled");
                match result {
                    Err(crate::ExportError::Io { source, .. }) => {
                        assert_eq!(
                            source.kind(),
                            io::ErrorKind::StorageFull,
                            "{what} at {limit}: {source}"
                        );
                    }
                    other => panic!("{what} at {limit}: {other:?}"),
                }
                for name in old {
                    assert_eq!(
                        fs::read(dir.path().join(name)).unwrap_or_default(),
                        b"old",
                        "{what}: {name} at {limit}"
                    );
                }
                // The Kùzu export writes its tables' files one by one: those it finished are
                // there (the schema that loads them is not); no temporary file is.
                let kuzu: Vec<String> = before("kuzu");
                assert!(kuzu.iter().all(|n| !n.starts_with('.')), "{kuzu:?} at {limit}");
                assert_eq!(
                    (before(""), before("csv")),
                    (listing.0.clone(), listing.1.clone()),
                    "{what} at {limit}"
                );
            }
        }
        // Without the fault, each export replaces its files.
        g.export_jsonl(dir.path().join("g.jsonl"))
            .unwrap_or_else(|e| panic!("{e}"));
        g.export_csv(dir.path().join("csv"))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_ne!(fs::read(dir.path().join("g.jsonl")).unwrap_or_default(), b"old");
        assert_ne!(
            fs::read(dir.path().join("csv/relationships.csv")).unwrap_or_default(),
            b"old"
        );
        assert_eq!(listing.2, ["schema.cypher"]);
    }
}
