//! The adapter of the shared harnesses, driven as they drive it: one JSON request per line in,
//! one response per line out, errors as responses, and the value encoding of ADAPTER.md.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

use serde_json::{json, Value as Json};

mod common;

fn session(lines: &[String]) -> Vec<Json> {
    let mut child = Command::new(common::adapter())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    for l in lines {
        writeln!(stdin, "{l}").unwrap();
    }
    drop(stdin);
    let out: Vec<Json> = BufReader::new(child.stdout.take().unwrap())
        .lines()
        .map(|l| serde_json::from_str(&l.unwrap()).unwrap())
        .collect();
    assert!(child.wait().unwrap().success());
    assert_eq!(out.len(), lines.len(), "one response per request");
    out
}

#[test]
fn hello_load_and_garbage() {
    let out = session(&[
        json!({"op": "hello"}).to_string(),
        json!({"op": "load", "dataset": "ecosystem"}).to_string(),
        "this is not json".to_owned(),
        json!({"op": "fly"}).to_string(),
        json!({"no": "op"}).to_string(),
        json!({"op": "load", "dataset": "nope"}).to_string(),
        json!({"op": "query", "query": "MATCH (n) RETURN count(n) AS n"}).to_string(),
    ]);
    assert_eq!(out[0]["ok"], true);
    assert_eq!(out[0]["engine"], "kgraph");
    assert_eq!(out[1], json!({"ok": true, "nodes": 308, "relationships": 446}));
    for r in &out[2..6] {
        assert_eq!(r["ok"], false);
        assert_eq!(r["error"]["kind"], "ProtocolError", "{r}");
    }
    // It kept serving after the garbage, with the dataset still loaded.
    assert_eq!(out[6]["rows"], json!([[308]]));
}

#[test]
fn values_stats_and_errors_are_encoded_as_the_protocol_says() {
    let out = session(&[
        json!({"op": "reset"}).to_string(),
        json!({"op": "query", "query": "CREATE (:Company {name: 'Pfizer', country: 'US'}), (:A)"}).to_string(),
        json!({"op": "query",
               "query": "CREATE p = (:A {x: 1.0})-[:T {d: $d}]->(:B)<-[:U]-(:C) RETURN p, 2.5e9 AS f, 0.0/0.0 AS nan, $d AS d",
               "params": {"d": {"~date": "2022-11-05"}}})
        .to_string(),
        json!({"op": "query", "query": "MATCH (c:Company RETURN c"}).to_string(),
        json!({"op": "query", "query": "RETURN 1 / 0 AS x"}).to_string(),
        json!({"op": "query", "query": "RETURN $missing AS x"}).to_string(),
        json!({"op": "query", "query": "RETURN 1 AS one", "repeat": 3}).to_string(),
    ]);
    assert_eq!(
        out[1]["stats"],
        json!({"+nodes": 2, "+labels": 2, "+properties": 2})
    );
    assert_eq!(out[1]["rows"], json!([]));
    let row = &out[2]["rows"][0];
    let path = row[0]["~path"].as_array().unwrap();
    assert_eq!(path.len(), 5);
    assert_eq!(
        path[0],
        json!({"~node": {"labels": ["A"], "properties": {"x": 1.0}}})
    );
    assert_eq!(path[1]["~relationship"]["~direction"], "->");
    assert_eq!(
        path[1]["~relationship"]["properties"]["d"],
        json!({"~date": "2022-11-05"})
    );
    assert_eq!(path[3]["~relationship"]["~direction"], "<-");
    // Floats keep a fraction or exponent; NaN is tagged.
    assert!(
        row[1].to_string().contains('e') || row[1].to_string().contains('.'),
        "{}",
        row[1]
    );
    assert_eq!(row[2], json!({"~float": "NaN"}));
    assert_eq!(row[3], json!({"~date": "2022-11-05"}));
    let syntax = &out[3]["error"];
    assert_eq!(
        (syntax["kind"].as_str(), syntax["phase"].as_str()),
        (Some("SyntaxError"), Some("compile"))
    );
    assert_eq!(
        (syntax["line"].as_u64(), syntax["column"].as_u64()),
        (Some(1), Some(18))
    );
    assert_eq!(out[4]["error"]["kind"], "ArithmeticError");
    assert_eq!(out[4]["error"]["phase"], "runtime");
    assert_eq!(out[5]["error"]["kind"], "ParameterMissing");
    assert_eq!(out[6]["elapsed_ns"].as_array().map(Vec::len), Some(3));
    assert_eq!(out[6]["rows"], json!([[1]]));
}

