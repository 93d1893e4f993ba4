//! Rendered syntax errors, snapshotted in `tests/golden/errors.txt`.
//!
//! Each case records the input (or a description of a generated one), the
//! error as users see it, and its fields. `UPDATE_GOLDEN=1 cargo test --test
//! errors` regenerates the file; any other difference fails.

mod golden_support;
use golden_support::check_golden;
use std::fmt::Write as _;

use kgraph::{ParseErrorKind, Query, MAX_QUERY_BYTES};

/// (description shown in the golden file, query text)
fn cases() -> Vec<(String, String)> {
    let literal = |q: &str| (q.to_string(), q.to_string());
    let deep = 10_000;
    vec![
        literal("MATCH (n)\nMATCH (c:Company RETURN c"),
        literal("MATCH (n:公司 {名称: '阿斯利康'}) RETURN n.名称 +"),
        literal("RETURN '中文' 名字"),
        literal("MATCH (n)\nWHERE n.x = 1\nRETURN n.y +"),
        literal("MATCH (n)\tWHERE\tn.x =\tRETURN n"),
        literal("RETURN 'abc"),
        literal("RETURN \"abc\nRETURN 1"),
        literal("RETURN `abc"),
        literal(r"RETURN 'a\qb'"),
        literal(r"RETURN '\u12'"),
        literal(r"RETURN '\uD800'"),
        literal("RETURN [1, [2, 3]"),
        literal("MATCH (a RETURN a"),
        literal("RETURN {a: 1"),
        literal("RETURN (1 + 2"),
        literal("RETURN 1 + 2)"),
        literal("UNWIND [1, 2] x RETURN x"),
        literal("MATCH (n) RETURN n ORDER n.x"),
        literal("RETURN CASE WHEN true 1 END"),
        literal("MERGE (n) ON DELETE SET n.x = 1"),
        literal("RETURN 9223372036854775808"),
        literal("RETURN -9223372036854775809"),
        literal("RETURN 0x8000000000000000"),
        literal("RETURN 99999999999999999999999999"),
        literal("RETURN 1.34E999"),
        literal("RETURN 0x"),
        literal("RETURN 9223372h54775808"),
        literal("RETURN 0123"),
        literal("RETURN 42 — 41"),
        literal("RETURN 9223372#54775808"),
        literal("MATCH (n) WHERE n.x != 1 RETURN n"),
        literal("MATCH (n) RETRUN n"),
        literal("RETURN f(1 2)"),
        literal("MATCH (a)-[r:]->(b) RETURN a"),
        literal("MATCH (a)-[:LIKES..]->(c) RETURN c"),
        literal("MATCH (a)-[:LIKES*-2]->(c) RETURN c"),
        literal("MATCH (n) RETURN (n)-[]->()"),
        literal("MATCH (n) WITH (n)-[]->() AS x RETURN x"),
        literal("MATCH (a), (b) RETURN size((a)-->(b))"),
        literal("RETURN {1B2c3e67: 1}"),
        literal("RETURN {k1.k: 1}"),
        literal("RETURN [, ]"),
        literal("FOREACH (x IN [1] CREATE ())"),
        literal("MATCH (n)\nCALL"),
        literal("CALL db.labels() YIELD"),
        literal("CALL test.proc('a', 1) YIELD * RETURN x"),
        literal("MATCH (n) WHERE EXISTS {} RETURN n"),
        literal("MATCH (n) WHERE EXISTS { (n)-->() RETURN n"),
        literal("MATCH (match) RETURN 1"),
        literal("RETURN 1 /* never closed"),
        literal(""),
        literal("   "),
        (
            format!("RETURN ((((...1...)))) nested {deep} deep"),
            format!("RETURN {}1{}", "(".repeat(deep), ")".repeat(deep)),
        ),
        (
            format!("RETURN [[[[...]]]] nested {deep} deep"),
            format!("RETURN {}{}", "[".repeat(deep), "]".repeat(deep)),
        ),
        (
            format!("RETURN -(-(-(...1...))) nested {deep} deep"),
            format!("RETURN {}1{}", "-(".repeat(deep), ")".repeat(deep)),
        ),
        (
            format!("RETURN NOT NOT NOT ... true with {deep} NOTs"),
            format!("RETURN {}true", "NOT ".repeat(deep)),
        ),
        (
            "RETURN '<1,000,000 × a>'".to_string(),
            format!("RETURN '{}'", "a".repeat(1_000_000)),
        ),
        (
            format!("RETURN 1 followed by {} spaces", MAX_QUERY_BYTES),
            format!("RETURN 1{}", " ".repeat(MAX_QUERY_BYTES)),
        ),
    ]
}

