//! `nianbao ingest` killed with SIGKILL in the middle: every committed report is whole, and the
//! next run does the rest, cross-year findings included, without duplicates. Several writers on
//! one database (two ingests and `serve` on one SQLite file; two ingests on one PostgreSQL)
//! end with what one uninterrupted ingest gives.

use nianbao_store::{block_on, Store};
use sqlx::Row;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// `n` files: `n / 2` agencies, each with its 2023 report and a 2024 report in another file (so
/// the rules across years have work to do, and it spans files).
fn corpus(name: &str, n: usize) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("nianbao-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("reports")).unwrap();
    let seed = std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/seeds/003_5726aaf970dd957d.txt")).unwrap();
    for i in 0..n {
        let text = seed.replace("太原市小店区人民政府", &format!("太原市第{}区人民政府", i / 2));
        let text = if i % 2 == 1 { text.replace("2024", "2025").replace("2023", "2024") } else { text };
        std::fs::write(dir.join("reports").join(format!("{i:04}.txt")), text).unwrap();
    }
    dir
}

async fn scalar(store: &Store, sql: &str) -> i64 {
    sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_one(&store.pool).await.map(|r| r.get::<i64, _>(0)).unwrap_or(0)
}

/// What a database holds, independent of row ids: every current report (file, index, agency,
/// year, counts) and every finding (file, index, rule, message), sorted; and the number of
/// stored file versions.
async fn contents(store: &Store) -> (Vec<String>, Vec<String>, i64) {
    let reports = sqlx::query(
        "SELECT f.path, r.idx, COALESCE(a.name, ''), COALESCE(r.year, 0), r.errors, r.warnings, (SELECT COUNT(*) FROM cells c WHERE c.report_id = r.id) \
         FROM reports r JOIN source_files f ON f.id = r.file_id LEFT JOIN agencies a ON a.id = r.agency_id WHERE f.is_current = 1",
    )
    .fetch_all(&store.pool)
    .await
    .unwrap();
    let mut reports: Vec<String> = reports
        .iter()
        .map(|r| format!("{}#{} {} {} e{} w{} c{}", r.get::<String, _>(0), r.get::<i64, _>(1), r.get::<String, _>(2), r.get::<i64, _>(3), r.get::<i64, _>(4), r.get::<i64, _>(5), r.get::<i64, _>(6)))
        .collect();
    reports.sort();
    let findings = sqlx::query("SELECT f.path, r.idx, x.rule, x.message FROM findings x JOIN reports r ON r.id = x.report_id JOIN source_files f ON f.id = r.file_id WHERE f.is_current = 1")
        .fetch_all(&store.pool)
        .await
        .unwrap();
    let mut findings: Vec<String> = findings.iter().map(|r| format!("{}#{} {} {}", r.get::<String, _>(0), r.get::<i64, _>(1), r.get::<String, _>(2), r.get::<String, _>(3))).collect();
    findings.sort();
    let versions = scalar(store, "SELECT COUNT(*) FROM source_files").await;
    (reports, findings, versions)
}

fn ingest(dir: &Path, db: &str) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_nianbao")).args(["ingest", dir.join("reports").to_str().unwrap(), "--db", db]).output().unwrap()
}

/// One uninterrupted ingest of the corpus into a new SQLite file.
fn reference(dir: &Path) -> (Vec<String>, Vec<String>, i64) {
    let db = dir.join("reference.db");
    let out = ingest(dir, db.to_str().unwrap());
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let c = block_on(async { contents(&Store::open(db.to_str().unwrap()).await.unwrap()).await }).unwrap();
    assert!(c.1.iter().any(|f| f.contains(" Y")), "the corpus has findings across years");
    c
}

#[test]
fn a_killed_ingest_leaves_whole_reports_and_resumes() {
    const N: usize = 400;
    let dir = corpus("kill", N);
    let want = reference(&dir);
    let db = dir.join("corpus.db");
    let db_s = db.to_str().unwrap().to_string();
    // Create the schema first so the poller can read while the ingest writes.
    block_on(Store::open(&db_s)).unwrap().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_nianbao"))
        .args(["ingest", dir.join("reports").to_str().unwrap(), "--db", &db_s])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    let mut seen = 0;
    while start.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_millis(20));
        seen = block_on(async { scalar(&Store::open(&db_s).await.unwrap(), "SELECT COUNT(*) FROM source_files").await }).unwrap();
        if seen >= 10 {
            break;
        }
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    assert!(seen >= 10, "the ingest wrote nothing in time");
    let (files, whole, reports, pending) = block_on(async {
        let s = Store::open(&db_s).await.unwrap();
        let files = scalar(&s, "SELECT COUNT(*) FROM source_files").await;
        // Every stored report has all its cells (表二 10 + 表三 25×7 + 表四 15 = 200) and its file.
        let whole = scalar(&s, "SELECT COUNT(*) FROM reports r WHERE (SELECT COUNT(*) FROM cells c WHERE c.report_id = r.id) = 200").await;
        let reports = scalar(&s, "SELECT COUNT(*) FROM reports").await;
        let pending = scalar(&s, "SELECT COUNT(*) FROM pending_rechecks").await;
        (files, whole, reports, pending)
    })
    .unwrap();
    assert!(files < N as i64, "killed before the end ({files} of {N})");
    assert_eq!(whole, reports, "a report was left half-written");
    assert_eq!(files, reports, "one report per file");
    assert!(pending > 0, "the re-checks of the files written are recorded as pending");

    let out = ingest(&dir, &db_s);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let (got, dups, pending) = block_on(async {
        let s = Store::open(&db_s).await.unwrap();
        (
            contents(&s).await,
            scalar(&s, "SELECT COUNT(*) FROM (SELECT path FROM source_files GROUP BY path HAVING COUNT(*) > 1) d").await,
            scalar(&s, "SELECT COUNT(*) FROM pending_rechecks").await,
        )
    })
    .unwrap();
    assert_eq!((got.2, dups, pending), (N as i64, 0, 0));
    assert_eq!(got.0, want.0, "the reports equal an uninterrupted run's");
    assert_eq!(got.1.len(), want.1.len(), "as many findings as an uninterrupted run");
    assert_eq!(got.1, want.1, "the findings equal an uninterrupted run's");

    // `nianbao recheck` re-checks the whole corpus: the same findings again.
    let out = Command::new(env!("CARGO_BIN_EXE_nianbao")).args(["recheck", "--db", &db_s]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("已重新核对"));
    let again = block_on(async { contents(&Store::open(&db_s).await.unwrap()).await }).unwrap();
    assert_eq!(again.1, want.1);
    std::fs::remove_dir_all(&dir).ok();
}

