//! The built-in scalar functions.

use super::error::{ExecError, ExecKind, ExecResult};
use super::eval::to_text;
use super::Ctx;
use crate::graph::Value;
use crate::query::plan::Func;

fn arg_error(message: impl Into<String>) -> ExecError {
    ExecError::new(ExecKind::Argument, message)
}

fn type_error(f: &str, v: &Value) -> ExecError {
    ExecError::type_error(format!("{f}() cannot take a {} argument", v.type_name()))
}

fn int_arg(f: &str, v: &Value) -> ExecResult<i64> {
    match v {
        Value::Int(i) => Ok(*i),
        Value::Float(x) if x.fract() == 0.0 => float_to_int(*x).ok_or_else(|| type_error(f, v)),
        other => Err(type_error(f, other)),
    }
}

/// The integer part of `x` when it is an integer of 64 bits (-2^63 <= trunc(x) < 2^63),
/// else `None` (NaN, infinities, and everything a cast would saturate).
fn float_to_int(x: f64) -> Option<i64> {
    // 2^63 is exact as a float; i64::MAX is not (it rounds up to 2^63).
    const TWO_63: f64 = 9_223_372_036_854_775_808.0;
    let t = x.trunc();
    (-TWO_63..TWO_63).contains(&t).then_some(t as i64)
}

fn num(f: &str, v: &Value) -> ExecResult<f64> {
    v.as_float().ok_or_else(|| type_error(f, v))
}

fn parse_int(s: &str) -> Option<i64> {
    let t = s.trim();
    t.parse::<i64>()
        .ok()
        .or_else(|| float_to_int(t.parse::<f64>().ok()?))
}

/// `toInteger`: `Some(None)` for null and for a string that is no integer, `None` for a
/// value of another type. A float outside the 64-bit integers is an `ArithmeticError`
/// (Neo4j's cast would saturate; `toIntegerOrNull` gives null).
fn to_integer(v: &Value) -> ExecResult<Option<Option<i64>>> {
    Ok(match v {
        Value::Null => Some(None),
        Value::Int(i) => Some(Some(*i)),
        Value::Float(f) => Some(Some(float_to_int(*f).ok_or_else(|| {
            ExecError::new(
                ExecKind::Arithmetic,
                format!("toInteger() of {f} overflows a 64-bit integer"),
            )
        })?)),
        Value::String(s) => Some(parse_int(s)),
        Value::Bool(b) => Some(Some(i64::from(*b))),
        _ => None,
    })
}

fn to_float(v: &Value) -> Option<Option<f64>> {
    match v {
        Value::Null => Some(None),
        Value::Int(i) => Some(Some(*i as f64)),
        Value::Float(f) => Some(Some(*f)),
        Value::String(s) => Some(s.trim().parse::<f64>().ok()),
        _ => None,
    }
}

fn to_boolean(v: &Value) -> Option<Option<bool>> {
    match v {
        Value::Null => Some(None),
        Value::Bool(b) => Some(Some(*b)),
        Value::String(s) => Some(match s.trim().to_ascii_lowercase().as_str() {
            "true" => Some(true),
            "false" => Some(false),
            _ => None,
        }),
        Value::Int(i) => Some(Some(*i != 0)),
        _ => None,
    }
}

