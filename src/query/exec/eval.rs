//! Expression evaluation with Cypher's null semantics and three-valued logic.

use std::borrow::Cow;
use std::cmp::Ordering;
use std::collections::BTreeMap;

use super::error::{ExecError, ExecKind, ExecResult};
use super::functions::call;
use super::Ctx;
use crate::graph::Value;
use crate::query::plan::{ArithOp, CmpOp, Expr, MapProjItem, Pos, Quantifier, StrOp};

/// A row: one value per slot.
pub(crate) type Row = Vec<Value>;

fn bool_or_null(v: Value, what: &str) -> ExecResult<Option<bool>> {
    match v {
        Value::Bool(b) => Ok(Some(b)),
        Value::Null => Ok(None),
        other => Err(ExecError::type_error(format!(
            "{what} expects a Boolean, got {} {other}",
            other.type_name()
        ))),
    }
}

fn opt(b: Option<bool>) -> Value {
    b.map_or(Value::Null, Value::Bool)
}

impl Ctx<'_> {
    /// Evaluates a predicate: `null` counts as false.
    #[inline]
    pub(crate) fn truthy(&self, e: &Expr, row: &Row) -> ExecResult<bool> {
        if let Expr::Cmp(op @ (CmpOp::Eq | CmpOp::Ne), a, b) = e
            && let (Expr::Slot(a), Expr::Slot(b)) = (&**a, &**b)
            && let (Some(a), Some(b)) = (row.get(*a), row.get(*b))
        {
            // `x <> c` between two variables of a pattern: two nodes (or relationships) are
            // equal by id, read straight from the row.
            let same = match (a, b) {
                (Value::Node(x), Value::Node(y)) => Some(x == y),
                (Value::Relationship(x), Value::Relationship(y)) => Some(x == y),
                _ => None,
            };
            if let Some(same) = same {
                return Ok(same == (*op == CmpOp::Eq));
            }
        }
        self.truthy_other(e, row)
    }

    /// `truthy` past its inlined fast path: its own frame, so that the fast path needs none.
    #[inline(never)]
    fn truthy_other(&self, e: &Expr, row: &Row) -> ExecResult<bool> {
        if let Expr::Cmp(op, a, b) = e {
            if let (Some(a), Some(b)) = (self.peek(a, row), self.peek(b, row)) {
                return Ok(matches!(compare(*op, a, b), Value::Bool(true)));
            }
            // The usual WHERE: a comparison of values read in place, without a pass through
            // `eval` (a large frame) or a Value for the result (always a boolean or null).
            let (a, b) = (self.eval_ref(a, row)?, self.eval_ref(b, row)?);
            // Two nodes or two relationships (`x <> c` in a pattern's WHERE) are equal by id.
            let same = match (&*a, &*b) {
                (Value::Node(x), Value::Node(y)) => Some(x == y),
                (Value::Relationship(x), Value::Relationship(y)) => Some(x == y),
                _ => None,
            };
            match (same, op) {
                (Some(same), CmpOp::Eq) => return Ok(same),
                (Some(same), CmpOp::Ne) => return Ok(!same),
                _ => {}
            }
            return Ok(matches!(compare(*op, &a, &b), Value::Bool(true)));
        }
        Ok(bool_or_null(self.eval(e, row)?, "WHERE")?.unwrap_or(false))
    }

    /// The value of `e` by reference, when reading it can neither fail nor build a value: a
    /// constant, a slot, a given parameter, or a stored property of the node or relationship
    /// in a slot (`Null` when it has none); `None` for anything else, which `eval_ref` then
    /// evaluates. A hot loop's filters, checks and aggregates read through this first: a
    /// reference comes back in a register, where the `Result` of `eval_ref` is written to and
    /// read back from memory.
    #[inline]
    pub(crate) fn peek<'e>(&'e self, e: &'e Expr, row: &'e Row) -> Option<&'e Value> {
        match e {
            Expr::Slot(s) => Some(row.get(*s).unwrap_or(&NULL)),
            Expr::Const(v) => Some(v),
            Expr::Param(name) => self.params.get(&**name),
            Expr::Prop(base, _, Some(key)) => {
                let Expr::Slot(s) = &**base else {
                    return None;
                };
                let props = match row.get(*s)? {
                    Value::Node(id) => &self.graph.node_data(*id).ok()?.props,
                    Value::Relationship(id) => &self.graph.rel_data(*id).ok()?.props,
                    _ => return None,
                };
                Some(props.get(*key).unwrap_or(&NULL))
            }
            _ => None,
        }
    }

    /// Evaluates without cloning what the expression only reads: a constant, a parameter, a
    /// slot of the row, or a property of a node or relationship. Cloning a string value is an
    /// atomic reference count change, which threads aggregating together contend on.
    #[inline]
    pub(crate) fn eval_ref<'e>(&'e self, e: &'e Expr, row: &'e Row) -> ExecResult<Cow<'e, Value>> {
        // A variable, the commonest argument of a filter or an aggregate, is read here, without
        // a call: the rest goes through the larger function below.
        if let Expr::Slot(s) = e {
            return Ok(row.get(*s).map_or(Cow::Owned(Value::Null), Cow::Borrowed));
        }
        self.eval_ref_other(e, row)
    }

    fn eval_ref_other<'e>(&'e self, e: &'e Expr, row: &'e Row) -> ExecResult<Cow<'e, Value>> {
        match e {
            Expr::Const(v) => Ok(Cow::Borrowed(v)),
            Expr::Param(name) => match self.params.get(&**name) {
                Some(v) => Ok(Cow::Borrowed(v)),
                None => self.eval_full(e, row).map(Cow::Owned),
            },
            Expr::Slot(s) => Ok(row.get(*s).map_or(Cow::Owned(Value::Null), Cow::Borrowed)),
            Expr::Prop(base, name, key) => {
                let base = self.eval_ref(base, row)?;
                let props = match (&*base, key) {
                    (Value::Node(id), Some(_)) => self.graph.node_data(*id).ok().map(|d| &d.props),
                    (Value::Relationship(id), Some(_)) => self.graph.rel_data(*id).ok().map(|d| &d.props),
                    _ => None,
                };
                match (props, key) {
                    (Some(props), Some(k)) => {
                        Ok(props.get(*k).map_or(Cow::Owned(Value::Null), Cow::Borrowed))
                    }
                    _ => self.property(&base, name, *key).map(Cow::Owned),
                }
            }
            _ => self.eval_full(e, row).map(Cow::Owned),
        }
    }

    /// The value of `e` in `row`. Constants, slots, parameters and properties are read here;
    /// the rest in `eval_full`, whose frame is large, so that a short query's projections
    /// stay on a few lines of code and stack.
    #[inline]
    pub(crate) fn eval(&self, e: &Expr, row: &Row) -> ExecResult<Value> {
        match e {
            Expr::Const(v) => Ok(v.clone()),
            Expr::Slot(s) => Ok(row.get(*s).cloned().unwrap_or(Value::Null)),
            Expr::Param(_) | Expr::Prop(..) => match self.peek(e, row) {
                Some(v) => Ok(v.clone()),
                None => self.eval_ref(e, row).map(Cow::into_owned),
            },
            _ => self.eval_full(e, row),
        }
    }

    #[inline(never)]
    fn eval_full(&self, e: &Expr, row: &Row) -> ExecResult<Value> {
        match e {
            Expr::Const(v) => Ok(v.clone()),
            Expr::Param(name) => self.params.get(&**name).cloned().ok_or_else(|| {
                ExecError::new(
                    ExecKind::ParameterMissing,
                    format!("parameter ${name} is missing"),
                )
            }),
            Expr::Slot(s) => Ok(row.get(*s).cloned().unwrap_or(Value::Null)),
            Expr::Prop(base, name, key) => {
                let base = self.eval(base, row)?;
                self.property(&base, name, *key)
            }
            Expr::Index(base, idx, pos) => {
                let base = self.eval(base, row)?;
                let idx = self.eval(idx, row)?;
                self.index(base, idx).map_err(|e| e.at(*pos))
            }
            Expr::Slice(base, from, to, pos) => {
                let base = self.eval(base, row)?;
                let from = from.as_ref().map(|f| self.eval(f, row)).transpose()?;
                let to = to.as_ref().map(|t| self.eval(t, row)).transpose()?;
                slice(base, from, to).map_err(|e| e.at(*pos))
            }
            Expr::HasLabels(base, labels) => match self.eval(base, row)? {
                Value::Null => Ok(Value::Null),
                Value::Node(id) => {
                    let data = self.graph.node_data(id)?;
                    Ok(Value::Bool(labels.iter().all(|l| {
                        l.is_some_and(|l| data.labels.binary_search(&l).is_ok())
                    })))
                }
                other => Err(ExecError::type_error(format!(
                    "a label test needs a node, got {}",
                    other.type_name()
                ))),
            },
            Expr::Not(inner) => Ok(opt(bool_or_null(self.eval(inner, row)?, "NOT")?.map(|b| !b))),
            Expr::And(a, b) => {
                let a = bool_or_null(self.eval(a, row)?, "AND")?;
                if a == Some(false) {
                    return Ok(Value::Bool(false));
                }
                let b = bool_or_null(self.eval(b, row)?, "AND")?;
                Ok(match (a, b) {
                    (_, Some(false)) => Value::Bool(false),
                    (Some(true), Some(true)) => Value::Bool(true),
                    _ => Value::Null,
                })
            }
            Expr::Or(a, b) => {
                let a = bool_or_null(self.eval(a, row)?, "OR")?;
                if a == Some(true) {
                    return Ok(Value::Bool(true));
                }
                let b = bool_or_null(self.eval(b, row)?, "OR")?;
                Ok(match (a, b) {
                    (_, Some(true)) => Value::Bool(true),
                    (Some(false), Some(false)) => Value::Bool(false),
                    _ => Value::Null,
                })
            }
            Expr::Xor(a, b) => {
                let a = bool_or_null(self.eval(a, row)?, "XOR")?;
                let b = bool_or_null(self.eval(b, row)?, "XOR")?;
                Ok(opt(a.zip(b).map(|(a, b)| a != b)))
            }
            Expr::Neg(inner, pos) => match self.eval(inner, row)? {
                Value::Null => Ok(Value::Null),
                Value::Int(i) => i
                    .checked_neg()
                    .map(Value::Int)
                    .ok_or_else(|| ExecError::new(ExecKind::Arithmetic, "integer overflow").at(*pos)),
                Value::Float(f) => Ok(Value::Float(-f)),
                other => Err(ExecError::type_error(format!("cannot negate {}", other.type_name())).at(*pos)),
            },
            Expr::Arith(op, a, b, pos) => {
                let a = self.eval(a, row)?;
                let b = self.eval(b, row)?;
                if *op == ArithOp::Add {
                    self.check_concat(&a, &b).map_err(|e| e.at(*pos))?;
                }
                arith(*op, a, b).map_err(|e| e.at(*pos))
            }
            Expr::Cmp(op, a, b) => {
                let a = self.eval_ref(a, row)?;
                let b = self.eval_ref(b, row)?;
                Ok(compare(*op, &a, &b))
            }
            Expr::CmpChain(operands, ops) => {
                let mut result = Some(true);
                let mut left = match operands.first() {
                    Some(e) => self.eval(e, row)?,
                    None => return Ok(Value::Null),
                };
                for (op, right) in ops.iter().zip(operands.iter().skip(1)) {
                    let right = self.eval(right, row)?;
                    match compare(*op, &left, &right) {
                        Value::Bool(false) => return Ok(Value::Bool(false)),
                        Value::Bool(true) => {}
                        _ => result = None,
                    }
                    left = right;
                }
                Ok(opt(result))
            }
            Expr::IsNull(inner, negated) => Ok(Value::Bool(self.eval(inner, row)?.is_null() != *negated)),
            Expr::In(item, list, pos) => {
                let item = self.eval(item, row)?;
                match self.eval(list, row)? {
                    Value::Null => Ok(Value::Null),
                    Value::List(items) => Ok(in_list(&item, &items)),
                    other => Err(ExecError::type_error(format!(
                        "IN expects a list, got {}",
                        other.type_name()
                    ))
                    .at(*pos)),
                }
            }
            Expr::Str(op, a, b) => {
                let (a, b) = (self.eval(a, row)?, self.eval(b, row)?);
                Ok(match (a.as_str(), b.as_str()) {
                    (Some(a), Some(b)) => Value::Bool(match op {
                        StrOp::StartsWith => a.starts_with(b),
                        StrOp::EndsWith => a.ends_with(b),
                        StrOp::Contains => a.contains(b),
                    }),
                    _ => Value::Null,
                })
            }
            Expr::Regex(a, b, pos) => {
                let (a, b) = (self.eval(a, row)?, self.eval(b, row)?);
                match (a.as_str(), b.as_str()) {
                    (Some(text), Some(pattern)) => {
                        let re = regex::Regex::new(&format!("^(?:{pattern})$")).map_err(|e| {
                            ExecError::new(ExecKind::Argument, format!("invalid regular expression: {e}"))
                                .at(*pos)
                        })?;
                        Ok(Value::Bool(re.is_match(text)))
                    }
                    _ => Ok(Value::Null),
                }
            }
            Expr::List(items) => Ok(Value::List(
                items
                    .iter()
                    .map(|i| self.eval(i, row))
                    .collect::<ExecResult<_>>()?,
            )),
            Expr::Map(entries) => {
                let mut m = BTreeMap::new();
                for (k, v) in entries {
                    m.insert(k.to_string(), self.eval(v, row)?);
                }
                Ok(Value::from(m))
            }
            Expr::Case {
                operand,
                whens,
                otherwise,
            } => {
                let subject = operand.as_ref().map(|o| self.eval(o, row)).transpose()?;
                for (when, then) in whens {
                    let w = self.eval(when, row)?;
                    let hit = match &subject {
                        Some(s) => s.cypher_eq(&w) == Some(true),
                        None => w == Value::Bool(true),
                    };
                    if hit {
                        return self.eval(then, row);
                    }
                }
                otherwise.as_ref().map_or(Ok(Value::Null), |o| self.eval(o, row))
            }
            Expr::Call(f, args, pos) => {
                let args = args
                    .iter()
                    .map(|a| self.eval(a, row))
                    .collect::<ExecResult<Vec<_>>>()?;
                call(self, *f, args).map_err(|e| e.at(*pos))
            }
            Expr::ListComp {
                var,
                list,
                pred,
                map,
                pos,
            } => {
                let Some(items) = self.list_arg(list, row, *pos)? else {
                    return Ok(Value::Null);
                };
                let mut scratch = row.clone();
                let mut out = Vec::new();
                // What the list holds while it is built counts against the memory budget.
                let mut held = self.held("a list comprehension");
                for item in items {
                    self.tick()?;
                    set_slot(&mut scratch, *var, item.clone());
                    if let Some(p) = pred
                        && !self.truthy(p, &scratch)?
                    {
                        continue;
                    }
                    let v = match map {
                        Some(m) => self.eval(m, &scratch)?,
                        None => item,
                    };
                    held.bytes(super::budget::value_bytes(&v))?;
                    out.push(v);
                }
                Ok(Value::List(out))
            }
            Expr::Quant {
                kind,
                var,
                list,
                pred,
                pos,
            } => {
                let Some(items) = self.list_arg(list, row, *pos)? else {
                    return Ok(Value::Null);
                };
                let mut scratch = row.clone();
                let (mut trues, mut nulls, mut falses) = (0usize, 0usize, 0usize);
                for item in items {
                    self.tick()?;
                    set_slot(&mut scratch, *var, item);
                    match bool_or_null(self.eval(pred, &scratch)?, "a quantifier")? {
                        Some(true) => trues += 1,
                        Some(false) => falses += 1,
                        None => nulls += 1,
                    }
                }
                Ok(match kind {
                    Quantifier::Any if trues > 0 => Value::Bool(true),
                    Quantifier::Any if nulls > 0 => Value::Null,
                    Quantifier::Any => Value::Bool(false),
                    Quantifier::All if falses > 0 => Value::Bool(false),
                    Quantifier::All if nulls > 0 => Value::Null,
                    Quantifier::All => Value::Bool(true),
                    Quantifier::None if trues > 0 => Value::Bool(false),
                    Quantifier::None if nulls > 0 => Value::Null,
                    Quantifier::None => Value::Bool(true),
                    Quantifier::Single if trues > 1 => Value::Bool(false),
                    Quantifier::Single if nulls > 0 => Value::Null,
                    Quantifier::Single => Value::Bool(trues == 1),
                })
            }
            Expr::Reduce {
                acc,
                init,
                var,
                list,
                expr,
                pos,
            } => {
                let init = self.eval(init, row)?;
                let Some(items) = self.list_arg(list, row, *pos)? else {
                    return Ok(Value::Null);
                };
                let mut scratch = row.clone();
                set_slot(&mut scratch, *acc, init);
                for item in items {
                    self.tick()?;
                    set_slot(&mut scratch, *var, item);
                    let next = self.eval(expr, &scratch)?;
                    set_slot(&mut scratch, *acc, next);
                }
                Ok(scratch.get(*acc).cloned().unwrap_or(Value::Null))
            }
            Expr::Exists(pipeline) => Ok(Value::Bool(self.any_row(pipeline, row)?)),
            Expr::Sub(sub) => self.eval_sub(sub, row),
            Expr::PatternComp(pipeline, map) => {
                let rows = self.sub_rows(pipeline, row)?;
                self.check_list(rows.len())?;
                let out = rows
                    .iter()
                    .map(|r| self.eval(map, r))
                    .collect::<ExecResult<Vec<_>>>()?;
                Ok(Value::List(out))
            }
            Expr::MapProj(base, items, pos) => {
                let base = self.eval(base, row)?;
                if base.is_null() {
                    return Ok(Value::Null);
                }
                let mut m = BTreeMap::new();
                for item in items {
                    match item {
                        MapProjItem::Property(name, key) => {
                            let v = self.property(&base, name, *key).map_err(|e| e.at(*pos))?;
                            m.insert(name.to_string(), v);
                        }
                        MapProjItem::AllProperties => {
                            if let Value::Map(all) = self.properties_of(&base).map_err(|e| e.at(*pos))? {
                                m.extend(std::sync::Arc::unwrap_or_clone(all));
                            }
                        }
                        MapProjItem::Entry(name, e) => {
                            m.insert(name.to_string(), self.eval(e, row)?);
                        }
                    }
                }
                Ok(Value::from(m))
            }
        }
    }

    fn list_arg(&self, list: &Expr, row: &Row, pos: Pos) -> ExecResult<Option<Vec<Value>>> {
        match self.eval(list, row)? {
            Value::Null => Ok(None),
            Value::List(items) => Ok(Some(items)),
            other => {
                Err(ExecError::type_error(format!("expected a list, got {}", other.type_name())).at(pos))
            }
        }
    }

    /// `base.name`: a property of a node, relationship or map, or a field of a date.
    pub(crate) fn property(
        &self,
        base: &Value,
        name: &str,
        key: Option<crate::graph::KeyId>,
    ) -> ExecResult<Value> {
        match base {
            Value::Null => Ok(Value::Null),
            Value::Node(id) => match (key, self.graph.node_data(*id)) {
                (Some(k), Ok(data)) => Ok(data.props.get(k).cloned().unwrap_or(Value::Null)),
                (None, Ok(_)) => Ok(Value::Null),
                (_, Err(e)) => Err(self.deleted_access(e)),
            },
            Value::Relationship(id) => match (key, self.graph.rel_data(*id)) {
                (Some(k), Ok(data)) => Ok(data.props.get(k).cloned().unwrap_or(Value::Null)),
                (None, Ok(_)) => Ok(Value::Null),
                (_, Err(e)) => Err(self.deleted_access(e)),
            },
            Value::Map(m) => Ok(m.get(name).cloned().unwrap_or(Value::Null)),
            Value::Date(_)
            | Value::LocalTime(_)
            | Value::Time(_)
            | Value::LocalDateTime(_)
            | Value::DateTime(_)
            | Value::Duration(_) => super::temporal::component(base, name),
            other => Err(ExecError::type_error(format!(
                "cannot read property '{name}' of a {}",
                other.type_name()
            ))),
        }
    }

    fn deleted_access(&self, e: crate::graph::GraphError) -> ExecError {
        ExecError::new(
            ExecKind::EntityNotFound,
            format!("{e}: it was deleted, so its properties cannot be read"),
        )
    }

    /// The properties of a node or relationship as a map (a map stays itself).
    pub(crate) fn properties_of(&self, v: &Value) -> ExecResult<Value> {
        let props = match v {
            Value::Null => return Ok(Value::Null),
            Value::Map(_) => return Ok(v.clone()),
            Value::Node(id) => &self.graph.node_data(*id)?.props,
            Value::Relationship(id) => &self.graph.rel_data(*id)?.props,
            other => {
                return Err(ExecError::type_error(format!(
                    "properties() expects a node, relationship or map, got {}",
                    other.type_name()
                )))
            }
        };
        Ok(Value::Map(std::sync::Arc::new(
            props
                .iter()
                .map(|(k, v)| (self.graph.symbols.key_name(k).to_owned(), v.clone()))
                .collect(),
        )))
    }

    fn index(&self, base: Value, idx: Value) -> ExecResult<Value> {
        match (base, idx) {
            (Value::Null, _) | (_, Value::Null) => Ok(Value::Null),
            (Value::List(items), Value::Int(i)) => {
                let len = items.len() as i64;
                let i = if i < 0 { len + i } else { i };
                Ok(if (0..len).contains(&i) {
                    items.into_iter().nth(i as usize).unwrap_or(Value::Null)
                } else {
                    Value::Null
                })
            }
            (Value::List(_), other) => Err(ExecError::type_error(format!(
                "a list index must be an integer, got {}",
                other.type_name()
            ))),
            (Value::Map(m), Value::String(k)) => Ok(m.get(&*k).cloned().unwrap_or(Value::Null)),
            (base @ (Value::Node(_) | Value::Relationship(_)), Value::String(k)) => {
                let key = self.graph.symbols.find_key(&k);
                self.property(&base, &k, key)
            }
            (Value::Map(_) | Value::Node(_) | Value::Relationship(_), other) => Err(ExecError::type_error(
                format!("a map key must be a string, got {}", other.type_name()),
            )),
            (other, _) => Err(ExecError::type_error(format!(
                "cannot index into a {}",
                other.type_name()
            ))),
        }
    }
}

