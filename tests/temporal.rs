//! Temporal values beyond what the TCK checks: leap years, negative durations, daylight-saving
//! gaps and overlaps in several zones, both ends of the year range, the boundaries of each
//! component; `toString` and parsing round trips of every type; every type through a
//! snapshot, JSON Lines and CSV.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use kgraph::{Date, DateTime, Duration, Graph, LocalDateTime, LocalTime, QueryError, Time, Value};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;

/// The single value of a one-row, one-column query.
fn one(q: &str) -> Value {
    let g = Graph::new();
    match g.query(q).run() {
        Ok(r) => r.rows()[0][0].clone(),
        Err(e) => panic!("query failed: {q}\n{e}"),
    }
}

/// The text of the single value of a query (`toString` of a temporal value).
fn text(q: &str) -> String {
    match one(&format!("RETURN toString({q})")) {
        Value::String(s) => s.to_string(),
        other => panic!("not a string: {other:?}"),
    }
}

fn int(q: &str) -> i64 {
    match one(&format!("RETURN {q}")) {
        Value::Int(i) => i,
        other => panic!("not an integer: {other:?}"),
    }
}

fn fails(q: &str) -> QueryError {
    match Graph::new().query(q).run() {
        Ok(r) => panic!("query succeeded: {q} gave {:?}", r.rows()),
        Err(e) => e,
    }
}

#[test]
fn leap_years() {
    assert_eq!(text("date('2024-02-28') + duration('P1D')"), "2024-02-29");
    assert_eq!(text("date('2023-02-28') + duration('P1D')"), "2023-03-01");
    assert_eq!(text("date('1900-02-28') + duration('P1D')"), "1900-03-01");
    assert_eq!(text("date('2000-02-28') + duration('P1D')"), "2000-02-29");
    assert_eq!(text("date('2024-02-29') + duration('P1Y')"), "2025-02-28");
    assert_eq!(text("date('2024-02-29') + duration('P4Y')"), "2028-02-29");
    assert_eq!(int("date('2024-12-31').ordinalDay"), 366);
    assert_eq!(int("date('2023-12-31').ordinalDay"), 365);
    assert_eq!(text("date({year: 2024, ordinalDay: 366})"), "2024-12-31");
    assert_eq!(
        fails("RETURN date({year: 2023, ordinalDay: 366})").kind_name(),
        "ArgumentError"
    );
    assert_eq!(fails("RETURN date('2023-02-29')").kind_name(), "ArgumentError");
    assert_eq!(
        text("duration.between(date('2024-02-01'), date('2024-03-01'))"),
        "P1M"
    );
    assert_eq!(
        text("duration.inDays(date('2024-01-01'), date('2025-01-01'))"),
        "P366D"
    );
    // Week 53 exists only in some years.
    assert_eq!(text("date('2020-W53-7')"), "2021-01-03");
    assert_eq!(fails("RETURN date('2021-W53-1')").kind_name(), "ArgumentError");
}

#[test]
fn negative_durations() {
    assert_eq!(text("duration({days: -1, hours: 2})"), "P-1DT2H");
    assert_eq!(text("duration({seconds: -0.5})"), "PT-0.5S");
    assert_eq!(text("duration('PT-90M')"), "PT-1H-30M");
    assert_eq!(text("-1 * duration('P1Y2M3DT4H')"), "P-1Y-2M-3DT-4H");
    assert_eq!(text("duration('P1D') - duration('P3D')"), "P-2D");
    assert_eq!(
        text("duration.between(date('2020-03-01'), date('2020-01-31'))"),
        "P-1M-1D"
    );
    assert_eq!(
        text("localdatetime('2020-01-01T00:00') - duration('PT0.000000001S')"),
        "2019-12-31T23:59:59.999999999"
    );
    assert_eq!(text("localtime('00:00') + duration('PT-1S')"), "23:59:59");
    assert_eq!(int("duration('PT-1.5S').seconds"), -2);
    assert_eq!(int("duration('PT-1.5S').nanosecondsOfSecond"), 500_000_000);
    assert_eq!(int("duration('P-14M').years"), -1);
    assert_eq!(int("duration('P-14M').monthsOfYear"), -2);
    let round = one("WITH duration('P-1Y-2M-3DT-4H-5M-6.007S') AS d RETURN duration(toString(d)) = d");
    assert_eq!(round, Value::Bool(true));
}

