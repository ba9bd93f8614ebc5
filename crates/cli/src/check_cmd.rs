//! `nianbao check` and `nianbao rules`.

use nianbao_check::{catalog::CATALOG, render, rules};
use serde::Deserialize;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// `--color`.
#[derive(Clone, Copy, clap::ValueEnum, PartialEq, Eq, Debug)]
pub enum ColorChoice {
    /// 输出到终端且未设 NO_COLOR 时使用彩色
    Auto,
    /// 总是使用彩色
    Always,
    /// 不使用彩色
    Never,
}

impl ColorChoice {
    pub fn enabled(self) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            // https://no-color.org: any non-empty NO_COLOR turns colour off.
            ColorChoice::Auto => std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stdout().is_terminal(),
        }
    }
}

pub struct Options {
    pub json: bool,
    pub color: bool,
    pub statistics: bool,
    pub select: Vec<String>,
    pub ignore: Vec<String>,
    pub fold: bool,
}

/// `nianbao.toml`: the settings of a project, found in the working directory or above it.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Config {
    #[serde(default)]
    check: CheckConfig,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct CheckConfig {
    select: Option<Vec<String>>,
    #[serde(default)]
    ignore: Vec<String>,
}

/// The nearest `nianbao.toml` from `dir` upwards.
fn find_config(dir: &Path) -> Option<PathBuf> {
    dir.ancestors().map(|d| d.join("nianbao.toml")).find(|p| p.is_file())
}

fn load_config() -> Result<(Option<PathBuf>, Config), String> {
    let Ok(cwd) = std::env::current_dir() else { return Ok((None, Config::default())) };
    let Some(path) = find_config(&cwd) else { return Ok((None, Config::default())) };
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}：无法读取（{e}）", path.display()))?;
    let config: Config = toml::from_str(&text).map_err(|e| format!("{}：配置有误：{}", path.display(), e.message()))?;
    Ok((Some(path), config))
}

/// Which rules apply: codes or prefixes to select (all when empty) and to ignore.
pub struct Selection {
    select: Vec<String>,
    ignore: Vec<String>,
}

impl Selection {
    /// Checks every pattern names at least one rule of the catalog.
    pub fn new(select: Vec<String>, ignore: Vec<String>, place: &str) -> Result<Selection, String> {
        let norm = |v: Vec<String>| -> Result<Vec<String>, String> {
            v.into_iter()
                .map(|p| p.trim().to_ascii_uppercase())
                .filter(|p| !p.is_empty())
                .map(|p| {
                    if p == "ALL" || CATALOG.iter().any(|r| r.code.starts_with(&p)) {
                        Ok(if p == "ALL" { String::new() } else { p })
                    } else {
                        Err(format!("{place}：没有以“{p}”开头的规则（用 nianbao rules 查看全部规则代码）"))
                    }
                })
                .collect()
        };
        Ok(Selection { select: norm(select)?, ignore: norm(ignore)? })
    }
    pub fn applies(&self, code: &str) -> bool {
        (self.select.is_empty() || self.select.iter().any(|p| code.starts_with(p.as_str()))) && !self.ignore.iter().any(|p| code.starts_with(p.as_str()))
    }
}

/// The command line's `--select`/`--ignore` over the configuration's: a `--select` replaces the
/// configured one, ignores add up.
fn selection(opts: &Options) -> Result<Selection, String> {
    let (path, config) = load_config()?;
    let place = path.map(|p| p.display().to_string()).unwrap_or_else(|| "nianbao.toml".into());
    let conf = Selection::new(config.check.select.unwrap_or_default(), config.check.ignore, &place)?;
    let cli = Selection::new(opts.select.clone(), opts.ignore.clone(), "--select/--ignore")?;
    let select = if opts.select.is_empty() { conf.select } else { cli.select };
    Ok(Selection { select, ignore: conf.ignore.into_iter().chain(cli.ignore).collect() })
}

pub fn check(files: &[PathBuf], opts: &Options) -> ExitCode {
    let selection = match selection(opts) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("错误：{e}");
            return ExitCode::from(2);
        }
    };
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
    let mut result = nianbao_check::check(&docs);
    result.findings.retain(|f| selection.applies(f.rule));
    let out = if opts.json {
        serde_json::to_string_pretty(&result.to_json()).unwrap_or_default() + "\n"
    } else {
        let style = render::TextOptions { color: opts.color, fold: opts.fold };
        let mut out = render::text_with(&result, &style);
        if opts.statistics {
            out.push_str(&render::statistics(&result, &style));
        }
        out.push_str(&render::total(&result, &style));
        out
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
    out.push_str(&format!("共 {} 条规则，已实现 {} 条；nianbao rules 规则代码 查看一条规则的详细说明\n", CATALOG.len(), done));
    let _ = std::io::stdout().lock().write_all(out.as_bytes());
    ExitCode::SUCCESS
}

/// `nianbao rules CODE`: what the rule checks, why, its source, a failing and a passing
/// example and how to fix it.
pub fn explain_rule(code: &str, color: bool) -> ExitCode {
    match render::explain(code, color) {
        Some(text) => {
            let _ = std::io::stdout().lock().write_all(text.as_bytes());
            ExitCode::SUCCESS
        }
        None => {
            let code = code.trim().to_ascii_uppercase();
            let near: Vec<&str> = CATALOG.iter().map(|r| r.code).filter(|c| c.get(..1) == code.get(..1)).collect();
            let hint = if near.is_empty() { String::new() } else { format!("；同类规则：{}", near.join("、")) };
            eprintln!("错误：没有规则“{code}”（用 nianbao rules 查看全部规则）{hint}");
            ExitCode::from(2)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn select_and_ignore_take_codes_and_prefixes() {
        let s = Selection::new(vec!["A3".into(), "n001".into()], vec!["A305".into()], "x").unwrap();
        assert!(s.applies("A301") && s.applies("N001"));
        assert!(!s.applies("A305") && !s.applies("N002") && !s.applies("L004"));
        let all = Selection::new(vec![], vec!["L".into()], "x").unwrap();
        assert!(all.applies("A301") && !all.applies("L004"));
        let e = Selection::new(vec!["Q1".into()], vec![], "nianbao.toml").err().unwrap();
        assert!(e.contains("Q1") && e.contains("nianbao.toml"), "{e}");
    }

    #[test]
    fn the_nearest_config_is_found_walking_up() {
        let dir = std::env::temp_dir().join(format!("nianbao-config-{}", std::process::id()));
        let deep = dir.join("a/b");
        std::fs::create_dir_all(&deep).unwrap();
        assert_eq!(find_config(&deep).filter(|p| p.starts_with(&dir)), None);
        std::fs::write(dir.join("nianbao.toml"), "[check]\nignore = [\"L004\"]\n").unwrap();
        assert_eq!(find_config(&deep), Some(dir.join("nianbao.toml")));
        let c: Config = toml::from_str(&std::fs::read_to_string(dir.join("nianbao.toml")).unwrap()).unwrap();
        assert_eq!(c.check.ignore, vec!["L004".to_string()]);
        assert!(toml::from_str::<Config>("[check]\nselet = []\n").is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
