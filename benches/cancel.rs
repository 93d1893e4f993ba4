//! How long a running query takes to return once another thread cancels it: the time from
//! `CancelHandle::cancel()` to `run()` returning `Cancelled`, for a pushed cartesian product
//! on one thread and on several, a variable-length search and a sort being filled.
//!
//! `cargo bench --bench cancel`
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic, missing_docs)]

use std::sync::mpsc;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion};
use kgraph::{CancelHandle, Graph, QueryError, RuntimeKind};

fn nodes(n: i64) -> Graph {
    let mut g = Graph::new();
    g.execute("UNWIND range(1, $n) AS i CREATE (:N {i: i})")
        .param("n", n)
        .run()
        .unwrap();
    g
}

/// Runs `text` with a handle that another thread cancels after the query has run a while;
/// returns the time from `cancel()` to the query's return.
fn cancel_latency(g: &Graph, text: &str, threads: usize) -> Duration {
    let h = CancelHandle::new();
    let remote = h.clone();
    let (tx, rx) = mpsc::channel();
    let canceller = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(2));
        let at = Instant::now();
        remote.cancel();
        tx.send(at).unwrap();
    });
    let r = g.query(text).threads(threads).cancel_handle(&h).run();
    let returned = Instant::now();
    canceller.join().unwrap();
    let at = rx.recv().unwrap();
    assert!(
        matches!(
            r,
            Err(QueryError::Runtime {
                kind: RuntimeKind::Cancelled,
                ..
            })
        ),
        "{text} was not cancelled"
    );
    returned.saturating_duration_since(at)
}

fn cancel(c: &mut Criterion) {
    let wide = nodes(2000);
    let mut dense = nodes(40);
    dense
        .execute("MATCH (a:N), (b:N) WHERE a.i < b.i CREATE (a)-[:T]->(b)")
        .run()
        .unwrap();
    let empty = Graph::new();
    let cases: [(&str, &Graph, &str, usize); 4] = [
        (
            "cartesian, 1 thread",
            &wide,
            "MATCH (a), (b), (c), (d) RETURN count(*) AS n",
            1,
        ),
        (
            "cartesian, 4 threads",
            &wide,
            "MATCH (a), (b), (c), (d) RETURN count(*) AS n",
            4,
        ),
        (
            "var-length",
            &dense,
            "MATCH p = (a)-[*]->(b) RETURN count(*) AS n",
            1,
        ),
        (
            "sort",
            &empty,
            "UNWIND range(1, 100000000) AS x RETURN x ORDER BY x DESC",
            1,
        ),
    ];
    let mut group = c.benchmark_group("cancel_to_return");
    group.sample_size(30);
    for (name, g, text, threads) in cases {
        group.bench_function(name, |b| {
            b.iter_custom(|iters| (0..iters).map(|_| cancel_latency(g, text, threads)).sum())
        });
    }
    group.finish();
}

criterion_group!(benches, cancel);
criterion_main!(benches);
