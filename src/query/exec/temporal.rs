//! The temporal functions of Cypher (`date()`, `datetime.truncate()`, `duration.between()`,
//! ...), the components of temporal values (`d.year`, `dt.offset`, `dur.minutesOfHour`) and
//! their arithmetic, with Neo4j's semantics, over the value types of `graph::temporal`.

use std::collections::BTreeMap;

use super::error::{ExecError, ExecKind, ExecResult};
use super::Ctx;
use crate::graph::temporal::{
    between, check, Date, DateTime, Duration, LocalDateTime, LocalTime, Temporal, TemporalError, Time,
    TimeZone, TruncUnit,
};
use crate::graph::Value;
use crate::query::plan::{ArithOp, Clock, TemporalFn, TemporalKind};

/// The zone of values built without one (Neo4j's default `db.temporal.timezone`).
const DEFAULT_ZONE: TimeZone = TimeZone::Offset(0);

fn arg_error(message: impl Into<String>) -> ExecError {
    ExecError::new(ExecKind::Argument, message)
}

/// A temporal error as a query error: out of range, malformed or unknown zone are argument
/// errors, an overflowing computation an arithmetic one.
pub(crate) fn temporal_error(e: TemporalError) -> ExecError {
    match e {
        TemporalError::Overflow(_) => ExecError::new(ExecKind::Arithmetic, e.to_string()),
        _ => ExecError::new(ExecKind::Argument, e.to_string()),
    }
}

fn name(kind: TemporalKind) -> &'static str {
    match kind {
        TemporalKind::Date => "date",
        TemporalKind::LocalTime => "localtime",
        TemporalKind::Time => "time",
        TemporalKind::LocalDateTime => "localdatetime",
        TemporalKind::DateTime => "datetime",
    }
}

/// Runs a temporal function.
pub(crate) fn call(ctx: &Ctx<'_>, f: TemporalFn, args: &[Value]) -> ExecResult<Value> {
    let arg = |i: usize| args.get(i).unwrap_or(&Value::Null);
    match f {
        TemporalFn::Make(kind) => match args.first() {
            None => now(kind, ctx.now, None),
            Some(v) => make(kind, v, ctx.now),
        },
        TemporalFn::Duration => match arg(0) {
            Value::Null => Ok(Value::Null),
            Value::String(s) => s.parse::<Duration>().map(Value::from).map_err(temporal_error),
            Value::Map(m) => duration_from_map(m).map(Value::from),
            Value::Duration(d) => Ok(Value::Duration(d.clone())),
            other => Err(ExecError::type_error(format!(
                "duration() cannot take a {} argument",
                other.type_name()
            ))),
        },
        TemporalFn::Now(kind, clock) => {
            let at = match clock {
                Clock::Statement => ctx.now,
                Clock::Realtime => super::clock_now(),
            };
            match args.first() {
                None => now(kind, at, None),
                Some(Value::Null) => Ok(Value::Null),
                Some(Value::String(z)) => now(kind, at, Some(TimeZone::parse(z).map_err(temporal_error)?)),
                Some(other) => Err(ExecError::type_error(format!(
                    "{}.{}() takes a time zone, not a {}",
                    name(kind),
                    if clock == Clock::Realtime {
                        "realtime"
                    } else {
                        "statement"
                    },
                    other.type_name()
                ))),
            }
        }
        TemporalFn::Truncate(kind) => truncate(kind, arg(0), arg(1), arg(2), ctx.now),
        TemporalFn::Between(unit) => match (arg(0), arg(1)) {
            (Value::Null, _) | (_, Value::Null) => Ok(Value::Null),
            (a, b) => {
                let (Some(x), Some(y)) = (a.as_temporal(), b.as_temporal()) else {
                    return Err(ExecError::type_error(format!(
                        "duration.between() takes two temporal values, not a {} and a {}",
                        a.type_name(),
                        b.type_name()
                    )));
                };
                between(x, y, unit).map(Value::from).map_err(temporal_error)
            }
        },
        TemporalFn::FromEpoch => match (arg(0), arg(1)) {
            (Value::Null, _) | (_, Value::Null) => Ok(Value::Null),
            (Value::Int(s), Value::Int(n)) => DateTime::from_epoch(*s, *n)
                .map(Value::DateTime)
                .map_err(temporal_error),
            (a, b) => Err(ExecError::type_error(format!(
                "datetime.fromEpoch() takes two integers, not a {} and a {}",
                a.type_name(),
                b.type_name()
            ))),
        },
        TemporalFn::FromEpochMillis => match arg(0) {
            Value::Null => Ok(Value::Null),
            Value::Int(ms) => DateTime::from_epoch(ms.div_euclid(1000), ms.rem_euclid(1000) * 1_000_000)
                .map(Value::DateTime)
                .map_err(temporal_error),
            other => Err(ExecError::type_error(format!(
                "datetime.fromEpochMillis() takes an integer, not a {}",
                other.type_name()
            ))),
        },
    }
}

