//! An appending import holds one batch, not the file: a JSON Lines file of property-heavy node
//! rows, all matched by key onto a small graph (which so stays small while the file is large),
//! is imported in a child process whose address space is capped below the file's size. An
//! importer that collected the file's rows first would need more than the cap and abort.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::io::Write;

use kgraph::{Graph, ImportOptions};

/// Tells the test it is the capped child, and where the file is.
const FILE: &str = "KGRAPH_TEST_IMPORT_MEMORY_FILE";
/// Nodes of the small graph, which every row of the file matches.
const KEYS: u64 = 1_000;
/// Rows of the file, and the bytes of each row's text property.
const ROWS: u64 = 120_000;
const BLOB: usize = 2_500;
/// The child's address-space cap, in MiB: less than the file (about 300 MB), more than the
/// test process needs to run (threads, allocator arenas) plus a batch.
const CAP_MIB: u64 = 200;

fn write_file(path: &std::path::Path) -> u64 {
    let mut w = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    let blob: String = "数据x".repeat(BLOB / 7);
    for i in 0..ROWS {
        writeln!(
            w,
            "{{\"node\":{{\"id\":{i},\"labels\":[\"K\"],\"properties\":{{\"key\":{},\"row\":{i},\"blob\":\"{blob}{i}\"}}}}}}",
            i % KEYS
        )
        .unwrap();
    }
    w.flush().unwrap();
    std::fs::metadata(path).unwrap().len()
}

#[test]
fn an_import_of_a_file_larger_than_the_memory_cap_streams() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.jsonl");
    let len = write_file(&path);
    assert!(len > (CAP_MIB << 20), "the file ({len} bytes) outgrows the cap");
    let exe = std::env::current_exe().expect("the test binary's path");
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!(
            "ulimit -v {} && exec \"$0\" --exact import_in_a_capped_child --include-ignored --test-threads 1",
            CAP_MIB * 1024
        ))
        .arg(exe)
        .env(FILE, &path)
        .status()
        .expect("sh runs");
    assert!(status.success(), "the capped child failed: {status}");
}

#[test]
#[ignore = "run by an_import_of_a_file_larger_than_the_memory_cap_streams in a capped child"]
fn import_in_a_capped_child() {
    let Some(path) = std::env::var_os(FILE) else {
        return;
    };
    let mut g = Graph::new();
    for k in 0..KEYS {
        g.add_node(&["K"], [("key", k as i64)]).unwrap();
    }
    let report = g
        .import_jsonl_into(
            &path,
            &ImportOptions::new().merge_on("K", "key").batch_rows(1_000),
        )
        .unwrap();
    assert_eq!(report.nodes_matched, ROWS);
    assert_eq!(report.nodes_created, 0);
    assert_eq!(g.node_count() as u64, KEYS);
    // Each node holds the last row that matched it.
    let last = g.nodes().next().unwrap();
    let row = g.node(last).unwrap().property("row").cloned();
    assert_eq!(row, Some(kgraph::Value::Int((ROWS - KEYS) as i64)));
    // The file is more than twice the graph's memory: the graph holds one blob per node.
    let file = std::fs::metadata(&path).unwrap().len();
    assert!(file > 2 * 2 * KEYS * BLOB as u64 * 2, "{file}");
}
