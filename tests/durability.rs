//! Durable databases: commits survive a reopen; a torn log tail is cut, damage before it is an
//! error naming its offset; a fault at any write or sync point of a commit or a checkpoint
//! leaves exactly the acknowledged transactions; one process writes a directory at a time.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::ffi::OsString;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use kgraph::{Database, DbError, DbOptions, Durability, Graph, Value};

mod common;

/// Everything observable, as text (export with ids, scan orders, look-ups).
fn fingerprint(g: &Graph) -> String {
    common::observable(
        g,
        &[
            "MATCH (n) RETURN id(n) AS n, labels(n) AS l",
            "MATCH (n)-[r]->(m) RETURN id(n) AS n, id(r) AS r, id(m) AS m",
            "MATCH (n:T) RETURN n.i AS i",
        ],
        &["name 3"],
    )
}

/// The `i` of every `:T` node, sorted.
fn committed(g: &Graph) -> Vec<i64> {
    let r = g.query("MATCH (n:T) RETURN n.i AS i ORDER BY i").run().unwrap();
    r.column("i").map(|v| v.as_int().unwrap()).collect()
}

/// Commit `i`: a node `:T {i}` and, when there is one, a relationship to commit `i - 1`'s
/// node, in two statements of one transaction.
fn commit(db: &Database, i: i64) -> Result<(), DbError> {
    let mut tx = db.write();
    tx.execute("CREATE (:T {i: $i, name: 'name ' + toString($i), tags: ['a', $i]})")
        .param("i", i)
        .run()
        .unwrap();
    tx.execute("MATCH (a:T {i: $i}), (b:T {i: $j}) CREATE (a)-[:NEXT {w: 1.5}]->(b) SET b.seen = true")
        .param("i", i)
        .param("j", i - 1)
        .run()
        .unwrap();
    tx.commit()
}

#[test]
fn commits_survive_a_reopen_with_their_ids() {
    let dir = tempfile::tempdir().unwrap();
    let expected = {
        let db = Database::open(dir.path()).unwrap();
        for i in 0..20 {
            commit(&db, i).unwrap();
        }
        db.execute("MATCH (n:T) WHERE n.i % 3 = 0 DETACH DELETE n")
            .unwrap();
        db.execute("MATCH (n:T {i: 4}) REMOVE n:T SET n:Gone, n.name = null")
            .unwrap();
        let mut tx = db.write();
        tx.graph_mut().create_unique_constraint("T", "i").unwrap();
        tx.commit().unwrap();
        // A rolled-back transaction and a failed statement leave nothing in the log.
        let mut tx = db.write();
        tx.execute("CREATE (:T {i: 100})").run().unwrap();
        tx.rollback();
        assert!(db.execute("CREATE (:T {i: 1})").is_err(), "the constraint holds");
        fingerprint(&db.read())
    };
    let db = Database::open(dir.path()).unwrap();
    assert_eq!(fingerprint(&db.read()), expected);
    // The constraint came back too, and the next ids follow on.
    assert!(db.execute("CREATE (:T {i: 1})").is_err());
    db.execute("CREATE (:T {i: 1000})").unwrap();
}

#[test]
fn a_second_opener_is_refused_until_the_first_closes() {
    let dir = tempfile::tempdir().unwrap();
    let first = Database::open(dir.path()).unwrap();
    match Database::open(dir.path()) {
        Err(DbError::Locked { dir: d }) => assert_eq!(d, dir.path()),
        other => panic!("expected Locked, got {other:?}"),
    }
    drop(first);
    Database::open(dir.path()).unwrap();
}

#[test]
fn checkpoints_keep_every_commit_and_drop_the_old_generation() {
    let dir = tempfile::tempdir().unwrap();
    let expected = {
        let db = Database::open(dir.path()).unwrap();
        for i in 0..10 {
            commit(&db, i).unwrap();
        }
        db.checkpoint().unwrap();
        for i in 10..15 {
            commit(&db, i).unwrap();
        }
        db.checkpoint().unwrap();
        commit(&db, 15).unwrap();
        fingerprint(&db.read())
    };
    let names = common::file_names(dir.path());
    assert_eq!(
        names,
        ["LOCK", "log-000000000003.kgl", "snapshot-000000000003.kgs"]
    );
    let db = Database::open(dir.path()).unwrap();
    assert_eq!(fingerprint(&db.read()), expected);
    assert_eq!(committed(&db.read()), (0..16).collect::<Vec<_>>());
}

