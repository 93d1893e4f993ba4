//! The bodies of kgraph's fuzz targets, one function per target.
//!
//! `fuzz/fuzz_targets/*.rs` hand libFuzzer's input to these functions; `fuzz/tests/replay.rs`
//! (stable `cargo test` at the workspace root) runs each target's binary on every file of
//! `fuzz/corpus/<target>/`. Each function returns normally for any input; a broken invariant
//! is a panic, which libFuzzer reports as a crash.
#![allow(clippy::panic, clippy::expect_used, clippy::unwrap_used)]

use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::Duration;

use kgraph::{
    Database, DbError, DbOptions, Durability, Graph, ParseErrorKind, Query, QueryError, RuntimeKind,
};

/// A target's body: returns for any input, panics where an invariant breaks.
pub type Target = fn(&[u8]);

/// The targets, by name, as `fuzz/tests/replay.rs` and `fuzz/seed.py` know them.
pub const TARGETS: &[(&str, Target)] = &[
    ("query", query),
    ("parse_print_parse", parse_print_parse),
    ("snapshot_open", snapshot_open),
    ("log_open", log_open),
    ("import_jsonl", import_jsonl),
    ("import_csv", import_csv),
];

/// The byte that separates the nodes file from the relationships file in `import_csv`'s input
/// (it never occurs in UTF-8 text).
pub const CSV_SPLIT: u8 = 0xFF;

/// The directory of this process's own where `target` writes its files (the same names on
/// every run, so an execution costs no directory entries).
fn scratch_path(target: &str) -> PathBuf {
    std::env::temp_dir().join(format!("kgraph-fuzz-{target}-{}", std::process::id()))
}

fn scratch(target: &str) -> PathBuf {
    let dir = scratch_path(target);
    std::fs::create_dir_all(&dir).expect("create the scratch directory");
    dir
}

/// Removes the files `target` wrote in this process (for the corpus test; a fuzzing process
/// leaves them in the temporary directory).
pub fn remove_scratch(target: &str) {
    let _ = std::fs::remove_dir_all(scratch_path(target));
}

/// The graph `query` runs on: a few labelled nodes and relationships with properties of
/// every storable kind, and a unique constraint (as `tests/no_panic.rs` builds it).
fn small_graph() -> &'static Graph {
    static G: OnceLock<Graph> = OnceLock::new();
    G.get_or_init(|| {
        let mut g = Graph::new();
        g.execute(
            "CREATE (a:Company {name: 'AstraZeneca', name_zh: '阿斯利康', country: 'GB', founded: 1999, \
                                score: 2.5, listed: true, aliases: ['AZ', '阿斯利康中国'], since: date('1999-04-06')}), \
                    (p:Company {name: 'Pfizer', country: 'US', founded: 1849}), \
                    (e:Place {name: 'Beijing E-Town', kind: 'district'}), \
                    (b:Place {name: 'Beijing', kind: 'city'}), \
                    (l:Government {name: 'Lecheng'}), \
                    (a)-[:INVESTS_IN {amount: 2.5e9, currency: 'USD'}]->(e), \
                    (a)-[:LOCATED_IN]->(e), (e)-[:LOCATED_IN]->(b), \
                    (a)-[:SIGNS_WITH {event: '4th CIIE', date: date('2021-11-07')}]->(l), \
                    (p)-[:SIGNS_WITH {event: '5th CIIE'}]->(l), (l)-[:SIGNS_WITH]->(l)",
        )
        .run()
        .expect("the fixture is created");
        g.create_unique_constraint("Place", "name")
            .expect("the constraint is created");
        g
    })
}

