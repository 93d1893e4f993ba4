//! Crash consistency of `Graph::save`, after redb's `tests/crash_consistency.rs`: a simulated
//! file system tracks what was written and what was made durable, and fails (an error, or a
//! crash that stops the process) at every write and sync point of a save in turn. After each,
//! every disk state a crash could leave behind is rebuilt and opened: the target must hold the
//! old snapshot or the new one, whole, never an error or a mix.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod common;

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

use common::{dump, fixture_graph, Dump};
use kgraph::{Graph, SnapshotFs, Value};

/// One file: what a read sees now, and what survives a crash (as of its last fsync).
#[derive(Clone, Default)]
struct Inode {
    data: Vec<u8>,
    synced: Vec<u8>,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Fault {
    /// The operation returns an error and does nothing; the process goes on.
    Error,
    /// The process dies at the operation: it and every later one do nothing.
    Crash,
}

/// A directory of files with volatile and durable state.
#[derive(Clone, Default)]
struct SimFs {
    inodes: Vec<Inode>,
    /// Name -> inode, as reads see it now.
    dir: BTreeMap<PathBuf, usize>,
    /// Name -> inode, as of the last directory fsync.
    dir_synced: BTreeMap<PathBuf, usize>,
    open: Option<usize>,
    /// Operations performed so far (failed ones included).
    ops: usize,
    fault: Option<(usize, Fault)>,
    crashed: bool,
    log: Vec<String>,
}

impl SimFs {
    /// Counts the operation; `Err` if it must fail.
    fn step(&mut self, what: String) -> io::Result<()> {
        let n = self.ops;
        self.ops += 1;
        self.log.push(what);
        if self.crashed {
            return Err(io::Error::other("the process has crashed"));
        }
        match self.fault {
            Some((at, kind)) if at == n => {
                if kind == Fault::Crash {
                    self.crashed = true;
                }
                Err(io::Error::other(format!("injected {kind:?} at operation {n}")))
            }
            _ => Ok(()),
        }
    }

    /// Makes everything durable (the state before the save under test).
    fn sync_all(&mut self) {
        for inode in &mut self.inodes {
            inode.synced = inode.data.clone();
        }
        self.dir_synced = self.dir.clone();
    }

    fn read(&self, path: &Path) -> Option<Vec<u8>> {
        self.dir.get(path).map(|i| self.inodes[*i].data.clone())
    }

    /// The contents of `path` in every state a crash now could leave: the directory as synced
    /// or as seen (a rename may or may not have reached the disk), each file's data as synced,
    /// as seen, or torn half-way between.
    fn crash_states(&self, path: &Path) -> Vec<Option<Vec<u8>>> {
        let mut out = Vec::new();
        for dir in [&self.dir_synced, &self.dir] {
            match dir.get(path) {
                None => out.push(None),
                Some(i) => {
                    let inode = &self.inodes[*i];
                    out.push(Some(inode.synced.clone()));
                    out.push(Some(inode.data.clone()));
                    if inode.data.len() > inode.synced.len() && inode.data.starts_with(&inode.synced) {
                        let half = inode.synced.len() + (inode.data.len() - inode.synced.len()) / 2;
                        out.push(Some(inode.data[..half].to_vec()));
                    }
                }
            }
        }
        out
    }
}

impl SnapshotFs for SimFs {
    fn create(&mut self, path: &Path) -> io::Result<()> {
        self.step(format!("create {}", path.display()))?;
        self.inodes.push(Inode::default());
        let i = self.inodes.len() - 1;
        self.dir.insert(path.to_owned(), i);
        self.open = Some(i);
        Ok(())
    }

    fn write(&mut self, path: &Path, data: &[u8]) -> io::Result<()> {
        self.step(format!("write {} bytes to {}", data.len(), path.display()))?;
        let i = self.open.ok_or_else(|| io::Error::other("not open"))?;
        self.inodes[i].data.extend_from_slice(data);
        Ok(())
    }