#[test]
fn daylight_saving_gaps_and_overlaps_in_several_zones() {
    // Gaps: the local time moves later by the length of the gap.
    assert_eq!(
        text("datetime({year: 2017, month: 3, day: 26, hour: 2, minute: 30, timezone: 'Europe/Stockholm'})"),
        "2017-03-26T03:30+02:00[Europe/Stockholm]"
    );
    assert_eq!(
        text("datetime('2021-03-14T02:15[America/New_York]')"),
        "2021-03-14T03:15-04:00[America/New_York]"
    );
    assert_eq!(
        text("datetime('2021-10-03T02:10[Australia/Lord_Howe]')"),
        "2021-10-03T02:40+11:00[Australia/Lord_Howe]"
    );
    // Overlaps: the earlier offset, unless the text asks for the later one.
    assert_eq!(
        text("datetime('2021-11-07T01:30[America/New_York]')"),
        "2021-11-07T01:30-04:00[America/New_York]"
    );
    assert_eq!(
        text("datetime('2021-11-07T01:30-05:00[America/New_York]')"),
        "2021-11-07T01:30-05:00[America/New_York]"
    );
    assert_eq!(
        text("datetime('2021-04-04T02:30[Australia/Sydney]')"),
        "2021-04-04T02:30+11:00[Australia/Sydney]"
    );
    // Arithmetic: a day on the calendar, hours on the clock.
    assert_eq!(
        text("datetime('2017-03-25T12:00[Europe/Stockholm]') + duration('P1D')"),
        "2017-03-26T12:00+02:00[Europe/Stockholm]"
    );
    assert_eq!(
        text("datetime('2017-03-25T12:00[Europe/Stockholm]') + duration('PT24H')"),
        "2017-03-26T13:00+02:00[Europe/Stockholm]"
    );
    assert_eq!(
        text("duration.inSeconds(datetime('2021-11-06T12:00[America/New_York]'), datetime('2021-11-07T12:00[America/New_York]'))"),
        "PT25H"
    );
    // Offsets as components, and the zone's history (local mean time before 1879).
    assert_eq!(
        int("datetime('2017-07-01T12:00[Europe/London]').offsetMinutes"),
        60
    );
    assert_eq!(
        int("datetime('2017-01-01T12:00[Europe/London]').offsetMinutes"),
        0
    );
    assert_eq!(
        int("datetime('1818-07-21T12:00[Europe/Stockholm]').offsetSeconds"),
        3208
    );
    assert_eq!(
        int("datetime('2021-07-01T12:00[Asia/Kolkata]').offsetMinutes"),
        330
    );
    // Far in the future the rules still apply.
    assert_eq!(
        int("datetime('2500-07-01T12:00[Europe/Berlin]').offsetMinutes"),
        120
    );
    assert_eq!(
        fails("RETURN datetime('2021-01-01T00:00[Mars/Olympus]')").kind_name(),
        "ArgumentError"
    );
}

