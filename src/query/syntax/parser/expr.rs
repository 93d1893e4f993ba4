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
//!
//! Stack discipline: the functions on the recursive paths (`expr_bp`,
//! `prefix`, `postfix`, `atom`, `paren_expr`, the list and map loops) are
//! kept small and return boxed expressions, so that one level of nesting
//! costs a few kilobytes of stack even in a debug build. Work that is not on
//! a recursive path (folding `-5`, operator bookkeeping) lives in separate
//! functions.

use nom::Err;

use super::{
    accept_kw, accept_p, at_variable, cut, expect_kw, expect_p, name, variable, DepthGuard, Expected, Input,
    PResult,
};
use super::{clause, pattern};
use crate::query::syntax::ast::*;
use crate::query::syntax::error::ParseErrorKind;
use crate::query::syntax::lexer::{is_reserved, Punct, Tok};
use crate::query::syntax::print::{binary_prec, prec};

/// A parser result holding a boxed expression.
pub(crate) type PExpr<'a> = PResult<'a, Box<Expr>>;

/// A full expression.
pub(crate) fn expr(i: Input<'_>) -> PResult<'_, Expr> {
    let (i, e) = expr_bp(i, 0)?;
    Ok((i, *e))
}

fn new(kind: ExprKind, span: crate::query::syntax::span::Span) -> Box<Expr> {
    Box::new(Expr::new(kind, span))
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
            Infix::Binary(op) => binary_prec(op),
            Infix::Compare(_) => prec::COMPARE,
            Infix::IsNull | Infix::In | Infix::Str(_) | Infix::Regex => prec::PREDICATE,
        }
    }
}

/// The infix operator at the current token (without checking what follows
/// `IS` or `STARTS`).
fn peek_infix(i: Input<'_>) -> Option<Infix> {
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
            let is = |k: &str| w.eq_ignore_ascii_case(k);
            if is("OR") {
                Infix::Binary(BinaryOp::Or)
            } else if is("XOR") {
                Infix::Binary(BinaryOp::Xor)
            } else if is("AND") {
                Infix::Binary(BinaryOp::And)
            } else if is("IS") {
                Infix::IsNull
            } else if is("IN") {
                Infix::In
            } else if is("STARTS") {
                Infix::Str(StringOp::StartsWith)
            } else if is("ENDS") {
                Infix::Str(StringOp::EndsWith)
            } else if is("CONTAINS") {
                Infix::Str(StringOp::Contains)
            } else {
                return None;
            }
        }
        _ => return None,
    };
    Some(op)
}

/// An expression whose top operator binds at least as tightly as `min`.
pub(crate) fn expr_bp(i: Input<'_>, min: u8) -> PExpr<'_> {
    let _level = i.enter()?;
    let (i, lhs) = prefix(i, min)?;
    match peek_infix(i) {
        Some(op) if op.prec() >= min => infix_loop(i, lhs, min),
        _ => Ok((i, lhs)),
    }
}

/// Folds infix operators onto `lhs` while they bind at least as tightly as
/// `min`. Each folded operator counts one nesting level.
#[inline(never)]
fn infix_loop<'a>(mut i: Input<'a>, mut lhs: Box<Expr>, min: u8) -> PExpr<'a> {
    let mut chain: Vec<DepthGuard<'a>> = Vec::new();
    while let Some(op) = peek_infix(i) {
        if op.prec() < min {
            break;
        }
        chain.push(i.enter()?);
        let (rest, e) = infix_step(i, lhs, op)?;
        i = rest;
        lhs = e;
    }
    Ok((i, lhs))
}

