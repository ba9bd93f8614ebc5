//! Register checks (`statutes.md` §10.J): statutory deadlines met, extensions lawful, outcomes
//! consistent with the events, and a published 表三 against the register's. Codes `R…` are kept
//! here, beside the report rules of `nianbao-check`, because they look at applications, not at a
//! report; `nianbao register check` and the tests list them with [`CATALOG`].

use crate::derive::derive;
use crate::model::{Application, Consult, EventKind, Outcome};
use chrono::{Datelike, NaiveDate};
use nianbao_calendar::Calendar;
use nianbao_check::Severity;
use nianbao_deadline::{compute, lapse, ExtensionIssue, Lapse, Regime, Settings};
use nianbao_model::layout::{self, TableId};
use nianbao_model::Report;
use serde::Serialize;

/// A register rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RegisterRule {
    pub code: &'static str,
    pub severity: Severity,
    pub title: &'static str,
    pub source: &'static str,
}

const fn r(code: &'static str, severity: Severity, title: &'static str, source: &'static str) -> RegisterRule {
    RegisterRule { code, severity, title, source }
}

pub const CATALOG: &[RegisterRule] = &[
    r("R001", Severity::Error, "补正通知晚于收到申请后 7 个工作日", "《条例》第三十条"),
    r("R002", Severity::Error, "答复晚于法定期限（含依法延期、扣除征求意见和缴费时间）", "《条例》第三十三条"),
    r("R003", Severity::Error, "延期答复未经批准、在期限届满后才批准，或延长超过 20 个工作日", "《条例》第三十三条第二款"),
    r("R004", Severity::Warning, "12 月 31 日仍未办结且已超过答复期限", "《条例》第三十三条；statutes.md §10 规则 63"),
    r("R005", Severity::Error, "办理结果与记录的事件矛盾", "《条例》第三十条、第三十二条；国办函〔2020〕109号"),
    r("R006", Severity::Warning, "按第三十五条确定延后答复期限，但未记录要求申请人说明理由", "《条例》第三十五条"),
    r("R007", Severity::Error, "报告表三与台账统计不一致", "statutes.md §7、§10 规则 62"),
    r("R008", Severity::Warning, "补正或缴费期限已过但未记录视为放弃", "《条例》第三十条；国办函〔2020〕109号"),
];

pub fn rule(code: &str) -> Option<&'static RegisterRule> {
    CATALOG.iter().find(|r| r.code == code)
}

/// One register finding.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RegisterFinding {
    pub rule: &'static str,
    pub severity: Severity,
    /// The application it is about (its number), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub application: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub year: Option<i32>,
    pub message: String,
    /// Cells of 表三/表四 it is about: (table, row key, column).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub cells: Vec<(TableId, String, usize)>,
    /// The applications behind the cells (R007).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub applications: Vec<String>,
}

fn finding(code: &'static str, app: Option<&Application>, message: String) -> RegisterFinding {
    let meta = rule(code).expect("code in the catalog");
    RegisterFinding {
        rule: code,
        severity: meta.severity,
        application: app.map(|a| a.number.clone()),
        year: None,
        message,
        cells: Vec::new(),
        applications: Vec::new(),
    }
}

/// Checks every application as known on `as_of` (open periods are judged against that day).
pub fn check_applications(cal: &Calendar, settings: &Settings, apps: &[Application], as_of: NaiveDate) -> Vec<RegisterFinding> {
    let mut out = Vec::new();
    for a in apps {
        check_one(cal, settings, a, as_of, &mut out);
    }
    out
}

