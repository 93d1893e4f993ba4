//! Conversions from a [`Value`] to the Rust types a caller reads it as (`TryFrom`), with an
//! error that names the expected and the actual type.
//!
//! Numbers convert without loss or not at all: an integer converts to a narrower integer type
//! only when it fits (`OutOfRange` otherwise), and to `f64` only when the float holds it
//! exactly (every integer of magnitude up to 2^53); a float never converts to an integer.

use std::sync::Arc;

use super::id::{NodeId, RelId};
use super::temporal::{Date, DateTime, Duration, LocalDateTime, LocalTime, Time};
use super::value::{Path, Value};

/// Why a [`Value`] could not be read as a Rust type.
///
/// ```
/// use kgraph::{Value, ValueError};
/// let err = i64::try_from(Value::from("x")).unwrap_err();
/// assert_eq!(err, ValueError::WrongType { expected: "Integer", actual: "String" });
/// assert!(matches!(u8::try_from(Value::Int(300)), Err(ValueError::OutOfRange { .. })));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ValueError {
    /// The value is of another type (`actual` is its Cypher type name, `Null` for null).
    #[error("expected {expected}, found {actual}")]
    WrongType {
        /// The Cypher type the conversion reads.
        expected: &'static str,
        /// The Cypher type of the value.
        actual: &'static str,
    },
    /// The value is of the right type but the target cannot hold it.
    #[error("{value} does not fit in {target}")]
    OutOfRange {
        /// The value, printed.
        value: String,
        /// The Rust type it was to fit in.
        target: &'static str,
    },
}

impl ValueError {
    /// The error for `value` read as `expected`.
    pub(crate) fn wrong(expected: &'static str, value: &Value) -> ValueError {
        ValueError::WrongType {
            expected,
            actual: value.type_name(),
        }
    }
}

/// The largest integer magnitude an `f64` holds exactly.
const F64_EXACT: i64 = 1 << 53;

macro_rules! try_from_both {
    ($t:ty, $expected:literal, |$v:ident| $body:expr_2021) => {
        impl TryFrom<&Value> for $t {
            type Error = ValueError;
            fn try_from($v: &Value) -> Result<$t, ValueError> {
                let out: Option<$t> = $body;
                out.ok_or_else(|| ValueError::wrong($expected, $v))
            }
        }
        impl TryFrom<Value> for $t {
            type Error = ValueError;
            fn try_from(v: Value) -> Result<$t, ValueError> {
                <$t>::try_from(&v)
            }
        }
    };
}

macro_rules! try_from_int {
    ($($t:ty),*) => {$(
        impl TryFrom<&Value> for $t {
            type Error = ValueError;
            fn try_from(v: &Value) -> Result<$t, ValueError> {
                match v {
                    Value::Int(i) => <$t>::try_from(*i).map_err(|_| ValueError::OutOfRange {
                        value: i.to_string(),
                        target: stringify!($t),
                    }),
                    other => Err(ValueError::wrong("Integer", other)),
                }
            }
        }
        impl TryFrom<Value> for $t {
            type Error = ValueError;
            fn try_from(v: Value) -> Result<$t, ValueError> {
                <$t>::try_from(&v)
            }
        }
    )*};
}

try_from_int!(i64, i32, i16, i8, u64, u32, u16, u8, usize, isize);

impl TryFrom<&Value> for f64 {
    type Error = ValueError;
    /// A float, or an integer of magnitude at most 2^53 (which a float holds exactly).
    fn try_from(v: &Value) -> Result<f64, ValueError> {
        match v {
            Value::Float(x) => Ok(*x),
            Value::Int(i) if (-F64_EXACT..=F64_EXACT).contains(i) => Ok(*i as f64),
            Value::Int(i) => Err(ValueError::OutOfRange {
                value: i.to_string(),
                target: "f64",
            }),
            other => Err(ValueError::wrong("Float", other)),
        }
    }
}
impl TryFrom<Value> for f64 {
    type Error = ValueError;
    fn try_from(v: Value) -> Result<f64, ValueError> {
        f64::try_from(&v)
    }
}

try_from_both!(bool, "Boolean", |v| v.as_bool());
try_from_both!(Date, "Date", |v| v.as_date());
try_from_both!(LocalTime, "LocalTime", |v| match v {
    Value::LocalTime(t) => Some(*t),
    _ => None,
});
try_from_both!(Time, "Time", |v| match v {
    Value::Time(t) => Some(*t),
    _ => None,
});
try_from_both!(LocalDateTime, "LocalDateTime", |v| match v {
    Value::LocalDateTime(t) => Some(*t),
    _ => None,
});
try_from_both!(DateTime, "DateTime", |v| match v {
    Value::DateTime(t) => Some(*t),
    _ => None,
});
try_from_both!(Duration, "Duration", |v| match v {
    Value::Duration(d) => Some(**d),
    _ => None,
});
try_from_both!(NodeId, "Node", |v| v.as_node());
try_from_both!(RelId, "Relationship", |v| match v {
    Value::Relationship(r) => Some(*r),
    _ => None,
});

