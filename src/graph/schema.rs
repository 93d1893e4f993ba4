//! Named property indexes and the names of the unique constraints.
//!
//! A property index maps the values of one key on the nodes of one label to those nodes (ids
//! increasing). It is kept exact by the same hooks that keep the unique constraints' owners
//! (`constraint_insert` / `constraint_remove` in `mod.rs`, which every mutation and every undo
//! goes through), and rebuilt by one pass over the label's nodes when it is created, undone
//! back into existence, or opened from a snapshot. Integers and floats that Cypher calls equal
//! share one entry (`1` and `1.0`), so a seek finds both and the node check after it decides.

use std::collections::HashMap;

use super::journal::Change;
use super::{Graph, GraphError, KeyId, LabelId, NodeId, Props, Value};

/// One named index on (label, key).
#[derive(Clone, Debug)]
pub(crate) struct PropIndex {
    pub(crate) name: Box<str>,
    pub(crate) label: LabelId,
    pub(crate) key: KeyId,
    entries: HashMap<Value, Vec<NodeId>>,
}

/// The schema beside the constraints: the indexes, the constraints' names (a `None`, or a
/// missing entry, is the default name), and a generation that every schema change bumps
/// (plans that chose an index seek are cached under it).
#[derive(Clone, Debug, Default)]
pub(crate) struct Schema {
    pub(crate) indexes: Vec<PropIndex>,
    pub(crate) constraint_names: Vec<Option<Box<str>>>,
    pub(crate) generation: u64,
}

/// The key an index files a value under: an integral float as the integer it equals.
fn index_key(v: &Value) -> Value {
    match v {
        Value::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Value::Int(*f as i64),
        other => other.clone(),
    }
}

impl PropIndex {
    fn insert(&mut self, v: &Value, id: NodeId) {
        let ids = self.entries.entry(index_key(v)).or_default();
        if let Err(at) = ids.binary_search(&id) {
            ids.insert(at, id);
        }
    }

    fn remove(&mut self, v: &Value, id: NodeId) {
        let k = index_key(v);
        if let Some(ids) = self.entries.get_mut(&k) {
            if let Ok(at) = ids.binary_search(&id) {
                ids.remove(at);
            }
            if ids.is_empty() {
                self.entries.remove(&k);
            }
        }
    }
}

/// The name a constraint on (label, key) gets when none is given.
pub(crate) fn default_constraint_name(label: &str, key: &str) -> String {
    format!("constraint_{label}_{key}")
}

/// The name an index on (label, key) gets when none is given.
pub(crate) fn default_index_name(label: &str, key: &str) -> String {
    format!("index_{label}_{key}")
}

fn conflict(message: String) -> GraphError {
    GraphError::SchemaConflict { message }
}

impl Graph {
    /// Creates an index on the `key` of the nodes labelled `label`, named `name` (by default
    /// `index_<label>_<key>`), and returns its name. Queries then find such nodes by value
    /// without scanning the label. Fails if the name is taken (by an index or a constraint) or
    /// if an index on the same label and key exists.
    ///
    /// ```
    /// let mut g = kgraph::Graph::new();
    /// g.add_node(&["Company"], [("ticker", "AZN")])?;
    /// assert_eq!(g.create_index(None, "Company", "ticker")?, "index_Company_ticker");
    /// assert_eq!(g.indexes(), vec![("index_Company_ticker", "Company", "ticker")]);
    /// assert!(g.create_index(Some("other"), "Company", "ticker").is_err());
    /// # Ok::<_, kgraph::GraphError>(())
    /// ```
    pub fn create_index(&mut self, name: Option<&str>, label: &str, key: &str) -> Result<String, GraphError> {
        super::check_name(label, "label")?;
        super::check_name(key, "property key")?;
        let name = name.map_or_else(|| default_index_name(label, key), str::to_owned);
        super::check_name(&name, "index name")?;
        if self.schema_name_taken(&name) {
            return Err(conflict(format!(
                "an index or constraint is already named '{name}'"
            )));
        }
        if let (Some(l), Some(k)) = (self.symbols.find_label(label), self.symbols.find_key(key))
            && self.schema.indexes.iter().any(|i| i.label == l && i.key == k)
        {
            return Err(conflict(format!("an index on :{label}({key}) already exists")));
        }
        let l = self.symbols.label(label);
        let k = self.symbols.key(key);
        self.add_index_ids(&name, l, k);
        Ok(name)
    }

