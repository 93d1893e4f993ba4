//! Rendered query errors through the public API: `QueryError`'s `Display`, `kind_name()`,
//! `phase()`, `line()` and `column()`, for syntax, semantic, unsupported and runtime errors,
//! with exact expected text.
//!
//! Columns count characters, not bytes: a Chinese character is one column (and two
//! terminal cells wide, which the caret line of a syntax error accounts for).
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use kgraph::{Graph, ParseErrorKind, Query, QueryError, RuntimeKind, SemanticKind, UnsupportedKind};

/// What one failing query must report.
struct Expect<'a> {
    display: &'a str,
    kind: &'static str,
    phase: &'static str,
    line: Option<usize>,
    column: Option<usize>,
}

/// Runs `query` read-only on the embedded dataset and checks the error against `want`.
#[track_caller]
fn check(query: &str, want: &Expect<'_>) -> QueryError {
    let g = Graph::ecosystem().expect("the embedded dataset loads");
    let err = match g.query(query).run() {
        Ok(r) => panic!("{query:?} should fail, got {} rows", r.len()),
        Err(e) => e,
    };
    assert_eq!(err.to_string(), want.display, "Display of {query:?}");
    assert_eq!(err.kind_name(), want.kind, "kind_name of {query:?}");
    assert_eq!(err.phase(), want.phase, "phase of {query:?}");
    assert_eq!(err.line(), want.line, "line of {query:?}");
    assert_eq!(err.column(), want.column, "column of {query:?}");
    err
}

// ---------------------------------------------------------------------------------------
// Syntax errors
// ---------------------------------------------------------------------------------------

#[test]
fn syntax_error_after_chinese_text_counts_columns_in_characters() {
    let q = "MATCH (c:Company {name: '阿斯利康'}) RETURN c.name AS 名字 +";
    // 53 characters come before the '+', so it is column 54; six of them (阿斯利康, 名字)
    // are two cells wide, so the caret stands 53 + 6 = 59 cells in.
    let display = format!(
        "syntax error at line 1, column 54: expected ',', a clause or end of input, found '+'\n  |\n1 | {q}\n  | {}^",
        " ".repeat(59)
    );
    let err = check(
        q,
        &Expect {
            display: &display,
            kind: "SyntaxError",
            phase: "compile",
            line: Some(1),
            column: Some(54),
        },
    );
    let QueryError::Syntax(p) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(p.kind(), ParseErrorKind::Syntax);
    assert_eq!(p.found(), "+");
    assert_eq!(p.expected(), ["','", "a clause", "end of input"]);
    // Byte offsets: 53 characters, 6 of them 3 bytes long in UTF-8.
    assert_eq!(p.span(), (53 + 6 * 2, 53 + 6 * 2 + 1));
    assert_eq!(p.message(), "expected ',', a clause or end of input, found '+'");
}

#[test]
fn syntax_error_at_the_end_after_a_chinese_comment() {
    // 21 characters (注释 two cells wide each): the end of input is column 22, the caret
    // 21 + 2 = 23 cells in.
    let q = "RETURN 1 +  /* 注释 */ ";
    let display = format!(
        "syntax error at line 1, column 22: expected an expression, found end of input\n  |\n1 | {q}\n  | {}^",
        " ".repeat(23)
    );
    check(
        q,
        &Expect {
            display: &display,
            kind: "SyntaxError",
            phase: "compile",
            line: Some(1),
            column: Some(22),
        },
    );
}

#[test]
fn an_invalid_character_after_chinese_text_gets_a_hint() {
    let q = "RETURN '北京' — 1";
    let display = format!(
        "syntax error at line 1, column 13: invalid character '—' (U+2014); did you mean '-'?\n  |\n1 | {q}\n  | {}^",
        " ".repeat(14)
    );
    let err = check(
        q,
        &Expect {
            display: &display,
            kind: "SyntaxError",
            phase: "compile",
            line: Some(1),
            column: Some(13),
        },
    );
    let QueryError::Syntax(p) = err else { panic!() };
    assert_eq!(p.kind(), ParseErrorKind::InvalidCharacter);
}

