//! L001 — a report on 2021 or later uses the 2021 layout; a report on 2020 in the 2021
//! layout is a warning.
//!
//! Why: 国办公开办函〔2021〕30号 replaced the trial format of 〔2019〕60号 from the reports on
//! 2021 on. The 2021 layout did not exist before September 2021, so a 2020 report using it was
//! edited after publication.
//!
//! Fails: a 2023 report whose 表二 has 本年新制作数量/对外公开总数量. Passes: 本年制发件数/现行有效件数.

use super::Rule;
use crate::catalog::meta;
use crate::{Ctx, Finding, Severity};
use nianbao_model::Layout;

pub static RULE: Rule = Rule { meta: meta("L001"), check };

fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let (Some(year), Some(layout)) = (ctx.report.year, ctx.report.layout) else { return };
    let span = ctx.report.active_disclosure.span.or(ctx.report.applications.span);
    if year >= 2021 && layout == Layout::L2019 {
        out.push(
            Finding::new(&RULE.meta, ctx.index, format!("{year} 年度报告使用了 2019 年试行版格式，应使用国办公开办函〔2021〕30号规定的 2021 版格式"))
                .values("2021", "2019")
                .span(span),
        );
    } else if year == 2020 && layout == Layout::L2021 {
        out.push(
            Finding::new(&RULE.meta, ctx.index, "2020 年度报告使用了 2021 版格式（该格式 2021 年 9 月才发布），报告可能在发布后被改动")
                .severity(Severity::Warning)
                .values("2019", "2021")
                .span(span),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn flags_the_old_layout_in_a_recent_year() {
        let bad = clean_2019().replace("2019年", "2022年");
        let f = findings("L001", &[&bad]);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].severity, crate::Severity::Error);
        assert!(findings("L001", &[&clean_2021()]).is_empty());
        assert!(findings("L001", &[&clean_2019()]).is_empty());
    }
}
