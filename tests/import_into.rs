//! Appending imports into a live graph and a database: matching by key (labels and properties
//! merged in), relationships through the file's ids, batches that are each atomic, what a
//! failure reports, progress, durability of each batch, and the file's line and column in
//! errors. An appending import into an empty graph gives what the bulk import gives.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod common;

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::{dump, order_map, renumbered};
use kgraph::{Database, Graph, ImportErrorKind, ImportOptions, ImportProgress, Value};
use proptest::prelude::*;

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// A small live graph: two companies (one listed), a place, a relationship.
fn live() -> Graph {
    let mut g = Graph::new();
    let a = g
        .add_node(
            &["Company"],
            [("name", Value::from("Pfizer")), ("founded", Value::Int(1849))],
        )
        .unwrap();
    let b = g.add_node(&["Company", "Listed"], [("name", "BeiGene")]).unwrap();
    g.add_node(&["Place"], [("name", "Shanghai")]).unwrap();
    g.add_relationship(a, b, "SIGNS_WITH", [("year", 2020)]).unwrap();
    g
}

const NODES: &str = "id:ID,label:LABEL,name:STRING,country:STRING,founded:INT\n\
    10,Company;Listed,Pfizer,US,\n\
    11,Company,Mindray,CN,1991\n\
    12,Place,Shanghai,CN,\n\
    13,Company,Mindray,,\n";
const RELS: &str = "start:START_ID,end:END_ID,type:TYPE,year:INT\n\
    11,12,LOCATED_IN,\n\
    10,11,SIGNS_WITH,2024\n";

fn props(g: &Graph, name: &str) -> (Vec<String>, BTreeMap<String, Value>) {
    let hits = g.lookup(name);
    assert_eq!(hits.len(), 1, "{name}: {hits:?}");
    let n = g.node(hits[0]).unwrap();
    let mut labels: Vec<String> = n.labels().map(str::to_owned).collect();
    labels.sort();
    (
        labels,
        n.properties().map(|(k, v)| (k.to_owned(), v.clone())).collect(),
    )
}

#[test]
fn nodes_are_matched_by_key_and_merged_others_created() {
    let dir = tempfile::tempdir().unwrap();
    let (nodes, rels) = (
        write(dir.path(), "n.csv", NODES),
        write(dir.path(), "r.csv", RELS),
    );
    let mut g = live();
    let report = g
        .import_csv_into(&nodes, &rels, &ImportOptions::new().merge_on("Company", "name"))
        .unwrap();
    // Pfizer matched; Mindray created, then matched by the row after it; Shanghai is a Place,
    // not matched by the Company key: created.
    assert_eq!(
        (
            report.nodes_matched,
            report.nodes_created,
            report.relationships_created
        ),
        (2, 2, 2)
    );
    assert_eq!((report.rows, report.batches), (6, 1));
    assert_eq!(g.node_count(), 3 + 2);
    assert_eq!(g.relationship_count(), 1 + 2);
    // The file's labels are added, its properties set; the others kept.
    let (labels, p) = props(&g, "Pfizer");
    assert_eq!(labels, ["Company", "Listed"]);
    assert_eq!(p["country"], Value::from("US"));
    assert_eq!(p["founded"], Value::Int(1849));
    // The second Mindray row merged into the first: its absent cells removed nothing.
    let (_, p) = props(&g, "Mindray");
    assert_eq!(
        (p["country"].clone(), p["founded"].clone()),
        (Value::from("CN"), Value::Int(1991))
    );
    // Relationships connect the nodes the file's ids resolved to.
    let pfizer = g.lookup("Pfizer")[0];
    let mindray = g.lookup("Mindray")[0];
    let signs: Vec<_> = g
        .relationships()
        .filter(|r| g.relationship(*r).unwrap().rel_type() == "SIGNS_WITH")
        .map(|r| {
            let r = g.relationship(r).unwrap();
            (r.start(), r.end(), r.property("year").cloned())
        })
        .collect();
    assert!(
        signs.contains(&(pfizer, mindray, Some(Value::Int(2024)))),
        "{signs:?}"
    );
    assert_eq!(
        g.lookup("Shanghai").len(),
        2,
        "the Place row was created, not matched"
    );
    g.check_invariants().unwrap();
}

