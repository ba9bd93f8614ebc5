//! Checks annual reports like a compiler checks code: every rule of the catalog
//! (`shared/spec/rules.md`) is one file under [`rules`], with its code, its reason and its
//! legal source, and every finding points at the place in the source it is about.

pub mod agency;
pub mod catalog;
pub mod explain;
pub mod prose;
pub mod render;
pub mod rules;
pub mod similarity;

use nianbao_model::{layout, Layout, ParsedReport, Report, Span, TableId};
use nianbao_parse::ParsedDocument;
use serde::Serialize;
use serde_json::{json, Value};

pub use catalog::{RuleMeta, CATALOG};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

impl Severity {
    pub fn zh(self) -> &'static str {
        match self {
            Severity::Error => "错误",
            Severity::Warning => "警告",
            Severity::Info => "提示",
        }
    }
    pub fn key(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Layout,
    Structure,
    Arithmetic,
    Narrative,
    Timing,
    CrossYear,
    Fee,
}

/// A table cell a finding is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellRef {
    pub table: TableId,
    pub row: String,
    /// Column index (表三) or field name (表二, 表四).
    pub column: Column,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Column {
    Index(usize),
    Field(&'static str),
}

impl CellRef {
    /// A cell by row key and column index; the field name is looked up for 表二/表四.
    pub fn at(report: &Report, table: TableId, row: &str, column: usize) -> CellRef {
        let column = match table {
            TableId::Applications => Column::Index(column),
            _ => layout::row_def(table, report.effective_layout(), row)
                .and_then(|d| d.fields.get(column))
                .map(|f| Column::Field(f.key))
                .unwrap_or(Column::Index(column)),
        };
        CellRef { table, row: row.to_string(), column }
    }
    /// How the cell was read, when the report has it.
    pub fn how(&self, report: &Report) -> Option<nianbao_model::ReadHow> {
        let row = report.table(self.table).row(&self.row)?;
        let index = match &self.column {
            Column::Index(i) => *i,
            Column::Field(f) => layout::row_def(self.table, report.effective_layout(), &self.row)?.fields.iter().position(|d| d.key == *f)?,
        };
        row.cells.get(index).map(|c| c.how)
    }

    fn to_json(&self) -> Value {
        let column = match &self.column {
            Column::Index(i) => json!(i),
            Column::Field(f) => json!(f),
        };
        json!({ "table": self.table.key(), "row": self.row, "column": column })
    }
}

/// One finding.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub rule: &'static str,
    pub severity: Severity,
    pub kind: Kind,
    /// Index into the checked reports.
    pub report: usize,
    pub message: String,
    pub expected: Option<Value>,
    pub found: Option<Value>,
    pub cells: Vec<CellRef>,
    pub span: Option<Span>,
    /// A short note shown under the marked place ("应为 10").
    pub label: Option<String>,
}

impl Finding {
    pub fn new(meta: &RuleMeta, report: usize, message: impl Into<String>) -> Finding {
        Finding {
            rule: meta.code,
            severity: meta.severity,
            kind: meta.kind,
            report,
            message: message.into(),
            expected: None,
            found: None,
            cells: Vec::new(),
            span: None,
            label: None,
        }
    }
    pub fn severity(mut self, s: Severity) -> Finding {
        self.severity = s;
        self
    }
    pub fn values(mut self, expected: impl Serialize, found: impl Serialize) -> Finding {
        self.expected = serde_json::to_value(expected).ok();
        self.found = serde_json::to_value(found).ok();
        self
    }
    pub fn cells(mut self, cells: Vec<CellRef>) -> Finding {
        self.cells = cells;
        self
    }
    pub fn span(mut self, span: Option<Span>) -> Finding {
        self.span = span;
        self
    }
    pub fn label(mut self, label: impl Into<String>) -> Finding {
        self.label = Some(label.into());
        self
    }

