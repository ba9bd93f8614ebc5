//! The corpus database: every ingested source file (by path and content hash, versioned), its
//! reports, every cell with its semantics, every finding, and the agencies with their aliases
//! and parents. One schema and one code path for SQLite (the default, a file) and PostgreSQL,
//! through sqlx's `Any` driver with runtime queries; migrations are embedded in the binary.

pub mod agencies;
pub mod cell_keys;
pub mod compare;
pub mod export;
pub mod ingest;
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
}

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
        let pool = AnyPoolOptions::new()
            .max_connections(if backend == Backend::Sqlite { 1 } else { 4 })
            .connect(&url)
            .await
            .map_err(|e| StoreError::Open { url: db.to_string(), reason: e.to_string() })?;
        if backend == Backend::Sqlite {
            // WAL keeps readers going during an ingest; each report is still its own transaction.
            sqlx::query("PRAGMA journal_mode=WAL").execute(&pool).await?;
            sqlx::query("PRAGMA synchronous=NORMAL").execute(&pool).await?;
            sqlx::query("PRAGMA foreign_keys=ON").execute(&pool).await?;
        }
        let migrator = match backend {
            Backend::Sqlite => sqlx::migrate!("./migrations/sqlite"),
            Backend::Postgres => sqlx::migrate!("./migrations/postgres"),
        };
        migrator.run(&pool).await.map_err(|e| StoreError::Migrate(e.to_string()))?;
        let keys = cell_keys::load(&pool).await?;
        Ok(Store { pool, backend, cell_keys: std::sync::Arc::new(keys), memo: Default::default() })
    }
}

/// Runs a future on a runtime of its own (the command line is synchronous).
pub fn block_on<F: std::future::Future>(f: F) -> Result<F::Output, StoreError> {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| StoreError::Other(format!("无法启动运行时：{e}")))?;
    Ok(rt.block_on(f))
}
