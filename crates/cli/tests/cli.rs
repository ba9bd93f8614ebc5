//! The command line as a user runs it: output, exit status, messages.

use std::path::PathBuf;
use std::process::Command;

fn seeds() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/seeds")
}

fn nianbao(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_nianbao")).args(args).current_dir(seeds()).output().expect("run nianbao");
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn parse_prints_the_canonical_json() {
    let (code, out, _) = nianbao(&["parse", "003_5726aaf970dd957d.txt"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v[0]["schema"], "nianbao/report-v1");
    assert_eq!(v[0]["applications"]["total_processed"][6], 52);
}

#[test]
fn parse_table_view_shows_the_three_tables() {
    let (code, out, _) = nianbao(&["parse", "--format", "table", "003_5726aaf970dd957d.txt"]);
    assert_eq!(code, 0);
    insta::assert_snapshot!("table_003", out);
}

#[test]
fn spans_point_into_the_file() {
    let (_, out, _) = nianbao(&["parse", "--spans", "003_5726aaf970dd957d.txt"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let cell = &v[0]["source"]["cells"]["applications.granted.0"];
    assert_eq!(cell["how"], "printed");
    let bytes = std::fs::read(seeds().join("003_5726aaf970dd957d.txt")).unwrap();
    let (s, e) = (cell["span"]["start"].as_u64().unwrap() as usize, cell["span"]["end"].as_u64().unwrap() as usize);
    assert_eq!(&bytes[s..e], b"14");
}

#[test]
fn check_exits_1_on_errors_and_0_on_a_clean_report() {
    let (code, out, _) = nianbao(&["check", "000_f1bcb5344c0ff0ec.txt"]);
    assert_eq!(code, 1);
    insta::assert_snapshot!("check_000", out);
    let (code, out, _) = nianbao(&["check", "003_5726aaf970dd957d.txt"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("0 个错误"));
}

#[test]
fn check_json_follows_findings_v1() {
    let (code, out, _) = nianbao(&["check", "--format", "json", "000_f1bcb5344c0ff0ec.txt"]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["schema"], "nianbao/findings-v1");
    assert_eq!(v["reports"].as_array().unwrap().len(), 4);
    let a303 = v["findings"].as_array().unwrap().iter().find(|f| f["rule"] == "A303").unwrap();
    assert_eq!(a303["severity"], "error");
    assert_eq!(a303["kind"], "arithmetic");
    assert_eq!(a303["report"], 3);
    assert_eq!(a303["expected"], 10);
    assert_eq!(a303["found"], 20);
    let span = &a303["span"];
    let bytes = std::fs::read(seeds().join("000_f1bcb5344c0ff0ec.txt")).unwrap();
    assert_eq!(&bytes[span["start"].as_u64().unwrap() as usize..span["end"].as_u64().unwrap() as usize], b"20");
}

#[test]
fn unreadable_files_exit_2_with_a_chinese_message() {
    let (code, _, err) = nianbao(&["parse", "没有这个文件.txt"]);
    assert_eq!(code, 2);
    assert!(err.contains("没有这个文件.txt") && err.contains("文件不存在"), "{err}");
    let (code, _, err) = nianbao(&["check", "003_5726aaf970dd957d.txt", "没有这个文件.txt"]);
    assert_eq!(code, 2);
    assert!(err.contains("文件不存在"));
}

#[test]
fn rules_lists_the_whole_catalog() {
    let (code, out, _) = nianbao(&["rules"]);
    assert_eq!(code, 0);
    assert!(out.contains("A303") && out.contains("已实现"));
    assert!(out.lines().filter(|l| l.len() > 4 && l.as_bytes()[0].is_ascii_uppercase()).count() == 44, "{out}");
    assert!(out.contains("共 44 条规则，已实现 44 条"), "{out}");
}

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn run_in(dir: &std::path::Path, bin: &str, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(bin).args(args).current_dir(dir).env_remove("NO_COLOR").output().expect("run");
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn colour_is_chosen_by_flag_and_no_color() {
    let (code, coloured, _) = nianbao(&["check", "--color", "always", "000_f1bcb5344c0ff0ec.txt"]);
    assert_eq!(code, 1);
    assert!(coloured.contains("\u{1b}["), "{coloured:?}");
    insta::assert_snapshot!("check_000_coloured", coloured);
    // Not a terminal: plain, whatever NO_COLOR says; `never` is plain too.
    let (_, plain, _) = nianbao(&["check", "000_f1bcb5344c0ff0ec.txt"]);
    assert!(!plain.contains('\u{1b}'));
    let (_, never, _) = nianbao(&["check", "--color", "never", "000_f1bcb5344c0ff0ec.txt"]);
    assert_eq!(plain, never);
    // Without the escapes the coloured output is the plain one.
    let stripped = regex_lite_strip(&coloured);
    assert_eq!(stripped, plain);
}

/// The text without ANSI escape sequences (ESC [ … m).
fn regex_lite_strip(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for d in chars.by_ref() {
                if d == 'm' {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[test]
fn one_grand_total_and_statistics_by_rule() {
    let files = ["000_f1bcb5344c0ff0ec.txt", "001_6bdcad6606f9a5c6.txt", "002_2a6dab52fda6029c.txt", "003_5726aaf970dd957d.txt", "004_4c838dddf2b6ea41.txt"];
    let mut args = vec!["check", "--statistics"];
    args.extend(files);
    let (code, out, _) = nianbao(&args);
    assert_eq!(code, 1);
    let totals: Vec<&str> = out.lines().filter(|l| l.starts_with("共检查")).collect();
    assert_eq!(totals.len(), 1, "one total, not one line per file");
    assert!(totals[0].starts_with("共检查 5 个文件：") && totals[0].contains("个错误，") && totals[0].contains("个警告"), "{}", totals[0]);
    let stats = &out[out.find("按规则统计：").expect("statistics")..];
    insta::assert_snapshot!("statistics_and_total", stats);
    // The counts per rule add up to the total.
    let sum: usize = stats.lines().skip(1).filter_map(|l| l.split_whitespace().next()?.parse::<usize>().ok()).sum();
    let total: usize = totals[0].split(['：', '，']).filter_map(|p| p.split_whitespace().next()?.parse::<usize>().ok()).sum();
    assert_eq!(sum, total, "{stats}");
}

#[test]
fn select_ignore_and_the_nearest_nianbao_toml() {
    let (code, out, _) = nianbao(&["check", "--select", "A3", "000_f1bcb5344c0ff0ec.txt"]);
    assert_eq!(code, 1);
    assert!(out.contains("[A302]") && out.contains("[A303]") && !out.contains("[N002]") && !out.contains("[Y001]"), "{out}");
    let (code, out, _) = nianbao(&["check", "--ignore", "A,N,Y", "000_f1bcb5344c0ff0ec.txt"]);
    assert_eq!(code, 0, "no error left: {out}");
    let (code, _, err) = nianbao(&["check", "--select", "Q9", "000_f1bcb5344c0ff0ec.txt"]);
    assert_eq!(code, 2);
    assert!(err.contains("Q9"), "{err}");
    // A nianbao.toml two levels up applies; the command line's --select replaces its select.
    let dir = std::env::temp_dir().join(format!("nianbao-toml-{}", std::process::id()));
    let deep = dir.join("a/b");
    std::fs::create_dir_all(&deep).unwrap();
    std::fs::copy(seeds().join("000_f1bcb5344c0ff0ec.txt"), deep.join("000.txt")).unwrap();
    std::fs::write(dir.join("nianbao.toml"), "[check]\nselect = [\"N\"]\nignore = [\"N001\"]\n").unwrap();
    let (code, out, _) = run_in(&deep, env!("CARGO_BIN_EXE_nianbao"), &["check", "000.txt"]);
    assert_eq!(code, 1);
    assert!(out.contains("[N002]") && !out.contains("[N001]") && !out.contains("[A303]"), "{out}");
    let (_, out, _) = run_in(&deep, env!("CARGO_BIN_EXE_nianbao"), &["check", "--select", "A303", "000.txt"]);
    assert!(out.contains("[A303]") && !out.contains("[N002]"), "{out}");
    std::fs::write(dir.join("nianbao.toml"), "[check]\nselet = [\"N\"]\n").unwrap();
    let (code, _, err) = run_in(&deep, env!("CARGO_BIN_EXE_nianbao"), &["check", "000.txt"]);
    assert_eq!(code, 2);
    assert!(err.contains("nianbao.toml") && err.contains("selet"), "{err}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn repeated_findings_in_one_table_are_folded() {
    let file = fixtures().join("blank_rows.txt");
    let (_, folded, _) = nianbao(&["check", "--select", "L004", file.to_str().unwrap()]);
    let (_, unfolded, _) = nianbao(&["check", "--select", "L004", "--no-fold", file.to_str().unwrap()]);
    assert_eq!(unfolded.matches("warning[L004]").count(), 5, "{unfolded}");
    assert_eq!(folded.matches("warning[L004]").count(), 1, "{folded}");
    assert!(folded.contains("表三有 5 处同类问题"), "{folded}");
    for row in ["没有现成信息需要另行制作", "补正后申请内容仍不明确", "要求提供公开出版物", "无正当理由大量反复申请", "要求行政机关确认或重新出具已获取信息"] {
        assert!(folded.contains(row), "the folded diagnostic lists {row}");
    }
    // The total still counts every finding.
    assert!(folded.contains("共检查 1 个文件：0 个错误，5 个警告"), "{folded}");
    let folded = folded.replace(file.to_str().unwrap(), "blank_rows.txt");
    insta::assert_snapshot!("folded_l004", folded);
}

#[test]
fn rules_code_explains_one_rule() {
    let (code, out, _) = nianbao(&["rules", "a303"]);
    assert_eq!(code, 0);
    for part in ["A303", "依据：", "检查什么", "为什么", "不合格的例子", "合格的例子", "如何修改"] {
        assert!(out.contains(part), "{part}: {out}");
    }
    insta::assert_snapshot!("rules_a303", out);
    let (code, _, err) = nianbao(&["rules", "A999"]);
    assert_eq!(code, 2);
    assert!(err.contains("A999") && err.contains("A301"), "{err}");
}

#[test]
fn every_binary_answers_help_in_chinese() {
    let bins = [
        (env!("CARGO_BIN_EXE_nianbao"), vec!["--help"]),
        (env!("CARGO_BIN_EXE_nianbao"), vec!["-h"]),
        (env!("CARGO_BIN_EXE_nianbao"), vec!["check", "--help"]),
        (env!("CARGO_BIN_EXE_nianbao"), vec!["agency", "import", "--help"]),
        (env!("CARGO_BIN_EXE_nianbao"), vec!["export", "--help"]),
        (env!("CARGO_BIN_EXE_nianbao-gen"), vec!["--help"]),
        (env!("CARGO_BIN_EXE_nianbao-bench"), vec!["--help"]),
        (env!("CARGO_BIN_EXE_nianbao-load"), vec!["--help"]),
    ];
    for (bin, args) in bins {
        let out = Command::new(bin).args(&args).output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(0), "{bin} {args:?}");
        assert!(text.contains("用法：") && text.contains("显示帮助"), "{bin} {args:?}:\n{text}");
        for english in ["Usage:", "Options:", "Arguments:", "Commands:", "Print help", "[default:", "[possible values"] {
            assert!(!text.contains(english), "{bin} {args:?} says {english}:\n{text}");
        }
    }
    let (_, help, _) = nianbao(&["export", "--help"]);
    insta::assert_snapshot!("export_help", help);
    // An argument error is Chinese too, and exits 2.
    let (code, _, err) = nianbao(&["check", "--colour", "x.txt"]);
    assert_eq!(code, 2);
    assert!(err.contains("错误：未知参数 --colour") && err.contains("--help"), "{err}");
    let (code, _, err) = nianbao(&["frobnicate"]);
    assert_eq!(code, 2);
    assert!(err.contains("未知命令 frobnicate"), "{err}");
}

#[test]
fn read_commands_refuse_a_database_that_does_not_exist() {
    let dir = std::env::temp_dir().join(format!("nianbao-nodb-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("misspelt.db");
    let db = db.to_str().unwrap();
    for args in [
        vec!["agency", "list", "--db", db],
        vec!["export", "--format", "csv", "-o", "x.csv", "--db", db],
        vec!["rollup", "某县人民政府", "2023", "--db", db],
        vec!["compare", "某局", "2022", "2023", "--db", db],
        vec!["serve", "--db", db],
    ] {
        let (code, _, err) = run_in(&dir, env!("CARGO_BIN_EXE_nianbao"), &args);
        assert_eq!(code, 2, "{args:?}");
        assert!(err.contains("数据库文件不存在：") && err.contains("misspelt.db"), "{args:?}: {err}");
        assert!(!std::path::Path::new(db).exists(), "{args:?} created the database");
    }
    let (code, _, err) = run_in(&dir, env!("CARGO_BIN_EXE_nianbao-load"), &["--db", db]);
    assert_eq!(code, 2, "{err}");
    assert!(!std::path::Path::new(db).exists());
    std::fs::remove_dir_all(&dir).ok();
}
