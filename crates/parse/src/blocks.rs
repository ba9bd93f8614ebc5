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

/// Box-drawing characters (U+2500–U+257F): the borders a terminal browser (`w3m -dump`) or a
/// converter draws around cells.
fn is_box(c: char) -> bool {
    ('\u{2500}'..='\u{257f}').contains(&c)
}

pub(crate) fn is_cell_separator(c: char) -> bool {
    c == '|' || c == '\t' || matches!(c, '│' | '┃' | '║' | '┆' | '┊')
}

fn is_separator_row(text: &str) -> bool {
    (text.contains('-') || text.contains('=') || text.chars().any(is_box)) && text.chars().all(|c| matches!(c, '|' | '-' | ':' | ' ' | '+' | '=') || is_box(c))
}

/// Splits a normalized line into cells at `|` and tabs.
pub(crate) fn split_cells(line: &TextLine) -> Vec<(usize, usize)> {
    let mut cells = Vec::new();
    let mut start = 0;
    let text = &line.text;
    for (i, c) in text.char_indices() {
        if is_cell_separator(c) {
            cells.push((start, i));
            start = i + c.len_utf8();
        }
    }
    cells.push((start, text.len()));
    cells
        .into_iter()
        .map(|(s, e)| {
            // A cell's own border pieces (├───┼ of a wrapped row) are not its text.
            let piece = &text[s..e];
            let trim = |c: char| c.is_whitespace() || is_box(c);
            let ls = piece.len() - piece.trim_start_matches(trim).len();
            let te = piece.trim_end_matches(trim).len();
            (s + ls, s + te.max(ls))
        })
        .collect()
}

/// Markdown's own marks around the words (`# ` headings, `**bold**`, `\` escapes,
/// `[text](link)`), which a converter such as pandoc or MarkItDown adds: they are not the
/// report's text. The kept bytes keep their offsets.
fn strip_markdown(line: TextLine) -> TextLine {
    let text = &line.text;
    if !(text.starts_with('#') || text.starts_with('>') || text.contains("**") || text.contains("__") || text.contains('\\') || text.contains("](")) {
        return line;
    }
    let bytes = text.as_bytes();
    let mut keep = vec![true; bytes.len()];
    let mut i = 0;
    // Heading and quote marks at the start.
    while i < bytes.len() && matches!(bytes[i], b'#' | b'>') {
        keep[i] = false;
        i += 1;
    }
    while i < bytes.len() && i > 0 && bytes[i] == b' ' && !keep[i - 1] {
        keep[i] = false;
        i += 1;
    }
    let mut j = 0;
    while j < bytes.len() {
        match bytes[j] {
            b'*' | b'_' if j + 1 < bytes.len() && bytes[j + 1] == bytes[j] => {
                keep[j] = false;
                keep[j + 1] = false;
                j += 2;
                continue;
            }
            b'\\' if j + 1 < bytes.len() && bytes[j + 1].is_ascii_punctuation() && bytes[j + 1] != b'|' => keep[j] = false,
            b']' if bytes.get(j + 1) == Some(&b'(') => {
                // "[text](url)": drop "](url)" and the matching "[".
                if let Some(close) = text[j + 2..].find(')') {
                    if let Some(open) = text[..j].rfind('[') {
                        keep[open] = false;
                        for k in keep.iter_mut().take(j + 2 + close + 1).skip(j) {
                            *k = false;
                        }
                        j += 2 + close + 1;
                        continue;
                    }
                }
            }
            _ => {}
        }
        j += 1;
    }
    let mut out = TextLine { text: String::with_capacity(text.len()), offsets: Vec::with_capacity(text.len() + 1), is_table_row: line.is_table_row };
    for (k, c) in text.char_indices() {
        if keep[k] {
            out.text.push(c);
            out.offsets.extend_from_slice(&line.offsets[k..k + c.len_utf8()]);
        }
    }
    out.offsets.push(line.offsets.last().copied().unwrap_or(0));
    out
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
        let line = normalize(&strip_markdown(identity_line(raw, start)), traditional);
        if line.text.is_empty() || is_separator_row(&line.text) {
            continue;
        }
        if line.text.chars().any(is_cell_separator) {
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
