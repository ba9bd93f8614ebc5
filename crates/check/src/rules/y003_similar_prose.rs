//! Y003 — prose sections 一, 五 or 六 nearly identical to last year's report of the same agency,
//! or to another agency's report checked together (内容雷同).
//!
//! Why: the format's accountability clause names reports “内容雷同” (FMT21-b) and local scoring
//! deducts for text copied from earlier years or other units (DEF-LC). Similarity is the Dice
//! coefficient of character bigrams, ignoring numbers; sections under 80 characters are skipped.
//!
//! Fails: section 五 of 2023 the same as 2022 but for the year. Passes: a rewritten section.

use super::Rule;
use crate::catalog::meta;
use crate::similarity::{similarity, MIN_CHARS, THRESHOLD};
use crate::{Ctx, Finding};
use nianbao_model::ParsedReport;

pub static RULE: Rule = Rule { meta: meta("Y003"), check };

fn section_text(p: &ParsedReport, n: u8) -> String {
    p.section_lines(n).iter().filter(|l| !l.is_table_row).map(|l| l.text.as_str()).collect::<Vec<_>>().join("\n")
}

fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let Some((prev_index, prev)) = ctx.previous else { return };
    for (n, name) in [(1u8, "一、总体情况"), (5, "五、存在的主要问题及改进情况"), (6, "六、其他需要报告的事项")] {
        let (a, b) = (section_text(ctx.parsed, n), section_text(prev, n));
        if a.chars().count() < MIN_CHARS || b.chars().count() < MIN_CHARS {
            continue;
        }
        let s = similarity(&a, &b);
        if s >= THRESHOLD {
            out.push(
                Finding::new(&RULE.meta, ctx.index, format!("第“{name}”部分与上年报告（第 {} 份）的相应部分相似度 {:.0}%，内容雷同", prev_index + 1, s * 100.0))
                    .values(format!("< {:.0}%", THRESHOLD * 100.0), format!("{:.0}%", s * 100.0))
                    .span(ctx.parsed.section(n).and_then(|s| s.heading_span)),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn flags_a_section_copied_from_last_year() {
        let t = clean_2021();
        let last_year = t.replace("2023", "2022").replace("2024年1月18日", "2023年1月18日");
        let f = findings("Y003", &[&t, &last_year]);
        assert!(f.iter().any(|f| f.message.contains("五、存在的主要问题")), "{f:?}");
        let seeds = fixture("000_f1bcb5344c0ff0ec.txt");
        assert!(findings("Y003", &[&seeds]).is_empty(), "東阿's four years are written anew");
    }
}
