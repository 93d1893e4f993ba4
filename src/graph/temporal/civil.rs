//! Calendar arithmetic on the proleptic Gregorian calendar over Neo4j's whole year range,
//! where chrono and jiff stop (they cover a few hundred thousand years at most).
//!
//! Every function is total on the years -999,999,999 to 999,999,999: the day numbers stay
//! below 2^39, so no operation here can overflow an `i64`.

/// The first year a temporal value may have.
pub(crate) const MIN_YEAR: i64 = -999_999_999;
/// The last year a temporal value may have.
pub(crate) const MAX_YEAR: i64 = 999_999_999;
/// Nanoseconds in a second.
pub(crate) const NANOS_PER_SECOND: i64 = 1_000_000_000;
/// Seconds in a day.
pub(crate) const SECONDS_PER_DAY: i64 = 86_400;
/// Nanoseconds in a day.
pub(crate) const NANOS_PER_DAY: i64 = SECONDS_PER_DAY * NANOS_PER_SECOND;
/// The day number of -999999999-01-01.
pub(crate) const MIN_DAYS: i64 = days_from_civil(MIN_YEAR, 1, 1);
/// The day number of +999999999-12-31.
pub(crate) const MAX_DAYS: i64 = days_from_civil(MAX_YEAR, 12, 31);

/// True for a leap year of the Gregorian calendar.
pub(crate) const fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

/// The days of a month (0 for a month outside 1..=12).
pub(crate) const fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

/// The days of a year.
pub(crate) const fn days_in_year(year: i64) -> u32 {
    if is_leap(year) {
        366
    } else {
        365
    }
}

/// Days since 1970-01-01 of a valid year, month and day (Howard Hinnant's algorithm).
pub(crate) const fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = month as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + day as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The year, month and day of a day number.
pub(crate) const fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// The ISO day of the week: 1 for Monday to 7 for Sunday (1970-01-01 was a Thursday).
pub(crate) const fn day_of_week(days: i64) -> u32 {
    ((days + 3).rem_euclid(7) + 1) as u32
}

/// The day number of the Monday of week 1 of an ISO week-based year (the week with the
/// year's first Thursday, so the one that holds January 4th).
pub(crate) const fn week_one_monday(week_year: i64) -> i64 {
    let jan4 = days_from_civil(week_year, 1, 4);
    jan4 - (day_of_week(jan4) as i64 - 1)
}

/// The ISO weeks of a week-based year: 53 when it starts on a Thursday, or on a Wednesday
/// in a leap year; 52 otherwise.
pub(crate) const fn weeks_in_week_year(week_year: i64) -> u32 {
    let jan1 = day_of_week(days_from_civil(week_year, 1, 1));
    if jan1 == 4 || (jan1 == 3 && is_leap(week_year)) {
        53
    } else {
        52
    }
}

/// The ISO week-based year and week of a day number.
pub(crate) const fn week_date(days: i64) -> (i64, u32) {
    let (year, _, _) = civil_from_days(days);
    let mut week_year = year;
    if days < week_one_monday(year) {
        week_year = year - 1;
    } else if days >= week_one_monday(year + 1) {
        week_year = year + 1;
    }
    let week = (days - week_one_monday(week_year)) / 7 + 1;
    (week_year, week as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_round_trips_at_both_ends_and_around_zero() {
        for days in (MIN_DAYS..MIN_DAYS + 800)
            .chain(-800..800)
            .chain(MAX_DAYS - 800..=MAX_DAYS)
        {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        assert_eq!(civil_from_days(MIN_DAYS), (MIN_YEAR, 1, 1));
        assert_eq!(civil_from_days(MAX_DAYS), (MAX_YEAR, 12, 31));
    }

    #[test]
    fn leap_years_follow_the_gregorian_rules() {
        assert!(is_leap(2000) && is_leap(2024) && is_leap(0) && is_leap(-4) && is_leap(-400));
        assert!(!is_leap(1900) && !is_leap(2023) && !is_leap(-100) && !is_leap(-1));
        assert_eq!(days_in_month(2024, 2), 29);
        assert_eq!(days_in_month(2100, 2), 28);
        assert_eq!(days_in_year(1600), 366);
    }

    #[test]
    fn week_years_at_their_edges() {
        // 2015-W30-2 is 2015-07-21; 2021-01-03 belongs to 2020-W53; 2008-12-29 to 2009-W01.
        assert_eq!(week_date(days_from_civil(2015, 7, 21)), (2015, 30));
        assert_eq!(week_date(days_from_civil(2021, 1, 3)), (2020, 53));
        assert_eq!(week_date(days_from_civil(2008, 12, 29)), (2009, 1));
        assert_eq!(weeks_in_week_year(2020), 53);
        assert_eq!(weeks_in_week_year(2021), 52);
        assert_eq!(day_of_week(0), 4);
    }
}
