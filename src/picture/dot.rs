//! The DOT picture, for Graphviz: `dot -Tsvg` (or `neato`, `sfdp`) lays it out.

use std::fmt::Write as _;

use super::scene::darker;
use super::{value_text, Picture};

/// `text` as a DOT double-quoted string: quotes and backslashes escaped, line breaks as `\n`
/// (Graphviz's centred line break), other control characters dropped.
fn quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

impl Picture {
    /// The picture as a Graphviz `digraph`: each node `n<id>` with its caption as label,
    /// filled with its first label's colour; each relationship an edge labelled with its type
    /// and given the id `r<id>`; labels and properties in tooltips. Text is UTF-8, so Chinese
    /// captions stay as they are (Graphviz needs a CJK font to draw them: the font list names
    /// `Noto Sans CJK SC` first).
    ///
    /// ```
    /// use kgraph::{picture::Picture, Node, NodeId, Value};
    /// let n = Node::new(NodeId::from_index(4), vec!["Company".into()], [("name".to_owned(), Value::from("say \"hi\""))].into());
    /// let dot = Picture::new(vec![n], vec![]).to_dot();
    /// assert!(dot.contains(r#"n4 [label="say \"hi\"""#));
    /// ```
    pub fn to_dot(&self) -> String {
        let colours = self.colours();
        let mut out = String::with_capacity(256 + 160 * (self.nodes.len() + self.relationships.len()));
        out.push_str("digraph result {\n");
        if let Some(t) = &self.title {
            let _ = writeln!(out, "  label={}; labelloc=t; fontsize=16;", quoted(t));
        }
        let font = quoted("Noto Sans CJK SC,WenQuanYi Zen Hei,sans-serif");
        let _ = writeln!(out, "  graph [fontname={font}, overlap=false, splines=true];");
        let _ = writeln!(
            out,
            "  node [shape=box, style=\"rounded,filled\", fontname={font}, fontsize=11, penwidth=1.2];"
        );
        let _ = writeln!(
            out,
            "  edge [fontname={font}, fontsize=9, color=\"#9aa0a8\", fontcolor=\"#4a4f57\"];"
        );
        for n in &self.nodes {
            let colour = Picture::colour_of(&colours, n);
            let mut tip = String::new();
            if !n.labels().is_empty() {
                let _ = write!(tip, ":{}", n.labels().join(":"));
            }
            for (k, v) in n.properties() {
                let _ = write!(tip, "\n{k}: {}", value_text(v));
            }
            let _ = writeln!(
                out,
                "  n{} [label={}, fillcolor=\"{colour}\", color=\"{}\", tooltip={}];",
                n.id().index(),
                quoted(&self.caption(n)),
                darker(colour),
                quoted(&tip)
            );
        }
        for r in &self.relationships {
            let mut tip = r.rel_type().to_owned();
            for (k, v) in r.properties() {
                let _ = write!(tip, "\n{k}: {}", value_text(v));
            }
            let _ = writeln!(
                out,
                "  n{} -> n{} [id=\"r{}\", label={}, tooltip={}];",
                r.start().index(),
                r.end().index(),
                r.id().index(),
                quoted(r.rel_type()),
                quoted(&tip)
            );
        }
        if self.omitted_nodes > 0 {
            let _ = writeln!(out, "  // {} more nodes not drawn", self.omitted_nodes);
        }
        out.push_str("}\n");
        out
    }
}

#[cfg(test)]
mod tests {
    use super::quoted;

    #[test]
    fn quotes_escape() {
        assert_eq!(quoted("a\"b\\c\nd\re\u{1}"), "\"a\\\"b\\\\c\\nde \"");
        assert_eq!(quoted("辉瑞"), "\"辉瑞\"");
    }
}
