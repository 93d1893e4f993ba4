//! Arithmetic across the temporal types: adding durations, the duration between two values,
//! and truncation to a unit, with the semantics of Neo4j (Java's `java.time` rules).

use super::civil::{week_one_monday, NANOS_PER_DAY, NANOS_PER_SECOND};
use super::date::Date;
use super::datetime::{DateTime, LocalDateTime, TimeZone};
use super::duration::Duration;
use super::error::TemporalError;
use super::time::{LocalTime, Time};

/// A temporal value that names a point (every type but a duration).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Temporal {
    Date(Date),
    LocalTime(LocalTime),
    Time(Time),
    LocalDateTime(LocalDateTime),
    DateTime(DateTime),
}

impl Temporal {
    /// The date part, for the types that have one.
    pub(crate) fn date(self) -> Option<Date> {
        match self {
            Temporal::Date(d) => Some(d),
            Temporal::LocalDateTime(l) => Some(l.date()),
            Temporal::DateTime(d) => Some(d.local().date()),
            Temporal::LocalTime(_) | Temporal::Time(_) => None,
        }
    }

    /// The time-of-day part, for the types that have one.
    pub(crate) fn time(self) -> Option<LocalTime> {
        match self {
            Temporal::LocalTime(t) => Some(t),
            Temporal::Time(t) => Some(t.local()),
            Temporal::LocalDateTime(l) => Some(l.time()),
            Temporal::DateTime(d) => Some(d.local().time()),
            Temporal::Date(_) => None,
        }
    }

    /// The zone (an offset for a time), for the types that have one.
    pub(crate) fn zone(self) -> Option<TimeZone> {
        match self {
            Temporal::Time(t) => Some(TimeZone::Offset(t.offset_seconds())),
            Temporal::DateTime(d) => Some(d.time_zone()),
            _ => None,
        }
    }

    /// The offset in force, for the types that have one.
    pub(crate) fn offset(self) -> Option<i32> {
        match self {
            Temporal::Time(t) => Some(t.offset_seconds()),
            Temporal::DateTime(d) => Some(d.offset_seconds()),
            _ => None,
        }
    }

    /// The value plus a duration: months and days on the calendar (a date-time in a named
    /// zone keeps its offset when it can), seconds on the clock; a date adds whole days of
    /// the seconds, a time ignores months and days.
    pub(crate) fn plus(self, d: Duration) -> Result<Temporal, TemporalError> {
        let calendar =
            |date: Date| -> Result<Date, TemporalError> { date.plus_months(d.months())?.plus_days(d.days()) };
        Ok(match self {
            Temporal::Date(date) => Temporal::Date(calendar(date)?.plus_days(d.seconds() / 86_400)?),
            Temporal::LocalTime(t) => Temporal::LocalTime(t.plus_nanos(d.nanos_total())),
            Temporal::Time(t) => Temporal::Time(Time::new(
                t.local().plus_nanos(d.nanos_total()),
                t.offset_seconds(),
            )?),
            Temporal::LocalDateTime(l) => Temporal::LocalDateTime(
                LocalDateTime::new(calendar(l.date())?, l.time()).plus_nanos(d.nanos_total())?,
            ),
            Temporal::DateTime(dt) => {
                let tz = dt.time_zone();
                let moved = if d.months() != 0 || d.days() != 0 {
                    let local = LocalDateTime::new(calendar(dt.local().date())?, dt.local().time());
                    DateTime::of_local(local, tz, Some(dt.offset_seconds()))?
                } else {
                    dt
                };
                let instant = moved
                    .epoch_nanos()
                    .checked_add(d.nanos_total())
                    .ok_or_else(|| TemporalError::overflow("the date-time"))?;
                Temporal::DateTime(DateTime::from_instant(instant, tz)?)
            }
        })
    }

    /// The value minus a duration.
    pub(crate) fn minus(self, d: Duration) -> Result<Temporal, TemporalError> {
        self.plus(d.checked_neg()?)
    }
}

/// What `duration.between` and its siblings measure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Between {
    /// Months, then days, then seconds (`duration.between`).
    Full,
    /// Whole months (`duration.inMonths`).
    Months,
    /// Whole days (`duration.inDays`).
    Days,
    /// Seconds and nanoseconds (`duration.inSeconds`).
    Seconds,
}

