//! Data-driven parser goldens (databend style) and canonical-form checks.
//!
//! `tests/golden/parse.txt` records, for every case, the input, the
//! canonical text (`Display`) and the syntax tree (`{:#?}`). Run with
//! `UPDATE_GOLDEN=1 cargo test --test parser` to regenerate it after an
//! intended change; any other difference fails the test.

mod golden_support;
use golden_support::check_golden;
use std::fmt::Write as _;

use kgraph::Query;

const CASES: &[&str] = &[
    // Nodes and relationships.
    "MATCH (n) RETURN n",
    "match (n:Person) return n.name",
    "MATCH (n:Person:Employee {name: 'Alice', age: 30}) RETURN n",
    "MATCH (n $props) RETURN n",
    "MATCH (a)-->(b) RETURN a, b",
    "MATCH (a)<--(b) RETURN a",
    "MATCH (a)--(b) RETURN a",
    "MATCH (a)-[r:KNOWS]->(b) RETURN r",
    "MATCH (a)-[r:KNOWS|LIKES|:FOLLOWS]-(b) RETURN r",
    "MATCH (a)<-[r]->(b) RETURN r",
    "MATCH (a)-[]->(b) RETURN b",
    "MATCH (a)-[*]->(b) RETURN b",
    "MATCH (a)-[*3]->(b) RETURN b",
    "MATCH (a)-[:T*1..3]->(b) RETURN b",
    "MATCH (a)-[:T*..6]->(b) RETURN b",
    "MATCH (a)-[:T*2..]->(b) RETURN b",
    "MATCH (a)-[r:T*1..2 {w: 1}]->(b) RETURN r",
    "MATCH (a)-[* SHORTEST 1..6]-(b) RETURN b",
    "MATCH (a)-[:T* SHORTEST 1..6]-(b) RETURN b",
    "MATCH (a)-[* ALL SHORTEST 1..6]-(b) RETURN b",
    // Paths.
    "MATCH p = (a)-[:T]->(b) RETURN p",
    "MATCH p = shortestPath((a:A)-[*]-(b:B)) RETURN p",
    "MATCH p = allShortestPaths((a)-[:T*..5]->(b)) RETURN nodes(p)",
    "MATCH (a), (b)-->(c) WHERE a.x = c.x RETURN a",
    "OPTIONAL MATCH (n)-[r]->() RETURN n, r",
    // Pattern predicates and comprehensions.
    "MATCH (n) WHERE (n)-[:T]->() RETURN n",
    "MATCH (n) WHERE NOT (n)--() RETURN n",
    "MATCH (n) WHERE (n)-->(:A) AND exists((n)<--()) RETURN n",
    "RETURN [(a)-->(b) WHERE b.x > 1 | b.name] AS names",
    "RETURN [p = (a)-[:T]->() | p]",
    // Projections.
    "UNWIND [1, 2, 3] AS x RETURN x",
    "WITH 1 AS x, 2 AS y RETURN x + y",
    "WITH DISTINCT n.x AS x ORDER BY x DESC SKIP 1 LIMIT 5 WHERE x > 0 RETURN x",
    "MATCH (n) WITH * RETURN n",
    "MATCH (n) RETURN *, n.x AS x",
    "RETURN DISTINCT n ORDER BY n.a ASC, n.b ASCENDING, n.c DESC, n.d DESCENDING SKIP $s LIMIT $l",
    // Updates.
    "CREATE (n:Person {name: 'Bob'})",
    "CREATE (a)-[:KNOWS {since: 2020}]->(b), (c)",
    "MERGE (n:A {id: 1}) ON CREATE SET n.created = timestamp() ON MATCH SET n.seen = true",
    "MERGE (a)-[r:T]->(b) ON MATCH SET r.n = r.n + 1 ON CREATE SET r.n = 1 ON MATCH SET r:X",
    "MATCH (n) SET n.x = 1, n.y = n.x * 2",
    "MATCH (n) SET n = {a: 1}, n += {b: 2}",
    "MATCH (n) SET n:A:B",
    "MATCH (n) SET (n).x = 1, n.a.b = 2",
    "MATCH (n) REMOVE n.x, n:A:B",
    "MATCH (n) DELETE n",
    "MATCH (n) DETACH DELETE n, n.friend",
    "UNWIND $rows AS row MERGE (p:Person {id: row.id}) SET p += row.props",
    // Statements.
    "RETURN 1 UNION RETURN 2",
    "RETURN 1 AS x UNION ALL RETURN 2 AS x",
    "EXPLAIN MATCH (n) RETURN n",
    "MATCH (n) RETURN n;",
    "// find people\nMATCH (p:Person) /* block\ncomment */ WHERE p.age > 30\nRETURN p.name",
    // Operators and precedence.
    "RETURN a OR b XOR c AND NOT d",
    "RETURN (a OR b) AND c",
    "RETURN 1 + 2 * 3 - 4 / 5 % 6",
    "RETURN (1 + 2) * 3",
    "RETURN 2 ^ 3 ^ 2, 2 ^ (3 ^ 2)",
    "RETURN -2 ^ 2, -(2 ^ 2), - x",
    "RETURN a = b, a <> b, a < b, a <= b, a > b, a >= b",
    "RETURN 1 < x <= 10 < y",
    "RETURN a IS NULL, a IS NOT NULL",
    "RETURN a IN [1, 2], 'x' STARTS WITH 'a', 'x' ENDS WITH 'b', 'x' CONTAINS 'c', 'x' =~ '.*'",
    "MATCH (n) WHERE n.x IN [1, 2] AND NOT n.y STARTS WITH 'a' RETURN n",
    "RETURN -(-5), - -5, +5",
    // Postfix operators.
    "RETURN n.name, n.`full name`, n.address.city",
    "RETURN list[0], list[1..3], list[..2], list[1..], list[-1]",
    "RETURN n:Person, n:A:B",
    // Literals.
    "RETURN 42, -7, 0x1F, 0o17, 9223372036854775807, -9223372036854775808",
    "RETURN 1.5, .5, 1e10, 1.5E-3, -0.0",
    r#"RETURN 'single', "double", 'esc \' \" \\ \n \t \u00e9 \U0001F600'"#,
    "RETURN TRUE, false, Null",
    "RETURN [1, 'two', [3]], []",
    "RETURN {a: 1, match: 2, `weird key`: 3}, {}",
    "RETURN $param, $0, $`odd name`",
    // Functions and special forms.
    "MATCH (n) RETURN count(*), count(n), count(DISTINCT n.x)",
    "RETURN toUpper('a'), apoc.text.join(['a'], ','), f()",
    "RETURN exists(n.prop)",
    "RETURN CASE WHEN x > 0 THEN 'pos' WHEN x < 0 THEN 'neg' ELSE 'zero' END",
    "RETURN CASE x WHEN 1 THEN 'one' WHEN 2 THEN 'two' END",
    "RETURN [x IN range(1, 10) WHERE x % 2 = 0 | x * x]",
    "RETURN [x IN list], [x IN list WHERE x > 1], [x IN list | x.name]",
    "RETURN all(x IN l WHERE x > 0), any(x IN l WHERE x < 0), none(x IN l WHERE x = 0), single(x IN l WHERE x = 1)",
    "RETURN reduce(acc = 0, x IN [1, 2, 3] | acc + x) AS total",
    "MATCH (n) RETURN n {.name, .age, .*, friends: size(n.f), x}",
    "RETURN ((1)), (((x)))",
    "RETURN [(x IN l)], [(x IN l), 2]",
    // Names.
    "MATCH (公司:企业 {名称: '阿斯利康'})-[:位于]->(城市:城市) RETURN 公司.名称 AS 名称, 城市",
    "MATCH (`my node`:`My Label`) RETURN `my node`.`my prop`",
    "RETURN `a``b`, `match`",
    "match (n:Order) where n.count > 0 return n.match, n.order",
    // Mixed.
    "MATCH (a)-[r]->(b) WHERE type(r) = 'T' AND a:A RETURN a.x + b.x AS s ORDER BY s",
    "MATCH (n) WITH n, n.x AS x WHERE x > 1 WITH x RETURN x",
];

