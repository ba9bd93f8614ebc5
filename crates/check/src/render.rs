//! Text output like rustc: code and severity, the message, the source line with the
//! offending text underlined (aligned by display width, so it sits under CJK text too).

use crate::{CheckResult, Finding, Severity};
use nianbao_model::Source;
use unicode_width::UnicodeWidthChar;

fn width(s: &str) -> usize {
    s.chars().map(|c| if c == '\t' { 4 } else { c.width().unwrap_or(0) }).sum()
}

fn expand_tabs(s: &str) -> String {
    s.replace('\t', "    ")
}

/// One finding, as text.
pub fn finding(f: &Finding, source: &Source, report_label: &str) -> String {
    let mut out = format!("{}[{}]: {}\n", f.severity.key(), f.rule, f.message);
    match &f.span {
        Some(span) => {
            let line_no = span.line as usize;
            let text = source.line_text(line_no);
            let start = source.decoded_offset(span.start).saturating_sub(source.line_start(line_no));
            let end = source.decoded_offset(span.end).saturating_sub(source.line_start(line_no));
            // A span may end inside a character (a file with invalid bytes, an entity spread
            // over a line): slice only at character boundaries.
            let start = text.floor_char_boundary(start.min(text.len()));
            let end = text.ceil_char_boundary(end.clamp(start, text.len()));
            // Long lines are cut around the marked place.
            let (shown, cut) = window(text, start, end);
            let gutter = line_no.to_string().len();
            // For a PDF the line is a line of the extracted text; the page says where it is.
            let page = span.page.map(|p| format!("第 {p} 页，")).unwrap_or_default();
            out.push_str(&format!("{:>g$}--> {}:{}:{}（{}{}）\n", "", source.file, span.line, span.column, page, report_label, g = gutter));
            out.push_str(&format!("{:>g$} |\n", "", g = gutter));
            out.push_str(&format!("{line_no} | {}\n", expand_tabs(shown)));
            let lead = width(&text[cut..start]);
            let marks = width(&text[start..end]).max(1);
            let label = f.label.as_deref().unwrap_or("");
            out.push_str(&format!("{:>g$} | {}{} {}\n", "", " ".repeat(lead), "^".repeat(marks), label, g = gutter));
        }
        None => out.push_str(&format!(" --> {}（{}）\n", source.file, report_label)),
    }
    if let (Some(e), Some(found)) = (&f.expected, &f.found) {
        out.push_str(&format!("  = 应为：{e}，实为：{found}\n"));
    }
    out
}

/// A piece of a long line around `start..end`: (text shown, byte where it starts).
fn window(text: &str, start: usize, end: usize) -> (&str, usize) {
    const MAX: usize = 120;
    if width(text) <= MAX {
        return (text, 0);
    }
    let mut from = start;
    let mut w = 0;
    for (i, c) in text[..start].char_indices().rev() {
        w += c.width().unwrap_or(0);
        if w > 40 {
            break;
        }
        from = i;
    }
    let mut to = end;
    let mut w = width(&text[from..end]);
    for (i, c) in text[end..].char_indices() {
        w += c.width().unwrap_or(0);
        if w > MAX {
            break;
        }
        to = end + i + c.len_utf8();
    }
    (&text[from..to], from)
}

/// Every finding and a summary line per file.
pub fn text(result: &CheckResult<'_>) -> String {
    let mut out = String::new();
    for (key, idx) in &result.links {
        let years: Vec<String> = idx.iter().map(|&i| result.report(i).report.year.map(|y| y.to_string()).unwrap_or_else(|| "?".into())).collect();
        let names: Vec<String> = idx.iter().filter_map(|&i| result.report(i).report.agency.clone()).collect::<std::collections::BTreeSet<_>>().into_iter().collect();
        out.push_str(&format!("note: 以下报告视为同一机关（{}）的不同年度：{} 年（名称写法：{}）\n", key, years.join("、"), names.join(" / ")));
    }
    let mut files: Vec<&str> = Vec::new();
    for (d, _) in &result.reports {
        if !files.contains(&d.source.file.as_str()) {
            files.push(&d.source.file);
        }
    }
    for file in files {
        let idx: Vec<usize> = (0..result.reports.len()).filter(|&i| result.reports[i].0.source.file == file).collect();
        for f in result.findings.iter().filter(|f| idx.contains(&f.report)) {
            let (doc, k) = result.reports[f.report];
            let r = &doc.reports[k].report;
            let label = format!("第 {} 份报告：{} {} 年", k + 1, r.agency.as_deref().unwrap_or("机关不详"), r.year.map(|y| y.to_string()).unwrap_or_else(|| "?".into()));
            out.push_str(&finding(f, &doc.source, &label));
            out.push('\n');
        }
        let count = |s: Severity| result.findings.iter().filter(|f| idx.contains(&f.report) && f.severity == s).count();
        out.push_str(&format!(
            "{}：{} 份报告，{} 个错误，{} 个警告，{} 条提示\n",
            file,
            idx.len(),
            count(Severity::Error),
            count(Severity::Warning),
            count(Severity::Info)
        ));
    }
    out
}
