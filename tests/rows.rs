//! Rows and values as a Rust caller meets them: typed access, node and relationship
//! records, serde, streaming rows and prepared statements, through the public API only.

use std::collections::BTreeMap;

use kgraph::{
    Database, Date, DateTime, Duration, Graph, LocalDateTime, LocalTime, Node, NodeId, Path, Prepared,
    QueryError, Relationship, RowError, RuntimeKind, SemanticKind, Time, Value,
};

type Result<T = ()> = std::result::Result<T, Box<dyn std::error::Error>>;

fn small() -> Result<Graph> {
    let mut g = Graph::new();
    g.execute(
        "CREATE (a:Company:Listed {name: 'AstraZeneca', country: 'GB', founded: date('1999-04-06')})
                -[:INVESTS_IN {amount: 2.5e9, since: datetime('2021-03-01T09:00+08:00')}]->
                (p:Place {name: 'Beijing E-Town', name_zh: '北京经开区'}),
                (b:Company {name: 'Pfizer', country: 'US'})-[:SIGNS_WITH]->(p)",
    )
    .run()?;
    Ok(g)
}

#[test]
fn typed_cells_of_every_kind() -> Result {
    let g = Graph::new();
    let r = g
        .query(
            "RETURN 42 AS i, 2.5 AS f, true AS b, 'x' AS s, null AS n, [1, 2] AS l,
                    date('2022-11-05') AS d, localtime('12:31:14') AS lt, time('12:31:14+01:00') AS t,
                    localdatetime('2015-07-21T21:40:32') AS ldt, datetime('2015-07-21T21:40:32+01:00') AS dt,
                    duration('P1DT2H') AS dur, {k: [1]} AS m",
        )
        .run()?;
    let row = r.row(0).ok_or("no row")?;
    assert_eq!(row.get::<i64>("i")?, 42);
    assert_eq!(row.get::<i32>("i")?, 42);
    assert_eq!(row.get::<u32>("i")?, 42);
    assert_eq!(row.get::<usize>("i")?, 42);
    assert_eq!(row.get::<f64>("f")?, 2.5);
    assert_eq!(row.get::<f64>("i")?, 42.0, "integers widen to floats when exact");
    assert!(row.get::<bool>("b")?);
    assert_eq!(row.get::<String>("s")?, "x");
    assert_eq!(row.get::<Option<String>>("n")?, None);
    assert_eq!(row.get::<Option<i64>>("i")?, Some(42));
    assert_eq!(row.get::<Vec<i64>>("l")?, vec![1, 2]);
    assert_eq!(row.get::<Date>("d")?, Date::from_ymd(2022, 11, 5)?);
    assert_eq!(row.get::<LocalTime>("lt")?, "12:31:14".parse()?);
    assert_eq!(row.get::<Time>("t")?, "12:31:14+01:00".parse()?);
    assert_eq!(row.get::<LocalDateTime>("ldt")?, "2015-07-21T21:40:32".parse()?);
    assert_eq!(row.get::<DateTime>("dt")?, "2015-07-21T21:40:32+01:00".parse()?);
    assert_eq!(row.get::<Duration>("dur")?, "P1DT2H".parse()?);
    assert_eq!(row.get::<BTreeMap<String, Vec<i64>>>("m")?["k"], vec![1]);
    assert_eq!(row.get::<Value>("s")?, Value::from("x"));
    assert_eq!(row.get_at::<i64>(0)?, 42);
    Ok(())
}

#[test]
fn wrong_cells_name_the_column_and_the_types() -> Result {
    let g = Graph::new();
    let r = g
        .query("RETURN -1 AS neg, 'x' AS s, null AS n, [1, 'a'] AS l")
        .run()?;
    let row = r.row(0).ok_or("no row")?;
    assert_eq!(
        row.get::<i64>("s"),
        Err(RowError::WrongType {
            column: "s".into(),
            expected: "Integer",
            actual: "String"
        })
    );
    assert_eq!(
        row.get::<String>("n"),
        Err(RowError::WrongType {
            column: "n".into(),
            expected: "String",
            actual: "Null"
        })
    );
    assert!(
        matches!(row.get::<u32>("neg"), Err(RowError::OutOfRange { column, target: "u32", .. }) if column == "neg")
    );
    assert!(matches!(
        row.get::<Vec<i64>>("l"),
        Err(RowError::WrongType { actual: "String", .. })
    ));
    let err = row.get::<i64>("missing").unwrap_err();
    assert!(
        matches!(&err, RowError::UnknownColumn { column, columns } if column == "missing" && columns.len() == 4)
    );
    assert!(err.to_string().contains("missing"), "{err}");
    assert!(matches!(row.get::<i64>("neg").map(|v| v < 0), Ok(true)));
    Ok(())
}

