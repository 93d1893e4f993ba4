//! `PROFILE` through the public API: the statement runs for real (reads and writes, in every
//! way a statement can be run), its answer is that of a plain run, and its profile has one
//! entry per line of the plan `EXPLAIN` prints, with the rows each operator produced.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::time::Duration;

use kgraph::{Database, Graph, OperatorProfile, Params, Prepared, Profile, QueryError, QueryResult, Value};

/// Ten `:N` nodes numbered 1 to 10, each linked to the next by `NEXT`.
fn chain() -> Graph {
    let mut g = Graph::new();
    g.execute("UNWIND range(1, 10) AS i CREATE (:N {i: i})")
        .run()
        .unwrap();
    g.execute("MATCH (a:N), (b:N) WHERE b.i = a.i + 1 CREATE (a)-[:NEXT]->(b)")
        .run()
        .unwrap();
    g
}

fn profile(r: &QueryResult) -> &Profile {
    r.profile().expect("a PROFILE statement's result has a profile")
}

/// The rows of the only operator called `name`.
fn rows_of(p: &Profile, name: &str) -> u64 {
    let found: Vec<&OperatorProfile> = p.operators().iter().filter(|o| o.operator == name).collect();
    assert_eq!(found.len(), 1, "one {name} in\n{p}");
    found[0].rows
}

fn names(p: &Profile) -> Vec<&str> {
    p.operators().iter().map(|o| o.operator.as_str()).collect()
}

/// The lines `EXPLAIN` prints for `text` (a statement without prefix).
fn explain_lines(g: &Graph, text: &str) -> Vec<String> {
    g.query(&format!("EXPLAIN {text}"))
        .run()
        .unwrap()
        .column("plan")
        .map(|v| v.as_str().unwrap().to_owned())
        .collect()
}

/// The profile's operators printed as `EXPLAIN` prints its lines.
fn as_explain(p: &Profile) -> Vec<String> {
    p.operators()
        .iter()
        .map(|o| {
            let sep = if o.details.is_empty() && o.depth > 0 {
                ""
            } else {
                " "
            };
            format!(
                "{:indent$}{}{sep}{}",
                "",
                o.operator,
                o.details,
                indent = 2 * o.depth
            )
        })
        .collect()
}

/// Every operator's time adds up to the total, exactly: each clock reading is charged to one
/// operator once.
fn assert_times_add_up(p: &Profile) {
    let sum: Duration = p.operators().iter().map(|o| o.time).sum();
    assert_eq!(sum, p.total_time(), "\n{p}");
}

#[test]
fn a_scan_then_a_filter_reports_each_operators_rows() {
    let g = chain();
    let q = "MATCH (n:N) WHERE n.i <= 3 RETURN n.i AS i";
    let r = g.query(&format!("PROFILE {q}")).run().unwrap();
    // The answer of a plain run; only the profile differs.
    assert!(g.query(q).run().unwrap().profile().is_none());
    assert_eq!(r.rows(), g.query(q).run().unwrap().rows());
    assert_eq!(r.columns(), ["i"]);
    let p = profile(&r);
    assert_eq!(
        names(p),
        ["ProduceResults", "Projection", "Filter", "NodeByLabelScan"]
    );
    assert_eq!(rows_of(p, "NodeByLabelScan"), 10);
    assert_eq!(rows_of(p, "Filter"), 3);
    assert_eq!(rows_of(p, "Projection"), 3);
    assert_eq!(rows_of(p, "ProduceResults"), 3);
    assert_eq!(p.operators()[0].depth, 0);
    assert_eq!(p.operators()[0].details, "i");
    assert_times_add_up(p);
    assert!(p.total_time() > Duration::ZERO);
    // The profile is the plan EXPLAIN prints, line for line.
    assert_eq!(as_explain(p), explain_lines(&g, q));
}

