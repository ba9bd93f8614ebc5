//! The workbench end to end in a real headless Chromium, driven through chromedriver (WebDriver,
//! the `fantoccini` client): log in through the form, upload the sample reports through the file
//! input (the page's script sends them one by one), open the report with errors from the list,
//! see the cells of a finding highlighted and focused, dismiss the finding with a comment, re-check
//! the report and see the decision kept, and download the XLSX export and the 整改通知 (checked
//! with calamine and zip). The pages must not log a JavaScript error on the way.
//!
//! The server runs in this process on 127.0.0.1:0 with a SQLite database in a temporary folder.
//! Needs Debian's `chromium` and `chromium-driver`; without them the test prints "skipped" and
//! passes, unless `NIANBAO_REQUIRE_BROWSER` is set (as `.ci/run` does).

mod common;

use common::browser::{assert_links_work, assert_no_console_errors, run_in_chromium, text_of, wait_for, wait_path, wait_until};
use common::seeds;
use fantoccini::elements::Element;
use fantoccini::{Client, Locator};
use nianbao_store::web::Role;
use nianbao_store::Store;
use nianbao_web::{app, AppState, Config};
use serde_json::{json, Value};
use std::io::Read;
use std::path::{Path, PathBuf};

const USER: &str = "admin";
const PASSWORD: &str = "browser-test-password";
/// The sample report with errors (表三 arithmetic, A302) and its year.
const AGENCY: &str = "东阿县人民政府办公室";
const YEAR: &str = "2020";
const COMMENT: &str = "经核实原文如此，浏览器测试驳回";
/// Every link on the page is checked, the menu's too.
const LINKS: &str = "a[href]";

/// Runs a script until it returns something other than null/false.
async fn wait_js(c: &Client, what: &str, script: &str) -> Value {
    wait_until(what, || async move {
        match c.execute(script, vec![]).await {
            Ok(Value::Null) | Ok(Value::Bool(false)) => None,
            Ok(v) => Some(v),
            Err(_) => None,
        }
    })
    .await
}

async fn classes(e: &Element) -> Vec<String> {
    e.attr("class").await.unwrap().unwrap_or_default().split_whitespace().map(str::to_string).collect()
}

/// Waits for one finished download with this extension in `dir`.
async fn wait_download(dir: &Path, ext: &str) -> PathBuf {
    wait_until(&format!("the .{ext} download in {}", dir.display()), || async move {
        let names: Vec<PathBuf> = std::fs::read_dir(dir).ok()?.flatten().map(|e| e.path()).collect();
        // Chromium writes `.crdownload` until the file is complete.
        if names.iter().any(|p| p.extension().is_some_and(|e| e == "crdownload")) {
            return None;
        }
        names.into_iter().find(|p| p.extension().is_some_and(|e| e == ext) && std::fs::metadata(p).is_ok_and(|m| m.len() > 0))
    })
    .await
}

/// What the scenario needs to know.
struct Site {
    base: String,
    downloads: PathBuf,
}

async fn start_server(dir: &Path) -> String {
    let store = Store::open(dir.join("workbench.db").to_str().unwrap()).await.unwrap();
    // As `nianbao user add admin --role admin` does.
    store.add_user(USER, &nianbao_web::auth::hash_password(PASSWORD).unwrap(), Role::Admin, None).await.unwrap();
    let state = AppState { store, config: std::sync::Arc::new(Config::new(dir.join("uploads"))) };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app(state)).await.unwrap() });
    format!("http://{addr}")
}

#[test]
fn a_reviewer_works_through_the_sample_reports_in_chromium() {
    run_in_chromium("browser", |dir, downloads| async move { Site { base: start_server(&dir).await, downloads } }, scenario);
}

