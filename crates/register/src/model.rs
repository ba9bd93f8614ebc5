//! One application and its dated events (`register.md` §5), with the consistency rules that
//! refuse impossible histories (a reply before receipt, two final outcomes, a correction received
//! before it was requested, …).

use crate::RegisterError;
use chrono::NaiveDate;
use nianbao_deadline::Channel;
use nianbao_model::layout::{self, Layout, TableId};
use serde::{Deserialize, Serialize};

/// The six applicant columns of 表三.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApplicantType {
    NaturalPerson,
    Business,
    Research,
    PublicInterest,
    LegalServices,
    Other,
}

impl ApplicantType {
    pub const ALL: [ApplicantType; 6] = [
        ApplicantType::NaturalPerson,
        ApplicantType::Business,
        ApplicantType::Research,
        ApplicantType::PublicInterest,
        ApplicantType::LegalServices,
        ApplicantType::Other,
    ];
    /// The column index in 表三 (0–5; 6 is 总计).
    pub fn column(self) -> usize {
        self as usize
    }
    pub fn key(self) -> &'static str {
        layout::APPLICANT_COLUMNS[self.column()].key
    }
    pub fn zh(self) -> &'static str {
        layout::APPLICANT_COLUMNS[self.column()].label
    }
    /// The words registers use for the applicant's kind.
    pub fn from_words(s: &str) -> Option<ApplicantType> {
        let s = s.trim();
        if let Some(t) = ApplicantType::ALL.into_iter().find(|t| t.key() == s || t.zh() == s) {
            return Some(t);
        }
        let has = |w: &[&str]| w.iter().any(|x| s.contains(x));
        if has(&["自然人", "个人", "公民"]) {
            Some(ApplicantType::NaturalPerson)
        } else if has(&["商业企业", "企业", "公司"]) {
            Some(ApplicantType::Business)
        } else if has(&["科研", "研究", "高校", "院校"]) {
            Some(ApplicantType::Research)
        } else if has(&["公益", "社会组织"]) {
            Some(ApplicantType::PublicInterest)
        } else if has(&["法律服务", "律师", "律所"]) {
            Some(ApplicantType::LegalServices)
        } else if has(&["其他", "其它"]) {
            Some(ApplicantType::Other)
        } else {
            None
        }
    }
}

/// The final outcome codes: the 21 leaf rows of 表三 (2021 layout; `register.md` §5 says 22 but
/// lists these 21).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Granted,
    PartiallyGranted,
    WithheldStateSecret,
    WithheldLawProhibited,
    WithheldSecurityStability,
    WithheldThirdParty,
    WithheldInternalAffairs,
    WithheldProcessInfo,
    WithheldEnforcementFile,
    WithheldAdminQuery,
    UnavailableNotHeld,
    UnavailableNeedsCreation,
    UnavailableUnclear,
    RejectedComplaint,
    RejectedDuplicate,
    RejectedPublication,
    RejectedExcessive,
    RejectedConfirmation,
    OtherNoCorrection,
    OtherUnpaidFee,
    OtherOther,
}

impl Outcome {
    pub const ALL: [Outcome; 21] = [
        Outcome::Granted,
        Outcome::PartiallyGranted,
        Outcome::WithheldStateSecret,
        Outcome::WithheldLawProhibited,
        Outcome::WithheldSecurityStability,
        Outcome::WithheldThirdParty,
        Outcome::WithheldInternalAffairs,
        Outcome::WithheldProcessInfo,
        Outcome::WithheldEnforcementFile,
        Outcome::WithheldAdminQuery,
        Outcome::UnavailableNotHeld,
        Outcome::UnavailableNeedsCreation,
        Outcome::UnavailableUnclear,
        Outcome::RejectedComplaint,
        Outcome::RejectedDuplicate,
        Outcome::RejectedPublication,
        Outcome::RejectedExcessive,
        Outcome::RejectedConfirmation,
        Outcome::OtherNoCorrection,
        Outcome::OtherUnpaidFee,
        Outcome::OtherOther,
    ];

