//! Interning of labels, relationship types and property keys.
//!
//! Architecture invariant: a symbol, once interned, keeps its number for the life of the graph
//! (and across a snapshot), so the storage and the executor compare `u32`s, never strings.

use indexmap::IndexSet;

use super::names::NAME_KEYS;

macro_rules! symbol {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
        pub(crate) struct $name(pub(crate) u32);

        impl $name {
            #[allow(dead_code)]
            pub(crate) fn index(self) -> usize {
                self.0 as usize
            }
        }
    };
}

symbol!(
    /// An interned node label.
    LabelId
);
symbol!(
    /// An interned relationship type.
    TypeId
);
symbol!(
    /// An interned property key.
    KeyId
);

/// One symbol table: text <-> dense number. Hashed with foldhash, seeded per table: a
/// look-up hashes one short name, and SipHash was most of a name-index update.
#[derive(Clone, Debug, Default)]
pub(crate) struct Interner {
    names: IndexSet<Box<str>, foldhash::quality::RandomState>,
}

impl Interner {
    pub(crate) fn intern(&mut self, name: &str) -> u32 {
        if let Some(i) = self.names.get_index_of(name) {
            return i as u32;
        }
        self.names.insert_full(Box::from(name)).0 as u32
    }

    pub(crate) fn get(&self, name: &str) -> Option<u32> {
        self.names.get_index_of(name).map(|i| i as u32)
    }

    pub(crate) fn name(&self, id: u32) -> &str {
        self.names.get_index(id as usize).map_or("", |s| s)
    }

    pub(crate) fn len(&self) -> usize {
        self.names.len()
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = &str> {
        self.names.iter().map(|s| &**s)
    }

    /// Forgets every name interned after the first `len`.
    pub(crate) fn truncate(&mut self, len: usize) {
        self.names.truncate(len);
    }
}

/// The three symbol tables of a graph, and which keys are the name keys (`NAME_KEYS`):
/// every node write asks, and that is a look-up by text otherwise.
#[derive(Clone, Debug, Default)]
pub(crate) struct Symbols {
    pub(crate) labels: Interner,
    pub(crate) types: Interner,
    pub(crate) keys: Interner,
    /// The id of each of `NAME_KEYS`, once interned; kept by `key` and `truncate`.
    name_keys: [Option<KeyId>; NAME_KEYS.len()],
}

/// The sizes of the three symbol tables (labels, types, keys): tables only grow, so two
/// states of one graph with equal sizes have equal tables.
pub(crate) type SymbolSizes = (usize, usize, usize);

impl Symbols {
    /// Symbol tables read back (from a snapshot or a log).
    pub(crate) fn new(labels: Interner, types: Interner, keys: Interner) -> Symbols {
        let name_keys = NAME_KEYS.map(|k| keys.get(k).map(KeyId));
        Symbols {
            labels,
            types,
            keys,
            name_keys,
        }
    }

    /// The ids of the name keys interned so far.
    pub(crate) fn name_keys(&self) -> impl Iterator<Item = KeyId> + '_ {
        self.name_keys.iter().flatten().copied()
    }

    /// True if `key` is one of `NAME_KEYS`.
    pub(crate) fn is_name_key(&self, key: KeyId) -> bool {
        self.name_keys.contains(&Some(key))
    }

    pub(crate) fn sizes(&self) -> SymbolSizes {
        (self.labels.len(), self.types.len(), self.keys.len())
    }

    /// Forgets the names interned since the tables had `sizes`.
    pub(crate) fn truncate(&mut self, sizes: SymbolSizes) {
        self.labels.truncate(sizes.0);
        self.types.truncate(sizes.1);
        self.keys.truncate(sizes.2);
        for k in &mut self.name_keys {
            if k.is_some_and(|k| k.index() >= sizes.2) {
                *k = None;
            }
        }
    }

    pub(crate) fn label(&mut self, name: &str) -> LabelId {
        LabelId(self.labels.intern(name))
    }
    pub(crate) fn rel_type(&mut self, name: &str) -> TypeId {
        TypeId(self.types.intern(name))
    }
    pub(crate) fn key(&mut self, name: &str) -> KeyId {
        let len = self.keys.len();
        let id = KeyId(self.keys.intern(name));
        if id.index() == len
            && let Some(i) = NAME_KEYS.iter().position(|k| *k == name)
        {
            self.name_keys[i] = Some(id);
        }
        id
    }
    pub(crate) fn find_label(&self, name: &str) -> Option<LabelId> {
        self.labels.get(name).map(LabelId)
    }
    pub(crate) fn find_type(&self, name: &str) -> Option<TypeId> {
        self.types.get(name).map(TypeId)
    }
    pub(crate) fn find_key(&self, name: &str) -> Option<KeyId> {
        self.keys.get(name).map(KeyId)
    }
    pub(crate) fn label_name(&self, id: LabelId) -> &str {
        self.labels.name(id.0)
    }
    pub(crate) fn type_name(&self, id: TypeId) -> &str {
        self.types.name(id.0)
    }
    pub(crate) fn key_name(&self, id: KeyId) -> &str {
        self.keys.name(id.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interning_is_idempotent_and_dense() {
        let mut i = Interner::default();
        assert_eq!(i.intern("Company"), 0);
        assert_eq!(i.intern("Place"), 1);
        assert_eq!(i.intern("Company"), 0);
        assert_eq!(i.get("Place"), Some(1));
        assert_eq!(i.get("Person"), None);
        assert_eq!(i.name(1), "Place");
        assert_eq!(i.len(), 2);
    }

    #[test]
    fn the_name_keys_follow_interning_and_truncation() {
        let mut s = Symbols::default();
        s.key("kind");
        let before = s.sizes();
        let name = s.key("name");
        let aliases = s.key("aliases");
        assert_eq!(s.name_keys().collect::<Vec<_>>(), [name, aliases]);
        assert!(s.is_name_key(name) && !s.is_name_key(KeyId(0)));
        assert_eq!(s.key("name"), name);
        s.truncate(before);
        assert_eq!(s.name_keys().count(), 0);
        assert!(!s.is_name_key(name));
        // Read back from tables: the same answer as interning one by one.
        let mut keys = Interner::default();
        for k in ["kind", "name_zh", "name"] {
            keys.intern(k);
        }
        let s = Symbols::new(Interner::default(), Interner::default(), keys);
        assert_eq!(s.name_keys().collect::<Vec<_>>(), [KeyId(2), KeyId(1)]);
    }
}
