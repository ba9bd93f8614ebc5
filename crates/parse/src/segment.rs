//! Stage 3a: give back the line structure that a rendering took away.
//!
//! A crawler's text dump or a page's `textContent` puts a whole report on one line, and often
//! drops the separators between table cells, so `（一）予以公开140000014（二）部分公开…` is all
//! that is left of two rows. The official layout is the stronger evidence: its section headings,
//! table captions and row labels come in a fixed order. This stage finds them in a flattened line
//! and cuts the line before (and for headings, after) each one, so that the later, line-based
//! stages see one heading, one label-and-values row, one metadata field per block again.
//!
//! Only lines that look flattened are touched (long, with several layout anchors); a line that
//! was already a line is left alone. Cutting never changes text: every piece keeps the source
//! offsets of its bytes, so spans still point into the original file.

use crate::blocks::{is_cell_separator, split_cells, Block};
use nianbao_model::layout::{self, Layout};
use nianbao_model::TextLine;
use regex::Regex;
use std::sync::OnceLock;

fn re(cell: &'static OnceLock<Regex>, pattern: &str) -> &'static Regex {
    cell.get_or_init(|| Regex::new(pattern).expect("static regex"))
}

/// A line shorter than this is a line, whatever it contains.
const MIN_FLATTENED_CHARS: usize = 200;

/// Section headings with the official titles (and the common variants agencies print). The
/// title must follow the numeral, so a sentence that merely mentions 主动公开 is never cut.
fn section_heading() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    re(
        &R,
        r"[一二三四五六][、.,]\s*(?:总体情况|概述|基本情况|主动公开政府信息(?:的)?情况|收到和处理政府信息公开申请(?:的)?情况|(?:因)?政府信息公开(?:工作)?(?:被申请)?行政复议[、和]?(?:提起)?行政诉讼(?:的)?情况|(?:政府信息公开工作)?存在的?主要问题及(?:其)?改进(?:情况|措施)|其他需要报告的事项)",
    )
}

/// Metadata fields of a crawler's header and of a page's info bar.
fn header_field() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    re(&R, r"(?:标题|发布时间|发布日期|发文日期|成文日期|印发日期|来源|信息来源|索引号|文号|发文字号|发文机关|发布机构|主题分类|浏览次数|点击数|访问量|时间|日期)\s*:|当前位置|字号\s*:?\s*[大小]|【打印】|【关闭】|打印本页|关闭窗口")
}

/// The end of a report title ("…2023年政府信息公开工作年度报告"), cut after when not followed by
/// the "(以下简称…)" of the opening sentence.
fn title_end() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    re(&R, r"20\d{2}\s*年度?\s*政府信息公开(?:工作)?年度报告")
}

/// A date standing alone (a signature date or a metadata value), not inside a sentence.
fn lone_date() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    re(&R, r"20\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日")
}

/// Words of page chrome that follow a signature date on the same flattened line.
const CHROME_AFTER: &[&str] = &["扫码", "版权", "主办", "承办", "打印", "关闭", "【", "上一篇", "下一篇", "相关", "扫一扫", "分享", "网站", "技术支持", "联系我们", "ICP", "备案"];

fn is_value_start(c: char) -> bool {
    c.is_ascii_digit() || matches!(c, '/' | '-' | '—' | '+' | '–')
}

/// The numbering printed before a row label: `1.` `2、` `（三）` `四、`.
fn numbering_before(text: &str, at: usize, expected: &str) -> usize {
    let before = &text[..at];
    let trimmed = before.trim_end();
    for f in numbering_forms(expected).iter().filter(|f| !f.is_empty()) {
        if let Some(stripped) = trimmed.strip_suffix(f.as_str()) {
            return stripped.len();
        }
    }
    at
}

