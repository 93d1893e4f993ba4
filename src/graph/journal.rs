//! The journal: while it is on, every change to a graph is recorded with what it takes to undo
//! it and to do it again, so that a failed statement or a rolled-back transaction costs what it
//! changed, not a copy of the graph.
//!
//! Undoing runs the records backwards. Each record restores the storage and every index
//! exactly: a removed node or relationship gets its old id back (petgraph keeps vacant slots in
//! a free list that a removal pushes and an insertion pops, so undoing in reverse order pops
//! exactly the slot each removal pushed), a label set and an adjacency list get their old order
//! back (the records keep positions), the name index keeps its holders sorted so their order
//! does not depend on history, and the symbol tables are cut back to their sizes at the mark.
//!
//! Redoing runs the records forwards on another copy of the graph that was equal to this one
//! at the start of the journal: the same calls from the same state give the same ids. A
//! database handle keeps a second copy up to date this way, and a write-ahead log would write
//! the same records.
//!
//! Architecture invariant: while the journal is on, every mutation of the graph goes through a
//! method of `Graph` that records it before returning, and nothing else changes the graph.

use super::id::{NodeId, RelId};
use super::intern::{KeyId, LabelId, SymbolSizes, TypeId};
use super::{Graph, GraphError, NodeData, Props, RelData, Value};

/// One change, with what undoing and redoing it need.
#[derive(Clone, Debug)]
pub(crate) enum Change {
    /// A node was added with these (sorted) labels and properties.
    NodeAdded {
        id: NodeId,
        labels: Vec<LabelId>,
        props: Props,
    },
    /// A node (with no relationships left) was removed; `label_pos[i]` was its place in the
    /// set of `data.labels[i]`.
    NodeRemoved {
        id: NodeId,
        data: NodeData,
        label_pos: Vec<usize>,
    },
    /// A node property went from `old` to `new` (`Null`: absent).
    NodePropSet {
        id: NodeId,
        key: KeyId,
        old: Value,
        new: Value,
    },
    /// A label was added to a node (at the end of the label's set).
    LabelAdded { id: NodeId, label: LabelId },
    /// A label was removed from a node; it had place `pos` in the label's set.
    LabelRemoved { id: NodeId, label: LabelId, pos: usize },
    /// A relationship was added.
    RelAdded {
        id: RelId,
        start: NodeId,
        end: NodeId,
        ty: TypeId,
        props: Props,
    },
    /// A relationship was removed; `at` was its place in the adjacency lists of its ends.
    RelRemoved {
        id: RelId,
        start: NodeId,
        end: NodeId,
        data: RelData,
        at: (usize, usize),
    },
    /// A relationship property went from `old` to `new`.
    RelPropSet {
        id: RelId,
        key: KeyId,
        old: Value,
        new: Value,
    },
    /// A unique constraint was added (at the end of the list), with its name if it is not
    /// the default one.
    ConstraintAdded {
        label: LabelId,
        key: KeyId,
        name: Option<Box<str>>,
    },
    /// The unique constraint at `pos` was removed.
    ConstraintRemoved {
        pos: usize,
        name: Option<Box<str>>,
        label: LabelId,
        key: KeyId,
    },
    /// A property index was added (at the end of the list).
    IndexAdded {
        name: Box<str>,
        label: LabelId,
        key: KeyId,
    },
    /// The property index at `pos` was removed.
    IndexRemoved {
        pos: usize,
        name: Box<str>,
        label: LabelId,
        key: KeyId,
    },
    /// Names became unique graph-wide (`Graph::require_unique_names`).
    UniqueNamesRequired,
}

/// The records since the journal was turned on.
#[derive(Clone, Debug, Default)]
pub(crate) struct Journal {
    pub(super) changes: Vec<Change>,
    /// The symbol tables' sizes when the journal was turned on.
    start: SymbolSizes,
    /// Who turned it on (a transaction's number; 0 for a statement).
    owner: u64,
}

impl Journal {
    /// See `Graph::journal_redoes`.
    pub(crate) fn redoes(&self) -> bool {
        self.owner != 0
    }
}

/// A point in the journal to roll back to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Mark {
    changes: usize,
    symbols: SymbolSizes,
}

