//! The report page's cells read from an image (OCR, issue 15): every cell OCR read or could not
//! confirm, named in the agency's terms, with what was read, the crop of the page image around
//! it (`/reports/{id}/crop`, office accounts only) and, for the office, a form to type the right
//! value (`/reports/{id}/corrections`). A correction is kept by `nianbao_store::corrections` as a
//! new version of the reading, then the report is checked again with it.

use crate::auth::{Auth, CsrfForm};
use crate::crop::{self, CropError, Place};
use crate::pages::{self, Loaded};
use crate::{AppState, WebError};
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use nianbao_model::{layout, CellMark, Layout, ParsedReport, ReadHow, Span, TableId};
use nianbao_parse::ParsedDocument;
use nianbao_store::corrections::{self, Correction};
use nianbao_write::place::{cells_in_agency_terms, CellId};
use serde::Deserialize;

/// One cell read from an image, as the report page lists it.
#[derive(Debug, Clone)]
pub struct OcrCell {
    pub table: String,
    pub row: String,
    pub column: usize,
    /// `表三“（一）予以公开”行“自然人”列`.
    pub place: String,
    /// What OCR read (for a nulled cell the reading the arithmetic did not confirm), or the
    /// reviewer's value.
    pub reading: String,
    /// The value the report now holds (empty: null).
    pub value: String,
    /// Null: OCR's reading was not confirmed (or nothing was read).
    pub doubtful: bool,
    /// Corrected by a reviewer.
    pub corrected: bool,
    /// The reader's warning about the cell (the candidates), when there is one.
    pub note: String,
    /// The crop's address, when the cell has a page and box.
    pub crop: Option<String>,
    /// An anchor for the row of the list.
    pub anchor: String,
}

/// A correction as the page's history shows it.
pub struct CorrectionView {
    pub who: String,
    pub when: String,
    pub place: String,
    pub old: String,
    pub new: String,
}

impl CorrectionView {
    pub fn of(c: &Correction, layout: Layout) -> CorrectionView {
        CorrectionView {
            who: c.user.clone().unwrap_or_else(|| "（未知）".into()),
            when: crate::cycle::china_time(&c.at),
            place: place(c.table, &c.row, c.column, layout),
            old: if c.old_value.is_empty() { "（空）".into() } else { c.old_value.clone() },
            new: corrections::shown(c.new_value),
        }
    }
}

fn place(table: TableId, row: &str, column: usize, layout: Layout) -> String {
    cells_in_agency_terms(&[CellId { table, row: row.to_string(), column }], layout)
}

/// The report of `doc` the stored report is: the one with the same agency and year, else the first
/// (as the source view finds it).
pub fn report_in<'a>(doc: &'a ParsedDocument, loaded: &Loaded) -> Option<&'a ParsedReport> {
    doc.reports.iter().find(|p| p.report.year.map(i64::from) == loaded.detail.year && p.report.agency == loaded.report.agency).or_else(|| doc.reports.first())
}

fn boxed(span: Option<Span>) -> Option<(u32, [i32; 4])> {
    span.and_then(|s| Some((s.page?, s.bbox?)))
}