#[test]
fn syntax_error_in_a_multi_line_query_shows_its_own_line() {
    let q = "MATCH (c:Company)\nWHERE c.name_zh = '辉瑞' AND\nRETURN c.name";
    check(
        q,
        &Expect {
            display: "syntax error at line 3, column 1: expected an expression, found 'RETURN'\n  |\n3 | RETURN c.name\n  | ^^^^^^",
            kind: "SyntaxError",
            phase: "compile",
            line: Some(3),
            column: Some(1),
        },
    );
}

#[test]
fn syntax_error_with_crlf_line_ends() {
    let q = "MATCH (c:Company)\r\nWHERE c.name_zh = '辉瑞'\r\nRETURN c.name AS 名 ORDER";
    // Line 3 has 24 characters (名 two cells wide): the end of input is column 25.
    let display = format!(
        "syntax error at line 3, column 25: expected 'BY', found end of input\n  |\n3 | RETURN c.name AS 名 ORDER\n  | {}^",
        " ".repeat(25)
    );
    check(
        q,
        &Expect {
            display: &display,
            kind: "SyntaxError",
            phase: "compile",
            line: Some(3),
            column: Some(25),
        },
    );
}

#[test]
fn lexer_errors_point_at_the_token() {
    for (q, kind, line, column, message) in [
        (
            r"RETURN 'a\qb'",
            ParseErrorKind::InvalidEscape,
            1,
            10,
            r#"invalid escape sequence '\q' (valid: \\ \' \" \b \f \n \r \t \uXXXX \UXXXXXXXX)"#,
        ),
        (
            "RETURN 99999999999999999999",
            ParseErrorKind::IntegerOverflow,
            1,
            8,
            "integer literal '99999999999999999999' does not fit in a 64-bit signed integer",
        ),
        (
            "MATCH (n)\nRETURN '中文",
            ParseErrorKind::UnterminatedString,
            2,
            8,
            "",
        ),
    ] {
        let err = Query::parse(q).unwrap_err();
        assert_eq!(err.kind(), kind, "{q}");
        assert_eq!((err.line(), err.column()), (line, column), "{q}");
        if !message.is_empty() {
            assert_eq!(err.message(), message, "{q}");
        }
        // The same error through the query API.
        let via_query = Graph::new().query(q).run().unwrap_err();
        assert_eq!(via_query.to_string(), err.to_string());
        assert_eq!((via_query.line(), via_query.column()), (Some(line), Some(column)));
    }
}

// ---------------------------------------------------------------------------------------
// Semantic errors
// ---------------------------------------------------------------------------------------

#[test]
fn unknown_variable_on_a_later_line() {
    let q = "MATCH (c:Company)\nWHERE c.name = '辉瑞'\nRETURN c.name AS n,\n  x.name AS m";
    let err = check(
        q,
        &Expect {
            display: "variable 'x' is not defined; did you mean 'c'? (line 4, column 3)",
            kind: "SyntaxError",
            phase: "compile",
            line: Some(4),
            column: Some(3),
        },
    );
    assert!(matches!(
        err,
        QueryError::Semantic {
            kind: SemanticKind::UndefinedVariable,
            ..
        }
    ));
}

#[test]
fn unknown_variable_after_chinese_text_and_a_tab() {
    check(
        "MATCH (c:Company)\nWHERE c.name_zh = '辉瑞' RETURN 中文",
        &Expect {
            display: "variable '中文' is not defined; did you mean 'c'? (line 2, column 31)",
            kind: "SyntaxError",
            phase: "compile",
            line: Some(2),
            column: Some(31),
        },
    );
    // A tab is one character.
    check(
        "MATCH (c:Company)\n\tRETURN c.name AS n, d",
        &Expect {
            display: "variable 'd' is not defined; did you mean 'c'? (line 2, column 22)",
            kind: "SyntaxError",
            phase: "compile",
            line: Some(2),
            column: Some(22),
        },
    );
}

