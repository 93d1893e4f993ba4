//! Syntactic checks that are easier on the tree than in the grammar.
//!
//! A pattern used as an expression (`(a)-[:T]->(b)`) is a predicate: it may
//! only appear where a boolean is expected. Like Neo4j 5 and the openCypher
//! TCK, we allow it as the whole of a `WHERE`, as an operand of `AND`, `OR`,
//! `XOR` and `NOT`, and as the argument of `exists(...)`; anywhere else
//! (`RETURN (a)-->()`, `size((a)-->())`) it is a syntax error that suggests a
//! pattern comprehension instead.
//!
//! `YIELD *` belongs to a standalone procedure call: a `CALL` that is the
//! whole statement. After any other `CALL` the fields must be named.
//!
//! The walk uses explicit work lists, not recursion, so its stack use does
//! not grow with the depth of the tree (subqueries included).

use crate::query::syntax::ast::*;
use crate::query::syntax::error::{ParseErrorKind, RawError};

/// What is still to visit, and the error found first in the text.
#[derive(Default)]
struct Work<'a> {
    /// Expressions, each with whether a pattern predicate may stand in its place.
    exprs: Vec<(&'a Expr, bool)>,
    /// Queries, each with whether it is the whole statement.
    queries: Vec<(&'a Query, bool)>,
    first: Option<RawError>,
}

impl<'a> Work<'a> {
    fn push(&mut self, item: (&'a Expr, bool)) {
        self.exprs.push(item);
    }

    fn extend(&mut self, items: impl IntoIterator<Item = (&'a Expr, bool)>) {
        self.exprs.extend(items);
    }

    /// Keeps `err` if it comes before the error found so far.
    fn report(&mut self, err: RawError) {
        if self.first.as_ref().is_none_or(|f| err.span.start < f.span.start) {
            self.first = Some(err);
        }
    }
}

pub(crate) fn check_statement(s: &Statement) -> Result<(), RawError> {
    let mut work = Work::default();
    work.queries.push((&s.query, true));
    loop {
        if let Some((q, whole)) = work.queries.pop() {
            // Only a statement of one clause is a standalone call.
            let standalone = whole && q.parts.len() == 1 && q.parts.iter().all(|p| p.clauses.len() == 1);
            for part in &q.parts {
                for clause in &part.clauses {
                    clause_exprs(clause, standalone, &mut work);
                }
            }
        } else if let Some((e, predicate)) = work.exprs.pop() {
            if let Err(err) = visit(e, predicate, &mut work) {
                work.report(err);
            }
        } else {
            break;
        }
    }
    match work.first {
        Some(err) => Err(err),
        None => Ok(()),
    }
}

fn clause_exprs<'a>(c: &'a Clause, standalone: bool, work: &mut Work<'a>) {
    match &c.kind {
        ClauseKind::Match { patterns, where_, .. } => {
            for p in patterns {
                element_exprs(&p.element, work);
            }
            if let Some(w) = where_ {
                work.push((w, true));
            }
        }
        ClauseKind::Unwind { expr, .. } => work.push((expr, false)),
        ClauseKind::With(p) | ClauseKind::Return(p) => {
            work.extend(p.items.iter().map(|i| (&i.expr, false)));
            work.extend(p.order_by.iter().map(|s| (&s.expr, false)));
            work.extend(p.skip.iter().chain(p.limit.iter()).map(|e| (e, false)));
            if let Some(w) = &p.where_ {
                work.push((w, true));
            }
        }
        ClauseKind::Create { patterns } => {
            for p in patterns {
                element_exprs(&p.element, work);
            }
        }
        ClauseKind::Merge { pattern, actions } => {
            element_exprs(&pattern.element, work);
            for a in actions {
                for item in &a.items {
                    set_item_exprs(item, work);
                }
            }
        }
        ClauseKind::Set { items } => {
            for item in items {
                set_item_exprs(item, work);
            }
        }
        ClauseKind::Remove { items } => {
            for item in items {
                if let RemoveItem::Property { base, .. } = item {
                    work.push((base, false));
                }
            }
        }
        ClauseKind::Delete { exprs, .. } => work.extend(exprs.iter().map(|e| (e, false))),
        ClauseKind::Call(call) => call_exprs(call, standalone, work),
        ClauseKind::Schema(_) => {}
        ClauseKind::Foreach { list, clauses, .. } => {
            work.push((list, false));
            // Nested at most as deep as the parser's level limit allows.
            for c in clauses {
                clause_exprs(c, false, work);
            }
        }
        ClauseKind::CallSubquery {
            query,
            in_transactions,
        } => {
            work.queries.push((query, false));
            if let Some(rows) = in_transactions.as_ref().and_then(|t| t.rows.as_ref()) {
                work.push((rows, false));
            }
        }
    }
}

fn call_exprs<'a>(call: &'a ProcedureCall, standalone: bool, work: &mut Work<'a>) {
    work.extend(call.args.iter().flatten().map(|a| (a, false)));
    let Some(y) = &call.yield_ else { return };
    if y.star && !standalone {
        work.report(RawError::new(
            ParseErrorKind::Syntax,
            y.span,
            "YIELD * is only allowed when the CALL is the whole query; name the fields to yield".into(),
        ));
    }
    if let Some(w) = &y.where_ {
        work.push((w, true));
    }
}

fn subquery_exprs<'a>(body: &'a SubqueryBody, work: &mut Work<'a>) {
    match body {
        SubqueryBody::Patterns { patterns, where_ } => {
            for p in patterns {
                element_exprs(&p.element, work);
            }
            if let Some(w) = where_ {
                work.push((w, true));
            }
        }
        SubqueryBody::Query(q) => work.queries.push((q, false)),
    }
}