fn render(description: &str, text: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "---------- Input ----------\n{description}");
    match Query::parse(text) {
        Ok(q) => {
            let _ = writeln!(out, "---------- Parsed (no error!) ----------\n{q}");
        }
        Err(e) => {
            let _ = writeln!(out, "---------- Error ----------\n{e}");
            let _ = writeln!(
                out,
                "kind: {:?}, span: {:?}, line: {}, column: {}, expected: {:?}, found: {:?}",
                e.kind(),
                e.span(),
                e.line(),
                e.column(),
                e.expected(),
                e.found()
            );
        }
    }
    out.push('\n');
    out
}

#[test]
fn error_goldens() {
    let mut all = String::new();
    for (description, text) in cases() {
        let rendered = render(&description, &text);
        assert!(
            rendered.contains("---------- Error"),
            "expected an error:\n{rendered}"
        );
        all.push_str(&rendered);
    }
    check_golden("errors.txt", &all);
}

fn kind_of(text: &str) -> Option<ParseErrorKind> {
    Query::parse(text).err().map(|e| e.kind())
}

#[test]
fn error_kinds() {
    let deep = 10_000;
    let expectations = [
        (
            format!("RETURN {}1{}", "(".repeat(deep), ")".repeat(deep)),
            ParseErrorKind::TooDeep,
        ),
        (
            format!("RETURN {}{}", "[".repeat(deep), "]".repeat(deep)),
            ParseErrorKind::TooDeep,
        ),
        (
            format!("RETURN {}1{}", "-(".repeat(deep), ")".repeat(deep)),
            ParseErrorKind::TooDeep,
        ),
        (
            format!("RETURN {}true", "NOT ".repeat(deep)),
            ParseErrorKind::TooDeep,
        ),
        (
            format!("RETURN '{}'", "a".repeat(1_000_000)),
            ParseErrorKind::LiteralTooLarge,
        ),
        (
            format!("RETURN 1{}", " ".repeat(MAX_QUERY_BYTES)),
            ParseErrorKind::TooLong,
        ),
        ("RETURN 'abc".to_string(), ParseErrorKind::UnterminatedString),
        (r"RETURN '\q'".to_string(), ParseErrorKind::InvalidEscape),
        (
            "RETURN 9223372036854775808".to_string(),
            ParseErrorKind::IntegerOverflow,
        ),
        ("RETURN 1.34E999".to_string(), ParseErrorKind::FloatOverflow),
        ("RETURN 0x".to_string(), ParseErrorKind::InvalidNumber),
        ("RETURN 42 — 41".to_string(), ParseErrorKind::InvalidCharacter),
        ("RETURN /* x".to_string(), ParseErrorKind::UnterminatedComment),
        ("MATCH (a RETURN a".to_string(), ParseErrorKind::Syntax),
    ];
    for (text, kind) in expectations {
        let head: String = text.chars().take(40).collect();
        assert_eq!(kind_of(&text), Some(kind), "{head}");
    }
}

#[test]
fn errors_on_a_small_stack() {
    // The four 10,000-deep inputs, parsed on a 2 MiB thread.
    let deep = 10_000;
    let inputs = vec![
        format!("RETURN {}1{}", "(".repeat(deep), ")".repeat(deep)),
        format!("RETURN {}{}", "[".repeat(deep), "]".repeat(deep)),
        format!("RETURN {}1{}", "-(".repeat(deep), ")".repeat(deep)),
        format!("RETURN {}true", "NOT ".repeat(deep)),
    ];
    for text in inputs {
        let kind = std::thread::Builder::new()
            .stack_size(2 * 1024 * 1024)
            .spawn(move || kind_of(&text))
            .ok()
            .and_then(|h| h.join().ok());
        assert_eq!(kind, Some(Some(ParseErrorKind::TooDeep)));
    }
}

#[test]
fn display_shape() {
    let err = Query::parse("MATCH (n)\nMATCH (c:Company RETURN c")
        .err()
        .map(|e| e.to_string());
    assert_eq!(
        err.as_deref(),
        Some(
            "syntax error at line 2, column 18: expected ')', found 'RETURN'\n  |\n2 | MATCH (c:Company RETURN c\n  |                  ^^^^^^"
        )
    );
    // std::error::Error is implemented.
    let boxed: Option<Box<dyn std::error::Error>> = Query::parse("RETURN")
        .err()
        .map(|e| Box::new(e) as Box<dyn std::error::Error>);
    assert!(boxed.is_some());
}
