//! Transactions: a failed statement, a panic and a rollback leave the graph exactly as it was
//! (export, ids, name index, constraints, label and type look-ups, the ids given next), and a
//! random sequence of statements with failures and rollbacks gives the graph that running only
//! the committed ones gives.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use kgraph::{Database, Graph, Params, Value};
use proptest::prelude::*;

mod common;

/// Everything observable about a graph that a transaction could disturb, as text.
fn fingerprint(g: &Graph) -> String {
    common::observable(
        g,
        &[
            "MATCH (n) RETURN id(n) AS n, labels(n) AS l",
            "MATCH (n:L0) RETURN id(n) AS n",
            "MATCH (n:L1) RETURN id(n) AS n",
            "MATCH (n:L2) RETURN id(n) AS n",
            "MATCH (n)-[r]->(m) RETURN id(n) AS n, id(r) AS r, type(r) AS t, id(m) AS m",
            "MATCH (n)<-[r]-(m) RETURN id(n) AS n, id(r) AS r",
            "MATCH ()-[r:T0]->() RETURN id(r) AS r",
        ],
        &["n0", "n1", "n2", "n3", "N1", "alias", "x"],
    )
}

/// The ids the next creations get, on a copy.
fn next_ids(g: &Graph) -> Vec<Value> {
    let mut g = g.clone();
    let mut ids = Vec::new();
    for _ in 0..3 {
        let r = g
            .execute("CREATE (n:Next)-[r:NEXT]->(n) RETURN id(n) AS n, id(r) AS r")
            .run()
            .unwrap();
        ids.extend(r.rows()[0].iter().cloned());
    }
    ids
}

fn sample() -> Graph {
    let mut g = Graph::new();
    g.execute(
        "CREATE (a:L0 {name: 'n0', aliases: ['alias'], v: 1}), (b:L1 {name: 'n1', v: 2}),
                (c:L0:L2 {name: 'n2', v: 3}), (d:L1 {name: 'n3', v: 4}),
                (a)-[:T0 {w: 1}]->(b), (b)-[:T1]->(c), (c)-[:T0]->(a), (a)-[:T1]->(a), (d)-[:T0]->(a)",
    )
    .run()
    .unwrap();
    g.execute("MATCH (n {name: 'n3'}) DETACH DELETE n").run().unwrap();
    g.create_unique_constraint("L1", "v").unwrap();
    g
}

/// Statements that write a lot, then fail.
const FAILING: &[&str] = &[
    "MATCH (n) DETACH DELETE n WITH count(*) AS c RETURN 1 / (c - c)",
    "MATCH (n:L0) SET n.v = n.v + 10, n:Fresh, n.newKey = 'x' REMOVE n:L0, n.name WITH count(*) AS c RETURN 1 / (c - c)",
    "MATCH (a)-[r]->(b) DELETE r CREATE (b)-[:NEWTYPE {k: 1}]->(a) WITH count(*) AS c RETURN 1 / (c - c)",
    "UNWIND range(1, 50) AS i CREATE (:L0 {name: 'n' + i}) WITH count(*) AS c RETURN 1 / (c - c)",
    "MATCH (n:L1) SET n.name = 'N1', n.aliases = ['n0'] WITH count(*) AS c RETURN 1 / (c - c)",
    // A unique-constraint violation half-way.
    "MATCH (n) DETACH DELETE n CREATE (:L1 {v: 7}) CREATE (:L1 {v: 7})",
    "MATCH (n:L2) REMOVE n:L2 SET n:L1, n.v = 2",
];

#[test]
fn a_failed_statement_leaves_the_graph_as_it_was() {
    for q in FAILING {
        let mut g = sample();
        let (before, ids) = (fingerprint(&g), next_ids(&g));
        assert!(g.execute(q).run().is_err(), "{q} should fail");
        assert_eq!(fingerprint(&g), before, "{q}");
        assert_eq!(next_ids(&g), ids, "{q}");
    }
}

