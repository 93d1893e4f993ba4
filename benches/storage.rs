//! Snapshot save and open, and CSV import, on the shared benchmark's S-scale graph (10,000
//! nodes, 60,000 relationships). The data is generated once into `target/bench-data/S` with
//! `../shared/bench/gen.py` (beside the crate root, as in CI).
//!
//! `cargo bench --bench storage`
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic, missing_docs)]

use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use kgraph::Graph;

mod common;
use common::dataset;

fn storage(c: &mut Criterion) {
    let (nodes, rels, _) = dataset("S");
    let graph = Graph::import_csv(&nodes, &rels).expect("the generated data imports");
    let rel_count = graph.relationship_count() as u64;
    let tmp = tempfile::tempdir().expect("a temporary directory");
    let snapshot = tmp.path().join("S.kgs");
    graph.save(&snapshot).expect("save");

    // One timed run of each, printed as relationships per second, before criterion's runs.
    // The graph a step returns is dropped after the clock stops: freeing is not loading.
    let per_second = |label: &str, f: &mut dyn FnMut() -> Option<Graph>| {
        let started = Instant::now();
        let out = f();
        let secs = started.elapsed().as_secs_f64();
        drop(out);
        println!(
            "{label}: {:.1} ms, {:.2} M relationships/s",
            secs * 1e3,
            rel_count as f64 / secs / 1e6
        );
    };
    per_second("import_csv (S)", &mut || {
        Some(Graph::import_csv(&nodes, &rels).expect("import"))
    });
    per_second("save (S)", &mut || {
        graph.save(&snapshot).expect("save");
        None
    });
    per_second("open (S)", &mut || Some(Graph::open(&snapshot).expect("open")));

    let mut group = c.benchmark_group("storage_S");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(5));
    group.throughput(Throughput::Elements(rel_count));
    group.bench_function("import_csv", |b| {
        b.iter_with_large_drop(|| Graph::import_csv(&nodes, &rels).expect("import"))
    });
    group.bench_function("save", |b| b.iter(|| graph.save(&snapshot).expect("save")));
    group.bench_function("open", |b| {
        b.iter_with_large_drop(|| Graph::open(&snapshot).expect("open"))
    });
    group.finish();
}

criterion_group!(benches, storage);
criterion_main!(benches);
