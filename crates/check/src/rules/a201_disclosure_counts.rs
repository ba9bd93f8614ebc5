//! A201 — 表二 counts are whole numbers ≥ 0; amounts (收费金额, 采购总金额) are numbers ≥ 0.
//!
//! Why: the cells count documents and decisions; only the amounts may have decimals. The 2019
//! layout's 本年增/减 is a change and may be negative.
//!
//! Fails: 行政许可 本年处理决定数量 `12.5`. Passes: `12`; 收费金额 `43923.57`.

use super::{fmt, Rule};
use crate::catalog::meta;
use crate::{Ctx, Finding};
use nianbao_model::{layout, TableId};

pub static RULE: Rule = Rule { meta: meta("A201"), check };

fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    for row in &ctx.report.active_disclosure.rows {
        let Some(def) = layout::row_def(TableId::ActiveDisclosure, ctx.layout(), &row.key) else { continue };
        for (c, (cell, field)) in row.cells.iter().zip(def.fields).enumerate() {
            let Some(v) = cell.value else { continue };
            let bad = if field.key == "change" {
                v.fract() != 0.0
            } else {
                v < 0.0 || (!field.decimal && v.fract() != 0.0)
            };
            if bad {
                let what = if field.decimal { "金额应为非负数" } else { "件数应为非负整数" };
                out.push(
                    Finding::new(&RULE.meta, ctx.index, format!("表二“{}”行“{}”为 {}，{}", def.label, field.label, fmt(v), what))
                        .cells(vec![ctx.cell(TableId::ActiveDisclosure, &row.key, c)])
                        .span(cell.span)
                        .label(what),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn flags_fractional_counts_but_not_amounts() {
        let bad = edit(&clean_2021(), "行政强制 | 3 |", "行政强制 | 2.5 |");
        assert_eq!(findings("A201", &[&bad]).len(), 1);
        assert!(findings("A201", &[&clean_2021()]).is_empty(), "the fee 43923.57 is an amount");
    }
}
