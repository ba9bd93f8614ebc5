//! The rules beyond plain counting: the 补正 restart, pauses, extensions, the Art. 35 date,
//! deemed abandonment, the transition setting and the Art. 31 receipt date.

use chrono::NaiveDate;
use nianbao_calendar::Calendar;
use nianbao_deadline::*;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn run(case: &Case, as_of: &str) -> Deadlines {
    compute(Calendar::builtin(), &Settings::default(), case, d(as_of)).unwrap()
}

#[test]
fn a_received_correction_restarts_the_reply_period() {
    let mut c = Case::received_on(d("2024-01-08"));
    c.correction_requested = Some(d("2024-01-12"));
    c.correction_period_days = Some(10);
    let waiting = run(&c, "2024-01-15");
    assert!(waiting.awaiting_correction);
    assert_eq!(waiting.correction_due.unwrap().date, d("2024-01-26"));
    c.correction_received = Some(d("2024-02-06"));
    let r = run(&c, "2024-02-06");
    assert!(!r.awaiting_correction);
    assert_eq!(r.day0, d("2024-02-06"));
    // Same as the statutes.md vector for a receipt on 2024-02-06.
    assert_eq!(r.reply_due.date, d("2024-03-11"));
    assert_eq!(r.max_due.date, d("2024-04-09"));
    // The notice deadline stays counted from the original receipt.
    assert_eq!(r.correction_notice_due.date, d("2024-01-17"));
}

#[test]
fn consultation_days_are_not_counted() {
    // 2024-02-06 + 20 WD = 2024-03-11 without a pause.
    let mut c = Case::received_on(d("2024-02-06"));
    // Letter out Fri 1 Mar, answer in Fri 8 Mar: Mon 4 – Fri 8 Mar (5 WD) are excluded.
    c.consultations.push(Pause { kind: PauseKind::ThirdParty, start: d("2024-03-01"), end: Some(d("2024-03-08")) });
    let r = run(&c, "2024-03-10");
    assert_eq!(r.excluded_days, 5);
    assert_eq!(r.reply_due.date, d("2024-03-18"));
    assert!(!r.suspended);
    // A pause started and ended the same day excludes nothing.
    let mut same = Case::received_on(d("2024-02-06"));
    same.consultations.push(Pause { kind: PauseKind::OtherOrgan, start: d("2024-03-01"), end: Some(d("2024-03-01")) });
    assert_eq!(run(&same, "2024-03-02").reply_due.date, d("2024-03-11"));
}

#[test]
fn a_running_pause_suspends_the_deadline() {
    let mut c = Case::received_on(d("2024-02-06"));
    c.consultations.push(Pause { kind: PauseKind::ThirdParty, start: d("2024-03-01"), end: None });
    let r = run(&c, "2024-03-05");
    assert!(r.suspended);
    assert_eq!(r.excluded_days, 2);
    assert_eq!(r.reply_due.date, d("2024-03-13"));
}

#[test]
fn the_fee_period_is_excluded_and_lapses_after_20_working_days() {
    let mut c = Case::received_on(d("2025-03-03"));
    c.fee_notice = Some(d("2025-03-10"));
    let open = run(&c, "2025-03-12");
    assert_eq!(open.fee_payment_due.unwrap().date, d("2025-04-08"), "20 WD after 10 Mar (4 Apr is 清明)");
    assert!(lapse(&open, &c, d("2025-04-08")).is_none());
    assert!(matches!(lapse(&open, &c, d("2025-04-09")), Some(Lapse::Unpaid { .. })));
    c.fee_paid = Some(d("2025-03-14"));
    let paid = run(&c, "2025-03-20");
    // 11–14 Mar (4 WD) are excluded.
    assert_eq!(paid.excluded_days, 4);
    let plain = run(&Case::received_on(d("2025-03-03")), "2025-03-03").reply_due;
    assert_eq!(plain.date, d("2025-03-31"));
    assert_eq!(paid.reply_due.date, d("2025-04-07"), "4 WD later, 4 Apr being 清明");
    assert!(lapse(&paid, &c, d("2025-06-01")).is_none());
}

