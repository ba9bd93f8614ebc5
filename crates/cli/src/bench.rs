//! `nianbao-bench`: speed of the parser and the checker on a corpus made of the fixtures.
//!
//! Prints reports/s and MB/s of `parse`, of `parse + check`, and of a baseline that only reads
//! the same files and decodes them as UTF-8, all measured in the same run, with the ratios.
//! Then, per source format found in DIR (text/HTML, DOCX, PDF), the parse speed of those files
//! alone: reports/s for each, and pages/s for PDF, against the same baseline on the same files.
//! Usage: `nianbao-bench [DIR] [--rounds N]` (DIR defaults to tests/fixtures).
//!
//! `nianbao-bench corpus DIR [--parent NAME --year Y]` measures the corpus database on a
//! generated corpus (see `nianbao-gen`): parse + check of every file on all cores without a
//! database, then `ingest` into a new SQLite file (reports/s, database size, peak memory), then a
//! roll-up, with the ratio of ingest time to parse + check time.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut entries: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            // The scans of tests/fixtures/ocr take seconds a page: they have their own benchmark
            // (`cargo run --release -p nianbao-parse --example ocr-bench`).
            if p.file_name().is_some_and(|n| n == "ocr") {
                continue;
            }
            collect(&p, out);
        } else {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            let doc = !name.ends_with(".json") && !name.ends_with(".md") && !name.ends_with(".error.txt") && !name.ends_with(".py") && !name.ends_with(".snap");
            // Only documents that parse (the bad-input fixtures are not a workload).
            if doc && nianbao_parse::parse_file(&p).is_ok() {
                out.push(p);
            }
        }
    }
}

struct Run {
    elapsed: Duration,
    reports: usize,
    bytes: usize,
}

fn measure(files: &[PathBuf], rounds: usize, work: &dyn Fn(&Path) -> usize) -> Run {
    let mut reports = 0;
    let mut bytes = 0;
    let start = Instant::now();
    for _ in 0..rounds {
        for f in files {
            reports += work(f);
            bytes += std::fs::metadata(f).map(|m| m.len() as usize).unwrap_or(0);
        }
    }
    Run { elapsed: start.elapsed(), reports, bytes }
}

fn line(name: &str, r: &Run, base: &Run) {
    let secs = r.elapsed.as_secs_f64().max(1e-9);
    println!(
        "{name:<22} {:>10.1} reports/s {:>8.2} MB/s  {:>8.1} ms  ×{:.1} the baseline time",
        r.reports as f64 / secs,
        r.bytes as f64 / secs / 1e6,
        secs * 1e3,
        secs / base.elapsed.as_secs_f64().max(1e-9)
    );
}

/// Peak resident memory of this process so far, from /proc (Linux), in MB.
fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

