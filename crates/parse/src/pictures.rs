//! Tables published as pictures inside a document that has text of its own: `<img>` in a web
//! page (a data: URI, or a file beside the page), a picture in a Word file, a PDF page whose table
//! is an image. The text is read first; only when it lacks one of 表二/表三/表四 are the pictures
//! read by OCR (`scan.rs`'s word boxes → the PDF table reconstruction → the same alignment), and
//! only the tables the text lacks are taken from them: a printed table wins over a picture of it.
//!
//! The text read from the pictures is appended to the document's text (one line per block, each
//! picture after the previous one) and its blocks are put where the picture stands, so sections
//! and reports are split as if the table had been printed there. Spans of OCR'd cells lie past the
//! end of the file (the file's length + their place in the appended text), carry the picture's
//! number as `page` and the box in it; their confidences go to [`Extracted::ocr`] in those same
//! coordinates, so `trust.rs` vets them exactly as on a scan.

use crate::blocks::Block;
use crate::pdf::scan;
use crate::tables::find_regions;
use crate::{Extracted, OcrSpan};
use nianbao_model::TableId;
use std::time::Instant;

/// Most pictures read from one document: a report has three tables, maybe split over a few
/// pictures each; a page of a hundred icons is not a report's tables.
pub const MAX_PICTURES: usize = 24;

/// A picture too small to hold a table (icons, logos, spacers) is not read.
const MIN_SIDE: u32 = 120;

/// Fewer characters than this read from a picture: not a table.
const MIN_CHARS: usize = 20;

/// A picture found in the document: where it stands (an offset in [`Extracted::text`]: its blocks
/// go before the first block at or after it) and a name for messages (the `src`, the media path).
#[derive(Debug, Clone)]
pub struct Found {
    pub at: usize,
    pub name: String,
    /// The page the picture is on (a PDF page); else its boxes carry the picture's number.
    pub page: Option<u32>,
}

/// What to OCR: a loaded picture (image bytes), or one already rendered and masked as gray levels.
pub enum Loaded {
    Bytes(Vec<u8>),
    /// A page in gray levels at a known dpi, with the seal ink of its colour image
    /// (`nianbao_ocr::seal::mask`), if any.
    Gray(nianbao_ocr::image::GrayImage, f64, Option<nianbao_ocr::image::GrayImage>),
}

/// Tables (by id) the document's text does not have. A region without three values printed as
/// numbers is no table: `find_regions` also takes the section heading above a picture, or a
/// table's skeleton of labels (`1.属于国家秘密`) whose values are in a picture, for the table.
pub fn missing_tables(blocks: &[Block]) -> Vec<TableId> {
    let r = find_regions(blocks, 0..blocks.len());
    let values = |b: &Block| -> usize {
        if b.is_row() {
            (0..b.cells.len()).filter(|&k| is_number(b.cell_text(k).trim())).count()
        } else {
            b.text().split(|c: char| c.is_whitespace() || c == '|').filter(|w| is_number(w)).count()
        }
    };
    let printed = |range: &Option<std::ops::Range<usize>>| range.as_ref().is_some_and(|range| blocks[range.clone()].iter().map(values).sum::<usize>() >= 3);
    [(TableId::ActiveDisclosure, &r.active_disclosure), (TableId::Applications, &r.applications), (TableId::ReviewLitigation, &r.review_litigation)]
        .into_iter()
        .filter(|(_, range)| !printed(range))
        .map(|(id, _)| id)
        .collect()
}

/// A value printed as a number (`53`, `43923.57`, `1,024`).
fn is_number(w: &str) -> bool {
    w.bytes().any(|c| c.is_ascii_digit()) && w.bytes().all(|c| c.is_ascii_digit() || c == b'.' || c == b',')
}

