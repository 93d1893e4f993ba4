//! The parser: nom 8 combinators over the token slice.
//!
//! The input type [`Input`] wraps the remaining tokens together with a shared
//! [`Ctx`] that holds the source text, the nesting-depth counter, a work
//! counter and the furthest failure seen so far; it implements `nom::Input`.
//! Clauses and patterns are built from nom's combinators (`alt`, `opt`,
//! `many0`, `preceded`, `map`, `cut`). The expression core (`expr.rs`) is
//! precedence climbing written as plain functions with the same `IResult`
//! signature, because every layer of combinator closures costs stack on each
//! nesting level and the depth limit must be reached before a 2 MiB stack
//! runs out, even in a debug build.
//!
//! Backtracking is bounded: every consumed token is counted, and a parse
//! that consumes more than `WORK_PER_TOKEN` times the number of tokens stops
//! with `TooComplex` instead of taking exponential time.
//!
//! Error reporting follows databend: every primitive that fails to find a
//! required token records what it expected at that token position; the
//! report uses the furthest position any alternative reached and merges the
//! expectations of every branch that failed there. Optional continuations
//! (another label, an operator, `WHERE`) fail quietly so that they do not
//! crowd the message. Errors that are not about a missing token (too deep,
//! integer overflow, a misplaced pattern) are `Failure`s that carry their own
//! message and stop the parse at once.

mod check;
mod clause;
mod expr;
mod pattern;

use std::cell::{Cell, RefCell};

use nom::error::{ErrorKind, ParseError as NomParseError};
use nom::{Err, IResult, Needed};

use crate::query::syntax::ast::{Ident, Statement};
use crate::query::syntax::error::{ParseErrorKind, RawError};
use crate::query::syntax::lexer::{is_reserved, Punct, Tok, Token};
use crate::query::syntax::span::Span;
use crate::query::syntax::MAX_NESTING_DEPTH;

/// Parses a whole statement from already-lexed tokens.
/// Parses a statement; also returns the deepest nesting it reached.
pub(crate) fn parse_tokens(src: &str, tokens: &[Token]) -> Result<(Statement, u32), RawError> {
    let ctx = Ctx::new(src, tokens);
    let input = Input {
        start: 0,
        end: tokens.len() as u32,
        ctx: &ctx,
    };
    let result = clause::statement(input);
    match result {
        Ok((_, stmt)) => {
            check::check_statement(&stmt)?;
            Ok((stmt, ctx.max_depth.get()))
        }
        Err(Err::Failure(PErr { fatal: Some(f), .. })) | Err(Err::Error(PErr { fatal: Some(f), .. })) => {
            Err(*f)
        }
        Err(_) => Err(ctx.furthest_error()),
    }
}

/// A thing the parser expected, in words users know.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Expected {
    /// A punctuation token such as `)`.
    P(Punct),
    /// A keyword such as `AS`.
    Kw(&'static str),
    /// A category such as "an expression".
    What(&'static str),
}

impl Expected {
    fn describe(self) -> String {
        match self {
            Expected::P(p) => format!("'{}'", p.as_str()),
            Expected::Kw(k) => format!("'{k}'"),
            Expected::What(w) => w.to_string(),
        }
    }
}

/// Shared state of one parse.
pub(crate) struct Ctx<'a> {
    src: &'a str,
    tokens: &'a [Token],
    /// For each opening bracket token, the index of its closing partner.
    partner: Vec<u32>,
    depth: Cell<u32>,
    max_depth: Cell<u32>,
    work: Cell<u64>,
    work_limit: u64,
    furthest: RefCell<(usize, Vec<Expected>)>,
}

/// How many tokens the parser may consume in total, per token of input,
/// before it gives up with `TooComplex`. Ordinary queries stay below 3.
const WORK_PER_TOKEN: u64 = 64;

