//! One value model: a map is not a property value anywhere. The Rust API (`Graph` and a
//! `Database` transaction's graph), Cypher and both importers refuse one, also inside a list,
//! with an error naming the key (and, for the importers, the line and column).
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::collections::BTreeMap;

use kgraph::{Database, Graph, GraphError, ImportError, ImportErrorKind, Value};

fn map() -> Value {
    Value::from(BTreeMap::from([("x".to_owned(), Value::Int(1))]))
}

fn maps() -> Vec<Value> {
    vec![
        map(),
        Value::from(BTreeMap::new()),
        Value::List(vec![Value::Int(1), map()]),
        Value::List(vec![Value::List(vec![map()])]),
    ]
}

fn refused(key: &str) -> Option<GraphError> {
    Some(GraphError::MapValue { key: key.to_owned() })
}

#[test]
fn the_graph_api_refuses_maps_naming_the_key() {
    let mut g = Graph::new();
    let a = g.add_node(&["A"], [("name", "a")]).unwrap();
    let r = g.add_relationship(a, a, "T", [("w", 1)]).unwrap();
    for value in maps() {
        assert_eq!(g.add_node(&["A"], [("p", value.clone())]).err(), refused("p"));
        assert_eq!(g.set_node_property(a, "q", value.clone()).err(), refused("q"));
        assert_eq!(
            g.add_relationship(a, a, "T", [("m", value.clone())]).err(),
            refused("m")
        );
        assert_eq!(
            g.set_relationship_property(r, "w", value.clone()).err(),
            refused("w")
        );
    }
    assert_eq!(g.node_count(), 1);
    assert_eq!(g.relationship_count(), 1);
    assert_eq!(g.node(a).unwrap().properties().count(), 1);
    assert_eq!(g.relationship(r).unwrap().property("w"), Some(&Value::Int(1)));
    let message = g.add_node(&["A"], [("point", map())]).unwrap_err().to_string();
    assert!(
        message.contains("'point'") && message.contains("map"),
        "{message}"
    );
}

#[test]
fn a_database_transaction_refuses_maps() {
    let db = Database::new();
    let mut tx = db.write();
    let n = tx.graph_mut().add_node(&["A"], [("k", 1)]).unwrap();
    assert_eq!(
        tx.graph_mut().set_node_property(n, "m", map()).err(),
        refused("m")
    );
    let err = tx
        .execute("MATCH (n:A) SET n.m = {x: 1}")
        .run()
        .expect_err("Cypher refuses a map too");
    assert!(err.to_string().contains("map"), "{err}");
    tx.commit().unwrap();
    let read = db.read();
    assert_eq!(read.node(n).unwrap().property("m"), None);
}

fn malformed(err: ImportError) -> (u64, u64, ImportErrorKind) {
    match err {
        ImportError::Malformed {
            line, column, kind, ..
        } => (line, column, kind),
        other => panic!("expected a malformed line, got {other:?}"),
    }
}

#[test]
fn the_json_lines_importer_refuses_maps_with_line_and_key() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("g.jsonl");
    for bad in [r#"{"x":1}"#, r#"[1,{"x":1}]"#] {
        std::fs::write(
            &path,
            format!(
                "{}\n{}\n",
                r#"{"node":{"id":1,"labels":["A"],"properties":{"k":1}}}"#,
                format_args!(r#"{{"node":{{"id":2,"labels":["A"],"properties":{{"m":{bad}}}}}}}"#),
            ),
        )
        .unwrap();
        let (line, _, kind) = malformed(Graph::import_jsonl(&path).unwrap_err());
        assert_eq!(line, 2);
        assert_eq!(kind, ImportErrorKind::MapValue { column: "m".into() });
    }
}

#[test]
fn the_csv_importer_refuses_maps_with_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let nodes = dir.path().join("nodes.csv");
    let rels = dir.path().join("rels.csv");
    std::fs::write(&rels, "start:START_ID,end:END_ID,type:TYPE\n").unwrap();
    for bad in [r#""{""x"":1}""#, r#""[1,{""x"":1}]""#] {
        std::fs::write(&nodes, format!("id:ID,label:LABEL,v:ANY\n1,A,1\n2,A,{bad}\n")).unwrap();
        let (line, column, kind) = malformed(Graph::import_csv(&nodes, &rels).unwrap_err());
        assert_eq!((line, column), (3, 3));
        assert_eq!(kind, ImportErrorKind::MapValue { column: "v".into() });
    }
    // A cell that is not JSON at all is a typed error of its cell too.
    std::fs::write(&nodes, "id:ID,label:LABEL,v:ANY\n1,A,not json\n").unwrap();
    let (line, column, kind) = malformed(Graph::import_csv(&nodes, &rels).unwrap_err());
    assert_eq!((line, column), (2, 3));
    assert!(matches!(kind, ImportErrorKind::BadValue { .. }), "{kind:?}");
}
