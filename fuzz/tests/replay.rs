//! The committed corpus of every fuzz target, replayed by the target's own libFuzzer binary
//! (`-runs=0`: each input runs once; a panic, a hang over 5 s or 2 GB of memory fails it).
//! `cargo test` builds these binaries beside the tests, with the same build of the library
//! and without coverage instrumentation, which a replay does not need; `cargo fuzz` builds
//! them instrumented for fuzzing (README, "Fuzzing").
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::path::Path;
use std::process::Command;

/// Runs target `name`'s binary on its corpus directory; fails with libFuzzer's report.
fn replay(name: &str, exe: &str) {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus").join(name);
    let files = std::fs::read_dir(&corpus).expect("the target's corpus").count();
    assert!(files > 0, "{name}: empty corpus");
    // Scratch files of the targets (snapshots, logs) go to a directory of this run's own.
    let scratch = tempfile::tempdir().expect("a scratch directory");
    // A failing input is copied there by libFuzzer, not into the working directory.
    let artifacts = format!("-artifact_prefix={}/{name}-", env!("CARGO_TARGET_TMPDIR"));
    let out = Command::new(exe)
        .arg(&corpus)
        .args(["-runs=0", "-timeout=5", "-rss_limit_mb=2048", &artifacts])
        .env("TMPDIR", scratch.path())
        .output()
        .expect("the fuzz target runs");
    let report = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "{name} failed on its committed corpus (replay one input: cargo +nightly fuzz run {name} FILE):\n{}",
        report
            .lines()
            .rev()
            .take(60)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect::<Vec<_>>()
            .join("\n")
    );
    let done = format!("Done {} runs", files + 1);
    assert!(
        report.contains(&done),
        "{name}: expected \"{done}\" (every file and the empty input) in libFuzzer's report:\n{report}"
    );
}

#[test]
fn query() {
    replay("query", env!("CARGO_BIN_EXE_query"));
}

#[test]
fn parse_print_parse() {
    replay("parse_print_parse", env!("CARGO_BIN_EXE_parse_print_parse"));
}

#[test]
fn snapshot_open() {
    replay("snapshot_open", env!("CARGO_BIN_EXE_snapshot_open"));
}

#[test]
fn log_open() {
    replay("log_open", env!("CARGO_BIN_EXE_log_open"));
}

#[test]
fn import_jsonl() {
    replay("import_jsonl", env!("CARGO_BIN_EXE_import_jsonl"));
}

#[test]
fn import_csv() {
    replay("import_csv", env!("CARGO_BIN_EXE_import_csv"));
}

/// Every target of `fuzz/src/lib.rs` has a test above.
#[test]
fn every_target_is_replayed() {
    let source = include_str!("replay.rs");
    for (name, _) in kgraph_fuzz::TARGETS {
        assert!(
            source.contains(&format!("fn {name}()")),
            "no replay test for the fuzz target {name}"
        );
    }
}
