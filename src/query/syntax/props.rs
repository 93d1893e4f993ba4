//! Property tests on the crate-private AST: random trees print to text that
//! parses back to an equal tree (spans aside).
//!
//! The generator only builds trees the parser can produce: pattern
//! predicates stand only where a boolean is expected (under `AND`, `OR`,
//! `XOR`, `NOT`, or as a whole `WHERE`), `RETURN` has no `WHERE`, a
//! shortest-path range always has a length, and function names avoid the
//! words with a syntax of their own (`count`, `any`, `reduce`, ...).
//! Subqueries (`EXISTS { ... }`, `COUNT { ... }`, `COLLECT { ... }`,
//! `CALL { ... }`) hold small queries built from the expression strategy of
//! their level, and `YIELD *` appears only in a statement of one `CALL`.

use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;

use crate::query::syntax::ast::*;
use crate::query::syntax::span::Span;
use crate::query::syntax::Query;

fn sp() -> Span {
    Span::default()
}

fn id(name: String) -> Ident {
    Ident { name, span: sp() }
}

fn ex(kind: ExprKind) -> Expr {
    Expr::new(kind, sp())
}

fn bx(e: Expr) -> Box<Expr> {
    Box::new(e)
}

/// Names, including ones that need back-quotes or are keywords.
fn name() -> impl Strategy<Value = Ident> {
    prop_oneof![
        4 => prop::sample::select(vec!["a", "b", "n", "x", "_y", "count", "名字", "公司"]),
        1 => prop::sample::select(vec!["weird name", "a`b", "MATCH", "where", "1a", "", "true", "Order"]),
    ]
    .prop_map(|s| id(s.to_string()))
}

fn fn_name() -> impl Strategy<Value = Ident> {
    prop::sample::select(vec!["f", "toUpper", "size", "coalesce", "名"]).prop_map(|s| id(s.into()))
}

fn literal() -> impl Strategy<Value = Literal> {
    prop_oneof![
        Just(Literal::Null),
        any::<bool>().prop_map(Literal::Bool),
        any::<i64>().prop_map(Literal::Integer),
        prop_oneof![
            any::<f64>(),
            prop::sample::select(vec![0.0, -0.0, 1.0, 0.5, 1e100, 1e-7, 123.456])
        ]
        .prop_filter("finite", |x| x.is_finite())
        .prop_map(Literal::Float),
        "[a-z '\"\\\\\n\t中文😀\u{1}]{0,8}".prop_map(Literal::String),
    ]
}

fn leaf() -> impl Strategy<Value = Expr> {
    prop_oneof![
        4 => literal().prop_map(|l| ex(ExprKind::Literal(l))),
        1 => prop::sample::select(vec!["p", "0", "12", "名", "a b"])
            .prop_map(|p| ex(ExprKind::Param(p.into()))),
        4 => name().prop_map(|v| ex(ExprKind::Var(v))),
        1 => Just(ex(ExprKind::CountStar)),
    ]
}

fn map_literal(value: BoxedStrategy<Expr>) -> impl Strategy<Value = Expr> {
    vec((name(), value), 0..3).prop_map(|entries| ex(ExprKind::Map(entries)))
}

/// Properties of a node or relationship pattern.
fn props(value: BoxedStrategy<Expr>) -> impl Strategy<Value = Option<Box<Expr>>> {
    option::of(prop_oneof![
        3 => map_literal(value),
        1 => Just(ex(ExprKind::Param("props".into()))),
    ])
    .prop_map(|p| p.map(bx))
}

fn node(value: BoxedStrategy<Expr>) -> impl Strategy<Value = NodePattern> {
    (option::of(name()), vec(name(), 0..3), props(value)).prop_map(|(var, labels, props)| NodePattern {
        var,
        labels,
        props,
        span: sp(),
    })
}

fn range() -> impl Strategy<Value = Range> {
    (
        option::of(prop_oneof![0u64..10, any::<u64>()]),
        option::of(0u64..10),
    )
        .prop_map(|(min, max)| Range { min, max })
}

