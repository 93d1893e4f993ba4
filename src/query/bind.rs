//! The binder: resolves the names of an AST against a scope and the graph's symbol tables
//! and produces the logical plan, choosing where each pattern starts (the optimiser's rules
//! live in `optimize.rs`).
//!
//! Architecture invariant: this is the only module that reads both the AST and the plan.
//! Every semantic error carries the span of the expression at fault.

use std::collections::BTreeMap;
use std::sync::Arc;

use indexmap::IndexMap;

use crate::graph::temporal::Between;
use crate::graph::{Direction, KeyId, LabelId, Symbols, TypeId, Value};
use crate::query::error::{SemanticKind, UnsupportedKind};
use crate::query::optimize;
use crate::query::plan::{
    AggFn, ArithOp, CallPlan, Clock, CmpOp, CreateItem, Expr, Func, MapProjItem, MergePlan, NodeCheck, Op,
    PathPart, Pipeline, Plan, Pos, Quantifier, RemoveItem, SchemaOp, SetItem, Slot, Start, Step, StrOp,
    SubKind, SubPlan, TemporalFn, TemporalKind, TypeFilter,
};
use crate::query::syntax::ast::{self, ClauseKind, ExprKind, Ident, Literal};
use crate::query::syntax::span::Span;

/// A semantic error found while binding, or a construct the binder refuses.
#[derive(Debug, Clone)]
pub(crate) struct BindError {
    pub(crate) kind: BindErrorKind,
    pub(crate) message: String,
    pub(crate) span: Span,
}

/// Whether a [`BindError`] is a semantic error or a construct not run yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BindErrorKind {
    Semantic(SemanticKind),
    Unsupported(UnsupportedKind),
}

type BindResult<T> = Result<T, BindError>;

/// An aggregate found in a projection: its slot, function, DISTINCT and arguments.
type AggCall = (Slot, AggFn, bool, Vec<Expr>);

/// Properties of a pattern to create: interned keys with values, and a whole-map expression.
type WriteProps = (Vec<(KeyId, Expr)>, Option<Expr>);

fn err<T>(kind: SemanticKind, message: impl Into<String>, span: Span) -> BindResult<T> {
    Err(BindError {
        kind: BindErrorKind::Semantic(kind),
        message: message.into(),
        span,
    })
}

/// Refuses a construct the parser reads but the engine does not run yet.
fn unsupported<T>(kind: UnsupportedKind, span: Span) -> BindResult<T> {
    let message = match kind {
        UnsupportedKind::ProcedureCall => "procedure calls (CALL name(...)) are not supported yet",
        UnsupportedKind::CallSubquery => "CALL { ... } subqueries are not supported yet",
        UnsupportedKind::ExistsSubquery => {
            "EXISTS { ... } subqueries are not supported yet; use exists((a)-->(b)) or a pattern predicate"
        }
        UnsupportedKind::CountSubquery => {
            "COUNT { ... } subqueries are not supported yet; use size([(a)-->(b) | b])"
        }
        UnsupportedKind::CollectSubquery => {
            "COLLECT { ... } subqueries are not supported yet; use a pattern comprehension [(a)-->(b) | b]"
        }
    };
    Err(BindError {
        kind: BindErrorKind::Unsupported(kind),
        message: message.into(),
        span,
    })
}

fn pos(span: Span) -> Pos {
    Pos {
        start: span.start,
        end: span.end,
    }
}

