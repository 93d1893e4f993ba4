//! Schema commands: CREATE / DROP INDEX and CONSTRAINT, the seek the optimiser chooses, and
//! indexes and constraints through snapshots, roll-backs and the write-ahead log.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use kgraph::{Database, Graph, Value};

fn graph() -> Graph {
    let mut g = Graph::new();
    g.execute("UNWIND range(1, 200) AS i CREATE (:Company {ticker: 'T' + toString(i), rank: i})")
        .run()
        .expect("setup");
    g
}

fn plan(g: &Graph, q: &str) -> String {
    let r = g.query(&format!("EXPLAIN {q}")).run().expect("explain");
    r.column("plan")
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn create_index_makes_the_optimiser_seek() {
    let mut g = graph();
    let q = "MATCH (c:Company {ticker: 'T42'}) RETURN c.rank AS r";
    assert!(plan(&g, q).contains("NodeByLabelScan"), "{}", plan(&g, q));
    let before = g.query(q).run().expect("scan");
    g.execute("CREATE INDEX ticker_index FOR (c:Company) ON (c.ticker)")
        .run()
        .expect("create index");
    assert!(plan(&g, q).contains("NodeIndexSeek"), "{}", plan(&g, q));
    assert_eq!(g.query(q).run().expect("seek"), before);
    // WHERE equalities seek too; integers find equal floats.
    g.execute("CREATE INDEX FOR (c:Company) ON (c.rank)")
        .run()
        .expect("second index");
    let r = g
        .query("MATCH (c:Company) WHERE c.rank = 7.0 RETURN c.ticker AS t")
        .run()
        .expect("float");
    assert_eq!(r.get(0, "t"), Some(&Value::from("T7")));
    // The index follows writes.
    g.execute("MATCH (c:Company {ticker: 'T42'}) SET c.ticker = 'X'")
        .run()
        .expect("set");
    assert!(g.query(q).run().expect("after set").is_empty());
    g.check_invariants().expect("indexes exact");
    assert_eq!(
        g.indexes(),
        vec![
            ("ticker_index", "Company", "ticker"),
            ("index_Company_rank", "Company", "rank")
        ]
    );
    // SHOW INDEXES lists them.
    let names = g
        .query("SHOW INDEXES YIELD name RETURN name")
        .run()
        .expect("show");
    assert!(names.column("name").any(|v| v.as_str() == Some("ticker_index")));
}

#[test]
fn drop_and_if_exists() {
    let mut g = graph();
    g.execute("CREATE INDEX i1 IF NOT EXISTS FOR (c:Company) ON (c.ticker)")
        .run()
        .expect("create");
    g.execute("CREATE INDEX i1 IF NOT EXISTS FOR (c:Company) ON (c.ticker)")
        .run()
        .expect("no-op");
    assert!(g
        .execute("CREATE INDEX i2 FOR (c:Company) ON (c.ticker)")
        .run()
        .is_err());
    g.execute("DROP INDEX i1").run().expect("drop");
    assert!(g.execute("DROP INDEX i1").run().is_err());
    g.execute("DROP INDEX i1 IF EXISTS")
        .run()
        .expect("drop if exists");
    assert!(g.indexes().is_empty());
    assert!(g
        .execute("CREATE INDEX FOR (c:Company) ON (d.ticker)")
        .run()
        .is_err());
    assert!(
        g.query("CREATE INDEX FOR (c:Company) ON (c.ticker)")
            .run()
            .is_err(),
        "a read-only query"
    );
}

#[test]
fn unique_constraints_by_command() {
    let mut g = graph();
    g.execute("CREATE CONSTRAINT one_ticker FOR (c:Company) REQUIRE c.ticker IS UNIQUE")
        .run()
        .expect("constraint");
    let err = g.execute("CREATE (:Company {ticker: 'T1'})").run().unwrap_err();
    assert_eq!(err.kind_name(), "ConstraintVerificationFailed");
    // The constraint is seekable too.
    assert!(plan(&g, "MATCH (c:Company {ticker: 'T3'}) RETURN c").contains("NodeIndexSeek"));
    g.execute("CREATE CONSTRAINT one_ticker IF NOT EXISTS FOR (c:Company) REQUIRE c.ticker IS UNIQUE")
        .run()
        .expect("no-op");
    let r = g
        .query("SHOW CONSTRAINTS YIELD name RETURN name")
        .run()
        .expect("show");
    assert_eq!(r.get(0, "name"), Some(&Value::from("one_ticker")));
    g.execute("DROP CONSTRAINT one_ticker").run().expect("drop");
    g.execute("CREATE (:Company {ticker: 'T1'})")
        .run()
        .expect("allowed now");
    // Existing duplicates refuse a new constraint, and nothing is left of it.
    let err = g
        .execute("CREATE CONSTRAINT FOR (c:Company) REQUIRE c.ticker IS UNIQUE")
        .run()
        .unwrap_err();
    assert_eq!(err.kind_name(), "ConstraintVerificationFailed");
    assert!(g.constraints().is_empty());
    // The older spelling.
    g.execute("CREATE CONSTRAINT ON (c:Company) ASSERT c.rank IS UNIQUE")
        .run()
        .expect("ASSERT");
    assert_eq!(
        g.constraints(),
        vec![("constraint_Company_rank".to_owned(), "Company", "rank")]
    );
}

#[test]
fn a_failed_statement_undoes_schema_changes() {
    let db = Database::new();
    db.execute("CREATE (:A {x: 1})").expect("setup");
    let mut tx = db.write();
    tx.execute("CREATE INDEX ix FOR (a:A) ON (a.x)")
        .run()
        .expect("index");
    tx.execute("CREATE CONSTRAINT cx FOR (a:A) REQUIRE a.x IS UNIQUE")
        .run()
        .expect("constraint");
    tx.execute("DROP INDEX ix").run().expect("drop");
    tx.rollback();
    let g = db.read();
    assert!(g.indexes().is_empty() && g.constraints().is_empty());
    let mut tx = db.write();
    tx.execute("CREATE INDEX ix FOR (a:A) ON (a.x)")
        .run()
        .expect("index");
    tx.execute("DROP INDEX ix").run().expect("drop");
    tx.execute("CREATE INDEX ix2 FOR (a:A) ON (a.x)")
        .run()
        .expect("index again");
    tx.commit().expect("commit");
    assert_eq!(db.read().indexes(), vec![("ix2", "A", "x")]);
    // The spare copy caught up by replaying the commit has the same schema.
    let tx = db.write();
    assert_eq!(tx.graph().indexes(), vec![("ix2", "A", "x")]);
    tx.graph().check_invariants().expect("spare exact");
    tx.rollback();
}

#[test]
fn indexes_and_constraints_survive_a_snapshot() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("g.kgs");
    let mut g = graph();
    // Without a schema section, the file is what earlier builds wrote (flags 0).
    g.save(&path).expect("save");
    let bytes = std::fs::read(&path).expect("read");
    assert_eq!(&bytes[12..16], &[0, 0, 0, 0]);
    g.execute("CREATE INDEX by_ticker FOR (c:Company) ON (c.ticker)")
        .run()
        .expect("index");
    g.execute("CREATE CONSTRAINT one_rank FOR (c:Company) REQUIRE c.rank IS UNIQUE")
        .run()
        .expect("constraint");
    g.create_unique_constraint("Company", "ticker")
        .expect("default-named constraint");
    g.save(&path).expect("save");
    let opened = Graph::open(&path).expect("open");
    assert_eq!(opened.indexes(), g.indexes());
    assert_eq!(opened.constraints(), g.constraints());
    opened.check_invariants().expect("the index is rebuilt exactly");
    let q = "MATCH (c:Company {ticker: 'T9'}) RETURN c.rank AS r";
    assert!(plan(&opened, q).contains("NodeIndexSeek"));
    assert_eq!(
        opened.query(q).run().expect("seek").get(0, "r"),
        Some(&Value::Int(9))
    );
}

