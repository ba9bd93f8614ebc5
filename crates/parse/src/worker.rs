//! Isolation for what the PDF guard cannot bound: the PDF library runs in a child process with
//! resource limits (address space, CPU time, no core file), so a stack overflow, an allocation
//! failure or a hang inside it ends that process, and the file gets a Chinese error while the
//! caller (`nianbao ingest`, `nianbao serve`) goes on.
//!
//! The child is the calling executable itself started with `NIANBAO_PDF_WORKER=1`: a binary opts
//! in by calling [`init`] first thing in `main` (which serves the request and exits when started
//! as a worker, and otherwise registers the executable). Without it (library users, tests) PDFs
//! are read in-process, bounded by the guard alone. One process per PDF: starting it costs a few
//! milliseconds, small beside reading a PDF.
//!
//! Protocol: the request on stdin is `NBW1`, the limits, then the file's bytes; the answer on
//! stdout is `NBW1`, a tag (0: pages, 1: damaged file, 2: limit) and its payload.

use crate::Limits;
use std::io::{Read, Write};
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::{Duration, Instant};

const ENV: &str = "NIANBAO_PDF_WORKER";
const MAGIC: &[u8; 4] = b"NBW1";

static WORKER: Mutex<Option<PathBuf>> = Mutex::new(None);

/// Call first in `main`: serves one request and exits when this process was started as a PDF
/// worker; otherwise makes this executable the worker for later PDFs.
pub fn init() {
    if std::env::var_os(ENV).is_some() {
        std::process::exit(serve());
    }
    if let Ok(exe) = std::env::current_exe() {
        set_worker(Some(exe));
    }
}

/// Sets (or, with `None`, unsets) the executable PDFs are read in; it must call [`init`].
pub fn set_worker(exe: Option<PathBuf>) {
    if let Ok(mut w) = WORKER.lock() {
        *w = exe;
    }
}

static IN_WORKER: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Is this process a worker (bounded by its rlimits)?
pub(crate) fn in_worker() -> bool {
    IN_WORKER.load(std::sync::atomic::Ordering::Relaxed)
}

pub(crate) fn worker() -> Option<PathBuf> {
    WORKER.lock().ok().and_then(|w| w.clone())
}

/// Outcome of a request, as the parent sees it.
pub(crate) enum Answer {
    /// The payload of a successful read.
    Done(Vec<u8>),
    Corrupt(String),
    Limit(String),
}

fn put(out: &mut Vec<u8>, v: u64) {
    out.extend_from_slice(&v.to_le_bytes());
}

/// Reads little-endian numbers and length-prefixed strings from a byte slice.
pub(crate) struct Reader<'a>(pub &'a [u8]);

impl Reader<'_> {
    pub fn u64(&mut self) -> Option<u64> {
        let (head, rest) = self.0.split_at_checked(8)?;
        self.0 = rest;
        Some(u64::from_le_bytes(head.try_into().ok()?))
    }
    pub fn f64(&mut self) -> Option<f64> {
        self.u64().map(f64::from_bits)
    }
    pub fn bytes(&mut self) -> Option<&[u8]> {
        let n = usize::try_from(self.u64()?).ok()?;
        let (head, rest) = self.0.split_at_checked(n)?;
        self.0 = rest;
        Some(head)
    }
    pub fn string(&mut self) -> Option<String> {
        String::from_utf8(self.bytes()?.to_vec()).ok()
    }
}

pub(crate) fn put_u64(out: &mut Vec<u8>, v: u64) {
    put(out, v)
}

pub(crate) fn put_bytes(out: &mut Vec<u8>, b: &[u8]) {
    put(out, b.len() as u64);
    out.extend_from_slice(b);
}

fn limits_to(out: &mut Vec<u8>, l: &Limits) {
    for v in [
        l.file_bytes as u64,
        l.text_bytes as u64,
        l.zip_entry_bytes,
        l.zip_total_bytes,
        l.zip_ratio,
        l.html_depth as u64,
        l.pdf_stream_bytes as u64,
        l.pdf_total_stream_bytes as u64,
        l.pdf_objects as u64,
        l.pdf_pages as u64,
        l.pdf_operators as u64,
        l.pdf_glyphs as u64,
        l.pdf_depth as u64,
        l.time.as_millis() as u64,
        l.worker_memory,
    ] {
        put(out, v);
    }
}

fn limits_from(r: &mut Reader<'_>) -> Option<Limits> {
    let mut n = || r.u64();
    Some(Limits {
        file_bytes: n()? as usize,
        text_bytes: n()? as usize,
        zip_entry_bytes: n()?,
        zip_total_bytes: n()?,
        zip_ratio: n()?,
        html_depth: n()? as usize,
        pdf_stream_bytes: n()? as usize,
        pdf_total_stream_bytes: n()? as usize,
        pdf_objects: n()? as usize,
        pdf_pages: n()? as usize,
        pdf_operators: n()? as usize,
        pdf_glyphs: n()? as usize,
        pdf_depth: n()? as usize,
        time: Duration::from_millis(n()?),
        // The worker never runs OCR (the parent does, on the pages it answers).
        ocr_time: Limits::default().ocr_time,
        worker_memory: n()?,
    })
}

