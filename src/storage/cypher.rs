//! Export to a Cypher script that this crate replays: one statement per line, run in order on
//! an empty graph with `Graph::execute`.
//!
//! Nodes are created in id order, in batches; on an empty graph the k-th node created gets
//! id k, so the relationship statements find their endpoints with `id(n) = k` (under the
//! node's label, so that a label scan, not a scan of every node, finds it).

use std::fmt::Write as _;
use std::io::Write;
use std::path::Path;

use super::csv::io_err;
use super::error::{ExportError, ExportItem};
use super::file::AtomicFile;
use crate::graph::{Graph, NodeId, Props, RelId, Value};
use crate::{MAX_QUERY_BYTES, MAX_STRING_LITERAL_BYTES};

/// Statements are cut at about this size; far below the parser's limit.
const BATCH_BYTES: usize = 64 * 1024;
/// And at this many nodes.
const BATCH_NODES: usize = 500;

/// A name in back-quotes, with back-quotes doubled: always valid, whatever the name.
fn quoted(out: &mut String, name: &str) {
    out.push('`');
    for c in name.chars() {
        if c == '`' {
            out.push('`');
        }
        out.push(c);
    }
    out.push('`');
}

fn string_literal(out: &mut String, s: &str) {
    out.push('\'');
    for c in s.chars() {
        match c {
            '\'' => out.push_str("\\'"),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() || c == '\u{2028}' || c == '\u{2029}' => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('\'');
}

/// A Cypher expression that evaluates to the value, or why there is none.
fn literal(out: &mut String, v: &Value, in_list: bool) -> Result<(), &'static str> {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(i) => {
            let _ = write!(out, "{i}");
        }
        Value::Float(x) if x.is_nan() => out.push_str("(0.0 / 0.0)"),
        Value::Float(x) if x.is_infinite() => {
            out.push_str(if *x > 0.0 { "(1.0 / 0.0)" } else { "(-1.0 / 0.0)" })
        }
        Value::Float(x) => {
            let _ = write!(out, "{x:?}");
        }
        Value::String(s) => {
            if s.len() > MAX_STRING_LITERAL_BYTES {
                return Err("a string longer than the query language's literals");
            }
            string_literal(out, s);
        }
        Value::Date(d) => {
            let _ = write!(out, "date('{d}')");
        }
        Value::LocalTime(_)
        | Value::Time(_)
        | Value::LocalDateTime(_)
        | Value::DateTime(_)
        | Value::Duration(_) => {
            // `localtime('...')`, `duration('...')`, ...: each type's text through its function.
            let _ = write!(out, "{v}");
        }
        Value::List(items) => {
            if in_list {
                return Err("a list of lists, which CREATE cannot store");
            }
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                literal(out, item, true)?;
            }
            out.push(']');
        }
        Value::Map(_) if in_list => return Err("a list of maps, which CREATE cannot store"),
        Value::Map(_) => return Err("a map, which CREATE cannot store"),
        _ => return Err("not a property value"),
    }
    Ok(())
}

fn props(out: &mut String, graph: &Graph, props: &Props, item: ExportItem) -> Result<(), ExportError> {
    let pairs = props.as_slice();
    if pairs.is_empty() {
        return Ok(());
    }
    out.push_str(" {");
    for (i, (k, v)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        let key = graph.symbols.key_name(*k);
        quoted(out, key);
        out.push_str(": ");
        literal(out, v, false).map_err(|reason| ExportError::Unrepresentable {
            item,
            key: key.to_owned(),
            reason,
        })?;
    }
    out.push('}');
    Ok(())
}

fn labels(out: &mut String, graph: &Graph, labels: &[crate::graph::LabelId]) {
    for l in labels {
        out.push(':');
        quoted(out, graph.symbols.label_name(*l));
    }
}

fn too_large(item: ExportItem) -> ExportError {
    ExportError::Unrepresentable {
        item,
        key: String::new(),
        reason: "its properties are too large for one statement",
    }
}

