//! A401 — 表四, each group: 总计 = 结果维持 + 结果纠正 + 其他结果 + 尚未审结.
//!
//! Why: every reconsideration or lawsuit is either decided (upheld, corrected, other) or still
//! pending, so the four add up to the group's 总计 (年报格式 表四 column structure).
//!
//! Fails: 未经复议直接起诉 `2 | 0 | 1 | 1 | 5`. Passes: `2 | 0 | 1 | 1 | 4`.

use super::{fmt, num, Rule};
use crate::catalog::meta;
use crate::{Ctx, Finding};
use nianbao_model::{layout, TableId};

pub static RULE: Rule = Rule { meta: meta("A401"), check };

fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let t = &ctx.report.review_litigation;
    for def in layout::REVIEW_LITIGATION {
        let parts: Option<Vec<f64>> = (0..4).map(|c| t.value(def.key, c)).collect();
        let (Some(parts), Some(total)) = (parts, t.value(def.key, 4)) else { continue };
        let sum: f64 = parts.iter().sum();
        if (sum - total).abs() > 1e-9 {
            let name = layout::describe_row(TableId::ReviewLitigation, ctx.layout(), def.key);
            out.push(
                Finding::new(&RULE.meta, ctx.index, format!("{name}：结果维持、结果纠正、其他结果、尚未审结之和为 {}，“总计”却为 {}", fmt(sum), fmt(total)))
                    .values(num(sum), num(total))
                    .cells((0..5).map(|c| ctx.cell(TableId::ReviewLitigation, def.key, c)).collect())
                    .span(ctx.cell_span(TableId::ReviewLitigation, def.key, 4))
                    .label(format!("应为 {}", fmt(sum))),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn flags_a_group_total_that_does_not_add_up() {
        let bad = edit(&clean_2021(), "| 2 | 0 | 1 | 1 | 4 |", "| 2 | 0 | 1 | 1 | 5 |");
        let f = findings("A401", &[&bad]);
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(f[0].message.contains("未经复议直接起诉"));
        assert!(findings("A401", &[&clean_2021()]).is_empty());
    }
}
