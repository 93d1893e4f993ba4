//! The graph algorithms (`kgraph::algo`, and the `algo.*` procedures) against answers
//! computed independently by networkx: `tests/data/algorithms/fixtures.json`, made by
//! `tests/data/algorithms/make_fixtures.py` (its docstring says how to run it).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{BTreeMap, HashMap};

use kgraph::algo::{self, LouvainOptions, Orientation, PageRankOptions, Projection};
use kgraph::{Graph, NodeId, Value};
use serde_json::Value as Json;

fn fixture() -> Json {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/algorithms/fixtures.json"
    ))
    .expect("the committed fixture");
    serde_json::from_str(&text).unwrap()
}

/// A graph of the fixture, and its nodes by key (as the fixture writes keys).
fn build(fixture: &Json, name: &str) -> (Graph, HashMap<String, NodeId>) {
    if name == "ecosystem" {
        let g = Graph::ecosystem().unwrap();
        let keys = g
            .nodes()
            .map(|id| {
                let name = g
                    .node(id)
                    .unwrap()
                    .property("name")
                    .and_then(Value::as_str)
                    .unwrap()
                    .to_owned();
                (name, id)
            })
            .collect();
        return (g, keys);
    }
    let spec = &fixture["graphs"][name];
    let mut g = Graph::new();
    let mut keys = HashMap::new();
    for n in spec["nodes"].as_array().unwrap() {
        let labels: Vec<&str> = n["labels"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l.as_str().unwrap())
            .collect();
        let k = n["k"].as_i64().unwrap();
        let id = g.add_node(&labels, [("k", k)]).unwrap();
        keys.insert(k.to_string(), id);
    }
    for r in spec["rels"].as_array().unwrap() {
        let (s, t) = (keys[&r[0].to_string()], keys[&r[1].to_string()]);
        let ty = r[2].as_str().unwrap();
        let mut props: Vec<(&str, Value)> = vec![("k", Value::Int(0))];
        if let Some(w) = r[3].as_i64() {
            props.push(("w", Value::Int(w)));
        } else if let Some(w) = r[3].as_f64() {
            props.push(("w", Value::Float(w)));
        }
        g.add_relationship(s, t, ty, props).unwrap();
    }
    (g, keys)
}

fn projection(case: &Json) -> Projection {
    let mut p = Projection::all();
    if let Some(labels) = case["labels"].as_array() {
        p = p.labels(labels.iter().map(|l| l.as_str().unwrap().to_owned()));
    }
    if let Some(types) = case["types"].as_array() {
        p = p.types(types.iter().map(|t| t.as_str().unwrap().to_owned()));
    }
    p
}

/// The fixture's per-node numbers, by our node ids.
fn by_id(expected: &Json, keys: &HashMap<String, NodeId>) -> BTreeMap<NodeId, f64> {
    expected
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (keys[k], v.as_f64().unwrap()))
        .collect()
}

fn assert_close(what: &str, got: &[(NodeId, f64)], expected: &BTreeMap<NodeId, f64>, tolerance: f64) {
    assert_eq!(got.len(), expected.len(), "{what}: node count");
    for (id, v) in got {
        let e = expected
            .get(id)
            .unwrap_or_else(|| panic!("{what}: {id:?} not expected"));
        assert!(
            (v - e).abs() <= tolerance,
            "{what}: {id:?} is {v}, networkx says {e}"
        );
    }
}

/// Components as sorted groups of fixture keys.
fn groups(pairs: &[(NodeId, NodeId)], keys: &HashMap<String, NodeId>) -> Vec<Vec<String>> {
    let key_of: HashMap<NodeId, &String> = keys.iter().map(|(k, id)| (*id, k)).collect();
    let mut by: BTreeMap<NodeId, Vec<String>> = BTreeMap::new();
    for (node, c) in pairs {
        by.entry(*c).or_default().push(key_of[node].clone());
    }
    let mut out: Vec<Vec<String>> = by
        .into_values()
        .map(|mut g| {
            g.sort();
            g
        })
        .collect();
    out.sort();
    out
}

