//! The 整改通知: the letter a supervising office sends an agency listing the problems found in
//! its annual report, each with its rule, its place in the report and what the figure should
//! be, so the agency can correct and republish it. Laid out like the report itself (A4, GB/T
//! 9704 margins, 仿宋 body) because it is sent as an ordinary official document.

use crate::render_docx::{blank_document, body_paragraph, cell_paragraph, exact, fonts, right, title_paragraph, BODY_FONT, BODY_SIZE, TABLE_SIZE, TEXT_WIDTH};
use crate::WriteError;
use docx_rs::{AlignmentType, Docx, LineSpacing, LineSpacingType, Paragraph, Run, Table, TableAlignmentType, TableCell, TableLayoutType, TableRow, VAlignType, WidthType};
use serde::{Deserialize, Serialize};

/// What an office sets once and every letter it sends carries: who sends it, how its letters
/// are numbered, how long an agency is given, whom to call, and how it signs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct OfficeSettings {
    /// 发文机关, e.g. 某某市人民政府办公室.
    pub office: String,
    /// 文号 pattern: `{year}` is the year of the letter, `{seq}` its number in the year.
    pub number_pattern: String,
    /// 整改时限: days from the date of the letter.
    pub deadline_days: u32,
    /// 联系人.
    pub contact: String,
    /// 联系电话.
    pub phone: String,
    /// 落款 (printed above the date); empty: the office.
    pub signature: String,
}

impl Default for OfficeSettings {
    fn default() -> Self {
        OfficeSettings {
            office: "某某市人民政府办公室".into(),
            number_pattern: "某政公开函〔{year}〕{seq}号".into(),
            deadline_days: 15,
            contact: "某某某".into(),
            phone: "0000-0000000".into(),
            signature: "某某市人民政府办公室".into(),
        }
    }
}

impl OfficeSettings {
    /// The 文号 of the `seq`th letter of `year`: "某政公开函〔2026〕3号".
    pub fn number(&self, year: i32, seq: u32) -> String {
        self.number_pattern.replace("{year}", &year.to_string()).replace("{seq}", &seq.to_string())
    }

    /// The 整改时限 of a letter dated `date` (`YYYY-MM-DD`), as `YYYY-MM-DD`.
    pub fn deadline_from(&self, date: &str) -> Option<String> {
        add_days(date, self.deadline_days)
    }

    /// The 落款: the signature, else the office.
    pub fn signature_text(&self) -> &str {
        if self.signature.trim().is_empty() {
            &self.office
        } else {
            &self.signature
        }
    }
}

/// `date` + `days`, both as `YYYY-MM-DD`.
pub fn add_days(date: &str, days: u32) -> Option<String> {
    let d = chrono::NaiveDate::parse_from_str(date.trim(), "%Y-%m-%d").ok()?;
    Some((d + chrono::Days::new(u64::from(days))).format("%Y-%m-%d").to_string())
}

fn year_of(date: &str) -> Option<i32> {
    date.get(..4)?.parse().ok()
}

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
    /// Where, in the agency's terms (see [`crate::place::place_in_agency_terms`]).
    pub place: String,
    pub expected: Option<String>,
    pub found: Option<String>,
    /// The reviewer's comment when the finding was confirmed.
    pub comment: Option<String>,
    /// A reviewer confirmed the finding (确认问题). Unconfirmed items are listed only in a letter
    /// that says so ([`Notice::includes_unreviewed`]), and marked there.
    pub confirmed: bool,
}

/// Everything the letter says.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Notice {
    /// The agency the letter is addressed to.
    pub agency: String,
    pub year: Option<i64>,
    /// The report's title as published; `None`: agency + year + the standard title.
    pub report_title: Option<String>,
    /// Who sends the letter (the 发文机关; printed above the date when there is no signature).
    pub issuer: String,
    /// The date of the letter, `YYYY-MM-DD`.
    pub date: String,
    /// 文号, printed above the title.
    pub number: Option<String>,
    /// 整改时限, `YYYY-MM-DD`.
    pub deadline: Option<String>,
    /// 联系人 and 联系电话 (empty: not printed).
    pub contact: String,
    pub phone: String,
    /// 落款 (empty: the issuer).
    pub signature: String,
    /// List items no reviewer has confirmed too, saying so in the letter and marking them;
    /// otherwise only confirmed items are listed.
    pub includes_unreviewed: bool,
    pub items: Vec<NoticeItem>,
    /// Findings a reviewer dismissed, left out of the list (only counted).
    pub dismissed: usize,
}

