//! Exports: CSV writes any graph (the benchmark format, extended); Cypher and Kùzu refuse,
//! with a typed error, what they cannot express; the
//! Cypher script replays into the same graph (up to ids); the Kùzu export writes a schema
//! script with a table per label and per type and a load statement per file.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod common;

use std::collections::BTreeMap;

use common::{canonical, canonical_union, date, dump, order_map, renumbered};
use kgraph::{CypherExportOptions, Database, ExportError, Graph, Params, Value};

fn one_node(labels: &[&str], key: &str, value: Value) -> Graph {
    let mut g = Graph::new();
    g.add_node(labels, [("name", Value::from("n")), (key, value)])
        .unwrap();
    g
}

fn unrepresentable_reason(err: ExportError) -> &'static str {
    match err {
        ExportError::Unrepresentable { reason, .. } => reason,
        other => panic!("expected Unrepresentable, got {other:?}"),
    }
}

/// The CSV export of a graph, imported again.
fn csv_round_trip(g: &Graph) -> (Graph, String) {
    let dir = tempfile::tempdir().unwrap();
    g.export_csv(dir.path()).unwrap();
    let nodes = std::fs::read_to_string(dir.path().join("nodes.csv")).unwrap();
    let back = Graph::import_csv(dir.path().join("nodes.csv"), dir.path().join("relationships.csv")).unwrap();
    let map = order_map(g, &back);
    let identity: BTreeMap<u32, u32> = back.nodes().map(|n| (n.index(), n.index())).collect();
    assert_eq!(renumbered(&dump(&back), &identity), renumbered(&dump(g), &map));
    (back, nodes)
}

#[test]
fn csv_exports_what_the_benchmark_format_cannot_express() {
    // Several labels, none, and labels holding the separator and the escape character.
    let (_, nodes) = csv_round_trip(&one_node(&["A", "B"], "k", Value::Int(1)));
    assert!(nodes.contains(",A;B,"), "{nodes}");
    csv_round_trip(&one_node(&[], "k", Value::Int(1)));
    let (_, nodes) = csv_round_trip(&one_node(&["a;b", "c\\d", "e\\"], "k", Value::Int(1)));
    assert!(nodes.contains("a\\;b"), "{nodes}");
    // Values no typed column holds go in an ANY column, each cell in the JSON encoding.
    for value in [
        Value::List(vec![Value::Int(1), Value::from("x")]),
        Value::List(vec![Value::List(vec![Value::Int(1)])]),
        Value::from(""),
        Value::List(vec![]),
        Value::from(vec!["a;b", "中文"]),
        Value::List(vec![Value::Int(1), Value::Null]),
    ] {
        let (_, nodes) = csv_round_trip(&one_node(&["A"], "k", value.clone()));
        assert!(
            nodes.lines().next().unwrap().contains("k:ANY"),
            "{value:?}: {nodes}"
        );
    }
    // A column whose values mix types across items.
    let mut g = one_node(&["A"], "k", Value::Int(1));
    g.add_node(&["A"], [("k", Value::Float(1.0))]).unwrap();
    g.add_node(&["A"], [("k", date(2024, 2, 29))]).unwrap();
    let (back, nodes) = csv_round_trip(&g);
    assert!(nodes.contains("{\"\"~date\"\":\"\"2024-02-29\"\"}"), "{nodes}");
    assert_eq!(
        back.nodes()
            .filter_map(|n| back.node(n).unwrap().property("k").cloned())
            .count(),
        3
    );
    // A graph within the benchmark format keeps the benchmark format's typed columns.
    let (_, nodes) = csv_round_trip(&one_node(&["A"], "k", Value::from(vec!["x", "y"])));
    assert_eq!(
        nodes.lines().next(),
        Some("id:ID,label:LABEL,name:STRING,k:STRING[]")
    );
}

/// A graph with every value Cypher's CREATE can store, awkward names and texts, several
/// labels, an unlabelled node and gaps in the ids.
fn cypher_graph() -> Graph {
    let mut g = Graph::new();
    let a = g
        .add_node(
            &["Company", "Listed"],
            [
                ("name", Value::from("O'Brien \\ \"Co\"\nline\r\ttab\u{1}")),
                ("name_zh", "辉瑞".into()),
                ("aliases", vec!["PFE", "辉瑞中国"].into()),
                ("when", date(-44, 3, 15)),
                ("n", Value::Int(i64::MIN)),
                ("f", Value::Float(0.1)),
                ("big", Value::Float(1e300)),
                ("nan", Value::Float(f64::NAN)),
                ("inf", Value::Float(f64::INFINITY)),
                ("ninf", Value::Float(f64::NEG_INFINITY)),
                ("negz", Value::Float(-0.0)),
                ("yes", Value::Bool(true)),
                (
                    "list",
                    Value::List(vec![
                        Value::Int(1),
                        Value::Null,
                        Value::from("x"),
                        date(2020, 2, 29),
                    ]),
                ),
                ("empty", Value::List(vec![])),
                ("blank", Value::from("")),
            ],
        )
        .unwrap();
    let gone = g.add_node(&["Gone"], [("k", 1)]).unwrap();
    let b = g
        .add_node(&["we`ird label", "Place"], [("key with space", 1)])
        .unwrap();
    let c = g.add_node(&[], [("note", "unlabelled")]).unwrap();
    g.add_relationship(a, b, "LOCATED`IN", [("since", 2001)]).unwrap();
    g.add_relationship(c, a, "MENTIONS", Vec::<(&str, Value)>::new())
        .unwrap();
    g.add_relationship(b, b, "SELF", [("w", Value::Float(2.5))])
        .unwrap();
    g.detach_remove_node(gone).unwrap();
    g.add_relationship(c, c, "SELF", [("w", Value::Float(3.5))])
        .unwrap();
    g
}

