//! The official layouts of the three statistical tables, as data.
//!
//! Everything that knows "which rows and columns a table has" reads it from here, so the
//! parser, the checker and the writers agree on keys, order and the labels printed in the
//! official format (国办公开办函〔2021〕30号 and 〔2019〕60号).

use serde::{Deserialize, Serialize};

/// Which official layout a report's tables follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
pub enum Layout {
    /// 国办公开办函〔2019〕60号: the reports on 2019 and 2020.
    #[serde(rename = "2019")]
    L2019,
    /// 国办公开办函〔2021〕30号: the reports on 2021 and later.
    #[serde(rename = "2021")]
    L2021,
}

impl Layout {
    pub fn as_str(self) -> &'static str {
        match self {
            Layout::L2019 => "2019",
            Layout::L2021 => "2021",
        }
    }
    pub fn parse(s: &str) -> Option<Layout> {
        match s {
            "2019" => Some(Layout::L2019),
            "2021" => Some(Layout::L2021),
            _ => None,
        }
    }
    /// The layout the law requires for a report on `year`.
    pub fn required_for(year: i32) -> Layout {
        if year >= 2021 {
            Layout::L2021
        } else {
            Layout::L2019
        }
    }
}

/// The three tables, with the keys used in `report-json.md` and findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum TableId {
    /// 表二 主动公开政府信息情况
    ActiveDisclosure,
    /// 表三 收到和处理政府信息公开申请情况
    Applications,
    /// 表四 政府信息公开行政复议、行政诉讼情况
    ReviewLitigation,
}

impl TableId {
    pub const ALL: [TableId; 3] = [TableId::ActiveDisclosure, TableId::Applications, TableId::ReviewLitigation];
    pub fn key(self) -> &'static str {
        match self {
            TableId::ActiveDisclosure => "active_disclosure",
            TableId::Applications => "applications",
            TableId::ReviewLitigation => "review_litigation",
        }
    }
    /// The short Chinese name used in messages (表二/表三/表四, as numbered by the report sections).
    pub fn short_name(self) -> &'static str {
        match self {
            TableId::ActiveDisclosure => "表二",
            TableId::Applications => "表三",
            TableId::ReviewLitigation => "表四",
        }
    }
    pub fn title(self) -> &'static str {
        match self {
            TableId::ActiveDisclosure => "主动公开政府信息情况",
            TableId::Applications => "收到和处理政府信息公开申请情况",
            TableId::ReviewLitigation => "政府信息公开行政复议、行政诉讼情况",
        }
    }
    pub fn from_key(s: &str) -> Option<TableId> {
        TableId::ALL.into_iter().find(|t| t.key() == s)
    }
}

/// One column (field) of a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldDef {
    pub key: &'static str,
    /// The column header as printed in the official layout.
    pub label: &'static str,
    /// Decimals are allowed (amounts); otherwise the cell is a count.
    pub decimal: bool,
}

/// One row of a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RowDef {
    pub key: &'static str,
    /// The row label as printed, without its numbering.
    pub label: &'static str,
    /// The numbering as printed (一、 / （一） / 1.), empty when none.
    pub number: &'static str,
    /// The group heading the row sits under, if any (e.g. （三）不予公开).
    pub group: Option<&'static str>,
    /// The 第二十条 item of 表二 rows.
    pub article_item: Option<&'static str>,
    pub fields: &'static [FieldDef],
}

impl RowDef {
    /// The label with its numbering, as in a message: "（三）1.属于国家秘密".
    pub fn printed(&self) -> String {
        format!("{}{}", self.number, self.label)
    }
}

const fn f(key: &'static str, label: &'static str) -> FieldDef {
    FieldDef { key, label, decimal: false }
}
const fn fd(key: &'static str, label: &'static str) -> FieldDef {
    FieldDef { key, label, decimal: true }
}

const T2_2021_DOCS: &[FieldDef] =
    &[f("issued", "本年制发件数"), f("repealed", "本年废止件数"), f("in_force", "现行有效件数")];
const T2_2021_DECISIONS: &[FieldDef] = &[f("decisions", "本年处理决定数量")];
const T2_2021_FEES: &[FieldDef] = &[fd("amount_wan_yuan", "本年收费金额（单位：万元）")];

const T2_2019_DOCS: &[FieldDef] =
    &[f("made", "本年新制作数量"), f("published", "本年新公开数量"), f("total_published", "对外公开总数量")];