#[test]
fn the_profile_has_the_tree_explain_prints() {
    let g = chain();
    for q in [
        "MATCH (a:N)-[:NEXT]->(b) WHERE b.i > 7 RETURN a.i AS a, b.i AS b",
        "MATCH (n:N) OPTIONAL MATCH (n)-[:NEXT]->(m) WHERE m.i > 8 RETURN n.i AS n, m.i AS m",
        "MATCH (n:N) CALL { WITH n MATCH (n)-->(m) RETURN m } RETURN n.i AS n, m.i AS m",
        "MATCH (n:N) RETURN n.i % 3 AS k, count(*) AS c ORDER BY k",
        "MATCH (n:N) WITH n ORDER BY n.i DESC LIMIT 4 RETURN collect(n.i) AS top",
        "RETURN 1 AS a UNION RETURN 1 AS a UNION RETURN 2 AS a",
        "UNWIND [1, 2, 2, 3] AS x RETURN DISTINCT x SKIP 1",
        "MATCH p = (a:N {i: 1})-[:NEXT*1..3]->(b) RETURN length(p) AS l",
        "MATCH (n:N) WHERE EXISTS { (n)-[:NEXT]->() } RETURN count(n) AS c",
        "CALL db.labels() YIELD label RETURN label",
    ] {
        let r = g.query(&format!("PROFILE {q}")).run().unwrap();
        let p = profile(&r);
        assert_eq!(as_explain(p), explain_lines(&g, q), "{q}");
        assert_eq!(r.rows(), g.query(q).run().unwrap().rows(), "{q}");
        assert_eq!(p.operators()[0].rows, r.len() as u64, "{q}");
        assert_times_add_up(p);
    }
}

#[test]
fn nested_and_lazy_operators_count_what_they_produced() {
    let g = chain();
    // OPTIONAL MATCH: the inner pipeline runs once per outer row; its counts are summed.
    let r = g
        .query("PROFILE MATCH (n:N) OPTIONAL MATCH (n)-[:NEXT]->(m) WHERE m.i > 8 RETURN n.i AS n, m.i AS m")
        .run()
        .unwrap();
    let p = profile(&r);
    assert_eq!(rows_of(p, "Optional"), 10);
    assert_eq!(rows_of(p, "Argument"), 10);
    assert_eq!(rows_of(p, "Expand"), 9);
    assert_eq!(rows_of(p, "Filter"), 2);
    // The optional's inner operators sit under it.
    let depth = |name: &str| p.operators().iter().find(|o| o.operator == name).unwrap().depth;
    assert!(depth("Expand") > depth("Optional"));

    // Aggregation: ten rows in, one per group out.
    let r = g
        .query("PROFILE MATCH (n:N) RETURN n.i % 2 AS k, count(*) AS c")
        .run()
        .unwrap();
    let p = profile(&r);
    assert_eq!(rows_of(p, "NodeByLabelScan"), 10);
    assert_eq!(rows_of(p, "Aggregation"), 2);
    assert_eq!(r.len(), 2);

    // LIMIT pulls only what it needs: the scan under it stops early, as in a plain run.
    let r = g
        .query("PROFILE MATCH (n:N) RETURN n.i AS i LIMIT 2")
        .run()
        .unwrap();
    let p = profile(&r);
    assert_eq!(rows_of(p, "Limit"), 2);
    assert_eq!(rows_of(p, "NodeByLabelScan"), 2);

    // UNION: each part's line counts the rows that part gave, before de-duplication.
    let r = g
        .query("PROFILE RETURN 1 AS a UNION RETURN 1 AS a UNION RETURN 2 AS a")
        .run()
        .unwrap();
    let p = profile(&r);
    let parts: Vec<u64> = p
        .operators()
        .iter()
        .filter(|o| o.operator == "Union")
        .map(|o| o.rows)
        .collect();
    assert_eq!(parts, [1, 1, 1]);
    assert_eq!(p.operators()[0].rows, 2);
}

#[test]
fn a_parallel_aggregation_counts_every_row_once() {
    // An aggregation over this many rows would be shared out to threads; a profiled run
    // takes one thread, and each operator's count is the whole input's.
    let g = Graph::new();
    let q = "UNWIND range(1, 200000) AS x WITH x WHERE x % 2 = 0 RETURN x % 3 AS k, count(*) AS c ORDER BY k";
    let plain = g.query(q).threads(4).run().unwrap();
    let r = g.query(&format!("PROFILE {q}")).threads(4).run().unwrap();
    assert_eq!(r.rows(), plain.rows());
    let p = profile(&r);
    assert_eq!(rows_of(p, "Unwind"), 200_000);
    assert_eq!(rows_of(p, "Filter"), 100_000);
    assert_eq!(rows_of(p, "Aggregation"), 3);
    assert_eq!(rows_of(p, "Sort"), 3);
    assert_times_add_up(p);

    // A relationship scan (shared out by ranges when not profiled) too.
    let g = chain();
    let q = "MATCH (a:N)-[:NEXT]->(b) RETURN count(*) AS c";
    let r = g.query(&format!("PROFILE {q}")).threads(4).run().unwrap();
    assert_eq!(r.rows(), g.query(q).threads(4).run().unwrap().rows());
    assert_eq!(r.get(0, "c"), Some(&Value::Int(9)));
}