fn expected_groups(v: &Json) -> Vec<Vec<String>> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|g| {
            g.as_array()
                .unwrap()
                .iter()
                .map(|k| k.as_str().unwrap().to_owned())
                .collect()
        })
        .collect()
}

#[test]
fn every_algorithm_agrees_with_networkx_on_every_fixture_case() {
    let fx = fixture();
    let cases = fx["cases"].as_array().unwrap();
    assert!(cases.len() >= 6);
    let mut graphs: HashMap<String, (Graph, HashMap<String, NodeId>)> = HashMap::new();
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let graph_name = case["graph"].as_str().unwrap();
        let (g, keys) = graphs
            .entry(graph_name.to_owned())
            .or_insert_with(|| build(&fx, graph_name));
        let p = projection(case);

        // The projection itself: the nodes and relationships networkx saw.
        let degrees = algo::degree(g, &p, None).unwrap();
        assert_eq!(
            degrees.len() as u64,
            case["nodes"].as_u64().unwrap(),
            "{name}: nodes"
        );
        let rels: f64 = degrees.iter().map(|(_, d)| d).sum();
        assert_eq!(
            rels as u64,
            case["relationships"].as_u64().unwrap(),
            "{name}: relationships"
        );

        let options = PageRankOptions {
            max_iterations: 1000,
            ..PageRankOptions::default()
        };
        let pr = algo::page_rank(g, &p, &options).unwrap();
        assert!(pr.converged, "{name}: PageRank converged");
        assert_close(
            &format!("{name}: PageRank"),
            &pr.scores,
            &by_id(&case["pagerank"], keys),
            1e-6,
        );

        let wcc = algo::weakly_connected_components(g, &p).unwrap();
        assert_eq!(groups(&wcc, keys), expected_groups(&case["wcc"]), "{name}: WCC");
        let scc = algo::strongly_connected_components(g, &p).unwrap();
        assert_eq!(groups(&scc, keys), expected_groups(&case["scc"]), "{name}: SCC");

        let bc = algo::betweenness(g, &p, true).unwrap();
        assert_close(
            &format!("{name}: betweenness"),
            &bc,
            &by_id(&case["betweenness_directed"], keys),
            1e-9,
        );
        let undirected = p.clone().orientation(Orientation::Undirected);
        let bcu = algo::betweenness(g, &undirected, true).unwrap();
        assert_close(
            &format!("{name}: undirected betweenness"),
            &bcu,
            &by_id(&case["betweenness_undirected"], keys),
            1e-9,
        );

        assert_close(
            &format!("{name}: out-degree"),
            &degrees,
            &by_id(&case["degree_out"], keys),
            0.0,
        );
        let both = algo::degree(g, &undirected, None).unwrap();
        assert_close(
            &format!("{name}: degree"),
            &both,
            &by_id(&case["degree_both"], keys),
            0.0,
        );
        let weighted = algo::degree(g, &p, Some("w")).unwrap();
        assert_close(
            &format!("{name}: weighted out-degree"),
            &weighted,
            &by_id(&case["degree_out_weighted"], keys),
            1e-9,
        );

        let triangles: Vec<(NodeId, f64)> = algo::triangle_count(g, &p)
            .unwrap()
            .into_iter()
            .map(|(id, t)| (id, t as f64))
            .collect();
        assert_close(
            &format!("{name}: triangles"),
            &triangles,
            &by_id(&case["triangles"], keys),
            0.0,
        );

        // Louvain: our modularity function agrees with networkx's on networkx's partition
        // (so it measures our partition truly), and our partition's modularity is no more
        // than 2% below networkx's (on the dataset it is about 2% above: Louvain's local
        // optimum depends on the order nodes are visited, which networkx's seed shuffles).
        let nx_partition: Vec<(NodeId, NodeId)> = expected_groups(&case["louvain_communities"])
            .iter()
            .flat_map(|group| {
                let head = keys[&group[0]];
                group.iter().map(move |k| (k.clone(), head))
            })
            .map(|(k, head)| (keys[&k], head))
            .collect();
        let nx_q = case["louvain_modularity"].as_f64().unwrap();
        let q_of_nx = algo::modularity(g, &p, None, &nx_partition).unwrap();
        assert!(
            (q_of_nx - nx_q).abs() < 1e-9,
            "{name}: modularity {q_of_nx} vs networkx {nx_q}"
        );
        let louvain = algo::louvain(g, &p, &LouvainOptions::default()).unwrap();
        let q = algo::modularity(g, &p, None, &louvain.assignment).unwrap();
        assert!(
            (q - louvain.modularity).abs() < 1e-9,
            "{name}: Louvain reports {}, is {q}",
            louvain.modularity
        );
        assert!(
            q >= nx_q - 0.02 * nx_q.abs(),
            "{name}: Louvain modularity {q}, networkx {nx_q}"
        );

        let source = keys[case["dijkstra"]["source"].as_str().unwrap()];
        let dist = algo::dijkstra(g, &p, source, Some("w")).unwrap();
        assert_close(
            &format!("{name}: Dijkstra"),
            &dist,
            &by_id(&case["dijkstra"]["distances"], keys),
            0.0,
        );
    }
    // The dataset's fixture was read from data/ecosystem/ by the script: the same graph.
    let (eco, _) = &graphs["ecosystem"];
    let whole = cases
        .iter()
        .find(|c| c["graph"] == "ecosystem" && c["labels"].is_null())
        .unwrap();
    assert_eq!(eco.node_count() as u64, whole["nodes"].as_u64().unwrap());
    assert_eq!(
        eco.relationship_count() as u64,
        whole["relationships"].as_u64().unwrap()
    );
}

