//! `nianbao-bench`: speed of the parser and the checker on a corpus made of the fixtures.
//!
//! Prints reports/s and MB/s of `parse`, of `parse + check`, and of a baseline that only reads
//! the same files and decodes them as UTF-8, all measured in the same run, with the ratios.
//! Usage: `nianbao-bench [DIR] [--rounds N]` (DIR defaults to tests/fixtures).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut entries: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
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

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
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
}
