//! The fill-in form: filled from every seed report, read back, rendered and parsed again;
//! and the refusals of bad input.

mod common;

use common::seeds;
use nianbao_model::json::{from_json, to_json};
use nianbao_write::{form, grid, render, Document, Format, WriteError};
use serde_json::Value;
use std::io::{Read, Write};

fn filled_form(expected: &Value) -> Vec<u8> {
    let doc = Document::from_report(from_json(expected).unwrap());
    form::write(&form::FormSpec { doc, previous: None }).unwrap()
}

/// The fixture as the form computes it: totals are formulas, so a wrongly printed total of a
/// published report (000 2020: 予以公开 总计 20 for 10) comes back as the sum of its parts.
fn as_form_computes(expected: &Value) -> Value {
    let mut r = from_json(expected).unwrap();
    grid::fill_totals(&mut r);
    to_json(&r)
}

#[test]
fn a_form_filled_from_each_seed_reads_back_and_renders_to_the_same_json() {
    let mut exact = 0;
    let all = seeds();
    for (name, expected) in &all {
        let bytes = filled_form(expected);
        let doc = form::read(name, &bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        let got = to_json(&doc.report);
        assert_eq!(got, as_form_computes(expected), "{name}: form read back");
        if &got == expected {
            exact += 1;
        }
        for format in [Format::Html, Format::Md] {
            let out = render(&doc, format).unwrap();
            let parsed = nianbao_parse::parse_bytes(&format!("{name}.{}", format.extension()), &out).unwrap();
            assert_eq!(parsed.reports.len(), 1);
            assert_eq!(to_json(&parsed.reports[0].report), got, "{name}: form → {format:?} → parse");
        }
    }
    eprintln!("score-parse form: {}/{} (exactly the fixture: {exact}; the others differ only in totals the form computes)", all.len(), all.len());
    assert!(exact >= all.len() - 1, "only 000#3 prints a wrong total");
}

#[test]
fn totals_are_formulas_with_cached_values() {
    let (_, expected) = seeds().into_iter().next().unwrap();
    let bytes = filled_form(&expected);
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut xml = String::new();
    zip.by_name("xl/worksheets/sheet3.xml").unwrap().read_to_string(&mut xml).unwrap();
    // 表三 “一、本年新收” 总计 (J6) = SUM(D6:I6), cached 9.
    let re = regex::Regex::new(r#"<c r="J6"[^>]*><f>([^<]*)</f><v>([^<]*)</v>"#).unwrap();
    let c = re.captures(&xml).expect("J6 is a formula with a value");
    assert!(c[1].contains("SUM(D6:I6)"), "{}", &c[1]);
    assert_eq!(&c[2], "9");
    assert!(xml.contains("<sheetProtection"), "the sheet is protected");
    assert!(xml.contains("<dataValidation"), "inputs are validated");
}

/// Rewrites one cell of one sheet of an xlsx as inline text.
fn with_text_in(bytes: &[u8], sheet_xml: &str, cell: &str, text: &str) -> Vec<u8> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        let name = f.name().map(|n| n.to_string()).unwrap();
        let mut data = Vec::new();
        f.read_to_end(&mut data).unwrap();
        if name == sheet_xml {
            let xml = String::from_utf8(data).unwrap();
            let re = regex::Regex::new(&format!(r#"<c r="{cell}"( s="\d+")?( t="\w+")?>(<v>[^<]*</v>)?</c>|<c r="{cell}"( s="\d+")?/>"#)).unwrap();
            assert!(re.is_match(&xml), "cell {cell} in {sheet_xml}");
            let xml = re.replace(&xml, |c: &regex::Captures| format!(r#"<c r="{cell}"{} t="inlineStr"><is><t>{text}</t></is></c>"#, c.get(1).or(c.get(4)).map(|m| m.as_str()).unwrap_or(""))).to_string();
            data = xml.into_bytes();
        }
        out.start_file(name, zip::write::SimpleFileOptions::default()).unwrap();
        out.write_all(&data).unwrap();
    }
    out.finish().unwrap().into_inner()
}

#[test]
fn text_in_a_number_cell_is_refused_naming_sheet_and_cell() {
    let (_, expected) = seeds().into_iter().next().unwrap();
    let bad = with_text_in(&filled_form(&expected), "xl/worksheets/sheet3.xml", "D6", "八件");
    let err = form::read("form.xlsx", &bad).unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, WriteError::Cells { .. }), "{msg}");
    assert!(msg.contains("工作表“表三”D6 单元格"), "{msg}");
    assert!(msg.contains("一、本年新收政府信息公开申请数量") && msg.contains("自然人") && msg.contains("八件"), "{msg}");
}

#[test]
fn a_negative_or_fractional_count_is_refused() {
    let (_, expected) = seeds().into_iter().next().unwrap();
    let mut r = from_json(&expected).unwrap();
    grid::set_value(&mut r, nianbao_model::TableId::ReviewLitigation, "review", 1, Some(-2.0));
    grid::set_value(&mut r, nianbao_model::TableId::ActiveDisclosure, "rules", 0, Some(1.5));
    let bytes = form::write(&form::FormSpec { doc: Document::from_report(r), previous: None }).unwrap();
    let msg = form::read("form.xlsx", &bytes).unwrap_err().to_string();
    assert!(msg.contains("工作表“表四”B6 单元格") && msg.contains("不能为负数"), "{msg}");
    assert!(msg.contains("工作表“表二”B5 单元格") && msg.contains("整数"), "{msg}");
    assert!(msg.contains("2 处错误"), "{msg}");
}

#[test]
fn a_missing_sheet_is_refused_by_name() {
    let mut wb = rust_xlsxwriter::Workbook::new();
    for name in ["基本信息", "表二", "表三", "正文"] {
        wb.add_worksheet().set_name(name).unwrap();
    }
    let bytes = wb.save_to_buffer().unwrap();
    let err = form::read("form.xlsx", &bytes).unwrap_err();
    assert!(matches!(err, WriteError::MissingSheet { .. }));
    assert!(err.to_string().contains("缺少工作表“表四”"), "{err}");
}

#[test]
fn last_year_prefills_carry_over_and_stock() {
    let all = seeds();
    // 000: reports on 2023, 2022 (index 0, 1).
    let this = from_json(&all[0].1).unwrap();
    let prev = from_json(&all[1].1).unwrap();
    let template = nianbao_model::Report { agency: this.agency.clone(), year: this.year, ..Default::default() };
    let spec = form::FormSpec { doc: Document::from_report(template), previous: Some(prev.clone()) };
    let doc = form::read("t.xlsx", &form::write(&spec).unwrap()).unwrap();
    let r = &doc.report;
    for c in 0..6 {
        assert_eq!(r.applications.value("carried_over", c), prev.applications.value("carried_forward", c));
    }
    // 现行有效件数 starts at last year's stock (no documents issued or repealed yet).
    assert_eq!(r.active_disclosure.value("normative_documents", 2), prev.active_disclosure.value("normative_documents", 2));
    assert_eq!(r.applications.value("new_received", 0), None);
}
