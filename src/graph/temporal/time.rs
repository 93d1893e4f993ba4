//! Times of day: `LocalTime` without an offset, `Time` with one.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use super::civil::{NANOS_PER_DAY, NANOS_PER_SECOND};
use super::error::{check, TemporalError};
use super::parse;

/// The largest offset from UTC, in seconds (18 hours, as in Neo4j and Java).
pub(crate) const MAX_OFFSET: i32 = 18 * 3600;

/// A time of day without an offset, to the nanosecond: Cypher's `localtime()` values.
///
/// Text forms: `21:40:32.142`, `214032.142`, `21:40`, `2140`, `21`. A leap second (`23:59:60`)
/// is refused.
///
/// ```
/// use kgraph::LocalTime;
/// let t = LocalTime::new(12, 31, 14, 645_876_123)?;
/// assert_eq!(t.to_string(), "12:31:14.645876123");
/// assert_eq!("2140".parse::<LocalTime>()?.to_string(), "21:40");
/// assert!("23:59:60".parse::<LocalTime>().is_err());
/// # Ok::<_, kgraph::TemporalError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct LocalTime {
    nanos: u64,
}

impl LocalTime {
    /// Midnight.
    ///
    /// ```
    /// assert_eq!(kgraph::LocalTime::MIDNIGHT.to_string(), "00:00");
    /// ```
    pub const MIDNIGHT: LocalTime = LocalTime { nanos: 0 };

    /// Builds a time from an hour (0-23), a minute (0-59), a second (0-59) and a nanosecond
    /// (0-999,999,999).
    ///
    /// ```
    /// use kgraph::LocalTime;
    /// assert!(LocalTime::new(23, 59, 59, 999_999_999).is_ok());
    /// assert!(LocalTime::new(24, 0, 0, 0).is_err());
    /// ```
    pub fn new(hour: u32, minute: u32, second: u32, nanosecond: u32) -> Result<LocalTime, TemporalError> {
        check("hour", i64::from(hour), 0, 23)?;
        check("minute", i64::from(minute), 0, 59)?;
        check("second", i64::from(second), 0, 59)?;
        check("nanosecond", i64::from(nanosecond), 0, NANOS_PER_SECOND - 1)?;
        Ok(LocalTime {
            nanos: (u64::from(hour) * 3600 + u64::from(minute) * 60 + u64::from(second)) * 1_000_000_000
                + u64::from(nanosecond),
        })
    }

    /// The time `nanos` nanoseconds after midnight (at most one day less a nanosecond).
    ///
    /// ```
    /// use kgraph::LocalTime;
    /// assert_eq!(LocalTime::from_nano_of_day(3_600_000_000_000)?.to_string(), "01:00");
    /// assert!(LocalTime::from_nano_of_day(86_400_000_000_000).is_err());
    /// # Ok::<_, kgraph::TemporalError>(())
    /// ```
    pub fn from_nano_of_day(nanos: u64) -> Result<LocalTime, TemporalError> {
        check("nano of day", nanos as i64, 0, NANOS_PER_DAY - 1)?;
        Ok(LocalTime { nanos })
    }

    /// Nanoseconds since midnight.
    ///
    /// ```
    /// assert_eq!("00:00:01".parse::<kgraph::LocalTime>()?.nano_of_day(), 1_000_000_000);
    /// # Ok::<_, kgraph::TemporalError>(())
    /// ```
    pub fn nano_of_day(self) -> u64 {
        self.nanos
    }

    /// The hour, 0 to 23.
    ///
    /// ```
    /// assert_eq!("21:40".parse::<kgraph::LocalTime>()?.hour(), 21);
    /// # Ok::<_, kgraph::TemporalError>(())
    /// ```
    pub fn hour(self) -> u32 {
        (self.nanos / 3_600_000_000_000) as u32
    }

    /// The minute, 0 to 59.
    ///
    /// ```
    /// assert_eq!("21:40".parse::<kgraph::LocalTime>()?.minute(), 40);
    /// # Ok::<_, kgraph::TemporalError>(())
    /// ```
    pub fn minute(self) -> u32 {
        (self.nanos / 60_000_000_000 % 60) as u32
    }

