//! The application register (依申请公开台账) in the workbench (issue 13). An agency account keeps
//! its own agency's register: the list with each application's deadline status, new
//! applications, dated events, each application's computed deadlines and audit trail, and the
//! year's 表三/表四 derived live with the applications behind every cell. The supervising office
//! (administrator, reviewer) sees the registers of the agencies in its region, read-only: every
//! overdue application on one page, and each agency's derived 表三 beside its published report's.
//!
//! All reading and writing goes through `nianbao_register::store` (one transaction per change,
//! refused when it conflicts with the history or changes a locked year). Dates are China's.

use crate::auth::{Auth, CsrfForm};
use crate::pages::{ErrorPage, Frame};
use crate::{AppState, WebError};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::{Datelike, NaiveDate};
use nianbao_calendar::{Calendar, Due};
use nianbao_deadline::{compute, Channel, Settings};
use nianbao_model::layout::{self, Layout, TableId};
use nianbao_model::Report;
use nianbao_register::model::{describe_cell, Consult};
use nianbao_register::store as reg;
use nianbao_register::{ApplicantType, Application, CaseKind, CaseResult, Event, EventKind, Outcome, RegisterError};
use serde::Deserialize;
use sha2::Digest;
use std::collections::{HashMap, HashSet};

/// China Standard Time (UTC+8, no daylight saving).
fn china() -> chrono::FixedOffset {
    chrono::FixedOffset::east_opt(8 * 3600).expect("a valid offset")
}

/// Today in China: the day deadlines are judged on.
pub use crate::cycle::china_today;

/// A stored UTC time (`2026-11-30T03:04:05Z`) as China time (`2026-11-30 11:04:05`).
pub fn china_time(utc: &str) -> String {
    match chrono::DateTime::parse_from_rfc3339(utc) {
        Ok(t) => t.with_timezone(&china()).format("%Y-%m-%d %H:%M:%S").to_string(),
        Err(_) => utc.to_string(),
    }
}

/// What the signed-in user may do with one agency's register.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// The agency's own account: reads and writes.
    Keep,
    /// The supervising office of its region: reads.
    View,
}

/// The agency's name and what the user may do with its register; refused outside the user's
/// own agency (agency accounts) or region (office accounts).
async fn access(state: &AppState, auth: &Auth, agency_id: i64) -> Result<(String, Access), WebError> {
    let access = match auth.user.agency_id() {
        Some(own) if own == agency_id => Access::Keep,
        Some(_) => return Err(WebError::Forbidden),
        None if auth.user.is_office() => {
            auth.require_region(state, Some(agency_id)).await?;
            Access::View
        }
        None => return Err(WebError::Forbidden),
    };
    let name = reg::agency_name(&state.store, agency_id).await.map_err(internal)?.ok_or(WebError::NotFound)?;
    Ok((name, access))
}

/// A register error that is not the user's doing (database, stored data).
fn internal(e: RegisterError) -> WebError {
    match e {
        RegisterError::Store(s) => WebError::Store(s),
        other => WebError::Internal(other.to_string()),
    }
}

/// A refused change: the register's own Chinese message and the status to answer with, or an
/// internal error.
fn refusal(e: RegisterError) -> Result<(StatusCode, String), WebError> {
    match e {
        RegisterError::Conflict { .. } | RegisterError::Duplicate { .. } | RegisterError::Locked { .. } => Ok((StatusCode::CONFLICT, e.to_string())),
        RegisterError::Invalid { .. } | RegisterError::NoApplication { .. } | RegisterError::File { .. } => Ok((StatusCode::BAD_REQUEST, e.to_string())),
        other => Err(internal(other)),
    }
}

/// An error page with our own message.
fn refused(status: StatusCode, message: &str) -> Response {
    let page = ErrorPage { message: message.to_string(), status: status.as_u16() };
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(_) => (status, message.to_string()).into_response(),
    }
}

const VIEW_ONLY: &str = "申请台账由该机关的填报单位账号维护；监督机关只能查看，不能修改";

/// The shipped holiday notices plus those an administrator imported.
async fn calendar(state: &AppState) -> Result<Calendar, WebError> {
    let extra = reg::calendar_notices(&state.store).await.map_err(internal)?;
    if extra.is_empty() {
        Ok(Calendar::builtin().clone())
    } else {
        Calendar::builtin().with_notices(extra).map_err(|e| WebError::Internal(e.to_string()))
    }
}

fn enc(s: &str) -> String {
    serde_urlencoded::to_string([("", s)]).map(|q| q.trim_start_matches('=').to_string()).unwrap_or_default()
}

fn application_link(agency_id: i64, number: &str) -> String {
    format!("/register/{agency_id}/application?number={}", enc(number))
}

const PROVISIONAL_NOTE: &str = "该年度的国务院节假日安排尚未载入，按周一至周五计算，发布后可能变动";

// ---------------------------------------------------------------------------------------------
// The list of applications with their deadline status.

/// One application as the register list shows it.
#[derive(Debug, Clone)]
pub struct AppRow {
    pub number: String,
    pub link: String,
    pub received: NaiveDate,
    pub channel: &'static str,
    pub applicant: &'static str,
    pub summary: String,
    /// 办理中, 逾期, 待补正, 已办结 …
    pub status: &'static str,
    /// `overdue`, `due-soon`, `open`, `waiting` (the applicant's period), `lapsed`, `closed`.
    pub class: &'static str,
    /// Which deadline is shown: 答复期限, 补正期限（申请人）, …
    pub due_what: String,
    pub due: Option<Due>,
    /// Working days left (negative: overdue), for open applications.
    pub days_left: Option<i64>,
    /// In words: 还有 3 个工作日, 已逾期 2 个工作日, 2025-03-20 办结.
    pub days: String,
    /// The outcome label of a concluded application.
    pub outcome: String,
}

impl AppRow {
    pub fn due_text(&self) -> String {
        self.due.map(|d| d.display()).unwrap_or_default()
    }
    pub fn provisional(&self) -> bool {
        self.due.is_some_and(|d| d.provisional)
    }
}

/// The list rows of an agency's applications judged on `today`: open ones first (overdue first,
/// most overdue first, then by how soon they fall due), then the concluded ones, newest first.
pub fn app_rows(cal: &Calendar, agency_id: i64, apps: &[Application], today: NaiveDate) -> Vec<AppRow> {
    let settings = Settings::default();
    let due: HashMap<String, (usize, nianbao_register::DueItem)> =
        nianbao_register::due_list(cal, &settings, apps, today, None).into_iter().enumerate().map(|(i, d)| (d.number.clone(), (i, d))).collect();
    let mut rows: Vec<(usize, AppRow)> = Vec::new();
    for a in apps {
        let mut row = AppRow {
            number: a.number.clone(),
            link: application_link(agency_id, &a.number),
            received: a.received,
            channel: a.channel.zh(),
            applicant: a.applicant_type.zh(),
            summary: a.summary.clone(),
            status: "办理中",
            class: "open",
            due_what: String::new(),
            due: None,
            days_left: None,
            days: String::new(),
            outcome: String::new(),
        };
        let d = compute(cal, &settings, &a.case(), today).ok();
        if let Some(d) = &d {
            row.status = nianbao_register::status(a, d, today);
        }
        let order = if let Some(c) = a.closure() {
            row.class = "closed";
            row.outcome = c.outcome.label();
            row.days = format!("{} 办结", c.date);
            // Newest first, after every open one.
            usize::MAX - (a.received.num_days_from_ce().max(0) as usize)
        } else if let Some((i, item)) = due.get(&a.number) {
            row.due_what = item.what.to_string();
            row.due = Some(item.due);
            row.days_left = Some(item.days_left);
            let n = item.days_left;
            let applicant_period = item.what.contains("（申请人）");
            let lapsed = item.what.contains("已过");
            row.class = if lapsed {
                "lapsed"
            } else if applicant_period {
                "waiting"
            } else if n < 0 {
                "overdue"
            } else if n <= 5 {
                "due-soon"
            } else {
                "open"
            };
            row.days = match n {
                n if n < 0 && row.class == "overdue" => format!("已逾期 {} 个工作日", -n),
                n if n < 0 => format!("已过 {} 个工作日", -n),
                0 => "今天到期".to_string(),
                n => format!("还有 {n} 个工作日"),
            };
            *i
        } else {
            // Awaiting a correction with no period recorded: nothing runs.
            row.class = "waiting";
            apps.len()
        };
        rows.push((order, row));
    }
    rows.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.number.cmp(&b.1.number)));
    rows.into_iter().map(|(_, r)| r).collect()
}