/// The numbering the layout prints (`2.`, `（三）`, `四、`), in the forms agencies type it.
fn numbering_forms(expected: &str) -> Vec<String> {
    let mut forms: Vec<String> = vec![expected.to_string()];
    if let Some(n) = expected.strip_suffix('.') {
        forms.extend([format!("{n}、"), format!("{n},"), format!("({n})")]);
    }
    if let Some(n) = expected.strip_suffix('、') {
        forms.extend([format!("{n}."), format!("{n},")]);
    }
    // NFKC turned （三） into (三).
    forms.push(expected.replace('（', "(").replace('）', ")"));
    forms.retain(|f| !f.is_empty());
    forms
}

/// One row anchor of a table: the row's printed numbering and the beginning of its label.
struct RowAnchor {
    number: &'static str,
    head: String,
    /// Distinctive words of the label (`labels::KEYWORDS`), for a label whose beginning was
    /// mistyped ("申请人预期未按收费通知…"): found by a word, it starts at its numbering.
    words: &'static [&'static str],
}

/// The beginnings of the labels that a table region's rows and captions start with, in order.
fn applications_anchors(layout: Layout) -> Vec<RowAnchor> {
    let mut out = Vec::new();
    let mut group_seen = std::collections::HashSet::new();
    for r in layout::applications_rows(layout) {
        if let Some(g) = r.group {
            if group_seen.insert(g) {
                // The group heading: "三、本年度办理结果", "（三）不予公开".
                let (number, head) = split_number(g);
                out.push(RowAnchor { number, head: head.chars().take(4).collect(), words: &[] });
            }
        }
        let head: String = r.label.chars().take(if r.label.starts_with("其他") && r.label.chars().count() <= 4 { 2 } else { 4 }).collect();
        let words = crate::labels::KEYWORDS.iter().find(|(k, _)| *k == r.key).map(|(_, w)| *w).unwrap_or(&[]);
        out.push(RowAnchor { number: r.number, head, words });
    }
    out
}

fn split_number(s: &'static str) -> (&'static str, &'static str) {
    for sep in ['、', '）'] {
        if let Some(p) = s.find(sep) {
            let end = p + sep.len_utf8();
            if end < s.len() && s[..p].chars().count() <= 3 {
                return (&s[..end], &s[end..]);
            }
        }
    }
    ("", s)
}

/// Where the 表三 region starts in a flattened line: its header, else its first row.
fn applications_start(text: &str) -> Option<usize> {
    ["申请人情况", "勾稽关系"].iter().filter_map(|w| text.find(w)).min().or_else(|| {
        let p = text.find("本年新收政府信息公开申请数量")?;
        Some(p)
    })
}

/// Cuts before each row anchor of 表三, found in layout order after `from`. A label is looked
/// for only within a short distance of the previous one, so prose that mentions 予以公开 far
/// away is never cut.
fn applications_cuts(text: &str, from: usize, until: usize, cuts: &mut Vec<usize>) {
    const WINDOW: usize = 900;
    let anchors_2021 = applications_anchors(Layout::L2021);
    let anchors_2019 = applications_anchors(Layout::L2019);
    // The 其他处理 rows differ between layouts: try the 2021 ones, then the 2019 one.
    let mut pos = from;
    let mut merged: Vec<&RowAnchor> = Vec::new();
    for a in &anchors_2021 {
        merged.push(a);
    }
    for a in &anchors_2019 {
        if !merged.iter().any(|m| m.head == a.head && m.number == a.number) {
            // 2019's "（六）其他处理" row, before 总计.
            let at = merged.iter().position(|m| m.head.starts_with("总计")).unwrap_or(merged.len());
            merged.insert(at, a);
        }
    }
    for a in merged {
        let limit = floor_boundary(text, (pos + WINDOW).min(until));
        let window = match text.get(pos..limit) {
            Some(w) => w,
            None => break,
        };
        // The bare 其他/总计 heads also appear as column headers: require the numbering there.
        let needs_number = a.head.chars().count() <= 2;
        let mut hit = None;
        let mut search = 0;
        while let Some(p) = window[search..].find(a.head.as_str()) {
            let at = pos + search + p;
            let start = numbering_before(text, at, a.number);
            if !needs_number || start < at {
                hit = Some((start, at));
                break;
            }
            search += p + a.head.len();
        }
        if hit.is_none() && !a.number.is_empty() {
            // The label's beginning differs from the layout's: find one of its words, then its
            // numbering shortly before it.
            let word_at = a.words.iter().filter_map(|w| window.find(w).map(|p| pos + p)).min();
            if let Some(q) = word_at {
                let back = floor_boundary(text, q.saturating_sub(60).max(pos));
                let forms = numbering_forms(a.number);
                let start = forms.iter().filter_map(|f| text[back..q].rfind(f.as_str()).map(|p| back + p)).max();
                if let Some(start) = start {
                    hit = Some((start, q));
                }
            }
        }
        if let Some((start, at)) = hit {
            cuts.push(start);
            pos = at + a.head.len().min(text.len() - at);
        }
    }
}