/// Queries already in canonical form: they must print back to themselves.
const CANONICAL: &[&str] = &[
    "MATCH (n:Person {name: 'Alice'})-[:KNOWS*1..3]->(m) WHERE m.age > 30 RETURN m.name AS name ORDER BY name DESC LIMIT 10",
    "MATCH p = shortestPath((a)-[*]-(b)) RETURN length(p)",
    "MATCH (a)-[:T* SHORTEST 1..6]-(b) RETURN b",
    "OPTIONAL MATCH (n)<-[r:T|U]-() WITH n, count(r) AS c WHERE c > 1 RETURN n, c",
    "UNWIND [1, 2.5, 'x', null, true, [1], {k: 1}] AS v RETURN v",
    "MERGE (n:A {id: $id}) ON CREATE SET n.created = true ON MATCH SET n.hits = n.hits + 1",
    "MATCH (n) SET n:A, n += {x: 1} REMOVE n.y DETACH DELETE n",
    "RETURN a OR b AND NOT c, (a OR b) AND c, 1 - (2 - 3), -2 ^ 2, -(2 ^ 2)",
    "RETURN [x IN l WHERE x > 1 | x * 2], [(a)-->(b) | b], any(x IN l WHERE x IS NULL)",
    "RETURN n {.name, .*, k: 1}, CASE WHEN a THEN 1 ELSE 2 END, reduce(s = 0, x IN l | s + x)",
    "MATCH (n) WHERE (n)-->() AND NOT (n)<--(:A) RETURN count(*)",
    "RETURN 'it\\'s', `weird name`, $p, 1.0, -9223372036854775808",
    "EXPLAIN RETURN 1 AS a UNION ALL RETURN 2 AS a",
    "MATCH (公司:企业)-[:位于]->(城市) RETURN 公司.名称",
];

fn verified(q: &str) {
    let parsed = Query::parse(q).unwrap_or_else(|e| unreachable!("{q}\n{e}"));
    assert_eq!(parsed.to_string(), q, "not canonical");
    let again = Query::parse(q).ok();
    assert_eq!(again.as_ref(), Some(&parsed));
}

#[test]
fn canonical_queries_print_to_themselves() {
    for q in CANONICAL {
        verified(q);
    }
}

fn render_case(input: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "---------- Input ----------\n{input}");
    match Query::parse(input) {
        Ok(q) => {
            let printed = q.to_string();
            // The canonical text is a fixed point and reads back equal.
            let again = Query::parse(&printed).unwrap_or_else(|e| unreachable!("{printed}\n{e}"));
            assert_eq!(again, q, "{input}");
            assert_eq!(again.to_string(), printed, "{input}");
            let _ = writeln!(out, "---------- Output ---------\n{printed}");
            let _ = writeln!(out, "---------- AST ------------\n{q:#?}");
        }
        Err(e) => {
            let _ = writeln!(out, "---------- Error ----------\n{e}");
        }
    }
    out.push('\n');
    out
}

#[test]
fn parse_goldens() {
    assert!(CASES.len() >= 80, "only {} cases", CASES.len());
    let mut all = String::new();
    for case in CASES {
        let rendered = render_case(case);
        assert!(
            rendered.contains("---------- Output"),
            "golden case does not parse:\n{rendered}"
        );
        all.push_str(&rendered);
    }
    check_golden("parse.txt", &all);
}