/// Fills the tables `ex`'s text lacks from `found` pictures (loaded lazily by `load`, which gives a
/// Chinese note when a picture cannot be had: on the network, outside the page's folder…).
/// Notes go to [`Extracted::notes`]. `what` names the kind of picture in messages (网页中的图片).
pub fn fill(
    ex: &mut Extracted,
    found: Vec<Found>,
    what: &str,
    load: impl FnMut(&Found) -> Result<Loaded, String> + Send,
    limits: &crate::Limits,
) {
    if found.is_empty() {
        return;
    }
    let missing = missing_tables(&ex.blocks);
    if missing.is_empty() {
        return;
    }
    // A page that is no annual report (a news page full of photos) is not worth minutes of OCR.
    if !ex.blocks.iter().any(|b| b.text().contains("年度报告") || b.text().contains("政府信息公开")) {
        return;
    }
    if nianbao_ocr::available().is_err() {
        // A note, not an error: the pictures may be logos, and the printed text is still read;
        // a report that then has no table at all names the package in its error.
        ex.notes.push(format!("{what}未识别：需要文字识别（OCR），请安装 Debian 软件包 tesseract-ocr 和 tesseract-ocr-chi-sim"));
        return;
    }
    let started = Instant::now();
    // Pictures are loaded and decoded one at a time (under the lock: `load` may render a PDF once
    // for all pages, and one decoded picture per worker bounds the memory) and read in parallel,
    // one Tesseract per core, as the pages of a scan are.
    struct Queue<L> {
        load: L,
        next: usize,
        total_bytes: usize,
        stop: bool,
        notes: Vec<(usize, String)>,
    }
    let queue = std::sync::Mutex::new(Queue { load, next: 0, total_bytes: 0, stop: false, notes: Vec::new() });
    let note = |n: usize, text: String| queue.lock().unwrap_or_else(|e| e.into_inner()).notes.push((n, text));
    type Taken = (usize, nianbao_ocr::image::GrayImage, Option<f64>, nianbao_ocr::Options, Option<nianbao_ocr::image::GrayImage>);
    let take = || -> Option<Taken> {
        let mut q = queue.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            let n = q.next;
            if q.stop || n >= found.len() {
                return None;
            }
            q.next += 1;
            let f = &found[n];
            if n >= MAX_PICTURES {
                q.notes.push((n, format!("{what}超过 {MAX_PICTURES} 张，其余未读取")));
                q.stop = true;
                return None;
            }
            let Ok(opts) = scan::options(limits, started) else {
                q.notes.push((n, format!("文字识别超过 {} 秒上限，{what}“{}”及其后的图片未读取", limits.ocr_time.as_secs(), short(&f.name))));
                q.stop = true;
                return None;
            };
            let loaded = match (q.load)(f) {
                Ok(l) => l,
                Err(text) => {
                    q.notes.push((n, text));
                    continue;
                }
            };
            let (gray, dpi, seal) = match loaded {
                Loaded::Bytes(bytes) => {
                    q.total_bytes += bytes.len();
                    if q.total_bytes > limits.file_bytes {
                        q.notes.push((n, format!("{what}合计超过 {} 上限，“{}”及其后的图片未读取", crate::limits::size(limits.file_bytes as u64), short(&f.name))));
                        q.stop = true;
                        return None;
                    }
                    match nianbao_ocr::decode_image(&bytes, &opts) {
                        Ok(img) => (nianbao_ocr::lightest(&img), None, nianbao_ocr::seal::mask(&img)),
                        Err(e) => {
                            q.notes.push((n, format!("{what}“{}”无法读取（{}），未识别", short(&f.name), reason(e))));
                            continue;
                        }
                    }
                }
                Loaded::Gray(g, dpi, seal) => (g, Some(dpi), seal),
            };
            // Icons, logos and spacers hold no table.
            if gray.width() < MIN_SIDE || gray.height() < MIN_SIDE {
                continue;
            }
            return Some((n, gray, dpi, opts, seal));
        }
    };
    let workers = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1).min(found.len().min(MAX_PICTURES)).max(1);
    let mut read: Vec<(usize, Extracted)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| {
                    let mut out = Vec::new();
                    while let Some((n, gray, dpi, opts, seal)) = take() {
                        let page = match nianbao_ocr::read_gray(gray, dpi, &opts) {
                            Ok(mut p) => {
                                if let Some(mask) = seal {
                                    nianbao_ocr::seal::doubt_under(&mut p, &mask);
                                }
                                p
                            }
                            Err(e) => {
                                note(n, format!("{what}“{}”未能识别（{}）", short(&found[n].name), reason(e)));
                                continue;
                            }
                        };
                        let mut conf = std::collections::HashMap::new();
                        let p = scan::to_page(1, &page, &mut conf);
                        if p.glyphs.len() < MIN_CHARS {
                            continue;
                        }
                        let mut e = crate::pdf::lay_out(vec![p], crate::decode::Format::Image);
                        e.ocr = e.boxes.iter().filter(|b| !b.cell).filter_map(|b| conf.get(&(b.page, b.bbox)).map(|&c| OcrSpan { start: b.start, end: b.end, conf: c })).collect();
                        out.push((n, e));
                    }
                    out
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().unwrap_or_default()).collect()
    });
    read.sort_by_key(|(n, _)| *n);
    let mut notes = queue.into_inner().unwrap_or_else(|e| e.into_inner()).notes;
    notes.sort_by_key(|(n, _)| *n);
    ex.notes.extend(notes.into_iter().map(|(_, t)| t));
    let doc_len = ex.text.len();
    for (n, mut e) in read {
        // A printed table wins: the picture's copy of a table the text has is left out.
        let regions = find_regions(&e.blocks, 0..e.blocks.len());
        let drop: Vec<std::ops::Range<usize>> = [
            (TableId::ActiveDisclosure, &regions.active_disclosure),
            (TableId::Applications, &regions.applications),
            (TableId::ReviewLitigation, &regions.review_litigation),
        ]
        .into_iter()
        .filter(|(id, r)| r.is_some() && !missing.contains(id))
        .filter_map(|(_, r)| r.clone())
        .collect();
        let has_missing = [
            (TableId::ActiveDisclosure, &regions.active_disclosure),
            (TableId::Applications, &regions.applications),
            (TableId::ReviewLitigation, &regions.review_litigation),
        ]
        .into_iter()
        .any(|(id, r)| r.is_some() && missing.contains(&id));
        // A picture holding no table's header is kept only when it looks like a table's
        // continuation (its second page: rows of numbers); a banner or a photograph with some
        // words on it would only add OCR'd prose to the report.
        let numeric = |b: &Block| (0..b.cells.len()).filter(|&k| is_number(b.cell_text(k).trim())).count() >= 3;
        if !has_missing && (!drop.is_empty() || e.blocks.iter().filter(|b| numeric(b)).count() < 3) {
            continue;
        }
        e.blocks = e.blocks.into_iter().enumerate().filter(|(i, _)| !drop.iter().any(|r| r.contains(i))).map(|(_, b)| b).collect();
        // On a PDF page the picture goes before the page's first printed line below the top of
        // its table (its first ruled cell: specks of an icon or a rule read as words are higher).
        let top = e.boxes.iter().filter(|b| b.cell).map(|b| b.bbox[1]).min().or_else(|| e.boxes.iter().map(|b| b.bbox[1]).min());
        let at = match (found[n].page, top) {
            (Some(page), Some(top)) => ex.boxes.iter().filter(|b| b.page == page && !b.cell && (b.start as usize) < doc_len && b.bbox[1] >= top).map(|b| b.start as usize).min().unwrap_or(found[n].at),
            _ => found[n].at,
        };
        append(ex, e, at, found[n].page.unwrap_or(n as u32 + 1), doc_len);
    }
    // Set when pictures were read at all, even if none held a table: OCR had its own time budget.
    ex.partly_ocr = true;
}

