//! The lexer: query text to a flat vector of tokens.
//!
//! Whitespace and comments are dropped. The lexer is a single loop over the
//! text and never recurses, so no input can exhaust the stack here. It always
//! ends the vector with one [`Tok::Eof`] token whose span is empty and sits at
//! the end of the text.

use crate::query::syntax::error::{ParseErrorKind as ErrorKindRaw, RawError};
use crate::query::syntax::span::Span;
use crate::query::syntax::MAX_STRING_LITERAL_BYTES;

/// Punctuation and operator tokens.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Punct {
    LParen,
    RParen,
    LBracket,
    RBracket,
    LBrace,
    RBrace,
    Comma,
    Dot,
    DotDot,
    Colon,
    Semi,
    Pipe,
    Plus,
    PlusEq,
    Minus,
    Star,
    Slash,
    Percent,
    Caret,
    Eq,
    Neq,
    Lt,
    Le,
    Gt,
    Ge,
    RegexMatch,
}

impl Punct {
    /// The token as written in a query.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Punct::LParen => "(",
            Punct::RParen => ")",
            Punct::LBracket => "[",
            Punct::RBracket => "]",
            Punct::LBrace => "{",
            Punct::RBrace => "}",
            Punct::Comma => ",",
            Punct::Dot => ".",
            Punct::DotDot => "..",
            Punct::Colon => ":",
            Punct::Semi => ";",
            Punct::Pipe => "|",
            Punct::Plus => "+",
            Punct::PlusEq => "+=",
            Punct::Minus => "-",
            Punct::Star => "*",
            Punct::Slash => "/",
            Punct::Percent => "%",
            Punct::Caret => "^",
            Punct::Eq => "=",
            Punct::Neq => "<>",
            Punct::Lt => "<",
            Punct::Le => "<=",
            Punct::Gt => ">",
            Punct::Ge => ">=",
            Punct::RegexMatch => "=~",
        }
    }
}

/// The kind of a token, with its decoded value.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Tok {
    /// An unquoted identifier or keyword, as written (keywords are matched
    /// case-insensitively by the parser).
    Word(String),
    /// A back-quoted identifier, unescaped.
    Quoted(String),
    /// A parameter `$name` or `$0`, without the `$`.
    Param(String),
    /// An integer literal's magnitude (decimal, hexadecimal or octal). Values
    /// above `i64::MAX` are kept so that `-9223372036854775808` can be read.
    Int(u64),
    /// A float literal (always finite).
    Float(f64),
    /// A string literal, unescaped.
    Str(String),
    /// Punctuation or an operator.
    P(Punct),
    /// The end of the text.
    Eof,
}

impl Tok {
    /// True when this is the unquoted word `kw` (ASCII case-insensitive).
    pub(crate) fn is_kw(&self, kw: &str) -> bool {
        matches!(self, Tok::Word(w) if w.eq_ignore_ascii_case(kw))
    }

    /// True when this is the punctuation `p`.
    pub(crate) fn is(&self, p: Punct) -> bool {
        matches!(self, Tok::P(q) if *q == p)
    }
}

/// A token and where it is in the text.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Token {
    pub(crate) kind: Tok,
    pub(crate) span: Span,
}

/// True for characters that may start an unquoted identifier.
pub(crate) fn is_ident_start(c: char) -> bool {
    c.is_alphabetic() || c == '_'
}

/// True for characters that may continue an unquoted identifier.
pub(crate) fn is_ident_continue(c: char) -> bool {
    c.is_alphanumeric()
        || c == '_'
        || matches!(c,
            '\u{0300}'..='\u{036F}'
            | '\u{1AB0}'..='\u{1AFF}'
            | '\u{1DC0}'..='\u{1DFF}'
            | '\u{20D0}'..='\u{20FF}'
            | '\u{FE20}'..='\u{FE2F}')
}