    /// Removes the index named `name`.
    ///
    /// ```
    /// let mut g = kgraph::Graph::new();
    /// let name = g.create_index(None, "A", "x")?;
    /// g.drop_index(&name)?;
    /// assert!(g.indexes().is_empty());
    /// assert!(g.drop_index(&name).is_err());
    /// # Ok::<_, kgraph::GraphError>(())
    /// ```
    pub fn drop_index(&mut self, name: &str) -> Result<(), GraphError> {
        let Some(pos) = self.schema.indexes.iter().position(|i| &*i.name == name) else {
            return Err(GraphError::SchemaNotFound {
                name: name.to_owned(),
            });
        };
        self.remove_index_at(pos);
        Ok(())
    }

    /// The indexes, as (name, label, key), in the order they were created.
    ///
    /// ```
    /// assert!(kgraph::Graph::new().indexes().is_empty());
    /// ```
    pub fn indexes(&self) -> Vec<(&str, &str, &str)> {
        self.schema
            .indexes
            .iter()
            .map(|i| {
                (
                    &*i.name,
                    self.symbols.label_name(i.label),
                    self.symbols.key_name(i.key),
                )
            })
            .collect()
    }

    /// [`create_unique_constraint`](Graph::create_unique_constraint) with a name of its own
    /// (the default is `constraint_<label>_<key>`).
    ///
    /// ```
    /// let mut g = kgraph::Graph::new();
    /// g.create_named_unique_constraint("one_ticker", "Company", "ticker")?;
    /// assert_eq!(g.constraints(), vec![("one_ticker".to_owned(), "Company", "ticker")]);
    /// g.drop_constraint("one_ticker")?;
    /// assert!(g.constraints().is_empty());
    /// # Ok::<_, kgraph::GraphError>(())
    /// ```
    pub fn create_named_unique_constraint(
        &mut self,
        name: &str,
        label: &str,
        key: &str,
    ) -> Result<(), GraphError> {
        super::check_name(label, "label")?;
        super::check_name(key, "property key")?;
        super::check_name(name, "constraint name")?;
        if self.schema_name_taken(name) {
            return Err(conflict(format!(
                "an index or constraint is already named '{name}'"
            )));
        }
        if self
            .constraints()
            .iter()
            .any(|(_, l, k)| *l == label && *k == key)
        {
            return Err(conflict(format!(
                "a constraint on :{label}({key}) already exists"
            )));
        }
        let l = self.symbols.label(label);
        let k = self.symbols.key(key);
        self.add_constraint_named(l, k, Some(name.into()))
    }

    /// Removes the unique constraint named `name`.
    ///
    /// ```
    /// let mut g = kgraph::Graph::new();
    /// g.create_unique_constraint("A", "x")?;
    /// g.drop_constraint("constraint_A_x")?;
    /// assert!(g.drop_constraint("constraint_A_x").is_err());
    /// # Ok::<_, kgraph::GraphError>(())
    /// ```
    pub fn drop_constraint(&mut self, name: &str) -> Result<(), GraphError> {
        let Some(pos) = (0..self.constraints.len()).find(|i| self.constraint_name(*i) == name) else {
            return Err(GraphError::SchemaNotFound {
                name: name.to_owned(),
            });
        };
        self.remove_constraint_at(pos);
        Ok(())
    }

    /// The unique constraints, as (name, label, key), in the order they were declared.
    ///
    /// ```
    /// let mut g = kgraph::Graph::new();
    /// g.create_unique_constraint("A", "x")?;
    /// assert_eq!(g.constraints(), vec![("constraint_A_x".to_owned(), "A", "x")]);
    /// # Ok::<_, kgraph::GraphError>(())
    /// ```
    pub fn constraints(&self) -> Vec<(String, &str, &str)> {
        self.constraints
            .iter()
            .enumerate()
            .map(|(i, c)| {
                (
                    self.constraint_name(i),
                    self.symbols.label_name(c.label),
                    self.symbols.key_name(c.key),
                )
            })
            .collect()
    }

