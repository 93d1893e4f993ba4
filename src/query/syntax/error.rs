//! Syntax errors: what went wrong, where, and a rendered excerpt of the query.

use std::fmt;

use crate::query::syntax::span::{line_bounds, line_col, Span};

/// What kind of problem a [`ParseError`] reports.
///
/// ```
/// use kgraph::{ParseErrorKind, Query};
///
/// let err = Query::parse("RETURN 9223372036854775808").unwrap_err();
/// assert_eq!(err.kind(), ParseErrorKind::IntegerOverflow);
/// ```
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ParseErrorKind {
    /// The tokens do not form a query: something else was expected.
    Syntax,
    /// The query nests deeper than [`MAX_NESTING_DEPTH`](crate::query::syntax::MAX_NESTING_DEPTH).
    TooDeep,
    /// The query text is longer than [`MAX_QUERY_BYTES`](crate::query::syntax::MAX_QUERY_BYTES).
    TooLong,
    /// The query makes the parser backtrack too much (pathological input).
    TooComplex,
    /// A string literal is longer than
    /// [`MAX_STRING_LITERAL_BYTES`](crate::query::syntax::MAX_STRING_LITERAL_BYTES).
    LiteralTooLarge,
    /// A string literal contains an unknown escape or a bad `\u` escape.
    InvalidEscape,
    /// An integer literal does not fit in a 64-bit signed integer.
    IntegerOverflow,
    /// A float literal does not fit in a 64-bit float.
    FloatOverflow,
    /// A malformed number such as `0x`, `12abc` or `0123`.
    InvalidNumber,
    /// A character that Cypher does not use, such as `—` or `#`.
    InvalidCharacter,
    /// A string literal or quoted identifier has no closing quote.
    UnterminatedString,
    /// A `/*` comment has no closing `*/`.
    UnterminatedComment,
}

/// An error found by the lexer or the parser, before it is placed in the text.
#[derive(Clone, Debug)]
pub(crate) struct RawError {
    pub(crate) kind: ParseErrorKind,
    pub(crate) span: Span,
    pub(crate) message: String,
    pub(crate) expected: Vec<String>,
    pub(crate) found: Option<String>,
}

impl RawError {
    /// An error with a message of its own (no expected list).
    pub(crate) fn new(kind: ParseErrorKind, span: Span, message: String) -> RawError {
        RawError {
            kind,
            span,
            message,
            expected: Vec::new(),
            found: None,
        }
    }
}

/// A query that could not be parsed.
///
/// It keeps the position (line and column, 1-based, the column counted in
/// characters), the byte span, what was expected and what was found, and the
/// offending source line so that its `Display` can show it:
///
/// ```text
/// syntax error at line 2, column 17: expected ')', found 'RETURN'
///   |
/// 2 | MATCH (c:Company RETURN c
///   |                  ^^^^^^
/// ```
///
/// ```
/// use kgraph::{ParseErrorKind, Query};
///
/// let err = Query::parse("MATCH (n)\nMATCH (c:Company RETURN c").unwrap_err();
/// assert_eq!(err.kind(), ParseErrorKind::Syntax);
/// assert_eq!((err.line(), err.column()), (2, 18));
/// assert_eq!(err.expected(), ["')'"]);
/// assert_eq!(err.found(), "RETURN");
/// assert!(err.to_string().contains("^^^^^^"));
/// ```
#[non_exhaustive]
#[derive(Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", Report(self))]
pub struct ParseError {
    /// Boxed so that `Result<_, ParseError>` stays small.
    inner: Box<Details>,
}

#[derive(Clone, PartialEq, Eq)]
struct Details {
    kind: ParseErrorKind,
    message: String,
    expected: Vec<String>,
    found: String,
    start: usize,
    end: usize,
    line: usize,
    column: usize,
    snippet: String,
    caret_pad: String,
    caret_len: usize,
}

const END_OF_INPUT: &str = "end of input";
const MAX_FOUND_CHARS: usize = 40;
const MAX_SNIPPET_WIDTH: usize = 100;

impl ParseError {
    /// Places `raw` in `src`: computes the position and the excerpt.
    pub(crate) fn from_raw(src: &str, raw: RawError) -> ParseError {
        let start = (raw.span.start as usize).min(src.len());
        let end = (raw.span.end as usize).clamp(start, src.len());
        let (line, column) = line_col(src, start);
        let found = match raw.found {
            Some(f) => f,
            None if start >= src.len() => END_OF_INPUT.to_string(),
            None => {
                let text = src.get(start..end).unwrap_or("");
                let first_line = text.lines().next().unwrap_or("");
                truncate_chars(first_line, MAX_FOUND_CHARS)
            }
        };
        let message = if raw.message.is_empty() {
            let found_text = if found == END_OF_INPUT {
                found.clone()
            } else {
                format!("'{found}'")
            };
            if raw.expected.is_empty() {
                format!("unexpected {found_text}")
            } else {
                format!("expected {}, found {found_text}", join_or(&raw.expected))
            }
        } else {
            raw.message
        };
        let (snippet, caret_pad, caret_len) = excerpt(src, start, end);
        let inner = Box::new(Details {
            kind: raw.kind,
            message,
            expected: raw.expected,
            found,
            start,
            end,
            line,
            column,
            snippet,
            caret_pad,
            caret_len,
        });
        ParseError { inner }
    }

