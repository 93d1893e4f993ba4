//! Differential tests of the optimiser: random small graphs, random read queries from a
//! grammar, and the same rows with the optimiser on and off (`.without_optimizer()`).
//!
//! The optimiser may start a pattern at its other end, seek the name index instead of
//! scanning, and push WHERE equalities into the pattern; none of that may change an answer.
//! Rows are compared as multisets (each row turned into a canonical string, the rows
//! sorted), except for queries that `ORDER BY` every returned column, whose row order is
//! determined (rows that tie are equal) and compared as it is, `LIMIT` included.
//!
//! A second group checks that the optimiser does what it claims: with a `{name: ...}`
//! pattern, the optimised plan that `EXPLAIN` prints starts with an index seek.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::fmt::Write as _;

use kgraph::{Graph, NodeId, QueryResult, Value};
use proptest::prelude::*;

// ---------------------------------------------------------------------------------------
// Random graphs
// ---------------------------------------------------------------------------------------

const LABELS: &[&str] = &["A", "B", "C"];
const TYPES: &[&str] = &["R", "S", "T"];

/// Counts over a last expansion of the shape `closing.rs` runs on node ids (and some just
/// outside it).
const ID_COUNTS: &[&str] = &[
    "MATCH (c:A)-[:R]-()-[:R]-(x) WHERE x <> c RETURN count(DISTINCT x) AS n",
    "MATCH (c:A)-[:R]-()-[:R|S]-(x) WHERE x <> c RETURN c.name AS c, count(DISTINCT x) AS n",
    "MATCH (a)-[:S]->(m)<-[]-(x) WHERE x = a RETURN count(*) AS n, count(x) AS k",
    "MATCH (a:B)-[]-(m)-[]-(x) WHERE x <> a AND x <> m RETURN m.name AS m, count(*) AS n",
    "MATCH (a)-[]->(m)-[]->(x) WHERE a <> x RETURN a.x AS a, count(DISTINCT x) AS d, count(*) AS n",
    "MATCH (a)-[r]-(x) WHERE x = a RETURN count(*) AS loops",
    "MATCH (a:C)-[:T]-(x) RETURN a.name AS a, count(x) AS n, count(DISTINCT x) AS d",
    "OPTIONAL MATCH (c:C {x: 1}) WITH c MATCH (a)-[:R]->(x) WHERE x <> c RETURN count(*) AS n",
    "MATCH (a)-[r1]-(m) WITH a, m, r1 MATCH (m)-[r2]-(x) WHERE x <> a RETURN count(DISTINCT x) AS n",
    "MATCH (a:A), (b:B) WITH a, b MATCH (a)-[]-(x) WHERE x <> b RETURN b.name AS b, count(*) AS n",
    "MATCH (a)-[:R]-(m)-[:R]-(x:A) WHERE x <> a RETURN count(DISTINCT x) AS n",
    "MATCH (a)-[:R]-(m)-[:R {w: 1}]-(x) WHERE x <> a RETURN count(*) AS n",
];

/// The values a node's `name` may have. Besides plain names the pool holds spellings that
/// the name index folds together (case, full width, white space), so that an index seek
/// that forgot the exact check after the seek would show.
/// The empty name and one of white space only normalise to nothing, which the name index
/// cannot hold: the seek must fall back to a scan for them.
const NAMES: &[&str] = &["a", "A", "Ａ", " a", "b", "B ", "c", "阿斯利康", "辉瑞", "", "  "];

#[derive(Clone, Debug)]
struct NodeSpec {
    labels: Vec<&'static str>,
    name: Option<&'static str>,
    x: Option<i64>,
    f: Option<f64>,
}

#[derive(Clone, Debug)]
struct RelSpec {
    from: usize,
    to: usize,
    ty: &'static str,
    w: Option<i64>,
}

#[derive(Clone, Debug)]
struct GraphSpec {
    nodes: Vec<NodeSpec>,
    rels: Vec<RelSpec>,
}

fn node_spec() -> impl Strategy<Value = NodeSpec> {
    (
        prop::sample::subsequence(LABELS, 0..=2),
        prop::option::weighted(0.8, prop::sample::select(NAMES)),
        prop::option::weighted(0.7, -2i64..4),
        prop::option::weighted(0.3, prop::sample::select(&[-1.5f64, 0.0, 0.5, 1.0, 2.0][..])),
    )
        .prop_map(|(labels, name, x, f)| NodeSpec { labels, name, x, f })
}

