//! Query benchmarks on the embedded ecosystem dataset (criterion).
//!
//! - `parse`: `Query::parse` alone, for each representative query.
//! - one group per query: parse + plan + run through `Graph::query` (`cypher`), and for the
//!   point lookup and the 1-hop neighbours the same answer computed by hand with the Rust
//!   API (`floor`), in the same group so that the ratio shows in the report.
//!
//! Run: `cargo bench --bench queries` (add `-- --quick` for a short run). The queries follow
//! `shared/bench/queries.md` (Q1, Q2, Q3, Q4, Q6, Q7), with parameters picked from the
//! embedded dataset.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::collections::HashSet;
use std::hint::black_box;

use criterion::{criterion_main, Criterion};
use kgraph::{Direction, Graph, NodeId, Params, Query, Value};

/// A Chinese-named company with an alias list (Q1's parameter).
const LOOKUP_NAME: &str = "深圳市盈通汇创投资合伙企业";
/// The company with the second most SIGNS_WITH relationships (16).
const HUB: &str = "AstraZeneca";

const Q1_LOOKUP: &str = "MATCH (c:Company {name: $name}) \
     RETURN c.name AS name, c.kind AS kind, c.country AS country, c.aliases AS aliases";
const Q2_NEIGHBOURS: &str =
    "MATCH (c:Company {name: $name})-[:SIGNS_WITH]-(p) RETURN DISTINCT p.name AS partner";
const Q3_AGGREGATE: &str = "MATCH (c:Company)-[:LOCATED_IN]->(p:Place) WHERE c.kind = $kind \
     RETURN p.name AS place, count(*) AS companies ORDER BY companies DESC, place ASC LIMIT 10";
const Q4_TWO_HOP: &str = "MATCH (c:Company {name: $name})-[:SIGNS_WITH]-()-[:SIGNS_WITH]-(x) \
     WHERE x <> c RETURN count(DISTINCT x) AS n";
const Q6_VAR_LENGTH: &str =
    "MATCH (s {name: $name})-[:LOCATED_IN|PART_OF*1..3]->(t) RETURN DISTINCT t.name AS name";
const Q7_SHORTEST: &str =
    "MATCH p = shortestPath((a:Company {name: $from})-[*..10]-(b:Company {name: $to})) \
     RETURN length(p) AS hops";

/// (group name, query, parameters).
fn queries() -> Vec<(&'static str, &'static str, Params)> {
    vec![
        (
            "q1_point_lookup",
            Q1_LOOKUP,
            Params::new().with("name", LOOKUP_NAME),
        ),
        (
            "q2_one_hop_undirected",
            Q2_NEIGHBOURS,
            Params::new().with("name", HUB),
        ),
        (
            "q3_aggregate_order_limit",
            Q3_AGGREGATE,
            Params::new().with("kind", "pharma"),
        ),
        (
            "q4_two_hop_distinct_count",
            Q4_TWO_HOP,
            Params::new().with("name", HUB),
        ),
        (
            "q6_var_length_1_3",
            Q6_VAR_LENGTH,
            Params::new().with("name", "Pfizer Beijing R&D Center"),
        ),
        (
            "q7_shortest_path",
            Q7_SHORTEST,
            Params::new().with("from", HUB).with("to", "Medtronic"),
        ),
    ]
}

/// The node whose canonical `name` is exactly `name` and that has `label`, through the
/// name index (what the optimiser's index seek does).
fn find(g: &Graph, label: &str, name: &str) -> Option<NodeId> {
    g.lookup(name).iter().copied().find(|&id| {
        g.node(id)
            .is_ok_and(|n| n.has_label(label) && n.property("name").and_then(Value::as_str) == Some(name))
    })
}

/// Q1 by hand: seek, check, read four properties.
fn floor_lookup(g: &Graph, name: &str) -> Vec<Vec<Value>> {
    let Some(id) = find(g, "Company", name) else {
        return Vec::new();
    };
    let n = g.node(id).unwrap();
    let get = |k: &str| n.property(k).cloned().unwrap_or(Value::Null);
    vec![vec![get("name"), get("kind"), get("country"), get("aliases")]]
}