#[test]
fn a_checkpoint_removes_the_temporary_files_of_interrupted_snapshot_saves() {
    let dir = tempfile::tempdir().unwrap();
    let db = Database::open(dir.path()).unwrap();
    commit(&db, 0).unwrap();
    // What failed or crashed snapshot saves of this and other generations leave, and files of
    // other names, which stay.
    let leftovers = [
        ".snapshot-000000000002.kgs.4000000.0.tmp",
        ".snapshot-000000000007.kgs.4000000.5.tmp",
    ];
    let others = [".notes.tmp", ".snapshot-000000000002.kgs.tmp", "notes.txt"];
    for name in leftovers.iter().chain(&others) {
        std::fs::write(dir.path().join(name), b"partial").unwrap();
    }
    db.checkpoint().unwrap();
    commit(&db, 1).unwrap();
    let names = common::file_names(dir.path());
    let mut expected: Vec<String> = others.iter().map(|s| (*s).to_owned()).collect();
    expected.extend(["LOCK", "log-000000000002.kgl", "snapshot-000000000002.kgs"].map(String::from));
    expected.sort();
    assert_eq!(names, expected);
    drop(db);
    let db = Database::open(dir.path()).unwrap();
    assert_eq!(committed(&db.read()), [0, 1]);
}

#[test]
fn a_checkpoint_starts_by_itself_past_the_threshold() {
    let dir = tempfile::tempdir().unwrap();
    let db = Database::open_with(dir.path(), DbOptions::default().checkpoint_after(2_000)).unwrap();
    for i in 0..60 {
        commit(&db, i).unwrap();
    }
    // The background checkpoint may still be running: wait for a newer generation.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let gens: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with("snapshot-") && !n.ends_with("01.kgs"))
            .collect();
        if !gens.is_empty() {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "no checkpoint started");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let expected = fingerprint(&db.read());
    drop(db);
    // Dropping the handle while a checkpoint thread holds a clone: wait for the lock.
    let db = loop {
        match Database::open(dir.path()) {
            Ok(db) => break db,
            Err(DbError::Locked { .. }) => std::thread::sleep(std::time::Duration::from_millis(20)),
            Err(e) => panic!("{e}"),
        }
    };
    assert_eq!(fingerprint(&db.read()), expected);
}

/// The log file of a closed database directory.
fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
    }
}

/// A closed database with `n` commits, and the log length after each commit.
fn logged(n: i64) -> (tempfile::TempDir, Vec<u64>) {
    let dir = tempfile::tempdir().unwrap();
    let mut ends = Vec::new();
    {
        let db = Database::open(dir.path()).unwrap();
        ends.push(std::fs::metadata(common::only_log(dir.path())).unwrap().len());
        for i in 0..n {
            commit(&db, i).unwrap();
            ends.push(std::fs::metadata(common::only_log(dir.path())).unwrap().len());
        }
    }
    (dir, ends)
}

#[test]
fn every_truncation_of_the_log_keeps_exactly_the_whole_commits() {
    let (dir, ends) = logged(6);
    let log = common::only_log(dir.path());
    let bytes = std::fs::read(&log).unwrap();
    // One scratch copy of the directory; each length rewrites its log.
    let scratch = tempfile::tempdir().unwrap();
    let d = scratch.path().join("db");
    copy_dir(dir.path(), &d);
    let scratch_log = d.join(log.file_name().unwrap());
    for cut in 0..=bytes.len() {
        std::fs::write(&scratch_log, &bytes[..cut]).unwrap();
        let whole = ends.iter().skip(1).filter(|e| **e as usize <= cut).count() as i64;
        // Near a commit's end, and at every 11th length, also check that the torn end is
        // gone: a new commit follows the last whole one and survives a reopen.
        let near_end = ends.iter().any(|e| (*e as usize).abs_diff(cut) <= 2);
        {
            let db = Database::open(&d).unwrap_or_else(|e| panic!("cut at {cut}: {e}"));
            assert_eq!(
                committed(&db.read()),
                (0..whole).collect::<Vec<_>>(),
                "cut at {cut}"
            );
            if !near_end && cut % 11 != 0 {
                continue;
            }
            commit(&db, 100).unwrap();
        }
        let db = Database::open(&d).unwrap();
        let mut want: Vec<i64> = (0..whole).collect();
        want.push(100);
        assert_eq!(committed(&db.read()), want, "cut at {cut}, reopened");
    }
}

