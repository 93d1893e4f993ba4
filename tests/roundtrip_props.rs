//! Property tests of the storage round trips:
//! - random graphs (deletions, several labels, every value type incl. every temporal type, NaN,
//!   nested lists, Chinese text, empty strings, unique constraints) survive save/open with ids,
//!   labels, properties, the name index and the label index equal;
//! - JSON Lines export/import and the extended CSV's export/import give the same graph up to
//!   the renumbering of ids;
//! - graphs within the benchmark CSV format survive CSV export/import up to the renumbering of
//!   ids.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::{dump, order_map, renumbered, Dump};
use kgraph::{
    Date, DateTime, Duration, Graph, GraphError, LocalDateTime, LocalTime, NodeId, RelId, Time, Value,
};
use proptest::collection::{btree_map, btree_set, vec};
use proptest::prelude::*;
use proptest::sample::select;

const LABELS: [&str; 6] = [
    "Company",
    "Person",
    "Place",
    "中文标签",
    "semi;colon",
    "back\\slash",
];
const TYPES: [&str; 3] = ["INVESTS_IN", "PARTNERS", "LOCATED_IN"];
const KEYS: [&str; 6] = ["name", "name_zh", "aliases", "k", "w", "键"];
const NAMES: [&str; 6] = ["Pfizer", "pfizer", "辉瑞", "Ｐｆｉｚｅｒ", "A", " a "];

fn date_days() -> impl Strategy<Value = i64> {
    prop_oneof![
        Date::from_ymd(-9999, 1, 1).unwrap().days()..=Date::from_ymd(9999, 12, 31).unwrap().days(),
        Date::MIN.days()..=Date::MAX.days(),
    ]
}

fn float() -> impl Strategy<Value = f64> {
    prop_oneof![
        any::<f64>(),
        Just(f64::NAN),
        Just(f64::INFINITY),
        Just(f64::NEG_INFINITY),
        Just(-0.0),
        Just(0.1),
    ]
}

fn local_time() -> impl Strategy<Value = LocalTime> {
    (0..86_400_000_000_000u64).prop_map(|n| LocalTime::from_nano_of_day(n).unwrap())
}

fn local_date_time() -> impl Strategy<Value = LocalDateTime> {
    (date_days(), local_time()).prop_map(|(d, t)| LocalDateTime::new(Date::from_days(d).unwrap(), t))
}

/// Every temporal type, zoned date-times by offset and by name.
fn temporal() -> impl Strategy<Value = Value> {
    prop_oneof![
        local_time().prop_map(Value::LocalTime),
        (local_time(), -64_800..=64_800i32).prop_map(|(t, o)| Value::Time(Time::new(t, o).unwrap())),
        local_date_time().prop_map(Value::LocalDateTime),
        (local_date_time(), -64_800..=64_800i32).prop_filter_map("outside the range", |(l, o)| {
            DateTime::with_offset(l, o).ok().map(Value::DateTime)
        }),
        (
            local_date_time(),
            select(&["Europe/Stockholm", "Asia/Shanghai", "America/New_York"][..])
        )
            .prop_filter_map("outside the range", |(l, z)| DateTime::in_zone(l, z)
                .ok()
                .map(Value::DateTime)),
        (
            -1_000_000i64..1_000_000,
            -1_000_000i64..1_000_000,
            -1i64 << 40..1 << 40,
            0i64..1_000_000_000
        )
            .prop_map(|(m, d, s, n)| Value::from(Duration::new(m, d, s, n).unwrap())),
    ]
}

/// Text with what formats trip on: Chinese, the CSV list and label separator, quotes, commas,
/// backslashes, line breaks, and the empty string.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![".{0,6}", "[中文辉瑞;,\"\\\\\n a-c]{0,6}"]
}

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::Int),
        float().prop_map(Value::Float),
        text().prop_map(Value::from),
        date_days().prop_map(|d| Value::Date(Date::from_days(d).unwrap())),
        temporal(),
    ]
}

/// Any property value: scalars and lists (with nulls inside), nested; maps are not property
/// values.
fn value() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(3, 24, 4, |inner| {
        vec(prop_oneof![inner, Just(Value::Null)], 0..4).prop_map(Value::List)
    })
}

/// A property value for a key: names for the name keys (so the name index has work).
fn prop_value(key: usize) -> BoxedStrategy<Value> {
    match KEYS[key] {
        "name" | "name_zh" => select(&NAMES[..]).prop_map(Value::from).boxed(),
        "aliases" => vec(select(&NAMES[..]), 1..3).prop_map(Value::from).boxed(),
        _ => value().boxed(),
    }
}

fn props() -> impl Strategy<Value = Vec<(usize, Value)>> {
    vec((0..KEYS.len()).prop_flat_map(|k| (Just(k), prop_value(k))), 0..4)
}

/// Labels and properties of a node to add.
type NodeSpec = (BTreeSet<usize>, Vec<(usize, Value)>);
/// Start, end (picked among the nodes), type and properties of a relationship to add.
type RelSpec = (usize, usize, usize, Vec<(usize, Value)>);