    fn sync_file(&mut self, path: &Path) -> io::Result<()> {
        self.step(format!("fsync {}", path.display()))?;
        let i = self.open.take().ok_or_else(|| io::Error::other("not open"))?;
        self.inodes[i].synced = self.inodes[i].data.clone();
        Ok(())
    }

    fn rename(&mut self, from: &Path, to: &Path) -> io::Result<()> {
        self.step(format!("rename {} -> {}", from.display(), to.display()))?;
        let i = self
            .dir
            .remove(from)
            .ok_or_else(|| io::Error::other("no such file"))?;
        self.dir.insert(to.to_owned(), i);
        Ok(())
    }

    fn sync_dir(&mut self, dir: &Path) -> io::Result<()> {
        self.step(format!("fsync directory {}", dir.display()))?;
        self.dir_synced = self.dir.clone();
        Ok(())
    }

    fn remove(&mut self, path: &Path) -> io::Result<()> {
        self.step(format!("remove {}", path.display()))?;
        self.dir
            .remove(path)
            .map(|_| ())
            .ok_or_else(|| io::Error::other("no such file"))
    }
}

/// Opens `bytes` through a real file; `None` for an absent file.
fn open_bytes(bytes: &Option<Vec<u8>>) -> Option<Result<Dump, String>> {
    let bytes = bytes.as_ref()?;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.kgs");
    std::fs::write(&path, bytes).unwrap();
    Some(Graph::open(&path).map(|g| dump(&g)).map_err(|e| e.to_string()))
}

fn old_graph() -> Graph {
    let mut g = Graph::new();
    let a = g.add_node(&["Company"], [("name", "Old Co")]).unwrap();
    g.add_relationship(a, a, "OWNS", [("share", Value::Float(1.0))])
        .unwrap();
    g
}

/// Runs the save of `new` over `target` (holding `old`, or nothing) with every fault in turn.
fn check_every_fault_point(old: Option<&Graph>, new: &Graph) {
    let target = PathBuf::from("/sim/graph.kgs");
    let mut base = SimFs::default();
    if let Some(old) = old {
        old.save_with_fs(&target, &mut base).unwrap();
        base.sync_all();
    }
    base.ops = 0;
    base.log.clear();
    let old_dump = old.map(dump);
    let new_dump = dump(new);

    // A save without faults: its operations are the points to fail at.
    let mut clean = base.clone();
    new.save_with_fs(&target, &mut clean).unwrap();
    let points = clean.ops;
    let log = clean.log.clone();
    assert_eq!(
        points, 6,
        "create, write header, write payload, fsync, rename, fsync dir: {log:?}"
    );
    assert_eq!(open_bytes(&clean.read(&target)), Some(Ok(new_dump.clone())));

    for (at, point) in log.iter().enumerate() {
        for kind in [Fault::Error, Fault::Crash] {
            let mut fs = base.clone();
            fs.fault = Some((at, kind));
            let result = new.save_with_fs(&target, &mut fs);
            assert!(
                result.is_err(),
                "a save failing at '{point}' ({kind:?}) reported success"
            );

            let mut states = fs.crash_states(&target);
            if kind == Fault::Error {
                // The process lives on: what it reads now counts too.
                states.push(fs.read(&target));
            }
            for state in states {
                match (open_bytes(&state), &old_dump) {
                    (None, None) => {}
                    (None, Some(_)) => panic!("after '{point}' ({kind:?}) the old snapshot is gone"),
                    (Some(Ok(d)), old) => assert!(
                        d == new_dump || Some(&d) == old.as_ref(),
                        "after '{point}' ({kind:?}) the file holds a mix of old and new"
                    ),
                    (Some(Err(e)), _) => panic!("after '{point}' ({kind:?}) the file does not open: {e}"),
                }
            }
            // Failures before the rename leave the old file in place for the living process.
            if kind == Fault::Error
                && point.starts_with("create") | point.starts_with("write") | point.starts_with("fsync /")
            {
                assert_eq!(
                    open_bytes(&fs.read(&target)),
                    old_dump.clone().map(Ok),
                    "after '{point}'"
                );
            }
        }
    }
}

#[test]
fn a_failed_or_crashed_save_leaves_the_old_or_the_new_snapshot() {
    check_every_fault_point(Some(&old_graph()), &fixture_graph());
}

#[test]
fn a_failed_first_save_leaves_nothing_or_the_new_snapshot() {
    check_every_fault_point(None, &fixture_graph());
}

#[test]
fn a_save_over_a_real_file_keeps_the_old_one_when_the_directory_is_missing() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("graph.kgs");
    old_graph().save(&target).unwrap();
    // Saving into a directory that does not exist fails before touching anything.
    let err = fixture_graph()
        .save(dir.path().join("missing/graph.kgs"))
        .unwrap_err();
    assert!(!err.is_damage(), "{err}");
    assert_eq!(dump(&Graph::open(&target).unwrap()), dump(&old_graph()));
    // And a successful save leaves no temporary file behind.
    fixture_graph().save(&target).unwrap();
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["graph.kgs"]);
    assert_eq!(dump(&Graph::open(&target).unwrap()), dump(&fixture_graph()));
}

