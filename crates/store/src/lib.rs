//! The corpus database: every ingested source file (by content hash), its reports (versions
//! of their agency-year, one current), every cell with its semantics, every finding, and the agencies with their aliases
//! and parents. One schema and one code path for SQLite (the default, a file) and PostgreSQL,
//! through sqlx's `Any` driver with runtime queries; migrations are embedded in the binary.

pub mod agencies;
pub mod cases;
pub mod cell_keys;
pub mod compare;
pub mod corrections;
pub mod export;
pub mod ingest;
pub mod letters;
pub mod query;
pub mod rollup;
pub mod web;

use sqlx::any::AnyPoolOptions;
use sqlx::AnyPool;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum StoreError {
    #[error("无法打开数据库 {url}：{reason}")]
    Open { url: String, reason: String },
    #[error("数据库升级（迁移）失败：{0}")]
    Migrate(String),
    #[error("数据库操作失败：{0}")]
    Db(#[from] sqlx::Error),
    #[error("找不到机关“{0}”（可用 nianbao agency list 查看已有机关）")]
    NoAgency(String),
    #[error("{agency} 没有 {year} 年度的报告")]
    NoReport { agency: String, year: i32 },
    #[error("读取 {file} 失败：{reason}")]
    Csv { file: String, reason: String },
    #[error("数据库 {db} 被其他程序占用，等待 {seconds} 秒后仍无法写入；请稍后重试")]
    Locked { db: String, seconds: u64 },
    #[error("磁盘已满，无法写入数据库 {db}；请腾出磁盘空间后重试（已写入的内容完整保留）")]
    DiskFull { db: String },
    #[error("{0}")]
    Refused(String),
    #[error("{0}")]
    Other(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// An open corpus database.
#[derive(Clone)]
pub struct Store {
    pub pool: AnyPool,
    pub backend: Backend,
    /// (layout, table, row, column) → cell_id.
    pub cell_keys: std::sync::Arc<cell_keys::CellKeys>,
    /// Answers of the web's read queries over many reports (list pages, dashboard sums), kept
    /// while the data they were read from is unchanged (`web::Generation`): summing a large
    /// region's cells takes seconds, sorting 100,000 reports a fifth of a second.
    pub(crate) memo: std::sync::Arc<std::sync::Mutex<web::Memo>>,
    /// `--db` as given (named in error messages; never a password: URLs are shown without it).
    db: std::sync::Arc<str>,
    busy_secs: u64,
}

/// How long a writer waits for another (an `ingest` in another process, `serve`) to finish its
/// transaction before giving up, on SQLite; `NIANBAO_DB_BUSY_TIMEOUT` (seconds) overrides it.
pub const BUSY_TIMEOUT_SECS: u64 = 60;

fn busy_timeout_secs() -> u64 {
    std::env::var("NIANBAO_DB_BUSY_TIMEOUT").ok().and_then(|v| v.trim().parse::<u64>().ok()).filter(|n| *n > 0).unwrap_or(BUSY_TIMEOUT_SECS)
}
/// Connections per pool: several, so one write or one slow query never holds up reads and
/// logins (SQLite in WAL mode reads while another connection writes).
pub const POOL_CONNECTIONS: u32 = 8;

/// `--db` as given: a `postgres://…` URL, a `sqlite:` URL, or a path to a SQLite file.
pub fn database_url(db: &str) -> (String, Backend) {
    if db.starts_with("postgres://") || db.starts_with("postgresql://") {
        (db.to_string(), Backend::Postgres)
    } else if db.starts_with("sqlite:") {
        (db.to_string(), Backend::Sqlite)
    } else {
        (format!("sqlite://{db}?mode=rwc"), Backend::Sqlite)
    }
}

impl Store {
    /// Opens (creating if needed) and migrates the database.
    pub async fn open(db: &str) -> Result<Store, StoreError> {
        sqlx::any::install_default_drivers();
        let (url, backend) = database_url(db);
        let sqlite = backend == Backend::Sqlite;
        let busy = busy_timeout_secs();
        let pool = AnyPoolOptions::new()
            .max_connections(POOL_CONNECTIONS)
            .acquire_timeout(std::time::Duration::from_secs(busy + 30))
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if sqlite {
                        // Per connection: a writer waits for another instead of failing at once
                        // with `database is locked`.
                        sqlx::query(sqlx::AssertSqlSafe(format!("PRAGMA busy_timeout = {}", busy * 1000))).execute(&mut *conn).await?;
                        sqlx::query("PRAGMA synchronous = NORMAL").execute(&mut *conn).await?;
                        sqlx::query("PRAGMA foreign_keys = ON").execute(&mut *conn).await?;
                    }
                    Ok(())
                })
            })
            .connect(&url)
            .await
            .map_err(|e| StoreError::Open { url: shown_db(db), reason: e.to_string() })?;
        if sqlite {
            // WAL keeps readers going during an ingest; each report is still its own transaction.
            sqlx::query("PRAGMA journal_mode=WAL").execute(&pool).await?;
        }
        let migrator = match backend {
            Backend::Sqlite => sqlx::migrate!("./migrations/sqlite"),
            Backend::Postgres => sqlx::migrate!("./migrations/postgres"),
        };
        // Two processes opening a new SQLite file at once both apply the first migration; the
        // loser sees the winner's tables and, run again, finds them recorded (PostgreSQL's
        // migrator takes a lock of its own).
        let mut attempt = 0;
        loop {
            match migrator.run(&pool).await {
                Ok(()) => break,
                Err(e) if sqlite && attempt < 5 => {
                    attempt += 1;
                    let _ = e;
                    tokio::time::sleep(std::time::Duration::from_millis(200 * attempt)).await;
                }
                Err(e) => return Err(StoreError::Migrate(e.to_string())),
            }
        }
        let keys = cell_keys::load(&pool).await?;
        Ok(Store { pool, backend, cell_keys: std::sync::Arc::new(keys), memo: Default::default(), db: shown_db(db).into(), busy_secs: busy })
    }

    /// A write transaction. On SQLite `BEGIN IMMEDIATE`: the write lock is taken (waiting up to
    /// the busy timeout) before anything is read, so a transaction never fails halfway when it
    /// starts writing after another process wrote.
    pub async fn write_tx(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>, StoreError> {
        let tx = match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await,
            Backend::Postgres => self.pool.begin().await,
        };
        tx.map_err(|e| self.explain(StoreError::Db(e)))
    }

    /// A database error as the user should read it: a locked database or a full disk named
    /// with the database, everything else as it is.
    pub fn explain(&self, e: StoreError) -> StoreError {
        let text = match &e {
            StoreError::Db(sqlx::Error::Database(d)) => format!("{} {}", d.code().unwrap_or_default(), d.message()),
            StoreError::Db(sqlx::Error::Io(io)) => io.to_string(),
            StoreError::Db(sqlx::Error::PoolTimedOut) => "database is locked".to_string(),
            _ => return e,
        };
        let lower = text.to_lowercase();
        if lower.contains("database is locked") || lower.contains("database table is locked") || lower.starts_with("5 ") || lower.starts_with("6 ") {
            StoreError::Locked { db: self.db.to_string(), seconds: self.busy_secs }
        } else if lower.contains("disk is full") || lower.contains("no space left") || lower.starts_with("13 ") || lower.starts_with("53100") {
            StoreError::DiskFull { db: self.db.to_string() }
        } else {
            e
        }
    }

    /// Reads a stored file again (re-checks, the report page, the crop of a cell) like
    /// `nianbao_parse::parse_file`, through [`parse_remembered`]. Blocking: call it off the
    /// async runtime.
    pub fn parse_stored(&self, path: &std::path::Path) -> Result<std::sync::Arc<nianbao_parse::ParsedDocument>, nianbao_parse::ParseError> {
        let limit = nianbao_parse::Limits::default().file_bytes as u64;
        let bytes = match std::fs::metadata(path) {
            Ok(m) if m.len() <= limit => std::fs::read(path).ok(),
            _ => None,
        };
        match bytes {
            Some(bytes) => parse_remembered(&path.display().to_string(), &crate::ingest::sha256(&bytes), &bytes),
            // The reader's own Chinese error (missing file, over the size limit).
            None => nianbao_parse::parse_file(path).map(std::sync::Arc::new),
        }
    }

    /// The database as named in messages.
    pub fn db_name(&self) -> &str {
        &self.db
    }
}

