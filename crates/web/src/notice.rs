//! The 整改通知 of an agency for a year: its current report's errors and warnings a reviewer
//! confirmed (and, only when asked, those not reviewed yet, each marked so), each with its rule, its place (table, row and column labels, source line
//! or page) and the figure it should be, as a DOCX letter ready to send (`nianbao_write::notice`).

use crate::auth::Auth;
use crate::pages::load;
use crate::{AppState, WebError};
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use nianbao_model::layout;
use nianbao_store::web::{FindingRow, ReportQuery};
use nianbao_write::notice::{Notice, NoticeItem};
use serde::Deserialize;

#[derive(Debug, Deserialize, Default)]
pub struct NoticeParams {
    /// The report year; missing: the agency's latest.
    #[serde(default)]
    pub year: Option<String>,
    /// "1": also list the findings no reviewer has decided yet (the letter says so for each).
    #[serde(default)]
    pub unreviewed: Option<String>,
}

/// Which findings go into a letter: those a reviewer confirmed, and the undecided ones only on
/// purpose. `None`: left out (counted as not a problem when dismissed).
pub fn letter_status(decision: Option<&nianbao_store::web::Decision>, include_unreviewed: bool) -> Option<&'static str> {
    match decision.map(|d| d.status.as_str()) {
        Some("confirmed") => Some("confirmed"),
        Some("dismissed") => None,
        _ if include_unreviewed => Some("unreviewed"),
        _ => None,
    }
}

/// Where a finding points, in words an agency can follow.
fn place_of(f: &FindingRow, report: &nianbao_model::Report) -> String {
    let layout = report.effective_layout();
    let mut parts: Vec<String> = crate::view::finding_cells(f, layout)
        .into_iter()
        .map(|(t, r, c)| format!("{}·{}", layout::describe_row(t, layout, &r), layout::column_label(t, layout, &r, c)))
        .collect();
    parts.dedup();
    if let Some(line) = f.line {
        parts.push(format!("原文第 {line} 行"));
    }
    if parts.is_empty() {
        "全文".into()
    } else {
        parts.join("\n")
    }
}

pub async fn notice(State(state): State<AppState>, auth: Auth, Path(id): Path<i64>, Query(p): Query<NoticeParams>) -> Result<Response, WebError> {
    auth.require_region(&state, Some(id)).await?;
    let agency = state.store.agency_name(id).await.map_err(|_| WebError::NotFound)?;
    let year = match p.year.as_deref().map(str::trim).filter(|y| !y.is_empty()) {
        Some(y) => Some(y.parse::<i32>().map_err(|_| WebError::BadRequest(format!("年度“{y}”不是有效的年份")))?),
        None => None,
    };
    let q = ReportQuery { scope: auth.user.scope(), agency_id: Some(id), year, sort: Some("-year".into()), limit: 100, ..ReportQuery::default() };
    let (rows, _) = state.store.list_reports(&q).await?;
    // Without a year: the latest year's reports.
    let year = year.map(i64::from).or_else(|| rows.iter().filter_map(|r| r.year).max());
    let rows: Vec<_> = rows.into_iter().filter(|r| year.is_none() || r.year == year).collect();
    if rows.is_empty() {
        return Err(WebError::BadRequest(match year {
            Some(y) => format!("{agency}没有 {y} 年度的报告，无法生成整改通知"),
            None => format!("{agency}还没有报告，无法生成整改通知"),
        }));
    }
    if !auth.user.is_office() {
        // An agency reads the letter the office returned its report with, and nothing else.
        let returned = match year {
            Some(y) if auth.user.agency_id() == Some(id) => state.store.case_events(id, y).await?.iter().any(|e| e.action == "return"),
            _ => false,
        };
        if !returned {
            return Err(WebError::Forbidden);
        }
    }
    let include_unreviewed = auth.user.is_office() && p.unreviewed.as_deref() == Some("1");
    let mut notice = Notice {
        agency: agency.clone(),
        year,
        issuer: auth.user.region_name.clone().unwrap_or_else(|| "政务公开办".into()),
        date: chrono::Local::now().format("%Y-%m-%d").to_string(),
        ..Notice::default()
    };
    for row in &rows {
        let loaded = load(&state, &auth, row.id).await?;
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
            let Some(status) = letter_status(decision, include_unreviewed) else { continue };
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
                place: place_of(f, &loaded.report),
                expected: f.expected.clone(),
                found: f.found.clone(),
                comment: match status {
                    "unreviewed" => Some("（此项尚未经审核确认，请一并核实）".to_string()),
                    _ => decision.map(|d| d.comment.clone()).filter(|c| !c.is_empty()),
                },
            });
        }
    }
    let bytes = nianbao_write::notice::render(&notice).map_err(|e| WebError::Internal(e.to_string()))?;
    let name = format!("整改通知-{}-{}.docx", agency, year.map(|y| y.to_string()).unwrap_or_default());
    let disposition = format!("attachment; filename=\"notice.docx\"; filename*=UTF-8''{}", crate::auth::url_encode(&name));
    Ok((
        [(header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.wordprocessingml.document".to_string()), (header::CONTENT_DISPOSITION, disposition)],
        bytes,
    )
        .into_response())
}
