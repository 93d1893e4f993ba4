//! The Cypher syntax layer: text → tokens → syntax tree, and back to text.
//!
//! The pipeline is [`lexer`] (text to tokens, comments dropped) →
//! [`parser`] (nom 8 over the token slice) → [`ast`] (syntax only, spans on
//! every node) → `print` (`Display` as canonical Cypher). Errors from every
//! stage become a [`ParseError`] that points into the text.
//!
//! Architecture invariant: this module knows nothing about graphs, storage or
//! execution. Names are plain strings; resolving them is the planner's job.

pub(crate) mod ast;
mod error;
mod lexer;
mod parser;
mod print;
pub(crate) mod span;

#[cfg(test)]
mod props;
#[cfg(test)]
mod tests;

use std::fmt;

use error::RawError;
pub use error::{ParseError, ParseErrorKind};
use span::Span;

/// The longest query text accepted, in bytes (1 MiB).
///
/// ```
/// use kgraph::{ParseErrorKind, Query, MAX_QUERY_BYTES};
///
/// let text = format!("RETURN 1{}", " ".repeat(MAX_QUERY_BYTES));
/// assert_eq!(Query::parse(&text).unwrap_err().kind(), ParseErrorKind::TooLong);
/// ```
pub const MAX_QUERY_BYTES: usize = 1 << 20;

/// The longest string literal accepted, in bytes after unescaping (256 KiB).
///
/// ```
/// use kgraph::{ParseErrorKind, Query, MAX_STRING_LITERAL_BYTES};
///
/// let text = format!("RETURN '{}'", "a".repeat(MAX_STRING_LITERAL_BYTES + 1));
/// assert_eq!(Query::parse(&text).unwrap_err().kind(), ParseErrorKind::LiteralTooLarge);
/// ```
pub const MAX_STRING_LITERAL_BYTES: usize = 256 * 1024;

/// The deepest nesting accepted.
///
/// Every parenthesis, list, map, `CASE`, comprehension, function call,
/// pattern and unary operator (`NOT`, `-`) counts one level, and so does each
/// binary or postfix operator of a chain (`a + b + c` is two levels), because
/// each adds a level to the tree. The braces of a subquery (`EXISTS { ... }`,
/// `COUNT { ... }`, `COLLECT { ... }`, `CALL { ... }`) count sixteen levels,
/// because parsing a whole query inside them takes that much more stack; up
/// to fifteen subqueries can nest. Deeper input is rejected with
/// [`ParseErrorKind::TooDeep`] long before the stack could run out, even on a
/// 2 MiB thread stack in a debug build.
///
/// ```
/// use kgraph::{ParseErrorKind, Query, MAX_NESTING_DEPTH};
///
/// let deep = format!("RETURN {}1{}", "(".repeat(MAX_NESTING_DEPTH), ")".repeat(MAX_NESTING_DEPTH));
/// assert_eq!(Query::parse(&deep).unwrap_err().kind(), ParseErrorKind::TooDeep);
/// let ok = format!("RETURN {}1{}", "(".repeat(100), ")".repeat(100));
/// assert!(Query::parse(&ok).is_ok());
/// ```
pub const MAX_NESTING_DEPTH: usize = 256;

/// A parsed Cypher statement.
///
/// `Display` prints it as canonical Cypher (one line, upper-case keywords,
/// minimal parentheses); parsing that text again gives an equal `Query`.
/// `Debug` shows the syntax tree (use `{:#?}` for an indented view). Two
/// queries are equal when their trees are, whatever their spacing.
///
/// ```
/// use kgraph::Query;
///
/// let q = Query::parse("MATCH (a)-->(b) RETURN a.name AS name ORDER BY name DESC LIMIT 3;")?;
/// let text = q.to_string();
/// assert_eq!(text, "MATCH (a)-->(b) RETURN a.name AS name ORDER BY name DESC LIMIT 3");
/// assert_eq!(Query::parse(&text)?, q);
/// assert!(format!("{q:#?}").contains("Return"));
/// # Ok::<_, kgraph::ParseError>(())
/// ```
#[derive(Clone)]
pub struct Query {
    stmt: ast::Statement,
    /// The deepest nesting the parser reached (not part of equality).
    depth: u32,
}

impl PartialEq for Query {
    fn eq(&self, other: &Query) -> bool {
        self.stmt == other.stmt
    }
}

