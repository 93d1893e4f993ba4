//! The logical plan: what the binder produces from the AST and the executor runs.
//!
//! Architecture invariant: nothing here refers to syntax. Variables are row slots, labels,
//! types and keys are interned ids (`None` where the graph has never used the name, which
//! matches nothing), functions are an enum. `Display` prints the plan for `EXPLAIN`, from
//! `Plan::lines`, whose lines are also what `PROFILE` counts and times.

use std::fmt;
use std::sync::Arc;

use crate::graph::{Direction, KeyId, LabelId, TypeId, Value};

/// A position in a row.
pub(crate) type Slot = usize;

/// A source span (byte offsets) kept for runtime errors.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Pos {
    pub(crate) start: u32,
    pub(crate) end: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ArithOp {
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Pow,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum StrOp {
    StartsWith,
    EndsWith,
    Contains,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Quantifier {
    Any,
    All,
    None,
    Single,
}

/// Built-in scalar functions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Func {
    Id,
    Labels,
    Type,
    Properties,
    Keys,
    Size,
    Length,
    Head,
    Last,
    Tail,
    Coalesce,
    ToString,
    ToInteger,
    ToFloat,
    ToBoolean,
    ToUpper,
    ToLower,
    Trim,
    LTrim,
    RTrim,
    Substring,
    Replace,
    Split,
    Left,
    Right,
    Reverse,
    Abs,
    Ceil,
    Floor,
    Round,
    Sign,
    Sqrt,
    Exp,
    Log,
    Log10,
    Sin,
    Cos,
    Tan,
    Asin,
    Acos,
    Atan,
    Atan2,
    Pi,
    E,
    Rand,
    Range,
    Nodes,
    Relationships,
    StartNode,
    EndNode,
    Temporal(TemporalFn),
    Exists,
    IsEmpty,
    ToStringOrNull,
    ToIntegerOrNull,
    ToFloatOrNull,
    ToBooleanOrNull,
    /// `kg.resolve(text [, limit])`: the nodes a name names, best first, with scores.
    Resolve,
}

/// The temporal types, as the functions that build them name them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TemporalKind {
    Date,
    LocalTime,
    Time,
    LocalDateTime,
    DateTime,
}

/// Which clock a `date.realtime()`-like function reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Clock {
    /// The time of the call.
    Realtime,
    /// The time the statement started (also the transaction's: each statement is one).
    Statement,
}

/// The temporal functions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TemporalFn {
    /// `date(x)`, `datetime(x)`, ...: from a string, a map or another value; now without one.
    Make(TemporalKind),
    /// `duration(x)`: from a string or a map.
    Duration,
    /// `date.realtime([zone])`, `datetime.statement([zone])`, ...
    Now(TemporalKind, Clock),
    /// `date.truncate(unit, value[, map])`, ...
    Truncate(TemporalKind),
    /// `duration.between(a, b)` and `duration.inMonths` / `inDays` / `inSeconds`.
    Between(crate::graph::temporal::Between),
    /// `datetime.fromEpoch(seconds, nanoseconds)`.
    FromEpoch,
    /// `datetime.fromEpochMillis(milliseconds)`.
    FromEpochMillis,
}

/// Aggregate functions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum AggFn {
    CountStar,
    Count,
    Sum,
    Avg,
    Min,
    Max,
    Collect,
    StDev,
    StDevP,
    PercentileDisc,
    PercentileCont,
}

/// An item of a map projection `n{.a, b: expr, .*}`.
#[derive(Clone, Debug)]
pub(crate) enum MapProjItem {
    Property(Arc<str>, Option<KeyId>),
    AllProperties,
    Entry(Arc<str>, Expr),
}

