//! The trust rule for numbers read by OCR: a number from an image is kept only when the table's
//! own arithmetic confirms it (a row's six applicant columns add up to its 总计, the outcomes add
//! up to （七）总计, 新收 + 上年结转 = 总计 + 结转下年度, each 表四 group adds up to its 总计), or when
//! Tesseract was very confident and no relation could contradict it (表二, which has none; a
//! number of 表三/表四 whose relations all miss a cell is not checked, so it is not kept — a cell
//! lost in a row shifts the rest, and every shifted number may be read with confidence). Every other OCR'd number becomes
//! null, with a warning giving what was read and, when one relation pins it down, the value the
//! arithmetic asks for — a reviewer decides, the reader never guesses.
//!
//! A relation that fails is blamed on the one cell whose value, solved from it, makes every other
//! relation of that cell hold, when exactly one cell can; else on every cell of it that fewer
//! than two relations confirm (a whole row read into the wrong row satisfies its own row total,
//! so one confirmation is not enough against a failing column); when none is left, on all.

use crate::OcrSpan;
use nianbao_model::{layout, CellMark, ParsedReport, ReadHow, ReadWarning, Report, TableId};
use std::collections::HashMap;

/// Confidence (Tesseract's 0–100) above which a number no relation checks is kept.
pub const HIGH_CONFIDENCE: f32 = 90.0;

/// Confidence every character of the agency's name must have been read with: a name has no
/// arithmetic to check it, and one wrong character names another agency.
pub const AGENCY_CONFIDENCE: f32 = 93.0;

/// The agency read by OCR is kept only when some place in the text where its name stands was read
/// with at least [`AGENCY_CONFIDENCE`]; else it is left out, with a warning.
pub fn vet_agency(parsed: &mut ParsedReport, ocr: &[OcrSpan], text: &str) {
    let Some(agency) = parsed.report.agency.clone() else { return };
    if agency.is_empty() {
        return;
    }
    let best = text.match_indices(agency.as_str()).filter_map(|(at, s)| confidence(ocr, at, at + s.len())).reduce(f32::max);
    if best.is_some_and(|k| k >= AGENCY_CONFIDENCE) {
        return;
    }
    let how = best.map(|k| format!("置信度 {k:.0}")).unwrap_or_else(|| "原文中找不到这一名称".into());
    parsed.warnings.push(ReadWarning { message: format!("机关名称“{agency}”是从图片中识别的（{how}），可能有错字，未采用；请核对原图"), span: None });
    parsed.report.agency = None;
}

/// A cell: table, index of the row in `table.rows`, column.
type Ref = (TableId, usize, usize);

/// `sum(lhs) == sum(rhs)`.
#[derive(Debug)]
struct Relation {
    lhs: Vec<Ref>,
    rhs: Vec<Ref>,
}

fn relations(report: &Report) -> Vec<Relation> {
    let mut out = Vec::new();
    let apps = &report.applications;
    let idx = |key: &str| apps.rows.iter().position(|r| r.key == key);
    for (i, row) in apps.rows.iter().enumerate() {
        if row.cells.len() == 7 {
            out.push(Relation { lhs: (0..6).map(|c| (TableId::Applications, i, c)).collect(), rhs: vec![(TableId::Applications, i, 6)] });
        }
    }
    let outcomes: Option<Vec<usize>> = layout::outcome_rows(report.effective_layout()).iter().map(|d| idx(d.key)).collect();
    for c in 0..7 {
        if let (Some(parts), Some(total)) = (&outcomes, idx("total_processed")) {
            out.push(Relation { lhs: parts.iter().map(|&r| (TableId::Applications, r, c)).collect(), rhs: vec![(TableId::Applications, total, c)] });
        }
        if let (Some(n), Some(k), Some(t), Some(f)) = (idx("new_received"), idx("carried_over"), idx("total_processed"), idx("carried_forward")) {
            out.push(Relation { lhs: vec![(TableId::Applications, n, c), (TableId::Applications, k, c)], rhs: vec![(TableId::Applications, t, c), (TableId::Applications, f, c)] });
        }
    }
    for (i, row) in report.review_litigation.rows.iter().enumerate() {
        if row.cells.len() == 5 {
            out.push(Relation { lhs: (0..4).map(|c| (TableId::ReviewLitigation, i, c)).collect(), rhs: vec![(TableId::ReviewLitigation, i, 4)] });
        }
    }
    out
}

fn value(report: &Report, r: Ref) -> Option<f64> {
    report.table(r.0).rows.get(r.1)?.cells.get(r.2)?.value
}

/// The lowest confidence of the OCR'd text in `start..end`, if any of it was OCR'd.
fn confidence(ocr: &[OcrSpan], start: usize, end: usize) -> Option<f32> {
    let from = ocr.partition_point(|s| (s.end as usize) <= start);
    ocr[from..].iter().take_while(|s| (s.start as usize) < end).map(|s| s.conf).reduce(f32::min)
}