/// The value a missing slot or property reads as.
static NULL: Value = Value::Null;

pub(crate) fn set_slot(row: &mut Row, slot: usize, v: Value) {
    if row.len() <= slot {
        row.resize(slot + 1, Value::Null);
    }
    if let Some(old) = row.get_mut(slot) {
        let old = std::mem::replace(old, v);
        // An expansion overwrites a node and a relationship for every row it produces: values
        // that own no heap memory are let go without a call to the drop glue of `Value`.
        if matches!(
            old,
            Value::Null
                | Value::Bool(_)
                | Value::Int(_)
                | Value::Float(_)
                | Value::Node(_)
                | Value::Relationship(_)
        ) {
            std::mem::forget(old);
        }
    }
}

/// Writes the node `id` into `slot`: when the slot holds a node already (an expansion's loop
/// rewrites the same slot for every row), only the id is written, not a whole value moved.
#[inline]
pub(crate) fn set_node_slot(row: &mut Row, slot: usize, id: crate::graph::NodeId) {
    match row.get_mut(slot) {
        Some(Value::Node(n)) => *n = id,
        _ => set_slot(row, slot, Value::Node(id)),
    }
}

/// [`set_node_slot`] for a relationship.
#[inline]
pub(crate) fn set_rel_slot(row: &mut Row, slot: usize, id: crate::RelId) {
    match row.get_mut(slot) {
        Some(Value::Relationship(r)) => *r = id,
        _ => set_slot(row, slot, Value::Relationship(id)),
    }
}

