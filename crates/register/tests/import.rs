//! Excel registers as agencies keep them: columns found by their Chinese names in any order,
//! dates in the forms people type and as Excel dates, outcomes in words; bad rows named by
//! sheet, row and column; the template and the export read back.

use chrono::NaiveDate;
use nianbao_calendar::Calendar;
use nianbao_deadline::{Channel, Settings};
use nianbao_register::xlsx::{self, read_register};
use nianbao_register::{ApplicantType, EventKind, Outcome};
use rust_xlsxwriter::{Format, Workbook};

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

enum V<'a> {
    S(&'a str),
    N(f64),
    Date(f64),
}

fn workbook(sheets: &[(&str, &[&str], Vec<Vec<V>>)]) -> Vec<u8> {
    let mut wb = Workbook::new();
    let df = Format::new().set_num_format("yyyy/m/d");
    for (name, headers, rows) in sheets {
        let s = wb.add_worksheet();
        s.set_name(*name).unwrap();
        for (c, h) in headers.iter().enumerate() {
            s.write_string(0, c as u16, *h).unwrap();
        }
        for (r, row) in rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                let (r, c) = (r as u32 + 1, c as u16);
                match v {
                    V::S("") => {}
                    V::S(t) => {
                        s.write_string(r, c, *t).unwrap();
                    }
                    V::N(x) => {
                        s.write_number(r, c, *x).unwrap();
                    }
                    V::Date(x) => {
                        s.write_number_with_format(r, c, *x, &df).unwrap();
                    }
                }
            }
        }
    }
    wb.save_to_buffer().unwrap()
}

const HEADERS: &[&str] = &["答复结果", "序号", "申请人类别", "收到日期", "申请渠道", "内容摘要", "补正告知日期", "收到补正日期", "办结日期", "备注"];

#[test]
fn columns_by_meaning_dates_in_every_form_outcomes_in_words() {
    use V::*;
    let rows = vec![
        vec![S("予以公开"), S("A-1"), S("公民"), S("2024-3-5"), S("当面"), S("某文件"), S(""), S(""), S("2024年3月20日"), S("无")],
        vec![S("（三）1.属于国家秘密"), S("A-2"), S("企业"), S("2024年3月6日"), S("网上申请"), S(""), S(""), S(""), Date(45380.0), S("")],
        vec![S("补正后申请内容仍不明确"), S("A-3"), S("律师事务所"), S("2024.03.07"), S("挂号信"), S(""), S("2024-3-8"), S("2024-3-12"), S("2024-04-01"), S("")],
        vec![S("申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"), S("A-4"), S("自然人"), Date(45359.0), S("平信"), S(""), S("2024/3/11"), S(""), S("2024-4-30"), S("")],
        vec![S(""), S("A-5"), S("科研机构"), N(45360.0), S("电子邮件"), S(""), S(""), S(""), S(""), S("")],
    ];
    let bytes = workbook(&[("2024年台账", HEADERS, rows), ("说明", &["随便写点什么"], vec![])]);
    let p = read_register("reg.xlsx", &bytes).unwrap();
    assert!(p.bad.is_empty(), "{:#?}", p.bad);
    assert_eq!(p.skipped_sheets, vec!["说明".to_string()]);
    assert_eq!(p.ignored, vec![("2024年台账".to_string(), "备注".to_string())]);
    let apps: Vec<_> = p.applications.iter().map(|(a, _, _)| a).collect();
    assert_eq!(apps.len(), 5);
    assert_eq!(apps[0].received, d("2024-03-05"));
    assert_eq!(apps[0].applicant_type, ApplicantType::NaturalPerson);
    assert_eq!(apps[0].channel, Channel::InPerson);
    assert_eq!(apps[0].closure().unwrap().outcome, Outcome::Granted);
    assert_eq!(apps[1].received, d("2024-03-06"));
    assert_eq!(apps[1].closure().unwrap().date, d("2024-03-29"), "an Excel date cell");
    assert_eq!(apps[1].closure().unwrap().outcome, Outcome::WithheldStateSecret);
    assert_eq!(apps[2].received, d("2024-03-07"));
    assert_eq!(apps[2].applicant_type, ApplicantType::LegalServices);
    assert_eq!(apps[2].closure().unwrap().outcome, Outcome::UnavailableUnclear);
    assert_eq!(apps[3].received, d("2024-03-08"), "a serial number date");
    assert_eq!(apps[3].events.last().unwrap().kind, EventKind::CorrectionLapsed, "a deemed abandonment, not a reply");
    assert_eq!(apps[4].received, d("2024-03-09"));
    assert!(apps[4].closure().is_none());
    assert_eq!(apps[4].channel, Channel::Email);
}

