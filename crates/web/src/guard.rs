//! What keeps one client or one file from taking the workbench down: a bounded pool of parse
//! workers with a bounded queue (parsing and checking are CPU work that must never run on the
//! async runtime's threads, or one slow upload stops every login), bounded concurrent password
//! hashing (argon2 takes 19 MB per hash), login throttling per account and per address, and a
//! server loop with a header read timeout and a cap on open connections (slowloris).

use crate::{AppState, WebError};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// The server's bounds, each with a safe default; `nianbao serve` reads overrides from the
/// environment (`apply_env`).
#[derive(Debug, Clone)]
pub struct Limits {
    /// Files parsed and checked at once (`NIANBAO_PARSE_WORKERS`; default: the CPU count, ≥ 2).
    pub parse_workers: usize,
    /// Files waiting for a parse worker before uploads are answered 503 (`NIANBAO_PARSE_QUEUE`).
    pub parse_queue: usize,
    /// How long an upload waits for its file's parse before giving up (`NIANBAO_PARSE_TIMEOUT`,
    /// seconds). The worker stays busy until the parser returns.
    pub parse_timeout: Duration,
    /// Password hashes computed at once (`NIANBAO_HASH_WORKERS`); further logins wait.
    pub hash_workers: usize,
    /// Time a client has to send a request's headers (`NIANBAO_HEADER_TIMEOUT`, seconds).
    pub header_timeout: Duration,
    /// Longest pause while a client sends a request body (`NIANBAO_BODY_TIMEOUT`, seconds).
    pub body_timeout: Duration,
    /// Open connections at most (`NIANBAO_MAX_CONNECTIONS`); further ones wait to be accepted.
    pub max_connections: usize,
    /// Wrong passwords for one account before it is locked for a while.
    pub account_failures: u32,
    /// Wrong passwords from one address (any accounts) before it is locked for a while (higher:
    /// an office behind one NAT address shares it).
    pub address_failures: u32,
    /// The first lock; each further failure doubles it, up to `lock_max`.
    pub lock_base: Duration,
    pub lock_max: Duration,
}

impl Default for Limits {
    fn default() -> Limits {
        let cpus = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2);
        Limits {
            parse_workers: cpus.max(2),
            parse_queue: 16,
            parse_timeout: Duration::from_secs(120),
            hash_workers: cpus.clamp(2, 4),
            header_timeout: Duration::from_secs(15),
            body_timeout: Duration::from_secs(30),
            max_connections: 512,
            account_failures: 5,
            address_failures: 20,
            lock_base: Duration::from_secs(1),
            lock_max: Duration::from_secs(15 * 60),
        }
    }
}

impl Limits {
    /// Overrides from `NIANBAO_*` environment variables; a value that is not a positive number
    /// is an error naming the variable.
    pub fn apply_env(&mut self) -> Result<(), String> {
        fn read(name: &str) -> Result<Option<u64>, String> {
            match std::env::var(name) {
                Ok(v) => match v.trim().parse::<u64>() {
                    Ok(n) if n > 0 => Ok(Some(n)),
                    _ => Err(format!("环境变量 {name} 应为正整数，现为“{v}”")),
                },
                Err(_) => Ok(None),
            }
        }
        if let Some(n) = read("NIANBAO_PARSE_WORKERS")? {
            self.parse_workers = n as usize;
        }
        if let Some(n) = read("NIANBAO_PARSE_QUEUE")? {
            self.parse_queue = n as usize;
        }
        if let Some(n) = read("NIANBAO_PARSE_TIMEOUT")? {
            self.parse_timeout = Duration::from_secs(n);
        }
        if let Some(n) = read("NIANBAO_HASH_WORKERS")? {
            self.hash_workers = n as usize;
        }
        if let Some(n) = read("NIANBAO_HEADER_TIMEOUT")? {
            self.header_timeout = Duration::from_secs(n);
        }
        if let Some(n) = read("NIANBAO_BODY_TIMEOUT")? {
            self.body_timeout = Duration::from_secs(n);
        }
        if let Some(n) = read("NIANBAO_MAX_CONNECTIONS")? {
            self.max_connections = n as usize;
        }
        Ok(())
    }
}