#[test]
fn a_profiled_write_applies_the_write_and_reports_it() {
    let mut g = chain();
    let r = g
        .execute("PROFILE MATCH (n:N) WHERE n.i > 8 SET n.big = true RETURN n.i AS i")
        .run()
        .unwrap();
    assert_eq!(r.len(), 2);
    assert_eq!(r.stats().properties_set, 2);
    let p = profile(&r);
    assert_eq!(rows_of(p, "NodeByLabelScan"), 10);
    assert_eq!(rows_of(p, "Filter"), 2);
    assert_eq!(rows_of(p, "SetProperties"), 2);
    assert_eq!(p.operators()[0].rows, 2);
    assert_times_add_up(p);
    let big = g
        .query("MATCH (n:N) WHERE n.big RETURN count(*) AS c")
        .run()
        .unwrap();
    assert_eq!(big.get(0, "c"), Some(&Value::Int(2)));

    // A write that returns nothing: no rows out, the write's own rows and the statistics.
    let r = g
        .execute("PROFILE UNWIND [1, 2] AS k FOREACH (j IN [1, 2, 3] | CREATE (:F {j: j}))")
        .run()
        .unwrap();
    assert!(r.is_empty());
    assert_eq!(r.stats().nodes_created, 6);
    let p = profile(&r);
    assert_eq!(names(p), ["ProduceResults", "Foreach", "Create", "Unwind"]);
    assert_eq!(
        (rows_of(p, "Unwind"), rows_of(p, "Foreach"), rows_of(p, "Create")),
        (2, 2, 6)
    );
    assert_eq!(p.operators()[0].rows, 0);
    assert_eq!(
        g.query("MATCH (f:F) RETURN count(f) AS c")
            .run()
            .unwrap()
            .get(0, "c"),
        Some(&Value::Int(6))
    );

    // MERGE: its matcher is profiled under it.
    let r = g
        .execute("PROFILE MERGE (x:N {i: 42}) ON CREATE SET x.new = true")
        .run()
        .unwrap();
    assert_eq!(r.stats().nodes_created, 1);
    let p = profile(&r);
    assert_eq!(rows_of(p, "Merge"), 1);
    assert_eq!(rows_of(p, "NodeByLabelScan"), 0);
    assert_eq!(as_explain(p), {
        let mut g2 = chain();
        let lines: Vec<String> = g2
            .execute("EXPLAIN MERGE (x:N {i: 42}) ON CREATE SET x.new = true")
            .run()
            .unwrap()
            .column("plan")
            .map(|v| v.as_str().unwrap().to_owned())
            .collect();
        lines
    });

    // A read run through `execute` is profiled as a read.
    let r = g
        .execute("PROFILE MATCH (n:N) RETURN count(*) AS c")
        .run()
        .unwrap();
    assert_eq!(r.get(0, "c"), Some(&Value::Int(11)));
    assert_eq!(rows_of(profile(&r), "NodeByLabelScan"), 11);
}