/// Parses one infix operator and its right side.
#[inline(never)]
fn infix_step<'a>(i: Input<'a>, lhs: Box<Expr>, op: Infix) -> PExpr<'a> {
    let start = lhs.span;
    let after = i.advance(1);
    match op {
        Infix::Binary(bop) => {
            let rmin = if bop == BinaryOp::Pow {
                prec::UNARY
            } else {
                binary_prec(bop) + 1
            };
            let (rest, rhs) = cut(expr_bp(after, rmin))?;
            let span = start.to(rhs.span);
            Ok((rest, new(ExprKind::Binary { op: bop, lhs, rhs }, span)))
        }
        Infix::Compare(first_op) => compare_chain(after, lhs, first_op),
        Infix::IsNull => {
            let (after, negated) = match accept_kw(after, "NOT") {
                Some((a, _)) => (a, true),
                None => (after, false),
            };
            let (rest, _) = cut(expect_kw(after, "NULL"))?;
            let span = rest.span_from(start);
            Ok((rest, new(ExprKind::IsNull { expr: lhs, negated }, span)))
        }
        Infix::In | Infix::Regex => {
            let (rest, rhs) = cut(expr_bp(after, prec::ADD))?;
            let span = start.to(rhs.span);
            let kind = if matches!(op, Infix::In) {
                ExprKind::In { lhs, rhs }
            } else {
                ExprKind::Regex { lhs, rhs }
            };
            Ok((rest, new(kind, span)))
        }
        Infix::Str(sop) => {
            let after = if sop == StringOp::Contains {
                after
            } else {
                cut(expect_kw(after, "WITH"))?.0
            };
            let (rest, rhs) = cut(expr_bp(after, prec::ADD))?;
            let span = start.to(rhs.span);
            Ok((rest, new(ExprKind::StringOp { op: sop, lhs, rhs }, span)))
        }
    }
}

/// `lhs op1 e1 op2 e2 ...` after the first operator.
#[inline(never)]
fn compare_chain<'a>(after: Input<'a>, first: Box<Expr>, first_op: CmpOp) -> PExpr<'a> {
    let start = first.span;
    let (mut rest, rhs) = cut(expr_bp(after, prec::PREDICATE))?;
    let mut items = vec![(first_op, *rhs)];
    while let Some(Infix::Compare(op)) = peek_infix(rest) {
        let (r, e) = cut(expr_bp(rest.advance(1), prec::PREDICATE))?;
        items.push((op, *e));
        rest = r;
    }
    let span = rest.span_from(start);
    Ok((rest, new(ExprKind::Compare { first, rest: items }, span)))
}

/// True for tokens that continue a postfix chain after an atom.
fn is_postfix_start(t: &Tok) -> bool {
    t.is(Punct::Dot) || t.is(Punct::LBracket) || t.is(Punct::Colon)
}

