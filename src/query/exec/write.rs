//! The write operators: CREATE, MERGE, SET, REMOVE, DELETE, with the TCK's statistics.

use std::collections::BTreeMap;

// foldhash: these sets are keyed by small ids and rebuilt per statement; SipHash was a
// visible share of a one-node write.
use foldhash::{HashMap, HashSet, HashSetExt};

use super::budget::Budget;
use super::error::{ExecError, ExecKind, ExecResult};
use super::eval::{set_slot, Row};
use super::{Ctx, SubRows};
use crate::graph::{Graph, KeyId, LabelId, NodeId, Props, RelId, Value};
use crate::query::plan::{CreateItem, Expr, MergePlan, Op, RemoveItem, SetItem};

/// What a query changed, with the TCK's meaning (a diff of the graph).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Stats {
    /// Nodes created.
    pub nodes_created: usize,
    /// Nodes deleted.
    pub nodes_deleted: usize,
    /// Relationships created.
    pub relationships_created: usize,
    /// Relationships deleted.
    pub relationships_deleted: usize,
    /// Label names present after the query but not before.
    pub labels_added: usize,
    /// Label names present before the query but not after.
    pub labels_removed: usize,
    /// (entity, key, value) triples present after but not before.
    pub properties_set: usize,
    /// (entity, key, value) triples present before but not after.
    pub properties_removed: usize,
}

impl Stats {
    /// True if the query changed nothing.
    ///
    /// ```
    /// assert!(kgraph::Stats::default().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        *self == Stats::default()
    }
}

/// A node or relationship, for the record of what a query changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Entity {
    Node(NodeId),
    Rel(RelId),
}

/// What a statement has changed so far, kept so that its statistics are a diff of the graph
/// before and after (as the TCK counts them), not a count of operations: a property set twice
/// counts once, a node created and deleted in the same statement not at all. An id freed by a
/// deletion may be reused by a later creation in the same statement; the two are told apart.
#[derive(Debug, Default)]
pub(crate) struct Changes {
    /// Created by this statement and still alive.
    created: HashSet<Entity>,
    nodes_deleted: usize,
    relationships_deleted: usize,
    /// Properties that existed before the statement, on items it deleted.
    properties_removed: usize,
    /// For each live item the statement touched: the value each touched key had before it
    /// (`None`: absent).
    original: HashMap<Entity, Touched>,
    /// Each label the statement gave to or took from a node, with whether some node carried
    /// it when the statement first touched it: the labels added and removed (those that came
    /// into or went out of use) are counted from these alone, without a pass over every label.
    labels: Vec<(LabelId, bool)>,
    pub(crate) tombstones: Tombstones,
}

/// The keys a statement touched on one item, each with the value it had before (`None`:
/// absent): the first held inline, so the usual `SET n.p = v` allocates nothing for it.
#[derive(Debug, Default)]
enum Touched {
    #[default]
    Nothing,
    One(KeyId, Option<Value>),
    Many(Vec<(KeyId, Option<Value>)>),
}

impl Touched {
    fn iter(&self) -> impl Iterator<Item = (KeyId, &Option<Value>)> {
        let (one, many) = match self {
            Touched::Nothing => (None, &[][..]),
            Touched::One(k, v) => (Some((*k, v)), &[][..]),
            Touched::Many(all) => (None, all.as_slice()),
        };
        one.into_iter().chain(many.iter().map(|(k, v)| (*k, v)))
    }

    fn push(&mut self, key: KeyId, before: Option<Value>) {
        *self = match std::mem::take(self) {
            Touched::Nothing => Touched::One(key, before),
            Touched::One(k, v) => Touched::Many(vec![(k, v), (key, before)]),
            Touched::Many(mut all) => {
                all.push((key, before));
                Touched::Many(all)
            }
        };
    }
}

/// The types of the relationships a statement deleted: `type(r)` of a deleted relationship
/// still answers (openCypher), while its properties, and a deleted node's labels and
/// properties, are an `EntityNotFound` error.
#[derive(Debug, Default)]
pub(crate) struct Tombstones {
    pub(crate) rels: HashMap<RelId, crate::graph::TypeId>,
}

