//! The last expansion before an aggregation, run as one loop into the groups.
//!
//! Pushed (`push.rs`), each relationship an expansion accepts goes on through the dispatcher,
//! the filters after the expansion, and the aggregation's sink, which looks its group up again
//! for every row. When nothing the last expansion binds decides the group (`MATCH
//! (c)-[:R]-()-[:R]-(x) RETURN count(DISTINCT x)`, or keys read from variables bound before
//! it), one loop per input row does all of it: it finds the group once, at the first row that
//! passes, and for each relationship checks, binds, filters and folds in place. When only
//! node ids decide (`IdShape`: filters that compare the node reached with nodes bound before,
//! counts of rows or of the nodes reached, nothing of the relationship or the node checked),
//! the loop reads each adjacency entry and writes nothing into the row (`expand_ids`).
//!
//! Architecture invariants:
//! - The rows folded, their order and the errors are those of the pushed chain: the same
//!   checks run in the same order over the same buffer, and the group a row goes to cannot
//!   change within the loop (its keys read nothing the loop writes). `expand_ids` leaves the
//!   relationship and node slots as they were: nothing after the loop reads them (the
//!   aggregation reads through its own fold, the next input row rebinds them).
//! - A step is counted once per relationship looked at (the cancel, deadline and row checks of
//!   `Ctx::tick`), not once per operator as in the chain: the documented bound on how many
//!   more steps a stopped query takes is unchanged.

use super::aggregate::GroupSink;
use super::error::ExecResult;
use super::eval::Row;
use super::{distinct_rels, Ctx, ExpandStep};
use crate::graph::adjacency::Adj;
use crate::graph::{Direction, NodeId, Value};
use crate::query::plan::{AggFn, CmpOp, Expr, Op, Slot};

/// What a closing expansion folds when only node ids decide: its filters compare the node it
/// reaches with nodes bound before (`x <> c`, `x = c`), its aggregates count rows or the
/// nodes reached (`count(*)`, `count(x)`, `count(DISTINCT x)`), and nothing of the
/// relationship or the node is checked. Then the loop reads each adjacency entry and writes
/// nothing into the row (`Ctx::expand_ids`).
pub(super) struct IdShape {
    /// The slots of the nodes the node reached must equal (`true`) or differ from.
    compare: Vec<(Slot, bool)>,
    /// Per aggregate, in order.
    aggs: Vec<IdAgg>,
}

/// How one aggregate of an `IdShape` folds a relationship.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum IdAgg {
    /// `count(*)`: one more row.
    Rows,
    /// `count(x)` or `count(DISTINCT x)` of the node reached.
    Reached,
}

/// At most this many comparisons are read before the loop.
const MAX_COMPARED: usize = 4;

impl IdShape {
    /// The shape of `expand` (the closing `Expand`), its `checks` and the aggregation's
    /// `aggs`, when they fit; `None` otherwise.
    pub(super) fn of(expand: &Op, checks: &[Op], aggs: &[(Slot, AggFn, bool, Vec<Expr>)]) -> Option<IdShape> {
        let Op::Expand { rel, to, .. } = expand else {
            return None;
        };
        let (rel, to) = (*rel, *to);
        let mut compare = Vec::new();
        for op in checks {
            let Op::Filter(Expr::Cmp(op @ (CmpOp::Eq | CmpOp::Ne), a, b)) = op else {
                return None;
            };
            let other = match (&**a, &**b) {
                (Expr::Slot(a), Expr::Slot(b)) if *a == to && *b != to => *b,
                (Expr::Slot(a), Expr::Slot(b)) if *b == to && *a != to => *a,
                _ => return None,
            };
            if other == rel {
                return None;
            }
            compare.push((other, *op == CmpOp::Eq));
        }
        if compare.len() > MAX_COMPARED {
            return None;
        }
        let aggs = aggs
            .iter()
            .map(|(_, f, _, args)| match (f, args.as_slice()) {
                (AggFn::CountStar, []) => Some(IdAgg::Rows),
                (AggFn::Count, [Expr::Slot(s)]) if *s == to => Some(IdAgg::Reached),
                _ => None,
            })
            .collect::<Option<Vec<_>>>()?;
        Some(IdShape { compare, aggs })
    }
}

/// The position in `tail` (the per-row operators before an aggregation) of an expansion that
/// can close it: the last `Expand`, when only filters and uniqueness checks follow it and no
/// grouping key reads the relationship or the node it binds.
pub(super) fn closing_expand(tail: &[Op], keys: &[(Slot, Expr)]) -> Option<usize> {
    let at = tail
        .iter()
        .rposition(|op| !matches!(op, Op::Filter(_) | Op::DistinctRels { .. }))?;
    let Some(Op::Expand { rel, to, .. }) = tail.get(at) else {
        return None;
    };
    keys.iter()
        .all(|(_, e)| reads_none_of(e, &[*rel, *to]))
        .then_some(at)
}

