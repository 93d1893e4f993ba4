//! A calendar date without time or zone: Cypher's `date()` values.

use std::fmt;
use std::str::FromStr;

use super::civil::{self, MAX_DAYS, MAX_YEAR, MIN_DAYS, MIN_YEAR};
use super::error::{check, TemporalError};
use super::parse;

/// A proleptic Gregorian calendar date (no time, no zone), from -999999999-01-01 to
/// +999999999-12-31.
///
/// Stored as days since 1970-01-01, so comparing two dates is an integer compare. The text
/// forms are ISO 8601's: calendar (`2015-07-21`, `20150721`, `2015-07`, `2015`), week
/// (`2015-W30-2`, `2015W302`, `2015-W30`) and ordinal (`2015-202`, `2015202`) dates, with a
/// sign before years outside 0000 to 9999 (`+10000-01-01`, `-0001-01-01`).
///
/// ```
/// use kgraph::Date;
/// let d: Date = "2022-11-05".parse()?;
/// assert_eq!((d.year(), d.month(), d.day()), (2022, 11, 5));
/// assert_eq!(d.to_string(), "2022-11-05");
/// assert!(d < Date::from_ymd(2023, 1, 1)?);
/// assert_eq!("2015-W30-2".parse::<Date>()?.to_string(), "2015-07-21");
/// # Ok::<_, kgraph::TemporalError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct Date {
    days: i64,
}

impl Date {
    /// The first date: -999999999-01-01.
    ///
    /// ```
    /// assert_eq!(kgraph::Date::MIN.to_string(), "-999999999-01-01");
    /// ```
    pub const MIN: Date = Date { days: MIN_DAYS };

    /// The last date: +999999999-12-31.
    ///
    /// ```
    /// assert_eq!(kgraph::Date::MAX.to_string(), "+999999999-12-31");
    /// ```
    pub const MAX: Date = Date { days: MAX_DAYS };

    /// Builds a date from a year (any integer type that widens to `i64`), a month (1-12) and
    /// a day (1-31).
    ///
    /// ```
    /// use kgraph::Date;
    /// assert!(Date::from_ymd(2024, 2, 29).is_ok());
    /// assert!(Date::from_ymd(2023, 2, 29).is_err());
    /// ```
    pub fn from_ymd(year: impl Into<i64>, month: u32, day: u32) -> Result<Date, TemporalError> {
        let year = year.into();
        check("year", year, MIN_YEAR, MAX_YEAR)?;
        check("month", i64::from(month), 1, 12)?;
        let last = civil::days_in_month(year, month);
        if day == 0 || day > last {
            return Err(TemporalError::range(format!(
                "invalid date: day {day} of month {month} of year {year} (the month has {last} days)"
            )));
        }
        Ok(Date {
            days: civil::days_from_civil(year, month, day),
        })
    }

    /// Builds a date from an ISO week-based year, a week (1-52 or 53) and a day of the week
    /// (1 for Monday to 7 for Sunday).
    ///
    /// ```
    /// use kgraph::Date;
    /// assert_eq!(Date::from_week_date(2015, 30, 2)?.to_string(), "2015-07-21");
    /// assert!(Date::from_week_date(2021, 53, 1).is_err());
    /// # Ok::<_, kgraph::TemporalError>(())
    /// ```
    pub fn from_week_date(week_year: i64, week: u32, day_of_week: u32) -> Result<Date, TemporalError> {
        check("week-based year", week_year, MIN_YEAR, MAX_YEAR)?;
        check(
            "week",
            i64::from(week),
            1,
            i64::from(civil::weeks_in_week_year(week_year)),
        )?;
        check("day of week", i64::from(day_of_week), 1, 7)?;
        let days = civil::week_one_monday(week_year) + (i64::from(week) - 1) * 7 + i64::from(day_of_week) - 1;
        Date::from_days(days)
    }

    /// Builds a date from a year and a day of the year (1-365 or 366).
    ///
    /// ```
    /// use kgraph::Date;
    /// assert_eq!(Date::from_ordinal(2015, 202)?.to_string(), "2015-07-21");
    /// assert!(Date::from_ordinal(2015, 366).is_err());
    /// # Ok::<_, kgraph::TemporalError>(())
    /// ```
    pub fn from_ordinal(year: i64, ordinal_day: u32) -> Result<Date, TemporalError> {
        check("year", year, MIN_YEAR, MAX_YEAR)?;
        check(
            "day of year",
            i64::from(ordinal_day),
            1,
            i64::from(civil::days_in_year(year)),
        )?;
        Ok(Date {
            days: civil::days_from_civil(year, 1, 1) + i64::from(ordinal_day) - 1,
        })
    }