async fn scenario(c: Client, site: Site) {
    let base = &site.base;

    // Log in through the form; the first page asked for is the reports list.
    c.goto(&format!("{base}/")).await.unwrap();
    wait_path(&c, "/login", None).await;
    wait_for(&c, "input[name=name]").await.send_keys(USER).await.unwrap();
    c.find(Locator::Css("input[name=password]")).await.unwrap().send_keys(PASSWORD).await.unwrap();
    c.find(Locator::Css("form.login-box button[type=submit]")).await.unwrap().click().await.unwrap();
    wait_path(&c, "/reports", None).await;
    assert!(text_of(&c, "header.top .who").await.contains(USER));
    assert!(text_of(&c, "main").await.contains("没有符合条件的报告"), "the database starts empty");
    assert_no_console_errors(&c, "reports list").await;

    // Upload the sample reports through the file input; the page's script sends each file and
    // shows its result.
    c.find(Locator::LinkText("上传报告")).await.unwrap().click().await.unwrap();
    wait_path(&c, "/upload", None).await;
    let mut files: Vec<PathBuf> = std::fs::read_dir(seeds()).unwrap().flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|x| x == "txt")).collect();
    files.sort();
    assert!(files.len() >= 5, "the sample reports");
    let paths: Vec<String> = files.iter().map(|p| std::fs::canonicalize(p).unwrap().display().to_string()).collect();
    wait_for(&c, "#files").await.send_keys(&paths.join("\n")).await.unwrap();
    let n = files.len();
    wait_js(&c, "every file's result", &format!("return document.querySelectorAll('#progress li.done').length === {n} || null;")).await;
    let items = c.find_all(Locator::Css("#progress li")).await.unwrap();
    assert_eq!(items.len(), n);
    let mut links = 0;
    for (li, file) in items.iter().zip(&files) {
        let text = li.text().await.unwrap();
        assert!(text.contains(file.file_name().unwrap().to_str().unwrap()), "{text}");
        assert!(text.contains("已入库") && !text.contains("上传失败"), "{text}");
        links += li.find_all(Locator::Css("a.report-link")).await.unwrap().len();
    }
    assert!(links >= n, "each file gave a report ({links} links)");
    assert_no_console_errors(&c, "upload page").await;
    assert_links_work(&c, LINKS, "upload page").await;

    // The reports list, filtered to the reports with errors; open the sample report with errors.
    c.find(Locator::LinkText("报告列表")).await.unwrap().click().await.unwrap();
    wait_path(&c, "/reports", None).await;
    wait_for(&c, "select[name=status]").await.select_by_value("errors").await.unwrap();
    c.find(Locator::Css("form.filters button[type=submit]")).await.unwrap().click().await.unwrap();
    wait_path(&c, "/reports", Some("status=errors")).await;
    let rows = c.find_all(Locator::Css("#reports tbody tr")).await.unwrap();
    assert!(!rows.is_empty());
    for row in &rows {
        assert!(row.find(Locator::Css("td.num.err")).await.is_ok(), "a row with errors: {}", row.text().await.unwrap());
    }
    let xpath = format!("//table[@id='reports']//tr[td[1]/a[normalize-space()='{AGENCY}'] and td[3][normalize-space()='{YEAR}']]/td[1]/a");
    c.find(Locator::XPath(&xpath)).await.unwrap_or_else(|_| panic!("{AGENCY} {YEAR} is listed with errors")).click().await.unwrap();
    wait_for(&c, "#findings").await;
    let report_path = c.current_url().await.unwrap().path().to_string();
    assert!(report_path.starts_with("/reports/"), "{report_path}");
    assert_eq!(text_of(&c, "h1").await, format!("{AGENCY} {YEAR} 年度报告"));
    assert_no_console_errors(&c, "report page").await;
    assert_links_work(&c, LINKS, "report page").await;

    // An error finding about cells: its cells are highlighted in the official table; clicking
    // the finding focuses them (and their source line) and scrolls the first into view.
    let fid = c
        .execute(
            "var li = document.querySelectorAll('#findings li.finding.error');
             for (var i = 0; i < li.length; i++) {
               var ids = (li[i].getAttribute('data-cells') || '').split(' ').filter(function (x) { return x; });
               if (ids.length && ids.every(function (id) { return document.getElementById(id); })) { return li[i].id; }
             }
             return null;",
            vec![],
        )
        .await
        .unwrap();
    let fid = fid.as_str().expect("an error finding with cells in the tables").to_string();
    let finding = c.find(Locator::Id(&fid)).await.unwrap();
    let rule = finding.find(Locator::Css("code.rule")).await.unwrap().text().await.unwrap();
    let message = finding.find(Locator::Css("p.msg")).await.unwrap().text().await.unwrap();
    let cells: Vec<String> = finding.attr("data-cells").await.unwrap().unwrap().split_whitespace().map(str::to_string).collect();
    for id in &cells {
        let td = c.find(Locator::Id(id)).await.unwrap();
        assert_eq!(td.tag_name().await.unwrap().to_lowercase(), "td");
        let cls = classes(&td).await;
        assert!(cls.contains(&"hl".into()) && cls.contains(&"err".into()), "{id} is highlighted as an error: {cls:?}");
        assert!(td.attr("title").await.unwrap().unwrap_or_default().contains(&rule), "the cell's tooltip names {rule}");
    }
    assert_eq!(c.find(Locator::Css("table.official td.hl")).await.unwrap().css_value("outline-style").await.unwrap(), "solid");
    c.execute("window.scrollTo(0, document.body.scrollHeight);", vec![]).await.unwrap();
    finding.find(Locator::Css("a.jump")).await.unwrap().click().await.unwrap();
    let first = c.find(Locator::Id(&cells[0])).await.unwrap();
    assert!(classes(&first).await.contains(&"focus".into()), "the clicked finding focuses its cell");
    assert!(classes(&c.find(Locator::Id(&fid)).await.unwrap()).await.contains(&"active".into()));
    let rect = c
        .execute("var r = arguments[0].getBoundingClientRect(); return [r.top, r.bottom, window.innerHeight, window.pageYOffset];", vec![serde_json::to_value(&first).unwrap()])
        .await
        .unwrap();
    let r: Vec<f64> = rect.as_array().unwrap().iter().map(|v| v.as_f64().unwrap()).collect();
    assert!(r[0] > 30.0 && r[1] < r[2] - 30.0, "the focused cell is scrolled well into view: top {}, bottom {}, window height {}, scrolled {}", r[0], r[1], r[2], r[3]);
    if let Some(line) = first.attr("data-line").await.unwrap() {
        assert!(classes(&c.find(Locator::Id(&format!("L{line}"))).await.unwrap()).await.contains(&"focus".into()), "source line {line} is focused");
    }
    assert_eq!(c.current_url().await.unwrap().path(), report_path, "the jump stays on the page");

    // Dismiss it with a comment through its form.
    finding.find(Locator::Css("input[name=comment]")).await.unwrap().send_keys(COMMENT).await.unwrap();
    finding.find(Locator::Css("button[value=dismissed]")).await.unwrap().click().await.unwrap();
    wait_path(&c, &report_path, Some("notice=decided")).await;
    assert_eq!(text_of(&c, "p.notice").await, "已保存审核意见");
    let check_dismissed = |when: &'static str| {
        let (c, rule, message) = (c.clone(), rule.clone(), message.clone());
        async move {
            // Found again by rule and message: a re-check renumbers findings.
            let id = c
                .execute(
                    "var li = document.querySelectorAll('#findings li.finding');
                     for (var i = 0; i < li.length; i++) {
                       if (li[i].querySelector('code.rule').textContent === arguments[0] && li[i].querySelector('p.msg').textContent.trim() === arguments[1]) { return li[i].id; }
                     }
                     return null;",
                    vec![json!(rule), json!(message)],
                )
                .await
                .unwrap();
            let id = id.as_str().unwrap_or_else(|| panic!("{when}: the finding {rule} is still listed")).to_string();
            let li = c.find(Locator::Id(&id)).await.unwrap();
            assert!(classes(&li).await.contains(&"dismissed".into()), "{when}: shown as dismissed");
            assert_eq!(li.find(Locator::Css(".status")).await.unwrap().text().await.unwrap(), "不是问题（误报）", "{when}");
            let decision = li.find(Locator::Css("p.decision")).await.unwrap().text().await.unwrap();
            assert!(decision.contains(COMMENT) && decision.contains(USER), "{when}: {decision}");
        }
    };
    check_dismissed("after dismissing").await;
    assert_no_console_errors(&c, "report page after the decision").await;

    // Re-check the report: the decision stays.
    c.find(Locator::Id("recheck")).await.unwrap().click().await.unwrap();
    wait_path(&c, &report_path, Some("notice=rechecked")).await;
    assert!(text_of(&c, "p.notice").await.starts_with("已重新检查"));
    check_dismissed("after the re-check").await;
    assert_no_console_errors(&c, "report page after the re-check").await;

    // The XLSX export of this agency and year, downloaded by its button.
    c.find(Locator::Css(".actions a[href^='/export']")).await.unwrap().click().await.unwrap();
    let xlsx = wait_download(&site.downloads, "xlsx").await;
    check_xlsx(&xlsx, &rule);

    // The open errors are confirmed at once (ticked, one batch); the warnings stay undecided.
    let ticked = c
        .execute(
            "var boxes = document.querySelectorAll('#findings li.finding.open.error input.pick');
             for (var i = 0; i < boxes.length; i++) { boxes[i].click(); }
             return boxes.length;",
            vec![],
        )
        .await
        .unwrap();
    assert!(ticked.as_u64().unwrap_or(0) >= 1, "open errors to confirm");
    c.find(Locator::Id("batch-confirm")).await.unwrap().click().await.unwrap();
    wait_path(&c, &report_path, Some("notice=decided")).await;
    wait_for(&c, "#findings li.finding.confirmed").await;

    // The 整改通知: a DOCX naming the agency and only the confirmed problems.
    c.find(Locator::LinkText("下载整改通知")).await.unwrap().click().await.unwrap();
    let docx = wait_download(&site.downloads, "docx").await;
    check_notice(&docx, &c, &rule).await;
    assert_eq!(c.current_url().await.unwrap().path(), report_path, "downloads leave the page as it was");
    assert_no_console_errors(&c, "report page after the downloads").await;

    // The agency over the years, the region's dashboard (its charts drawn by ECharts) and the
    // accounts page: no script errors, no broken links.
    c.find(Locator::LinkText("历年对比")).await.unwrap().click().await.unwrap();
    wait_for(&c, "#years").await;
    assert_eq!(text_of(&c, "h1").await, format!("{AGENCY}：历年对比"));
    assert_no_console_errors(&c, "agency page").await;
    assert_links_work(&c, LINKS, "agency page").await;
    c.find(Locator::LinkText("区域概览")).await.unwrap().click().await.unwrap();
    wait_path(&c, "/dashboard", None).await;
    wait_for(&c, "#chart-outcome canvas").await;
    assert_no_console_errors(&c, "dashboard").await;
    assert_links_work(&c, LINKS, "dashboard").await;
    c.find(Locator::LinkText("用户管理")).await.unwrap().click().await.unwrap();
    wait_path(&c, "/users", None).await;
    assert!(text_of(&c, "main").await.contains(USER));
    assert_no_console_errors(&c, "users page").await;
    assert_links_work(&c, LINKS, "users page").await;
    c.find(Locator::LinkText("报告列表")).await.unwrap().click().await.unwrap();
    wait_path(&c, "/reports", None).await;
    assert_links_work(&c, LINKS, "reports list").await;

    identity_and_cycle(&c, &site).await;
}

