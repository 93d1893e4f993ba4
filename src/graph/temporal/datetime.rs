//! Date-times: `LocalDateTime` without a zone, `DateTime` with an offset and maybe a zone.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use super::civil::{NANOS_PER_DAY, NANOS_PER_SECOND, SECONDS_PER_DAY};
use super::date::Date;
use super::error::TemporalError;
use super::parse;
use super::time::{check_offset, write_offset, LocalTime};
use super::zone::Zone;

/// A date and a time of day without a zone: Cypher's `localdatetime()` values.
///
/// ```
/// use kgraph::{Date, LocalDateTime, LocalTime};
/// let dt = LocalDateTime::new(Date::from_ymd(2015, 7, 21)?, LocalTime::new(21, 40, 32, 142_000_000)?);
/// assert_eq!(dt.to_string(), "2015-07-21T21:40:32.142");
/// assert_eq!("2015-W30-2T214032.142".parse::<LocalDateTime>()?, dt);
/// # Ok::<_, kgraph::TemporalError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct LocalDateTime {
    date: Date,
    time: LocalTime,
}

impl LocalDateTime {
    /// A date at a time of day.
    ///
    /// ```
    /// use kgraph::{Date, LocalDateTime, LocalTime};
    /// let dt = LocalDateTime::new(Date::from_ymd(1984, 10, 11)?, LocalTime::MIDNIGHT);
    /// assert_eq!(dt.to_string(), "1984-10-11T00:00");
    /// # Ok::<_, kgraph::TemporalError>(())
    /// ```
    pub fn new(date: Date, time: LocalTime) -> LocalDateTime {
        LocalDateTime { date, time }
    }

    /// The date.
    ///
    /// ```
    /// let dt: kgraph::LocalDateTime = "1984-10-11T12:00".parse()?;
    /// assert_eq!(dt.date().to_string(), "1984-10-11");
    /// # Ok::<_, kgraph::TemporalError>(())
    /// ```
    pub fn date(self) -> Date {
        self.date
    }

    /// The time of day.
    ///
    /// ```
    /// let dt: kgraph::LocalDateTime = "1984-10-11T12:00".parse()?;
    /// assert_eq!(dt.time().to_string(), "12:00");
    /// # Ok::<_, kgraph::TemporalError>(())
    /// ```
    pub fn time(self) -> LocalTime {
        self.time
    }

    /// Nanoseconds since 1970-01-01T00:00 (of the same clock).
    pub(crate) fn nanos(self) -> i128 {
        i128::from(self.date.days()) * i128::from(NANOS_PER_DAY) + i128::from(self.time.nano_of_day())
    }

    /// Whole seconds since 1970-01-01T00:00 (of the same clock).
    pub(crate) fn seconds(self) -> i64 {
        self.date.days() * SECONDS_PER_DAY + (self.time.nano_of_day() / 1_000_000_000) as i64
    }

    /// The local date-time `nanos` nanoseconds after 1970-01-01T00:00.
    pub(crate) fn from_nanos(nanos: i128) -> Result<LocalDateTime, TemporalError> {
        let day = i128::from(NANOS_PER_DAY);
        let days = i64::try_from(nanos.div_euclid(day)).map_err(|_| TemporalError::overflow("the date"))?;
        Ok(LocalDateTime {
            date: Date::from_days(days)?,
            time: LocalTime::from_nano_of_day(nanos.rem_euclid(day) as u64)?,
        })
    }

    /// The same time `nanos` nanoseconds later (earlier when negative).
    ///
    /// ```
    /// let dt: kgraph::LocalDateTime = "1984-10-11T23:00".parse()?;
    /// assert_eq!(dt.plus_nanos(3_600_000_000_000)?.to_string(), "1984-10-12T00:00");
    /// # Ok::<_, kgraph::TemporalError>(())
    /// ```
    pub fn plus_nanos(self, nanos: i128) -> Result<LocalDateTime, TemporalError> {
        self.nanos()
            .checked_add(nanos)
            .ok_or_else(|| TemporalError::overflow("the date"))
            .and_then(LocalDateTime::from_nanos)
    }
}

impl FromStr for LocalDateTime {
    type Err = TemporalError;

    fn from_str(text: &str) -> Result<LocalDateTime, TemporalError> {
        parse::local_date_time(text)
    }
}

impl fmt::Display for LocalDateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}T{}", self.date, self.time)
    }
}

/// A time zone: a fixed offset from UTC or a named zone of the IANA database.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum TimeZone {
    Offset(i32),
    Named(Zone),
}

impl TimeZone {
    /// An offset (`Z`, `+01:00`, `-0230`, `+05`) or a zone name (`Europe/Stockholm`).
    pub(crate) fn parse(text: &str) -> Result<TimeZone, TemporalError> {
        if let Some(offset) = parse::offset_only(text)? {
            return Ok(TimeZone::Offset(offset));
        }
        Zone::parse(text)
            .map(TimeZone::Named)
            .ok_or_else(|| TemporalError::UnknownZone(text.chars().take(64).collect()))
    }

