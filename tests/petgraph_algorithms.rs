//! petgraph's algorithms run on a `Graph` and on a database's committed state without a copy,
//! and agree with the same algorithms on a plain petgraph copy built through the public API.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::collections::{BTreeSet, HashMap};

use kgraph::{Database, Direction, Graph, NodeId};
use petgraph::algo::{dijkstra, kosaraju_scc, page_rank, tarjan_scc, toposort};
use petgraph::visit::{Bfs, Dfs, EdgeRef, IntoEdgesDirected, IntoNeighborsDirected, NodeIndexable};

/// A plain petgraph copy, and the map from its indices back to the graph's ids.
fn copy(
    g: &Graph,
) -> (
    petgraph::Graph<NodeId, kgraph::RelId>,
    HashMap<NodeId, petgraph::graph::NodeIndex>,
) {
    let mut p = petgraph::Graph::new();
    let mut ix = HashMap::new();
    for n in g.nodes() {
        ix.insert(n, p.add_node(n));
    }
    for r in g.relationships() {
        let rel = g.relationship(r).unwrap();
        p.add_edge(ix[&rel.start()], ix[&rel.end()], r);
    }
    (p, ix)
}

fn components(sccs: Vec<Vec<NodeId>>) -> BTreeSet<BTreeSet<NodeId>> {
    sccs.into_iter().map(|c| c.into_iter().collect()).collect()
}

#[test]
fn algorithms_agree_with_a_plain_petgraph_copy() {
    let mut g = Graph::ecosystem().unwrap();
    // Holes in the id space: the algorithms must skip removed nodes.
    let victim = g.nodes().nth(3).unwrap();
    g.detach_remove_node(victim).unwrap();
    let (p, ix) = copy(&g);
    let back: HashMap<_, _> = ix.iter().map(|(k, v)| (*v, *k)).collect();

    let ours = components(kosaraju_scc(&g));
    let theirs = components(
        kosaraju_scc(&p)
            .into_iter()
            .map(|c| c.into_iter().map(|i| back[&i]).collect())
            .collect(),
    );
    assert_eq!(ours, theirs);
    assert_eq!(components(tarjan_scc(&g)), ours);

    let start = g.resolve("AstraZeneca").unwrap();
    let d_ours = dijkstra(&g, start, None, |_| 1u32);
    let d_theirs = dijkstra(&p, ix[&start], None, |_| 1u32);
    assert_eq!(d_ours.len(), d_theirs.len());
    for (n, d) in &d_theirs {
        assert_eq!(d_ours[&back[n]], *d);
    }
    assert!(d_ours.len() > 5, "AstraZeneca reaches several nodes");

    // petgraph's page_rank counts nodes 0..node_count, so (as on petgraph's own StableGraph)
    // it is only right on a graph with no removed node: run it on the whole dataset.
    let whole = Graph::ecosystem().unwrap();
    let (wp, wix) = copy(&whole);
    let pr_ours = page_rank(&whole, 0.85_f64, 5);
    let pr_theirs = page_rank(&wp, 0.85_f64, 5);
    for (n, i) in &wix {
        let mine = pr_ours[whole.to_index(*n)];
        let score = pr_theirs[i.index()];
        assert!((mine - score).abs() < 1e-9, "{n}: {mine} vs {score}");
    }

    let mut bfs = Bfs::new(&g, start);
    let mut seen = BTreeSet::new();
    while let Some(n) = bfs.next(&g) {
        seen.insert(n);
    }
    let mut dfs = Dfs::new(&g, start);
    let mut seen_dfs = BTreeSet::new();
    while let Some(n) = dfs.next(&g) {
        seen_dfs.insert(n);
    }
    assert_eq!(seen, d_ours.keys().copied().collect());
    assert_eq!(seen, seen_dfs);
}

#[test]
fn directed_views_match_the_graph_api() {
    let g = Graph::ecosystem().unwrap();
    for n in g.nodes().take(50) {
        let out: Vec<NodeId> = (&g)
            .neighbors_directed(n, petgraph::Direction::Outgoing)
            .collect();
        let api: Vec<NodeId> = g
            .relationships_of(n, Direction::Outgoing, None)
            .unwrap()
            .map(|r| g.relationship(r).unwrap().end())
            .collect();
        assert_eq!(out, api);
        for e in (&g).edges_directed(n, petgraph::Direction::Incoming) {
            let rel = g.relationship(e.id()).unwrap();
            assert_eq!((e.source(), e.target()), (rel.start(), rel.end()));
            assert_eq!(e.target(), n);
        }
    }
}

#[test]
fn algorithms_run_on_a_committed_state() {
    let db = Database::new();
    db.execute("CREATE (a:T {name: 'a'})-[:NEXT]->(b:T {name: 'b'})-[:NEXT]->(c:T {name: 'c'})")
        .unwrap();
    let snapshot = db.read();
    db.execute("MATCH (c:T {name: 'c'}), (a:T {name: 'a'}) CREATE (c)-[:NEXT]->(a)")
        .unwrap();
    // The snapshot is still the DAG; the new state has a cycle.
    let order = toposort(snapshot.graph(), None).unwrap();
    let names: Vec<_> = order
        .iter()
        .map(|n| {
            snapshot
                .node(*n)
                .unwrap()
                .property("name")
                .unwrap()
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(names, ["a", "b", "c"]);
    assert!(toposort(db.read().graph(), None).is_err());
    assert_eq!(kosaraju_scc(db.read().graph()).len(), 1);
}
