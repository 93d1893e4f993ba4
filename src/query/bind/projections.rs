//! Projections: `WITH` and `RETURN`, grouping, `ORDER BY`, `SKIP` and `LIMIT`.

use super::*;

/// Outside its aggregate calls, an aggregating item may read only grouping keys: a key
/// variable, or a key that is a property of a variable (openCypher's
/// AmbiguousAggregationExpression otherwise).
pub(super) fn check_grouping(e: &ast::Expr, keys: &[&ast::Expr], aliases: &[&str]) -> BindResult<()> {
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

/// An aggregate found in a projection: its slot, function, DISTINCT and arguments.
pub(super) type AggCall = (Slot, AggFn, bool, Vec<Expr>);

impl Binder<'_, '_> {
    pub(super) fn column_name(&self, item: &ast::ProjItem) -> String {
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

    pub(super) fn bind_projection(
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
        if let Some(l) = limit
            && !sorted_topk
        {
            ops.push(Op::Limit(l));
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

    pub(super) fn count_expr(&mut self, e: &ast::Expr, what: &str) -> BindResult<Expr> {
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
}
