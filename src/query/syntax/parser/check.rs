//! Syntactic checks that are easier on the tree than in the grammar.
//!
//! A pattern used as an expression (`(a)-[:T]->(b)`) is a predicate: it may
//! only appear where a boolean is expected. Like Neo4j 5 and the openCypher
//! TCK, we allow it as the whole of a `WHERE`, as an operand of `AND`, `OR`,
//! `XOR` and `NOT`, and as the argument of `exists(...)`; anywhere else
//! (`RETURN (a)-->()`, `size((a)-->())`) it is a syntax error that suggests a
//! pattern comprehension instead.
//!
//! The walk recurses on the tree, whose height the parser already bounded.

use super::super::ast::*;
use super::super::error::{ParseErrorKind, RawError};

type Check = Result<(), RawError>;

pub(crate) fn check_statement(s: &Statement) -> Check {
    for part in &s.query.parts {
        for clause in &part.clauses {
            check_clause(clause)?;
        }
    }
    Ok(())
}

fn check_clause(c: &Clause) -> Check {
    match &c.kind {
        ClauseKind::Match { patterns, where_, .. } => {
            for p in patterns {
                check_element(&p.element)?;
            }
            if let Some(w) = where_ {
                check_expr(w, true)?;
            }
        }
        ClauseKind::Unwind { expr, .. } => check_expr(expr, false)?,
        ClauseKind::With(p) | ClauseKind::Return(p) => {
            for item in &p.items {
                check_expr(&item.expr, false)?;
            }
            for s in &p.order_by {
                check_expr(&s.expr, false)?;
            }
            for e in p.skip.iter().chain(p.limit.iter()) {
                check_expr(e, false)?;
            }
            if let Some(w) = &p.where_ {
                check_expr(w, true)?;
            }
        }
        ClauseKind::Create { patterns } => {
            for p in patterns {
                check_element(&p.element)?;
            }
        }
        ClauseKind::Merge { pattern, actions } => {
            check_element(&pattern.element)?;
            for a in actions {
                for item in &a.items {
                    check_set_item(item)?;
                }
            }
        }
        ClauseKind::Set { items } => {
            for item in items {
                check_set_item(item)?;
            }
        }
        ClauseKind::Remove { items } => {
            for item in items {
                if let RemoveItem::Property { base, .. } = item {
                    check_expr(base, false)?;
                }
            }
        }
        ClauseKind::Delete { exprs, .. } => {
            for e in exprs {
                check_expr(e, false)?;
            }
        }
    }
    Ok(())
}

fn check_set_item(item: &SetItem) -> Check {
    match item {
        SetItem::Property { base, value, .. } => {
            check_expr(base, false)?;
            check_expr(value, false)
        }
        SetItem::Replace { value, .. } | SetItem::Merge { value, .. } => check_expr(value, false),
        SetItem::Labels { .. } => Ok(()),
    }
}

fn check_element(el: &PatternElement) -> Check {
    if let Some(p) = &el.start.props {
        check_expr(p, false)?;
    }
    for (rel, node) in &el.chain {
        for p in rel.props.iter().chain(node.props.iter()) {
            check_expr(p, false)?;
        }
    }
    Ok(())
}

fn check_opt(e: &Option<Box<Expr>>, predicate: bool) -> Check {
    match e {
        Some(e) => check_expr(e, predicate),
        None => Ok(()),
    }
}

/// Checks `e`; `predicate` tells whether a pattern predicate may stand here.
fn check_expr(e: &Expr, predicate: bool) -> Check {
    match &e.kind {
        ExprKind::Pattern(el) => {
            if !predicate {
                return Err(RawError::new(
                    ParseErrorKind::Syntax,
                    e.span,
                    "a pattern expression can only be used as a predicate (in WHERE, with AND, OR, XOR or NOT, or in exists(...)); to get values from a pattern use a pattern comprehension such as [(a)-->(b) | b]".into(),
                ));
            }
            check_element(el)
        }
        ExprKind::Literal(_) | ExprKind::Param(_) | ExprKind::Var(_) | ExprKind::CountStar => Ok(()),
        ExprKind::Property { base, .. } | ExprKind::HasLabels { base, .. } => check_expr(base, false),
        ExprKind::Index { base, index } => {
            check_expr(base, false)?;
            check_expr(index, false)
        }
        ExprKind::Slice { base, from, to } => {
            check_expr(base, false)?;
            check_opt(from, false)?;
            check_opt(to, false)
        }
        ExprKind::FnCall {
            namespace,
            name,
            args,
            ..
        } => {
            let exists = namespace.is_empty() && name.name.eq_ignore_ascii_case("exists");
            for a in args {
                check_expr(a, exists)?;
            }
            Ok(())
        }
        ExprKind::Unary { op, operand } => check_expr(operand, *op == UnaryOp::Not),
        ExprKind::Binary { op, lhs, rhs } => {
            let boolean = matches!(op, BinaryOp::And | BinaryOp::Or | BinaryOp::Xor);
            check_expr(lhs, boolean)?;
            check_expr(rhs, boolean)
        }
        ExprKind::Compare { first, rest } => {
            check_expr(first, false)?;
            for (_, r) in rest {
                check_expr(r, false)?;
            }
            Ok(())
        }
        ExprKind::IsNull { expr, .. } => check_expr(expr, false),
        ExprKind::In { lhs, rhs } | ExprKind::StringOp { lhs, rhs, .. } | ExprKind::Regex { lhs, rhs } => {
            check_expr(lhs, false)?;
            check_expr(rhs, false)
        }
        ExprKind::List(items) => {
            for item in items {
                check_expr(item, false)?;
            }
            Ok(())
        }
        ExprKind::Map(entries) => {
            for (_, v) in entries {
                check_expr(v, false)?;
            }
            Ok(())
        }
        ExprKind::Case {
            operand,
            whens,
            else_,
        } => {
            check_opt(operand, false)?;
            for (w, t) in whens {
                check_expr(w, false)?;
                check_expr(t, false)?;
            }
            check_opt(else_, false)
        }
        ExprKind::ListComp {
            list, where_, map, ..
        } => {
            check_expr(list, false)?;
            check_opt(where_, true)?;
            check_opt(map, false)
        }
        ExprKind::PatternComp {
            pattern, where_, map, ..
        } => {
            check_element(pattern)?;
            check_opt(where_, true)?;
            check_expr(map, false)
        }
        ExprKind::Quantifier { list, where_, .. } => {
            check_expr(list, false)?;
            check_opt(where_, true)
        }
        ExprKind::Reduce { init, list, expr, .. } => {
            check_expr(init, false)?;
            check_expr(list, false)?;
            check_expr(expr, false)
        }
        ExprKind::MapProjection { items, .. } => {
            for item in items {
                if let MapProjItem::Literal(_, v) = item {
                    check_expr(v, false)?;
                }
            }
            Ok(())
        }
    }
}
