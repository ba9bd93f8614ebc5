//! Stage 1: bytes → text. Decides the format from the content, and decodes legacy Chinese
//! encodings (GBK/GB2312/GB18030) keeping a map back to the bytes of the file.

use crate::error::ParseError;
use encoding_rs::{Encoding, GB18030, UTF_8};

/// What kind of document the bytes hold, decided from the content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Html,
    /// Office Open XML word processing (.docx, and .wps saved as docx).
    Docx,
    Pdf,
}

/// What the first bytes say the file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Container {
    /// Text or HTML, to be decoded.
    Plain,
    /// A ZIP package (DOCX).
    Zip,
    Pdf,
    /// An OLE2 compound file: .doc, .wps, .xls of Office 97–2003.
    Ole,
}

pub fn sniff(bytes: &[u8]) -> Container {
    let start = bytes.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(0);
    if bytes[start..].starts_with(b"%PDF") {
        Container::Pdf
    } else if bytes.starts_with(b"PK\x03\x04") {
        Container::Zip
    } else if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        Container::Ole
    } else {
        Container::Plain
    }
}

/// The decoded document.
#[derive(Debug, Clone)]
pub struct Decoded {
    pub format: Format,
    pub text: String,
    /// Per byte of `text` (plus one past the end), the offset in the file; `None` for UTF-8 files.
    pub file_offsets: Option<Vec<u32>>,
    pub encoding: &'static str,
}

/// Sniffs the declared charset of an HTML page (`<meta charset>` or `http-equiv` content).
fn declared_charset(head: &[u8]) -> Option<&'static Encoding> {
    let head = String::from_utf8_lossy(&head[..head.len().min(4096)]).to_ascii_lowercase();
    let pos = head.find("charset")?;
    let rest = head[pos + 7..].trim_start_matches([' ', '=', '"', '\'']);
    let label: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect();
    Encoding::for_label(label.as_bytes())
}

fn looks_like_html(text: &str) -> bool {
    let head: String = text.chars().take(2048).collect::<String>().to_ascii_lowercase();
    let trimmed = head.trim_start_matches('\u{feff}').trim_start();
    trimmed.starts_with("<!doctype html")
        || trimmed.starts_with("<html")
        || ((trimmed.starts_with('<')) && ["<body", "<table", "<div", "<p", "<meta", "<head"].iter().any(|t| head.contains(t)))
        || head.contains("<html")
}

/// Maps each byte of the decoded text to the offset of the file bytes it came from, by
/// re-encoding character by character (exact for GB18030, which round-trips).
fn offsets_for(text: &str, encoding: &'static Encoding) -> Vec<u32> {
    let mut map = Vec::with_capacity(text.len() + 1);
    let mut pos: u32 = 0;
    let mut buf = [0u8; 4];
    for c in text.chars() {
        let width = if c.is_ascii() {
            1
        } else {
            let (bytes, _, _) = encoding.encode(c.encode_utf8(&mut buf));
            bytes.len().max(1)
        };
        for _ in 0..c.len_utf8() {
            map.push(pos);
        }
        pos += width as u32;
    }
    map.push(pos);
    map
}

/// Binary content: NUL bytes or a high share of control characters.
fn binary_offset(bytes: &[u8]) -> Option<usize> {
    let sample = &bytes[..bytes.len().min(8192)];
    if let Some(i) = sample.iter().position(|&b| b == 0) {
        return Some(i);
    }
    let controls = sample.iter().filter(|&&b| b < 0x09 || (0x0e..0x20).contains(&b) && b != 0x1b).count();
    if controls * 20 > sample.len().max(1) {
        return sample.iter().position(|&b| b < 0x09 || (0x0e..0x20).contains(&b));
    }
    None
}

pub fn decode(file: &str, bytes: &[u8]) -> Result<Decoded, ParseError> {
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(ParseError::Empty { file: file.to_string() });
    }
    if let Some(offset) = binary_offset(bytes) {
        return Err(ParseError::Binary { file: file.to_string(), offset });
    }
    // A BOM decides; then valid UTF-8; then a declared charset; then detection.
    let (encoding, body) = match Encoding::for_bom(bytes) {
        Some((enc, len)) => (enc, &bytes[len..]),
        None => {
            if std::str::from_utf8(bytes).is_ok() {
                (UTF_8, bytes)
            } else if let Some(enc) = declared_charset(bytes).filter(|e| *e != UTF_8) {
                (enc, bytes)
            } else {
                let mut det = chardetng::EncodingDetector::new();
                det.feed(bytes, true);
                let guess = det.guess(Some(b"cn"), true);
                (if guess == UTF_8 { GB18030 } else { guess }, bytes)
            }
        }
    };
    // GBK and GB2312 labels decode as GB18030's superset; use it so nothing is lost.
    let encoding = if encoding.name() == "GBK" { GB18030 } else { encoding };
    let bom = bytes.len() - body.len();
    let (text, file_offsets) = if encoding == UTF_8 {
        let text = String::from_utf8_lossy(body).into_owned();
        let map = (bom > 0).then(|| (0..=text.len()).map(|i| (i + bom) as u32).collect());
        (text, map)
    } else {
        let (cow, _) = encoding.decode_without_bom_handling(body);
        let text = cow.into_owned();
        let mut map = offsets_for(&text, encoding);
        if bom > 0 {
            map.iter_mut().for_each(|o| *o += bom as u32);
        }
        (text, Some(map))
    };
    // Full-width and no-break spaces only: as empty as no bytes at all.
    if text.chars().all(|c| c.is_whitespace() || c == '\u{feff}') {
        return Err(ParseError::Empty { file: file.to_string() });
    }
    let replacement = text.chars().filter(|&c| c == '\u{fffd}').count();
    if replacement * 10 > text.chars().count().max(1) {
        return Err(ParseError::Binary { file: file.to_string(), offset: 0 });
    }
    let format = if looks_like_html(&text) { Format::Html } else { Format::Text };
    Ok(Decoded { format, text, file_offsets, encoding: encoding.name() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_gbk_and_maps_offsets_back_to_file_bytes() {
        let (bytes, _, _) = GB18030.encode("<meta charset=gb2312><p>张店区 12</p>");
        let d = decode("x.html", &bytes).unwrap();
        assert_eq!(d.format, Format::Html);
        let at = d.text.find("12").unwrap();
        let file_at = d.file_offsets.as_ref().unwrap()[at] as usize;
        assert_eq!(&bytes[file_at..file_at + 2], b"12");
    }

    #[test]
    fn refuses_empty_and_binary_input() {
        assert!(matches!(decode("a", b"  \n"), Err(ParseError::Empty { .. })));
        assert!(matches!(decode("a", &[1, 2, 0, 4, 5]), Err(ParseError::Binary { .. })));
    }

    #[test]
    fn detects_undeclared_gb18030_text() {
        let (bytes, _, _) = GB18030.encode("太原市小店区人民政府2023年政府信息公开工作年度报告\n一、总体情况\n");
        let d = decode("a.txt", &bytes).unwrap();
        assert!(d.text.contains("小店区"));
        assert_eq!(d.format, Format::Text);
    }
}
