//! Statements of a script: where one ends (`;` outside strings, quoted names and comments).

/// The statements of `text`, each without its `;` and trimmed; empty ones are dropped. Text
/// after the last `;` is a statement too (a script may omit the last `;`).
pub fn split(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut start = 0;
    for end in ends(text) {
        push(&mut out, &text[start..end]);
        start = end + 1;
    }
    push(&mut out, &text[start..]);
    out
}

fn push(out: &mut Vec<String>, stmt: &str) {
    let t = stmt.trim();
    if !only_comments(t) {
        out.push(t.to_owned());
    }
}

/// True if the text holds nothing but white space and comments.
fn only_comments(text: &str) -> bool {
    let mut rest = text.trim_start();
    loop {
        if rest.is_empty() {
            return true;
        }
        if let Some(r) = rest.strip_prefix("//") {
            rest = r.split_once('\n').map_or("", |(_, r)| r).trim_start();
        } else if let Some(r) = rest.strip_prefix("/*") {
            rest = r.split_once("*/").map_or("", |(_, r)| r).trim_start();
        } else {
            return false;
        }
    }
}

/// True when `text` ends a statement: its last character outside white space and comments is
/// a `;` outside strings and comments (the shell runs the input then).
pub fn complete(text: &str) -> bool {
    let Some(&last) = ends(text).last() else {
        return false;
    };
    only_comments(&text[last + 1..])
}

/// The byte offsets of the `;`s that end statements.
fn ends(text: &str) -> Vec<usize> {
    #[derive(PartialEq)]
    enum State {
        Code,
        Quoted(char),
        Line,
        Block,
    }
    let mut state = State::Code;
    let mut out = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match state {
            State::Code => match c {
                '\'' | '"' | '`' => state = State::Quoted(c),
                '/' if chars.peek().map(|p| p.1) == Some('/') => state = State::Line,
                '/' if chars.peek().map(|p| p.1) == Some('*') => {
                    chars.next();
                    state = State::Block;
                }
                ';' => out.push(i),
                _ => {}
            },
            State::Quoted(q) => {
                if c == '\\' && q != '`' {
                    chars.next();
                } else if c == q {
                    // A doubled back-quote inside a quoted name is one back-quote.
                    if q == '`' && chars.peek().map(|p| p.1) == Some('`') {
                        chars.next();
                    } else {
                        state = State::Code;
                    }
                }
            }
            State::Line => {
                if c == '\n' {
                    state = State::Code;
                }
            }
            State::Block => {
                if c == '*' && chars.peek().map(|p| p.1) == Some('/') {
                    chars.next();
                    state = State::Code;
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn semicolons_in_strings_and_comments_do_not_end_a_statement() {
        assert_eq!(
            split("RETURN 'a;b' AS x; // c;\nRETURN \"q\\\";\" AS y;\n/* ; */ RETURN `a;` AS z"),
            [
                "RETURN 'a;b' AS x",
                "// c;\nRETURN \"q\\\";\" AS y",
                "/* ; */ RETURN `a;` AS z"
            ]
        );
        assert_eq!(split(" ; ;\n// only a comment\n"), Vec::<String>::new());
    }

    #[test]
    fn input_is_complete_at_a_final_semicolon() {
        assert!(!complete("MATCH (n)\nRETURN n"));
        assert!(complete("MATCH (n)\nRETURN n;"));
        assert!(complete("RETURN 1; // done"));
        assert!(!complete("RETURN ';"));
        assert!(!complete("RETURN 1; RETURN 2"));
    }
}
