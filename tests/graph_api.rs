//! The public graph API: every `GraphError` variant it can produce, that a failed call changes
//! nothing, stable ids, the name index (names, Chinese names, aliases) and the counts.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::collections::{BTreeMap, BTreeSet};

use kgraph::{Direction, Graph, GraphError, NodeId, Path, RelId, Value};

/// No properties at all.
fn none() -> Vec<(&'static str, Value)> {
    Vec::new()
}

type Props = BTreeMap<String, Value>;
type NodeRow = (NodeId, BTreeSet<String>, Props);
type RelRow = (RelId, NodeId, NodeId, String, Props);

/// Everything observable about a graph through its public API (plus the lookups of `probes`).
#[derive(Debug, PartialEq)]
struct Snapshot {
    nodes: Vec<NodeRow>,
    rels: Vec<RelRow>,
    node_count: usize,
    rel_count: usize,
    label_counts: Vec<(String, usize)>,
    type_counts: Vec<(String, usize)>,
    label_members: Vec<(String, Vec<NodeId>)>,
    lookups: Vec<(String, Vec<NodeId>)>,
}

fn snapshot(g: &Graph, probes: &[&str]) -> Snapshot {
    let nodes = g
        .nodes()
        .map(|id| {
            let n = g.node(id).expect("listed node is live");
            let labels = n.labels().map(str::to_owned).collect();
            let props = n.properties().map(|(k, v)| (k.to_owned(), v.clone())).collect();
            (id, labels, props)
        })
        .collect();
    let rels = g
        .relationships()
        .map(|id| {
            let r = g.relationship(id).expect("listed relationship is live");
            let props = r.properties().map(|(k, v)| (k.to_owned(), v.clone())).collect();
            (id, r.start(), r.end(), r.rel_type().to_owned(), props)
        })
        .collect();
    let label_counts: Vec<(String, usize)> = g
        .label_counts()
        .into_iter()
        .map(|(l, n)| (l.to_owned(), n))
        .collect();
    let label_members = label_counts
        .iter()
        .map(|(l, _)| {
            let mut ids: Vec<NodeId> = g.nodes_with_label(l).collect();
            ids.sort();
            (l.clone(), ids)
        })
        .collect();
    Snapshot {
        nodes,
        rels,
        node_count: g.node_count(),
        rel_count: g.relationship_count(),
        label_counts,
        type_counts: g
            .relationship_type_counts()
            .into_iter()
            .map(|(t, n)| (t.to_owned(), n))
            .collect(),
        label_members,
        lookups: probes
            .iter()
            .map(|p| {
                let mut ids = g.lookup(p).to_vec();
                ids.sort();
                ((*p).to_owned(), ids)
            })
            .collect(),
    }
}

fn sorted<T: Ord>(items: impl IntoIterator<Item = T>) -> Vec<T> {
    let mut v: Vec<T> = items.into_iter().collect();
    v.sort();
    v
}

fn labels_of(g: &Graph, id: NodeId) -> Vec<String> {
    sorted(g.node(id).expect("live node").labels().map(str::to_owned))
}

fn prop(g: &Graph, id: NodeId, key: &str) -> Option<Value> {
    g.node(id).expect("live node").property(key).cloned()
}

fn rels_of(g: &Graph, id: NodeId, dir: Direction, ty: Option<&str>) -> Vec<RelId> {
    sorted(g.relationships_of(id, dir, ty).expect("live node"))
}

// ---------------------------------------------------------------------------------------------
// NodeNotFound
// ---------------------------------------------------------------------------------------------

#[test]
fn node_not_found_for_removed_and_never_existing_ids() {
    let mut g = Graph::new();
    let gone = g.add_node(&["Company"], [("name", "Gone")]).unwrap();
    let b = g.add_node(&["Company"], [("name", "Stays")]).unwrap();
    g.remove_node(gone).unwrap();
    let never = NodeId::from_index(9_999);
    let probes = ["Gone", "Stays"];
    let before = snapshot(&g, &probes);
    assert_eq!(before.node_count, 1);

    for id in [gone, never] {
        let nf = GraphError::NodeNotFound { id };
        assert!(!g.contains_node(id));
        assert_eq!(g.node(id).err(), Some(nf.clone()), "node({id})");
        assert_eq!(
            g.set_node_property(id, "k", 1).err(),
            Some(nf.clone()),
            "set_node_property"
        );
        assert_eq!(g.remove_node_property(id, "name").err(), Some(nf.clone()));
        assert_eq!(g.add_label(id, "Company").err(), Some(nf.clone()), "add_label");
        assert_eq!(
            g.add_label(id, "BrandNew").err(),
            Some(nf.clone()),
            "add_label new label"
        );
        assert_eq!(g.remove_label(id, "Company").err(), Some(nf.clone()));
        assert_eq!(g.remove_node(id).err(), Some(nf.clone()), "remove_node");
        assert_eq!(
            g.detach_remove_node(id).err(),
            Some(nf.clone()),
            "detach_remove_node"
        );
        for dir in [Direction::Outgoing, Direction::Incoming, Direction::Both] {
            assert_eq!(
                g.relationships_of(id, dir, None).err(),
                Some(nf.clone()),
                "relationships_of"
            );
            assert_eq!(g.relationships_of(id, dir, Some("T")).err(), Some(nf.clone()));
        }
        assert_eq!(
            g.add_relationship(id, b, "T", none()).err(),
            Some(nf.clone()),
            "as start"
        );
        assert_eq!(
            g.add_relationship(b, id, "T", none()).err(),
            Some(nf.clone()),
            "as end"
        );
        assert_eq!(
            g.add_relationship(id, id, "T", [("w", 1)]).err(),
            Some(nf.clone()),
            "self-loop"
        );
    }

    assert_eq!(snapshot(&g, &probes), before, "failed calls changed the graph");
    assert_eq!(g.nodes_with_label("BrandNew").count(), 0);
    assert_eq!(g.relationship_count(), 0);
    assert_eq!(g.relationship_type_counts(), vec![]);
    g.check_invariants().unwrap();
}

