//! The report around the tables: where one report ends and the next begins, its sections,
//! title, agency, year, publication date and statistical period.

use crate::blocks::Block;
use nianbao_model::{Located, Section, Source, Span};
use regex::Regex;
use std::sync::OnceLock;

fn re(cell: &'static OnceLock<Regex>, pattern: &str) -> &'static Regex {
    cell.get_or_init(|| Regex::new(pattern).expect("static regex"))
}

fn compact(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

const NUMERALS: &str = "一二三四五六七八九十";

/// Words of a 表三 row label that start with a numeral too; such a line is not a section heading.
const TABLE_LABEL_WORDS: &[&str] = &["本年新收", "上年结转", "本年度办理结果", "结转下年度", "申请数量"];

/// The number (1–10) of a section heading such as "三、收到和处理政府信息公开申请情况".
pub fn heading_number(b: &Block) -> Option<u8> {
    if b.is_row() {
        return None;
    }
    let t = b.text();
    if t.chars().count() > 40 {
        return None;
    }
    let first = t.chars().next()?;
    let n = NUMERALS.find(first)? / first.len_utf8() + 1;
    let rest = &t[first.len_utf8()..];
    if !rest.starts_with(['、', '.', '．', ',']) && !rest.starts_with("部分") {
        return None;
    }
    let c = compact(t);
    if TABLE_LABEL_WORDS.iter().any(|w| c.contains(w)) {
        return None;
    }
    // "十" alone is 10; headings beyond 六 are not report sections but still headings.
    Some(n as u8)
}

fn is_first_section(b: &Block) -> bool {
    heading_number(b) == Some(1) && ["总体情况", "概述", "概况", "基本情况", "总体"].iter().any(|w| b.text().contains(w))
}

fn is_date_line(t: &str) -> bool {
    let c = arabic_date(&compact(t));
    re_date_only().is_match(&c)
}

/// "二〇二四年一月三十日" → "2024年1月30日" (signatures are often dated in Chinese numerals).
pub fn arabic_date(s: &str) -> String {
    static R: OnceLock<Regex> = OnceLock::new();
    let r = re(&R, r"([〇零○Ｏ一二三四五六七八九]{4})年([一二三四五六七八九十]{1,3})月([一二三四五六七八九十]{1,3})日");
    let digit = |c: char| "〇一二三四五六七八九".chars().position(|d| d == c).or(if "零○Ｏ".contains(c) { Some(0) } else { None });
    let small = |s: &str| -> Option<u32> {
        let cs: Vec<char> = s.chars().collect();
        match cs.as_slice() {
            ['十'] => Some(10),
            ['十', d] => Some(10 + digit(*d)? as u32),
            [t, '十'] => Some(digit(*t)? as u32 * 10),
            [t, '十', d] => Some(digit(*t)? as u32 * 10 + digit(*d)? as u32),
            [d] => Some(digit(*d)? as u32),
            _ => None,
        }
    };
    let dates = r.replace_all(s, |c: &regex::Captures<'_>| {
        let y: Option<String> = c[1].chars().map(|ch| digit(ch).map(|d| char::from(b'0' + d as u8))).collect();
        match (y, small(&c[2]), small(&c[3])) {
            (Some(y), Some(m), Some(d)) => format!("{y}年{m}月{d}日"),
            _ => c[0].to_string(),
        }
    });
    arabic_year(&dates)
}

/// "二〇二三年" → "2023年".
pub fn arabic_year(s: &str) -> String {
    static R: OnceLock<Regex> = OnceLock::new();
    let r = re(&R, r"([〇零○Ｏ一二三四五六七八九]{4})年");
    r.replace_all(s, |c: &regex::Captures<'_>| {
        let y: Option<String> = c[1].chars().map(|ch| "〇一二三四五六七八九".chars().position(|d| d == ch).or(if "零○Ｏ".contains(ch) { Some(0) } else { None }).map(|d| char::from(b'0' + d as u8))).collect();
        y.map(|y| format!("{y}年")).unwrap_or_else(|| c[0].to_string())
    })
    .into_owned()
}


fn re_date_only() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    re(&R, r"^(20\d{2})(?:年(\d{1,2})月(\d{1,2})日?|[-./](\d{1,2})[-./](\d{1,2}))$")
}

