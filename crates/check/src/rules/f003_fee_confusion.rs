//! F003 — the 表二 行政事业性收费 amount confused with the 信息处理费: the prose gives the same
//! figure as the information processing fee.
//!
//! Why: 表二 reports the administrative fees the body charged under 第二十条第（八）项; the
//! 信息处理费 of 国办函〔2020〕109号 is a different thing reported in section 六. The same
//! non-zero figure in both places means one was copied into the other [D]. A warning.
//!
//! Fails: 表二 收费金额 0.03 万元 and “收取信息处理费300元”. Passes: 表二 43923.57 and no fee.

use super::{fmt, Rule};
use crate::catalog::meta;
use crate::prose::{self, mentions};
use crate::{Ctx, Finding};
use nianbao_model::{Layout, TableId};

pub static RULE: Rule = Rule { meta: meta("F003"), check };

fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    if ctx.layout() != Layout::L2021 {
        return;
    }
    let Some(amount) = ctx.report.active_disclosure.value("fees", 0).filter(|v| *v > 0.0) else { return };
    for clause in ctx.clauses.iter() {
        if !clause.sentence.contains("处理费") {
            continue;
        }
        for m in mentions(clause.text) {
            let wan = match m.unit.as_str() {
                "万元" => m.value,
                "元" => m.value / 10_000.0,
                _ => continue,
            };
            if m.value > 0.0 && ((wan - amount).abs() < 1e-9 || (m.value - amount).abs() < 1e-9) {
                out.push(
                    Finding::new(&RULE.meta, ctx.index, format!("正文所述信息处理费 {}{} 与表二“行政事业性收费”金额 {} 万元相同，二者不应混同", fmt(m.value), m.unit, fmt(amount)))
                        .cells(vec![ctx.cell(TableId::ActiveDisclosure, "fees", 0)])
                        .span(prose::span(ctx.doc, ctx.parsed, clause, m.range)),
                );
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn flags_the_same_figure_as_both_fees() {
        assert!(findings("F003", &[&clean_2021()]).is_empty());
        let t = edit(&clean_2021(), "行政事业性收费 | 43923.57 |", "行政事业性收费 | 0.03 |");
        let bad = edit(&t, "本机关2023年度未收取政府信息公开信息处理费。", "本机关2023年度收取信息处理费300元。");
        assert_eq!(findings("F003", &[&bad]).len(), 1);
    }
}
