//! The OCR reader on scans and photographs of the bundled reports' tables (`tests/fixtures/ocr/`,
//! made by `tools/make-ocr-fixtures.py`): every cell is scored right, null or wrong against the
//! report's expected JSON, per class (the file-name prefix before the first `_`).
//!
//! No class may have a single wrong cell — the table's arithmetic must catch OCR's mistakes — and
//! each class must read at least the share of cells it reads today. Tesseract is an optional
//! system tool: without it the test prints a note and passes, unless `NIANBAO_REQUIRE_OCR` is set
//! (`.ci/run` installs it and sets it).

mod common;

use std::path::{Path, PathBuf};

fn ocr_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/ocr")
}


/// Least share of cells read right per class (measured on 2026-11-30, rounded down). `ocrphoto`
/// (every table page photographed in perspective) read 80.0% after the perspective correction,
/// 84.0% later, 85.7% with digits guessed from misread cells for the arithmetic to confirm, 89.2%
/// once a label wrapped into a blank grid row no longer blanked its row (0.88); filling cells the
/// reader placed no word in would read 90.9%, but such a value has no place on the page; 97.3% once
/// the pieces of a faint photographed row line were joined and a wide table was levelled by its
/// own rows (2026-12-01, 0.96). `ocrjpeg` (one page holding the top of 表三, 31% of the
/// report's cells) read 0% while a blank grid column right of 总计 pushed its rows one column left,
/// 27.5% since, 30.9% with guessed digits (0.29). `ocrchrome` (a clean scan of a Chromium print, whose oval zeros the English
/// model reads as `6`) read 62.2% with one second reading and 99.0% with two (`digits::reconcile`).
/// `ocrscan` read 90.6%, and 98.3% once numbers not read or misread under the seal were solved from
/// one relation and checked by another (`trust::fill_lost_cells`); 97.8% since the joined row lines
/// changed what Tesseract made of a header under the seal (one row lost).
const FLOORS: &[(&str, f64)] = &[("ocrchrome", 0.97), ("ocrclean", 0.99), ("ocrjpeg", 0.29), ("ocrphoto", 0.96), ("ocrrot", 0.99), ("ocrscan", 0.97)];

#[test]
fn scans_and_photographs_read_right_or_abstain_never_wrong() {
    if !common::have_ocr() {
        return;
    }
    let dir = ocr_dir();
    let mut ocr_cells = 0;
    let scores = common::score_dir(&dir, |name, doc| {
        let parsed = nianbao_parse::parse_file(doc).map_err(|e| e.to_string())?;
        // Every number read from the image says so, with its page and box; one OCR could not
        // read that the arithmetic solved says that, with a warning at its place.
        for r in &parsed.reports {
            for t in nianbao_model::TableId::ALL {
                for row in &r.report.table(t).rows {
                    for c in row.cells.iter().filter(|c| c.value.is_some()) {
                        let solved = c.how == nianbao_model::ReadHow::Arithmetic && r.warnings.iter().any(|w| w.span == c.span && w.message.contains("推算为"));
                        assert!(c.how == nianbao_model::ReadHow::Ocr || solved, "{name} {}: {c:?}", row.key);
                        let span = c.span.expect("span");
                        assert!(span.page.is_some() && span.bbox.is_some(), "{name} {}: {span:?}", row.key);
                        ocr_cells += 1;
                    }
                }
            }
        }
        Ok(nianbao_parse::to_json(&parsed).as_array().cloned().unwrap_or_default())
    });
    let report = common::table(&scores);
    println!("{report}");
    assert!(scores.len() >= 4, "too few classes in {}: {report}", dir.display());
    assert!(ocr_cells > 100, "only {ocr_cells} numbers read by OCR\n{report}");
    common::assert_never_wrong_and_above(&scores, FLOORS, &report);
}

#[test]
fn a_photo_that_is_not_an_image_is_a_clear_error() {
    if !common::have_ocr() {
        return;
    }
    // PNG magic, then garbage: refused as a broken image, naming the file.
    let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
    bytes.extend_from_slice(&[7u8; 64]);
    let err = nianbao_parse::parse_bytes("表三.png", &bytes).unwrap_err().to_string();
    assert!(err.contains("表三.png") && err.contains("图片"), "{err}");
}
