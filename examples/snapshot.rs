//! Snapshots and exports of the embedded ecosystem dataset: save, open, then export to JSON
//! Lines, CSV, a Cypher script and Kùzu, all into a fresh directory under the system's
//! temporary directory, printing what was done.
//!
//! Run with `cargo run --example snapshot`.

use std::time::{Instant, SystemTime, UNIX_EPOCH};

use kgraph::{Error, Graph};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let stamp = SystemTime::now().duration_since(UNIX_EPOCH)?.as_nanos();
    let dir = std::env::temp_dir().join(format!("kgraph-snapshot-example-{}-{stamp}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    println!("working in {}", dir.display());

    let graph = Graph::ecosystem()?;
    println!(
        "loaded the ecosystem dataset: {} nodes, {} relationships",
        graph.node_count(),
        graph.relationship_count()
    );

    let path = dir.join("ecosystem.kgs");
    let started = Instant::now();
    graph.save(&path)?;
    println!(
        "saved {} ({} bytes) in {:?}",
        path.display(),
        std::fs::metadata(&path)?.len(),
        started.elapsed()
    );

    let started = Instant::now();
    let opened = Graph::open(&path)?;
    println!(
        "opened it in {:?}: {} nodes, {} relationships; '辉瑞' resolves to {}",
        started.elapsed(),
        opened.node_count(),
        opened.relationship_count(),
        opened.resolve("辉瑞")?
    );

    let jsonl = dir.join("ecosystem.jsonl");
    opened.export_jsonl(&jsonl)?;
    println!("exported JSON Lines to {}", jsonl.display());

    let csv = dir.join("csv");
    opened.export_csv(&csv)?;
    let reimported = Graph::import_csv(csv.join("nodes.csv"), csv.join("relationships.csv"))?;
    println!(
        "exported CSV to {} and imported it back: {} nodes, {} relationships",
        csv.display(),
        reimported.node_count(),
        reimported.relationship_count()
    );

    let cypher = dir.join("ecosystem.cypher");
    opened.export_cypher(&cypher)?;
    let statements = std::fs::read_to_string(&cypher)?
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with("//"))
        .count();
    println!(
        "exported a Cypher script of {statements} statements to {}",
        cypher.display()
    );

    let kuzu = dir.join("kuzu");
    opened.export_kuzu(&kuzu)?;
    println!(
        "exported Kùzu tables and {}",
        kuzu.join("schema.cypher").display()
    );

    // A damaged copy is refused with a typed error.
    let mut bytes = std::fs::read(&path)?;
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x10;
    let damaged = dir.join("damaged.kgs");
    std::fs::write(&damaged, &bytes)?;
    match Graph::open(&damaged) {
        Err(e) => println!("a copy with one flipped bit is refused: {}", Error::from(e)),
        Ok(_) => println!("unexpected: the damaged copy opened"),
    }
    Ok(())
}
