//! N007 — a year in “this year” statements differs from the report year (a copy-paste leftover).
//!
//! Why: text reused from an earlier report keeps its old year (东莞统计局 reused one text for
//! 2008–2010, DEF-DG2011). Read in section 一: a clause that starts with a year (“2022年，我局…”)
//! and does not compare it with another year is about the report year.
//!
//! Fails: a 2023 report whose 总体情况 says “2022年，共收到申请…”. Passes: “2023年，…”.

use super::Rule;
use crate::catalog::meta;
use crate::prose;
use crate::{Ctx, Finding};
use regex::Regex;
use std::sync::OnceLock;

pub static RULE: Rule = Rule { meta: meta("N007"), check };

fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let Some(year) = ctx.report.year else { return };
    static R: OnceLock<Regex> = OnceLock::new();
    let r = R.get_or_init(|| Regex::new(r"^(?:\(\S{1,3}\)|[一二三四五]是)?\s*(20\d{2})\s*年(?:度|以来|全年|,|$)").expect("static regex"));
    for clause in ctx.clauses.iter().filter(|c| c.section == 1) {
        let Some(c) = r.captures(clause.text) else { continue };
        let Ok(said) = c[1].parse::<i32>() else { continue };
        let sentence = clause.sentence;
        if said == year || ["同比", "上年", "去年", "比", "以来", "至今", "自"].iter().any(|w| sentence.contains(w)) || sentence.contains(&year.to_string()) {
            continue;
        }
        let m = c.get(1).map(|m| (m.start(), m.end())).unwrap_or((0, 4));
        out.push(
            Finding::new(&RULE.meta, ctx.index, format!("“总体情况”中以“{said}年”叙述本年度工作，而报告年度为 {year} 年，疑为沿用旧文"))
                .values(year, said)
                .span(prose::span(ctx.doc, ctx.parsed, clause, m)),
        );
        return;
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn flags_a_leftover_year() {
        assert!(findings("N007", &[&clean_2021()]).is_empty());
        let bad = edit(&clean_2021(), "(一)主动公开方面。2023年,政府门户网站", "(一)主动公开方面。2021年,政府门户网站");
        assert_eq!(findings("N007", &[&bad]).len(), 1);
    }
}
