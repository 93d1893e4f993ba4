//! Plan regression tests: the plans of the benchmark queries (`../shared/bench/queries.md`),
//! pinned through `EXPLAIN`, in the spirit of oxigraph's `optimizer_regression.rs`. A change
//! to the binder or the optimiser that makes one of these plans worse (a scan instead of an
//! index seek, a filter after an expand instead of inside it, a full sort instead of a top-k)
//! fails here before it shows as a slower benchmark.
//!
//! Each plan is compared as the list of its operators, from the output end (as `EXPLAIN`
//! prints it) to the operator that runs first; slot numbers are left out, the checks an
//! operator carries are kept where they are the point.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use kgraph::Graph;

const Q1: &str = "MATCH (c:Company {name: $name}) \
    RETURN c.name AS name, c.kind AS kind, c.country AS country, c.aliases AS aliases";
const Q2: &str = "MATCH (c:Company {name: $name})-[:SIGNS_WITH]-(p) RETURN DISTINCT p.name AS partner";
const Q3: &str = "MATCH (c:Company)-[:LOCATED_IN]->(p:Place) WHERE c.kind = $kind \
    RETURN p.name AS place, count(*) AS companies ORDER BY companies DESC, place ASC LIMIT 10";
const Q4: &str = "MATCH (c:Company {name: $name})-[:SIGNS_WITH]-()-[:SIGNS_WITH]-(x) WHERE x <> c \
    RETURN count(DISTINCT x) AS n";
const Q5: &str = "MATCH (inv)-[i:INVESTS_IN]->(p:Place)-[:LOCATED_IN]->(prov:Place {name: $province}) \
    WHERE i.amount >= $min_amount \
    RETURN inv.name AS investor, p.name AS place, i.amount AS amount, i.currency AS currency";
const Q6: &str =
    "MATCH (s:Company {name: $name})-[:LOCATED_IN|PART_OF*1..4]->(t) RETURN DISTINCT t.name AS name";
const Q7: &str = "MATCH p = shortestPath((a:Person {name: $from})-[*..30]-(b:Product {name: $to})) \
    RETURN length(p) AS hops";
const Q8: &str = "MATCH (c:Company)-[i:INVESTS_IN]->() WHERE i.currency = $currency \
    RETURN c.country AS country, sum(i.amount) AS total ORDER BY total DESC, country ASC LIMIT 10";

/// The lines `EXPLAIN` prints for `text`, trimmed.
fn explain(text: &str) -> Vec<String> {
    let g = Graph::ecosystem().unwrap();
    let explain = format!("EXPLAIN {text}");
    let r = g
        .query(&explain)
        .param("name", "AstraZeneca")
        .param("kind", "pharma")
        .param("province", "Jiangsu")
        .param("min_amount", 1.0e8)
        .param("from", "a")
        .param("to", "b")
        .param("currency", "USD")
        .run()
        .unwrap_or_else(|e| panic!("{explain}: {e}"));
    assert_eq!(r.columns(), ["plan"]);
    r.column("plan")
        .map(|v| v.as_str().expect("plan lines are strings").trim().to_owned())
        .collect()
}

/// The operator names of a plan, output end first.
fn ops(plan: &[String]) -> Vec<&str> {
    plan.iter()
        .map(|l| l.split_whitespace().next().unwrap_or_default())
        .collect()
}

fn assert_ops(text: &str, want: &[&str]) -> Vec<String> {
    let plan = explain(text);
    assert_eq!(ops(&plan), want, "{text}\n{}", plan.join("\n"));
    plan
}

/// The line of the first operator named `name`.
fn line<'a>(plan: &'a [String], name: &str) -> &'a str {
    plan.iter()
        .find(|l| l.split_whitespace().next() == Some(name))
        .map(String::as_str)
        .unwrap_or_else(|| panic!("no {name} in\n{}", plan.join("\n")))
}

#[test]
fn q1_point_lookup_seeks_the_name_index() {
    let plan = assert_ops(Q1, &["ProduceResults", "Projection", "NodeIndexSeek(name)"]);
    // The label is checked on the node the seek found, not scanned.
    assert!(line(&plan, "NodeIndexSeek(name)").contains("1 label(s)"));
}

#[test]
fn q2_one_hop_seeks_then_expands_once() {
    assert_ops(
        Q2,
        &[
            "ProduceResults",
            "Distinct",
            "Projection",
            "Expand",
            "NodeIndexSeek(name)",
        ],
    );
}

