//! The application register end to end in a real headless Chromium (issue 13): an agency
//! account adds an application through the form and sees its deadline, records a conflicting
//! event (refused, with the register's message on the page), an extension and a reply, sees the
//! deadline move and the year's 表三 count the reply, and follows the cell to the application;
//! the supervising office's reviewer then sees the overdue application of its region. No page may
//! log a JavaScript error or carry a broken link.
//!
//! The harness (chromedriver, Chromium, their cleanup) is the one of `browser.rs`. Needs Debian's
//! `chromium` and `chromium-driver`; without them the test prints "skipped" and passes, unless
//! `NIANBAO_REQUIRE_BROWSER` is set. With `NIANBAO_SCREENSHOTS=DIR` it also saves the pages as
//! `DIR/web-register*.png` (`tools/register-screenshots.sh`).

use axum::http::Method;
use chrono::NaiveDate;
use fantoccini::elements::Element;
use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, ClientBuilder, Locator};
use nianbao_calendar::Calendar;
use nianbao_store::web::Role;
use nianbao_store::Store;
use nianbao_web::{app, AppState, Config};
use serde_json::{json, Value};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// How long to wait for an element, a page or a download.
const WAIT: Duration = Duration::from_secs(30);
/// The whole scenario.
const SCENARIO_TIMEOUT: Duration = Duration::from_secs(300);
const OWN: &str = "东阿县人民政府办公室";
const AGENCY_USER: &str = "dongban";
const AGENCY_PASSWORD: &str = "agency-browser-password";
const REVIEWER: &str = "dong";
const REVIEWER_PASSWORD: &str = "reviewer-browser-password";

fn seeds() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/seeds")
}

