//! Expressions: precedence climbing over openCypher's levels.
//!
//! Levels, weakest first (the numbers are in `print::prec`): `OR`, `XOR`,
//! `AND`, `NOT`, comparisons (chained, kept as one `Compare` node),
//! predicates (`IS [NOT] NULL`, `IN`, `STARTS WITH`, `ENDS WITH`, `CONTAINS`,
//! `=~`), `+ -`, `* / %`, `^` (left-associative), unary `+ -`, postfix
//! (`.key`, `[i]`, `[a..b]`, then at most one `:Label:Label2` test), atoms.
//!
//! Every nested expression goes through [`expr_bp`], which counts one level
//! of nesting; so do every binary operator of a chain and every postfix
//! operator, because each adds one level to the tree.

use nom::Err;

use super::super::ast::*;
use super::super::error::ParseErrorKind;
use super::super::lexer::{is_reserved, Punct, Tok};
use super::super::print::prec;
use super::pattern;
use super::{
    accept_kw, accept_p, at_variable, comma_list1, cut, expect_kw, expect_p, name, variable, DepthGuard,
    Expected, Input, PResult,
};

/// A full expression.
pub(crate) fn expr(i: Input<'_>) -> PResult<'_, Expr> {
    expr_bp(i, 0)
}

/// The infix operators, as recognised at the current token.
#[derive(Clone, Copy)]
enum Infix {
    Binary(BinaryOp),
    Compare(CmpOp),
    IsNull,
    In,
    Str(StringOp),
    Regex,
}

impl Infix {
    fn prec(self) -> u8 {
        match self {
            Infix::Binary(op) => super::super::print::binary_prec(op),
            Infix::Compare(_) => prec::COMPARE,
            Infix::IsNull | Infix::In | Infix::Str(_) | Infix::Regex => prec::PREDICATE,
        }
    }
}

/// The infix operator at the current token and how many tokens it takes
/// (without checking what follows `IS` or `STARTS`).
fn peek_infix(i: Input<'_>) -> Option<(Infix, usize)> {
    let op = match i.peek() {
        Tok::P(p) => match p {
            Punct::Plus => Infix::Binary(BinaryOp::Add),
            Punct::Minus => Infix::Binary(BinaryOp::Sub),
            Punct::Star => Infix::Binary(BinaryOp::Mul),
            Punct::Slash => Infix::Binary(BinaryOp::Div),
            Punct::Percent => Infix::Binary(BinaryOp::Mod),
            Punct::Caret => Infix::Binary(BinaryOp::Pow),
            Punct::Eq => Infix::Compare(CmpOp::Eq),
            Punct::Neq => Infix::Compare(CmpOp::Ne),
            Punct::Lt => Infix::Compare(CmpOp::Lt),
            Punct::Le => Infix::Compare(CmpOp::Le),
            Punct::Gt => Infix::Compare(CmpOp::Gt),
            Punct::Ge => Infix::Compare(CmpOp::Ge),
            Punct::RegexMatch => Infix::Regex,
            _ => return None,
        },
        Tok::Word(w) => {
            if w.eq_ignore_ascii_case("OR") {
                Infix::Binary(BinaryOp::Or)
            } else if w.eq_ignore_ascii_case("XOR") {
                Infix::Binary(BinaryOp::Xor)
            } else if w.eq_ignore_ascii_case("AND") {
                Infix::Binary(BinaryOp::And)
            } else if w.eq_ignore_ascii_case("IS") {
                Infix::IsNull
            } else if w.eq_ignore_ascii_case("IN") {
                Infix::In
            } else if w.eq_ignore_ascii_case("STARTS") {
                Infix::Str(StringOp::StartsWith)
            } else if w.eq_ignore_ascii_case("ENDS") {
                Infix::Str(StringOp::EndsWith)
            } else if w.eq_ignore_ascii_case("CONTAINS") {
                Infix::Str(StringOp::Contains)
            } else {
                return None;
            }
        }
        _ => return None,
    };
    Some((op, 1))
}

fn boxed(e: Expr) -> Box<Expr> {
    Box::new(e)
}

/// An expression whose top operator binds at least as tightly as `min`.
pub(crate) fn expr_bp(i: Input<'_>, min: u8) -> PResult<'_, Expr> {
    let _level = i.enter()?;
    let (mut i, mut lhs) = prefix(i, min)?;
    let mut chain: Vec<DepthGuard<'_>> = Vec::new();
    while let Some((op, n)) = peek_infix(i) {
        let p = op.prec();
        if p < min {
            break;
        }
        chain.push(i.enter()?);
        let start = lhs.span;
        let after = i.advance(n);
        match op {
            Infix::Binary(bop) => {
                let rmin = if bop == BinaryOp::Pow { prec::UNARY } else { p + 1 };
                let (rest, rhs) = cut(expr_bp(after, rmin))?;
                let span = start.to(rhs.span);
                lhs = Expr::new(
                    ExprKind::Binary {
                        op: bop,
                        lhs: boxed(lhs),
                        rhs: boxed(rhs),
                    },
                    span,
                );
                i = rest;
            }
            Infix::Compare(first_op) => {
                let (mut rest, rhs) = cut(expr_bp(after, prec::PREDICATE))?;
                let mut items = vec![(first_op, rhs)];
                while let Some((Infix::Compare(op), n)) = peek_infix(rest) {
                    let (r, e) = cut(expr_bp(rest.advance(n), prec::PREDICATE))?;
                    items.push((op, e));
                    rest = r;
                }
                let span = rest.span_from(start);
                lhs = Expr::new(
                    ExprKind::Compare {
                        first: boxed(lhs),
                        rest: items,
                    },
                    span,
                );
                i = rest;
            }
            Infix::IsNull => {
                let (after, negated) = match accept_kw(after, "NOT") {
                    Some((a, _)) => (a, true),
                    None => (after, false),
                };
                let (rest, _) = cut(expect_kw(after, "NULL"))?;
                let span = rest.span_from(start);
                lhs = Expr::new(
                    ExprKind::IsNull {
                        expr: boxed(lhs),
                        negated,
                    },
                    span,
                );
                i = rest;
            }
            Infix::In | Infix::Regex => {
                let (rest, rhs) = cut(expr_bp(after, prec::ADD))?;
                let span = start.to(rhs.span);
                let (lhs_b, rhs_b) = (boxed(lhs), boxed(rhs));
                lhs = Expr::new(
                    if matches!(op, Infix::In) {
                        ExprKind::In {
                            lhs: lhs_b,
                            rhs: rhs_b,
                        }
                    } else {
                        ExprKind::Regex {
                            lhs: lhs_b,
                            rhs: rhs_b,
                        }
                    },
                    span,
                );
                i = rest;
            }
            Infix::Str(sop) => {
                let after = if sop == StringOp::Contains {
                    after
                } else {
                    cut(expect_kw(after, "WITH"))?.0
                };
                let (rest, rhs) = cut(expr_bp(after, prec::ADD))?;
                let span = start.to(rhs.span);
                lhs = Expr::new(
                    ExprKind::StringOp {
                        op: sop,
                        lhs: boxed(lhs),
                        rhs: boxed(rhs),
                    },
                    span,
                );
                i = rest;
            }
        }
    }
    Ok((i, lhs))
}

/// True for tokens that continue a postfix chain after an atom.
fn is_postfix_start(t: &Tok) -> bool {
    t.is(Punct::Dot) || t.is(Punct::LBracket) || t.is(Punct::Colon)
}

/// `NOT e`, `-e`, `+e`, or a postfix expression. A minus directly before a
/// number literal makes a negative literal (so `-9223372036854775808` reads).
fn prefix(i: Input<'_>, min: u8) -> PResult<'_, Expr> {
    let start = i.span();
    match i.peek() {
        Tok::Word(w) if w.eq_ignore_ascii_case("NOT") && min <= prec::NOT => {
            let (rest, operand) = cut(expr_bp(i.advance(1), prec::NOT))?;
            let span = start.to(operand.span);
            Ok((
                rest,
                Expr::new(
                    ExprKind::Unary {
                        op: UnaryOp::Not,
                        operand: boxed(operand),
                    },
                    span,
                ),
            ))
        }
        Tok::P(Punct::Minus) | Tok::P(Punct::Plus) => {
            let neg = i.peek().is(Punct::Minus);
            if neg && !is_postfix_start(i.peek_at(2)) {
                match i.peek_at(1) {
                    Tok::Int(v) => {
                        let span = start.to(i.advance(1).span());
                        let value = -i128::from(*v);
                        return match i64::try_from(value) {
                            Ok(v) => Ok((
                                i.advance(2),
                                Expr::new(ExprKind::Literal(Literal::Integer(v)), span),
                            )),
                            Err(_) => i.fatal(
                                ParseErrorKind::IntegerOverflow,
                                span,
                                format!(
                                    "integer literal '{}' does not fit in a 64-bit signed integer",
                                    span.text(i.ctx.src)
                                ),
                            ),
                        };
                    }
                    Tok::Float(x) => {
                        let span = start.to(i.advance(1).span());
                        return Ok((
                            i.advance(2),
                            Expr::new(ExprKind::Literal(Literal::Float(-x)), span),
                        ));
                    }
                    _ => {}
                }
            }
            let (rest, operand) = cut(expr_bp(i.advance(1), prec::UNARY))?;
            let span = start.to(operand.span);
            let op = if neg { UnaryOp::Neg } else { UnaryOp::Plus };
            Ok((
                rest,
                Expr::new(
                    ExprKind::Unary {
                        op,
                        operand: boxed(operand),
                    },
                    span,
                ),
            ))
        }
        _ => postfix(i),
    }
}

/// An atom followed by property lookups, indexes and slices, and at most one
/// label test at the end.
fn postfix(i: Input<'_>) -> PResult<'_, Expr> {
    let (mut i, mut e) = atom(i)?;
    let mut chain: Vec<DepthGuard<'_>> = Vec::new();
    loop {
        if i.peek().is(Punct::Dot) {
            chain.push(i.enter()?);
            let (rest, key) = cut(name(i.advance(1), "a property key"))?;
            let span = e.span.to(key.span);
            e = Expr::new(ExprKind::Property { base: boxed(e), key }, span);
            i = rest;
        } else if i.peek().is(Punct::LBracket) {
            chain.push(i.enter()?);
            let (rest, new) = index_or_slice(i, e)?;
            e = new;
            i = rest;
        } else {
            break;
        }
    }
    if i.peek().is(Punct::Colon) && matches!(i.peek_at(1), Tok::Word(_) | Tok::Quoted(_)) {
        let (rest, labels) = label_list(i)?;
        let span = rest.span_from(e.span);
        e = Expr::new(
            ExprKind::HasLabels {
                base: boxed(e),
                labels,
            },
            span,
        );
        i = rest;
    }
    Ok((i, e))
}

/// `:A:B...` (at least one label).
pub(crate) fn label_list(i: Input<'_>) -> PResult<'_, Vec<Ident>> {
    let (mut i, _) = expect_p(i, Punct::Colon)?;
    let (rest, first) = cut(name(i, "a label"))?;
    i = rest;
    let mut labels = vec![first];
    while let Some((after, _)) = accept_p(i, Punct::Colon) {
        let (rest, l) = cut(name(after, "a label"))?;
        labels.push(l);
        i = rest;
    }
    Ok((i, labels))
}

/// `[i]`, `[a..b]`, `[..b]`, `[a..]`, `[..]` after `base`.
fn index_or_slice(i: Input<'_>, base: Expr) -> PResult<'_, Expr> {
    let (i, _) = expect_p(i, Punct::LBracket)?;
    let start = base.span;
    let (i, from) = if i.peek().is(Punct::DotDot) {
        (i, None)
    } else {
        let (r, e) = cut(expr(i))?;
        (r, Some(boxed(e)))
    };
    if let Some((after, _)) = accept_p(i, Punct::DotDot) {
        let (after, to) = if after.peek().is(Punct::RBracket) {
            (after, None)
        } else {
            let (r, e) = cut(expr(after))?;
            (r, Some(boxed(e)))
        };
        let (rest, close) = cut(expect_p(after, Punct::RBracket))?;
        let span = start.to(close);
        return Ok((
            rest,
            Expr::new(
                ExprKind::Slice {
                    base: boxed(base),
                    from,
                    to,
                },
                span,
            ),
        ));
    }
    i.ctx.expect_at(i.pos(), Expected::P(Punct::DotDot));
    let (rest, close) = cut(expect_p(i, Punct::RBracket))?;
    let span = start.to(close);
    match from {
        Some(index) => Ok((
            rest,
            Expr::new(
                ExprKind::Index {
                    base: boxed(base),
                    index,
                },
                span,
            ),
        )),
        None => i.fail(Expected::What("an expression")),
    }
}

fn lit(i: Input<'_>, l: Literal) -> PResult<'_, Expr> {
    let span = i.span();
    Ok((i.advance(1), Expr::new(ExprKind::Literal(l), span)))
}

/// The smallest expressions: literals, parameters, variables, calls,
/// bracketed forms.
fn atom(i: Input<'_>) -> PResult<'_, Expr> {
    match i.peek() {
        Tok::Int(v) => match i64::try_from(*v) {
            Ok(v) => lit(i, Literal::Integer(v)),
            Err(_) => {
                let span = i.span();
                i.fatal(
                    ParseErrorKind::IntegerOverflow,
                    span,
                    format!(
                        "integer literal '{}' does not fit in a 64-bit signed integer",
                        span.text(i.ctx.src)
                    ),
                )
            }
        },
        Tok::Float(x) => lit(i, Literal::Float(*x)),
        Tok::Str(s) => lit(i, Literal::String(s.clone())),
        Tok::Param(p) => {
            let span = i.span();
            Ok((i.advance(1), Expr::new(ExprKind::Param(p.clone()), span)))
        }
        Tok::P(Punct::LParen) => paren_or_pattern(i),
        Tok::P(Punct::LBracket) => list_like(i),
        Tok::P(Punct::LBrace) => map_literal(i),
        Tok::Word(w) => word_atom(i, w),
        Tok::Quoted(_) => name_atom(i),
        _ => i.fail(Expected::What("an expression")),
    }
}

/// An atom that starts with an unquoted word.
fn word_atom<'a>(i: Input<'a>, w: &str) -> PResult<'a, Expr> {
    let is = |k: &str| w.eq_ignore_ascii_case(k);
    if is("TRUE") {
        return lit(i, Literal::Bool(true));
    }
    if is("FALSE") {
        return lit(i, Literal::Bool(false));
    }
    if is("NULL") {
        return lit(i, Literal::Null);
    }
    if is("CASE") {
        return case_expr(i);
    }
    if i.peek_at(1).is(Punct::LParen) {
        if is("COUNT") && i.peek_at(2).is(Punct::Star) && i.peek_at(3).is(Punct::RParen) {
            let span = i.span().to(i.advance(3).span());
            return Ok((i.advance(4), Expr::new(ExprKind::CountStar, span)));
        }
        let var_in = at_variable(i.advance(2)) && i.peek_at(3).is_kw("IN");
        let quantifier = if is("ALL") {
            Some(QuantifierKind::All)
        } else if is("ANY") {
            Some(QuantifierKind::Any)
        } else if is("NONE") {
            Some(QuantifierKind::None)
        } else if is("SINGLE") {
            Some(QuantifierKind::Single)
        } else {
            None
        };
        if let (Some(kind), true) = (quantifier, var_in) {
            return quantifier_expr(i, kind);
        }
        if is("REDUCE") && at_variable(i.advance(2)) && i.peek_at(3).is(Punct::Eq) {
            return reduce_expr(i);
        }
        if !is_reserved(w) || is("EXISTS") {
            return fn_call(i);
        }
    }
    if is("EXISTS") && i.peek_at(1).is(Punct::LBrace) {
        return i.fatal(
            ParseErrorKind::Syntax,
            i.span(),
            "EXISTS { ... } subqueries are not supported; use exists((a)-->(b)) or a pattern predicate"
                .into(),
        );
    }
    if i.peek_at(1).is(Punct::Dot) && namespaced_call_ahead(i) {
        return fn_call(i);
    }
    if is_reserved(w) {
        return i.fail(Expected::What("an expression"));
    }
    name_atom(i)
}

/// A variable, or a map projection `var{...}`.
fn name_atom(i: Input<'_>) -> PResult<'_, Expr> {
    let (rest, var) = variable(i, "an expression")?;
    if rest.peek().is(Punct::LBrace) {
        return map_projection(rest, var);
    }
    let span = var.span;
    Ok((rest, Expr::new(ExprKind::Var(var), span)))
}

/// True when the tokens ahead read `name(.name)+(`.
fn namespaced_call_ahead(i: Input<'_>) -> bool {
    let mut n = 1;
    loop {
        if !i.peek_at(n).is(Punct::Dot) {
            return false;
        }
        if !matches!(i.peek_at(n + 1), Tok::Word(_) | Tok::Quoted(_)) {
            return false;
        }
        n += 2;
        if i.peek_at(n).is(Punct::LParen) {
            return true;
        }
    }
}

/// `ns.name([DISTINCT] args)`.
fn fn_call(i: Input<'_>) -> PResult<'_, Expr> {
    let start = i.span();
    let (mut i, mut name_part) = name(i, "a function name")?;
    let mut namespace = Vec::new();
    while let Some((after, _)) = accept_p(i, Punct::Dot) {
        let (rest, next) = cut(name(after, "a function name"))?;
        namespace.push(std::mem::replace(&mut name_part, next));
        i = rest;
    }
    let (i, _) = cut(expect_p(i, Punct::LParen))?;
    let (i, distinct) = match accept_kw(i, "DISTINCT") {
        Some((r, _)) => (r, true),
        None => (i, false),
    };
    let (i, args) = if i.peek().is(Punct::RParen) {
        (i, Vec::new())
    } else {
        cut(comma_list1(i, expr))?
    };
    let (rest, close) = cut(expect_p(i, Punct::RParen))?;
    Ok((
        rest,
        Expr::new(
            ExprKind::FnCall {
                namespace,
                name: name_part,
                distinct,
                args,
            },
            start.to(close),
        ),
    ))
}

/// `(expr)`, or a pattern predicate `(a)-[:T]->(b)` (which needs at least
/// one relationship).
fn paren_or_pattern(i: Input<'_>) -> PResult<'_, Expr> {
    if matches!(i.after_partner(0), Tok::P(Punct::Minus) | Tok::P(Punct::Lt)) {
        match pattern::element(i, true) {
            Ok((rest, el)) if !el.chain.is_empty() => {
                let span = el.span;
                return Ok((rest, Expr::new(ExprKind::Pattern(Box::new(el)), span)));
            }
            Err(Err::Failure(e)) => return Err(Err::Failure(e)),
            _ => {}
        }
    }
    let (i, open) = expect_p(i, Punct::LParen)?;
    let (i, mut e) = cut(expr(i))?;
    let (rest, close) = cut(expect_p(i, Punct::RParen))?;
    e.span = open.to(close);
    Ok((rest, e))
}

/// `[...]`: a list comprehension, a pattern comprehension or a list literal.
fn list_like(i: Input<'_>) -> PResult<'_, Expr> {
    let start = i.span();
    let inner = i.advance(1);
    if at_variable(inner) && inner.peek_at(1).is_kw("IN") {
        return list_comprehension(i);
    }
    let pattern_ahead = (inner.peek().is(Punct::LParen)
        && matches!(inner.after_partner(0), Tok::P(Punct::Minus) | Tok::P(Punct::Lt)))
        || (at_variable(inner) && inner.peek_at(1).is(Punct::Eq) && inner.peek_at(2).is(Punct::LParen));
    if pattern_ahead {
        match pattern_comprehension(i) {
            Ok(ok) => return Ok(ok),
            Err(Err::Failure(e)) => return Err(Err::Failure(e)),
            Err(_) => {}
        }
    }
    let (i, _) = expect_p(i, Punct::LBracket)?;
    let (i, items) = if i.peek().is(Punct::RBracket) {
        (i, Vec::new())
    } else {
        cut(comma_list1(i, expr))?
    };
    let (rest, close) = cut(expect_p(i, Punct::RBracket))?;
    Ok((rest, Expr::new(ExprKind::List(items), start.to(close))))
}

/// `[x IN list [WHERE pred] [| expr]]`.
fn list_comprehension(i: Input<'_>) -> PResult<'_, Expr> {
    let (i, open) = expect_p(i, Punct::LBracket)?;
    let (i, var) = variable(i, "a variable")?;
    let (i, _) = expect_kw(i, "IN")?;
    let (i, list) = cut(expr(i))?;
    let (i, where_) = opt_where(i)?;
    let (i, map) = match accept_p(i, Punct::Pipe) {
        Some((after, _)) => {
            let (r, e) = cut(expr(after))?;
            (r, Some(boxed(e)))
        }
        None => {
            i.ctx.expect_at(i.pos(), Expected::P(Punct::Pipe));
            (i, None)
        }
    };
    let (rest, close) = cut(expect_p(i, Punct::RBracket))?;
    Ok((
        rest,
        Expr::new(
            ExprKind::ListComp {
                var,
                list: boxed(list),
                where_,
                map,
            },
            open.to(close),
        ),
    ))
}

/// `WHERE expr` if present.
fn opt_where(i: Input<'_>) -> PResult<'_, Option<Box<Expr>>> {
    match accept_kw(i, "WHERE") {
        Some((after, _)) => {
            let (r, e) = cut(expr(after))?;
            Ok((r, Some(boxed(e))))
        }
        None => Ok((i, None)),
    }
}

/// `[[p =] (a)-->(b) [WHERE pred] | expr]`.
fn pattern_comprehension(i: Input<'_>) -> PResult<'_, Expr> {
    let (i, open) = expect_p(i, Punct::LBracket)?;
    let (i, var) = if at_variable(i) && i.peek_at(1).is(Punct::Eq) {
        let (r, v) = variable(i, "a variable")?;
        (r.advance(1), Some(v))
    } else {
        (i, None)
    };
    let (i, pattern) = pattern::element(i, true)?;
    if pattern.chain.is_empty() {
        return i.fail(Expected::P(Punct::Minus));
    }
    if !(i.peek().is_kw("WHERE") || i.peek().is(Punct::Pipe)) {
        return i.fail(Expected::P(Punct::Pipe));
    }
    let (i, where_) = opt_where(i)?;
    let (i, _) = cut(expect_p(i, Punct::Pipe))?;
    let (i, map) = cut(expr(i))?;
    let (rest, close) = cut(expect_p(i, Punct::RBracket))?;
    Ok((
        rest,
        Expr::new(
            ExprKind::PatternComp {
                var,
                pattern: Box::new(pattern),
                where_,
                map: boxed(map),
            },
            open.to(close),
        ),
    ))
}

/// `{key: value, ...}`.
pub(crate) fn map_literal(i: Input<'_>) -> PResult<'_, Expr> {
    let (i, open) = expect_p(i, Punct::LBrace)?;
    let (i, entries) = if i.peek().is(Punct::RBrace) {
        (i, Vec::new())
    } else {
        cut(comma_list1(i, |i| {
            let (i, key) = name(i, "a map key")?;
            let (i, _) = cut(expect_p(i, Punct::Colon))?;
            let (i, value) = cut(expr(i))?;
            Ok((i, (key, value)))
        }))?
    };
    let (rest, close) = cut(expect_p(i, Punct::RBrace))?;
    Ok((rest, Expr::new(ExprKind::Map(entries), open.to(close))))
}

/// `var{.key, key: expr, var2, .*}` after `var`.
fn map_projection<'a>(i: Input<'a>, var: Ident) -> PResult<'a, Expr> {
    let (i, _) = expect_p(i, Punct::LBrace)?;
    let (i, items) = if i.peek().is(Punct::RBrace) {
        (i, Vec::new())
    } else {
        cut(comma_list1(i, |i| {
            if let Some((after, _)) = accept_p(i, Punct::Dot) {
                if let Some((r, _)) = accept_p(after, Punct::Star) {
                    return Ok((r, MapProjItem::AllProps));
                }
                let (r, key) = cut(name(after, "a property key or '*'"))?;
                return Ok((r, MapProjItem::Property(key)));
            }
            if matches!(i.peek(), Tok::Word(_) | Tok::Quoted(_)) && i.peek_at(1).is(Punct::Colon) {
                let (r, key) = name(i, "a map key")?;
                let (r, value) = cut(expr(r.advance(1)))?;
                return Ok((r, MapProjItem::Literal(key, value)));
            }
            i.ctx.expect_at(i.pos(), Expected::P(Punct::Dot));
            let (r, v) = variable(i, "a map projection item")?;
            Ok((r, MapProjItem::Var(v)))
        }))?
    };
    let (rest, close) = cut(expect_p(i, Punct::RBrace))?;
    let span = var.span.to(close);
    Ok((rest, Expr::new(ExprKind::MapProjection { var, items }, span)))
}

/// `CASE [operand] WHEN .. THEN .. [ELSE ..] END`.
fn case_expr(i: Input<'_>) -> PResult<'_, Expr> {
    let _level = i.enter()?;
    let (i, start) = expect_kw(i, "CASE")?;
    let (mut i, operand) = if i.peek().is_kw("WHEN") {
        (i, None)
    } else {
        let (r, e) = cut(expr(i))?;
        (r, Some(boxed(e)))
    };
    let mut whens = Vec::new();
    loop {
        let Some((after, _)) = accept_kw(i, "WHEN") else {
            if whens.is_empty() {
                return cut(i.fail(Expected::Kw("WHEN")));
            }
            i.ctx.expect_at(i.pos(), Expected::Kw("WHEN"));
            break;
        };
        let (r, w) = cut(expr(after))?;
        let (r, _) = cut(expect_kw(r, "THEN"))?;
        let (r, t) = cut(expr(r))?;
        whens.push((w, t));
        i = r;
    }
    let (i, else_) = match accept_kw(i, "ELSE") {
        Some((after, _)) => {
            let (r, e) = cut(expr(after))?;
            (r, Some(boxed(e)))
        }
        None => {
            i.ctx.expect_at(i.pos(), Expected::Kw("ELSE"));
            (i, None)
        }
    };
    let (rest, end) = cut(expect_kw(i, "END"))?;
    Ok((
        rest,
        Expr::new(
            ExprKind::Case {
                operand,
                whens,
                else_,
            },
            start.to(end),
        ),
    ))
}

/// `all|any|none|single(x IN list [WHERE pred])`.
fn quantifier_expr(i: Input<'_>, kind: QuantifierKind) -> PResult<'_, Expr> {
    let start = i.span();
    let (i, _) = expect_p(i.advance(1), Punct::LParen)?;
    let (i, var) = variable(i, "a variable")?;
    let (i, _) = expect_kw(i, "IN")?;
    let (i, list) = cut(expr(i))?;
    let (i, where_) = opt_where(i)?;
    if where_.is_none() {
        i.ctx.expect_at(i.pos(), Expected::Kw("WHERE"));
    }
    let (rest, close) = cut(expect_p(i, Punct::RParen))?;
    Ok((
        rest,
        Expr::new(
            ExprKind::Quantifier {
                kind,
                var,
                list: boxed(list),
                where_,
            },
            start.to(close),
        ),
    ))
}

/// `reduce(acc = init, x IN list | expr)`.
fn reduce_expr(i: Input<'_>) -> PResult<'_, Expr> {
    let start = i.span();
    let (i, _) = expect_p(i.advance(1), Punct::LParen)?;
    let (i, acc) = variable(i, "a variable")?;
    let (i, _) = cut(expect_p(i, Punct::Eq))?;
    let (i, init) = cut(expr(i))?;
    let (i, _) = cut(expect_p(i, Punct::Comma))?;
    let (i, var) = cut(variable(i, "a variable"))?;
    let (i, _) = cut(expect_kw(i, "IN"))?;
    let (i, list) = cut(expr(i))?;
    let (i, _) = cut(expect_p(i, Punct::Pipe))?;
    let (i, body) = cut(expr(i))?;
    let (rest, close) = cut(expect_p(i, Punct::RParen))?;
    Ok((
        rest,
        Expr::new(
            ExprKind::Reduce {
                acc,
                init: boxed(init),
                var,
                list: boxed(list),
                expr: boxed(body),
            },
            start.to(close),
        ),
    ))
}

/// The target of `SET base.key = ...` and `REMOVE base.key`: an atom with
/// at least one property lookup. Returns the base (all lookups but the last)
/// and the last key.
pub(crate) fn property_target(i: Input<'_>) -> PResult<'_, (Expr, Ident)> {
    let (mut i, mut base) = atom(i)?;
    let mut last: Option<Ident> = None;
    let mut chain: Vec<DepthGuard<'_>> = Vec::new();
    while let Some((after, _)) = accept_p(i, Punct::Dot) {
        chain.push(i.enter()?);
        let (r, key) = cut(name(after, "a property key"))?;
        if let Some(prev) = last.take() {
            let span = base.span.to(prev.span);
            base = Expr::new(
                ExprKind::Property {
                    base: boxed(base),
                    key: prev,
                },
                span,
            );
        }
        last = Some(key);
        i = r;
    }
    match last {
        Some(key) => Ok((i, (base, key))),
        None => i.fail(Expected::P(Punct::Dot)),
    }
}
