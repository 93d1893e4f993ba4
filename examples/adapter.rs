//! The engine adapter of the shared harnesses: JSON requests on standard input, one JSON
//! response per line on standard output (see the TCK's ADAPTER.md).
//!
//! Run with `cargo run --release --example adapter`.

use std::io::{self, BufRead, Read, Write};
use std::time::{Duration, Instant};

use kgraph::{
    Cell, Database, DbError, DbOptions, Durability, Graph, ImportError, Params, ProcField, Procedure,
    Procedures, QueryError, QueryResult, SnapshotError, Value,
};
use serde_json::{json, Map, Value as Json};

fn error(kind: &str, phase: &str, message: impl Into<String>) -> Json {
    json!({"ok": false, "error": {"kind": kind, "phase": phase, "message": message.into()}})
}

fn query_error(e: &QueryError) -> Json {
    let mut err = Map::new();
    // A caught panic inside the engine (`InternalError`, a bug) has no kind in ADAPTER.md's
    // list; it is answered as `Unsupported`, with the message saying what it was.
    let (kind, message) = match e.kind_name() {
        "InternalError" => (
            "Unsupported",
            format!("internal error (a bug; please report it): {e}"),
        ),
        kind => (kind, e.to_string()),
    };
    err.insert("kind".into(), json!(kind));
    err.insert("phase".into(), json!(e.phase()));
    err.insert("message".into(), json!(message));
    if let (Some(l), Some(c)) = (e.line(), e.column()) {
        err.insert("line".into(), json!(l));
        err.insert("column".into(), json!(c));
    }
    json!({"ok": false, "error": err})
}

fn import_error(e: &ImportError) -> Json {
    let kind = match e {
        ImportError::Io { .. } => "IoError",
        // A line longer than the importers read: a limit stopped it, the file may be fine.
        ImportError::LineTooLong { .. } => "LimitExceeded",
        _ => "Corrupt",
    };
    let mut out = error(kind, "runtime", e.to_string());
    if let Some(obj) = out.get_mut("error").and_then(Json::as_object_mut) {
        if let Some(line) = e.line() {
            obj.insert("file_line".into(), json!(line));
        }
        if let Some(column) = e.column() {
            obj.insert("file_column".into(), json!(column));
        }
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
                    n.property("name")
                        .map_or(Ok(Json::Null), serde_json::to_value)
                        .unwrap_or(Json::Null),
                    n.labels().map(|l| json!(l)).collect::<Vec<_>>(),
                ),
                Err(_) => (Json::Null, Vec::new()),
            };
            json!({"name": name, "labels": labels, "score": float(score)})
        })
        .collect();
    json!({"ok": true, "matches": matches})
}

/// How long a `query` may run when the request gives no `timeout_ms` (ADAPTER.md).
const DEFAULT_TIMEOUT: Duration = Duration::from_millis(5000);

/// The most runs one `query` request may ask for with `repeat`: each run has its own timeout,
/// so this bounds how long one request can keep the adapter busy.
const MAX_REPEAT: u64 = 1000;

/// Runs a query, stopped after `timeout` (a stopped write is undone; it fails with the class
/// `LimitExceeded`): `execute` takes reads and writes alike (a read runs as `query` would,
/// from the same plan cache), and a write is one atomic statement.
fn run(
    g: &mut Graph,
    text: &str,
    params: &Params,
    timeout: Duration,
    procs: &Procedures,
) -> Result<QueryResult, QueryError> {
    g.execute(text)
        .params(params.clone())
        .timeout(timeout)
        .procedures(procs)
        .run()
}

/// What the requests work on: an in-memory graph, or, after `connect`, a durable database.
#[derive(Default)]
struct Engine {
    graph: Graph,
    db: Option<Database>,
    /// The test procedures registered since the last `reset`.
    procs: Procedures,
}

impl Engine {
    /// Runs a query; on a database, as one transaction, committed (and, in the default mode,
    /// synced) before it returns.
    fn run(&mut self, text: &str, params: &Params, timeout: Duration) -> Result<QueryResult, Json> {
        let Some(db) = &self.db else {
            return run(&mut self.graph, text, params, timeout, &self.procs).map_err(|e| query_error(&e));
        };
        let mut tx = db.write();
        let r = tx
            .execute(text)
            .params(params.clone())
            .timeout(timeout)
            .procedures(&self.procs)
            .run()
            .map_err(|e| query_error(&e))?;
        tx.commit().map_err(|e| db_error(&e))?;
        Ok(r)
    }

    /// Replaces the content: the graph, or the database's (durably, before it returns).
    fn replace(&mut self, graph: Graph) -> Result<(usize, usize), Json> {
        let counts = (graph.node_count(), graph.relationship_count());
        match &self.db {
            Some(db) => db.replace(graph).map_err(|e| db_error(&e))?,
            None => self.graph = graph,
        }
        Ok(counts)
    }
}