/// `app_rows` off the async runtime: a register of thousands of applications takes a noticeable
/// time to judge, and must not hold up the server's other requests. The applications are handed
/// back.
async fn rows_off_runtime(cal: std::sync::Arc<Calendar>, agency_id: i64, apps: Vec<Application>, today: NaiveDate) -> Result<(Vec<Application>, Vec<AppRow>), WebError> {
    tokio::task::spawn_blocking(move || {
        let rows = app_rows(&cal, agency_id, &apps, today);
        (apps, rows)
    })
    .await
    .map_err(|e| WebError::Internal(format!("台账计算失败：{e}")))
}

#[derive(Debug, Deserialize, Default, Clone)]
pub struct ListParams {
    #[serde(default)]
    pub year: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub notice: Option<String>,
    #[serde(default)]
    pub page: Option<usize>,
    /// After an import: what it did.
    #[serde(default)]
    pub created: Option<usize>,
    #[serde(default)]
    pub replaced: Option<usize>,
    #[serde(default)]
    pub unchanged: Option<usize>,
}

/// Applications per page of the list.
pub const PAGE_SIZE: usize = 200;

impl ListParams {
    fn year(&self) -> Option<i32> {
        self.year.as_deref().and_then(|y| y.trim().parse().ok())
    }
}

/// The new-application form as typed (kept to fill the form again when it is refused).
#[derive(Debug, Deserialize, Default, Clone)]
pub struct AppForm {
    #[serde(default)]
    pub number: String,
    #[serde(default)]
    pub received: String,
    #[serde(default)]
    pub channel: String,
    #[serde(default)]
    pub applicant_type: String,
    #[serde(default)]
    pub applicant: String,
    #[serde(default)]
    pub summary: String,
}

/// The earliest receipt date accepted: the first 条例 took effect on 2008-05-01.
fn first_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2008, 5, 1).expect("valid date")
}

fn parse_day(text: &str, what: &str, today: NaiveDate) -> Result<NaiveDate, String> {
    let t = text.trim();
    if t.is_empty() {
        return Err(format!("请填写{what}"));
    }
    let d = nianbao_calendar::parse_date(t).ok_or_else(|| format!("{what}“{t}”无法识别，应为 2026-03-05 这样的日期"))?;
    if d > today {
        return Err(format!("{what} {d} 晚于今天（{today}），不能预先登记"));
    }
    if d < first_day() {
        return Err(format!("{what} {d} 早于《政府信息公开条例》施行之日 2008-05-01"));
    }
    Ok(d)
}

fn clean(text: &str, what: &str, max: usize) -> Result<String, String> {
    let t = text.trim();
    if t.chars().count() > max {
        return Err(format!("{what}过长（最多 {max} 个字）"));
    }
    if t.chars().any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t') {
        return Err(format!("{what}含有控制字符"));
    }
    Ok(t.to_string())
}

/// The application a form describes, or a Chinese message saying what is wrong.
pub fn parse_app_form(f: &AppForm, today: NaiveDate) -> Result<Application, String> {
    let number = clean(&f.number, "申请编号", 64)?;
    if number.is_empty() {
        return Err("请填写申请编号（本机关的登记号）".into());
    }
    if number.chars().any(char::is_whitespace) {
        return Err(format!("申请编号“{number}”不能含有空格"));
    }
    let received = parse_day(&f.received, "收到申请日期", today)?;
    let channel = Channel::from_key(f.channel.trim()).ok_or("请选择申请方式")?;
    let applicant_type = ApplicantType::ALL.into_iter().find(|t| t.key() == f.applicant_type.trim()).ok_or("请选择申请人类型（表三的六类之一）")?;
    let mut app = Application::new(number, applicant_type, channel, received);
    let applicant = clean(&f.applicant, "申请人", 100)?;
    app.applicant = (!applicant.is_empty()).then_some(applicant);
    app.summary = clean(&f.summary, "申请内容摘要", 2000)?;
    Ok(app)
}

#[derive(Template)]
#[template(path = "register_list.html")]
pub struct ListPage {
    pub frame: Frame,
    pub agency_id: i64,
    pub agency: String,
    pub keep: bool,
    pub rows: Vec<AppRow>,
    /// Applications matching the filters (all pages).
    pub shown: usize,
    pub page: usize,
    pub pages: usize,
    pub total: usize,
    pub open: usize,
    pub overdue: usize,
    pub years: Vec<i32>,
    pub year: String,
    pub status: String,
    pub table_year: i32,
    pub today: NaiveDate,
    pub notice: String,
    pub error: String,
    pub form: AppForm,
    pub channels: Vec<(&'static str, &'static str)>,
    pub applicant_types: Vec<(&'static str, &'static str)>,
}

impl ListPage {
    /// The list's query string for another page, with the same filters.
    pub fn page_link(&self, page: usize) -> String {
        let mut pairs: Vec<(&str, String)> = Vec::new();
        if !self.year.is_empty() {
            pairs.push(("year", self.year.clone()));
        }
        if !self.status.is_empty() {
            pairs.push(("status", self.status.clone()));
        }
        pairs.push(("page", page.to_string()));
        serde_urlencoded::to_string(pairs).unwrap_or_default()
    }
}

async fn list_page(state: &AppState, auth: &Auth, agency_id: i64, params: &ListParams, error: String, form: AppForm) -> Result<ListPage, WebError> {
    let (agency, access) = access(state, auth, agency_id).await?;
    let apps = reg::load(&state.store, agency_id).await.map_err(internal)?;
    let cal = std::sync::Arc::new(calendar(state).await?);
    let today = china_today();
    let (apps, all) = rows_off_runtime(cal, agency_id, apps, today).await?;
    let total = all.len();
    let open = all.iter().filter(|r| r.class != "closed").count();
    let overdue = all.iter().filter(|r| r.class == "overdue").count();
    let mut years: Vec<i32> = apps.iter().map(|a| a.received.year()).chain(std::iter::once(today.year())).collect::<HashSet<_>>().into_iter().collect();
    years.sort_unstable_by(|a, b| b.cmp(a));
    let year = params.year();
    let status = params.status.clone().unwrap_or_default();
    let rows: Vec<AppRow> = all
        .into_iter()
        .filter(|r| year.is_none_or(|y| r.received.year() == y))
        .filter(|r| match status.as_str() {
            "open" => r.class != "closed",
            "overdue" => r.class == "overdue",
            "due" => matches!(r.class, "overdue" | "due-soon"),
            "closed" => r.class == "closed",
            _ => true,
        })
        .collect();
    let shown = rows.len();
    let pages = shown.div_ceil(PAGE_SIZE).max(1);
    let page = params.page.unwrap_or(1).clamp(1, pages);
    let rows: Vec<AppRow> = rows.into_iter().skip((page - 1) * PAGE_SIZE).take(PAGE_SIZE).collect();
    let notice = match params.notice.as_deref() {
        Some("added") => "已登记申请".to_string(),
        Some("imported") => format!("已从 Excel 导入：新增 {} 件，更新 {} 件，未变化 {} 件", params.created.unwrap_or(0), params.replaced.unwrap_or(0), params.unchanged.unwrap_or(0)),
        _ => String::new(),
    };
    let mut form = form;
    if form.received.is_empty() {
        form.received = today.to_string();
    }
    Ok(ListPage {
        frame: Frame::of(auth),
        agency_id,
        agency,
        keep: access == Access::Keep,
        shown,
        page,
        pages,
        rows,
        total,
        open,
        overdue,
        years,
        year: year.map(|y| y.to_string()).unwrap_or_default(),
        status,
        table_year: year.unwrap_or(today.year()),
        today,
        notice,
        error,
        form,
        channels: Channel::ALL.iter().map(|c| (c.key(), c.zh())).collect(),
        applicant_types: ApplicantType::ALL.iter().map(|t| (t.key(), t.zh())).collect(),
    })
}