    /// Builds a date from a year, a quarter (1-4) and a day of the quarter (1-92).
    ///
    /// ```
    /// use kgraph::Date;
    /// assert_eq!(Date::from_quarter(1984, 3, 45)?.to_string(), "1984-08-14");
    /// assert!(Date::from_quarter(1984, 1, 92).is_err());
    /// # Ok::<_, kgraph::TemporalError>(())
    /// ```
    pub fn from_quarter(year: i64, quarter: u32, day_of_quarter: u32) -> Result<Date, TemporalError> {
        check("year", year, MIN_YEAR, MAX_YEAR)?;
        check("quarter", i64::from(quarter), 1, 4)?;
        let first = civil::days_from_civil(year, quarter * 3 - 2, 1);
        let next = if quarter == 4 {
            civil::days_from_civil(year + 1, 1, 1)
        } else {
            civil::days_from_civil(year, quarter * 3 + 1, 1)
        };
        check("day of quarter", i64::from(day_of_quarter), 1, next - first)?;
        Date::from_days(first + i64::from(day_of_quarter) - 1)
    }

    /// The date `days` days after 1970-01-01 (negative: before); an error outside the range.
    ///
    /// ```
    /// use kgraph::Date;
    /// assert_eq!(Date::from_days(0)?.to_string(), "1970-01-01");
    /// assert!(Date::from_days(i64::MAX).is_err());
    /// # Ok::<_, kgraph::TemporalError>(())
    /// ```
    pub fn from_days(days: i64) -> Result<Date, TemporalError> {
        if (MIN_DAYS..=MAX_DAYS).contains(&days) {
            Ok(Date { days })
        } else {
            Err(TemporalError::overflow("the date"))
        }
    }

    /// Days since 1970-01-01.
    ///
    /// ```
    /// use kgraph::Date;
    /// assert_eq!(Date::from_ymd(1970, 1, 2)?.days(), 1);
    /// # Ok::<_, kgraph::TemporalError>(())
    /// ```
    pub fn days(self) -> i64 {
        self.days
    }

    fn civil(self) -> (i64, u32, u32) {
        civil::civil_from_days(self.days)
    }

    /// The year.
    ///
    /// ```
    /// assert_eq!("2019-11-05".parse::<kgraph::Date>()?.year(), 2019);
    /// # Ok::<_, kgraph::TemporalError>(())
    /// ```
    pub fn year(self) -> i64 {
        self.civil().0
    }

    /// The month, 1 to 12.
    ///
    /// ```
    /// assert_eq!("2019-11-05".parse::<kgraph::Date>()?.month(), 11);
    /// # Ok::<_, kgraph::TemporalError>(())
    /// ```
    pub fn month(self) -> u32 {
        self.civil().1
    }

    /// The day of the month, 1 to 31.
    ///
    /// ```
    /// assert_eq!("2019-11-05".parse::<kgraph::Date>()?.day(), 5);
    /// # Ok::<_, kgraph::TemporalError>(())
    /// ```
    pub fn day(self) -> u32 {
        self.civil().2
    }

    /// The quarter, 1 to 4.
    ///
    /// ```
    /// assert_eq!("2019-11-05".parse::<kgraph::Date>()?.quarter(), 4);
    /// # Ok::<_, kgraph::TemporalError>(())
    /// ```
    pub fn quarter(self) -> u32 {
        (self.month() - 1) / 3 + 1
    }

    /// The day of the quarter, 1 to 92.
    ///
    /// ```
    /// assert_eq!("1984-11-11".parse::<kgraph::Date>()?.day_of_quarter(), 42);
    /// # Ok::<_, kgraph::TemporalError>(())
    /// ```
    pub fn day_of_quarter(self) -> u32 {
        let (y, m, _) = self.civil();
        let first = civil::days_from_civil(y, (m - 1) / 3 * 3 + 1, 1);
        (self.days - first + 1) as u32
    }

    /// The day of the year, 1 to 366.
    ///
    /// ```
    /// assert_eq!("1984-10-11".parse::<kgraph::Date>()?.ordinal_day(), 285);
    /// # Ok::<_, kgraph::TemporalError>(())
    /// ```
    pub fn ordinal_day(self) -> u32 {
        let y = self.year();
        (self.days - civil::days_from_civil(y, 1, 1) + 1) as u32
    }

    /// The ISO day of the week: 1 for Monday to 7 for Sunday.
    ///
    /// ```
    /// assert_eq!("1984-10-11".parse::<kgraph::Date>()?.day_of_week(), 4);
    /// # Ok::<_, kgraph::TemporalError>(())
    /// ```
    pub fn day_of_week(self) -> u32 {
        civil::day_of_week(self.days)
    }

