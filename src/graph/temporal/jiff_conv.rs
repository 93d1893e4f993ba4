//! Conversions between the temporal types and jiff's (the `jiff` feature). jiff covers the
//! years -9999 to 9999 and this crate ±999,999,999: a value outside jiff's range is
//! `ValueError::OutOfRange`, never a panic.
//!
//! - `Date`, `LocalTime`, `LocalDateTime` ⇄ `civil::Date`, `civil::Time`, `civil::DateTime`;
//! - `DateTime` ⇄ `Timestamp` (the instant; from a timestamp, the offset is UTC) and
//!   `DateTime` ⇄ `Zoned` (at the same offset, as a fixed-offset zone: a named zone's name
//!   is dropped either way, since this build of jiff has no zone database);
//! - `Duration` ⇄ `Span` (months, days, seconds and nanoseconds; a duration whose parts have
//!   mixed signs has no span) and `Duration` ⇄ `SignedDuration` (only a duration of seconds:
//!   months and days have no fixed length).

use jiff::civil;
use jiff::tz::{Offset, TimeZone};
use jiff::{SignedDuration, Span, Timestamp, Zoned};

use super::{Date, DateTime, Duration, LocalDateTime, LocalTime};
use crate::graph::{Value, ValueError};

fn out_of_range(value: impl std::fmt::Display, target: &'static str) -> ValueError {
    ValueError::OutOfRange {
        value: value.to_string(),
        target,
    }
}

impl TryFrom<Date> for civil::Date {
    type Error = ValueError;
    /// ```
    /// let d: kgraph::Date = "2022-11-05".parse()?;
    /// assert_eq!(jiff::civil::Date::try_from(d)?, jiff::civil::date(2022, 11, 5));
    /// # Ok::<_, Box<dyn std::error::Error>>(())
    /// ```
    fn try_from(d: Date) -> Result<civil::Date, ValueError> {
        let y = i16::try_from(d.year()).map_err(|_| out_of_range(d, "jiff::civil::Date"))?;
        civil::Date::new(y, d.month() as i8, d.day() as i8).map_err(|_| out_of_range(d, "jiff::civil::Date"))
    }
}

impl TryFrom<civil::Date> for Date {
    type Error = ValueError;
    /// ```
    /// assert_eq!(kgraph::Date::try_from(jiff::civil::date(2022, 11, 5))?.to_string(), "2022-11-05");
    /// # Ok::<_, kgraph::ValueError>(())
    /// ```
    fn try_from(d: civil::Date) -> Result<Date, ValueError> {
        Date::from_ymd(d.year(), d.month() as u32, d.day() as u32)
            .map_err(|_| out_of_range(d, "kgraph::Date"))
    }
}

impl TryFrom<LocalTime> for civil::Time {
    type Error = ValueError;
    /// ```
    /// let t: kgraph::LocalTime = "12:31:14.5".parse()?;
    /// assert_eq!(jiff::civil::Time::try_from(t)?, jiff::civil::time(12, 31, 14, 500_000_000));
    /// # Ok::<_, Box<dyn std::error::Error>>(())
    /// ```
    fn try_from(t: LocalTime) -> Result<civil::Time, ValueError> {
        civil::Time::new(
            t.hour() as i8,
            t.minute() as i8,
            t.second() as i8,
            t.nanosecond() as i32,
        )
        .map_err(|_| out_of_range(t, "jiff::civil::Time"))
    }
}

impl TryFrom<civil::Time> for LocalTime {
    type Error = ValueError;
    /// ```
    /// assert_eq!(kgraph::LocalTime::try_from(jiff::civil::time(12, 0, 1, 0))?.to_string(), "12:00:01");
    /// # Ok::<_, kgraph::ValueError>(())
    /// ```
    fn try_from(t: civil::Time) -> Result<LocalTime, ValueError> {
        LocalTime::new(
            t.hour() as u32,
            t.minute() as u32,
            t.second() as u32,
            t.subsec_nanosecond() as u32,
        )
        .map_err(|_| out_of_range(t, "kgraph::LocalTime"))
    }
}

impl TryFrom<LocalDateTime> for civil::DateTime {
    type Error = ValueError;
    /// ```
    /// let t: kgraph::LocalDateTime = "2015-07-21T21:40:32".parse()?;
    /// assert_eq!(jiff::civil::DateTime::try_from(t)?.to_string(), "2015-07-21T21:40:32");
    /// # Ok::<_, Box<dyn std::error::Error>>(())
    /// ```
    fn try_from(t: LocalDateTime) -> Result<civil::DateTime, ValueError> {
        Ok(civil::DateTime::from_parts(
            t.date().try_into()?,
            t.time().try_into()?,
        ))
    }
}

