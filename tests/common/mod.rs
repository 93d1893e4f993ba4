//! Helpers shared by the storage tests: a canonical dump of a graph, and the fixed graph the
//! snapshot fixture is written from.
#![allow(dead_code, clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use kgraph::{Date, Graph, NodeId, Value};

/// A node: id, labels (sorted), properties (sorted by key).
pub type NodeRow = (u32, Vec<String>, Vec<(String, Value)>);
/// A relationship: id, start, end, type, properties (sorted by key).
pub type RelRow = (u32, u32, u32, String, Vec<(String, Value)>);

/// Everything observable of a graph through its public API, with ids.
#[derive(Clone, Debug, PartialEq)]
pub struct Dump {
    pub nodes: Vec<NodeRow>,
    pub rels: Vec<RelRow>,
    /// Label -> sorted node ids (the label index).
    pub labels: BTreeMap<String, Vec<u32>>,
    /// Every name, Chinese name and alias of every node -> sorted `lookup` result.
    pub names: BTreeMap<String, Vec<u32>>,
}

fn sorted_props<'a>(props: impl Iterator<Item = (&'a str, &'a Value)>) -> Vec<(String, Value)> {
    let mut v: Vec<(String, Value)> = props.map(|(k, v)| (k.to_owned(), v.clone())).collect();
    v.sort_by(|a, b| a.0.cmp(&b.0));
    v
}

fn name_strings(v: &Value) -> Vec<String> {
    match v {
        Value::String(s) => vec![s.to_string()],
        Value::List(items) => items
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        _ => Vec::new(),
    }
}

pub fn dump(g: &Graph) -> Dump {
    g.check_invariants().expect("the graph's invariants hold");
    let mut nodes = Vec::new();
    let mut names = BTreeMap::new();
    for id in g.nodes() {
        let n = g.node(id).unwrap();
        let mut labels: Vec<String> = n.labels().map(str::to_owned).collect();
        labels.sort();
        nodes.push((id.index(), labels, sorted_props(n.properties())));
        for key in ["name", "name_zh", "aliases"] {
            if let Some(v) = n.property(key) {
                for name in name_strings(v) {
                    let mut found: Vec<u32> = g.lookup(&name).iter().map(|n| n.index()).collect();
                    found.sort_unstable();
                    names.insert(name, found);
                }
            }
        }
    }
    let mut rels = Vec::new();
    for id in g.relationships() {
        let r = g.relationship(id).unwrap();
        rels.push((
            id.index(),
            r.start().index(),
            r.end().index(),
            r.rel_type().to_owned(),
            sorted_props(r.properties()),
        ));
    }
    let mut labels = BTreeMap::new();
    for (label, _) in g.label_counts() {
        let mut ids: Vec<u32> = g.nodes_with_label(label).map(NodeId::index).collect();
        ids.sort_unstable();
        labels.insert(label.to_owned(), ids);
    }
    Dump {
        nodes,
        rels,
        labels,
        names,
    }
}

/// The dump with node ids renumbered by `map` and relationship ids dropped (set to 0), rows
/// sorted: for formats that give items new ids.
pub fn renumbered(d: &Dump, map: &BTreeMap<u32, u32>) -> (Vec<NodeRow>, Vec<RelRow>) {
    let m = |id: &u32| *map.get(id).expect("every node is mapped");
    let mut nodes: Vec<NodeRow> = d
        .nodes
        .iter()
        .map(|(id, l, p)| (m(id), l.clone(), p.clone()))
        .collect();
    nodes.sort_by_key(|n| n.0);
    let mut rels: Vec<RelRow> = d
        .rels
        .iter()
        .map(|(_, s, e, t, p)| (0, m(s), m(e), t.clone(), p.clone()))
        .collect();
    rels.sort_by(|a, b| format!("{a:?}").cmp(&format!("{b:?}")));
    (nodes, rels)
}