#[test]
fn node_not_found_after_detach_remove_of_a_node_with_relationships() {
    let mut g = Graph::new();
    let a = g.add_node(&["A"], [("name", "a")]).unwrap();
    let b = g.add_node(&["A"], [("name", "b")]).unwrap();
    let r = g.add_relationship(a, b, "T", [("w", 1)]).unwrap();
    assert_eq!(g.detach_remove_node(a).unwrap(), 1);
    assert_eq!(g.node(a).err(), Some(GraphError::NodeNotFound { id: a }));
    assert_eq!(
        g.relationships_of(a, Direction::Both, None).err(),
        Some(GraphError::NodeNotFound { id: a })
    );
    assert_eq!(
        g.relationship(r).err(),
        Some(GraphError::RelationshipNotFound { id: r })
    );
    assert_eq!(rels_of(&g, b, Direction::Both, None), vec![]);
    g.check_invariants().unwrap();
}

// ---------------------------------------------------------------------------------------------
// RelationshipNotFound
// ---------------------------------------------------------------------------------------------

#[test]
fn relationship_not_found_for_removed_and_never_existing_ids() {
    let mut g = Graph::new();
    let a = g.add_node(&["A"], [("name", "a")]).unwrap();
    let b = g.add_node(&["A"], [("name", "b")]).unwrap();
    let gone = g.add_relationship(a, b, "T", [("w", 1)]).unwrap();
    let kept = g.add_relationship(b, a, "T", [("w", 2)]).unwrap();
    g.remove_relationship(gone).unwrap();
    let never = RelId::from_index(4_242);
    let before = snapshot(&g, &["a", "b"]);

    for id in [gone, never] {
        let nf = GraphError::RelationshipNotFound { id };
        assert!(!g.contains_relationship(id));
        assert_eq!(g.relationship(id).err(), Some(nf.clone()), "relationship({id})");
        assert_eq!(
            g.remove_relationship(id).err(),
            Some(nf.clone()),
            "remove_relationship"
        );
        assert_eq!(g.set_relationship_property(id, "w", 5).err(), Some(nf.clone()));
        assert_eq!(
            g.set_relationship_property(id, "w", Value::Null).err(),
            Some(nf.clone())
        );
        assert_eq!(g.remove_relationship_property(id, "w").err(), Some(nf.clone()));
    }

    assert_eq!(snapshot(&g, &["a", "b"]), before);
    assert_eq!(g.relationship(kept).unwrap().property("w"), Some(&Value::Int(2)));
    assert_eq!(rels_of(&g, a, Direction::Both, None), vec![kept]);
    g.check_invariants().unwrap();
}

// ---------------------------------------------------------------------------------------------
// NodeHasRelationships
// ---------------------------------------------------------------------------------------------

#[test]
fn remove_node_with_relationships_fails_and_changes_nothing() {
    let mut g = Graph::new();
    let a = g
        .add_node(
            &["Company", "Listed"],
            [("name", Value::from("Pfizer")), ("aliases", vec!["辉瑞"].into())],
        )
        .unwrap();
    let b = g.add_node(&["Place"], [("name", "New York")]).unwrap();
    let c = g.add_node(&["Person"], [("name", "Albert Bourla")]).unwrap();
    let out = g.add_relationship(a, b, "LOCATED_IN", [("since", 1849)]).unwrap();
    let self_loop = g.add_relationship(a, a, "OWNS", none()).unwrap();
    let inc = g.add_relationship(c, a, "WORKS_FOR", none()).unwrap();
    let probes = ["Pfizer", "辉瑞", "New York", "Albert Bourla"];
    let before = snapshot(&g, &probes);

    // Three distinct relationships; the self-loop counts once.
    assert_eq!(
        g.remove_node(a),
        Err(GraphError::NodeHasRelationships { id: a, count: 3 })
    );
    assert_eq!(
        g.remove_node(b),
        Err(GraphError::NodeHasRelationships { id: b, count: 1 })
    );
    assert_eq!(
        snapshot(&g, &probes),
        before,
        "a refused remove_node changed the graph"
    );
    assert_eq!((g.node_count(), g.relationship_count()), (3, 3));
    assert_eq!(g.resolve("辉瑞"), Ok(a));
    assert_eq!(sorted(g.nodes_with_label("Listed")), vec![a]);
    assert_eq!(
        rels_of(&g, a, Direction::Both, None),
        sorted([out, self_loop, inc])
    );
    g.check_invariants().unwrap();

    // Once the relationships are gone, the same call succeeds.
    g.remove_relationship(out).unwrap();
    g.remove_relationship(inc).unwrap();
    assert_eq!(
        g.remove_node(a),
        Err(GraphError::NodeHasRelationships { id: a, count: 1 })
    );
    g.remove_relationship(self_loop).unwrap();
    assert_eq!(g.remove_node(a), Ok(()));
    assert_eq!((g.node_count(), g.relationship_count()), (2, 0));
    assert_eq!(g.lookup("Pfizer"), &[] as &[NodeId]);
    assert_eq!(g.nodes_with_label("Listed").count(), 0);
    g.check_invariants().unwrap();
}

