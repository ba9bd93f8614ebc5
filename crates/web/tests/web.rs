//! The workbench through its router (tower's `oneshot`, no browser, no socket): login required,
//! CSRF refused, regions enforced, report content escaped, uploads limited, and a reviewer's
//! decision kept when the report is filed again or re-checked.

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use common::http::{between, cookie_value, enc, get, multipart, rt, send, session_of, try_login, Resp, Session};
use common::seeds;
use nianbao_store::web::Role;
use nianbao_store::Store;
use nianbao_web::{app, AppState, Config};
use std::path::{Path, PathBuf};
use http_body_util::BodyExt;
use tower::ServiceExt;

fn tempdir(name: &str) -> PathBuf {
    common::http::tempdir("web", name)
}

struct Env {
    app: Router,
    store: Store,
    dir: PathBuf,
}

/// A database with the five seed files (copied, so they can be changed), an administrator, and
/// a reviewer for 东阿县人民政府 (whose 办公室 is its department).
async fn setup(name: &str) -> Env {
    setup_with(name, |_| {}).await
}

/// `setup`, with the server's configuration changed by `tune`.
async fn setup_with(name: &str, tune: impl FnOnce(&mut Config)) -> Env {
    let dir = tempdir(name);
    let store = Store::open(dir.join("w.db").to_str().unwrap()).await.unwrap();
    common::seed_store(&store, &dir).await;
    let region = store.find_agency("东阿县人民政府").await.unwrap();
    store.add_user("admin", &nianbao_web::auth::hash_password("admin-password").unwrap(), Role::Admin, None).await.unwrap();
    store.add_user("dong", &nianbao_web::auth::hash_password("dong-password").unwrap(), Role::Reviewer, Some(region)).await.unwrap();
    let mut config = Config::new(dir.join("uploads"));
    tune(&mut config);
    let state = AppState { store: store.clone(), config: std::sync::Arc::new(config) };
    Env { app: app(state), store, dir }
}

async fn login(app: &Router, name: &str, password: &str) -> Session {
    let r = try_login(app, name, password).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let set = r.headers.get_all(header::SET_COOKIE).iter().map(|v| v.to_str().unwrap().to_string()).collect::<Vec<_>>();
    assert!(set.iter().any(|c| c.starts_with("nianbao_session=") && c.contains("HttpOnly") && c.contains("SameSite=Strict")), "{set:?}");
    session_of(app, &r, "/upload").await
}

async fn post_form(app: &Router, s: &Session, uri: &str, body: &str) -> Resp {
    send(
        app,
        Request::post(uri).header(header::COOKIE, &s.cookie).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded").body(Body::from(body.to_string())).unwrap(),
    )
    .await
}

async fn upload(app: &Router, s: &Session, parts: &[(&str, Option<&str>, &[u8])], json: bool) -> Resp {
    let (ctype, body) = multipart(parts);
    let mut req = Request::post("/upload").header(header::COOKIE, &s.cookie).header(header::CONTENT_TYPE, ctype);
    if json {
        req = req.header(header::ACCEPT, "application/json");
    }
    send(app, req.body(Body::from(body)).unwrap()).await
}

async fn report_id(store: &Store, agency: &str, year: i32) -> i64 {
    let a = store.find_agency(agency).await.unwrap();
    store.report_for(a, year).await.unwrap().unwrap().id
}

#[test]
fn login_is_required() {
    rt().block_on(async {
        let env = setup("login").await;
        let r = send(&env.app, Request::get("/reports").body(Body::empty()).unwrap()).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(r.headers.get(header::LOCATION).unwrap(), "/login?next=/reports");
        let r = send(&env.app, Request::get("/api/reports").body(Body::empty()).unwrap()).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        assert!(r.body.contains("请先登录"));
        // A wrong password gives the form again, with no session.
        let r = try_login(&env.app, "admin", "wrong-password").await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.contains("用户名或密码不正确"));
        assert!(cookie_value(&r.headers, "nianbao_session").is_none());
        let r = try_login(&env.app, "nobody", "admin-password").await;
        assert!(r.body.contains("用户名或密码不正确"));
        // A forged session cookie is not a session.
        let r = send(&env.app, Request::get("/reports").header(header::COOKIE, "nianbao_session=00ff").body(Body::empty()).unwrap()).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        // Signed in: the pages answer; after logging out the cookie no longer works.
        let s = login(&env.app, "admin", "admin-password").await;
        let r = get(&env.app, &s, "/reports").await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.contains("太原市小店区人民政府") && r.body.contains("东阿县人民政府办公室"));
        let r = post_form(&env.app, &s, "/logout", &format!("csrf={}", s.csrf)).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let r = get(&env.app, &s, "/reports").await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        // Only a local path is followed after login.
        let page = send(&env.app, Request::get("/login?next=//evil.example/x").body(Body::empty()).unwrap()).await;
        assert!(page.body.contains("name=\"next\" value=\"/\""), "{}", page.body);
    });
}

