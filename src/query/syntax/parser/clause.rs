//! Statements, queries and clauses, written with nom combinators.
//!
//! Clauses do not nest, so these parsers are off the recursive paths and can
//! use nom's combinators freely; the expression parser (`expr.rs`) is where
//! stack use per nesting level matters.

use nom::branch::alt;
use nom::combinator::{cut, map, opt, value};
use nom::multi::many0;
use nom::sequence::preceded;
use nom::Parser;

use super::expr::{expr, label_list, property_target};
use super::pattern::pattern_part;
use super::{at_variable, comma_list1, expect_p, kw, opt_kw, opt_p, variable, Expected, Input, PResult};
use crate::query::syntax::ast::*;
use crate::query::syntax::error::ParseErrorKind;
use crate::query::syntax::lexer::{Punct, Tok};

/// `[EXPLAIN] query [;]` and the end of the input.
pub(crate) fn statement(i: Input<'_>) -> PResult<'_, Statement> {
    let start = i.span();
    let (i, (explain, query, _)) = (opt(opt_kw("EXPLAIN")), query, opt(opt_p(Punct::Semi))).parse(i)?;
    if !matches!(i.peek(), Tok::Eof) {
        return i.fail(Expected::What("end of input"));
    }
    let span = i.span_from(start);
    Ok((
        i,
        Statement {
            explain: explain.is_some(),
            query,
            span,
        },
    ))
}

/// Single queries joined by `UNION [ALL]`.
fn query(i: Input<'_>) -> PResult<'_, Query> {
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
const UNSUPPORTED: &[&str] = &["CALL", "FOREACH", "LOAD", "USE", "FINISH"];

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
/// The dispatch stays small: each clause's combinators live in a function of
/// their own, and only the one that runs takes stack. (Subqueries such as
/// `EXISTS { MATCH ... }` put clauses on a recursive path.)
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
    let table: [(&str, ClauseBody); 11] = [
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
