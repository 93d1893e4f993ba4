//! Neo4j's temporal values: dates, times with and without an offset, date-times with and
//! without a zone, and durations, over the years -999,999,999 to 999,999,999.
//!
//! The calendar arithmetic is this module's own (`civil.rs`), since chrono and jiff cover a
//! few hundred thousand years at most; `chrono-tz` provides the IANA zone database
//! (`zone.rs`). This module knows nothing of Cypher: the query layer builds values from maps
//! and strings with the constructors here.

#[cfg(feature = "chrono")]
mod chrono_conv;
pub(crate) mod civil;
mod date;
mod datetime;
mod duration;
mod error;
#[cfg(feature = "jiff")]
mod jiff_conv;
mod ops;
mod parse;
mod serde_impl;
mod time;
pub(crate) mod zone;

pub use date::Date;
pub use datetime::{DateTime, LocalDateTime};
pub use duration::Duration;
pub use error::{DateError, TemporalError};
pub use time::{LocalTime, Time};

pub(crate) use datetime::TimeZone;
pub(crate) use error::check;
pub(crate) use ops::{between, Between, Temporal, TruncUnit};
pub(crate) use time::write_offset;
