//! Durations: months, days, seconds and nanoseconds, kept apart as Neo4j keeps them.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use super::civil::NANOS_PER_SECOND;
use super::error::TemporalError;
use super::parse;

/// The average month of the Gregorian calendar, in seconds (365.2425 × 86,400 / 12).
pub(crate) const SECONDS_PER_MONTH: i64 = 2_629_746;

/// An amount of time in four independent parts: months, days, seconds and nanoseconds
/// (always 0 to 999,999,999; the seconds carry the sign). `P1D` and `PT24H` are different
/// durations: a day may last 23 or 25 hours in a zone with daylight saving time.
///
/// Text forms: `P1Y2M10DT12H45M30.25S` (any part may be signed; the last one given may have
/// a fraction), `P2W`, and `P2012-02-02T14:37:21.545`. Printing follows Neo4j: months split
/// into years and months, seconds into hours, minutes and seconds, zero parts left out, and
/// `PT0S` for nothing.
///
/// ```
/// use kgraph::Duration;
/// let d: Duration = "P12Y5M14DT16H12M70S".parse()?;
/// assert_eq!(d.to_string(), "P12Y5M14DT16H13M10S");
/// assert_eq!((d.months(), d.days(), d.seconds(), d.nanoseconds()), (149, 14, 58_390, 0));
/// assert_eq!("P0.75M".parse::<Duration>()?.to_string(), "P22DT19H51M49.5S");
/// assert_eq!(Duration::new(0, 0, -2, 1_000_000)?.to_string(), "PT-1.999S");
/// # Ok::<_, kgraph::TemporalError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub struct Duration {
    months: i64,
    days: i64,
    seconds: i64,
    nanos: i32,
}

fn overflow() -> TemporalError {
    TemporalError::overflow("the duration")
}

/// Java's `(long) d` for a finite double within range, an error otherwise.
fn to_long(d: f64) -> Result<i64, TemporalError> {
    if (-9.223_372_036_854_776e18..9.223_372_036_854_776e18).contains(&d) {
        Ok(d as i64)
    } else {
        Err(overflow())
    }
}

impl Duration {
    /// The empty duration, `PT0S`.
    ///
    /// ```
    /// assert_eq!(kgraph::Duration::ZERO.to_string(), "PT0S");
    /// ```
    pub const ZERO: Duration = Duration {
        months: 0,
        days: 0,
        seconds: 0,
        nanos: 0,
    };

    /// A duration of months, days, seconds and nanoseconds (any nanoseconds: whole seconds
    /// move into the seconds); an error if the seconds overflow.
    ///
    /// ```
    /// use kgraph::Duration;
    /// assert_eq!(Duration::new(14, 3, 0, 1_500_000_000)?.to_string(), "P1Y2M3DT1.5S");
    /// assert!(Duration::new(0, 0, i64::MAX, 1_000_000_000).is_err());
    /// # Ok::<_, kgraph::TemporalError>(())
    /// ```
    pub fn new(months: i64, days: i64, seconds: i64, nanos: i64) -> Result<Duration, TemporalError> {
        let seconds = seconds
            .checked_add(nanos.div_euclid(NANOS_PER_SECOND))
            .ok_or_else(overflow)?;
        Ok(Duration {
            months,
            days,
            seconds,
            nanos: nanos.rem_euclid(NANOS_PER_SECOND) as i32,
        })
    }

    /// A duration from 128-bit parts (the sums of several fields), checked.
    pub(crate) fn from_wide(
        months: i128,
        days: i128,
        seconds: i128,
        nanos: i128,
    ) -> Result<Duration, TemporalError> {
        let n = i128::from(NANOS_PER_SECOND);
        let seconds = seconds.checked_add(nanos.div_euclid(n)).ok_or_else(overflow)?;
        let narrow = |x: i128| i64::try_from(x).map_err(|_| overflow());
        Ok(Duration {
            months: narrow(months)?,
            days: narrow(days)?,
            seconds: narrow(seconds)?,
            nanos: nanos.rem_euclid(n) as i32,
        })
    }

