//! Reads a published 政府信息公开工作年度报告 into the canonical model.
//!
//! The stages, each with plain data between them:
//! 1. [`decode`]: bytes → UTF-8 text, format decided from the content (text or HTML);
//! 2. [`normalize`]: NFKC, pinyin annotations removed, traditional → simplified;
//! 3. [`blocks`] / [`html`]: lines and table rows with their cells ([`blocks::Block`]);
//! 4. [`structure`] and [`tables`]: reports split, sections, metadata, and the table grids
//!    mapped onto the official layout's rows by the meaning of their labels.
//!
//! Every line keeps, byte by byte, the offset in the source it came from, so each value
//! and each word of the prose has a [`nianbao_model::Span`] in the original file.

pub mod blocks;
pub mod decode;
pub mod docx;
pub mod error;
pub mod form_xlsx;
pub mod html;
pub mod labels;
pub mod legacy;
pub mod limits;
pub mod normalize;
pub mod pdf;
pub mod pictures;
pub mod recover;
pub mod segment;
pub mod structure;
pub mod tables;
pub mod trust;
pub mod worker;

pub use error::ParseError;
pub use limits::Limits;

use blocks::Block;
use nianbao_model::{Layout, ParsedReport, ReadWarning, Report, Source, TableId};
use std::path::Path;
use std::sync::Arc;

/// The version of the parser, stored with every result.
pub const PARSER_VERSION: &str = env!("CARGO_PKG_VERSION");

/// All reports read from one file.
#[derive(Debug, Clone)]
pub struct ParsedDocument {
    pub source: Arc<Source>,
    pub reports: Vec<ParsedReport>,
    pub format: decode::Format,
    pub encoding: &'static str,
}

/// Reads a file from disk.
pub fn parse_file(path: &Path) -> Result<ParsedDocument, ParseError> {
    parse_file_with(path, &Limits::default())
}

/// Reads a file from disk within `limits`; a file bigger than the limit is not read at all.
pub fn parse_file_with(path: &Path, limits: &Limits) -> Result<ParsedDocument, ParseError> {
    parse_path_with(path, limits)
}

fn parse_path_with(path: &Path, limits: &Limits) -> Result<ParsedDocument, ParseError> {
    let name = path.display().to_string();
    let io = |e: std::io::Error| ParseError::Io { file: name.clone(), reason: io_reason(&e) };
    let file = std::fs::File::open(path).map_err(io)?;
    let len = file.metadata().map_err(io)?.len();
    if len > limits.file_bytes as u64 {
        return Err(ParseError::Limit { file: name, what: format!("文件大小超过 {} 上限", limits::size(limits.file_bytes as u64)) });
    }
    let mut bytes = Vec::with_capacity(len as usize);
    // A file that grows while it is read is still cut at the limit (+1 to notice it).
    std::io::Read::read_to_end(&mut std::io::Read::take(file, limits.file_bytes as u64 + 1), &mut bytes).map_err(io)?;
    // A page read from disk may show pictures from its own folder (see `html_pictures`).
    let folder = path.parent().map(|p| if p.as_os_str().is_empty() { Path::new(".") } else { p });
    parse_in(&name, &bytes, limits, folder)
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "文件不存在".into(),
        std::io::ErrorKind::PermissionDenied => "没有读取权限".into(),
        _ if e.raw_os_error() == Some(21) => "这是一个目录".into(),
        _ => e.to_string(),
    }
}

/// What the first stage gives the later ones, whatever the format: the text that spans point
/// into, the map back to the file's bytes, and the blocks.
pub struct Extracted {
    pub format: decode::Format,
    pub encoding: &'static str,
    /// The text spans point into (for DOCX and PDF: the extracted text, one line per block).
    pub text: String,
    pub file_offsets: Option<Vec<u32>>,
    pub blocks: Vec<Block>,
    /// Page and box of pieces of `text` (PDF only; empty otherwise).
    pub boxes: Vec<nianbao_model::source::TextBox>,
    /// Pieces of `text` read by OCR, with their confidence (scans, images, and the pictures of a
    /// document with text: see [`pictures`]), in the coordinates of spans (file offsets).
    pub ocr: Vec<OcrSpan>,
    /// Notes for every report of the file (Chinese): pictures that could not be read, and why.
    pub notes: Vec<String>,
    /// Pictures of a document with printed text were read by OCR (the tables they held, if any,
    /// are in `ocr`; the agency and prose were printed). OCR had its own time budget.
    pub partly_ocr: bool,
}

