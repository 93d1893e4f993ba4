//! Patterns: `p = (a:A {k: 1})-[r:T*1..3]->(b)`, `shortestPath(...)`.

use nom::Err;

use super::expr::{label_list, map_literal};
use super::{
    accept_kw, accept_p, at_variable, cut, expect_kw, expect_p, name, variable, Expected, Input, PResult,
};
use crate::query::syntax::ast::*;
use crate::query::syntax::lexer::{Punct, Tok};

/// `[var =] element`, `[var =] shortestPath(element)`,
/// `[var =] allShortestPaths(element)`, and GQL's `[var =] ANY SHORTEST element` and
/// `[var =] ALL SHORTEST element`.
pub(crate) fn pattern_part(i: Input<'_>) -> PResult<'_, PatternPart> {
    let start = i.span();
    let (i, var) = if at_variable(i) && i.peek_at(1).is(Punct::Eq) {
        let (r, v) = variable(i, "a variable")?;
        (r.advance(1), Some(v))
    } else {
        (i, None)
    };
    // GQL's path search prefixes: `ANY SHORTEST (a)-[*]-(b)` and `ALL SHORTEST (a)-[*]-(b)`
    // mean shortestPath(...) and allShortestPaths(...).
    let gql = |first: &str| {
        i.peek().is_kw(first) && i.peek_at(1).is_kw("SHORTEST") && i.peek_at(2).is(Punct::LParen)
    };
    let (i, kind, wrapped) = if gql("ANY") {
        (i.advance(2), PathKind::Shortest, false)
    } else if gql("ALL") {
        (i.advance(2), PathKind::AllShortest, false)
    } else if i.peek_at(1).is(Punct::LParen) && i.peek().is_kw("shortestPath") {
        (i, PathKind::Shortest, true)
    } else if i.peek_at(1).is(Punct::LParen) && i.peek().is_kw("allShortestPaths") {
        (i, PathKind::AllShortest, true)
    } else {
        (i, PathKind::Plain, false)
    };
    let (i, element) = if !wrapped {
        if !i.peek().is(Punct::LParen) {
            return i.fail(Expected::What("a pattern"));
        }
        element(i, false)?
    } else {
        let (r, _) = expect_p(i.advance(1), Punct::LParen)?;
        let (r, el) = cut(element(r, false))?;
        let (r, _) = cut(expect_p(r, Punct::RParen))?;
        (r, el)
    };
    let span = i.span_from(start);
    Ok((
        i,
        PatternPart {
            var,
            kind,
            element,
            span,
        },
    ))
}

/// A node followed by any number of relationship-node steps.
///
/// In an expression (`in_expr`), a step that does not parse ends the pattern
/// quietly, because the `-` or `<` may be an operator of the expression
/// around it; in a clause it is an error.
pub(crate) fn element(i: Input<'_>, in_expr: bool) -> PResult<'_, PatternElement> {
    let _level = i.enter()?;
    let start = i.span();
    let (mut i, first) = node(i, in_expr)?;
    let mut chain = Vec::new();
    while i.peek().is(Punct::Minus) || i.peek().is(Punct::Lt) {
        match step(i, &mut chain, in_expr) {
            Ok((rest, ())) => i = rest,
            Err(Err::Error(_)) if in_expr => break,
            Err(e) => return Err(cut_err(e)),
        }
    }
    let span = i.span_from(start);
    Ok((
        i,
        PatternElement {
            start: *first,
            chain,
            span,
        },
    ))
}

/// One relationship and the node after it, pushed onto `chain`.
fn step<'a>(i: Input<'a>, chain: &mut Vec<(RelPattern, NodePattern)>, in_expr: bool) -> PResult<'a, ()> {
    let (i, r) = rel(i, in_expr)?;
    let (i, n) = node(i, in_expr)?;
    chain.push((*r, *n));
    Ok((i, ()))
}

fn cut_err<E>(e: Err<E>) -> Err<E> {
    match e {
        Err::Error(e) => Err::Failure(e),
        other => other,
    }
}

/// Node or relationship properties: a map literal or a parameter.
fn properties(i: Input<'_>) -> PResult<'_, Option<Box<Expr>>> {
    match i.peek() {
        Tok::P(Punct::LBrace) => {
            let (r, m) = map_literal(i)?;
            Ok((r, Some(m)))
        }
        Tok::Param(p) => {
            let span = i.span();
            Ok((
                i.advance(1),
                Some(Box::new(Expr::new(ExprKind::Param(p.clone()), span))),
            ))
        }
        _ => Ok((i, None)),
    }
}

/// True when the tokens after `{` can start a map literal: `}` or `key:`.
fn map_literal_ahead(i: Input<'_>) -> bool {
    i.peek().is(Punct::RBrace)
        || (matches!(i.peek(), Tok::Word(_) | Tok::Quoted(_)) && i.peek_at(1).is(Punct::Colon))
}

/// A reserved word where a variable would fit is almost always meant as
/// one: say so instead of listing what was expected.
fn reserved_as_variable<'a, T>(i: Input<'a>) -> Option<PResult<'a, T>> {
    let Tok::Word(w) = i.peek() else {
        return None;
    };
    let next = i.peek_at(1);
    let fits = [Punct::RParen, Punct::RBracket, Punct::Colon, Punct::LBrace]
        .iter()
        .any(|p| next.is(*p))
        || matches!(next, Tok::Param(_));
    if !fits || !crate::query::syntax::lexer::is_reserved(w) {
        return None;
    }
    Some(i.fatal(
        crate::query::syntax::error::ParseErrorKind::Syntax,
        i.span(),
        format!("'{w}' is a reserved word: write `{w}` to use it as a variable"),
    ))
}