impl Changes {
    fn touch(&mut self, graph: &Graph, e: Entity, key: KeyId) {
        // A created item had no properties before: its statistics are counted from what it
        // has at the end.
        if self.created.contains(&e) {
            return;
        }
        let seen = self.original.entry(e).or_default();
        if seen.iter().any(|(k, _)| k == key) {
            return;
        }
        let before = if self.created.contains(&e) {
            None
        } else {
            props_of(graph, e).and_then(|p| p.get(key).cloned())
        };
        seen.push(key, before);
    }

    fn created(&mut self, e: Entity) {
        // A reused id names a new item: forget what was recorded of the old one.
        self.original.remove(&e);
        if let Entity::Rel(r) = e {
            self.tombstones.rels.remove(&r);
        }
        self.created.insert(e);
    }

    /// Records that `e` is about to be deleted.
    /// Notes `label` before the statement first gives it to or takes it from a node.
    fn touch_label(&mut self, graph: &Graph, label: LabelId) {
        if !self.labels.iter().any(|(l, _)| *l == label) {
            self.labels.push((label, !graph.label_nodes(label).is_empty()));
        }
    }

    fn deleting(&mut self, graph: &Graph, e: Entity) {
        if let Entity::Rel(r) = e
            && let Ok(d) = graph.rel_data(r)
        {
            self.tombstones.rels.insert(r, d.ty);
        }
        let keys: Vec<KeyId> = props_of(graph, e)
            .map(|p| p.iter().map(|(k, _)| k).collect())
            .unwrap_or_default();
        for k in keys {
            self.touch(graph, e, k);
        }
        let touched = self.original.remove(&e).unwrap_or_default();
        if self.created.remove(&e) {
            return;
        }
        self.properties_removed += touched.iter().filter(|(_, before)| before.is_some()).count();
        match e {
            Entity::Node(_) => self.nodes_deleted += 1,
            Entity::Rel(_) => self.relationships_deleted += 1,
        }
    }

    /// The statistics, comparing what each touched item had before with what it has now.
    pub(crate) fn stats(&self, graph: &Graph) -> Stats {
        let mut s = Stats {
            nodes_deleted: self.nodes_deleted,
            relationships_deleted: self.relationships_deleted,
            properties_removed: self.properties_removed,
            ..Stats::default()
        };
        for e in &self.created {
            match e {
                Entity::Node(_) => s.nodes_created += 1,
                Entity::Rel(_) => s.relationships_created += 1,
            }
            s.properties_set += props_of(graph, *e).map_or(0, |p| p.iter().count());
        }
        for (label, before) in &self.labels {
            match (*before, !graph.label_nodes(*label).is_empty()) {
                (false, true) => s.labels_added += 1,
                (true, false) => s.labels_removed += 1,
                _ => {}
            }
        }
        for (e, keys) in &self.original {
            let props = props_of(graph, *e);
            for (key, before) in keys.iter() {
                match (before, props.and_then(|p| p.get(key))) {
                    (None, Some(_)) => s.properties_set += 1,
                    (Some(_), None) => s.properties_removed += 1,
                    (Some(a), Some(b)) if a != b => {
                        s.properties_set += 1;
                        s.properties_removed += 1;
                    }
                    _ => {}
                }
            }
        }
        s
    }
}

fn props_of(graph: &Graph, e: Entity) -> Option<&Props> {
    match e {
        Entity::Node(n) => graph.node_data(n).ok().map(|d| &d.props),
        Entity::Rel(r) => graph.rel_data(r).ok().map(|d| &d.props),
    }
}

/// A write operator's view of the statement: the graph it changes and what it has changed.
pub(crate) struct Writer<'a> {
    graph: &'a mut Graph,
    params: &'a BTreeMap<String, Value>,
    budget: &'a Budget<'a>,
    steps: &'a std::cell::Cell<u64>,
    width: usize,
    changes: &'a mut Changes,
}

