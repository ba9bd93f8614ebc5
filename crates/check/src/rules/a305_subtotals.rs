//! A305 — a printed subtotal (e.g. a （三）不予公开 line with numbers above its items) equals the
//! sum of its items.
//!
//! Why: the format has no subtotal rows, but some reports add them; when they do, they must
//! agree with the items they sum [D]. A warning: the subtotal is not part of the layout.
//!
//! Fails: （三）不予公开 `5 … 5` above items that add to 3. Passes: `3 … 3`.

use super::{app, app_col, fmt, num, Rule};
use crate::catalog::meta;
use crate::{Ctx, Finding};
use nianbao_model::{layout, TableId};

pub static RULE: Rule = Rule { meta: meta("A305"), check };

fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let rows = layout::applications_rows(ctx.layout());
    for st in &ctx.report.applications.subtotals {
        let (Some(a), Some(b)) = (rows.iter().position(|r| r.key == st.first), rows.iter().position(|r| r.key == st.last)) else { continue };
        for (c, cell) in st.cells.iter().enumerate() {
            let Some(v) = cell.value else { continue };
            let parts: Option<Vec<f64>> = rows[a..=b].iter().map(|r| app(ctx.report, r.key, c)).collect();
            let Some(parts) = parts else { continue };
            let sum: f64 = parts.iter().sum();
            if (sum - v).abs() > 1e-9 {
                out.push(
                    Finding::new(&RULE.meta, ctx.index, format!("表三“{}”小计行“{}”列为 {}，其分项之和为 {}", st.label, app_col(c), fmt(v), fmt(sum)))
                        .values(num(sum), num(v))
                        .cells(rows[a..=b].iter().map(|r| ctx.cell(TableId::Applications, r.key, c)).collect())
                        .span(cell.span)
                        .label(format!("分项之和为 {}", fmt(sum))),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn checks_a_printed_subtotal_and_keeps_the_items_in_place() {
        let with = |n: &str| edit(&clean_2021(), "(三)不予公开 | 1.属于国家秘密", &format!("(三)不予公开 | {n} | 0 | 0 | 0 | 0 | 0 | {n} |\n1.属于国家秘密"));
        // 4.保护第三方 2 + 6.过程性信息 3 = 5.
        let ok = with("5");
        assert!(findings("A305", &[&ok]).is_empty());
        let doc = nianbao_parse::parse_bytes("x.txt", ok.as_bytes()).unwrap();
        let apps = &doc.reports[0].report.applications;
        assert_eq!(apps.value("withheld_state_secret", 6), Some(0.0), "the subtotal is not read as the first item");
        assert_eq!(apps.subtotals.len(), 1);
        assert_eq!(findings("A305", &[&with("7")]).len(), 2);
        assert!(findings("A302", &[&ok]).is_empty());
    }
}
