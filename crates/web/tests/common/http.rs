//! The router driven through tower's `oneshot` (no browser, no socket).

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use std::path::PathBuf;
use tower::ServiceExt;

/// A fresh folder `nianbao-{prefix}-{name}-{pid}` under the system's temporary folder.
pub fn tempdir(prefix: &str, name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("nianbao-{prefix}-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

pub struct Resp {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: String,
}

pub async fn send(app: &Router, req: Request<Body>) -> Resp {
    let r = app.clone().oneshot(req).await.unwrap();
    let status = r.status();
    let headers = r.headers().clone();
    let bytes = r.into_body().collect().await.unwrap().to_bytes();
    Resp { status, headers, body: String::from_utf8_lossy(&bytes).into_owned() }
}

pub fn cookie_value(headers: &axum::http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.strip_prefix(&format!("{name}=")).map(|rest| rest.split(';').next().unwrap_or("").to_string()))
}

pub fn between<'a>(text: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let i = text.find(start)? + start.len();
    let j = text[i..].find(end)? + i;
    Some(&text[i..j])
}

pub fn enc(s: &str) -> String {
    nianbao_web::auth::url_encode(s).replace('/', "%2F")
}

/// A signed-in user: the session cookie and the CSRF token of the session.
pub struct Session {
    pub cookie: String,
    pub csrf: String,
}

/// Submits the login form (with the login cookie and token of a fresh login page).
pub async fn try_login(app: &Router, name: &str, password: &str) -> Resp {
    let page = send(app, Request::get("/login").body(Body::empty()).unwrap()).await;
    let login_cookie = cookie_value(&page.headers, "nianbao_login").unwrap();
    let token = between(&page.body, "name=\"csrf\" value=\"", "\"").unwrap().to_string();
    let body = format!("name={}&password={}&csrf={}&next=%2Freports", enc(name), enc(password), token);
    send(
        app,
        Request::post("/login")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::COOKIE, format!("nianbao_login={login_cookie}"))
            .body(Body::from(body))
            .unwrap(),
    )
    .await
}

/// The session a successful login answer `r` opened, its CSRF token read from the page `page`.
pub async fn session_of(app: &Router, r: &Resp, page: &str) -> Session {
    let cookie = format!("nianbao_session={}", cookie_value(&r.headers, "nianbao_session").unwrap());
    let page = send(app, Request::get(page).header(header::COOKIE, &cookie).body(Body::empty()).unwrap()).await;
    let csrf = between(&page.body, "data-csrf=\"", "\"").unwrap().to_string();
    Session { cookie, csrf }
}

pub async fn get(app: &Router, s: &Session, uri: &str) -> Resp {
    send(app, Request::get(uri).header(header::COOKIE, &s.cookie).body(Body::empty()).unwrap()).await
}

/// A multipart body with the given (field, file name, content) parts.
pub fn multipart(parts: &[(&str, Option<&str>, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "----nianbao-test-boundary";
    let mut body = Vec::new();
    for (name, file, content) in parts {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        match file {
            Some(f) => body.extend_from_slice(format!("Content-Disposition: form-data; name=\"{name}\"; filename=\"{f}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes()),
            None => body.extend_from_slice(format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes()),
        }
        body.extend_from_slice(content);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

pub fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap()
}
