//! Reading what a report is written from: a filled form (XLSX), a canonical JSON
//! (`nianbao/report-v1`, one object or an array), or any published report nianbao parses.
//! Also the `template` and `render` commands as library functions, so that the command line
//! stays thin and the "nothing written on error" promise is tested here.

use crate::lint::{lint_with, Lint};
use crate::{form, render, Document, Format, Gap, WriteError};
use nianbao_model::Report;
use std::path::Path;

/// What kind of file an input is, from its content.
fn is_xlsx(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK") && bytes.windows(b"xl/workbook".len()).any(|w| w == b"xl/workbook")
}

fn is_json(bytes: &[u8]) -> bool {
    let start = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    matches!(start.iter().find(|b| !b.is_ascii_whitespace()), Some(b'{') | Some(b'['))
}

fn years_of(docs: &[Document]) -> String {
    docs.iter().map(|d| d.report.year.map(|y| y.to_string()).unwrap_or_else(|| "?".into())).collect::<Vec<_>>().join("、")
}

/// Every report an input holds.
pub fn load_all(path: &Path) -> Result<Vec<Document>, WriteError> {
    let file = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| WriteError::Io { file: file.clone(), reason: e.to_string() })?;
    load_bytes(&file, &bytes)
}

pub fn load_bytes(file: &str, bytes: &[u8]) -> Result<Vec<Document>, WriteError> {
    if is_xlsx(bytes) {
        return Ok(vec![form::read(file, bytes)?]);
    }
    if is_json(bytes) {
        let v: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| WriteError::Json { file: file.into(), reason: format!("JSON 格式错误（第 {} 行第 {} 列）", e.line(), e.column()) })?;
        let reports = nianbao_model::json::from_json_many(&v).map_err(|e| WriteError::Json { file: file.into(), reason: e.0 })?;
        return Ok(reports.into_iter().map(Document::from_report).collect());
    }
    let parsed = nianbao_parse::parse_bytes(file, bytes)?;
    Ok(parsed
        .reports
        .into_iter()
        .map(|p| {
            let mut doc = Document::from_report(p.report.clone());
            for n in [1u8, 5, 6] {
                let text: Vec<&str> = p.section_lines(n).iter().filter(|l| !l.is_table_row).map(|l| l.text.as_str()).collect();
                if !text.is_empty() {
                    doc.sections[n as usize - 1] = Some(text.join("\n"));
                }
            }
            doc.signature = p.signature.map(|s| s.value);
            doc
        })
        .collect())
}

/// The one report of an input, or the one on `year`.
pub fn pick(file: &str, docs: Vec<Document>, year: Option<i32>) -> Result<Document, WriteError> {
    match year {
        Some(y) => {
            let years = years_of(&docs);
            docs.into_iter().find(|d| d.report.year == Some(y)).ok_or(WriteError::NoSuchYear { file: file.into(), year: y, years })
        }
        None if docs.len() == 1 => Ok(docs.into_iter().next().expect("one")),
        None => Err(WriteError::Ambiguous { file: file.into(), count: docs.len(), years: years_of(&docs) }),
    }
}

/// Writes `bytes` to `out` through a temporary name, so a failure leaves nothing half-written.
pub fn write_atomic(out: &Path, bytes: &[u8]) -> Result<(), WriteError> {
    let name = out.display().to_string();
    let tmp = out.with_file_name(format!(".{}.nianbao-tmp", out.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()));
    std::fs::write(&tmp, bytes).map_err(|e| WriteError::Write { file: name.clone(), reason: e.to_string() })?;
    std::fs::rename(&tmp, out).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        WriteError::Write { file: name, reason: e.to_string() }
    })
}

/// `nianbao template`: the form for `year`, optionally pre-filled from last year's report.
pub fn template(year: i32, agency: Option<String>, from: Option<&Path>, out: &Path) -> Result<Vec<String>, WriteError> {
    let mut notes = Vec::new();
    let previous: Option<Report> = match from {
        None => None,
        Some(p) => {
            let file = p.display().to_string();
            let docs = load_all(p)?;
            let doc = if docs.iter().any(|d| d.report.year == Some(year - 1)) { pick(&file, docs, Some(year - 1))? } else { pick(&file, docs, None)? };
            if doc.report.year != Some(year - 1) {
                notes.push(format!("注意：{file} 是 {} 年度的报告，不是 {} 年度", doc.report.year.map(|y| y.to_string()).unwrap_or_else(|| "未知".into()), year - 1));
            }
            notes.push(format!("已从 {file} 预填“上年结转”（取其“结转下年度继续办理”）和现行有效件数，并在旁列出上年数"));
            Some(doc.report)
        }
    };
    let agency = agency.or_else(|| previous.as_ref().and_then(|p| p.agency.clone()));
    let report = Report { agency, year: Some(year), ..Report::default() };
    let spec = form::FormSpec { doc: Document::from_report(report), previous };
    let bytes = form::write(&spec)?;
    write_atomic(out, &bytes)?;
    Ok(notes)
}

/// What `render_file` did.
#[derive(Debug)]
pub struct Rendered {
    pub lint: Lint,
    pub written: bool,
    /// Sections without text (1–6): marked `【请填写：…】` in a draft.
    pub defaulted: Vec<usize>,
    /// What the report lacks, each with where to fill it in (`正文!B4` on a form): a report
    /// with gaps is only written as a draft.
    pub gaps: Vec<(Gap, String)>,
}

/// Where a gap is filled in: the form's sheet and cell, or the input file.
fn gap_place(file: &str, from_form: bool, layout: nianbao_model::Layout, gap: &Gap) -> String {
    match (from_form, gap.table) {
        (false, _) => file.to_string(),
        (true, Some(id)) => format!("{file} {}!{}", form::sheet_name(id), form::first_input_cell(id, layout).unwrap_or_default()),
        (true, None) => format!("{file} {}", form::prose_cell(gap.section)),
    }
}

/// `nianbao render`: reads the input, checks the report and writes it unless the check finds
/// an error (then nothing is written unless `force`) or a statutory section or a table is
/// empty (then nothing is written unless `draft`: the draft marks every gap).
pub fn render_file(input: &Path, year: Option<i32>, format: Format, out: &Path, force: bool) -> Result<Rendered, WriteError> {
    render_file_with(input, year, format, out, force, false)
}

/// [`render_file`], optionally as a draft.
pub fn render_file_with(input: &Path, year: Option<i32>, format: Format, out: &Path, force: bool, draft: bool) -> Result<Rendered, WriteError> {
    let file = input.display().to_string();
    let bytes = std::fs::read(input).map_err(|e| WriteError::Io { file: file.clone(), reason: e.to_string() })?;
    let from_form = is_xlsx(&bytes);
    let doc = pick(&file, load_bytes(&file, &bytes)?, year)?;
    let name = out.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "report".into());
    let form_file = from_form.then_some(file.as_str());
    let lint = lint_with(&doc, format, &name, form_file)?;
    let defaulted = doc.defaulted_sections();
    let layout = doc.layout();
    let gaps: Vec<(Gap, String)> = doc
        .gaps()
        .into_iter()
        .map(|g| {
            let place = gap_place(&file, from_form, layout, &g);
            (g, place)
        })
        .collect();
    if (!gaps.is_empty() && !draft) || (lint.has_errors() && !force) {
        return Ok(Rendered { lint, written: false, defaulted, gaps });
    }
    let bytes = render(&doc, format)?;
    write_atomic(out, &bytes)?;
    Ok(Rendered { lint, written: true, defaulted, gaps })
}
