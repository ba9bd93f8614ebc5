//! The statutory deadlines of one 政府信息公开 application (《政府信息公开条例》 Art. 30–35,
//! `statutes.md` §4.3 and §6.3, `register.md` §1). No I/O: give it the dated facts and a
//! [`Calendar`], get the dates.
//!
//! Counting convention (§6.3): day 0 is the receipt date fixed by Art. 31 ([`receipt_date`]);
//! counting starts the next day; only working days count; day N is the deadline.
//!
//! * 补正 (Art. 30): the notice is due by working day 7 after receipt; once the corrected
//!   application arrives, day 0 is reset to that date and the reply period runs afresh. Without a
//!   correction within the period the applicant set, the application is deemed abandoned.
//! * Reply (Art. 33): 20 WD, plus at most 20 WD when the head of the disclosure office approves an
//!   extension. Applications received before the revised 条例 took effect (2019-05-15) are due
//!   under the old one: 15 + 15 WD ([`Transition`], a setting: the default is by receipt date [D]).
//! * Excluded time (Art. 33 ¶3, fee rules): working days of third-party or inter-agency
//!   consultation and from a fee notice to payment are not counted. A pause from `start` to `end`
//!   excludes the working days in `(start, end]` — the day the letter goes out still counts, the
//!   day the answer (or the payment) arrives does not [D, documented in ARCHITECTURE.md].
//! * Fee (国办函〔2020〕109号): payment within 20 WD of the notice, else deemed abandoned.
//! * Art. 35: a later reply date the agency fixes replaces the deadline.
//!
//! Results are [`Due`] values: provisional when counting ran into a year with no holiday notice.

use chrono::NaiveDate;
pub use nianbao_calendar::{Calendar, Due};
use serde::{Deserialize, Serialize};

/// The day the revised 条例 (国务院令第711号) took effect.
pub fn new_regulation_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2019, 5, 15).expect("valid date")
}

/// Which 条例 sets the periods.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Regime {
    /// 国务院令第492号 (2008): 15 WD, extension at most 15 WD.
    Old2008,
    /// 国务院令第711号 (2019): 20 WD, extension at most 20 WD.
    New2019,
}

impl Regime {
    pub fn reply_days(self) -> u32 {
        match self {
            Regime::Old2008 => 15,
            Regime::New2019 => 20,
        }
    }
    pub fn max_extension_days(self) -> u32 {
        match self {
            Regime::Old2008 => 15,
            Regime::New2019 => 20,
        }
    }
    pub fn zh(self) -> &'static str {
        match self {
            Regime::Old2008 => "原条例（2008）",
            Regime::New2019 => "新条例（2019）",
        }
    }
}

/// How applications received before 2019-05-15 are treated. No rule was found for those still
/// pending on that date (`register.md` §1), so it is a setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Transition {
    /// The 条例 in force on the receipt date applies throughout [D, default].
    #[default]
    ByReceiptDate,
    /// An application whose old-regime reply deadline falls on or after 2019-05-15 gets the new
    /// periods (counted from its receipt date).
    NewForPending,
}

/// Settings with their statutory defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Settings {
    pub transition: Transition,
    /// Art. 30: the 补正 notice within 7 WD of receipt.
    pub correction_notice_days: u32,
    /// Fee notice → payment: 20 WD.
    pub fee_payment_days: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Settings { transition: Transition::ByReceiptDate, correction_notice_days: 7, fee_payment_days: 20 }
    }
}

/// How the application arrived (Art. 31; 国办公开办函〔2015〕207号 for e-mail).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// 当面提交: the day of submission.
    InPerson,
    /// 邮政寄送 with signature: the day the agency signs for it.
    Post,
    /// 平常信函 (no signature): the day the office confirms with the applicant.
    OrdinaryLetter,
    /// 互联网渠道 (online form): the day both sides confirm.
    Online,
    /// 传真: the day both sides confirm.
    Fax,
    /// 电子邮件 (207号): the day the mail system receives it.
    Email,
    /// 其他: the date recorded.
    Other,
}