fn rel(value: BoxedStrategy<Expr>) -> impl Strategy<Value = RelPattern> {
    (
        option::of(name()),
        vec(name(), 0..3),
        prop::sample::select(vec![Direction::Outgoing, Direction::Incoming, Direction::Both]),
        option::of(range()),
        option::of(prop::sample::select(vec![
            ShortestKind::Shortest,
            ShortestKind::AllShortest,
        ])),
        props(value),
    )
        .prop_map(|(var, types, direction, length, shortest, props)| RelPattern {
            var,
            types,
            direction,
            // A shortest-path range always prints a `*`, which reads back as a length.
            length: if shortest.is_some() {
                Some(length.unwrap_or(Range { min: None, max: None }))
            } else {
                length
            },
            shortest,
            props,
            span: sp(),
        })
}

/// A pattern element with at least `min_rels` relationships.
fn element(value: BoxedStrategy<Expr>, min_rels: usize) -> impl Strategy<Value = PatternElement> {
    (
        node(value.clone()),
        vec((rel(value.clone()), node(value)), min_rels..min_rels + 3),
    )
        .prop_map(|(start, chain)| PatternElement {
            start,
            chain,
            span: sp(),
        })
}

fn pattern_predicate(value: BoxedStrategy<Expr>) -> impl Strategy<Value = Expr> {
    element(value, 1).prop_map(|el| ex(ExprKind::Pattern(Box::new(el))))
}

fn binary_op() -> impl Strategy<Value = BinaryOp> {
    prop::sample::select(vec![
        BinaryOp::Or,
        BinaryOp::Xor,
        BinaryOp::And,
        BinaryOp::Add,
        BinaryOp::Sub,
        BinaryOp::Mul,
        BinaryOp::Div,
        BinaryOp::Mod,
        BinaryOp::Pow,
    ])
}

fn cmp_op() -> impl Strategy<Value = CmpOp> {
    prop::sample::select(vec![
        CmpOp::Eq,
        CmpOp::Ne,
        CmpOp::Lt,
        CmpOp::Le,
        CmpOp::Gt,
        CmpOp::Ge,
    ])
}

