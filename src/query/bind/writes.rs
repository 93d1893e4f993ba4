//! Writes: `CREATE`, `MERGE`, `SET`, `REMOVE`, `FOREACH` and the schema commands.

use super::*;

/// A schema command by name; the variable of its property must be the one of its node.
pub(super) fn schema_op(cmd: &ast::SchemaCommand) -> BindResult<SchemaOp> {
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
pub(super) fn refuse_lone_bound_node(
    p: &ast::PatternPart,
    before: &[String],
    clause: &str,
) -> BindResult<()> {
    match &p.element.start.var {
        Some(v) if p.element.chain.is_empty() && before.contains(&v.name) => err(
            SemanticKind::VariableAlreadyBound,
            format!("'{}' is already bound; {clause} cannot create it again", v.name),
            v.span,
        ),
        _ => Ok(()),
    }
}

/// Properties of a pattern to create: interned keys with values, and a whole-map expression.
pub(super) type WriteProps = (Vec<(KeyId, Expr)>, Option<Expr>);

impl Binder<'_, '_> {
    pub(super) fn bind_create(
        &mut self,
        p: &ast::PatternPart,
        items: &mut Vec<CreateItem>,
    ) -> BindResult<()> {
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

    pub(super) fn create_items(
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

    pub(super) fn write_props(&mut self, props: Option<&ast::Expr>) -> BindResult<WriteProps> {
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

    pub(super) fn bind_merge(
        &mut self,
        p: &ast::PatternPart,
        actions: &[ast::MergeAction],
    ) -> BindResult<Op> {
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
            if slots.nodes[i].1
                && (!n.labels.is_empty() || n.props.is_some())
                && let Some(v) = &n.var
            {
                return err(
                    SemanticKind::VariableAlreadyBound,
                    format!(
                        "'{}' is already bound; MERGE cannot add labels or properties to it",
                        v.name
                    ),
                    v.span,
                );
            }
            if let Some(props) = &n.props
                && let ExprKind::Map(entries) = &props.kind
            {
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

    pub(super) fn entity_slot(&self, var: &Ident) -> BindResult<Slot> {
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

    pub(super) fn set_item(&mut self, item: &ast::SetItem) -> BindResult<SetItem> {
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

    pub(super) fn write_key(&mut self, key: &Ident) -> BindResult<KeyId> {
        match self.resolver.key(&key.name) {
            Some(k) => Ok(k),
            None => err(
                SemanticKind::ReadOnly,
                "cannot write in a read-only query",
                key.span,
            ),
        }
    }

    pub(super) fn remove_item(&mut self, item: &ast::RemoveItem) -> BindResult<RemoveItem> {
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

    /// `FOREACH (var IN list | updates)`: the updates see the outer variables and `var`;
    /// what they bind is not visible after.
    pub(super) fn bind_foreach(
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
        if let Expr::Const(v) = &list
            && !matches!(v, Value::List(_) | Value::Null)
        {
            return err(SemanticKind::InvalidArgumentType, "FOREACH needs a list", span);
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
}