#[test]
fn both_ends_of_the_year_range() {
    assert_eq!(text("date('-999999999-01-01')"), "-999999999-01-01");
    assert_eq!(text("date('+999999999-12-31')"), "+999999999-12-31");
    assert_eq!(
        text("date({year: 999999999, month: 12, day: 31})"),
        "+999999999-12-31"
    );
    assert_eq!(text("date({year: 10000})"), "+10000-01-01");
    assert_eq!(text("date({year: -1, month: 6, day: 1})"), "-0001-06-01");
    assert_eq!(
        text("localdatetime('+999999999-12-31T23:59:59.999999999')"),
        "+999999999-12-31T23:59:59.999999999"
    );
    assert_eq!(
        fails("RETURN date({year: 1000000000})").kind_name(),
        "ArgumentError"
    );
    assert_eq!(
        fails("RETURN date('+999999999-12-31') + duration('P1D')").kind_name(),
        "ArithmeticError"
    );
    assert_eq!(
        fails("RETURN date('-999999999-01-01') - duration('P1M')").kind_name(),
        "ArithmeticError"
    );
    // The instant of a date-time must be in range too, not only its local date.
    assert_eq!(
        fails("RETURN datetime('+999999999-12-31T23:00-02:00')").kind_name(),
        "ArithmeticError"
    );
    assert_eq!(
        text("duration.between(date('-999999999-01-01'), date('+999999999-12-31'))"),
        "P1999999998Y11M30D"
    );
    assert_eq!(
        fails("RETURN duration({seconds: 9223372036854775807}) + duration({seconds: 1})").kind_name(),
        "ArithmeticError"
    );
}

#[test]
fn component_boundaries() {
    for (q, want) in [
        (
            "localtime({hour: 23, minute: 59, second: 59, nanosecond: 999999999})",
            "23:59:59.999999999",
        ),
        ("localtime({hour: 0})", "00:00"),
        ("time({hour: 0, timezone: '+18:00'})", "00:00+18:00"),
        ("time({hour: 0, timezone: '-18:00'})", "00:00-18:00"),
        ("date({year: 2021, week: 52, dayOfWeek: 7})", "2022-01-02"),
        ("date({year: 2021, quarter: 4, dayOfQuarter: 92})", "2021-12-31"),
        (
            "localtime({hour: 1, minute: 2, second: 3, millisecond: 999, microsecond: 999, nanosecond: 999})",
            "01:02:03.999999999",
        ),
    ] {
        assert_eq!(text(q), want, "{q}");
    }
    for q in [
        "localtime({hour: 24})",
        "localtime({hour: 1, minute: 60})",
        "localtime({hour: 1, minute: 1, second: 60})",
        "localtime('23:59:60')",
        "localtime({hour: 1, minute: 1, second: 1, nanosecond: 1000000000})",
        "localtime({hour: 1, minute: 1, second: 1, millisecond: 1000})",
        "localtime({hour: 1, minute: 1, second: 1, millisecond: 1, nanosecond: 1000000})",
        "time({hour: 1, timezone: '+18:01'})",
        "date({year: 2021, month: 13})",
        "date({year: 2021, month: 4, day: 31})",
        "date({year: 2021, week: 53})",
        "date({year: 2021, week: 1, dayOfWeek: 8})",
        "date({year: 2021, quarter: 5})",
        "date({year: 2021, quarter: 1, dayOfQuarter: 91})",
        "date({year: 2021, month: 1, week: 1})",
        "date({month: 1})",
        "localtime({minute: 1})",
    ] {
        assert_eq!(fails(&format!("RETURN {q}")).kind_name(), "ArgumentError", "{q}");
    }
    // Unknown keys and wrong types are each their own error.
    assert_eq!(
        fails("RETURN date({year: 2021, hour: 1})").kind_name(),
        "ArgumentError"
    );
    assert_eq!(
        fails("RETURN date({year: 2021, fortnight: 1})").kind_name(),
        "ArgumentError"
    );
    assert_eq!(fails("RETURN date({year: '2021'})").kind_name(), "TypeError");
    assert_eq!(fails("RETURN duration({days: 'two'})").kind_name(), "TypeError");
    assert_eq!(fails("RETURN date(42)").kind_name(), "TypeError");
    assert_eq!(
        fails("RETURN date('2021-01-01').hour").kind_name(),
        "ArgumentError"
    );
}

