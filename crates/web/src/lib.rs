//! `nianbao serve`: the web workbench of a supervising office (政务公开办). Server-rendered pages
//! (askama) with small ES5 scripts, every asset embedded (rust-embed; ECharts vendored), a JSON
//! API under `/api/`, accounts with two roles (administrator; reviewer of a region subtree),
//! argon2 password hashes, sessions in HttpOnly SameSite=Strict cookies and a CSRF token per
//! session checked on every POST.

pub mod api;
pub mod auth;
pub mod crop;
pub mod cycle;
pub mod guard;
pub mod letters;
pub mod notice;
pub mod ocr_cells;
pub mod pages;
pub mod password;
pub mod reminder;
pub mod tree;
pub mod register_pages;
pub mod upload;
pub mod users;
pub mod view;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use nianbao_store::{Store, StoreError};
use std::path::PathBuf;
use thiserror::Error;
use tower_http::set_header::SetResponseHeaderLayer;

/// Largest accepted file (bytes).
pub const MAX_FILE_BYTES: usize = 20 * 1024 * 1024;
/// Largest accepted upload request (several files at once).
pub const MAX_REQUEST_BYTES: usize = 200 * 1024 * 1024;

/// How the server runs.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where uploaded files are kept, by content hash (`<sha256 prefix>/<sha256>.<ext>`; the
    /// database refers to them by path and keeps the uploaded name; re-checks read them).
    pub uploads: PathBuf,
    /// Mark the session cookie `Secure` (only when the pages are served over HTTPS, e.g. behind
    /// a reverse proxy; a plain-HTTP intranet address would then never get a session).
    pub secure_cookie: bool,
    /// How long a session lasts, in hours.
    pub session_hours: i64,
    /// Bounds on the work and the clients the server accepts.
    pub limits: guard::Limits,
    /// Called on the parse worker before an uploaded file is parsed (tests hold a parse there
    /// to show that the server keeps answering meanwhile).
    pub parse_hook: Option<guard::ParseHook>,
    /// The pools, semaphores and login counters, made from `limits` at first use.
    guards: std::sync::Arc<std::sync::OnceLock<guard::Guards>>,
}

impl Config {
    pub fn new(uploads: PathBuf) -> Config {
        Config { uploads, secure_cookie: false, session_hours: 12, limits: guard::Limits::default(), parse_hook: None, guards: Default::default() }
    }

    /// The server's shared guards (parse workers, password hashing, login throttling).
    pub fn guards(&self) -> &guard::Guards {
        self.guards.get_or_init(|| guard::Guards::new(&self.limits))
    }
}

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub config: std::sync::Arc<Config>,
}

