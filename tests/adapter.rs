//! The adapter of the shared harnesses, driven as they drive it: one JSON request per line in,
//! one response per line out, errors as responses, and the value encoding of ADAPTER.md.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

use serde_json::{json, Value as Json};

mod common;

fn session(lines: &[String]) -> Vec<Json> {
    let input: String = lines.iter().map(|l| format!("{l}\n")).collect();
    let out = raw_session(input.as_bytes());
    assert_eq!(out.len(), lines.len(), "one response per request");
    out
}

/// Sends `input` to a new adapter as it is, closes its input, and returns its responses once
/// it has exited successfully.
fn raw_session(input: &[u8]) -> Vec<Json> {
    let mut child = common::spawn_adapter();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(input).unwrap();
    drop(stdin);
    let out: Vec<Json> = BufReader::new(child.stdout.take().unwrap())
        .lines()
        .map(|l| serde_json::from_str(&l.unwrap()).unwrap())
        .collect();
    assert!(child.wait().unwrap().success());
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
    // The library's encoding: ADAPTER.md's keys, plus the node's id (which readers of the
    // protocol ignore).
    assert_eq!(
        path[0],
        json!({"~node": {"id": 2, "labels": ["A"], "properties": {"x": 1.0}}})
    );
    assert_eq!(path[1]["~relationship"]["type"], "T");
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

/// The kinds of ADAPTER.md's error responses.
const KINDS: &[&str] = &[
    "SyntaxError",
    "SemanticError",
    "ParameterMissing",
    "TypeError",
    "ArgumentError",
    "EntityNotFound",
    "ConstraintVerificationFailed",
    "ArithmeticError",
    "ProcedureError",
    "Unsupported",
    "IoError",
    "Corrupt",
    "LimitExceeded",
    "Locked",
    "ProtocolError",
];

/// An adapter driven one line at a time: each request's response is awaited, with a deadline.
struct Live {
    child: std::process::Child,
    stdin: Option<std::process::ChildStdin>,
    responses: std::sync::mpsc::Receiver<String>,
}

/// A test that fails while the adapter is busy (a request that never returns) must not leave
/// it running: it is killed when the `Live` is dropped, also while unwinding.
impl Drop for Live {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Live {
    fn start() -> Live {
        let mut child = Command::new(common::adapter())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take();
        let stdout = child.stdout.take().unwrap();
        let (tx, responses) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { return };
                if tx.send(line).is_err() {
                    return;
                }
            }
        });
        Live {
            child,
            stdin,
            responses,
        }
    }

    /// Sends `request` and a newline; returns the one response, which must come within 10 s.
    fn ask(&mut self, request: &[u8]) -> Json {
        let stdin = self.stdin.as_mut().unwrap();
        stdin.write_all(request).unwrap();
        stdin.write_all(b"\n").unwrap();
        stdin.flush().unwrap();
        let started = std::time::Instant::now();
        let line = self
            .responses
            .recv_timeout(std::time::Duration::from_secs(10))
            .unwrap_or_else(|e| panic!("no response within 10 s ({e})"));
        assert!(started.elapsed() < std::time::Duration::from_secs(10));
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"))
    }

    /// Closes the input: the adapter must exit cleanly without another line of output.
    fn finish(mut self) {
        drop(self.stdin.take());
        assert!(self.child.wait().unwrap().success());
        let extra: Vec<String> = self.responses.iter().collect();
        assert!(extra.is_empty(), "responses to no request: {extra:?}");
    }
}