/// Uploads files through the upload page's file input; the report links of each file's result.
async fn upload_files(c: &Client, base: &str, files: &[PathBuf]) -> Vec<Vec<String>> {
    c.goto(&format!("{base}/upload")).await.unwrap();
    let paths: Vec<String> = files.iter().map(|p| std::fs::canonicalize(p).unwrap().display().to_string()).collect();
    wait_for(c, "#files").await.send_keys(&paths.join("\n")).await.unwrap();
    let n = files.len();
    wait_js(c, "every file's result", &format!("return document.querySelectorAll('#progress li.done').length === {n} || null;")).await;
    let mut out = Vec::new();
    for li in c.find_all(Locator::Css("#progress li")).await.unwrap() {
        let mut links = Vec::new();
        for a in li.find_all(Locator::Css("a.report-link")).await.unwrap() {
            links.push(a.attr("href").await.unwrap().unwrap_or_default());
        }
        out.push(links);
    }
    out
}

async fn log_in_as(c: &Client, base: &str, name: &str, password: &str) {
    c.goto(&format!("{base}/reports")).await.unwrap();
    if c.find(Locator::Css("header.top .who button")).await.is_ok() {
        c.find(Locator::Css("header.top .who button")).await.unwrap().click().await.unwrap();
        wait_path(c, "/login", None).await;
        c.goto(&format!("{base}/reports")).await.unwrap();
    }
    wait_path(c, "/login", None).await;
    wait_for(c, "input[name=name]").await.send_keys(name).await.unwrap();
    c.find(Locator::Css("input[name=password]")).await.unwrap().send_keys(password).await.unwrap();
    c.find(Locator::Css("form.login-box button[type=submit]")).await.unwrap().click().await.unwrap();
    wait_path(c, "/reports", None).await;
    assert!(text_of(c, "header.top .who").await.contains(name));
}