fn corpus(args: &[String]) {
    use rayon::prelude::*;
    let mut dir = None;
    let mut parent = None;
    let mut year = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--parent" => parent = it.next().cloned(),
            "--year" => year = it.next().and_then(|y| y.parse::<i32>().ok()),
            other => dir = Some(PathBuf::from(other)),
        }
    }
    let Some(dir) = dir else {
        eprintln!("用法：nianbao-bench corpus 目录 [--parent 机关 --year 年份]");
        std::process::exit(2);
    };
    let files = nianbao_store::ingest::collect_files(std::slice::from_ref(&dir));
    let bytes: u64 = files.iter().filter_map(|f| std::fs::metadata(f).ok()).map(|m| m.len()).sum();
    println!("corpus: {} files, {:.1} MB ({})", files.len(), bytes as f64 / 1e6, dir.display());

    let start = Instant::now();
    let reports: usize = files
        .par_iter()
        .map(|f| std::fs::read(f).ok().and_then(|b| nianbao_store::ingest::analyse(f, &b).ok()).map(|(d, _)| d.reports.len()).unwrap_or(0))
        .sum();
    let analyse = start.elapsed();
    println!("parse + check (no database, {} threads): {} reports in {:.1} s = {:.0} reports/s", rayon::current_num_threads(), reports, analyse.as_secs_f64(), reports as f64 / analyse.as_secs_f64().max(1e-9));

    let db = std::env::temp_dir().join(format!("nianbao-bench-{}.db", std::process::id()));
    let db_s = db.display().to_string();
    let run = || -> Result<(), nianbao_store::StoreError> {
        let store = nianbao_store::block_on(nianbao_store::Store::open(&db_s))??;
        let start = Instant::now();
        let s = nianbao_store::block_on(store.ingest(std::slice::from_ref(&dir), false))??;
        let ingest = start.elapsed();
        let size: u64 = ["", "-wal", "-shm"].iter().filter_map(|suf| std::fs::metadata(format!("{db_s}{suf}")).ok()).map(|m| m.len()).sum();
        println!(
            "ingest into SQLite: {} reports in {:.1} s = {:.0} reports/s; database {:.1} MB; ×{:.2} the parse + check time",
            s.reports,
            ingest.as_secs_f64(),
            s.reports as f64 / ingest.as_secs_f64().max(1e-9),
            size as f64 / 1e6,
            ingest.as_secs_f64() / analyse.as_secs_f64().max(1e-9)
        );
        let tree = dir.join("agencies.csv");
        if tree.exists() {
            nianbao_store::block_on(store.import_tree(&tree))??;
        }
        if let (Some(p), Some(y)) = (&parent, year) {
            let start = Instant::now();
            let r = nianbao_store::block_on(store.rollup(p, y))??;
            println!("rollup {p} {y}: {} agencies summed, {} missing, in {:.0} ms", r.included.len(), r.missing.len(), start.elapsed().as_secs_f64() * 1e3);
            let xlsx = std::env::temp_dir().join(format!("nianbao-bench-{}.xlsx", std::process::id()));
            let start = Instant::now();
            let filter = nianbao_store::export::Filter { parent: Some(p.clone()), ..Default::default() };
            let e = nianbao_store::block_on(store.export(&filter, nianbao_store::export::ExportFormat::Xlsx, &xlsx))??;
            println!("XLSX export of {p} (all years): {} reports, {} cells in {:.0} ms", e.reports, e.cells, start.elapsed().as_secs_f64() * 1e3);
            let _ = std::fs::remove_file(&xlsx);
            let csv = std::env::temp_dir().join(format!("nianbao-bench-{}.csv", std::process::id()));
            let start = Instant::now();
            let e = nianbao_store::block_on(store.export(&nianbao_store::export::Filter::default(), nianbao_store::export::ExportFormat::Csv, &csv))??;
            println!("CSV export of the whole corpus: {} cells in {:.1} s", e.cells, start.elapsed().as_secs_f64());
            for f in e.files {
                let _ = std::fs::remove_file(f);
            }
        }
        Ok(())
    };
    if let Err(e) = run() {
        eprintln!("错误：{e}");
    }
    if let Some(mb) = peak_rss_mb() {
        println!("peak RSS of the whole run: {mb:.0} MB");
    }
    for suf in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{db_s}{suf}"));
    }
}

const HELP: &str = "测量读取与检查的速度：报告/秒、MB/秒，与只读取并按 UTF-8 解码同样文件的基线之比，再按来源格式分列。

用法：nianbao-bench [目录] [--rounds 轮数]
      nianbao-bench corpus 目录 [--parent 机关 --year 年度]

参数：
  [目录]                报告文件所在目录（默认：tests/fixtures）

选项：
      --rounds <轮数>   重复读取的轮数（默认：20）
  -h, --help            显示帮助
  -V, --version         显示版本号

corpus：在 nianbao-gen 生成的语料上测量数据库：不用数据库的读取加检查、导入新建的 SQLite 文件
（报告/秒、数据库大小、内存峰值），以及汇总和导出的用时。
      --parent <机关>   汇总这个政府所属部门
      --year <年度>     汇总这一年度
";