impl<'a> Ctx<'a> {
    fn new(src: &'a str, tokens: &'a [Token]) -> Ctx<'a> {
        Ctx {
            src,
            tokens,
            partner: match_brackets(tokens),
            depth: Cell::new(0),
            max_depth: Cell::new(0),
            work: Cell::new(0),
            work_limit: WORK_PER_TOKEN * tokens.len() as u64 + 10_000,
            furthest: RefCell::new((0, Vec::new())),
        }
    }

    /// Records that `what` was expected at token `pos`.
    fn expect_at(&self, pos: usize, what: Expected) {
        let mut fur = self.furthest.borrow_mut();
        if pos > fur.0 {
            *fur = (pos, vec![what]);
        } else if pos == fur.0 && !fur.1.contains(&what) {
            fur.1.push(what);
        }
    }

    fn token_span(&self, pos: usize) -> Span {
        self.tokens
            .get(pos)
            .or(self.tokens.last())
            .map_or(Span::default(), |t| t.span)
    }

    fn furthest_error(&self) -> RawError {
        let fur = self.furthest.borrow();
        let span = self.token_span(fur.0);
        let mut expected: Vec<String> = fur.1.iter().map(|e| e.describe()).collect();
        // "end of input" reads best last.
        expected.sort_by_key(|e| e == "end of input");
        RawError {
            kind: ParseErrorKind::Syntax,
            span,
            message: String::new(),
            expected,
            found: None,
        }
    }
}

/// Pairs every `(`, `[` and `{` with its closing token (non-recursive).
fn match_brackets(tokens: &[Token]) -> Vec<u32> {
    let mut partner = vec![u32::MAX; tokens.len()];
    let mut stack: Vec<(usize, Punct)> = Vec::new();
    for (i, t) in tokens.iter().enumerate() {
        let Tok::P(p) = t.kind else { continue };
        let close = match p {
            Punct::LParen | Punct::LBracket | Punct::LBrace => {
                stack.push((i, p));
                continue;
            }
            Punct::RParen => Punct::LParen,
            Punct::RBracket => Punct::LBracket,
            Punct::RBrace => Punct::LBrace,
            _ => continue,
        };
        match stack.last() {
            Some(&(open, kind)) if kind == close => {
                stack.pop();
                if let Some(slot) = partner.get_mut(open) {
                    *slot = i as u32;
                }
            }
            _ => stack.clear(),
        }
    }
    partner
}

/// The parser's input: a window `start..end` of the token vector and the
/// shared context. It is two indices and a reference (16 bytes), because
/// parser results are copied often and the recursion must stay shallow in
/// stack bytes.
#[derive(Clone, Copy)]
pub(crate) struct Input<'a> {
    start: u32,
    end: u32,
    ctx: &'a Ctx<'a>,
}

const EOF: Tok = Tok::Eof;

