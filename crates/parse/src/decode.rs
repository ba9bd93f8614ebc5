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
    /// The fill-in form written by `nianbao template` (Office Open XML spreadsheet).
    Xlsx,
    /// A page image (PNG, JPEG, TIFF), read by OCR.
    Image,
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
    /// A PNG, JPEG or TIFF image.
    Image,
}

pub fn sniff(bytes: &[u8]) -> Container {
    let start = bytes.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(0);
    if bytes[start..].starts_with(b"%PDF") {
        Container::Pdf
    } else if bytes.starts_with(b"PK\x03\x04") {
        Container::Zip
    } else if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        Container::Ole
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") || bytes.starts_with(&[0xFF, 0xD8, 0xFF]) || bytes.starts_with(b"II*\0") || bytes.starts_with(b"MM\0*") {
        Container::Image
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

/// Decodes `body` and maps each byte of the text (plus one past the end) to the offset in
/// `body` of the first byte of the character it came from. Bytes are fed to the decoder one at a
/// time, so each character is attributed to exactly the bytes that made it, malformed sequences
/// (one U+FFFD for however many bytes) included; re-encoding instead would count U+FFFD as the
/// 4 bytes GB18030 encodes it in and shift every later span.
fn decode_mapped(body: &[u8], encoding: &'static Encoding) -> (String, Vec<u32>) {
    let mut decoder = encoding.new_decoder_without_bom_handling();
    let mut text = String::with_capacity(body.len() + body.len() / 2);
    let mut map: Vec<u32> = Vec::with_capacity(body.len() + body.len() / 2 + 1);
    // The first byte not yet accounted for by a character of the output.
    let mut pending = 0usize;
    let mut buf = [0u8; 64];
    let mut i = 0;
    while i < body.len() {
        // Runs of ASCII outside a multi-byte sequence decode to themselves.
        if pending == i && body[i].is_ascii() {
            let run = body[i..].iter().position(|b| !b.is_ascii()).unwrap_or(body.len() - i);
            // Safety of the shortcut: the decoder holds no partial sequence (pending == i).
            text.push_str(std::str::from_utf8(&body[i..i + run]).unwrap_or_default());
            map.extend((i..i + run).map(|o| o as u32));
            i += run;
            pending = i;
            continue;
        }
        let mut src = &body[i..i + 1];
        loop {
            // The end of the input is signalled once, after the loop.
            let (result, read, written) = decoder.decode_to_utf8_without_replacement(src, &mut buf, false);
            let out = std::str::from_utf8(&buf[..written]).unwrap_or_default();
            for c in out.chars() {
                text.push(c);
                map.extend(std::iter::repeat_n(pending as u32, c.len_utf8()));
            }
            if written > 0 {
                pending = i + read;
            }
            src = &src[read..];
            match result {
                encoding_rs::DecoderResult::InputEmpty => break,
                encoding_rs::DecoderResult::OutputFull => continue,
                encoding_rs::DecoderResult::Malformed(_, _) => {
                    text.push('\u{fffd}');
                    map.extend(std::iter::repeat_n(pending as u32, '\u{fffd}'.len_utf8()));
                    pending = (i + read).min(body.len());
                    if src.is_empty() {
                        break;
                    }
                }
            }
        }
        i += 1;
    }
    // Bytes of an incomplete sequence at the end.
    loop {
        let (result, _, written) = decoder.decode_to_utf8_without_replacement(b"", &mut buf, true);
        for c in std::str::from_utf8(&buf[..written]).unwrap_or_default().chars() {
            text.push(c);
            map.extend(std::iter::repeat_n(pending as u32, c.len_utf8()));
        }
        match result {
            encoding_rs::DecoderResult::Malformed(_, _) => {
                text.push('\u{fffd}');
                map.extend(std::iter::repeat_n(pending as u32, 3));
            }
            encoding_rs::DecoderResult::OutputFull => {}
            encoding_rs::DecoderResult::InputEmpty => break,
        }
    }
    map.push(body.len() as u32);
    (text, map)
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
    decode_with(file, bytes, &crate::Limits::default())
}

/// [`decode`] within `limits` (the decoded text may not exceed `limits.text_bytes`).
pub fn decode_with(file: &str, bytes: &[u8], limits: &crate::Limits) -> Result<Decoded, ParseError> {
    // Legacy encodings take at most 4 bytes per character and give at most 3 UTF-8 bytes per
    // byte, so the input is checked before decoding and the text after.
    let too_big = || ParseError::Limit { file: file.to_string(), what: format!("文本超过 {} 上限", crate::limits::size(limits.text_bytes as u64)) };
    if bytes.len() > limits.text_bytes {
        return Err(too_big());
    }
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
        let (text, mut map) = decode_mapped(body, encoding);
        if bom > 0 {
            map.iter_mut().for_each(|o| *o += bom as u32);
        }
        (text, Some(map))
    };
    if text.len() > limits.text_bytes {
        return Err(too_big());
    }
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
    fn invalid_bytes_do_not_shift_later_offsets() {
        let mut bytes = b"<meta charset=gbk><p>".to_vec();
        // A lone lead byte, a lead byte before ASCII, and a truncated pair at the very end.
        bytes.extend_from_slice(&[0x81, b'/', b'x']);
        bytes.extend(GB18030.encode("张店区").0.iter());
        bytes.push(0xff);
        bytes.extend_from_slice(b"12</p>");
        bytes.extend(GB18030.encode("年").0.iter());
        bytes.push(0x81);
        let d = decode("x.html", &bytes).unwrap();
        let map = d.file_offsets.as_ref().unwrap();
        assert_eq!(map.len(), d.text.len() + 1);
        assert_eq!(*map.last().unwrap() as usize, bytes.len());
        for (c, name) in [("x", "x"), ("张店区", "张"), ("12", "12"), ("年", "年")] {
            let at = d.text.find(c).unwrap();
            let file_at = map[at] as usize;
            let want = GB18030.encode(name).0;
            assert_eq!(&bytes[file_at..file_at + want.len()], &want[..], "{c}");
        }
        // Every offset is within the file and never goes back.
        assert!(map.windows(2).all(|w| w[0] <= w[1]));
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
