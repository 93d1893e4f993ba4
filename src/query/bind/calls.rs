//! Calls and subqueries: `CALL proc(...)`, `CALL { ... }`, `EXISTS`, `COUNT` and `COLLECT`.

use super::*;
use crate::query::procedures::ProcType;

/// A subquery expression with a write inside is wrong (openCypher's InvalidClauseComposition).
pub(super) fn refuse_subquery_writes(kind: ast::SubqueryKind, body: &ast::SubqueryBody) -> BindResult<()> {
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
        if let Some(c) = write
            && !matches!(c.kind, ClauseKind::CallSubquery { .. })
        {
            return err(
                SemanticKind::InvalidClause,
                format!("{keyword} {{ ... }} cannot contain a write clause"),
                c.span,
            );
        }
    }
    Ok(())
}

/// A bound subquery: a pipeline per part of its `UNION`, its column names, the slots of its
/// columns per part, whether its parts are joined by `UNION` (de-duplicated), and whether it
/// writes.
pub(super) struct BoundSub {
    pub(super) parts: Vec<Pipeline>,
    pub(super) columns: Vec<String>,
    pub(super) outputs: Vec<Vec<Slot>>,
    pub(super) distinct: bool,
    pub(super) writes: bool,
}

impl Binder<'_, '_> {
    /// `CALL proc(args) [YIELD ...]`: the procedure looked up, its arguments bound and checked,
    /// its yielded outputs declared. Returns the columns (names and slots) it yields, which are
    /// the result of a standalone call.
    pub(super) fn bind_call(
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
                    if let Expr::Const(v) = &e
                        && let Err(m) = field.convert(v.clone())
                    {
                        return err(SemanticKind::InvalidArgumentType, format!("{name}: {m}"), a.span);
                    }
                    // A node, relationship or path variable has its type before anything runs.
                    if let ExprKind::Var(v) = &a.kind {
                        let kind = self.scope.get(&v.name).map(|v| v.kind);
                        let fits = match kind {
                            Some(VarKind::Node) => matches!(field.ty, ProcType::Any | ProcType::Node),
                            Some(VarKind::Rel) => matches!(field.ty, ProcType::Any | ProcType::Relationship),
                            Some(VarKind::Path) => matches!(field.ty, ProcType::Any | ProcType::Path),
                            Some(VarKind::RelList) => matches!(field.ty, ProcType::Any | ProcType::List),
                            _ => true,
                        };
                        if !fits {
                            return err(
                                SemanticKind::InvalidArgumentType,
                                format!("{name}: '{}' needs a {}", field.name, field.ty.name()),
                                a.span,
                            );
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

    /// Binds a subquery with `scopes[i]` visible at the start of its part `i`, keeping the binder's state of the
    /// enclosing query. `unit_ok`: it may end without `RETURN`.
    pub(super) fn bind_sub(
        &mut self,
        q: &ast::Query,
        scopes: &[IndexMap<String, Var>],
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
                self.scope = scopes.get(i).cloned().unwrap_or_default();
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
    pub(super) fn bind_call_subquery(&mut self, q: &ast::Query, span: Span) -> BindResult<Op> {
        // Each part imports with its own leading WITH; a part without one sees nothing.
        let scopes: Vec<IndexMap<String, Var>> = q
            .parts
            .iter()
            .map(|p| {
                let imports = p
                    .clauses
                    .first()
                    .is_some_and(|c| matches!(c.kind, ClauseKind::With(_)));
                if imports {
                    self.scope.clone()
                } else {
                    IndexMap::new()
                }
            })
            .collect();
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
        // What a CALL subquery returns becomes variables: each item needs a name.
        for part in &q.parts {
            if let Some(ast::Clause {
                kind: ClauseKind::Return(p),
                ..
            }) = part.clauses.last()
                && let Some(item) = p
                    .items
                    .iter()
                    .find(|i| i.alias.is_none() && !matches!(i.expr.kind, ExprKind::Var(_)))
            {
                return err(
                    SemanticKind::NoExpressionAlias,
                    "an expression returned by a CALL subquery must be aliased (use AS)",
                    item.expr.span,
                );
            }
        }
        let bound = self.bind_sub(q, &scopes, true)?;
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

    /// `EXISTS { ... }`, `COUNT { ... }` or `COLLECT { ... }`: correlated, the outer variables
    /// visible inside; read-only.
    pub(super) fn bind_subquery_expr(
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
                // `EXISTS { pattern }` asks only whether a row exists: no path cap (`COUNT`
                // wants every row).
                let saved_uncapped = std::mem::replace(&mut self.uncapped, plan_kind == SubKind::Exists);
                let saved_reach = std::mem::replace(&mut self.reach, false);
                let mut ops = Vec::new();
                let r = self.bind_match(false, patterns, where_.as_ref(), &mut ops);
                self.scope = saved_scope;
                self.aggs = saved_aggs;
                self.in_local = saved_local;
                self.uncapped = saved_uncapped;
                self.reach = saved_reach;
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
                let scopes = vec![scope; q.parts.len()];
                // A whole query's rows may be counted or collected: the cap applies.
                let saved_uncapped = std::mem::replace(&mut self.uncapped, false);
                let saved_reach = std::mem::replace(&mut self.reach, false);
                let bound = self.bind_sub(q, &scopes, plan_kind != SubKind::Collect);
                self.uncapped = saved_uncapped;
                self.reach = saved_reach;
                let bound = bound?;
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
}
