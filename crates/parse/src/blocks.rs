//! The plain data between decoding and table rebuilding: a document as a sequence of
//! [`Block`]s, each a prose line or a table row split into cells, normalized, with offsets.

use crate::normalize::{identity_line, normalize};
use nianbao_model::TextLine;

/// One line of the document: prose, or a table row with its cells.
#[derive(Debug, Clone, PartialEq)]
pub struct Block {
    pub line: TextLine,
    /// Byte ranges of the cells in `line.text`; empty for prose.
    pub cells: Vec<(usize, usize)>,
    /// The cells keep their columns (an HTML table, where blank cells are real cells). In scraped
    /// text blank cells may have been dropped, so positions are not trusted.
    pub positional: bool,
}

impl Block {
    pub fn prose(line: TextLine) -> Block {
        Block { line, cells: Vec::new(), positional: false }
    }
    pub fn is_row(&self) -> bool {
        !self.cells.is_empty()
    }
    pub fn text(&self) -> &str {
        &self.line.text
    }
    pub fn cell_text(&self, i: usize) -> &str {
        self.cells.get(i).map(|&(s, e)| &self.line.text[s..e]).unwrap_or("")
    }
    /// Non-empty cells, or the whole line as one cell for prose.
    pub fn pieces(&self) -> Vec<(usize, usize)> {
        if self.cells.is_empty() {
            vec![(0, self.line.text.len())]
        } else {
            self.cells.clone()
        }
    }

    /// Builds a row from normalized cell lines, joined by " | " for display.
    pub fn from_cells(cells: Vec<TextLine>, positional: bool) -> Block {
        let mut text = String::new();
        let mut offsets = Vec::new();
        let mut ranges = Vec::new();
        let mut prev_end = cells.first().and_then(|c| c.offsets.first().copied()).unwrap_or(0);
        for (i, c) in cells.iter().enumerate() {
            if i > 0 {
                text.push_str(" | ");
                offsets.extend([prev_end; 3]);
            }
            let start = text.len();
            text.push_str(&c.text);
            offsets.extend_from_slice(&c.offsets[..c.text.len()]);
            ranges.push((start, text.len()));
            prev_end = c.offsets.get(c.text.len()).copied().unwrap_or(prev_end);
        }
        offsets.push(prev_end);
        Block { line: TextLine { text, offsets, is_table_row: true }, cells: ranges, positional }
    }
}

fn is_separator_row(text: &str) -> bool {
    text.contains('-') && text.chars().all(|c| matches!(c, '|' | '-' | ':' | ' ' | '+'))
}

/// Splits a normalized line into cells at `|` and tabs.
fn split_cells(line: &TextLine) -> Vec<(usize, usize)> {
    let mut cells = Vec::new();
    let mut start = 0;
    let text = &line.text;
    for (i, c) in text.char_indices() {
        if c == '|' || c == '\t' {
            cells.push((start, i));
            start = i + 1;
        }
    }
    cells.push((start, text.len()));
    cells
        .into_iter()
        .map(|(s, e)| {
            let piece = &text[s..e];
            let ls = piece.len() - piece.trim_start().len();
            let te = piece.trim_end().len();
            (s + ls, s + te.max(ls))
        })
        .collect()
}

/// Plain text (copied or scraped from a page): one block per non-empty line.
pub fn text_blocks(decoded: &str, traditional: bool) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut pos = 0;
    for raw in decoded.split('\n') {
        let start = pos;
        pos += raw.len() + 1;
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        if raw.trim().is_empty() {
            continue;
        }
        let line = normalize(&identity_line(raw, start), traditional);
        if line.text.is_empty() || is_separator_row(&line.text) {
            continue;
        }
        if line.text.contains('|') || line.text.contains('\t') {
            let cells = split_cells(&line);
            let mut line = line;
            line.is_table_row = true;
            blocks.push(Block { line, cells, positional: false });
        } else {
            blocks.push(Block::prose(line));
        }
    }
    blocks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_pipe_and_tab_rows_and_keeps_offsets() {
        let src = "一、总体情况\n规章 | 0 | 1 | 2 |\n行政许可\t221\n";
        let blocks = text_blocks(src, false);
        assert_eq!(blocks.len(), 3);
        assert!(!blocks[0].is_row());
        let row = &blocks[1];
        assert_eq!(row.cell_text(0), "规章");
        assert_eq!(row.cell_text(2), "1");
        let (s, _) = row.cells[2];
        assert_eq!(&src[row.line.offsets[s] as usize..][..1], "1");
        assert_eq!(blocks[2].cell_text(1), "221");
    }
}