#[test]
fn flipped_bits_are_cut_off_at_the_tail_and_an_error_before_it() {
    let (dir, ends) = logged(5);
    let log = common::only_log(dir.path());
    let bytes = std::fs::read(&log).unwrap();
    let last_start = ends[ends.len() - 2] as usize;
    let scratch = tempfile::tempdir().unwrap();
    // Every 7th byte after the header, one bit each.
    for (n, at) in (32..bytes.len()).step_by(7).enumerate() {
        let d = scratch.path().join(format!("f{at}"));
        copy_dir(dir.path(), &d);
        let mut b = bytes.clone();
        b[at] ^= 1 << (n % 8);
        std::fs::write(d.join(log.file_name().unwrap()), &b).unwrap();
        match Database::open(&d) {
            Ok(db) => {
                assert!(
                    at >= last_start,
                    "a flip at {at}, before the last commit, was not reported"
                );
                assert_eq!(committed(&db.read()), (0..4).collect::<Vec<_>>(), "flip at {at}");
            }
            Err(DbError::Corrupt { offset, .. }) => {
                assert!(at < last_start, "a flip at {at} in the last commit is an error");
                assert!(offset as usize <= at);
                // The recovery call keeps the commits before the damaged one.
                let (db, report) = Database::recover(&d, DbOptions::default()).unwrap();
                let report = report.expect("a recovery report");
                assert_eq!(report.offset, offset);
                let before = ends.iter().skip(1).filter(|e| **e <= offset).count() as i64;
                assert_eq!(
                    committed(&db.read()),
                    (0..before).collect::<Vec<_>>(),
                    "flip at {at}"
                );
                drop(db);
                let db = Database::open(&d).unwrap();
                assert_eq!(committed(&db.read()), (0..before).collect::<Vec<_>>());
            }
            Err(e) => panic!("flip at {at}: {e}"),
        }
        std::fs::remove_dir_all(&d).unwrap();
    }
}

#[test]
fn backup_replace_and_the_relaxed_modes() {
    let dir = tempfile::tempdir().unwrap();
    for mode in [
        Durability::EveryCommit,
        Durability::Periodic(std::time::Duration::from_millis(5)),
        Durability::OperatingSystem,
        Durability::Batched(std::time::Duration::from_millis(5)),
    ] {
        let d = dir
            .path()
            .join(format!("{mode:?}").replace(['(', ')', ' ', '.'], "_"));
        let expected = {
            let db = Database::open_with(&d, DbOptions::default().durability(mode)).unwrap();
            for i in 0..5 {
                commit(&db, i).unwrap();
            }
            db.backup(d.with_extension("backup")).unwrap();
            assert!(matches!(
                db.backup(d.with_extension("backup")),
                Err(DbError::NotEmpty { .. })
            ));
            fingerprint(&db.read())
        };
        let db = Database::open(&d).unwrap();
        assert_eq!(fingerprint(&db.read()), expected);
        let backup = Database::open(d.with_extension("backup")).unwrap();
        assert_eq!(committed(&backup.read()), (0..5).collect::<Vec<_>>());
        // Replace: the new content is durable when it returns.
        db.replace(Graph::ecosystem().unwrap()).unwrap();
        commit(&db, 7).unwrap();
        let want = fingerprint(&db.read());
        drop(db);
        let db = Database::open(&d).unwrap();
        assert_eq!(fingerprint(&db.read()), want);
        assert!(db.read().resolve("阿斯利康").is_ok());
    }
    assert!(matches!(
        Database::new().checkpoint(),
        Err(DbError::InMemory { .. })
    ));
}