#[test]
fn posts_without_the_csrf_token_are_refused() {
    rt().block_on(async {
        let env = setup("csrf").await;
        let s = login(&env.app, "admin", "admin-password").await;
        let id = report_id(&env.store, "桦甸市统计局", 2020).await;
        let findings = env.store.findings_of(id).await.unwrap();
        let f = &findings[0];
        let uri = format!("/reports/{id}/findings/{}/decision", f.id);
        for body in ["status=dismissed&comment=x".to_string(), "status=dismissed&comment=x&csrf=0123".to_string(), format!("status=dismissed&csrf={}x", s.csrf)] {
            let r = post_form(&env.app, &s, &uri, &body).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{body}");
            assert!(r.body.contains("CSRF"));
        }
        assert!(env.store.decisions_for(std::slice::from_ref(&f.key)).await.unwrap().is_empty(), "nothing stored");
        // Another session's token does not work either.
        let other = login(&env.app, "dong", "dong-password").await;
        let r = post_form(&env.app, &s, &uri, &format!("status=dismissed&csrf={}", other.csrf)).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        // An upload without the token stores nothing.
        let before = env.store.counts().await.unwrap();
        let r = upload(&env.app, &s, &[("files", Some("a.txt"), "一、总体情况".as_bytes())], false).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert_eq!(env.store.counts().await.unwrap(), before);
        // Logging in needs the login form's own token.
        let r = send(
            &env.app,
            Request::post("/login").header(header::CONTENT_TYPE, "application/x-www-form-urlencoded").body(Body::from("name=admin&password=admin-password&csrf=abc")).unwrap(),
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        // With the token the decision is stored.
        let r = post_form(&env.app, &s, &uri, &format!("status=confirmed&comment=ok&csrf={}", s.csrf)).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(env.store.decisions_for(std::slice::from_ref(&f.key)).await.unwrap()[&f.key].status, "confirmed");
    });
}

#[test]
fn a_reviewer_sees_only_its_region() {
    rt().block_on(async {
        let env = setup("region").await;
        let s = login(&env.app, "dong", "dong-password").await;
        let list = get(&env.app, &s, "/reports").await;
        assert!(list.body.contains("东阿县人民政府办公室"));
        assert!(!list.body.contains("太原市小店区人民政府") && !list.body.contains("桦甸市统计局"), "other regions are not listed");
        let api = get(&env.app, &s, "/api/reports").await;
        let v: serde_json::Value = serde_json::from_str(&api.body).unwrap();
        assert_eq!(v["total"], 4, "the four years of 东阿县人民政府办公室");
        let mine = report_id(&env.store, "东阿县人民政府办公室", 2021).await;
        let theirs = report_id(&env.store, "太原市小店区人民政府", 2023).await;
        assert_eq!(get(&env.app, &s, &format!("/reports/{mine}")).await.status, StatusCode::OK);
        for uri in [format!("/reports/{theirs}"), format!("/api/reports/{theirs}")] {
            let r = get(&env.app, &s, &uri).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{uri}");
            assert!(!r.body.contains("太原市小店区人民政府"));
        }
        let agency = env.store.find_agency("太原市小店区人民政府").await.unwrap();
        assert_eq!(get(&env.app, &s, &format!("/agencies/{agency}")).await.status, StatusCode::FORBIDDEN);
        assert_eq!(get(&env.app, &s, &format!("/export?format=xlsx&agency={agency}")).await.status, StatusCode::FORBIDDEN);
        assert_eq!(get(&env.app, &s, &format!("/dashboard?region={agency}")).await.status, StatusCode::FORBIDDEN);
        let f = env.store.findings_of(theirs).await.unwrap();
        let r = post_form(&env.app, &s, &format!("/reports/{theirs}/findings/{}/decision", f[0].id), &format!("status=dismissed&csrf={}", s.csrf)).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        // The dashboard is the reviewer's region.
        let d = get(&env.app, &s, "/api/dashboard?year=2022").await;
        let v: serde_json::Value = serde_json::from_str(&d.body).unwrap();
        assert_eq!(v["region"], "东阿县人民政府");
        assert!(d.body.contains("东阿县人民政府办公室") && !d.body.contains("小店区"));
        // The administrator sees everything.
        let admin = login(&env.app, "admin", "admin-password").await;
        assert_eq!(get(&env.app, &admin, &format!("/reports/{theirs}")).await.status, StatusCode::OK);
        let v: serde_json::Value = serde_json::from_str(&get(&env.app, &admin, "/api/reports").await.body).unwrap();
        assert_eq!(v["total"], 8);
    });
}

#[test]
fn an_agency_account_sees_its_own_reports_and_decides_nothing() {
    rt().block_on(async {
        let env = setup("agency").await;
        let own = env.store.find_agency("东阿县人民政府办公室").await.unwrap();
        env.store.add_user("dongban", &nianbao_web::auth::hash_password("dongban-password").unwrap(), Role::Agency, Some(own)).await.unwrap();
        let s = login(&env.app, "dongban", "dongban-password").await;
        let v: serde_json::Value = serde_json::from_str(&get(&env.app, &s, "/api/reports").await.body).unwrap();
        assert_eq!(v["total"], 4, "the four years of its own agency");
        let mine = report_id(&env.store, "东阿县人民政府办公室", 2021).await;
        let theirs = report_id(&env.store, "太原市小店区人民政府", 2023).await;
        assert_eq!(get(&env.app, &s, &format!("/reports/{mine}")).await.status, StatusCode::OK);
        assert_eq!(get(&env.app, &s, &format!("/reports/{theirs}")).await.status, StatusCode::FORBIDDEN);
        // The office's work is refused even on its own report.
        let f = env.store.findings_of(mine).await.unwrap();
        assert!(!f.is_empty());
        let r = post_form(&env.app, &s, &format!("/reports/{mine}/findings/{}/decision", f[0].id), &format!("status=dismissed&csrf={}", s.csrf)).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert_eq!(env.store.decisions_for(&[]).await.unwrap().len(), 0);
        for uri in ["/dashboard", "/api/dashboard", "/users", "/export?format=csv"] {
            let r = get(&env.app, &s, uri).await;
            assert!(r.status == StatusCode::FORBIDDEN, "{uri}: {}", r.status);
        }
        assert_eq!(get(&env.app, &s, &format!("/agencies/{own}/notice?year=2021")).await.status, StatusCode::FORBIDDEN);
    });
}

#[test]
fn report_content_is_escaped() {
    rt().block_on(async {
        let env = setup("escape").await;
        let s = login(&env.app, "admin", "admin-password").await;
        let text = std::fs::read_to_string(seeds().join("003_5726aaf970dd957d.txt")).unwrap();
        let evil = text.replacen("一、总体情况", "一、总体情况\n<script>alert(\"x\")</script><img src=x onerror=alert(1)>", 1);
        assert_ne!(evil, text);
        let r = upload(&env.app, &s, &[("csrf", None, s.csrf.as_bytes()), ("files", Some("evil<b>.txt"), evil.as_bytes())], true).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
        let result = &v["results"][0];
        assert_eq!(result["ok"], true, "{result}");
        assert_eq!(result["file"], "evil_b_.txt", "the name is made safe");
        let id = result["reports"][0]["id"].as_i64().unwrap();
        let page = get(&env.app, &s, &format!("/reports/{id}")).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(!page.body.contains("<script>alert") && !page.body.contains("<img src=x"), "report text must never be markup");
        assert!(page.body.contains("&#60;script&#62;alert(") || page.body.contains("&lt;script&gt;alert("), "the text is shown, escaped");
        let csp = page.headers.get(header::CONTENT_SECURITY_POLICY).unwrap().to_str().unwrap();
        assert!(csp.contains("script-src 'self'"));
        // The results page of a plain form post escapes too.
        let r = upload(&env.app, &s, &[("csrf", None, s.csrf.as_bytes()), ("text_name", None, "<i>x</i>".as_bytes()), ("text", None, evil.as_bytes())], false).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(!r.body.contains("<i>x</i>") && !r.body.contains("<script>alert"));
    });
}

#[test]
fn uploads_are_limited_in_size_and_type() {
    rt().block_on(async {
        let env = setup("limits").await;
        let s = login(&env.app, "admin", "admin-password").await;
        let big = vec![b'a'; nianbao_web::MAX_FILE_BYTES + 1];
        let r = upload(&env.app, &s, &[("csrf", None, s.csrf.as_bytes()), ("files", Some("big.txt"), &big), ("files", Some("tool.exe"), b"MZ"), ("files", Some("good.txt"), "一、总体情况\n".as_bytes())], true).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
        let results = v["results"].as_array().unwrap();
        let by = |f: &str| results.iter().find(|r| r["file"] == f).unwrap().clone();
        assert_eq!(by("big.txt")["ok"], false);
        assert!(by("big.txt")["message"].as_str().unwrap().contains("20 MB"));
        assert_eq!(by("tool.exe")["ok"], false);
        assert!(by("tool.exe")["message"].as_str().unwrap().contains("不支持的文件类型"));
        assert!(by("good.txt")["message"].is_string());
        assert!(!env.dir.join("uploads").join("big.txt").exists() && !env.dir.join("uploads").join("tool.exe").exists());
    });
}

#[test]
fn a_dismissal_survives_refiling_and_rechecks() {
    rt().block_on(async {
        let env = setup("dismiss").await;
        let s = login(&env.app, "admin", "admin-password").await;
        let id = report_id(&env.store, "东阿县人民政府办公室", 2020).await;
        let findings = env.store.findings_of(id).await.unwrap();
        let f = findings.iter().find(|f| f.rule == "A302").expect("the 2020 report has a wrong total");
        let r = post_form(&env.app, &s, &format!("/reports/{id}/findings/{}/decision", f.id), &format!("status=dismissed&comment=%E5%B7%B2%E6%A0%B8%E5%AE%9E&csrf={}", s.csrf)).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let page = get(&env.app, &s, &format!("/reports/{id}")).await;
        assert!(page.body.contains("不是问题（误报）") && page.body.contains("已核实"));
        // The highlighted cell of the error is drawn.
        assert!(page.body.contains("class=\"hl err\""), "a cell of the error is highlighted");

        // Re-check: findings are replaced (new ids), the decision stays.
        let r = post_form(&env.app, &s, &format!("/reports/{id}/recheck"), &format!("csrf={}", s.csrf)).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let after = env.store.findings_of(id).await.unwrap();
        assert!(after.iter().all(|g| g.id != f.id), "the re-check wrote new finding rows");
        let api: serde_json::Value = serde_json::from_str(&get(&env.app, &s, &format!("/api/reports/{id}")).await.body).unwrap();
        let same = api["findings"].as_array().unwrap().iter().find(|g| g["key"] == f.key.as_str()).expect("the finding is found again");
        assert_eq!(same["decision"]["status"], "dismissed");

        // The file changes and is filed again: a new version, a new report, the same decision.
        let file = env.dir.join("files").join("000_f1bcb5344c0ff0ec.txt");
        let mut text = std::fs::read_to_string(&file).unwrap();
        text.push_str("\n\n");
        std::fs::write(&file, text).unwrap();
        env.store.ingest(std::slice::from_ref(&file), false).await.unwrap();
        let new_id = report_id(&env.store, "东阿县人民政府办公室", 2020).await;
        assert_ne!(new_id, id, "a new version of the report");
        let api: serde_json::Value = serde_json::from_str(&get(&env.app, &s, &format!("/api/reports/{new_id}")).await.body).unwrap();
        let same = api["findings"].as_array().unwrap().iter().find(|g| g["key"] == f.key.as_str()).expect("the finding is found again");
        assert_eq!(same["decision"]["status"], "dismissed");
        assert_eq!(same["decision"]["comment"], "已核实");
        let list: serde_json::Value = serde_json::from_str(&get(&env.app, &s, "/api/reports?year=2020&q=%E4%B8%9C%E9%98%BF").await.body).unwrap();
        assert_eq!(list["reports"][0]["review"], "审核中");
    });
}

#[test]
fn pages_assets_api_and_exports() {
    rt().block_on(async {
        let env = setup("pages").await;
        let s = login(&env.app, "admin", "admin-password").await;
        for uri in ["/reports?year=2022&sort=-errors", "/reports?q=%E4%B8%9C%E9%98%BF&status=errors", "/upload", "/dashboard", "/dashboard?year=2020"] {
            let r = get(&env.app, &s, uri).await;
            assert_eq!(r.status, StatusCode::OK, "{uri}: {}", r.body);
            assert!(r.body.contains("lang=\"zh-CN\""));
        }
        let agency = env.store.find_agency("东阿县人民政府办公室").await.unwrap();
        let r = get(&env.app, &s, &format!("/agencies/{agency}")).await;
        assert!(r.body.contains("2020 年") && r.body.contains("2023 年") && r.body.contains("正文相似度"));
        let d = get(&env.app, &s, "/dashboard?year=2022").await;
        assert!(d.body.contains("/assets/echarts.min.js") && d.body.contains("data-chart=\""));
        let js = send(&env.app, Request::get("/assets/echarts.min.js").body(Body::empty()).unwrap()).await;
        assert_eq!(js.status, StatusCode::OK);
        assert!(js.body.len() > 500_000 && js.body.len() < 1_200_000, "ECharts is embedded");
        let api = send(&env.app, Request::get("/api/openapi.json").body(Body::empty()).unwrap()).await;
        let v: serde_json::Value = serde_json::from_str(&api.body).unwrap();
        assert!(v["paths"]["/api/reports/{id}"].is_object());
        let x = get(&env.app, &s, "/export?format=xlsx&year=2022").await;
        assert_eq!(x.status, StatusCode::OK);
        assert!(x.headers.get(header::CONTENT_DISPOSITION).unwrap().to_str().unwrap().contains("attachment"));
        // Pages with data are never cached; the embedded assets are.
        assert_eq!(d.headers.get(header::CACHE_CONTROL).unwrap(), "no-store");
        assert_eq!(get(&env.app, &s, "/api/reports").await.headers.get(header::CACHE_CONTROL).unwrap(), "no-store");
        assert!(js.headers.get(header::CACHE_CONTROL).unwrap().to_str().unwrap().starts_with("public"));
        let c = get(&env.app, &s, "/export?format=csv").await;
        assert!(c.body.starts_with("\u{feff}agency,parent,year"));
        assert_eq!(get(&env.app, &s, "/reports/999999").await.status, StatusCode::NOT_FOUND);
    });
}

/// The text of `word/document.xml` in a DOCX.
fn docx_text(bytes: &[u8]) -> String {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("the notice is a zip package");
    let mut xml = String::new();
    zip.by_name("word/document.xml").expect("word/document.xml").read_to_string(&mut xml).unwrap();
    xml
}

async fn get_bytes(app: &Router, s: &Session, uri: &str) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
    let r = app.clone().oneshot(Request::get(uri).header(header::COOKIE, &s.cookie).body(Body::empty()).unwrap()).await.unwrap();
    let (status, headers) = (r.status(), r.headers().clone());
    (status, headers, r.into_body().collect().await.unwrap().to_bytes().to_vec())
}