/// A piece of the extracted text read by OCR: its byte range and Tesseract's confidence (0–100).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OcrSpan {
    pub start: u32,
    pub end: u32,
    pub conf: f32,
}

/// Stage 1 for every format.
pub fn extract(file: &str, bytes: &[u8]) -> Result<Extracted, ParseError> {
    extract_with(file, bytes, &Limits::default())
}

/// Stage 1 for every format, within `limits`.
pub fn extract_with(file: &str, bytes: &[u8], limits: &Limits) -> Result<Extracted, ParseError> {
    extract_in(file, bytes, limits, None)
}

/// Stage 1; `folder`: the folder of a file read from disk, whose pictures a web page may show
/// (`None` for bytes without a place, such as an upload: only pictures inside the page are read).
pub fn extract_in(file: &str, bytes: &[u8], limits: &Limits, folder: Option<&Path>) -> Result<Extracted, ParseError> {
    if bytes.len() > limits.file_bytes {
        return Err(ParseError::Limit { file: file.to_string(), what: format!("文件大小超过 {} 上限", limits::size(limits.file_bytes as u64)) });
    }
    match decode::sniff(bytes) {
        decode::Container::Zip => docx::extract_with(file, bytes, limits),
        decode::Container::Pdf => pdf::extract_with(file, bytes, limits),
        decode::Container::Ole => legacy::extract_with(file, bytes, limits),
        decode::Container::Image => pdf::scan::extract_image(file, bytes, limits),
        decode::Container::Plain => {
            let decoded = decode::decode_with(file, bytes, limits)?;
            let traditional = normalize::is_traditional(&decoded.text);
            let blocks = match decoded.format {
                decode::Format::Html => html::html_blocks_with(file, &decoded.text, traditional, limits)?,
                _ => blocks::text_blocks(&decoded.text, traditional),
            };
            let mut ex = Extracted { format: decoded.format, encoding: decoded.encoding, text: decoded.text, file_offsets: decoded.file_offsets, blocks, boxes: Vec::new(), ocr: Vec::new(), notes: Vec::new(), partly_ocr: false };
            if ex.format == decode::Format::Html {
                html_pictures(&mut ex, limits, folder);
            }
            Ok(ex)
        }
    }
}

/// The tables a web page shows as pictures (`<img>`), read when its text lacks them: a data: URI,
/// or — for a page read from disk — a file in the page's folder or below it. Never the network.
fn html_pictures(ex: &mut Extracted, limits: &Limits, folder: Option<&Path>) {
    let found: Vec<pictures::Found> = html::images(&ex.text).into_iter().map(|(at, name)| pictures::Found { at, name, page: None }).collect();
    let root = folder.and_then(|f| f.canonicalize().ok());
    let what = "网页中的图片";
    pictures::fill(ex, found, what, |f| {
        let src = f.name.trim();
        let lower = src.to_ascii_lowercase();
        if lower.starts_with("data:") {
            return pictures::data_uri(src, limits.file_bytes).map(pictures::Loaded::Bytes).map_err(|why| format!("{what}“{}”无法读取：{why}", pictures::short(src)));
        }
        if lower.starts_with("http:") || lower.starts_with("https:") || lower.starts_with("//") || lower.contains("://") {
            return Err(format!("{what}“{}”在网络上，未读取（不联网读取图片）；请把图片与网页一起保存后再读", pictures::short(src)));
        }
        let Some(root) = &root else {
            return Err(format!("{what}“{}”不在网页文件之内，未读取：只上传了网页本身时只能读取内嵌（data:）图片", pictures::short(src)));
        };
        let path = src.split(['?', '#']).next().unwrap_or_default();
        let path = String::from_utf8_lossy(&pictures::percent_decode(path)).into_owned();
        let inside = if path.starts_with('/') { None } else { root.join(&path).canonicalize().ok() };
        let Some(full) = inside.filter(|p| p.starts_with(root) && p.is_file()) else {
            return Err(format!("{what}“{}”不在网页所在文件夹内或不存在，未读取", pictures::short(src)));
        };
        let meta = std::fs::metadata(&full).map_err(|e| format!("{what}“{}”无法读取：{}", pictures::short(src), io_reason(&e)))?;
        if meta.len() > limits.file_bytes as u64 {
            return Err(format!("{what}“{}”超过 {} 上限，未读取", pictures::short(src), limits::size(limits.file_bytes as u64)));
        }
        std::fs::read(&full).map(pictures::Loaded::Bytes).map_err(|e| format!("{what}“{}”无法读取：{}", pictures::short(src), io_reason(&e)))
    }, limits);
}