const T2_2019_ITEMS: &[FieldDef] =
    &[f("prior_items", "上一年项目数量"), f("change", "本年增/减"), f("decisions", "处理决定数量")];
const T2_2019_FEES: &[FieldDef] = &[f("prior_items", "上一年项目数量"), f("change", "本年增/减")];
const T2_2019_PROCUREMENT: &[FieldDef] = &[f("items", "采购项目数量"), fd("amount", "采购总金额")];

const fn t2(key: &'static str, label: &'static str, item: &'static str, fields: &'static [FieldDef]) -> RowDef {
    RowDef { key, label, number: "", group: None, article_item: Some(item), fields }
}

pub const ACTIVE_DISCLOSURE_2021: &[RowDef] = &[
    t2("rules", "规章", "第二十条第（一）项", T2_2021_DOCS),
    t2("normative_documents", "行政规范性文件", "第二十条第（一）项", T2_2021_DOCS),
    t2("licensing", "行政许可", "第二十条第（五）项", T2_2021_DECISIONS),
    t2("penalty", "行政处罚", "第二十条第（六）项", T2_2021_DECISIONS),
    t2("coercion", "行政强制", "第二十条第（六）项", T2_2021_DECISIONS),
    t2("fees", "行政事业性收费", "第二十条第（八）项", T2_2021_FEES),
];

pub const ACTIVE_DISCLOSURE_2019: &[RowDef] = &[
    t2("rules", "规章", "第二十条第（一）项", T2_2019_DOCS),
    t2("normative_documents", "规范性文件", "第二十条第（一）项", T2_2019_DOCS),
    t2("licensing", "行政许可", "第二十条第（五）项", T2_2019_ITEMS),
    t2("other_services", "其他对外管理服务事项", "第二十条第（五）项", T2_2019_ITEMS),
    t2("penalty", "行政处罚", "第二十条第（六）项", T2_2019_ITEMS),
    t2("coercion", "行政强制", "第二十条第（六）项", T2_2019_ITEMS),
    t2("fees", "行政事业性收费", "第二十条第（八）项", T2_2019_FEES),
    t2("procurement", "政府集中采购", "第二十条第（九）项", T2_2019_PROCUREMENT),
];

/// The seven applicant columns of 表三, in order.
pub const APPLICANT_COLUMNS: &[FieldDef] = &[
    f("natural_person", "自然人"),
    f("business", "商业企业"),
    f("research", "科研机构"),
    f("public_interest", "社会公益组织"),
    f("legal_services", "法律服务机构"),
    f("other", "其他"),
    f("total", "总计"),
];

/// Index of the 总计 column of 表三.
pub const APPLICATIONS_TOTAL_COLUMN: usize = 6;

const fn t3(key: &'static str, number: &'static str, label: &'static str, group: Option<&'static str>) -> RowDef {
    RowDef { key, label, number, group, article_item: None, fields: APPLICANT_COLUMNS }
}

const RESULTS: Option<&str> = Some("三、本年度办理结果");
const WITHHELD: Option<&str> = Some("（三）不予公开");
const UNAVAILABLE: Option<&str> = Some("（四）无法提供");
const REJECTED: Option<&str> = Some("（五）不予处理");
const OTHER: Option<&str> = Some("（六）其他处理");

macro_rules! applications_rows {
    ($($other:expr),*) => {
        &[
            t3("new_received", "一、", "本年新收政府信息公开申请数量", None),
            t3("carried_over", "二、", "上年结转政府信息公开申请数量", None),
            t3("granted", "（一）", "予以公开", RESULTS),
            t3("partially_granted", "（二）", "部分公开（区分处理的，只计这一情形，不计其他情形）", RESULTS),
            t3("withheld_state_secret", "1.", "属于国家秘密", WITHHELD),
            t3("withheld_law_prohibited", "2.", "其他法律行政法规禁止公开", WITHHELD),
            t3("withheld_security_stability", "3.", "危及“三安全一稳定”", WITHHELD),
            t3("withheld_third_party", "4.", "保护第三方合法权益", WITHHELD),
            t3("withheld_internal_affairs", "5.", "属于三类内部事务信息", WITHHELD),
            t3("withheld_process_info", "6.", "属于四类过程性信息", WITHHELD),
            t3("withheld_enforcement_file", "7.", "属于行政执法案卷", WITHHELD),
            t3("withheld_admin_query", "8.", "属于行政查询事项", WITHHELD),
            t3("unavailable_not_held", "1.", "本机关不掌握相关政府信息", UNAVAILABLE),
            t3("unavailable_needs_creation", "2.", "没有现成信息需要另行制作", UNAVAILABLE),
            t3("unavailable_unclear", "3.", "补正后申请内容仍不明确", UNAVAILABLE),
            t3("rejected_complaint", "1.", "信访举报投诉类申请", REJECTED),
            t3("rejected_duplicate", "2.", "重复申请", REJECTED),
            t3("rejected_publication", "3.", "要求提供公开出版物", REJECTED),
            t3("rejected_excessive", "4.", "无正当理由大量反复申请", REJECTED),
            t3("rejected_confirmation", "5.", "要求行政机关确认或重新出具已获取信息", REJECTED),
            $($other,)*
            t3("total_processed", "（七）", "总计", RESULTS),
            t3("carried_forward", "四、", "结转下年度继续办理", None),
        ]
    };
}