impl Channel {
    pub const ALL: [Channel; 7] = [Channel::InPerson, Channel::Post, Channel::OrdinaryLetter, Channel::Online, Channel::Fax, Channel::Email, Channel::Other];
    pub fn key(self) -> &'static str {
        match self {
            Channel::InPerson => "in_person",
            Channel::Post => "post",
            Channel::OrdinaryLetter => "ordinary_letter",
            Channel::Online => "online",
            Channel::Fax => "fax",
            Channel::Email => "email",
            Channel::Other => "other",
        }
    }
    pub fn zh(self) -> &'static str {
        match self {
            Channel::InPerson => "当面提交",
            Channel::Post => "邮政寄送",
            Channel::OrdinaryLetter => "平常信函",
            Channel::Online => "网络申请",
            Channel::Fax => "传真",
            Channel::Email => "电子邮件",
            Channel::Other => "其他",
        }
    }
    pub fn from_key(s: &str) -> Option<Channel> {
        Channel::ALL.into_iter().find(|c| c.key() == s)
    }
    /// Recognises the words registers use (当面、现场、邮寄、挂号、信函、网上、在线、传真、邮件 …).
    pub fn from_words(s: &str) -> Option<Channel> {
        let s = s.trim();
        if let Some(c) = Channel::from_key(s) {
            return Some(c);
        }
        let has = |w: &[&str]| w.iter().any(|x| s.contains(x));
        if has(&["平常信", "平信", "普通信"]) {
            Some(Channel::OrdinaryLetter)
        } else if has(&["电子邮件", "电子邮箱", "邮箱", "email", "Email", "E-mail", "e-mail"]) {
            Some(Channel::Email)
        } else if has(&["当面", "现场", "窗口", "面交", "口头"]) {
            Some(Channel::InPerson)
        } else if has(&["邮寄", "挂号", "邮政", "快递", "信函", "EMS"]) {
            Some(Channel::Post)
        } else if has(&["传真"]) {
            Some(Channel::Fax)
        } else if has(&["网", "在线", "平台", "线上"]) {
            Some(Channel::Online)
        } else if has(&["其他", "其它"]) {
            Some(Channel::Other)
        } else {
            None
        }
    }
}

/// The dates Art. 31 fixes the receipt date from; which one applies depends on the channel.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReceiptFacts {
    /// The day the application was handed in or arrived (in person, e-mail, other).
    pub arrived: Option<NaiveDate>,
    /// The day the agency signed for registered mail.
    pub signed: Option<NaiveDate>,
    /// The day the office and the applicant confirmed (ordinary letter, online, fax).
    pub confirmed: Option<NaiveDate>,
    /// 207号: when the applicant could not be reached, the day contact was restored.
    pub contact_restored: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReceiptError {
    #[error("{channel}的收到日期须有{needed}")]
    Missing { channel: &'static str, needed: &'static str },
}

/// Day 0 of an application by Art. 31. The unreachable-applicant rule of 207号 moves it to the day
/// contact was restored when that is later.
pub fn receipt_date(channel: Channel, f: &ReceiptFacts) -> Result<NaiveDate, ReceiptError> {
    let missing = |needed| ReceiptError::Missing { channel: channel.zh(), needed };
    let base = match channel {
        Channel::InPerson => f.arrived.ok_or(missing("提交日期"))?,
        Channel::Post => f.signed.ok_or(missing("签收日期"))?,
        Channel::OrdinaryLetter | Channel::Online | Channel::Fax => f.confirmed.ok_or(missing("确认日期"))?,
        Channel::Email | Channel::Other => f.arrived.ok_or(missing("收到日期"))?,
    };
    Ok(match f.contact_restored {
        Some(r) if r > base => r,
        _ => base,
    })
}

/// What stops the reply clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PauseKind {
    /// Art. 32: consulting a third party.
    ThirdParty,
    /// Art. 34: consulting the other organs that made the information.
    OtherOrgan,
    /// Fee notice → payment.
    Fee,
}