impl<'a> Writer<'a> {
    pub(crate) fn new(
        graph: &'a mut Graph,
        params: &'a BTreeMap<String, Value>,
        budget: &'a Budget<'a>,
        steps: &'a std::cell::Cell<u64>,
        width: usize,
        changes: &'a mut Changes,
    ) -> Writer<'a> {
        Writer {
            graph,
            params,
            budget,
            steps,
            width,
            changes,
        }
    }

    fn ctx(&self) -> Ctx<'_> {
        Ctx::new(
            self.graph,
            self.params,
            self.budget,
            self.steps,
            self.width,
            Some(&self.changes.tombstones),
        )
    }

    /// Counts one row written (see `Ctx::tick`).
    fn tick(&self) -> ExecResult<()> {
        self.budget.tick(self.steps)
    }

    fn eval(&self, e: &Expr, row: &Row) -> ExecResult<Value> {
        self.ctx().eval(e, row)
    }

    fn storable(key: &str, v: Value) -> ExecResult<Value> {
        if let Value::Map(_) = &v {
            return Err(ExecError::type_error(format!(
                "property '{key}' cannot hold a map"
            )));
        }
        if let Value::List(items) = &v
            && items.iter().any(|i| matches!(i, Value::Map(_) | Value::List(_)))
        {
            return Err(ExecError::type_error(format!(
                "property '{key}' cannot hold a list of lists or maps"
            )));
        }
        if !v.is_storable() {
            return Err(ExecError::type_error(format!(
                "property '{key}' cannot hold a {} value",
                v.type_name()
            )));
        }
        Ok(v)
    }

    /// Evaluates a pattern's property list and map into props (nulls dropped).
    fn props(&mut self, props: &[(KeyId, Expr)], map: &Option<Expr>, row: &Row) -> ExecResult<Props> {
        let mut out = Vec::with_capacity(props.len());
        for (k, e) in props {
            let v = self.eval(e, row)?;
            out.push((*k, Self::storable(self.graph.symbols.key_name(*k), v)?));
        }
        if let Some(map) = map {
            match self.eval(map, row)? {
                Value::Map(m) => {
                    for (k, v) in std::sync::Arc::unwrap_or_clone(m) {
                        let v = Self::storable(&k, v)?;
                        let key = self.graph.symbols.key(&k);
                        out.push((key, v));
                    }
                }
                Value::Null => {}
                other => {
                    return Err(ExecError::type_error(format!(
                        "a property map must be a map, got {}",
                        other.type_name()
                    )))
                }
            }
        }
        Ok(Props::from_pairs(out))
    }

    fn create(&mut self, items: &[CreateItem], mut row: Row) -> ExecResult<Row> {
        for item in items {
            match item {
                CreateItem::Node {
                    slot,
                    labels,
                    props,
                    prop_map,
                    bound,
                } => {
                    if *bound {
                        if !matches!(row.get(*slot), Some(Value::Node(_))) {
                            return Err(ExecError::new(
                                ExecKind::Semantic,
                                "CREATE cannot use a variable that is not a node",
                            ));
                        }
                        continue;
                    }
                    let props = self.props(props, prop_map, &row)?;
                    let mut labels = labels.clone();
                    labels.sort_unstable();
                    labels.dedup();
                    for l in &labels {
                        self.changes.touch_label(self.graph, *l);
                    }
                    let id = self.graph.insert_node_checked(labels, props)?;
                    self.changes.created(Entity::Node(id));
                    set_slot(&mut row, *slot, Value::Node(id));
                }
                CreateItem::Rel {
                    slot,
                    from,
                    to,
                    ty,
                    props,
                    prop_map,
                } => {
                    let (Some(Value::Node(a)), Some(Value::Node(b))) = (row.get(*from), row.get(*to)) else {
                        return Err(ExecError::new(
                            ExecKind::Semantic,
                            "CREATE needs both ends of a relationship to be nodes (not null)",
                        ));
                    };
                    let (a, b) = (*a, *b);
                    if !self.graph.contains_node(a) || !self.graph.contains_node(b) {
                        return Err(ExecError::new(
                            ExecKind::EntityNotFound,
                            "a relationship end was deleted",
                        ));
                    }
                    let props = self.props(props, prop_map, &row)?;
                    let id = self.graph.insert_rel_unchecked(a, b, *ty, props);
                    self.changes.created(Entity::Rel(id));
                    set_slot(&mut row, *slot, Value::Relationship(id));
                }
                CreateItem::Path { slot, parts } => {
                    let path = self.ctx().build_path(&row, parts)?;
                    set_slot(&mut row, *slot, path);
                }
            }
        }
        Ok(row)
    }

    fn set_prop(&mut self, target: &Value, key: KeyId, value: Value) -> ExecResult<()> {
        let name = self.graph.symbols.key_name(key).to_owned();
        let value = if value.is_null() {
            value
        } else {
            Self::storable(&name, value)?
        };
        match target {
            Value::Null => Ok(()),
            Value::Node(id) => {
                if !self.graph.contains_node(*id) {
                    return Ok(());
                }
                self.changes.touch(self.graph, Entity::Node(*id), key);
                self.graph.set_node_prop_by_key(*id, key, value)?;
                Ok(())
            }
            Value::Relationship(id) => {
                if !self.graph.contains_relationship(*id) {
                    return Ok(());
                }
                self.changes.touch(self.graph, Entity::Rel(*id), key);
                self.graph.set_rel_prop_by_key(*id, key, value)?;
                Ok(())
            }
            other => Err(ExecError::type_error(format!(
                "SET needs a node or relationship, got {}",
                other.type_name()
            ))),
        }
    }

    fn keys_of(&self, target: &Value) -> ExecResult<Vec<KeyId>> {
        Ok(match target {
            Value::Node(id) => self.graph.node_data(*id)?.props.iter().map(|(k, _)| k).collect(),
            Value::Relationship(id) => self.graph.rel_data(*id)?.props.iter().map(|(k, _)| k).collect(),
            _ => Vec::new(),
        })
    }

    fn set(&mut self, items: &[SetItem], row: &Row) -> ExecResult<()> {
        for item in items {
            match item {
                SetItem::Prop { target, key, value } => {
                    let t = self.eval(target, row)?;
                    let v = self.eval(value, row)?;
                    self.set_prop(&t, *key, v)?;
                }
                SetItem::Map {
                    target,
                    value,
                    replace,
                } => {
                    let t = row.get(*target).cloned().unwrap_or_default();
                    if t.is_null() {
                        continue;
                    }
                    let map = match self.eval(value, row)? {
                        Value::Map(m) => std::sync::Arc::unwrap_or_clone(m),
                        v @ (Value::Node(_) | Value::Relationship(_)) => {
                            match self.ctx().properties_of(&v)? {
                                Value::Map(m) => std::sync::Arc::unwrap_or_clone(m),
                                _ => BTreeMap::new(),
                            }
                        }
                        Value::Null if *replace => BTreeMap::new(),
                        Value::Null => continue,
                        other => {
                            return Err(ExecError::type_error(format!(
                                "SET needs a map, got {}",
                                other.type_name()
                            )))
                        }
                    };
                    if *replace {
                        for k in self.keys_of(&t)? {
                            if !map.contains_key(self.graph.symbols.key_name(k)) {
                                self.set_prop(&t, k, Value::Null)?;
                            }
                        }
                    }
                    for (k, v) in map {
                        let key = self.graph.symbols.key(&k);
                        self.set_prop(&t, key, v)?;
                    }
                }
                SetItem::Labels { target, labels } => match row.get(*target) {
                    Some(Value::Node(id)) => {
                        let id = *id;
                        for l in labels {
                            self.changes.touch_label(self.graph, *l);
                            self.graph.add_label_id(id, *l)?;
                        }
                    }
                    Some(Value::Null) | None => {}
                    Some(other) => {
                        return Err(ExecError::type_error(format!(
                            "labels can only be set on a node, not a {}",
                            other.type_name()
                        )))
                    }
                },
            }
        }
        Ok(())
    }

    fn remove(&mut self, items: &[RemoveItem], row: &Row) -> ExecResult<()> {
        for item in items {
            match item {
                RemoveItem::Prop { target, key } => {
                    let t = self.eval(target, row)?;
                    if let Some(k) = key {
                        self.set_prop(&t, *k, Value::Null)?;
                    } else if !matches!(t, Value::Null | Value::Node(_) | Value::Relationship(_)) {
                        return Err(ExecError::type_error("REMOVE needs a node or relationship"));
                    }
                }
                RemoveItem::Labels { target, labels } => {
                    if let Some(Value::Node(id)) = row.get(*target) {
                        let id = *id;
                        for l in labels.iter().flatten() {
                            self.changes.touch_label(self.graph, *l);
                            self.graph.remove_label_id(id, *l)?;
                        }
                    }
                }
            }
        }
        Ok(())
    }

    fn delete(&mut self, exprs: &[Expr], detach: bool, rows: &[Row]) -> ExecResult<()> {
        let mut nodes: Vec<NodeId> = Vec::new();
        let mut rels: Vec<RelId> = Vec::new();
        for row in rows {
            self.tick()?;
            for e in exprs {
                match self.eval(e, row)? {
                    Value::Null => {}
                    Value::Node(n) => nodes.push(n),
                    Value::Relationship(r) => rels.push(r),
                    Value::Path(p) => {
                        rels.extend(p.relationships());
                        nodes.extend(p.nodes());
                    }
                    other => {
                        return Err(ExecError::type_error(format!(
                            "DELETE needs a node, relationship or path, got {}",
                            other.type_name()
                        )))
                    }
                }
            }
        }
        let mut done_rels = HashSet::new();
        for r in rels {
            if done_rels.insert(r) && self.graph.contains_relationship(r) {
                self.remove_rel(r)?;
            }
        }
        let mut done_nodes = HashSet::new();
        let nodes: Vec<NodeId> = nodes.into_iter().filter(|n| done_nodes.insert(*n)).collect();
        if !detach {
            for n in &nodes {
                if !self.graph.contains_node(*n) {
                    continue;
                }
                let attached: Vec<RelId> = self
                    .graph
                    .expand(*n, crate::Direction::Both)
                    .map(|(r, _, _)| r)
                    .collect();
                if !attached.is_empty() {
                    return Err(ExecError::new(
                        ExecKind::Constraint,
                        format!(
                            "cannot delete node {n}: it still has {} relationship(s); use DETACH DELETE",
                            attached.len()
                        ),
                    ));
                }
            }
        }
        for n in nodes {
            if !self.graph.contains_node(n) {
                continue;
            }
            let attached: Vec<RelId> = self
                .graph
                .expand(n, crate::Direction::Both)
                .map(|(r, _, _)| r)
                .collect();
            for r in attached {
                self.remove_rel(r)?;
            }
            self.changes.deleting(self.graph, Entity::Node(n));
            if let Ok(data) = self.graph.node_data(n) {
                for l in &data.labels {
                    self.changes.touch_label(self.graph, *l);
                }
            }
            self.graph.remove_node(n)?;
        }
        Ok(())
    }

    fn remove_rel(&mut self, r: RelId) -> ExecResult<()> {
        self.changes.deleting(self.graph, Entity::Rel(r));
        self.graph.remove_relationship(r)?;
        Ok(())
    }

    fn merge(&mut self, m: &MergePlan, rows: Vec<Row>) -> ExecResult<Vec<Row>> {
        let mut out = Vec::new();
        for row in rows {
            self.tick()?;
            let found = self.ctx().sub_rows_owned(&m.matcher, row)?;
            match found {
                SubRows::None(row) => {
                    let created = self.create(&m.create, row)?;
                    self.set(&m.on_create, &created)?;
                    out.push(created);
                }
                SubRows::Found(matched) => {
                    for r in matched {
                        self.set(&m.on_match, &r)?;
                        out.push(r);
                    }
                }
            }
        }
        Ok(out)
    }
}