#[test]
fn comparison_ordering_and_grouping() {
    assert_eq!(
        one("RETURN date('2020-01-01') < datetime('2020-01-02T00:00Z')"),
        Value::Null
    );
    assert_eq!(one("RETURN duration('P1D') < duration('P2D')"), Value::Null);
    assert_eq!(
        one("RETURN duration('P1D') = duration('PT24H')"),
        Value::Bool(false)
    );
    assert_eq!(
        one("RETURN time('10:00+01:00') < time('09:30Z')"),
        Value::Bool(true)
    );
    assert_eq!(
        one("RETURN datetime('2020-01-01T01:00+01:00') = datetime('2020-01-01T00:00Z')"),
        Value::Bool(false)
    );
    let g = Graph::new();
    let r = g
        .query(
            "UNWIND [duration('P1D'), date('2020-01-01'), localtime('12:00'), time('12:00Z'),
                     localdatetime('2020-01-01T00:00'), datetime('2020-01-01T00:00Z'), 'x', 1] AS v
             RETURN v ORDER BY v",
        )
        .run()
        .unwrap();
    let names: Vec<&str> = r.rows().iter().map(|row| row[0].type_name()).collect();
    assert_eq!(
        names,
        [
            "DateTime",
            "LocalDateTime",
            "Date",
            "Time",
            "LocalTime",
            "Duration",
            "String",
            "Integer"
        ]
    );
    let r = g
        .query("UNWIND [date('2020-01-01'), date('2020-01-01'), date('2021-01-01')] AS d RETURN d, count(*) AS n ORDER BY d")
        .run()
        .unwrap();
    assert_eq!(r.len(), 2);
    assert_eq!(r.rows()[0][1], Value::Int(2));
    let r = g
        .query("UNWIND [duration('P1D'), duration('PT24H'), duration('P1D')] AS d RETURN DISTINCT d")
        .run()
        .unwrap();
    assert_eq!(r.len(), 2);
}

#[test]
fn clocks_agree_within_a_statement() {
    assert_eq!(
        one("RETURN datetime.statement() = datetime.transaction()"),
        Value::Bool(true)
    );
    assert_eq!(one("RETURN date() = date.statement()"), Value::Bool(true));
    assert_eq!(
        one("RETURN datetime.realtime() >= datetime.statement()"),
        Value::Bool(true)
    );
    let zoned = text("datetime.statement('Asia/Shanghai')");
    assert!(zoned.ends_with("+08:00[Asia/Shanghai]"), "{zoned}");
    assert!(text("time.statement('+05:00')").ends_with("+05:00"));
}

// ---- round trips ---------------------------------------------------------------------------

const ZONES: [&str; 6] = [
    "Europe/Stockholm",
    "America/New_York",
    "Australia/Lord_Howe",
    "Asia/Kolkata",
    "Pacific/Chatham",
    "UTC",
];

fn date() -> impl Strategy<Value = Date> {
    prop_oneof![-1_000_000i64..1_000_000, Date::MIN.days()..=Date::MAX.days(),]
        .prop_map(|d| Date::from_days(d).unwrap())
}

fn local_time() -> impl Strategy<Value = LocalTime> {
    prop_oneof![
        0u64..86_400_000_000_000,
        (0u64..86_400).prop_map(|s| s * 1_000_000_000),
        (0u64..86_400_000).prop_map(|ms| ms * 1_000_000),
    ]
    .prop_map(|n| LocalTime::from_nano_of_day(n).unwrap())
}

fn time() -> impl Strategy<Value = Time> {
    (local_time(), -64_800i32..=64_800).prop_map(|(t, o)| Time::new(t, o).unwrap())
}

fn local_date_time() -> impl Strategy<Value = LocalDateTime> {
    (date(), local_time()).prop_map(|(d, t)| LocalDateTime::new(d, t))
}

fn date_time() -> impl Strategy<Value = DateTime> {
    prop_oneof![
        (local_date_time(), -64_800i32..=64_800).prop_filter_map("instant out of range", |(l, o)| {
            DateTime::with_offset(l, o).ok()
        }),
        (local_date_time(), select(&ZONES[..]))
            .prop_filter_map("instant out of range", |(l, z)| { DateTime::in_zone(l, z).ok() }),
    ]
}

