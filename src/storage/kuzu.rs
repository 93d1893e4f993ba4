//! Export for Kùzu and Ladybug: one CSV file per node table (label) and per relationship
//! (type, start label, end label), and `schema.cypher`, a script of `CREATE NODE TABLE`,
//! `CREATE REL TABLE` and `COPY ... FROM` statements over those files.
//!
//! Kùzu's tables are typed, so the rules of the CSV export apply per table (one label per
//! node, one type per column), plus what Kùzu's CSV reader cannot read back: non-finite
//! floats, list elements with brackets, commas or quotes, names with back-quotes.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use super::csv::{columns, csv_io_err, csv_writer, io_err, push_props, ColType, ListStyle, Scalar};
use super::error::{ExportError, ExportItem};
use crate::graph::{Graph, KeyId, LabelId, NodeId, Props, RelId, TypeId, Value};

fn kuzu_type(t: ColType) -> String {
    let s = match t.scalar {
        Scalar::String => "STRING",
        Scalar::Int => "INT64",
        Scalar::Float => "DOUBLE",
        Scalar::Bool => "BOOLEAN",
        Scalar::Date => "DATE",
    };
    if t.list {
        format!("{s}[]")
    } else {
        s.to_owned()
    }
}

fn ident(name: &str) -> String {
    format!("`{name}`")
}