#[test]
fn the_rectification_notice_lists_only_the_confirmed_problems() {
    rt().block_on(async {
        let env = setup("notice").await;
        let s = login(&env.app, "dong", "dong-password").await;
        let id = report_id(&env.store, "东阿县人民政府办公室", 2020).await;
        let agency = env.store.find_agency("东阿县人民政府办公室").await.unwrap();
        let page = get(&env.app, &s, &format!("/reports/{id}")).await;
        let link = format!("/agencies/{agency}/notice?year=2020");
        assert!(page.body.contains(&format!("href=\"{link}\">下载整改通知</a>")), "the report page links the notice");

        let errors: Vec<_> = env.store.findings_of(id).await.unwrap().into_iter().filter(|f| f.severity == "error").collect();
        assert!(errors.len() >= 2, "the 2020 report has errors");
        // Nothing confirmed yet: the letter lists nothing.
        let xml = docx_text(&get_bytes(&env.app, &s, &link).await.2);
        for f in &errors {
            assert!(!xml.contains(&format!(">{}<", f.rule)), "{} is not confirmed yet", f.rule);
        }
        // The errors confirmed at once (a batch decision); only they are listed.
        let picks: String = errors.iter().map(|f| format!("&f={}", f.id)).collect();
        let r = post_form(&env.app, &s, &format!("/reports/{id}/decisions"), &format!("status=confirmed&comment=&csrf={}{picks}", s.csrf)).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let (status, headers, bytes) = get_bytes(&env.app, &s, &link).await;
        assert_eq!(status, StatusCode::OK);
        assert!(headers[header::CONTENT_TYPE].to_str().unwrap().contains("wordprocessingml"));
        assert!(headers[header::CONTENT_DISPOSITION].to_str().unwrap().contains("attachment"));
        let xml = docx_text(&bytes);
        for want in ["关于东阿县人民政府办公室2020年政府信息公开工作年度报告问题的整改通知", "东阿县人民政府办公室：", "表三“", "东阿县人民政府"] {
            assert!(xml.contains(want), "the notice says {want}");
        }
        // Places in the agency's terms, never the reader's line numbers.
        assert!(xml.contains("行“总计”") && !xml.contains("原文第"), "places in agency terms");
        for f in &errors {
            assert!(xml.contains(&format!(">{}<", f.rule)), "the notice lists {}", f.rule);
        }
        assert!(xml.contains(&format!("{} 处错误", errors.len())));
        assert!(!xml.contains("尚未经审核人员确认"), "no unreviewed finding in the letter");
        let warnings: Vec<_> = env.store.findings_of(id).await.unwrap().into_iter().filter(|f| f.severity == "warning").collect();
        if let Some(w) = warnings.first() {
            // On purpose, the undecided ones too: each is marked as such.
            let xml = docx_text(&get_bytes(&env.app, &s, &format!("{link}&unreviewed=1")).await.2);
            assert!(xml.contains(&format!(">{}<", w.rule)) && xml.contains("尚未经审核人员确认"));
        }

        // A dismissed finding leaves the list; it is only counted.
        let a302 = errors.iter().find(|f| f.rule == "A302").expect("A302");
        let r = post_form(&env.app, &s, &format!("/reports/{id}/findings/{}/decision", a302.id), &format!("status=dismissed&comment=x&csrf={}", s.csrf)).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let xml = docx_text(&get_bytes(&env.app, &s, &link).await.2);
        assert!(!xml.contains(">A302<"), "the dismissed finding is not listed");
        assert!(xml.contains("另有 1 处经审核确认不属于问题"));
        assert!(xml.contains(&format!("{} 处错误", errors.len() - 1)));

        // Another region's agency: refused; a year without a report: a Chinese error.
        let (status, _, body) = get_bytes(&env.app, &s, &format!("/agencies/{agency}/notice?year=1999")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(String::from_utf8_lossy(&body).contains("没有 1999 年度的报告"));
        let admin = login(&env.app, "admin", "admin-password").await;
        let list: serde_json::Value = serde_json::from_str(&get(&env.app, &admin, "/api/reports?limit=100").await.body).unwrap();
        let outside = list["reports"].as_array().unwrap().iter().filter(|r| !r["agency"].as_str().unwrap_or("").starts_with("东阿")).find_map(|r| r["agency_id"].as_i64()).expect("an agency outside the region");
        let (status, _, _) = get_bytes(&env.app, &s, &format!("/agencies/{outside}/notice")).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    });
}

#[test]
fn an_administrator_manages_accounts() {
    rt().block_on(async {
        let env = setup("users").await;
        let admin = login(&env.app, "admin", "admin-password").await;
        // A reviewer may not see or change accounts.
        let dong = login(&env.app, "dong", "dong-password").await;
        let r = get(&env.app, &dong, "/users").await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert!(r.body.contains("仅管理员"));
        assert!(!get(&env.app, &dong, "/reports").await.body.contains("href=\"/users\""), "no menu entry for a reviewer");
        let r = post_form(&env.app, &dong, "/users", &format!("name=x&password=12345678&role=admin&csrf={}", dong.csrf)).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);

        // The administrator adds a reviewer for 东阿县人民政府 through the form.
        let page = get(&env.app, &admin, "/users").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("data-user=\"dong\"") && page.body.contains("href=\"/users\""));
        let bad = [
            (format!("name=wang&password=short&role=reviewer&region={}", enc("东阿县人民政府")), "密码至少 12 个字符"),
            (format!("name=wang&password={}&role=reviewer&region={}", enc("            "), enc("东阿县人民政府")), "不能为空白"),
            (format!("name=wang&password=password1234&role=reviewer&region={}", enc("东阿县人民政府")), "常见密码"),
            ("name=wang&password=Tz8qLm2vRw9x&role=reviewer&region=".to_string(), "需要指定负责的区域"),
            (format!("name=wang&password=Tz8qLm2vRw9x&role=reviewer&region={}", enc("不存在的机关")), "没有机关“不存在的机关”"),
            (format!("name=dong&password=Tz8qLm2vRw9x&role=reviewer&region={}", enc("东阿县人民政府")), "已存在"),
        ];
        for (body, message) in bad {
            let r = post_form(&env.app, &admin, "/users", &format!("{body}&csrf={}", admin.csrf)).await;
            assert_eq!(r.status, StatusCode::BAD_REQUEST, "{body}");
            assert!(r.body.contains(message), "{body}: {}", r.body);
        }
        let r = post_form(&env.app, &admin, "/users", &format!("name=wang&password=river-east-pass-7&role=reviewer&region={}&csrf={}", enc("东阿县人民政府"), admin.csrf)).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let wang = login(&env.app, "wang", "river-east-pass-7").await;
        let list = get(&env.app, &wang, "/reports").await.body;
        assert!(list.contains("东阿县人民政府办公室") && !list.contains("太原市小店区人民政府"), "the new reviewer sees its region only");

        // A new password ends the sessions; the old password no longer works.
        let id = env.store.list_users().await.unwrap().into_iter().find(|u| u.user.name == "wang").unwrap().user.id;
        let r = post_form(&env.app, &admin, &format!("/users/{id}/password"), &format!("password=new-password-1&csrf={}", admin.csrf)).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(get(&env.app, &wang, "/reports").await.status, StatusCode::SEE_OTHER, "the old session ended");
        assert!(try_login(&env.app, "wang", "river-east-pass-7").await.body.contains("用户名或密码不正确"));
        let wang = login(&env.app, "wang", "new-password-1").await;

        // Disabled: the session ends and the login fails; enabled again: it works.
        let r = post_form(&env.app, &admin, &format!("/users/{id}/disabled"), &format!("disable=1&csrf={}", admin.csrf)).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(get(&env.app, &wang, "/reports").await.status, StatusCode::SEE_OTHER);
        assert!(try_login(&env.app, "wang", "new-password-1").await.body.contains("用户名或密码不正确"));
        assert!(get(&env.app, &admin, "/users").await.body.contains("已停用"));
        let r = post_form(&env.app, &admin, &format!("/users/{id}/disabled"), &format!("disable=0&csrf={}", admin.csrf)).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        login(&env.app, "wang", "new-password-1").await;

        // Made an administrator: sees everything. An administrator cannot disable or demote itself.
        let r = post_form(&env.app, &admin, &format!("/users/{id}/role"), &format!("role=admin&region=&csrf={}", admin.csrf)).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let wang = login(&env.app, "wang", "new-password-1").await;
        assert!(get(&env.app, &wang, "/reports").await.body.contains("太原市小店区人民政府"));
        let me = env.store.list_users().await.unwrap().into_iter().find(|u| u.user.name == "admin").unwrap().user.id;
        let r = post_form(&env.app, &admin, &format!("/users/{me}/disabled"), &format!("disable=1&csrf={}", admin.csrf)).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        let r = post_form(&env.app, &admin, &format!("/users/{me}/role"), &format!("role=reviewer&region={}&csrf={}", enc("东阿县人民政府"), admin.csrf)).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        // Without the CSRF token nothing changes.
        let r = post_form(&env.app, &admin, &format!("/users/{id}/disabled"), "disable=1").await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert!(!env.store.list_users().await.unwrap().iter().any(|u| u.disabled));
    });
}

