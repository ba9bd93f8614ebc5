//! Chinese help and argument errors for the clap-based binaries: clap's own texts ("Usage:",
//! "Options:", "Print help", "error: unexpected argument") are English, so the automatic help
//! flag and subcommand are replaced by Chinese ones, every command gets a Chinese help template,
//! and the common argument errors are translated before they are printed.

use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{Arg, ArgAction, ArgMatches, Command};

/// The command tree with Chinese help: call on `Cli::command()` before parsing.
pub fn localize(cmd: Command) -> Command {
    let cmd = cmd
        .disable_version_flag(true)
        .arg(Arg::new("zh_version").short('V').long("version").action(ArgAction::Version).help("显示版本号"));
    let mut cmd = localize_tree(cmd);
    // Building resolves the full usage of every subcommand ("nianbao check [OPTIONS] <文件>..."),
    // which is then rewritten with Chinese placeholders.
    cmd.build();
    rewrite_usage(cmd)
}

fn localize_tree(cmd: Command) -> Command {
    let cmd = cmd
        .disable_help_flag(true)
        .disable_help_subcommand(true)
        .subcommand_value_name("命令")
        .subcommand_help_heading("命令")
        .arg(Arg::new("zh_help").short('h').long("help").action(ArgAction::Help).help("显示帮助"));
    let names: Vec<String> = cmd.get_subcommands().map(|s| s.get_name().to_string()).collect();
    let mut cmd = cmd;
    for n in names {
        cmd = cmd.mut_subcommand(n, localize_tree);
    }
    // "[default: text] [possible values: text, json]" are English: said in the help text instead.
    let ids: Vec<String> = cmd.get_arguments().map(|a| a.get_id().to_string()).collect();
    for id in ids {
        cmd = cmd.mut_arg(id, |a| {
            if !a.get_action().takes_values() {
                return a;
            }
            let values: Vec<String> = a.get_possible_values().iter().filter(|v| !v.is_hide_set()).map(|v| v.get_name().to_string()).collect();
            let default: Vec<String> = a.get_default_values().iter().map(|v| v.to_string_lossy().into_owned()).collect();
            if values.is_empty() && default.is_empty() {
                return a;
            }
            let mut extra = Vec::new();
            if !values.is_empty() {
                extra.push(format!("可选：{}", values.join("、")));
            }
            if !default.is_empty() {
                extra.push(format!("默认：{}", default.join("、")));
            }
            let help = a.get_help().map(|h| h.to_string()).unwrap_or_default();
            a.hide_possible_values(true).hide_default_value(true).help(format!("{help}（{}）", extra.join("；")))
        });
    }
    let template = template(&cmd);
    cmd.help_template(template)
}

fn template(cmd: &Command) -> String {
    let mut t = String::from("{about-with-newline}\n用法：{usage}\n");
    if cmd.has_subcommands() {
        t.push_str("\n命令：\n{subcommands}\n");
    }
    if cmd.get_positionals().next().is_some() {
        t.push_str("\n参数：\n{positionals}\n");
    }
    t.push_str("\n选项：\n{options}\n{after-help}");
    t
}

fn rewrite_usage(mut cmd: Command) -> Command {
    let usage = cmd.render_usage().to_string();
    let usage = usage.trim_start_matches("Usage:").trim().replace("[OPTIONS]", "[选项]").replace("<COMMAND>", "<命令>");
    let names: Vec<String> = cmd.get_subcommands().map(|s| s.get_name().to_string()).collect();
    for n in names {
        cmd = cmd.mut_subcommand(n, rewrite_usage);
    }
    cmd.override_usage(usage)
}

/// Parses the arguments; help and version are printed and exit 0, argument errors are printed
/// in Chinese and exit 2.
pub fn parse(cmd: Command) -> ArgMatches {
    let mut cmd = localize(cmd);
    match cmd.try_get_matches_from_mut(std::env::args_os()) {
        Ok(m) => m,
        Err(e) => exit_with(e),
    }
}

/// Prints a clap error in Chinese and exits.
pub fn exit_with(e: clap::Error) -> ! {
    match e.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => e.exit(),
        _ => {
            eprintln!("错误：{}", describe(&e));
            if let Some(ContextValue::StyledStr(u)) = e.get(ContextKind::Usage) {
                let u = u.to_string();
                eprintln!("\n用法：{}", u.trim_start_matches("Usage:").trim());
            }
            eprintln!("\n更多信息请用 --help");
            std::process::exit(2)
        }
    }
}

fn ctx(e: &clap::Error, k: ContextKind) -> String {
    match e.get(k) {
        Some(ContextValue::String(s)) => s.clone(),
        Some(ContextValue::Strings(v)) => v.join("、"),
        Some(ContextValue::StyledStr(s)) => s.to_string(),
        Some(ContextValue::StyledStrs(v)) => v.iter().map(|s| s.to_string()).collect::<Vec<_>>().join("、"),
        Some(ContextValue::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}

fn describe(e: &clap::Error) -> String {
    let arg = ctx(e, ContextKind::InvalidArg);
    let value = ctx(e, ContextKind::InvalidValue);
    let valid = ctx(e, ContextKind::ValidValue);
    let suggested = match ctx(e, ContextKind::SuggestedArg) {
        s if s.is_empty() => match ctx(e, ContextKind::SuggestedSubcommand) {
            s if s.is_empty() => String::new(),
            s => format!("（是否想用 {s}？）"),
        },
        s => format!("（是否想用 {s}？）"),
    };
    match e.kind() {
        ErrorKind::UnknownArgument => format!("未知参数 {arg}{suggested}"),
        ErrorKind::InvalidSubcommand => format!("未知命令 {}{suggested}", ctx(e, ContextKind::InvalidSubcommand)),
        ErrorKind::InvalidValue if valid.is_empty() => format!("{arg} 的值“{value}”无效"),
        ErrorKind::InvalidValue => format!("{arg} 的值“{value}”无效，可选：{valid}"),
        ErrorKind::MissingRequiredArgument => format!("缺少必需的参数：{arg}"),
        ErrorKind::MissingSubcommand => "缺少命令".to_string(),
        ErrorKind::ValueValidation => format!("{arg} 的值“{value}”无效"),
        ErrorKind::TooManyValues => format!("{arg} 的值过多：{value}"),
        ErrorKind::TooFewValues | ErrorKind::WrongNumberOfValues => format!("{arg} 的值个数不对"),
        ErrorKind::ArgumentConflict => format!("参数 {arg} 不能与 {} 同时使用", ctx(e, ContextKind::PriorArg)),
        ErrorKind::NoEquals => format!("{arg} 需要用 = 给出值"),
        ErrorKind::InvalidUtf8 => "参数不是有效的 UTF-8 文本".to_string(),
        _ => format!("参数有误（{}）", e.kind()),
    }
}
