//! Every fixture document beside a `NAME.expected.json` must parse to exactly that JSON; every
//! `NAME.error.txt` names a word the Chinese error for that document must contain.

use serde_json::Value;
use std::path::{Path, PathBuf};

fn fixtures_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures")
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            // Renderings in classes/ (and the scans in ocr/, the pictures in pictures/) are scored
            // right / null / wrong by tests/classes.rs (tests/ocr.rs, tests/pictures.rs), not
            // compared exactly.
            if p.file_name().is_some_and(|n| n == "classes" || n == "ocr" || n == "pictures") {
                continue;
            }
            walk(&p, out);
        } else {
            out.push(p);
        }
    }
}

/// The document beside `stem.expected.json` (any extension but .json/.md/.txt-sidecars).
fn document_for(sidecar: &Path, suffix: &str) -> Option<PathBuf> {
    let name = sidecar.file_name()?.to_str()?;
    let stem = name.strip_suffix(suffix)?;
    let dir = sidecar.parent()?;
    let mut docs: Vec<PathBuf> = std::fs::read_dir(dir)
        .ok()?
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            let n = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            n.starts_with(&format!("{stem}.")) && !n.ends_with(".json") && !n.ends_with(".md") && !n.ends_with(".error.txt")
        })
        .collect();
    docs.sort();
    docs.into_iter().next()
}

fn same(a: &Value, b: &Value, path: &str, diffs: &mut Vec<String>) {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            if (x.as_f64().unwrap_or(f64::NAN) - y.as_f64().unwrap_or(f64::NAN)).abs() > 1e-6 {
                diffs.push(format!("{path}: expected {a}, got {b}"));
            }
        }
        (Value::Object(x), Value::Object(y)) => {
            for (k, v) in x {
                match y.get(k) {
                    Some(w) => same(v, w, &format!("{path}.{k}"), diffs),
                    None => diffs.push(format!("{path}.{k}: missing")),
                }
            }
            for k in y.keys().filter(|k| !x.contains_key(*k)) {
                diffs.push(format!("{path}.{k}: unexpected"));
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (v, w)) in x.iter().zip(y).enumerate() {
                same(v, w, &format!("{path}[{i}]"), diffs);
            }
        }
        _ if a == b => {}
        _ => diffs.push(format!("{path}: expected {a}, got {b}")),
    }
}

fn is_legacy(p: &Path) -> bool {
    p.extension().and_then(|e| e.to_str()).is_some_and(|e| e == "doc" || e == "wps")
}

fn has_libreoffice() -> bool {
    std::process::Command::new("soffice").arg("--version").output().is_ok_and(|o| o.status.success())
}

