//! The report as Markdown (GitHub tables). Markdown has no merged cells: a merged label is
//! printed once, in its top-left cell, and the cells it covers stay empty. Headings are
//! Setext style (underlined), so each heading line starts with its numeral as printed.

use crate::grid::{self, Content, Grid};
use crate::{prose, Document, SECTION_HEADINGS};
use nianbao_model::TableId;
use unicode_width_lite::width;

mod unicode_width_lite {
    /// Display width: CJK and full-width characters count two.
    pub fn width(s: &str) -> usize {
        s.chars().map(|c| if (c as u32) >= 0x1100 { 2 } else { 1 }).sum()
    }
}

fn cell_text(s: &str) -> String {
    s.replace('|', "\\|")
}

fn table_md(doc: &Document, g: &Grid) -> String {
    let mut out = String::new();
    for r in 0..g.rows {
        let mut cells = vec![String::new(); g.cols];
        for c in g.row_cells(r) {
            cells[c.col] = match &c.content {
                Content::Label(t) => cell_text(t),
                Content::Value(v) => grid::value_of(&doc.report, g.table, v).map(crate::format_value).unwrap_or_default(),
            };
        }
        out.push('|');
        for c in &cells {
            out.push(' ');
            out.push_str(c);
            out.push_str(" |");
        }
        out.push('\n');
        if r == 0 {
            out.push('|');
            for _ in 0..g.cols {
                out.push_str(" --- |");
            }
            out.push('\n');
        }
    }
    out
}

fn underline(text: &str, c: char) -> String {
    std::iter::repeat_n(c, width(text).max(3)).collect()
}

/// The whole report as Markdown.
pub fn render(doc: &Document) -> String {
    let layout = doc.layout();
    let title = prose::title(&doc.report);
    let mut out = format!("{title}\n{}\n\n", underline(&title, '='));
    for p in prose::paragraphs(&doc.preface_text()) {
        out.push_str(p);
        out.push_str("\n\n");
    }
    for (i, heading) in SECTION_HEADINGS.iter().enumerate() {
        let n = i + 1;
        out.push_str(&format!("{heading}\n{}\n\n", underline(heading, '-')));
        for p in prose::paragraphs(&doc.section_text(n)) {
            // A passage still to be written in bold, so it cannot be overlooked.
            for (mark, t) in crate::split_marks(p) {
                if mark {
                    out.push_str(&format!("**{t}**"));
                } else {
                    out.push_str(t);
                }
            }
            out.push_str("\n\n");
        }
        let table = match n {
            2 => Some(TableId::ActiveDisclosure),
            3 => Some(TableId::Applications),
            4 => Some(TableId::ReviewLitigation),
            _ => None,
        };
        if let Some(id) = table {
            out.push_str(&table_md(doc, &grid::grid(id, layout)));
            out.push('\n');
        }
    }
    if let Some(s) = doc.signature_text() {
        out.push_str(&format!("{s}\n\n"));
    }
    if let Some(d) = doc.report.published.as_deref().and_then(crate::chinese_date) {
        out.push_str(&format!("{d}\n"));
    }
    out
}