#[test]
fn nodes_and_relationships_carry_their_records() -> Result {
    let g = small()?;
    let r = g
        .query("MATCH (c:Company {name: 'AstraZeneca'})-[i:INVESTS_IN]->(p) RETURN c, i, p, [c, p] AS both")
        .run()?;
    let row = r.row(0).ok_or("no row")?;
    let c: Node = row.get("c")?;
    assert_eq!(c.labels(), ["Company", "Listed"]);
    assert_eq!(c.property("country"), Some(&Value::from("GB")));
    assert_eq!(
        c.property("founded"),
        Some(&Value::Date(Date::from_ymd(1999, 4, 6)?))
    );
    let i: Relationship = row.get("i")?;
    assert_eq!(
        (i.rel_type(), i.start(), i.end()),
        ("INVESTS_IN", c.id(), row.get::<NodeId>("p")?)
    );
    assert_eq!(i.property("amount"), Some(&Value::Float(2.5e9)));
    let both: Vec<Node> = row.get("both")?;
    assert_eq!(both[1].property("name_zh"), Some(&Value::from("北京经开区")));
    // The records equal what the graph holds.
    let gn = g.node(c.id())?;
    assert_eq!(gn.properties().count(), c.properties().len());
    Ok(())
}

#[test]
fn paths_have_records_for_every_step() -> Result {
    let g = small()?;
    let r = g
        .query("MATCH p = (:Company {name: 'Pfizer'})-->(:Place)<--(:Company) RETURN p")
        .run()?;
    let row = r.row(0).ok_or("no row")?;
    let p: Path = row.get("p")?;
    assert_eq!(p.len(), 2);
    for n in p.nodes() {
        assert!(row.records().node(*n).is_some());
    }
    for rel in p.relationships() {
        assert!(row.records().relationship(*rel).is_some());
    }
    let json = serde_json::to_value(row)?;
    let steps = json["p"]["~path"].as_array().ok_or("not a path")?;
    assert_eq!(steps.len(), 5);
    assert_eq!(steps[1]["~relationship"]["~direction"], "->");
    assert_eq!(steps[3]["~relationship"]["~direction"], "<-");
    assert_eq!(steps[2]["~node"]["labels"], serde_json::json!(["Place"]));
    Ok(())
}

#[test]
fn scalar_results_hold_no_records() -> Result {
    let g = small()?;
    let r = g
        .query("MATCH (c:Company) RETURN c.name AS name, [1, 2] AS l")
        .run()?;
    assert!(r.records().is_empty());
    let r = g.query("MATCH (c:Company) RETURN c").run()?;
    assert!(!r.records().is_empty());
    Ok(())
}

#[test]
fn a_write_returns_records_of_the_state_after_it() -> Result {
    let mut g = small()?;
    let r = g
        .execute("MATCH (c:Company {name: 'Pfizer'}) SET c:Listed, c.listed = true RETURN c")
        .run()?;
    let c: Node = r.row(0).ok_or("no row")?.get("c")?;
    assert!(c.has_label("Listed"));
    assert_eq!(c.property("listed"), Some(&Value::Bool(true)));
    let r = g
        .execute("MATCH (c:Company {name: 'Pfizer'}) DETACH DELETE c RETURN c")
        .run()?;
    let row = r.row(0).ok_or("no row")?;
    assert!(matches!(row.get::<Node>("c"), Err(RowError::Deleted { .. })));
    assert!(row.get::<NodeId>("c").is_ok());
    Ok(())
}