    /// The offset in force at an instant.
    pub(crate) fn offset_at(self, epoch_seconds: i64) -> i32 {
        match self {
            TimeZone::Offset(o) => o,
            TimeZone::Named(z) => z.offset_at(epoch_seconds),
        }
    }
}

/// A date and a time of day at an offset from UTC, and in a named zone when it has one:
/// Cypher's `datetime()` values.
///
/// A date-time in a named zone keeps the zone: its offset is the zone's at that moment
/// (`+01:00` in a Stockholm winter, `+02:00` in its summer). A local time that a zone skips
/// (the hour lost in spring) moves later by the length of the gap; one that happens twice
/// takes the earlier offset. Two date-times are equal when their local date and time, offset
/// and zone are; they are ordered by the instant they name, then by local date and time.
///
/// ```
/// use kgraph::{DateTime, LocalDateTime};
/// let local: LocalDateTime = "2017-08-08T12:31:14.645876123".parse()?;
/// let dt = DateTime::in_zone(local, "Europe/Stockholm")?;
/// assert_eq!(dt.to_string(), "2017-08-08T12:31:14.645876123+02:00[Europe/Stockholm]");
/// let gap = DateTime::in_zone("2017-03-26T02:30".parse()?, "Europe/Stockholm")?;
/// assert_eq!(gap.to_string(), "2017-03-26T03:30+02:00[Europe/Stockholm]");
/// assert_eq!("2015-07-21T21:40:32.142+0100".parse::<DateTime>()?.offset_seconds(), 3600);
/// # Ok::<_, kgraph::TemporalError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct DateTime {
    date: Date,
    time: LocalTime,
    offset: i32,
    zone: Option<Zone>,
}

impl DateTime {
    /// A local date-time at a fixed offset, in seconds east of UTC (at most 18 hours).
    ///
    /// ```
    /// use kgraph::DateTime;
    /// let dt = DateTime::with_offset("1984-10-11T12:00".parse()?, -3600)?;
    /// assert_eq!(dt.to_string(), "1984-10-11T12:00-01:00");
    /// # Ok::<_, kgraph::TemporalError>(())
    /// ```
    pub fn with_offset(local: LocalDateTime, offset_seconds: i32) -> Result<DateTime, TemporalError> {
        check_offset(offset_seconds)?;
        let dt = DateTime {
            date: local.date,
            time: local.time,
            offset: offset_seconds,
            zone: None,
        };
        dt.check_instant()?;
        Ok(dt)
    }

    /// A local date-time in a zone, given by name (`Europe/Stockholm`) or as an offset
    /// (`+01:00`, `Z`); the zone decides the offset.
    ///
    /// ```
    /// use kgraph::DateTime;
    /// let dt = DateTime::in_zone("1984-10-11T12:00".parse()?, "Pacific/Honolulu")?;
    /// assert_eq!(dt.to_string(), "1984-10-11T12:00-10:00[Pacific/Honolulu]");
    /// assert!(DateTime::in_zone("1984-10-11T12:00".parse()?, "Mars/Olympus").is_err());
    /// # Ok::<_, kgraph::TemporalError>(())
    /// ```
    pub fn in_zone(local: LocalDateTime, zone: &str) -> Result<DateTime, TemporalError> {
        DateTime::of_local(local, TimeZone::parse(zone)?, None)
    }

    /// A local date-time in a zone; in an overlap the `preferred` offset wins when valid.
    pub(crate) fn of_local(
        local: LocalDateTime,
        tz: TimeZone,
        preferred: Option<i32>,
    ) -> Result<DateTime, TemporalError> {
        match tz {
            TimeZone::Offset(o) => DateTime::with_offset(local, o),
            TimeZone::Named(zone) => {
                let seconds = local.seconds();
                let (moved, offset) = zone.resolve(seconds, preferred);
                let local = local.plus_nanos(i128::from(moved - seconds) * i128::from(NANOS_PER_SECOND))?;
                let dt = DateTime {
                    date: local.date,
                    time: local.time,
                    offset,
                    zone: Some(zone),
                };
                dt.check_instant()?;
                Ok(dt)
            }
        }
    }

    /// The date-time of an instant (nanoseconds since 1970-01-01T00:00Z) in a zone.
    pub(crate) fn from_instant(epoch_nanos: i128, tz: TimeZone) -> Result<DateTime, TemporalError> {
        let seconds = i64::try_from(epoch_nanos.div_euclid(i128::from(NANOS_PER_SECOND)))
            .map_err(|_| TemporalError::overflow("the date-time"))?;
        let offset = tz.offset_at(seconds);
        let local =
            LocalDateTime::from_nanos(epoch_nanos + i128::from(offset) * i128::from(NANOS_PER_SECOND))?;
        Ok(DateTime {
            date: local.date,
            time: local.time,
            offset,
            zone: match tz {
                TimeZone::Named(z) => Some(z),
                TimeZone::Offset(_) => None,
            },
        })
    }

