//! The 整改通知 of an agency for a year: its current report's errors and warnings a reviewer
//! confirmed (and, only when asked, those not reviewed yet, which the letter then names), each
//! with its rule, its place in the agency's own terms and the figure it should be, as a DOCX
//! letter ready to send (`nianbao_write::notice`) with the office's settings; and the same for
//! every agency of a region at once.

use crate::auth::Auth;
use crate::pages::load;
use crate::{AppState, WebError};
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use nianbao_store::web::{FindingRow, ReportQuery};
use nianbao_write::notice::{Notice, NoticeItem};
use serde::Deserialize;

#[derive(Debug, Deserialize, Default)]
pub struct NoticeParams {
    /// The report year; missing: the agency's latest.
    #[serde(default)]
    pub year: Option<String>,
    /// "1": also list the findings no reviewer has decided yet (the letter says which).
    #[serde(default)]
    pub unreviewed: Option<String>,
    /// "1": issue the letter anew under a new 文号 even when the same letter was issued before.
    #[serde(default)]
    pub new: Option<String>,
}

/// Where a finding points, in words an agency can follow.
fn place_of(f: &FindingRow, report: &nianbao_model::Report) -> String {
    let layout = report.effective_layout();
    let cells = nianbao_write::place::cells_from_json(&f.cells, layout);
    nianbao_write::place::place_in_agency_terms(&f.rule, &cells, layout, None)
}

/// The 整改通知 of one agency for a year (the latest with a report when `None`), from the
/// office's settings: the findings a reviewer confirmed, and the undecided ones only with
/// `include_unreviewed` (the letter then says which). `Ok(None)` when the agency has no report
/// of that year.
pub async fn build_notice(state: &AppState, auth: &Auth, id: i64, agency: &str, year: Option<i32>, include_unreviewed: bool) -> Result<Option<Notice>, WebError> {
    let q = ReportQuery { scope: auth.user.scope(), agency_id: Some(id), year, sort: Some("-year".into()), limit: 100, ..ReportQuery::default() };
    let (rows, _) = state.store.list_reports(&q).await?;
    // Without a year: the latest year's reports.
    let year = year.map(i64::from).or_else(|| rows.iter().filter_map(|r| r.year).max());
    let rows: Vec<_> = rows.into_iter().filter(|r| year.is_none() || r.year == year).collect();
    if rows.is_empty() {
        return Ok(None);
    }
    let settings = crate::letters::settings(state).await?;
    let date = crate::cycle::china_today().format("%Y-%m-%d").to_string();
    let mut notice = Notice::from_settings(&settings, agency, year, &date, None);
    notice.includes_unreviewed = include_unreviewed;
    for row in &rows {
        let loaded = load(state, auth, row.id).await?;
        if notice.report_title.is_none() {
            notice.report_title = loaded.detail.title.clone();
        }
        let mut findings: Vec<&FindingRow> = loaded.findings.iter().filter(|f| f.severity == "error" || f.severity == "warning").collect();
        // Errors first, then warnings; in each, the order of the report.
        findings.sort_by_key(|f| (f.severity != "error", f.start.unwrap_or(i64::MAX)));
        for f in findings {
            let decision = loaded.decisions.get(&f.key);
            if decision.is_some_and(|d| d.status == "dismissed") {
                notice.dismissed += 1;
                continue;
            }
            // A finding on a cell the reader recovered is a reading doubt until a reviewer
            // confirms it: it is not put to the agency as its error.
            if decision.is_none_or(|d| d.status != "confirmed") && nianbao_check::stored_cells_recovered(&loaded.report, &f.cells) {
                notice.dismissed += 1;
                continue;
            }
            notice.items.push(NoticeItem {
                severity: f.severity.clone(),
                rule: f.rule.clone(),
                title: nianbao_check::catalog::find(&f.rule).map(|m| m.title.to_string()).unwrap_or_default(),
                message: f.message.clone(),
                // On a filled form, also the sheet and cell the agency typed the figure in.
                place: match &f.cell {
                    Some(at) => format!("{}（填报表{at}）", place_of(f, &loaded.report)),
                    None => place_of(f, &loaded.report),
                },
                expected: f.expected.clone(),
                found: f.found.clone(),
                comment: decision.filter(|d| d.status == "confirmed").map(|d| d.comment.clone()).filter(|c| !c.is_empty()),
                confirmed: decision.is_some_and(|d| d.status == "confirmed"),
            });
        }
    }
    Ok(Some(notice))
}

