//! Damaged, foreign and future snapshots are refused with their own typed errors, never a
//! panic; the committed fixtures of every format version still open with exactly their
//! contents.
//!
//! `KGRAPH_WRITE_FIXTURES=1 cargo test --test snapshot_damage` rewrites the fixture of the
//! current version, `tests/data/v2.kgs` (only ever do that together with a new format version:
//! old fixtures must stay).
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod common;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use common::{dump, fixture_graph, fixture_map_props};
use kgraph::{Graph, GraphError, SnapshotError, Value};
use xxhash_rust::xxh3::xxh3_64;

const MAGIC: &[u8; 8] = b"\x89KGS\r\n\x1a\n";
const HEADER_LEN: usize = 40;
/// The version this build writes.
const CURRENT: u32 = 2;

fn fixture_path(version: u32) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("tests/data/v{version}.kgs"))
}

fn saved_bytes(g: &Graph) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("g.kgs");
    g.save(&path).unwrap();
    std::fs::read(&path).unwrap()
}

thread_local! {
    /// One directory per test thread: thousands of opens need no directory each.
    static DIR: tempfile::TempDir = tempfile::tempdir().unwrap();
}

/// Opens `bytes` as a file; the error, or a panic if it opened.
fn open_err(bytes: &[u8]) -> SnapshotError {
    let path = DIR.with(|d| d.path().join("damaged.kgs"));
    std::fs::write(&path, bytes).unwrap();
    match Graph::open(&path) {
        Ok(_) => panic!("a damaged file of {} bytes opened", bytes.len()),
        Err(e) => {
            assert_eq!(e.path(), path.as_path(), "the error names the file");
            assert!(!e.to_string().is_empty());
            e
        }
    }
}

#[test]
fn write_fixture_when_asked() {
    if std::env::var("KGRAPH_WRITE_FIXTURES").as_deref() != Ok("1") {
        return;
    }
    let path = fixture_path(CURRENT);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    fixture_graph().save(&path).unwrap();
}

/// Opens the fixture of `version` and checks every fact of the fixture graph.
fn check_fixture(version: u32) {
    let g = Graph::open(fixture_path(version))
        .unwrap_or_else(|e| panic!("tests/data/v{version}.kgs does not open: {e}"));
    let mut expected = dump(&fixture_graph());
    // Versions 1 and 2 were written while maps were property values; they keep them.
    if version <= 2 {
        for (id, _, props) in &mut expected.nodes {
            if *id == 3 {
                props.retain(|(k, _)| k != "nested");
                props.extend(fixture_map_props());
                props.sort_by(|a, b| a.0.cmp(&b.0));
            }
        }
    }
    assert_eq!(dump(&g), expected);

    // Explicit facts, so a change of the fixture graph itself cannot hide a regression.
    assert_eq!(g.nodes().map(|n| n.index()).collect::<Vec<_>>(), [0, 2, 3, 4]);
    assert_eq!(
        g.relationships().map(|r| r.index()).collect::<Vec<_>>(),
        [1, 2, 3, 4]
    );
    let pfizer = g.resolve("辉瑞中国").unwrap();
    assert_eq!(pfizer.index(), 0);
    assert_eq!(g.resolve("pfe").unwrap(), pfizer);
    assert_eq!(g.resolve("北京经开区").unwrap().index(), 2);
    let node = g.node(pfizer).unwrap();
    assert_eq!(node.labels().collect::<Vec<_>>(), ["Company", "Listed"]);
    assert_eq!(node.property("revenue"), Some(&Value::Float(5.8e10)));
    assert_eq!(node.property("founded"), Some(&common::date(1849, 1, 1)));
    let odd = g.node(kgraph::NodeId::from_index(3)).unwrap();
    assert!(matches!(odd.property("nan"), Some(Value::Float(x)) if x.is_nan()));
    assert!(matches!(odd.property("neg_zero"), Some(Value::Float(x)) if x.to_bits() == (-0.0f64).to_bits()));
    assert_eq!(odd.property("min"), Some(&Value::Int(i64::MIN)));
    assert_eq!(odd.property("empty"), Some(&Value::from("")));
    assert_eq!(
        g.label_counts(),
        vec![("Company", 1), ("Listed", 1), ("Place", 1), ("Thing", 1)]
    );
    let hosts = g.relationship(kgraph::RelId::from_index(4)).unwrap();
    assert_eq!(
        (hosts.rel_type(), hosts.start().index(), hosts.end().index()),
        ("HOSTS", 2, 0)
    );

    // The unique constraint survived.
    let mut g = g;
    let err = g.add_node(&["Company"], [("name", "Pfizer")]).unwrap_err();
    assert!(matches!(err, GraphError::ConstraintViolation { .. }), "{err}");
}