#[test]
fn the_log_format_of_version_1_still_replays() {
    // A directory written by the first version of the log format (see docs/wal-format.md).
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/db-log-v1");
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture, dir.path());
    let db = Database::open(dir.path()).unwrap();
    let g = db.read();
    assert_eq!(committed(&g), vec![0, 1, 2, 4, 5]);
    assert!(g.query("MATCH (n:Gone) RETURN n").run().unwrap().len() == 1);
    assert_eq!(
        g.query("MATCH (:T {i: 5})-[r:NEXT]->(:T {i: 4}) RETURN r.w AS w")
            .run()
            .unwrap()
            .get(0, "w"),
        Some(&Value::Float(1.5))
    );
    assert_eq!(g.lookup("辉瑞").len(), 1);
}

/// Writes the fixture of `the_log_format_of_version_1_still_replays` (run by hand, with
/// `--ignored`, only when a new fixture is wanted).
#[test]
#[ignore]
fn write_the_log_fixture() {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/db-log-v1");
    let _ = std::fs::remove_dir_all(&fixture);
    let db = Database::open(&fixture).unwrap();
    for i in 0..6 {
        commit(&db, i).unwrap();
    }
    db.execute("MATCH (n:T {i: 3}) REMOVE n:T SET n:Gone").unwrap();
    db.execute("CREATE (:Company {name: 'Pfizer', name_zh: '辉瑞', founded: date('1849-01-01')})")
        .unwrap();
    drop(db);
    std::fs::remove_file(fixture.join("LOCK")).unwrap();
}

// ---- fault injection -----------------------------------------------------------------------

/// The real file system, with a fault at the `fail_at`-th operation (counting from 0): that
/// operation fails, and, if `crash`, every later one too, and at the end every log loses what
/// was not synced (as after a power loss).
struct FaultFs {
    ops: AtomicUsize,
    fail_at: usize,
    crash: bool,
    /// Per log file: bytes known synced.
    synced: Mutex<Vec<(PathBuf, u64)>>,
}

impl FaultFs {
    fn new(fail_at: usize, crash: bool) -> Arc<FaultFs> {
        Arc::new(FaultFs {
            ops: AtomicUsize::new(0),
            fail_at,
            crash,
            synced: Mutex::new(Vec::new()),
        })
    }

    fn op(&self) -> io::Result<()> {
        let n = self.ops.fetch_add(1, Ordering::SeqCst);
        if n == self.fail_at || (self.crash && n > self.fail_at) {
            return Err(io::Error::other(format!("injected fault at operation {n}")));
        }
        Ok(())
    }

    fn fired(&self) -> bool {
        self.ops.load(Ordering::SeqCst) > self.fail_at
    }

    /// A power loss: each log keeps only what was synced.
    fn lose_unsynced(&self) {
        for (path, len) in self.synced.lock().unwrap().iter() {
            if let Ok(f) = std::fs::OpenOptions::new().write(true).open(path)
                && f.metadata().unwrap().len() > *len
            {
                f.set_len(*len).unwrap();
            }
        }
    }

    fn set_synced(&self, path: &Path, len: u64) {
        let mut s = self.synced.lock().unwrap();
        match s.iter_mut().find(|(p, _)| p == path) {
            Some(e) => e.1 = len,
            None => s.push((path.to_owned(), len)),
        }
    }
}

struct FaultLog {
    fs: Arc<FaultFs>,
    path: PathBuf,
    file: std::fs::File,
}

impl kgraph::LogHandle for FaultLog {
    fn append(&mut self, data: &[u8]) -> io::Result<()> {
        self.fs.op()?;
        use std::io::Write;
        self.file.write_all(data)
    }
    fn sync(&mut self) -> io::Result<()> {
        self.fs.op()?;
        self.file.sync_data()?;
        self.fs.set_synced(&self.path, self.file.metadata()?.len());
        Ok(())
    }
    fn truncate(&mut self, len: u64) -> io::Result<()> {
        self.fs.op()?;
        self.file.set_len(len)
    }
}

struct FaultSnapshotFs<'a> {
    fs: &'a FaultFs,
    file: Option<std::fs::File>,
}

