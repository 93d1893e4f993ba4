//! CSV and JSON Lines import: every kind of malformed row is an error naming the file, line
//! and column, and loads nothing (a failed import returns no graph, and the adapter keeps its
//! graph); good files import with the right counts and values; the shared benchmark's
//! generator's output imports with the counts it announces.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod common;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

use kgraph::{Date, Direction, Graph, ImportError, ImportErrorKind, Value};

const NODES_HEADER: &str =
    "id:ID,label:LABEL,name:STRING,age:INT,score:FLOAT,born:DATE,active:BOOL,tags:STRING[]";
const RELS_HEADER: &str = "start:START_ID,end:END_ID,type:TYPE,weight:FLOAT";
const GOOD_NODES: &str = "0,Person,Ada,36,1.5,1815-12-10,true,a;b\n1,Person,Alan,41,2.0,1912-06-23,false,\n";
const GOOD_RELS: &str = "0,1,KNOWS,0.5\n";

struct Files {
    dir: tempfile::TempDir,
}

impl Files {
    fn new() -> Files {
        Files {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn write(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    }

    /// Imports `nodes` and `rels` (whole files, headers included).
    fn import(&self, nodes: &[u8], rels: &[u8]) -> (PathBuf, PathBuf, Result<Graph, ImportError>) {
        let n = self.write("nodes.csv", nodes);
        let r = self.write("relationships.csv", rels);
        let result = Graph::import_csv(&n, &r);
        (n, r, result)
    }
}

fn csv(header: &str, rows: &str) -> Vec<u8> {
    format!("{header}\n{rows}").into_bytes()
}

/// Checks that the error names `file`, `line` and `column`, prints them first, and returns
/// its kind.
fn located(result: Result<Graph, ImportError>, file: &Path, line: u64, column: u64) -> ImportErrorKind {
    let err = match result {
        Ok(_) => panic!("a malformed file imported"),
        Err(e) => e,
    };
    assert_eq!(err.path(), file, "{err}");
    assert_eq!((err.line(), err.column()), (Some(line), Some(column)), "{err}");
    let prefix = format!("{}:{line}:{column}: ", file.display());
    assert!(
        err.to_string().starts_with(&prefix),
        "'{err}' should start with '{prefix}'"
    );
    let kind = err.kind().unwrap().clone();
    // Through the umbrella error too.
    let umbrella: kgraph::Error = err.into();
    assert!(umbrella.to_string().contains(&prefix));
    kind
}

#[test]
fn a_missing_column_is_named() {
    let f = Files::new();
    let (n, _, r) = f.import(
        &csv("label:LABEL,name:STRING", "Person,Ada\n"),
        &csv(RELS_HEADER, ""),
    );
    assert_eq!(
        located(r, &n, 1, 3),
        ImportErrorKind::MissingColumn { column: "ID" }
    );
    let (_, rp, r) = f.import(
        &csv(NODES_HEADER, GOOD_NODES),
        &csv("start:START_ID,type:TYPE", "0,KNOWS\n"),
    );
    assert_eq!(
        located(r, &rp, 1, 3),
        ImportErrorKind::MissingColumn { column: "END_ID" }
    );
    // An empty file has no header at all.
    let (n, _, r) = f.import(b"", &csv(RELS_HEADER, ""));
    assert_eq!(
        located(r, &n, 1, 1),
        ImportErrorKind::MissingColumn { column: "ID" }
    );
}

#[test]
fn bad_values_name_their_column() {
    let f = Files::new();
    let row = |cells: &str| csv(NODES_HEADER, &format!("{GOOD_NODES}{cells}\n"));
    let (n, _, r) = f.import(&row("2,Person,Bo,x1,1.0,2000-01-01,true,"), &csv(RELS_HEADER, ""));
    assert_eq!(
        located(r, &n, 4, 4),
        ImportErrorKind::BadInteger {
            column: "age".into(),
            text: "x1".into()
        }
    );
    let (n, _, r) = f.import(
        &row("2,Person,Bo,3,1.2.3,2000-01-01,true,"),
        &csv(RELS_HEADER, ""),
    );
    assert!(matches!(located(r, &n, 4, 5), ImportErrorKind::BadFloat { text, .. } if text == "1.2.3"));
    let (n, _, r) = f.import(&row("2,Person,Bo,3,1.0,2022-02-30,true,"), &csv(RELS_HEADER, ""));
    assert!(matches!(located(r, &n, 4, 6), ImportErrorKind::BadDate { text, .. } if text == "2022-02-30"));
    let (n, _, r) = f.import(&row("2,Person,Bo,3,1.0,2000-01-01,yes,"), &csv(RELS_HEADER, ""));
    assert!(matches!(located(r, &n, 4, 7), ImportErrorKind::BadBool { text, .. } if text == "yes"));
    // An id that is not a non-negative integer, and an empty id.
    let (n, _, r) = f.import(&row("-2,Person,Bo,3,1.0,2000-01-01,true,"), &csv(RELS_HEADER, ""));
    assert!(matches!(located(r, &n, 4, 1), ImportErrorKind::BadInteger { .. }));
    let (n, _, r) = f.import(&row(",Person,Bo,3,1.0,2000-01-01,true,"), &csv(RELS_HEADER, ""));
    assert!(matches!(
        located(r, &n, 4, 1),
        ImportErrorKind::MissingValue { .. }
    ));
    // An element of a list.
    let header = "id:ID,label:LABEL,ns:INT[]";
    let (n, _, r) = f.import(&csv(header, "0,A,1;2\n1,A,3;x;4\n"), &csv(RELS_HEADER, ""));
    assert!(matches!(located(r, &n, 3, 3), ImportErrorKind::BadInteger { text, .. } if text == "x"));
}

#[test]
fn lines_count_quoted_line_breaks() {
    let f = Files::new();
    // The first record spans lines 2 and 3; the bad one starts on line 4.
    let nodes = csv(
        NODES_HEADER,
        "0,Person,\"two\nlines, and \"\"quotes\"\"\",1,1.0,2000-01-01,true,\n1,Person,Bo,1,1.0,2000-01-01,maybe,\n",
    );
    let (n, _, r) = f.import(&nodes, &csv(RELS_HEADER, ""));
    assert!(matches!(located(r, &n, 4, 7), ImportErrorKind::BadBool { .. }));
}

#[test]
fn unknown_and_duplicate_node_ids() {
    let f = Files::new();
    let (_, rp, r) = f.import(
        &csv(NODES_HEADER, GOOD_NODES),
        &csv(RELS_HEADER, "0,1,KNOWS,1.0\n0,99,KNOWS,\n"),
    );
    assert_eq!(
        located(r, &rp, 3, 2),
        ImportErrorKind::UnknownNodeId { id: "99".into() }
    );
    let (n, _, r) = f.import(
        &csv(
            NODES_HEADER,
            &format!("{GOOD_NODES}0,Person,Again,1,1.0,2000-01-01,true,\n"),
        ),
        &csv(RELS_HEADER, ""),
    );
    assert_eq!(
        located(r, &n, 4, 1),
        ImportErrorKind::DuplicateNodeId {
            id: "0".into(),
            first_line: 2
        }
    );
}

/// Rows are parsed on a second thread and inserted on the calling one; in a file of many
/// thousand rows the error reported is still the first in file order, whichever thread finds it.
#[test]
fn the_first_error_in_file_order_wins_in_a_long_file() {
    let f = Files::new();
    let mut nodes = String::new();
    for i in 0..20_000 {
        nodes.push_str(&format!("{i},Person,n{i},1,1.0,2000-01-01,true,\n"));
    }
    // A duplicate id (found while inserting) on line 10,002, before a bad integer (found
    // while parsing) on line 15,002.
    let mut dup = nodes.clone();
    dup = dup.replacen("10000,Person", "7,Person", 1);
    dup = dup.replacen("15000,Person,n15000,1,", "15000,Person,n15000,x,", 1);
    let (n, _, r) = f.import(&csv(NODES_HEADER, &dup), &csv(RELS_HEADER, ""));
    assert_eq!(
        located(r, &n, 10_002, 1),
        ImportErrorKind::DuplicateNodeId {
            id: "7".into(),
            first_line: 9
        }
    );
    // The other way round: the parse error comes first.
    let mut bad = nodes.clone();
    bad = bad.replacen("10000,Person,n10000,1,", "10000,Person,n10000,x,", 1);
    bad = bad.replacen("15000,Person", "7,Person", 1);
    let (n, _, r) = f.import(&csv(NODES_HEADER, &bad), &csv(RELS_HEADER, ""));
    assert!(matches!(
        located(r, &n, 10_002, 4),
        ImportErrorKind::BadInteger { .. }
    ));
    // Relationships: an unknown endpoint far down the file, then a bad float.
    let mut rels = String::new();
    for i in 0..20_000 {
        let end = if i == 12_345 { 99_999 } else { i };
        let weight = if i == 17_000 { "w" } else { "0.5" };
        rels.push_str(&format!("{i},{end},KNOWS,{weight}\n"));
    }
    let (_, rp, r) = f.import(&csv(NODES_HEADER, &nodes), &csv(RELS_HEADER, &rels));
    assert_eq!(
        located(r, &rp, 12_347, 2),
        ImportErrorKind::UnknownNodeId { id: "99999".into() }
    );
    let (_, _, r) = f.import(
        &csv(NODES_HEADER, &nodes),
        &csv(RELS_HEADER, &rels.replace(",99999,", ",1,")),
    );
    assert!(matches!(
        r.unwrap_err(),
        ImportError::Malformed {
            line: 17_002,
            column: 4,
            ..
        }
    ));
    let g = f
        .import(
            &csv(NODES_HEADER, &nodes),
            &csv(
                RELS_HEADER,
                &rels.replace(",99999,", ",1,").replace(",w\n", ",0.5\n"),
            ),
        )
        .2
        .unwrap();
    assert_eq!((g.node_count(), g.relationship_count()), (20_000, 20_000));
}

#[test]
fn bad_utf8_and_wrong_field_counts() {
    let f = Files::new();
    let mut nodes = csv(NODES_HEADER, GOOD_NODES);
    nodes.extend_from_slice(b"2,Person,B\xff\xfeo,1,1.0,2000-01-01,true,\n");
    let (n, _, r) = f.import(&nodes, &csv(RELS_HEADER, ""));
    assert_eq!(located(r, &n, 4, 3), ImportErrorKind::BadUtf8);

    let (n, _, r) = f.import(&csv(NODES_HEADER, "0,Person,Ada,36\n"), &csv(RELS_HEADER, ""));
    assert_eq!(
        located(r, &n, 2, 5),
        ImportErrorKind::WrongFieldCount {
            expected: 8,
            found: 4
        }
    );
    let (_, rp, r) = f.import(
        &csv(NODES_HEADER, GOOD_NODES),
        &csv(RELS_HEADER, "0,1,KNOWS,1.0,extra\n"),
    );
    assert!(matches!(
        located(r, &rp, 2, 5),
        ImportErrorKind::WrongFieldCount { found: 5, .. }
    ));
}

#[test]
fn bad_headers() {
    let f = Files::new();
    let (n, _, r) = f.import(&csv("id:ID,label:LABEL,age:NUMBER", ""), &csv(RELS_HEADER, ""));
    assert!(matches!(located(r, &n, 1, 3), ImportErrorKind::BadHeader { .. }));
    let (n, _, r) = f.import(&csv("id:ID,label:LABEL,age", ""), &csv(RELS_HEADER, ""));
    assert!(matches!(located(r, &n, 1, 3), ImportErrorKind::BadHeader { .. }));
    let (n, _, r) = f.import(
        &csv("id:ID,label:LABEL,a:INT,a:STRING", ""),
        &csv(RELS_HEADER, ""),
    );
    assert_eq!(
        located(r, &n, 1, 4),
        ImportErrorKind::DuplicateColumn { name: "a".into() }
    );
    let (n, _, r) = f.import(&csv("id:ID,label:LABEL,s:START_ID", ""), &csv(RELS_HEADER, ""));
    assert!(matches!(located(r, &n, 1, 3), ImportErrorKind::BadHeader { .. }));
}

#[test]
fn a_failed_import_loads_nothing() {
    // The library never touches an existing graph: the result is a new graph or an error.
    let f = Files::new();
    let mut g = Graph::import_csv(
        f.write("good_nodes.csv", &csv(NODES_HEADER, GOOD_NODES)),
        f.write("good_rels.csv", &csv(RELS_HEADER, GOOD_RELS)),
    )
    .unwrap();
    let before = (g.node_count(), g.relationship_count());
    let (_, _, r) = f.import(&csv(NODES_HEADER, GOOD_NODES), &csv(RELS_HEADER, "0,7,KNOWS,\n"));
    assert!(r.is_err());
    if let Ok(replacement) = r {
        g = replacement;
    }
    assert_eq!((g.node_count(), g.relationship_count()), before);
}

#[test]
fn a_failed_import_does_not_replace_the_adapters_graph() {
    let f = Files::new();
    let good_n = f.write("n.csv", &csv(NODES_HEADER, GOOD_NODES));
    let good_r = f.write("r.csv", &csv(RELS_HEADER, GOOD_RELS));
    let bad_r = f.write("bad.csv", &csv(RELS_HEADER, "0,1,KNOWS,\n5,1,KNOWS,\n"));
    let snap = f.dir.path().join("g.kgs");
    let damaged = f.write("damaged.kgs", b"\x89KGS\r\n\x1a\n\x01\x00");
    let requests = [
        serde_json::json!({"op": "import", "nodes": good_n, "relationships": good_r}),
        serde_json::json!({"op": "import", "nodes": good_n, "relationships": bad_r}),
        serde_json::json!({"op": "query", "query": "MATCH (n) RETURN count(n) AS n"}),
        serde_json::json!({"op": "save", "path": snap}),
        serde_json::json!({"op": "reset"}),
        serde_json::json!({"op": "open", "path": damaged}),
        serde_json::json!({"op": "open", "path": snap}),
        serde_json::json!({"op": "query", "query": "MATCH ()-[r]->() RETURN count(r) AS n"}),
        serde_json::json!({"op": "open", "path": f.dir.path().join("missing.kgs")}),
    ];
    let mut child = common::spawn_adapter();
    let mut stdin = child.stdin.take().unwrap();
    for r in &requests {
        writeln!(stdin, "{r}").unwrap();
    }
    drop(stdin);
    let out: Vec<serde_json::Value> = BufReader::new(child.stdout.take().unwrap())
        .lines()
        .map(|l| serde_json::from_str(&l.unwrap()).unwrap())
        .collect();
    assert!(child.wait().unwrap().success());
    assert_eq!(out.len(), requests.len());
    assert_eq!(out[0]["ok"], true);
    assert_eq!(
        (out[0]["nodes"].as_u64(), out[0]["relationships"].as_u64()),
        (Some(2), Some(1))
    );
    assert!(out[0]["elapsed_ns"].as_u64().is_some());
    assert_eq!(out[1]["ok"], false);
    assert_eq!(out[1]["error"]["kind"], "Corrupt");
    assert!(
        out[1]["error"]["message"]
            .as_str()
            .unwrap()
            .contains("bad.csv:3:1"),
        "{}",
        out[1]
    );
    assert_eq!(
        out[2]["rows"],
        serde_json::json!([[2]]),
        "the failed import kept the graph"
    );
    assert_eq!(out[3]["ok"], true);
    assert!(out[3]["elapsed_ns"].as_u64().is_some());
    assert_eq!(out[5]["error"]["kind"], "Corrupt");
    assert_eq!(out[6]["ok"], true);
    assert_eq!(out[7]["rows"], serde_json::json!([[1]]));
    assert_eq!(out[8]["error"]["kind"], "IoError");
}

#[test]
fn a_good_file_imports_with_its_values() {
    let f = Files::new();
    // Columns in another order, an IGNOREd column, ids that are neither dense nor ordered,
    // quoting, CJK, lists, empty cells, a BOM.
    let nodes = "\u{feff}name:STRING,skip:IGNORE,id:ID,amount:FLOAT,label:LABEL,aliases:STRING[],founded:DATE,listed:BOOL,staff:INT\n\
        \"Veranox Medical Co., Ltd. 17\",x,100,2500000000.0,Company,Veranox;威诺,2001-05-17,true,-12\n\
        苏州,,7,,Place,,,,\n\
        \"He said \"\"hi\"\"\nthen left\",,42,2.5e9,Person,,,false,\n";
    let rels = "type:TYPE,end:END_ID,start:START_ID,since:DATE,share:FLOAT,roles:STRING[]\n\
        LOCATED_IN,7,100,2003-01-01,,\n\
        WORKS_FOR,100,42,,0.25,CEO;chair\n\
        LOCATED_IN,7,100,,,\n";
    let (_, _, r) = f.import(nodes.as_bytes(), rels.as_bytes());
    let g = r.unwrap();
    assert_eq!((g.node_count(), g.relationship_count()), (3, 3));
    assert_eq!(
        g.label_counts(),
        vec![("Company", 1), ("Place", 1), ("Person", 1)]
    );
    let co = g.resolve("威诺").unwrap();
    assert_eq!(g.resolve("veranox medical co., ltd. 17").unwrap(), co);
    let n = g.node(co).unwrap();
    assert_eq!(n.property("amount"), Some(&Value::Float(2.5e9)));
    assert_eq!(n.property("aliases"), Some(&Value::from(vec!["Veranox", "威诺"])));
    assert_eq!(
        n.property("founded"),
        Some(&Value::Date(Date::from_ymd(2001, 5, 17).unwrap()))
    );
    assert_eq!(n.property("listed"), Some(&Value::Bool(true)));
    assert_eq!(n.property("staff"), Some(&Value::Int(-12)));
    assert_eq!(n.property("skip"), None);
    assert_eq!(n.property("id"), None, "the ID column is not a property");
    let place = g.resolve("苏州").unwrap();
    assert_eq!(
        g.node(place).unwrap().properties().count(),
        1,
        "empty cells are absent"
    );
    let person = g.nodes_with_label("Person").next().unwrap();
    assert_eq!(
        g.node(person).unwrap().property("name"),
        Some(&Value::from("He said \"hi\"\nthen left"))
    );
    let out: Vec<_> = g
        .relationships_of(co, Direction::Outgoing, Some("LOCATED_IN"))
        .unwrap()
        .collect();
    assert_eq!(out.len(), 2, "two rows with the same ends are two relationships");
    let works: Vec<_> = g
        .relationships_of(person, Direction::Outgoing, None)
        .unwrap()
        .collect();
    let w = g.relationship(works[0]).unwrap();
    assert_eq!((w.rel_type(), w.end()), ("WORKS_FOR", co));
    assert_eq!(w.property("roles"), Some(&Value::from(vec!["CEO", "chair"])));
    assert_eq!(w.property("share"), Some(&Value::Float(0.25)));
    g.check_invariants().unwrap();
}

#[test]
fn json_lines_errors_are_located() {
    let f = Files::new();
    let node = r#"{"node":{"id":1,"labels":["A"],"properties":{"name":"x"}}}"#;
    let import = |text: &[u8]| {
        let p = f.write("g.jsonl", text);
        let r = Graph::import_jsonl(&p);
        (p, r)
    };
    let (p, r) = import(format!("{node}\n{{\"node\":{{\"id\":2,,}}}}\n").as_bytes());
    assert!(matches!(located(r, &p, 2, 17), ImportErrorKind::BadJson { .. }));
    let (p, r) = import(format!("{node}\n{{\"node\":{{\"id\":2,\"colour\":1}}}}\n").as_bytes());
    assert!(matches!(located(r, &p, 2, 24), ImportErrorKind::BadRecord { .. }));
    let (p, r) = import(format!("{node}\n{node}\n").as_bytes());
    assert_eq!(
        located(r, &p, 2, 1),
        ImportErrorKind::DuplicateNodeId {
            id: "1".into(),
            first_line: 1
        }
    );
    let (p, r) = import(
        format!("{node}\n\n{{\"relationship\":{{\"start\":1,\"end\":3,\"type\":\"T\"}}}}\n").as_bytes(),
    );
    assert_eq!(
        located(r, &p, 3, 1),
        ImportErrorKind::UnknownNodeId { id: "3".into() }
    );
    let mut bad = format!("{node}\n").into_bytes();
    bad.extend_from_slice(b"{\"node\":{\"id\":2,\"labels\":[\"\xc3\x28\"]}}\n");
    let (p, r) = import(&bad);
    assert_eq!(located(r, &p, 2, 28), ImportErrorKind::BadUtf8);
    // A value the encoding refuses as input (a node), and a bad date.
    let (p, r) = import(br#"{"node":{"id":1,"properties":{"x":{"~node":{"id":1}}}}}"#);
    assert!(matches!(located(r, &p, 1, 42), ImportErrorKind::BadRecord { .. }));
    let (p, r) = import(
        "{\"node\":{\"id\":1,\"labels\":[\"名\"],\"properties\":{\"d\":{\"~date\":\"2022-02-30\"}}}}"
            .as_bytes(),
    );
    // Columns count characters: '名' is three bytes, so the byte column would be 73.
    let kind = located(r, &p, 1, 71);
    assert!(matches!(kind, ImportErrorKind::BadRecord { .. }), "{kind:?}");
}

#[test]
fn json_lines_good_file() {
    let f = Files::new();
    let text = concat!(
        r#"{"relationship":{"start":9,"end":3,"type":"KNOWS","properties":{"since":{"~date":"2020-01-02"}}}}"#,
        "\n",
        r#"{"node":{"id":3,"labels":["Person","Admin"],"properties":{"name":"Ada","n":1,"f":1.0,"nan":{"~float":"NaN"},"m":[1,null]}}}"#,
        "\n",
        r#"{"node":{"id":9,"labels":[],"properties":{}}}"#,
        "\n",
        r#"{"constraint":{"label":"Person","key":"name"}}"#,
        "\n",
    );
    let mut g = Graph::import_jsonl(f.write("g.jsonl", text.as_bytes())).unwrap();
    assert_eq!((g.node_count(), g.relationship_count()), (2, 1));
    let ada = g.resolve("ada").unwrap();
    let n = g.node(ada).unwrap();
    assert_eq!(n.property("n"), Some(&Value::Int(1)));
    assert_eq!(n.property("f"), Some(&Value::Float(1.0)));
    assert!(matches!(n.property("nan"), Some(Value::Float(x)) if x.is_nan()));
    assert_eq!(
        n.property("m"),
        Some(&Value::List(vec![Value::Int(1), Value::Null]))
    );
    assert!(n.has_label("Admin"));
    assert!(matches!(
        g.add_node(&["Person"], [("name", "Ada")]),
        Err(kgraph::GraphError::ConstraintViolation { .. })
    ));
}

// ---- the benchmark's generator ----

fn gen_py() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/bench/gen.py")
}

/// A bench-shaped dataset written here, for machines without the shared kit.
fn write_bench_shaped(dir: &Path, nodes: usize, rels: usize) -> (PathBuf, PathBuf) {
    let mut n = String::from("id:ID,label:LABEL,name:STRING,name_zh:STRING,aliases:STRING[],kind:STRING,country:STRING,date:DATE,date_precision:STRING,edition:INT\n");
    for i in 0..nodes {
        let label = ["Company", "Place", "Person"][i % 3];
        n.push_str(&format!(
            "{i},{label},\"Name {i}, Ltd.\",名{i},A{i};B{i},pharma,CN,2020-01-{:02},day,{i}\n",
            i % 28 + 1
        ));
    }
    let mut r = String::from("start:START_ID,end:END_ID,type:TYPE,amount:FLOAT,currency:STRING,date:DATE,event:STRING,title:STRING,role:STRING,source:STRING\n");
    for i in 0..rels {
        r.push_str(&format!(
            "{},{},SIGNS_WITH,{}.0,CNY,,,,,doc_{i}\n",
            i % nodes,
            (i * 7 + 1) % nodes,
            i * 100_000
        ));
    }
    let (np, rp) = (dir.join("nodes.csv"), dir.join("relationships.csv"));
    std::fs::write(&np, n).unwrap();
    std::fs::write(&rp, r).unwrap();
    (np, rp)
}

#[test]
fn the_benchmark_generators_output_imports() {
    let dir = tempfile::tempdir().unwrap();
    let r#gen = gen_py();
    if r#gen.exists() {
        let status = Command::new("python3")
            .arg(&r#gen)
            .args(["--scale", "XS", "--out"])
            .arg(dir.path())
            .status()
            .expect("python3 runs gen.py");
        assert!(status.success());
        let params: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.path().join("params.json")).unwrap()).unwrap();
        let g =
            Graph::import_csv(dir.path().join("nodes.csv"), dir.path().join("relationships.csv")).unwrap();
        assert_eq!(g.node_count() as u64, params["nodes"].as_u64().unwrap());
        assert_eq!(
            g.relationship_count() as u64,
            params["relationships"].as_u64().unwrap()
        );
        for (label, count) in params["labels"].as_object().unwrap() {
            assert_eq!(
                g.nodes_with_label(label).count() as u64,
                count.as_u64().unwrap(),
                "{label}"
            );
        }
        let types = g.relationship_type_counts();
        for (ty, count) in params["types"].as_object().unwrap() {
            let have = types.iter().find(|(t, _)| t == ty).map_or(0, |(_, n)| *n);
            assert_eq!(have as u64, count.as_u64().unwrap(), "{ty}");
        }
        let name = params["params"]["Q2"]["name"].as_str().unwrap();
        assert!(g.resolve(name).is_ok(), "{name} resolves");
        g.check_invariants().unwrap();
    } else {
        assert!(
            std::env::var_os("CI").is_none(),
            "{} is missing: CI must have the shared kit (../shared) beside the repository",
            r#gen.display()
        );
        let (n, r) = write_bench_shaped(dir.path(), 300, 2_000);
        let g = Graph::import_csv(n, r).unwrap();
        assert_eq!((g.node_count(), g.relationship_count()), (300, 2_000));
        assert_eq!(g.resolve("名7").unwrap(), g.resolve("name 7, ltd.").unwrap());
        g.check_invariants().unwrap();
    }
    // The hand-written shape imports too (so both branches stay exercised).
    let (n, r) = write_bench_shaped(dir.path(), 30, 100);
    assert_eq!(Graph::import_csv(n, r).unwrap().relationship_count(), 100);
}