#[test]
fn bad_rows_name_sheet_row_and_column() {
    use V::*;
    let rows = vec![
        vec![S("予以公开"), S("B-1"), S("自然人"), S("2024-3-5"), S("当面"), S(""), S(""), S(""), S("2024-3-20"), S("")],
        vec![S("予以公开"), S("B-2"), S("外星人"), S("2024-13-05"), S("当面"), S(""), S(""), S(""), S("2024-3-20"), S("")],
        vec![S("好极了"), S("B-3"), S("自然人"), S("2024-3-5"), S("当面"), S(""), S(""), S(""), S("2024-3-20"), S("")],
        vec![S("予以公开"), S("B-4"), S("自然人"), S("2024-3-5"), S("当面"), S(""), S(""), S(""), S("2024-3-1"), S("")],
        vec![S("予以公开"), S("B-5"), S("自然人"), S("2024-3-5"), S("当面"), S(""), S(""), S("2024-3-6"), S("2024-3-20"), S("")],
        vec![S("予以公开"), S("B-1"), S("自然人"), S("2024-3-5"), S("当面"), S(""), S(""), S(""), S("2024-3-20"), S("")],
    ];
    let bytes = workbook(&[("台账", HEADERS, rows)]);
    let p = read_register("reg.xlsx", &bytes).unwrap();
    assert_eq!(p.applications.len(), 1);
    let msgs: Vec<String> = p.errors().map(|e| e.to_string()).collect();
    assert_eq!(p.bad.iter().map(|b| b.row).collect::<Vec<_>>(), vec![3, 4, 5, 6, 7]);
    assert!(msgs.iter().any(|m| m.starts_with("工作表“台账”第 3 行 C 列（申请人类别）") && m.contains("外星人")), "{msgs:#?}");
    assert!(msgs.iter().any(|m| m.starts_with("工作表“台账”第 3 行 D 列（收到日期）") && m.contains("2024-13-05")), "{msgs:#?}");
    assert!(msgs.iter().any(|m| m.starts_with("工作表“台账”第 4 行 A 列（答复结果）") && m.contains("好极了")), "{msgs:#?}");
    assert!(msgs.iter().any(|m| m.starts_with("工作表“台账”第 5 行") && m.contains("早于收到申请日期")), "{msgs:#?}");
    assert!(msgs.iter().any(|m| m.starts_with("工作表“台账”第 6 行") && m.contains("没有补正通知")), "{msgs:#?}");
    assert!(msgs.iter().any(|m| m.starts_with("工作表“台账”第 7 行 B 列（序号）") && m.contains("重复")), "{msgs:#?}");
    // The bad rows go to a workbook that reads back with the error column.
    let out = xlsx::bad_rows_xlsx(&p.bad).unwrap();
    let mut wb = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(out)).unwrap();
    use calamine::Reader;
    let r = wb.worksheet_range("未导入的行").unwrap();
    assert_eq!(r.get_size().0, 6);
    assert!(r.get((1, 2)).unwrap().to_string().contains("外星人"));
}

#[test]
fn not_a_register() {
    let e = read_register("x.xlsx", b"hello").unwrap_err().to_string();
    assert!(e.starts_with("x.xlsx：") && e.contains("Excel"), "{e}");
    let bytes = workbook(&[("Sheet1", &["姓名", "电话"], vec![vec![V::S("张三"), V::S("123")]])]);
    let e = read_register("y.xlsx", &bytes).unwrap_err().to_string();
    assert!(e.contains("表头"), "{e}");
}

#[test]
fn template_and_export_read_back() {
    let t = xlsx::template().unwrap();
    let p = read_register("template.xlsx", &t).unwrap();
    assert!(p.applications.is_empty() && p.bad.is_empty() && p.ignored.is_empty(), "{:?}", p.ignored);
    // Every event kind survives export → import.
    let g = nianbao_register::gen::generate(21, 1, 2023, 2025, 200);
    let (agency, apps) = &g.agencies[0];
    let bytes = xlsx::export(agency, apps, Calendar::builtin(), &Settings::default(), d("2025-12-31")).unwrap();
    let back = read_register("export.xlsx", &bytes).unwrap();
    assert!(back.bad.is_empty(), "{:#?}", back.bad.iter().take(3).collect::<Vec<_>>());
    let names: Vec<&str> = back.ignored.iter().map(|(_, h)| h.as_str()).collect();
    assert_eq!(names, vec!["补正通知期限", "答复期限", "延期后期限", "最长期限", "状态", "暂定"]);
    let got: Vec<_> = back.applications.into_iter().map(|(a, _, _)| a).collect();
    assert_eq!(got.len(), apps.len());
    for (a, b) in apps.iter().zip(&got) {
        assert_eq!(a, b);
    }
}
