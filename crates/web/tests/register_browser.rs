//! The application register end to end in a real headless Chromium (issue 13): an agency
//! account adds an application through the form and sees its deadline, records a conflicting
//! event (refused, with the register's message on the page), an extension and a reply, sees the
//! deadline move and the year's 表三 count the reply, and follows the cell to the application;
//! the supervising office's reviewer then sees the overdue application of its region. No page may
//! log a JavaScript error or carry a broken link.
//!
//! The harness (chromedriver, Chromium, their cleanup) is `common/browser.rs`, shared with `browser.rs`. Needs Debian's
//! `chromium` and `chromium-driver`; without them the test prints "skipped" and passes, unless
//! `NIANBAO_REQUIRE_BROWSER` is set. With `NIANBAO_SCREENSHOTS=DIR` it also saves the pages as
//! `DIR/web-register*.png` (`tools/register-screenshots.sh`).

mod common;

use chrono::NaiveDate;
use common::browser::{assert_links_work, assert_no_console_errors, console_errors, run_in_chromium, text_of, wait_for, wait_path, wait_until};
use fantoccini::elements::Element;
use fantoccini::{Client, Locator};
use nianbao_calendar::Calendar;
use nianbao_store::web::Role;
use nianbao_store::Store;
use nianbao_web::{app, AppState, Config};
use serde_json::{json, Value};
use std::path::Path;

const OWN: &str = "东阿县人民政府办公室";
const AGENCY_USER: &str = "dongban";
const AGENCY_PASSWORD: &str = "agency-browser-password";
const REVIEWER: &str = "dong";
const REVIEWER_PASSWORD: &str = "reviewer-browser-password";
/// The links in the page's content (the menu is `base.html`'s, checked by `browser.rs`).
const LINKS: &str = "main a[href]";

/// The seed reports with 东阿县人民政府办公室 under 东阿县人民政府, its agency account and the
/// region's reviewer. Returns the server's address and the agency's id.
async fn start_server(dir: &Path) -> (String, i64) {
    let store = Store::open(dir.join("register.db").to_str().unwrap()).await.unwrap();
    common::seed_store(&store, dir).await;
    let own = store.find_agency(OWN).await.unwrap();
    let region = store.find_agency("东阿县人民政府").await.unwrap();
    store.add_user(AGENCY_USER, &nianbao_web::auth::hash_password(AGENCY_PASSWORD).unwrap(), Role::Agency, Some(own)).await.unwrap();
    store.add_user(REVIEWER, &nianbao_web::auth::hash_password(REVIEWER_PASSWORD).unwrap(), Role::Reviewer, Some(region)).await.unwrap();
    let state = AppState { store, config: std::sync::Arc::new(Config::new(dir.join("uploads"))) };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app(state)).await.unwrap() });
    (format!("http://{addr}"), own)
}

#[test]
fn an_agency_keeps_its_register_and_the_office_sees_the_overdue_in_chromium() {
    run_in_chromium("regbrowser", |dir, _| async move { start_server(&dir).await }, |c, (base, own)| scenario(c, base, own));
}

/// Saves the page as `$NIANBAO_SCREENSHOTS/web-{name}.png` when that folder is given.
async fn screenshot(c: &Client, name: &str) {
    if let Some(dir) = std::env::var_os("NIANBAO_SCREENSHOTS").filter(|d| !d.is_empty()) {
        c.execute("window.scrollTo(0, 0); return 1;", vec![]).await.unwrap();
        let png = c.screenshot().await.unwrap();
        let path = Path::new(&dir).join(format!("web-{name}.png"));
        std::fs::write(&path, png).unwrap();
        println!("{}", path.display());
    }
}

async fn login(c: &Client, base: &str, user: &str, password: &str) {
    c.goto(&format!("{base}/login")).await.unwrap();
    wait_for(c, "input[name=name]").await.send_keys(user).await.unwrap();
    c.find(Locator::Css("input[name=password]")).await.unwrap().send_keys(password).await.unwrap();
    c.find(Locator::Css("form.login-box button[type=submit]")).await.unwrap().click().await.unwrap();
    wait_path(c, "/reports", None).await;
}

/// Sets a form field's value by script (date inputs take typed keys in the locale's order).
async fn set_value(c: &Client, css: &str, value: &str) {
    c.execute("document.querySelector(arguments[0]).value = arguments[1]; return 1;", vec![json!(css), json!(value)]).await.unwrap();
}

async fn select(c: &Client, css: &str, value: &str) {
    c.find(Locator::Css(css)).await.unwrap_or_else(|e| panic!("{css}: {e}")).select_by_value(value).await.unwrap_or_else(|e| panic!("{css} = {value}: {e}"));
}

async fn type_into(c: &Client, css: &str, text: &str) {
    let e: Element = c.find(Locator::Css(css)).await.unwrap_or_else(|e| panic!("{css}: {e}"));
    e.clear().await.unwrap();
    e.send_keys(text).await.unwrap();
}