/// Reads the bytes of a file named `file` (the name is used in messages and spans).
pub fn parse_bytes(file: &str, bytes: &[u8]) -> Result<ParsedDocument, ParseError> {
    parse_bytes_with(file, bytes, &Limits::default())
}

/// [`parse_bytes`] within `limits` (sizes, nesting, PDF structure, and a time budget checked
/// between stages).
pub fn parse_bytes_with(file: &str, bytes: &[u8], limits: &Limits) -> Result<ParsedDocument, ParseError> {
    parse_in(file, bytes, limits, None)
}

fn parse_in(file: &str, bytes: &[u8], limits: &Limits, folder: Option<&Path>) -> Result<ParsedDocument, ParseError> {
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(ParseError::Empty { file: file.to_string() });
    }
    if bytes.len() > limits.file_bytes {
        return Err(ParseError::Limit { file: file.to_string(), what: format!("文件大小超过 {} 上限", limits::size(limits.file_bytes as u64)) });
    }
    // The fill-in form (XLSX) is a ZIP package too: told from a DOCX by its workbook.
    if decode::sniff(bytes) == decode::Container::Zip && form_xlsx::is_xlsx(bytes) {
        return form_xlsx::parse(file, bytes, limits);
    }
    let deadline = limits::Deadline::new(limits.time);
    let over_time = || ParseError::Limit { file: file.to_string(), what: deadline.what() };
    let extracted = extract_in(file, bytes, limits, folder)?;
    let ocr_ran = !extracted.ocr.is_empty() || extracted.partly_ocr;
    if !ocr_ran && deadline.expired() {
        return Err(over_time());
    }
    // OCR had its own budget (`Limits::ocr_time`); the later stages get the usual one.
    let deadline = if ocr_ran { limits::Deadline::new(limits.time) } else { deadline };
    let over_time = || ParseError::Limit { file: file.to_string(), what: deadline.what() };
    let blocks = segment::resegment(extracted.blocks);
    let (format, encoding) = (extracted.format, extracted.encoding);
    let ocr = extracted.ocr;
    let (notes, partly_ocr) = (extracted.notes, extracted.partly_ocr);
    let source = Arc::new(Source::new(file, extracted.text, extracted.file_offsets).with_boxes(extracted.boxes));
    let mut reports = Vec::new();
    for range in structure::split_reports(&blocks) {
        if deadline.expired() {
            return Err(over_time());
        }
        if let Some(mut r) = read_report(&blocks, range, &source) {
            trust::drop_guesses_not_read_by_ocr(&mut r.report, &ocr);
            if !ocr.is_empty() {
                trust::vet(&mut r, &ocr);
                // With printed text beside the pictures the agency was printed, not read by OCR.
                if !partly_ocr {
                    trust::vet_agency(&mut r, &ocr, &source.decoded);
                }
            }
            r.warnings.extend(notes.iter().map(|n| ReadWarning { message: n.clone(), span: None }));
            reports.push(r);
        }
    }
    if reports.is_empty() {
        let mut missing = String::from("统计表（主动公开、依申请公开、复议诉讼）或“一、总体情况”等章节");
        // Pictures that might have held the tables but were not read: say why.
        if let Some(note) = notes.first() {
            missing.push_str(&format!("；{note}"));
            if notes.len() > 1 {
                missing.push_str(&format!("（另有 {} 条图片未读取）", notes.len() - 1));
            }
        }
        return Err(ParseError::NoReport { file: file.to_string(), missing });
    }
    Ok(ParsedDocument { source, reports, format, encoding })
}