/// The seed report of 太原市小店区人民政府 made into another agency's (a region of its own).
fn report_of(agency: &str) -> String {
    std::fs::read_to_string(seeds().join("003_5726aaf970dd957d.txt")).unwrap().replace("太原市小店区人民政府", agency)
}

async fn table_count(store: &Store, table: &str) -> i64 {
    use sqlx::Row;
    sqlx::query(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}"))).fetch_one(&store.pool).await.unwrap().get::<i64, _>(0)
}

#[test]
fn a_reviewer_upload_never_touches_another_region() {
    rt().block_on(async {
        let env = setup("cross-region").await;
        let admin = login(&env.app, "admin", "admin-password").await;
        let dong = login(&env.app, "dong", "dong-password").await;
        // The administrator files a region-2 report under a name every agency uses.
        let theirs = report_of("太原市迎泽区人民政府");
        let r = upload(&env.app, &admin, &[("csrf", None, admin.csrf.as_bytes()), ("files", Some("2024年报告.txt"), theirs.as_bytes())], true).await;
        let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
        assert_eq!(v["results"][0]["ok"], true, "{}", r.body);
        let theirs_id = v["results"][0]["reports"][0]["id"].as_i64().unwrap();
        // rev1 files its own agency's, different report under the same name.
        let mine = std::fs::read_to_string(seeds().join("000_f1bcb5344c0ff0ec.txt")).unwrap() + "\n（更正稿）\n";
        let r = upload(&env.app, &dong, &[("csrf", None, dong.csrf.as_bytes()), ("files", Some("2024年报告.txt"), mine.as_bytes())], true).await;
        let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
        assert_eq!(v["results"][0]["ok"], true, "{}", r.body);
        assert!(v["results"][0]["reports"].as_array().unwrap().iter().all(|r| r["agency"] == "东阿县人民政府办公室" && r["visible"] == true), "{}", r.body);
        // Region 2's report is still current and its page shows its own text.
        let detail = env.store.report_detail(theirs_id).await.unwrap().unwrap();
        assert!(detail.is_current, "region 2's report stays current");
        let page = get(&env.app, &admin, &format!("/reports/{theirs_id}")).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("太原市迎泽区人民政府") && !page.body.contains("更正稿") && !page.body.contains("东阿县人民政府办公室按照"), "the page shows region 2's own file");
        // Stored by content: two files, neither under the uploaded name.
        assert!(!env.dir.join("uploads").join("2024年报告.txt").exists());

        // A report of another region's agency, or of an agency not in the tree: refused, and
        // nothing is written (no file, no report, no new top-level agency).
        let (agencies, files) = (table_count(&env.store, "agencies").await, table_count(&env.store, "source_files").await);
        for (name, text) in [("2024年报告.txt", report_of("太原市迎泽区人民政府") + "\n改\n"), ("外区.txt", report_of("某某县水利局"))] {
            let r = upload(&env.app, &dong, &[("csrf", None, dong.csrf.as_bytes()), ("files", Some(name), text.as_bytes())], true).await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
            let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
            assert_eq!(v["results"][0]["ok"], false, "{}", r.body);
            assert!(v["results"][0]["message"].as_str().unwrap().contains("不在您负责的区域内"), "{}", r.body);
        }
        assert_eq!(table_count(&env.store, "agencies").await, agencies, "no agency was created");
        assert_eq!(table_count(&env.store, "source_files").await, files, "nothing was stored");
        assert!(env.store.find_agency("某某县水利局").await.is_err());
        assert!(env.store.report_detail(theirs_id).await.unwrap().unwrap().is_current);

        // A long CJK file name and an unreadable file: clear answers, no server path, no 500.
        let long = format!("{}.txt", "东阿县人民政府办公室关于二〇二四年度政府信息公开工作年度报告的更正说明".repeat(3));
        assert!(long.chars().count() > 84);
        let broken = format!("{}.pdf", "损坏的文件名很长".repeat(12));
        let r = upload(
            &env.app,
            &admin,
            &[("csrf", None, admin.csrf.as_bytes()), ("files", Some(&long), (mine.clone() + "\n再改\n").as_bytes()), ("files", Some(&broken), b"%PDF-1.4 garbage")],
            true,
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
        assert_eq!(v["results"][0]["ok"], true, "{}", r.body);
        assert_eq!(v["results"][1]["ok"], false, "{}", r.body);
        let dir = env.dir.display().to_string();
        assert!(!r.body.contains(&dir) && !r.body.contains("/tmp"), "no server path: {}", r.body);
    });
}

#[test]
fn logins_are_answered_while_an_upload_is_parsed() {
    use std::sync::mpsc;
    let (started_tx, started_rx) = mpsc::channel::<()>();
    let (release_tx, release_rx) = mpsc::channel::<()>();
    let release_rx = std::sync::Mutex::new(release_rx);
    // The parse of `slow.txt` waits for the test's signal (at most 60 s, so a broken server
    // fails the test instead of hanging it).
    let hook = nianbao_web::guard::ParseHook(std::sync::Arc::new(move |name: &str| {
        if name == "slow.txt" {
            let _ = started_tx.send(());
            let _ = release_rx.lock().unwrap().recv_timeout(std::time::Duration::from_secs(60));
        }
    }));
    // One runtime thread: a parse on it would stop every other request.
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
    rt.block_on(async move {
        let env = setup_with("slow-parse", |c| c.parse_hook = Some(hook)).await;
        let admin = login(&env.app, "admin", "admin-password").await;
        let text = report_of("太原市迎泽区人民政府");
        let app = env.app.clone();
        let csrf = admin.csrf.clone();
        let uploading = tokio::spawn(async move { upload(&app, &admin, &[("csrf", None, csrf.as_bytes()), ("files", Some("slow.txt"), text.as_bytes())], true).await });
        tokio::task::spawn_blocking(move || started_rx.recv_timeout(std::time::Duration::from_secs(60))).await.unwrap().expect("the parse started");
        // The parse is held: logins and pages are answered meanwhile, by the runtime's only
        // worker thread (a parse on it would hold them until the hook gives up).
        let app = env.app.clone();
        let answered = tokio::spawn(async move {
            let dong = login(&app, "dong", "dong-password").await;
            get(&app, &dong, "/reports").await.status
        })
        .await
        .unwrap();
        assert_eq!(answered, StatusCode::OK);
        assert!(!uploading.is_finished(), "the upload's parse is still in progress");
        release_tx.send(()).unwrap();
        let r = uploading.await.unwrap();
        let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
        assert_eq!(v["results"][0]["ok"], true, "{}", r.body);
    });
}

#[test]
fn a_full_parse_queue_answers_503() {
    use std::sync::mpsc;
    let (started_tx, started_rx) = mpsc::channel::<()>();
    let (release_tx, release_rx) = mpsc::channel::<()>();
    let release_rx = std::sync::Mutex::new(release_rx);
    let hook = nianbao_web::guard::ParseHook(std::sync::Arc::new(move |name: &str| {
        if name == "slow.txt" {
            let _ = started_tx.send(());
            let _ = release_rx.lock().unwrap().recv_timeout(std::time::Duration::from_secs(60));
        }
    }));
    rt().block_on(async move {
        let env = setup_with("queue", |c| {
            c.parse_hook = Some(hook);
            c.limits.parse_workers = 1;
            c.limits.parse_queue = 0;
        })
        .await;
        let admin = login(&env.app, "admin", "admin-password").await;
        let app = env.app.clone();
        let csrf = admin.csrf.clone();
        let uploading = tokio::spawn(async move { upload(&app, &admin, &[("csrf", None, csrf.as_bytes()), ("files", Some("slow.txt"), b"x")], true).await });
        tokio::task::spawn_blocking(move || started_rx.recv_timeout(std::time::Duration::from_secs(60))).await.unwrap().expect("the parse started");
        let s = login(&env.app, "dong", "dong-password").await;
        let r = upload(&env.app, &s, &[("csrf", None, s.csrf.as_bytes()), ("files", Some("b.txt"), b"y")], true).await;
        assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE, "{}", r.body);
        assert!(r.body.contains("服务器正忙"), "{}", r.body);
        release_tx.send(()).unwrap();
        assert_eq!(uploading.await.unwrap().status, StatusCode::OK);
    });
}

