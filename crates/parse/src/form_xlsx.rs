//! The fill-in form written by `nianbao template` (XLSX), read back as a report: the tables from
//! the cells the form's grid puts them in (`nianbao_model::grid`, the same description the form
//! is drawn from), the prose from the 正文 sheet, agency, year, date and signature from 基本信息.
//!
//! The reader builds a text of the report as the form would print it — title, opening, the six
//! parts with the tables as rows, signature and date — and remembers for every piece the sheet
//! and cell it came from (`Source::with_cells`). Sections, title, period and signature are then
//! found by the same code as for any report, and every span carries its cell: findings on a form
//! name `表三!D6`, not a line of a text nobody sees.
//!
//! Unlike `nianbao render` (which refuses a form with a bad cell), checking reads what it can:
//! text in a number cell, a formula without a result or an error value leaves the cell null with
//! a warning naming the cell. A workbook that is not our form is refused with a Chinese message.

use crate::blocks::Block;
use crate::normalize::{identity_line, is_traditional, normalize};
use crate::{structure, ParseError, ParsedDocument};
use calamine::{Data, Reader};
use nianbao_model::grid::{self, Content, FORM_TOP};
use nianbao_model::layout::{self, Layout, TableId};
use nianbao_model::source::{FormCell, FormSheet};
use nianbao_model::{Cell, CellMark, ParsedReport, ReadHow, ReadWarning, Report, Row, Source, SECTION_HEADINGS as HEADINGS};
use std::io::Read;
use std::sync::Arc;

/// 基本信息: the rows (zero-based) of 机关名称, 报告年度, 发布日期, 落款机关 in column B.
const META_AGENCY: u32 = 1;
const META_YEAR: u32 = 2;
const META_PUBLISHED: u32 = 4;
const META_SIGNATURE: u32 = 5;
/// 正文: the opening is in row 2 (B3), part n in row 2 + n (B4…B9), its heading in column A.
const PROSE_OPENING: u32 = 2;

fn cell(sheet: FormSheet, row: u32, col: u32) -> FormCell {
    FormCell { sheet, row, col }
}

/// A ZIP package holding a workbook (`xl/workbook.xml`): an XLSX file, not a Word document.
/// Told by the entry names, which ZIP stores uncompressed, without opening the archive (a
/// hostile central directory is bounded by the DOCX reader, which reads the rest).
pub fn is_xlsx(bytes: &[u8]) -> bool {
    let has = |name: &[u8]| bytes.windows(name.len()).any(|w| w == name);
    has(b"xl/workbook.xml") && !has(b"word/document.xml")
}

fn not_form(file: &str, reason: impl Into<String>) -> ParseError {
    ParseError::Form { file: file.to_string(), reason: reason.into() }
}

/// Refuses a package whose entries would inflate beyond the limits before calamine reads it.
fn check_sizes(file: &str, bytes: &[u8], limits: &crate::Limits) -> Result<(), ParseError> {
    let corrupt = |e: &dyn std::fmt::Display| ParseError::Corrupt { file: file.to_string(), format: "Excel 工作簿", reason: e.to_string() };
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|e| corrupt(&e))?;
    if zip.len() > 10_000 {
        return Err(ParseError::Limit { file: file.to_string(), what: format!("ZIP 包含 {} 个条目", zip.len()) });
    }
    let mut total = 0u64;
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).map_err(|e| corrupt(&e))?;
        // Declared sizes may lie: count what inflates, one byte past the limit.
        let limit = limits.zip_entry_bytes.min(limits.zip_total_bytes.saturating_sub(total));
        let n = std::io::copy(&mut (&mut entry).take(limit + 1), &mut std::io::sink()).map_err(|e| corrupt(&e))?;
        if n > limit {
            return Err(ParseError::Limit { file: file.to_string(), what: format!("解压后超过 {} 上限", crate::limits::size(limits.zip_total_bytes.min(limits.zip_entry_bytes))) });
        }
        total += n;
    }
    Ok(())
}

