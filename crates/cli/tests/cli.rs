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
