//! N001 — a count of applications received in the prose equals 表三 新收 总计 (or 新收 + 上年结转
//! when the prose counts the carried-over cases as received).
//!
//! Why: the overview and the table report the same year's applications; a different figure
//! means one of them is wrong (东阿县 2020: the text says 34, 表三 has 31 new and 0 carried).
//! Only clauses that talk about receiving 政府信息公开 applications are read; a figure for
//! last year (上年结转0件, 去年), for 人大建议/政协提案 or for consultations is left alone, and
//! “受理57件” is accepted when it is 新收 56 + 上年结转 1.
//!
//! Fails: “共收到政府信息公开申请34件” with 新收 31, 上年结转 0. Passes: “…申请31件”.

use super::{app, fmt, num, Rule};
use crate::catalog::meta;
use crate::prose::{self, about_other_period, mentions};
use crate::{Ctx, Finding};
use nianbao_model::TableId;

pub static RULE: Rule = Rule { meta: meta("N001"), check };

const RECEIVE: &[&str] = &["收到", "受理", "接收", "新收", "接到", "共收"];
const ELSEWHERE: &[&str] = &["人大", "政协", "建议", "提案", "信访", "咨询", "热线", "来电", "留言", "意见"];

/// The number of applications a clause says were received, with its range in the clause.
pub(crate) fn received(text: &str) -> Option<(f64, (usize, usize))> {
    if !text.contains("申请") || !RECEIVE.iter().any(|w| text.contains(w)) || ELSEWHERE.iter().any(|w| text.contains(w)) {
        return None;
    }
    if !(text.contains("公开") || text.contains("依申请")) {
        return None;
    }
    let m = mentions(text).into_iter().find(|m| m.unit == "件" && !about_other_period(text, m.range.0));
    match m {
        Some(m) => Some((m.value, m.range)),
        None if ["未收到", "没有收到", "未受理", "无"].iter().any(|w| text.contains(w)) && !text.contains("无法") => {
            let at = text.find("未").or_else(|| text.find("没有")).or_else(|| text.find('无')).unwrap_or(0);
            Some((0.0, (at, text.len())))
        }
        None => None,
    }
}

fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let r = ctx.report;
    let Some(new) = app(r, "new_received", 6) else { return };
    let carried = app(r, "carried_over", 6).unwrap_or(0.0);
    for clause in ctx.clauses.iter().filter(|c| c.section <= 1) {
        if prose::names_other_year(clause.text, r.year) {
            continue;
        }
        let Some((said, range)) = received(clause.text) else { continue };
        if (said - new).abs() < 1e-9 {
            return;
        }
        if carried > 0.0 && (said - new - carried).abs() < 1e-9 {
            // The prose counts last year's open cases as received this year: the figure is
            // explained, but the 口径 differs from the table's, so a reader is told.
            out.push(
                Finding::new(
                    &RULE.meta,
                    ctx.index,
                    format!("正文所称 {} 件含上年结转的 {} 件，与表三“本年新收”总计 {} 的统计口径不同", fmt(said), fmt(carried), fmt(new)),
                )
                .severity(crate::Severity::Warning)
                .values(num(new), num(said))
                .cells(vec![ctx.cell(TableId::Applications, "new_received", 6), ctx.cell(TableId::Applications, "carried_over", 6)])
                .span(prose::span(ctx.doc, ctx.parsed, clause, range))
                .label("含上年结转".to_string()),
            );
            return;
        }
        out.push(
            Finding::new(&RULE.meta, ctx.index, format!("正文称收到政府信息公开申请 {} 件，表三“本年新收”总计为 {}（上年结转 {}）", fmt(said), fmt(new), fmt(carried)))
                .values(num(new), num(said))
                .cells(vec![ctx.cell(TableId::Applications, "new_received", 6), ctx.cell(TableId::Applications, "new_received", 0)])
                .span(prose::span(ctx.doc, ctx.parsed, clause, range))
                .label(format!("表三为 {}", fmt(new))),
        );
        return;
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn flags_a_received_count_that_differs_from_the_table() {
        let bad = edit(&clean_2021(), "受理依申请公开57件", "受理依申请公开60件");
        let f = findings("N001", &[&bad]);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].found, Some(serde_json::json!(60)));
        // 57 = 新收 56 + 上年结转 1: explained, but a different 口径 — a warning, not an error.
        let f = findings("N001", &[&clean_2021()]);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].severity, crate::Severity::Warning);
        assert!(f[0].message.contains("口径"));
        let exact = edit(&clean_2021(), "受理依申请公开57件", "受理依申请公开56件");
        assert!(findings("N001", &[&exact]).is_empty());
    }

    #[test]
    fn reads_chinese_numerals_and_ignores_last_year() {
        assert_eq!(super::received("共收到政府信息公开申请十三件").map(|r| r.0), Some(13.0));
        assert_eq!(super::received("累计受理依申请公开1件(上年结转0件)").map(|r| r.0), Some(1.0));
        assert_eq!(super::received("共承办人大代表建议1件"), None);
        assert_eq!(super::received("我办未收到政府信息公开申请件").map(|r| r.0), Some(0.0));
    }
}
