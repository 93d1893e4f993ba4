//! Conversions between the temporal types and chrono's (the `chrono` feature). chrono covers
//! about ±262,000 years and this crate ±999,999,999: a value outside chrono's range is
//! `ValueError::OutOfRange`, never a panic. chrono has no time-of-day with an offset (`Time`)
//! nor a duration of months and days, so those have no conversion; a `DateTime` converts to
//! `chrono::DateTime<FixedOffset>` with its offset (a named zone's name is dropped).

use chrono::{Datelike, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, Timelike};

use super::{Date, DateTime, LocalDateTime, LocalTime};
use crate::graph::{Value, ValueError};

fn out_of_range(value: impl std::fmt::Display, target: &'static str) -> ValueError {
    ValueError::OutOfRange {
        value: value.to_string(),
        target,
    }
}

impl TryFrom<Date> for NaiveDate {
    type Error = ValueError;
    /// ```
    /// let d: kgraph::Date = "2022-11-05".parse()?;
    /// assert_eq!(chrono::NaiveDate::try_from(d)?, chrono::NaiveDate::from_ymd_opt(2022, 11, 5).unwrap());
    /// # Ok::<_, Box<dyn std::error::Error>>(())
    /// ```
    fn try_from(d: Date) -> Result<NaiveDate, ValueError> {
        i32::try_from(d.year())
            .ok()
            .and_then(|y| NaiveDate::from_ymd_opt(y, d.month(), d.day()))
            .ok_or_else(|| out_of_range(d, "chrono::NaiveDate"))
    }
}

impl TryFrom<NaiveDate> for Date {
    type Error = ValueError;
    /// ```
    /// let d = kgraph::Date::try_from(chrono::NaiveDate::from_ymd_opt(2022, 11, 5).unwrap())?;
    /// assert_eq!(d.to_string(), "2022-11-05");
    /// # Ok::<_, kgraph::ValueError>(())
    /// ```
    fn try_from(d: NaiveDate) -> Result<Date, ValueError> {
        Date::from_ymd(d.year(), d.month(), d.day()).map_err(|_| out_of_range(d, "kgraph::Date"))
    }
}

impl TryFrom<LocalTime> for NaiveTime {
    type Error = ValueError;
    /// ```
    /// let t: kgraph::LocalTime = "12:31:14.5".parse()?;
    /// assert_eq!(chrono::NaiveTime::try_from(t)?.to_string(), "12:31:14.500");
    /// # Ok::<_, Box<dyn std::error::Error>>(())
    /// ```
    fn try_from(t: LocalTime) -> Result<NaiveTime, ValueError> {
        NaiveTime::from_hms_nano_opt(t.hour(), t.minute(), t.second(), t.nanosecond())
            .ok_or_else(|| out_of_range(t, "chrono::NaiveTime"))
    }
}

impl TryFrom<NaiveTime> for LocalTime {
    type Error = ValueError;
    /// A leap second (chrono's nanosecond of 1,000,000,000 or more) is out of range.
    ///
    /// ```
    /// let t = kgraph::LocalTime::try_from(chrono::NaiveTime::from_hms_opt(12, 0, 1).unwrap())?;
    /// assert_eq!(t.to_string(), "12:00:01");
    /// # Ok::<_, kgraph::ValueError>(())
    /// ```
    fn try_from(t: NaiveTime) -> Result<LocalTime, ValueError> {
        LocalTime::new(t.hour(), t.minute(), t.second(), t.nanosecond())
            .map_err(|_| out_of_range(t, "kgraph::LocalTime"))
    }
}

impl TryFrom<LocalDateTime> for NaiveDateTime {
    type Error = ValueError;
    /// ```
    /// let t: kgraph::LocalDateTime = "2015-07-21T21:40:32".parse()?;
    /// assert_eq!(chrono::NaiveDateTime::try_from(t)?.to_string(), "2015-07-21 21:40:32");
    /// # Ok::<_, Box<dyn std::error::Error>>(())
    /// ```
    fn try_from(t: LocalDateTime) -> Result<NaiveDateTime, ValueError> {
        Ok(NaiveDateTime::new(t.date().try_into()?, t.time().try_into()?))
    }
}