/// How the binder turns names into symbol ids: read-only queries look names up (an unknown
/// name matches nothing), writing queries intern them.
pub(crate) enum Resolver<'g> {
    Read(&'g Symbols),
    Write(&'g mut Symbols),
}

impl Resolver<'_> {
    fn label(&mut self, name: &str) -> Option<LabelId> {
        match self {
            Resolver::Read(s) => s.find_label(name),
            Resolver::Write(s) => Some(s.label(name)),
        }
    }
    fn rel_type(&mut self, name: &str) -> Option<TypeId> {
        match self {
            Resolver::Read(s) => s.find_type(name),
            Resolver::Write(s) => Some(s.rel_type(name)),
        }
    }
    fn key(&mut self, name: &str) -> Option<KeyId> {
        match self {
            Resolver::Read(s) => s.find_key(name),
            Resolver::Write(s) => Some(s.key(name)),
        }
    }
    /// The key's id if the graph knows the name; never interns it.
    fn known_key(&self, name: &str) -> Option<KeyId> {
        match self {
            Resolver::Read(s) => s.find_key(name),
            Resolver::Write(s) => s.find_key(name),
        }
    }
    /// The keys the name index covers with an exact value (`name`, `name_zh`), where known.
    fn name_keys(&self) -> [Option<KeyId>; 2] {
        [self.known_key("name"), self.known_key("name_zh")]
    }
    fn writable(&self) -> bool {
        matches!(self, Resolver::Write(_))
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum VarKind {
    Node,
    Rel,
    RelList,
    Path,
    Value,
}

#[derive(Clone, Copy, Debug)]
struct Var {
    slot: Slot,
    kind: VarKind,
}

pub(crate) struct Binder<'a, 'g> {
    resolver: &'a mut Resolver<'g>,
    text: &'a str,
    params: &'a BTreeMap<String, Value>,
    optimize: bool,
    max_var_length: u32,
    width: usize,
    scope: IndexMap<String, Var>,
    /// Set while binding a projection: aggregates found go here.
    aggs: Option<Vec<AggCall>>,
    /// Projected expressions and their slots, while binding what follows a projection.
    substitutions: Vec<(ast::Expr, Slot)>,
    /// Inside a list comprehension, quantifier or reduce, where aggregates are not allowed.
    in_local: usize,
    /// The procedures a `CALL` may run besides the built-ins.
    procedures: &'a crate::query::procedures::Procedures,
    /// Binding a subquery that may end without `RETURN` (`EXISTS`, `COUNT`, a unit `CALL`).
    unit_ok: bool,
    /// The (label, key) pairs the graph's indexes and unique constraints cover.
    indexed: &'a [(LabelId, KeyId)],
    /// Local variables known to hold one non-numeric type: those of a list comprehension or
    /// quantifier over a literal list whose items all have that type.
    known_types: Vec<(Slot, &'static str)>,
}

/// The one type of every item of a literal list, when it is one arithmetic refuses.
fn literal_item_type(list: &Expr) -> Option<&'static str> {
    let Expr::Const(Value::List(items)) = list else {
        return None;
    };
    let first = items.first()?;
    let t = first.type_name();
    let refused = matches!(
        first,
        Value::String(_) | Value::Bool(_) | Value::List(_) | Value::Map(_)
    );
    (refused && items.iter().all(|i| i.type_name() == t)).then_some(t)
}

/// A bound subquery: a pipeline per part of its `UNION`, its column names, the slots of its
/// columns per part, whether its parts are joined by `UNION` (de-duplicated), and whether it
/// writes.
struct BoundSub {
    parts: Vec<Pipeline>,
    columns: Vec<String>,
    outputs: Vec<Vec<Slot>>,
    distinct: bool,
    writes: bool,
}

const FUNCTIONS: &[(&str, Func, usize, usize)] = &[
    ("id", Func::Id, 1, 1),
    ("labels", Func::Labels, 1, 1),
    ("type", Func::Type, 1, 1),
    ("properties", Func::Properties, 1, 1),
    ("keys", Func::Keys, 1, 1),
    ("size", Func::Size, 1, 1),
    ("length", Func::Length, 1, 1),
    ("head", Func::Head, 1, 1),
    ("last", Func::Last, 1, 1),
    ("tail", Func::Tail, 1, 1),
    ("coalesce", Func::Coalesce, 1, usize::MAX),
    ("tostring", Func::ToString, 1, 1),
    ("tointeger", Func::ToInteger, 1, 1),
    ("tofloat", Func::ToFloat, 1, 1),
    ("toboolean", Func::ToBoolean, 1, 1),
    ("tostringornull", Func::ToStringOrNull, 1, 1),
    ("tointegerornull", Func::ToIntegerOrNull, 1, 1),
    ("tofloatornull", Func::ToFloatOrNull, 1, 1),
    ("tobooleanornull", Func::ToBooleanOrNull, 1, 1),
    ("toupper", Func::ToUpper, 1, 1),
    ("tolower", Func::ToLower, 1, 1),
    ("trim", Func::Trim, 1, 1),
    ("ltrim", Func::LTrim, 1, 1),
    ("rtrim", Func::RTrim, 1, 1),
    ("substring", Func::Substring, 2, 3),
    ("replace", Func::Replace, 3, 3),
    ("split", Func::Split, 2, 2),
    ("left", Func::Left, 2, 2),
    ("right", Func::Right, 2, 2),
    ("reverse", Func::Reverse, 1, 1),
    ("abs", Func::Abs, 1, 1),
    ("ceil", Func::Ceil, 1, 1),
    ("floor", Func::Floor, 1, 1),
    ("round", Func::Round, 1, 1),
    ("sign", Func::Sign, 1, 1),
    ("sqrt", Func::Sqrt, 1, 1),
    ("exp", Func::Exp, 1, 1),
    ("log", Func::Log, 1, 1),
    ("log10", Func::Log10, 1, 1),
    ("sin", Func::Sin, 1, 1),
    ("cos", Func::Cos, 1, 1),
    ("tan", Func::Tan, 1, 1),
    ("asin", Func::Asin, 1, 1),
    ("acos", Func::Acos, 1, 1),
    ("atan", Func::Atan, 1, 1),
    ("atan2", Func::Atan2, 2, 2),
    ("pi", Func::Pi, 0, 0),
    ("e", Func::E, 0, 0),
    ("rand", Func::Rand, 0, 0),
    ("range", Func::Range, 2, 3),
    ("nodes", Func::Nodes, 1, 1),
    ("relationships", Func::Relationships, 1, 1),
    ("startnode", Func::StartNode, 1, 1),
    ("endnode", Func::EndNode, 1, 1),
    ("date", Func::Temporal(TemporalFn::Make(TemporalKind::Date)), 0, 1),
    (
        "date.realtime",
        Func::Temporal(TemporalFn::Now(TemporalKind::Date, Clock::Realtime)),
        0,
        1,
    ),
    (
        "date.statement",
        Func::Temporal(TemporalFn::Now(TemporalKind::Date, Clock::Statement)),
        0,
        1,
    ),
    (
        "date.transaction",
        Func::Temporal(TemporalFn::Now(TemporalKind::Date, Clock::Statement)),
        0,
        1,
    ),
    (
        "date.truncate",
        Func::Temporal(TemporalFn::Truncate(TemporalKind::Date)),
        2,
        3,
    ),
    (
        "localtime",
        Func::Temporal(TemporalFn::Make(TemporalKind::LocalTime)),
        0,
        1,
    ),
    (
        "localtime.realtime",
        Func::Temporal(TemporalFn::Now(TemporalKind::LocalTime, Clock::Realtime)),
        0,
        1,
    ),
    (
        "localtime.statement",
        Func::Temporal(TemporalFn::Now(TemporalKind::LocalTime, Clock::Statement)),
        0,
        1,
    ),
    (
        "localtime.transaction",
        Func::Temporal(TemporalFn::Now(TemporalKind::LocalTime, Clock::Statement)),
        0,
        1,
    ),
    (
        "localtime.truncate",
        Func::Temporal(TemporalFn::Truncate(TemporalKind::LocalTime)),
        2,
        3,
    ),
    ("time", Func::Temporal(TemporalFn::Make(TemporalKind::Time)), 0, 1),
    (
        "time.realtime",
        Func::Temporal(TemporalFn::Now(TemporalKind::Time, Clock::Realtime)),
        0,
        1,
    ),
    (
        "time.statement",
        Func::Temporal(TemporalFn::Now(TemporalKind::Time, Clock::Statement)),
        0,
        1,
    ),
    (
        "time.transaction",
        Func::Temporal(TemporalFn::Now(TemporalKind::Time, Clock::Statement)),
        0,
        1,
    ),
    (
        "time.truncate",
        Func::Temporal(TemporalFn::Truncate(TemporalKind::Time)),
        2,
        3,
    ),
    (
        "localdatetime",
        Func::Temporal(TemporalFn::Make(TemporalKind::LocalDateTime)),
        0,
        1,
    ),
    (
        "localdatetime.realtime",
        Func::Temporal(TemporalFn::Now(TemporalKind::LocalDateTime, Clock::Realtime)),
        0,
        1,
    ),
    (
        "localdatetime.statement",
        Func::Temporal(TemporalFn::Now(TemporalKind::LocalDateTime, Clock::Statement)),
        0,
        1,
    ),
    (
        "localdatetime.transaction",
        Func::Temporal(TemporalFn::Now(TemporalKind::LocalDateTime, Clock::Statement)),
        0,
        1,
    ),
    (
        "localdatetime.truncate",
        Func::Temporal(TemporalFn::Truncate(TemporalKind::LocalDateTime)),
        2,
        3,
    ),
    (
        "datetime",
        Func::Temporal(TemporalFn::Make(TemporalKind::DateTime)),
        0,
        1,
    ),
    (
        "datetime.realtime",
        Func::Temporal(TemporalFn::Now(TemporalKind::DateTime, Clock::Realtime)),
        0,
        1,
    ),
    (
        "datetime.statement",
        Func::Temporal(TemporalFn::Now(TemporalKind::DateTime, Clock::Statement)),
        0,
        1,
    ),
    (
        "datetime.transaction",
        Func::Temporal(TemporalFn::Now(TemporalKind::DateTime, Clock::Statement)),
        0,
        1,
    ),
    (
        "datetime.truncate",
        Func::Temporal(TemporalFn::Truncate(TemporalKind::DateTime)),
        2,
        3,
    ),
    ("duration", Func::Temporal(TemporalFn::Duration), 1, 1),
    (
        "duration.between",
        Func::Temporal(TemporalFn::Between(Between::Full)),
        2,
        2,
    ),
    (
        "duration.inmonths",
        Func::Temporal(TemporalFn::Between(Between::Months)),
        2,
        2,
    ),
    (
        "duration.indays",
        Func::Temporal(TemporalFn::Between(Between::Days)),
        2,
        2,
    ),
    (
        "duration.inseconds",
        Func::Temporal(TemporalFn::Between(Between::Seconds)),
        2,
        2,
    ),
    ("datetime.fromepoch", Func::Temporal(TemporalFn::FromEpoch), 2, 2),
    (
        "datetime.fromepochmillis",
        Func::Temporal(TemporalFn::FromEpochMillis),
        1,
        1,
    ),
    ("exists", Func::Exists, 1, 1),
    ("isempty", Func::IsEmpty, 1, 1),
];

/// The functions as the documentation spells them, for "did you mean" hints.
const SPELLINGS: &[&str] = &[
    "id",
    "labels",
    "type",
    "properties",
    "keys",
    "size",
    "length",
    "head",
    "last",
    "tail",
    "coalesce",
    "toString",
    "toInteger",
    "toFloat",
    "toBoolean",
    "toStringOrNull",
    "toIntegerOrNull",
    "toFloatOrNull",
    "toBooleanOrNull",
    "toUpper",
    "toLower",
    "trim",
    "lTrim",
    "rTrim",
    "substring",
    "replace",
    "split",
    "left",
    "right",
    "reverse",
    "abs",
    "ceil",
    "floor",
    "round",
    "sign",
    "sqrt",
    "exp",
    "log",
    "log10",
    "sin",
    "cos",
    "tan",
    "asin",
    "acos",
    "atan",
    "atan2",
    "pi",
    "e",
    "rand",
    "range",
    "nodes",
    "relationships",
    "startNode",
    "endNode",
    "date",
    "date.realtime",
    "date.statement",
    "date.transaction",
    "date.truncate",
    "localtime.realtime",
    "localtime.statement",
    "localtime.transaction",
    "localtime.truncate",
    "localtime",
    "time.realtime",
    "time.statement",
    "time.transaction",
    "time.truncate",
    "time",
    "localdatetime.realtime",
    "localdatetime.statement",
    "localdatetime.transaction",
    "localdatetime.truncate",
    "localdatetime",
    "datetime.realtime",
    "datetime.statement",
    "datetime.transaction",
    "datetime.truncate",
    "datetime",
    "duration",
    "duration.between",
    "duration.inMonths",
    "duration.inDays",
    "duration.inSeconds",
    "datetime.fromEpoch",
    "datetime.fromEpochMillis",
    "exists",
    "isEmpty",
    "count",
    "sum",
    "avg",
    "min",
    "max",
    "collect",
    "stDev",
    "stDevP",
    "percentileDisc",
    "percentileCont",
];

const AGGREGATES: &[(&str, AggFn, usize)] = &[
    ("count", AggFn::Count, 1),
    ("sum", AggFn::Sum, 1),
    ("avg", AggFn::Avg, 1),
    ("min", AggFn::Min, 1),
    ("max", AggFn::Max, 1),
    ("collect", AggFn::Collect, 1),
    ("stdev", AggFn::StDev, 1),
    ("stdevp", AggFn::StDevP, 1),
    ("percentiledisc", AggFn::PercentileDisc, 2),
    ("percentilecont", AggFn::PercentileCont, 2),
];

/// The closest known name, for "did you mean" hints (edit distance at most 2).
pub(crate) fn suggest<'n>(name: &str, candidates: impl Iterator<Item = &'n str>) -> Option<&'n str> {
    fn distance(a: &str, b: &str) -> usize {
        let b: Vec<char> = b.chars().collect();
        let mut prev: Vec<usize> = (0..=b.len()).collect();
        for (i, ca) in a.chars().enumerate() {
            let mut cur = vec![i + 1; b.len() + 1];
            for (j, cb) in b.iter().enumerate() {
                cur[j + 1] = (prev[j] + usize::from(ca != *cb))
                    .min(prev[j + 1] + 1)
                    .min(cur[j] + 1);
            }
            prev = cur;
        }
        prev[b.len()]
    }
    let lower = name.to_lowercase();
    candidates
        .map(|c| (distance(&lower, &c.to_lowercase()), c))
        .filter(|(d, _)| *d <= 2)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

fn is_aggregate(name: &str) -> bool {
    AGGREGATES.iter().any(|(n, ..)| *n == name)
}

/// True if the expression contains an aggregate call (not inside a nested scope's pattern).
fn has_aggregate(e: &ast::Expr) -> bool {
    let mut found = false;
    visit(e, &mut |e| {
        if let ExprKind::CountStar = e.kind {
            found = true;
        }
        if let ExprKind::FnCall { name, namespace, .. } = &e.kind {
            if namespace.is_empty() && is_aggregate(&name.name.to_lowercase()) {
                found = true;
            }
        }
    });
    found
}

fn visit(e: &ast::Expr, f: &mut dyn FnMut(&ast::Expr)) {
    f(e);
    let mut go = |x: &ast::Expr| visit(x, f);
    match &e.kind {
        ExprKind::Property { base, .. } | ExprKind::HasLabels { base, .. } => go(base),
        ExprKind::Index { base, index } => {
            go(base);
            go(index)
        }
        ExprKind::Slice { base, from, to } => {
            go(base);
            from.iter().for_each(|x| go(x));
            to.iter().for_each(|x| go(x));
        }
        ExprKind::FnCall { args, .. } => args.iter().for_each(go),
        ExprKind::Unary { operand, .. } => go(operand),
        ExprKind::Binary { lhs, rhs, .. }
        | ExprKind::In { lhs, rhs }
        | ExprKind::StringOp { lhs, rhs, .. }
        | ExprKind::Regex { lhs, rhs } => {
            go(lhs);
            go(rhs)
        }
        ExprKind::Compare { first, rest } => {
            go(first);
            rest.iter().for_each(|(_, x)| go(x));
        }
        ExprKind::IsNull { expr, .. } => go(expr),
        ExprKind::List(items) => items.iter().for_each(go),
        ExprKind::Map(entries) => entries.iter().for_each(|(_, x)| go(x)),
        ExprKind::Case {
            operand,
            whens,
            else_,
        } => {
            operand.iter().for_each(|x| go(x));
            whens.iter().for_each(|(w, t)| {
                go(w);
                go(t)
            });
            else_.iter().for_each(|x| go(x));
        }
        ExprKind::ListComp {
            list, where_, map, ..
        } => {
            go(list);
            where_.iter().for_each(|x| go(x));
            map.iter().for_each(|x| go(x));
        }
        ExprKind::Quantifier { list, where_, .. } => {
            go(list);
            where_.iter().for_each(|x| go(x));
        }
        ExprKind::Reduce { init, list, expr, .. } => {
            go(init);
            go(list);
            go(expr)
        }
        ExprKind::MapProjection { items, .. } => items.iter().for_each(|i| {
            if let ast::MapProjItem::Literal(_, x) = i {
                go(x)
            }
        }),
        ExprKind::PatternComp { where_, map, .. } => {
            where_.iter().for_each(|x| go(x));
            go(map)
        }
        ExprKind::Literal(_)
        | ExprKind::Param(_)
        | ExprKind::Var(_)
        | ExprKind::CountStar
        | ExprKind::Pattern(_)
        | ExprKind::Subquery { .. } => {}
    }
}

fn convert_dir(d: ast::Direction) -> Direction {
    match d {
        ast::Direction::Outgoing => Direction::Outgoing,
        ast::Direction::Incoming => Direction::Incoming,
        ast::Direction::Both => Direction::Both,
    }
}

fn flip(d: Direction) -> Direction {
    match d {
        Direction::Outgoing => Direction::Incoming,
        Direction::Incoming => Direction::Outgoing,
        Direction::Both => Direction::Both,
    }
}

/// The slots a pattern part uses, assigned before any operator is built.
struct PartSlots {
    nodes: Vec<(Slot, bool)>,
    rels: Vec<(Slot, bool)>,
    path: Option<Slot>,
}

impl<'a, 'g> Binder<'a, 'g> {
    pub(crate) fn new(
        resolver: &'a mut Resolver<'g>,
        text: &'a str,
        params: &'a BTreeMap<String, Value>,
        optimize: bool,
        max_var_length: u32,
        procedures: &'a crate::query::procedures::Procedures,
        indexed: &'a [(LabelId, KeyId)],
    ) -> Binder<'a, 'g> {
        Binder {
            resolver,
            text,
            params,
            optimize,
            max_var_length,
            width: 0,
            scope: IndexMap::new(),
            aggs: None,
            substitutions: Vec::new(),
            in_local: 0,
            procedures,
            unit_ok: false,
            indexed,
            known_types: Vec::new(),
        }
    }

    fn slot(&mut self) -> Slot {
        self.width += 1;
        self.width - 1
    }

    pub(crate) fn bind_query(mut self, q: &ast::Query) -> BindResult<Plan> {
        let mut parts = Vec::new();
        let mut outputs = Vec::new();
        let mut columns: Option<Vec<String>> = None;
        if q.union_all.iter().any(|a| *a) && q.union_all.iter().any(|a| !*a) {
            return err(
                SemanticKind::InvalidClause,
                "UNION and UNION ALL cannot be mixed",
                q.span,
            );
        }
        let mut writes = false;
        let mut returns = false;
        for part in &q.parts {
            self.scope.clear();
            let (pipeline, cols, outs) = self.bind_single(part)?;
            returns |= part
                .clauses
                .last()
                .is_some_and(|c| matches!(c.kind, ClauseKind::Return(_)));
            writes |= pipeline.ops.iter().any(Op::is_write);
            if let Some(c) = &columns {
                if *c != cols {
                    return err(
                        SemanticKind::DifferentColumnsInUnion,
                        "every part of a UNION must return the same columns",
                        part.span,
                    );
                }
            }
            columns = Some(cols);
            parts.push(pipeline);
            outputs.push(outs);
        }
        Ok(Plan {
            parts,
            union_distinct: q.union_all.iter().any(|a| !*a),
            columns: columns.unwrap_or_default().into(),
            outputs,
            width: self.width,
            writes,
            returns,
        })
    }

    fn bind_single(&mut self, q: &ast::SingleQuery) -> BindResult<(Pipeline, Vec<String>, Vec<Slot>)> {
        let mut ops = Vec::new();
        let mut result: Option<(Vec<String>, Vec<Slot>)> = None;
        let count = q.clauses.len();
        for (i, clause) in q.clauses.iter().enumerate() {
            let last = i + 1 == count;
            if result.is_some() {
                return err(
                    SemanticKind::InvalidClause,
                    "RETURN must be the last clause",
                    clause.span,
                );
            }
            match &clause.kind {
                ClauseKind::Match {
                    optional,
                    patterns,
                    where_,
                } => self.bind_match(*optional, patterns, where_.as_ref(), &mut ops)?,
                ClauseKind::Unwind { expr, var } => {
                    let e = self.expr(expr)?;
                    let slot = self.declare(var, VarKind::Value)?;
                    ops.push(Op::Unwind { expr: e, slot });
                }
                ClauseKind::With(p) => {
                    self.bind_projection(p, false, &mut ops)?;
                }
                ClauseKind::Return(p) => {
                    result = Some(self.bind_projection(p, true, &mut ops)?);
                }
                ClauseKind::Create { patterns } => {
                    self.require_write(clause.span)?;
                    let mut items = Vec::new();
                    for p in patterns {
                        self.bind_create(p, &mut items)?;
                    }
                    ops.push(Op::Create(items));
                }
                ClauseKind::Merge { pattern, actions } => {
                    self.require_write(clause.span)?;
                    ops.push(self.bind_merge(pattern, actions)?);
                }
                ClauseKind::Set { items } => {
                    self.require_write(clause.span)?;
                    let items = items
                        .iter()
                        .map(|i| self.set_item(i))
                        .collect::<BindResult<_>>()?;
                    ops.push(Op::Set(items));
                }
                ClauseKind::Remove { items } => {
                    self.require_write(clause.span)?;
                    let items = items
                        .iter()
                        .map(|i| self.remove_item(i))
                        .collect::<BindResult<_>>()?;
                    ops.push(Op::Remove(items));
                }
                ClauseKind::Call(call) => {
                    let standalone = count == 1;
                    let out = self.bind_call(call, standalone, clause.span, &mut ops)?;
                    if standalone && out.0.is_empty() {
                        // A procedure without outputs, called on its own, returns no rows.
                        ops.push(Op::Limit(Expr::Const(Value::Int(0))));
                        result = Some(out);
                    } else if standalone {
                        result = Some(out);
                    } else if last {
                        // Only a procedure without outputs may end a query.
                        if !out.0.is_empty() || ops.iter().any(Op::is_write) {
                            return err(
                                SemanticKind::InvalidClause,
                                "a query cannot end with CALL ... YIELD; add a RETURN",
                                clause.span,
                            );
                        }
                        ops.push(Op::Limit(Expr::Const(Value::Int(0))));
                        result = Some((Vec::new(), Vec::new()));
                    }
                }
                ClauseKind::Schema(cmd) => {
                    if count != 1 {
                        return err(
                            SemanticKind::InvalidClause,
                            "a schema command is a statement of its own",
                            clause.span,
                        );
                    }
                    self.require_write(clause.span)?;
                    ops.push(Op::Schema(schema_op(cmd)?));
                }
                ClauseKind::Foreach { var, list, clauses } => {
                    self.require_write(clause.span)?;
                    ops.push(self.bind_foreach(var, list, clauses, clause.span)?);
                }
                ClauseKind::CallSubquery {
                    query,
                    in_transactions,
                } => {
                    if in_transactions.is_some() {
                        return unsupported(UnsupportedKind::CallSubquery, clause.span);
                    }
                    ops.push(self.bind_call_subquery(query, clause.span)?);
                }
                ClauseKind::Delete { detach, exprs } => {
                    self.require_write(clause.span)?;
                    let mut bound = Vec::new();
                    for e in exprs {
                        if matches!(e.kind, ExprKind::HasLabels { .. }) {
                            return err(
                                SemanticKind::InvalidDelete,
                                "DELETE removes nodes, relationships and paths; use REMOVE for labels",
                                e.span,
                            );
                        }
                        let b = self.expr(e)?;
                        if let Expr::Const(v) = &b {
                            if !v.is_null() {
                                return err(
                                    SemanticKind::InvalidArgumentType,
                                    "DELETE needs a node, relationship or path",
                                    e.span,
                                );
                            }
                        }
                        bound.push(b);
                    }
                    ops.push(Op::Delete {
                        exprs: bound,
                        detach: *detach,
                    });
                }
            }
            if last && result.is_none() {
                let writes = ops.iter().any(Op::is_write);
                if !writes && !self.unit_ok {
                    return err(
                        SemanticKind::InvalidClause,
                        "a query must end with RETURN (or with a write clause)",
                        clause.span,
                    );
                }
            }
        }
        let (cols, outs) = result.unwrap_or_default();
        Ok((Pipeline { ops }, cols, outs))
    }

    /// `CALL proc(args) [YIELD ...]`: the procedure looked up, its arguments bound and checked,
    /// its yielded outputs declared. Returns the columns (names and slots) it yields, which are
    /// the result of a standalone call.
    fn bind_call(
        &mut self,
        call: &ast::ProcedureCall,
        standalone: bool,
        span: Span,
        ops: &mut Vec<Op>,
    ) -> BindResult<(Vec<String>, Vec<Slot>)> {
        let name = call
            .namespace
            .iter()
            .chain(std::iter::once(&call.name))
            .map(|i| i.name.as_str())
            .collect::<Vec<_>>()
            .join(".");
        let name_span = call.namespace.first().map_or(call.name.span, |n| n.span);
        let Some(proc) = self.procedures.resolve(&name) else {
            let names = self.procedures.names();
            let hint = suggest(&name, names.iter().map(String::as_str))
                .map(|s| format!("; did you mean '{s}'?"))
                .unwrap_or_default();
            return err(
                SemanticKind::ProcedureNotFound,
                format!("there is no procedure '{name}'{hint}"),
                name_span,
            );
        };
        let inputs = proc.inputs();
        let args = match &call.args {
            Some(args) => {
                if args.len() != inputs.len() {
                    return err(
                        SemanticKind::InvalidNumberOfArguments,
                        format!(
                            "{name} takes {} argument(s), got {}: {}",
                            inputs.len(),
                            args.len(),
                            proc.signature()
                        ),
                        span,
                    );
                }
                let mut bound = Vec::with_capacity(args.len());
                for (a, field) in args.iter().zip(inputs) {
                    if has_aggregate(a) {
                        return err(
                            SemanticKind::InvalidAggregation,
                            "a procedure's arguments cannot aggregate",
                            a.span,
                        );
                    }
                    let e = self.expr(a)?;
                    if let Expr::Const(v) = &e {
                        if let Err(m) = field.convert(v.clone()) {
                            return err(SemanticKind::InvalidArgumentType, format!("{name}: {m}"), a.span);
                        }
                    }
                    bound.push(e);
                }
                bound
            }
            None if !standalone && !inputs.is_empty() => {
                return err(
                    SemanticKind::InvalidArgumentPassingMode,
                    format!(
                        "{name} takes arguments: inside a query they must be written in parentheses ({})",
                        proc.signature()
                    ),
                    span,
                );
            }
            None => {
                // Implicit arguments: the parameters of the inputs' names.
                let mut bound = Vec::with_capacity(inputs.len());
                for field in inputs {
                    if !self.params.contains_key(&field.name) {
                        return err(
                            SemanticKind::ParameterMissing,
                            format!(
                                "{name} takes its argument '{}' from the parameter ${}, which was not given",
                                field.name, field.name
                            ),
                            span,
                        );
                    }
                    bound.push(Expr::Param(Arc::from(field.name.as_str())));
                }
                bound
            }
        };
        let outputs = proc.outputs();
        let mut yields = Vec::new();
        let mut columns = Vec::new();
        let mut where_ = None;
        match &call.yield_ {
            Some(y) if y.star && !standalone => {
                return err(
                    SemanticKind::UnexpectedSyntax,
                    "YIELD * is only allowed in a standalone CALL; name the fields to yield",
                    y.span,
                );
            }
            Some(y) if !y.star => {
                for item in &y.items {
                    let Some(field) = outputs.iter().position(|o| o.name == item.field.name) else {
                        let hint = suggest(&item.field.name, outputs.iter().map(|o| o.name.as_str()))
                            .map(|s| format!("; did you mean '{s}'?"))
                            .unwrap_or_default();
                        return err(
                            SemanticKind::UndefinedVariable,
                            format!("{name} has no output '{}'{hint}", item.field.name),
                            item.field.span,
                        );
                    };
                    let var = item.alias.as_ref().unwrap_or(&item.field);
                    let slot = self.declare(var, VarKind::Value)?;
                    yields.push((field, slot));
                    columns.push(var.name.clone());
                }
                where_ = y.where_.as_ref();
            }
            // No YIELD inside a query binds nothing; a standalone call (or YIELD *) yields
            // every output under its own name.
            None if !standalone => {}
            _ => {
                for (i, o) in outputs.iter().enumerate() {
                    let slot = self.slot();
                    self.scope.insert(
                        o.name.clone(),
                        Var {
                            slot,
                            kind: VarKind::Value,
                        },
                    );
                    yields.push((i, slot));
                    columns.push(o.name.clone());
                }
            }
        }
        ops.push(Op::ProcCall {
            proc: proc.clone(),
            args,
            yields: yields.clone(),
            pos: pos(span),
        });
        if let Some(w) = where_ {
            let e = self.expr(w)?;
            self.check_boolean(w, &e)?;
            ops.push(Op::Filter(e));
        }
        Ok((columns, yields.into_iter().map(|(_, s)| s).collect()))
    }

    /// Binds a subquery with `scope` visible at its start, keeping the binder's state of the
    /// enclosing query. `unit_ok`: it may end without `RETURN`.
    fn bind_sub(
        &mut self,
        q: &ast::Query,
        scope: IndexMap<String, Var>,
        unit_ok: bool,
    ) -> BindResult<BoundSub> {
        if q.union_all.iter().any(|a| *a) && q.union_all.iter().any(|a| !*a) {
            return err(
                SemanticKind::InvalidClause,
                "UNION and UNION ALL cannot be mixed",
                q.span,
            );
        }
        let saved_scope = std::mem::replace(&mut self.scope, IndexMap::new());
        let saved_aggs = self.aggs.take();
        let saved_subs = std::mem::take(&mut self.substitutions);
        let saved_local = std::mem::replace(&mut self.in_local, 0);
        let saved_unit = std::mem::replace(&mut self.unit_ok, unit_ok);
        let result = (|| {
            let mut bound = BoundSub {
                parts: Vec::new(),
                columns: Vec::new(),
                outputs: Vec::new(),
                distinct: q.union_all.iter().any(|a| !*a),
                writes: false,
            };
            for (i, part) in q.parts.iter().enumerate() {
                self.scope = scope.clone();
                let (pipeline, cols, outs) = self.bind_single(part)?;
                if i > 0 && cols != bound.columns {
                    return err(
                        SemanticKind::DifferentColumnsInUnion,
                        "every part of a UNION must return the same columns",
                        part.span,
                    );
                }
                bound.writes |= pipeline.ops.iter().any(Op::is_write);
                bound.columns = cols;
                bound.parts.push(pipeline);
                bound.outputs.push(outs);
            }
            Ok(bound)
        })();
        self.scope = saved_scope;
        self.aggs = saved_aggs;
        self.substitutions = saved_subs;
        self.in_local = saved_local;
        self.unit_ok = saved_unit;
        result
    }

    /// `CALL { ... }`: the subquery sees the outer variables its leading `WITH` imports (none
    /// without one); the columns it returns become variables of the outer query, which must
    /// not be bound already.
    fn bind_call_subquery(&mut self, q: &ast::Query, span: Span) -> BindResult<Op> {
        // Each part imports with its own leading WITH; a part without one sees nothing.
        let imports = q.parts.iter().any(|p| {
            p.clauses
                .first()
                .is_some_and(|c| matches!(c.kind, ClauseKind::With(_)))
        });
        let scope = if imports {
            self.scope.clone()
        } else {
            IndexMap::new()
        };
        for part in &q.parts {
            if let Some(ast::Clause {
                kind: ClauseKind::With(p),
                ..
            }) = part.clauses.first()
            {
                let plain = p.items.iter().all(|i| {
                    matches!(&i.expr.kind, ExprKind::Var(v) if i.alias.as_ref().is_none_or(|a| a.name == v.name))
                });
                if !plain
                    || p.where_.is_some()
                    || p.distinct
                    || !p.order_by.is_empty()
                    || p.skip.is_some()
                    || p.limit.is_some()
                {
                    // Not an importing WITH: an ordinary one, over the imported variables only.
                    // Neo4j requires the import to be plain; refuse the rest as it does.
                    return err(
                        SemanticKind::InvalidClause,
                        "the WITH that starts a CALL subquery imports variables: it may only list them",
                        p.span,
                    );
                }
            }
        }
        let bound = self.bind_sub(q, scope, true)?;
        let unit = bound.columns.is_empty();
        let mut targets = Vec::new();
        for name in &bound.columns {
            if self.scope.contains_key(name) {
                return err(
                    SemanticKind::VariableAlreadyBound,
                    format!("variable '{name}' is already defined; the subquery cannot return it"),
                    span,
                );
            }
            let slot = self.slot();
            self.scope.insert(
                name.clone(),
                Var {
                    slot,
                    kind: VarKind::Value,
                },
            );
            targets.push(slot);
        }
        Ok(Op::SubCall(Box::new(CallPlan {
            sub: SubPlan {
                kind: SubKind::Collect,
                parts: bound.parts,
                outputs: bound.outputs,
                distinct: bound.distinct,
            },
            targets,
            unit,
            writes: bound.writes,
        })))
    }

    /// `FOREACH (var IN list | updates)`: the updates see the outer variables and `var`;
    /// what they bind is not visible after.
    fn bind_foreach(
        &mut self,
        var: &Ident,
        list: &ast::Expr,
        clauses: &[ast::Clause],
        span: Span,
    ) -> BindResult<Op> {
        if let Some(c) = clauses.iter().find(|c| {
            !matches!(
                c.kind,
                ClauseKind::Create { .. }
                    | ClauseKind::Merge { .. }
                    | ClauseKind::Set { .. }
                    | ClauseKind::Remove { .. }
                    | ClauseKind::Delete { .. }
                    | ClauseKind::Foreach { .. }
            )
        }) {
            return err(
                SemanticKind::InvalidClause,
                "FOREACH may only hold updating clauses (CREATE, MERGE, SET, REMOVE, DELETE, FOREACH)",
                c.span,
            );
        }
        if has_aggregate(list) {
            return err(
                SemanticKind::InvalidAggregation,
                "FOREACH's list cannot aggregate",
                list.span,
            );
        }
        let list = self.expr(list)?;
        if let Expr::Const(v) = &list {
            if !matches!(v, Value::List(_) | Value::Null) {
                return err(SemanticKind::InvalidArgumentType, "FOREACH needs a list", span);
            }
        }
        let saved = self.scope.clone();
        let saved_unit = std::mem::replace(&mut self.unit_ok, true);
        let result = (|| {
            let slot = self.declare(var, VarKind::Value)?;
            let body = ast::SingleQuery {
                clauses: clauses.to_vec(),
                span,
            };
            let (body, _, _) = self.bind_single(&body)?;
            Ok((slot, body))
        })();
        self.scope = saved;
        self.unit_ok = saved_unit;
        let (slot, body) = result?;
        Ok(Op::Foreach {
            slot,
            list,
            body,
            pos: pos(span),
        })
    }

    /// `EXISTS { ... }`, `COUNT { ... }` or `COLLECT { ... }`: correlated, the outer variables
    /// visible inside; read-only.
    fn bind_subquery_expr(
        &mut self,
        kind: ast::SubqueryKind,
        body: &ast::SubqueryBody,
        span: Span,
    ) -> BindResult<Expr> {
        refuse_subquery_writes(kind, body)?;
        let plan_kind = match kind {
            ast::SubqueryKind::Exists => SubKind::Exists,
            ast::SubqueryKind::Count => SubKind::Count,
            ast::SubqueryKind::Collect => SubKind::Collect,
        };
        let sub = match body {
            ast::SubqueryBody::Patterns { patterns, where_ } => {
                if plan_kind == SubKind::Collect {
                    return err(
                        SemanticKind::InvalidClause,
                        "COLLECT { ... } needs a query that ends with RETURN of one column",
                        span,
                    );
                }
                let saved_scope = self.scope.clone();
                let saved_aggs = self.aggs.take();
                let saved_local = std::mem::replace(&mut self.in_local, 0);
                let mut ops = Vec::new();
                let r = self.bind_match(false, patterns, where_.as_ref(), &mut ops);
                self.scope = saved_scope;
                self.aggs = saved_aggs;
                self.in_local = saved_local;
                r?;
                SubPlan {
                    kind: plan_kind,
                    parts: vec![Pipeline { ops }],
                    outputs: vec![Vec::new()],
                    distinct: false,
                }
            }
            ast::SubqueryBody::Query(q) => {
                let scope = self.scope.clone();
                let bound = self.bind_sub(q, scope, plan_kind != SubKind::Collect)?;
                if plan_kind == SubKind::Collect && bound.columns.len() != 1 {
                    return err(
                        SemanticKind::InvalidClause,
                        "COLLECT { ... } must RETURN exactly one column",
                        span,
                    );
                }
                SubPlan {
                    kind: plan_kind,
                    parts: bound.parts,
                    outputs: bound.outputs,
                    distinct: bound.distinct,
                }
            }
        };
        Ok(Expr::Sub(Box::new(sub)))
    }

    fn require_write(&self, span: Span) -> BindResult<()> {
        if self.resolver.writable() {
            Ok(())
        } else {
            err(
                SemanticKind::ReadOnly,
                "this query writes; run it with Graph::execute, not Graph::query",
                span,
            )
        }
    }

    fn declare(&mut self, var: &Ident, kind: VarKind) -> BindResult<Slot> {
        if self.scope.contains_key(&var.name) {
            return err(
                SemanticKind::VariableAlreadyBound,
                format!("variable '{}' is already defined", var.name),
                var.span,
            );
        }
        let slot = self.slot();
        self.scope.insert(var.name.clone(), Var { slot, kind });
        Ok(slot)
    }

    fn lookup(&self, var: &Ident) -> BindResult<Var> {
        match self.scope.get(&var.name) {
            Some(v) => Ok(*v),
            None => {
                let hint = suggest(&var.name, self.scope.keys().map(String::as_str))
                    .map(|s| format!("; did you mean '{s}'?"))
                    .unwrap_or_default();
                err(
                    SemanticKind::UndefinedVariable,
                    format!("variable '{}' is not defined{hint}", var.name),
                    var.span,
                )
            }
        }
    }

    // ----- patterns -----

    /// Assigns slots to the variables of a pattern part, declaring new ones with `kind`s.
    ///
    /// `before` names the variables bound before the clause: a node variable among them is
    /// bound (`true` in the slots); one declared earlier in the same clause is bound by the
    /// clause's own operators; a relationship variable declared earlier in the same clause
    /// would be matched twice, which Cypher forbids.
    fn part_slots(
        &mut self,
        part: &ast::PatternPart,
        creating: bool,
        before: &[String],
    ) -> BindResult<PartSlots> {
        let mut nodes = Vec::new();
        let mut rels = Vec::new();
        let node_slot = |b: &mut Self, n: &ast::NodePattern| -> BindResult<(Slot, bool)> {
            match &n.var {
                None => Ok((b.slot(), false)),
                Some(v) => match b.scope.get(&v.name).copied() {
                    Some(var) => {
                        if var.kind != VarKind::Node && var.kind != VarKind::Value {
                            return err(
                                SemanticKind::VariableTypeConflict,
                                format!("'{}' is not a node", v.name),
                                v.span,
                            );
                        }
                        let was_bound = before.contains(&v.name);
                        if creating && was_bound && (!n.labels.is_empty() || n.props.is_some()) {
                            return err(
                                SemanticKind::VariableAlreadyBound,
                                format!(
                                    "'{}' is already bound; it cannot be given labels or properties here",
                                    v.name
                                ),
                                v.span,
                            );
                        }
                        Ok((var.slot, was_bound))
                    }
                    None => Ok((b.declare(v, VarKind::Node)?, false)),
                },
            }
        };
        nodes.push(node_slot(self, &part.element.start)?);
        for (rel, node) in &part.element.chain {
            let var_length = rel.length.is_some() || rel.shortest.is_some();
            let kind = if var_length {
                VarKind::RelList
            } else {
                VarKind::Rel
            };
            let r = match &rel.var {
                None => (self.slot(), false),
                Some(v) => match self.scope.get(&v.name).copied() {
                    // A list of relationships bound before (`WITH [r1, r2] AS rs MATCH (a)-[rs*]->(b)`)
                    // is followed as given.
                    Some(var)
                        if var_length
                            && !creating
                            && rel.shortest.is_none()
                            && before.contains(&v.name)
                            && matches!(var.kind, VarKind::RelList | VarKind::Value) =>
                    {
                        (var.slot, true)
                    }
                    Some(_) if creating || var_length => {
                        return err(
                            SemanticKind::VariableAlreadyBound,
                            format!("relationship variable '{}' is already defined", v.name),
                            v.span,
                        );
                    }
                    Some(_) if !before.contains(&v.name) => {
                        return err(
                            SemanticKind::RelationshipUniquenessViolation,
                            format!("relationship variable '{}' is used twice in one pattern", v.name),
                            v.span,
                        );
                    }
                    Some(var) => {
                        if var.kind != VarKind::Rel {
                            return err(
                                SemanticKind::VariableTypeConflict,
                                format!("'{}' is not a relationship", v.name),
                                v.span,
                            );
                        }
                        (var.slot, true)
                    }
                    None => (self.declare(v, kind)?, false),
                },
            };
            rels.push(r);
            nodes.push(node_slot(self, node)?);
        }
        let path = match &part.var {
            None => None,
            Some(v) => Some(self.declare(v, VarKind::Path)?),
        };
        Ok(PartSlots { nodes, rels, path })
    }

    fn node_check(&mut self, n: &ast::NodePattern) -> BindResult<NodeCheck> {
        let labels = n.labels.iter().map(|l| self.resolver.label(&l.name)).collect();
        let mut check = NodeCheck {
            labels,
            ..NodeCheck::default()
        };
        self.props_into(n.props.as_deref(), &mut check.props, &mut check.prop_map)?;
        Ok(check)
    }

    fn props_into(
        &mut self,
        props: Option<&ast::Expr>,
        out: &mut Vec<(Option<KeyId>, Expr)>,
        map: &mut Option<Expr>,
    ) -> BindResult<()> {
        match props.map(|p| &p.kind) {
            None => {}
            Some(ExprKind::Map(entries)) => {
                for (k, v) in entries {
                    let key = self.resolver.key(&k.name);
                    out.push((key, self.expr(v)?));
                }
            }
            Some(_) => {
                if let Some(p) = props {
                    *map = Some(self.expr(p)?);
                }
            }
        }
        Ok(())
    }

    fn rel_types(&mut self, rel: &ast::RelPattern) -> TypeFilter {
        if rel.types.is_empty() {
            TypeFilter(None)
        } else {
            TypeFilter(Some(
                rel.types
                    .iter()
                    .map(|t| self.resolver.rel_type(&t.name))
                    .collect(),
            ))
        }
    }

    fn bind_match(
        &mut self,
        optional: bool,
        patterns: &[ast::PatternPart],
        where_: Option<&ast::Expr>,
        ops: &mut Vec<Op>,
    ) -> BindResult<()> {
        for p in patterns {
            refuse_param_maps(&p.element, "MATCH")?;
        }
        let before: Vec<Slot> = self.scope.values().map(|v| v.slot).collect();
        let names_before: Vec<String> = self.scope.keys().cloned().collect();
        let mut inner = Vec::new();
        let mut rel_slots = Vec::new();
        let mut list_slots = Vec::new();
        // Bind the pattern parts with the WHERE's simple equalities pushed into node checks.
        let mut slots_per_part = Vec::new();
        for p in patterns {
            slots_per_part.push(self.part_slots(p, false, &names_before)?);
        }
        let mut conjuncts: Vec<&ast::Expr> = Vec::new();
        if let Some(w) = where_ {
            if has_aggregate(w) {
                return err(
                    SemanticKind::InvalidAggregation,
                    "aggregations are not allowed in WHERE",
                    w.span,
                );
            }
            split_and(w, &mut conjuncts);
        }
        let mut bound_here: Vec<Slot> = Vec::new();
        let mut match_rels: Vec<Slot> = Vec::new();
        for (p, slots) in patterns.iter().zip(&slots_per_part) {
            self.pattern_ops(
                p,
                slots,
                &mut inner,
                &mut bound_here,
                &mut match_rels,
                &mut conjuncts,
            )?;
            for ((slot, _), rel) in slots.rels.iter().zip(&p.element.chain) {
                let (r, _) = rel;
                if r.length.is_some() || r.shortest.is_some() || p.kind != ast::PathKind::Plain {
                    list_slots.push(*slot);
                } else {
                    rel_slots.push(*slot);
                }
            }
        }
        if rel_slots.len() + list_slots.len() > 1 {
            inner.push(Op::DistinctRels {
                rels: rel_slots,
                lists: list_slots,
            });
        }
        for c in conjuncts {
            let e = self.expr(c)?;
            self.check_boolean(c, &e)?;
            inner.push(Op::Filter(e));
        }
        if optional {
            let nulls = self
                .scope
                .values()
                .map(|v| v.slot)
                .filter(|s| !before.contains(s))
                .collect();
            ops.push(Op::Optional {
                inner: Pipeline { ops: inner },
                nulls,
            });
        } else {
            ops.extend(inner);
        }
        Ok(())
    }

    /// The operators that match one pattern part, starting at its cheaper end.
    fn pattern_ops(
        &mut self,
        p: &ast::PatternPart,
        slots: &PartSlots,
        ops: &mut Vec<Op>,
        bound_here: &mut Vec<Slot>,
        match_rels: &mut Vec<Slot>,
        conjuncts: &mut Vec<&ast::Expr>,
    ) -> BindResult<()> {
        let el = &p.element;
        let mut node_pats: Vec<&ast::NodePattern> = vec![&el.start];
        node_pats.extend(el.chain.iter().map(|(_, n)| n));
        let mut checks = Vec::new();
        for n in &node_pats {
            checks.push(self.node_check(n)?);
        }
        // Slots bound before this part (by earlier clauses or earlier parts of this MATCH).
        let is_bound =
            |i: usize, bound_here: &Vec<Slot>| slots.nodes[i].1 || bound_here.contains(&slots.nodes[i].0);
        let shortest = p.kind != ast::PathKind::Plain || el.chain.iter().any(|(r, _)| r.shortest.is_some());
        // Only a single-hop relationship of a plain pattern binds one relationship whose
        // properties an expand can check.
        let rel_pats: Vec<Option<&ast::RelPattern>> = el
            .chain
            .iter()
            .map(|(r, _)| (!shortest && r.length.is_none()).then_some(r))
            .collect();
        let mut pushed_rel_props: Vec<optimize::RelProps> = vec![Vec::new(); el.chain.len()];
        if self.optimize {
            optimize::push_equalities(
                self,
                &node_pats,
                &rel_pats,
                &mut checks,
                &mut pushed_rel_props,
                conjuncts,
            )?;
        }
        if shortest {
            if el.chain.len() != 1 {
                return err(
                    SemanticKind::InvalidArgument,
                    "a shortest path pattern must have exactly one relationship",
                    p.span,
                );
            }
            let (rel, _) = &el.chain[0];
            let all =
                p.kind == ast::PathKind::AllShortest || rel.shortest == Some(ast::ShortestKind::AllShortest);
            for (i, check) in checks.iter().enumerate().take(2) {
                let (slot, _) = slots.nodes[i];
                let start = if is_bound(i, bound_here) {
                    Start::Bound
                } else {
                    optimize::start_for(self.optimize, check, &self.resolver.name_keys(), self.indexed)
                };
                ops.push(Op::NodeScan {
                    slot,
                    start,
                    check: check.clone(),
                });
                bound_here.push(slot);
            }
            let mut step = Step {
                dir: convert_dir(rel.direction),
                types: self.rel_types(rel),
                rel_props: Vec::new(),
            };
            let mut map = None;
            self.props_into(rel.props.as_deref(), &mut step.rel_props, &mut map)?;
            let range = rel.length.unwrap_or(ast::Range { min: None, max: None });
            let path = match slots.path {
                Some(s) => s,
                None => self.slot(),
            };
            ops.push(Op::ShortestPath {
                from: slots.nodes[0].0,
                to: slots.nodes[1].0,
                path,
                rels: Some(slots.rels[0].0),
                step,
                min: range.min.map_or(1, |m| m as u32),
                max: range
                    .max
                    .map_or(self.max_var_length.max(64), |m| m.min(u32::MAX as u64) as u32),
                all,
            });
            bound_here.push(slots.rels[0].0);
            return Ok(());
        }
        // Choose where to start: a node bound before, else (with the optimiser) the cheapest
        // node anywhere in the chain, else the left end. Then expand to the right end, and from
        // the start back to the left end.
        let n = node_pats.len();
        let anchor = match (0..n).find(|i| is_bound(*i, bound_here)) {
            Some(i) => i,
            None if self.optimize && n > 1 => {
                let name = self.resolver.name_keys();
                (0..n)
                    .min_by_key(|i| (optimize::cost(&checks[*i], &name, self.indexed), *i))
                    .unwrap_or(0)
            }
            None => 0,
        };
        let (first_slot, _) = slots.nodes[anchor];
        let start = if is_bound(anchor, bound_here) {
            Start::Bound
        } else {
            optimize::start_for(
                self.optimize,
                &checks[anchor],
                &self.resolver.name_keys(),
                self.indexed,
            )
        };
        // A scan of many nodes followed by a directed expand may run as one relationship scan.
        let scannable = self.optimize && matches!(start, Start::All | Start::Label(Some(_)));
        let scan_at = ops.len();
        ops.push(Op::NodeScan {
            slot: first_slot,
            start,
            check: checks[anchor].clone(),
        });
        bound_here.push(first_slot);
        // (from node, to node, relationship index, walking against the written direction)
        let steps: Vec<(usize, usize, usize, bool)> = (anchor + 1..n)
            .map(|b| (b - 1, b, b - 1, false))
            .chain((0..anchor).rev().map(|b| (b + 1, b, b, true)))
            .collect();
        for (a, b, rel_index, backwards) in steps {
            let (rel, _) = &el.chain[rel_index];
            let dir = convert_dir(rel.direction);
            let dir = if backwards { flip(dir) } else { dir };
            let (rel_slot, rel_bound) = slots.rels[rel_index];
            let (to_slot, _) = slots.nodes[b];
            let to_bound = is_bound(b, bound_here);
            let types = self.rel_types(rel);
            let mut rel_props = Vec::new();
            let mut rel_map = None;
            self.props_into(rel.props.as_deref(), &mut rel_props, &mut rel_map)?;
            if rel_map.is_some() {
                return err(
                    SemanticKind::InvalidArgument,
                    "a relationship pattern's properties must be a map literal",
                    rel.span,
                );
            }
            if let Some(pushed) = pushed_rel_props.get_mut(rel_index) {
                rel_props.append(pushed);
            }
            // Relationship uniqueness, checked as the pattern grows rather than at its end.
            let exclude = match_rels.clone();
            // A whole-graph scan followed by a directed expand becomes one pass over the
            // relationships.
            let fuse = scannable
                && ops.len() == scan_at + 1
                && rel.length.is_none()
                && dir != Direction::Both
                && !to_bound
                && !rel_bound
                && exclude.is_empty();
            match rel.length {
                None => {
                    let expand = Op::Expand {
                        from: slots.nodes[a].0,
                        rel: rel_slot,
                        to: to_slot,
                        dir,
                        types,
                        rel_props,
                        check: checks[b].clone(),
                        to_bound,
                        rel_bound,
                        exclude,
                    };
                    match (fuse, ops.pop()) {
                        (true, Some(scan)) => ops.push(Op::RelScan {
                            scan: Box::new(scan),
                            expand: Box::new(expand),
                        }),
                        (_, last) => {
                            ops.extend(last);
                            ops.push(expand);
                        }
                    }
                }
                Some(range) => {
                    let min = range.min.unwrap_or(1).min(u32::MAX as u64) as u32;
                    let max = range
                        .max
                        .map_or(self.max_var_length, |m| m.min(u32::MAX as u64) as u32);
                    let reverse_list = || Op::Project {
                        items: vec![(
                            rel_slot,
                            Expr::Call(Func::Reverse, vec![Expr::Slot(rel_slot)], Pos::default()),
                        )],
                        clear: Vec::new(),
                    };
                    if rel_bound && backwards {
                        // A bound list is written left to right; walk it in the order taken.
                        ops.push(reverse_list());
                    }
                    ops.push(Op::VarExpand {
                        from: slots.nodes[a].0,
                        rels: rel_slot,
                        to: to_slot,
                        step: Step {
                            dir,
                            types,
                            rel_props,
                        },
                        min,
                        max,
                        check: checks[b].clone(),
                        to_bound,
                        exclude,
                        rels_bound: rel_bound,
                    });
                    if backwards {
                        // The list must read left to right as written.
                        ops.push(reverse_list());
                    }
                }
            }
            if to_bound {
                ops.push(Op::NodeScan {
                    slot: to_slot,
                    start: Start::Bound,
                    check: checks[b].clone(),
                });
            }
            if !rel_bound {
                match_rels.push(rel_slot);
            }
            bound_here.push(rel_slot);
            bound_here.push(to_slot);
        }
        if let Some(path) = slots.path {
            ops.push(Op::BuildPath {
                slot: path,
                parts: path_parts(el, slots),
            });
        }
        Ok(())
    }

    fn bind_create(&mut self, p: &ast::PatternPart, items: &mut Vec<CreateItem>) -> BindResult<()> {
        if p.kind != ast::PathKind::Plain {
            return err(
                SemanticKind::InvalidClause,
                "CREATE cannot create a shortest path",
                p.span,
            );
        }
        let before: Vec<String> = self.scope.keys().cloned().collect();
        refuse_lone_bound_node(p, &before, "CREATE")?;
        let slots = self.part_slots(p, true, &before)?;
        self.create_items(p, &slots, items, false)
    }

    fn create_items(
        &mut self,
        p: &ast::PatternPart,
        slots: &PartSlots,
        items: &mut Vec<CreateItem>,
        undirected_ok: bool,
    ) -> BindResult<()> {
        let el = &p.element;
        let mut node_pats: Vec<&ast::NodePattern> = vec![&el.start];
        node_pats.extend(el.chain.iter().map(|(_, n)| n));
        let mut created_here: Vec<Slot> = Vec::new();
        for (i, n) in node_pats.iter().enumerate() {
            let (slot, bound) = slots.nodes[i];
            let bound = bound
                || created_here.contains(&slot)
                || items
                    .iter()
                    .any(|it| matches!(it, CreateItem::Node { slot: s, .. } if *s == slot));
            if !bound {
                created_here.push(slot);
            }
            let (props, prop_map) = self.write_props(n.props.as_deref())?;
            let labels = if bound {
                Vec::new()
            } else {
                n.labels
                    .iter()
                    .filter_map(|l| self.resolver.label(&l.name))
                    .collect()
            };
            items.push(CreateItem::Node {
                slot,
                labels,
                props: if bound { Vec::new() } else { props },
                prop_map: if bound { None } else { prop_map },
                bound,
            });
        }
        for (i, (rel, _)) in el.chain.iter().enumerate() {
            if rel.types.len() != 1 {
                return err(
                    SemanticKind::NoSingleRelationshipType,
                    "a relationship to create needs exactly one type",
                    rel.span,
                );
            }
            if rel.length.is_some() || rel.shortest.is_some() {
                return err(
                    SemanticKind::CreatingVarLength,
                    "a variable-length relationship cannot be created",
                    rel.span,
                );
            }
            let (a, b) = (slots.nodes[i].0, slots.nodes[i + 1].0);
            let (from, to) = match rel.direction {
                ast::Direction::Outgoing => (a, b),
                ast::Direction::Incoming => (b, a),
                ast::Direction::Both if undirected_ok => (a, b),
                ast::Direction::Both => {
                    return err(
                        SemanticKind::RequiresDirectedRelationship,
                        "a relationship to create needs a direction",
                        rel.span,
                    )
                }
            };
            let Some(ty) = self.resolver.rel_type(&rel.types[0].name) else {
                return err(
                    SemanticKind::ReadOnly,
                    "cannot create in a read-only query",
                    rel.span,
                );
            };
            let (props, prop_map) = self.write_props(rel.props.as_deref())?;
            items.push(CreateItem::Rel {
                slot: slots.rels[i].0,
                from,
                to,
                ty,
                props,
                prop_map,
            });
        }
        if let Some(path) = slots.path {
            items.push(CreateItem::Path {
                slot: path,
                parts: path_parts(el, slots),
            });
        }
        Ok(())
    }

    fn write_props(&mut self, props: Option<&ast::Expr>) -> BindResult<WriteProps> {
        let mut out = Vec::new();
        let mut map = None;
        match props.map(|p| &p.kind) {
            None => {}
            Some(ExprKind::Map(entries)) => {
                for (k, v) in entries {
                    if let Some(key) = self.resolver.key(&k.name) {
                        out.push((key, self.expr(v)?));
                    }
                }
            }
            Some(_) => {
                if let Some(p) = props {
                    map = Some(self.expr(p)?);
                }
            }
        }
        Ok((out, map))
    }

    fn bind_merge(&mut self, p: &ast::PatternPart, actions: &[ast::MergeAction]) -> BindResult<Op> {
        refuse_param_maps(&p.element, "MERGE")?;
        if p.kind != ast::PathKind::Plain {
            return err(
                SemanticKind::InvalidClause,
                "MERGE cannot merge a shortest path",
                p.span,
            );
        }
        for (rel, _) in &p.element.chain {
            if rel.types.len() != 1 {
                return err(
                    SemanticKind::NoSingleRelationshipType,
                    "a relationship to merge needs exactly one type",
                    rel.span,
                );
            }
            if rel.length.is_some() {
                return err(
                    SemanticKind::CreatingVarLength,
                    "a variable-length relationship cannot be merged",
                    rel.span,
                );
            }
        }
        let before: Vec<String> = self.scope.keys().cloned().collect();
        refuse_lone_bound_node(p, &before, "MERGE")?;
        let slots = self.part_slots(p, false, &before)?;
        for (i, n) in std::iter::once(&p.element.start)
            .chain(p.element.chain.iter().map(|(_, n)| n))
            .enumerate()
        {
            if slots.nodes[i].1 && (!n.labels.is_empty() || n.props.is_some()) {
                if let Some(v) = &n.var {
                    return err(
                        SemanticKind::VariableAlreadyBound,
                        format!(
                            "'{}' is already bound; MERGE cannot add labels or properties to it",
                            v.name
                        ),
                        v.span,
                    );
                }
            }
            if let Some(props) = &n.props {
                if let ExprKind::Map(entries) = &props.kind {
                    for (_, v) in entries {
                        if matches!(v.kind, ExprKind::Literal(Literal::Null)) {
                            return err(
                                SemanticKind::MergeReadOwnWrites,
                                "MERGE cannot match on a null property",
                                v.span,
                            );
                        }
                    }
                }
            }
        }
        let mut matcher = Vec::new();
        let mut bound_here = Vec::new();
        let mut no_conjuncts = Vec::new();
        self.pattern_ops(
            p,
            &slots,
            &mut matcher,
            &mut bound_here,
            &mut Vec::new(),
            &mut no_conjuncts,
        )?;
        let rels: Vec<Slot> = slots.rels.iter().map(|(s, _)| *s).collect();
        if rels.len() > 1 {
            matcher.push(Op::DistinctRels {
                rels,
                lists: Vec::new(),
            });
        }
        let mut create = Vec::new();
        // For creation, nodes bound before the MERGE stay; the others are created.
        let create_slots = PartSlots {
            nodes: slots.nodes.clone(),
            rels: slots.rels.clone(),
            path: slots.path,
        };
        self.create_items(p, &create_slots, &mut create, true)?;
        let mut on_create = Vec::new();
        let mut on_match = Vec::new();
        for a in actions {
            for item in &a.items {
                let bound = self.set_item(item)?;
                if a.on_create {
                    on_create.push(bound);
                } else {
                    on_match.push(bound);
                }
            }
        }
        Ok(Op::Merge(Box::new(MergePlan {
            matcher: Pipeline { ops: matcher },
            create,
            on_create,
            on_match,
        })))
    }

    fn entity_slot(&self, var: &Ident) -> BindResult<Slot> {
        let v = self.lookup(var)?;
        match v.kind {
            VarKind::Node | VarKind::Rel | VarKind::Value => Ok(v.slot),
            _ => err(
                SemanticKind::VariableTypeConflict,
                format!("'{}' is not a node or relationship", var.name),
                var.span,
            ),
        }
    }

    fn set_item(&mut self, item: &ast::SetItem) -> BindResult<SetItem> {
        Ok(match item {
            ast::SetItem::Property { base, key, value, .. } => SetItem::Prop {
                target: self.expr(base)?,
                key: self.write_key(key)?,
                value: self.expr(value)?,
            },
            ast::SetItem::Replace { var, value, .. } => SetItem::Map {
                target: self.entity_slot(var)?,
                value: self.expr(value)?,
                replace: true,
            },
            ast::SetItem::Merge { var, value, .. } => SetItem::Map {
                target: self.entity_slot(var)?,
                value: self.expr(value)?,
                replace: false,
            },
            ast::SetItem::Labels { var, labels, .. } => SetItem::Labels {
                target: self.entity_slot(var)?,
                labels: labels
                    .iter()
                    .filter_map(|l| self.resolver.label(&l.name))
                    .collect(),
            },
        })
    }

    fn write_key(&mut self, key: &Ident) -> BindResult<KeyId> {
        match self.resolver.key(&key.name) {
            Some(k) => Ok(k),
            None => err(
                SemanticKind::ReadOnly,
                "cannot write in a read-only query",
                key.span,
            ),
        }
    }

    fn remove_item(&mut self, item: &ast::RemoveItem) -> BindResult<RemoveItem> {
        Ok(match item {
            ast::RemoveItem::Property { base, key, .. } => RemoveItem::Prop {
                target: self.expr(base)?,
                key: self.resolver.key(&key.name),
            },
            ast::RemoveItem::Labels { var, labels, .. } => RemoveItem::Labels {
                target: self.entity_slot(var)?,
                labels: labels.iter().map(|l| self.resolver.label(&l.name)).collect(),
            },
        })
    }

    // ----- projections -----

    fn column_name(&self, item: &ast::ProjItem) -> String {
        match &item.alias {
            Some(a) => a.name.clone(),
            None => match &item.expr.kind {
                ExprKind::Var(v) => v.name.clone(),
                _ => self
                    .text
                    .get(item.expr.span.start as usize..item.expr.span.end as usize)
                    .map_or_else(|| item.expr.to_string(), |s| s.trim().to_owned()),
            },
        }
    }

    fn bind_projection(
        &mut self,
        p: &ast::Projection,
        is_return: bool,
        ops: &mut Vec<Op>,
    ) -> BindResult<(Vec<String>, Vec<Slot>)> {
        // The items: `*` first (every named variable in scope, by name), then the listed ones.
        let mut items: Vec<(String, Option<&ast::Expr>, Option<Var>, Span)> = Vec::new();
        if p.star {
            let mut vars: Vec<(String, Var)> = self.scope.iter().map(|(k, v)| (k.clone(), *v)).collect();
            vars.sort_by(|a, b| a.0.cmp(&b.0));
            if vars.is_empty() && p.items.is_empty() && is_return {
                return err(
                    SemanticKind::NoVariablesInScope,
                    "RETURN * needs variables in scope",
                    p.span,
                );
            }
            for (name, var) in vars {
                items.push((name, None, Some(var), p.span));
            }
        }
        for item in &p.items {
            if !is_return && item.alias.is_none() && !matches!(item.expr.kind, ExprKind::Var(_)) {
                return err(
                    SemanticKind::NoExpressionAlias,
                    "an expression in WITH must be aliased (use AS)",
                    item.expr.span,
                );
            }
            items.push((self.column_name(item), Some(&item.expr), None, item.span));
        }
        for (i, (name, ..)) in items.iter().enumerate() {
            if items[..i].iter().any(|(n, ..)| n == name) {
                return err(
                    SemanticKind::ColumnNameConflict,
                    format!("column '{name}' appears twice"),
                    items[i].3,
                );
            }
        }
        let aggregating = items.iter().any(|(_, e, ..)| e.is_some_and(has_aggregate));
        let mut out_slots = Vec::new();
        let mut new_scope: IndexMap<String, Var> = IndexMap::new();
        // Without aggregation: one projection. With it: grouping keys, aggregates, and the
        // expressions over aggregates (computed after the aggregation).
        let mut keys = Vec::new();
        let mut post = Vec::new();
        let mut proj = Vec::new();
        if aggregating {
            self.aggs = Some(Vec::new());
        }
        for (name, e, var, _) in &items {
            let slot = self.slot();
            let kind = match (e.map(|e| &e.kind), var) {
                (Some(ExprKind::Var(id)), _) => self.scope.get(&id.name).map_or(VarKind::Value, |v| v.kind),
                (None, Some(v)) => v.kind,
                _ => VarKind::Value,
            };
            let bound = match (e, var) {
                (Some(e), _) => self.expr(e),
                (None, Some(v)) => Ok(Expr::Slot(v.slot)),
                (None, None) => Ok(Expr::Const(Value::Null)),
            };
            let bound = match bound {
                Ok(b) => b,
                Err(x) => {
                    self.aggs = None;
                    return Err(x);
                }
            };
            if aggregating && e.is_some_and(has_aggregate) {
                post.push((slot, bound));
            } else if aggregating {
                keys.push((slot, bound));
            } else {
                proj.push((slot, bound));
            }
            new_scope.insert(name.clone(), Var { slot, kind });
            out_slots.push(slot);
        }
        // An aggregating item, or a sort key over aggregates, may read outside its aggregates
        // only grouping keys.
        let key_exprs: Vec<&ast::Expr> = items
            .iter()
            .filter_map(|(_, e, ..)| e.filter(|e| !has_aggregate(e)))
            .collect();
        if aggregating {
            for (_, e, ..) in &items {
                if let Some(e) = e.filter(|e| has_aggregate(e)) {
                    check_grouping(e, &key_exprs, &[])?;
                }
            }
            // A sort key may also name a column by its alias.
            let aliases: Vec<&str> = items.iter().map(|(name, ..)| name.as_str()).collect();
            for s in &p.order_by {
                let projected = items.iter().any(|(_, e, ..)| e.is_some_and(|e| *e == s.expr));
                if !projected && has_aggregate(&s.expr) {
                    check_grouping(&s.expr, &key_exprs, &aliases)?;
                }
            }
        }
        let substitutions: Vec<(ast::Expr, Slot)> = items
            .iter()
            .zip(&out_slots)
            .filter_map(|((_, e, ..), slot)| e.map(|e| ((*e).clone(), *slot)))
            .collect();
        // ORDER BY sees the new names, and (without DISTINCT or aggregation) the old ones too;
        // so does the WHERE of a WITH.
        let old_scope = std::mem::take(&mut self.scope);
        let mut sort_scope = if aggregating || p.distinct {
            IndexMap::new()
        } else {
            old_scope.clone()
        };
        for (k, v) in &new_scope {
            sort_scope.insert(k.clone(), *v);
        }
        let mut sort_keys = Vec::new();
        for s in &p.order_by {
            // An ORDER BY expression equal to a projected one reads the projection.
            let same = items
                .iter()
                .zip(&out_slots)
                .find(|((_, e, ..), _)| e.is_some_and(|e| *e == s.expr))
                .map(|(_, slot)| *slot);
            self.scope = sort_scope.clone();
            self.substitutions = substitutions.clone();
            let bound = match same {
                Some(slot) => Ok(Expr::Slot(slot)),
                None => self.expr(&s.expr),
            };
            self.substitutions.clear();
            match bound {
                Ok(e) => sort_keys.push((e, s.descending)),
                Err(x) => {
                    self.aggs = None;
                    self.scope = old_scope;
                    return Err(x);
                }
            }
        }
        self.scope = old_scope;
        if aggregating {
            let aggs = self.aggs.take().unwrap_or_default();
            ops.push(Op::Aggregate {
                keys,
                aggs,
                clear: Vec::new(),
            });
            if !post.is_empty() {
                ops.push(Op::Project {
                    items: post,
                    clear: Vec::new(),
                });
            }
        } else {
            ops.push(Op::Project {
                items: proj,
                clear: Vec::new(),
            });
            if p.distinct {
                ops.push(Op::Distinct {
                    slots: out_slots.clone(),
                });
            }
        }
        let skip = p.skip.as_ref().map(|e| self.count_expr(e, "SKIP")).transpose()?;
        let limit = p
            .limit
            .as_ref()
            .map(|e| self.count_expr(e, "LIMIT"))
            .transpose()?;
        match (sort_keys.is_empty(), &limit) {
            (true, _) => {}
            (false, Some(l)) if self.optimize && skip.is_none() => ops.push(Op::TopK {
                keys: sort_keys,
                limit: l.clone(),
            }),
            (false, _) => ops.push(Op::Sort { keys: sort_keys }),
        }
        let sorted_topk = matches!(ops.last(), Some(Op::TopK { .. }));
        if let Some(s) = skip {
            ops.push(Op::Skip(s));
        }
        if let Some(l) = limit {
            if !sorted_topk {
                ops.push(Op::Limit(l));
            }
        }
        if let Some(w) = &p.where_ {
            if has_aggregate(w) {
                return err(
                    SemanticKind::InvalidAggregation,
                    "aggregations are not allowed in WHERE",
                    w.span,
                );
            }
            self.scope = sort_scope;
            self.substitutions = substitutions;
            let e = self.expr(w).and_then(|b| self.check_boolean(w, &b).map(|()| b));
            self.substitutions.clear();
            self.scope = IndexMap::new();
            ops.push(Op::Filter(e?));
        }
        self.scope = new_scope;
        let names = items.into_iter().map(|(n, ..)| n).collect();
        Ok((names, out_slots))
    }

    fn count_expr(&mut self, e: &ast::Expr, what: &str) -> BindResult<Expr> {
        let saved = std::mem::take(&mut self.scope);
        let bound = self.expr(e);
        self.scope = saved;
        let bound = match bound {
            Ok(b) => b,
            Err(_) => {
                return err(
                    SemanticKind::NonConstantExpression,
                    format!("{what} must be a constant or a parameter"),
                    e.span,
                )
            }
        };
        // A parameter's value is known when the statement is bound: it is checked as a literal.
        let value = match &bound {
            Expr::Param(name) => self.params.get(&**name).cloned().map(Expr::Const),
            _ => None,
        };
        match value.as_ref().unwrap_or(&bound) {
            Expr::Const(Value::Int(i)) if *i < 0 => err(
                SemanticKind::NegativeIntegerArgument,
                format!("{what} must not be negative"),
                e.span,
            ),
            Expr::Const(Value::Float(_)) => err(
                SemanticKind::InvalidArgumentType,
                format!("{what} must be an integer"),
                e.span,
            ),
            _ => Ok(bound),
        }
    }

    // ----- expressions -----

    pub(crate) fn expr(&mut self, e: &ast::Expr) -> BindResult<Expr> {
        // After a projection, an expression equal to a projected one reads its column.
        if !matches!(e.kind, ExprKind::Var(_)) {
            if let Some((_, slot)) = self.substitutions.iter().find(|(x, _)| x == e) {
                return Ok(Expr::Slot(*slot));
            }
        }
        if Self::is_complex(e) {
            self.expr_complex(e)
        } else {
            self.expr_simple(e)
        }
    }

    /// The expressions bound by `expr_complex`. The binder recurses once per level of the
    /// syntax tree; splitting its big match keeps each frame small, so the deepest tree the
    /// parser accepts binds on a 2 MiB stack even in a debug build.
    fn is_complex(e: &ast::Expr) -> bool {
        matches!(
            e.kind,
            ExprKind::Case { .. }
                | ExprKind::ListComp { .. }
                | ExprKind::Quantifier { .. }
                | ExprKind::Reduce { .. }
                | ExprKind::Pattern(_)
                | ExprKind::PatternComp { .. }
                | ExprKind::MapProjection { .. }
                | ExprKind::FnCall { .. }
                | ExprKind::CountStar
                | ExprKind::Property { .. }
                | ExprKind::Compare { .. }
                | ExprKind::Subquery { .. }
        )
    }

    #[inline(never)]
    fn expr_simple(&mut self, e: &ast::Expr) -> BindResult<Expr> {
        let p = pos(e.span);
        Ok(match &e.kind {
            ExprKind::Literal(l) => Expr::Const(match l {
                Literal::Null => Value::Null,
                Literal::Bool(b) => Value::Bool(*b),
                Literal::Integer(i) => Value::Int(*i),
                Literal::Float(f) => Value::Float(*f),
                Literal::String(s) => Value::from(s.as_str()),
            }),
            ExprKind::Param(name) => {
                if !self.params.contains_key(name) {
                    return err(
                        SemanticKind::ParameterMissing,
                        format!("parameter ${name} was not given"),
                        e.span,
                    );
                }
                Expr::Param(Arc::from(name.as_str()))
            }
            ExprKind::Var(v) => Expr::Slot(self.lookup(v)?.slot),
            ExprKind::Index { base, index } => {
                Expr::Index(Box::new(self.expr(base)?), Box::new(self.expr(index)?), p)
            }
            ExprKind::Slice { base, from, to } => Expr::Slice(
                Box::new(self.expr(base)?),
                from.as_ref().map(|f| self.expr(f).map(Box::new)).transpose()?,
                to.as_ref().map(|t| self.expr(t).map(Box::new)).transpose()?,
                p,
            ),
            ExprKind::HasLabels { base, labels } => Expr::HasLabels(
                Box::new(self.expr(base)?),
                labels.iter().map(|l| self.resolver.label(&l.name)).collect(),
            ),
            ExprKind::Unary { op, operand } => {
                let inner = self.expr(operand)?;
                match op {
                    ast::UnaryOp::Not => {
                        self.check_boolean(operand, &inner)?;
                        Expr::Not(Box::new(inner))
                    }
                    ast::UnaryOp::Neg => match inner {
                        Expr::Const(Value::Int(i)) if i.checked_neg().is_some() => {
                            Expr::Const(Value::Int(-i))
                        }
                        Expr::Const(Value::Float(f)) => Expr::Const(Value::Float(-f)),
                        other => Expr::Neg(Box::new(other), p),
                    },
                    ast::UnaryOp::Plus => inner,
                }
            }
            ExprKind::Binary { op, lhs, rhs } => {
                let (l, r) = (Box::new(self.expr(lhs)?), Box::new(self.expr(rhs)?));
                if !matches!(op, ast::BinaryOp::Or | ast::BinaryOp::And | ast::BinaryOp::Xor) {
                    self.check_arithmetic(*op, lhs, &l)?;
                    self.check_arithmetic(*op, rhs, &r)?;
                }
                if matches!(op, ast::BinaryOp::Or | ast::BinaryOp::And | ast::BinaryOp::Xor) {
                    self.check_boolean(lhs, &l)?;
                    self.check_boolean(rhs, &r)?;
                }
                match op {
                    ast::BinaryOp::Or => Expr::Or(l, r),
                    ast::BinaryOp::Xor => Expr::Xor(l, r),
                    ast::BinaryOp::And => Expr::And(l, r),
                    ast::BinaryOp::Add => Expr::Arith(ArithOp::Add, l, r, p),
                    ast::BinaryOp::Sub => Expr::Arith(ArithOp::Sub, l, r, p),
                    ast::BinaryOp::Mul => Expr::Arith(ArithOp::Mul, l, r, p),
                    ast::BinaryOp::Div => Expr::Arith(ArithOp::Div, l, r, p),
                    ast::BinaryOp::Mod => Expr::Arith(ArithOp::Mod, l, r, p),
                    ast::BinaryOp::Pow => Expr::Arith(ArithOp::Pow, l, r, p),
                }
            }
            ExprKind::IsNull { expr, negated } => Expr::IsNull(Box::new(self.expr(expr)?), *negated),
            ExprKind::In { lhs, rhs } => Expr::In(Box::new(self.expr(lhs)?), Box::new(self.expr(rhs)?), p),
            ExprKind::StringOp { op, lhs, rhs } => Expr::Str(
                match op {
                    ast::StringOp::StartsWith => StrOp::StartsWith,
                    ast::StringOp::EndsWith => StrOp::EndsWith,
                    ast::StringOp::Contains => StrOp::Contains,
                },
                Box::new(self.expr(lhs)?),
                Box::new(self.expr(rhs)?),
            ),
            ExprKind::Regex { lhs, rhs } => {
                Expr::Regex(Box::new(self.expr(lhs)?), Box::new(self.expr(rhs)?), p)
            }
            ExprKind::List(items) => {
                // Plain loops: iterator adapters would add stack frames per nesting level.
                let mut bound = Vec::with_capacity(items.len());
                for i in items {
                    bound.push(self.expr(i)?);
                }
                if bound.iter().all(|i| matches!(i, Expr::Const(_))) {
                    let mut values = Vec::with_capacity(bound.len());
                    for i in bound {
                        if let Expr::Const(v) = i {
                            values.push(v);
                        }
                    }
                    Expr::Const(Value::List(values))
                } else {
                    Expr::List(bound)
                }
            }
            ExprKind::Map(entries) => {
                let mut bound = Vec::with_capacity(entries.len());
                for (k, v) in entries {
                    bound.push((Arc::from(k.name.as_str()), self.expr(v)?));
                }
                Expr::Map(bound)
            }
            _ => {
                return err(
                    SemanticKind::InvalidArgument,
                    "expression routed to the wrong binder",
                    e.span,
                )
            }
        })
    }

    #[inline(never)]
    fn expr_complex(&mut self, e: &ast::Expr) -> BindResult<Expr> {
        let p = pos(e.span);
        Ok(match &e.kind {
            ExprKind::Property { base, key } => {
                if let ExprKind::Var(v) = &base.kind {
                    if let Some(var) = self.scope.get(&v.name) {
                        if matches!(var.kind, VarKind::Path | VarKind::RelList) {
                            return err(
                                SemanticKind::InvalidArgumentType,
                                format!(
                                    "'{}' is a path or a list of relationships; it has no properties",
                                    v.name
                                ),
                                e.span,
                            );
                        }
                    }
                }
                let b = self.expr(base)?;
                let k = self.resolver.key(&key.name);
                Expr::Prop(Box::new(b), Arc::from(key.name.as_str()), k)
            }
            ExprKind::CountStar => self.aggregate(AggFn::CountStar, false, &[], e.span)?,
            ExprKind::FnCall {
                namespace,
                name,
                distinct,
                args,
            } => self.call(namespace, name, *distinct, args, e.span)?,
            ExprKind::Compare { first, rest } => {
                let mut operands = vec![self.expr(first)?];
                let mut ops = Vec::with_capacity(rest.len());
                for (op, right) in rest {
                    operands.push(self.expr(right)?);
                    ops.push(match op {
                        ast::CmpOp::Eq => CmpOp::Eq,
                        ast::CmpOp::Ne => CmpOp::Ne,
                        ast::CmpOp::Lt => CmpOp::Lt,
                        ast::CmpOp::Le => CmpOp::Le,
                        ast::CmpOp::Gt => CmpOp::Gt,
                        ast::CmpOp::Ge => CmpOp::Ge,
                    });
                }
                match (operands.len(), ops.first()) {
                    (2, Some(op)) => {
                        let b = operands.pop().unwrap_or(Expr::Const(Value::Null));
                        let a = operands.pop().unwrap_or(Expr::Const(Value::Null));
                        Expr::Cmp(*op, Box::new(a), Box::new(b))
                    }
                    // `a < b < c` is `a < b AND b < c`, kept flat so a long chain needs no stack.
                    _ => Expr::CmpChain(operands, ops),
                }
            }
            ExprKind::Case {
                operand,
                whens,
                else_,
            } => Expr::Case {
                operand: operand.as_ref().map(|o| self.expr(o).map(Box::new)).transpose()?,
                whens: whens
                    .iter()
                    .map(|(w, t)| Ok((self.expr(w)?, self.expr(t)?)))
                    .collect::<BindResult<_>>()?,
                otherwise: else_.as_ref().map(|x| self.expr(x).map(Box::new)).transpose()?,
            },
            ExprKind::ListComp {
                var,
                list,
                where_,
                map,
            } => {
                let list = self.expr(list)?;
                let (slot, saved) = self.push_local(var);
                let known = literal_item_type(&list).map(|t| self.known_types.push((slot, t)));
                let pred = where_.as_ref().map(|w| self.expr(w).map(Box::new)).transpose();
                let mapped = map.as_ref().map(|m| self.expr(m).map(Box::new)).transpose();
                if known.is_some() {
                    self.known_types.pop();
                }
                self.pop_local(var, saved);
                Expr::ListComp {
                    var: slot,
                    list: Box::new(list),
                    pred: pred?,
                    map: mapped?,
                    pos: p,
                }
            }
            ExprKind::Quantifier {
                kind,
                var,
                list,
                where_,
            } => {
                let list = self.expr(list)?;
                let (slot, saved) = self.push_local(var);
                let known = literal_item_type(&list).map(|t| self.known_types.push((slot, t)));
                let pred = match where_ {
                    Some(w) => self.expr(w),
                    None => Ok(Expr::Const(Value::Bool(true))),
                };
                if known.is_some() {
                    self.known_types.pop();
                }
                self.pop_local(var, saved);
                Expr::Quant {
                    kind: match kind {
                        ast::QuantifierKind::All => Quantifier::All,
                        ast::QuantifierKind::Any => Quantifier::Any,
                        ast::QuantifierKind::None => Quantifier::None,
                        ast::QuantifierKind::Single => Quantifier::Single,
                    },
                    var: slot,
                    list: Box::new(list),
                    pred: Box::new(pred?),
                    pos: p,
                }
            }
            ExprKind::Reduce {
                acc,
                init,
                var,
                list,
                expr,
            } => {
                let init = self.expr(init)?;
                let list = self.expr(list)?;
                let (acc_slot, saved_acc) = self.push_local(acc);
                let (var_slot, saved_var) = self.push_local(var);
                let body = self.expr(expr);
                self.pop_local(var, saved_var);
                self.pop_local(acc, saved_acc);
                Expr::Reduce {
                    acc: acc_slot,
                    init: Box::new(init),
                    var: var_slot,
                    list: Box::new(list),
                    expr: Box::new(body?),
                    pos: p,
                }
            }
            ExprKind::Pattern(el) => Expr::Exists(Box::new(self.sub_pattern(None, el, None)?.0)),
            ExprKind::PatternComp {
                var,
                pattern,
                where_,
                map,
            } => {
                let (pipeline, map) =
                    self.sub_pattern(var.as_ref(), pattern, Some((where_.as_deref(), map)))?;
                Expr::PatternComp(
                    Box::new(pipeline),
                    Box::new(map.unwrap_or(Expr::Const(Value::Null))),
                )
            }
            ExprKind::MapProjection { var, items } => {
                let base = Expr::Slot(self.lookup(var)?.slot);
                let mut out = Vec::new();
                for item in items {
                    out.push(match item {
                        ast::MapProjItem::Property(k) => {
                            MapProjItem::Property(Arc::from(k.name.as_str()), self.resolver.key(&k.name))
                        }
                        ast::MapProjItem::Literal(k, e) => {
                            MapProjItem::Entry(Arc::from(k.name.as_str()), self.expr(e)?)
                        }
                        ast::MapProjItem::Var(v) => {
                            MapProjItem::Entry(Arc::from(v.name.as_str()), Expr::Slot(self.lookup(v)?.slot))
                        }
                        ast::MapProjItem::AllProps => MapProjItem::AllProperties,
                    });
                }
                Expr::MapProj(Box::new(base), out, p)
            }
            ExprKind::Subquery { kind, body } => return self.bind_subquery_expr(*kind, body, e.span),
            _ => {
                return err(
                    SemanticKind::InvalidArgument,
                    "expression routed to the wrong binder",
                    e.span,
                )
            }
        })
    }

    /// Binds a pattern used inside an expression (predicate or comprehension): its new
    /// variables live only inside it.
    fn sub_pattern(
        &mut self,
        path_var: Option<&Ident>,
        el: &ast::PatternElement,
        comp: Option<(Option<&ast::Expr>, &ast::Expr)>,
    ) -> BindResult<(Pipeline, Option<Expr>)> {
        refuse_param_maps(el, "a pattern expression")?;
        let saved = self.scope.clone();
        let saved_aggs = self.aggs.take();
        let part = ast::PatternPart {
            var: path_var.cloned(),
            kind: ast::PathKind::Plain,
            element: el.clone(),
            span: el.span,
        };
        if comp.is_none() {
            // A pattern predicate may not introduce new named variables.
            for n in std::iter::once(&el.start).chain(el.chain.iter().map(|(_, n)| n)) {
                if let Some(v) = &n.var {
                    if !self.scope.contains_key(&v.name) {
                        self.scope = saved;
                        self.aggs = saved_aggs;
                        return err(
                            SemanticKind::UndefinedVariable,
                            format!(
                                "variable '{}' is not defined (a pattern predicate cannot introduce one)",
                                v.name
                            ),
                            v.span,
                        );
                    }
                }
            }
        }
        let result = (|| {
            let before: Vec<String> = self.scope.keys().cloned().collect();
            let slots = self.part_slots(&part, false, &before)?;
            let mut ops = Vec::new();
            let mut bound_here = Vec::new();
            let mut conjuncts = Vec::new();
            self.pattern_ops(
                &part,
                &slots,
                &mut ops,
                &mut bound_here,
                &mut Vec::new(),
                &mut conjuncts,
            )?;
            let rels: Vec<Slot> = slots.rels.iter().map(|(s, _)| *s).collect();
            if rels.len() > 1 {
                let lists: Vec<Slot> = el
                    .chain
                    .iter()
                    .zip(&rels)
                    .filter(|((r, _), _)| r.length.is_some())
                    .map(|(_, s)| *s)
                    .collect();
                let singles = rels.iter().copied().filter(|s| !lists.contains(s)).collect();
                ops.push(Op::DistinctRels { rels: singles, lists });
            }
            let mut map = None;
            if let Some((where_, m)) = comp {
                if let Some(w) = where_ {
                    let e = self.expr(w)?;
                    ops.push(Op::Filter(e));
                }
                map = Some(self.expr(m)?);
            }
            Ok((Pipeline { ops }, map))
        })();
        self.scope = saved;
        self.aggs = saved_aggs;
        result
    }

    /// A literal that cannot be a boolean, or a node, relationship or path variable, where a
    /// boolean is required is an error before anything runs.
    fn check_boolean(&self, ast: &ast::Expr, bound: &Expr) -> BindResult<()> {
        let bad = match bound {
            Expr::Const(v) => !matches!(v, Value::Bool(_) | Value::Null),
            Expr::List(_) | Expr::Map(_) => true,
            _ => match &ast.kind {
                ExprKind::Var(v) => self.scope.get(&v.name).is_some_and(|v| {
                    matches!(
                        v.kind,
                        VarKind::Node | VarKind::Rel | VarKind::Path | VarKind::RelList
                    )
                }),
                _ => false,
            },
        };
        if bad {
            err(
                SemanticKind::InvalidArgumentType,
                "a boolean is required here",
                ast.span,
            )
        } else {
            Ok(())
        }
    }

    /// An operand of arithmetic whose type is known before running (a literal, or a local
    /// variable over a literal list) and that the operator refuses is an error now: `-`, `*`,
    /// `/`, `%` and `^` take numbers (and temporal values, never literals here); `+` also
    /// takes strings and lists.
    fn check_arithmetic(&self, op: ast::BinaryOp, ast: &ast::Expr, bound: &Expr) -> BindResult<()> {
        let t = match bound {
            Expr::Const(v @ (Value::String(_) | Value::Bool(_) | Value::List(_) | Value::Map(_))) => {
                v.type_name()
            }
            Expr::Slot(s) => match self.known_types.iter().rev().find(|(k, _)| k == s) {
                Some((_, t)) => t,
                None => return Ok(()),
            },
            _ => return Ok(()),
        };
        let fine = op == ast::BinaryOp::Add
            && matches!(bound, Expr::Const(Value::String(_) | Value::List(_)))
            || op == ast::BinaryOp::Add && matches!(bound, Expr::Slot(_)) && (t == "String" || t == "List");
        if fine {
            return Ok(());
        }
        err(
            SemanticKind::InvalidArgumentType,
            format!("arithmetic cannot take a {t} here"),
            ast.span,
        )
    }

    fn push_local(&mut self, var: &Ident) -> (Slot, Option<Var>) {
        self.in_local += 1;
        let slot = self.slot();
        let saved = self.scope.insert(
            var.name.clone(),
            Var {
                slot,
                kind: VarKind::Value,
            },
        );
        (slot, saved)
    }

    fn pop_local(&mut self, var: &Ident, saved: Option<Var>) {
        self.in_local = self.in_local.saturating_sub(1);
        match saved {
            Some(v) => {
                self.scope.insert(var.name.clone(), v);
            }
            None => {
                self.scope.shift_remove(&var.name);
            }
        }
    }

    fn aggregate(&mut self, f: AggFn, distinct: bool, args: &[ast::Expr], span: Span) -> BindResult<Expr> {
        if self.in_local > 0 {
            return err(
                SemanticKind::InvalidAggregation,
                "aggregate functions are not allowed inside a list comprehension, quantifier or reduce",
                span,
            );
        }
        if args.iter().any(calls_rand) {
            return err(
                SemanticKind::NonConstantExpression,
                "an aggregate cannot take a random value (rand())",
                span,
            );
        }
        let Some(mut aggs) = self.aggs.take() else {
            return err(
                SemanticKind::InvalidAggregation,
                "aggregate functions are only allowed in WITH and RETURN",
                span,
            );
        };
        let bound: BindResult<Vec<Expr>> = args
            .iter()
            .map(|a| {
                if has_aggregate(a) {
                    err(
                        SemanticKind::NestedAggregation,
                        "aggregations cannot be nested",
                        a.span,
                    )
                } else {
                    self.expr(a)
                }
            })
            .collect();
        let bound = match bound {
            Ok(b) => b,
            Err(e) => {
                self.aggs = Some(aggs);
                return Err(e);
            }
        };
        let slot = self.slot();
        aggs.push((slot, f, distinct, bound));
        self.aggs = Some(aggs);
        Ok(Expr::Slot(slot))
    }

    fn call(
        &mut self,
        namespace: &[Ident],
        name: &Ident,
        distinct: bool,
        args: &[ast::Expr],
        span: Span,
    ) -> BindResult<Expr> {
        let full = namespace
            .iter()
            .map(|n| n.name.as_str())
            .chain(std::iter::once(name.name.as_str()))
            .collect::<Vec<_>>()
            .join(".");
        let lower = full.to_lowercase();
        if let Some((_, f, n)) = AGGREGATES.iter().find(|(n, ..)| *n == lower) {
            if args.len() != *n {
                return err(
                    SemanticKind::InvalidNumberOfArguments,
                    format!("{full}() takes {n} argument(s), got {}", args.len()),
                    span,
                );
            }
            return self.aggregate(*f, distinct, args, span);
        }
        let Some((_, f, min, max)) = FUNCTIONS.iter().find(|(n, ..)| *n == lower) else {
            let hint = suggest(&full, SPELLINGS.iter().copied())
                .map(|s| format!("; did you mean '{s}'?"))
                .unwrap_or_default();
            return err(
                SemanticKind::UnknownFunction,
                format!("unknown function '{full}'{hint}"),
                name.span,
            );
        };
        if args.len() < *min || args.len() > *max {
            return err(
                SemanticKind::InvalidNumberOfArguments,
                format!(
                    "{full}() takes {} argument(s), got {}",
                    if min == max {
                        min.to_string()
                    } else {
                        format!("{min} to {max}")
                    },
                    args.len()
                ),
                span,
            );
        }
        if *f == Func::Exists {
            if let Some(ast::Expr {
                kind: ExprKind::Pattern(el),
                ..
            }) = args.first()
            {
                return Ok(Expr::Exists(Box::new(self.sub_pattern(None, el, None)?.0)));
            }
            if !matches!(args.first().map(|a| &a.kind), Some(ExprKind::Property { .. })) {
                return err(
                    SemanticKind::InvalidArgumentExpression,
                    "exists() takes a property or a pattern",
                    span,
                );
            }
        }
        if let Some(ast::Expr {
            kind: ExprKind::Var(v),
            span: arg_span,
        }) = args.first()
        {
            let kind = self.scope.get(&v.name).map(|v| v.kind);
            let wrong = match f {
                Func::Type => matches!(kind, Some(VarKind::Node | VarKind::Path)),
                Func::Length => matches!(kind, Some(VarKind::Node | VarKind::Rel)),
                Func::Labels => matches!(kind, Some(VarKind::Rel | VarKind::Path)),
                _ => false,
            };
            if wrong {
                return err(
                    SemanticKind::InvalidArgumentType,
                    format!("{full}() cannot take '{}' here", v.name),
                    *arg_span,
                );
            }
        }
        let bound = args
            .iter()
            .map(|a| self.expr(a))
            .collect::<BindResult<Vec<_>>>()?;
        // properties() takes a node, a relationship or a map: a literal of another type is
        // wrong before anything runs.
        if *f == Func::Properties {
            if let (Some(Expr::Const(v)), Some(a)) = (bound.first(), args.first()) {
                if !matches!(v, Value::Map(_) | Value::Null) {
                    return err(
                        SemanticKind::InvalidArgumentType,
                        format!(
                            "properties() needs a node, a relationship or a map, not a {}",
                            v.type_name()
                        ),
                        a.span,
                    );
                }
            }
        }
        Ok(Expr::Call(*f, bound, pos(span)))
    }

    pub(crate) fn resolve_key(&mut self, name: &str) -> Option<KeyId> {
        self.resolver.key(name)
    }
}

/// Outside its aggregate calls, an aggregating item may read only grouping keys: a key
/// variable, or a key that is a property of a variable (openCypher's
/// AmbiguousAggregationExpression otherwise).
fn check_grouping(e: &ast::Expr, keys: &[&ast::Expr], aliases: &[&str]) -> BindResult<()> {
    let is_key = |x: &ast::Expr| keys.contains(&x);
    match &e.kind {
        ExprKind::CountStar => Ok(()),
        ExprKind::FnCall { namespace, name, .. }
            if namespace.is_empty() && is_aggregate(&name.name.to_lowercase()) =>
        {
            Ok(())
        }
        ExprKind::Var(v) if is_key(e) || aliases.contains(&v.name.as_str()) => Ok(()),
        ExprKind::Var(v) => err(
            SemanticKind::AmbiguousAggregationExpression,
            format!(
                "'{}' is used beside an aggregate but is not a grouping key",
                v.name
            ),
            e.span,
        ),
        ExprKind::Property { base, .. } if matches!(base.kind, ExprKind::Var(_)) => {
            if is_key(e) || is_key(base) {
                Ok(())
            } else {
                err(
                    SemanticKind::AmbiguousAggregationExpression,
                    "an expression beside an aggregate must be a grouping key",
                    e.span,
                )
            }
        }
        ExprKind::Literal(_) | ExprKind::Param(_) => Ok(()),
        _ => {
            let mut result = Ok(());
            for child in children(e) {
                if result.is_ok() {
                    result = check_grouping(child, keys, aliases);
                }
            }
            result
        }
    }
}

/// The direct sub-expressions of an expression.
fn children(e: &ast::Expr) -> Vec<&ast::Expr> {
    let mut out: Vec<&ast::Expr> = Vec::new();
    match &e.kind {
        ExprKind::Property { base, .. } | ExprKind::HasLabels { base, .. } => out.push(base),
        ExprKind::Index { base, index } => {
            out.push(base);
            out.push(index);
        }
        ExprKind::Slice { base, from, to } => {
            out.push(base);
            out.extend(from.iter().map(|b| &**b));
            out.extend(to.iter().map(|b| &**b));
        }
        ExprKind::FnCall { args, .. } => out.extend(args.iter()),
        ExprKind::Unary { operand, .. } => out.push(operand),
        ExprKind::Binary { lhs, rhs, .. }
        | ExprKind::In { lhs, rhs }
        | ExprKind::StringOp { lhs, rhs, .. }
        | ExprKind::Regex { lhs, rhs } => {
            out.push(lhs);
            out.push(rhs);
        }
        ExprKind::Compare { first, rest } => {
            out.push(first);
            out.extend(rest.iter().map(|(_, x)| x));
        }
        ExprKind::IsNull { expr, .. } => out.push(expr),
        ExprKind::List(items) => out.extend(items.iter()),
        ExprKind::Map(entries) => out.extend(entries.iter().map(|(_, x)| x)),
        ExprKind::Case {
            operand,
            whens,
            else_,
        } => {
            out.extend(operand.iter().map(|b| &**b));
            for (w, t) in whens {
                out.push(w);
                out.push(t);
            }
            out.extend(else_.iter().map(|b| &**b));
        }
        _ => {}
    }
    out
}

/// A subquery expression with a write inside is wrong (openCypher's InvalidClauseComposition).
fn refuse_subquery_writes(kind: ast::SubqueryKind, body: &ast::SubqueryBody) -> BindResult<()> {
    let keyword = match kind {
        ast::SubqueryKind::Exists => "EXISTS",
        ast::SubqueryKind::Count => "COUNT",
        ast::SubqueryKind::Collect => "COLLECT",
    };
    if let ast::SubqueryBody::Query(q) = body {
        let mut clauses = q.parts.iter().flat_map(|p| p.clauses.iter());
        let write = clauses.find(|c| {
            matches!(
                c.kind,
                ClauseKind::Create { .. }
                    | ClauseKind::Merge { .. }
                    | ClauseKind::Set { .. }
                    | ClauseKind::Remove { .. }
                    | ClauseKind::Delete { .. }
                    | ClauseKind::Foreach { .. }
                    | ClauseKind::CallSubquery { .. }
            )
        });
        if let Some(c) = write {
            if !matches!(c.kind, ClauseKind::CallSubquery { .. }) {
                return err(
                    SemanticKind::InvalidClause,
                    format!("{keyword} {{ ... }} cannot contain a write clause"),
                    c.span,
                );
            }
        }
    }
    Ok(())
}

/// A parameter standing for a whole map of properties is allowed only in `CREATE`: a pattern
/// to match (`MATCH`, `MERGE`, a pattern expression) must write its properties out.
fn refuse_param_maps(el: &ast::PatternElement, clause: &str) -> BindResult<()> {
    let nodes = std::iter::once(&el.start).chain(el.chain.iter().map(|(_, n)| n));
    let node_props = nodes.filter_map(|n| n.props.as_deref());
    let rel_props = el.chain.iter().filter_map(|(r, _)| r.props.as_deref());
    for props in node_props.chain(rel_props) {
        if let ExprKind::Param(name) = &props.kind {
            return err(
                SemanticKind::InvalidParameterUse,
                format!("a parameter cannot give the properties of a pattern in {clause}; write them out, e.g. {{key: ${name}.key}}"),
                props.span,
            );
        }
    }
    Ok(())
}

/// A schema command by name; the variable of its property must be the one of its node.
fn schema_op(cmd: &ast::SchemaCommand) -> BindResult<SchemaOp> {
    let target = |t: &ast::SchemaTarget| -> BindResult<(String, String)> {
        if t.prop_var.name != t.var.name {
            return err(
                SemanticKind::UndefinedVariable,
                format!(
                    "variable '{}' is not defined; did you mean '{}'?",
                    t.prop_var.name, t.var.name
                ),
                t.prop_var.span,
            );
        }
        Ok((t.label.name.clone(), t.key.name.clone()))
    };
    Ok(match cmd {
        ast::SchemaCommand::CreateIndex {
            name,
            if_not_exists,
            target: t,
        } => {
            let (label, key) = target(t)?;
            SchemaOp::CreateIndex {
                name: name.as_ref().map(|n| n.name.clone()),
                label,
                key,
                if_not_exists: *if_not_exists,
            }
        }
        ast::SchemaCommand::CreateConstraint {
            name,
            if_not_exists,
            target: t,
        } => {
            let (label, key) = target(t)?;
            SchemaOp::CreateConstraint {
                name: name.as_ref().map(|n| n.name.clone()),
                label,
                key,
                if_not_exists: *if_not_exists,
            }
        }
        ast::SchemaCommand::DropIndex { name, if_exists } => SchemaOp::DropIndex {
            name: name.name.clone(),
            if_exists: *if_exists,
        },
        ast::SchemaCommand::DropConstraint { name, if_exists } => SchemaOp::DropConstraint {
            name: name.name.clone(),
            if_exists: *if_exists,
        },
    })
}

/// `CREATE (a)` or `MERGE (a)` of a node bound before: there is nothing to create.
fn refuse_lone_bound_node(p: &ast::PatternPart, before: &[String], clause: &str) -> BindResult<()> {
    match &p.element.start.var {
        Some(v) if p.element.chain.is_empty() && before.contains(&v.name) => err(
            SemanticKind::VariableAlreadyBound,
            format!("'{}' is already bound; {clause} cannot create it again", v.name),
            v.span,
        ),
        _ => Ok(()),
    }
}

/// True if the expression calls `rand()`.
fn calls_rand(e: &ast::Expr) -> bool {
    let mut found = false;
    visit(e, &mut |x| {
        if let ExprKind::FnCall { namespace, name, .. } = &x.kind {
            if namespace.is_empty() && name.name.eq_ignore_ascii_case("rand") {
                found = true;
            }
        }
    });
    found
}

fn split_and<'e>(e: &'e ast::Expr, out: &mut Vec<&'e ast::Expr>) {
    match &e.kind {
        ExprKind::Binary {
            op: ast::BinaryOp::And,
            lhs,
            rhs,
        } => {
            split_and(lhs, out);
            split_and(rhs, out);
        }
        _ => out.push(e),
    }
}