/// The current value of a kind at an instant, in a zone (the default without one).
fn now(kind: TemporalKind, at: i128, zone: Option<TimeZone>) -> ExecResult<Value> {
    let dt = DateTime::from_instant(at, zone.unwrap_or(DEFAULT_ZONE)).map_err(temporal_error)?;
    Ok(convert(kind, Temporal::DateTime(dt)))
}

/// A temporal value of another kind as this kind: the parts this kind has (a missing time is
/// midnight, a missing zone the default).
fn convert(kind: TemporalKind, t: Temporal) -> Value {
    let date = t.date();
    let time = t.time().unwrap_or(LocalTime::MIDNIGHT);
    match kind {
        TemporalKind::Date => date.map_or(Value::Null, Value::Date),
        TemporalKind::LocalTime => Value::LocalTime(time),
        TemporalKind::Time => {
            let offset = t.offset().unwrap_or(0);
            Time::new(time, offset).map_or(Value::Null, Value::Time)
        }
        TemporalKind::LocalDateTime => {
            date.map_or(Value::Null, |d| Value::LocalDateTime(LocalDateTime::new(d, time)))
        }
        TemporalKind::DateTime => match t {
            Temporal::DateTime(dt) => Value::DateTime(dt),
            _ => date
                .and_then(|d| DateTime::of_local(LocalDateTime::new(d, time), DEFAULT_ZONE, None).ok())
                .map_or(Value::Null, Value::DateTime),
        },
    }
}

/// `date(x)`, `time(x)`, ...: from a string, a map or another temporal value.
fn make(kind: TemporalKind, v: &Value, now: i128) -> ExecResult<Value> {
    match v {
        Value::Null => Ok(Value::Null),
        Value::String(s) => parse(kind, s).map_err(temporal_error),
        Value::Map(m) => from_map(kind, m, now),
        other => {
            let Some(t) = other.as_temporal() else {
                return Err(ExecError::type_error(format!(
                    "{}() cannot take a {} argument",
                    name(kind),
                    other.type_name()
                )));
            };
            if matches!(
                kind,
                TemporalKind::Date | TemporalKind::LocalDateTime | TemporalKind::DateTime
            ) && t.date().is_none()
            {
                return Err(arg_error(format!(
                    "{}() cannot be made from a {}",
                    name(kind),
                    other.type_name()
                )));
            }
            Ok(convert(kind, t))
        }
    }
}

fn parse(kind: TemporalKind, s: &str) -> Result<Value, TemporalError> {
    Ok(match kind {
        TemporalKind::Date => Value::Date(s.parse()?),
        TemporalKind::LocalTime => Value::LocalTime(s.parse()?),
        TemporalKind::Time => Value::Time(s.parse()?),
        TemporalKind::LocalDateTime => Value::LocalDateTime(s.parse()?),
        TemporalKind::DateTime => Value::DateTime(s.parse()?),
    })
}

/// The fields of a temporal map, checked for their names and types.
#[derive(Default)]
struct Fields {
    year: Option<i64>,
    month: Option<i64>,
    day: Option<i64>,
    week: Option<i64>,
    day_of_week: Option<i64>,
    quarter: Option<i64>,
    day_of_quarter: Option<i64>,
    ordinal_day: Option<i64>,
    hour: Option<i64>,
    minute: Option<i64>,
    second: Option<i64>,
    millisecond: Option<i64>,
    microsecond: Option<i64>,
    nanosecond: Option<i64>,
    timezone: Option<TimeZone>,
    date: Option<Temporal>,
    time: Option<Temporal>,
    datetime: Option<Temporal>,
    epoch_seconds: Option<i64>,
    epoch_millis: Option<i64>,
}

impl Fields {
    fn has_date_fields(&self) -> bool {
        [
            self.year,
            self.month,
            self.day,
            self.week,
            self.day_of_week,
            self.quarter,
            self.day_of_quarter,
            self.ordinal_day,
        ]
        .iter()
        .any(Option::is_some)
    }

    fn has_time_fields(&self) -> bool {
        [
            self.hour,
            self.minute,
            self.second,
            self.millisecond,
            self.microsecond,
            self.nanosecond,
        ]
        .iter()
        .any(Option::is_some)
    }

    fn has_subseconds(&self) -> bool {
        self.millisecond.is_some() || self.microsecond.is_some() || self.nanosecond.is_some()
    }
}