#[test]
fn every_fixture_parses_to_its_expected_json() {
    let mut files = Vec::new();
    walk(&fixtures_root(), &mut files);
    let mut checked = 0;
    let mut failures = Vec::new();
    for sidecar in files.iter().filter(|p| p.to_string_lossy().ends_with(".expected.json")) {
        let Some(doc) = document_for(sidecar, ".expected.json") else { continue };
        let expected: Value = serde_json::from_str(&std::fs::read_to_string(sidecar).unwrap()).unwrap();
        let actual = match nianbao_parse::parse_file(&doc) {
            Ok(d) => nianbao_parse::to_json(&d),
            // Without LibreOffice a .doc cannot be read: then the error must say how to convert it.
            Err(e @ nianbao_parse::ParseError::Unsupported { .. }) if is_legacy(&doc) && !has_libreoffice() => {
                assert!(e.to_string().contains("LibreOffice"), "{e}");
                continue;
            }
            Err(e) => {
                failures.push(format!("{}: {e}", doc.display()));
                continue;
            }
        };
        let mut diffs = Vec::new();
        same(&expected, &actual, "", &mut diffs);
        if !diffs.is_empty() {
            failures.push(format!("{}:\n  {}", doc.display(), diffs.iter().take(12).cloned().collect::<Vec<_>>().join("\n  ")));
        }
        checked += 1;
    }
    assert!(checked >= 5, "only {checked} fixtures found");
    assert!(failures.is_empty(), "{} of {checked} fixtures differ:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn bad_inputs_get_a_chinese_error_naming_the_file() {
    let mut files = Vec::new();
    walk(&fixtures_root(), &mut files);
    let mut checked = 0;
    for sidecar in files.iter().filter(|p| p.to_string_lossy().ends_with(".error.txt")) {
        let Some(doc) = document_for(sidecar, ".error.txt") else { continue };
        let words = std::fs::read_to_string(sidecar).unwrap();
        let err = nianbao_parse::parse_file(&doc).expect_err(&format!("{} should be rejected", doc.display()));
        let msg = err.to_string();
        assert!(msg.contains(&doc.display().to_string()), "{msg}");
        assert!(words.split_whitespace().any(|w| msg.contains(w)), "{}: message {msg:?} lacks any of {words:?}", doc.display());
        checked += 1;
    }
    // The seeds directory has none; the generated bad/ class must be present.
    let _ = checked;
}

#[test]
fn errors_for_missing_empty_and_binary_files() {
    let dir = std::env::temp_dir().join(format!("nianbao-parse-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let empty = dir.join("空.txt");
    std::fs::write(&empty, "").unwrap();
    assert!(nianbao_parse::parse_file(&empty).unwrap_err().to_string().contains("文件为空"));
    let bin = dir.join("x.bin");
    std::fs::write(&bin, [0u8, 1, 2, 3, 255, 0, 7]).unwrap();
    assert!(nianbao_parse::parse_file(&bin).unwrap_err().to_string().contains("二进制"));
    let other = dir.join("news.html");
    std::fs::write(&other, "<html><body><h1>天气预报</h1><p>明天晴。</p></body></html>").unwrap();
    assert!(nianbao_parse::parse_file(&other).unwrap_err().to_string().contains("未找到"));
    assert!(nianbao_parse::parse_file(&dir.join("none.txt")).unwrap_err().to_string().contains("文件不存在"));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn values_point_at_their_bytes_in_the_source() {
    let path = fixtures_root().join("seeds/003_5726aaf970dd957d.txt");
    let bytes = std::fs::read(&path).unwrap();
    let doc = nianbao_parse::parse_file(&path).unwrap();
    let r = &doc.reports[0].report;
    let fee = r.active_disclosure.cell("fees", 0).unwrap();
    let span = fee.span.unwrap();
    assert_eq!(&bytes[span.start..span.end], "43923.57".as_bytes());
    let line = std::str::from_utf8(&bytes).unwrap().lines().nth(span.line as usize - 1).unwrap();
    assert!(line.starts_with("行政事业性收费"));
    let total = r.applications.cell("total_processed", 6).unwrap().span.unwrap();
    assert_eq!(&bytes[total.start..total.end], b"52");
}

#[test]
fn traditional_values_point_into_the_traditional_source() {
    let path = fixtures_root().join("seeds/002_2a6dab52fda6029c.txt");
    let bytes = std::fs::read(&path).unwrap();
    let doc = nianbao_parse::parse_file(&path).unwrap();
    let r = &doc.reports[0];
    let lic = r.report.active_disclosure.cell("licensing", 0).unwrap().span.unwrap();
    assert_eq!(&bytes[lic.start..lic.end], b"221");
    let title = r.title.as_ref().unwrap();
    assert!(title.value.contains("张店区应急管理局2023年政府信息公开工作年度报告"), "{}", title.value);
}

#[test]
fn seed_json_snapshots() {
    for name in ["000_f1bcb5344c0ff0ec", "004_4c838dddf2b6ea41"] {
        let doc = nianbao_parse::parse_file(&fixtures_root().join(format!("seeds/{name}.txt"))).unwrap();
        insta::assert_json_snapshot!(name, nianbao_parse::to_json(&doc));
    }
}

#[test]
fn a_pdf_without_text_is_refused_as_a_scan() {
    // A one-page PDF with no text (what a scanner produces, minus the image).
    let pdf = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents 4 0 R>>endobj\n4 0 obj<</Length 0>>stream\n\nendstream\nendobj\nxref\n0 5\n0000000000 65535 f \n0000000009 00000 n \n0000000052 00000 n \n0000000101 00000 n \n0000000178 00000 n \ntrailer<</Size 5/Root 1 0 R>>\nstartxref\n224\n%%EOF\n";
    let err = nianbao_parse::parse_bytes("scan.pdf", pdf).unwrap_err().to_string();
    assert!(err.contains("scan.pdf") && err.contains("OCR"), "{err}");
}

/// 表二 has no arithmetic, so a number put in the wrong column would stand. A row whose grid
/// came out with more cells than the table has columns (a scan's broken or extra lines) is read
/// by the order of its numbers when there are exactly as many as columns, else left null — never
/// by position (that put 行政强制's first 0 under 本年增/减 on a photographed page).
#[test]
fn a_table_two_row_with_extra_grid_cells_is_not_read_by_position() {
    let html = std::fs::read_to_string(fixtures_root().join("parse/html/004.html")).expect("fixture");
    let row = |cells: &str| {
        let original = "<td style=\"text-align:center;\">行政强制</td>\n<td style=\"text-align:center;\">0</td>\n<td style=\"text-align:center;\">1</td>\n<td style=\"text-align:center;\">1</td>";
        assert!(html.contains(original), "fixture changed");
        html.replace(original, &format!("<td>行政强制</td>{cells}"))
    };
    let coercion = |page: String| -> Vec<Value> {
        let doc = nianbao_parse::parse_bytes("004.html", page.as_bytes()).expect("parses");
        let json = nianbao_parse::to_json(&doc);
        let c = &json[0]["active_disclosure"]["coercion"];
        vec![c["prior_items"].clone(), c["change"].clone(), c["decisions"].clone()]
    };
    // Three numbers over eight cells: their order is all that is left, and it is the row's.
    let three = coercion(row("<td></td><td>0</td><td></td><td></td><td>1</td><td></td><td>1</td><td></td>"));
    assert_eq!(three, vec![Value::from(0), Value::from(1), Value::from(1)]);
    // Two numbers over five cells: which column lost its number cannot be told.
    let two = coercion(row("<td></td><td>0</td><td></td><td>1</td><td></td>"));
    assert_eq!(two, vec![Value::Null, Value::Null, Value::Null]);
    // A row with its three cells is still read cell by cell, a blank cell included.
    let blank = coercion(row("<td>0</td><td></td><td>1</td>"));
    assert_eq!(blank, vec![Value::from(0), Value::Null, Value::from(1)]);
}

/// A scan's 表三 header can come out of OCR garbled (`勾移关系`, `申人请情况`) on its first page and
/// clean where it is repeated on the next: 表三 then starts at its first row, not at the repeat
/// (which gave the first page's rows to 表二).
#[test]
fn table_three_starts_at_its_first_row_when_its_header_is_garbled_and_repeated_later() {
    let html = std::fs::read_to_string(fixtures_root().join("parse/html/004.html")).expect("fixture");
    let (header, applicants) = ("（本列数据的勾稽关系为：<br/>第一项加第二项之和，<br/>等于第三项加第四项之和）</td>", "<td colspan=\"7\" style=\"text-align:center;\">申请人情况</td>");
    let carried = "<td colspan=\"3\" style=\"text-align:center;\">二、上年结转政府信息公开申请数量</td>";
    assert!(html.contains(header) && html.contains(applicants) && html.contains(carried), "fixture changed");
    let page = html
        .replace(header, "（本列数据的勾移关系为：<br/>第一项加第二项之和，<br/>等于第三项加第四项之和）</td>")
        .replace(applicants, "<td colspan=\"7\">申人请情况</td>")
        .replace(carried, &format!("<td colspan=\"10\">申请人情况</td></tr><tr>{carried}"));
    let doc = nianbao_parse::parse_bytes("004.html", page.as_bytes()).expect("parses");
    let json = nianbao_parse::to_json(&doc);
    let original = nianbao_parse::to_json(&nianbao_parse::parse_bytes("004.html", html.as_bytes()).expect("parses"));
    assert_eq!(json[0]["applications"]["new_received"], original[0]["applications"]["new_received"]);
    assert!(json[0]["applications"]["new_received"][6].is_number());
}

/// The 表三 rows of 004.html (from 本年新收 to the end of 结转下年度继续办理's row) rewritten by `edit`.
fn table_three_rows_of_004_edited(edit: impl Fn(&str) -> String) -> (serde_json::Value, serde_json::Value) {
    let html = std::fs::read_to_string(fixtures_root().join("parse/html/004.html")).expect("fixture");
    let start = html.find("<td colspan=\"3\" style=\"text-align:center;\">一、本年新收").expect("fixture changed");
    let last = html.find("四、结转下年度继续办理").expect("fixture changed");
    let end = last + html[last..].find("</tr>").expect("fixture changed") + "</tr>".len();
    let page = format!("{}{}{}", &html[..start], edit(&html[start..end]), &html[end..]);
    let json = nianbao_parse::to_json(&nianbao_parse::parse_bytes("004.html", page.as_bytes()).expect("parses"));
    let original = nianbao_parse::to_json(&nianbao_parse::parse_bytes("004.html", html.as_bytes()).expect("parses"));
    (json[0]["applications"].clone(), original[0]["applications"].clone())
}

/// A photograph's page edge or a frame drawn twice gives every grid row one more cell, blank, right
/// of 总计. The rows are read from their right end, so that cell must not count as a column.
#[test]
fn a_blank_grid_column_right_of_the_total_is_no_column_of_table_three() {
    let (read, original) = table_three_rows_of_004_edited(|rows| rows.replace("</tr>", "<td>&nbsp;</td></tr>"));
    assert_eq!(read, original);
    assert_eq!(read["new_received"][6], 2);
}

/// OCR reads a number under a seal as `二3` or `.6`: that cell is a number not read, in its column,
/// not a second label that would leave the row short of cells.
#[test]
fn a_misread_number_in_a_grid_row_keeps_the_numbers_after_it_in_their_columns() {
    // The first `2` is 本年新收's 自然人, the first `0` 上年结转's.
    let (read, original) = table_three_rows_of_004_edited(|rows| rows.replacen(">2</td>", ">二3</td>", 1).replacen(">0</td>", ">.6</td>", 1));
    assert_eq!(read["new_received"][0], serde_json::Value::Null);
    assert_eq!(read["new_received"][6], original["new_received"][6]);
    assert_eq!(read["carried_over"][0], serde_json::Value::Null);
    assert_eq!(read["carried_over"][6], original["carried_over"][6]);
    assert_eq!(read["granted"], original["granted"]);
}

/// A cell OCR made a word of (`H中` for a `0` under a seal) right after a row's label: the row's
/// cells after its label are its seven columns, so it is a number not read, in its column. A
/// guess from such a cell (`区0`) is for the arithmetic of an OCR reading: in a web page it stays
/// unread.
#[test]
fn a_word_in_place_of_a_number_keeps_the_row_in_its_columns_and_is_not_guessed_outside_ocr() {
    // 本年新收 is `2`, blanks, `2`: its 自然人 becomes `H中`, its 商业企业 `1`; 上年结转's 自然人 `0`
    // becomes `区0`.
    let (read, original) = table_three_rows_of_004_edited(|rows| rows.replacen(">2</td>", ">H中</td>", 1).replacen(">&nbsp;</td>", ">1</td>", 1).replacen(">0</td>", ">区0</td>", 1));
    assert_eq!(read["new_received"], serde_json::json!([null, 1, null, null, null, null, 2]));
    assert_eq!(read["carried_over"][0], serde_json::Value::Null);
    assert_eq!(read["carried_over"][6], original["carried_over"][6]);
    assert_eq!(read["granted"], original["granted"]);
}

/// A long label wrapped into a grid row of its own under its row's numbers (`5.要求行政机` over
/// `关确认或重新出具已获取信息` in a scan): the numbers, placed by order, are that row's; the label's
/// second line, a row with no number, does not blank them.
#[test]
fn a_label_wrapped_into_a_blank_grid_row_does_not_blank_the_numbers_above_it() {
    let blank = "<td style=\"text-align:center;\">&nbsp;</td>".repeat(7);
    let (read, original) = table_three_rows_of_004_edited(|rows| {
        let rows = rows.replacen("二、上年结转政府信息公开申请数量</td>", "二、上年结</td>", 1);
        let at = rows.find("二、上年结</td>").and_then(|k| rows[k..].find("</tr>").map(|e| k + e + "</tr>".len())).expect("fixture changed");
        format!("{}<tr><td colspan=\"3\">转政府信息公开申请数量</td>{blank}</tr>{}", &rows[..at], &rows[at..])
    });
    assert_eq!(read["carried_over"], original["carried_over"]);
    assert_eq!(read["carried_over"][6], 0);
    assert_eq!(read["granted"], original["granted"]);
}
