//! The binder: resolves the names of an AST against a scope and the graph's symbol tables
//! and produces the logical plan, choosing where each pattern starts (the optimiser's rules
//! live in `optimize.rs`).
//!
//! This file holds the binder's state, its scope (declaring and looking up variables) and the
//! walk over a query's clauses; each concern has a file of its own: `patterns.rs` (`MATCH`,
//! pattern expressions, where a pattern starts), `writes.rs` (`CREATE`, `MERGE`, `SET`,
//! `REMOVE`, `FOREACH`, schema commands), `projections.rs` (`WITH`, `RETURN`, grouping,
//! `ORDER BY`, `SKIP`, `LIMIT`), `expressions.rs` (expressions, functions, aggregates and
//! their compile-time checks) and `calls.rs` (procedure calls and subqueries).
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

mod calls;
mod expressions;
mod patterns;
mod projections;
mod writes;

use expressions::*;
use patterns::*;
use projections::*;
use writes::*;

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
        UnsupportedKind::CallSubquery => "CALL { ... } IN TRANSACTIONS is not supported yet; run the subquery without IN TRANSACTIONS, or batch it from Rust with Database transactions",
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
    /// Binding a pattern predicate (`exists((a)-[*]->(b))`, `WHERE (a)-[*]->(b)`): only
    /// whether a row exists matters, so an unbounded length is searched without a cap.
    uncapped: bool,
    /// Binding a pattern predicate of one anonymous relationship: only which end nodes can
    /// be reached matters, so an unbounded length is a breadth-first search
    /// (`VarExpand::reach`).
    reach: bool,
}

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
            uncapped: false,
            reach: false,
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
            if let Some(c) = &columns
                && *c != cols
            {
                return err(
                    SemanticKind::DifferentColumnsInUnion,
                    "every part of a UNION must return the same columns",
                    part.span,
                );
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
                        if let Expr::Const(v) = &b
                            && !v.is_null()
                        {
                            return err(
                                SemanticKind::InvalidArgumentType,
                                "DELETE needs a node, relationship or path",
                                e.span,
                            );
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