/// Words that cannot be used as unquoted variable names (they may still be
/// used as labels, relationship types, property keys and map keys).
const RESERVED: &[&str] = &[
    "ADD",
    "ALL",
    "AND",
    "AS",
    "ASC",
    "ASCENDING",
    "BY",
    "CALL",
    "CASE",
    "CONSTRAINT",
    "CONTAINS",
    "CREATE",
    "DELETE",
    "DESC",
    "DESCENDING",
    "DETACH",
    "DISTINCT",
    "DO",
    "DROP",
    "ELSE",
    "END",
    "ENDS",
    "EXISTS",
    "EXPLAIN",
    "FALSE",
    "FOR",
    "FOREACH",
    "IN",
    "IS",
    "LIMIT",
    "MANDATORY",
    "MATCH",
    "MERGE",
    "NOT",
    "NULL",
    "OF",
    "ON",
    "OPTIONAL",
    "OR",
    "ORDER",
    "REMOVE",
    "REQUIRE",
    "RETURN",
    "SCALAR",
    "SET",
    "SKIP",
    "STARTS",
    "THEN",
    "TRUE",
    "UNION",
    "UNIQUE",
    "UNWIND",
    "WHEN",
    "WHERE",
    "WITH",
    "XOR",
    "YIELD",
];

/// True when `word` is reserved (ASCII case-insensitive): it cannot be an
/// unquoted variable.
pub(crate) fn is_reserved(word: &str) -> bool {
    RESERVED.iter().any(|r| r.eq_ignore_ascii_case(word))
}

/// True when `name` can be written without backticks where any symbolic name
/// is allowed (labels, types, keys).
pub(crate) fn is_plain_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(is_ident_start) && chars.all(is_ident_continue)
}

/// Characters that look like ASCII operators but are not, with the ASCII
/// character the user probably meant.
fn lookalike(c: char) -> Option<char> {
    match c {
        '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{FE58}' | '\u{FE63}' | '\u{FF0D}' => Some('-'),
        '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{2032}' => Some('\''),
        '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{2033}' => Some('"'),
        '\u{FF08}' => Some('('),
        '\u{FF09}' => Some(')'),
        '\u{FF0C}' | '\u{3001}' => Some(','),
        '\u{FF1A}' => Some(':'),
        '\u{FF1B}' => Some(';'),
        '\u{FF1D}' => Some('='),
        '\u{3000}' => Some(' '),
        _ => None,
    }
}

struct Lexer<'a> {
    src: &'a str,
    pos: usize,
    out: Vec<Token>,
}

/// Splits `src` into tokens, or returns the first lexical error.
pub(crate) fn tokenize(src: &str) -> Result<Vec<Token>, RawError> {
    let mut lx = Lexer {
        src,
        pos: 0,
        out: Vec::with_capacity(src.len() / 3 + 1),
    };
    lx.run()?;
    let end = src.len() as u32;
    lx.out.push(Token {
        kind: Tok::Eof,
        span: Span::new(end, end),
    });
    Ok(lx.out)
}

impl<'a> Lexer<'a> {
    fn rest(&self) -> &'a str {
        self.src.get(self.pos..).unwrap_or("")
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn peek2(&self) -> Option<char> {
        let mut it = self.rest().chars();
        it.next();
        it.next()
    }

    fn span_from(&self, start: usize) -> Span {
        Span::new(start as u32, self.pos as u32)
    }

    fn push(&mut self, kind: Tok, start: usize) {
        let span = self.span_from(start);
        self.out.push(Token { kind, span });
    }

    fn error(&self, kind: ErrorKindRaw, start: usize, end: usize, message: String) -> RawError {
        RawError::new(kind, Span::new(start as u32, end as u32), message)
    }

    fn run(&mut self) -> Result<(), RawError> {
        while let Some(c) = self.peek() {
            let start = self.pos;
            if c.is_whitespace() {
                self.pos += c.len_utf8();
                continue;
            }
            match c {
                '/' if self.peek2() == Some('/') => {
                    let rest = self.rest();
                    let len = rest.find('\n').unwrap_or(rest.len());
                    self.pos += len;
                }
                '/' if self.peek2() == Some('*') => {
                    let body = self.src.get(self.pos + 2..).unwrap_or("");
                    match body.find("*/") {
                        Some(i) => self.pos += 2 + i + 2,
                        None => {
                            return Err(self.error(
                                ErrorKindRaw::UnterminatedComment,
                                start,
                                start + 2,
                                "unterminated comment: '/*' has no closing '*/'".into(),
                            ))
                        }
                    }
                }
                '\'' | '"' => self.string(c)?,
                '`' => self.quoted_ident()?,
                '$' => self.param()?,
                '0'..='9' => self.number()?,
                '.' if matches!(self.peek2(), Some('0'..='9')) => self.number()?,
                c if is_ident_start(c) => {
                    let len = self
                        .rest()
                        .char_indices()
                        .find(|&(_, ch)| !is_ident_continue(ch))
                        .map_or(self.rest().len(), |(i, _)| i);
                    let word = self.rest().get(..len).unwrap_or("").to_string();
                    self.pos += len;
                    self.push(Tok::Word(word), start);
                }
                _ => self.punct(c)?,
            }
        }
        Ok(())
    }