#[test]
fn q3_scans_located_in_relationships_with_both_checks_and_keeps_the_top_ten() {
    let plan = assert_ops(
        Q3,
        &[
            "ProduceResults",
            "Top",
            "Projection",
            "Aggregation",
            "RelationshipScan",
        ],
    );
    // One pass over the relationships instead of a label scan and an expand per company;
    // `c.kind = $kind` is checked on the start (no Filter is left), `:Place` on the end.
    let scan = line(&plan, "RelationshipScan");
    assert!(scan.contains("-->"), "{scan}");
    assert!(
        scan.contains("[1 label(s)] from [1 label(s), 1 property check(s)]"),
        "{scan}"
    );
    assert!(!plan.iter().any(|l| l.starts_with("Filter")));
}

#[test]
fn q4_two_hops_from_the_seek() {
    assert_ops(
        Q4,
        &[
            "ProduceResults",
            "Projection",
            "Aggregation",
            "Filter",
            // Each expand excludes the relationships matched before it: no check at the end.
            "Expand",
            "Expand",
            "NodeIndexSeek(name)",
        ],
    );
}

#[test]
fn q5_starts_at_the_named_province() {
    let plan = assert_ops(
        Q5,
        &[
            "ProduceResults",
            "Projection",
            "Filter",
            "Expand",
            "Expand",
            "NodeIndexSeek(name)",
        ],
    );
    // The seek is on the right end of the pattern; the expands walk back against the arrows.
    assert!(plan
        .iter()
        .filter(|l| l.starts_with("Expand"))
        .all(|l| l.contains("<--")));
}

#[test]
fn q6_variable_length_from_the_seek() {
    assert_ops(
        Q6,
        &[
            "ProduceResults",
            "Distinct",
            "Projection",
            "VarLengthExpand",
            "NodeIndexSeek(name)",
        ],
    );
}

#[test]
fn q7_shortest_path_between_two_seeks() {
    assert_ops(
        Q7,
        &[
            "ProduceResults",
            "Projection",
            "ShortestPath",
            "NodeIndexSeek(name)",
            "NodeIndexSeek(name)",
        ],
    );
}

#[test]
fn q8_checks_the_relationship_property_inside_the_relationship_scan() {
    let plan = assert_ops(
        Q8,
        &[
            "ProduceResults",
            "Top",
            "Projection",
            "Aggregation",
            "RelationshipScan",
        ],
    );
    let scan = line(&plan, "RelationshipScan");
    assert!(scan.contains("1 relationship property check(s)"), "{scan}");
    assert!(scan.contains("from [1 label(s)]"), "{scan}");
    assert!(!plan.iter().any(|l| l.starts_with("Filter")));
}

#[test]
fn no_relationship_scan_without_the_optimiser_or_from_a_bound_node() {
    let g = Graph::ecosystem().unwrap();
    let r = g
        .query(&format!("EXPLAIN {Q3}"))
        .param("kind", "pharma")
        .without_optimizer()
        .run()
        .unwrap();
    let plan: Vec<String> = r
        .column("plan")
        .map(|v| v.as_str().unwrap().trim().to_owned())
        .collect();
    assert!(
        !plan.iter().any(|l| l.starts_with("RelationshipScan")),
        "{}",
        plan.join("\n")
    );
    assert_eq!(ops(&plan).last(), Some(&"NodeByLabelScan"), "{}", plan.join("\n"));
    // Undirected: each relationship would be two rows; that stays an expand.
    let plan = explain("MATCH (c:Company)-[:SIGNS_WITH]-(p) RETURN count(*) AS n");
    assert!(
        !plan.iter().any(|l| l.starts_with("RelationshipScan")),
        "{}",
        plan.join("\n")
    );
}

#[test]
fn relationship_equalities_stay_filters_without_the_optimiser() {
    let g = Graph::ecosystem().unwrap();
    let r = g
        .query(&format!("EXPLAIN {Q8}"))
        .param("currency", "USD")
        .without_optimizer()
        .run()
        .unwrap();
    let plan: Vec<String> = r
        .column("plan")
        .map(|v| v.as_str().unwrap().trim().to_owned())
        .collect();
    assert!(
        plan.iter().any(|l| l.starts_with("Filter")),
        "{}",
        plan.join("\n")
    );
}

