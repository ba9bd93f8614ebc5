//! Y001 — 上年结转 of year N = 结转下年度 of year N−1, column by column.
//!
//! Why: an application still open on 31 December is reported in 四、结转下年度继续办理 and must
//! come back next year in 二、上年结转; otherwise cases were lost or invented between the two
//! reports (东阿县: 11 carried forward from 2020, 0 carried over into 2021). Checked when both
//! years of one agency are checked together; the finding is on the later year.
//!
//! Fails: 2020 结转下年度 `11 … 11`, 2021 上年结转 `0 … 0`. Passes: 2021 上年结转 `11 … 11`.

use super::{app_col, fmt, Rule};
use crate::catalog::meta;
use crate::{Ctx, Finding};
use nianbao_model::TableId;

pub static RULE: Rule = Rule { meta: meta("Y001"), check };

fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let Some((prev_index, prev)) = ctx.previous else { return };
    let mut bad = Vec::new();
    let (mut expected, mut found) = (Vec::new(), Vec::new());
    for c in 0..7 {
        let now = ctx.report.applications.value("carried_over", c);
        let before = prev.report.applications.value("carried_forward", c);
        expected.push(before);
        found.push(now);
        if let (Some(now), Some(before)) = (now, before) {
            if (now - before).abs() > 1e-9 {
                bad.push(c);
            }
        }
    }
    if bad.is_empty() {
        return;
    }
    let cols: Vec<String> = bad.iter().map(|&c| format!("{}列上年结转下年度 {}，本年上年结转 {}", app_col(c), fmt(expected[c].unwrap_or(0.0)), fmt(found[c].unwrap_or(0.0)))).collect();
    let first = if bad.contains(&6) { 6 } else { bad[0] };
    let mut cells: Vec<_> = bad.iter().rev().map(|&c| ctx.cell(TableId::Applications, "carried_over", c)).collect();
    cells.sort_by_key(|c| if let crate::Column::Index(i) = c.column { std::cmp::Reverse(i) } else { std::cmp::Reverse(0) });
    out.push(
        Finding::new(&RULE.meta, ctx.index, format!(
            "与上年报告（第 {} 份，{} 年）不衔接：{}",
            prev_index + 1,
            prev.report.year.map(|y| y.to_string()).unwrap_or_default(),
            cols.join("；")
        ))
        .values(
            expected.iter().map(|v| nianbao_model::json::number_value(*v)).collect::<Vec<_>>(),
            found.iter().map(|v| nianbao_model::json::number_value(*v)).collect::<Vec<_>>(),
        )
        .cells(cells)
        .span(ctx.cell_span(TableId::Applications, "carried_over", first))
        .label(format!("上年结转下年度为 {}", fmt(prev.report.applications.value("carried_forward", first).unwrap_or(0.0)))),
    );
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn flags_a_lost_carry_over_between_years() {
        let all = fixture("000_f1bcb5344c0ff0ec.txt");
        let f = findings("Y001", &[&all]);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].report, 2, "the 2021 report");
        assert_eq!(f[0].expected, Some(serde_json::json!([11, 0, 0, 0, 0, 0, 11])));
        // Alone, a report has nothing to be compared with.
        assert!(findings("Y001", &[&clean_2021()]).is_empty());
    }
}
