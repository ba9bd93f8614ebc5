//! Stage 1 for Word files (.docx): paragraphs and tables read straight from the package
//! (`word/document.xml`, with zip + quick-xml). Tracked insertions are kept and deletions
//! dropped, content controls (`w:sdt`) and field results are read as text, field codes are not,
//! text boxes become paragraphs of their own, and a cell merged into the one above
//! (`w:vMerge` continue) is left out of its row the way HTML leaves a rowspan's cells out.
//!
//! The text that spans point into is the document's text, one line per paragraph or table row
//! (cells joined by " | "), so a value's line is its paragraph or table row.

use crate::blocks::Block;
use crate::error::ParseError;
use crate::normalize::{identity_line, is_traditional, normalize};
use crate::Extracted;
use nianbao_model::TextLine;
use quick_xml::events::Event;
use quick_xml::Reader;
use std::io::Read;

/// A paragraph or a table row as plain strings, before normalization.
enum Raw {
    Paragraph(String),
    Row(Vec<String>),
    /// A picture (`a:blip r:embed`, `v:imagedata r:id`): its relationship id. Pushed when met, so
    /// before the paragraph or row that holds it.
    Picture(String),
}

#[derive(Default)]
struct Cell {
    text: String,
    continues_merge: bool,
}

#[derive(Default)]
struct State {
    /// Text of the paragraphs being read (nested for text boxes).
    paragraphs: Vec<String>,
    /// Tables being read: rows of cells (nested tables stack).
    tables: Vec<Vec<Vec<Cell>>>,
    in_text: bool,
    in_deleted: usize,
    in_instr: bool,
    out: Vec<Raw>,
}

impl State {
    fn push_text(&mut self, s: &str) {
        if self.in_text && self.in_deleted == 0 && !self.in_instr {
            if let Some(p) = self.paragraphs.last_mut() {
                p.push_str(s);
            }
        }
    }

    fn end_paragraph(&mut self) {
        let Some(text) = self.paragraphs.pop() else { return };
        // Inside a table cell the paragraph belongs to the cell; elsewhere it is a block.
        let in_cell = self.tables.last().and_then(|t| t.last()).and_then(|r| r.last()).is_some() && self.paragraphs.is_empty();
        if in_cell {
            if let Some(cell) = self.tables.last_mut().and_then(|t| t.last_mut()).and_then(|r| r.last_mut()) {
                cell.text.push_str(text.trim());
            }
        } else if !text.trim().is_empty() {
            self.out.push(Raw::Paragraph(text));
        }
    }
}

/// Why the package could not be read: damaged, or over a limit.
enum ReadError {
    Corrupt(String),
    Limit(String),
}

/// Size of the central directory the end record of a ZIP file declares (`None`: no end record).
/// Read before the archive is opened: the zip crate allocates per entry of the directory.
fn central_directory_size(bytes: &[u8]) -> Option<u64> {
    let tail_from = bytes.len().saturating_sub(22 + 0xffff);
    let at = bytes[tail_from..].windows(4).rposition(|w| w == b"PK\x05\x06")? + tail_from;
    let end = bytes.get(at..at + 22)?;
    let size = u32::from_le_bytes([end[12], end[13], end[14], end[15]]);
    let entries = u16::from_le_bytes([end[10], end[11]]);
    // ZIP64 markers: the real values are elsewhere and a Word document never needs them.
    Some(if size == u32::MAX || entries == u16::MAX { u64::MAX } else { size as u64 })
}

fn read_document(bytes: &[u8], limits: &crate::Limits) -> Result<String, ReadError> {
    const NAME: &str = "word/document.xml";
    let max_directory = 16 << 20;
    if central_directory_size(bytes).is_some_and(|s| s > max_directory) {
        return Err(ReadError::Limit(format!("ZIP 目录超过 {} 上限", crate::limits::size(max_directory))));
    }
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|e| ReadError::Corrupt(e.to_string()))?;
    let entry = zip.by_name(NAME).map_err(|_| ReadError::Corrupt("没有 word/document.xml，不是 Word 文档".to_string()))?;
    // The only entry read, so the per-document bound is the smaller of the two.
    let limit = limits.zip_entry_bytes.min(limits.zip_total_bytes);
    let over = || ReadError::Limit(format!("{NAME} 解压后超过 {} 上限", crate::limits::size(limit)));
    if entry.size() > limit {
        return Err(over());
    }
    let ratio = entry.size() / entry.compressed_size().max(1);
    if entry.size() > 1 << 20 && ratio > limits.zip_ratio {
        return Err(ReadError::Limit(format!("{NAME} 压缩比 {ratio}:1 超过 {}:1 上限", limits.zip_ratio)));
    }
    // The declared size may lie: read one byte past the limit to notice.
    let mut raw = Vec::with_capacity(entry.size() as usize);
    entry.take(limit + 1).read_to_end(&mut raw).map_err(|e| ReadError::Corrupt(e.to_string()))?;
    if raw.len() as u64 > limit {
        return Err(over());
    }
    String::from_utf8(raw).map_err(|e| ReadError::Corrupt(format!("{NAME} 不是 UTF-8（第 {} 字节）", e.utf8_error().valid_up_to())))
}

