//! A reviewer's correction of a cell read by OCR (issue 15): kept as a new version of the
//! reading, written into the stored cells, applied again on every re-check, and the findings
//! follow it. On a photographed report (`tests/fixtures/ocr/ocrphoto_003.pdf`, some of whose cells OCR
//! read but the arithmetic could not confirm and left null), on SQLite and on the
//! PostgreSQL server named by `NIANBAO_TEST_POSTGRES`. The scan is read by OCR once per test
//! binary (`nianbao_store::parse_remembered`), so both databases share the reading.

use nianbao_model::TableId;
use nianbao_store::{block_on, Store};
use sqlx::Row;
use std::path::{Path, PathBuf};

fn scan() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/ocr/ocrphoto_003.pdf")
}

fn tempdir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("nianbao-corrections-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// A row OCR read whole and the arithmetic confirmed (all zeros).
const ROW: &str = "new_received";
/// The first cell OCR read (it has a box on the page) that the arithmetic left null, in any table.
/// Found, not named: better OCR confirms more cells, and which stay doubtful moves with it (表四's
/// last group, since 表三 reads whole).
fn doubtful_cell(doc: &nianbao_parse::ParsedDocument) -> (TableId, String, usize) {
    let report = &doc.reports[0].report;
    TableId::ALL
        .into_iter()
        .find_map(|t| {
            report.table(t).rows.iter().find_map(|row| {
                row.cells.iter().position(|c| c.value.is_none() && c.how == nianbao_model::ReadHow::Ocr && c.span.is_some_and(|s| s.bbox.is_some())).map(|col| (t, row.key.clone(), col))
            })
        })
        .expect("ocrphoto_003 has a doubtful cell")
}

/// Findings of the report that name a cell of `ROW`.
async fn findings_on_row(store: &Store, report_id: i64) -> Vec<String> {
    let key = format!("\"{ROW}\"");
    store.findings_of(report_id).await.unwrap().into_iter().filter(|f| f.cells.contains(&key)).map(|f| format!("{} {}", f.rule, f.message)).collect()
}

async fn stored_cell(store: &Store, report_id: i64, table: TableId, row: &str, column: usize) -> (Option<f64>, String) {
    let layout = nianbao_model::Layout::L2021;
    let cell_id = *store.cell_keys.get(&(layout, table, row.to_string(), column)).unwrap();
    let r = sqlx::query("SELECT value, how FROM cells WHERE report_id = $1 AND cell_id = $2").bind(report_id).bind(cell_id).fetch_one(&store.pool).await.unwrap();
    (r.get(0), r.get(1))
}

async fn scenario(store: &Store) {
    let tesseract = std::process::Command::new("tesseract").arg("--version").output().is_ok_and(|o| o.status.success());
    if !tesseract {
        eprintln!("Tesseract is not installed: the correction test needs an OCR'd scan");
        assert!(std::env::var("NIANBAO_REQUIRE_OCR").is_err(), "NIANBAO_REQUIRE_OCR is set but Tesseract is missing");
        return;
    }
    let summary = store.ingest(&[scan()], false).await.unwrap();
    assert_eq!((summary.written, summary.failed), (1, 0), "{:?}", summary.failures);
    let report_id: i64 = sqlx::query("SELECT MAX(id) FROM reports").fetch_one(&store.pool).await.unwrap().get(0);
    let detail = store.report_detail(report_id).await.unwrap().unwrap();
    let (table, nulled, col) = doubtful_cell(&store.parse_stored(&scan()).unwrap());
    let nulled = nulled.as_str();
    // The reading OCR could not confirm is null; the confirmed row has no finding.
    assert_eq!(stored_cell(store, report_id, table, nulled, col).await, (None, "ocr".to_string()));
    // 新收's 总计, confirmed by its row: what the reviewer breaks and then puts back.
    let (total, how) = stored_cell(store, report_id, TableId::Applications, ROW, 6).await;
    let total = total.expect("新收 总计 read and confirmed");
    assert_eq!(how, "ocr");
    let shown = nianbao_store::corrections::shown(total);
    assert!(findings_on_row(store, report_id).await.is_empty());

    let admin = store.add_user("corrector", "hash", nianbao_store::web::Role::Admin, None).await.unwrap();
    // The null cell takes the value the reviewer reads on the image.
    let typed = store.correct_cell(report_id, table, nulled, col, 0.0, Some(admin)).await.unwrap();
    assert_eq!((typed.old_value.as_str(), typed.new_value, typed.user.as_deref()), ("", 0.0, Some("corrector")));
    assert_eq!(stored_cell(store, report_id, table, nulled, col).await, (Some(0.0), "reviewer".to_string()));
    let json = store.report_detail(report_id).await.unwrap().unwrap().report_json;
    let report: serde_json::Value = serde_json::from_str(&json).unwrap();
    let report = nianbao_model::json::from_json(&if report.is_array() { report[0].clone() } else { report }).unwrap();
    assert_eq!(report.table(table).cell(nulled, col).and_then(|c| c.value), Some(0.0), "{json}");
    // A 总计 that breaks its row: the re-check finds it.
    let first = store.correct_cell(report_id, TableId::Applications, ROW, 6, 5.0, Some(admin)).await.unwrap();
    assert_eq!(first.old_value, shown);
    assert_eq!(stored_cell(store, report_id, TableId::Applications, ROW, 6).await, (Some(5.0), "reviewer".to_string()));
    store.recheck_file(&detail.file, detail.agency_id).await.unwrap();
    let found = findings_on_row(store, report_id).await;
    assert!(!found.is_empty(), "the corrected 总计 breaks the row, a finding must say so");
    // It survives another re-check (the file is read again and the corrections applied on top).
    store.recheck_file(&detail.file, detail.agency_id).await.unwrap();
    assert_eq!(findings_on_row(store, report_id).await, found);
    assert_eq!(stored_cell(store, report_id, TableId::Applications, ROW, 6).await, (Some(5.0), "reviewer".to_string()));
    assert_eq!(stored_cell(store, report_id, table, nulled, col).await, (Some(0.0), "reviewer".to_string()));

    // A later correction of the same cell supersedes the first: the finding goes.
    let second = store.correct_cell(report_id, TableId::Applications, ROW, 6, total, Some(admin)).await.unwrap();
    assert_eq!(second.old_value, "5");
    store.recheck_file(&detail.file, detail.agency_id).await.unwrap();
    assert!(findings_on_row(store, report_id).await.is_empty(), "{:?}", findings_on_row(store, report_id).await);
    assert_eq!(stored_cell(store, report_id, TableId::Applications, ROW, 6).await, (Some(total), "reviewer".to_string()));
    let history = store.corrections_of(report_id).await.unwrap();
    assert_eq!(history.iter().map(|c| (c.row.as_str(), c.old_value.as_str(), c.new_value)).collect::<Vec<_>>(), vec![(nulled, "", 0.0), (ROW, shown.as_str(), 5.0), (ROW, "5", total)]);

    // Bad corrections are refused and write nothing.
    assert!(store.correct_cell(report_id, TableId::Applications, ROW, 7, 1.0, Some(admin)).await.is_err(), "no eighth column");
    assert!(store.correct_cell(report_id, TableId::Applications, "no_such_row", 0, 1.0, Some(admin)).await.is_err());
    assert!(store.correct_cell(report_id, TableId::Applications, ROW, 0, -1.0, Some(admin)).await.is_err());
    assert!(store.correct_cell(report_id, TableId::Applications, ROW, 0, f64::NAN, Some(admin)).await.is_err());
    assert_eq!(store.corrections_of(report_id).await.unwrap().len(), 3);
}

/// One scenario at a time: the first reads the scan by OCR, the other finds it remembered.
static ONE: std::sync::Mutex<()> = std::sync::Mutex::new(());

#[test]
fn sqlite_file() {
    let _one = ONE.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tempdir("sqlite");
    let db = dir.join("corpus.db");
    let store = block_on(Store::open(db.to_str().unwrap())).unwrap().unwrap();
    block_on(scenario(&store)).unwrap();
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn postgres_server() {
    let Ok(url) = std::env::var("NIANBAO_TEST_POSTGRES") else {
        eprintln!("NIANBAO_TEST_POSTGRES is not set: the PostgreSQL test needs a server (CI starts one)");
        assert!(std::env::var("CI").is_err(), "CI must provide NIANBAO_TEST_POSTGRES");
        return;
    };
    let _one = ONE.lock().unwrap_or_else(|e| e.into_inner());
    block_on(async {
        nianbao_store::drop_schema(&url).await.unwrap();
        let store = Store::open(&url).await.unwrap();
        scenario(&store).await;
    })
    .unwrap();
}
