//! Where a finding is, in the words of the agency that wrote the report: the table, the row
//! and the column as printed in the official layout (`表三“（三）不予公开 3.危及‘三安全一稳定’”行
//! “自然人”列`), or the part and paragraph of the prose (`正文第一部分第（二）段“依申请公开工作
//! 情况”`). Never the reader's internals (line numbers, byte offsets, row keys, JSON): a letter
//! quoting them could not be followed by the person who has to correct the report.

use nianbao_model::layout::{self, RowDef};
use nianbao_model::{Layout, ParsedReport, Source, TableId};

/// One table cell a finding is about (the `cells` of findings-json with the column as an index).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CellId {
    pub table: TableId,
    /// The row key of report-json.
    pub row: String,
    /// The column index in the layout's order.
    pub column: usize,
}

/// The cells of a finding from its findings-json `cells` array (as stored: a JSON string).
/// Entries naming an unknown table, row or field are skipped; malformed JSON gives none.
pub fn cells_from_json(cells: &str, layout: Layout) -> Vec<CellId> {
    match serde_json::from_str::<serde_json::Value>(cells) {
        Ok(v) => cells_from_value(&v, layout),
        Err(_) => Vec::new(),
    }
}

/// [`cells_from_json`] on a parsed value.
pub fn cells_from_value(cells: &serde_json::Value, layout: Layout) -> Vec<CellId> {
    let mut out = Vec::new();
    for c in cells.as_array().into_iter().flatten() {
        let Some(table) = c["table"].as_str().and_then(TableId::from_key) else { continue };
        let Some(row) = c["row"].as_str() else { continue };
        let Some(def) = layout::row_def(table, layout, row) else { continue };
        let column = match &c["column"] {
            serde_json::Value::Number(n) => n.as_u64().map(|n| n as usize).filter(|&n| n < def.fields.len()),
            serde_json::Value::String(field) => def.fields.iter().position(|f| f.key == field),
            _ => None,
        };
        if let Some(column) = column {
            let id = CellId { table, row: row.to_string(), column };
            if !out.contains(&id) {
                out.push(id);
            }
        }
    }
    out
}

/// A quotation inside “…” takes the inner quotes ‘…’, as Chinese typesetting does.
fn inner_quotes(s: &str) -> String {
    s.replace('“', "‘").replace('”', "’")
}

/// A row label without the counting note some labels carry: "部分公开（区分处理的，…）" → "部分公开".
fn short_label(label: &str) -> &str {
    match label.find('（') {
        Some(i) if i > 0 && label.ends_with('）') => &label[..i],
        _ => label,
    }
}

/// The row as the agency sees it printed: "（三）不予公开 3.危及‘三安全一稳定’" for an item of a
/// group (its numbering alone is not unique), "（一）予以公开" or "行政许可" otherwise.
fn row_words(table: TableId, def: &RowDef) -> String {
    let own = format!("{}{}", def.number, short_label(def.label));
    match (table, def.group) {
        (TableId::Applications, Some(g)) if def.number.ends_with('.') => inner_quotes(&format!("{g} {own}")),
        (TableId::ReviewLitigation, Some(g)) => format!("{}”“{}", inner_quotes(g), inner_quotes(&own)),
        _ => inner_quotes(&own),
    }
}

fn column_words(def: &RowDef, columns: &[usize]) -> String {
    columns.iter().filter_map(|&c| def.fields.get(c)).map(|f| format!("“{}”", inner_quotes(f.label))).collect::<Vec<_>>().concat()
}

/// One row's cells: `表三“（一）予以公开”行“总计”“自然人”列`; the whole row: `…行（整行）`.
fn row_place(table: TableId, layout: Layout, row: &str, columns: &[usize]) -> String {
    let Some(def) = layout::row_def(table, layout, row) else {
        return format!("{}（{}）", table.short_name(), table.title());
    };
    let whole = def.fields.len() > 1 && (0..def.fields.len()).all(|c| columns.contains(&c));
    let row_text = row_words(table, def);
    match table {
        // 表四 prints its groups as column headings over five columns each, in one line of figures.
        TableId::ReviewLitigation if whole => format!("{}“{}”项下各列", table.short_name(), row_text),
        TableId::ReviewLitigation => format!("{}“{}”项下{}列", table.short_name(), row_text, column_words(def, columns)),
        _ if whole => format!("{}“{}”行（整行）", table.short_name(), row_text),
        _ => format!("{}“{}”行{}列", table.short_name(), row_text, column_words(def, columns)),
    }
}

