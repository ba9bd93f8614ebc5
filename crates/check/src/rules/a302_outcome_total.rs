//! A302 — 表三, every column: （七）总计 = the sum of every outcome row (（一）–（六）).
//!
//! Why: each application concluded in the year lands in exactly one outcome row (部分公开 is
//! counted alone: “区分处理的，只计这一情形”), so the 总计 row is their sum (年报格式 表三).
//!
//! Fails: 总计 column: 予以公开 20 + 部分公开 3 + 不掌握 7 = 30, but （七）总计 prints 20.
//! Passes: 予以公开 10 + 部分公开 3 + 不掌握 7 = 20 = （七）总计.

use super::{app, app_col, fmt, num, Rule};
use crate::catalog::meta;
use crate::{Ctx, Finding};
use nianbao_model::{layout, TableId};

pub static RULE: Rule = Rule { meta: meta("A302"), check };

fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let r = ctx.report;
    let rows = layout::outcome_rows(ctx.layout());
    for c in 0..7 {
        let Some(total) = app(r, "total_processed", c) else { continue };
        let parts: Option<Vec<f64>> = rows.iter().map(|d| app(r, d.key, c)).collect();
        let Some(parts) = parts else { continue };
        let sum: f64 = parts.iter().sum();
        if (sum - total).abs() > 1e-9 {
            let mut cells = vec![ctx.cell(TableId::Applications, "total_processed", c)];
            cells.extend(rows.iter().zip(&parts).filter(|(_, v)| **v != 0.0).map(|(d, _)| ctx.cell(TableId::Applications, d.key, c)));
            out.push(
                Finding::new(&RULE.meta, ctx.index, format!("表三“{}”列：各办理结果之和为 {}，“（七）总计”却为 {}", app_col(c), fmt(sum), fmt(total)))
                    .values(num(sum), num(total))
                    .cells(cells)
                    .span(ctx.cell_span(TableId::Applications, "total_processed", c))
                    .label(format!("各办理结果之和为 {}", fmt(sum))),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn flags_a_total_that_is_not_the_sum_of_outcomes() {
        let bad = edit(&clean_2021(), "(七)总计 | 49 | 3 | 0 | 0 | 0 | 0 | 52 |", "(七)总计 | 49 | 3 | 0 | 0 | 0 | 0 | 50 |");
        let f = findings("A302", &[&bad]);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!((f[0].expected.clone(), f[0].found.clone()), (Some(serde_json::json!(52)), Some(serde_json::json!(50))));
        assert!(findings("A302", &[&clean_2021()]).is_empty());
    }

    #[test]
    fn a_finding_on_a_recovered_cell_says_it_may_be_a_reading_doubt() {
        // 予以公开 printed with its digits run together (recovered by the row's total), and
        // （七）总计 printed one short: the finding rests on a recovered cell.
        let text = edit(&clean_2021(), "(一)予以公开 | 14 | 0 | 0 | 0 | 0 | 0 | 14 |", "(一)予以公开 | 140000014 |");
        let text = edit(&text, "(七)总计 | 49 | 3 | 0 | 0 | 0 | 0 | 52 |", "(七)总计 | 48 | 3 | 0 | 0 | 0 | 0 | 51 |");
        let f = findings("A302", &[&text]);
        assert!(!f.is_empty());
        assert!(f.iter().any(|f| f.message.ends_with(crate::READ_DOUBT_NOTE)), "{:?}", f.iter().map(|f| &f.message).collect::<Vec<_>>());
        // Printed as is, the same defect is the report's own: no note.
        let printed = edit(&clean_2021(), "(七)总计 | 49 | 3 | 0 | 0 | 0 | 0 | 52 |", "(七)总计 | 48 | 3 | 0 | 0 | 0 | 0 | 51 |");
        assert!(findings("A302", &[&printed]).iter().all(|f| !f.message.contains(crate::READ_DOUBT_NOTE)));
    }
}
