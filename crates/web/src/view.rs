//! What the report page draws: the three tables in the official layout with the cells that
//! findings touch, and the source text with the places findings point at. Plain data for the
//! templates (which escape every string).

use nianbao_model::{layout, CellMark, Layout, Report, TableId};
use nianbao_store::web::FindingRow;
use std::collections::{BTreeMap, HashMap};

/// One drawn cell.
#[derive(Debug, Clone, Default)]
pub struct CellView {
    /// Anchor id: `c-<table>-<row>-<col>`.
    pub id: String,
    pub text: String,
    /// CSS classes: `hl` (a finding), `err`/`warn`, `blank`, `unread`.
    pub class: String,
    /// Tooltip: where it was read and the findings about it.
    pub title: String,
    /// Source line, for the jump to the source text.
    pub line: Option<u32>,
}

/// One row of a drawn table: header cells (label, group) and value cells.
#[derive(Debug, Clone, Default)]
pub struct RowView {
    pub group: String,
    /// Rows the group cell spans (0: covered by the group cell of an earlier row).
    pub group_span: usize,
    pub label: String,
    pub cells: Vec<CellView>,
}

/// A block of 表二 (rows sharing the same columns) or a whole 表三/表四.
#[derive(Debug, Clone, Default)]
pub struct BlockView {
    pub caption: String,
    pub headers: Vec<String>,
    pub rows: Vec<RowView>,
}

#[derive(Debug, Clone, Default)]
pub struct TableView {
    pub key: String,
    pub title: String,
    pub blocks: Vec<BlockView>,
    pub empty: bool,
}

pub fn cell_id(table: TableId, row: &str, col: usize) -> String {
    format!("c-{}-{}-{}", table.key(), row, col)
}

/// The cells a finding is about, as (table, row, column index) in the report's layout.
pub fn finding_cells(f: &FindingRow, layout: Layout) -> Vec<(TableId, String, usize)> {
    let v: serde_json::Value = serde_json::from_str(&f.cells).unwrap_or(serde_json::Value::Null);
    let mut out = Vec::new();
    for c in v.as_array().into_iter().flatten() {
        let Some(table) = c["table"].as_str().and_then(TableId::from_key) else { continue };
        let Some(row) = c["row"].as_str() else { continue };
        let col = match &c["column"] {
            serde_json::Value::Number(n) => n.as_u64().map(|n| n as usize),
            serde_json::Value::String(field) => layout::row_def(table, layout, row).and_then(|d| d.fields.iter().position(|x| x.key == field)),
            _ => None,
        };
        if let Some(col) = col {
            out.push((table, row.to_string(), col));
        }
    }
    out
}

fn format_value(v: f64) -> String {
    nianbao_model::json::number_value(Some(v)).to_string()
}