impl TryFrom<civil::DateTime> for LocalDateTime {
    type Error = ValueError;
    /// ```
    /// let t = jiff::civil::date(2015, 7, 21).at(21, 40, 32, 0);
    /// assert_eq!(kgraph::LocalDateTime::try_from(t)?.to_string(), "2015-07-21T21:40:32");
    /// # Ok::<_, kgraph::ValueError>(())
    /// ```
    fn try_from(t: civil::DateTime) -> Result<LocalDateTime, ValueError> {
        Ok(LocalDateTime::new(t.date().try_into()?, t.time().try_into()?))
    }
}

impl TryFrom<DateTime> for Timestamp {
    type Error = ValueError;
    /// ```
    /// let t: kgraph::DateTime = "1970-01-01T01:00:01+01:00".parse()?;
    /// assert_eq!(jiff::Timestamp::try_from(t)?.as_second(), 1);
    /// # Ok::<_, Box<dyn std::error::Error>>(())
    /// ```
    fn try_from(t: DateTime) -> Result<Timestamp, ValueError> {
        Timestamp::new(t.epoch_seconds(), t.local().time().nanosecond() as i32)
            .map_err(|_| out_of_range(t, "jiff::Timestamp"))
    }
}

impl TryFrom<Timestamp> for DateTime {
    type Error = ValueError;
    /// The instant, at UTC.
    ///
    /// ```
    /// let t = kgraph::DateTime::try_from(jiff::Timestamp::from_second(1)?)?;
    /// assert_eq!(t.to_string(), "1970-01-01T00:00:01Z");
    /// # Ok::<_, Box<dyn std::error::Error>>(())
    /// ```
    fn try_from(t: Timestamp) -> Result<DateTime, ValueError> {
        DateTime::from_epoch(t.as_second(), i64::from(t.subsec_nanosecond()))
            .map_err(|_| out_of_range(t, "kgraph::DateTime"))
    }
}

impl TryFrom<DateTime> for Zoned {
    type Error = ValueError;
    /// The instant in a fixed-offset zone of the value's offset.
    ///
    /// ```
    /// let t: kgraph::DateTime = "2015-07-21T21:40:32+01:00".parse()?;
    /// let z = jiff::Zoned::try_from(t)?;
    /// assert_eq!(z.offset().seconds(), 3600);
    /// assert_eq!(z.datetime(), jiff::civil::date(2015, 7, 21).at(21, 40, 32, 0));
    /// # Ok::<_, Box<dyn std::error::Error>>(())
    /// ```
    fn try_from(t: DateTime) -> Result<Zoned, ValueError> {
        let offset = Offset::from_seconds(t.offset_seconds()).map_err(|_| out_of_range(t, "jiff::Zoned"))?;
        Ok(Zoned::new(Timestamp::try_from(t)?, TimeZone::fixed(offset)))
    }
}

impl TryFrom<Zoned> for DateTime {
    type Error = ValueError;
    /// The local date-time at the zoned value's offset.
    ///
    /// ```
    /// let z = jiff::Zoned::new(jiff::Timestamp::from_second(0)?, jiff::tz::TimeZone::fixed(jiff::tz::offset(2)));
    /// assert_eq!(kgraph::DateTime::try_from(z)?.to_string(), "1970-01-01T02:00+02:00");
    /// # Ok::<_, Box<dyn std::error::Error>>(())
    /// ```
    fn try_from(z: Zoned) -> Result<DateTime, ValueError> {
        let local = LocalDateTime::try_from(z.datetime())?;
        DateTime::with_offset(local, z.offset().seconds()).map_err(|_| out_of_range(&z, "kgraph::DateTime"))
    }
}

impl TryFrom<Duration> for Span {
    type Error = ValueError;
    /// ```
    /// let d: kgraph::Duration = "P1Y2M3DT4.5S".parse()?;
    /// let s = jiff::Span::try_from(d)?;
    /// assert_eq!((s.get_months(), s.get_days(), s.get_seconds(), s.get_nanoseconds()), (14, 3, 4, 500_000_000));
    /// # Ok::<_, Box<dyn std::error::Error>>(())
    /// ```
    fn try_from(d: Duration) -> Result<Span, ValueError> {
        let parts = [d.months(), d.days(), d.seconds(), i64::from(d.nanoseconds())];
        let negative = parts.iter().any(|p| *p < 0);
        if negative && parts.iter().any(|p| *p > 0) {
            return Err(out_of_range(d, "jiff::Span (its parts have mixed signs)"));
        }
        let range = || out_of_range(d, "jiff::Span");
        let [months, days, seconds, nanos] = parts.map(|p| p.checked_abs());
        let (Some(months), Some(days), Some(seconds), Some(nanos)) = (months, days, seconds, nanos) else {
            return Err(range());
        };
        let span = Span::new()
            .try_months(months)
            .and_then(|s| s.try_days(days))
            .and_then(|s| s.try_seconds(seconds))
            .and_then(|s| s.try_nanoseconds(nanos))
            .map_err(|_| range())?;
        Ok(if negative { span.negate() } else { span })
    }
}