    /// Neo4j's approximation of fractional parts: the fraction of a month becomes days (of
    /// 30.436875 days each), the fraction of a day seconds, the fraction of a second
    /// nanoseconds, in doubles as Neo4j computes them.
    pub(crate) fn approximate(
        months: f64,
        days: f64,
        seconds: f64,
        nanos: f64,
    ) -> Result<Duration, TemporalError> {
        const NANOS_PER_MONTH: f64 = (SECONDS_PER_MONTH * NANOS_PER_SECOND) as f64;
        const NANOS_PER_DAY: f64 = 86_400.0 * 1e9;
        let months_l = to_long(months)?;
        let month_diff = NANOS_PER_MONTH * months - NANOS_PER_MONTH * months_l as f64;
        let days = days + month_diff / NANOS_PER_DAY;
        let days_l = to_long(days)?;
        let day_diff = NANOS_PER_DAY * days - (i128::from(days_l) * 86_400_000_000_000) as f64;
        let seconds = seconds + day_diff / 1e9;
        let seconds_l = to_long(seconds)?;
        let second_diff = 1e9 * seconds - (i128::from(seconds_l) * 1_000_000_000) as f64;
        let nanos = nanos + second_diff;
        let nanos_l = to_long(nanos)?;
        Duration::new(months_l, days_l, seconds_l, nanos_l)
    }

    /// The months (years count 12 each).
    ///
    /// ```
    /// assert_eq!("P1Y2M".parse::<kgraph::Duration>()?.months(), 14);
    /// # Ok::<_, kgraph::TemporalError>(())
    /// ```
    pub fn months(self) -> i64 {
        self.months
    }

    /// The days (weeks count 7 each).
    ///
    /// ```
    /// assert_eq!("P1W2D".parse::<kgraph::Duration>()?.days(), 9);
    /// # Ok::<_, kgraph::TemporalError>(())
    /// ```
    pub fn days(self) -> i64 {
        self.days
    }

    /// The whole seconds (hours count 3,600 each), rounded down: `PT-0.5S` has -1 second
    /// and 500,000,000 nanoseconds.
    ///
    /// ```
    /// assert_eq!("PT-0.5S".parse::<kgraph::Duration>()?.seconds(), -1);
    /// # Ok::<_, kgraph::TemporalError>(())
    /// ```
    pub fn seconds(self) -> i64 {
        self.seconds
    }

    /// The nanoseconds beyond the whole seconds, 0 to 999,999,999.
    ///
    /// ```
    /// assert_eq!("PT-0.5S".parse::<kgraph::Duration>()?.nanoseconds(), 500_000_000);
    /// # Ok::<_, kgraph::TemporalError>(())
    /// ```
    pub fn nanoseconds(self) -> i32 {
        self.nanos
    }

    /// The seconds and nanoseconds together, in nanoseconds.
    pub(crate) fn nanos_total(self) -> i128 {
        i128::from(self.seconds) * i128::from(NANOS_PER_SECOND) + i128::from(self.nanos)
    }

    /// The sum, part by part; an error on overflow.
    ///
    /// ```
    /// use kgraph::Duration;
    /// let a: Duration = "P1M-14DT16H".parse()?;
    /// assert_eq!(a.checked_add(a)?.to_string(), "P2M-28DT32H");
    /// # Ok::<_, kgraph::TemporalError>(())
    /// ```
    pub fn checked_add(self, other: Duration) -> Result<Duration, TemporalError> {
        Duration::from_wide(
            i128::from(self.months) + i128::from(other.months),
            i128::from(self.days) + i128::from(other.days),
            i128::from(self.seconds) + i128::from(other.seconds),
            i128::from(self.nanos) + i128::from(other.nanos),
        )
    }

