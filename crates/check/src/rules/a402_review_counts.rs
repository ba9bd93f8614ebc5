//! A402 — every 表四 cell is a whole number ≥ 0.
//!
//! Why: 表四 counts cases; a fraction or a negative number cannot be a count.
//!
//! Fails: 行政复议 结果维持 printed `-1`. Passes: `1`.

use super::{fmt, Rule};
use crate::catalog::meta;
use crate::{Ctx, Finding};
use nianbao_model::{layout, TableId};

pub static RULE: Rule = Rule { meta: meta("A402"), check };

fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    for row in &ctx.report.review_litigation.rows {
        for (c, cell) in row.cells.iter().enumerate() {
            let Some(v) = cell.value else { continue };
            if v < 0.0 || v.fract() != 0.0 {
                let name = layout::describe_row(TableId::ReviewLitigation, ctx.layout(), &row.key);
                out.push(
                    Finding::new(&RULE.meta, ctx.index, format!("{name}“{}”为 {}，案件数应为非负整数", layout::REVIEW_FIELDS[c.min(4)].label, fmt(v)))
                        .cells(vec![ctx.cell(TableId::ReviewLitigation, &row.key, c)])
                        .span(cell.span)
                        .label("应为非负整数"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn flags_a_negative_case_count() {
        let bad = edit(&clean_2021(), "| 2 | 0 | 1 | 1 | 4 |", "| 2 | 0 | -1 | 1 | 2 |");
        assert_eq!(findings("A402", &[&bad]).len(), 1);
        assert!(findings("A402", &[&clean_2021()]).is_empty());
    }
}
