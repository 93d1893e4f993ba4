//! Export to the CSV layout of `neo4j-admin database import full`: node files with `:ID`,
//! `:LABEL` (labels joined with `;`) and typed property columns (`name:string`,
//! `since:date`, `aliases:string[]`), relationship files with `:START_ID`, `:END_ID`, `:TYPE`
//! and typed property columns, and `neo4j-admin-import.txt`, the command line that loads them.
//!
//! A column has one type, so items are spread over as few files as keep each column's type
//! one: an item goes to the first file whose columns agree with its values' types (one file
//! when every key holds one type). Every present value is written quoted and an absent one as
//! an empty unquoted field, so an empty string (`""`) and an empty list (`""` in a list
//! column) are told apart from no property. Lists are joined with an array delimiter that no
//! element contains, named in the command line. Neo4j stores no list of mixed types, with
//! nulls, or of lists, nor maps: those are refused.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write;
use std::path::Path;

use super::csv::io_err;
use super::error::{ExportError, ExportItem};
use super::file::AtomicFile;
use crate::graph::{Graph, KeyId, NodeId, Props, RelId, Value};

/// The file with the command line, in the export's directory.
pub(crate) const COMMAND_FILE: &str = "neo4j-admin-import.txt";

/// Array delimiters tried in order: the first that no list element contains.
const DELIMITERS: [char; 8] = [';', '|', '¦', '§', '¤', '¶', '‖', '⁞'];

/// The header type of a scalar value, or why Neo4j's importer has none.
fn scalar_type(v: &Value) -> Result<&'static str, &'static str> {
    Ok(match v {
        Value::Bool(_) => "boolean",
        Value::Int(_) => "long",
        Value::Float(_) => "double",
        Value::String(_) => "string",
        Value::Date(_) => "date",
        Value::LocalTime(_) => "localtime",
        Value::Time(_) => "time",
        Value::LocalDateTime(_) => "localdatetime",
        Value::DateTime(_) => "datetime",
        Value::Duration(_) => "duration",
        Value::List(_) => return Err("a list of lists, which Neo4j cannot store"),
        Value::Map(_) => return Err("a map, which Neo4j cannot store"),
        Value::Null => return Err("a list holding null, which Neo4j cannot store"),
        _ => return Err("not a property value"),
    })
}

/// The column type of a value: `long`, `string[]`, ...; an empty list is `string[]` (any
/// array column takes it).
fn column_type(v: &Value) -> Result<String, &'static str> {
    match v {
        Value::List(items) => {
            let mut ty = None;
            for item in items {
                let t = scalar_type(item)?;
                if ty.is_some_and(|first| first != t) {
                    return Err("a list of mixed types, which Neo4j cannot store");
                }
                ty = Some(t);
            }
            Ok(format!("{}[]", ty.unwrap_or("string")))
        }
        other => scalar_type(other).map(str::to_owned),
    }
}

/// The text of a scalar as the importer reads it: the benchmark CSV's text, but Java's
/// spellings of the non-finite floats.
fn scalar_text(out: &mut String, v: &Value) {
    match v {
        Value::Float(x) if x.is_nan() => out.push_str("NaN"),
        Value::Float(x) if x.is_infinite() => out.push_str(if *x > 0.0 { "Infinity" } else { "-Infinity" }),
        other => super::csv::scalar_text(other, out),
    }
}

/// A CSV field, always quoted, quotes doubled.
fn quoted_field(out: &mut String, text: &str) {
    out.push('"');
    for c in text.chars() {
        if c == '"' {
            out.push('"');
        }
        out.push(c);
    }
    out.push('"');
}

/// The files of one kind: each file's columns (key -> type), in the order first met.
#[derive(Default)]
struct Files {
    columns: Vec<Vec<(KeyId, String)>>,
    /// Which file each item goes to, in item order.
    file_of: Vec<usize>,
}

impl Files {
    /// Files the item into the first file whose columns agree with its types.
    fn place(&mut self, types: &[(KeyId, String)]) {
        let agrees = |cols: &Vec<(KeyId, String)>| {
            types
                .iter()
                .all(|(k, t)| cols.iter().all(|(ck, ct)| ck != k || ct == t))
        };
        let at = match self.columns.iter().position(agrees) {
            Some(i) => i,
            None => {
                self.columns.push(Vec::new());
                self.columns.len() - 1
            }
        };
        if let Some(cols) = self.columns.get_mut(at) {
            for (k, t) in types {
                if !cols.iter().any(|(ck, _)| ck == k) {
                    cols.push((*k, t.clone()));
                }
            }
        }
        self.file_of.push(at);
    }
}

/// The types of an item's properties, checking names and values.
fn item_types(graph: &Graph, props: &Props, item: ExportItem) -> Result<Vec<(KeyId, String)>, ExportError> {
    props
        .iter()
        .map(|(k, v)| {
            let key = graph.symbols.key_name(k);
            let refuse = |reason| ExportError::Unrepresentable {
                item,
                key: key.to_owned(),
                reason,
            };
            if key.contains(':') {
                return Err(refuse("a key with ':', which a header field cannot name"));
            }
            column_type(v).map(|t| (k, t)).map_err(refuse)
        })
        .collect()
}

fn row(out: &mut String, structural: &[String], cols: &[(KeyId, String)], props: &Props, delimiter: char) {
    out.clear();
    let mut text = String::new();
    for (i, s) in structural.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        quoted_field(out, s);
    }
    for (k, _) in cols {
        out.push(',');
        match props.get(*k) {
            None => {}
            Some(Value::List(items)) => {
                text.clear();
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        text.push(delimiter);
                    }
                    scalar_text(&mut text, item);
                }
                quoted_field(out, &text);
            }
            Some(v) => {
                text.clear();
                scalar_text(&mut text, v);
                quoted_field(out, &text);
            }
        }
    }
    out.push('\n');
}