fn main() {
    nianbao_parse::worker::init();
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "-h" || a == "--help") {
        print!("{HELP}");
        return;
    }
    if args.iter().any(|a| a == "-V" || a == "--version") {
        println!("nianbao-bench {}", env!("CARGO_PKG_VERSION"));
        return;
    }
    if args.first().map(String::as_str) == Some("corpus") {
        corpus(&args[1..]);
        return;
    }
    let mut dir = PathBuf::from("tests/fixtures");
    let mut rounds = 20usize;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--rounds" => rounds = it.next().and_then(|s| s.parse().ok()).unwrap_or(rounds),
            other => dir = PathBuf::from(other),
        }
    }
    let mut files = Vec::new();
    collect(&dir, &mut files);
    if files.is_empty() {
        eprintln!("错误：{} 下没有可读取的报告文件", dir.display());
        std::process::exit(2);
    }
    let counts: std::collections::HashMap<&Path, usize> =
        files.iter().map(|f| (f.as_path(), nianbao_parse::parse_file(f).map(|d| d.reports.len()).unwrap_or(0))).collect();
    let per_round: usize = counts.values().sum();
    let size: u64 = files.iter().filter_map(|f| std::fs::metadata(f).ok()).map(|m| m.len()).sum();
    println!("corpus: {} files, {} reports, {:.2} MB per round × {rounds} rounds ({})", files.len(), per_round, size as f64 / 1e6, dir.display());
    // Baseline: read the same bytes and decode them as UTF-8, nothing else.
    let base = measure(&files, rounds, &|f| {
        let bytes = std::fs::read(f).unwrap_or_default();
        std::hint::black_box(String::from_utf8_lossy(&bytes).len());
        counts.get(f).copied().unwrap_or(0)
    });
    let parse = measure(&files, rounds, &|f| nianbao_parse::parse_file(f).map(|d| d.reports.len()).unwrap_or(0));
    let check = measure(&files, rounds, &|f| match nianbao_parse::parse_file(f) {
        Ok(d) => {
            let n = d.reports.len();
            std::hint::black_box(nianbao_check::check(std::slice::from_ref(&d)).findings.len());
            n
        }
        Err(_) => 0,
    });
    line("read + UTF-8 (baseline)", &base, &base);
    line("parse", &parse, &base);
    line("parse + check", &check, &base);
    println!(
        "check adds {:.0}% to parse",
        (check.elapsed.as_secs_f64() / parse.elapsed.as_secs_f64().max(1e-9) - 1.0) * 100.0
    );
    by_format(&files, rounds, &counts);
}

/// The source format of a fixture, by its extension (the parser itself looks at the content).
fn format_of(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() {
        Some("pdf") => "PDF",
        Some("docx") => "DOCX",
        Some("doc") | Some("wps") => "DOC/WPS",
        _ => "text/HTML",
    }
}

/// Parse speed per source format: Word and PDF files cost far more than text per report, so the
/// mixed figure above hides them. Each format gets its own baseline (read + UTF-8 of its files).
fn by_format(files: &[PathBuf], rounds: usize, counts: &std::collections::HashMap<&Path, usize>) {
    println!("per format (parse only):");
    for format in ["text/HTML", "DOCX", "DOC/WPS", "PDF"] {
        let group: Vec<PathBuf> = files.iter().filter(|f| format_of(f) == format).cloned().collect();
        if group.is_empty() {
            continue;
        }
        let base = measure(&group, rounds, &|f| {
            let bytes = std::fs::read(f).unwrap_or_default();
            std::hint::black_box(String::from_utf8_lossy(&bytes).len());
            counts.get(f).copied().unwrap_or(0)
        });
        let parse = measure(&group, rounds, &|f| nianbao_parse::parse_file(f).map(|d| d.reports.len()).unwrap_or(0));
        let secs = parse.elapsed.as_secs_f64().max(1e-9);
        let mut extra = String::new();
        if format == "PDF" {
            let pages: usize = group.iter().map(|f| std::fs::read(f).map(|b| nianbao_parse::pdf::page_count(&b)).unwrap_or(0)).sum();
            extra = format!("  {:>7.1} pages/s ({pages} pages per round)", (pages * rounds) as f64 / secs);
        }
        println!(
            "  {format:<10} {:>3} files {:>8.1} reports/s {:>8.2} MB/s  ×{:.1} the baseline time{extra}",
            group.len(),
            parse.reports as f64 / secs,
            parse.bytes as f64 / secs / 1e6,
            secs / base.elapsed.as_secs_f64().max(1e-9)
        );
    }
}
