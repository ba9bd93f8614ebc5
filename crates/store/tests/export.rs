//! The exports as an Excel user meets them: the workbook's sheets in order (Chinese summary,
//! findings, long table, codebook), Chinese headers and severities, numbers stored as numbers,
//! a frozen and filtered header and an A4 landscape print set-up (read in the sheet XML); the
//! CSV with a UTF-8 byte-order mark, or in GBK; no absolute paths.

use calamine::{Data, Reader};
use nianbao_store::export::{ExportFormat, ExportOptions, Filter};
use nianbao_store::{block_on, Store};
use std::io::Read;
use std::path::{Path, PathBuf};

fn sample() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/sample")
}

fn tempdir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("nianbao-export-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn zip_entry(path: &Path, name: &str) -> String {
    let mut z = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut s = String::new();
    z.by_name(name).unwrap().read_to_string(&mut s).unwrap();
    s
}

async fn corpus(dir: &Path) -> Store {
    let store = Store::open(dir.join("corpus.db").to_str().unwrap()).await.unwrap();
    store.ingest(&[sample().join("reports")], false).await.unwrap();
    store.import_tree(&sample().join("agencies.csv")).await.unwrap();
    store
}

#[test]
fn the_workbook_opens_in_excel_without_help() {
    let dir = tempdir("xlsx");
    let xlsx = dir.join("2023.xlsx");
    block_on(async {
        let store = corpus(&dir).await;
        let s = store.export(&Filter { year: Some(2023), ..Default::default() }, ExportFormat::Xlsx, &xlsx).await.unwrap();
        assert!(s.reports >= 3 && s.cells > 100, "{s:?}");
    })
    .unwrap();
    let mut book: calamine::Xlsx<_> = calamine::open_workbook(&xlsx).unwrap();
    let names = book.sheet_names();
    assert_eq!(names[..4], ["汇总", "问题清单", "长表", "说明"], "{names:?}");

    let summary = book.worksheet_range("汇总").unwrap();
    let head: Vec<String> = summary.rows().next().unwrap().iter().map(|c| c.to_string()).collect();
    for h in ["机关", "上级", "年度", "发布日期", "是否逾期", "错误数", "警告数", "表三 本年新收申请", "表三 办理结果总计"] {
        assert!(head.iter().any(|x| x == h), "{h} missing from {head:?}");
    }
    let col = |name: &str| head.iter().position(|x| x == name).unwrap();
    let rows: Vec<&[Data]> = summary.rows().skip(1).collect();
    assert!(rows.len() >= 3);
    for r in &rows {
        assert_eq!(r[col("年度")], Data::Float(2023.0), "the year is a number: {r:?}");
        assert!(matches!(r[col("错误数")], Data::Float(_)) && matches!(r[col("表三 本年新收申请")], Data::Float(_)), "{r:?}");
        assert!(["是", "否", "日期不详"].contains(&r[col("是否逾期")].to_string().as_str()));
    }
    let office = rows.iter().find(|r| r[col("机关")] == "东阿县统计局").expect("a department of the sample");
    assert_eq!(office[col("上级")].to_string(), "东阿县人民政府");
    let source = office[col("来源文件")].to_string();
    assert!(!source.starts_with('/') && !source.contains("fixtures"), "no absolute or server path: {source}");

    let findings = book.worksheet_range("问题清单").unwrap();
    let head: Vec<String> = findings.rows().next().unwrap().iter().map(|c| c.to_string()).collect();
    assert_eq!(head, ["机关", "年度", "规则", "规则名称", "级别", "问题", "行号", "来源文件"]);
    let levels: Vec<String> = findings.rows().skip(1).map(|r| r[4].to_string()).collect();
    assert!(!levels.is_empty() && levels.iter().all(|l| ["错误", "警告", "提示"].contains(&l.as_str())), "{levels:?}");
    assert!(findings.rows().skip(1).all(|r| !r[3].to_string().is_empty()), "every rule named");
    assert!(findings.rows().skip(1).any(|r| matches!(r[6], Data::Float(_))), "line numbers are numbers");

    let long = book.worksheet_range("长表").unwrap();
    let head: Vec<String> = long.rows().next().unwrap().iter().map(|c| c.to_string()).collect();
    assert_eq!(head, ["机关", "上级", "年度", "版式", "表", "行", "列", "数值", "单元格内容", "代码", "来源文件"]);
    let granted = long.rows().find(|r| r[9] == "applications.granted.6").expect("a 予以公开 总计 cell");
    assert_eq!(granted[4].to_string(), "表三");
    assert!(granted[5].to_string().contains("予以公开") && granted[6] == "总计", "{granted:?}");
    assert!(matches!(granted[2], Data::Float(_)) && matches!(granted[7], Data::Float(_)), "{granted:?}");

    // Frozen header, filter and print set-up of each list sheet, in the sheet XML.
    for n in 1..=4 {
        let xml = zip_entry(&xlsx, &format!("xl/worksheets/sheet{n}.xml"));
        assert!(xml.contains("state=\"frozen\"") && xml.contains("ySplit=\"1\""), "sheet{n}: no frozen header");
        assert!(xml.contains("<autoFilter ref=\"A1:"), "sheet{n}: no autofilter");
        assert!(xml.contains("orientation=\"landscape\"") && xml.contains("paperSize=\"9\"") && xml.contains("fitToHeight=\"0\""), "sheet{n}: print set-up");
        assert!(xml.contains("<col "), "sheet{n}: column widths");
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn csv_has_a_bom_or_is_gbk() {
    let dir = tempdir("csv");
    let (utf8, gbk) = (dir.join("long.csv"), dir.join("long-gbk.csv"));
    block_on(async {
        let store = corpus(&dir).await;
        store.export(&Filter::default(), ExportFormat::Csv, &utf8).await.unwrap();
        store.export_with(&Filter::default(), ExportFormat::Csv, &gbk, &ExportOptions { gbk: true }).await.unwrap();
    })
    .unwrap();
    let bytes = std::fs::read(&utf8).unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "the CSV starts with a UTF-8 BOM");
    let text = std::str::from_utf8(&bytes[3..]).unwrap();
    assert!(text.starts_with("agency,parent,year"));
    assert!(text.contains("东阿县统计局"));
    assert!(!text.contains(",/"), "no absolute path in source_file");
    assert!(std::fs::read(dir.join("long.codebook.csv")).unwrap().starts_with(b"\xEF\xBB\xBF"));
    let raw = std::fs::read(&gbk).unwrap();
    assert!(!raw.starts_with(b"\xEF\xBB\xBF"));
    let (decoded, _, bad) = encoding_rs::GBK.decode(&raw);
    assert!(!bad && std::str::from_utf8(&raw).is_err(), "GBK, not UTF-8");
    assert_eq!(decoded, text, "the same table in GBK");
    std::fs::remove_dir_all(&dir).ok();
}
