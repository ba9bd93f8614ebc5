//! S001 — six sections, in order, with the official meaning: 总体情况; 主动公开政府信息情况;
//! 收到和处理政府信息公开申请情况; 政府信息公开行政复议、行政诉讼情况; 存在的主要问题及改进情况;
//! 其他需要报告的事项.
//!
//! Why: 《条例》第五十条 fixes the contents and the format says nothing may be left out. Headings
//! are matched by meaning (“行政复议及行政诉讼” is fine). A section whose heading was lost in
//! scraping but whose table is there counts as present; a heading that names something else
//! (“六、下一步工作打算”) does not.
//!
//! Fails: section 六 titled 下一步工作打算 with no 其他需要报告的事项. Passes: all six headings.

use super::Rule;
use crate::catalog::meta;
use crate::{Ctx, Finding};

pub static RULE: Rule = Rule { meta: meta("S001"), check };

const OFFICIAL: [&str; 6] = ["总体情况", "主动公开政府信息情况", "收到和处理政府信息公开申请情况", "政府信息公开行政复议、行政诉讼情况", "存在的主要问题及改进情况", "其他需要报告的事项"];
const NUMERALS: [&str; 6] = ["一", "二", "三", "四", "五", "六"];

fn means(n: usize, heading: &str) -> bool {
    nianbao_parse::structure::section_meaning(n as u8, heading)
}

fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let r = ctx.report;
    let table_present = [true, !r.active_disclosure.is_empty(), !r.applications.is_empty(), !r.review_litigation.is_empty(), false, false];
    let mut problems = Vec::new();
    let mut span = None;
    for n in 1..=6usize {
        match ctx.parsed.section(n as u8) {
            Some(s) if means(n, &s.heading) => {}
            Some(s) => {
                // A heading of another section's meaning in this place means the order is wrong.
                problems.push(format!("第{}部分标题为“{}”，应为“{}”", NUMERALS[n - 1], s.heading, OFFICIAL[n - 1]));
                span = span.or(s.heading_span);
            }
            None if (2..=4).contains(&n) && table_present[n - 1] => {}
            None => {
                // Not numbered, but present by meaning elsewhere (e.g. "其他需要报告的事项" without 六、)?
                let by_meaning = ctx.parsed.prose_lines().any(|l| l.text.chars().count() <= 30 && l.text.contains(OFFICIAL[n - 1]));
                if !by_meaning {
                    problems.push(format!("缺少第{}部分“{}”", NUMERALS[n - 1], OFFICIAL[n - 1]));
                }
            }
        }
    }
    if !problems.is_empty() {
        out.push(Finding::new(&RULE.meta, ctx.index, format!("报告结构不符合年报格式：{}", problems.join("；"))).span(span));
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn flags_a_renamed_sixth_section() {
        let bad = edit(&clean_2021(), "六、其他需要报告的事项", "六、下一步工作打算");
        let f = findings("S001", &[&bad]);
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(f[0].message.contains("下一步工作打算"), "{}", f[0].message);
        assert!(findings("S001", &[&clean_2021()]).is_empty());
    }

    #[test]
    fn a_lost_table_heading_is_not_a_missing_section() {
        let ok = edit(&clean_2021(), "三、收到和处理政府信息公开申请情况\n", "");
        assert!(findings("S001", &[&ok]).is_empty());
    }
}
