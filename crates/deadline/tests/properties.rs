//! Invariants of the engine over random receipt dates and pauses (2019–2027, so some deadlines
//! run into 2027, which has no notice).

use chrono::{Days, NaiveDate};
use nianbao_calendar::Calendar;
use nianbao_deadline::*;
use proptest::prelude::*;

fn day(n: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2019, 1, 1).unwrap().checked_add_days(Days::new(n as u64)).unwrap()
}

fn cal() -> &'static Calendar {
    Calendar::builtin()
}

fn pause_strategy() -> impl Strategy<Value = Vec<(u32, u32, u8)>> {
    prop::collection::vec((0u32..60, 0u32..40, 0u8..3), 0..3)
}

fn case_with(received: NaiveDate, pauses: &[(u32, u32, u8)]) -> Case {
    let mut c = Case::received_on(received);
    for &(offset, len, kind) in pauses {
        let start = received.checked_add_days(Days::new(offset as u64)).unwrap();
        let end = start.checked_add_days(Days::new(len as u64)).unwrap();
        if kind == 2 {
            if c.fee_notice.is_none() {
                c.fee_notice = Some(start);
                c.fee_paid = Some(end);
            }
        } else {
            let kind = if kind == 0 { PauseKind::ThirdParty } else { PauseKind::OtherOrgan };
            c.consultations.push(Pause { kind, start, end: Some(end) });
        }
    }
    c
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn every_deadline_is_a_working_day(n in 0u32..2900, pauses in pause_strategy(), ext in 0u32..25) {
        let received = day(n);
        let mut c = case_with(received, &pauses);
        if ext > 0 {
            c.extensions.push(Extension { date: received, days: ext, approver: Some("主任".into()) });
        }
        let as_of = received.checked_add_days(Days::new(200)).unwrap();
        let d = compute(cal(), &Settings::default(), &c, as_of).unwrap();
        for due in [d.correction_notice_due, d.reply_due, d.extended_due, d.max_due] {
            prop_assert!(cal().is_working_day(due.date), "{} is not a working day", due.date);
            prop_assert!(due.date > received);
        }
        prop_assert!(d.reply_due <= d.extended_due && d.extended_due <= d.max_due);
        prop_assert!(d.extension_days <= d.regime.max_extension_days());
    }

    #[test]
    fn a_pause_never_makes_a_deadline_earlier(n in 0u32..2900, pauses in pause_strategy()) {
        let received = day(n);
        let as_of = received.checked_add_days(Days::new(200)).unwrap();
        let without = compute(cal(), &Settings::default(), &Case::received_on(received), as_of).unwrap();
        let with = compute(cal(), &Settings::default(), &case_with(received, &pauses), as_of).unwrap();
        prop_assert!(with.reply_due.date >= without.reply_due.date);
        prop_assert!(with.max_due.date >= without.max_due.date);
        // The delay is exactly the excluded working days.
        prop_assert_eq!(cal().working_days_between(received, with.reply_due.date), with.regime.reply_days() + with.excluded_days);
    }

    #[test]
    fn deadlines_are_monotonic_in_the_receipt_date(a in 0u32..2900, gap in 0u32..40) {
        let (r1, r2) = (day(a), day(a + gap));
        let d1 = compute(cal(), &Settings::default(), &Case::received_on(r1), r1).unwrap();
        let d2 = compute(cal(), &Settings::default(), &Case::received_on(r2), r2).unwrap();
        prop_assert!(d1.correction_notice_due.date <= d2.correction_notice_due.date);
        prop_assert!(d1.reply_due.date <= d2.reply_due.date);
        prop_assert!(d1.max_due.date <= d2.max_due.date);
    }

    #[test]
    fn counting_adds_up(n in 0u32..2900, a in 0u32..30, b in 0u32..30) {
        let start = day(n);
        let once = cal().add_working_days(start, a + b);
        let twice = cal().add_working_days(cal().add_working_days(start, a).date, b);
        prop_assert_eq!(once.date, twice.date);
        prop_assert_eq!(cal().working_days_between(start, once.date), a + b);
        prop_assert_eq!(once.provisional, cal().is_provisional_between(start, once.date));
    }
}
