//! Stage 1 for PDF files: every glyph with its position and size (pdf-extract, through an
//! `OutputDev` of our own), grouped into lines by their baseline and into cells by the gaps
//! between them, page by page. A table row becomes a row of cells; the later stages do the rest
//! as for text, so a table continued on the next page with its header repeated reads as one.
//! A PDF with no text layer (a scan) is refused with a message saying OCR is needed; a panic
//! inside the PDF library is caught and becomes an error for that file.

use crate::blocks::Block;
use crate::error::ParseError;
use crate::normalize::{identity_line, is_traditional, normalize};
use crate::Extracted;
use nianbao_model::TextLine;
use pdf_extract::{MediaBox, OutputDev, OutputError, Transform};

#[derive(Debug, Clone)]
struct Glyph {
    page: u32,
    x: f64,
    /// Top-down baseline.
    y: f64,
    end: f64,
    size: f64,
    text: String,
}

#[derive(Default)]
struct Collector {
    page: u32,
    height: f64,
    glyphs: Vec<Glyph>,
}

impl OutputDev for Collector {
    fn begin_page(&mut self, page_num: u32, media_box: &MediaBox, _: Option<(f64, f64, f64, f64)>) -> Result<(), OutputError> {
        self.page = page_num;
        self.height = media_box.ury - media_box.lly;
        Ok(())
    }
    fn end_page(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
    fn output_character(&mut self, trm: &Transform, width: f64, _spacing: f64, font_size: f64, ch: &str) -> Result<(), OutputError> {
        // Device space: x right, y up; flip so lines sort top to bottom.
        let (x, y) = (trm.m31, self.height - trm.m32);
        // The size of the glyph square after the text matrix (as pdf-extract's own text output).
        let (vx, vy) = (font_size * (trm.m11 + trm.m21), font_size * (trm.m12 + trm.m22));
        let size = (vx * vy).abs().sqrt().max(1.0);
        if !ch.trim().is_empty() {
            self.glyphs.push(Glyph { page: self.page, x, y, end: x + width * size, size, text: ch.to_string() });
        }
        Ok(())
    }
    fn begin_word(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
    fn end_word(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
    fn end_line(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
}

/// Lines of cells: glyphs on one baseline (within half a glyph), cut where the gap between two
/// glyphs is wider than a glyph.
fn lines(mut glyphs: Vec<Glyph>) -> Vec<Vec<String>> {
    glyphs.sort_by(|a, b| a.page.cmp(&b.page).then(a.y.total_cmp(&b.y)).then(a.x.total_cmp(&b.x)));
    let mut out = Vec::new();
    let mut i = 0;
    while i < glyphs.len() {
        let (page, y, size) = (glyphs[i].page, glyphs[i].y, glyphs[i].size);
        let mut j = i;
        while j < glyphs.len() && glyphs[j].page == page && (glyphs[j].y - y).abs() <= size * 0.5 {
            j += 1;
        }
        let mut line: Vec<&Glyph> = glyphs[i..j].iter().collect();
        line.sort_by(|a, b| a.x.total_cmp(&b.x));
        let mut cells: Vec<String> = Vec::new();
        let mut last_end: Option<f64> = None;
        for g in line {
            let digit = |t: &str| t.chars().all(|c| c.is_ascii_digit() || c == '.' || c == ',');
            let boundary = |prev: &str| digit(prev) != digit(&g.text);
            let prev_text = cells.last().and_then(|c| c.chars().last()).map(|c| c.to_string()).unwrap_or_default();
            match last_end {
                // A number right after a label (or the reverse) with any visible gap is a new cell.
                Some(e) if g.x - e <= g.size * 0.9 && !(boundary(&prev_text) && g.x - e > g.size * 0.2) => {
                    // A small gap inside a cell: keep a space between Latin words only.
                    if g.x - e > g.size * 0.25 && !g.text.chars().all(|c| c > '\u{2e80}') {
                        cells.last_mut().map(|c| c.push(' '));
                    }
                    if let Some(c) = cells.last_mut() {
                        c.push_str(&g.text);
                    }
                }
                _ => cells.push(g.text.clone()),
            }
            last_end = Some(g.end.max(g.x));
        }
        out.push(cells);
        i = j;
    }
    out
}

pub fn extract(file: &str, bytes: &[u8]) -> Result<Extracted, ParseError> {
    let corrupt = |reason: String| ParseError::Corrupt { file: file.to_string(), format: "PDF 文件", reason };
    let owned = bytes.to_vec();
    // pdf-extract can panic on malformed files: keep that inside this file's error.
    let collected = std::panic::catch_unwind(move || -> Result<Collector, String> {
        let doc = pdf_extract::Document::load_mem(&owned).map_err(|e| e.to_string())?;
        let mut c = Collector::default();
        pdf_extract::output_doc(&doc, &mut c).map_err(|e| format!("{e:?}"))?;
        Ok(c)
    })
    .map_err(|_| corrupt("PDF 解析库内部错误".into()))?
    .map_err(corrupt)?;
    if collected.glyphs.is_empty() {
        return Err(ParseError::Unsupported { file: file.into(), format: "没有文字层的 PDF（扫描件）", hint: "需要先做文字识别（OCR），本工具不猜测扫描件的内容" });
    }
    let rows = lines(collected.glyphs);
    let sample: String = rows.iter().take(300).flat_map(|r| r.iter()).cloned().collect();
    let traditional = is_traditional(&sample);
    let mut text = String::new();
    let mut blocks = Vec::new();
    for cells in rows {
        if cells.len() >= 2 {
            let mut lines: Vec<TextLine> = Vec::new();
            for (i, c) in cells.iter().enumerate() {
                if i > 0 {
                    text.push_str(" | ");
                }
                lines.push(normalize(&identity_line(c, text.len()), traditional));
                text.push_str(c);
            }
            blocks.push(Block::from_cells(lines, false));
        } else if let Some(c) = cells.first() {
            let line = normalize(&identity_line(c, text.len()), traditional);
            text.push_str(c);
            if !line.text.is_empty() {
                blocks.push(Block::prose(line));
            }
        }
        text.push('\n');
    }
    Ok(Extracted { format: crate::decode::Format::Pdf, encoding: "UTF-8", text, file_offsets: None, blocks })
}
