//! Statements, queries and clauses, written with nom combinators.
//!
//! Clauses nest only through subqueries (`EXISTS { MATCH ... }`,
//! `CALL { ... }`), whose braces count many nesting levels at once (see
//! `SUBQUERY_LEVELS`), so these parsers can use nom's combinators, which
//! take far more stack than the expression parser (`expr.rs`) allows itself;
//! each clause's combinators sit in a function of their own so that only the
//! clause being read takes stack.

use nom::branch::alt;
use nom::combinator::{cut, map, opt, value};
use nom::multi::many0;
use nom::sequence::preceded;
use nom::Parser;

use super::expr::{expr, expr_list, label_list, property_target};
use super::pattern::pattern_part;
use super::{
    accept_kw, accept_p, at_variable, comma_list1, expect_p, kw, name, opt_kw, opt_p, variable, Expected,
    Input, PResult,
};
use crate::query::syntax::ast::*;
use crate::query::syntax::error::ParseErrorKind;
use crate::query::syntax::lexer::{Punct, Tok};

/// `[EXPLAIN | PROFILE] query [;]` and the end of the input.
///
/// `PROFILE` is not reserved (a variable may still be called `profile`): no statement starts
/// with a variable, so a leading `PROFILE` word can only be the prefix. The two prefixes
/// exclude each other: `EXPLAIN PROFILE ...` and `PROFILE EXPLAIN ...` are syntax errors at
/// the second one.
pub(crate) fn statement(i: Input<'_>) -> PResult<'_, Statement> {
    let start = i.span();
    // Some(true): EXPLAIN; Some(false): PROFILE.
    let prefix_kw = alt((value(true, opt_kw("EXPLAIN")), value(false, opt_kw("PROFILE"))));
    let (i, prefix) = opt(prefix_kw).parse(i)?;
    if let Some(first_explain) = prefix {
        let second = ["EXPLAIN", "PROFILE"].into_iter().find(|k| i.peek().is_kw(k));
        if let Some(second) = second {
            let first = if first_explain { "EXPLAIN" } else { "PROFILE" };
            return i.fatal(
                ParseErrorKind::Syntax,
                i.span(),
                format!(
                    "{second} cannot follow {first}: a statement is either explained (planned, \
                     not run) or profiled (run and measured), not both"
                ),
            );
        }
    }
    let (i, (query, _)) = (query, opt(opt_p(Punct::Semi))).parse(i)?;
    if !matches!(i.peek(), Tok::Eof) {
        return i.fail(Expected::What("end of input"));
    }
    let span = i.span_from(start);
    Ok((
        i,
        Statement {
            explain: prefix == Some(true),
            profile: prefix == Some(false),
            query,
            span,
        },
    ))
}

/// Single queries joined by `UNION [ALL]`.
pub(crate) fn query(i: Input<'_>) -> PResult<'_, Query> {
    let start = i.span();
    let union = preceded(opt_kw("UNION"), opt(opt_kw("ALL")));
    let (i, (first, rest)) = (single_query, many0((union, cut(single_query)))).parse(i)?;
    let mut parts = vec![first];
    let mut union_all = Vec::new();
    for (all, part) in rest {
        union_all.push(all.is_some());
        parts.push(part);
    }
    let span = i.span_from(start);
    Ok((
        i,
        Query {
            parts,
            union_all,
            span,
        },
    ))
}

/// Keywords of clauses outside the supported subset.
const UNSUPPORTED: &[&str] = &["LOAD", "USE", "FINISH"];

/// True when the current token starts a clause, supported or refused (and
/// is not, say, a path variable named `use` in `use = (a)-->(b)`).
pub(crate) fn at_clause(i: Input<'_>) -> bool {
    let t = i.peek();
    (clause_body(t).is_some() || UNSUPPORTED.iter().any(|k| t.is_kw(k))) && !i.peek_at(1).is(Punct::Eq)
}

/// One or more clauses.
fn single_query(i: Input<'_>) -> PResult<'_, SingleQuery> {
    let start = i.span();
    let (i, (first, rest)) = (clause, many0(clause)).parse(i)?;
    // Another clause could have followed: say so in the error message.
    i.ctx.expect_at(i.pos(), Expected::What("a clause"));
    let mut clauses = vec![first];
    clauses.extend(rest);
    let span = i.span_from(start);
    Ok((i, SingleQuery { clauses, span }))
}

/// One clause, chosen by its first keyword. A clause keyword commits: an
/// error after it is not backtracked.
///
/// Subqueries make this a recursive path (`EXISTS { MATCH ... }`), so the
/// dispatch stays small: each clause's combinators live in a function of
/// their own, and only the one that runs takes stack.
fn clause(i: Input<'_>) -> PResult<'_, Clause> {
    let start = i.span();
    let t = i.peek();
    let Some(body) = clause_body(t) else {
        if let Some(kw) = UNSUPPORTED.iter().find(|k| t.is_kw(k)) {
            return i.fatal(
                ParseErrorKind::Syntax,
                i.span(),
                format!("the {kw} clause is not supported"),
            );
        }
        return i.fail(Expected::What("a clause"));
    };
    let (rest, kind) = super::cut(body(i.advance(1)))?;
    let span = rest.span_from(start);
    Ok((rest, Clause { kind, span }))
}

/// What parses the rest of a clause after its first keyword `t`.
type ClauseBody = for<'a> fn(Input<'a>) -> PResult<'a, ClauseKind>;

fn clause_body(t: &Tok) -> Option<ClauseBody> {
    let table: [(&str, ClauseBody); 15] = [
        ("MATCH", |i| match_clause(i, false)),
        ("OPTIONAL", optional_match),
        ("UNWIND", unwind_clause),
        ("WITH", |i| {
            map(|i| projection(i, true), ClauseKind::With).parse(i)
        }),
        ("RETURN", |i| {
            map(|i| projection(i, false), ClauseKind::Return).parse(i)
        }),
        ("CREATE", create_clause),
        ("MERGE", merge_clause),
        ("SET", set_clause),
        ("REMOVE", remove_clause),
        ("DETACH", detach_delete),
        ("DELETE", |i| delete_clause(i, false)),
        ("CALL", call_clause),
        ("SHOW", show_clause),
        ("FOREACH", foreach_clause),
        ("DROP", drop_clause),
    ];
    table.iter().find(|(k, _)| t.is_kw(k)).map(|(_, body)| *body)
}

#[inline(never)]
fn optional_match(i: Input<'_>) -> PResult<'_, ClauseKind> {
    preceded(kw("MATCH"), |i| match_clause(i, true)).parse(i)
}

#[inline(never)]
fn unwind_clause(i: Input<'_>) -> PResult<'_, ClauseKind> {
    map(
        (expr, kw("AS"), |i| variable(i, "a variable")),
        |(expr, _, var)| ClauseKind::Unwind { expr, var },
    )
    .parse(i)
}

#[inline(never)]
fn create_clause(i: Input<'_>) -> PResult<'_, ClauseKind> {
    let schema = (i.peek().is_kw("INDEX") || i.peek().is_kw("CONSTRAINT")) && !i.peek_at(1).is(Punct::Eq);
    if schema {
        return create_schema(i);
    }
    map(
        |i| comma_list1(i, pattern_part),
        |patterns| ClauseKind::Create { patterns },
    )
    .parse(i)
}

#[inline(never)]
fn set_clause(i: Input<'_>) -> PResult<'_, ClauseKind> {
    map(|i| comma_list1(i, set_item), |items| ClauseKind::Set { items }).parse(i)
}

#[inline(never)]
fn remove_clause(i: Input<'_>) -> PResult<'_, ClauseKind> {
    map(
        |i| comma_list1(i, remove_item),
        |items| ClauseKind::Remove { items },
    )
    .parse(i)
}

fn detach_delete(i: Input<'_>) -> PResult<'_, ClauseKind> {
    let (i, _) = kw("DELETE")(i)?;
    delete_clause(i, true)
}

#[inline(never)]
fn delete_clause(i: Input<'_>, detach: bool) -> PResult<'_, ClauseKind> {
    map(
        |i| comma_list1(i, expr),
        move |exprs| ClauseKind::Delete { detach, exprs },
    )
    .parse(i)
}

/// `WHERE expr` if present.
fn opt_where(i: Input<'_>) -> PResult<'_, Option<Expr>> {
    opt(preceded(opt_kw("WHERE"), cut(expr))).parse(i)
}

#[inline(never)]
fn match_clause(i: Input<'_>, optional: bool) -> PResult<'_, ClauseKind> {
    let (i, (patterns, where_)) = (|i| comma_list1(i, pattern_part), opt_where).parse(i)?;
    Ok((
        i,
        ClauseKind::Match {
            optional,
            patterns,
            where_,
        },
    ))
}

/// `ON CREATE SET ...` or `ON MATCH SET ...`.
fn merge_action(i: Input<'_>) -> PResult<'_, MergeAction> {
    let start = i.span();
    let (i, _) = opt_kw("ON")(i)?;
    let (i, (on_create, _, items)) = cut((on_what, kw("SET"), |i| comma_list1(i, set_item))).parse(i)?;
    let span = i.span_from(start);
    Ok((
        i,
        MergeAction {
            on_create,
            items,
            span,
        },
    ))
}

/// `CREATE` or `MATCH` after `ON`.
fn on_what(i: Input<'_>) -> PResult<'_, bool> {
    let r = alt((value(true, opt_kw("CREATE")), value(false, opt_kw("MATCH")))).parse(i);
    if r.is_err() {
        i.ctx.expect_at(i.pos(), Expected::Kw("CREATE"));
        i.ctx.expect_at(i.pos(), Expected::Kw("MATCH"));
    }
    r
}

#[inline(never)]
fn merge_clause(i: Input<'_>) -> PResult<'_, ClauseKind> {
    map((pattern_part, many0(merge_action)), |(pattern, actions)| {
        ClauseKind::Merge { pattern, actions }
    })
    .parse(i)
}

/// The items of a projection: `*`, `*, items` or `items`.
fn proj_items(i: Input<'_>) -> PResult<'_, (bool, Vec<ProjItem>)> {
    match opt_p(Punct::Star)(i) {
        Ok((after, _)) => match opt_p(Punct::Comma)(after) {
            Ok((r, _)) => cut(map(|i| comma_list1(i, proj_item), |items| (true, items))).parse(r),
            Err(_) => Ok((after, (true, Vec::new()))),
        },
        Err(_) => map(|i| comma_list1(i, proj_item), |items| (false, items)).parse(i),
    }
}

/// The body of `WITH` (with `WHERE`) and `RETURN`.
#[inline(never)]
fn projection(i: Input<'_>, with_where: bool) -> PResult<'_, Projection> {
    let start = i.span();
    let order_by = preceded(
        opt_kw("ORDER"),
        cut(preceded(kw("BY"), |i| comma_list1(i, sort_item))),
    );
    let (i, (distinct, (star, items), order_by, skip, limit)) = (
        opt(opt_kw("DISTINCT")),
        proj_items,
        opt(order_by),
        opt(preceded(opt_kw("SKIP"), cut(expr))),
        opt(preceded(opt_kw("LIMIT"), cut(expr))),
    )
        .parse(i)?;
    let (i, where_) = if with_where { opt_where(i)? } else { (i, None) };
    let span = i.span_from(start);
    Ok((
        i,
        Projection {
            distinct: distinct.is_some(),
            star,
            items,
            order_by: order_by.unwrap_or_default(),
            skip,
            limit,
            where_,
            span,
        },
    ))
}

fn proj_item(i: Input<'_>) -> PResult<'_, ProjItem> {
    let (i, (e, alias)) = (
        expr,
        opt(preceded(opt_kw("AS"), cut(|i| variable(i, "an alias")))),
    )
        .parse(i)?;
    let span = i.span_from(e.span);
    Ok((i, ProjItem { expr: e, alias, span }))
}

fn sort_item(i: Input<'_>) -> PResult<'_, SortItem> {
    let direction = alt((
        value(true, opt_kw("DESC")),
        value(true, opt_kw("DESCENDING")),
        value(false, opt_kw("ASC")),
        value(false, opt_kw("ASCENDING")),
    ));
    let (i, (e, descending)) = (expr, opt(direction)).parse(i)?;
    let span = i.span_from(e.span);
    Ok((
        i,
        SortItem {
            expr: e,
            descending: descending.unwrap_or(false),
            span,
        },
    ))
}

fn set_item(i: Input<'_>) -> PResult<'_, SetItem> {
    let start = i.span();
    if at_variable(i) {
        let next = i.peek_at(1);
        if next.is(Punct::Eq) || next.is(Punct::PlusEq) {
            let (r, var) = variable(i, "a variable")?;
            let (r, value) = cut(expr).parse(r.advance(1))?;
            let span = r.span_from(start);
            return Ok((
                r,
                if next.is(Punct::Eq) {
                    SetItem::Replace { var, value, span }
                } else {
                    SetItem::Merge { var, value, span }
                },
            ));
        }
        if next.is(Punct::Colon) {
            let (r, (var, labels)) = (|i| variable(i, "a variable"), cut(label_list)).parse(i)?;
            let span = r.span_from(start);
            return Ok((r, SetItem::Labels { var, labels, span }));
        }
    }
    let (r, ((base, key), _, value)) =
        (property_target, cut(|i| expect_p(i, Punct::Eq)), cut(expr)).parse(i)?;
    let span = r.span_from(start);
    Ok((
        r,
        SetItem::Property {
            base,
            key,
            value,
            span,
        },
    ))
}

fn remove_item(i: Input<'_>) -> PResult<'_, RemoveItem> {
    let start = i.span();
    if at_variable(i) && i.peek_at(1).is(Punct::Colon) {
        let (r, (var, labels)) = (|i| variable(i, "a variable"), cut(label_list)).parse(i)?;
        let span = r.span_from(start);
        return Ok((r, RemoveItem::Labels { var, labels, span }));
    }
    let (r, (base, key)) = property_target(i)?;
    let span = r.span_from(start);
    Ok((r, RemoveItem::Property { base, key, span }))
}

/// `INDEX ...` or `CONSTRAINT ...` after `CREATE`.
fn create_schema(i: Input<'_>) -> PResult<'_, ClauseKind> {
    let index = i.peek().is_kw("INDEX");
    let i = i.advance(1);
    let (i, cmd_name) = if i.peek().is_kw("IF") || i.peek().is_kw("FOR") || i.peek().is_kw("ON") {
        (i, None)
    } else {
        let (i, n) = name(i, "an index or constraint name")?;
        (i, Some(n))
    };
    let (i, if_not_exists) = match accept_kw(i, "IF") {
        Some((i, _)) => {
            let (i, _) = kw("NOT")(i)?;
            let (i, _) = kw("EXISTS")(i)?;
            (i, true)
        }
        None => (i, false),
    };
    let (i, _) = match accept_kw(i, "FOR") {
        Some(r) => r,
        None => kw("ON")(i)?,
    };
    let (i, _) = expect_p(i, Punct::LParen)?;
    let (i, var) = variable(i, "a variable")?;
    let (i, _) = expect_p(i, Punct::Colon)?;
    let (i, label) = name(i, "a label")?;
    let (i, _) = expect_p(i, Punct::RParen)?;
    let (i, target_open) = if index {
        let (i, _) = kw("ON")(i)?;
        let (i, _) = expect_p(i, Punct::LParen)?;
        (i, true)
    } else {
        let i = match accept_kw(i, "REQUIRE") {
            Some((i, _)) => i,
            None => kw("ASSERT")(i)?.0,
        };
        (i, false)
    };
    let (i, prop_var) = variable(i, "a variable")?;
    let (i, _) = expect_p(i, Punct::Dot)?;
    let (i, key) = name(i, "a property key")?;
    let target = SchemaTarget {
        var,
        label,
        prop_var,
        key,
    };
    if target_open {
        let (i, _) = expect_p(i, Punct::RParen)?;
        return Ok((
            i,
            ClauseKind::Schema(SchemaCommand::CreateIndex {
                name: cmd_name,
                if_not_exists,
                target,
            }),
        ));
    }
    let (i, _) = kw("IS")(i)?;
    let (i, _) = kw("UNIQUE")(i)?;
    Ok((
        i,
        ClauseKind::Schema(SchemaCommand::CreateConstraint {
            name: cmd_name,
            if_not_exists,
            target,
        }),
    ))
}

/// `INDEX name [IF EXISTS]` or `CONSTRAINT name [IF EXISTS]` after `DROP`.
fn drop_clause(i: Input<'_>) -> PResult<'_, ClauseKind> {
    let index = match accept_kw(i, "INDEX") {
        Some(_) => true,
        None => {
            kw("CONSTRAINT")(i)?;
            false
        }
    };
    let (i, name) = name(i.advance(1), "an index or constraint name")?;
    let (i, if_exists) = match accept_kw(i, "IF") {
        Some((i, _)) => (kw("EXISTS")(i)?.0, true),
        None => (i, false),
    };
    let cmd = if index {
        SchemaCommand::DropIndex { name, if_exists }
    } else {
        SchemaCommand::DropConstraint { name, if_exists }
    };
    Ok((i, ClauseKind::Schema(cmd)))
}

/// `(var IN list | clause ...)` after `FOREACH`; its clauses nest like a subquery's.
fn foreach_clause(i: Input<'_>) -> PResult<'_, ClauseKind> {
    let _level = i.enter_subquery()?;
    let (i, _) = expect_p(i, Punct::LParen)?;
    let (i, var) = variable(i, "a variable")?;
    let (i, _) = kw("IN")(i)?;
    let (i, list) = expr(i)?;
    let (i, _) = expect_p(i, Punct::Pipe)?;
    let (i, (first, rest)) = (clause, many0(clause)).parse(i)?;
    let (i, _) = expect_p(i, Punct::RParen)?;
    let mut clauses = vec![first];
    clauses.extend(rest);
    Ok((i, ClauseKind::Foreach { var, list, clauses }))
}

/// What follows `SHOW`: `[ALL | RANGE | ...] INDEX[ES]` or `[ALL | UNIQUE | ...]
/// CONSTRAINT[S]`, then an optional `YIELD`. It is read as the call of `db.indexes()` or
/// `db.constraints()` (and prints as one), which list every index or constraint.
fn show_clause(i: Input<'_>) -> PResult<'_, ClauseKind> {
    let mut i = i;
    for filter in ["ALL", "RANGE", "TEXT", "LOOKUP", "UNIQUE", "UNIQUENESS", "BTREE"] {
        if let Some((rest, _)) = accept_kw(i, filter) {
            i = rest;
            break;
        }
    }
    let span = i.span();
    let which = ["INDEX", "INDEXES", "CONSTRAINT", "CONSTRAINTS"]
        .into_iter()
        .find(|k| i.peek().is_kw(k));
    let Some(which) = which else {
        return i.fail(Expected::What("INDEXES or CONSTRAINTS"));
    };
    let procedure = if which.starts_with("INDEX") {
        "indexes"
    } else {
        "constraints"
    };
    let (i, yield_) = opt(yield_clause).parse(i.advance(1))?;
    let ident = |name: &str| Ident {
        name: name.to_owned(),
        span,
    };
    Ok((
        i,
        ClauseKind::Call(ProcedureCall {
            namespace: vec![ident("db")],
            name: ident(procedure),
            args: Some(Vec::new()),
            yield_,
        }),
    ))
}

/// What follows `CALL`: a procedure call or a subquery in braces.
fn call_clause(i: Input<'_>) -> PResult<'_, ClauseKind> {
    if i.peek().is(Punct::LBrace) {
        return call_subquery(i);
    }
    match procedure_call(i) {
        Ok((rest, call)) => Ok((rest, ClauseKind::Call(call))),
        Err(e) => {
            i.ctx.expect_at(i.pos(), Expected::P(Punct::LBrace));
            Err(e)
        }
    }
}

/// `ns.name[(args)] [YIELD ...]`.
fn procedure_call(i: Input<'_>) -> PResult<'_, ProcedureCall> {
    let (mut i, mut last) = name(i, "a procedure name")?;
    let mut namespace = Vec::new();
    while let Some((after, _)) = accept_p(i, Punct::Dot) {
        let (rest, next) = cut(|i| name(i, "a procedure name")).parse(after)?;
        namespace.push(std::mem::replace(&mut last, next));
        i = rest;
    }
    let (i, args) = match accept_p(i, Punct::LParen) {
        Some((after, _)) => {
            let (r, args) = expr_list(after, Punct::RParen)?;
            let (r, _) = cut(|i| expect_p(i, Punct::RParen)).parse(r)?;
            (r, Some(args))
        }
        None => (i, None),
    };
    let (i, yield_) = opt(yield_clause).parse(i)?;
    Ok((
        i,
        ProcedureCall {
            namespace,
            name: last,
            args,
            yield_,
        },
    ))
}

/// `YIELD *` or `YIELD field [AS var], ... [WHERE expr]`.
fn yield_clause(i: Input<'_>) -> PResult<'_, Yield> {
    let start = i.span();
    let (i, _) = opt_kw("YIELD")(i)?;
    let (i, (star, items, where_)) = cut(yield_body).parse(i)?;
    let span = i.span_from(start);
    Ok((
        i,
        Yield {
            star,
            items,
            where_,
            span,
        },
    ))
}

/// What follows `YIELD`: `*`, or items and an optional `WHERE`.
fn yield_body(i: Input<'_>) -> PResult<'_, (bool, Vec<YieldItem>, Option<Expr>)> {
    if let Some((rest, _)) = accept_p(i, Punct::Star) {
        return Ok((rest, (true, Vec::new(), None)));
    }
    let (i, items) = comma_list1(i, yield_item).inspect_err(|_| {
        i.ctx.expect_at(i.pos(), Expected::P(Punct::Star));
    })?;
    let (i, where_) = opt_where(i)?;
    Ok((i, (false, items, where_)))
}

/// `field AS var` or `var` (the field and the variable have the same name).
fn yield_item(i: Input<'_>) -> PResult<'_, YieldItem> {
    let start = i.span();
    let named = matches!(i.peek(), Tok::Word(_) | Tok::Quoted(_)) && i.peek_at(1).is_kw("AS");
    let (i, field, alias) = if named {
        let (r, field) = name(i, "a procedure result field")?;
        let (r, alias) = cut(|i| variable(i, "a variable")).parse(r.advance(1))?;
        (r, field, Some(alias))
    } else {
        let (r, field) = variable(i, "a procedure result field")?;
        (r, field, None)
    };
    let span = i.span_from(start);
    Ok((i, YieldItem { field, alias, span }))
}

/// `{ query } [IN TRANSACTIONS [OF rows ROWS]]` after `CALL`.
fn call_subquery(i: Input<'_>) -> PResult<'_, ClauseKind> {
    let (i, query) = braced_query(i)?;
    let (i, in_transactions) = opt(in_transactions).parse(i)?;
    Ok((
        i,
        ClauseKind::CallSubquery {
            query: Box::new(query),
            in_transactions,
        },
    ))
}

/// `{ query }`; the braces count `SUBQUERY_LEVELS` levels of nesting.
fn braced_query(i: Input<'_>) -> PResult<'_, Query> {
    let _level = i.enter_subquery()?;
    let (i, _) = expect_p(i, Punct::LBrace)?;
    let (i, q) = cut(query).parse(i)?;
    let (i, _) = cut(|i| expect_p(i, Punct::RBrace)).parse(i)?;
    Ok((i, q))
}

/// `IN TRANSACTIONS [OF rows ROW|ROWS]`.
fn in_transactions(i: Input<'_>) -> PResult<'_, InTransactions> {
    let start = i.span();
    let (i, _) = opt_kw("IN")(i)?;
    let (i, _) = cut(kw("TRANSACTIONS")).parse(i)?;
    let (i, rows) = opt(preceded(opt_kw("OF"), cut((expr, rows_kw)))).parse(i)?;
    let span = i.span_from(start);
    Ok((
        i,
        InTransactions {
            rows: rows.map(|(e, _)| e),
            span,
        },
    ))
}

/// `ROWS` or `ROW`.
fn rows_kw(i: Input<'_>) -> PResult<'_, ()> {
    match alt((opt_kw("ROWS"), opt_kw("ROW"))).parse(i) {
        Ok((rest, _)) => Ok((rest, ())),
        Err(_) => i.fail(Expected::Kw("ROWS")),
    }
}

/// The inside of `EXISTS { ... }`, `COUNT { ... }` and `COLLECT { ... }`:
/// a whole query when it starts with a clause keyword, else patterns with an
/// optional `WHERE`.
pub(crate) fn subquery_body(i: Input<'_>) -> PResult<'_, SubqueryBody> {
    if at_clause(i) {
        let (i, q) = query(i)?;
        return Ok((i, SubqueryBody::Query(q)));
    }
    i.ctx.expect_at(i.pos(), Expected::What("a clause"));
    subquery_patterns(i)
}

#[inline(never)]
fn subquery_patterns(i: Input<'_>) -> PResult<'_, SubqueryBody> {
    let (i, (patterns, where_)) = (|i| comma_list1(i, pattern_part), opt_where).parse(i)?;
    Ok((i, SubqueryBody::Patterns { patterns, where_ }))
}