#[derive(Debug, Clone)]
struct Spec {
    nodes: Vec<NodeSpec>,
    rels: Vec<RelSpec>,
    remove_rels: Vec<usize>,
    remove_nodes: Vec<usize>,
    /// Nodes added after the removals, reusing freed ids.
    late_nodes: Vec<NodeSpec>,
    constraint: bool,
}

fn node_spec() -> impl Strategy<Value = NodeSpec> {
    (btree_set(0..LABELS.len(), 0..3), props())
}

fn spec() -> impl Strategy<Value = Spec> {
    (
        vec(node_spec(), 1..10),
        vec((any::<usize>(), any::<usize>(), 0..TYPES.len(), props()), 0..14),
        vec(any::<usize>(), 0..4),
        vec(any::<usize>(), 0..4),
        vec(node_spec(), 0..3),
        any::<bool>(),
    )
        .prop_map(
            |(nodes, rels, remove_rels, remove_nodes, late_nodes, constraint)| Spec {
                nodes,
                rels,
                remove_rels,
                remove_nodes,
                late_nodes,
                constraint,
            },
        )
}

fn add(g: &mut Graph, (labels, props): &NodeSpec) {
    let labels: Vec<&str> = labels.iter().map(|l| LABELS[*l]).collect();
    let props: Vec<(&str, Value)> = props.iter().map(|(k, v)| (KEYS[*k], v.clone())).collect();
    // A node refused by the unique constraint is simply not added.
    let _ = g.add_node(&labels, props);
}

fn build(spec: &Spec) -> Graph {
    let mut g = Graph::new();
    if spec.constraint {
        g.create_unique_constraint("Company", "k").unwrap();
    }
    for n in &spec.nodes {
        add(&mut g, n);
    }
    let ids: Vec<NodeId> = g.nodes().collect();
    if !ids.is_empty() {
        for (a, b, t, props) in &spec.rels {
            let props: Vec<(&str, Value)> = props.iter().map(|(k, v)| (KEYS[*k], v.clone())).collect();
            g.add_relationship(ids[a % ids.len()], ids[b % ids.len()], TYPES[*t], props)
                .unwrap();
        }
    }
    let rels: Vec<RelId> = g.relationships().collect();
    for r in &spec.remove_rels {
        if !rels.is_empty() {
            let _ = g.remove_relationship(rels[r % rels.len()]);
        }
    }
    for n in &spec.remove_nodes {
        if !ids.is_empty() {
            let _ = g.detach_remove_node(ids[n % ids.len()]);
        }
    }
    for n in &spec.late_nodes {
        add(&mut g, n);
    }
    g
}

/// The node ids of the dump renumbered, relationship ids dropped, name and label index too.
fn comparable(d: &Dump, map: &BTreeMap<u32, u32>) -> impl PartialEq + std::fmt::Debug + use<> {
    let m = |ids: &Vec<u32>| {
        let mut v: Vec<u32> = ids.iter().map(|i| map[i]).collect();
        v.sort_unstable();
        v
    };
    let names: BTreeMap<String, Vec<u32>> = d.names.iter().map(|(k, v)| (k.clone(), m(v))).collect();
    let labels: BTreeMap<String, Vec<u32>> = d.labels.iter().map(|(k, v)| (k.clone(), m(v))).collect();
    (renumbered(d, map), names, labels)
}