    /// The row key of the 2021 layout (`statutes.md` §2.4).
    pub fn key(self) -> &'static str {
        layout::outcome_rows(Layout::L2021)[self as usize].key
    }

    pub fn from_key(s: &str) -> Option<Outcome> {
        Outcome::ALL.into_iter().find(|o| o.key() == s)
    }

    /// The row this outcome is counted in, in `layout` (the 2019 layout has one （六）其他处理 row).
    pub fn row_key(self, layout: Layout) -> &'static str {
        match (layout, self) {
            (Layout::L2019, Outcome::OtherNoCorrection | Outcome::OtherUnpaidFee | Outcome::OtherOther) => "other",
            _ => self.key(),
        }
    }

    /// The row label as printed with its group: "（三）1.属于国家秘密".
    pub fn label(self) -> String {
        let def = &layout::outcome_rows(Layout::L2021)[self as usize];
        match def.group.filter(|g| !g.starts_with('三')) {
            Some(g) => format!("{g}{}", def.printed()),
            None => def.printed(),
        }
    }

    /// Whether the applicant's failure ended the application (no correction, no payment).
    pub fn is_deemed_abandonment(self) -> bool {
        matches!(self, Outcome::OtherNoCorrection | Outcome::OtherUnpaidFee)
    }

    /// Reads an outcome written in words, as registers write the table's row labels: the key,
    /// the full label with or without its numbering, or its distinctive words.
    pub fn from_words(s: &str) -> Option<Outcome> {
        let t: String = s.chars().filter(|c| !c.is_whitespace()).collect();
        if t.is_empty() {
            return None;
        }
        if let Some(o) = Outcome::from_key(&t) {
            return Some(o);
        }
        let stripped = strip_numbering(&t);
        for o in Outcome::ALL {
            let def = &layout::outcome_rows(Layout::L2021)[o as usize];
            let label = def.label;
            if stripped == label || t == o.label() || t == def.printed() {
                return Some(o);
            }
        }
        // Distinctive words, most specific first.
        const WORDS: &[(&[&str], Outcome)] = &[
            (&["部分公开", "区分处理"], Outcome::PartiallyGranted),
            (&["国家秘密"], Outcome::WithheldStateSecret),
            (&["法律行政法规禁止", "法律法规禁止"], Outcome::WithheldLawProhibited),
            (&["三安全一稳定", "危及"], Outcome::WithheldSecurityStability),
            (&["第三方合法权益", "第三方"], Outcome::WithheldThirdParty),
            (&["内部事务"], Outcome::WithheldInternalAffairs),
            (&["过程性信息", "过程性"], Outcome::WithheldProcessInfo),
            (&["行政执法案卷", "执法案卷"], Outcome::WithheldEnforcementFile),
            (&["行政查询"], Outcome::WithheldAdminQuery),
            (&["不掌握", "信息不存在"], Outcome::UnavailableNotHeld),
            (&["另行制作", "没有现成信息"], Outcome::UnavailableNeedsCreation),
            (&["仍不明确"], Outcome::UnavailableUnclear),
            (&["信访", "举报", "投诉"], Outcome::RejectedComplaint),
            (&["重复申请"], Outcome::RejectedDuplicate),
            (&["公开出版物", "出版物"], Outcome::RejectedPublication),
            (&["大量反复", "反复申请"], Outcome::RejectedExcessive),
            (&["确认或重新出具", "重新出具"], Outcome::RejectedConfirmation),
            (&["逾期不补正", "不补正", "未补正"], Outcome::OtherNoCorrection),
            (&["缴纳费用", "未缴费", "逾期未缴"], Outcome::OtherUnpaidFee),
            (&["撤回"], Outcome::OtherOther),
            (&["予以公开", "同意公开", "全部公开"], Outcome::Granted),
        ];
        for (words, o) in WORDS {
            if words.iter().any(|w| t.contains(w)) {
                return Some(*o);
            }
        }
        match stripped.as_str() {
            "其他" | "其它" | "其他处理" => Some(Outcome::OtherOther),
            _ => None,
        }
    }
}

