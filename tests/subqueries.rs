//! Subqueries: `EXISTS { }`, `COUNT { }`, `COLLECT { }` (correlated) and `CALL { }` (with an
//! importing `WITH`, `UNION` inside, and writes).
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use kgraph::{Graph, Value};

fn graph() -> Graph {
    let mut g = Graph::new();
    g.execute(
        "CREATE (a:P {name: 'a'})-[:K]->(b:P {name: 'b'}), (a)-[:K]->(c:P {name: 'c'}), (b)-[:K]->(c), (:P {name: 'd'})",
    )
    .run()
    .expect("setup");
    g
}

fn rows(g: &Graph, q: &str) -> Vec<Vec<Value>> {
    g.query(q)
        .run()
        .unwrap_or_else(|e| panic!("{q}: {e}"))
        .rows()
        .to_vec()
}

fn ints(v: &[i64]) -> Value {
    Value::List(v.iter().map(|i| Value::Int(*i)).collect())
}

#[test]
fn exists_with_a_pattern_and_with_a_query() {
    let g = graph();
    let names = |q: &str| -> Vec<Value> { rows(&g, q).into_iter().map(|mut r| r.remove(0)).collect() };
    assert_eq!(
        names("MATCH (n:P) WHERE EXISTS { (n)-[:K]->(m) WHERE m.name = 'c' } RETURN n.name ORDER BY n.name"),
        [Value::from("a"), Value::from("b")]
    );
    assert_eq!(
        names("MATCH (n:P) WHERE NOT EXISTS { (n)-->() } RETURN n.name ORDER BY n.name"),
        [Value::from("c"), Value::from("d")]
    );
    // A full query, with an aggregation inside and no RETURN needed.
    assert_eq!(
        names("MATCH (n:P) WHERE EXISTS { MATCH (n)-->(m) WITH n, count(m) AS k WHERE k = 2 RETURN k } RETURN n.name"),
        [Value::from("a")]
    );
    assert_eq!(
        names("MATCH (n:P) WHERE EXISTS { MATCH (n)<--() } RETURN n.name ORDER BY n.name"),
        [Value::from("b"), Value::from("c")]
    );
    // As a value, and with UNION inside.
    assert_eq!(
        names("MATCH (n:P {name: 'd'}) RETURN EXISTS { MATCH (n)-->(m) RETURN m UNION MATCH (m {name: 'a'}) RETURN m } AS e"),
        [Value::Bool(true)]
    );
}

#[test]
fn count_subqueries_count_rows() {
    let g = graph();
    let r = rows(
        &g,
        "MATCH (n:P) RETURN n.name AS n, COUNT { (n)-->() } AS out ORDER BY n",
    );
    let counts: Vec<Value> = r.iter().map(|row| row[1].clone()).collect();
    assert_eq!(
        counts,
        [Value::Int(2), Value::Int(1), Value::Int(0), Value::Int(0)]
    );
    let r = rows(
        &g,
        "MATCH (n:P {name: 'a'}) RETURN COUNT { MATCH (n)-->(m) RETURN m.name AS x UNION MATCH (n)-->()-->(m) RETURN m.name AS x } AS c",
    );
    assert_eq!(r[0][0], Value::Int(2), "UNION de-duplicates before counting");
    let r = rows(
        &g,
        "MATCH (n:P) WHERE COUNT { (n)--() } >= 2 RETURN count(n) AS c",
    );
    assert_eq!(r[0][0], Value::Int(3));
}

#[test]
fn collect_subqueries_collect_their_one_column() {
    let g = graph();
    let r = rows(
        &g,
        "MATCH (n:P {name: 'a'}) RETURN COLLECT { MATCH (n)-->(m) RETURN m.name ORDER BY m.name DESC } AS names",
    );
    assert_eq!(r[0][0], Value::List(vec![Value::from("c"), Value::from("b")]));
    assert_eq!(
        g.query("RETURN COLLECT { UNWIND [1, 2] AS x RETURN x, x } AS c")
            .run()
            .unwrap_err()
            .kind_name(),
        "SyntaxError"
    );
    assert_eq!(
        g.query("MATCH (n) RETURN COLLECT { (n)-->() } AS c")
            .run()
            .unwrap_err()
            .kind_name(),
        "SyntaxError"
    );
}