/// 表二's captions and row labels, in order (both layouts).
const ACTIVE_ANCHORS: &[&str] =
    &["第二十条第", "信息内容", "规章", "规范性文件", "行政许可", "其他对外管理服务事项", "行政处罚", "行政强制", "行政事业性收费", "政府集中采购"];

fn active_cuts(text: &str, from: usize, until: usize, cuts: &mut Vec<usize>) {
    let zone = match text.get(from..until) {
        Some(z) => z,
        None => return,
    };
    for w in ACTIVE_ANCHORS {
        let mut search = 0;
        while let Some(p) = zone[search..].find(w) {
            let at = from + search + p;
            // 规范性文件 inside 行政规范性文件: cut before the whole label.
            let at = if *w == "规范性文件" && text[..at].ends_with("行政") { at - "行政".len() } else { at };
            // 规章 inside 规章制度 or a sentence is not a row: a row label is followed by a value
            // or a separator.
            let after = &text[at + w.len().min(text.len() - at)..];
            let label_like = *w != "规章" || after.starts_with(|c: char| is_value_start(c) || c.is_whitespace() || c == '|');
            if label_like {
                cuts.push(at);
            }
            search += p + w.len();
        }
    }
}

/// Where each cut goes in a flattened line.
fn cut_points(text: &str) -> Vec<usize> {
    let mut cuts = Vec::new();
    // White space between two pieces that are not a label and its values: in a page's
    // textContent a run of white space is where a line, a paragraph or a cell ended.
    // Cell separators count as white space here: a row's values stay with its label.
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let gap = |c: char| c.is_whitespace() || is_cell_separator(c);
    let mut k = 0;
    while k < chars.len() {
        if gap(chars[k].1) {
            let s = k;
            while k < chars.len() && gap(chars[k].1) {
                k += 1;
            }
            if s > 0 && k < chars.len() && !is_value_start(chars[k].1) {
                cuts.push(chars[k].0);
            }
            continue;
        }
        k += 1;
    }
    for m in section_heading().find_iter(text) {
        cuts.push(m.start());
        cuts.push(m.end());
    }
    for m in header_field().find_iter(text) {
        cuts.push(m.start());
    }
    // The font-size switch "大 中 小" glued to the title that follows it.
    static SIZES: OnceLock<Regex> = OnceLock::new();
    for m in re(&SIZES, r"大\s*中\s*小\s*\]?").find_iter(text) {
        cuts.push(m.end());
    }
    for m in title_end().find_iter(text) {
        let rest = &text[m.end()..];
        if !rest.trim_start().starts_with(['(', '（', '》', '”']) {
            cuts.push(m.end());
        }
    }
    for m in lone_date().find_iter(text) {
        let rest = text[m.end()..].trim_start();
        // The next report's title right after a signature date (several reports in one file).
        let title_follows = title_end().find(rest).is_some_and(|t| rest[..t.start()].chars().count() <= 40 && !rest[..t.start()].contains(['。', ',', ',']));
        if rest.is_empty() || title_follows || CHROME_AFTER.iter().any(|w| rest.starts_with(w)) || header_field().find(rest).is_some_and(|h| h.start() == 0) {
            cuts.push(m.start());
            cuts.push(m.end());
            // The signature before it: after the sentence that ends the report.
            let before = &text[..m.start()];
            if let Some(p) = before.rfind(['。', '!', ';']) {
                if before[p..].chars().count() <= 41 {
                    cuts.push(p + before[p..].chars().next().map(char::len_utf8).unwrap_or(1));
                }
            }
        }
    }
    // The tables of each report in the line (a file may hold several reports one after
    // another): the line is cut into chunks at each "一、总体情况", and each chunk's tables found.
    let mut starts: Vec<usize> = section_heading().find_iter(text).filter(|m| text[m.start()..].starts_with('一')).map(|m| m.start()).collect();
    if starts.first() != Some(&0) {
        starts.insert(0, 0);
    }
    for (k, &from) in starts.iter().enumerate() {
        let to = starts.get(k + 1).copied().unwrap_or(text.len());
        let before = cuts.len();
        table_cuts(&text[from..to], &mut cuts);
        for c in &mut cuts[before..] {
            *c += from;
        }
    }
    cuts.retain(|&c| c > 0 && c < text.len() && text.is_char_boundary(c));
    cuts.sort_unstable();
    cuts.dedup();
    cuts
}