/// `GET /register/{agency}`: the agency's register.
pub async fn list(State(state): State<AppState>, auth: Auth, Path(agency_id): Path<i64>, Query(params): Query<ListParams>) -> Result<Html<String>, WebError> {
    Ok(Html(list_page(&state, &auth, agency_id, &params, String::new(), AppForm::default()).await?.render()?))
}

/// `POST /register/{agency}/applications`: a new application.
pub async fn add_application(State(state): State<AppState>, Path(agency_id): Path<i64>, f: CsrfForm<AppForm>) -> Result<Response, WebError> {
    let CsrfForm { auth, form } = f;
    let (agency, access) = access(&state, &auth, agency_id).await?;
    if access != Access::Keep {
        return Ok(refused(StatusCode::FORBIDDEN, VIEW_ONLY));
    }
    let (status, message) = match parse_app_form(&form, china_today()) {
        Ok(app) => match reg::add_application_to(&state.store, agency_id, &agency, &app, &auth.user.name).await {
            Ok(()) => return Ok(Redirect::to(&format!("{}&notice=added", application_link(agency_id, &app.number))).into_response()),
            Err(e) => refusal(e)?,
        },
        Err(m) => (StatusCode::BAD_REQUEST, m),
    };
    let page = list_page(&state, &auth, agency_id, &ListParams::default(), message, form).await?;
    Ok((status, Html(page.render()?)).into_response())
}

fn xlsx_download(file: &str, bytes: Vec<u8>) -> Response {
    let disposition = format!("attachment; filename=\"register.xlsx\"; filename*=UTF-8''{}", crate::auth::url_encode(file));
    (
        [(axum::http::header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string()), (axum::http::header::CONTENT_DISPOSITION, disposition)],
        bytes,
    )
        .into_response()
}

/// `GET /register/{agency}/template`: the blank register workbook (Chinese headers, input lists).
pub async fn template(State(state): State<AppState>, auth: Auth, Path(agency_id): Path<i64>) -> Result<Response, WebError> {
    access(&state, &auth, agency_id).await?;
    Ok(xlsx_download("申请台账模板.xlsx", nianbao_register::xlsx::template().map_err(internal)?))
}