    /// The name of the constraint at `pos`.
    pub(crate) fn constraint_name(&self, pos: usize) -> String {
        if let Some(Some(n)) = self.schema.constraint_names.get(pos) {
            return n.to_string();
        }
        self.constraints.get(pos).map_or_else(String::new, |c| {
            default_constraint_name(self.symbols.label_name(c.label), self.symbols.key_name(c.key))
        })
    }

    /// The custom name of the constraint at `pos`, if it has one.
    pub(crate) fn custom_constraint_name(&self, pos: usize) -> Option<&str> {
        self.schema.constraint_names.get(pos).and_then(|n| n.as_deref())
    }

    fn schema_name_taken(&self, name: &str) -> bool {
        self.schema.indexes.iter().any(|i| &*i.name == name)
            || (0..self.constraints.len()).any(|i| self.constraint_name(i) == name)
    }

    /// The number every schema change (and every undo of one) bumps.
    pub(crate) fn schema_generation(&self) -> u64 {
        self.schema.generation
    }

    /// The (label, key) pairs an index or a unique constraint covers: a seek can use them.
    pub(crate) fn seekable(&self) -> Vec<(LabelId, KeyId)> {
        let mut out: Vec<(LabelId, KeyId)> = self.schema.indexes.iter().map(|i| (i.label, i.key)).collect();
        out.extend(self.constraints.iter().map(|c| (c.label, c.key)));
        out
    }

    /// The nodes labelled `label` whose `key` may equal `v` (a superset: the caller checks
    /// each), from an index or a unique constraint; `None` if neither covers (label, key).
    pub(crate) fn index_seek(&self, label: LabelId, key: KeyId, v: &Value) -> Option<Vec<NodeId>> {
        if let Some(ix) = self
            .schema
            .indexes
            .iter()
            .find(|i| i.label == label && i.key == key)
        {
            return Some(ix.entries.get(&index_key(v)).cloned().unwrap_or_default());
        }
        let c = self
            .constraints
            .iter()
            .find(|c| c.label == label && c.key == key)?;
        let mut out: Vec<NodeId> = c.owners.get(v).copied().into_iter().collect();
        let twin = match v {
            Value::Int(i) => Some(Value::Float(*i as f64)),
            Value::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Some(Value::Int(*f as i64)),
            _ => None,
        };
        if let Some(id) = twin.and_then(|t| c.owners.get(&t).copied()) {
            out.push(id);
            out.sort();
        }
        Some(out)
    }

    /// Adds an index on interned names (the caller checked the name), built by one pass over
    /// the label's nodes.
    pub(crate) fn add_index_ids(&mut self, name: &str, label: LabelId, key: KeyId) {
        let ix = self.build_index(name.into(), label, key);
        self.schema.indexes.push(ix);
        self.schema.generation += 1;
        self.record(|| Change::IndexAdded {
            name: name.into(),
            label,
            key,
        });
    }

    fn build_index(&self, name: Box<str>, label: LabelId, key: KeyId) -> PropIndex {
        let mut ix = PropIndex {
            name,
            label,
            key,
            entries: HashMap::new(),
        };
        for id in self.label_nodes(label) {
            if let Some(v) = self.node_data(*id).ok().and_then(|d| d.props.get(key)) {
                ix.insert(v, *id);
            }
        }
        ix
    }

    pub(crate) fn remove_index_at(&mut self, pos: usize) {
        if pos >= self.schema.indexes.len() {
            return;
        }
        let ix = self.schema.indexes.remove(pos);
        self.schema.generation += 1;
        self.record(|| Change::IndexRemoved {
            pos,
            name: ix.name.clone(),
            label: ix.label,
            key: ix.key,
        });
    }

    /// Undoes an `IndexAdded` (the index is the last one) or an `IndexRemoved`.
    pub(crate) fn undo_index_added(&mut self) {
        self.schema.indexes.pop();
        self.schema.generation += 1;
    }

    pub(crate) fn undo_index_removed(&mut self, pos: usize, name: &str, label: LabelId, key: KeyId) {
        let ix = self.build_index(name.into(), label, key);
        let pos = pos.min(self.schema.indexes.len());
        self.schema.indexes.insert(pos, ix);
        self.schema.generation += 1;
    }