    /// The ISO week of the week-based year, 1 to 53.
    ///
    /// ```
    /// assert_eq!("1984-10-11".parse::<kgraph::Date>()?.week(), 41);
    /// # Ok::<_, kgraph::TemporalError>(())
    /// ```
    pub fn week(self) -> u32 {
        civil::week_date(self.days).1
    }

    /// The ISO week-based year (the year of the week's Thursday).
    ///
    /// ```
    /// assert_eq!("2021-01-03".parse::<kgraph::Date>()?.week_year(), 2020);
    /// # Ok::<_, kgraph::TemporalError>(())
    /// ```
    pub fn week_year(self) -> i64 {
        civil::week_date(self.days).0
    }

    /// The date `days` days later (earlier when negative).
    ///
    /// ```
    /// use kgraph::Date;
    /// assert_eq!(Date::from_ymd(2024, 2, 28)?.plus_days(1)?.to_string(), "2024-02-29");
    /// assert!(Date::MAX.plus_days(1).is_err());
    /// # Ok::<_, kgraph::TemporalError>(())
    /// ```
    pub fn plus_days(self, days: i64) -> Result<Date, TemporalError> {
        self.days
            .checked_add(days)
            .ok_or_else(|| TemporalError::overflow("the date"))
            .and_then(Date::from_days)
    }

    /// The same day `months` months later (earlier when negative), on the last day of the
    /// month when the month is shorter.
    ///
    /// ```
    /// use kgraph::Date;
    /// assert_eq!(Date::from_ymd(2024, 1, 31)?.plus_months(1)?.to_string(), "2024-02-29");
    /// # Ok::<_, kgraph::TemporalError>(())
    /// ```
    pub fn plus_months(self, months: i64) -> Result<Date, TemporalError> {
        let (y, m, d) = self.civil();
        let total = (i128::from(y) * 12 + i128::from(m) - 1) + i128::from(months);
        let year = i64::try_from(total.div_euclid(12)).map_err(|_| TemporalError::overflow("the date"))?;
        let month = total.rem_euclid(12) as u32 + 1;
        if !(MIN_YEAR..=MAX_YEAR).contains(&year) {
            return Err(TemporalError::overflow("the date"));
        }
        Date::from_ymd(year, month, d.min(civil::days_in_month(year, month)))
    }
}

impl FromStr for Date {
    type Err = TemporalError;

    fn from_str(text: &str) -> Result<Date, TemporalError> {
        parse::date(text)
    }
}

/// Neo4j's spelling: four digits at least, a `+` before years past 9999.
fn write_year(f: &mut impl fmt::Write, y: i64) -> fmt::Result {
    if y > 9999 {
        write!(f, "+{y}")
    } else if y < 0 {
        write!(f, "-{:04}", -y)
    } else {
        write!(f, "{y:04}")
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = self.civil();
        write_year(f, y)?;
        write!(f, "-{m:02}-{d:02}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_every_day_of_four_centuries() {
        let start = Date::from_ymd(1900, 1, 1).map(Date::days).unwrap_or(0);
        for days in start..start + 146_097 {
            let d = Date { days };
            let again = Date::from_ymd(d.year(), d.month(), d.day());
            assert_eq!(again, Ok(d), "day {days}");
            assert_eq!(d.to_string().parse::<Date>(), Ok(d));
            let w = Date::from_week_date(d.week_year(), d.week(), d.day_of_week());
            assert_eq!(w, Ok(d));
            assert_eq!(Date::from_ordinal(d.year(), d.ordinal_day()), Ok(d));
            assert_eq!(
                Date::from_quarter(d.year(), d.quarter(), d.day_of_quarter()),
                Ok(d)
            );
        }
    }

    #[test]
    fn refuses_malformed_and_impossible_dates() {
        for bad in [
            "",
            "2022-13-01",
            "2022-02-30",
            "2022-11-05x",
            "二〇二二-11-05",
            "2021-W53-1",
            "2015-366",
            "+1000000000-01-01",
        ] {
            assert!(bad.parse::<Date>().is_err(), "{bad}");
        }
    }

    #[test]
    fn prints_both_ends_of_the_range_and_signed_years() {
        assert_eq!(Date::MIN.to_string(), "-999999999-01-01");
        assert_eq!(Date::MAX.to_string(), "+999999999-12-31");
        assert_eq!(
            Date::from_ymd(10_000, 1, 1).map(|d| d.to_string()),
            Ok("+10000-01-01".into())
        );
        assert_eq!(
            Date::from_ymd(-1, 12, 31).map(|d| d.to_string()),
            Ok("-0001-12-31".into())
        );
        assert_eq!(
            Date::from_ymd(28, 11, 11).map(|d| d.to_string()),
            Ok("0028-11-11".into())
        );
        assert!(Date::MIN.plus_days(-1).is_err());
        assert!(Date::MAX.plus_months(1).is_err());
    }
}
