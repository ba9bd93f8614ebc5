//! Numbers in the prose: clauses, counts in Arabic digits (with separators) or Chinese
//! numerals (十三件, 两件), and percentages, each with the place it was written.

use nianbao_model::{ParsedReport, Span};
use nianbao_parse::ParsedDocument;
use regex::Regex;
use std::sync::OnceLock;

/// A clause of the prose: text between punctuation, within one line.
#[derive(Debug, Clone)]
pub struct Clause<'a> {
    pub line: usize,
    pub start: usize,
    pub text: &'a str,
    /// The section the clause is in (0 before the first heading).
    pub section: u8,
    /// The whole sentence the clause belongs to (up to 。；！？).
    pub sentence: &'a str,
}

/// A number written in a clause.
#[derive(Debug, Clone, PartialEq)]
pub struct Mention {
    pub value: f64,
    pub unit: String,
    /// Byte range in the clause text.
    pub range: (usize, usize),
}

/// Reads a Chinese numeral up to the 万s: 十三, 两, 一百零五, 二十.
pub fn chinese_number(s: &str) -> Option<u64> {
    let digit = |c: char| -> Option<u64> {
        match c {
            '〇' => Some(0),
            '两' => Some(2),
            _ => "零一二三四五六七八九".chars().position(|d| d == c).map(|i| i as u64),
        }
    };
    let mut total = 0u64;
    let mut section = 0u64;
    let mut number = 0u64;
    let mut any = false;
    for c in s.chars() {
        if let Some(d) = digit(c) {
            number = d;
            any = true;
            continue;
        }
        let unit = match c {
            '十' => 10,
            '百' => 100,
            '千' => 1000,
            '万' => 10_000,
            _ => return None,
        };
        any = true;
        if unit == 10_000 {
            section = (section + number) * unit;
            total += section;
            section = 0;
        } else {
            let n = if number == 0 && unit == 10 { 1 } else { number };
            section += n * unit;
        }
        number = 0;
    }
    any.then_some(total + section + number)
}

fn number_re() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| {
        Regex::new(r"([0-9][0-9,]*(?:\.[0-9]+)?|[零〇一二两三四五六七八九十百千万]+)\s*(件|个|宗|起|例|次|条|%|元|万元)").expect("static regex")
    })
}

/// The numbers with a unit in a clause.
pub fn mentions(text: &str) -> Vec<Mention> {
    number_re()
        .captures_iter(text)
        .filter_map(|c| {
            let m = c.get(1)?;
            let raw = m.as_str();
            let value = if raw.as_bytes()[0].is_ascii_digit() {
                raw.replace(',', "").parse::<f64>().ok()?
            } else {
                chinese_number(raw)? as f64
            };
            let full = c.get(0)?;
            Some(Mention { value, unit: c[2].to_string(), range: (m.start(), full.end()) })
        })
        .collect()
}

/// Whether the number at `at` in `text` talks about another year or a comparison
/// (上年结转0件, 去年同期, 同比, 较上年).
pub fn about_other_period(text: &str, at: usize) -> bool {
    let before: String = text[..at].chars().rev().take(6).collect::<Vec<_>>().into_iter().rev().collect();
    ["上年", "去年", "同比", "较", "比上", "上一年", "结转"].iter().any(|w| before.contains(w))
}

/// Whether a clause names a year other than `year` ("2022年共收到申请13件" in a 2023 report).
pub fn names_other_year(text: &str, year: Option<i32>) -> bool {
    static R: OnceLock<Regex> = OnceLock::new();
    let r = R.get_or_init(|| Regex::new(r"(20\d{2})\s*年").expect("static regex"));
    let Some(year) = year else { return false };
    r.captures_iter(text).any(|c| c[1].parse::<i32>().ok() != Some(year))
}

/// The clauses of the prose of a report (table rows excluded), with their section.
pub fn clauses(parsed: &ParsedReport) -> Vec<Clause<'_>> {
    let mut out = Vec::new();
    let section_of = |line: usize| parsed.sections.iter().rev().find(|s| s.heading_line <= line).map(|s| s.number).unwrap_or(0);
    for (i, l) in parsed.lines.iter().enumerate() {
        if l.is_table_row {
            continue;
        }
        let section = section_of(i);
        let text = l.text.as_str();
        // Sentences first, then clauses within them.
        let mut sentence_start = 0;
        let bounds: Vec<usize> = text.char_indices().filter(|(_, c)| "。;!?；！？".contains(*c)).map(|(j, c)| j + c.len_utf8()).chain(std::iter::once(text.len())).collect();
        for end in bounds {
            if end <= sentence_start {
                continue;
            }
            let sentence = &text[sentence_start..end];
            let mut start = sentence_start;
            for (j, c) in sentence.char_indices() {
                if "。;!?,、:；，！？：".contains(c) {
                    let at = sentence_start + j;
                    if at > start {
                        out.push(Clause { line: i, start, text: &text[start..at], section, sentence });
                    }
                    start = at + c.len_utf8();
                }
            }
            if start < end {
                out.push(Clause { line: i, start, text: &text[start..end], section, sentence });
            }
            sentence_start = end;
        }
    }
    out
}

/// The span of a range of a clause.
pub fn span(doc: &ParsedDocument, parsed: &ParsedReport, clause: &Clause<'_>, range: (usize, usize)) -> Option<Span> {
    let line = parsed.lines.get(clause.line)?;
    Some(doc.source.span_in(line, clause.start + range.0, clause.start + range.1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_chinese_numerals() {
        assert_eq!(chinese_number("十三"), Some(13));
        assert_eq!(chinese_number("两"), Some(2));
        assert_eq!(chinese_number("二十"), Some(20));
        assert_eq!(chinese_number("一百零五"), Some(105));
        assert_eq!(chinese_number("三万二千"), Some(32000));
        assert_eq!(chinese_number("九"), Some(9));
    }

    #[test]
    fn finds_counts_and_percentages() {
        let m = mentions("共收到政府信息公开申请1,234件,同比下降30%,其中十三件予以公开");
        let values: Vec<f64> = m.iter().map(|m| m.value).collect();
        assert_eq!(values, vec![1234.0, 30.0, 13.0]);
        assert_eq!(m[1].unit, "%");
        assert!(about_other_period("累计受理1件(上年结转0件)", "累计受理1件(上年结转".len()));
    }
}