/// How many rows of one table are named one by one before the rest are summed up as "等 N 处".
const MAX_ROWS: usize = 4;

/// The cells in agency terms, table by table, joined by "；".
pub fn cells_in_agency_terms(cells: &[CellId], layout: Layout) -> String {
    let mut parts = Vec::new();
    for table in TableId::ALL {
        // Rows in the order the finding names them (its first cell is the one it is about).
        let mut rows: Vec<(&str, Vec<usize>)> = Vec::new();
        for c in cells.iter().filter(|c| c.table == table) {
            match rows.iter_mut().find(|(r, _)| *r == c.row) {
                Some((_, cols)) => cols.push(c.column),
                None => rows.push((&c.row, vec![c.column])),
            }
        }
        if rows.is_empty() {
            continue;
        }
        if rows.len() <= MAX_ROWS {
            parts.extend(rows.iter().map(|(r, cols)| row_place(table, layout, r, cols)));
        } else {
            let (r, cols) = &rows[0];
            let n = cells.iter().filter(|c| c.table == table).count();
            parts.push(format!("{}等 {n} 处", row_place(table, layout, r, cols)));
        }
    }
    parts.join("；")
}

/// A place in the prose or around it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProsePlace {
    /// The report's title.
    Title,
    /// The publication date (the page's or the signature's).
    Published,
    /// The signature under the report.
    Signature,
    /// The heading of a part (一、…六、).
    Heading { section: u8 },
    /// A paragraph. `section` None: before the first part (the opening). `sub`: the numbered
    /// passage the paragraph belongs to, as printed (`（二）`, its title); `paragraph`: 1-based,
    /// counted within `sub` when there is one (0: the passage's own first line), else within the part.
    Paragraph { section: Option<u8>, sub: Option<(String, String)>, paragraph: usize, of: usize },
}

const CHINESE_NUMERALS: [&str; 11] = ["〇", "一", "二", "三", "四", "五", "六", "七", "八", "九", "十"];

fn chinese_number(n: usize) -> String {
    match n {
        0..=10 => CHINESE_NUMERALS[n].to_string(),
        11..=19 => format!("十{}", CHINESE_NUMERALS[n - 10]),
        20..=99 if n.is_multiple_of(10) => format!("{}十", CHINESE_NUMERALS[n / 10]),
        20..=99 => format!("{}十{}", CHINESE_NUMERALS[n / 10], CHINESE_NUMERALS[n % 10]),
        _ => n.to_string(),
    }
}

impl std::fmt::Display for ProsePlace {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ProsePlace::Title => f.write_str("标题"),
            ProsePlace::Published => f.write_str("发布日期"),
            ProsePlace::Signature => f.write_str("落款"),
            ProsePlace::Heading { section } => write!(f, "正文第{}部分标题", chinese_number(*section as usize)),
            ProsePlace::Paragraph { section, sub, paragraph, of } => {
                match section {
                    Some(s) => write!(f, "正文第{}部分", chinese_number(*s as usize))?,
                    None => f.write_str("正文开头")?,
                }
                match sub {
                    Some((number, title)) => {
                        write!(f, "第{number}段")?;
                        if !title.is_empty() {
                            write!(f, "“{}”", inner_quotes(title))?;
                        }
                        if *of > 1 && *paragraph > 0 {
                            write!(f, "第{paragraph}自然段")?;
                        }
                        Ok(())
                    }
                    None => write!(f, "第{paragraph}段"),
                }
            }
        }
    }
}

