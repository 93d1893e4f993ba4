//! Grouping, aggregate functions and sorting.

use indexmap::{IndexMap, IndexSet};
use std::borrow::Cow;
use std::cmp::Ordering;

use super::budget::{row_bytes, value_bytes, Held};
use super::error::{ExecError, ExecKind, ExecResult};
use super::eval::{set_slot, Row};
use super::{Ctx, Equiv, GroupKey, KeyRef, RowIter};
use crate::graph::{NodeId, Value};
use crate::query::plan::{AggFn, Expr, Op, Slot};

/// Groups in first-seen order, each with one accumulator per aggregate.
/// Hashed with foldhash (seeded per process): SipHash was a tenth of a DISTINCT count.
pub(crate) type Groups = IndexMap<GroupKey, Accumulators, FastHash>;

/// The accumulators of one group: one inline (the usual single aggregate, so a new group
/// allocates nothing for it), or several.
pub(crate) enum Accumulators {
    One(Accumulator),
    Many(Vec<Accumulator>),
}

impl Accumulators {
    pub(crate) fn as_mut_slice(&mut self) -> &mut [Accumulator] {
        match self {
            Accumulators::One(a) => std::slice::from_mut(a),
            Accumulators::Many(all) => all,
        }
    }
}

impl FromIterator<Accumulator> for Accumulators {
    fn from_iter<I: IntoIterator<Item = Accumulator>>(items: I) -> Accumulators {
        let mut items = items.into_iter();
        let Some(first) = items.next() else {
            return Accumulators::Many(Vec::new());
        };
        match items.next() {
            None => Accumulators::One(first),
            Some(second) => {
                let mut all = vec![first, second];
                all.extend(items);
                Accumulators::Many(all)
            }
        }
    }
}

impl IntoIterator for Accumulators {
    type Item = Accumulator;
    type IntoIter = std::iter::Chain<std::option::IntoIter<Accumulator>, std::vec::IntoIter<Accumulator>>;
    fn into_iter(self) -> Self::IntoIter {
        let (one, many) = match self {
            Accumulators::One(a) => (Some(a), Vec::new()),
            Accumulators::Many(all) => (None, all),
        };
        one.into_iter().chain(many)
    }
}

/// The hasher of groups and DISTINCT sets.
pub(crate) type FastHash = foldhash::fast::RandomState;

#[derive(Clone, Debug)]
enum Acc {
    Count(i64),
    SumInt(i64),
    SumFloat(f64),
    Avg { sum: f64, n: u64 },
    Min(Option<Value>),
    Max(Option<Value>),
    Collect(Vec<Value>),
    Values(Vec<f64>),
    Percentile { values: Vec<f64>, p: Option<f64> },
}

/// The distinct values of one aggregate, in first-seen order. While every value is a node (as
/// in `count(DISTINCT x)` over a pattern) the set holds bare node ids: four bytes an entry,
/// hashed as an integer, instead of a `Value` hashed under Cypher's equivalence. When the order
/// does not matter (a count) and the set grows past a sixty-fourth of the graph's node slots,
/// it becomes a bitset over them: a bit an entry, no hashing, and workers' sets merge by OR.
#[derive(Default)]
enum Distinct {
    #[default]
    Empty,
    Nodes(IndexSet<NodeId, FastHash>),
    /// One bit per node slot, and how many are set.
    NodeBits(Vec<u64>, usize),
    Values(IndexSet<Equiv, FastHash>),
}

impl Distinct {
    /// Adds `v`; true if it was not in the set yet. `bitset_bound`: the graph's node slots,
    /// when the order of the values does not matter (the set may then become a bitset).
    fn insert(&mut self, v: Value, bitset_bound: Option<usize>) -> bool {
        match (&mut *self, v) {
            (Distinct::Nodes(set), Value::Node(id)) => {
                if !set.insert(id) {
                    return false;
                }
                if let Some(bound) = bitset_bound
                    && set.len().saturating_mul(64) >= bound
                {
                    let mut bits = Distinct::NodeBits(vec![0; bound.div_ceil(64)], 0);
                    for id in std::mem::take(set) {
                        bits.set_bit(id);
                    }
                    *self = bits;
                }
                true
            }
            (Distinct::NodeBits(..), Value::Node(id)) => self.set_bit(id),
            (Distinct::Values(set), v) => set.insert(Equiv(v)),
            (Distinct::Empty, Value::Node(id)) => {
                let mut set = IndexSet::default();
                set.insert(id);
                *self = Distinct::Nodes(set);
                true
            }
            (_, v) => {
                let mut set = self.take_values();
                let new = set.insert(Equiv(v));
                *self = Distinct::Values(set);
                new
            }
        }
    }