#[test]
fn the_procedures_answer_as_the_rust_api_does() {
    let g = Graph::ecosystem().unwrap();
    let p = Projection::all()
        .labels(["Company", "Place"])
        .types(["LOCATED_IN"]);
    let rust = algo::page_rank(&g, &p, &PageRankOptions::default())
        .unwrap()
        .scores;
    let r = g
        .query(
            "CALL algo.pageRank({nodeLabels: ['Company', 'Place'], relationshipTypes: 'LOCATED_IN'}) \
             YIELD node, score RETURN node, score",
        )
        .run()
        .unwrap();
    let cypher: Vec<(NodeId, f64)> = r
        .rows()
        .iter()
        .map(|row| match (&row[0], &row[1]) {
            (Value::Node(n), Value::Float(s)) => (*n, *s),
            other => panic!("unexpected row {other:?}"),
        })
        .collect();
    assert_eq!(cypher, rust);

    // Components and communities are named by their smallest node's id.
    let wcc = algo::weakly_connected_components(&g, &Projection::all()).unwrap();
    let r = g
        .query("CALL algo.wcc(null) YIELD node, componentId RETURN id(node) AS n, componentId")
        .run()
        .unwrap();
    let cypher: Vec<(i64, i64)> = r
        .rows()
        .iter()
        .map(|row| (row[0].as_int().unwrap(), row[1].as_int().unwrap()))
        .collect();
    let expected: Vec<(i64, i64)> = wcc
        .iter()
        .map(|(n, c)| (i64::from(n.index()), i64::from(c.index())))
        .collect();
    assert_eq!(cypher, expected);

    // Dijkstra from a node a query found; every other procedure runs with its defaults.
    let az = g.resolve("AstraZeneca").unwrap();
    let r = g
        .query(
            "MATCH (a:Company {name: 'AstraZeneca'}) CALL algo.dijkstra(a, {orientation: 'undirected'}) \
             YIELD node, distance RETURN node, distance",
        )
        .run()
        .unwrap();
    let undirected = Projection::all().orientation(Orientation::Undirected);
    let rust = algo::dijkstra(&g, &undirected, az, None).unwrap();
    assert_eq!(r.len(), rust.len());
    assert!(
        r.len() > 100,
        "AstraZeneca reaches most of the dataset undirected"
    );
    for (name, config) in [
        ("algo.scc", "{}"),
        ("algo.louvain", "{runs: 1}"),
        ("algo.betweenness", "{normalized: false}"),
        ("algo.degree", "{orientation: 'REVERSE'}"),
        ("algo.triangleCount", "{}"),
    ] {
        let n = g
            .query(&format!(
                "CALL {name}({config}) YIELD node RETURN count(node) AS n"
            ))
            .run()
            .unwrap();
        assert_eq!(n.rows(), [[Value::Int(g.node_count() as i64)]], "{name}");
    }
}

