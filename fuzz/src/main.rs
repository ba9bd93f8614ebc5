//! `nianbao-fuzz`: runs the mutation loop of the library for one target.
//!
//! ```text
//! nianbao-fuzz TARGET [--secs N] [--timeout S] [--max-rss-mb M] [--seed N] [--fixtures DIR] [--out DIR]
//! nianbao-fuzz --replay FILE...     # run saved inputs once each, print the outcome and time
//! ```
//!
//! TARGET is text, html, docx, pdf or check. The supervisor (this process) starts a worker
//! (itself with `--worker`) and restarts it when it dies: an abort (stack overflow, allocation
//! failure) saves the input being run to `OUT/crashes/`. In the worker a watchdog saves inputs
//! running longer than `--timeout` to `OUT/hangs/` and inputs raising the resident memory above
//! `--max-rss-mb` to `OUT/ooms/` (then exits, to be restarted). Panics and broken span
//! invariants are saved to `OUT/crashes/` with a `.txt` saying what broke. Statistics go to
//! `OUT/stats-TARGET.txt` and to the terminal at the end.

use nianbao_fuzz::{mutate, run, seeds, Input, Outcome, Rng, Target};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

struct Args {
    target: Target,
    secs: u64,
    timeout: u64,
    max_rss_mb: u64,
    seed: u64,
    fixtures: PathBuf,
    out: PathBuf,
    worker: bool,
}

fn usage() -> ! {
    eprintln!("用法：nianbao-fuzz text|html|docx|pdf|check [--secs N] [--timeout 秒] [--max-rss-mb M] [--seed N] [--fixtures 目录] [--out 目录]\n      nianbao-fuzz --replay 文件…");
    std::process::exit(2)
}

fn parse_args() -> Args {
    let mut it = std::env::args().skip(1);
    let Some(first) = it.next() else { usage() };
    if first == "--replay" {
        replay(&it.map(PathBuf::from).collect::<Vec<_>>());
        std::process::exit(0);
    }
    let target = Target::parse(&first).unwrap_or_else(|| usage());
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut a = Args { target, secs: 60, timeout: 10, max_rss_mb: 1024, seed: 0, fixtures: root.join("tests/fixtures"), out: root.join("fuzz/out"), worker: false };
    while let Some(flag) = it.next() {
        let mut value = || it.next().unwrap_or_else(|| usage());
        match flag.as_str() {
            "--secs" => a.secs = value().parse().unwrap_or_else(|_| usage()),
            "--timeout" => a.timeout = value().parse().unwrap_or_else(|_| usage()),
            "--max-rss-mb" => a.max_rss_mb = value().parse().unwrap_or_else(|_| usage()),
            "--seed" => a.seed = value().parse().unwrap_or_else(|_| usage()),
            "--fixtures" => a.fixtures = PathBuf::from(value()),
            "--out" => a.out = PathBuf::from(value()),
            "--worker" => a.worker = true,
            _ => usage(),
        }
    }
    if a.seed == 0 {
        a.seed = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos() as u64).unwrap_or(1);
    }
    a
}

fn main() {
    let args = parse_args();
    for sub in ["crashes", "hangs", "ooms", "slowest"] {
        let _ = std::fs::create_dir_all(args.out.join(sub));
    }
    if args.worker {
        worker(&args);
    } else {
        supervise(&args);
    }
}

/// Statistics as `key value` lines (the worker writes them; the supervisor adds them up).
#[derive(Default, Clone)]
struct Stats {
    execs: u64,
    crashes: u64,
    hangs: u64,
    ooms: u64,
    refused: u64,
    parsed: u64,
    slowest_ms: u64,
    slowest: String,
    peak_rss_mb: u64,
}

impl Stats {
    fn write(&self, path: &Path) {
        let text = format!(
            "execs {}\ncrashes {}\nhangs {}\nooms {}\nrefused {}\nparsed {}\nslowest_ms {}\nslowest {}\npeak_rss_mb {}\n",
            self.execs, self.crashes, self.hangs, self.ooms, self.refused, self.parsed, self.slowest_ms, self.slowest, self.peak_rss_mb
        );
        let tmp = path.with_extension("tmp");
        if std::fs::write(&tmp, text).is_ok() {
            let _ = std::fs::rename(&tmp, path);
        }
    }
    fn read(path: &Path) -> Stats {
        let mut s = Stats::default();
        for line in std::fs::read_to_string(path).unwrap_or_default().lines() {
            let (k, v) = line.split_once(' ').unwrap_or((line, ""));
            let n = v.parse().unwrap_or(0);
            match k {
                "execs" => s.execs = n,
                "crashes" => s.crashes = n,
                "hangs" => s.hangs = n,
                "ooms" => s.ooms = n,
                "refused" => s.refused = n,
                "parsed" => s.parsed = n,
                "slowest_ms" => s.slowest_ms = n,
                "slowest" => s.slowest = v.to_string(),
                "peak_rss_mb" => s.peak_rss_mb = n,
                _ => {}
            }
        }
        s
    }
    fn add(&mut self, o: &Stats) {
        self.execs += o.execs;
        self.crashes += o.crashes;
        self.hangs += o.hangs;
        self.ooms += o.ooms;
        self.refused += o.refused;
        self.parsed += o.parsed;
        if o.slowest_ms > self.slowest_ms {
            self.slowest_ms = o.slowest_ms;
            self.slowest = o.slowest.clone();
        }
        self.peak_rss_mb = self.peak_rss_mb.max(o.peak_rss_mb);
    }
}

