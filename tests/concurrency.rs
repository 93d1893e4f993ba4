//! Readers beside a writer: 8 reader threads and 1 writer over a graph whose invariant every
//! transaction keeps (the sum of `v` over all nodes is constant; every relationship's ends
//! exist). No reader may ever see it broken. Bounded and deterministic in what the writer does.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use kgraph::{Database, Graph, Params, Value};

const TOTAL: i64 = 1000;
const TRANSACTIONS: usize = 300;

/// A small deterministic generator (64-bit LCG), so every run makes the same writes.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

fn check(g: &Graph) -> Result<(), String> {
    let r = g
        .query("MATCH (n:Acct) RETURN sum(n.v) AS total, count(n) AS n")
        .run()
        .map_err(|e| e.to_string())?;
    if r.get(0, "total") != Some(&Value::Int(TOTAL)) {
        return Err(format!("sum is {:?}", r.get(0, "total")));
    }
    for rel in g.relationships() {
        let r = g.relationship(rel).map_err(|e| e.to_string())?;
        if !g.contains_node(r.start()) || !g.contains_node(r.end()) {
            return Err(format!("{rel} has a missing end"));
        }
    }
    let r = g
        .query("MATCH (a)-[r:PAYS]->(b) RETURN count(r) AS n")
        .run()
        .map_err(|e| e.to_string())?;
    if r.get(0, "n") != Some(&Value::Int(g.relationship_count() as i64)) {
        return Err("a relationship scan disagrees with the count".into());
    }
    Ok(())
}

#[test]
fn readers_never_see_a_broken_invariant() {
    let db = Database::new();
    db.execute_script(
        "UNWIND range(0, 9) AS i CREATE (:Acct {id: i, v: 100});
         MATCH (a:Acct), (b:Acct) WHERE b.id = (a.id + 1) % 10 CREATE (a)-[:PAYS]->(b)",
        &Params::new(),
    )
    .unwrap();
    check(&db.read()).unwrap();
    let done = AtomicBool::new(false);
    let reads = AtomicUsize::new(0);
    std::thread::scope(|s| {
        let mut readers = Vec::new();
        for t in 0..8 {
            let (db, done, reads) = (&db, &done, &reads);
            readers.push(s.spawn(move || {
                let mut held = Vec::new();
                while !done.load(Ordering::Acquire) {
                    let snapshot = db.read();
                    if let Err(e) = check(&snapshot) {
                        panic!("reader {t} saw a broken state: {e}");
                    }
                    // Some readers keep their snapshot open across several commits.
                    if t % 2 == 0 {
                        held.push(snapshot);
                        if held.len() > 3 {
                            held.remove(0);
                        }
                    }
                    reads.fetch_add(1, Ordering::Relaxed);
                }
                for h in &held {
                    check(h).unwrap();
                }
            }));
        }
        let mut rng = Lcg(42);
        for i in 0..TRANSACTIONS {
            let mut tx = db.write();
            let (a, b, k) = (rng.next(10), rng.next(10), rng.next(50));
            // Half-way states that no reader may see.
            tx.execute("MATCH (n:Acct {id: $a}) SET n.v = n.v - $k")
                .params(Params::new().with("a", a as i64).with("k", k as i64))
                .run()
                .unwrap();
            tx.execute("MATCH (x:Acct {id: $a})-[r:PAYS]->(y) DELETE r CREATE (x)-[:PAYS]->(y)")
                .param("a", a as i64)
                .run()
                .unwrap();
            tx.execute("CREATE (t:Temp)-[:PAYS]->(t)").run().unwrap();
            tx.execute("MATCH (n:Acct {id: $b}) SET n.v = n.v + $k")
                .params(Params::new().with("b", b as i64).with("k", k as i64))
                .run()
                .unwrap();
            tx.execute("MATCH (t:Temp) DETACH DELETE t").run().unwrap();
            // Some transactions fail half-way or are rolled back; all must vanish.
            match rng.next(4) {
                0 => {
                    let _ = tx
                        .execute("MATCH (n:Acct) SET n.v = 0 WITH count(*) AS c RETURN 1 / (c - c)")
                        .run();
                    tx.commit().unwrap();
                }
                1 => {
                    tx.execute("MATCH (n:Acct) SET n.v = 0").run().unwrap();
                    tx.rollback();
                }
                _ => tx.commit().unwrap(),
            }
            if i % 50 == 0 {
                std::thread::yield_now();
            }
        }
        done.store(true, Ordering::Release);
        for r in readers {
            r.join().expect("a reader panicked");
        }
    });
    let last = db.read();
    check(&last).unwrap();
    last.check_invariants().unwrap();
    assert!(reads.load(Ordering::Relaxed) > 0);
}