/// The cuts inside one report's tables: 表二 between its caption and 表三, 表三 to 表四, 表四 to
/// the end of the chunk.
fn table_cuts(text: &str, cuts: &mut Vec<usize>) {
    let t3 = applications_start(text);
    let t4 = text.find("行政复议").and_then(|_| {
        let mut search = t3.unwrap_or(0);
        while let Some(p) = text.get(search..).and_then(|z| z.find("行政复议")) {
            let at = search + p;
            let near = &text[at..floor_boundary(text, (at + 240).min(text.len()))];
            if near.contains("结果维持") || near.contains("行政诉讼") && near.contains("总计") {
                return Some(at);
            }
            search = at + "行政复议".len();
        }
        None
    });
    if let Some(t2) = text.find("第二十条第").or_else(|| text.find("信息内容")) {
        let until = t3.unwrap_or(text.len()).max(t2);
        active_cuts(text, t2, until, cuts);
    }
    if let Some(s) = t3 {
        cuts.push(s);
        let until = t4.unwrap_or(text.len()).max(s);
        // The column headers, up to the first row: each its own line, as in the printed table.
        let first_row = text[s..until].find(|c: char| c.is_ascii_digit()).map(|p| s + p).unwrap_or(until);
        let first_row = text[s..first_row].find("本年新收").map(|p| s + p).unwrap_or(first_row);
        for w in ["申请人情况", "自然人", "法人或其他组织", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"] {
            let mut search = s;
            while let Some(p) = text[search..first_row].find(w) {
                cuts.push(search + p);
                search += p + w.len();
            }
        }
        applications_cuts(text, s, until, cuts);
    }
    if let Some(s) = t4 {
        cuts.push(s);
        // 表四's header has no digits: its values start at the first digit after it.
        if let Some(p) = text[s..].find(|c: char| c.is_ascii_digit()) {
            cuts.push(s + p);
        }
    }
}

fn floor_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Whether a prose line lost its line breaks: long, and holding several headings or table
/// anchors that a real line would not.
fn is_flattened(text: &str) -> bool {
    if text.chars().count() < MIN_FLATTENED_CHARS {
        return false;
    }
    let headings = section_heading().find_iter(text).count();
    let tables = ["申请人情况", "本年新收政府信息公开申请数量", "第二十条第", "结果维持"].iter().filter(|w| text.contains(*w)).count();
    headings >= 2 || tables >= 2 || headings + tables >= 2
}