#[test]
fn wrong_passwords_lock_the_account_for_a_while() {
    rt().block_on(async {
        let env = setup_with("throttle", |c| c.limits.lock_base = std::time::Duration::from_millis(400)).await;
        for _ in 0..5 {
            let r = try_login(&env.app, "dong", "wrong-password").await;
            assert!(r.body.contains("用户名或密码不正确"), "{}", r.body);
        }
        // Locked: even the right password is refused, with no session.
        let r = try_login(&env.app, "dong", "dong-password").await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
        assert!(r.body.contains("登录失败次数过多"), "{}", r.body);
        assert!(cookie_value(&r.headers, "nianbao_session").is_none());
        // Another account is not locked.
        login(&env.app, "admin", "admin-password").await;
        // After the lock the right password works, and clears the count.
        tokio::time::sleep(std::time::Duration::from_millis(600)).await;
        login(&env.app, "dong", "dong-password").await;
        let r = try_login(&env.app, "dong", "wrong-password").await;
        assert_eq!(r.status, StatusCode::OK, "one failure after a success does not lock");
    });
}

#[test]
fn only_local_paths_are_followed_after_login() {
    rt().block_on(async {
        let env = setup("redirect").await;
        for (next, want) in [
            ("/%09/evil.example", "/"),
            ("//evil.example", "/"),
            ("/\\evil.example", "/"),
            ("/%5Cevil.example", "/"),
            ("/%2F/evil.example", "/"),
            ("https://evil.example/", "/"),
            ("/\t/evil.example", "/"),
            ("/ /evil.example", "/"),
            ("/reports?year=2022", "/reports?year=2022"),
            ("/login?next=/x", "/reports"),
        ] {
            let page = send(&env.app, Request::get("/login").body(Body::empty()).unwrap()).await;
            let login_cookie = cookie_value(&page.headers, "nianbao_login").unwrap();
            let token = between(&page.body, "name=\"csrf\" value=\"", "\"").unwrap().to_string();
            let body = format!("name=admin&password=admin-password&csrf={token}&next={}", enc(next));
            let r = send(
                &env.app,
                Request::post("/login")
                    .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .header(header::COOKIE, format!("nianbao_login={login_cookie}"))
                    .body(Body::from(body))
                    .unwrap(),
            )
            .await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{next}");
            assert_eq!(r.headers.get(header::LOCATION).unwrap(), want, "{next:?}");
        }
    });
}

/// Connections that never finish their headers are closed after the header timeout, one that
/// stops sending its body after the body timeout; the server still answers afterwards.
#[test]
fn slow_clients_are_cut_off() {
    use std::io::{Read, Write};
    rt().block_on(async {
        let env = setup("slowloris").await;
        let mut config = Config::new(env.dir.join("uploads"));
        config.limits.header_timeout = std::time::Duration::from_millis(500);
        config.limits.body_timeout = std::time::Duration::from_millis(500);
        config.limits.max_connections = 64;
        let state = AppState { store: env.store.clone(), config: std::sync::Arc::new(config) };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(nianbao_web::guard::serve_on(listener, state, std::future::pending()));
        let closed = tokio::task::spawn_blocking(move || {
            let mut conns = Vec::new();
            for i in 0..40 {
                let mut c = std::net::TcpStream::connect(addr).unwrap();
                if i % 2 == 0 {
                    c.write_all(b"GET /login HTTP/1.1\r\nHost: x\r\nX-Slow: ").unwrap();
                }
                conns.push(c);
            }
            // And one that sends its headers but stops in the middle of its body.
            let mut c = std::net::TcpStream::connect(addr).unwrap();
            c.write_all(b"POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\nname=a").unwrap();
            conns.push(c);
            let mut closed = 0;
            for mut c in conns {
                // A safety net only: the server closes long before.
                c.set_read_timeout(Some(std::time::Duration::from_secs(20))).unwrap();
                let mut buf = Vec::new();
                match c.read_to_end(&mut buf) {
                    Ok(_) => closed += 1,
                    Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => closed += 1,
                    Err(e) => panic!("connection still open: {e}"),
                }
            }
            // A complete request is still answered.
            let mut c = std::net::TcpStream::connect(addr).unwrap();
            c.write_all(b"GET /login HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").unwrap();
            let mut answer = String::new();
            c.read_to_string(&mut answer).unwrap();
            assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
            assert!(answer.to_lowercase().contains("cache-control: no-store"));
            closed
        })
        .await
        .unwrap();
        assert_eq!(closed, 41);
    });
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures")
}

