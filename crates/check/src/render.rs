//! Text output like rustc: code and severity, the message, the source line with the
//! offending text underlined (aligned by display width, so it sits under CJK text too), in
//! colour on a terminal. Repeated findings of one rule in one table are folded into one
//! diagnostic that lists them; one grand total ends the output.

use crate::{CheckResult, Finding, Kind, Severity};
use anstyle::{AnsiColor, Style};
use nianbao_model::{Source, TableId};
use unicode_width::UnicodeWidthChar;

/// How findings are printed.
#[derive(Debug, Clone, Copy, Default)]
pub struct TextOptions {
    /// ANSI colours (a terminal, `--color always`).
    pub color: bool,
    /// Three or more findings of one rule in one table as one diagnostic.
    pub fold: bool,
}

fn paint(text: &str, style: Style, color: bool) -> String {
    if color && !text.is_empty() {
        format!("{}{text}{}", style.render(), style.render_reset())
    } else {
        text.to_string()
    }
}

fn severity_style(s: Severity) -> Style {
    let c = match s {
        Severity::Error => AnsiColor::Red,
        Severity::Warning => AnsiColor::Yellow,
        Severity::Info => AnsiColor::Cyan,
    };
    Style::new().bold().fg_color(Some(c.into()))
}

fn gutter_style() -> Style {
    Style::new().bold().fg_color(Some(AnsiColor::Blue.into()))
}

fn bold() -> Style {
    Style::new().bold()
}

fn width(s: &str) -> usize {
    s.chars().map(|c| if c == '\t' { 4 } else { c.width().unwrap_or(0) }).sum()
}

fn expand_tabs(s: &str) -> String {
    s.replace('\t', "    ")
}

/// One finding, as text.
pub fn finding(f: &Finding, source: &Source, report_label: &str) -> String {
    finding_with(f, source, report_label, false, &[])
}