/// Applies the worker's resource limits to this process.
#[cfg(unix)]
fn restrict(limits: &Limits) {
    let set = |resource, value: u64| {
        let lim = libc::rlimit { rlim_cur: value as libc::rlim_t, rlim_max: value as libc::rlim_t };
        // SAFETY: setrlimit only reads the struct passed by reference.
        unsafe {
            libc::setrlimit(resource, &lim);
        }
    };
    set(libc::RLIMIT_AS, limits.worker_memory);
    set(libc::RLIMIT_CPU, limits.time.as_secs() + 2);
    set(libc::RLIMIT_CORE, 0);
}

#[cfg(not(unix))]
fn restrict(_: &Limits) {}

/// The worker's side: one request from stdin, one answer on stdout. Returns the exit status.
fn serve() -> i32 {
    let mut input = Vec::new();
    if std::io::stdin().lock().read_to_end(&mut input).is_err() || !input.starts_with(MAGIC) {
        return 2;
    }
    let mut r = Reader(&input[4..]);
    let Some(limits) = limits_from(&mut r) else { return 2 };
    let Some(bytes) = r.bytes() else { return 2 };
    restrict(&limits);
    IN_WORKER.store(true, std::sync::atomic::Ordering::Relaxed);
    let mut out = MAGIC.to_vec();
    match crate::pdf::serve(bytes, &limits) {
        Answer::Done(payload) => {
            out.push(0);
            out.extend_from_slice(&payload);
        }
        Answer::Corrupt(why) => {
            out.push(1);
            put_bytes(&mut out, why.as_bytes());
        }
        Answer::Limit(what) => {
            out.push(2);
            put_bytes(&mut out, what.as_bytes());
        }
    }
    match std::io::stdout().lock().write_all(&out) {
        Ok(()) => 0,
        Err(_) => 2,
    }
}

/// The parent's side: runs `bytes` in a worker, within `limits.time` (plus start-up), killing
/// it when it runs over. An abnormal end of the worker is a damaged-file answer for this file.
pub(crate) fn run(exe: &std::path::Path, bytes: &[u8], limits: &Limits) -> Answer {
    let mut request = MAGIC.to_vec();
    limits_to(&mut request, limits);
    put_bytes(&mut request, bytes);
    let spawned = std::process::Command::new(exe)
        .env(ENV, "1")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn();
    let mut child = match spawned {
        Ok(c) => c,
        Err(e) => return Answer::Corrupt(format!("无法启动 PDF 读取进程：{e}")),
    };
    let (Some(mut stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
        let _ = child.kill();
        let _ = child.wait();
        return Answer::Corrupt("无法连接 PDF 读取进程".into());
    };
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&request);
    });
    // The answer is at most the glyphs of the operator limit; more is not a worker's answer.
    let cap = (limits.pdf_operators as u64).saturating_mul(128).max(64 << 20);
    let reader = std::thread::spawn(move || {
        let mut out = Vec::new();
        let _ = stdout.take(cap).read_to_end(&mut out);
        out
    });
    let budget = limits.time + Duration::from_secs(5);
    let start = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if start.elapsed() < budget => std::thread::sleep(Duration::from_millis(5)),
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
        }
    };
    let _ = writer.join();
    let out = reader.join().unwrap_or_default();
    let Some(status) = status else {
        return Answer::Limit(format!("读取时间超过 {} 秒上限", limits.time.as_secs()));
    };
    if status.success() && out.starts_with(MAGIC) && out.len() > 4 {
        let tag = out[4];
        let mut r = Reader(&out[5..]);
        return match tag {
            0 => Answer::Done(out[5..].to_vec()),
            1 => Answer::Corrupt(r.string().unwrap_or_default()),
            _ => Answer::Limit(r.string().unwrap_or_default()),
        };
    }
    Answer::Corrupt(describe(&status))
}

/// Why a worker ended without an answer, for the user.
fn describe(status: &std::process::ExitStatus) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        match status.signal() {
            Some(libc::SIGXCPU) | Some(libc::SIGKILL) => return "PDF 读取进程超出时间上限被终止".into(),
            Some(libc::SIGABRT) | Some(libc::SIGSEGV) | Some(libc::SIGBUS) => {
                return "PDF 解析库崩溃（文件结构过深、过大或超出内存上限），已停止读取该文件".into()
            }
            Some(s) => return format!("PDF 读取进程被信号 {s} 终止"),
            None => {}
        }
    }
    format!("PDF 读取进程异常退出（{status}）")
}
