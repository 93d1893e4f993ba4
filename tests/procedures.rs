//! Procedures: the built-ins, procedures registered from Rust, and `CALL`'s checks.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use kgraph::{Database, Graph, Procedure, Procedures, QueryError, SemanticKind, Value};

fn graph() -> Graph {
    let mut g = Graph::new();
    g.execute("CREATE (:A {name: 'a', x: 1})-[:T]->(:B {y: 2}), (:A)-[:U]->(:A)")
        .run()
        .expect("setup");
    g
}

fn strings(g: &Graph, q: &str) -> Vec<String> {
    let r = g.query(q).run().expect("query");
    r.rows()
        .iter()
        .map(|row| row[0].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[test]
fn db_labels_types_and_keys() {
    let g = graph();
    assert_eq!(strings(&g, "CALL db.labels()"), ["A", "B"]);
    assert_eq!(strings(&g, "CALL db.labels"), ["A", "B"]);
    assert_eq!(
        strings(
            &g,
            "CALL db.relationshipTypes() YIELD relationshipType RETURN relationshipType"
        ),
        ["T", "U"]
    );
    assert_eq!(
        strings(
            &g,
            "CALL db.propertyKeys() YIELD propertyKey AS k RETURN k ORDER BY k"
        ),
        ["name", "x", "y"]
    );
    // In a query: YIELD with WHERE, and a count of what it yields.
    let r = g
        .query("MATCH (n:A) CALL db.labels() YIELD label WHERE label <> 'A' RETURN count(*) AS c")
        .run()
        .expect("in-query call");
    assert_eq!(r.get(0, "c"), Some(&Value::Int(3)));
}

#[test]
fn db_indexes_and_constraints() {
    let mut g = graph();
    g.create_unique_constraint("A", "name").expect("constraint");
    let r = g
        .query("CALL db.constraints() YIELD name, type, labelsOrTypes, properties RETURN *")
        .run()
        .expect("constraints");
    assert_eq!(r.len(), 1);
    assert_eq!(r.get(0, "type"), Some(&Value::from("UNIQUENESS")));
    assert_eq!(
        r.get(0, "labelsOrTypes"),
        Some(&Value::List(vec![Value::from("A")]))
    );
    let r = g
        .query("CALL db.indexes() YIELD name RETURN name")
        .run()
        .expect("indexes");
    assert_eq!(r.len(), 2, "the name index and the constraint's index");
}

#[test]
fn db_schema_visualization_lists_labels_and_types() {
    let g = graph();
    let r = g
        .query("CALL db.schema.visualization() YIELD nodes, relationships RETURN size(nodes) AS n, [r IN relationships | r.type] AS types")
        .run()
        .expect("schema");
    assert_eq!(r.get(0, "n"), Some(&Value::Int(2)));
    assert_eq!(
        r.get(0, "types"),
        Some(&Value::List(vec![Value::from("T"), Value::from("U")]))
    );
}

fn registry() -> Procedures {
    let mut procs = Procedures::new();
    procs.register(
        Procedure::new(
            "my.range(from :: INTEGER, to :: FLOAT?) :: (i :: INTEGER, half :: FLOAT)",
            |_, args| {
                let from = args[0].as_int().unwrap_or(0);
                let to = match args[1] {
                    Value::Float(f) => f as i64,
                    _ => from,
                };
                Ok((from..=to)
                    .map(|i| vec![Value::Int(i), Value::Float(i as f64 / 2.0)])
                    .collect())
            },
        )
        .expect("signature"),
    );
    procs.register(
        Procedure::new("my.fail() :: (x :: INTEGER)", |_, _| Err("always fails".into())).expect("signature"),
    );
    procs
}

#[test]
fn a_registered_procedure_runs_with_converted_arguments() {
    let g = Graph::new();
    let procs = registry();
    // 3 is given for a FLOAT input: the body sees 3.0.
    let r = g
        .query("UNWIND [1, 2] AS x CALL my.range(x, 3) YIELD i AS n RETURN x, n")
        .procedures(&procs)
        .run()
        .expect("call");
    assert_eq!(r.len(), 5);
    let r = g
        .query("CALL my.range(1, 2)")
        .procedures(&procs)
        .run()
        .expect("standalone");
    assert_eq!(r.columns(), ["i", "half"]);
    assert_eq!(r.get(1, "half"), Some(&Value::Float(1.0)));
    let r = g
        .query("CALL my.range")
        .procedures(&procs)
        .param("from", 4)
        .param("to", 4)
        .run()
        .expect("implicit arguments");
    assert_eq!(r.get(0, "i"), Some(&Value::Int(4)));
}

#[test]
fn call_errors_have_the_tck_kinds() {
    let g = Graph::new();
    let procs = registry();
    let e = |q: &str| g.query(q).procedures(&procs).run().unwrap_err();
    let unknown = e("CALL my.rnage(1, 2)");
    assert_eq!(unknown.kind_name(), "ProcedureError");
    assert!(
        unknown.to_string().contains("did you mean 'my.range'"),
        "{unknown}"
    );
    assert!(matches!(
        e("CALL my.range(1)"),
        QueryError::Semantic {
            kind: SemanticKind::InvalidNumberOfArguments,
            ..
        }
    ));
    assert!(matches!(
        e("CALL my.range('a', 1)"),
        QueryError::Semantic {
            kind: SemanticKind::InvalidArgumentType,
            ..
        }
    ));
    assert!(matches!(
        e("CALL my.range YIELD i RETURN i"),
        QueryError::Semantic {
            kind: SemanticKind::InvalidArgumentPassingMode,
            ..
        }
    ));
    assert_eq!(
        e("CALL my.range(1, 2) YIELD * RETURN i").kind_name(),
        "SyntaxError"
    );
    assert!(matches!(
        e("WITH 1 AS i CALL my.range(1, 2) YIELD i RETURN i"),
        QueryError::Semantic {
            kind: SemanticKind::VariableAlreadyBound,
            ..
        }
    ));
    assert_eq!(
        e("WITH 'a' AS s CALL my.range(s, 1) YIELD i RETURN i").kind_name(),
        "TypeError"
    );
    assert_eq!(e("CALL my.fail()").kind_name(), "ProcedureError");
    // Without the registry, the procedure is unknown.
    assert_eq!(
        g.query("CALL my.range(1, 2)").run().unwrap_err().kind_name(),
        "ProcedureError"
    );
}

#[test]
fn a_database_hands_its_procedures_to_its_transactions() {
    let db = Database::new();
    db.set_procedures(registry());
    let r = db
        .read()
        .query("CALL my.range(1, 1) YIELD i RETURN i")
        .run()
        .expect("read");
    assert_eq!(r.len(), 1);
    let mut tx = db.write();
    let r = tx
        .execute("CALL my.range(1, 2) YIELD i CREATE (:N {i: i})")
        .run()
        .expect("write");
    assert_eq!(r.stats().nodes_created, 2);
    tx.commit().expect("commit");
}

#[test]
fn show_indexes_and_constraints_call_the_built_ins() {
    let mut g = graph();
    g.create_unique_constraint("B", "y").expect("constraint");
    let r = g.query("SHOW CONSTRAINTS").run().expect("show constraints");
    assert_eq!(r.len(), 1);
    let r = g
        .query("SHOW INDEXES YIELD name, type RETURN type ORDER BY type")
        .run()
        .expect("show indexes");
    assert_eq!(
        r.column("type").cloned().collect::<Vec<_>>(),
        [Value::from("RANGE"), Value::from("TEXT")]
    );
    let r = g.query("SHOW ALL INDEX").run().expect("show all index");
    assert_eq!(r.len(), 2);
}
