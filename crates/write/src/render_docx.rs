//! The report as a Word document (docx-rs): A4 with the margins of ordinary government
//! documents (GB/T 9704: top 37 mm, bottom 35 mm, left 28 mm, right 26 mm), title in
//! 方正小标宋简体 二号, body in 仿宋_GB2312 三号 with a fixed 28 pt line, first-level headings in
//! 黑体, tables in 宋体 五号 with the official merges as real `gridSpan` / `vMerge`.

use crate::grid::{self, Content, Grid};
use crate::{prose, Document, WriteError, SECTION_HEADINGS};
use docx_rs::{
    AlignmentType, Docx, Footer, LineSpacing, LineSpacingType, PageMargin, PageNum, Paragraph, Run, RunFonts, SpecialIndentType, Table,
    TableAlignmentType, TableCell, TableLayoutType, TableRow, VAlignType, VMergeType, WidthType,
};
use nianbao_model::TableId;

pub(crate) const TITLE_FONT: &str = "方正小标宋简体";
pub(crate) const BODY_FONT: &str = "仿宋_GB2312";
pub(crate) const HEADING_FONT: &str = "黑体";
pub(crate) const TABLE_FONT: &str = "宋体";
/// Half-points: 二号 22 pt, 三号 16 pt, 五号 10.5 pt.
pub(crate) const TITLE_SIZE: usize = 44;
pub(crate) const BODY_SIZE: usize = 32;
pub(crate) const TABLE_SIZE: usize = 21;
/// Text width of A4 less the margins, in twentieths of a point.
pub(crate) const TEXT_WIDTH: usize = 11906 - 1588 - 1474;

pub(crate) fn fonts(name: &str) -> RunFonts {
    RunFonts::new().east_asia(name).ascii("Times New Roman").hi_ansi("Times New Roman")
}

pub(crate) fn exact(line: i32) -> LineSpacing {
    LineSpacing::new().line_rule(LineSpacingType::Exact).line(line)
}

pub(crate) fn body_paragraph(text: &str) -> Paragraph {
    let mut p = Paragraph::new();
    for (mark, t) in crate::split_marks(text) {
        let run = Run::new().add_text(t).fonts(fonts(BODY_FONT)).size(BODY_SIZE);
        // A passage the agency still has to write, highlighted as Word highlights a marker pen.
        p = p.add_run(if mark { run.highlight("yellow").bold() } else { run });
    }
    p.align(AlignmentType::Both)
        .indent(None, Some(SpecialIndentType::FirstLine(640)), None, None)
        .line_spacing(exact(560))
}

fn heading(text: &str) -> Paragraph {
    Paragraph::new()
        .add_run(Run::new().add_text(text).fonts(fonts(HEADING_FONT)).size(BODY_SIZE))
        .indent(None, Some(SpecialIndentType::FirstLine(640)), None, None)
        .line_spacing(exact(560))
}

pub(crate) fn right(text: &str) -> Paragraph {
    Paragraph::new()
        .add_run(Run::new().add_text(text).fonts(fonts(BODY_FONT)).size(BODY_SIZE))
        .align(AlignmentType::Right)
        .indent(None, None, Some(640), None)
        .line_spacing(exact(560))
}

pub(crate) fn cell_paragraph(text: &str, left: bool) -> Paragraph {
    Paragraph::new()
        .add_run(Run::new().add_text(text).fonts(fonts(TABLE_FONT)).size(TABLE_SIZE))
        .align(if left { AlignmentType::Left } else { AlignmentType::Center })
        .line_spacing(LineSpacing::new().line_rule(LineSpacingType::Auto).line(240).before(0).after(0))
}