/// Where a cell is on its page: its own box; for a cell OCR read nothing in (a digit lost in
/// noise), the box its row and column meet in — the height of a cell of its row, the width of a
/// cell of its column on the same page; for a row OCR lost whole (no cell of it has a place), the
/// band from the row above it to the row below it on their page, so the reviewer sees the lost
/// row between its neighbours.
pub fn place_of(report: &nianbao_model::Report, table: TableId, row: &str, column: usize) -> Option<Place> {
    let t = report.table(table);
    let def = layout::row_def(table, report.effective_layout(), row)?;
    if column >= def.fields.len() {
        return None;
    }
    let own = t.row(row).and_then(|r| r.cells.iter().find_map(|c| boxed(c.span)).map(|b| (r, b)));
    if let Some((r, (page, across))) = own {
        if let Some(b) = boxed(r.cells.get(column)?.span) {
            return Some(Place { page: b.0, bbox: b.1 });
        }
        let (_, down) = t.rows.iter().filter_map(|o| o.cells.get(column).and_then(|c| boxed(c.span))).find(|(p, _)| *p == page)?;
        return Some(Place { page, bbox: [down[0], across[1], down[2], across[3]] });
    }
    // The rows around it in the layout's order, by the boxes of their cells.
    let order = layout::rows(table, report.effective_layout());
    let at = order.iter().position(|d| d.key == row)?;
    let band = |key: &str| -> Option<(u32, [i32; 4])> {
        let boxes: Vec<(u32, [i32; 4])> = t.row(key)?.cells.iter().filter_map(|c| boxed(c.span)).collect();
        let page = boxes.first()?.0;
        let on: Vec<[i32; 4]> = boxes.iter().filter(|(p, _)| *p == page).map(|(_, b)| *b).collect();
        Some((page, [on.iter().map(|b| b[0]).min()?, on.iter().map(|b| b[1]).min()?, on.iter().map(|b| b[2]).max()?, on.iter().map(|b| b[3]).max()?]))
    };
    let above = order[..at].iter().rev().find_map(|d| band(d.key));
    let below = order[at + 1..].iter().find_map(|d| band(d.key));
    let (page, top, bottom) = match (above, below) {
        (Some((pa, a)), Some((pb, b))) if pa == pb && a[1] < b[3] => (pa, a[1], b[3]),
        // Its neighbours on two pages, or one of them lost too: three rows' height from the one found.
        (Some((pa, a)), _) => (pa, a[1], a[3] + 2 * (a[3] - a[1])),
        (None, Some((pb, b))) => (pb, b[1] - 2 * (b[3] - b[1]), b[3]),
        (None, None) => return None,
    };
    // Across: the column's cells on that page, else the width of the table's cells there.
    let column_boxes: Vec<[i32; 4]> = t.rows.iter().filter_map(|o| o.cells.get(column).and_then(|c| boxed(c.span))).filter(|(p, _)| *p == page).map(|(_, b)| b).collect();
    let all: Vec<[i32; 4]> = t.rows.iter().flat_map(|o| o.cells.iter().filter_map(|c| boxed(c.span))).filter(|(p, _)| *p == page).map(|(_, b)| b).collect();
    let across = if column_boxes.is_empty() { &all } else { &column_boxes };
    let (left, right) = (across.iter().map(|b| b[0]).min()?, across.iter().map(|b| b[2]).max()?);
    Some(Place { page, bbox: [left, top.max(0), right, bottom] })
}

/// Whether `table` holds anything read from an image (or corrected): its lost rows are then
/// OCR's to account for, not rows the report left out.
fn read_from_image(report: &nianbao_model::Report, table: TableId) -> bool {
    report.table(table).rows.iter().flat_map(|r| &r.cells).any(|c| matches!(c.how, ReadHow::Ocr | ReadHow::Reviewer))
}

/// Whether a cell of a table read from an image is one OCR lost: its row is missing, or the row
/// was read without any number placed in it (no cell of it has a place on the page).
fn lost_by_ocr(report: &nianbao_model::Report, table: TableId, row: &str, column: usize) -> bool {
    if !read_from_image(report, table) {
        return false;
    }
    match report.table(table).row(row) {
        None => true,
        Some(r) => r.cells.iter().all(|c| boxed(c.span).is_none()) && r.cells.get(column).is_some_and(|c| c.value.is_none() && c.mark == CellMark::Unreadable && !matches!(c.how, ReadHow::Ocr | ReadHow::Reviewer)),
    }
}