    fn punct(&mut self, c: char) -> Result<(), RawError> {
        let start = self.pos;
        let next = self.peek2();
        let (p, len) = match (c, next) {
            ('(', _) => (Punct::LParen, 1),
            (')', _) => (Punct::RParen, 1),
            ('[', _) => (Punct::LBracket, 1),
            (']', _) => (Punct::RBracket, 1),
            ('{', _) => (Punct::LBrace, 1),
            ('}', _) => (Punct::RBrace, 1),
            (',', _) => (Punct::Comma, 1),
            ('.', Some('.')) => (Punct::DotDot, 2),
            ('.', _) => (Punct::Dot, 1),
            (':', _) => (Punct::Colon, 1),
            (';', _) => (Punct::Semi, 1),
            ('|', _) => (Punct::Pipe, 1),
            ('+', Some('=')) => (Punct::PlusEq, 2),
            ('+', _) => (Punct::Plus, 1),
            ('-', _) => (Punct::Minus, 1),
            ('*', _) => (Punct::Star, 1),
            ('/', _) => (Punct::Slash, 1),
            ('%', _) => (Punct::Percent, 1),
            ('^', _) => (Punct::Caret, 1),
            ('=', Some('~')) => (Punct::RegexMatch, 2),
            ('=', _) => (Punct::Eq, 1),
            ('<', Some('>')) => (Punct::Neq, 2),
            ('<', Some('=')) => (Punct::Le, 2),
            ('<', _) => (Punct::Lt, 1),
            ('>', Some('=')) => (Punct::Ge, 2),
            ('>', _) => (Punct::Gt, 1),
            ('!', Some('=')) => {
                return Err(self.error(
                    ErrorKindRaw::Syntax,
                    start,
                    start + 2,
                    "'!=' is not a Cypher operator: write 'not equal' as '<>'".into(),
                ))
            }
            _ => {
                let end = start + c.len_utf8();
                let message = match lookalike(c) {
                    Some(ascii) => format!(
                        "invalid character '{c}' (U+{:04X}); did you mean '{ascii}'?",
                        c as u32
                    ),
                    None if c.is_control() => {
                        format!("invalid character U+{:04X}", c as u32)
                    }
                    None => format!("invalid character '{c}'"),
                };
                let kind = if c.is_ascii() {
                    ErrorKindRaw::Syntax
                } else {
                    ErrorKindRaw::InvalidCharacter
                };
                return Err(self.error(kind, start, end, message));
            }
        };
        self.pos += len;
        self.push(Tok::P(p), start);
        Ok(())
    }

    fn string(&mut self, quote: char) -> Result<(), RawError> {
        let start = self.pos;
        self.pos += 1;
        let mut out = String::new();
        loop {
            let Some(c) = self.peek() else {
                return Err(self.error(
                    ErrorKindRaw::UnterminatedString,
                    start,
                    start + 1,
                    format!("unterminated string literal: missing closing {quote}"),
                ));
            };
            if out.len() > MAX_STRING_LITERAL_BYTES {
                return Err(self.error(
                    ErrorKindRaw::LiteralTooLarge,
                    start,
                    start + 1,
                    format!("string literal is too large: more than {MAX_STRING_LITERAL_BYTES} bytes"),
                ));
            }
            if c == quote {
                self.pos += 1;
                break;
            }
            if c != '\\' {
                out.push(c);
                self.pos += c.len_utf8();
                continue;
            }
            let esc_start = self.pos;
            self.pos += 1;
            let Some(e) = self.peek() else {
                continue; // reported as unterminated on the next turn
            };
            self.pos += e.len_utf8();
            let decoded = match e {
                '\\' => '\\',
                '\'' => '\'',
                '"' => '"',
                'b' => '\u{8}',
                'f' => '\u{c}',
                'n' => '\n',
                'r' => '\r',
                't' => '\t',
                'u' | 'U' => {
                    let digits = if e == 'u' { 4 } else { 8 };
                    let hex = self.rest().get(..digits).unwrap_or("");
                    let ok = hex.len() == digits && hex.chars().all(|h| h.is_ascii_hexdigit());
                    if !ok {
                        let end = esc_start
                            + 2
                            + self
                                .rest()
                                .chars()
                                .take(digits)
                                .take_while(|h| h.is_ascii_hexdigit())
                                .count();
                        return Err(self.error(
                            ErrorKindRaw::InvalidEscape,
                            esc_start,
                            end,
                            format!(
                                "invalid Unicode escape: '\\{e}' must be followed by {digits} hexadecimal digits"
                            ),
                        ));
                    }
                    self.pos += digits;
                    let value = u32::from_str_radix(hex, 16).unwrap_or(u32::MAX);
                    match char::from_u32(value) {
                        Some(ch) => ch,
                        None => {
                            return Err(self.error(
                                ErrorKindRaw::InvalidEscape,
                                esc_start,
                                self.pos,
                                format!(
                                    "invalid Unicode escape: U+{value:04X} is not a Unicode scalar value"
                                ),
                            ))
                        }
                    }
                }
                other => {
                    return Err(self.error(
                        ErrorKindRaw::InvalidEscape,
                        esc_start,
                        self.pos,
                        format!(
                            "invalid escape sequence '\\{other}' (valid: \\\\ \\' \\\" \\b \\f \\n \\r \\t \\uXXXX \\UXXXXXXXX)"
                        ),
                    ))
                }
            };
            out.push(decoded);
        }
        self.push(Tok::Str(out), start);
        Ok(())
    }

