//! The whole rule catalog of `shared/spec/rules.md`, implemented or not, for `nianbao rules`.

use crate::{Kind, Severity};

/// What a rule is: its stable code, default severity, kind, and a one-line Chinese title.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RuleMeta {
    pub code: &'static str,
    pub severity: Severity,
    pub kind: Kind,
    pub title: &'static str,
    /// The legal or documentary source (see `statutes.md`).
    pub source: &'static str,
}

const fn r(code: &'static str, severity: Severity, kind: Kind, title: &'static str, source: &'static str) -> RuleMeta {
    RuleMeta { code, severity, kind, title, source }
}

use Kind::*;
use Severity::*;

pub const CATALOG: &[RuleMeta] = &[
    r("L001", Error, Layout, "2021 年及以后的报告使用 2021 版格式（2020 年报告用 2021 版为警告）", "国办公开办函〔2021〕30号"),
    r("L002", Error, Layout, "全文只用一种版式：表二与表三的版式一致", "国办公开办函〔2021〕30号"),
    r("L003", Error, Layout, "每张表包含版式规定的全部行和列", "国办公开办函〔2021〕30号、〔2019〕60号"),
    r("L004", Warning, Layout, "表二至表四有空白单元格（空白不等于 0）", "应报尽报（怀化 2021）"),
    r("L005", Warning, Layout, "表二收费金额单位不是万元", "年报格式表二表头"),
    r("L006", Warning, Layout, "“部分公开”行缺少计数说明", "年报格式表三"),
    r("S001", Error, Structure, "六个部分齐全、顺序正确、含义符合格式", "《条例》第五十条；年报格式"),
    r("S002", Warning, Structure, "总体情况涵盖五个方面", "年报格式"),
    r("S003", Warning, Structure, "政府的报告涵盖工作考核、社会评议和责任追究结果", "《条例》第五十条"),
    r("S004", Warning, Structure, "第五部分不为空，且写明问题和改进措施", "年报格式"),
    r("S005", Warning, Structure, "第六部分说明信息处理费收取情况", "国办函〔2020〕109号；年报格式"),
    r("S006", Warning, Structure, "标题写明机关名称、年份和“政府信息公开工作年度报告”，年份与报告年度一致", "莆田通报（2010）"),
    r("S007", Warning, Structure, "写明统计期限，且为报告年度 1 月 1 日至 12 月 31 日", "各地通知惯例"),
    r("S008", Warning, Structure, "标题中的机关与落款一致", "鲤城评分细则"),
    r("S009", Info, Structure, "找不到发布日期", "《条例》第四十九条"),
    r("A301", Error, Arithmetic, "表三每列：新收 + 上年结转 = 办理结果总计 + 结转下年度", "表三勾稽关系"),
    r("A302", Error, Arithmetic, "表三每列：（七）总计 = 各办理结果之和", "表三“（七）总计”行"),
    r("A303", Error, Arithmetic, "表三每行：总计列 = 六类申请人之和", "表三“总计”列"),
    r("A304", Error, Arithmetic, "表三每个数为非负整数", "表三为件数"),
    r("A305", Warning, Arithmetic, "自加的小计等于其分项之和", "推定"),
    r("A401", Error, Arithmetic, "表四每组：总计 = 维持 + 纠正 + 其他 + 尚未审结", "表四列结构"),
    r("A402", Error, Arithmetic, "表四每个数为非负整数", "表四为件数"),
    r("A201", Error, Arithmetic, "表二件数为非负整数，收费金额为非负数", "表二为件数与金额"),
    r("A202", Warning, Arithmetic, "无规章制定权的机关填报了规章数", "《立法法》"),
    r("A203", Warning, Arithmetic, "（2019 版）对外公开总数量 ≥ 本年新公开数量；上一年项目数量 + 本年增/减 ≥ 0", "推定"),
    r("N001", Error, Narrative, "正文所述收到申请数与表三新收总计一致", "年报格式"),
    r("N002", Error, Narrative, "正文所述办理结果数与表三一致", "年报格式"),
    r("N003", Error, Narrative, "正文称无复议诉讼而表四有数，或相反", "年报格式"),
    r("N004", Error, Narrative, "有逾期未缴费件数而第六部分称未发出收费通知", "国办函〔2020〕109号"),
    r("N005", Warning, Narrative, "正文所述规章、规范性文件、许可、处罚数与表二一致", "推定"),
    r("N006", Warning, Narrative, "正文所述同比增减与上年表格一致", "推定"),
    r("N007", Warning, Narrative, "正文“本年”所指年份与报告年度不符", "推定"),
    r("N008", Warning, Narrative, "有结转下年度件数而正文称全部办结", "推定"),
    r("T001", Error, Timing, "部门的报告于次年 1 月 31 日前发布", "《条例》第四十九条"),
    r("T002", Error, Timing, "政府的报告于次年 3 月 31 日前发布", "《条例》第四十九条"),
    r("T003", Warning, Timing, "发布日期早于报告年度结束", "推定"),
    r("Y001", Error, CrossYear, "本年上年结转 = 上年结转下年度，逐列", "表三结转关系"),
    r("Y002", Warning, CrossYear, "现行有效件数 = 上年现行有效 + 本年制发 − 本年废止", "推定"),
    r("Y003", Warning, CrossYear, "正文与上年或其他机关的报告高度雷同", "年报格式（四）明确责任"),
    r("Y004", Warning, CrossYear, "相邻两年的表格完全相同且不全为 0", "东莞统计局案例"),
    r("Y005", Error, CrossYear, "已用 2021 版格式后又退回 2019 版", "国办公开办函〔2021〕30号"),
    r("F001", Warning, Fee, "2019、2020 年度报告称收取了信息处理费（办法自 2021 年起施行）", "国办函〔2020〕109号"),
    r("F002", Warning, Fee, "实际收取的费用超过通知的金额", "推定"),
    r("F003", Warning, Fee, "表二行政事业性收费与信息处理费混淆", "推定"),
];

pub fn find(code: &str) -> Option<&'static RuleMeta> {
    CATALOG.iter().find(|r| r.code == code)
}

/// The catalog entry of a rule; panics only on a typo in a rule file (caught by the tests).
pub const fn meta(code: &'static str) -> RuleMeta {
    let mut i = 0;
    while i < CATALOG.len() {
        if str_eq(CATALOG[i].code, code) {
            return CATALOG[i];
        }
        i += 1;
    }
    panic!("rule code not in the catalog")
}

const fn str_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}