/// Q2 by hand: seek, follow SIGNS_WITH both ways, distinct partner names.
fn floor_neighbours(g: &Graph, name: &str) -> Vec<Vec<Value>> {
    let Some(id) = find(g, "Company", name) else {
        return Vec::new();
    };
    let mut seen: HashSet<Value> = HashSet::new();
    let mut out = Vec::new();
    for r in g
        .relationships_of(id, Direction::Both, Some("SIGNS_WITH"))
        .unwrap()
    {
        let rel = g.relationship(r).unwrap();
        let other = if rel.start() == id { rel.end() } else { rel.start() };
        let partner = g
            .node(other)
            .unwrap()
            .property("name")
            .cloned()
            .unwrap_or(Value::Null);
        if seen.insert(partner.clone()) {
            out.push(vec![partner]);
        }
    }
    out
}

fn run(g: &Graph, text: &str, params: &Params) -> Vec<Vec<Value>> {
    g.query(text).params(params.clone()).run().unwrap().into_rows()
}

fn sorted(mut rows: Vec<Vec<Value>>) -> Vec<Vec<Value>> {
    rows.sort_by_key(|r| format!("{r:?}"));
    rows
}

fn bench_parse(c: &mut Criterion) {
    let mut group = c.benchmark_group("parse");
    for (name, text, _) in queries() {
        assert!(Query::parse(text).is_ok(), "{name}");
        group.bench_function(name, |b| b.iter(|| Query::parse(black_box(text)).unwrap()));
    }
    group.finish();
}

fn bench_queries(c: &mut Criterion) {
    let g = Graph::ecosystem().expect("the embedded dataset loads");
    // The floor must give the engine's answer, or the ratio means nothing.
    let p1 = Params::new().with("name", LOOKUP_NAME);
    let p2 = Params::new().with("name", HUB);
    assert_eq!(run(&g, Q1_LOOKUP, &p1), floor_lookup(&g, LOOKUP_NAME));
    assert_eq!(run(&g, Q1_LOOKUP, &p1).len(), 1);
    assert_eq!(
        sorted(run(&g, Q2_NEIGHBOURS, &p2)),
        sorted(floor_neighbours(&g, HUB))
    );
    for (name, text, params) in queries() {
        let rows = run(&g, text, &params);
        assert!(!rows.is_empty(), "{name} has an answer");
        let mut group = c.benchmark_group(name);
        group.bench_function("cypher", |b| {
            b.iter(|| g.query(black_box(text)).params(params.clone()).run().unwrap())
        });
        match name {
            "q1_point_lookup" => {
                group.bench_function("floor", |b| b.iter(|| floor_lookup(&g, black_box(LOOKUP_NAME))));
            }
            "q2_one_hop_undirected" => {
                group.bench_function("floor", |b| b.iter(|| floor_neighbours(&g, black_box(HUB))));
            }
            _ => {}
        }
        group.finish();
    }
}

/// What filling a result's node records costs: the same scan returning nodes (records filled)
/// and returning a property (scalars: no records), and the node rows read as `Node`s.
fn bench_records(c: &mut Criterion) {
    let g = Graph::ecosystem().unwrap();
    let mut group = c.benchmark_group("records");
    group.bench_function("companies_as_nodes", |b| {
        b.iter(|| g.query(black_box("MATCH (c:Company) RETURN c")).run().unwrap())
    });
    group.bench_function("companies_as_scalars", |b| {
        b.iter(|| {
            g.query(black_box("MATCH (c:Company) RETURN c.name AS name"))
                .run()
                .unwrap()
        })
    });
    group.bench_function("companies_read_as_node", |b| {
        b.iter(|| {
            let r = g.query(black_box("MATCH (c:Company) RETURN c")).run().unwrap();
            r.iter()
                .map(|row| row.get::<kgraph::Node>("c").unwrap().labels().len())
                .sum::<usize>()
        })
    });
    group.finish();
}

/// The harness; in a private module so that the function `criterion_group!` makes is not
/// public (it has no doc comment).
mod harness {
    use super::{bench_parse, bench_queries, bench_records};
    use criterion::criterion_group;
    criterion_group!(benches, bench_parse, bench_queries, bench_records);
}

criterion_main!(harness::benches);