/// Random expressions of bounded depth.
pub(crate) fn expr() -> BoxedStrategy<Expr> {
    leaf()
        .prop_recursive(4, 64, 4, |inner| {
            let small: BoxedStrategy<Expr> = leaf().boxed();
            let boolean = prop_oneof![
                3 => inner.clone(),
                1 => pattern_predicate(small.clone()),
            ]
            .boxed();
            let opt = |s: BoxedStrategy<Expr>| option::of(s).prop_map(|o| o.map(bx));
            prop_oneof![
                (inner.clone(), name()).prop_map(|(b, key)| ex(ExprKind::Property { base: bx(b), key })),
                (inner.clone(), inner.clone()).prop_map(|(b, i)| ex(ExprKind::Index {
                    base: bx(b),
                    index: bx(i)
                })),
                (inner.clone(), opt(inner.clone()), opt(inner.clone())).prop_map(|(b, from, to)| {
                    ex(ExprKind::Slice {
                        base: bx(b),
                        from,
                        to,
                    })
                }),
                (inner.clone(), vec(name(), 1..3))
                    .prop_map(|(b, labels)| ex(ExprKind::HasLabels { base: bx(b), labels })),
                (
                    vec(name(), 0..2),
                    fn_name(),
                    any::<bool>(),
                    vec(inner.clone(), 0..3)
                )
                    .prop_map(|(namespace, name, distinct, args)| ex(ExprKind::FnCall {
                        namespace,
                        name,
                        distinct,
                        args
                    })),
                (
                    prop::sample::select(vec![UnaryOp::Neg, UnaryOp::Plus]),
                    inner.clone()
                )
                    .prop_map(|(op, o)| ex(ExprKind::Unary { op, operand: bx(o) })),
                boolean.clone().prop_map(|o| ex(ExprKind::Unary {
                    op: UnaryOp::Not,
                    operand: bx(o)
                })),
                (
                    binary_op(),
                    inner.clone(),
                    inner.clone(),
                    boolean.clone(),
                    boolean.clone()
                )
                    .prop_map(|(op, l, r, bl, br)| {
                        let logical = matches!(op, BinaryOp::And | BinaryOp::Or | BinaryOp::Xor);
                        let (lhs, rhs) = if logical { (bl, br) } else { (l, r) };
                        ex(ExprKind::Binary {
                            op,
                            lhs: bx(lhs),
                            rhs: bx(rhs),
                        })
                    }),
                (inner.clone(), vec((cmp_op(), inner.clone()), 1..3))
                    .prop_map(|(f, rest)| ex(ExprKind::Compare { first: bx(f), rest })),
                (inner.clone(), any::<bool>())
                    .prop_map(|(e, negated)| ex(ExprKind::IsNull { expr: bx(e), negated })),
                (inner.clone(), inner.clone()).prop_map(|(l, r)| ex(ExprKind::In {
                    lhs: bx(l),
                    rhs: bx(r)
                })),
                (
                    prop::sample::select(vec![StringOp::StartsWith, StringOp::EndsWith, StringOp::Contains]),
                    inner.clone(),
                    inner.clone()
                )
                    .prop_map(|(op, l, r)| ex(ExprKind::StringOp {
                        op,
                        lhs: bx(l),
                        rhs: bx(r)
                    })),
                (inner.clone(), inner.clone()).prop_map(|(l, r)| ex(ExprKind::Regex {
                    lhs: bx(l),
                    rhs: bx(r)
                })),
                vec(inner.clone(), 0..4).prop_map(|items| ex(ExprKind::List(items))),
                map_literal(inner.clone()),
                (
                    opt(inner.clone()),
                    vec((inner.clone(), inner.clone()), 1..3),
                    opt(inner.clone())
                )
                    .prop_map(|(operand, whens, else_)| ex(ExprKind::Case {
                        operand,
                        whens,
                        else_
                    })),
                (name(), inner.clone(), opt(boolean.clone()), opt(inner.clone())).prop_map(
                    |(var, list, where_, map)| ex(ExprKind::ListComp {
                        var,
                        list: bx(list),
                        where_,
                        map
                    })
                ),
                (
                    option::of(name()),
                    element(small.clone(), 1),
                    opt(boolean.clone()),
                    inner.clone()
                )
                    .prop_map(|(var, pattern, where_, map)| ex(ExprKind::PatternComp {
                        var,
                        pattern: Box::new(pattern),
                        where_,
                        map: bx(map)
                    })),
                (
                    prop::sample::select(vec![
                        QuantifierKind::All,
                        QuantifierKind::Any,
                        QuantifierKind::None,
                        QuantifierKind::Single
                    ]),
                    name(),
                    inner.clone(),
                    opt(boolean.clone())
                )
                    .prop_map(|(kind, var, list, where_)| ex(ExprKind::Quantifier {
                        kind,
                        var,
                        list: bx(list),
                        where_
                    })),
                (name(), inner.clone(), name(), inner.clone(), inner.clone()).prop_map(
                    |(acc, init, var, list, e)| ex(ExprKind::Reduce {
                        acc,
                        init: bx(init),
                        var,
                        list: bx(list),
                        expr: bx(e)
                    })
                ),
                (
                    name(),
                    vec(
                        prop_oneof![
                            name().prop_map(MapProjItem::Property),
                            (name(), inner.clone()).prop_map(|(k, v)| MapProjItem::Literal(k, v)),
                            name().prop_map(MapProjItem::Var),
                            Just(MapProjItem::AllProps),
                        ],
                        0..3
                    )
                )
                    .prop_map(|(var, items)| ex(ExprKind::MapProjection { var, items })),
                subquery(inner.clone(), boolean.clone()),
            ]
        })
        .boxed()
}