impl kgraph::SnapshotFs for FaultSnapshotFs<'_> {
    fn create(&mut self, path: &Path) -> io::Result<()> {
        self.fs.op()?;
        self.file = Some(std::fs::File::create(path)?);
        Ok(())
    }
    fn write(&mut self, _: &Path, data: &[u8]) -> io::Result<()> {
        self.fs.op()?;
        use std::io::Write;
        self.file.as_mut().unwrap().write_all(data)
    }
    fn sync_file(&mut self, _: &Path) -> io::Result<()> {
        self.fs.op()?;
        self.file.take().unwrap().sync_all()
    }
    fn rename(&mut self, from: &Path, to: &Path) -> io::Result<()> {
        self.fs.op()?;
        std::fs::rename(from, to)
    }
    fn sync_dir(&mut self, _: &Path) -> io::Result<()> {
        self.fs.op()
    }
    fn remove(&mut self, path: &Path) -> io::Result<()> {
        self.file = None;
        std::fs::remove_file(path)
    }
}

struct Shared(Arc<FaultFs>);

impl kgraph::DbFs for Shared {
    fn create_dir(&self, dir: &Path) -> io::Result<()> {
        std::fs::create_dir_all(dir)
    }
    fn list(&self, dir: &Path) -> io::Result<Vec<OsString>> {
        std::fs::read_dir(dir)?
            .map(|e| e.map(|e| e.file_name()))
            .collect()
    }
    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        std::fs::read(path)
    }
    fn create(&self, path: &Path) -> io::Result<Box<dyn kgraph::LogHandle>> {
        self.0.op()?;
        std::fs::File::create(path)?;
        self.0.set_synced(path, 0);
        self.open_append(path)
    }
    fn open_append(&self, path: &Path) -> io::Result<Box<dyn kgraph::LogHandle>> {
        let file = std::fs::OpenOptions::new().append(true).open(path)?;
        let len = file.metadata()?.len();
        if !self.0.synced.lock().unwrap().iter().any(|(p, _)| p == path) {
            self.0.set_synced(path, len);
        }
        Ok(Box::new(FaultLog {
            fs: self.0.clone(),
            path: path.to_owned(),
            file,
        }))
    }
    fn remove(&self, path: &Path) -> io::Result<()> {
        self.0.op()?;
        std::fs::remove_file(path)
    }
    fn sync_dir(&self, _: &Path) -> io::Result<()> {
        self.0.op()
    }
    fn snapshot_fs(&self) -> Box<dyn kgraph::SnapshotFs + '_> {
        Box::new(FaultSnapshotFs {
            fs: &self.0,
            file: None,
        })
    }
}

/// Runs `work` on a database whose file system fails at operation `fail_at` (after the open),
/// then reopens it with the real file system: it must hold exactly the commits that `work`
/// saw acknowledged (returns whether the fault fired).
fn with_fault(fail_at: usize, crash: bool, work: &dyn Fn(&Database, &mut Vec<i64>)) -> bool {
    let dir = tempfile::tempdir().unwrap();
    {
        let db = Database::open(dir.path()).unwrap();
        for i in 0..3 {
            commit(&db, i).unwrap();
        }
    }
    let fs = FaultFs::new(usize::MAX, false);
    let db = Database::open_with_fs(
        dir.path(),
        DbOptions::default().checkpoint_after(u64::MAX),
        Arc::new(Shared(fs.clone())),
    )
    .unwrap();
    // Count from here: the open's own operations are not under test.
    let fs2 = FaultFs::new(fs.ops.load(Ordering::SeqCst) + fail_at, crash);
    drop(db);
    let db = Database::open_with_fs(
        dir.path(),
        DbOptions::default().checkpoint_after(u64::MAX),
        Arc::new(Shared(fs2.clone())),
    )
    .unwrap();
    let mut acked: Vec<i64> = vec![0, 1, 2];
    work(&db, &mut acked);
    drop(db);
    let fired = fs2.fired();
    if crash {
        fs2.lose_unsynced();
    }
    let db = Database::open(dir.path()).unwrap_or_else(|e| panic!("fault at {fail_at} (crash {crash}): {e}"));
    assert_eq!(committed(&db.read()), acked, "fault at {fail_at} (crash {crash})");
    db.read().check_invariants().unwrap();
    fired
}