/// One side of a `between`, with what it has: a date, a time, a zone.
#[derive(Clone, Copy)]
struct Side {
    date: Option<Date>,
    time: Option<LocalTime>,
    zone: Option<TimeZone>,
    offset: Option<i32>,
}

impl Side {
    fn of(t: Temporal) -> Side {
        Side {
            date: t.date(),
            time: t.time(),
            zone: t.zone(),
            offset: t.offset(),
        }
    }

    fn local(self) -> Option<LocalDateTime> {
        Some(LocalDateTime::new(self.date?, self.time?))
    }

    /// A date-time of a side that has a date, a time and a zone.
    fn date_time(self) -> Result<Option<DateTime>, TemporalError> {
        match (self.local(), self.zone) {
            (Some(l), Some(tz)) => DateTime::of_local(l, tz, self.offset).map(Some),
            _ => Ok(None),
        }
    }
}

/// Months from one date to another, whole months only (Java's `LocalDate.until(MONTHS)`).
fn months_until(a: Date, b: Date) -> i64 {
    let packed = |d: Date| (d.year() * 12 + i64::from(d.month()) - 1) * 32 + i64::from(d.day());
    (packed(b) - packed(a)) / 32
}

/// The end date `LocalDateTime.until` counts to for date units: a day less (more) when the
/// end's time of day has not yet reached (has passed) the start's.
fn end_date(a: LocalDateTime, b: LocalDateTime) -> Result<Date, TemporalError> {
    if b.date() > a.date() && b.time() < a.time() {
        b.date().plus_days(-1)
    } else if b.date() < a.date() && b.time() > a.time() {
        b.date().plus_days(1)
    } else {
        Ok(b.date())
    }
}

/// The duration from `from` to `to`, as Neo4j computes it: a side without a time gets
/// midnight, a side without a date gets the other's date, a side without a zone gets the
/// other's zone; then months, days and nanoseconds as `unit` asks.
pub(crate) fn between(from: Temporal, to: Temporal, unit: Between) -> Result<Duration, TemporalError> {
    let (mut a, mut b) = (Side::of(from), Side::of(to));
    let midnight = |s: &mut Side| {
        if s.time.is_none() {
            s.time = Some(LocalTime::MIDNIGHT);
        }
    };
    if unit == Between::Seconds {
        midnight(&mut a);
        midnight(&mut b);
    } else if a.time.is_some() && b.time.is_none() {
        midnight(&mut b);
    } else if b.time.is_some() && a.time.is_none() {
        midnight(&mut a);
    }
    if a.date.is_some() && b.date.is_none() {
        b.date = a.date;
    } else if b.date.is_some() && a.date.is_none() {
        a.date = b.date;
    }
    if a.zone.is_some() && b.zone.is_none() {
        b.zone = a.zone;
    } else if b.zone.is_some() && a.zone.is_none() {
        a.zone = b.zone;
    }
    let zero = Duration::ZERO;
    match (a.date, a.time) {
        // Dates only.
        (Some(da), None) => {
            let db = b.date.unwrap_or(da);
            match unit {
                Between::Months => Duration::new(months_until(da, db), 0, 0, 0),
                Between::Days => Duration::new(0, db.days() - da.days(), 0, 0),
                Between::Seconds => Ok(zero),
                Between::Full => {
                    let months = months_until(da, db);
                    let moved = da.plus_months(months)?;
                    Duration::new(months, db.days() - moved.days(), 0, 0)
                }
            }
        }
        // Times only.
        (None, Some(ta)) => {
            let tb = b.time.unwrap_or(ta);
            if matches!(unit, Between::Months | Between::Days) {
                return Ok(zero);
            }
            let nanos = match (a.offset.or(zone_offset(a.zone)), b.offset.or(zone_offset(b.zone))) {
                (Some(oa), Some(ob)) => {
                    let utc = |t: LocalTime, o: i32| {
                        t.nano_of_day() as i128 - i128::from(o) * i128::from(NANOS_PER_SECOND)
                    };
                    utc(tb, ob) - utc(ta, oa)
                }
                _ => tb.nano_of_day() as i128 - ta.nano_of_day() as i128,
            };
            Duration::from_wide(0, 0, 0, nanos)
        }
        (None, None) => Ok(zero),
        // Dates and times.
        (Some(_), Some(_)) => match (a.date_time()?, b.date_time()?) {
            (Some(za), Some(zb)) => zoned_between(za, zb, unit),
            _ => match (a.local(), b.local()) {
                (Some(la), Some(lb)) => local_between(la, lb, unit),
                _ => Ok(zero),
            },
        },
    }
}