/// `EXISTS { ... }`, `COUNT { ... }` or `COLLECT { ... }` around patterns or
/// a small query whose expressions come from `value` (`boolean` where a
/// pattern predicate may stand).
fn subquery(value: BoxedStrategy<Expr>, boolean: BoxedStrategy<Expr>) -> impl Strategy<Value = Expr> {
    let patterns = (vec(pattern_part(), 1..3), option::of(boolean.clone()))
        .prop_map(|(patterns, where_)| SubqueryBody::Patterns { patterns, where_ });
    (
        prop::sample::select(vec![
            SubqueryKind::Exists,
            SubqueryKind::Count,
            SubqueryKind::Collect,
        ]),
        prop_oneof![
            patterns,
            small_query(value, boolean).prop_map(SubqueryBody::Query)
        ],
    )
        .prop_map(|(kind, body)| {
            ex(ExprKind::Subquery {
                kind,
                body: Box::new(body),
            })
        })
}

/// A query of one to three simple clauses (and maybe a `UNION` of two) whose
/// expressions come from `value`: the body of a subquery.
fn small_query(value: BoxedStrategy<Expr>, boolean: BoxedStrategy<Expr>) -> impl Strategy<Value = Query_> {
    let clause = prop_oneof![
        (vec(pattern_part(), 1..3), option::of(boolean.clone())).prop_map(|(patterns, where_)| {
            ClauseKind::Match {
                optional: false,
                patterns,
                where_,
            }
        }),
        (value.clone(), name()).prop_map(|(expr, var)| ClauseKind::Unwind { expr, var }),
        projection_of(value.clone(), boolean.clone(), true).prop_map(ClauseKind::With),
        projection_of(value.clone(), boolean.clone(), false).prop_map(ClauseKind::Return),
        procedure_call(value, boolean).prop_map(ClauseKind::Call),
    ]
    .prop_map(|kind| Clause { kind, span: sp() });
    (vec(vec(clause, 1..3), 1..3), any::<bool>()).prop_map(|(parts, all)| Query_ {
        union_all: vec![all; parts.len() - 1],
        parts: parts
            .into_iter()
            .map(|clauses| SingleQuery { clauses, span: sp() })
            .collect(),
        span: sp(),
    })
}

/// `CALL ns.name[(args)] [YIELD items [WHERE ...]]`, never `YIELD *`.
fn procedure_call(
    value: BoxedStrategy<Expr>,
    boolean: BoxedStrategy<Expr>,
) -> impl Strategy<Value = ProcedureCall> {
    let item = (name(), option::of(name())).prop_map(|(field, alias)| YieldItem {
        field,
        alias,
        span: sp(),
    });
    let yield_ = (vec(item, 1..3), option::of(boolean)).prop_map(|(items, where_)| Yield {
        star: false,
        items,
        where_,
        span: sp(),
    });
    (
        vec(name(), 0..3),
        name(),
        option::of(vec(value, 0..3)),
        option::of(yield_),
    )
        .prop_map(|(namespace, name, args, yield_)| ProcedureCall {
            namespace,
            name,
            args,
            yield_,
        })
}

/// A `WHERE` expression: any expression, or a bare pattern predicate.
fn where_expr() -> impl Strategy<Value = Expr> {
    prop_oneof![4 => expr(), 1 => pattern_predicate(leaf().boxed())]
}

fn pattern_part() -> impl Strategy<Value = PatternPart> {
    (
        option::of(name()),
        prop::sample::select(vec![PathKind::Plain, PathKind::Shortest, PathKind::AllShortest]),
        element(leaf().boxed(), 0),
    )
        .prop_map(|(var, kind, element)| PatternPart {
            var,
            kind,
            element,
            span: sp(),
        })
}

fn projection(with_where: bool) -> impl Strategy<Value = Projection> {
    projection_of(expr(), where_expr().boxed(), with_where)
}

