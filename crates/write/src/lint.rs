//! Checks a report before it is written, with the rules the supervising office runs: the
//! report is rendered, read back by the parser and checked, so the check sees exactly what will
//! be published. A rendering that does not read back as the same tables is itself an error.

use crate::{form, render, Document, Format, WriteError};
use nianbao_check::{render as show, Column, Finding, Severity};
use nianbao_model::json::to_json;
use nianbao_model::{layout, Layout};

/// The outcome of checking a report before writing it.
#[derive(Debug, Clone)]
pub struct Lint {
    /// The findings in the checker's text form (rustc-like), and its summary line.
    pub text: String,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    /// Rule codes of the findings, in order (for tests and summaries).
    pub rules: Vec<(&'static str, Severity)>,
    /// Which rendering was read back and checked.
    pub checked: Format,
    /// Set when no rendering read back as the same tables (a writer fault).
    pub mismatch: Option<String>,
}

impl Lint {
    pub fn has_errors(&self) -> bool {
        self.errors > 0 || self.mismatch.is_some()
    }
}

/// Renders `doc` (as `format` when the parser reads it, else Markdown, else HTML), parses the
/// rendering and checks it. `name` is the file name shown in the findings.
pub fn lint(doc: &Document, format: Format, name: &str) -> Result<Lint, WriteError> {
    lint_with(doc, format, name, None)
}

/// Where on the form a finding is fixed: the cells it names ("表三!D6"), else the field or
/// section its rule reads.
fn form_places(f: &Finding, layout: Layout) -> Vec<String> {
    let cells: Vec<String> = f
        .cells
        .iter()
        .filter_map(|c| {
            let col = match &c.column {
                Column::Index(i) => *i,
                Column::Field(k) => layout::row_def(c.table, layout, &c.row)?.fields.iter().position(|x| x.key == *k)?,
            };
            form::cell_of(c.table, layout, &c.row, col)
        })
        .collect();
    if !cells.is_empty() {
        return cells;
    }
    let place = match f.rule {
        "S006" | "S008" => form::meta_cell(1),
        "S009" | "T001" | "T002" | "T003" => form::meta_cell(4),
        "S007" => form::prose_cell(0),
        "S004" => form::prose_cell(5),
        "S005" | "N004" | "F001" | "F002" | "F003" => form::prose_cell(6),
        "L001" | "L002" | "L003" | "Y005" => form::meta_cell(2),
        _ => form::prose_cell(1),
    };
    vec![place]
}

/// The findings pointing into the form the report was written from (its sheets and cells),
/// not into a rendering the user never sees. Several findings of one rule on one sheet are
/// folded into one that lists their cells.
fn form_text(result: &nianbao_check::CheckResult<'_>, form_file: &str, layout: Layout) -> String {
    let table_of = |f: &Finding| f.cells.first().map(|c| c.table).filter(|t| f.cells.iter().all(|c| c.table == *t));
    let mut out = String::new();
    let mut done = vec![false; result.findings.len()];
    for (i, f) in result.findings.iter().enumerate() {
        if done[i] {
            continue;
        }
        let members: Vec<usize> = match table_of(f) {
            Some(t) => (i..result.findings.len())
                .filter(|&j| {
                    let g = &result.findings[j];
                    !done[j] && g.rule == f.rule && g.severity == f.severity && table_of(g) == Some(t)
                })
                .collect(),
            None => vec![i],
        };
        for &j in &members {
            done[j] = true;
        }
        let group: Vec<&Finding> = members.iter().map(|&j| &result.findings[j]).collect();
        done[i] = true;
        let message = if group.len() > 1 {
            let title = nianbao_check::catalog::find(f.rule).map(|m| m.title).unwrap_or("");
            format!("{}有 {} 处同类问题：{title}", table_of(f).map(|t| t.short_name()).unwrap_or(""), group.len())
        } else {
            f.message.clone()
        };
        out.push_str(&format!("{}[{}]: {message}\n", f.severity.key(), f.rule));
        let places: Vec<String> = group.iter().flat_map(|g| form_places(g, layout)).collect();
        let shown: Vec<&str> = places.iter().take(10).map(String::as_str).collect();
        let more = if places.len() > shown.len() { format!(" 等 {} 处", places.len()) } else { String::new() };
        out.push_str(&format!(" --> {form_file} {}{more}\n", shown.join("、")));
        if group.len() > 1 {
            for g in &group {
                out.push_str(&format!("    - {}\n", g.message));
            }
        } else if let (Some(e), Some(found)) = (&f.expected, &f.found) {
            out.push_str(&format!("  = 应为：{e}，实为：{found}\n"));
        }
        out.push('\n');
    }
    out
}

/// [`lint`]; with `form_file`, the findings name the form's sheets and cells.
pub fn lint_with(doc: &Document, format: Format, name: &str, form_file: Option<&str>) -> Result<Lint, WriteError> {
    let mut order = vec![format];
    for f in [Format::Md, Format::Html] {
        if !order.contains(&f) {
            order.push(f);
        }
    }
    let want = to_json(&doc.report);
    let mut first: Option<(Format, nianbao_parse::ParsedDocument)> = None;
    let mut chosen = None;
    for f in order {
        let bytes = render(doc, f)?;
        let file = format!("{name}.{}", f.extension());
        let Ok(parsed) = nianbao_parse::parse_bytes(&file, &bytes) else { continue };
        let same = parsed.reports.len() == 1 && to_json(&parsed.reports[0].report) == want;
        if same {
            chosen = Some((f, parsed));
            break;
        }
        if first.is_none() {
            first = Some((f, parsed));
        }
    }
    let mismatch = chosen.is_none().then(|| "渲染结果读回后与填报数据不一致（这是 nianbao 的缺陷，请报告）".to_string());
    let Some((checked, parsed)) = chosen.or(first) else {
        return Ok(Lint {
            text: "错误：渲染结果无法读回，未能检查\n".into(),
            errors: 1,
            warnings: 0,
            infos: 0,
            rules: Vec::new(),
            checked: format,
            mismatch: Some("渲染结果无法读回".into()),
        });
    };
    let docs = vec![parsed];
    let result = nianbao_check::check(&docs);
    let count = |s: Severity| result.findings.iter().filter(|f| f.severity == s).count();
    let mut text = match form_file {
        Some(form) => form_text(&result, form, doc.layout()),
        None => show::text_with(&result, &show::TextOptions::default()),
    };
    if let Some(m) = &mismatch {
        text.push_str(&format!("错误：{m}\n"));
    }
    Ok(Lint {
        errors: count(Severity::Error),
        warnings: count(Severity::Warning),
        infos: count(Severity::Info),
        rules: result.findings.iter().map(|f| (f.rule, f.severity)).collect(),
        text,
        checked,
        mismatch,
    })
}
