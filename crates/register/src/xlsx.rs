//! Registers as agencies keep them in Excel: import (calamine), the blank template and the
//! export with computed deadlines (rust_xlsxwriter).
//!
//! Columns are recognised by meaning, not position: a header is normalised (spaces, brackets and
//! `*` dropped) and matched against each column's names, exactly first, then by the longest name
//! it contains. Dates may be typed as `2024-3-5`, `2024年3月5日`, `2024.03.05`, `2024/3/5` or
//! be Excel dates (serial numbers). Outcomes are written in words, as the row labels of 表三.
//! Every sheet whose header row is recognised is read (one sheet per year is common).

use crate::model::{ApplicantType, Application, CaseKind, CaseResult, Consult, Event, EventKind, Outcome};
use crate::RegisterError;
use calamine::{Data, Reader};
use chrono::{Days, NaiveDate};
use nianbao_calendar::{parse_date, Calendar};
use nianbao_deadline::{compute, Channel, Settings};
use rust_xlsxwriter::{DataValidation, Format, FormatAlign, Formula, Workbook};

/// The columns of a register, in template order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Col {
    Number,
    ApplicantType,
    Applicant,
    Channel,
    Received,
    Summary,
    CorrectionRequested,
    CorrectionPeriod,
    CorrectionReceived,
    ThirdPartyStart,
    ThirdPartyEnd,
    OrganStart,
    OrganEnd,
    ExtensionDate,
    ExtensionDays,
    ExtensionApprover,
    FeeNotice,
    FeeAmount,
    FeePaid,
    ReasonRequested,
    LaterDateSet,
    LaterDate,
    ReplyDate,
    Outcome,
    SupplementaryReply,
    ReviewFiled,
    ReviewDecided,
    ReviewResult,
    LitigationFiled,
    LitigationDecided,
    LitigationResult,
    LitigationAfterReview,
}

struct ColDef {
    col: Col,
    /// The header the template prints.
    header: &'static str,
    /// Other names registers use (normalised form).
    names: &'static [&'static str],
    date: bool,
    help: &'static str,
}

const fn c(col: Col, header: &'static str, names: &'static [&'static str], date: bool, help: &'static str) -> ColDef {
    ColDef { col, header, names, date, help }
}

const COLS: &[ColDef] = &[
    c(Col::Number, "申请编号", &["编号", "登记号", "登记编号", "受理编号", "受理号", "流水号", "序号", "申请序号"], false, "本机关的登记编号，不能重复（必填）"),
    c(Col::ApplicantType, "申请人类型", &["申请人类别", "申请人性质", "申请人情况", "申请主体类型", "申请主体"], false, "自然人、商业企业、科研机构、社会公益组织、法律服务机构、其他（必填）"),
    c(Col::Applicant, "申请人", &["申请人姓名", "申请人名称", "申请人姓名或名称", "姓名"], false, "可不填"),
    c(Col::Channel, "申请方式", &["申请渠道", "提交方式", "收到方式", "渠道", "方式"], false, "当面提交、邮政寄送、平常信函、网络申请、传真、电子邮件、其他"),
    c(Col::Received, "收到申请日期", &["收到日期", "收到申请时间", "收件日期", "受理日期", "申请日期", "登记日期", "收到时间"], true, "按条例第三十一条确定的收到日期（必填）"),
    c(Col::Summary, "申请内容", &["申请内容摘要", "内容摘要", "所需信息", "申请信息内容", "摘要", "内容"], false, "所需政府信息的简要描述"),
    c(Col::CorrectionRequested, "补正通知日期", &["补正告知日期", "告知补正日期", "通知补正日期"], true, "一次性告知补正的日期（收到申请后 7 个工作日内）"),
    c(Col::CorrectionPeriod, "补正期限（工作日）", &["补正期限", "补正工作日"], false, "给申请人的补正期限，工作日数"),
    c(Col::CorrectionReceived, "收到补正日期", &["补正收到日期", "补正后收到日期", "收到补正申请日期"], true, "答复期限自此日重新计算"),
    c(Col::ThirdPartyStart, "征求第三方意见日期", &["征求第三方意见开始日期", "书面征求第三方意见日期"], true, "第三十二条"),
    c(Col::ThirdPartyEnd, "第三方答复日期", &["征求第三方意见结束日期", "第三方意见收到日期"], true, "征求意见的时间不计入答复期限"),
    c(Col::OrganStart, "征求其他机关意见日期", &["征求其他机关意见开始日期", "征求协办机关意见日期"], true, "第三十四条"),
    c(Col::OrganEnd, "其他机关答复日期", &["征求其他机关意见结束日期", "协办机关答复日期"], true, "征求意见的时间不计入答复期限"),
    c(Col::ExtensionDate, "延期批准日期", &["延期日期", "延期答复日期", "延长答复期限日期", "延期告知日期"], true, "经政府信息公开工作机构负责人同意并告知申请人的日期"),
    c(Col::ExtensionDays, "延期工作日数", &["延期天数", "延长工作日", "延长工作日数", "延期工作日"], false, "最多 20 个工作日"),
    c(Col::ExtensionApprover, "延期批准人", &["批准人", "延期审批人"], false, "政府信息公开工作机构负责人"),
    c(Col::FeeNotice, "收费通知日期", &["发出收费通知日期", "收费通知书日期"], true, "缴费时间不计入答复期限"),
    c(Col::FeeAmount, "收费金额（元）", &["收费金额", "信息处理费", "收费"], false, "元"),
    c(Col::FeePaid, "缴费日期", &["缴纳费用日期", "缴费时间"], true, "收费通知后 20 个工作日内"),
    c(Col::ReasonRequested, "要求说明理由日期", &["要求说明理由", "说明理由日期"], true, "第三十五条"),
    c(Col::LaterDateSet, "确定延后答复日期", &["延后答复告知日期"], true, "第三十五条：确定并告知延后答复期限的日期"),
    c(Col::LaterDate, "延后答复期限", &["确定的答复期限", "延后答复截止日期"], true, "第三十五条确定的答复期限"),
    c(Col::ReplyDate, "答复日期", &["办结日期", "回复日期", "答复时间", "办结时间", "处理日期"], true, "答复、视为放弃或撤回的日期"),
    c(Col::Outcome, "办理结果", &["答复结果", "处理结果", "答复类型", "办理结果类型", "答复情况", "结果"], false, "按年报表三的行填写，如“予以公开”“（三）1.属于国家秘密”"),
    c(Col::SupplementaryReply, "补充答复日期", &["补充答复"], true, ""),
    c(Col::ReviewFiled, "行政复议申请日期", &["复议申请日期", "申请复议日期", "复议日期"], true, "表四"),
    c(Col::ReviewDecided, "行政复议结案日期", &["复议结案日期", "复议决定日期"], true, "空白：尚未审结"),
    c(Col::ReviewResult, "行政复议结果", &["复议结果"], false, "维持、纠正、其他"),
    c(Col::LitigationFiled, "行政诉讼起诉日期", &["起诉日期", "诉讼日期", "行政诉讼日期"], true, "表四"),
    c(Col::LitigationDecided, "行政诉讼结案日期", &["诉讼结案日期", "判决日期", "裁判日期"], true, "空白：尚未审结"),
    c(Col::LitigationResult, "行政诉讼结果", &["诉讼结果", "判决结果"], false, "维持、纠正、其他"),
    c(Col::LitigationAfterReview, "是否复议后起诉", &["复议后起诉", "经复议后起诉"], false, "是：复议后起诉；否或空白：未经复议直接起诉"),
];

fn def(col: Col) -> &'static ColDef {
    COLS.iter().find(|d| d.col == col).expect("every column is defined")
}