impl TryFrom<Span> for Duration {
    type Error = ValueError;
    /// Years and months to months, weeks and days to days, hours to milliseconds to seconds
    /// and nanoseconds.
    ///
    /// ```
    /// let s = jiff::Span::new().years(1).weeks(1).hours(1).milliseconds(5);
    /// assert_eq!(kgraph::Duration::try_from(s)?.to_string(), "P1Y7DT1H0.005S");
    /// # Ok::<_, kgraph::ValueError>(())
    /// ```
    fn try_from(s: Span) -> Result<Duration, ValueError> {
        let months = i64::from(s.get_years()) * 12 + i64::from(s.get_months());
        let days = i64::from(s.get_weeks()) * 7 + i64::from(s.get_days());
        let nanos = i128::from(s.get_hours()) * 3_600_000_000_000
            + i128::from(s.get_minutes()) * 60_000_000_000
            + i128::from(s.get_seconds()) * 1_000_000_000
            + i128::from(s.get_milliseconds()) * 1_000_000
            + i128::from(s.get_microseconds()) * 1_000
            + i128::from(s.get_nanoseconds());
        let seconds =
            i64::try_from(nanos / 1_000_000_000).map_err(|_| out_of_range(s, "kgraph::Duration"))?;
        let nanos = (nanos % 1_000_000_000) as i64;
        Duration::new(months, days, seconds, nanos).map_err(|_| out_of_range(s, "kgraph::Duration"))
    }
}

impl TryFrom<Duration> for SignedDuration {
    type Error = ValueError;
    /// Only a duration without months and days (which have no fixed length).
    ///
    /// ```
    /// let d: kgraph::Duration = "PT90.5S".parse()?;
    /// assert_eq!(jiff::SignedDuration::try_from(d)?, jiff::SignedDuration::new(90, 500_000_000));
    /// assert!(jiff::SignedDuration::try_from("P1D".parse::<kgraph::Duration>()?).is_err());
    /// # Ok::<_, Box<dyn std::error::Error>>(())
    /// ```
    fn try_from(d: Duration) -> Result<SignedDuration, ValueError> {
        if d.months() != 0 || d.days() != 0 {
            return Err(out_of_range(
                d,
                "jiff::SignedDuration (months and days have no fixed length)",
            ));
        }
        Ok(SignedDuration::new(d.seconds(), d.nanoseconds()))
    }
}

impl TryFrom<SignedDuration> for Duration {
    type Error = ValueError;
    /// ```
    /// let d = kgraph::Duration::try_from(jiff::SignedDuration::from_secs(90))?;
    /// assert_eq!(d.to_string(), "PT1M30S");
    /// # Ok::<_, kgraph::ValueError>(())
    /// ```
    fn try_from(d: SignedDuration) -> Result<Duration, ValueError> {
        Duration::new(0, 0, d.as_secs(), i64::from(d.subsec_nanos()))
            .map_err(|_| out_of_range(format!("{d:?}"), "kgraph::Duration"))
    }
}

macro_rules! from_value {
    ($($t:ty => $via:ty);* $(;)?) => {$(
        impl TryFrom<&Value> for $t {
            type Error = ValueError;
            fn try_from(v: &Value) -> Result<$t, ValueError> {
                <$t>::try_from(<$via>::try_from(v)?)
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

from_value! {
    civil::Date => Date;
    civil::Time => LocalTime;
    civil::DateTime => LocalDateTime;
    Timestamp => DateTime;
    Zoned => DateTime;
    Span => Duration;
    SignedDuration => Duration;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_range() -> Result<(), Box<dyn std::error::Error>> {
        for text in ["2022-11-05", "-9999-01-01", "9999-12-31"] {
            let d: Date = text.parse()?;
            assert_eq!(Date::try_from(civil::Date::try_from(d)?)?, d);
        }
        assert!(civil::Date::try_from("+10000-01-01".parse::<Date>()?).is_err());
        let dt: DateTime = "2017-08-08T12:31:14.645876123+02:00".parse()?;
        assert_eq!(DateTime::try_from(Zoned::try_from(dt)?)?, dt);
        assert_eq!(Timestamp::try_from(dt)?.as_second(), dt.epoch_seconds());
        for text in ["P1Y2M10DT12H45M30.25S", "-P3DT4S", "PT0S"] {
            let d: Duration = text.parse()?;
            let back = Duration::try_from(Span::try_from(d)?)?;
            assert_eq!(
                (back.months(), back.days(), back.seconds(), back.nanoseconds()),
                (d.months(), d.days(), d.seconds(), d.nanoseconds())
            );
        }
        assert!(Span::try_from(Duration::new(1, -1, 0, 0)?).is_err());
        assert_eq!(
            civil::Date::try_from(&Value::Date("2022-11-05".parse()?))?,
            civil::date(2022, 11, 5)
        );
        Ok(())
    }
}