/// A bound expression.
#[derive(Clone, Debug)]
pub(crate) enum Expr {
    Const(Value),
    Param(Arc<str>),
    Slot(Slot),
    /// Property of a node, relationship or map; the key's id if the graph knows it.
    Prop(Box<Expr>, Arc<str>, Option<KeyId>),
    Index(Box<Expr>, Box<Expr>, Pos),
    Slice(Box<Expr>, Option<Box<Expr>>, Option<Box<Expr>>, Pos),
    HasLabels(Box<Expr>, Vec<Option<LabelId>>),
    Not(Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Xor(Box<Expr>, Box<Expr>),
    Neg(Box<Expr>, Pos),
    Arith(ArithOp, Box<Expr>, Box<Expr>, Pos),
    Cmp(CmpOp, Box<Expr>, Box<Expr>),
    /// `a op1 b op2 c ...`: the conjunction of the neighbouring comparisons.
    CmpChain(Vec<Expr>, Vec<CmpOp>),
    IsNull(Box<Expr>, bool),
    In(Box<Expr>, Box<Expr>, Pos),
    Str(StrOp, Box<Expr>, Box<Expr>),
    Regex(Box<Expr>, Box<Expr>, Pos),
    List(Vec<Expr>),
    Map(Vec<(Arc<str>, Expr)>),
    Case {
        operand: Option<Box<Expr>>,
        whens: Vec<(Expr, Expr)>,
        otherwise: Option<Box<Expr>>,
    },
    Call(Func, Vec<Expr>, Pos),
    ListComp {
        var: Slot,
        list: Box<Expr>,
        pred: Option<Box<Expr>>,
        map: Option<Box<Expr>>,
        pos: Pos,
    },
    Quant {
        kind: Quantifier,
        var: Slot,
        list: Box<Expr>,
        pred: Box<Expr>,
        pos: Pos,
    },
    Reduce {
        acc: Slot,
        init: Box<Expr>,
        var: Slot,
        list: Box<Expr>,
        expr: Box<Expr>,
        pos: Pos,
    },
    /// True when the sub-plan, run with the current row as its input, yields a row.
    Exists(Box<Pipeline>),
    /// Collects `map` over the rows of the sub-plan.
    PatternComp(Box<Pipeline>, Box<Expr>),
    MapProj(Box<Expr>, Vec<MapProjItem>, Pos),
    /// `EXISTS { ... }`, `COUNT { ... }` or `COLLECT { ... }` over a subquery run with the
    /// current row as its input.
    Sub(Box<SubPlan>),
}

/// What a subquery expression computes from its subquery's rows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SubKind {
    /// True if there is a row.
    Exists,
    /// The number of rows.
    Count,
    /// The list of the values of the one output column.
    Collect,
}

/// A subquery: one pipeline per part of its `UNION` (each run from the outer row), the
/// slots of its output columns per part, and whether the parts' rows are de-duplicated
/// (`UNION`).
#[derive(Clone, Debug)]
pub(crate) struct SubPlan {
    pub(crate) kind: SubKind,
    pub(crate) parts: Vec<Pipeline>,
    pub(crate) outputs: Vec<Vec<Slot>>,
    pub(crate) distinct: bool,
}

/// Which relationship types an expand follows (`None`: any type; an unknown type never matches).
#[derive(Clone, Debug)]
pub(crate) struct TypeFilter(pub(crate) Option<Vec<Option<TypeId>>>);

impl TypeFilter {
    #[inline]
    pub(crate) fn matches(&self, ty: TypeId) -> bool {
        match self.0.as_deref() {
            None => true,
            Some([one]) => *one == Some(ty),
            Some(types) => types.contains(&Some(ty)),
        }
    }
}

/// A node to check after it is reached: labels and property equalities.
#[derive(Clone, Debug, Default)]
pub(crate) struct NodeCheck {
    pub(crate) labels: Vec<Option<LabelId>>,
    pub(crate) props: Vec<(Option<KeyId>, Expr)>,
    /// A whole map of properties given as a parameter: `(n $props)`.
    pub(crate) prop_map: Option<Expr>,
    /// A value the node's `aliases` list must contain (a `WHERE v IN n.aliases` that stays a
    /// filter): not checked here, but the name index can find the candidates.
    pub(crate) alias_seek: Option<Expr>,
}

/// A single step of a variable-length or shortest-path expansion.
#[derive(Clone, Debug)]
pub(crate) struct Step {
    pub(crate) dir: Direction,
    pub(crate) types: TypeFilter,
    pub(crate) rel_props: Vec<(Option<KeyId>, Expr)>,
}

/// Where a pattern starts.
#[derive(Clone, Debug)]
pub(crate) enum Start {
    /// Every node.
    All,
    /// Every node with the label.
    Label(Option<LabelId>),
    /// The nodes whose name-index key matches the value (then checked exactly). A value the
    /// index cannot hold (not a string, or empty once normalised) falls back to scanning the
    /// label, or every node.
    NameSeek(Expr, Option<Option<LabelId>>),
    /// The nodes with the label whose key's value equals the expression's, through the
    /// property index (or unique constraint) on (label, key); a label scan if the graph has
    /// none by the time the plan runs. The node check decides exactly.
    PropSeek(LabelId, KeyId, Expr),
    /// The node already bound in the slot (for `MATCH (a)` after `WITH a`).
    Bound,
}