pub(crate) fn call(ctx: &Ctx<'_>, f: Func, args: Vec<Value>) -> ExecResult<Value> {
    use Value::*;
    if let Func::Temporal(t) = f {
        return super::temporal::call(ctx, t, &args);
    }
    let a0 = args.first().cloned().unwrap_or(Null);
    let a1 = args.get(1).cloned().unwrap_or(Null);
    // Most functions return null on a null first argument.
    let null_in =
        a0.is_null() && !matches!(f, Func::Coalesce | Func::Exists | Func::Pi | Func::E | Func::Rand);
    if null_in && !matches!(f, Func::Range) {
        return Ok(Null);
    }
    Ok(match f {
        Func::Id => match a0 {
            Node(n) => Int(i64::from(n.index())),
            Relationship(r) => Int(i64::from(r.index())),
            other => return Err(type_error("id", &other)),
        },
        Func::Labels => match a0 {
            Node(n) => {
                // openCypher: the labels of a deleted node cannot be read (the type of a
                // deleted relationship can).
                let data = ctx.graph.node_data(n)?;
                List(
                    data.labels
                        .iter()
                        .map(|l| Value::from(ctx.graph.symbols.label_name(*l)))
                        .collect(),
                )
            }
            other => return Err(type_error("labels", &other)),
        },
        Func::Type => match a0 {
            Relationship(r) => {
                let ty = match ctx.graph.rel_data(r) {
                    Ok(data) => data.ty,
                    Err(e) => *ctx.deleted.and_then(|t| t.rels.get(&r)).ok_or(e)?,
                };
                Value::from(ctx.graph.symbols.type_name(ty))
            }
            other => return Err(type_error("type", &other)),
        },
        Func::Properties => ctx.properties_of(&a0)?,
        Func::Keys => match ctx.properties_of(&a0)? {
            Map(m) => List(m.keys().map(|k| Value::from(k.as_str())).collect()),
            other => return Err(type_error("keys", &other)),
        },
        Func::Size => match a0 {
            List(l) => Int(l.len() as i64),
            String(s) => Int(s.chars().count() as i64),
            Map(m) => Int(m.len() as i64),
            other => return Err(type_error("size", &other)),
        },
        Func::Length => match a0 {
            Path(p) => Int(p.len() as i64),
            List(l) => Int(l.len() as i64),
            String(s) => Int(s.chars().count() as i64),
            other => return Err(type_error("length", &other)),
        },
        Func::Resolve => {
            let Some(text) = a0.as_str() else {
                return Err(type_error("kg.resolve", &a0));
            };
            let limit = match a1 {
                Null => 5,
                ref v => int_arg("kg.resolve", v)?,
            };
            if limit < 0 {
                return Err(arg_error("kg.resolve() takes a limit of 0 or more"));
            }
            let limit = usize::try_from(limit).unwrap_or(usize::MAX);
            List(
                ctx.graph
                    .resolve_ranked(text, limit)
                    .into_iter()
                    .map(|(n, score)| {
                        Value::from(std::collections::BTreeMap::from([
                            ("node".to_owned(), Node(n)),
                            ("score".to_owned(), Float(score)),
                        ]))
                    })
                    .collect(),
            )
        }
        Func::IsEmpty => match a0 {
            List(l) => Bool(l.is_empty()),
            String(s) => Bool(s.is_empty()),
            Map(m) => Bool(m.is_empty()),
            other => return Err(type_error("isEmpty", &other)),
        },
        Func::Head => match a0 {
            List(l) => l.into_iter().next().unwrap_or(Null),
            other => return Err(type_error("head", &other)),
        },
        Func::Last => match a0 {
            List(l) => l.into_iter().last().unwrap_or(Null),
            other => return Err(type_error("last", &other)),
        },
        Func::Tail => match a0 {
            List(l) => List(l.into_iter().skip(1).collect()),
            other => return Err(type_error("tail", &other)),
        },
        Func::Coalesce => args.into_iter().find(|v| !v.is_null()).unwrap_or(Null),
        Func::ToString | Func::ToStringOrNull => match to_text(&a0) {
            Some(s) => Value::from(s),
            None if f == Func::ToStringOrNull => Null,
            None => return Err(type_error("toString", &a0)),
        },
        Func::ToInteger | Func::ToIntegerOrNull => match to_integer(&a0) {
            Err(_) if f == Func::ToIntegerOrNull => Null,
            Err(e) => return Err(e),
            Ok(Some(v)) => v.map_or(Null, Int),
            Ok(None) if f == Func::ToIntegerOrNull => Null,
            Ok(None) => return Err(type_error("toInteger", &a0)),
        },
        Func::ToFloat | Func::ToFloatOrNull => match to_float(&a0) {
            Some(v) => v.map_or(Null, Float),
            None if f == Func::ToFloatOrNull => Null,
            None => return Err(type_error("toFloat", &a0)),
        },
        Func::ToBoolean | Func::ToBooleanOrNull => match (&a0, to_boolean(&a0)) {
            (Int(_), _) if f == Func::ToBoolean => return Err(type_error("toBoolean", &a0)),
            (_, Some(v)) => v.map_or(Null, Bool),
            (_, None) if f == Func::ToBooleanOrNull => Null,
            (_, None) => return Err(type_error("toBoolean", &a0)),
        },
        Func::ToUpper | Func::ToLower | Func::Trim | Func::LTrim | Func::RTrim | Func::Reverse => match a0 {
            String(s) => Value::from(match f {
                Func::ToUpper => s.to_uppercase(),
                Func::ToLower => s.to_lowercase(),
                Func::Trim => s.trim().to_owned(),
                Func::LTrim => s.trim_start().to_owned(),
                Func::RTrim => s.trim_end().to_owned(),
                _ => s.chars().rev().collect(),
            }),
            List(mut l) if f == Func::Reverse => {
                l.reverse();
                List(l)
            }
            other => return Err(type_error("string function", &other)),
        },
        Func::Substring => {
            let String(s) = a0 else {
                return Err(type_error("substring", &a0));
            };
            let start = int_arg("substring", &a1)?;
            if start < 0 {
                return Err(arg_error("substring() start must not be negative"));
            }
            let chars = s.chars().skip(start as usize);
            match args.get(2) {
                None => Value::from(chars.collect::<std::string::String>()),
                Some(Null) => Null,
                Some(len) => {
                    let len = int_arg("substring", len)?;
                    if len < 0 {
                        return Err(arg_error("substring() length must not be negative"));
                    }
                    Value::from(chars.take(len as usize).collect::<std::string::String>())
                }
            }
        }
        Func::Left | Func::Right => {
            let String(s) = a0 else {
                return Err(type_error("left/right", &a0));
            };
            if a1.is_null() {
                return Err(arg_error("left()/right() need a length"));
            }
            let n = int_arg("left/right", &a1)?;
            if n < 0 {
                return Err(arg_error("left()/right() length must not be negative"));
            }
            let count = s.chars().count();
            let n = (n as usize).min(count);
            Value::from(if f == Func::Left {
                s.chars().take(n).collect::<std::string::String>()
            } else {
                s.chars().skip(count - n).collect()
            })
        }
        Func::Replace => {
            let (Some(s), Some(from)) = (a0.as_str(), a1.as_str()) else {
                if a1.is_null() || args.get(2).is_some_and(Value::is_null) {
                    return Ok(Null);
                }
                return Err(type_error("replace", &a0));
            };
            match args.get(2) {
                Some(String(to)) => {
                    // The result's size is known before it is built: refuse one past the
                    // memory budget (a replacement can multiply a string's length).
                    if to.len() > from.len() {
                        let hits = if from.is_empty() {
                            s.chars().count() + 1
                        } else {
                            s.matches(from).count()
                        };
                        let grow = hits.saturating_mul(to.len() - from.len());
                        ctx.check_text(s.len().saturating_add(grow))?;
                    }
                    Value::from(s.replace(from, to))
                }
                Some(Null) => Null,
                Some(other) => return Err(type_error("replace", other)),
                None => return Err(arg_error("replace() needs three arguments")),
            }
        }
        Func::Split => match (a0.as_str(), &a1) {
            (_, Null) => Null,
            // Splitting on the empty string gives the characters.
            (Some(s), String(sep)) if sep.is_empty() => {
                ctx.check_list(s.chars().count())?;
                List(s.chars().map(|c| Value::from(c.to_string())).collect())
            }
            (Some(s), String(sep)) => {
                ctx.check_list(s.matches(&**sep).count() + 1)?;
                List(s.split(&**sep).map(Value::from).collect())
            }
            _ => return Err(type_error("split", &a0)),
        },
        Func::Abs => match a0 {
            Int(i) => Int(i
                .checked_abs()
                .ok_or_else(|| ExecError::new(ExecKind::Arithmetic, "integer overflow"))?),
            Float(x) => Float(x.abs()),
            other => return Err(type_error("abs", &other)),
        },
        Func::Sign => match a0 {
            Int(i) => Int(i.signum()),
            Float(x) => Int(if x > 0.0 {
                1
            } else if x < 0.0 {
                -1
            } else {
                0
            }),
            other => return Err(type_error("sign", &other)),
        },
        Func::Ceil | Func::Floor | Func::Round => {
            let x = num("round", &a0)?;
            Float(match f {
                Func::Ceil => x.ceil(),
                Func::Floor => x.floor(),
                // Cypher rounds half up (towards positive infinity).
                _ => (x + 0.5).floor(),
            })
        }
        Func::Sqrt
        | Func::Exp
        | Func::Log
        | Func::Log10
        | Func::Sin
        | Func::Cos
        | Func::Tan
        | Func::Asin
        | Func::Acos
        | Func::Atan => {
            let x = num("math", &a0)?;
            Float(match f {
                Func::Sqrt => x.sqrt(),
                Func::Exp => x.exp(),
                Func::Log => x.ln(),
                Func::Log10 => x.log10(),
                Func::Sin => x.sin(),
                Func::Cos => x.cos(),
                Func::Tan => x.tan(),
                Func::Asin => x.asin(),
                Func::Acos => x.acos(),
                _ => x.atan(),
            })
        }
        Func::Atan2 => {
            if a1.is_null() {
                return Ok(Null);
            }
            Float(num("atan2", &a0)?.atan2(num("atan2", &a1)?))
        }
        Func::Pi => Float(std::f64::consts::PI),
        Func::E => Float(std::f64::consts::E),
        Func::Rand => Float(pseudo_random()),
        Func::Range => {
            let (start, step, count) = range_bounds(&args)?;
            if count > super::MAX_RANGE as u64 {
                return Err(ExecError::new(
                    ExecKind::LimitExceeded,
                    format!(
                        "range() would make {count} elements (at most {})",
                        super::MAX_RANGE
                    ),
                ));
            }
            ctx.check_list(count as usize)?;
            List(RangeItems::new(start, step, count).collect())
        }
        Func::Nodes => match a0 {
            Path(p) => List(p.nodes().iter().map(|n| Node(*n)).collect()),
            other => return Err(type_error("nodes", &other)),
        },
        Func::Relationships => match a0 {
            Path(p) => List(p.relationships().iter().map(|r| Relationship(*r)).collect()),
            other => return Err(type_error("relationships", &other)),
        },
        Func::StartNode | Func::EndNode => match a0 {
            Relationship(r) => {
                let (s, e) = ctx.graph.rel_endpoints(r)?;
                Node(if f == Func::StartNode { s } else { e })
            }
            other => return Err(type_error("startNode/endNode", &other)),
        },
        Func::Temporal(_) => Null,
        Func::Exists => Bool(!a0.is_null()),
    })
}