/// Every cell of `parsed` (with the corrections applied) read from an image or corrected, the
/// doubtful ones first, each in layout order. `office`: crops are offered.
pub fn ocr_cells(parsed: &ParsedReport, report_id: i64, office: bool) -> Vec<OcrCell> {
    let report = &parsed.report;
    let layout = report.effective_layout();
    let mut out = Vec::new();
    for table in TableId::ALL {
        for row in &report.table(table).rows {
            for (column, cell) in row.cells.iter().enumerate() {
                // A number OCR could not read that the arithmetic solved and checked is shown too:
                // it was not read, so the reviewer looks at the image.
                let solved = cell.how == ReadHow::Arithmetic && read_from_image(report, table);
                if !(matches!(cell.how, ReadHow::Ocr | ReadHow::Reviewer) || solved) {
                    continue;
                }
                let doubtful = cell.value.is_none() && cell.mark == CellMark::Unreadable;
                let note = cell.span.and_then(|s| parsed.warnings.iter().find(|w| w.span == Some(s))).map(|w| w.message.clone()).unwrap_or_default();
                let crop = (office && place_of(report, table, &row.key, column).is_some()).then(|| format!("/reports/{report_id}/crop?table={}&row={}&col={column}", table.key(), row.key));
                out.push(OcrCell {
                    table: table.key().to_string(),
                    row: row.key.clone(),
                    column,
                    place: place(table, &row.key, column, layout),
                    reading: cell.raw.clone().unwrap_or_default(),
                    value: cell.value.map(corrections::shown).unwrap_or_default(),
                    doubtful,
                    corrected: cell.how == ReadHow::Reviewer,
                    note,
                    crop,
                    anchor: format!("ocr-{}-{}-{column}", table.key(), row.key),
                });
            }
        }
    }
    // Rows OCR lost whole: every cell of them is doubtful, cropped between the rows around it.
    for table in TableId::ALL {
        for def in layout::rows(table, layout) {
            for column in 0..def.fields.len() {
                if !lost_by_ocr(report, table, def.key, column) {
                    continue;
                }
                let crop = (office && place_of(report, table, def.key, column).is_some()).then(|| format!("/reports/{report_id}/crop?table={}&row={}&col={column}", table.key(), def.key));
                out.push(OcrCell {
                    table: table.key().to_string(),
                    row: def.key.to_string(),
                    column,
                    place: place(table, def.key, column, layout),
                    reading: String::new(),
                    value: String::new(),
                    doubtful: true,
                    corrected: false,
                    note: "这一行没有从图片中识别出来".into(),
                    crop,
                    anchor: format!("ocr-{}-{}-{column}", table.key(), def.key),
                });
            }
        }
    }
    // Doubtful cells first: they are what the reviewer has to look at.
    out.sort_by_key(|c| !c.doubtful);
    out
}

/// Reads the stored file again (remembered when it was slow: OCR) and applies the report's
/// corrections; on a parse worker.
async fn parsed_with_corrections(state: &AppState, loaded: &Loaded) -> Result<ParsedReport, WebError> {
    let fixes = state.store.corrections_of(loaded.detail.id).await?;
    let store = state.store.clone();
    let path = loaded.detail.file.clone();
    let doc = state.config.guards().parse.run(move || store.parse_stored(std::path::Path::new(&path))).await?.map_err(|e| {
        eprintln!("警告：{e}");
        WebError::BadRequest("源文件无法读取，无法截取页面图像".into())
    })?;
    let mut parsed = report_in(&doc, loaded).cloned().ok_or(WebError::NotFound)?;
    corrections::apply(&mut parsed.report, &fixes);
    Ok(parsed)
}

#[derive(Deserialize)]
pub struct CropQuery {
    pub table: String,
    pub row: String,
    pub col: usize,
    /// `1`: the cell's box outlined in red.
    #[serde(default)]
    pub outline: Option<u8>,
}

/// A cell named by the request, checked against the layout.
fn cell_ref(layout: Layout, table: &str, row: &str, col: usize) -> Result<(TableId, String, usize), WebError> {
    let t = TableId::from_key(table).ok_or_else(|| WebError::BadRequest(format!("没有表格“{table}”")))?;
    let def = layout::row_def(t, layout, row).ok_or_else(|| WebError::BadRequest(format!("{}没有这一行", t.short_name())))?;
    if col >= def.fields.len() {
        return Err(WebError::BadRequest(format!("{}这一行没有第 {} 列", t.short_name(), col + 1)));
    }
    Ok((t, row.to_string(), col))
}

fn crop_error(e: CropError) -> WebError {
    match e {
        CropError::Failed(reason) => WebError::Internal(reason),
        other => WebError::BadRequest(other.to_string()),
    }
}

