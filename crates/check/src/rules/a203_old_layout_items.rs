//! A203 — (2019 layout) 对外公开总数量 ≥ 本年新公开数量; 上一年项目数量 + 本年增/减 ≥ 0.
//!
//! Why: the total published so far includes this year's; the number of items after this
//! year's change cannot be negative. Derived from the meaning of the columns [D]: a warning.
//!
//! Fails: 规范性文件 `5 | 5 | 3`; 行政许可 `2 | -3 | 0`. Passes: `5 | 5 | 9`; `2 | -1 | 0`.

use super::{fmt, Rule};
use crate::catalog::meta;
use crate::{Ctx, Finding};
use nianbao_model::{Layout, TableId};

pub static RULE: Rule = Rule { meta: meta("A203"), check };

fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    if ctx.layout() != Layout::L2019 {
        return;
    }
    let t = &ctx.report.active_disclosure;
    for (key, label) in [("rules", "规章"), ("normative_documents", "规范性文件")] {
        if let (Some(published), Some(total)) = (t.value(key, 1), t.value(key, 2)) {
            if total < published {
                out.push(
                    Finding::new(&RULE.meta, ctx.index, format!("表二“{label}”行：对外公开总数量 {} 小于本年新公开数量 {}", fmt(total), fmt(published)))
                        .cells(vec![ctx.cell(TableId::ActiveDisclosure, key, 1), ctx.cell(TableId::ActiveDisclosure, key, 2)])
                        .span(t.cell(key, 2).and_then(|c| c.span))
                        .label(format!("应不小于 {}", fmt(published))),
                );
            }
        }
    }
    for (key, label) in [("licensing", "行政许可"), ("other_services", "其他对外管理服务事项"), ("penalty", "行政处罚"), ("coercion", "行政强制"), ("fees", "行政事业性收费")] {
        if let (Some(prior), Some(change)) = (t.value(key, 0), t.value(key, 1)) {
            if prior + change < 0.0 {
                out.push(
                    Finding::new(&RULE.meta, ctx.index, format!("表二“{label}”行：上一年项目数量 {} 加本年增/减 {} 小于 0", fmt(prior), fmt(change)))
                        .cells(vec![ctx.cell(TableId::ActiveDisclosure, key, 0), ctx.cell(TableId::ActiveDisclosure, key, 1)])
                        .span(t.cell(key, 1).and_then(|c| c.span)),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn flags_impossible_2019_items() {
        let bad = edit(&clean_2019(), "行政强制 | 0 | 1 | 1 |", "行政强制 | 0 | -1 | 1 |");
        assert_eq!(findings("A203", &[&bad]).len(), 1);
        assert!(findings("A203", &[&clean_2019()]).is_empty());
    }
}
