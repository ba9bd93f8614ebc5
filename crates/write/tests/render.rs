//! Honest rendering: a blank form is refused with one finding per gap, named by sheet and cell;
//! a draft marks every gap visibly; the findings on a form point into the form; the DOCX has a
//! page-number field in its footer, repeated table header rows and real document properties.

use nianbao_write::{input, Format};
use std::io::Read;
use std::path::PathBuf;

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("nianbao-write-render-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d.join(name)
}

fn entry(docx: &[u8], name: &str) -> String {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(docx)).unwrap();
    let mut s = String::new();
    z.by_name(name).unwrap().read_to_string(&mut s).unwrap();
    s
}

fn entries(docx: &[u8]) -> Vec<String> {
    let z = zip::ZipArchive::new(std::io::Cursor::new(docx)).unwrap();
    z.file_names().map(|n| n.unwrap().to_string()).collect()
}

#[test]
fn a_blank_form_is_refused_and_its_draft_marks_every_gap() {
    let form = tmp("blank-2023.xlsx");
    input::template(2023, Some("某县统计局".into()), None, &form).unwrap();
    let out = tmp("blank-2023.docx");

    let r = input::render_file(&form, None, Format::Docx, &out, false).unwrap();
    assert!(!r.written && !out.exists(), "a blank form is not a report");
    // One gap per empty statutory section and blank table, each pointing into the form.
    let sections: Vec<usize> = r.gaps.iter().map(|(g, _)| g.section).collect();
    assert_eq!(sections, vec![1, 2, 3, 4, 5, 6]);
    let places: Vec<&str> = r.gaps.iter().map(|(_, p)| p.as_str()).collect();
    let form_name = form.display().to_string();
    for (place, want) in places.iter().zip(["正文!B4", "表二!", "表三!", "表四!", "正文!B8", "正文!B9"]) {
        assert!(place.starts_with(&form_name) && place.contains(want), "{place} should name {want}");
    }
    assert!(r.gaps.iter().all(|(g, _)| g.message.contains("未填写") || g.message.contains("全部空白")));

    let r = input::render_file_with(&form, None, Format::Docx, &out, false, true).unwrap();
    assert!(r.written, "{}", r.lint.text);
    // The findings name the form's cells, not a line of a rendering nobody sees.
    assert!(r.lint.text.contains("表三!") && !r.lint.text.contains(".docx:") && !r.lint.text.contains(".md:"), "{}", r.lint.text);
    let docx = std::fs::read(&out).unwrap();
    let body = entry(&docx, "word/document.xml");
    assert_eq!(body.matches("【请填写：").count(), r.gaps.len(), "every gap marked once");
    assert!(body.matches("w:highlight w:val=\"yellow\"").count() >= r.gaps.len(), "the markers are highlighted");
}

#[test]
fn the_docx_has_page_numbers_repeated_headers_and_properties() {
    let txt = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/seeds/003_5726aaf970dd957d.txt");
    let out = tmp("003.docx");
    let r = input::render_file(&txt, None, Format::Docx, &out, false).unwrap();
    assert!(r.written, "{}", r.lint.text);
    let docx = std::fs::read(&out).unwrap();
    let footers: Vec<String> = entries(&docx).into_iter().filter(|n| n.starts_with("word/footer")).collect();
    let footer: String = footers.iter().map(|n| entry(&docx, n)).collect();
    assert!(footer.contains("<w:instrText>PAGE</w:instrText>") && footer.contains("— ") && footer.contains(" —"), "{footer}");
    let body = entry(&docx, "word/document.xml");
    assert!(body.contains("footerReference"), "the section uses the footer");
    assert_eq!(body.matches("<w:tbl>").count(), 3);
    assert!(body.matches("<w:tblHeader />").count() >= 3, "each table's header rows repeat on a new page");
    assert!(!body.contains("【请填写："), "a report the agency wrote has no marker");
    let core = entry(&docx, "docProps/core.xml");
    assert!(core.contains("<dc:creator>太原市小店区人民政府</dc:creator>"), "{core}");
    assert!(core.contains("<dc:title>太原市小店区人民政府2023年政府信息公开工作年度报告</dc:title>"), "{core}");
    assert!(!core.contains("unknown") && !core.contains("1970-01-01"), "{core}");
}
