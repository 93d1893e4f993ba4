//! The optimiser's rules, applied while binding (and skipped when the optimiser is off, so
//! a differential test can compare both): equalities of the WHERE clause pushed into the
//! node checks of the pattern, a seek of the name index where a pattern fixes `name` or
//! `name_zh` (or a WHERE asks for a value in `aliases`), of a property index or unique
//! constraint where one covers a fixed property, and the cheaper end of a pattern first.

use crate::graph::{KeyId, LabelId};
use crate::query::bind::{BindError, Binder};
use crate::query::plan::{Expr, NodeCheck, Start};

/// Property equalities a relationship must satisfy.
pub(crate) type RelProps = Vec<(Option<KeyId>, Expr)>;
use crate::query::syntax::ast::{self, ExprKind};

/// True if the expression reads no variable (literals, parameters and operators on them).
fn is_constant(e: &ast::Expr) -> bool {
    match &e.kind {
        ExprKind::Literal(_) | ExprKind::Param(_) => true,
        ExprKind::List(items) => items.iter().all(is_constant),
        ExprKind::Unary { operand, .. } => is_constant(operand),
        _ => false,
    }
}

/// Moves `var.key = constant` conjuncts of the WHERE into the checks of the pattern node
/// `var` names, so that a scan or an expand can apply them (and an index seek can use
/// `name`); and `rel.key = constant` into the property checks of the single-hop
/// relationship `rel` names (`rel_props`, one list per relationship of `rels`, `None` for
/// a relationship that cannot take them), so that the expand checks it before it makes a row.
pub(crate) fn push_equalities(
    binder: &mut Binder<'_, '_>,
    nodes: &[&ast::NodePattern],
    rels: &[Option<&ast::RelPattern>],
    checks: &mut [NodeCheck],
    rel_props: &mut [RelProps],
    conjuncts: &mut Vec<&ast::Expr>,
) -> Result<(), BindError> {
    let index_of = |name: &str| {
        nodes
            .iter()
            .position(|n| n.var.as_ref().is_some_and(|v| v.name == name))
    };
    let rel_index_of = |name: &str| {
        rels.iter()
            .position(|r| r.is_some_and(|r| r.var.as_ref().is_some_and(|v| v.name == name)))
    };
    let mut keep = Vec::with_capacity(conjuncts.len());
    for c in conjuncts.drain(..) {
        let pushed = match &c.kind {
            ExprKind::Compare { first, rest } if rest.len() == 1 && rest[0].0 == ast::CmpOp::Eq => {
                let (a, b) = (&**first, &rest[0].1);
                let (prop, value) = if is_constant(b) { (a, b) } else { (b, a) };
                match (&prop.kind, is_constant(value)) {
                    (ExprKind::Property { base, key }, true) => match &base.kind {
                        ExprKind::Var(v) => match (index_of(&v.name), rel_index_of(&v.name)) {
                            (Some(i), _) => {
                                let k = binder.resolve_key(&key.name);
                                let e = binder.expr(value)?;
                                checks[i].props.push((k, e));
                                true
                            }
                            (None, Some(i)) => {
                                let k = binder.resolve_key(&key.name);
                                let e = binder.expr(value)?;
                                rel_props[i].push((k, e));
                                true
                            }
                            (None, None) => false,
                        },
                        _ => false,
                    },
                    _ => false,
                }
            }
            // `constant IN n.aliases`: the name index holds the aliases, so it can find the
            // candidates; the conjunct stays a filter, which decides exactly.
            ExprKind::In { lhs, rhs } if is_constant(lhs) => {
                if let ExprKind::Property { base, key } = &rhs.kind
                    && let (ExprKind::Var(v), "aliases") = (&base.kind, key.name.as_str())
                    && let Some(i) = index_of(&v.name)
                    && checks[i].alias_seek.is_none()
                {
                    checks[i].alias_seek = Some(binder.expr(lhs)?);
                }
                false
            }
            _ => false,
        };
        if !pushed {
            keep.push(c);
        }
    }
    *conjuncts = keep;
    Ok(())
}

/// The first (label, key, value) of a node check that an index covers.
fn indexed_prop<'c>(
    check: &'c NodeCheck,
    indexed: &[(LabelId, KeyId)],
) -> Option<(LabelId, KeyId, &'c crate::query::plan::Expr)> {
    check.labels.iter().flatten().find_map(|l| {
        check.props.iter().find_map(|(k, e)| match k {
            Some(k) if indexed.contains(&(*l, *k)) => Some((*l, *k, e)),
            _ => None,
        })
    })
}

/// The value a node check fixes for a key the name index covers (`name`, `name_zh`).
fn name_prop<'c>(check: &'c NodeCheck, names: &[Option<KeyId>]) -> Option<&'c crate::query::plan::Expr> {
    check
        .props
        .iter()
        .find(|(k, _)| k.is_some() && names.contains(k))
        .map(|(_, e)| e)
}

/// How a pattern node is best found: a seek of the name index, else of a property index
/// (or unique constraint) on one of its labels, else a label scan.
pub(crate) fn start_for(
    optimize: bool,
    check: &NodeCheck,
    names: &[Option<KeyId>],
    indexed: &[(LabelId, KeyId)],
) -> Start {
    if optimize {
        if let Some(e) = name_prop(check, names).or(check.alias_seek.as_ref()) {
            return Start::NameSeek(e.clone(), check.labels.first().copied());
        }
        if let Some((label, key, e)) = indexed_prop(check, indexed) {
            return Start::PropSeek(label, key, e.clone());
        }
    }
    match check.labels.first() {
        Some(l) => Start::Label(*l),
        None => Start::All,
    }
}

/// A rough cost of starting at a node: an index seek beats a label scan beats all nodes.
pub(crate) fn cost(check: &NodeCheck, names: &[Option<KeyId>], indexed: &[(LabelId, KeyId)]) -> u32 {
    if name_prop(check, names).is_some() || check.alias_seek.is_some() {
        1
    } else if indexed_prop(check, indexed).is_some() {
        2
    } else if !check.labels.is_empty() {
        100 - (check.props.len() as u32).min(50)
    } else {
        1000 - (check.props.len() as u32).min(50)
    }
}
