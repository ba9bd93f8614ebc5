//! S005 — section 六 states the 信息处理费 position (collected or not; notices and amounts).
//!
//! Why: fees may be charged from 2021 under 国办函〔2020〕109号, and the 2021 format asks section
//! 六 to report them [R]. Reports on 2019–2020 are not asked. A warning.
//!
//! Fails: a 2023 report whose 六 says only “无”. Passes: “本机关2023年度未收取政府信息公开信息处理费”.

use super::Rule;
use crate::catalog::meta;
use crate::{Ctx, Finding};

pub static RULE: Rule = Rule { meta: meta("S005"), check };

fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    if ctx.report.year.is_none_or(|y| y < 2021) {
        return;
    }
    let Some(section) = ctx.parsed.section(6) else { return };
    let text: String = ctx.parsed.section_lines(6).iter().map(|l| l.text.as_str()).collect();
    if ["信息处理费", "收费", "收取", "费用"].iter().any(|w| text.contains(w)) {
        return;
    }
    out.push(Finding::new(&RULE.meta, ctx.index, "第六部分未说明信息处理费的收取情况（是否收取、发出收费通知的件数和金额）").span(section.heading_span));
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn flags_a_sixth_section_silent_on_fees() {
        let bad = edit(&clean_2021(), "本机关2023年度未收取政府信息公开信息处理费。", "无。");
        assert_eq!(findings("S005", &[&bad]).len(), 1);
        assert!(findings("S005", &[&clean_2021()]).is_empty());
    }
}
