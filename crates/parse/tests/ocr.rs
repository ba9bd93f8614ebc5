//! The OCR reader on scans and photographs of the bundled reports' tables (`tests/fixtures/ocr/`,
//! made by `tools/make-ocr-fixtures.py`): every cell is scored right, null or wrong against the
//! report's expected JSON, per class (the file-name prefix before the first `_`).
//!
//! No class may have a single wrong cell — the table's arithmetic must catch OCR's mistakes — and
//! each class must read at least the share of cells it reads today. Tesseract is an optional
//! system tool: without it the test prints a note and passes, unless `NIANBAO_REQUIRE_OCR` is set
//! (`.ci/run` installs it and sets it).

use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn ocr_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/ocr")
}

fn have_ocr() -> bool {
    match nianbao_ocr::available().and_then(|_| nianbao_ocr::pdftoppm_available()) {
        Ok(()) => true,
        Err(e) => {
            assert!(std::env::var_os("NIANBAO_REQUIRE_OCR").is_none(), "NIANBAO_REQUIRE_OCR is set but OCR is not available: {e}");
            println!("跳过：{e}");
            false
        }
    }
}

/// The leaves of a report that are scored: metadata and every table cell.
fn cells(report: &Value) -> BTreeMap<String, Value> {
    fn leaves(v: &Value, path: String, out: &mut BTreeMap<String, Value>) {
        match v {
            Value::Object(m) => m.iter().for_each(|(k, v)| leaves(v, format!("{path}.{k}"), out)),
            Value::Array(a) => a.iter().enumerate().for_each(|(i, v)| leaves(v, format!("{path}[{i}]"), out)),
            other => {
                out.insert(path, other.clone());
            }
        }
    }
    let mut out = BTreeMap::new();
    for k in ["agency", "year", "layout", "published"] {
        if let Some(v) = report.get(k) {
            out.insert(k.to_string(), v.clone());
        }
    }
    for t in ["active_disclosure", "applications", "review_litigation"] {
        if let Some(v) = report.get(t) {
            leaves(v, t.to_string(), &mut out);
        }
    }
    out
}

fn same(a: &Value, b: &Value) -> bool {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => (x - y).abs() < 1e-6,
        _ => a == b,
    }
}

#[derive(Default, Debug)]
struct Score {
    right: usize,
    null: usize,
    wrong: usize,
    docs: usize,
    failed: usize,
    wrong_cells: Vec<String>,
}

impl Score {
    fn right_share(&self) -> f64 {
        self.right as f64 / (self.right + self.null + self.wrong).max(1) as f64
    }
}

/// Least share of cells read right per class (measured on 2026-11-30, rounded down).
const FLOORS: &[(&str, f64)] = &[("ocrclean", 0.98), ("ocrphoto", 0.0), ("ocrrot", 0.98), ("ocrscan", 0.69)];

#[test]
fn scans_and_photographs_read_right_or_abstain_never_wrong() {
    if !have_ocr() {
        return;
    }
    let dir = ocr_dir();
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir).expect("tests/fixtures/ocr").flatten().map(|e| e.path()).collect();
    files.sort();
    let mut scores: BTreeMap<String, Score> = BTreeMap::new();
    let mut ocr_cells = 0;
    for doc in files.iter().filter(|p| !p.to_string_lossy().ends_with(".json")) {
        let name = doc.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
        let class = name.split('_').next().unwrap_or_default().to_string();
        let stem = name.rsplit_once('.').map(|(s, _)| s).unwrap_or(&name);
        let expected: Value = serde_json::from_str(&std::fs::read_to_string(dir.join(format!("{stem}.expected.json"))).expect("expected json")).expect("json");
        let expected = expected.as_array().cloned().unwrap_or_default();
        let s = scores.entry(class).or_default();
        s.docs += 1;
        let parsed = match nianbao_parse::parse_file(doc) {
            Ok(d) => d,
            Err(e) => {
                println!("{name}: {e}");
                s.failed += 1;
                s.null += expected.iter().map(|e| cells(e).len()).sum::<usize>();
                continue;
            }
        };
        // Every number read from the image says so, with its page and box.
        for r in &parsed.reports {
            for t in nianbao_model::TableId::ALL {
                for row in &r.report.table(t).rows {
                    for c in row.cells.iter().filter(|c| c.value.is_some()) {
                        assert_eq!(c.how, nianbao_model::ReadHow::Ocr, "{name} {}: {c:?}", row.key);
                        let span = c.span.expect("span");
                        assert!(span.page.is_some() && span.bbox.is_some(), "{name} {}: {span:?}", row.key);
                        ocr_cells += 1;
                    }
                }
            }
        }
        let actual = nianbao_parse::to_json(&parsed).as_array().cloned().unwrap_or_default();
        for (i, e) in expected.iter().enumerate() {
            let want = cells(e);
            let got = actual.get(i).map(cells).unwrap_or_default();
            for (k, v) in &want {
                match got.get(k) {
                    Some(g) if same(v, g) => s.right += 1,
                    None | Some(Value::Null) => s.null += 1,
                    Some(g) => {
                        s.wrong += 1;
                        s.wrong_cells.push(format!("{name}[{i}] {k}: expected {v}, got {g}"));
                    }
                }
            }
            for (k, g) in &got {
                if !want.contains_key(k) && !g.is_null() {
                    s.wrong += 1;
                    s.wrong_cells.push(format!("{name}[{i}] {k}: unexpected {g}"));
                }
            }
        }
    }
    let mut report = String::new();
    for (class, s) in &scores {
        let total = (s.right + s.null + s.wrong).max(1) as f64;
        report.push_str(&format!(
            "{class:12} docs {:3} failed {:3}  right {:6.2}%  null {:6.2}%  wrong {:6.2}%\n",
            s.docs,
            s.failed,
            100.0 * s.right_share(),
            100.0 * s.null as f64 / total,
            100.0 * s.wrong as f64 / total
        ));
    }
    println!("{report}");
    assert!(scores.len() >= 4, "too few classes in {}: {report}", dir.display());
    assert!(ocr_cells > 100, "only {ocr_cells} numbers read by OCR\n{report}");
    let wrong: Vec<&String> = scores.values().flat_map(|s| s.wrong_cells.iter()).collect();
    assert!(wrong.is_empty(), "{} wrong cells:\n{}\n{report}", wrong.len(), wrong.iter().take(40).map(|s| s.as_str()).collect::<Vec<_>>().join("\n"));
    for (class, floor) in FLOORS {
        let s = scores.get(*class).unwrap_or_else(|| panic!("no fixtures of class {class}"));
        assert!(s.right_share() >= *floor, "class {class} reads {:.2}% right, below its floor {:.2}%\n{report}", 100.0 * s.right_share(), 100.0 * floor);
    }
}

#[test]
fn a_photo_that_is_not_an_image_is_a_clear_error() {
    if !have_ocr() {
        return;
    }
    // PNG magic, then garbage: refused as a broken image, naming the file.
    let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
    bytes.extend_from_slice(&[7u8; 64]);
    let err = nianbao_parse::parse_bytes("表三.png", &bytes).unwrap_err().to_string();
    assert!(err.contains("表三.png") && err.contains("图片"), "{err}");
}