/// Reads a map's fields for a kind: an unknown key is an argument error, a value of the
/// wrong type a type error.
fn fields(kind: TemporalKind, m: &BTreeMap<String, Value>) -> ExecResult<Fields> {
    let has_date = matches!(
        kind,
        TemporalKind::Date | TemporalKind::LocalDateTime | TemporalKind::DateTime
    );
    let has_time = kind != TemporalKind::Date;
    let has_zone = matches!(kind, TemporalKind::Time | TemporalKind::DateTime);
    let mut f = Fields::default();
    for (key, v) in m {
        let int = || -> ExecResult<Option<i64>> {
            match v {
                Value::Int(i) => Ok(Some(*i)),
                other => Err(ExecError::type_error(format!(
                    "{}(): the field '{key}' must be an integer, not a {}",
                    name(kind),
                    other.type_name()
                ))),
            }
        };
        let temporal = || -> ExecResult<Option<Temporal>> {
            v.as_temporal().map(Some).ok_or_else(|| {
                ExecError::type_error(format!(
                    "{}(): the field '{key}' must be a temporal value, not a {}",
                    name(kind),
                    v.type_name()
                ))
            })
        };
        let known = match key.to_ascii_lowercase().as_str() {
            "year" if has_date => (f.year = int()?, true).1,
            "month" if has_date => (f.month = int()?, true).1,
            "day" if has_date => (f.day = int()?, true).1,
            "week" if has_date => (f.week = int()?, true).1,
            "dayofweek" if has_date => (f.day_of_week = int()?, true).1,
            "quarter" if has_date => (f.quarter = int()?, true).1,
            "dayofquarter" if has_date => (f.day_of_quarter = int()?, true).1,
            "ordinalday" if has_date => (f.ordinal_day = int()?, true).1,
            "date" if has_date => (f.date = temporal()?, true).1,
            "hour" if has_time => (f.hour = int()?, true).1,
            "minute" if has_time => (f.minute = int()?, true).1,
            "second" if has_time => (f.second = int()?, true).1,
            "millisecond" if has_time => (f.millisecond = int()?, true).1,
            "microsecond" if has_time => (f.microsecond = int()?, true).1,
            "nanosecond" if has_time => (f.nanosecond = int()?, true).1,
            "time" if has_time => (f.time = temporal()?, true).1,
            "datetime" if has_date && has_time => (f.datetime = temporal()?, true).1,
            "epochseconds" if kind == TemporalKind::DateTime => (f.epoch_seconds = int()?, true).1,
            "epochmillis" if kind == TemporalKind::DateTime => (f.epoch_millis = int()?, true).1,
            "timezone" if has_zone => match v {
                Value::String(z) => {
                    (
                        f.timezone = Some(TimeZone::parse(z).map_err(temporal_error)?),
                        true,
                    )
                        .1
                }
                other => {
                    return Err(ExecError::type_error(format!(
                        "{}(): the field 'timezone' must be a string, not a {}",
                        name(kind),
                        other.type_name()
                    )))
                }
            },
            _ => false,
        };
        if !known {
            return Err(arg_error(format!("{}() has no field '{key}'", name(kind))));
        }
    }
    Ok(f)
}

fn u(name: &str, v: i64, lo: i64, hi: i64) -> Result<u32, TemporalError> {
    check(name, v, lo, hi)?;
    Ok(v as u32)
}

