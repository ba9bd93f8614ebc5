//! A database written by the release before report identity (schema up to migration 0007,
//! `fixtures/release-0007.db`, made by `fixtures/make-release-0007.sh` with that release's
//! binary) is upgraded without loss: every file, report, cell, finding, decision and account
//! stays; each agency-year has exactly one current report — the report the release lost (a
//! second agency's `年报.txt` made it a "version" of another agency's) is current again, the DOCX
//! and PDF of one report count once — and the corpus's sums follow the current reports.

use nianbao_store::{block_on, Store};
use sqlx::Row;
use std::path::Path;

async fn count(pool: &sqlx::AnyPool, sql: &str) -> i64 {
    sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_one(pool).await.unwrap().get::<i64, _>(0)
}

const TABLES: &[&str] = &["agencies", "agency_aliases", "source_files", "reports", "cells", "findings", "users", "review_decisions"];

#[test]
fn a_release_0007_database_is_upgraded_without_loss() {
    let dir = std::env::temp_dir().join(format!("nianbao-migrate-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("old.db");
    std::fs::copy(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/release-0007.db"), &db).unwrap();
    block_on(async {
        // Before: read with a plain connection, the schema untouched.
        sqlx::any::install_default_drivers();
        let url = format!("sqlite://{}", db.display());
        let old = sqlx::any::AnyPoolOptions::new().max_connections(1).connect(&url).await.unwrap();
        assert_eq!(count(&old, "SELECT MAX(version) FROM _sqlx_migrations").await, 7, "the fixture is a release-0007 database");
        let mut before = Vec::new();
        for t in TABLES {
            before.push(count(&old, &format!("SELECT COUNT(*) FROM {t}")).await);
        }
        // The defect the fixture holds: a report whose file was taken over by another agency's.
        let lost = count(&old, "SELECT COUNT(*) FROM reports r JOIN source_files f ON f.id = r.file_id WHERE f.is_current = 0").await;
        assert!(lost >= 1);
        let decisions: Vec<(String, String)> =
            sqlx::query("SELECT finding_key, status FROM review_decisions").fetch_all(&old).await.unwrap().iter().map(|r| (r.get(0), r.get(1))).collect();
        old.close().await;

        let store = Store::open(db.to_str().unwrap()).await.unwrap();
        for (t, n) in TABLES.iter().zip(&before) {
            assert_eq!(count(&store.pool, &format!("SELECT COUNT(*) FROM {t}")).await, *n, "{t}: nothing lost");
        }
        // One current report per agency-year.
        let bad = count(
            &store.pool,
            "SELECT COUNT(*) FROM (SELECT agency_id, year FROM reports WHERE agency_id IS NOT NULL AND year IS NOT NULL GROUP BY agency_id, year HAVING SUM(is_current) <> 1) d",
        )
        .await;
        assert_eq!(bad, 0);
        let agency_years = count(&store.pool, "SELECT COUNT(*) FROM (SELECT DISTINCT agency_id, year FROM reports WHERE agency_id IS NOT NULL AND year IS NOT NULL) d").await;
        assert_eq!(count(&store.pool, "SELECT COUNT(*) FROM reports WHERE is_current = 1").await, agency_years);
        // Both agencies of the shared name are listed again, each with its own text.
        for name in ["东阿县人民政府", "东阿县民政局"] {
            let id = store.find_agency(name).await.unwrap();
            let r = store.report_for(id, 2022).await.unwrap().unwrap_or_else(|| panic!("{name} 2022"));
            assert_eq!(r.agency, name);
            let detail = store.report_detail(r.id).await.unwrap().unwrap();
            assert!(detail.is_current && detail.report_json.contains(name));
            assert_eq!(store.case_of(id, 2022).await.unwrap().unwrap().status, "submitted");
        }
        let q = nianbao_store::web::ReportQuery { year: Some(2022), limit: 100, ..Default::default() };
        let (rows, _) = store.list_reports(&q).await.unwrap();
        assert!(rows.iter().any(|r| r.agency == "东阿县人民政府") && rows.iter().any(|r| r.agency == "东阿县民政局"), "{rows:?}");
        // DOCX and PDF of one report: listed once.
        let xiaodian = store.find_agency("太原市小店区人民政府").await.unwrap();
        assert_eq!(store.versions(xiaodian, 2023).await.unwrap().len(), 2);
        let q = nianbao_store::web::ReportQuery { agency_id: Some(xiaodian), limit: 100, ..Default::default() };
        assert_eq!(store.list_reports(&q).await.unwrap().1, 1);
        // Decisions still apply to the findings they were made on.
        let gov = store.find_agency("东阿县人民政府").await.unwrap();
        let current = store.current_report(gov, 2022).await.unwrap().unwrap();
        let keys: Vec<String> = store.findings_of(current).await.unwrap().into_iter().map(|f| f.key).collect();
        let found = store.decisions_for(&keys).await.unwrap();
        for (key, status) in &decisions {
            assert_eq!(found.get(key).map(|d| d.status.as_str()), Some(status.as_str()), "{key}");
        }
        // The corpus's sums are the current reports' cells.
        let kept = store.cell_sums(None, None, "applications").await.unwrap();
        let scanned = count(
            &store.pool,
            "SELECT COUNT(*) FROM (SELECT COALESCE(r.year, 0), c.cell_id FROM cells c JOIN reports r ON r.id = c.report_id JOIN cell_keys k ON k.cell_id = c.cell_id \
             WHERE r.is_current = 1 AND k.tbl = 'applications' AND c.value IS NOT NULL GROUP BY COALESCE(r.year, 0), c.cell_id) d",
        )
        .await;
        assert_eq!(kept.len() as i64, scanned);
        let total_2023: f64 = kept.iter().filter(|s| s.0 == 2023 && s.2 == "new_received" && s.3 == 6).map(|s| s.4).sum();
        let once: f64 = sqlx::query(
            "SELECT SUM(c.value) FROM cells c JOIN reports r ON r.id = c.report_id JOIN cell_keys k ON k.cell_id = c.cell_id \
             WHERE r.is_current = 1 AND r.year = 2023 AND k.tbl = 'applications' AND k.row_key = 'new_received' AND k.col = 6",
        )
        .fetch_one(&store.pool)
        .await
        .unwrap()
        .get::<Option<f64>, _>(0)
        .unwrap_or(0.0);
        assert!((total_2023 - once).abs() < 1e-6, "2023 counted once: {total_2023} vs {once}");
        // The upgraded database takes new files as before.
        let seeds = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/seeds/003_5726aaf970dd957d.txt");
        let s = store.ingest(&[seeds], false).await.unwrap();
        assert_eq!(s.written + s.unchanged, 1);
    })
    .unwrap();
    std::fs::remove_dir_all(&dir).ok();
}

/// The same upgrade on PostgreSQL: the schema of the release (migrations up to 0007, run from
/// the embedded ones), rows as that release wrote them — an agency's report hidden because a
/// second agency's `年报.txt` became the "current version" of its path, and one report stored
/// twice (DOCX and PDF) —, then the upgrade.
#[test]
fn a_postgres_0007_database_is_upgraded_without_loss() {
    let Ok(url) = std::env::var("NIANBAO_TEST_POSTGRES") else {
        eprintln!("NIANBAO_TEST_POSTGRES is not set: the PostgreSQL test needs a server (CI starts one)");
        assert!(std::env::var("CI").is_err(), "CI must provide NIANBAO_TEST_POSTGRES");
        return;
    };
    block_on(async {
        nianbao_store::drop_schema(&url).await.unwrap();
        sqlx::any::install_default_drivers();
        let pool = sqlx::any::AnyPoolOptions::new().max_connections(1).connect(&url).await.unwrap();
        sqlx::migrate!("./migrations/postgres").run_to(7, &pool).await.unwrap();
        let agency = |name: &'static str| {
            let pool = pool.clone();
            async move { sqlx::query("INSERT INTO agencies (name, kind) VALUES ($1, 'department') RETURNING id").bind(name).fetch_one(&pool).await.unwrap().get::<i64, _>(0) }
        };
        let (a, b, c) = (agency("甲县统计局").await, agency("甲县民政局").await, agency("甲县财政局").await);
        // (path, sha, version, current, agency, name)
        let files = [
            ("in/年报.txt", "sha-a", 1, 0, a, "甲县统计局"),
            ("in/年报.txt", "sha-b", 2, 1, b, "甲县民政局"),
            ("docs/财政.docx", "sha-c1", 1, 1, c, "甲县财政局"),
            ("docs/财政.pdf", "sha-c2", 1, 1, c, "甲县财政局"),
        ];
        for (path, sha, version, current, agency, name) in files {
            let file: i64 = sqlx::query(
                "INSERT INTO source_files (path, sha256, size, format, status, parser_version, version, is_current, ingested_at) \
                 VALUES ($1, $2, 10, 'text', 'ok', 'p1', $3, $4, '2026-01-10T00:00:00Z') RETURNING id",
            )
            .bind(path)
            .bind(sha)
            .bind(version as i64)
            .bind(current as i64)
            .fetch_one(&pool)
            .await
            .unwrap()
            .get(0);
            sqlx::query(
                "INSERT INTO reports (file_id, idx, agency_id, agency_name, year, report_json, prose_json, errors, warnings) VALUES ($1, 0, $2, $3, 2025, $4, '[]', 1, 0)",
            )
            .bind(file)
            .bind(agency)
            .bind(name)
            .bind(format!("{{\"agency\":\"{name}\"}}"))
            .execute(&pool)
            .await
            .unwrap();
        }
        sqlx::query("INSERT INTO review_decisions (finding_key, agency_id, year, rule, status, comment, decided_at) VALUES ($1, $2, 2025, 'A302', 'confirmed', '', '2026-01-15T06:03:00Z')")
            .bind(format!("a{a}|2025|A302|[]"))
            .bind(a)
            .execute(&pool)
            .await
            .unwrap();
        pool.close().await;

        let store = Store::open(&url).await.unwrap();
        for (t, n) in [("source_files", 4), ("reports", 4), ("review_decisions", 1), ("agencies", 3)] {
            assert_eq!(count(&store.pool, &format!("SELECT COUNT(*) FROM {t}")).await, n, "{t}: nothing lost");
        }
        for id in [a, b, c] {
            assert_eq!(count(&store.pool, &format!("SELECT COUNT(*) FROM reports WHERE agency_id = {id} AND is_current = 1")).await, 1, "agency {id}: one current report");
            assert_eq!(store.case_of(id, 2025).await.unwrap().unwrap().status, "submitted");
        }
        let q = nianbao_store::web::ReportQuery { year: Some(2025), limit: 100, ..Default::default() };
        let (rows, total) = store.list_reports(&q).await.unwrap();
        assert_eq!(total, 3, "the hidden report is back, the DOCX/PDF pair counts once: {rows:?}");
        assert!(rows.iter().any(|r| r.agency == "甲县统计局"));
        assert_eq!(store.versions(c, 2025).await.unwrap().len(), 2);
    })
    .unwrap();
}
