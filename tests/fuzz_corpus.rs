//! Replays the committed fuzz corpus (`fuzz/corpus/<target>/`) through the fuzz targets'
//! bodies (`fuzz/src/lib.rs`) under stable `cargo test`: every input that once found new
//! coverage, and every crash fixed since, keeps passing. The targets themselves run under
//! cargo-fuzz on nightly (README, "Fuzzing").
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

#[path = "../fuzz/src/lib.rs"]
#[allow(dead_code)]
mod targets;

use std::path::Path;

/// Runs every file of `fuzz/corpus/<name>/` through the target `name`, naming the file
/// that fails.
fn replay(name: &str) {
    let f = targets::TARGETS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, f)| *f)
        .expect("a known target");
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(name);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("the target's corpus")
        .map(|e| e.expect("a corpus entry").path())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "{name}: empty corpus");
    for file in &files {
        let data = std::fs::read(file).expect("read a corpus file");
        let outcome = std::panic::catch_unwind(|| f(&data));
        if outcome.is_err() {
            targets::remove_scratch(name);
            panic!(
                "{name}: {} fails (replay: cargo +nightly fuzz run {name} {})",
                file.display(),
                file.display()
            );
        }
    }
    targets::remove_scratch(name);
}

#[test]
fn query_corpus() {
    replay("query");
}

#[test]
fn parse_print_parse_corpus() {
    replay("parse_print_parse");
}

#[test]
fn snapshot_open_corpus() {
    replay("snapshot_open");
}

#[test]
fn log_open_corpus() {
    replay("log_open");
}

#[test]
fn import_jsonl_corpus() {
    replay("import_jsonl");
}

#[test]
fn import_csv_corpus() {
    replay("import_csv");
}
