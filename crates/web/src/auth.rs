//! Accounts and sessions: argon2 password hashes, a random session token in an HttpOnly,
//! SameSite=Strict cookie (only its SHA-256 is stored), a CSRF token per session that every
//! POST must carry (form field `csrf` or header `X-CSRF-Token`), and the login form's own
//! double-submit token.

use crate::{pages, AppState, WebError};
use rand_core::{OsRng, RngCore};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use askama::Template;
use axum::extract::{FromRequest, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{Html, IntoResponse, Redirect, Response};
use nianbao_store::web::User;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use sha2::{Digest, Sha256};

pub const SESSION_COOKIE: &str = "nianbao_session";
pub const LOGIN_COOKIE: &str = "nianbao_login";

/// An argon2id hash (PHC string) of a password.
pub fn hash_password(password: &str) -> Result<String, WebError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default().hash_password(password.as_bytes(), &salt).map(|h| h.to_string()).map_err(|e| WebError::Internal(format!("无法计算密码散列：{e}")))
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    match PasswordHash::new(hash) {
        Ok(parsed) => Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok(),
        Err(_) => false,
    }
}

/// 32 random bytes as hex.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    hex(&bytes)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

/// Compares two tokens in time independent of where they differ.
pub fn same_token(a: &str, b: &str) -> bool {
    a.len() == b.len() && !a.is_empty() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A cookie's value from the request headers.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

fn set_cookie(name: &str, value: &str, max_age: i64, secure: bool) -> Result<HeaderValue, WebError> {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!("{name}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}")).map_err(|e| WebError::Internal(e.to_string()))
}

/// The signed-in user of a request, with the session's CSRF token. Pages without a session
/// are sent to the login page; the API answers 401.
#[derive(Debug, Clone)]
pub struct Auth {
    pub user: User,
    pub csrf: String,
}

pub enum AuthRejection {
    Login(String),
    Api,
    Error(WebError),
}

impl IntoResponse for AuthRejection {
    fn into_response(self) -> Response {
        match self {
            AuthRejection::Login(next) => Redirect::to(&format!("/login?next={}", url_encode(&next))).into_response(),
            AuthRejection::Api => {
                (axum::http::StatusCode::UNAUTHORIZED, axum::Json(serde_json::json!({ "error": "请先登录" }))).into_response()
            }
            AuthRejection::Error(e) => e.into_response(),
        }
    }
}

/// Percent-encodes a path for the `next` parameter.
pub fn url_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'/' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

impl FromRequestParts<AppState> for Auth {
    type Rejection = AuthRejection;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Auth, AuthRejection> {
        let api = parts.uri.path().starts_with("/api/");
        let reject = || if api { AuthRejection::Api } else { AuthRejection::Login(parts.uri.path_and_query().map(|p| p.as_str().to_string()).unwrap_or_default()) };
        let Some(token) = cookie(&parts.headers, SESSION_COOKIE) else { return Err(reject()) };
        match state.store.session_user(&token_hash(&token)).await {
            Ok(Some((user, csrf))) => Ok(Auth { user, csrf }),
            Ok(None) => Err(reject()),
            Err(e) => Err(AuthRejection::Error(e.into())),
        }
    }
}

impl Auth {
    /// Checks the CSRF token a POST carries.
    pub fn check_csrf(&self, given: Option<&str>) -> Result<(), WebError> {
        match given {
            Some(t) if same_token(t, &self.csrf) => Ok(()),
            _ => Err(WebError::Csrf),
        }
    }
    /// Refuses an agency account: deciding on findings, re-checking, the dashboard, exports and
    /// letters are the supervising office's work.
    pub fn require_office(&self) -> Result<(), WebError> {
        if self.user.is_office() {
            Ok(())
        } else {
            Err(WebError::Forbidden)
        }
    }
    /// Refuses a report or agency outside the user's region.
    pub async fn require_region(&self, state: &AppState, agency: Option<i64>) -> Result<(), WebError> {
        if state.store.in_region(agency, self.user.scope()).await? {
            Ok(())
        } else {
            Err(WebError::Forbidden)
        }
    }
}

/// A url-encoded form from a signed-in user whose CSRF token (field `csrf` or header
/// `X-CSRF-Token`) matched the session's; anything else is refused before the handler runs.
pub struct CsrfForm<T> {
    pub auth: Auth,
    pub form: T,
}

#[derive(Deserialize)]
struct CsrfField {
    #[serde(default)]
    csrf: Option<String>,
}

impl<T: DeserializeOwned + Send> FromRequest<AppState> for CsrfForm<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Response> {
        let (mut parts, body) = req.into_parts();
        let auth = Auth::from_request_parts(&mut parts, state).await.map_err(IntoResponse::into_response)?;
        let header_token = parts.headers.get("x-csrf-token").and_then(|v| v.to_str().ok()).map(str::to_string);
        let bytes = axum::body::to_bytes(body, 1024 * 1024).await.map_err(|e| WebError::BadRequest(e.to_string()).into_response())?;
        let field: CsrfField = serde_urlencoded::from_bytes(&bytes).unwrap_or(CsrfField { csrf: None });
        auth.check_csrf(field.csrf.as_deref().or(header_token.as_deref())).map_err(IntoResponse::into_response)?;
        let form: T = serde_urlencoded::from_bytes(&bytes).map_err(|e| WebError::BadRequest(e.to_string()).into_response())?;
        Ok(CsrfForm { auth, form })
    }
}

