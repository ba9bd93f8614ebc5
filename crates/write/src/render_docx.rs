//! The report as a Word document (docx-rs): A4 with the margins of ordinary government
//! documents (GB/T 9704: top 37 mm, bottom 35 mm, left 28 mm, right 26 mm), title in
//! 方正小标宋简体 二号, body in 仿宋_GB2312 三号 with a fixed 28 pt line, first-level headings in
//! 黑体, tables in 宋体 五号 with the official merges as real `gridSpan` / `vMerge`.

use crate::grid::{self, Content, Grid};
use crate::{prose, Document, WriteError, SECTION_HEADINGS};
use docx_rs::{
    AlignmentType, Docx, LineSpacing, LineSpacingType, PageMargin, Paragraph, Run, RunFonts, SpecialIndentType, Table, TableAlignmentType,
    TableCell, TableLayoutType, TableRow, VAlignType, VMergeType, WidthType,
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
    Paragraph::new()
        .add_run(Run::new().add_text(text).fonts(fonts(BODY_FONT)).size(BODY_SIZE))
        .align(AlignmentType::Both)
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
    Docx::new()
        .page_size(11906, 16838)
        .page_margin(PageMargin::new().top(2098).bottom(1984).left(1588).right(1474))
        .default_fonts(fonts(BODY_FONT))
        .default_size(BODY_SIZE)
        .add_paragraph(
            Paragraph::new()
                .add_run(Run::new().add_text(title).fonts(fonts(TITLE_FONT)).size(TITLE_SIZE))
                .align(AlignmentType::Center)
                .line_spacing(LineSpacing::new().line_rule(LineSpacingType::Exact).line(700).after(300)),
        )
}

/// The whole report as DOCX bytes.
pub fn render(doc: &Document) -> Result<Vec<u8>, WriteError> {
    let layout = doc.layout();
    let mut d = titled_document(&prose::title(&doc.report));
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
            d = d.add_table(table(doc, &grid::grid(id, layout)));
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
    Ok(buf.into_inner())
}