fn duration() -> impl Strategy<Value = Duration> {
    prop_oneof![
        (any::<i64>(), any::<i64>(), any::<i64>(), 0i64..1_000_000_000),
        (
            -1000i64..1000,
            -1000i64..1000,
            -100_000i64..100_000,
            0i64..1_000_000_000
        ),
    ]
    .prop_map(|(m, d, s, n)| Duration::new(m, d, s, n).unwrap())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn text_round_trips_every_type(
        d in date(), lt in local_time(), t in time(), ldt in local_date_time(),
        dt in date_time(), dur in duration(),
    ) {
        prop_assert_eq!(d.to_string().parse::<Date>(), Ok(d));
        prop_assert_eq!(lt.to_string().parse::<LocalTime>(), Ok(lt));
        prop_assert_eq!(t.to_string().parse::<Time>(), Ok(t));
        prop_assert_eq!(ldt.to_string().parse::<LocalDateTime>(), Ok(ldt));
        prop_assert_eq!(dt.to_string().parse::<DateTime>(), Ok(dt));
        prop_assert_eq!(dur.to_string().parse::<Duration>(), Ok(dur));
    }

    #[test]
    fn cypher_to_string_and_back(dt in date_time(), dur in duration(), t in time()) {
        let g = Graph::new();
        let r = g
            .query(
                "RETURN datetime(toString($dt)) = $dt AS a, duration(toString($dur)) = $dur AS b,
                        time(toString($t)) = $t AS c",
            )
            .params(kgraph::Params::new().with("dt", dt).with("dur", dur).with("t", t))
            .run()
            .unwrap();
        prop_assert_eq!(&r.rows()[0], &vec![Value::Bool(true); 3]);
    }
}

const KEYS: [&str; 7] = ["d", "lt", "t", "ldt", "dt", "dur", "ldur"];

fn props() -> impl Strategy<Value = Vec<(&'static str, Value)>> {
    (
        date(),
        local_time(),
        time(),
        local_date_time(),
        date_time(),
        duration(),
        vec(duration(), 1..4),
    )
        .prop_map(|(d, lt, t, ldt, dt, dur, ldur)| {
            let values = [
                Value::Date(d),
                Value::from(lt),
                Value::from(t),
                Value::from(ldt),
                Value::from(dt),
                Value::from(dur),
                Value::List(ldur.into_iter().map(Value::from).collect()),
            ];
            KEYS.into_iter().zip(values).collect()
        })
}

