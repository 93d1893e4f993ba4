//! Variable-length expansion and shortest paths.

use std::collections::{HashMap, HashSet, VecDeque};

use super::error::{ExecError, ExecKind, ExecResult};
use super::eval::{set_slot, Row};
use super::{Ctx, RowIter};
use crate::graph::{NodeId, RelId, Value};
use crate::query::plan::{NodeCheck, Op, Slot, Step};
use crate::Path;

/// Up to this many relationships, a variable-length path is searched for a repeat directly
/// rather than through a hash set.
const SHORT_PATH: u32 = 16;

/// One side of a bidirectional search: node -> (distance from the side's root, parents as
/// (relationship, node one step nearer the root)).
type Side = HashMap<NodeId, (u32, Parents), super::aggregate::FastHash>;

/// The parents of a node reached by a search: the first inline (a node reached once costs no
/// allocation), the others, kept only when all shortest paths are wanted, in a vector.
#[derive(Default)]
struct Parents {
    first: Option<(RelId, NodeId)>,
    more: Vec<(RelId, NodeId)>,
}

impl Parents {
    fn one(r: RelId, n: NodeId) -> Parents {
        Parents {
            first: Some((r, n)),
            more: Vec::new(),
        }
    }

    fn push(&mut self, r: RelId, n: NodeId) {
        if self.first.is_none() {
            self.first = Some((r, n));
        } else {
            self.more.push((r, n));
        }
    }

    fn iter(&self) -> impl Iterator<Item = &(RelId, NodeId)> {
        self.first.iter().chain(&self.more)
    }
}

