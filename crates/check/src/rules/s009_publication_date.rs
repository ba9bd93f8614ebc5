//! S009 — no publication date can be found.
//!
//! Why: the deadlines of 《条例》第四十九条 (T001, T002) cannot be checked without it; the
//! signature date or the page's 发文日期 is expected. Information only.
//!
//! Fails: a report with no date under the signature and none in the page header.
//! Passes: “2024年1月18日” under the report.

use super::Rule;
use crate::catalog::meta;
use crate::{Ctx, Finding};

pub static RULE: Rule = Rule { meta: meta("S009"), check };

fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    if ctx.report.published.is_none() {
        out.push(Finding::new(&RULE.meta, ctx.index, "未找到发布日期（落款日期或发文日期），无法检查发布时限"));
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn notes_a_missing_date() {
        assert_eq!(findings("S009", &[&clean_2019()]).len(), 1);
        assert!(findings("S009", &[&clean_2021()]).is_empty());
    }
}