#[test]
fn fixture_v1_opens_with_exactly_its_contents() {
    check_fixture(1);
    assert_eq!(std::fs::read(fixture_path(1)).unwrap()[8], 1);
}

#[test]
fn fixture_v2_opens_with_exactly_its_contents() {
    check_fixture(2);
    // This build still writes version 2 byte for byte; if not, bump the format version and
    // add a new fixture beside this one. (The fixture's graph as opened: it holds maps, which
    // the graph API no longer builds.)
    assert_eq!(
        saved_bytes(&Graph::open(fixture_path(CURRENT)).unwrap()),
        std::fs::read(fixture_path(CURRENT)).unwrap(),
        "the writer's output changed: bump FORMAT_VERSION, document it, keep the old fixtures and add one"
    );
}

/// What each damage test damages: the current writer's output and every older fixture.
fn every_version_bytes() -> Vec<Vec<u8>> {
    let mut all = vec![saved_bytes(&fixture_graph())];
    for version in 1..CURRENT {
        all.push(std::fs::read(fixture_path(version)).unwrap());
    }
    all
}

#[test]
fn every_truncation_is_refused() {
    for bytes in every_version_bytes() {
        every_truncation_of(&bytes);
    }
}

fn every_truncation_of(bytes: &[u8]) {
    assert!(bytes.len() > HEADER_LEN);
    for len in 0..bytes.len() {
        let err = open_err(&bytes[..len]);
        match (len, &err) {
            (0, SnapshotError::Empty { .. }) => {}
            (1.., SnapshotError::Truncated { expected, actual, .. }) => {
                assert_eq!(*actual, len as u64);
                assert!(*expected > *actual);
            }
            _ => panic!("truncation to {len} bytes gave {err:?}"),
        }
        assert!(err.is_damage());
    }
}

#[test]
fn every_bit_flip_is_refused() {
    for bytes in every_version_bytes() {
        every_bit_flip_of(&bytes);
    }
}

fn every_bit_flip_of(bytes: &[u8]) {
    for at in 0..bytes.len() {
        for bit in 0..8 {
            let mut damaged = bytes.to_vec();
            damaged[at] ^= 1 << bit;
            let err = open_err(&damaged);
            let ok = match at {
                0..=7 => matches!(err, SnapshotError::NotASnapshot { .. }),
                // The version: a newer one, or the non-existent version 0.
                8..=11 => matches!(
                    err,
                    SnapshotError::FutureVersion { .. } | SnapshotError::Corrupt { .. }
                ),
                12..=39 => matches!(err, SnapshotError::ChecksumMismatch { region: "header", .. }),
                _ => matches!(
                    err,
                    SnapshotError::ChecksumMismatch {
                        region: "payload",
                        ..
                    }
                ),
            };
            assert!(ok, "bit {bit} of byte {at} flipped gave {err:?}");
            assert!(err.is_damage());
        }
    }
}