/// Everything a statement can change, through the public API: the counts, and every node
/// (id, labels, properties) and relationship (id, ends, type, properties), in id order.
/// Labels and properties are sorted, so only their content counts.
pub fn fingerprint(g: &Graph) -> String {
    let mut out = format!(
        "{} nodes, {} relationships\n",
        g.node_count(),
        g.relationship_count()
    );
    let mut nodes: Vec<_> = g.nodes().collect();
    nodes.sort_by_key(|id| format!("{id:?}"));
    for id in nodes {
        let n = g.node(id).expect("a listed node exists");
        let mut labels: Vec<_> = n.labels().collect();
        labels.sort_unstable();
        let mut props: Vec<_> = n.properties().map(|(k, v)| format!("{k}={v:?}")).collect();
        props.sort_unstable();
        out.push_str(&format!("{id:?} {labels:?} {props:?}\n"));
    }
    let mut rels: Vec<_> = g.relationships().collect();
    rels.sort_by_key(|id| format!("{id:?}"));
    for id in rels {
        let r = g.relationship(id).expect("a listed relationship exists");
        let mut props: Vec<_> = r.properties().map(|(k, v)| format!("{k}={v:?}")).collect();
        props.sort_unstable();
        out.push_str(&format!(
            "{id:?} {:?}-[{}]->{:?} {props:?}\n",
            r.start(),
            r.rel_type(),
            r.end()
        ));
    }
    out
}

/// A caught panic inside a statement is reported as `Internal`: a bug all the same.
fn no_internal<T>(what: &str, text: &str, r: &Result<T, QueryError>) {
    if let Err(
        e @ QueryError::Runtime {
            kind: RuntimeKind::Internal,
            ..
        },
    ) = r
    {
        panic!("{what} of {text:?}: the engine panicked: {e}");
    }
}

/// The limits every fuzzed statement runs under, so that no input can hang or exhaust memory.
/// They are tight so that a runaway statement costs little of the fuzzer's time (and so that
/// the limits' own failures, which must undo the statement, are reached often).
const TIMEOUT: Duration = Duration::from_millis(100);
const MAX_MEMORY: u64 = 64 << 20;
const MAX_PATH_LENGTH: u32 = 6;
const MAX_EXPANSIONS: u64 = 20_000;
const MAX_ROWS: usize = 10_000;

/// `query`: the input, as UTF-8 Cypher, runs as a read and as a write on a small graph.
/// Neither may panic (nor report a caught panic); after the write the graph's indexes agree
/// with its storage; a write that fails leaves the graph exactly as it was.
/// A read or write query builder with the parameter and the limits every run of `query` gets.
macro_rules! limited {
    ($q:expr) => {
        $q.param("name", "AstraZeneca")
            .timeout(TIMEOUT)
            .max_memory(MAX_MEMORY)
            .max_path_length(MAX_PATH_LENGTH)
            .max_expansions(MAX_EXPANSIONS)
            .max_rows(MAX_ROWS)
    };
}

pub fn query(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let g = small_graph();
    let read = limited!(g.query(text)).run();
    no_internal("the read", text, &read);

    let mut w = g.clone();
    let before = fingerprint(&w);
    let write = limited!(w.execute(text)).run();
    no_internal("the write", text, &write);
    if let Err(e) = w.check_invariants() {
        panic!(
            "after the write {text:?} ({:?}): inconsistent graph: {e}",
            write.as_ref().err()
        );
    }
    if let Err(e) = &write {
        let after = fingerprint(&w);
        assert!(
            before == after,
            "the failed write {text:?} ({e}) changed the graph:\nbefore:\n{before}\nafter:\n{after}"
        );
    }
}

/// `parse_print_parse`: text that parses prints as canonical Cypher that parses to the same
/// query. The one documented exception: a query at the nesting limit may print one level
/// deeper (`- - ... -1` prints as `- - ... -(-1)`) and be refused as `TooDeep`.
pub fn parse_print_parse(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(q) = Query::parse(text) else {
        return;
    };
    let printed = q.to_string();
    match Query::parse(&printed) {
        Ok(p) => assert!(
            p == q,
            "{text:?} prints as {printed:?}, which parses to another query"
        ),
        Err(e) if e.kind() == ParseErrorKind::TooDeep => {}
        Err(e) => panic!("{text:?} prints as {printed:?}, which does not parse: {e}"),
    }
}