    /// Sets the bit of `id` in a bitset (growing it if the node is beyond it); true if it
    /// was not set.
    #[inline]
    fn set_bit(&mut self, id: NodeId) -> bool {
        if let Distinct::NodeBits(bits, n) = self {
            let i = id.index() as usize;
            if bits.len() <= i / 64 {
                bits.resize(i / 64 + 1, 0);
            }
            if let Some(word) = bits.get_mut(i / 64) {
                let mask = 1u64 << (i % 64);
                if *word & mask == 0 {
                    *word |= mask;
                    *n += 1;
                    return true;
                }
            }
        }
        false
    }

    /// The set as values, leaving `Empty`.
    fn take_values(&mut self) -> IndexSet<Equiv, FastHash> {
        match std::mem::take(self) {
            Distinct::Empty => IndexSet::default(),
            Distinct::Nodes(set) => set.into_iter().map(|id| Equiv(Value::Node(id))).collect(),
            Distinct::NodeBits(bits, _) => bit_nodes(&bits).map(|id| Equiv(Value::Node(id))).collect(),
            Distinct::Values(set) => set,
        }
    }

    /// Adds the values of a later part, after this part's own.
    fn merge(&mut self, other: Distinct) {
        match (&mut *self, other) {
            (_, Distinct::Empty) => {}
            (Distinct::Empty, other) => *self = other,
            (Distinct::Nodes(mine), Distinct::Nodes(theirs)) => mine.extend(theirs),
            (Distinct::NodeBits(mine, n), Distinct::NodeBits(theirs, _)) => {
                if mine.len() < theirs.len() {
                    mine.resize(theirs.len(), 0);
                }
                for (a, b) in mine.iter_mut().zip(&theirs) {
                    *a |= b;
                }
                *n = mine.iter().map(|w| w.count_ones() as usize).sum();
            }
            (Distinct::NodeBits(..), Distinct::Nodes(theirs)) => {
                for id in theirs {
                    self.set_bit(id);
                }
            }
            (Distinct::Nodes(mine), Distinct::NodeBits(theirs, n)) => {
                let mine = std::mem::take(mine);
                *self = Distinct::NodeBits(theirs, n);
                for id in mine {
                    self.set_bit(id);
                }
            }
            (_, mut other) => {
                let mut set = self.take_values();
                set.extend(other.take_values());
                *self = Distinct::Values(set);
            }
        }
    }

    /// How many distinct values, if the set is a bitset (its order is not kept).
    fn bit_count(&self) -> Option<usize> {
        match self {
            Distinct::NodeBits(_, n) => Some(*n),
            _ => None,
        }
    }

    fn into_values(mut self) -> impl Iterator<Item = Value> {
        self.take_values().into_iter().map(|Equiv(v)| v)
    }
}

/// The nodes whose bits are set, in id order.
fn bit_nodes(bits: &[u64]) -> impl Iterator<Item = NodeId> + '_ {
    bits.iter().enumerate().flat_map(|(w, word)| {
        (0..64u32)
            .filter(move |b| word & (1u64 << b) != 0)
            .map(move |b| NodeId::from_index((w as u32).saturating_mul(64).saturating_add(b)))
    })
}

/// One aggregate of one group. With DISTINCT, values are only collected (in first-seen
/// order) and folded when the group is finished, so partial accumulators of parallel workers
/// merge by set union.
pub(crate) struct Accumulator {
    f: AggFn,
    acc: Acc,
    seen: Option<Distinct>,
    /// The second argument of a percentile, kept for the DISTINCT fold.
    extra: Vec<Value>,
}

impl Accumulator {
    fn new(f: AggFn, distinct: bool) -> Accumulator {
        let acc = match f {
            AggFn::CountStar | AggFn::Count => Acc::Count(0),
            AggFn::Sum => Acc::SumInt(0),
            AggFn::Avg => Acc::Avg { sum: 0.0, n: 0 },
            AggFn::Min => Acc::Min(None),
            AggFn::Max => Acc::Max(None),
            AggFn::Collect => Acc::Collect(Vec::new()),
            AggFn::StDev | AggFn::StDevP => Acc::Values(Vec::new()),
            AggFn::PercentileDisc | AggFn::PercentileCont => Acc::Percentile {
                values: Vec::new(),
                p: None,
            },
        };
        Accumulator {
            f,
            acc,
            seen: distinct.then(Distinct::default),
            extra: Vec::new(),
        }
    }