#[test]
fn call_subqueries_import_with_with_and_return_columns() {
    let g = graph();
    let r = rows(
        &g,
        "MATCH (n:P) CALL { WITH n MATCH (n)-->(m) RETURN count(m) AS k } RETURN n.name AS n, k ORDER BY n",
    );
    let ks: Vec<Value> = r.iter().map(|row| row[1].clone()).collect();
    assert_eq!(ks, [Value::Int(2), Value::Int(1), Value::Int(0), Value::Int(0)]);
    // Uncorrelated: runs for each row, sees none of the outer variables.
    let r = rows(
        &g,
        "UNWIND [1, 2] AS x CALL { UNWIND [10, 20] AS y RETURN y } RETURN x * y AS p",
    );
    assert_eq!(
        r.iter().map(|row| row[0].clone()).collect::<Vec<_>>(),
        [10, 20, 20, 40].map(Value::Int)
    );
    // UNION inside.
    let r = rows(
        &g,
        "UNWIND [1] AS x CALL { WITH x RETURN x + 1 AS y UNION WITH x RETURN x + 1 AS y UNION RETURN 5 AS y } RETURN collect(y) AS ys",
    );
    assert_eq!(r[0][0], ints(&[2, 5]));
    // Errors: a returned name already bound, an outer variable not imported.
    assert_eq!(
        g.query("WITH 1 AS y CALL { RETURN 2 AS y } RETURN y")
            .run()
            .unwrap_err()
            .kind_name(),
        "SyntaxError"
    );
    assert_eq!(
        g.query("WITH 1 AS x CALL { RETURN x AS y } RETURN y")
            .run()
            .unwrap_err()
            .kind_name(),
        "SyntaxError"
    );
}

#[test]
fn call_subqueries_that_write_run_once_per_row() {
    let mut g = graph();
    let r = g
        .execute("MATCH (n:P) CALL { WITH n CREATE (:Copy {of: n.name}) } RETURN count(*) AS c")
        .run()
        .expect("unit subquery");
    assert_eq!(r.get(0, "c"), Some(&Value::Int(4)));
    assert_eq!(r.stats().nodes_created, 4);
    // Each row's subquery sees the writes made for the rows before.
    let r = g
        .execute(
            "UNWIND [1, 2, 3] AS i CALL { MATCH (c:Copy) WITH count(c) AS k CREATE (:Copy {k: k}) RETURN k } RETURN collect(k) AS ks",
        )
        .run()
        .expect("reads its own writes");
    assert_eq!(r.get(0, "ks"), Some(&ints(&[4, 5, 6])));
    // A failure inside undoes everything.
    let before = g.node_count();
    assert!(g
        .execute("UNWIND [1, 0] AS i CALL { WITH i CREATE (:X {v: 1 / i}) }")
        .run()
        .is_err());
    assert_eq!(g.node_count(), before);
    // A read-only query cannot hold a writing subquery.
    assert!(g.query("CALL { CREATE (:Y) } RETURN 1 AS one").run().is_err());
}

#[test]
fn foreach_runs_its_updates_per_item() {
    let mut g = Graph::new();
    let r = g
        .execute("UNWIND [1, 2] AS x FOREACH (i IN range(1, x) | CREATE (:N {x: x, i: i})) RETURN x")
        .run()
        .expect("foreach");
    assert_eq!(r.len(), 2, "FOREACH passes each row on once");
    assert_eq!(r.stats().nodes_created, 3);
    // Nested, with SET and MERGE, and a null list doing nothing.
    g.execute(
        "MATCH (n:N) FOREACH (a IN [1, 2] | FOREACH (b IN [a] | MERGE (:M {v: a * b}))) FOREACH (z IN null | SET n.z = 1) SET n.done = true",
    )
    .run()
    .expect("nested foreach");
    let r = rows(&g, "MATCH (m:M) RETURN m.v AS v ORDER BY v");
    assert_eq!(r, [[Value::Int(1)], [Value::Int(4)]]);
    // Its variable is not visible after it, and only updates may be inside.
    assert_eq!(
        g.execute("FOREACH (i IN [1] | CREATE (:A)) RETURN i")
            .run()
            .unwrap_err()
            .kind_name(),
        "SyntaxError"
    );
    assert_eq!(
        g.execute("FOREACH (i IN [1] | MATCH (n) CREATE (:A))")
            .run()
            .unwrap_err()
            .kind_name(),
        "SyntaxError"
    );
    assert_eq!(
        g.execute("FOREACH (i IN 1 | CREATE (:A))")
            .run()
            .unwrap_err()
            .kind_name(),
        "SyntaxError"
    );
    assert_eq!(
        g.execute("WITH 1 AS l FOREACH (i IN l | CREATE (:A))")
            .run()
            .unwrap_err()
            .kind_name(),
        "TypeError"
    );
    // It prints back to text that parses to the same tree.
    let q = kgraph::Query::parse("FOREACH (x IN [1, 2] | CREATE (:A {x: x}) SET x.y = 1)").expect("parses");
    assert_eq!(kgraph::Query::parse(&q.to_string()).ok(), Some(q));
}

#[test]
fn subqueries_count_against_the_budgets() {
    let g = Graph::new();
    let q = "UNWIND [1] AS x CALL { UNWIND range(1, 100) AS y RETURN y } RETURN count(*) AS c";
    assert_eq!(
        g.query(q).run().expect("within budget").get(0, "c"),
        Some(&Value::Int(100))
    );
    assert_eq!(
        g.query(q).max_rows(10).run().unwrap_err().kind_name(),
        "LimitExceeded"
    );
    let q = "UNWIND range(1, 100000) AS x RETURN sum(COUNT { UNWIND range(1, 10) AS y RETURN y }) AS s";
    let err = g.query(q).timeout(std::time::Duration::ZERO).run().unwrap_err();
    assert_eq!(err.kind_name(), "LimitExceeded");
}