#[test]
fn empty_foreign_and_future_files_get_their_own_errors() {
    assert!(matches!(open_err(b""), SnapshotError::Empty { .. }));
    let png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00";
    assert!(matches!(open_err(png), SnapshotError::NotASnapshot { .. }));
    assert!(matches!(
        open_err(b"id:ID,label:LABEL\n0,Company\n"),
        SnapshotError::NotASnapshot { .. }
    ));
    assert!(matches!(
        open_err(b"{\"node\":{}}\n"),
        SnapshotError::NotASnapshot { .. }
    ));

    // A future version, with a consistent header: refused as such, not as damage of ours.
    let mut future = saved_bytes(&fixture_graph());
    future[8..12].copy_from_slice(&(CURRENT + 1).to_le_bytes());
    let sum = xxh3_64(&future[..32]);
    future[32..40].copy_from_slice(&sum.to_le_bytes());
    match open_err(&future) {
        SnapshotError::FutureVersion {
            version,
            supported: CURRENT,
            ..
        } if version == CURRENT + 1 => {}
        other => panic!("{other:?}"),
    }

    // Flags this version does not define, with a consistent header (bit 0 announces the
    // schema section; bit 1 means nothing yet).
    let mut flagged = saved_bytes(&fixture_graph());
    // (Bits 0 and 1 are defined: a schema section, names unique graph-wide; bit 2 is not.)
    flagged[12..16].copy_from_slice(&4u32.to_le_bytes());
    let sum = xxh3_64(&flagged[..32]);
    flagged[32..40].copy_from_slice(&sum.to_le_bytes());
    assert!(matches!(
        open_err(&flagged),
        SnapshotError::UnknownFlags { flags: 4, .. }
    ));
    // Bit 0 without the section it announces: the payload ends too early.
    let mut flagged = saved_bytes(&fixture_graph());
    flagged[12..16].copy_from_slice(&1u32.to_le_bytes());
    let sum = xxh3_64(&flagged[..32]);
    flagged[32..40].copy_from_slice(&sum.to_le_bytes());
    assert!(open_err(&flagged).is_damage());

    // Bytes appended after the payload.
    let mut longer = saved_bytes(&fixture_graph());
    longer.extend_from_slice(b"tail");
    assert!(matches!(open_err(&longer), SnapshotError::LengthMismatch { .. }));

    // A missing file is an I/O error, not damage.
    let dir = tempfile::tempdir().unwrap();
    let err = Graph::open(dir.path().join("missing.kgs")).unwrap_err();
    assert!(matches!(err, SnapshotError::Io { .. }) && !err.is_damage());
}

// ---- hand-made payloads with valid checksums: the decoder validates what it decodes ----

fn varint(n: u64, out: &mut Vec<u8>) {
    if n < 251 {
        out.push(n as u8);
    } else if n <= u64::from(u16::MAX) {
        out.push(251);
        out.extend_from_slice(&(n as u16).to_le_bytes());
    } else if n <= u64::from(u32::MAX) {
        out.push(252);
        out.extend_from_slice(&(n as u32).to_le_bytes());
    } else {
        out.push(253);
        out.extend_from_slice(&n.to_le_bytes());
    }
}

fn string(s: &str, out: &mut Vec<u8>) {
    varint(s.len() as u64, out);
    out.extend_from_slice(s.as_bytes());
}

/// A header (docs/snapshot-format.md) of `version` around `payload`.
fn snapshot(version: u32, payload: &[u8]) -> Vec<u8> {
    let mut out = MAGIC.to_vec();
    out.extend_from_slice(&version.to_le_bytes());
    out.extend_from_slice(&0u32.to_le_bytes());
    out.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    out.extend_from_slice(&xxh3_64(payload).to_le_bytes());
    let sum = xxh3_64(&out);
    out.extend_from_slice(&sum.to_le_bytes());
    out.extend_from_slice(payload);
    out
}

/// Encoded properties: (key id, encoded value).
type RawProps = Vec<(u64, Vec<u8>)>;