/// True if `e` surely reads none of `slots` (a constant, a parameter, another variable or a
/// property of one); false when it might.
fn reads_none_of(e: &Expr, slots: &[Slot]) -> bool {
    match e {
        Expr::Const(_) | Expr::Param(_) => true,
        Expr::Slot(s) => !slots.contains(s),
        Expr::Prop(base, ..) => reads_none_of(base, slots),
        _ => false,
    }
}

impl Ctx<'_> {
    /// Expands `row` by `expand` (the `Expand` that `closing_expand` found), keeps the rows
    /// that pass `checks` (the filters and uniqueness checks after it) and folds each into its
    /// group of `sink`.
    pub(super) fn expand_into(
        &self,
        expand: &Op,
        checks: &[Op],
        ids: Option<&IdShape>,
        row: &mut Row,
        sink: &mut GroupSink<'_, '_>,
    ) -> ExecResult<()> {
        let Some(step) = ExpandStep::of(self, expand, row) else {
            return Ok(());
        };
        if let Some(shape) = ids
            && step.checks.rel_plain
            && step.checks.end_plain
            && step.want_rel.is_none()
            && step.want_to.is_none()
        {
            // The nodes compared with, read once; anything but a node there (a null) is left
            // to the general loop.
            let mut compared = [(NodeId::from_index(0), false); MAX_COMPARED];
            let mut all_nodes = true;
            for ((slot, eq), c) in shape.compare.iter().zip(compared.iter_mut()) {
                match row.get(*slot) {
                    Some(Value::Node(id)) => *c = (*id, *eq),
                    _ => all_nodes = false,
                }
            }
            if all_nodes {
                let compared = compared.get(..shape.compare.len()).unwrap_or_default();
                return self.expand_ids(&step, compared, &shape.aggs, row, sink);
            }
        }
        let mut group = None;
        // The two lists walked as slices, not through `Graph::expand`'s iterator chain.
        let (out, inc) = self.graph.expand_lists(step.start, step.dir);
        for a in out {
            self.close_one(&step, checks, a, row, sink, &mut group)?;
        }
        // Under `Both`, a self-loop is in both lists: it was met in the first.
        let both = step.dir == Direction::Both;
        for a in inc {
            if !(both && a.other == step.start) {
                self.close_one(&step, checks, a, row, sink, &mut group)?;
            }
        }
        Ok(())
    }

    /// `expand_into` for an `IdShape`: each relationship checked by its type, the
    /// relationships the pattern bound before (`exclude`) and the nodes `compared` (id, must
    /// be equal), and folded by the node it reaches. The same rows as the general loop, in
    /// the same order, with the same steps counted; the group is found at the first that
    /// passes.
    fn expand_ids(
        &self,
        step: &ExpandStep<'_>,
        compared: &[(NodeId, bool)],
        aggs: &[IdAgg],
        row: &Row,
        sink: &mut GroupSink<'_, '_>,
    ) -> ExecResult<()> {
        let mut group = None;
        let (out, inc) = self.graph.expand_lists(step.start, step.dir);
        for a in out {
            self.id_one(step, compared, aggs, a, row, sink, &mut group)?;
        }
        let both = step.dir == Direction::Both;
        for a in inc {
            if !(both && a.other == step.start) {
                self.id_one(step, compared, aggs, a, row, sink, &mut group)?;
            }
        }
        Ok(())
    }

    /// One relationship of `expand_ids`.
    #[inline(always)]
    #[allow(clippy::too_many_arguments)]
    fn id_one(
        &self,
        step: &ExpandStep<'_>,
        compared: &[(NodeId, bool)],
        aggs: &[IdAgg],
        a: &Adj,
        row: &Row,
        sink: &mut GroupSink<'_, '_>,
        group: &mut Option<usize>,
    ) -> ExecResult<()> {
        self.tick()?;
        if !step.checks.types.matches(a.ty) || step.excluded.contains(&a.rel) {
            return Ok(());
        }
        for (id, eq) in compared {
            if (a.other == *id) != *eq {
                return Ok(());
            }
        }
        let index = match *group {
            Some(i) => i,
            None => *group.insert(sink.group_of(self, row)?),
        };
        sink.fold_reached(index, aggs, a.other)
    }

    /// One relationship of `expand_into`: checked, bound, filtered and folded into `group`
    /// (found at the first row that gets this far).
    #[inline(always)]
    fn close_one(
        &self,
        step: &ExpandStep<'_>,
        checks: &[Op],
        a: &Adj,
        row: &mut Row,
        sink: &mut GroupSink<'_, '_>,
        group: &mut Option<usize>,
    ) -> ExecResult<()> {
        self.tick()?;
        if !step.accepts(self, a.rel, a.other, a.ty, row)? {
            return Ok(());
        }
        step.bind(row, a.rel, a.other);
        // `Ctx::passes` does what this loop does; called from here instead, Q4 at scale S ran
        // 11% more instructions (cachegrind), so the loop stays written out.
        for op in checks {
            let pass = match op {
                Op::Filter(pred) => self.truthy(pred, row)?,
                Op::DistinctRels { rels, lists } => distinct_rels(row, rels, lists),
                // `closing_expand` lets nothing else follow the expansion.
                _ => true,
            };
            if !pass {
                return Ok(());
            }
        }
        let index = match *group {
            Some(i) => i,
            None => *group.insert(sink.group_of(self, row)?),
        };
        sink.fold(index, self, row)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::Value;
    use crate::query::plan::{NodeCheck, TypeFilter};

    fn expand(rel: Slot, to: Slot) -> Op {
        Op::Expand {
            from: 0,
            rel,
            to,
            dir: Direction::Both,
            types: TypeFilter(None),
            rel_props: Vec::new(),
            check: NodeCheck::default(),
            to_bound: false,
            rel_bound: false,
            exclude: Vec::new(),
        }
    }

    #[test]
    fn id_shapes_are_counts_of_rows_or_nodes_reached_filtered_by_node_comparisons() {
        use crate::query::plan::{AggFn, CmpOp};
        let cmp = |op, a, b| Op::Filter(Expr::Cmp(op, Box::new(Expr::Slot(a)), Box::new(Expr::Slot(b))));
        let count = |f, args: Vec<Expr>| (9, f, true, args);
        let shape = |checks: &[Op], aggs: &[(Slot, AggFn, bool, Vec<Expr>)]| {
            IdShape::of(&expand(1, 2), checks, aggs).map(|s| (s.compare, s.aggs))
        };
        // `WHERE x <> c` (either side) and `x = c`; `count(DISTINCT x)`, `count(*)`.
        assert_eq!(
            shape(
                &[cmp(CmpOp::Ne, 2, 0), cmp(CmpOp::Eq, 0, 2)],
                &[
                    count(AggFn::Count, vec![Expr::Slot(2)]),
                    count(AggFn::CountStar, vec![])
                ]
            ),
            Some((vec![(0, false), (0, true)], vec![IdAgg::Reached, IdAgg::Rows]))
        );
        // Not a comparison of the node reached with another slot, or with the relationship.
        assert!(shape(&[cmp(CmpOp::Lt, 2, 0)], &[]).is_none());
        assert!(shape(&[cmp(CmpOp::Ne, 0, 3)], &[]).is_none());
        assert!(shape(&[cmp(CmpOp::Ne, 2, 1)], &[]).is_none());
        assert!(shape(&[cmp(CmpOp::Ne, 2, 2)], &[]).is_none());
        assert!(shape(&[Op::Filter(Expr::Const(Value::Bool(true)))], &[]).is_none());
        // An aggregate of anything but the node reached, or other than a count.
        assert!(shape(&[], &[count(AggFn::Count, vec![Expr::Slot(0)])]).is_none());
        assert!(shape(&[], &[count(AggFn::Collect, vec![Expr::Slot(2)])]).is_none());
        // Too many comparisons to read before the loop.
        let many: Vec<Op> = (0..=MAX_COMPARED).map(|_| cmp(CmpOp::Ne, 2, 0)).collect();
        assert!(shape(&many, &[]).is_none());
    }

    #[test]
    fn only_a_last_expand_followed_by_checks_closes_the_tail() {
        let filter = || Op::Filter(Expr::Const(Value::Bool(true)));
        let key = |e: Expr| vec![(9, e)];
        assert_eq!(closing_expand(&[expand(1, 2), filter()], &[]), Some(0));
        assert_eq!(
            closing_expand(&[expand(1, 2), expand(3, 4), filter()], &[]),
            Some(1)
        );
        // A key read from a variable bound before the expansion, or a property of one.
        let prop = Expr::Prop(Box::new(Expr::Slot(0)), "name".into(), None);
        assert_eq!(closing_expand(&[expand(1, 2)], &key(prop)), Some(0));
        // A key that reads what the expansion binds decides the group per row.
        let prop = Expr::Prop(Box::new(Expr::Slot(2)), "name".into(), None);
        assert_eq!(closing_expand(&[expand(1, 2)], &key(prop)), None);
        assert_eq!(closing_expand(&[expand(1, 2)], &key(Expr::Slot(1))), None);
        // Anything but a plain variable, property, constant or parameter is not looked into.
        assert_eq!(
            closing_expand(&[expand(1, 2)], &key(Expr::List(vec![Expr::Slot(0)]))),
            None
        );
        // Another operator after the expansion, or none at all.
        let project = Op::Project {
            items: vec![(5, Expr::Slot(2))],
            clear: vec![],
        };
        assert_eq!(closing_expand(&[expand(1, 2), project], &[]), None);
        assert_eq!(closing_expand(&[filter()], &[]), None);
        assert_eq!(closing_expand(&[], &[]), None);
    }
}