fn db_error(e: &DbError) -> Json {
    let kind = match e {
        DbError::Locked { .. } => "Locked",
        DbError::Corrupt { .. } => "Corrupt",
        DbError::Snapshot(s) if s.is_damage() => "Corrupt",
        _ => "IoError",
    };
    error(kind, "runtime", e.to_string())
}

/// The durability mode the adapter opens databases with: `KGRAPH_DURABILITY` is `sync` (every
/// commit synced, the default), `periodic:MS` (written at once, synced at most MS milliseconds
/// after), `batched:MS` (written and synced together at most MS milliseconds after: group
/// commit) or `os` (written at once, synced when the operating system chooses).
fn durability() -> Result<Durability, String> {
    let every = |ms: &str| ms.parse::<u64>().ok().map(Duration::from_millis);
    match std::env::var("KGRAPH_DURABILITY").ok().as_deref() {
        None | Some("") | Some("sync") => Ok(Durability::EveryCommit),
        Some("os") => Ok(Durability::OperatingSystem),
        Some(other) => match other.split_once(':').map(|(mode, ms)| (mode, every(ms))) {
            Some(("periodic", Some(d))) => Ok(Durability::Periodic(d)),
            Some(("batched", Some(d))) => Ok(Durability::Batched(d)),
            _ => Err(format!(
                "KGRAPH_DURABILITY={other:?}: expected sync, periodic:MS, batched:MS or os"
            )),
        },
    }
}

/// An optional non-negative integer field: `Ok(None)` when it is absent or null, a
/// `ProtocolError` response when it is anything but a non-negative integer.
fn optional_count(req: &Json, key: &str) -> Result<Option<u64>, Json> {
    match req.get(key) {
        None | Some(Json::Null) => Ok(None),
        Some(v) => v.as_u64().map(Some).ok_or_else(|| {
            error(
                "ProtocolError",
                "compile",
                format!("'{key}' must be a non-negative integer, not {v}"),
            )
        }),
    }
}