#[test]
fn two_agencies_upload_the_same_file_name_and_both_stay_whole() {
    rt().block_on(async {
        let env = setup("samename").await;
        let s = login(&env.app, "admin", "admin-password").await;
        for sample in ["000000_2022.txt", "000002_2022.txt"] {
            let bytes = std::fs::read(fixtures().join("sample/reports").join(sample)).unwrap();
            let r = upload(&env.app, &s, &[("csrf", None, s.csrf.as_bytes()), ("files", Some("年报.txt"), &bytes)], true).await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
            assert!(!r.body.contains(env.dir.to_str().unwrap()), "no server path in the answer");
        }
        for name in ["东阿县人民政府", "东阿县民政局"] {
            let id = report_id(&env.store, name, 2022).await;
            let page = get(&env.app, &s, &format!("/reports/{id}")).await;
            assert_eq!(page.status, StatusCode::OK);
            assert!(page.body.contains(&format!("<h1>{name} 2022 年度报告</h1>")), "{name}'s page shows its own report");
            assert!(!page.body.contains("old-version"), "{name}'s report is current");
        }
        // The DOCX and the PDF of one report: one current report, two versions.
        for file in ["office/docx/002.docx", "office/pdf-chromium/002.pdf"] {
            let bytes = std::fs::read(fixtures().join(file)).unwrap();
            let name = file.rsplit('/').next().unwrap();
            let r = upload(&env.app, &s, &[("csrf", None, s.csrf.as_bytes()), ("files", Some(name), &bytes)], true).await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        }
        let pdf = env.store.file_result(&sha256_hex(&std::fs::read(fixtures().join("office/pdf-chromium/002.pdf")).unwrap())).await.unwrap().unwrap();
        let (_, agency, _, year, _, _) = pdf.reports[0].clone();
        let (agency, year) = (agency.unwrap(), year.unwrap());
        let versions = env.store.versions(agency, year).await.unwrap();
        assert!(versions.len() >= 3, "the seed's text, the DOCX and the PDF: {versions:?}");
        assert_eq!(versions.iter().filter(|v| v.is_current).count(), 1);
        let list: serde_json::Value = serde_json::from_str(&get(&env.app, &s, &format!("/api/reports?agency={agency}&year={year}")).await.body).unwrap();
        assert_eq!(list["total"], 1, "listed once");
        let page = get(&env.app, &s, &format!("/reports/{}", versions[0].report_id)).await;
        assert!(page.body.contains("id=\"old-version\"") && page.body.contains("设为当前版本"), "an older version says so");
    });
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// The cycle (整改闭环) through the router: an agency's pre-check, submission, the office's
/// return with a letter of the confirmed problems, the corrected version, approval, the board.
#[test]
fn an_agency_files_is_returned_corrects_and_is_approved() {
    rt().block_on(async {
        let env = setup("cycle").await;
        let agency = env.store.find_agency("太原市小店区人民政府").await.unwrap();
        env.store.add_user("xiaodian", &nianbao_web::auth::hash_password("xiaodian-password").unwrap(), Role::Agency, Some(agency)).await.unwrap();
        let me = login(&env.app, "xiaodian", "xiaodian-password").await;
        let office = login(&env.app, "admin", "admin-password").await;
        let clean = std::fs::read_to_string(seeds().join("003_5726aaf970dd957d.txt")).unwrap();
        let broken = clean.replace("(七)总计 | 49 | 3 |", "(七)总计 | 48 | 3 |");
        assert_ne!(broken, clean);
        let before = env.store.current_report(agency, 2023).await.unwrap();

        // Pre-check: stored with its findings, not current, not submitted.
        let r = upload(&env.app, &me, &[("csrf", None, me.csrf.as_bytes()), ("files", Some("年报.txt"), broken.as_bytes())], true).await;
        let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
        let draft = v["results"][0]["reports"][0]["id"].as_i64().unwrap_or_else(|| panic!("{}", r.body));
        assert!(v["results"][0]["message"].as_str().unwrap().contains("预检"));
        assert_eq!(env.store.current_report(agency, 2023).await.unwrap(), before, "a pre-check changes nothing");
        let list = get(&env.app, &me, "/reports").await;
        assert!(between(&list.body, "id=\"drafts\"", "</table>").expect("the agency's pre-checks are listed").contains(&format!("/reports/{draft}")));
        let page = get(&env.app, &me, &format!("/reports/{draft}")).await;
        assert!(page.body.contains("id=\"draft-note\"") && page.body.contains("id=\"submit-report\""));
        assert!(page.body.contains("A302"), "the agency sees the findings before submitting");
        assert!(!page.body.contains("id=\"approve\""), "an agency decides nothing");
        let r = post_form(&env.app, &me, &format!("/reports/{draft}/submit"), &format!("csrf={}", me.csrf)).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert_eq!(env.store.current_report(agency, 2023).await.unwrap(), Some(draft));
        // An agency cannot approve its own report.
        let r = post_form(&env.app, &me, &format!("/reports/{draft}/verdict"), &format!("verdict=approve&csrf={}", me.csrf)).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);

        // The office confirms the errors and returns the report.
        let errors: Vec<_> = env.store.findings_of(draft).await.unwrap().into_iter().filter(|f| f.severity == "error").collect();
        assert!(errors.iter().any(|f| f.rule == "A302"));
        let picks: String = errors.iter().map(|f| format!("&f={}", f.id)).collect();
        let r = post_form(&env.app, &office, &format!("/reports/{draft}/decisions"), &format!("status=confirmed&comment=%E8%AF%B7%E6%A0%B8%E5%AE%9E&csrf={}{picks}", office.csrf)).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let notice = format!("/agencies/{agency}/notice?year=2023");
        assert_eq!(get_bytes(&env.app, &me, &notice).await.0, StatusCode::FORBIDDEN, "no letter before a return");
        let r = post_form(&env.app, &office, &format!("/reports/{draft}/verdict"), &format!("verdict=return&comment=%E8%AF%B7%E6%95%B4%E6%94%B9&csrf={}", office.csrf)).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        // The office's letter settings, set once by an administrator, name the sender.
        let r = post_form(&env.app, &office, "/settings", &format!("office={}&number_pattern={}&deadline_days=10&contact=&phone=&signature=&csrf={}", enc("太原市政务公开办"), enc("并政公函〔{year}〕{seq}号"), office.csrf)).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let stored: serde_json::Value = serde_json::from_str(&env.store.office_settings().await.unwrap().unwrap()).unwrap();
        assert_eq!((stored["office"].as_str(), stored["deadline_days"].as_u64()), (Some("太原市政务公开办"), Some(10)));
        let reviewer = login(&env.app, "dong", "dong-password").await;
        assert_eq!(get(&env.app, &reviewer, "/settings").await.status, StatusCode::FORBIDDEN);
        // The region's letters at once: a ZIP with one DOCX per agency with confirmed problems.
        let (status, headers, bytes) = get_bytes(&env.app, &office, "/notices?year=2023").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(headers[header::CONTENT_TYPE], "application/zip");
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let names: Vec<String> = zip.file_names().map(|n| n.unwrap().to_string()).collect();
        assert_eq!(names, vec!["整改通知_太原市小店区人民政府.docx".to_string()], "only the agency with confirmed problems");
        let mut inner = Vec::new();
        std::io::Read::read_to_end(&mut zip.by_index(0).unwrap(), &mut inner).unwrap();
        let xml = docx_text(&inner);
        for f in &errors {
            assert!(xml.contains(&format!(">{}<", f.rule)), "the batch letter lists {}", f.rule);
        }
        assert!(!xml.contains(">S003<") && xml.contains("太原市政务公开办"));
        // Or one Word file with every letter.
        let (status, _, bytes) = get_bytes(&env.app, &office, "/notices?year=2023&format=merged").await;
        assert_eq!(status, StatusCode::OK);
        let merged = docx_text(&bytes);
        assert!(merged.contains("关于太原市小店区人民政府2023年政府信息公开工作年度报告问题的整改通知") && merged.contains(">A302<") && !merged.contains(">S003<"));
        // The lists filter by review status and by rule; the dashboard's tiles and rule rows lead there.
        let returned: serde_json::Value = serde_json::from_str(&get(&env.app, &office, "/api/reports?case=returned&year=all").await.body).unwrap();
        assert_eq!(returned["total"], 1);
        assert_eq!(returned["reports"][0]["id"], draft);
        let a302: serde_json::Value = serde_json::from_str(&get(&env.app, &office, "/api/reports?rule=A302&limit=100").await.body).unwrap();
        let ids: Vec<i64> = a302["reports"].as_array().unwrap().iter().map(|r| r["id"].as_i64().unwrap()).collect();
        assert!(ids.contains(&draft));
        for id in &ids {
            assert!(env.store.findings_of(*id).await.unwrap().iter().any(|f| f.rule == "A302"));
        }
        let all: serde_json::Value = serde_json::from_str(&get(&env.app, &office, "/api/reports?limit=100").await.body).unwrap();
        assert!(all["total"].as_i64().unwrap() > ids.len() as i64, "the rule filters");
        let dash = get(&env.app, &office, "/dashboard?year=2023").await;
        assert!(dash.body.contains("href=\"/board?year=2023&amp;status=none\"") && dash.body.contains("href=\"/reports?year=2023&amp;rule=A302\""), "tiles and rule rows are links");
        assert!(dash.body.contains("部门报告截止 2024年1月31日") && dash.body.contains("县级以上人民政府报告截止 2024年3月31日"), "the countdown");
        let page = get(&env.app, &me, &format!("/reports/{draft}")).await;
        assert!(page.body.contains("退回整改") && page.body.contains("请整改"), "the agency sees the decision");
        let (status, _, bytes) = get_bytes(&env.app, &me, &notice).await;
        assert_eq!(status, StatusCode::OK, "the agency reads its letter");
        let xml = docx_text(&bytes);
        for f in &errors {
            assert!(xml.contains(&format!(">{}<", f.rule)), "the letter lists the confirmed {}", f.rule);
        }
        assert!(!xml.contains(">S003<"), "an unreviewed warning is not in the letter");

        // The corrected version: pre-checked, submitted → 已重新提交; what was fixed is shown.
        let corrected = format!("{clean}\n");
        let r = upload(&env.app, &me, &[("csrf", None, me.csrf.as_bytes()), ("files", Some("年报.txt"), corrected.as_bytes())], true).await;
        let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
        let fixed = v["results"][0]["reports"][0]["id"].as_i64().unwrap_or_else(|| panic!("{}", r.body));
        let r = post_form(&env.app, &me, &format!("/reports/{fixed}/submit"), &format!("csrf={}", me.csrf)).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(env.store.case_of(agency, 2023).await.unwrap().unwrap().status, "resubmitted");
        let page = get(&env.app, &office, &format!("/reports/{fixed}")).await;
        assert!(page.body.contains("已重新提交"));
        let fixed_list = between(&page.body, "<ul id=\"fixed\">", "</ul>").expect("the fixed findings are listed");
        for f in &errors {
            assert!(fixed_list.contains(&f.rule), "{} is shown as fixed", f.rule);
        }
        assert!(page.body.contains("id=\"cell-changes\""), "the changed cells are listed");
        // Approved; the history says who did what.
        let r = post_form(&env.app, &office, &format!("/reports/{fixed}/verdict"), &format!("verdict=approve&csrf={}", office.csrf)).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let actions: Vec<String> = env.store.case_events(agency, 2023).await.unwrap().into_iter().map(|e| format!("{}:{}", e.action, e.user.unwrap_or_default())).collect();
        assert!(actions.ends_with(&["version:xiaodian".into(), "return:admin".into(), "resubmit:xiaodian".into(), "approve:admin".into()]), "{actions:?}");
        let page = get(&env.app, &me, &format!("/reports/{fixed}")).await;
        assert!(between(&page.body, "id=\"case-status\"", "</span>").unwrap().contains("通过"));

        // The board: every agency with its status; those without a report first.
        let board = get(&env.app, &office, "/board?year=2023").await;
        assert_eq!(board.status, StatusCode::OK);
        let row = between(&board.body, "data-agency=\"太原市小店区人民政府\"", "</tr>").expect("the agency is on the board");
        assert!(row.contains("通过") && row.contains("2024年3月31日"), "{row}");
        let first = between(&board.body, "<tbody>", "</tr>").unwrap();
        assert!(first.contains("未提交"), "unpublished first: {first}");
        assert_eq!(get(&env.app, &me, "/board").await.status, StatusCode::FORBIDDEN);
        // The 催报通知: one letter naming every agency without a report of the year.
        let (status, _, bytes) = get_bytes(&env.app, &office, "/reminders?year=2023").await;
        assert_eq!(status, StatusCode::OK);
        let xml = docx_text(&bytes);
        assert!(xml.contains("关于督促发布2023年政府信息公开工作年度报告的通知") && xml.contains("太原市政务公开办"));
        let unpublished: Vec<String> = env.store.status_board(None, 2023).await.unwrap().into_iter().filter(|r| r.report_id.is_none()).map(|r| r.agency).collect();
        assert!(!unpublished.is_empty());
        for a in &unpublished {
            assert!(xml.contains(a.as_str()), "{a} is reminded");
        }
        assert!(!xml.contains("太原市小店区人民政府"), "a published agency is not");
        assert_eq!(get_bytes(&env.app, &me, "/reminders?year=2023").await.0, StatusCode::FORBIDDEN);
    });
}

