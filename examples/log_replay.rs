//! Measures what a durable database costs at benchmark scale: a checkpoint (how long commits
//! wait for it, and how long its snapshot takes), and opening a directory whose log holds
//! about 100 MB of commits, beside opening the snapshot alone.
//!
//! ```text
//! cargo run --release --example log_replay -- ../shared/bench/data/M [LOG_MB]
//! ```
//!
//! The directory is the benchmark's CSV data (`nodes.csv`, `relationships.csv`).

use std::time::Instant;

use kgraph::{Database, DbOptions, Graph, Params, Value};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let data = args.next().ok_or("usage: log_replay DATA_DIR [LOG_MB]")?;
    let log_mb: u64 = args.next().map(|s| s.parse()).transpose()?.unwrap_or(100);
    let graph = Graph::import_csv(format!("{data}/nodes.csv"), format!("{data}/relationships.csv"))?;
    println!(
        "graph: {} nodes, {} relationships",
        graph.node_count(),
        graph.relationship_count()
    );
    let dir = tempfile::tempdir()?;
    let db = Database::open_with(dir.path(), DbOptions::default().checkpoint_after(u64::MAX))?;
    let t = Instant::now();
    db.replace(graph)?;
    println!("replace (snapshot + empty log, synced): {:.0} ms", ms(t));

    // Checkpoint: commits wait for the log rotation only.
    db.execute("CREATE (:Company {name: 'before the checkpoint'})")?;
    let t = Instant::now();
    db.checkpoint()?;
    println!("checkpoint, whole: {:.0} ms", ms(t));
    let waits = checkpoint_waits(&db)?;
    println!(
        "commits during a checkpoint: {} commits, longest {:.1} ms, median {:.2} ms",
        waits.len(),
        waits.iter().cloned().fold(0.0, f64::max),
        median(&waits)
    );

    // A log of about LOG_MB: batches of 1,000 upserts (as the benchmark's W4) and sets.
    let rows: Vec<Value> = (0..1000)
        .map(|i| {
            Value::from(std::collections::BTreeMap::from([
                ("name".to_owned(), Value::from(format!("log node {i}"))),
                ("kind".to_owned(), Value::from("replayed")),
            ]))
        })
        .collect();
    let mut run = 0i64;
    let log_bytes = |db: &Database| -> u64 {
        std::fs::read_dir(db.path().unwrap_or(dir.path()))
            .map(|entries| {
                entries
                    .filter_map(Result::ok)
                    .filter(|e| e.path().extension().is_some_and(|x| x == "kgl"))
                    .filter_map(|e| e.metadata().ok())
                    .map(|m| m.len())
                    .sum()
            })
            .unwrap_or(0)
    };
    let t = Instant::now();
    while log_bytes(&db) < log_mb << 20 {
        db.execute_with(
            "UNWIND $rows AS r MERGE (c:Company {name: r.name + ' ' + toString($run)}) SET c.kind = r.kind, c.run = $run",
            &Params::new().with("rows", Value::List(rows.clone())).with("run", run),
        )?;
        run += 1;
    }
    println!(
        "wrote {} commits, {:.0} MB of log, in {:.1} s",
        run,
        log_bytes(&db) as f64 / 1e6,
        t.elapsed().as_secs_f64()
    );
    let expected = db.read().node_count();
    drop(db);

    let snapshot = std::fs::read_dir(dir.path())?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "kgs"))
        .ok_or("no snapshot")?;
    let t = Instant::now();
    let g = Graph::open(&snapshot)?;
    println!("snapshot open alone: {:.0} ms", ms(t));
    drop(g);
    let t = Instant::now();
    let db = Database::open(dir.path())?;
    println!(
        "database open (snapshot + {} MB log replayed): {:.0} ms",
        log_mb,
        ms(t)
    );
    assert_eq!(db.read().node_count(), expected);
    Ok(())
}

/// Commits one small write after another on a second thread while a checkpoint runs; returns
/// each commit's time in milliseconds.
fn checkpoint_waits(db: &Database) -> Result<Vec<f64>, Box<dyn std::error::Error>> {
    let stop = std::sync::atomic::AtomicBool::new(false);
    let mut waits = Vec::new();
    std::thread::scope(|s| -> Result<(), Box<dyn std::error::Error>> {
        let writer = s.spawn(|| {
            let mut out = Vec::new();
            let mut i = 0;
            while !stop.load(std::sync::atomic::Ordering::Acquire) {
                let t = Instant::now();
                if db
                    .execute_with("CREATE (:Probe {i: $i})", &Params::new().with("i", i))
                    .is_err()
                {
                    break;
                }
                out.push(ms(t));
                i += 1;
            }
            out
        });
        std::thread::sleep(std::time::Duration::from_millis(50));
        db.checkpoint()?;
        stop.store(true, std::sync::atomic::Ordering::Release);
        waits = writer.join().map_err(|_| "the writer panicked")?;
        Ok(())
    })?;
    Ok(waits)
}

fn ms(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1e3
}

fn median(v: &[f64]) -> f64 {
    let mut v = v.to_vec();
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(0.0)
}
