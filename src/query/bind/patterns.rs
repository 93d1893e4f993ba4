//! Patterns: `MATCH`, pattern predicates and comprehensions, and where each pattern starts.

use super::*;

/// A parameter standing for a whole map of properties is allowed only in `CREATE`: a pattern
/// to match (`MATCH`, `MERGE`, a pattern expression) must write its properties out.
pub(super) fn refuse_param_maps(el: &ast::PatternElement, clause: &str) -> BindResult<()> {
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

pub(super) fn split_and<'e>(e: &'e ast::Expr, out: &mut Vec<&'e ast::Expr>) {
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

pub(super) fn path_parts(el: &ast::PatternElement, slots: &PartSlots) -> Vec<PathPart> {
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

/// The slots a pattern part uses, assigned before any operator is built.
pub(super) struct PartSlots {
    pub(super) nodes: Vec<(Slot, bool)>,
    pub(super) rels: Vec<(Slot, bool)>,
    pub(super) path: Option<Slot>,
}

pub(super) fn convert_dir(d: ast::Direction) -> Direction {
    match d {
        ast::Direction::Outgoing => Direction::Outgoing,
        ast::Direction::Incoming => Direction::Incoming,
        ast::Direction::Both => Direction::Both,
    }
}

pub(super) fn flip(d: Direction) -> Direction {
    match d {
        Direction::Outgoing => Direction::Incoming,
        Direction::Incoming => Direction::Outgoing,
        Direction::Both => Direction::Both,
    }
}

impl Binder<'_, '_> {
    /// Assigns slots to the variables of a pattern part, declaring new ones with `kind`s.
    ///
    /// `before` names the variables bound before the clause: a node variable among them is
    /// bound (`true` in the slots); one declared earlier in the same clause is bound by the
    /// clause's own operators; a relationship variable declared earlier in the same clause
    /// would be matched twice, which Cypher forbids.
    pub(super) fn part_slots(
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

    pub(super) fn node_check(&mut self, n: &ast::NodePattern) -> BindResult<NodeCheck> {
        let labels = n.labels.iter().map(|l| self.resolver.label(&l.name)).collect();
        let mut check = NodeCheck {
            labels,
            ..NodeCheck::default()
        };
        self.props_into(n.props.as_deref(), &mut check.props, &mut check.prop_map)?;
        Ok(check)
    }

    pub(super) fn props_into(
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

    pub(super) fn rel_types(&mut self, rel: &ast::RelPattern) -> TypeFilter {
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

    pub(super) fn bind_match(
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
        // Each expansion already excludes the relationships this MATCH matched before it
        // (`exclude`): a check over the whole row is needed only for what that misses, the
        // lists of variable-length and shortest paths, and relationships bound before.
        let excluded_as_it_grows = list_slots.is_empty()
            && slots_per_part
                .iter()
                .all(|s| s.rels.iter().all(|(_, bound)| !bound));
        if rel_slots.len() + list_slots.len() > 1 && !excluded_as_it_grows {
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
    pub(super) fn pattern_ops(
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
                min: range.min.map_or(1, |m| m.min(u32::MAX as u64) as u32),
                // No cap: a breadth-first search is bounded by the graph, the memory budget
                // and the deadline, and stops when it knows the answer.
                max: range.max.map_or(u32::MAX, |m| m.min(u32::MAX as u64) as u32),
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
                    // An unbounded length takes the path cap, except in a pattern predicate,
                    // which searches until it finds a row or runs out of paths.
                    let capped = range.max.is_none() && !rel_bound && !self.uncapped;
                    // A pattern predicate's lone relationship, unbounded, from at most one
                    // hop: which end nodes are reachable is the whole answer.
                    let reach =
                        self.reach && range.max.is_none() && range.min.unwrap_or(1) <= 1 && !rel_bound;
                    let max = match range.max {
                        Some(m) => m.min(u32::MAX as u64) as u32,
                        None if capped => self.max_var_length,
                        None => u32::MAX,
                    };
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
                        capped,
                        reach,
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

    /// Binds a pattern used inside an expression (predicate or comprehension): its new
    /// variables live only inside it.
    pub(super) fn sub_pattern(
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
                if let Some(v) = &n.var
                    && !self.scope.contains_key(&v.name)
                {
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
        // A pattern predicate asks only whether a row exists (a comprehension wants them all).
        let saved_uncapped = std::mem::replace(&mut self.uncapped, comp.is_none());
        // A predicate cannot name a new relationship, and with one relationship no other part
        // of the pattern reads its list (uniqueness): its rows need only the end node.
        let lone = comp.is_none() && path_var.is_none() && el.chain.len() == 1;
        let saved_reach = std::mem::replace(&mut self.reach, lone);
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
        self.uncapped = saved_uncapped;
        self.reach = saved_reach;
        result
    }
}