#[test]
fn a_panic_inside_a_statement_leaves_the_graph_as_it_was() {
    let mut g = sample();
    let (before, ids) = (fingerprint(&g), next_ids(&g));
    let err = g
        .execute("MATCH (n) DETACH DELETE n CREATE (:L0 {name: 'n0'})-[:T0]->(:New {aliases: ['alias']})")
        .panic_after_writes()
        .run()
        .unwrap_err();
    assert_eq!(err.kind_name(), "InternalError");
    assert_eq!(fingerprint(&g), before);
    assert_eq!(next_ids(&g), ids);
    // Inside a transaction: only the statement is undone.
    let db = Database::from_graph(sample());
    let mut tx = db.write();
    tx.execute("CREATE (:Kept)").run().unwrap();
    assert!(tx
        .execute("MATCH (n:L0) DETACH DELETE n")
        .panic_after_writes()
        .run()
        .is_err());
    tx.commit().unwrap();
    let mut expected = sample();
    expected.execute("CREATE (:Kept)").run().unwrap();
    assert_eq!(fingerprint(&db.read()), fingerprint(&expected));
}

#[test]
fn a_rolled_back_or_dropped_transaction_leaves_the_database_as_it_was() {
    for end in ["rollback", "drop"] {
        let db = Database::from_graph(sample());
        let (before, ids) = (fingerprint(&db.read()), next_ids(&db.read()));
        let mut tx = db.write();
        for q in FAILING {
            // Each statement fails and is undone alone; the successful ones stay in the
            // transaction until it ends.
            let _ = tx.execute(q).run();
            tx.execute("CREATE (:L0 {name: 'kept for now'})").run().unwrap();
            tx.execute("MATCH (n:L0) SET n.v = 100, n:Extra").run().unwrap();
        }
        tx.graph_mut().create_unique_constraint("Extra", "v2").unwrap();
        assert_ne!(fingerprint(tx.graph()), before);
        match end {
            "rollback" => tx.rollback(),
            _ => drop(tx),
        }
        assert_eq!(fingerprint(&db.read()), before, "{end}");
        assert_eq!(next_ids(&db.read()), ids, "{end}");
        // The constraint created in the transaction is gone too.
        db.execute("CREATE (:Extra {v2: 1}), (:Extra {v2: 1})").unwrap();
    }
}

#[test]
fn a_panic_inside_a_transaction_undoes_it() {
    let db = Database::from_graph(sample());
    let before = fingerprint(&db.read());
    let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let mut tx = db.write();
        tx.execute("MATCH (n) DETACH DELETE n").run().unwrap();
        tx.execute("CREATE (:L0 {name: 'n0'})").run().unwrap();
        panic!("the caller's code fails inside the transaction");
    }));
    assert!(caught.is_err());
    assert_eq!(fingerprint(&db.read()), before);
    // The database is usable after the panic (the writer lock is taken over).
    db.execute("CREATE (:After)").unwrap();
    assert_eq!(db.read().nodes_with_label("After").count(), 1);
}

#[test]
fn a_reader_keeps_its_snapshot_while_a_commit_finishes() {
    let db = Database::from_graph(sample());
    let reader = db.read();
    let before = fingerprint(&reader);
    // The commit finishes while the reader is open on another thread.
    std::thread::scope(|s| {
        s.spawn(|| {
            let mut tx = db.write();
            tx.execute("MATCH (n) DETACH DELETE n").run().unwrap();
            tx.execute("CREATE (:L0 {name: 'after'})").run().unwrap();
            tx.commit().unwrap();
        })
        .join()
        .unwrap();
    });
    assert_eq!(db.read().node_count(), 1);
    assert_eq!(
        fingerprint(&reader),
        before,
        "the open reader still sees the old state"
    );
    // Later commits catch the retired state up once its reader is gone.
    drop(reader);
    for i in 0..3 {
        db.execute(&format!("CREATE (:L1 {{name: 'later{i}'}})")).unwrap();
    }
    let mut plain = sample();
    plain.execute("MATCH (n) DETACH DELETE n").run().unwrap();
    plain.execute("CREATE (:L0 {name: 'after'})").run().unwrap();
    for i in 0..3 {
        plain
            .execute(&format!("CREATE (:L1 {{name: 'later{i}'}})"))
            .run()
            .unwrap();
    }
    assert_eq!(fingerprint(&db.read()), fingerprint(&plain));
}