#[test]
fn a_durable_database_replays_schema_changes_from_its_log() {
    let dir = tempfile::tempdir().expect("tempdir");
    {
        let db = Database::open(dir.path()).expect("open");
        db.execute("CREATE (:A {x: 1}), (:A {x: 2})").expect("nodes");
        db.execute("CREATE INDEX ax FOR (a:A) ON (a.x)").expect("index");
        db.execute("CREATE CONSTRAINT ux FOR (a:A) REQUIRE a.x IS UNIQUE")
            .expect("constraint");
        db.execute("CREATE INDEX gone FOR (a:B) ON (a.y)").expect("index");
        db.execute("DROP INDEX gone").expect("drop");
    }
    {
        let db = Database::open(dir.path()).expect("reopen");
        let g = db.read();
        assert_eq!(g.indexes(), vec![("ax", "A", "x")]);
        assert_eq!(g.constraints(), vec![("ux".to_owned(), "A", "x")]);
        g.check_invariants().expect("exact");
        db.checkpoint().expect("checkpoint");
        db.execute("DROP CONSTRAINT ux").expect("drop constraint");
    }
    let db = Database::open(dir.path()).expect("reopen after checkpoint");
    assert_eq!(db.read().indexes(), vec![("ax", "A", "x")]);
    assert!(db.read().constraints().is_empty());
}

