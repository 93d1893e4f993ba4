//! Named time zones, from the IANA database that `chrono-tz` compiles into the binary.
//!
//! A zone is kept as its number in `chrono_tz::TZ_VARIANTS`, two bytes, so that a date-time
//! with a zone stays small enough for a `Value` of 32 bytes. The database's tables cover the
//! years up to 2099 (and chrono's calendar a few hundred thousand years); a time outside them
//! is looked up in a year of the same calendar inside them (same leap year, same weekday on
//! January 1st), so daylight-saving rules keep applying far into the future as they would in
//! Java's rules, which Neo4j follows; before any table, every zone has its local mean time.

use chrono::{NaiveDateTime, Offset, TimeZone};
use chrono_tz::{GapInfo, Tz, TZ_VARIANTS};

use super::civil::{civil_from_days, day_of_week, days_from_civil, is_leap, SECONDS_PER_DAY};

/// A named time zone (`Europe/Stockholm`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
pub(crate) struct Zone(u16);

fn naive(seconds: i64) -> Option<NaiveDateTime> {
    chrono::DateTime::from_timestamp(seconds, 0).map(|d| d.naive_utc())
}

/// The same moment of a year whose calendar the zone tables cover; returns the shift added.
fn fold(seconds: i64) -> i64 {
    let days = seconds.div_euclid(SECONDS_PER_DAY);
    let (y, _, _) = civil_from_days(days);
    let target = if y > 2099 {
        let jan1 = day_of_week(days_from_civil(y, 1, 1));
        (2072..=2099).find(|&t| is_leap(t) == is_leap(y) && day_of_week(days_from_civil(t, 1, 1)) == jan1)
    } else if y < -9999 {
        Some(-9999)
    } else {
        None
    };
    match target {
        Some(t) => (days_from_civil(t, 1, 1) - days_from_civil(y, 1, 1)) * SECONDS_PER_DAY,
        None => 0,
    }
}

impl Zone {
    /// The zone of an IANA name (case as the database spells it), if the database has it.
    pub(crate) fn parse(name: &str) -> Option<Zone> {
        let tz: Tz = name.parse().ok()?;
        let guess = tz as usize;
        let index = if TZ_VARIANTS.get(guess) == Some(&tz) {
            guess
        } else {
            TZ_VARIANTS.iter().position(|t| *t == tz)?
        };
        u16::try_from(index).ok().map(Zone)
    }

    fn tz(self) -> Tz {
        TZ_VARIANTS.get(usize::from(self.0)).copied().unwrap_or(Tz::UTC)
    }

    /// The zone's IANA name.
    pub(crate) fn name(self) -> &'static str {
        self.tz().name()
    }

    /// The offset, in seconds east of UTC, in force at an instant (seconds since the epoch).
    pub(crate) fn offset_at(self, epoch_seconds: i64) -> i32 {
        let folded = epoch_seconds.saturating_add(fold(epoch_seconds));
        naive(folded).map_or(0, |n| {
            self.tz().offset_from_utc_datetime(&n).fix().local_minus_utc()
        })
    }

    /// The offset of a local time (seconds since the local epoch) as Java resolves it: the
    /// only one when there is one; in an overlap the `preferred` one if it is valid, else the
    /// earlier; in a gap the time moves later by the length of the gap. Returns the local time
    /// (moved or not) and its offset.
    pub(crate) fn resolve(self, local_seconds: i64, preferred: Option<i32>) -> (i64, i32) {
        let shift = fold(local_seconds);
        let folded = local_seconds.saturating_add(shift);
        let tz = self.tz();
        let Some(ndt) = naive(folded) else {
            return (local_seconds, 0);
        };
        let off = |o: <Tz as TimeZone>::Offset| o.fix().local_minus_utc();
        match tz.offset_from_local_datetime(&ndt) {
            chrono::LocalResult::Single(o) => (local_seconds, off(o)),
            chrono::LocalResult::Ambiguous(a, b) => {
                let (a, b) = (off(a), off(b));
                if preferred == Some(b) {
                    (local_seconds, b)
                } else {
                    (local_seconds, a)
                }
            }
            chrono::LocalResult::None => {
                let before = GapInfo::new(&ndt, &tz)
                    .and_then(|g| g.begin)
                    .map(|(_, o)| off(o))
                    .unwrap_or_else(|| self.offset_at(folded - shift - SECONDS_PER_DAY));
                let instant = folded - i64::from(before);
                let after = naive(instant).map_or(before, |n| off(tz.offset_from_utc_datetime(&n)));
                (instant + i64::from(after) - shift, after)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn local(y: i64, m: u32, d: u32, h: i64, min: i64) -> i64 {
        days_from_civil(y, m, d) * SECONDS_PER_DAY + h * 3600 + min * 60
    }

    #[test]
    fn names_round_trip() {
        for name in ["Europe/Stockholm", "America/New_York", "Australia/Eucla", "UTC"] {
            assert_eq!(Zone::parse(name).map(Zone::name), Some(name));
        }
        assert!(Zone::parse("Mars/Olympus").is_none());
    }

    #[test]
    fn gaps_move_later_and_overlaps_take_the_earlier_offset() {
        let sto = Zone::parse("Europe/Stockholm").unwrap_or(Zone(0));
        // 2017-03-26 02:30 does not exist in Stockholm: it becomes 03:30+02:00.
        assert_eq!(
            sto.resolve(local(2017, 3, 26, 2, 30), None),
            (local(2017, 3, 26, 3, 30), 7200)
        );
        // 2017-10-29 02:30 happens twice: +02:00 first, unless +01:00 is preferred.
        assert_eq!(sto.resolve(local(2017, 10, 29, 2, 30), None).1, 7200);
        assert_eq!(sto.resolve(local(2017, 10, 29, 2, 30), Some(3600)).1, 3600);
        let ny = Zone::parse("America/New_York").unwrap_or(sto);
        assert_eq!(
            ny.resolve(local(2021, 3, 14, 2, 15), None),
            (local(2021, 3, 14, 3, 15), -4 * 3600)
        );
        assert_eq!(ny.resolve(local(2021, 11, 7, 1, 30), None).1, -4 * 3600);
        assert_eq!(
            ny.resolve(local(2021, 11, 7, 1, 30), Some(-5 * 3600)).1,
            -5 * 3600
        );
        // Lord Howe moves by half an hour.
        let lh = Zone::parse("Australia/Lord_Howe").unwrap_or(sto);
        assert_eq!(
            lh.resolve(local(2021, 10, 3, 2, 10), None),
            (local(2021, 10, 3, 2, 40), 39600)
        );
    }

    #[test]
    fn far_years_keep_the_rules() {
        let sto = Zone::parse("Europe/Stockholm").unwrap_or(Zone(0));
        assert_eq!(sto.resolve(local(1818, 7, 21, 21, 40), None).1, 3208);
        assert_eq!(sto.resolve(local(2500, 7, 1, 12, 0), None).1, 7200);
        assert_eq!(sto.resolve(local(2500, 1, 1, 12, 0), None).1, 3600);
        assert_eq!(sto.resolve(local(999_999_999, 7, 1, 12, 0), None).1, 7200);
        assert_eq!(sto.resolve(local(-999_999_999, 7, 1, 12, 0), None).1, 3208);
    }
}
