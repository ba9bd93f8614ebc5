//! `nianbao`: the command line. Thin: argument parsing and output only; the work is in the
//! library crates.

mod check_cmd;
mod corpus_cmd;
mod register_cmd;
mod table_view;
mod web_cmd;
mod write_cmd;
mod zh_cli;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "nianbao", version, about = "政府信息公开工作年度报告：读取、检查、汇总", long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// 何时使用彩色输出（也可设环境变量 NO_COLOR 关闭）
    #[arg(long, value_enum, default_value = "auto", global = true, value_name = "何时")]
    color: check_cmd::ColorChoice,
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
        #[arg(required = true, value_name = "文件")]
        files: Vec<PathBuf>,
        /// 输出格式
        #[arg(long, value_enum, default_value = "text", value_name = "格式")]
        format: CheckFormat,
        /// 最后按规则列出问题数量
        #[arg(long)]
        statistics: bool,
        /// 只检查这些规则：规则代码或前缀，逗号分隔（如 A3,N001）
        #[arg(long, value_delimiter = ',', value_name = "规则")]
        select: Vec<String>,
        /// 不检查这些规则：规则代码或前缀，逗号分隔（如 L004,Y）
        #[arg(long, value_delimiter = ',', value_name = "规则")]
        ignore: Vec<String>,
        /// 同一张表中同类问题逐条列出，不合并
        #[arg(long)]
        no_fold: bool,
    },
    /// 列出全部检查规则及实现状态；给出规则代码时详细说明这条规则
    Rules {
        /// 规则代码，如 A303
        #[arg(value_name = "规则代码")]
        code: Option<String>,
    },
    /// 重新核对数据库中每个机关跨年度的检查结果（规则更新后，或补做中断的核对）
    Recheck {
        #[arg(long, default_value = "nianbao.db")]
        db: String,
    },
    /// 批量读取、检查报告并存入数据库（默认 ./nianbao.db，也可 --db postgres://…）
    Ingest {
        /// 文件或目录（递归）
        #[arg(required = true, value_name = "路径")]
        paths: Vec<PathBuf>,
        /// 数据库：SQLite 文件路径或 postgres:// 地址（不存在的 SQLite 文件会新建）
        #[arg(long, default_value = "nianbao.db", value_name = "数据库")]
        db: String,
    },
    /// 管理机关：别名、隶属关系
    Agency {
        #[command(subcommand)]
        cmd: corpus_cmd::AgencyCmd,
        /// 数据库：SQLite 文件路径或 postgres:// 地址
        #[arg(long, default_value = "nianbao.db", global = true, value_name = "数据库")]
        db: String,
    },
    /// 对比两个年度（机关名称 年份1 年份2）或两个文件的表格与正文
    Compare {
        /// 机关名称 年份1 年份2，或 文件1 文件2
        #[arg(required = true, num_args = 2..=3, value_name = "机关或文件")]
        args: Vec<String>,
        /// 数据库：SQLite 文件路径或 postgres:// 地址
        #[arg(long, default_value = "nianbao.db", value_name = "数据库")]
        db: String,
        /// 列出全部单元格（默认只列有变化的）
        #[arg(long)]
        all: bool,
    },
    /// 导出数据库中的报告：长表（每个单元格一行）及中英文说明；xlsx 另含汇总、问题清单和按官方格式排列的表格
    Export {
        /// 导出格式
        #[arg(long, value_enum, value_name = "格式")]
        format: corpus_cmd::ExportFormat,
        /// 输出文件
        #[arg(short, long, value_name = "文件")]
        out: PathBuf,
        /// 只导出这个机关
        #[arg(long, value_name = "机关")]
        agency: Option<String>,
        /// 只导出这个政府及其所属部门
        #[arg(long, value_name = "机关")]
        parent: Option<String>,
        /// 只导出这一年度
        #[arg(long, value_name = "年度")]
        year: Option<i32>,
        /// CSV 的字符编码（utf8 带 BOM，Excel 可直接打开；gbk 供旧版软件）
        #[arg(long, value_enum, default_value = "utf8", value_name = "编码")]
        encoding: corpus_cmd::CsvEncoding,
        /// 数据库：SQLite 文件路径或 postgres:// 地址
        #[arg(long, default_value = "nianbao.db", value_name = "数据库")]
        db: String,
    },
    /// 汇总某政府所属部门某年度的报告
    Rollup {
        /// 政府（上级机关）名称
        #[arg(value_name = "上级机关")]
        parent: String,
        /// 报告年度
        #[arg(value_name = "年度")]
        year: i32,
        /// 数据库：SQLite 文件路径或 postgres:// 地址
        #[arg(long, default_value = "nianbao.db", value_name = "数据库")]
        db: String,
        /// 输出格式
        #[arg(long, value_enum, default_value = "text", value_name = "格式")]
        format: CheckFormat,
    },
    /// 启动网页工作台（上传、审核、区域概览、导出；浏览器访问）
    Serve {
        /// 数据库：SQLite 文件路径或 postgres:// 地址
        #[arg(long, default_value = "nianbao.db", value_name = "数据库")]
        db: String,
        /// 监听地址
        #[arg(long, default_value = "127.0.0.1:8080", value_name = "地址")]
        addr: String,
        /// 上传文件的保存目录（默认在数据库文件旁）
        #[arg(long, value_name = "目录")]
        uploads: Option<PathBuf>,
        /// 会话 Cookie 加 Secure 标记（仅当经 HTTPS 访问，例如在反向代理之后）
        #[arg(long)]
        secure_cookie: bool,
    },
    /// 管理网页工作台的账号
    User {
        #[command(subcommand)]
        cmd: web_cmd::UserCmd,
        /// 数据库：SQLite 文件路径或 postgres:// 地址（不存在的 SQLite 文件会新建）
        #[arg(long, default_value = "nianbao.db", global = true, value_name = "数据库")]
        db: String,
    },
    /// 生成某年度的 Excel 填报表（按官方表格样式，含正文和基本信息；--from 用上年报告预填）
    Template {
        /// 报告年度（2021 年及以后用 2021 年版格式，之前用 2019 年版）
        #[arg(long, value_name = "年度")]
        year: i32,
        /// 机关名称
        #[arg(long, value_name = "机关")]
        agency: Option<String>,
        /// 上年度的报告（nianbao 能读取的任何文件、其 JSON 或填报表）：预填上年结转和现行有效件数
        #[arg(long, value_name = "文件")]
        from: Option<PathBuf>,
        /// 输出的 .xlsx 文件
        #[arg(short, long, value_name = "文件")]
        out: PathBuf,
    },
    /// 由填报表或规范 JSON 生成完整的年度报告（docx/html/md），生成前按检查规则检查
    Render {
        /// 填好的填报表（.xlsx）或规范 JSON
        #[arg(value_name = "文件")]
        file: PathBuf,
        /// 输出格式
        #[arg(long, value_enum, value_name = "格式")]
        format: write_cmd::RenderFormat,
        /// 输出文件
        #[arg(short, long, value_name = "文件")]
        out: PathBuf,
        /// 输入含多份报告时，选择这一年度
        #[arg(long, value_name = "年度")]
        year: Option<i32>,
        /// 检查有错误时仍然生成
        #[arg(long)]
        force: bool,
        /// 生成草稿：允许空白部分和空表，并把每处未填写或自动生成的文字醒目标出（【请填写：…】）
        #[arg(long)]
        draft: bool,
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
        /// 报告文件（文本、网页、Word、PDF 等）
        #[arg(value_name = "文件")]
        file: PathBuf,
        /// 输出格式
        #[arg(long, value_enum, default_value = "json", value_name = "格式")]
        format: ParseFormat,
        /// 在 JSON 中附上每个数值在原文中的位置与读取方式
        #[arg(long)]
        spans: bool,
    },
}

