//! Places in a source file.

use serde::{Deserialize, Serialize};

/// A place in the original file: byte offsets into the file as given, and the 1-based line and
/// column (in characters) of `start`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub struct Span {
    pub start: usize,
    pub end: usize,
    pub line: u32,
    pub column: u32,
}

/// One line of normalized text with, for each byte of `text` (and one past the end), the byte
/// offset in the decoded source it came from. Lets a finding about a word in the prose point at
/// the exact bytes of the original file.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TextLine {
    pub text: String,
    /// `offsets[i]` = decoded-source offset of byte `i` of `text`; `offsets.len() == text.len() + 1`.
    pub offsets: Vec<u32>,
    /// The line is a row of a table (cells), not prose.
    pub is_table_row: bool,
}

impl TextLine {
    /// Decoded-source byte range of the text range `start..end` of this line.
    pub fn source_range(&self, start: usize, end: usize) -> (usize, usize) {
        let s = self.offsets.get(start).copied().unwrap_or(0) as usize;
        let e = if end > start {
            // The end is just past the last byte that belongs to the range.
            let last = self.offsets.get(end.saturating_sub(1)).copied().unwrap_or(s as u32) as usize;
            let next = self.offsets.get(end).copied().unwrap_or(last as u32) as usize;
            next.max(last + 1)
        } else {
            s
        };
        (s, e.max(s))
    }
}

/// The source file a set of reports was read from: its name, its text decoded to UTF-8, and the
/// map back to the bytes of the file when it was not UTF-8.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Source {
    pub file: String,
    pub decoded: String,
    /// For each byte of `decoded` (and one past the end), the byte offset in the file.
    /// `None` when the file is UTF-8 and offsets are the same.
    pub file_offsets: Option<Vec<u32>>,
    line_starts: Vec<usize>,
}

impl Source {
    pub fn new(file: impl Into<String>, decoded: String, file_offsets: Option<Vec<u32>>) -> Source {
        let mut line_starts = vec![0];
        line_starts.extend(decoded.match_indices('\n').map(|(i, _)| i + 1));
        Source { file: file.into(), decoded, file_offsets, line_starts }
    }

    fn file_offset(&self, decoded: usize) -> usize {
        match &self.file_offsets {
            Some(map) => map.get(decoded).or(map.last()).copied().unwrap_or(0) as usize,
            None => decoded,
        }
    }

    /// 1-based line number of a decoded offset.
    pub fn line_of(&self, decoded: usize) -> usize {
        match self.line_starts.binary_search(&decoded) {
            Ok(i) => i + 1,
            Err(i) => i,
        }
    }

    /// The text of a 1-based line, without its line break.
    pub fn line_text(&self, line: usize) -> &str {
        let start = self.line_starts.get(line.saturating_sub(1)).copied().unwrap_or(0);
        let end = self.line_starts.get(line).map(|e| e - 1).unwrap_or(self.decoded.len());
        let text = self.decoded.get(start..end.max(start)).unwrap_or("");
        text.strip_suffix('\r').unwrap_or(text)
    }

    /// Decoded offset of the start of a 1-based line.
    pub fn line_start(&self, line: usize) -> usize {
        self.line_starts.get(line.saturating_sub(1)).copied().unwrap_or(0)
    }

    /// The span of a decoded byte range.
    pub fn span(&self, start: usize, end: usize) -> Span {
        let start = start.min(self.decoded.len());
        let end = end.clamp(start, self.decoded.len());
        let line = self.line_of(start);
        let line_start = self.line_start(line);
        let column = self.decoded.get(line_start..start).map(|s| s.chars().count()).unwrap_or(0) + 1;
        Span { start: self.file_offset(start), end: self.file_offset(end), line: line as u32, column: column as u32 }
    }

    /// The span of a text range of a normalized line.
    pub fn span_in(&self, line: &TextLine, start: usize, end: usize) -> Span {
        let (s, e) = line.source_range(start, end);
        self.span(s, e)
    }

    /// Decoded offset of a file offset (inverse of the file map), for display.
    pub fn decoded_offset(&self, file_offset: usize) -> usize {
        match &self.file_offsets {
            Some(map) => map.partition_point(|&o| (o as usize) < file_offset),
            None => file_offset,
        }
    }
}