/// Issue 16 in the browser: two agencies' files of one name stay whole; a DOCX and a PDF of one
/// report give one current report; an agency is returned, corrects, and is approved.
async fn identity_and_cycle(c: &Client, site: &Site) {
    let base = &site.base;
    let work = site.downloads.parent().unwrap().join("files");
    let sample = seeds().join("../sample/reports");
    let mut same = Vec::new();
    for (dir, file, agency) in [("a", "000000_2022.txt", "东阿县人民政府"), ("b", "000002_2022.txt", "东阿县民政局")] {
        std::fs::create_dir_all(work.join(dir)).unwrap();
        let path = work.join(dir).join("年报.txt");
        std::fs::copy(sample.join(file), &path).unwrap();
        let links = upload_files(c, base, std::slice::from_ref(&path)).await;
        same.push((links[0][0].clone(), agency));
    }
    assert_ne!(same[0].0, same[1].0, "two reports, not two versions of one");
    for (link, agency) in &same {
        c.goto(&format!("{base}{link}")).await.unwrap();
        wait_for(c, "#findings").await;
        assert_eq!(text_of(c, "h1").await, format!("{agency} 2022 年度报告"), "{agency}'s report is whole");
        assert!(c.find(Locator::Id("old-version")).await.is_err(), "{agency}'s report is current");
        assert!(text_of(c, "#source").await.contains(agency), "{agency}'s own source text");
    }

    // DOCX and PDF of one report (its text was uploaded at the start too): one current report.
    let office = seeds().join("../office");
    let links = upload_files(c, base, &[office.join("docx/001.docx"), office.join("pdf-chromium/001.pdf")]).await;
    let pdf_report = links[1][0].clone();
    c.goto(&format!("{base}{pdf_report}")).await.unwrap();
    wait_for(c, "#versions").await;
    let versions = c.find_all(Locator::Css("#versions tbody tr")).await.unwrap();
    assert!(versions.len() >= 3, "text, DOCX and PDF are versions of one report");
    let current = text_of(c, "#versions").await.matches("当前版本").count();
    assert_eq!(current - text_of(c, "#versions").await.matches("设为当前版本").count(), 1, "exactly one current version");
    let agency_link = c.find(Locator::Css(".actions a[href^='/agencies/']")).await.unwrap().attr("href").await.unwrap().unwrap();
    let agency_id = agency_link.trim_start_matches("/agencies/").to_string();
    let year = text_of(c, "h1").await.split_whitespace().nth(1).unwrap_or("").to_string();
    c.goto(&format!("{base}/reports?agency={agency_id}&year={year}")).await.unwrap();
    assert_eq!(c.find_all(Locator::Css("#reports tbody tr")).await.unwrap().len(), 1, "listed once");

    // An agency account, made on the accounts page.
    const AGENCY_USER: &str = "xiaodian";
    const AGENCY_PASSWORD: &str = "小店区填报账号使用的很长的密码";
    c.goto(&format!("{base}/users")).await.unwrap();
    let form = wait_for(c, "#add-user").await;
    form.find(Locator::Css("input[name=name]")).await.unwrap().send_keys(AGENCY_USER).await.unwrap();
    form.find(Locator::Css("input[name=password]")).await.unwrap().send_keys(AGENCY_PASSWORD).await.unwrap();
    form.find(Locator::Css("select[name=role]")).await.unwrap().select_by_value("agency").await.unwrap();
    form.find(Locator::Css("input[name=region]")).await.unwrap().send_keys("太原市小店区人民政府").await.unwrap();
    form.find(Locator::Css("button[type=submit]")).await.unwrap().click().await.unwrap();
    wait_for(c, &format!("tr[data-user='{AGENCY_USER}']")).await;

    // The agency pre-checks a faulty report, sees its findings, and submits it.
    let clean = std::fs::read_to_string(seeds().join("003_5726aaf970dd957d.txt")).unwrap();
    let broken = clean.replace("(七)总计 | 49 | 3 |", "(七)总计 | 48 | 3 |");
    assert_ne!(broken, clean);
    std::fs::create_dir_all(work.join("v1")).unwrap();
    std::fs::write(work.join("v1/年报.txt"), &broken).unwrap();
    log_in_as(c, base, AGENCY_USER, AGENCY_PASSWORD).await;
    let links = upload_files(c, base, &[work.join("v1/年报.txt")]).await;
    assert!(text_of(c, "#progress").await.contains("预检"));
    c.goto(&format!("{base}{}", links[0][0])).await.unwrap();
    wait_for(c, "#draft-note").await;
    let pre = text_of(c, "#findings").await;
    assert!(pre.contains("A302"), "the pre-check shows the findings before submitting");
    assert!(c.find(Locator::Id("approve")).await.is_err() && c.find(Locator::Id("batch")).await.is_err(), "an agency decides nothing");
    assert_no_console_errors(c, "agency's pre-check").await;
    let v1 = links[0][0].clone();
    c.find(Locator::Id("submit-report")).await.unwrap().click().await.unwrap();
    wait_path(c, &v1, Some("notice=submitted")).await;
    assert_eq!(text_of(c, "p.notice").await, "已提交，等待政务公开办审核");

    // The office confirms the errors, returns the report; the board shows it returned.
    log_in_as(c, base, USER, PASSWORD).await;
    c.goto(&format!("{base}{v1}")).await.unwrap();
    wait_for(c, "#batch").await;
    c.execute("var b = document.querySelectorAll('#findings li.finding.error input.pick'); for (var i = 0; i < b.length; i++) { b[i].click(); } return b.length;", vec![]).await.unwrap();
    c.find(Locator::Id("batch-confirm")).await.unwrap().click().await.unwrap();
    wait_path(c, &v1, Some("notice=decided")).await;
    let confirmed: Vec<String> = c
        .execute("return [].slice.call(document.querySelectorAll('#findings li.finding.confirmed code.rule')).map(function (e) { return e.textContent; });", vec![])
        .await
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    assert!(confirmed.iter().any(|r| r == "A302"), "{confirmed:?}");
    c.find(Locator::Css("#verdict input[name=comment]")).await.unwrap().send_keys("表三总计有误，请整改").await.unwrap();
    c.find(Locator::Id("return")).await.unwrap().click().await.unwrap();
    wait_path(c, &v1, Some("notice=verdict")).await;
    assert_eq!(text_of(c, "#case-status").await, "退回整改");
    c.find(Locator::LinkText("报送状态")).await.unwrap().click().await.unwrap();
    wait_path(c, "/board", None).await;
    c.goto(&format!("{base}/board?year=2023")).await.unwrap();
    let row = wait_for(c, "tr[data-agency='太原市小店区人民政府']").await;
    assert!(row.text().await.unwrap().contains("退回整改"));
    assert_no_console_errors(c, "status board").await;
    assert_links_work(c, LINKS, "status board").await;
    // The region's 整改通知 at once: a ZIP of DOCX letters, each with only confirmed problems.
    for old in std::fs::read_dir(&site.downloads).unwrap().flatten() {
        std::fs::remove_file(old.path()).unwrap();
    }
    c.find(Locator::Id("batch-notices")).await.unwrap().click().await.unwrap();
    let zipped = wait_download(&site.downloads, "zip").await;
    let mut archive = zip::ZipArchive::new(std::fs::File::open(&zipped).unwrap()).unwrap();
    let names: Vec<String> = archive.file_names().map(|n| n.unwrap().to_string()).collect();
    assert!(names.iter().any(|n| n.contains("太原市小店区人民政府")), "{names:?}");
    for i in 0..archive.len() {
        let mut inner = Vec::new();
        archive.by_index(i).unwrap().read_to_end(&mut inner).unwrap();
        let mut xml = String::new();
        zip::ZipArchive::new(std::io::Cursor::new(inner)).unwrap().by_name("word/document.xml").unwrap().read_to_string(&mut xml).unwrap();
        assert!(!xml.contains("尚未经审核人员确认"), "only confirmed problems");
        if xml.contains("太原市小店区人民政府2023年") {
            for rule in &confirmed {
                assert!(xml.contains(&format!(">{rule}<")), "the batch letter lists the confirmed {rule}");
            }
            assert!(!xml.contains(">S003<"), "an undecided warning is not in the batch letter");
            assert!(xml.contains("表三"), "places in the agency's terms");
        }
    }

    // The agency reads the decision and its letter, corrects, pre-checks and submits again.
    log_in_as(c, base, AGENCY_USER, AGENCY_PASSWORD).await;
    c.goto(&format!("{base}{v1}")).await.unwrap();
    assert!(text_of(c, "#history").await.contains("表三总计有误，请整改"));
    for old in std::fs::read_dir(&site.downloads).unwrap().flatten() {
        std::fs::remove_file(old.path()).unwrap();
    }
    c.find(Locator::LinkText("下载整改通知")).await.unwrap().click().await.unwrap();
    let docx = wait_download(&site.downloads, "docx").await;
    let mut xml = String::new();
    zip::ZipArchive::new(std::fs::File::open(&docx).unwrap()).unwrap().by_name("word/document.xml").unwrap().read_to_string(&mut xml).unwrap();
    assert!(xml.contains("关于太原市小店区人民政府2023年政府信息公开工作年度报告问题的整改通知"));
    for rule in &confirmed {
        assert!(xml.contains(&format!(">{rule}<")), "the letter lists the confirmed {rule}");
    }
    assert!(!xml.contains(">S003<"), "an undecided warning is not in the letter");
    std::fs::create_dir_all(work.join("v2")).unwrap();
    std::fs::write(work.join("v2/年报.txt"), format!("{clean}\n")).unwrap();
    let links = upload_files(c, base, &[work.join("v2/年报.txt")]).await;
    let v2 = links[0][0].clone();
    c.goto(&format!("{base}{v2}")).await.unwrap();
    wait_for(c, "#submit-report").await.click().await.unwrap();
    wait_path(c, &v2, Some("notice=submitted")).await;
    assert_eq!(text_of(c, "#case-status").await, "已重新提交");

    // The office sees what was fixed and approves.
    log_in_as(c, base, USER, PASSWORD).await;
    c.goto(&format!("{base}{v2}")).await.unwrap();
    let fixed = wait_for(c, "#fixed").await.text().await.unwrap();
    for rule in &confirmed {
        assert!(fixed.contains(rule.as_str()), "{rule} is shown as fixed: {fixed}");
    }
    assert!(text_of(c, "#fixed-count").await.contains(&confirmed.len().to_string()));
    c.find(Locator::Id("approve")).await.unwrap().click().await.unwrap();
    wait_path(c, &v2, Some("notice=verdict")).await;
    assert_eq!(text_of(c, "#case-status").await, "通过");
    assert_no_console_errors(c, "report approved").await;
    assert_links_work(c, LINKS, "report approved").await;
}

