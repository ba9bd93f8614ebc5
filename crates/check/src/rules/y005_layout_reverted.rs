//! Y005 — a report on 2021 or later in the 2019 layout after the agency already used the 2021
//! layout in an earlier year.
//!
//! Why: 国办公开办函〔2021〕30号 applies from the 2021 reports; going back to the trial format
//! means an old template was reused.
//!
//! Fails: 2022 in the 2021 layout, 2023 in the 2019 layout. Passes: both 2021.

use super::Rule;
use crate::catalog::meta;
use crate::{Ctx, Finding};
use nianbao_model::Layout;

pub static RULE: Rule = Rule { meta: meta("Y005"), check };

fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let (Some(year), Some(Layout::L2019)) = (ctx.report.year, ctx.report.layout) else { return };
    if year < 2021 {
        return;
    }
    if let Some((i, earlier)) = ctx.history.iter().find(|(_, p)| p.report.year.is_some_and(|y| y < year) && p.report.layout == Some(Layout::L2021)) {
        out.push(
            Finding::new(&RULE.meta, ctx.index, format!(
                "{year} 年度报告使用 2019 版格式，而该机关 {} 年度报告（第 {} 份）已使用 2021 版格式",
                earlier.report.year.unwrap_or(0), i + 1
            ))
            .values("2021", "2019")
            .span(ctx.report.active_disclosure.span),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn flags_a_return_to_the_old_layout() {
        let old = clean_2019().replace("2019年", "2023年").replace("大溪镇", "太原市小店区人民政府");
        let new = clean_2021().replace("2023", "2022").replace("2024年1月18日", "2023年1月18日");
        assert_eq!(findings("Y005", &[&old, &new]).len(), 1);
        assert!(findings("Y005", &[&new]).is_empty());
    }
}
