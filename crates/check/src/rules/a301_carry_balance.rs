//! A301 — 表三, every column: 新收 + 上年结转 = （七）总计 + 结转下年度.
//!
//! Why: the only arithmetic the format prints itself, in the top-left header cell of 表三
//! (“本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和”, 国办公开办函〔2021〕30号).
//! Every application handled in the year was either new or carried over, and was either
//! concluded or carried forward.
//!
//! Fails: 自然人 new 31, carried 0, total 20, forward 10 (31 + 0 ≠ 20 + 10).
//! Passes: new 31, carried 0, total 20, forward 11.

use super::{app, app_col, fmt, num, Rule};
use crate::catalog::meta;
use crate::{Ctx, Finding};
use nianbao_model::TableId;

pub static RULE: Rule = Rule { meta: meta("A301"), check };

fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let r = ctx.report;
    for c in 0..7 {
        let (Some(new), Some(carried), Some(total), Some(forward)) =
            (app(r, "new_received", c), app(r, "carried_over", c), app(r, "total_processed", c), app(r, "carried_forward", c))
        else {
            continue;
        };
        if (new + carried - total - forward).abs() > 1e-9 {
            let cells = ["new_received", "carried_over", "total_processed", "carried_forward"].iter().map(|row| ctx.cell(TableId::Applications, row, c)).collect();
            out.push(
                Finding::new(&RULE.meta, ctx.index, format!(
                    "表三“{}”列：新收 {} + 上年结转 {} = {}，而办理结果总计 {} + 结转下年度 {} = {}，勾稽关系不成立",
                    app_col(c), fmt(new), fmt(carried), fmt(new + carried), fmt(total), fmt(forward), fmt(total + forward)
                ))
                .values(num(new + carried), num(total + forward))
                .cells(cells)
                .span(ctx.cell_span(TableId::Applications, "carried_forward", c))
                .label(format!("应满足 {} + {} = {} + 此数", fmt(new), fmt(carried), fmt(total))),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn flags_a_column_that_does_not_balance() {
        let bad = edit(&clean_2021(), "四、结转下年度继续办理 | 5 | 0 | 0 | 0 | 0 | 0 | 5 |", "四、结转下年度继续办理 | 4 | 0 | 0 | 0 | 0 | 0 | 4 |");
        let f = findings("A301", &[&bad]);
        assert_eq!(f.len(), 2, "{f:?}");
        assert_eq!(f[0].expected, Some(serde_json::json!(54)));
        assert_eq!(f[0].found, Some(serde_json::json!(53)));
        assert!(findings("A301", &[&clean_2021()]).is_empty());
    }
}