/// A fingerprint of what a 整改通知 says, without its 文号 and date: the same letter
/// downloaded again is recognised in the letter log and keeps its number.
fn fingerprint(n: &Notice) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    let mut put = |s: &str| {
        h.update(s.as_bytes());
        h.update([0x1f]);
    };
    put(&n.agency);
    put(&n.year.map(|y| y.to_string()).unwrap_or_default());
    put(n.report_title.as_deref().unwrap_or(""));
    put(if n.includes_unreviewed { "unreviewed" } else { "confirmed" });
    for i in &n.items {
        for field in [&i.severity, &i.rule, &i.message, &i.place, i.expected.as_deref().unwrap_or(""), i.found.as_deref().unwrap_or(""), i.comment.as_deref().unwrap_or("")] {
            put(field);
        }
        put(if i.confirmed { "1" } else { "0" });
    }
    format!("{:x}", h.finalize())
}

/// Gives each letter its 文号 from the office's sequence of the current (China) year, in order
/// and in one transaction (see `nianbao_store::letters`): `(kind, agency_id, report year,
/// fingerprint)` each; `fresh`: a new number even for a letter issued before.
pub(crate) async fn number_letters(state: &AppState, auth: &Auth, letters: Vec<nianbao_store::letters::LetterRequest>, fresh: bool) -> Result<Vec<String>, WebError> {
    use chrono::Datelike;
    let settings = crate::letters::settings(state).await?;
    let issue_year = crate::cycle::china_today().year();
    let number = move |seq: i64| settings.number(issue_year, u32::try_from(seq).unwrap_or(u32::MAX));
    let issued = state.store.issue_letters(&letters, i64::from(issue_year), Some(auth.user.id), fresh, &number).await?;
    Ok(issued.into_iter().map(|i| i.number).collect())
}

fn notice_request(agency_id: i64, n: &Notice) -> nianbao_store::letters::LetterRequest {
    nianbao_store::letters::LetterRequest { kind: "notice".into(), agency_id, report_year: n.year.unwrap_or(0), content: fingerprint(n) }
}

