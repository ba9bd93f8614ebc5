//! The application register (依申请公开台账): every 政府信息公开 application of an agency with its
//! dated events; its statutory deadlines (`nianbao-deadline`); 表三 and 表四 derived from it so
//! that `nianbao check` passes by construction; the register checks (`R…`); Excel import and the
//! template; storage in the corpus database as an append-only event log.

pub mod derive;
pub mod gen;
pub mod model;
pub mod rules;
pub mod store;
pub mod xlsx;

pub use derive::{derive, Derived};
pub use model::{ApplicantType, Application, CaseKind, CaseResult, Closure, Consult, Event, EventKind, Outcome};

use chrono::NaiveDate;
use nianbao_calendar::{Calendar, Due};
use nianbao_deadline::{compute, lapse, Deadlines, Lapse, Settings};
use nianbao_model::{ParsedReport, Report, Source};
use std::sync::Arc;

#[derive(Debug, thiserror::Error)]
pub enum RegisterError {
    #[error("申请 {number}：{event}（{date}）不能记录：{reason}")]
    Conflict { number: String, event: &'static str, date: NaiveDate, reason: String },
    #[error("申请 {number}：{reason}")]
    Invalid { number: String, reason: String },
    #[error("{file}：{reason}")]
    File { file: String, reason: String },
    #[error("{agency} 的 {year} 年度已锁定（{by} 于 {at} 锁定），不能再修改影响该年度统计的记录")]
    Locked { agency: String, year: i32, by: String, at: String },
    #[error("{agency} 没有编号为“{number}”的申请")]
    NoApplication { agency: String, number: String },
    #[error("{agency} 已有编号为“{number}”的申请")]
    Duplicate { agency: String, number: String },
    #[error(transparent)]
    Store(#[from] nianbao_store::StoreError),
    #[error("数据库操作失败：{0}")]
    Db(#[from] sqlx::Error),
    #[error("{0}")]
    Other(String),
}

/// The status of an application on `as_of`, as shown in lists and exports.
pub fn status(a: &Application, d: &Deadlines, as_of: NaiveDate) -> &'static str {
    if let Some(c) = a.closure() {
        return if c.outcome.is_deemed_abandonment() { "视为放弃" } else { "已办结" };
    }
    if d.awaiting_correction {
        return "待补正";
    }
    if d.suspended {
        return "征求意见或待缴费";
    }
    if as_of > d.final_due.date {
        "逾期"
    } else {
        "办理中"
    }
}

/// What is due for an open application.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct DueItem {
    pub number: String,
    /// 答复期限 / 补正期限 / 缴费期限 / 补正通知期限.
    pub what: &'static str,
    pub due: Due,
    /// Working days from `as_of` to the due date; negative when overdue.
    pub days_left: i64,
    pub status: &'static str,
    pub summary: String,
}

/// The open applications' next deadlines, overdue first (most overdue first), then by date.
/// `within`: only those due within that many working days (overdue ones always).
pub fn due_list(cal: &Calendar, settings: &Settings, apps: &[Application], as_of: NaiveDate, within: Option<u32>) -> Vec<DueItem> {
    let mut out = Vec::new();
    for a in apps {
        if a.closure().is_some() {
            continue;
        }
        let case = a.case();
        let Ok(d) = compute(cal, settings, &case, as_of) else { continue };
        let (what, due) = match lapse(&d, &case, as_of) {
            Some(Lapse::NoCorrection { due }) => ("补正期限已过（应记录视为放弃）", due),
            Some(Lapse::Unpaid { due }) => ("缴费期限已过（应记录视为放弃）", due),
            None if d.awaiting_correction => match d.correction_due {
                Some(due) => ("补正期限（申请人）", due),
                None => continue,
            },
            None if case.fee_notice.is_some() && case.fee_paid.is_none() => match d.fee_payment_due {
                Some(due) => ("缴费期限（申请人）", due),
                None => continue,
            },
            None => ("答复期限", d.final_due),
        };
        let days_left = if due.date >= as_of { cal.working_days_between(as_of, due.date) as i64 } else { -(cal.working_days_between(due.date, as_of) as i64) };
        if let Some(w) = within {
            if days_left > w as i64 {
                continue;
            }
        }
        out.push(DueItem { number: a.number.clone(), what, due, days_left, status: status(a, &d, as_of), summary: a.summary.clone() });
    }
    out.sort_by(|a, b| (a.days_left >= 0, a.days_left, a.due.date, &a.number).cmp(&(b.days_left >= 0, b.days_left, b.due.date, &b.number)));
    out
}

/// The report rules that look at the tables (layout completeness, 表三/表四 arithmetic, the
/// carry-over across years). The others need prose a register does not have.
pub const TABLE_RULES: &[&str] = &["L001", "L002", "L003", "A301", "A302", "A303", "A304", "A305", "A401", "A402", "Y001", "Y005"];

/// Runs `nianbao check` on derived reports (all years of one agency together, so the
/// carry-over rule across years runs too) and returns the findings of the table rules.
pub fn check_reports(reports: &[Report]) -> Vec<nianbao_check::Finding> {
    let docs: Vec<nianbao_parse::ParsedDocument> = reports
        .iter()
        .enumerate()
        .map(|(i, r)| nianbao_parse::ParsedDocument {
            source: Arc::new(Source::new(format!("台账派生-{}-{i}", r.year.unwrap_or(0)), String::new(), None)),
            reports: vec![ParsedReport { report: r.clone(), ..ParsedReport::default() }],
            format: nianbao_parse::decode::Format::Text,
            encoding: "UTF-8",
        })
        .collect();
    let result = nianbao_check::check(&docs);
    result.findings.into_iter().filter(|f| TABLE_RULES.contains(&f.rule)).collect()
}