fn looks_like_title(t: &str) -> bool {
    let c = compact(t);
    let names_report = c.contains("年度报告") || c.contains("年报") || (c.contains("政府信息公开") && c.contains('年') && (c.contains("报告") || c.contains("总结")));
    c.chars().count() <= 80 && names_report && !c.starts_with("根据") && !c.contains("以下简称") && !c.ends_with('。')
}

/// Splits the blocks of a file into one range per report.
pub fn split_reports(blocks: &[Block]) -> Vec<std::ops::Range<usize>> {
    let anchors: Vec<usize> = (0..blocks.len()).filter(|&i| is_first_section(&blocks[i])).collect();
    if anchors.len() <= 1 {
        return vec![0..blocks.len()];
    }
    let mut starts = vec![0];
    for w in anchors.windows(2) {
        let (prev, anchor) = (w[0], w[1]);
        // The previous report's tail: after its last section heading.
        let floor = (prev + 1..anchor).filter(|&i| heading_number(&blocks[i]).is_some()).next_back().unwrap_or(prev) + 1;
        let title = (floor..anchor).rev().take(12).find(|&i| looks_like_title(blocks[i].text()));
        let start = match title {
            Some(t) => {
                // A title split over two lines, or an agency line above a title that starts with the year.
                let c = compact(blocks[t].text());
                if t > floor && (c.starts_with("20") || c == "年度报告" || c.starts_with("年度报告")) && blocks[t - 1].text().chars().count() <= 40 && !is_date_line(blocks[t - 1].text()) {
                    t - 1
                } else {
                    t
                }
            }
            None => match (floor..anchor).rev().find(|&i| is_date_line(blocks[i].text())) {
                Some(d) => d + 1,
                None => anchor,
            },
        };
        starts.push(start.max(floor.min(anchor)));
    }
    let mut ranges = Vec::new();
    for (k, &s) in starts.iter().enumerate() {
        let e = starts.get(k + 1).copied().unwrap_or(blocks.len());
        ranges.push(s..e);
    }
    ranges
}

/// Removes page chrome glued to a line ("大 中 小东阿县…", "字号:").
fn strip_chrome(t: &str) -> String {
    static R: OnceLock<Regex> = OnceLock::new();
    let r = re(&R, r"^.*?(字号|大\s*中\s*小)[\s:\]\[]*");
    let t = r.replace(t, "");
    // Markdown marks left around a heading when a converter's output also holds HTML.
    t.trim_matches(|c: char| c.is_whitespace() || "|:[]【】#*>_".contains(c)).to_string()
}

/// Sections of a report from its headings, in order.
/// Whether a heading has the official meaning of section `n`: 1 总体情况, 2 主动公开, 3 申请,
/// 4 复议/诉讼, 5 问题/改进, 6 其他事项.
pub fn section_meaning(n: u8, heading: &str) -> bool {
    let words: &[&str] = match n {
        1 => &["总体", "概述", "概况", "基本情况"],
        2 => &["主动公开"],
        3 => &["申请"],
        4 => &["复议", "诉讼"],
        5 => &["问题", "改进", "不足"],
        6 => &["其他", "其它"],
        _ => &[],
    };
    words.iter().any(|w| heading.contains(w))
}

pub fn sections(blocks: &[Block], range: std::ops::Range<usize>, in_table: &dyn Fn(usize) -> bool, source: &Source, base: usize) -> Vec<Section> {
    let candidates: Vec<(usize, u8)> = range.clone().filter(|&i| !in_table(i)).filter_map(|i| heading_number(&blocks[i]).filter(|n| *n <= 6).map(|n| (i, n))).collect();
    // Numbered sub-headings inside a section ("一、主动公开" under 一、总体情况) must not be taken
    // for sections: for each number, prefer a heading with the section's meaning, in order.
    let mut heads: Vec<(usize, u8)> = Vec::new();
    let mut after = range.start;
    for n in 1..=6u8 {
        let later = candidates.iter().filter(|(i, m)| *m == n && *i >= after);
        let pick = later.clone().find(|(i, _)| section_meaning(n, blocks[*i].text())).or_else(|| later.clone().next());
        if let Some(&(i, _)) = pick {
            heads.push((i, n));
            after = i + 1;
        }
    }
    let mut out = Vec::new();
    for (k, &(i, n)) in heads.iter().enumerate() {
        let end = heads.get(k + 1).map(|h| h.0).unwrap_or(range.end);
        let b = &blocks[i];
        out.push(Section {
            number: n,
            heading: b.text().to_string(),
            heading_span: Some(source.span_in(&b.line, 0, b.line.text.len())),
            heading_line: i - base,
            body: (i + 1 - base, end - base),
        });
    }
    out
}