fn check_xlsx(path: &Path, rule: &str) {
    use calamine::{open_workbook_auto, Data, Reader};
    let mut book = open_workbook_auto(path).unwrap_or_else(|e| panic!("{} is an XLSX: {e}", path.display()));
    let long = book.worksheet_range("长表").expect("the 长表 sheet");
    let rows: Vec<&[Data]> = long.rows().filter(|r| matches!(r.first(), Some(Data::String(s)) if s == AGENCY)).collect();
    assert!(!rows.is_empty(), "长表 has the agency's cells");
    assert!(rows.iter().any(|r| r.iter().any(|c| matches!(c, Data::Float(v) if *v > 0.0) || matches!(c, Data::Int(v) if *v > 0))), "and their numbers");
    let problems = book.worksheet_range("问题清单").expect("the 问题清单 sheet");
    assert!(problems.rows().any(|r| r.iter().any(|c| matches!(c, Data::String(s) if s == rule))), "问题清单 lists {rule}");
}

async fn check_notice(path: &Path, c: &Client, dismissed_rule: &str) {
    let bytes = std::fs::read(path).unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap_or_else(|e| panic!("{} is a zip package: {e}", path.display()));
    let mut xml = String::new();
    zip.by_name("word/document.xml").expect("word/document.xml").read_to_string(&mut xml).unwrap();
    assert!(xml.contains(&format!("关于{AGENCY}{YEAR}年政府信息公开工作年度报告问题的整改通知")), "the notice's title");
    assert!(xml.contains(&format!("{AGENCY}：")), "addressed to the agency");
    // The confirmed findings on the page are listed, the undecided ones are not, the dismissed
    // one is only counted.
    let rules = |class: &'static str| {
        let c = c.clone();
        async move {
            let v = c
                .execute(&format!("return [].slice.call(document.querySelectorAll('#findings li.finding.{class} code.rule')).map(function (e) {{ return e.textContent; }});"), vec![])
                .await
                .unwrap();
            v.as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_string()).collect::<Vec<String>>()
        }
    };
    let (confirmed, open) = (rules("confirmed").await, rules("open").await);
    assert!(!confirmed.is_empty(), "confirmed findings");
    for rule in &confirmed {
        assert!(xml.contains(&format!(">{rule}<")), "the notice lists the confirmed {rule}");
    }
    for rule in open.iter().filter(|r| !confirmed.contains(r)) {
        assert!(!xml.contains(&format!(">{rule}<")), "the undecided {rule} is not in the notice");
    }
    if !confirmed.iter().any(|r| r == dismissed_rule) {
        assert!(!xml.contains(&format!(">{dismissed_rule}<")), "the dismissed {dismissed_rule} is not listed");
    }
    assert!(xml.contains("另有 1 处经审核确认不属于问题"), "the dismissed finding is counted");
}