fn reason(e: nianbao_ocr::OcrError) -> String {
    match e {
        nianbao_ocr::OcrError::Image(r) => r,
        nianbao_ocr::OcrError::Limit(w) => w,
        nianbao_ocr::OcrError::Timeout { tool, secs } => format!("{tool} 超过 {secs} 秒"),
        nianbao_ocr::OcrError::Failed { tool, reason } => format!("{tool}：{reason}"),
        nianbao_ocr::OcrError::Missing { package, .. } => format!("缺少 {package}"),
    }
}

/// A name for messages: a data: URI is shown by its type only.
pub fn short(name: &str) -> String {
    if name.starts_with("data:") {
        let head: String = name.chars().take_while(|&c| c != ',' && c != ';').collect();
        return format!("{head}…");
    }
    let s: String = name.chars().take(80).collect();
    if s.len() < name.len() {
        format!("{s}…")
    } else {
        s
    }
}

/// Appends the text read from one picture to `ex`: its text after the document's, its blocks
/// before the first block at or after `at`, its boxes on page `page`, its confidences in file
/// coordinates (see the module's text).
fn append(ex: &mut Extracted, e: Extracted, at: usize, page: u32, doc_len: usize) {
    let orig_len = ex.text.len();
    let file_len = ex.file_offsets.as_ref().and_then(|m| m.last().copied()).map(|l| l as usize).unwrap_or(orig_len);
    // The first picture starts the appended part after a line break of its own.
    let base = ex.text.len() + 1;
    ex.text.push('\n');
    ex.text.push_str(&e.text);
    if let Some(map) = ex.file_offsets.as_mut() {
        // Decoded offset d past the text so far maps to file_len + (d - orig_len); the map has
        // one entry past the end of the text so far already.
        for d in map.len()..=ex.text.len() {
            map.push((file_len + (d - orig_len)) as u32);
        }
    }
    let to_file = |d: usize, ex_map: &Option<Vec<u32>>| -> u32 {
        match ex_map {
            Some(m) => m.get(d).copied().unwrap_or(0),
            None => d as u32,
        }
    };
    for s in &e.ocr {
        let (ds, de) = (base + s.start as usize, base + s.end as usize);
        ex.ocr.push(OcrSpan { start: to_file(ds, &ex.file_offsets), end: to_file(de, &ex.file_offsets), conf: s.conf });
    }
    ex.ocr.sort_by_key(|s| (s.start, s.end));
    for b in &e.boxes {
        let mut b = *b;
        b.start += base as u32;
        b.end += base as u32;
        b.page = page;
        ex.boxes.push(b);
    }
    let mut blocks = e.blocks;
    for b in &mut blocks {
        for o in &mut b.line.offsets {
            *o += base as u32;
        }
    }
    let first = |b: &Block| b.line.offsets.first().copied().unwrap_or(0) as usize;
    // Blocks of pictures appended before point past the document's own text: only the
    // document's blocks place a picture (pictures come in document order, so one inserted
    // earlier at the same place stays before this one).
    let pos = ex.blocks.iter().position(|b| first(b) < doc_len && first(b) >= at).unwrap_or(ex.blocks.len());
    ex.blocks.splice(pos..pos, blocks);
}

