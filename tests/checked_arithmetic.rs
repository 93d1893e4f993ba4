//! Integer arithmetic at the edges of 64 bits, through Cypher: every case gives Neo4j's
//! answer or a typed error (`ArithmeticError`, `TypeError`), never a panic and never a
//! wrapped or saturated value.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use kgraph::{Graph, Params, QueryError, RuntimeKind, Value};

const MIN: i64 = i64::MIN;
const MAX: i64 = i64::MAX;

fn params() -> Params {
    Params::new()
        .with("min", MIN)
        .with("max", MAX)
        .with("zero", 0)
        .with("list", Value::List(vec![Value::Int(1), Value::Int(2)]))
        .with("text", "ab")
}

/// The single value of the query's single column.
#[track_caller]
fn value(query: &str) -> Value {
    let r = Graph::new()
        .query(query)
        .params(params())
        .run()
        .unwrap_or_else(|e| panic!("{query:?} failed: {e}"));
    assert_eq!(r.len(), 1, "{query:?}");
    r.rows()
        .first()
        .and_then(|row| row.first().cloned())
        .expect("a value")
}

#[track_caller]
fn error(query: &str) -> QueryError {
    match Graph::new().query(query).params(params()).run() {
        Ok(r) => panic!("{query:?} should fail, got {:?}", r.rows()),
        Err(e) => e,
    }
}

#[track_caller]
fn arithmetic_error(query: &str) {
    let err = error(query);
    assert!(
        matches!(
            err,
            QueryError::Runtime {
                kind: RuntimeKind::Arithmetic,
                ..
            }
        ),
        "{query:?}: {err:?}"
    );
    assert_eq!(err.kind_name(), "ArithmeticError", "{query:?}");
}

fn ints(items: &[i64]) -> Value {
    Value::List(items.iter().map(|i| Value::Int(*i)).collect())
}

#[test]
fn range_with_a_step_whose_multiples_overflow_gives_the_right_items() {
    // start + 2 * step overflows 64 bits, but every item of the range fits.
    assert_eq!(
        value("RETURN range($min, $max, $max) AS r"),
        ints(&[MIN, -1, MAX - 1])
    );
    assert_eq!(
        value("RETURN range(0, $max, 4611686018427387904) AS r"),
        ints(&[0, 1 << 62])
    );
    assert_eq!(value("RETURN range($max, $min, $min) AS r"), ints(&[MAX, -1]));
    assert_eq!(value("RETURN range($max - 1, $max, 2) AS r"), ints(&[MAX - 1]));
    assert_eq!(value("RETURN range($min, $min + 1, $max) AS r"), ints(&[MIN]));
}

#[test]
fn unwound_range_with_a_huge_step_gives_the_right_items() {
    let r = Graph::new()
        .query("UNWIND range($min, $max, $max) AS x RETURN collect(x) AS xs")
        .params(params())
        .run()
        .unwrap();
    assert_eq!(r.get(0, "xs"), Some(&ints(&[MIN, -1, MAX - 1])));
}

#[test]
fn range_longer_than_any_list_is_a_limit_not_a_wrap() {
    let err = error("RETURN size(range($min, $max)) AS n");
    assert_eq!(err.kind_name(), "LimitExceeded", "{err:?}");
}

#[test]
fn abs_of_the_smallest_integer_overflows() {
    arithmetic_error("RETURN abs($min) AS a");
    assert_eq!(value("RETURN abs($min + 1) AS a"), Value::Int(MAX));
}

#[test]
fn negating_the_smallest_integer_overflows() {
    arithmetic_error("RETURN -$min AS a");
    arithmetic_error("WITH $min AS m RETURN -m AS a");
    assert_eq!(value("RETURN -$max AS a"), Value::Int(MIN + 1));
    assert_eq!(value("RETURN -9223372036854775808 AS a"), Value::Int(MIN));
}

#[test]
fn division_and_modulo_by_zero_are_arithmetic_errors() {
    arithmetic_error("RETURN $max / $zero AS a");
    arithmetic_error("RETURN $max % $zero AS a");
    arithmetic_error("RETURN $min / 0 AS a");
    arithmetic_error("RETURN 0 % $zero AS a");
}

#[test]
fn the_smallest_integer_divided_by_minus_one_overflows() {
    arithmetic_error("RETURN $min / -1 AS a");
    // The remainder is defined (Java's and Neo4j's `%` give 0).
    assert_eq!(value("RETURN $min % -1 AS a"), Value::Int(0));
    assert_eq!(value("RETURN $min % 3 AS a"), Value::Int(MIN % 3));
}

