//! Progress of the slow storage operations (a snapshot's save and open, the exports), for a
//! progress bar: a caller runs the operation inside [`report_progress`], and the storage layer
//! tells its callback how far it is.
//!
//! Architecture invariant: the callback is held in a thread-local slot for the length of the
//! closure only, and is told nothing but counts; the operations behave the same with it or
//! without it (a snapshot read with a callback is read on the calling thread alone, in pieces,
//! instead of in two halves on two threads).

use std::cell::{Cell, RefCell};
use std::rc::Rc;

/// What a storage operation is doing, as [`report_progress`]'s callback is told.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProgressStage {
    /// Encoding a snapshot in memory before it is written (no amounts).
    Encode,
    /// Writing a snapshot: `done` and `total` are bytes.
    Write,
    /// Reading a snapshot file (also a database directory's): `done` and `total` are bytes.
    Read,
    /// Decoding and checking a snapshot that was read (no amounts).
    Decode,
    /// Writing an export: `done` and `total` count nodes and relationships written.
    Export,
}

/// How far a storage operation is.
///
/// ```
/// let p = kgraph::StorageProgress { stage: kgraph::ProgressStage::Read, done: 1, total: 2 };
/// assert!(p.done <= p.total);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StorageProgress {
    /// The step under way.
    pub stage: ProgressStage,
    /// Bytes or items done (0 for a stage without amounts).
    pub done: u64,
    /// Bytes or items in all (0 for a stage without amounts).
    pub total: u64,
}

/// A listening callback.
type Callback = Rc<dyn Fn(&StorageProgress)>;

thread_local! {
    static SINK: RefCell<Option<Callback>> = const { RefCell::new(None) };
    /// Export items: written so far, in all, and the count at the last call.
    static ITEMS: Cell<(u64, u64, u64)> = const { Cell::new((0, 0, 0)) };
}

/// Items of an export between two calls of the callback.
const EXPORT_STEP: u64 = 4096;

/// Runs `f` with `callback` told the progress of the snapshot saves and opens
/// ([`Graph::save`](crate::Graph::save), [`Graph::open`](crate::Graph::open),
/// [`Database::open`](crate::Database::open)) and exports (`Graph::export_*`) that `f` runs on
/// this thread. The callback is called at the start and end of each stage and every 1 MiB or
/// 4,096 items in between.
///
/// ```
/// use std::{cell::RefCell, rc::Rc};
/// use kgraph::{report_progress, Graph, ProgressStage, StorageProgress};
/// let path = std::env::temp_dir().join(format!("kgraph-doc-progress-{}.jsonl", std::process::id()));
/// let g = Graph::ecosystem()?;
/// let seen = Rc::new(RefCell::new(Vec::new()));
/// let record = seen.clone();
/// report_progress(move |p: &StorageProgress| record.borrow_mut().push(*p), || g.export_jsonl(&path))?;
/// let last = *seen.borrow().last().unwrap();
/// assert_eq!(last.stage, ProgressStage::Export);
/// assert_eq!(last.done, (g.node_count() + g.relationship_count()) as u64);
/// assert_eq!(last.done, last.total);
/// std::fs::remove_file(&path)?;
/// # Ok::<_, Box<dyn std::error::Error>>(())
/// ```
pub fn report_progress<R>(callback: impl Fn(&StorageProgress) + 'static, f: impl FnOnce() -> R) -> R {
    /// Puts the previous callback back, also on a panic.
    struct Restore(Option<Callback>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let previous = self.0.take();
            SINK.with(|s| *s.borrow_mut() = previous);
        }
    }
    let previous = SINK.with(|s| s.borrow_mut().replace(Rc::new(callback)));
    let _restore = Restore(previous);
    f()
}

/// Whether a callback is listening on this thread.
pub(crate) fn active() -> bool {
    SINK.with(|s| s.borrow().is_some())
}

/// Tells the callback, if any.
pub(crate) fn report(stage: ProgressStage, done: u64, total: u64) {
    // Cloned out of the slot, so that the callback may itself run a storage operation.
    if let Some(sink) = SINK.with(|s| s.borrow().clone()) {
        sink(&StorageProgress { stage, done, total });
    }
}

/// An export of `items` nodes and relationships begins.
pub(crate) fn export_begin(items: u64) {
    if active() {
        ITEMS.with(|c| c.set((0, items, 0)));
        report(ProgressStage::Export, 0, items);
    }
}

/// One more node or relationship of an export was written.
pub(crate) fn export_item() {
    if active() {
        let (done, total, last) = ITEMS.with(Cell::get);
        let done = done + 1;
        let last = if done - last >= EXPORT_STEP || done == total {
            report(ProgressStage::Export, done, total);
            done
        } else {
            last
        };
        ITEMS.with(|c| c.set((done, total, last)));
    }
}