    fn quoted_ident(&mut self) -> Result<(), RawError> {
        let start = self.pos;
        // An empty name (``) is allowed, as in openCypher.
        let name = self.read_backticks()?;
        self.push(Tok::Quoted(name), start);
        Ok(())
    }

    /// Reads a back-quoted name starting at the current backtick; a doubled
    /// backtick inside stands for one backtick.
    fn read_backticks(&mut self) -> Result<String, RawError> {
        let start = self.pos;
        self.pos += 1;
        let mut out = String::new();
        loop {
            let rest = self.rest();
            let Some(i) = rest.find('`') else {
                return Err(self.error(
                    ErrorKindRaw::UnterminatedString,
                    start,
                    start + 1,
                    "unterminated quoted identifier: missing closing `".into(),
                ));
            };
            out.push_str(rest.get(..i).unwrap_or(""));
            self.pos += i + 1;
            if self.peek() == Some('`') {
                out.push('`');
                self.pos += 1;
            } else {
                return Ok(out);
            }
        }
    }

    fn param(&mut self) -> Result<(), RawError> {
        let start = self.pos;
        self.pos += 1;
        let name = match self.peek() {
            Some('`') => {
                let name = self.read_backticks()?;
                if name.is_empty() {
                    return Err(self.error(
                        ErrorKindRaw::Syntax,
                        start,
                        self.pos,
                        "empty parameter name".into(),
                    ));
                }
                name
            }
            Some(c) if is_ident_continue(c) => {
                let rest = self.rest();
                let len = rest
                    .char_indices()
                    .find(|&(_, ch)| !is_ident_continue(ch))
                    .map_or(rest.len(), |(i, _)| i);
                let name = rest.get(..len).unwrap_or("").to_string();
                self.pos += len;
                let digit_start = name.starts_with(|ch: char| ch.is_ascii_digit());
                if digit_start && !name.chars().all(|ch| ch.is_ascii_digit()) {
                    return Err(self.error(
                        ErrorKindRaw::Syntax,
                        start,
                        self.pos,
                        format!("invalid parameter name '${name}'"),
                    ));
                }
                name
            }
            _ => {
                return Err(self.error(
                    ErrorKindRaw::Syntax,
                    start,
                    start + 1,
                    "expected a parameter name after '$'".into(),
                ))
            }
        };
        self.push(Tok::Param(name), start);
        Ok(())
    }