impl Notice {
    /// A letter of `office` to `agency` about its report on `year`, dated `date`, numbered as the
    /// `seq`th letter of the date's year (no 文号 when `None`), with its 整改时限 from the settings.
    pub fn from_settings(office: &OfficeSettings, agency: &str, year: Option<i64>, date: &str, seq: Option<u32>) -> Notice {
        Notice {
            agency: agency.to_string(),
            year,
            issuer: office.office.clone(),
            date: date.to_string(),
            number: seq.and_then(|n| Some(office.number(year_of(date)?, n))),
            deadline: office.deadline_from(date),
            contact: office.contact.clone(),
            phone: office.phone.clone(),
            signature: office.signature_text().to_string(),
            ..Notice::default()
        }
    }

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

    /// The items the letter lists: the confirmed ones, and the others only when the letter says
    /// it includes unreviewed findings.
    pub fn listed(&self) -> Vec<&NoticeItem> {
        self.items.iter().filter(|i| i.confirmed || self.includes_unreviewed).collect()
    }

    /// The opening paragraph: what was checked and what is asked.
    pub fn opening(&self) -> String {
        let listed = self.listed();
        let errors = listed.iter().filter(|i| i.severity == "error").count();
        let warnings = listed.iter().filter(|i| i.severity == "warning").count();
        if listed.is_empty() && self.items.is_empty() {
            return format!("经检查，你单位发布的{}未发现需要整改的问题。", self.report_name());
        }
        if listed.is_empty() {
            // Problems found but none confirmed yet: nothing is put to the agency as its error.
            return format!("经检查，你单位发布的{}暂无经审核确认需要整改的问题。", self.report_name());
        }
        let counts = match (errors, warnings) {
            (e, 0) => format!("{e} 处错误"),
            (0, w) => format!("{w} 处需要核实的问题"),
            (e, w) => format!("{e} 处错误和 {w} 处需要核实的问题"),
        };
        let ask = match self.deadline.as_deref().and_then(crate::chinese_date) {
            Some(d) => format!("请于{d}前完成整改，并将整改情况报送我单位。"),
            None => "整改完成后请将整改情况报送我单位。".to_string(),
        };
        format!(
            "经检查，你单位发布的{}存在{}，不符合《中华人民共和国政府信息公开条例》和政府信息公开工作年度报告格式的要求，详见下表。请逐项核实：属于错误的，更正后重新发布；确认无误的，请书面说明理由。{ask}",
            self.report_name(),
            counts
        )
    }

    /// The sentence saying which listed items no reviewer has confirmed yet, when there are any.
    pub fn unreviewed_statement(&self) -> Option<String> {
        if !self.includes_unreviewed {
            return None;
        }
        let numbers: Vec<String> = self.listed().iter().enumerate().filter(|(_, i)| !i.confirmed).map(|(n, _)| (n + 1).to_string()).collect();
        if numbers.is_empty() {
            return None;
        }
        Some(format!(
            "需要说明的是：表中第 {} 项问题尚未经审核人员确认（已标注“待确认”），一并告知，请你单位一并核实；经核实不属于问题的，请说明情况。",
            numbers.join("、")
        ))
    }

    fn signature_text(&self) -> &str {
        if self.signature.trim().is_empty() {
            &self.issuer
        } else {
            &self.signature
        }
    }

