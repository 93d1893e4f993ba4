//! The operators at the end of a pipeline push their rows into the result over one row
//! buffer. These cases pin what that must keep from the pulled chain: the slots a projection
//! overwrites come back for the loops before it, a LIMIT stops everything before it (so rows
//! after it are never computed, nor their errors), SKIP and DISTINCT count across loops.
//! Each case checks the exact answer, and the same answer with `pull_only`.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use kgraph::{Graph, Value};

fn graph() -> Graph {
    let mut g = Graph::new();
    g.execute(
        "CREATE (a:N {x: 1, name: 'hub'}), (b1:N {x: 2}), (b2:N {x: 3}), (b3:N {x: 0}), (c:M {x: 5}) \
         CREATE (a)-[:R]->(b1), (a)-[:R]->(b2), (a)-[:R]->(b3), (b1)-[:R]->(c), (b2)-[:R]->(c)",
    )
    .run()
    .unwrap_or_else(|e| panic!("{e}"));
    g
}

/// The rows of `text`, as debug strings, after checking that pulling gives the same rows in
/// the same order.
fn rows(g: &Graph, text: &str) -> Result<Vec<String>, String> {
    let pushed = g.query(text).run();
    let pulled = g.query(text).pull_only().run();
    match (pushed, pulled) {
        (Ok(a), Ok(b)) => {
            assert_eq!(a, b, "pushed and pulled rows differ for {text}");
            Ok(a.rows().iter().map(|r| format!("{r:?}")).collect())
        }
        (Err(a), Err(b)) => {
            assert_eq!(
                a.kind_name(),
                b.kind_name(),
                "pushed and pulled errors differ for {text}"
            );
            Err(a.kind_name().to_owned())
        }
        (a, b) => panic!("{text}: pushed {a:?}, pulled {b:?}"),
    }
}

/// The rows of `q`, sorted (for queries whose row order is not defined).
fn sorted_rows(g: &Graph, q: &str) -> Vec<String> {
    let mut got = rows(g, q).unwrap();
    got.sort();
    got
}

fn ints(xs: &[i64]) -> Vec<String> {
    xs.iter().map(|x| format!("{:?}", vec![Value::Int(*x)])).collect()
}

#[test]
fn a_projection_that_clears_a_variable_gives_it_back_to_the_filters_before_it() {
    // `WITH b` drops `a`; the WHERE, run for each relationship of `a`, still reads `a`.
    let g = graph();
    let got = sorted_rows(
        &g,
        "MATCH (a:N {x: 1})-[r]->(b) WHERE b.x > a.x WITH b RETURN b.x AS x",
    );
    assert_eq!(got, ints(&[2, 3]));
}

#[test]
fn a_projection_that_rebinds_a_name_gives_the_old_value_back() {
    let g = graph();
    let got = sorted_rows(
        &g,
        "MATCH (a:N {x: 1})-[r]->(b) WHERE b.x > a.x WITH b.x AS a RETURN a",
    );
    assert_eq!(got, ints(&[2, 3]));
    let got = sorted_rows(
        &g,
        "MATCH (a:N {x: 1})-[r]->(b)-[s]->(c) WHERE c.x > a.x WITH c AS a, b AS c RETURN a.x + c.x AS y",
    );
    assert_eq!(got, ints(&[7, 8]));
}

#[test]
fn a_limit_stops_before_the_rows_after_it_are_computed() {
    let g = graph();
    let q = "UNWIND [2, 1, 0] AS x WITH x, 6 / x AS q LIMIT 2 RETURN q";
    assert_eq!(rows(&g, q).unwrap(), ints(&[3, 6]));
    let q = "UNWIND [2, 1, 0] AS x WITH x, 6 / x AS q LIMIT 3 RETURN q";
    assert_eq!(rows(&g, q).unwrap_err(), "ArithmeticError");
    // A LIMIT 0 runs nothing before it.
    assert_eq!(
        rows(&g, "UNWIND [0] AS x WITH 1 / x AS q LIMIT 0 RETURN q").unwrap(),
        ints(&[])
    );
    // Stopped inside nested loops: one scan, one expand.
    let q = "MATCH (a:N) MATCH (a)-[:R]->(b) WITH a, b LIMIT 2 RETURN count(*) AS n";
    assert_eq!(rows(&g, q).unwrap(), ints(&[2]));
}

