//! The 催报通知: the letter an office sends an agency whose annual report it has not found
//! published by the statutory date (条例 Art. 49: departments by 31 January, the
//! government-wide report of a 县级以上地方人民政府 by 31 March of the next year).

use crate::notice::{add_letter_head, pack, zip_files, OfficeSettings};
use crate::render_docx::{blank_document, body_paragraph, exact, right};
use crate::WriteError;
use docx_rs::{Docx, Paragraph};
use nianbao_check::agency::{self, BodyKind};

/// Everything a reminder says.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Reminder {
    /// The agency the letter is addressed to.
    pub agency: String,
    /// The report year (the report is due the next year).
    pub year: i32,
    /// Who sends it (发文机关).
    pub issuer: String,
    /// 文号.
    pub number: Option<String>,
    /// The statutory date the report was due, `YYYY-MM-DD`.
    pub due_date: String,
    /// The date of the letter, `YYYY-MM-DD`.
    pub date: String,
    /// By when the agency is asked to publish, `YYYY-MM-DD`.
    pub deadline: Option<String>,
    pub contact: String,
    pub phone: String,
    /// 落款 (empty: the issuer).
    pub signature: String,
}

/// The statutory date by which `agency` publishes its report on `year`, from its name: 31 March
/// of the next year for a 人民政府, 31 January for a department. A township (乡镇、街道) has no
/// national date; the later one is used so that no reminder goes out before anyone's deadline.
pub fn statutory_due_date(agency_name: &str, year: i32) -> String {
    match agency::kind(agency_name) {
        BodyKind::Department => format!("{}-01-31", year + 1),
        BodyKind::Government | BodyKind::Township => format!("{}-03-31", year + 1),
    }
}

impl Reminder {
    /// A reminder of `office` to `agency` about its report on `year`, dated `date`, numbered as
    /// the `seq`th letter of the date's year (no 文号 when `None`).
    pub fn from_settings(office: &OfficeSettings, agency: &str, year: i32, date: &str, seq: Option<u32>) -> Reminder {
        Reminder {
            agency: agency.to_string(),
            year,
            issuer: office.office.clone(),
            number: seq.and_then(|n| Some(office.number(date.get(..4)?.parse().ok()?, n))),
            due_date: statutory_due_date(agency, year),
            date: date.to_string(),
            deadline: office.deadline_from(date),
            contact: office.contact.clone(),
            phone: office.phone.clone(),
            signature: office.signature_text().to_string(),
        }
    }

    pub fn title(&self) -> String {
        format!("关于督促发布{}年政府信息公开工作年度报告的通知", self.year)
    }

    /// What the law asks and by when, what the office found, what it asks now.
    pub fn body(&self) -> Vec<String> {
        let due = crate::chinese_date(&self.due_date).unwrap_or_else(|| self.due_date.clone());
        let law = match agency::kind(&self.agency) {
            BodyKind::Department => "《中华人民共和国政府信息公开条例》第四十九条规定，县级以上人民政府部门应当在每年1月31日前，向本级政府信息公开工作主管部门提交本行政机关上一年度政府信息公开工作年度报告并向社会公布。",
            _ => "《中华人民共和国政府信息公开条例》第四十九条规定，县级以上地方人民政府的政府信息公开工作主管部门应当在每年3月31日前向社会公布本级政府上一年度政府信息公开工作年度报告。",
        };
        let late = match (chrono_date(&self.date), chrono_date(&self.due_date)) {
            (Some(d), Some(due_d)) if d > due_d => format!("已超过法定发布期限（{due}）{} 天", (d - due_d).num_days()),
            _ => format!("法定发布期限为{due}"),
        };
        let today = crate::chinese_date(&self.date).unwrap_or_else(|| self.date.clone());
        let mut out = vec![
            law.to_string(),
            format!("截至{today}，我单位未查询到你单位公开发布的《{}{}年政府信息公开工作年度报告》，{late}。", self.agency, self.year),
        ];
        out.push(match self.deadline.as_deref().and_then(crate::chinese_date) {
            Some(d) => format!("请你单位高度重视，于{d}前按照国办公开办函〔2021〕30号规定的格式编制并在本机关政府网站公开发布年度报告，同时将发布网址报送我单位。如已发布，请及时报送发布网址。"),
            None => "请你单位高度重视，尽快按照国办公开办函〔2021〕30号规定的格式编制并在本机关政府网站公开发布年度报告，同时将发布网址报送我单位。如已发布，请及时报送发布网址。".to_string(),
        });
        match (self.contact.trim(), self.phone.trim()) {
            ("", "") => {}
            (c, "") => out.push(format!("联系人：{c}。")),
            ("", p) => out.push(format!("联系电话：{p}。")),
            (c, p) => out.push(format!("联系人：{c}；联系电话：{p}。")),
        }
        out
    }
}

fn chrono_date(s: &str) -> Option<chrono::NaiveDate> {
    chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok()
}

fn add_reminder(d: Docx, r: &Reminder, new_page: bool) -> Docx {
    let mut d = add_letter_head(d, r.number.as_deref(), &r.title(), &r.agency, new_page);
    for p in r.body() {
        d = d.add_paragraph(body_paragraph(&p));
    }
    d = d.add_paragraph(Paragraph::new().line_spacing(exact(560)));
    d = d.add_paragraph(right(if r.signature.trim().is_empty() { &r.issuer } else { &r.signature }));
    if let Some(date) = crate::chinese_date(&r.date) {
        d = d.add_paragraph(right(&date));
    }
    d
}

/// The reminder as DOCX bytes.
pub fn render_reminder(r: &Reminder) -> Result<Vec<u8>, WriteError> {
    pack(add_reminder(blank_document(), r, false))
}

/// Reminders to several agencies as a ZIP of one DOCX each, named `催报通知_<agency>.docx`.
pub fn render_reminders_zip(reminders: &[Reminder]) -> Result<Vec<u8>, WriteError> {
    if reminders.is_empty() {
        return Err(WriteError::Docx("没有需要生成的催报通知".into()));
    }
    let files = reminders.iter().map(|r| Ok((format!("催报通知_{}", crate::notice::safe_file_name(&r.agency)), render_reminder(r)?))).collect::<Result<Vec<_>, WriteError>>()?;
    zip_files(files)
}

/// Reminders to several agencies in one DOCX, each starting on a new page.
pub fn render_reminders_merged(reminders: &[Reminder]) -> Result<Vec<u8>, WriteError> {
    if reminders.is_empty() {
        return Err(WriteError::Docx("没有需要生成的催报通知".into()));
    }
    pack(reminders.iter().enumerate().fold(blank_document(), |d, (i, r)| add_reminder(d, r, i > 0)))
}
