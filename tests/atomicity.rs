//! A statement that fails half-way leaves the graph exactly as it was: nodes, relationships,
//! properties, labels, ids and every index.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use kgraph::{Direction, Graph, QueryError, Value};

/// Everything observable about a graph, in a comparable form.
fn snapshot(g: &Graph) -> String {
    let mut out = Vec::new();
    for n in g.nodes() {
        let node = g.node(n).unwrap();
        let mut labels: Vec<&str> = node.labels().collect();
        labels.sort_unstable();
        let mut props: Vec<String> = node.properties().map(|(k, v)| format!("{k}={v}")).collect();
        props.sort();
        let mut rels: Vec<String> = g
            .relationships_of(n, Direction::Outgoing, None)
            .unwrap()
            .map(|r| {
                let rel = g.relationship(r).unwrap();
                let mut p: Vec<String> = rel.properties().map(|(k, v)| format!("{k}={v}")).collect();
                p.sort();
                format!("{r}:{}->{}{{{}}}", rel.rel_type(), rel.end(), p.join(","))
            })
            .collect();
        rels.sort();
        out.push(format!("{n} {labels:?} {props:?} {rels:?}"));
    }
    let mut labels = g.label_counts();
    labels.sort();
    let mut types = g.relationship_type_counts();
    types.sort();
    out.push(format!("labels {labels:?} types {types:?}"));
    for name in ["Pfizer", "Moderna", "辉瑞", "AstraZeneca", "x"] {
        out.push(format!("lookup {name} {:?}", g.lookup(name)));
    }
    for label in ["Company", "Place", "Temp", "New"] {
        let mut nodes: Vec<_> = g.nodes_with_label(label).collect();
        nodes.sort();
        out.push(format!("label {label} {nodes:?}"));
    }
    out.join("\n")
}

fn small() -> Graph {
    let mut g = Graph::new();
    g.execute(
        "CREATE (p:Company {name: 'Pfizer', name_zh: '辉瑞', n: 1}),
                (a:Company {name: 'AstraZeneca', n: 2}),
                (s:Place {name: 'Shanghai'}),
                (p)-[:LOCATED_IN {since: 2001}]->(s),
                (a)-[:LOCATED_IN]->(s)",
    )
    .run()
    .unwrap();
    g
}

fn assert_unchanged(query: &str, expect_kind: &str) {
    let mut g = small();
    let before = snapshot(&g);
    let err = g.execute(query).run().expect_err(query);
    assert_eq!(err.kind_name(), expect_kind, "{query}: {err}");
    assert_eq!(snapshot(&g), before, "{query} changed the graph");
    g.check_invariants().expect("indexes agree with storage");
    // The graph still works, and the next statement's ids are the same as on a fresh copy.
    let mut fresh = small();
    let id_after_failure = g.execute("CREATE (n:New) RETURN id(n) AS id").run().unwrap();
    let id_fresh = fresh.execute("CREATE (n:New) RETURN id(n) AS id").run().unwrap();
    assert_eq!(id_after_failure.get(0, "id"), id_fresh.get(0, "id"));
}

#[test]
fn a_type_error_in_the_third_row_undoes_the_first_two() {
    assert_unchanged(
        "UNWIND [1, 2, 'three'] AS x CREATE (:Temp {name: 'Moderna', v: x}) WITH x RETURN x * 2 AS y",
        "TypeError",
    );
}

#[test]
fn division_by_zero_after_sets_undoes_the_sets() {
    assert_unchanged(
        "MATCH (c:Company) SET c.n = c.n * 10, c.name = 'Moderna' WITH c RETURN 1 / (c.n - 20) AS boom",
        "ArithmeticError",
    );
}

#[test]
fn deleting_a_connected_node_after_other_writes_changes_nothing() {
    assert_unchanged(
        "MATCH (c:Company {name: 'Pfizer'}) SET c:Temp REMOVE c.name_zh WITH c MATCH (s:Place) DELETE s",
        "ConstraintVerificationFailed",
    );
}

#[test]
fn a_failing_merge_undoes_its_creations_and_interned_names() {
    assert_unchanged(
        "MERGE (m:Company {name: 'Moderna'})-[:NEW_TYPE {w: 1}]->(x:New) WITH m RETURN m.name + {} AS bad",
        "TypeError",
    );
}

#[test]
fn a_failed_detach_delete_restores_relationships_and_their_ids() {
    assert_unchanged(
        "MATCH (s:Place) DETACH DELETE s WITH 1 AS one RETURN toInteger([]) AS boom",
        "TypeError",
    );
}

#[test]
fn a_unique_constraint_violation_undoes_the_statement() {
    let mut g = small();
    g.create_unique_constraint("Company", "name").unwrap();
    let before = snapshot(&g);
    let err = g
        .execute("CREATE (:Company {name: 'Moderna'}) WITH 1 AS x CREATE (:Company {name: 'Pfizer'})")
        .run()
        .unwrap_err();
    assert_eq!(err.kind_name(), "ConstraintVerificationFailed");
    assert!(matches!(err, QueryError::Runtime { .. }));
    assert_eq!(snapshot(&g), before);
    assert!(g.lookup("Moderna").is_empty());
}

#[test]
fn a_successful_statement_does_change_the_graph() {
    // The guard of the tests above: the same kind of statement without the error does write.
    let mut g = small();
    let before = snapshot(&g);
    let r = g
        .execute("MATCH (c:Company) SET c.n = c.n * 10 RETURN count(*) AS n")
        .run()
        .unwrap();
    assert_eq!(r.get(0, "n"), Some(&Value::Int(2)));
    assert_ne!(snapshot(&g), before);
}