impl<'a> Input<'a> {
    /// The tokens of the window.
    fn toks(&self) -> &'a [Token] {
        self.ctx
            .tokens
            .get(self.start as usize..self.end as usize)
            .unwrap_or(&[])
    }

    /// The current token (the end-of-input token at the end).
    pub(crate) fn peek(&self) -> &'a Tok {
        self.peek_at(0)
    }

    /// The token `n` places ahead.
    pub(crate) fn peek_at(&self, n: usize) -> &'a Tok {
        let at = self.start as usize + n;
        if at < self.end as usize {
            self.ctx.tokens.get(at).map_or(&EOF, |t| &t.kind)
        } else {
            &EOF
        }
    }

    /// The span of the current token.
    pub(crate) fn span(&self) -> Span {
        self.ctx.token_span(self.pos())
    }

    /// The end of the previous token (where a construct that ended there ends).
    pub(crate) fn prev_end(&self) -> u32 {
        if self.start == 0 {
            0
        } else {
            self.ctx.token_span(self.pos() - 1).end
        }
    }

    /// The span from `start` to the end of the previous token.
    pub(crate) fn span_from(&self, start: Span) -> Span {
        Span::new(start.start, self.prev_end().max(start.start))
    }

    /// Skips `n` tokens.
    pub(crate) fn advance(self, n: usize) -> Input<'a> {
        let n = n.min((self.end - self.start) as usize);
        self.ctx.work.set(self.ctx.work.get() + n as u64);
        Input {
            start: self.start + n as u32,
            ..self
        }
    }

    /// Token index of the current token.
    pub(crate) fn pos(&self) -> usize {
        self.start as usize
    }

    /// For an opening bracket at offset `n` ahead, the token after its closing
    /// partner.
    pub(crate) fn after_partner(&self, n: usize) -> &'a Tok {
        let here = self.pos() + n;
        match self.ctx.partner.get(here) {
            Some(&p) if p != u32::MAX => self.ctx.tokens.get(p as usize + 1).map_or(&EOF, |t| &t.kind),
            _ => &EOF,
        }
    }

    /// Records `what` as expected here and returns the matching error.
    pub(crate) fn fail<T>(&self, what: Expected) -> PResult<'a, T> {
        self.ctx.expect_at(self.pos(), what);
        Err(Err::Error(PErr::at(self.pos())))
    }

    /// A fatal error with its own message at `span`.
    pub(crate) fn fatal<T>(&self, kind: ParseErrorKind, span: Span, message: String) -> PResult<'a, T> {
        Err(Err::Failure(PErr {
            pos: self.pos(),
            fatal: Some(Box::new(RawError::new(kind, span, message))),
        }))
    }

    /// Enters one level of nesting; the guard leaves it when dropped.
    pub(crate) fn enter(&self) -> Result<DepthGuard<'a>, Err<PErr>> {
        self.enter_levels(1)
    }

    /// Enters the braces of a subquery, which count [`SUBQUERY_LEVELS`].
    pub(crate) fn enter_subquery(&self) -> Result<DepthGuard<'a>, Err<PErr>> {
        self.enter_levels(SUBQUERY_LEVELS)
    }

    /// Enters `levels` levels of nesting at once.
    fn enter_levels(&self, levels: u32) -> Result<DepthGuard<'a>, Err<PErr>> {
        let depth = self.ctx.depth.get() + levels;
        if depth as usize > MAX_NESTING_DEPTH {
            let span = self.span();
            return Err(Err::Failure(PErr {
                pos: self.pos(),
                fatal: Some(Box::new(RawError::new(
                    ParseErrorKind::TooDeep,
                    span,
                    format!("query is nested too deeply (more than {MAX_NESTING_DEPTH} levels)"),
                ))),
            }));
        }
        if self.ctx.work.get() > self.ctx.work_limit {
            let span = self.span();
            return Err(Err::Failure(PErr {
                pos: self.pos(),
                fatal: Some(Box::new(RawError::new(
                    ParseErrorKind::TooComplex,
                    span,
                    "query is too complex to parse (too much backtracking)".into(),
                ))),
            }));
        }
        self.ctx.depth.set(depth);
        self.ctx.max_depth.set(self.ctx.max_depth.get().max(depth));
        Ok(DepthGuard {
            ctx: self.ctx,
            levels,
        })
    }
}

/// How many nesting levels the braces of a subquery (`EXISTS { ... }`,
/// `CALL { ... }`) count. A subquery goes through the clause parsers, whose
/// nom combinators take far more stack per level than an expression (about
/// 50 KiB in a debug build against 2 to 5), so it is charged as many levels
/// as that costs; deep subquery nesting then stops with `TooDeep` before a
/// 2 MiB stack runs out. Fifteen nested subqueries are still accepted.
pub(crate) const SUBQUERY_LEVELS: u32 = 16;

/// Leaves its nesting levels when dropped.
pub(crate) struct DepthGuard<'a> {
    ctx: &'a Ctx<'a>,
    levels: u32,
}

impl Drop for DepthGuard<'_> {
    fn drop(&mut self) {
        self.ctx
            .depth
            .set(self.ctx.depth.get().saturating_sub(self.levels));
    }
}

impl<'a> nom::Input for Input<'a> {
    type Item = &'a Token;
    type Iter = std::slice::Iter<'a, Token>;
    type IterIndices = std::iter::Enumerate<std::slice::Iter<'a, Token>>;