/// The piece `start..end` of a line, trimmed, with its offsets.
fn slice_line(line: &TextLine, start: usize, end: usize) -> Option<TextLine> {
    let piece = &line.text[start..end];
    let lead = piece.len() - piece.trim_start().len();
    let trail = piece.trim_end().len();
    let (s, e) = (start + lead, start + trail.max(lead));
    if s >= e {
        return None;
    }
    Some(TextLine { text: line.text[s..e].to_string(), offsets: line.offsets[s..=e].to_vec(), is_table_row: false })
}

/// Cuts the flattened prose blocks of a document back into lines.
pub fn resegment(blocks: Vec<Block>) -> Vec<Block> {
    // A grid's rows (HTML, DOCX, PDF ruling lines) are never cut; a text line with pipes that
    // holds a whole report is.
    let cuttable = |b: &Block| !b.positional && is_flattened(b.text());
    if !blocks.iter().any(cuttable) {
        return blocks;
    }
    let mut out = Vec::with_capacity(blocks.len() * 4);
    for b in blocks {
        if !cuttable(&b) {
            out.push(b);
            continue;
        }
        let cuts = cut_points(b.text());
        let mut start = 0;
        for c in cuts.into_iter().chain(std::iter::once(b.line.text.len())) {
            if let Some(mut line) = slice_line(&b.line, start, c) {
                if line.text.chars().any(is_cell_separator) {
                    let cells = split_cells(&line);
                    line.is_table_row = true;
                    out.push(Block { line, cells, positional: false });
                } else {
                    out.push(Block::prose(line));
                }
            }
            start = c;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::identity_line;

    fn pieces(text: &str) -> Vec<String> {
        resegment(vec![Block::prose(identity_line(text, 0))]).into_iter().map(|b| b.line.text).collect()
    }

    #[test]
    fn cuts_a_flattened_table_before_each_row_label_and_its_numbering() {
        let text = "三、收到和处理政府信息公开申请情况申请人情况自然人法人或其他组织其他总计商业企业科研机构社会公益组织法律服务机构一、本年新收政府信息公开申请数量533000056二、上年结转政府信息公开申请数量1000001三、本年度办理结果(一)予以公开140000014(二)部分公开(区分处理的,只计这一情形,不计其他情形)3000003(三)不予公开1.属于国家秘密00000002.其他法律行政法规禁止公开0000000四、政府信息公开行政复议、行政诉讼情况";
        let p = pieces(text);
        assert!(p.contains(&"一、本年新收政府信息公开申请数量533000056".to_string()), "{p:#?}");
        assert!(p.contains(&"1.属于国家秘密0000000".to_string()), "{p:#?}");
        assert!(p.contains(&"2.其他法律行政法规禁止公开0000000".to_string()), "{p:#?}");
        assert!(p.contains(&"四、政府信息公开行政复议、行政诉讼情况".to_string()), "{p:#?}");
    }

    #[test]
    fn leaves_ordinary_lines_alone() {
        let text = "本年度共收到政府信息公开申请56件，其中予以公开14件，部分公开3件。";
        assert_eq!(pieces(text), vec![text.to_string()]);
    }

    #[test]
    fn pieces_keep_their_source_offsets() {
        let text = format!("{}一、总体情况2023年本机关认真贯彻条例。二、主动公开政府信息情况本年制发规范性文件3件。", "网站 首页 ".repeat(30));
        let blocks = resegment(vec![Block::prose(identity_line(&text, 0))]);
        for b in &blocks {
            let (s, e) = b.line.source_range(0, b.line.text.len());
            assert_eq!(&text[s..e], b.line.text);
        }
        assert!(blocks.iter().any(|b| b.line.text == "一、总体情况"));
        assert!(blocks.iter().any(|b| b.line.text == "二、主动公开政府信息情况"));
    }
}