/// A projection whose expressions come from `value`, its `WHERE` from `boolean`.
fn projection_of(
    value: BoxedStrategy<Expr>,
    boolean: BoxedStrategy<Expr>,
    with_where: bool,
) -> impl Strategy<Value = Projection> {
    (
        any::<bool>(),
        any::<bool>(),
        vec((value.clone(), option::of(name())), 0..3),
        vec((value.clone(), any::<bool>()), 0..2),
        option::of(value.clone()),
        option::of(value),
        option::of(boolean),
    )
        .prop_map(move |(distinct, star, items, order, skip, limit, where_)| {
            let mut items: Vec<ProjItem> = items
                .into_iter()
                .map(|(expr, alias)| ProjItem {
                    expr,
                    alias,
                    span: sp(),
                })
                .collect();
            if !star && items.is_empty() {
                items.push(ProjItem {
                    expr: ex(ExprKind::Literal(Literal::Integer(1))),
                    alias: None,
                    span: sp(),
                });
            }
            Projection {
                distinct,
                star,
                items,
                order_by: order
                    .into_iter()
                    .map(|(expr, descending)| SortItem {
                        expr,
                        descending,
                        span: sp(),
                    })
                    .collect(),
                skip,
                limit,
                where_: if with_where { where_ } else { None },
                span: sp(),
            }
        })
}

fn set_item() -> impl Strategy<Value = SetItem> {
    prop_oneof![
        (expr(), name(), expr()).prop_map(|(base, key, value)| SetItem::Property {
            base,
            key,
            value,
            span: sp()
        }),
        (name(), expr()).prop_map(|(var, value)| SetItem::Replace {
            var,
            value,
            span: sp()
        }),
        (name(), expr()).prop_map(|(var, value)| SetItem::Merge {
            var,
            value,
            span: sp()
        }),
        (name(), vec(name(), 1..3)).prop_map(|(var, labels)| SetItem::Labels {
            var,
            labels,
            span: sp()
        }),
    ]
}

fn clause() -> impl Strategy<Value = Clause> {
    prop_oneof![
        (any::<bool>(), vec(pattern_part(), 1..3), option::of(where_expr())).prop_map(
            |(optional, patterns, where_)| ClauseKind::Match {
                optional,
                patterns,
                where_
            }
        ),
        (expr(), name()).prop_map(|(expr, var)| ClauseKind::Unwind { expr, var }),
        projection(true).prop_map(ClauseKind::With),
        projection(false).prop_map(ClauseKind::Return),
        vec(pattern_part(), 1..3).prop_map(|patterns| ClauseKind::Create { patterns }),
        (pattern_part(), vec((any::<bool>(), vec(set_item(), 1..3)), 0..3)).prop_map(|(pattern, actions)| {
            ClauseKind::Merge {
                pattern,
                actions: actions
                    .into_iter()
                    .map(|(on_create, items)| MergeAction {
                        on_create,
                        items,
                        span: sp(),
                    })
                    .collect(),
            }
        }),
        vec(set_item(), 1..3).prop_map(|items| ClauseKind::Set { items }),
        vec(
            prop_oneof![
                (expr(), name()).prop_map(|(base, key)| RemoveItem::Property {
                    base,
                    key,
                    span: sp()
                }),
                (name(), vec(name(), 1..3)).prop_map(|(var, labels)| RemoveItem::Labels {
                    var,
                    labels,
                    span: sp()
                }),
            ],
            1..3
        )
        .prop_map(|items| ClauseKind::Remove { items }),
        (any::<bool>(), vec(expr(), 1..3)).prop_map(|(detach, exprs)| ClauseKind::Delete { detach, exprs }),
        procedure_call(expr(), where_expr().boxed()).prop_map(ClauseKind::Call),
        (
            small_query(expr(), where_expr().boxed()),
            option::of(option::of(expr()))
        )
            .prop_map(|(query, in_transactions)| ClauseKind::CallSubquery {
                query: Box::new(query),
                in_transactions: in_transactions.map(|rows| InTransactions { rows, span: sp() }),
            }),
    ]
    .prop_map(|kind| Clause { kind, span: sp() })
}

/// A standalone call: a statement of one `CALL`, which may `YIELD *`.
fn standalone_call() -> impl Strategy<Value = Statement> {
    (
        prefix(),
        procedure_call(expr(), where_expr().boxed()),
        any::<bool>(),
    )
        .prop_map(|((explain, profile), mut call, star)| {
            if star {
                call.yield_ = Some(Yield {
                    star: true,
                    items: Vec::new(),
                    where_: None,
                    span: sp(),
                });
            }
            Statement {
                explain,
                profile,
                query: Query_ {
                    parts: vec![SingleQuery {
                        clauses: vec![Clause {
                            kind: ClauseKind::Call(call),
                            span: sp(),
                        }],
                        span: sp(),
                    }],
                    union_all: Vec::new(),
                    span: sp(),
                },
                span: sp(),
            }
        })
}