/// The date of a map's date fields over an optional base date; `None` when there are
/// neither. Unknown combinations (a month and a week) are errors.
fn build_date(base: Option<Date>, f: &Fields) -> ExecResult<Option<Date>> {
    if base.is_none() && !f.has_date_fields() {
        return Ok(None);
    }
    let groups = [
        f.month.is_some() || f.day.is_some(),
        f.week.is_some() || f.day_of_week.is_some(),
        f.ordinal_day.is_some(),
        f.quarter.is_some() || f.day_of_quarter.is_some(),
    ];
    if groups.iter().filter(|g| **g).count() > 1 {
        return Err(arg_error(
            "a date is given by month and day, by week and day of week, by ordinal day, or by \
             quarter and day of quarter; not by several",
        ));
    }
    let year =
        |b: Option<i64>| -> ExecResult<i64> { f.year.or(b).ok_or_else(|| arg_error("a date needs a year")) };
    let d = (|| -> ExecResult<Date> {
        let e = temporal_error;
        if f.week.is_some() || f.day_of_week.is_some() {
            match (f.week, base) {
                (Some(w), b) => {
                    let wy = year(b.map(Date::week_year))?;
                    let dow = f
                        .day_of_week
                        .or(b.map(|b| i64::from(b.day_of_week())))
                        .unwrap_or(1);
                    Date::from_week_date(
                        wy,
                        u("week", w, 1, 53).map_err(e)?,
                        u("day of week", dow, 1, 7).map_err(e)?,
                    )
                    .map_err(e)
                }
                (None, Some(b)) => {
                    let dow = f.day_of_week.unwrap_or(1);
                    check("day of week", dow, 1, 7).map_err(e)?;
                    b.plus_days(dow - i64::from(b.day_of_week())).map_err(e)
                }
                (None, None) => Err(arg_error("a day of week needs a week")),
            }
        } else if let Some(od) = f.ordinal_day {
            Date::from_ordinal(
                year(base.map(Date::year))?,
                u("ordinal day", od, 1, 366).map_err(e)?,
            )
            .map_err(e)
        } else if f.quarter.is_some() || f.day_of_quarter.is_some() {
            let y = year(base.map(Date::year))?;
            let q = match (f.quarter, base) {
                (Some(q), _) => u("quarter", q, 1, 4).map_err(e)?,
                (None, Some(b)) => b.quarter(),
                (None, None) => return Err(arg_error("a day of quarter needs a quarter")),
            };
            match (f.day_of_quarter, base) {
                (Some(dq), _) => {
                    Date::from_quarter(y, q, u("day of quarter", dq, 1, 92).map_err(e)?).map_err(e)
                }
                (None, Some(b)) => {
                    let month = (q - 1) * 3 + (b.month() - 1) % 3 + 1;
                    clamped(y, month, b.day())
                }
                (None, None) => Date::from_quarter(y, q, 1).map_err(e),
            }
        } else {
            let y = year(base.map(Date::year))?;
            if base.is_none() && f.day.is_some() && f.month.is_none() {
                return Err(arg_error("a day needs a month"));
            }
            let month = u(
                "month",
                f.month.or(base.map(|b| i64::from(b.month()))).unwrap_or(1),
                1,
                12,
            )
            .map_err(e)?;
            match f.day {
                Some(d) => Date::from_ymd(y, month, u("day", d, 1, 31).map_err(e)?).map_err(e),
                None => clamped(y, month, base.map_or(1, Date::day)),
            }
        }
    })()?;
    Ok(Some(d))
}

/// A date with its day clamped to the month's last (as Java's `withMonth` and `withYear`).
fn clamped(year: i64, month: u32, day: u32) -> ExecResult<Date> {
    let last = (28..=31)
        .rev()
        .find(|d| Date::from_ymd(year, month, *d).is_ok())
        .unwrap_or(28);
    Date::from_ymd(year, month, day.min(last)).map_err(temporal_error)
}

/// The nanoseconds of the sub-second fields: each smaller unit counts within the next
/// larger one given (`{millisecond: 123, microsecond: 456, nanosecond: 789}` is .123456789).
fn subseconds(ms: Option<i64>, us: Option<i64>, ns: Option<i64>) -> Result<i64, TemporalError> {
    if let Some(ms) = ms {
        check("millisecond", ms, 0, 999)?;
    }
    if let Some(us) = us {
        check("microsecond", us, 0, if ms.is_some() { 999 } else { 999_999 })?;
    }
    if let Some(ns) = ns {
        let max = if us.is_some() {
            999
        } else if ms.is_some() {
            999_999
        } else {
            999_999_999
        };
        check("nanosecond", ns, 0, max)?;
    }
    Ok(ms.unwrap_or(0) * 1_000_000 + us.unwrap_or(0) * 1000 + ns.unwrap_or(0))
}

/// The time of a map's time fields over an optional base time; `None` when there are
/// neither. Without a base, a smaller unit needs the larger ones.
fn build_time(base: Option<LocalTime>, f: &Fields) -> ExecResult<Option<LocalTime>> {
    if base.is_none() && !f.has_time_fields() {
        return Ok(None);
    }
    let e = temporal_error;
    let (h, m, s, n) = match base {
        Some(b) => (
            f.hour.unwrap_or(i64::from(b.hour())),
            f.minute.unwrap_or(i64::from(b.minute())),
            f.second.unwrap_or(i64::from(b.second())),
            if f.has_subseconds() {
                subseconds(f.millisecond, f.microsecond, f.nanosecond).map_err(e)?
            } else {
                i64::from(b.nanosecond())
            },
        ),
        None => {
            let missing =
                |what: &str, needs: &str| arg_error(format!("{what} cannot be given without {needs}"));
            if f.hour.is_none() {
                return Err(missing("a time", "an hour"));
            }
            if f.minute.is_none() && (f.second.is_some() || f.has_subseconds()) {
                return Err(missing("a second", "a minute"));
            }
            if f.second.is_none() && f.has_subseconds() {
                return Err(missing("a fraction of a second", "a second"));
            }
            (
                f.hour.unwrap_or(0),
                f.minute.unwrap_or(0),
                f.second.unwrap_or(0),
                subseconds(f.millisecond, f.microsecond, f.nanosecond).map_err(e)?,
            )
        }
    };
    let t = LocalTime::new(
        u("hour", h, 0, 23).map_err(e)?,
        u("minute", m, 0, 59).map_err(e)?,
        u("second", s, 0, 59).map_err(e)?,
        u("nanosecond", n, 0, 999_999_999).map_err(e)?,
    )
    .map_err(e)?;
    Ok(Some(t))
}

