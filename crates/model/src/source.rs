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
    /// For a PDF: the 1-based page the text is on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<u32>,
    /// For a PDF: the box of the text on its page, `[left, top, right, bottom]` in hundredths of a
    /// point from the top-left corner of the page as displayed (after its /Rotate).
    #[serde(default, rename = "box", skip_serializing_if = "Option::is_none")]
    pub bbox: Option<[i32; 4]>,
    /// For a fill-in form (XLSX): the sheet and cell the text was typed in (`表三!D6`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cell: Option<FormCell>,
}

/// A sheet of the fill-in form written by `nianbao template`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FormSheet {
    /// 基本信息: agency, year, layout, publication date, signature, contact.
    Meta,
    ActiveDisclosure,
    Applications,
    ReviewLitigation,
    /// 正文: the opening and the six parts.
    Prose,
}

impl FormSheet {
    pub const ALL: [FormSheet; 5] = [FormSheet::Meta, FormSheet::ActiveDisclosure, FormSheet::Applications, FormSheet::ReviewLitigation, FormSheet::Prose];
    /// The sheet's name in the workbook.
    pub fn name(self) -> &'static str {
        match self {
            FormSheet::Meta => "基本信息",
            FormSheet::ActiveDisclosure => crate::TableId::ActiveDisclosure.short_name(),
            FormSheet::Applications => crate::TableId::Applications.short_name(),
            FormSheet::ReviewLitigation => crate::TableId::ReviewLitigation.short_name(),
            FormSheet::Prose => "正文",
        }
    }
    pub fn of_table(id: crate::TableId) -> FormSheet {
        match id {
            crate::TableId::ActiveDisclosure => FormSheet::ActiveDisclosure,
            crate::TableId::Applications => FormSheet::Applications,
            crate::TableId::ReviewLitigation => FormSheet::ReviewLitigation,
        }
    }
}

/// One cell of the fill-in form: its sheet and zero-based row and column, printed `表三!D6`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FormCell {
    pub sheet: FormSheet,
    pub row: u32,
    pub col: u32,
}

/// "D6" from zero-based row and column.
pub fn a1(row: usize, col: usize) -> String {
    let mut c = col + 1;
    let mut letters = Vec::new();
    while c > 0 {
        letters.push(b'A' + ((c - 1) % 26) as u8);
        c = (c - 1) / 26;
    }
    letters.reverse();
    format!("{}{}", String::from_utf8_lossy(&letters), row + 1)
}

/// An Excel serial day number as an ISO date (the 1900 system: day 0 is 1899-12-30), as the
/// fill-in form's date cells hold it.
pub fn excel_date(serial: f64) -> String {
    // Days since 1970-01-01, then the civil-from-days algorithm (H. Hinnant).
    let z = serial.floor() as i64 - 25569 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

impl std::fmt::Display for FormCell {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}!{}", self.sheet.name(), a1(self.row as usize, self.col as usize))
    }
}

impl std::str::FromStr for FormCell {
    type Err = String;
    /// "表三!D6".
    fn from_str(s: &str) -> Result<FormCell, String> {
        let bad = || format!("不是工作表单元格：{s}");
        let (sheet, cell) = s.split_once('!').ok_or_else(bad)?;
        let sheet = FormSheet::ALL.into_iter().find(|x| x.name() == sheet).ok_or_else(bad)?;
        let split = cell.find(|c: char| c.is_ascii_digit()).ok_or_else(bad)?;
        let (letters, digits) = cell.split_at(split);
        if letters.is_empty() || !letters.chars().all(|c| c.is_ascii_uppercase()) || letters.len() > 3 {
            return Err(bad());
        }
        let col = letters.bytes().fold(0u32, |n, b| n * 26 + u32::from(b - b'A' + 1)) - 1;
        let row = digits.parse::<u32>().ok().filter(|&r| r >= 1).ok_or_else(bad)? - 1;
        Ok(FormCell { sheet, row, col })
    }
}