fn slice(base: Value, from: Option<Value>, to: Option<Value>) -> ExecResult<Value> {
    let items = match base {
        Value::Null => return Ok(Value::Null),
        Value::List(items) => items,
        other => {
            return Err(ExecError::type_error(format!(
                "cannot slice a {}",
                other.type_name()
            )))
        }
    };
    let len = items.len() as i64;
    let bound = |v: Option<Value>, default: i64| -> ExecResult<Option<i64>> {
        match v {
            None => Ok(Some(default)),
            Some(Value::Null) => Ok(None),
            Some(Value::Int(i)) => Ok(Some(if i < 0 { (len + i).max(0) } else { i.min(len) })),
            Some(other) => Err(ExecError::new(
                ExecKind::Argument,
                format!("a slice bound must be an integer, got {}", other.type_name()),
            )),
        }
    };
    let (Some(a), Some(b)) = (bound(from, 0)?, bound(to, len)?) else {
        return Ok(Value::Null);
    };
    if a >= b {
        return Ok(Value::List(Vec::new()));
    }
    Ok(Value::List(
        items
            .into_iter()
            .skip(a as usize)
            .take((b - a) as usize)
            .collect(),
    ))
}

pub(crate) fn in_list(item: &Value, items: &[Value]) -> Value {
    let mut unknown = false;
    for x in items {
        match item.cypher_eq(x) {
            Some(true) => return Value::Bool(true),
            None => unknown = true,
            Some(false) => {}
        }
    }
    if unknown {
        Value::Null
    } else {
        Value::Bool(false)
    }
}