/// Decodes the payload of a `data:` URI (base64 or percent-encoded), bounded by `max` bytes.
pub fn data_uri(uri: &str, max: usize) -> Result<Vec<u8>, String> {
    let rest = &uri[5..];
    let (head, payload) = rest.split_once(',').ok_or("data: 地址缺少逗号")?;
    if head.to_ascii_lowercase().ends_with(";base64") {
        if payload.len() / 4 * 3 > max {
            return Err(format!("超过 {} 上限", crate::limits::size(max as u64)));
        }
        base64(payload).ok_or_else(|| "base64 编码有误".to_string())
    } else {
        let bytes = percent_decode(payload);
        if bytes.len() > max {
            return Err(format!("超过 {} 上限", crate::limits::size(max as u64)));
        }
        Ok(bytes)
    }
}

/// Standard or URL-safe base64; white space (line-wrapped URIs) is skipped.
fn base64(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len() / 4 * 3);
    let mut acc = 0u32;
    let mut bits = 0;
    for c in s.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            b'=' => break,
            c if c.is_ascii_whitespace() => continue,
            _ => return None,
        };
        acc = (acc << 6) | v as u32;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

pub(crate) fn percent_decode(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            if let Ok(v) = u8::from_str_radix(std::str::from_utf8(&b[i + 1..i + 3]).unwrap_or("zz"), 16) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_and_percent_data_uris_decode() {
        assert_eq!(data_uri("data:image/png;base64,aGVsbG8gd29ybGQ=", 100).unwrap(), b"hello world");
        assert_eq!(data_uri("data:image/png;base64,aGVs\nbG8=", 100).unwrap(), b"hello");
        assert_eq!(data_uri("data:text/plain,a%20b", 100).unwrap(), b"a b");
        assert!(data_uri("data:image/png;base64,aGVsbG8gd29ybGQ=", 4).is_err());
        assert!(data_uri("data:image/png;base64,a*b", 100).is_err());
        assert!(data_uri("data:nocomma", 100).is_err());
    }

    fn line(text: &str, at: usize) -> Block {
        Block::prose(crate::normalize::identity_line(text, at))
    }

    #[test]
    fn a_picture_goes_where_it_stands_and_its_spans_past_the_end_of_the_file() {
        // A GBK page of 20 bytes decoded to 24: the map ends at the file's length.
        let text = "二、主动公开\n三、收到\n".to_string();
        assert_eq!(text.len(), 32);
        let map: Vec<u32> = (0..=text.len() as u32).map(|d| d * 20 / 32).collect();
        let mut ex = Extracted {
            format: crate::decode::Format::Html,
            encoding: "GB18030",
            blocks: vec![line("二、主动公开", 0), line("三、收到", 19)],
            text,
            file_offsets: Some(map),
            boxes: Vec::new(),
            ocr: Vec::new(),
            notes: Vec::new(),
            partly_ocr: false,
        };
        let picture = |t: &str| Extracted {
            format: crate::decode::Format::Image,
            encoding: "UTF-8",
            text: format!("{t}\n"),
            file_offsets: None,
            blocks: vec![line(t, 0)],
            boxes: vec![nianbao_model::source::TextBox { start: 0, end: 1, page: 1, bbox: [1, 2, 3, 4], cell: false }],
            ocr: vec![OcrSpan { start: 0, end: 1, conf: 77.0 }],
            notes: Vec::new(),
            partly_ocr: false,
        };
        let doc_len = ex.text.len();
        append(&mut ex, picture("12"), 19, 2, doc_len);
        append(&mut ex, picture("34"), 19, 3, doc_len);
        let texts: Vec<&str> = ex.blocks.iter().map(|b| b.text()).collect();
        assert_eq!(texts, vec!["二、主动公开", "12", "34", "三、收到"]);
        assert_eq!(ex.text, "二、主动公开\n三、收到\n\n12\n\n34\n");
        // Decoded offsets of the pictures' text, and file offsets past the file's 20 bytes.
        assert_eq!(ex.blocks[1].line.offsets[0], 33);
        assert_eq!(ex.blocks[2].line.offsets[0], 37);
        let map = ex.file_offsets.as_ref().unwrap();
        assert_eq!(map.len(), ex.text.len() + 1);
        assert!(map.windows(2).all(|w| w[0] <= w[1]));
        assert_eq!((map[32], map[33], map[37]), (20, 21, 25));
        assert_eq!(ex.ocr, vec![OcrSpan { start: 21, end: 22, conf: 77.0 }, OcrSpan { start: 25, end: 26, conf: 77.0 }]);
        assert_eq!(ex.boxes.iter().map(|b| (b.start, b.page)).collect::<Vec<_>>(), vec![(33, 2), (37, 3)]);
        let source = nianbao_model::Source::new("a.html", ex.text.clone(), ex.file_offsets.clone()).with_boxes(ex.boxes.clone());
        let span = source.span(37, 38);
        assert_eq!((span.start, span.page, span.bbox), (25, Some(3), Some([1, 2, 3, 4])));
    }

    #[test]
    fn a_heading_or_a_skeleton_of_labels_is_no_printed_table() {
        let row = |cells: &[&str]| Block::from_cells(cells.iter().map(|c| crate::normalize::identity_line(c, 0)).collect(), true);
        let heading = vec![line("四、政府信息公开行政复议、行政诉讼情况", 0)];
        assert_eq!(missing_tables(&heading).len(), 3);
        let skeleton = vec![line("三、收到和处理政府信息公开申请情况", 0), row(&["本年新收政府信息公开申请数量", "", ""]), row(&["1.属于国家秘密", "", ""]), row(&["2.其他法律行政法规禁止公开", "", ""]), row(&["3.危及“三安全一稳定”", "", ""])];
        assert!(missing_tables(&skeleton).contains(&TableId::Applications));
        let printed = vec![line("三、收到和处理政府信息公开申请情况", 0), row(&["本年新收政府信息公开申请数量", "53", "3"]), row(&["1.属于国家秘密", "0", "0"])];
        assert!(!missing_tables(&printed).contains(&TableId::Applications));
    }

    #[test]
    fn names_in_messages_are_short() {
        assert_eq!(short("data:image/png;base64,AAAA"), "data:image/png…");
        assert_eq!(short("a.png"), "a.png");
    }
}
