//! The office's letter settings (发文机关, 文号 pattern, 整改时限, contact, signature), set once by
//! an administrator at `/settings` and stored as one JSON object (`office_settings`) in the
//! shape of `nianbao_write::notice::OfficeSettings`, so the letters read them as they are.

use crate::auth::{Auth, CsrfForm};
use crate::pages::Frame;
use crate::{AppState, WebError};
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;

/// The settings as stored.
pub type Settings = nianbao_write::notice::OfficeSettings;

/// What letters carry before an administrator has set anything: no 文号, 15 days, no contact.
fn unset() -> Settings {
    Settings { office: "政务公开办".into(), number_pattern: String::new(), deadline_days: 15, contact: String::new(), phone: String::new(), signature: String::new() }
}

/// The stored settings, or the defaults when an administrator has not set them.
pub async fn settings(state: &AppState) -> Result<Settings, WebError> {
    Ok(match state.store.office_settings().await? {
        Some(json) => serde_json::from_str(&json).map_err(|e| WebError::Internal(format!("发文设置损坏：{e}")))?,
        None => unset(),
    })
}

#[derive(Template)]
#[template(path = "settings.html")]
pub struct SettingsPage {
    pub frame: Frame,
    pub s: Settings,
    pub notice: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct SettingsParams {
    #[serde(default)]
    pub notice: Option<String>,
}

fn require_admin(auth: &Auth) -> Result<(), WebError> {
    if auth.user.scope().is_none() {
        Ok(())
    } else {
        Err(WebError::AdminOnly)
    }
}

pub async fn settings_page(State(state): State<AppState>, auth: Auth, Query(p): Query<SettingsParams>) -> Result<Html<String>, WebError> {
    require_admin(&auth)?;
    let notice = p.notice.filter(|n| n == "saved").map(|_| "已保存发文设置".to_string());
    Ok(Html(SettingsPage { frame: Frame::of(&auth), s: settings(&state).await?, notice }.render()?))
}

#[derive(Deserialize)]
pub struct SettingsForm {
    #[serde(default)]
    pub office: String,
    #[serde(default)]
    pub number_pattern: String,
    #[serde(default)]
    pub deadline_days: String,
    #[serde(default)]
    pub contact: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub signature: String,
}

pub async fn save_settings(State(state): State<AppState>, f: CsrfForm<SettingsForm>) -> Result<Response, WebError> {
    let CsrfForm { auth, form } = f;
    require_admin(&auth)?;
    let short = |s: &str, n: usize| s.trim().chars().take(n).collect::<String>();
    let days: u32 = form.deadline_days.trim().parse().ok().filter(|d| (1..=365).contains(d)).ok_or_else(|| WebError::BadRequest("整改时限应为 1–365 之间的天数".into()))?;
    let pattern = short(&form.number_pattern, 100);
    if !pattern.is_empty() && !pattern.contains("{seq}") {
        return Err(WebError::BadRequest("文号格式应含序号占位 {seq}，如 某政办函〔{year}〕{seq}号".into()));
    }
    let s = Settings {
        office: short(&form.office, 100),
        number_pattern: pattern,
        deadline_days: days,
        contact: short(&form.contact, 50),
        phone: short(&form.phone, 50),
        signature: short(&form.signature, 500),
    };
    let json = serde_json::to_string(&s).map_err(|e| WebError::Internal(e.to_string()))?;
    state.store.set_office_settings(&json, auth.user.id).await?;
    Ok(Redirect::to("/settings?notice=saved").into_response())
}