impl Serialize for FormCell {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for FormCell {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<FormCell, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// Where a piece of the extracted text of a PDF is on its page: the text range `start..end`
/// (decoded offsets), the 1-based page and the box (see [`Span::bbox`]). `cell` marks the box of a
/// whole table cell (given even when the cell is blank); otherwise it is the box of glyphs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TextBox {
    pub start: u32,
    pub end: u32,
    pub page: u32,
    pub bbox: [i32; 4],
    pub cell: bool,
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
    /// Page and box of the extracted text (PDF only), sorted by `start`.
    boxes: Vec<TextBox>,
    /// The form cell each piece of the text was read from (XLSX forms only), sorted by start.
    cells: Vec<(u32, u32, FormCell)>,
}

impl Source {
    pub fn new(file: impl Into<String>, decoded: String, file_offsets: Option<Vec<u32>>) -> Source {
        let mut line_starts = vec![0];
        line_starts.extend(decoded.match_indices('\n').map(|(i, _)| i + 1));
        Source { file: file.into(), decoded, file_offsets, line_starts, boxes: Vec::new(), cells: Vec::new() }
    }

    /// The same source with the page and box of its text (PDF).
    pub fn with_boxes(mut self, mut boxes: Vec<TextBox>) -> Source {
        boxes.sort_by_key(|b| (b.start, b.end));
        self.boxes = boxes;
        self
    }

    /// The same source with the form cell of each text range `start..end` (XLSX forms).
    pub fn with_cells(mut self, mut cells: Vec<(u32, u32, FormCell)>) -> Source {
        cells.sort_by_key(|c| (c.0, c.1));
        self.cells = cells;
        self
    }

    /// The form cell holding the decoded offset `at` (an empty cell holds its own start).
    pub fn cell_at(&self, at: usize) -> Option<FormCell> {
        let at = at as u32;
        let upto = self.cells.partition_point(|c| c.0 <= at);
        self.cells[..upto].iter().rev().find(|c| at < c.1 || at == c.0).map(|c| c.2)
    }

    /// Page and box of the decoded range `start..end`: the union of the boxes of its glyphs on the
    /// page of the first; for a range without glyphs, the box of the table cell holding it;
    /// otherwise only the page of the text before it. `(None, None)` when there are no boxes.
    pub fn place(&self, start: usize, end: usize) -> (Option<u32>, Option<[i32; 4]>) {
        if self.boxes.is_empty() {
            return (None, None);
        }
        let (s, e) = (start as u32, end as u32);
        let upto = self.boxes.partition_point(|b| b.start < e.max(s + 1));
        let mut page = None;
        let mut bbox: Option<[i32; 4]> = None;
        for b in self.boxes[..upto].iter().filter(|b| !b.cell && b.end > s && b.start < e) {
            let p = *page.get_or_insert(b.page);
            if b.page != p {
                continue;
            }
            bbox = Some(match bbox {
                None => b.bbox,
                Some(u) => [u[0].min(b.bbox[0]), u[1].min(b.bbox[1]), u[2].max(b.bbox[2]), u[3].max(b.bbox[3])],
            });
        }
        if bbox.is_some() {
            return (page, bbox);
        }
        if let Some(c) = self.boxes[..upto].iter().rev().find(|b| b.cell && b.start <= s && s <= b.end) {
            return (Some(c.page), Some(c.bbox));
        }
        let before = self.boxes.partition_point(|b| b.start <= s);
        // Text before every box has no page: the printed text of a web page or Word file whose
        // pictures were read by OCR (their boxes follow the document's own text).
        let near = before.checked_sub(1).and_then(|i| self.boxes.get(i));
        (near.map(|b| b.page), None)
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
        // Spans cover whole characters: a range from a line whose offsets were spread (an
        // entity, a replaced byte) may end inside one.
        let start = self.decoded.floor_char_boundary(start.min(self.decoded.len()));
        let end = self.decoded.ceil_char_boundary(end.clamp(start, self.decoded.len()));
        let line = self.line_of(start);
        let line_start = self.line_start(line);
        let column = self.decoded.get(line_start..start).map(|s| s.chars().count()).unwrap_or(0) + 1;
        let (page, bbox) = self.place(start, end);
        let cell = if self.cells.is_empty() { None } else { self.cell_at(start) };
        Span { start: self.file_offset(start), end: self.file_offset(end), line: line as u32, column: column as u32, page, bbox, cell }
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
