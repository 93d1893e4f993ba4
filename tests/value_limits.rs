//! What the graph API accepts, `save` writes and `open` reads back, and `export_jsonl` /
//! `import_jsonl` too: the extreme dates and date-times round-trip, and a value nested deeper
//! than the snapshot format reads is refused where it enters, with a typed error.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use kgraph::{Date, DateTime, Graph, GraphError, LocalDateTime, LocalTime, NodeId, Value};

/// `levels` lists around `leaf`, each holding a scalar beside the next level, the outermost
/// holding the next level alone.
fn nested(levels: usize, leaf: Value) -> Value {
    let mut v = leaf;
    for _ in 1..levels {
        v = Value::List(vec![Value::Int(7), v]);
    }
    Value::List(vec![v])
}

fn saved_and_opened(g: &Graph) -> Graph {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("g.kgs");
    g.save(&path).unwrap();
    Graph::open(&path).unwrap()
}

fn exported_and_imported(g: &Graph) -> Graph {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("g.jsonl");
    g.export_jsonl(&path).unwrap();
    Graph::import_jsonl(&path).unwrap()
}

fn property(g: &Graph, n: NodeId, key: &str) -> Value {
    g.node(n).unwrap().property(key).cloned().unwrap_or(Value::Null)
}

fn extremes() -> Vec<(&'static str, Value)> {
    let last = LocalTime::new(23, 59, 59, 999_999_999).unwrap();
    vec![
        ("date_min", Value::from(Date::MIN)),
        ("date_max", Value::from(Date::MAX)),
        (
            "local_min",
            Value::from(LocalDateTime::new(Date::MIN, LocalTime::MIDNIGHT)),
        ),
        ("local_max", Value::from(LocalDateTime::new(Date::MAX, last))),
        (
            "zoned_min",
            Value::from(
                DateTime::with_offset(LocalDateTime::new(Date::MIN, LocalTime::MIDNIGHT), 0).unwrap(),
            ),
        ),
        (
            "zoned_max",
            Value::from(DateTime::with_offset(LocalDateTime::new(Date::MAX, last), 0).unwrap()),
        ),
        (
            "dates",
            Value::List(vec![Value::from(Date::MIN), Value::from(Date::MAX)]),
        ),
    ]
}

#[test]
fn the_extreme_dates_have_their_years() {
    assert_eq!(Date::MIN.year(), -999_999_999);
    assert_eq!(Date::MAX.year(), 999_999_999);
    assert_eq!((Date::MIN.month(), Date::MIN.day()), (1, 1));
    assert_eq!((Date::MAX.month(), Date::MAX.day()), (12, 31));
    assert_eq!(Date::MIN.to_string(), "-999999999-01-01");
    assert_eq!(Date::MAX.to_string(), "+999999999-12-31");
    assert_eq!(Date::MIN.to_string().parse::<Date>().unwrap(), Date::MIN);
    assert_eq!(Date::MAX.to_string().parse::<Date>().unwrap(), Date::MAX);
}

#[test]
fn dates_outside_the_range_are_refused_where_they_are_made() {
    assert!(Date::from_days(Date::MIN.days() - 1).is_err());
    assert!(Date::from_days(Date::MAX.days() + 1).is_err());
    assert!(Date::from_days(i64::MIN).is_err());
    assert!(Date::from_days(i64::MAX).is_err());
    assert_eq!(Date::from_days(Date::MAX.days()).unwrap(), Date::MAX);
    assert!(Date::from_ymd(1_000_000_000, 1, 1).is_err());
    assert!(Date::from_ymd(-1_000_000_000, 12, 31).is_err());
    assert!(Date::from_ymd(i64::MAX, 1, 1).is_err());
    assert!(Date::MAX.plus_days(1).is_err());
    assert!(Date::MIN.plus_days(-1).is_err());
    assert!(Date::MAX.plus_days(i64::MAX).is_err());
    assert!(Date::MIN.plus_months(i64::MIN).is_err());
}

