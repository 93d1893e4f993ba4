//! A writer killed with SIGKILL at random moments: after each kill the directory opens, holds
//! every transaction the writer reported acknowledged, and no part of any other (the one in
//! flight when the kill came may be there whole, if its commit was durable before the kill
//! but not yet reported).
//!
//! The writer is this test binary run again as a child (`KGRAPH_KILL_CHILD` names the
//! directory). Kills: `KGRAPH_KILL_ROUNDS` (30 by default, as `.ci/run` runs it; the longer
//! run in `scripts/durability-soak` sets more). Seeds are fixed, so each run kills at the same
//! moments after the same numbers of acknowledgements (the scheduler still moves the exact
//! instant). A second test does the same in the batched mode (group commit), whose promise
//! is weaker: what reopens is every transaction up to some point, whole, at least up to the
//! last one a returned `sync` covered (half as many kills).
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]
#![cfg(unix)]

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use kgraph::{Database, DbOptions, Durability};

const CHILD: &str = "KGRAPH_KILL_CHILD";
/// Set for a child that opens its database in the batched mode (group commit).
const BATCHED: &str = "KGRAPH_KILL_BATCHED";

/// The child: commits numbered transactions of three nodes each (in two statements) after
/// the last number already in the directory, and prints each number once its commit returned.
/// In the batched mode it also syncs after every fifth commit and prints `synced` with the
/// number once the sync returned.
#[test]
fn child_writer() {
    let Ok(dir) = std::env::var(CHILD) else {
        return; // Run as a test on its own: nothing to do.
    };
    let batched = std::env::var(BATCHED).is_ok();
    let options = if batched {
        DbOptions::default().durability(Durability::Batched(Duration::from_millis(2)))
    } else {
        DbOptions::default()
    };
    let db = Database::open_with(&dir, options).unwrap();
    let start = db
        .read()
        .query("MATCH (n:Txn) RETURN max(n.i) AS m")
        .run()
        .unwrap()
        .get(0, "m")
        .and_then(|v| v.as_int())
        .map_or(0, |m| m + 1);
    let mut out = std::io::stdout().lock();
    for i in start.. {
        let mut tx = db.write();
        tx.execute("CREATE (:Txn {i: $i, part: 1})-[:OF]->(:Txn {i: $i, part: 2})")
            .param("i", i)
            .run()
            .unwrap();
        tx.execute("CREATE (:Txn {i: $i, part: 3, pad: $pad})")
            .param("i", i)
            .param("pad", "x".repeat((i as usize * 37) % 3000))
            .run()
            .unwrap();
        tx.commit().unwrap();
        if i % 97 == 0 {
            db.checkpoint().unwrap();
        }
        writeln!(out, "ack {i}").unwrap();
        if batched && i % 5 == 4 {
            db.sync().unwrap();
            writeln!(out, "synced {i}").unwrap();
        }
        out.flush().unwrap();
    }
}

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

/// The number of kills: `KGRAPH_KILL_ROUNDS`, else `default`.
fn rounds(default: usize) -> usize {
    std::env::var("KGRAPH_KILL_ROUNDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

/// The number in a line of the child's that starts with `prefix`.
fn numbered(line: &str, prefix: &str) -> Option<i64> {
    line.strip_prefix(prefix).and_then(|s| s.parse().ok())
}

#[test]
fn killed_writers_lose_no_acknowledged_transaction() {
    if std::env::var(CHILD).is_ok() {
        return;
    }
    kill_rounds(rounds(30), false);
}

/// The batched mode promises less: after a kill the directory holds the transactions up to
/// some point, whole and without a gap, at least up to the last one a returned `sync` covered.
#[test]
fn killed_batched_writers_keep_every_transaction_up_to_the_last_sync() {
    if std::env::var(CHILD).is_ok() {
        return;
    }
    kill_rounds(rounds(30) / 2, true);
}

fn kill_rounds(rounds: usize, batched: bool) {
    let dir = tempfile::tempdir().unwrap();
    let exe = std::env::current_exe().unwrap();
    let mut rng = Lcg(2026);
    let mut acked_total: i64 = -1;
    let mut synced_total: i64 = -1;
    for round in 0..rounds {
        let mut command = Command::new(&exe);
        command
            .args(["--exact", "child_writer", "--nocapture", "--test-threads", "1"])
            .env(CHILD, dir.path());
        if batched {
            command.env(BATCHED, "1");
        }
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        // Kill after a random number of acknowledgements (0 kills while it opens), or a
        // random delay after that.
        let after = rng.next(40);
        let extra = Duration::from_micros(rng.next(3000));
        let mut lines = BufReader::new(stdout).lines();
        let mut seen = 0;
        let deadline = Instant::now() + Duration::from_secs(60);
        while seen < after {
            match lines.next() {
                Some(Ok(line)) => {
                    // The test harness prints lines of its own.
                    if let Some(i) = numbered(&line, "ack ") {
                        acked_total = acked_total.max(i);
                        seen += 1;
                    }
                    if let Some(i) = numbered(&line, "synced ") {
                        synced_total = synced_total.max(i);
                    }
                }
                _ => break,
            }
            assert!(Instant::now() < deadline, "the child stalled");
        }
        std::thread::sleep(extra);
        child.kill().unwrap();
        // Whatever it printed before dying was acknowledged too.
        for line in lines.map_while(Result::ok) {
            if let Some(i) = numbered(&line, "ack ") {
                acked_total = acked_total.max(i);
            }
            if let Some(i) = numbered(&line, "synced ") {
                synced_total = synced_total.max(i);
            }
        }
        child.wait().unwrap();
        let db = Database::open(dir.path()).unwrap_or_else(|e| panic!("round {round}: {e}"));
        let g = db.read();
        let r = g
            .query("MATCH (n:Txn) RETURN n.i AS i, count(*) AS parts ORDER BY i")
            .run()
            .unwrap();
        let mut expect = 0;
        for row in r.rows() {
            let (i, parts) = (row[0].as_int().unwrap(), row[1].as_int().unwrap());
            assert_eq!(
                i, expect,
                "round {round}: transactions are numbered without a gap"
            );
            assert_eq!(parts, 3, "round {round}: transaction {i} is there in part");
            expect += 1;
        }
        let last = expect - 1;
        // Every acknowledged transaction; in the batched mode, every synced one.
        let kept = if batched { synced_total } else { acked_total };
        assert!(
            last >= kept,
            "round {round}: acknowledged {acked_total} (synced {synced_total}), found up to {last}"
        );
        assert!(
            last <= acked_total + 1,
            "round {round}: {last} is more than one past the acknowledged {acked_total}"
        );
        let rels = g
            .query("MATCH (:Txn)-[r:OF]->(:Txn) RETURN count(r) AS n")
            .run()
            .unwrap();
        assert_eq!(rels.get(0, "n").and_then(|v| v.as_int()), Some(expect));
        g.check_invariants().unwrap();
        acked_total = last;
        synced_total = last;
    }
}