/// Drops spaces, `*`, and bracketed notes ("（工作日）", "(必填)").
fn normalise(h: &str) -> String {
    let mut out = String::new();
    let mut depth = 0;
    for ch in h.chars() {
        match ch {
            '（' | '(' | '【' | '[' => depth += 1,
            '）' | ')' | '】' | ']' => depth = (depth - 1).max(0),
            _ if depth > 0 => {}
            c if c.is_whitespace() || c == '*' || c == '＊' || c == ':' || c == '：' => {}
            c => out.push(c),
        }
    }
    out
}

/// The column a header means, if any.
pub fn recognise(header: &str) -> Option<Col> {
    let h = normalise(header);
    if h.is_empty() {
        return None;
    }
    for d in COLS {
        if normalise(d.header) == h || d.names.contains(&h.as_str()) {
            return Some(d.col);
        }
    }
    // The longest name contained in the header wins ("申请人类型（自然人/法人）" → 申请人类型).
    let mut best: Option<(usize, Col)> = None;
    for d in COLS {
        for name in d.names.iter().copied().chain(std::iter::once(d.header)) {
            let n = normalise(name);
            if n.chars().count() >= 2 && h.contains(&n) && best.is_none_or(|(l, _)| n.len() > l) {
                best = Some((n.len(), d.col));
            }
        }
    }
    best.map(|(_, c)| c)
}

/// Excel's column letters for a 0-based index.
pub fn column_letter(mut i: usize) -> String {
    let mut s = Vec::new();
    loop {
        s.push((b'A' + (i % 26) as u8) as char);
        if i < 26 {
            break;
        }
        i = i / 26 - 1;
    }
    s.iter().rev().collect()
}

/// A bad cell or row, by sheet, row (1-based, as Excel shows it) and column.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("工作表“{sheet}”第 {row} 行{}：{message}", column.as_ref().map(|(l, h)| format!(" {l} 列（{h}）")).unwrap_or_default())]
pub struct RowError {
    pub sheet: String,
    pub row: usize,
    /// Column letter and header.
    pub column: Option<(String, String)>,
    pub message: String,
}

/// A row that could not be imported, with its cells as text (to write back for correction).
#[derive(Debug, Clone, PartialEq)]
pub struct BadRow {
    pub sheet: String,
    pub row: usize,
    pub headers: Vec<String>,
    pub cells: Vec<String>,
    pub errors: Vec<RowError>,
}

/// What a workbook holds.
#[derive(Debug, Clone, Default)]
pub struct ParsedRegister {
    /// Good applications with their sheet and row.
    pub applications: Vec<(Application, String, usize)>,
    pub bad: Vec<BadRow>,
    /// Headers that were not recognised (sheet, header): ignored.
    pub ignored: Vec<(String, String)>,
    /// Sheets without a recognisable header row (skipped).
    pub skipped_sheets: Vec<String>,
}