#[test]
fn profile_of_a_failing_statement_returns_the_error_and_undoes_the_write() {
    let mut g = chain();
    let plain = g.query("MATCH (n:N) RETURN n.i / 0 AS x").run().unwrap_err();
    let err = g
        .query("PROFILE MATCH (n:N) RETURN n.i / 0 AS x")
        .run()
        .unwrap_err();
    assert_eq!(err.kind_name(), plain.kind_name());
    // The same error, its column moved by the prefix.
    match (&err, &plain) {
        (
            QueryError::Runtime {
                kind, line, column, ..
            },
            QueryError::Runtime {
                kind: k,
                line: l,
                column: c,
                ..
            },
        ) => {
            assert_eq!((kind, line), (k, l));
            assert_eq!(*column, c.map(|c| c + "PROFILE ".len()));
        }
        other => panic!("{other:?}"),
    }

    let err = g
        .execute("PROFILE MATCH (n:N) SET n.x = n.i / 0")
        .run()
        .unwrap_err();
    assert_eq!(err.kind_name(), "ArithmeticError");
    assert_eq!(
        g.query("MATCH (n:N) WHERE n.x IS NOT NULL RETURN count(*) AS c")
            .run()
            .unwrap()
            .get(0, "c"),
        Some(&Value::Int(0))
    );

    // A write is refused by a read-only query, profiled or not.
    let err = g.query("PROFILE CREATE (:X)").run().unwrap_err();
    assert_eq!(
        err.kind_name(),
        g.query("CREATE (:X)").run().unwrap_err().kind_name()
    );

    // Semantic errors are reported before anything runs.
    let err = g.query("PROFILE MATCH (n) RETURN m").run().unwrap_err();
    assert!(matches!(err, QueryError::Semantic { .. }), "{err:?}");
}

#[test]
fn explain_with_profile_is_a_syntax_error_with_its_position() {
    let g = Graph::new();
    for (q, line, column) in [
        ("EXPLAIN PROFILE RETURN 1", 1, 9),
        ("PROFILE\nEXPLAIN RETURN 1", 2, 1),
    ] {
        match g.query(q).run().unwrap_err() {
            QueryError::Syntax(e) => {
                assert_eq!((e.line(), e.column()), (line, column), "{q}: {e}");
                assert!(e.message().contains("cannot follow"), "{e}");
            }
            other => panic!("{q}: {other:?}"),
        }
    }
}

#[test]
fn explain_is_unchanged() {
    let g = chain();
    let r = g
        .query("EXPLAIN MATCH (n:N) WHERE n.i <= 3 RETURN n.i AS i")
        .run()
        .unwrap();
    assert!(r.profile().is_none());
    assert_eq!(r.columns(), ["plan"]);
    let lines: Vec<&str> = r.column("plan").map(|v| v.as_str().unwrap()).collect();
    assert_eq!(
        lines,
        [
            "ProduceResults i",
            "  Projection $1",
            "    Filter",
            "    NodeByLabelScan $0 [1 label(s)]"
        ]
    );
    let r = g
        .query("EXPLAIN RETURN 1 AS a UNION ALL RETURN 2 AS a")
        .run()
        .unwrap();
    let lines: Vec<&str> = r.column("plan").map(|v| v.as_str().unwrap()).collect();
    assert_eq!(
        lines,
        [
            "ProduceResults a",
            "  UnionAll part 1",
            "  Projection $0",
            "  UnionAll part 2",
            "  Projection $1"
        ]
    );
    // A write without RETURN: `ProduceResults` keeps its trailing space, as before.
    let mut g = chain();
    let r = g.execute("EXPLAIN CREATE (:A)").run().unwrap();
    assert_eq!(r.rows()[0][0], Value::from("ProduceResults "));
    assert_eq!(g.node_count(), 10);
}

