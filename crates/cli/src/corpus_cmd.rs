//! `nianbao ingest`, `agency`, `compare`, `rollup`: the corpus database commands.

use clap::Subcommand;
use nianbao_model::TableId;
use nianbao_store::compare::{compare, Comparison};
use nianbao_store::{block_on, Store, StoreError};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Subcommand)]
pub enum AgencyCmd {
    /// 把某个名称写法登记为某机关的别名（例如 东阿县政府办公室 → 东阿县人民政府办公室）
    Alias {
        /// 别名（另一种名称写法）
        #[arg(value_name = "别名")]
        alias: String,
        /// 机关的规范名称
        #[arg(value_name = "规范名称")]
        canonical: String,
    },
    /// 从 CSV 导入机关隶属关系（表头 name,parent 或 机关,上级）
    Import {
        /// CSV 文件
        #[arg(value_name = "文件")]
        csv: PathBuf,
    },
    /// 列出机关、上级、别名与报告数
    List,
}

fn fail(e: StoreError) -> ExitCode {
    eprintln!("错误：{e}");
    ExitCode::from(2)
}

/// The SQLite file a `--db` names, if it names one (not a PostgreSQL URL or an in-memory
/// database).
fn sqlite_file(db: &str) -> Option<PathBuf> {
    if db.starts_with("postgres://") || db.starts_with("postgresql://") {
        return None;
    }
    let path = db.strip_prefix("sqlite://").or_else(|| db.strip_prefix("sqlite:")).unwrap_or(db);
    let path = path.split('?').next().unwrap_or(path);
    (!path.is_empty() && !path.contains(":memory:")).then(|| PathBuf::from(path))
}

/// Commands that only read (or add to) a database refuse one that does not exist: a
/// mistyped `--db` would otherwise create an empty database and report nothing.
/// Only `ingest` and `user add` create a database.
pub fn require_db(db: &str) -> Result<(), ExitCode> {
    match sqlite_file(db) {
        Some(p) if !p.exists() => {
            eprintln!("错误：数据库文件不存在：{db}（请先用 nianbao ingest 导入报告，或用 --db 指定已有的数据库）");
            Err(ExitCode::from(2))
        }
        _ => Ok(()),
    }
}

/// Runs a command's work on one runtime: a database pool must be used in the runtime that
/// opened it (PostgreSQL connections fail once their runtime is gone).
fn run(work: impl std::future::Future<Output = Result<String, StoreError>>) -> Result<String, StoreError> {
    block_on(work)?
}

fn print(s: &str) -> ExitCode {
    if std::io::stdout().lock().write_all(s.as_bytes()).is_err() {
        return ExitCode::from(2);
    }
    ExitCode::SUCCESS
}

pub fn ingest(paths: &[PathBuf], db: &str) -> ExitCode {
    for p in paths {
        if !p.exists() {
            eprintln!("错误：{}：文件或目录不存在", p.display());
            return ExitCode::from(2);
        }
    }
    let result = run(async {
        let store = Store::open(db).await?;
        let s = store.ingest(paths, std::io::stderr().is_terminal()).await?;
        let (files, failed, reports, findings) = store.counts().await?;
        let secs = s.elapsed.as_secs_f64().max(1e-9);
        let mut out = format!(
            "本次：{} 个文件（新写入 {}，未变化 {}，失败 {}），{} 份报告，{} 条检查结果，用时 {:.1} 秒（{:.1} 个文件/秒）\n",
            s.files, s.written, s.unchanged, s.failed, s.reports, s.findings, secs, s.files as f64 / secs
        );
        for f in s.failures.iter().take(20) {
            out.push_str(&format!("  失败：{f}\n"));
        }
        out.push_str(&format!("数据库 {db}：{files} 个文件，{failed} 个读取失败，{reports} 份报告，{findings} 条检查结果\n"));
        Ok(out)
    });
    match result {
        Ok(s) => print(&s),
        Err(e) => fail(e),
    }
}

/// `nianbao recheck`: every agency's reports checked again across years.
pub fn recheck(db: &str) -> ExitCode {
    let result = run(async {
        let store = Store::open(db).await?;
        let n = store.recheck_all().await?;
        let (_, _, reports, findings) = store.counts().await?;
        Ok(format!("已重新核对 {n} 个有多份报告的机关；数据库 {db}：{reports} 份报告，{findings} 条检查结果\n"))
    });
    match result {
        Ok(s) => print(&s),
        Err(e) => fail(e),
    }
}