fn set_item_exprs<'a>(item: &'a SetItem, work: &mut Work<'a>) {
    match item {
        SetItem::Property { base, value, .. } => {
            work.push((base, false));
            work.push((value, false));
        }
        SetItem::Replace { value, .. } | SetItem::Merge { value, .. } => work.push((value, false)),
        SetItem::Labels { .. } => {}
    }
}

fn element_exprs<'a>(el: &'a PatternElement, work: &mut Work<'a>) {
    let rels = el.chain.iter().map(|(r, _)| &r.props);
    let nodes = std::iter::once(&el.start.props).chain(el.chain.iter().map(|(_, n)| &n.props));
    for p in rels.chain(nodes).flatten() {
        work.push((p, false));
    }
}

fn push_opt<'a>(work: &mut Work<'a>, e: &'a Option<Box<Expr>>, predicate: bool) {
    if let Some(e) = e {
        work.push((e, predicate));
    }
}

/// Checks one expression and queues its children.
fn visit<'a>(e: &'a Expr, predicate: bool, work: &mut Work<'a>) -> Result<(), RawError> {
    match &e.kind {
        ExprKind::Pattern(el) => {
            element_exprs(el, work);
            if !predicate {
                return Err(RawError::new(
                    ParseErrorKind::Syntax,
                    e.span,
                    "a pattern expression can only be used as a predicate (in WHERE, with AND, OR, XOR or NOT, or in exists(...)); to get values from a pattern use a pattern comprehension such as [(a)-->(b) | b]".into(),
                ));
            }
        }
        ExprKind::Literal(_) | ExprKind::Param(_) | ExprKind::Var(_) | ExprKind::CountStar => {}
        ExprKind::Property { base, .. } | ExprKind::HasLabels { base, .. } => work.push((base, false)),
        ExprKind::Index { base, index } => {
            work.push((base, false));
            work.push((index, false));
        }
        ExprKind::Slice { base, from, to } => {
            work.push((base, false));
            push_opt(work, from, false);
            push_opt(work, to, false);
        }
        ExprKind::FnCall {
            namespace,
            name,
            args,
            ..
        } => {
            let exists = namespace.is_empty() && name.name.eq_ignore_ascii_case("exists");
            work.extend(args.iter().map(|a| (a, exists)));
        }
        ExprKind::Unary { op, operand } => work.push((operand, *op == UnaryOp::Not)),
        ExprKind::Binary { op, lhs, rhs } => {
            let boolean = matches!(op, BinaryOp::And | BinaryOp::Or | BinaryOp::Xor);
            work.push((rhs, boolean));
            work.push((lhs, boolean));
        }
        ExprKind::Compare { first, rest } => {
            work.extend(rest.iter().rev().map(|(_, r)| (r, false)));
            work.push((first, false));
        }
        ExprKind::IsNull { expr, .. } => work.push((expr, false)),
        ExprKind::In { lhs, rhs } | ExprKind::StringOp { lhs, rhs, .. } | ExprKind::Regex { lhs, rhs } => {
            work.push((rhs, false));
            work.push((lhs, false));
        }
        ExprKind::List(items) => work.extend(items.iter().rev().map(|i| (i, false))),
        ExprKind::Map(entries) => work.extend(entries.iter().rev().map(|(_, v)| (v, false))),
        ExprKind::Case {
            operand,
            whens,
            else_,
        } => {
            push_opt(work, else_, false);
            for (w, t) in whens.iter().rev() {
                work.push((t, false));
                work.push((w, false));
            }
            push_opt(work, operand, false);
        }
        ExprKind::ListComp {
            list, where_, map, ..
        } => {
            push_opt(work, map, false);
            push_opt(work, where_, true);
            work.push((list, false));
        }
        ExprKind::PatternComp {
            pattern, where_, map, ..
        } => {
            work.push((map, false));
            push_opt(work, where_, true);
            element_exprs(pattern, work);
        }
        ExprKind::Quantifier { list, where_, .. } => {
            push_opt(work, where_, true);
            work.push((list, false));
        }
        ExprKind::Reduce { init, list, expr, .. } => {
            work.push((expr, false));
            work.push((list, false));
            work.push((init, false));
        }
        ExprKind::Subquery { body, .. } => subquery_exprs(body, work),
        ExprKind::MapProjection { items, .. } => {
            for item in items.iter().rev() {
                if let MapProjItem::Literal(_, v) = item {
                    work.push((v, false));
                }
            }
        }
    }
    Ok(())
}
