//! `nianbao`: the command line. Thin: argument parsing and output only; the work is in the
//! library crates.

mod check_cmd;
mod table_view;

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