fn graph_spec() -> impl Strategy<Value = GraphSpec> {
    prop::collection::vec(node_spec(), 1..7).prop_flat_map(|nodes| {
        let n = nodes.len();
        let rel = (
            0..n,
            0..n,
            prop::sample::select(TYPES),
            prop::option::weighted(0.6, 0i64..3),
        )
            .prop_map(|(from, to, ty, w)| RelSpec { from, to, ty, w });
        (Just(nodes), prop::collection::vec(rel, 0..14)).prop_map(|(nodes, rels)| GraphSpec { nodes, rels })
    })
}

fn build(spec: &GraphSpec) -> Graph {
    let mut g = Graph::new();
    let ids: Vec<NodeId> = spec
        .nodes
        .iter()
        .map(|n| {
            let mut props: Vec<(&str, Value)> = Vec::new();
            if let Some(name) = n.name {
                props.push(("name", Value::from(name)));
            }
            if let Some(x) = n.x {
                props.push(("x", Value::Int(x)));
            }
            if let Some(f) = n.f {
                props.push(("f", Value::Float(f)));
            }
            g.add_node(&n.labels, props).expect("a valid node")
        })
        .collect();
    for r in &spec.rels {
        let props: Vec<(&str, Value)> = r.w.map(|w| ("w", Value::Int(w))).into_iter().collect();
        g.add_relationship(ids[r.from], ids[r.to], r.ty, props)
            .expect("a valid relationship");
    }
    g
}

// ---------------------------------------------------------------------------------------
// Random queries
// ---------------------------------------------------------------------------------------

#[derive(Clone, Copy, Debug)]
enum Dir {
    Out,
    In,
    Both,
}