/// Maps the i-th live node of `a` (in id order) to the i-th of `b`: importers create nodes in
/// file order, and the exporters write them in id order.
pub fn order_map(a: &Graph, b: &Graph) -> BTreeMap<u32, u32> {
    assert_eq!(a.node_count(), b.node_count(), "node counts differ");
    a.nodes()
        .map(NodeId::index)
        .zip(b.nodes().map(NodeId::index))
        .collect()
}

pub fn date(y: i32, m: u32, d: u32) -> Value {
    Value::Date(Date::from_ymd(y, m, d).unwrap())
}

/// The fixed graph of the fixture `tests/data/v1.kgs`: deletions (gaps in both id spaces),
/// several labels on a node, every value type (dates, NaN, infinities, -0.0, nested lists,
/// CJK text; the fixtures also hold maps, see `fixture_map_props`), the name index's three keys and a unique constraint.
pub fn fixture_graph() -> Graph {
    let mut g = Graph::new();
    let pfizer = g
        .add_node(
            &["Company", "Listed"],
            [
                ("name", Value::from("Pfizer")),
                ("name_zh", "辉瑞".into()),
                ("aliases", vec!["PFE", "辉瑞中国"].into()),
                ("founded", date(1849, 1, 1)),
                ("employees", Value::Int(83_000)),
                ("revenue", Value::Float(5.8e10)),
                ("public", Value::Bool(true)),
            ],
        )
        .unwrap();
    let gone = g.add_node(&["Company"], [("name", "Gone Ltd")]).unwrap();
    let beijing = g
        .add_node(
            &["Place"],
            [
                ("name", Value::from("Beijing E-Town")),
                ("name_zh", "北京经开区".into()),
                ("level", "district".into()),
            ],
        )
        .unwrap();
    let odd = g
        .add_node(
            &["Thing"],
            [
                ("nan", Value::Float(f64::NAN)),
                ("inf", Value::Float(f64::INFINITY)),
                ("neg_inf", Value::Float(f64::NEG_INFINITY)),
                ("neg_zero", Value::Float(-0.0)),
                ("min", Value::Int(i64::MIN)),
                ("max", Value::Int(i64::MAX)),
                ("old", date(-44, 3, 15)),
                (
                    "nested",
                    Value::List(vec![
                        Value::Int(1),
                        Value::Null,
                        Value::List(vec![Value::from("a"), Value::Float(0.5)]),
                    ]),
                ),
                ("empty", Value::from("")),
            ],
        )
        .unwrap();
    let unlabelled = g.add_node(&[], [("note", "no labels")]).unwrap();
    let r0 = g
        .add_relationship(pfizer, gone, "ACQUIRES", [("year", 2020)])
        .unwrap();
    g.add_relationship(
        pfizer,
        beijing,
        "INVESTS_IN",
        [("amount", Value::Float(2.5e9)), ("currency", "CNY".into())],
    )
    .unwrap();
    g.add_relationship(odd, odd, "SELF", Vec::<(&str, Value)>::new())
        .unwrap();
    g.add_relationship(unlabelled, pfizer, "MENTIONS", [("when", date(2023, 6, 1))])
        .unwrap();
    g.add_relationship(beijing, pfizer, "HOSTS", [("since", 2021)])
        .unwrap();
    // Removed last, so their ids stay gaps: node 1 and relationship 0.
    g.remove_relationship(r0).unwrap();
    g.detach_remove_node(gone).unwrap();
    g.create_unique_constraint("Company", "name").unwrap();
    g
}

/// The properties of node 3 ("Thing") in the fixtures `tests/data/v1.kgs` and `v2.kgs`,
/// written before maps stopped being property values: the graph API refuses them now, but
/// the snapshots that hold them still open with them. `nested` replaces the fixture graph's.
pub fn fixture_map_props() -> Vec<(String, Value)> {
    vec![
        (
            "map".to_owned(),
            Value::from(BTreeMap::from([
                ("empty".to_owned(), Value::List(Vec::new())),
                ("text".to_owned(), Value::from("line\nbreak, \"quoted\" 'x'")),
            ])),
        ),
        (
            "nested".to_owned(),
            Value::List(vec![
                Value::Int(1),
                Value::Null,
                Value::List(vec![Value::from("a"), Value::Float(0.5)]),
                Value::from(BTreeMap::from([
                    ("k".to_owned(), Value::List(vec![Value::Bool(false)])),
                    ("z".to_owned(), date(2022, 11, 5)),
                ])),
            ]),
        ),
    ]
}

