//! S002 — section 一 covers the five aspects: 主动公开, 依申请公开, 政府信息管理,
//! 政府信息公开平台建设, 监督保障.
//!
//! Why: the 2021 format lists them as the content of 总体情况 (FMT21-a). Matched by their key
//! words anywhere in the section.
//!
//! Fails: a 总体情况 that never mentions 平台 or 监督. Passes: five sub-headings (一)…(五).

use super::Rule;
use crate::catalog::meta;
use crate::{Ctx, Finding};

pub static RULE: Rule = Rule { meta: meta("S002"), check };

const ASPECTS: &[(&str, &[&str])] = &[
    ("主动公开", &["主动公开"]),
    ("依申请公开", &["依申请", "申请公开"]),
    ("政府信息管理", &["信息管理", "管理情况", "管理方面"]),
    ("政府信息公开平台建设", &["平台"]),
    ("监督保障", &["监督", "保障", "考核"]),
];

fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    if ctx.report.year.is_none_or(|y| y < 2021) {
        return;
    }
    let Some(section) = ctx.parsed.section(1) else { return };
    let text: String = ctx.parsed.section_lines(1).iter().map(|l| l.text.as_str()).collect();
    let missing: Vec<&str> = ASPECTS.iter().filter(|(_, words)| !words.iter().any(|w| text.contains(w))).map(|(name, _)| *name).collect();
    if !missing.is_empty() {
        out.push(Finding::new(&RULE.meta, ctx.index, format!("“总体情况”未涉及：{}", missing.join("、"))).span(section.heading_span));
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn flags_a_missing_aspect() {
        assert!(findings("S002", &[&clean_2021()]).is_empty());
        let t = clean_2021().replace("平台", "渠道");
        let f = findings("S002", &[&t]);
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(f[0].message.contains("平台建设"));
    }
}
