//! Scoring a directory of renderings per class, as `score-classes` does: every cell of each
//! report right, null (abstained) or wrong against the expected JSON; the class is the file-name
//! prefix before the first `_`. Shared by the class renderings (`classes.rs`), the scans (`ocr.rs`) and the
//! pictures inside documents (`pictures.rs`).

use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The leaves of a report that are scored: metadata and every table cell.
pub fn cells(report: &Value) -> BTreeMap<String, Value> {
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
pub struct Score {
    pub right: usize,
    pub null: usize,
    pub wrong: usize,
    pub docs: usize,
    pub failed: usize,
    pub wrong_cells: Vec<String>,
}

impl Score {
    fn total(&self) -> usize {
        self.right + self.null + self.wrong
    }
    pub fn right_share(&self) -> f64 {
        self.right as f64 / self.total().max(1) as f64
    }
}

/// The documents of `dir` (every file but the expected JSON), sorted.
pub fn documents(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())).flatten().map(|e| e.path()).collect();
    files.sort();
    files.retain(|p| !p.to_string_lossy().ends_with(".json"));
    files
}

/// Per-class scores of the documents of `dir`; `read` gives a document's reports as report-json
/// (`Err` when it could not be read: every expected cell counts as null).
pub fn score_dir(dir: &Path, mut read: impl FnMut(&str, &Path) -> Result<Vec<Value>, String>) -> BTreeMap<String, Score> {
    let mut scores: BTreeMap<String, Score> = BTreeMap::new();
    for doc in documents(dir) {
        let name = doc.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
        let class = name.split('_').next().unwrap_or_default().to_string();
        let stem = name.rsplit_once('.').map(|(s, _)| s).unwrap_or(&name);
        let expected: Value = serde_json::from_str(&std::fs::read_to_string(dir.join(format!("{stem}.expected.json"))).expect("expected json")).expect("json");
        let expected = expected.as_array().cloned().unwrap_or_default();
        let s = scores.entry(class).or_default();
        s.docs += 1;
        let actual = match read(&name, &doc) {
            Ok(a) => a,
            Err(e) => {
                println!("{name}: {e}");
                s.failed += 1;
                s.null += expected.iter().map(|e| cells(e).len()).sum::<usize>();
                continue;
            }
        };
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
    scores
}

/// The score lines, as `score-classes` prints them.
pub fn table(scores: &BTreeMap<String, Score>) -> String {
    let mut report = String::new();
    for (class, s) in scores {
        let total = s.total().max(1) as f64;
        report.push_str(&format!(
            "{class:12} docs {:3} failed {:3}  right {:6.2}%  null {:6.2}%  wrong {:6.2}%\n",
            s.docs,
            s.failed,
            100.0 * s.right_share(),
            100.0 * s.null as f64 / total,
            100.0 * s.wrong as f64 / total
        ));
    }
    report
}

/// No class has a wrong cell, and each class in `floors` reads at least its share right.
pub fn assert_never_wrong_and_above(scores: &BTreeMap<String, Score>, floors: &[(&str, f64)], report: &str) {
    let wrong: Vec<&String> = scores.values().flat_map(|s| s.wrong_cells.iter()).collect();
    assert!(wrong.is_empty(), "{} wrong cells:\n{}\n{report}", wrong.len(), wrong.iter().take(40).map(|s| s.as_str()).collect::<Vec<_>>().join("\n"));
    for (class, floor) in floors {
        let s = scores.get(*class).unwrap_or_else(|| panic!("no fixtures of class {class}"));
        assert!(s.right_share() >= *floor, "class {class} reads {:.2}% right, below its floor {:.2}%\n{report}", 100.0 * s.right_share(), 100.0 * floor);
    }
}

/// Whether Tesseract and pdftoppm are here; without them the OCR tests skip with a note, unless
/// `NIANBAO_REQUIRE_OCR` is set (as `.ci/run` does), where their absence fails the test.
#[allow(dead_code)] // classes.rs reads no scans
pub fn have_ocr() -> bool {
    match nianbao_ocr::available().and_then(|_| nianbao_ocr::pdftoppm_available()) {
        Ok(()) => true,
        Err(e) => {
            assert!(std::env::var_os("NIANBAO_REQUIRE_OCR").is_none(), "NIANBAO_REQUIRE_OCR is set but OCR is not available: {e}");
            println!("跳过：{e}");
            false
        }
    }
}
