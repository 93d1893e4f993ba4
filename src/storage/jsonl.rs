//! JSON Lines import and export (`docs/jsonl-format.md`): one node or relationship per line,
//! values in the adapter protocol's encoding (the serde form of `Value`).

use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};

use serde::ser::SerializeMap;
use serde::{Deserialize, Serialize, Serializer};

use super::csv::{io_err, NodeRow, RelRow};
use super::error::{ExportError, ExportItem, ImportError, ImportErrorKind};
use super::file::AtomicFile;
use crate::graph::bulk::Storage;
use crate::graph::{Graph, KeyId, LabelId, NodeData, NodeId, Props, RelData, RelId, Symbols, Value};

// ---- export ------------------------------------------------------------------------------

struct PropsJson<'a>(&'a Graph, &'a Props);

impl Serialize for PropsJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let pairs = self.1.as_slice();
        let mut map = s.serialize_map(Some(pairs.len()))?;
        for (k, v) in pairs {
            map.serialize_entry(self.0.symbols.key_name(*k), v)?;
        }
        map.end()
    }
}

#[derive(Serialize)]
struct NodeOut<'a> {
    id: u32,
    labels: Vec<&'a str>,
    properties: PropsJson<'a>,
}

#[derive(Serialize)]
struct RelOut<'a> {
    start: u32,
    end: u32,
    #[serde(rename = "type")]
    ty: &'a str,
    properties: PropsJson<'a>,
}

#[derive(Serialize)]
struct ConstraintOut<'a> {
    label: &'a str,
    key: &'a str,
}