#[test]
fn detach_remove_counts_a_self_loop_once() {
    let mut g = Graph::new();
    let a = g.add_node(&["A"], [("name", "a")]).unwrap();
    let b = g.add_node(&["A"], [("name", "b")]).unwrap();
    g.add_relationship(a, a, "LOOP", none()).unwrap();
    g.add_relationship(a, b, "T", none()).unwrap();
    let kept = g.add_relationship(b, b, "LOOP", none()).unwrap();
    assert_eq!(g.detach_remove_node(a), Ok(2));
    assert_eq!((g.node_count(), g.relationship_count()), (1, 1));
    assert_eq!(sorted(g.relationships()), vec![kept]);
    assert_eq!(g.relationship_type_counts(), vec![("LOOP", 1)]);
    g.check_invariants().unwrap();
}

// ---------------------------------------------------------------------------------------------
// EmptyName
// ---------------------------------------------------------------------------------------------

#[test]
fn empty_label_type_and_key_are_refused() {
    let mut g = Graph::new();
    let a = g.add_node(&["A"], [("name", "a")]).unwrap();
    let r = g.add_relationship(a, a, "T", [("w", 1)]).unwrap();
    let probes = ["a", "x"];
    let before = snapshot(&g, &probes);
    let label = Some(GraphError::EmptyName { what: "label" });
    let rel_type = Some(GraphError::EmptyName {
        what: "relationship type",
    });
    let key = Some(GraphError::EmptyName { what: "property key" });

    assert_eq!(g.add_node(&[""], [("name", "x")]).err(), label);
    assert_eq!(g.add_node(&["A", ""], [("name", "x")]).err(), label);
    assert_eq!(g.add_node(&["A"], [("name", "x"), ("", "v")]).err(), key);
    assert_eq!(g.add_label(a, "").err(), label);
    assert_eq!(g.add_relationship(a, a, "", none()).err(), rel_type);
    assert_eq!(g.add_relationship(a, a, "T", [("", 1)]).err(), key);
    assert_eq!(g.set_node_property(a, "", 1).err(), key);
    assert_eq!(g.set_relationship_property(r, "", 1).err(), key);
    assert_eq!(g.create_unique_constraint("", "name").err(), label);
    assert_eq!(g.create_unique_constraint("A", "").err(), key);

    assert_eq!(snapshot(&g, &probes), before, "a refused call changed the graph");
    assert_eq!((g.node_count(), g.relationship_count()), (1, 1));
    assert_eq!(g.relationship_type_counts(), vec![("T", 1)]);
    g.check_invariants().unwrap();
    // The refused constraint was not installed: a duplicate is still accepted.
    g.add_node(&["A"], [("name", "a")]).unwrap();
}

// ---------------------------------------------------------------------------------------------
// InvalidPropertyValue
// ---------------------------------------------------------------------------------------------

#[test]
fn nodes_relationships_and_paths_cannot_be_property_values() {
    let mut g = Graph::new();
    let a = g.add_node(&["A"], [("name", "a")]).unwrap();
    let r = g.add_relationship(a, a, "T", [("w", 1)]).unwrap();
    let probes = ["a"];
    let before = snapshot(&g, &probes);

    let refused: Vec<(Value, &str)> = vec![
        (Value::Node(a), "Node"),
        (Value::Relationship(r), "Relationship"),
        (Value::Path(Path::single(a)), "Path"),
        (Value::List(vec![Value::from("ok"), Value::Node(a)]), "List"),
        (
            Value::List(vec![Value::List(vec![Value::Path(Path::single(a))])]),
            "List",
        ),
    ];
    for (value, type_name) in refused {
        let err = |key: &str| {
            Some(GraphError::InvalidPropertyValue {
                key: key.to_owned(),
                type_name,
            })
        };
        assert_eq!(
            g.add_node(&["A"], [("p", value.clone())]).err(),
            err("p"),
            "{value:?}"
        );
        assert_eq!(
            g.add_node(&["A"], [("aliases", value.clone())]).err(),
            err("aliases")
        );
        assert_eq!(g.set_node_property(a, "p", value.clone()).err(), err("p"));
        assert_eq!(g.set_node_property(a, "name", value.clone()).err(), err("name"));
        assert_eq!(
            g.add_relationship(a, a, "T", [("q", value.clone())]).err(),
            err("q")
        );
        assert_eq!(g.set_relationship_property(r, "w", value.clone()).err(), err("w"));
    }

    assert_eq!(snapshot(&g, &probes), before, "a refused value changed the graph");
    assert_eq!(prop(&g, a, "name"), Some(Value::from("a")));
    assert_eq!(g.relationship(r).unwrap().property("w"), Some(&Value::Int(1)));
    g.check_invariants().unwrap();
}

// ---------------------------------------------------------------------------------------------
// ConstraintViolation
// ---------------------------------------------------------------------------------------------

fn violation(label: &str, key: &str, value: &str, existing: NodeId) -> GraphError {
    GraphError::ConstraintViolation {
        label: label.to_owned(),
        key: key.to_owned(),
        value: value.to_owned(),
        existing,
    }
}

