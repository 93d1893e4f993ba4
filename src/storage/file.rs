//! Crash-safe replacement of a file: write a temporary file beside the target, fsync it,
//! rename it over the target, fsync the directory.
//!
//! Architecture invariant: every file-system operation of a save goes through [`SnapshotFs`],
//! so a test can fail or "crash" at each write and sync point (`tests/snapshot_crash.rs`).
//! Until the rename, the target is untouched; the rename is atomic; the temporary file's data
//! is durable before the rename, so after a crash the target holds the old or the new
//! snapshot, whole.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
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
    /// Makes the file's data durable (fsync) and closes it.
    fn sync_file(&mut self, path: &Path) -> io::Result<()>;
    /// Renames `from` over `to`, atomically replacing `to`.
    fn rename(&mut self, from: &Path, to: &Path) -> io::Result<()>;
    /// Makes the directory's entries durable (fsync of the directory).
    fn sync_dir(&mut self, dir: &Path) -> io::Result<()>;
    /// Removes a file (the temporary file, after a failure).
    fn remove(&mut self, path: &Path) -> io::Result<()>;
}

/// The operating system's file system.
#[derive(Default)]
pub(crate) struct StdFs {
    open: Option<File>,
}

impl SnapshotFs for StdFs {
    fn create(&mut self, path: &Path) -> io::Result<()> {
        let file = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .open(path)?;
        self.open = Some(file);
        Ok(())
    }

    fn write(&mut self, _path: &Path, data: &[u8]) -> io::Result<()> {
        match &mut self.open {
            Some(f) => f.write_all(data),
            None => Err(io::Error::other("no file is open")),
        }
    }

    fn sync_file(&mut self, _path: &Path) -> io::Result<()> {
        match self.open.take() {
            Some(f) => f.sync_all(),
            None => Err(io::Error::other("no file is open")),
        }
    }

    fn rename(&mut self, from: &Path, to: &Path) -> io::Result<()> {
        fs::rename(from, to)
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
}

/// The payload is written in pieces of this size, so a large save has several write points.
const CHUNK: usize = 1 << 20;

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// A fresh temporary name beside `target`: `.NAME.PID.N.tmp`, hidden and unique per save.
fn temp_path(target: &Path) -> Result<PathBuf, SnapshotError> {
    let name = target.file_name().ok_or_else(|| {
        SnapshotError::io(
            target,
            "cannot save to",
            io::Error::new(io::ErrorKind::InvalidInput, "the path has no file name"),
        )
    })?;
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let mut tmp = std::ffi::OsString::from(".");
    tmp.push(name);
    tmp.push(format!(".{}.{n}.tmp", std::process::id()));
    Ok(target.with_file_name(tmp))
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
    let tmp = temp_path(target)?;
    let written = (|| {
        fs.create(&tmp)
            .map_err(|e| SnapshotError::io(&tmp, "cannot create the temporary file", e))?;
        fs.write(&tmp, &enc.header)
            .map_err(|e| SnapshotError::io(&tmp, "cannot write the temporary file", e))?;
        let mut write = |chunk: &[u8]| {
            fs.write(&tmp, chunk)
                .map_err(|e| SnapshotError::io(&tmp, "cannot write the temporary file", e))
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
}
