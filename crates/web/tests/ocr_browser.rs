//! Issue 15's review of cells read from an image in a real headless Chromium (the harness of
//! `tests/common/browser.rs`): a reviewer opens a scanned report (`tests/fixtures/ocr/ocrphoto_003.pdf`,
//! read by OCR once, at set-up), sees the crop of the page image beside the first doubtful cell
//! (the image loads), types the value it shows and finds the cell corrected and the correction in
//! the history. Skipped without Chromium or without Tesseract (unless `NIANBAO_REQUIRE_BROWSER`
//! / `NIANBAO_REQUIRE_OCR` is set). With `NIANBAO_SCREENSHOTS=DIR` it saves the list of doubtful
//! cells as `DIR/web-ocr-cells.png`.

mod common;

use common::browser::{assert_links_work, assert_no_console_errors, run_in_chromium, text_of, wait_for, wait_path, wait_until};
use fantoccini::{Client, Locator};
use nianbao_store::web::Role;
use nianbao_store::Store;
use nianbao_web::{app, AppState, Config};
use serde_json::Value;
use std::path::Path;

const USER: &str = "admin";
const PASSWORD: &str = "ocr-browser-password";

struct Site {
    base: String,
    report: i64,
}

async fn start_server(dir: &Path) -> Site {
    let store = Store::open(dir.join("workbench.db").to_str().unwrap()).await.unwrap();
    store.add_user(USER, &nianbao_web::auth::hash_password(PASSWORD).unwrap(), Role::Admin, None).await.unwrap();
    let scan = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/ocr/ocrphoto_003.pdf");
    let summary = store.ingest(&[scan], false).await.unwrap();
    assert_eq!(summary.written, 1, "{:?}", summary.failures);
    let report: i64 = sqlx::Row::get(&sqlx::query("SELECT MAX(id) FROM reports").fetch_one(&store.pool).await.unwrap(), 0);
    let state = AppState { store, config: std::sync::Arc::new(Config::new(dir.join("uploads"))) };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app(state)).await.unwrap() });
    Site { base: format!("http://{addr}"), report }
}

#[test]
fn a_reviewer_corrects_a_doubtful_ocr_cell_beside_its_crop_in_chromium() {
    let tesseract = std::process::Command::new("tesseract").arg("--version").output().is_ok_and(|o| o.status.success());
    if !tesseract {
        assert!(std::env::var("NIANBAO_REQUIRE_OCR").is_err(), "NIANBAO_REQUIRE_OCR is set but Tesseract is missing");
        println!("skipped: Tesseract is not installed");
        return;
    }
    run_in_chromium("ocr-browser", |dir, _downloads| async move { start_server(&dir).await }, scenario);
}

async fn scenario(c: Client, site: Site) {
    let base = &site.base;
    c.goto(&format!("{base}/login")).await.unwrap();
    wait_for(&c, "input[name=name]").await.send_keys(USER).await.unwrap();
    c.find(Locator::Css("input[name=password]")).await.unwrap().send_keys(PASSWORD).await.unwrap();
    c.find(Locator::Css("form.login-box button[type=submit]")).await.unwrap().click().await.unwrap();
    wait_path(&c, "/reports", None).await;

    let path = format!("/reports/{}", site.report);
    c.goto(&format!("{base}{path}")).await.unwrap();
    wait_for(&c, "#ocr-doubtful").await;
    // The first doubtful cell with a crop: the image is loaded and shows a region of the page.
    let row_id = c
        .execute("var r = document.querySelector('#ocr-doubtful tr img.crop'); r && r.scrollIntoView(); return r ? r.closest('tr').id : null;", vec![])
        .await
        .unwrap();
    let row_id = row_id.as_str().expect("a doubtful cell with a crop").to_string();
    let size = wait_until("the crop to load", || {
        let (c, row_id) = (c.clone(), row_id.clone());
        async move {
            let v = c.execute("var i = document.querySelector('#' + arguments[0] + ' img.crop'); return i && i.complete && i.naturalWidth > 0 ? [i.naturalWidth, i.naturalHeight] : null;", vec![Value::String(row_id)]).await.ok()?;
            v.as_array().map(|a| (a[0].as_u64().unwrap_or(0), a[1].as_u64().unwrap_or(0)))
        }
    })
    .await;
    assert!(size.0 > 100 && size.1 > 40, "a crop of the padded cell: {size:?}");
    let place = text_of(&c, &format!("#{row_id} td")).await;
    assert_no_console_errors(&c, "scanned report page").await;
    if let Some(dir) = std::env::var_os("NIANBAO_SCREENSHOTS").filter(|d| !d.is_empty()) {
        c.execute("document.getElementById('ocr-cells').scrollIntoView(); return 1;", vec![]).await.unwrap();
        std::fs::write(Path::new(&dir).join("web-ocr-cells.png"), c.screenshot().await.unwrap()).unwrap();
    }
    assert_links_work(&c, "header a[href], #ocr-doubtful a[href]", "scanned report page").await;

    // Type a value and save (the test cannot read the crop; a reviewer types what it shows).
    let row = c.find(Locator::Id(&row_id)).await.unwrap();
    row.find(Locator::Css("input[name=value]")).await.unwrap().send_keys("0").await.unwrap();
    row.find(Locator::Css("form.correct button[type=submit]")).await.unwrap().click().await.unwrap();
    wait_path(&c, &path, Some("notice=corrected")).await;
    assert_eq!(text_of(&c, "p.notice").await, "已保存更正并重新检查；更正作为识别结果的新版本保留");
    let history = text_of(&c, "#corrections tbody").await;
    assert!(history.contains(USER) && history.contains("（空） → 0"), "{history}");
    let first_line = place.lines().next().unwrap_or("").to_string();
    assert!(history.contains(&first_line), "the history names the cell {first_line}: {history}");
    // The cell is no longer doubtful: it moved to the folded list of cells read or corrected.
    let value = c.execute("var t = document.querySelector('#ocr-read #' + arguments[0] + ' td.ocr-value'); return t ? t.textContent : null;", vec![Value::String(row_id.clone())]).await.unwrap();
    assert_eq!(value.as_str(), Some("0（已更正）"));
    assert_no_console_errors(&c, "scanned report page after the correction").await;
}
