//! The `--format table` view: the three tables laid out readably in Chinese.

use nianbao_model::layout::{self, TableId};
use nianbao_model::{Cell, Report};
use serde_json::{json, Map, Value};
use unicode_width::UnicodeWidthStr;

fn show(c: Option<&Cell>) -> String {
    match c.and_then(|c| c.value) {
        Some(v) if v.fract() == 0.0 => format!("{}", v as i64),
        Some(v) => format!("{v}"),
        None => match c {
            Some(c) if c.raw.is_some() => c.raw.clone().unwrap_or_default(),
            Some(_) => "（空）".into(),
            None => "（缺）".into(),
        },
    }
}

fn pad(s: &str, width: usize) -> String {
    let w = UnicodeWidthStr::width(s);
    format!("{s}{}", " ".repeat(width.saturating_sub(w)))
}

fn grid(out: &mut String, header: &[String], rows: &[Vec<String>]) {
    let cols = header.len();
    let mut widths = vec![0; cols];
    for r in std::iter::once(&header.to_vec()).chain(rows.iter()) {
        for (i, c) in r.iter().enumerate().take(cols) {
            widths[i] = widths[i].max(UnicodeWidthStr::width(c.as_str()));
        }
    }
    for r in std::iter::once(&header.to_vec()).chain(rows.iter()) {
        let line: Vec<String> = r.iter().enumerate().map(|(i, c)| pad(c, widths[i])).collect();
        out.push_str(line.join("  ").trim_end());
        out.push('\n');
    }
}

/// Renders a report's three tables.
pub fn render(r: &Report) -> String {
    let layout = r.effective_layout();
    let mut out = format!(
        "{} {} 年度报告（{} 版式）发布日期：{}\n",
        r.agency.as_deref().unwrap_or("（机关名称不详）"),
        r.year.map(|y| y.to_string()).unwrap_or_else(|| "（年份不详）".into()),
        layout.as_str(),
        r.published.as_deref().unwrap_or("不详")
    );
    out.push_str(&format!("\n二、{}\n", TableId::ActiveDisclosure.title()));
    for def in layout::active_disclosure_rows(layout) {
        let row = r.active_disclosure.row(def.key);
        let cells: Vec<String> = def.fields.iter().enumerate().map(|(i, f)| format!("{}：{}", f.label, show(row.and_then(|x| x.cells.get(i))))).collect();
        out.push_str(&format!("  {}  {}\n", pad(def.label, 22), cells.join("  ")));
    }
    out.push_str(&format!("\n三、{}\n", TableId::Applications.title()));
    let mut header = vec!["".to_string()];
    header.extend(layout::APPLICANT_COLUMNS.iter().map(|c| c.label.to_string()));
    let rows: Vec<Vec<String>> = layout::applications_rows(layout)
        .iter()
        .map(|def| {
            let label: String = format!("{}{}", def.number, def.label).chars().take(18).collect();
            let mut v = vec![label];
            let row = r.applications.row(def.key);
            v.extend((0..7).map(|i| if row.is_none() { "（缺）".into() } else { show(row.and_then(|x| x.cells.get(i))) }));
            v
        })
        .collect();
    grid(&mut out, &header, &rows);
    out.push_str(&format!("\n四、{}\n", TableId::ReviewLitigation.title()));
    let mut header = vec!["".to_string()];
    header.extend(layout::REVIEW_FIELDS.iter().map(|f| f.label.to_string()));
    let rows: Vec<Vec<String>> = layout::REVIEW_LITIGATION
        .iter()
        .map(|def| {
            let name = match def.group {
                Some(g) => format!("{g}·{}", def.label),
                None => def.label.to_string(),
            };
            let row = r.review_litigation.row(def.key);
            let mut v = vec![name];
            v.extend((0..5).map(|i| show(row.and_then(|x| x.cells.get(i)))));
            v
        })
        .collect();
    grid(&mut out, &header, &rows);
    out
}

/// Where each value was read, keyed like `applications.granted.6`.
pub fn provenance(file: &str, r: &Report) -> Value {
    let layout = r.effective_layout();
    let mut cells = Map::new();
    for id in TableId::ALL {
        for row in &r.table(id).rows {
            let fields = layout::row_def(id, layout, &row.key).map(|d| d.fields).unwrap_or(&[]);
            for (i, c) in row.cells.iter().enumerate() {
                let col = if id == TableId::Applications { i.to_string() } else { fields.get(i).map(|f| f.key.to_string()).unwrap_or_else(|| i.to_string()) };
                let mut v = json!({ "how": c.how, "mark": c.mark });
                if let Some(s) = &c.span {
                    v["span"] = json!(s);
                }
                if let Some(raw) = &c.raw {
                    v["raw"] = json!(raw);
                }
                cells.insert(format!("{}.{}.{}", id.key(), row.key, col), v);
            }
        }
    }
    json!({ "file": file, "cells": cells })
}
