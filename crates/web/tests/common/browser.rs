//! The browser tests' harness: chromedriver and a headless Chromium (Debian's `chromium` and
//! `chromium-driver`) driven through WebDriver with the `fantoccini` client, stopped and cleaned
//! up also when a test fails, and the waits and checks the scenarios share.

use axum::http::Method;
use fantoccini::elements::Element;
use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};
use std::future::Future;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// How long to wait for an element, a page or a download.
pub const WAIT: Duration = Duration::from_secs(30);
/// The whole scenario.
pub const SCENARIO_TIMEOUT: Duration = Duration::from_secs(300);

/// A new folder of our own, `nianbao-{prefix}-…`, under the system's temporary folder.
pub fn unique_dir(prefix: &str) -> PathBuf {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
    let dir = std::env::temp_dir().join(format!("nianbao-{prefix}-{}-{nanos}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// chromedriver and the Chromium it starts, stopped when dropped, also when the test fails:
/// the session is deleted (Chromium quits), chromedriver is killed, and any process still
/// carrying our profile folder on its command line (Chromium's helpers) is killed by its id.
pub struct Browser {
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
pub struct SessionCommand {
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
pub async fn console_errors(c: &Client) -> Vec<String> {
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

pub async fn assert_no_console_errors(c: &Client, page: &str) {
    let errors = console_errors(c).await;
    assert!(errors.is_empty(), "the {page} logged errors in the console: {errors:#?}");
}

/// Every link matched by `links` (a CSS selector of `a[href]` elements) works: same-site links
/// answer 200 when fetched with the session, and in-page links (`#id`) have their target.
pub async fn assert_links_work(c: &Client, links: &str, page: &str) {
    let bad = c
        .execute_async(
            "var done = arguments[arguments.length - 1], bad = [], seen = {}, urls = [];
             var links = document.querySelectorAll(arguments[0]);
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
            vec![json!(links)],
        )
        .await
        .unwrap();
    let bad = bad.as_array().cloned().unwrap_or_default();
    assert!(bad.is_empty(), "broken links on the {page}: {bad:#?}");
}

/// Polls `probe` until it gives a value, or fails after `WAIT`.
pub async fn wait_until<T, F, Fut>(what: &str, mut probe: F) -> T
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

pub async fn wait_for(c: &Client, css: &str) -> Element {
    c.wait().at_most(WAIT).every(Duration::from_millis(100)).for_element(Locator::Css(css)).await.unwrap_or_else(|e| panic!("waiting for {css}: {e}"))
}

/// Runs a script until it returns something other than null/false.
pub async fn wait_path(c: &Client, path: &str, query: Option<&str>) -> url::Url {
    wait_until(&format!("the page {path}"), || async move {
        let u = c.current_url().await.ok()?;
        (u.path() == path && query.is_none_or(|q| u.query().unwrap_or("").contains(q))).then_some(u)
    })
    .await
}

pub async fn text_of(c: &Client, css: &str) -> String {
    c.find(Locator::Css(css)).await.unwrap_or_else(|e| panic!("{css}: {e}")).text().await.unwrap()
}

pub async fn open_session(browser: &Browser, downloads: &Path) -> Client {
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

/// Runs one scenario in Chromium: `setup` (given the test's folder and its downloads folder)
/// starts the server and gives what `scenario` needs. Without Chromium the test prints "skipped"
/// and passes, unless `NIANBAO_REQUIRE_BROWSER` is set. When the scenario fails or takes longer
/// than `SCENARIO_TIMEOUT`, the page's screenshot and HTML are kept beside chromedriver's log.
pub fn run_in_chromium<T, Setup, SetupFut, Scenario, ScenarioFut>(prefix: &str, setup: Setup, scenario: Scenario)
where
    Setup: FnOnce(PathBuf, PathBuf) -> SetupFut,
    SetupFut: Future<Output = T>,
    Scenario: FnOnce(Client, T) -> ScenarioFut,
    ScenarioFut: Future<Output = ()> + Send + 'static,
{
    let missing: Vec<&str> = [CHROMIUM, CHROMEDRIVER].into_iter().filter(|p| !Path::new(p).exists()).collect();
    if !missing.is_empty() {
        let why = format!("{} not installed (apt-get install chromium chromium-driver)", missing.join(" and "));
        if std::env::var_os("NIANBAO_REQUIRE_BROWSER").is_some_and(|v| !v.is_empty() && v != "0") {
            panic!("NIANBAO_REQUIRE_BROWSER is set but {why}");
        }
        println!("skipped: {why}");
        return;
    }
    let dir = unique_dir(prefix);
    let downloads = dir.join("downloads");
    std::fs::create_dir_all(&downloads).unwrap();
    let mut browser = Browser::start(&dir);
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    rt.block_on(async {
        let given = setup(dir.clone(), downloads.clone()).await;
        let client = tokio::time::timeout(Duration::from_secs(90), open_session(&browser, &downloads)).await.expect("Chromium started within 90 s");
        browser.session = client.session_id().await.unwrap();
        let run = tokio::time::timeout(SCENARIO_TIMEOUT, tokio::spawn(scenario(client.clone(), given))).await;
        let failure = match run {
            Ok(Ok(())) => None,
            Ok(Err(join)) => Some(match join.try_into_panic() {
                Ok(p) => p.downcast_ref::<String>().cloned().or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string())).unwrap_or_else(|| "panic".into()),
                Err(e) => e.to_string(),
            }),
            Err(_) => Some(format!("the scenario took longer than {SCENARIO_TIMEOUT:?}")),
        };
        if let Some(message) = failure {
            // What the browser showed when it failed.
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
