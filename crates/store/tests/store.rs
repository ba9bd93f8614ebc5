//! The corpus database against a real SQLite file, and against a real PostgreSQL server when
//! `NIANBAO_TEST_POSTGRES` names one (CI starts one on loopback).

use nianbao_store::{block_on, Store};
use sqlx::Row;
use std::path::{Path, PathBuf};

fn seeds() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/seeds")
}

fn tempdir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("nianbao-store-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

async fn count(store: &Store, sql: &str) -> i64 {
    sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_one(&store.pool).await.unwrap().get::<i64, _>(0)
}

/// Exactly one current report per agency-year that has any submitted report.
async fn one_current_per_agency_year(store: &Store) {
    let bad = count(
        store,
        "SELECT COUNT(*) FROM (SELECT agency_id, year FROM reports WHERE agency_id IS NOT NULL AND year IS NOT NULL AND draft = 0 \
         GROUP BY agency_id, year HAVING SUM(is_current) <> 1) d",
    )
    .await;
    assert_eq!(bad, 0, "an agency-year without exactly one current report");
}

/// Report identity (issue 16): two agencies' files under one name both stay whole; the DOCX and
/// the PDF of one report are two versions of one current report; the review cycle.
async fn identity(store: &Store, dir: &Path) {
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/sample/reports");
    let same = dir.join("same");
    std::fs::create_dir_all(&same).unwrap();
    let file = same.join("年报.txt");
    std::fs::copy(sample.join("000000_2022.txt"), &file).unwrap();
    store.ingest(std::slice::from_ref(&file), false).await.unwrap();
    std::fs::copy(sample.join("000002_2022.txt"), &file).unwrap();
    store.ingest(std::slice::from_ref(&file), false).await.unwrap();
    for name in ["东阿县人民政府", "东阿县民政局"] {
        let id = store.find_agency(name).await.unwrap();
        let r = store.report_for(id, 2022).await.unwrap().unwrap_or_else(|| panic!("{name}'s 2022 report is gone"));
        assert_eq!(r.agency, name);
        let cells = count(store, &format!("SELECT COUNT(*) FROM cells WHERE report_id = {}", r.id)).await;
        assert_eq!(cells, 200, "{name}'s report is whole");
        let detail = store.report_detail(r.id).await.unwrap().unwrap();
        assert!(detail.is_current && detail.report_json.contains(name));
    }
    // DOCX and PDF of one report: one current report of the agency-year, counted once.
    let office = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/office");
    store.ingest(&[office.join("docx/004.docx"), office.join("pdf-chromium/004.pdf")], false).await.unwrap();
    let pdf_report = count(store, &format!("SELECT MAX(r.id) FROM reports r JOIN source_files f ON f.id = r.file_id WHERE f.path LIKE '%pdf-chromium{}004.pdf'", std::path::MAIN_SEPARATOR)).await;
    let r004 = store.report_detail(pdf_report).await.unwrap().unwrap();
    let (agency, year) = (r004.agency_id.unwrap(), r004.year.unwrap());
    let versions = store.versions(agency, year).await.unwrap();
    assert!(versions.len() >= 2, "{versions:?}");
    assert_eq!(versions.iter().filter(|v| v.is_current).count(), 1);
    let q = nianbao_store::web::ReportQuery { agency_id: Some(agency), year: Some(year as i32), limit: 100, ..Default::default() };
    assert_eq!(store.list_reports(&q).await.unwrap().1, 1, "listed once");
    let changes = store.changes(versions.last().unwrap().report_id).await.unwrap();
    assert!(changes.cells.is_empty(), "the PDF says what the DOCX says: {:?}", changes.cells);
    one_current_per_agency_year(store).await;
    country_sums_match_the_cells(store).await;

    // The cycle: submitted → returned → (a corrected version) resubmitted → approved.
    use nianbao_store::cases::Verdict;
    let admin = store.add_user("cycle-admin", "hash", nianbao_store::web::Role::Admin, None).await.unwrap();
    assert_eq!(store.case_of(agency, year).await.unwrap().unwrap().status, "submitted");
    store.review_case(agency, year, Verdict::Return, "请更正", admin).await.unwrap();
    assert_eq!(store.case_of(agency, year).await.unwrap().unwrap().status, "returned");
    // The reviewer makes the DOCX current again; a new version then takes over.
    store.choose_version(versions[0].report_id, admin).await.unwrap();
    assert_eq!(store.current_report(agency, year).await.unwrap(), Some(versions[0].report_id));
    country_sums_match_the_cells(store).await;
    let text = std::fs::read_to_string(seeds().join("004_4c838dddf2b6ea41.txt")).unwrap();
    let fixed = dir.join("004-fixed.txt");
    std::fs::write(&fixed, format!("{text}\n\n")).unwrap();
    store.ingest(&[fixed], false).await.unwrap();
    let case = store.case_of(agency, year).await.unwrap().unwrap();
    assert_eq!(case.status, "resubmitted");
    let current = store.current_report(agency, year).await.unwrap().unwrap();
    assert!(versions.iter().all(|v| v.report_id < current), "the corrected version is current");
    store.review_case(agency, year, Verdict::Approve, "", admin).await.unwrap();
    let history: Vec<String> = store.case_events(agency, year).await.unwrap().into_iter().map(|e| e.action).collect();
    assert_eq!(history.first().map(String::as_str), Some("submit"));
    assert!(history.ends_with(&["return".into(), "choose".into(), "resubmit".into(), "approve".into()]), "{history:?}");
    one_current_per_agency_year(store).await;
    country_sums_match_the_cells(store).await;
}

/// The behaviour every backend must have.
/// The corpus's sums kept by ingest (`country_sums`, read by `cell_sums` for the whole corpus)
/// equal the sums of the current reports' cells computed from scratch, for every table.
async fn country_sums_match_the_cells(store: &Store) {
    let tables: Vec<String> = sqlx::query("SELECT DISTINCT tbl FROM cell_keys").fetch_all(&store.pool).await.unwrap().iter().map(|r| r.get(0)).collect();
    assert_eq!(tables.len(), 3);
    for table in tables {
        let mut kept = store.cell_sums(None, None, &table).await.unwrap();
        let scanned = sqlx::query(
            "SELECT COALESCE(r.year, 0), k.layout, k.row_key, k.col, SUM(c.value) FROM cells c JOIN reports r ON r.id = c.report_id \
             JOIN source_files f ON f.id = r.file_id JOIN cell_keys k ON k.cell_id = c.cell_id \
             WHERE r.is_current = 1 AND k.tbl = $1 AND c.value IS NOT NULL GROUP BY COALESCE(r.year, 0), k.layout, k.row_key, k.col",
        )
        .bind(&table)
        .fetch_all(&store.pool)
        .await
        .unwrap();
        let mut scanned: Vec<nianbao_store::web::CellSum> = scanned.iter().map(|r| (r.get(0), r.get(1), r.get(2), r.get(3), r.get(4))).collect();
        let order = |a: &nianbao_store::web::CellSum, b: &nianbao_store::web::CellSum| (a.0, &a.1, &a.2, a.3).cmp(&(b.0, &b.1, &b.2, b.3));
        kept.sort_by(order);
        scanned.sort_by(order);
        assert!(!kept.is_empty());
        assert_eq!(kept.len(), scanned.len(), "{table}");
        for (k, s) in kept.iter().zip(&scanned) {
            assert!((k.0, &k.1, &k.2, k.3) == (s.0, &s.1, &s.2, s.3) && (k.4 - s.4).abs() < 1e-6, "{table}: kept {k:?}, scanned {s:?}");
        }
    }
}

async fn exercise(store: &Store, dir: &Path) {
    // Ingest the seeds: 5 files, 8 reports; every cell stored with its semantics.
    let s = store.ingest(&[seeds()], false).await.unwrap();
    assert_eq!((s.files, s.written, s.failed, s.reports), (5, 5, 0, 8));
    let cells = count(store, "SELECT COUNT(*) FROM cells").await;
    assert!(cells > 8 * 150, "{cells} cells");
    let blank = count(store, "SELECT COUNT(*) FROM cells WHERE semantics = 'blank' AND value IS NULL").await;
    assert!(blank > 100, "大溪镇's blank cells are stored as blank, not 0: {blank}");
    let a303 = count(store, "SELECT COUNT(*) FROM findings WHERE rule = 'A303'").await;
    assert_eq!(a303, 1);

    // Twice: nothing changes.
    let before = (count(store, "SELECT COUNT(*) FROM reports").await, count(store, "SELECT COUNT(*) FROM cells").await, count(store, "SELECT COUNT(*) FROM findings").await);
    let s = store.ingest(&[seeds()], false).await.unwrap();
    assert_eq!((s.written, s.unchanged), (0, 5));
    let after = (count(store, "SELECT COUNT(*) FROM reports").await, count(store, "SELECT COUNT(*) FROM cells").await, count(store, "SELECT COUNT(*) FROM findings").await);
    assert_eq!(before, after);

    // A file is known by its content: a copy under another name changes nothing.
    let file = dir.join("003.txt");
    let text = std::fs::read_to_string(seeds().join("003_5726aaf970dd957d.txt")).unwrap();
    std::fs::write(&file, &text).unwrap();
    let s = store.ingest(std::slice::from_ref(&file), false).await.unwrap();
    assert_eq!((s.written, s.unchanged), (0, 1));
    // A changed file is a new version of its agency-year; the old one stays but is not current.
    std::fs::write(&file, text.replace("行政强制 | 3 |", "行政强制 | 4 |")).unwrap();
    let s = store.ingest(std::slice::from_ref(&file), false).await.unwrap();
    assert_eq!(s.written, 1);
    let xiaodian = store.find_agency("太原市小店区人民政府").await.unwrap();
    let versions = store.versions(xiaodian, 2023).await.unwrap();
    assert_eq!(versions.iter().map(|v| v.is_current).collect::<Vec<_>>(), vec![false, true]);
    let changes = store.changes(versions[1].report_id).await.unwrap();
    assert_eq!(changes.previous, Some(versions[0].report_id));
    assert!(changes.cells.iter().any(|c| c.before.as_deref() == Some("3") && c.after.as_deref() == Some("4")), "{:?}", changes.cells);
    // The corpus's sums took the old version's 行政强制 3 away and the new one's 4 in.
    country_sums_match_the_cells(store).await;
    identity(store, dir).await;

    // An unreadable file is recorded as a failure and the batch goes on.
    let bad = dir.join("bad");
    std::fs::create_dir_all(&bad).unwrap();
    std::fs::write(bad.join("empty.txt"), "").unwrap();
    std::fs::write(bad.join("ok.txt"), text.replace("行政强制 | 3 |", "行政强制 | 5 |")).unwrap();
    let s = store.ingest(std::slice::from_ref(&bad), false).await.unwrap();
    assert_eq!((s.failed, s.written), (1, 1));
    assert!(s.failures[0].contains("文件为空"), "{:?}", s.failures);
    let failed = count(store, "SELECT COUNT(*) FROM source_files WHERE status = 'failed'").await;
    assert_eq!(failed, 1);

    // Reports of one agency in separate files are checked together: the 2020 → 2021 carry-over
    // (Y001) is found when each year is its own file.
    let split = dir.join("split");
    std::fs::create_dir_all(&split).unwrap();
    let all = std::fs::read_to_string(seeds().join("000_f1bcb5344c0ff0ec.txt")).unwrap();
    let cut = all.find("大 中 小东阿县人民政府办公室\n2020年").unwrap();
    let start_2021 = all.find("东阿县政府办公室2021年").unwrap();
    std::fs::write(split.join("2021.txt"), &all[start_2021..cut]).unwrap();
    std::fs::write(split.join("2020.txt"), &all[cut..]).unwrap();
    let s = store.ingest(std::slice::from_ref(&split), false).await.unwrap();
    assert_eq!(s.written, 2);
    assert!(s.rechecked_agencies >= 1);
    let y001 = sqlx::query("SELECT COUNT(*) FROM findings f JOIN reports r ON r.id = f.report_id JOIN source_files s ON s.id = r.file_id WHERE f.rule = 'Y001' AND s.path LIKE $1")
        .bind(format!("%{}", std::path::MAIN_SEPARATOR.to_string() + "2021.txt"))
        .fetch_one(&store.pool)
        .await
        .unwrap()
        .get::<i64, _>(0);
    assert_eq!(y001, 1, "the carry-over lost between two files is found");
    country_sums_match_the_cells(store).await;

    // Agencies: the short and full forms are one agency; an alias and a tree can be added.
    let id = store.find_agency("东阿县政府办公室").await.unwrap();
    assert_eq!(store.agency_name(id).await.unwrap(), "东阿县人民政府办公室");
    let tree = dir.join("tree.csv");
    std::fs::write(&tree, "name,parent\n东阿县人民政府办公室,东阿县人民政府\n东阿县统计局,东阿县人民政府\n").unwrap();
    assert_eq!(store.import_tree(&tree).await.unwrap(), 2);
    store.set_alias("东阿县政府办", "东阿县人民政府办公室").await.unwrap();
    assert_eq!(store.find_agency("东阿县政府办").await.unwrap(), id);

    // Roll-up: the government's departments for 2022; the statistics bureau is missing.
    let r = store.rollup("东阿县人民政府", 2022).await.unwrap();
    assert_eq!(r.included, vec!["东阿县人民政府办公室".to_string()]);
    assert_eq!(r.missing, vec!["东阿县统计局".to_string()]);
    assert_eq!(r.report.applications.value("new_received", 6), Some(13.0));
    let r2020 = store.rollup("东阿县人民政府", 2020).await.unwrap();
    assert_eq!(r2020.with_errors.len(), 1, "the 2020 report has arithmetic errors");

    // Export: the long table in every format, read back.
    let all = count(store, "SELECT COUNT(*) FROM cells c JOIN reports r ON r.id = c.report_id WHERE r.is_current = 1").await as usize;
    let filter = nianbao_store::export::Filter::default();
    let csv_path = dir.join("long.csv");
    let s = store.export(&filter, nianbao_store::export::ExportFormat::Csv, &csv_path).await.unwrap();
    assert_eq!(s.cells, all);
    let mut reader = csv::Reader::from_path(&csv_path).unwrap();
    assert_eq!(reader.headers().unwrap().iter().collect::<Vec<_>>(), nianbao_store::export::COLUMNS.to_vec());
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), all);
    assert!(rows.iter().any(|r| &r[0] == "太原市小店区人民政府" && &r[5] == "total_processed" && &r[6] == "6" && &r[7] == "52"));
    assert!(dir.join("long.codebook.csv").exists());
    let pq = dir.join("long.parquet");
    store.export(&filter, nianbao_store::export::ExportFormat::Parquet, &pq).await.unwrap();
    let reader = parquet::file::reader::SerializedFileReader::new(std::fs::File::open(&pq).unwrap()).unwrap();
    use parquet::file::reader::FileReader;
    assert_eq!(reader.metadata().file_metadata().num_rows() as usize, all);
    let xlsx = dir.join("long.xlsx");
    let s = store.export(&nianbao_store::export::Filter { agency: Some("太原市小店区人民政府".into()), ..Default::default() }, nianbao_store::export::ExportFormat::Xlsx, &xlsx).await.unwrap();
    assert!(s.reports >= 1);
    use calamine::Reader;
    let mut book: calamine::Xlsx<_> = calamine::open_workbook(&xlsx).unwrap();
    let names = book.sheet_names();
    assert!(names.iter().any(|n| n == "长表") && names.iter().any(|n| n == "问题清单") && names.iter().any(|n| n == "说明"), "{names:?}");
    let laid_out = names.iter().find(|n| n.contains("小店区")).cloned().unwrap();
    let range = book.worksheet_range(&laid_out).unwrap();
    let has = |text: &str| range.rows().any(|r| r.iter().any(|c| c.to_string().contains(text)));
    assert!(has("（七）总计") && has("52") && has("行政复议"));

    // Compare two years from the database.
    let a = store.report_for(id, 2022).await.unwrap().unwrap();
    let b = store.report_for(id, 2023).await.unwrap().unwrap();
    let c = nianbao_store::compare::compare(&a.report, &b.report, &a.prose, &b.prose);
    let new = c.cells.iter().find(|x| x.row == "new_received" && x.column == "总计").unwrap();
    assert_eq!((new.before, new.after), (Some(13.0), Some(9.0)));

    // Accounts: added, listed, disabled (no login, sessions gone), enabled, password and role changed.
    use nianbao_store::web::Role;
    let region = store.find_agency("东阿县人民政府办公室").await.unwrap();
    let uid = store.add_user("reviewer-1", "hash-1", Role::Reviewer, Some(region)).await.unwrap();
    store.create_session("token-1", uid, "csrf-1", "2999-01-01T00:00:00Z").await.unwrap();
    assert!(store.session_user("token-1").await.unwrap().is_some());
    store.set_user_disabled(uid, true).await.unwrap();
    assert!(store.session_user("token-1").await.unwrap().is_none() && store.user_by_name("reviewer-1").await.unwrap().is_none());
    assert!(store.list_users().await.unwrap().iter().any(|u| u.user.name == "reviewer-1" && u.disabled));
    store.set_user_disabled(uid, false).await.unwrap();
    store.set_password(uid, "hash-2").await.unwrap();
    store.set_user_role(uid, Role::Admin, None).await.unwrap();
    let (user, hash) = store.user_by_name("reviewer-1").await.unwrap().unwrap();
    assert_eq!((user.role, user.region_id, hash.as_str()), (Role::Admin, None, "hash-2"));

    // The tree edited by hand: an agency added under a parent, moved, a cycle refused.
    let finance = store.add_agency("东阿县财政局", Some("东阿县人民政府")).await.unwrap();
    let gov = store.find_agency("东阿县人民政府").await.unwrap();
    assert!(store.children(gov).await.unwrap().iter().any(|c| c.0 == finance));
    assert!(matches!(store.set_parent(gov, Some(finance)).await, Err(nianbao_store::StoreError::Refused(_))), "a parent under the agency itself");
    store.set_parent(finance, None).await.unwrap();
    assert!(!store.children(gov).await.unwrap().iter().any(|c| c.0 == finance));
    // An alias that merges two agencies with a report of the same year: one current report.
    let civil = store.find_agency("东阿县民政局").await.unwrap();
    assert!(store.current_report(civil, 2022).await.unwrap().is_some() && store.current_report(gov, 2022).await.unwrap().is_some());
    store.set_alias("东阿县民政局", "东阿县人民政府").await.unwrap();
    assert_eq!(store.find_agency("东阿县民政局").await.unwrap(), gov);
    assert_eq!(store.versions(gov, 2022).await.unwrap().len(), 2);
    one_current_per_agency_year(store).await;
    country_sums_match_the_cells(store).await;
    letters(store, gov).await;
}