#[test]
fn relationship_equalities_go_to_the_expand_that_binds_the_relationship() {
    // Started from the named end, the expand walks against the arrow and still checks `i`.
    let plan = assert_ops(
        "MATCH (inv)-[i:INVESTS_IN]->(p:Place {name: $province}) WHERE i.currency = $currency RETURN inv",
        &["ProduceResults", "Projection", "Expand", "NodeIndexSeek(name)"],
    );
    assert!(line(&plan, "Expand").contains("1 relationship property check(s)"));
}

// ---------------------------------------------------------------------------------------
// The plan cache: a repeated read query reuses its plan only while nothing it was bound
// against has changed.
// ---------------------------------------------------------------------------------------

#[test]
fn a_cached_plan_sees_labels_types_and_keys_created_after_it() {
    let mut g = Graph::new();
    let q = "MATCH (a:Late)-[r:LATER]->(b) WHERE r.k = 1 RETURN b.name AS name";
    // Bound while the graph knows none of the names: they bind to nothing.
    assert_eq!(g.query(q).run().unwrap().len(), 0);
    g.execute("CREATE (:Late)-[:LATER {k: 1}]->({name: 'x'})")
        .run()
        .unwrap();
    let r = g.query(q).run().unwrap();
    assert_eq!(r.len(), 1, "a stale plan would still match nothing");
}

#[test]
fn a_cached_plan_still_needs_its_parameters() {
    let g = Graph::ecosystem().unwrap();
    let q = "MATCH (c:Company {name: $name}) RETURN c.name AS name";
    assert_eq!(g.query(q).param("name", "AstraZeneca").run().unwrap().len(), 1);
    assert!(g.query(q).run().is_err(), "the parameter is missing");
    assert_eq!(g.query(q).param("name", "Pfizer").run().unwrap().len(), 1);
    // The optimiser switch is part of the key: without it, no index seek.
    let plan = g
        .query(&format!("EXPLAIN {q}"))
        .param("name", "Pfizer")
        .without_optimizer()
        .run()
        .unwrap();
    assert!(!plan
        .column("plan")
        .any(|v| v.as_str().unwrap().contains("NodeIndexSeek")));
}

/// Two ten-node fans, `a` to `x1..x10` and `b` to `y1..y10`, each `xi` joined to `yi`, and
/// every `xi` and `yi` with 100 leaves besides.
fn fans() -> Graph {
    let mut g = Graph::new();
    let a = g.add_node(&["P"], [("name", "a")]).unwrap();
    let b = g.add_node(&["P"], [("name", "b")]).unwrap();
    for i in 0..10 {
        let x = g.add_node(&["M"], [("k", i)]).unwrap();
        let y = g.add_node(&["M"], [("k", i)]).unwrap();
        g.add_relationship(a, x, "T", [("k", 0)]).unwrap();
        g.add_relationship(y, b, "T", [("k", 0)]).unwrap();
        g.add_relationship(x, y, "T", [("k", 0)]).unwrap();
        for _ in 0..100 {
            for hub in [x, y] {
                let leaf = g.add_node(&["L"], [("k", 0)]).unwrap();
                g.add_relationship(hub, leaf, "T", [("k", 0)]).unwrap();
            }
        }
    }
    g
}

/// Counted in relationships followed: one shortest path stops at the first meeting. Here it
/// follows the 10 + 10 relationships of the two fans and the 102 of one `xi`; finishing the
/// level, as all shortest paths must, follows the 102 of every `xi`.
#[test]
fn one_shortest_path_stops_at_the_first_meeting() {
    let g = fans();
    let one = "MATCH p = shortestPath((a:P {name: 'a'})-[*]-(b:P {name: 'b'})) RETURN length(p) AS n";
    let r = g.query(one).max_expansions(200).run().unwrap();
    assert_eq!(r.get(0, "n"), Some(&kgraph::Value::Int(3)));
    let all = "MATCH p = allShortestPaths((a:P {name: 'a'})-[*]-(b:P {name: 'b'})) RETURN count(p) AS n";
    let err = g.query(all).max_expansions(200).run().unwrap_err();
    assert_eq!(err.kind_name(), "LimitExceeded", "{err}");
    let r = g.query(all).max_expansions(1100).run().unwrap();
    assert_eq!(r.get(0, "n"), Some(&kgraph::Value::Int(10)));
}