/// A function run on the parse worker before each uploaded file (by its name).
#[derive(Clone)]
pub struct ParseHook(pub Arc<dyn Fn(&str) + Send + Sync>);

impl std::fmt::Debug for ParseHook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ParseHook")
    }
}

/// The shared state made from `Limits`.
#[derive(Debug)]
pub struct Guards {
    pub parse: ParsePool,
    hashing: HashPool,
    pub throttle: Throttle,
}

impl Guards {
    pub fn new(limits: &Limits) -> Guards {
        Guards {
            parse: ParsePool::new(limits.parse_workers, limits.parse_queue, limits.parse_timeout),
            hashing: HashPool::new(limits.hash_workers.max(1)),
            throttle: Throttle::new(limits),
        }
    }

    /// Runs a password hash or verification on one of the hashing threads; further requests
    /// wait in the queue.
    pub async fn hash<T: Send + 'static>(&self, work: impl FnOnce() -> T + Send + 'static) -> Result<T, WebError> {
        self.hashing.run(work).await
    }
}

type Job = Box<dyn FnOnce() + Send>;

/// A few threads of its own for argon2 (19 MB per hash). Not the runtime's blocking pool: there
/// every new thread gets a malloc arena of its own and keeps a freed 19 MB block in it, so 128
/// parallel logins left the server at 490 MB although only two hashes ran at once.
struct HashPool {
    jobs: std::sync::mpsc::Sender<Job>,
}

impl std::fmt::Debug for HashPool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("HashPool")
    }
}

impl HashPool {
    fn new(threads: usize) -> HashPool {
        let (jobs, queue) = std::sync::mpsc::channel::<Job>();
        let queue = Arc::new(Mutex::new(queue));
        for i in 0..threads {
            let queue = queue.clone();
            let spawned = std::thread::Builder::new().name(format!("nianbao-hash-{i}")).spawn(move || loop {
                let job = match queue.lock() {
                    Ok(q) => q.recv(),
                    Err(_) => return,
                };
                match job {
                    Ok(job) => job(),
                    Err(_) => return,
                }
            });
            if let Err(e) = spawned {
                eprintln!("警告：无法启动密码计算线程：{e}");
            }
        }
        HashPool { jobs }
    }

    async fn run<T: Send + 'static>(&self, work: impl FnOnce() -> T + Send + 'static) -> Result<T, WebError> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move || {
            // A panic stays in this job; the thread goes on with the next.
            let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(work));
            let _ = tx.send(out);
        });
        self.jobs.send(job).map_err(|_| WebError::Internal("密码计算线程已停止".into()))?;
        match rx.await {
            Ok(Ok(v)) => Ok(v),
            _ => Err(WebError::Internal("密码计算中断".into())),
        }
    }
}

/// Parse workers: `workers` blocking threads at most, `queue` more jobs waiting, the rest
/// refused at once (`WebError::Busy`, a 503).
#[derive(Debug)]
pub struct ParsePool {
    workers: Arc<Semaphore>,
    slots: Arc<Semaphore>,
    timeout: Duration,
}

impl ParsePool {
    pub fn new(workers: usize, queue: usize, timeout: Duration) -> ParsePool {
        let workers = workers.max(1);
        ParsePool { workers: Arc::new(Semaphore::new(workers)), slots: Arc::new(Semaphore::new(workers + queue)), timeout }
    }

    /// A worker for async work that parses inside (a re-check), waiting in the queue.
    pub async fn hold(&self) -> Result<(OwnedSemaphorePermit, OwnedSemaphorePermit), WebError> {
        let slot = self.slots.clone().try_acquire_owned().map_err(|_| WebError::Busy)?;
        let worker = self.workers.clone().acquire_owned().await.map_err(|e| WebError::Internal(e.to_string()))?;
        Ok((slot, worker))
    }