/// The numbering a passage starts with, as printed with full-width brackets (`（二）`), and its
/// title (the words up to the first full stop, at most 24 characters).
fn sub_heading(text: &str) -> Option<(String, String)> {
    let t = text.trim_start();
    let rest = t.strip_prefix(['(', '（'])?;
    let end = rest.find([')', '）'])?;
    let numeral = &rest[..end];
    if numeral.is_empty() || numeral.chars().count() > 3 || !numeral.chars().all(|c| "一二三四五六七八九十".contains(c)) {
        return None;
    }
    let after = rest[end..].chars().skip(1).collect::<String>();
    let title: String = after.split(['。', '：', ':', '；']).next().unwrap_or("").trim().trim_end_matches(['，', ',', '.']).chars().take(24).collect();
    Some((format!("（{numeral}）"), title))
}

/// A numbered passage (its numbering and title; `None` for the lines before the first) and its lines.
type Passage = (Option<(String, String)>, Vec<usize>);

/// One prose line of a report: its decoded range and where it is.
#[derive(Debug, Clone, PartialEq)]
struct Line {
    start: usize,
    end: usize,
    place: ProsePlace,
}

/// The prose places of one report, built once from what the reader found, then asked for each
/// finding's source offset.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ProseIndex {
    lines: Vec<Line>,
    /// Decoded ranges of the title, the publication date and the signature.
    marks: Vec<(usize, usize, ProsePlace)>,
    /// The map from file offsets back to decoded ones (non-UTF-8 sources).
    file_offsets: Option<Vec<u32>>,
}

impl ProseIndex {
    /// The index of `parsed`, one report read from `source`.
    pub fn new(source: &Source, parsed: &ParsedReport) -> ProseIndex {
        let decoded = |s: &nianbao_model::Span| (source.decoded_offset(s.start), source.decoded_offset(s.end));
        let mut marks = Vec::new();
        if let Some(span) = parsed.title.as_ref().and_then(|t| t.span) {
            let (s, e) = decoded(&span);
            marks.push((s, e, ProsePlace::Title));
        }
        if let Some(span) = parsed.published_span {
            let (s, e) = decoded(&span);
            marks.push((s, e, ProsePlace::Published));
        }
        if let Some(span) = parsed.signature.as_ref().and_then(|t| t.span) {
            let (s, e) = decoded(&span);
            marks.push((s, e, ProsePlace::Signature));
        }
        let range = |i: usize| {
            let l = &parsed.lines[i];
            (l.offsets.first().copied().unwrap_or(0) as usize, l.offsets.last().copied().unwrap_or(0) as usize)
        };
        let mut lines = Vec::new();
        // The opening: the prose between the title and the first part.
        let first_heading = parsed.sections.iter().map(|s| s.heading_line).min().unwrap_or(parsed.lines.len());
        let title_end = parsed.title.as_ref().and_then(|t| t.span).map(|s| source.decoded_offset(s.end)).unwrap_or(0);
        let opening: Vec<usize> = (0..first_heading.min(parsed.lines.len()))
            .filter(|&i| !parsed.lines[i].is_table_row && !parsed.lines[i].text.trim().is_empty() && range(i).0 >= title_end)
            .collect();
        let n = opening.len();
        for (k, &i) in opening.iter().enumerate() {
            let (start, end) = range(i);
            lines.push(Line { start, end, place: ProsePlace::Paragraph { section: None, sub: None, paragraph: k + 1, of: n } });
        }
        for s in &parsed.sections {
            if let Some(l) = parsed.lines.get(s.heading_line) {
                let (start, end) = (l.offsets.first().copied().unwrap_or(0) as usize, l.offsets.last().copied().unwrap_or(0) as usize);
                lines.push(Line { start, end, place: ProsePlace::Heading { section: s.number } });
            }
            let body: Vec<usize> = (s.body.0..s.body.1.min(parsed.lines.len())).filter(|&i| !parsed.lines[i].is_table_row && !parsed.lines[i].text.trim().is_empty()).collect();
            // Passages: a numbered line starts one; the lines before the first are counted in the part.
            let mut blocks: Vec<Passage> = vec![(None, Vec::new())];
            for &i in &body {
                match sub_heading(&parsed.lines[i].text) {
                    Some(h) => blocks.push((Some(h), vec![i])),
                    None => {
                        if let Some(b) = blocks.last_mut() {
                            b.1.push(i);
                        }
                    }
                }
            }
            for (sub, members) in blocks {
                match sub {
                    None => {
                        let n = members.len();
                        for (k, i) in members.into_iter().enumerate() {
                            let (start, end) = range(i);
                            lines.push(Line { start, end, place: ProsePlace::Paragraph { section: Some(s.number), sub: None, paragraph: k + 1, of: n } });
                        }
                    }
                    Some(h) => {
                        // A heading line with its text run on ("（一）主动公开情况。本年…") is a paragraph itself.
                        let heading_is_text = parsed.lines[members[0]].text.chars().count() > h.1.chars().count() + 8;
                        let first = usize::from(heading_is_text);
                        let of = members.len() - 1 + first;
                        for (k, i) in members.into_iter().enumerate() {
                            let (start, end) = range(i);
                            lines.push(Line { start, end, place: ProsePlace::Paragraph { section: Some(s.number), sub: Some(h.clone()), paragraph: k + first, of } });
                        }
                    }
                }
            }
        }
        lines.sort_by_key(|l| l.start);
        ProseIndex { lines, marks, file_offsets: source.file_offsets.clone() }
    }