/// The relationship id of a picture element (`r:embed` of `a:blip`, `r:id` of `v:imagedata`).
fn picture_id(e: &quick_xml::events::BytesStart<'_>) -> Option<String> {
    e.attributes().flatten().find(|a| matches!(a.key.local_name().as_ref(), "embed" | "id") && a.key.prefix().is_some()).map(|a| a.value.to_string())
}

/// Reads one more entry of the package, bounded like `word/document.xml`.
fn read_entry(bytes: &[u8], name: &str, limits: &crate::Limits) -> Result<Vec<u8>, String> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|e| e.to_string())?;
    let entry = zip.by_name(name).map_err(|_| format!("文件中没有 {name}"))?;
    let limit = limits.zip_entry_bytes.min(limits.zip_total_bytes).min(limits.file_bytes as u64);
    if entry.size() > limit {
        return Err(format!("{name} 解压后超过 {} 上限", crate::limits::size(limit)));
    }
    let mut raw = Vec::with_capacity(entry.size() as usize);
    entry.take(limit + 1).read_to_end(&mut raw).map_err(|e| e.to_string())?;
    if raw.len() as u64 > limit {
        return Err(format!("{name} 解压后超过 {} 上限", crate::limits::size(limit)));
    }
    Ok(raw)
}

/// The targets of the document's relationships (`word/_rels/document.xml.rels`): id → entry name.
fn relationships(bytes: &[u8], limits: &crate::Limits) -> std::collections::HashMap<String, String> {
    let mut out = std::collections::HashMap::new();
    let Ok(raw) = read_entry(bytes, "word/_rels/document.xml.rels", limits) else { return out };
    let Ok(xml) = String::from_utf8(raw) else { return out };
    let mut reader = Reader::from_str(&xml);
    while let Ok(ev) = reader.read_event() {
        match ev {
            Event::Empty(e) | Event::Start(e) if e.name().local_name().as_ref() == "Relationship" => {
                let attr = |k: &str| e.attributes().flatten().find(|a| a.key.as_ref() == k).map(|a| a.value.to_string());
                if attr("TargetMode").as_deref() == Some("External") {
                    continue;
                }
                if let (Some(id), Some(target)) = (attr("Id"), attr("Target")) {
                    // Targets are relative to word/ (or absolute from the package root).
                    let name = match target.strip_prefix('/') {
                        Some(abs) => abs.to_string(),
                        None => format!("word/{target}"),
                    };
                    out.insert(id, name);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    out
}

fn parse_xml(xml: &str) -> Result<Vec<Raw>, String> {
    let mut reader = Reader::from_str(xml);
    let mut st = State::default();
    loop {
        let event = reader.read_event().map_err(|e| format!("XML 错误（位置 {}）：{e}", reader.buffer_position()))?;
        match event {
            Event::Start(e) => match e.name().local_name().as_ref() {
                "blip" | "imagedata" if st.in_deleted == 0 => {
                    if let Some(id) = picture_id(&e) {
                        st.out.push(Raw::Picture(id));
                    }
                }
                "p" => st.paragraphs.push(String::new()),
                "t" => st.in_text = true,
                "del" => st.in_deleted += 1,
                "instrText" => st.in_instr = true,
                "tbl" => st.tables.push(Vec::new()),
                "tr" => {
                    if let Some(t) = st.tables.last_mut() {
                        t.push(Vec::new());
                    }
                }
                "tc" => {
                    if let Some(r) = st.tables.last_mut().and_then(|t| t.last_mut()) {
                        r.push(Cell::default());
                    }
                }
                "vMerge" => {
                    let restart = e.try_get_attribute("w:val").ok().flatten().is_some_and(|a| a.value == "restart");
                    if let Some(c) = st.tables.last_mut().and_then(|t| t.last_mut()).and_then(|r| r.last_mut()) {
                        c.continues_merge = !restart;
                    }
                }
                _ => {}
            },
            Event::Empty(e) => match e.name().local_name().as_ref() {
                "blip" | "imagedata" if st.in_deleted == 0 => {
                    if let Some(id) = picture_id(&e) {
                        st.out.push(Raw::Picture(id));
                    }
                }
                "tab" | "br" | "cr" if st.in_deleted == 0 => {
                    if let Some(p) = st.paragraphs.last_mut() {
                        p.push(' ');
                    }
                }
                "vMerge" => {
                    let restart = e.try_get_attribute("w:val").ok().flatten().is_some_and(|a| a.value == "restart");
                    if let Some(c) = st.tables.last_mut().and_then(|t| t.last_mut()).and_then(|r| r.last_mut()) {
                        c.continues_merge = !restart;
                    }
                }
                _ => {}
            },
            Event::End(e) => match e.name().local_name().as_ref() {
                "p" => st.end_paragraph(),
                "t" => st.in_text = false,
                "del" => st.in_deleted = st.in_deleted.saturating_sub(1),
                "instrText" => st.in_instr = false,
                "tr" => {
                    let row = st.tables.last_mut().and_then(|t| t.pop());
                    if let Some(row) = row {
                        let cells: Vec<String> = row.into_iter().filter(|c| !c.continues_merge).map(|c| c.text).collect();
                        if cells.iter().any(|c| !c.trim().is_empty()) {
                            st.out.push(Raw::Row(cells));
                        }
                    }
                }
                "tbl" => {
                    st.tables.pop();
                }
                _ => {}
            },
            Event::Text(t) => st.push_text(&t.xml10_content()),
            Event::CData(t) => st.push_text(&t.into_inner()),
            Event::GeneralRef(r) => {
                let c = match r.resolve_char_ref() {
                    Ok(Some(c)) => Some(c),
                    _ => match r.into_inner().as_ref() {
                        "amp" => Some('&'),
                        "lt" => Some('<'),
                        "gt" => Some('>'),
                        "quot" => Some('"'),
                        "apos" => Some('\''),
                        _ => None,
                    },
                };
                if let Some(c) = c {
                    st.push_text(c.encode_utf8(&mut [0u8; 4]));
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(st.out)
}

pub fn extract(file: &str, bytes: &[u8]) -> Result<Extracted, ParseError> {
    extract_with(file, bytes, &crate::Limits::default())
}

/// Reads a .docx within `limits` (inflated size and ratio of `word/document.xml`).
pub fn extract_with(file: &str, bytes: &[u8], limits: &crate::Limits) -> Result<Extracted, ParseError> {
    let corrupt = |reason: String| ParseError::Corrupt { file: file.to_string(), format: "Word（docx）文档", reason };
    let xml = read_document(bytes, limits).map_err(|e| match e {
        ReadError::Corrupt(reason) => corrupt(reason),
        ReadError::Limit(what) => ParseError::Limit { file: file.to_string(), what },
    })?;
    let raws = parse_xml(&xml).map_err(corrupt)?;
    let sample: String = raws
        .iter()
        .take(200)
        .map(|r| match r {
            Raw::Paragraph(p) => p.clone(),
            Raw::Row(c) => c.join(""),
            Raw::Picture(_) => String::new(),
        })
        .collect();
    let traditional = is_traditional(&sample);
    let mut text = String::new();
    let mut blocks = Vec::new();
    let mut found = Vec::new();
    for raw in raws {
        match raw {
            Raw::Picture(id) => found.push((text.len(), id)),
            Raw::Paragraph(p) => {
                let p = p.replace('\n', " ");
                let line = normalize(&identity_line(&p, text.len()), traditional);
                text.push_str(&p);
                text.push('\n');
                if !line.text.is_empty() {
                    blocks.push(Block::prose(line));
                }
            }
            Raw::Row(cells) => {
                let mut lines: Vec<TextLine> = Vec::new();
                for (i, c) in cells.iter().enumerate() {
                    if i > 0 {
                        text.push_str(" | ");
                    }
                    let c = c.replace('\n', " ");
                    lines.push(normalize(&identity_line(&c, text.len()), traditional));
                    text.push_str(&c);
                }
                text.push('\n');
                blocks.push(Block::from_cells(lines, true));
            }
        }
    }
    let mut ex = Extracted { format: crate::decode::Format::Docx, encoding: "UTF-8", text, file_offsets: None, blocks, boxes: Vec::new(), ocr: Vec::new(), notes: Vec::new(), partly_ocr: false };
    if !found.is_empty() && !crate::pictures::missing_tables(&ex.blocks).is_empty() {
        // Tables pasted as pictures: read from word/media when the text lacks them.
        let rels = relationships(bytes, limits);
        let found = found.into_iter().map(|(at, id)| crate::pictures::Found { at, name: rels.get(&id).cloned().unwrap_or(id), page: None }).collect();
        let what = "Word 文档中的图片";
        crate::pictures::fill(&mut ex, found, what, |f| {
            if !f.name.starts_with("word/") {
                return Err(format!("{what}（{}）在文档之外，未读取", crate::pictures::short(&f.name)));
            }
            read_entry(bytes, &f.name, limits).map(crate::pictures::Loaded::Bytes).map_err(|why| format!("{what}“{}”无法读取：{why}", f.name))
        }, limits);
    }
    Ok(ex)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(body: &str) -> String {
        format!(r#"<?xml version="1.0"?><w:document xmlns:w="w"><w:body>{body}</w:body></w:document>"#)
    }

    #[test]
    fn reads_paragraphs_tables_merges_and_revisions() {
        let xml = doc(r#"<w:p><w:r><w:t>一、总体</w:t></w:r><w:ins><w:r><w:t>情况</w:t></w:r></w:ins><w:del><w:r><w:delText>删掉</w:delText></w:r></w:del></w:p>
<w:p><w:r><w:fldChar/><w:instrText>PAGE</w:instrText><w:t>R&amp;D</w:t></w:r></w:p>
<w:tbl><w:tr><w:tc><w:tcPr><w:vMerge w:val="restart"/></w:tcPr><w:p><w:r><w:t>三、本年度办理结果</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>(一)予以公开</w:t></w:r></w:p></w:tc><w:tc><w:p><w:sdt><w:sdtContent><w:r><w:t>14</w:t></w:r></w:sdtContent></w:sdt></w:p></w:tc></w:tr>
<w:tr><w:tc><w:tcPr><w:vMerge/></w:tcPr><w:p/></w:tc><w:tc><w:p><w:r><w:t>(二)部分公开</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>3</w:t></w:r></w:p></w:tc></w:tr></w:tbl>"#);
        let raws = parse_xml(&xml).unwrap();
        let shown: Vec<String> = raws
            .iter()
            .map(|r| match r {
                Raw::Paragraph(p) => p.clone(),
                Raw::Row(c) => c.join("|"),
                Raw::Picture(id) => format!("[{id}]"),
            })
            .collect();
        assert_eq!(shown, vec!["一、总体情况", "R&D", "三、本年度办理结果|(一)予以公开|14", "(二)部分公开|3"]);
    }

    #[test]
    fn pictures_are_found_in_place_with_their_relationship() {
        let xml = doc(r#"<w:p><w:r><w:t>表三</w:t></w:r></w:p><w:p><w:r><w:drawing><a:graphic xmlns:a="a"><a:blip r:embed="rId9" xmlns:r="r"/></a:graphic></w:drawing></w:r></w:p><w:del><w:r><w:pict><v:imagedata r:id="rId3"/></w:pict></w:r></w:del><w:p><w:r><w:pict><v:shape><v:imagedata r:id="rId4"/></v:shape></w:pict></w:r><w:r><w:t>四</w:t></w:r></w:p>"#);
        let shown: Vec<String> = parse_xml(&xml)
            .unwrap()
            .iter()
            .map(|r| match r {
                Raw::Paragraph(p) => p.clone(),
                Raw::Row(c) => c.join("|"),
                Raw::Picture(id) => format!("[{id}]"),
            })
            .collect();
        // The deleted picture is not read; the picture goes before the paragraph holding it.
        assert_eq!(shown, vec!["表三", "[rId9]", "[rId4]", "四"]);
    }

    #[test]
    fn a_zip_without_a_document_is_refused() {
        let mut buf = std::io::Cursor::new(Vec::new());
        {
            let mut z = zip::ZipWriter::new(&mut buf);
            z.start_file("xl/workbook.xml", zip::write::SimpleFileOptions::default()).unwrap();
            std::io::Write::write_all(&mut z, b"<x/>").unwrap();
            z.finish().unwrap();
        }
        let err = extract("a.docx", buf.get_ref()).err().unwrap().to_string();
        assert!(err.contains("a.docx") && err.contains("不是 Word 文档"), "{err}");
    }
}
