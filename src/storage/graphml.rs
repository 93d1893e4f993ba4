//! Export to GraphML, for the tools of network science (Gephi, networkx, igraph), in the
//! shape of Neo4j's APOC GraphML export: a node's labels in a `labels` attribute and data
//! value (`:A:B`), a relationship's type in a `label` attribute and data value, each property
//! a `<data>` element under a `<key>` declared with its GraphML type.
//!
//! GraphML's types are `boolean`, `long`, `double` and `string`: integers are `long`, floats
//! `double` (`NaN`, `INF`, `-INF`), and temporal values travel as their ISO 8601 text and
//! lists as JSON arrays, both of type `string` (a reader gets text back, not the type).
//! A key holds one type, so a property whose values mix types gets one key per type (same
//! `attr.name`). Text is XML-escaped; line breaks and tabs become character references so that
//! they survive attribute-value normalisation. XML 1.0 cannot hold the other control
//! characters: a string with one is refused.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write;
use std::path::Path;

use super::csv::io_err;
use super::error::{ExportError, ExportItem};
use super::file::AtomicFile;
use crate::graph::{Graph, KeyId, NodeId, Props, RelId, Value};

/// The GraphML type of a value, or why GraphML has none.
fn graphml_type(v: &Value) -> Result<&'static str, &'static str> {
    Ok(match v {
        Value::Bool(_) => "boolean",
        Value::Int(_) => "long",
        Value::Float(_) => "double",
        Value::String(_)
        | Value::Date(_)
        | Value::LocalTime(_)
        | Value::Time(_)
        | Value::LocalDateTime(_)
        | Value::DateTime(_)
        | Value::Duration(_)
        | Value::List(_) => "string",
        Value::Map(_) => return Err("a map, which GraphML cannot hold"),
        _ => return Err("not a property value"),
    })
}

/// The characters XML 1.0 cannot hold.
fn xml_forbidden(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{8}' | '\u{B}' | '\u{C}' | '\u{E}'..='\u{1F}' | '\u{FFFE}' | '\u{FFFF}')
}

fn check_text(v: &Value) -> Result<(), &'static str> {
    match v {
        Value::String(s) if s.chars().any(xml_forbidden) => {
            Err("a string with a control character, which XML 1.0 cannot hold")
        }
        Value::List(items) => items.iter().try_for_each(check_text),
        Value::Map(_) => Err("a map, which GraphML cannot hold"),
        _ => Ok(()),
    }
}

fn escape(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            c => out.push(c),
        }
    }
}

/// A list element as JSON: numbers, booleans and strings as themselves, temporal values as
/// their ISO text (a JSON string), null as null.
fn json_element(v: &Value) -> serde_json::Value {
    match v {
        Value::Bool(b) => serde_json::Value::Bool(*b),
        Value::Int(i) => serde_json::Value::from(*i),
        // JSON has no NaN or infinities: they become strings, as in the scalar form.
        Value::Float(x) if x.is_finite() => serde_json::Value::from(*x),
        Value::Float(_) => serde_json::Value::String(float_text(v)),
        Value::String(s) => serde_json::Value::String(s.to_string()),
        Value::List(items) => serde_json::Value::Array(items.iter().map(json_element).collect()),
        Value::Null => serde_json::Value::Null,
        other => serde_json::Value::String(text(other)),
    }
}

fn float_text(v: &Value) -> String {
    match v {
        Value::Float(x) if x.is_nan() => "NaN".to_owned(),
        Value::Float(x) if x.is_infinite() => if *x > 0.0 { "INF" } else { "-INF" }.to_owned(),
        Value::Float(x) => format!("{x:?}"),
        _ => String::new(),
    }
}

/// A value's text in a `<data>` element.
fn text(v: &Value) -> String {
    match v {
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Float(_) => float_text(v),
        Value::String(s) => s.to_string(),
        Value::Date(d) => d.to_string(),
        Value::LocalTime(t) => t.to_string(),
        Value::Time(t) => t.to_string(),
        Value::LocalDateTime(t) => t.to_string(),
        Value::DateTime(t) => t.to_string(),
        Value::Duration(d) => d.to_string(),
        Value::List(items) => serde_json::Value::Array(items.iter().map(json_element).collect()).to_string(),
        _ => String::new(),
    }
}

/// The declared keys: (for, key, type) -> key id.
type Keys = BTreeMap<(&'static str, KeyId, &'static str), String>;