    /// A worker for async work that parses inside, once one is free (no queue slot: for work
    /// that follows a file already taken on, such as its re-check).
    pub async fn worker(&self) -> Result<OwnedSemaphorePermit, WebError> {
        self.workers.clone().acquire_owned().await.map_err(|e| WebError::Internal(e.to_string()))
    }

    /// Runs `work` on a blocking thread once a worker is free. A panic inside is an error of
    /// this file, not of the server; past the timeout the caller gets an error (the worker
    /// stays taken until the parser returns, so the bound holds).
    pub async fn run<T: Send + 'static>(&self, work: impl FnOnce() -> T + Send + 'static) -> Result<T, WebError> {
        let (slot, worker) = self.hold().await?;
        let handle = tokio::task::spawn_blocking(move || {
            let _held = (slot, worker);
            work()
        });
        match tokio::time::timeout(self.timeout, handle).await {
            Ok(Ok(v)) => Ok(v),
            Ok(Err(_)) => Err(WebError::BadRequest("文件无法解析（解析时出现内部错误），请检查文件是否完整".into())),
            Err(_) => Err(WebError::BadRequest(format!("文件解析超过 {} 秒，已放弃", self.timeout.as_secs()))),
        }
    }
}

/// Failed logins per account and per address; a key is locked after too many, for a time that
/// doubles with each further failure.
#[derive(Debug)]
pub struct Throttle {
    entries: Mutex<HashMap<String, Failures>>,
    account_failures: u32,
    address_failures: u32,
    base: Duration,
    max: Duration,
}

#[derive(Debug, Clone, Copy)]
struct Failures {
    count: u32,
    last: Instant,
    locked_until: Option<Instant>,
}

/// At most this many keys are remembered; old ones are dropped first.
const THROTTLE_KEYS: usize = 50_000;

impl Throttle {
    pub fn new(limits: &Limits) -> Throttle {
        Throttle {
            entries: Mutex::new(HashMap::new()),
            account_failures: limits.account_failures.max(1),
            address_failures: limits.address_failures.max(1),
            base: limits.lock_base,
            max: limits.lock_max,
        }
    }

    fn keys(account: &str, address: Option<IpAddr>) -> (String, Option<String>) {
        (format!("u:{}", account.trim().to_lowercase()), address.map(|a| format!("a:{a}")))
    }

    /// The time left before this account or address may try again, if locked.
    pub fn locked(&self, account: &str, address: Option<IpAddr>) -> Option<Duration> {
        let now = Instant::now();
        let (user, addr) = Throttle::keys(account, address);
        let entries = self.entries.lock().ok()?;
        [Some(user), addr]
            .into_iter()
            .flatten()
            .filter_map(|k| entries.get(&k).and_then(|f| f.locked_until))
            .filter(|until| *until > now)
            .map(|until| until - now)
            .max()
    }

    /// Records a wrong password.
    pub fn failed(&self, account: &str, address: Option<IpAddr>) {
        let now = Instant::now();
        let (user, addr) = Throttle::keys(account, address);
        let Ok(mut entries) = self.entries.lock() else { return };
        if entries.len() >= THROTTLE_KEYS {
            // Forget what is no longer locked and was last tried over an hour ago; then the oldest.
            entries.retain(|_, f| f.locked_until.is_some_and(|u| u > now) || now.duration_since(f.last) < Duration::from_secs(3600));
            if entries.len() >= THROTTLE_KEYS {
                let mut by_age: Vec<(Instant, String)> = entries.iter().map(|(k, f)| (f.last, k.clone())).collect();
                by_age.sort();
                for (_, k) in by_age.into_iter().take(THROTTLE_KEYS / 10) {
                    entries.remove(&k);
                }
            }
        }
        for (key, free) in [(Some(user), self.account_failures), (addr, self.address_failures)] {
            let Some(key) = key else { continue };
            let f = entries.entry(key).or_insert(Failures { count: 0, last: now, locked_until: None });
            f.count = f.count.saturating_add(1);
            f.last = now;
            if f.count >= free {
                let doublings = (f.count - free).min(20);
                let lock = self.base.saturating_mul(1u32 << doublings).min(self.max);
                f.locked_until = Some(now + lock);
            }
        }
    }