/// Drops a leading "三、" / "（三）" / "3." / "3、" numbering (possibly several).
fn strip_numbering(s: &str) -> String {
    let mut t = s;
    loop {
        let before = t;
        if let Some(rest) = t.strip_prefix('（').or_else(|| t.strip_prefix('(')) {
            if let Some(end) = rest.find(['）', ')']) {
                let inner = &rest[..end];
                if inner.chars().all(|c| "一二三四五六七八九十".contains(c) || c.is_ascii_digit()) {
                    t = &rest[end + rest[end..].chars().next().map(char::len_utf8).unwrap_or(0)..];
                }
            }
        }
        let num_len: usize = t.chars().take_while(|c| "一二三四五六七八九十".contains(*c) || c.is_ascii_digit()).map(char::len_utf8).sum();
        if num_len > 0 {
            let rest = &t[num_len..];
            if let Some(r) = rest.strip_prefix('、').or_else(|| rest.strip_prefix('.')).or_else(|| rest.strip_prefix('．')) {
                t = r;
            }
        }
        if t == before {
            break;
        }
    }
    t.to_string()
}

/// Whom a consultation goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Consult {
    /// 第三方 (Art. 32).
    ThirdParty,
    /// 协办机关 / other organs (Art. 34).
    OtherOrgan,
}

impl Consult {
    pub fn zh(self) -> &'static str {
        match self {
            Consult::ThirdParty => "第三方",
            Consult::OtherOrgan => "其他机关",
        }
    }
}

/// Which 表四 group a case belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseKind {
    /// 行政复议
    Review,
    /// 行政诉讼·未经复议直接起诉
    LitigationDirect,
    /// 行政诉讼·复议后起诉
    LitigationAfterReview,
}

impl CaseKind {
    pub const ALL: [CaseKind; 3] = [CaseKind::Review, CaseKind::LitigationDirect, CaseKind::LitigationAfterReview];
    pub fn row_key(self) -> &'static str {
        match self {
            CaseKind::Review => "review",
            CaseKind::LitigationDirect => "litigation_direct",
            CaseKind::LitigationAfterReview => "litigation_after_review",
        }
    }
    pub fn zh(self) -> &'static str {
        match self {
            CaseKind::Review => "行政复议",
            CaseKind::LitigationDirect => "行政诉讼（未经复议直接起诉）",
            CaseKind::LitigationAfterReview => "行政诉讼（复议后起诉）",
        }
    }
}

/// The result of a decided case (表四 columns).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseResult {
    /// 结果维持
    Upheld,
    /// 结果纠正
    Corrected,
    /// 其他结果
    Other,
}

impl CaseResult {
    /// The column index in 表四 (0–2; 3 is 尚未审结, 4 总计).
    pub fn column(self) -> usize {
        self as usize
    }
    pub fn zh(self) -> &'static str {
        match self {
            CaseResult::Upheld => "维持",
            CaseResult::Corrected => "纠正",
            CaseResult::Other => "其他",
        }
    }
    pub fn from_words(s: &str) -> Option<CaseResult> {
        let s = s.trim();
        if s.contains("维持") || s.contains("驳回") {
            Some(CaseResult::Upheld)
        } else if s.contains("纠正") || s.contains("撤销") || s.contains("确认违法") || s.contains("责令") {
            Some(CaseResult::Corrected)
        } else if s.contains("其他") || s.contains("其它") || s.contains("终止") || s.contains("撤诉") {
            Some(CaseResult::Other)
        } else {
            None
        }
    }
}

