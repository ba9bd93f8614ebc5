//! The application register in the workbench, through its router (tower's `oneshot`): an agency
//! account keeps only its own agency's register, the supervising office reads the registers of
//! its region and writes none, every POST needs the session's CSRF token, conflicting events and
//! changes of a locked year are refused with the register's Chinese message and write nothing,
//! the year's 表三 is derived live with the applications behind each cell and set beside the
//! published report's, and the office sees its region's overdue applications.

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use common::http::{between, get, multipart, rt, send, session_of, try_login, Resp, Session};
use http_body_util::BodyExt;
use nianbao_register::store as reg;
use nianbao_register::{ApplicantType, Application};
use nianbao_store::web::Role;
use nianbao_store::Store;
use nianbao_web::{app, AppState, Config};
use std::path::PathBuf;
use tower::ServiceExt;

const OWN: &str = "东阿县人民政府办公室";
const OTHER: &str = "太原市小店区人民政府";

fn tempdir(name: &str) -> PathBuf {
    common::http::tempdir("regweb", name)
}

struct Env {
    app: Router,
    store: Store,
    own: i64,
    other: i64,
    dir: PathBuf,
}

impl Drop for Env {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The seed reports (东阿县人民政府办公室 2020–2023 under 东阿县人民政府, and 太原市小店区人民政府
/// outside that region), an administrator, a reviewer of 东阿县人民政府, and one agency account
/// for each of the two agencies.
async fn setup(name: &str) -> Env {
    let dir = tempdir(name);
    let store = Store::open(dir.join("r.db").to_str().unwrap()).await.unwrap();
    common::seed_store(&store, &dir).await;
    let region = store.find_agency("东阿县人民政府").await.unwrap();
    let own = store.find_agency(OWN).await.unwrap();
    let other = store.find_agency(OTHER).await.unwrap();
    let hash = |p: &str| nianbao_web::auth::hash_password(p).unwrap();
    store.add_user("admin", &hash("admin-password"), Role::Admin, None).await.unwrap();
    store.add_user("dong", &hash("dong-password"), Role::Reviewer, Some(region)).await.unwrap();
    store.add_user("dongban", &hash("dongban-password"), Role::Agency, Some(own)).await.unwrap();
    store.add_user("xiaodian", &hash("xiaodian-password"), Role::Agency, Some(other)).await.unwrap();
    let state = AppState { store: store.clone(), config: std::sync::Arc::new(Config::new(dir.join("uploads"))) };
    Env { app: app(state), store, own, other, dir }
}

async fn login(app: &Router, name: &str, password: &str) -> Session {
    let r = try_login(app, name, password).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    session_of(app, &r, "/reports").await
}

/// A form POST; `csrf` is added unless the pairs carry their own.
async fn post(app: &Router, s: &Session, uri: &str, pairs: &[(&str, &str)]) -> Resp {
    let mut all: Vec<(&str, &str)> = pairs.to_vec();
    if !pairs.iter().any(|(k, _)| *k == "csrf") {
        all.push(("csrf", &s.csrf));
    }
    let body = serde_urlencoded::to_string(&all).unwrap();
    send(app, Request::post(uri).header(header::COOKIE, &s.cookie).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded").body(Body::from(body)).unwrap()).await
}

/// A download: status, content type and bytes.
async fn app_bytes(app: &Router, s: &Session, uri: &str) -> (StatusCode, String, Vec<u8>) {
    let r = app.clone().oneshot(Request::get(uri).header(header::COOKIE, &s.cookie).body(Body::empty()).unwrap()).await.unwrap();
    let status = r.status();
    let ctype = r.headers().get(header::CONTENT_TYPE).map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
    (status, ctype, r.into_body().collect().await.unwrap().to_bytes().to_vec())
}

fn location(r: &Resp) -> String {
    r.headers.get(header::LOCATION).map(|v| v.to_str().unwrap().to_string()).unwrap_or_default()
}

fn new_app<'a>(number: &'a str, received: &'a str) -> Vec<(&'static str, &'a str)> {
    vec![("number", number), ("received", received), ("channel", "online"), ("applicant_type", "natural_person"), ("summary", "某道路改造项目的批复文件")]
}

async fn trail_len(env: &Env, number: &str) -> usize {
    reg::history_of(&env.store, env.own, OWN, number).await.unwrap().len()
}

#[test]
fn each_account_sees_and_keeps_only_the_registers_it_may() {
    rt().block_on(async {
        let env = setup("perm").await;
        let (own, other) = (env.own, env.other);

        // Without a session: to the login page.
        let r = send(&env.app, Request::get(format!("/register/{own}")).body(Body::empty()).unwrap()).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert!(location(&r).starts_with("/login?next="), "{}", location(&r));

        // The agency account: /register is its own register, where it can add applications.
        let ban = login(&env.app, "dongban", "dongban-password").await;
        let r = get(&env.app, &ban, "/register").await;
        assert_eq!((r.status, location(&r)), (StatusCode::SEE_OTHER, format!("/register/{own}")));
        let r = get(&env.app, &ban, &format!("/register/{own}")).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.contains("依申请公开台账") && r.body.contains("id=\"add-application\""));
        // Another agency's register: refused, read or write, and nothing is written.
        for path in [format!("/register/{other}"), format!("/register/{other}/table?year=2025"), format!("/register/{other}/application?number=X")] {
            assert_eq!(get(&env.app, &ban, &path).await.status, StatusCode::FORBIDDEN, "{path}");
        }
        let r = post(&env.app, &ban, &format!("/register/{other}/applications"), &new_app("X-1", "2025-03-03")).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert!(reg::load(&env.store, other).await.unwrap().is_empty());
        // The office overview is not for agency accounts (they are sent to their own register).
        let x = login(&env.app, "xiaodian", "xiaodian-password").await;
        assert_eq!(get(&env.app, &x, &format!("/register/{own}")).await.status, StatusCode::FORBIDDEN);
        assert_eq!(location(&get(&env.app, &x, "/register").await), format!("/register/{other}"));

        // Every POST needs the session's token: missing or wrong, refused before anything is read.
        let mut pairs = new_app("2025-001", "2025-03-03");
        pairs.push(("csrf", "forged"));
        let r = post(&env.app, &ban, &format!("/register/{own}/applications"), &pairs).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert!(r.body.contains("CSRF"), "{}", r.body);
        assert!(reg::load(&env.store, own).await.unwrap().is_empty(), "nothing written without the token");

        // Added by the agency: kept with who added it.
        let r = post(&env.app, &ban, &format!("/register/{own}/applications"), &new_app("2025-001", "2025-03-03")).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert_eq!(location(&r), format!("/register/{own}/application?number=2025-001&notice=added"));
        let trail = reg::history_of(&env.store, own, OWN, "2025-001").await.unwrap();
        assert_eq!((trail.len(), trail[0].recorded_by.as_str()), (1, "dongban"));
        let r = get(&env.app, &ban, &location(&r)).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.contains("已登记申请") && r.body.contains("某道路改造项目的批复文件") && r.body.contains("id=\"event-form\""));

        // The reviewer of the region reads it but cannot change it; another region's is refused.
        let dong = login(&env.app, "dong", "dong-password").await;
        let r = get(&env.app, &dong, &format!("/register/{own}")).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.contains("2025-001") && !r.body.contains("id=\"add-application\""));
        let r = get(&env.app, &dong, &format!("/register/{own}/application?number=2025-001")).await;
        assert!(r.status == StatusCode::OK && !r.body.contains("id=\"event-form\""));
        let r = post(&env.app, &dong, &format!("/register/{own}/applications"), &new_app("2025-002", "2025-03-04")).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert!(r.body.contains("监督机关只能查看"), "{}", r.body);
        let r = post(&env.app, &dong, &format!("/register/{own}/events"), &[("number", "2025-001"), ("date", "2025-03-10"), ("kind", "withdrawn")]).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert_eq!(reg::load(&env.store, own).await.unwrap().len(), 1);
        assert_eq!(trail_len(&env, "2025-001").await, 1);
        assert_eq!(get(&env.app, &dong, &format!("/register/{other}")).await.status, StatusCode::FORBIDDEN);
        assert_eq!(get(&env.app, &dong, &format!("/register/{other}/table")).await.status, StatusCode::FORBIDDEN);
        // An unknown application or a malformed cell: not found / bad request, never a panic.
        assert_eq!(get(&env.app, &ban, &format!("/register/{own}/application?number=nope")).await.status, StatusCode::NOT_FOUND);
        assert_eq!(get(&env.app, &ban, &format!("/register/{own}/table?year=2025&cell=applications.nope.0")).await.status, StatusCode::BAD_REQUEST);
        assert_eq!(get(&env.app, &ban, &format!("/register/{own}/table?year=2025&cell=applications.granted.99")).await.status, StatusCode::BAD_REQUEST);
    });
}