/// A write: one node or relationship of a `CREATE` pattern.
#[derive(Clone, Debug)]
pub(crate) enum CreateItem {
    Node {
        slot: Slot,
        labels: Vec<LabelId>,
        props: Vec<(KeyId, Expr)>,
        prop_map: Option<Expr>,
        /// The slot is already bound: nothing to create, only to check.
        bound: bool,
    },
    Rel {
        slot: Slot,
        from: Slot,
        to: Slot,
        ty: TypeId,
        props: Vec<(KeyId, Expr)>,
        prop_map: Option<Expr>,
    },
    Path {
        slot: Slot,
        parts: Vec<PathPart>,
    },
}

#[derive(Clone, Debug)]
pub(crate) enum PathPart {
    Node(Slot),
    /// A relationship, or a list of them for a variable-length step.
    Rel(Slot),
    RelList(Slot),
}

#[derive(Clone, Debug)]
pub(crate) enum SetItem {
    Prop {
        target: Expr,
        key: KeyId,
        value: Expr,
    },
    /// `n = map` (replace) or `n += map` (merge).
    Map {
        target: Slot,
        value: Expr,
        replace: bool,
    },
    Labels {
        target: Slot,
        labels: Vec<LabelId>,
    },
}

#[derive(Clone, Debug)]
pub(crate) enum RemoveItem {
    Prop {
        target: Expr,
        key: Option<KeyId>,
    },
    Labels {
        target: Slot,
        labels: Vec<Option<LabelId>>,
    },
}

/// One operator of a pipeline. Rows flow from the first operator to the last.
#[derive(Clone, Debug)]
pub(crate) enum Op {
    /// Binds `slot` to each start node, checked against `check`.
    NodeScan {
        slot: Slot,
        start: Start,
        check: NodeCheck,
    },
    /// Follows one relationship from `from`, binding `rel` and `to` (or checking `to` if bound).
    Expand {
        from: Slot,
        rel: Slot,
        to: Slot,
        dir: Direction,
        types: TypeFilter,
        rel_props: Vec<(Option<KeyId>, Expr)>,
        check: NodeCheck,
        to_bound: bool,
        rel_bound: bool,
        /// Relationships (or lists of them) matched earlier in the same MATCH: not again.
        exclude: Vec<Slot>,
    },
    /// A `NodeScan` (by label or of all nodes) and a directed `Expand` from the node it binds,
    /// as one operator: when the scan would visit a large part of the graph, it runs as one
    /// pass over the relationships in storage order (sequential, and shared out to threads
    /// by index range), checking both ends; otherwise as the two operators.
    RelScan {
        scan: Box<Op>,
        expand: Box<Op>,
    },
    /// Follows `min..=max` relationships; `rels` gets the list of relationships.
    VarExpand {
        from: Slot,
        rels: Slot,
        to: Slot,
        step: Step,
        min: u32,
        max: u32,
        check: NodeCheck,
        to_bound: bool,
        /// Relationships (or lists of them) matched earlier in the same MATCH: not again.
        exclude: Vec<Slot>,
        /// `rels` already holds a list of relationships, to be followed as given.
        rels_bound: bool,
        /// The pattern gave no upper bound and `max` is the query's path cap: a search that
        /// reaches it with somewhere left to go fails (`RuntimeKind::PathLengthLimit`)
        /// unless the caller set the cap (`max_path_length`).
        capped: bool,
        /// Only which end nodes can be reached matters (a pattern predicate of one
        /// anonymous relationship, `min` at most 1, no upper bound): a breadth-first search
        /// gives each once, with an empty `rels` list (nothing reads it).
        reach: bool,
    },
    /// Shortest path(s) between two bound nodes.
    ShortestPath {
        from: Slot,
        to: Slot,
        path: Slot,
        rels: Option<Slot>,
        step: Step,
        min: u32,
        max: u32,
        all: bool,
    },
    /// Relationships (and lists of them) of one MATCH must be pairwise distinct.
    DistinctRels {
        rels: Vec<Slot>,
        lists: Vec<Slot>,
    },
    BuildPath {
        slot: Slot,
        parts: Vec<PathPart>,
    },
    Filter(Expr),
    /// For each row, the inner pipeline's rows, or one row with `nulls` set to null.
    Optional {
        inner: Pipeline,
        nulls: Vec<Slot>,
    },
    Unwind {
        expr: Expr,
        slot: Slot,
    },
    /// Computes every expression against the incoming row, then stores them.
    Project {
        items: Vec<(Slot, Expr)>,
        clear: Vec<Slot>,
    },
    Aggregate {
        keys: Vec<(Slot, Expr)>,
        aggs: Vec<(Slot, AggFn, bool, Vec<Expr>)>,
        clear: Vec<Slot>,
    },
    Distinct {
        slots: Vec<Slot>,
    },
    Sort {
        keys: Vec<(Expr, bool)>,
    },
    /// `ORDER BY ... LIMIT k`: keeps only the first `limit` rows while sorting.
    TopK {
        keys: Vec<(Expr, bool)>,
        limit: Expr,
    },
    Skip(Expr),
    Limit(Expr),
    /// `CALL proc(args) [YIELD ...]`: for each row, one row per record of the procedure, its
    /// yielded outputs (by position in the signature) written into slots; a procedure
    /// without outputs passes each row on as it is.
    /// `CALL { ... }`: for each row, the subquery run from it (every part of its `UNION`), each
    /// of its rows giving a row with the returned columns copied into `targets`; a subquery
    /// that returns nothing (`unit`) passes each row on once, after running.
    SubCall(Box<CallPlan>),
    /// A schema command (the whole statement).
    Schema(SchemaOp),
    /// `FOREACH (x IN list | ...)`: for each row, the update operators of `body` run once per
    /// item of the list (in `slot`); the row itself passes on.
    Foreach {
        slot: Slot,
        list: Expr,
        body: Pipeline,
        pos: Pos,
    },
    ProcCall {
        proc: Arc<crate::query::procedures::Procedure>,
        args: Vec<Expr>,
        yields: Vec<(usize, Slot)>,
        pos: Pos,
    },
    Create(Vec<CreateItem>),
    Merge(Box<MergePlan>),
    Set(Vec<SetItem>),
    Remove(Vec<RemoveItem>),
    Delete {
        exprs: Vec<Expr>,
        detach: bool,
    },
}

