//! A query's result as an aligned table, CSV or JSON Lines.
//!
//! Tables are aligned by display width (`unicode-width`): a Chinese character takes two
//! columns of a terminal, so a cell is padded by what it shows, not by its bytes or chars.

use std::fmt::Write as _;

use kgraph::{QueryResult, Records, Value};
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// How results are printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// An aligned table with a border, for people.
    Table,
    /// CSV with a header line (RFC 4180 quoting); null is an empty field.
    Csv,
    /// One JSON object per row, keys in column order; values in the JSON encoding of
    /// `docs/jsonl-format.md` (temporal values tagged, nodes as `{"~node": ...}`).
    Jsonl,
}

impl Format {
    /// The name as typed.
    pub fn name(self) -> &'static str {
        match self {
            Format::Table => "table",
            Format::Csv => "csv",
            Format::Jsonl => "jsonl",
        }
    }

    /// Parses a name as typed.
    pub fn parse(text: &str) -> Option<Format> {
        match text.trim().to_ascii_lowercase().as_str() {
            "table" => Some(Format::Table),
            "csv" => Some(Format::Csv),
            "jsonl" | "json" => Some(Format::Jsonl),
            _ => None,
        }
    }
}

/// The widest a table cell is shown, in display columns; longer text is cut with `…`.
const MAX_CELL_WIDTH: usize = 80;

/// Renders `result` in `format`; the text ends with a line break unless it is empty.
pub fn render(result: &QueryResult, format: Format) -> String {
    match format {
        Format::Table => table(result),
        Format::Csv => csv_text(result),
        Format::Jsonl => jsonl(result),
    }
}

/// An aligned table: a border line, the header, a border line, the rows, a border line.
/// Every `|` of a row is at the same display column as on every other line.
pub fn table(result: &QueryResult) -> String {
    let records = result.records();
    let header: Vec<String> = result.columns().iter().map(|c| clip(&one_line(c))).collect();
    let rows: Vec<Vec<String>> = result
        .rows()
        .iter()
        .map(|row| {
            row.iter()
                .map(|v| clip(&one_line(&cell_text(v, records))))
                .collect()
        })
        .collect();
    let mut widths: Vec<usize> = header.iter().map(|h| h.width()).collect();
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.width());
        }
    }
    if widths.is_empty() {
        return String::new();
    }
    let mut out = String::new();
    let border = |out: &mut String| {
        out.push('+');
        for w in &widths {
            out.push_str(&"-".repeat(w + 2));
            out.push('+');
        }
        out.push('\n');
    };
    let line = |out: &mut String, cells: &[String]| {
        out.push('|');
        for (cell, w) in cells.iter().zip(&widths) {
            out.push(' ');
            out.push_str(cell);
            out.push_str(&" ".repeat(w - cell.width()));
            out.push_str(" |");
        }
        out.push('\n');
    };
    border(&mut out);
    line(&mut out, &header);
    border(&mut out);
    for row in &rows {
        line(&mut out, row);
    }
    border(&mut out);
    out
}

/// A cell on one line: line breaks and tabs shown as `\n`, `\t`; other control characters
/// (which have no width) as `\u{..}`.
fn one_line(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

/// Text cut to [`MAX_CELL_WIDTH`] display columns, ending in `…` when cut.
fn clip(text: &str) -> String {
    if text.width() <= MAX_CELL_WIDTH {
        return text.to_owned();
    }
    let mut out = String::new();
    let mut width = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if width + w > MAX_CELL_WIDTH - 1 {
            break;
        }
        width += w;
        out.push(c);
    }
    out.push('…');
    out
}

/// The text of a value in a table or CSV cell: a string as it is, anything else as Cypher
/// writes it, nodes and relationships with their labels or type and properties.
pub fn cell_text(value: &Value, records: &Records) -> String {
    match value {
        Value::String(s) => s.to_string(),
        other => {
            let mut out = String::new();
            write_value(&mut out, other, records);
            out
        }
    }
}