/// Applies one write operator to every row.
pub(crate) fn apply(mut w: Writer<'_>, op: &Op, rows: Vec<Row>) -> ExecResult<Vec<Row>> {
    match op {
        Op::Create(items) => rows
            .into_iter()
            .map(|r| {
                w.tick()?;
                w.create(items, r)
            })
            .collect(),
        Op::Merge(m) => w.merge(m, rows),
        Op::Set(items) => {
            for r in &rows {
                w.tick()?;
                w.set(items, r)?;
            }
            Ok(rows)
        }
        Op::Remove(items) => {
            for r in &rows {
                w.tick()?;
                w.remove(items, r)?;
            }
            Ok(rows)
        }
        Op::Delete { exprs, detach } => {
            w.delete(exprs, *detach, &rows)?;
            Ok(rows)
        }
        _ => Ok(rows),
    }
}

#[cfg(test)]
mod tests {
    use crate::graph::Graph;

    /// The labels added and removed that a statement reports.
    fn labels(g: &mut Graph, text: &str) -> (usize, usize) {
        match g.execute(text).run() {
            Ok(r) => (r.stats().labels_added, r.stats().labels_removed),
            Err(e) => panic!("{text}: {e}"),
        }
    }

    /// The properties set and removed that a statement reports.
    fn props(g: &mut Graph, text: &str) -> (usize, usize) {
        match g.execute(text).run() {
            Ok(r) => (r.stats().properties_set, r.stats().properties_removed),
            Err(e) => panic!("{text}: {e}"),
        }
    }

