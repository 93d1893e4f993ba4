//! Export for Kùzu and Ladybug: one CSV file per node table (label) and per relationship
//! (type, start label, end label), and `schema.cypher`, a script of `CREATE NODE TABLE`,
//! `CREATE REL TABLE` and `COPY ... FROM` statements over those files.
//!
//! Kùzu's tables are typed, so the rules of the CSV export apply per table (one label per
//! node, one type per column); names with back-quotes are refused. Kùzu's list syntax
//! (`[a,b]`) cannot hold elements with commas, brackets or quotes, so list columns are
//! written joined with a separator that no element of the column contains and loaded through
//! `COPY ... FROM (LOAD WITH HEADERS ... RETURN string_split(..))`.

use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use super::csv::{columns, csv_io_err, csv_writer, finish_csv, io_err, push_props, ColType, Scalar};
use super::error::{ExportError, ExportItem};
use super::file::AtomicFile;
use crate::graph::{Graph, KeyId, LabelId, NodeId, Props, RelId, TypeId, Value};

fn kuzu_type(t: ColType) -> String {
    let s = match t.scalar {
        Scalar::String => "STRING",
        Scalar::Int => "INT64",
        Scalar::Float => "DOUBLE",
        Scalar::Bool => "BOOLEAN",
        Scalar::Date => "DATE",
        // Kùzu has no types for these with Cypher's meaning: they travel as their ISO text.
        Scalar::LocalTime | Scalar::Time | Scalar::LocalDateTime | Scalar::DateTime | Scalar::Duration => {
            "STRING"
        }
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

/// Separators tried, in order, for the list columns: Kùzu's own list syntax cannot hold
/// elements with commas, brackets or quotes, so lists are written joined with a separator no
/// element of the column contains and split again on load (`string_split`).
const SEPARATORS: [char; 8] = ['|', '¦', '§', '¤', '¶', '‖', '␟', '⁞'];

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
        let strings: Vec<&str> = match v {
            Value::String(s) => vec![&**s],
            Value::List(items) => items.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        };
        *newlines |= strings.iter().any(|s| s.contains(['\n', '\r']));
    }
    Ok(())
}

/// The separator for one list column: the first that no element contains.
fn separator<'a>(
    graph: &Graph,
    key: KeyId,
    items: impl Iterator<Item = (ExportItem, &'a Props)>,
) -> Result<char, ExportError> {
    let mut free = SEPARATORS.to_vec();
    let mut last = None;
    for (item, props) in items {
        if let Some(Value::List(elements)) = props.get(key) {
            for e in elements {
                if let Value::String(s) = e {
                    free.retain(|c| !s.contains(*c));
                }
            }
            last = Some(item);
            if free.is_empty() {
                break;
            }
        }
    }
    match (free.first(), last) {
        (Some(c), _) => Ok(*c),
        (None, Some(item)) => Err(ExportError::Unrepresentable {
            item,
            key: graph.symbols.key_name(key).to_owned(),
            reason: "a list whose elements contain every separator Kùzu's loader could split on",
        }),
        (None, None) => Ok('|'),
    }
}

/// Per column: the separator of a list column, `None` for a scalar one.
fn separators<'a>(
    graph: &Graph,
    cols: &[(KeyId, ColType)],
    items: &dyn Fn() -> Vec<(ExportItem, &'a Props)>,
) -> Result<Vec<Option<char>>, ExportError> {
    cols.iter()
        .map(|(k, t)| {
            if t.list {
                separator(graph, *k, items().into_iter()).map(Some)
            } else {
                Ok(None)
            }
        })
        .collect()
}

/// The primary-key column of a node table: `id`, unless a property already has that name.
fn primary_key(graph: &Graph, cols: &[(KeyId, ColType)]) -> String {
    let taken = |name: &str| cols.iter().any(|(k, _)| graph.symbols.key_name(*k) == name);
    let mut name = "id".to_owned();
    let mut n = 0;
    while taken(&name) {
        n += 1;
        name = format!("kgraph_id{n}");
    }
    name
}

/// One table's load statement: a plain `COPY` when no column is a list, else a `COPY` from a
/// `LOAD WITH HEADERS` subquery that splits the list columns.
/// What `copy_statement` loads: a table, its file, its structural and property columns.
struct Load<'a> {
    table: &'a str,
    file: &'a Path,
    structural: &'a [(&'a str, &'a str)],
    cols: &'a [(KeyId, ColType)],
    seps: &'a [Option<char>],
}