    /// The same error for a statement that starts at byte `offset` of `script`: its position
    /// and excerpt are given in the script.
    pub(crate) fn shifted(self, script: &str, offset: usize) -> ParseError {
        let mut d = self.inner;
        d.start = (d.start + offset).min(script.len());
        d.end = (d.end + offset).clamp(d.start, script.len());
        (d.line, d.column) = line_col(script, d.start);
        (d.snippet, d.caret_pad, d.caret_len) = excerpt(script, d.start, d.end);
        ParseError { inner: d }
    }

    /// What kind of problem this is.
    ///
    /// ```
    /// use kgraph::{ParseErrorKind, Query};
    ///
    /// let err = Query::parse(r"RETURN 'a\qb'").unwrap_err();
    /// assert_eq!(err.kind(), ParseErrorKind::InvalidEscape);
    /// ```
    pub fn kind(&self) -> ParseErrorKind {
        self.inner.kind
    }

    /// The line of the error, 1-based.
    ///
    /// ```
    /// use kgraph::Query;
    ///
    /// let err = Query::parse("MATCH (n)\nRETURN n +").unwrap_err();
    /// assert_eq!(err.line(), 2);
    /// ```
    pub fn line(&self) -> usize {
        self.inner.line
    }

    /// The column of the error, 1-based, counted in characters (a Chinese
    /// character counts as one).
    ///
    /// ```
    /// use kgraph::Query;
    ///
    /// let err = Query::parse("RETURN '中文' +").unwrap_err();
    /// assert_eq!(err.column(), 14);
    /// ```
    pub fn column(&self) -> usize {
        self.inner.column
    }

    /// The byte offsets `(start, end)` of the offending text.
    ///
    /// ```
    /// use kgraph::Query;
    ///
    /// let err = Query::parse("RETURN 1 2").unwrap_err();
    /// assert_eq!(err.span(), (9, 10));
    /// ```
    pub fn span(&self) -> (usize, usize) {
        (self.inner.start, self.inner.end)
    }

    /// What the parser expected at the error, in words (`"')'"`,
    /// `"an expression"`). Empty for errors that are not about a missing token.
    ///
    /// ```
    /// use kgraph::Query;
    ///
    /// let err = Query::parse("RETURN f(1 2)").unwrap_err();
    /// assert_eq!(err.expected(), ["','", "')'"]);
    /// ```
    pub fn expected(&self) -> &[String] {
        &self.inner.expected
    }

    /// The text found at the error (shortened if long), or `"end of input"`.
    ///
    /// ```
    /// use kgraph::Query;
    ///
    /// assert_eq!(Query::parse("MATCH (n").unwrap_err().found(), "end of input");
    /// ```
    pub fn found(&self) -> &str {
        &self.inner.found
    }

    /// The one-line description, without the position and the excerpt.
    ///
    /// ```
    /// use kgraph::Query;
    ///
    /// let err = Query::parse("RETURN 1 +").unwrap_err();
    /// assert_eq!(err.message(), "expected an expression, found end of input");
    /// ```
    pub fn message(&self) -> &str {
        &self.inner.message
    }
}

impl fmt::Debug for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = &self.inner;
        f.debug_struct("ParseError")
            .field("kind", &d.kind)
            .field("line", &d.line)
            .field("column", &d.column)
            .field("span", &(d.start..d.end))
            .field("message", &d.message)
            .finish()
    }
}

/// Renders a [`ParseError`] with its excerpt.
struct Report<'a>(&'a ParseError);

impl fmt::Display for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let e = &self.0.inner;
        let number = e.line.to_string();
        let gutter = " ".repeat(number.len());
        writeln!(
            f,
            "syntax error at line {}, column {}: {}",
            e.line, e.column, e.message
        )?;
        writeln!(f, "{gutter} |")?;
        writeln!(f, "{number} | {}", e.snippet)?;
        write!(f, "{gutter} | {}{}", e.caret_pad, "^".repeat(e.caret_len))
    }
}

/// `a`, `a or b`, `a, b or c`.
fn join_or(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

fn truncate_chars(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut out: String = s.chars().take(max).collect();
        out.push('…');
        out
    }
}