    #[test]
    fn properties_are_counted_from_their_values_before_and_after_the_statement() {
        let mut g = Graph::new();
        assert_eq!(props(&mut g, "CREATE (:N {a: 1, b: 2})"), (2, 0));
        // One key touched (held inline), then several: a and b end as they began.
        assert_eq!(
            props(&mut g, "MATCH (n:N) SET n.a = 5, n.b = 2, n.c = 3, n.a = 1"),
            (1, 0)
        );
        assert_eq!(props(&mut g, "MATCH (n:N) SET n.a = 7"), (1, 1));
        assert_eq!(props(&mut g, "MATCH (n:N) SET n.c = null, n.b = 4"), (1, 2));
        // Deleted with its properties: each that existed before (a, b) counts as removed, one
        // set in the same statement (d) not at all.
        assert_eq!(props(&mut g, "MATCH (n:N) SET n.d = 1 WITH n DELETE n"), (0, 2));
    }

    #[test]
    fn labels_added_and_removed_are_those_coming_into_and_going_out_of_use() {
        let mut g = Graph::new();
        assert_eq!(labels(&mut g, "CREATE (:A:B), (:A)"), (2, 0));
        // A is in use already.
        assert_eq!(labels(&mut g, "CREATE (:A)"), (0, 0));
        assert_eq!(labels(&mut g, "MATCH (n:B) REMOVE n:B"), (0, 1));
        assert_eq!(labels(&mut g, "MATCH (n:A) SET n:C"), (1, 0));
        // Taken from every node and given back in one statement: still in use.
        assert_eq!(labels(&mut g, "MATCH (n:C) REMOVE n:C WITH n SET n:C"), (0, 0));
        // A label only a deleted node carried goes out of use; one also on another does not.
        assert_eq!(labels(&mut g, "CREATE (:D:A)"), (1, 0));
        assert_eq!(labels(&mut g, "MATCH (n:D) DELETE n"), (0, 1));
        // Created and deleted in one statement: never in use at either end.
        assert_eq!(labels(&mut g, "CREATE (n:E) WITH n DELETE n"), (0, 0));
        assert_eq!(labels(&mut g, "MATCH (n) DETACH DELETE n"), (0, 2));
        // Nothing about labels: nothing counted.
        assert_eq!(labels(&mut g, "CREATE (a)-[:R]->(b)"), (0, 0));
    }
}