    /// True if the accumulator keeps the values it is given (rather than folding them).
    fn holds_values(&self) -> bool {
        self.seen.is_some()
            || matches!(
                self.f,
                AggFn::Collect | AggFn::StDev | AggFn::StDevP | AggFn::PercentileDisc | AggFn::PercentileCont
            )
    }

    /// Adds one row's arguments; `node_bound`: the graph's node slots. True if the
    /// accumulator now holds the first argument until the group is finished (a new distinct
    /// value, an item of `collect()`, a value of a deviation or percentile).
    fn add(&mut self, mut args: impl Iterator<Item = Value>, node_bound: usize) -> ExecResult<bool> {
        if self.f == AggFn::CountStar {
            if let Acc::Count(n) = &mut self.acc {
                *n += 1;
            }
            return Ok(false);
        }
        let v = args.next().unwrap_or_default();
        if v.is_null() {
            return Ok(false);
        }
        if let Some(seen) = &mut self.seen {
            if self.extra.is_empty() {
                self.extra = args.collect();
            }
            // Only a count ignores the order of its distinct values.
            return Ok(seen.insert(v, (self.f == AggFn::Count).then_some(node_bound)));
        }
        let held = self.holds_values();
        self.fold(v, args)?;
        Ok(held)
    }

    /// `add_one` of the node `id`, without building and dropping the value on the usual
    /// path (a bit set in a DISTINCT bitset).
    #[inline(always)]
    fn add_node(&mut self, id: NodeId, node_bound: usize) -> ExecResult<Option<usize>> {
        if let Some(seen @ Distinct::NodeBits(..)) = &mut self.seen {
            return Ok(seen.set_bit(id).then(|| value_bytes(&Value::Node(id))));
        }
        self.add_one(Cow::Owned(Value::Node(id)), node_bound)
    }

    /// Adds a row's one argument (`Null` for `count(*)`), read in place: a count clones
    /// nothing, and other aggregates clone only what they keep. Returns the bytes the
    /// accumulator now holds for it until the group is finished, if it keeps it.
    /// The two commonest cases, inlined into the loops that fold rows: `count(*)`, and
    /// `count(DISTINCT node)` past its first nodes (a bit). (`count(*)` has no DISTINCT set,
    /// and a node is not null: the order of the checks does not matter.)
    #[inline(always)]
    fn add_one(&mut self, v: Cow<'_, Value>, node_bound: usize) -> ExecResult<Option<usize>> {
        if let (Some(seen @ Distinct::NodeBits(..)), Value::Node(id)) = (&mut self.seen, &*v) {
            return Ok(seen.set_bit(*id).then(|| value_bytes(&v)));
        }
        if self.f == AggFn::CountStar {
            if let Acc::Count(n) = &mut self.acc {
                *n += 1;
            }
            return Ok(None);
        }
        self.add_one_other(v, node_bound)
    }

    /// `add_one` past its inlined cases.
    #[inline(never)]
    fn add_one_other(&mut self, v: Cow<'_, Value>, node_bound: usize) -> ExecResult<Option<usize>> {
        if v.is_null() {
            return Ok(None);
        }
        if let Some(seen) = &mut self.seen {
            let bytes = value_bytes(&v);
            // Only a count ignores the order of its distinct values.
            let new = seen.insert(v.into_owned(), (self.f == AggFn::Count).then_some(node_bound));
            return Ok(new.then_some(bytes));
        }
        if let Acc::Count(n) = &mut self.acc {
            *n += 1;
            return Ok(None);
        }
        let held = self.holds_values().then(|| value_bytes(&v));
        self.fold(v.into_owned(), std::iter::empty())?;
        Ok(held)
    }