#[test]
fn a_cached_write_plan_is_never_run_as_a_read() {
    let mut g = Graph::new();
    for _ in 0..3 {
        g.execute("CREATE (:A)").run().unwrap();
    }
    let err = g.query("CREATE (:A)").run().unwrap_err();
    assert_eq!(err.kind_name(), "SyntaxError", "{err}");
    assert_eq!(g.node_count(), 3);
    // And a read cached by `query` runs as a read through `execute`.
    g.query("MATCH (n:A) RETURN count(n) AS n").run().unwrap();
    let r = g.execute("MATCH (n:A) RETURN count(n) AS n").run().unwrap();
    assert_eq!(r.get(0, "n"), Some(&Value::Int(3)));
}

#[test]
fn a_text_with_two_statements_is_an_error_at_the_second() {
    let mut g = Graph::new();
    let err = g.execute("CREATE (:A);\n  CREATE (:B)").run().unwrap_err();
    assert_eq!(
        (err.kind_name(), err.line(), err.column()),
        ("SyntaxError", Some(2), Some(3))
    );
    assert_eq!(g.node_count(), 0);
    // A trailing semicolon is still one statement.
    g.execute("CREATE (:A);").run().unwrap();
    assert_eq!(g.node_count(), 1);
}

#[test]
fn a_script_runs_in_one_transaction_and_errors_point_into_it() {
    let db = Database::new();
    let p = Params::new().with("x", 1);
    let results = db
        .execute_script(
            "CREATE (:A {x: $x});\nCREATE (:B);;\nMATCH (n) RETURN count(n) AS n;",
            &p,
        )
        .unwrap();
    assert_eq!(results.len(), 3);
    assert_eq!(results[2].get(0, "n"), Some(&Value::Int(2)));
    let err = db
        .execute_script("CREATE (:C);\nCREATE (:D);\nMATCH (n) RETURN n.x / 0 AS boom", &p)
        .map_err(query_error)
        .unwrap_err();
    assert_eq!(
        (err.kind_name(), err.line(), err.column()),
        ("ArithmeticError", Some(3), Some(18))
    );
    assert_eq!(
        db.read().node_count(),
        2,
        "no statement of the failed script remains"
    );
    let err = db
        .execute_script("CREATE (:C);\n  MATCH (n RETURN n", &p)
        .map_err(query_error)
        .unwrap_err();
    assert_eq!(
        (err.kind_name(), err.line(), err.column()),
        ("SyntaxError", Some(2), Some(12))
    );
    assert_eq!(db.read().node_count(), 2);
}

fn query_error(e: kgraph::Error) -> kgraph::QueryError {
    match e {
        kgraph::Error::Query(q) => q,
        other => panic!("not a query error: {other}"),
    }
}

// ---- random sequences --------------------------------------------------------------------

/// A statement from small numbers: every kind of change, names new and old.
fn statement(kind: u8, a: u8, b: u8, c: u8) -> String {
    let (a, b, c) = (a % 3, b % 6, c % 5);
    match kind % 11 {
        0 => format!("CREATE (:L{a} {{name: 'n{b}', v: {c}}})"),
        1 => format!("MATCH (x), (y) WHERE id(x) = {b} AND id(y) = {c} CREATE (x)-[:T{a} {{w: {c}}}]->(y)"),
        2 => format!("MATCH (x) WHERE id(x) = {b} DETACH DELETE x"),
        3 => format!("MATCH (x) WHERE id(x) = {b} SET x.v = {c}, x:L{a}"),
        4 => format!("MATCH (x) WHERE id(x) = {b} REMOVE x:L{a}, x.name"),
        5 => format!("MATCH ()-[r]->() WHERE id(r) = {b} DELETE r"),
        6 => format!("MATCH ()-[r]->() WHERE id(r) = {b} SET r.w = {c}, r.k{a} = 'new key'"),
        7 => format!("MERGE (x:L{a} {{name: 'n{b}'}}) ON CREATE SET x.created{c} = true"),
        8 => format!("CREATE (:New{b} {{aliases: ['alias', 'n{c}']}})"),
        9 => format!("MATCH (x:L{a}) WITH x LIMIT 2 SET x.name = 'n{b}'"),
        _ => format!("MATCH (x) WHERE id(x) = {b} SET x.v = null"),
    }
}