/// What happened.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum EventKind {
    /// 补正通知 (once, within 7 WD); `period_days`: the period given to the applicant.
    CorrectionRequested {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        period_days: Option<u32>,
    },
    /// The corrected application arrived: the reply period restarts.
    CorrectionReceived,
    /// No correction within the period: deemed abandoned → （六）1.
    CorrectionLapsed,
    ConsultationStarted { with: Consult },
    ConsultationEnded { with: Consult },
    /// Extension approved by the head of the disclosure office and notified.
    ExtensionApproved {
        days: u32,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        approver: Option<String>,
    },
    FeeNotice {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        amount_yuan: Option<f64>,
    },
    FeePaid,
    /// Not paid within 20 WD: deemed abandoned → （六）2.
    FeeLapsed,
    /// Art. 35: the agency asked for the reasons of a mass request.
    ReasonRequested,
    /// Art. 35: a later reply date fixed and notified.
    LaterDateSet { until: NaiveDate },
    /// The reply, with exactly one outcome code.
    Replied { outcome: Outcome },
    /// 补充答复 after the reply: does not change the outcome.
    SupplementaryReply,
    /// Withdrawn by the applicant → （六）3 [D].
    Withdrawn,
    CaseFiled { case: CaseKind },
    CaseDecided { case: CaseKind, result: CaseResult },
}

impl EventKind {
    pub fn zh(&self) -> &'static str {
        match self {
            EventKind::CorrectionRequested { .. } => "补正通知",
            EventKind::CorrectionReceived => "收到补正",
            EventKind::CorrectionLapsed => "逾期未补正",
            EventKind::ConsultationStarted { .. } => "征求意见开始",
            EventKind::ConsultationEnded { .. } => "征求意见结束",
            EventKind::ExtensionApproved { .. } => "延期答复",
            EventKind::FeeNotice { .. } => "收费通知",
            EventKind::FeePaid => "缴费",
            EventKind::FeeLapsed => "逾期未缴费",
            EventKind::ReasonRequested => "要求说明理由",
            EventKind::LaterDateSet { .. } => "确定延后答复期限",
            EventKind::Replied { .. } => "答复",
            EventKind::SupplementaryReply => "补充答复",
            EventKind::Withdrawn => "撤回申请",
            EventKind::CaseFiled { .. } => "提起复议或诉讼",
            EventKind::CaseDecided { .. } => "复议或诉讼结案",
        }
    }

    /// The outcome an event concludes the application with, if it is a final one.
    pub fn final_outcome(&self) -> Option<Outcome> {
        match self {
            EventKind::Replied { outcome } => Some(*outcome),
            EventKind::CorrectionLapsed => Some(Outcome::OtherNoCorrection),
            EventKind::FeeLapsed => Some(Outcome::OtherUnpaidFee),
            EventKind::Withdrawn => Some(Outcome::OtherOther),
            _ => None,
        }
    }

    /// Events that may follow the final outcome.
    fn after_final_allowed(&self) -> bool {
        matches!(self, EventKind::SupplementaryReply | EventKind::CaseFiled { .. } | EventKind::CaseDecided { .. })
    }
}

/// A dated event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    pub date: NaiveDate,
    #[serde(flatten)]
    pub kind: EventKind,
}

impl Event {
    pub fn new(date: NaiveDate, kind: EventKind) -> Event {
        Event { date, kind }
    }
}

/// One application in the register.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Application {
    /// The agency's own number for it (登记号), unique per agency.
    pub number: String,
    pub applicant_type: ApplicantType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub applicant: Option<String>,
    pub channel: Channel,
    /// Day 0 (Art. 31).
    pub received: NaiveDate,
    #[serde(default)]
    pub summary: String,
    /// In date order (same-day events in the order recorded).
    #[serde(default)]
    pub events: Vec<Event>,
}

/// How an application ended, when it has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Closure {
    pub date: NaiveDate,
    pub outcome: Outcome,
}

impl Application {
    pub fn new(number: impl Into<String>, applicant_type: ApplicantType, channel: Channel, received: NaiveDate) -> Application {
        Application { number: number.into(), applicant_type, applicant: None, channel, received, summary: String::new(), events: Vec::new() }
    }

    /// The final outcome and its date.
    pub fn closure(&self) -> Option<Closure> {
        self.events.iter().find_map(|e| e.kind.final_outcome().map(|outcome| Closure { date: e.date, outcome }))
    }

    /// Open at the end of `date` (received by then and not concluded by then).
    pub fn is_open_on(&self, date: NaiveDate) -> bool {
        self.received <= date && self.closure().is_none_or(|c| c.date > date)
    }

