//! `nianbao-register-bench`: a generated register (default 100,000 applications over 20
//! agencies and 2019–2025, every event kind) through import and derivation, with the speed of
//! each against a baseline, and the proof the lead asks for: every derived agency-year passes
//! the table rules of `nianbao check` and equals the generator's independent count.
//!
//! Usage: nianbao-register-bench [--applications N] [--agencies K] [--from Y] [--to Y] [--no-db]

use calamine::Reader;
use nianbao_register::gen::{differences, generate};
use nianbao_register::{check_reports, derive, store, xlsx};
use std::process::ExitCode;
use std::time::Instant;

fn arg(args: &[String], name: &str, default: i64) -> i64 {
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let total = arg(&args, "--applications", 100_000) as usize;
    let agencies = arg(&args, "--agencies", 20).max(1) as usize;
    let (from, to) = (arg(&args, "--from", 2019) as i32, arg(&args, "--to", 2025) as i32);
    let years = (to - from + 1).max(1) as usize;
    let per = (total / (agencies * years)).max(1);
    let t = Instant::now();
    let g = generate(42, agencies, from, to, per);
    let n = g.applications();
    let events: usize = g.agencies.iter().flat_map(|(_, a)| a.iter()).map(|a| a.events.len()).sum();
    println!("生成台账：{n} 件申请，{events} 个事件，{agencies} 个机关，{from}–{to} 年，用时 {:.2} 秒", t.elapsed().as_secs_f64());

    // Derivation against a bare scan that only buckets receipt years.
    let t = Instant::now();
    let mut scanned = 0usize;
    for (_, apps) in &g.agencies {
        for y in from..=to {
            scanned += apps.iter().filter(|a| chrono::Datelike::year(&a.received) == y).count();
        }
    }
    let base = t.elapsed().as_secs_f64().max(1e-9);
    let t = Instant::now();
    let mut derived = Vec::new();
    for (name, apps) in &g.agencies {
        derived.push((name, (from..=to).map(|y| derive(name, y, apps)).collect::<Vec<_>>()));
    }
    let dt = t.elapsed().as_secs_f64().max(1e-9);
    assert_eq!(scanned, n);
    println!(
        "派生表三、表四（{} 个机关年度）：{:.0} 件申请/秒（基线：只按收到年份计数 {:.0} 件/秒，比值 {:.2}）",
        agencies * years,
        n as f64 / dt,
        n as f64 / base,
        base / dt
    );

    // Check and independent count.
    let mut failed = 0;
    let mut mismatched = 0;
    for (name, ds) in &derived {
        let findings = check_reports(&ds.iter().map(|d| d.report.clone()).collect::<Vec<_>>());
        for f in findings.iter().filter(|f| f.severity == nianbao_check::Severity::Error) {
            failed += 1;
            eprintln!("检查未通过：{name} {} {}", f.rule, f.message);
        }
        for d in ds {
            let y = d.report.year.unwrap_or(0);
            let diffs = differences(d, &g.truth[&((*name).clone(), y)]);
            if !diffs.is_empty() {
                mismatched += 1;
                eprintln!("与独立计数不符：{name} {y}：{}", diffs.join("；"));
            }
        }
    }
    println!("核对：{} 个机关年度，检查错误 {failed} 个，与独立计数不符 {mismatched} 个", agencies * years);

    // Import: the Excel register read and validated, against calamine reading the same cells.
    let files: Vec<(String, Vec<u8>)> = g
        .agencies
        .iter()
        .map(|(name, apps)| (name.clone(), xlsx::export(name, apps, nianbao_calendar::Calendar::builtin(), &Default::default(), chrono::NaiveDate::from_ymd_opt(to, 12, 31).unwrap()).unwrap()))
        .collect();
    let t = Instant::now();
    let mut cells = 0usize;
    for (_, bytes) in &files {
        let mut wb = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes.clone())).unwrap();
        let r = wb.worksheet_range("台账").unwrap();
        cells += r.used_cells().filter(|(_, _, c)| !c.to_string().is_empty()).count();
    }
    let base = t.elapsed().as_secs_f64().max(1e-9);
    let t = Instant::now();
    let mut parsed = Vec::new();
    for (name, bytes) in &files {
        let p = xlsx::read_register(name, bytes).unwrap();
        assert!(p.bad.is_empty());
        parsed.push((name.clone(), p.applications.into_iter().map(|(a, _, _)| a).collect::<Vec<_>>()));
    }
    let it = t.elapsed().as_secs_f64().max(1e-9);
    let same = parsed.iter().zip(&g.agencies).all(|((_, a), (_, b))| a == b);
    println!(
        "读取 Excel 台账：{:.0} 件申请/秒（基线：calamine 只读单元格 {:.0} 件/秒，{cells} 个单元格，比值 {:.2}）；读回与生成的一致：{}",
        n as f64 / it,
        n as f64 / base,
        base / it,
        if same { "是" } else { "否" }
    );

    let mut db_ok = true;
    if !args.iter().any(|a| a == "--no-db") {
        let dir = std::env::temp_dir().join(format!("nianbao-register-bench-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        let db = dir.join("bench.db").display().to_string();
        let r = nianbao_store::block_on(async {
            let s = nianbao_store::Store::open(&db).await?;
            let t = Instant::now();
            for (name, apps) in &parsed {
                store::import(&s, name, "bench.xlsx", "-", apps, 0, "bench").await?;
            }
            let w = t.elapsed().as_secs_f64().max(1e-9);
            let t = Instant::now();
            let mut loaded = 0;
            let mut equal = true;
            for (name, apps) in &parsed {
                let id = store::agency_id(&s, name).await?;
                let back = store::load(&s, id).await?;
                loaded += back.len();
                equal &= &back == apps;
            }
            let l = t.elapsed().as_secs_f64().max(1e-9);
            Ok::<_, nianbao_register::RegisterError>((w, l, loaded, equal))
        });
        match r {
            Ok(Ok((w, l, loaded, equal))) => {
                println!("存入数据库（SQLite，每个机关一个事务）：{:.0} 件申请/秒；读出并还原：{:.0} 件申请/秒，{loaded} 件，与导入的一致：{}", n as f64 / w, n as f64 / l, if equal { "是" } else { "否" });
                db_ok = equal;
            }
            Ok(Err(e)) => {
                eprintln!("错误：{e}");
                db_ok = false;
            }
            Err(e) => {
                eprintln!("错误：{e}");
                db_ok = false;
            }
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
    if failed == 0 && mismatched == 0 && same && db_ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
