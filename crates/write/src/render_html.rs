//! The report as one self-contained HTML page (A4 print style), tables with the official
//! `rowspan`/`colspan` merges.

use crate::grid::{self, Content, Grid};
use crate::{prose, Document, SECTION_HEADINGS};
use nianbao_model::TableId;

const STYLE: &str = r#"
@page { size: A4; margin: 37mm 26mm 35mm 28mm; }
body { margin: 0; background: #f3f3f3; }
article { max-width: 156mm; margin: 0 auto; padding: 20mm 18mm; background: #fff;
  font-family: "FangSong_GB2312", "仿宋_GB2312", "FangSong", "仿宋", "Noto Serif CJK SC", serif; font-size: 16pt; line-height: 1.75; color: #000; }
h1 { font-family: "FZXiaoBiaoSong-B05S", "方正小标宋简体", "SimSun", "宋体", "Noto Serif CJK SC", serif; font-size: 22pt; font-weight: normal; text-align: center; line-height: 1.4; margin: 0 0 1em; }
h2 { font-family: "SimHei", "黑体", "Noto Sans CJK SC", sans-serif; font-size: 16pt; font-weight: normal; margin: 0.6em 0 0.2em; text-indent: 2em; }
p { margin: 0; text-indent: 2em; text-align: justify; }
p.signature, p.date { text-align: right; text-indent: 0; padding-right: 2em; }
p.signature { margin-top: 2em; }
table { border-collapse: collapse; width: 100%; margin: 0.5em 0 1em; font-family: "SimSun", "宋体", "Noto Serif CJK SC", serif; font-size: 10.5pt; line-height: 1.3; }
td, th { border: 1px solid #000; padding: 2pt 3pt; text-align: center; vertical-align: middle; font-weight: normal; }
td.label { text-align: left; }
@media print { body { background: none; } article { padding: 0; max-width: none; } }
"#;

pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
    out
}

fn table_html(doc: &Document, g: &Grid) -> String {
    let mut out = String::from("<table>\n<colgroup>");
    for w in &g.widths {
        out.push_str(&format!("<col style=\"width:{w}%\">"));
    }
    out.push_str("</colgroup>\n");
    for r in 0..g.rows {
        out.push_str("<tr>");
        for c in g.row_cells(r) {
            let mut attrs = String::new();
            if c.rowspan > 1 {
                attrs.push_str(&format!(" rowspan=\"{}\"", c.rowspan));
            }
            if c.colspan > 1 {
                attrs.push_str(&format!(" colspan=\"{}\"", c.colspan));
            }
            match &c.content {
                Content::Label(t) => {
                    let class = if c.col < 3 && c.colspan < g.cols && g.table != TableId::ReviewLitigation && c.row >= 1 && t.chars().count() > 6 { " class=\"label\"" } else { "" };
                    out.push_str(&format!("<td{attrs}{class}>{}</td>", escape(t)));
                }
                Content::Value(v) => {
                    let text = grid::value_of(&doc.report, g.table, v).map(crate::format_value).unwrap_or_default();
                    out.push_str(&format!("<td{attrs}>{text}</td>"));
                }
            }
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</table>\n");
    out
}

fn paragraphs_html(text: &str) -> String {
    prose::paragraphs(text)
        .iter()
        .map(|p| {
            // A passage still to be written stands out on screen and in print.
            let inner: String = crate::split_marks(p)
                .into_iter()
                .map(|(mark, t)| if mark { format!("<mark class=\"fill\" style=\"background:#ffeb3b\">{}</mark>", escape(t)) } else { escape(t) })
                .collect();
            format!("<p>{inner}</p>\n")
        })
        .collect()
}

/// The whole report as HTML.
pub fn render(doc: &Document) -> String {
    let layout = doc.layout();
    let title = prose::title(&doc.report);
    let mut out = format!(
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<article>\n<h1>{}</h1>\n",
        escape(&title),
        escape(&title)
    );
    out.push_str(&paragraphs_html(&doc.preface_text()));
    for (i, heading) in SECTION_HEADINGS.iter().enumerate() {
        let n = i + 1;
        out.push_str(&format!("<h2>{heading}</h2>\n"));
        out.push_str(&paragraphs_html(&doc.section_text(n)));
        let table = match n {
            2 => Some(TableId::ActiveDisclosure),
            3 => Some(TableId::Applications),
            4 => Some(TableId::ReviewLitigation),
            _ => None,
        };
        if let Some(id) = table {
            out.push_str(&table_html(doc, &grid::grid(id, layout)));
        }
    }
    if let Some(s) = doc.signature_text() {
        out.push_str(&format!("<p class=\"signature\">{}</p>\n", escape(&s)));
    }
    if let Some(d) = doc.report.published.as_deref().and_then(crate::chinese_date) {
        out.push_str(&format!("<p class=\"date\">{d}</p>\n"));
    }
    out.push_str("</article>\n</body>\n</html>\n");
    out
}