/// Adds an application through the register page's form and waits for its page.
async fn add_application(c: &Client, own: i64, number: &str, received: NaiveDate, summary: &str) {
    wait_path(c, &format!("/register/{own}"), None).await;
    type_into(c, "#add-application input[name=number]", number).await;
    set_value(c, "#add-application input[name=received]", &received.to_string()).await;
    select(c, "#add-application select[name=channel]", "online").await;
    select(c, "#add-application select[name=applicant_type]", "natural_person").await;
    type_into(c, "#add-application textarea[name=summary]", summary).await;
    c.find(Locator::Css("#add-application button[type=submit]")).await.unwrap().click().await.unwrap();
    wait_path(c, &format!("/register/{own}/application"), Some("notice=added")).await;
    assert_eq!(text_of(c, "h1").await, format!("申请 {number}"));
}

/// Records an event through the application page's form: (field, value) pairs besides the kind.
async fn record(c: &Client, kind: &str, date: &str, fields: &[(&str, &str)]) {
    select(c, "#event-form select[name=kind]", kind).await;
    set_value(c, "#event-form input[name=date]", date).await;
    for (name, value) in fields {
        match *name {
            "outcome" | "with" | "case" | "result" => select(c, &format!("#event-form select[name={name}]"), value).await,
            _ => type_into(c, &format!("#event-form input[name={name}]"), value).await,
        }
    }
    c.execute("window.__registerOldPage = true; return 1;", vec![]).await.unwrap();
    c.find(Locator::Css("#event-form button[type=submit]")).await.unwrap().click().await.unwrap();
    // The answer is a new page (redirect or the refused form): wait until it replaced this one,
    // since the address may be the same as before.
    wait_until("the answer to the event form", || async {
        c.execute("return window.__registerOldPage === undefined && document.readyState === 'complete';", vec![]).await.ok().filter(|v| v == &Value::Bool(true))
    })
    .await;
}