/// What a schema command does, by name.
#[derive(Clone, Debug)]
pub(crate) enum SchemaOp {
    CreateIndex {
        name: Option<String>,
        label: String,
        key: String,
        if_not_exists: bool,
    },
    CreateConstraint {
        name: Option<String>,
        label: String,
        key: String,
        if_not_exists: bool,
    },
    DropIndex {
        name: String,
        if_exists: bool,
    },
    DropConstraint {
        name: String,
        if_exists: bool,
    },
}

#[derive(Clone, Debug)]
pub(crate) struct CallPlan {
    pub(crate) sub: SubPlan,
    pub(crate) targets: Vec<Slot>,
    pub(crate) unit: bool,
    /// Some part of the subquery writes: the call runs as a write operator.
    pub(crate) writes: bool,
}

#[derive(Clone, Debug)]
pub(crate) struct MergePlan {
    pub(crate) matcher: Pipeline,
    pub(crate) create: Vec<CreateItem>,
    pub(crate) on_create: Vec<SetItem>,
    pub(crate) on_match: Vec<SetItem>,
}

/// A sequence of operators over rows `width` values wide.
#[derive(Clone, Debug, Default)]
pub(crate) struct Pipeline {
    pub(crate) ops: Vec<Op>,
}

/// A whole statement: one pipeline per part of a `UNION`, with output columns.
#[derive(Clone, Debug)]
pub(crate) struct Plan {
    pub(crate) parts: Vec<Pipeline>,
    /// `UNION` (true: de-duplicate) between consecutive parts.
    pub(crate) union_distinct: bool,
    /// Shared with every result of the plan, so a cached plan's results copy no names.
    pub(crate) columns: std::sync::Arc<[String]>,
    /// The slots holding the output columns, per part.
    pub(crate) outputs: Vec<Vec<Slot>>,
    pub(crate) width: usize,
    pub(crate) writes: bool,
    /// False for a query that ends with a write clause: it returns no rows.
    pub(crate) returns: bool,
}