/// The statement's prefix as `(explain, profile)`: none, `EXPLAIN` or `PROFILE` (never both).
fn prefix() -> impl Strategy<Value = (bool, bool)> {
    prop_oneof![Just((false, false)), Just((true, false)), Just((false, true))]
}

fn statement() -> impl Strategy<Value = Statement> {
    (prefix(), vec((vec(clause(), 1..4), any::<bool>()), 1..3)).prop_map(|((explain, profile), parts)| {
        let union_all = parts.iter().skip(1).map(|(_, all)| *all).collect();
        Statement {
            explain,
            profile,
            query: Query_ {
                parts: parts
                    .into_iter()
                    .map(|(clauses, _)| SingleQuery { clauses, span: sp() })
                    .collect(),
                union_all,
                span: sp(),
            },
            span: sp(),
        }
    })
}

use crate::query::syntax::ast::Query as Query_;

fn round_trip(stmt: &Statement) -> Result<(), TestCaseError> {
    let text = stmt.to_string();
    let parsed = Query::parse(&text)
        .map_err(|e| TestCaseError::fail(format!("printed text does not parse:\n{text}\n{e}")))?;
    prop_assert_eq!(parsed.statement(), stmt, "text: {}", text);
    prop_assert_eq!(parsed.to_string(), text);
    Ok(())
}

fn return_of(e: Expr) -> Statement {
    Statement {
        explain: false,
        profile: false,
        query: Query_ {
            parts: vec![SingleQuery {
                clauses: vec![Clause {
                    kind: ClauseKind::Return(Projection {
                        distinct: false,
                        star: false,
                        items: vec![ProjItem {
                            expr: e,
                            alias: None,
                            span: sp(),
                        }],
                        order_by: Vec::new(),
                        skip: None,
                        limit: None,
                        where_: None,
                        span: sp(),
                    }),
                    span: sp(),
                }],
                span: sp(),
            }],
            union_all: Vec::new(),
            span: sp(),
        },
        span: sp(),
    }
}

#[test]
fn the_generator_reaches_calls_and_subqueries() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let (mut calls, mut call_subqueries, mut subqueries) = (0, 0, 0);
    for _ in 0..300 {
        let Ok(tree) = statement().new_tree(&mut runner) else {
            continue;
        };
        let text = tree.current().to_string();
        calls += text.matches("CALL ").count() - text.matches("CALL {").count();
        call_subqueries += text.matches("CALL {").count();
        subqueries += ["EXISTS {", "COUNT {", "COLLECT {"]
            .iter()
            .map(|k| text.matches(k).count())
            .sum::<usize>();
    }
    assert!(
        calls > 10 && call_subqueries > 10 && subqueries > 10,
        "{calls} calls, {call_subqueries} CALL subqueries, {subqueries} subquery expressions"
    );
}

/// 768 cases per property unless `PROPTEST_CASES` says otherwise.
fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(768);
    ProptestConfig {
        cases,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn expressions_print_and_parse_back(e in expr()) {
        round_trip(&return_of(e))?;
    }

    #[test]
    fn where_clauses_print_and_parse_back(w in where_expr(), p in pattern_part()) {
        let stmt = Statement {
            explain: false,
            profile: false,
            query: Query_ {
                parts: vec![SingleQuery {
                    clauses: vec![Clause {
                        kind: ClauseKind::Match { optional: false, patterns: vec![p], where_: Some(w) },
                        span: sp(),
                    }],
                    span: sp(),
                }],
                union_all: Vec::new(),
                span: sp(),
            },
            span: sp(),
        };
        round_trip(&stmt)?;
    }

    #[test]
    fn statements_print_and_parse_back(s in statement()) {
        round_trip(&s)?;
    }

    #[test]
    fn standalone_calls_print_and_parse_back(s in standalone_call()) {
        round_trip(&s)?;
    }
}
