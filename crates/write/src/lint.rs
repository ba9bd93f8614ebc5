//! Checks a report before it is written, with the rules the supervising office runs: the
//! report is rendered, read back by the parser and checked, so the check sees exactly what will
//! be published. A rendering that does not read back as the same tables is itself an error.

use crate::{render, Document, Format, WriteError};
use nianbao_check::{render as show, Severity};
use nianbao_model::json::to_json;

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
    let mut text = show::text(&result);
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