/// A new folder of our own under the system's temporary folder.
fn unique_dir() -> PathBuf {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
    let dir = std::env::temp_dir().join(format!("nianbao-regbrowser-{}-{nanos}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// chromedriver and the Chromium it starts, stopped when dropped, also when the test fails:
/// the session is deleted (Chromium quits), chromedriver is killed, and any process still
/// carrying our profile folder on its command line (Chromium's helpers) is killed by its id.
struct Browser {
    driver: Child,
    port: u16,
    dir: PathBuf,
    profile: PathBuf,
    session: Option<String>,
    keep: bool,
}

impl Browser {
    fn start(dir: &Path) -> Browser {
        let port = free_port();
        let profile = dir.join("profile");
        std::fs::create_dir_all(&profile).unwrap();
        let driver = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .arg(format!("--log-path={}", dir.join("chromedriver.log").display()))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let mut b = Browser { driver, port, dir: dir.to_path_buf(), profile, session: None, keep: false };
        let start = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Ok(Some(status)) = b.driver.try_wait() {
                b.keep = true;
                panic!("chromedriver exited at start ({status}); see {}", dir.join("chromedriver.log").display());
            }
            assert!(start.elapsed() < WAIT, "chromedriver did not listen on port {port}");
            std::thread::sleep(Duration::from_millis(50));
        }
        b
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}/", self.port)
    }

    /// One plain HTTP request to chromedriver (used when dropping, outside any runtime).
    fn request(&self, method: &str, path: &str) {
        let Ok(mut s) = std::net::TcpStream::connect(("127.0.0.1", self.port)) else { return };
        let _ = s.set_read_timeout(Some(Duration::from_secs(10)));
        let _ = write!(s, "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", self.port);
        let mut answer = Vec::new();
        let _ = s.read_to_end(&mut answer);
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if let Some(id) = self.session.take() {
            self.request("DELETE", &format!("/session/{id}"));
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        kill_processes_using(&self.profile);
        if self.keep || std::thread::panicking() {
            eprintln!("browser test: files kept in {} (chromedriver.log, failure.png, failure.html)", self.dir.display());
        } else {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// Kills the processes whose command line mentions `marker` (a folder only this test made).
fn kill_processes_using(marker: &Path) {
    let marker = marker.display().to_string();
    let Ok(entries) = std::fs::read_dir("/proc") else { return };
    for e in entries.flatten() {
        let Some(pid) = e.file_name().to_str().and_then(|s| s.parse::<u32>().ok()) else { continue };
        let Ok(cmdline) = std::fs::read(e.path().join("cmdline")) else { continue };
        if String::from_utf8_lossy(&cmdline).contains(&marker) {
            let _ = Command::new("kill").arg("-9").arg(pid.to_string()).stderr(Stdio::null()).status();
        }
    }
}

/// A chromedriver command under the session that fantoccini does not have: the browser's
/// console log, and Chrome DevTools Protocol calls.
#[derive(Debug)]
struct SessionCommand {
    method: Method,
    path: &'static str,
    body: Value,
}

impl WebDriverCompatibleCommand for SessionCommand {
    fn endpoint(&self, base: &url::Url, session: Option<&str>) -> Result<url::Url, url::ParseError> {
        base.join(&format!("session/{}/{}", session.unwrap_or_default(), self.path))
    }
    fn method_and_body(&self, _: &url::Url) -> (Method, Option<String>) {
        (self.method.clone(), Some(self.body.to_string()))
    }
}

/// The console messages of level SEVERE since the last call (JavaScript errors, failed loads,
/// blocked by the content security policy).
async fn console_errors(c: &Client) -> Vec<String> {
    let log = c.issue_cmd(SessionCommand { method: Method::POST, path: "se/log", body: json!({ "type": "browser" }) }).await.expect("browser log");
    log.as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["level"] == "SEVERE")
        .map(|e| e["message"].as_str().unwrap_or_default().to_string())
        // Chromium asks for /favicon.ico on its own; the workbench has none.
        .filter(|m| !m.contains("/favicon.ico"))
        .collect()
}

async fn assert_no_console_errors(c: &Client, page: &str) {
    let errors = console_errors(c).await;
    assert!(errors.is_empty(), "the {page} logged errors in the console: {errors:#?}");
}

/// Every link in the page's content works (the menu is `base.html`'s, checked by `browser.rs`): same-site links answer 200 when fetched with the session,
/// and in-page links (`#id`) have their target.
async fn assert_links_work(c: &Client, page: &str) {
    let bad = c
        .execute_async(
            "var done = arguments[arguments.length - 1], bad = [], seen = {}, urls = [];
             var links = document.querySelectorAll('main a[href]');
             for (var i = 0; i < links.length; i++) {
               var h = links[i].getAttribute('href');
               if (h.charAt(0) === '#') {
                 if (h.length > 1 && !document.getElementById(decodeURIComponent(h.slice(1)))) { bad.push(h + ': no such element'); }
                 continue;
               }
               var u = new URL(links[i].href);
               if (u.origin !== location.origin || seen[u.pathname + u.search]) { continue; }
               seen[u.pathname + u.search] = true;
               urls.push(u.pathname + u.search);
             }
             Promise.all(urls.map(function (u) {
               return fetch(u, { credentials: 'same-origin', redirect: 'manual' })
                 .then(function (r) { if (r.status !== 200) { bad.push(u + ': ' + r.status); } })
                 .catch(function (e) { bad.push(u + ': ' + e); });
             })).then(function () { done(bad); });",
            vec![],
        )
        .await
        .unwrap();
    let bad = bad.as_array().cloned().unwrap_or_default();
    assert!(bad.is_empty(), "broken links on the {page}: {bad:#?}");
}

/// Polls `probe` until it gives a value, or fails after `WAIT`.
async fn wait_until<T, F, Fut>(what: &str, mut probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let start = Instant::now();
    loop {
        if let Some(v) = probe().await {
            return v;
        }
        assert!(start.elapsed() < WAIT, "timed out after {WAIT:?} waiting for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn wait_for(c: &Client, css: &str) -> Element {
    c.wait().at_most(WAIT).every(Duration::from_millis(100)).for_element(Locator::Css(css)).await.unwrap_or_else(|e| panic!("waiting for {css}: {e}"))
}

async fn wait_path(c: &Client, path: &str, query: Option<&str>) -> url::Url {
    wait_until(&format!("the page {path}"), || async move {
        let u = c.current_url().await.ok()?;
        (u.path() == path && query.is_none_or(|q| u.query().unwrap_or("").contains(q))).then_some(u)
    })
    .await
}

async fn text_of(c: &Client, css: &str) -> String {
    c.find(Locator::Css(css)).await.unwrap_or_else(|e| panic!("{css}: {e}")).text().await.unwrap()
}

async fn open_session(browser: &Browser, downloads: &Path) -> Client {
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": CHROMIUM,
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--window-size=1366,768", "--lang=zh-CN",
                format!("--user-data-dir={}", browser.profile.display()),
            ],
            "prefs": {
                "download.default_directory": downloads.display().to_string(),
                "download.prompt_for_download": false,
                "download.directory_upgrade": true,
            },
        }),
    );
    caps.insert("goog:loggingPrefs".into(), json!({ "browser": "ALL" }));
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    // Headless Chromium (--headless=new) saves downloads to download.default_directory without
    // asking; no DevTools call (Browser.setDownloadBehavior) is needed.
    ClientBuilder::new(connector).capabilities(caps).connect(&browser.url()).await.expect("a Chromium session")
}


/// The seed reports with 东阿县人民政府办公室 under 东阿县人民政府, its agency account and the
/// region's reviewer. Returns the server's address and the agency's id.
async fn start_server(dir: &Path) -> (String, i64) {
    let store = Store::open(dir.join("register.db").to_str().unwrap()).await.unwrap();
    let files = dir.join("files");
    std::fs::create_dir_all(&files).unwrap();
    for e in std::fs::read_dir(seeds()).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "txt") {
            std::fs::copy(&p, files.join(p.file_name().unwrap())).unwrap();
        }
    }
    store.ingest(std::slice::from_ref(&files), false).await.unwrap();
    let tree = dir.join("tree.csv");
    std::fs::write(&tree, format!("name,parent\n{OWN},东阿县人民政府\n")).unwrap();
    store.import_tree(&tree).await.unwrap();
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
    let missing: Vec<&str> = [CHROMIUM, CHROMEDRIVER].into_iter().filter(|p| !Path::new(p).exists()).collect();
    if !missing.is_empty() {
        let why = format!("{} not installed (apt-get install chromium chromium-driver)", missing.join(" and "));
        if std::env::var_os("NIANBAO_REQUIRE_BROWSER").is_some_and(|v| !v.is_empty() && v != "0") {
            panic!("NIANBAO_REQUIRE_BROWSER is set but {why}");
        }
        println!("skipped: {why}");
        return;
    }
    let dir = unique_dir();
    let downloads = dir.join("downloads");
    std::fs::create_dir_all(&downloads).unwrap();
    let mut browser = Browser::start(&dir);
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    rt.block_on(async {
        let (base, own) = start_server(&dir).await;
        let client = tokio::time::timeout(Duration::from_secs(90), open_session(&browser, &downloads)).await.expect("Chromium started within 90 s");
        browser.session = client.session_id().await.unwrap();
        let run = tokio::time::timeout(SCENARIO_TIMEOUT, tokio::spawn(scenario(client.clone(), base, own))).await;
        let failure = match run {
            Ok(Ok(())) => None,
            Ok(Err(join)) => Some(match join.try_into_panic() {
                Ok(p) => p.downcast_ref::<String>().cloned().or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string())).unwrap_or_else(|| "panic".into()),
                Err(e) => e.to_string(),
            }),
            Err(_) => Some(format!("the scenario took longer than {SCENARIO_TIMEOUT:?}")),
        };
        if let Some(message) = failure {
            if let Ok(png) = client.screenshot().await {
                let _ = std::fs::write(dir.join("failure.png"), png);
            }
            if let Ok(html) = client.source().await {
                let _ = std::fs::write(dir.join("failure.html"), html);
            }
            let url = client.current_url().await.map(|u| u.to_string()).unwrap_or_default();
            browser.keep = true;
            panic!("{message}\n(at {url})");
        }
        client.close().await.unwrap();
        browser.session = None;
    });
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
    assert_links_work(&c, "application page").await;

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
    assert_links_work(&c, "register list").await;

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
    assert_links_work(&c, "register table").await;

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
    assert_links_work(&c, "register overview").await;
    // It reads the agency's register but has no form to change it.
    c.find(Locator::Css("#agencies a")).await.unwrap().click().await.unwrap();
    wait_path(&c, &format!("/register/{own}"), None).await;
    assert!(c.find(Locator::Id("add-application")).await.is_err());
}
