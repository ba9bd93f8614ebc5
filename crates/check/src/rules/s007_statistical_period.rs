//! S007 — a statistical period is stated and equals 1 January–31 December of the report year.
//!
//! Why: provincial notices require the data period to be stated (EX-SH2022, EX-GD2023); a
//! period of another year means the figures belong to another year.
//!
//! Fails: “统计期限为2022年1月1日至2022年12月31日” in a 2023 report. Passes: the 2023 dates.

use super::Rule;
use crate::catalog::meta;
use crate::{Ctx, Finding};

pub static RULE: Rule = Rule { meta: meta("S007"), check };

fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let Some(year) = ctx.report.year else { return };
    let (from, to) = (format!("{year}-01-01"), format!("{year}-12-31"));
    match &ctx.parsed.period {
        None => out.push(Finding::new(&RULE.meta, ctx.index, format!("未写明数据统计期限（应为 {year} 年 1 月 1 日至 12 月 31 日）"))),
        Some(p) if p.value.0 != from || p.value.1 != to => out.push(
            Finding::new(&RULE.meta, ctx.index, format!("统计期限为 {} 至 {}，应为 {from} 至 {to}", p.value.0, p.value.1))
                .values(vec![from, to], vec![p.value.0.clone(), p.value.1.clone()])
                .span(p.span),
        ),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn flags_a_period_of_another_year() {
        let bad = edit(&clean_2021(), "2023年1月1日至2023年12月31日", "2022年1月1日至2022年12月31日");
        assert_eq!(findings("S007", &[&bad]).len(), 1);
        assert!(findings("S007", &[&clean_2021()]).is_empty());
    }
}