fn main() -> ExitCode {
    // PDFs are read in a child process under resource limits, so a crash of the PDF library
    // costs one file, not the ingest or the server.
    nianbao_parse::worker::init();
    let matches = zh_cli::parse(Cli::command());
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(c) => c,
        Err(e) => zh_cli::exit_with(e),
    };
    let color = cli.color.enabled();
    match cli.command {
        Command::Parse { file, format, spans } => parse(&file, format, spans),
        Command::Check { files, format, statistics, select, ignore, no_fold } => {
            check_cmd::check(&files, &check_cmd::Options { json: format == CheckFormat::Json, color, statistics, select, ignore, fold: !no_fold })
        }
        Command::Rules { code: None } => check_cmd::list_rules(),
        Command::Rules { code: Some(code) } => check_cmd::explain_rule(&code, color),
        Command::Template { year, agency, from, out } => write_cmd::template(year, agency, from, &out),
        Command::Render { file, format, out, year, force, draft } => write_cmd::render(&file, format, &out, year, force, draft),
        Command::Ingest { paths, db } => corpus_cmd::ingest(&paths, &db),
        Command::Recheck { db } => corpus_cmd::recheck(&db),
        Command::Agency { cmd, db } => corpus_cmd::agency(cmd, &db),
        Command::Compare { args, db, all } => corpus_cmd::compare_cmd(&args, &db, all),
        Command::Export { format, out, agency, parent, year, encoding, db } => corpus_cmd::export(format, &out, nianbao_store::export::Filter { agency, parent, year }, encoding, &db),
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
                        // Which date `published` is: the page's, the document's or the signature's.
                        item["source"]["published_from"] = serde_json::json!(r.published_from);
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
