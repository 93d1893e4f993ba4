//! The path cap of unbounded variable-length patterns, on a chain of 300 nodes
//! (0 -> 1 -> ... -> 299): reaching it is an error, never a silently shorter answer, unless
//! the caller set it; bounded patterns, shortest paths and pattern predicates do not see it.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use kgraph::{Graph, NodeId, QueryError, RuntimeKind, Value};

const LEN: i64 = 300;

fn chain() -> Graph {
    let mut g = Graph::new();
    let ids: Vec<NodeId> = (0..LEN)
        .map(|i| g.add_node(&["N"], [("i", Value::Int(i))]).unwrap())
        .collect();
    for w in ids.windows(2) {
        g.add_relationship(w[0], w[1], "NEXT", Vec::<(&str, Value)>::new())
            .unwrap();
    }
    g
}

/// The one value of the one row `query` returns.
#[track_caller]
fn single(g: &Graph, query: &str) -> Value {
    let r = g
        .query(query)
        .run()
        .unwrap_or_else(|e| panic!("{query:?} failed: {e}"));
    match r.rows() {
        [row] => row
            .first()
            .cloned()
            .unwrap_or_else(|| panic!("{query:?} gave an empty row")),
        rows => panic!("{query:?} gave {} rows", rows.len()),
    }
}

#[track_caller]
fn int(g: &Graph, query: &str) -> i64 {
    match single(g, query) {
        Value::Int(i) => i,
        other => panic!("{query:?} gave {other:?}"),
    }
}

#[track_caller]
fn boolean(g: &Graph, query: &str) -> bool {
    match single(g, query) {
        Value::Bool(b) => b,
        other => panic!("{query:?} gave {other:?}"),
    }
}