impl Query {
    /// Parses one statement (an optional `EXPLAIN` or `PROFILE`, clauses joined by
    /// `UNION [ALL]`, an optional trailing `;`).
    ///
    /// Returns a [`ParseError`] that points at the problem; input longer than
    /// [`MAX_QUERY_BYTES`], string literals longer than
    /// [`MAX_STRING_LITERAL_BYTES`] and nesting deeper than
    /// [`MAX_NESTING_DEPTH`] are errors, never panics or stack overflows.
    ///
    /// ```
    /// use kgraph::Query;
    ///
    /// let q = Query::parse("UNWIND [1, 2, 3] AS x RETURN x * 2 AS y")?;
    /// assert_eq!(q.to_string(), "UNWIND [1, 2, 3] AS x RETURN x * 2 AS y");
    ///
    /// let err = Query::parse("MATCH (n RETURN n").unwrap_err();
    /// assert_eq!(err.message(), "expected ')', found 'RETURN'");
    /// # Ok::<_, kgraph::ParseError>(())
    /// ```
    pub fn parse(text: &str) -> Result<Query, ParseError> {
        if text.len() > MAX_QUERY_BYTES {
            let mut raw = RawError::new(
                ParseErrorKind::TooLong,
                Span::new(0, 0),
                format!(
                    "query text is too long: {} bytes (at most {MAX_QUERY_BYTES})",
                    text.len()
                ),
            );
            raw.found = Some(format!("{} bytes", text.len()));
            return Err(ParseError::from_raw(text, raw));
        }
        let tokens = lexer::tokenize(text).map_err(|e| ParseError::from_raw(text, e))?;
        if let Some(second) = second_statement(&tokens) {
            let raw = RawError::new(
                ParseErrorKind::Syntax,
                second,
                "a query holds one statement, and a second one starts here; run several statements \
                 as a script (`Database::execute_script`, `WriteTxn::execute_script`)"
                    .to_owned(),
            );
            return Err(ParseError::from_raw(text, raw));
        }
        let (stmt, depth) = parser::parse_tokens(text, &tokens).map_err(|e| ParseError::from_raw(text, e))?;
        Ok(Query { stmt, depth })
    }

    /// The syntax tree.
    /// The deepest nesting of the statement, in the parser's levels.
    pub(crate) fn depth(&self) -> u32 {
        self.depth
    }

    pub(crate) fn statement(&self) -> &ast::Statement {
        &self.stmt
    }
}

/// The span of the first token after a `;` that has tokens after it, if any.
fn second_statement(tokens: &[lexer::Token]) -> Option<Span> {
    let semi = tokens.iter().position(|t| t.kind.is(lexer::Punct::Semi))?;
    tokens
        .get(semi + 1)
        .filter(|t| !matches!(t.kind, lexer::Tok::Eof))
        .map(|t| t.span)
}

/// The statements of a script separated by `;`: each with the byte offset where its text
/// starts. Statements with no tokens (`;;`, a trailing `;`) are skipped. Fails only where the
/// text cannot be split into tokens.
pub(crate) fn split_statements(script: &str) -> Result<Vec<(usize, &str)>, ParseError> {
    if script.len() > MAX_SCRIPT_BYTES {
        let raw = RawError::new(
            ParseErrorKind::TooLong,
            Span::new(0, 0),
            format!(
                "script is too long: {} bytes (at most {MAX_SCRIPT_BYTES})",
                script.len()
            ),
        );
        return Err(ParseError::from_raw(script, raw));
    }
    let tokens = lexer::tokenize(script).map_err(|e| ParseError::from_raw(script, e))?;
    let mut out = Vec::new();
    let mut first: Option<usize> = None;
    for t in &tokens {
        if matches!(t.kind, lexer::Tok::Eof) {
            break;
        }
        if t.kind.is(lexer::Punct::Semi) {
            if let Some(start) = first.take() {
                out.push((start, script.get(start..t.span.start as usize).unwrap_or("")));
            }
        } else if first.is_none() {
            first = Some(t.span.start as usize);
        }
    }
    if let Some(start) = first {
        out.push((start, script.get(start..).unwrap_or("")));
    }
    Ok(out)
}

/// The longest script `split_statements` takes (each statement is still held to
/// [`MAX_QUERY_BYTES`]).
pub const MAX_SCRIPT_BYTES: usize = 1 << 30;

impl fmt::Display for Query {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self.statement(), f)
    }
}

impl fmt::Debug for Query {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.statement(), f)
    }
}
