//! The canonical model of one 政府信息公开工作年度报告 (`nianbao/report-v1`).
//!
//! A [`Report`] records what the report *says*: a wrong total is kept as printed and a blank
//! cell stays blank (`None`), so the checker can report it. Every value keeps the place in
//! the source it was read from ([`Span`]) and how it was read ([`ReadHow`]).
//! The JSON form (`to_json` / `from_json`) is the public interface of `shared/spec/report-json.md`.

pub mod grid;
pub mod json;
pub mod layout;
pub mod source;

pub use layout::{FieldDef, Layout, RowDef, TableId};
pub use source::{FormCell, FormSheet, Source, Span, TextLine};

use serde::{Deserialize, Serialize};

pub const SCHEMA: &str = "nianbao/report-v1";

/// How a cell's value was obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ReadHow {
    /// Read as printed, in its own cell.
    #[default]
    Printed,
    /// The value was printed but its column was lost; the column was inferred from its position.
    Position,
    /// The cell boundaries were lost; the value was recovered with the table's arithmetic. On a
    /// table read by OCR: a number OCR could not read, solved from one relation of the table and
    /// checked by another (a warning says so, with the cell's place on the page).
    Arithmetic,
    /// The cell boundaries were lost and the reading was chosen by a count the report's prose
    /// states (`制发行政规范性文件3件`).
    Prose,
    /// The cell could not be read; it is null.
    Unreadable,
    /// Supplied by a writer (a form, a JSON file), not read from a published source.
    Given,
    /// Read by OCR from an image (a scanned page, a table published as a picture) and kept because
    /// the table's arithmetic confirms it or the reading was very confident; the span carries the
    /// page and box.
    Ocr,
    /// Typed by a reviewer of the supervising office after comparing the reading with the page
    /// image (a correction kept in the database and applied on top of every re-reading).
    Reviewer,
}

/// What a cell holds, beyond its number: a blank is not a zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum CellMark {
    /// A number other than zero.
    #[default]
    Number,
    /// The number zero.
    Zero,
    /// Nothing printed.
    Blank,
    /// A dash or slash printed instead of a number ("/", "—", "-", "无").
    Slash,
    /// Something printed that is not a number.
    Unreadable,
}

/// One table cell.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Cell {
    pub value: Option<f64>,
    /// The text as printed (after normalization), when anything was printed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub raw: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub span: Option<Span>,
    pub how: ReadHow,
    pub mark: CellMark,
}

impl Cell {
    pub fn blank() -> Cell {
        Cell { mark: CellMark::Blank, ..Cell::default() }
    }
    pub fn number(value: f64) -> Cell {
        Cell { value: Some(value), mark: if value == 0.0 { CellMark::Zero } else { CellMark::Number }, ..Cell::default() }
    }
    pub fn unreadable() -> Cell {
        Cell { how: ReadHow::Unreadable, mark: CellMark::Unreadable, ..Cell::default() }
    }
    /// The value as a whole count, when it is one.
    pub fn count(&self) -> Option<i64> {
        self.value.filter(|v| v.fract() == 0.0 && v.abs() < 9.0e15).map(|v| v as i64)
    }
}

/// One row of a table: its key in `report-json.md` and its cells in the layout's column order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Row {
    pub key: String,
    pub cells: Vec<Cell>,
    /// The label as printed, when the row had one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label_span: Option<Span>,
}

/// One statistical table. `rows` holds the rows the report prints, in layout order.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Table {
    pub rows: Vec<Row>,
    /// Where the table starts in the source (its heading or first header cell).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub span: Option<Span>,
    /// The column headers as printed, in order (used by layout rules).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub headers: Vec<String>,
    /// Subtotal rows some reports print for a group (e.g. a （三）不予公开 line with numbers above
    /// its eight items). Not part of the layout: kept apart, checked by A305. `key` is the key of
    /// the group's first row, `label` the group heading.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub subtotals: Vec<Subtotal>,
}

/// A printed subtotal of rows `first..=last` of a table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Subtotal {
    pub label: String,
    pub first: String,
    pub last: String,
    pub cells: Vec<Cell>,
    pub span: Option<Span>,
}

