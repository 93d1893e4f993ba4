//! Query parameters typed on the command line or in the shell: a JSON value, or a Cypher
//! literal or expression (`date('2024-01-02')`, `['a', 'b']`, `{k: 1}`).

use kgraph::{Graph, Value};

use crate::error::CliError;

/// Reads a parameter's value: JSON first (`42`, `"text"`, `[1, 2]`, `{"~date": "2024-01-02"}`),
/// else a Cypher expression without variables, evaluated on an empty graph.
pub fn parse_value(text: &str) -> Result<Value, CliError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(CliError::usage(
            "a parameter needs a value (JSON or a Cypher literal)",
        ));
    }
    if let Ok(v) = serde_json::from_str::<Value>(text) {
        return Ok(v);
    }
    let query = format!("RETURN {text}\nAS value");
    match Graph::new().query(&query).run() {
        Ok(r) if r.len() == 1 => Ok(r.rows()[0][0].clone()),
        Ok(_) => Err(CliError::usage(format!("{text} is not one value"))),
        Err(e) => Err(CliError::usage(format!(
            "{text} is neither JSON nor a Cypher literal: {}",
            e.to_string().lines().next().unwrap_or_default()
        ))),
    }
}

/// Reads `name=value` (as `--param` takes it).
pub fn parse_assignment(text: &str) -> Result<(String, Value), CliError> {
    let Some((name, value)) = text.split_once('=') else {
        return Err(CliError::usage(format!("--param {text}: expected name=value")));
    };
    let name = name.trim().trim_start_matches('$');
    check_name(name)?;
    Ok((name.to_owned(), parse_value(value)?))
}

/// A parameter name: letters, digits and `_`, not starting with a digit.
pub fn check_name(name: &str) -> Result<(), CliError> {
    let ok = !name.is_empty()
        && !name.starts_with(|c: char| c.is_ascii_digit())
        && name.chars().all(|c| c.is_alphanumeric() || c == '_');
    if ok {
        Ok(())
    } else {
        Err(CliError::usage(format!("{name:?} is not a parameter name")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_and_cypher_values() {
        assert_eq!(parse_value("42").ok(), Some(Value::Int(42)));
        assert_eq!(parse_value("\"辉瑞\"").ok(), Some(Value::from("辉瑞")));
        assert_eq!(parse_value("'辉瑞'").ok(), Some(Value::from("辉瑞")));
        assert_eq!(
            parse_value("[1, 'a']").ok(),
            Some(Value::List(vec![Value::Int(1), Value::from("a")]))
        );
        assert!(matches!(parse_value("date('2024-01-02')"), Ok(Value::Date(_))));
        assert!(matches!(parse_value("{k: 1}"), Ok(Value::Map(_))));
        assert!(parse_value("MATCH (n)").is_err());
        assert!(parse_value("").is_err());
    }

    #[test]
    fn assignments() {
        // Text must be quoted, as in JSON or Cypher: a bare word is refused, not guessed.
        assert!(parse_assignment("name=Pfizer Inc").is_err());
        assert_eq!(
            parse_assignment("name='Pfizer Inc'").ok(),
            Some(("name".to_owned(), Value::from("Pfizer Inc")))
        );
        assert_eq!(
            parse_assignment("$x=1").ok(),
            Some(("x".to_owned(), Value::Int(1)))
        );
        assert!(parse_assignment("x").is_err());
        assert!(parse_assignment("1x=1").is_err());
    }
}
