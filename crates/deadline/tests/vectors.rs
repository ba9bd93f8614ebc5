//! Every worked example of `register.md` §4 and `statutes.md` §6.3 (`vectors.csv`), through the
//! calendar and through the deadline engine.

use chrono::NaiveDate;
use nianbao_calendar::Calendar;
use nianbao_deadline::{compute, Case, Regime, Settings};

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_else(|_| panic!("bad date {s}"))
}

struct Vector {
    line: usize,
    received: NaiveDate,
    days: u32,
    expected: NaiveDate,
    what: String,
    as_of: Option<NaiveDate>,
}

fn vectors() -> Vec<Vector> {
    let mut out = Vec::new();
    let mut lines = include_str!("vectors.csv").lines().enumerate().filter(|(_, l)| !l.starts_with('#') && !l.trim().is_empty());
    let header = lines.next().expect("header").1;
    assert_eq!(header, "received,days,expected,what,as_of,source");
    for (i, l) in lines {
        let f: Vec<&str> = l.splitn(6, ',').collect();
        out.push(Vector {
            line: i + 1,
            received: date(f[0]),
            days: f[1].parse().unwrap(),
            expected: date(f[2]),
            what: f[3].to_string(),
            as_of: (!f[4].is_empty()).then(|| date(f[4])),
        });
    }
    out
}

#[test]
fn all_vectors_are_read() {
    let v = vectors();
    assert_eq!(v.len(), 55);
    assert_eq!(v.iter().filter(|x| x.what == "old_reply").count(), 2);
}

#[test]
fn every_vector_by_plain_counting() {
    for v in vectors() {
        let cal = match v.as_of {
            Some(d) => Calendar::builtin().as_of(d),
            None => Calendar::builtin().clone(),
        };
        let due = cal.add_working_days(v.received, v.days);
        assert_eq!(due.date, v.expected, "vectors.csv line {}: {} + {} WD", v.line, v.received, v.days);
        assert!(!due.provisional || v.as_of.is_some(), "line {}: not provisional", v.line);
        assert!(cal.is_working_day(due.date), "line {}: a deadline is a working day", v.line);
    }
}

#[test]
fn every_vector_through_the_engine() {
    let settings = Settings::default();
    for v in vectors() {
        if v.what == "calendar" {
            continue;
        }
        let cal = match v.as_of {
            Some(d) => Calendar::builtin().as_of(d),
            None => Calendar::builtin().clone(),
        };
        let d = compute(&cal, &settings, &Case::received_on(v.received), v.received).unwrap();
        let (got, regime) = match v.what.as_str() {
            "notice" => (d.correction_notice_due, d.regime),
            "reply" => (d.reply_due, Regime::New2019),
            "extended" => (d.max_due, Regime::New2019),
            "old_reply" => (d.reply_due, Regime::Old2008),
            "old_extended" => (d.max_due, Regime::Old2008),
            other => panic!("line {}: unknown kind {other}", v.line),
        };
        assert_eq!(d.regime, regime, "vectors.csv line {}: regime", v.line);
        assert_eq!(got.date, v.expected, "vectors.csv line {}: {} {} (+{} WD)", v.line, v.what, v.received, v.days);
        assert!(!got.provisional, "line {}", v.line);
    }
}