    /// The second, 0 to 59.
    ///
    /// ```
    /// assert_eq!("21:40:32".parse::<kgraph::LocalTime>()?.second(), 32);
    /// # Ok::<_, kgraph::TemporalError>(())
    /// ```
    pub fn second(self) -> u32 {
        (self.nanos / 1_000_000_000 % 60) as u32
    }

    /// The fraction of the second, in nanoseconds.
    ///
    /// ```
    /// assert_eq!("21:40:32.142".parse::<kgraph::LocalTime>()?.nanosecond(), 142_000_000);
    /// # Ok::<_, kgraph::TemporalError>(())
    /// ```
    pub fn nanosecond(self) -> u32 {
        (self.nanos % 1_000_000_000) as u32
    }

    /// The time `nanos` nanoseconds later, around the clock.
    ///
    /// ```
    /// use kgraph::LocalTime;
    /// let t = LocalTime::new(23, 0, 0, 0)?.plus_nanos(2 * 3_600_000_000_000);
    /// assert_eq!(t.to_string(), "01:00");
    /// # Ok::<_, kgraph::TemporalError>(())
    /// ```
    pub fn plus_nanos(self, nanos: i128) -> LocalTime {
        let n = (i128::from(self.nanos) + nanos).rem_euclid(i128::from(NANOS_PER_DAY));
        LocalTime { nanos: n as u64 }
    }
}

/// Writes `HH:MM`, then `:SS` when the seconds or the fraction are not zero, then the fraction
/// in 3, 6 or 9 digits when it is not zero.
fn write_time(f: &mut impl fmt::Write, t: LocalTime) -> fmt::Result {
    write!(f, "{:02}:{:02}", t.hour(), t.minute())?;
    let (s, n) = (t.second(), t.nanosecond());
    if s != 0 || n != 0 {
        write!(f, ":{s:02}")?;
        if n != 0 {
            if n % 1_000_000 == 0 {
                write!(f, ".{:03}", n / 1_000_000)?;
            } else if n % 1000 == 0 {
                write!(f, ".{:06}", n / 1000)?;
            } else {
                write!(f, ".{n:09}")?;
            }
        }
    }
    Ok(())
}

/// Writes an offset as Neo4j does: `Z`, `+HH:MM` or `+HH:MM:SS`.
pub(crate) fn write_offset(f: &mut impl fmt::Write, offset: i32) -> fmt::Result {
    if offset == 0 {
        return f.write_str("Z");
    }
    let sign = if offset < 0 { '-' } else { '+' };
    let a = offset.unsigned_abs();
    write!(f, "{sign}{:02}:{:02}", a / 3600, a / 60 % 60)?;
    if !a.is_multiple_of(60) {
        write!(f, ":{:02}", a % 60)?;
    }
    Ok(())
}

pub(crate) fn check_offset(offset: i32) -> Result<(), TemporalError> {
    if offset.abs() > MAX_OFFSET {
        Err(TemporalError::range(format!(
            "the offset {offset} seconds is not within -18:00 to +18:00"
        )))
    } else {
        Ok(())
    }
}

impl FromStr for LocalTime {
    type Err = TemporalError;

    fn from_str(text: &str) -> Result<LocalTime, TemporalError> {
        parse::local_time(text)
    }
}

impl fmt::Display for LocalTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_time(f, *self)
    }
}

/// A time of day with an offset from UTC: Cypher's `time()` values.
///
/// Two times are equal when both the time and the offset are; they are ordered by the instant
/// they name (`10:00+01:00` is before `09:30Z`), then by local time.
///
/// ```
/// use kgraph::{LocalTime, Time};
/// let t = Time::new(LocalTime::new(12, 0, 0, 0)?, 3600)?;
/// assert_eq!(t.to_string(), "12:00+01:00");
/// assert_eq!("214032-0100".parse::<Time>()?.to_string(), "21:40:32-01:00");
/// assert!("09:30Z".parse::<Time>()? > "10:00+01:00".parse::<Time>()?);
/// # Ok::<_, kgraph::TemporalError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Time {
    time: LocalTime,
    offset: i32,
}