fn current_path(args: &Args) -> PathBuf {
    args.out.join(format!("current-{}.bin", args.target.name()))
}

fn current_name_path(args: &Args) -> PathBuf {
    args.out.join(format!("current-{}.name", args.target.name()))
}

fn worker_stats_path(args: &Args) -> PathBuf {
    args.out.join(format!("worker-{}.txt", args.target.name()))
}

fn supervise(args: &Args) {
    let start = Instant::now();
    let mut total = Stats::default();
    let mut round = 0u64;
    while start.elapsed().as_secs() < args.secs {
        let left = args.secs - start.elapsed().as_secs();
        let _ = std::fs::remove_file(worker_stats_path(args));
        let status = Command::new(std::env::current_exe().expect("current exe"))
            .args([args.target.name(), "--worker", "--secs", &left.to_string(), "--timeout", &args.timeout.to_string()])
            .args(["--max-rss-mb", &args.max_rss_mb.to_string(), "--seed", &(args.seed.wrapping_add(round * 7919)).to_string()])
            .arg("--fixtures")
            .arg(&args.fixtures)
            .arg("--out")
            .arg(&args.out)
            .status();
        round += 1;
        let mut s = Stats::read(&worker_stats_path(args));
        match status {
            Ok(st) if st.success() => {
                total.add(&s);
                break;
            }
            // 3 and 4: the watchdog saved a hang or an out-of-memory input and counted it.
            Ok(st) if matches!(st.code(), Some(3) | Some(4)) => {}
            other => {
                // An abort: the input being run is the crash.
                let why = match &other {
                    Ok(st) => format!("worker ended: {st}"),
                    Err(e) => format!("worker did not start: {e}"),
                };
                if other.is_err() {
                    eprintln!("{why}");
                    break;
                }
                let name = std::fs::read_to_string(current_name_path(args)).unwrap_or_else(|_| "input.bin".into());
                if let Ok(bytes) = std::fs::read(current_path(args)) {
                    save(&args.out.join("crashes"), &name, &bytes, &why);
                }
                s.crashes += 1;
                s.execs += 1;
            }
        }
        total.add(&s);
        total.write(&args.out.join(format!("stats-{}.txt", args.target.name())));
    }
    total.write(&args.out.join(format!("stats-{}.txt", args.target.name())));
    println!(
        "{}: {} executions ({} parsed, {} refused), {} crashes, {} hangs, {} over memory; slowest {} ms ({}); peak RSS {} MB",
        args.target.name(),
        total.execs,
        total.parsed,
        total.refused,
        total.crashes,
        total.hangs,
        total.ooms,
        total.slowest_ms,
        total.slowest,
        total.peak_rss_mb
    );
}

/// Saves an input under a name made of its hash, with a note of what happened; returns the path.
fn save(dir: &Path, name: &str, bytes: &[u8], why: &str) -> PathBuf {
    let mut h: u64 = 0xcbf29ce484222325;
    for &b in bytes {
        h = (h ^ b as u64).wrapping_mul(0x100000001b3);
    }
    let ext = name.rsplit('.').next().unwrap_or("bin");
    let path = dir.join(format!("{h:016x}.{ext}"));
    let _ = std::fs::write(&path, bytes);
    let _ = std::fs::write(path.with_extension(format!("{ext}.txt")), format!("{name}\n{why}\n"));
    path
}

fn rss_mb() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: u64 = statm.split_whitespace().nth(1).and_then(|p| p.parse().ok()).unwrap_or(0);
    pages * 4096 / (1 << 20)
}

