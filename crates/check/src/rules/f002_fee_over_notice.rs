//! F002 — the fees actually collected exceed the amount the fee notices asked for.
//!
//! Why: under 国办函〔2020〕109号 a fee is paid on a notice; section 六 reports the notices'
//! total and the amount actually collected [R], and more cannot be collected than was asked [D].
//! Read from one sentence naming both (“发出收费通知…共计X元，实际收取Y元”). A warning.
//!
//! Fails: “收费通知金额共计200元，实际收取300元”. Passes: “…共计300元，实际收取200元”.

use super::{fmt, Rule};
use crate::catalog::meta;
use crate::prose::{self, mentions};
use crate::{Ctx, Finding};

pub static RULE: Rule = Rule { meta: meta("F002"), check };

fn yuan(unit: &str, v: f64) -> Option<f64> {
    match unit {
        "元" => Some(v),
        "万元" => Some(v * 10_000.0),
        _ => None,
    }
}

fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    for (k, clause) in ctx.clauses.iter().enumerate() {
        let s = clause.sentence;
        if !(s.contains("收费通知") && s.contains("实际收取")) || !clause.text.contains("实际收取") {
            continue;
        }
        let Some(collected) = mentions(clause.text).into_iter().find_map(|m| yuan(&m.unit, m.value).map(|v| (v, m))) else { continue };
        // The notified amount: the last amount in the clauses of the same sentence before this one.
        let notified = ctx.clauses[..k]
            .iter()
            .rev()
            .take_while(|c| std::ptr::eq(c.sentence, s))
            .find_map(|c| mentions(c.text).into_iter().rev().find_map(|m| yuan(&m.unit, m.value)));
        if let Some(notified) = notified {
            if collected.0 > notified + 1e-9 {
                out.push(
                    Finding::new(&RULE.meta, ctx.index, format!("实际收取信息处理费 {} 元，超过收费通知金额 {} 元", fmt(collected.0), fmt(notified)))
                        .values(notified, collected.0)
                        .span(prose::span(ctx.doc, ctx.parsed, clause, collected.1.range)),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn flags_more_collected_than_notified() {
        let with = |a: &str, b: &str| edit(&clean_2021(), "本机关2023年度未收取政府信息公开信息处理费。", &format!("本机关发出收费通知2件,金额共计{a}元,实际收取{b}元。"));
        assert_eq!(findings("F002", &[&with("200", "300")]).len(), 1);
        assert!(findings("F002", &[&with("300", "200")]).is_empty());
        assert!(findings("F002", &[&clean_2021()]).is_empty());
    }
}