/// Title, agency, year, dates of a report.
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_dates_in_chinese_numerals() {
        assert_eq!(date_in("二〇二四年一月三十日"), Some("2024-01-30".into()));
        assert_eq!(date_in("2024年1月18日"), Some("2024-01-18".into()));
        assert_eq!(date_in("2024-01-17"), Some("2024-01-17".into()));
        assert_eq!(date_in("二〇二三年十二月三十一日"), Some("2023-12-31".into()));
        assert!(!is_date_line("2024年1月18日发布了通知"));
    }

    #[test]
    fn strips_page_chrome() {
        assert_eq!(strip_chrome("大 中 小东阿县人民政府办公室"), "东阿县人民政府办公室");
        assert_eq!(dedupe_prefix("桦甸市桦甸市统计局"), "桦甸市统计局");
    }
}

#[derive(Debug, Default)]
pub struct Meta {
    pub title: Option<Located<String>>,
    pub title_year: Option<i32>,
    pub agency: Option<String>,
    pub year: Option<i32>,
    pub published: Option<Located<String>>,
    pub published_from: Option<&'static str>,
    pub period: Option<Located<(String, String)>>,
    pub signature: Option<Located<String>>,
}

fn iso(y: &str, m: &str, d: &str) -> Option<String> {
    let (y, m, d): (i32, u32, u32) = (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
    ((1..=12).contains(&m) && (1..=31).contains(&d)).then(|| format!("{y:04}-{m:02}-{d:02}"))
}

fn date_in(t: &str) -> Option<String> {
    let c = arabic_date(&compact(t));
    let caps = re_date_only().captures(&c)?;
    match (caps.get(2), caps.get(3), caps.get(4), caps.get(5)) {
        (Some(m), Some(d), _, _) => iso(&caps[1], m.as_str(), d.as_str()),
        (_, _, Some(m), Some(d)) => iso(&caps[1], m.as_str(), d.as_str()),
        _ => None,
    }
}

/// Agency names ending like this are bodies that publish reports.
fn agency_from_title(title: &str) -> Option<String> {
    static R: OnceLock<Regex> = OnceLock::new();
    let r = re(&R, r"^(.*?)(20\d{2})\s*年");
    let t = strip_chrome(title);
    let caps = r.captures(&t)?;
    let a = caps[1].trim().trim_end_matches(['-', '—', ':', '|', '《', '“', '(', '（']).trim();
    // "X政府信息公开工作年度报告(2020年)": the year after the title words is not the agency's.
    let a = ["政府信息公开", "年度报告"].iter().filter_map(|w| a.find(w)).min().map(|p| a[..p].trim()).filter(|p| p.chars().count() >= 2).unwrap_or(a);
    let a = a.rsplit(['|', ':', '》', '《', '>']).next().unwrap_or(a).trim();
    // A breadcrumb run into the title on a flattened page: "…>年度报告桦甸市统计局".
    let mut a = a;
    for crumb in ["政府信息公开年度报告", "政府信息公开年报", "信息公开年报", "年度报告", "工作年报", "年报", "政务公开"] {
        if let Some(rest) = a.strip_prefix(crumb) {
            if rest.chars().count() >= 2 {
                a = rest;
            }
        }
    }
    (!a.is_empty() && a.chars().count() <= 40).then(|| compact(a))
}

fn dedupe_prefix(a: &str) -> String {
    // "桦甸市桦甸市统计局": a template slip doubling the place name.
    let chars: Vec<char> = a.chars().collect();
    for len in (2..=6).rev() {
        if chars.len() >= 2 * len && chars[..len] == chars[len..2 * len] && "省市县区旗州盟".contains(chars[len - 1]) {
            return chars[len..].iter().collect();
        }
    }
    a.to_string()
}

/// "东阿县政府办公室" → "东阿县人民政府办公室" when the report itself uses the full form.
fn full_form(a: &str, text: &str) -> String {
    if a.contains("政府") && !a.contains("人民政府") {
        let full = a.replacen("政府", "人民政府", 1);
        if text.contains(&full) {
            return full;
        }
    }
    a.to_string()
}

pub fn meta(blocks: &[Block], range: std::ops::Range<usize>, sections: &[Section], base: usize, source: &Source) -> Meta {
    let mut m = Meta::default();
    let first_section = sections.first().map(|s| s.heading_line + base).unwrap_or(range.end);
    let span_of = |i: usize| source.span_in(&blocks[i].line, 0, blocks[i].line.text.len());
    static YEAR: OnceLock<Regex> = OnceLock::new();
    let year_re = re(&YEAR, r"(20\d{2})\s*年");

    // Title: a short line before the first section naming the 年度报告 (possibly split in two).
    for i in range.start..first_section.min(range.end) {
        let b = &blocks[i];
        let candidates: Vec<String> = if b.is_row() { (0..b.cells.len()).map(|k| b.cell_text(k).to_string()).collect() } else { vec![b.text().to_string()] };
        let mut found = None;
        for text in candidates {
            let c = compact(&text);
            if looks_like_title(&text) && c.contains("政府信息公开") {
                found = Some(text);
                break;
            }
            // A title wrapped over two lines (a PDF's centred title, "…工作年度报" | "告"): the
            // next short line completes it.
            if c.contains("政府信息公开") && !c.contains("年度报告") && i + 1 < range.end && !blocks[i + 1].is_row() {
                let next = compact(blocks[i + 1].text());
                let joined = format!("{c}{next}");
                if next.chars().count() <= 30 && looks_like_title(&joined) && joined.contains("年度报告") {
                    found = Some(joined);
                    break;
                }
            }
        }
        if let Some(mut title) = found {
            let c = compact(&title);
            if c.starts_with("20") && i > range.start {
                let prev = strip_chrome(blocks[i - 1].text());
                if !prev.is_empty() && prev.chars().count() <= 30 && !is_date_line(&prev) {
                    title = format!("{prev}{title}");
                }
            }
            let title = arabic_year(&strip_chrome(&title));
            m.title_year = year_re.captures(&title).and_then(|c| c[1].parse().ok());
            m.agency = agency_from_title(&title);
            m.title = Some(Located { value: title, span: Some(span_of(i)) });
            break;
        }
    }
    let report_text: String = blocks[range.clone()].iter().map(|b| b.text()).collect::<Vec<_>>().join("\n");
    // A title inside a sentence: "…编制了桦甸市统计局2020年政府信息公开工作年度报告".
    if m.agency.is_none() || m.title_year.is_none() {
        static IN: OnceLock<Regex> = OnceLock::new();
        let r = re(&IN, r"([\p{Han}]{2,40}?)(20\d{2})年度?政府信息公开(?:工作)?年度报告");
        for i in range.start..first_section.min(range.end) {
            if let Some(c) = r.captures(blocks[i].text()) {
                let mut a = c[1].to_string();
                for verb in ["编制了", "编制", "现公布", "公布", "发布", "印发", "现将", "形成了", "特此"] {
                    if let Some(p) = a.rfind(verb) {
                        a = a[p + verb.len()..].to_string();
                    }
                }
                if m.agency.is_none() && a.chars().count() >= 2 {
                    m.agency = Some(a);
                }
                if m.title_year.is_none() {
                    m.year = c[2].parse().ok();
                }
                break;
            }
        }
    }

    // Signature and date: the last line that is only a date, and the short line above it.
    let tail_start = sections.last().map(|s| s.heading_line + base).unwrap_or(range.start);
    let mut signed: Option<Located<String>> = None;
    if let Some(d) = (tail_start..range.end).rev().find(|&i| !blocks[i].is_row() && is_date_line(blocks[i].text())) {
        if let Some(date) = date_in(blocks[d].text()) {
            signed = Some(Located { value: date, span: Some(span_of(d)) });
        }
        if d > tail_start {
            let s = strip_chrome(blocks[d - 1].text());
            if !s.is_empty() && s.chars().count() <= 30 && !s.chars().any(|c| c.is_ascii_digit()) && !s.ends_with(['。', ';', '!']) {
                m.signature = Some(Located { value: s, span: Some(span_of(d - 1)) });
            }
        }
    }
    // The date the page was published (发布时间 / 发布日期 / 时间 in the page or a crawler's
    // header) is `published`; a document date (发文日期 / 成文日期) comes next; the date under
    // the signature only when the page gives neither.
    static META: OnceLock<Regex> = OnceLock::new();
    let r = re(&META, r"(发文日期|成文日期|印发日期|发布日期|发布时间|公开日期|更新时间|时间|日期)[\s:|]*(20\d{2})\s*(?:年|[-./])\s*(\d{1,2})\s*(?:月|[-./])\s*(\d{1,2})");
    let mut best: Option<(usize, Located<String>)> = None;
    for i in range.start..first_section.min(range.end) {
        let text = blocks[i].text();
        for c in r.captures_iter(text) {
            let before = &text[..c.get(0).map(|m| m.start()).unwrap_or(0)];
            // "统计时间：2023年1月1日…" is the period, not a date of publication.
            if ["统计", "截至", "截止", "办理"].iter().any(|w| before.ends_with(w)) {
                continue;
            }
            let rank = match &c[1] {
                "发文日期" | "成文日期" | "印发日期" => 1,
                _ => 0,
            };
            if let Some(date) = iso(&c[2], &c[3], &c[4]) {
                if best.as_ref().is_none_or(|(r, _)| rank < *r) {
                    best = Some((rank, Located { value: date, span: Some(span_of(i)) }));
                }
            }
        }
    }
    match (best, signed) {
        (Some((rank, page)), _) => {
            m.published_from = Some(if rank == 0 { "page" } else { "document" });
            m.published = Some(page);
        }
        (None, Some(signed)) => {
            m.published_from = Some("signature");
            m.published = Some(signed);
        }
        (None, None) => {}
    }

    // Statistical period.
    static PERIOD: OnceLock<Regex> = OnceLock::new();
    let pr = re(
        &PERIOD,
        r"统计(?:期限|时限|期间|时段|区间|范围|时间)[^。]{0,12}?(20\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日[^。\d]{0,10}?(20\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日",
    );
    for i in range.clone() {
        // The sentence may be wrapped onto the next line (a PDF line ends mid-sentence).
        let own = pr.captures(blocks[i].text());
        let joined_text;
        let caps = match own {
            Some(c) => Some(c),
            None if i + 1 < range.end && !blocks[i].is_row() && !blocks[i + 1].is_row() && blocks[i].text().contains("统计") => {
                joined_text = format!("{}{}", blocks[i].text(), blocks[i + 1].text());
                pr.captures(&joined_text)
            }
            None => None,
        };
        if let Some(c) = caps {
            if let (Some(a), Some(b)) = (iso(&c[1], &c[2], &c[3]), iso(&c[4], &c[5], &c[6])) {
                m.period = Some(Located { value: (a, b), span: Some(span_of(i)) });
                break;
            }
        }
    }

    // Agency: the title, the sentence, else the signature.
    if m.agency.is_none() {
        m.agency = m.signature.as_ref().map(|s| s.value.clone()).filter(|s| s.chars().count() >= 3);
    }
    m.agency = m.agency.map(|a| full_form(&dedupe_prefix(&a), &report_text));

    // Year: the title's, the sentence's, the statistical period's, else the year before publication.
    m.year = m
        .title_year
        .or(m.year)
        .or_else(|| m.period.as_ref().and_then(|p| p.value.0[..4].parse().ok()))
        .or_else(|| m.published.as_ref().and_then(|p| p.value[..4].parse::<i32>().ok()).map(|y| y - 1));
    m
}

/// Span of a whole block, for callers that point at a line.
pub fn block_span(blocks: &[Block], i: usize, source: &Source) -> Span {
    source.span_in(&blocks[i].line, 0, blocks[i].line.text.len())
}