/// `/reports/{id}/crop?table=&row=&col=[&outline=1]`: the PNG crop of the page image around a
/// cell read from an image. Office accounts only; the file is the stored one of the report.
pub async fn crop(State(state): State<AppState>, auth: Auth, Path(id): Path<i64>, Query(q): Query<CropQuery>) -> Result<Response, WebError> {
    auth.require_office()?;
    let loaded = pages::load(&state, &auth, id).await?;
    let (table, row, col) = cell_ref(loaded.report.effective_layout(), &q.table, &q.row, q.col)?;
    let parsed = parsed_with_corrections(&state, &loaded).await?;
    let Some(place) = place_of(&parsed.report, table, &row, col) else {
        return Err(WebError::BadRequest("该单元格没有页面位置（不是从页面图像中识别的），无法截图".into()));
    };
    let page = place.page;
    // An image file: the boxes of all its text, from which the crop finds the scale OCR used.
    let boxes: Vec<[i32; 4]> = TableId::ALL
        .iter()
        .flat_map(|&t| &parsed.report.table(t).rows)
        .flat_map(|r| r.cells.iter().map(|c| c.span).chain([r.label_span]))
        .filter_map(|s| s.filter(|s| s.page == Some(page)).and_then(|s| s.bbox))
        .collect();
    let outlined = q.outline == Some(1);
    let path = loaded.detail.file.clone();
    let format = loaded.detail.format.clone().unwrap_or_default();
    let png = state
        .config
        .guards()
        .parse
        .run(move || -> Result<Vec<u8>, CropError> {
            let path = std::path::Path::new(&path);
            if format == "pdf" {
                crop::crop_pdf(path, place, outlined)
            } else {
                let bytes = std::fs::read(path).map_err(|e| CropError::Failed(format!("源文件无法读取：{e}")))?;
                crop::crop_image(&bytes, place, &boxes, outlined)
            }
        })
        .await?
        .map_err(crop_error)?;
    Ok(([(header::CONTENT_TYPE, "image/png"), (header::CACHE_CONTROL, "private, max-age=300")], png).into_response())
}

#[derive(Deserialize)]
pub struct CorrectForm {
    pub table: String,
    pub row: String,
    pub col: usize,
    pub value: String,
}

/// A number as a reviewer types it: digits with an optional decimal part, full-width digits and
/// thousands separators allowed.
pub fn parse_value(text: &str) -> Option<f64> {
    let t: String = text
        .trim()
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            '．' => '.',
            c => c,
        })
        .filter(|c| *c != ',' && *c != '，')
        .collect();
    if t.is_empty() || !t.chars().all(|c| c.is_ascii_digit() || c == '.') || t.starts_with('.') || t.ends_with('.') || t.matches('.').count() > 1 {
        return None;
    }
    t.parse::<f64>().ok().filter(|v| v.is_finite() && *v <= corrections::MAX_VALUE)
}

/// `POST /reports/{id}/corrections`: an office account's value for a cell read from an image.
/// Kept as a new version of the reading, then the report is checked again with it.
pub async fn correct(State(state): State<AppState>, Path(id): Path<i64>, f: CsrfForm<CorrectForm>) -> Result<Response, WebError> {
    let CsrfForm { auth, form } = f;
    auth.require_office()?;
    let loaded = pages::load(&state, &auth, id).await?;
    let (table, row, col) = cell_ref(loaded.report.effective_layout(), &form.table, &form.row, form.col)?;
    let value = parse_value(&form.value).ok_or_else(|| WebError::BadRequest(format!("“{}”不是有效的数字：请填写 0 或正数（可带小数）", form.value.chars().take(40).collect::<String>())))?;
    // Only a cell the reading has from an image (or corrected before) takes a correction.
    let parsed = parsed_with_corrections(&state, &loaded).await?;
    let read_from_image = parsed.report.table(table).cell(&row, col).is_some_and(|c| matches!(c.how, ReadHow::Ocr | ReadHow::Reviewer)) || lost_by_ocr(&parsed.report, table, &row, col);
    if !read_from_image {
        return Err(WebError::BadRequest("只能更正从图片中识别（OCR）的单元格".into()));
    }
    state.store.correct_cell(id, table, &row, col, value, Some(auth.user.id)).await?;
    let _held = state.config.guards().parse.hold().await?;
    state.store.recheck_file(&loaded.detail.file, loaded.detail.agency_id).await?;
    Ok(Redirect::to(&format!("/reports/{id}?notice=corrected#ocr-{}-{row}-{col}", table.key())).into_response())
}

#[cfg(test)]
mod tests {
    use super::{parse_value, place_of};
    use nianbao_model::{Cell, Report, Row, Span, TableId};