#[test]
fn extensions_need_approval_count_up_to_the_maximum() {
    let mut c = Case::received_on(d("2024-02-06"));
    c.extensions.push(Extension { date: d("2024-03-08"), days: 10, approver: Some("办公室主任".into()) });
    let r = run(&c, "2024-03-08");
    assert_eq!(r.extension_days, 10);
    assert_eq!(r.extended_due.date, Calendar::builtin().add_working_days(d("2024-02-06"), 30).date);
    assert!(r.extension_issues.is_empty());
    c.extensions.push(Extension { date: d("2024-03-11"), days: 15, approver: Some("办公室主任".into()) });
    let r = run(&c, "2024-03-11");
    assert_eq!(r.extension_days, 20);
    assert_eq!(r.extended_due.date, d("2024-04-09"));
    assert!(r.extension_issues.contains(&ExtensionIssue::BeyondMaximum { requested: 25, maximum: 20 }));
    let mut unapproved = Case::received_on(d("2024-02-06"));
    unapproved.extensions.push(Extension { date: d("2024-03-08"), days: 20, approver: None });
    let r = run(&unapproved, "2024-03-08");
    assert_eq!(r.extension_days, 0);
    assert_eq!(r.extended_due.date, d("2024-03-11"));
    let mut late = Case::received_on(d("2024-02-06"));
    late.extensions.push(Extension { date: d("2024-03-12"), days: 20, approver: Some("主任".into()) });
    let r = run(&late, "2024-03-12");
    assert_eq!(r.extension_issues, vec![ExtensionIssue::AfterDeadline { date: d("2024-03-12"), deadline: d("2024-03-11") }]);
}

#[test]
fn old_regime_extension_is_at_most_15_days() {
    let mut c = Case::received_on(d("2019-01-18"));
    c.extensions.push(Extension { date: d("2019-02-01"), days: 20, approver: Some("主任".into()) });
    let r = run(&c, "2019-02-01");
    assert_eq!(r.regime, Regime::Old2008);
    assert_eq!(r.extension_days, 15);
    assert_eq!(r.extended_due.date, d("2019-03-06"));
}

#[test]
fn the_transition_setting() {
    let cal = Calendar::builtin();
    let by_receipt = Settings::default();
    let pending = Settings { transition: Transition::NewForPending, ..Settings::default() };
    // Received 2019-04-26: old deadline 2019-05-20 is after 15 May → the new periods apply.
    assert_eq!(regime_for(cal, &by_receipt, d("2019-04-26")), Regime::Old2008);
    assert_eq!(regime_for(cal, &pending, d("2019-04-26")), Regime::New2019);
    assert_eq!(regime_for(cal, &pending, d("2019-01-18")), Regime::Old2008);
    assert_eq!(regime_for(cal, &by_receipt, d("2019-05-15")), Regime::New2019);
    assert_eq!(regime_for(cal, &by_receipt, d("2019-05-14")), Regime::Old2008);
}

#[test]
fn art35_later_date_replaces_the_deadline() {
    let mut c = Case::received_on(d("2024-02-06"));
    c.later_date = Some(d("2024-06-28"));
    assert_eq!(run(&c, "2024-02-07").final_due.date, d("2024-06-28"));
}

#[test]
fn correction_lapse() {
    let mut c = Case::received_on(d("2024-01-08"));
    c.correction_requested = Some(d("2024-01-12"));
    c.correction_period_days = Some(10);
    let r = run(&c, "2024-01-29");
    assert!(matches!(lapse(&r, &c, d("2024-01-29")), Some(Lapse::NoCorrection { due }) if due.date == d("2024-01-26")));
    assert!(lapse(&r, &c, d("2024-01-26")).is_none());
}

#[test]
fn provisional_into_a_year_without_notice() {
    let r = run(&Case::received_on(d("2026-12-10")), "2026-12-10");
    assert!(r.reply_due.provisional);
    assert!(!r.correction_notice_due.provisional);
    assert!(r.reply_due.display().ends_with("（暂定）"));
}

#[test]
fn receipt_date_by_channel() {
    let f = ReceiptFacts { arrived: Some(d("2024-03-01")), signed: Some(d("2024-03-04")), confirmed: Some(d("2024-03-05")), contact_restored: None };
    assert_eq!(receipt_date(Channel::InPerson, &f).unwrap(), d("2024-03-01"));
    assert_eq!(receipt_date(Channel::Post, &f).unwrap(), d("2024-03-04"));
    assert_eq!(receipt_date(Channel::OrdinaryLetter, &f).unwrap(), d("2024-03-05"));
    assert_eq!(receipt_date(Channel::Online, &f).unwrap(), d("2024-03-05"));
    assert_eq!(receipt_date(Channel::Email, &f).unwrap(), d("2024-03-01"));
    let restored = ReceiptFacts { contact_restored: Some(d("2024-03-11")), ..f };
    assert_eq!(receipt_date(Channel::Post, &restored).unwrap(), d("2024-03-11"));
    let e = receipt_date(Channel::Post, &ReceiptFacts::default()).unwrap_err().to_string();
    assert!(e.contains("签收日期"), "{e}");
    assert_eq!(Channel::from_words("挂号信"), Some(Channel::Post));
    assert_eq!(Channel::from_words("平信"), Some(Channel::OrdinaryLetter));
    assert_eq!(Channel::from_words("政府网站在线申请"), Some(Channel::Online));
    assert_eq!(Channel::from_words("现场提交"), Some(Channel::InPerson));
    assert_eq!(Channel::from_words("电子邮箱"), Some(Channel::Email));
    assert_eq!(Channel::from_words("？"), None);
}