fn handle(engine: &mut Engine, req: &Json) -> Json {
    let Some(op) = req.get("op").and_then(Json::as_str) else {
        return error("ProtocolError", "compile", "a request needs an 'op' string");
    };
    match op {
        "hello" => json!({"ok": true, "engine": "kgraph", "version": env!("CARGO_PKG_VERSION")}),
        "reset" => {
            engine.procs = Procedures::new();
            match engine.replace(Graph::new()) {
                Ok(_) => json!({"ok": true}),
                Err(e) => e,
            }
        }
        "procedure" => match test_procedure(req) {
            Ok(p) => {
                engine.procs.register(p);
                json!({"ok": true})
            }
            Err(e) => error("ProtocolError", "compile", e),
        },
        "load" => match req.get("dataset").and_then(Json::as_str) {
            Some("ecosystem") => match Graph::ecosystem() {
                Ok(eco) => match engine.replace(eco) {
                    Ok((n, r)) => json!({"ok": true, "nodes": n, "relationships": r}),
                    Err(e) => e,
                },
                Err(e) => error("IoError", "runtime", e.to_string()),
            },
            other => error("ProtocolError", "compile", format!("unknown dataset {other:?}")),
        },
        "connect" => {
            let Some(path) = req.get("path").and_then(Json::as_str) else {
                return error("ProtocolError", "compile", "'connect' needs a 'path' string");
            };
            let mode = match durability() {
                Ok(m) => m,
                Err(e) => return error("ProtocolError", "compile", e),
            };
            let started = Instant::now();
            // The previous database, if any, is closed first (its lock released).
            engine.db = None;
            match Database::open_with(path, DbOptions::default().durability(mode)) {
                Ok(db) => {
                    let elapsed = started.elapsed().as_nanos() as u64;
                    let g = db.read();
                    let out = json!({"ok": true, "nodes": g.node_count(), "relationships": g.relationship_count(), "elapsed_ns": elapsed});
                    drop(g);
                    engine.db = Some(db);
                    out
                }
                Err(e) => db_error(&e),
            }
        }
        "checkpoint" => {
            let Some(db) = &engine.db else {
                return error(
                    "ProtocolError",
                    "compile",
                    "'checkpoint' needs a connected database",
                );
            };
            let started = Instant::now();
            match db.checkpoint() {
                Ok(()) => json!({"ok": true, "elapsed_ns": started.elapsed().as_nanos() as u64}),
                Err(e) => db_error(&e),
            }
        }
        "query" => {
            let Some(text) = req.get("query").and_then(Json::as_str) else {
                return error("ProtocolError", "compile", "'query' needs a 'query' string");
            };
            let params = match req.get("params") {
                None | Some(Json::Null) => Params::new(),
                Some(p) if p.is_object() => match Params::from_serialize(p) {
                    Ok(p) => p,
                    Err(e) => return error("ProtocolError", "compile", format!("bad params: {e}")),
                },
                Some(_) => return error("ProtocolError", "compile", "'params' must be an object"),
            };
            let timeout = match optional_count(req, "timeout_ms") {
                Ok(ms) => ms.map_or(DEFAULT_TIMEOUT, Duration::from_millis),
                Err(e) => return e,
            };
            let repeat = match optional_count(req, "repeat") {
                Ok(None) => 1,
                Ok(Some(k)) if (1..=MAX_REPEAT).contains(&k) => k,
                Ok(Some(_)) | Err(_) => {
                    return error(
                        "ProtocolError",
                        "compile",
                        format!("'repeat' must be an integer from 1 to {MAX_REPEAT}"),
                    )
                }
            };
            let mut times = Vec::new();
            let mut last = None;
            for _ in 0..repeat {
                let started = Instant::now();
                let result = engine.run(text, &params, timeout);
                times.push(started.elapsed().as_nanos() as u64);
                match result {
                    Ok(r) => last = Some(r),
                    Err(e) => return e,
                }
            }
            let Some(r) = last else {
                return error("ProtocolError", "compile", "nothing ran");
            };
            // The library's own encoding of a result's values, with the records of its nodes
            // and relationships (filled when the result was built).
            let rows: Vec<Json> = r
                .rows()
                .iter()
                .map(|row| {
                    let cells = row
                        .iter()
                        .map(|v| serde_json::to_value(Cell::new(v, r.records())));
                    cells
                        .collect::<Result<Vec<_>, _>>()
                        .map_or(Json::Null, Json::Array)
                })
                .collect();
            let mut out = json!({"ok": true, "columns": r.columns(), "rows": rows, "stats": stats_json(&r)});
            if req.get("repeat").is_some()
                && let Some(obj) = out.as_object_mut()
            {
                obj.insert("elapsed_ns".into(), json!(times));
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
            // A failed import returns an error and leaves the current graph as it was. On a
            // database, the time includes making the imported graph durable.
            match Graph::import_csv(nodes, rels) {
                Ok(imported) => match engine.replace(imported) {
                    Ok((n, r)) => {
                        let elapsed = started.elapsed().as_nanos() as u64;
                        json!({"ok": true, "nodes": n, "relationships": r, "elapsed_ns": elapsed})
                    }
                    Err(e) => e,
                },
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
                match &engine.db {
                    Some(db) => db.read().save(path).map(|()| None),
                    None => engine.graph.save(path).map(|()| None),
                }
            } else {
                Graph::open(path).map(Some)
            };
            // Timed before the old graph is dropped: that is not part of opening.
            let elapsed = started.elapsed().as_nanos() as u64;
            match result {
                Ok(Some(opened)) => match engine.replace(opened) {
                    Ok(_) => json!({"ok": true, "elapsed_ns": elapsed}),
                    Err(e) => e,
                },
                Ok(None) => json!({"ok": true, "elapsed_ns": elapsed}),
                Err(e) => snapshot_error(&e),
            }
        }
        "resolve" => {
            let snapshot = engine.db.as_ref().map(Database::read);
            resolve_json(snapshot.as_deref().unwrap_or(&engine.graph), req)
        }
        other => error("ProtocolError", "compile", format!("unknown op '{other}'")),
    }
}

/// The fields of a `procedure` request's `inputs` or `outputs`.
fn test_fields(req: &Json, key: &str) -> Result<Vec<ProcField>, String> {
    let Some(items) = req.get(key).and_then(Json::as_array) else {
        return Err(format!("'procedure' needs an '{key}' array"));
    };
    items
        .iter()
        .map(|f| {
            let name = f.get("name").and_then(Json::as_str).unwrap_or_default();
            let ty = f.get("type").and_then(Json::as_str).unwrap_or_default();
            ProcField::parse(name, ty).map_err(|e| e.to_string())
        })
        .collect()
}

/// A TCK test procedure (ADAPTER.md, "Test procedures"): its records are the rows of the table
/// whose first cells equal the arguments (null equal to null), without those cells.
fn test_procedure(req: &Json) -> Result<Procedure, String> {
    let name = req
        .get("name")
        .and_then(Json::as_str)
        .ok_or("'procedure' needs a 'name' string")?;
    let inputs = test_fields(req, "inputs")?;
    let outputs = test_fields(req, "outputs")?;
    let rows: Vec<Vec<Value>> = match req.get("rows") {
        None | Some(Json::Null) => Vec::new(),
        Some(r) => serde_json::from_value(r.clone()).map_err(|e| format!("bad rows: {e}"))?,
    };
    // The table's input cells are converted as the arguments are (42 for a FLOAT is 42.0).
    let k = inputs.len();
    let table: Vec<(Vec<Value>, Vec<Value>)> = rows
        .into_iter()
        .map(|mut row| {
            let outs = row.split_off(k.min(row.len()));
            (row, outs)
        })
        .collect();
    Ok(Procedure::from_fields(name, inputs, outputs, move |_, args| {
        let same = |a: &Value, b: &Value| match (a, b) {
            (Value::Null, Value::Null) => true,
            _ => a.cypher_eq(b) == Some(true),
        };
        Ok(table
            .iter()
            .filter(|(ins, _)| ins.len() == args.len() && ins.iter().zip(args).all(|(a, b)| same(a, b)))
            .map(|(_, outs)| outs.clone())
            .collect())
    }))
}

/// The longest request line the adapter reads: 64 MiB. A longer line is skipped to its end and
/// answered with a `ProtocolError`, so that an endless line cannot exhaust the memory.
const MAX_REQUEST_BYTES: usize = 64 << 20;

/// Reads the next line of `input` into `buf`, without its `\n`, keeping at most
/// [`MAX_REQUEST_BYTES`] of it: `Ok(None)` at the end of the input, `Ok(Some(false))` for a
/// longer line (its bytes are skipped, up to and including its `\n`).
fn read_request(input: &mut impl BufRead, buf: &mut Vec<u8>) -> io::Result<Option<bool>> {
    buf.clear();
    let n = Read::take(&mut *input, MAX_REQUEST_BYTES as u64 + 1).read_until(b'\n', buf)?;
    if n == 0 {
        return Ok(None);
    }
    if buf.last() == Some(&b'\n') {
        buf.pop();
        return Ok(Some(true));
    }
    if buf.len() <= MAX_REQUEST_BYTES {
        // The last line, without a '\n'.
        return Ok(Some(true));
    }
    buf.clear();
    loop {
        let chunk = input.fill_buf()?;
        if chunk.is_empty() {
            break;
        }
        match chunk.iter().position(|&b| b == b'\n') {
            Some(i) => {
                input.consume(i + 1);
                break;
            }
            None => {
                let len = chunk.len();
                input.consume(len);
            }
        }
    }
    Ok(Some(false))
}

/// The one response to one request line, whatever its bytes: anything but a JSON object
/// (bytes that are not UTF-8, an empty line, malformed or too deeply nested JSON, a scalar or
/// an array) is a `ProtocolError`.
fn respond(engine: &mut Engine, line: &[u8]) -> Json {
    let text = match std::str::from_utf8(line) {
        Ok(text) => text,
        Err(e) => {
            return error(
                "ProtocolError",
                "compile",
                format!(
                    "the request is not UTF-8 text (invalid byte at offset {})",
                    e.valid_up_to()
                ),
            )
        }
    };
    if text.trim().is_empty() {
        return error("ProtocolError", "compile", "an empty request line");
    }
    match serde_json::from_str::<Json>(text) {
        Ok(req) if req.is_object() => handle(engine, &req),
        Ok(_) => error("ProtocolError", "compile", "a request must be a JSON object"),
        Err(e) => error("ProtocolError", "compile", format!("malformed JSON: {e}")),
    }
}

/// [`respond`], with a panic (a bug, in the engine or here) answered as an error instead of
/// ending the process. ADAPTER.md has no kind for a bug; `Unsupported` ("the engine cannot do
/// it") is the nearest, and the message says what happened. The engine's writes are
/// panic-safe, so the graph the next request sees is the last committed one.
fn answer_even_if_it_panics(engine: &mut Engine, line: &[u8]) -> Json {
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| respond(engine, line)));
    outcome.unwrap_or_else(|panic| {
        let what = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic without a message".into());
        error(
            "Unsupported",
            "runtime",
            format!("internal error (a bug; please report it): {what}"),
        )
    })
}

fn main() -> io::Result<()> {
    let mut input = io::stdin().lock();
    let mut out = io::BufWriter::new(io::stdout().lock());
    let mut engine = Engine::default();
    let mut line = Vec::new();
    while let Some(whole) = read_request(&mut input, &mut line)? {
        let response = if whole {
            answer_even_if_it_panics(&mut engine, &line)
        } else {
            error(
                "ProtocolError",
                "compile",
                format!("the request line is longer than {MAX_REQUEST_BYTES} bytes"),
            )
        };
        writeln!(out, "{response}")?;
        out.flush()?;
    }
    Ok(())
}
