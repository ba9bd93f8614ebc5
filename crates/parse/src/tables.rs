//! Stages 3–4: find the three tables in a report's blocks, rebuild their rows from cells,
//! and map them onto the layout's rows by the meaning of their labels.

use crate::blocks::Block;
use crate::labels::{self, Resolved};
use crate::recover;
use nianbao_model::layout::{self, Layout, TableId, APPLICATIONS_TOTAL_COLUMN};
use nianbao_model::{Cell, CellMark, ReadHow, ReadWarning, Row, Source, Span, Table};

/// What a cell holds, as far as the table reader is concerned.
#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    Number(f64),
    Blank,
    Slash,
    Label,
    /// A cell of a grid row's numbers that reads as no number and no word (`.6`, `二3`, `a`,
    /// `441.`): a number OCR misread, held in its column as a number not read.
    Garbled,
}

/// One cell of the table region, in reading order.
#[derive(Debug, Clone)]
pub struct Tok {
    pub kind: Kind,
    pub text: String,
    pub block: usize,
    pub range: (usize, usize),
    /// First cell of a line that holds several cells (a table row as printed).
    pub line_start: bool,
}

impl Tok {
    fn is_value(&self) -> bool {
        !matches!(self.kind, Kind::Label)
    }
}

/// Parses a printed number: digits with optional sign, thousands separators, decimals and a
/// unit. Returns `None` for anything else.
pub fn parse_number(text: &str) -> Option<f64> {
    // Two numbers side by side in one cell ("0    8") are not one number "08".
    let words: Vec<&str> = text.split_whitespace().collect();
    if words.windows(2).any(|w| w[0].ends_with(|c: char| c.is_ascii_digit()) && w[1].starts_with(|c: char| c.is_ascii_digit())) {
        return None;
    }
    let t: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let t = t.trim_end_matches(['件', '个', '条', '项', '次', '份', '人']);
    let t = t.strip_suffix("万元").or_else(|| t.strip_suffix('元')).unwrap_or(t);
    let t = t.strip_suffix('%').unwrap_or(t);
    let (sign, digits) = match t.strip_prefix('+') {
        Some(r) => (1.0, r),
        None => match t.strip_prefix('-') {
            Some(r) => (-1.0, r),
            None => (1.0, t),
        },
    };
    if digits.is_empty() || !digits.chars().next()?.is_ascii_digit() {
        return None;
    }
    let (int, frac) = match digits.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (digits, None),
    };
    let int_ok = if int.contains(',') {
        let groups: Vec<&str> = int.split(',').collect();
        (1..=3).contains(&groups[0].len()) && groups[1..].iter().all(|g| g.len() == 3) && groups.iter().all(|g| g.bytes().all(|b| b.is_ascii_digit()))
    } else {
        !int.is_empty() && int.bytes().all(|b| b.is_ascii_digit())
    };
    let frac_ok = frac.is_none_or(|f| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()));
    if !(int_ok && frac_ok) {
        return None;
    }
    let plain: String = digits.chars().filter(|&c| c != ',').collect();
    // A value beyond any count a report prints (or `inf` from 309+ digits) is still a value
    // token here; `bound_values` makes its cell unreadable, keeping the printed text.
    plain.parse::<f64>().ok().map(|v| sign * v)
}

fn classify(text: &str) -> Kind {
    let t = text.trim();
    if t.is_empty() {
        return Kind::Blank;
    }
    if matches!(t, "/" | "\\" | "-" | "—" | "——" | "--" | "–" | "无" | "空" | "×") {
        return Kind::Slash;
    }
    match parse_number(t) {
        Some(v) => Kind::Number(v),
        None => Kind::Label,
    }
}

/// The end of a number starting at `i` (digits with thousands separators and decimals, then a
/// unit), or `None` when the digits there are not a value: a row's numbering (`1.属于`), a
/// numbering in brackets, or a year or date (`2023年`).
fn number_end(text: &str, i: usize, word_start: bool) -> Option<usize> {
    let b = text.as_bytes();
    let mut j = i;
    while j < b.len() && (b[j].is_ascii_digit() || (matches!(b[j], b',' | b'.') && j + 1 < b.len() && b[j + 1].is_ascii_digit() && j > i)) {
        j += 1;
    }
    let rest = &text[j..];
    let next = rest.chars().next();
    // "1.属于国家秘密", "2、重复申请": the numbering of the label that follows.
    if word_start && j - i <= 2 && matches!(next, Some('.' | '、' | ',' | '．')) && rest[1..].chars().next().is_some_and(|c| !c.is_ascii_digit()) {
        return None;
    }
    if i > 0 && text[..i].ends_with(['(', '（']) && matches!(next, Some(')' | '）')) {
        return None;
    }
    if matches!(next, Some('年' | '月' | '日' | '号' | '条' | '款' | '项')) && !rest.starts_with("项目") {
        return None;
    }
    for unit in ["万元", "元", "件", "个", "条", "项", "次", "份", "人", "%"] {
        if rest.starts_with(unit) {
            return Some(j + unit.len());
        }
    }
    Some(j)
}

/// Splits a word at the boundaries between a label and the numbers run into it
/// (`（一）予以公开140000014` → `（一）予以公开` + `140000014`), as a page's text content or a
/// crawler's dump leaves them.
fn split_word(text: &str, (s, e): (usize, usize), out: &mut Vec<(usize, usize)>) {
    let word = &text[s..e];
    let mut piece_start = 0;
    let mut i = 0;
    while i < word.len() {
        let c = word[i..].chars().next().unwrap_or(' ');
        if c.is_ascii_digit() {
            if let Some(end) = number_end(word, i, i == piece_start) {
                // A sign right before the digits belongs to the number ("+1" in 本年增/减).
                let start = if i > piece_start && word[..i].ends_with(['+', '-']) && i - 1 == piece_start { i - 1 } else { i };
                if start > piece_start {
                    out.push((s + piece_start, s + start));
                }
                out.push((s + start, s + end));
                piece_start = end;
                i = end;
                continue;
            }
            // Not a value: skip the digits as part of the label.
            while i < word.len() && word.as_bytes()[i].is_ascii_digit() {
                i += 1;
            }
            continue;
        }
        i += c.len_utf8();
    }
    if piece_start < word.len() {
        out.push((s + piece_start, e));
    }
}