fn docx_response(name: &str, bytes: Vec<u8>) -> Response {
    let disposition = format!("attachment; filename=\"notice.docx\"; filename*=UTF-8''{}", crate::auth::url_encode(name));
    (
        [(header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.wordprocessingml.document".to_string()), (header::CONTENT_DISPOSITION, disposition)],
        bytes,
    )
        .into_response()
}

pub async fn notice(State(state): State<AppState>, auth: Auth, Path(id): Path<i64>, Query(p): Query<NoticeParams>) -> Result<Response, WebError> {
    auth.require_region(&state, Some(id)).await?;
    let agency = state.store.agency_name(id).await.map_err(|_| WebError::NotFound)?;
    let year = match p.year.as_deref().map(str::trim).filter(|y| !y.is_empty()) {
        Some(y) => Some(y.parse::<i32>().map_err(|_| WebError::BadRequest(format!("年度“{y}”不是有效的年份")))?),
        None => None,
    };
    if !auth.user.is_office() {
        // An agency reads the letter the office returned its report with, and nothing else.
        let returned = match year {
            Some(y) if auth.user.agency_id() == Some(id) => state.store.case_events(id, i64::from(y)).await?.iter().any(|e| e.action == "return"),
            _ => false,
        };
        if !returned {
            return Err(WebError::Forbidden);
        }
    }
    let include_unreviewed = auth.user.is_office() && p.unreviewed.as_deref() == Some("1");
    let Some(mut notice) = build_notice(&state, &auth, id, &agency, year, include_unreviewed).await? else {
        return Err(WebError::BadRequest(match year {
            Some(y) => format!("{agency}没有 {y} 年度的报告，无法生成整改通知"),
            None => format!("{agency}还没有报告，无法生成整改通知"),
        }));
    };
    // Only the office issues a letter anew; an agency reading its letter gets the number it was
    // issued under (or, never issued, the next one: the letter is being delivered).
    let fresh = auth.user.is_office() && p.new.as_deref() == Some("1");
    let numbers = number_letters(&state, &auth, vec![notice_request(id, &notice)], fresh).await?;
    notice.number = numbers.into_iter().next();
    let bytes = nianbao_write::notice::render(&notice).map_err(|e| WebError::Internal(e.to_string()))?;
    let name = format!("整改通知-{}-{}.docx", agency, notice.year.map(|y| y.to_string()).unwrap_or_default());
    Ok(docx_response(&name, bytes))
}

#[derive(Debug, Deserialize, Default)]
pub struct BatchParams {
    #[serde(default)]
    pub year: Option<String>,
    #[serde(default)]
    pub region: Option<i64>,
    #[serde(default)]
    pub unreviewed: Option<String>,
    /// "1": issue every letter anew under a new 文号.
    #[serde(default)]
    pub new: Option<String>,
    /// "merged": one DOCX with every letter (each on a new page) instead of a ZIP.
    #[serde(default)]
    pub format: Option<String>,
}

/// The 整改通知 of every agency of a region with a problem to put to it (a confirmed finding,
/// or an undecided one with `unreviewed=1`): one DOCX each in a ZIP, or one merged DOCX.
pub async fn batch(State(state): State<AppState>, auth: Auth, Query(p): Query<BatchParams>) -> Result<Response, WebError> {
    auth.require_office()?;
    let scope = crate::cycle::region_scope(&state, &auth, p.region).await?;
    let year = p.year.as_deref().and_then(|y| y.trim().parse::<i32>().ok()).unwrap_or_else(crate::cycle::year_under_review);
    let include_unreviewed = p.unreviewed.as_deref() == Some("1");
    let mut notices = Vec::new();
    let mut requests = Vec::new();
    for a in state.store.agencies_in_year(scope, year).await? {
        if a.report_id.is_none() {
            continue;
        }
        let Some(notice) = build_notice(&state, &auth, a.agency_id, &a.agency, Some(year), include_unreviewed).await? else { continue };
        if !notice.listed().is_empty() {
            requests.push(notice_request(a.agency_id, &notice));
            notices.push(notice);
        }
    }
    if notices.is_empty() {
        return Err(WebError::BadRequest(format!("{year} 年度没有经审核确认的问题，无需发出整改通知（可在报告页确认问题，或选择“含未审核问题”）")));
    }
    // Each letter of the batch takes its own number, consecutive in the order of the ZIP.
    let numbers = number_letters(&state, &auth, requests, p.new.as_deref() == Some("1")).await?;
    for (notice, number) in notices.iter_mut().zip(numbers) {
        notice.number = Some(number);
    }
    if p.format.as_deref() == Some("merged") {
        let bytes = nianbao_write::notice::render_merged(&notices).map_err(|e| WebError::Internal(e.to_string()))?;
        return Ok(docx_response(&format!("整改通知-{year}.docx"), bytes));
    }
    let bytes = nianbao_write::notice::render_batch_zip(&notices).map_err(|e| WebError::Internal(e.to_string()))?;
    let name = format!("整改通知-{year}.zip");
    let disposition = format!("attachment; filename=\"notices.zip\"; filename*=UTF-8''{}", crate::auth::url_encode(&name));
    Ok(([(header::CONTENT_TYPE, "application/zip".to_string()), (header::CONTENT_DISPOSITION, disposition)], bytes).into_response())
}
