//! The 催报通知 from the dashboard and the status board: a letter to each agency of a region
//! that has not published its report of the year (`nianbao_write::reminder`, with the office's
//! settings), in one Word file (each letter on its own page) or, with `format=zip`, one DOCX each
//! in a ZIP.

use crate::auth::Auth;
use crate::{AppState, WebError};
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use nianbao_write::reminder::Reminder;
use serde::Deserialize;

#[derive(Deserialize, Default)]
pub struct ReminderParams {
    #[serde(default)]
    pub year: Option<String>,
    #[serde(default)]
    pub region: Option<i64>,
    /// "zip": one DOCX per agency in a ZIP; else one merged DOCX.
    #[serde(default)]
    pub format: Option<String>,
    /// "1": issue every letter anew under a new 文号.
    #[serde(default)]
    pub new: Option<String>,
}

/// `/reminders?year=&region=`: the 催报通知 to every agency of the region without a report.
pub async fn reminders(State(state): State<AppState>, auth: Auth, Query(p): Query<ReminderParams>) -> Result<Response, WebError> {
    auth.require_office()?;
    let scope = crate::cycle::region_scope(&state, &auth, p.region).await?;
    let year = p.year.as_deref().and_then(|y| y.trim().parse::<i32>().ok()).unwrap_or_else(crate::cycle::year_under_review);
    let settings = crate::letters::settings(&state).await?;
    let date = crate::cycle::china_today().format("%Y-%m-%d").to_string();
    let unpublished: Vec<_> = state.store.status_board(scope, year).await?.into_iter().filter(|r| r.report_id.is_none()).collect();
    if unpublished.is_empty() {
        return Err(WebError::BadRequest(format!("{year} 年度所有机关均已发布年度报告，无需催报")));
    }
    // A reminder says nothing but who and which year: reprinted the same year, it keeps its 文号.
    let requests = unpublished
        .iter()
        .map(|r| nianbao_store::letters::LetterRequest { kind: "reminder".into(), agency_id: r.agency_id, report_year: i64::from(year), content: String::new() })
        .collect();
    let numbers = crate::notice::number_letters(&state, &auth, requests, p.new.as_deref() == Some("1")).await?;
    let letters: Vec<Reminder> = unpublished
        .iter()
        .zip(numbers)
        .map(|(r, n)| Reminder { number: Some(n), ..Reminder::from_settings(&settings, &r.agency, year, &date, None) })
        .collect();
    let internal = |e: nianbao_write::WriteError| WebError::Internal(e.to_string());
    let (bytes, mime, ext) = if p.format.as_deref() == Some("zip") {
        (nianbao_write::reminder::render_reminders_zip(&letters).map_err(internal)?, "application/zip", "zip")
    } else {
        (nianbao_write::reminder::render_reminders_merged(&letters).map_err(internal)?, "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx")
    };
    let name = format!("催报通知-{year}.{ext}");
    let disposition = format!("attachment; filename=\"reminders.{ext}\"; filename*=UTF-8''{}", crate::auth::url_encode(&name));
    Ok(([(header::CONTENT_TYPE, mime.to_string()), (header::CONTENT_DISPOSITION, disposition)], bytes).into_response())
}