    /// The difference, part by part; an error on overflow.
    ///
    /// ```
    /// use kgraph::Duration;
    /// let a: Duration = "P1D".parse()?;
    /// assert_eq!(Duration::ZERO.checked_sub(a)?.to_string(), "P-1D");
    /// # Ok::<_, kgraph::TemporalError>(())
    /// ```
    pub fn checked_sub(self, other: Duration) -> Result<Duration, TemporalError> {
        Duration::from_wide(
            i128::from(self.months) - i128::from(other.months),
            i128::from(self.days) - i128::from(other.days),
            i128::from(self.seconds) - i128::from(other.seconds),
            i128::from(self.nanos) - i128::from(other.nanos),
        )
    }

    /// The negation, part by part.
    ///
    /// ```
    /// let d: kgraph::Duration = "PT1.5S".parse()?;
    /// assert_eq!(d.checked_neg()?.to_string(), "PT-1.5S");
    /// # Ok::<_, kgraph::TemporalError>(())
    /// ```
    pub fn checked_neg(self) -> Result<Duration, TemporalError> {
        Duration::ZERO.checked_sub(self)
    }

    /// Every part times an integer; an error on overflow.
    ///
    /// ```
    /// let d: kgraph::Duration = "P1Y1DT1.5S".parse()?;
    /// assert_eq!(d.mul_int(2)?.to_string(), "P2Y2DT3S");
    /// # Ok::<_, kgraph::TemporalError>(())
    /// ```
    pub fn mul_int(self, factor: i64) -> Result<Duration, TemporalError> {
        let f = i128::from(factor);
        Duration::from_wide(
            i128::from(self.months) * f,
            i128::from(self.days) * f,
            i128::from(self.seconds) * f,
            i128::from(self.nanos) * f,
        )
    }

    /// Every part times a float, fractions carried down as Neo4j does (a month is 30.436875
    /// days, a day 86,400 seconds).
    ///
    /// ```
    /// let d: kgraph::Duration = "P1M".parse()?;
    /// assert_eq!(d.mul_float(0.5)?.to_string(), "P15DT5H14M33S");
    /// # Ok::<_, kgraph::TemporalError>(())
    /// ```
    pub fn mul_float(self, factor: f64) -> Result<Duration, TemporalError> {
        Duration::approximate(
            self.months as f64 * factor,
            self.days as f64 * factor,
            self.seconds as f64 * factor,
            f64::from(self.nanos) * factor,
        )
    }

    /// Every part divided by a number, fractions carried down as by [`Duration::mul_float`];
    /// an error for a division by zero.
    ///
    /// ```
    /// let d: kgraph::Duration = "P1Y".parse()?;
    /// assert_eq!(d.div_float(2.0)?.to_string(), "P6M");
    /// assert!(d.div_float(0.0).is_err());
    /// # Ok::<_, kgraph::TemporalError>(())
    /// ```
    pub fn div_float(self, divisor: f64) -> Result<Duration, TemporalError> {
        if divisor == 0.0 {
            return Err(TemporalError::Overflow(
                "a duration cannot be divided by zero".into(),
            ));
        }
        Duration::approximate(
            self.months as f64 / divisor,
            self.days as f64 / divisor,
            self.seconds as f64 / divisor,
            f64::from(self.nanos) / divisor,
        )
    }

    /// An approximate length in nanoseconds (a month of 30.436875 days, a day of 86,400
    /// seconds), for ordering durations in `ORDER BY`.
    pub(crate) fn approximate_nanos(self) -> i128 {
        (i128::from(self.months) * i128::from(SECONDS_PER_MONTH) + i128::from(self.days) * 86_400)
            * i128::from(NANOS_PER_SECOND)
            + self.nanos_total()
    }
}