    fn input_len(&self) -> usize {
        (self.end - self.start) as usize
    }

    fn take(&self, index: usize) -> Self {
        let index = index.min(self.input_len()) as u32;
        Input {
            end: self.start + index,
            ..*self
        }
    }

    fn take_from(&self, index: usize) -> Self {
        self.advance(index)
    }

    fn take_split(&self, index: usize) -> (Self, Self) {
        (self.take_from(index), self.take(index))
    }

    fn position<P>(&self, predicate: P) -> Option<usize>
    where
        P: Fn(Self::Item) -> bool,
    {
        self.toks().iter().position(predicate)
    }

    fn iter_elements(&self) -> Self::Iter {
        self.toks().iter()
    }

    fn iter_indices(&self) -> Self::IterIndices {
        self.toks().iter().enumerate()
    }

    fn slice_index(&self, count: usize) -> Result<usize, Needed> {
        let len = self.input_len();
        if len >= count {
            Ok(count)
        } else {
            Err(Needed::new(count - len))
        }
    }
}

/// The parser's error: where it failed, and for fatal errors the report.
#[derive(Debug)]
pub(crate) struct PErr {
    pos: usize,
    fatal: Option<Box<RawError>>,
}

impl PErr {
    fn at(pos: usize) -> PErr {
        PErr { pos, fatal: None }
    }
}

impl<'a> NomParseError<Input<'a>> for PErr {
    fn from_error_kind(input: Input<'a>, _kind: ErrorKind) -> Self {
        PErr::at(input.pos())
    }

    fn append(_input: Input<'a>, _kind: ErrorKind, other: Self) -> Self {
        other
    }

    /// Keeps the error that got furthest into the input.
    fn or(self, other: Self) -> Self {
        if other.fatal.is_some() || other.pos >= self.pos {
            other
        } else {
            self
        }
    }
}

/// The result of a parser over [`Input`].
pub(crate) type PResult<'a, T> = IResult<Input<'a>, T, PErr>;

// ---------------------------------------------------------------------------
// Primitives. `expect_*` record what they wanted when they fail; `accept_*`
// fail quietly (for optional continuations).
// ---------------------------------------------------------------------------

/// Consumes the punctuation `p` or fails, recording it as expected.
pub(crate) fn expect_p(i: Input<'_>, p: Punct) -> PResult<'_, Span> {
    if i.peek().is(p) {
        let span = i.span();
        Ok((i.advance(1), span))
    } else {
        i.fail(Expected::P(p))
    }
}

/// Consumes the punctuation `p` if it is next.
pub(crate) fn accept_p(i: Input<'_>, p: Punct) -> Option<(Input<'_>, Span)> {
    if i.peek().is(p) {
        let span = i.span();
        Some((i.advance(1), span))
    } else {
        None
    }
}

/// Consumes the keyword `kw` or fails, recording it as expected.
pub(crate) fn expect_kw<'a>(i: Input<'a>, kw: &'static str) -> PResult<'a, Span> {
    if i.peek().is_kw(kw) {
        let span = i.span();
        Ok((i.advance(1), span))
    } else {
        i.fail(Expected::Kw(kw))
    }
}

/// Consumes the keyword `kw` if it is next.
pub(crate) fn accept_kw<'a>(i: Input<'a>, kw: &str) -> Option<(Input<'a>, Span)> {
    if i.peek().is_kw(kw) {
        let span = i.span();
        Some((i.advance(1), span))
    } else {
        None
    }
}

/// A nom parser for the required keyword `k` (records it when missing).
pub(crate) fn kw<'a>(k: &'static str) -> impl Fn(Input<'a>) -> PResult<'a, Span> {
    move |i| expect_kw(i, k)
}

/// A nom parser for the optional keyword `k`: it fails quietly, so that an
/// optional part does not crowd the error message.
pub(crate) fn opt_kw<'a>(k: &'static str) -> impl Fn(Input<'a>) -> PResult<'a, Span> {
    move |i| accept_kw(i, k).ok_or_else(|| Err::Error(PErr::at(i.pos())))
}

/// A nom parser for the optional punctuation `p` (fails quietly).
pub(crate) fn opt_p<'a>(p: Punct) -> impl Fn(Input<'a>) -> PResult<'a, Span> {
    move |i| accept_p(i, p).ok_or_else(|| Err::Error(PErr::at(i.pos())))
}

