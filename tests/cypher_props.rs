//! Property tests of the Cypher export: random graphs (several labels, keys whose values mix
//! types, every value type, Chinese text, empty strings and lists, line breaks and quotes)
//! replayed into an empty graph give an equal graph, and replayed into a graph that has nodes
//! give the union; compared canonically (`common::canonical`), not by id.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod common;

use common::{canonical, canonical_union};
use kgraph::{CypherExportOptions, Database, Graph, Params, Value};
use proptest::collection::{btree_set, vec};
use proptest::prelude::*;
use proptest::sample::select;

const LABELS: [&str; 4] = ["Company", "Person", "中文标签", "we`ird"];
const TYPES: [&str; 3] = ["INVESTS_IN", "位于", "odd type"];
const KEYS: [&str; 5] = ["name", "k", "w", "键", "key with space"];
const TEMPORAL: [&str; 10] = [
    "date('2020-02-29')",
    "date('-999999999-01-01')",
    "localtime('23:59:59.999999999')",
    "time('12:00:00.5+14:00')",
    "localdatetime('+999999999-12-31T23:59:59.999999999')",
    "datetime('2024-03-31T02:30:00+02:00[Europe/Berlin]')",
    "datetime('1970-01-01T00:00:00Z')",
    "duration('P1Y2M3DT4H5M6.000000007S')",
    "duration('-PT0.5S')",
    "duration('P0D')",
];

/// The temporal values, built by this crate from their Cypher text.
fn temporal() -> Vec<Value> {
    let g = Graph::new();
    TEMPORAL
        .iter()
        .map(|t| g.query(&format!("RETURN {t}")).run().unwrap().rows()[0][0].clone())
        .collect()
}

fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::Int),
        prop_oneof![any::<f64>(), Just(f64::NAN), Just(f64::INFINITY), Just(-0.0)].prop_map(Value::Float),
        prop_oneof![".{0,6}", Just(String::new()), Just("辉瑞'\"\\\n\t;".to_owned())].prop_map(Value::from),
        select(temporal()),
    ]
}

fn value() -> impl Strategy<Value = Value> {
    prop_oneof![
        3 => scalar(),
        1 => vec(scalar(), 0..4).prop_map(Value::List),
    ]
}

type Props = Vec<(usize, Value)>;

fn props() -> impl Strategy<Value = Props> {
    vec((0..KEYS.len(), value()), 0..4)
}

#[derive(Debug, Clone)]
struct Spec {
    nodes: Vec<(std::collections::BTreeSet<usize>, Props)>,
    rels: Vec<(usize, usize, usize, Props)>,
}

fn spec() -> impl Strategy<Value = Spec> {
    (
        vec((btree_set(0..LABELS.len(), 0..3), props()), 1..8),
        vec((any::<usize>(), any::<usize>(), 0..TYPES.len(), props()), 0..10),
    )
        .prop_map(|(nodes, rels)| Spec { nodes, rels })
}

fn build(spec: &Spec) -> Graph {
    let mut g = Graph::new();
    let mut ids = Vec::new();
    for (labels, props) in &spec.nodes {
        let labels: Vec<&str> = labels.iter().map(|l| LABELS[*l]).collect();
        let props: Vec<(&str, Value)> = props.iter().map(|(k, v)| (KEYS[*k], v.clone())).collect();
        ids.push(g.add_node(&labels, props).unwrap());
    }
    for (a, b, t, props) in &spec.rels {
        let props: Vec<(&str, Value)> = props.iter().map(|(k, v)| (KEYS[*k], v.clone())).collect();
        g.add_relationship(ids[a % ids.len()], ids[b % ids.len()], TYPES[*t], props)
            .unwrap();
    }
    g
}

fn script(g: &Graph, batch: usize) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("g.cypher");
    g.export_cypher_with(&path, &CypherExportOptions::default().batch_rows(batch))
        .unwrap();
    std::fs::read_to_string(&path).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn replayed_into_an_empty_graph_it_gives_an_equal_graph(spec in spec(), batch in 1usize..4) {
        let g = build(&spec);
        let text = script(&g, batch);
        let mut replay = Graph::new();
        for line in text.lines().filter(|l| !l.starts_with("//")) {
            replay.execute(line).run().unwrap_or_else(|e| panic!("{e}\n{line}"));
        }
        prop_assert_eq!(canonical(&replay), canonical(&g));
    }

    #[test]
    fn replayed_into_a_graph_with_nodes_it_gives_the_union(a in spec(), b in spec()) {
        let (a, b) = (build(&a), build(&b));
        let db = Database::new();
        let mut tx = db.write();
        *tx.graph_mut() = a.clone();
        tx.commit().unwrap();
        let text = script(&b, 500);
        db.execute_script(&text, &Params::new()).unwrap();
        prop_assert_eq!(canonical(&db.read()), canonical_union(&a, &b));
    }
}
