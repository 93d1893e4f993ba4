//! Byte spans into the query text, and their conversion to line and column.

use std::fmt;
use std::hash::{Hash, Hasher};

/// A half-open range of byte offsets `start..end` into the query text.
///
/// Spans never take part in AST equality: `PartialEq` always answers `true` and
/// `Hash` hashes nothing. This lets `parse(print(ast)) == ast` be asserted even
/// though the printed text has different offsets. Code that needs to compare
/// positions compares `start` and `end` directly.
#[derive(Clone, Copy, Default)]
pub(crate) struct Span {
    /// Offset of the first byte.
    pub(crate) start: u32,
    /// Offset one past the last byte.
    pub(crate) end: u32,
}

impl Span {
    /// A span from `start` to `end` (byte offsets).
    pub(crate) fn new(start: u32, end: u32) -> Span {
        Span { start, end }
    }

    /// The smallest span that covers both `self` and `other`.
    pub(crate) fn to(self, other: Span) -> Span {
        Span {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }

    /// The text this span covers, or `""` when it is out of range.
    pub(crate) fn text(self, src: &str) -> &str {
        src.get(self.start as usize..self.end as usize).unwrap_or("")
    }
}

impl PartialEq for Span {
    fn eq(&self, _other: &Span) -> bool {
        true
    }
}

impl Eq for Span {}

impl Hash for Span {
    fn hash<H: Hasher>(&self, _state: &mut H) {}
}

impl fmt::Debug for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}..{}", self.start, self.end)
    }
}

/// Converts a byte offset into a 1-based `(line, column)` pair.
///
/// Lines are separated by `\n`. The column counts Unicode scalar values
/// (characters), not bytes, so a Chinese character counts as one column.
/// An offset inside a character or past the end is clamped to the nearest
/// character boundary before it.
pub(crate) fn line_col(src: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(src.len());
    while offset > 0 && !src.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = src.get(..offset).unwrap_or("");
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line = before.matches('\n').count() + 1;
    let column = before.get(line_start..).unwrap_or("").chars().count() + 1;
    (line, column)
}

/// The byte range of the line that contains `offset` (without its line break).
pub(crate) fn line_bounds(src: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(src.len());
    while offset > 0 && !src.is_char_boundary(offset) {
        offset -= 1;
    }
    let start = src.get(..offset).and_then(|s| s.rfind('\n')).map_or(0, |i| i + 1);
    let end = src
        .get(offset..)
        .and_then(|s| s.find('\n'))
        .map_or(src.len(), |i| offset + i);
    let mut end = end;
    if end > start && src.as_bytes().get(end - 1) == Some(&b'\r') {
        end -= 1;
    }
    (start, end.max(start))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_are_always_equal() {
        assert_eq!(Span::new(0, 1), Span::new(5, 9));
        assert_eq!(format!("{:?}", Span::new(3, 7)), "3..7");
        assert_eq!(Span::new(3, 7).to(Span::new(1, 4)).start, 1);
        assert_eq!(Span::new(3, 7).to(Span::new(1, 4)).end, 7);
    }

    #[test]
    fn line_col_counts_characters() {
        let src = "MATCH (n)\nWHERE n.名字 = '张三' RETURN n";
        assert_eq!(line_col(src, 0), (1, 1));
        assert_eq!(line_col(src, 6), (1, 7));
        assert_eq!(line_col(src, 10), (2, 1));
        let ret = src.find("RETURN").unwrap_or(0);
        // "WHERE n.名字 = '张三' " is 18 characters long.
        assert_eq!(line_col(src, ret), (2, 19));
        // Past the end is clamped.
        assert_eq!(line_col(src, 10_000).0, 2);
        // Inside a multi-byte character is clamped to its start.
        let inside = src.find('名').unwrap_or(0) + 1;
        assert_eq!(line_col(src, inside), (2, 9));
    }

    #[test]
    fn line_bounds_strip_line_breaks() {
        let src = "a\r\nbc\nd";
        assert_eq!(line_bounds(src, 0), (0, 1));
        assert_eq!(line_bounds(src, 3), (3, 5));
        assert_eq!(line_bounds(src, 7), (6, 7));
        assert_eq!(line_bounds("", 0), (0, 0));
    }
}
