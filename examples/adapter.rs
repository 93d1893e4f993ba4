//! The engine adapter of the shared harnesses: JSON requests on standard input, one JSON
//! response per line on standard output (see the TCK's ADAPTER.md).
//!
//! Run with `cargo run --release --example adapter`.

use std::io::{self, BufRead, Write};
use std::time::Instant;

use kgraph::{Graph, ImportError, NodeId, Params, QueryError, QueryResult, RelId, SnapshotError, Value};
use serde_json::{json, Map, Value as Json};

fn error(kind: &str, phase: &str, message: impl Into<String>) -> Json {
    json!({"ok": false, "error": {"kind": kind, "phase": phase, "message": message.into()}})
}

fn query_error(e: &QueryError) -> Json {
    let mut err = Map::new();
    err.insert("kind".into(), json!(e.kind_name()));
    err.insert("phase".into(), json!(e.phase()));
    err.insert("message".into(), json!(e.to_string()));
    if let (Some(l), Some(c)) = (e.line(), e.column()) {
        err.insert("line".into(), json!(l));
        err.insert("column".into(), json!(c));
    }
    json!({"ok": false, "error": err})
}

fn import_error(e: &ImportError) -> Json {
    let kind = if matches!(e, ImportError::Io { .. }) {
        "IoError"
    } else {
        "Corrupt"
    };
    let mut out = error(kind, "runtime", e.to_string());
    if let (Some(obj), Some(line), Some(column)) = (
        out.get_mut("error").and_then(Json::as_object_mut),
        e.line(),
        e.column(),
    ) {
        obj.insert("file_line".into(), json!(line));
        obj.insert("file_column".into(), json!(column));
    }
    out
}

fn snapshot_error(e: &SnapshotError) -> Json {
    let kind = if e.is_damage() { "Corrupt" } else { "IoError" };
    error(kind, "runtime", e.to_string())
}

fn float(x: f64) -> Json {
    if x.is_finite() {
        serde_json::Number::from_f64(x).map_or(Json::Null, Json::Number)
    } else if x.is_nan() {
        json!({"~float": "NaN"})
    } else if x > 0.0 {
        json!({"~float": "Infinity"})
    } else {
        json!({"~float": "-Infinity"})
    }
}

fn props_json<'a>(props: impl Iterator<Item = (&'a str, &'a Value)>, g: &Graph) -> Json {
    Json::Object(props.map(|(k, v)| (k.to_owned(), encode(v, g))).collect())
}

fn node_json(id: NodeId, g: &Graph) -> Json {
    match g.node(id) {
        Ok(n) => {
            json!({"~node": {"labels": n.labels().collect::<Vec<_>>(), "properties": props_json(n.properties(), g)}})
        }
        Err(_) => json!({"~node": {"labels": [], "properties": {}}}),
    }
}

fn rel_json(id: RelId, g: &Graph, direction: Option<&str>) -> Json {
    let mut inner = match g.relationship(id) {
        Ok(r) => json!({"type": r.rel_type(), "properties": props_json(r.properties(), g)}),
        Err(_) => json!({"type": "", "properties": {}}),
    };
    if let (Some(d), Some(obj)) = (direction, inner.as_object_mut()) {
        obj.insert("~direction".into(), json!(d));
    }
    json!({"~relationship": inner})
}

fn encode(v: &Value, g: &Graph) -> Json {
    match v {
        Value::Null => Json::Null,
        Value::Bool(b) => json!(b),
        Value::Int(i) => json!(i),
        Value::Float(x) => float(*x),
        Value::String(s) => json!(&**s),
        Value::Date(d) => json!({"~date": d.to_string()}),
        Value::List(items) => Json::Array(items.iter().map(|i| encode(i, g)).collect()),
        Value::Map(m) => Json::Object(m.iter().map(|(k, v)| (k.clone(), encode(v, g))).collect()),
        Value::Node(n) => node_json(*n, g),
        Value::Relationship(r) => rel_json(*r, g, None),
        Value::Path(p) => {
            let mut out = vec![node_json(p.start(), g)];
            for (r, pair) in p.relationships().iter().zip(p.nodes().windows(2)) {
                let forward = g
                    .relationship(*r)
                    .map(|rel| rel.start() == pair[0])
                    .unwrap_or(true);
                out.push(rel_json(*r, g, Some(if forward { "->" } else { "<-" })));
                out.push(node_json(pair[1], g));
            }
            json!({"~path": out})
        }
    }
}

fn stats_json(r: &QueryResult) -> Json {
    let s = r.stats();
    let mut m = Map::new();
    for (k, v) in [
        ("+nodes", s.nodes_created),
        ("-nodes", s.nodes_deleted),
        ("+relationships", s.relationships_created),
        ("-relationships", s.relationships_deleted),
        ("+labels", s.labels_added),
        ("-labels", s.labels_removed),
        ("+properties", s.properties_set),
        ("-properties", s.properties_removed),
    ] {
        if v > 0 {
            m.insert(k.into(), json!(v));
        }
    }
    Json::Object(m)
}