/// What a journal recorded, to be done again on another copy of the graph: the names interned
/// (in order, per table) and the changes.
#[derive(Clone, Debug, Default)]
pub(crate) struct Redo {
    pub(crate) labels: Vec<Box<str>>,
    pub(crate) types: Vec<Box<str>>,
    pub(crate) keys: Vec<Box<str>>,
    pub(crate) changes: Vec<Change>,
}

/// A borrowed view of what a journal recorded (see `Graph::journal_view`).
#[derive(Default)]
pub(crate) struct JournalView<'a> {
    pub(crate) labels: Vec<&'a str>,
    pub(crate) types: Vec<&'a str>,
    pub(crate) keys: Vec<&'a str>,
    pub(crate) changes: &'a [Change],
}

impl JournalView<'_> {
    /// True if the journal changed nothing.
    pub(crate) fn is_empty(&self) -> bool {
        self.changes.is_empty() && self.labels.is_empty() && self.types.is_empty() && self.keys.is_empty()
    }
}

impl Graph {
    /// Turns the journal on if it is off; returns the mark to roll back to and whether this
    /// call turned it on (and so must turn it off).
    pub(crate) fn journal_begin(&mut self) -> (Mark, bool) {
        let symbols = self.symbols.sizes();
        match &self.journal {
            Some(j) => (
                Mark {
                    changes: j.changes.len(),
                    symbols,
                },
                false,
            ),
            None => {
                let journal = match self.idle_journal.take() {
                    Some(mut j) => {
                        j.changes.clear();
                        j.start = symbols;
                        j.owner = 0;
                        j
                    }
                    None => Box::new(Journal {
                        changes: Vec::new(),
                        start: symbols,
                        owner: 0,
                    }),
                };
                self.journal = Some(journal);
                (Mark { changes: 0, symbols }, true)
            }
        }
    }

    /// Turns the journal on for a transaction numbered `owner` (not 0), dropping any record
    /// left; returns the mark of its start.
    pub(crate) fn journal_begin_owned(&mut self, owner: u64) -> Mark {
        let symbols = self.symbols.sizes();
        self.journal = Some(Box::new(Journal {
            changes: Vec::new(),
            start: symbols,
            owner,
        }));
        Mark { changes: 0, symbols }
    }

    /// The current point of the journal, to roll back to later.
    pub(crate) fn journal_mark_now(&self) -> Mark {
        Mark {
            changes: self.journal_len(),
            symbols: self.symbols.sizes(),
        }
    }

    /// The number of the transaction whose journal is on (`None`: off).
    pub(crate) fn journal_owner(&self) -> Option<u64> {
        self.journal.as_ref().map(|j| j.owner)
    }

    /// The number of changes recorded so far.
    pub(crate) fn journal_len(&self) -> usize {
        self.journal.as_ref().map_or(0, |j| j.changes.len())
    }