/// How many terminal columns `c` takes: 2 for East Asian wide characters,
/// 0 for combining marks, 1 otherwise.
fn char_width(c: char) -> usize {
    match c {
        '\u{0300}'..='\u{036F}' | '\u{200B}'..='\u{200F}' | '\u{FE00}'..='\u{FE0F}' => 0,
        '\u{1100}'..='\u{115F}'
        | '\u{2E80}'..='\u{303E}'
        | '\u{3041}'..='\u{33FF}'
        | '\u{3400}'..='\u{4DBF}'
        | '\u{4E00}'..='\u{9FFF}'
        | '\u{A000}'..='\u{A4CF}'
        | '\u{AC00}'..='\u{D7A3}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{FE30}'..='\u{FE4F}'
        | '\u{FF00}'..='\u{FF60}'
        | '\u{FFE0}'..='\u{FFE6}'
        | '\u{1F300}'..='\u{1F64F}'
        | '\u{1F900}'..='\u{1F9FF}'
        | '\u{20000}'..='\u{3FFFD}' => 2,
        _ => 1,
    }
}

/// The source line of `start` (windowed if long), the padding that puts the
/// caret under `start` (tabs kept so terminals align), and the caret length
/// in terminal columns.
fn excerpt(src: &str, start: usize, end: usize) -> (String, String, usize) {
    let (line_start, line_end) = line_bounds(src, start);
    let line = src.get(line_start..line_end).unwrap_or("");
    let chars: Vec<char> = line.chars().collect();
    let caret_at = src.get(line_start..start).map_or(0, |s| s.chars().count());
    let caret_end_byte = end.min(line_end).max(start);
    let caret_chars = src
        .get(start..caret_end_byte)
        .map_or(0, |s| s.chars().count())
        .max(1);
    let total: usize = chars.iter().map(|&c| char_width(c)).sum();
    let (from, to) = if total <= MAX_SNIPPET_WIDTH + 20 {
        (0, chars.len())
    } else {
        let from = caret_at.saturating_sub(40);
        (from, (from + MAX_SNIPPET_WIDTH).min(chars.len()))
    };
    let mut snippet = String::new();
    let mut pad = String::new();
    if from > 0 {
        snippet.push('…');
        pad.push(' ');
    }
    for (i, &c) in chars.iter().enumerate().take(to).skip(from) {
        snippet.push(c);
        if i < caret_at {
            if c == '\t' {
                pad.push('\t');
            } else {
                pad.push_str(&" ".repeat(char_width(c)));
            }
        }
    }
    if to < chars.len() {
        snippet.push('…');
    }
    let caret_len = (caret_at..caret_at + caret_chars)
        .map(|i| {
            if i >= to {
                0
            } else {
                chars.get(i).map_or(1, |&c| char_width(c).max(1))
            }
        })
        .sum::<usize>()
        .max(1);
    (snippet, pad, caret_len)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(start: u32, end: u32, expected: &[&str]) -> RawError {
        RawError {
            kind: ParseErrorKind::Syntax,
            span: Span::new(start, end),
            message: String::new(),
            expected: expected.iter().map(|s| s.to_string()).collect(),
            found: None,
        }
    }

    #[test]
    fn renders_the_documented_example() {
        let src = "MATCH (n)\nMATCH (c:Company RETURN c";
        let e = ParseError::from_raw(src, raw(27, 33, &["')'"]));
        assert_eq!(
            e.to_string(),
            "syntax error at line 2, column 18: expected ')', found 'RETURN'\n  |\n2 | MATCH (c:Company RETURN c\n  |                  ^^^^^^"
        );
    }

    #[test]
    fn wide_characters_shift_the_caret() {
        let src = "RETURN '中文' +";
        let e = ParseError::from_raw(src, raw(src.len() as u32, src.len() as u32, &["an expression"]));
        assert_eq!(e.column(), 14);
        assert_eq!(e.found(), "end of input");
        let last = e.to_string().lines().last().unwrap_or("").to_string();
        // "RETURN '中文' +" is 13 characters but 15 terminal columns.
        assert_eq!(last, format!("  | {}^", " ".repeat(15)));
    }

    #[test]
    fn long_lines_are_windowed() {
        let src = format!("RETURN '{}' +", "x".repeat(500));
        let e = ParseError::from_raw(&src, raw(src.len() as u32, src.len() as u32, &[]));
        let text = e.to_string();
        assert!(text.lines().all(|l| l.chars().count() < 130), "{text}");
        assert!(text.contains('…'));
        assert_eq!(e.message(), "unexpected end of input");
    }

    #[test]
    fn join_or_lists() {
        let v = |xs: &[&str]| xs.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(join_or(&v(&["a"])), "a");
        assert_eq!(join_or(&v(&["a", "b"])), "a or b");
        assert_eq!(join_or(&v(&["a", "b", "c"])), "a, b or c");
    }
}