/// A document slower than this to read is remembered by [`parse_remembered`].
pub const SLOW_PARSE: std::time::Duration = std::time::Duration::from_secs(1);

/// How many slow documents [`parse_remembered`] remembers.
pub const PARSED_ENTRIES: usize = 4;

/// Documents that were slow to read, by (name, SHA-256 of the content), newest last.
#[allow(clippy::type_complexity)]
static PARSED: std::sync::Mutex<Vec<((String, String), std::sync::Arc<nianbao_parse::ParsedDocument>)>> = std::sync::Mutex::new(Vec::new());

/// Remembers a document read under another name (an upload is read under the name the user
/// knows) as [`parse_remembered`] would read the stored file `name`, when it took `took` ≥
/// [`SLOW_PARSE`]: the report page and the crops of a scan just uploaded do not run OCR again.
pub fn remember_parsed(name: &str, sha: &str, doc: &nianbao_parse::ParsedDocument, took: std::time::Duration) {
    if took < SLOW_PARSE {
        return;
    }
    let mut doc = doc.clone();
    let mut source = (*doc.source).clone();
    source.file = name.to_string();
    doc.source = std::sync::Arc::new(source);
    remember(name, sha, std::sync::Arc::new(doc));
}

fn remember(name: &str, sha: &str, doc: std::sync::Arc<nianbao_parse::ParsedDocument>) {
    let key = (name.to_string(), sha.to_string());
    if let Ok(mut cache) = PARSED.lock() {
        cache.retain(|(k, _)| *k != key);
        if cache.len() >= PARSED_ENTRIES {
            cache.remove(0);
        }
        cache.push((key, doc));
    }
}