fn declare(
    keys: &mut Keys,
    graph: &Graph,
    domain: &'static str,
    props: &Props,
    item: ExportItem,
    reserved: &str,
) -> Result<(), ExportError> {
    for (k, v) in props.iter() {
        let key = graph.symbols.key_name(k);
        let refuse = |reason| ExportError::Unrepresentable {
            item,
            key: key.to_owned(),
            reason,
        };
        if key == reserved {
            return Err(refuse(if domain == "node" {
                "the key GraphML's export keeps a node's labels under"
            } else {
                "the key GraphML's export keeps a relationship's type under"
            }));
        }
        let ty = graphml_type(v).map_err(refuse)?;
        check_text(v).map_err(refuse)?;
        let next = keys.len();
        keys.entry((domain, k, ty)).or_insert_with(|| format!("d{next}"));
    }
    Ok(())
}

fn data(out: &mut String, keys: &Keys, domain: &'static str, props: &Props) {
    for (k, v) in props.iter() {
        let Ok(ty) = graphml_type(v) else { continue };
        if let Some(id) = keys.get(&(domain, k, ty)) {
            let _ = write!(out, "<data key=\"{id}\">");
            escape(out, &text(v));
            out.push_str("</data>");
        }
    }
}

pub(crate) fn export(graph: &Graph, path: &Path) -> Result<(), ExportError> {
    super::progress::export_begin((graph.node_count() + graph.relationship_count()) as u64);
    let inner = &graph.inner;
    let mut keys = Keys::new();
    for ix in inner.node_indices() {
        let Some(d) = inner.node_weight(ix) else { continue };
        let item = ExportItem::Node(NodeId::from_ix(ix));
        declare(&mut keys, graph, "node", &d.props, item, "labels")?;
    }
    for ix in inner.edge_indices() {
        let Some(d) = inner.edge_weight(ix) else { continue };
        let item = ExportItem::Relationship(RelId::from_ix(ix));
        declare(&mut keys, graph, "edge", &d.props, item, "label")?;
        if graph.symbols.type_name(d.ty).chars().any(xml_forbidden) {
            return Err(ExportError::Unrepresentable {
                item,
                key: String::new(),
                reason: "a type with a control character, which XML 1.0 cannot hold",
            });
        }
    }
    for ix in inner.node_indices() {
        let Some(d) = inner.node_weight(ix) else { continue };
        for l in &d.labels {
            if graph.symbols.label_name(*l).chars().any(xml_forbidden) {
                return Err(ExportError::Unrepresentable {
                    item: ExportItem::Node(NodeId::from_ix(ix)),
                    key: String::new(),
                    reason: "a label with a control character, which XML 1.0 cannot hold",
                });
            }
        }
    }

    let mut w = AtomicFile::create(path).map_err(io_err(path))?;
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\" \
         xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" \
         xsi:schemaLocation=\"http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd\">\n\
         <key id=\"labels\" for=\"node\" attr.name=\"labels\" attr.type=\"string\"/>\n\
         <key id=\"label\" for=\"edge\" attr.name=\"label\" attr.type=\"string\"/>\n",
    );
    for ((domain, k, ty), id) in &keys {
        let _ = write!(out, "<key id=\"{id}\" for=\"{domain}\" attr.name=\"");
        escape(&mut out, graph.symbols.key_name(*k));
        let _ = writeln!(out, "\" attr.type=\"{ty}\"/>");
    }
    out.push_str("<graph id=\"G\" edgedefault=\"directed\">\n");
    w.write_all(out.as_bytes()).map_err(io_err(path))?;
    let mut labels = String::new();
    for ix in inner.node_indices() {
        let Some(d) = inner.node_weight(ix) else { continue };
        out.clear();
        labels.clear();
        for l in &d.labels {
            labels.push(':');
            labels.push_str(graph.symbols.label_name(*l));
        }
        let _ = write!(out, "<node id=\"n{}\" labels=\"", ix.index());
        escape(&mut out, &labels);
        out.push_str("\"><data key=\"labels\">");
        escape(&mut out, &labels);
        out.push_str("</data>");
        data(&mut out, &keys, "node", &d.props);
        out.push_str("</node>\n");
        w.write_all(out.as_bytes()).map_err(io_err(path))?;
        super::progress::export_item();
    }
    for ix in inner.edge_indices() {
        let (Some(d), Some((a, b))) = (inner.edge_weight(ix), inner.edge_endpoints(ix)) else {
            continue;
        };
        out.clear();
        let ty = graph.symbols.type_name(d.ty);
        let _ = write!(
            out,
            "<edge id=\"e{}\" source=\"n{}\" target=\"n{}\" label=\"",
            ix.index(),
            a.index(),
            b.index()
        );
        escape(&mut out, ty);
        out.push_str("\"><data key=\"label\">");
        escape(&mut out, ty);
        out.push_str("</data>");
        data(&mut out, &keys, "edge", &d.props);
        out.push_str("</edge>\n");
        w.write_all(out.as_bytes()).map_err(io_err(path))?;
        super::progress::export_item();
    }
    w.write_all(b"</graph>\n</graphml>\n").map_err(io_err(path))?;
    w.commit().map_err(io_err(path))
}