#[derive(Clone, Debug)]
enum Lit {
    Int(i64),
    Float(f64),
    Str(&'static str),
    Null,
}

impl Lit {
    fn text(&self) -> String {
        match self {
            Lit::Int(i) => i.to_string(),
            Lit::Float(f) => format!("{f:?}"),
            Lit::Str(s) => format!("'{s}'"),
            Lit::Null => "null".to_owned(),
        }
    }
}

fn lit() -> impl Strategy<Value = Lit> {
    prop_oneof![
        4 => (-2i64..4).prop_map(Lit::Int),
        1 => prop::sample::select(&[-1.5f64, 0.5, 1.0][..]).prop_map(Lit::Float),
        3 => prop::sample::select(NAMES).prop_map(Lit::Str),
        1 => Just(Lit::Null),
    ]
}

#[derive(Clone, Debug)]
struct NodePat {
    label: Option<&'static str>,
    /// `{name: ...}` or `{x: ...}`.
    prop: Option<(&'static str, Lit)>,
}

#[derive(Clone, Debug)]
struct RelPat {
    types: Vec<&'static str>,
    dir: Dir,
    /// `*1..max`.
    var_len: Option<u32>,
    w: Option<i64>,
}

#[derive(Clone, Debug)]
enum Cond {
    /// `v.key op literal`.
    Cmp(String, &'static str, &'static str, Lit),
    /// `v.key IS [NOT] NULL`.
    IsNull(String, &'static str, bool),
    /// `v.key IN [...]`.
    In(String, &'static str, Vec<Lit>),
    /// `v:Label`.
    HasLabel(String, &'static str),
    /// `a.key = b.key`.
    Join(String, String, &'static str),
    Not(Box<Cond>),
    And(Box<Cond>, Box<Cond>),
    Or(Box<Cond>, Box<Cond>),
    Xor(Box<Cond>, Box<Cond>),
}

impl Cond {
    fn text(&self) -> String {
        match self {
            Cond::Cmp(v, k, op, l) => format!("{v}.{k} {op} {}", l.text()),
            Cond::IsNull(v, k, neg) => format!("{v}.{k} IS {}NULL", if *neg { "NOT " } else { "" }),
            Cond::In(v, k, ls) => format!(
                "{v}.{k} IN [{}]",
                ls.iter().map(Lit::text).collect::<Vec<_>>().join(", ")
            ),
            Cond::HasLabel(v, l) => format!("{v}:{l}"),
            Cond::Join(a, b, k) => format!("{a}.{k} = {b}.{k}"),
            Cond::Not(c) => format!("NOT ({})", c.text()),
            Cond::And(a, b) => format!("({}) AND ({})", a.text(), b.text()),
            Cond::Or(a, b) => format!("({}) OR ({})", a.text(), b.text()),
            Cond::Xor(a, b) => format!("({}) XOR ({})", a.text(), b.text()),
        }
    }
}

#[derive(Clone, Debug)]
enum Ret {
    /// Plain columns, maybe DISTINCT, maybe ordered by all of them with a LIMIT.
    Columns {
        items: Vec<String>,
        distinct: bool,
        order: Option<(Vec<bool>, Option<u32>)>,
    },
    /// An aggregation, maybe grouped by one column.
    Aggregate { key: Option<String>, aggs: Vec<String> },
}

#[derive(Clone, Debug)]
struct QuerySpec {
    nodes: Vec<NodePat>,
    rels: Vec<RelPat>,
    cond: Option<Cond>,
    ret: Ret,
}

const NODE_KEYS: &[&str] = &["name", "x", "f"];
const CMP_OPS: &[&str] = &["=", "<>", "<", "<=", ">", ">="];

fn node_pat() -> impl Strategy<Value = NodePat> {
    (
        prop::option::weighted(0.5, prop::sample::select(LABELS)),
        prop::option::weighted(
            0.4,
            prop_oneof![
                3 => prop::sample::select(NAMES).prop_map(|n| ("name", Lit::Str(n))),
                1 => (-2i64..4).prop_map(|x| ("x", Lit::Int(x))),
            ],
        ),
    )
        .prop_map(|(label, prop)| NodePat { label, prop })
}

fn rel_pat() -> impl Strategy<Value = RelPat> {
    (
        prop::sample::subsequence(TYPES, 0..=2),
        prop::sample::select(&[Dir::Out, Dir::In, Dir::Both][..]),
        prop::option::weighted(0.25, 1u32..=2),
        prop::option::weighted(0.2, 0i64..3),
    )
        .prop_map(|(types, dir, var_len, w)| RelPat {
            types,
            dir,
            var_len,
            w,
        })
}

/// A condition over the node variables `n0..n{count-1}`.
fn cond(count: usize) -> impl Strategy<Value = Cond> {
    let var = (0..count).prop_map(|i| format!("n{i}"));
    let key = prop::sample::select(NODE_KEYS);
    let leaf = prop_oneof![
        4 => (var.clone(), key.clone(), prop::sample::select(CMP_OPS), lit())
            .prop_map(|(v, k, op, l)| Cond::Cmp(v, k, op, l)),
        1 => (var.clone(), key.clone(), any::<bool>()).prop_map(|(v, k, n)| Cond::IsNull(v, k, n)),
        1 => (var.clone(), key.clone(), prop::collection::vec(lit(), 0..3))
            .prop_map(|(v, k, ls)| Cond::In(v, k, ls)),
        1 => (var.clone(), prop::sample::select(LABELS)).prop_map(|(v, l)| Cond::HasLabel(v, l)),
        1 => (var.clone(), var, key).prop_map(|(a, b, k)| Cond::Join(a, b, k)),
    ];
    leaf.prop_recursive(2, 6, 2, |inner| {
        prop_oneof![
            inner.clone().prop_map(|c| Cond::Not(Box::new(c))),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| Cond::And(Box::new(a), Box::new(b))),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| Cond::Or(Box::new(a), Box::new(b))),
            (inner.clone(), inner).prop_map(|(a, b)| Cond::Xor(Box::new(a), Box::new(b))),
        ]
    })
}

/// A returned expression over the pattern's variables.
fn item(nodes: usize, rels: Vec<bool>) -> impl Strategy<Value = String> {
    let node_item = (0..nodes, prop::sample::select(NODE_KEYS)).prop_map(|(i, k)| format!("n{i}.{k}"));
    let rel_count = rels.len();
    let rel_item = (0..rel_count.max(1), any::<bool>()).prop_map(move |(i, w)| {
        if rel_count == 0 {
            "n0.name".to_owned()
        } else if rels[i] {
            // A variable-length relationship variable is a list, in path order.
            if w {
                format!("[q IN r{i} | q.w]")
            } else {
                format!("size(r{i})")
            }
        } else if w {
            format!("r{i}.w")
        } else {
            format!("type(r{i})")
        }
    });
    prop_oneof![
        6 => node_item,
        2 => rel_item,
        1 => (0..nodes).prop_map(|i| format!("labels(n{i})")),
        // The path variable `p` names the whole pattern: its node order is fixed by the
        // text, whichever end the optimiser starts from.
        1 => Just("[m IN nodes(p) | m.name]".to_owned()),
        1 => Just("[m IN relationships(p) | type(m)]".to_owned()),
        1 => Just("length(p)".to_owned()),
    ]
}

fn ret(nodes: usize, rels: Vec<bool>) -> impl Strategy<Value = Ret> {
    let columns = (
        prop::collection::vec(item(nodes, rels.clone()), 1..=3),
        any::<bool>(),
        prop::option::weighted(
            0.5,
            (
                prop::collection::vec(any::<bool>(), 3),
                prop::option::weighted(0.7, 0u32..5),
            ),
        ),
    )
        .prop_map(|(items, distinct, order)| Ret::Columns {
            items,
            distinct,
            order,
        });
    let agg = prop_oneof![
        Just("count(*)".to_owned()),
        (0..nodes).prop_map(|i| format!("count(n{i})")),
        (0..nodes).prop_map(|i| format!("count(DISTINCT n{i})")),
        (0..nodes, prop::sample::select(NODE_KEYS)).prop_map(|(i, k)| format!("collect(n{i}.{k})")),
        (0..nodes, prop::sample::select(NODE_KEYS)).prop_map(|(i, k)| format!("collect(DISTINCT n{i}.{k})")),
        (0..nodes).prop_map(|i| format!("sum(n{i}.x)")),
        (0..nodes).prop_map(|i| format!("min(n{i}.x)")),
        (0..nodes).prop_map(|i| format!("max(n{i}.name)")),
    ];
    let aggregate = (
        prop::option::weighted(0.5, item(nodes, rels)),
        prop::collection::vec(agg, 1..=2),
    )
        .prop_map(|(key, aggs)| Ret::Aggregate { key, aggs });
    prop_oneof![2 => columns, 1 => aggregate]
}

fn query_spec() -> impl Strategy<Value = QuerySpec> {
    // Zero hops too: a lone node pattern is where the index seek matters most.
    (0usize..=3)
        .prop_flat_map(|hops| {
            (
                prop::collection::vec(node_pat(), hops + 1),
                prop::collection::vec(rel_pat(), hops),
            )
        })
        .prop_flat_map(|(nodes, rels)| {
            let n = nodes.len();
            let var_len: Vec<bool> = rels.iter().map(|r| r.var_len.is_some()).collect();
            (
                Just(nodes),
                Just(rels),
                prop::option::weighted(0.6, cond(n)),
                ret(n, var_len),
            )
        })
        .prop_map(|(nodes, rels, cond, ret)| QuerySpec {
            nodes,
            rels,
            cond,
            ret,
        })
}

impl QuerySpec {
    /// For each returned column, whether it is a `collect` (a list in no defined order).
    fn unordered_columns(&self) -> Vec<bool> {
        match &self.ret {
            Ret::Columns { items, .. } => vec![false; items.len()],
            Ret::Aggregate { key, aggs } => key
                .iter()
                .map(|_| false)
                .chain(aggs.iter().map(|a| a.starts_with("collect")))
                .collect(),
        }
    }

    fn pattern(&self) -> String {
        let mut s = String::new();
        for (i, n) in self.nodes.iter().enumerate() {
            if i > 0 {
                let r = &self.rels[i - 1];
                let mut inner = format!("r{}", i - 1);
                if !r.types.is_empty() {
                    let _ = write!(inner, ":{}", r.types.join("|"));
                }
                if let Some(max) = r.var_len {
                    let _ = write!(inner, "*1..{max}");
                }
                if let Some(w) = r.w {
                    let _ = write!(inner, " {{w: {w}}}");
                }
                match r.dir {
                    Dir::Out => {
                        let _ = write!(s, "-[{inner}]->");
                    }
                    Dir::In => {
                        let _ = write!(s, "<-[{inner}]-");
                    }
                    Dir::Both => {
                        let _ = write!(s, "-[{inner}]-");
                    }
                }
            }
            let mut inner = format!("n{i}");
            if let Some(l) = n.label {
                let _ = write!(inner, ":{l}");
            }
            if let Some((k, v)) = &n.prop {
                let _ = write!(inner, " {{{k}: {}}}", v.text());
            }
            let _ = write!(s, "({inner})");
        }
        s
    }

    /// The query text, and whether its row order is determined.
    fn text(&self) -> (String, bool) {
        self.text_with("")
    }

    /// The query text with `between` put between the MATCH and its RETURN.
    fn text_with(&self, between: &str) -> (String, bool) {
        self.text_where(between, false)
    }

    /// The query text with `between` put between the MATCH and its RETURN, and the WHERE
    /// condition after `between` when `late`.
    fn text_where(&self, between: &str, late: bool) -> (String, bool) {
        let mut q = format!("MATCH p = {}", self.pattern());
        let mut between = between.to_owned();
        if let Some(c) = &self.cond {
            if late {
                let _ = write!(between, " WHERE {}", c.text());
            } else {
                let _ = write!(q, " WHERE {}", c.text());
            }
        }
        match &self.ret {
            Ret::Columns {
                items,
                distinct,
                order,
            } => {
                let cols: Vec<String> = items
                    .iter()
                    .enumerate()
                    .map(|(i, e)| format!("{e} AS c{i}"))
                    .collect();
                let _ = write!(
                    q,
                    "{between} RETURN {}{}",
                    if *distinct { "DISTINCT " } else { "" },
                    cols.join(", ")
                );
                match order {
                    Some((desc, limit)) => {
                        let keys: Vec<String> = (0..items.len())
                            .map(|i| format!("c{i}{}", if desc[i] { " DESC" } else { "" }))
                            .collect();
                        let _ = write!(q, " ORDER BY {}", keys.join(", "));
                        if let Some(l) = limit {
                            let _ = write!(q, " LIMIT {l}");
                        }
                        (q, true)
                    }
                    None => (q, false),
                }
            }
            Ret::Aggregate { key, aggs } => {
                let mut cols = Vec::new();
                if let Some(k) = key {
                    cols.push(format!("{k} AS k"));
                }
                for (i, a) in aggs.iter().enumerate() {
                    cols.push(format!("{a} AS a{i}"));
                }
                let _ = write!(q, "{between} RETURN {}", cols.join(", "));
                (q, false)
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// Comparison
// ---------------------------------------------------------------------------------------

/// A canonical text of a value; with `unordered`, a list is shown sorted (the order of
/// `collect` follows the order of the rows, which the optimiser may change).
fn canon(v: &Value, unordered: bool) -> String {
    match v {
        Value::List(items) if unordered => {
            let mut parts: Vec<String> = items.iter().map(|x| canon(x, false)).collect();
            parts.sort();
            format!("[{}]", parts.join(", "))
        }
        other => format!("{other:?}"),
    }
}

/// Each row as one canonical string; a column whose name starts with `collect` (or is a
/// `collect` aggregate of the generated queries, `a0`/`a1`) has no defined list order.
fn canon_rows(r: &QueryResult, unordered: &[bool]) -> Vec<String> {
    r.rows()
        .iter()
        .map(|row| {
            row.iter()
                .enumerate()
                .map(|(i, v)| canon(v, unordered.get(i).copied().unwrap_or(false)))
                .collect::<Vec<_>>()
                .join(" | ")
        })
        .collect()
}

fn compare(g: &Graph, text: &str, ordered: bool, unordered: &[bool]) -> Result<(), TestCaseError> {
    let on = g.query(text).run();
    let off = g.query(text).without_optimizer().run();
    match (on, off) {
        (Ok(a), Ok(b)) => {
            prop_assert_eq!(a.columns(), b.columns(), "columns of {}", text);
            let (mut ra, mut rb) = (canon_rows(&a, unordered), canon_rows(&b, unordered));
            if !ordered {
                ra.sort();
                rb.sort();
            }
            prop_assert_eq!(ra, rb, "rows of {} (optimised left, not right)", text);
        }
        (Err(a), Err(b)) => {
            prop_assert_eq!(a.kind_name(), b.kind_name(), "errors of {}", text);
        }
        (a, b) => {
            return Err(TestCaseError::fail(format!(
                "{text}\noptimised: {a:?}\nnot optimised: {b:?}"
            )))
        }
    }
    Ok(())
}

/// Clauses between a generated MATCH and its RETURN, for `pushed_and_pulled_results_agree`.
const TAILS: &[&str] = &[
    "",
    " WITH * LIMIT 2",
    " WITH * SKIP 1",
    " WITH * SKIP 1 LIMIT 2",
    " WITH * LIMIT 0",
    " WITH DISTINCT *",
    " WITH *, n0.x AS q WITH * WHERE q IS NULL OR q > -5",
    " WITH *, n0 AS m WITH * WHERE m = n0",
    " UNWIND [1, 2, null] AS u WITH * LIMIT 3",
    " UNWIND [n0.x, 1 / n0.x] AS u WITH * LIMIT 4",
    " OPTIONAL MATCH (n0)-->(z) WITH * LIMIT 5",
    " OPTIONAL MATCH (n0)-[:S]-(z) WITH DISTINCT * SKIP 1",
    " WITH * WHERE n0.x > 0 WITH * LIMIT 1",
    " WITH *, 1 / (n0.x - 1) AS q LIMIT 1",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 600, failure_persistence: None, ..ProptestConfig::default() })]

    /// An aggregation pushes the rows of the expansions just before it through one buffer
    /// (see `push.rs`); a `WITH * SKIP 0` in between makes it pull them as rows instead. Both
    /// must agree, the order of `collect` included.
    #[test]
    fn pushed_and_pulled_aggregations_agree(g in graph_spec(), qs in prop::collection::vec(query_spec(), 1..6)) {
        let graph = build(&g);
        for q in qs.iter().filter(|q| matches!(q.ret, Ret::Aggregate { .. })) {
            let (pushed, _) = q.text();
            let (pulled, _) = q.text_with(" WITH * SKIP 0");
            let a = graph.query(&pushed).threads(1).run();
            let b = graph.query(&pulled).threads(1).run();
            match (a, b) {
                (Ok(a), Ok(b)) => prop_assert_eq!(canon_rows(&a, &[]), canon_rows(&b, &[]), "{}", pushed),
                (Err(a), Err(b)) => prop_assert_eq!(a.kind_name(), b.kind_name(), "{}", pushed),
                (a, b) => return Err(TestCaseError::fail(format!("{pushed}\npushed: {a:?}\npulled: {b:?}"))),
            }
        }
    }

    /// A WHERE right after an expansion is tested on a scratch row before the row is
    /// allocated; after `WITH * SKIP 0` it filters rows as they come. Both must agree.
    #[test]
    fn fused_and_late_filters_agree(g in graph_spec(), qs in prop::collection::vec(query_spec(), 1..6)) {
        let graph = build(&g);
        for q in qs.iter().filter(|q| q.cond.is_some()) {
            let (mut fused, ordered) = q.text();
            let (mut late, _) = q.text_where(" WITH * SKIP 0", true);
            if !fused.contains("(p)") {
                // Without a path to build, the WHERE comes right after the last expansion.
                fused = fused.replacen("MATCH p = ", "MATCH ", 1);
                late = late.replacen("MATCH p = ", "MATCH ", 1);
            }
            let unordered = q.unordered_columns();
            match (graph.query(&fused).threads(1).run(), graph.query(&late).threads(1).run()) {
                (Ok(a), Ok(b)) => {
                    let (mut ra, mut rb) = (canon_rows(&a, &unordered), canon_rows(&b, &unordered));
                    if !ordered {
                        ra.sort();
                        rb.sort();
                    }
                    prop_assert_eq!(ra, rb, "{}", fused);
                }
                (Err(a), Err(b)) => prop_assert_eq!(a.kind_name(), b.kind_name(), "{}", fused),
                (a, b) => return Err(TestCaseError::fail(format!("{fused}\nfused: {a:?}\nlate: {b:?}"))),
            }
        }
    }

    /// A count over a last expansion whose filters only compare the node reached with nodes
    /// bound before runs on node ids alone, writing nothing into the row (`closing.rs`,
    /// `IdShape`); with a `WITH * SKIP 0` before the `RETURN` the same rows go through every
    /// operator and are pulled into the aggregation. Both must agree, nulls, self-loops,
    /// directions and grouping keys included.
    #[test]
    fn counts_on_node_ids_agree_with_the_operator_chain(
        g in graph_spec(),
        qs in prop::collection::vec(prop::sample::select(ID_COUNTS), 1..5),
    ) {
        let graph = build(&g);
        for text in qs {
            let late = text.replacen(" RETURN ", " WITH * SKIP 0 RETURN ", 1);
            let fast = graph.query(text).threads(1).run();
            let pulled = graph.query(&late).threads(1).run();
            match (fast, pulled) {
                (Ok(a), Ok(b)) => {
                    let (mut ra, mut rb) = (canon_rows(&a, &[]), canon_rows(&b, &[]));
                    ra.sort();
                    rb.sort();
                    prop_assert_eq!(ra, rb, "{}", text);
                }
                (Err(a), Err(b)) => prop_assert_eq!(a.kind_name(), b.kind_name(), "{}", text),
                (a, b) => return Err(TestCaseError::fail(format!("{text}\nfast: {a:?}\npulled: {b:?}"))),
            }
        }
    }

    /// The operators at the end of a pipeline push their rows into the result over one row
    /// buffer (see `push.rs`); `pull_only` pulls every row through the operator chain instead.
    /// Both must give the same rows in the same order, or the same error, whatever clauses
    /// come between the MATCH and the RETURN: projections that rebind variables, SKIP, LIMIT,
    /// DISTINCT, UNWIND, OPTIONAL MATCH.
    #[test]
    fn pushed_and_pulled_results_agree(
        g in graph_spec(),
        qs in prop::collection::vec(query_spec(), 1..6),
        tails in prop::collection::vec(prop::sample::select(TAILS), 6),
    ) {
        let graph = build(&g);
        for (q, tail) in qs.iter().zip(&tails) {
            let (text, _) = q.text_with(tail);
            let pushed = graph.query(&text).threads(1).run();
            let pulled = graph.query(&text).threads(1).pull_only().run();
            match (pushed, pulled) {
                (Ok(a), Ok(b)) => prop_assert_eq!(canon_rows(&a, &[]), canon_rows(&b, &[]), "{}", text),
                (Err(a), Err(b)) => prop_assert_eq!(a.kind_name(), b.kind_name(), "{}", text),
                (a, b) => return Err(TestCaseError::fail(format!("{text}\npushed: {a:?}\npulled: {b:?}"))),
            }
        }
    }

    /// The reads before a write clause push their rows too (into the rows the write runs
    /// over): a write statement gives the same rows, in the same order, and makes the same
    /// changes, pushed or pulled.
    #[test]
    fn pushed_and_pulled_reads_before_a_write_agree(
        g in graph_spec(),
        qs in prop::collection::vec(query_spec(), 1..4),
        tails in prop::collection::vec(prop::sample::select(TAILS), 4),
    ) {
        let graph = build(&g);
        for (q, tail) in qs.iter().zip(&tails) {
            let (text, _) = q.text_with(&format!("{tail} CREATE (:Out)"));
            let (mut a, mut b) = (graph.clone(), graph.clone());
            let pushed = a.execute(&text).threads(1).run();
            let pulled = b.execute(&text).threads(1).pull_only().run();
            match (pushed, pulled) {
                (Ok(x), Ok(y)) => {
                    prop_assert_eq!(canon_rows(&x, &[]), canon_rows(&y, &[]), "{}", text);
                    let outs = |g: &Graph| g.query("MATCH (o:Out) RETURN count(o) AS n").run().map(|r| r.get(0, "n").cloned());
                    prop_assert_eq!(outs(&a).ok(), outs(&b).ok(), "{}", text);
                }
                (Err(x), Err(y)) => prop_assert_eq!(x.kind_name(), y.kind_name(), "{}", text),
                (x, y) => return Err(TestCaseError::fail(format!("{text}\npushed: {x:?}\npulled: {y:?}"))),
            }
        }
    }

    /// `PROFILE` runs every row through every operator on one thread (see `profile.rs`): its
    /// rows, their order and its errors are those of a plain run, and its `ProduceResults`
    /// counts the rows returned.
    #[test]
    fn profiled_and_plain_results_agree(
        g in graph_spec(),
        qs in prop::collection::vec(query_spec(), 1..6),
        tails in prop::collection::vec(prop::sample::select(TAILS), 6),
    ) {
        let graph = build(&g);
        for (q, tail) in qs.iter().zip(&tails) {
            let (text, _) = q.text_with(tail);
            let plain = graph.query(&text).run();
            let profiled = graph.query(&format!("PROFILE {text}")).run();
            match (plain, profiled) {
                (Ok(a), Ok(b)) => {
                    prop_assert_eq!(canon_rows(&a, &[]), canon_rows(&b, &[]), "{}", text);
                    let p = b.profile().expect("a profile");
                    prop_assert_eq!(p.operators()[0].rows, b.len() as u64, "{}", text);
                }
                (Err(a), Err(b)) => prop_assert_eq!(a.kind_name(), b.kind_name(), "{}", text),
                (a, b) => return Err(TestCaseError::fail(format!("{text}\nplain: {a:?}\nprofiled: {b:?}"))),
            }
        }
    }

    #[test]
    fn optimised_and_unoptimised_runs_agree(g in graph_spec(), qs in prop::collection::vec(query_spec(), 1..6)) {
        let graph = build(&g);
        for q in &qs {
            let (text, ordered) = q.text();
            compare(&graph, &text, ordered, &q.unordered_columns())?;
        }
    }

    #[test]
    fn a_name_map_gets_an_index_seek(g in graph_spec(), q in query_spec()) {
        // Only the plan's shape is checked; the graph just gives the binder its symbols.
        let graph = build(&g);
        let (text, _) = q.text();
        // Any node of the pattern, at an end or in the middle, may be where the match starts.
        let named = |n: &NodePat| matches!(n.prop, Some(("name", Lit::Str(_))));
        // A graph that never used the key `name` has nothing to seek (and matches nothing).
        let graph_has_names = g.nodes.iter().any(|n| n.name.is_some());
        let has_name = graph_has_names && q.nodes.iter().any(named);
        let plan = plan_of(&graph, &text, true);
        if has_name {
            prop_assert!(
                first_op(&plan).starts_with("NodeIndexSeek(name)"),
                "{}\n{}", text, plan.join("\n")
            );
        }
        let plan = plan_of(&graph, &text, false);
        prop_assert!(!plan.iter().any(|l| l.contains("NodeIndexSeek")), "{}\n{}", text, plan.join("\n"));
    }
}

// ---------------------------------------------------------------------------------------
// EXPLAIN
// ---------------------------------------------------------------------------------------

fn plan_of(g: &Graph, text: &str, optimise: bool) -> Vec<String> {
    let explain = format!("EXPLAIN {text}");
    let q = g.query(&explain).param("n", "a");
    let q = if optimise { q } else { q.without_optimizer() };
    let r = q.run().unwrap_or_else(|e| panic!("{explain}: {e}"));
    assert_eq!(r.columns(), ["plan"]);
    r.column("plan")
        .map(|v| v.as_str().expect("plan lines are strings").to_owned())
        .collect()
}

/// The operator that runs first: the plan is printed from the output end.
fn first_op(plan: &[String]) -> String {
    plan.last().map(|l| l.trim().to_owned()).unwrap_or_default()
}

#[test]
fn explain_starts_with_an_index_seek_for_name_patterns() {
    let g = Graph::ecosystem().unwrap();
    for q in [
        "MATCH (c:Company {name: 'AstraZeneca'}) RETURN c.country",
        "MATCH (c {name: 'AstraZeneca'})-[:SIGNS_WITH]-(p) RETURN DISTINCT p.name",
        // The named node is at the right end: the optimiser starts there.
        "MATCH (p)-[:SIGNS_WITH]-(c:Company {name: 'AstraZeneca'}) RETURN p.name",
        "MATCH (a:Company)-[:LOCATED_IN]->(p:Place)-[:LOCATED_IN]->(e:Place {name: $n}) RETURN a.name",
        // A WHERE equality on name is pushed into the pattern and seeks too.
        "MATCH (c:Company) WHERE c.name = 'Pfizer' RETURN c.country",
        "MATCH (a)-[:FOUNDS]->(c) WHERE c.name = $n RETURN a.name",
        "MATCH p = shortestPath((a {name: 'AstraZeneca'})-[*..10]-(b {name: 'Medtronic'})) RETURN length(p)",
    ] {
        let plan = plan_of(&g, q, true);
        assert!(
            first_op(&plan).starts_with("NodeIndexSeek(name)"),
            "{q}\n{}",
            plan.join("\n")
        );
        assert_eq!(
            plan[0],
            format!(
                "ProduceResults {}",
                g.query(q).param("n", "x").run().unwrap().columns().join(", ")
            )
        );
        let plain = plan_of(&g, q, false);
        assert!(
            !plain.iter().any(|l| l.contains("NodeIndexSeek")),
            "{q} without the optimiser\n{}",
            plain.join("\n")
        );
    }
    // No name in the pattern: a label scan (or all nodes) starts it.
    let plan = plan_of(&g, "MATCH (c:Company)-[:SIGNS_WITH]-(p) RETURN count(*)", true);
    assert!(
        first_op(&plan).starts_with("NodeByLabelScan"),
        "{}",
        plan.join("\n")
    );
    let plan = plan_of(&g, "MATCH (c)-[:SIGNS_WITH]-(p) RETURN count(*)", true);
    assert!(first_op(&plan).starts_with("AllNodesScan"), "{}", plan.join("\n"));
}

#[test]
fn the_optimised_and_plain_plans_answer_the_same_on_the_dataset() {
    let g = Graph::ecosystem().unwrap();
    for (q, ordered) in [
        ("MATCH (p)-[:SIGNS_WITH]-(c:Company {name: 'AstraZeneca'}) RETURN p.name", false),
        ("MATCH (c:Company) WHERE c.name = 'Pfizer' OR c.country = 'GB' RETURN c.name", false),
        (
            "MATCH (a:Company)-[:LOCATED_IN*1..3]->(p:Place {name: 'China'}) RETURN a.name AS n ORDER BY n",
            true,
        ),
        ("MATCH (a)-[r]->(b {name: 'Beijing Economic-Technological Development Area'}) RETURN type(r), a.name", false),
        ("MATCH (a {name: 'AstraZeneca'})--(x)--(b {name: 'Medtronic'}) RETURN x.name", false),
        ("MATCH (n) WHERE n.name = '阿斯利康' OR n.name_zh = '阿斯利康' RETURN n.name", false),
    ] {
        let a = g.query(q).run().unwrap();
        let b = g.query(q).without_optimizer().run().unwrap();
        let (mut ra, mut rb) = (canon_rows(&a, &[]), canon_rows(&b, &[]));
        if !ordered {
            ra.sort();
            rb.sort();
        }
        assert_eq!(ra, rb, "{q}");
        assert!(!ra.is_empty(), "{q} should have rows");
    }
}
