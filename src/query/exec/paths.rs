//! Variable-length expansion and shortest paths.

use std::collections::{HashMap, HashSet, VecDeque};

use super::error::{ExecError, ExecKind, ExecResult};
use super::eval::{set_slot, Row};
use super::Ctx;
use crate::graph::{NodeId, RelId, Value};
use crate::query::plan::{Op, Step};
use crate::Path;

/// One side of a bidirectional search: node -> (distance from the side's root, parents as
/// (relationship, node one step nearer the root)).
type Side = HashMap<NodeId, (u32, Vec<(RelId, NodeId)>)>;

impl Ctx<'_> {
    /// The neighbours of `node` one step away, filtered by the step's types and properties.
    fn step_from(&self, node: NodeId, step: &Step, row: &Row) -> ExecResult<Vec<(RelId, NodeId)>> {
        let mut out = Vec::new();
        for (r, other, ty) in self.graph.expand(node, step.dir) {
            if step.types.matches(ty) && self.check_rel(r, &step.rel_props, row)? {
                out.push((r, other));
            }
        }
        Ok(out)
    }

    pub(crate) fn paths(&self, op: &Op, row: Row) -> ExecResult<Vec<Row>> {
        match op {
            Op::VarExpand {
                from,
                rels,
                to,
                step,
                min,
                max,
                check,
                to_bound,
            } => {
                let Some(Value::Node(start)) = row.get(*from).cloned() else {
                    return Ok(Vec::new());
                };
                if !self.graph.contains_node(start) {
                    return Ok(Vec::new());
                }
                let want_to = if *to_bound { row.get(*to).cloned() } else { None };
                if *to_bound && !matches!(want_to, Some(Value::Node(_))) {
                    return Ok(Vec::new());
                }
                let mut out = Vec::new();
                let mut expansions = 0u64;
                // Depth-first, with relationship uniqueness along each path.
                let mut path: Vec<RelId> = Vec::new();
                let mut on_path: HashSet<RelId> = HashSet::new();
                let mut stack: Vec<(NodeId, Vec<(RelId, NodeId)>)> = Vec::new();
                let emit = |node: NodeId, path: &[RelId], out: &mut Vec<Row>| -> ExecResult<()> {
                    let ok = match &want_to {
                        Some(w) => *w == Value::Node(node),
                        None => self.check_node(node, check, &row)?,
                    };
                    if ok {
                        let mut next = row.clone();
                        set_slot(
                            &mut next,
                            *rels,
                            Value::List(path.iter().map(|r| Value::Relationship(*r)).collect()),
                        );
                        set_slot(&mut next, *to, Value::Node(node));
                        out.push(next);
                    }
                    Ok(())
                };
                if *min == 0 {
                    emit(start, &path, &mut out)?;
                }
                if *max > 0 {
                    stack.push((start, self.step_from(start, step, &row)?));
                }
                while let Some((_, next)) = stack.last_mut() {
                    let Some((r, node)) = next.pop() else {
                        stack.pop();
                        if let Some(r) = path.pop() {
                            on_path.remove(&r);
                        }
                        continue;
                    };
                    if on_path.contains(&r) {
                        continue;
                    }
                    expansions += 1;
                    if expansions > self.limits.max_expansions {
                        return Err(ExecError::new(
                            ExecKind::LimitExceeded,
                            format!(
                                "a variable-length pattern expanded more than {} relationships",
                                self.limits.max_expansions
                            ),
                        ));
                    }
                    path.push(r);
                    on_path.insert(r);
                    let depth = path.len() as u32;
                    if depth >= *min {
                        emit(node, &path, &mut out)?;
                    }
                    if depth < *max {
                        stack.push((node, self.step_from(node, step, &row)?));
                    } else {
                        path.pop();
                        on_path.remove(&r);
                    }
                }
                Ok(out)
            }
            Op::ShortestPath {
                from,
                to,
                path,
                rels,
                step,
                min,
                max,
                all,
            } => {
                let (Some(Value::Node(a)), Some(Value::Node(b))) =
                    (row.get(*from).cloned(), row.get(*to).cloned())
                else {
                    return Ok(Vec::new());
                };
                let found = self.shortest(a, b, step, *min, *max, *all, &row)?;
                Ok(found
                    .into_iter()
                    .map(|p| {
                        let mut next = row.clone();
                        if let Some(rels) = rels {
                            set_slot(
                                &mut next,
                                *rels,
                                Value::List(
                                    p.relationships()
                                        .iter()
                                        .map(|r| Value::Relationship(*r))
                                        .collect(),
                                ),
                            );
                        }
                        set_slot(&mut next, *path, Value::Path(p));
                        next
                    })
                    .collect())
            }
            _ => Ok(Vec::new()),
        }
    }

    /// Breadth-first search from both ends at once, expanding the smaller frontier; returns one
    /// shortest path, or all of them.
    #[allow(clippy::too_many_arguments)]
    fn shortest(
        &self,
        a: NodeId,
        b: NodeId,
        step: &Step,
        min: u32,
        max: u32,
        all: bool,
        row: &Row,
    ) -> ExecResult<Vec<Path>> {
        if a == b {
            return Ok(if min == 0 {
                vec![Path::single(a)]
            } else {
                Vec::new()
            });
        }
        let back = Step {
            dir: match step.dir {
                crate::Direction::Outgoing => crate::Direction::Incoming,
                crate::Direction::Incoming => crate::Direction::Outgoing,
                crate::Direction::Both => crate::Direction::Both,
            },
            types: step.types.clone(),
            rel_props: step.rel_props.clone(),
        };
        let mut fwd: Side = HashMap::from([(a, (0, Vec::new()))]);
        let mut bwd: Side = HashMap::from([(b, (0, Vec::new()))]);
        let mut fq: VecDeque<NodeId> = VecDeque::from([a]);
        let mut bq: VecDeque<NodeId> = VecDeque::from([b]);
        let (mut fd, mut bd) = (0u32, 0u32);
        let mut meet: Vec<NodeId> = Vec::new();
        let mut expansions = 0u64;
        while !fq.is_empty() && !bq.is_empty() && fd + bd < max && meet.is_empty() {
            let forward = fq.len() <= bq.len();
            let (side, other, queue, st, depth) = if forward {
                (&mut fwd, &bwd, &mut fq, step, &mut fd)
            } else {
                (&mut bwd, &fwd, &mut bq, &back, &mut bd)
            };
            *depth += 1;
            let level: Vec<NodeId> = queue.drain(..).collect();
            for node in level {
                for (r, next) in self.step_from(node, st, row)? {
                    expansions += 1;
                    if expansions > self.limits.max_expansions {
                        return Err(ExecError::new(
                            ExecKind::LimitExceeded,
                            "shortest path search too large",
                        ));
                    }
                    match side.get_mut(&next) {
                        Some((d, parents)) if *d == *depth => parents.push((r, node)),
                        Some(_) => {}
                        None => {
                            side.insert(next, (*depth, vec![(r, node)]));
                            queue.push_back(next);
                            if other.contains_key(&next) {
                                meet.push(next);
                            }
                        }
                    }
                }
            }
        }
        if meet.is_empty() {
            return Ok(Vec::new());
        }
        meet.sort();
        meet.dedup();
        let total = |m: &NodeId| fwd.get(m).map_or(u32::MAX, |x| x.0) + bwd.get(m).map_or(u32::MAX, |x| x.0);
        let best = meet.iter().map(total).min().unwrap_or(u32::MAX);
        meet.retain(|m| total(m) == best);
        let mut out = Vec::new();
        for m in meet {
            for left in half_paths(&fwd, m, all) {
                for right in half_paths(&bwd, m, all) {
                    // left: rels from m back to a; right: from m to b.
                    let mut nodes: Vec<NodeId> = left.iter().rev().map(|(_, n)| *n).collect();
                    let mut rels: Vec<RelId> = left.iter().rev().map(|(r, _)| *r).collect();
                    nodes.push(m);
                    for (r, n) in &right {
                        rels.push(*r);
                        nodes.push(*n);
                    }
                    if (rels.len() as u32) < min || rels.len() as u32 > max {
                        continue;
                    }
                    let unique: HashSet<_> = rels.iter().collect();
                    if unique.len() != rels.len() {
                        continue;
                    }
                    if let Some(p) = Path::new(nodes, rels) {
                        out.push(p);
                        if !all {
                            return Ok(out);
                        }
                    }
                }
            }
        }
        Ok(out)
    }
}

/// Every chain of parents from `m` back to its side's root, as (rel, parent node) steps.
fn half_paths(side: &Side, m: NodeId, all: bool) -> Vec<Vec<(RelId, NodeId)>> {
    let mut out = Vec::new();
    let mut stack: Vec<(NodeId, Vec<(RelId, NodeId)>)> = vec![(m, Vec::new())];
    while let Some((node, acc)) = stack.pop() {
        let parents = side.get(&node).map(|(_, p)| p.as_slice()).unwrap_or(&[]);
        if parents.is_empty() {
            out.push(acc);
            if !all {
                break;
            }
            continue;
        }
        let take = if all { parents.len() } else { 1 };
        for (r, p) in parents.iter().take(take) {
            let mut next = acc.clone();
            next.push((*r, *p));
            stack.push((*p, next));
        }
    }
    out
}