/// Draws the three tables. `marks`: cell id → (worst severity, messages).
pub fn tables(report: &Report, findings: &[FindingRow]) -> Vec<TableView> {
    let layout = report.effective_layout();
    let mut marks: HashMap<String, (String, Vec<String>)> = HashMap::new();
    for f in findings {
        for (t, r, c) in finding_cells(f, layout) {
            let e = marks.entry(cell_id(t, &r, c)).or_insert_with(|| (f.severity.clone(), Vec::new()));
            if f.severity == "error" {
                e.0 = "error".into();
            }
            e.1.push(format!("{} {}", f.rule, f.message));
        }
    }
    let cell = |table: TableId, row: &str, col: usize| -> CellView {
        let id = cell_id(table, row, col);
        let c = report.table(table).cell(row, col);
        let mut class = Vec::new();
        let mut title = Vec::new();
        let text = match c {
            None => {
                class.push("missing");
                String::new()
            }
            Some(c) => match c.mark {
                CellMark::Blank => {
                    class.push("blank");
                    String::new()
                }
                CellMark::Slash | CellMark::Unreadable => {
                    if c.mark == CellMark::Unreadable {
                        class.push("unread");
                    }
                    c.raw.clone().unwrap_or_default()
                }
                _ => c.value.map(format_value).or_else(|| c.raw.clone()).unwrap_or_default(),
            },
        };
        let line = c.and_then(|c| c.span).map(|s| s.line);
        if let Some(l) = line {
            title.push(format!("原文第 {l} 行"));
        }
        if let Some((sev, msgs)) = marks.get(&id) {
            class.push("hl");
            class.push(if sev == "error" { "err" } else { "warn" });
            title.extend(msgs.iter().cloned());
        }
        CellView { id, text, class: class.join(" "), title: title.join("\n"), line }
    };

    let mut out = Vec::new();
    // 表二: blocks of rows with the same columns, each under its 第二十条 item.
    {
        let id = TableId::ActiveDisclosure;
        let mut blocks: Vec<BlockView> = Vec::new();
        let mut last: Option<(&str, &[nianbao_model::FieldDef])> = None;
        for def in layout::rows(id, layout) {
            let item = def.article_item.unwrap_or("");
            if last != Some((item, def.fields)) {
                let mut headers = vec!["信息内容".to_string()];
                headers.extend(def.fields.iter().map(|f| f.label.to_string()));
                blocks.push(BlockView { caption: item.to_string(), headers, rows: Vec::new() });
                last = Some((item, def.fields));
            }
            let cells = (0..def.fields.len()).map(|c| cell(id, def.key, c)).collect();
            if let Some(b) = blocks.last_mut() {
                b.rows.push(RowView { group: String::new(), group_span: 0, label: def.printed(), cells });
            }
        }
        out.push(TableView { key: id.key().into(), title: format!("{}　{}", id.short_name(), id.title()), blocks, empty: report.table(id).is_empty() });
    }
    // 表三: one block; the group (三、本年度办理结果 …) spans its rows.
    {
        let id = TableId::Applications;
        let defs = layout::rows(id, layout);
        let mut rows: Vec<RowView> = Vec::new();
        let mut i = 0;
        while i < defs.len() {
            let def = &defs[i];
            let group = def.group.unwrap_or("");
            let mut span = 1;
            while i + span < defs.len() && !group.is_empty() && defs[i + span].group == def.group {
                span += 1;
            }
            for (k, d) in defs[i..i + span].iter().enumerate() {
                let cells = (0..d.fields.len()).map(|c| cell(id, d.key, c)).collect();
                rows.push(RowView { group: group.to_string(), group_span: if k == 0 { span } else { 0 }, label: d.printed(), cells });
            }
            i += span;
        }
        let mut headers = vec!["".to_string()];
        headers.extend(layout::APPLICANT_COLUMNS.iter().map(|f| f.label.to_string()));
        out.push(TableView {
            key: id.key().into(),
            title: format!("{}　{}", id.short_name(), id.title()),
            blocks: vec![BlockView { caption: "申请人情况".into(), headers, rows }],
            empty: report.table(id).is_empty(),
        });
    }
    // 表四: 行政复议 and the two kinds of 行政诉讼, each with five columns, in one row.
    {
        let id = TableId::ReviewLitigation;
        let mut cells = Vec::new();
        let mut headers = Vec::new();
        for def in layout::rows(id, layout) {
            for (c, f) in def.fields.iter().enumerate() {
                headers.push(format!("{}·{}", def.group.map(|g| format!("{g}·{}", def.label)).unwrap_or_else(|| def.label.to_string()), f.label));
                cells.push(cell(id, def.key, c));
            }
        }
        out.push(TableView {
            key: id.key().into(),
            title: format!("{}　{}", id.short_name(), id.title()),
            blocks: vec![BlockView { caption: String::new(), headers, rows: vec![RowView { cells, ..RowView::default() }] }],
            empty: report.table(id).is_empty(),
        });
    }
    out
}

/// A piece of a source line: text, and whether (and by which findings) it is marked.
#[derive(Debug, Clone)]
pub struct Segment {
    pub text: String,
    pub marked: bool,
}

#[derive(Debug, Clone)]
pub struct SourceLine {
    pub number: usize,
    pub segments: Vec<Segment>,
    /// The line holds a place a finding points at.
    pub hit: bool,
}

/// The lines of the report within its source file, with the byte ranges of findings and of
/// flagged cells marked. `ranges`: (line, decoded start, decoded end) per mark.
pub fn source_lines(source: &nianbao_model::Source, first: usize, last: usize, ranges: &[(usize, usize, usize)]) -> Vec<SourceLine> {
    let mut by_line: BTreeMap<usize, Vec<(usize, usize)>> = BTreeMap::new();
    for &(line, s, e) in ranges {
        by_line.entry(line).or_default().push((s, e));
    }
    let mut out = Vec::new();
    for n in first..=last {
        let text = source.line_text(n);
        let start = source.line_start(n);
        let mut segments = Vec::new();
        let hit = by_line.contains_key(&n);
        let mut marks: Vec<(usize, usize)> = by_line
            .get(&n)
            .map(|v| v.iter().map(|&(s, e)| (s.saturating_sub(start).min(text.len()), e.saturating_sub(start).min(text.len()))).filter(|(s, e)| e > s).collect())
            .unwrap_or_default();
        marks.sort();
        let mut pos = 0;
        for (s, e) in marks {
            let s = s.max(pos);
            if e <= s || !text.is_char_boundary(s) || !text.is_char_boundary(e) {
                continue;
            }
            if s > pos {
                segments.push(Segment { text: text[pos..s].to_string(), marked: false });
            }
            segments.push(Segment { text: text[s..e].to_string(), marked: true });
            pos = e;
        }
        if pos < text.len() {
            segments.push(Segment { text: text[pos..].to_string(), marked: false });
        }
        out.push(SourceLine { number: n, segments, hit });
    }
    out
}

/// The first and last source line of a parsed report.
pub fn report_line_range(source: &nianbao_model::Source, parsed: &nianbao_model::ParsedReport) -> (usize, usize) {
    let first = parsed.lines.iter().filter_map(|l| l.offsets.first()).min().map(|&o| source.line_of(o as usize)).unwrap_or(1);
    let last = parsed.lines.iter().filter_map(|l| l.offsets.last()).max().map(|&o| source.line_of((o as usize).saturating_sub(1))).unwrap_or(first);
    (first.max(1), last.max(first))
}