/// A variable name: an unquoted word that is not reserved, or a quoted name.
pub(crate) fn variable<'a>(i: Input<'a>, what: &'static str) -> PResult<'a, Ident> {
    match i.peek() {
        Tok::Word(w) if !is_reserved(w) => {
            let ident = Ident {
                name: w.clone(),
                span: i.span(),
            };
            Ok((i.advance(1), ident))
        }
        Tok::Quoted(w) => {
            let ident = Ident {
                name: w.clone(),
                span: i.span(),
            };
            Ok((i.advance(1), ident))
        }
        _ => i.fail(Expected::What(what)),
    }
}

/// True when the current token can start a variable.
pub(crate) fn at_variable(i: Input<'_>) -> bool {
    match i.peek() {
        Tok::Word(w) => !is_reserved(w),
        Tok::Quoted(_) => true,
        _ => false,
    }
}

/// A symbolic name where keywords are allowed: labels, types, keys.
pub(crate) fn name<'a>(i: Input<'a>, what: &'static str) -> PResult<'a, Ident> {
    match i.peek() {
        Tok::Word(w) | Tok::Quoted(w) => {
            let ident = Ident {
                name: w.clone(),
                span: i.span(),
            };
            Ok((i.advance(1), ident))
        }
        _ => i.fail(Expected::What(what)),
    }
}

/// Turns a recoverable error into a failure: after a committing token the
/// parse may not try other alternatives.
pub(crate) fn cut<'a, T>(r: PResult<'a, T>) -> PResult<'a, T> {
    match r {
        Err(Err::Error(e)) => Err(Err::Failure(e)),
        other => other,
    }
}

/// Parses `item` one or more times separated by commas. A comma commits to
/// another item.
pub(crate) fn comma_list1<'a, T>(
    i: Input<'a>,
    mut item: impl FnMut(Input<'a>) -> PResult<'a, T>,
) -> PResult<'a, Vec<T>> {
    let (mut i, first) = item(i)?;
    let mut out = vec![first];
    loop {
        if !i.peek().is(Punct::Comma) {
            // Record ',' as a possible continuation for the error message.
            i.ctx.expect_at(i.pos(), Expected::P(Punct::Comma));
            return Ok((i, out));
        }
        let (rest, next) = cut(item(i.advance(1)))?;
        out.push(next);
        i = rest;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::syntax::lexer::tokenize;

    #[test]
    fn brackets_are_paired() {
        let toks = tokenize("( [ { } ] ) ( ]").unwrap_or_default();
        let partner = match_brackets(&toks);
        assert_eq!(partner.first(), Some(&5));
        assert_eq!(partner.get(1), Some(&4));
        assert_eq!(partner.get(2), Some(&3));
        assert_eq!(partner.get(6), Some(&u32::MAX));
    }

    #[test]
    fn nom_input_slices_tokens() {
        use nom::Input as _;
        let toks = tokenize("a b c").unwrap_or_default();
        let ctx = Ctx::new("a b c", &toks);
        let i = Input {
            start: 0,
            end: toks.len() as u32,
            ctx: &ctx,
        };
        assert_eq!(i.input_len(), 4);
        let (rest, head) = i.take_split(2);
        assert_eq!(head.input_len(), 2);
        assert_eq!(rest.pos(), 2);
        assert!(rest.peek().is_kw("c"));
        assert_eq!(i.position(|t| t.kind.is_kw("b")), Some(1));
        assert!(i.slice_index(10).is_err());
        assert_eq!(i.take(100).input_len(), 4);
        assert_eq!(i.take_from(100).input_len(), 0);
        assert_eq!(i.iter_indices().count(), 4);
        assert_eq!(i.iter_elements().count(), 4);
    }
}