/// `POST /register/{agency}/import` (multipart: `csrf`, `file`): an Excel register the agency
/// kept so far. Nothing is imported unless every row of the workbook is valid; the bad rows are
/// named by sheet, row and column. Numbers already in the register are updated (their earlier
/// record stays in the trail).
pub async fn import(State(state): State<AppState>, auth: Auth, Path(agency_id): Path<i64>, mut multipart: axum::extract::Multipart) -> Result<Response, WebError> {
    let mut csrf: Option<String> = None;
    let mut file: Option<(String, Vec<u8>)> = None;
    let mut too_large = false;
    while let Some(mut field) = multipart.next_field().await.map_err(|e| WebError::BadRequest(e.body_text()))? {
        match field.name().unwrap_or("") {
            "csrf" => csrf = Some(field.text().await.map_err(|e| WebError::BadRequest(e.body_text()))?),
            "file" => {
                let name: String = field.file_name().unwrap_or("").chars().filter(|c| !c.is_control()).take(200).collect();
                let mut bytes = Vec::new();
                while let Some(chunk) = field.chunk().await.map_err(|e| WebError::BadRequest(e.body_text()))? {
                    if bytes.len() + chunk.len() > crate::MAX_FILE_BYTES {
                        too_large = true;
                        continue;
                    }
                    bytes.extend_from_slice(&chunk);
                }
                if !name.is_empty() || !bytes.is_empty() {
                    file = Some((name, bytes));
                }
            }
            _ => {}
        }
    }
    // Nothing is read or stored before the CSRF token is checked.
    auth.check_csrf(csrf.as_deref())?;
    let (agency, access) = access(&state, &auth, agency_id).await?;
    if access != Access::Keep {
        return Ok(refused(StatusCode::FORBIDDEN, VIEW_ONLY));
    }
    let result: Result<reg::ImportSummary, (StatusCode, String)> = async {
        if too_large {
            return Err((StatusCode::PAYLOAD_TOO_LARGE, "文件超过 20 MB，未导入".to_string()));
        }
        let Some((name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
            return Err((StatusCode::BAD_REQUEST, "请选择要导入的 Excel 台账文件（.xlsx）".to_string()));
        };
        let name = if name.is_empty() { "台账.xlsx".to_string() } else { name };
        let (file_name, data) = (name.clone(), bytes.clone());
        let parsed = tokio::task::spawn_blocking(move || nianbao_register::xlsx::read_register(&file_name, &data))
            .await
            .map_err(|e| (StatusCode::INTERNAL_SERVER_ERROR, format!("台账读取失败：{e}")))?;
        let parsed = match parsed {
            Ok(p) => p,
            Err(e) => return Err(refusal(e).unwrap_or_else(|w| (w.status(), w.public_message()))),
        };
        if !parsed.bad.is_empty() {
            let n = parsed.errors().count();
            let mut list: Vec<String> = parsed.errors().take(20).map(|e| e.to_string()).collect();
            if n > 20 {
                list.push(format!("……共 {n} 处错误"));
            }
            return Err((StatusCode::BAD_REQUEST, format!("{name}：{} 行有错误，未导入任何记录。{}", parsed.bad.len(), list.join("；"))));
        }
        if parsed.applications.is_empty() {
            return Err((StatusCode::BAD_REQUEST, format!("{name}：没有找到可导入的申请")));
        }
        let apps: Vec<Application> = parsed.applications.into_iter().map(|(a, _, _)| a).collect();
        let sha: String = sha2::Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect();
        reg::import(&state.store, &agency, &name, &sha, &apps, 0, &auth.user.name).await.map_err(|e| refusal(e).unwrap_or_else(|w| (w.status(), w.public_message())))
    }
    .await;
    match result {
        Ok(s) => Ok(Redirect::to(&format!("/register/{agency_id}?notice=imported&created={}&replaced={}&unchanged={}", s.created, s.replaced, s.unchanged)).into_response()),
        Err((status, message)) => {
            let page = list_page(&state, &auth, agency_id, &ListParams::default(), message, AppForm::default()).await?;
            Ok((status, Html(page.render()?)).into_response())
        }
    }
}

/// `GET /register/{agency}/export`: the register as XLSX with the deadlines computed today
/// (the same workbook as `nianbao register export`), for the agency and its office.
pub async fn export(State(state): State<AppState>, auth: Auth, Path(agency_id): Path<i64>) -> Result<Response, WebError> {
    let (agency, _) = access(&state, &auth, agency_id).await?;
    let apps = reg::load(&state.store, agency_id).await.map_err(internal)?;
    let cal = calendar(&state).await?;
    let today = china_today();
    let name = agency.clone();
    let bytes = tokio::task::spawn_blocking(move || nianbao_register::xlsx::export(&name, &apps, &cal, &Settings::default(), today))
        .await
        .map_err(|e| WebError::Internal(format!("台账导出失败：{e}")))?
        .map_err(internal)?;
    Ok(xlsx_download(&format!("{agency}-申请台账-{today}.xlsx"), bytes))
}

// ---------------------------------------------------------------------------------------------
// One application: deadlines, events, audit trail, new events.

/// The event kinds a form can record, with their labels.
pub const EVENT_KINDS: &[(&str, &str)] = &[
    ("correction_requested", "发出补正通知"),
    ("correction_received", "收到补正"),
    ("correction_lapsed", "逾期未补正（视为放弃申请）"),
    ("consultation_started", "开始征求意见"),
    ("consultation_ended", "征求意见结束"),
    ("extension_approved", "批准延期答复"),
    ("fee_notice", "发出收费通知"),
    ("fee_paid", "申请人缴费"),
    ("fee_lapsed", "逾期未缴费（视为放弃申请）"),
    ("reason_requested", "要求申请人说明理由（第三十五条）"),
    ("later_date_set", "确定延后答复期限（第三十五条）"),
    ("replied", "答复（选择办理结果）"),
    ("supplementary_reply", "补充答复"),
    ("withdrawn", "申请人撤回申请"),
    ("case_filed", "申请人提起行政复议或行政诉讼"),
    ("case_decided", "行政复议或行政诉讼结案"),
];

/// The new-event form as typed.
#[derive(Debug, Deserialize, Default, Clone)]
pub struct EventForm {
    #[serde(default)]
    pub number: String,
    #[serde(default)]
    pub date: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub outcome: String,
    #[serde(default)]
    pub days: String,
    #[serde(default)]
    pub approver: String,
    #[serde(default)]
    pub period_days: String,
    #[serde(default)]
    pub with: String,
    #[serde(default)]
    pub amount: String,
    #[serde(default)]
    pub until: String,
    #[serde(default)]
    pub case: String,
    #[serde(default)]
    pub result: String,
}

fn consult_of(s: &str) -> Result<Consult, String> {
    match s.trim() {
        "third_party" => Ok(Consult::ThirdParty),
        "other_organ" => Ok(Consult::OtherOrgan),
        _ => Err("请选择征求意见的对象（第三方或其他机关）".into()),
    }
}

fn case_of(s: &str) -> Result<CaseKind, String> {
    CaseKind::ALL.into_iter().find(|k| k.row_key() == s.trim()).ok_or_else(|| "请选择案件类型（行政复议、直接起诉或复议后起诉）".to_string())
}

fn working_days(s: &str, what: &str, max: u32) -> Result<u32, String> {
    match s.trim().parse::<u32>() {
        Ok(n) if (1..=max).contains(&n) => Ok(n),
        _ => Err(format!("{what}应为 1 到 {max} 之间的整数个工作日")),
    }
}

/// The event a form describes, or a Chinese message saying what is wrong.
pub fn parse_event_form(f: &EventForm, today: NaiveDate) -> Result<Event, String> {
    let date = parse_day(&f.date, "事件日期", today)?;
    let kind = match f.kind.trim() {
        "correction_requested" => EventKind::CorrectionRequested {
            period_days: if f.period_days.trim().is_empty() { None } else { Some(working_days(&f.period_days, "补正期限", 60)?) },
        },
        "correction_received" => EventKind::CorrectionReceived,
        "correction_lapsed" => EventKind::CorrectionLapsed,
        "consultation_started" => EventKind::ConsultationStarted { with: consult_of(&f.with)? },
        "consultation_ended" => EventKind::ConsultationEnded { with: consult_of(&f.with)? },
        "extension_approved" => {
            let approver = clean(&f.approver, "批准人", 50)?;
            EventKind::ExtensionApproved { days: working_days(&f.days, "延长的期限", 60)?, approver: (!approver.is_empty()).then_some(approver) }
        }
        "fee_notice" => {
            let t = f.amount.trim();
            let amount_yuan = if t.is_empty() {
                None
            } else {
                match t.parse::<f64>() {
                    Ok(v) if v.is_finite() && (0.0..1e9).contains(&v) => Some(v),
                    _ => return Err(format!("收费金额“{t}”应为非负的数字（元）")),
                }
            };
            EventKind::FeeNotice { amount_yuan }
        }
        "fee_paid" => EventKind::FeePaid,
        "fee_lapsed" => EventKind::FeeLapsed,
        "reason_requested" => EventKind::ReasonRequested,
        "later_date_set" => {
            let t = f.until.trim();
            let until = nianbao_calendar::parse_date(t).ok_or_else(|| if t.is_empty() { "请填写确定的答复期限".to_string() } else { format!("答复期限“{t}”无法识别") })?;
            EventKind::LaterDateSet { until }
        }
        "replied" => EventKind::Replied { outcome: Outcome::from_key(f.outcome.trim()).ok_or("答复须选择一个办理结果（表三的一行）")? },
        "supplementary_reply" => EventKind::SupplementaryReply,
        "withdrawn" => EventKind::Withdrawn,
        "case_filed" => EventKind::CaseFiled { case: case_of(&f.case)? },
        "case_decided" => {
            let result = match f.result.trim() {
                "upheld" => CaseResult::Upheld,
                "corrected" => CaseResult::Corrected,
                "other" => CaseResult::Other,
                _ => return Err("请选择结案结果（维持、纠正或其他）".into()),
            };
            EventKind::CaseDecided { case: case_of(&f.case)?, result }
        }
        "" => return Err("请选择事件类型".into()),
        other => return Err(format!("未知的事件类型“{other}”")),
    };
    Ok(Event::new(date, kind))
}

/// What an event adds to its name: the outcome, the days, whom it concerns.
pub fn event_detail(k: &EventKind) -> String {
    match k {
        EventKind::CorrectionRequested { period_days: Some(n) } => format!("补正期限 {n} 个工作日"),
        EventKind::ConsultationStarted { with } | EventKind::ConsultationEnded { with } => format!("征求{}意见", with.zh()),
        EventKind::ExtensionApproved { days, approver } => match approver {
            Some(a) => format!("延长 {days} 个工作日，批准人：{a}"),
            None => format!("延长 {days} 个工作日（未记录批准人）"),
        },
        EventKind::FeeNotice { amount_yuan: Some(v) } => format!("金额 {v} 元"),
        EventKind::LaterDateSet { until } => format!("答复期限定为 {until}"),
        EventKind::Replied { outcome } => outcome.label(),
        EventKind::CorrectionLapsed | EventKind::FeeLapsed | EventKind::Withdrawn => k.final_outcome().map(Outcome::label).unwrap_or_default(),
        EventKind::CaseFiled { case } => case.zh().to_string(),
        EventKind::CaseDecided { case, result } => format!("{}，结果{}", case.zh(), result.zh()),
        _ => String::new(),
    }
}

/// One computed deadline as shown.
pub struct DeadlineRow {
    pub label: &'static str,
    pub value: String,
    pub provisional: bool,
    pub main: bool,
}

pub struct EventRow {
    pub date: NaiveDate,
    pub what: &'static str,
    pub detail: String,
}

pub struct HistoryRow {
    pub id: i64,
    /// An event that is still in effect: it can be withdrawn.
    pub retractable: bool,
    pub action: &'static str,
    pub content: String,
    pub who: String,
    pub when: String,
    pub retracted: bool,
}

pub struct FindingRow {
    pub code: &'static str,
    pub error: bool,
    pub title: &'static str,
    pub message: String,
}

#[derive(Template)]
#[template(path = "register_application.html")]
pub struct ApplicationPage {
    pub frame: Frame,
    pub agency_id: i64,
    pub agency: String,
    pub keep: bool,
    pub app: Application,
    pub channel: &'static str,
    pub applicant_type: &'static str,
    pub status: &'static str,
    pub status_class: &'static str,
    pub days: String,
    pub deadlines: Vec<DeadlineRow>,
    pub events: Vec<EventRow>,
    pub history: Vec<HistoryRow>,
    pub findings: Vec<FindingRow>,
    pub today: NaiveDate,
    pub notice: String,
    pub error: String,
    pub form: EventForm,
    pub kinds: &'static [(&'static str, &'static str)],
    /// (group, [(key, label)]) of the 21 outcome rows of 表三.
    pub outcomes: Vec<(String, Vec<(&'static str, String)>)>,
    pub cases: Vec<(&'static str, &'static str)>,
    pub provisional_note: &'static str,
}

/// The 21 outcome codes grouped as 表三 prints them.
fn outcome_groups() -> Vec<(String, Vec<(&'static str, String)>)> {
    let mut out: Vec<(String, Vec<(&'static str, String)>)> = Vec::new();
    for (o, def) in Outcome::ALL.iter().zip(layout::outcome_rows(Layout::L2021)) {
        let group = def.group.filter(|g| !g.starts_with('三')).unwrap_or("").to_string();
        let label = o.label();
        match out.last_mut() {
            Some((g, items)) if *g == group && !group.is_empty() => items.push((o.key(), label)),
            _ => out.push((group, vec![(o.key(), label)])),
        }
    }
    out
}

#[derive(Debug, Deserialize, Default)]
pub struct AppParams {
    #[serde(default)]
    pub number: String,
    #[serde(default)]
    pub notice: Option<String>,
}

fn history_rows(log: &[reg::LogEntry]) -> Vec<HistoryRow> {
    let retracted: HashSet<i64> = log
        .iter()
        .filter(|l| l.action == "retract")
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(&l.data).ok()?["log_id"].as_i64())
        .collect();
    log.iter()
        .map(|l| {
            let (action, content) = match l.action.as_str() {
                "record" => match serde_json::from_str::<Application>(&l.data) {
                    Ok(a) => (
                        "登记申请",
                        format!("{} 收到，{}，{}{}{}", a.received, a.channel.zh(), a.applicant_type.zh(), if a.events.is_empty() { String::new() } else { format!("，含 {} 个事件", a.events.len()) }, if a.summary.is_empty() { String::new() } else { format!("：{}", a.summary) }),
                    ),
                    Err(_) => ("登记申请", String::new()),
                },
                "event" => match serde_json::from_str::<Event>(&l.data) {
                    Ok(e) => {
                        let d = event_detail(&e.kind);
                        ("记录事件", format!("{} {}{}", e.date, e.kind.zh(), if d.is_empty() { String::new() } else { format!("：{d}") }))
                    }
                    Err(_) => ("记录事件", String::new()),
                },
                "retract" => ("撤销记录", serde_json::from_str::<serde_json::Value>(&l.data).ok().and_then(|v| v["log_id"].as_i64()).map(|id| format!("撤销第 {id} 条记录")).unwrap_or_default()),
                _ => ("其他", String::new()),
            };
            let gone = retracted.contains(&l.id);
            HistoryRow { id: l.id, retractable: l.action == "event" && !gone, action, content, who: l.recorded_by.clone(), when: china_time(&l.recorded_at), retracted: gone }
        })
        .collect()
}

async fn application_page(state: &AppState, auth: &Auth, agency_id: i64, number: &str, notice: String, error: String, form: EventForm) -> Result<ApplicationPage, WebError> {
    let (agency, access) = access(state, auth, agency_id).await?;
    let apps = reg::load(&state.store, agency_id).await.map_err(internal)?;
    let app = apps.into_iter().find(|a| a.number == number).ok_or(WebError::NotFound)?;
    let history = reg::history_of(&state.store, agency_id, &agency, number).await.map_err(internal)?;
    let cal = calendar(state).await?;
    let today = china_today();
    let settings = Settings::default();
    let row = app_rows(&cal, agency_id, std::slice::from_ref(&app), today).pop();
    let mut deadlines = Vec::new();
    if let Ok(d) = compute(&cal, &settings, &app.case(), today) {
        let mut push = |label: &'static str, due: Due, main: bool| deadlines.push(DeadlineRow { label, value: due.display(), provisional: due.provisional, main });
        push("补正通知期限（收到申请后 7 个工作日）", d.correction_notice_due, false);
        if let Some(c) = d.correction_due {
            push("申请人补正期限", c, false);
        }
        push("答复期限（不含延期）", d.reply_due, false);
        if d.extension_days > 0 {
            push("延期后的答复期限", d.extended_due, false);
        }
        push("最长答复期限（含最多可延长的期限）", d.max_due, false);
        if let Some(p) = d.fee_payment_due {
            push("缴费期限（申请人）", p, false);
        }
        push("应答复期限", d.final_due, true);
        deadlines.insert(0, DeadlineRow { label: "适用条例", value: d.regime.zh().to_string(), provisional: false, main: false });
        let day0 = if d.day0 == app.received { d.day0.to_string() } else { format!("{}（收到补正之日，重新起算）", d.day0) };
        deadlines.insert(1, DeadlineRow { label: "起算日（第 0 日）", value: day0, provisional: false, main: false });
        if d.extension_days > 0 {
            deadlines.push(DeadlineRow { label: "计入的延期", value: format!("{} 个工作日", d.extension_days), provisional: false, main: false });
        }
        if d.excluded_days > 0 || d.suspended {
            let mut v = format!("{} 个工作日（征求意见、缴费期间不计入）", d.excluded_days);
            if d.suspended {
                v.push_str("；目前暂停计算，期限按今天结束暂停计算");
            }
            deadlines.push(DeadlineRow { label: "不计入的工作日", value: v, provisional: false, main: false });
        }
    }
    let findings = nianbao_register::rules::check_applications(&cal, &settings, std::slice::from_ref(&app), today)
        .into_iter()
        .map(|f| FindingRow {
            code: f.rule,
            error: f.severity == nianbao_check::Severity::Error,
            title: nianbao_register::rules::rule(f.rule).map(|r| r.title).unwrap_or(""),
            message: f.message,
        })
        .collect();
    let events = app.events.iter().map(|e| EventRow { date: e.date, what: e.kind.zh(), detail: event_detail(&e.kind) }).collect();
    let notice = match notice.as_str() {
        "added" => "已登记申请，可以继续记录事件".to_string(),
        "event" => "已记录事件".to_string(),
        "retracted" => "已撤销该记录（仍保留在记录历史中）".to_string(),
        _ => String::new(),
    };
    let mut form = form;
    if form.date.is_empty() {
        form.date = today.to_string();
    }
    let (status, status_class, mut days) = row.map(|r| (r.status, r.class, r.days)).unwrap_or(("办理中", "open", String::new()));
    if let Some(c) = app.closure() {
        days = format!("{}，{}", c.date, c.outcome.label());
    }
    Ok(ApplicationPage {
        frame: Frame::of(auth),
        agency_id,
        agency,
        keep: access == Access::Keep,
        channel: app.channel.zh(),
        applicant_type: app.applicant_type.zh(),
        app,
        status,
        status_class,
        days,
        deadlines,
        events,
        history: history_rows(&history),
        findings,
        today,
        notice,
        error,
        form,
        kinds: EVENT_KINDS,
        outcomes: outcome_groups(),
        cases: CaseKind::ALL.iter().map(|k| (k.row_key(), k.zh())).collect(),
        provisional_note: PROVISIONAL_NOTE,
    })
}

/// `GET /register/{agency}/application?number=…`: one application.
pub async fn application(State(state): State<AppState>, auth: Auth, Path(agency_id): Path<i64>, Query(p): Query<AppParams>) -> Result<Html<String>, WebError> {
    let page = application_page(&state, &auth, agency_id, &p.number, p.notice.unwrap_or_default(), String::new(), EventForm::default()).await?;
    Ok(Html(page.render()?))
}

/// `POST /register/{agency}/events`: a dated event of one application.
pub async fn add_event(State(state): State<AppState>, Path(agency_id): Path<i64>, f: CsrfForm<EventForm>) -> Result<Response, WebError> {
    let CsrfForm { auth, form } = f;
    let (agency, access) = access(&state, &auth, agency_id).await?;
    if access != Access::Keep {
        return Ok(refused(StatusCode::FORBIDDEN, VIEW_ONLY));
    }
    let number = form.number.trim().to_string();
    let (status, message) = match parse_event_form(&form, china_today()) {
        Ok(event) => match reg::add_event_to(&state.store, agency_id, &agency, &number, event, &auth.user.name).await {
            Ok(_) => return Ok(Redirect::to(&format!("{}&notice=event", application_link(agency_id, &number))).into_response()),
            Err(RegisterError::NoApplication { .. }) => return Err(WebError::NotFound),
            Err(e) => refusal(e)?,
        },
        Err(m) => (StatusCode::BAD_REQUEST, m),
    };
    let page = application_page(&state, &auth, agency_id, &number, String::new(), message, form).await?;
    Ok((status, Html(page.render()?)).into_response())
}

#[derive(Debug, Deserialize, Default)]
pub struct RetractForm {
    #[serde(default)]
    pub number: String,
    #[serde(default)]
    pub log_id: String,
}

/// `POST /register/{agency}/retract`: withdraws a wrongly recorded event. The row stays in the
/// trail, marked withdrawn; refused when the history without it is inconsistent or a locked
/// year's tables would change.
pub async fn retract(State(state): State<AppState>, Path(agency_id): Path<i64>, f: CsrfForm<RetractForm>) -> Result<Response, WebError> {
    let CsrfForm { auth, form } = f;
    let (agency, access) = access(&state, &auth, agency_id).await?;
    if access != Access::Keep {
        return Ok(refused(StatusCode::FORBIDDEN, VIEW_ONLY));
    }
    let number = form.number.trim().to_string();
    let log_id: i64 = form.log_id.trim().parse().map_err(|_| WebError::BadRequest("记录编号无效".into()))?;
    match reg::retract_in(&state.store, agency_id, &agency, &number, log_id, &auth.user.name).await {
        Ok(()) => Ok(Redirect::to(&format!("{}&notice=retracted", application_link(agency_id, &number))).into_response()),
        Err(RegisterError::NoApplication { .. }) => Err(WebError::NotFound),
        Err(e) => {
            let (status, message) = refusal(e)?;
            let page = application_page(&state, &auth, agency_id, &number, String::new(), message, EventForm::default()).await?;
            Ok((status, Html(page.render()?)).into_response())
        }
    }
}

// ---------------------------------------------------------------------------------------------
// 表三/表四 derived from the register, with drill-down and the published report beside it.

pub struct GridCell {
    pub id: String,
    pub text: String,
    /// The drill-down link (empty: none).
    pub link: String,
    pub class: String,
    pub title: String,
}

pub struct GridRow {
    pub group: String,
    pub group_span: usize,
    pub label: String,
    pub cells: Vec<GridCell>,
}

pub struct Grid {
    pub headers: Vec<String>,
    pub rows: Vec<GridRow>,
}

/// A derived or published table drawn in the official rows; `link(row, col)` gives a cell's
/// drill-down link, `diff` the cells that differ between register and report.
fn grid(report: &Report, table: TableId, prefix: &str, link: &dyn Fn(&str, usize) -> String, diff: &HashMap<(String, usize), String>) -> Grid {
    let layout = report.effective_layout();
    let defs = layout::rows(table, layout);
    let mut rows = Vec::new();
    let mut i = 0;
    while i < defs.len() {
        let group = defs[i].group.unwrap_or("");
        let mut span = 1;
        while table == TableId::Applications && i + span < defs.len() && !group.is_empty() && defs[i + span].group == defs[i].group {
            span += 1;
        }
        for (k, d) in defs[i..i + span].iter().enumerate() {
            let cells = (0..d.fields.len())
                .map(|c| {
                    let v = report.table(table).value(d.key, c);
                    let text = v.map(|v| nianbao_model::json::number_value(Some(v)).to_string()).unwrap_or_default();
                    let mut class = String::new();
                    let mut title = describe_cell(layout, table, d.key, c);
                    if let Some(why) = diff.get(&(d.key.to_string(), c)) {
                        class.push_str("diff");
                        title = format!("{title}：{why}");
                    }
                    let l = if v.is_some_and(|v| v > 0.0) { link(d.key, c) } else { String::new() };
                    GridCell { id: format!("{prefix}-{}-{}-{c}", table.key(), d.key), text, link: l, class, title }
                })
                .collect();
            let label = if table == TableId::ReviewLitigation { d.group.map(|g| format!("{g}·{}", d.label)).unwrap_or_else(|| d.label.to_string()) } else { d.printed() };
            rows.push(GridRow { group: if table == TableId::Applications { group.to_string() } else { String::new() }, group_span: if k == 0 { span } else { 0 }, label, cells });
        }
        i += span;
    }
    let headers = match defs.first() {
        Some(d) => d.fields.iter().map(|f| f.label.to_string()).collect(),
        None => Vec::new(),
    };
    Grid { headers, rows }
}

#[derive(Debug, Deserialize, Default)]
pub struct TableParams {
    #[serde(default)]
    pub year: Option<String>,
    /// The drilled cell: `applications.granted.0`.
    #[serde(default)]
    pub cell: Option<String>,
    #[serde(default)]
    pub notice: Option<String>,
}

pub struct Drill {
    pub title: String,
    pub apps: Vec<AppRow>,
}

pub struct Published {
    pub report_id: i64,
    pub grid: Grid,
    /// The R007 messages, with the applications behind the register's count.
    pub differences: Vec<(String, Vec<(String, String)>)>,
}

#[derive(Template)]
#[template(path = "register_table.html")]
pub struct TablePage {
    pub frame: Frame,
    pub agency_id: i64,
    pub agency: String,
    pub keep: bool,
    pub year: i32,
    pub years: Vec<i32>,
    pub layout: &'static str,
    pub applications: Grid,
    pub review: Grid,
    pub drill: Option<Drill>,
    pub published: Option<Published>,
    pub check: Vec<String>,
    /// The register checks (R…) of the applications in the year's 表三, judged today.
    pub findings: Vec<(FindingRow, String, String)>,
    pub locked: Option<(String, String)>,
    pub can_lock: bool,
    pub notice: String,
    pub error: String,
}

/// The current report of an agency-year, if one was filed.
async fn published_report(state: &AppState, agency_id: i64, year: i32) -> Result<Option<(i64, Report)>, WebError> {
    let q = nianbao_store::web::ReportQuery { scope: None, agency_id: Some(agency_id), year: Some(year), offset: 0, limit: 1, ..Default::default() };
    let (rows, _) = state.store.list_reports(&q).await?;
    let Some(row) = rows.first() else { return Ok(None) };
    let Some(detail) = state.store.report_detail(row.id).await? else { return Ok(None) };
    let v: serde_json::Value = serde_json::from_str(&detail.report_json).map_err(|e| WebError::Internal(format!("报告数据损坏：{e}")))?;
    let report = nianbao_model::json::from_json(&v).map_err(|e| WebError::Internal(format!("报告数据损坏：{e}")))?;
    Ok(Some((row.id, report)))
}

async fn table_page(state: &AppState, auth: &Auth, agency_id: i64, p: &TableParams, error: String) -> Result<TablePage, WebError> {
    let (agency, access) = access(state, auth, agency_id).await?;
    let apps = reg::load(&state.store, agency_id).await.map_err(internal)?;
    let today = china_today();
    let year = p.year.as_deref().and_then(|y| y.trim().parse::<i32>().ok()).filter(|y| (2008..=today.year() + 1).contains(y)).unwrap_or(today.year());
    let derived = nianbao_register::derive(&agency, year, &apps);
    let previous = nianbao_register::derive(&agency, year - 1, &apps);
    // The table rules (arithmetic, carry-over from last year) on what the register derives.
    let check = nianbao_register::check_reports(&[previous.report.clone(), derived.report.clone()])
        .into_iter()
        .filter(|f| f.severity == nianbao_check::Severity::Error)
        .map(|f| format!("{} {}", f.rule, f.message))
        .collect();
    let in_year: HashSet<&str> = ["new_received", "carried_over"]
        .iter()
        .flat_map(|row| derived.applications(TableId::Applications, row, layout::APPLICATIONS_TOTAL_COLUMN).iter().map(String::as_str))
        .collect();
    let year_apps: Vec<Application> = apps.iter().filter(|a| in_year.contains(a.number.as_str())).cloned().collect();
    let cal = calendar(state).await?;
    let findings = tokio::task::spawn_blocking(move || nianbao_register::rules::check_applications(&cal, &Settings::default(), &year_apps, today))
        .await
        .map_err(|e| WebError::Internal(format!("台账检查失败：{e}")))?
        .into_iter()
        // R004 judges other years' 31 December too; keep this year's.
        .filter(|f| f.year.is_none_or(|y| y == year))
        .map(|f| {
            let number = f.application.clone().unwrap_or_default();
            let link = application_link(agency_id, &number);
            let row = FindingRow {
                code: f.rule,
                error: f.severity == nianbao_check::Severity::Error,
                title: nianbao_register::rules::rule(f.rule).map(|r| r.title).unwrap_or(""),
                message: f.message,
            };
            (row, number, link)
        })
        .collect();
    let published = published_report(state, agency_id, year).await?;
    let mut diff: HashMap<(String, usize), String> = HashMap::new();
    let mut differences = Vec::new();
    if let Some((_, report)) = &published {
        for f in nianbao_register::rules::compare_report(&agency, report, &apps) {
            for (_, row, c) in &f.cells {
                diff.insert((row.clone(), *c), f.message.clone());
            }
            let links = f.applications.iter().map(|n| (n.clone(), application_link(agency_id, n))).collect();
            differences.push((f.message, links));
        }
    }
    let link = |table: TableId| move |row: &str, c: usize| format!("/register/{agency_id}/table?year={year}&cell={}.{row}.{c}#drill", table.key());
    let applications = grid(&derived.report, TableId::Applications, "r", &link(TableId::Applications), &diff);
    let review = grid(&derived.report, TableId::ReviewLitigation, "r", &link(TableId::ReviewLitigation), &HashMap::new());
    let drill = match p.cell.as_deref().map(|c| c.split('.').collect::<Vec<_>>()) {
        Some(parts) if parts.len() == 3 => {
            let table = TableId::from_key(parts[0]).filter(|t| matches!(t, TableId::Applications | TableId::ReviewLitigation));
            let layout = derived.report.effective_layout();
            let col = parts[2].parse::<usize>().ok();
            match (table, col) {
                (Some(t), Some(c)) if layout::row_def(t, layout, parts[1]).is_some_and(|d| c < d.fields.len()) => {
                    let numbers: HashSet<&str> = derived.applications(t, parts[1], c).iter().map(String::as_str).collect();
                    let cal = calendar(state).await?;
                    let chosen: Vec<Application> = apps.iter().filter(|a| numbers.contains(a.number.as_str())).cloned().collect();
                    let mut rows = app_rows(&cal, agency_id, &chosen, today);
                    rows.sort_by(|a, b| a.number.cmp(&b.number));
                    Some(Drill { title: format!("{year} 年{}（{} 件）", describe_cell(layout, t, parts[1], c), rows.len()), apps: rows })
                }
                _ => return Err(WebError::BadRequest("单元格参数无效".into())),
            }
        }
        Some(_) => return Err(WebError::BadRequest("单元格参数无效".into())),
        None => None,
    };
    let published = published.map(|(id, report)| {
        let none = |_: &str, _: usize| String::new();
        Published { report_id: id, grid: grid(&report, TableId::Applications, "p", &none, &diff), differences }
    });
    let mut years: Vec<i32> = match nianbao_register::derive::year_span(&apps) {
        Some((a, b)) => (a..=b.max(today.year()).min(today.year())).collect(),
        None => vec![today.year()],
    };
    if !years.contains(&year) {
        years.push(year);
    }
    years.sort_unstable_by(|a, b| b.cmp(a));
    let locked = reg::locks(&state.store, agency_id).await.map_err(internal)?.remove(&year).map(|(by, at)| (by, china_time(&at)));
    let notice = match p.notice.as_deref() {
        Some("locked") => format!("{year} 年度已锁定"),
        _ => String::new(),
    };
    Ok(TablePage {
        frame: Frame::of(auth),
        agency_id,
        agency,
        keep: access == Access::Keep,
        year,
        years,
        layout: derived.report.effective_layout().as_str(),
        applications,
        review,
        drill,
        published,
        check,
        findings,
        can_lock: locked.is_none() && year < today.year(),
        locked,
        notice,
        error,
    })
}

/// `GET /register/{agency}/table?year=Y[&cell=table.row.col]`: the year's tables from the register.
pub async fn table(State(state): State<AppState>, auth: Auth, Path(agency_id): Path<i64>, Query(p): Query<TableParams>) -> Result<Html<String>, WebError> {
    Ok(Html(table_page(&state, &auth, agency_id, &p, String::new()).await?.render()?))
}

#[derive(Debug, Deserialize, Default)]
pub struct LockForm {
    #[serde(default)]
    pub year: String,
}

/// `POST /register/{agency}/lock`: locks a past year, by the agency or its supervising office
/// (locking only takes rights away, so both may).
pub async fn lock(State(state): State<AppState>, Path(agency_id): Path<i64>, f: CsrfForm<LockForm>) -> Result<Response, WebError> {
    let CsrfForm { auth, form } = f;
    let (agency, _) = access(&state, &auth, agency_id).await?;
    let year: i32 = form.year.trim().parse().map_err(|_| WebError::BadRequest("年度无效".into()))?;
    if year >= china_today().year() {
        let p = TableParams { year: Some(year.to_string()), ..Default::default() };
        let page = table_page(&state, &auth, agency_id, &p, format!("{year} 年度尚未结束，不能锁定")).await?;
        return Ok((StatusCode::CONFLICT, Html(page.render()?)).into_response());
    }
    if let Err(e) = reg::lock_year(&state.store, &agency, year, &auth.user.name).await {
        let (status, message) = refusal(e)?;
        let p = TableParams { year: Some(year.to_string()), ..Default::default() };
        let page = table_page(&state, &auth, agency_id, &p, message).await?;
        return Ok((status, Html(page.render()?)).into_response());
    }
    Ok(Redirect::to(&format!("/register/{agency_id}/table?year={year}&notice=locked")).into_response())
}

// ---------------------------------------------------------------------------------------------
// The supervising office: every overdue application of its region.

pub struct OverdueRow {
    pub agency_id: i64,
    pub agency: String,
    pub row: AppRow,
}

pub struct AgencySummary {
    pub id: i64,
    pub name: String,
    pub total: usize,
    pub open: usize,
    pub overdue: usize,
    /// The recent years, each with how its published report's 表三 compares with the register:
    /// "一致", "N 处不一致", or empty when no report was filed.
    pub years: Vec<(i32, String)>,
}

#[derive(Template)]
#[template(path = "register_overview.html")]
pub struct OverviewPage {
    pub frame: Frame,
    pub today: NaiveDate,
    pub overdue: Vec<OverdueRow>,
    pub agencies: Vec<AgencySummary>,
}

/// `GET /register`: an agency account goes to its register; the office sees its region's.
pub async fn overview(State(state): State<AppState>, auth: Auth) -> Result<Response, WebError> {
    if let Some(own) = auth.user.agency_id() {
        return Ok(Redirect::to(&format!("/register/{own}")).into_response());
    }
    auth.require_office()?;
    let region = state.store.region_agencies(auth.user.scope()).await?;
    let with_register: HashSet<i64> = reg::agencies(&state.store).await.map_err(internal)?.into_iter().map(|(id, _)| id).collect();
    let cal = std::sync::Arc::new(calendar(&state).await?);
    let today = china_today();
    let mut overdue = Vec::new();
    let mut agencies = Vec::new();
    for (id, name) in region.into_iter().filter(|(id, _)| with_register.contains(id)) {
        let apps = reg::load(&state.store, id).await.map_err(internal)?;
        let (apps, rows) = rows_off_runtime(cal.clone(), id, apps, today).await?;
        let years: Vec<i32> = match nianbao_register::derive::year_span(&apps) {
            Some((a, b)) => (a.max(b.min(today.year()) - 4)..=b.min(today.year())).rev().collect(),
            None => Vec::new(),
        };
        let mut compared = Vec::new();
        for y in years {
            let state_of = match published_report(&state, id, y).await? {
                Some((_, report)) => match nianbao_register::rules::compare_report(&name, &report, &apps).len() {
                    0 => "一致".to_string(),
                    n => format!("{n} 处不一致"),
                },
                None => String::new(),
            };
            compared.push((y, state_of));
        }
        let years = compared;
        agencies.push(AgencySummary {
            id,
            name: name.clone(),
            total: rows.len(),
            open: rows.iter().filter(|r| r.class != "closed").count(),
            overdue: rows.iter().filter(|r| r.class == "overdue").count(),
            years,
        });
        overdue.extend(rows.into_iter().filter(|r| r.class == "overdue").map(|row| OverdueRow { agency_id: id, agency: name.clone(), row }));
    }
    overdue.sort_by(|a, b| (a.row.days_left, &a.agency, &a.row.number).cmp(&(b.row.days_left, &b.agency, &b.row.number)));
    Ok(Html(OverviewPage { frame: Frame::of(&auth), today, overdue, agencies }.render()?).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn app(number: &str, received: &str, events: Vec<(&str, EventKind)>) -> Application {
        let mut a = Application::new(number, ApplicantType::NaturalPerson, Channel::InPerson, d(received));
        for (date, k) in events {
            a.add_event(Event::new(d(date), k)).unwrap();
        }
        a
    }

    #[test]
    fn rows_show_overdue_first_due_soon_and_provisional_deadlines() {
        let cal = Calendar::builtin();
        let apps = vec![
            app("A-closed", "2026-10-09", vec![("2026-10-20", EventKind::Replied { outcome: Outcome::Granted })]),
            // Received 2026-12-21: 20 working days run into 2027, whose notice is not loaded.
            app("A-2027", "2026-12-21", vec![]),
            app("A-late", "2026-10-09", vec![]),
            app("A-soon", "2026-11-30", vec![]),
        ];
        let rows = app_rows(cal, 7, &apps, d("2026-12-22"));
        let order: Vec<&str> = rows.iter().map(|r| r.number.as_str()).collect();
        assert_eq!(order, vec!["A-late", "A-soon", "A-2027", "A-closed"]);
        assert_eq!(rows[0].class, "overdue");
        assert!(rows[0].days.starts_with("已逾期 ") && rows[0].status == "逾期", "{}", rows[0].days);
        // 2026-11-30 + 20 WD = 2026-12-28; from 12-22 that is 4 working days.
        assert_eq!(rows[1].due.unwrap().date, d("2026-12-28"));
        assert_eq!((rows[1].class, rows[1].days.as_str()), ("due-soon", "还有 4 个工作日"));
        assert!(!rows[1].provisional());
        assert!(rows[2].provisional(), "a deadline in 2027 is provisional: {:?}", rows[2].due);
        assert!(rows[2].due_text().ends_with("（暂定）"));
        assert_eq!((rows[3].class, rows[3].outcome.as_str()), ("closed", "（一）予以公开"));
        assert_eq!(rows[3].link, "/register/7/application?number=A-closed");
    }

    #[test]
    fn forms_refuse_bad_input_in_chinese() {
        let today = d("2026-11-30");
        let ok = AppForm { number: "2026-001".into(), received: "2026-11-02".into(), channel: "online".into(), applicant_type: "natural_person".into(), applicant: String::new(), summary: "某项目批复".into() };
        let a = parse_app_form(&ok, today).unwrap();
        assert_eq!((a.number.as_str(), a.received, a.channel, a.applicant_type), ("2026-001", d("2026-11-02"), Channel::Online, ApplicantType::NaturalPerson));
        let bad = |f: AppForm| parse_app_form(&f, today).unwrap_err();
        assert!(bad(AppForm { number: " ".into(), ..ok.clone() }).contains("申请编号"));
        assert!(bad(AppForm { received: "2026-12-01".into(), ..ok.clone() }).contains("晚于今天"));
        assert!(bad(AppForm { received: "明天".into(), ..ok.clone() }).contains("无法识别"));
        assert!(bad(AppForm { channel: "pigeon".into(), ..ok.clone() }).contains("申请方式"));
        assert!(bad(AppForm { applicant_type: "".into(), ..ok.clone() }).contains("申请人类型"));
        let e = EventForm { number: "2026-001".into(), date: "2026-11-20".into(), kind: "replied".into(), outcome: "withheld_state_secret".into(), ..Default::default() };
        assert_eq!(parse_event_form(&e, today).unwrap().kind, EventKind::Replied { outcome: Outcome::WithheldStateSecret });
        assert!(parse_event_form(&EventForm { outcome: String::new(), ..e.clone() }, today).unwrap_err().contains("办理结果"));
        let x = EventForm { kind: "extension_approved".into(), days: "20".into(), approver: "办公室主任".into(), ..e.clone() };
        assert_eq!(parse_event_form(&x, today).unwrap().kind, EventKind::ExtensionApproved { days: 20, approver: Some("办公室主任".into()) });
        assert!(parse_event_form(&EventForm { days: "0".into(), ..x.clone() }, today).unwrap_err().contains("整数"));
        assert!(parse_event_form(&EventForm { kind: "nonsense".into(), ..e.clone() }, today).unwrap_err().contains("未知"));
    }

    #[test]
    fn every_outcome_code_is_offered_once_in_table_order() {
        let offered: Vec<&str> = outcome_groups().into_iter().flat_map(|(_, items)| items.into_iter().map(|(k, _)| k)).collect();
        let all: Vec<&str> = Outcome::ALL.iter().map(|o| o.key()).collect();
        assert_eq!(offered, all);
        assert!(outcome_groups().iter().any(|(g, items)| g.contains("不予公开") && items.len() == 8));
    }

    #[test]
    fn china_time_of_a_stored_utc_time() {
        assert_eq!(china_time("2026-11-30T17:30:00Z"), "2026-12-01 01:30:00");
        assert_eq!(china_time("garbage"), "garbage");
    }
}