#[test]
fn a_query_past_its_timeout_is_stopped_as_limit_exceeded_and_a_stopped_write_is_undone() {
    let out = session(&[
        json!({"op": "reset"}).to_string(),
        json!({"op": "query", "query": "UNWIND range(1, 2000) AS i CREATE (:N {i: i})"}).to_string(),
        json!({"op": "query", "query": "MATCH (a), (b), (c) RETURN count(*) AS n", "timeout_ms": 20})
            .to_string(),
        json!({"op": "query", "query": "MATCH (a), (b) CREATE (:X)", "timeout_ms": 20}).to_string(),
        json!({"op": "query", "query": "MATCH (n) RETURN count(n) AS n", "timeout_ms": 5000}).to_string(),
    ]);
    for r in &out[2..4] {
        assert_eq!(r["ok"], false, "{r}");
        assert_eq!(r["error"]["kind"], "LimitExceeded", "{r}");
        assert_eq!(r["error"]["phase"], "runtime", "{r}");
    }
    assert_eq!(out[4]["rows"], json!([[2000]]));
}

#[test]
fn connect_makes_every_query_a_durable_transaction() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let p = path.to_str().unwrap();
    let out = session(&[
        json!({"op": "checkpoint"}).to_string(),
        json!({"op": "connect", "path": p}).to_string(),
        json!({"op": "query", "query": "CREATE (:A {i: 1}), (:A {i: 2})"}).to_string(),
        json!({"op": "query", "query": "CREATE (:A {i: 3}) WITH 1 AS x RETURN 1/0"}).to_string(),
        json!({"op": "checkpoint"}).to_string(),
        json!({"op": "query", "query": "MATCH (a:A) SET a.j = a.i * 10", "repeat": 1}).to_string(),
    ]);
    assert_eq!(out[0]["error"]["kind"], "ProtocolError", "no database yet");
    assert_eq!(out[1]["ok"], true, "{}", out[1]);
    assert_eq!(
        (out[1]["nodes"].clone(), out[1]["relationships"].clone()),
        (json!(0), json!(0))
    );
    assert_eq!(out[2]["ok"], true);
    assert_eq!(out[3]["error"]["kind"], "ArithmeticError");
    assert_eq!(out[4]["ok"], true, "{}", out[4]);
    assert!(out[5]["elapsed_ns"][0].as_u64().unwrap() > 0);
    // A second adapter sees what the first committed, and only that.
    let out = session(&[
        json!({"op": "connect", "path": p}).to_string(),
        json!({"op": "query", "query": "MATCH (a:A) RETURN a.i AS i, a.j AS j ORDER BY i"}).to_string(),
    ]);
    assert_eq!(out[0]["nodes"], json!(2));
    assert_eq!(out[1]["rows"], json!([[1, 10], [2, 20]]));
    // While one adapter holds the database, another gets Locked.
    let db = kgraph::Database::open(&path).unwrap();
    let out = session(&[json!({"op": "connect", "path": p}).to_string()]);
    assert_eq!(out[0]["error"]["kind"], "Locked", "{}", out[0]);
    drop(db);
}

#[test]
fn resolve_answers_the_ranking() {
    let out = session(&[
        json!({"op": "load", "dataset": "ecosystem"}).to_string(),
        json!({"op": "resolve", "text": "輝瑞中國"}).to_string(),
        json!({"op": "resolve", "text": "pfzer", "limit": 1}).to_string(),
        json!({"op": "resolve", "text": "zzzzzzzzzz"}).to_string(),
        json!({"op": "resolve"}).to_string(),
    ]);
    assert_eq!(
        out[1],
        json!({"ok": true, "matches": [{"name": "Pfizer", "labels": ["Company"], "score": 1.0}]})
    );
    assert_eq!(out[2]["matches"][0]["name"], "Pfizer");
    assert_eq!(out[2]["matches"].as_array().map(Vec::len), Some(1));
    let score = out[2]["matches"][0]["score"].as_f64().unwrap();
    assert!(score > 0.5 && score < 1.0, "{score}");
    assert_eq!(out[3], json!({"ok": true, "matches": []}));
    assert_eq!(out[4]["error"]["kind"], "ProtocolError");
}