    fn number(&mut self) -> Result<(), RawError> {
        let start = self.pos;
        let rest = self.rest();
        let bytes = rest.as_bytes();
        let radix = match (bytes.first(), bytes.get(1)) {
            (Some(b'0'), Some(b'x')) => Some(16),
            (Some(b'0'), Some(b'o')) => Some(8),
            _ => None,
        };
        if let Some(radix) = radix {
            let body_len = rest
                .get(2..)
                .unwrap_or("")
                .char_indices()
                .find(|&(_, ch)| !is_ident_continue(ch))
                .map_or(rest.len() - 2, |(i, _)| i);
            let body = rest.get(2..2 + body_len).unwrap_or("");
            self.pos += 2 + body_len;
            let name = if radix == 16 { "hexadecimal" } else { "octal" };
            if body.is_empty() || !body.chars().all(|ch| ch.is_digit(radix)) {
                return Err(self.error(
                    ErrorKindRaw::InvalidNumber,
                    start,
                    self.pos,
                    format!(
                        "invalid {name} integer literal '{}'",
                        self.span_from(start).text(self.src)
                    ),
                ));
            }
            let value = u64::from_str_radix(body, radix).map_err(|_| {
                self.error(
                    ErrorKindRaw::IntegerOverflow,
                    start,
                    self.pos,
                    format!(
                        "integer literal '{}' does not fit in a 64-bit signed integer",
                        self.span_from(start).text(self.src)
                    ),
                )
            })?;
            self.push(Tok::Int(value), start);
            return Ok(());
        }
        // Decimal integer or float: digits* ('.' digits+)? ([eE] [+-]? digits+)?
        let digits = |s: &str| s.bytes().take_while(u8::is_ascii_digit).count();
        let mut len = digits(rest);
        let int_len = len;
        let mut is_float = false;
        if bytes.get(len) == Some(&b'.') && bytes.get(len + 1).is_some_and(u8::is_ascii_digit) {
            len += 1 + digits(rest.get(len + 1..).unwrap_or(""));
            is_float = true;
        }
        if matches!(bytes.get(len), Some(b'e' | b'E')) {
            let mut exp = len + 1;
            if matches!(bytes.get(exp), Some(b'-' | b'+')) {
                exp += 1;
            }
            let n = digits(rest.get(exp..).unwrap_or(""));
            if n > 0 {
                len = exp + n;
                is_float = true;
            }
        }
        // A number may not run straight into a letter or digit: `12abc`, `1e`.
        let tail = rest.get(len..).unwrap_or("");
        if tail.starts_with(is_ident_continue) {
            let bad = tail
                .char_indices()
                .find(|&(_, ch)| !is_ident_continue(ch))
                .map_or(tail.len(), |(i, _)| i);
            self.pos += len + bad;
            return Err(self.error(
                ErrorKindRaw::InvalidNumber,
                start,
                self.pos,
                format!(
                    "invalid number literal '{}'",
                    self.span_from(start).text(self.src)
                ),
            ));
        }
        let text = rest.get(..len).unwrap_or("");
        self.pos += len;
        if is_float {
            let value: f64 = text.parse().unwrap_or(f64::INFINITY);
            if !value.is_finite() {
                return Err(self.error(
                    ErrorKindRaw::FloatOverflow,
                    start,
                    self.pos,
                    format!("float literal '{text}' is too large for a 64-bit float"),
                ));
            }
            self.push(Tok::Float(value), start);
        } else {
            if int_len > 1 && text.starts_with('0') {
                return Err(self.error(
                    ErrorKindRaw::InvalidNumber,
                    start,
                    self.pos,
                    format!(
                        "invalid number literal '{text}': leading zeros are not allowed (write octal as 0o…)"
                    ),
                ));
            }
            let value: u64 = text.parse().map_err(|_| {
                self.error(
                    ErrorKindRaw::IntegerOverflow,
                    start,
                    self.pos,
                    format!("integer literal '{text}' does not fit in a 64-bit signed integer"),
                )
            })?;
            self.push(Tok::Int(value), start);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<Tok> {
        match tokenize(src) {
            Ok(toks) => toks.into_iter().map(|t| t.kind).collect(),
            Err(e) => vec![Tok::Str(format!("ERROR {:?}: {}", e.kind, e.message))],
        }
    }

    fn err(src: &str) -> (ErrorKindRaw, String) {
        match tokenize(src) {
            Ok(t) => (ErrorKindRaw::Syntax, format!("no error: {t:?}")),
            Err(e) => (e.kind, e.message),
        }
    }

    #[test]
    fn words_params_and_punctuation() {
        use Punct::*;
        assert_eq!(
            kinds("MATCH (n:Person)-->(m) // comment\n/* block */ RETURN $p, $0"),
            vec![
                Tok::Word("MATCH".into()),
                Tok::P(LParen),
                Tok::Word("n".into()),
                Tok::P(Colon),
                Tok::Word("Person".into()),
                Tok::P(RParen),
                Tok::P(Minus),
                Tok::P(Minus),
                Tok::P(Gt),
                Tok::P(LParen),
                Tok::Word("m".into()),
                Tok::P(RParen),
                Tok::Word("RETURN".into()),
                Tok::Param("p".into()),
                Tok::P(Comma),
                Tok::Param("0".into()),
                Tok::Eof,
            ]
        );
        assert_eq!(
            kinds("<> <= >= =~ += .. < ="),
            vec![
                Tok::P(Neq),
                Tok::P(Le),
                Tok::P(Ge),
                Tok::P(RegexMatch),
                Tok::P(PlusEq),
                Tok::P(DotDot),
                Tok::P(Lt),
                Tok::P(Eq),
                Tok::Eof
            ]
        );
    }

    #[test]
    fn chinese_identifiers_and_quoted_names() {
        assert_eq!(
            kinds("公司.名称 `weird ``name`` `"),
            vec![
                Tok::Word("公司".into()),
                Tok::P(Punct::Dot),
                Tok::Word("名称".into()),
                Tok::Quoted("weird `name` ".into()),
                Tok::Eof
            ]
        );
    }

    #[test]
    fn numbers() {
        assert_eq!(
            kinds("0 42 0x1F 0o17 1.5 .5 1e10 1.5E-3 1..3"),
            vec![
                Tok::Int(0),
                Tok::Int(42),
                Tok::Int(31),
                Tok::Int(15),
                Tok::Float(1.5),
                Tok::Float(0.5),
                Tok::Float(1e10),
                Tok::Float(1.5e-3),
                Tok::Int(1),
                Tok::P(Punct::DotDot),
                Tok::Int(3),
                Tok::Eof
            ]
        );
        assert_eq!(kinds("9223372036854775808"), vec![Tok::Int(1 << 63), Tok::Eof]);
        assert_eq!(err("18446744073709551616").0, ErrorKindRaw::IntegerOverflow);
        assert_eq!(err("0x").0, ErrorKindRaw::InvalidNumber);
        assert_eq!(err("0x1A2b3j4").0, ErrorKindRaw::InvalidNumber);
        assert_eq!(err("9223372h54775808").0, ErrorKindRaw::InvalidNumber);
        assert_eq!(err("1B2c3e67").0, ErrorKindRaw::InvalidNumber);
        assert_eq!(err("0123").0, ErrorKindRaw::InvalidNumber);
        assert_eq!(err("1.34E999").0, ErrorKindRaw::FloatOverflow);
    }

    #[test]
    fn strings_and_escapes() {
        assert_eq!(
            kinds(r#"'a\'b' "c\"d" '\\\b\f\n\r\t' '\u00e9\U0001F600' '中文'"#),
            vec![
                Tok::Str("a'b".into()),
                Tok::Str("c\"d".into()),
                Tok::Str("\\\u{8}\u{c}\n\r\t".into()),
                Tok::Str("é😀".into()),
                Tok::Str("中文".into()),
                Tok::Eof
            ]
        );
        assert_eq!(err(r"'\q'").0, ErrorKindRaw::InvalidEscape);
        assert_eq!(err(r"'\u12'").0, ErrorKindRaw::InvalidEscape);
        assert_eq!(err(r"'\uD800'").0, ErrorKindRaw::InvalidEscape);
        assert_eq!(err("'abc").0, ErrorKindRaw::UnterminatedString);
        assert_eq!(err("`abc").0, ErrorKindRaw::UnterminatedString);
        assert_eq!(err("/* abc").0, ErrorKindRaw::UnterminatedComment);
    }

    #[test]
    fn bad_characters() {
        let (kind, msg) = err("RETURN 42 — 41");
        assert_eq!(kind, ErrorKindRaw::InvalidCharacter);
        assert!(msg.contains("did you mean '-'"), "{msg}");
        assert_eq!(err("a # b").0, ErrorKindRaw::Syntax);
        let (_, msg) = err("a != b");
        assert!(msg.contains("<>"), "{msg}");
    }

    #[test]
    fn spans_are_byte_offsets() {
        let toks = tokenize("名 (x)").unwrap_or_default();
        let spans: Vec<(u32, u32)> = toks.iter().map(|t| (t.span.start, t.span.end)).collect();
        assert_eq!(spans, vec![(0, 3), (4, 5), (5, 6), (6, 7), (7, 7)]);
    }
}