impl TryFrom<&Value> for String {
    type Error = ValueError;
    fn try_from(v: &Value) -> Result<String, ValueError> {
        v.as_str()
            .map(str::to_owned)
            .ok_or_else(|| ValueError::wrong("String", v))
    }
}
impl TryFrom<Value> for String {
    type Error = ValueError;
    fn try_from(v: Value) -> Result<String, ValueError> {
        String::try_from(&v)
    }
}

impl TryFrom<&Value> for Arc<str> {
    type Error = ValueError;
    /// The shared text, without copying it.
    fn try_from(v: &Value) -> Result<Arc<str>, ValueError> {
        match v {
            Value::String(s) => Ok(s.clone()),
            other => Err(ValueError::wrong("String", other)),
        }
    }
}

impl TryFrom<&Value> for Path {
    type Error = ValueError;
    fn try_from(v: &Value) -> Result<Path, ValueError> {
        match v {
            Value::Path(p) => Ok(p.clone()),
            other => Err(ValueError::wrong("Path", other)),
        }
    }
}
impl TryFrom<Value> for Path {
    type Error = ValueError;
    fn try_from(v: Value) -> Result<Path, ValueError> {
        match v {
            Value::Path(p) => Ok(p),
            other => Err(ValueError::wrong("Path", &other)),
        }
    }
}

/// A list whose every element converts (`WrongType` names the element's type otherwise).
/// (`Option<T>` has no `TryFrom<Value>`: the standard library's `From<T> for Option<T>`
/// already gives `Option<Value>` one; read nullable cells with `Row::get::<Option<T>>`.)
impl<T> TryFrom<Value> for Vec<T>
where
    T: TryFrom<Value, Error = ValueError>,
{
    type Error = ValueError;
    fn try_from(v: Value) -> Result<Vec<T>, ValueError> {
        match v {
            Value::List(items) => items.into_iter().map(T::try_from).collect(),
            other => Err(ValueError::wrong("List", &other)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_narrow_only_when_they_fit() {
        assert_eq!(i32::try_from(Value::Int(-5)), Ok(-5));
        assert_eq!(
            u32::try_from(Value::Int(-1)),
            Err(ValueError::OutOfRange {
                value: "-1".into(),
                target: "u32"
            })
        );
        assert_eq!(usize::try_from(&Value::Int(7)), Ok(7));
        assert_eq!(
            i64::try_from(Value::Float(1.0)),
            Err(ValueError::WrongType {
                expected: "Integer",
                actual: "Float"
            })
        );
    }

    #[test]
    fn integers_widen_to_floats_only_exactly() {
        assert_eq!(f64::try_from(Value::Int(3)), Ok(3.0));
        assert_eq!(f64::try_from(Value::Int(1 << 53)), Ok(9_007_199_254_740_992.0));
        assert!(matches!(
            f64::try_from(Value::Int((1 << 53) + 1)),
            Err(ValueError::OutOfRange { target: "f64", .. })
        ));
        assert_eq!(
            f64::try_from(Value::Null),
            Err(ValueError::WrongType {
                expected: "Float",
                actual: "Null"
            })
        );
    }

    #[test]
    fn strings_temporals_and_ids() -> Result<(), Box<dyn std::error::Error>> {
        assert_eq!(String::try_from(Value::from("é")), Ok("é".to_owned()));
        let d = Date::from_ymd(2022, 11, 5)?;
        assert_eq!(Date::try_from(Value::Date(d)), Ok(d));
        assert!(Date::try_from(Value::from("2022-11-05")).is_err());
        let dur: Duration = "P1DT2H".parse()?;
        assert_eq!(Duration::try_from(Value::from(dur)), Ok(dur));
        let dt: DateTime = "2015-07-21T21:40:32.142+01:00".parse()?;
        assert_eq!(DateTime::try_from(&Value::DateTime(dt)), Ok(dt));
        let n = NodeId::from_index(4);
        assert_eq!(NodeId::try_from(Value::Node(n)), Ok(n));
        assert!(RelId::try_from(Value::Node(n)).is_err());
        Ok(())
    }

    #[test]
    fn lists_convert_element_by_element() {
        let v = Value::List(vec![Value::Int(1), Value::Int(2)]);
        assert_eq!(Vec::<i64>::try_from(v), Ok(vec![1, 2]));
        let mixed = Value::List(vec![Value::Int(1), Value::from("2")]);
        assert_eq!(
            Vec::<i64>::try_from(mixed),
            Err(ValueError::WrongType {
                expected: "Integer",
                actual: "String"
            })
        );
    }
}
