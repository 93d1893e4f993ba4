//! Neo4j's, GQL's and Kùzu's spellings of shortest paths mean the same search.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use kgraph::{Graph, Params, Query};

const PAIRS: &[(&str, &str)] = &[
    ("AstraZeneca", "Medtronic"),
    ("Pfizer", "Mindray"),
    ("AstraZeneca", "Daiichi Sankyo"),
];

fn answers(g: &Graph, pattern: &str, a: &str, b: &str) -> Vec<Vec<kgraph::Value>> {
    let text = format!(
        "MATCH (a {{name: $a}}), (b {{name: $b}}) MATCH {pattern} \
         RETURN length(p) AS len, count(*) AS paths ORDER BY len"
    );
    let mut rows = g
        .query(&text)
        .params(Params::new().with("a", a).with("b", b))
        .run()
        .unwrap_or_else(|e| panic!("{text}: {e}"))
        .into_rows();
    rows.sort_by(|x, y| format!("{x:?}").cmp(&format!("{y:?}")));
    rows
}

#[test]
fn one_shortest_path_in_three_spellings() {
    let g = Graph::ecosystem().unwrap();
    for (a, b) in PAIRS {
        let neo = answers(&g, "p = shortestPath((a)-[*..8]-(b))", a, b);
        assert_eq!(neo.len(), 1, "{a} - {b}: one length");
        assert_eq!(
            neo,
            answers(&g, "p = ANY SHORTEST (a)-[*1..8]-(b)", a, b),
            "{a} - {b}"
        );
        assert_eq!(
            neo,
            answers(&g, "p = (a)-[* SHORTEST 1..8]-(b)", a, b),
            "{a} - {b}"
        );
    }
}

#[test]
fn all_shortest_paths_in_three_spellings() {
    let g = Graph::ecosystem().unwrap();
    for (a, b) in PAIRS {
        let neo = answers(&g, "p = allShortestPaths((a)-[*..8]-(b))", a, b);
        assert_eq!(
            neo,
            answers(&g, "p = ALL SHORTEST (a)-[*1..8]-(b)", a, b),
            "{a} - {b}"
        );
        assert_eq!(
            neo,
            answers(&g, "p = (a)-[* ALL SHORTEST 1..8]-(b)", a, b),
            "{a} - {b}"
        );
    }
}

#[test]
fn the_gql_spelling_prints_as_neo4js() {
    let q = Query::parse("MATCH p = ANY SHORTEST (a)-[*1..6]-(b) RETURN p").unwrap();
    assert_eq!(q.to_string(), "MATCH p = shortestPath((a)-[*1..6]-(b)) RETURN p");
    let q = Query::parse("MATCH p = ALL SHORTEST (a)-[*]->(b) RETURN p").unwrap();
    assert_eq!(q.to_string(), "MATCH p = allShortestPaths((a)-[*]->(b)) RETURN p");
    // `any` stays a variable name and a function name.
    assert!(Query::parse("MATCH (any) RETURN any(x IN [1] WHERE x = 1) AS a").is_ok());
}