/// `nianbao_parse::parse_bytes`, except that a document that took more than [`SLOW_PARSE`] to
/// read (the OCR of a scan: tens of seconds) is remembered in this process by its name and
/// content hash, the last [`PARSED_ENTRIES`] of them: the re-check after a reviewer's correction,
/// the report page's source view and the crop of a cell then do not run OCR again.
pub fn parse_remembered(name: &str, sha: &str, bytes: &[u8]) -> Result<std::sync::Arc<nianbao_parse::ParsedDocument>, nianbao_parse::ParseError> {
    let key = (name.to_string(), sha.to_string());
    if let Ok(cache) = PARSED.lock() {
        if let Some((_, doc)) = cache.iter().find(|(k, _)| *k == key) {
            return Ok(doc.clone());
        }
    }
    let started = std::time::Instant::now();
    let doc = std::sync::Arc::new(nianbao_parse::parse_bytes(name, bytes)?);
    if started.elapsed() >= SLOW_PARSE {
        remember(name, sha, doc.clone());
    }
    Ok(doc)
}

/// `--db` without a password (a PostgreSQL URL's `user:password@`).
fn shown_db(db: &str) -> String {
    match (db.find("://"), db.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &db[scheme + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &db[..scheme + 3], &db[at..]),
                None => db.to_string(),
            }
        }
        _ => db.to_string(),
    }
}

/// Runs a future on a runtime of its own (the command line is synchronous).
pub fn block_on<F: std::future::Future>(f: F) -> Result<F::Output, StoreError> {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| StoreError::Other(format!("无法启动运行时：{e}")))?;
    Ok(rt.block_on(f))
}

/// Every table the migrations create, those that refer to others first.
const SCHEMA_TABLES: &[&str] = &[
    "cell_corrections", "letters", "case_events", "report_cases", "office_settings", "register_log", "register_imports", "register_locks", "register_applications", "calendar_notices", "pending_rechecks", "country_sums",
    "review_decisions", "sessions", "users", "findings", "cells", "cell_keys", "reports", "source_files", "agency_aliases", "agencies", "_sqlx_migrations",
];

/// Drops every table of the schema, so that a test on a database server the suite shares starts
/// from nothing (the next [`Store::open`] migrates again). For tests only.
#[doc(hidden)]
pub async fn drop_schema(url: &str) -> Result<(), sqlx::Error> {
    sqlx::any::install_default_drivers();
    let pool = AnyPoolOptions::new().max_connections(1).connect(url).await?;
    for t in SCHEMA_TABLES {
        sqlx::query(sqlx::AssertSqlSafe(format!("DROP TABLE IF EXISTS {t} CASCADE").as_str())).execute(&pool).await?;
    }
    pool.close().await;
    Ok(())
}