impl Op {
    pub(crate) fn is_write(&self) -> bool {
        match self {
            Op::SubCall(c) => c.writes,
            _ => matches!(
                self,
                Op::Create(_)
                    | Op::Merge(_)
                    | Op::Set(_)
                    | Op::Remove(_)
                    | Op::Delete { .. }
                    | Op::Foreach { .. }
                    | Op::Schema(_)
            ),
        }
    }

    pub(crate) fn name(&self) -> &'static str {
        match self {
            Op::NodeScan { start, .. } => match start {
                Start::All => "AllNodesScan",
                Start::Label(_) => "NodeByLabelScan",
                Start::NameSeek(..) => "NodeIndexSeek(name)",
                Start::PropSeek(..) => "NodeIndexSeek",
                Start::Bound => "Argument",
            },
            Op::RelScan { .. } => "RelationshipScan",
            Op::Expand { to_bound: true, .. } => "ExpandInto",
            Op::Expand { .. } => "Expand",
            Op::VarExpand { .. } => "VarLengthExpand",
            Op::ShortestPath { all: true, .. } => "AllShortestPaths",
            Op::ShortestPath { .. } => "ShortestPath",
            Op::DistinctRels { .. } => "RelationshipUniqueness",
            Op::BuildPath { .. } => "ProjectPath",
            Op::Filter(_) => "Filter",
            Op::Optional { .. } => "Optional",
            Op::Unwind { .. } => "Unwind",
            Op::Project { .. } => "Projection",
            Op::Aggregate { .. } => "Aggregation",
            Op::Distinct { .. } => "Distinct",
            Op::Sort { .. } => "Sort",
            Op::TopK { .. } => "Top",
            Op::Skip(_) => "Skip",
            Op::Limit(_) => "Limit",
            Op::ProcCall { .. } => "ProcedureCall",
            Op::SubCall(_) => "CallSubquery",
            Op::Foreach { .. } => "Foreach",
            Op::Schema(SchemaOp::CreateIndex { .. }) => "CreateIndex",
            Op::Schema(SchemaOp::CreateConstraint { .. }) => "CreateConstraint",
            Op::Schema(SchemaOp::DropIndex { .. }) => "DropIndex",
            Op::Schema(SchemaOp::DropConstraint { .. }) => "DropConstraint",
            Op::Create(_) => "Create",
            Op::Merge(_) => "Merge",
            Op::Set(_) => "SetProperties",
            Op::Remove(_) => "Remove",
            Op::Delete { detach: true, .. } => "DetachDelete",
            Op::Delete { .. } => "Delete",
        }
    }

    fn detail(&self) -> String {
        match self {
            Op::NodeScan { slot, check, .. } => format!("${slot}{}", check_text(check)),
            Op::RelScan { scan, expand } => match &**scan {
                Op::NodeScan { check, .. } => format!("{} from{}", expand.detail(), check_text(check)),
                _ => expand.detail(),
            },
            Op::Expand {
                from,
                rel,
                to,
                dir,
                check,
                rel_props,
                ..
            } => {
                let rel_checks = if rel_props.is_empty() {
                    String::new()
                } else {
                    format!(" [{} relationship property check(s)]", rel_props.len())
                };
                format!(
                    "(${from}){}(${to}) via ${rel}{rel_checks}{}",
                    arrow(*dir),
                    check_text(check)
                )
            }
            Op::VarExpand {
                from,
                to,
                min,
                max,
                step,
                ..
            }
            | Op::ShortestPath {
                from,
                to,
                min,
                max,
                step,
                ..
            } => {
                // `u32::MAX` stands for no upper bound at all (shortest paths, pattern
                // predicates).
                let max = if *max == u32::MAX {
                    String::new()
                } else {
                    max.to_string()
                };
                format!("(${from}){}*{min}..{max}(${to})", arrow(step.dir))
            }
            Op::Unwind { slot, .. } => format!("AS ${slot}"),
            Op::Project { items, .. } => slots_text(items.iter().map(|(s, _)| *s)),
            Op::Aggregate { keys, aggs, .. } => format!(
                "keys {} aggregates {}",
                slots_text(keys.iter().map(|(s, _)| *s)),
                slots_text(aggs.iter().map(|(s, ..)| *s))
            ),
            Op::Distinct { slots } => slots_text(slots.iter().copied()),
            Op::Sort { keys } | Op::TopK { keys, .. } => format!("{} key(s)", keys.len()),
            Op::ProcCall { proc, yields, .. } => format!(
                "{} yields {}",
                proc.name(),
                slots_text(yields.iter().map(|(_, s)| *s))
            ),
            Op::Create(items) => format!("{} item(s)", items.len()),
            Op::Set(items) => format!("{} item(s)", items.len()),
            Op::Remove(items) => format!("{} item(s)", items.len()),
            _ => String::new(),
        }
    }
}