#[test]
fn other_semantic_errors() {
    let err = check(
        // (A camel-case near miss such as `toUpperr` gets the hint in lower case,
        // 'toupper': see the report; `sizee` is spelt the same either way.)
        "RETURN sizee([1])",
        &Expect {
            display: "unknown function 'sizee'; did you mean 'size'? (line 1, column 8)",
            kind: "SyntaxError",
            phase: "compile",
            line: Some(1),
            column: Some(8),
        },
    );
    assert!(matches!(
        err,
        QueryError::Semantic {
            kind: SemanticKind::UnknownFunction,
            ..
        }
    ));
    check(
        "MATCH (n) RETURN n.name AS a, n.name AS a",
        &Expect {
            display: "column 'a' appears twice (line 1, column 31)",
            kind: "SyntaxError",
            phase: "compile",
            line: Some(1),
            column: Some(31),
        },
    );
    let err = check(
        "RETURN $missing",
        &Expect {
            display: "parameter $missing was not given (line 1, column 8)",
            kind: "ParameterMissing",
            phase: "compile",
            line: Some(1),
            column: Some(8),
        },
    );
    assert!(matches!(
        err,
        QueryError::Semantic {
            kind: SemanticKind::ParameterMissing,
            ..
        }
    ));
    let err = check(
        "CREATE (n:X)",
        &Expect {
            display: "this query writes; run it with Graph::execute, not Graph::query (line 1, column 1)",
            kind: "SyntaxError",
            phase: "compile",
            line: Some(1),
            column: Some(1),
        },
    );
    assert!(matches!(
        err,
        QueryError::Semantic {
            kind: SemanticKind::ReadOnly,
            ..
        }
    ));
    check(
        "MATCH (c:Company) RETURN c.name ORDER BY c.name SKIP -1",
        &Expect {
            display: "SKIP must not be negative (line 1, column 54)",
            kind: "SyntaxError",
            phase: "compile",
            line: Some(1),
            column: Some(54),
        },
    );
}

// ---------------------------------------------------------------------------------------
// Runtime errors
// ---------------------------------------------------------------------------------------

#[test]
fn runtime_error_points_at_the_failing_expression() {
    // size('AstraZeneca') is 11: the division fails only when the data is read.
    let q = "MATCH (c:Company {name: 'AstraZeneca'})\nRETURN c.name AS n, 10 / (size(c.name) - 11) AS x";
    let err = check(
        q,
        &Expect {
            display: "division by zero (line 2, column 21)",
            kind: "ArithmeticError",
            phase: "runtime",
            line: Some(2),
            column: Some(21),
        },
    );
    assert!(matches!(
        err,
        QueryError::Runtime {
            kind: RuntimeKind::Arithmetic,
            ..
        }
    ));
    // The same query on a company with another name length runs.
    let g = Graph::ecosystem().unwrap();
    let r = g
        .query(&q.replace("AstraZeneca", "Pfizer"))
        .run()
        .expect("no division by zero for Pfizer");
    assert_eq!(r.get(0, "x"), Some(&kgraph::Value::Int(-2)));
}

#[test]
fn runtime_error_after_chinese_text() {
    check(
        "RETURN '辉瑞' AS 名, 1 / 0 AS x",
        &Expect {
            display: "division by zero (line 1, column 19)",
            kind: "ArithmeticError",
            phase: "runtime",
            line: Some(1),
            column: Some(19),
        },
    );
    check(
        "MATCH (c:Company {name: 'AstraZeneca'})\nRETURN substring(c.name, -1)",
        &Expect {
            display: "substring() start must not be negative (line 2, column 8)",
            kind: "ArgumentError",
            phase: "runtime",
            line: Some(2),
            column: Some(8),
        },
    );
    check(
        "RETURN 9223372036854775807 + 1",
        &Expect {
            display: "integer overflow (line 1, column 8)",
            kind: "ArithmeticError",
            phase: "runtime",
            line: Some(1),
            column: Some(8),
        },
    );
    check(
        "RETURN 'a' + {a: 1}",
        &Expect {
            display: "cannot apply + to String and Map (line 1, column 8)",
            kind: "TypeError",
            phase: "runtime",
            line: Some(1),
            column: Some(8),
        },
    );
}