impl ParsedRegister {
    pub fn errors(&self) -> impl Iterator<Item = &RowError> {
        self.bad.iter().flat_map(|b| b.errors.iter())
    }
}

fn cell_text(d: &Data) -> String {
    match d {
        Data::Empty => String::new(),
        Data::String(s) => s.trim().to_string(),
        Data::Float(x) if x.fract() == 0.0 => format!("{}", *x as i64),
        Data::Float(x) => x.to_string(),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => if *b { "是" } else { "否" }.into(),
        Data::DateTime(dt) => serial_to_date(dt.as_f64()).map(|d| d.to_string()).unwrap_or_else(|| dt.as_f64().to_string()),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("#{e:?}"),
    }
}

fn excel_epoch() -> NaiveDate {
    NaiveDate::from_ymd_opt(1899, 12, 30).expect("valid")
}

/// An Excel serial date (1900 system) as a date; only plausible register dates (1960–2200).
pub fn serial_to_date(x: f64) -> Option<NaiveDate> {
    if !(21916.0..=109574.0).contains(&x) {
        return None;
    }
    excel_epoch().checked_add_days(Days::new(x.floor() as u64))
}

pub fn date_to_serial(d: NaiveDate) -> f64 {
    (d - excel_epoch()).num_days() as f64
}

/// Reads a date cell in any of the forms people type.
fn cell_date(d: &Data) -> Result<Option<NaiveDate>, String> {
    match d {
        Data::Empty => Ok(None),
        Data::DateTime(dt) => serial_to_date(dt.as_f64()).map(Some).ok_or_else(|| format!("日期超出范围（{}）", dt.as_f64())),
        Data::Float(x) => serial_to_date(*x).map(Some).ok_or_else(|| format!("“{x}”不是日期")),
        Data::Int(i) => serial_to_date(*i as f64).map(Some).ok_or_else(|| format!("“{i}”不是日期")),
        Data::DateTimeIso(s) => parse_date(s.get(..10).unwrap_or(s)).map(Some).ok_or_else(|| format!("日期“{s}”无法识别")),
        Data::String(s) => {
            let t = s.trim();
            if t.is_empty() || t == "-" || t == "/" || t == "—" || t == "无" {
                return Ok(None);
            }
            // "2024-03-05 00:00:00", "2024-3-5", "2024年3月5日", "2024.03.05", or a serial typed as text.
            let first = t.split_whitespace().next().unwrap_or(t);
            if let Some(d) = parse_date(first) {
                return Ok(Some(d));
            }
            if let Ok(x) = first.parse::<f64>() {
                if let Some(d) = serial_to_date(x) {
                    return Ok(Some(d));
                }
            }
            Err(format!("日期“{t}”无法识别（可写 2024-3-5、2024年3月5日、2024.03.05 或 Excel 日期）"))
        }
        other => Err(format!("“{}”不是日期", cell_text(other))),
    }
}

fn cell_days(d: &Data) -> Result<Option<u32>, String> {
    let t = cell_text(d);
    let t = t.trim().trim_end_matches("个工作日").trim_end_matches("工作日").trim_end_matches('天').trim();
    if t.is_empty() {
        return Ok(None);
    }
    t.parse::<u32>().map(Some).map_err(|_| format!("“{t}”不是工作日数"))
}

fn cell_amount(d: &Data) -> Result<Option<f64>, String> {
    match d {
        Data::Float(x) => Ok(Some(*x)),
        Data::Int(i) => Ok(Some(*i as f64)),
        _ => {
            let t = cell_text(d);
            let t = t.trim().trim_end_matches('元').replace(',', "");
            if t.is_empty() {
                return Ok(None);
            }
            t.parse::<f64>().map(Some).map_err(|_| format!("“{t}”不是金额"))
        }
    }
}

/// Finds the header row: among the first 10, the one with the most recognised columns (at
/// least the number, applicant type and receipt date).
fn header_row(range: &calamine::Range<Data>) -> Option<(usize, Vec<Option<Col>>)> {
    let (h, w) = range.get_size();
    let mut best: Option<(usize, Vec<Option<Col>>, usize)> = None;
    for r in 0..h.min(10) {
        let cols: Vec<Option<Col>> = (0..w).map(|c| range.get((r, c)).map(cell_text).and_then(|t| recognise(&t))).collect();
        let n = cols.iter().flatten().count();
        let has = |x: Col| cols.contains(&Some(x));
        if has(Col::Number) && has(Col::ApplicantType) && has(Col::Received) && best.as_ref().is_none_or(|b| n > b.2) {
            best = Some((r, cols, n));
        }
    }
    best.map(|(r, cols, _)| (r, cols))
}