    /// Appends an event after checking it against the history; the application is unchanged
    /// when the event is refused.
    pub fn add_event(&mut self, event: Event) -> Result<(), RegisterError> {
        let pos = self.events.iter().position(|e| e.date > event.date).unwrap_or(self.events.len());
        self.events.insert(pos, event);
        if let Err(e) = self.validate() {
            self.events.remove(pos);
            return Err(e);
        }
        Ok(())
    }

    /// Puts the events in date order (stable: same-day events keep their order).
    pub fn sort_events(&mut self) {
        self.events.sort_by_key(|e| e.date);
    }

    /// Refuses impossible histories, with a Chinese message naming the application and event.
    pub fn validate(&self) -> Result<(), RegisterError> {
        let conflict = |e: &Event, reason: String| RegisterError::Conflict { number: self.number.clone(), event: e.kind.zh(), date: e.date, reason };
        if self.number.trim().is_empty() {
            return Err(RegisterError::Invalid { number: String::new(), reason: "申请编号为空".into() });
        }
        let mut last = self.received;
        let mut final_: Option<&Event> = None;
        let mut correction_requested: Option<NaiveDate> = None;
        let mut correction_received = false;
        let mut consult_open: Vec<Consult> = Vec::new();
        let mut fee_notice = false;
        let mut fee_done = false;
        let mut replied = false;
        let mut cases_open: Vec<CaseKind> = Vec::new();
        for e in &self.events {
            if e.date < self.received {
                return Err(conflict(e, format!("日期早于收到申请日期 {}", self.received)));
            }
            if e.date < last {
                return Err(conflict(e, "事件未按日期排列".into()));
            }
            last = e.date;
            if let Some(f) = final_ {
                if !e.kind.after_final_allowed() {
                    return Err(conflict(e, format!("申请已于 {} 以“{}”办结，之后不能再记录这一事件", f.date, f.kind.final_outcome().map(Outcome::label).unwrap_or_default())));
                }
            }
            match &e.kind {
                EventKind::CorrectionRequested { .. } => {
                    if correction_requested.is_some() {
                        return Err(conflict(e, "补正通知只能发一次（条例第三十条：一次性告知）".into()));
                    }
                    correction_requested = Some(e.date);
                }
                EventKind::CorrectionReceived => {
                    if correction_requested.is_none() {
                        return Err(conflict(e, "没有补正通知，或补正通知晚于收到补正".into()));
                    }
                    if correction_received {
                        return Err(conflict(e, "已记录过收到补正".into()));
                    }
                    correction_received = true;
                }
                EventKind::CorrectionLapsed => {
                    if correction_requested.is_none() {
                        return Err(conflict(e, "没有补正通知，不能视为逾期不补正".into()));
                    }
                    if correction_received {
                        return Err(conflict(e, "已收到补正，不能再视为逾期不补正".into()));
                    }
                }
                EventKind::ConsultationStarted { with } => {
                    if consult_open.contains(with) {
                        return Err(conflict(e, format!("征求{}意见尚未结束", with.zh())));
                    }
                    consult_open.push(*with);
                }
                EventKind::ConsultationEnded { with } => {
                    let Some(i) = consult_open.iter().position(|c| c == with) else {
                        return Err(conflict(e, format!("没有开始征求{}意见，或开始日期晚于结束日期", with.zh())));
                    };
                    consult_open.remove(i);
                }
                EventKind::ExtensionApproved { days, .. } => {
                    if *days == 0 {
                        return Err(conflict(e, "延长的工作日数应大于 0".into()));
                    }
                }
                EventKind::FeeNotice { amount_yuan } => {
                    if fee_notice {
                        return Err(conflict(e, "已发过收费通知".into()));
                    }
                    if amount_yuan.is_some_and(|a| !(a >= 0.0)) {
                        return Err(conflict(e, "收费金额应为非负数".into()));
                    }
                    fee_notice = true;
                }
                EventKind::FeePaid | EventKind::FeeLapsed => {
                    if !fee_notice {
                        return Err(conflict(e, "没有收费通知，或收费通知晚于这一日期".into()));
                    }
                    if fee_done {
                        return Err(conflict(e, "已记录过缴费或逾期未缴费".into()));
                    }
                    fee_done = true;
                }
                EventKind::ReasonRequested => {}
                EventKind::LaterDateSet { until } => {
                    if *until < e.date {
                        return Err(conflict(e, format!("确定的答复期限 {until} 早于确定之日")));
                    }
                }
                EventKind::Replied { .. } => replied = true,
                EventKind::SupplementaryReply => {
                    if !replied {
                        return Err(conflict(e, "尚未答复，不能补充答复".into()));
                    }
                }
                EventKind::Withdrawn => {}
                EventKind::CaseFiled { case } => {
                    if cases_open.contains(case) {
                        return Err(conflict(e, format!("{}尚未审结，不能重复提起", case.zh())));
                    }
                    cases_open.push(*case);
                }
                EventKind::CaseDecided { case, .. } => {
                    let Some(i) = cases_open.iter().position(|c| c == case) else {
                        return Err(conflict(e, format!("没有提起{}，或提起日期晚于结案日期", case.zh())));
                    };
                    cases_open.remove(i);
                }
            }
            if e.kind.final_outcome().is_some() {
                final_ = Some(e);
            }
        }
        Ok(())
    }