fn check_one(cal: &Calendar, settings: &Settings, a: &Application, as_of: NaiveDate, out: &mut Vec<RegisterFinding>) {
    let case = a.case();
    let Ok(d) = compute(cal, settings, &case, as_of) else { return };
    let n = &a.number;
    let closure = a.closure();
    // R001: the 补正 notice within 7 WD (the 2008 条例 set no such period).
    if let (Some(req), Regime::New2019) = (case.correction_requested, d.regime) {
        if req > d.correction_notice_due.date {
            out.push(finding("R001", Some(a), format!("申请 {n}：补正通知于 {req} 发出，晚于期限 {}（收到申请后 7 个工作日）", d.correction_notice_due)));
        }
    }
    // R002: a reply after the deadline.
    if let Some(c) = closure {
        let replied = a.events.iter().any(|e| matches!(e.kind, EventKind::Replied { .. }) && e.date == c.date);
        if replied && c.date > d.final_due.date {
            let late = cal.working_days_between(d.final_due.date, c.date);
            out.push(finding("R002", Some(a), format!("申请 {n}：{} 答复，期限为 {}，逾期 {late} 个工作日", c.date, d.final_due)));
        }
    }
    // R003: unlawful extensions.
    for issue in &d.extension_issues {
        let msg = match issue {
            ExtensionIssue::NoApproval { date } => format!("申请 {n}：{date} 的延期没有记录批准人（须经政府信息公开工作机构负责人同意），不计入期限"),
            ExtensionIssue::AfterDeadline { date, deadline } => format!("申请 {n}：延期于 {date} 批准，晚于原答复期限 {deadline}，不计入期限"),
            ExtensionIssue::BeyondMaximum { requested, maximum } => format!("申请 {n}：延期合计 {requested} 个工作日，超过最多 {maximum} 个工作日"),
        };
        out.push(finding("R003", Some(a), msg));
    }
    // R004: open on a 31 December after its deadline.
    let first = a.received.year();
    let last = closure.map(|c| c.date.year() - 1).unwrap_or(as_of.year() - 1).min(as_of.year() - 1);
    for y in first..=last {
        let Some(end) = NaiveDate::from_ymd_opt(y, 12, 31) else { continue };
        if a.is_open_on(end) && !d.awaiting_correction && !d.suspended && d.final_due.date < end {
            let mut f = finding("R004", Some(a), format!("申请 {n}：{y} 年 12 月 31 日仍未办结，答复期限 {} 已过，结转下年度", d.final_due));
            f.year = Some(y);
            out.push(f);
        }
    }
    // R005: outcome against the events.
    if let Some(c) = closure {
        let has = |p: &dyn Fn(&EventKind) -> bool| a.events.iter().any(|e| p(&e.kind));
        let replied_with = |o: Outcome| a.events.iter().any(|e| e.kind == EventKind::Replied { outcome: o });
        let mut problem = None;
        if replied_with(Outcome::OtherNoCorrection) && !has(&|k| matches!(k, EventKind::CorrectionRequested { .. })) {
            problem = Some("结果为“逾期不补正”，但没有补正通知".to_string());
        } else if replied_with(Outcome::OtherNoCorrection) && has(&|k| matches!(k, EventKind::CorrectionReceived)) {
            problem = Some("结果为“逾期不补正”，但已收到补正".to_string());
        } else if c.outcome == Outcome::UnavailableUnclear && !has(&|k| matches!(k, EventKind::CorrectionReceived)) {
            problem = Some("结果为“补正后申请内容仍不明确”，但没有收到补正的记录".to_string());
        } else if replied_with(Outcome::OtherUnpaidFee) && !has(&|k| matches!(k, EventKind::FeeNotice { .. })) {
            problem = Some("结果为“逾期未缴费”，但没有收费通知".to_string());
        } else if replied_with(Outcome::OtherUnpaidFee) && has(&|k| matches!(k, EventKind::FeePaid)) {
            problem = Some("结果为“逾期未缴费”，但已记录缴费".to_string());
        } else if c.outcome == Outcome::WithheldThirdParty && !has(&|k| matches!(k, EventKind::ConsultationStarted { with: Consult::ThirdParty })) {
            problem = Some("以“保护第三方合法权益”不予公开，但没有征求第三方意见的记录（第三十二条）".to_string());
        } else if d.awaiting_correction && !c.outcome.is_deemed_abandonment() && c.outcome != Outcome::OtherOther {
            problem = Some(format!("补正通知后未收到补正，却以“{}”答复", c.outcome.label()));
        } else if c.outcome == Outcome::RejectedExcessive && !has(&|k| matches!(k, EventKind::ReasonRequested)) {
            problem = Some("以“无正当理由大量反复申请”不予处理，但没有要求说明理由的记录（第三十五条）".to_string());
        }
        if let Some(p) = problem {
            out.push(finding("R005", Some(a), format!("申请 {n}：{p}")));
        }
    }
    // R006: Art. 35 later date without a reason request before it.
    for e in &a.events {
        if let EventKind::LaterDateSet { .. } = e.kind {
            if !a.events.iter().any(|x| x.kind == EventKind::ReasonRequested && x.date <= e.date) {
                out.push(finding("R006", Some(a), format!("申请 {n}：{} 确定延后答复期限，但此前没有要求申请人说明理由", e.date)));
            }
        }
    }
    // R008: a period that has run out without the abandonment being recorded.
    if closure.is_none() {
        match lapse(&d, &case, as_of) {
            Some(Lapse::NoCorrection { due }) => out.push(finding("R008", Some(a), format!("申请 {n}：补正期限 {due} 已过，未收到补正，应记录视为放弃（逾期不补正）"))),
            Some(Lapse::Unpaid { due }) => out.push(finding("R008", Some(a), format!("申请 {n}：缴费期限 {due} 已过，未缴费，应记录视为放弃（逾期未缴费）"))),
            None => {}
        }
    }
}

