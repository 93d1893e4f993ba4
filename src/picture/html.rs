//! The HTML picture: one file with its style, script and data inline (`page.html` is the
//! template), that a browser opens without a network. The crate lays the graph out; the
//! script draws it in an inline SVG and lets a person pan (drag the background), zoom (the
//! wheel or the buttons), drag nodes, and click a node or relationship to see its labels or
//! type and properties in a side panel.

use serde_json::{json, Value as Json};

use super::scene::Scene;
use super::text::{xml, FONT_FAMILY};
use super::{value_text, Picture};

/// The page, with `/*KGRAPH_DATA*/`, `KGRAPH_TITLE` and `KGRAPH_FONTS` to fill in.
const PAGE: &str = include_str!("page.html");

/// JSON that can stand inside a `<script>` element: no `<`, `>` or `&` (so no `</script>` or
/// `<!--`), and no U+2028 or U+2029 (line ends to older JavaScript), each written as its
/// `\u` escape, which JSON reads back as the same character.
fn script_safe(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

impl Picture {
    /// The picture as a self-contained HTML page: no external script, style, font or image,
    /// so it opens without a network. Drag the background to pan, use the wheel or the
    /// buttons to zoom, drag a node to move it, click a node to see its labels and
    /// properties (a relationship: its type and properties). The layout is the SVG's.
    ///
    /// ```
    /// use kgraph::{picture::Picture, Node, NodeId, Value};
    /// let n = Node::new(NodeId::from_index(0), vec!["A".into()], [("name".to_owned(), Value::from("</script>"))].into());
    /// let html = Picture::new(vec![n], vec![]).to_html();
    /// assert_eq!(html.matches("</script>").count(), 2); // the data's and the script's own
    /// assert!(!html.contains("http://") && !html.contains("https://"));
    /// ```
    pub fn to_html(&self) -> String {
        let scene = Scene::of(self);
        let props = |m: &std::collections::BTreeMap<String, crate::Value>| -> Json {
            Json::Array(m.iter().map(|(k, v)| json!([k, value_text(v)])).collect())
        };
        let nodes: Vec<Json> = self
            .nodes
            .iter()
            .zip(&scene.boxes)
            .map(|(n, b)| {
                json!({
                    "id": n.id().index(),
                    "caption": b.caption,
                    "lines": b.lines,
                    "labels": n.labels(),
                    "colour": b.colour,
                    "x": b.x, "y": b.y, "w": b.w, "h": b.h,
                    "props": props(n.properties()),
                })
            })
            .collect();
        let rels: Vec<Json> = self
            .relationships
            .iter()
            .zip(&scene.links)
            .map(|(r, l)| {
                json!({
                    "id": r.id().index(),
                    "type": r.rel_type(),
                    "text": l.label,
                    "s": l.start,
                    "e": l.end,
                    "bend": l.bend,
                    "loop": l.loop_rank,
                    "props": props(r.properties()),
                })
            })
            .collect();
        let legend: Vec<Json> = scene.legend.iter().map(|(l, c)| json!([l, c])).collect();
        let data = json!({
            "title": self.title,
            "width": scene.width,
            "height": scene.height,
            "nodes": nodes,
            "rels": rels,
            "legend": legend,
            "omitted": self.omitted_nodes,
        });
        let title = self.title.as_deref().unwrap_or("kgraph picture");
        fill(
            PAGE,
            &[
                ("KGRAPH_TITLE", &xml(title)),
                ("KGRAPH_FONTS", FONT_FAMILY),
                ("/*KGRAPH_DATA*/", &script_safe(&data.to_string())),
            ],
        )
    }
}

/// The template with each marker replaced, in one pass (so that a marker's text inside a
/// filled-in value stays as it is).
fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + values.iter().map(|(_, v)| v.len()).sum::<usize>());
    let mut rest = template;
    while let Some((at, marker, value)) = values
        .iter()
        .filter_map(|(m, v)| rest.find(m).map(|at| (at, *m, *v)))
        .min_by_key(|(at, _, _)| *at)
    {
        out.push_str(&rest[..at]);
        out.push_str(value);
        rest = &rest[at + marker.len()..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::script_safe;

    #[test]
    fn script_safe_json_reads_back() -> Result<(), serde_json::Error> {
        let text = "</script><!-- & \u{2028}";
        let json = serde_json::to_string(text)?;
        let safe = script_safe(&json);
        assert!(!safe.contains('<') && !safe.contains('>') && !safe.contains('&'));
        assert_eq!(serde_json::from_str::<String>(&safe)?, text);
        Ok(())
    }
}