fn table(doc: &Document, g: &Grid) -> Table {
    let total: u32 = g.widths.iter().sum();
    let widths: Vec<usize> = g.widths.iter().map(|w| (*w as usize) * TEXT_WIDTH / total as usize).collect();
    let span_width = |c: usize, n: usize| widths[c..c + n].iter().sum::<usize>();
    let mut rows = Vec::new();
    for r in 0..g.rows {
        let mut cells = Vec::new();
        let mut c = 0;
        while c < g.cols {
            let Some(cell) = g.covering(r, c) else {
                cells.push(TableCell::new().add_paragraph(cell_paragraph("", false)).width(widths[c], WidthType::Dxa));
                c += 1;
                continue;
            };
            let mut tc = TableCell::new().vertical_align(VAlignType::Center).width(span_width(cell.col, cell.colspan), WidthType::Dxa);
            if cell.colspan > 1 {
                tc = tc.grid_span(cell.colspan);
            }
            if cell.row == r {
                let (text, left) = match &cell.content {
                    Content::Label(t) => (t.clone(), g.table != TableId::ReviewLitigation && cell.col < 3 && cell.colspan < g.cols && cell.row > 0 && t.chars().count() > 8),
                    Content::Value(v) => (grid::value_of(&doc.report, g.table, v).map(crate::format_value).unwrap_or_default(), false),
                };
                tc = tc.add_paragraph(cell_paragraph(&text, left));
                if cell.rowspan > 1 {
                    tc = tc.vertical_merge(VMergeType::Restart);
                }
            } else {
                tc = tc.vertical_merge(VMergeType::Continue).add_paragraph(cell_paragraph("", false));
            }
            cells.push(tc);
            c = cell.col + cell.colspan;
        }
        rows.push(TableRow::new(cells).cant_split());
    }
    Table::new(rows).set_grid(widths).layout(TableLayoutType::Fixed).align(TableAlignmentType::Center).width(TEXT_WIDTH, WidthType::Dxa)
}

/// An A4 document with the margins and body font of government documents, opening with `title`.
pub(crate) fn titled_document(title: &str) -> Docx {
    blank_document().add_paragraph(title_paragraph(title))
}

/// An A4 document with the margins and fonts of government documents, still empty.
pub(crate) fn blank_document() -> Docx {
    Docx::new()
        .page_size(11906, 16838)
        .page_margin(PageMargin::new().top(2098).bottom(1984).left(1588).right(1474))
        .default_fonts(fonts(BODY_FONT))
        .default_size(BODY_SIZE)
}

pub(crate) fn title_paragraph(title: &str) -> Paragraph {
    Paragraph::new()
        .add_run(Run::new().add_text(title).fonts(fonts(TITLE_FONT)).size(TITLE_SIZE))
        .align(AlignmentType::Center)
        .line_spacing(LineSpacing::new().line_rule(LineSpacingType::Exact).line(700).after(300))
}

/// The page number centred in the footer as government documents print it: `— 1 —`.
fn page_number_footer() -> Footer {
    let text = |t: &str| Run::new().add_text(t).fonts(fonts("宋体")).size(28);
    Footer::new().add_paragraph(Paragraph::new().add_run(text("— ")).add_page_num(PageNum::new()).add_run(text(" —")).align(AlignmentType::Center))
}

/// How many rows at the top of a table are its header (the rows before the first figure):
/// they repeat on every page the table continues on.
fn header_rows(g: &Grid) -> usize {
    (0..g.rows).find(|&r| g.row_cells(r).iter().any(|c| matches!(c.content, Content::Value(_)))).unwrap_or(0)
}

/// Today as `2026-11-30T08:00:00Z`, for the document properties.
fn now_w3c() -> String {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    let days = (secs / 86_400) as i64;
    let (y, m, d) = civil_from_days(days);
    let t = secs % 86_400;
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", t / 3600, t / 60 % 60, t % 60)
}

/// The proleptic Gregorian date of a day count since 1970-01-01 (H. Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// The document properties Word shows under 文件 → 信息: title, author (the agency), subject
/// and dates (docx-rs only writes `unknown` and 1970).
fn core_xml(doc: &Document) -> String {
    let title = xml_escape(&prose::title(&doc.report));
    let agency = xml_escape(doc.report.agency.as_deref().unwrap_or(""));
    let now = now_w3c();
    let created = doc.report.published.as_deref().filter(|p| p.len() == 10).map(|p| format!("{p}T00:00:00Z")).unwrap_or_else(|| now.clone());
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<cp:coreProperties xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:dcterms=\"http://purl.org/dc/terms/\" xmlns:dcmitype=\"http://purl.org/dc/dcmitype/\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><dc:title>{title}</dc:title><dc:subject>政府信息公开工作年度报告</dc:subject><dc:creator>{agency}</dc:creator><cp:lastModifiedBy>{agency}</cp:lastModifiedBy><dc:language>zh-CN</dc:language><cp:revision>1</cp:revision><dcterms:created xsi:type=\"dcterms:W3CDTF\">{created}</dcterms:created><dcterms:modified xsi:type=\"dcterms:W3CDTF\">{now}</dcterms:modified></cp:coreProperties>"
    )
}

