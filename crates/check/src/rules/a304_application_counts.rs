//! A304 — every 表三 cell is a whole number ≥ 0.
//!
//! Why: 表三 counts applications (件); a fraction or a negative number cannot be a count.
//!
//! Fails: a 予以公开 cell printed `-2` or `1.5`. Passes: `2`.

use super::{app_col, app_row, fmt, Rule};
use crate::catalog::meta;
use crate::{Ctx, Finding};
use nianbao_model::TableId;

pub static RULE: Rule = Rule { meta: meta("A304"), check };

fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    for row in &ctx.report.applications.rows {
        for (c, cell) in row.cells.iter().enumerate() {
            let Some(v) = cell.value else { continue };
            if v < 0.0 || v.fract() != 0.0 {
                out.push(
                    Finding::new(&RULE.meta, ctx.index, format!("表三{}行“{}”列为 {}，申请件数应为非负整数", app_row(ctx.report, &row.key), app_col(c), fmt(v)))
                        .cells(vec![ctx.cell(TableId::Applications, &row.key, c)])
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
    fn flags_negative_and_fractional_counts() {
        let bad = edit(&clean_2021(), "2.重复申请 | 1 | 1 | 0 |", "2.重复申请 | 1 | 1 | -1 |");
        assert_eq!(findings("A304", &[&bad]).len(), 1);
        assert!(findings("A304", &[&clean_2021()]).is_empty());
    }
}