/// `date({...})`, `datetime({...})`, ...
fn from_map(kind: TemporalKind, m: &BTreeMap<String, Value>, now: i128) -> ExecResult<Value> {
    // `{timezone: 'Europe/Stockholm'}` alone: the current value in that zone.
    if let (1, Some(Value::String(z))) = (m.len(), m.get("timezone")) {
        let tz = TimeZone::parse(z).map_err(temporal_error)?;
        return self::now(kind, now, Some(tz));
    }
    let f = fields(kind, m)?;
    let e = temporal_error;
    // The base values: `datetime` gives date, time and zone; `date` and `time` each theirs.
    let (base_date, base_time, base_zone) = match f.datetime {
        Some(dt) => {
            if f.date.is_some() || f.time.is_some() {
                return Err(arg_error("'datetime' cannot be given with 'date' or 'time'"));
            }
            (dt.date(), dt.time(), dt.zone())
        }
        None => (
            f.date
                .map(|d| {
                    d.date()
                        .ok_or_else(|| arg_error("the field 'date' must have a date"))
                })
                .transpose()?,
            f.time
                .map(|t| {
                    t.time()
                        .ok_or_else(|| arg_error("the field 'time' must have a time"))
                })
                .transpose()?,
            f.time.and_then(Temporal::zone),
        ),
    };
    let base_offset = f.datetime.or(f.time).and_then(Temporal::offset);
    match kind {
        TemporalKind::Date => {
            let d = build_date(base_date, &f)?.ok_or_else(|| arg_error("date() needs a year or a date"))?;
            Ok(Value::Date(d))
        }
        TemporalKind::LocalTime => {
            let t =
                build_time(base_time, &f)?.ok_or_else(|| arg_error("localtime() needs an hour or a time"))?;
            Ok(Value::LocalTime(t))
        }
        TemporalKind::Time => {
            let t = build_time(base_time, &f)?.ok_or_else(|| arg_error("time() needs an hour or a time"))?;
            let offset_of = |tz: TimeZone| -> i32 {
                match tz {
                    TimeZone::Offset(o) => o,
                    TimeZone::Named(z) => z.offset_at(now.div_euclid(1_000_000_000) as i64),
                }
            };
            let value = match (base_offset, f.timezone) {
                (Some(o), Some(tz)) => {
                    Time::new(t, o).and_then(|t| t.with_offset_same_instant(offset_of(tz)))
                }
                (Some(o), None) => Time::new(t, o),
                (None, Some(tz)) => Time::new(t, offset_of(tz)),
                (None, None) => Time::new(t, 0),
            };
            value.map(Value::Time).map_err(e)
        }
        TemporalKind::LocalDateTime => {
            let d = build_date(base_date, &f)?
                .ok_or_else(|| arg_error("localdatetime() needs a year or a date"))?;
            let t = build_time(base_time, &f)?.unwrap_or(LocalTime::MIDNIGHT);
            Ok(Value::LocalDateTime(LocalDateTime::new(d, t)))
        }
        TemporalKind::DateTime => {
            if f.epoch_seconds.is_some() || f.epoch_millis.is_some() {
                return from_epoch_fields(&f);
            }
            let d =
                build_date(base_date, &f)?.ok_or_else(|| arg_error("datetime() needs a year or a date"))?;
            let t = build_time(base_time, &f)?.unwrap_or(LocalTime::MIDNIGHT);
            let local = LocalDateTime::new(d, t);
            let dt = match (base_zone, f.timezone) {
                (Some(z), Some(tz)) => DateTime::of_local(local, z, base_offset)
                    .and_then(|dt| DateTime::from_instant(dt.epoch_nanos(), tz)),
                (Some(z), None) => DateTime::of_local(local, z, base_offset),
                (None, Some(tz)) => DateTime::of_local(local, tz, None),
                (None, None) => DateTime::of_local(local, DEFAULT_ZONE, None),
            };
            dt.map(Value::DateTime).map_err(e)
        }
    }
}