#[test]
fn rows_serialise_in_the_adapter_encoding() -> Result {
    let g = small()?;
    let r = g
        .query("MATCH (p:Place) RETURN p, date('2022-11-05') AS d, 1.0 AS f, 0.0 / 0.0 AS nan")
        .run()?;
    let json = serde_json::to_value(r.row(0).ok_or("no row")?)?;
    assert_eq!(json["p"]["~node"]["labels"], serde_json::json!(["Place"]));
    assert_eq!(json["p"]["~node"]["properties"]["name"], "Beijing E-Town");
    assert_eq!(json["d"], serde_json::json!({"~date": "2022-11-05"}));
    assert_eq!(serde_json::to_string(&json["f"])?, "1.0");
    assert_eq!(json["nan"], serde_json::json!({"~float": "NaN"}));
    Ok(())
}

#[test]
fn deserialise_rows_with_dates_into_strings_and_dates() -> Result {
    #[derive(serde::Deserialize, Debug)]
    struct Firm {
        name: String,
        founded: String,
        founded_date: Date,
        founded_opt: Option<String>,
        since: String,
        c: Node,
        any: serde_json::Value,
        v: Value,
    }
    let g = small()?;
    let firms: Vec<Firm> = g
        .query(
            "MATCH (c:Company {name: 'AstraZeneca'})-[i:INVESTS_IN]->()
             RETURN c.name AS name, c.founded AS founded, c.founded AS founded_date, c.founded AS founded_opt,
                    i.since AS since, c, c.founded AS any, c.founded AS v",
        )
        .run()?
        .deserialize()?;
    let f = &firms[0];
    assert_eq!(f.name, "AstraZeneca");
    assert_eq!(f.founded, "1999-04-06");
    assert_eq!(f.founded_date, Date::from_ymd(1999, 4, 6)?);
    assert_eq!(f.founded_opt.as_deref(), Some("1999-04-06"));
    assert_eq!(f.since, "2021-03-01T09:00+08:00");
    assert_eq!(f.c.property("country"), Some(&Value::from("GB")));
    assert_eq!(f.any, serde_json::json!({"~date": "1999-04-06"}));
    assert_eq!(f.v, Value::Date(Date::from_ymd(1999, 4, 6)?));
    // A wrong type is an error, not a silent default.
    #[derive(serde::Deserialize)]
    struct Wrong {
        #[allow(dead_code)]
        founded: i64,
    }
    assert!(g
        .query("MATCH (c:Company {name: 'AstraZeneca'}) RETURN c.founded AS founded")
        .run()?
        .deserialize::<Wrong>()
        .is_err());
    Ok(())
}

#[cfg(feature = "chrono")]
#[test]
fn deserialise_dates_into_chrono() -> Result {
    #[derive(serde::Deserialize)]
    struct Firm {
        founded: chrono::NaiveDate,
    }
    let g = small()?;
    let firms: Vec<Firm> = g
        .query("MATCH (c:Company {name: 'AstraZeneca'}) RETURN c.founded AS founded")
        .run()?
        .deserialize()?;
    assert_eq!(
        firms[0].founded,
        chrono::NaiveDate::from_ymd_opt(1999, 4, 6).ok_or("date")?
    );
    let row = g
        .query("MATCH (c:Company {name: 'AstraZeneca'}) RETURN c.founded AS founded")
        .run()?;
    assert_eq!(
        row.row(0).ok_or("no row")?.get::<chrono::NaiveDate>("founded")?,
        firms[0].founded
    );
    Ok(())
}

#[cfg(feature = "jiff")]
#[test]
fn read_dates_as_jiff() -> Result {
    #[derive(serde::Deserialize)]
    struct Firm {
        founded: jiff::civil::Date,
    }
    let g = small()?;
    let r = g
        .query("MATCH (c:Company {name: 'AstraZeneca'}) RETURN c.founded AS founded")
        .run()?;
    let firms: Vec<Firm> = r.deserialize()?;
    assert_eq!(firms[0].founded, jiff::civil::date(1999, 4, 6));
    assert_eq!(
        r.row(0).ok_or("no row")?.get::<jiff::civil::Date>("founded")?,
        firms[0].founded
    );
    Ok(())
}

fn numbered(n: i64) -> Result<Graph> {
    let mut g = Graph::new();
    g.execute("UNWIND range(1, $n) AS i CREATE (:N {i: i})")
        .param("n", n)
        .run()?;
    Ok(g)
}