#[test]
fn extreme_temporal_values_round_trip_through_save_and_open() {
    let mut g = Graph::new();
    let n = g.add_node(&["T"], extremes()).unwrap();
    let r = g.add_relationship(n, n, "AT", extremes()).unwrap();
    let back = saved_and_opened(&g);
    for (key, want) in extremes() {
        assert_eq!(property(&back, n, key), want, "node {key}");
        assert_eq!(
            back.relationship(r).unwrap().property(key),
            Some(&want),
            "rel {key}"
        );
    }
}

#[test]
fn extreme_temporal_values_round_trip_through_json_lines() {
    let mut g = Graph::new();
    g.add_node(&["T"], extremes()).unwrap();
    let back = exported_and_imported(&g);
    let m = back.nodes_with_label("T").next().expect("the node");
    for (key, want) in extremes() {
        assert_eq!(property(&back, m, key), want, "{key}");
    }
    assert_eq!(back.node_count(), 1);
}

#[test]
fn the_deepest_value_accepted_round_trips_through_save_and_open() {
    let deepest = nested(Value::MAX_NESTING, Value::from(Date::MAX));
    let mut g = Graph::new();
    let n = g.add_node(&["D"], [("deep", deepest.clone())]).unwrap();
    let back = saved_and_opened(&g);
    assert_eq!(property(&back, n, "deep"), deepest);
}

#[test]
fn the_deepest_value_accepted_round_trips_through_json_lines() {
    for leaf in [Value::Int(1), Value::from(Date::MIN)] {
        let deepest = nested(Value::MAX_NESTING, leaf);
        let mut g = Graph::new();
        g.add_node(&["D"], [("deep", deepest.clone())]).unwrap();
        let back = exported_and_imported(&g);
        let n = back.nodes_with_label("D").next().expect("the node");
        assert_eq!(property(&back, n, "deep"), deepest);
    }
}

#[test]
fn a_value_nested_too_deep_is_refused_at_entry() {
    let too_deep = nested(Value::MAX_NESTING + 1, Value::Int(1));
    let too_deep_list = Value::List(vec![nested(Value::MAX_NESTING, Value::Null)]);
    let refused = |r: Result<_, GraphError>, key: &str| match r {
        Err(GraphError::ValueTooDeep { key: k, max }) => {
            assert_eq!(k, key);
            assert_eq!(max, Value::MAX_NESTING);
        }
        other => panic!("{key}: expected ValueTooDeep, got {other:?}"),
    };
    let mut g = Graph::new();
    let n = g.add_node(&["A"], [("x", 1)]).unwrap();
    let r = g.add_relationship(n, n, "T", [("x", 1)]).unwrap();
    refused(
        g.add_node(&["A"], [("ok", Value::Int(1)), ("deep", too_deep.clone())])
            .map(|_| ()),
        "deep",
    );
    refused(
        g.add_relationship(n, n, "T", [("deep", too_deep_list.clone())])
            .map(|_| ()),
        "deep",
    );
    refused(
        g.set_node_property(n, "deep", too_deep.clone()).map(|_| ()),
        "deep",
    );
    refused(
        g.set_relationship_property(r, "deep", too_deep_list).map(|_| ()),
        "deep",
    );
    // Nothing of the refused calls remains, and the graph still saves.
    assert_eq!((g.node_count(), g.relationship_count()), (1, 1));
    assert_eq!(property(&g, n, "deep"), Value::Null);
    let back = saved_and_opened(&g);
    assert_eq!(back.node_count(), 1);
    // The message names the key and the limit.
    let err = g.set_node_property(n, "deep", too_deep).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "property 'deep' nests lists or maps more than {} levels deep",
            Value::MAX_NESTING
        )
    );
}

#[test]
fn a_value_nested_without_end_is_refused_without_walking_it_all() {
    // Refused after looking MAX_NESTING + 1 levels down (dropping the value, which the
    // standard library does recursively, bounds the depth this test can build).
    let mut v = Value::Int(0);
    for _ in 0..10_000 {
        v = Value::List(vec![v]);
    }
    let mut g = Graph::new();
    let err = g.add_node(&["A"], [("deep", v)]);
    assert!(matches!(err, Err(GraphError::ValueTooDeep { .. })), "{err:?}");
}
