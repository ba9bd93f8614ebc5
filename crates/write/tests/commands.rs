//! The library side of `nianbao template` and `nianbao render`: refusing a report with errors
//! (nothing written), writing it with --force, and refusing a bad form before anything is written.

use nianbao_write::{input, Format, WriteError};
use std::path::PathBuf;

fn seeds_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/seeds")
}

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("nianbao-write-cmd-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d.join(name)
}

#[test]
fn a_report_with_errors_is_refused_unless_forced() {
    let json = seeds_dir().join("000_f1bcb5344c0ff0ec.expected.json");
    // Four reports: the year must be chosen.
    let out = tmp("000-2020.md");
    let err = input::render_file(&json, None, Format::Md, &out, false).unwrap_err();
    assert!(matches!(err, WriteError::Ambiguous { .. }), "{err}");
    // 2020 prints 予以公开 总计 20 for 10: errors A302/A303, refused.
    let r = input::render_file(&json, Some(2020), Format::Md, &out, false).unwrap();
    assert!(!r.written && r.lint.errors >= 2, "{}", r.lint.text);
    assert!(r.lint.text.contains("A303"), "{}", r.lint.text);
    assert!(!out.exists(), "nothing written");
    let r = input::render_file(&json, Some(2020), Format::Md, &out, true).unwrap();
    assert!(r.written && out.exists());
    // 2023 is clean: written, and the rendering read back passes the checker.
    let out = tmp("000-2023.docx");
    let r = input::render_file(&json, Some(2023), Format::Docx, &out, false).unwrap();
    assert!(r.written, "{}", r.lint.text);
    assert_eq!(r.lint.errors, 0);
    assert_eq!(r.defaulted, vec![1, 5, 6]);
}

#[test]
fn template_then_render_from_the_form() {
    let json = seeds_dir().join("000_f1bcb5344c0ff0ec.expected.json");
    let form = tmp("form-2023.xlsx");
    let notes = input::template(2023, None, Some(&json), &form).unwrap();
    assert!(notes.iter().any(|n| n.contains("上年结转")), "{notes:?}");
    let docs = input::load_all(&form).unwrap();
    assert_eq!(docs[0].report.agency.as_deref(), Some("东阿县人民政府办公室"));
    // An empty form renders (blank cells are warnings, not errors).
    let out = tmp("form-2023.html");
    let r = input::render_file(&form, None, Format::Html, &out, false).unwrap();
    assert!(r.lint.warnings > 0);
    assert!(r.written, "{}", r.lint.text);
}

#[test]
fn a_missing_input_or_bad_form_writes_nothing() {
    let out = tmp("never.docx");
    let err = input::render_file(&tmp("does-not-exist.xlsx"), None, Format::Docx, &out, true).unwrap_err();
    assert!(err.to_string().contains("无法读取"), "{err}");
    let bad = tmp("bad.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    wb.add_worksheet().set_name("基本信息").unwrap();
    std::fs::write(&bad, wb.save_to_buffer().unwrap()).unwrap();
    let err = input::render_file(&bad, None, Format::Docx, &out, true).unwrap_err();
    assert!(err.to_string().contains("缺少工作表“表二”"), "{err}");
    assert!(!out.exists());
}
