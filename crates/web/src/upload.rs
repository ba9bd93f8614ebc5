//! Uploading reports: many files at once (multipart, ≤ 20 MB each, known extensions only) or
//! pasted text. Each file is parsed and checked on a parse worker (never on the async runtime;
//! a full queue is a 503), kept under the uploads folder by its content hash
//! (`<sha256[..2]>/<sha256>.<ext>`, so two agencies' `年报.txt` never meet; the uploaded name is
//! kept in the database) and stored like `nianbao ingest` does: each report becomes a version of
//! its agency-year. A reviewer's upload may only hold reports of agencies already in its region,
//! an agency account's only its own: anything else is refused, never created. An agency's upload
//! is a pre-check (a draft with its findings) until the agency submits it from the report page;
//! an office's upload for an agency is submitted as it is stored.
//! Answers JSON to the page's script (`Accept: application/json`), a results page otherwise.

use crate::auth::Auth;
use crate::pages::Frame;
use crate::{AppState, WebError, MAX_FILE_BYTES};
use askama::Template;
use axum::extract::{Multipart, State};
use axum::http::{header, HeaderMap};
use axum::response::{Html, IntoResponse, Response};
use nianbao_store::ingest::StoredFinding;
use serde::Serialize;

/// Extensions accepted for upload (the parser decides the format from the content).
/// `xlsx`: the fill-in form of `nianbao template`, filled (the parser reads it as a report).
pub const EXTENSIONS: &[&str] = &["txt", "htm", "html", "docx", "doc", "wps", "pdf", "xlsx", "png", "jpg", "jpeg", "tif", "tiff"];

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

/// Characters of a shown file name at most (the name is only shown: files are stored by hash).
const NAME_CHARS: usize = 80;