    pub fn to_json(&self, file: Option<&str>) -> Value {
        let mut v = json!({
            "rule": self.rule,
            "severity": self.severity.key(),
            "kind": self.kind,
            "report": self.report,
            "message": self.message,
            "cells": self.cells.iter().map(CellRef::to_json).collect::<Vec<_>>(),
        });
        if let Some(e) = &self.expected {
            v["expected"] = e.clone();
        }
        if let Some(f) = &self.found {
            v["found"] = f.clone();
        }
        if let (Some(s), Some(file)) = (&self.span, file) {
            v["span"] = json!({ "file": file, "line": s.line, "column": s.column, "start": s.start, "end": s.end });
            // On a fill-in form the sheet and cell say where, as the agency sees it.
            if let Some(cell) = s.cell {
                v["span"]["cell"] = json!(cell.to_string());
            }
        }
        v
    }
}

/// One report being checked, with its neighbours of the same agency.
pub struct Ctx<'a> {
    pub index: usize,
    pub doc: &'a ParsedDocument,
    pub parsed: &'a ParsedReport,
    pub report: &'a Report,
    /// The same agency's report on the year before, if checked together.
    pub previous: Option<(usize, &'a ParsedReport)>,
    /// Every other report of the same agency checked together, with its index.
    pub history: Vec<(usize, &'a ParsedReport)>,
    /// The clauses of the prose, split once for all the rules that read numbers in it.
    pub clauses: Vec<prose::Clause<'a>>,
}

impl<'a> Ctx<'a> {
    pub fn layout(&self) -> Layout {
        self.report.effective_layout()
    }
    /// The span of a table cell, if it was read from the source.
    pub fn cell_span(&self, table: TableId, row: &str, column: usize) -> Option<Span> {
        self.report.table(table).cell(row, column).and_then(|c| c.span)
    }
    pub fn cell(&self, table: TableId, row: &str, column: usize) -> CellRef {
        CellRef::at(self.report, table, row, column)
    }
    pub fn file(&self) -> &str {
        &self.doc.source.file
    }
}

/// Appended to the message of a finding that rests on a recovered cell; the 整改通知 leaves such a
/// finding out unless a reviewer confirmed it.
pub const READ_DOUBT_NOTE: &str = "（所涉单元格并非按原样读出，而是由勾稽关系或位置推算，可能是读取误差，请核对原文）";

/// Appended instead when a cell of the finding was read from an image (OCR); the 整改通知 leaves
/// such a finding out unless a reviewer confirmed it.
pub const OCR_DOUBT_NOTE: &str = "（所涉单元格是从图片中识别（OCR）的，可能是识别误差，请核对原图）";

/// Whether any of `cells` was not read as printed (recovered from the arithmetic, placed by
/// position, or read from an image by OCR).
pub fn rests_on_recovered_cells(report: &Report, cells: &[CellRef]) -> bool {
    use nianbao_model::ReadHow;
    cells.iter().any(|c| matches!(c.how(report), Some(ReadHow::Arithmetic | ReadHow::Position | ReadHow::Prose | ReadHow::Ocr)))
}

/// Whether the report's tables were read from an image (a scan or a picture of the table).
fn read_by_ocr(report: &Report) -> bool {
    [&report.active_disclosure, &report.applications, &report.review_litigation]
        .iter()
        .flat_map(|t| &t.rows)
        .flat_map(|r| &r.cells)
        .any(|c| c.how == nianbao_model::ReadHow::Ocr)
}

/// The same for the cells of a stored finding (its JSON array of `{table, row, column}`).
pub fn stored_cells_recovered(report: &Report, cells_json: &str) -> bool {
    let Ok(Value::Array(items)) = serde_json::from_str::<Value>(cells_json) else { return false };
    let cells: Vec<CellRef> = items
        .iter()
        .filter_map(|v| {
            let table = TableId::from_key(v.get("table")?.as_str()?)?;
            let row = v.get("row")?.as_str()?;
            let column = v.get("column")?;
            let index = match column.as_u64() {
                Some(i) => i as usize,
                None => layout::row_def(table, report.effective_layout(), row)?.fields.iter().position(|f| Some(f.key) == column.as_str())?,
            };
            Some(CellRef::at(report, table, row, index))
        })
        .collect();
    rests_on_recovered_cells(report, &cells)
}

/// What `check` returns: the reports in order, and the findings.
pub struct CheckResult<'a> {
    pub reports: Vec<(&'a ParsedDocument, usize)>,
    pub findings: Vec<Finding>,
    /// Reports recognised as the same agency across years: (agency key, indices).
    pub links: Vec<(String, Vec<usize>)>,
}

impl<'a> CheckResult<'a> {
    pub fn report(&self, i: usize) -> &'a ParsedReport {
        let (d, k) = self.reports[i];
        &d.reports[k]
    }
    pub fn has_errors(&self) -> bool {
        self.findings.iter().any(|f| f.severity == Severity::Error)
    }
    pub fn to_json(&self) -> Value {
        let reports: Vec<Value> = self
            .reports
            .iter()
            .map(|(d, k)| {
                let r = &d.reports[*k].report;
                json!({ "file": d.source.file, "index": k, "agency": r.agency, "year": r.year, "layout": r.layout.map(|l| l.as_str()) })
            })
            .collect();
        let findings: Vec<Value> = self.findings.iter().map(|f| f.to_json(Some(&self.reports[f.report].0.source.file))).collect();
        json!({ "schema": "nianbao/findings-v1", "reports": reports, "findings": findings })
    }
}