/// The tokens of a range of blocks.
/// Cells of a line copied from a page where the table's cells are only separated by spaces
/// ("（一）予以公开 14 0 0 0 0 0 14"), or by nothing at all ("（一）予以公开140000014"):
/// numbers are cells, and the words between them one label.
fn space_separated(text: &str) -> Option<Vec<(usize, usize)>> {
    let mut spaced = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices().chain(std::iter::once((text.len(), ' '))) {
        match (c.is_whitespace(), start) {
            (true, Some(s)) => {
                spaced.push((s, i));
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    let mut words = Vec::new();
    for w in spaced {
        split_word(text, w, &mut words);
    }
    let numeric = |&(s, e): &(usize, usize)| !matches!(classify(&text[s..e]), Kind::Label);
    let numbered_later = words.iter().skip(1).any(|&(s, e)| labels::clean(&text[s..e]).1);
    if words.len() < 2 || !(words.iter().any(numeric) || numbered_later) {
        return None;
    }
    // Join neighbouring words of a label ("社会公益 组织").
    let mut cells: Vec<(usize, usize)> = Vec::new();
    let mut prev_label = false;
    for w in words {
        let label = !numeric(&w);
        // A word that starts with a row's numbering starts a label of its own ("予处 4.无正当理由":
        // the tail of a group heading printed down a merged cell, then the row's label).
        let numbered = labels::clean(&text[w.0..w.1]).1;
        match cells.last_mut() {
            Some(last) if label && prev_label && !numbered => last.1 = w.1,
            _ => cells.push(w),
        }
        prev_label = label;
    }
    Some(cells)
}

fn tokens(blocks: &[Block], range: std::ops::Range<usize>) -> Vec<Tok> {
    let mut out = Vec::new();
    for bi in range {
        let b = &blocks[bi];
        let pieces = if b.is_row() {
            if b.positional {
                b.pieces()
            } else {
                // A text row's cell may hold several numbers drawn apart by spaces (a terminal
                // dump of a nested table): each is a value.
                let mut out = Vec::new();
                for (s, e) in b.pieces() {
                    let cell = &b.line.text[s..e];
                    match space_separated(cell).filter(|_| cell.contains(char::is_whitespace)) {
                        Some(sub) if sub.len() > 1 => out.extend(sub.into_iter().map(|(a, z)| (s + a, s + z))),
                        _ => out.push((s, e)),
                    }
                }
                out
            }
        } else {
            space_separated(b.text()).unwrap_or_else(|| b.pieces())
        };
        let filled = pieces.iter().filter(|&&(s, e)| s < e).count();
        let mut first = true;
        for (s, e) in pieces {
            // A label made of several words keeps its words together without the spaces.
            let text: String = if b.is_row() { b.line.text[s..e].to_string() } else { b.line.text[s..e].split_whitespace().collect() };
            let kind = classify(&text);
            if kind == Kind::Blank && !b.positional {
                continue;
            }
            out.push(Tok { kind, text, block: bi, range: (s, e), line_start: first && filled >= 2 });
            first = false;
        }
    }
    out
}

/// A row as rebuilt from the cells: its label cells and its value cells.
#[derive(Debug, Clone, Default)]
struct LogicalRow {
    labels: Vec<Tok>,
    values: Vec<Tok>,
    positional: bool,
}

/// Text too short to be a label and unlike any word (`.6`, `0.`, `二3`, `441.`, `a`, `型`): what OCR
/// makes of a number under noise or a seal. A short label has two characters of Chinese at least
/// (`总计`, `其他`, `3.其他`).
fn looks_misread_number(text: &str) -> bool {
    let chars: Vec<char> = text.chars().filter(|c| !c.is_whitespace()).collect();
    let cjk = chars.iter().filter(|c| ('\u{4e00}'..='\u{9fff}').contains(*c)).count();
    let digits = chars.iter().any(|c| c.is_ascii_digit());
    match cjk {
        0 => !chars.is_empty() && chars.len() <= if digits { 6 } else { 3 },
        1 => chars.len() == 1 || (digits && chars.len() <= 4),
        _ => false,
    }
}

/// The number in a misread cell holding one run of digits and no other digit or point (`区0`,
/// `art0`, `0=©`, `4.` is not: its point may have been a digit).
pub fn digits_in_garbled(text: &str) -> Option<f64> {
    let runs: Vec<&str> = text.split(|c: char| !c.is_ascii_digit()).filter(|r| !r.is_empty()).collect();
    match runs[..] {
        [run] if run.len() <= 6 && !text.contains(['.', ',', '，', '。', '-']) => run.parse().ok(),
        _ => None,
    }
}

/// A cell whose number was guessed from a misread cell (`区0` read as 0).
pub fn guessed(cell: &Cell) -> bool {
    cell.value.is_some() && cell.raw.as_deref().is_some_and(|raw| parse_number(raw) != cell.value)
}

/// What a label names, for splitting rows: nothing known, a group heading, or a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Names {
    Nothing,
    Group,
    Row,
}

/// 表四 from fourteen whole numbers when one cell was lost and every placement of it agrees.
fn lost_one(nums: &[f64], n: usize) -> Option<Vec<u64>> {
    if nums.len() != n || !nums.iter().all(|v| *v >= 0.0 && v.fract() == 0.0 && *v < 1e15) {
        return None;
    }
    recover::review_row_one_lost(&nums.iter().map(|v| *v as u64).collect::<Vec<_>>())
}

/// Whether labels name a row: one of them, or all of them read together (a label wrapped over
/// lines).
fn names_row(labels: &[Tok], header_zone: bool, names: &dyn Fn(&str, bool) -> Names) -> bool {
    labels.iter().any(|l| names(&l.text, header_zone) == Names::Row)
        || (labels.len() > 1 && names(&joined_labels(labels), header_zone) == Names::Row)
}

/// The page and mean vertical middle of the cells that have a box, all on one page.
fn middle(toks: &[Tok], height: &dyn Fn(&Tok) -> Option<(u32, f64)>) -> Option<(u32, f64)> {
    let placed: Vec<(u32, f64)> = toks.iter().filter_map(height).collect();
    let page = placed.first()?.0;
    placed.iter().all(|&(p, _)| p == page).then(|| (page, placed.iter().map(|&(_, y)| y).sum::<f64>() / placed.len() as f64))
}

fn joined_labels(labels: &[Tok]) -> String {
    labels.iter().map(|t| t.text.as_str()).collect()
}

/// Rebuilds rows from the cells. `names(text, header_zone)` tells what a label names: a label
/// naming a row or group after a row label with no value between them starts a new (blank) row.
/// `height(tok)`: the page and the vertical middle of a cell where the source has boxes (a PDF,
/// a scan), which decides whose label a line between two rows of numbers is.
fn logical_rows(blocks: &[Block], range: std::ops::Range<usize>, names: &dyn Fn(&str, bool) -> Names, height: &dyn Fn(&Tok) -> Option<(u32, f64)>) -> Vec<LogicalRow> {
    let mut rows: Vec<LogicalRow> = Vec::new();
    let mut cur = LogicalRow::default();
    let mut seen_values = false;
    for bi in range {
        let b = &blocks[bi];
        let mut toks = tokens(blocks, bi..bi + 1);
        if b.positional {
            // Past the row's label, in a row of numbers, a cell that is neither a number nor a word
            // is a number misread: kept as a value, it keeps the numbers after it in their columns.
            // (A header row's `计` is not: no number follows the label there.)
            let label_end = toks.iter().rposition(|t| !t.is_value() && !looks_misread_number(&t.text)).map_or(0, |i| i + 1);
            if toks[label_end..].iter().any(|t| matches!(t.kind, Kind::Number(_))) {
                for t in toks[label_end..].iter_mut().filter(|t| !t.is_value()) {
                    t.kind = Kind::Garbled;
                }
            }
            let last_label = toks.iter().rposition(|t| !t.is_value());
            let (mut labels, values): (Vec<Tok>, Vec<Tok>) = match last_label {
                Some(i) => (toks[..=i].iter().filter(|t| !t.is_value()).cloned().collect(), toks[i + 1..].to_vec()),
                None => (Vec::new(), toks),
            };
            // A label wrapped over lines above the row's values (a table without ruling lines,
            // read line by line): the row's own label text names nothing, the lines above name
            // a row.
            let own_names = labels.iter().any(|t| names(&t.text, !seen_values) != Names::Nothing);
            if cur.values.is_empty() && !cur.labels.is_empty() && !own_names && names_row(&cur.labels, !seen_values, names) {
                let mut joined = std::mem::take(&mut cur.labels);
                // A label centred in a tall cell is printed partly below its row's numbers: the
                // lines nearer the numbers of the row above, which has no label, are that row's.
                if let Some(above) = rows.last_mut().filter(|r| r.positional && r.labels.is_empty() && !r.values.is_empty()) {
                    if let (Some((page, above_y)), Some((this_page, this_y))) = (middle(&above.values, height), middle(&values, height)) {
                        if page == this_page {
                            let nearer_above = |t: &Tok| height(t).is_some_and(|(p, y)| p == page && (y - above_y).abs() < (y - this_y).abs());
                            let (theirs, ours): (Vec<Tok>, Vec<Tok>) = joined.into_iter().partition(|t| nearer_above(t));
                            above.labels = theirs;
                            joined = ours;
                        }
                    }
                }
                joined.append(&mut labels);
                labels = joined;
            } else if !cur.labels.is_empty() || !cur.values.is_empty() {
                rows.push(std::mem::take(&mut cur));
            }
            seen_values |= !values.is_empty();
            rows.push(LogicalRow { labels, values, positional: true });
            continue;
        }
        for t in toks {
            if t.is_value() {
                if t.line_start && !cur.values.is_empty() {
                    rows.push(std::mem::take(&mut cur));
                }
                cur.values.push(t);
                seen_values = true;
            } else {
                // A numbered label starts a row too, once the labels before it name one (a label
                // wrapped over lines, whose pieces name nothing alone).
                let named = names(&t.text, !seen_values) != Names::Nothing || labels::clean(&t.text).1;
                if !cur.values.is_empty() || (named && names_row(&cur.labels, !seen_values, names)) {
                    rows.push(std::mem::take(&mut cur));
                }
                cur.labels.push(t);
            }
        }
    }
    if !cur.labels.is_empty() || !cur.values.is_empty() {
        rows.push(cur);
    }
    rows
}

/// 表三 read as a stream of labels and values in reading order, for text that has no grid
/// (copied text, a terminal dump, pdftotext, a page's text content). The values between two
/// labels are one row's; the labels between two value runs are the next row's label, taken from
/// its last numbering (`1.` `（三）` `四、`) on, so the wrapped tail of the previous label
/// (`部事务信息`) and the pieces of a group heading printed down a merged cell (`(四` `)无` `法提`
/// `供`) are not mistaken for it. Line breaks only matter where two runs of values meet: a run
/// that starts a new line with no label before it is a new (unlabelled) row.
fn stream_rows(blocks: &[Block], range: std::ops::Range<usize>) -> Vec<LogicalRow> {
    /// The labels before a run of values, cut before each numbering: every piece but the last
    /// is a row printed without values (blank cells dropped), the last one is the values' row.
    fn flush(labels: Vec<Tok>, values: Vec<Tok>, rows: &mut Vec<LogicalRow>) {
        let mut pieces: Vec<Vec<Tok>> = vec![Vec::new()];
        for t in labels {
            if labels::clean(&t.text).1 && pieces.last().is_some_and(|p| !p.is_empty()) {
                pieces.push(Vec::new());
            }
            if let Some(p) = pieces.last_mut() {
                p.push(t);
            }
        }
        let last = pieces.pop().unwrap_or_default();
        for p in pieces.into_iter().filter(|p| !p.is_empty()) {
            rows.push(LogicalRow { labels: p, values: Vec::new(), positional: false });
        }
        rows.push(LogicalRow { labels: last, values, positional: false });
    }
    let mut rows = Vec::new();
    let mut labels: Vec<Tok> = Vec::new();
    let mut values: Vec<Tok> = Vec::new();
    for t in tokens(blocks, range) {
        if t.is_value() {
            if t.line_start && !values.is_empty() {
                flush(std::mem::take(&mut labels), std::mem::take(&mut values), &mut rows);
            }
            values.push(t);
        } else {
            if !values.is_empty() {
                flush(std::mem::take(&mut labels), std::mem::take(&mut values), &mut rows);
            }
            labels.push(t);
        }
    }
    if !labels.is_empty() || !values.is_empty() {
        flush(labels, values, &mut rows);
    }
    rows
}

/// Where the tables of one report are, as block ranges.
#[derive(Debug, Clone, Default)]
pub struct Regions {
    pub active_disclosure: Option<std::ops::Range<usize>>,
    pub applications: Option<std::ops::Range<usize>>,
    pub review_litigation: Option<std::ops::Range<usize>>,
}

impl Regions {
    pub fn contains(&self, block: usize) -> bool {
        [&self.active_disclosure, &self.applications, &self.review_litigation].iter().any(|r| r.as_ref().is_some_and(|r| r.contains(&block)))
    }
}

fn compact(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// A line short enough to be a table caption or row rather than prose. White space does not
/// count: a terminal dump or `pandoc -t plain` pads a row's cells with it.
fn is_short(b: &Block) -> bool {
    b.is_row() || b.text().chars().filter(|c| !c.is_whitespace()).count() <= 48
}

/// Finds the table regions in `blocks[range]`.
pub fn find_regions(blocks: &[Block], range: std::ops::Range<usize>) -> Regions {
    let find = |from: usize, pred: &dyn Fn(&Block, &str) -> bool| -> Option<usize> {
        (from..range.end).find(|&i| pred(&blocks[i], &compact(blocks[i].text())))
    };
    // 表三 starts at its header, or at its first row when that comes first: OCR can garble the
    // header (`勾移关系`, `申人请情况`) and match a later line, which gave 表三's first page to 表二.
    let header = find(range.start, &|b, t| is_short(b) && (t.contains("勾稽") || t.contains("申请人情况")));
    let first_row = find(range.start, &|b, t| b.is_row() && t.contains("本年新收"));
    let t3 = match (header, first_row) {
        (Some(h), Some(r)) => Some(h.min(r)),
        (h, r) => h.or(r),
    }
    .or_else(|| find(range.start, &|b, t| is_short(b) && t.contains("本年新收政府信息公开申请")));
    let t2_pred = |b: &Block, t: &str| is_short(b) && (t.contains("第二十条第") || t.starts_with("信息内容") || t.contains("|信息内容"));
    let t2 = find(range.start, &t2_pred).filter(|&i| t3.is_none_or(|t3| i < t3));
    let t4_from = t3.unwrap_or(range.start);
    // 表四's header names 行政复议 and, in the same line or one of the next few, 行政诉讼.
    let t4 = (t4_from..range.end)
        .find(|&i| {
            let (b, t) = (&blocks[i], compact(blocks[i].text()));
            is_short(b) && t.contains("行政复议") && !t.contains("本年新收") && (i..(i + 4).min(range.end)).any(|j| blocks[j].text().contains("行政诉讼"))
        })
        .filter(|&i| t3.is_none_or(|t3| i > t3));
    let section_after = |from: usize, numerals: &[&str]| {
        (from..range.end).find(|&i| {
            let b = &blocks[i];
            !b.is_row() && numerals.iter().any(|n| b.text().starts_with(n)) && b.text().chars().count() <= 40
        })
    };
    let mut regions = Regions::default();
    if let Some(s) = t2 {
        let end = t3.or_else(|| section_after(s + 1, &["三、", "三."])).unwrap_or(range.end);
        regions.active_disclosure = Some(s..end);
    }
    if let Some(s) = t3 {
        let end = t4.or_else(|| section_after(s + 1, &["四、", "四.", "五、"])).unwrap_or(range.end);
        // Stop before the heading of section 四 when it precedes the table header.
        let end = (s + 1..end).find(|&i| !blocks[i].is_row() && blocks[i].text().starts_with("四、") && blocks[i].text().contains("复议")).unwrap_or(end);
        regions.applications = Some(s..end);
    }
    if let Some(s) = t4 {
        let end = section_after(s + 1, &["五、", "五.", "六、"]).unwrap_or(range.end);
        // The table ends at the first long prose line after its numbers.
        let mut seen_value = false;
        let mut stop = end;
        for i in s + 1..end {
            let b = &blocks[i];
            if !b.is_row() && b.text().chars().count() > 40 && seen_value {
                stop = i;
                break;
            }
            if tokens(blocks, i..i + 1).iter().any(|t| matches!(t.kind, Kind::Number(_))) {
                seen_value = true;
            }
        }
        regions.review_litigation = Some(s..stop);
    }
    regions
}

/// The layout the table headers and row labels show, if they show one.
pub fn detect_layout(blocks: &[Block], regions: &Regions) -> Vec<(TableId, Layout)> {
    let mut found = Vec::new();
    if let Some(r) = &regions.active_disclosure {
        let text: String = blocks[r.clone()].iter().map(|b| compact(b.text())).collect();
        let new = ["制发", "废止件数", "现行有效"].iter().filter(|k| text.contains(*k)).count();
        let old = ["新制作", "新公开", "对外公开总", "上一年项目", "采购项目", "其他对外管理", "本年增/减"].iter().filter(|k| text.contains(*k)).count();
        if new > old {
            found.push((TableId::ActiveDisclosure, Layout::L2021));
        } else if old > new {
            found.push((TableId::ActiveDisclosure, Layout::L2019));
        }
    }
    if let Some(r) = &regions.applications {
        let text: String = blocks[r.clone()].iter().map(|b| compact(b.text())).collect();
        if text.contains("不补正") || text.contains("缴纳费用") || text.contains("收费通知") {
            found.push((TableId::Applications, Layout::L2021));
        } else if text.contains("其他处理") && text.contains("总计") {
            found.push((TableId::Applications, Layout::L2019));
        }
    }
    found
}

/// A run-together row with several readings: (row index, the readings, its tokens).
type Ambiguous = (usize, Vec<Vec<u64>>, Vec<Tok>);

/// Reads tables out of blocks and records where each value came from.
pub struct TableReader<'a> {
    pub blocks: &'a [Block],
    pub source: &'a Source,
    pub warnings: Vec<ReadWarning>,
    /// The report's prose (outside the tables), for counts it states.
    pub prose: String,
}

/// A count of 表二's documents the prose states: (field, value) for 制发/废止/现行有效 of a row.
fn prose_counts(prose: &str, label: &str) -> Vec<(usize, u64)> {
    let mut out = Vec::new();
    let noun = if label.contains("规范性文件") { "规范性文件" } else if label == "规章" { "规章" } else { return out };
    for (field, verbs) in [(0usize, &["制发", "印发", "出台", "发布", "制定"][..]), (1, &["废止"][..]), (2, &["现行有效"][..])] {
        for verb in verbs {
            let mut search = 0;
            while let Some(p) = prose[search..].find(verb) {
                let at = search + p + verb.len();
                search = at;
                let window: String = prose[at..].chars().take(14).collect();
                let Some(n) = window.find(noun) else { continue };
                let after = &window[n + noun.len()..];
                let digits: String = after.chars().skip_while(|c| c.is_whitespace()).take_while(|c| c.is_ascii_digit()).collect();
                let rest = &after[after.find(|c: char| c.is_ascii_digit()).unwrap_or(0) + digits.len()..];
                // "…规范性文件3件": a count of this year's documents of the row.
                if !digits.is_empty() && rest.trim_start().starts_with('件') && !window[..n].contains(['。', ',', '，']) {
                    if let Ok(v) = digits.parse::<u64>() {
                        out.push((field, v));
                    }
                }
            }
        }
    }
    out
}

impl<'a> TableReader<'a> {
    fn span(&self, t: &Tok) -> Span {
        self.source.span_in(&self.blocks[t.block].line, t.range.0, t.range.1)
    }

    /// The page and vertical middle of a cell, where the source has boxes.
    fn height(&self, t: &Tok) -> Option<(u32, f64)> {
        let span = self.span(t);
        let [_, top, _, bottom] = span.bbox?;
        Some((span.page?, (top + bottom) as f64 / 2.0))
    }

    fn warn(&mut self, message: String, span: Option<Span>) {
        self.warnings.push(ReadWarning { message, span });
    }

    fn cell(&self, t: &Tok, how: ReadHow) -> Cell {
        let span = Some(self.span(t));
        let raw = Some(t.text.clone());
        match t.kind {
            Kind::Number(v) => Cell { value: Some(v), raw, span, how, mark: if v == 0.0 { CellMark::Zero } else { CellMark::Number } },
            Kind::Slash => Cell { value: None, raw, span, how, mark: CellMark::Slash },
            Kind::Blank => Cell { value: None, raw: None, span, how, mark: CellMark::Blank },
            Kind::Garbled => match digits_in_garbled(&t.text) {
                // A guess (`区0` for `0` with a seal's ink beside it): `trust` keeps it only if
                // the arithmetic confirms it.
                Some(v) => Cell { value: Some(v), raw, span, how, mark: if v == 0.0 { CellMark::Zero } else { CellMark::Number } },
                None => Cell { value: None, raw, span, how: ReadHow::Unreadable, mark: CellMark::Unreadable },
            },
            Kind::Label => Cell { value: None, raw, span, how: ReadHow::Unreadable, mark: CellMark::Unreadable },
        }
    }

    fn row(&self, key: &str, cells: Vec<Cell>, label: Option<&Tok>) -> Row {
        Row {
            key: key.to_string(),
            cells,
            label: label.map(|t| t.text.clone()),
            label_span: label.map(|t| self.span(t)),
        }
    }

    fn recovered(&self, values: &[u64], toks: &[Tok]) -> Vec<Cell> {
        let span = toks.first().map(|f| {
            let l = toks.last().unwrap_or(f);
            let a = self.span(f);
            let b = self.span(l);
            Span { end: b.end, ..a }
        });
        values
            .iter()
            .map(|&v| Cell { value: Some(v as f64), raw: None, span, how: ReadHow::Arithmetic, mark: if v == 0 { CellMark::Zero } else { CellMark::Number } })
            .collect()
    }

    /// 表二: each row label followed by its values.
    pub fn active_disclosure(&mut self, range: std::ops::Range<usize>, layout: Layout) -> Table {
        let defs = layout::active_disclosure_rows(layout);
        let mut table = Table { span: self.first_span(&range), ..Table::default() };
        let rows = logical_rows(self.blocks, range, &|t, _| if labels::active_disclosure_row(t, layout).is_some() { Names::Row } else { Names::Nothing }, &|t| self.height(t));
        table.headers = rows.iter().flat_map(|r| r.labels.iter()).map(|t| compact(&t.text)).filter(|t| !t.is_empty()).collect();
        for lr in &rows {
            let Some((label, key)) = lr.labels.iter().rev().find_map(|t| labels::active_disclosure_row(&t.text, layout).map(|k| (t, k))) else {
                continue;
            };
            let Some(def) = defs.iter().find(|d| d.key == key) else { continue };
            if table.row(key).is_some() {
                continue;
            }
            let n = def.fields.len();
            // A row of the grid with as many cells as the table has columns is read cell by cell.
            // With more or fewer, the grid did not come out as printed (a line lost in a scan,
            // fragments of a seal or a photographed page's skewed lines cutting extra cells) and
            // the positions say nothing about columns: only the order of the numbers is left, and
            // 表二 has no arithmetic to catch a number put in the wrong column.
            let vals: Vec<&Tok> = lr.values.iter().filter(|t| !(lr.positional && t.kind == Kind::Blank)).collect();
            let cells: Vec<Cell> = if lr.positional && lr.values.len() == n {
                lr.values.iter().map(|t| self.cell(t, ReadHow::Printed)).collect()
            } else if vals.len() == n {
                vals.iter().map(|t| self.cell(t, ReadHow::Printed)).collect()
            } else if vals.len() > n {
                // Which of them are the row's cannot be told: a null is better than a guess.
                let texts: Vec<&str> = vals.iter().map(|t| t.text.as_str()).collect();
                self.warn(format!("表二“{}”行有 {} 个数（{}），应有 {} 个，无法确定，已置为空", def.label, vals.len(), texts.join(" "), n), Some(self.span(vals[0])));
                vec![Cell::unreadable(); n]
            } else if vals.len() == 1 && vals[0].text.len() > 1 && vals[0].text.bytes().all(|b| b.is_ascii_digit()) {
                let stated = prose_counts(&self.prose, def.label);
                match recover::plain_row(&[vals[0].text.as_str()], n) {
                    Some(c) if c.len() == 1 => self.recovered(&c[0], &lr.values),
                    // Several splits: the one that agrees with every count the prose states, if
                    // exactly one does.
                    Some(c) if !stated.is_empty() && c.iter().filter(|r| stated.iter().all(|&(f, v)| r.get(f) == Some(&v))).count() == 1 => {
                        let row = c.iter().find(|r| stated.iter().all(|&(f, v)| r.get(f) == Some(&v))).cloned().unwrap_or_default();
                        self.warn(format!("表二“{}”行数字粘连（{}），按正文所述件数确定为 {:?}", def.label, vals[0].text, row), Some(self.span(vals[0])));
                        self.recovered(&row, &lr.values).into_iter().map(|mut cell| {
                            cell.how = ReadHow::Prose;
                            cell
                        }).collect()
                    }
                    _ => {
                        self.warn(format!("表二“{}”行数字粘连（{}），无法唯一拆分，已置为空", def.label, vals[0].text), Some(self.span(vals[0])));
                        vec![Cell::unreadable(); n]
                    }
                }
            } else if vals.is_empty() {
                vec![Cell::blank(); n]
            } else {
                // Fewer values than cells and nothing tells which cells were left blank.
                let texts: Vec<&str> = vals.iter().map(|t| t.text.as_str()).collect();
                self.warn(format!("表二“{}”行只有 {} 个数（{}），应有 {} 个，无法确定所在列，已置为空", def.label, vals.len(), texts.join(" "), n), Some(self.span(vals[0])));
                vec![Cell::unreadable(); n]
            };
            table.rows.push(self.row(key, cells, Some(label)));
        }
        // Keep layout order.
        table.rows.sort_by_key(|r| defs.iter().position(|d| d.key == r.key));
        table
    }

    fn first_span(&self, range: &std::ops::Range<usize>) -> Option<Span> {
        let b = self.blocks.get(range.start)?;
        Some(self.source.span_in(&b.line, 0, b.line.text.len()))
    }

    /// 表三: rows found by label, unlabeled rows placed by order, lost cells recovered.
    pub fn applications(&mut self, range: std::ops::Range<usize>, layout: Layout) -> Table {
        const W: usize = 7;
        let defs = layout::applications_rows(layout);
        let mut table = Table { span: self.first_span(&range), ..Table::default() };
        let gridless = !self.blocks[range.clone()].iter().any(|b| b.positional);
        let lrows = if gridless {
            stream_rows(self.blocks, range)
        } else {
            logical_rows(self.blocks, range, &|t, hz| match labels::applications_row(t, layout, hz) {
                Resolved::Row(_) => Names::Row,
                Resolved::Group(..) => Names::Group,
                _ => Names::Nothing,
            }, &|t| self.height(t))
        };
        let mut seen_values = false;
        let resolved: Vec<Resolved> = lrows
            .iter()
            .map(|lr| {
                let r = lr
                    .labels
                    .iter()
                    .rev()
                    .map(|t| labels::applications_row(&t.text, layout, !seen_values))
                    .find(|r| !matches!(r, Resolved::None | Resolved::Header))
                    .or_else(|| {
                        // A label wrapped over lines: its pieces read together.
                        let whole = joined_labels(&lr.labels);
                        (lr.labels.len() > 1)
                            .then(|| labels::applications_row(&whole, layout, !seen_values))
                            .filter(|r| matches!(r, Resolved::Row(_)))
                    })
                    .unwrap_or(Resolved::None);
                seen_values |= !lr.values.is_empty();
                r
            })
            .collect();
        // In a grid row named by its label, cells after the label that make up the row's seven
        // columns exactly are its numbers, whatever OCR made of them (`H中` for a `0` a seal's
        // ink runs through): read as labels, they would leave the row short of numbers.
        let mut lrows = lrows;
        for (lr, res) in lrows.iter_mut().zip(&resolved) {
            let Resolved::Row(i) = res else { continue };
            if !lr.positional || lr.values.len() >= W || !lr.values.iter().any(|t| matches!(t.kind, Kind::Number(_))) {
                continue;
            }
            let Some(named) = lr.labels.iter().rposition(|t| [true, false].iter().any(|&hz| labels::applications_row(&t.text, layout, hz) == Resolved::Row(*i))) else { continue };
            let after = lr.labels.len() - named - 1;
            if after == 0 || after + lr.values.len() != W || lr.labels[named + 1..].iter().any(|t| t.block != lr.values[0].block) {
                continue;
            }
            let mut cells: Vec<Tok> = lr.labels.drain(named + 1..).map(|t| Tok { kind: Kind::Garbled, ..t }).collect();
            cells.append(&mut lr.values);
            lr.values = cells;
        }
        let labelled: Vec<usize> = resolved.iter().filter_map(|r| if let Resolved::Row(i) = r { Some(*i) } else { None }).collect();
        // A grid column right of 总计 that is blank in every row with too many cells is no column
        // of the table (a photograph's page edge, the frame drawn twice): the row is read from
        // its right end, so that cell would push every number one column left.
        let wide = || lrows.iter().filter(|r| r.positional && r.values.len() > W);
        let blank_right_column = wide().next().is_some() && wide().all(|r| r.values.last().is_some_and(|t| t.kind == Kind::Blank));
        let mut assigned: Vec<Option<(Vec<Cell>, Option<Tok>)>> = vec![None; defs.len()];
        let mut ambiguous: Vec<Ambiguous> = Vec::new();
        let mut by_order: Vec<usize> = Vec::new();
        let mut next = 0usize;
        for (lr, res) in lrows.iter().zip(&resolved) {
            let label = lr.labels.last().cloned();
            let target = match res {
                Resolved::Row(i) => *i,
                Resolved::Group(a, b) if (*a..=*b).all(|j| labelled.contains(&j)) && lr.values.len() == W => {
                    // Every item of the group has its own labelled row: this line is a subtotal.
                    let cells: Vec<Cell> = lr.values.iter().map(|t| self.cell(t, ReadHow::Printed)).collect();
                    let label = lr.labels.last().map(|t| t.text.clone()).unwrap_or_default();
                    let span = lr.labels.last().map(|t| self.span(t));
                    table.subtotals.push(nianbao_model::Subtotal { label, first: defs[*a].key.to_string(), last: defs[*b].key.to_string(), cells, span });
                    continue;
                }
                Resolved::Group(a, b) => (*a..=*b).find(|&j| j >= next && !labelled.contains(&j) && assigned[j].is_none()).unwrap_or(*a),
                Resolved::None | Resolved::Header => {
                    if lr.values.is_empty() {
                        continue;
                    }
                    match (next..defs.len()).find(|&j| assigned[j].is_none()) {
                        Some(j) => {
                            // Values with no label take the next free row: a guess that the
                            // table's arithmetic must confirm (below).
                            let rows = lr.values.len().div_ceil(W).max(1);
                            let mut k = j;
                            let mut placed = 0;
                            while k < defs.len() && placed < rows {
                                if assigned[k].is_none() {
                                    by_order.push(k);
                                    placed += 1;
                                }
                                k += 1;
                            }
                            j
                        }
                        None => continue,
                    }
                }
            };
            if target >= defs.len() {
                continue;
            }
            let row_values = match &lr.values[..] {
                [rest @ .., _] if blank_right_column && lr.positional && rest.len() >= W => rest,
                all => all,
            };
            let values: Vec<Tok> = if lr.positional && row_values.len() > W {
                row_values[row_values.len() - W..].to_vec()
            } else {
                row_values.to_vec()
            };
            let n = values.len();
            if lr.positional && n == W {
                // A grid row with no number at all, under a label naming a row already read: the
                // label's second line in a grid row of its own (`5.要求行政机` over
                // `关确认或重新出具已获取信息`). A row printed blank never replaces numbers read.
                if matches!(res, Resolved::Row(_)) && values.iter().all(|t| t.kind == Kind::Blank) {
                    if let Some(slot) = assigned[target].as_mut() {
                        slot.1 = slot.1.take().or(label);
                        next = target + 1;
                        continue;
                    }
                }
                assigned[target] = Some((values.iter().map(|t| self.cell(t, ReadHow::Printed)).collect(), label));
                next = target + 1;
                continue;
            }
            let values: Vec<Tok> = values.into_iter().filter(|t| t.kind != Kind::Blank).collect();
            let n = values.len();
            if n == 0 {
                // A row label with no values is a row printed blank; a group heading alone is not.
                if matches!(res, Resolved::Row(_)) && assigned[target].is_none() {
                    assigned[target] = Some((vec![Cell::blank(); W], label));
                }
                next = target + 1;
                continue;
            }
            if n.is_multiple_of(W) {
                let mut row = target;
                // A row named by its label is that row: it takes back a slot that unlabelled
                // values were put in by order, and never slides into the next row.
                if matches!(res, Resolved::Row(_)) && assigned[target].is_some() {
                    if let Some(p) = by_order.iter().position(|&r| r == target) {
                        by_order.remove(p);
                        assigned[target] = None;
                    } else {
                        self.warn(format!("表三“{}”行出现两次，后一次未读取", defs[target].printed()), lr.labels.last().map(|t| self.span(t)));
                        continue;
                    }
                }
                for (k, chunk) in values.chunks(W).enumerate() {
                    while row < defs.len() && assigned[row].is_some() {
                        row += 1;
                    }
                    if row >= defs.len() {
                        break;
                    }
                    let lab = if k == 0 { label.clone() } else { None };
                    assigned[row] = Some((chunk.iter().map(|t| self.cell(t, ReadHow::Printed)).collect(), lab));
                    row += 1;
                }
                next = row;
                continue;
            }
            if n < W {
                // Two or three rows whose labels between them were lost, all digits run together.
                let texts: Vec<&str> = values.iter().map(|t| t.text.as_str()).collect();
                let digits: usize = texts.iter().map(|t| t.len()).sum();
                let all_digits = texts.iter().all(|t| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()));
                // Only when the rows that would take the extra values have no label of their own.
                let split = (2..=3usize)
                    .filter(|k| all_digits && digits >= W * k && (target + 1..target + k).all(|r| r < defs.len() && !labelled.contains(&r)))
                    .find_map(|k| recover::applications_rows_run_together(&texts, k).filter(|c| c.len() == 1));
                if let Some(c) = split {
                    let mut row = target;
                    for (k, chunk) in c[0].chunks(W).enumerate() {
                        while row < defs.len() && assigned[row].is_some() {
                            row += 1;
                        }
                        if row >= defs.len() {
                            break;
                        }
                        if k > 0 {
                            by_order.push(row);
                        }
                        assigned[row] = Some((self.recovered(chunk, &values), if k == 0 { label.clone() } else { None }));
                        row += 1;
                    }
                    next = row;
                    continue;
                }
            }
            let cells = if n < W {
                self.partial_row(&values, target, defs, &mut ambiguous)
            } else {
                self.split_cells_row(&values, target, defs, &mut ambiguous)
            };
            assigned[target] = Some((cells, label));
            next = target + 1;
        }
        self.resolve_ambiguous(&mut assigned, ambiguous, layout);
        self.confirm_by_order(&mut assigned, &by_order, layout);
        for (i, a) in assigned.into_iter().enumerate() {
            if let Some((cells, label)) = a {
                table.rows.push(self.row(defs[i].key, cells, label.as_ref()));
            }
        }
        table
    }

    /// A 表三 row with fewer than seven numbers: run-together digits, or blanks dropped.
    fn partial_row(&mut self, values: &[Tok], target: usize, defs: &[layout::RowDef], ambiguous: &mut Vec<Ambiguous>) -> Vec<Cell> {
        const W: usize = 7;
        let d = &defs[target];
        let digit_tokens: Vec<&str> = values.iter().map(|t| t.text.as_str()).collect();
        let all_digits = digit_tokens.iter().all(|t| t.bytes().all(|b| b.is_ascii_digit()));
        if all_digits && digit_tokens.iter().map(|t| t.len()).sum::<usize>() >= W {
            if let Some(c) = recover::applications_row(&digit_tokens) {
                if c.len() == 1 {
                    return self.recovered(&c[0], values);
                }
                if c.len() > 1 {
                    ambiguous.push((target, c, values.to_vec()));
                    return vec![Cell::unreadable(); W];
                }
            }
        }
        let n = values.len();
        let nums: Vec<f64> = values.iter().filter_map(|t| if let Kind::Number(v) = t.kind { Some(v) } else { None }).collect();
        if n >= 2 && nums.len() == n && (nums[..n - 1].iter().sum::<f64>() - nums[n - 1]).abs() < 1e-9 {
            // Blanks were dropped: the leading numbers are the first applicant columns and the
            // last one is the 总计, which their sum confirms.
            let mut cells = vec![Cell::blank(); W];
            for (i, t) in values[..n - 1].iter().enumerate() {
                cells[i] = self.cell(t, ReadHow::Position);
            }
            cells[APPLICATIONS_TOTAL_COLUMN] = self.cell(&values[n - 1], ReadHow::Position);
            return cells;
        }
        self.warn(
            format!("表三“{}”行只有 {} 个数（{}），无法确定所在列，已置为空", d.printed(), n, digit_tokens.join(" ")),
            Some(self.span(&values[0])),
        );
        vec![Cell::unreadable(); W]
    }

    /// Rows placed by order (their values had no label) are kept only when the table's
    /// identities hold with them: every column's 新收 + 结转 = 总计 + 结转下年度 and the outcome
    /// rows adding up to （七）总计. If one that can be checked fails, the guess is undone and
    /// those rows are null — the report's own arithmetic errors are still found, because rows
    /// read by their labels are never touched here.
    fn confirm_by_order(&mut self, assigned: &mut [Option<(Vec<Cell>, Option<Tok>)>], by_order: &[usize], layout: Layout) {
        if by_order.is_empty() {
            return;
        }
        let defs = layout::applications_rows(layout);
        let idx = |key: &str| defs.iter().position(|d| d.key == key);
        let outcome: Vec<usize> = layout::outcome_rows(layout).iter().filter_map(|d| idx(d.key)).collect();
        let (Some(new), Some(carried), Some(total), Some(forward)) = (idx("new_received"), idx("carried_over"), idx("total_processed"), idx("carried_forward")) else {
            return;
        };
        let cell = |r: usize, c: usize| assigned[r].as_ref().and_then(|(cells, _)| cells.get(c)).and_then(|x| x.value);
        // A row read by its label with a cell that could not be read, or whose numbers miss its
        // own total, holds a misreading: it says nothing about where the unlabelled rows belong.
        let misread = |r: usize| {
            let v: Option<Vec<f64>> = (0..7).map(|c| cell(r, c)).collect();
            let unreadable = assigned[r].as_ref().is_some_and(|(cells, _)| cells.iter().any(|x| x.mark == CellMark::Unreadable || guessed(x)));
            !by_order.contains(&r) && (unreadable || v.is_some_and(|v| (v[..6].iter().sum::<f64>() - v[6]).abs() > 1e-9))
        };
        let value = |r: usize, c: usize| if misread(r) { None } else { cell(r, c) };
        let mut broken = false;
        for c in 0..7 {
            if let (Some(a), Some(b), Some(t), Some(f)) = (value(new, c), value(carried, c), value(total, c), value(forward, c)) {
                if (a + b - t - f).abs() > 1e-9 && [new, carried, total, forward].iter().any(|r| by_order.contains(r)) {
                    broken = true;
                }
            }
            let parts: Option<Vec<f64>> = outcome.iter().map(|&r| value(r, c)).collect();
            if let (Some(parts), Some(t)) = (parts, value(total, c)) {
                if (parts.iter().sum::<f64>() - t).abs() > 1e-9 && outcome.iter().chain([&total]).any(|r| by_order.contains(r)) {
                    broken = true;
                }
            }
        }
        if !broken {
            return;
        }
        let names: Vec<String> = by_order.iter().map(|&r| defs[r].printed()).collect();
        self.warn(
            format!("表三有 {} 行数字没有行名，按顺序放入“{}”等行后与勾稽关系不符，无法确定所在行，已置为空", by_order.len(), names.first().cloned().unwrap_or_default()),
            None,
        );
        for &r in by_order {
            if let Some(slot) = assigned[r].as_mut() {
                slot.0 = vec![Cell::unreadable(); 7];
            }
        }
    }

    /// A 表三 row with more pieces than cells (and not a whole number of rows): a rendering split
    /// cells in two (`1` `3` for 13). The pieces are joined only when exactly one way to join them
    /// fits the row's total (or, with several, the column relations decide later); otherwise the
    /// row is not read — never its first seven pieces.
    fn split_cells_row(&mut self, values: &[Tok], target: usize, defs: &[layout::RowDef], ambiguous: &mut Vec<Ambiguous>) -> Vec<Cell> {
        const W: usize = 7;
        let d = &defs[target];
        let texts: Vec<&str> = values.iter().map(|t| t.text.as_str()).collect();
        match recover::applications_row_merged(&texts) {
            Some(c) if c.len() == 1 => return self.recovered(&c[0], values),
            Some(c) if c.len() > 1 => {
                ambiguous.push((target, c, values.to_vec()));
                return vec![Cell::unreadable(); W];
            }
            _ => {}
        }
        self.warn(format!("表三“{}”行有 {} 个数（{}），多于 7 列且无法按合计唯一拼合，已置为空", d.printed(), values.len(), texts.join(" ")), Some(self.span(&values[0])));
        vec![Cell::unreadable(); W]
    }

    /// Several readings of a run-together row: keep the one the column relations allow, if only one does.
    fn resolve_ambiguous(&mut self, assigned: &mut [Option<(Vec<Cell>, Option<Tok>)>], ambiguous: Vec<Ambiguous>, layout: Layout) {
        let defs = layout::applications_rows(layout);
        let idx = |key: &str| defs.iter().position(|d| d.key == key);
        let outcome: Vec<usize> = layout::outcome_rows(layout).iter().filter_map(|d| idx(d.key)).collect();
        let (Some(new), Some(carried), Some(total), Some(forward)) = (idx("new_received"), idx("carried_over"), idx("total_processed"), idx("carried_forward")) else {
            return;
        };
        let mut pending = ambiguous;
        loop {
            let mut progress = false;
            let mut still = Vec::new();
            for (row, cands, toks) in pending {
                let value = |assigned: &[Option<(Vec<Cell>, Option<Tok>)>], r: usize, c: usize, cand: &[u64]| -> Option<f64> {
                    if r == row {
                        return Some(cand[c] as f64);
                    }
                    assigned[r].as_ref().and_then(|(cells, _)| cells.get(c)).and_then(|x| x.value)
                };
                let ok: Vec<&Vec<u64>> = cands
                    .iter()
                    .filter(|cand| {
                        let mut checked = 0;
                        for c in 0..7 {
                            let g = |r| value(assigned, r, c, cand);
                            if [new, carried, total, forward].contains(&row) {
                                if let (Some(a), Some(b), Some(t), Some(f)) = (g(new), g(carried), g(total), g(forward)) {
                                    checked += 1;
                                    if (a + b - t - f).abs() > 1e-9 {
                                        return false;
                                    }
                                }
                            }
                            if row == total || outcome.contains(&row) {
                                let parts: Option<Vec<f64>> = outcome.iter().map(|&r| g(r)).collect();
                                if let (Some(parts), Some(t)) = (parts, g(total)) {
                                    checked += 1;
                                    if (parts.iter().sum::<f64>() - t).abs() > 1e-9 {
                                        return false;
                                    }
                                }
                            }
                        }
                        checked > 0
                    })
                    .collect();
                if ok.len() == 1 {
                    let cells = self.recovered(ok[0], &toks);
                    if let Some(slot) = assigned[row].as_mut() {
                        slot.0 = cells;
                    }
                    progress = true;
                } else {
                    still.push((row, cands, toks));
                }
            }
            pending = still;
            if !progress || pending.is_empty() {
                break;
            }
        }
        for (row, cands, toks) in pending {
            let text: Vec<&str> = toks.iter().map(|t| t.text.as_str()).collect();
            let span = toks.first().map(|t| self.span(t));
            self.warn(
                format!("表三“{}”行数字粘连（{}），有 {} 种拆分都符合勾稽关系，无法确定，已置为空", defs[row].printed(), text.join(" "), cands.len()),
                span,
            );
        }
    }

    /// 表四: fifteen values after the header.
    pub fn review_litigation(&mut self, range: std::ops::Range<usize>) -> Table {
        const W: usize = 15;
        let mut table = Table { span: self.first_span(&range), ..Table::default() };
        let lrows = logical_rows(self.blocks, range, &|_, _| Names::Nothing, &|t| self.height(t));
        table.headers = lrows.iter().flat_map(|r| r.labels.iter()).map(|t| compact(&t.text)).collect();
        let positional = lrows.iter().find(|r| r.positional && r.values.len() >= W && r.values.iter().any(|t| t.kind != Kind::Blank));
        let cells: Vec<Cell> = if let Some(r) = positional {
            r.values[r.values.len() - W..].iter().map(|t| self.cell(t, ReadHow::Printed)).collect()
        } else {
            let values: Vec<Tok> = lrows.iter().flat_map(|r| r.values.iter()).filter(|t| t.kind != Kind::Blank).cloned().collect();
            let n = values.len();
            if n == 0 {
                vec![Cell::blank(); W]
            } else if n == W {
                values.iter().map(|t| self.cell(t, ReadHow::Printed)).collect()
            } else if n > W {
                // More pieces than cells: join split cells only when one way fits every group's 总计.
                let texts: Vec<&str> = values.iter().map(|t| t.text.as_str()).collect();
                let group_ok = |v: &[u64]| v.chunks(5).all(|g| g[..4].iter().sum::<u64>() == g[4]);
                match recover::merges(&texts, W, &group_ok) {
                    Some(c) if c.len() == 1 => self.recovered(&c[0], &values),
                    _ => {
                        self.warn(format!("表四有 {n} 个数（{}），应为 15 个，无法按各组总计唯一拼合，已置为空", texts.join(" ")), Some(self.span(&values[0])));
                        vec![Cell::unreadable(); W]
                    }
                }
            } else {
                let texts: Vec<&str> = values.iter().map(|t| t.text.as_str()).collect();
                let digits = texts.iter().all(|t| t.bytes().all(|b| b.is_ascii_digit())) && texts.iter().map(|t| t.len()).sum::<usize>() >= W;
                let recovered = if digits { recover::review_row(&texts) } else { None };
                let nums: Vec<f64> = values.iter().filter_map(|t| if let Kind::Number(v) = t.kind { Some(v) } else { None }).collect();
                match recovered {
                    Some(c) if c.len() == 1 => self.recovered(&c[0], &values),
                    Some(c) if c.len() > 1 => {
                        self.warn(format!("表四数字粘连（{}），有 {} 种拆分都符合总计关系，无法确定，已置为空", texts.join(" "), c.len()), Some(self.span(&values[0])));
                        vec![Cell::unreadable(); W]
                    }
                    _ if n == W - 1 && lost_one(&nums, n).is_some() => {
                        let row = lost_one(&nums, n).unwrap_or_default();
                        self.warn(
                            format!("表四只有 14 个数（{}），少一个；按各组总计关系补出的结果唯一，已补全", texts.join(" ")),
                            Some(self.span(&values[0])),
                        );
                        self.recovered(&row, &values)
                    }
                    _ if (2..=5).contains(&n) && nums.len() == n && (nums[..n - 1].iter().sum::<f64>() - nums[n - 1]).abs() < 1e-9 => {
                        // Blanks dropped: the numbers are the first group's leading columns and its 总计.
                        let mut cells = vec![Cell::blank(); W];
                        for (i, t) in values[..n - 1].iter().enumerate() {
                            cells[i] = self.cell(t, ReadHow::Position);
                        }
                        cells[4] = self.cell(&values[n - 1], ReadHow::Position);
                        cells
                    }
                    _ => {
                        self.warn(format!("表四只有 {n} 个数（{}），无法确定所在列，已置为空", texts.join(" ")), Some(self.span(&values[0])));
                        vec![Cell::unreadable(); W]
                    }
                }
            }
        };
        for (g, def) in layout::REVIEW_LITIGATION.iter().enumerate() {
            let group: Vec<Cell> = cells[g * 5..g * 5 + 5].to_vec();
            table.rows.push(Row { key: def.key.to_string(), cells: group, label: None, label_span: None });
        }
        table
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_document_counts_the_prose_states() {
        let prose = "2023年制发行政规范性文件12件，废止规范性文件3件，现行有效规范性文件105件。";
        assert_eq!(prose_counts(prose, "行政规范性文件"), vec![(0, 12), (1, 3), (2, 105)]);
        assert!(prose_counts("规章制度健全", "规章").is_empty());
    }

    #[test]
    fn parses_printed_numbers() {
        assert_eq!(parse_number("29,712"), Some(29712.0));
        assert_eq!(parse_number("+12"), Some(12.0));
        assert_eq!(parse_number("-3"), Some(-3.0));
        assert_eq!(parse_number("43923.57万元"), Some(43923.57));
        assert_eq!(parse_number("251000元"), Some(251000.0));
        assert_eq!(parse_number("1.属于国家秘密"), None);
        assert_eq!(parse_number("12,34"), None);
        assert_eq!(classify("/"), Kind::Slash);
    }

    fn row(cells: &[&str], positional: bool) -> Block {
        let line = |t: &str| nianbao_model::TextLine { text: t.to_string(), offsets: (0..=t.len() as u32).collect(), is_table_row: true };
        Block::from_cells(cells.iter().map(|t| line(t)).collect(), positional)
    }

    #[test]
    fn a_label_centred_around_its_numbers_is_not_given_to_the_next_row() {
        // A scan's 表三: row 一's label is printed in three lines around its numbers, and OCR read
        // its middle line apart from them; row 二's numbers follow with no label of their own.
        let blocks = vec![
            row(&["", "2", "", "", "", "", "", "2"], true),
            row(&["一、本年新收", "政府信息公开"], false),
            row(&["", "0", "0", "", "", "", "", "0"], true),
            row(&["二、上年结转政府信息公开申请数量"], false),
        ];
        let names = |t: &str, hz: bool| match labels::applications_row(t, Layout::L2021, hz) {
            Resolved::Row(_) => Names::Row,
            _ => Names::Nothing,
        };
        let labels_of = |rows: &[LogicalRow]| rows.iter().map(|r| (joined_labels(&r.labels), r.values.len())).collect::<Vec<_>>();
        // Where the cells are on the page, the label is nearer the first row's numbers.
        let ys = [100.0, 110.0, 200.0, 240.0];
        let rows = logical_rows(&blocks, 0..4, &names, &|t| Some((1, ys[t.block])));
        assert_eq!(labels_of(&rows), vec![("一、本年新收政府信息公开".to_string(), 8), (String::new(), 8), ("二、上年结转政府信息公开申请数量".to_string(), 0)]);
        // Without boxes (text read line by line), the lines above a row are its label.
        let rows = logical_rows(&blocks, 0..4, &names, &|_| None);
        assert_eq!(labels_of(&rows), vec![(String::new(), 8), ("一、本年新收政府信息公开".to_string(), 8), ("二、上年结转政府信息公开申请数量".to_string(), 0)]);
    }

    #[test]
    fn tells_a_misread_number_from_a_short_label() {
        for misread in [".6", "0.", "二3", "441.", "a", "型", "eS 0", "Sit"] {
            assert!(looks_misread_number(misread), "{misread}");
        }
        for label in ["总计", "其他", "3.其他", "(二)", "Piece a", "自然人", ""] {
            assert!(!looks_misread_number(label), "{label}");
        }
        // What may be guessed of a misread cell: its one run of digits, for the arithmetic to check.
        assert_eq!(digits_in_garbled("区0"), Some(0.0));
        assert_eq!(digits_in_garbled("0=©"), Some(0.0));
        assert_eq!(digits_in_garbled("eS 12"), Some(12.0));
        for nothing in ["二3.", ".6", "441.", "1a2", "型", ""] {
            assert_eq!(digits_in_garbled(nothing), None, "{nothing}");
        }
    }
}