#[derive(Debug, Error)]
pub enum WebError {
    #[error("{0}")]
    Store(#[from] StoreError),
    #[error("找不到该页面或报告")]
    NotFound,
    #[error("无权访问：该机关不在您负责的区域内")]
    Forbidden,
    #[error("表单已过期或来源不明（CSRF 校验失败），请刷新页面后重试")]
    Csrf,
    #[error("仅管理员可以管理用户账号")]
    AdminOnly,
    #[error("请先登录")]
    Unauthorized,
    #[error("请求有误：{0}")]
    BadRequest(String),
    #[error("文件过大：{0} 超过 20 MB")]
    TooLarge(String),
    #[error("页面生成失败：{0}")]
    Template(#[from] askama::Error),
    #[error("服务器内部错误：{0}")]
    Internal(String),
    #[error("服务器正忙：待检查的文件过多，请稍后再试")]
    Busy,
    #[error("登录失败次数过多，请 {0} 秒后再试")]
    Throttled(u64),
}

impl WebError {
    pub fn status(&self) -> StatusCode {
        match self {
            WebError::NotFound => StatusCode::NOT_FOUND,
            WebError::Forbidden | WebError::Csrf | WebError::AdminOnly => StatusCode::FORBIDDEN,
            WebError::Unauthorized => StatusCode::UNAUTHORIZED,
            WebError::BadRequest(_) => StatusCode::BAD_REQUEST,
            WebError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            WebError::Busy | WebError::Store(StoreError::Locked { .. }) => StatusCode::SERVICE_UNAVAILABLE,
            WebError::Throttled(_) => StatusCode::TOO_MANY_REQUESTS,
            WebError::Store(StoreError::Refused(_)) => StatusCode::FORBIDDEN,
            WebError::Store(StoreError::NoAgency(_)) | WebError::Store(StoreError::NoReport { .. }) => StatusCode::NOT_FOUND,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl WebError {
    /// What the user reads: internal errors (database, templates, files) are logged on the
    /// server and answered without their details (no server paths, no SQL).
    pub fn public_message(&self) -> String {
        match self {
            WebError::Internal(_) | WebError::Template(_) => {
                eprintln!("错误：{self}");
                "服务器内部错误，请稍后重试；详情已记入服务器日志".into()
            }
            WebError::Store(StoreError::Locked { .. }) => {
                eprintln!("错误：{self}");
                "数据库繁忙，请稍后重试".into()
            }
            WebError::Store(StoreError::NoAgency(_) | StoreError::NoReport { .. } | StoreError::Refused(_)) => self.to_string(),
            WebError::Store(_) => {
                eprintln!("错误：{self}");
                "服务器内部错误，请稍后重试；详情已记入服务器日志".into()
            }
            _ => self.to_string(),
        }
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let status = self.status();
        let page = pages::ErrorPage { message: self.public_message(), status: status.as_u16() };
        match askama::Template::render(&page) {
            Ok(html) => (status, Html(html)).into_response(),
            Err(_) => (status, page.message).into_response(),
        }
    }
}

/// The whole application (pages, API, assets) on an open store.
pub fn app(state: AppState) -> Router {
    let router = Router::new()
        .route("/", get(pages::home))
        .route("/login", get(auth::login_page).post(auth::login))
        .route("/logout", post(auth::logout))
        .route("/upload", get(upload::upload_page).post(upload::upload))
        .route("/reports", get(pages::reports))
        .route("/reports/{id}", get(pages::report))
        .route("/reports/{id}/findings/{fid}/decision", post(pages::decide))
        .route("/reports/{id}/recheck", post(pages::recheck))
        .route("/reports/{id}/crop", get(ocr_cells::crop))
        .route("/reports/{id}/corrections", post(ocr_cells::correct))
        .route("/agencies/{id}", get(pages::agency))
        .route("/agencies/{id}/notice", get(notice::notice))
        .route("/users", get(users::users_page).post(users::add_user))
        .route("/users/{id}/password", post(users::reset_password))
        .route("/users/{id}/role", post(users::change_role))
        .route("/users/{id}/disabled", post(users::set_disabled))
        .route("/dashboard", get(pages::dashboard))
        .route("/board", get(cycle::board))
        .route("/notices", get(notice::batch))
        .route("/reminders", get(reminder::reminders))
        .route("/agencies", get(tree::agencies_page).post(tree::add))
        .route("/agencies/{id}/parent", post(tree::move_agency))
        .route("/agencies/{id}/alias", post(tree::add_alias))
        .route("/settings", get(letters::settings_page).post(letters::save_settings))
        .route("/reports/{id}/verdict", post(cycle::verdict))
        .route("/reports/{id}/current", post(cycle::choose))
        .route("/reports/{id}/submit", post(cycle::submit))
        .route("/reports/{id}/decisions", post(cycle::decide_batch))
        .route("/export", get(pages::export))
        // The application register (依申请公开台账), `register_pages.rs`.
        .route("/register", get(register_pages::overview))
        .route("/register/{agency}", get(register_pages::list))
        .route("/register/{agency}/applications", post(register_pages::add_application))
        .route("/register/{agency}/application", get(register_pages::application))
        .route("/register/{agency}/events", post(register_pages::add_event))
        .route("/register/{agency}/retract", post(register_pages::retract))
        .route("/register/{agency}/table", get(register_pages::table))
        .route("/register/{agency}/lock", post(register_pages::lock))
        .route("/register/{agency}/export", get(register_pages::export))
        .route("/register/{agency}/import", post(register_pages::import))
        .route("/register/{agency}/template", get(register_pages::template))
        .route("/api/reports", get(api::reports))
        .route("/api/reports/{id}", get(api::report))
        .route("/api/dashboard", get(api::dashboard))
        .route("/api/openapi.json", get(api::openapi))
        .route("/assets/{*path}", get(assets))
        .layer(axum::extract::DefaultBodyLimit::max(MAX_REQUEST_BYTES))
        // A client that stops sending its body is cut off instead of holding a worker.
        .layer(tower_http::timeout::RequestBodyTimeoutLayer::new(state.config.limits.body_timeout))
        // Pages carry a region's data: never kept by a browser or a proxy (assets set their own).
        .layer(SetResponseHeaderLayer::if_not_present(header::CACHE_CONTROL, HeaderValue::from_static("no-store")))
        .layer(SetResponseHeaderLayer::if_not_present(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .layer(SetResponseHeaderLayer::if_not_present(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
        .layer(SetResponseHeaderLayer::if_not_present(header::REFERRER_POLICY, HeaderValue::from_static("same-origin")))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; object-src 'none'; frame-ancestors 'none'; form-action 'self'"),
        ));
    router.with_state(state)
}

#[derive(rust_embed::RustEmbed)]
#[folder = "assets/"]
struct Assets;

/// The embedded static files (CSS, scripts, ECharts, the OpenAPI description).
async fn assets(axum::extract::Path(path): axum::extract::Path<String>) -> Response {
    match Assets::get(&path) {
        Some(file) => {
            let mime = match path.rsplit('.').next() {
                Some("js") => "application/javascript; charset=utf-8",
                Some("css") => "text/css; charset=utf-8",
                Some("json") => "application/json; charset=utf-8",
                Some("svg") => "image/svg+xml",
                _ => "text/plain; charset=utf-8",
            };
            ([(header::CONTENT_TYPE, mime), (header::CACHE_CONTROL, "public, max-age=86400")], file.data.into_owned()).into_response()
        }
        None => WebError::NotFound.into_response(),
    }
}

/// An embedded asset's text (the OpenAPI file).
pub(crate) fn asset_text(path: &str) -> Option<String> {
    Assets::get(path).and_then(|f| String::from_utf8(f.data.into_owned()).ok())
}

/// The default folder for uploaded files: beside a SQLite database file, else in the
/// working directory.
pub fn default_uploads(db: &str) -> PathBuf {
    let (_, backend) = nianbao_store::database_url(db);
    if backend == nianbao_store::Backend::Sqlite && !db.starts_with("sqlite:") {
        let p = std::path::Path::new(db);
        let stem = p.file_stem().and_then(|s| s.to_str()).unwrap_or("nianbao");
        return p.with_file_name(format!("{stem}-uploads"));
    }
    PathBuf::from("nianbao-uploads")
}

/// Opens the database and serves until interrupted (Ctrl-C).
pub async fn serve(db: &str, addr: &str, mut config: Config) -> Result<(), WebError> {
    config.limits.apply_env().map_err(WebError::BadRequest)?;
    let store = Store::open(db).await?;
    std::fs::create_dir_all(&config.uploads).map_err(|e| WebError::Internal(format!("无法创建上传目录 {}：{e}", config.uploads.display())))?;
    let listener = tokio::net::TcpListener::bind(addr).await.map_err(|e| WebError::Internal(format!("无法监听 {addr}：{e}")))?;
    let state = AppState { store: store.clone(), config: std::sync::Arc::new(config) };
    // Re-checks a killed server or ingest left pending, while the server already answers.
    tokio::spawn(async move {
        if let Err(e) = store.finish_rechecks().await {
            eprintln!("警告：跨年度核对未完成：{e}");
        }
    });
    eprintln!("nianbao 工作台已启动：http://{addr}/ （按 Ctrl-C 停止）");
    guard::serve_on(listener, state, async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await
}