#[derive(Serialize)]
enum LineOut<'a> {
    #[serde(rename = "node")]
    Node(NodeOut<'a>),
    #[serde(rename = "relationship")]
    Relationship(RelOut<'a>),
    #[serde(rename = "constraint")]
    Constraint(ConstraintOut<'a>),
}

/// Refuses a map (which only an old snapshot can still hold): maps are not property values.
fn check(graph: &Graph, item: ExportItem, props: &Props) -> Result<(), ExportError> {
    for (k, v) in props.iter() {
        if v.contains_map() {
            return Err(ExportError::Unrepresentable {
                item,
                key: graph.symbols.key_name(k).to_owned(),
                reason: "a map, which is not a property value",
            });
        }
    }
    Ok(())
}

pub(crate) fn export(graph: &Graph, path: &Path) -> Result<(), ExportError> {
    super::progress::export_begin((graph.node_count() + graph.relationship_count()) as u64);
    let inner = &graph.inner;
    for ix in inner.node_indices() {
        if let Some(d) = inner.node_weight(ix) {
            check(graph, ExportItem::Node(NodeId::from_ix(ix)), &d.props)?;
        }
    }
    for ix in inner.edge_indices() {
        if let Some(d) = inner.edge_weight(ix) {
            check(graph, ExportItem::Relationship(RelId::from_ix(ix)), &d.props)?;
        }
    }
    // A temporary file beside the target, renamed over it once whole.
    let mut w = AtomicFile::create(path).map_err(io_err(path))?;
    let to_io = |e: serde_json::Error| ExportError::Io {
        path: path.to_owned(),
        source: e.into(),
    };
    let inner = &graph.inner;
    for ix in inner.node_indices() {
        let Some(data) = inner.node_weight(ix) else {
            continue;
        };
        let line = LineOut::Node(NodeOut {
            id: ix.index() as u32,
            labels: data.labels.iter().map(|l| graph.symbols.label_name(*l)).collect(),
            properties: PropsJson(graph, &data.props),
        });
        serde_json::to_writer(&mut w, &line).map_err(to_io)?;
        w.write_all(b"\n").map_err(io_err(path))?;
        super::progress::export_item();
    }
    for ix in inner.edge_indices() {
        let (Some(data), Some((a, b))) = (inner.edge_weight(ix), inner.edge_endpoints(ix)) else {
            continue;
        };
        let line = LineOut::Relationship(RelOut {
            start: a.index() as u32,
            end: b.index() as u32,
            ty: graph.symbols.type_name(data.ty),
            properties: PropsJson(graph, &data.props),
        });
        serde_json::to_writer(&mut w, &line).map_err(to_io)?;
        w.write_all(b"\n").map_err(io_err(path))?;
        super::progress::export_item();
    }
    for (l, k) in graph.constraint_pairs() {
        let line = LineOut::Constraint(ConstraintOut {
            label: graph.symbols.label_name(l),
            key: graph.symbols.key_name(k),
        });
        serde_json::to_writer(&mut w, &line).map_err(to_io)?;
        w.write_all(b"\n").map_err(io_err(path))?;
    }
    w.commit().map_err(io_err(path))
}

// ---- import ------------------------------------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NodeIn {
    id: u64,
    #[serde(default)]
    labels: Vec<String>,
    #[serde(default)]
    properties: BTreeMap<String, Value>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RelIn {
    start: u64,
    end: u64,
    #[serde(rename = "type")]
    ty: String,
    #[serde(default)]
    properties: BTreeMap<String, Value>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConstraintIn {
    label: String,
    key: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
enum LineIn {
    #[serde(rename = "node")]
    Node(NodeIn),
    #[serde(rename = "relationship")]
    Relationship(RelIn),
    #[serde(rename = "constraint")]
    Constraint(ConstraintIn),
}

/// The character column of a byte offset (both from 1) in `text`.
fn char_column(text: &str, byte_column: usize) -> u64 {
    let upto = byte_column.saturating_sub(1).min(text.len());
    let mut end = upto;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].chars().count() as u64 + 1
}

fn props(symbols: &mut Symbols, raw: BTreeMap<String, Value>) -> Result<Props, ImportErrorKind> {
    let mut pairs = Vec::with_capacity(raw.len());
    for (k, v) in raw {
        if k.is_empty() {
            return Err(ImportErrorKind::BadRecord {
                message: "a property key cannot be empty".into(),
            });
        }
        if v.is_null() {
            continue;
        }
        super::check_imported(&v).map_err(|refusal| refusal.kind(&k))?;
        pairs.push((symbols.key(&k), v));
    }
    pairs.sort_unstable_by_key(|(k, _)| *k);
    Ok(Props::from_sorted(pairs))
}

/// One line of a JSON Lines file, parsed, with its symbols interned in the reader's table.
pub(crate) enum Item {
    Node(NodeRow),
    Rel(RelRow),
    Constraint { line: u64, label: LabelId, key: KeyId },
}

/// A JSON Lines file being read line by line: at most one line (and the read buffer) is held.
pub(crate) struct JsonlReader {
    path: PathBuf,
    reader: BufReader<File>,
    buf: Vec<u8>,
    line_no: u64,
    max_line: usize,
    read: u64,
    len: u64,
}

impl JsonlReader {
    /// The file.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// Opens the file; a line longer than `max_line` bytes (not counting its line break) is
    /// [`ImportError::LineTooLong`], after at most `max_line + 1` bytes of it were read.
    pub(crate) fn open(path: &Path, max_line: usize) -> Result<JsonlReader, ImportError> {
        let io_err = |source| ImportError::Io {
            path: path.to_owned(),
            source,
        };
        let file = File::open(path).map_err(io_err)?;
        let len = file.metadata().map_err(io_err)?.len();
        Ok(JsonlReader {
            path: path.to_owned(),
            reader: BufReader::with_capacity(1 << 16, file),
            buf: Vec::new(),
            line_no: 0,
            max_line,
            read: 0,
            len,
        })
    }

    /// The file's length in bytes.
    pub(crate) fn len(&self) -> u64 {
        self.len
    }

    /// The bytes read so far.
    pub(crate) fn position(&self) -> u64 {
        self.read
    }

    /// The number of the last line read.
    pub(crate) fn line(&self) -> u64 {
        self.line_no
    }

    fn err(&self, line: u64, column: u64, kind: ImportErrorKind) -> ImportError {
        ImportError::Malformed {
            path: self.path.clone(),
            line,
            column,
            kind,
        }
    }

    /// The next item; `None` at the end of the file. Blank lines are skipped.
    pub(crate) fn next(&mut self, symbols: &mut Symbols) -> Result<Option<Item>, ImportError> {
        loop {
            self.buf.clear();
            // At most one byte past the limit is read: enough to tell an over-long line.
            let n = Read::take(&mut self.reader, self.max_line as u64 + 1)
                .read_until(b'\n', &mut self.buf)
                .map_err(|source| ImportError::Io {
                    path: self.path.clone(),
                    source,
                })?;
            if n == 0 {
                return Ok(None);
            }
            self.read += n as u64;
            self.line_no += 1;
            let line_no = self.line_no;
            if self.buf.len() > self.max_line && self.buf.last() != Some(&b'\n') {
                return Err(ImportError::LineTooLong {
                    path: self.path.clone(),
                    line: line_no,
                    limit: self.max_line as u64,
                });
            }
            let text = match std::str::from_utf8(&self.buf) {
                Ok(t) => t,
                Err(e) => {
                    let valid = std::str::from_utf8(&self.buf[..e.valid_up_to()]).unwrap_or_default();
                    return Err(self.err(
                        line_no,
                        valid.chars().count() as u64 + 1,
                        ImportErrorKind::BadUtf8,
                    ));
                }
            };
            let text = text.strip_prefix('\u{feff}').unwrap_or(text);
            if text.trim().is_empty() {
                continue;
            }
            let record: LineIn = serde_json::from_str(text).map_err(|e| {
                let column = char_column(text, e.column());
                // serde_json appends " at line L column C", relative to this line only.
                let full = e.to_string();
                let message = match full.rfind(" at line ") {
                    Some(at) => full[..at].to_owned(),
                    None => full,
                };
                let kind = match e.classify() {
                    serde_json::error::Category::Data => ImportErrorKind::BadRecord { message },
                    _ => ImportErrorKind::BadJson { message },
                };
                self.err(line_no, column, kind)
            })?;
            let bad = |message: &str| {
                self.err(
                    line_no,
                    1,
                    ImportErrorKind::BadRecord {
                        message: message.to_owned(),
                    },
                )
            };
            return Ok(Some(match record {
                LineIn::Node(n) => {
                    let mut labels: Vec<LabelId> = Vec::with_capacity(n.labels.len());
                    for l in &n.labels {
                        if l.is_empty() {
                            return Err(bad("a label cannot be empty"));
                        }
                        labels.push(symbols.label(l));
                    }
                    labels.sort_unstable();
                    labels.dedup();
                    let props = props(symbols, n.properties).map_err(|kind| self.err(line_no, 1, kind))?;
                    Item::Node(NodeRow {
                        file_id: n.id,
                        line: line_no,
                        data: NodeData { labels, props },
                    })
                }
                LineIn::Relationship(r) => {
                    if r.ty.is_empty() {
                        return Err(bad("a relationship type cannot be empty"));
                    }
                    let ty = symbols.rel_type(&r.ty);
                    let props = props(symbols, r.properties).map_err(|kind| self.err(line_no, 1, kind))?;
                    Item::Rel(RelRow {
                        start: r.start,
                        end: r.end,
                        line: line_no,
                        data: RelData { ty, props },
                    })
                }
                LineIn::Constraint(c) => {
                    if c.label.is_empty() || c.key.is_empty() {
                        return Err(bad("a constraint needs a label and a key"));
                    }
                    Item::Constraint {
                        line: line_no,
                        label: symbols.label(&c.label),
                        key: symbols.key(&c.key),
                    }
                }
            }));
        }
    }
}

/// Reads a JSON Lines file into a new graph; a line longer than `max_line` bytes (not counting
/// its line break) is [`ImportError::LineTooLong`], after at most `max_line + 1` bytes of it
/// were read.
pub(crate) fn import(path: &Path, max_line: usize) -> Result<Graph, ImportError> {
    let mut reader = JsonlReader::open(path, max_line)?;
    let err = |line: u64, column: u64, kind: ImportErrorKind| ImportError::Malformed {
        path: path.to_owned(),
        line,
        column,
        kind,
    };
    let mut symbols = Symbols::default();
    let mut storage = Storage::default();
    // File id -> (node, line of its record).
    let mut ids: HashMap<u64, (NodeId, u64)> = HashMap::new();
    let mut rels: Vec<RelRow> = Vec::new();
    let mut constraints = Vec::new();
    while let Some(item) = reader.next(&mut symbols)? {
        match item {
            Item::Node(n) => {
                if let Some((_, first_line)) = ids.get(&n.file_id) {
                    return Err(err(
                        n.line,
                        1,
                        ImportErrorKind::DuplicateNodeId {
                            id: n.file_id.to_string(),
                            first_line: *first_line,
                        },
                    ));
                }
                let ix = storage.try_add_node(n.data).map_err(|_| {
                    err(
                        n.line,
                        1,
                        ImportErrorKind::BadRecord {
                            message: "more nodes than node ids".into(),
                        },
                    )
                })?;
                ids.insert(n.file_id, (NodeId::from_ix(ix), n.line));
            }
            Item::Rel(r) => rels.push(r),
            Item::Constraint { label, key, .. } => {
                if !constraints.contains(&(label, key)) {
                    constraints.push((label, key));
                }
            }
        }
    }
    let line_no = reader.line();
    // Relationships may come before their nodes: they are linked once every node is known.
    storage.reserve_edges(rels.len());
    for r in rels {
        let mut ends = [NodeId::from_index(0); 2];
        for (slot, id) in ends.iter_mut().zip([r.start, r.end]) {
            *slot = ids
                .get(&id)
                .map(|(n, _)| *n)
                .ok_or_else(|| err(r.line, 1, ImportErrorKind::UnknownNodeId { id: id.to_string() }))?;
        }
        storage
            .try_add_edge(ends[0].ix(), ends[1].ix(), r.data)
            .map_err(|_| {
                err(
                    r.line,
                    1,
                    ImportErrorKind::BadRecord {
                        message: "more relationships than ids".into(),
                    },
                )
            })?;
    }
    Graph::from_storage(storage, symbols, &constraints).map_err(|e| {
        err(
            line_no,
            1,
            ImportErrorKind::BadRecord {
                message: e.to_string(),
            },
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(text: &[u8]) -> tempfile::NamedTempFile {
        let mut f = tempfile::NamedTempFile::new().unwrap_or_else(|e| panic!("{e}"));
        f.write_all(text).unwrap_or_else(|e| panic!("{e}"));
        f
    }

    #[test]
    fn a_line_longer_than_the_limit_is_refused_with_its_number() {
        let node = br#"{"node":{"id":1,"labels":["A"]}}"#;
        // Padded with spaces (JSON white space) to exactly 100 bytes before its line break.
        let mut exact = node.to_vec();
        exact.resize(100, b' ');
        let mut text = exact.clone();
        text.push(b'\n');
        assert!(
            import(write(&text).path(), 100).is_ok(),
            "100 bytes is within a limit of 100"
        );
        text.extend_from_slice(&exact);
        text.extend_from_slice(b" \n");
        match import(write(&text).path(), 100) {
            Err(ImportError::LineTooLong {
                line: 2, limit: 100, ..
            }) => {}
            other => panic!("{other:?}"),
        }
        // The last line, without a line break, and an endless one, the same.
        let mut text = node.to_vec();
        text.push(b'\n');
        text.extend(std::iter::repeat_n(b'x', 10_000));
        let err = import(write(&text).path(), 100).err();
        assert!(
            matches!(err, Some(ImportError::LineTooLong { line: 2, .. })),
            "{err:?}"
        );
        assert_eq!(err.and_then(|e| e.line()), Some(2));
    }
}
