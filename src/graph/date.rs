//! A calendar date without time or zone, as Cypher's `date()` values.

use std::fmt;
use std::str::FromStr;

/// A proleptic Gregorian calendar date (no time, no zone).
///
/// Stored as days since 1970-01-01, so comparing two dates is an integer compare.
/// Years from -9999 to 9999 are accepted.
///
/// ```
/// use kgraph::Date;
/// let d: Date = "2022-11-05".parse()?;
/// assert_eq!((d.year(), d.month(), d.day()), (2022, 11, 5));
/// assert_eq!(d.to_string(), "2022-11-05");
/// assert!(d < Date::from_ymd(2023, 1, 1)?);
/// # Ok::<_, kgraph::DateError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct Date {
    days: i32,
}

/// Why a text or a year/month/day triple is not a valid [`Date`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DateError {
    /// The text is not of the form `YYYY-MM-DD`.
    #[error("'{text}' is not a date of the form YYYY-MM-DD")]
    Malformed {
        /// The text that was given.
        text: String,
    },
    /// The year, month or day is out of range (for example February 30th).
    #[error("{year:04}-{month:02}-{day:02} is not a calendar date")]
    OutOfRange {
        /// The year given.
        year: i32,
        /// The month given.
        month: u32,
        /// The day given.
        day: u32,
    },
}

fn is_leap(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

impl Date {
    /// Builds a date from a year, a month (1-12) and a day (1-31).
    ///
    /// ```
    /// use kgraph::Date;
    /// assert!(Date::from_ymd(2024, 2, 29).is_ok());
    /// assert!(Date::from_ymd(2023, 2, 29).is_err());
    /// ```
    pub fn from_ymd(year: i32, month: u32, day: u32) -> Result<Date, DateError> {
        if !(-9999..=9999).contains(&year)
            || !(1..=12).contains(&month)
            || day == 0
            || day > days_in_month(year, month)
        {
            return Err(DateError::OutOfRange { year, month, day });
        }
        // Days from civil, after Howard Hinnant's algorithm.
        let y = if month <= 2 { year - 1 } else { year };
        let era = if y >= 0 { y } else { y - 399 } / 400;
        let yoe = y - era * 400;
        let m = month as i32;
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + day as i32 - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        Ok(Date {
            days: era * 146_097 + doe - 719_468,
        })
    }

    /// The date `days` days after 1970-01-01 (negative: before).
    ///
    /// ```
    /// use kgraph::Date;
    /// assert_eq!(Date::from_days(0).to_string(), "1970-01-01");
    /// ```
    pub fn from_days(days: i32) -> Date {
        Date { days }
    }

    /// Days since 1970-01-01.
    ///
    /// ```
    /// use kgraph::Date;
    /// assert_eq!(Date::from_ymd(1970, 1, 2)?.days(), 1);
    /// # Ok::<_, kgraph::DateError>(())
    /// ```
    pub fn days(self) -> i32 {
        self.days
    }

    fn civil(self) -> (i32, u32, u32) {
        let z = self.days + 719_468;
        let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let y = yoe + era * 400;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        (if m <= 2 { y + 1 } else { y }, m, d)
    }

    /// The year.
    ///
    /// ```
    /// assert_eq!("2019-11-05".parse::<kgraph::Date>()?.year(), 2019);
    /// # Ok::<_, kgraph::DateError>(())
    /// ```
    pub fn year(self) -> i32 {
        self.civil().0
    }

    /// The month, 1 to 12.
    ///
    /// ```
    /// assert_eq!("2019-11-05".parse::<kgraph::Date>()?.month(), 11);
    /// # Ok::<_, kgraph::DateError>(())
    /// ```
    pub fn month(self) -> u32 {
        self.civil().1
    }

    /// The day of the month, 1 to 31.
    ///
    /// ```
    /// assert_eq!("2019-11-05".parse::<kgraph::Date>()?.day(), 5);
    /// # Ok::<_, kgraph::DateError>(())
    /// ```
    pub fn day(self) -> u32 {
        self.civil().2
    }
}

impl FromStr for Date {
    type Err = DateError;

    fn from_str(text: &str) -> Result<Date, DateError> {
        let malformed = || DateError::Malformed {
            text: text.chars().take(64).collect(),
        };
        let (neg, body) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let mut parts = body.splitn(3, '-');
        let (Some(y), Some(m), Some(d)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(malformed());
        };
        let digits = |s: &str, len: usize| s.len() == len && s.bytes().all(|b| b.is_ascii_digit());
        if !digits(y, 4) || !digits(m, 2) || !digits(d, 2) {
            return Err(malformed());
        }
        let year: i32 = y.parse().map_err(|_| malformed())?;
        let month: u32 = m.parse().map_err(|_| malformed())?;
        let day: u32 = d.parse().map_err(|_| malformed())?;
        Date::from_ymd(if neg { -year } else { year }, month, day)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = self.civil();
        if y < 0 {
            write!(f, "-{:04}-{m:02}-{d:02}", -y)
        } else {
            write!(f, "{y:04}-{m:02}-{d:02}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_every_day_of_four_centuries() {
        let start = Date::from_ymd(1900, 1, 1).map(Date::days).unwrap_or(0);
        for days in start..start + 146_097 {
            let d = Date::from_days(days);
            let again = Date::from_ymd(d.year(), d.month(), d.day());
            assert_eq!(again, Ok(d), "day {days}");
            assert_eq!(d.to_string().parse::<Date>(), Ok(d));
        }
    }

    #[test]
    fn refuses_malformed_and_impossible_dates() {
        for bad in [
            "",
            "2022",
            "2022-1-01",
            "2022-13-01",
            "2022-02-30",
            "2022-11-05x",
            "二〇二二-11-05",
        ] {
            assert!(bad.parse::<Date>().is_err(), "{bad}");
        }
    }
}
