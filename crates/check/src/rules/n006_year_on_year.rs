//! N006 — a year-on-year change in the prose (同比下降30%) agrees with last year's table,
//! within rounding.
//!
//! Why: the percentage is computed from two tables the supervisor has; a wrong one shows a
//! wrong figure in one of the years. Checked only when last year's report of the same agency
//! is checked together; a tolerance of one percentage point allows for rounding (13 → 9 is
//! −30.8%, “下降30%” is fine).
//!
//! Fails: “共收到申请9件，同比下降50%” with 13 last year. Passes: “同比下降30%”.

use super::{fmt, Rule};
use crate::catalog::meta;
use crate::prose::{self, mentions};
use crate::rules::n001_received_in_prose::received;
use crate::{Ctx, Finding};
use nianbao_model::TableId;

pub static RULE: Rule = Rule { meta: meta("N006"), check };

fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let Some((prev_index, prev)) = ctx.previous else { return };
    let (Some(now), Some(before)) = (ctx.report.applications.value("new_received", 6), prev.report.applications.value("new_received", 6)) else { return };
    if before == 0.0 {
        return;
    }
    let clauses = &ctx.clauses;
    for (k, clause) in clauses.iter().enumerate().filter(|(_, c)| c.section <= 1) {
        if received(clause.text).is_none() {
            continue;
        }
        // The change is in this clause or the next one ("…申请9件,同比下降30%").
        for c in clauses.iter().skip(k).take(2) {
            let t = c.text;
            let Some(m) = mentions(t).into_iter().find(|m| m.unit == "%") else { continue };
            let down = ["下降", "减少", "降低"].iter().any(|w| t.contains(w));
            let up = ["增长", "增加", "上升", "提高"].iter().any(|w| t.contains(w));
            if !(down || up) || !(t.contains("同比") || t.contains("上年") || t.contains("去年")) {
                continue;
            }
            let said = if down { -m.value } else { m.value };
            let actual = (now - before) / before * 100.0;
            if (actual - said).abs() > 1.0 {
                out.push(
                    Finding::new(&RULE.meta, ctx.index, format!(
                        "正文称申请数同比{}{}%，按上年报告（第 {} 份）新收 {} 件、本年 {} 件计算应为{}{:.1}%",
                        if down { "下降" } else { "增长" }, fmt(m.value), prev_index + 1, fmt(before), fmt(now),
                        if actual < 0.0 { "下降" } else { "增长" }, actual.abs()
                    ))
                    .values((actual * 10.0).round() / 10.0, said)
                    .cells(vec![ctx.cell(TableId::Applications, "new_received", 6)])
                    .span(prose::span(ctx.doc, ctx.parsed, c, m.range)),
                );
            }
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    fn two_years(text_2023: &str) -> Vec<crate::Finding> {
        let all = fixture("000_f1bcb5344c0ff0ec.txt");
        findings("N006", &[&all.replacen("同比下降30%", text_2023, 1)])
    }

    #[test]
    fn checks_the_percentage_against_last_year() {
        assert!(two_years("同比下降30%").is_empty(), "13 → 9 is −30.8%");
        let f = two_years("同比下降50%");
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(f[0].message.contains("30.8"), "{}", f[0].message);
    }
}