pub(crate) fn compare(op: CmpOp, a: &Value, b: &Value) -> Value {
    let nan = |v: &Value| matches!(v, Value::Float(f) if f.is_nan());
    let number = |v: &Value| matches!(v, Value::Int(_) | Value::Float(_));
    if op != CmpOp::Eq && op != CmpOp::Ne && (nan(a) || nan(b)) && number(a) && number(b) {
        // NaN is a number that is neither below, above nor equal to any number.
        return Value::Bool(false);
    }
    match op {
        CmpOp::Eq => opt(a.cypher_eq(b)),
        CmpOp::Ne => opt(a.cypher_eq(b).map(|x| !x)),
        _ => opt(a.cypher_cmp(b).map(|o| match op {
            CmpOp::Lt => o == Ordering::Less,
            CmpOp::Le => o != Ordering::Greater,
            CmpOp::Gt => o == Ordering::Greater,
            _ => o != Ordering::Less,
        })),
    }
}

fn overflow() -> ExecError {
    ExecError::new(ExecKind::Arithmetic, "integer overflow")
}

/// Renders a value the way string concatenation and `toString` do.
pub(crate) fn to_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.to_string()),
        Value::Int(i) => Some(i.to_string()),
        Value::Float(f) => {
            let mut s = String::new();
            crate::graph::value::write_float(&mut s, *f).ok()?;
            Some(s)
        }
        Value::Bool(b) => Some(b.to_string()),
        Value::Date(d) => Some(d.to_string()),
        Value::LocalTime(t) => Some(t.to_string()),
        Value::Time(t) => Some(t.to_string()),
        Value::LocalDateTime(t) => Some(t.to_string()),
        Value::DateTime(t) => Some(t.to_string()),
        Value::Duration(d) => Some(d.to_string()),
        _ => None,
    }
}