#[test]
fn constraint_violation_from_add_node() {
    let mut g = Graph::new();
    g.create_unique_constraint("Company", "name").unwrap();
    let a = g.add_node(&["Company"], [("name", "Pfizer")]).unwrap();
    let probes = ["Pfizer"];
    let before = snapshot(&g, &probes);

    assert_eq!(
        g.add_node(&["Company"], [("name", "Pfizer")]).err(),
        Some(violation("Company", "name", "'Pfizer'", a))
    );
    assert_eq!(
        g.add_node(
            &["Listed", "Company"],
            [("name", Value::from("Pfizer")), ("k", 1.into())]
        )
        .err(),
        Some(violation("Company", "name", "'Pfizer'", a))
    );
    assert_eq!(
        snapshot(&g, &probes),
        before,
        "a refused add_node changed the graph"
    );
    assert_eq!(g.node_count(), 1);
    assert_eq!(g.lookup("Pfizer"), &[a]);
    assert_eq!(g.nodes_with_label("Listed").count(), 0);
    g.check_invariants().unwrap();

    // Other labels, other values, and a missing key are not constrained.
    let p = g.add_node(&["Person"], [("name", "Pfizer")]).unwrap();
    let b = g.add_node(&["Company"], [("name", "pfizer")]).unwrap();
    let c = g.add_node(&["Company"], [("k", 1)]).unwrap();
    let d = g.add_node(&["Company"], [("k", 2)]).unwrap();
    assert_eq!(sorted(g.nodes_with_label("Company")), sorted([a, b, c, d]));
    assert_eq!(sorted(g.lookup("Pfizer").to_vec()), sorted([a, p, b]));
    g.check_invariants().unwrap();
}

#[test]
fn constraint_violation_from_set_node_property() {
    let mut g = Graph::new();
    g.create_unique_constraint("Company", "name").unwrap();
    let a = g.add_node(&["Company"], [("name", "Pfizer")]).unwrap();
    let b = g.add_node(&["Company"], [("name", "Roche")]).unwrap();
    let probes = ["Pfizer", "Roche"];
    let before = snapshot(&g, &probes);

    assert_eq!(
        g.set_node_property(b, "name", "Pfizer").err(),
        Some(violation("Company", "name", "'Pfizer'", a))
    );
    assert_eq!(
        snapshot(&g, &probes),
        before,
        "a refused set_node_property changed the graph"
    );
    assert_eq!(prop(&g, b, "name"), Some(Value::from("Roche")));
    assert_eq!(g.lookup("Roche"), &[b]);
    assert_eq!(g.lookup("Pfizer"), &[a]);
    g.check_invariants().unwrap();

    // Setting a node's own value again is not a violation.
    assert_eq!(
        g.set_node_property(a, "name", "Pfizer"),
        Ok(Some(Value::from("Pfizer")))
    );
    // Once the owner lets the value go, another node may take it.
    assert_eq!(
        g.set_node_property(a, "name", "Pfizer Inc"),
        Ok(Some(Value::from("Pfizer")))
    );
    assert_eq!(
        g.set_node_property(b, "name", "Pfizer"),
        Ok(Some(Value::from("Roche")))
    );
    assert_eq!(
        g.set_node_property(a, "name", "Pfizer").err(),
        Some(violation("Company", "name", "'Pfizer'", b))
    );
    assert_eq!(g.resolve("Pfizer"), Ok(b));
    assert_eq!(g.resolve("Pfizer Inc"), Ok(a));
    assert!(matches!(g.resolve("Roche"), Err(GraphError::NameNotFound { .. })));
    g.check_invariants().unwrap();
}

#[test]
fn constraint_violation_from_add_label() {
    let mut g = Graph::new();
    g.create_unique_constraint("Company", "name").unwrap();
    let a = g.add_node(&["Company"], [("name", "Pfizer")]).unwrap();
    let b = g.add_node(&["Person"], [("name", "Pfizer")]).unwrap();
    let probes = ["Pfizer"];
    let before = snapshot(&g, &probes);

    assert_eq!(
        g.add_label(b, "Company").err(),
        Some(violation("Company", "name", "'Pfizer'", a))
    );
    assert_eq!(
        snapshot(&g, &probes),
        before,
        "a refused add_label changed the graph"
    );
    assert_eq!(labels_of(&g, b), vec!["Person"]);
    assert!(!g.node(b).unwrap().has_label("Company"));
    assert_eq!(sorted(g.nodes_with_label("Company")), vec![a]);
    assert_eq!(g.label_counts(), vec![("Company", 1), ("Person", 1)]);
    g.check_invariants().unwrap();

    // When the first owner loses the label, the value is free again.
    assert_eq!(g.remove_label(a, "Company"), Ok(true));
    assert_eq!(g.add_label(b, "Company"), Ok(true));
    assert_eq!(
        g.add_label(a, "Company").err(),
        Some(violation("Company", "name", "'Pfizer'", b))
    );
    assert_eq!(sorted(g.nodes_with_label("Company")), vec![b]);
    g.check_invariants().unwrap();
}

