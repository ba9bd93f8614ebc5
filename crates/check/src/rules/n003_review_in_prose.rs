//! N003 — the prose says there was no reconsideration or litigation while 表四 has cases, or
//! gives a number of disclosure cases that 表四 does not show.
//!
//! Why: 表四 and the overview report the same cases. Only cases “因政府信息公开” count in 表四:
//! a lawsuit the prose says arose from land acquisition (征地拆迁) is not a disclosure case, so
//! a positive count is compared only when the clause ties it to 政府信息公开.
//!
//! Fails: “无行政复议和行政诉讼” with 表四 总计 4. Passes: the same with 表四 all 0.

use super::{fmt, num, Rule};
use crate::catalog::meta;
use crate::prose::{self, mentions};
use crate::{Ctx, Finding};
use nianbao_model::TableId;

pub static RULE: Rule = Rule { meta: meta("N003"), check };

fn total(ctx: &Ctx<'_>, keys: &[&str]) -> Option<f64> {
    keys.iter().map(|k| ctx.report.review_litigation.value(k, 4)).sum()
}

fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let review = total(ctx, &["review"]);
    let litigation = total(ctx, &["litigation_direct", "litigation_after_review"]);
    for clause in ctx.clauses.iter().filter(|c| c.section <= 1) {
        let t = clause.text;
        let (has_review, has_lit) = (t.contains("复议"), t.contains("诉讼"));
        if !has_review && !has_lit {
            continue;
        }
        let negated = ["无", "没有", "未发生", "未收到", "未出现", "均未", "未被"].iter().any(|w| t.contains(w)) && !t.contains("无法");
        let mut report = |what: &str, table: f64, said: f64, keys: &[&str], range: (usize, usize)| {
            let cells = keys.iter().map(|k| ctx.cell(TableId::ReviewLitigation, k, 4)).collect();
            out.push(
                Finding::new(&RULE.meta, ctx.index, format!("正文称{what} {} 件，表四相应总计为 {}", fmt(said), fmt(table)))
                    .values(num(table), num(said))
                    .cells(cells)
                    .span(prose::span(ctx.doc, ctx.parsed, clause, range))
                    .label(format!("表四为 {}", fmt(table))),
            );
        };
        if negated && mentions(t).is_empty() {
            if has_review && review.is_some_and(|v| v > 0.0) {
                report("无行政复议，实际", review.unwrap_or(0.0), 0.0, &["review"], (0, t.len()));
            }
            if has_lit && litigation.is_some_and(|v| v > 0.0) {
                report("无行政诉讼，实际", litigation.unwrap_or(0.0), 0.0, &["litigation_direct", "litigation_after_review"], (0, t.len()));
            }
            continue;
        }
        if !(t.contains("信息公开") || t.contains("依申请")) || (has_review && has_lit) {
            continue;
        }
        let Some(m) = mentions(t).into_iter().find(|m| m.unit == "件" || m.unit == "起" || m.unit == "宗") else { continue };
        let (what, table, keys): (&str, Option<f64>, &[&str]) =
            if has_review { ("行政复议", review, &["review"]) } else { ("行政诉讼", litigation, &["litigation_direct", "litigation_after_review"]) };
        if let Some(table) = table {
            if (table - m.value).abs() > 1e-9 {
                report(what, table, m.value, keys, m.range);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn flags_no_litigation_claimed_against_the_table() {
        let bad = edit(&clean_2021(), "转下年办理5件。", "转下年办理5件。无行政复议和行政诉讼案件。");
        let f = findings("N003", &[&bad]);
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(findings("N003", &[&clean_2021()]).is_empty());
        // 大溪镇: a review from disclosure (1, as in 表四) and a lawsuit from land acquisition.
        assert!(findings("N003", &[&clean_2019()]).is_empty());
    }
}
