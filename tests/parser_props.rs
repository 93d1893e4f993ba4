//! Property tests through the public API only.
//!
//! - Random query text built from grammar fragments: whenever it parses, its
//!   canonical print parses to an equal query and prints the same again.
//! - Random byte strings and random token soups never panic, and whatever
//!   they parse to also prints idempotently.
//!
//! (The tree-level generator, which needs the crate-private AST, is the
//! unit-test module `src/query/syntax/props.rs`.)

use proptest::collection::vec;
use proptest::prelude::*;

use kgraph::Query;

/// Printing is idempotent and the print reads back equal.
fn idempotent(text: &str) -> Result<(), TestCaseError> {
    if let Ok(q) = Query::parse(text) {
        let printed = q.to_string();
        let again = Query::parse(&printed)
            .map_err(|e| TestCaseError::fail(format!("{text}\nprinted as\n{printed}\n{e}")))?;
        prop_assert_eq!(&again, &q, "input: {}\nprinted: {}", text, printed);
        prop_assert_eq!(again.to_string(), printed);
    }
    Ok(())
}

fn var() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "a",
        "b",
        "n",
        "x",
        "名字",
        "`weird name`",
        "count",
        "`match`",
    ])
    .prop_map(str::to_string)
}

fn label() -> impl Strategy<Value = String> {
    prop::sample::select(vec!["Person", "公司", "Order", "MATCH", "`L 1`"]).prop_map(str::to_string)
}

fn atom() -> impl Strategy<Value = String> {
    prop_oneof![
        var(),
        prop::sample::select(vec![
            "1",
            "-1",
            "0x1F",
            "0o7",
            "1.5",
            ".5",
            "1e3",
            "-0.0",
            "'s'",
            "\"d\\n\"",
            "'中文'",
            "true",
            "FALSE",
            "null",
            "$p",
            "$0",
            "[]",
            "{}",
            "count(*)",
            "9223372036854775807",
            "-9223372036854775808",
        ])
        .prop_map(str::to_string),
    ]
}

fn expr_text() -> impl Strategy<Value = String> {
    atom().prop_recursive(4, 40, 3, |inner| {
        let op = prop::sample::select(vec![
            " + ",
            " - ",
            " * ",
            " / ",
            " % ",
            " ^ ",
            " = ",
            " <> ",
            " < ",
            " <= ",
            " > ",
            " >= ",
            " AND ",
            " OR ",
            " XOR ",
            " IN ",
            " STARTS WITH ",
            " ENDS WITH ",
            " CONTAINS ",
            " =~ ",
        ]);
        prop_oneof![
            (inner.clone(), op, inner.clone()).prop_map(|(a, o, b)| format!("{a}{o}{b}")),
            inner.clone().prop_map(|a| format!("({a})")),
            inner.clone().prop_map(|a| format!("NOT {a}")),
            inner.clone().prop_map(|a| format!("-{a}")),
            inner.clone().prop_map(|a| format!("{a} IS NOT NULL")),
            (inner.clone(), var()).prop_map(|(a, k)| format!("{a}.{k}")),
            (inner.clone(), inner.clone()).prop_map(|(a, i)| format!("{a}[{i}]")),
            (inner.clone(), inner.clone()).prop_map(|(a, i)| format!("{a}[..{i}]")),
            (var(), label()).prop_map(|(v, l)| format!("{v}:{l}")),
            vec(inner.clone(), 0..3).prop_map(|xs| format!("[{}]", xs.join(", "))),
            vec((var(), inner.clone()), 0..3).prop_map(|kv| {
                let body: Vec<String> = kv.iter().map(|(k, v)| format!("{k}: {v}")).collect();
                format!("{{{}}}", body.join(", "))
            }),
            (var(), inner.clone(), inner.clone())
                .prop_map(|(v, l, m)| format!("[{v} IN {l} WHERE {m} | {v}]")),
            (var(), inner.clone()).prop_map(|(v, l)| format!("any({v} IN {l} WHERE {v} > 1)")),
            (inner.clone(), inner.clone()).prop_map(|(c, r)| format!("CASE WHEN {c} THEN {r} ELSE null END")),
            vec(inner.clone(), 0..3).prop_map(|xs| format!("f({})", xs.join(", "))),
            (var(), var()).prop_map(|(v, w)| format!("{v} {{.name, .*, {w}}}")),
            (var(), label()).prop_map(|(v, l)| format!("[({v})-[:T]->(:{l}) | {v}]")),
            inner
                .clone()
                .prop_map(|a| format!("reduce(s = 0, x IN [{a}] | s + x)")),
            inner
                .clone()
                .prop_map(|a| format!("EXISTS {{ (a)-->(b), (c) WHERE {a} }}")),
            inner
                .clone()
                .prop_map(|a| format!("count {{ MATCH (n) WHERE {a} RETURN n }}")),
            inner.prop_map(|a| format!("COLLECT {{ UNWIND [{a}] AS x RETURN x }}")),
        ]
    })
}

fn node_text() -> impl Strategy<Value = String> {
    (
        proptest::option::of(var()),
        vec(label(), 0..2),
        proptest::option::of(atom()),
    )
        .prop_map(|(v, ls, p)| {
            let labels: String = ls.iter().map(|l| format!(":{l}")).collect();
            let props = p.map(|p| format!(" {{k: {p}}}")).unwrap_or_default();
            format!("({}{labels}{props})", v.unwrap_or_default())
        })
}