/// Runs a Cypher export's statements one by one on `g`, as the export's doc says.
fn replay_lines(g: &mut Graph, script: &str) {
    for line in script.lines() {
        if line.is_empty() || line.starts_with("//") {
            continue;
        }
        g.execute(line).run().unwrap_or_else(|e| panic!("{e}\n{line}"));
    }
}

#[test]
fn the_cypher_script_replays_into_the_same_graph() {
    let g = cypher_graph();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("g.cypher");
    // One row a statement too, so that every statement is cut.
    for options in [
        CypherExportOptions::default(),
        CypherExportOptions::default().batch_rows(1),
    ] {
        g.export_cypher_with(&path, &options).unwrap();
        let script = std::fs::read_to_string(&path).unwrap();
        assert!(!script.contains("id("), "nodes are never found by id()");
        let mut replay = Graph::new();
        replay_lines(&mut replay, &script);
        assert_eq!(canonical(&replay), canonical(&g));
        assert_eq!(replay.label_counts(), g.label_counts());
        assert!(replay.nodes_with_label("KGRAPH_IMPORT").next().is_none());
    }
}

#[test]
fn the_cypher_script_replayed_into_a_graph_with_nodes_adds_a_copy() {
    let g = cypher_graph();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("g.cypher");
    g.export_cypher(&path).unwrap();
    let script = std::fs::read_to_string(&path).unwrap();
    // Into a copy of itself (same labels, same values), and twice in one database.
    let mut twice = cypher_graph();
    replay_lines(&mut twice, &script);
    assert_eq!(canonical(&twice), canonical_union(&g, &g));
    let db = Database::new();
    db.execute_script(&script, &Params::new()).unwrap();
    db.execute_script(&script, &Params::new()).unwrap();
    assert_eq!(canonical(&db.read()), canonical_union(&g, &g));
}

#[test]
fn the_cypher_script_refuses_what_create_cannot_store() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("g.cypher");
    let nested = Value::List(vec![Value::List(vec![])]);
    let err = one_node(&["A"], "l", nested).export_cypher(&path).unwrap_err();
    assert!(unrepresentable_reason(err).contains("list of lists"));
    assert!(!path.exists(), "a refused export writes nothing");
    // Constraints cannot be written in this crate's Cypher: they are listed as comments.
    let mut g = one_node(&["A"], "k", Value::Int(1));
    g.create_unique_constraint("A", "k").unwrap();
    g.export_cypher(&path).unwrap();
    assert!(std::fs::read_to_string(&path)
        .unwrap()
        .contains("// A unique constraint of the exported graph, not created by the script: CREATE CONSTRAINT IF NOT EXISTS FOR (n:`A`) REQUIRE n.`k` IS UNIQUE"));
}