/// `datetime({epochSeconds: s, nanosecond: n, timezone: z})` and `{epochMillis: ms}`.
fn from_epoch_fields(f: &Fields) -> ExecResult<Value> {
    if f.has_date_fields() || f.hour.is_some() || f.minute.is_some() || f.second.is_some() {
        return Err(arg_error(
            "an epoch cannot be given with calendar or clock fields",
        ));
    }
    let extra = i128::from(subseconds(f.millisecond, f.microsecond, f.nanosecond).map_err(temporal_error)?);
    let base = match (f.epoch_seconds, f.epoch_millis) {
        (Some(s), None) => i128::from(s) * 1_000_000_000,
        (None, Some(ms)) => i128::from(ms) * 1_000_000,
        _ => return Err(arg_error("give either epochSeconds or epochMillis")),
    };
    DateTime::from_instant(base + extra, f.timezone.unwrap_or(DEFAULT_ZONE))
        .map(Value::DateTime)
        .map_err(temporal_error)
}

/// `duration({...})`: integers add up exactly; with any float, Neo4j's approximation.
fn duration_from_map(m: &BTreeMap<String, Value>) -> ExecResult<Duration> {
    let mut exact = [0i128; 4];
    let mut approx = [0f64; 4];
    let mut float = false;
    for (key, v) in m {
        // (part: 0 months, 1 days, 2 seconds, 3 nanoseconds; factor)
        let (part, factor): (usize, i64) = match key.to_ascii_lowercase().as_str() {
            "years" => (0, 12),
            "quarters" => (0, 3),
            "months" => (0, 1),
            "weeks" => (1, 7),
            "days" => (1, 1),
            "hours" => (2, 3600),
            "minutes" => (2, 60),
            "seconds" => (2, 1),
            "milliseconds" => (3, 1_000_000),
            "microseconds" => (3, 1000),
            "nanoseconds" => (3, 1),
            _ => return Err(arg_error(format!("duration() has no field '{key}'"))),
        };
        match v {
            Value::Int(i) => {
                exact[part] += i128::from(*i) * i128::from(factor);
                approx[part] += *i as f64 * factor as f64;
            }
            Value::Float(x) => {
                float = true;
                approx[part] += x * factor as f64;
            }
            other => {
                return Err(ExecError::type_error(format!(
                    "duration(): the field '{key}' must be a number, not a {}",
                    other.type_name()
                )))
            }
        }
    }
    let d = if float {
        Duration::approximate(approx[0], approx[1], approx[2], approx[3])
    } else {
        Duration::from_wide(exact[0], exact[1], exact[2], exact[3])
    };
    d.map_err(temporal_error)
}

/// The unit of a name as Cypher spells it (`'weekYear'`, `'millisecond'`).
fn trunc_unit(name: &str) -> Option<TruncUnit> {
    Some(match name {
        "millennium" => TruncUnit::Millennium,
        "century" => TruncUnit::Century,
        "decade" => TruncUnit::Decade,
        "year" => TruncUnit::Year,
        "weekYear" => TruncUnit::WeekYear,
        "quarter" => TruncUnit::Quarter,
        "month" => TruncUnit::Month,
        "week" => TruncUnit::Week,
        "day" => TruncUnit::Day,
        "hour" => TruncUnit::Hour,
        "minute" => TruncUnit::Minute,
        "second" => TruncUnit::Second,
        "millisecond" => TruncUnit::Millisecond,
        "microsecond" => TruncUnit::Microsecond,
        _ => return None,
    })
}