/// The adapter example, built by `cargo test` beside this test's executable.
pub fn adapter() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let debug = exe.parent().and_then(Path::parent).unwrap();
    let path = debug
        .join("examples")
        .join(format!("adapter{}", std::env::consts::EXE_SUFFIX));
    if !path.exists() {
        // `cargo test` builds the examples; `cargo test --test import` does not.
        let status = Command::new(env!("CARGO"))
            .args(["build", "--example", "adapter"])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .status()
            .expect("cargo runs");
        assert!(status.success(), "cargo build --example adapter failed");
    }
    assert!(path.exists(), "{} is missing after building it", path.display());
    path
}

/// The adapter started with its standard input and output piped to the test.
pub fn spawn_adapter() -> std::process::Child {
    Command::new(adapter())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("the adapter starts")
}

/// The names of the files in `dir`, sorted.
pub fn file_names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Everything observable about a graph that a transaction or a reopen could disturb, as text:
/// its JSON Lines export (ids included), the rows of `queries` (scan and expansion orders), the
/// name look-ups of `names`, the label and type counts; and its invariants are checked.
pub fn observable(g: &Graph, queries: &[&str], names: &[&str]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("g.jsonl");
    g.export_jsonl(&path).unwrap();
    let mut out = std::fs::read_to_string(&path).unwrap();
    for q in queries {
        let r = g.query(q).run().unwrap();
        out.push_str(&format!("{q}: {:?}\n", r.rows()));
    }
    for name in names {
        out.push_str(&format!("lookup {name}: {:?}\n", g.lookup(name)));
    }
    let mut labels = g.label_counts();
    labels.sort();
    let mut types = g.relationship_type_counts();
    types.sort();
    out.push_str(&format!("{labels:?} {types:?}\n"));
    g.check_invariants().unwrap();
    out
}

/// A graph as two sorted lists of text, without ids: each node as its labels and properties,
/// each relationship as its type, properties and both ends' labels and properties. Equal
/// graphs give equal forms whatever their ids; a disjoint union's form is its parts' merged.
/// (It cannot tell apart two graphs that differ only in which of two identical nodes a
/// relationship meets; the tests' graphs are random, where that is rare.)
#[derive(Debug, PartialEq)]
pub struct Canonical {
    pub nodes: Vec<String>,
    pub rels: Vec<String>,
}

pub fn canonical(g: &Graph) -> Canonical {
    g.check_invariants().expect("the graph's invariants hold");
    let node = |id: NodeId| {
        let n = g.node(id).unwrap();
        let mut labels: Vec<String> = n.labels().map(str::to_owned).collect();
        labels.sort();
        format!("{labels:?} {:?}", sorted_props(n.properties()))
    };
    let mut nodes: Vec<String> = g.nodes().map(node).collect();
    nodes.sort();
    let mut rels: Vec<String> = g
        .relationships()
        .map(|id| {
            let r = g.relationship(id).unwrap();
            format!(
                "{:?} {:?} from {} to {}",
                r.rel_type(),
                sorted_props(r.properties()),
                node(r.start()),
                node(r.end())
            )
        })
        .collect();
    rels.sort();
    Canonical { nodes, rels }
}

/// The canonical form of the disjoint union of two graphs.
pub fn canonical_union(a: &Graph, b: &Graph) -> Canonical {
    let (a, b) = (canonical(a), canonical(b));
    let mut nodes = [a.nodes, b.nodes].concat();
    nodes.sort();
    let mut rels = [a.rels, b.rels].concat();
    rels.sort();
    Canonical { nodes, rels }
}

/// The one log file of a database directory.
pub fn only_log(dir: &Path) -> PathBuf {
    let logs: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "kgl"))
        .collect();
    assert_eq!(logs.len(), 1, "{logs:?}");
    logs[0].clone()
}
