//! `nianbao ingest` killed with SIGKILL in the middle: every committed report is whole, and the
//! next run does the rest without duplicates.

use nianbao_store::{block_on, Store};
use sqlx::Row;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn corpus(n: usize) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("nianbao-kill-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("reports")).unwrap();
    let seed = std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/seeds/003_5726aaf970dd957d.txt")).unwrap();
    for i in 0..n {
        let text = seed.replace("太原市小店区人民政府", &format!("太原市第{i}区人民政府"));
        std::fs::write(dir.join("reports").join(format!("{i:04}.txt")), text).unwrap();
    }
    dir
}

async fn scalar(store: &Store, sql: &str) -> i64 {
    sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_one(&store.pool).await.map(|r| r.get::<i64, _>(0)).unwrap_or(0)
}

#[test]
fn a_killed_ingest_leaves_whole_reports_and_resumes() {
    const N: usize = 400;
    let dir = corpus(N);
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
    let (files, whole, reports) = block_on(async {
        let s = Store::open(&db_s).await.unwrap();
        let files = scalar(&s, "SELECT COUNT(*) FROM source_files").await;
        // Every stored report has all its cells (表二 10 + 表三 25×7 + 表四 15 = 200) and its file.
        let whole = scalar(&s, "SELECT COUNT(*) FROM reports r WHERE (SELECT COUNT(*) FROM cells c WHERE c.report_id = r.id) = 200").await;
        let reports = scalar(&s, "SELECT COUNT(*) FROM reports").await;
        (files, whole, reports)
    })
    .unwrap();
    assert!(files < N as i64, "killed before the end ({files} of {N})");
    assert_eq!(whole, reports, "a report was left half-written");
    assert_eq!(files, reports, "one report per file");

    let out = Command::new(env!("CARGO_BIN_EXE_nianbao")).args(["ingest", dir.join("reports").to_str().unwrap(), "--db", &db_s]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let (files, reports, dups) = block_on(async {
        let s = Store::open(&db_s).await.unwrap();
        (
            scalar(&s, "SELECT COUNT(*) FROM source_files").await,
            scalar(&s, "SELECT COUNT(*) FROM reports").await,
            scalar(&s, "SELECT COUNT(*) FROM (SELECT path FROM source_files GROUP BY path HAVING COUNT(*) > 1) d").await,
        )
    })
    .unwrap();
    assert_eq!((files, reports, dups), (N as i64, N as i64, 0));
    std::fs::remove_dir_all(&dir).ok();
}
