//! Y004 — identical non-zero tables in consecutive years.
//!
//! Why: reusing last year's figures is a known defect (东莞统计局 reused one data set for
//! 2008–2010, DEF-DG2011); tables that are all zero are often truly identical and are skipped.
//!
//! Fails: 表三 of 2023 the same as 2022, with applications. Passes: all-zero tables.

use super::Rule;
use crate::catalog::meta;
use crate::{Ctx, Finding};
use nianbao_model::{Table, TableId};

pub static RULE: Rule = Rule { meta: meta("Y004"), check };

fn values(t: &Table) -> Vec<(String, Vec<Option<f64>>)> {
    t.rows.iter().map(|r| (r.key.clone(), r.cells.iter().map(|c| c.value).collect())).collect()
}

fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let Some((prev_index, prev)) = ctx.previous else { return };
    for id in [TableId::ActiveDisclosure, TableId::Applications, TableId::ReviewLitigation] {
        let (a, b) = (ctx.report.table(id), prev.report.table(id));
        let nonzero = a.rows.iter().flat_map(|r| &r.cells).any(|c| c.value.is_some_and(|v| v != 0.0));
        if nonzero && !a.rows.is_empty() && values(a) == values(b) {
            out.push(
                Finding::new(&RULE.meta, ctx.index, format!("{}与上年报告（第 {} 份）完全相同，是否沿用了上年数据", id.short_name(), prev_index + 1)).span(a.span),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn flags_a_table_copied_from_last_year() {
        let t = clean_2021();
        let last_year = t.replace("2023", "2022").replace("2024年1月18日", "2023年1月18日");
        let f = findings("Y004", &[&t, &last_year]);
        assert_eq!(f.len(), 3, "{f:?}");
        let changed = edit(&t, "行政强制 | 3 |", "行政强制 | 4 |");
        assert_eq!(findings("Y004", &[&changed, &last_year]).len(), 2);
    }
}