fn worker(args: &Args) {
    let corpus_seeds = seeds(&args.fixtures, args.target);
    if corpus_seeds.is_empty() {
        eprintln!("没有找到种子文件：{}", args.fixtures.display());
        std::process::exit(2);
    }
    let mut corpus: Vec<Input> = corpus_seeds;
    let mut signatures: HashSet<(String, Outcome)> = HashSet::new();
    let mut rng = Rng::new(args.seed);
    let mut stats = Stats::default();
    // Milliseconds since `epoch` at which the running input started (0: none running).
    let epoch = Instant::now();
    let running_since = Arc::new(AtomicU64::new(0));
    let peak = Arc::new(AtomicU64::new(0));
    {
        let running = running_since.clone();
        let peak = peak.clone();
        let (timeout, max_rss) = (args.timeout * 1000, args.max_rss_mb);
        let (cur, cur_name, out, stats_path) = (current_path(args), current_name_path(args), args.out.clone(), worker_stats_path(args));
        std::thread::spawn(move || loop {
            std::thread::sleep(Duration::from_millis(20));
            let rss = rss_mb();
            peak.fetch_max(rss, Ordering::Relaxed);
            let since = running.load(Ordering::Relaxed);
            let now = epoch.elapsed().as_millis() as u64;
            let (dir, code, why) = if since > 0 && now - since > timeout {
                ("hangs", 3, format!("ran over {} ms", timeout))
            } else if rss > max_rss {
                ("ooms", 4, format!("resident memory {rss} MB over {max_rss} MB"))
            } else {
                continue;
            };
            let name = std::fs::read_to_string(&cur_name).unwrap_or_else(|_| "input.bin".into());
            if let Ok(bytes) = std::fs::read(&cur) {
                save(&out.join(dir), &name, &bytes, &why);
            }
            let mut s = Stats::read(&stats_path);
            if code == 3 {
                s.hangs += 1;
            } else {
                s.ooms += 1;
            }
            s.execs += 1;
            s.peak_rss_mb = s.peak_rss_mb.max(rss);
            s.write(&stats_path);
            eprintln!("{why}: {name}");
            std::process::exit(code);
        });
    }
    // Panics are caught and saved; their default message would flood the terminal.
    std::panic::set_hook(Box::new(|_| {}));
    let start = Instant::now();
    let mut last_write = Instant::now();
    while start.elapsed().as_secs() < args.secs {
        let a = rng.below(corpus.len());
        let b = rng.below(corpus.len());
        let input = mutate(&mut rng, &corpus[a], &corpus[b]);
        // Written before running so that an abort leaves it for the supervisor.
        let _ = std::fs::write(current_name_path(args), &input.name);
        let _ = std::fs::write(current_path(args), &input.bytes);
        let t0 = Instant::now();
        running_since.store(epoch.elapsed().as_millis().max(1) as u64, Ordering::Relaxed);
        let result = std::panic::catch_unwind(|| run(&input));
        running_since.store(0, Ordering::Relaxed);
        let ms = t0.elapsed().as_millis() as u64;
        stats.execs += 1;
        if ms > stats.slowest_ms {
            stats.slowest_ms = ms;
            let p = save(&args.out.join("slowest"), &input.name, &input.bytes, &format!("{ms} ms"));
            stats.slowest = p.display().to_string();
        }
        match result {
            Ok(Ok(outcome)) => {
                match &outcome {
                    Outcome::Parsed { .. } => stats.parsed += 1,
                    Outcome::Refused(_) => stats.refused += 1,
                }
                // Inputs with an outcome not seen for their seed join the corpus (bounded).
                if signatures.insert((corpus[a].name.clone(), outcome)) && corpus.len() < 2000 && input.bytes.len() < (4 << 20) {
                    corpus.push(input);
                }
            }
            Ok(Err(broken)) => {
                stats.crashes += 1;
                save(&args.out.join("crashes"), &input.name, &input.bytes, &format!("invariant: {broken}"));
            }
            Err(panic) => {
                stats.crashes += 1;
                let msg = panic.downcast_ref::<String>().cloned().or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string())).unwrap_or_default();
                save(&args.out.join("crashes"), &input.name, &input.bytes, &format!("panic: {msg}"));
            }
        }
        if last_write.elapsed() > Duration::from_secs(2) {
            stats.peak_rss_mb = peak.load(Ordering::Relaxed);
            stats.write(&worker_stats_path(args));
            last_write = Instant::now();
        }
    }
    stats.peak_rss_mb = peak.load(Ordering::Relaxed);
    stats.write(&worker_stats_path(args));
}

fn replay(files: &[PathBuf]) {
    for f in files {
        let Ok(bytes) = std::fs::read(f) else { continue };
        let name = f.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let t0 = Instant::now();
        let r = std::panic::catch_unwind(|| run(&Input { name: name.clone(), bytes }));
        let outcome = match r {
            Ok(Ok(o)) => format!("{o:?}"),
            Ok(Err(e)) => format!("BROKEN: {e}"),
            Err(_) => "PANIC".to_string(),
        };
        println!("{}: {outcome} in {} ms, RSS {} MB", f.display(), t0.elapsed().as_millis(), rss_mb());
    }
}