impl PauseKind {
    pub fn zh(self) -> &'static str {
        match self {
            PauseKind::ThirdParty => "征求第三方意见",
            PauseKind::OtherOrgan => "征求其他机关意见",
            PauseKind::Fee => "收费通知至缴费",
        }
    }
}

/// A period that is not counted: the working days in `(start, end]`. `end = None`: still running.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Pause {
    pub kind: PauseKind,
    pub start: NaiveDate,
    pub end: Option<NaiveDate>,
}

/// An extension (Art. 33 ¶2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Extension {
    /// The day it was approved and the applicant told.
    pub date: NaiveDate,
    pub days: u32,
    /// Who approved it (the head of the disclosure office); `None`: not recorded.
    pub approver: Option<String>,
}

/// The dated facts of one application that bear on its deadlines.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Case {
    pub received: Option<NaiveDate>,
    pub correction_requested: Option<NaiveDate>,
    /// The period (WD) the 补正 notice gave the applicant, when recorded.
    pub correction_period_days: Option<u32>,
    pub correction_received: Option<NaiveDate>,
    pub consultations: Vec<Pause>,
    pub fee_notice: Option<NaiveDate>,
    pub fee_paid: Option<NaiveDate>,
    pub extensions: Vec<Extension>,
    /// Art. 35: the later reply date the agency fixed.
    pub later_date: Option<NaiveDate>,
}

impl Case {
    pub fn received_on(date: NaiveDate) -> Case {
        Case { received: Some(date), ..Case::default() }
    }
}

/// Why an extension did not count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum ExtensionIssue {
    /// No approver recorded (Art. 33 ¶2 needs the office head's consent).
    NoApproval { date: NaiveDate },
    /// Approved after the reply deadline had passed [D].
    AfterDeadline { date: NaiveDate, deadline: NaiveDate },
    /// The extensions add up to more than the maximum; only the maximum counts.
    BeyondMaximum { requested: u32, maximum: u32 },
}

/// A deemed abandonment (视为放弃申请).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Lapse {
    /// Art. 30: no correction within the period → 表三（六）1.
    NoCorrection { due: Due },
    /// No payment within 20 WD of the fee notice → 表三（六）2.
    Unpaid { due: Due },
}

/// Everything computed for one application.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Deadlines {
    pub regime: Regime,
    /// Day 0 of the reply period: the receipt date, or the day the correction arrived.
    pub day0: NaiveDate,
    /// Art. 30: the 补正 notice is due by this day.
    pub correction_notice_due: Due,
    /// The day the applicant's correction period ends, when the period is recorded.
    pub correction_due: Option<Due>,
    /// True while a requested correction has not arrived: the reply clock is not running.
    pub awaiting_correction: bool,
    /// The reply deadline without extension (pauses excluded).
    pub reply_due: Due,
    /// Working days of extension that count (approved, in time, within the maximum).
    pub extension_days: u32,
    /// The reply deadline with the counted extension.
    pub extended_due: Due,
    /// The latest lawful deadline: the maximum extension (pauses excluded).
    pub max_due: Due,
    /// The deadline to meet: `extended_due`, or the Art. 35 later date when one was fixed.
    pub final_due: Due,
    /// Working days not counted because of consultation or fee payment, up to `final_due`.
    pub excluded_days: u32,
    /// A pause is still running on the day computed for: the deadlines assume it ends that day.
    pub suspended: bool,
    pub fee_payment_due: Option<Due>,
    pub extension_issues: Vec<ExtensionIssue>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeadlineError {
    #[error("没有收到申请日期，无法计算期限")]
    NoReceipt,
}

/// The regime for an application received on `received`.
pub fn regime_for(cal: &Calendar, settings: &Settings, received: NaiveDate) -> Regime {
    if received >= new_regulation_date() {
        return Regime::New2019;
    }
    match settings.transition {
        Transition::ByReceiptDate => Regime::Old2008,
        Transition::NewForPending => {
            if cal.add_working_days(received, Regime::Old2008.reply_days()).date >= new_regulation_date() {
                Regime::New2019
            } else {
                Regime::Old2008
            }
        }
    }
}