#[test]
fn create_unique_constraint_on_violating_data_fails_and_installs_nothing() {
    let mut g = Graph::new();
    let a = g.add_node(&["Company"], [("name", "Pfizer")]).unwrap();
    let b = g.add_node(&["Company"], [("name", "Pfizer")]).unwrap();
    let probes = ["Pfizer"];
    let before = snapshot(&g, &probes);

    match g.create_unique_constraint("Company", "name") {
        Err(GraphError::ConstraintViolation {
            label,
            key,
            value,
            existing,
        }) => {
            assert_eq!(
                (label.as_str(), key.as_str(), value.as_str()),
                ("Company", "name", "'Pfizer'")
            );
            assert!(existing == a || existing == b, "existing {existing}");
        }
        other => panic!("expected a constraint violation, got {other:?}"),
    }
    assert_eq!(
        snapshot(&g, &probes),
        before,
        "a refused constraint changed the graph"
    );
    g.check_invariants().unwrap();

    // No constraint was installed: a third duplicate goes in, and so does a clash via set/add_label.
    let c = g.add_node(&["Company"], [("name", "Pfizer")]).unwrap();
    let d = g.add_node(&["Company"], [("name", "Roche")]).unwrap();
    g.set_node_property(d, "name", "Pfizer").unwrap();
    let e = g.add_node(&["Person"], [("name", "Pfizer")]).unwrap();
    assert_eq!(g.add_label(e, "Company"), Ok(true));
    assert_eq!(sorted(g.lookup("Pfizer").to_vec()), sorted([a, b, c, d, e]));

    // A constraint that holds is accepted, and then enforced.
    g.create_unique_constraint("Company", "ticker").unwrap();
    g.set_node_property(a, "ticker", "PFE").unwrap();
    assert_eq!(
        g.set_node_property(b, "ticker", "PFE").err(),
        Some(violation("Company", "ticker", "'PFE'", a))
    );
    g.check_invariants().unwrap();
}

// ---------------------------------------------------------------------------------------------
// NameNotFound, AmbiguousName
// ---------------------------------------------------------------------------------------------

#[test]
fn name_not_found() {
    let mut g = Graph::new();
    assert_eq!(
        g.resolve("Roche"),
        Err(GraphError::NameNotFound {
            name: "Roche".to_owned()
        })
    );
    let a = g
        .add_node(&["Company"], [("name", "Pfizer"), ("ticker", "PFE")])
        .unwrap();
    assert_eq!(g.resolve("Pfizer"), Ok(a));
    // Only name, name_zh and aliases are names: another string property is not.
    assert_eq!(
        g.resolve("PFE"),
        Err(GraphError::NameNotFound {
            name: "PFE".to_owned()
        })
    );
    assert_eq!(
        g.resolve(""),
        Err(GraphError::NameNotFound { name: String::new() })
    );
    assert_eq!(
        g.resolve("  "),
        Err(GraphError::NameNotFound {
            name: "  ".to_owned()
        })
    );
}

#[test]
fn ambiguous_name_lists_every_candidate_with_its_name() {
    let mut g = Graph::new();
    let a = g.add_node(&["Company"], [("name", "Pfizer")]).unwrap();
    let b = g.add_node(&["Person"], [("name", "PFIZER")]).unwrap();
    let c = g
        .add_node(&["Drug"], [("aliases", vec!["pfizer", "other"])])
        .unwrap();
    let d = g
        .add_node(
            &["Company"],
            [
                ("name", Value::from("辉瑞中国")),
                ("name_zh", "Ｐｆｉｚｅｒ".into()),
            ],
        )
        .unwrap();
    let _unrelated = g.add_node(&["Company"], [("name", "Roche")]).unwrap();

    match g.resolve("Ｐｆｉｚｅｒ") {
        Err(GraphError::AmbiguousName { name, candidates }) => {
            assert_eq!(name, "Ｐｆｉｚｅｒ");
            assert_eq!(
                sorted(candidates),
                sorted([
                    (a, "Pfizer".to_owned()),
                    (b, "PFIZER".to_owned()),
                    (c, String::new()),
                    (d, "辉瑞中国".to_owned()),
                ])
            );
        }
        other => panic!("expected AmbiguousName, got {other:?}"),
    }
    let message = g.resolve("pfizer").unwrap_err().to_string();
    assert!(message.contains("4 nodes"), "{message}");
    assert_eq!(g.resolve("other"), Ok(c));
    assert_eq!(g.resolve("辉瑞 中国"), Ok(d));
}

// ---------------------------------------------------------------------------------------------
// Ids, the name index
// ---------------------------------------------------------------------------------------------

#[test]
fn ids_stay_valid_after_other_removals() {
    let mut g = Graph::new();
    let ids: Vec<NodeId> = (0..6)
        .map(|i| {
            g.add_node(
                &["N"],
                [("name", Value::from(format!("n{i}"))), ("i", Value::Int(i))],
            )
        })
        .collect::<Result<_, _>>()
        .unwrap();
    let mut rels = Vec::new();
    for w in ids.windows(2) {
        let r = g
            .add_relationship(w[0], w[1], "NEXT", [("from", i64::from(w[0].index()))])
            .unwrap();
        rels.push((r, w[0], w[1]));
    }
    // Remove a node in the middle with its relationships, an end node and one relationship.
    assert_eq!(g.detach_remove_node(ids[2]), Ok(2));
    g.remove_relationship(rels[4].0).unwrap();
    g.remove_node(ids[5]).unwrap();

    for (i, id) in ids.iter().enumerate() {
        if i == 2 || i == 5 {
            assert!(!g.contains_node(*id));
            continue;
        }
        assert_eq!(prop(&g, *id, "i"), Some(Value::Int(i as i64)), "node {id}");
        assert_eq!(g.resolve(&format!("n{i}")), Ok(*id));
    }
    for (k, (r, start, end)) in rels.iter().enumerate() {
        if k == 1 || k == 2 || k == 4 {
            assert!(!g.contains_relationship(*r), "relationship {r} should be gone");
            continue;
        }
        let rel = g.relationship(*r).unwrap();
        assert_eq!((rel.start(), rel.end(), rel.rel_type()), (*start, *end, "NEXT"));
        assert_eq!(rel.property("from"), Some(&Value::Int(i64::from(start.index()))));
    }

    // New items get ids distinct from every live one, and the old ids keep their items.
    let live: BTreeSet<NodeId> = g.nodes().collect();
    let fresh = g.add_node(&["N"], [("name", "fresh")]).unwrap();
    assert!(!live.contains(&fresh));
    let live_rels: BTreeSet<RelId> = g.relationships().collect();
    let fresh_rel = g.add_relationship(ids[0], fresh, "NEW", none()).unwrap();
    assert!(!live_rels.contains(&fresh_rel));
    assert_eq!(prop(&g, ids[3], "i"), Some(Value::Int(3)));
    assert_eq!(g.relationship(rels[3].0).unwrap().start(), ids[3]);
    assert_eq!(g.node_count(), 5);
    assert_eq!(g.relationship_count(), 3);
    g.check_invariants().unwrap();
}