pub(crate) fn export(graph: &Graph, path: &Path) -> Result<(), ExportError> {
    let inner = &graph.inner;
    // Check everything before creating the file, so a refused graph leaves nothing behind.
    let mut scratch = String::new();
    for ix in inner.node_indices() {
        if let Some(d) = inner.node_weight(ix) {
            scratch.clear();
            props(
                &mut scratch,
                graph,
                &d.props,
                ExportItem::Node(NodeId::from_ix(ix)),
            )?;
        }
    }
    for ix in inner.edge_indices() {
        if let Some(d) = inner.edge_weight(ix) {
            scratch.clear();
            props(
                &mut scratch,
                graph,
                &d.props,
                ExportItem::Relationship(RelId::from_ix(ix)),
            )?;
        }
    }

    // A temporary file beside the target, renamed over it once whole: a statement refused
    // halfway (too large) leaves nothing.
    let mut w = AtomicFile::create(path).map_err(io_err(path))?;
    let mut text = String::new();
    let _ = writeln!(
        text,
        "// kgraph Cypher export: {} nodes, {} relationships.\n\
         // Run each line that is not a comment, in order, on an empty graph.",
        graph.node_count(),
        graph.relationship_count()
    );
    for (l, k) in graph.constraint_pairs() {
        let _ = writeln!(
            text,
            "// Unique constraint (create it with Graph::create_unique_constraint): :{}({})",
            graph.symbols.label_name(l),
            graph.symbols.key_name(k)
        );
    }
    w.write_all(text.as_bytes()).map_err(io_err(path))?;

    // New id (creation order) of every node, indexed by old id.
    let bound = inner.node_indices().next_back().map_or(0, |i| i.index() + 1);
    let mut new_id = vec![0u32; bound];
    let mut statement = String::new();
    let mut in_batch = 0;
    let mut one = String::new();
    for (k, ix) in inner.node_indices().enumerate() {
        let Some(d) = inner.node_weight(ix) else { continue };
        if let Some(slot) = new_id.get_mut(ix.index()) {
            *slot = k as u32;
        }
        one.clear();
        one.push('(');
        labels(&mut one, graph, &d.labels);
        props(&mut one, graph, &d.props, ExportItem::Node(NodeId::from_ix(ix)))?;
        one.push(')');
        if one.len() + 16 > MAX_QUERY_BYTES {
            return Err(too_large(ExportItem::Node(NodeId::from_ix(ix))));
        }
        if in_batch > 0 && (in_batch >= BATCH_NODES || statement.len() + one.len() > BATCH_BYTES) {
            statement.push('\n');
            w.write_all(statement.as_bytes()).map_err(io_err(path))?;
            statement.clear();
            in_batch = 0;
        }
        statement.push_str(if in_batch == 0 { "CREATE " } else { ", " });
        statement.push_str(&one);
        in_batch += 1;
    }
    if in_batch > 0 {
        statement.push('\n');
        w.write_all(statement.as_bytes()).map_err(io_err(path))?;
    }

    for ix in inner.edge_indices() {
        let (Some(d), Some((a, b))) = (inner.edge_weight(ix), inner.edge_endpoints(ix)) else {
            continue;
        };
        statement.clear();
        for (var, node) in [("a", a), ("b", b)] {
            statement.push_str("MATCH (");
            statement.push_str(var);
            if let Some(l) = inner.node_weight(node).and_then(|n| n.labels.first()) {
                statement.push(':');
                quoted(&mut statement, graph.symbols.label_name(*l));
            }
            let id = new_id.get(node.index()).copied().unwrap_or(0);
            let _ = write!(statement, ") WHERE id({var}) = {id} ");
        }
        statement.push_str("CREATE (a)-[:");
        quoted(&mut statement, graph.symbols.type_name(d.ty));
        props(
            &mut statement,
            graph,
            &d.props,
            ExportItem::Relationship(RelId::from_ix(ix)),
        )?;
        statement.push_str("]->(b)\n");
        if statement.len() > MAX_QUERY_BYTES {
            return Err(too_large(ExportItem::Relationship(RelId::from_ix(ix))));
        }
        w.write_all(statement.as_bytes()).map_err(io_err(path))?;
    }
    w.commit().map_err(io_err(path))
}