#[test]
fn kuzu_export_writes_tables_files_and_load_statements() {
    let mut g = Graph::new();
    let a = g
        .add_node(
            &["Company"],
            [
                (
                    "name",
                    Value::from("Shanghai United Imaging Healthcare Co., Ltd."),
                ),
                (
                    "aliases",
                    vec!["联影", "United Imaging, Inc.", "沪府办发[2017]51号"].into(),
                ),
                ("id", Value::Int(7)),
            ],
        )
        .unwrap();
    let p = g.add_node(&["Place"], [("name", "Shanghai")]).unwrap();
    let q = g.add_node(&["Person"], [("name", "Ada")]).unwrap();
    g.add_relationship(a, p, "LOCATED_IN", [("since", date(2011, 1, 1))])
        .unwrap();
    g.add_relationship(q, p, "LOCATED_IN", Vec::<(&str, Value)>::new())
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    g.export_kuzu(dir.path()).unwrap();
    let script = std::fs::read_to_string(dir.path().join("schema.cypher")).unwrap();
    let lines: Vec<&str> = script.lines().collect();
    // A property named `id` moves the primary key aside.
    assert!(lines.contains(
        &"CREATE NODE TABLE `Company`(`kgraph_id1` INT64, `name` STRING, `aliases` STRING[], `id` INT64, PRIMARY KEY (`kgraph_id1`));"
    ), "{script}");
    assert!(lines.contains(&"CREATE NODE TABLE `Place`(`id` INT64, `name` STRING, PRIMARY KEY (`id`));"));
    assert!(lines.contains(
        &"CREATE REL TABLE `LOCATED_IN`(FROM `Company` TO `Place`, FROM `Person` TO `Place`, `since` DATE);"
    ));
    // Lists hold commas and brackets: joined with a free separator and split on load.
    let company_copy = lines.iter().find(|l| l.starts_with("COPY `Company`")).unwrap();
    assert!(
        company_copy.contains("string_split(`aliases`, '|')"),
        "{company_copy}"
    );
    assert_eq!(
        lines
            .iter()
            .filter(|l| l.starts_with("COPY `LOCATED_IN`"))
            .count(),
        2
    );
    assert!(lines
        .iter()
        .any(|l| l.starts_with("COPY `LOCATED_IN`") && l.contains("from='Person', to='Place'")));
    let files = std::fs::read_dir(dir.path()).unwrap().count();
    assert_eq!(
        files,
        1 + 3 + 2,
        "the script, a file per label and per (type, start, end)"
    );
    let company = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| std::fs::read_to_string(p).unwrap().starts_with("kgraph_id1,"))
        .unwrap();
    let text = std::fs::read_to_string(company).unwrap();
    assert!(
        text.contains("联影|United Imaging, Inc.|沪府办发[2017]51号"),
        "{text}"
    );

    // One label per node, as for CSV.
    let err = one_node(&["A", "B"], "k", Value::Int(1))
        .export_kuzu(dir.path())
        .unwrap_err();
    assert!(matches!(err, ExportError::LabelCount { count: 2, .. }));
}

#[test]
fn the_embedded_dataset_exports_everywhere() {
    let g = Graph::ecosystem().unwrap();
    let dir = tempfile::tempdir().unwrap();
    g.export_csv(dir.path()).unwrap();
    let back = Graph::import_csv(dir.path().join("nodes.csv"), dir.path().join("relationships.csv")).unwrap();
    let map = order_map(&g, &back);
    let identity: BTreeMap<u32, u32> = back.nodes().map(|n| (n.index(), n.index())).collect();
    assert_eq!(renumbered(&dump(&back), &identity), renumbered(&dump(&g), &map));
    g.export_kuzu(dir.path().join("kuzu")).unwrap();
    g.export_jsonl(dir.path().join("g.jsonl")).unwrap();
    g.export_cypher(dir.path().join("g.cypher")).unwrap();
}

#[test]
fn an_export_refused_halfway_leaves_the_old_file_and_no_temporary_file() {
    // 600 nodes, a first statement's worth, then one whose properties (each a literal the
    // language allows) make a statement too large: the refusal comes after the writing began.
    let mut g = Graph::new();
    for i in 0..600 {
        g.add_node(&["A"], [("i", Value::Int(i))]).unwrap();
    }
    let big = "x".repeat(250 * 1024);
    let props: Vec<(String, Value)> = (0..5)
        .map(|k| (format!("p{k}"), Value::from(big.as_str())))
        .collect();
    g.add_node(&["B"], props.iter().map(|(k, v)| (k.as_str(), v.clone())))
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("g.cypher");
    std::fs::write(&path, "// the previous export\n").unwrap();
    let err = g.export_cypher(&path).unwrap_err();
    assert!(
        unrepresentable_reason(err).contains("too large"),
        "the refusal is the one met while writing"
    );
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "// the previous export\n"
    );
    assert_eq!(
        common::file_names(dir.path()),
        ["g.cypher"],
        "no temporary file is left"
    );
    // Without the large node, the same export replaces the file.
    let small = Graph::new();
    small.export_cypher(&path).unwrap();
    assert!(std::fs::read_to_string(&path).unwrap().contains("0 nodes"));
    assert_eq!(common::file_names(dir.path()), ["g.cypher"]);
}

#[test]
fn an_export_removes_what_an_interrupted_export_of_its_file_left() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("g.jsonl");
    // What an export killed halfway leaves: a hidden temporary file beside the target, named
    // after it (a process id that is not this one's, a counter).
    let leftover = dir.path().join(".g.jsonl.4000000.3.tmp");
    std::fs::write(&leftover, "{\"node\":{\"id\":1,").unwrap();
    let unrelated = [
        ".g.jsonl.tmp",
        ".other.jsonl.4000000.3.tmp",
        "g.jsonl.4000000.3.tmp",
    ];
    for name in unrelated {
        std::fs::write(dir.path().join(name), "keep").unwrap();
    }
    let g = Graph::ecosystem().unwrap();
    g.export_jsonl(&path).unwrap();
    assert!(!leftover.exists(), "the leftover was not removed");
    let mut expected: Vec<String> = unrelated.iter().map(|s| (*s).to_owned()).collect();
    expected.push("g.jsonl".to_owned());
    expected.sort();
    assert_eq!(common::file_names(dir.path()), expected, "only the leftover goes");
    assert_eq!(Graph::import_jsonl(&path).unwrap().node_count(), g.node_count());
}