impl TryFrom<NaiveDateTime> for LocalDateTime {
    type Error = ValueError;
    /// ```
    /// let n = chrono::NaiveDate::from_ymd_opt(2015, 7, 21).unwrap().and_hms_opt(21, 40, 32).unwrap();
    /// assert_eq!(kgraph::LocalDateTime::try_from(n)?.to_string(), "2015-07-21T21:40:32");
    /// # Ok::<_, kgraph::ValueError>(())
    /// ```
    fn try_from(t: NaiveDateTime) -> Result<LocalDateTime, ValueError> {
        Ok(LocalDateTime::new(t.date().try_into()?, t.time().try_into()?))
    }
}

impl TryFrom<DateTime> for chrono::DateTime<FixedOffset> {
    type Error = ValueError;
    /// The same instant at the same offset (a zone's name is dropped).
    ///
    /// ```
    /// let t: kgraph::DateTime = "2015-07-21T21:40:32+01:00".parse()?;
    /// let c = chrono::DateTime::<chrono::FixedOffset>::try_from(t)?;
    /// assert_eq!((c.timestamp(), c.offset().local_minus_utc()), (t.epoch_seconds(), 3600));
    /// # Ok::<_, Box<dyn std::error::Error>>(())
    /// ```
    fn try_from(t: DateTime) -> Result<chrono::DateTime<FixedOffset>, ValueError> {
        let local = NaiveDateTime::try_from(t.local())?;
        FixedOffset::east_opt(t.offset_seconds())
            .and_then(|o| local.and_local_timezone(o).single())
            .ok_or_else(|| out_of_range(t, "chrono::DateTime<FixedOffset>"))
    }
}

impl TryFrom<chrono::DateTime<FixedOffset>> for DateTime {
    type Error = ValueError;
    /// ```
    /// let c = chrono::DateTime::parse_from_rfc3339("2015-07-21T21:40:32+01:00").unwrap();
    /// assert_eq!(kgraph::DateTime::try_from(c)?.to_string(), "2015-07-21T21:40:32+01:00");
    /// # Ok::<_, kgraph::ValueError>(())
    /// ```
    fn try_from(t: chrono::DateTime<FixedOffset>) -> Result<DateTime, ValueError> {
        let local = LocalDateTime::try_from(t.naive_local())?;
        DateTime::with_offset(local, t.offset().local_minus_utc())
            .map_err(|_| out_of_range(t, "kgraph::DateTime"))
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
    NaiveDate => Date;
    NaiveTime => LocalTime;
    NaiveDateTime => LocalDateTime;
    chrono::DateTime<FixedOffset> => DateTime;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_range() -> Result<(), Box<dyn std::error::Error>> {
        for text in ["2022-11-05", "-0044-03-15", "+262142-12-31"] {
            let d: Date = text.parse()?;
            assert_eq!(Date::try_from(NaiveDate::try_from(d)?)?, d);
        }
        let far: Date = "+999999999-12-31".parse()?;
        assert!(matches!(
            NaiveDate::try_from(far),
            Err(ValueError::OutOfRange { .. })
        ));
        let dt: DateTime = "2017-08-08T12:31:14.645876123+02:00[Europe/Stockholm]".parse()?;
        let c = chrono::DateTime::<FixedOffset>::try_from(dt)?;
        assert_eq!(c.timestamp(), dt.epoch_seconds());
        assert_eq!(
            DateTime::try_from(c)?.to_string(),
            "2017-08-08T12:31:14.645876123+02:00"
        );
        let leap = NaiveTime::from_hms_nano_opt(23, 59, 59, 1_500_000_000).ok_or("leap")?;
        assert!(LocalTime::try_from(leap).is_err());
        assert_eq!(
            NaiveDate::try_from(&Value::Date("2022-11-05".parse()?))?.to_string(),
            "2022-11-05"
        );
        assert!(NaiveDate::try_from(&Value::Int(1)).is_err());
        Ok(())
    }
}
