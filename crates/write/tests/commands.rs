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
    // 2020 prints 予以公开 总计 20 for 10: errors A302/A303, refused. The JSON has no prose:
    // sections 一、五、六 are gaps as well.
    let r = input::render_file(&json, Some(2020), Format::Md, &out, false).unwrap();
    assert!(!r.written && r.lint.errors >= 2, "{}", r.lint.text);
    assert!(r.lint.text.contains("A303"), "{}", r.lint.text);
    assert_eq!(r.gaps.iter().map(|(g, _)| g.section).collect::<Vec<_>>(), vec![1, 5, 6]);
    assert!(!out.exists(), "nothing written");
    // --force passes the errors, not the gaps; a forced draft is written.
    let r = input::render_file(&json, Some(2020), Format::Md, &out, true).unwrap();
    assert!(!r.written && !out.exists());
    let r = input::render_file_with(&json, Some(2020), Format::Md, &out, true, true).unwrap();
    assert!(r.written && out.exists());
    // A report the agency wrote, clean: written, and the rendering read back passes the checker.
    let txt = seeds_dir().join("003_5726aaf970dd957d.txt");
    let out = tmp("003.docx");
    let r = input::render_file(&txt, None, Format::Docx, &out, false).unwrap();
    assert!(r.written, "{}\n{:?}", r.lint.text, r.gaps);
    assert_eq!(r.lint.errors, 0);
    assert!(r.defaulted.is_empty() && r.gaps.is_empty());
}

#[test]
fn template_then_render_from_the_form() {
    let json = seeds_dir().join("000_f1bcb5344c0ff0ec.expected.json");
    let form = tmp("form-2023.xlsx");
    let notes = input::template(2023, None, Some(&json), &form).unwrap();
    assert!(notes.iter().any(|n| n.contains("上年结转")), "{notes:?}");
    let docs = input::load_all(&form).unwrap();
    assert_eq!(docs[0].report.agency.as_deref(), Some("东阿县人民政府办公室"));
    // An empty form is refused: its sections and blank tables are named by sheet and cell.
    let out = tmp("form-2023.html");
    let r = input::render_file(&form, None, Format::Html, &out, false).unwrap();
    assert!(!r.written && !out.exists());
    let places: Vec<&str> = r.gaps.iter().map(|(_, p)| p.as_str()).collect();
    assert!(places.iter().any(|p| p.ends_with("正文!B4")) && places.iter().any(|p| p.contains("表四!A6")), "{places:?}");
    // As a draft it is written, every gap marked.
    let r = input::render_file_with(&form, None, Format::Html, &out, false, true).unwrap();
    assert!(r.written && r.lint.warnings > 0, "{}", r.lint.text);
    let html = std::fs::read_to_string(&out).unwrap();
    assert_eq!(html.matches("<mark class=\"fill\"").count(), r.gaps.len(), "{html}");
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
