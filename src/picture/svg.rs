//! The SVG picture: one self-contained document (no external font, style or image), each node
//! a `<g class="node" id="n<id>">` and each relationship a `<g class="relationship"
//! id="r<id>">`, with a `<title>` that a viewer shows on hover.

use std::fmt::Write as _;

use super::scene::{darker, draw, num, Scene, MARGIN, TITLE_HEIGHT};
use super::text::{xml, CAPTION_SIZE, FONT_FAMILY, LINE_HEIGHT};
use super::{value_text, Picture};

/// The colour of relationships and their labels.
pub(crate) const EDGE: &str = "#9aa0a8";
pub(crate) const EDGE_TEXT: &str = "#4a4f57";

impl Picture {
    /// The picture as an SVG document, laid out by the crate (see the [module
    /// docs](crate::picture)): boxes coloured by first label with their captions, arrows from
    /// start to end labelled with the relationship's type, a legend of the labels' colours.
    /// Its fonts are a list that starts with CJK fonts (`Noto Sans CJK SC`, `WenQuanYi Zen
    /// Hei`) and ends in `sans-serif`.
    ///
    /// ```
    /// let g = kgraph::Graph::ecosystem()?;
    /// let r = g.query("MATCH p = (:Company {name: 'AstraZeneca'})-[:SIGNS_WITH]->() RETURN p LIMIT 2").run()?;
    /// let svg = kgraph::picture::Picture::from_result(&r).to_svg();
    /// assert!(svg.contains("<svg") && svg.contains("SIGNS_WITH"));
    /// # Ok::<_, kgraph::Error>(())
    /// ```
    pub fn to_svg(&self) -> String {
        let scene = Scene::of(self);
        let mut out = String::with_capacity(512 + 400 * (self.nodes.len() + self.relationships.len()));
        let (w, h) = (num(scene.width), num(scene.height));
        let _ = writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#);
        let _ = writeln!(
            out,
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="{}">"#,
            xml(FONT_FAMILY)
        );
        let _ = writeln!(
            out,
            "<title>{}</title>",
            xml(self.title.as_deref().unwrap_or("kgraph picture"))
        );
        let _ = writeln!(
            out,
            r#"<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="9" markerHeight="9" markerUnits="userSpaceOnUse" orient="auto"><path d="M0 0 L10 5 L0 10 z" fill="{EDGE}"/></marker></defs>"#
        );
        let _ = writeln!(out, r##"<rect width="100%" height="100%" fill="#ffffff"/>"##);
        let mut y = MARGIN;
        if let Some(t) = &self.title {
            let _ = writeln!(
                out,
                r##"<text class="title" x="{}" y="{}" font-size="16" font-weight="bold" fill="#222">{}</text>"##,
                num(MARGIN),
                num(y + 14.0),
                xml(t)
            );
            y += TITLE_HEIGHT;
        }
        if !scene.legend.is_empty() {
            let _ = writeln!(out, r#"<g class="legend">"#);
            let mut x = MARGIN;
            for (label, colour) in &scene.legend {
                let _ = writeln!(
                    out,
                    r#"<rect x="{}" y="{}" width="14" height="14" rx="3" fill="{colour}" stroke="{}"/><text x="{}" y="{}" font-size="12" fill="{EDGE_TEXT}">{}</text>"#,
                    num(x),
                    num(y),
                    darker(colour),
                    num(x + 19.0),
                    num(y + 11.5),
                    xml(label)
                );
                x += super::text::width(label, 12.0) + 34.0;
            }
            let _ = writeln!(out, "</g>");
        }

        let _ = writeln!(out, r#"<g class="relationships" fill="none">"#);
        for (r, link) in self.relationships.iter().zip(&scene.links) {
            let (a, b) = (&scene.boxes[link.start], &scene.boxes[link.end]);
            let d = draw(a, b, link);
            let mut tip = format!("{} ({} → {})", r.rel_type(), a.caption, b.caption);
            for (k, v) in r.properties() {
                let _ = write!(tip, "\n{k}: {}", value_text(v));
            }
            let _ = writeln!(
                out,
                r##"<g class="relationship" id="r{}" data-type="{}"><title>{}</title><path d="{}" stroke="{EDGE}" stroke-width="1.4" marker-end="url(#arrow)"/><text x="{}" y="{}" transform="rotate({} {} {})" text-anchor="middle" dy="-3" font-size="10" fill="{EDGE_TEXT}" stroke="#ffffff" stroke-width="3" paint-order="stroke">{}</text></g>"##,
                r.id().index(),
                xml(r.rel_type()),
                xml(&tip),
                d.path,
                num(d.label.0),
                num(d.label.1),
                num(d.angle),
                num(d.label.0),
                num(d.label.1),
                xml(&link.label)
            );
        }
        let _ = writeln!(out, "</g>");

        let _ = writeln!(out, r#"<g class="nodes">"#);
        for (n, b) in self.nodes.iter().zip(&scene.boxes) {
            let mut tip = b.caption.clone();
            if !n.labels().is_empty() {
                let _ = write!(tip, "\n:{}", n.labels().join(":"));
            }
            for (k, v) in n.properties() {
                let _ = write!(tip, "\n{k}: {}", value_text(v));
            }
            let _ = write!(
                out,
                r##"<g class="node" id="n{}" data-labels="{}"><title>{}</title><rect x="{}" y="{}" width="{}" height="{}" rx="8" fill="{}" stroke="{}" stroke-width="1.2"/><text text-anchor="middle" font-size="{}" fill="#1d2026">"##,
                n.id().index(),
                xml(&n.labels().join(" ")),
                xml(&tip),
                num(b.x - b.w / 2.0),
                num(b.y - b.h / 2.0),
                num(b.w),
                num(b.h),
                b.colour,
                darker(b.colour),
                num(CAPTION_SIZE)
            );
            let first = b.y - (b.lines.len() as f64 - 1.0) * LINE_HEIGHT / 2.0 + CAPTION_SIZE * 0.36;
            for (i, line) in b.lines.iter().enumerate() {
                let _ = write!(
                    out,
                    r#"<tspan x="{}" y="{}">{}</tspan>"#,
                    num(b.x),
                    num(first + i as f64 * LINE_HEIGHT),
                    xml(line)
                );
            }
            let _ = writeln!(out, "</text></g>");
        }
        let _ = writeln!(out, "</g>");
        if self.omitted_nodes > 0 {
            let _ = writeln!(
                out,
                r#"<text x="{}" y="{}" font-size="11" fill="{EDGE_TEXT}">{} more nodes not drawn</text>"#,
                num(MARGIN),
                num(scene.height - 8.0),
                self.omitted_nodes
            );
        }
        out.push_str("</svg>\n");
        out
    }
}
