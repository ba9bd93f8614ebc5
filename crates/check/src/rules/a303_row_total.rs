//! A303 — 表三, every row: the 总计 column = the sum of the six applicant columns.
//!
//! Why: 总计 is the total over applicant types (自然人, 法人或其他组织 ×5); the format gives it
//! its own column for that reason (年报格式 表三).
//!
//! Fails: （一）予以公开 `10 | 0 | 0 | 0 | 0 | 0 | 20` (sum 10, 总计 20).
//! Passes: `10 | 0 | 0 | 0 | 0 | 0 | 10`.

use super::{app, app_row, fmt, num, Rule};
use crate::catalog::meta;
use crate::{Ctx, Finding};
use nianbao_model::TableId;

pub static RULE: Rule = Rule { meta: meta("A303"), check };

fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let r = ctx.report;
    for row in &r.applications.rows {
        let parts: Option<Vec<f64>> = (0..6).map(|c| app(r, &row.key, c)).collect();
        let (Some(parts), Some(total)) = (parts, app(r, &row.key, 6)) else { continue };
        let sum: f64 = parts.iter().sum();
        if (sum - total).abs() > 1e-9 {
            let mut cells = vec![ctx.cell(TableId::Applications, &row.key, 6)];
            cells.extend((0..6).filter(|&c| parts[c] != 0.0).map(|c| ctx.cell(TableId::Applications, &row.key, c)));
            out.push(
                Finding::new(&RULE.meta, ctx.index, format!("表三{}行：六类申请人合计 {}，总计列却为 {}", app_row(r, &row.key), fmt(sum), fmt(total)))
                    .values(num(sum), num(total))
                    .cells(cells)
                    .span(ctx.cell_span(TableId::Applications, &row.key, 6))
                    .label(format!("应为 {}", fmt(sum))),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn flags_a_row_whose_total_is_not_its_sum() {
        let bad = edit(&clean_2021(), "(一)予以公开 | 14 | 0 | 0 | 0 | 0 | 0 | 14 |", "(一)予以公开 | 14 | 0 | 0 | 0 | 0 | 0 | 24 |");
        let f = findings("A303", &[&bad]);
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(f[0].message.contains("予以公开"), "{}", f[0].message);
        assert!(findings("A303", &[&clean_2021()]).is_empty());
    }
}