/// `(var:Label {props})`. In a clause (not `in_expr`), a reserved word in
/// the variable's place is reported as such.
pub(crate) fn node(i: Input<'_>, in_expr: bool) -> PResult<'_, Box<NodePattern>> {
    let (i, open) = expect_p(i, Punct::LParen)?;
    if !in_expr && let Some(err) = reserved_as_variable(i) {
        return err;
    }
    let (i, var) = if at_variable(i) {
        let (r, v) = variable(i, "a variable")?;
        (r, Some(v))
    } else {
        (i, None)
    };
    let (i, labels) = if i.peek().is(Punct::Colon) {
        label_list(i)?
    } else {
        (i, Vec::new())
    };
    if in_expr && i.peek().is(Punct::LBrace) && !map_literal_ahead(i.advance(1)) {
        // `(n {.a}) - 1` or `(count { (a) }) - 1`: a map projection or a
        // subquery in parentheses, not a node with properties.
        return Err(Err::Error(super::PErr::at(i.pos())));
    }
    let (i, props) = properties(i)?;
    let (rest, close) = expect_p(i, Punct::RParen)?;
    Ok((
        rest,
        Box::new(NodePattern {
            var,
            labels,
            props,
            span: open.to(close),
        }),
    ))
}

/// `-[detail]->`, `<-[detail]-`, `-[detail]-`, `<-[detail]->`, `-->`,
/// `<--`, `--`.
pub(crate) fn rel(i: Input<'_>, in_expr: bool) -> PResult<'_, Box<RelPattern>> {
    let start = i.span();
    let (i, left) = match accept_p(i, Punct::Lt) {
        Some((r, _)) => (r, true),
        None => (i, false),
    };
    let (i, _) = expect_p(i, Punct::Minus)?;
    let mut detail = Box::new(RelPattern {
        var: None,
        types: Vec::new(),
        direction: Direction::Both,
        length: None,
        shortest: None,
        props: None,
        span: start,
    });
    let i = if i.peek().is(Punct::LBracket) {
        let (r, ()) = rel_detail(i.advance(1), &mut detail, in_expr)?;
        let (r, _) = expect_p(r, Punct::RBracket)?;
        r
    } else {
        i
    };
    let (i, _) = expect_p(i, Punct::Minus)?;
    let (i, right) = match accept_p(i, Punct::Gt) {
        Some((r, _)) => (r, true),
        None => (i, false),
    };
    detail.direction = match (left, right) {
        (true, false) => Direction::Incoming,
        (false, true) => Direction::Outgoing,
        _ => Direction::Both,
    };
    detail.span = i.span_from(start);
    Ok((i, detail))
}

/// The inside of `[...]`: `var:T1|T2 *range {props}`.
fn rel_detail<'a>(i: Input<'a>, d: &mut RelPattern, in_expr: bool) -> PResult<'a, ()> {
    if !in_expr && let Some(err) = reserved_as_variable(i) {
        return err;
    }
    let (mut i, var) = if at_variable(i) {
        let (r, v) = variable(i, "a variable")?;
        (r, Some(v))
    } else {
        (i, None)
    };
    d.var = var;
    if let Some((after, _)) = accept_p(i, Punct::Colon) {
        let (r, first) = name(after, "a relationship type")?;
        d.types.push(first);
        i = r;
        while let Some((after, _)) = accept_p(i, Punct::Pipe) {
            let after = accept_p(after, Punct::Colon).map_or(after, |(r, _)| r);
            let (r, t) = name(after, "a relationship type")?;
            d.types.push(t);
            i = r;
        }
    }
    if i.peek().is(Punct::DotDot) || matches!(i.peek(), Tok::Int(_)) {
        // `[:T..3]` or `[:T 2]`: a range needs its star.
        i.ctx.expect_at(i.pos(), Expected::P(Punct::Star));
    }
    if let Some((after, _)) = accept_p(i, Punct::Star) {
        i = after;
        if let Some((after, _)) = accept_kw(i, "ALL") {
            let (r, _) = expect_kw(after, "SHORTEST")?;
            d.shortest = Some(ShortestKind::AllShortest);
            i = r;
        } else if let Some((after, _)) = accept_kw(i, "SHORTEST") {
            d.shortest = Some(ShortestKind::Shortest);
            i = after;
        }
        let (r, min) = range_bound(i);
        i = r;
        let max = if let Some((after, _)) = accept_p(i, Punct::DotDot) {
            let (r, max) = range_bound(after);
            i = r;
            if max.is_none() {
                i.ctx.expect_at(i.pos(), Expected::What("an integer"));
            }
            max
        } else {
            if min.is_none() {
                i.ctx.expect_at(i.pos(), Expected::What("an integer"));
            } else {
                i.ctx.expect_at(i.pos(), Expected::P(Punct::DotDot));
            }
            min
        };
        d.length = Some(Range { min, max });
    }
    let (i, props) = properties(i)?;
    d.props = props;
    Ok((i, ()))
}

fn range_bound(i: Input<'_>) -> (Input<'_>, Option<u64>) {
    match i.peek() {
        Tok::Int(v) => (i.advance(1), Some(*v)),
        _ => (i, None),
    }
}
