//! The graph algorithms (`kgraph::algo`, and the `algo.*` procedures) against answers
//! computed independently by networkx: `tests/data/algorithms/fixtures.json`, made by
//! `tests/data/algorithms/make_fixtures.py` (its docstring says how to run it).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

use kgraph::algo::{self, AlgoError, LouvainOptions, Orientation, PageRankOptions, Projection};
use kgraph::{CancelHandle, Graph, NodeId, QueryError, RuntimeKind, Value};
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
        // The generated graphs' weight property (the dataset has none).
        let weight = case["weight"].as_str();

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
        if weight.is_some() {
            let weighted = algo::degree(g, &p, weight).unwrap();
            assert_close(
                &format!("{name}: weighted out-degree"),
                &weighted,
                &by_id(&case["degree_out_weighted"], keys),
                1e-9,
            );
        }
        let undirected_pr = algo::page_rank(g, &undirected, &options).unwrap();
        assert!(undirected_pr.converged, "{name}: undirected PageRank converged");
        assert_close(
            &format!("{name}: undirected PageRank"),
            &undirected_pr.scores,
            &by_id(&case["pagerank_undirected"], keys),
            1e-6,
        );
        if let Some(w) = weight {
            let weighted_options = PageRankOptions {
                weight: Some(w.to_owned()),
                ..options.clone()
            };
            let weighted_pr = algo::page_rank(g, &p, &weighted_options).unwrap();
            assert!(weighted_pr.converged, "{name}: weighted PageRank converged");
            assert_close(
                &format!("{name}: weighted PageRank"),
                &weighted_pr.scores,
                &by_id(&case["pagerank_weighted"], keys),
                1e-6,
            );
        }
        for (orientation, expected) in [
            (p.clone(), "betweenness_directed_raw"),
            (undirected.clone(), "betweenness_undirected_raw"),
        ] {
            let raw = algo::betweenness(g, &orientation, false).unwrap();
            assert_close(
                &format!("{name}: {expected}"),
                &raw,
                &by_id(&case[expected], keys),
                1e-9,
            );
        }

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

        // Louvain, unweighted (each relationship weighs 1) and, on the generated graphs,
        // weighted by `w`.
        check_louvain(name, g, &p, keys, None, case, "louvain");
        if weight.is_some() {
            check_louvain(
                &format!("{name}, weighted"),
                g,
                &p,
                keys,
                weight,
                case,
                "louvain_weighted",
            );
        }

        let source = keys[case["dijkstra"]["source"].as_str().unwrap()];
        let dist = algo::dijkstra(g, &p, source, weight).unwrap();
        assert_close(
            &format!("{name}: Dijkstra"),
            &dist,
            &by_id(&case["dijkstra"]["distances"], keys),
            0.0,
        );
        let dist = algo::dijkstra(g, &undirected, source, weight).unwrap();
        assert_close(
            &format!("{name}: undirected Dijkstra"),
            &dist,
            &by_id(&case["dijkstra_undirected"], keys),
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

/// Louvain against networkx's seeded `louvain_communities` (`{prefix}_communities` and
/// `{prefix}_modularity`, seed 42; `{prefix}_modularity_by_seed`, seeds 0 to 19): our
/// modularity function agrees with networkx's on networkx's partition (so it measures our
/// partition truly); our partition's modularity is no more than 2% below that of networkx's
/// seed-42 run, and within 2% (either way) of the best networkx reaches over the 20 seeds.
///
/// Louvain finds a local optimum that depends on the order the nodes are visited (networkx's
/// seed shuffles it; ours visits in node-id order, then in `runs - 1` shuffled orders, keeping
/// the best), so the partitions differ, and so do networkx's own over its seeds: on the
/// dataset from 0.719 to 0.745, its seed 42 giving 0.720 and ours 0.745, 3.5% above it.
fn check_louvain(
    name: &str,
    g: &Graph,
    p: &Projection,
    keys: &HashMap<String, NodeId>,
    weight: Option<&str>,
    case: &Json,
    prefix: &str,
) {
    let nx_partition: Vec<(NodeId, NodeId)> = expected_groups(&case[format!("{prefix}_communities")])
        .iter()
        .flat_map(|group| {
            let head = keys[&group[0]];
            group.iter().map(move |k| (k.clone(), head))
        })
        .map(|(k, head)| (keys[&k], head))
        .collect();
    let nx_q = case[format!("{prefix}_modularity")].as_f64().unwrap();
    let nx_best = case[format!("{prefix}_modularity_by_seed")]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q.as_f64().unwrap())
        .fold(f64::MIN, f64::max);
    assert!(nx_best >= nx_q);
    let q_of_nx = algo::modularity(g, p, weight, &nx_partition).unwrap();
    assert!(
        (q_of_nx - nx_q).abs() < 1e-9,
        "{name}: modularity {q_of_nx} vs networkx {nx_q}"
    );
    let options = LouvainOptions {
        weight: weight.map(str::to_owned),
        ..LouvainOptions::default()
    };
    let louvain = algo::louvain(g, p, &options).unwrap();
    let q = algo::modularity(g, p, weight, &louvain.assignment).unwrap();
    assert!(
        (q - louvain.modularity).abs() < 1e-9,
        "{name}: Louvain reports {}, is {q}",
        louvain.modularity
    );
    eprintln!(
        "{name}: Louvain modularity {q:.4}; networkx {nx_q:.4} with seed 42 ({:+.2}%), {nx_best:.4} at best ({:+.2}%)",
        100.0 * (q - nx_q) / nx_q,
        100.0 * (q - nx_best) / nx_best
    );
    assert!(
        q >= nx_q - 0.02 * nx_q.abs(),
        "{name}: Louvain modularity {q}, more than 2% below networkx's {nx_q}"
    );
    assert!(
        (q - nx_best).abs() <= 0.02 * nx_best.abs(),
        "{name}: Louvain modularity {q}, not within 2% of networkx's best {nx_best}"
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
    // Each configuration below is given to the procedure in a CALL on the query's second
    // line, third column: the error names what is wrong, and where.
    let cases: &[(&str, &str, &str)] = &[
        // Unknown keys, in every procedure.
        (
            "algo.pageRank",
            "{damping: 0.9}",
            "unknown configuration key \"damping\" (known: dampingFactor, maxIterations",
        ),
        (
            "algo.wcc",
            "{seed: 1}",
            "unknown configuration key \"seed\" (known: nodeLabels, orientation, relationshipTypes)",
        ),
        (
            "algo.scc",
            "{weightProperty: 'w'}",
            "unknown configuration key \"weightProperty\"",
        ),
        (
            "algo.louvain",
            "{iterations: 3}",
            "unknown configuration key \"iterations\"",
        ),
        (
            "algo.betweenness",
            "{normalised: true}",
            "unknown configuration key \"normalised\"",
        ),
        (
            "algo.degree",
            "{direction: 'OUT'}",
            "unknown configuration key \"direction\"",
        ),
        (
            "algo.triangleCount",
            "{weightProperty: 'w'}",
            "unknown configuration key \"weightProperty\"",
        ),
        // Wrong types.
        (
            "algo.pageRank",
            "{dampingFactor: 'x'}",
            "dampingFactor must be a number, not String",
        ),
        (
            "algo.pageRank",
            "{maxIterations: 2.5}",
            "maxIterations must be an integer, not Float",
        ),
        (
            "algo.pageRank",
            "{tolerance: [1]}",
            "tolerance must be a number, not List",
        ),
        (
            "algo.pageRank",
            "{weightProperty: 3}",
            "weightProperty must be a string, not Integer",
        ),
        (
            "algo.louvain",
            "{resolution: true}",
            "resolution must be a number, not Boolean",
        ),
        (
            "algo.louvain",
            "{seed: 'x'}",
            "seed must be an integer, not String",
        ),
        (
            "algo.louvain",
            "{runs: 1.0}",
            "runs must be an integer, not Float",
        ),
        (
            "algo.betweenness",
            "{normalized: 1}",
            "normalized must be a boolean, not Integer",
        ),
        (
            "algo.degree",
            "{weightProperty: ['w']}",
            "weightProperty must be a string, not List",
        ),
        (
            "algo.wcc",
            "{nodeLabels: [1]}",
            "nodeLabels must hold strings, not Integer",
        ),
        (
            "algo.wcc",
            "{nodeLabels: 5}",
            "nodeLabels must be a string or a list of strings, not Integer",
        ),
        (
            "algo.scc",
            "{relationshipTypes: {a: 1}}",
            "relationshipTypes must be a string or a list of strings, not Map",
        ),
        (
            "algo.scc",
            "{orientation: 1}",
            "orientation must be a string, not Integer",
        ),
        // Out of range.
        (
            "algo.pageRank",
            "{dampingFactor: 1.5}",
            "damping: 1.5 is not between 0 and 1 (both excluded)",
        ),
        (
            "algo.pageRank",
            "{dampingFactor: 1}",
            "damping: 1 is not between 0 and 1",
        ),
        (
            "algo.pageRank",
            "{dampingFactor: 0}",
            "damping: 0 is not between 0 and 1",
        ),
        (
            "algo.pageRank",
            "{dampingFactor: -0.5}",
            "damping: -0.5 is not between 0 and 1",
        ),
        (
            "algo.pageRank",
            "{maxIterations: -1}",
            "maxIterations must be from 1 to 4294967295, not -1",
        ),
        (
            "algo.pageRank",
            "{maxIterations: 0}",
            "maxIterations must be from 1 to 4294967295, not 0",
        ),
        (
            "algo.pageRank",
            "{tolerance: -1e-9}",
            "tolerance: -0.000000001 is not within 0",
        ),
        (
            "algo.louvain",
            "{runs: 0}",
            "runs must be from 1 to 4294967295, not 0",
        ),
        (
            "algo.louvain",
            "{maxLevels: -1}",
            "maxLevels must be from 1 to 4294967295, not -1",
        ),
        (
            "algo.louvain",
            "{resolution: -1}",
            "resolution: -1 is not within 0",
        ),
        (
            "algo.louvain",
            "{tolerance: -0.5}",
            "tolerance: -0.5 is not within 0",
        ),
        (
            "algo.scc",
            "{orientation: 'SIDEWAYS'}",
            "orientation must be NATURAL, REVERSE or UNDIRECTED, not \"SIDEWAYS\"",
        ),
        (
            "algo.wcc",
            "{nodeLabels: []}",
            "nodeLabels must name at least one, not an empty list",
        ),
        (
            "algo.wcc",
            "{relationshipTypes: []}",
            "relationshipTypes must name at least one",
        ),
        // Labels, types and weight properties that nothing in the graph has.
        (
            "algo.wcc",
            "{nodeLabels: ['Company', 'Planet']}",
            "no node has the label \"Planet\"",
        ),
        (
            "algo.pageRank",
            "{relationshipTypes: 'ORBITS'}",
            "no relationship has the type \"ORBITS\"",
        ),
        (
            "algo.triangleCount",
            "{relationshipTypes: ['LOCATED_IN', 'ORBITS']}",
            "no relationship has the type \"ORBITS\"",
        ),
        (
            "algo.pageRank",
            "{weightProperty: 'mass'}",
            "no relationship of the projection has the weight property \"mass\"",
        ),
        // `name` is a property of nodes, not of relationships.
        (
            "algo.louvain",
            "{weightProperty: 'name'}",
            "no relationship of the projection has the weight property \"name\"",
        ),
        (
            "algo.degree",
            "{weightProperty: 'mass'}",
            "weight property \"mass\"",
        ),
        // `amount` is on one INVESTS_IN relationship, none of type LOCATED_IN.
        (
            "algo.degree",
            "{weightProperty: 'amount', relationshipTypes: 'LOCATED_IN'}",
            "weight property \"amount\"",
        ),
        // A weight that is not a number.
        (
            "algo.pageRank",
            "{weightProperty: 'source'}",
            "has source = 'gazetteer', not a finite number",
        ),
    ];
    for (procedure, config, says) in cases {
        let query = format!("WITH 1 AS one\n  CALL {procedure}({config}) YIELD node RETURN count(node) AS n");
        let e = g.query(&query).run().unwrap_err();
        assert_eq!(e.kind_name(), "ProcedureError", "{query}: {e}");
        let text = e.to_string();
        assert!(text.contains(&format!("{procedure} failed: ")), "{query}: {e}");
        assert!(text.contains(says), "{query}: {e}\n  does not say: {says}");
        assert_eq!((e.line(), e.column()), (Some(2), Some(3)), "{query}: {e}");
    }
    // Dijkstra: weights that are not numbers, a property nothing has, negative weights.
    for (config, says) in [
        ("{weightProperty: 'source'}", "not a finite number"),
        (
            "{weightProperty: 'mass'}",
            "no relationship of the projection has the weight property \"mass\"",
        ),
        ("{weightProperty: 3}", "weightProperty must be a string"),
        ("{nodeLabels: 'Planet'}", "no node has the label \"Planet\""),
        ("{nodeLabels: 'Place'}", "is not in the projection"),
    ] {
        let query = format!(
            "MATCH (e:Company {{name: 'AstraZeneca'}})\nCALL algo.dijkstra(e, {config}) YIELD node RETURN node"
        );
        let e = g.query(&query).run().unwrap_err();
        assert_eq!(e.kind_name(), "ProcedureError", "{query}: {e}");
        assert!(e.to_string().contains(says), "{query}: {e}");
        assert_eq!((e.line(), e.column()), (Some(2), Some(1)), "{query}: {e}");
    }
    let mut neg = Graph::new();
    neg.execute("CREATE (:P {k: 1})-[:T {w: 2}]->(:P {k: 2})-[:T {w: -0.5}]->(:P {k: 3})")
        .run()
        .unwrap();
    let e = neg
        .query(
            "MATCH (a:P {k: 1}) CALL algo.dijkstra(a, {weightProperty: 'w'}) YIELD node, distance RETURN *",
        )
        .run()
        .unwrap_err();
    assert_eq!(e.kind_name(), "ProcedureError", "{e}");
    assert!(e.to_string().contains("has the negative weight w = -0.5"), "{e}");
    assert_eq!((e.line(), e.column()), (Some(1), Some(20)), "{e}");
    // A configuration that is not a map is caught by the signature, as for any procedure.
    let e = g
        .query("WITH 5 AS c CALL algo.degree(c) YIELD node RETURN node")
        .run()
        .unwrap_err();
    assert_eq!(e.kind_name(), "TypeError", "{e}");
    assert!(e.to_string().contains("needs a MAP"), "{e}");
    // Null and {} are the defaults.
    for config in ["null", "{}", "{nodeLabels: null}"] {
        let r = g
            .query(&format!(
                "CALL algo.wcc({config}) YIELD node RETURN count(node) AS n"
            ))
            .run()
            .unwrap();
        assert_eq!(r.rows(), [[Value::Int(g.node_count() as i64)]]);
    }
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

/// A random graph of `n` nodes and `m` relationships on which betweenness takes minutes
/// (Brandes: about n·m steps) and PageRank without a tolerance, or Louvain with many runs,
/// as long as asked.
fn big_random(n: usize, m: usize) -> Graph {
    let mut g = Graph::new();
    let ids: Vec<NodeId> = (0..n)
        .map(|i| g.add_node(&["N"], [("i", i as i64)]).unwrap())
        .collect();
    // A linear congruential generator: the same graph every run.
    let mut x: u64 = 0x2545_F491_4F6C_DD1D;
    let mut next = || {
        x = x
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (x >> 33) as usize % n
    };
    for _ in 0..m {
        let (a, b) = (next(), next());
        g.add_relationship(ids[a], ids[b], "R", [("w", 1)]).unwrap();
    }
    g
}

/// Runs `query` with a cancel handle that another thread cancels after 200 ms; the error and
/// how long after the cancel it came.
fn cancelled_after_200_ms(g: &Graph, query: &str) -> (kgraph::QueryError, Duration) {
    let handle = CancelHandle::new();
    let remote = handle.clone();
    let canceller = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(200));
        remote.cancel();
        Instant::now()
    });
    let err = g.query(query).cancel_handle(&handle).run().unwrap_err();
    let returned = Instant::now();
    let cancelled_at = canceller.join().unwrap();
    (err, returned.saturating_duration_since(cancelled_at))
}