impl Ctx<'_> {
    /// The neighbours of `node` one step away, filtered by the step's types and properties.
    fn step_from(&self, node: NodeId, step: &Step, row: &Row) -> ExecResult<Vec<(RelId, NodeId)>> {
        let mut out = Vec::new();
        self.step_into(node, step, row, &mut out)?;
        Ok(out)
    }

    /// `step_from` into a buffer the caller reuses; returns how many relationships it followed.
    pub(crate) fn step_into(
        &self,
        node: NodeId,
        step: &Step,
        row: &Row,
        out: &mut Vec<(RelId, NodeId)>,
    ) -> ExecResult<u64> {
        out.clear();
        for (r, other, ty) in self.graph.expand(node, step.dir) {
            if step.types.matches(ty) && self.check_rel(r, &step.rel_props, row)? {
                out.push((r, other));
            }
        }
        Ok(out.len() as u64)
    }

    /// The rows of a variable-length expansion, found lazily (depth first), so that a LIMIT
    /// stops the search and no more than one path is held at a time.
    pub(crate) fn var_paths<'a>(&'a self, op: &'a Op, row: Row) -> RowIter<'a> {
        let Op::VarExpand {
            from,
            rels,
            to,
            step,
            min,
            max,
            check,
            to_bound,
            exclude,
            rels_bound,
            capped,
            reach,
        } = op
        else {
            return Box::new(std::iter::empty());
        };
        if *capped && *min > *max {
            return Box::new(std::iter::once(Err(ExecError::new(
                ExecKind::PathLengthLimit,
                format!(
                    "a variable-length pattern with the lower bound {min} and no upper bound \
                     cannot be searched under the path cap of {max} relationships; give it an \
                     upper bound (`*{min}..{}`) or raise the cap with the query option \
                     `max_path_length`",
                    min.saturating_mul(2)
                ),
            ))));
        }
        if *rels_bound {
            return match self.follow_list(op, row) {
                Ok(Some(row)) => Box::new(std::iter::once(Ok(row))),
                Ok(None) => Box::new(std::iter::empty()),
                Err(e) => Box::new(std::iter::once(Err(e))),
            };
        }
        let Some(Value::Node(start)) = row.get(*from).cloned() else {
            return Box::new(std::iter::empty());
        };
        let want_to = if *to_bound { row.get(*to).cloned() } else { None };
        if !self.graph.contains_node(start) || (*to_bound && !matches!(want_to, Some(Value::Node(_)))) {
            return Box::new(std::iter::empty());
        }
        let excluded = excluded_rels(&row, exclude);
        if *reach {
            return Box::new(Reach {
                ctx: self,
                rels: *rels,
                to: *to,
                step,
                check,
                want_to,
                excluded,
                start,
                both: step.dir == crate::Direction::Both,
                seen: HashMap::default(),
                queue: VecDeque::from([start]),
                pending: if *min == 0 { vec![start] } else { Vec::new() },
                start_found: *min == 0,
                done: false,
                steps: Vec::new(),
                held: self.held("a reachability search"),
                row,
            });
        }
        let first = if *max > 0 {
            match self.step_from(start, step, &row) {
                Ok(c) => vec![c],
                Err(e) => return Box::new(std::iter::once(Err(e))),
            }
        } else {
            Vec::new()
        };
        Box::new(VarPaths {
            ctx: self,
            row,
            rels: *rels,
            to: *to,
            step,
            min: *min,
            max: *max,
            check,
            want_to,
            excluded,
            stack: first,
            path: Vec::new(),
            on_path: (*max > SHORT_PATH).then(HashSet::new),
            strict_cap: *capped && !self.limits.max_var_length_set,
            spare: Vec::new(),
            zero: (*min == 0).then_some(start),
        })
    }

    /// A variable-length step whose relationships are a bound list: the row survives if the
    /// list is a walk from `from`, in the step's direction and types, of an allowed length,
    /// ending at a node that passes the check.
    fn follow_list(&self, op: &Op, row: Row) -> ExecResult<Option<Row>> {
        let Op::VarExpand {
            from,
            rels,
            to,
            step,
            min,
            max,
            check,
            to_bound,
            ..
        } = op
        else {
            return Ok(None);
        };
        let (Some(Value::Node(mut here)), Some(Value::List(list))) =
            (row.get(*from).cloned(), row.get(*rels))
        else {
            return Ok(None);
        };
        let len = list.len() as u32;
        if len < *min || len > *max {
            return Ok(None);
        }
        for item in list {
            let Value::Relationship(r) = item else {
                return Ok(None);
            };
            let Ok(data) = self.graph.rel_data(*r) else {
                return Ok(None);
            };
            let (a, b) = self.graph.rel_endpoints(*r)?;
            let next = match step.dir {
                crate::Direction::Outgoing if a == here => b,
                crate::Direction::Incoming if b == here => a,
                crate::Direction::Both if a == here => b,
                crate::Direction::Both if b == here => a,
                _ => return Ok(None),
            };
            if !step.types.matches(data.ty) || !self.check_rel(*r, &step.rel_props, &row)? {
                return Ok(None);
            }
            here = next;
        }
        let ok = if *to_bound {
            row.get(*to) == Some(&Value::Node(here))
        } else {
            self.check_node(here, check, &row)?
        };
        if !ok {
            return Ok(None);
        }
        let mut row = row;
        set_slot(&mut row, *to, Value::Node(here));
        Ok(Some(row))
    }

    pub(crate) fn paths(&self, op: &Op, row: Row) -> ExecResult<Vec<Row>> {
        match op {
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
        let back = super::shortest::reversed(step);
        if !all && min <= 1 {
            return Ok(self
                .one_shortest(a, b, step, &back, max, row)?
                .into_iter()
                .collect());
        }
        let mut fwd: Side = HashMap::default();
        fwd.insert(a, (0, Parents::default()));
        let mut bwd: Side = HashMap::default();
        bwd.insert(b, (0, Parents::default()));
        let mut steps: Vec<(RelId, NodeId)> = Vec::new();
        let mut level: Vec<NodeId> = Vec::new();
        let mut fq: VecDeque<NodeId> = VecDeque::from([a]);
        let mut bq: VecDeque<NodeId> = VecDeque::from([b]);
        let (mut fd, mut bd) = (0u32, 0u32);
        let mut meet: Vec<NodeId> = Vec::new();
        // With no hop cap, what the search holds is bounded by the graph and counted against
        // the memory budget.
        let mut held = self.held("a shortest-path search");
        const ENTRY_BYTES: usize = std::mem::size_of::<(NodeId, (u32, Parents))>() + 16;
        while !fq.is_empty() && !bq.is_empty() && fd + bd < max && meet.is_empty() {
            let forward = fq.len() <= bq.len();
            let (side, other, queue, st, depth) = if forward {
                (&mut fwd, &bwd, &mut fq, step, &mut fd)
            } else {
                (&mut bwd, &fwd, &mut bq, &back, &mut bd)
            };
            *depth += 1;
            level.clear();
            level.extend(queue.drain(..));
            for &node in &level {
                let followed = self.step_into(node, st, row, &mut steps)?;
                self.count_expansions(followed)?;
                for &(r, next) in &steps {
                    if !all && !meet.is_empty() && !other.contains_key(&next) {
                        // The last level, for one shortest path: only meetings matter.
                        continue;
                    }
                    match side.get_mut(&next) {
                        // Only all shortest paths need more than the first parent.
                        Some((d, parents)) if all && *d == *depth => {
                            held.bytes(std::mem::size_of::<(RelId, NodeId)>())?;
                            parents.push(r, node);
                        }
                        Some(_) => {}
                        None => {
                            let meets = other.contains_key(&next);
                            // Once the sides have met, this is the last level: for one shortest
                            // path only the meeting nodes need recording.
                            if meets || all || meet.is_empty() {
                                held.bytes(ENTRY_BYTES)?;
                                side.insert(next, (*depth, Parents::one(r, node)));
                                queue.push_back(next);
                            }
                            if meets {
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
        let parents: Vec<(RelId, NodeId)> = side
            .get(&node)
            .map(|(_, p)| p.iter().take(if all { usize::MAX } else { 1 }).copied().collect())
            .unwrap_or_default();
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

/// The relationships a pattern has matched before this step, which it may not match again.
/// Usually none or a few: a sorted vector, so that building it per row costs no hashing.
pub(crate) fn excluded_rels(row: &Row, slots: &[Slot]) -> RelSet {
    let mut out = Vec::new();
    for s in slots {
        match row.get(*s) {
            Some(Value::Relationship(r)) => out.push(*r),
            Some(Value::List(items)) => out.extend(items.iter().filter_map(|item| match item {
                Value::Relationship(r) => Some(*r),
                _ => None,
            })),
            _ => {}
        }
    }
    out.sort_unstable();
    RelSet(out)
}

/// A sorted set of relationships (see `excluded_rels`).
pub(crate) struct RelSet(Vec<RelId>);

impl RelSet {
    #[inline]
    pub(crate) fn contains(&self, r: &RelId) -> bool {
        match self.0.len() {
            0 => false,
            1..=8 => self.0.contains(r),
            _ => self.0.binary_search(r).is_ok(),
        }
    }
}

/// The state of a lazy depth-first variable-length expansion.
struct VarPaths<'a, 'g> {
    ctx: &'a Ctx<'g>,
    row: Row,
    rels: Slot,
    to: Slot,
    step: &'a Step,
    min: u32,
    max: u32,
    check: &'a NodeCheck,
    want_to: Option<Value>,
    excluded: RelSet,
    /// Per depth, the steps still to try.
    stack: Vec<Vec<(RelId, NodeId)>>,
    path: Vec<RelId>,
    /// The relationships of `path` as a set, kept only for long paths (`max` above
    /// `SHORT_PATH`); a short path is searched directly.
    on_path: Option<HashSet<RelId>>,
    /// `max` is the default path cap, not the pattern's bound or the caller's: reaching it
    /// with a relationship still to follow is an error, not the end of the search.
    strict_cap: bool,
    /// Emptied step lists, reused for the next depth instead of allocating.
    spare: Vec<Vec<(RelId, NodeId)>>,
    /// The start node, while the zero-length path is still to be emitted.
    zero: Option<NodeId>,
}

impl VarPaths<'_, '_> {
    /// At the path cap, at `node` (the end of `path`): fails if the path could go on, since
    /// stopping here would silently drop the longer paths.
    fn check_cap(&mut self, node: NodeId) -> ExecResult<()> {
        let mut next = self.spare.pop().unwrap_or_default();
        self.ctx.step_into(node, self.step, &self.row, &mut next)?;
        let more = next.iter().any(|(r, _)| {
            let on_path = match &self.on_path {
                Some(set) => set.contains(r),
                None => self.path.contains(r),
            };
            !on_path && !self.excluded.contains(r)
        });
        next.clear();
        self.spare.push(next);
        if more {
            return Err(ExecError::new(
                ExecKind::PathLengthLimit,
                format!(
                    "a variable-length pattern without an upper bound reached the path cap of \
                     {} relationships with paths still to follow; give it an upper bound \
                     (`*..{}`) or raise the cap with the query option `max_path_length`",
                    self.max,
                    self.max.saturating_mul(2)
                ),
            ));
        }
        Ok(())
    }

    fn emit(&self, node: NodeId) -> ExecResult<Option<Row>> {
        let ok = match &self.want_to {
            Some(w) => *w == Value::Node(node),
            None => self.ctx.check_node(node, self.check, &self.row)?,
        };
        if !ok {
            return Ok(None);
        }
        let mut next = self.row.clone();
        set_slot(
            &mut next,
            self.rels,
            Value::List(self.path.iter().map(|r| Value::Relationship(*r)).collect()),
        );
        set_slot(&mut next, self.to, Value::Node(node));
        Ok(Some(next))
    }
}

impl Iterator for VarPaths<'_, '_> {
    type Item = ExecResult<Row>;

    fn next(&mut self) -> Option<ExecResult<Row>> {
        if let Some(start) = self.zero.take() {
            match self.emit(start) {
                Ok(Some(row)) => return Some(Ok(row)),
                Ok(None) => {}
                Err(e) => return Some(Err(e)),
            }
        }
        loop {
            let top = self.stack.last_mut()?;
            let Some((r, node)) = top.pop() else {
                if let Some(done) = self.stack.pop() {
                    self.spare.push(done);
                }
                if let Some(r) = self.path.pop()
                    && let Some(set) = &mut self.on_path
                {
                    set.remove(&r);
                }
                continue;
            };
            let on_path = match &self.on_path {
                Some(set) => set.contains(&r),
                None => self.path.contains(&r),
            };
            if on_path || self.excluded.contains(&r) {
                continue;
            }
            if let Err(e) = self.ctx.count_expansion() {
                self.stack.clear();
                return Some(Err(e));
            }
            self.path.push(r);
            if let Some(set) = &mut self.on_path {
                set.insert(r);
            }
            let depth = self.path.len() as u32;
            let emitted = if depth >= self.min {
                match self.emit(node) {
                    Ok(row) => row,
                    Err(e) => return Some(Err(e)),
                }
            } else {
                None
            };
            if depth < self.max {
                let mut next = self.spare.pop().unwrap_or_default();
                match self.ctx.step_into(node, self.step, &self.row, &mut next) {
                    Ok(_) => self.stack.push(next),
                    Err(e) => return Some(Err(e)),
                }
            } else {
                if self.strict_cap
                    && let Err(e) = self.check_cap(node)
                {
                    self.stack.clear();
                    return Some(Err(e));
                }
                self.path.pop();
                if let Some(set) = &mut self.on_path {
                    set.remove(&r);
                }
            }
            if let Some(row) = emitted {
                return Some(Ok(row));
            }
        }
    }
}

/// A breadth-first search for the end nodes of an unbounded variable-length step that start
/// at most one relationship away (`VarExpand::reach`): each node is found once, by a shortest
/// walk, which repeats no node and so no relationship. The start node is an end only through
/// a closed trail: for a directed step, any relationship back into it; for an undirected one,
/// a relationship back into it other than the first of the walk that reached its other end,
/// or one joining two nodes whose walks left the start by different relationships.
struct Reach<'a, 'g> {
    ctx: &'a Ctx<'g>,
    row: Row,
    rels: Slot,
    to: Slot,
    step: &'a Step,
    check: &'a NodeCheck,
    want_to: Option<Value>,
    excluded: RelSet,
    start: NodeId,
    both: bool,
    /// Node -> (the relationship it was reached by, the first relationship of that walk).
    seen: HashMap<NodeId, (RelId, RelId), super::aggregate::FastHash>,
    queue: VecDeque<NodeId>,
    /// Ends found and not yet offered.
    pending: Vec<NodeId>,
    /// The start node is (or was) among the ends.
    start_found: bool,
    done: bool,
    steps: Vec<(RelId, NodeId)>,
    held: super::budget::Held<'a>,
}

impl Reach<'_, '_> {
    /// The row for end `node`, if it passes the step's end check.
    fn emit(&mut self, node: NodeId) -> ExecResult<Option<Row>> {
        let ok = match &self.want_to {
            Some(w) => *w == Value::Node(node),
            None => self.ctx.check_node(node, self.check, &self.row)?,
        };
        if !ok {
            return Ok(None);
        }
        if self.want_to.is_some() {
            // The one end wanted: nothing more to find.
            self.done = true;
        }
        let mut next = self.row.clone();
        set_slot(&mut next, self.rels, Value::List(Vec::new()));
        set_slot(&mut next, self.to, Value::Node(node));
        Ok(Some(next))
    }

    /// Expands one node of the queue, recording the ends it finds in `pending`.
    fn expand(&mut self, node: NodeId) -> ExecResult<()> {
        let followed = self.ctx.step_into(node, self.step, &self.row, &mut self.steps)?;
        self.ctx.count_expansions(followed)?;
        let (via, first) = match self.seen.get(&node) {
            Some(&(via, first)) => (Some(via), Some(first)),
            None => (None, None),
        };
        for &(r, next) in &self.steps {
            if self.excluded.contains(&r) {
                continue;
            }
            if next == self.start {
                // A walk back to the start: a closed trail unless it ends on the relationship
                // it began with.
                if !self.start_found && first != Some(r) {
                    self.start_found = true;
                    self.pending.push(next);
                }
                continue;
            }
            match self.seen.get(&next) {
                None => {
                    self.held
                        .bytes(std::mem::size_of::<(NodeId, (RelId, RelId))>() + 16)?;
                    self.seen.insert(next, (r, first.unwrap_or(r)));
                    self.queue.push_back(next);
                    self.pending.push(next);
                }
                Some(&(next_via, next_first)) => {
                    // Undirected: a relationship off both walks joining walks that left the
                    // start by different relationships closes a trail through the start.
                    if self.both
                        && !self.start_found
                        && Some(r) != via
                        && r != next_via
                        && first != Some(next_first)
                    {
                        self.start_found = true;
                        self.pending.push(self.start);
                    }
                }
            }
        }
        Ok(())
    }
}

impl Iterator for Reach<'_, '_> {
    type Item = ExecResult<Row>;

    fn next(&mut self) -> Option<ExecResult<Row>> {
        loop {
            if self.done {
                return None;
            }
            if let Some(node) = self.pending.pop() {
                match self.emit(node) {
                    Ok(Some(row)) => return Some(Ok(row)),
                    Ok(None) => continue,
                    Err(e) => {
                        self.done = true;
                        return Some(Err(e));
                    }
                }
            }
            let node = self.queue.pop_front()?;
            if let Err(e) = self.expand(node) {
                self.done = true;
                return Some(Err(e));
            }
        }
    }
}