    /// The facts the deadline engine needs.
    pub fn case(&self) -> nianbao_deadline::Case {
        use nianbao_deadline::{Extension, Pause, PauseKind};
        let mut c = nianbao_deadline::Case::received_on(self.received);
        let mut open: Vec<(Consult, NaiveDate)> = Vec::new();
        for e in &self.events {
            match &e.kind {
                EventKind::CorrectionRequested { period_days } => {
                    c.correction_requested = Some(e.date);
                    c.correction_period_days = *period_days;
                }
                EventKind::CorrectionReceived => c.correction_received = Some(e.date),
                EventKind::ConsultationStarted { with } => open.push((*with, e.date)),
                EventKind::ConsultationEnded { with } => {
                    if let Some(i) = open.iter().position(|(w, _)| w == with) {
                        let (w, start) = open.remove(i);
                        c.consultations.push(Pause { kind: pause_kind(w), start, end: Some(e.date) });
                    }
                }
                EventKind::ExtensionApproved { days, approver } => c.extensions.push(Extension { date: e.date, days: *days, approver: approver.clone() }),
                EventKind::FeeNotice { .. } => c.fee_notice = Some(e.date),
                EventKind::FeePaid => c.fee_paid = Some(e.date),
                EventKind::LaterDateSet { until } => c.later_date = Some(*until),
                _ => {}
            }
        }
        let end = self.closure().map(|cl| cl.date);
        for (w, start) in open {
            c.consultations.push(Pause { kind: pause_kind(w), start, end });
        }
        if c.fee_notice.is_some() && c.fee_paid.is_none() {
            // A lapsed or concluded fee period ends with the application.
            c.fee_paid = end;
        }
        return c;

        fn pause_kind(w: Consult) -> PauseKind {
            match w {
                Consult::ThirdParty => PauseKind::ThirdParty,
                Consult::OtherOrgan => PauseKind::OtherOrgan,
            }
        }
    }

    /// The 表三 row key and column the application's outcome is counted in.
    pub fn outcome_cell(&self, layout: Layout) -> Option<(&'static str, usize)> {
        self.closure().map(|c| (c.outcome.row_key(layout), self.applicant_type.column()))
    }
}