pub fn agency(cmd: AgencyCmd, db: &str) -> ExitCode {
    if let Err(code) = require_db(db) {
        return code;
    }
    let result = run(async {
        let store = Store::open(db).await?;
        Ok(match cmd {
            AgencyCmd::Alias { alias, canonical } => {
                store.set_alias(&alias, &canonical).await?;
                format!("已登记：“{alias}”是“{canonical}”的别名\n")
            }
            AgencyCmd::Import { csv } => {
                let n = store.import_tree(&csv).await?;
                format!("已导入 {n} 个机关的隶属关系\n")
            }
            AgencyCmd::List => {
                let mut out = String::new();
                for a in store.list_agencies().await? {
                    out.push_str(&format!(
                        "{}\t上级：{}\t报告 {} 份\t别名：{}\n",
                        a.name,
                        a.parent.as_deref().unwrap_or("—"),
                        a.reports,
                        a.aliases.join("、")
                    ));
                }
                out
            }
        })
    });
    match result {
        Ok(s) => print(&s),
        Err(e) => fail(e),
    }
}

fn fmt(v: Option<f64>) -> String {
    match v {
        Some(x) if x.fract() == 0.0 => format!("{}", x as i64),
        Some(x) => format!("{x}"),
        None => "—".into(),
    }
}

fn render_comparison(title_a: &str, title_b: &str, c: &Comparison, all: bool) -> String {
    let mut out = format!("对比：{title_a} → {title_b}\n");
    if let Some(n) = &c.layout_note {
        out.push_str(&format!("注意：{n}\n"));
    }
    for id in TableId::ALL {
        out.push_str(&format!("\n{}（{}）\n", id.short_name(), id.title()));
        let mut any = false;
        for cell in c.cells.iter().filter(|x| x.table == id) {
            let changed = cell.before != cell.after;
            if !changed && !all {
                continue;
            }
            any = true;
            let delta = match (cell.before, cell.after) {
                (Some(a), Some(b)) if a != b => format!("{:+}", b - a),
                (Some(_), Some(_)) => String::new(),
                _ => "（一方空白）".into(),
            };
            out.push_str(&format!("  {} · {}：{} → {} {}\n", cell.label, cell.column, fmt(cell.before), fmt(cell.after), delta));
        }
        if !any {
            out.push_str("  （无变化）\n");
        }
    }
    out.push_str("\n正文相似度\n");
    for (n, heading, s, alike) in &c.prose {
        out.push_str(&format!("  {}：{:.0}%{}\n", heading, s * 100.0, if *alike { "  [Y003] 内容雷同" } else { "" }));
        let _ = n;
    }
    out
}

fn file_report(path: &Path) -> Result<(String, nianbao_model::Report, Vec<(u8, String, String)>), String> {
    let doc = nianbao_parse::parse_file(path).map_err(|e| e.to_string())?;
    let parsed = doc.reports.into_iter().next().ok_or_else(|| format!("{}：没有报告", path.display()))?;
    let prose = parsed
        .sections
        .iter()
        .map(|s| (s.number, s.heading.clone(), parsed.section_lines(s.number).iter().filter(|l| !l.is_table_row).map(|l| l.text.as_str()).collect::<Vec<_>>().join("\n")))
        .collect();
    let title = format!("{}（{} {}）", path.display(), parsed.report.agency.clone().unwrap_or_default(), parsed.report.year.map(|y| y.to_string()).unwrap_or_default());
    Ok((title, parsed.report, prose))
}