#[derive(Deserialize, Default)]
pub struct LoginQuery {
    #[serde(default)]
    next: Option<String>,
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    next: Option<String>,
}

/// Only a local path may be a target after login (no open redirect). Anything a browser could
/// read as another host is refused whole: `//host`, `/\\host`, and any control character or
/// whitespace (browsers drop tabs and newlines, so `/\t/host` becomes `//host`), also after
/// percent-decoding once.
pub fn safe_next(next: Option<&str>) -> String {
    let Some(n) = next.filter(|n| !n.is_empty()) else { return "/reports".to_string() };
    let decoded = percent_decode(n);
    let bad = |s: &str| !s.starts_with('/') || s.starts_with("//") || s.chars().any(|c| c == '\\' || c.is_control() || c.is_whitespace());
    if bad(n) || bad(&decoded) || n.len() > 2000 {
        return "/".to_string();
    }
    if n.starts_with("/login") {
        return "/reports".to_string();
    }
    n.to_string()
}

/// `%XX` sequences decoded (invalid ones kept as they are); bytes that are not UTF-8 become U+FFFD.
fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() && s.is_char_boundary(i + 1) && s.is_char_boundary(i + 3) {
            if let Ok(v) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn login_response(state: &AppState, next: &str, error: Option<String>) -> Result<Response, WebError> {
    let token = random_token();
    let page = pages::LoginPage { csrf: token.clone(), next: next.to_string(), error };
    let mut resp = Html(page.render()?).into_response();
    resp.headers_mut().append(header::SET_COOKIE, set_cookie(LOGIN_COOKIE, &token, 3600, state.config.secure_cookie)?);
    Ok(resp)
}

pub async fn login_page(State(state): State<AppState>, axum::extract::Query(q): axum::extract::Query<LoginQuery>) -> Result<Response, WebError> {
    login_response(&state, &safe_next(q.next.as_deref()), None)
}

pub async fn login(State(state): State<AppState>, client: crate::guard::ClientAddr, headers: HeaderMap, axum::Form(form): axum::Form<LoginForm>) -> Result<Response, WebError> {
    let next = safe_next(form.next.as_deref());
    match cookie(&headers, LOGIN_COOKIE) {
        Some(t) if same_token(&t, &form.csrf) => {}
        _ => return Err(WebError::Csrf),
    }
    let guards = state.config.guards();
    let name = form.name.trim().to_string();
    // A locked account or address costs no password hash.
    if let Some(wait) = guards.throttle.locked(&name, client.0) {
        let mut resp = login_response(&state, &next, Some(WebError::Throttled(wait.as_secs().max(1)).to_string()))?;
        *resp.status_mut() = axum::http::StatusCode::TOO_MANY_REQUESTS;
        return Ok(resp);
    }
    let found = state.store.user_by_name(&name).await?;
    let password = form.password.clone();
    let user = match found {
        Some((user, hash)) => guards.hash(move || verify_password(&password, &hash)).await?.then_some(user),
        None => {
            // Same work for an unknown name, so timing does not tell which names exist.
            let _ = guards.hash(move || hash_password(&password)).await?;
            None
        }
    };
    let Some(user) = user else {
        guards.throttle.failed(&name, client.0);
        return login_response(&state, &next, Some("用户名或密码不正确".into()));
    };
    guards.throttle.succeeded(&name);
    let token = random_token();
    let csrf = random_token();
    let expires = (chrono::Utc::now() + chrono::Duration::hours(state.config.session_hours)).format("%Y-%m-%dT%H:%M:%SZ").to_string();
    state.store.create_session(&token_hash(&token), user.id, &csrf, &expires).await?;
    let mut resp = Redirect::to(&next).into_response();
    resp.headers_mut().append(header::SET_COOKIE, set_cookie(SESSION_COOKIE, &token, state.config.session_hours * 3600, state.config.secure_cookie)?);
    resp.headers_mut().append(header::SET_COOKIE, set_cookie(LOGIN_COOKIE, "", 0, state.config.secure_cookie)?);
    Ok(resp)
}

#[derive(Deserialize)]
pub struct Empty {}

pub async fn logout(State(state): State<AppState>, headers: HeaderMap, f: CsrfForm<Empty>) -> Result<Response, WebError> {
    let _ = f.form;
    if let Some(token) = cookie(&headers, SESSION_COOKIE) {
        state.store.delete_session(&token_hash(&token)).await?;
    }
    let mut resp = Redirect::to("/login").into_response();
    resp.headers_mut().append(header::SET_COOKIE, set_cookie(SESSION_COOKIE, "", 0, state.config.secure_cookie)?);
    Ok(resp)
}
