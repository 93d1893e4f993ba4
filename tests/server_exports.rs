//! The road to a server database, checked by loading each export into the real engine:
//! `tests/verify/exports.py` loads the Kùzu export into `kuzu` and `ladybug`, the Cypher
//! script (FalkorDB's dialect) into FalkorDB through `falkordblite`, the GraphML file into
//! networkx, and reads the neo4j-admin files with a reader of Neo4j's documented header rules
//! (no Neo4j here: format only); it compares counts and query answers with this crate's
//! answers, which this test writes beside the exports.
//!
//! The Python interpreter of a virtual environment with those packages comes from
//! `KGRAPH_VERIFY_PYTHON` (`.ci/run` creates it); without it the engines' checks are skipped
//! with a message, and under `CI=true` a skip fails. The replays of the Cypher script through
//! this crate run either way.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::{canonical, canonical_union};
use kgraph::{CypherDialect, CypherExportOptions, Database, ExportError, Graph, Params, Value};

/// A graph with several labels per node (and none), keys whose values mix types across items,
/// every value type (the zoned `time` and `datetime` only with `zoned`: FalkorDB has no type
/// for them), Chinese text, empty strings and lists, markup and quotes, line breaks.
fn generated(zoned: bool) -> Graph {
    let labels: [&[&str]; 6] = [
        &["Person"],
        &["Company", "Listed"],
        &["公司"],
        &["Person", "公司", "Tag"],
        &[],
        &["Tag"],
    ];
    let texts = [
        "",
        "plain",
        "辉瑞中国",
        "a \"quote\" & <tag> 'x'",
        "line\nbreak\ttab",
        "semi;colon|bar",
    ];
    let mut g = Graph::new();
    let mut ids = Vec::new();
    for i in 0..60i64 {
        let mut props: Vec<(String, Value)> = vec![("name".into(), Value::from(format!("节点-{i}")))];
        let t = texts[i as usize % texts.len()];
        props.push(("text".into(), Value::from(t)));
        // A key holding an int on some nodes and a string on others.
        props.push((
            "mixed".into(),
            if i % 2 == 0 {
                Value::Int(i)
            } else {
                Value::from(format!("m{i}"))
            },
        ));
        match i % 7 {
            0 => props.push(("f".into(), Value::Float(i as f64 / 8.0))),
            1 => props.push(("f".into(), Value::Float(-0.0))),
            2 => props.push(("flag".into(), Value::Bool(i % 3 == 0))),
            3 => props.push(("big".into(), Value::Int(i64::MIN + i))),
            4 => props.push(("huge".into(), Value::Float(1e300))),
            _ => {}
        }
        let date =
            kgraph::Date::from_ymd(1900 + i as i32 * 3, 1 + (i as u32 % 12), 1 + (i as u32 % 28)).unwrap();
        match i % 5 {
            0 => props.push(("when".into(), Value::Date(date))),
            1 => props.push((
                "at".into(),
                "12:34:56"
                    .parse::<kgraph::LocalTime>()
                    .map(Value::LocalTime)
                    .unwrap(),
            )),
            2 => props.push((
                "stamp".into(),
                "2020-02-29T23:59:01"
                    .parse::<kgraph::LocalDateTime>()
                    .map(Value::LocalDateTime)
                    .unwrap(),
            )),
            3 => props.push((
                "took".into(),
                "P1Y2M3DT4H5M6S"
                    .parse::<kgraph::Duration>()
                    .map(|d| Value::Duration(Box::new(d)))
                    .unwrap(),
            )),
            _ if zoned => {
                props.push((
                    "t".into(),
                    "12:00:00+08:00".parse::<kgraph::Time>().map(Value::Time).unwrap(),
                ));
                props.push((
                    "dt".into(),
                    "2024-03-01T08:00:00+08:00[Asia/Shanghai]"
                        .parse::<kgraph::DateTime>()
                        .map(Value::DateTime)
                        .unwrap(),
                ));
            }
            _ => {}
        }
        match i % 4 {
            0 => props.push((
                "aliases".into(),
                Value::List(vec![Value::from(t), Value::from("别名")]),
            )),
            1 => props.push(("scores".into(), Value::List(vec![Value::Int(i), Value::Int(-1)]))),
            2 => props.push(("none".into(), Value::List(vec![]))),
            _ => props.push(("days".into(), Value::List(vec![Value::Date(date)]))),
        }
        let id = g
            .add_node(
                labels[i as usize % labels.len()],
                props.iter().map(|(k, v)| (k.as_str(), v.clone())),
            )
            .unwrap();
        ids.push(id);
    }
    let types = ["KNOWS", "OWNS", "位于"];
    for k in 0..150usize {
        let a = ids[(k * 7) % ids.len()];
        let b = ids[(k * 13 + 5) % ids.len()];
        let mut props: Vec<(&str, Value)> = Vec::new();
        if k % 3 == 0 {
            props.push(("since", Value::Int(1990 + k as i64)));
        }
        if k % 5 == 0 {
            props.push(("note", Value::from(if k % 2 == 0 { "" } else { "备注 <b>" })));
        }
        g.add_relationship(a, b, types[k % types.len()], props).unwrap();
    }
    // A deleted node and relationship, so ids have gaps.
    let gone = g.add_node(&["Gone"], [("name", "gone")]).unwrap();
    g.add_relationship(gone, ids[0], "KNOWS", Vec::<(&str, Value)>::new())
        .unwrap();
    g.detach_remove_node(gone).unwrap();
    g
}

