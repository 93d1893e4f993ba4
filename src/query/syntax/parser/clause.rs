//! Statements, queries and clauses.

use super::super::ast::*;
use super::super::error::ParseErrorKind;
use super::super::lexer::{Punct, Tok};
use super::expr::{expr, label_list, property_target};
use super::pattern::pattern_part;
use super::{
    accept_kw, accept_p, at_variable, comma_list1, cut, expect_kw, expect_p, variable, Expected, Input,
    PResult,
};

/// `[EXPLAIN] query [;]` and the end of the input.
pub(crate) fn statement(i: Input<'_>) -> PResult<'_, Statement> {
    let start = i.span();
    let (i, explain) = match accept_kw(i, "EXPLAIN") {
        Some((r, _)) => (r, true),
        None => (i, false),
    };
    let (i, query) = query(i)?;
    let i = accept_p(i, Punct::Semi).map_or(i, |(r, _)| r);
    if !matches!(i.peek(), Tok::Eof) {
        return i.fail(Expected::What("end of input"));
    }
    let span = i.span_from(start);
    Ok((i, Statement { explain, query, span }))
}

/// Single queries joined by `UNION [ALL]`.
fn query(i: Input<'_>) -> PResult<'_, Query> {
    let start = i.span();
    let (mut i, first) = single_query(i)?;
    let mut parts = vec![first];
    let mut union_all = Vec::new();
    while let Some((after, _)) = accept_kw(i, "UNION") {
        let (after, all) = match accept_kw(after, "ALL") {
            Some((r, _)) => (r, true),
            None => (after, false),
        };
        let (r, part) = cut(single_query(after))?;
        parts.push(part);
        union_all.push(all);
        i = r;
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

/// The keywords that start a clause.
const CLAUSE_STARTS: &[&str] = &[
    "MATCH", "OPTIONAL", "UNWIND", "WITH", "RETURN", "CREATE", "MERGE", "SET", "REMOVE", "DELETE", "DETACH",
];

/// Keywords of clauses outside the supported subset.
const UNSUPPORTED: &[&str] = &["CALL", "FOREACH", "LOAD", "USE", "FINISH"];

fn at_clause(i: Input<'_>) -> bool {
    CLAUSE_STARTS.iter().any(|k| i.peek().is_kw(k)) || UNSUPPORTED.iter().any(|k| i.peek().is_kw(k))
}

/// One or more clauses.
fn single_query(i: Input<'_>) -> PResult<'_, SingleQuery> {
    let start = i.span();
    let (mut i, first) = clause(i)?;
    let mut clauses = vec![first];
    while at_clause(i) {
        let (r, c) = cut(clause(i))?;
        clauses.push(c);
        i = r;
    }
    i.ctx.expect_at(i.pos(), Expected::What("a clause"));
    let span = i.span_from(start);
    Ok((i, SingleQuery { clauses, span }))
}

fn clause(i: Input<'_>) -> PResult<'_, Clause> {
    let start = i.span();
    let t = i.peek();
    let (rest, kind) = if t.is_kw("MATCH") {
        match_clause(i.advance(1), false)?
    } else if t.is_kw("OPTIONAL") {
        let (r, _) = cut(expect_kw(i.advance(1), "MATCH"))?;
        match_clause(r, true)?
    } else if t.is_kw("UNWIND") {
        let (r, e) = cut(expr(i.advance(1)))?;
        let (r, _) = cut(expect_kw(r, "AS"))?;
        let (r, var) = cut(variable(r, "a variable"))?;
        (r, ClauseKind::Unwind { expr: e, var })
    } else if t.is_kw("WITH") {
        let (r, p) = cut(projection(i.advance(1), true))?;
        (r, ClauseKind::With(p))
    } else if t.is_kw("RETURN") {
        let (r, p) = cut(projection(i.advance(1), false))?;
        (r, ClauseKind::Return(p))
    } else if t.is_kw("CREATE") {
        let (r, patterns) = cut(comma_list1(i.advance(1), pattern_part))?;
        (r, ClauseKind::Create { patterns })
    } else if t.is_kw("MERGE") {
        merge_clause(i.advance(1))?
    } else if t.is_kw("SET") {
        let (r, items) = cut(comma_list1(i.advance(1), set_item))?;
        (r, ClauseKind::Set { items })
    } else if t.is_kw("REMOVE") {
        let (r, items) = cut(comma_list1(i.advance(1), remove_item))?;
        (r, ClauseKind::Remove { items })
    } else if t.is_kw("DETACH") {
        let (r, _) = cut(expect_kw(i.advance(1), "DELETE"))?;
        let (r, exprs) = cut(comma_list1(r, expr))?;
        (r, ClauseKind::Delete { detach: true, exprs })
    } else if t.is_kw("DELETE") {
        let (r, exprs) = cut(comma_list1(i.advance(1), expr))?;
        (r, ClauseKind::Delete { detach: false, exprs })
    } else if let Some(kw) = UNSUPPORTED.iter().find(|k| t.is_kw(k)) {
        return i.fatal(
            ParseErrorKind::Syntax,
            i.span(),
            format!("the {kw} clause is not supported"),
        );
    } else {
        return i.fail(Expected::What("a clause"));
    };
    let span = rest.span_from(start);
    Ok((rest, Clause { kind, span }))
}

fn match_clause(i: Input<'_>, optional: bool) -> PResult<'_, ClauseKind> {
    let (i, patterns) = cut(comma_list1(i, pattern_part))?;
    let (i, where_) = match accept_kw(i, "WHERE") {
        Some((r, _)) => {
            let (r, e) = cut(expr(r))?;
            (r, Some(e))
        }
        None => (i, None),
    };
    Ok((
        i,
        ClauseKind::Match {
            optional,
            patterns,
            where_,
        },
    ))
}

fn merge_clause(i: Input<'_>) -> PResult<'_, ClauseKind> {
    let (mut i, pattern) = cut(pattern_part(i))?;
    let mut actions = Vec::new();
    while let Some((after, on)) = accept_kw(i, "ON") {
        let (after, on_create) = if let Some((r, _)) = accept_kw(after, "CREATE") {
            (r, true)
        } else if let Some((r, _)) = accept_kw(after, "MATCH") {
            (r, false)
        } else {
            after.ctx.expect_at(after.pos(), Expected::Kw("CREATE"));
            return cut(after.fail(Expected::Kw("MATCH")));
        };
        let (after, _) = cut(expect_kw(after, "SET"))?;
        let (r, items) = cut(comma_list1(after, set_item))?;
        let span = r.span_from(on);
        actions.push(MergeAction {
            on_create,
            items,
            span,
        });
        i = r;
    }
    Ok((i, ClauseKind::Merge { pattern, actions }))
}

/// The body of `WITH` (with `WHERE`) and `RETURN`.
fn projection(i: Input<'_>, with_where: bool) -> PResult<'_, Projection> {
    let start = i.span();
    let (i, distinct) = match accept_kw(i, "DISTINCT") {
        Some((r, _)) => (r, true),
        None => (i, false),
    };
    let (i, star, items) = if let Some((after, _)) = accept_p(i, Punct::Star) {
        match accept_p(after, Punct::Comma) {
            Some((r, _)) => {
                let (r, items) = cut(comma_list1(r, proj_item))?;
                (r, true, items)
            }
            None => (after, true, Vec::new()),
        }
    } else {
        let (r, items) = comma_list1(i, proj_item)?;
        (r, false, items)
    };
    let (i, order_by) = match accept_kw(i, "ORDER") {
        Some((r, _)) => {
            let (r, _) = cut(expect_kw(r, "BY"))?;
            cut(comma_list1(r, sort_item))?
        }
        None => (i, Vec::new()),
    };
    let (i, skip) = match accept_kw(i, "SKIP") {
        Some((r, _)) => {
            let (r, e) = cut(expr(r))?;
            (r, Some(e))
        }
        None => (i, None),
    };
    let (i, limit) = match accept_kw(i, "LIMIT") {
        Some((r, _)) => {
            let (r, e) = cut(expr(r))?;
            (r, Some(e))
        }
        None => (i, None),
    };
    let (i, where_) = match accept_kw(i, "WHERE").filter(|_| with_where) {
        Some((r, _)) => {
            let (r, e) = cut(expr(r))?;
            (r, Some(e))
        }
        None => (i, None),
    };
    let span = i.span_from(start);
    Ok((
        i,
        Projection {
            distinct,
            star,
            items,
            order_by,
            skip,
            limit,
            where_,
            span,
        },
    ))
}

fn proj_item(i: Input<'_>) -> PResult<'_, ProjItem> {
    let (i, e) = expr(i)?;
    let (i, alias) = match accept_kw(i, "AS") {
        Some((r, _)) => {
            let (r, a) = cut(variable(r, "an alias"))?;
            (r, Some(a))
        }
        None => (i, None),
    };
    let span = i.span_from(e.span);
    Ok((i, ProjItem { expr: e, alias, span }))
}

fn sort_item(i: Input<'_>) -> PResult<'_, SortItem> {
    let (i, e) = expr(i)?;
    let (i, descending) = if let Some((r, _)) = accept_kw(i, "DESC").or_else(|| accept_kw(i, "DESCENDING")) {
        (r, true)
    } else if let Some((r, _)) = accept_kw(i, "ASC").or_else(|| accept_kw(i, "ASCENDING")) {
        (r, false)
    } else {
        (i, false)
    };
    let span = i.span_from(e.span);
    Ok((
        i,
        SortItem {
            expr: e,
            descending,
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
            let (r, value) = cut(expr(r.advance(1)))?;
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
            let (r, var) = variable(i, "a variable")?;
            let (r, labels) = cut(label_list(r))?;
            let span = r.span_from(start);
            return Ok((r, SetItem::Labels { var, labels, span }));
        }
    }
    let (r, (base, key)) = property_target(i)?;
    let (r, _) = cut(expect_p(r, Punct::Eq))?;
    let (r, value) = cut(expr(r))?;
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
        let (r, var) = variable(i, "a variable")?;
        let (r, labels) = cut(label_list(r))?;
        let span = r.span_from(start);
        return Ok((r, RemoveItem::Labels { var, labels, span }));
    }
    let (r, (base, key)) = property_target(i)?;
    let span = r.span_from(start);
    Ok((r, RemoveItem::Property { base, key, span }))
}