/// One finding; `folded` are the further findings of the same rule in the same table, listed
/// under it.
fn finding_with(f: &Finding, source: &Source, report_label: &str, color: bool, folded: &[&Finding]) -> String {
    let sev = severity_style(f.severity);
    let blue = gutter_style();
    let message = if folded.is_empty() {
        f.message.clone()
    } else {
        let table = f.cells.first().map(|c| c.table.short_name()).unwrap_or("表");
        format!("{table}有 {} 处同类问题：{}", folded.len() + 1, crate::catalog::find(f.rule).map(|m| m.title).unwrap_or(""))
    };
    let mut out = format!("{}{}\n", paint(&format!("{}[{}]", f.severity.key(), f.rule), sev, color), paint(&format!(": {message}"), bold(), color));
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
            let bar = paint("|", blue, color);
            // On a fill-in form the sheet and cell are the place; the line is of the text read from it.
            let at = match span.cell {
                Some(cell) => cell.to_string(),
                None => format!("{}:{}", span.line, span.column),
            };
            out.push_str(&format!("{:>g$}{} {}:{}（{}{}）\n", "", paint("-->", blue, color), source.file, at, page, report_label, g = gutter));
            out.push_str(&format!("{:>g$} {bar}\n", "", g = gutter));
            out.push_str(&format!("{} {bar} {}\n", paint(&line_no.to_string(), blue, color), expand_tabs(shown)));
            let lead = width(&text[cut..start]);
            let marks = width(&text[start..end]).max(1);
            let label = f.label.as_deref().unwrap_or("");
            out.push_str(&format!("{:>g$} {bar} {}{}\n", "", " ".repeat(lead), paint(&format!("{} {label}", "^".repeat(marks)), sev, color), g = gutter));
        }
        None => out.push_str(&format!(" {} {}（{}）\n", paint("-->", blue, color), source.file, report_label)),
    }
    let eq = paint("=", blue, color);
    if folded.is_empty() {
        if let (Some(e), Some(found)) = (&f.expected, &f.found) {
            out.push_str(&format!("  {eq} 应为：{e}，实为：{found}\n"));
        }
    } else {
        out.push_str(&format!("  {eq} 共 {} 处：\n", folded.len() + 1));
        for g in std::iter::once(&f).chain(folded.iter()) {
            let place = g
                .span
                .map(|s| match s.cell {
                    Some(cell) => format!("{cell}："),
                    None => format!("第 {} 行：", s.line),
                })
                .unwrap_or_default();
            let values = match (&g.expected, &g.found) {
                (Some(e), Some(found)) => format!("（应为：{e}，实为：{found}）"),
                _ => String::new(),
            };
            out.push_str(&format!("    - {place}{}{values}\n", g.message));
        }
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

/// Every finding, plain and unfolded, then the grand total.
pub fn text(result: &CheckResult<'_>) -> String {
    let opts = TextOptions::default();
    text_with(result, &opts) + &total(result, &opts)
}

/// The table a finding is about, when all its cells are in one table.
fn one_table(f: &Finding) -> Option<TableId> {
    let t = f.cells.first()?.table;
    f.cells.iter().all(|c| c.table == t).then_some(t)
}

/// Every finding, file by file (without the total).
pub fn text_with(result: &CheckResult<'_>, opts: &TextOptions) -> String {
    let mut out = String::new();
    for (key, idx) in &result.links {
        let years: Vec<String> = idx.iter().map(|&i| result.report(i).report.year.map(|y| y.to_string()).unwrap_or_else(|| "?".into())).collect();
        let names: Vec<String> = idx.iter().filter_map(|&i| result.report(i).report.agency.clone()).collect::<std::collections::BTreeSet<_>>().into_iter().collect();
        out.push_str(&format!(
            "{}以下报告视为同一机关（{}）的不同年度：{} 年（名称写法：{}）\n",
            paint("note: ", Style::new().bold().fg_color(Some(AnsiColor::Green.into())), opts.color),
            key,
            years.join("、"),
            names.join(" / ")
        ));
    }
    let mut files: Vec<&str> = Vec::new();
    for (d, _) in &result.reports {
        if !files.contains(&d.source.file.as_str()) {
            files.push(&d.source.file);
        }
    }
    for file in files {
        let idx: Vec<usize> = (0..result.reports.len()).filter(|&i| result.reports[i].0.source.file == file).collect();
        let findings: Vec<&Finding> = result.findings.iter().filter(|f| idx.contains(&f.report)).collect();
        let mut done = vec![false; findings.len()];
        for i in 0..findings.len() {
            if done[i] {
                continue;
            }
            let f = findings[i];
            done[i] = true;
            let mut folded = Vec::new();
            if let (true, Some(t)) = (opts.fold, one_table(f)) {
                for j in i + 1..findings.len() {
                    let g = findings[j];
                    if !done[j] && g.report == f.report && g.rule == f.rule && g.severity == f.severity && one_table(g) == Some(t) {
                        done[j] = true;
                        folded.push(g);
                    }
                }
            }
            // Two findings read well apart; from three on, one diagnostic lists them.
            if folded.len() < 2 {
                for g in folded.drain(..) {
                    if let Some(j) = findings.iter().position(|x| std::ptr::eq(*x, g)) {
                        done[j] = false;
                    }
                }
            }
            let (doc, k) = result.reports[f.report];
            let r = &doc.reports[k].report;
            let label = format!("第 {} 份报告：{} {} 年", k + 1, r.agency.as_deref().unwrap_or("机关不详"), r.year.map(|y| y.to_string()).unwrap_or_else(|| "?".into()));
            out.push_str(&finding_with(f, &doc.source, &label, opts.color, &folded));
            out.push('\n');
        }
    }
    out
}

fn files_checked(result: &CheckResult<'_>) -> usize {
    let mut files: Vec<&str> = result.reports.iter().map(|(d, _)| d.source.file.as_str()).collect();
    files.sort_unstable();
    files.dedup();
    files.len()
}

/// The grand total: `共检查 2400 个文件：353 个错误，3326 个警告`.
pub fn total(result: &CheckResult<'_>, opts: &TextOptions) -> String {
    let count = |s: Severity| result.findings.iter().filter(|f| f.severity == s).count();
    let (e, w, i) = (count(Severity::Error), count(Severity::Warning), count(Severity::Info));
    let num = |n: usize, s: Severity| if n > 0 { paint(&n.to_string(), severity_style(s), opts.color) } else { n.to_string() };
    let mut out = format!("共检查 {} 个文件：{} 个错误，{} 个警告", files_checked(result), num(e, Severity::Error), num(w, Severity::Warning));
    if i > 0 {
        out.push_str(&format!("，{} 条提示", num(i, Severity::Info)));
    }
    out.push('\n');
    out
}

/// `--statistics`: how many findings each rule gave, most first.
pub fn statistics(result: &CheckResult<'_>, opts: &TextOptions) -> String {
    let mut counts: Vec<(usize, &'static str, Severity)> = Vec::new();
    for f in &result.findings {
        match counts.iter_mut().find(|(_, r, s)| *r == f.rule && *s == f.severity) {
            Some(c) => c.0 += 1,
            None => counts.push((1, f.rule, f.severity)),
        }
    }
    counts.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
    let mut out = String::from("按规则统计：\n");
    let w = counts.first().map(|c| c.0.to_string().len()).unwrap_or(1);
    for (n, rule, sev) in counts {
        let title = crate::catalog::find(rule).map(|m| m.title).unwrap_or("");
        out.push_str(&format!("{n:>w$}  {}  {}  {title}\n", paint(rule, severity_style(sev), opts.color), sev.zh()));
    }
    out.push('\n');
    out
}

/// A kind of rule, in Chinese.
pub fn kind_zh(k: Kind) -> &'static str {
    match k {
        Kind::Layout => "版式",
        Kind::Structure => "结构",
        Kind::Arithmetic => "勾稽关系",
        Kind::Narrative => "正文与表格",
        Kind::Timing => "发布时限",
        Kind::CrossYear => "跨年度",
        Kind::Fee => "收费",
    }
}

/// `nianbao rules CODE`: the rule explained; `None` for an unknown code.
pub fn explain(code: &str, color: bool) -> Option<String> {
    let code = code.trim().to_ascii_uppercase();
    let meta = crate::catalog::find(&code)?;
    let ex = crate::explain::get(meta.code)?;
    let state = if crate::rules::implemented(meta.code) { "已实现" } else { "尚未实现" };
    let head = |s: &str| paint(s, bold(), color);
    let mut out = format!("{} {}\n", paint(meta.code, severity_style(meta.severity), color), head(meta.title));
    out.push_str(&format!("级别：{} · 类别：{} · {state}\n依据：{}\n", meta.severity.zh(), kind_zh(meta.kind), meta.source));
    for (title, body) in [("检查什么", ex.what), ("为什么", ex.why), ("不合格的例子", ex.fails), ("合格的例子", ex.passes), ("如何修改", ex.fix)] {
        out.push_str(&format!("\n{}\n  {}\n", head(title), body));
    }
    Some(out)
}