#[test]
fn name_zh_seeks_through_the_name_index() {
    let g = Graph::ecosystem().expect("dataset");
    let q = "MATCH (c:Company {name_zh: '辉瑞'}) RETURN c.name AS n";
    assert!(plan(&g, q).contains("NodeIndexSeek(name)"), "{}", plan(&g, q));
    assert_eq!(
        g.query(q).run().expect("seek"),
        g.query(q).without_optimizer().run().expect("scan")
    );
    assert_eq!(g.query(q).run().expect("seek").len(), 1);
}

#[test]
fn schema_commands_print_back_to_themselves() {
    for q in [
        "CREATE INDEX FOR (n:A) ON (n.x)",
        "CREATE INDEX my_index IF NOT EXISTS FOR (n:A) ON (n.x)",
        "CREATE CONSTRAINT c1 FOR (n:A) REQUIRE n.x IS UNIQUE",
        "CREATE CONSTRAINT IF NOT EXISTS FOR (n:A) REQUIRE n.x IS UNIQUE",
        "DROP INDEX my_index",
        "DROP CONSTRAINT c1 IF EXISTS",
        "SHOW INDEXES",
    ] {
        let parsed = kgraph::Query::parse(q).expect("parses");
        assert_eq!(
            kgraph::Query::parse(&parsed.to_string()).ok(),
            Some(parsed),
            "{q}"
        );
    }
    // A path variable named like the keyword is still a pattern.
    let mut g = Graph::new();
    let r = g
        .execute("CREATE index = (:A) RETURN length(index) AS l")
        .run()
        .expect("path variable");
    assert_eq!(r.get(0, "l"), Some(&Value::Int(0)));
}

#[test]
fn an_alias_in_where_seeks_through_the_name_index() {
    let g = Graph::ecosystem().expect("dataset");
    let r = g
        .query("MATCH (c:Company) WHERE size(c.aliases) > 0 RETURN c.aliases[0] AS a LIMIT 1")
        .run()
        .expect("an alias");
    let alias = r
        .get(0, "a")
        .and_then(|v| v.as_str())
        .expect("a company with aliases")
        .to_owned();
    let q = "MATCH (c:Company) WHERE $a IN c.aliases RETURN c.name AS n";
    let explain = g
        .query(&format!("EXPLAIN {q}"))
        .param("a", alias.as_str())
        .run()
        .expect("explain");
    assert!(explain
        .column("plan")
        .any(|v| v.as_str().is_some_and(|l| l.contains("NodeIndexSeek(name)"))));
    let seek = g.query(q).param("a", alias.as_str()).run().expect("seek");
    assert_eq!(seek.len(), 1);
    assert_eq!(
        seek,
        g.query(q)
            .param("a", alias.as_str())
            .without_optimizer()
            .run()
            .expect("scan")
    );
    // A value that is no alias finds nothing, as the scan does.
    assert!(g
        .query(q)
        .param("a", "no such alias")
        .run()
        .expect("none")
        .is_empty());
}