#[test]
fn without_a_key_every_row_creates() {
    let dir = tempfile::tempdir().unwrap();
    let (nodes, rels) = (
        write(dir.path(), "n.csv", NODES),
        write(dir.path(), "r.csv", RELS),
    );
    let mut g = live();
    let report = g.import_csv_into(&nodes, &rels, &ImportOptions::new()).unwrap();
    assert_eq!((report.nodes_created, report.nodes_matched), (4, 0));
    assert_eq!(g.node_count(), 3 + 4);
}

#[test]
fn an_import_within_one_batch_is_atomic() {
    let dir = tempfile::tempdir().unwrap();
    let nodes = write(dir.path(), "n.csv", NODES);
    // The last row names an id no node row has.
    let rels = write(dir.path(), "r.csv", &format!("{RELS}10,99,SIGNS_WITH,1\n"));
    let mut g = live();
    let before = dump(&g);
    let failure = g
        .import_csv_into(&nodes, &rels, &ImportOptions::new().merge_on("Company", "name"))
        .unwrap_err();
    assert_eq!(failure.committed.batches, 0);
    assert_eq!(failure.committed.nodes_created, 0);
    let err = failure.import_error().unwrap();
    assert_eq!((err.line(), err.column()), (Some(4), Some(2)));
    assert_eq!(
        err.kind(),
        Some(&ImportErrorKind::UnknownNodeId { id: "99".into() })
    );
    assert_eq!(dump(&g), before, "nothing of the failed import is left");
    // Names the failed batch interned are forgotten too: the graph goes on as before.
    g.add_node(&["Company"], [("name", "After")]).unwrap();
    g.check_invariants().unwrap();
}

#[test]
fn a_failure_past_the_first_batch_reports_what_was_committed() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::new();
    for i in 0..10 {
        text.push_str(&format!(
            "{{\"node\":{{\"id\":{i},\"labels\":[\"N\"],\"properties\":{{\"i\":{i}}}}}}}\n"
        ));
    }
    // Line 11: a bad value in the fourth batch of three rows.
    text.push_str("{\"node\":{\"id\":99,\"labels\":[\"N\"],\"properties\":{\"m\":{\"x\":1}}}}\n");
    let path = write(dir.path(), "g.jsonl", &text);
    let mut g = Graph::new();
    let failure = g
        .import_jsonl_into(&path, &ImportOptions::new().batch_rows(3))
        .unwrap_err();
    assert_eq!(failure.committed.batches, 3);
    assert_eq!(failure.committed.nodes_created, 9);
    assert_eq!(failure.committed.rows, 9);
    assert_eq!(
        g.node_count(),
        9,
        "the three committed batches stay, the fourth is undone"
    );
    let err = failure.import_error().unwrap();
    assert_eq!(err.line(), Some(11));
    assert_eq!(
        err.kind(),
        Some(&ImportErrorKind::MapValue { column: "m".into() })
    );
    assert!(failure.to_string().contains("3 batch"), "{failure}");
}

#[test]
fn progress_is_reported_up_to_the_whole_file() {
    let dir = tempfile::tempdir().unwrap();
    let (nodes, rels) = (
        write(dir.path(), "n.csv", NODES),
        write(dir.path(), "r.csv", RELS),
    );
    let total = (NODES.len() + RELS.len()) as u64;
    let seen: RefCell<Vec<ImportProgress>> = RefCell::new(Vec::new());
    let record = |p: &ImportProgress| seen.borrow_mut().push(*p);
    let mut g = Graph::new();
    let report = g
        .import_csv_into(
            &nodes,
            &rels,
            &ImportOptions::new().batch_rows(2).progress(&record),
        )
        .unwrap();
    let seen = seen.into_inner();
    assert_eq!(report.batches, 3);
    assert_eq!(seen.len(), 3, "{seen:?}");
    assert!(seen
        .windows(2)
        .all(|w| w[0].rows < w[1].rows && w[0].bytes_read <= w[1].bytes_read));
    let last = seen.last().unwrap();
    assert_eq!((last.rows, last.batches_committed), (6, 3));
    assert_eq!((last.bytes_read, last.total_bytes), (total, total));
    assert!(seen[0].bytes_read < total);
}