async fn scenario(c: Client, base: String, own: i64) {
    let base = base.as_str();
    let cal = Calendar::builtin();
    let today = nianbao_web::register_pages::china_today();

    // The agency's account: the register from the menu, empty.
    login(&c, base, AGENCY_USER, AGENCY_PASSWORD).await;
    c.find(Locator::LinkText("申请台账")).await.unwrap().click().await.unwrap();
    wait_path(&c, &format!("/register/{own}"), None).await;
    assert!(text_of(&c, "h1").await.contains(OWN));
    assert!(text_of(&c, "main").await.contains("没有符合条件的申请"));
    assert_no_console_errors(&c, "empty register").await;

    // An application received on 2025-06-03: its deadline is 20 working days later.
    let received = NaiveDate::from_ymd_opt(2025, 6, 3).unwrap();
    add_application(&c, own, "2025-A01", received, "某小区规划许可文件").await;
    let reply_due = cal.add_working_days(received, 20);
    assert_eq!(reply_due.date.to_string(), "2025-07-01", "端午 (2025-05-31..06-02) is before it");
    let deadlines = text_of(&c, "#deadlines").await;
    assert!(deadlines.contains(&format!("答复期限（不含延期） {}", reply_due.display())), "{deadlines}");
    assert!(text_of(&c, "#status").await.starts_with("逾期"), "not replied by its deadline");
    assert_no_console_errors(&c, "application page").await;

    // The event form asks for an outcome only when the event is a reply.
    let outcome = c.find(Locator::Css("#event-form select[name=outcome]")).await.unwrap();
    assert!(!outcome.is_displayed().await.unwrap(), "no outcome field before a kind is chosen");
    // A reply dated before the application arrived is refused, with the register's message.
    record(&c, "replied", "2025-06-01", &[("outcome", "granted")]).await;
    let error = wait_for(&c, "#form-error").await.text().await.unwrap();
    assert!(error.contains("日期早于收到申请日期 2025-06-03"), "{error}");
    assert!(c.find(Locator::Css("#events")).await.is_err(), "nothing was recorded");
    // The refusal is answered 409 Conflict, which the browser logs; nothing else may be logged.
    let logged = console_errors(&c).await;
    assert!(logged.len() == 1 && logged[0].contains("/events") && logged[0].contains("409"), "{logged:#?}");

    // An approved extension of 15 working days moves the deadline.
    record(&c, "extension_approved", "2025-06-20", &[("days", "15"), ("approver", "办公室主任")]).await;
    wait_path(&c, &format!("/register/{own}/application"), Some("notice=event")).await;
    let extended = cal.add_working_days(received, 35);
    let deadlines = text_of(&c, "#deadlines").await;
    assert!(deadlines.contains(&format!("延期后的答复期限 {}", extended.display())) && deadlines.contains(&format!("应答复期限 {}", extended.display())), "{deadlines}");
    // The reply, with its outcome chosen from the 21 rows of 表三.
    record(&c, "replied", "2025-07-10", &[("outcome", "granted")]).await;
    wait_path(&c, &format!("/register/{own}/application"), Some("notice=event")).await;
    assert!(text_of(&c, "#status").await.starts_with("已办结"));
    let events = text_of(&c, "#events").await;
    assert!(events.contains("延长 15 个工作日，批准人：办公室主任") && events.contains("（一）予以公开"), "{events}");
    let history = text_of(&c, "#history").await;
    assert_eq!(history.matches(AGENCY_USER).count(), 3, "who recorded each change: {history}");
    screenshot(&c, "register-application").await;
    assert_no_console_errors(&c, "application page after the reply").await;
    assert_links_work(&c, LINKS, "application page").await;

    // One still open since September 2025 (overdue), one received today (due in 20 working days).
    c.find(Locator::Css("main p a[href^='/register/']")).await.unwrap().click().await.unwrap();
    add_application(&c, own, "2025-A02", NaiveDate::from_ymd_opt(2025, 9, 1).unwrap(), "某企业环评报告").await;
    c.find(Locator::Css("main p a[href^='/register/']")).await.unwrap().click().await.unwrap();
    add_application(&c, own, "NOW-1", today, "本年度财政预算").await;
    c.find(Locator::Css("main p a[href^='/register/']")).await.unwrap().click().await.unwrap();
    wait_for(&c, "#register").await;
    let row = |n: &str| format!("#register tr[data-number='{n}']");
    let late = c.find(Locator::Css(&row("2025-A02"))).await.unwrap();
    assert_eq!(late.attr("class").await.unwrap().as_deref(), Some("overdue"));
    assert_eq!(late.find(Locator::Css("td.days")).await.unwrap().css_value("color").await.unwrap(), "rgba(176, 0, 32, 1)", "overdue in red");
    let fresh = text_of(&c, &format!("{} td.days", row("NOW-1"))).await;
    assert_eq!(fresh, "还有 20 个工作日");
    let due = cal.add_working_days(today, 20);
    assert!(text_of(&c, &format!("{} td.due", row("NOW-1"))).await.contains(&due.display()), "provisional marked when it is: {}", due.display());
    let order: Vec<String> = c.execute("return [].slice.call(document.querySelectorAll('#register tbody tr')).map(function (r) { return r.getAttribute('data-number'); });", vec![]).await.unwrap().as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_string()).collect();
    assert_eq!(order, vec!["2025-A02", "NOW-1", "2025-A01"], "overdue first, concluded last");
    screenshot(&c, "register").await;
    assert_no_console_errors(&c, "register list").await;
    assert_links_work(&c, LINKS, "register list").await;

    // Filtered to 2025 and on to the year's 表三: the reply is counted, and its cell lists it.
    select(&c, "form.filters select[name=year]", "2025").await;
    c.find(Locator::Css("form.filters button[type=submit]")).await.unwrap().click().await.unwrap();
    wait_path(&c, &format!("/register/{own}"), Some("year=2025")).await;
    assert_eq!(c.find_all(Locator::Css("#register tbody tr")).await.unwrap().len(), 2);
    c.find(Locator::Id("table-link")).await.unwrap().click().await.unwrap();
    wait_path(&c, &format!("/register/{own}/table"), Some("year=2025")).await;
    assert_eq!(text_of(&c, "#r-applications-granted-0").await, "1");
    assert_eq!(text_of(&c, "#r-applications-new_received-6").await, "2");
    assert_eq!(text_of(&c, "#r-applications-carried_forward-6").await, "1", "2025-A02 is carried into 2026");
    assert!(text_of(&c, "#check").await.contains("全部通过"));
    screenshot(&c, "register-table").await;
    c.find(Locator::Css("#r-applications-granted-0 a")).await.unwrap().click().await.unwrap();
    wait_path(&c, &format!("/register/{own}/table"), Some("cell=applications.granted.0")).await;
    let drill = text_of(&c, "#drill-list").await;
    assert!(drill.contains("2025-A01") && !drill.contains("2025-A02"), "{drill}");
    assert_no_console_errors(&c, "register table").await;
    assert_links_work(&c, LINKS, "register table").await;

    // The region's reviewer: the overdue application on the office's page.
    c.find(Locator::Css("header.top form[action='/logout'] button")).await.unwrap().click().await.unwrap();
    wait_path(&c, "/login", None).await;
    login(&c, base, REVIEWER, REVIEWER_PASSWORD).await;
    c.find(Locator::LinkText("申请台账")).await.unwrap().click().await.unwrap();
    wait_path(&c, "/register", None).await;
    let overdue = text_of(&c, "#overdue").await;
    assert!(overdue.contains("2025-A02") && overdue.contains(OWN) && overdue.contains("已逾期"), "{overdue}");
    assert!(!overdue.contains("2025-A01") && !overdue.contains("NOW-1"), "only the overdue ones: {overdue}");
    screenshot(&c, "register-overview").await;
    assert_no_console_errors(&c, "register overview").await;
    assert_links_work(&c, LINKS, "register overview").await;
    // It reads the agency's register but has no form to change it.
    c.find(Locator::Css("#agencies a")).await.unwrap().click().await.unwrap();
    wait_path(&c, &format!("/register/{own}"), None).await;
    assert!(c.find(Locator::Id("add-application")).await.is_err());
}