/// A payload of version 1 or 2: symbol tables, (version 2) the string table, nodes (id, labels,
/// props), relationships (id, start, end, type, props), constraints; property values are given
/// already encoded.
struct Payload {
    version: u32,
    labels: Vec<&'static str>,
    types: Vec<&'static str>,
    keys: Vec<&'static str>,
    strings: Vec<String>,
    nodes: Vec<(u64, Vec<u64>, RawProps)>,
    rels: Vec<(u64, u64, u64, u64, RawProps)>,
    constraints: Vec<(u64, u64)>,
}

impl Payload {
    /// One node `(:A {name: 'x'})` and a loop `[:T]` on it.
    fn valid(version: u32) -> Payload {
        let mut p = Payload {
            version,
            labels: vec!["A"],
            types: vec!["T"],
            keys: vec!["name"],
            strings: Vec::new(),
            nodes: Vec::new(),
            rels: vec![(0, 0, 0, 0, vec![])],
            constraints: vec![],
        };
        let x = p.str_value("x");
        p.nodes.push((0, vec![0], vec![(0, x)]));
        p
    }

    /// A string value: inline in version 1, its number in the string table (added if new) in
    /// version 2.
    fn str_value(&mut self, s: &str) -> Vec<u8> {
        let mut out = vec![4];
        if self.version == 1 {
            string(s, &mut out);
        } else {
            let i = match self.strings.iter().position(|t| t == s) {
                Some(i) => i,
                None => {
                    self.strings.push(s.to_owned());
                    self.strings.len() - 1
                }
            };
            varint(i as u64, &mut out);
        }
        out
    }

    fn bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        for table in [&self.labels, &self.types, &self.keys] {
            varint(table.len() as u64, &mut out);
            for s in table {
                string(s, &mut out);
            }
        }
        if self.version >= 2 {
            varint(self.strings.len() as u64, &mut out);
            for s in &self.strings {
                string(s, &mut out);
            }
        }
        let props = |props: &[(u64, Vec<u8>)], out: &mut Vec<u8>| {
            varint(props.len() as u64, out);
            for (k, v) in props {
                varint(*k, out);
                out.extend_from_slice(v);
            }
        };
        let mut nodes = Vec::new();
        varint(self.nodes.len() as u64, &mut nodes);
        for (id, labels, p) in &self.nodes {
            varint(*id, &mut nodes);
            varint(labels.len() as u64, &mut nodes);
            for l in labels {
                varint(*l, &mut nodes);
            }
            props(p, &mut nodes);
        }
        let mut rels = Vec::new();
        varint(self.rels.len() as u64, &mut rels);
        for (id, s, e, t, p) in &self.rels {
            for n in [id, s, e, t] {
                varint(*n, &mut rels);
            }
            props(p, &mut rels);
        }
        if self.version == 1 {
            out.extend_from_slice(&nodes);
            out.extend_from_slice(&rels);
        } else {
            // The nodes as one byte string, the relationships as byte strings of blocks (one
            // here, none when there are no relationships).
            varint(nodes.len() as u64, &mut out);
            out.extend_from_slice(&nodes);
            if self.rels.is_empty() {
                varint(0, &mut out);
            } else {
                varint(1, &mut out);
                varint(rels.len() as u64, &mut out);
                out.extend_from_slice(&rels);
            }
        }
        varint(self.constraints.len() as u64, &mut out);
        for (l, k) in &self.constraints {
            varint(*l, &mut out);
            varint(*k, &mut out);
        }
        out
    }

    fn snapshot(&self) -> Vec<u8> {
        snapshot(self.version, &self.bytes())
    }
}

fn int_value(i: i64) -> Vec<u8> {
    let mut out = vec![2];
    varint(((i << 1) ^ (i >> 63)) as u64, &mut out);
    out
}

fn corrupt(p: &Payload) -> String {
    match open_err(&p.snapshot()) {
        SnapshotError::Corrupt { reason, .. } => reason,
        other => panic!("expected Corrupt, got {other:?}"),
    }
}