    /// A successful login clears its account's failures (not its address's: an attacker at the
    /// same address as a user is not let off by the user's login).
    pub fn succeeded(&self, account: &str) {
        let (user, _) = Throttle::keys(account, None);
        if let Ok(mut entries) = self.entries.lock() {
            entries.remove(&user);
        }
    }
}

/// The client's address when the server knows it (`serve_on` records it per connection).
#[derive(Debug, Clone, Copy)]
pub struct ClientAddr(pub Option<IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<ClientAddr, Self::Rejection> {
        Ok(ClientAddr(parts.extensions.get::<axum::extract::ConnectInfo<SocketAddr>>().map(|c| c.0.ip())))
    }
}

/// Serves the application on `listener` until `shutdown` completes: HTTP/1.1 with a header
/// read timeout (a connection that does not finish its headers in time is closed, idle ones
/// included) and at most `max_connections` open connections (the next waits to be accepted).
pub async fn serve_on(listener: tokio::net::TcpListener, state: AppState, shutdown: impl std::future::Future<Output = ()> + Send) -> Result<(), WebError> {
    use hyper_util::rt::{TokioIo, TokioTimer};
    let limits = state.config.limits.clone();
    let router = crate::app(state);
    let open = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    tokio::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            p = open.clone().acquire_owned() => p.map_err(|e| WebError::Internal(e.to_string()))?,
            _ = &mut shutdown => return Ok(()),
        };
        let (stream, peer) = tokio::select! {
            r = listener.accept() => match r {
                Ok(c) => c,
                Err(e) => {
                    // Out of file descriptors and the like: wait a little instead of spinning.
                    eprintln!("警告：接受连接失败：{e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = &mut shutdown => return Ok(()),
        };
        let router = router.clone();
        let header_timeout = limits.header_timeout;
        tokio::spawn(async move {
            let _permit = permit;
            let service = hyper::service::service_fn(move |mut req: hyper::Request<hyper::body::Incoming>| {
                req.extensions_mut().insert(axum::extract::ConnectInfo(peer));
                tower::ServiceExt::oneshot(router.clone(), req)
            });
            let mut builder = hyper::server::conn::http1::Builder::new();
            builder.timer(TokioTimer::new()).header_read_timeout(header_timeout).keep_alive(true);
            let _ = builder.serve_connection(TokioIo::new(stream), service).await;
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_is_locked_across_accounts_and_an_account_across_addresses() {
        let limits = Limits { account_failures: 3, address_failures: 4, lock_base: Duration::from_secs(60), ..Limits::default() };
        let t = Throttle::new(&limits);
        let (a, b): (IpAddr, IpAddr) = ("10.0.0.1".parse().unwrap(), "10.0.0.2".parse().unwrap());
        // Four accounts tried once each from one address: the address is locked, not the accounts.
        for name in ["u1", "u2", "u3"] {
            t.failed(name, Some(a));
            assert!(t.locked(name, Some(a)).is_none());
        }
        t.failed("u4", Some(a));
        assert!(t.locked("anyone", Some(a)).is_some(), "the address is locked");
        assert!(t.locked("u1", Some(b)).is_none(), "the accounts are not");
        // One account tried from many addresses is locked wherever it comes from.
        for i in 0..3 {
            t.failed("Target", Some(format!("10.1.0.{i}").parse().unwrap()));
        }
        assert!(t.locked("target", Some(b)).is_some(), "names are compared case-insensitively");
        // The lock doubles with each further failure, up to the maximum.
        let first = t.locked("target", None).unwrap();
        t.failed("target", None);
        let second = t.locked("target", None).unwrap();
        assert!(second > first + Duration::from_secs(30), "{first:?} → {second:?}");
        t.succeeded("target");
        assert!(t.locked("target", None).is_none());
    }
}