    /// What the journal has recorded so far, borrowed: the names interned since it began
    /// (per table, in order) and the changes. Empty when the journal is off.
    pub(crate) fn journal_view(&self) -> JournalView<'_> {
        let Some(j) = self.journal.as_ref() else {
            return JournalView::default();
        };
        let s = &self.symbols;
        JournalView {
            labels: s.labels.iter().skip(j.start.0).collect(),
            types: s.types.iter().skip(j.start.1).collect(),
            keys: s.keys.iter().skip(j.start.2).collect(),
            changes: &j.changes,
        }
    }

    /// Turns a statement's journal off, keeping every change and forgetting the records; the
    /// journal's allocation is kept for the next statement (unless a large statement grew it).
    pub(crate) fn journal_discard(&mut self) {
        if let Some(mut j) = self.journal.take()
            && j.changes.capacity() <= 4096
        {
            j.changes.clear();
            self.idle_journal = Some(j);
        }
    }

    /// Turns the journal off, keeping every change; returns what it recorded.
    pub(crate) fn journal_end(&mut self) -> Redo {
        let Some(j) = self.journal.take() else {
            return Redo::default();
        };
        let s = &self.symbols;
        let names = |t: &super::intern::Interner, from: usize| -> Vec<Box<str>> {
            t.iter().skip(from).map(Box::from).collect()
        };
        Redo {
            labels: names(&s.labels, j.start.0),
            types: names(&s.types, j.start.1),
            keys: names(&s.keys, j.start.2),
            changes: j.changes,
        }
    }

    /// Undoes every change recorded since `mark`, newest first, and forgets the names interned
    /// since; the journal stays on.
    pub(crate) fn rollback_to(&mut self, mark: Mark) {
        loop {
            let change = match self.journal.as_mut() {
                Some(j) if j.changes.len() > mark.changes => j.changes.pop(),
                _ => None,
            };
            let Some(change) = change else { break };
            self.undo(change);
        }
        if self.symbols.sizes() != mark.symbols {
            self.symbols.truncate(mark.symbols);
            self.label_index.truncate(self.symbols.labels.len());
            // Names were forgotten: a plan bound since may name a symbol that is gone or that
            // a later name will take. A new identity makes every such plan unreachable.
            self.cache_id = CacheId::default();
        }
    }

    /// Records a change if the journal is on.
    #[inline]
    pub(super) fn record(&mut self, change: impl FnOnce() -> Change) {
        if let Some(j) = self.journal.as_mut() {
            j.changes.push(change());
        }
    }

    /// True while the journal is on.
    #[inline]
    pub(super) fn journaling(&self) -> bool {
        self.journal.is_some()
    }

    /// True while the journal is on for a transaction, whose records are replayed on another
    /// copy: then a record keeps what redoing needs (the new values), not only what undoing
    /// needs. A statement's own journal only ever undoes.
    #[inline]
    pub(super) fn journal_redoes(&self) -> bool {
        self.journal.as_ref().is_some_and(|j| j.redoes())
    }

    fn undo(&mut self, change: Change) {
        match change {
            Change::NodeAdded { id, .. } => {
                // Every later change is undone: the node is as it was added.
                let Some(NodeData { labels, props }) = self.inner.remove_node(id.ix()) else {
                    return;
                };
                for l in &labels {
                    self.label_set_mut(*l).swap_remove_at(&id);
                }
                self.index_names(id, &props, false);
                self.constraint_remove(id, &labels, &props);
            }
            Change::NodeRemoved { id, data, label_pos } => {
                let back = NodeId::from_ix(self.inner.add_node(NodeData {
                    labels: Vec::new(),
                    props: Props::default(),
                }));
                debug_assert_eq!(back, id, "undo must reuse the removed node's slot");
                for (l, at) in data.labels.iter().zip(&label_pos) {
                    self.label_set_mut(*l).restore(back, *at);
                }
                self.index_names(back, &data.props, true);
                self.constraint_insert(back, &data.labels, &data.props);
                if let Some(slot) = self.inner.node_weight_mut(back.ix()) {
                    *slot = data;
                }
            }
            Change::NodePropSet { id, key, old, .. } => {
                self.set_node_prop_unchecked(id, key, old);
            }
            Change::LabelAdded { id, label } => {
                if let Some(data) = self.inner.node_weight_mut(id.ix())
                    && let Ok(pos) = data.labels.binary_search(&label)
                {
                    data.labels.remove(pos);
                }
                if let Some(props) = self.inner.node_weight(id.ix()).map(|d| d.props.clone()) {
                    self.constraint_remove(id, &[label], &props);
                }
                self.label_set_mut(label).swap_remove_at(&id);
            }
            Change::LabelRemoved { id, label, pos } => {
                if let Some(data) = self.inner.node_weight_mut(id.ix())
                    && let Err(at) = data.labels.binary_search(&label)
                {
                    data.labels.insert(at, label);
                }
                if let Some(props) = self.inner.node_weight(id.ix()).map(|d| d.props.clone()) {
                    self.constraint_insert(id, &[label], &props);
                }
                self.label_set_mut(label).restore(id, pos);
            }
            Change::RelAdded { id, start, end, .. } => {
                self.inner.remove_edge(id.ix());
                self.adjacency.remove(id, start, end);
                self.type_index.take();
            }
            Change::RelRemoved {
                id,
                start,
                end,
                data,
                at,
            } => {
                let ty = data.ty;
                let back = RelId::from_ix(self.inner.add_edge(start.ix(), end.ix(), data));
                debug_assert_eq!(back, id, "undo must reuse the removed relationship's slot");
                self.adjacency.restore(back, start, end, ty, at);
                self.type_index.take();
            }
            Change::RelPropSet { id, key, old, .. } => {
                if let Some(data) = self.inner.edge_weight_mut(id.ix()) {
                    data.props.set(key, old);
                }
            }
            Change::ConstraintAdded { .. } => self.undo_constraint_added(),
            Change::ConstraintRemoved {
                pos,
                name,
                label,
                key,
            } => {
                self.undo_constraint_removed(pos, name, label, key);
            }
            Change::UniqueNamesRequired => self.set_unique_names_unchecked(false),
            Change::IndexAdded { .. } => self.undo_index_added(),
            Change::IndexRemoved {
                pos,
                name,
                label,
                key,
            } => self.undo_index_removed(pos, &name, label, key),
        }
    }

    /// Does again, on this graph, what a journal recorded on a copy that was equal to this
    /// graph when the journal was turned on. Fails (leaving this graph in an unspecified state,
    /// to be dropped) only if the two were not equal.
    pub(crate) fn redo(&mut self, redo: &Redo) -> Result<(), GraphError> {
        self.redo_owned(redo.clone())
    }

    /// [`Graph::redo`], taking the records: the values move into the graph instead of being
    /// copied (opening a database replays its log this way).
    pub(crate) fn redo_owned(&mut self, redo: Redo) -> Result<(), GraphError> {
        for l in &redo.labels {
            self.symbols.label(l);
        }
        for t in &redo.types {
            self.symbols.rel_type(t);
        }
        for k in &redo.keys {
            self.symbols.key(k);
        }
        let diverged = |what: &str| GraphError::Diverged {
            what: what.to_owned(),
        };
        for change in redo.changes {
            match change {
                Change::NodeAdded { id, labels, props } => {
                    if self.insert_node_unchecked(labels, props) != id {
                        return Err(diverged("node id"));
                    }
                }
                Change::NodeRemoved { id, .. } => {
                    self.node_data(id)?;
                    self.remove_node_unchecked(id);
                }
                Change::NodePropSet { id, key, new, .. } => {
                    self.node_data(id)?;
                    self.set_node_prop_unchecked(id, key, new);
                }
                Change::LabelAdded { id, label } => {
                    self.add_label_id(id, label)?;
                }
                Change::LabelRemoved { id, label, .. } => {
                    self.remove_label_id(id, label)?;
                }
                Change::RelAdded {
                    id,
                    start,
                    end,
                    ty,
                    props,
                } => {
                    self.node_data(start)?;
                    self.node_data(end)?;
                    if self.insert_rel_unchecked(start, end, ty, props) != id {
                        return Err(diverged("relationship id"));
                    }
                }
                Change::RelRemoved { id, .. } => {
                    if !self.remove_rel_unchecked(id) {
                        return Err(GraphError::RelationshipNotFound { id });
                    }
                }
                Change::RelPropSet { id, key, new, .. } => {
                    self.set_rel_prop_by_key(id, key, new)?;
                }
                Change::ConstraintAdded { label, key, name } => {
                    self.add_constraint_named(label, key, name)?;
                }
                Change::ConstraintRemoved { name, label, key, .. } => {
                    let pos = self
                        .constraints
                        .iter()
                        .position(|c| c.label == label && c.key == key);
                    match pos {
                        Some(p) if name.is_none() || self.custom_constraint_name(p) == name.as_deref() => {
                            self.remove_constraint_at(p);
                        }
                        _ => {
                            return Err(GraphError::Diverged {
                                what: "constraints".into(),
                            })
                        }
                    }
                }
                Change::IndexAdded { name, label, key } => self.add_index_ids(&name, label, key),
                Change::IndexRemoved { name, .. } => {
                    let pos = self.index_defs().iter().position(|(n, _, _)| *n == &*name);
                    match pos {
                        Some(p) => self.remove_index_at(p),
                        None => {
                            return Err(GraphError::Diverged {
                                what: "indexes".into(),
                            })
                        }
                    }
                }
                Change::UniqueNamesRequired => self.require_unique_names()?,
            }
        }
        Ok(())
    }
}

/// A graph's identity for caches of what was derived from its symbols (query plans): fresh for
/// every new graph, every clone, and every roll-back that forgets names, so that no two states
/// with different symbol tables of equal sizes share one.
#[derive(Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct CacheId(pub(crate) u64);

impl Default for CacheId {
    fn default() -> CacheId {
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
        CacheId(NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed))
    }
}

impl Clone for CacheId {
    fn clone(&self) -> CacheId {
        CacheId::default()
    }
}
