//! `nianbao check` and `nianbao rules`.

use nianbao_check::{catalog::CATALOG, render, rules};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

pub fn check(files: &[PathBuf], json: bool) -> ExitCode {
    let mut docs = Vec::new();
    let mut unreadable = false;
    for f in files {
        match nianbao_parse::parse_file(f) {
            Ok(d) => docs.push(d),
            Err(e) => {
                eprintln!("错误：{e}");
                unreadable = true;
            }
        }
    }
    let result = nianbao_check::check(&docs);
    let out = if json {
        serde_json::to_string_pretty(&result.to_json()).unwrap_or_default() + "\n"
    } else {
        render::text(&result)
    };
    if std::io::stdout().lock().write_all(out.as_bytes()).is_err() {
        return ExitCode::from(2);
    }
    if unreadable {
        ExitCode::from(2)
    } else if result.has_errors() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

pub fn list_rules() -> ExitCode {
    let mut out = String::from("规则目录（代码  级别  类别  状态  规则）\n");
    for r in CATALOG {
        let state = if rules::implemented(r.code) { "已实现" } else { "尚未实现" };
        out.push_str(&format!("{}  {}  {:<10}  {}  {}（依据：{}）\n", r.code, r.severity.zh(), format!("{:?}", r.kind).to_lowercase(), state, r.title, r.source));
    }
    let done = CATALOG.iter().filter(|r| rules::implemented(r.code)).count();
    out.push_str(&format!("共 {} 条规则，已实现 {} 条\n", CATALOG.len(), done));
    let _ = std::io::stdout().lock().write_all(out.as_bytes());
    ExitCode::SUCCESS
}