fn copy_statement(graph: &Graph, load: &Load<'_>, options: &str, pair: &str) -> String {
    let Load {
        table,
        file,
        structural,
        cols,
        seps,
    } = *load;
    if seps.iter().all(Option::is_none) {
        return format!("COPY {table} FROM {} ({options}{pair});\n", path_literal(file));
    }
    let mut headers: Vec<String> = structural
        .iter()
        .map(|(n, t)| format!("{} {t}", ident(n)))
        .collect();
    let mut returns: Vec<String> = structural.iter().map(|(n, _)| ident(n)).collect();
    for ((k, t), sep) in cols.iter().zip(seps) {
        let name = ident(graph.symbols.key_name(*k));
        match sep {
            Some(sep) => {
                headers.push(format!("{name} STRING"));
                let split = format!("string_split({name}, '{sep}')");
                returns.push(if t.scalar == Scalar::String {
                    split
                } else {
                    format!("CAST({split} AS {})", kuzu_type(*t))
                });
            }
            None => {
                headers.push(format!("{name} {}", kuzu_type(*t)));
                returns.push(name);
            }
        }
    }
    let pair = pair.trim_start_matches(", ");
    let pair = if pair.is_empty() {
        String::new()
    } else {
        format!(" ({pair})")
    };
    format!(
        "COPY {table} FROM (LOAD WITH HEADERS ({}) FROM {} ({options}) RETURN {}){pair};\n",
        headers.join(", "),
        path_literal(file),
        returns.join(", ")
    )
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
    super::progress::export_begin((graph.node_count() + graph.relationship_count()) as u64);
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
        let items = || {
            ids.iter()
                .filter_map(|id| {
                    inner
                        .node_weight(id.ix())
                        .map(|d| (ExportItem::Node(*id), &d.props))
                })
                .collect::<Vec<_>>()
        };
        let seps = separators(graph, cols, &items)?;
        let joined: Vec<char> = seps.iter().map(|s| s.unwrap_or(';')).collect();
        let name = ident(graph.symbols.label_name(*label));
        let pk = primary_key(graph, cols);
        let mut defs = vec![format!("{} INT64", ident(&pk))];
        defs.extend(
            cols.iter()
                .map(|(k, t)| format!("{} {}", ident(graph.symbols.key_name(*k)), kuzu_type(*t))),
        );
        schema.push_str(&format!(
            "CREATE NODE TABLE {name}({}, PRIMARY KEY ({}));\n",
            defs.join(", "),
            ident(&pk)
        ));
        let file = abs.join(format!("node_{}.csv", label.index()));
        let mut w = csv_writer(&file)?;
        let header: Vec<String> = std::iter::once(pk.clone())
            .chain(cols.iter().map(|(k, _)| graph.symbols.key_name(*k).to_owned()))
            .collect();
        w.write_record(&header).map_err(csv_io_err(&file))?;
        for id in ids {
            let Some(d) = inner.node_weight(id.ix()) else {
                continue;
            };
            row.clear();
            row.push(id.index().to_string());
            push_props(&mut row, cols, &d.props, &joined, &mut buf);
            w.write_record(&row).map_err(csv_io_err(&file))?;
            super::progress::export_item();
        }
        finish_csv(w, &file)?.commit().map_err(io_err(&file))?;
        let load = Load {
            table: &name,
            file: &file,
            structural: &[(&pk, "INT64")],
            cols,
            seps: &seps,
        };
        copies.push_str(&copy_statement(graph, &load, options, ""));
    }

    for (ty, groups) in &rels {
        let cols = rel_cols.get(ty).map_or(&[][..], Vec::as_slice);
        let items = || {
            groups
                .values()
                .flatten()
                .filter_map(|id| {
                    inner
                        .edge_weight(id.ix())
                        .map(|d| (ExportItem::Relationship(*id), &d.props))
                })
                .collect::<Vec<_>>()
        };
        let seps = separators(graph, cols, &items)?;
        let joined: Vec<char> = seps.iter().map(|s| s.unwrap_or(';')).collect();
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
                push_props(&mut row, cols, &d.props, &joined, &mut buf);
                w.write_record(&row).map_err(csv_io_err(&file))?;
                super::progress::export_item();
            }
            finish_csv(w, &file)?.commit().map_err(io_err(&file))?;
            let pair = if groups.len() > 1 {
                format!(
                    ", from='{}', to='{}'",
                    graph.symbols.label_name(*a),
                    graph.symbols.label_name(*b)
                )
            } else {
                String::new()
            };
            let load = Load {
                table: &name,
                file: &file,
                structural: &[("from", "INT64"), ("to", "INT64")],
                cols,
                seps: &seps,
            };
            copies.push_str(&copy_statement(graph, &load, options, &pair));
        }
    }
    schema.push_str(&copies);
    let script = abs.join("schema.cypher");
    let mut w = AtomicFile::create(&script).map_err(io_err(&script))?;
    w.write_all(schema.as_bytes()).map_err(io_err(&script))?;
    w.commit().map_err(io_err(&script))
}
