//! The progress callback of `report_progress`: what a snapshot's save and open and each
//! export report, and that they write and read the same files with it as without it.

use std::cell::RefCell;
use std::rc::Rc;

use kgraph::{report_progress, Database, Graph, ProgressStage, StorageProgress};

fn recorded<R>(f: impl FnOnce() -> R) -> (R, Vec<StorageProgress>) {
    let seen = Rc::new(RefCell::new(Vec::new()));
    let record = seen.clone();
    let r = report_progress(move |p: &StorageProgress| record.borrow_mut().push(*p), f);
    let seen = seen.borrow().clone();
    (r, seen)
}

fn stages(seen: &[StorageProgress]) -> Vec<ProgressStage> {
    let mut out: Vec<ProgressStage> = Vec::new();
    for p in seen {
        if out.last() != Some(&p.stage) {
            out.push(p.stage);
        }
    }
    out
}

fn monotonic_to_the_total(seen: &[StorageProgress], stage: ProgressStage) {
    let amounts: Vec<&StorageProgress> = seen.iter().filter(|p| p.stage == stage).collect();
    assert!(!amounts.is_empty(), "no {stage:?} report in {seen:?}");
    assert!(amounts.windows(2).all(|w| w[0].done <= w[1].done), "{seen:?}");
    let last = amounts[amounts.len() - 1];
    assert_eq!(last.done, last.total, "{seen:?}");
}

#[test]
fn a_save_and_an_open_report_their_bytes_and_give_the_same_graph() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("eco.kgs");
    let g = Graph::ecosystem().unwrap();
    let (saved, seen) = recorded(|| g.save(&path));
    saved.unwrap();
    assert_eq!(stages(&seen), [ProgressStage::Encode, ProgressStage::Write]);
    monotonic_to_the_total(&seen, ProgressStage::Write);
    let len = std::fs::metadata(&path).unwrap().len();
    assert_eq!(seen.last().unwrap().total, len);

    let (back, seen) = recorded(|| Graph::open(&path));
    let back = back.unwrap();
    assert_eq!(stages(&seen), [ProgressStage::Read, ProgressStage::Decode]);
    monotonic_to_the_total(&seen, ProgressStage::Read);
    assert_eq!(
        (back.node_count(), back.relationship_count()),
        (g.node_count(), g.relationship_count())
    );

    // Without a callback nothing is reported, and nothing is left listening.
    let (_, seen) = recorded(|| ());
    assert!(seen.is_empty());
    Graph::open(&path).unwrap();
}

#[test]
fn a_database_directory_reports_reading_its_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let db = Database::open(dir.path()).unwrap();
    db.replace(Graph::ecosystem().unwrap()).unwrap();
    db.checkpoint().unwrap();
    drop(db);
    let (db, seen) = recorded(|| Database::open(dir.path()));
    let db = db.unwrap();
    assert!(stages(&seen).contains(&ProgressStage::Read), "{seen:?}");
    assert!(stages(&seen).contains(&ProgressStage::Decode), "{seen:?}");
    assert!(db.read().node_count() > 250);
}

#[test]
fn every_export_counts_each_node_and_relationship_once() {
    let dir = tempfile::tempdir().unwrap();
    let mut g = Graph::new();
    let a = g.add_node(&["Company"], [("name", "Pfizer")]).unwrap();
    let b = g.add_node(&["Place"], [("name", "纽约")]).unwrap();
    g.add_relationship(a, b, "LOCATED_IN", [("since", 1849)]).unwrap();
    let items = 3u64;
    type Export<'g> = Box<dyn Fn(&std::path::Path) -> Result<(), kgraph::ExportError> + 'g>;
    let exports: Vec<(&str, Export<'_>)> = vec![
        ("csv", Box::new(|p| g.export_csv(p))),
        ("jsonl", Box::new(|p| g.export_jsonl(p))),
        ("cypher", Box::new(|p| g.export_cypher(p))),
        ("kuzu", Box::new(|p| g.export_kuzu(p))),
        ("neo4j", Box::new(|p| g.export_neo4j_admin(p))),
        ("graphml", Box::new(|p| g.export_graphml(p))),
    ];
    for (name, export) in &exports {
        let target = dir.path().join(name);
        let (r, seen) = recorded(|| export(&target));
        r.unwrap();
        assert_eq!(stages(&seen), [ProgressStage::Export], "{name}");
        monotonic_to_the_total(&seen, ProgressStage::Export);
        assert_eq!(seen.last().unwrap().total, items, "{name}");
        assert_eq!(seen.first().unwrap().done, 0, "{name}");
    }
}