#[test]
fn an_administrator_edits_the_agency_tree_and_aliases() {
    rt().block_on(async {
        let env = setup("tree").await;
        let s = login(&env.app, "admin", "admin-password").await;
        let r = post_form(&env.app, &s, "/agencies", &format!("name={}&parent={}&csrf={}", enc("东阿县财政局"), enc("东阿县人民政府"), s.csrf)).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let gov = env.store.find_agency("东阿县人民政府").await.unwrap();
        let finance = env.store.find_agency("东阿县财政局").await.unwrap();
        assert!(env.store.children(gov).await.unwrap().iter().any(|c| c.0 == finance));
        let page = get(&env.app, &s, "/agencies").await;
        assert!(page.body.contains("data-agency=\"东阿县财政局\""));
        // A cycle is refused with a Chinese message; nothing changes.
        let r = post_form(&env.app, &s, &format!("/agencies/{gov}/parent"), &format!("parent={}&csrf={}", enc("东阿县财政局"), s.csrf)).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert!(r.body.contains("上级不能是该机关本身或其下属机关"));
        // An alias: reports written under it are found as the agency's.
        let r = post_form(&env.app, &s, &format!("/agencies/{finance}/alias"), &format!("alias={}&csrf={}", enc("东阿财政局"), s.csrf)).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(env.store.find_agency("东阿财政局").await.unwrap(), finance);
        // Reviewers do not edit the tree.
        let dong = login(&env.app, "dong", "dong-password").await;
        assert_eq!(get(&env.app, &dong, "/agencies").await.status, StatusCode::FORBIDDEN);
        let r = post_form(&env.app, &dong, "/agencies", &format!("name=x&csrf={}", dong.csrf)).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
    });
}

#[test]
fn an_agency_uploads_its_filled_form_and_a_bad_file_names_no_server_path() {
    rt().block_on(async {
        let env = setup("form").await;
        let agency = env.store.find_agency("太原市小店区人民政府").await.unwrap();
        env.store.add_user("xiaodian", &nianbao_web::auth::hash_password("xiaodian-password").unwrap(), Role::Agency, Some(agency)).await.unwrap();
        let me = login(&env.app, "xiaodian", "xiaodian-password").await;
        // The fill-in form, filled with the figures of the agency's report.
        let text = std::fs::read(seeds().join("003_5726aaf970dd957d.txt")).unwrap();
        let parsed = nianbao_parse::parse_bytes("003.txt", &text).unwrap();
        let doc = nianbao_write::Document::from_report(parsed.reports[0].report.clone());
        let form = nianbao_write::form::write(&nianbao_write::form::FormSpec { doc, previous: None }).unwrap();
        let r = upload(&env.app, &me, &[("csrf", None, me.csrf.as_bytes()), ("files", Some("年报填报表.xlsx"), &form)], true).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
        assert_eq!(v["results"][0]["ok"], true, "{}", r.body);
        let report = &v["results"][0]["reports"][0];
        assert_eq!((report["agency"].as_str(), report["year"].as_i64()), (Some("太原市小店区人民政府"), Some(2023)), "{}", r.body);
        let id = report["id"].as_i64().unwrap();
        let page = get(&env.app, &me, &format!("/reports/{id}")).await;
        assert!(page.body.contains("id=\"submit-report\""), "the form is pre-checked like any report");
        // Another agency's report: refused, nothing stored.
        let reports = table_count(&env.store, "reports").await;
        let other = std::fs::read(seeds().join("001_6bdcad6606f9a5c6.txt")).unwrap();
        let r = upload(&env.app, &me, &[("csrf", None, me.csrf.as_bytes()), ("files", Some("年报.txt"), &other)], true).await;
        let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
        assert_eq!(v["results"][0]["ok"], false);
        assert!(v["results"][0]["message"].as_str().unwrap().contains("不是本单位"), "{}", r.body);
        assert_eq!(table_count(&env.store, "reports").await, reports, "nothing stored");
        // A file that cannot be read: a Chinese message naming the file as uploaded, no server path.
        let r = upload(&env.app, &me, &[("csrf", None, me.csrf.as_bytes()), ("files", Some("坏文件.pdf"), b"%PDF-1.4 not really")], true).await;
        let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
        let message = v["results"][0]["message"].as_str().unwrap();
        assert_eq!(v["results"][0]["ok"], false);
        assert!(message.contains("坏文件.pdf") && !message.contains(env.dir.to_str().unwrap()) && !message.contains("uploads"), "{message}");
    });
}

/// The 文号 printed in a letter, after the pattern's prefix up to its 号.
fn letter_number(xml: &str, prefix: &str) -> Option<String> {
    between(xml, prefix, "号").map(|n| format!("{prefix}{n}号"))
}

/// Every letter takes the next number of the office's sequence; a letter downloaded again keeps
/// its number unless a new issue is asked for; a batch's letters take consecutive numbers.
#[test]
fn letters_take_consecutive_numbers_from_the_office_pattern() {
    rt().block_on(async {
        let env = setup("numbers").await;
        let admin = login(&env.app, "admin", "admin-password").await;
        let r = post_form(&env.app, &admin, "/settings", &format!("office={}&number_pattern={}&deadline_days=10&contact=&phone=&signature=&csrf={}", enc("聊城市政务公开办"), enc("聊政公函〔{year}〕{seq}号"), admin.csrf)).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let a = env.store.find_agency("东阿县人民政府办公室").await.unwrap();
        let b = env.store.find_agency("太原市小店区人民政府").await.unwrap();
        let fetch = |uri: String| {
            let (app, s) = (env.app.clone(), &admin);
            async move {
                let (status, _, bytes) = get_bytes(&app, s, &uri).await;
                assert_eq!(status, StatusCode::OK, "{uri}: {}", String::from_utf8_lossy(&bytes));
                letter_number(&docx_text(&bytes), "聊政公函〔").unwrap_or_else(|| panic!("{uri} has no 文号"))
            }
        };
        let first = fetch(format!("/agencies/{a}/notice?year=2023&unreviewed=1")).await;
        let log = env.store.letter_log(None, 10).await.unwrap();
        assert_eq!(log.len(), 1);
        let y = log[0].issue_year;
        assert_eq!(first, format!("聊政公函〔{y}〕1号"));
        assert_eq!((log[0].kind.as_str(), log[0].agency.as_str(), log[0].report_year, log[0].user.as_deref()), ("notice", "东阿县人民政府办公室", 2023, Some("admin")));
        // Downloaded again unchanged: the same letter, the same number.
        assert_eq!(fetch(format!("/agencies/{a}/notice?year=2023&unreviewed=1")).await, first);
        // The next letter takes the next number; a new issue asked for takes another.
        assert_eq!(fetch(format!("/agencies/{b}/notice?year=2023&unreviewed=1")).await, format!("聊政公函〔{y}〕2号"));
        assert_eq!(fetch(format!("/agencies/{a}/notice?year=2023&unreviewed=1&new=1")).await, format!("聊政公函〔{y}〕3号"));
        assert_eq!(env.store.letter_log(None, 10).await.unwrap().len(), 3);

        // A batch issued anew: one number each, consecutive, in the order of the ZIP.
        let batch = |fresh: bool| {
            let (app, s) = (env.app.clone(), &admin);
            async move {
                let uri = format!("/notices?year=2023&unreviewed=1{}", if fresh { "&new=1" } else { "" });
                let (status, _, bytes) = get_bytes(&app, s, &uri).await;
                assert_eq!(status, StatusCode::OK);
                let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
                let mut numbers = Vec::new();
                for i in 0..zip.len() {
                    let mut inner = Vec::new();
                    std::io::Read::read_to_end(&mut zip.by_index(i).unwrap(), &mut inner).unwrap();
                    numbers.push(letter_number(&docx_text(&inner), "聊政公函〔").expect("each letter has its 文号"));
                }
                numbers
            }
        };
        let numbers = batch(true).await;
        assert!(numbers.len() >= 2, "{numbers:?}");
        let want: Vec<String> = (0..numbers.len()).map(|i| format!("聊政公函〔{y}〕{}号", 4 + i)).collect();
        assert_eq!(numbers, want);
        // The same batch downloaded again burns no number.
        assert_eq!(batch(false).await, want);
        assert_eq!(env.store.letter_log(None, 100).await.unwrap().len(), 3 + want.len());
        // 催报通知 draw on the same sequence.
        let (status, _, bytes) = get_bytes(&env.app, &admin, "/reminders?year=2023").await;
        assert_eq!(status, StatusCode::OK);
        assert!(docx_text(&bytes).contains(&format!("聊政公函〔{y}〕{}号", 4 + want.len())));
        // The office consults the log on the agency's page: each number issued to it, newest first.
        let page = get(&env.app, &admin, &format!("/agencies/{a}")).await;
        let table = between(&page.body, "id=\"letters\"", "</table>").expect("the agency page lists its letters");
        let first_pos = table.find(&first).expect("the first letter is logged");
        let third_pos = table.find(&format!("聊政公函〔{y}〕3号")).expect("the re-issue is logged");
        assert!(third_pos < first_pos && table.contains("整改通知") && table.contains("admin"), "{table}");
        // The report page offers the new issue; an agency account sees no log.
        let report = report_id(&env.store, "东阿县人民政府办公室", 2023).await;
        assert!(get(&env.app, &admin, &format!("/reports/{report}")).await.body.contains(&format!("/agencies/{a}/notice?year=2023&amp;new=1")));
        env.store.add_user("dongban", &nianbao_web::auth::hash_password("dongban-password").unwrap(), Role::Agency, Some(a)).await.unwrap();
        let me = login(&env.app, "dongban", "dongban-password").await;
        assert!(!get(&env.app, &me, &format!("/agencies/{a}")).await.body.contains("id=\"letters\""));
    });
}