/// The letter log numbers letters per issue year, consecutively within a batch, and gives an
/// unchanged letter its earlier number unless a new issue is asked for.
async fn letters(store: &Store, agency: i64) {
    use nianbao_store::letters::LetterRequest;
    let ask = |content: &str| LetterRequest { kind: "notice".into(), agency_id: agency, report_year: 2022, content: content.into() };
    let number = |seq: i64| format!("某函〔2026〕{seq}号");
    let seqs = |v: Vec<nianbao_store::letters::Issued>| v.into_iter().map(|i| (i.seq, i.reused)).collect::<Vec<_>>();
    assert_eq!(seqs(store.issue_letters(&[ask("a"), ask("b")], 2026, None, false, &number).await.unwrap()), vec![(1, false), (2, false)]);
    assert_eq!(seqs(store.issue_letters(&[ask("b"), ask("c")], 2026, None, false, &number).await.unwrap()), vec![(2, true), (3, false)]);
    assert_eq!(seqs(store.issue_letters(&[ask("a")], 2026, None, true, &number).await.unwrap()), vec![(4, false)]);
    // Another issue year starts again at 1.
    assert_eq!(seqs(store.issue_letters(&[ask("a")], 2027, None, false, &number).await.unwrap()), vec![(1, false)]);
    let log = store.letter_log(Some(agency), 10).await.unwrap();
    assert_eq!(log.iter().map(|l| (l.issue_year, l.seq)).collect::<Vec<_>>(), vec![(2027, 1), (2026, 4), (2026, 3), (2026, 2), (2026, 1)]);
    assert_eq!(log[1].number, "某函〔2026〕4号");
    assert_eq!(store.letter_log(None, 2).await.unwrap().len(), 2);
}

#[test]
fn sqlite_file() {
    let dir = tempdir("sqlite");
    let db = dir.join("corpus.db");
    let store = block_on(Store::open(db.to_str().unwrap())).unwrap().unwrap();
    block_on(exercise(&store, &dir)).unwrap();
    assert!(db.exists());
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn postgres_server() {
    let Ok(url) = std::env::var("NIANBAO_TEST_POSTGRES") else {
        eprintln!("NIANBAO_TEST_POSTGRES is not set: the PostgreSQL test needs a server (CI starts one)");
        assert!(std::env::var("CI").is_err(), "CI must provide NIANBAO_TEST_POSTGRES");
        return;
    };
    let dir = tempdir("pg");
    block_on(async {
        // A fresh schema for the test.
        nianbao_store::drop_schema(&url).await.unwrap();
        let store = Store::open(&url).await.unwrap();
        exercise(&store, &dir).await;
    })
    .unwrap();
    std::fs::remove_dir_all(&dir).ok();
}