#[test]
fn a_cancel_handle_and_a_deadline_stop_long_runs_with_the_errors_a_query_gets() {
    let g = big_random(20_000, 100_000);
    // Betweenness from Cypher: cancelled from another thread, then past its deadline.
    let betweenness = "CALL algo.betweenness({}) YIELD node, score RETURN max(score) AS top";
    let (err, after) = cancelled_after_200_ms(&g, betweenness);
    assert!(
        matches!(
            err,
            QueryError::Runtime {
                kind: RuntimeKind::Cancelled,
                ..
            }
        ),
        "{err}"
    );
    assert_eq!(err.kind_name(), "LimitExceeded");
    assert!(err.to_string().contains("stopped in algo.betweenness"), "{err}");
    eprintln!("betweenness: stopped {after:?} after the cancel");
    let err = g
        .query(betweenness)
        .timeout(Duration::from_millis(200))
        .run()
        .unwrap_err();
    assert!(
        matches!(
            err,
            QueryError::Runtime {
                kind: RuntimeKind::Timeout,
                ..
            }
        ),
        "{err}"
    );
    assert_eq!(err.kind_name(), "LimitExceeded");

    // PageRank that never converges (tolerance 0) and Louvain with many runs: cancelled.
    for query in [
        "CALL algo.pageRank({maxIterations: 4000000000, tolerance: 0}) YIELD node, score RETURN sum(score) AS s",
        "CALL algo.louvain({runs: 100000}) YIELD node, communityId RETURN count(DISTINCT communityId) AS c",
    ] {
        let (err, after) = cancelled_after_200_ms(&g, query);
        assert!(
            matches!(err, QueryError::Runtime { kind: RuntimeKind::Cancelled, .. }),
            "{query}: {err}"
        );
        eprintln!("{query}: stopped {after:?} after the cancel");
        let err = g
            .query(query)
            .timeout(Duration::from_millis(200))
            .run()
            .unwrap_err();
        assert!(
            matches!(err, QueryError::Runtime { kind: RuntimeKind::Timeout, .. }),
            "{query}: {err}"
        );
    }

    // The Rust API, with the limits on the projection.
    let handle = CancelHandle::new();
    let remote = handle.clone();
    let canceller = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(200));
        remote.cancel();
    });
    let p = Projection::all().cancel_handle(&handle);
    assert_eq!(algo::betweenness(&g, &p, true), Err(AlgoError::Cancelled));
    canceller.join().unwrap();
    let p = Projection::all().timeout(Duration::from_millis(200));
    assert_eq!(algo::betweenness(&g, &p, true), Err(AlgoError::Timeout));
    // Every algorithm checks its limits before it starts.
    let cancelled = CancelHandle::new();
    cancelled.cancel();
    let p = Projection::all().cancel_handle(&cancelled);
    let source = g.nodes().next().unwrap();
    assert_eq!(
        algo::weakly_connected_components(&g, &p),
        Err(AlgoError::Cancelled)
    );
    assert_eq!(
        algo::strongly_connected_components(&g, &p),
        Err(AlgoError::Cancelled)
    );
    assert_eq!(algo::triangle_count(&g, &p), Err(AlgoError::Cancelled));
    assert_eq!(algo::degree(&g, &p, None), Err(AlgoError::Cancelled));
    assert_eq!(algo::dijkstra(&g, &p, source, None), Err(AlgoError::Cancelled));
    assert_eq!(
        algo::louvain(&g, &p, &LouvainOptions::default()).map(|c| c.levels),
        Err(AlgoError::Cancelled)
    );
}

