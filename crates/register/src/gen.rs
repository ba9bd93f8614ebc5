//! A generator of large, valid registers with every event kind, and the count of each 表三/表四
//! cell made while generating — from the generator's own decisions (receipt day, the day and
//! code it concludes with, the cases it files), not through [`crate::derive`] — so the
//! derivation can be measured against an independent count.

use crate::model::{ApplicantType, Application, CaseKind, CaseResult, Consult, Event, EventKind, Outcome};
use chrono::{Datelike, Days, NaiveDate};
use nianbao_calendar::Calendar;
use nianbao_deadline::Channel;
use nianbao_model::layout::{Layout, TableId};
use std::collections::BTreeMap;

/// A small, fast, deterministic generator (xorshift64*).
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    /// A number in `lo..=hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo + 1)
    }
    /// True with probability `p` percent.
    pub fn pct(&mut self, p: u64) -> bool {
        self.next() % 100 < p
    }
    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[(self.next() % items.len() as u64) as usize]
    }
}

/// Cell counts per agency-year: (table, row key, column) → count.
pub type Counts = BTreeMap<(TableId, &'static str, usize), i64>;

/// A generated register.
pub struct Generated {
    /// Agency name → its applications.
    pub agencies: Vec<(String, Vec<Application>)>,
    /// (agency, year) → the expected cells (only non-zero ones).
    pub truth: BTreeMap<(String, i32), Counts>,
    pub years: (i32, i32),
}

impl Generated {
    pub fn applications(&self) -> usize {
        self.agencies.iter().map(|(_, a)| a.len()).sum()
    }
}

fn add_days(d: NaiveDate, n: u64) -> NaiveDate {
    d.checked_add_days(Days::new(n)).unwrap_or(d)
}

fn bump(c: &mut Counts, table: TableId, row: &'static str, col: usize) {
    let total = if table == TableId::Applications { 6 } else { 4 };
    *c.entry((table, row, col)).or_default() += 1;
    *c.entry((table, row, total)).or_default() += 1;
}

/// Outcomes a reply may carry by itself (the deemed abandonments come from lapse events).
const REPLY_OUTCOMES: &[Outcome] = &[
    Outcome::Granted,
    Outcome::Granted,
    Outcome::Granted,
    Outcome::Granted,
    Outcome::PartiallyGranted,
    Outcome::PartiallyGranted,
    Outcome::WithheldStateSecret,
    Outcome::WithheldLawProhibited,
    Outcome::WithheldSecurityStability,
    Outcome::WithheldInternalAffairs,
    Outcome::WithheldProcessInfo,
    Outcome::WithheldEnforcementFile,
    Outcome::WithheldAdminQuery,
    Outcome::UnavailableNotHeld,
    Outcome::UnavailableNotHeld,
    Outcome::UnavailableNeedsCreation,
    Outcome::RejectedComplaint,
    Outcome::RejectedDuplicate,
    Outcome::RejectedPublication,
    Outcome::RejectedConfirmation,
    Outcome::OtherOther,
];

/// Generates `per_agency_year` applications received in each year of `from..=to` for each of
/// `agencies` agencies. Nothing is dated after 31 December of `to` (the day the register is
/// "read"), so some applications stay open and are carried forward.
pub fn generate(seed: u64, agencies: usize, from: i32, to: i32, per_agency_year: usize) -> Generated {
    let mut rng = Rng::new(seed);
    let cal = Calendar::builtin();
    let cutoff = NaiveDate::from_ymd_opt(to, 12, 31).expect("valid year");
    let mut out = Generated { agencies: Vec::new(), truth: BTreeMap::new(), years: (from, to) };
    for g in 0..agencies {
        let name = format!("示例县第{}局", g + 1);
        let mut apps = Vec::new();
        let mut seq = 0usize;
        for year in from..=to {
            for _ in 0..per_agency_year {
                seq += 1;
                let (app, closure, cases) = one(&mut rng, cal, &format!("{year}-{seq:06}"), year, cutoff);
                tally(&mut out.truth, &name, from, to, &app, closure, &cases);
                apps.push(app);
            }
        }
        out.agencies.push((name, apps));
    }
    out
}

type CaseFacts = Vec<(CaseKind, NaiveDate, Option<(NaiveDate, CaseResult)>)>;

/// The independent count: from the receipt day, the conclusion and the cases as generated.
fn tally(truth: &mut BTreeMap<(String, i32), Counts>, agency: &str, from: i32, to: i32, app: &Application, closure: Option<(NaiveDate, Outcome)>, cases: &CaseFacts) {
    let col = app.applicant_type.column();
    let ry = app.received.year();
    for y in from..=to {
        let c = truth.entry((agency.to_string(), y)).or_default();
        let layout = Layout::required_for(y);
        if ry == y {
            bump(c, TableId::Applications, "new_received", col);
        }
        // Open at the end of a year: received by then, not concluded by then.
        let open_at = |yy: i32| ry <= yy && closure.is_none_or(|(d, _)| d.year() > yy);
        if open_at(y - 1) {
            bump(c, TableId::Applications, "carried_over", col);
        }
        if open_at(y) {
            bump(c, TableId::Applications, "carried_forward", col);
        }
        if let Some((d, o)) = closure {
            if d.year() == y {
                bump(c, TableId::Applications, o.row_key(layout), col);
                bump(c, TableId::Applications, "total_processed", col);
            }
        }
        for (kind, filed, decided) in cases {
            match decided {
                Some((d, r)) if d.year() == y => bump(c, TableId::ReviewLitigation, kind.row_key(), r.column()),
                Some((d, _)) if filed.year() <= y && d.year() > y => bump(c, TableId::ReviewLitigation, kind.row_key(), 3),
                None if filed.year() <= y => bump(c, TableId::ReviewLitigation, kind.row_key(), 3),
                _ => {}
            }
        }
    }
}

/// One application: a history built forward in time (so it is always consistent), cut at
/// `cutoff`.
fn one(rng: &mut Rng, cal: &Calendar, number: &str, year: i32, cutoff: NaiveDate) -> (Application, Option<(NaiveDate, Outcome)>, CaseFacts) {
    let start = NaiveDate::from_ymd_opt(year, 1, 1).expect("valid year");
    let received = add_days(start, rng.range(0, 364));
    let types = ApplicantType::ALL;
    let ty = if rng.pct(70) { ApplicantType::NaturalPerson } else { rng.pick(&types) };
    let mut app = Application::new(number, ty, rng.pick(&Channel::ALL), received);
    app.summary = format!("申请公开{}年度相关文件（第{}项）", year, rng.range(1, 99));
    let mut ev: Vec<Event> = Vec::new();
    let mut t = received;
    let mut closure: Option<(NaiveDate, Outcome)> = None;
    let mut has_third_party = false;
    let mut correction_received = false;
    let mut reason_requested = false;
    // 补正
    if rng.pct(10) {
        t = cal.add_working_days(t, rng.range(1, 8) as u32).date;
        let period = rng.range(5, 15) as u32;
        ev.push(Event::new(t, EventKind::CorrectionRequested { period_days: Some(period) }));
        let due = cal.add_working_days(t, period).date;
        if rng.pct(75) {
            t = add_days(t, rng.range(1, 12));
            ev.push(Event::new(t, EventKind::CorrectionReceived));
            correction_received = true;
        } else {
            t = add_days(due, rng.range(1, 5));
            ev.push(Event::new(t, EventKind::CorrectionLapsed));
            closure = Some((t, Outcome::OtherNoCorrection));
        }
    }
    if closure.is_none() {
        // Consultation.
        if rng.pct(8) {
            let with = if rng.pct(60) { Consult::ThirdParty } else { Consult::OtherOrgan };
            has_third_party = with == Consult::ThirdParty;
            t = add_days(t, rng.range(1, 10));
            ev.push(Event::new(t, EventKind::ConsultationStarted { with }));
            t = add_days(t, rng.range(3, 25));
            ev.push(Event::new(t, EventKind::ConsultationEnded { with }));
        }
        // Fee.
        if rng.pct(5) {
            t = add_days(t, rng.range(1, 10));
            let due = cal.add_working_days(t, 20).date;
            ev.push(Event::new(t, EventKind::FeeNotice { amount_yuan: Some(100.0 * rng.range(1, 20) as f64) }));
            if rng.pct(70) {
                t = add_days(t, rng.range(1, 20));
                ev.push(Event::new(t, EventKind::FeePaid));
            } else {
                t = add_days(due, rng.range(1, 3));
                ev.push(Event::new(t, EventKind::FeeLapsed));
                closure = Some((t, Outcome::OtherUnpaidFee));
            }
        }
    }
    if closure.is_none() {
        if rng.pct(10) {
            t = add_days(t, rng.range(5, 20));
            ev.push(Event::new(t, EventKind::ExtensionApproved { days: rng.range(5, 20) as u32, approver: Some("办公室主任".into()) }));
        }
        if rng.pct(2) {
            t = add_days(t, rng.range(1, 5));
            ev.push(Event::new(t, EventKind::ReasonRequested));
            reason_requested = true;
            t = add_days(t, rng.range(1, 5));
            ev.push(Event::new(t, EventKind::LaterDateSet { until: add_days(t, rng.range(20, 60)) }));
        }
        if rng.pct(1) {
            // Never answered: open for good.
        } else if rng.pct(3) {
            t = add_days(t, rng.range(1, 20));
            ev.push(Event::new(t, EventKind::Withdrawn));
            closure = Some((t, Outcome::OtherOther));
        } else {
            t = add_days(t, rng.range(1, 45));
            let mut o = rng.pick(REPLY_OUTCOMES);
            if rng.pct(3) && has_third_party {
                o = Outcome::WithheldThirdParty;
            }
            if rng.pct(20) && correction_received {
                o = Outcome::UnavailableUnclear;
            }
            if rng.pct(50) && reason_requested {
                o = Outcome::RejectedExcessive;
            }
            ev.push(Event::new(t, EventKind::Replied { outcome: o }));
            closure = Some((t, o));
        }
    }
    let mut cases: CaseFacts = Vec::new();
    if closure.is_some() {
        let replied = matches!(ev.last().map(|e| &e.kind), Some(EventKind::Replied { .. }));
        if replied && rng.pct(2) {
            t = add_days(t, rng.range(1, 20));
            ev.push(Event::new(t, EventKind::SupplementaryReply));
        }
        if rng.pct(4) {
            let first = if rng.pct(60) { CaseKind::Review } else { CaseKind::LitigationDirect };
            t = add_days(t, rng.range(10, 60));
            ev.push(Event::new(t, EventKind::CaseFiled { case: first }));
            let mut decided = None;
            if rng.pct(75) {
                t = add_days(t, rng.range(30, 200));
                let r = rng.pick(&[CaseResult::Upheld, CaseResult::Upheld, CaseResult::Corrected, CaseResult::Other]);
                ev.push(Event::new(t, EventKind::CaseDecided { case: first, result: r }));
                decided = Some((t, r));
            }
            cases.push((first, ev.iter().rev().find(|e| matches!(e.kind, EventKind::CaseFiled { .. })).map(|e| e.date).unwrap_or(t), decided));
            if first == CaseKind::Review && decided.is_some() && rng.pct(30) {
                t = add_days(t, rng.range(5, 15));
                ev.push(Event::new(t, EventKind::CaseFiled { case: CaseKind::LitigationAfterReview }));
                let filed = t;
                let mut d2 = None;
                if rng.pct(50) {
                    t = add_days(t, rng.range(60, 300));
                    let r = rng.pick(&[CaseResult::Upheld, CaseResult::Corrected, CaseResult::Other]);
                    ev.push(Event::new(t, EventKind::CaseDecided { case: CaseKind::LitigationAfterReview, result: r }));
                    d2 = Some((t, r));
                }
                cases.push((CaseKind::LitigationAfterReview, filed, d2));
            }
        }
    }
    // Cut at the day the register is read.
    ev.retain(|e| e.date <= cutoff);
    let closure = closure.filter(|(d, _)| *d <= cutoff);
    let cases: CaseFacts = cases
        .into_iter()
        .filter(|(_, f, _)| *f <= cutoff)
        .map(|(k, f, d)| (k, f, d.filter(|(dd, _)| *dd <= cutoff)))
        .collect();
    app.events = ev;
    (app, closure, cases)
}

/// Compares a derived report's cells with the independent count; returns the differences.
pub fn differences(derived: &crate::Derived, expected: &Counts) -> Vec<String> {
    let mut out = Vec::new();
    let layout = derived.report.effective_layout();
    for table in [TableId::Applications, TableId::ReviewLitigation] {
        for def in nianbao_model::layout::rows(table, layout) {
            for c in 0..def.fields.len() {
                let got = derived.report.table(table).value(def.key, c).unwrap_or(-1.0) as i64;
                let want = expected.get(&(table, def.key, c)).copied().unwrap_or(0);
                if got != want {
                    out.push(format!("{}：派生 {got}，独立计数 {want}", crate::model::describe_cell(layout, table, def.key, c)));
                }
            }
        }
    }
    for ((table, row, c), _) in expected.iter() {
        if nianbao_model::layout::row_def(*table, layout, row).is_none() {
            out.push(format!("独立计数有版式中没有的行 {row} 列 {c}"));
        }
    }
    out
}