/// `date.truncate(unit, value[, map])` and its siblings: the value cut down to the unit,
/// then the map's fields set over it (its sub-second fields within the unit kept).
fn truncate(kind: TemporalKind, unit: &Value, v: &Value, map: &Value, now: i128) -> ExecResult<Value> {
    if v.is_null() {
        return Ok(Value::Null);
    }
    let Value::String(unit_name) = unit else {
        return Err(ExecError::type_error(format!(
            "{}.truncate() takes a unit name, not a {}",
            name(kind),
            unit.type_name()
        )));
    };
    let unit = trunc_unit(unit_name).ok_or_else(|| arg_error(format!("unknown unit '{unit_name}'")))?;
    let Some(t) = v.as_temporal() else {
        return Err(ExecError::type_error(format!(
            "{}.truncate() cannot truncate a {}",
            name(kind),
            v.type_name()
        )));
    };
    let fields_map = match map {
        Value::Null => BTreeMap::new(),
        Value::Map(m) => (**m).clone(),
        other => {
            return Err(ExecError::type_error(format!(
                "{}.truncate() takes a map of fields, not a {}",
                name(kind),
                other.type_name()
            )))
        }
    };
    let needs_date = matches!(
        kind,
        TemporalKind::Date | TemporalKind::LocalDateTime | TemporalKind::DateTime
    );
    let cannot = || {
        arg_error(format!(
            "cannot truncate a {} to {unit_name} for {}()",
            v.type_name(),
            name(kind)
        ))
    };
    if kind == TemporalKind::Date && !unit.is_date_unit() {
        return Err(cannot());
    }
    if !needs_date && unit.is_date_unit() && unit != TruncUnit::Day {
        return Err(cannot());
    }
    // A unit of the clock needs a time to cut (Neo4j refuses a date with one).
    if !unit.is_date_unit() && t.time().is_none() {
        return Err(cannot());
    }
    let date = match (needs_date, t.date()) {
        (true, Some(d)) => Some(unit.date(d).map_err(temporal_error)?),
        (true, None) => return Err(cannot()),
        (false, _) => None,
    };
    let time = match (t.time(), unit.is_date_unit()) {
        (_, true) | (None, _) => LocalTime::MIDNIGHT,
        (Some(time), false) => unit.time(time),
    };
    let mut f = fields(kind, &fields_map)?;
    if f.date.is_some() || f.time.is_some() || f.datetime.is_some() {
        return Err(arg_error(format!(
            "{}.truncate() cannot take a base value in its map",
            name(kind)
        )));
    }
    // A sub-second field under the unit keeps the truncated part above it.
    let mut time = time;
    if unit == TruncUnit::Millisecond
        && (f.microsecond.is_some() || f.nanosecond.is_some())
        && f.millisecond.is_none()
    {
        f.millisecond = Some(i64::from(time.nanosecond() / 1_000_000));
    } else if unit == TruncUnit::Microsecond && f.nanosecond.is_some() && f.microsecond.is_none() {
        if f.millisecond.is_none() {
            f.microsecond = Some(i64::from(time.nanosecond() / 1000));
        } else {
            f.microsecond = Some(i64::from(time.nanosecond() / 1000 % 1000));
        }
    }
    let timezone = f.timezone.take();
    if let Some(d) = build_date(date, &f)? {
        // Only for the kinds with a date; the others have no date fields.
        return finish_truncated(
            kind,
            Some(d),
            build_time(Some(time), &f)?.unwrap_or(time),
            t,
            timezone,
            now,
        );
    }
    time = build_time(Some(time), &f)?.unwrap_or(time);
    finish_truncated(kind, None, time, t, timezone, now)
}

fn finish_truncated(
    kind: TemporalKind,
    date: Option<Date>,
    time: LocalTime,
    input: Temporal,
    timezone: Option<TimeZone>,
    now: i128,
) -> ExecResult<Value> {
    let e = temporal_error;
    Ok(match kind {
        TemporalKind::Date => date.map_or(Value::Null, Value::Date),
        TemporalKind::LocalTime => Value::LocalTime(time),
        TemporalKind::LocalDateTime => {
            date.map_or(Value::Null, |d| Value::LocalDateTime(LocalDateTime::new(d, time)))
        }
        TemporalKind::Time => {
            let offset = match timezone {
                Some(TimeZone::Offset(o)) => o,
                Some(TimeZone::Named(z)) => z.offset_at(now.div_euclid(1_000_000_000) as i64),
                None => input.offset().unwrap_or(0),
            };
            Value::Time(Time::new(time, offset).map_err(e)?)
        }
        TemporalKind::DateTime => {
            let Some(d) = date else { return Ok(Value::Null) };
            // A zone in the map keeps the local date and time (Java's `withZoneSameLocal`).
            let zone = timezone.or(input.zone()).unwrap_or(DEFAULT_ZONE);
            Value::DateTime(DateTime::of_local(LocalDateTime::new(d, time), zone, input.offset()).map_err(e)?)
        }
    })
}