#[test]
fn every_line_gets_exactly_one_response_whatever_its_bytes() {
    let mut adapter = Live::start();
    assert_eq!(
        adapter.ask(
            json!({"op": "load", "dataset": "ecosystem"})
                .to_string()
                .as_bytes()
        ),
        json!({"ok": true, "nodes": 308, "relationships": 446})
    );
    let deep = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
    let query = |fields: Json| {
        let mut req = json!({"op": "query", "query": "RETURN 1 AS one"});
        for (k, v) in fields.as_object().unwrap() {
            req[k] = v.clone();
        }
        req.to_string().into_bytes()
    };
    let mut big_garbage = vec![b'x'; 1 << 20];
    big_garbage.extend_from_slice(b"{");
    let protocol_errors: Vec<(&str, Vec<u8>)> = vec![
        ("not UTF-8", b"{\"op\":\"hello\xff\xfe\"}".to_vec()),
        ("not UTF-8 outside a string", b"\xc3\x28 \x80\x80".to_vec()),
        ("empty", Vec::new()),
        ("whitespace only", b" \t \r".to_vec()),
        ("malformed JSON", b"{\"op\":".to_vec()),
        ("a JSON number", b"5".to_vec()),
        ("a JSON array", b"[{\"op\":\"hello\"}]".to_vec()),
        ("a JSON string", b"\"hello\"".to_vec()),
        ("JSON null", b"null".to_vec()),
        ("nested 10,000 deep", deep(10_000).into_bytes()),
        (
            "params nested 10,000 deep",
            format!(
                r#"{{"op":"query","query":"RETURN $x","params":{{"x":{}}}}}"#,
                deep(10_000)
            )
            .into_bytes(),
        ),
        ("1 MB of garbage", big_garbage),
        ("a number as the op", br#"{"op":5}"#.to_vec()),
        ("an unknown op", br#"{"op":"fly"}"#.to_vec()),
        ("a number as the query", query(json!({"query": 5}))),
        ("a string as the params", query(json!({"params": "x"}))),
        ("a list as the params", query(json!({"params": [1]}))),
        ("a string as the repeat count", query(json!({"repeat": "a"}))),
        ("a zero repeat count", query(json!({"repeat": 0}))),
        ("an endless repeat count", query(json!({"repeat": u64::MAX}))),
        ("a negative timeout", query(json!({"timeout_ms": -1}))),
        ("a fractional timeout", query(json!({"timeout_ms": 1.5}))),
        ("a string as the timeout", query(json!({"timeout_ms": "5"}))),
        (
            "a number as the dataset",
            br#"{"op":"load","dataset":1}"#.to_vec(),
        ),
        ("a list as the path", br#"{"op":"open","path":["x"]}"#.to_vec()),
    ];
    for (what, line) in &protocol_errors {
        let r = adapter.ask(line);
        assert_eq!(r["ok"], false, "{what}: {r}");
        assert_eq!(r["error"]["kind"], "ProtocolError", "{what}: {r}");
    }
    // A request longer than 1 MB is read whole.
    let padded = json!({"op": "hello", "padding": "x".repeat(1 << 20)}).to_string();
    assert_eq!(adapter.ask(padded.as_bytes())["engine"], "kgraph");
    // Runaway queries stop at the default timeout or the memory budget.
    for runaway in [
        "MATCH (a), (b), (c), (d), (e) RETURN count(*) AS n",
        "UNWIND range(1, 100000000) AS x RETURN collect(x) AS xs",
    ] {
        let r = adapter.ask(json!({"op": "query", "query": runaway}).to_string().as_bytes());
        assert_eq!(r["error"]["kind"], "LimitExceeded", "{runaway}: {r}");
    }
    // Other hostile requests: any failure is one of the protocol's kinds.
    let long_query = format!("RETURN 1 AS one /* {} */", "x".repeat(1 << 20));
    for hostile in [
        json!({"op": "query", "query": long_query}),
        json!({"op": "query", "query": "RETURN $x AS x", "params": {"x": {"~date": 5}}}),
        json!({"op": "query", "query": "RETURN 1 AS one", "timeout_ms": u64::MAX}),
        json!({"op": "open", "path": ""}),
        json!({"op": "resolve", "text": "x".repeat(1 << 20)}),
        // Files that are not snapshots or CSV files: a directory, and a device without end
        // (read whole, it would exhaust the memory).
        json!({"op": "open", "path": std::env::temp_dir()}),
        json!({"op": "open", "path": "/dev/zero"}),
        json!({"op": "import", "nodes": "/dev/zero", "relationships": "/dev/zero"}),
        json!({"op": "import", "nodes": std::env::temp_dir(), "relationships": 5}),
        json!({"op": "save", "path": std::env::temp_dir()}),
        json!({"op": "connect", "path": "/dev/null"}),
        json!({"op": "checkpoint"}),
        json!({"op": "procedure", "name": 5}),
        json!({"op": "procedure", "name": "x.y", "signature": {"deep": [[[[]]]]}}),
        json!({"op": "resolve", "text": 5, "limit": -1}),
        json!({"op": "query", "query": "RETURN $x AS x", "params": {"x": {"~node": {}}}}),
        json!({"op": "query", "query": "RETURN $x AS x", "params": {"x": {"~float": "NaN"}}}),
        json!({"op": "query", "query": "RETURN 1 AS one", "repeat": 2, "timeout_ms": 0}),
    ] {
        let r = adapter.ask(hostile.to_string().as_bytes());
        if r["ok"] == false {
            let kind = r["error"]["kind"].as_str().unwrap_or_default();
            assert!(KINDS.contains(&kind), "{kind} is not a protocol kind: {r}");
        }
    }
    // A line past the adapter's 64 MiB bound is skipped, not held.
    let endless = vec![b'x'; (64 << 20) + 10];
    assert_eq!(adapter.ask(&endless)["error"]["kind"], "ProtocolError");
    // It still serves, with the dataset loaded.
    let hello = adapter.ask(br#"{"op":"hello"}"#);
    assert_eq!((&hello["ok"], &hello["engine"]), (&json!(true), &json!("kgraph")));
    let count = adapter.ask(
        json!({"op": "query", "query": "MATCH (n) RETURN count(n) AS n"})
            .to_string()
            .as_bytes(),
    );
    assert_eq!(count["rows"], json!([[308]]));
    adapter.finish();
}

#[test]
fn the_last_line_is_answered_without_its_newline() {
    let out = raw_session(b"{\"op\":\"hello\"}\n\n{\"op\":\"hello\"}");
    assert_eq!(out.len(), 3, "{out:?}");
    assert_eq!(out[0]["engine"], "kgraph");
    assert_eq!(out[1]["error"]["kind"], "ProtocolError");
    assert_eq!(out[2]["engine"], "kgraph");
}