fn fmt(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

/// Applies the trust rule to the tables of `parsed` (see the module's text).
pub fn vet(parsed: &mut ParsedReport, ocr: &[OcrSpan]) {
    let report = &mut parsed.report;
    let mut conf: HashMap<Ref, f32> = HashMap::new();
    for id in TableId::ALL {
        for (i, row) in report.table_mut(id).rows.iter_mut().enumerate() {
            let mut read = false;
            for (c, cell) in row.cells.iter_mut().enumerate() {
                let Some(span) = cell.span else { continue };
                let Some(k) = confidence(ocr, span.start, span.end) else { continue };
                cell.how = ReadHow::Ocr;
                read = true;
                if cell.value.is_some() {
                    conf.insert((id, i, c), k);
                }
            }
            // In a row read from an image, a cell without a number is one OCR did not read (a
            // digit lost in noise), not a cell the report left blank.
            if read {
                for cell in row.cells.iter_mut().filter(|c| c.value.is_none() && c.mark == CellMark::Blank) {
                    cell.how = ReadHow::Ocr;
                    cell.mark = CellMark::Unreadable;
                }
            }
        }
    }
    if conf.is_empty() {
        return;
    }
    let rels = relations(report);
    // Whether each relation whose cells all have values holds.
    let status: Vec<Option<bool>> = rels
        .iter()
        .map(|r| {
            let l: Option<Vec<f64>> = r.lhs.iter().map(|&x| value(report, x)).collect();
            let rr: Option<Vec<f64>> = r.rhs.iter().map(|&x| value(report, x)).collect();
            let (l, rr) = (l?, rr?);
            Some((l.iter().sum::<f64>() - rr.iter().sum::<f64>()).abs() < 1e-9)
        })
        .collect();
    // How many complete relations hold for each cell.
    let mut confirmed: HashMap<Ref, usize> = HashMap::new();
    for (r, s) in rels.iter().zip(&status) {
        if *s == Some(true) {
            for x in r.lhs.iter().chain(&r.rhs) {
                *confirmed.entry(*x).or_default() += 1;
            }
        }
    }
    // The value relation `r` asks of cell `x`, the others as read.
    let solve = |r: &Relation, x: Ref| -> f64 {
        let sum = |v: &[Ref]| v.iter().filter(|y| **y != x).filter_map(|&y| value(report, y)).sum::<f64>();
        if r.lhs.contains(&x) {
            sum(&r.rhs) - sum(&r.lhs)
        } else {
            sum(&r.lhs) - sum(&r.rhs)
        }
    };
    // Whether every other complete relation of `x` holds with `x` = `v` (and there is one).
    let explains = |r: usize, x: Ref, v: f64| -> bool {
        let mut others = 0;
        for (k, o) in rels.iter().enumerate() {
            if k == r || !(o.lhs.contains(&x) || o.rhs.contains(&x)) || status[k].is_none() {
                continue;
            }
            others += 1;
            if (solve(o, x) - v).abs() > 1e-9 {
                return false;
            }
        }
        others > 0
    };
    // Blamed cells, with the values failing relations ask for.
    let mut blamed: HashMap<Ref, Vec<f64>> = HashMap::new();
    for (k, (r, s)) in rels.iter().zip(&status).enumerate() {
        if *s != Some(false) {
            continue;
        }
        let cells: Vec<Ref> = r.lhs.iter().chain(&r.rhs).copied().filter(|x| conf.contains_key(x)).collect();
        let explainers: Vec<(Ref, f64)> = cells
            .iter()
            .map(|&x| (x, solve(r, x)))
            .filter(|&(x, v)| v >= 0.0 && v.fract() == 0.0 && explains(k, x, v))
            .collect();
        let suspects: Vec<(Ref, Option<f64>)> = if let [(x, v)] = explainers[..] {
            vec![(x, Some(v))]
        } else {
            let weak: Vec<(Ref, Option<f64>)> = cells.iter().filter(|x| confirmed.get(x).copied().unwrap_or(0) < 2).map(|&x| (x, None)).collect();
            if weak.is_empty() {
                cells.iter().map(|&x| (x, None)).collect()
            } else {
                weak
            }
        };
        for (x, want) in suspects {
            let entry = blamed.entry(x).or_default();
            if let Some(v) = want {
                if !entry.contains(&v) {
                    entry.push(v);
                }
            }
        }
    }
    // Cells some relation names, complete or not.
    let related: std::collections::HashSet<Ref> = rels.iter().flat_map(|r| r.lhs.iter().chain(&r.rhs).copied()).collect();
    let effective = report.effective_layout();
    let mut refs: Vec<(&Ref, &f32)> = conf.iter().collect();
    refs.sort_by_key(|(r, _)| (r.0 as u8, r.1, r.2));
    let mut warnings = Vec::new();
    let mut drop = Vec::new();
    for (&x, &k) in refs {
        let why = if let Some(wanted) = blamed.get(&x) {
            let read = value(report, x).map(fmt).unwrap_or_default();
            let mut candidates = vec![read.clone()];
            candidates.extend(wanted.iter().map(|v| fmt(*v)).filter(|v| *v != read));
            format!("从图片识别为 {read}（置信度 {k:.0}），与表内勾稽关系不符，已置空；候选值：{}", candidates.join("、"))
        } else if confirmed.contains_key(&x) || (k >= HIGH_CONFIDENCE && !related.contains(&x)) {
            continue;
        } else {
            let read = value(report, x).map(fmt).unwrap_or_default();
            let why = if related.contains(&x) { "所在的勾稽关系缺少数值，无法印证" } else { "没有勾稽关系可以印证且置信度不高" };
            format!("从图片识别为 {read}（置信度 {k:.0}），{why}，已置空；候选值：{read}")
        };
        let table = report.table(x.0);
        let Some(row) = table.rows.get(x.1) else { continue };
        let place = format!("{}“{}”列", layout::describe_row(x.0, effective, &row.key), layout::column_label(x.0, effective, &row.key, x.2));
        warnings.push(ReadWarning { message: format!("{place}：{why}"), span: row.cells.get(x.2).and_then(|c| c.span) });
        drop.push(x);
    }
    for x in drop {
        if let Some(cell) = report.table_mut(x.0).rows.get_mut(x.1).and_then(|r| r.cells.get_mut(x.2)) {
            cell.value = None;
            cell.mark = CellMark::Unreadable;
        }
    }
    parsed.warnings.extend(warnings);
}

/// What the trust rule did with one report's numbers read by OCR.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Audit {
    /// Numbers read by OCR (kept or nulled).
    pub read: usize,
    /// Kept, and a relation of the table holds over them.
    pub confirmed: usize,
    /// Kept on Tesseract's confidence alone (no complete relation checks them).
    pub by_confidence: usize,
    /// Nulled by the rule.
    pub nulled: usize,
}