    #[test]
    fn a_cell_ocr_read_nothing_in_is_placed_where_its_row_and_column_meet() {
        let at = |page: u32, bbox: [i32; 4]| Cell { span: Some(Span { page: Some(page), bbox: Some(bbox), ..Span::default() }), ..Cell::number(1.0) };
        // The 2019 layout: three columns in each of these rows.
        let mut report = Report { layout: Some(nianbao_model::Layout::L2019), ..Report::default() };
        let row = |key: &str, cells: Vec<Cell>| Row { key: key.into(), cells, label: None, label_span: None };
        report.active_disclosure.rows.push(row("rules", vec![at(1, [100, 1000, 200, 1100]), at(1, [300, 1000, 400, 1100]), at(1, [500, 1000, 600, 1100])]));
        report.active_disclosure.rows.push(row("licensing", vec![at(1, [100, 2000, 200, 2100]), at(1, [300, 2000, 400, 2100]), Cell::unreadable()]));
        report.active_disclosure.rows.push(row("penalty", vec![Cell::unreadable(); 3]));
        let own = place_of(&report, TableId::ActiveDisclosure, "rules", 1).unwrap();
        assert_eq!((own.page, own.bbox), (1, [300, 1000, 400, 1100]));
        let met = place_of(&report, TableId::ActiveDisclosure, "licensing", 2).unwrap();
        assert_eq!((met.page, met.bbox), (1, [500, 2000, 600, 2100]));
        // A row with no box, only a row above it: from that row down three rows' height.
        let lost = place_of(&report, TableId::ActiveDisclosure, "penalty", 0).unwrap();
        assert_eq!((lost.page, lost.bbox), (1, [100, 2000, 200, 2300]));
        // With a row below it on the same page: the band from the one to the other.
        report.active_disclosure.rows.push(row("coercion", vec![at(1, [110, 4000, 190, 4100]), Cell::unreadable(), Cell::unreadable()]));
        let lost = place_of(&report, TableId::ActiveDisclosure, "penalty", 0).unwrap();
        assert_eq!((lost.page, lost.bbox), (1, [100, 2000, 200, 4100]));
        // A row missing from the reading altogether is placed the same way.
        let missing = place_of(&report, TableId::ActiveDisclosure, "normative_documents", 2).unwrap();
        assert_eq!((missing.page, missing.bbox), (1, [500, 1000, 600, 2100]));
        assert!(place_of(&report, TableId::ActiveDisclosure, "licensing", 5).is_none());
        assert!(place_of(&Report::default(), TableId::ActiveDisclosure, "penalty", 0).is_none(), "no box anywhere");
    }

    #[test]
    fn a_number_the_arithmetic_solved_on_a_scan_is_listed_with_its_note() {
        use nianbao_model::{ParsedReport, ReadHow, ReadWarning};
        let span = |start: usize| Some(Span { start, end: start + 1, page: Some(1), bbox: Some([0, 0, 10, 10]), ..Span::default() });
        let mut parsed = ParsedReport::default();
        let read = Cell { how: ReadHow::Ocr, span: span(0), ..Cell::number(3.0) };
        let solved = Cell { how: ReadHow::Arithmetic, span: span(2), ..Cell::number(0.0) };
        parsed.report.applications.rows.push(Row { key: "carried_over".into(), cells: vec![read, solved], label: None, label_span: None });
        parsed.warnings.push(ReadWarning { message: "由表内勾稽关系推算为 0".into(), span: span(2) });
        let cells = super::ocr_cells(&parsed, 1, true);
        let listed = cells.iter().find(|c| c.row == "carried_over" && c.column == 1).expect("the solved cell is listed");
        assert_eq!((listed.value.as_str(), listed.note.as_str()), ("0", "由表内勾稽关系推算为 0"));
        assert!(listed.crop.is_some());
        // Recovered from the arithmetic in a table no image was read for: not an OCR cell.
        parsed.report.applications.rows[0].cells[0].how = ReadHow::Printed;
        assert!(!super::ocr_cells(&parsed, 1, true).iter().any(|c| c.row == "carried_over"));
    }

    #[test]
    fn typed_values() {
        assert_eq!(parse_value(" 12 "), Some(12.0));
        assert_eq!(parse_value("１２"), Some(12.0));
        assert_eq!(parse_value("1,234.5"), Some(1234.5));
        assert_eq!(parse_value("0"), Some(0.0));
        for bad in ["", "-1", "1e3", "NaN", "inf", "1.2.3", ".5", "五", "10000000000000"] {
            assert_eq!(parse_value(bad), None, "{bad}");
        }
    }
}
