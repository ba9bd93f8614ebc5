//! `nianbao-load`: a load test of the web workbench on a database the user names. Serves the
//! database on loopback (the same router as `nianbao serve`), signs in an administrator made
//! for the test, and sends requests at a fixed rate (open loop: a late answer does not delay
//! the next request, and latency counts from when the request was due) for a bounded time to
//! each page: a static asset (the baseline), the reports list, one report, the dashboard.
//! Prints p50/p99/max latency per page and its ratio to the baseline.
//!
//! `nianbao-load --db corpus.db [--rate 20] [--seconds 15] [--year 2023]`
//!
//! The database gets one account, `nianbao-load`, disabled again at the end.

use clap::{CommandFactory, FromArgMatches, Parser};
use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use hyper::client::conn::http1::SendRequest;
use hyper_util::rt::TokioIo;
use nianbao_store::web::Role;
use nianbao_store::Store;
use sqlx::Row;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[path = "zh_cli.rs"]
mod zh_cli;

#[derive(Parser)]
#[command(name = "nianbao-load", version, about = "工作台负载测试：在本机回环地址上按固定速率请求各页面，输出 p50/p99 延迟")]
struct Args {
    /// 数据库（SQLite 文件或 postgres:// 地址）
    #[arg(long, value_name = "数据库")]
    db: String,
    /// 每秒请求数（每个页面分别测）
    #[arg(long, default_value_t = 20.0, value_name = "次数")]
    rate: f64,
    /// 每个页面测试的秒数
    #[arg(long, default_value_t = 15.0, value_name = "秒")]
    seconds: f64,
    /// 区域概览的年度（默认：库中最新年度）
    #[arg(long, value_name = "年度")]
    year: Option<i32>,
}

const USER: &str = "nianbao-load";

/// Latencies of one page.
struct Measured {
    latencies: Vec<Duration>,
    failures: usize,
    elapsed: Duration,
}

impl Measured {
    fn percentile(&self, p: f64) -> Duration {
        if self.latencies.is_empty() {
            return Duration::ZERO;
        }
        let mut v = self.latencies.clone();
        v.sort();
        let i = ((v.len() as f64 - 1.0) * p).round() as usize;
        v[i.min(v.len() - 1)]
    }
}

/// A pool of kept-alive HTTP/1.1 connections to the server.
struct Pool {
    addr: std::net::SocketAddr,
    idle: Mutex<Vec<SendRequest<Empty<Bytes>>>>,
}

impl Pool {
    async fn take(&self) -> Result<SendRequest<Empty<Bytes>>, String> {
        if let Some(s) = self.idle.lock().map_err(|e| e.to_string())?.pop() {
            return Ok(s);
        }
        let stream = tokio::net::TcpStream::connect(self.addr).await.map_err(|e| e.to_string())?;
        stream.set_nodelay(true).map_err(|e| e.to_string())?;
        let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await.map_err(|e| e.to_string())?;
        tokio::spawn(conn);
        Ok(sender)
    }

    fn give_back(&self, s: SendRequest<Empty<Bytes>>) {
        if let Ok(mut idle) = self.idle.lock() {
            idle.push(s);
        }
    }

    /// One GET; the status and the size of the body, read to its end.
    async fn get(&self, path: &str, cookie: &str) -> Result<(u16, usize), String> {
        let mut sender = self.take().await?;
        sender.ready().await.map_err(|e| e.to_string())?;
        let req = hyper::Request::get(path)
            .header(hyper::header::HOST, self.addr.to_string())
            .header(hyper::header::COOKIE, cookie)
            .body(Empty::<Bytes>::new())
            .map_err(|e| e.to_string())?;
        let resp = sender.send_request(req).await.map_err(|e| e.to_string())?;
        let status = resp.status().as_u16();
        let body = resp.into_body().collect().await.map_err(|e| e.to_string())?.to_bytes();
        self.give_back(sender);
        Ok((status, body.len()))
    }
}

