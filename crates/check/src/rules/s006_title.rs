//! S006 — the title names the agency and the year and calls the document
//! 政府信息公开工作年度报告; the title year is the report year.
//!
//! Why: wrong titles (“工作报告”, “工作总结”) were named in supervisors' notices (DEF-PT2010),
//! and a title year that differs from the statistical year is a copy-paste leftover.
//!
//! Fails: “某局2022年政府信息公开工作报告” on a 2023 report. Passes: “某局2023年政府信息公开工作年度报告”.

use super::Rule;
use crate::catalog::meta;
use crate::{Ctx, Finding};

pub static RULE: Rule = Rule { meta: meta("S006"), check };

fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let Some(title) = &ctx.parsed.title else {
        out.push(Finding::new(&RULE.meta, ctx.index, "未找到报告标题（应为“机关名称＋年份＋政府信息公开工作年度报告”）"));
        return;
    };
    let t = &title.value;
    let mut problems = Vec::new();
    if !t.contains("政府信息公开工作年度报告") {
        problems.push("未称“政府信息公开工作年度报告”".to_string());
    }
    match (ctx.parsed.title_year, ctx.report.year) {
        (None, _) => problems.push("未写明年份".to_string()),
        (Some(ty), _) if ctx.parsed.period.as_ref().is_some_and(|p| p.value.0.get(..4) != Some(&ty.to_string())) => {
            problems.push(format!("标题年份 {ty} 与统计期限的年份不一致"));
        }
        _ => {}
    }
    let before_year = t.split("20").next().unwrap_or("").trim();
    if before_year.is_empty() {
        problems.push("未写明机关名称".to_string());
    }
    if !problems.is_empty() {
        out.push(Finding::new(&RULE.meta, ctx.index, format!("标题“{t}”{}", problems.join("，"))).span(title.span));
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn flags_a_title_that_is_not_an_annual_report() {
        assert!(findings("S006", &[&clean_2021()]).is_empty());
        let bad = edit(&clean_2021(), "太原市小店区人民政府2023年政府信息公开工作年度报告\n", "太原市小店区人民政府2023年政府信息公开工作报告\n");
        assert!(findings("S006", &[&bad]).iter().any(|f| f.message.contains("未称")));
        let bad2 = edit(&clean_2021(), "太原市小店区人民政府2023年政府信息公开工作年度报告\n", "太原市小店区人民政府2022年政府信息公开工作年度报告\n");
        let f = findings("S006", &[&bad2]);
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(f[0].message.contains("统计期限"));
    }
}