/// A component of a temporal value (`d.year`, `t.offset`, `dur.minutesOfHour`), or an
/// argument error for a component the type does not have.
pub(crate) fn component(v: &Value, key: &str) -> ExecResult<Value> {
    if let Value::Duration(d) = v {
        return duration_component(d, key);
    }
    let Some(t) = v.as_temporal() else {
        return Err(ExecError::type_error(format!(
            "a {} has no components",
            v.type_name()
        )));
    };
    let int = |x: i64| Ok(Value::Int(x));
    let none = || arg_error(format!("a {} has no component '{key}'", v.type_name()));
    if let Some(d) = t.date() {
        match key {
            "year" => return int(d.year()),
            "quarter" => return int(i64::from(d.quarter())),
            "month" => return int(i64::from(d.month())),
            "week" => return int(i64::from(d.week())),
            "weekYear" => return int(d.week_year()),
            "dayOfQuarter" => return int(i64::from(d.day_of_quarter())),
            "ordinalDay" => return int(i64::from(d.ordinal_day())),
            "dayOfWeek" | "weekDay" => return int(i64::from(d.day_of_week())),
            "day" => return int(i64::from(d.day())),
            _ => {}
        }
    }
    if let Some(time) = t.time() {
        let n = i64::from(time.nanosecond());
        match key {
            "hour" => return int(i64::from(time.hour())),
            "minute" => return int(i64::from(time.minute())),
            "second" => return int(i64::from(time.second())),
            "millisecond" => return int(n / 1_000_000),
            "microsecond" => return int(n / 1000),
            "nanosecond" => return int(n),
            _ => {}
        }
    }
    if let Some(offset) = t.offset() {
        let mut text = String::new();
        let _ = crate::graph::temporal::write_offset(&mut text, offset);
        match key {
            "timezone" => {
                return Ok(match t {
                    Temporal::DateTime(dt) => Value::from(dt.zone_name().map_or(text, str::to_owned)),
                    _ => Value::from(text),
                })
            }
            "offset" => return Ok(Value::from(text)),
            "offsetMinutes" => return int(i64::from(offset) / 60),
            "offsetSeconds" => return int(i64::from(offset)),
            _ => {}
        }
    }
    if let Temporal::DateTime(dt) = t {
        match key {
            "epochSeconds" => return int(dt.epoch_seconds()),
            "epochMillis" => {
                let ms = dt.epoch_nanos().div_euclid(1_000_000);
                return i64::try_from(ms).map(Value::Int).map_err(|_| none());
            }
            _ => {}
        }
    }
    Err(none())
}

fn duration_component(d: &Duration, key: &str) -> ExecResult<Value> {
    let (months, days, seconds, nanos) = (d.months(), d.days(), d.seconds(), i64::from(d.nanoseconds()));
    let wide = |x: i128| {
        i64::try_from(x)
            .map(Value::Int)
            .map_err(|_| ExecError::new(ExecKind::Arithmetic, format!("the component '{key}' overflows")))
    };
    let s = i128::from(seconds);
    let n = i128::from(nanos);
    let v = match key {
        "years" => months / 12,
        "quarters" => months / 3,
        "months" => months,
        "weeks" => days / 7,
        "days" => days,
        "hours" => seconds / 3600,
        "minutes" => seconds / 60,
        "seconds" => seconds,
        "milliseconds" => return wide(s * 1000 + n / 1_000_000),
        "microseconds" => return wide(s * 1_000_000 + n / 1000),
        "nanoseconds" => return wide(s * 1_000_000_000 + n),
        "quartersOfYear" => months / 3 % 4,
        "monthsOfQuarter" => months % 3,
        "monthsOfYear" => months % 12,
        "daysOfWeek" => days % 7,
        "minutesOfHour" => seconds / 60 % 60,
        "secondsOfMinute" => seconds % 60,
        "millisecondsOfSecond" => nanos / 1_000_000,
        "microsecondsOfSecond" => nanos / 1000,
        "nanosecondsOfSecond" => nanos,
        _ => return Err(arg_error(format!("a Duration has no component '{key}'"))),
    };
    Ok(Value::Int(v))
}

/// Arithmetic with a temporal operand: `Some` when the operation is a temporal one.
pub(crate) fn arith(op: ArithOp, a: &Value, b: &Value) -> Option<ExecResult<Value>> {
    let e = temporal_error;
    Some(match (op, a, b) {
        (ArithOp::Add, Value::Duration(x), Value::Duration(y)) => {
            x.checked_add(**y).map(Value::from).map_err(e)
        }
        (ArithOp::Sub, Value::Duration(x), Value::Duration(y)) => {
            x.checked_sub(**y).map(Value::from).map_err(e)
        }
        (ArithOp::Add, t, Value::Duration(d)) | (ArithOp::Add, Value::Duration(d), t) => {
            let t = t.as_temporal()?;
            t.plus(**d).map(Value::from_temporal).map_err(e)
        }
        (ArithOp::Sub, t, Value::Duration(d)) => {
            let t = t.as_temporal()?;
            t.minus(**d).map(Value::from_temporal).map_err(e)
        }
        (ArithOp::Mul, Value::Duration(d), n) | (ArithOp::Mul, n, Value::Duration(d)) => match n {
            Value::Int(i) => d.mul_int(*i).map(Value::from).map_err(e),
            Value::Float(x) => d.mul_float(*x).map(Value::from).map_err(e),
            _ => return None,
        },
        (ArithOp::Div, Value::Duration(d), n) => match n {
            Value::Int(0) => Err(ExecError::new(ExecKind::Arithmetic, "division by zero")),
            Value::Int(i) => d.div_float(*i as f64).map(Value::from).map_err(e),
            Value::Float(x) => d.div_float(*x).map(Value::from).map_err(e),
            _ => return None,
        },
        _ => return None,
    })
}
