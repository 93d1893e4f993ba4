//! `Database::verify`: a database directory is checked without being changed. It answers what
//! opening answers (the same graph, the same damage errors) and reports what opening would
//! repair: a torn last commit, leftover files, a missing newest log.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::collections::BTreeMap;
use std::path::Path;

use kgraph::{Database, DbError};

mod common;

/// Every file of `dir` with its bytes: what "unchanged" compares.
fn contents(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}

/// A closed database of `n` commits (a node `:T {i}` each), and the log's length after each.
fn database(n: i64) -> (tempfile::TempDir, Vec<u64>) {
    let dir = tempfile::tempdir().unwrap();
    let mut ends = Vec::new();
    {
        let db = Database::open(dir.path()).unwrap();
        ends.push(std::fs::metadata(common::only_log(dir.path())).unwrap().len());
        for i in 0..n {
            db.execute(&format!("CREATE (:T {{i: {i}, name: 'node {i}'}})"))
                .unwrap();
            ends.push(std::fs::metadata(common::only_log(dir.path())).unwrap().len());
        }
    }
    (dir, ends)
}

/// The graph's JSON Lines export (with ids).
fn jsonl(g: &kgraph::Graph) -> String {
    let out = tempfile::tempdir().unwrap();
    let path = out.path().join("g.jsonl");
    g.export_jsonl(&path).unwrap();
    std::fs::read_to_string(path).unwrap()
}

fn node_count(db: &Database) -> usize {
    db.read().node_count()
}

#[test]
fn a_sound_directory_is_reported_whole_and_left_as_it_was() {
    let (dir, _) = database(3);
    let before = contents(dir.path());
    let v = Database::verify(dir.path()).unwrap();
    assert_eq!(v.graph.node_count(), 3);
    assert_eq!((v.commits, v.torn_bytes, v.log_missing), (3, 0, false));
    assert!(v.leftovers.is_empty(), "{:?}", v.leftovers);
    assert_eq!(contents(dir.path()), before);
    // The same graph as opening gives.
    let db = Database::open(dir.path()).unwrap();
    assert_eq!(jsonl(&v.graph), jsonl(&db.read()));
}

#[test]
fn a_torn_last_commit_is_reported_and_only_opening_cuts_it() {
    let (dir, ends) = database(3);
    let log = common::only_log(dir.path());
    // A crash in the middle of the third commit: its last bytes never reached the disk.
    let cut = ends[3] - 5;
    let f = std::fs::OpenOptions::new().write(true).open(&log).unwrap();
    f.set_len(cut).unwrap();
    drop(f);
    let before = contents(dir.path());
    let v = Database::verify(dir.path()).unwrap();
    assert_eq!((v.graph.node_count(), v.commits), (2, 2));
    assert_eq!(v.torn_bytes, cut - ends[2]);
    assert_eq!(contents(dir.path()), before, "verify changed the directory");
    // Opening repairs it; verify then finds nothing to repair.
    assert_eq!(node_count(&Database::open(dir.path()).unwrap()), 2);
    assert_eq!(std::fs::metadata(&log).unwrap().len(), ends[2]);
    assert_eq!(Database::verify(dir.path()).unwrap().torn_bytes, 0);
}

#[test]
fn damage_before_the_last_commit_is_the_error_opening_gives() {
    let (dir, ends) = database(3);
    let log = common::only_log(dir.path());
    let mut bytes = std::fs::read(&log).unwrap();
    // A flipped bit inside the first commit, which two whole commits follow.
    let at = (ends[0] + (ends[1] - ends[0]) / 2) as usize;
    bytes[at] ^= 0x10;
    std::fs::write(&log, &bytes).unwrap();
    let before = contents(dir.path());
    let opened = match Database::open(dir.path()) {
        Err(e @ DbError::Corrupt { .. }) => e.to_string(),
        other => panic!("open: {other:?}"),
    };
    let verified = match Database::verify(dir.path()) {
        Err(e @ DbError::Corrupt { .. }) => e.to_string(),
        other => panic!("verify: {other:?}"),
    };
    assert_eq!(verified, opened);
    assert_eq!(contents(dir.path()), before);
}

#[test]
fn what_opening_removes_or_creates_is_listed_not_touched() {
    let (dir, _) = database(1);
    // A checkpoint: generation 2 (snapshot and log) begins, generation 1 is left over.
    {
        let db = Database::open(dir.path()).unwrap();
        db.checkpoint().unwrap();
    }
    // An interrupted save's temporary file, and the newest log gone (a checkpoint that
    // stopped after its snapshot: the log holds nothing yet).
    let temp = dir.path().join(".snapshot-000000000002.kgs.77.0.tmp");
    std::fs::write(&temp, b"half a snapshot").unwrap();
    let log = common::only_log(dir.path());
    std::fs::remove_file(&log).unwrap();
    let old_snapshot = dir.path().join("snapshot-000000000001.kgs");
    std::fs::copy(dir.path().join("snapshot-000000000002.kgs"), &old_snapshot).unwrap();
    let before = contents(dir.path());
    let v = Database::verify(dir.path()).unwrap();
    assert_eq!((v.generation, v.commits, v.log_missing), (2, 0, true));
    assert_eq!(v.graph.node_count(), 1);
    assert_eq!(v.leftovers, vec![temp.clone(), old_snapshot.clone()]);
    assert_eq!(contents(dir.path()), before);
    // Opening does what was reported.
    drop(Database::open(dir.path()).unwrap());
    assert!(!temp.exists() && !old_snapshot.exists() && log.exists());
    let v = Database::verify(dir.path()).unwrap();
    assert!(v.leftovers.is_empty() && !v.log_missing, "{v:?}");
}

#[test]
fn an_open_database_is_locked_and_a_plain_directory_is_no_database() {
    let (dir, _) = database(1);
    let db = Database::open(dir.path()).unwrap();
    assert!(matches!(
        Database::verify(dir.path()),
        Err(DbError::Locked { .. })
    ));
    drop(db);
    assert!(Database::verify(dir.path()).is_ok());
    // An empty directory: an error, and no lock file or log appears in it.
    let empty = tempfile::tempdir().unwrap();
    let e = Database::verify(empty.path()).unwrap_err();
    assert!(e.to_string().contains("not a database directory"), "{e}");
    assert!(contents(empty.path()).is_empty());
    assert!(Database::verify(empty.path().join("missing")).is_err());
    assert!(!empty.path().join("missing").exists());
}