#[test]
fn bad_configurations_fail_with_a_procedure_error_naming_what_is_wrong() {
    let g = Graph::ecosystem().unwrap();
    for (query, says) in [
        ("CALL algo.pageRank({damping: 0.9}) YIELD node RETURN node", "unknown configuration key \"damping\""),
        ("CALL algo.pageRank({dampingFactor: 'x'}) YIELD node RETURN node", "dampingFactor must be a number"),
        ("CALL algo.pageRank({dampingFactor: 1.5}) YIELD node RETURN node", "damping"),
        ("CALL algo.wcc({nodeLabels: ['Planet']}) YIELD node RETURN node", "no node has the label \"Planet\""),
        ("CALL algo.wcc({relationshipTypes: 'ORBITS'}) YIELD node RETURN node", "no relationship has the type \"ORBITS\""),
        ("CALL algo.wcc({nodeLabels: [1]}) YIELD node RETURN node", "nodeLabels must hold strings"),
        ("CALL algo.scc({orientation: 'SIDEWAYS'}) YIELD node RETURN node", "orientation must be"),
        ("CALL algo.louvain({runs: 0}) YIELD node RETURN node", "runs"),
        ("CALL algo.louvain({maxLevels: -1}) YIELD node RETURN node", "maxLevels must be from 0"),
        ("CALL algo.betweenness({normalized: 1}) YIELD node RETURN node", "normalized must be a boolean"),
        (
            "MATCH (e:Event) WITH e LIMIT 1 CALL algo.dijkstra(e, {weightProperty: 'source'}) YIELD node RETURN node",
            "not a finite number",
        ),
    ] {
        let e = g.query(query).run().unwrap_err();
        assert_eq!(e.kind_name(), "ProcedureError", "{query}: {e}");
        assert!(e.to_string().contains(says), "{query}: {e}");
    }
    // A configuration that is not a map is caught by the signature, as for any procedure.
    let e = g
        .query("WITH 5 AS c CALL algo.degree(c) YIELD node RETURN node")
        .run()
        .unwrap_err();
    assert_eq!(e.kind_name(), "TypeError", "{e}");
    assert!(e.to_string().contains("needs a MAP"), "{e}");
}

#[test]
fn weights_that_are_negative_or_not_numbers_are_refused() {
    let mut g = Graph::new();
    let a = g.add_node(&["P"], [("k", 1)]).unwrap();
    let b = g.add_node(&["P"], [("k", 2)]).unwrap();
    let r = g.add_relationship(a, b, "T", [("w", -1.0)]).unwrap();
    let err = algo::dijkstra(&g, &Projection::all(), a, Some("w")).unwrap_err();
    assert_eq!(
        err,
        algo::AlgoError::NegativeWeight {
            rel: r.index(),
            key: "w".into(),
            value: -1.0
        }
    );
    // PageRank and Louvain need weights of zero or more too; degree sums whatever is there.
    assert!(algo::page_rank(
        &g,
        &Projection::all(),
        &PageRankOptions {
            weight: Some("w".into()),
            ..PageRankOptions::default()
        }
    )
    .is_err());
    assert!(algo::louvain(
        &g,
        &Projection::all(),
        &LouvainOptions {
            weight: Some("w".into()),
            ..LouvainOptions::default()
        }
    )
    .is_err());
    assert_eq!(
        algo::degree(&g, &Projection::all(), Some("w")).unwrap()[0].1,
        -1.0
    );
    g.set_relationship_property(r, "w", f64::NAN).unwrap();
    assert!(matches!(
        algo::dijkstra(&g, &Projection::all(), a, Some("w")),
        Err(algo::AlgoError::NotANumber { .. })
    ));
    // A source outside the projection.
    let c = g.add_node(&["Q"], [("k", 3)]).unwrap();
    assert_eq!(
        algo::dijkstra(&g, &Projection::all().labels(["P"]), c, None),
        Err(algo::AlgoError::NodeNotInProjection(c.index()))
    );
}
