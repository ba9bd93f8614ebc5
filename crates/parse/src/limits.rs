//! Bounds on the work and memory one input file may cost. A supervising office uploads whatever
//! agencies send and a crawler saves whatever it finds, so every stage that a hostile file could
//! make big (inflating, decoding, nesting, page trees) checks one of these, and an exceeded limit
//! is a [`crate::ParseError::Limit`] for that file, never a crash of the process.
//!
//! The defaults are far above any real annual report (a report is 20–200 KB of text, a PDF a few
//! MB and some dozens of pages) and low enough that one document stays well under 1 GB of memory.

use std::time::Duration;

/// Limits for reading one file. `Limits::default()` is what every command uses.
#[derive(Debug, Clone, PartialEq)]
pub struct Limits {
    /// Bytes of the file as given (any format).
    pub file_bytes: usize,
    /// Bytes of decoded text of a text or HTML file.
    pub text_bytes: usize,
    /// Inflated bytes of one entry of a ZIP package (DOCX).
    pub zip_entry_bytes: u64,
    /// Inflated bytes of all entries read from one ZIP package.
    pub zip_total_bytes: u64,
    /// Largest ratio of inflated to compressed size of an entry bigger than 1 MB inflated.
    pub zip_ratio: u64,
    /// Depth of nested elements in an HTML page (counted before the tree is built).
    pub html_depth: usize,
    /// Bytes of one decoded PDF stream (content, font, CMap, object stream).
    pub pdf_stream_bytes: usize,
    /// Decoded bytes of all streams of one PDF.
    pub pdf_total_stream_bytes: usize,
    /// Objects of one PDF.
    pub pdf_objects: usize,
    /// Pages of one PDF.
    pub pdf_pages: usize,
    /// Content stream operators of one PDF (all pages).
    pub pdf_operators: usize,
    /// Glyphs and ruling lines collected from one PDF (one text operator can show millions).
    pub pdf_glyphs: usize,
    /// Nesting of arrays, dictionaries and strings anywhere in a PDF, its streams included.
    pub pdf_depth: usize,
    /// Wall-clock time for reading one document; checked between stages and in the loops that
    /// could run long.
    pub time: Duration,
    /// Wall-clock time for the OCR of one scanned document or image (all its pages), counted
    /// apart from `time`: Tesseract takes seconds per page.
    pub ocr_time: Duration,
    /// Address space of the process a PDF is read in, when PDFs are read in a worker process
    /// (see [`crate::worker`]).
    pub worker_memory: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            file_bytes: 200 << 20,
            text_bytes: 8 << 20,
            zip_entry_bytes: 32 << 20,
            zip_total_bytes: 64 << 20,
            zip_ratio: 300,
            html_depth: 1_000,
            pdf_stream_bytes: 32 << 20,
            pdf_total_stream_bytes: 128 << 20,
            pdf_objects: 500_000,
            pdf_pages: 2_000,
            pdf_operators: 5_000_000,
            pdf_glyphs: 2_000_000,
            pdf_depth: 64,
            time: Duration::from_secs(60),
            ocr_time: Duration::from_secs(600),
            worker_memory: 1280 << 20,
        }
    }
}

/// A size in the unit a user reads: "200 MB", "16 KB", "900 字节".
pub fn size(bytes: u64) -> String {
    if bytes >= 1 << 20 && bytes % (1 << 20) == 0 {
        format!("{} MB", bytes >> 20)
    } else if bytes >= 1 << 20 {
        format!("{:.1} MB", bytes as f64 / (1 << 20) as f64)
    } else if bytes >= 1 << 10 && bytes % (1 << 10) == 0 {
        format!("{} KB", bytes >> 10)
    } else {
        format!("{bytes} 字节")
    }
}

/// A clock for one document's budget.
#[derive(Debug, Clone, Copy)]
pub struct Deadline {
    start: std::time::Instant,
    budget: Duration,
}

impl Deadline {
    pub fn new(budget: Duration) -> Deadline {
        Deadline { start: std::time::Instant::now(), budget }
    }
    pub fn expired(&self) -> bool {
        self.start.elapsed() > self.budget
    }
    /// The limit as the error message names it.
    pub fn what(&self) -> String {
        format!("读取时间超过 {} 秒上限", self.budget.as_secs())
    }
}
