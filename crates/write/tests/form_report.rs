//! The filled fill-in form is a report too: `nianbao_parse` reads the XLSX written by
//! `nianbao template` into the same model as any published report, every value with its sheet
//! and cell, and findings on it name the cell (`表三!D6`).

mod common;

use common::seeds;
use nianbao_model::json::{from_json, to_json};
use nianbao_model::{CellMark, TableId};
use nianbao_parse::decode::Format;
use nianbao_write::{form, grid, Document};
use proptest::prelude::*;
use serde_json::Value;
use std::io::{Read, Write};
use std::path::PathBuf;

fn form_of(doc: Document) -> Vec<u8> {
    form::write(&form::FormSpec { doc, previous: None }).unwrap()
}

#[test]
fn a_form_filled_from_each_seed_reads_back_as_the_same_report() {
    let all = seeds();
    assert!(all.len() >= 5);
    for (name, expected) in &all {
        let bytes = form_of(Document::from_report(from_json(expected).unwrap()));
        let doc = nianbao_parse::parse_bytes("form.xlsx", &bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(doc.format, Format::Xlsx);
        assert_eq!(doc.reports.len(), 1);
        let parsed = &doc.reports[0];
        // Totals are formulas on the form: a wrongly printed total comes back as the sum of its parts.
        let mut want = from_json(expected).unwrap();
        grid::fill_totals(&mut want);
        assert_eq!(to_json(&parsed.report), to_json(&want), "{name}");
        // Every value's span names the cell it was typed in.
        let layout = want.effective_layout();
        for id in TableId::ALL {
            for row in &parsed.report.table(id).rows {
                for (k, cell) in row.cells.iter().enumerate() {
                    let at = cell.span.and_then(|s| s.cell).map(|c| c.to_string());
                    assert_eq!(at, form::cell_of(id, layout, &row.key, k), "{name} {id:?} {} {k}", row.key);
                }
            }
        }
        // The six parts are the report's sections; the title names agency and year.
        assert_eq!(parsed.sections.iter().map(|s| s.number).collect::<Vec<_>>(), vec![1, 2, 3, 4, 5, 6], "{name}");
        assert_eq!(parsed.title_year, want.year, "{name}");
    }
}

/// A 2023 report whose carried-forward natural-person count does not balance.
fn unbalanced() -> Document {
    let seed = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/seeds/003_5726aaf970dd957d.expected.json");
    let v: Value = serde_json::from_slice(&std::fs::read(seed).unwrap()).unwrap();
    let mut report = from_json(&v[0]).unwrap();
    let was = report.applications.value("carried_forward", 0).unwrap_or(0.0);
    grid::set_value(&mut report, TableId::Applications, "carried_forward", 0, Some(was + 5.0));
    grid::fill_totals(&mut report);
    let mut doc = Document::from_report(report);
    doc.sections[4] = Some("一是主动公开的深度不够。下一步将加强培训。".into());
    doc
}

#[test]
fn findings_on_a_form_name_the_sheet_and_cell() {
    let doc = unbalanced();
    let layout = doc.layout();
    let parsed = nianbao_parse::parse_bytes("填报表.xlsx", &form_of(doc)).unwrap();
    let docs = [parsed];
    let result = nianbao_check::check(&docs);
    let a301 = result.findings.iter().find(|f| f.rule == "A301").expect("A301 on the unbalanced column");
    let cell = a301.span.and_then(|s| s.cell).expect("the finding's span names a form cell").to_string();
    let carried = form::cell_of(TableId::Applications, layout, "carried_forward", 0).unwrap();
    let natural: Vec<String> = ["new_received", "carried_over", "total_processed", "carried_forward"].iter().filter_map(|r| form::cell_of(TableId::Applications, layout, r, 0)).collect();
    assert!(natural.contains(&cell), "{cell} is a cell of the 自然人 column: {natural:?}");
    // The text output points at sheet!cell, never at a line of the assembled text.
    let text = nianbao_check::render::text(&result);
    assert!(text.contains(&format!("填报表.xlsx:{cell}")), "{text}");
    assert!(text.contains("填报表.xlsx:表三!"), "{text}");
    // The JSON says it too.
    let json = result.to_json();
    let spans: Vec<&str> = json["findings"].as_array().unwrap().iter().filter_map(|f| f["span"]["cell"].as_str()).collect();
    assert!(spans.contains(&cell.as_str()), "{spans:?}");
    assert!(carried.starts_with("表三!"));
    // The A301 finding as `nianbao check` prints it.
    let one: String = text.split("\n\n").find(|b| b.contains("[A301]")).unwrap_or_default().to_string();
    insta::assert_snapshot!(one);
}

/// The form with one cell of a sheet's XML replaced (as a hand edit would).
fn edit_cell(bytes: &[u8], sheet_index: usize, cell: &str, replacement: &str) -> Vec<u8> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let target = format!("xl/worksheets/sheet{sheet_index}.xml");
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        let name = f.name().unwrap().to_string();
        let mut data = Vec::new();
        f.read_to_end(&mut data).unwrap();
        if name == target {
            let xml = String::from_utf8(data).unwrap();
            let re = regex::Regex::new(&format!(r#"<c r="{cell}"[^>]*?(/>|>.*?</c>)"#)).unwrap();
            assert!(re.is_match(&xml), "{cell} in {target}");
            data = re.replace(&xml, replacement).into_owned().into_bytes();
        }
        out.start_file(name, zip::write::SimpleFileOptions::default()).unwrap();
        out.write_all(&data).unwrap();
    }
    out.finish().unwrap().into_inner()
}

#[test]
fn text_in_a_number_cell_is_a_null_cell_with_a_warning_naming_it() {
    let doc = unbalanced();
    let layout = doc.layout();
    let at = form::cell_of(TableId::Applications, layout, "granted", 0).unwrap();
    let a1 = at.split('!').nth(1).unwrap();
    // Sheets: 基本信息, 表二, 表三, 表四, 正文.
    let bytes = edit_cell(&form_of(doc), 3, a1, &format!(r#"<c r="{a1}" t="inlineStr"><is><t>十二件</t></is></c>"#));
    let parsed = nianbao_parse::parse_bytes("form.xlsx", &bytes).unwrap();
    let r = &parsed.reports[0];
    let c = r.report.applications.cell("granted", 0).unwrap();
    assert_eq!((c.value, c.mark, c.raw.as_deref()), (None, CellMark::Unreadable, Some("十二件")));
    let w = r.warnings.iter().find(|w| w.message.contains(&at)).unwrap_or_else(|| panic!("a warning naming {at}: {:?}", r.warnings));
    assert!(w.message.contains("应填数字，实为文字“十二件”"), "{}", w.message);
    assert_eq!(w.span.and_then(|s| s.cell).map(|c| c.to_string()), Some(at));
}

#[test]
fn a_formula_without_a_result_is_a_null_cell_with_a_warning() {
    let doc = unbalanced();
    let at = form::cell_of(TableId::Applications, doc.layout(), "granted", 1).unwrap();
    let a1 = at.split('!').nth(1).unwrap();
    let bytes = edit_cell(&form_of(doc), 3, a1, &format!(r#"<c r="{a1}"><f>1+1</f></c>"#));
    let r = &nianbao_parse::parse_bytes("form.xlsx", &bytes).unwrap().reports[0];
    assert_eq!(r.report.applications.cell("granted", 1).unwrap().mark, CellMark::Unreadable);
    assert!(r.warnings.iter().any(|w| w.message.contains(&at) && w.message.contains("公式")), "{:?}", r.warnings);
}

#[test]
fn workbooks_that_are_not_our_form_are_refused_in_chinese() {
    // Another workbook.
    let mut wb = rust_xlsxwriter::Workbook::new();
    wb.add_worksheet().write_string(0, 0, "部门预算").unwrap();
    let err = nianbao_parse::parse_bytes("预算.xlsx", &wb.save_to_buffer().unwrap()).unwrap_err().to_string();
    assert!(err.contains("预算.xlsx") && err.contains("缺少工作表") && err.contains("nianbao template"), "{err}");
    // A redrawn table: a header label changed.
    let doc = unbalanced();
    let bytes = edit_cell(&form_of(doc), 3, "A3", r#"<c r="A3" t="inlineStr"><is><t>随便写的</t></is></c>"#);
    let err = nianbao_parse::parse_bytes("form.xlsx", &bytes).unwrap_err().to_string();
    assert!(err.contains("表三!") && err.contains("表头"), "{err}");
    // A year that is not a year.
    let bytes = edit_cell(&form_of(unbalanced()), 1, "B3", r#"<c r="B3" t="inlineStr"><is><t>今年</t></is></c>"#);
    let err = nianbao_parse::parse_bytes("form.xlsx", &bytes).unwrap_err().to_string();
    assert!(err.contains("基本信息!B3"), "{err}");
    // Garbage under a workbook's name.
    let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    z.start_file("xl/workbook.xml", zip::write::SimpleFileOptions::default()).unwrap();
    z.write_all(b"<not a workbook").unwrap();
    let err = nianbao_parse::parse_bytes("坏.xlsx", &z.finish().unwrap().into_inner()).unwrap_err().to_string();
    assert!(err.contains("坏.xlsx"), "{err}");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]
    /// Whatever counts are typed into 表三, they come back from the same cells.
    #[test]
    fn typed_counts_come_back(values in proptest::collection::vec(0u32..5000, 7)) {
        let mut doc = unbalanced();
        for (k, v) in values.iter().enumerate().take(6) {
            grid::set_value(&mut doc.report, TableId::Applications, "new_received", k, Some(f64::from(*v)));
        }
        grid::set_value(&mut doc.report, TableId::ActiveDisclosure, "licensing", 0, Some(f64::from(values[6])));
        grid::fill_totals(&mut doc.report);
        let want = to_json(&doc.report);
        let parsed = nianbao_parse::parse_bytes("p.xlsx", &form_of(doc)).unwrap();
        prop_assert_eq!(to_json(&parsed.reports[0].report), want);
    }
}

#[test]
fn a_damaged_form_is_an_error_or_a_report_never_a_panic() {
    let bytes = form_of(unbalanced());
    let mut outcomes = (0, 0);
    for i in 0..200usize {
        let mut b = bytes.clone();
        let at = (i * 7919) % b.len();
        b[at] ^= 0x5a;
        if i % 4 == 0 {
            b.truncate(b.len() - (i % 97) - 1);
        }
        match std::panic::catch_unwind(|| nianbao_parse::parse_bytes("坏表.xlsx", &b)) {
            Ok(Ok(_)) => outcomes.0 += 1,
            Ok(Err(e)) => {
                assert!(e.to_string().contains("坏表.xlsx"), "{e}");
                outcomes.1 += 1;
            }
            Err(_) => panic!("reading a form damaged at byte {at} panicked"),
        }
    }
    assert!(outcomes.1 > 0, "damage is noticed: {outcomes:?}");
}