/// A transaction: statements, each maybe made to fail after it wrote; and how it ends.
type Txn = (Vec<(u8, u8, u8, u8, bool)>, u8);

fn txn() -> impl Strategy<Value = Txn> {
    (
        prop::collection::vec(
            (
                any::<u8>(),
                any::<u8>(),
                any::<u8>(),
                any::<u8>(),
                prop::bool::weighted(0.25),
            ),
            1..5,
        ),
        0u8..4,
    )
}

/// Runs `txns` on `db` and on a plain graph, running on the graph only what `db` committed;
/// some readers stay open across commits (`hold`), so that old states are retired and caught
/// up later; after a transaction the thread sleeps 2 ms where `pause` says so (for a
/// database whose background thread catches the writer's copy up), and every third one
/// checks that a new transaction starts from a copy equal to the committed state.
fn run_txns(
    db: &Database,
    plain: &mut Graph,
    txns: &[Txn],
    hold: &[bool],
    pause: &[bool],
) -> Result<(), TestCaseError> {
    let mut readers = Vec::new();
    for (i, (stmts, end)) in txns.iter().enumerate() {
        if hold[i % hold.len()] {
            readers.push(db.read());
        } else if readers.len() > 2 {
            readers.remove(0);
        }
        let mut tx = db.write();
        let mut done = Vec::new();
        for (kind, a, b, c, fail) in stmts {
            let mut q = statement(*kind, *a, *b, *c);
            if *fail {
                q.push_str(" WITH 0 AS z RETURN 1 / z");
            }
            if tx.execute(&q).run().is_ok() {
                done.push(q);
            }
        }
        match end {
            0 => tx.rollback(),
            1 => drop(tx),
            _ => {
                tx.commit().unwrap();
                for q in done {
                    prop_assert!(plain.execute(&q).run().is_ok(), "{}", q);
                }
            }
        }
        if pause[i % pause.len()] {
            std::thread::sleep(std::time::Duration::from_millis(2));
        }
        if i % 3 == 2 {
            let tx = db.write();
            prop_assert_eq!(fingerprint(tx.graph()), fingerprint(&db.read()));
            prop_assert_eq!(next_ids(tx.graph()), next_ids(&db.read()));
        }
    }
    prop_assert_eq!(fingerprint(&db.read()), fingerprint(plain));
    prop_assert_eq!(next_ids(&db.read()), next_ids(plain));
    drop(readers);
    // And once every reader is gone, the next commits still agree.
    db.execute("CREATE (:L0 {name: 'last'})").unwrap();
    plain.execute("CREATE (:L0 {name: 'last'})").run().unwrap();
    prop_assert_eq!(fingerprint(&db.read()), fingerprint(plain));
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn committed_statements_alone_give_the_same_graph(txns in prop::collection::vec(txn(), 1..12), hold in prop::collection::vec(any::<bool>(), 12)) {
        let db = Database::from_graph(sample());
        let mut plain = sample();
        run_txns(&db, &mut plain, &txns, &hold, &[false])?;
    }

    /// The batched mode leaves a small commit's catch-up of the writer's copy to its background
    /// thread (or to the next transaction, if that begins first): the same sequences, with
    /// pauses that let the thread do it or not, give the same graph, also after a reopen.
    #[test]
    fn committed_statements_alone_give_the_same_graph_in_the_batched_mode(txns in prop::collection::vec(txn(), 1..12), hold in prop::collection::vec(any::<bool>(), 12), pause in prop::collection::vec(any::<bool>(), 5)) {
        let dir = tempfile::tempdir().unwrap();
        let batched = kgraph::Durability::Batched(std::time::Duration::from_millis(1));
        let options = kgraph::DbOptions::default().durability(batched);
        let db = Database::open_with(dir.path(), options.clone()).unwrap();
        db.replace(sample()).unwrap();
        let mut plain = sample();
        run_txns(&db, &mut plain, &txns, &hold, &pause)?;
        drop(db);
        let db = Database::open_with(dir.path(), options).unwrap();
        prop_assert_eq!(fingerprint(&db.read()), fingerprint(&plain));
        prop_assert_eq!(next_ids(&db.read()), next_ids(&plain));
    }
}
