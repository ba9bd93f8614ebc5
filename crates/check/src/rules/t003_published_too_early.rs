//! T003 — a publication date on or before 31 December of the report year.
//!
//! Why: the report covers the whole year; a date before the year ended is a wrong date or a
//! wrong year in the title [D]. A warning.
//!
//! Fails: a 2023 report dated 2023-12-20. Passes: dated 2024-01-18.

use super::Rule;
use crate::catalog::meta;
use crate::{Ctx, Finding};

pub static RULE: Rule = Rule { meta: meta("T003"), check };

fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let (Some(year), Some(published)) = (ctx.report.year, ctx.report.published.as_deref()) else { return };
    let end = format!("{year}-12-31");
    if published <= end.as_str() {
        out.push(
            Finding::new(&RULE.meta, ctx.index, format!("发布日期 {published} 早于报告年度 {year} 年结束，日期或年份可能有误"))
                .values(format!("{}-01-01 以后", year + 1), published)
                .span(ctx.parsed.published_span),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn flags_a_date_before_the_year_ended() {
        assert!(findings("T003", &[&clean_2021()]).is_empty());
        let early = edit(&clean_2021(), "发布时间: 2024-02-02", "发布时间: 2023-12-20");
        assert_eq!(findings("T003", &[&early]).len(), 1);
    }
}
