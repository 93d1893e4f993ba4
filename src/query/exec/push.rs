//! Pushing rows through the last per-row operators before an aggregation.
//!
//! Pulled through the iterator chain, every row an `Expand` produces is a new row: the input
//! row cloned, two slots set. An aggregation only reads each row once, so the operators just
//! before it instead run push-style over one row buffer: an `Expand` writes the relationship
//! and the node it reached into the buffer, the operators after it read the buffer, and the
//! aggregation folds it in. No row is allocated between the last expansion and the groups.
//!
//! Architecture invariant: pushing gives the rows the pull chain would give, in the same
//! order, with the same errors at the same point; slots an operator writes are only read by
//! the operators after it, so the buffer never needs restoring between relationships.

use super::error::ExecResult;
use super::eval::Row;
use super::{distinct_rels, Ctx, ExpandStep};
use crate::query::plan::Op;

/// At most this many operators run push-style before an aggregation: each one is a level of
/// recursion, and a few cover every pattern that ends in expansions and filters.
const MAX_PUSHED: usize = 8;

/// How many operators at the end of `ops` can push their rows into an aggregation.
pub(crate) fn pushable_tail(ops: &[Op]) -> usize {
    ops.iter()
        .rev()
        .take(MAX_PUSHED)
        .take_while(|op| {
            matches!(
                op,
                Op::Expand { .. } | Op::Filter(_) | Op::DistinctRels { .. } | Op::RelScan { .. }
            )
        })
        .count()
}

/// `ops` cut before its pushable tail.
pub(crate) fn split_tail(ops: &[Op]) -> (&[Op], &[Op]) {
    ops.split_at(ops.len() - pushable_tail(ops))
}

impl Ctx<'_> {
    /// Runs `ops` (all accepted by `pushable_tail`) over `row`, handing each resulting row to
    /// `sink` as a reference into the buffer.
    pub(crate) fn push(
        &self,
        ops: &[Op],
        row: &mut Row,
        sink: &mut dyn FnMut(&Row) -> ExecResult<()>,
    ) -> ExecResult<()> {
        let Some((op, rest)) = ops.split_first() else {
            return sink(row);
        };
        match op {
            Op::Filter(pred) => {
                if self.truthy(pred, row)? {
                    self.push(rest, row, sink)?;
                }
                Ok(())
            }
            Op::DistinctRels { rels, lists } => {
                if distinct_rels(row, rels, lists) {
                    self.push(rest, row, sink)?;
                }
                Ok(())
            }
            Op::Expand { .. } => {
                let Some(step) = ExpandStep::of(self, op, row) else {
                    return Ok(());
                };
                for (r, other, ty) in self.graph.expand(step.start, step.dir) {
                    if step.accepts(self, r, other, ty, row)? {
                        step.bind(row, r, other);
                        self.push(rest, row, sink)?;
                    }
                }
                Ok(())
            }
            Op::RelScan { scan, expand } if self.use_rel_scan(scan) => {
                let range = 0..self.rel_scan_bound(expand);
                self.rel_scan_each(scan, expand, row, range, &mut |row| self.push(rest, row, sink))
            }
            // A relationship scan that runs as a node scan and an expand, or an operator
            // `pushable_tail` does not accept: pulled.
            other => {
                let pulled = self.read(
                    std::slice::from_ref(other),
                    Box::new(std::iter::once(Ok(row.clone()))),
                );
                for next in pulled {
                    let mut next = next?;
                    self.push(rest, &mut next, sink)?;
                }
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::Value;
    use crate::query::plan::Expr;

    #[test]
    fn the_tail_is_the_run_of_expands_and_filters_at_the_end() {
        let filter = || Op::Filter(Expr::Const(Value::Bool(true)));
        let distinct = || Op::DistinctRels {
            rels: vec![],
            lists: vec![],
        };
        let limit = || Op::Limit(Expr::Const(Value::Int(1)));
        assert_eq!(pushable_tail(&[limit(), filter(), distinct()]), 2);
        assert_eq!(pushable_tail(&[filter(), limit()]), 0);
        assert_eq!(pushable_tail(&[]), 0);
        let many: Vec<Op> = (0..20).map(|_| filter()).collect();
        assert_eq!(pushable_tail(&many), MAX_PUSHED);
    }
}