#[test]
fn the_table_lines_up() {
    let mut g = chain();
    g.execute("CREATE (:N {i: 0, 名称: '阿斯利康'})").run().unwrap();
    let r = g
        .query("PROFILE MATCH (n:N) WHERE n.名称 = '阿斯利康' OPTIONAL MATCH (n)-[r]->(m) RETURN n.i AS i, m")
        .run()
        .unwrap();
    let p = profile(&r);
    let table = p.to_string();
    let lines: Vec<Vec<char>> = table.lines().map(|l| l.chars().collect()).collect();
    let header: String = lines[0].iter().collect();
    let at = |word: &str| header.find(word).map(|b| header[..b].chars().count()).unwrap();
    let details = at("Details");
    let rows_end = at("Rows") + 4;
    let time_end = at("Time (ms)") + "Time (ms)".len();
    assert_eq!(lines[0].len(), time_end);
    assert!(lines[1].iter().all(|c| *c == '-'));
    assert_eq!(lines[1].len(), time_end);
    let ops = p.operators();
    assert_eq!(lines.len(), ops.len() + 4, "{table}");
    for (o, line) in ops.iter().zip(&lines[2..]) {
        let text: String = line.iter().collect();
        assert_eq!(
            line.len(),
            time_end,
            "every line ends at the time column:\n{table}"
        );
        let name: String = line[..details].iter().collect();
        assert_eq!(
            name.trim_end(),
            format!("{:1$}{2}", "", 2 * o.depth, o.operator),
            "{text}"
        );
        let detail: String = line[details..details + o.details.chars().count()]
            .iter()
            .collect();
        assert_eq!(detail, o.details, "{text}");
        let rows: String = line[..rows_end].iter().collect();
        assert!(rows.ends_with(&format!(" {}", o.rows)), "{text}");
        let time: String = line[rows_end..].iter().collect();
        let ms: f64 = time.trim().parse().unwrap();
        assert!((ms - o.time.as_secs_f64() * 1000.0).abs() < 0.001, "{text}");
    }
    assert!(lines[ops.len() + 2].iter().all(|c| *c == '-'));
    let total: String = lines[ops.len() + 3].iter().collect();
    assert_eq!(
        total,
        format!("Total time: {:.3} ms", p.total_time().as_secs_f64() * 1000.0)
    );
}

#[test]
fn every_way_of_running_a_statement_profiles_it() {
    let db = Database::from_graph(chain());
    // A read transaction.
    let r = db
        .read()
        .query("PROFILE MATCH (n:N) WHERE n.i > 5 RETURN n.i AS i")
        .run()
        .unwrap();
    assert_eq!(rows_of(profile(&r), "Filter"), 5);
    // A write transaction: the profiled write commits like any other.
    let mut tx = db.write();
    let r = tx
        .execute("PROFILE MATCH (n:N {i: 1}) CREATE (n)-[:T]->(:M) RETURN count(*) AS c")
        .run()
        .unwrap();
    assert_eq!(r.stats().nodes_created, 1);
    assert_eq!(rows_of(profile(&r), "Create"), 1);
    let r = tx.query("PROFILE MATCH (m:M) RETURN m").run().unwrap();
    assert_eq!(rows_of(profile(&r), "NodeByLabelScan"), 1);
    tx.commit().unwrap();
    assert_eq!(
        db.read()
            .query("MATCH (m:M) RETURN count(*) AS c")
            .run()
            .unwrap()
            .get(0, "c"),
        Some(&Value::Int(1))
    );
    // Database::execute.
    let r = db.execute("PROFILE CREATE (:M)").unwrap();
    assert!(r.profile().is_some());

    // Prepared statements, run again from their cached plan.
    let mut g = chain();
    let stmt = Prepared::new("PROFILE MATCH (n:N) WHERE n.i > $min RETURN n.i AS i").unwrap();
    for min in [7, 8] {
        let r = stmt.query(&g).param("min", min).run().unwrap();
        assert_eq!(rows_of(profile(&r), "Filter"), (10 - min) as u64);
    }
    let stmt = Prepared::new("PROFILE CREATE (:P {x: $x})").unwrap();
    for x in 0..2 {
        let r = stmt.execute(&mut g).param("x", x).run().unwrap();
        assert_eq!(rows_of(profile(&r), "Create"), 1);
    }

    // The thread's plan cache: a second run of the same text is profiled too, and the plain
    // text is not.
    for _ in 0..2 {
        let r = g.query("PROFILE MATCH (p:P) RETURN p.x AS x").run().unwrap();
        assert_eq!(rows_of(profile(&r), "NodeByLabelScan"), 2);
        assert!(g
            .query("MATCH (p:P) RETURN p.x AS x")
            .run()
            .unwrap()
            .profile()
            .is_none());
    }
    for _ in 0..2 {
        let r = g.execute("PROFILE MATCH (p:P) SET p.y = 1").run().unwrap();
        assert_eq!(rows_of(profile(&r), "SetProperties"), 2);
    }

    // A stream runs a profiled statement whole; its rows are those of the result.
    let stream = g
        .query("PROFILE MATCH (n:N) RETURN n.i AS i ORDER BY i")
        .stream()
        .unwrap();
    assert_eq!(stream.profile().map(|p| p.operators()[0].rows), Some(10));
    assert_eq!(
        stream
            .map(|r| r.unwrap().get::<i64>("i").unwrap())
            .collect::<Vec<_>>(),
        (1..=10).collect::<Vec<_>>()
    );

    // A statement nested deeply enough to run on a thread of its own.
    let deep = format!("PROFILE RETURN {}1{} AS x", "(".repeat(40), ")".repeat(40));
    let r = g.query(&deep).run().unwrap();
    assert_eq!(r.get(0, "x"), Some(&Value::Int(1)));
    assert_eq!(names(profile(&r)), ["ProduceResults", "Projection"]);
}

