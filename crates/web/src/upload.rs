//! Uploading reports: many files at once (multipart, ≤ 20 MB each, known extensions only) or
//! pasted text. Each file is kept under the uploads folder (the database refers to files by
//! path, and re-checks read them again) and ingested like `nianbao ingest` does. Answers JSON to
//! the page's script (`Accept: application/json`), a results page otherwise.

use crate::auth::Auth;
use crate::pages::Frame;
use crate::{AppState, WebError, MAX_FILE_BYTES};
use askama::Template;
use axum::extract::{Multipart, State};
use axum::http::{header, HeaderMap};
use axum::response::{Html, IntoResponse, Response};
use serde::Serialize;

/// Extensions accepted for upload (the parser decides the format from the content).
pub const EXTENSIONS: &[&str] = &["txt", "htm", "html", "docx", "doc", "wps", "pdf"];

#[derive(Debug, Clone, Serialize)]
pub struct UploadedReport {
    pub id: i64,
    pub agency: String,
    pub year: Option<i64>,
    pub errors: i64,
    pub warnings: i64,
    /// Inside the user's region (else stored but not shown to this user).
    pub visible: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct UploadResult {
    pub file: String,
    pub ok: bool,
    pub message: String,
    pub reports: Vec<UploadedReport>,
}

#[derive(Template)]
#[template(path = "upload.html")]
pub struct UploadPage {
    pub frame: Frame,
    pub results: Vec<UploadResult>,
    pub accept: String,
}

fn accept() -> String {
    EXTENSIONS.iter().map(|e| format!(".{e}")).collect::<Vec<_>>().join(",")
}

pub async fn upload_page(auth: Auth) -> Result<Html<String>, WebError> {
    Ok(Html(UploadPage { frame: Frame::of(&auth), results: Vec::new(), accept: accept() }.render()?))
}

/// A file name safe to keep: its last component, letters (any script), digits and `.-_()（）`.
pub fn safe_name(name: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = last.chars().map(|c| if c.is_alphanumeric() || ".-_()（）".contains(c) { c } else { '_' }).take(120).collect();
    let cleaned = cleaned.trim_start_matches('.').to_string();
    if cleaned.is_empty() {
        "上传文件.txt".into()
    } else {
        cleaned
    }
}

fn extension_ok(name: &str) -> bool {
    name.rsplit_once('.').map(|(_, e)| EXTENSIONS.contains(&e.to_ascii_lowercase().as_str())).unwrap_or(false)
}

pub async fn upload(State(state): State<AppState>, auth: Auth, headers: HeaderMap, mut multipart: Multipart) -> Result<Response, WebError> {
    let wants_json = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|a| a.contains("application/json"));
    let mut csrf = headers.get("x-csrf-token").and_then(|v| v.to_str().ok()).map(str::to_string);
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let mut rejected: Vec<UploadResult> = Vec::new();
    let (mut pasted, mut pasted_name) = (String::new(), String::new());
    while let Some(mut field) = multipart.next_field().await.map_err(|e| WebError::BadRequest(e.body_text()))? {
        let name = field.name().unwrap_or("").to_string();
        match name.as_str() {
            "csrf" => csrf = Some(field.text().await.map_err(|e| WebError::BadRequest(e.body_text()))?),
            "text" => pasted = field.text().await.map_err(|e| WebError::BadRequest(e.body_text()))?,
            "text_name" => pasted_name = field.text().await.map_err(|e| WebError::BadRequest(e.body_text()))?,
            "files" | "file" => {
                let original = field.file_name().unwrap_or("").to_string();
                if original.is_empty() {
                    continue;
                }
                let file = safe_name(&original);
                let mut bytes = Vec::new();
                let mut too_large = false;
                while let Some(chunk) = field.chunk().await.map_err(|e| WebError::BadRequest(e.body_text()))? {
                    if bytes.len() + chunk.len() > MAX_FILE_BYTES {
                        too_large = true;
                        // Drain the rest of the field without keeping it.
                        continue;
                    }
                    bytes.extend_from_slice(&chunk);
                }
                if too_large {
                    rejected.push(UploadResult { file, ok: false, message: "文件超过 20 MB，未接收".into(), reports: vec![] });
                } else if !extension_ok(&file) {
                    rejected.push(UploadResult { file, ok: false, message: format!("不支持的文件类型（可上传 {}）", EXTENSIONS.join("、")), reports: vec![] });
                } else if bytes.is_empty() {
                    rejected.push(UploadResult { file, ok: false, message: "文件为空".into(), reports: vec![] });
                } else {
                    files.push((file, bytes));
                }
            }
            _ => {}
        }
    }
    // Nothing is stored before the CSRF token is checked.
    auth.check_csrf(csrf.as_deref())?;
    if !pasted.trim().is_empty() {
        let base = if pasted_name.trim().is_empty() { chrono::Local::now().format("%Y%m%d-%H%M%S").to_string() } else { safe_name(pasted_name.trim()) };
        let base = base.trim_end_matches(".txt").to_string();
        if pasted.len() > MAX_FILE_BYTES {
            rejected.push(UploadResult { file: format!("粘贴-{base}.txt"), ok: false, message: "粘贴的文字超过 20 MB".into(), reports: vec![] });
        } else {
            files.push((format!("粘贴-{base}.txt"), pasted.into_bytes()));
        }
    }
    let mut results = rejected;
    for (name, bytes) in files {
        results.push(ingest_one(&state, &auth, &name, &bytes).await?);
    }
    if wants_json {
        return Ok(axum::Json(serde_json::json!({ "results": results })).into_response());
    }
    Ok(Html(UploadPage { frame: Frame::of(&auth), results, accept: accept() }.render()?).into_response())
}

/// Stores one file under the uploads folder and ingests it. A file with the same name replaces
/// the earlier one as a new version (as `nianbao ingest` does for a changed file).
async fn ingest_one(state: &AppState, auth: &Auth, name: &str, bytes: &[u8]) -> Result<UploadResult, WebError> {
    let dir = &state.config.uploads;
    std::fs::create_dir_all(dir).map_err(|e| WebError::Internal(format!("无法创建上传目录：{e}")))?;
    let dir = std::fs::canonicalize(dir).map_err(|e| WebError::Internal(format!("上传目录不可用：{e}")))?;
    let path = dir.join(name);
    tokio::fs::write(&path, bytes).await.map_err(|e| WebError::Internal(format!("无法保存文件 {name}：{e}")))?;
    let summary = state.store.ingest(std::slice::from_ref(&path), false).await?;
    let key = path.display().to_string();
    let Some(stored) = state.store.file_result(&key).await? else {
        return Ok(UploadResult { file: name.to_string(), ok: false, message: "文件未能入库".into(), reports: vec![] });
    };
    if stored.status != "ok" {
        return Ok(UploadResult { file: name.to_string(), ok: false, message: stored.error.unwrap_or_else(|| "无法读取该文件".into()), reports: vec![] });
    }
    let mut reports = Vec::new();
    for (id, agency_id, agency, year, errors, warnings) in stored.reports {
        let visible = state.store.in_region(agency_id, auth.user.scope()).await?;
        reports.push(UploadedReport { id, agency, year, errors, warnings, visible });
    }
    let message = if summary.unchanged > 0 {
        "与已入库的文件相同，未重复入库".to_string()
    } else if reports.is_empty() {
        "已入库，但未识别出年度报告".to_string()
    } else {
        format!("已入库，识别出 {} 份报告", reports.len())
    };
    Ok(UploadResult { file: name.to_string(), ok: true, message, reports })
}