/// The first value, step and length of `range(args...)`, checked as Cypher checks them.
pub(crate) fn range_bounds(args: &[Value]) -> ExecResult<(i64, i64, u64)> {
    if args.iter().any(Value::is_null) {
        return Err(arg_error("range() bounds cannot be null"));
    }
    let strict = |v: Option<&Value>| match v {
        Some(Value::Int(i)) => Ok(*i),
        Some(other) => Err(arg_error(format!(
            "range() takes integers, not a {}",
            other.type_name()
        ))),
        None => Err(arg_error("range() takes two or three integers")),
    };
    let start = strict(args.first())?;
    let end = strict(args.get(1))?;
    let step = match args.get(2) {
        Some(v) => strict(Some(v))?,
        None => 1,
    };
    if step == 0 {
        return Err(arg_error("range() step cannot be zero"));
    }
    let count = if (step > 0 && start > end) || (step < 0 && start < end) {
        0
    } else {
        // Up to 2^64 items (i64::MIN..=i64::MAX): more than any budget, so saturate.
        u64::try_from((i128::from(end) - i128::from(start)) / i128::from(step) + 1).unwrap_or(u64::MAX)
    };
    Ok((start, step, count))
}

/// The items of a `range()`, one by one.
pub(crate) struct RangeItems {
    next: i128,
    step: i128,
    left: u64,
}