/// `snapshot_open`: the input as a snapshot file; `Graph::open` returns a graph whose
/// indexes agree with its storage, or an error.
pub fn snapshot_open(data: &[u8]) {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    let path = DIR.get_or_init(|| scratch("snapshot_open")).join("g.kgs");
    std::fs::write(&path, data).expect("write the snapshot");
    if let Ok(g) = Graph::open(&path)
        && let Err(e) = g.check_invariants()
    {
        panic!("an opened snapshot is inconsistent: {e}");
    }
}

/// The snapshot of generation 1 that `log_open`'s logs replay over: an empty graph, as
/// `Database::open` writes it in a new directory (the snapshot of `tests/data/db-log-v1`).
pub const LOG_SNAPSHOT: &[u8] = include_bytes!("../../tests/data/db-log-v1/snapshot-000000000001.kgs");

/// `log_open`: a database directory with a valid snapshot of generation 1 and the input as its
/// log. `Database::open` gives a database or an error (no panic, no abort); an opened one is
/// consistent and opens again to the same graph (cutting a torn tail is done once and for
/// all). Where the log is damaged, `Database::recover` gives a consistent database or an
/// error.
pub fn log_open(data: &[u8]) {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    let dir = DIR.get_or_init(|| scratch("log_open")).join("db");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create the database directory");
    std::fs::write(dir.join("snapshot-000000000001.kgs"), LOG_SNAPSHOT).expect("write the snapshot");
    std::fs::write(dir.join("log-000000000001.kgl"), data).expect("write the log");
    let options = || {
        DbOptions::default()
            .durability(Durability::OperatingSystem)
            .checkpoint_after(u64::MAX)
    };
    match Database::open_with(&dir, options()) {
        Ok(db) => {
            let first = {
                let r = db.read();
                if let Err(e) = r.check_invariants() {
                    panic!("an opened database is inconsistent: {e}");
                }
                fingerprint(&r)
            };
            drop(db);
            let again = Database::open_with(&dir, options()).expect("an opened database opens again");
            let second = fingerprint(&again.read());
            assert!(
                first == second,
                "a second open gives another graph:\n{first}\n---\n{second}"
            );
        }
        Err(DbError::Corrupt { .. }) => {
            if let Ok((db, _)) = Database::recover(&dir, options())
                && let Err(e) = db.read().check_invariants()
            {
                panic!("a recovered database is inconsistent: {e}");
            }
        }
        Err(_) => {}
    }
}

/// `import_jsonl`: the input as a JSON Lines file; `Graph::import_jsonl` returns a
/// consistent graph or an error.
pub fn import_jsonl(data: &[u8]) {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    let path = DIR.get_or_init(|| scratch("import_jsonl")).join("g.jsonl");
    std::fs::write(&path, data).expect("write the file");
    if let Ok(g) = Graph::import_jsonl(&path)
        && let Err(e) = g.check_invariants()
    {
        panic!("an imported graph is inconsistent: {e}");
    }
}

/// `import_csv`: the input split at its first [`CSV_SPLIT`] byte into `nodes.csv` and
/// `relationships.csv` (empty if there is no such byte); `Graph::import_csv` returns a
/// consistent graph or an error.
pub fn import_csv(data: &[u8]) {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    let dir = DIR.get_or_init(|| scratch("import_csv"));
    let (nodes, rels) = match data.iter().position(|&b| b == CSV_SPLIT) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[][..]),
    };
    std::fs::write(dir.join("nodes.csv"), nodes).expect("write the nodes");
    std::fs::write(dir.join("relationships.csv"), rels).expect("write the relationships");
    if let Ok(g) = Graph::import_csv(dir.join("nodes.csv"), dir.join("relationships.csv"))
        && let Err(e) = g.check_invariants()
    {
        panic!("an imported graph is inconsistent: {e}");
    }
}