    /// The date-time `seconds` and `nanos` after 1970-01-01T00:00Z, at UTC.
    ///
    /// ```
    /// use kgraph::DateTime;
    /// assert_eq!(DateTime::from_epoch(416_779, 999_999_999)?.to_string(), "1970-01-05T19:46:19.999999999Z");
    /// # Ok::<_, kgraph::TemporalError>(())
    /// ```
    pub fn from_epoch(seconds: i64, nanos: i64) -> Result<DateTime, TemporalError> {
        let total = i128::from(seconds) * i128::from(NANOS_PER_SECOND) + i128::from(nanos);
        DateTime::from_instant(total, TimeZone::Offset(0))
    }

    /// An instant (`from_instant`) is also a date in range: the local date-time may be, at
    /// the ends of the range, while UTC is not; both must be.
    fn check_instant(self) -> Result<(), TemporalError> {
        LocalDateTime::from_nanos(self.epoch_nanos()).map(|_| ())
    }

    /// The local date and time.
    ///
    /// ```
    /// let dt: kgraph::DateTime = "2015-07-21T21:40:32.142+01:00".parse()?;
    /// assert_eq!(dt.local().to_string(), "2015-07-21T21:40:32.142");
    /// # Ok::<_, kgraph::TemporalError>(())
    /// ```
    pub fn local(self) -> LocalDateTime {
        LocalDateTime {
            date: self.date,
            time: self.time,
        }
    }

    /// The offset, in seconds east of UTC.
    ///
    /// ```
    /// let dt: kgraph::DateTime = "1818-07-21T21:40:32.142[Europe/Stockholm]".parse()?;
    /// assert_eq!(dt.offset_seconds(), 3208);
    /// # Ok::<_, kgraph::TemporalError>(())
    /// ```
    pub fn offset_seconds(self) -> i32 {
        self.offset
    }

    /// The zone's name, for a date-time in a named zone.
    ///
    /// ```
    /// let dt: kgraph::DateTime = "2015-07-21T21:40:32.142[Europe/London]".parse()?;
    /// assert_eq!(dt.zone_name(), Some("Europe/London"));
    /// # Ok::<_, kgraph::TemporalError>(())
    /// ```
    pub fn zone_name(self) -> Option<&'static str> {
        self.zone.map(Zone::name)
    }

    /// The zone: the named one, else the offset.
    pub(crate) fn time_zone(self) -> TimeZone {
        self.zone.map_or(TimeZone::Offset(self.offset), TimeZone::Named)
    }

    /// Nanoseconds since 1970-01-01T00:00Z.
    pub(crate) fn epoch_nanos(self) -> i128 {
        self.local().nanos() - i128::from(self.offset) * i128::from(NANOS_PER_SECOND)
    }

    /// Whole seconds since 1970-01-01T00:00Z (rounded down).
    ///
    /// ```
    /// let dt: kgraph::DateTime = "1984-11-11T12:31:14.645876123+01:00".parse()?;
    /// assert_eq!(dt.epoch_seconds(), 469_020_674);
    /// # Ok::<_, kgraph::TemporalError>(())
    /// ```
    pub fn epoch_seconds(self) -> i64 {
        self.local().seconds() - i64::from(self.offset)
    }

    /// The same instant in another zone (a name or an offset).
    ///
    /// ```
    /// let dt: kgraph::DateTime = "1984-10-11T12:00+01:00".parse()?;
    /// assert_eq!(dt.to_zone("+05:00")?.to_string(), "1984-10-11T16:00+05:00");
    /// # Ok::<_, kgraph::TemporalError>(())
    /// ```
    pub fn to_zone(self, zone: &str) -> Result<DateTime, TemporalError> {
        DateTime::from_instant(self.epoch_nanos(), TimeZone::parse(zone)?)
    }

    /// Rebuilds from the parts a snapshot stores; `None` when they do not make a date-time
    /// this type can hold.
    pub(crate) fn from_parts(
        date: Date,
        time: LocalTime,
        offset: i32,
        zone: Option<Zone>,
    ) -> Option<DateTime> {
        let dt = DateTime {
            date,
            time,
            offset,
            zone,
        };
        (check_offset(offset).is_ok() && dt.check_instant().is_ok()).then_some(dt)
    }
}

impl Ord for DateTime {
    fn cmp(&self, other: &DateTime) -> Ordering {
        self.epoch_nanos()
            .cmp(&other.epoch_nanos())
            .then_with(|| self.local().cmp(&other.local()))
            .then_with(|| self.offset.cmp(&other.offset))
            .then_with(|| self.zone_name().cmp(&other.zone_name()))
    }
}

impl PartialOrd for DateTime {
    fn partial_cmp(&self, other: &DateTime) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl FromStr for DateTime {
    type Err = TemporalError;

    fn from_str(text: &str) -> Result<DateTime, TemporalError> {
        parse::date_time(text, TimeZone::Offset(0))
    }
}

impl fmt::Display for DateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.local())?;
        write_offset(f, self.offset)?;
        if let Some(z) = self.zone {
            write!(f, "[{}]", z.name())?;
        }
        Ok(())
    }
}