// ---------------------------------------------------------------------------------------
// Constructs that parse but do not run yet
// ---------------------------------------------------------------------------------------

#[test]
fn unknown_procedures_are_procedure_errors_with_a_hint() {
    check(
        "CALL db.labelz()",
        &Expect {
            display: "there is no procedure 'db.labelz'; did you mean 'db.labels'? (line 1, column 6)",
            kind: "ProcedureError",
            phase: "compile",
            line: Some(1),
            column: Some(6),
        },
    );
    check(
        "MATCH (c:Company {name_zh: '辉瑞'})\n  CALL test.my.proc(c.name, 1) YIELD out AS o WHERE o > 1\nRETURN o",
        &Expect {
            display: "there is no procedure 'test.my.proc' (line 2, column 8)",
            kind: "ProcedureError",
            phase: "compile",
            line: Some(2),
            column: Some(8),
        },
    );
}

#[test]
fn call_in_transactions_parses_but_is_unsupported() {
    // A write with such a subquery is refused before it writes anything.
    let mut g = Graph::new();
    let err = g
        .execute("CREATE (a:A) WITH a CALL { CREATE (:B) } IN TRANSACTIONS OF 10 ROWS")
        .run()
        .unwrap_err();
    assert_eq!(
        (err.kind_name(), err.line(), err.column()),
        ("Unsupported", Some(1), Some(21))
    );
    assert!(matches!(
        err,
        QueryError::Unsupported {
            kind: UnsupportedKind::CallSubquery,
            ..
        }
    ));
    assert_eq!(g.node_count(), 0);
}

#[test]
fn subquery_expressions_that_write_are_refused() {
    // A subquery that writes is wrong whatever the engine supports.
    let err = check(
        "MATCH (n) WHERE exists {\n  MATCH (n)-->(m)\n  SET m.prop = 'fail'\n} RETURN n",
        &Expect {
            display: "EXISTS { ... } cannot contain a write clause (line 3, column 3)",
            kind: "SyntaxError",
            phase: "compile",
            line: Some(3),
            column: Some(3),
        },
    );
    assert!(matches!(
        err,
        QueryError::Semantic {
            kind: SemanticKind::InvalidClause,
            ..
        }
    ));
    // The function, the pattern predicate and the subquery agree.
    let g = Graph::ecosystem().expect("the embedded dataset loads");
    let q = "MATCH (c:Company) WHERE exists((c)-->()) AND (c)-->() RETURN count(c) AS n";
    let sub = "MATCH (c:Company) WHERE EXISTS { (c)-->() } RETURN count(c) AS n";
    assert_eq!(g.query(q).run().ok(), g.query(sub).run().ok());
}

#[test]
fn a_limit_error_has_no_position() {
    let g = Graph::new();
    let err = g
        .query("UNWIND range(1, 10) AS x RETURN x ORDER BY x")
        .max_sort_rows(5)
        .run()
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "ORDER BY would hold more than 5 rows; raise the row budget with max_rows()"
    );
    assert_eq!(err.kind_name(), "LimitExceeded");
    assert_eq!(err.phase(), "runtime");
    assert_eq!((err.line(), err.column()), (None, None));
    let err = g.query("RETURN range(1, 10000000000)").run().unwrap_err();
    assert_eq!(
        err.to_string(),
        "range() would make 10000000000 elements (at most 10000000) (line 1, column 8)"
    );
}

#[test]
fn errors_convert_into_the_crate_error_and_keep_their_text() {
    let g = Graph::new();
    let err = g.query("RETURN 1 / 0").run().unwrap_err();
    let text = err.to_string();
    let umbrella: kgraph::Error = err.into();
    assert_eq!(umbrella.to_string(), text);
    assert!(matches!(umbrella, kgraph::Error::Query(_)));
}
