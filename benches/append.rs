//! Appending imports: 10% more nodes and relationships (`import_csv_into`) into the shared
//! benchmark's S-scale graph (10,000 nodes, 60,000 relationships), side by side with importing
//! the same 10% into an empty graph, by the bulk importer (`import_csv`) and by the appending
//! one. The target: the append into the full graph within 2x of the bulk import of the 10%
//! into an empty one. The 10% is made from the S data: its first tenth of the node rows under
//! new ids and names, and its first tenth of the relationship rows between them.
//!
//! `cargo bench --bench append`
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic, missing_docs)]

use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use kgraph::{Graph, ImportOptions};

mod common;
use common::dataset;

/// Ids of the 10% start here, far above the S data's.
const OFFSET: u64 = 1 << 32;

/// Writes the 10% files into `dir`; returns their paths and the rows (nodes + relationships).
fn tenth(nodes: &Path, rels: &Path, dir: &Path) -> (PathBuf, PathBuf, u64) {
    let mut rdr = csv::Reader::from_path(nodes).unwrap();
    let header = rdr.headers().unwrap().clone();
    let id_col = header.iter().position(|h| h.ends_with(":ID")).unwrap();
    let name_col = header.iter().position(|h| h.starts_with("name:")).unwrap();
    let rows: Vec<csv::StringRecord> = rdr.records().map(Result::unwrap).collect();
    let take = rows.len() / 10;
    let out_nodes = dir.join("nodes.csv");
    let mut w = csv::Writer::from_path(&out_nodes).unwrap();
    w.write_record(&header).unwrap();
    let mut ids = Vec::with_capacity(take);
    for row in &rows[..take] {
        let id: u64 = row[id_col].parse().unwrap();
        ids.push(id);
        let cells: Vec<String> = row
            .iter()
            .enumerate()
            .map(|(i, c)| match i {
                _ if i == id_col => (OFFSET + id).to_string(),
                _ if i == name_col => format!("{c} (new)"),
                _ => c.to_owned(),
            })
            .collect();
        w.write_record(&cells).unwrap();
    }
    w.flush().unwrap();

    let mut rdr = csv::Reader::from_path(rels).unwrap();
    let header = rdr.headers().unwrap().clone();
    let start_col = header.iter().position(|h| h.ends_with(":START_ID")).unwrap();
    let end_col = header.iter().position(|h| h.ends_with(":END_ID")).unwrap();
    let rows: Vec<csv::StringRecord> = rdr.records().map(Result::unwrap).collect();
    let take_rels = rows.len() / 10;
    let out_rels = dir.join("relationships.csv");
    let mut w = csv::Writer::from_path(&out_rels).unwrap();
    w.write_record(&header).unwrap();
    for row in &rows[..take_rels] {
        // Each end moved onto one of the new nodes.
        let end_of = |col: usize| {
            let id: u64 = row[col].parse().unwrap();
            (OFFSET + ids[(id % ids.len() as u64) as usize]).to_string()
        };
        let cells: Vec<String> = row
            .iter()
            .enumerate()
            .map(|(i, c)| match i {
                _ if i == start_col || i == end_col => end_of(i),
                _ => c.to_owned(),
            })
            .collect();
        w.write_record(&cells).unwrap();
    }
    w.flush().unwrap();
    (out_nodes, out_rels, (take + take_rels) as u64)
}

fn append(c: &mut Criterion) {
    let (nodes, rels, _) = dataset("S");
    let tmp = tempfile::tempdir().expect("a temporary directory");
    let (new_nodes, new_rels, rows) = tenth(&nodes, &rels, tmp.path());
    let opts = ImportOptions::new();
    let base = || Graph::import_csv(&nodes, &rels).expect("the generated data imports");

    let mut group = c.benchmark_group("append_10pct_S");
    group.sample_size(20);
    group.measurement_time(Duration::from_secs(5));
    group.throughput(Throughput::Elements(rows));
    group.bench_function("into_S_graph (import_csv_into)", |b| {
        b.iter_batched(
            base,
            |mut g| {
                g.import_csv_into(&new_nodes, &new_rels, &opts).expect("append");
                g
            },
            BatchSize::LargeInput,
        )
    });
    group.bench_function("into_empty_graph (import_csv_into)", |b| {
        b.iter_with_large_drop(|| {
            let mut g = Graph::new();
            g.import_csv_into(&new_nodes, &new_rels, &opts).expect("append");
            g
        })
    });
    group.bench_function("into_empty_graph (import_csv, bulk)", |b| {
        b.iter_with_large_drop(|| Graph::import_csv(&new_nodes, &new_rels).expect("import"))
    });
    let merge = ImportOptions::new().merge_on("Company", "name");
    group.bench_function("into_S_graph, matched on Company.name", |b| {
        b.iter_batched(
            base,
            |mut g| {
                g.import_csv_into(&new_nodes, &new_rels, &merge).expect("append");
                g
            },
            BatchSize::LargeInput,
        )
    });
    group.finish();
}

criterion_group!(benches, append);
criterion_main!(benches);