/// The total order `ORDER BY` gives durations: by approximate length, then part by part.
impl Ord for Duration {
    fn cmp(&self, other: &Duration) -> Ordering {
        self.approximate_nanos()
            .cmp(&other.approximate_nanos())
            .then(self.months.cmp(&other.months))
            .then(self.days.cmp(&other.days))
            .then(self.seconds.cmp(&other.seconds))
            .then(self.nanos.cmp(&other.nanos))
    }
}

impl PartialOrd for Duration {
    fn partial_cmp(&self, other: &Duration) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl FromStr for Duration {
    type Err = TemporalError;

    fn from_str(text: &str) -> Result<Duration, TemporalError> {
        parse::duration(text)
    }
}

fn write_fraction(f: &mut fmt::Formatter<'_>, nanos: i64) -> fmt::Result {
    let mut digits = format!("{:09}", nanos.unsigned_abs());
    while digits.ends_with('0') {
        digits.pop();
    }
    write!(f, ".{digits}")
}

impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if *self == Duration::ZERO {
            return f.write_str("PT0S");
        }
        f.write_str("P")?;
        let part = |f: &mut fmt::Formatter<'_>, n: i64, unit: char| {
            if n != 0 {
                write!(f, "{n}{unit}")
            } else {
                Ok(())
            }
        };
        part(f, self.months / 12, 'Y')?;
        part(f, self.months % 12, 'M')?;
        part(f, self.days, 'D')?;
        if self.seconds != 0 || self.nanos != 0 {
            let (mut s, mut n) = (i128::from(self.seconds), i64::from(self.nanos));
            if s < 0 && n != 0 {
                s += 1;
                n -= NANOS_PER_SECOND;
            }
            f.write_str("T")?;
            let hours = s / 3600;
            if hours != 0 {
                write!(f, "{hours}H")?;
            }
            s %= 3600;
            if s / 60 != 0 {
                write!(f, "{}M", s / 60)?;
            }
            s %= 60;
            if s != 0 {
                write!(f, "{s}")?;
                if n != 0 {
                    write_fraction(f, n)?;
                }
                f.write_str("S")?;
            } else if n != 0 {
                f.write_str(if n < 0 { "-0" } else { "0" })?;
                write_fraction(f, n)?;
                f.write_str("S")?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(months: i64, days: i64, seconds: i64, nanos: i64) -> String {
        Duration::new(months, days, seconds, nanos)
            .map(|d| d.to_string())
            .unwrap_or_default()
    }

    #[test]
    fn prints_negative_parts_as_neo4j() {
        assert_eq!(text(0, 0, 0, 0), "PT0S");
        assert_eq!(text(149, -14, 57_600, 0), "P12Y5M-14DT16H");
        assert_eq!(text(0, 0, 660, 0), "PT11M");
        assert_eq!(text(0, 0, 2, -1_000_000), "PT1.999S");
        assert_eq!(text(0, 0, -2, 1_000_000), "PT-1.999S");
        assert_eq!(text(0, 0, -2, -1_000_000), "PT-2.001S");
        assert_eq!(text(0, 1, 0, -1_000_000), "P1DT-0.001S");
        assert_eq!(text(0, 0, -60, -1_000_000), "PT-1M-0.001S");
        assert_eq!(text(-13, 0, 0, 0), "P-1Y-1M");
        assert_eq!(text(0, 0, -3600 * 25, 0), "PT-25H");
    }

    #[test]
    fn extreme_durations_print_and_overflow_cleanly() {
        let big = Duration::new(i64::MAX, i64::MIN, i64::MIN, 0);
        assert!(big.is_ok());
        assert!(big.map(|d| d.to_string()).is_ok());
        assert!(Duration::new(0, 0, i64::MAX, 0)
            .and_then(|d| d.mul_int(2))
            .is_err());
        assert!(Duration::new(0, 0, i64::MIN, 0)
            .and_then(Duration::checked_neg)
            .is_err());
        assert!(Duration::new(1, 0, 0, 0)
            .and_then(|d| d.mul_float(f64::INFINITY))
            .is_err());
    }
}
