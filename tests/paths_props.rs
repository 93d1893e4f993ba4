//! Property tests of shortest paths against a plain breadth-first search, on random small
//! graphs with parallel relationships, self-loops and two relationship types.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::collections::{HashSet, VecDeque};

use kgraph::{Graph, NodeId, Params, Value};
use proptest::prelude::*;

struct Case {
    graph: Graph,
    ids: Vec<NodeId>,
    /// (start index, end index, type) per relationship.
    rels: Vec<(usize, usize, &'static str)>,
}

fn build(n: usize, edges: &[(usize, usize, bool)]) -> Case {
    let mut graph = Graph::new();
    let ids: Vec<NodeId> = (0..n)
        .map(|i| graph.add_node(&["N"], [("i", i as i64)]).unwrap())
        .collect();
    let mut rels = Vec::new();
    for &(a, b, t) in edges {
        let (a, b) = (a % n, b % n);
        let ty = if t { "A" } else { "B" };
        graph
            .add_relationship(ids[a], ids[b], ty, Vec::<(&str, Value)>::new())
            .unwrap();
        rels.push((a, b, ty));
    }
    Case { graph, ids, rels }
}

/// Distance from `from` to `to` and the number of shortest paths (counted per relationship,
/// so parallel relationships give distinct paths), following `ty` (any if None).
fn bfs(case: &Case, from: usize, to: usize, directed: bool, ty: Option<&str>) -> Option<(usize, u64)> {
    let n = case.ids.len();
    let mut dist = vec![usize::MAX; n];
    let mut count = vec![0u64; n];
    dist[from] = 0;
    count[from] = 1;
    let mut q = VecDeque::from([from]);
    while let Some(u) = q.pop_front() {
        for &(a, b, t) in &case.rels {
            if ty.is_some_and(|want| want != t) || a == b {
                continue;
            }
            let next = if a == u {
                Some(b)
            } else if b == u && !directed {
                Some(a)
            } else {
                None
            };
            let Some(v) = next else { continue };
            if dist[v] == usize::MAX {
                dist[v] = dist[u] + 1;
                q.push_back(v);
            }
            if dist[v] == dist[u] + 1 {
                count[v] += count[u];
            }
        }
    }
    (dist[to] != usize::MAX).then_some((dist[to], count[to]))
}

fn edges() -> impl Strategy<Value = (usize, Vec<(usize, usize, bool)>)> {
    (2usize..8).prop_flat_map(|n| (Just(n), prop::collection::vec((0..n, 0..n, any::<bool>()), 0..16)))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn shortest_path_length_matches_bfs(
        (n, es) in edges(),
        from in 0usize..8,
        to in 0usize..8,
        directed in any::<bool>(),
        typed in any::<bool>(),
    ) {
        let case = build(n, &es);
        let (from, to) = (from % n, to % n);
        prop_assume!(from != to);
        let arrow = if directed { "->" } else { "-" };
        let ty = if typed { ":A" } else { "" };
        let text = format!(
            "MATCH (a:N {{i: $a}}), (b:N {{i: $b}}) MATCH p = shortestPath((a)-[{ty}*..10]{arrow}(b)) RETURN length(p) AS len"
        );
        let params = Params::new().with("a", from as i64).with("b", to as i64);
        let r = case.graph.query(&text).params(params.clone()).run().unwrap();
        let expected = bfs(&case, from, to, directed, typed.then_some("A"));
        match expected {
            None => prop_assert!(r.is_empty(), "{text}: expected no path, got {:?}", r.rows()),
            Some((d, _)) => {
                prop_assert_eq!(r.len(), 1);
                prop_assert_eq!(r.get(0, "len"), Some(&Value::Int(d as i64)));
            }
        }
        // The same with the optimiser off.
        let r2 = case.graph.query(&text).params(params).without_optimizer().run().unwrap();
        prop_assert_eq!(r.rows(), r2.rows());
    }

    #[test]
    fn all_shortest_paths_are_shortest_and_all_there(
        (n, es) in edges(),
        from in 0usize..8,
        to in 0usize..8,
        directed in any::<bool>(),
    ) {
        let case = build(n, &es);
        let (from, to) = (from % n, to % n);
        prop_assume!(from != to);
        let arrow = if directed { "->" } else { "-" };
        let text = format!(
            "MATCH (a:N {{i: $a}}), (b:N {{i: $b}}) MATCH p = allShortestPaths((a)-[*..10]{arrow}(b)) \
             RETURN length(p) AS len, [r IN relationships(p) | id(r)] AS rels, [x IN nodes(p) | x.i] AS nodes"
        );
        let params = Params::new().with("a", from as i64).with("b", to as i64);
        let r = case.graph.query(&text).params(params).run().unwrap();
        match bfs(&case, from, to, directed, None) {
            None => prop_assert!(r.is_empty()),
            Some((d, count)) => {
                prop_assert_eq!(r.len() as u64, count, "{}", text);
                let mut seen = HashSet::new();
                for row in r.rows() {
                    prop_assert_eq!(&row[0], &Value::Int(d as i64));
                    let Value::List(nodes) = &row[2] else { panic!("nodes not a list") };
                    prop_assert_eq!(nodes.first(), Some(&Value::Int(from as i64)));
                    prop_assert_eq!(nodes.last(), Some(&Value::Int(to as i64)));
                    prop_assert!(seen.insert(format!("{:?}", row[1])), "a path came twice");
                }
            }
        }
    }
}