#[test]
fn profiled_benchmark_queries_answer_as_plain_ones() {
    let g = Graph::ecosystem().unwrap();
    let params = Params::new()
        .with("name", "AstraZeneca")
        .with("kind", "pharma")
        .with("province", "Jiangsu")
        .with("min_amount", 1.0e8)
        .with("from", "Pascal Soriot")
        .with("to", "Tagrisso")
        .with("currency", "USD");
    for q in [
        "MATCH (c:Company {name: $name}) RETURN c.name AS name, c.kind AS kind, c.country AS country",
        "MATCH (c:Company {name: $name})-[:SIGNS_WITH]-(p) RETURN DISTINCT p.name AS partner",
        "MATCH (c:Company)-[:LOCATED_IN]->(p:Place) WHERE c.kind = $kind \
         RETURN p.name AS place, count(*) AS companies ORDER BY companies DESC, place ASC LIMIT 10",
        "MATCH (c:Company {name: $name})-[:SIGNS_WITH]-()-[:SIGNS_WITH]-(x) WHERE x <> c RETURN count(DISTINCT x) AS n",
        "MATCH (inv)-[i:INVESTS_IN]->(p:Place)-[:LOCATED_IN]->(prov:Place {name: $province}) \
         WHERE i.amount >= $min_amount RETURN inv.name AS investor, p.name AS place, i.amount AS amount",
        "MATCH (s:Company {name: $name})-[:LOCATED_IN|PART_OF*1..4]->(t) RETURN DISTINCT t.name AS name",
        "MATCH p = shortestPath((a:Person {name: $from})-[*..30]-(b:Product {name: $to})) RETURN length(p) AS hops",
        "MATCH (c:Company)-[i:INVESTS_IN]->() WHERE i.currency = $currency \
         RETURN c.country AS country, sum(i.amount) AS total ORDER BY total DESC, country ASC LIMIT 10",
        "MATCH (c:Company) RETURN c.country AS country, count(*) AS n ORDER BY n DESC, country",
        "MATCH (a)-[r]->(b) RETURN type(r) AS t, count(*) AS n ORDER BY t",
    ] {
        let plain = g.query(q).params(params.clone()).run().unwrap();
        let r = g.query(&format!("PROFILE {q}")).params(params.clone()).run().unwrap();
        assert_eq!(r.rows(), plain.rows(), "{q}");
        assert_eq!(r.columns(), plain.columns(), "{q}");
        let p = profile(&r);
        assert_eq!(p.operators()[0].rows, r.len() as u64, "{q}");
        assert_eq!(as_explain(p), explain_lines_with(&g, q, &params), "{q}");
        assert_times_add_up(p);
    }
}

fn explain_lines_with(g: &Graph, text: &str, params: &Params) -> Vec<String> {
    g.query(&format!("EXPLAIN {text}"))
        .params(params.clone())
        .run()
        .unwrap()
        .column("plan")
        .map(|v| v.as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn the_profile_serialises_with_times_in_milliseconds() {
    let g = chain();
    let r = g.query("PROFILE MATCH (n:N) RETURN n.i AS i").run().unwrap();
    let json = serde_json::to_value(profile(&r)).unwrap();
    let ops = json["operators"].as_array().unwrap();
    assert_eq!(ops.len(), 3);
    assert_eq!(ops[0]["operator"], "ProduceResults");
    assert_eq!(ops[0]["depth"], 0);
    assert_eq!(ops[0]["details"], "i");
    assert_eq!(ops[2]["rows"], 10);
    assert!(ops[2]["time_ms"].as_f64().unwrap() >= 0.0);
    let total = json["total_time_ms"].as_f64().unwrap();
    assert!((total - profile(&r).total_time().as_secs_f64() * 1000.0).abs() < 1e-9);
}
