//! F001 — a 信息处理费 collected in a report on 2019 or 2020.
//!
//! Why: 《政府信息公开信息处理费管理办法》(国办函〔2020〕109号) applies from 1 January 2021
//! (FEE-HLJ); before that no processing fee could be charged. A warning: older local fees
//! (检索费, 复制费) existed under the 2007 rules.
//!
//! Fails: a 2020 report saying “收取信息处理费300元”. Passes: “未收取信息处理费”.

use super::{fmt, Rule};
use crate::catalog::meta;
use crate::prose::{self, mentions};
use crate::{Ctx, Finding};

pub static RULE: Rule = Rule { meta: meta("F001"), check };

fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    if !ctx.report.year.is_some_and(|y| y == 2019 || y == 2020) {
        return;
    }
    for clause in ctx.clauses.iter() {
        let t = clause.text;
        if !t.contains("处理费") || ["未", "没有", "无", "不收"].iter().any(|w| t.contains(w)) {
            continue;
        }
        if let Some(m) = mentions(t).into_iter().find(|m| (m.unit == "元" || m.unit == "万元") && m.value > 0.0) {
            out.push(
                Finding::new(&RULE.meta, ctx.index, format!("{} 年度报告称收取信息处理费 {}{}，而信息处理费自 2021 年 1 月 1 日起才可收取", ctx.report.year.unwrap_or(0), fmt(m.value), m.unit))
                    .span(prose::span(ctx.doc, ctx.parsed, &clause, m.range)),
            );
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn flags_a_fee_before_the_rules_existed() {
        let bad = edit(&clean_2019(), "六、其他需要报告的事项\n无", "六、其他需要报告的事项\n本年度收取信息处理费300元。");
        assert_eq!(findings("F001", &[&bad]).len(), 1);
        assert!(findings("F001", &[&clean_2019()]).is_empty());
    }
}