#[test]
fn bad_input_keeps_its_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let rels = write(dir.path(), "r.csv", "start:START_ID,end:END_ID,type:TYPE\n");
    let nodes = write(dir.path(), "n.csv", "id:ID,label:LABEL,n:INT\n1,A,1\n2,A,x\n");
    let failure = Graph::new()
        .import_csv_into(&nodes, &rels, &ImportOptions::new())
        .unwrap_err();
    let err = failure.import_error().unwrap();
    assert_eq!((err.line(), err.column()), (Some(3), Some(3)));
    assert!(matches!(err.kind(), Some(ImportErrorKind::BadInteger { .. })));
    let nodes = write(dir.path(), "n.csv", "id:ID,label:LABEL\n1,A\n1,B\n");
    let failure = Graph::new()
        .import_csv_into(&nodes, &rels, &ImportOptions::new())
        .unwrap_err();
    let err = failure.import_error().unwrap();
    assert_eq!((err.line(), err.column()), (Some(3), Some(1)));
    assert_eq!(
        err.kind(),
        Some(&ImportErrorKind::DuplicateNodeId {
            id: "1".into(),
            first_line: 2
        })
    );
    let path = write(
        dir.path(),
        "g.jsonl",
        "{\"node\":{\"id\":1}}\n{\"node\":{\"id\":2,}}\n",
    );
    let failure = Graph::new()
        .import_jsonl_into(&path, &ImportOptions::new())
        .unwrap_err();
    let err = failure.import_error().unwrap();
    assert_eq!(err.line(), Some(2));
    assert!(matches!(err.kind(), Some(ImportErrorKind::BadJson { .. })));
}

#[test]
fn a_unique_constraint_refuses_a_created_duplicate_and_the_batch_is_undone() {
    let dir = tempfile::tempdir().unwrap();
    let mut g = live();
    g.create_unique_constraint("Place", "name").unwrap();
    let before = dump(&g);
    let nodes = write(
        dir.path(),
        "n.csv",
        "id:ID,label:LABEL,name:STRING\n1,Company,New Co\n2,Place,Shanghai\n",
    );
    let rels = write(dir.path(), "r.csv", "start:START_ID,end:END_ID,type:TYPE\n");
    let failure = g
        .import_csv_into(&nodes, &rels, &ImportOptions::new())
        .unwrap_err();
    assert_eq!(failure.import_error().and_then(|e| e.line()), Some(3));
    assert_eq!(dump(&g), before);
    // Matched on the constrained key instead, it merges.
    let report = g
        .import_csv_into(&nodes, &rels, &ImportOptions::new().merge_on("Place", "name"))
        .unwrap();
    assert_eq!((report.nodes_created, report.nodes_matched), (1, 1));
}

#[test]
fn a_database_commits_each_batch_durably() {
    let dir = tempfile::tempdir().unwrap();
    let files = tempfile::tempdir().unwrap();
    let mut text = String::new();
    for i in 0..7 {
        text.push_str(&format!(
            "{{\"node\":{{\"id\":{i},\"labels\":[\"Company\"],\"properties\":{{\"name\":\"c{i}\",\"k\":\"中文{i}\"}}}}}}\n"
        ));
    }
    text.push_str("{\"relationship\":{\"start\":0,\"end\":6,\"type\":\"T\"}}\n");
    text.push_str("{\"relationship\":{\"start\":0,\"end\":77,\"type\":\"T\"}}\n");
    let path = write(files.path(), "g.jsonl", &text);
    {
        let db = Database::open(dir.path()).unwrap();
        db.execute("CREATE (:Company {name: 'c0', since: 1})").unwrap();
        let failure = db
            .import_jsonl(
                &path,
                &ImportOptions::new().merge_on("Company", "name").batch_rows(4),
            )
            .unwrap_err();
        // Batches of rows 1-4 and 5-8 committed; the ninth row fails its batch.
        assert_eq!(failure.committed.batches, 2);
        assert_eq!(
            (failure.committed.nodes_matched, failure.committed.nodes_created),
            (1, 6)
        );
        assert_eq!(failure.committed.relationships_created, 1);
        let read = db.read();
        assert_eq!((read.node_count(), read.relationship_count()), (7, 1));
    }
    // Reopened from its directory: the committed batches are there.
    let db = Database::open(dir.path()).unwrap();
    let read = db.read();
    assert_eq!((read.node_count(), read.relationship_count()), (7, 1));
    let c0 = read.node(read.resolve("c0").unwrap()).unwrap();
    assert_eq!(c0.property("since"), Some(&Value::Int(1)));
    assert_eq!(c0.property("k"), Some(&Value::from("中文0")));
}

