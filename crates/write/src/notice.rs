//! The 整改通知: the letter a supervising office sends an agency listing the problems found in
//! its annual report, each with its rule, its place in the report and what the figure should
//! be, so the agency can correct and republish it. Laid out like the report itself (A4, GB/T
//! 9704 margins, 仿宋 body) because it is sent as an ordinary official document.

use crate::render_docx::{body_paragraph, cell_paragraph, exact, fonts, right, titled_document, BODY_FONT, BODY_SIZE, TABLE_SIZE, TEXT_WIDTH};
use crate::WriteError;
use docx_rs::{AlignmentType, LineSpacing, LineSpacingType, Paragraph, Run, Table, TableAlignmentType, TableCell, TableLayoutType, TableRow, VAlignType, WidthType};

/// One problem to correct.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct NoticeItem {
    /// "error" or "warning" (as in findings-v1).
    pub severity: String,
    /// The rule code, e.g. "A302".
    pub rule: String,
    /// The rule's title from the catalog.
    pub title: String,
    /// The finding's message.
    pub message: String,
    /// Where: table, row and column labels and/or the line or page of the source.
    pub place: String,
    pub expected: Option<String>,
    pub found: Option<String>,
    /// The reviewer's comment when the finding was confirmed.
    pub comment: Option<String>,
}

/// Everything the letter says.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Notice {
    /// The agency the letter is addressed to.
    pub agency: String,
    pub year: Option<i64>,
    /// The report's title as published; `None`: agency + year + the standard title.
    pub report_title: Option<String>,
    /// Who sends the letter (printed above the date).
    pub issuer: String,
    /// The date of the letter, `YYYY-MM-DD`.
    pub date: String,
    pub items: Vec<NoticeItem>,
    /// Findings a reviewer dismissed, left out of the list (only counted).
    pub dismissed: usize,
}

impl Notice {
    pub fn title(&self) -> String {
        match self.year {
            Some(y) => format!("关于{}{}年政府信息公开工作年度报告问题的整改通知", self.agency, y),
            None => format!("关于{}政府信息公开工作年度报告问题的整改通知", self.agency),
        }
    }

    fn report_name(&self) -> String {
        let name = self.report_title.clone().filter(|t| !t.trim().is_empty()).unwrap_or_else(|| match self.year {
            Some(y) => format!("{}{}年政府信息公开工作年度报告", self.agency, y),
            None => format!("{}政府信息公开工作年度报告", self.agency),
        });
        format!("《{}》", name.trim_matches(|c| c == '《' || c == '》'))
    }

    /// The opening paragraph: what was checked and what is asked.
    pub fn opening(&self) -> String {
        let errors = self.items.iter().filter(|i| i.severity == "error").count();
        let warnings = self.items.iter().filter(|i| i.severity == "warning").count();
        if self.items.is_empty() {
            return format!("经检查，你单位发布的{}未发现需要整改的问题。", self.report_name());
        }
        let counts = match (errors, warnings) {
            (e, 0) => format!("{e} 处错误"),
            (0, w) => format!("{w} 处需要核实的问题"),
            (e, w) => format!("{e} 处错误和 {w} 处需要核实的问题"),
        };
        format!(
            "经检查，你单位发布的{}存在{}，不符合《中华人民共和国政府信息公开条例》和政府信息公开工作年度报告格式的要求，详见下表。请逐项核实：属于错误的，更正后重新发布；确认无误的，请书面说明理由。整改完成后请将整改情况报送我单位。",
            self.report_name(),
            counts
        )
    }
}

fn severity_zh(s: &str) -> &'static str {
    match s {
        "error" => "错误",
        "warning" => "警告",
        _ => "提示",
    }
}

fn header_cell(text: &str, width: usize) -> TableCell {
    TableCell::new()
        .vertical_align(VAlignType::Center)
        .width(width, WidthType::Dxa)
        .add_paragraph(
            Paragraph::new()
                .add_run(Run::new().add_text(text).fonts(fonts("黑体")).size(TABLE_SIZE))
                .align(AlignmentType::Center)
                .line_spacing(LineSpacing::new().line_rule(LineSpacingType::Auto).line(240).before(0).after(0)),
        )
}

fn text_cell(text: &str, width: usize, left: bool) -> TableCell {
    let mut cell = TableCell::new().vertical_align(VAlignType::Center).width(width, WidthType::Dxa);
    // A line break in the text becomes a paragraph of its own within the cell.
    for line in text.split('\n') {
        cell = cell.add_paragraph(cell_paragraph(line, left));
    }
    cell
}

/// The columns of the problem table and their widths (twentieths of a point).
const COLUMNS: [(&str, usize); 6] = [("序号", 700), ("类别", 700), ("规则", 820), ("问题", 3560), ("位置", 2064), ("应为 / 实为", 1000)];

