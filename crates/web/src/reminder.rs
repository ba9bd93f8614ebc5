//! The 催报通知: one letter to the agencies of a region that have not published their report of
//! the year, from the status board. The letter is drawn here with docx-rs in the office style of
//! the other letters (A4, 小标宋 title, 仿宋 body) until `nianbao_write::notice::render_reminder`
//! replaces `render`; the handler only gathers the agencies and the office's settings.

use crate::auth::Auth;
use crate::{AppState, WebError};
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use docx_rs::{AlignmentType, Docx, LineSpacing, LineSpacingType, PageMargin, Paragraph, Run, RunFonts};
use serde::Deserialize;

/// What a 催报通知 says.
#[derive(Debug, Clone, PartialEq)]
pub struct Reminder {
    pub year: i32,
    /// The agencies that have not published, each with its deadline in words.
    pub agencies: Vec<(String, String)>,
    pub settings: crate::letters::Settings,
    /// The letter's date in words (`2026年1月20日`).
    pub date: String,
}

impl Reminder {
    pub fn title(&self) -> String {
        format!("关于抓紧发布{}年政府信息公开工作年度报告的催报通知", self.year)
    }
}

fn font(name: &str) -> RunFonts {
    RunFonts::new().east_asia(name).ascii(name).hi_ansi(name)
}

fn line(text: &str, indent: bool) -> Paragraph {
    let p = Paragraph::new().add_run(Run::new().add_text(text).fonts(font("仿宋_GB2312")).size(32)).line_spacing(LineSpacing::new().line_rule(LineSpacingType::Exact).line(560));
    if indent {
        p.indent(None, Some(docx_rs::SpecialIndentType::FirstLine(640)), None, None)
    } else {
        p
    }
}

/// The letter as DOCX bytes.
pub fn render(r: &Reminder) -> Result<Vec<u8>, WebError> {
    let mut d = Docx::new()
        .page_size(11906, 16838)
        .page_margin(PageMargin::new().top(2098).bottom(1984).left(1588).right(1474))
        .add_paragraph(
            Paragraph::new()
                .add_run(Run::new().add_text(r.title()).fonts(font("方正小标宋简体")).size(44))
                .align(AlignmentType::Center)
                .line_spacing(LineSpacing::new().line_rule(LineSpacingType::Exact).line(700).after(300)),
        )
        .add_paragraph(line("各有关单位：", false))
        .add_paragraph(line(
            &format!(
                "根据《中华人民共和国政府信息公开条例》第四十九条，县级以上人民政府部门应当在每年1月31日前、县级以上地方人民政府应当在每年3月31日前公布本机关上一年度政府信息公开工作年度报告。经查，截至{}，下列单位尚未发布{}年度报告：",
                r.date, r.year
            ),
            true,
        ));
    for (i, (agency, deadline)) in r.agencies.iter().enumerate() {
        d = d.add_paragraph(line(&format!("{}. {}（{}）", i + 1, agency, deadline), true));
    }
    let days = r.settings.deadline_days;
    d = d.add_paragraph(line(&format!("请上述单位于本通知印发之日起{days}个工作日内发布年度报告，并将发布网址报送我单位。"), true));
    let contact: Vec<String> = [("联系人", &r.settings.contact), ("联系电话", &r.settings.phone)].iter().filter(|(_, v)| !v.trim().is_empty()).map(|(k, v)| format!("{k}：{v}")).collect();
    if !contact.is_empty() {
        d = d.add_paragraph(line(&contact.join("；"), true));
    }
    d = d.add_paragraph(line("", false));
    let office = Some(r.settings.office.clone()).filter(|o| !o.trim().is_empty()).unwrap_or_else(|| "政务公开办".into());
    for text in [office.as_str(), r.date.as_str()] {
        d = d.add_paragraph(line(text, false).align(AlignmentType::Right));
    }
    for l in r.settings.signature.lines().filter(|l| !l.trim().is_empty()) {
        d = d.add_paragraph(line(l, false).align(AlignmentType::Right));
    }
    let mut buf = std::io::Cursor::new(Vec::new());
    d.build().pack(&mut buf).map_err(|e| WebError::Internal(format!("无法生成催报通知：{e}")))?;
    Ok(buf.into_inner())
}

#[derive(Deserialize, Default)]
pub struct ReminderParams {
    #[serde(default)]
    pub year: Option<String>,
    #[serde(default)]
    pub region: Option<i64>,
}

/// `/reminders?year=&region=`: the 催报通知 to every agency of the region without a report.
pub async fn reminders(State(state): State<AppState>, auth: Auth, Query(p): Query<ReminderParams>) -> Result<Response, WebError> {
    auth.require_office()?;
    let scope = crate::cycle::region_scope(&state, &auth, p.region).await?;
    let year = p.year.as_deref().and_then(|y| y.trim().parse::<i32>().ok()).unwrap_or_else(crate::cycle::year_under_review);
    let agencies: Vec<(String, String)> = state
        .store
        .status_board(scope, year)
        .await?
        .into_iter()
        .filter(|r| r.report_id.is_none())
        .map(|r| (r.agency, r.deadline.map(|d| format!("应于{}前发布", crate::cycle::china_date(d))).unwrap_or_else(|| "无全国统一期限".into())))
        .collect();
    if agencies.is_empty() {
        return Err(WebError::BadRequest(format!("{year} 年度所有机关均已发布年度报告，无需催报")));
    }
    let reminder = Reminder { year, agencies, settings: crate::letters::settings(&state).await?, date: crate::cycle::china_date(crate::cycle::china_today()) };
    let bytes = render(&reminder)?;
    let name = format!("催报通知-{year}.docx");
    let disposition = format!("attachment; filename=\"reminder.docx\"; filename*=UTF-8''{}", crate::auth::url_encode(&name));
    Ok(([(header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.wordprocessingml.document".to_string()), (header::CONTENT_DISPOSITION, disposition)], bytes).into_response())
}