#[test]
fn a_database_import_of_csv_is_one_transaction_within_a_batch() {
    let files = tempfile::tempdir().unwrap();
    let nodes = write(files.path(), "n.csv", NODES);
    let rels = write(files.path(), "r.csv", &format!("{RELS}10,99,SIGNS_WITH,1\n"));
    let db = Database::new();
    db.execute("CREATE (:Company {name: 'Pfizer'})").unwrap();
    let failure = db
        .import_csv(&nodes, &rels, &ImportOptions::new().merge_on("Company", "name"))
        .unwrap_err();
    assert_eq!(failure.committed.batches, 0);
    let read = db.read();
    assert_eq!((read.node_count(), read.relationship_count()), (1, 0));
    assert_eq!(
        read.node(read.resolve("Pfizer").unwrap())
            .unwrap()
            .properties()
            .count(),
        1
    );
}

/// The benchmark kit's format as `gen.py` writes it, imported both ways.
#[test]
fn an_appending_import_into_an_empty_graph_equals_the_bulk_import() {
    let dir = tempfile::tempdir().unwrap();
    Graph::ecosystem().unwrap().export_csv(dir.path()).unwrap();
    let (nodes, rels) = (dir.path().join("nodes.csv"), dir.path().join("relationships.csv"));
    let bulk = Graph::import_csv(&nodes, &rels).unwrap();
    let mut appended = Graph::new();
    let report = appended
        .import_csv_into(&nodes, &rels, &ImportOptions::new().batch_rows(100))
        .unwrap();
    assert_eq!(report.nodes_created as usize, bulk.node_count());
    assert!(report.batches > 1);
    let map = order_map(&bulk, &appended);
    let identity: BTreeMap<u32, u32> = appended.nodes().map(|n| (n.index(), n.index())).collect();
    assert_eq!(
        renumbered(&dump(&appended), &identity),
        renumbered(&dump(&bulk), &map)
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    /// Importing a file twice, matched by a key every node has and distinct, changes nothing
    /// the second time but adds the relationships again.
    #[test]
    fn a_second_matched_import_adds_only_relationships(
        n in 1usize..12,
        rels in proptest::collection::vec((0usize..12, 0usize..12), 0..10),
        batch in 1usize..6,
    ) {
        let dir = tempfile::tempdir().unwrap();
        let mut text = String::new();
        for i in 0..n {
            text.push_str(&format!(
                "{{\"node\":{{\"id\":{i},\"labels\":[\"K\",\"L{}\"],\"properties\":{{\"key\":{i},\"v\":[\"中\",\"\",\"a;b\"]}}}}}}\n",
                i % 3
            ));
        }
        for (a, b) in &rels {
            text.push_str(&format!(
                "{{\"relationship\":{{\"start\":{},\"end\":{},\"type\":\"R\"}}}}\n",
                a % n,
                b % n
            ));
        }
        let path = write(dir.path(), "g.jsonl", &text);
        let opts = ImportOptions::new().merge_on("K", "key").batch_rows(batch);
        let mut g = Graph::new();
        let first = g.import_jsonl_into(&path, &opts).unwrap();
        prop_assert_eq!(first.nodes_created as usize, n);
        let nodes_before: Vec<_> = dump(&g).nodes;
        let second = g.import_jsonl_into(&path, &opts).unwrap();
        prop_assert_eq!((second.nodes_created, second.nodes_matched as usize), (0, n));
        prop_assert_eq!(dump(&g).nodes, nodes_before);
        prop_assert_eq!(g.relationship_count(), 2 * rels.len());
        prop_assert_eq!(first.batches as usize, (n + rels.len()).div_ceil(batch).max(1));
    }
}
