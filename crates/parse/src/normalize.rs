//! Stage 2: normalize text. NFKC (full-width digits and punctuation, Kangxi radicals), the
//! pinyin annotations some sites interleave with traditional characters (`張店區(qū)`), and
//! traditional → simplified characters. Every output byte keeps the source offset it came from.

use nianbao_model::TextLine;
use std::sync::OnceLock;
use unicode_normalization::UnicodeNormalization;

/// A line of text with its source offsets being built.
#[derive(Default)]
struct Builder {
    text: String,
    offsets: Vec<u32>,
}

impl Builder {
    fn push(&mut self, s: &str, at: u32) {
        self.text.push_str(s);
        self.offsets.extend(std::iter::repeat_n(at, s.len()));
    }
    fn finish(mut self, end: u32, is_table_row: bool) -> TextLine {
        self.offsets.push(end);
        TextLine { text: self.text, offsets: self.offsets, is_table_row }
    }
}

fn needs_nfkc(c: char) -> bool {
    !(c.is_ascii() || ('\u{4e00}'..='\u{9fff}').contains(&c))
}

fn is_han(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c) || ('\u{3400}'..='\u{4dbf}').contains(&c) || ('\u{f900}'..='\u{faff}').contains(&c)
}

fn is_pinyin_letter(c: char) -> bool {
    c.is_ascii_lowercase() || "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ".contains(c)
}

/// Length in bytes of a pinyin annotation `(qū)` starting at `s`, if `s` starts with one.
fn pinyin_annotation(s: &str) -> Option<usize> {
    let rest = s.strip_prefix('(')?;
    let close = rest.find(')')?;
    let inner = &rest[..close];
    let n = inner.chars().count();
    let toned = !inner.is_ascii();
    ((1..=6).contains(&n) && inner.chars().all(is_pinyin_letter) && (toned || n <= 4)).then_some(close + 2)
}

/// NFKC and pinyin removal, offsets kept.
fn nfkc_line(line: &TextLine) -> TextLine {
    let mut b = Builder::default();
    let mut prev_han = false;
    let src = &line.text;
    let mut i = 0;
    while i < src.len() {
        let c = src[i..].chars().next().unwrap_or(' ');
        let at = line.offsets.get(i).copied().unwrap_or(0);
        let clen = c.len_utf8();
        if needs_nfkc(c) {
            let mapped: String = std::iter::once(c).nfkc().collect();
            // A full-width parenthesis opens an annotation too once normalized.
            if prev_han && mapped == "(" {
                let tail: String = std::iter::once('(').chain(src[i + clen..].chars().take(10).flat_map(|c| std::iter::once(c).nfkc())).collect();
                if let Some(len) = pinyin_annotation(&tail) {
                    // Skip the annotation in the source: count chars of the normalized tail.
                    let chars = tail[..len].chars().count();
                    i += src[i..].char_indices().nth(chars).map(|(j, _)| j).unwrap_or(src.len() - i);
                    continue;
                }
            }
            prev_han = mapped.chars().last().is_some_and(is_han);
            b.push(&mapped, at);
        } else {
            if prev_han && c == '(' {
                if let Some(len) = pinyin_annotation(&src[i..]) {
                    i += len;
                    continue;
                }
            }
            prev_han = is_han(c);
            let mut buf = [0u8; 4];
            b.push(c.encode_utf8(&mut buf), at);
        }
        i += clen;
    }
    b.finish(line.offsets.last().copied().unwrap_or(0), line.is_table_row)
}

fn t2s() -> Option<&'static ferrous_opencc::OpenCC> {
    static CONV: OnceLock<Option<ferrous_opencc::OpenCC>> = OnceLock::new();
    CONV.get_or_init(|| ferrous_opencc::OpenCC::from_config(ferrous_opencc::config::BuiltinConfig::T2s).ok()).as_ref()
}

/// Traditional → simplified on one line; offsets follow character by character.
fn simplify_line(line: TextLine) -> TextLine {
    let Some(conv) = t2s() else { return line };
    if line.text.chars().all(|c| !is_han(c)) {
        return line;
    }
    let out = conv.convert(&line.text);
    if out == line.text {
        return line;
    }
    let src_starts: Vec<usize> = line.text.char_indices().map(|(i, _)| i).collect();
    let out_chars = out.chars().count();
    let mut b = Builder::default();
    for (k, c) in out.chars().enumerate() {
        // Same length (the usual case): one to one; otherwise spread proportionally.
        let src_k = if out_chars == src_starts.len() { k } else { k * src_starts.len() / out_chars.max(1) };
        let at = src_starts.get(src_k).and_then(|&i| line.offsets.get(i)).copied().unwrap_or(0);
        let mut buf = [0u8; 4];
        b.push(c.encode_utf8(&mut buf), at);
    }
    b.finish(line.offsets.last().copied().unwrap_or(0), line.is_table_row)
}

/// Whether a document is written in traditional characters (sampled, then compared with its
/// simplified conversion).
pub fn is_traditional(sample: &str) -> bool {
    let Some(conv) = t2s() else { return false };
    let sample: String = sample.chars().filter(|c| is_han(*c)).take(3000).collect();
    if sample.is_empty() {
        return false;
    }
    let out = conv.convert(&sample);
    let changed = sample.chars().zip(out.chars()).filter(|(a, b)| a != b).count();
    changed >= 5 && changed * 50 >= sample.chars().count()
}

/// Trims white space at both ends, keeping offsets.
fn trim(line: TextLine) -> TextLine {
    let start = line.text.len() - line.text.trim_start().len();
    let end = line.text.trim_end().len();
    if start == 0 && end == line.text.len() {
        return line;
    }
    let end = end.max(start);
    TextLine { text: line.text[start..end].to_string(), offsets: line.offsets[start..=end].to_vec(), is_table_row: line.is_table_row }
}

/// The whole normalization of one line.
pub fn normalize(line: &TextLine, traditional: bool) -> TextLine {
    let mut out = nfkc_line(line);
    // Non-breaking and other exotic spaces were folded by NFKC; tabs stay (they separate cells).
    if traditional {
        out = simplify_line(out);
    }
    trim(out)
}

/// A line whose offsets start at `start` and follow its bytes one by one.
pub fn identity_line(text: &str, start: usize) -> TextLine {
    let offsets = (0..=text.len()).map(|i| (start + i) as u32).collect();
    TextLine { text: text.to_string(), offsets, is_table_row: false }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removes_pinyin_and_simplifies_keeping_offsets() {
        let src = "張店區(qū)應(yīng)急管理局 ２０２３年";
        let out = normalize(&identity_line(src, 100), true);
        assert_eq!(out.text, "张店区应急管理局 2023年");
        // "应" comes from "應", which is at byte 12 of the source.
        let ying = out.text.find('应').unwrap();
        assert_eq!(out.offsets[ying] as usize, 100 + src.find('應').unwrap());
        let two = out.text.find("2023").unwrap();
        assert_eq!(out.offsets[two] as usize, 100 + src.find('２').unwrap());
    }

    #[test]
    fn keeps_real_parentheses_and_kangxi_radicals_become_characters() {
        let out = normalize(&identity_line("（一）予以公开 ⼯作(ab12)", 0), false);
        assert_eq!(out.text, "(一)予以公开 工作(ab12)");
    }

    #[test]
    fn detects_traditional_text() {
        assert!(is_traditional("張店區應急管理局2023年政府信息公開工作年度報告，本年度報告中所列數據的統計期限"));
        assert!(!is_traditional("东阿县人民政府办公室2022年政府信息公开工作年度报告，本报告所列数据的统计期限"));
    }
}