fn problem_table(items: &[NoticeItem]) -> Table {
    debug_assert_eq!(COLUMNS.iter().map(|c| c.1).sum::<usize>(), TEXT_WIDTH);
    let mut rows = vec![TableRow::new(COLUMNS.iter().map(|(t, w)| header_cell(t, *w)).collect()).cant_split()];
    for (i, item) in items.iter().enumerate() {
        let mut problem = if item.title.is_empty() { item.message.clone() } else { format!("{}：{}", item.title, item.message) };
        if let Some(c) = item.comment.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
            problem.push_str(&format!("\n审核意见：{c}"));
        }
        let values = match (&item.expected, &item.found) {
            (Some(e), Some(f)) => format!("应为 {e}\n实为 {f}"),
            (Some(e), None) => format!("应为 {e}"),
            (None, Some(f)) => format!("实为 {f}"),
            (None, None) => String::new(),
        };
        let texts = [(i + 1).to_string(), severity_zh(&item.severity).to_string(), item.rule.clone(), problem, item.place.clone(), values];
        let cells = texts.iter().zip(COLUMNS).enumerate().map(|(c, (t, (_, w)))| text_cell(t, w, c == 3 || c == 4)).collect();
        rows.push(TableRow::new(cells).cant_split());
    }
    Table::new(rows)
        .set_grid(COLUMNS.iter().map(|c| c.1).collect())
        .layout(TableLayoutType::Fixed)
        .align(TableAlignmentType::Center)
        .width(TEXT_WIDTH, WidthType::Dxa)
}

/// The letter as DOCX bytes.
pub fn render(notice: &Notice) -> Result<Vec<u8>, WriteError> {
    let mut d = titled_document(&notice.title());
    d = d.add_paragraph(
        Paragraph::new().add_run(Run::new().add_text(format!("{}：", notice.agency)).fonts(fonts(BODY_FONT)).size(BODY_SIZE)).line_spacing(exact(560)),
    );
    d = d.add_paragraph(body_paragraph(&notice.opening()));
    if !notice.items.is_empty() {
        d = d.add_table(problem_table(&notice.items));
        d = d.add_paragraph(Paragraph::new().line_spacing(exact(280)));
    }
    if notice.dismissed > 0 {
        d = d.add_paragraph(body_paragraph(&format!("另有 {} 处经审核确认不属于问题，未列入本通知。", notice.dismissed)));
    }
    d = d.add_paragraph(Paragraph::new().line_spacing(exact(560)));
    d = d.add_paragraph(right(&notice.issuer));
    if let Some(date) = crate::chinese_date(&notice.date) {
        d = d.add_paragraph(right(&date));
    }
    let mut buf = std::io::Cursor::new(Vec::new());
    d.build().pack(&mut buf).map_err(|e| WriteError::Docx(e.to_string()))?;
    Ok(buf.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn document_xml(bytes: &[u8]) -> String {
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip package");
        let mut xml = String::new();
        zip.by_name("word/document.xml").expect("word/document.xml").read_to_string(&mut xml).expect("utf-8");
        xml
    }

    fn item(severity: &str, rule: &str) -> NoticeItem {
        NoticeItem {
            severity: severity.into(),
            rule: rule.into(),
            title: "表三总计列".into(),
            message: "各办理结果之和为 30，“（七）总计”却为 20".into(),
            place: "表三·（七）总计·总计".into(),
            expected: Some("30".into()),
            found: Some("20".into()),
            comment: Some("已与经办人核实".into()),
        }
    }

    #[test]
    fn the_letter_lists_every_problem_with_its_place() {
        let n = Notice {
            agency: "东阿县人民政府办公室".into(),
            year: Some(2020),
            report_title: None,
            issuer: "聊城市政务公开办".into(),
            date: "2021-02-03".into(),
            items: vec![item("error", "A302"), item("warning", "P101")],
            dismissed: 1,
        };
        let xml = document_xml(&render(&n).unwrap());
        for want in ["关于东阿县人民政府办公室2020年政府信息公开工作年度报告问题的整改通知", "东阿县人民政府办公室：", "1 处错误和 1 处需要核实的问题", "A302", "P101", "表三·（七）总计·总计", "应为 30", "审核意见：已与经办人核实", "另有 1 处", "聊城市政务公开办", "2021年2月3日"] {
            assert!(xml.contains(want), "missing {want}");
        }
        // One header row and one row per problem.
        assert_eq!(xml.matches("<w:tr>").count() + xml.matches("<w:tr ").count(), 3);
    }

    #[test]
    fn a_report_without_problems_gets_no_table() {
        let n = Notice { agency: "某局".into(), year: Some(2023), issuer: "某办".into(), date: "2024-01-31".into(), ..Notice::default() };
        let xml = document_xml(&render(&n).unwrap());
        assert!(xml.contains("未发现需要整改的问题"));
        assert!(!xml.contains("<w:tbl>"));
    }
}