#[test]
fn a_stream_stopped_early_does_not_produce_the_rest() -> Result {
    let g = numbered(1000)?;
    let q = "MATCH (a:N), (b:N) RETURN a.i AS a, b.i AS b";
    // The hidden test hook cancels the query's handle once it has taken 20,000 steps (rows,
    // expansions), as another thread could: the whole cartesian product (a million rows)
    // reaches it...
    let h = kgraph::CancelHandle::new();
    let err = g
        .query(q)
        .cancel_handle(&h)
        .cancel_at_step(20_000)
        .run()
        .map(|r| r.len())
        .unwrap_err();
    assert!(matches!(
        err,
        QueryError::Runtime {
            kind: RuntimeKind::Cancelled,
            ..
        }
    ));
    // ...ten rows of the stream do not.
    let h = kgraph::CancelHandle::new();
    let rows: Vec<_> = g
        .query(q)
        .cancel_handle(&h)
        .cancel_at_step(20_000)
        .stream()?
        .take(10)
        .collect::<std::result::Result<_, _>>()?;
    assert_eq!(rows.len(), 10);
    assert!(!h.is_cancelled());
    // And pulling on past the budget gives the error as an item, then the stream ends.
    let h = kgraph::CancelHandle::new();
    let mut stream = g.query(q).cancel_handle(&h).cancel_at_step(20_000).stream()?;
    let err = stream.by_ref().find_map(|r| r.err()).ok_or("no error")?;
    assert!(matches!(
        err,
        QueryError::Runtime {
            kind: RuntimeKind::Cancelled,
            ..
        }
    ));
    assert!(stream.next().is_none());
    Ok(())
}

#[test]
fn a_stream_gives_the_rows_run_gives() -> Result {
    let g = small()?;
    for q in [
        "MATCH (c:Company) RETURN c.name AS name ORDER BY name",
        "MATCH (c:Company)-->(p) RETURN c, p",
        "MATCH (c:Company) RETURN c.country AS k, count(*) AS n ORDER BY k",
        "MATCH (c:Company) RETURN c.name AS x UNION MATCH (c:Company) RETURN c.name AS x",
        "UNWIND [3, 1, 3, 2] AS x RETURN x UNION ALL UNWIND [1] AS x RETURN x",
        "UNWIND [3, 1, 3, 2] AS x RETURN DISTINCT x SKIP 1 LIMIT 2",
        "EXPLAIN MATCH (n) RETURN n",
    ] {
        let whole = g.query(q).run()?;
        let streamed: Vec<Vec<Value>> = g
            .query(q)
            .stream()?
            .map(|r| r.map(kgraph::OwnedRow::into_values))
            .collect::<std::result::Result<_, _>>()?;
        assert_eq!(streamed, whole.rows(), "{q}");
    }
    Ok(())
}

#[test]
fn a_stream_keeps_the_budgets() -> Result {
    let g = numbered(100)?;
    // A sort gathers its input within the row budget.
    let mut s = g
        .query("MATCH (n:N) RETURN n.i AS i ORDER BY i")
        .max_rows(10)
        .stream()?;
    assert!(matches!(
        s.next(),
        Some(Err(QueryError::Runtime {
            kind: RuntimeKind::LimitExceeded,
            ..
        }))
    ));
    assert!(s.next().is_none());
    // A cancelled handle stops it at its first row.
    let h = kgraph::CancelHandle::new();
    h.cancel();
    let mut s = g.query("MATCH (n:N) RETURN n").cancel_handle(&h).stream()?;
    assert!(matches!(
        s.next(),
        Some(Err(QueryError::Runtime {
            kind: RuntimeKind::Cancelled,
            ..
        }))
    ));
    // A deadline that has passed.
    let mut s = g
        .query("MATCH (a:N), (b:N), (c:N) RETURN count(*) AS n")
        .timeout(std::time::Duration::ZERO)
        .stream()?;
    assert!(matches!(
        s.next(),
        Some(Err(QueryError::Runtime {
            kind: RuntimeKind::Timeout,
            ..
        }))
    ));
    // Syntax and semantic errors come before the first row.
    assert!(matches!(g.query("RETURN").stream(), Err(QueryError::Syntax(_))));
    assert!(matches!(
        g.query("RETURN $p AS p").stream(),
        Err(QueryError::Semantic {
            kind: SemanticKind::ParameterMissing,
            ..
        })
    ));
    Ok(())
}