pub const APPLICATIONS_2021: &[RowDef] = applications_rows!(
    t3("other_no_correction", "1.", "申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", OTHER),
    t3("other_unpaid_fee", "2.", "申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", OTHER),
    t3("other_other", "3.", "其他", OTHER)
);

pub const APPLICATIONS_2019: &[RowDef] = applications_rows!(t3("other", "（六）", "其他处理", RESULTS));

/// The outcome rows whose sum is （七）总计 (every leaf between 予以公开 and 其他处理).
pub fn outcome_rows(layout: Layout) -> &'static [RowDef] {
    let rows = applications_rows(layout);
    let start = rows.iter().position(|r| r.key == "granted").unwrap_or(0);
    let end = rows.iter().position(|r| r.key == "total_processed").unwrap_or(rows.len());
    &rows[start..end]
}

pub fn applications_rows(layout: Layout) -> &'static [RowDef] {
    match layout {
        Layout::L2019 => APPLICATIONS_2019,
        Layout::L2021 => APPLICATIONS_2021,
    }
}

pub fn active_disclosure_rows(layout: Layout) -> &'static [RowDef] {
    match layout {
        Layout::L2019 => ACTIVE_DISCLOSURE_2019,
        Layout::L2021 => ACTIVE_DISCLOSURE_2021,
    }
}

/// The five columns of each 表四 group.
pub const REVIEW_FIELDS: &[FieldDef] = &[
    f("upheld", "结果维持"),
    f("corrected", "结果纠正"),
    f("other", "其他结果"),
    f("pending", "尚未审结"),
    f("total", "总计"),
];

pub const REVIEW_LITIGATION: &[RowDef] = &[
    RowDef { key: "review", label: "行政复议", number: "", group: None, article_item: None, fields: REVIEW_FIELDS },
    RowDef {
        key: "litigation_direct",
        label: "未经复议直接起诉",
        number: "",
        group: Some("行政诉讼"),
        article_item: None,
        fields: REVIEW_FIELDS,
    },
    RowDef {
        key: "litigation_after_review",
        label: "复议后起诉",
        number: "",
        group: Some("行政诉讼"),
        article_item: None,
        fields: REVIEW_FIELDS,
    },
];

/// The rows of `table` in `layout`.
pub fn rows(table: TableId, layout: Layout) -> &'static [RowDef] {
    match table {
        TableId::ActiveDisclosure => active_disclosure_rows(layout),
        TableId::Applications => applications_rows(layout),
        TableId::ReviewLitigation => REVIEW_LITIGATION,
    }
}

/// Finds a row definition by key in either layout (the 2021 one first).
pub fn row_def(table: TableId, layout: Layout, key: &str) -> Option<&'static RowDef> {
    rows(table, layout).iter().find(|r| r.key == key)
}

/// "表三“（一）予以公开”行" style description of a row, for messages.
pub fn describe_row(table: TableId, layout: Layout, key: &str) -> String {
    match row_def(table, layout, key) {
        Some(r) => match table {
            TableId::ReviewLitigation => match r.group {
                Some(g) => format!("{}“{}·{}”", table.short_name(), g, r.label),
                None => format!("{}“{}”", table.short_name(), r.label),
            },
            _ => format!("{}“{}”行", table.short_name(), r.printed()),
        },
        None => format!("{}“{}”行", table.short_name(), key),
    }
}

/// The printed label of a column of a row.
pub fn column_label(table: TableId, layout: Layout, row: &str, column: usize) -> &'static str {
    row_def(table, layout, row).and_then(|r| r.fields.get(column)).map(|f| f.label).unwrap_or("")
}