/// Reads a register workbook. Nothing is decided here about partial imports: the caller gets
/// the good applications and the bad rows and chooses.
pub fn read_register(file: &str, bytes: &[u8]) -> Result<ParsedRegister, RegisterError> {
    let mut wb = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes.to_vec()))
        .map_err(|e| RegisterError::File { file: file.to_string(), reason: format!("不是可读取的 Excel 文件（{e}）") })?;
    let mut out = ParsedRegister::default();
    let mut numbers: std::collections::HashMap<String, (String, usize)> = std::collections::HashMap::new();
    for sheet in wb.sheet_names() {
        let range = wb.worksheet_range(&sheet).map_err(|e| RegisterError::File { file: file.to_string(), reason: format!("无法读取工作表“{sheet}”：{e}") })?;
        let Some((hr, cols)) = header_row(&range) else {
            out.skipped_sheets.push(sheet.clone());
            continue;
        };
        let (h, w) = range.get_size();
        // The range starts at the first used cell: positions are relative to it.
        let (r0, c0) = range.start().map(|(r, c)| (r as usize, c as usize)).unwrap_or((0, 0));
        let headers: Vec<String> = (0..w).map(|c| range.get((hr, c)).map(cell_text).unwrap_or_default()).collect();
        for (i, col) in cols.iter().enumerate() {
            if col.is_none() && !headers[i].trim().is_empty() {
                out.ignored.push((sheet.clone(), headers[i].clone()));
            }
        }
        // A column recognised twice: the first one counts, the others are ignored.
        let mut seen = std::collections::HashSet::new();
        let cols: Vec<Option<Col>> = cols.into_iter().map(|c| c.filter(|c| seen.insert(*c))).collect();
        for r in hr + 1..h {
            let row: Vec<&Data> = (0..w).map(|c| range.get((r, c)).unwrap_or(&Data::Empty)).collect();
            if row.iter().all(|d| cell_text(d).is_empty()) {
                continue;
            }
            let excel_row = r0 + r + 1;
            match read_row(&sheet, excel_row, c0, &headers, &cols, &row) {
                Ok(app) => {
                    if let Some((s, prev)) = numbers.get(&app.number) {
                        let err = RowError {
                            sheet: sheet.clone(),
                            row: excel_row,
                            column: cols.iter().position(|c| *c == Some(Col::Number)).map(|i| (column_letter(c0 + i), headers[i].clone())),
                            message: format!("申请编号“{}”与工作表“{s}”第 {prev} 行重复", app.number),
                        };
                        out.bad.push(BadRow { sheet: sheet.clone(), row: excel_row, headers: headers.clone(), cells: row.iter().map(|d| cell_text(d)).collect(), errors: vec![err] });
                    } else {
                        numbers.insert(app.number.clone(), (sheet.clone(), excel_row));
                        out.applications.push((app, sheet.clone(), excel_row));
                    }
                }
                Err(errors) => out.bad.push(BadRow { sheet: sheet.clone(), row: excel_row, headers: headers.clone(), cells: row.iter().map(|d| cell_text(d)).collect(), errors }),
            }
        }
    }
    if out.applications.is_empty() && out.bad.is_empty() && !out.skipped_sheets.is_empty() && wb.sheet_names().len() == out.skipped_sheets.len() {
        return Err(RegisterError::File {
            file: file.to_string(),
            reason: "没有找到台账的表头行（至少须有“申请编号”“申请人类型”“收到申请日期”三列；可用 nianbao register template 生成模板）".into(),
        });
    }
    Ok(out)
}