    /// Adds one non-null value to the running aggregate.
    fn fold(&mut self, v: Value, mut args: impl Iterator<Item = Value>) -> ExecResult<()> {
        let not_number = |v: &Value| {
            ExecError::type_error(
                format!("{:?}() expects numbers, got {}", self.f, v.type_name()).to_lowercase(),
            )
        };
        match &mut self.acc {
            Acc::Count(n) => *n += 1,
            Acc::SumInt(s) => match v {
                Value::Int(i) => {
                    *s = s
                        .checked_add(i)
                        .ok_or_else(|| ExecError::new(ExecKind::Arithmetic, "integer overflow in sum()"))?
                }
                Value::Float(f) => self.acc = Acc::SumFloat(*s as f64 + f),
                other => return Err(not_number(&other)),
            },
            Acc::SumFloat(s) => *s += v.as_float().ok_or_else(|| not_number(&v))?,
            Acc::Avg { sum, n } => {
                *sum += v.as_float().ok_or_else(|| not_number(&v))?;
                *n += 1;
            }
            Acc::Min(m) => {
                if m.as_ref().is_none_or(|cur| v.order_cmp(cur) == Ordering::Less) {
                    *m = Some(v);
                }
            }
            Acc::Max(m) => {
                if m.as_ref().is_none_or(|cur| v.order_cmp(cur) == Ordering::Greater) {
                    *m = Some(v);
                }
            }
            Acc::Collect(items) => items.push(v),
            Acc::Values(values) => values.push(v.as_float().ok_or_else(|| not_number(&v))?),
            Acc::Percentile { values, p } => {
                values.push(v.as_float().ok_or_else(|| not_number(&v))?);
                if p.is_none() {
                    let pv = args.next().and_then(|p| p.as_float()).unwrap_or(f64::NAN);
                    if !(0.0..=1.0).contains(&pv) {
                        return Err(ExecError::new(
                            ExecKind::Argument,
                            "the percentile must be a number between 0.0 and 1.0",
                        ));
                    }
                    *p = Some(pv);
                }
            }
        }
        Ok(())
    }