#[test]
fn removing_a_node_frees_its_names() {
    let mut g = Graph::new();
    let a = g
        .add_node(
            &["Company"],
            [
                ("name", Value::from("Pfizer")),
                ("name_zh", Value::from("辉瑞")),
                ("aliases", vec!["Pfizer Inc", "辉瑞制药"].into()),
            ],
        )
        .unwrap();
    let b = g.add_node(&["Person"], [("name", "pfizer")]).unwrap();
    assert_eq!(sorted(g.lookup("Pfizer").to_vec()), sorted([a, b]));

    g.remove_node(a).unwrap();
    for name in ["辉瑞", "Pfizer Inc", "pfizerinc", "辉瑞制药"] {
        assert_eq!(g.lookup(name), &[] as &[NodeId], "{name}");
        assert_eq!(
            g.resolve(name),
            Err(GraphError::NameNotFound {
                name: name.to_owned()
            })
        );
    }
    // The name it shared stays with the other node only.
    assert_eq!(g.lookup("Pfizer"), &[b]);
    assert_eq!(g.resolve("ＰＦＩＺＥＲ"), Ok(b));
    g.check_invariants().unwrap();

    g.detach_remove_node(b).unwrap();
    assert_eq!(g.lookup("Pfizer"), &[] as &[NodeId]);
    g.check_invariants().unwrap();
}

#[test]
fn aliases_list_entries_resolve_and_replacing_the_list_drops_the_old_ones() {
    let mut g = Graph::new();
    let a = g.add_node(&["Company"], [("name", "Pfizer")]).unwrap();
    let old = g
        .set_node_property(a, "aliases", vec!["Pfizer Inc.", "辉瑞", "Wyeth"])
        .unwrap();
    assert_eq!(old, None);
    for alias in ["Pfizer Inc.", "pfizer inc.", "辉瑞", "WYETH", "Pfizer"] {
        assert_eq!(g.resolve(alias), Ok(a), "{alias}");
    }
    g.check_invariants().unwrap();

    let old = g
        .set_node_property(a, "aliases", vec!["Upjohn", "Wyeth"])
        .unwrap();
    assert_eq!(old, Some(Value::from(vec!["Pfizer Inc.", "辉瑞", "Wyeth"])));
    for gone in ["Pfizer Inc.", "辉瑞"] {
        assert_eq!(g.lookup(gone), &[] as &[NodeId], "{gone} still resolves");
    }
    assert_eq!(g.resolve("Upjohn"), Ok(a));
    assert_eq!(g.resolve("Wyeth"), Ok(a));
    assert_eq!(g.resolve("Pfizer"), Ok(a), "the name survives an alias change");
    g.check_invariants().unwrap();

    // Non-string entries are ignored; a single string works too; Null removes them all.
    g.set_node_property(a, "aliases", Value::List(vec![Value::Int(1), Value::from("PFE")]))
        .unwrap();
    assert_eq!(g.resolve("PFE"), Ok(a));
    assert_eq!(g.lookup("Upjohn"), &[] as &[NodeId]);
    assert_eq!(g.lookup("1"), &[] as &[NodeId]);
    g.set_node_property(a, "aliases", "Pfizer Pharma").unwrap();
    assert_eq!(g.resolve("pfizerpharma"), Ok(a));
    assert_eq!(g.lookup("PFE"), &[] as &[NodeId]);
    g.set_node_property(a, "aliases", Value::Null).unwrap();
    assert_eq!(g.lookup("Pfizer Pharma"), &[] as &[NodeId]);
    assert_eq!(g.resolve("Pfizer"), Ok(a));
    g.check_invariants().unwrap();

    // An alias equal to the node's own name keeps the name when the alias goes.
    g.set_node_property(a, "aliases", vec!["PFIZER"]).unwrap();
    assert_eq!(g.lookup("pfizer"), &[a]);
    g.remove_node_property(a, "aliases").unwrap();
    assert_eq!(g.lookup("pfizer"), &[a]);
    g.check_invariants().unwrap();
}