/// A value as Cypher writes it (strings quoted), with the records of nodes and relationships.
fn write_value(out: &mut String, value: &Value, records: &Records) {
    match value {
        Value::Node(id) => match records.node(*id) {
            Some(n) => {
                out.push('(');
                for l in n.labels() {
                    out.push(':');
                    out.push_str(l);
                }
                write_props(out, n.properties().iter(), records);
                out.push(')');
            }
            None => {
                let _ = write!(out, "({id})");
            }
        },
        Value::Relationship(id) => match records.relationship(*id) {
            Some(r) => {
                out.push_str("[:");
                out.push_str(r.rel_type());
                write_props(out, r.properties().iter(), records);
                out.push(']');
            }
            None => {
                let _ = write!(out, "[{id}]");
            }
        },
        Value::Path(p) => {
            write_value(out, &Value::Node(p.start()), records);
            let mut at = p.start();
            for (r, n) in p.relationships().iter().zip(p.nodes().iter().skip(1)) {
                let forward = records.relationship(*r).is_none_or(|rel| rel.start() == at);
                out.push_str(if forward { "-" } else { "<-" });
                write_value(out, &Value::Relationship(*r), records);
                out.push_str(if forward { "->" } else { "-" });
                write_value(out, &Value::Node(*n), records);
                at = *n;
            }
        }
        Value::List(items) => {
            out.push('[');
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_value(out, v, records);
            }
            out.push(']');
        }
        Value::Map(m) => {
            out.push('{');
            for (i, (k, v)) in m.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(k);
                out.push_str(": ");
                write_value(out, v, records);
            }
            out.push('}');
        }
        other => {
            let _ = write!(out, "{other}");
        }
    }
}

fn write_props<'a>(
    out: &mut String,
    props: impl Iterator<Item = (&'a String, &'a Value)>,
    records: &Records,
) {
    let mut first = true;
    for (k, v) in props {
        out.push_str(if first { " {" } else { ", " });
        first = false;
        out.push_str(k);
        out.push_str(": ");
        write_value(out, v, records);
    }
    if !first {
        out.push('}');
    }
}

/// CSV: a header line and a line per row; null is an empty field, strings as they are,
/// other values as in a table.
pub fn csv_text(result: &QueryResult) -> String {
    // A statement without columns (a write without RETURN) has no header and no rows.
    if result.columns().is_empty() {
        return String::new();
    }
    let records = result.records();
    let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
    let _ = w.write_record(result.columns());
    for row in result.rows() {
        let cells: Vec<String> = row
            .iter()
            .map(|v| match v {
                Value::Null => String::new(),
                v => cell_text(v, records),
            })
            .collect();
        let _ = w.write_record(&cells);
    }
    let bytes = w.into_inner().unwrap_or_default();
    String::from_utf8_lossy(&bytes).into_owned()
}

/// JSON Lines: one object per row, keys in column order.
pub fn jsonl(result: &QueryResult) -> String {
    let mut out = String::new();
    if result.columns().is_empty() {
        return out;
    }
    match result.deserialize::<OrderedRow>() {
        Ok(rows) => {
            for row in rows {
                out.push('{');
                for (i, (k, v)) in row.0.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(&serde_json::Value::String(k.clone()).to_string());
                    out.push(':');
                    out.push_str(&v.to_string());
                }
                out.push_str("}\n");
            }
        }
        Err(e) => {
            let _ = writeln!(out, "{}", serde_json::json!({ "error": e.to_string() }));
        }
    }
    out
}

/// A row read as a map whose entries keep their order.
struct OrderedRow(Vec<(String, serde_json::Value)>);

impl<'de> serde::Deserialize<'de> for OrderedRow {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<OrderedRow, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = OrderedRow;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a row")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<OrderedRow, A::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = map.next_entry::<String, serde_json::Value>()? {
                    entries.push(entry);
                }
                Ok(OrderedRow(entries))
            }
        }
        d.deserialize_map(Visit)
    }
}

/// The line printed under a table: the row count, what the query changed, and its time.
pub fn summary(result: &QueryResult, elapsed: std::time::Duration) -> String {
    let n = result.len();
    let mut out = format!("{n} row{}", if n == 1 { "" } else { "s" });
    let changes = changes(result);
    if !changes.is_empty() {
        out.push_str(", ");
        out.push_str(&changes);
    }
    let _ = write!(out, ", {}", duration(elapsed));
    out
}