/// Runs a query: `execute` takes reads and writes alike (a read runs as `query` would, from
/// the same plan cache), and a write is one atomic statement.
/// `{"op":"resolve","text":...,"limit":K}`: the nodes the text names, best first (default 5).
fn resolve_json(g: &Graph, req: &Json) -> Json {
    let Some(text) = req.get("text").and_then(Json::as_str) else {
        return error("ProtocolError", "compile", "resolve needs a string 'text'");
    };
    let limit = match req.get("limit") {
        None | Some(Json::Null) => 5,
        Some(k) => match k.as_u64() {
            Some(k) => usize::try_from(k).unwrap_or(usize::MAX),
            None => {
                return error(
                    "ProtocolError",
                    "compile",
                    "'limit' must be a non-negative integer",
                )
            }
        },
    };
    let matches: Vec<Json> = g
        .resolve_ranked(text, limit)
        .into_iter()
        .map(|(id, score)| {
            let (name, labels) = match g.node(id) {
                Ok(n) => (
                    n.property("name").map_or(Json::Null, |v| encode(v, g)),
                    n.labels().map(|l| json!(l)).collect::<Vec<_>>(),
                ),
                Err(_) => (Json::Null, Vec::new()),
            };
            json!({"name": name, "labels": labels, "score": float(score)})
        })
        .collect();
    json!({"ok": true, "matches": matches})
}

fn run(g: &mut Graph, text: &str, params: &Params) -> Result<QueryResult, QueryError> {
    g.execute(text).params(params.clone()).run()
}

fn handle(g: &mut Graph, req: &Json) -> Json {
    let Some(op) = req.get("op").and_then(Json::as_str) else {
        return error("ProtocolError", "compile", "a request needs an 'op' string");
    };
    match op {
        "hello" => json!({"ok": true, "engine": "kgraph", "version": env!("CARGO_PKG_VERSION")}),
        "reset" => {
            *g = Graph::new();
            json!({"ok": true})
        }
        "load" => match req.get("dataset").and_then(Json::as_str) {
            Some("ecosystem") => match Graph::ecosystem() {
                Ok(eco) => {
                    *g = eco;
                    json!({"ok": true, "nodes": g.node_count(), "relationships": g.relationship_count()})
                }
                Err(e) => error("IoError", "runtime", e.to_string()),
            },
            other => error("ProtocolError", "compile", format!("unknown dataset {other:?}")),
        },
        "query" => {
            let Some(text) = req.get("query").and_then(Json::as_str) else {
                return error("ProtocolError", "compile", "'query' needs a 'query' string");
            };
            let params = match req.get("params") {
                None | Some(Json::Null) => Params::new(),
                Some(p) => match Params::from_serialize(p) {
                    Ok(p) => p,
                    Err(e) => return error("ProtocolError", "compile", format!("bad params: {e}")),
                },
            };
            let repeat = req.get("repeat").and_then(Json::as_u64).unwrap_or(1).max(1);
            let mut times = Vec::new();
            let mut last = None;
            for _ in 0..repeat {
                let started = Instant::now();
                let result = run(g, text, &params);
                times.push(started.elapsed().as_nanos() as u64);
                match result {
                    Ok(r) => last = Some(r),
                    Err(e) => return query_error(&e),
                }
            }
            let Some(r) = last else {
                return error("ProtocolError", "compile", "nothing ran");
            };
            let rows: Vec<Json> = r
                .rows()
                .iter()
                .map(|row| Json::Array(row.iter().map(|v| encode(v, g)).collect()))
                .collect();
            let mut out = json!({"ok": true, "columns": r.columns(), "rows": rows, "stats": stats_json(&r)});
            if req.get("repeat").is_some() {
                if let Some(obj) = out.as_object_mut() {
                    obj.insert("elapsed_ns".into(), json!(times));
                }
            }
            out
        }
        "import" => {
            let (Some(nodes), Some(rels)) = (
                req.get("nodes").and_then(Json::as_str),
                req.get("relationships").and_then(Json::as_str),
            ) else {
                return error(
                    "ProtocolError",
                    "compile",
                    "'import' needs 'nodes' and 'relationships' paths",
                );
            };
            let started = Instant::now();
            // A failed import returns an error and leaves the current graph as it was.
            match Graph::import_csv(nodes, rels) {
                Ok(imported) => {
                    let elapsed = started.elapsed().as_nanos() as u64;
                    *g = imported;
                    json!({"ok": true, "nodes": g.node_count(), "relationships": g.relationship_count(), "elapsed_ns": elapsed})
                }
                Err(e) => import_error(&e),
            }
        }
        "save" | "open" => {
            let Some(path) = req.get("path").and_then(Json::as_str) else {
                return error(
                    "ProtocolError",
                    "compile",
                    format!("'{op}' needs a 'path' string"),
                );
            };
            let started = Instant::now();
            let result = if op == "save" {
                g.save(path).map(|()| None)
            } else {
                Graph::open(path).map(Some)
            };
            // Timed before the old graph is dropped: that is not part of opening.
            let elapsed = started.elapsed().as_nanos() as u64;
            match result {
                Ok(opened) => {
                    if let Some(opened) = opened {
                        *g = opened;
                    }
                    json!({"ok": true, "elapsed_ns": elapsed})
                }
                Err(e) => snapshot_error(&e),
            }
        }
        "resolve" => resolve_json(g, req),
        other => error("ProtocolError", "compile", format!("unknown op '{other}'")),
    }
}

fn main() -> io::Result<()> {
    let stdin = io::stdin();
    let mut out = io::BufWriter::new(io::stdout().lock());
    let mut graph = Graph::new();
    for line in stdin.lock().lines() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let response = match serde_json::from_str::<Json>(&line) {
            Ok(req) => handle(&mut graph, &req),
            Err(e) => error("ProtocolError", "compile", format!("malformed JSON: {e}")),
        };
        writeln!(out, "{response}")?;
        out.flush()?;
    }
    Ok(())
}