fn zone_offset(tz: Option<TimeZone>) -> Option<i32> {
    match tz {
        Some(TimeZone::Offset(o)) => Some(o),
        _ => None,
    }
}

fn local_between(a: LocalDateTime, b: LocalDateTime, unit: Between) -> Result<Duration, TemporalError> {
    let days_until = |a: LocalDateTime, b: LocalDateTime| -> Result<i64, TemporalError> {
        Ok(end_date(a, b)?.days() - a.date().days())
    };
    match unit {
        Between::Months => Duration::new(months_until(a.date(), end_date(a, b)?), 0, 0, 0),
        Between::Days => Duration::new(0, days_until(a, b)?, 0, 0),
        Between::Seconds => Duration::from_wide(0, 0, 0, b.nanos() - a.nanos()),
        Between::Full => {
            let months = months_until(a.date(), end_date(a, b)?);
            let a1 = LocalDateTime::new(a.date().plus_months(months)?, a.time());
            let days = days_until(a1, b)?;
            let a2 = LocalDateTime::new(a1.date().plus_days(days)?, a.time());
            Duration::from_wide(i128::from(months), i128::from(days), 0, b.nanos() - a2.nanos())
        }
    }
}

fn zoned_between(a: DateTime, b: DateTime, unit: Between) -> Result<Duration, TemporalError> {
    let tz = a.time_zone();
    // Date units count on the start's clock: the end is first moved to the start's zone.
    let b_here = DateTime::from_instant(b.epoch_nanos(), tz)?;
    match unit {
        Between::Seconds => Duration::from_wide(0, 0, 0, b.epoch_nanos() - a.epoch_nanos()),
        Between::Months => Duration::new(
            months_until(a.local().date(), end_date(a.local(), b_here.local())?),
            0,
            0,
            0,
        ),
        Between::Days => {
            let end = end_date(a.local(), b_here.local())?;
            Duration::new(0, end.days() - a.local().date().days(), 0, 0)
        }
        Between::Full => {
            let months = months_until(a.local().date(), end_date(a.local(), b_here.local())?);
            let a1 = Temporal::DateTime(a).plus(Duration::new(months, 0, 0, 0)?)?;
            let Temporal::DateTime(a1) = a1 else {
                return Ok(Duration::ZERO);
            };
            let end = end_date(a1.local(), b_here.local())?;
            let days = end.days() - a1.local().date().days();
            let Temporal::DateTime(a2) = Temporal::DateTime(a1).plus(Duration::new(0, days, 0, 0)?)? else {
                return Ok(Duration::ZERO);
            };
            Duration::from_wide(
                i128::from(months),
                i128::from(days),
                0,
                b.epoch_nanos() - a2.epoch_nanos(),
            )
        }
    }
}

/// The units a value can be truncated to, largest first (the query layer maps Cypher's names).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum TruncUnit {
    Millennium,
    Century,
    Decade,
    Year,
    WeekYear,
    Quarter,
    Month,
    Week,
    Day,
    Hour,
    Minute,
    Second,
    Millisecond,
    Microsecond,
}

impl TruncUnit {
    /// True for the units that keep a date and clear the time of day.
    pub(crate) fn is_date_unit(self) -> bool {
        self <= TruncUnit::Day
    }

    /// A date truncated to a date unit.
    pub(crate) fn date(self, d: Date) -> Result<Date, TemporalError> {
        let y = d.year();
        let first = |year: i64| Date::from_ymd(year, 1, 1);
        match self {
            TruncUnit::Millennium => first(y.div_euclid(1000) * 1000),
            TruncUnit::Century => first(y.div_euclid(100) * 100),
            TruncUnit::Decade => first(y.div_euclid(10) * 10),
            TruncUnit::Year => first(y),
            TruncUnit::WeekYear => Date::from_days(week_one_monday(d.week_year())),
            TruncUnit::Quarter => Date::from_ymd(y, (d.month() - 1) / 3 * 3 + 1, 1),
            TruncUnit::Month => Date::from_ymd(y, d.month(), 1),
            TruncUnit::Week => d.plus_days(1 - i64::from(d.day_of_week())),
            _ => Ok(d),
        }
    }