fn read_report(blocks: &[Block], range: std::ops::Range<usize>, source: &Source) -> Option<ParsedReport> {
    let regions = tables::find_regions(blocks, range.clone());
    let base = range.start;
    let in_table = |i: usize| regions.contains(i);
    let sections = structure::sections(blocks, range.clone(), &in_table, source, base);
    let no_tables = regions.active_disclosure.is_none() && regions.applications.is_none() && regions.review_litigation.is_none();
    if no_tables && sections.len() < 3 {
        return None;
    }
    let meta = structure::meta(blocks, range.clone(), &sections, base, source);
    let evidence = tables::detect_layout(blocks, &regions);
    let layout = evidence.first().map(|e| e.1);
    let effective = layout.or(meta.year.map(Layout::required_for)).unwrap_or(Layout::L2021);

    let prose: String = range.clone().filter(|&i| !in_table(i) && !blocks[i].is_row()).map(|i| blocks[i].text()).collect::<Vec<_>>().join("\n");
    let mut reader = tables::TableReader { blocks, source, warnings: Vec::new(), prose };
    let mut report = Report { agency: meta.agency, year: meta.year, layout, published: meta.published.as_ref().map(|p| p.value.clone()), ..Report::default() };
    if let Some(r) = regions.active_disclosure.clone() {
        // 表二 is read in the layout its own headers show.
        let l = evidence.iter().find(|e| e.0 == TableId::ActiveDisclosure).map(|e| e.1).unwrap_or(effective);
        report.active_disclosure = reader.active_disclosure(r, l);
    }
    if let Some(r) = regions.applications.clone() {
        let l = evidence.iter().find(|e| e.0 == TableId::Applications).map(|e| e.1).unwrap_or(effective);
        report.applications = reader.applications(r, l);
    }
    if let Some(r) = regions.review_litigation.clone() {
        report.review_litigation = reader.review_litigation(r);
    }
    let mut warnings = reader.warnings;
    bound_values(&mut report, &mut warnings);
    for (id, present) in [
        (TableId::ActiveDisclosure, regions.active_disclosure.is_some()),
        (TableId::Applications, regions.applications.is_some()),
        (TableId::ReviewLitigation, regions.review_litigation.is_some()),
    ] {
        if !present {
            warnings.push(ReadWarning { message: format!("未找到{}（{}）", id.short_name(), id.title()), span: None });
        }
    }
    let lines = blocks[range.clone()]
        .iter()
        .enumerate()
        .map(|(k, b)| {
            let mut l = b.line.clone();
            l.is_table_row = b.is_row() || regions.contains(base + k);
            l
        })
        .collect();
    Some(ParsedReport {
        report,
        title: meta.title,
        title_year: meta.title_year,
        period: meta.period,
        published_span: meta.published.and_then(|p| p.span),
        published_from: meta.published_from,
        signature: meta.signature,
        lines,
        sections,
        warnings,
        layout_evidence: evidence,
    })
}

/// Counts beyond this are not counts but misprints or hostile input (a cell of 309 digits read
/// as infinity): they become unreadable cells. Far above any count a report could hold, and
/// exactly representable as f64.
pub const MAX_COUNT: f64 = 1e12;

/// Makes every value beyond [`MAX_COUNT`] (or not finite) an unreadable cell, with a warning.
pub(crate) fn bound_values(report: &mut Report, warnings: &mut Vec<ReadWarning>) {
    for id in [TableId::ActiveDisclosure, TableId::Applications, TableId::ReviewLitigation] {
        let table = report.table_mut(id);
        let cells = table.rows.iter_mut().flat_map(|r| r.cells.iter_mut()).chain(table.subtotals.iter_mut().flat_map(|s| s.cells.iter_mut()));
        {
            for cell in cells {
                if cell.value.is_some_and(|v| !v.is_finite() || v.abs() > MAX_COUNT) {
                    cell.value = None;
                    cell.mark = nianbao_model::CellMark::Unreadable;
                    warnings.push(ReadWarning { message: format!("{}：数值超出可读范围（大于 10^12），按无法识别处理", id.short_name()), span: cell.span });
                }
            }
        }
    }
}

/// The canonical JSON array of a document's reports.
pub fn to_json(doc: &ParsedDocument) -> serde_json::Value {
    serde_json::Value::Array(doc.reports.iter().map(|r| nianbao_model::json::to_json(&r.report)).collect())
}
