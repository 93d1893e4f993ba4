//! The graph algorithms on the benchmark kit's scale-M graph (100,000 nodes, 1,000,000
//! relationships): PageRank (20 iterations) and weakly connected components, each call
//! including the projection of the whole graph, plus that projection alone (degree).
//!
//! `cargo bench --bench algorithms`; `benches/kuzu_algo.py` times Kùzu's algo extension on the
//! same data, to run beside it (the README's table of the graph algorithms).
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic, missing_docs)]

mod common;

use criterion::{criterion_group, criterion_main, Criterion};
use kgraph::algo::{self, PageRankOptions, Projection};
use kgraph::Graph;

fn algorithms(c: &mut Criterion) {
    let (nodes, rels, _) = common::dataset("M");
    let g = Graph::import_csv(nodes, rels).unwrap();
    let all = Projection::all();
    // Exactly 20 iterations: a tolerance of 0 never converges.
    let twenty = PageRankOptions {
        max_iterations: 20,
        tolerance: 0.0,
        ..PageRankOptions::default()
    };
    // What the timed calls compute, once, to compare with other engines' answers
    // (benches/kuzu_algo.py prints Kùzu's): the number of components and the scores' sum.
    let components: std::collections::BTreeSet<_> = algo::weakly_connected_components(&g, &all)
        .unwrap()
        .into_iter()
        .map(|(_, c)| c)
        .collect();
    let total: f64 = algo::page_rank(&g, &all, &twenty)
        .unwrap()
        .scores
        .iter()
        .map(|(_, s)| s)
        .sum();
    eprintln!(
        "{} weakly connected components; PageRank's scores (20 iterations) sum to {total}",
        components.len()
    );
    let mut group = c.benchmark_group(format!(
        "algorithms, {} nodes, {} relationships",
        g.node_count(),
        g.relationship_count()
    ));
    group.sample_size(10);
    group.bench_function("pagerank, 20 iterations", |b| {
        b.iter(|| {
            let r = algo::page_rank(&g, &all, &twenty).unwrap();
            assert_eq!(r.iterations, 20);
            r
        })
    });
    group.bench_function("weakly connected components", |b| {
        b.iter(|| algo::weakly_connected_components(&g, &all).unwrap())
    });
    group.bench_function("degree (the projection alone)", |b| {
        b.iter(|| algo::degree(&g, &all, None).unwrap())
    });
    group.finish();
}

criterion_group!(benches, algorithms);
criterion_main!(benches);