#[track_caller]
fn cap_error(result: Result<kgraph::QueryResult, QueryError>, cap: u32) -> String {
    let err = match result {
        Ok(r) => panic!("should hit the path cap, got {} rows", r.len()),
        Err(e) => e,
    };
    assert!(
        matches!(
            err,
            QueryError::Runtime {
                kind: RuntimeKind::PathLengthLimit,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(err.kind_name(), "LimitExceeded");
    let text = err.to_string();
    assert!(text.contains(&format!("{cap} relationships")), "{text}");
    assert!(text.contains("max_path_length"), "{text}");
    text
}

#[test]
fn shortest_path_past_100_hops_is_found() {
    let g = chain();
    let q = |b: i64| {
        format!("MATCH (a:N {{i: 0}}), (b:N {{i: {b}}}) MATCH p = shortestPath((a)-[*]->(b)) RETURN length(p) AS n")
    };
    assert_eq!(int(&g, &q(101)), 101);
    assert_eq!(int(&g, &q(299)), 299);
    // Undirected, and with a lower bound above 1 (the general search).
    assert_eq!(
        int(
            &g,
            "MATCH (a:N {i: 299}), (b:N {i: 0}) MATCH p = shortestPath((a)-[*]-(b)) RETURN length(p) AS n"
        ),
        299
    );
    assert_eq!(
        int(&g, "MATCH (a:N {i: 0}), (b:N {i: 200}) MATCH p = shortestPath((a)-[*2..]->(b)) RETURN length(p) AS n"),
        200
    );
    // A bound the query gives is still honoured.
    let r = g
        .query("MATCH (a:N {i: 0}), (b:N {i: 101}) MATCH p = shortestPath((a)-[*..100]->(b)) RETURN p")
        .run()
        .unwrap();
    assert_eq!(r.len(), 0);
}

#[test]
fn all_shortest_paths_past_100_hops_are_found() {
    let g = chain();
    let r = g
        .query(
            "MATCH (a:N {i: 0}), (b:N {i: 250}) MATCH p = allShortestPaths((a)-[*]->(b)) RETURN length(p) AS n",
        )
        .run()
        .unwrap();
    assert_eq!(r.rows(), &[vec![Value::Int(250)]]);
    // Without a hop cap, the search's maps count against the memory budget.
    let mut long = Graph::new();
    let ids: Vec<NodeId> = (0..20_000)
        .map(|i| long.add_node(&["N"], [("i", Value::Int(i))]).unwrap())
        .collect();
    for w in ids.windows(2) {
        long.add_relationship(w[0], w[1], "NEXT", Vec::<(&str, Value)>::new())
            .unwrap();
    }
    let q =
        "MATCH (a:N {i: 0}), (b:N {i: 19999}) MATCH p = allShortestPaths((a)-[*]->(b)) RETURN length(p) AS n";
    assert_eq!(int(&long, q), 19_999);
    let err = long.query(q).max_memory(100_000).run().unwrap_err();
    assert!(
        matches!(
            err,
            QueryError::Runtime {
                kind: RuntimeKind::MemoryLimit,
                ..
            }
        ),
        "{err:?}"
    );
}

#[test]
fn exists_and_pattern_predicates_search_past_100_hops() {
    let g = chain();
    assert!(boolean(
        &g,
        "MATCH (a:N {i: 0}), (b:N {i: 101}) RETURN exists((a)-[*]->(b)) AS e"
    ));
    assert!(boolean(
        &g,
        "MATCH (a:N {i: 0}), (b:N {i: 299}) RETURN exists((a)-[:NEXT*]->(b)) AS e"
    ));
    assert!(!boolean(
        &g,
        "MATCH (a:N {i: 0}), (b:N {i: 299}) RETURN exists((b)-[*]->(a)) AS e"
    ));
    assert_eq!(
        int(
            &g,
            "MATCH (a:N {i: 0}), (b:N) WHERE (a)-[*]->(b) RETURN count(b) AS n"
        ),
        LEN - 1
    );
    assert_eq!(
        int(
            &g,
            "MATCH (b:N) WHERE NOT (b)-[*150..]->(:N) RETURN count(b) AS n"
        ),
        150
    );
    assert!(boolean(
        &g,
        "MATCH (a:N {i: 0}), (b:N {i: 299}) RETURN EXISTS { (a)-[*]->(b) } AS e"
    ));
    assert!(boolean(
        &g,
        "MATCH (a:N {i: 0}) RETURN EXISTS { (a)-[*]->(b) WHERE b.i = 250 } AS e"
    ));
    // A count wants every path: the cap applies.
    cap_error(
        g.query("MATCH (a:N {i: 0}) RETURN count { (a)-[*]->(b) } AS n")
            .run(),
        100,
    );
}

#[test]
fn an_unbounded_pattern_that_reaches_the_cap_is_an_error() {
    let g = chain();
    let q = "MATCH (:N {i: 0})-[*]->(b) RETURN count(b) AS n";
    let text = cap_error(g.query(q).run(), 100);
    assert!(text.contains("upper bound"), "{text}");
    cap_error(
        g.query("MATCH (:N {i: 0})-[*2..]->(b) RETURN b.i AS i").run(),
        100,
    );
    cap_error(
        g.query("MATCH (:N {i: 150})-[*]-(b) RETURN count(*) AS n").run(),
        100,
    );
    cap_error(
        g.query("MATCH p = (:N {i: 0})-[*]->() RETURN max(length(p)) AS n")
            .run(),
        100,
    );
    // Through a pattern comprehension too (it wants every path).
    cap_error(
        g.query("MATCH (a:N {i: 0}) RETURN size([(a)-[*]->(b) | b]) AS n")
            .run(),
        100,
    );
    // From 250 every path ends before the cap: no error.
    assert_eq!(int(&g, &q.replace("{i: 0}", "{i: 250}")), 49);
}

#[test]
fn reaching_the_cap_where_the_paths_end_is_no_error() {
    let g = chain();
    // From 199 the longest path has exactly 100 relationships: nothing is cut off.
    assert_eq!(int(&g, "MATCH (:N {i: 199})-[*]->(b) RETURN count(b) AS n"), 100);
    cap_error(
        g.query("MATCH (:N {i: 198})-[*]->(b) RETURN count(b) AS n").run(),
        100,
    );
}

#[test]
fn a_lower_bound_above_the_cap_is_an_error_not_an_empty_answer() {
    let g = chain();
    let q = "MATCH (:N {i: 0})-[*150..]->(b) RETURN count(b) AS n";
    let text = cap_error(g.query(q).run(), 100);
    assert!(text.contains("150"), "{text}");
    // Set by the caller as well: the answer would be empty only because of the cap.
    cap_error(g.query(q).max_path_length(120).run(), 120);
    // Searched once the cap allows it.
    let r = g.query(q).max_path_length(1000).run().unwrap();
    assert_eq!(r.get(0, "n"), Some(&Value::Int(150)));
}

#[test]
fn a_cap_set_by_the_caller_is_the_answer() {
    let g = chain();
    let q = "MATCH (:N {i: 0})-[*]->(b) RETURN count(b) AS n";
    let r = g.query(q).max_path_length(50).run().unwrap();
    assert_eq!(r.get(0, "n"), Some(&Value::Int(50)));
    let r = g.query(q).max_path_length(1000).run().unwrap();
    assert_eq!(r.get(0, "n"), Some(&Value::Int(LEN - 1)));
    let r = g.query(q).max_path_length(100).run().unwrap();
    assert_eq!(r.get(0, "n"), Some(&Value::Int(100)));
    // The same statement without the option (its plan cached with the same cap) still fails.
    cap_error(g.query(q).run(), 100);
}

#[test]
fn bounded_patterns_are_unaffected() {
    let g = chain();
    assert_eq!(int(&g, "MATCH (:N {i: 0})-[*..50]->(b) RETURN count(b) AS n"), 50);
    assert_eq!(int(&g, "MATCH (:N {i: 0})-[*1..3]->(b) RETURN count(b) AS n"), 3);
    assert_eq!(int(&g, "MATCH (:N {i: 0})-[*5]->(b) RETURN b.i AS i"), 5);
    assert_eq!(
        int(&g, "MATCH (:N {i: 0})-[*..299]->(b) RETURN count(b) AS n"),
        299
    );
    assert_eq!(
        int(&g, "MATCH (:N {i: 0})-[*150..160]->(b) RETURN count(b) AS n"),
        11
    );
    assert_eq!(int(&g, "MATCH (:N {i: 0})-[*200]->(b) RETURN b.i AS i"), 200);
    // A bounded pattern ignores even a smaller cap the caller set.
    let r = g
        .query("MATCH (:N {i: 0})-[*..50]->(b) RETURN count(b) AS n")
        .max_path_length(10)
        .run()
        .unwrap();
    assert_eq!(r.get(0, "n"), Some(&Value::Int(50)));
}

#[test]
fn a_bound_list_of_relationships_longer_than_the_cap_is_followed() {
    let g = chain();
    let q = "MATCH p = (:N {i: 0})-[*150]->() WITH relationships(p) AS rs \
             MATCH (x)-[rs*]->(y) RETURN x.i * 1000 + y.i AS xy";
    assert_eq!(int(&g, q), 150);
}

/// A small pseudo-random graph: `n` nodes, some labelled `L`, `m` relationships of types `A`
/// and `B` (self-loops and parallel relationships included).
fn small_graph(seed: u64, n: usize, m: usize) -> Graph {
    let mut state = seed
        .wrapping_mul(6_364_136_223_846_793_005)
        .wrapping_add(1_442_695_040_888_963_407);
    let mut next = |bound: usize| {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((state >> 33) as usize) % bound
    };
    let mut g = Graph::new();
    let ids: Vec<NodeId> = (0..n)
        .map(|i| {
            let labels: &[&str] = if next(3) == 0 { &["N", "L"] } else { &["N"] };
            g.add_node(labels, [("i", Value::Int(i as i64))]).unwrap()
        })
        .collect();
    for _ in 0..m {
        let (a, b) = (ids[next(n)], ids[next(n)]);
        let ty = if next(4) == 0 { "B" } else { "A" };
        g.add_relationship(a, b, ty, Vec::<(&str, Value)>::new()).unwrap();
    }
    g
}

#[test]
fn pattern_predicates_without_a_cap_agree_with_bounded_searches() {
    // The unbounded forms run as a breadth-first search; the bounded ones (longer than any
    // trail of these graphs) enumerate trails depth first. Both must give the same answers,
    // cycles back to the start node included.
    let pairs = [
        ("(a)-[*]-(b)", "(a)-[*1..30]-(b)"),
        ("(a)-[*]->(b)", "(a)-[*1..30]->(b)"),
        ("(a)<-[:A*]-(b)", "(a)<-[:A*1..30]-(b)"),
        ("(a)-[*0..]-(b)", "(a)-[*0..30]-(b)"),
        ("(a)-[:B*1..]->(b)", "(a)-[:B*1..30]->(b)"),
        ("(a)-[*]-(:L)", "(a)-[*1..30]-(:L)"),
        ("(a)-[*]->(:L {i: 0})", "(a)-[*1..30]->(:L {i: 0})"),
    ];
    for seed in 0..120u64 {
        let n = 2 + (seed % 5) as usize;
        let g = small_graph(seed, n, (seed % 7) as usize + 1);
        for (fast, slow) in pairs {
            let q = |p: &str| {
                format!("MATCH (a:N), (b:N) RETURN a.i AS a, b.i AS b, exists({p}) AS e ORDER BY a, b")
            };
            let (x, y) = (g.query(&q(fast)).run().unwrap(), g.query(&q(slow)).run().unwrap());
            assert_eq!(x.rows(), y.rows(), "seed {seed}: {fast} vs {slow}");
            let w = |p: &str| format!("MATCH (a:N) WHERE {p} RETURN count(a) AS n");
            if !fast.contains("(b)") {
                let (x, y) = (g.query(&w(fast)).run().unwrap(), g.query(&w(slow)).run().unwrap());
                assert_eq!(x.rows(), y.rows(), "seed {seed}: WHERE {fast} vs {slow}");
            }
        }
    }
}

#[test]
fn a_negative_pattern_predicate_on_a_dense_graph_is_a_breadth_first_search() {
    // A complete directed graph on 12 nodes has astronomically many trails; the answer
    // "no path to an isolated node" takes one pass over its relationships.
    let mut g = Graph::new();
    let ids: Vec<NodeId> = (0..12)
        .map(|i| g.add_node(&["N"], [("i", Value::Int(i))]).unwrap())
        .collect();
    let lonely = g.add_node(&["Lonely"], [("i", Value::Int(99))]).unwrap();
    for &a in &ids {
        for &b in &ids {
            if a != b {
                g.add_relationship(a, b, "T", Vec::<(&str, Value)>::new())
                    .unwrap();
            }
        }
    }
    let _ = lonely;
    let r = g
        .query("MATCH (a:N {i: 0}), (z:Lonely) RETURN exists((a)-[*]-(z)) AS e, exists((a)-[*]->(a)) AS c")
        .max_expansions(100_000)
        .run()
        .unwrap();
    assert_eq!(r.rows(), &[vec![Value::Bool(false), Value::Bool(true)]]);
}
