//! `nianbao calendar …` (working days and holiday notices) and `nianbao register …` (the
//! application register: import, 表三/表四, deadlines due, export, checks, locking).

use chrono::NaiveDate;
use clap::{Subcommand, ValueEnum};
use nianbao_calendar::{parse_date, weekday_zh, Calendar, DayKind};
use nianbao_deadline::Settings;
use nianbao_register::{rules, store, xlsx, RegisterError};
use nianbao_store::{block_on, Store};
use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Subcommand)]
pub enum CalendarCmd {
    /// 显示某年的节假日安排（按国务院办公厅通知）和每月工作日数
    Show { year: i32 },
    /// 某日之后第 N 个工作日（当日不计，次日起算）；涉及尚无放假通知的年份时标“（暂定）”
    Add {
        /// 起算日（第 0 日），如 2024-02-06、2024年2月6日
        date: String,
        /// 工作日数
        days: u32,
    },
    /// 导入一份放假通知（TOML，或每个节日一行的 CSV：年份,文号,发布日期,节日,放假,上班），存入数据库
    Import {
        file: PathBuf,
        /// 记录导入人
        #[arg(long, default_value = "管理员")]
        by: String,
    },
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum TableFormat {
    /// nianbao/report-v1 JSON（可用于 nianbao render、nianbao template --from）
    Json,
    /// 每个单元格由哪些申请构成（供审核）
    Drill,
}

#[derive(Subcommand)]
pub enum RegisterCmd {
    /// 从 Excel 台账导入（按列名识别各列）；有错误时全部不导入，除非 --skip-bad
    Import {
        file: PathBuf,
        #[arg(long)]
        agency: String,
        /// 导入正确的行，把有错误的行写入文件（默认 FILE 旁的 *.未导入.xlsx）
        #[arg(long)]
        skip_bad: bool,
        /// 有错误的行写到这里（与 --skip-bad 一起用）
        #[arg(long)]
        bad_out: Option<PathBuf>,
        /// 记录操作人
        #[arg(long, default_value = "导入")]
        by: String,
    },
    /// 由台账统计某年度的表三、表四（report-v1 JSON），或列出每个单元格的申请
    Table {
        #[arg(long)]
        agency: String,
        #[arg(long)]
        year: i32,
        #[arg(long, value_enum, default_value = "json")]
        format: TableFormat,
        /// 输出文件（默认标准输出）
        #[arg(short, long)]
        out: Option<PathBuf>,
    },
    /// 列出将要到期和已逾期的申请（逾期的在前）
    Due {
        /// 只看这个机关（默认全部机关）
        #[arg(long)]
        agency: Option<String>,
        /// 只列出 N 个工作日内到期的（及已逾期的）
        #[arg(long)]
        within: Option<u32>,
        /// 按这一天计算（默认今天）
        #[arg(long)]
        as_of: Option<String>,
    },
    /// 导出台账（含计算出的期限和状态，xlsx），或 --raw 导出表三、表四每个单元格的申请明细（CSV）
    Export {
        #[arg(long)]
        agency: String,
        #[arg(short, long)]
        out: PathBuf,
        #[arg(long)]
        raw: bool,
        #[arg(long)]
        as_of: Option<String>,
    },
    /// 生成空白台账模板（xlsx）
    Template {
        #[arg(short, long)]
        out: PathBuf,
    },
    /// 检查台账：补正通知、答复、延期是否合法，结果与事件是否一致；--report 时核对报告的表三
    Check {
        #[arg(long)]
        agency: String,
        #[arg(long)]
        as_of: Option<String>,
        /// 已发布（或拟发布）的年度报告，核对其表三与台账统计是否一致
        #[arg(long)]
        report: Option<PathBuf>,
    },
    /// 锁定已结束的年度：此后不能再修改影响该年度统计的记录
    Lock {
        #[arg(long)]
        agency: String,
        #[arg(long)]
        year: i32,
        #[arg(long, default_value = "管理员")]
        by: String,
    },
    /// 列出检查台账的规则（R…）
    Rules,
}

fn print(s: &str) -> ExitCode {
    if std::io::stdout().lock().write_all(s.as_bytes()).is_err() {
        return ExitCode::from(2);
    }
    ExitCode::SUCCESS
}

fn fail(e: impl std::fmt::Display) -> ExitCode {
    eprintln!("错误：{e}");
    ExitCode::from(2)
}

fn date_arg(s: &str) -> Result<NaiveDate, RegisterError> {
    parse_date(s).ok_or_else(|| RegisterError::Other(format!("日期“{s}”无法识别（可写 2024-02-06 或 2024年2月6日）")))
}

fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

/// Whether `db` names an existing database (a SQLite file that is not there is not opened, so
/// `calendar show/add` do not create one).
fn db_exists(db: &str) -> bool {
    let (url, backend) = nianbao_store::database_url(db);
    match backend {
        nianbao_store::Backend::Postgres => true,
        nianbao_store::Backend::Sqlite => {
            let path = url.trim_start_matches("sqlite://").trim_start_matches("sqlite:");
            let path = path.split('?').next().unwrap_or(path);
            Path::new(path).exists()
        }
    }
}

/// The shipped notices plus those imported into the database.
async fn calendar(store: Option<&Store>) -> Result<Calendar, RegisterError> {
    let cal = Calendar::builtin();
    match store {
        Some(s) => {
            let extra = store::calendar_notices(s).await?;
            if extra.is_empty() {
                Ok(cal.clone())
            } else {
                cal.with_notices(extra).map_err(|e| RegisterError::Other(e.to_string()))
            }
        }
        None => Ok(cal.clone()),
    }
}

pub fn calendar_cmd(cmd: CalendarCmd, db: &str) -> ExitCode {
    let result: Result<String, RegisterError> = block_on(async {
        let store = if db_exists(db) || matches!(cmd, CalendarCmd::Import { .. }) { Some(Store::open(db).await?) } else { None };
        match cmd {
            CalendarCmd::Show { year } => Ok(show_year(&calendar(store.as_ref()).await?, year)),
            CalendarCmd::Add { date, days } => {
                let d = date_arg(&date)?;
                let due = calendar(store.as_ref()).await?.add_working_days(d, days);
                Ok(format!("{}\n", due.display()))
            }
            CalendarCmd::Import { file, by } => {
                let name = file.display().to_string();
                let text = std::fs::read_to_string(&file).map_err(|e| RegisterError::File { file: name.clone(), reason: format!("无法读取：{e}") })?;
                let notices = if text.trim_start().starts_with("[[notice]]") || text.contains("[[notice]]") {
                    nianbao_calendar::parse_notices_toml(&name, &text)
                } else {
                    nianbao_calendar::parse_notices_csv(&name, &text)
                }
                .map_err(|e| RegisterError::Other(e.to_string()))?;
                let store = store.expect("opened for import");
                // Refuse what would not combine with the notices already loaded.
                calendar(Some(&store)).await?.with_notices(notices.clone()).map_err(|e| RegisterError::Other(e.to_string()))?;
                store::save_notices(&store, &notices, &by).await?;
                let mut out = String::new();
                for n in &notices {
                    let days: usize = n.holidays.iter().map(|h| h.off.len()).sum();
                    out.push_str(&format!("已导入 {} 年节假日安排：{}（{} 个节日，放假 {days} 天）\n", n.year, n.name(), n.holidays.len()));
                }
                Ok(out)
            }
        }
    })
    .map_err(RegisterError::from)
    .and_then(|r| r);
    match result {
        Ok(s) => print(&s),
        Err(e) => fail(e),
    }
}

fn show_year(cal: &Calendar, year: i32) -> String {
    let mut out = String::new();
    let notices = cal.notices_for(year);
    if notices.is_empty() {
        out.push_str(&format!("{year} 年：尚未载入国务院办公厅的放假通知，工作日按周一至周五计算，据此算出的期限均为暂定。\n"));
        out.push_str("（通知发布后可用 nianbao calendar import 导入）\n");
    } else {
        out.push_str(&format!("{year} 年节假日安排\n"));
        for n in &notices {
            let mut line = format!("  依据：{}（{} 发布）", n.name(), n.issued);
            if let Some(a) = &n.amends {
                line.push_str(&format!("，修订 {a}"));
            }
            if let Some(note) = &n.note {
                line.push_str(&format!("：{note}"));
            }
            out.push_str(&line);
            out.push('\n');
        }
        for h in cal.arrangement(year) {
            let off = match (h.off.first(), h.off.last()) {
                (Some(a), Some(b)) if a == b => format!("{a}（{}）放假，共 1 天", weekday_zh(*a)),
                (Some(a), Some(b)) => format!("{a}（{}）至 {b}（{}）放假，共 {} 天", weekday_zh(*a), weekday_zh(*b), h.off.len()),
                _ => String::new(),
            };
            let work: Vec<String> = h.work.iter().map(|d| format!("{d}（{}）", weekday_zh(*d))).collect();
            let work = if work.is_empty() { String::new() } else { format!("；{}上班", work.join("、")) };
            out.push_str(&format!("  {}：{off}{work}\n", h.name));
        }
    }
    out.push_str("每月工作日：");
    let mut total = 0;
    for m in 1..=12u32 {
        let Some(first) = NaiveDate::from_ymd_opt(year, m, 1) else { continue };
        let next = if m == 12 { NaiveDate::from_ymd_opt(year + 1, 1, 1) } else { NaiveDate::from_ymd_opt(year, m + 1, 1) };
        let Some(next) = next else { continue };
        let mut n = 0;
        let mut d = first;
        while d < next {
            if matches!(cal.kind(d), DayKind::Weekday | DayKind::AdjustedWorkday(_)) {
                n += 1;
            }
            d = d.succ_opt().unwrap_or(next);
        }
        total += n;
        out.push_str(&format!("{m}月 {n}{}", if m < 12 { "，" } else { "" }));
    }
    out.push_str(&format!("；全年 {total} 个工作日{}\n", if cal.covers(year) { "" } else { "（暂定）" }));
    out
}

pub fn register_cmd(cmd: RegisterCmd, db: &str) -> ExitCode {
    if let RegisterCmd::Template { out } = &cmd {
        return match xlsx::template().map_err(|e| e.to_string()).and_then(|b| write_atomic(out, &b)) {
            Ok(()) => {
                eprintln!("已生成台账模板：{}", out.display());
                ExitCode::SUCCESS
            }
            Err(e) => fail(e),
        };
    }
    if let RegisterCmd::Rules = &cmd {
        let mut out = String::from("台账检查规则（代码  级别  规则）\n");
        for r in rules::CATALOG {
            out.push_str(&format!("{}  {}  {}（依据：{}）\n", r.code, r.severity.zh(), r.title, r.source));
        }
        return print(&out);
    }
    let result: Result<(String, ExitCode), RegisterError> = block_on(async {
        let store = Store::open(db).await?;
        let cal = calendar(Some(&store)).await?;
        let settings = Settings::default();
        match cmd {
            RegisterCmd::Import { file, agency, skip_bad, bad_out, by } => import(&store, &file, &agency, skip_bad, bad_out, &by).await,
            RegisterCmd::Table { agency, year, format, out } => {
                let id = store::agency_id(&store, &agency).await?;
                let apps = store::load(&store, id).await?;
                let name = store.agency_name(id).await?;
                let derived = nianbao_register::derive(&name, year, &apps);
                // The check every derived report passes by construction, with last year beside it.
                let prev = nianbao_register::derive(&name, year - 1, &apps);
                let findings = nianbao_register::check_reports(&[prev.report.clone(), derived.report.clone()]);
                for f in findings.iter().filter(|f| f.report == 1 && f.severity == nianbao_check::Severity::Error) {
                    eprintln!("错误：{} {}", f.rule, f.message);
                }
                let text = match format {
                    TableFormat::Json => serde_json::to_string_pretty(&nianbao_model::json::to_json(&derived.report)).unwrap_or_default() + "\n",
                    TableFormat::Drill => drill_text(&derived),
                };
                match out {
                    Some(p) => {
                        write_atomic(&p, text.as_bytes()).map_err(RegisterError::Other)?;
                        Ok((format!("已写出 {name} {year} 年度表三、表四：{}\n", p.display()), ExitCode::SUCCESS))
                    }
                    None => Ok((text, ExitCode::SUCCESS)),
                }
            }
            RegisterCmd::Due { agency, within, as_of } => {
                let as_of = match as_of {
                    Some(s) => date_arg(&s)?,
                    None => today(),
                };
                let list = match agency {
                    Some(a) => vec![(store::agency_id(&store, &a).await?, a)],
                    None => store::agencies(&store).await?,
                };
                let mut out = String::new();
                let mut overdue = 0;
                for (id, name) in list {
                    let apps = store::load(&store, id).await?;
                    let items = nianbao_register::due_list(&cal, &settings, &apps, as_of, within);
                    if items.is_empty() {
                        continue;
                    }
                    out.push_str(&format!("{name}（截至 {as_of}）\n"));
                    for it in items {
                        let left = if it.days_left < 0 {
                            overdue += 1;
                            format!("逾期 {} 个工作日", -it.days_left)
                        } else if it.days_left == 0 {
                            "今天到期".to_string()
                        } else {
                            format!("剩 {} 个工作日", it.days_left)
                        };
                        out.push_str(&format!("  {}  {}  {}  {}  {}  {}\n", it.number, it.status, it.what, it.due.display(), left, it.summary));
                    }
                }
                if out.is_empty() {
                    out.push_str("没有需要办理的到期事项\n");
                }
                Ok((out, if overdue > 0 { ExitCode::from(1) } else { ExitCode::SUCCESS }))
            }
            RegisterCmd::Export { agency, out, raw, as_of } => {
                let as_of = match as_of {
                    Some(s) => date_arg(&s)?,
                    None => today(),
                };
                let id = store::agency_id(&store, &agency).await?;
                let apps = store::load(&store, id).await?;
                let name = store.agency_name(id).await?;
                let bytes = if raw { raw_csv(&name, &apps).into_bytes() } else { xlsx::export(&name, &apps, &cal, &settings, as_of)? };
                write_atomic(&out, &bytes).map_err(RegisterError::Other)?;
                Ok((format!("已导出 {name} 的台账（{} 件申请）：{}\n", apps.len(), out.display()), ExitCode::SUCCESS))
            }
            RegisterCmd::Check { agency, as_of, report } => {
                let as_of = match as_of {
                    Some(s) => date_arg(&s)?,
                    None => today(),
                };
                let id = store::agency_id(&store, &agency).await?;
                let apps = store::load(&store, id).await?;
                let name = store.agency_name(id).await?;
                let mut findings = rules::check_applications(&cal, &settings, &apps, as_of);
                if let Some(path) = report {
                    let file = path.display().to_string();
                    let docs = nianbao_write::input::load_all(&path).map_err(|e| RegisterError::File { file: file.clone(), reason: e.to_string() })?;
                    for d in docs {
                        findings.extend(rules::compare_report(&name, &d.report, &apps));
                    }
                }
                let mut out = String::new();
                for f in &findings {
                    out.push_str(&format!("{}[{}]：{}\n", f.severity.zh(), f.rule, f.message));
                    if !f.applications.is_empty() {
                        out.push_str(&format!("  台账中的申请：{}\n", f.applications.join("、")));
                    }
                }
                let errors = findings.iter().filter(|f| f.severity == nianbao_check::Severity::Error).count();
                out.push_str(&format!("{name}：{} 件申请，{errors} 个错误，{} 个警告\n", apps.len(), findings.len() - errors));
                Ok((out, if errors > 0 { ExitCode::from(1) } else { ExitCode::SUCCESS }))
            }
            RegisterCmd::Lock { agency, year, by } => {
                store::lock_year(&store, &agency, year, &by).await?;
                Ok((format!("已锁定 {agency} {year} 年度的台账\n"), ExitCode::SUCCESS))
            }
            RegisterCmd::Template { .. } | RegisterCmd::Rules => unreachable!("handled above"),
        }
    })
    .map_err(RegisterError::from)
    .and_then(|r| r);
    match result {
        Ok((s, code)) => {
            let printed = print(&s);
            if printed != ExitCode::SUCCESS {
                return printed;
            }
            code
        }
        Err(e) => fail(e),
    }
}

async fn import(store: &Store, file: &Path, agency: &str, skip_bad: bool, bad_out: Option<PathBuf>, by: &str) -> Result<(String, ExitCode), RegisterError> {
    let name = file.display().to_string();
    let bytes = std::fs::read(file).map_err(|e| RegisterError::File { file: name.clone(), reason: format!("无法读取：{e}") })?;
    let parsed = xlsx::read_register(&name, &bytes)?;
    let mut out = String::new();
    for (sheet, h) in &parsed.ignored {
        eprintln!("提示：工作表“{sheet}”的列“{h}”未识别，已忽略");
    }
    if !parsed.bad.is_empty() {
        let n = parsed.errors().count();
        for e in parsed.errors().take(50) {
            eprintln!("错误：{name}：{e}");
        }
        if n > 50 {
            eprintln!("……共 {n} 处错误");
        }
        if !skip_bad {
            return Err(RegisterError::File { file: name, reason: format!("{} 行有错误，未导入任何记录（改正后重新导入，或用 --skip-bad 只导入正确的行）", parsed.bad.len()) });
        }
        let path = bad_out.unwrap_or_else(|| file.with_extension("未导入.xlsx"));
        write_atomic(&path, &xlsx::bad_rows_xlsx(&parsed.bad)?).map_err(RegisterError::Other)?;
        out.push_str(&format!("{} 行有错误，已写入 {}\n", parsed.bad.len(), path.display()));
    }
    let apps: Vec<_> = parsed.applications.into_iter().map(|(a, _, _)| a).collect();
    let sha = format!("{:x}", Sha256::digest(&bytes));
    let s = store::import(store, agency, &name, &sha, &apps, parsed.bad.len(), by).await?;
    out.push_str(&format!("已导入 {agency} 的台账：新增 {} 件，更新 {} 件，未变化 {} 件\n", s.created, s.replaced, s.unchanged));
    Ok((out, ExitCode::SUCCESS))
}

fn drill_text(d: &nianbao_register::Derived) -> String {
    let layout = d.report.effective_layout();
    let mut out = format!("{} {} 年度（{} 年版格式）各单元格的申请\n", d.report.agency.as_deref().unwrap_or(""), d.report.year.unwrap_or(0), layout.as_str());
    for ((table, row, col), apps) in &d.drill {
        out.push_str(&format!("{} = {}：{}\n", nianbao_register::model::describe_cell(layout, *table, row, *col), apps.len(), apps.join("、")));
    }
    out
}

/// The raw data behind the tables: one line per (year, cell, application).
fn raw_csv(agency: &str, apps: &[nianbao_register::Application]) -> String {
    let mut out = String::from("\u{feff}机关,年度,表,行,列,申请编号\n");
    let Some((from, to)) = nianbao_register::derive::year_span(apps) else { return out };
    for y in from..=to {
        let d = nianbao_register::derive(agency, y, apps);
        let layout = d.report.effective_layout();
        for ((table, row, col), numbers) in &d.drill {
            let label = nianbao_model::layout::column_label(*table, layout, row, *col);
            if label == "总计" {
                continue;
            }
            let row_label = nianbao_model::layout::describe_row(*table, layout, row);
            for n in numbers {
                out.push_str(&format!("{agency},{y},{},\"{row_label}\",{label},{n}\n", table.short_name()));
            }
        }
    }
    out
}

fn write_atomic(out: &Path, bytes: &[u8]) -> Result<(), String> {
    nianbao_write::input::write_atomic(out, bytes).map_err(|e| e.to_string())
}