fn header(graph: &Graph, structural: &[&str], cols: &[(KeyId, String)]) -> String {
    let mut fields: Vec<String> = structural.iter().map(|s| (*s).to_owned()).collect();
    fields.extend(
        cols.iter()
            .map(|(k, t)| format!("{}:{t}", graph.symbols.key_name(*k))),
    );
    let mut out = String::new();
    for (i, f) in fields.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        quoted_field(&mut out, f);
    }
    out.push('\n');
    out
}

pub(crate) fn export(graph: &Graph, dir: &Path) -> Result<(), ExportError> {
    super::progress::export_begin((graph.node_count() + graph.relationship_count()) as u64);
    let inner = &graph.inner;
    // Check and place every item before writing anything.
    let mut nodes = Files::default();
    let mut node_ids: Vec<NodeId> = Vec::new();
    let mut position: BTreeMap<NodeId, usize> = BTreeMap::new();
    let mut free: Vec<char> = DELIMITERS.to_vec();
    let mut note_lists = |props: &Props| {
        for (_, v) in props.iter() {
            if let Value::List(items) = v {
                for item in items {
                    if let Value::String(s) = item {
                        free.retain(|c| !s.contains(*c));
                    }
                }
            }
        }
    };
    for ix in inner.node_indices() {
        let Some(d) = inner.node_weight(ix) else { continue };
        let id = NodeId::from_ix(ix);
        for l in &d.labels {
            if graph.symbols.label_name(*l).contains(';') {
                return Err(ExportError::Unrepresentable {
                    item: ExportItem::Node(id),
                    key: String::new(),
                    reason: "a label with ';', the importer's label delimiter",
                });
            }
        }
        nodes.place(&item_types(graph, &d.props, ExportItem::Node(id))?);
        note_lists(&d.props);
        position.insert(id, node_ids.len());
        node_ids.push(id);
    }
    let mut rels = Files::default();
    let mut rel_ids: Vec<RelId> = Vec::new();
    for ix in inner.edge_indices() {
        let Some(d) = inner.edge_weight(ix) else { continue };
        let id = RelId::from_ix(ix);
        rels.place(&item_types(graph, &d.props, ExportItem::Relationship(id))?);
        note_lists(&d.props);
        rel_ids.push(id);
    }
    let Some(&delimiter) = free.first() else {
        return Err(ExportError::Unrepresentable {
            item: ExportItem::Node(node_ids.first().copied().unwrap_or(NodeId::from_index(0))),
            key: String::new(),
            reason: "the graph's list elements contain every array delimiter the export could use",
        });
    };

    std::fs::create_dir_all(dir).map_err(io_err(dir))?;
    let mut command = format!(
        "neo4j-admin database import full --id-type=integer --array-delimiter='{delimiter}' --multiline-fields=true"
    );
    let mut line = String::new();
    let mut structural: Vec<String> = Vec::new();
    for (f, cols) in nodes.columns.iter().enumerate() {
        let name = format!("nodes_{}.csv", f + 1);
        let path = dir.join(&name);
        let mut w = AtomicFile::create(&path).map_err(io_err(&path))?;
        w.write_all(header(graph, &[":ID", ":LABEL"], cols).as_bytes())
            .map_err(io_err(&path))?;
        for (i, id) in node_ids.iter().enumerate() {
            if nodes.file_of.get(i) != Some(&f) {
                continue;
            }
            let Some(d) = inner.node_weight(id.ix()) else {
                continue;
            };
            let labels: Vec<&str> = d.labels.iter().map(|l| graph.symbols.label_name(*l)).collect();
            structural.clear();
            structural.push(i.to_string());
            structural.push(labels.join(";"));
            row(&mut line, &structural, cols, &d.props, delimiter);
            w.write_all(line.as_bytes()).map_err(io_err(&path))?;
            super::progress::export_item();
        }
        w.commit().map_err(io_err(&path))?;
        let _ = write!(command, " --nodes={name}");
    }
    for (f, cols) in rels.columns.iter().enumerate() {
        let name = format!("relationships_{}.csv", f + 1);
        let path = dir.join(&name);
        let mut w = AtomicFile::create(&path).map_err(io_err(&path))?;
        w.write_all(header(graph, &[":START_ID", ":END_ID", ":TYPE"], cols).as_bytes())
            .map_err(io_err(&path))?;
        for (i, id) in rel_ids.iter().enumerate() {
            if rels.file_of.get(i) != Some(&f) {
                continue;
            }
            let (Some(d), Some((a, b))) = (inner.edge_weight(id.ix()), inner.edge_endpoints(id.ix())) else {
                continue;
            };
            let at = |n| {
                position
                    .get(&NodeId::from_ix(n))
                    .copied()
                    .unwrap_or(0)
                    .to_string()
            };
            structural.clear();
            structural.push(at(a));
            structural.push(at(b));
            structural.push(graph.symbols.type_name(d.ty).to_owned());
            row(&mut line, &structural, cols, &d.props, delimiter);
            w.write_all(line.as_bytes()).map_err(io_err(&path))?;
            super::progress::export_item();
        }
        w.commit().map_err(io_err(&path))?;
        let _ = write!(command, " --relationships={name}");
    }
    let text = format!(
        "# Run from this directory, with the database stopped (Neo4j 5; it replaces the database):\n\
         {command} neo4j\n"
    );
    let path = dir.join(COMMAND_FILE);
    let mut w = AtomicFile::create(&path).map_err(io_err(&path))?;
    w.write_all(text.as_bytes()).map_err(io_err(&path))?;
    w.commit().map_err(io_err(&path))
}