#[test]
fn streamed_rows_carry_records() -> Result {
    let g = small()?;
    let mut s = g.query("MATCH (c:Company {name: 'Pfizer'}) RETURN c").stream()?;
    let row = s.next().ok_or("no row")??;
    assert_eq!(
        row.get::<Node>("c")?.property("country"),
        Some(&Value::from("US"))
    );
    Ok(())
}

#[test]
fn prepared_statements_run_with_new_parameters() -> Result {
    let g = small()?;
    let stmt = g.prepare("MATCH (c:Company {name: $name}) RETURN c.country AS country")?;
    for (name, country) in [("AstraZeneca", "GB"), ("Pfizer", "US")] {
        let r = stmt.query(&g).param("name", name).run()?;
        assert_eq!(r.row(0).ok_or("no row")?.get::<String>("country")?, country);
    }
    // Wrong or missing parameters give the usual typed errors.
    let err = stmt.query(&g).run().unwrap_err();
    assert!(matches!(
        err,
        QueryError::Semantic {
            kind: SemanticKind::ParameterMissing,
            ..
        }
    ));
    let other = g.prepare("UNWIND range(1, $n) AS i RETURN i")?;
    assert!(matches!(
        other.query(&g).param("n", "x").run(),
        Err(QueryError::Runtime { .. })
    ));
    assert_eq!(other.query(&g).param("n", 3).run()?.len(), 3);
    // Streams too.
    assert_eq!(other.query(&g).param("n", 1000).stream()?.take(2).count(), 2);
    Ok(())
}

#[test]
fn a_prepared_statement_follows_the_graph_schema() -> Result {
    let stmt = Prepared::new("MATCH (c:Company {name: $name}) RETURN c.country AS country")?;
    let mut g = Graph::new();
    // The label and keys are unknown: the plan matches nothing.
    assert!(stmt.query(&g).param("name", "A").run()?.is_empty());
    // New names interned: bound again, finds the node.
    g.execute("CREATE (:Company {name: 'A', country: 'SE'})").run()?;
    let r = stmt.query(&g).param("name", "A").run()?;
    assert_eq!(r.row(0).ok_or("no row")?.get::<String>("country")?, "SE");
    // An index created (a plan may seek it) and dropped again.
    g.execute("CREATE INDEX company_name FOR (c:Company) ON (c.name)")
        .run()?;
    assert_eq!(stmt.query(&g).param("name", "A").run()?.len(), 1);
    g.execute("CREATE (:Company {name: 'B', country: 'NO'})").run()?;
    assert_eq!(stmt.query(&g).param("name", "B").run()?.len(), 1);
    g.execute("DROP INDEX company_name").run()?;
    assert_eq!(stmt.query(&g).param("name", "B").run()?.len(), 1);
    // Another graph, whose symbol numbers differ.
    let mut h = Graph::new();
    h.execute("CREATE (:Other {x: 1}), (:Company {country: 'FI', name: 'B'})")
        .run()?;
    let r = stmt.query(&h).param("name", "B").run()?;
    assert_eq!(r.row(0).ok_or("no row")?.get::<String>("country")?, "FI");
    Ok(())
}

#[test]
fn prepared_writes_in_a_transaction() -> Result {
    let db = Database::new();
    let create = Prepared::new("CREATE (:Company {name: $name})")?;
    let count = Prepared::new("MATCH (c:Company) RETURN count(c) AS n")?;
    let mut tx = db.write();
    for name in ["A", "B", "C"] {
        tx.execute_prepared(&create).param("name", name).run()?;
    }
    assert_eq!(
        tx.query_prepared(&count)
            .run()?
            .row(0)
            .ok_or("no row")?
            .get::<i64>("n")?,
        3
    );
    // A failing run of a prepared write is undone like any statement.
    assert!(tx
        .execute_prepared(&create)
        .param("name", Value::from(BTreeMap::new()))
        .run()
        .is_err());
    tx.commit()?;
    let read = db.read();
    assert_eq!(
        read.query_prepared(&count)
            .run()?
            .row(0)
            .ok_or("no row")?
            .get::<i64>("n")?,
        3
    );
    Ok(())
}