/// The writer is the crash-safe protocol itself: the file's data is durable before the rename,
/// and the directory is synced after it. A writer that renamed first would fail the checks
/// above; this pins the order.
#[test]
fn the_protocol_is_write_fsync_rename_fsync_dir() {
    let mut fs = SimFs::default();
    fixture_graph()
        .save_with_fs(Path::new("/sim/g.kgs"), &mut fs)
        .unwrap();
    let kinds: Vec<&str> = fs.log.iter().map(|l| l.split(' ').next().unwrap()).collect();
    assert_eq!(kinds, ["create", "write", "write", "fsync", "rename", "fsync"]);
    assert!(
        fs.log[0].contains("/sim/.g.kgs."),
        "the temporary file is beside the target: {}",
        fs.log[0]
    );
    assert_eq!(fs.log[5], "fsync directory /sim");
}

#[test]
fn a_save_removes_the_temporary_files_of_crashed_saves_of_its_target() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("graph.kgs");
    old_graph().save(&target).unwrap();
    // A save that crashed leaves its temporary file: hidden, beside the target, named after
    // it with the process id and a counter, holding part of a snapshot.
    let bytes = std::fs::read(&target).unwrap();
    let crashed = [
        dir.path().join(".graph.kgs.4000000.0.tmp"),
        dir.path().join(".graph.kgs.4000001.17.tmp"),
    ];
    for c in &crashed {
        std::fs::write(c, &bytes[..bytes.len() / 2]).unwrap();
    }
    // Files that are not its temporary files stay, whatever they look like.
    let others = [
        ".graph.kgs.tmp",
        ".graph.kgs.x.0.tmp",
        ".other.kgs.4000000.0.tmp",
        "graph.kgs.4000000.0.tmp",
        "notes.txt",
    ];
    for name in others {
        std::fs::write(dir.path().join(name), b"keep").unwrap();
    }
    fixture_graph().save(&target).unwrap();
    for c in &crashed {
        assert!(!c.exists(), "{} was left", c.display());
    }
    let names = common::file_names(dir.path());
    let mut expected: Vec<String> = others.iter().map(|s| (*s).to_owned()).collect();
    expected.push("graph.kgs".to_owned());
    expected.sort();
    assert_eq!(names, expected);
    assert_eq!(dump(&Graph::open(&target).unwrap()), dump(&fixture_graph()));
}

#[test]
fn a_save_leaves_the_temporary_file_of_a_save_in_progress() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("graph.kgs");
    // Another save of the same target is writing: it holds its temporary file locked.
    let writing = dir.path().join(".graph.kgs.4000000.0.tmp");
    let file = std::fs::File::create(&writing).unwrap();
    file.try_lock().unwrap();
    fixture_graph().save(&target).unwrap();
    assert!(writing.exists(), "the file of a save in progress was removed");
    drop(file);
    fixture_graph().save(&target).unwrap();
    assert!(!writing.exists(), "once its writer is gone, it is a leftover");
}
