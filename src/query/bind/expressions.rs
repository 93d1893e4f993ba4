//! Expressions: literals, operators, functions and aggregates, local variables, and the checks
//! made on them before anything runs.

use super::*;

pub(super) const FUNCTIONS: &[(&str, Func, usize, usize)] = &[
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
    ("kg.resolve", Func::Resolve, 1, 2),
];

/// The functions as the documentation spells them, for "did you mean" hints.
pub(super) const SPELLINGS: &[&str] = &[
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
    "kg.resolve",
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

pub(super) const AGGREGATES: &[(&str, AggFn, usize)] = &[
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

pub(super) fn is_aggregate(name: &str) -> bool {
    AGGREGATES.iter().any(|(n, ..)| *n == name)
}

/// True if the expression contains an aggregate call (not inside a nested scope's pattern).
pub(super) fn has_aggregate(e: &ast::Expr) -> bool {
    let mut found = false;
    visit(e, &mut |e| {
        if let ExprKind::CountStar = e.kind {
            found = true;
        }
        if let ExprKind::FnCall { name, namespace, .. } = &e.kind
            && namespace.is_empty()
            && is_aggregate(&name.name.to_lowercase())
        {
            found = true;
        }
    });
    found
}

pub(super) fn visit(e: &ast::Expr, f: &mut dyn FnMut(&ast::Expr)) {
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

/// The direct sub-expressions of an expression.
pub(super) fn children(e: &ast::Expr) -> Vec<&ast::Expr> {
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

/// True if the expression calls `rand()`.
pub(super) fn calls_rand(e: &ast::Expr) -> bool {
    let mut found = false;
    visit(e, &mut |x| {
        if let ExprKind::FnCall { namespace, name, .. } = &x.kind
            && namespace.is_empty()
            && name.name.eq_ignore_ascii_case("rand")
        {
            found = true;
        }
    });
    found
}

/// The one type of every item of a literal list, when it is one arithmetic refuses.
pub(super) fn literal_item_type(list: &Expr) -> Option<&'static str> {
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

impl Binder<'_, '_> {
    pub(crate) fn expr(&mut self, e: &ast::Expr) -> BindResult<Expr> {
        // After a projection, an expression equal to a projected one reads its column.
        if !matches!(e.kind, ExprKind::Var(_))
            && let Some((_, slot)) = self.substitutions.iter().find(|(x, _)| x == e)
        {
            return Ok(Expr::Slot(*slot));
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
    pub(super) fn is_complex(e: &ast::Expr) -> bool {
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
    pub(super) fn expr_simple(&mut self, e: &ast::Expr) -> BindResult<Expr> {
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
    pub(super) fn expr_complex(&mut self, e: &ast::Expr) -> BindResult<Expr> {
        let p = pos(e.span);
        Ok(match &e.kind {
            ExprKind::Property { base, key } => {
                if let ExprKind::Var(v) = &base.kind
                    && let Some(var) = self.scope.get(&v.name)
                    && matches!(var.kind, VarKind::Path | VarKind::RelList)
                {
                    return err(
                        SemanticKind::InvalidArgumentType,
                        format!(
                            "'{}' is a path or a list of relationships; it has no properties",
                            v.name
                        ),
                        e.span,
                    );
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

    /// A literal that cannot be a boolean, or a node, relationship or path variable, where a
    /// boolean is required is an error before anything runs.
    pub(super) fn check_boolean(&self, ast: &ast::Expr, bound: &Expr) -> BindResult<()> {
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
    pub(super) fn check_arithmetic(
        &self,
        op: ast::BinaryOp,
        ast: &ast::Expr,
        bound: &Expr,
    ) -> BindResult<()> {
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

    pub(super) fn push_local(&mut self, var: &Ident) -> (Slot, Option<Var>) {
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

    pub(super) fn pop_local(&mut self, var: &Ident, saved: Option<Var>) {
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

    pub(super) fn aggregate(
        &mut self,
        f: AggFn,
        distinct: bool,
        args: &[ast::Expr],
        span: Span,
    ) -> BindResult<Expr> {
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

    pub(super) fn call(
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
        if *f == Func::Properties
            && let (Some(Expr::Const(v)), Some(a)) = (bound.first(), args.first())
            && !matches!(v, Value::Map(_) | Value::Null)
        {
            return err(
                SemanticKind::InvalidArgumentType,
                format!(
                    "properties() needs a node, a relationship or a map, not a {}",
                    v.type_name()
                ),
                a.span,
            );
        }
        Ok(Expr::Call(*f, bound, pos(span)))
    }

    pub(crate) fn resolve_key(&mut self, name: &str) -> Option<KeyId> {
        self.resolver.key(name)
    }
}