#[test]
fn a_fault_at_any_step_of_a_commit_or_a_checkpoint_keeps_exactly_the_acknowledged_commits() {
    let work = |db: &Database, acked: &mut Vec<i64>| {
        for i in 3..6 {
            if commit(db, i).is_ok() {
                acked.push(i);
            }
        }
        let _ = db.checkpoint();
        for i in 6..8 {
            if commit(db, i).is_ok() {
                acked.push(i);
            }
        }
        let _ = db.checkpoint();
        if commit(db, 8).is_ok() {
            acked.push(8);
        }
    };
    for crash in [false, true] {
        let mut at = 0;
        while with_fault(at, crash, &work) {
            at += 1;
        }
        assert!(at > 20, "only {at} operations were under test");
    }
}

#[test]
fn unique_names_survive_a_snapshot_a_log_and_a_rollback() {
    let dir = tempfile::tempdir().unwrap();
    // Through a snapshot: the embedded dataset requires unique names.
    let g = Graph::ecosystem().unwrap();
    assert!(g.unique_names());
    g.save(dir.path().join("eco.kgs")).unwrap();
    let back = Graph::open(dir.path().join("eco.kgs")).unwrap();
    assert!(back.unique_names(), "the rule survives save and open");
    // Through the log, and undone by a rollback.
    let d = dir.path().join("db");
    {
        let db = Database::open(&d).unwrap();
        db.execute("CREATE (:Company {name: 'Pfizer', name_zh: '辉瑞'})")
            .unwrap();
        let mut tx = db.write();
        tx.graph_mut().require_unique_names().unwrap();
        tx.rollback();
        assert!(!db.read().unique_names());
        let mut tx = db.write();
        tx.graph_mut().require_unique_names().unwrap();
        tx.commit().unwrap();
    }
    let db = Database::open(&d).unwrap();
    assert!(db.read().unique_names(), "the rule survives the log");
    let err = db.execute("CREATE (:Company {name: '輝瑞'})").unwrap_err();
    assert!(
        err.to_string().contains("辉瑞") || err.to_string().contains("輝瑞"),
        "{err}"
    );
    db.checkpoint().unwrap();
    drop(db);
    let db = Database::open(&d).unwrap();
    assert!(db.read().unique_names(), "and a checkpoint");
}

// ---- the batched mode (group commit) -------------------------------------------------------

/// What a crash of the process would leave of `db`'s directory now: its files as they are on
/// disk (a copy, opened on its own).
fn after_a_crash(db_dir: &Path, copy: &Path) -> Vec<i64> {
    let _ = std::fs::remove_dir_all(copy);
    copy_dir(db_dir, copy);
    let db = Database::open(copy).unwrap();
    db.read().check_invariants().unwrap();
    committed(&db.read())
}

#[test]
fn batched_commits_reach_the_log_at_a_sync_a_drop_or_within_their_interval() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("db");
    let crash = dir.path().join("crash");
    let hour = Durability::Batched(std::time::Duration::from_secs(3600));
    let db = Database::open_with(&d, DbOptions::default().durability(hour)).unwrap();
    for i in 0..3 {
        commit(&db, i).unwrap();
    }
    assert_eq!(committed(&db.read()), vec![0, 1, 2], "readers see them at once");
    assert_eq!(after_a_crash(&d, &crash), Vec::<i64>::new(), "not yet written");
    db.sync().unwrap();
    assert_eq!(after_a_crash(&d, &crash), vec![0, 1, 2], "written by the sync");
    commit(&db, 3).unwrap();
    assert_eq!(after_a_crash(&d, &crash), vec![0, 1, 2]);
    // A checkpoint writes them too (into the log it ends, before the snapshot).
    db.checkpoint().unwrap();
    assert_eq!(after_a_crash(&d, &crash), vec![0, 1, 2, 3]);
    commit(&db, 4).unwrap();
    let want = fingerprint(&db.read());
    drop(db);
    let db = Database::open(&d).unwrap();
    assert_eq!(fingerprint(&db.read()), want, "dropping the database writes them");
    drop(db);

    // With a short interval the background thread writes them, with no call.
    let quick = dir.path().join("quick");
    let every = Durability::Batched(std::time::Duration::from_millis(5));
    let db = Database::open_with(&quick, DbOptions::default().durability(every)).unwrap();
    commit(&db, 0).unwrap();
    commit(&db, 1).unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while after_a_crash(&quick, &crash) != vec![0, 1] {
        assert!(
            std::time::Instant::now() < deadline,
            "the batch was not written within 20 s"
        );
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}

