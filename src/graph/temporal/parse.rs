//! The ISO 8601 text forms Neo4j reads, extended (`2015-07-21T21:40:32.142+01:00`) and basic
//! (`20150721T214032.142+0100`), with week (`2015-W30-2`) and ordinal (`2015-202`) dates,
//! reduced precision (`2015-07`, `21:40`, `21`), zone names (`[Europe/Stockholm]`) and
//! durations (`P1Y2M3DT4H5M6.7S`, `P2012-02-02T14:37:21.545`).

use super::date::Date;
use super::datetime::{DateTime, LocalDateTime, TimeZone};
use super::duration::Duration;
use super::error::{check, TemporalError};
use super::time::{check_offset, LocalTime, Time};
use super::zone::Zone;

type Res<T> = Result<T, TemporalError>;

/// A cursor over ASCII text; any other character fails the parse where it is met.
struct Cur<'a> {
    b: &'a [u8],
    i: usize,
}

impl<'a> Cur<'a> {
    fn new(text: &'a str) -> Cur<'a> {
        Cur {
            b: text.as_bytes(),
            i: 0,
        }
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn peek_digit(&self) -> bool {
        self.peek().is_some_and(|c| c.is_ascii_digit())
    }

    fn eat(&mut self, c: u8) -> bool {
        if self.peek() == Some(c) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn eat_any(&mut self, cs: &[u8]) -> Option<u8> {
        let c = self.peek().filter(|c| cs.contains(c))?;
        self.i += 1;
        Some(c)
    }

    /// Up to `max` digits: their value and how many there were.
    fn digits(&mut self, max: usize) -> (i64, usize) {
        let mut v = 0i64;
        let mut n = 0;
        while n < max {
            match self.peek() {
                Some(c) if c.is_ascii_digit() => {
                    v = v * 10 + i64::from(c - b'0');
                    self.i += 1;
                    n += 1;
                }
                _ => break,
            }
        }
        (v, n)
    }

    /// Exactly `n` digits.
    fn exactly(&mut self, n: usize) -> Option<i64> {
        let (v, got) = self.digits(n);
        (got == n).then_some(v)
    }

    fn done(&self) -> bool {
        self.i >= self.b.len()
    }
}

/// A date at the cursor: `None` when the text is not a date there.
fn date_part(c: &mut Cur<'_>) -> Option<Res<Date>> {
    let signed = c.eat_any(b"+-");
    let year = match signed {
        Some(s) => {
            let (y, n) = c.digits(10);
            if n == 0 {
                return None;
            }
            if s == b'-' {
                -y
            } else {
                y
            }
        }
        None => c.exactly(4)?,
    };
    if let Err(e) = check("year", year, super::civil::MIN_YEAR, super::civil::MAX_YEAR) {
        return Some(Err(e));
    }
    if c.eat(b'-') {
        if c.eat(b'W') {
            let week = c.exactly(2)?;
            let dow = if c.eat(b'-') { c.exactly(1)? } else { 1 };
            return Some(week_date(year, week, dow));
        }
        let (v, n) = c.digits(3);
        return match n {
            3 => Some(ordinal(year, v)),
            1 | 2 => {
                let day = if c.eat(b'-') {
                    let (d, n) = c.digits(2);
                    if n == 0 {
                        return None;
                    }
                    d
                } else {
                    1
                };
                Some(ymd(year, v, day))
            }
            _ => None,
        };
    }
    if signed.is_some() {
        // A signed year of any length only comes in the extended form, or alone.
        return Some(Date::from_ymd(year, 1, 1));
    }
    if c.eat(b'W') {
        let week = c.exactly(2)?;
        let dow = if c.peek_digit() { c.exactly(1)? } else { 1 };
        return Some(week_date(year, week, dow));
    }
    if c.peek_digit() {
        let (v, n) = c.digits(4);
        return match n {
            4 => Some(ymd(year, v / 100, v % 100)),
            3 => Some(ordinal(year, v)),
            2 => Some(ymd(year, v, 1)),
            _ => None,
        };
    }
    Some(Date::from_ymd(year, 1, 1))
}

fn field(name: &str, v: i64, max: i64) -> Res<u32> {
    check(name, v, 0, max)?;
    Ok(v as u32)
}

fn ymd(year: i64, month: i64, day: i64) -> Res<Date> {
    Date::from_ymd(year, field("month", month, 99)?, field("day", day, 99)?)
}

fn ordinal(year: i64, day: i64) -> Res<Date> {
    Date::from_ordinal(year, field("day of year", day, 999)?)
}

fn week_date(year: i64, week: i64, dow: i64) -> Res<Date> {
    Date::from_week_date(year, field("week", week, 99)?, field("day of week", dow, 9)?)
}

/// A time of day at the cursor.
fn time_part(c: &mut Cur<'_>) -> Option<Res<LocalTime>> {
    let (hour, n) = c.digits(2);
    if n == 0 {
        return None;
    }
    let (mut minute, mut second, mut nanos) = (0, 0, 0);
    if n == 2 && c.peek_digit() {
        minute = c.exactly(2)?;
        if c.peek_digit() {
            second = c.exactly(2)?;
            nanos = fraction(c)?;
        }
    } else if c.eat(b':') {
        let (m, n) = c.digits(2);
        if n == 0 {
            return None;
        }
        minute = m;
        if c.eat(b':') {
            let (s, n) = c.digits(2);
            if n == 0 {
                return None;
            }
            second = s;
            nanos = fraction(c)?;
        }
    }
    if second == 60 {
        return Some(Err(TemporalError::range(
            "a leap second (second 60) is not a valid time",
        )));
    }
    Some(
        field("hour", hour, 23)
            .and_then(|h| Ok((h, field("minute", minute, 59)?, field("second", second, 59)?)))
            .and_then(|(h, m, s)| LocalTime::new(h, m, s, nanos as u32)),
    )
}

/// An optional fraction of a second (`.142`, `,142`), as nanoseconds.
fn fraction(c: &mut Cur<'_>) -> Option<i64> {
    if c.eat_any(b".,").is_none() {
        return Some(0);
    }
    let (v, n) = c.digits(9);
    if n == 0 || c.peek_digit() {
        return None;
    }
    Some(v * 10i64.pow(9 - n as u32))
}

/// An offset at the cursor (`Z`, `+01:00`, `+0100`, `+01`, `-02:05:07`), if there is one.
fn offset_part(c: &mut Cur<'_>) -> Option<Res<Option<i32>>> {
    if c.eat(b'Z') || c.eat(b'z') {
        return Some(Ok(Some(0)));
    }
    let Some(sign) = c.eat_any(b"+-") else {
        return Some(Ok(None));
    };
    let h = c.exactly(2)?;
    let (mut m, mut s) = (0, 0);
    if c.eat(b':') {
        m = c.exactly(2)?;
        if c.eat(b':') {
            s = c.exactly(2)?;
        }
    } else if c.peek_digit() {
        m = c.exactly(2)?;
        if c.peek_digit() {
            s = c.exactly(2)?;
        }
    }
    let check_all = || -> Res<i32> {
        check("offset hours", h, 0, 18)?;
        check("offset minutes", m, 0, 59)?;
        check("offset seconds", s, 0, 59)?;
        let total = (h * 3600 + m * 60 + s) as i32;
        let total = if sign == b'-' { -total } else { total };
        check_offset(total)?;
        Ok(total)
    };
    Some(check_all().map(Some))
}

/// A zone name in brackets at the cursor, if there is one.
fn zone_part(c: &mut Cur<'_>) -> Option<Res<Option<Zone>>> {
    if !c.eat(b'[') {
        return Some(Ok(None));
    }
    let start = c.i;
    while c.peek().is_some_and(|ch| ch != b']') {
        c.i += 1;
    }
    let name = std::str::from_utf8(c.b.get(start..c.i)?).ok()?;
    if !c.eat(b']') {
        return None;
    }
    Some(
        Zone::parse(name)
            .map(Some)
            .ok_or_else(|| TemporalError::UnknownZone(name.chars().take(64).collect())),
    )
}

/// Runs a parser over the whole text; a failure to match anywhere is `Malformed`.
fn whole<T>(what: &'static str, text: &str, p: impl FnOnce(&mut Cur<'_>) -> Option<Res<T>>) -> Res<T> {
    let mut c = Cur::new(text.trim());
    match p(&mut c) {
        Some(r) if c.done() => r,
        Some(Err(e)) => Err(e),
        _ => Err(TemporalError::malformed(what, text)),
    }
}

/// A date.
pub(crate) fn date(text: &str) -> Res<Date> {
    whole("date", text, date_part)
}

/// A local time.
pub(crate) fn local_time(text: &str) -> Res<LocalTime> {
    whole("local time", text, time_part)
}

/// A time with an optional offset (UTC without one).
pub(crate) fn time(text: &str) -> Res<Time> {
    whole("time", text, |c| {
        let t = match time_part(c)? {
            Ok(t) => t,
            Err(e) => return Some(Err(e)),
        };
        let offset = match offset_part(c)? {
            Ok(o) => o.unwrap_or(0),
            Err(e) => return Some(Err(e)),
        };
        Some(Time::new(t, offset))
    })
}

fn local_date_time_part(c: &mut Cur<'_>) -> Option<Res<LocalDateTime>> {
    let d = match date_part(c)? {
        Ok(d) => d,
        Err(e) => return Some(Err(e)),
    };
    let t = if c.eat(b'T') || c.eat(b't') {
        match time_part(c)? {
            Ok(t) => t,
            Err(e) => return Some(Err(e)),
        }
    } else {
        LocalTime::MIDNIGHT
    };
    Some(Ok(LocalDateTime::new(d, t)))
}

/// A local date-time.
pub(crate) fn local_date_time(text: &str) -> Res<LocalDateTime> {
    whole("local date time", text, local_date_time_part)
}

/// A date-time with an optional offset and zone (`default` when it has neither). With
/// both, the zone decides and the offset only chooses in an overlap.
pub(crate) fn date_time(text: &str, default: TimeZone) -> Res<DateTime> {
    whole("date time", text, |c| {
        let local = match local_date_time_part(c)? {
            Ok(l) => l,
            Err(e) => return Some(Err(e)),
        };
        let offset = match offset_part(c)? {
            Ok(o) => o,
            Err(e) => return Some(Err(e)),
        };
        let zone = match zone_part(c)? {
            Ok(z) => z,
            Err(e) => return Some(Err(e)),
        };
        Some(match (offset, zone) {
            (_, Some(z)) => DateTime::of_local(local, TimeZone::Named(z), offset),
            (Some(o), None) => DateTime::with_offset(local, o),
            (None, None) => DateTime::of_local(local, default, None),
        })
    })
}

/// The whole text as an offset: `Some` when it is one, `None` when it does not look like
/// one (a zone name, say), an error when it looks like one but is out of range.
pub(crate) fn offset_only(text: &str) -> Res<Option<i32>> {
    let mut c = Cur::new(text);
    match offset_part(&mut c) {
        Some(Ok(Some(o))) if c.done() => Ok(Some(o)),
        Some(Err(e)) => Err(e),
        _ if text.starts_with(['+', '-']) => Err(TemporalError::malformed("time zone offset", text)),
        _ => Ok(None),
    }
}

/// One `number unit` part of a duration: the sign, the integer digits and the fraction's.
struct Part {
    negative: bool,
    int: i128,
    frac: Option<(i64, u32)>,
}

impl Part {
    fn value(&self) -> i128 {
        if self.negative {
            -self.int
        } else {
            self.int
        }
    }

    fn float(&self) -> f64 {
        let f = self.frac.map_or(0.0, |(v, n)| v as f64 / 10f64.powi(n as i32));
        let x = self.int as f64 + f;
        if self.negative {
            -x
        } else {
            x
        }
    }
}

/// A signed number with an optional fraction, followed by a unit letter.
fn part(c: &mut Cur<'_>) -> Option<(Part, u8)> {
    let start = c.i;
    let negative = c.eat_any(b"+-") == Some(b'-');
    let (mut int, mut n) = (0i128, 0);
    while c.peek_digit() {
        let d = i128::from(c.peek().unwrap_or(b'0') - b'0');
        int = int.checked_mul(10)?.checked_add(d)?;
        c.i += 1;
        n += 1;
    }
    if n == 0 {
        c.i = start;
        return None;
    }
    let frac = if c.eat_any(b".,").is_some() {
        let (v, n) = c.digits(9);
        if n == 0 || c.peek_digit() {
            return None;
        }
        Some((v, n as u32))
    } else {
        None
    };
    let unit = c.peek()?.to_ascii_uppercase();
    c.i += 1;
    Some((Part { negative, int, frac }, unit))
}

/// A duration.
pub(crate) fn duration(text: &str) -> Res<Duration> {
    let malformed = || TemporalError::malformed("duration", text);
    let mut c = Cur::new(text.trim());
    let negative = c.eat_any(b"+-") == Some(b'-');
    if c.eat_any(b"Pp").is_none() {
        return Err(malformed());
    }
    let save = c.i;
    match unit_based(&mut c) {
        Some(r) if c.done() => r.and_then(|d| if negative { d.checked_neg() } else { Ok(d) }),
        Some(Err(e)) => Err(e),
        _ => {
            c.i = save;
            match date_based(&mut c) {
                Some(r) if c.done() => r.and_then(|d| if negative { d.checked_neg() } else { Ok(d) }),
                Some(Err(e)) => Err(e),
                _ => Err(malformed()),
            }
        }
    }
}

/// `nY nM nW nD T nH nM nS`, each optional and in this order; only the last part given may
/// have a fraction, and a fraction of seconds is exact.
fn unit_based(c: &mut Cur<'_>) -> Option<Res<Duration>> {
    let mut date: [Option<Part>; 4] = [None, None, None, None];
    let mut time: [Option<Part>; 3] = [None, None, None];
    let mut next = 0;
    loop {
        let save = c.i;
        let found = part(c)
            .and_then(|(p, unit)| Some((p, [b'Y', b'M', b'W', b'D'].iter().position(|u| *u == unit)?)));
        let Some((p, slot)) = found else {
            c.i = save;
            break;
        };
        if slot < next {
            return None;
        }
        next = slot + 1;
        date[slot] = Some(p);
    }
    let has_t = c.eat(b'T') || c.eat(b't');
    if has_t {
        let mut next = 0;
        while let Some((p, unit)) = part(c) {
            let slot = [b'H', b'M', b'S'].iter().position(|u| *u == unit)?;
            if slot < next {
                return None;
            }
            next = slot + 1;
            time[slot] = Some(p);
        }
        if time.iter().all(Option::is_none) {
            return None;
        }
    }
    if date.iter().all(Option::is_none) && !has_t {
        return None;
    }
    let parts: Vec<(usize, &Part)> = date
        .iter()
        .chain(&time)
        .enumerate()
        .filter_map(|(i, p)| p.as_ref().map(|p| (i, p)))
        .collect();
    // A fraction anywhere but on the last part given (seconds excepted, which are exact).
    let fractional = parts.iter().position(|(i, p)| p.frac.is_some() && *i != 6);
    if let Some(at) = fractional
        && at + 1 != parts.len()
    {
        return None;
    }
    let v = |p: &Option<Part>| p.as_ref().map_or(0, Part::value);
    let months = v(&date[0]) * 12 + v(&date[1]);
    let days = v(&date[2]) * 7 + v(&date[3]);
    if let Some(at) = fractional {
        let (i, p) = *parts.get(at)?;
        let (m, d, s) = (
            months as f64,
            days as f64,
            (v(&time[0]) * 3600 + v(&time[1]) * 60) as f64,
        );
        let f = p.float();
        let whole = p.value() as f64;
        let approx = match i {
            0 => Duration::approximate(f * 12.0 + m - whole * 12.0, 0.0, 0.0, 0.0),
            1 => Duration::approximate(m - whole + f, 0.0, 0.0, 0.0),
            2 => Duration::approximate(m, d - whole * 7.0 + f * 7.0, 0.0, 0.0),
            3 => Duration::approximate(m, d - whole + f, 0.0, 0.0),
            4 => Duration::approximate(m, d, s - whole * 3600.0 + f * 3600.0, 0.0),
            _ => Duration::approximate(m, d, s - whole * 60.0 + f * 60.0, 0.0),
        };
        return Some(approx);
    }
    let seconds = v(&time[0]) * 3600 + v(&time[1]) * 60 + v(&time[2]);
    let nanos = time[2].as_ref().and_then(|p| p.frac).map_or(0, |(f, n)| {
        let ns = i128::from(f) * 10i128.pow(9 - n);
        if time[2].as_ref().is_some_and(|p| p.negative) {
            -ns
        } else {
            ns
        }
    });
    Some(Duration::from_wide(months, days, seconds, nanos))
}

/// `YYYY-MM-DDThh:mm:ss.f` or `YYYYMMDDThhmmss.f`, each side optional.
fn date_based(c: &mut Cur<'_>) -> Option<Res<Duration>> {
    let (mut years, mut months, mut days) = (0, 0, 0);
    if c.peek_digit() {
        years = c.exactly(4)?;
        if c.eat(b'-') {
            months = c.exactly(2)?;
            if !c.eat(b'-') {
                return None;
            }
            days = c.exactly(2)?;
        } else {
            months = c.exactly(2)?;
            days = c.exactly(2)?;
        }
    }
    let (mut h, mut m, mut s, mut nanos) = (0, 0, 0, 0);
    if c.eat(b'T') || c.eat(b't') {
        h = c.exactly(2)?;
        if c.eat(b':') {
            m = c.exactly(2)?;
            if c.eat(b':') {
                s = c.exactly(2)?;
                nanos = fraction(c)?;
            }
        } else if c.peek_digit() {
            m = c.exactly(2)?;
            if c.peek_digit() {
                s = c.exactly(2)?;
                nanos = fraction(c)?;
            }
        }
    } else if years == 0 && months == 0 && days == 0 {
        return None;
    }
    let checked = (|| {
        check("months", months, 0, 12)?;
        check("days", days, 0, 31)?;
        check("hours", h, 0, 24)?;
        check("minutes", m, 0, 59)?;
        check("seconds", s, 0, 59)?;
        Duration::new(years * 12 + months, days, h * 3600 + m * 60 + s, nanos)
    })();
    Some(checked)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok<T: std::fmt::Display>(r: Res<T>) -> String {
        r.map(|v| v.to_string()).unwrap_or_else(|e| format!("error: {e}"))
    }

    #[test]
    fn dates_in_every_form() {
        for (text, want) in [
            ("2015-07-21", "2015-07-21"),
            ("20150721", "2015-07-21"),
            ("2015-07", "2015-07-01"),
            ("201507", "2015-07-01"),
            ("2015-W30-2", "2015-07-21"),
            ("2015W302", "2015-07-21"),
            ("2015-W30", "2015-07-20"),
            ("2015W30", "2015-07-20"),
            ("2015-202", "2015-07-21"),
            ("2015202", "2015-07-21"),
            ("2015", "2015-01-01"),
            ("-999999999-01-01", "-999999999-01-01"),
            ("+999999999-12-31", "+999999999-12-31"),
            ("+10000-01-01", "+10000-01-01"),
            ("-0001-12-31", "-0001-12-31"),
        ] {
            assert_eq!(ok(date(text)), want, "{text}");
        }
        for bad in [
            "2015-13-01",
            "2015-W54",
            "2015-366",
            "15-07-21",
            "2015-07-21T",
            "+1000000000",
        ] {
            assert!(date(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn times_and_offsets() {
        assert_eq!(ok(local_time("214032.142")), "21:40:32.142");
        assert_eq!(ok(local_time("21")), "21:00");
        assert_eq!(ok(time("2140-02")), "21:40-02:00");
        assert_eq!(ok(time("22+18:00")), "22:00+18:00");
        assert_eq!(ok(time("2140-00:00")), "21:40Z");
        assert!(time("12:00+18:01").is_err());
        assert!(local_time("23:59:60").is_err());
        assert!(local_time("24:00").is_err());
        assert!(local_time("12:00Z").is_err());
    }

    #[test]
    fn date_times_with_zones() {
        let utc = TimeZone::Offset(0);
        assert_eq!(
            ok(date_time("2015-07-21T21:40:32.142+0845[Australia/Eucla]", utc)),
            "2015-07-21T21:40:32.142+08:45[Australia/Eucla]"
        );
        assert_eq!(ok(date_time("2015-W30T2140-02", utc)), "2015-07-20T21:40-02:00");
        assert_eq!(ok(date_time("2015202T21+18:00", utc)), "2015-07-21T21:00+18:00");
        assert!(date_time("2015-07-21T21:40[Mars/Olympus]", utc).is_err());
    }

    #[test]
    fn durations() {
        for (text, want) in [
            ("P14DT16H12M", "P14DT16H12M"),
            ("P5M1.5D", "P5M1DT12H"),
            ("P0.75M", "P22DT19H51M49.5S"),
            ("PT0.75M", "PT45S"),
            ("P2.5W", "P17DT12H"),
            ("P12Y5M14DT16H12M70S", "P12Y5M14DT16H13M10S"),
            ("P2012-02-02T14:37:21.545", "P2012Y2M2DT14H37M21.545S"),
            ("-P1D", "P-1D"),
            ("PT-1.5S", "PT-1.5S"),
            ("P1Y-2M", "P10M"),
        ] {
            assert_eq!(ok(duration(text)), want, "{text}");
        }
        for bad in ["P", "PT", "P1.5Y2M", "1D", "P1D2Y", "PT1S2M", "P1X"] {
            assert!(duration(bad).is_err(), "{bad}");
        }
    }
}