/// Counts, for the benchmark, how the numbers of a report read by OCR fared.
pub fn audit(parsed: &ParsedReport) -> Audit {
    let report = &parsed.report;
    let rels = relations(report);
    let holds = |r: &Relation| -> bool {
        let l: Option<f64> = r.lhs.iter().map(|&x| value(report, x)).sum();
        let rr: Option<f64> = r.rhs.iter().map(|&x| value(report, x)).sum();
        matches!((l, rr), (Some(a), Some(b)) if (a - b).abs() < 1e-9)
    };
    let held: Vec<&Relation> = rels.iter().filter(|r| holds(r)).collect();
    let mut a = Audit::default();
    for id in TableId::ALL {
        for (i, row) in report.table(id).rows.iter().enumerate() {
            for (c, cell) in row.cells.iter().enumerate() {
                if cell.how != ReadHow::Ocr {
                    continue;
                }
                match cell.value {
                    Some(_) => {
                        a.read += 1;
                        if held.iter().any(|r| r.lhs.contains(&(id, i, c)) || r.rhs.contains(&(id, i, c))) {
                            a.confirmed += 1;
                        } else {
                            a.by_confidence += 1;
                        }
                    }
                    None if cell.mark == CellMark::Unreadable => {
                        a.read += 1;
                        a.nulled += 1;
                    }
                    None => {}
                }
            }
        }
    }
    a
}

#[cfg(test)]
mod tests {
    use super::*;
    use nianbao_model::{Cell, Row, Span};

    /// A 表三 whose every cell was read by OCR with confidence `k`, from `rows` (key, seven values).
    fn report(rows: &[(&str, [f64; 7])]) -> (ParsedReport, Vec<OcrSpan>) {
        let mut ocr = Vec::new();
        let mut report = Report { layout: Some(nianbao_model::Layout::L2021), ..Report::default() };
        let mut at = 0usize;
        for (key, values) in rows {
            let cells = values
                .iter()
                .map(|&v| {
                    let span = Span { start: at, end: at + 1, line: 0, column: 0, page: Some(1), bbox: None, cell: None };
                    ocr.push(OcrSpan { start: at as u32, end: at as u32 + 1, conf: 70.0 });
                    at += 2;
                    Cell { span: Some(span), ..Cell::number(v) }
                })
                .collect();
            report.applications.rows.push(Row { key: key.to_string(), cells, label: None, label_span: None });
        }
        (ParsedReport { report, ..ParsedReport::default() }, ocr)
    }