pub(crate) fn arith(op: ArithOp, a: Value, b: Value) -> ExecResult<Value> {
    use Value::*;
    if a.is_null() || b.is_null() {
        return Ok(Null);
    }
    if let Some(r) = super::temporal::arith(op, &a, &b) {
        return r;
    }
    match (op, a, b) {
        (ArithOp::Add, List(mut x), List(y)) => {
            x.extend(y);
            Ok(List(x))
        }
        (ArithOp::Add, List(mut x), y) => {
            x.push(y);
            Ok(List(x))
        }
        (ArithOp::Add, x, List(y)) => {
            let mut out = Vec::with_capacity(y.len() + 1);
            out.push(x);
            out.extend(y);
            Ok(List(out))
        }
        (ArithOp::Add, String(x), y @ (String(_) | Int(_) | Float(_))) => {
            Ok(Value::from(format!("{x}{}", to_text(&y).unwrap_or_default())))
        }
        (ArithOp::Add, x @ (Int(_) | Float(_)), String(y)) => {
            Ok(Value::from(format!("{}{y}", to_text(&x).unwrap_or_default())))
        }
        (op, Int(x), Int(y)) => match op {
            ArithOp::Add => x.checked_add(y).map(Int).ok_or_else(overflow),
            ArithOp::Sub => x.checked_sub(y).map(Int).ok_or_else(overflow),
            ArithOp::Mul => x.checked_mul(y).map(Int).ok_or_else(overflow),
            ArithOp::Div if y == 0 => Err(ExecError::new(ExecKind::Arithmetic, "division by zero")),
            ArithOp::Div => x.checked_div(y).map(Int).ok_or_else(overflow),
            ArithOp::Mod if y == 0 => Err(ExecError::new(ExecKind::Arithmetic, "modulo by zero")),
            // i64::MIN % -1 is 0, though the division behind it would overflow.
            ArithOp::Mod => Ok(Int(x.checked_rem(y).unwrap_or(0))),
            ArithOp::Pow => Ok(Float((x as f64).powf(y as f64))),
        },
        (op, x @ (Int(_) | Float(_)), y @ (Int(_) | Float(_))) => {
            let (x, y) = (x.as_float().unwrap_or(0.0), y.as_float().unwrap_or(0.0));
            Ok(Float(match op {
                ArithOp::Add => x + y,
                ArithOp::Sub => x - y,
                ArithOp::Mul => x * y,
                ArithOp::Div => x / y,
                ArithOp::Mod => x % y,
                ArithOp::Pow => x.powf(y),
            }))
        }
        (op, x, y) => Err(ExecError::type_error(format!(
            "cannot apply {} to {} and {}",
            match op {
                ArithOp::Add => "+",
                ArithOp::Sub => "-",
                ArithOp::Mul => "*",
                ArithOp::Div => "/",
                ArithOp::Mod => "%",
                ArithOp::Pow => "^",
            },
            x.type_name(),
            y.type_name()
        ))),
    }
}