    /// A time of day truncated to a unit (midnight for the date units).
    pub(crate) fn time(self, t: LocalTime) -> LocalTime {
        let n = t.nano_of_day();
        let step: u64 = match self {
            TruncUnit::Hour => 3_600_000_000_000,
            TruncUnit::Minute => 60_000_000_000,
            TruncUnit::Second => 1_000_000_000,
            TruncUnit::Millisecond => 1_000_000,
            TruncUnit::Microsecond => 1000,
            _ => NANOS_PER_DAY as u64,
        };
        LocalTime::from_nano_of_day(n - n % step).unwrap_or(LocalTime::MIDNIGHT)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(text: &str) -> Temporal {
        if let Some(d) = text
            .parse::<DateTime>()
            .ok()
            .filter(|_| text.contains(['Z', '+', '[']))
        {
            return Temporal::DateTime(d);
        }
        if let Some(d) = text.parse::<LocalDateTime>().ok().filter(|_| text.contains('T')) {
            return Temporal::LocalDateTime(d);
        }
        if let Ok(d) = text.parse::<Date>() {
            return Temporal::Date(d);
        }
        Temporal::LocalTime(text.parse().unwrap_or(LocalTime::MIDNIGHT))
    }

    fn between_text(a: &str, b: &str, unit: Between) -> String {
        between(t(a), t(b), unit)
            .map(|d| d.to_string())
            .unwrap_or_default()
    }

    #[test]
    fn between_crosses_daylight_saving_by_the_clock() {
        assert_eq!(
            between_text(
                "2017-10-28T23:00+02:00[Europe/Stockholm]",
                "2017-10-29T04:00+01:00[Europe/Stockholm]",
                Between::Full
            ),
            "PT6H"
        );
        // A calendar day across the spring gap in New York lasts 23 hours.
        assert_eq!(
            between_text(
                "2021-03-13T12:00[America/New_York]",
                "2021-03-14T12:00[America/New_York]",
                Between::Full
            ),
            "P1D"
        );
        assert_eq!(
            between_text(
                "2021-03-13T12:00[America/New_York]",
                "2021-03-14T12:00[America/New_York]",
                Between::Seconds
            ),
            "PT23H"
        );
    }

    #[test]
    fn between_in_months_truncates_toward_zero() {
        assert_eq!(
            between_text("2018-03-11", "2016-06-24", Between::Months),
            "P-1Y-8M"
        );
        assert_eq!(between_text("2024-01-31", "2024-02-29", Between::Full), "P29D");
        assert_eq!(between_text("2024-02-29", "2025-02-28", Between::Full), "P11M30D");
    }

    #[test]
    fn adding_a_month_clamps_and_keeps_the_offset_in_an_overlap() {
        let d = t("2024-01-31").plus(Duration::new(1, 0, 0, 0).unwrap_or_default());
        assert_eq!(
            d.ok().and_then(|d| d.date()).map(|d| d.to_string()),
            Some("2024-02-29".into())
        );
        // One day after 2017-10-28T02:30+02:00 is the 29th's first 02:30, still +02:00.
        let dt = t("2017-10-28T02:30[Europe/Stockholm]").plus(Duration::new(0, 1, 0, 0).unwrap_or_default());
        let Ok(Temporal::DateTime(dt)) = dt else {
            panic!("not a date-time")
        };
        assert_eq!(dt.to_string(), "2017-10-29T02:30+02:00[Europe/Stockholm]");
        // An hour later on the clock is the second 02:30, at +01:00.
        let later = Temporal::DateTime(dt).plus(Duration::new(0, 0, 3600, 0).unwrap_or_default());
        let Ok(Temporal::DateTime(later)) = later else {
            panic!("not a date-time")
        };
        assert_eq!(later.to_string(), "2017-10-29T02:30+01:00[Europe/Stockholm]");
    }
}