fn answer(g: &Graph, q: &str) -> Vec<Vec<Value>> {
    g.query(q)
        .run()
        .unwrap_or_else(|e| panic!("{q}: {e}"))
        .rows()
        .to_vec()
}

/// This crate's answers, for the Python checks to compare with.
fn expected(g: &Graph) -> serde_json::Value {
    let count = |q: &str| match answer(g, q).first().and_then(|r| r.first()) {
        Some(Value::Int(n)) => *n,
        other => panic!("{q}: {other:?}"),
    };
    let labels: BTreeMap<String, usize> = g
        .label_counts()
        .into_iter()
        .map(|(l, n)| (l.to_owned(), n))
        .collect();
    let mut types: BTreeMap<String, i64> = BTreeMap::new();
    for id in g.relationships() {
        *types
            .entry(g.relationship(id).unwrap().rel_type().to_owned())
            .or_default() += 1;
    }
    let mut lookups = Vec::new();
    for (i, id) in g.nodes().enumerate() {
        if i % 4 != 0 {
            continue;
        }
        let n = g.node(id).unwrap();
        let Some(Value::String(name)) = n.property("name") else {
            continue;
        };
        let props: serde_json::Map<String, serde_json::Value> = n
            .properties()
            .map(|(k, v)| (k.to_owned(), serde_json::to_value(v).unwrap()))
            .collect();
        let mut labels: Vec<&str> = n.labels().collect();
        labels.sort_unstable();
        lookups.push(serde_json::json!({"name": &**name, "labels": labels, "properties": props}));
    }
    serde_json::json!({
        "nodes": g.node_count(),
        "relationships": g.relationship_count(),
        "labels": labels,
        "types": types,
        "two_hop": count("MATCH (a)-[r1]->(b)-[r2]->(c) RETURN count(*)"),
        "lookups": lookups,
    })
}

/// Writes every export of `g` that its content allows into `dir`, with `expected.json`.
fn write_exports(g: &Graph, dir: &Path, kuzu: bool, falkordb: bool) {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("expected.json"), expected(g).to_string()).unwrap();
    g.export_neo4j_admin(dir.join("neo4j")).unwrap();
    g.export_graphml(dir.join("g.graphml")).unwrap();
    g.export_cypher(dir.join("neo4j.cypher")).unwrap();
    if falkordb {
        let options = CypherExportOptions::default().dialect(CypherDialect::FalkorDb);
        g.export_cypher_with(dir.join("falkordb.cypher"), &options)
            .unwrap();
    }
    if kuzu {
        g.export_kuzu(dir.join("kuzu")).unwrap();
    }
}