    /// The index of the report about (`agency`, `year`) in the file at `path` (the first report
    /// when none matches); `None` when the file cannot be read again.
    pub fn from_file(path: &std::path::Path, agency: Option<&str>, year: Option<i32>) -> Option<ProseIndex> {
        let doc = nianbao_parse::parse_file(path).ok()?;
        let parsed = doc.reports.iter().find(|p| p.report.year == year && p.report.agency.as_deref() == agency).or_else(|| doc.reports.first())?;
        Some(ProseIndex::new(&doc.source, parsed))
    }

    fn decoded(&self, file_offset: usize) -> usize {
        match &self.file_offsets {
            Some(map) => map.partition_point(|&o| (o as usize) < file_offset),
            None => file_offset,
        }
    }

    /// Where the text at `file_offset` (a finding's `span.start`) is; `None` when it is in no prose
    /// line (a table, the page around the report).
    pub fn locate(&self, file_offset: usize) -> Option<ProsePlace> {
        let at = self.decoded(file_offset);
        if let Some((_, _, p)) = self.marks.iter().find(|(s, e, _)| *s <= at && at < (*e).max(s + 1)) {
            return Some(p.clone());
        }
        let i = self.lines.partition_point(|l| l.start <= at);
        let line = self.lines.get(i.checked_sub(1)?)?;
        (at <= line.end).then(|| line.place.clone())
    }
}

/// Where a finding of `rule` is, in the agency's terms: the prose place when known, then the
/// table cells. A finding with neither is placed by what its rule is about (the title, a part
/// of the prose, the publication date), else "全文".
pub fn place_in_agency_terms(rule: &str, cells: &[CellId], layout: Layout, prose: Option<&ProsePlace>) -> String {
    let mut parts = Vec::new();
    if let Some(p) = prose {
        parts.push(p.to_string());
    }
    let cells = cells_in_agency_terms(cells, layout);
    if !cells.is_empty() {
        parts.push(cells);
    }
    if parts.is_empty() {
        return rule_place(rule).to_string();
    }
    parts.join("；")
}