/// Checks every report of every document, together, so that the rules across years apply.
pub fn check(docs: &[ParsedDocument]) -> CheckResult<'_> {
    let reports: Vec<(&ParsedDocument, usize)> = docs.iter().flat_map(|d| (0..d.reports.len()).map(move |k| (d, k))).collect();
    let parsed: Vec<&ParsedReport> = reports.iter().map(|(d, k)| &d.reports[*k]).collect();
    let keys: Vec<Option<String>> = parsed.iter().map(|p| p.report.agency.as_deref().map(agency::key)).collect();
    let mut findings = Vec::new();
    for (i, p) in parsed.iter().enumerate() {
        let history: Vec<(usize, &ParsedReport)> = (0..parsed.len())
            .filter(|&j| j != i && keys[j].is_some() && keys[j] == keys[i])
            .map(|j| (j, parsed[j]))
            .collect();
        let previous = p.report.year.and_then(|y| history.iter().find(|(_, q)| q.report.year == Some(y - 1)).copied());
        let ctx = Ctx { index: i, doc: reports[i].0, parsed: p, report: &p.report, previous, history, clauses: prose::clauses(p) };
        let first = findings.len();
        for rule in rules::ALL {
            (rule.check)(&ctx, &mut findings);
        }
        // A finding that rests on a cell the reader recovered (from the arithmetic, by position)
        // may be a reading doubt rather than the report's own error: it says so.
        let scanned = read_by_ocr(&p.report);
        for f in &mut findings[first..] {
            if f.cells.iter().any(|c| c.how(&p.report) == Some(nianbao_model::ReadHow::Ocr)) {
                f.message.push_str(OCR_DOUBT_NOTE);
            } else if rests_on_recovered_cells(&p.report, &f.cells) {
                f.message.push_str(READ_DOUBT_NOTE);
            } else if scanned {
                // On a scan, a missing row, label or section may be a word OCR misread: never
                // an error of the agency's until a reviewer has looked at the image.
                f.message.push_str(OCR_DOUBT_NOTE);
                if f.severity == Severity::Error {
                    f.severity = Severity::Warning;
                }
            }
        }
    }
    findings.sort_by_key(|f| (f.report, f.severity, f.rule));
    let mut links: Vec<(String, Vec<usize>)> = Vec::new();
    for (i, k) in keys.iter().enumerate() {
        if let Some(k) = k {
            match links.iter_mut().find(|(key, _)| key == k) {
                Some((_, v)) => v.push(i),
                None => links.push((k.clone(), vec![i])),
            }
        }
    }
    links.retain(|(_, v)| v.len() > 1);
    CheckResult { reports, findings, links }
}