#[test]
fn addition_subtraction_and_multiplication_overflow() {
    arithmetic_error("RETURN $max + 1 AS a");
    arithmetic_error("RETURN $min - 1 AS a");
    arithmetic_error("RETURN $max * 2 AS a");
    arithmetic_error("RETURN $min * -1 AS a");
    arithmetic_error("UNWIND [$max, 1] AS x RETURN sum(x) AS s");
    arithmetic_error("RETURN reduce(s = 0, x IN [$max, 1] | s + x) AS s");
}

#[test]
fn to_integer_of_a_float_outside_the_integers_is_an_error() {
    arithmetic_error("RETURN toInteger(1e20) AS i");
    arithmetic_error("RETURN toInteger(-1e20) AS i");
    arithmetic_error("RETURN toInteger(9223372036854775807.0) AS i"); // 2^63 as a float
    arithmetic_error("RETURN toInteger(0.0 / 0.0) AS i");
    arithmetic_error("RETURN toInteger(1.0 / 0.0) AS i");
    assert_eq!(value("RETURN toIntegerOrNull(1e20) AS i"), Value::Null);
    assert_eq!(value("RETURN toIntegerOrNull(0.0 / 0.0) AS i"), Value::Null);
}

#[test]
fn to_integer_of_large_floats_inside_the_integers_is_exact() {
    // 9.2e18 and -2^63 are integers that fit; they used to come back as null.
    assert_eq!(
        value("RETURN toInteger(9.2e18) AS i"),
        Value::Int(9_200_000_000_000_000_000)
    );
    assert_eq!(
        value("RETURN toInteger(-9223372036854775808.0) AS i"),
        Value::Int(MIN)
    );
    assert_eq!(value("RETURN toInteger(-2.5) AS i"), Value::Int(-2));
    // A string that is no integer is null, as before (a huge one included).
    assert_eq!(value("RETURN toInteger('1e20') AS i"), Value::Null);
    assert_eq!(value("RETURN toInteger('9223372036854775808') AS i"), Value::Null);
    assert_eq!(
        value("RETURN toInteger('9223372036854775807') AS i"),
        Value::Int(MAX)
    );
}

#[test]
fn integral_float_arguments_outside_the_integers_are_refused() {
    let err = error("RETURN substring('abc', 1e30) AS s");
    assert_eq!(err.kind_name(), "TypeError", "{err:?}");
    let err = error("RETURN left('abc', 1e30) AS s");
    assert_eq!(err.kind_name(), "TypeError", "{err:?}");
    assert_eq!(value("RETURN substring('abc', $max) AS s"), Value::from(""));
    assert_eq!(value("RETURN left('abc', $max) AS s"), Value::from("abc"));
    assert_eq!(value("RETURN right('abc', $max) AS s"), Value::from("abc"));
}

#[test]
fn list_indexes_and_slices_at_the_integer_edges_do_not_wrap() {
    assert_eq!(value("RETURN [1, 2, 3][$min] AS x"), Value::Null);
    assert_eq!(value("RETURN [1, 2, 3][$max] AS x"), Value::Null);
    assert_eq!(value("RETURN [1, 2, 3][$min..$max] AS x"), ints(&[1, 2, 3]));
    assert_eq!(value("RETURN [1, 2, 3][$max..$min] AS x"), ints(&[]));
    assert_eq!(value("RETURN [1, 2, 3][-1..$max] AS x"), ints(&[3]));
}

#[test]
fn there_is_no_list_or_string_repetition() {
    // Cypher has no repetition operator: `*` on a list or a string is a type error (at
    // compile time for a literal, at run time for a value), so no size product can overflow.
    assert_eq!(error("RETURN $list * $max AS x").kind_name(), "TypeError");
    assert_eq!(error("RETURN $text * $max AS x").kind_name(), "TypeError");
    assert_eq!(error("RETURN [1, 2] * $max AS x").kind_name(), "SyntaxError");
}

#[test]
fn sizes_are_exact() {
    assert_eq!(value("RETURN size(range(1, 1000)) AS n"), Value::Int(1000));
    assert_eq!(value("RETURN size('辉瑞') AS n"), Value::Int(2));
}

#[test]
fn powers_are_floats_and_do_not_overflow() {
    assert_eq!(value("RETURN $max ^ 2 AS p"), Value::Float((MAX as f64).powi(2)));
    assert_eq!(
        value("RETURN 2 ^ 64 AS p"),
        Value::Float(18_446_744_073_709_551_616.0)
    );
}