    /// Adds what another worker accumulated for the same group (rows that came later).
    fn merge(&mut self, other: Accumulator) -> ExecResult<()> {
        if let (Some(mine), Some(theirs)) = (&mut self.seen, other.seen) {
            if self.extra.is_empty() {
                self.extra = other.extra;
            }
            mine.merge(theirs);
            return Ok(());
        }
        match (&mut self.acc, other.acc) {
            (Acc::Count(a), Acc::Count(b)) => *a += b,
            (Acc::SumInt(a), Acc::SumInt(b)) => {
                *a = a
                    .checked_add(b)
                    .ok_or_else(|| ExecError::new(ExecKind::Arithmetic, "integer overflow in sum()"))?
            }
            (Acc::SumInt(a), Acc::SumFloat(b)) => self.acc = Acc::SumFloat(*a as f64 + b),
            (Acc::SumFloat(a), Acc::SumInt(b)) => *a += b as f64,
            (Acc::SumFloat(a), Acc::SumFloat(b)) => *a += b,
            (Acc::Avg { sum, n }, Acc::Avg { sum: s2, n: n2 }) => {
                *sum += s2;
                *n += n2;
            }
            (Acc::Min(a), Acc::Min(Some(b)))
                if a.as_ref().is_none_or(|cur| b.order_cmp(cur) == Ordering::Less) =>
            {
                *a = Some(b);
            }
            (Acc::Max(a), Acc::Max(Some(b)))
                if a.as_ref().is_none_or(|cur| b.order_cmp(cur) == Ordering::Greater) =>
            {
                *a = Some(b);
            }
            (Acc::Collect(a), Acc::Collect(b)) => a.extend(b),
            (Acc::Values(a), Acc::Values(b)) => a.extend(b),
            (Acc::Percentile { values, p }, Acc::Percentile { values: v2, p: p2 }) => {
                values.extend(v2);
                if p.is_none() {
                    *p = p2;
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn finish(mut self) -> ExecResult<Value> {
        if let Some(seen) = self.seen.take() {
            if let (Some(n), Acc::Count(count)) = (seen.bit_count(), &mut self.acc) {
                *count += i64::try_from(n).unwrap_or(i64::MAX);
                return Ok(self.finish_folded());
            }
            let extra = std::mem::take(&mut self.extra);
            for value in seen.into_values() {
                self.fold(value, extra.iter().cloned())?;
            }
        }
        Ok(self.finish_folded())
    }

    fn finish_folded(self) -> Value {
        match self.acc {
            Acc::Count(n) => Value::Int(n),
            Acc::SumInt(s) => Value::Int(s),
            Acc::SumFloat(s) => Value::Float(s),
            Acc::Avg { n: 0, .. } => Value::Null,
            Acc::Avg { sum, n } => Value::Float(sum / n as f64),
            Acc::Min(m) | Acc::Max(m) => m.unwrap_or_default(),
            Acc::Collect(items) => Value::List(items),
            Acc::Values(values) => {
                let n = values.len();
                let denom = if self.f == AggFn::StDev {
                    n.saturating_sub(1)
                } else {
                    n
                };
                if denom == 0 {
                    return Value::Float(0.0);
                }
                let mean = values.iter().sum::<f64>() / n as f64;
                let var = values.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / denom as f64;
                Value::Float(var.sqrt())
            }
            Acc::Percentile { mut values, p } => {
                if values.is_empty() {
                    return Value::Null;
                }
                values.sort_by(f64::total_cmp);
                let p = p.unwrap_or(0.0);
                let n = values.len();
                if self.f == AggFn::PercentileDisc {
                    let idx = ((p * n as f64).ceil() as usize).saturating_sub(1).min(n - 1);
                    Value::Float(values[idx])
                } else {
                    let pos = p * (n - 1) as f64;
                    let lo = pos.floor() as usize;
                    let hi = pos.ceil() as usize;
                    Value::Float(values[lo] + (values[hi] - values[lo]) * (pos - lo as f64))
                }
            }
        }
    }
}

/// The groups being accumulated, with buffers reused from row to row: a group's key is
/// allocated only when the group is new.
pub(super) struct GroupSink<'p, 'c> {
    groups: Groups,
    /// The groups and the values collected, counted against the budgets.
    held: Held<'c>,
    key: Vec<Value>,
    values: Vec<Value>,
    keys: &'p [(Slot, Expr)],
    aggs: &'p [(Slot, AggFn, bool, Vec<Expr>)],
    /// The graph's node slots: the size of a DISTINCT count's bitset.
    node_bound: usize,
}

impl GroupSink<'_, '_> {
    /// Folds one row into its group.
    fn add(&mut self, ctx: &Ctx<'_>, row: &Row) -> ExecResult<()> {
        ctx.tick()?;
        let index = self.group_of(ctx, row)?;
        self.fold(index, ctx, row)
    }

    /// The position of the group of `row`, which is created (empty) if it is new.
    pub(super) fn group_of(&mut self, ctx: &Ctx<'_>, row: &Row) -> ExecResult<usize> {
        let owned = if self.keys.is_empty() {
            // No key: one group, the first.
            if !self.groups.is_empty() {
                return Ok(0);
            }
            GroupKey::new(Vec::new())
        } else if let [(_, e)] = self.keys {
            // One key: looked up by reference, cloned (into an inline key) only for a new
            // group.
            let k = match ctx.peek(e, row) {
                Some(k) => Cow::Borrowed(k),
                None => ctx.eval_ref(e, row)?,
            };
            if let Some(i) = self.groups.get_index_of(&KeyRef(std::slice::from_ref(&*k))) {
                return Ok(i);
            }
            GroupKey::one(k.into_owned())
        } else {
            self.key.clear();
            for (_, e) in self.keys {
                self.key.push(ctx.eval(e, row)?);
            }
            if let Some(i) = self.groups.get_index_of(&KeyRef(&self.key)) {
                return Ok(i);
            }
            GroupKey::new(std::mem::replace(
                &mut self.key,
                Vec::with_capacity(self.keys.len()),
            ))
        };
        self.held
            .row(row_bytes(owned.values()) + self.aggs.len() * std::mem::size_of::<Accumulator>())?;
        let accs = self
            .aggs
            .iter()
            .map(|(_, f, d, _)| Accumulator::new(*f, *d))
            .collect();
        Ok(self.groups.insert_full(owned, accs).0)
    }

    /// Folds one row of a closing loop of `IdShape` (`closing.rs`) into the group at `index`:
    /// per aggregate, a row counted or the node `reached` added, as `fold` would from the row.
    #[inline(always)]
    pub(super) fn fold_reached(
        &mut self,
        index: usize,
        aggs: &[super::closing::IdAgg],
        reached: NodeId,
    ) -> ExecResult<()> {
        let Some((_, accs)) = self.groups.get_index_mut(index) else {
            return Ok(());
        };
        let mut one = |acc: &mut Accumulator, kind: &super::closing::IdAgg| -> ExecResult<()> {
            let held = match kind {
                super::closing::IdAgg::Rows => acc.add_one(Cow::Owned(Value::Null), self.node_bound)?,
                super::closing::IdAgg::Reached => acc.add_node(reached, self.node_bound)?,
            };
            match held {
                Some(bytes) => self.held.bytes(bytes),
                None => Ok(()),
            }
        };
        // One aggregate (the usual `count(DISTINCT x)`) without a loop over pairs.
        if let ([acc], [kind]) = (accs.as_mut_slice(), aggs) {
            return one(acc, kind);
        }
        for (acc, kind) in accs.as_mut_slice().iter_mut().zip(aggs) {
            one(acc, kind)?;
        }
        Ok(())
    }

    /// Adds the aggregates' arguments of `row` to the group at `index` (from `group_of`).
    /// Inlined into the two loops that call it, once per row.
    #[inline(always)]
    pub(super) fn fold(&mut self, index: usize, ctx: &Ctx<'_>, row: &Row) -> ExecResult<()> {
        let Some((_, accs)) = self.groups.get_index_mut(index) else {
            return Ok(());
        };
        for (acc, (_, _, _, args)) in accs.as_mut_slice().iter_mut().zip(self.aggs) {
            if args.len() <= 1 {
                let v = match args.first() {
                    None => Cow::Owned(Value::Null),
                    // A variable (the commonest argument) read straight from the row.
                    Some(Expr::Slot(s)) => Cow::Borrowed(row.get(*s).unwrap_or(&Value::Null)),
                    // A property, read in place without a pass through the `Result` of
                    // `eval_ref`.
                    Some(a) => match ctx.peek(a, row) {
                        Some(v) => Cow::Borrowed(v),
                        None => ctx.eval_ref(a, row)?,
                    },
                };
                if let Some(bytes) = acc.add_one(v, self.node_bound)? {
                    self.held.bytes(bytes)?;
                }
                continue;
            }
            self.values.clear();
            for a in args {
                self.values.push(ctx.eval_ref(a, row)?.into_owned());
            }
            // collect(), a DISTINCT set, the values of a deviation or percentile hold their
            // values until the group is finished: a value is counted against the budget when
            // it is kept (a repeated DISTINCT value is not).
            let bytes = match (acc.holds_values(), self.values.first()) {
                (true, Some(v)) => value_bytes(v),
                _ => 0,
            };
            if acc.add(self.values.drain(..), self.node_bound)? {
                self.held.bytes(bytes)?;
            }
        }
        Ok(())
    }
}

impl Ctx<'_> {
    /// Groups the rows of `input`, each run through the per-row operators `tail` (see
    /// `push.rs`), and accumulates their aggregates. Also returns the bytes the groups hold,
    /// which stay counted against the memory budget until the caller `adopt`s them into a
    /// `Held` of its own and drops it.
    pub(crate) fn partial_aggregate(
        &self,
        input: RowIter<'_>,
        tail: &[Op],
        keys: &[(Slot, Expr)],
        aggs: &[(Slot, AggFn, bool, Vec<Expr>)],
    ) -> ExecResult<(Groups, u64)> {
        self.push_aggregate(tail, keys, aggs, |each| {
            for row in input {
                each(&mut row?)?;
            }
            Ok(())
        })
    }

    /// Groups the rows that `feed` pushes, each run through `tail`, as `partial_aggregate`
    /// does for rows pulled from an iterator.
    pub(crate) fn push_aggregate(
        &self,
        tail: &[Op],
        keys: &[(Slot, Expr)],
        aggs: &[(Slot, AggFn, bool, Vec<Expr>)],
        feed: impl FnOnce(&mut dyn FnMut(&mut Row) -> ExecResult<()>) -> ExecResult<()>,
    ) -> ExecResult<(Groups, u64)> {
        let mut sink = GroupSink {
            groups: IndexMap::default(),
            held: self.held("an aggregation"),
            key: Vec::with_capacity(keys.len()),
            values: Vec::new(),
            keys,
            aggs,
            node_bound: self.graph.node_bound(),
        };
        if let Some(at) = super::closing::closing_expand(tail, keys) {
            // The last expansion folds its rows into the groups itself (`closing.rs`).
            let (before, rest) = tail.split_at(at);
            let Some((expand, checks)) = rest.split_first() else {
                return Ok((IndexMap::default(), 0));
            };
            let ids = super::closing::IdShape::of(expand, checks, aggs);
            let ids = ids.as_ref();
            let mut pusher = super::push::Pusher::new(self, before)?;
            feed(&mut |row| {
                if before.is_empty() {
                    return self.expand_into(expand, checks, ids, row, &mut sink);
                }
                self.push_from(&mut pusher, 0, row, &mut |row| {
                    self.expand_into(expand, checks, ids, row, &mut sink)
                        .map(|()| super::push::Flow::More)
                })
                .map(|_| ())
            })?;
        } else {
            // One pusher for every row fed in: the tail has no counts to keep between rows.
            let mut pusher = super::push::Pusher::new(self, tail)?;
            feed(&mut |row| {
                if tail.is_empty() {
                    return sink.add(self, row);
                }
                self.push_from(&mut pusher, 0, row, &mut |row| {
                    sink.add(self, row).map(|()| super::push::Flow::More)
                })
                .map(|_| ())
            })?;
        }
        let GroupSink { groups, held, .. } = sink;
        Ok((groups, held.keep()))
    }

    /// Aggregates the rows of `input`, run through `tail` as in `partial_aggregate`.
    pub(crate) fn aggregate(
        &self,
        input: RowIter<'_>,
        tail: &[Op],
        keys: &[(Slot, Expr)],
        aggs: &[(Slot, AggFn, bool, Vec<Expr>)],
        clear: &[Slot],
    ) -> ExecResult<Vec<Row>> {
        let (groups, kept) = self.partial_aggregate(input, tail, keys, aggs)?;
        let mut held = self.held("an aggregation");
        held.adopt(kept);
        self.finish_groups(groups, keys, aggs, clear)
    }

    /// Merges partial groups, in order: groups first seen in an earlier part come first, as
    /// they would have in one pass.
    pub(crate) fn merge_groups(parts: Vec<Groups>) -> ExecResult<Groups> {
        let mut parts = parts.into_iter();
        let mut all = parts.next().unwrap_or_default();
        for part in parts {
            for (key, accs) in part {
                match all.get_mut(&key) {
                    Some(mine) => {
                        for (a, b) in mine.as_mut_slice().iter_mut().zip(accs) {
                            a.merge(b)?;
                        }
                    }
                    None => {
                        all.insert(key, accs);
                    }
                }
            }
        }
        Ok(all)
    }

    /// Turns accumulated groups into rows.
    pub(crate) fn finish_groups(
        &self,
        mut groups: Groups,
        keys: &[(Slot, Expr)],
        aggs: &[(Slot, AggFn, bool, Vec<Expr>)],
        clear: &[Slot],
    ) -> ExecResult<Vec<Row>> {
        if groups.is_empty() && keys.is_empty() {
            groups.insert(
                GroupKey::new(Vec::new()),
                aggs.iter().map(|(_, f, d, _)| Accumulator::new(*f, *d)).collect(),
            );
        }
        let mut out = Vec::with_capacity(groups.len());
        for (key, accs) in groups {
            let mut row = vec![Value::Null; self.width];
            for s in clear {
                set_slot(&mut row, *s, Value::Null);
            }
            for ((slot, e), v) in keys.iter().zip(key.into_values()) {
                // A grouping key that is a variable keeps its value under the old slot too, so
                // expressions over it after the aggregation still read it.
                if let Expr::Slot(orig) = e {
                    set_slot(&mut row, *orig, v.clone());
                }
                set_slot(&mut row, *slot, v);
            }
            for ((slot, ..), acc) in aggs.iter().zip(accs) {
                set_slot(&mut row, *slot, acc.finish()?);
            }
            out.push(row);
        }
        Ok(out)
    }

    /// Sorts (stably) by the keys; with `limit`, keeps only that many rows.
    pub(crate) fn sort(
        &self,
        input: RowIter<'_>,
        keys: &[(Expr, bool)],
        limit: Option<usize>,
    ) -> ExecResult<Vec<Row>> {
        // The keys of all rows side by side in one vector (`width` per row), and per row the
        // position of its keys: one allocation for the keys, not one per row.
        let width = keys.len();
        let mut flat: Vec<Value> = Vec::new();
        let mut keyed: Vec<(usize, Row)> = Vec::new();
        let mut held = self.held("ORDER BY");
        for row in input {
            let row = row?;
            self.tick()?;
            let at = flat.len();
            for (e, _) in keys {
                match self.peek(e, &row) {
                    Some(v) => flat.push(v.clone()),
                    None => flat.push(self.eval(e, &row)?),
                }
            }
            held.row(row_bytes(&row) + row_bytes(flat.get(at..).unwrap_or_default()))?;
            keyed.push((at, row));
        }
        let key = |at: usize| flat.get(at..at + width).unwrap_or_default();
        let cmp = |a: &(usize, Row), b: &(usize, Row)| {
            for ((x, y), (_, desc)) in key(a.0).iter().zip(key(b.0)).zip(keys) {
                let o = x.order_cmp(y);
                let o = if *desc { o.reverse() } else { o };
                if o != Ordering::Equal {
                    return o;
                }
            }
            Ordering::Equal
        };
        if let Some(k) = limit
            && k < keyed.len()
        {
            if k == 0 {
                return Ok(Vec::new());
            }
            keyed.select_nth_unstable_by(k - 1, cmp);
            keyed.truncate(k);
        }
        keyed.sort_by(cmp);
        Ok(keyed.into_iter().map(|(_, r)| r).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(i: u32) -> Value {
        Value::Node(NodeId::from_index(i))
    }

    #[test]
    fn distinct_nodes_stay_ids_until_another_value_comes() {
        let mut d = Distinct::default();
        for v in [node(3), node(1), node(3)] {
            d.insert(v, None);
        }
        assert!(matches!(&d, Distinct::Nodes(s) if s.len() == 2));
        d.insert(Value::Int(7), None);
        d.insert(node(1), None);
        assert!(matches!(&d, Distinct::Values(s) if s.len() == 3));
        assert_eq!(
            d.into_values().collect::<Vec<_>>(),
            [node(3), node(1), Value::Int(7)]
        );
    }

    #[test]
    fn merging_keeps_first_seen_order_across_kinds() {
        let mut a = Distinct::default();
        a.insert(node(2), None);
        let mut b = Distinct::default();
        b.insert(Value::from("x"), None);
        b.insert(node(2), None);
        b.insert(node(5), None);
        a.merge(b);
        assert_eq!(
            a.into_values().collect::<Vec<_>>(),
            [node(2), Value::from("x"), node(5)]
        );
        let mut c = Distinct::default();
        c.merge(Distinct::default());
        assert_eq!(c.into_values().count(), 0);
    }

    #[test]
    fn a_large_distinct_count_becomes_a_bitset_and_counts_the_same() {
        // 1,000 node slots: past 16 nodes (a sixty-fourth), the set becomes a bitset.
        let mut d = Distinct::default();
        for i in [5, 900, 5, 17, 999] {
            d.insert(node(i), Some(1000));
        }
        assert!(matches!(&d, Distinct::Nodes(s) if s.len() == 4));
        for i in 0..40 {
            d.insert(node(i * 20), Some(1000));
        }
        // 5, 17, 900, 999 and the forty multiples of 20 below 800.
        assert_eq!(d.bit_count(), Some(44));
        // A node beyond the slots counted when the set was made still counts.
        d.insert(node(5000), Some(1000));
        assert_eq!(d.bit_count(), Some(45));
        let values: Vec<Value> = d.into_values().collect();
        assert_eq!(values.len(), 45);
        assert_eq!(values.first(), Some(&node(0)));
        assert_eq!(values.last(), Some(&node(5000)));
    }

    #[test]
    fn bitsets_merge_with_sets_and_values() {
        let bits = |ids: &[u32]| {
            let mut d = Distinct::default();
            for i in 0..20 {
                d.insert(node(i), Some(64));
            }
            for i in ids {
                d.insert(node(*i), Some(64));
            }
            d
        };
        let mut a = bits(&[40]);
        a.merge(bits(&[50]));
        assert_eq!(a.bit_count(), Some(22));
        let mut set = Distinct::default();
        set.insert(node(60), None);
        a.merge(set);
        assert_eq!(a.bit_count(), Some(23));
        let mut set = Distinct::default();
        set.insert(node(61), None);
        set.merge(bits(&[]));
        assert_eq!(set.bit_count(), Some(21));
        set.merge(bits(&[]));
        let mut values = Distinct::default();
        values.insert(Value::Int(1), None);
        set.merge(values);
        assert_eq!(set.bit_count(), None);
        assert_eq!(set.into_values().count(), 22);
        // A count over a bitset folds its size.
        let mut acc = Accumulator::new(AggFn::Count, true);
        for i in 0..30 {
            acc.add(std::iter::once(node(i % 25)), 64).ok();
        }
        assert!(matches!(&acc.seen, Some(d) if d.bit_count() == Some(25)));
        assert_eq!(acc.finish().ok(), Some(Value::Int(25)));
    }
}