/// `NOT e`, `-e`, `+e`, or a postfix expression.
fn prefix(i: Input<'_>, min: u8) -> PExpr<'_> {
    match i.peek() {
        Tok::Word(w) if min <= prec::NOT && w.eq_ignore_ascii_case("NOT") => not_expr(i),
        Tok::P(Punct::Minus) | Tok::P(Punct::Plus) => unary_expr(i),
        _ => postfix(i),
    }
}

#[inline(never)]
fn not_expr(i: Input<'_>) -> PExpr<'_> {
    let start = i.span();
    let (rest, operand) = cut(expr_bp(i.advance(1), prec::NOT))?;
    let span = start.to(operand.span);
    Ok((
        rest,
        new(
            ExprKind::Unary {
                op: UnaryOp::Not,
                operand,
            },
            span,
        ),
    ))
}

/// `-e` or `+e`. A minus directly before a number literal (not followed by a
/// postfix operator) makes a negative literal, so `-9223372036854775808`
/// can be written.
#[inline(never)]
fn unary_expr(i: Input<'_>) -> PExpr<'_> {
    let neg = i.peek().is(Punct::Minus);
    if neg && matches!(i.peek_at(1), Tok::Int(_) | Tok::Float(_)) && !is_postfix_start(i.peek_at(2)) {
        return negative_literal(i);
    }
    let start = i.span();
    let (rest, operand) = cut(expr_bp(i.advance(1), prec::UNARY))?;
    let span = start.to(operand.span);
    let op = if neg { UnaryOp::Neg } else { UnaryOp::Plus };
    Ok((rest, new(ExprKind::Unary { op, operand }, span)))
}

#[inline(never)]
fn negative_literal(i: Input<'_>) -> PExpr<'_> {
    let span = i.span().to(i.advance(1).span());
    let lit = match i.peek_at(1) {
        Tok::Int(v) => match i64::try_from(-i128::from(*v)) {
            Ok(v) => Literal::Integer(v),
            Err(_) => {
                return i.fatal(
                    ParseErrorKind::IntegerOverflow,
                    span,
                    format!(
                        "integer literal '{}' does not fit in a 64-bit signed integer",
                        span.text(i.ctx.src)
                    ),
                )
            }
        },
        Tok::Float(x) => Literal::Float(-x),
        _ => return i.fail(Expected::What("a number")),
    };
    Ok((i.advance(2), new(ExprKind::Literal(lit), span)))
}

/// An atom followed by property lookups, indexes and slices, and at most one
/// label test at the end.
fn postfix(i: Input<'_>) -> PExpr<'_> {
    let (i, e) = atom(i)?;
    if is_postfix_start(i.peek()) {
        postfix_loop(i, e)
    } else {
        Ok((i, e))
    }
}

#[inline(never)]
fn postfix_loop<'a>(mut i: Input<'a>, mut e: Box<Expr>) -> PExpr<'a> {
    let mut chain: Vec<DepthGuard<'a>> = Vec::new();
    loop {
        if i.peek().is(Punct::Dot) {
            chain.push(i.enter()?);
            let (rest, key) = cut(name(i.advance(1), "a property key"))?;
            let span = e.span.to(key.span);
            e = new(ExprKind::Property { base: e, key }, span);
            i = rest;
        } else if i.peek().is(Punct::LBracket) {
            chain.push(i.enter()?);
            let (rest, next) = index_or_slice(i, e)?;
            e = next;
            i = rest;
        } else {
            break;
        }
    }
    if i.peek().is(Punct::Colon) {
        // After an expression a colon can only start a label test.
        let (rest, labels) = cut(label_list(i))?;
        let span = rest.span_from(e.span);
        e = new(ExprKind::HasLabels { base: e, labels }, span);
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
#[inline(never)]
fn index_or_slice(i: Input<'_>, base: Box<Expr>) -> PExpr<'_> {
    let (i, _) = expect_p(i, Punct::LBracket)?;
    let start = base.span;
    let (i, from) = if i.peek().is(Punct::DotDot) {
        (i, None)
    } else {
        let (r, e) = cut(expr_bp(i, 0))?;
        (r, Some(e))
    };
    if let Some((after, _)) = accept_p(i, Punct::DotDot) {
        let (after, to) = if after.peek().is(Punct::RBracket) {
            (after, None)
        } else {
            let (r, e) = cut(expr_bp(after, 0))?;
            (r, Some(e))
        };
        let (rest, close) = cut(expect_p(after, Punct::RBracket))?;
        return Ok((rest, new(ExprKind::Slice { base, from, to }, start.to(close))));
    }
    i.ctx.expect_at(i.pos(), Expected::P(Punct::DotDot));
    let (rest, close) = cut(expect_p(i, Punct::RBracket))?;
    match from {
        Some(index) => Ok((rest, new(ExprKind::Index { base, index }, start.to(close)))),
        None => i.fail(Expected::What("an expression")),
    }
}

fn lit(i: Input<'_>, l: Literal) -> PExpr<'_> {
    let span = i.span();
    Ok((i.advance(1), new(ExprKind::Literal(l), span)))
}

/// The smallest expressions: literals, parameters, variables, calls,
/// bracketed forms.
fn atom(i: Input<'_>) -> PExpr<'_> {
    match i.peek() {
        Tok::P(Punct::LParen) => paren_or_pattern(i),
        Tok::P(Punct::LBracket) => list_like(i),
        Tok::P(Punct::LBrace) => map_literal(i),
        Tok::Word(_) => word_atom(i),
        _ => simple_atom(i),
    }
}

#[inline(never)]
fn simple_atom(i: Input<'_>) -> PExpr<'_> {
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
            Ok((i.advance(1), new(ExprKind::Param(p.clone()), span)))
        }
        Tok::Quoted(_) if i.peek_at(1).is(Punct::LParen) || namespaced_call_ahead(i) => fn_call(i),
        Tok::Quoted(_) => name_atom(i),
        _ => i.fail(Expected::What("an expression")),
    }
}

/// What an atom that starts with a word turns out to be.
enum WordAtom {
    Literal(Literal),
    Case,
    CountStar,
    Quantifier(QuantifierKind),
    Reduce,
    Call,
    Subquery(SubqueryKind),
    Name,
    Reserved,
}

#[inline(never)]
fn classify_word(i: Input<'_>) -> WordAtom {
    let Tok::Word(w) = i.peek() else {
        return WordAtom::Name;
    };
    let is = |k: &str| w.eq_ignore_ascii_case(k);
    // `a.b.f(...)` is a namespaced call whatever the words are.
    if namespaced_call_ahead(i) {
        return WordAtom::Call;
    }
    if is("TRUE") {
        return WordAtom::Literal(Literal::Bool(true));
    }
    if is("FALSE") {
        return WordAtom::Literal(Literal::Bool(false));
    }
    if is("NULL") {
        return WordAtom::Literal(Literal::Null);
    }
    if is("CASE") {
        return WordAtom::Case;
    }
    if i.peek_at(1).is(Punct::LParen) {
        if is("COUNT") && i.peek_at(2).is(Punct::Star) && i.peek_at(3).is(Punct::RParen) {
            return WordAtom::CountStar;
        }
        let var_in = at_variable(i.advance(2)) && i.peek_at(3).is_kw("IN");
        if var_in {
            for (k, kind) in [
                ("ALL", QuantifierKind::All),
                ("ANY", QuantifierKind::Any),
                ("NONE", QuantifierKind::None),
                ("SINGLE", QuantifierKind::Single),
            ] {
                if is(k) {
                    return WordAtom::Quantifier(kind);
                }
            }
        }
        if is("REDUCE") && at_variable(i.advance(2)) && i.peek_at(3).is(Punct::Eq) {
            return WordAtom::Reduce;
        }
        if !is_reserved(w) || is("EXISTS") {
            return WordAtom::Call;
        }
    }
    if i.peek_at(1).is(Punct::LBrace) {
        if is("EXISTS") {
            return WordAtom::Subquery(SubqueryKind::Exists);
        }
        // `count {.x}` is a map projection of a variable named `count`.
        let body = i.advance(2);
        if is("COUNT") && !map_projection_ahead(body) {
            return WordAtom::Subquery(SubqueryKind::Count);
        }
        if is("COLLECT") && !map_projection_ahead(body) {
            return WordAtom::Subquery(SubqueryKind::Collect);
        }
    }
    if is_reserved(w) {
        WordAtom::Reserved
    } else {
        WordAtom::Name
    }
}

/// An atom that starts with an unquoted word.
fn word_atom(i: Input<'_>) -> PExpr<'_> {
    match classify_word(i) {
        WordAtom::Name => name_atom(i),
        WordAtom::Call => fn_call(i),
        WordAtom::Case => case_expr(i),
        WordAtom::Quantifier(kind) => quantifier_expr(i, kind),
        WordAtom::Reduce => reduce_expr(i),
        WordAtom::Subquery(kind) => subquery_expr(i, kind),
        other => other_word_atom(i, other),
    }
}

/// The word atoms that do not nest.
#[inline(never)]
fn other_word_atom(i: Input<'_>, what: WordAtom) -> PExpr<'_> {
    match what {
        WordAtom::Literal(l) => lit(i, l),
        WordAtom::CountStar => {
            let span = i.span().to(i.advance(3).span());
            Ok((i.advance(4), new(ExprKind::CountStar, span)))
        }
        _ => i.fail(Expected::What("an expression")),
    }
}

/// True when the tokens after `{` read as the items of a map projection
/// (`}`, `.key`, `key:`, `var,` or `var}`), not as the body of a subquery.
fn map_projection_ahead(i: Input<'_>) -> bool {
    let t = i.peek();
    if t.is(Punct::RBrace) || t.is(Punct::Dot) {
        return true;
    }
    let next = i.peek_at(1);
    matches!(t, Tok::Word(_) | Tok::Quoted(_))
        && (next.is(Punct::Colon) || next.is(Punct::Comma) || next.is(Punct::RBrace))
}

/// `EXISTS { ... }`, `COUNT { ... }` or `COLLECT { ... }`: the keyword, then
/// a query or patterns in braces. The braces count `SUBQUERY_LEVELS` levels
/// of nesting.
#[inline(never)]
fn subquery_expr(i: Input<'_>, kind: SubqueryKind) -> PExpr<'_> {
    let _level = i.enter_subquery()?;
    let start = i.span();
    let (i, _) = expect_p(i.advance(1), Punct::LBrace)?;
    let (i, body) = cut(clause::subquery_body(i))?;
    let (rest, close) = cut(expect_p(i, Punct::RBrace))?;
    let kind = ExprKind::Subquery {
        kind,
        body: Box::new(body),
    };
    Ok((rest, new(kind, start.to(close))))
}

/// A variable, or a map projection `var{...}`.
#[inline(never)]
fn name_atom(i: Input<'_>) -> PExpr<'_> {
    let (rest, var) = variable(i, "an expression")?;
    if rest.peek().is(Punct::LBrace) {
        return map_projection(rest, var);
    }
    let span = var.span;
    Ok((rest, new(ExprKind::Var(var), span)))
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

/// Expressions separated by commas, up to (not including) `close`.
pub(crate) fn expr_list(i: Input<'_>, close: Punct) -> PResult<'_, Vec<Expr>> {
    let mut out = Vec::new();
    if i.peek().is(close) {
        return Ok((i, out));
    }
    i.ctx.expect_at(i.pos(), Expected::P(close));
    let mut i = i;
    loop {
        let (rest, e) = cut(expr_bp(i, 0))?;
        out.push(*e);
        match accept_p(rest, Punct::Comma) {
            Some((after, _)) => i = after,
            None => {
                rest.ctx.expect_at(rest.pos(), Expected::P(Punct::Comma));
                return Ok((rest, out));
            }
        }
    }
}

/// `ns.name([DISTINCT] args)`.
#[inline(never)]
fn fn_call(i: Input<'_>) -> PExpr<'_> {
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
    let (i, args) = expr_list(i, Punct::RParen)?;
    let (rest, close) = cut(expect_p(i, Punct::RParen))?;
    let kind = ExprKind::FnCall {
        namespace,
        name: name_part,
        distinct,
        args,
    };
    Ok((rest, new(kind, start.to(close))))
}

/// `(expr)`, or a pattern predicate `(a)-[:T]->(b)` (which needs at least
/// one relationship).
fn paren_or_pattern(i: Input<'_>) -> PExpr<'_> {
    if matches!(i.after_partner(0), Tok::P(Punct::Minus) | Tok::P(Punct::Lt))
        && !map_projection_in_parens(i)
        && let Some(found) = pattern_predicate(i)?
    {
        return Ok(found);
    }
    paren_expr(i)
}

/// True when the `(` at `i` opens `(var {...` whose braces hold an item no property map can:
/// `.key`, `.*` or a bare variable. The text is then a map projection in parentheses
/// (`(n {a: 1, m} IS NULL) - 1`), not a node pattern. Linear in the tokens of the braces:
/// nested brackets are skipped by their partners.
fn map_projection_in_parens(i: Input<'_>) -> bool {
    if !(matches!(i.peek_at(1), Tok::Word(_) | Tok::Quoted(_)) && i.peek_at(2).is(Punct::LBrace)) {
        return false;
    }
    let ctx = i.ctx;
    let kind = |k: usize| ctx.tokens.get(k).map(|t| &t.kind);
    let open = i.pos() + 2;
    let close = match ctx.partner.get(open) {
        Some(&p) if p != u32::MAX => p as usize,
        _ => return false,
    };
    let mut k = open + 1;
    let mut item_start = true;
    while k < close {
        let Some(t) = kind(k) else {
            return false;
        };
        if item_start
            && (t.is(Punct::Dot)
                || (matches!(t, Tok::Word(_) | Tok::Quoted(_))
                    && matches!(kind(k + 1), Some(Tok::P(Punct::Comma | Punct::RBrace)))))
        {
            return true;
        }
        item_start = t.is(Punct::Comma);
        k = match ctx.partner.get(k) {
            Some(&p) if p != u32::MAX && p as usize > k => p as usize + 1,
            _ => k + 1,
        };
    }
    false
}

fn paren_expr(i: Input<'_>) -> PExpr<'_> {
    let (i, open) = expect_p(i, Punct::LParen)?;
    let (i, mut e) = cut(expr_bp(i, 0))?;
    let (rest, close) = cut(expect_p(i, Punct::RParen))?;
    e.span = open.to(close);
    Ok((rest, e))
}

/// Tries a pattern predicate; `None` when the text is not one.
#[inline(never)]
fn pattern_predicate(i: Input<'_>) -> Result<Option<(Input<'_>, Box<Expr>)>, Err<super::PErr>> {
    match pattern::element(i, true) {
        Ok((rest, el)) if !el.chain.is_empty() => {
            let span = el.span;
            Ok(Some((rest, new(ExprKind::Pattern(Box::new(el)), span))))
        }
        Err(Err::Failure(e)) => Err(Err::Failure(e)),
        _ => Ok(None),
    }
}

/// `[...]`: a list comprehension, a pattern comprehension or a list literal.
fn list_like(i: Input<'_>) -> PExpr<'_> {
    let inner = i.advance(1);
    if at_variable(inner) && inner.peek_at(1).is_kw("IN") {
        return list_comprehension(i);
    }
    let pattern_ahead = (inner.peek().is(Punct::LParen)
        && matches!(inner.after_partner(0), Tok::P(Punct::Minus) | Tok::P(Punct::Lt)))
        || (at_variable(inner) && inner.peek_at(1).is(Punct::Eq) && inner.peek_at(2).is(Punct::LParen));
    if pattern_ahead && let Some(found) = try_pattern_comprehension(i)? {
        return Ok(found);
    }
    list_literal(i)
}

fn list_literal(i: Input<'_>) -> PExpr<'_> {
    let (i, open) = expect_p(i, Punct::LBracket)?;
    let (i, items) = expr_list(i, Punct::RBracket)?;
    let (rest, close) = cut(expect_p(i, Punct::RBracket))?;
    Ok((rest, new(ExprKind::List(items), open.to(close))))
}

#[inline(never)]
fn try_pattern_comprehension(i: Input<'_>) -> Result<Option<(Input<'_>, Box<Expr>)>, Err<super::PErr>> {
    match pattern_comprehension(i) {
        Ok(ok) => Ok(Some(ok)),
        Err(Err::Failure(e)) => Err(Err::Failure(e)),
        Err(_) => Ok(None),
    }
}

/// `[x IN list [WHERE pred] [| expr]]`.
#[inline(never)]
fn list_comprehension(i: Input<'_>) -> PExpr<'_> {
    let (i, open) = expect_p(i, Punct::LBracket)?;
    let (i, var) = variable(i, "a variable")?;
    let (i, _) = expect_kw(i, "IN")?;
    let (i, list) = cut(expr_bp(i, 0))?;
    let (i, where_) = opt_where(i)?;
    let (i, map) = match accept_p(i, Punct::Pipe) {
        Some((after, _)) => {
            let (r, e) = cut(expr_bp(after, 0))?;
            (r, Some(e))
        }
        None => {
            i.ctx.expect_at(i.pos(), Expected::P(Punct::Pipe));
            (i, None)
        }
    };
    let (rest, close) = cut(expect_p(i, Punct::RBracket))?;
    let kind = ExprKind::ListComp {
        var,
        list,
        where_,
        map,
    };
    Ok((rest, new(kind, open.to(close))))
}

/// `WHERE expr` if present.
fn opt_where(i: Input<'_>) -> PResult<'_, Option<Box<Expr>>> {
    match accept_kw(i, "WHERE") {
        Some((after, _)) => {
            let (r, e) = cut(expr_bp(after, 0))?;
            Ok((r, Some(e)))
        }
        None => Ok((i, None)),
    }
}

/// `[[p =] (a)-->(b) [WHERE pred] | expr]`.
#[inline(never)]
fn pattern_comprehension(i: Input<'_>) -> PExpr<'_> {
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
    let (i, map) = cut(expr_bp(i, 0))?;
    let (rest, close) = cut(expect_p(i, Punct::RBracket))?;
    let kind = ExprKind::PatternComp {
        var,
        pattern: Box::new(pattern),
        where_,
        map,
    };
    Ok((rest, new(kind, open.to(close))))
}

/// `{key: value, ...}`.
pub(crate) fn map_literal(i: Input<'_>) -> PExpr<'_> {
    let (mut i, open) = expect_p(i, Punct::LBrace)?;
    let mut entries = Vec::new();
    if !i.peek().is(Punct::RBrace) {
        i.ctx.expect_at(i.pos(), Expected::P(Punct::RBrace));
        loop {
            let (r, key) = cut(name(i, "a map key"))?;
            let (r, _) = cut(expect_p(r, Punct::Colon))?;
            let (r, value) = cut(expr_bp(r, 0))?;
            entries.push((key, *value));
            match accept_p(r, Punct::Comma) {
                Some((after, _)) => i = after,
                None => {
                    r.ctx.expect_at(r.pos(), Expected::P(Punct::Comma));
                    i = r;
                    break;
                }
            }
        }
    }
    let (rest, close) = cut(expect_p(i, Punct::RBrace))?;
    Ok((rest, new(ExprKind::Map(entries), open.to(close))))
}

/// One item of a map projection, pushed onto `items`.
fn map_proj_item<'a>(i: Input<'a>, items: &mut Vec<MapProjItem>) -> PResult<'a, ()> {
    if let Some((after, _)) = accept_p(i, Punct::Dot) {
        if let Some((r, _)) = accept_p(after, Punct::Star) {
            items.push(MapProjItem::AllProps);
            return Ok((r, ()));
        }
        let (r, key) = cut(name(after, "a property key or '*'"))?;
        items.push(MapProjItem::Property(key));
        return Ok((r, ()));
    }
    if matches!(i.peek(), Tok::Word(_) | Tok::Quoted(_)) && i.peek_at(1).is(Punct::Colon) {
        let (r, key) = name(i, "a map key")?;
        let (r, value) = cut(expr_bp(r.advance(1), 0))?;
        items.push(MapProjItem::Literal(key, *value));
        return Ok((r, ()));
    }
    i.ctx.expect_at(i.pos(), Expected::P(Punct::Dot));
    let (r, v) = variable(i, "a map projection item")?;
    items.push(MapProjItem::Var(v));
    Ok((r, ()))
}

/// `var{.key, key: expr, var2, .*}` after `var`.
#[inline(never)]
fn map_projection<'a>(i: Input<'a>, var: Ident) -> PExpr<'a> {
    let (mut i, _) = expect_p(i, Punct::LBrace)?;
    let mut items = Vec::new();
    if !i.peek().is(Punct::RBrace) {
        loop {
            let (r, ()) = cut(map_proj_item(i, &mut items))?;
            match accept_p(r, Punct::Comma) {
                Some((after, _)) => i = after,
                None => {
                    r.ctx.expect_at(r.pos(), Expected::P(Punct::Comma));
                    i = r;
                    break;
                }
            }
        }
    }
    let (rest, close) = cut(expect_p(i, Punct::RBrace))?;
    let span = var.span.to(close);
    Ok((rest, new(ExprKind::MapProjection { var, items }, span)))
}

/// `CASE [operand] WHEN .. THEN .. [ELSE ..] END`.
#[inline(never)]
fn case_expr(i: Input<'_>) -> PExpr<'_> {
    let _level = i.enter()?;
    let (i, start) = expect_kw(i, "CASE")?;
    let (mut i, operand) = if i.peek().is_kw("WHEN") {
        (i, None)
    } else {
        let (r, e) = cut(expr_bp(i, 0))?;
        (r, Some(e))
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
        let (r, w) = cut(expr_bp(after, 0))?;
        let (r, _) = cut(expect_kw(r, "THEN"))?;
        let (r, t) = cut(expr_bp(r, 0))?;
        whens.push((*w, *t));
        i = r;
    }
    let (i, else_) = match accept_kw(i, "ELSE") {
        Some((after, _)) => {
            let (r, e) = cut(expr_bp(after, 0))?;
            (r, Some(e))
        }
        None => {
            i.ctx.expect_at(i.pos(), Expected::Kw("ELSE"));
            (i, None)
        }
    };
    let (rest, end) = cut(expect_kw(i, "END"))?;
    let kind = ExprKind::Case {
        operand,
        whens,
        else_,
    };
    Ok((rest, new(kind, start.to(end))))
}

/// `all|any|none|single(x IN list [WHERE pred])`.
#[inline(never)]
fn quantifier_expr(i: Input<'_>, kind: QuantifierKind) -> PExpr<'_> {
    let start = i.span();
    let (i, _) = expect_p(i.advance(1), Punct::LParen)?;
    let (i, var) = variable(i, "a variable")?;
    let (i, _) = expect_kw(i, "IN")?;
    let (i, list) = cut(expr_bp(i, 0))?;
    let (i, where_) = opt_where(i)?;
    if where_.is_none() {
        i.ctx.expect_at(i.pos(), Expected::Kw("WHERE"));
    }
    let (rest, close) = cut(expect_p(i, Punct::RParen))?;
    let kind = ExprKind::Quantifier {
        kind,
        var,
        list,
        where_,
    };
    Ok((rest, new(kind, start.to(close))))
}

/// `reduce(acc = init, x IN list | expr)`.
#[inline(never)]
fn reduce_expr(i: Input<'_>) -> PExpr<'_> {
    let start = i.span();
    let (i, _) = expect_p(i.advance(1), Punct::LParen)?;
    let (i, acc) = variable(i, "a variable")?;
    let (i, _) = cut(expect_p(i, Punct::Eq))?;
    let (i, init) = cut(expr_bp(i, 0))?;
    let (i, _) = cut(expect_p(i, Punct::Comma))?;
    let (i, var) = cut(variable(i, "a variable"))?;
    let (i, _) = cut(expect_kw(i, "IN"))?;
    let (i, list) = cut(expr_bp(i, 0))?;
    let (i, _) = cut(expect_p(i, Punct::Pipe))?;
    let (i, body) = cut(expr_bp(i, 0))?;
    let (rest, close) = cut(expect_p(i, Punct::RParen))?;
    let kind = ExprKind::Reduce {
        acc,
        init,
        var,
        list,
        expr: body,
    };
    Ok((rest, new(kind, start.to(close))))
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
            base = new(ExprKind::Property { base, key: prev }, span);
        }
        last = Some(key);
        i = r;
    }
    match last {
        Some(key) => Ok((i, (*base, key))),
        None => i.fail(Expected::P(Punct::Dot)),
    }
}