/// The links of a page (`href="…"`), without their query.
fn hrefs(body: &str) -> Vec<String> {
    body.split("href=\"").skip(1).filter_map(|s| s.split('"').next()).map(|h| h.split('?').next().unwrap_or(h).to_string()).collect()
}

/// Each role's menu holds only what it may open: an agency account is never shown the office's
/// pages (which answer it 403), and its header names its agency, not a region.
#[test]
fn each_role_sees_only_the_links_it_may_follow() {
    rt().block_on(async {
        let env = setup("nav").await;
        let own = env.store.find_agency("东阿县人民政府办公室").await.unwrap();
        env.store.add_user("dongban", &nianbao_web::auth::hash_password("dongban-password").unwrap(), Role::Agency, Some(own)).await.unwrap();
        let me = login(&env.app, "dongban", "dongban-password").await;
        let mine = report_id(&env.store, "东阿县人民政府办公室", 2021).await;
        let office_only = ["/dashboard", "/board", "/users", "/settings", "/agencies", "/notices", "/reminders", "/export"];
        for page in ["/reports".to_string(), "/upload".to_string(), format!("/reports/{mine}"), format!("/agencies/{own}"), format!("/register/{own}")] {
            let r = get(&env.app, &me, &page).await;
            assert_eq!(r.status, StatusCode::OK, "{page}");
            let links = hrefs(&r.body);
            assert!(links.iter().any(|l| l == "/reports") && links.iter().any(|l| l == "/upload") && links.iter().any(|l| l == "/register"), "{page}: {links:?}");
            for l in &links {
                assert!(!office_only.contains(&l.as_str()), "{page} links {l}");
                if l.starts_with('/') && !l.starts_with("/assets/") && !l.starts_with("/api/") && !l.ends_with(".csv") && !l.contains("/notice") {
                    // Every page an agency is shown, it may open.
                    let status = get(&env.app, &me, l).await.status;
                    assert!(status == StatusCode::OK || status == StatusCode::SEE_OTHER, "{page} links {l}: {status}");
                }
            }
            let who = between(&r.body, "<div class=\"who\">", "</span>").unwrap();
            assert!(who.contains("所属机关：东阿县人民政府办公室") && !who.contains("区域"), "{who}");
        }
        // A reviewer: the region's work, not the administrator's.
        let dong = login(&env.app, "dong", "dong-password").await;
        let links = hrefs(&get(&env.app, &dong, "/reports").await.body);
        for l in ["/dashboard", "/board"] {
            assert!(links.iter().any(|x| x == l), "a reviewer is shown {l}");
        }
        for l in ["/users", "/settings", "/agencies"] {
            assert!(!links.iter().any(|x| x == l), "a reviewer is not shown {l}");
        }
        assert!(get(&env.app, &dong, "/reports").await.body.contains("区域：东阿县人民政府"));
        // The administrator: everything.
        let admin = login(&env.app, "admin", "admin-password").await;
        let links = hrefs(&get(&env.app, &admin, "/reports").await.body);
        for l in ["/dashboard", "/board", "/users", "/settings", "/agencies"] {
            assert!(links.iter().any(|x| x == l), "the administrator is shown {l}");
        }
    });
}

/// The dashboard's 未发布 tile counts what the status board lists as not submitted, with or
/// without a region, and opens the board filtered to them.
#[test]
fn the_unpublished_tile_agrees_with_the_board() {
    rt().block_on(async {
        let env = setup("tile").await;
        let admin = login(&env.app, "admin", "admin-password").await;
        let dong = login(&env.app, "dong", "dong-password").await;
        let region = env.store.find_agency("东阿县人民政府").await.unwrap();
        for (s, query) in [(&admin, "year=2023".to_string()), (&admin, format!("year=2023&region={region}")), (&dong, "year=2023".to_string())] {
            let dash = get(&env.app, s, &format!("/dashboard?{query}")).await;
            assert_eq!(dash.status, StatusCode::OK);
            let tiles = between(&dash.body, "id=\"tiles\"", "</ul>").unwrap();
            let link = between(tiles, "<li class=\"err\"><a href=\"", "\"><b>").unwrap().replace("&amp;", "&").replace("&#38;", "&");
            assert!(link.starts_with("/board?") && link.ends_with("&status=none"), "the tile opens the unpublished on the board: {link}");
            let tile: usize = between(tiles, "status=none\"><b>", "</b>未发布").unwrap_or_else(|| panic!("{tiles}")).parse().unwrap();
            let api: serde_json::Value = serde_json::from_str(&get(&env.app, s, &format!("/api/dashboard?{query}")).await.body).unwrap();
            assert_eq!(api["missing"].as_u64(), Some(tile as u64));
            let board = get(&env.app, s, &link).await;
            assert_eq!(board.status, StatusCode::OK);
            let listed = board.body.matches("<tr class=\"status-none\"").count();
            let body = between(&board.body, "<tbody>", "</tbody>").unwrap();
            assert_eq!(body.matches("<tr ").count(), listed, "the board shows only the unpublished: {link} {body}");
            assert_eq!(tile, listed, "{query}: the tile says {tile}, the board lists {listed}");
            let counted: usize = between(&board.body, "status=none\"><b>", "</b>").unwrap().parse().unwrap();
            assert_eq!(tile, counted);
            // Every agency of the selection is on the dashboard, as on the board.
            let all = get(&env.app, s, &link.replace("&status=none", "")).await;
            assert_eq!(api["agencies"].as_u64(), Some(between(&all.body, "<tbody>", "</tbody>").unwrap().matches("<tr ").count() as u64));
        }
        // Without a region, the agencies with no report of the year count too.
        let api: serde_json::Value = serde_json::from_str(&get(&env.app, &admin, "/api/dashboard?year=2023").await.body).unwrap();
        let unpublished = env.store.status_board(None, 2023).await.unwrap().into_iter().filter(|r| r.report_id.is_none()).count();
        assert!(unpublished > 0);
        assert_eq!(api["missing"].as_u64(), Some(unpublished as u64));
    });
}

/// A filled fill-in form uploaded through the web: each finding on it is located on the report
/// page by the sheet and cell the agency typed it in (`表三!D6`), not by a line of the text the
/// reader assembled from the sheets.
#[test]
fn findings_on_an_uploaded_form_name_the_sheet_and_cell() {
    rt().block_on(async {
        let env = setup("formcell").await;
        let admin = login(&env.app, "admin", "admin-password").await;
        // 小店区's 2023 figures with the carried-forward natural persons off by five (A301).
        let v: serde_json::Value = serde_json::from_slice(&std::fs::read(seeds().join("003_5726aaf970dd957d.expected.json")).unwrap()).unwrap();
        let mut report = nianbao_model::json::from_json(&v[0]).unwrap();
        let was = report.applications.value("carried_forward", 0).unwrap_or(0.0);
        nianbao_write::grid::set_value(&mut report, nianbao_model::TableId::Applications, "carried_forward", 0, Some(was + 5.0));
        nianbao_write::grid::fill_totals(&mut report);
        let layout = report.effective_layout();
        let form = nianbao_write::form::write(&nianbao_write::form::FormSpec { doc: nianbao_write::Document::from_report(report), previous: None }).unwrap();
        let r = upload(&env.app, &admin, &[("csrf", None, admin.csrf.as_bytes()), ("files", Some("填报表.xlsx"), &form)], true).await;
        let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
        let id = v["results"][0]["reports"][0]["id"].as_i64().unwrap_or_else(|| panic!("{}", r.body));
        let a301 = env.store.findings_of(id).await.unwrap().into_iter().find(|f| f.rule == "A301").expect("A301 on the unbalanced column");
        let natural: Vec<String> = ["new_received", "carried_over", "total_processed", "carried_forward"].iter().filter_map(|r| nianbao_write::form::cell_of(nianbao_model::TableId::Applications, layout, r, 0)).collect();
        let page = get(&env.app, &admin, &format!("/reports/{id}")).await;
        assert_eq!(page.status, StatusCode::OK);
        let item = between(&page.body, &format!("<li id=\"f-{}\"", a301.id), "</li>").expect("the finding is listed");
        let places = between(item, "<p class=\"places\">", "</p>").unwrap();
        assert!(natural.iter().any(|c| places.contains(c.as_str())), "{places} names a cell of the 自然人 column: {natural:?}");
        assert!(places.contains("表三!") && !places.contains("原文第"), "located on the form, not by a line of assembled text: {places}");
        // The cell the finding itself points at is kept with it.
        let at = a301.cell.clone().expect("the finding keeps its form cell");
        assert!(natural.contains(&at) && places.contains(at.as_str()), "{at} in {places}");
        // The letter names the form cell too, beside the agency's terms.
        let agency = env.store.find_agency("太原市小店区人民政府").await.unwrap();
        let (status, _, bytes) = get_bytes(&env.app, &admin, &format!("/agencies/{agency}/notice?year=2023&unreviewed=1")).await;
        assert_eq!(status, StatusCode::OK);
        let xml = docx_text(&bytes);
        assert!(xml.contains(&format!("填报表{at}")) && xml.contains("行“自然人”列"), "the letter locates A301 on the form");
    });
}