#[test]
fn a_batch_past_its_byte_limit_is_written_by_the_commit_that_fills_it() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("db");
    let crash = dir.path().join("crash");
    let hour = Durability::Batched(std::time::Duration::from_secs(3600));
    let db = Database::open_with(&d, DbOptions::default().durability(hour)).unwrap();
    // Each commit logs a little more than a third of the limit: the third fills it.
    let pad = "x".repeat(kgraph::BATCH_BYTES / 3 + 1);
    for i in 0..4 {
        db.execute_with(
            "CREATE (:T {i: $i, pad: $pad})",
            &kgraph::Params::new().with("i", i).with("pad", pad.as_str()),
        )
        .unwrap();
    }
    assert_eq!(after_a_crash(&d, &crash), vec![0, 1, 2]);
    drop(db);
    assert_eq!(committed(&Database::open(&d).unwrap().read()), vec![0, 1, 2, 3]);
}

/// The batched mode under a fault at each file operation (and, with `crash`, a power loss
/// after it): what reopens is the state after some commit (a prefix of those that returned,
/// whole), never before the last `sync` or checkpoint that returned.
fn batched_with_fault(fail_at: usize, crash: bool) -> bool {
    let dir = tempfile::tempdir().unwrap();
    let hour = Durability::Batched(std::time::Duration::from_secs(3600));
    let options = DbOptions::default().checkpoint_after(u64::MAX).durability(hour);
    let fs = FaultFs::new(usize::MAX, false);
    let db = Database::open_with_fs(dir.path(), options.clone(), Arc::new(Shared(fs.clone()))).unwrap();
    drop(db);
    let fs2 = FaultFs::new(fs.ops.load(Ordering::SeqCst) + fail_at, crash);
    let db = Database::open_with_fs(dir.path(), options, Arc::new(Shared(fs2.clone()))).unwrap();
    let mut returned: Vec<i64> = Vec::new();
    let mut kept = 0;
    let run = |i: i64, returned: &mut Vec<i64>| {
        if commit(&db, i).is_ok() {
            returned.push(i);
        }
    };
    for i in 0..3 {
        run(i, &mut returned);
    }
    if db.sync().is_ok() {
        kept = returned.len();
    }
    for i in 3..5 {
        run(i, &mut returned);
    }
    if db.checkpoint().is_ok() {
        kept = returned.len();
    }
    run(5, &mut returned);
    if db.sync().is_ok() {
        kept = returned.len();
    }
    run(6, &mut returned);
    drop(db);
    let fired = fs2.fired();
    if crash {
        fs2.lose_unsynced();
    }
    let db = Database::open(dir.path()).unwrap_or_else(|e| panic!("fault at {fail_at} (crash {crash}): {e}"));
    db.read().check_invariants().unwrap();
    let found = committed(&db.read());
    assert!(
        found.len() >= kept && returned.starts_with(&found),
        "fault at {fail_at} (crash {crash}): found {found:?}, returned {returned:?}, {kept} kept by a sync"
    );
    if !fired {
        assert_eq!(found, returned, "no fault: every commit is there");
    }
    fired
}

#[test]
fn a_fault_in_the_batched_mode_keeps_a_prefix_through_the_last_sync() {
    for crash in [false, true] {
        let mut at = 0;
        while batched_with_fault(at, crash) {
            at += 1;
        }
        assert!(at > 8, "only {at} operations were under test");
    }
}

/// A file system whose logs sync, in the background flusher, through a second handle that
/// waits at a gate until the test opens it.
struct GatedFs {
    gate: Arc<Gate>,
}

#[derive(Default)]
struct Gate {
    /// (a sync is waiting at the gate, the gate is open)
    state: Mutex<(bool, bool)>,
    changed: std::sync::Condvar,
}