/// The text of a cell as the form shows it.
fn shown(d: &Data) -> Option<String> {
    match d {
        Data::Empty => None,
        Data::String(s) => Some(s.trim().to_string()).filter(|s| !s.is_empty()),
        Data::Float(x) => Some(number_text(*x)),
        Data::Int(i) => Some(i.to_string()),
        Data::Bool(b) => Some(if *b { "TRUE" } else { "FALSE" }.into()),
        Data::DateTime(dt) => Some(dt.as_f64().to_string()),
        Data::DateTimeIso(s) | Data::DurationIso(s) => Some(s.clone()),
        Data::Error(e) => Some(format!("{e}")),
    }
}

fn number_text(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 9.0e15 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

/// What a value cell holds: the model cell, and why it is null when it is not a number.
fn value_cell(d: &Data, has_formula: bool) -> (Cell, Option<String>) {
    let given = |c: Cell| Cell { how: ReadHow::Given, ..c };
    let number = |x: f64, raw: Option<String>| (given(Cell { raw, ..Cell::number(x) }), None);
    let unreadable = |raw: Option<String>, why: String| (given(Cell { raw, ..Cell::unreadable() }), Some(why));
    match d {
        Data::Empty if has_formula => unreadable(None, "填的是公式，但没有计算结果（请在 Excel 中打开并保存后再提交）".into()),
        Data::Empty => (given(Cell::blank()), None),
        Data::Float(x) if x.is_finite() => number(*x, Some(number_text(*x))),
        Data::Int(i) => number(*i as f64, Some(i.to_string())),
        Data::String(s) => {
            let t = s.trim();
            if t.is_empty() {
                return (given(Cell::blank()), None);
            }
            if ["/", "／", "—", "-", "－", "——", "无"].contains(&t) {
                return (given(Cell { raw: Some(t.to_string()), mark: CellMark::Slash, ..Cell::default() }), None);
            }
            match t.replace([',', '，'], "").parse::<f64>() {
                Ok(x) if x.is_finite() => number(x, Some(t.to_string())),
                _ => unreadable(Some(t.to_string()), format!("应填数字，实为文字“{}”", t.chars().take(20).collect::<String>())),
            }
        }
        Data::Error(e) => unreadable(Some(format!("{e}")), format!("公式出错（{e}）")),
        Data::Bool(_) => unreadable(shown(d), "应填数字，实为逻辑值".into()),
        Data::Float(_) => unreadable(None, "不是有效的数字".into()),
        Data::DateTime(_) | Data::DateTimeIso(_) | Data::DurationIso(_) => unreadable(shown(d), "应填数字，实为日期".into()),
    }
}

/// An Excel date serial or a typed date as ISO.
fn date_of(d: &Data) -> Option<String> {
    let text = match d {
        Data::DateTime(dt) => return Some(nianbao_model::source::excel_date(dt.as_f64())),
        Data::DateTimeIso(s) => s.chars().take(10).collect(),
        Data::String(s) => s.clone(),
        _ => return None,
    };
    let digits: Vec<&str> = text.split(|c: char| !c.is_ascii_digit()).filter(|s| !s.is_empty()).collect();
    let [y, m, d] = digits.as_slice() else { return None };
    let (y, m, d): (i32, u32, u32) = (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
    ((2000..=2100).contains(&y) && (1..=12).contains(&m) && (1..=31).contains(&d)).then(|| format!("{y:04}-{m:02}-{d:02}"))
}

/// The text of the report being assembled, with the cell of every piece.
#[derive(Default)]
struct Text {
    text: String,
    cells: Vec<(u32, u32, FormCell)>,
    blocks: Vec<Block>,
    traditional: bool,
}

impl Text {
    fn prose(&mut self, line: &str, at: FormCell) {
        let start = self.text.len();
        self.text.push_str(line);
        self.cells.push((start as u32, self.text.len() as u32, at));
        self.text.push('\n');
        self.blocks.push(Block::prose(normalize(&identity_line(line, start), self.traditional)));
    }

    /// Every paragraph of a prose cell (a line break inside the cell starts one).
    fn paragraphs(&mut self, text: &str, at: FormCell) {
        for p in text.split('\n').map(|p| p.trim_end_matches('\r').trim()).filter(|p| !p.is_empty()) {
            self.prose(p, at);
        }
    }

    /// A table row: the pieces joined by " | ", each with its cell; returns their text ranges.
    fn row(&mut self, pieces: &[(String, Option<FormCell>)]) -> Vec<(usize, usize)> {
        let mut lines = Vec::new();
        let mut ranges = Vec::new();
        for (i, (t, at)) in pieces.iter().enumerate() {
            if i > 0 {
                self.text.push_str(" | ");
            }
            let start = self.text.len();
            self.text.push_str(t);
            if let Some(at) = at {
                self.cells.push((start as u32, self.text.len() as u32, *at));
            }
            ranges.push((start, self.text.len()));
            lines.push(identity_line(t, start));
        }
        self.text.push('\n');
        self.blocks.push(Block::from_cells(lines, true));
        ranges
    }
}

type Sheet = calamine::Range<Data>;


fn get(sheet: &Sheet, row: u32, col: u32) -> &Data {
    sheet.get_value((row, col)).unwrap_or(&Data::Empty)
}

/// Reads a filled form.
pub fn parse(file: &str, bytes: &[u8], limits: &crate::Limits) -> Result<ParsedDocument, ParseError> {
    check_sizes(file, bytes, limits)?;
    let mut wb = calamine::Xlsx::new(std::io::Cursor::new(bytes)).map_err(|e| ParseError::Corrupt { file: file.to_string(), format: "Excel 工作簿", reason: e.to_string() })?;
    let names = wb.sheet_names();
    if let Some(missing) = FormSheet::ALL.iter().map(|s| s.name()).find(|s| !names.iter().any(|n| n == s)) {
        return Err(not_form(file, format!("缺少工作表“{missing}”，请使用 nianbao template 生成的填报表")));
    }
    let mut sheet = |s: FormSheet| wb.worksheet_range(s.name()).map_err(|e| not_form(file, format!("工作表“{}”无法读取（{e}）", s.name())));
    let meta = sheet(FormSheet::Meta)?;
    let prose = sheet(FormSheet::Prose)?;
    let tables: Vec<Sheet> = TableId::ALL.iter().map(|&id| sheet(FormSheet::of_table(id))).collect::<Result<_, _>>()?;
    let formulas: Vec<Option<calamine::Range<String>>> = TableId::ALL.iter().map(|&id| wb.worksheet_formula(FormSheet::of_table(id).name()).ok()).collect();

    let year_cell = cell(FormSheet::Meta, META_YEAR, 1);
    let year = match get(&meta, META_YEAR, 1) {
        Data::Float(x) if x.fract() == 0.0 => Some(*x as i32),
        Data::Int(i) => i32::try_from(*i).ok(),
        Data::String(s) => s.trim().trim_end_matches('年').parse::<i32>().ok(),
        _ => None,
    };
    let Some(year) = year.filter(|y| (2000..=2100).contains(y)) else {
        return Err(not_form(file, format!("{year_cell}（报告年度）应为四位年份，如 2023")));
    };
    let layout = Layout::required_for(year);
    let text_at = |s: &Sheet, row: u32, col: u32| match get(s, row, col) {
        Data::String(t) => Some(t.replace("\r\n", "\n")).filter(|t| !t.trim().is_empty()),
        other => shown(other),
    };
    let agency = text_at(&meta, META_AGENCY, 1).map(|a| a.split_whitespace().collect::<String>());
    let published_data = get(&meta, META_PUBLISHED, 1);
    let published = date_of(published_data);
    let mut warnings = Vec::new();
    let mut pending_warnings: Vec<(String, FormCell)> = Vec::new();
    if published.is_none() {
        if let Some(t) = shown(published_data) {
            pending_warnings.push((format!("无法识别发布日期“{t}”，请写成 2024-01-30"), cell(FormSheet::Meta, META_PUBLISHED, 1)));
        }
    }

    // The tables must be drawn in the year's layout: their labels are where the grid puts them.
    for (k, &id) in TableId::ALL.iter().enumerate() {
        let g = grid::grid(id, layout);
        let wrong = g.cells.iter().find(|c| match &c.content {
            Content::Label(t) => shown(get(&tables[k], (c.row + FORM_TOP) as u32, c.col as u32)).as_deref() != Some(t.as_str()),
            _ => false,
        });
        if let Some(c) = wrong {
            let at = cell(FormSheet::of_table(id), (c.row + FORM_TOP) as u32, c.col as u32);
            return Err(not_form(file, format!("{at} 的表头与 {} 年版填报表不符（表头被改动，或不是 {year} 年度的填报表），请使用 nianbao template 生成的填报表", layout.as_str())));
        }
    }

    // The tables first: the text shows each value as the form does, totals computed.
    let mut report = Report { agency: agency.clone(), year: Some(year), layout: Some(layout), published: published.clone(), ..Report::default() };
    let mut formula_totals: Vec<(TableId, &'static str, usize)> = Vec::new();
    for (k, &id) in TableId::ALL.iter().enumerate() {
        let g = grid::grid(id, layout);
        for def in layout::rows(id, layout) {
            let mut cells = Vec::new();
            for col in 0..def.fields.len() {
                let Some((r, c)) = g.position(def.key, col) else {
                    cells.push(Cell { how: ReadHow::Given, ..Cell::blank() });
                    continue;
                };
                let (r, c) = ((r + FORM_TOP) as u32, c as u32);
                let at = cell(FormSheet::of_table(id), r, c);
                let has_formula = formulas[k].as_ref().and_then(|f| f.get_value((r, c))).is_some_and(|f| !f.trim().is_empty());
                let total = g.values().any(|(gc, v)| gc.row + FORM_TOP == r as usize && gc.col == c as usize && v.total);
                // A total is a formula by design, computed below from the entries as the formula
                // would (the cached result may be stale: a form filled by a program, or a blank
                // total cached as 0). A total typed over its formula is read as typed.
                let (value, why) = if total && has_formula {
                    formula_totals.push((id, def.key, col));
                    (Cell { how: ReadHow::Given, ..Cell::blank() }, None)
                } else {
                    value_cell(get(&tables[k], r, c), has_formula)
                };
                if let Some(why) = why {
                    let field = def.fields.get(col).map(|f| f.label).unwrap_or("");
                    pending_warnings.push((format!("{at}（{}“{}”行“{field}”列）：{why}，按空白处理", id.short_name(), def.printed()), at));
                }
                cells.push(value);
            }
            report.table_mut(id).rows.push(Row { key: def.key.to_string(), cells, label: Some(def.printed()), label_span: None });
        }
    }
    // The totals the form computes: blank while every entry is blank, else their sum; the
    // column sums first: they feed the row sum of （七）总计.
    formula_totals.sort_by_key(|(id, _, col)| u8::from(*id == TableId::Applications && *col == layout::APPLICATIONS_TOTAL_COLUMN));
    for (id, row, col) in formula_totals {
        let parts: Vec<Option<f64>> = grid::total_inputs(id, layout, row, col).into_iter().map(|(r, c)| report.table(id).value(r, c)).collect();
        if parts.iter().any(Option::is_some) {
            let sum: f64 = parts.into_iter().flatten().sum();
            if let Some(c) = report.table_mut(id).row_mut(row).and_then(|r| r.cells.get_mut(col)) {
                *c = Cell { how: ReadHow::Given, ..Cell::number(sum) };
            }
        }
    }

    let prose_text: String = (PROSE_OPENING..PROSE_OPENING + 7).filter_map(|r| text_at(&prose, r, 1)).collect::<Vec<_>>().join("\n");
    let mut t = Text { traditional: is_traditional(&prose_text), ..Text::default() };
    let agency_cell = cell(FormSheet::Meta, META_AGENCY, 1);
    t.prose(&format!("{}{year}年政府信息公开工作年度报告", agency.clone().unwrap_or_default()), agency_cell);
    let opening = cell(FormSheet::Prose, PROSE_OPENING, 1);
    match text_at(&prose, PROSE_OPENING, 1) {
        Some(p) => t.paragraphs(&p, opening),
        // A blank opening is written by `nianbao render` with the statistical period.
        None => t.prose(&format!("本报告所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。"), opening),
    }
    // (table, row key, column, text range) of every value cell.
    let mut placed: Vec<(TableId, &'static str, usize, (usize, usize))> = Vec::new();
    for (n, heading) in HEADINGS.iter().enumerate() {
        let row = PROSE_OPENING + 1 + n as u32;
        t.prose(heading, cell(FormSheet::Prose, row, 0));
        if let Some(body) = text_at(&prose, row, 1) {
            t.paragraphs(&body, cell(FormSheet::Prose, row, 1));
        }
        let Some(&id) = [None, Some(TableId::ActiveDisclosure), Some(TableId::Applications), Some(TableId::ReviewLitigation), None, None][n].as_ref() else { continue };
        let g = grid::grid(id, layout);
        for def in layout::rows(id, layout) {
            let mut pieces = vec![(def.printed(), None)];
            let mut cols = Vec::new();
            for col in 0..def.fields.len() {
                let Some((r, c)) = g.position(def.key, col) else { continue };
                let shown = report.table(id).cell(def.key, col).map(|c| c.raw.clone().or(c.value.map(number_text)).unwrap_or_default()).unwrap_or_default();
                pieces.push((shown, Some(cell(FormSheet::of_table(id), (r + FORM_TOP) as u32, c as u32))));
                cols.push(col);
            }
            let ranges = t.row(&pieces);
            placed.extend(cols.into_iter().zip(ranges.into_iter().skip(1)).map(|(col, range)| (id, def.key, col, range)));
        }
    }
    let signature_cell = cell(FormSheet::Meta, META_SIGNATURE, 1);
    match text_at(&meta, META_SIGNATURE, 1) {
        Some(s) => t.prose(s.trim(), signature_cell),
        None => {
            if let Some(a) = &agency {
                t.prose(a, agency_cell);
            }
        }
    }
    if let Some(p) = &published {
        let (y, rest) = p.split_at(4);
        let m: u32 = rest[1..3].parse().unwrap_or(1);
        let d: u32 = rest[4..6].parse().unwrap_or(1);
        t.prose(&format!("{y}年{m}月{d}日"), cell(FormSheet::Meta, META_PUBLISHED, 1));
    }

    let Text { text, cells, blocks, .. } = t;
    let source = Arc::new(Source::new(file, text, None).with_cells(cells.clone()));
    let span_of = |at: FormCell| cells.iter().find(|c| c.2 == at).map(|c| source.span(c.0 as usize, c.1 as usize));
    for (message, at) in pending_warnings {
        warnings.push(ReadWarning { message, span: span_of(at) });
    }
    for (id, key, col, (start, end)) in placed {
        if let Some(c) = report.table_mut(id).row_mut(key).and_then(|r| r.cells.get_mut(col)) {
            c.span = Some(source.span(start, end));
        }
    }
    crate::bound_values(&mut report, &mut warnings);

    let range = 0..blocks.len();
    let in_table = |i: usize| blocks[i].is_row();
    let sections = structure::sections(&blocks, range.clone(), &in_table, &source, 0);
    let meta = structure::meta(&blocks, range, &sections, 0, &source);
    let lines = blocks
        .iter()
        .map(|b| {
            let mut l = b.line.clone();
            l.is_table_row = b.is_row();
            l
        })
        .collect();
    let parsed = ParsedReport {
        report,
        title: meta.title,
        title_year: meta.title_year,
        period: meta.period,
        published_span: published.as_ref().and_then(|_| span_of(cell(FormSheet::Meta, META_PUBLISHED, 1))),
        published_from: published.as_ref().map(|_| "document"),
        signature: meta.signature,
        lines,
        sections,
        warnings,
        layout_evidence: TableId::ALL.iter().map(|&id| (id, layout)).collect(),
    };
    Ok(ParsedDocument { source, reports: vec![parsed], format: crate::decode::Format::Xlsx, encoding: "UTF-8" })
}