    fn full(misread: Option<(&str, usize, f64)>) -> Vec<(&'static str, [f64; 7])> {
        let mut rows: Vec<(&'static str, [f64; 7])> = layout::APPLICATIONS_2021.iter().map(|d| (d.key, [0.0; 7])).collect();
        let set = |rows: &mut Vec<(&'static str, [f64; 7])>, key: &str, v: [f64; 7]| {
            if let Some(r) = rows.iter_mut().find(|r| r.0 == key) {
                r.1 = v;
            }
        };
        set(&mut rows, "new_received", [9.0, 2.0, 0.0, 0.0, 0.0, 1.0, 12.0]);
        set(&mut rows, "carried_over", [1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0]);
        set(&mut rows, "granted", [6.0, 1.0, 0.0, 0.0, 0.0, 1.0, 8.0]);
        set(&mut rows, "unavailable_not_held", [3.0, 1.0, 0.0, 0.0, 0.0, 0.0, 4.0]);
        set(&mut rows, "total_processed", [9.0, 2.0, 0.0, 0.0, 0.0, 1.0, 12.0]);
        set(&mut rows, "carried_forward", [1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0]);
        if let Some((key, c, v)) = misread {
            if let Some(r) = rows.iter_mut().find(|r| r.0 == key) {
                r.1[c] = v;
            }
        }
        rows
    }

    #[test]
    fn numbers_the_arithmetic_confirms_are_kept_and_marked_as_ocr() {
        let (mut p, ocr) = report(&full(None));
        vet(&mut p, &ocr);
        assert!(p.warnings.is_empty(), "{:?}", p.warnings);
        let granted = p.report.applications.row("granted").unwrap();
        assert_eq!(granted.cells[6].value, Some(8.0));
        assert_eq!(granted.cells[6].how, ReadHow::Ocr);
    }

    #[test]
    fn a_misread_number_is_nulled_with_the_value_the_arithmetic_asks_for() {
        // 予以公开 自然人 6 read as 8: its row and its column fail, and only 6 in its place makes
        // both hold: that cell alone is blamed.
        let (mut p, ocr) = report(&full(Some(("granted", 0, 8.0))));
        vet(&mut p, &ocr);
        let granted = p.report.applications.row("granted").unwrap();
        assert_eq!(granted.cells[0].value, None);
        assert_eq!(granted.cells[6].value, Some(8.0), "the rest of the row is not blamed");
        assert_eq!(granted.cells[0].mark, CellMark::Unreadable);
        assert!(p.warnings.iter().any(|w| w.message.contains("从图片识别为 8") && w.message.contains("候选值：8、6")), "{:?}", p.warnings);
        // Nothing wrong is left: every kept value is the true one.
        let truth = full(None);
        for (row, (_, want)) in p.report.applications.rows.iter().zip(&truth) {
            for (cell, w) in row.cells.iter().zip(want) {
                assert!(cell.value.is_none() || cell.value == Some(*w), "{}: {:?} vs {w}", row.key, cell.value);
            }
        }
        // The untouched rows far from the misreading stay read.
        assert_eq!(p.report.applications.row("unavailable_not_held").unwrap().cells[6].value, Some(4.0));
    }

    #[test]
    fn a_number_no_relation_checks_is_kept_only_when_confident() {
        let mut p = ParsedReport::default();
        let span = |s: usize| Some(Span { start: s, end: s + 1, line: 0, column: 0, page: Some(1), bbox: None, cell: None });
        p.report.active_disclosure.rows.push(Row { key: "licensing".into(), cells: vec![Cell { span: span(0), ..Cell::number(12.0) }, Cell { span: span(2), ..Cell::number(7.0) }], label: None, label_span: None });
        let ocr = [OcrSpan { start: 0, end: 1, conf: 96.0 }, OcrSpan { start: 2, end: 3, conf: 60.0 }];
        vet(&mut p, &ocr);
        let cells = &p.report.active_disclosure.rows[0].cells;
        assert_eq!((cells[0].value, cells[1].value), (Some(12.0), None));
        assert_eq!(p.warnings.len(), 1);
        assert!(p.warnings[0].message.contains("置信度 60"), "{:?}", p.warnings);
    }

    #[test]
    fn a_confident_number_whose_relations_miss_a_cell_is_not_kept() {
        // 上年结转 read with its 总计 lost: the zeros cannot be checked, however confident.
        let mut rows = full(None);
        rows.retain(|r| r.0 == "carried_over");
        let (mut p, mut ocr) = report(&rows);
        ocr.iter_mut().for_each(|s| s.conf = 97.0);
        p.report.applications.rows[0].cells[6] = Cell::unreadable();
        vet(&mut p, &ocr);
        assert!(p.report.applications.rows[0].cells.iter().all(|c| c.value.is_none()), "{:?}", p.report.applications.rows[0]);
        assert!(p.warnings.iter().all(|w| w.message.contains("缺少数值")), "{:?}", p.warnings);
    }
}
