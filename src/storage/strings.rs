//! Sharing of repeated string values while a graph is loaded in bulk.
//!
//! Bulk data repeats string values (a source document on thousands of relationships, a
//! currency, an event name): one `Arc<str>` per distinct value instead of one per occurrence
//! saves an allocation per value and its memory. A pool serves one column (CSV) or one property
//! key (snapshot version 1) and lives only while its file is read; the graph keeps the shared
//! strings, not the pool.

use std::collections::HashSet;
use std::sync::Arc;

/// A bounded set of the distinct strings of one column.
///
/// Once it holds [`StringPool::CAPACITY`] strings it stops adding (a column of mostly distinct
/// values, names say, would otherwise only grow it) but keeps sharing the strings it has.
#[derive(Default)]
pub(crate) struct StringPool {
    set: HashSet<Arc<str>, foldhash::fast::RandomState>,
}

impl StringPool {
    /// The most distinct strings one pool holds: the table stays at about a megabyte per
    /// column, and still covers every repeated value of the benchmark data.
    pub(crate) const CAPACITY: usize = 1 << 16;

    /// The shared string equal to `text`: the pool's, or a new one (added while there is room).
    pub(crate) fn get(&mut self, text: &str) -> Arc<str> {
        if let Some(v) = self.set.get(text) {
            return Arc::clone(v);
        }
        let v: Arc<str> = Arc::from(text);
        if self.set.len() < Self::CAPACITY {
            self.set.insert(Arc::clone(&v));
        }
        v
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.set.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_strings_share_one_allocation() {
        let mut pool = StringPool::default();
        let a = pool.get("doc_00001");
        let b = pool.get("doc_00002");
        // Values far apart in the input still share: not just the most recent ones.
        for i in 0..100 {
            pool.get(&format!("other {i}"));
        }
        assert!(Arc::ptr_eq(&a, &pool.get("doc_00001")));
        assert!(Arc::ptr_eq(&b, &pool.get("doc_00002")));
        assert!(!Arc::ptr_eq(&a, &b));
        assert_eq!(&*pool.get("doc_00001"), "doc_00001");
    }

    #[test]
    fn a_full_pool_stops_growing_but_keeps_sharing() {
        let mut pool = StringPool::default();
        let first = pool.get("first");
        for i in 0..StringPool::CAPACITY + 10 {
            pool.get(&i.to_string());
        }
        assert_eq!(pool.len(), StringPool::CAPACITY);
        let late = pool.get("late");
        assert!(!Arc::ptr_eq(&late, &pool.get("late")));
        assert!(Arc::ptr_eq(&first, &pool.get("first")));
    }
}
