//! Reading a whole snapshot file into memory.
//!
//! A large file is read in two halves on two threads, each through its own handle: most of
//! the cost of reading a file the page cache holds is faulting in the fresh pages of the
//! buffer, and two threads fault their halves in at once.
//!
//! Architecture invariant: the bytes returned are the file's bytes from its start to its end
//! as it was read; a file that shrinks while it is read is an I/O error, one that grows is
//! read to its new end, up to [`MAX_GROWTH`] past the length it had when opened (the codec
//! then refuses the length or the checksum). Only regular files are read: a device such as
//! `/dev/zero` has no end and would exhaust the memory. Nothing here interprets the bytes.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::Path;

/// Files smaller than this are read on the calling thread alone.
const PARALLEL_READ_BYTES: u64 = 4 << 20;

/// How far past its length when opened a file that grows during the read is read: enough to
/// show the codec that it changed, without following a file that never stops growing.
const MAX_GROWTH: u64 = 1 << 20;

/// Reads the whole file at `path`, which must be a regular file (not a directory, device or
/// pipe: an `InvalidInput` error).
pub(crate) fn read_whole(path: &Path) -> io::Result<Vec<u8>> {
    let mut file = File::open(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "not a regular file (a directory, device or pipe)",
        ));
    }
    let len = meta.len();
    let Ok(size) = usize::try_from(len) else {
        return Err(io::Error::new(
            io::ErrorKind::OutOfMemory,
            "the file is larger than the address space",
        ));
    };
    if super::progress::active() {
        return read_reporting(file, len, size);
    }
    if len < PARALLEL_READ_BYTES {
        let mut bytes = Vec::with_capacity(size);
        Read::take(&mut file, len + MAX_GROWTH).read_to_end(&mut bytes)?;
        return Ok(bytes);
    }
    let mut bytes = vec![0u8; size];
    let mid = size / 2;
    let (first, second) = bytes.split_at_mut(mid);
    let rest = std::thread::scope(|s| -> io::Result<Option<Vec<u8>>> {
        let Ok(other) = std::thread::Builder::new()
            .name("kgraph-read".into())
            .spawn_scoped(s, || read_from(path, mid as u64, second))
        else {
            return Ok(None);
        };
        file.read_exact(first)?;
        match other.join() {
            Ok(rest) => rest.map(Some),
            Err(panic) => std::panic::resume_unwind(panic),
        }
    })?;
    match rest {
        Some(rest) => bytes.extend_from_slice(&rest),
        None => {
            // No thread could be started: one handle reads it all.
            bytes.clear();
            file.seek(SeekFrom::Start(0))?;
            Read::take(&mut file, len + MAX_GROWTH).read_to_end(&mut bytes)?;
        }
    }
    Ok(bytes)
}

/// Bytes read between two reports of [`read_reporting`].
const REPORT_BYTES: usize = 1 << 20;

/// Reads the whole file on this thread, a piece of [`REPORT_BYTES`] at a time, telling the
/// progress callback of `super::progress` after each: for a progress bar.
fn read_reporting(mut file: File, len: u64, size: usize) -> io::Result<Vec<u8>> {
    use super::progress::{report, ProgressStage};
    let mut bytes = Vec::with_capacity(size);
    let mut limited = Read::take(&mut file, len + MAX_GROWTH);
    report(ProgressStage::Read, 0, len);
    loop {
        let before = bytes.len();
        let n = Read::take(&mut limited, REPORT_BYTES as u64).read_to_end(&mut bytes)?;
        report(
            ProgressStage::Read,
            bytes.len() as u64,
            len.max(bytes.len() as u64),
        );
        if n == 0 || bytes.len() == before {
            return Ok(bytes);
        }
    }
}

/// Fills `buf` from `offset` of the file on a handle of its own, and returns what lies beyond
/// (if the file grew).
fn read_from(path: &Path, offset: u64, buf: &mut [u8]) -> io::Result<Vec<u8>> {
    let mut file = File::open(path)?;
    file.seek(SeekFrom::Start(offset))?;
    file.read_exact(buf)?;
    let mut rest = Vec::new();
    file.take(MAX_GROWTH).read_to_end(&mut rest)?;
    Ok(rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(name: &str) -> std::path::PathBuf {
        std::env::temp_dir().join(format!("kgraph-read-{}-{name}", std::process::id()))
    }

    #[test]
    fn small_and_large_files_read_back_byte_for_byte() {
        for (name, len) in [("empty", 0usize), ("small", 1000), ("large", 9 << 20 | 7)] {
            let path = temp(name);
            let data: Vec<u8> = (0..len).map(|i| (i % 251) as u8 ^ (i >> 12) as u8).collect();
            std::fs::write(&path, &data).unwrap_or_else(|e| panic!("{e}"));
            let back = read_whole(&path).unwrap_or_else(|e| panic!("{e}"));
            let _ = std::fs::remove_file(&path);
            assert_eq!(back.len(), data.len(), "{name}");
            assert!(back == data, "{name}: the bytes differ");
        }
    }

    #[test]
    fn a_directory_or_device_is_refused_not_read() {
        let dir = std::env::temp_dir();
        assert_eq!(
            read_whole(&dir).err().map(|e| e.kind()),
            Some(io::ErrorKind::InvalidInput)
        );
        // A device without end: reading it would never finish.
        let zero = Path::new("/dev/zero");
        if zero.exists() {
            assert_eq!(
                read_whole(zero).err().map(|e| e.kind()),
                Some(io::ErrorKind::InvalidInput)
            );
        }
    }

    #[test]
    fn a_read_with_a_progress_callback_reads_the_same_bytes_and_reports_them() {
        use crate::storage::progress::{report_progress, ProgressStage, StorageProgress};
        use std::{cell::RefCell, rc::Rc};
        let path = temp("progress");
        let data: Vec<u8> = (0..(3 << 20) + 5).map(|i: usize| (i % 253) as u8).collect();
        std::fs::write(&path, &data).unwrap_or_else(|e| panic!("{e}"));
        let seen = Rc::new(RefCell::new(Vec::new()));
        let record = seen.clone();
        let back = report_progress(
            move |p: &StorageProgress| record.borrow_mut().push(*p),
            || read_whole(&path),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let _ = std::fs::remove_file(&path);
        assert!(back == data);
        let seen = seen.borrow();
        assert!(seen
            .iter()
            .all(|p| p.stage == ProgressStage::Read && p.total == data.len() as u64));
        assert_eq!(seen.first().map(|p| p.done), Some(0));
        assert_eq!(seen.last().map(|p| p.done), Some(data.len() as u64));
        assert!(seen.windows(2).all(|w| w[0].done <= w[1].done));
        assert!(seen.len() >= 4, "a report per MiB: {seen:?}");
    }

    #[test]
    fn a_missing_file_is_an_error() {
        let err = read_whole(&temp("missing")).err().map(|e| e.kind());
        assert_eq!(err, Some(io::ErrorKind::NotFound));
    }
}