impl RangeItems {
    pub(crate) fn new(start: i64, step: i64, count: u64) -> RangeItems {
        RangeItems {
            next: i128::from(start),
            step: i128::from(step),
            left: count,
        }
    }
}

impl Iterator for RangeItems {
    type Item = Value;
    fn next(&mut self) -> Option<Value> {
        if self.left == 0 {
            return None;
        }
        self.left -= 1;
        let v = i64::try_from(self.next).ok()?;
        self.next += self.step;
        Some(Value::Int(v))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = usize::try_from(self.left).unwrap_or(usize::MAX);
        (n, Some(n))
    }
}

/// A cheap non-cryptographic random float in [0, 1), for `rand()`.
fn pseudo_random() -> f64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(0x9e37_79b9_7f4a_7c15);
    (h.finish() >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::float_to_int;

    #[test]
    fn float_to_int_takes_exactly_the_64_bit_integers() {
        assert_eq!(float_to_int(-9_223_372_036_854_775_808.0), Some(i64::MIN));
        assert_eq!(
            float_to_int(9_223_372_036_854_774_784.0),
            Some(9_223_372_036_854_774_784)
        );
        assert_eq!(float_to_int(9_223_372_036_854_775_808.0), None);
        assert_eq!(float_to_int(-9_223_372_036_854_777_856.0), None);
        assert_eq!(float_to_int(-1.9), Some(-1));
        assert_eq!(float_to_int(f64::NAN), None);
        assert_eq!(float_to_int(f64::INFINITY), None);
        assert_eq!(float_to_int(f64::NEG_INFINITY), None);
    }
}