#[test]
fn conflicting_events_and_locked_years_are_refused_and_nothing_is_written() {
    rt().block_on(async {
        let env = setup("conflict").await;
        let own = env.own;
        let ban = login(&env.app, "dongban", "dongban-password").await;
        let events = format!("/register/{own}/events");
        assert_eq!(post(&env.app, &ban, &format!("/register/{own}/applications"), &new_app("2025-001", "2025-03-03")).await.status, StatusCode::SEE_OTHER);

        // A number already in the register.
        let r = post(&env.app, &ban, &format!("/register/{own}/applications"), &new_app("2025-001", "2025-04-01")).await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        assert!(r.body.contains("已有编号为“2025-001”的申请"), "{}", r.body);
        assert!(r.body.contains("value=\"2025-04-01\""), "the form is filled again");
        // A date in the future, a reply without an outcome: the form's own Chinese messages.
        let r = post(&env.app, &ban, &format!("/register/{own}/applications"), &new_app("2099-1", "2099-01-04")).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(r.body.contains("晚于今天"), "{}", r.body);
        let r = post(&env.app, &ban, &events, &[("number", "2025-001"), ("date", "2025-03-20"), ("kind", "replied")]).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(r.body.contains("答复须选择一个办理结果"), "{}", r.body);

        // A reply before the application arrived: the register's message, nothing written.
        let r = post(&env.app, &ban, &events, &[("number", "2025-001"), ("date", "2025-03-01"), ("kind", "replied"), ("outcome", "granted")]).await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        assert!(r.body.contains("申请 2025-001：答复（2025-03-01）不能记录：日期早于收到申请日期 2025-03-03"), "{}", r.body);
        assert_eq!(trail_len(&env, "2025-001").await, 1);
        // A correction received before any was requested.
        let r = post(&env.app, &ban, &events, &[("number", "2025-001"), ("date", "2025-03-05"), ("kind", "correction_received")]).await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        assert!(r.body.contains("没有补正通知"), "{}", r.body);

        // An extension and a reply are recorded; the deadline moves by the extension.
        let r = post(&env.app, &ban, &events, &[("number", "2025-001"), ("date", "2025-03-24"), ("kind", "extension_approved"), ("days", "10"), ("approver", "办公室主任")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let page = get(&env.app, &ban, &format!("/register/{own}/application?number=2025-001")).await.body;
        // 2025-03-03 + 20 WD = 2025-03-31; + 10 WD of extension = 2025-04-15 (清明 4-4 off).
        assert!(page.contains("2025-03-31") && page.contains("延期后的答复期限") && page.contains("2025-04-15"), "{page}");
        let r = post(&env.app, &ban, &events, &[("number", "2025-001"), ("date", "2025-04-10"), ("kind", "replied"), ("outcome", "partially_granted")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        // A second final outcome.
        let r = post(&env.app, &ban, &events, &[("number", "2025-001"), ("date", "2025-04-11"), ("kind", "withdrawn")]).await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        assert!(r.body.contains("申请已于 2025-04-10 以“（二）部分公开") && r.body.contains("办结，之后不能再记录这一事件"), "{}", r.body);
        assert_eq!(trail_len(&env, "2025-001").await, 3, "the application and its two accepted events");
        // A wrong entry is withdrawn, not deleted: the reply is retracted (only by the agency),
        // the application is open again, and the withdrawn row stays in the trail.
        let reply = reg::history_of(&env.store, own, OWN, "2025-001").await.unwrap()[2].id.to_string();
        let dong = login(&env.app, "dong", "dong-password").await;
        assert_eq!(post(&env.app, &dong, &format!("/register/{own}/retract"), &[("number", "2025-001"), ("log_id", &reply)]).await.status, StatusCode::FORBIDDEN);
        let r = post(&env.app, &ban, &format!("/register/{own}/retract"), &[("number", "2025-001"), ("log_id", &reply)]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let a = reg::load(&env.store, own).await.unwrap().into_iter().find(|a| a.number == "2025-001").unwrap();
        assert!(a.closure().is_none() && a.events.len() == 1);
        let page = get(&env.app, &ban, &location(&r)).await.body;
        assert!(page.contains(&format!("<tr id=\"log-{reply}\" class=\"retracted\">")) && page.contains(&format!("撤销第 {reply} 条记录")), "{page}");
        let r = post(&env.app, &ban, &format!("/register/{own}/retract"), &[("number", "2025-001"), ("log_id", &reply)]).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "twice: {}", r.body);
        assert!(r.body.contains("没有可撤销的记录"));
        let r = post(&env.app, &ban, &events, &[("number", "2025-001"), ("date", "2025-04-10"), ("kind", "replied"), ("outcome", "partially_granted")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert_eq!(trail_len(&env, "2025-001").await, 5);
        let page = get(&env.app, &ban, &format!("/register/{own}/application?number=2025-001")).await.body;
        assert!(page.contains("延长 10 个工作日，批准人：办公室主任") && page.contains("记录历史") && page.contains("dongban"), "{page}");

        // The year's 表三 counts the reply, and its cell lists the application.
        let t = get(&env.app, &ban, &format!("/register/{own}/table?year=2025")).await;
        assert_eq!(t.status, StatusCode::OK);
        let cell = between(&t.body, "id=\"r-applications-partially_granted-0\"", "</td>").unwrap();
        assert!(cell.contains(">1</a>") && cell.contains("cell=applications.partially_granted.0"), "{cell}");
        assert!(t.body.contains("勾稽关系：全部通过"), "the derived tables pass the table rules");
        let d = get(&env.app, &ban, &format!("/register/{own}/table?year=2025&cell=applications.partially_granted.0")).await;
        assert!(between(&d.body, "id=\"drill-list\"", "</table>").unwrap().contains("2025-001"));

        // A locked year: a change that moves its tables is refused with the lock's message.
        assert_eq!(post(&env.app, &ban, &format!("/register/{own}/applications"), &new_app("2025-050", "2025-12-01")).await.status, StatusCode::SEE_OTHER);
        let r = post(&env.app, &ban, &format!("/register/{own}/lock"), &[("year", "2025")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let r = post(&env.app, &ban, &events, &[("number", "2025-050"), ("date", "2025-12-30"), ("kind", "withdrawn")]).await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        assert!(r.body.contains("2025 年度已锁定") && r.body.contains("dongban"), "{}", r.body);
        assert_eq!(trail_len(&env, "2025-050").await, 1);
        let r = post(&env.app, &ban, &format!("/register/{own}/applications"), &new_app("2025-051", "2025-06-01")).await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        assert!(r.body.contains("已锁定"), "{}", r.body);
        assert!(reg::load(&env.store, own).await.unwrap().iter().all(|a| a.number != "2025-051"));
        let last_reply = reg::history_of(&env.store, own, OWN, "2025-001").await.unwrap().last().unwrap().id.to_string();
        let r = post(&env.app, &ban, &format!("/register/{own}/retract"), &[("number", "2025-001"), ("log_id", &last_reply)]).await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        assert!(r.body.contains("已锁定"), "{}", r.body);
        assert_eq!(trail_len(&env, "2025-001").await, 5);
        // A change after the locked year is accepted.
        let r = post(&env.app, &ban, &events, &[("number", "2025-050"), ("date", "2026-01-06"), ("kind", "replied"), ("outcome", "granted")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        // The year's register checks: 2025-050 was open on 31 December past its deadline and
        // replied late.
        let t = get(&env.app, &ban, &format!("/register/{own}/table?year=2025")).await.body;
        let checks = between(&t, "id=\"register-findings\"", "</ul>").expect("register findings");
        assert!(checks.contains("<code>R002</code>") && checks.contains("<code>R004</code>") && checks.contains("2025-050"), "{checks}");
        assert!(!checks.contains("2025-001"), "a timely reply has no finding: {checks}");
        // The current year cannot be locked.
        let this_year = nianbao_web::register_pages::china_today().format("%Y").to_string();
        let r = post(&env.app, &ban, &format!("/register/{own}/lock"), &[("year", &this_year)]).await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        assert!(r.body.contains("尚未结束"));
    });
}

#[test]
fn the_office_sees_overdue_applications_of_its_region_and_the_register_beside_the_report() {
    rt().block_on(async {
        let env = setup("office").await;
        let (own, other) = (env.own, env.other);
        let ban = login(&env.app, "dongban", "dongban-password").await;
        // Open since 2025: long overdue. And one in the other region, added by its own account.
        assert_eq!(post(&env.app, &ban, &format!("/register/{own}/applications"), &new_app("2025-007", "2025-09-01")).await.status, StatusCode::SEE_OTHER);
        let x = login(&env.app, "xiaodian", "xiaodian-password").await;
        assert_eq!(post(&env.app, &x, &format!("/register/{other}/applications"), &new_app("XD-9", "2025-09-01")).await.status, StatusCode::SEE_OTHER);
        // A 2023 application replied in 2023, to set beside the published 2023 report.
        let mut a = Application::new("2023-001", ApplicantType::Business, nianbao_deadline::Channel::Post, chrono::NaiveDate::from_ymd_opt(2023, 5, 8).unwrap());
        a.add_event(nianbao_register::Event::new(chrono::NaiveDate::from_ymd_opt(2023, 5, 20).unwrap(), nianbao_register::EventKind::Replied { outcome: nianbao_register::Outcome::Granted })).unwrap();
        reg::add_application_to(&env.store, own, OWN, &a, "dongban").await.unwrap();

        let dong = login(&env.app, "dong", "dong-password").await;
        let r = get(&env.app, &dong, "/register").await;
        assert_eq!(r.status, StatusCode::OK);
        let overdue = between(&r.body, "id=\"overdue\"", "</table>").expect("the overdue list");
        assert!(overdue.contains("2025-007") && overdue.contains(OWN) && overdue.contains("已逾期"), "{overdue}");
        assert!(!r.body.contains("XD-9"), "another region's application is not shown");
        assert!(!overdue.contains("2023-001"), "a replied application is not overdue");
        let agencies = between(&r.body, "id=\"agencies\"", "</table>").unwrap();
        assert!(agencies.contains(&format!("/register/{own}/table?year=2023\">2023</a>（<span class=\"err\">")) && agencies.contains("处不一致"), "{agencies}");
        let admin = login(&env.app, "admin", "admin-password").await;
        let r = get(&env.app, &admin, "/register").await;
        assert!(between(&r.body, "id=\"overdue\"", "</table>").unwrap().contains("XD-9"), "the administrator sees every region");

        // 2023: the register's 表三 beside the published report's, the differing cells marked.
        let r = get(&env.app, &dong, &format!("/register/{own}/table?year=2023")).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.contains("已发布的年度报告") && r.body.contains("报告与台账的差异"), "{}", r.body);
        assert!(r.body.contains("id=\"r-applications-granted-1\" class=\"diff\""), "the register's cell is marked");
        assert!(r.body.contains("id=\"p-applications-granted-1\" class=\"diff\""), "the published cell is marked too");
        let differences = between(&r.body, "id=\"differences\"", "</ul>").unwrap();
        assert!(differences.contains("R007") && differences.contains("台账统计为 1") && differences.contains("2023-001"), "{differences}");
        // The register as XLSX with its deadlines, for the office of the region, not another.
        let r = app_bytes(&env.app, &dong, &format!("/register/{own}/export")).await;
        assert_eq!(r.0, StatusCode::OK);
        assert!(r.1.contains("spreadsheetml"), "{}", r.1);
        use calamine::Reader;
        let mut book = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(r.2)).unwrap();
        let sheet = book.sheet_names()[0].clone();
        let cells: Vec<String> = book.worksheet_range(&sheet).unwrap().rows().flat_map(|row| row.iter().map(|c| c.to_string()).collect::<Vec<_>>()).collect();
        assert!(cells.iter().any(|c| c == "2025-007") && cells.iter().any(|c| c == "2023-001"), "{cells:?}");
        assert_eq!(app_bytes(&env.app, &dong, &format!("/register/{other}/export")).await.0, StatusCode::FORBIDDEN);
        // The office cannot lock another region's year, and its own region's lock is recorded.
        assert_eq!(post(&env.app, &dong, &format!("/register/{other}/lock"), &[("year", "2023")]).await.status, StatusCode::FORBIDDEN);
        assert!(reg::locks(&env.store, other).await.unwrap().is_empty());

        // A long register is shown in pages of 200, keeping the filters.
        let many: Vec<Application> = (0..250)
            .map(|i| Application::new(format!("2024-{i:03}"), ApplicantType::NaturalPerson, nianbao_deadline::Channel::Email, chrono::NaiveDate::from_ymd_opt(2024, 2, 1).unwrap() + chrono::Days::new(i)))
            .collect();
        reg::import(&env.store, OWN, "many.xlsx", "0", &many, 0, "dongban").await.unwrap();
        let r = get(&env.app, &dong, &format!("/register/{own}?year=2024&page=2")).await;
        assert!(r.body.contains("符合条件 250 / 252 件，第 2/2 页"), "{}", r.body);
        assert_eq!(between(&r.body, "<tbody>", "</tbody>").unwrap().matches("<tr ").count(), 50);
        let pager = between(&r.body, "<nav class=\"pager\">", "</nav>").unwrap();
        assert!(pager.contains(&format!("/register/{own}?year=2024&#38;page=1")), "the link back keeps the year: {pager}");
    });
}

async fn import(app: &Router, s: &Session, agency: i64, csrf: &str, file: &str, bytes: &[u8]) -> Resp {
    let (ctype, body) = multipart(&[("csrf", None, csrf.as_bytes()), ("file", Some(file), bytes)]);
    send(app, Request::post(format!("/register/{agency}/import")).header(header::COOKIE, &s.cookie).header(header::CONTENT_TYPE, ctype).body(Body::from(body)).unwrap()).await
}

#[test]
fn an_excel_register_is_imported_whole_or_not_at_all() {
    rt().block_on(async {
        let env = setup("import").await;
        let own = env.own;
        let ban = login(&env.app, "dongban", "dongban-password").await;
        let (status, ctype, template) = app_bytes(&env.app, &ban, &format!("/register/{own}/template")).await;
        assert!(status == StatusCode::OK && ctype.contains("spreadsheetml") && template.starts_with(b"PK"));

        // One bad date among good rows: named by sheet, row and column; nothing imported.
        let mut wb = rust_xlsxwriter::Workbook::new();
        let sheet = wb.add_worksheet();
        sheet.set_name("2025年台账").unwrap();
        let rows: [[&str; 5]; 3] = [["序号", "申请人类别", "收到日期", "申请渠道", "内容摘要"], ["E-1", "公民", "2025-3-3", "当面", "甲"], ["E-2", "企业", "2025-13-45", "网上申请", "乙"]];
        for (r, row) in rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                sheet.write_string(r as u32, c as u16, *v).unwrap();
            }
        }
        let bad = wb.save_to_buffer().unwrap();
        let r = import(&env.app, &ban, own, &ban.csrf, "台账.xlsx", &bad).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(r.body.contains("未导入任何记录") && r.body.contains("工作表“2025年台账”第 3 行"), "{}", r.body);
        assert!(reg::load(&env.store, own).await.unwrap().is_empty());
        // Not a workbook at all.
        let r = import(&env.app, &ban, own, &ban.csrf, "台账.xlsx", b"not a workbook").await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
        // Without the token, or by the office: refused, nothing imported.
        let g = nianbao_register::gen::generate(5, 1, 2024, 2025, 30);
        let apps = &g.agencies[0].1;
        let good = nianbao_register::xlsx::export(OWN, apps, nianbao_calendar::Calendar::builtin(), &nianbao_deadline::Settings::default(), chrono::NaiveDate::from_ymd_opt(2025, 12, 31).unwrap()).unwrap();
        assert_eq!(import(&env.app, &ban, own, "forged", "台账.xlsx", &good).await.status, StatusCode::FORBIDDEN);
        let dong = login(&env.app, "dong", "dong-password").await;
        assert_eq!(import(&env.app, &dong, own, &dong.csrf, "台账.xlsx", &good).await.status, StatusCode::FORBIDDEN);
        assert!(reg::load(&env.store, own).await.unwrap().is_empty());

        // A whole workbook: every application, as it was written.
        let r = import(&env.app, &ban, own, &ban.csrf, "台账.xlsx", &good).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert_eq!(location(&r), format!("/register/{own}?notice=imported&created={}&replaced=0&unchanged=0", apps.len()));
        let mut got = reg::load(&env.store, own).await.unwrap();
        let mut want = apps.clone();
        got.sort_by(|a, b| a.number.cmp(&b.number));
        want.sort_by(|a, b| a.number.cmp(&b.number));
        assert_eq!(got, want);
        assert_eq!(reg::history_of(&env.store, own, OWN, &apps[0].number).await.unwrap()[0].recorded_by, "dongban");
        let page = get(&env.app, &ban, &location(&r)).await.body;
        assert!(page.contains(&format!("已从 Excel 导入：新增 {} 件，更新 0 件，未变化 0 件", apps.len())), "{page}");
    });
}