impl Time {
    /// A time with an offset in seconds east of UTC (at most 18 hours either way).
    ///
    /// ```
    /// use kgraph::{LocalTime, Time};
    /// assert!(Time::new(LocalTime::MIDNIGHT, -18 * 3600).is_ok());
    /// assert!(Time::new(LocalTime::MIDNIGHT, 19 * 3600).is_err());
    /// ```
    pub fn new(time: LocalTime, offset_seconds: i32) -> Result<Time, TemporalError> {
        check_offset(offset_seconds)?;
        Ok(Time {
            time,
            offset: offset_seconds,
        })
    }

    /// The time of day.
    ///
    /// ```
    /// assert_eq!("12:00+01:00".parse::<kgraph::Time>()?.local().hour(), 12);
    /// # Ok::<_, kgraph::TemporalError>(())
    /// ```
    pub fn local(self) -> LocalTime {
        self.time
    }

    /// The offset, in seconds east of UTC.
    ///
    /// ```
    /// assert_eq!("12:00-01:30".parse::<kgraph::Time>()?.offset_seconds(), -5400);
    /// # Ok::<_, kgraph::TemporalError>(())
    /// ```
    pub fn offset_seconds(self) -> i32 {
        self.offset
    }

    /// Nanoseconds since midnight UTC (may be negative or beyond a day).
    pub(crate) fn utc_nanos(self) -> i64 {
        self.time.nanos as i64 - i64::from(self.offset) * NANOS_PER_SECOND
    }

    /// The same instant at another offset.
    ///
    /// ```
    /// use kgraph::Time;
    /// let t: Time = "12:00+01:00".parse()?;
    /// assert_eq!(t.with_offset_same_instant(5 * 3600)?.to_string(), "16:00+05:00");
    /// # Ok::<_, kgraph::TemporalError>(())
    /// ```
    pub fn with_offset_same_instant(self, offset_seconds: i32) -> Result<Time, TemporalError> {
        check_offset(offset_seconds)?;
        let shift = i128::from(offset_seconds - self.offset) * i128::from(NANOS_PER_SECOND);
        Ok(Time {
            time: self.time.plus_nanos(shift),
            offset: offset_seconds,
        })
    }
}

impl Ord for Time {
    fn cmp(&self, other: &Time) -> Ordering {
        self.utc_nanos()
            .cmp(&other.utc_nanos())
            .then(self.time.cmp(&other.time))
    }
}

impl PartialOrd for Time {
    fn partial_cmp(&self, other: &Time) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl FromStr for Time {
    type Err = TemporalError;

    fn from_str(text: &str) -> Result<Time, TemporalError> {
        parse::time(text)
    }
}

impl fmt::Display for Time {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_time(f, self.time)?;
        write_offset(f, self.offset)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prints_the_fewest_exact_fraction_digits() {
        let t = |n| {
            LocalTime::new(12, 0, 0, n)
                .map(|t| t.to_string())
                .unwrap_or_default()
        };
        assert_eq!(t(0), "12:00");
        assert_eq!(t(1), "12:00:00.000000001");
        assert_eq!(t(5_000_000), "12:00:00.005");
        assert_eq!(t(5_000), "12:00:00.000005");
        assert_eq!(
            LocalTime::new(0, 0, 1, 0).map(|t| t.to_string()),
            Ok("00:00:01".into())
        );
    }

    #[test]
    fn component_boundaries() {
        assert!(LocalTime::new(0, 0, 0, 0).is_ok());
        assert!(LocalTime::new(23, 59, 59, 999_999_999).is_ok());
        assert!(LocalTime::new(23, 60, 0, 0).is_err());
        assert!(LocalTime::new(23, 59, 60, 0).is_err());
        assert!(LocalTime::new(0, 0, 0, 1_000_000_000).is_err());
        assert!(Time::new(LocalTime::MIDNIGHT, MAX_OFFSET + 1).is_err());
        let mut s = String::new();
        let _ = write_offset(&mut s, -(2 * 3600 + 5 * 60 + 7));
        assert_eq!(s, "-02:05:07");
    }
}
