//! Writes the binary seeds of the fuzz targets `snapshot_open`, `log_open`, `import_jsonl`
//! and `import_csv` into the corpus directory given as the argument (`fuzz/seed.py` runs it:
//! `cargo run --example seeds -- corpus`): snapshots, logs and exports of small graphs and of
//! the ecosystem, and the committed files of `tests/data`.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use kgraph::{Database, DbOptions, Durability, Graph};

fn put(corpus: &Path, target: &str, name: &str, data: &[u8]) {
    let dir = corpus.join(target);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(format!("seed-{name}")), data).unwrap();
}

fn graphs() -> Vec<(&'static str, Graph)> {
    let mut small = Graph::new();
    small
        .execute(
            "CREATE (a:Company {name: 'AstraZeneca', name_zh: '阿斯利康', founded: 1999, score: 2.5, \
             listed: true, aliases: ['AZ', '阿斯利康中国'], since: date('1999-04-06')}), \
             (e:Place {name: 'Beijing E-Town'}), (b:Place {name: 'Beijing'}), \
             (a)-[:INVESTS_IN {amount: 2.5e9, currency: 'USD'}]->(e), (e)-[:LOCATED_IN]->(b), \
             (b)-[:LOCATED_IN {since: 2001}]->(b)",
        )
        .run()
        .unwrap();
    let mut tiny = Graph::new();
    tiny.execute("CREATE (:A {x: 1})-[:R]->(:A {x: -1.5})")
        .run()
        .unwrap();
    let mut constrained = tiny.clone();
    constrained.create_unique_constraint("A", "x").unwrap();
    vec![
        ("empty", Graph::new()),
        ("tiny", tiny),
        ("constrained", constrained),
        ("small", small),
        ("ecosystem", Graph::ecosystem().unwrap()),
    ]
}

fn main() {
    let corpus = PathBuf::from(std::env::args().nth(1).expect("the corpus directory"));
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/data");
    let tmp = std::env::temp_dir().join(format!("kgraph-fuzz-seeds-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();

    for name in ["v1.kgs", "v2.kgs"] {
        put(
            &corpus,
            "snapshot_open",
            name,
            &std::fs::read(data.join(name)).unwrap(),
        );
    }
    put(
        &corpus,
        "log_open",
        "db-log-v1",
        &std::fs::read(data.join("db-log-v1/log-000000000001.kgl")).unwrap(),
    );

    for (name, g) in graphs() {
        let kgs = tmp.join("g.kgs");
        g.save(&kgs).unwrap();
        put(&corpus, "snapshot_open", name, &std::fs::read(&kgs).unwrap());
        let jsonl = tmp.join("g.jsonl");
        g.export_jsonl(&jsonl).unwrap();
        put(&corpus, "import_jsonl", name, &std::fs::read(&jsonl).unwrap());
        let csv = tmp.join("csv");
        if g.export_csv(&csv).is_ok() {
            let mut both = std::fs::read(csv.join("nodes.csv")).unwrap();
            both.push(kgraph_fuzz::CSV_SPLIT);
            both.extend(std::fs::read(csv.join("relationships.csv")).unwrap());
            put(&corpus, "import_csv", name, &both);
        }
    }

    // Logs of short transaction sequences, each over a new directory's (empty) snapshot.
    let scripts: &[(&str, &[&str])] = &[
        ("create", &["CREATE (:Company {name: 'Mindray', founded: 1991})"]),
        (
            "mixed",
            &[
                "CREATE (a:Company {name: 'A', tags: ['x', 'y']})-[:OWNS {share: 0.5}]->(b:Company {name: 'B'})",
                "MATCH (c:Company {name: 'A'}) SET c.founded = date('2001-02-03'), c:Listed",
                "MATCH (c:Company {name: 'B'}) REMOVE c.name SET c.score = 1.5",
                "MATCH ()-[r:OWNS]->() DELETE r",
                "CREATE CONSTRAINT FOR (c:Company) REQUIRE c.name IS UNIQUE",
                "MATCH (c:Company {name: 'A'}) DETACH DELETE c",
            ],
        ),
        ("many", &["UNWIND range(1, 50) AS i CREATE (:N {i: i})-[:NEXT]->(:M {s: toString(i)})"]),
    ];
    for (name, statements) in scripts {
        let dir = tmp.join(format!("db-{name}"));
        let _ = std::fs::remove_dir_all(&dir);
        {
            let db = Database::open_with(&dir, DbOptions::default().durability(Durability::OperatingSystem))
                .unwrap();
            for s in *statements {
                // A statement the engine refuses is skipped: the log holds what committed.
                let _ = db.execute(s);
            }
        }
        let snap = std::fs::read(dir.join("snapshot-000000000001.kgs")).unwrap();
        assert_eq!(
            snap,
            kgraph_fuzz::LOG_SNAPSHOT,
            "a new directory's snapshot is the target's"
        );
        put(
            &corpus,
            "log_open",
            name,
            &std::fs::read(dir.join("log-000000000001.kgl")).unwrap(),
        );
    }
    std::fs::remove_dir_all(&tmp).unwrap();
}