/// A file name safe to show: its last component, letters (any script), digits and `.-_()（）`,
/// at most 80 characters (a long name keeps its end, with the extension).
pub fn safe_name(name: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: Vec<char> = last.chars().map(|c| if c.is_alphanumeric() || ".-_()（）".contains(c) { c } else { '_' }).collect();
    let cleaned: String = if cleaned.len() > NAME_CHARS {
        let tail: String = cleaned[cleaned.len() - 12..].iter().collect();
        let head: String = cleaned[..NAME_CHARS - 13].iter().collect();
        format!("{head}…{tail}")
    } else {
        cleaned.into_iter().collect()
    };
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
    let mut first = true;
    for (name, bytes) in files {
        match ingest_one(&state, &auth, &name, bytes).await {
            Ok(r) => results.push(r),
            // Nothing of this request was taken on: the whole request is answered 503.
            Err(WebError::Busy) if first => return Err(WebError::Busy),
            Err(e @ (WebError::Busy | WebError::BadRequest(_) | WebError::Store(nianbao_store::StoreError::Refused(_)))) => {
                results.push(UploadResult { file: name, ok: false, message: e.public_message(), reports: vec![] })
            }
            Err(e) => return Err(e),
        }
        first = false;
    }
    if wants_json {
        return Ok(axum::Json(serde_json::json!({ "results": results })).into_response());
    }
    Ok(Html(UploadPage { frame: Frame::of(&auth), results, accept: accept() }.render()?).into_response())
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// Parses and checks one file on a parse worker, keeps it under its content hash, and stores it
/// (refused, with nothing written, when a reviewer's file holds a report outside its region).
async fn ingest_one(state: &AppState, auth: &Auth, name: &str, bytes: Vec<u8>) -> Result<UploadResult, WebError> {
    let sha = sha256_hex(&bytes);
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).filter(|e| EXTENSIONS.contains(&e.as_str())).unwrap_or_else(|| "txt".into());
    let dir = &state.config.uploads;
    let sub = dir.join(&sha[..2]);
    std::fs::create_dir_all(&sub).map_err(|e| WebError::Internal(format!("无法创建上传目录 {}：{e}", sub.display())))?;
    let sub = std::fs::canonicalize(&sub).map_err(|e| WebError::Internal(format!("上传目录不可用：{e}")))?;
    let path = sub.join(format!("{sha}.{ext}"));
    // Parse and check off the async runtime, under the name the user knows (messages name it;
    // no server path reaches the user).
    let shown = name.to_string();
    let hook = state.config.parse_hook.clone();
    let (bytes, analysed) = state
        .config
        .guards()
        .parse
        .run(move || {
            if let Some(h) = hook {
                (h.0)(&shown);
            }
            let started = std::time::Instant::now();
            let analysed = nianbao_parse::parse_bytes(&shown, &bytes).map_err(|e| e.to_string()).map(|doc| {
                let took = started.elapsed();
                let result = nianbao_check::check(std::slice::from_ref(&doc));
                let findings: Vec<StoredFinding> = result.findings.iter().map(StoredFinding::from).collect();
                (doc, findings, took)
            });
            (bytes, analysed)
        })
        .await?;
    let analysed = analysed.map(|(doc, findings, took)| {
        // A scan's OCR is not run again for its report page, crops and re-checks.
        nianbao_store::remember_parsed(&path.display().to_string(), &sha, &doc, took);
        (doc, findings)
    });
    // An agency files its own report only (the region check below would let a government's
    // account file its departments' reports too).
    if let (Some(mine), Ok((doc, _))) = (auth.user.agency_id(), &analysed) {
        for p in &doc.reports {
            let theirs = match &p.report.agency {
                Some(n) => state.store.find_agency(n).await.ok(),
                None => None,
            };
            if theirs != Some(mine) {
                let who = p.report.agency.clone().unwrap_or_else(|| "未能识别".into());
                return Err(WebError::Store(nianbao_store::StoreError::Refused(format!("报告所属机关“{who}”不是本单位，未入库；填报单位只能上传本单位的报告"))));
            }
        }
    }
    // The file is on disk before the database refers to it (re-checks read it); written under a
    // temporary name and renamed, so a half-written file never has the final name.
    let existed = path.exists();
    if !existed {
        let tmp = sub.join(format!(".{sha}.{}.tmp", crate::auth::random_token()));
        let written = tokio::fs::write(&tmp, &bytes).await.and_then(|_| std::fs::rename(&tmp, &path));
        if let Err(e) = written {
            let _ = std::fs::remove_file(&tmp);
            return Err(WebError::Internal(format!("无法保存上传文件 {}：{e}", path.display())));
        }
    }
    let key = path.display().to_string();
    let content = match &analysed {
        Ok((doc, findings)) => Ok((doc, findings.as_slice())),
        Err(e) => Err(e.as_str()),
    };
    let written = state.store.write_file(&key, &sha, bytes.len(), Some(name), content, auth.user.scope(), nianbao_store::ingest::Filing { user_id: Some(auth.user.id), draft: auth.user.agency_id().is_some() }).await.map_err(|e| state.store.explain(e));
    let written = match written {
        Ok(w) => w,
        Err(e) => {
            if !existed {
                let _ = std::fs::remove_file(&path);
            }
            return Err(e.into());
        }
    };
    if written.is_some() {
        // The agencies' other years are checked again, on a parse worker too.
        let _held = state.config.guards().parse.worker().await?;
        state.store.finish_rechecks().await.map_err(|e| state.store.explain(e))?;
    }
    let Some(stored) = state.store.file_result(&sha).await? else {
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
    let message = if written.is_none() {
        "与已入库的文件相同，未重复入库".to_string()
    } else if reports.is_empty() {
        "已入库，但未识别出年度报告".to_string()
    } else if auth.user.agency_id().is_some() {
        // An agency's upload is its pre-check: it submits from the report page.
        format!("已完成预检，识别出 {} 份报告；请打开报告查看问题，确认后点击“提交报告”", reports.len())
    } else {
        format!("已入库，识别出 {} 份报告", reports.len())
    };
    Ok(UploadResult { file: name.to_string(), ok: true, message, reports })
}
