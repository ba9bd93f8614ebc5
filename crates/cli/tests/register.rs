//! `nianbao calendar …` and `nianbao register …` end to end: the working-day primitive, an Excel
//! register imported (all or nothing, or --skip-bad), its 表三/表四 as report-v1 JSON that
//! `nianbao render` accepts, deadlines due, checks against a report, export and locking.

use std::path::{Path, PathBuf};
use std::process::Command;

fn nianbao(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_nianbao")).args(args).current_dir(dir).output().expect("run nianbao");
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("nianbao-cli-register-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn calendar_add_and_show() {
    let dir = tmp("cal");
    assert_eq!(nianbao(&dir, &["calendar", "add", "2024-02-06", "20"]), (0, "2024-03-11\n".into(), String::new()));
    assert_eq!(nianbao(&dir, &["calendar", "add", "2020年1月17日", "7"]).1, "2020-02-04\n");
    assert_eq!(nianbao(&dir, &["calendar", "add", "2026-12-18", "20"]).1, "2027-01-15（暂定）\n");
    assert!(!dir.join("nianbao.db").exists(), "show/add create no database");
    let (code, out, _) = nianbao(&dir, &["calendar", "show", "2020"]);
    assert_eq!(code, 0);
    assert!(out.contains("国办发明电〔2020〕1号") && out.contains("春节：2020-01-24（周五）至 2020-02-02（周日）放假，共 10 天；2020-01-19（周日）上班"), "{out}");
    let (code, _, err) = nianbao(&dir, &["calendar", "add", "2024-02-30", "20"]);
    assert_eq!(code, 2);
    assert!(err.contains("无法识别"), "{err}");
    // Next year's notice, imported from a CSV typed from the paper.
    std::fs::write(dir.join("2027.csv"), "年份,文号,发布日期,节日,放假,上班\n2027,国办发明电〔2026〕9号,2026-11-10,元旦,2027-01-01至2027-01-03,\n").unwrap();
    let (code, out, err) = nianbao(&dir, &["calendar", "import", "2027.csv"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("2027"), "{out}");
    assert_eq!(nianbao(&dir, &["calendar", "add", "2026-12-18", "20"]).1, "2027-01-18\n");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn register_from_excel_to_report() {
    let dir = tmp("reg");
    let g = nianbao_register::gen::generate(9, 1, 2023, 2025, 120);
    let (agency, apps) = &g.agencies[0];
    let as_of = chrono::NaiveDate::from_ymd_opt(2025, 12, 31).unwrap();
    let bytes = nianbao_register::xlsx::export(agency, apps, nianbao_calendar::Calendar::builtin(), &Default::default(), as_of).unwrap();
    std::fs::write(dir.join("register.xlsx"), &bytes).unwrap();
    let (code, out, err) = nianbao(&dir, &["register", "import", "register.xlsx", "--agency", agency]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains(&format!("新增 {} 件", apps.len())), "{out}");
    let (code, json, err) = nianbao(&dir, &["register", "table", "--agency", agency, "--year", "2024"]);
    assert_eq!(code, 0, "{err}");
    let report = nianbao_model::json::from_json(&serde_json::from_str(&json).unwrap()).unwrap();
    let expected = nianbao_register::derive(agency, 2024, apps);
    assert_eq!(nianbao_model::json::to_json(&report)["applications"], nianbao_model::json::to_json(&expected.report)["applications"]);
    std::fs::write(dir.join("t2024.json"), &json).unwrap();
    // The register gives 表三/表四 only: the rest of the report is still to be written, so it
    // renders as a draft with every gap marked.
    let (code, _, err) = nianbao(&dir, &["render", "t2024.json", "--format", "md", "-o", "r2024.md", "--draft"]);
    assert_eq!(code, 0, "render accepts the derived report as a draft: {err}");
    assert!(std::fs::read_to_string(dir.join("r2024.md")).unwrap().contains("【请填写"));
    // The report's own table against the register: equal; then one changed cell is named.
    let (code, out, _) = nianbao(&dir, &["register", "check", "--agency", agency, "--as-of", "2025-12-31", "--report", "t2024.json"]);
    assert!(!out.contains("R007"), "{out}");
    assert!(code == 0 || code == 1);
    let mut v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let n = v["applications"]["granted"][0].as_i64().unwrap();
    v["applications"]["granted"][0] = serde_json::json!(n + 1);
    std::fs::write(dir.join("bad2024.json"), v.to_string()).unwrap();
    let (code, out, _) = nianbao(&dir, &["register", "check", "--agency", agency, "--as-of", "2025-12-31", "--report", "bad2024.json"]);
    assert_eq!(code, 1);
    assert!(out.contains("[R007]") && out.contains("（一）予以公开") && out.contains(&format!("报告为 {}，台账统计为 {n}", n + 1)), "{out}");
    let (_, drill, _) = nianbao(&dir, &["register", "table", "--agency", agency, "--year", "2024", "--format", "drill"]);
    assert!(drill.contains("“一、本年新收政府信息公开申请数量”行·总计"), "{drill}");
    // Deadlines due, overdue first.
    let (code, due, _) = nianbao(&dir, &["register", "due", "--as-of", "2025-12-31", "--within", "5"]);
    assert!(code == 0 || code == 1);
    assert!(due.contains(agency.as_str()), "{due}");
    // Export and template.
    let (code, _, err) = nianbao(&dir, &["register", "export", "--agency", agency, "-o", "out.xlsx", "--as-of", "2025-12-31"]);
    assert_eq!(code, 0, "{err}");
    assert!(nianbao_register::xlsx::read_register("out.xlsx", &std::fs::read(dir.join("out.xlsx")).unwrap()).unwrap().bad.is_empty());
    let (code, _, _) = nianbao(&dir, &["register", "export", "--agency", agency, "--raw", "-o", "raw.csv"]);
    assert_eq!(code, 0);
    assert!(std::fs::read_to_string(dir.join("raw.csv")).unwrap().contains("予以公开"));
    assert_eq!(nianbao(&dir, &["register", "template", "-o", "template.xlsx"]).0, 0);
    // Locking a year refuses an import that changes it, and nothing is written.
    assert_eq!(nianbao(&dir, &["register", "lock", "--agency", agency, "--year", "2024"]).0, 0);
    let mut changed = apps.clone();
    let i = changed.iter().position(|a| a.received.format("%Y").to_string() == "2024").unwrap();
    changed[i].applicant_type = if changed[i].applicant_type == nianbao_register::ApplicantType::Other { nianbao_register::ApplicantType::Research } else { nianbao_register::ApplicantType::Other };
    let bytes = nianbao_register::xlsx::export(agency, &changed, nianbao_calendar::Calendar::builtin(), &Default::default(), as_of).unwrap();
    std::fs::write(dir.join("changed.xlsx"), &bytes).unwrap();
    let (code, _, err) = nianbao(&dir, &["register", "import", "changed.xlsx", "--agency", agency]);
    assert_eq!(code, 2);
    assert!(err.contains("已锁定"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_bad_register_imports_nothing_unless_skip_bad() {
    let dir = tmp("bad");
    let mut wb = rust_xlsxwriter::Workbook::new();
    let s = wb.add_worksheet();
    s.set_name("2025年").unwrap();
    for (c, h) in ["编号", "申请人类型", "收到日期", "办理结果", "答复日期"].iter().enumerate() {
        s.write_string(0, c as u16, *h).unwrap();
    }
    for (r, row) in [["1", "自然人", "2025-3-5", "予以公开", "2025-3-20"], ["2", "自然人", "2025-3-5", "予以公开", "2025-3-1"], ["3", "法人", "2025-3-5", "", ""]].iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            if !v.is_empty() {
                s.write_string(r as u32 + 1, c as u16, *v).unwrap();
            }
        }
    }
    wb.save(dir.join("bad.xlsx")).unwrap();
    let (code, _, err) = nianbao(&dir, &["register", "import", "bad.xlsx", "--agency", "某局"]);
    assert_eq!(code, 2);
    assert!(err.contains("工作表“2025年”第 3 行") && err.contains("未导入任何记录"), "{err}");
    assert!(err.contains("工作表“2025年”第 4 行 B 列（申请人类型）"), "{err}");
    let (code, _, _) = nianbao(&dir, &["register", "table", "--agency", "某局", "--year", "2025"]);
    assert_eq!(code, 2, "the agency has no register: nothing was imported");
    let (code, out, err) = nianbao(&dir, &["register", "import", "bad.xlsx", "--agency", "某局", "--skip-bad", "--bad-out", "bad-rows.xlsx"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("2 行有错误") && out.contains("新增 1 件"), "{out}");
    assert!(dir.join("bad-rows.xlsx").exists());
    let _ = std::fs::remove_dir_all(&dir);
}