fn replay(g: &mut Graph, script: &str) {
    for line in script.lines().filter(|l| !l.is_empty() && !l.starts_with("//")) {
        g.execute(line).run().unwrap_or_else(|e| panic!("{e}\n{line}"));
    }
}

#[test]
fn the_cypher_script_replays_here_into_empty_and_non_empty_graphs() {
    let dir = tempfile::tempdir().unwrap();
    let eco = Graph::ecosystem().unwrap();
    for g in [generated(true), eco.clone()] {
        let path = dir.path().join("g.cypher");
        g.export_cypher(&path).unwrap();
        let script = std::fs::read_to_string(&path).unwrap();
        let mut empty = Graph::new();
        replay(&mut empty, &script);
        assert_eq!(canonical(&empty), canonical(&g));
        let db = Database::new();
        db.execute_script(&script, &Params::new()).unwrap();
        assert_eq!(canonical(&db.read()), canonical(&g));
        // Into the ecosystem, which has nodes and a unique constraint on names.
        let mut other = generated(false);
        replay(&mut other, &script);
        assert_eq!(canonical(&other), canonical_union(&generated(false), &g));
    }
}

#[test]
fn the_kuzu_export_refuses_a_node_with_several_labels() {
    let dir = tempfile::tempdir().unwrap();
    let err = generated(true).export_kuzu(dir.path()).unwrap_err();
    assert!(matches!(err, ExportError::LabelCount { count: 2, .. }), "{err}");
    let err = generated(true).export_cypher_with(
        dir.path().join("f.cypher"),
        &CypherExportOptions::default().dialect(CypherDialect::FalkorDb),
    );
    assert!(
        matches!(err, Err(ExportError::Unrepresentable { reason, .. }) if reason.contains("FalkorDB")),
        "FalkorDB's dialect refuses time and datetime values"
    );
}

fn verify_python() -> Result<PathBuf, String> {
    match std::env::var_os("KGRAPH_VERIFY_PYTHON") {
        Some(p) if !p.is_empty() => {
            let p = PathBuf::from(p);
            if p.exists() {
                Ok(p)
            } else {
                Err(format!(
                    "KGRAPH_VERIFY_PYTHON names {}, which does not exist",
                    p.display()
                ))
            }
        }
        _ => Err(
            "KGRAPH_VERIFY_PYTHON is not set (.ci/run sets it to the Python of a virtual environment \
                  with kuzu, ladybug, falkordblite and networkx)"
                .to_owned(),
        ),
    }
}

#[test]
fn the_exports_load_into_the_real_engines_with_the_same_answers() {
    let python = match verify_python() {
        Ok(p) => p,
        Err(why) => {
            let ci = std::env::var("CI").is_ok_and(|v| v == "true");
            assert!(!ci, "the engines' checks cannot be skipped under CI=true: {why}");
            eprintln!("skipped: loading the exports into Kùzu, Ladybug, FalkorDB and networkx: {why}");
            return;
        }
    };
    let dir = tempfile::tempdir().unwrap();
    write_exports(
        &Graph::ecosystem().unwrap(),
        &dir.path().join("ecosystem"),
        true,
        true,
    );
    write_exports(&generated(false), &dir.path().join("generated"), false, true);
    write_exports(&generated(true), &dir.path().join("zoned"), false, false);
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/verify/exports.py");
    let out = Command::new(&python)
        .arg(&script)
        .arg(dir.path())
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", python.display()));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    println!("{stdout}");
    assert!(out.status.success(), "the checks failed:\n{stdout}\n{stderr}");
    // Every engine was checked on every export it was given.
    for line in [
        "ecosystem: kuzu ok",
        "ecosystem: ladybug ok",
        "ecosystem: falkordb ok",
        "ecosystem: networkx ok",
        "ecosystem: neo4j-admin ok",
        "generated: falkordb ok",
        "generated: networkx ok",
        "generated: neo4j-admin ok",
        "zoned: networkx ok",
        "zoned: neo4j-admin ok",
    ] {
        assert!(
            stdout.lines().any(|l| l == line),
            "missing '{line}' in:\n{stdout}"
        );
    }
}