#[test]
fn skip_limit_and_distinct_count_across_every_loop() {
    let g = graph();
    let q = "UNWIND range(1, 10) AS x WITH x SKIP 3 LIMIT 2 RETURN x";
    assert_eq!(rows(&g, q).unwrap(), ints(&[4, 5]));
    assert_eq!(
        rows(&g, "UNWIND [1, 1, 2, 1, 3] AS x RETURN DISTINCT x").unwrap(),
        ints(&[1, 2, 3])
    );
    let q = "MATCH (a:N)-[:R]->(b)-[:R]->(c) RETURN DISTINCT c.x AS x";
    assert_eq!(rows(&g, q).unwrap(), ints(&[5]));
    let q = "UNWIND [1, 2] AS x UNWIND [1, 2, 3] AS y RETURN x * 10 + y AS v SKIP 2 LIMIT 3";
    assert_eq!(rows(&g, q).unwrap(), ints(&[13, 21, 22]));
}

#[test]
fn a_column_returned_twice_is_returned_twice() {
    let g = graph();
    let got = rows(
        &g,
        "MATCH (a:N {name: 'hub'}) RETURN a.x AS x, a.x AS y, a.name AS n",
    )
    .unwrap();
    let want = vec![Value::Int(1), Value::Int(1), Value::from("hub")];
    assert_eq!(got, vec![format!("{want:?}")]);
}

#[test]
fn a_bad_limit_fails_even_with_no_rows() {
    let g = graph();
    let q = "MATCH (a:Nothing) RETURN a LIMIT $n";
    let pushed = g.query(q).param("n", -1).run().map(|_| ()).unwrap_err();
    let pulled = g
        .query(q)
        .param("n", -1)
        .pull_only()
        .run()
        .map(|_| ())
        .unwrap_err();
    // Found when the statement is bound (openCypher's NegativeIntegerArgument).
    assert_eq!(
        (pushed.kind_name(), pulled.kind_name()),
        ("SyntaxError", "SyntaxError")
    );
}

/// The rows before a write clause, and a MERGE's match, are pushed too, and the item a last
/// UNWIND wrote is moved out of the buffer, not copied: every row must still get its own items,
/// with the outer loops' values kept for the inner ones.
#[test]
fn unwound_items_reach_the_write_after_them_whole() {
    let run = |pull: bool| {
        let mut g = Graph::new();
        let text = "UNWIND [{k: 'a'}, {k: 'b'}] AS m UNWIND [{i: 1}, {i: 2}, {i: 3}] AS n \
                    MERGE (x:X {k: m.k, i: n.i}) SET x.both = m.k + toString(n.i)";
        let q = g.execute(text);
        let q = if pull { q.pull_only() } else { q };
        q.run().unwrap_or_else(|e| panic!("{e}"));
        let r = g
            .query("MATCH (x:X) RETURN x.both AS b ORDER BY b")
            .run()
            .unwrap_or_else(|e| panic!("{e}"));
        r.column("b").cloned().collect::<Vec<Value>>()
    };
    let want: Vec<Value> = ["a1", "a2", "a3", "b1", "b2", "b3"]
        .into_iter()
        .map(Value::from)
        .collect();
    assert_eq!(run(false), want);
    assert_eq!(run(true), want);
}

/// A MERGE's match runs pushed over the row itself: a match that binds part of its pattern
/// and then fails must leave nothing of it in the row the MERGE then creates from.
#[test]
fn a_merge_that_half_matches_creates_from_the_row_as_it_was() {
    let run = |pull: bool| {
        let mut g = Graph::new();
        g.execute("CREATE (:A {k: 1})-[:R]->(:B {k: 2})")
            .run()
            .unwrap_or_else(|e| panic!("{e}"));
        let text = "UNWIND [2, 3] AS k \
                    MERGE p = (x:A {k: 1})-[r:R]->(y:B {k: k}) \
                    ON CREATE SET y.new = true \
                    RETURN k, length(p) AS len, x.k AS xk, y.k AS yk, y.new AS new, type(r) AS t";
        let q = g.execute(text);
        let q = if pull { q.pull_only() } else { q };
        let r = q.run().unwrap_or_else(|e| panic!("{e}"));
        let rows: Vec<String> = r.rows().iter().map(|row| format!("{row:?}")).collect();
        let counts = (g.node_count(), g.relationship_count());
        (rows, counts)
    };
    let (pushed, counts) = run(false);
    assert_eq!((pushed.clone(), counts), run(true));
    // k = 2 matches the existing pattern; k = 3 binds x and r, fails on y, and creates the
    // whole pattern anew: two more nodes and a relationship.
    assert_eq!(counts, (4, 2));
    assert_eq!(pushed.len(), 2);
    assert!(
        pushed[0].contains("Int(2)") && pushed[0].contains("Null"),
        "{pushed:?}"
    );
    assert!(
        pushed[1].contains("Int(3)") && pushed[1].contains("Bool(true)"),
        "{pushed:?}"
    );
}