fn rel_text() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "-->",
        "<--",
        "--",
        "-[r]->",
        "<-[:T]-",
        "-[:T|U*1..3]-",
        "-[*]->",
        "-[r:T*..2 {w: 1}]->",
        "<-[*2..]->",
        "-[* SHORTEST 1..6]-",
        "-[:T* ALL SHORTEST 2..4]-",
    ])
    .prop_map(str::to_string)
}

fn pattern_text() -> impl Strategy<Value = String> {
    (node_text(), vec((rel_text(), node_text()), 0..3)).prop_map(|(n, rest)| {
        let mut s = n;
        for (r, m) in rest {
            s.push_str(&r);
            s.push_str(&m);
        }
        s
    })
}

fn clause_text() -> impl Strategy<Value = String> {
    prop_oneof![
        (pattern_text(), proptest::option::of(expr_text())).prop_map(|(p, w)| match w {
            Some(w) => format!("MATCH {p} WHERE {w}"),
            None => format!("OPTIONAL MATCH {p}"),
        }),
        (expr_text(), var()).prop_map(|(e, v)| format!("UNWIND {e} AS {v}")),
        (expr_text(), var(), expr_text())
            .prop_map(|(e, v, w)| format!("WITH DISTINCT {e} AS {v} ORDER BY {v} DESC LIMIT 3 WHERE {w}")),
        vec(expr_text(), 1..3).prop_map(|xs| format!("RETURN {}", xs.join(", "))),
        pattern_text().prop_map(|p| format!("CREATE {p}")),
        (pattern_text(), var(), expr_text())
            .prop_map(|(p, v, e)| format!("MERGE {p} ON CREATE SET {v}.k = {e}")),
        (var(), expr_text(), label()).prop_map(|(v, e, l)| format!("SET {v}.p = {e}, {v}:{l}")),
        (var(), label()).prop_map(|(v, l)| format!("REMOVE {v}.p, {v}:{l}")),
        vec(expr_text(), 1..3).prop_map(|xs| format!("DETACH DELETE {}", xs.join(", "))),
        (vec(expr_text(), 0..3), var(), expr_text()).prop_map(|(xs, v, w)| format!(
            "CALL db.my.proc({}) YIELD out AS {v}, x WHERE {w}",
            xs.join(", ")
        )),
        Just("CALL test.doNothing".to_string()),
        (pattern_text(), expr_text())
            .prop_map(|(p, w)| format!("MATCH (n) WHERE exists {{ {p} WHERE {w} }}")),
        (pattern_text(), expr_text())
            .prop_map(|(p, e)| format!("CALL {{ MATCH {p} RETURN {e} AS x }} IN TRANSACTIONS OF 10 ROWS")),
    ]
}

fn query_text() -> impl Strategy<Value = String> {
    (
        vec(clause_text(), 1..4),
        proptest::option::of(vec(clause_text(), 1..3)),
        any::<bool>(),
    )
        .prop_map(|(a, b, explain)| {
            let mut s = if explain {
                "EXPLAIN ".to_string()
            } else {
                String::new()
            };
            s.push_str(&a.join("\n"));
            if let Some(b) = b {
                s.push_str(" UNION ALL ");
                s.push_str(&b.join(" "));
            }
            s
        })
}

fn token() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "MATCH",
            "RETURN",
            "WHERE",
            "WITH",
            "CREATE",
            "MERGE",
            "ON",
            "SET",
            "DELETE",
            "UNWIND",
            "AS",
            "AND",
            "OR",
            "NOT",
            "IN",
            "IS",
            "NULL",
            "CASE",
            "WHEN",
            "THEN",
            "END",
            "ORDER",
            "BY",
            "(",
            ")",
            "[",
            "]",
            "{",
            "}",
            "-",
            "->",
            "<-",
            "*",
            "..",
            ":",
            ",",
            ".",
            "|",
            "=",
            "<>",
            "+",
            "$p",
            "'s'",
            "1",
            "0x",
            "1e",
            "`q`",
            "n",
            "x",
            "名",
            "shortestPath",
            "count",
            "reduce",
            "any",
            "SHORTEST",
            "ALL",
            "CALL",
            "YIELD",
            "EXISTS",
            "COUNT",
            "COLLECT",
            "TRANSACTIONS",
            "ROWS",
            "db.labels",
            "\"",
            "'",
            "`",
            "/*",
            "//",
            "\\",
            "—",
            "#",
        ])
        .prop_map(str::to_string),
        "[a-z0-9]{1,3}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn generated_queries_print_idempotently(text in query_text()) {
        idempotent(&text)?;
    }

    #[test]
    fn random_text_never_panics(text in "\\PC{0,80}") {
        idempotent(&text)?;
    }

    #[test]
    fn random_bytes_never_panic(bytes in vec(any::<u8>(), 0..120)) {
        let text = String::from_utf8_lossy(&bytes);
        idempotent(&text)?;
    }

    #[test]
    fn token_soup_never_panics(tokens in vec(token(), 0..30)) {
        idempotent(&tokens.join(" "))?;
        idempotent(&tokens.concat())?;
    }
}

#[test]
fn generated_queries_mostly_parse() {
    // Guard against a generator that only produces errors: most generated
    // queries are valid.
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let strategy = query_text();
    let mut ok = 0;
    for _ in 0..200 {
        let Ok(tree) = strategy.new_tree(&mut runner) else {
            continue;
        };
        if Query::parse(&tree.current()).is_ok() {
            ok += 1;
        }
    }
    assert!(ok > 150, "only {ok} of 200 generated queries parse");
}