fn identity(g: &Graph) -> BTreeMap<u32, u32> {
    g.nodes().map(|n| (n.index(), n.index())).collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn snapshots_keep_ids_symbols_and_indexes(spec in spec()) {
        let g = build(&spec);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("g.kgs");
        g.save(&path).unwrap();
        let back = Graph::open(&path).unwrap();
        prop_assert_eq!(dump(&back), dump(&g));
        // Symbols keep their numbers: labels, types and keys list in the same (id) order.
        prop_assert_eq!(back.label_counts(), g.label_counts());
        prop_assert_eq!(back.relationship_type_counts(), g.relationship_type_counts());
        for id in g.nodes() {
            let (a, b) = (g.node(id).unwrap(), back.node(id).unwrap());
            prop_assert!(a.labels().eq(b.labels()));
            prop_assert!(a.properties().map(|(k, _)| k).eq(b.properties().map(|(k, _)| k)));
        }
        for id in g.relationships() {
            let (a, b) = (g.relationship(id).unwrap(), back.relationship(id).unwrap());
            prop_assert!(a.properties().map(|(k, _)| k).eq(b.properties().map(|(k, _)| k)));
        }
        // The unique constraint survives: a duplicate of an existing value is refused.
        let mut back = back;
        for id in g.nodes_with_label("Company").collect::<Vec<_>>() {
            if let Some(v) = g.node(id).unwrap().property("k") {
                let refused = back.add_node(&["Company"], [("k", v.clone())]);
                prop_assert_eq!(
                    spec.constraint,
                    matches!(refused, Err(GraphError::ConstraintViolation { .. })),
                    "constraint {} for {:?}", spec.constraint, v
                );
                if let Ok(n) = refused {
                    back.remove_node(n).unwrap();
                }
            }
        }
    }

    #[test]
    fn json_lines_keep_everything_up_to_ids(spec in spec()) {
        let g = build(&spec);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("g.jsonl");
        g.export_jsonl(&path).unwrap();
        let back = Graph::import_jsonl(&path).unwrap();
        let map = order_map(&g, &back);
        prop_assert_eq!(comparable(&dump(&back), &identity(&back)), comparable(&dump(&g), &map));
        prop_assert_eq!(back.relationship_count(), g.relationship_count());
        // Exported again, the file is the same but for the ids.
        let again = dir.path().join("again.jsonl");
        back.export_jsonl(&again).unwrap();
        prop_assert_eq!(
            std::fs::read_to_string(&again).unwrap().lines().count(),
            std::fs::read_to_string(&path).unwrap().lines().count()
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    /// Any graph (several labels or none, mixed types in a column, every value type, Chinese
    /// text, empty strings and lists, `;` in labels and list elements) through the extended
    /// CSV format: the same graph up to ids (constraints are not part of the format).
    #[test]
    fn csv_keeps_every_graph_up_to_ids(spec in spec()) {
        let g = build(&spec);
        let dir = tempfile::tempdir().unwrap();
        g.export_csv(dir.path()).unwrap();
        let back = Graph::import_csv(dir.path().join("nodes.csv"), dir.path().join("relationships.csv")).unwrap();
        let map = order_map(&g, &back);
        prop_assert_eq!(comparable(&dump(&back), &identity(&back)), comparable(&dump(&g), &map));
        prop_assert_eq!(back.relationship_count(), g.relationship_count());
    }
}

// ---- graphs within the CSV format ----

/// Per key one column type; values of that type only.
const CSV_KEYS: [&str; 8] = ["name", "s", "i", "f", "b", "d", "ls", "li"];

fn csv_value(key: usize) -> BoxedStrategy<Value> {
    match CSV_KEYS[key] {
        "name" => select(&NAMES[..]).prop_map(Value::from).boxed(),
        "s" => ".{1,8}".prop_map(Value::from).boxed(),
        "i" => any::<i64>().prop_map(Value::Int).boxed(),
        "f" => float().prop_map(Value::Float).boxed(),
        "b" => any::<bool>().prop_map(Value::Bool).boxed(),
        "d" => date_days()
            .prop_map(|d| Value::Date(Date::from_days(d).unwrap()))
            .boxed(),
        "ls" => vec("[^;]{1,5}".prop_map(Value::from), 1..4)
            .prop_map(Value::List)
            .boxed(),
        _ => vec(any::<i64>().prop_map(Value::Int), 1..4)
            .prop_map(Value::List)
            .boxed(),
    }
}

fn csv_props() -> impl Strategy<Value = BTreeMap<usize, Value>> {
    btree_map(0..CSV_KEYS.len(), Just(()), 0..5).prop_flat_map(|keys| {
        keys.into_keys()
            .map(|k| csv_value(k).prop_map(move |v| (k, v)))
            .collect::<Vec<_>>()
            .prop_map(|pairs| pairs.into_iter().collect())
    })
}

#[derive(Debug, Clone)]
struct CsvSpec {
    nodes: Vec<(usize, BTreeMap<usize, Value>)>,
    rels: Vec<(usize, usize, usize, BTreeMap<usize, Value>)>,
    remove_nodes: Vec<usize>,
}

fn csv_spec() -> impl Strategy<Value = CsvSpec> {
    (
        vec((0..LABELS.len(), csv_props()), 1..10),
        vec(
            (any::<usize>(), any::<usize>(), 0..TYPES.len(), csv_props()),
            0..14,
        ),
        vec(any::<usize>(), 0..3),
    )
        .prop_map(|(nodes, rels, remove_nodes)| CsvSpec {
            nodes,
            rels,
            remove_nodes,
        })
}

fn csv_build(spec: &CsvSpec) -> Graph {
    let mut g = Graph::new();
    let mut ids = Vec::new();
    for (label, props) in &spec.nodes {
        let props: Vec<(&str, Value)> = props.iter().map(|(k, v)| (CSV_KEYS[*k], v.clone())).collect();
        ids.push(g.add_node(&[LABELS[*label]], props).unwrap());
    }
    for (a, b, t, props) in &spec.rels {
        let props: Vec<(&str, Value)> = props.iter().map(|(k, v)| (CSV_KEYS[*k], v.clone())).collect();
        g.add_relationship(ids[a % ids.len()], ids[b % ids.len()], TYPES[*t], props)
            .unwrap();
    }
    for n in &spec.remove_nodes {
        let _ = g.detach_remove_node(ids[n % ids.len()]);
    }
    g
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn csv_keeps_graphs_within_its_format(spec in csv_spec()) {
        let g = csv_build(&spec);
        let dir = tempfile::tempdir().unwrap();
        g.export_csv(dir.path()).unwrap();
        let back = Graph::import_csv(dir.path().join("nodes.csv"), dir.path().join("relationships.csv")).unwrap();
        let map = order_map(&g, &back);
        prop_assert_eq!(comparable(&dump(&back), &identity(&back)), comparable(&dump(&g), &map));
    }
}