fn read_row(sheet: &str, row: usize, c0: usize, headers: &[String], cols: &[Option<Col>], cells: &[&Data]) -> Result<Application, Vec<RowError>> {
    let mut errors = Vec::new();
    let idx = |c: Col| cols.iter().position(|x| *x == Some(c));
    let err_at = |c: Col, message: String| RowError {
        sheet: sheet.to_string(),
        row,
        column: idx(c).map(|i| (column_letter(c0 + i), headers[i].clone())),
        message,
    };
    let get = |c: Col| idx(c).map(|i| cells[i]).unwrap_or(&Data::Empty);
    let text = |c: Col| cell_text(get(c));
    let date = |c: Col, errors: &mut Vec<RowError>| match cell_date(get(c)) {
        Ok(d) => d,
        Err(m) => {
            errors.push(err_at(c, m));
            None
        }
    };
    let number = text(Col::Number);
    if number.is_empty() {
        errors.push(err_at(Col::Number, "申请编号为空".into()));
    }
    let applicant_type = match ApplicantType::from_words(&text(Col::ApplicantType)) {
        Some(t) => Some(t),
        None => {
            let t = text(Col::ApplicantType);
            errors.push(err_at(Col::ApplicantType, if t.is_empty() { "申请人类型为空".into() } else { format!("申请人类型“{t}”无法识别（应为自然人、商业企业、科研机构、社会公益组织、法律服务机构或其他）") }));
            None
        }
    };
    let channel = match text(Col::Channel) {
        t if t.is_empty() => Channel::Other,
        t => Channel::from_words(&t).unwrap_or_else(|| {
            errors.push(err_at(Col::Channel, format!("申请方式“{t}”无法识别")));
            Channel::Other
        }),
    };
    let received = date(Col::Received, &mut errors);
    if received.is_none() && !errors.iter().any(|e| e.column.as_ref().is_some_and(|(_, h)| idx(Col::Received).is_some_and(|i| headers[i] == *h))) {
        errors.push(err_at(Col::Received, "收到申请日期为空".into()));
    }
    let mut events: Vec<Event> = Vec::new();
    fn put(events: &mut Vec<Event>, d: Option<NaiveDate>, k: EventKind) {
        if let Some(d) = d {
            events.push(Event::new(d, k));
        }
    }
    let period = cell_days(get(Col::CorrectionPeriod)).unwrap_or_else(|m| {
        errors.push(err_at(Col::CorrectionPeriod, m));
        None
    });
    let cr = date(Col::CorrectionRequested, &mut errors);
    if cr.is_none() && period.is_some() {
        errors.push(err_at(Col::CorrectionRequested, "填了补正期限却没有补正通知日期".into()));
    }
    put(&mut events, cr, EventKind::CorrectionRequested { period_days: period });
    let v = date(Col::CorrectionReceived, &mut errors);
    put(&mut events, v, EventKind::CorrectionReceived);
    for (s, e, with) in [(Col::ThirdPartyStart, Col::ThirdPartyEnd, Consult::ThirdParty), (Col::OrganStart, Col::OrganEnd, Consult::OtherOrgan)] {
        let (ds, de) = (date(s, &mut errors), date(e, &mut errors));
        if ds.is_none() && de.is_some() {
            errors.push(err_at(s, "有答复日期却没有征求意见日期".into()));
        }
        put(&mut events, ds, EventKind::ConsultationStarted { with });
        put(&mut events, de, EventKind::ConsultationEnded { with });
    }
    let ext = date(Col::ExtensionDate, &mut errors);
    let days = cell_days(get(Col::ExtensionDays)).unwrap_or_else(|m| {
        errors.push(err_at(Col::ExtensionDays, m));
        None
    });
    match (ext, days) {
        (Some(_), None) => errors.push(err_at(Col::ExtensionDays, "有延期批准日期却没有延期工作日数".into())),
        (None, Some(_)) => errors.push(err_at(Col::ExtensionDate, "有延期工作日数却没有延期批准日期".into())),
        _ => {}
    }
    let approver = Some(text(Col::ExtensionApprover)).filter(|s| !s.is_empty());
    put(&mut events, ext, EventKind::ExtensionApproved { days: days.unwrap_or(0), approver });
    let fee = date(Col::FeeNotice, &mut errors);
    let amount = cell_amount(get(Col::FeeAmount)).unwrap_or_else(|m| {
        errors.push(err_at(Col::FeeAmount, m));
        None
    });
    put(&mut events, fee, EventKind::FeeNotice { amount_yuan: amount });
    let paid = date(Col::FeePaid, &mut errors);
    put(&mut events, paid, EventKind::FeePaid);
    let rr = date(Col::ReasonRequested, &mut errors);
    put(&mut events, rr, EventKind::ReasonRequested);
    let (lset, luntil) = (date(Col::LaterDateSet, &mut errors), date(Col::LaterDate, &mut errors));
    if let Some(until) = luntil {
        // The day it was fixed defaults to the day reasons were asked, else to receipt.
        put(&mut events, lset.or(rr).or(received), EventKind::LaterDateSet { until });
    }
    let reply = date(Col::ReplyDate, &mut errors);
    let outcome_text = text(Col::Outcome);
    let outcome = if outcome_text.is_empty() {
        None
    } else {
        match Outcome::from_words(&outcome_text) {
            Some(o) => Some(o),
            None => {
                errors.push(err_at(Col::Outcome, format!("办理结果“{outcome_text}”无法识别（请按年报表三的行名填写，如“予以公开”“（四）1.本机关不掌握相关政府信息”）")));
                None
            }
        }
    };
    match (reply, outcome) {
        (Some(d), Some(o)) => {
            let kind = if o == Outcome::OtherNoCorrection && cr.is_some() && v.is_none() {
                EventKind::CorrectionLapsed
            } else if o == Outcome::OtherUnpaidFee && fee.is_some() && paid.is_none() {
                EventKind::FeeLapsed
            } else if o == Outcome::OtherOther && outcome_text.contains("撤回") {
                EventKind::Withdrawn
            } else {
                EventKind::Replied { outcome: o }
            };
            events.push(Event::new(d, kind));
        }
        (Some(_), None) if outcome_text.is_empty() => errors.push(err_at(Col::Outcome, "有答复日期却没有办理结果".into())),
        (None, Some(_)) => errors.push(err_at(Col::ReplyDate, "有办理结果却没有答复日期".into())),
        _ => {}
    }
    let sup = date(Col::SupplementaryReply, &mut errors);
    put(&mut events, sup, EventKind::SupplementaryReply);
    let after_review = matches!(text(Col::LitigationAfterReview).as_str(), "是" | "Y" | "y" | "yes" | "复议后起诉" | "√");
    for (filed, decided, result, kind) in [
        (Col::ReviewFiled, Col::ReviewDecided, Col::ReviewResult, CaseKind::Review),
        (Col::LitigationFiled, Col::LitigationDecided, Col::LitigationResult, if after_review { CaseKind::LitigationAfterReview } else { CaseKind::LitigationDirect }),
    ] {
        let (f, dd) = (date(filed, &mut errors), date(decided, &mut errors));
        let rt = text(result);
        let res = if rt.is_empty() || rt.contains("尚未") || rt.contains("未审结") {
            None
        } else {
            match CaseResult::from_words(&rt) {
                Some(r) => Some(r),
                None => {
                    errors.push(err_at(result, format!("结果“{rt}”无法识别（应为维持、纠正或其他）")));
                    None
                }
            }
        };
        match (f, dd, res) {
            (None, Some(_), _) | (None, None, Some(_)) => errors.push(err_at(filed, "有结案日期或结果却没有提起日期".into())),
            (Some(_), Some(_), None) => errors.push(err_at(result, "有结案日期却没有结果".into())),
            (Some(_), None, Some(_)) => errors.push(err_at(decided, "有结果却没有结案日期".into())),
            _ => {}
        }
        put(&mut events, f, EventKind::CaseFiled { case: kind });
        if let (Some(d), Some(r)) = (dd, res) {
            events.push(Event::new(d, EventKind::CaseDecided { case: kind, result: r }));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let (Some(applicant_type), Some(received)) = (applicant_type, received) else {
        return Err(vec![RowError { sheet: sheet.to_string(), row, column: None, message: "缺少必填项".into() }]);
    };
    let mut app = Application::new(number, applicant_type, channel, received);
    app.applicant = Some(text(Col::Applicant)).filter(|s| !s.is_empty());
    app.summary = text(Col::Summary);
    // Events were pushed in the order they happen on one day; a stable sort keeps it.
    events.sort_by_key(|e| e.date);
    app.events = events;
    app.validate().map_err(|e| vec![RowError { sheet: sheet.to_string(), row, column: None, message: e.to_string() }])?;
    Ok(app)
}

fn header_format() -> Format {
    Format::new().set_bold().set_text_wrap().set_align(FormatAlign::Center).set_align(FormatAlign::VerticalCenter).set_background_color("#DDEBF7").set_border(rust_xlsxwriter::FormatBorder::Thin)
}

fn date_format() -> Format {
    Format::new().set_num_format("yyyy-mm-dd")
}

fn xlsx_err(e: rust_xlsxwriter::XlsxError) -> RegisterError {
    RegisterError::Other(format!("写 Excel 文件失败：{e}"))
}

/// Writes the register sheet's header row, widths and input lists.
fn register_sheet(wb: &mut Workbook, rows: u32) -> Result<(), RegisterError> {
    // The lists live on a hidden sheet: Excel limits an inline list to 255 characters.
    let lists: [(&str, Vec<String>); 4] = [
        ("申请人类型", ApplicantType::ALL.iter().map(|t| t.zh().to_string()).collect()),
        ("申请方式", Channel::ALL.iter().map(|c| c.zh().to_string()).collect()),
        ("办理结果", Outcome::ALL.iter().map(|o| o.label()).collect()),
        ("复议诉讼结果", ["维持", "纠正", "其他", "尚未审结"].iter().map(|s| s.to_string()).collect()),
    ];
    let sheet = wb.add_worksheet();
    sheet.set_name("台账").map_err(xlsx_err)?;
    let hf = header_format();
    for (i, d) in COLS.iter().enumerate() {
        sheet.write_string_with_format(0, i as u16, d.header, &hf).map_err(xlsx_err)?;
        let width = match d.col {
            Col::Summary => 36.0,
            Col::Outcome => 30.0,
            _ if d.date => 13.0,
            _ => 12.0,
        };
        sheet.set_column_width(i as u16, width).map_err(xlsx_err)?;
        if d.date {
            sheet.set_column_format(i as u16, &date_format()).map_err(xlsx_err)?;
        }
    }
    sheet.set_row_height(0, 42).map_err(xlsx_err)?;
    sheet.set_freeze_panes(1, 1).map_err(xlsx_err)?;
    let pos = |c: Col| COLS.iter().position(|d| d.col == c).expect("defined") as u16;
    let last = rows.max(1000);
    for (k, (name, items)) in lists.iter().enumerate() {
        let letter = column_letter(k);
        let formula = Formula::new(format!("=选项!${letter}$2:${letter}${}", items.len() + 1));
        let dv = DataValidation::new().allow_list_formula(formula).set_input_title(*name).map_err(xlsx_err)?;
        let targets: Vec<Col> = match k {
            0 => vec![Col::ApplicantType],
            1 => vec![Col::Channel],
            2 => vec![Col::Outcome],
            _ => vec![Col::ReviewResult, Col::LitigationResult],
        };
        for t in targets {
            sheet.add_data_validation(1, pos(t), last, pos(t), &dv).map_err(xlsx_err)?;
        }
    }
    let opts = wb.add_worksheet();
    opts.set_name("选项").map_err(xlsx_err)?;
    for (k, (name, items)) in lists.iter().enumerate() {
        opts.write_string(0, k as u16, *name).map_err(xlsx_err)?;
        for (i, it) in items.iter().enumerate() {
            opts.write_string(i as u32 + 1, k as u16, it).map_err(xlsx_err)?;
        }
    }
    opts.set_hidden(true);
    Ok(())
}

fn help_sheet(wb: &mut Workbook) -> Result<(), RegisterError> {
    let s = wb.add_worksheet();
    s.set_name("填写说明").map_err(xlsx_err)?;
    let hf = header_format();
    s.write_string_with_format(0, 0, "列", &hf).map_err(xlsx_err)?;
    s.write_string_with_format(0, 1, "说明", &hf).map_err(xlsx_err)?;
    s.write_string_with_format(0, 2, "也可用的列名", &hf).map_err(xlsx_err)?;
    s.set_column_width(0, 22).map_err(xlsx_err)?;
    s.set_column_width(1, 60).map_err(xlsx_err)?;
    s.set_column_width(2, 60).map_err(xlsx_err)?;
    for (i, d) in COLS.iter().enumerate() {
        let r = i as u32 + 1;
        s.write_string(r, 0, d.header).map_err(xlsx_err)?;
        let help = if d.date { format!("{}（日期：2024-3-5、2024年3月5日、2024.03.05 或 Excel 日期均可）", d.help) } else { d.help.to_string() };
        s.write_string(r, 1, help).map_err(xlsx_err)?;
        s.write_string(r, 2, d.names.join("、")).map_err(xlsx_err)?;
    }
    let r = COLS.len() as u32 + 2;
    s.write_string(r, 0, "说明").map_err(xlsx_err)?;
    s.write_string(r, 1, "列按列名识别，顺序不限；一行一件申请；办理结果为“逾期不补正”“逾期未缴费”“撤回”时，答复日期即视为放弃或撤回的日期。").map_err(xlsx_err)?;
    Ok(())
}

/// The blank register template (a header row with input lists, and the column help).
pub fn template() -> Result<Vec<u8>, RegisterError> {
    let mut wb = Workbook::new();
    register_sheet(&mut wb, 0)?;
    help_sheet(&mut wb)?;
    wb.save_to_buffer().map_err(xlsx_err)
}

/// The cells of one application in template column order (dates as `NaiveDate`).
enum Value {
    Text(String),
    Date(NaiveDate),
    Number(f64),
    Empty,
}

fn row_values(a: &Application) -> Vec<Value> {
    use Value::*;
    let mut v: Vec<Value> = COLS.iter().map(|_| Empty).collect();
    let pos = |c: Col| COLS.iter().position(|d| d.col == c).expect("defined");
    let mut set = |c: Col, x: Value| v[pos(c)] = x;
    set(Col::Number, Text(a.number.clone()));
    set(Col::ApplicantType, Text(a.applicant_type.zh().into()));
    if let Some(n) = &a.applicant {
        set(Col::Applicant, Text(n.clone()));
    }
    set(Col::Channel, Text(a.channel.zh().into()));
    set(Col::Received, Date(a.received));
    set(Col::Summary, Text(a.summary.clone()));
    for e in &a.events {
        match &e.kind {
            EventKind::CorrectionRequested { period_days } => {
                set(Col::CorrectionRequested, Date(e.date));
                if let Some(p) = period_days {
                    set(Col::CorrectionPeriod, Number(*p as f64));
                }
            }
            EventKind::CorrectionReceived => set(Col::CorrectionReceived, Date(e.date)),
            EventKind::ConsultationStarted { with: Consult::ThirdParty } => set(Col::ThirdPartyStart, Date(e.date)),
            EventKind::ConsultationEnded { with: Consult::ThirdParty } => set(Col::ThirdPartyEnd, Date(e.date)),
            EventKind::ConsultationStarted { with: Consult::OtherOrgan } => set(Col::OrganStart, Date(e.date)),
            EventKind::ConsultationEnded { with: Consult::OtherOrgan } => set(Col::OrganEnd, Date(e.date)),
            EventKind::ExtensionApproved { days, approver } => {
                set(Col::ExtensionDate, Date(e.date));
                set(Col::ExtensionDays, Number(*days as f64));
                if let Some(p) = approver {
                    set(Col::ExtensionApprover, Text(p.clone()));
                }
            }
            EventKind::FeeNotice { amount_yuan } => {
                set(Col::FeeNotice, Date(e.date));
                if let Some(x) = amount_yuan {
                    set(Col::FeeAmount, Number(*x));
                }
            }
            EventKind::FeePaid => set(Col::FeePaid, Date(e.date)),
            EventKind::ReasonRequested => set(Col::ReasonRequested, Date(e.date)),
            EventKind::LaterDateSet { until } => {
                set(Col::LaterDateSet, Date(e.date));
                set(Col::LaterDate, Date(*until));
            }
            EventKind::SupplementaryReply => set(Col::SupplementaryReply, Date(e.date)),
            EventKind::CaseFiled { case: CaseKind::Review } => set(Col::ReviewFiled, Date(e.date)),
            EventKind::CaseDecided { case: CaseKind::Review, result } => {
                set(Col::ReviewDecided, Date(e.date));
                set(Col::ReviewResult, Text(result.zh().into()));
            }
            EventKind::CaseFiled { case } => {
                set(Col::LitigationFiled, Date(e.date));
                if *case == CaseKind::LitigationAfterReview {
                    set(Col::LitigationAfterReview, Text("是".into()));
                }
            }
            EventKind::CaseDecided { result, .. } => {
                set(Col::LitigationDecided, Date(e.date));
                set(Col::LitigationResult, Text(result.zh().into()));
            }
            k => {
                if let Some(o) = k.final_outcome() {
                    set(Col::ReplyDate, Date(e.date));
                    let label = if matches!(k, EventKind::Withdrawn) { "（六）3.其他（申请人撤回）".to_string() } else { o.label() };
                    set(Col::Outcome, Text(label));
                }
            }
        }
    }
    v
}

/// The register as XLSX: the template's columns (so it imports again) followed by the computed
/// deadlines and status as of `as_of`.
pub fn export(agency: &str, apps: &[Application], cal: &Calendar, settings: &Settings, as_of: NaiveDate) -> Result<Vec<u8>, RegisterError> {
    let mut wb = Workbook::new();
    register_sheet(&mut wb, apps.len() as u32 + 1)?;
    let sheet = wb.worksheet_from_name("台账").map_err(xlsx_err)?;
    let df = date_format();
    let hf = header_format();
    let extra = ["补正通知期限", "答复期限", "延期后期限", "最长期限", "状态", "暂定"];
    let base = COLS.len() as u16;
    for (i, h) in extra.iter().enumerate() {
        sheet.write_string_with_format(0, base + i as u16, *h, &hf).map_err(xlsx_err)?;
        sheet.set_column_width(base + i as u16, 13).map_err(xlsx_err)?;
    }
    for (r, a) in apps.iter().enumerate() {
        let r = r as u32 + 1;
        for (c, v) in row_values(a).into_iter().enumerate() {
            let c = c as u16;
            match v {
                Value::Text(s) => {
                    sheet.write_string(r, c, s).map_err(xlsx_err)?;
                }
                Value::Date(d) => {
                    sheet.write_number_with_format(r, c, date_to_serial(d), &df).map_err(xlsx_err)?;
                }
                Value::Number(x) => {
                    sheet.write_number(r, c, x).map_err(xlsx_err)?;
                }
                Value::Empty => {}
            }
        }
        if let Ok(d) = compute(cal, settings, &a.case(), as_of) {
            let dates = [d.correction_notice_due, d.final_due, d.extended_due, d.max_due];
            for (i, due) in dates.iter().enumerate() {
                sheet.write_number_with_format(r, base + i as u16, date_to_serial(due.date), &df).map_err(xlsx_err)?;
            }
            let status = crate::status(a, &d, as_of);
            sheet.write_string(r, base + 4, status).map_err(xlsx_err)?;
            if dates.iter().any(|x| x.provisional) {
                sheet.write_string(r, base + 5, "暂定").map_err(xlsx_err)?;
            }
        }
    }
    help_sheet(&mut wb)?;
    let _ = agency;
    wb.save_to_buffer().map_err(xlsx_err)
}

/// The bad rows of an import as XLSX: their cells as read plus an 错误 column, to correct and
/// import again.
pub fn bad_rows_xlsx(bad: &[BadRow]) -> Result<Vec<u8>, RegisterError> {
    let mut wb = Workbook::new();
    let sheet = wb.add_worksheet();
    sheet.set_name("未导入的行").map_err(xlsx_err)?;
    let hf = header_format();
    let headers = bad.first().map(|b| b.headers.clone()).unwrap_or_default();
    sheet.write_string_with_format(0, 0, "工作表", &hf).map_err(xlsx_err)?;
    sheet.write_string_with_format(0, 1, "行", &hf).map_err(xlsx_err)?;
    sheet.write_string_with_format(0, 2, "错误", &hf).map_err(xlsx_err)?;
    sheet.set_column_width(2, 60).map_err(xlsx_err)?;
    for (i, h) in headers.iter().enumerate() {
        sheet.write_string_with_format(0, 3 + i as u16, h, &hf).map_err(xlsx_err)?;
    }
    for (r, b) in bad.iter().enumerate() {
        let r = r as u32 + 1;
        sheet.write_string(r, 0, &b.sheet).map_err(xlsx_err)?;
        sheet.write_number(r, 1, b.row as f64).map_err(xlsx_err)?;
        sheet.write_string(r, 2, b.errors.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("；")).map_err(xlsx_err)?;
        for (i, v) in b.cells.iter().enumerate() {
            if !v.is_empty() {
                sheet.write_string(r, 3 + i as u16, v).map_err(xlsx_err)?;
            }
        }
    }
    wb.save_to_buffer().map_err(xlsx_err)
}

/// The header of a template column (for tests and documentation).
pub fn header_of(col: Col) -> &'static str {
    def(col).header
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_by_meaning() {
        assert_eq!(recognise("申请编号"), Some(Col::Number));
        assert_eq!(recognise(" 序号 "), Some(Col::Number));
        assert_eq!(recognise("申请人类型（自然人/法人）"), Some(Col::ApplicantType));
        assert_eq!(recognise("申请人"), Some(Col::Applicant));
        assert_eq!(recognise("*收到日期"), Some(Col::Received));
        assert_eq!(recognise("补正期限（工作日）"), Some(Col::CorrectionPeriod));
        assert_eq!(recognise("答复结果"), Some(Col::Outcome));
        assert_eq!(recognise("政府信息公开申请收到日期"), Some(Col::Received));
        assert_eq!(recognise("备注"), None);
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(27), "AB");
    }

    #[test]
    fn dates_in_every_form() {
        let want = NaiveDate::from_ymd_opt(2024, 3, 5).unwrap();
        for s in ["2024-3-5", "2024年3月5日", "2024.03.05", "2024/3/5", "2024-03-05 00:00:00", "45356"] {
            assert_eq!(cell_date(&Data::String(s.into())), Ok(Some(want)), "{s}");
        }
        assert_eq!(cell_date(&Data::Float(45356.0)), Ok(Some(want)));
        assert_eq!(cell_date(&Data::Int(45356)), Ok(Some(want)));
        assert_eq!(date_to_serial(want), 45356.0);
        assert!(cell_date(&Data::String("3月5日".into())).unwrap_err().contains("无法识别"));
        assert!(cell_date(&Data::Float(12.0)).is_err());
        assert_eq!(cell_date(&Data::String(" ".into())), Ok(None));
    }
}