fn arrow(dir: Direction) -> &'static str {
    match dir {
        Direction::Outgoing => "-->",
        Direction::Incoming => "<--",
        Direction::Both => "--",
    }
}

fn check_text(check: &NodeCheck) -> String {
    let mut parts = Vec::new();
    if !check.labels.is_empty() {
        parts.push(format!("{} label(s)", check.labels.len()));
    }
    if !check.props.is_empty() || check.prop_map.is_some() {
        parts.push(format!(
            "{} property check(s)",
            check.props.len() + usize::from(check.prop_map.is_some())
        ));
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!(" [{}]", parts.join(", "))
    }
}

fn slots_text(slots: impl Iterator<Item = Slot>) -> String {
    slots.map(|s| format!("${s}")).collect::<Vec<_>>().join(", ")
}

/// What one line of a plan's rendering stands for.
#[derive(Clone, Copy, Debug)]
pub(crate) enum LineOf<'p> {
    /// `ProduceResults`: the plan's output.
    Root,
    /// The `Union` line of a part (only when there are several parts), in part order.
    Part,
    /// An operator.
    Op(&'p Op),
}

/// One line of a plan as `EXPLAIN` prints it and `PROFILE` measures it: its depth in the
/// tree (the indent is two spaces per level), the operator's name and its details.
#[derive(Clone, Debug)]
pub(crate) struct PlanLine<'p> {
    pub(crate) depth: usize,
    pub(crate) name: &'static str,
    pub(crate) detail: String,
    pub(crate) of: LineOf<'p>,
}

impl Pipeline {
    /// The lines of this pipeline, printed from the output end (as Neo4j and DataFusion
    /// print plans), with the pipelines nested in its operators under them.
    fn push_lines<'p>(&'p self, depth: usize, out: &mut Vec<PlanLine<'p>>) {
        for (i, op) in self.ops.iter().rev().enumerate() {
            out.push(PlanLine {
                depth: depth + i.min(1),
                name: op.name(),
                detail: op.detail(),
                of: LineOf::Op(op),
            });
            match op {
                Op::Optional { inner, .. } => inner.push_lines(depth + 2, out),
                Op::Merge(m) => m.matcher.push_lines(depth + 2, out),
                Op::Foreach { body, .. } => body.push_lines(depth + 2, out),
                Op::SubCall(c) => {
                    for part in &c.sub.parts {
                        part.push_lines(depth + 2, out);
                    }
                }
                _ => {}
            }
        }
    }
}

impl Plan {
    /// The plan's lines in print order: `ProduceResults` first, then each part (under a
    /// `Union` line when there are several), each operator once. `EXPLAIN` prints them and
    /// `PROFILE` reports one entry per line.
    pub(crate) fn lines(&self) -> Vec<PlanLine<'_>> {
        let mut out = vec![PlanLine {
            depth: 0,
            name: "ProduceResults",
            detail: self.columns.join(", "),
            of: LineOf::Root,
        }];
        for (i, part) in self.parts.iter().enumerate() {
            if self.parts.len() > 1 {
                out.push(PlanLine {
                    depth: 1,
                    name: if self.union_distinct { "Union" } else { "UnionAll" },
                    detail: format!("part {}", i + 1),
                    of: LineOf::Part,
                });
            }
            part.push_lines(1, &mut out);
        }
        out
    }
}

impl fmt::Display for Plan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for line in self.lines() {
            // `ProduceResults` keeps its space even without columns (a write without RETURN).
            let sep = if line.detail.is_empty() && !matches!(line.of, LineOf::Root) {
                ""
            } else {
                " "
            };
            writeln!(
                f,
                "{:indent$}{}{sep}{}",
                "",
                line.name,
                line.detail,
                indent = 2 * line.depth
            )?;
        }
        Ok(())
    }
}