    fn contact_line(&self) -> Option<String> {
        match (self.contact.trim(), self.phone.trim()) {
            ("", "") => None,
            (c, "") => Some(format!("联系人：{c}。")),
            ("", p) => Some(format!("联系电话：{p}。")),
            (c, p) => Some(format!("联系人：{c}；联系电话：{p}。")),
        }
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

fn problem_table(items: &[&NoticeItem]) -> Table {
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
        let kind = if item.confirmed { severity_zh(&item.severity).to_string() } else { format!("{}\n（待确认）", severity_zh(&item.severity)) };
        let texts = [(i + 1).to_string(), kind, item.rule.clone(), problem, item.place.clone(), values];
        let cells = texts.iter().zip(COLUMNS).enumerate().map(|(c, (t, (_, w)))| text_cell(t, w, c == 3 || c == 4)).collect();
        rows.push(TableRow::new(cells).cant_split());
    }
    Table::new(rows)
        .set_grid(COLUMNS.iter().map(|c| c.1).collect())
        .layout(TableLayoutType::Fixed)
        .align(TableAlignmentType::Center)
        .width(TEXT_WIDTH, WidthType::Dxa)
}

/// Appends a letter's head to `d`: its 文号 (if any) on the right, the title, and the addressee
/// (`agency：`). With `new_page` the head starts a new page.
pub(crate) fn add_letter_head(mut d: Docx, number: Option<&str>, title: &str, agency: &str, new_page: bool) -> Docx {
    let mut first = true;
    let mut page = |p: Paragraph| {
        let p = if first && new_page { p.page_break_before(true) } else { p };
        first = false;
        p
    };
    if let Some(number) = number.map(str::trim).filter(|n| !n.is_empty()) {
        d = d.add_paragraph(page(
            Paragraph::new().add_run(Run::new().add_text(number).fonts(fonts(BODY_FONT)).size(BODY_SIZE)).align(AlignmentType::Right).line_spacing(exact(560)),
        ));
    }
    d = d.add_paragraph(page(title_paragraph(title)));
    d.add_paragraph(Paragraph::new().add_run(Run::new().add_text(format!("{agency}：")).fonts(fonts(BODY_FONT)).size(BODY_SIZE)).line_spacing(exact(560)))
}

/// Appends one letter to `d`; a letter after the first starts on a new page.
fn add_letter(d: Docx, notice: &Notice, new_page: bool) -> Docx {
    let mut d = add_letter_head(d, notice.number.as_deref(), &notice.title(), &notice.agency, new_page);
    d = d.add_paragraph(body_paragraph(&notice.opening()));
    if let Some(s) = notice.unreviewed_statement() {
        d = d.add_paragraph(body_paragraph(&s));
    }
    let listed = notice.listed();
    if !listed.is_empty() {
        d = d.add_table(problem_table(&listed));
        d = d.add_paragraph(Paragraph::new().line_spacing(exact(280)));
    }
    if notice.dismissed > 0 {
        d = d.add_paragraph(body_paragraph(&format!("另有 {} 处经审核确认不属于问题，未列入本通知。", notice.dismissed)));
    }
    if let Some(c) = notice.contact_line() {
        d = d.add_paragraph(body_paragraph(&c));
    }
    d = d.add_paragraph(Paragraph::new().line_spacing(exact(560)));
    d = d.add_paragraph(right(notice.signature_text()));
    if let Some(date) = crate::chinese_date(&notice.date) {
        d = d.add_paragraph(right(&date));
    }
    d
}

pub(crate) fn pack(d: Docx) -> Result<Vec<u8>, WriteError> {
    let mut buf = std::io::Cursor::new(Vec::new());
    d.build().pack(&mut buf).map_err(|e| WriteError::Docx(e.to_string()))?;
    Ok(buf.into_inner())
}

/// The letter as DOCX bytes.
pub fn render(notice: &Notice) -> Result<Vec<u8>, WriteError> {
    pack(add_letter(blank_document(), notice, false))
}

/// The letters to several agencies in one DOCX, each starting on a new page.
pub fn render_merged(notices: &[Notice]) -> Result<Vec<u8>, WriteError> {
    if notices.is_empty() {
        return Err(WriteError::Docx("没有需要生成的整改通知".into()));
    }
    let d = notices.iter().enumerate().fold(blank_document(), |d, (i, n)| add_letter(d, n, i > 0));
    pack(d)
}

/// The letters to several agencies as a ZIP of one DOCX each, named `整改通知_<agency>.docx`.
pub fn render_batch_zip(notices: &[Notice]) -> Result<Vec<u8>, WriteError> {
    if notices.is_empty() {
        return Err(WriteError::Docx("没有需要生成的整改通知".into()));
    }
    let files = notices
        .iter()
        .map(|n| {
            let stem = match n.year {
                Some(y) if notices.iter().filter(|o| o.agency == n.agency).count() > 1 => format!("整改通知_{}_{y}", safe_file_name(&n.agency)),
                _ => format!("整改通知_{}", safe_file_name(&n.agency)),
            };
            Ok((stem, render(n)?))
        })
        .collect::<Result<Vec<_>, WriteError>>()?;
    zip_files(files)
}

/// A file name from free text: no path separators, reserved or control characters, no leading
/// dot, at most 80 characters; never empty.
pub fn safe_file_name(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| if c.is_control() || matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|') { '_' } else { c })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let cleaned = cleaned.trim_matches(|c: char| c == '.' || c == ' ' || c == '_');
    let cut: String = cleaned.chars().take(80).collect();
    if cut.is_empty() {
        "未命名机关".into()
    } else {
        cut
    }
}

/// A ZIP of DOCX files named `<stem>.docx`; stems made safe and, when two end up the same,
/// numbered (`…_2.docx`).
pub(crate) fn zip_files(files: Vec<(String, Vec<u8>)>) -> Result<Vec<u8>, WriteError> {
    use std::io::Write;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    let mut used = std::collections::HashSet::new();
    let zerr = |e: &dyn std::fmt::Display| WriteError::Docx(format!("打包 ZIP 失败：{e}"));
    for (stem, bytes) in files {
        let base = safe_file_name(&stem);
        let mut name = format!("{base}.docx");
        let mut k = 2;
        while !used.insert(name.clone()) {
            name = format!("{base}_{k}.docx");
            k += 1;
        }
        zip.start_file(name, options).map_err(|e| zerr(&e))?;
        zip.write_all(&bytes).map_err(|e| zerr(&e))?;
    }
    Ok(zip.finish().map_err(|e| zerr(&e))?.into_inner())
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
            confirmed: true,
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
            ..Notice::default()
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