#[test]
fn a_name_equal_to_another_nodes_alias_makes_resolve_ambiguous() {
    let mut g = Graph::new();
    let a = g
        .add_node(
            &["Company"],
            [("name", Value::from("Pfizer")), ("aliases", vec!["Wyeth"].into())],
        )
        .unwrap();
    assert_eq!(g.resolve("Wyeth"), Ok(a));
    let b = g.add_node(&["Company"], [("name", "wyeth")]).unwrap();
    match g.resolve("Wyeth") {
        Err(GraphError::AmbiguousName { name, candidates }) => {
            assert_eq!(name, "Wyeth");
            assert_eq!(
                sorted(candidates),
                sorted([(a, "Pfizer".to_owned()), (b, "wyeth".to_owned())])
            );
        }
        other => panic!("expected AmbiguousName, got {other:?}"),
    }
    g.remove_node_property(a, "aliases").unwrap();
    assert_eq!(g.resolve("Wyeth"), Ok(b));
    // The same through name_zh.
    g.set_node_property(a, "name_zh", "WYETH").unwrap();
    assert!(
        matches!(g.resolve("wyeth"), Err(GraphError::AmbiguousName { candidates, .. }) if candidates.len() == 2)
    );
    g.check_invariants().unwrap();
}

// ---------------------------------------------------------------------------------------------
// Relationships
// ---------------------------------------------------------------------------------------------

#[test]
fn a_self_loop_is_listed_once_under_both() {
    let mut g = Graph::new();
    let a = g.add_node(&["A"], [("name", "a")]).unwrap();
    let b = g.add_node(&["A"], [("name", "b")]).unwrap();
    let lp = g.add_relationship(a, a, "LOOP", [("w", 1)]).unwrap();
    let ab = g.add_relationship(a, b, "T", none()).unwrap();
    let ba = g.add_relationship(b, a, "T", none()).unwrap();

    let both: Vec<RelId> = g.relationships_of(a, Direction::Both, None).unwrap().collect();
    assert_eq!(both.len(), 3, "{both:?}");
    assert_eq!(sorted(both), sorted([lp, ab, ba]));
    assert_eq!(rels_of(&g, a, Direction::Outgoing, None), sorted([lp, ab]));
    assert_eq!(rels_of(&g, a, Direction::Incoming, None), sorted([lp, ba]));
    assert_eq!(rels_of(&g, a, Direction::Both, Some("LOOP")), vec![lp]);
    assert_eq!(rels_of(&g, a, Direction::Outgoing, Some("LOOP")), vec![lp]);
    assert_eq!(rels_of(&g, a, Direction::Incoming, Some("LOOP")), vec![lp]);
    assert_eq!(rels_of(&g, b, Direction::Both, Some("LOOP")), vec![]);
    assert_eq!(rels_of(&g, b, Direction::Both, None), sorted([ab, ba]));
    let rel = g.relationship(lp).unwrap();
    assert_eq!((rel.start(), rel.end(), rel.rel_type()), (a, a, "LOOP"));
}

#[test]
fn relationships_of_with_a_type_never_used_returns_nothing() {
    let mut g = Graph::new();
    let a = g.add_node(&["A"], [("name", "a")]).unwrap();
    let b = g.add_node(&["A"], [("name", "b")]).unwrap();
    let c = g.add_node(&["A"], [("name", "c")]).unwrap();
    let ab = g.add_relationship(a, b, "T", none()).unwrap();
    g.add_relationship(a, a, "LOOP", none()).unwrap();
    let gone = g.add_relationship(b, c, "GONE", none()).unwrap();
    g.remove_relationship(gone).unwrap();

    for dir in [Direction::Outgoing, Direction::Incoming, Direction::Both] {
        for n in [a, b, c] {
            assert_eq!(rels_of(&g, n, dir, Some("NEVER")), vec![], "{n} {dir:?}");
            assert_eq!(rels_of(&g, n, dir, Some("")), vec![], "{n} {dir:?} empty type");
            assert_eq!(rels_of(&g, n, dir, Some("t")), vec![], "types are case-sensitive");
            // A type that exists no longer.
            assert_eq!(rels_of(&g, n, dir, Some("GONE")), vec![], "{n} {dir:?}");
        }
        // A type used elsewhere but not at this node.
        assert_eq!(rels_of(&g, c, dir, Some("T")), vec![]);
    }
    assert_eq!(rels_of(&g, a, Direction::Outgoing, Some("T")), vec![ab]);
    assert_eq!(rels_of(&g, b, Direction::Incoming, Some("T")), vec![ab]);
    assert_eq!(rels_of(&g, b, Direction::Outgoing, Some("T")), vec![]);
}

// ---------------------------------------------------------------------------------------------
// Properties, counts
// ---------------------------------------------------------------------------------------------

#[test]
fn null_properties_are_removed_or_skipped() {
    let mut g = Graph::new();
    let a = g
        .add_node(
            &["A"],
            [
                ("name", Value::from("a")),
                ("gone", Value::Null),
                ("k", Value::Int(1)),
            ],
        )
        .unwrap();
    let node = g.node(a).unwrap();
    assert_eq!(node.property("gone"), None);
    assert_eq!(
        sorted(node.properties().map(|(k, v)| (k.to_owned(), v.to_string()))),
        vec![
            ("k".to_owned(), "1".to_owned()),
            ("name".to_owned(), "'a'".to_owned())
        ]
    );

    assert_eq!(g.set_node_property(a, "k", Value::Null), Ok(Some(Value::Int(1))));
    assert_eq!(prop(&g, a, "k"), None);
    assert_eq!(g.node(a).unwrap().properties().count(), 1);
    assert_eq!(g.set_node_property(a, "k", Value::Null), Ok(None));
    assert_eq!(g.set_node_property(a, "never_set", Value::Null), Ok(None));
    assert_eq!(g.node(a).unwrap().properties().count(), 1);

    // A name set to Null leaves the name index too.
    assert_eq!(
        g.set_node_property(a, "name", Value::Null),
        Ok(Some(Value::from("a")))
    );
    assert_eq!(g.lookup("a"), &[] as &[NodeId]);
    assert_eq!(g.node(a).unwrap().properties().count(), 0);
    g.check_invariants().unwrap();

    let r = g
        .add_relationship(a, a, "T", [("w", Value::Int(2)), ("x", Value::Null)])
        .unwrap();
    assert_eq!(g.relationship(r).unwrap().properties().count(), 1);
    assert_eq!(g.relationship(r).unwrap().property("x"), None);
    assert_eq!(
        g.set_relationship_property(r, "w", Value::Null),
        Ok(Some(Value::Int(2)))
    );
    assert_eq!(g.relationship(r).unwrap().property("w"), None);
    assert_eq!(g.relationship(r).unwrap().properties().count(), 0);
    assert_eq!(g.remove_relationship_property(r, "w"), Ok(None));
    assert_eq!(g.remove_node_property(a, "name"), Ok(None));
}

