//! The rectification cycle in the browser (整改闭环): a report's case (status, history,
//! versions and what changed), the reviewer's verdict (通过 / 退回整改), the choice of the
//! current version, decisions on several findings at once, an agency's submission of its
//! pre-checked upload, and the status board of a region.

use crate::auth::{Auth, CsrfForm};
use crate::pages::{Frame, Nothing};
use crate::{AppState, WebError};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use nianbao_model::{layout, Layout, TableId};
use nianbao_store::cases::{self, Changes, Verdict};
use serde::Deserialize;

/// A stored UTC time (`2026-01-15T06:03:00Z`) in China time, as an office writes it:
/// `2026年1月15日 14:03`. Anything else is shown as it is.
pub fn china_time(iso: &str) -> String {
    use chrono::{Datelike, Timelike};
    match chrono::NaiveDateTime::parse_from_str(iso, "%Y-%m-%dT%H:%M:%SZ") {
        Ok(t) => {
            let t = t + chrono::Duration::hours(8);
            format!("{}年{}月{}日 {:02}:{:02}", t.year(), t.month(), t.day(), t.hour(), t.minute())
        }
        Err(_) => iso.to_string(),
    }
}

/// A date as an office writes it: `2027年1月31日`.
pub fn china_date(d: chrono::NaiveDate) -> String {
    use chrono::Datelike;
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

/// Today in China.
pub fn china_today() -> chrono::NaiveDate {
    (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive()
}

pub struct EventView {
    pub at: String,
    pub action: &'static str,
    pub status: &'static str,
    pub user: String,
    pub comment: String,
    pub report_id: Option<i64>,
}

pub struct VersionView {
    pub report_id: i64,
    pub name: String,
    pub format: String,
    pub at: String,
    pub errors: i64,
    pub warnings: i64,
    pub is_current: bool,
    pub draft: bool,
}

/// (place, before, after)
pub type CellChangeView = (String, String, String);

/// A finding of another version: (rule, message).
pub type FindingBrief = (String, String);

pub struct ChangesView {
    pub previous: i64,
    pub cells: Vec<CellChangeView>,
    pub fixed: Vec<FindingBrief>,
    pub remaining: Vec<FindingBrief>,
    pub new: Vec<FindingBrief>,
}

/// What the report page shows of the report's agency-year.
pub struct CaseView {
    pub status_key: String,
    pub status_zh: &'static str,
    pub deadline: String,
    pub events: Vec<EventView>,
    pub versions: Vec<VersionView>,
    pub changes: Option<ChangesView>,
    pub current_id: Option<i64>,
}

fn brief(f: &nianbao_store::web::FindingRow) -> FindingBrief {
    (f.rule.clone(), f.message.clone())
}

fn changes_view(c: Changes, layout: Layout) -> Option<ChangesView> {
    let previous = c.previous?;
    let cells = c
        .cells
        .iter()
        .map(|x| {
            let place = match TableId::from_key(&x.table) {
                Some(t) => format!("{}“{}”列", layout::describe_row(t, layout, &x.row), layout::column_label(t, layout, &x.row, x.column as usize)),
                None => format!("{} {} {}", x.table, x.row, x.column),
            };
            let shown = |v: &Option<String>| match v.as_deref() {
                None => "（无）".to_string(),
                Some("blank") => "（空白）".to_string(),
                Some("slash") => "/".to_string(),
                Some("unreadable") => "（无法识别）".to_string(),
                Some(v) => v.to_string(),
            };
            (place, shown(&x.before), shown(&x.after))
        })
        .collect();
    Some(ChangesView { previous, cells, fixed: c.fixed.iter().map(brief).collect(), remaining: c.remaining.iter().map(brief).collect(), new: c.new.iter().map(brief).collect() })
}

/// The case of a report's agency-year, for the report page (`None` for a report without an
/// agency or year).
pub async fn case_view(state: &AppState, report_id: i64, agency: Option<i64>, agency_name: &str, year: Option<i64>, layout: Layout) -> Result<Option<CaseView>, WebError> {
    let (Some(agency), Some(year)) = (agency, year) else { return Ok(None) };
    let case = state.store.case_of(agency, year).await?;
    let events = state
        .store
        .case_events(agency, year)
        .await?
        .into_iter()
        .map(|e| EventView {
            at: china_time(&e.at),
            action: cases::action_zh(&e.action),
            status: cases::status_zh(Some(&e.status)),
            user: e.user.unwrap_or_else(|| "命令行导入".into()),
            comment: e.comment,
            report_id: e.report_id,
        })
        .collect();
    let versions: Vec<VersionView> = state
        .store
        .versions(agency, year)
        .await?
        .into_iter()
        .map(|v| VersionView {
            report_id: v.report_id,
            name: v.file_name,
            format: v.format.unwrap_or_default().to_uppercase(),
            at: china_time(&v.ingested_at),
            errors: v.errors,
            warnings: v.warnings,
            is_current: v.is_current,
            draft: v.draft,
        })
        .collect();
    let changes = changes_view(state.store.changes(report_id).await?, layout);
    let deadline = cases::deadline_for(agency_name, year as i32).map(china_date).unwrap_or_else(|| "无全国统一期限".into());
    Ok(Some(CaseView {
        status_key: case.as_ref().map(|c| c.status.clone()).unwrap_or_default(),
        status_zh: cases::status_zh(case.as_ref().map(|c| c.status.as_str())),
        deadline,
        events,
        current_id: versions.iter().find(|v| v.is_current).map(|v| v.report_id),
        versions,
        changes,
    }))
}

#[derive(Deserialize)]
pub struct VerdictForm {
    pub verdict: String,
    #[serde(default)]
    pub comment: String,
}

/// 通过 or 退回整改 of the report's agency-year.
pub async fn verdict(State(state): State<AppState>, Path(id): Path<i64>, f: CsrfForm<VerdictForm>) -> Result<Response, WebError> {
    let CsrfForm { auth, form } = f;
    auth.require_office()?;
    let loaded = crate::pages::load(&state, &auth, id).await?;
    let (Some(agency), Some(year)) = (loaded.detail.agency_id, loaded.detail.year) else {
        return Err(WebError::BadRequest("该报告未识别出机关或年度，无法审核".into()));
    };
    let verdict = match form.verdict.as_str() {
        "approve" => Verdict::Approve,
        "return" => Verdict::Return,
        _ => return Err(WebError::BadRequest("审核结论应为 通过 或 退回整改".into())),
    };
    let comment: String = form.comment.trim().chars().take(2000).collect();
    state.store.review_case(agency, year, verdict, &comment, auth.user.id).await?;
    Ok(Redirect::to(&format!("/reports/{id}?notice=verdict#case")).into_response())
}

/// Makes this version the current one of its agency-year.
pub async fn choose(State(state): State<AppState>, Path(id): Path<i64>, f: CsrfForm<Nothing>) -> Result<Response, WebError> {
    f.auth.require_office()?;
    let loaded = crate::pages::load(&state, &f.auth, id).await?;
    state.store.choose_version(loaded.detail.id, f.auth.user.id).await?;
    let _held = state.config.guards().parse.hold().await?;
    state.store.finish_rechecks().await?;
    Ok(Redirect::to(&format!("/reports/{id}?notice=chosen#case")).into_response())
}

/// An agency account submits its pre-checked upload.
pub async fn submit(State(state): State<AppState>, Path(id): Path<i64>, f: CsrfForm<Nothing>) -> Result<Response, WebError> {
    let loaded = crate::pages::load(&state, &f.auth, id).await?;
    // Only the agency itself submits its report (an office's upload is submitted as it is stored).
    if f.auth.user.agency_id().is_none() || loaded.detail.agency_id != f.auth.user.agency_id() {
        return Err(WebError::Forbidden);
    }
    state.store.submit_draft(id, f.auth.user.id).await?;
    let _held = state.config.guards().parse.hold().await?;
    state.store.finish_rechecks().await?;
    Ok(Redirect::to(&format!("/reports/{id}?notice=submitted#case")).into_response())
}

/// Decides several findings of a report at once: `status`, `comment` and one `f` per finding id.
pub async fn decide_batch(State(state): State<AppState>, Path(id): Path<i64>, f: CsrfForm<Vec<(String, String)>>) -> Result<Response, WebError> {
    let CsrfForm { auth, form } = f;
    auth.require_office()?;
    let loaded = crate::pages::load(&state, &auth, id).await?;
    let get = |k: &str| form.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str()).unwrap_or("");
    let status = match get("status") {
        s @ ("confirmed" | "dismissed" | "open") => s.to_string(),
        _ => return Err(WebError::BadRequest("审核结论应为 确认问题、不是问题（误报） 或 撤销".into())),
    };
    let comment: String = get("comment").trim().chars().take(2000).collect();
    let ids: Vec<i64> = form.iter().filter(|(n, _)| n == "f").filter_map(|(_, v)| v.parse().ok()).collect();
    if ids.is_empty() {
        return Err(WebError::BadRequest("请先勾选要审核的问题".into()));
    }
    for fid in &ids {
        let finding = loaded.findings.iter().find(|x| x.id == *fid).ok_or(WebError::NotFound)?;
        state.store.decide(finding, loaded.detail.agency_id, loaded.detail.year, &status, &comment, auth.user.id).await?;
    }
    Ok(Redirect::to(&format!("/reports/{id}?notice=decided#findings")).into_response())
}

#[derive(Deserialize, Default)]
pub struct BoardParams {
    #[serde(default)]
    pub year: Option<String>,
    #[serde(default)]
    pub region: Option<i64>,
    #[serde(default)]
    pub status: Option<String>,
}

pub struct BoardLine {
    pub agency_id: i64,
    pub agency: String,
    pub report_id: Option<i64>,
    pub status_key: String,
    pub status_zh: &'static str,
    pub deadline: String,
    /// Days left until the deadline (negative: past it); empty without a deadline.
    pub days_left: String,
    pub overdue: bool,
    pub errors: i64,
    pub warnings: i64,
    pub updated: String,
}

#[derive(Template)]
#[template(path = "board.html")]
pub struct BoardPage {
    pub frame: Frame,
    pub year: i32,
    pub years: Vec<i64>,
    pub lines: Vec<BoardLine>,
    pub regions: Vec<(i64, String)>,
    pub region_id: Option<i64>,
    pub region: String,
    pub status: String,
    /// (status key, label, count)
    pub counts: Vec<(String, &'static str, usize)>,
    pub countdown: Vec<(String, String, i64)>,
}

impl BoardPage {
    pub fn is_region(&self, id: &i64) -> bool {
        self.region_id == Some(*id)
    }
}

/// The year under review: the reports of last year are due in January–March of this one.
pub fn year_under_review() -> i32 {
    use chrono::Datelike;
    china_today().year() - 1
}

/// The region a page asks for, within the user's own (`None`: everything, administrators only).
pub async fn region_scope(state: &AppState, auth: &Auth, asked: Option<i64>) -> Result<Option<i64>, WebError> {
    Ok(match (auth.user.scope(), asked) {
        (None, r) => r,
        (Some(mine), Some(r)) => {
            if !state.store.in_region(Some(r), Some(mine)).await? {
                return Err(WebError::Forbidden);
            }
            Some(r)
        }
        (Some(mine), None) => Some(mine),
    })
}

/// The deadlines of a year's reports and the days left to each (negative: past): (who, date, days).
pub fn countdown(year: i32) -> Vec<(String, String, i64)> {
    let today = china_today();
    [("部门", 1u32, 31u32), ("县级以上人民政府", 3, 31)]
        .iter()
        .filter_map(|(who, m, d)| chrono::NaiveDate::from_ymd_opt(year + 1, *m, *d).map(|date| (who.to_string(), china_date(date), (date - today).num_days())))
        .collect()
}

/// Every agency of the region with its status, deadline and days left; unpublished first.
pub async fn board(State(state): State<AppState>, auth: Auth, Query(p): Query<BoardParams>) -> Result<Html<String>, WebError> {
    auth.require_office()?;
    let scope = region_scope(&state, &auth, p.region).await?;
    let region = match scope {
        Some(id) => state.store.agency_name(id).await.map_err(|_| WebError::NotFound)?,
        None => "全部".into(),
    };
    let years = state.store.report_years(scope).await?;
    let year = p.year.as_deref().and_then(|y| y.trim().parse::<i32>().ok()).unwrap_or_else(year_under_review);
    let today = china_today();
    let rows = state.store.status_board(scope, year).await?;
    let mut counts: Vec<(String, &'static str, usize)> = ["none", "submitted", "returned", "resubmitted", "approved"]
        .iter()
        .map(|k| (k.to_string(), cases::status_zh(if *k == "none" { None } else { Some(k) }), 0))
        .collect();
    let mut lines = Vec::new();
    for r in rows {
        let key = r.status.clone().unwrap_or_else(|| "none".into());
        if let Some(c) = counts.iter_mut().find(|c| c.0 == key) {
            c.2 += 1;
        }
        if p.status.as_deref().is_some_and(|s| !s.is_empty() && s != key) {
            continue;
        }
        let days = r.deadline.map(|d| (d - today).num_days());
        lines.push(BoardLine {
            agency_id: r.agency_id,
            agency: r.agency,
            report_id: r.report_id,
            status_zh: cases::status_zh(r.status.as_deref()),
            status_key: key,
            deadline: r.deadline.map(china_date).unwrap_or_else(|| "无全国统一期限".into()),
            // Only what is still due counts down.
            days_left: days.filter(|_| r.report_id.is_none()).map(|d| if d >= 0 { format!("{d} 天") } else { format!("已逾期 {} 天", -d) }).unwrap_or_default(),
            overdue: r.report_id.is_none() && days.is_some_and(|d| d < 0),
            errors: r.errors,
            warnings: r.warnings,
            updated: r.updated_at.as_deref().map(china_time).unwrap_or_default(),
        });
    }
    let countdown = countdown(year);
    let regions = state.store.parent_agencies(auth.user.scope()).await?;
    let page = BoardPage { frame: Frame::of(&auth), year, years, lines, regions, region_id: scope, region, status: p.status.unwrap_or_default(), counts, countdown };
    Ok(Html(page.render()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_shown_in_china_time() {
        assert_eq!(china_time("2026-01-15T06:03:00Z"), "2026年1月15日 14:03");
        // Past midnight in China, the day before in UTC.
        assert_eq!(china_time("2026-01-31T17:00:00Z"), "2026年2月1日 01:00");
        assert_eq!(china_time("1970-01-01"), "1970-01-01", "anything else as it is");
    }
}