/// Computes the deadlines of `case` as known on `as_of` (a pause still running on `as_of` is
/// taken to end that day, and the result is marked `suspended`).
pub fn compute(cal: &Calendar, settings: &Settings, case: &Case, as_of: NaiveDate) -> Result<Deadlines, DeadlineError> {
    let received = case.received.ok_or(DeadlineError::NoReceipt)?;
    let regime = regime_for(cal, settings, received);
    let correction_notice_due = cal.add_working_days(received, settings.correction_notice_days);
    let correction_due = match (case.correction_requested, case.correction_period_days) {
        (Some(r), Some(p)) => Some(cal.add_working_days(r, p)),
        _ => None,
    };
    let awaiting_correction = case.correction_requested.is_some() && case.correction_received.is_none();
    let day0 = case.correction_received.unwrap_or(received);

    let mut pauses: Vec<(NaiveDate, NaiveDate)> = Vec::new();
    let mut suspended = false;
    let fee = case.fee_notice.map(|s| Pause { kind: PauseKind::Fee, start: s, end: case.fee_paid });
    for p in case.consultations.iter().chain(fee.iter()) {
        let end = match p.end {
            Some(e) => e,
            None => {
                suspended = suspended || p.start <= as_of;
                as_of.max(p.start)
            }
        };
        if end > p.start {
            pauses.push((p.start, end));
        }
    }
    let paused = |d: NaiveDate| pauses.iter().any(|(s, e)| *s < d && d <= *e);
    let base = regime.reply_days();
    let reply_due = cal.add_working_days_skipping(day0, base, paused);

    let mut issues = Vec::new();
    let mut requested = 0u32;
    for x in &case.extensions {
        if x.approver.as_deref().map(str::trim).unwrap_or("").is_empty() {
            issues.push(ExtensionIssue::NoApproval { date: x.date });
        } else if x.date > reply_due.date {
            issues.push(ExtensionIssue::AfterDeadline { date: x.date, deadline: reply_due.date });
        } else {
            requested += x.days;
        }
    }
    let maximum = regime.max_extension_days();
    if requested > maximum {
        issues.push(ExtensionIssue::BeyondMaximum { requested, maximum });
    }
    let extension_days = requested.min(maximum);
    let extended_due = if extension_days == 0 { reply_due } else { cal.add_working_days_skipping(day0, base + extension_days, paused) };
    let max_due = cal.add_working_days_skipping(day0, base + maximum, paused);
    let final_due = match case.later_date {
        Some(d) => Due { date: d, provisional: false },
        None => extended_due,
    };
    let excluded_days = {
        let mut n = 0;
        let mut d = day0;
        while d < final_due.date {
            d = d.succ_opt().unwrap_or(d);
            if cal.is_working_day(d) && paused(d) {
                n += 1;
            }
            if d == NaiveDate::MAX {
                break;
            }
        }
        n
    };
    let fee_payment_due = case.fee_notice.map(|n| cal.add_working_days(n, settings.fee_payment_days));
    Ok(Deadlines {
        regime,
        day0,
        correction_notice_due,
        correction_due,
        awaiting_correction,
        reply_due,
        extension_days,
        extended_due,
        max_due,
        final_due,
        excluded_days,
        suspended,
        fee_payment_due,
        extension_issues: issues,
    })
}

/// The deemed abandonment that had happened by `as_of`, if any (the period ended before it and
/// the correction or payment had not arrived).
pub fn lapse(d: &Deadlines, case: &Case, as_of: NaiveDate) -> Option<Lapse> {
    if let (Some(due), true) = (d.correction_due, d.awaiting_correction) {
        if as_of > due.date {
            return Some(Lapse::NoCorrection { due });
        }
    }
    if let (Some(due), None) = (d.fee_payment_due, case.fee_paid) {
        if as_of > due.date {
            return Some(Lapse::Unpaid { due });
        }
    }
    None
}

/// Convenience for the plain case: +7, +base and +base+max from a receipt date.
pub fn plain(cal: &Calendar, received: NaiveDate) -> Deadlines {
    let settings = Settings::default();
    compute(cal, &settings, &Case::received_on(received), received).expect("a receipt date is given")
}
