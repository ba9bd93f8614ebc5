//! The reader on renderings of the bundled reports as real pipelines hold them
//! (`tests/fixtures/classes/`, made by `tools/make-class-fixtures.py` with pandoc, w3m, lynx,
//! pdftotext and BeautifulSoup): every cell is scored right, null (abstained) or wrong against the
//! report's expected JSON, per class (the file-name prefix before the first `_`).
//!
//! A wrong number is worse than a null: no class may have a single wrong cell. Each class must
//! also read at least the share of cells it reads today, so the reader cannot quietly regress.

use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn classes_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/classes")
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
    fn total(&self) -> usize {
        self.right + self.null + self.wrong
    }
    fn right_share(&self) -> f64 {
        self.right as f64 / self.total().max(1) as f64
    }
}

/// Least share of cells read right per class (measured, rounded down): a floor against regressions.
const FLOORS: &[(&str, f64)] = &[
    ("gettextnl", 0.995),
    ("gfm", 0.995),
    ("gfmhtml", 0.995),
    ("lynx", 0.995),
    ("markitdown", 0.995),
    ("oneline", 0.995),
    ("pandocdocx", 0.995),
    ("pdflayout", 0.995),
    ("pdfraw", 0.995),
    ("plain", 0.91),
    ("textcontent", 0.995),
    ("tight", 0.98),
    ("w3m", 0.995),
];

#[test]
fn every_class_reads_right_or_abstains_never_wrong() {
    let dir = classes_dir();
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir).expect("tests/fixtures/classes").flatten().map(|e| e.path()).collect();
    files.sort();
    let mut scores: BTreeMap<String, Score> = BTreeMap::new();
    for doc in files.iter().filter(|p| !p.to_string_lossy().ends_with(".json")) {
        let name = doc.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
        let class = name.split('_').next().unwrap_or_default().to_string();
        let stem = name.rsplit_once('.').map(|(s, _)| s).unwrap_or(&name);
        let expected: Value = serde_json::from_str(&std::fs::read_to_string(dir.join(format!("{stem}.expected.json"))).expect("expected json")).expect("json");
        let expected = expected.as_array().cloned().unwrap_or_default();
        let s = scores.entry(class).or_default();
        s.docs += 1;
        let actual = match nianbao_parse::parse_file(doc) {
            Ok(d) => nianbao_parse::to_json(&d).as_array().cloned().unwrap_or_default(),
            Err(_) => {
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
    let mut report = String::new();
    for (class, s) in &scores {
        report.push_str(&format!(
            "{class:12} docs {:3} failed {:3}  right {:6.2}%  null {:6.2}%  wrong {:6.2}%\n",
            s.docs,
            s.failed,
            100.0 * s.right_share(),
            100.0 * s.null as f64 / s.total().max(1) as f64,
            100.0 * s.wrong as f64 / s.total().max(1) as f64
        ));
    }
    println!("{report}");
    assert!(scores.len() >= 8, "too few classes in {}: {report}", dir.display());
    let wrong: Vec<&String> = scores.values().flat_map(|s| s.wrong_cells.iter()).collect();
    assert!(wrong.is_empty(), "{} wrong cells:\n{}\n{report}", wrong.len(), wrong.iter().take(40).map(|s| s.as_str()).collect::<Vec<_>>().join("\n"));
    for (class, floor) in FLOORS {
        if let Some(s) = scores.get(*class) {
            assert!(s.right_share() >= *floor, "class {class} reads {:.2}% right, below its floor {:.2}%\n{report}", 100.0 * s.right_share(), 100.0 * floor);
        }
    }
}