/// An over-long line through the public importers, at their real limit: each is refused after
/// reading a bounded amount, naming the line it starts on (an endless line used to make the
/// reader grow its buffer until the allocation failed and the process aborted).
#[test]
fn a_line_past_the_real_limit_is_refused_with_its_line_number() {
    let files = Files::new();
    let long = vec![b'x'; kgraph::MAX_IMPORT_LINE_BYTES + 1];
    let mut jsonl = br#"{"node":{"id":1,"labels":["A"]}}"#.to_vec();
    jsonl.push(b'\n');
    jsonl.extend_from_slice(&long);
    let path = files.write("g.jsonl", &jsonl);
    let err = Graph::import_jsonl(&path).unwrap_err();
    let limit = kgraph::MAX_IMPORT_LINE_BYTES as u64;
    assert!(
        matches!(&err, ImportError::LineTooLong { line: 2, limit: l, .. } if *l == limit),
        "{err:?}"
    );
    assert_eq!(
        (err.path(), err.line(), err.column()),
        (path.as_path(), Some(2), None)
    );
    assert!(err.to_string().contains(":2: the line is longer than"), "{err}");
    drop(jsonl);

    let mut nodes = csv(NODES_HEADER, GOOD_NODES);
    nodes.extend_from_slice(b"2,Person,");
    nodes.extend_from_slice(&long);
    let (_, _, result) = files.import(&nodes, &csv(RELS_HEADER, GOOD_RELS));
    let err = result.unwrap_err();
    assert!(
        matches!(&err, ImportError::LineTooLong { line: 4, limit: l, .. } if *l == limit),
        "{err:?}"
    );
    // The adapter answers it as a limit, not as damage.
    let mut child = common::spawn_adapter();
    let request = serde_json::json!({"op": "import",
        "nodes": files.dir.path().join("nodes.csv"),
        "relationships": files.dir.path().join("relationships.csv")});
    writeln!(child.stdin.take().unwrap(), "{request}").unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert!(child.wait().unwrap().success());
    let response: serde_json::Value = serde_json::from_str(&line).unwrap();
    assert_eq!(response["error"]["kind"], "LimitExceeded", "{response}");
    assert_eq!(response["error"]["file_line"], 4, "{response}");
}
