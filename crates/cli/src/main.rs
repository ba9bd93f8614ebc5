//! `nianbao`: the command line. Thin: argument parsing and output only; the work is in the
//! library crates.

mod check_cmd;
mod corpus_cmd;
mod register_cmd;
mod table_view;
mod web_cmd;
mod write_cmd;

use clap::{Parser, Subcommand, ValueEnum};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "nianbao", version, about = "政府信息公开工作年度报告：读取、检查、汇总", long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum ParseFormat {
    Json,
    Table,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum CheckFormat {
    Text,
    Json,
}

#[derive(Subcommand)]
enum Command {
    /// 检查年度报告：表内勾稽、正文与表格、跨年度衔接、版式与结构、发布时限
    Check {
        /// 一个或多个报告文件；同一机关不同年度的报告一起检查时会做跨年度核对
        #[arg(required = true)]
        files: Vec<PathBuf>,
        #[arg(long, value_enum, default_value = "text")]
        format: CheckFormat,
    },
    /// 列出全部检查规则及实现状态
    Rules,
    /// 批量读取、检查报告并存入数据库（默认 ./nianbao.db，也可 --db postgres://…）
    Ingest {
        /// 文件或目录（递归）
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        #[arg(long, default_value = "nianbao.db")]
        db: String,
    },
    /// 管理机关：别名、隶属关系
    Agency {
        #[command(subcommand)]
        cmd: corpus_cmd::AgencyCmd,
        #[arg(long, default_value = "nianbao.db", global = true)]
        db: String,
    },
    /// 对比两个年度（机关名称 年份1 年份2）或两个文件的表格与正文
    Compare {
        #[arg(required = true, num_args = 2..=3)]
        args: Vec<String>,
        #[arg(long, default_value = "nianbao.db")]
        db: String,
        /// 列出全部单元格（默认只列有变化的）
        #[arg(long)]
        all: bool,
    },
    /// 导出数据库中的报告：长表（每个单元格一行）及中英文说明；xlsx 另含问题清单和按官方格式排列的表格
    Export {
        #[arg(long, value_enum)]
        format: corpus_cmd::ExportFormat,
        /// 输出文件
        #[arg(short, long)]
        out: PathBuf,
        /// 只导出这个机关
        #[arg(long)]
        agency: Option<String>,
        /// 只导出这个政府及其所属部门
        #[arg(long)]
        parent: Option<String>,
        #[arg(long)]
        year: Option<i32>,
        #[arg(long, default_value = "nianbao.db")]
        db: String,
    },
    /// 汇总某政府所属部门某年度的报告
    Rollup {
        parent: String,
        year: i32,
        #[arg(long, default_value = "nianbao.db")]
        db: String,
        #[arg(long, value_enum, default_value = "text")]
        format: CheckFormat,
    },
    /// 启动网页工作台（上传、审核、区域概览、导出；浏览器访问）
    Serve {
        #[arg(long, default_value = "nianbao.db")]
        db: String,
        /// 监听地址
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: String,
        /// 上传文件的保存目录（默认在数据库文件旁）
        #[arg(long)]
        uploads: Option<PathBuf>,
        /// 会话 Cookie 加 Secure 标记（仅当经 HTTPS 访问，例如在反向代理之后）
        #[arg(long)]
        secure_cookie: bool,
    },
    /// 管理网页工作台的账号
    User {
        #[command(subcommand)]
        cmd: web_cmd::UserCmd,
        #[arg(long, default_value = "nianbao.db", global = true)]
        db: String,
    },
    /// 生成某年度的 Excel 填报表（按官方表格样式，含正文和基本信息；--from 用上年报告预填）
    Template {
        /// 报告年度（2021 年及以后用 2021 年版格式，之前用 2019 年版）
        #[arg(long)]
        year: i32,
        /// 机关名称
        #[arg(long)]
        agency: Option<String>,
        /// 上年度的报告（nianbao 能读取的任何文件、其 JSON 或填报表）：预填上年结转和现行有效件数
        #[arg(long)]
        from: Option<PathBuf>,
        /// 输出的 .xlsx 文件
        #[arg(short, long)]
        out: PathBuf,
    },
    /// 由填报表或规范 JSON 生成完整的年度报告（docx/html/md），生成前按检查规则检查
    Render {
        /// 填好的填报表（.xlsx）或规范 JSON
        file: PathBuf,
        #[arg(long, value_enum)]
        format: write_cmd::RenderFormat,
        /// 输出文件
        #[arg(short, long)]
        out: PathBuf,
        /// 输入含多份报告时，选择这一年度
        #[arg(long)]
        year: Option<i32>,
        /// 检查有错误时仍然生成
        #[arg(long)]
        force: bool,
    },
    /// 工作日与放假安排：显示某年安排、计算第 N 个工作日、导入放假通知
    Calendar {
        #[command(subcommand)]
        cmd: register_cmd::CalendarCmd,
        #[arg(long, default_value = "nianbao.db", global = true)]
        db: String,
    },
    /// 依申请公开台账：导入 Excel、统计表三表四、到期提醒、导出、检查、锁定年度
    Register {
        #[command(subcommand)]
        cmd: register_cmd::RegisterCmd,
        #[arg(long, default_value = "nianbao.db", global = true)]
        db: String,
    },
    /// 读取年度报告，输出规范 JSON（nianbao/report-v1）或表格
    Parse {
        /// 报告文件（文本或网页）
        file: PathBuf,
        #[arg(long, value_enum, default_value = "json")]
        format: ParseFormat,
        /// 在 JSON 中附上每个数值在原文中的位置与读取方式
        #[arg(long)]
        spans: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Parse { file, format, spans } => parse(&file, format, spans),
        Command::Check { files, format } => check_cmd::check(&files, format == CheckFormat::Json),
        Command::Rules => check_cmd::list_rules(),
        Command::Template { year, agency, from, out } => write_cmd::template(year, agency, from, &out),
        Command::Render { file, format, out, year, force } => write_cmd::render(&file, format, &out, year, force),
        Command::Ingest { paths, db } => corpus_cmd::ingest(&paths, &db),
        Command::Agency { cmd, db } => corpus_cmd::agency(cmd, &db),
        Command::Compare { args, db, all } => corpus_cmd::compare_cmd(&args, &db, all),
        Command::Export { format, out, agency, parent, year, db } => corpus_cmd::export(format, &out, nianbao_store::export::Filter { agency, parent, year }, &db),
        Command::Rollup { parent, year, db, format } => corpus_cmd::rollup(&parent, year, &db, format == CheckFormat::Json),
        Command::Serve { db, addr, uploads, secure_cookie } => web_cmd::serve(&db, &addr, uploads, secure_cookie),
        Command::User { cmd, db } => web_cmd::user(cmd, &db),
        Command::Calendar { cmd, db } => register_cmd::calendar_cmd(cmd, &db),
        Command::Register { cmd, db } => register_cmd::register_cmd(cmd, &db),
    }
}

fn parse(file: &std::path::Path, format: ParseFormat, spans: bool) -> ExitCode {
    let doc = match nianbao_parse::parse_file(file) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("错误：{e}");
            return ExitCode::from(e.exit_code() as u8);
        }
    };
    for r in &doc.reports {
        for w in &r.warnings {
            match &w.span {
                Some(s) => eprintln!("警告：{}:{}:{}：{}", doc.source.file, s.line, s.column, w.message),
                None => eprintln!("警告：{}：{}", doc.source.file, w.message),
            }
        }
    }
    let out = match format {
        ParseFormat::Json => {
            let mut v = nianbao_parse::to_json(&doc);
            if spans {
                if let serde_json::Value::Array(items) = &mut v {
                    for (item, r) in items.iter_mut().zip(&doc.reports) {
                        item["source"] = table_view::provenance(&doc.source.file, &r.report);
                    }
                }
            }
            serde_json::to_string_pretty(&v).unwrap_or_default() + "\n"
        }
        ParseFormat::Table => doc.reports.iter().map(|r| table_view::render(&r.report)).collect::<Vec<_>>().join("\n"),
    };
    let mut stdout = std::io::stdout().lock();
    if stdout.write_all(out.as_bytes()).is_err() {
        return ExitCode::from(2);
    }
    ExitCode::SUCCESS
}