impl Gate {
    fn wait_for(&self, what: impl Fn(&(bool, bool)) -> bool) -> bool {
        let mut s = self.state.lock().unwrap();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        while !what(&s) {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            if left.is_zero() {
                return false;
            }
            s = self.changed.wait_timeout(s, left).unwrap().0;
        }
        true
    }
    fn set(&self, f: impl FnOnce(&mut (bool, bool))) {
        f(&mut self.state.lock().unwrap());
        self.changed.notify_all();
    }
}

struct GatedLog {
    inner: Box<dyn kgraph::LogHandle>,
    gate: Arc<Gate>,
}

struct GatedSync {
    inner: Box<dyn kgraph::LogSync>,
    gate: Arc<Gate>,
}

impl kgraph::LogSync for GatedSync {
    fn sync(&mut self) -> io::Result<()> {
        self.gate.set(|s| s.0 = true);
        self.gate.wait_for(|s| s.1);
        self.inner.sync()
    }
}

impl kgraph::LogHandle for GatedLog {
    fn append(&mut self, data: &[u8]) -> io::Result<()> {
        self.inner.append(data)
    }
    fn sync(&mut self) -> io::Result<()> {
        self.inner.sync()
    }
    fn truncate(&mut self, len: u64) -> io::Result<()> {
        self.inner.truncate(len)
    }
    fn syncer(&self) -> Option<Box<dyn kgraph::LogSync>> {
        Some(Box::new(GatedSync {
            inner: self.inner.syncer()?,
            gate: self.gate.clone(),
        }))
    }
}

impl kgraph::DbFs for GatedFs {
    fn create_dir(&self, dir: &Path) -> io::Result<()> {
        kgraph::StdDbFs.create_dir(dir)
    }
    fn list(&self, dir: &Path) -> io::Result<Vec<OsString>> {
        kgraph::StdDbFs.list(dir)
    }
    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        kgraph::StdDbFs.read(path)
    }
    fn create(&self, path: &Path) -> io::Result<Box<dyn kgraph::LogHandle>> {
        let inner = kgraph::StdDbFs.create(path)?;
        Ok(Box::new(GatedLog {
            inner,
            gate: self.gate.clone(),
        }))
    }
    fn open_append(&self, path: &Path) -> io::Result<Box<dyn kgraph::LogHandle>> {
        let inner = kgraph::StdDbFs.open_append(path)?;
        Ok(Box::new(GatedLog {
            inner,
            gate: self.gate.clone(),
        }))
    }
    fn remove(&self, path: &Path) -> io::Result<()> {
        kgraph::StdDbFs.remove(path)
    }
    fn sync_dir(&self, dir: &Path) -> io::Result<()> {
        kgraph::StdDbFs.sync_dir(dir)
    }
    fn snapshot_fs(&self) -> Box<dyn kgraph::SnapshotFs + '_> {
        static STD: kgraph::StdDbFs = kgraph::StdDbFs;
        STD.snapshot_fs()
    }
}

#[test]
fn commits_go_on_while_the_background_flusher_syncs() {
    for mode in [
        Durability::Batched(std::time::Duration::from_millis(1)),
        Durability::Periodic(std::time::Duration::from_millis(1)),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let gate = Arc::new(Gate::default());
        let fs = Arc::new(GatedFs { gate: gate.clone() });
        let db = Database::open_with_fs(dir.path(), DbOptions::default().durability(mode), fs).unwrap();
        commit(&db, 0).unwrap();
        // The flusher has written the commit and waits, mid-sync, at the gate.
        assert!(gate.wait_for(|s| s.0), "{mode:?}: the flusher never synced");
        // A commit while that sync is in progress returns: the flusher does not hold the
        // log's lock while it syncs. (Holding it, this commit would wait for the gate, which
        // opens only after it returns: the test would fail at the timeout below.)
        let (done, finished) = std::sync::mpsc::channel();
        std::thread::scope(|s| {
            s.spawn(|| {
                commit(&db, 1).unwrap();
                let _ = done.send(());
            });
            let returned = finished.recv_timeout(std::time::Duration::from_secs(60)).is_ok();
            gate.set(|s| s.1 = true);
            assert!(returned, "{mode:?}: a commit waited for the background sync");
        });
        db.sync().unwrap();
        drop(db);
        assert_eq!(
            committed(&Database::open(dir.path()).unwrap().read()),
            vec![0, 1],
            "{mode:?}"
        );
    }
}
