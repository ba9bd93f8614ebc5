//! The reader on renderings of the bundled reports as real pipelines hold them
//! (`tests/fixtures/classes/`, made by `tools/make-class-fixtures.py` with pandoc, w3m, lynx,
//! pdftotext and BeautifulSoup): every cell is scored right, null (abstained) or wrong against the
//! report's expected JSON, per class (the file-name prefix before the first `_`).
//!
//! A wrong number is worse than a null: no class may have a single wrong cell. Each class must
//! also read at least the share of cells it reads today, so the reader cannot quietly regress.

mod common;

use std::path::{Path, PathBuf};

fn classes_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/classes")
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
    let scores = common::score_dir(&dir, |_, doc| {
        nianbao_parse::parse_file(doc).map(|d| nianbao_parse::to_json(&d).as_array().cloned().unwrap_or_default()).map_err(|e| e.to_string())
    });
    let report = common::table(&scores);
    println!("{report}");
    assert!(scores.len() >= 8, "too few classes in {}: {report}", dir.display());
    common::assert_never_wrong_and_above(&scores, FLOORS, &report);
}