/// The place a rule's findings are about when they point at nothing more precise.
fn rule_place(rule: &str) -> &'static str {
    match rule {
        "S001" => "正文各部分标题",
        "S002" | "S003" => "正文第一部分",
        "S004" => "正文第五部分",
        "S005" | "N004" | "F001" | "F002" => "正文第六部分",
        "S006" => "标题",
        "S007" => "正文开头（统计期限）",
        "S008" => "标题和落款",
        "S009" | "T001" | "T002" | "T003" => "发布日期",
        "L001" | "L002" | "L003" | "L004" | "Y004" | "Y005" => "表二至表四",
        "L005" | "F003" => "表二“行政事业性收费”行",
        "L006" => "表三“（二）部分公开”行",
        r if r.starts_with('N') || r == "Y003" => "正文",
        _ => "全文",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_named_by_their_printed_labels() {
        let l = Layout::L2021;
        let c = |t: TableId, r: &str, col: usize| CellId { table: t, row: r.into(), column: col };
        assert_eq!(cells_in_agency_terms(&[c(TableId::Applications, "withheld_security_stability", 0)], l), "表三“（三）不予公开 3.危及‘三安全一稳定’”行“自然人”列");
        assert_eq!(cells_in_agency_terms(&[c(TableId::ActiveDisclosure, "licensing", 0)], l), "表二“行政许可”行“本年处理决定数量”列");
        assert_eq!(cells_in_agency_terms(&[c(TableId::Applications, "granted", 6), c(TableId::Applications, "granted", 0)], l), "表三“（一）予以公开”行“总计”“自然人”列");
        assert_eq!(cells_in_agency_terms(&[c(TableId::Applications, "partially_granted", 6)], l), "表三“（二）部分公开”行“总计”列");
        assert_eq!(cells_in_agency_terms(&[c(TableId::ReviewLitigation, "litigation_direct", 1)], l), "表四“行政诉讼”“未经复议直接起诉”项下“结果纠正”列");
        let whole: Vec<CellId> = (0..7).map(|i| c(TableId::Applications, "rejected_duplicate", i)).collect();
        assert_eq!(cells_in_agency_terms(&whole, l), "表三“（五）不予处理 2.重复申请”行（整行）");
        let many: Vec<CellId> = ["total_processed", "granted", "partially_granted", "unavailable_not_held", "other_other"].iter().map(|r| c(TableId::Applications, r, 6)).collect();
        assert_eq!(cells_in_agency_terms(&many, l), "表三“（七）总计”行“总计”列等 5 处");
    }

    #[test]
    fn every_cell_of_both_layouts_is_named_by_its_printed_labels_only() {
        for layout in [Layout::L2019, Layout::L2021] {
            for table in TableId::ALL {
                for def in layout::rows(table, layout) {
                    for (k, field) in def.fields.iter().enumerate() {
                        let place = cells_in_agency_terms(&[CellId { table, row: def.key.into(), column: k }], layout);
                        assert!(place.starts_with(table.short_name()), "{place}");
                        assert!(place.contains(short_label(def.label).replace('“', "‘").replace('”', "’").as_str()), "{place}");
                        assert!(place.contains(field.label), "{place}");
                        assert!(!place.contains(def.key) && !place.contains(field.key), "{place} names a key");
                    }
                }
            }
        }
    }

    #[test]
    fn cells_json_accepts_indexes_and_field_names_and_skips_the_unknown() {
        let json = r#"[{"table":"applications","row":"granted","column":6},{"table":"active_disclosure","row":"normative_documents","column":"in_force"},
            {"table":"applications","row":"no_such_row","column":1},{"table":"applications","row":"granted","column":99},{"table":"x"}]"#;
        let cells = cells_from_json(json, Layout::L2021);
        assert_eq!(cells, vec![CellId { table: TableId::Applications, row: "granted".into(), column: 6 }, CellId { table: TableId::ActiveDisclosure, row: "normative_documents".into(), column: 2 }]);
        assert!(cells_from_json("not json", Layout::L2021).is_empty());
    }

    #[test]
    fn prose_places_read_as_an_agency_would_count() {
        let p = ProsePlace::Paragraph { section: Some(1), sub: Some(("（二）".into(), "依申请公开工作情况".into())), paragraph: 1, of: 1 };
        assert_eq!(p.to_string(), "正文第一部分第（二）段“依申请公开工作情况”");
        let p = ProsePlace::Paragraph { section: Some(5), sub: None, paragraph: 3, of: 4 };
        assert_eq!(p.to_string(), "正文第五部分第3段");
        assert_eq!(sub_heading("(三)政府信息管理情况"), Some(("（三）".into(), "政府信息管理情况".into())));
        assert_eq!(sub_heading("（五）监督保障情况。强化体制"), Some(("（五）".into(), "监督保障情况".into())));
        assert_eq!(sub_heading("(2023年)"), None);
        assert_eq!(place_in_agency_terms("S004", &[], Layout::L2021, None), "正文第五部分");
    }
}