/// `compare AGENCY YEAR1 YEAR2` (from the database) or `compare FILE1 FILE2`.
pub fn compare_cmd(args: &[String], db: &str, all: bool) -> ExitCode {
    let result = match args {
        [a, b] if Path::new(a).is_file() && Path::new(b).is_file() => match (file_report(Path::new(a)), file_report(Path::new(b))) {
            (Ok(x), Ok(y)) => Ok(render_comparison(&x.0, &y.0, &compare(&x.1, &y.1, &x.2, &y.2), all)),
            (Err(e), _) | (_, Err(e)) => {
                eprintln!("错误：{e}");
                return ExitCode::from(2);
            }
        },
        [agency, y1, y2] => {
            let (Ok(y1), Ok(y2)) = (y1.parse::<i32>(), y2.parse::<i32>()) else {
                eprintln!("错误：年份应为数字，例如 nianbao compare 东阿县人民政府办公室 2022 2023");
                return ExitCode::from(2);
            };
            if let Err(code) = require_db(db) {
                return code;
            }
            run(async {
                let store = Store::open(db).await?;
                let id = store.find_agency(agency).await?;
                let a = store.report_for(id, y1).await?.ok_or(StoreError::NoReport { agency: agency.clone(), year: y1 })?;
                let b = store.report_for(id, y2).await?.ok_or(StoreError::NoReport { agency: agency.clone(), year: y2 })?;
                Ok(render_comparison(&format!("{} {y1}", a.agency), &format!("{} {y2}", b.agency), &compare(&a.report, &b.report, &a.prose, &b.prose), all))
            })
        }
        [a, b] => {
            let missing = if Path::new(a).is_file() { b } else { a };
            eprintln!("错误：{missing}：文件不存在（对比两个文件：nianbao compare 文件1 文件2；对比两个年度：nianbao compare 机关名称 年份1 年份2）");
            return ExitCode::from(2);
        }
        _ => {
            eprintln!("错误：用法为 nianbao compare 机关名称 年份1 年份2，或 nianbao compare 文件1 文件2");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(s) => print(&s),
        Err(e) => fail(e),
    }
}

pub fn rollup(parent: &str, year: i32, db: &str, json: bool) -> ExitCode {
    if let Err(code) = require_db(db) {
        return code;
    }
    let result = run(async {
        let store = Store::open(db).await?;
        let r = store.rollup(parent, year).await?;
        if json {
            let mut v = nianbao_model::json::to_json(&r.report);
            v["included"] = serde_json::json!(r.included);
            v["missing"] = serde_json::json!(r.missing);
            v["with_errors"] = serde_json::json!(r.with_errors.iter().map(|(a, n)| serde_json::json!({"agency": a, "errors": n})).collect::<Vec<_>>());
            v["notes"] = serde_json::json!(r.notes);
            return Ok(serde_json::to_string_pretty(&v).unwrap_or_default() + "\n");
        }
        let mut out = format!("{} {} 年度所属部门汇总（{} 版式），计入 {} 个机关\n", r.parent, year, r.layout.as_str(), r.included.len());
        if !r.missing.is_empty() {
            out.push_str(&format!("缺报：{}\n", r.missing.join("、")));
        }
        if !r.with_errors.is_empty() {
            let e: Vec<String> = r.with_errors.iter().map(|(a, n)| format!("{a}（{n} 个错误）")).collect();
            out.push_str(&format!("有错误：{}\n", e.join("、")));
        }
        for n in &r.notes {
            out.push_str(&format!("注意：{n}\n"));
        }
        out.push('\n');
        out.push_str(&crate::table_view::render(&r.report));
        Ok(out)
    });
    match result {
        Ok(s) => print(&s),
        Err(e) => fail(e),
    }
}

#[derive(Clone, Copy, clap::ValueEnum, PartialEq, Eq)]
pub enum ExportFormat {
    Csv,
    Xlsx,
    Json,
    Parquet,
}

/// `--encoding` of a CSV export.
#[derive(Clone, Copy, clap::ValueEnum, PartialEq, Eq)]
pub enum CsvEncoding {
    /// UTF-8，带 BOM（Excel 能正确识别中文）
    Utf8,
    /// GBK（供只认 GBK 的旧版软件）
    Gbk,
}

/// The selection in words, for the message when it matches nothing.
fn describe_filter(f: &nianbao_store::export::Filter) -> String {
    let mut parts = Vec::new();
    if let Some(a) = &f.agency {
        parts.push(format!("机关“{a}”"));
    }
    if let Some(p) = &f.parent {
        parts.push(format!("“{p}”及其所属部门"));
    }
    if let Some(y) = f.year {
        parts.push(format!("{y} 年度"));
    }
    if parts.is_empty() {
        "数据库中".into()
    } else {
        parts.join("、")
    }
}

pub fn export(format: ExportFormat, out: &Path, filter: nianbao_store::export::Filter, encoding: CsvEncoding, db: &str) -> ExitCode {
    if let Err(code) = require_db(db) {
        return code;
    }
    if encoding == CsvEncoding::Gbk && format != ExportFormat::Csv {
        eprintln!("错误：--encoding 只用于 CSV 导出");
        return ExitCode::from(2);
    }
    let options = nianbao_store::export::ExportOptions { gbk: encoding == CsvEncoding::Gbk };
    let format = match format {
        ExportFormat::Csv => nianbao_store::export::ExportFormat::Csv,
        ExportFormat::Xlsx => nianbao_store::export::ExportFormat::Xlsx,
        ExportFormat::Json => nianbao_store::export::ExportFormat::Json,
        ExportFormat::Parquet => nianbao_store::export::ExportFormat::Parquet,
    };
    let result = run(async {
        let store = Store::open(db).await?;
        // An export of nothing is a mistake (a misspelt name or year), not an empty file.
        if store.count_cells(&filter).await? == 0 {
            return Err(StoreError::Other(format!("{}没有符合条件的报告，未导出任何文件（用 nianbao agency list 查看机关名称）", describe_filter(&filter))));
        }
        let s = store.export_with(&filter, format, out, &options).await?;
        let files: Vec<String> = s.files.iter().map(|f| f.display().to_string()).collect();
        Ok(format!("已导出 {} 个单元格{}：{}\n", s.cells, if s.reports > 0 { format!("、{} 份报告的表格、{} 条问题", s.reports, s.findings) } else { String::new() }, files.join("、")))
    });
    match result {
        Ok(s) => print(&s),
        Err(e) => fail(e),
    }
}