/// Two ingests of the same folder at once, while `nianbao serve` has the file open: both
/// succeed, and the database equals one uninterrupted ingest's.
#[test]
fn two_ingests_and_serve_share_one_sqlite_file() {
    const N: usize = 120;
    let dir = corpus("two-sqlite", N);
    let want = reference(&dir);
    let db = dir.join("shared.db");
    let db_s = db.to_str().unwrap().to_string();
    let mut serve = Command::new(env!("CARGO_BIN_EXE_nianbao"))
        .args(["serve", "--db", &db_s, "--addr", "127.0.0.1:0"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let spawn = || Command::new(env!("CARGO_BIN_EXE_nianbao")).args(["ingest", dir.join("reports").to_str().unwrap(), "--db", &db_s]).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let (a, b) = (spawn(), spawn());
    let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
    let _ = serve.kill();
    let _ = serve.wait();
    for out in [&a, &b] {
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    let got = block_on(async { contents(&Store::open(&db_s).await.unwrap()).await }).unwrap();
    assert_eq!(got.2, N as i64, "no file stored twice");
    assert_eq!(got.0, want.0);
    assert_eq!(got.1, want.1);
    std::fs::remove_dir_all(&dir).ok();
}

/// Two ingests at once on one PostgreSQL database (`NIANBAO_TEST_POSTGRES`) end equal to one
/// uninterrupted ingest.
#[test]
fn two_ingests_share_one_postgres() {
    let Ok(url) = std::env::var("NIANBAO_TEST_POSTGRES") else {
        eprintln!("NIANBAO_TEST_POSTGRES is not set: the PostgreSQL test needs a server (CI starts one)");
        assert!(std::env::var("CI").is_err(), "CI must provide NIANBAO_TEST_POSTGRES");
        return;
    };
    const N: usize = 60;
    let dir = corpus("two-pg", N);
    let want = reference(&dir);
    block_on(async {
        nianbao_store::drop_schema(&url).await.unwrap();
        Store::open(&url).await.unwrap();
    })
    .unwrap();
    let spawn = || Command::new(env!("CARGO_BIN_EXE_nianbao")).args(["ingest", dir.join("reports").to_str().unwrap(), "--db", &url]).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let (a, b) = (spawn(), spawn());
    let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
    for out in [&a, &b] {
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    let got = block_on(async { contents(&Store::open(&url).await.unwrap()).await }).unwrap();
    assert_eq!(got.2, N as i64, "no file stored twice");
    assert_eq!(got.0, want.0);
    assert_eq!(got.1, want.1);
    std::fs::remove_dir_all(&dir).ok();
}

/// A database another program keeps locked longer than the wait: a Chinese error naming the
/// database, exit 2, nothing half-written.
#[test]
fn a_locked_database_is_a_clear_error() {
    let dir = corpus("locked", 4);
    let db = dir.join("locked.db");
    let db_s = db.to_str().unwrap().to_string();
    let out = block_on(async {
        let store = Store::open(&db_s).await.unwrap();
        // Another writer holds the write lock for the whole run.
        let mut conn = store.pool.acquire().await.unwrap();
        sqlx::query("BEGIN IMMEDIATE").execute(&mut *conn).await.unwrap();
        sqlx::query("INSERT INTO pending_rechecks (agency_id, token) VALUES (-1, -1)").execute(&mut *conn).await.unwrap();
        let out = tokio::task::spawn_blocking({
            let (dir, db_s) = (dir.clone(), db_s.clone());
            move || Command::new(env!("CARGO_BIN_EXE_nianbao")).env("NIANBAO_DB_BUSY_TIMEOUT", "1").args(["ingest", dir.join("reports").to_str().unwrap(), "--db", &db_s]).output().unwrap()
        })
        .await
        .unwrap();
        sqlx::query("ROLLBACK").execute(&mut *conn).await.unwrap();
        drop(conn);
        assert_eq!(scalar(&store, "SELECT COUNT(*) FROM source_files").await, 0, "nothing written");
        out
    })
    .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("被其他程序占用") && stderr.contains(&db_s), "{stderr}");
    std::fs::remove_dir_all(&dir).ok();
}
