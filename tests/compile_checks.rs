//! Checks made before anything runs, from the openCypher specification: each raised with the
//! error class the TCK names.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use kgraph::{Graph, QueryError, SemanticKind};

fn semantic(g: &Graph, q: &str) -> SemanticKind {
    match g
        .query(q)
        .param("m", kgraph::Value::Map(Default::default()))
        .param("neg", -1)
        .param("half", 0.5)
        .run()
    {
        Err(QueryError::Semantic { kind, .. }) => kind,
        other => panic!("{q}: expected a compile-time error, got {other:?}"),
    }
}

#[test]
fn parameter_maps_only_in_create() {
    let g = Graph::new();
    assert_eq!(
        semantic(&g, "MATCH (n $m) RETURN n"),
        SemanticKind::InvalidParameterUse
    );
    assert_eq!(
        semantic(&g, "MATCH ()-[r $m]->() RETURN r"),
        SemanticKind::InvalidParameterUse
    );
    assert_eq!(
        semantic(&g, "MATCH (n) WHERE (n)-[$m]->() RETURN n"),
        SemanticKind::InvalidParameterUse
    );
    let mut g = Graph::new();
    assert!(g
        .execute("CREATE (n $m) RETURN n")
        .param("m", kgraph::Value::Map(Default::default()))
        .run()
        .is_ok());
    let err = g
        .execute("MERGE (n $m)")
        .param("m", kgraph::Value::Map(Default::default()))
        .run()
        .unwrap_err();
    assert!(matches!(
        err,
        QueryError::Semantic {
            kind: SemanticKind::InvalidParameterUse,
            ..
        }
    ));
}

#[test]
fn skip_and_limit_parameters_are_checked_when_bound() {
    let g = Graph::new();
    assert_eq!(
        semantic(&g, "UNWIND [1] AS x RETURN x SKIP $neg"),
        SemanticKind::NegativeIntegerArgument
    );
    assert_eq!(
        semantic(&g, "UNWIND [1] AS x RETURN x LIMIT $half"),
        SemanticKind::InvalidArgumentType
    );
}

#[test]
fn literal_types_that_cannot_work() {
    let g = Graph::new();
    assert_eq!(
        semantic(&g, "RETURN properties(1)"),
        SemanticKind::InvalidArgumentType
    );
    assert_eq!(
        semantic(&g, "RETURN properties([true])"),
        SemanticKind::InvalidArgumentType
    );
    assert!(g
        .query("RETURN properties({a: 1}) AS p, properties(null) AS q")
        .run()
        .is_ok());
    assert_eq!(semantic(&g, "RETURN 'a' % 2"), SemanticKind::InvalidArgumentType);
    assert_eq!(semantic(&g, "RETURN true + 1"), SemanticKind::InvalidArgumentType);
    assert!(g.query("RETURN 'a' + 1 AS s, [1] + 2 AS l").run().is_ok());
    // A local variable over a literal list has its items' type.
    assert_eq!(
        semantic(&g, "RETURN all(x IN ['a', 'b'] WHERE x % 2 = 0) AS r"),
        SemanticKind::InvalidArgumentType
    );
    assert_eq!(
        semantic(&g, "RETURN [x IN [true] | x * 2] AS r"),
        SemanticKind::InvalidArgumentType
    );
    assert!(g
        .query("RETURN [x IN ['a'] | x + 'b'] AS r, [x IN [1, 'a'] | x] AS s")
        .run()
        .is_ok());
    // Indexing a list with a non-integer is a type error when it runs.
    let err = g
        .query("WITH [1, 2] AS l, 1.5 AS i RETURN l[i]")
        .run()
        .unwrap_err();
    assert_eq!(err.kind_name(), "TypeError");
}