#[test]
fn the_documented_layout_is_what_save_writes() {
    let mut g = Graph::new();
    let a = g.add_node(&["A"], [("name", "x")]).unwrap();
    g.add_relationship(a, a, "T", Vec::<(&str, Value)>::new())
        .unwrap();
    assert_eq!(saved_bytes(&g), Payload::valid(CURRENT).snapshot());

    // The 33-byte payload of docs/snapshot-format.md.
    let documented: &[u8] = &[
        0x01, 0x01, 0x41, //
        0x01, 0x01, 0x54, //
        0x01, 0x04, 0x6E, 0x61, 0x6D, 0x65, //
        0x01, 0x01, 0x78, //
        0x08, 0x01, 0x00, 0x01, 0x00, 0x01, 0x00, 0x04, 0x00, //
        0x01, 0x06, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, //
        0x00,
    ];
    assert_eq!(Payload::valid(2).bytes(), documented);

    // Hand-made files of every version open.
    for version in 1..=CURRENT {
        let mut p = Payload::valid(version);
        p.keys.push("n");
        p.nodes[0].2.push((1, int_value(-300)));
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("hand.kgs");
        std::fs::write(&path, p.snapshot()).unwrap();
        let back = Graph::open(&path).unwrap();
        assert_eq!(back.node(a).unwrap().property("n"), Some(&Value::Int(-300)));
        assert_eq!(back.resolve("X").unwrap(), a);
    }
}

#[test]
fn repeated_strings_are_stored_once_and_shared_when_opened() {
    let mut g = Graph::new();
    let a = g.add_node(&["A"], [("name", "a")]).unwrap();
    let source = Value::from("a-source-document");
    let mut rels = Vec::new();
    for _ in 0..3 {
        rels.push(
            g.add_relationship(a, a, "T", [("source", source.clone())])
                .unwrap(),
        );
    }
    // Equal text in separate allocations, each held by more than one value.
    let other = Value::from("a-source-document");
    g.add_relationship(a, a, "T", [("source", other.clone()), ("copy", other)])
        .unwrap();
    let bytes = saved_bytes(&g);
    let text = b"a-source-document";
    assert_eq!(bytes.windows(text.len()).filter(|w| *w == text).count(), 1);

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shared.kgs");
    std::fs::write(&path, &bytes).unwrap();
    let back = Graph::open(&path).unwrap();
    let text_of = |r: kgraph::RelId| match back.relationship(r).unwrap().property("source") {
        Some(Value::String(s)) => Arc::clone(s),
        other => panic!("{other:?}"),
    };
    let first = text_of(rels[0]);
    assert_eq!(&*first, "a-source-document");
    for r in back.relationships() {
        assert!(Arc::ptr_eq(&first, &text_of(r)), "{r} holds its own copy");
    }
}

#[test]
fn decoded_inconsistencies_are_corrupt() {
    for version in 1..=CURRENT {
        decoded_inconsistencies_of(version);
    }
}