#[test]
fn label_and_type_counts_after_removals() {
    let mut g = Graph::new();
    let a = g.add_node(&["Company", "Listed"], [("name", "a")]).unwrap();
    let b = g.add_node(&["Company"], [("name", "b")]).unwrap();
    let c = g.add_node(&["Place"], [("name", "c")]).unwrap();
    let d = g.add_node(&["Person", "Company"], [("name", "d")]).unwrap();
    let ab = g.add_relationship(a, b, "PARTNERS", none()).unwrap();
    g.add_relationship(a, c, "LOCATED_IN", none()).unwrap();
    g.add_relationship(b, c, "LOCATED_IN", none()).unwrap();
    g.add_relationship(d, a, "WORKS_FOR", none()).unwrap();
    assert_eq!(
        g.label_counts(),
        vec![("Company", 3), ("Listed", 1), ("Place", 1), ("Person", 1)]
    );
    assert_eq!(
        g.relationship_type_counts(),
        vec![("PARTNERS", 1), ("LOCATED_IN", 2), ("WORKS_FOR", 1)]
    );

    // Removing a relationship, a node with its relationships, and a label.
    g.remove_relationship(ab).unwrap();
    assert_eq!(g.detach_remove_node(a), Ok(2));
    assert_eq!(g.remove_label(d, "Company"), Ok(true));
    assert_eq!(
        g.label_counts(),
        vec![("Company", 1), ("Place", 1), ("Person", 1)]
    );
    assert_eq!(g.relationship_type_counts(), vec![("LOCATED_IN", 1)]);
    assert_eq!(sorted(g.nodes_with_label("Company")), vec![b]);
    assert_eq!(g.nodes_with_label("Listed").count(), 0);
    assert_eq!(sorted(g.nodes_with_label("Person")), vec![d]);

    // Re-adding a label brings its count back, in first-use order.
    assert_eq!(g.add_label(c, "Listed"), Ok(true));
    assert_eq!(g.add_label(c, "Listed"), Ok(false));
    assert_eq!(
        g.label_counts(),
        vec![("Company", 1), ("Listed", 1), ("Place", 1), ("Person", 1)]
    );
    g.remove_node(d).unwrap();
    assert_eq!(g.detach_remove_node(c), Ok(1));
    assert_eq!(g.label_counts(), vec![("Company", 1)]);
    assert_eq!(g.relationship_type_counts(), vec![]);
    assert_eq!((g.node_count(), g.relationship_count()), (1, 0));
    g.check_invariants().unwrap();
}

#[test]
fn duplicate_labels_in_add_node_count_once() {
    let mut g = Graph::new();
    let a = g.add_node(&["A", "B", "A"], [("name", "a")]).unwrap();
    assert_eq!(labels_of(&g, a), vec!["A", "B"]);
    assert_eq!(g.label_counts(), vec![("A", 1), ("B", 1)]);
    assert_eq!(sorted(g.nodes_with_label("A")), vec![a]);
    assert_eq!(g.remove_label(a, "A"), Ok(true));
    assert_eq!(g.label_counts(), vec![("B", 1)]);
    g.check_invariants().unwrap();
}

// ---------------------------------------------------------------------------------------------
// A failed call leaves no trace, not even in the documented orders ("in the order the labels /
// keys were first used in the graph").
// ---------------------------------------------------------------------------------------------

#[test]
fn an_add_node_refused_by_a_constraint_does_not_change_label_or_key_order() {
    let mut g = Graph::new();
    g.create_unique_constraint("Company", "name").unwrap();
    let a = g.add_node(&["Company"], [("name", "Pfizer")]).unwrap();
    // Refused: its labels and keys were never used by any node.
    assert_eq!(
        g.add_node(
            &["Zeta", "Company"],
            [("name", Value::from("Pfizer")), ("zkey", Value::Int(1))]
        )
        .err(),
        Some(violation("Company", "name", "'Pfizer'", a))
    );
    let b = g.add_node(&["Alpha"], [("akey", 1)]).unwrap();
    g.add_label(b, "Zeta").unwrap();
    g.set_node_property(b, "zkey", 2).unwrap();

    // Alpha and akey were used before Zeta and zkey.
    assert_eq!(g.label_counts(), vec![("Company", 1), ("Alpha", 1), ("Zeta", 1)]);
    assert_eq!(g.node(b).unwrap().labels().collect::<Vec<_>>(), ["Alpha", "Zeta"]);
    assert_eq!(
        g.node(b)
            .unwrap()
            .properties()
            .map(|(k, _)| k)
            .collect::<Vec<_>>(),
        ["akey", "zkey"]
    );
}