fn path_parts(el: &ast::PatternElement, slots: &PartSlots) -> Vec<PathPart> {
    let mut parts = vec![PathPart::Node(slots.nodes[0].0)];
    for (i, (rel, _)) in el.chain.iter().enumerate() {
        if rel.length.is_some() {
            parts.push(PathPart::RelList(slots.rels[i].0));
        } else {
            parts.push(PathPart::Rel(slots.rels[i].0));
        }
        parts.push(PathPart::Node(slots.nodes[i + 1].0));
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_function_has_a_spelling_for_hints_and_back() {
        let lower: Vec<String> = SPELLINGS.iter().map(|s| s.to_lowercase()).collect();
        for (name, ..) in FUNCTIONS {
            assert!(lower.iter().any(|l| l == name), "{name} has no spelling");
        }
        for (name, ..) in AGGREGATES {
            assert!(lower.iter().any(|l| l == name), "{name} has no spelling");
        }
        assert_eq!(lower.len(), FUNCTIONS.len() + AGGREGATES.len());
    }

    #[test]
    fn suggestions_keep_the_documented_spelling() {
        assert_eq!(suggest("toUpperr", SPELLINGS.iter().copied()), Some("toUpper"));
        assert_eq!(suggest("STARTNODE", SPELLINGS.iter().copied()), Some("startNode"));
        assert_eq!(suggest("frobnicate", SPELLINGS.iter().copied()), None);
    }
}
