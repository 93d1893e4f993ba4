//! Why a temporal value could not be made.

/// Why a text, a set of fields or a computation does not give a temporal value.
///
/// ```
/// use kgraph::{Date, TemporalError};
/// assert!(matches!("2022-13-01".parse::<Date>(), Err(TemporalError::OutOfRange(_))));
/// assert!(matches!("yesterday".parse::<Date>(), Err(TemporalError::Malformed { .. })));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TemporalError {
    /// The text is not one of the ISO 8601 forms of the type.
    #[error("'{text}' is not a valid {what}")]
    Malformed {
        /// The type that was asked for ("date", "duration", ...).
        what: &'static str,
        /// The text that was given (at most 64 characters of it).
        text: String,
    },
    /// A field is outside its range: a month 13, February 30th, a year past 999,999,999,
    /// an offset beyond 18 hours, a leap second.
    #[error("{0}")]
    OutOfRange(String),
    /// A time zone name that the zone database does not know.
    #[error("unknown time zone '{0}'")]
    UnknownZone(String),
    /// The result of an arithmetic operation falls outside the supported range.
    #[error("{0}")]
    Overflow(String),
}

/// The error of a date, kept under the name it had before the other temporal types.
///
/// ```
/// let e: kgraph::DateError = "2023-02-29".parse::<kgraph::Date>().unwrap_err();
/// assert!(e.to_string().contains("29"));
/// ```
pub type DateError = TemporalError;

impl TemporalError {
    pub(crate) fn malformed(what: &'static str, text: &str) -> TemporalError {
        TemporalError::Malformed {
            what,
            text: text.chars().take(64).collect(),
        }
    }

    pub(crate) fn range(message: impl Into<String>) -> TemporalError {
        TemporalError::OutOfRange(message.into())
    }

    pub(crate) fn overflow(what: &str) -> TemporalError {
        TemporalError::Overflow(format!("{what} is outside the supported range"))
    }
}

/// Checks that a field lies in `lo..=hi`.
pub(crate) fn check(name: &str, value: i64, lo: i64, hi: i64) -> Result<(), TemporalError> {
    if (lo..=hi).contains(&value) {
        Ok(())
    } else {
        Err(TemporalError::range(format!(
            "invalid value for {name}: {value} (valid values {lo} - {hi})"
        )))
    }
}