#[test]
fn a_tiny_memory_budget_refuses_the_projection() {
    let g = Graph::ecosystem().unwrap();
    for (procedure, call) in [
        ("algo.pageRank", "algo.pageRank({})"),
        ("algo.wcc", "algo.wcc({})"),
        ("algo.scc", "algo.scc(null)"),
        ("algo.louvain", "algo.louvain({})"),
        ("algo.betweenness", "algo.betweenness({})"),
        ("algo.degree", "algo.degree({})"),
        ("algo.triangleCount", "algo.triangleCount({})"),
    ] {
        let query = format!("CALL {call} YIELD node RETURN count(node) AS n");
        let err = g.query(&query).max_memory(1_000).run().unwrap_err();
        assert!(
            matches!(
                err,
                QueryError::Runtime {
                    kind: RuntimeKind::MemoryLimit,
                    ..
                }
            ),
            "{query}: {err}"
        );
        assert_eq!(err.kind_name(), "LimitExceeded");
        let text = err.to_string();
        assert!(
            text.contains(&format!("{procedure}: the projection would take about"))
                && text.contains("memory budget of 1000 bytes; raise it with max_memory()"),
            "{query}: {err}"
        );
        // A budget the projection fits in: the same query runs.
        let r = g.query(&query).max_memory(1 << 20).run().unwrap();
        assert_eq!(r.rows(), [[Value::Int(g.node_count() as i64)]], "{query}");
    }
    let err = g
        .query("MATCH (a:Company {name: 'AstraZeneca'}) CALL algo.dijkstra(a, {}) YIELD node RETURN node")
        .max_memory(1_000)
        .run()
        .unwrap_err();
    assert!(
        matches!(
            err,
            QueryError::Runtime {
                kind: RuntimeKind::MemoryLimit,
                ..
            }
        ),
        "{err}"
    );
    // The Rust API: the same refusal, and the estimate grows with what is projected.
    let err = algo::page_rank(
        &g,
        &Projection::all().max_memory(1_000),
        &PageRankOptions::default(),
    )
    .unwrap_err();
    let AlgoError::MemoryLimit { what, needed, budget } = err else {
        panic!("{err}")
    };
    assert_eq!((what, budget), ("the projection", 1_000));
    assert!(needed > 1_000);
}
