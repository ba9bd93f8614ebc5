//! The 整改通知 of an agency for a year: its current reports' errors and warnings that no
//! reviewer dismissed, each with its rule, its place (table, row and column labels, source line
//! or page) and the figure it should be, as a DOCX letter ready to send (`nianbao_write::notice`).

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
}

/// Where a finding points, in words an agency can follow.
fn place_of(f: &FindingRow, report: &nianbao_model::Report) -> String {
    let layout = report.effective_layout();
    let cells = nianbao_write::place::cells_from_json(&f.cells, layout);
    nianbao_write::place::place_in_agency_terms(&f.rule, &cells, layout, None)
}

pub async fn notice(State(state): State<AppState>, auth: Auth, Path(id): Path<i64>, Query(p): Query<NoticeParams>) -> Result<Response, WebError> {
    auth.require_office()?;
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
    let mut notice = Notice {
        agency: agency.clone(),
        year,
        issuer: auth.user.region_name.clone().unwrap_or_else(|| "政务公开办".into()),
        date: chrono::Local::now().format("%Y-%m-%d").to_string(),
        // Open findings are listed too, and the letter says which are not yet confirmed.
        includes_unreviewed: true,
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
                comment: decision.filter(|d| d.status == "confirmed").map(|d| d.comment.clone()),
                confirmed: decision.is_some_and(|d| d.status == "confirmed"),
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