/// Requests `paths` (in turn) at `rate` per second for `seconds`.
async fn run(pool: Arc<Pool>, cookie: Arc<String>, paths: Arc<Vec<String>>, rate: f64, seconds: f64) -> Measured {
    let n = (rate * seconds).round().max(1.0) as usize;
    let start = tokio::time::Instant::now();
    let mut tasks = Vec::with_capacity(n);
    for i in 0..n {
        let due = start + Duration::from_secs_f64(i as f64 / rate);
        tokio::time::sleep_until(due).await;
        let (pool, cookie, paths) = (pool.clone(), cookie.clone(), paths.clone());
        tasks.push(tokio::spawn(async move {
            let path = &paths[i % paths.len()];
            let r = pool.get(path, &cookie).await;
            (due.elapsed(), matches!(r, Ok((200, _))))
        }));
    }
    let mut m = Measured { latencies: Vec::with_capacity(n), failures: 0, elapsed: Duration::ZERO };
    for t in tasks {
        match t.await {
            Ok((latency, true)) => m.latencies.push(latency),
            _ => m.failures += 1,
        }
    }
    m.elapsed = start.elapsed();
    m
}

/// `text` padded with spaces to `width` display columns (CJK characters take two).
fn pad(text: &str, width: usize) -> String {
    let w = unicode_width::UnicodeWidthStr::width(text);
    format!("{text}{}", " ".repeat(width.saturating_sub(w)))
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

async fn load(args: Args) -> Result<(), String> {
    let store = Store::open(&args.db).await.map_err(|e| e.to_string())?;
    let reports: i64 = sqlx::query("SELECT COUNT(*) FROM reports").fetch_one(&store.pool).await.map_err(|e| e.to_string())?.try_get(0).map_err(|e| e.to_string())?;
    if reports == 0 {
        return Err(format!("{}：数据库中没有报告，请先用 nianbao ingest 导入", args.db));
    }
    let year = match args.year {
        Some(y) => y,
        None => store.report_years(None).await.map_err(|e| e.to_string())?.into_iter().max().unwrap_or(2023) as i32,
    };
    // Reports to open: spread over the id range (every k-th current report).
    let ids: Vec<i64> = sqlx::query("SELECT r.id FROM reports r WHERE r.is_current = 1 ORDER BY r.id")
        .fetch_all(&store.pool)
        .await
        .map_err(|e| e.to_string())?
        .iter()
        .filter_map(|r| r.try_get::<i64, _>(0).ok())
        .collect();
    let step = (ids.len() / 200).max(1);
    let report_paths: Vec<String> = ids.iter().step_by(step).map(|id| format!("/reports/{id}")).collect();

    // An administrator for the test, signed in by a session written directly.
    let hash = nianbao_web::auth::hash_password(&nianbao_web::auth::random_token()).map_err(|e| e.to_string())?;
    let uid = match store.list_users().await.map_err(|e| e.to_string())?.into_iter().find(|u| u.user.name == USER) {
        Some(u) => {
            store.set_user_disabled(u.user.id, false).await.map_err(|e| e.to_string())?;
            store.set_user_role(u.user.id, Role::Admin, None).await.map_err(|e| e.to_string())?;
            store.set_password(u.user.id, &hash).await.map_err(|e| e.to_string())?;
            u.user.id
        }
        None => store.add_user(USER, &hash, Role::Admin, None).await.map_err(|e| e.to_string())?,
    };
    let token = nianbao_web::auth::random_token();
    let expires = (chrono::Utc::now() + chrono::Duration::hours(2)).format("%Y-%m-%dT%H:%M:%SZ").to_string();
    store.create_session(&nianbao_web::auth::token_hash(&token), uid, &nianbao_web::auth::random_token(), &expires).await.map_err(|e| e.to_string())?;
    let cookie = Arc::new(format!("{}={token}", nianbao_web::auth::SESSION_COOKIE));

    let uploads = std::env::temp_dir().join(format!("nianbao-load-{}", std::process::id()));
    let state = nianbao_web::AppState { store: store.clone(), config: Arc::new(nianbao_web::Config::new(uploads)) };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.map_err(|e| e.to_string())?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let server = tokio::spawn(async move { axum::serve(listener, nianbao_web::app(state)).await });
    let pool = Arc::new(Pool { addr, idle: Mutex::new(Vec::new()) });

    // A county-sized region for a reviewer's dashboard: an agency with 5–50 agencies under it.
    let county: Option<i64> = sqlx::query("SELECT parent_id FROM agencies WHERE parent_id IS NOT NULL GROUP BY parent_id HAVING COUNT(*) BETWEEN 5 AND 50 ORDER BY parent_id LIMIT 1")
        .fetch_optional(&store.pool)
        .await
        .map_err(|e| e.to_string())?
        .and_then(|r| r.try_get::<i64, _>(0).ok());

    println!("数据库：{}，{reports} 份报告；速率 {} 次/秒，每个页面 {} 秒；本机回环 {addr}", args.db, args.rate, args.seconds);
    let pages: Vec<(&str, Vec<String>)> = vec![
        ("静态文件 /assets/app.css（基线）", vec!["/assets/app.css".into()]),
        ("报告列表 /reports", vec!["/reports".into(), "/reports?sort=-errors".into(), format!("/reports?year={year}&status=errors")]),
        ("单份报告 /reports/{id}", report_paths),
        ("区域概览（全部机关）/dashboard", vec![format!("/dashboard?year={year}")]),
    ];
    let mut pages = pages;
    if let Some(c) = county {
        pages.push(("区域概览（一个县）/dashboard?region=", vec![format!("/dashboard?year={year}&region={c}")]));
    }
    // Warm-up: one request of each path kind, so the first measured request is not a cold
    // cache; its time is printed (the dashboard's first view sums every cell of the region).
    for (name, paths) in &pages {
        let t = Instant::now();
        let (status, bytes) = pool.get(&paths[0], &cookie).await?;
        if status != 200 {
            return Err(format!("{} 返回 {status}", paths[0]));
        }
        println!("首次请求 {}：{:.1} 毫秒，{} 字节", name, ms(t.elapsed()), bytes);
    }
    let mut baseline = None;
    println!("{} 请求数  p50 毫秒  p99 毫秒  最大 毫秒  失败  p50 对基线", pad("页面", 36));
    for (name, paths) in pages {
        let m = run(pool.clone(), cookie.clone(), Arc::new(paths), args.rate, args.seconds).await;
        let (p50, p99, max) = (m.percentile(0.5), m.percentile(0.99), m.percentile(1.0));
        let base = *baseline.get_or_insert(p50);
        let ratio = if base.is_zero() { 0.0 } else { p50.as_secs_f64() / base.as_secs_f64() };
        println!(
            "{} {:>6} {:>9.1} {:>9.1} {:>10.1} {:>5} {:>9.1}×  （实际 {:.1} 次/秒）",
            pad(name, 36),
            m.latencies.len() + m.failures,
            ms(p50),
            ms(p99),
            ms(max),
            m.failures,
            ratio,
            (m.latencies.len() + m.failures) as f64 / m.elapsed.as_secs_f64()
        );
    }
    server.abort();
    store.set_user_disabled(uid, true).await.map_err(|e| e.to_string())?;
    Ok(())
}

fn main() -> ExitCode {
    let matches = zh_cli::parse(Args::command());
    let args = match Args::from_arg_matches(&matches) {
        Ok(a) => a,
        Err(e) => zh_cli::exit_with(e),
    };
    // A load test on a database that does not exist would measure an empty, new one.
    let is_url = args.db.starts_with("postgres://") || args.db.starts_with("postgresql://") || args.db.starts_with("sqlite:");
    if !is_url && !std::path::Path::new(&args.db).exists() {
        eprintln!("错误：数据库文件不存在：{}（请先用 nianbao ingest 导入报告）", args.db);
        return ExitCode::from(2);
    }
    let started = Instant::now();
    let rt = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("错误：无法启动运行时：{e}");
            return ExitCode::from(2);
        }
    };
    match rt.block_on(load(args)) {
        Ok(()) => {
            println!("用时 {:.1} 秒", started.elapsed().as_secs_f64());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("错误：{e}");
            ExitCode::from(2)
        }
    }
}
