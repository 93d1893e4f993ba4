//! The last expansion before an aggregation, run as one loop into the groups.
//!
//! Pushed (`push.rs`), each relationship an expansion accepts goes on through the dispatcher,
//! the filters after the expansion, and the aggregation's sink, which looks its group up again
//! for every row. When nothing the last expansion binds decides the group (`MATCH
//! (c)-[:R]-()-[:R]-(x) RETURN count(DISTINCT x)`, or keys read from variables bound before
//! it), one loop per input row does all of it: it finds the group once, at the first row that
//! passes, and for each relationship checks, binds, filters and folds in place.
//!
//! Architecture invariants:
//! - The rows folded, their order and the errors are those of the pushed chain: the same
//!   checks run in the same order over the same buffer, and the group a row goes to cannot
//!   change within the loop (its keys read nothing the loop writes).
//! - A step is counted once per relationship looked at (the cancel, deadline and row checks of
//!   `Ctx::tick`), not once per operator as in the chain: the documented bound on how many
//!   more steps a stopped query takes is unchanged.

use super::aggregate::GroupSink;
use super::error::ExecResult;
use super::eval::Row;
use super::{distinct_rels, Ctx, ExpandStep};
use crate::graph::adjacency::Adj;
use crate::graph::Direction;
use crate::query::plan::{Expr, Op, Slot};

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
        row: &mut Row,
        sink: &mut GroupSink<'_, '_>,
    ) -> ExecResult<()> {
        let Some(step) = ExpandStep::of(self, expand, row) else {
            return Ok(());
        };
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