fn decoded_inconsistencies_of(version: u32) {
    let valid = || Payload::valid(version);
    let mut p = valid();
    p.rels[0].2 = 7;
    assert!(corrupt(&p).contains("endpoint 7"));

    let mut p = valid();
    p.nodes[0].1 = vec![3];
    assert!(corrupt(&p).contains("label 3"));

    let mut p = valid();
    p.nodes.push((0, vec![], vec![]));
    assert!(corrupt(&p).contains("not increasing"));

    let mut p = valid();
    p.rels[0].3 = 1;
    assert!(corrupt(&p).contains("type 1"));

    let mut p = valid();
    let y = p.str_value("y");
    p.nodes[0].2 = vec![(5, y)];
    assert!(corrupt(&p).contains("key 5"));

    let mut p = valid();
    p.labels = vec!["A", "A"];
    assert!(corrupt(&p).contains("twice"));

    let mut p = valid();
    p.keys = vec!["name", "k"];
    let (x, y) = (p.str_value("x"), p.str_value("y"));
    p.nodes[0].2 = vec![(1, y), (0, x)];
    assert!(corrupt(&p).contains("sorted"));

    let mut p = valid();
    p.constraints = vec![(0, 9)];
    assert!(corrupt(&p).contains("constraint"));

    // Two :A nodes with the same name under a unique constraint on it.
    let mut p = valid();
    let x = p.str_value("x");
    p.nodes.push((1, vec![0], vec![(0, x)]));
    p.constraints = vec![(0, 0)];
    assert!(corrupt(&p).contains("unique constraint"));

    // An unknown value tag, and a date out of range (version 1 held years -9999 to 9999 in
    // an i32; version 2 holds Neo4j's whole range in an i64: 10^12 days is past it).
    let mut p = valid();
    p.nodes[0].2 = vec![(0, vec![13])];
    assert!(corrupt(&p).contains("tag 13"));
    let mut p = valid();
    let mut d = vec![5];
    varint(
        if version == 1 {
            u64::from(u32::MAX)
        } else {
            2_000_000_000_000
        },
        &mut d,
    );
    p.nodes[0].2 = vec![(0, d)];
    assert!(corrupt(&p).contains("decode"));

    // Bytes left over after a complete payload.
    let mut bytes = valid().bytes();
    bytes.push(0);
    match open_err(&snapshot(version, &bytes)) {
        SnapshotError::Corrupt { reason, .. } => assert!(reason.contains("left over"), "{reason}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_string_number_outside_the_table_is_corrupt() {
    let mut p = Payload::valid(2);
    p.nodes[0].2 = vec![(0, vec![4, 1])];
    assert!(corrupt(&p).contains("not in the table"));
    // Invalid UTF-8 in the table.
    let mut p = Payload::valid(2);
    p.strings = vec!["\u{e9}".to_owned()];
    let mut bytes = p.bytes();
    let at = bytes.iter().position(|b| *b == 0xC3).unwrap();
    bytes[at] = 0xFF;
    match open_err(&snapshot(2, &bytes)) {
        SnapshotError::Corrupt { reason, .. } => assert!(reason.contains("UTF-8"), "{reason}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_damaged_length_cannot_ask_for_gigabytes() {
    for version in 1..=CURRENT {
        damaged_lengths_of(version);
    }
    // A string table claiming 2^40 entries.
    let p = Payload::valid(2);
    let mut bytes = p.bytes();
    let at = bytes.iter().position(|b| *b == b'e').unwrap() + 1; // after "name"
    bytes[at] = 253;
    bytes.splice(at + 1..at + 1, (1u64 << 40).to_le_bytes());
    let err = open_err(&snapshot(2, &bytes));
    assert!(matches!(err, SnapshotError::Corrupt { .. }), "{err:?}");
}

fn damaged_lengths_of(version: u32) {
    // A string claiming 2^40 bytes: refused by the allocation limit, nothing reserved.
    let mut p = Payload::valid(version);
    let mut v = vec![4];
    varint(1 << 40, &mut v);
    p.nodes[0].2 = vec![(0, v)];
    assert!(corrupt(&p).contains("decode"));

    // A list claiming 2^60 elements: it ends with the payload.
    let mut p = Payload::valid(version);
    let mut v = vec![6];
    varint(1 << 60, &mut v);
    p.nodes[0].2 = vec![(0, v)];
    assert!(corrupt(&p).contains("decode"));

    // A node id near the top of the index space: its slots cannot be reserved.
    let mut p = Payload::valid(version);
    p.nodes[0].0 = u64::from(u32::MAX) - 1;
    p.rels.clear();
    let err = open_err(&p.snapshot());
    assert!(matches!(err, SnapshotError::Corrupt { .. }), "{err:?}");

    // Nesting deeper than the decoder allows: refused, not a stack overflow.
    let mut p = Payload::valid(version);
    let mut v = Vec::new();
    for _ in 0..100_000 {
        v.extend_from_slice(&[6, 1]);
    }
    v.extend_from_slice(&[0]);
    p.nodes[0].2 = vec![(0, v)];
    assert!(corrupt(&p).contains("nested"));
}
