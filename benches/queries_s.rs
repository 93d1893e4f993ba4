//! The eight benchmark queries of `../shared/bench/queries.json` on the S-scale generated graph
//! (10,000 nodes, 60,000 relationships), with the generator's parameters, plus variable-length
//! expansion and shortest paths on their own, so that a regression in any query shape shows in
//! `cargo bench --bench queries_s`.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic, missing_docs)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use kgraph::{Graph, Params};

mod common;
use common::dataset;

fn queries_s(c: &mut Criterion) {
    let (nodes, rels, params) = dataset("S");
    let graph = Graph::import_csv(&nodes, &rels).expect("the generated data imports");
    let params: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(params).expect("params.json"))
            .expect("params.json parses");
    let kit = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/bench/queries.json");
    let kit: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(kit).expect("queries.json"))
        .expect("queries.json parses");
    let mut cases: Vec<(String, String, Params)> = Vec::new();
    for q in kit["queries"].as_array().expect("a list of queries") {
        let id = q["id"].as_str().expect("an id").to_owned();
        let text = q["cypher"].as_str().expect("cypher").to_owned();
        let p = Params::from_serialize(&params["params"][&id]).expect("parameters");
        cases.push((id, text, p));
    }
    // Variable-length expansion and shortest paths beyond Q6 and Q7.
    let q6 = Params::from_serialize(&params["params"]["Q6"]).expect("Q6 parameters");
    let q7 = Params::from_serialize(&params["params"]["Q7"]).expect("Q7 parameters");
    cases.push((
        "varlength_1..3_any_type".into(),
        "MATCH (s:Company {name: $name})-[*1..3]->(t) RETURN count(*) AS n".into(),
        q6,
    ));
    cases.push((
        "all_shortest_paths".into(),
        "MATCH p = allShortestPaths((a:Person {name: $from})-[*..30]-(b:Product {name: $to})) RETURN count(p) AS n"
            .into(),
        q7,
    ));
    let mut group = c.benchmark_group("queries_S");
    group.sample_size(20);
    group.measurement_time(Duration::from_secs(3));
    for (id, text, p) in &cases {
        // Every query must answer before it is timed.
        graph.query(text).params(p.clone()).run().expect(id);
        group.bench_function(id.as_str(), |b| {
            b.iter(|| {
                graph
                    .query(black_box(text))
                    .params(p.clone())
                    .run()
                    .expect("runs")
            })
        });
    }
    group.finish();
}

criterion_group!(benches, queries_s);
criterion_main!(benches);