    /// Adds a constraint with an optional custom name (see `add_constraint_ids`).
    pub(crate) fn add_constraint_named(
        &mut self,
        label: LabelId,
        key: KeyId,
        name: Option<Box<str>>,
    ) -> Result<(), GraphError> {
        let before = self.constraints.len();
        self.add_constraint_ids(label, key)?;
        if self.constraints.len() > before {
            self.schema.constraint_names.resize(before, None);
            self.schema.constraint_names.push(name.clone());
            if let Some(Change::ConstraintAdded { name: n, .. }) =
                self.journal.as_mut().and_then(|j| j.changes.last_mut())
            {
                n.clone_from(&name);
            }
        }
        self.schema.generation += 1;
        Ok(())
    }

    pub(crate) fn remove_constraint_at(&mut self, pos: usize) {
        if pos >= self.constraints.len() {
            return;
        }
        let name = self.custom_constraint_name(pos).map(Box::from);
        let c = self.constraints.remove(pos);
        if pos < self.schema.constraint_names.len() {
            self.schema.constraint_names.remove(pos);
        }
        self.schema.generation += 1;
        self.record(|| Change::ConstraintRemoved {
            pos,
            name,
            label: c.label,
            key: c.key,
        });
    }

    /// Undoes an `ConstraintAdded` (the constraint is the last one).
    pub(crate) fn undo_constraint_added(&mut self) {
        self.constraints.pop();
        self.schema.constraint_names.truncate(self.constraints.len());
        self.schema.generation += 1;
    }

    /// Undoes a `ConstraintRemoved`: the constraint back at its place, its owners rebuilt (it
    /// held before, so it holds now).
    pub(crate) fn undo_constraint_removed(
        &mut self,
        pos: usize,
        name: Option<Box<str>>,
        label: LabelId,
        key: KeyId,
    ) {
        let mut owners = HashMap::new();
        for id in self.label_nodes(label) {
            if let Some(v) = self.node_data(*id).ok().and_then(|d| d.props.get(key)) {
                owners.insert(v.clone(), *id);
            }
        }
        let pos = pos.min(self.constraints.len());
        self.constraints
            .insert(pos, super::UniqueConstraint { label, key, owners });
        if self.schema.constraint_names.len() < pos {
            self.schema.constraint_names.resize(pos, None);
        }
        self.schema
            .constraint_names
            .insert(pos.min(self.schema.constraint_names.len()), name);
        self.schema.generation += 1;
    }

    /// Files a node's values under the indexes of the labels given.
    pub(crate) fn index_insert(&mut self, id: NodeId, labels: &[LabelId], props: &Props) {
        for ix in &mut self.schema.indexes {
            if labels.binary_search(&ix.label).is_ok()
                && let Some(v) = props.get(ix.key)
            {
                ix.insert(v, id);
            }
        }
    }

    /// Takes a node's values out of the indexes of the labels given.
    pub(crate) fn index_remove(&mut self, id: NodeId, labels: &[LabelId], props: &Props) {
        for ix in &mut self.schema.indexes {
            if labels.binary_search(&ix.label).is_ok()
                && let Some(v) = props.get(ix.key)
            {
                ix.remove(v, id);
            }
        }
    }

    /// Restores the schema a snapshot stored: the constraints' names and the indexes, built
    /// from the nodes.
    pub(crate) fn restore_schema(
        &mut self,
        constraint_names: Vec<Option<Box<str>>>,
        indexes: Vec<(Box<str>, LabelId, KeyId)>,
    ) {
        self.schema.constraint_names = constraint_names;
        for (name, label, key) in indexes {
            let ix = self.build_index(name, label, key);
            self.schema.indexes.push(ix);
        }
    }

    /// The indexes as (name, label, key) ids, for the snapshot encoder.
    pub(crate) fn index_defs(&self) -> Vec<(&str, LabelId, KeyId)> {
        self.schema
            .indexes
            .iter()
            .map(|i| (&*i.name, i.label, i.key))
            .collect()
    }

    /// Checks that every index holds exactly the values of its label's nodes.
    pub(crate) fn check_indexes(&self) -> Result<(), String> {
        for ix in &self.schema.indexes {
            let fresh = self.build_index(ix.name.clone(), ix.label, ix.key);
            if fresh.entries != ix.entries {
                return Err(format!("index '{}' differs from its nodes", ix.name));
            }
        }
        Ok(())
    }
}