/// Marks the first `counts[i]` rows of the i-th table as header rows (`w:tblHeader`), which
/// docx-rs cannot express.
fn mark_header_rows(xml: &str, counts: &[usize]) -> String {
    let mut out = String::with_capacity(xml.len() + 64 * counts.iter().sum::<usize>());
    let mut rest = xml;
    for &n in counts {
        let Some(t) = rest.find("<w:tbl>") else { break };
        out.push_str(&rest[..t]);
        rest = &rest[t..];
        for _ in 0..n {
            let Some(tr) = rest.find("<w:trPr>") else { break };
            let end = tr + "<w:trPr>".len();
            out.push_str(&rest[..end]);
            out.push_str("<w:tblHeader />");
            rest = &rest[end..];
        }
        // On to the end of this table (tables are not nested here).
        let close = rest.find("</w:tbl>").map(|i| i + "</w:tbl>".len()).unwrap_or(rest.len());
        out.push_str(&rest[..close]);
        rest = &rest[close..];
    }
    out.push_str(rest);
    out
}

/// Rewrites the parts of the packed document docx-rs gets wrong.
fn finish_package(bytes: Vec<u8>, doc: &Document, header_counts: &[usize]) -> Result<Vec<u8>, WriteError> {
    use std::io::{Read, Write};
    let err = |e: &dyn std::fmt::Display| WriteError::Docx(e.to_string());
    let mut zin = zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|e| err(&e))?;
    let mut zout = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for i in 0..zin.len() {
        let mut f = zin.by_index(i).map_err(|e| err(&e))?;
        let name = f.name().map_err(|e| err(&e))?.to_string();
        let mut data = Vec::new();
        f.read_to_end(&mut data).map_err(|e| err(&e))?;
        let data = match name.as_str() {
            "docProps/core.xml" => core_xml(doc).into_bytes(),
            "word/document.xml" => mark_header_rows(&String::from_utf8_lossy(&data), header_counts).into_bytes(),
            _ => data,
        };
        zout.start_file(name, options).map_err(|e| err(&e))?;
        zout.write_all(&data).map_err(|e| err(&e))?;
    }
    Ok(zout.finish().map_err(|e| err(&e))?.into_inner())
}

/// The whole report as DOCX bytes.
pub fn render(doc: &Document) -> Result<Vec<u8>, WriteError> {
    let layout = doc.layout();
    let mut header_counts = Vec::new();
    let mut d = titled_document(&prose::title(&doc.report)).footer(page_number_footer());
    for p in prose::paragraphs(&doc.preface_text()) {
        d = d.add_paragraph(body_paragraph(p));
    }
    for (i, h) in SECTION_HEADINGS.iter().enumerate() {
        let n = i + 1;
        d = d.add_paragraph(heading(h));
        for p in prose::paragraphs(&doc.section_text(n)) {
            d = d.add_paragraph(body_paragraph(p));
        }
        let id = match n {
            2 => Some(TableId::ActiveDisclosure),
            3 => Some(TableId::Applications),
            4 => Some(TableId::ReviewLitigation),
            _ => None,
        };
        if let Some(id) = id {
            let g = grid::grid(id, layout);
            header_counts.push(header_rows(&g));
            d = d.add_table(table(doc, &g));
            d = d.add_paragraph(Paragraph::new().line_spacing(exact(280)));
        }
    }
    if let Some(s) = doc.signature_text() {
        d = d.add_paragraph(Paragraph::new().line_spacing(exact(560)));
        d = d.add_paragraph(right(&s));
    }
    if let Some(date) = doc.report.published.as_deref().and_then(crate::chinese_date) {
        d = d.add_paragraph(right(&date));
    }
    let mut buf = std::io::Cursor::new(Vec::new());
    d.build().pack(&mut buf).map_err(|e| WriteError::Docx(e.to_string()))?;
    finish_package(buf.into_inner(), doc, &header_counts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_from_day_counts() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(20_000), (2024, 10, 4));
        assert_eq!(civil_from_days(19_782), (2024, 2, 29));
    }

    #[test]
    fn header_rows_get_tbl_header() {
        let xml = "<w:tbl><w:tr><w:trPr><w:cantSplit /></w:trPr></w:tr><w:tr><w:trPr></w:trPr></w:tr></w:tbl><w:tbl><w:tr><w:trPr></w:trPr></w:tr></w:tbl>";
        let out = mark_header_rows(xml, &[1, 1]);
        assert_eq!(out.matches("<w:tblHeader />").count(), 2);
        assert!(out.starts_with("<w:tbl><w:tr><w:trPr><w:tblHeader /><w:cantSplit />"), "{out}");
    }
}