/// Kùzu's own limits on top of the CSV format's.
fn check_value(v: &Value) -> Result<(), &'static str> {
    match v {
        Value::Float(x) if !x.is_finite() => Err("a non-finite float, which Kùzu's CSV reader does not read"),
        Value::List(items) => {
            for item in items {
                check_value(item)?;
                if let Value::String(s) = item {
                    if s.contains([',', '[', ']', '{', '}', '\'', '"', '\\', '\n', '\r']) || s.trim() != &**s
                    {
                        return Err("a list element that Kùzu's list syntax cannot hold");
                    }
                }
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

fn check_props(
    graph: &Graph,
    item: ExportItem,
    props: &Props,
    newlines: &mut bool,
) -> Result<(), ExportError> {
    for (k, v) in props.iter() {
        let key = graph.symbols.key_name(k);
        if key.contains('`') {
            return Err(ExportError::Unrepresentable {
                item,
                key: key.to_owned(),
                reason: "a key holding a back-quote",
            });
        }
        check_value(v).map_err(|reason| ExportError::Unrepresentable {
            item,
            key: key.to_owned(),
            reason,
        })?;
        if let Value::String(s) = v {
            *newlines |= s.contains(['\n', '\r']);
        }
    }
    Ok(())
}

fn name_check(item: ExportItem, name: &str, reason: &'static str) -> Result<(), ExportError> {
    if name.contains('`') {
        return Err(ExportError::Unrepresentable {
            item,
            key: String::new(),
            reason,
        });
    }
    Ok(())
}

fn path_literal(path: &Path) -> String {
    let text = path.to_string_lossy();
    let mut out = String::with_capacity(text.len() + 2);
    out.push('\'');
    for c in text.chars() {
        if c == '\'' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('\'');
    out
}

pub(crate) fn export(graph: &Graph, dir: &Path) -> Result<(), ExportError> {
    let inner = &graph.inner;
    let mut newlines = false;
    // Nodes by label.
    let mut tables: BTreeMap<LabelId, Vec<NodeId>> = BTreeMap::new();
    for ix in inner.node_indices() {
        let Some(d) = inner.node_weight(ix) else { continue };
        let id = NodeId::from_ix(ix);
        let [label] = d.labels.as_slice() else {
            return Err(ExportError::LabelCount {
                node: id,
                count: d.labels.len(),
            });
        };
        name_check(
            ExportItem::Node(id),
            graph.symbols.label_name(*label),
            "a label holding a back-quote",
        )?;
        check_props(graph, ExportItem::Node(id), &d.props, &mut newlines)?;
        tables.entry(*label).or_default().push(id);
    }
    // Relationships by type, then by (start label, end label).
    let mut rels: BTreeMap<TypeId, BTreeMap<(LabelId, LabelId), Vec<RelId>>> = BTreeMap::new();
    for ix in inner.edge_indices() {
        let (Some(d), Some((a, b))) = (inner.edge_weight(ix), inner.edge_endpoints(ix)) else {
            continue;
        };
        let id = RelId::from_ix(ix);
        name_check(
            ExportItem::Relationship(id),
            graph.symbols.type_name(d.ty),
            "a type holding a back-quote",
        )?;
        check_props(graph, ExportItem::Relationship(id), &d.props, &mut newlines)?;
        let label = |n| inner.node_weight(n).and_then(|d| d.labels.first().copied());
        if let (Some(la), Some(lb)) = (label(a), label(b)) {
            rels.entry(d.ty)
                .or_default()
                .entry((la, lb))
                .or_default()
                .push(id);
        }
    }

    let mut node_cols: BTreeMap<LabelId, Vec<(KeyId, ColType)>> = BTreeMap::new();
    for (label, ids) in &tables {
        let scope = format!("nodes labelled {}", graph.symbols.label_name(*label));
        let items = ids.iter().filter_map(|id| {
            inner
                .node_weight(id.ix())
                .map(|d| (ExportItem::Node(*id), &d.props))
        });
        node_cols.insert(*label, columns(graph, items, &scope)?);
    }
    let mut rel_cols: BTreeMap<TypeId, Vec<(KeyId, ColType)>> = BTreeMap::new();
    for (ty, groups) in &rels {
        let scope = format!("relationships of type {}", graph.symbols.type_name(*ty));
        let items = groups.values().flatten().filter_map(|id| {
            inner
                .edge_weight(id.ix())
                .map(|d| (ExportItem::Relationship(*id), &d.props))
        });
        rel_cols.insert(*ty, columns(graph, items, &scope)?);
    }

    fs::create_dir_all(dir).map_err(io_err(dir))?;
    let abs: PathBuf = dir.canonicalize().map_err(io_err(dir))?;
    let options = if newlines {
        "header=true, parallel=false"
    } else {
        "header=true"
    };
    let mut schema = String::new();
    let mut copies = String::new();
    let mut row = Vec::new();
    let mut buf = String::new();

    for (label, ids) in &tables {
        let cols = node_cols.get(label).map_or(&[][..], Vec::as_slice);
        let name = ident(graph.symbols.label_name(*label));
        let mut defs = vec!["`_id` INT64".to_owned()];
        defs.extend(
            cols.iter()
                .map(|(k, t)| format!("{} {}", ident(graph.symbols.key_name(*k)), kuzu_type(*t))),
        );
        schema.push_str(&format!(
            "CREATE NODE TABLE {name}({}, PRIMARY KEY (`_id`));\n",
            defs.join(", ")
        ));
        let file = abs.join(format!("node_{}.csv", label.index()));
        let mut w = csv_writer(&file)?;
        let header: Vec<String> = std::iter::once("_id".to_owned())
            .chain(cols.iter().map(|(k, _)| graph.symbols.key_name(*k).to_owned()))
            .collect();
        w.write_record(&header).map_err(csv_io_err(&file))?;
        for id in ids {
            let Some(d) = inner.node_weight(id.ix()) else {
                continue;
            };
            row.clear();
            row.push(id.index().to_string());
            push_props(&mut row, cols, &d.props, ListStyle::Brackets, &mut buf);
            w.write_record(&row).map_err(csv_io_err(&file))?;
        }
        w.flush().map_err(io_err(&file))?;
        copies.push_str(&format!(
            "COPY {name} FROM {} ({options});\n",
            path_literal(&file)
        ));
    }

    for (ty, groups) in &rels {
        let cols = rel_cols.get(ty).map_or(&[][..], Vec::as_slice);
        let name = ident(graph.symbols.type_name(*ty));
        let mut defs: Vec<String> = groups
            .keys()
            .map(|(a, b)| {
                format!(
                    "FROM {} TO {}",
                    ident(graph.symbols.label_name(*a)),
                    ident(graph.symbols.label_name(*b))
                )
            })
            .collect();
        defs.extend(
            cols.iter()
                .map(|(k, t)| format!("{} {}", ident(graph.symbols.key_name(*k)), kuzu_type(*t))),
        );
        schema.push_str(&format!("CREATE REL TABLE {name}({});\n", defs.join(", ")));
        for ((a, b), ids) in groups {
            let file = abs.join(format!("rel_{}_{}_{}.csv", ty.index(), a.index(), b.index()));
            let mut w = csv_writer(&file)?;
            let header: Vec<String> = ["from".to_owned(), "to".to_owned()]
                .into_iter()
                .chain(cols.iter().map(|(k, _)| graph.symbols.key_name(*k).to_owned()))
                .collect();
            w.write_record(&header).map_err(csv_io_err(&file))?;
            for id in ids {
                let (Some(d), Some((s, e))) = (inner.edge_weight(id.ix()), inner.edge_endpoints(id.ix()))
                else {
                    continue;
                };
                row.clear();
                row.push(s.index().to_string());
                row.push(e.index().to_string());
                push_props(&mut row, cols, &d.props, ListStyle::Brackets, &mut buf);
                w.write_record(&row).map_err(csv_io_err(&file))?;
            }
            w.flush().map_err(io_err(&file))?;
            let pair = if groups.len() > 1 {
                format!(
                    ", from='{}', to='{}'",
                    graph.symbols.label_name(*a),
                    graph.symbols.label_name(*b)
                )
            } else {
                String::new()
            };
            copies.push_str(&format!(
                "COPY {name} FROM {} ({options}{pair});\n",
                path_literal(&file)
            ));
        }
    }
    schema.push_str(&copies);
    let script = abs.join("schema.cypher");
    fs::write(&script, schema).map_err(io_err(&script))
}