/// R007: the cells where a report's 表三 differs from the register's, with the applications
/// behind the register's count.
pub fn compare_report(agency: &str, report: &Report, apps: &[Application]) -> Vec<RegisterFinding> {
    let Some(year) = report.year else { return Vec::new() };
    let derived = derive(agency, year, apps);
    let layout = derived.report.effective_layout();
    let mut out = Vec::new();
    for def in layout::rows(TableId::Applications, layout) {
        for c in 0..def.fields.len() {
            let want = derived.report.applications.value(def.key, c).unwrap_or(0.0);
            let got = report.applications.value(def.key, c);
            if got != Some(want) {
                let place = crate::model::describe_cell(layout, TableId::Applications, def.key, c);
                let got_s = got.map(|v| nianbao_model::json::number_value(Some(v)).to_string()).unwrap_or_else(|| "空白".into());
                let mut f = finding("R007", None, format!("{year} 年{place}：报告为 {got_s}，台账统计为 {}", want as i64));
                f.year = Some(year);
                f.cells.push((TableId::Applications, def.key.to_string(), c));
                f.applications = derived.applications(TableId::Applications, def.key, c).to_vec();
                out.push(f);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ApplicantType, Event};
    use nianbao_deadline::Channel;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn app(received: &str, events: Vec<(&str, EventKind)>) -> Application {
        let mut a = Application::new("A1", ApplicantType::NaturalPerson, Channel::InPerson, d(received));
        for (date, k) in events {
            a.add_event(Event::new(d(date), k)).unwrap();
        }
        a
    }

    fn codes(a: &Application, as_of: &str) -> Vec<&'static str> {
        check_applications(Calendar::builtin(), &Settings::default(), std::slice::from_ref(a), d(as_of)).iter().map(|f| f.rule).collect()
    }

    #[test]
    fn every_code_is_unique_and_has_a_title() {
        for (i, r) in CATALOG.iter().enumerate() {
            assert!(r.code.starts_with('R') && !r.title.is_empty());
            assert!(CATALOG[i + 1..].iter().all(|o| o.code != r.code));
            assert!(nianbao_check::catalog::find(r.code).is_none(), "{} clashes with a report rule", r.code);
        }
    }

    #[test]
    fn a_timely_application_has_no_findings() {
        let a = app("2024-02-06", vec![("2024-03-11", EventKind::Replied { outcome: Outcome::Granted })]);
        assert!(codes(&a, "2024-12-31").is_empty());
    }

    #[test]
    fn late_reply_and_late_correction_notice() {
        let a = app("2024-02-06", vec![("2024-03-12", EventKind::Replied { outcome: Outcome::Granted })]);
        assert_eq!(codes(&a, "2024-12-31"), vec!["R002"]);
        let a = app(
            "2024-02-06",
            vec![
                ("2024-02-22", EventKind::CorrectionRequested { period_days: Some(10) }),
                ("2024-02-26", EventKind::CorrectionReceived),
                ("2024-03-20", EventKind::Replied { outcome: Outcome::Granted }),
            ],
        );
        assert_eq!(codes(&a, "2024-12-31"), vec!["R001"], "the restart makes the reply timely");
    }

    #[test]
    fn extensions_and_open_at_year_end() {
        let a = app(
            "2024-11-25",
            vec![("2024-12-20", EventKind::ExtensionApproved { days: 25, approver: None })],
        );
        let got = codes(&a, "2025-01-10");
        assert_eq!(got, vec!["R003", "R004"], "{got:?}");
    }

    #[test]
    fn contradicting_outcomes_and_lapses() {
        let a = app("2024-03-01", vec![("2024-03-10", EventKind::Replied { outcome: Outcome::OtherNoCorrection })]);
        assert_eq!(codes(&a, "2024-12-31"), vec!["R005"]);
        let a = app("2024-03-01", vec![("2024-03-05", EventKind::CorrectionRequested { period_days: Some(10) })]);
        assert_eq!(codes(&a, "2024-03-19"), Vec::<&str>::new());
        assert_eq!(codes(&a, "2024-03-20"), vec!["R008"]);
        let a = app("2024-03-01", vec![("2024-03-04", EventKind::LaterDateSet { until: d("2024-06-28") })]);
        assert_eq!(codes(&a, "2024-03-05"), vec!["R006"]);
    }
}