/// What a write changed, as `3 nodes created, 1 property set`; empty for none.
fn changes(result: &QueryResult) -> String {
    let s = result.stats();
    let parts = [
        (s.nodes_created, "node", "created"),
        (s.nodes_deleted, "node", "deleted"),
        (s.relationships_created, "relationship", "created"),
        (s.relationships_deleted, "relationship", "deleted"),
        (s.properties_set, "property", "set"),
        (s.labels_added, "label", "added"),
        (s.labels_removed, "label", "removed"),
    ];
    let mut out = Vec::new();
    for (count, what, verb) in parts {
        if count > 0 {
            let plural = match (count, what) {
                (1, w) => w.to_owned(),
                (_, "property") => "properties".to_owned(),
                (_, w) => format!("{w}s"),
            };
            out.push(format!("{count} {plural} {verb}"));
        }
    }
    out.join(", ")
}

/// `PROFILE`'s table (rows and time per operator), with a line break at its end.
pub fn profile(profile: &kgraph::Profile) -> String {
    let mut text = profile.to_string();
    if !text.ends_with('\n') {
        text.push('\n');
    }
    text
}

/// A duration for people: `0.42 ms`, `12.3 ms`, `1.25 s`.
pub fn duration(d: std::time::Duration) -> String {
    let secs = d.as_secs_f64();
    if secs >= 1.0 {
        format!("{secs:.2} s")
    } else if secs >= 0.01 {
        format!("{:.1} ms", secs * 1e3)
    } else {
        format!("{:.2} ms", secs * 1e3)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(q: &str) -> QueryResult {
        kgraph::Graph::ecosystem()
            .unwrap_or_else(|e| panic!("{e}"))
            .query(q)
            .run()
            .unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn a_table_aligns_chinese_by_display_width() {
        let r = result("UNWIND [['辉瑞', 'Pfizer'], ['阿斯利康', 'AstraZeneca'], ['x', '迈瑞']] AS p RETURN p[0] AS zh, p[1] AS name");
        let text = table(&r);
        let columns: Vec<Vec<usize>> = text
            .lines()
            .map(|l| {
                let mut at = 0;
                let mut bars = Vec::new();
                for c in l.chars() {
                    if c == '|' || c == '+' {
                        bars.push(at);
                    }
                    at += c.width().unwrap_or(0);
                }
                bars
            })
            .collect();
        assert!(columns.windows(2).all(|w| w[0] == w[1]), "{text}");
        assert!(text.contains("| 阿斯利康 | AstraZeneca |"), "{text}");
    }

    #[test]
    fn nodes_show_labels_and_properties_and_csv_quotes() {
        let r =
            result("MATCH (c:Company {name: 'AstraZeneca'}) RETURN c.name AS name, 'a,b' AS t, null AS n");
        assert_eq!(csv_text(&r), "name,t,n\nAstraZeneca,\"a,b\",\n");
        let r = result("MATCH (c:Company {name: 'AstraZeneca'}) RETURN c");
        let text = cell_text(&r.rows()[0][0], r.records());
        assert!(text.starts_with("(:Company {"), "{text}");
        assert!(text.contains("name: 'AstraZeneca'"), "{text}");
    }

    #[test]
    fn json_lines_keep_the_column_order() {
        let r = result("RETURN 2 AS b, 'x' AS a, date('2020-01-02') AS d, [1, null] AS l");
        assert_eq!(
            jsonl(&r),
            "{\"b\":2,\"a\":\"x\",\"d\":{\"~date\":\"2020-01-02\"},\"l\":[1,null]}\n"
        );
    }

    #[test]
    fn long_cells_are_cut_and_line_breaks_shown() {
        assert_eq!(one_line("a\nb\t"), "a\\nb\\t");
        let long = "辉".repeat(100);
        let cut = clip(&long);
        assert!(cut.width() <= MAX_CELL_WIDTH && cut.ends_with('…'));
    }
}