fn graph(nodes: &[Vec<(&'static str, Value)>]) -> Graph {
    let mut g = Graph::new();
    let mut last = None;
    for props in nodes {
        let n = g.add_node(&["Event"], props.clone()).unwrap();
        if let Some(prev) = last {
            g.add_relationship(prev, n, "NEXT", props.clone()).unwrap();
        }
        last = Some(n);
    }
    g
}

/// Every property of every node and relationship, in id order, each item's by key.
fn contents(g: &Graph) -> Vec<std::collections::BTreeMap<String, Value>> {
    let mut out = Vec::new();
    for n in g.nodes() {
        let node = g.node(n).unwrap();
        out.push(
            node.properties()
                .map(|(k, v)| (k.to_owned(), v.clone()))
                .collect(),
        );
    }
    for r in g.relationships() {
        let rel = g.relationship(r).unwrap();
        out.push(rel.properties().map(|(k, v)| (k.to_owned(), v.clone())).collect());
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn every_type_survives_snapshot_json_lines_and_csv(nodes in vec(props(), 1..4)) {
        let g = graph(&nodes);
        let want = contents(&g);
        let dir = tempfile::tempdir().unwrap();

        let snap = dir.path().join("g.kgs");
        g.save(&snap).unwrap();
        prop_assert_eq!(contents(&Graph::open(&snap).unwrap()), want.clone());

        let jsonl = dir.path().join("g.jsonl");
        g.export_jsonl(&jsonl).unwrap();
        prop_assert_eq!(contents(&Graph::import_jsonl(&jsonl).unwrap()), want.clone());

        let csv = dir.path().join("csv");
        g.export_csv(&csv).unwrap();
        let back = Graph::import_csv(csv.join("nodes.csv"), csv.join("relationships.csv")).unwrap();
        prop_assert_eq!(contents(&back), want);
    }
}

#[test]
fn serde_uses_the_adapter_tags() {
    let v: Value =
        serde_json::from_str(r#"{"~datetime":"2017-08-08T12:31:14.645876123+02:00[Europe/Stockholm]"}"#)
            .unwrap();
    assert_eq!(
        serde_json::to_string(&v).unwrap(),
        r#"{"~datetime":"2017-08-08T12:31:14.645876123+02:00[Europe/Stockholm]"}"#
    );
    for text in [
        r#"{"~localtime":"12:31:14.645876123"}"#,
        r#"{"~time":"12:00-01:00:30"}"#,
        r#"{"~localdatetime":"0001-01-01T01:01:01.000000001"}"#,
        r#"{"~duration":"P12Y5M-14DT16H"}"#,
        r#"{"~date":"+10000-01-01"}"#,
    ] {
        let v: Value = serde_json::from_str(text).unwrap();
        assert_eq!(serde_json::to_string(&v).unwrap(), text);
    }
    assert!(serde_json::from_str::<Value>(r#"{"~datetime":"2022-11-01T00:00[Nowhere/Land]"}"#).is_err());
    assert_eq!(std::mem::size_of::<Value>(), 32);
}

#[test]
fn dates_plus_durations_take_whole_days_of_the_seconds() {
    let d = "date({year: 1984, month: 10, day: 11})";
    let exact =
        "duration({years: 12, months: 5, days: 14, hours: 16, minutes: 12, seconds: 70, nanoseconds: 2})";
    assert_eq!(text(&format!("{d} + {exact}")), "1997-03-25");
    assert_eq!(text(&format!("{d} - {exact}")), "1972-04-27");
    let fractional = "duration({years: 12.5, months: 5.5, days: 14.5, hours: 16.5, minutes: 12.5, seconds: 70.5, nanoseconds: 3})";
    assert_eq!(text(&format!("{d} + {fractional}")), "1997-10-11");
    assert_eq!(text(&format!("{d} - {fractional}")), "1971-10-12");
}

#[test]
fn truncation_of_date_times_and_times() {
    let dt = "datetime({year: 1984, month: 10, day: 11, hour: 12, minute: 31, second: 14, nanosecond: 645876123, timezone: '+01:00'})";
    assert_eq!(
        text(&format!("datetime.truncate('day', {dt})")),
        "1984-10-11T00:00+01:00"
    );
    assert_eq!(
        text(&format!(
            "datetime.truncate('day', {dt}, {{timezone: 'Europe/Stockholm'}})"
        )),
        "1984-10-11T00:00+01:00[Europe/Stockholm]"
    );
    assert_eq!(
        text(&format!(
            "datetime.truncate('millisecond', {dt}, {{nanosecond: 2}})"
        )),
        "1984-10-11T12:31:14.645000002+01:00"
    );
    assert_eq!(
        text("datetime.truncate('weekYear', localdatetime('1984-01-01T12:00'))"),
        "1983-01-03T00:00Z"
    );
    assert_eq!(text(&format!("time.truncate('hour', {dt})")), "12:00+01:00");
    assert_eq!(
        text("time.truncate('minute', localtime('12:31:14'), {timezone: '+05:00'})"),
        "12:31+05:00"
    );
    assert_eq!(
        text("time.truncate('day', localdatetime('1984-10-11T12:31'))"),
        "00:00Z"
    );
    assert_eq!(
        fails("RETURN datetime.truncate('hour', date('2020-01-01'))").kind_name(),
        "ArgumentError"
    );
    assert_eq!(
        fails("RETURN date.truncate('hour', date('2020-01-01'))").kind_name(),
        "ArgumentError"
    );
    assert_eq!(
        fails("RETURN localtime.truncate('month', localtime('12:00'))").kind_name(),
        "ArgumentError"
    );
    assert_eq!(
        fails("RETURN date.truncate('fortnight', date('2020-01-01'))").kind_name(),
        "ArgumentError"
    );
    assert_eq!(
        text("date.truncate('millennium', date('-0001-06-01'))"),
        "-1000-01-01"
    );
}

#[test]
fn week_dates_and_times_from_maps() {
    assert_eq!(text("date({year: 1817, week: 1, dayOfWeek: 2})"), "1816-12-31");
    assert_eq!(
        text("datetime({year: 1984, week: 10, dayOfWeek: 3, hour: 12, timezone: 'Europe/Stockholm'})"),
        "1984-03-07T12:00+01:00[Europe/Stockholm]"
    );
    assert_eq!(
        text("time({hour: 12, minute: 31, second: 14, nanosecond: 789, millisecond: 123, microsecond: 456})"),
        "12:31:14.123456789Z"
    );
    assert_eq!(
        text("time({hour: 12, minute: 31, second: 14, microsecond: 645876, timezone: '+01:00'})"),
        "12:31:14.645876+01:00"
    );
    assert_eq!(int("date({year: 1984, month: 1, day: 1}).weekYear"), 1983);
    assert_eq!(int("date({year: 1984, month: 1, day: 1}).week"), 52);
    assert_eq!(int("date({year: 1984, month: 1, day: 1}).weekDay"), 7);
    // A zone alone: now, there.
    assert!(text("datetime({timezone: 'Asia/Shanghai'})").ends_with("+08:00[Asia/Shanghai]"));
    assert!(text("time({timezone: '-03:00'})").ends_with("-03:00"));
    assert_eq!(
        one("RETURN date({timezone: 'UTC'}) = date.statement('UTC')"),
        Value::Bool(true)
    );
}

// ---- no panics on any input ------------------------------------------------------------------

const FIELDS: [&str; 16] = [
    "year",
    "month",
    "day",
    "week",
    "dayOfWeek",
    "quarter",
    "dayOfQuarter",
    "ordinalDay",
    "hour",
    "minute",
    "second",
    "millisecond",
    "microsecond",
    "nanosecond",
    "epochSeconds",
    "epochMillis",
];

fn extreme() -> impl Strategy<Value = i64> {
    prop_oneof![
        -3i64..70,
        Just(i64::MIN),
        Just(i64::MAX),
        Just(999_999_999),
        Just(1_000_000_000),
        any::<i64>(),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn parsers_answer_every_text(text in "[-+PTWYMDHS0-9:.,Z\\[\\]/a-z]{0,24}") {
        let _ = text.parse::<Date>();
        let _ = text.parse::<LocalTime>();
        let _ = text.parse::<Time>();
        let _ = text.parse::<LocalDateTime>();
        let _ = text.parse::<DateTime>();
        let _ = text.parse::<Duration>();
    }

    #[test]
    fn constructors_and_arithmetic_answer_every_map(
        fields in vec((select(&FIELDS[..]), extreme()), 0..5),
        func in select(&["date", "localtime", "time", "localdatetime", "datetime"][..]),
        dur in duration(),
        factor in prop_oneof![any::<i64>().prop_map(|i| i.to_string()), any::<f64>().prop_map(|f| format!("{f:?}"))],
    ) {
        let map: Vec<String> = fields.iter().map(|(k, v)| format!("{k}: {v}")).collect();
        let q = format!(
            "WITH {func}({{{}}}) AS t, $dur AS d
             RETURN t + d, t - d, d * {factor}, d / {factor}, d + d, d - d, toString(t),
                    duration.between(t, t + d), t.year, t.hour, t.epochMillis, d.nanoseconds",
            map.join(", ")
        );
        let _ = Graph::new().query(&q).params(kgraph::Params::new().with("dur", dur)).run();
    }
}