impl Table {
    pub fn row(&self, key: &str) -> Option<&Row> {
        self.rows.iter().find(|r| r.key == key)
    }
    pub fn row_mut(&mut self, key: &str) -> Option<&mut Row> {
        self.rows.iter_mut().find(|r| r.key == key)
    }
    pub fn cell(&self, key: &str, column: usize) -> Option<&Cell> {
        self.row(key).and_then(|r| r.cells.get(column))
    }
    pub fn value(&self, key: &str, column: usize) -> Option<f64> {
        self.cell(key, column).and_then(|c| c.value)
    }
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

/// A report as the model holds it.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Report {
    pub agency: Option<String>,
    pub year: Option<i32>,
    pub layout: Option<Layout>,
    /// ISO date `YYYY-MM-DD`.
    pub published: Option<String>,
    pub active_disclosure: Table,
    pub applications: Table,
    pub review_litigation: Table,
}

impl Report {
    pub fn table(&self, id: TableId) -> &Table {
        match id {
            TableId::ActiveDisclosure => &self.active_disclosure,
            TableId::Applications => &self.applications,
            TableId::ReviewLitigation => &self.review_litigation,
        }
    }
    pub fn table_mut(&mut self, id: TableId) -> &mut Table {
        match id {
            TableId::ActiveDisclosure => &mut self.active_disclosure,
            TableId::Applications => &mut self.applications,
            TableId::ReviewLitigation => &mut self.review_litigation,
        }
    }
    /// The layout to interpret the tables with (the detected one, else the one the year requires).
    pub fn effective_layout(&self) -> Layout {
        self.layout.or(self.year.map(Layout::required_for)).unwrap_or(Layout::L2021)
    }
    /// Column index of a field name in a row of `table`.
    pub fn field_index(&self, table: TableId, row: &str, field: &str) -> Option<usize> {
        layout::row_def(table, self.effective_layout(), row)?.fields.iter().position(|f| f.key == field)
    }
}

/// The six official section headings, in order (as the fill-in form's 正文 sheet lists them).
pub const SECTION_HEADINGS: [&str; 6] = [
    "一、总体情况",
    "二、主动公开政府信息情况",
    "三、收到和处理政府信息公开申请情况",
    "四、政府信息公开行政复议、行政诉讼情况",
    "五、存在的主要问题及改进情况",
    "六、其他需要报告的事项",
];

/// A section of the prose (一、总体情况 … 六、其他需要报告的事项).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Section {
    /// 1–6 from the heading's numeral.
    pub number: u8,
    /// The heading as printed (normalized).
    pub heading: String,
    pub heading_span: Option<Span>,
    /// Index into [`ParsedReport::lines`] of the heading line.
    pub heading_line: usize,
    /// Lines of the section body: `lines[body.0..body.1]`.
    pub body: (usize, usize),
}

/// A warning raised while reading (not a finding about the report itself).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReadWarning {
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub span: Option<Span>,
}

/// A value read from the text together with where it was read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Located<T> {
    pub value: T,
    pub span: Option<Span>,
}

/// Everything the parser learned about one report: the model, the prose and the evidence.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ParsedReport {
    pub report: Report,
    /// The title line, when the report has one.
    pub title: Option<Located<String>>,
    /// Year stated in the title.
    pub title_year: Option<i32>,
    /// Statistical period stated in the text: (from, to) as ISO dates.
    pub period: Option<Located<(String, String)>>,
    /// Where `published` was read.
    pub published_span: Option<Span>,
    /// Which date `published` is: `"page"` (the page's or crawler's 发布时间/发布日期),
    /// `"document"` (the document's 发文日期/成文日期) or `"signature"` (the date under the
    /// signature, used only when the page gives none).
    pub published_from: Option<&'static str>,
    /// The signature (issuer line before the date), when present.
    pub signature: Option<Located<String>>,
    /// The lines of the report (prose and table rows), normalized, in order.
    pub lines: Vec<TextLine>,
    pub sections: Vec<Section>,
    pub warnings: Vec<ReadWarning>,
    /// The layout each table's headers and labels show (for the one-layout rule).
    pub layout_evidence: Vec<(TableId, Layout)>,
}

impl ParsedReport {
    pub fn section(&self, number: u8) -> Option<&Section> {
        self.sections.iter().find(|s| s.number == number)
    }
    /// The body lines of a section.
    pub fn section_lines(&self, number: u8) -> &[TextLine] {
        match self.section(number) {
            Some(s) => &self.lines[s.body.0.min(self.lines.len())..s.body.1.min(self.lines.len())],
            None => &[],
        }
    }
    /// The prose lines (not table rows) of the whole report.
    pub fn prose_lines(&self) -> impl Iterator<Item = &TextLine> {
        self.lines.iter().filter(|l| !l.is_table_row)
    }
}