/// The description of a 表三 cell for messages: "表三“（一）予以公开”行·自然人".
pub fn describe_cell(layout: Layout, table: TableId, row: &str, column: usize) -> String {
    format!("{}·{}", layout::describe_row(table, layout, row), layout::column_label(table, layout, row, column))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn twenty_one_leaf_codes_in_layout_order() {
        assert_eq!(Outcome::ALL.len(), layout::outcome_rows(Layout::L2021).len());
        for (o, def) in Outcome::ALL.iter().zip(layout::outcome_rows(Layout::L2021)) {
            assert_eq!(o.key(), def.key);
            assert_eq!(Outcome::from_key(def.key), Some(*o));
            // The printed label read back gives the same code.
            assert_eq!(Outcome::from_words(&o.label()), Some(*o), "{}", o.label());
            assert_eq!(Outcome::from_words(def.label), Some(*o), "{}", def.label);
        }
        assert_eq!(Outcome::OtherUnpaidFee.row_key(Layout::L2019), "other");
        assert_eq!(Outcome::Granted.row_key(Layout::L2019), "granted");
    }

    #[test]
    fn outcomes_in_words() {
        assert_eq!(Outcome::from_words("（三）1.属于国家秘密"), Some(Outcome::WithheldStateSecret));
        assert_eq!(Outcome::from_words("不予公开-国家秘密"), Some(Outcome::WithheldStateSecret));
        assert_eq!(Outcome::from_words("予以公开"), Some(Outcome::Granted));
        assert_eq!(Outcome::from_words("部分公开"), Some(Outcome::PartiallyGranted));
        assert_eq!(Outcome::from_words("本机关不掌握相关政府信息"), Some(Outcome::UnavailableNotHeld));
        assert_eq!(Outcome::from_words("（六）3.其他"), Some(Outcome::OtherOther));
        assert_eq!(Outcome::from_words("申请人撤回"), Some(Outcome::OtherOther));
        assert_eq!(Outcome::from_words("重复申请"), Some(Outcome::RejectedDuplicate));
        assert_eq!(Outcome::from_words("好的"), None);
    }

    #[test]
    fn conflicting_events_are_refused_in_chinese() {
        let mut a = Application::new("2024-001", ApplicantType::NaturalPerson, Channel::Online, d("2024-03-01"));
        let e = a.add_event(Event::new(d("2024-02-28"), EventKind::Replied { outcome: Outcome::Granted })).unwrap_err().to_string();
        assert!(e.contains("早于收到申请日期") && e.contains("2024-001"), "{e}");
        assert!(a.events.is_empty(), "nothing half-written");
        let e = a.add_event(Event::new(d("2024-03-02"), EventKind::CorrectionReceived)).unwrap_err().to_string();
        assert!(e.contains("没有补正通知"), "{e}");
        a.add_event(Event::new(d("2024-03-05"), EventKind::CorrectionRequested { period_days: Some(10) })).unwrap();
        let e = a.add_event(Event::new(d("2024-03-04"), EventKind::CorrectionReceived)).unwrap_err().to_string();
        assert!(e.contains("没有补正通知"), "received before requested: {e}");
        a.add_event(Event::new(d("2024-03-08"), EventKind::CorrectionReceived)).unwrap();
        a.add_event(Event::new(d("2024-03-20"), EventKind::Replied { outcome: Outcome::Granted })).unwrap();
        let e = a.add_event(Event::new(d("2024-03-21"), EventKind::Replied { outcome: Outcome::OtherOther })).unwrap_err().to_string();
        assert!(e.contains("已于 2024-03-20") && e.contains("予以公开"), "{e}");
        let e = a.add_event(Event::new(d("2024-03-21"), EventKind::Withdrawn)).unwrap_err().to_string();
        assert!(e.contains("办结"), "{e}");
        a.add_event(Event::new(d("2024-04-01"), EventKind::CaseFiled { case: CaseKind::Review })).unwrap();
        a.add_event(Event::new(d("2024-04-02"), EventKind::SupplementaryReply)).unwrap();
        a.add_event(Event::new(d("2024-06-01"), EventKind::CaseDecided { case: CaseKind::Review, result: CaseResult::Upheld })).unwrap();
        let e = a.add_event(Event::new(d("2024-06-02"), EventKind::CaseDecided { case: CaseKind::Review, result: CaseResult::Upheld })).unwrap_err().to_string();
        assert!(e.contains("没有提起行政复议"), "{e}");
        assert_eq!(a.closure(), Some(Closure { date: d("2024-03-20"), outcome: Outcome::Granted }));
        assert!(a.is_open_on(d("2024-03-19")));
        assert!(!a.is_open_on(d("2024-03-20")));
    }
}
