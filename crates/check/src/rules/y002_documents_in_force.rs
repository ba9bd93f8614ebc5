//! Y002 — (2021 layout) 现行有效件数(N) = 现行有效件数(N−1) + 本年制发件数(N) − 本年废止件数(N),
//! for 规章 and 行政规范性文件.
//!
//! Why: the stock of documents in force changes by what was issued and repealed [D]. Documents
//! can also lapse or be revised without a repeal, so this is a warning.
//!
//! Fails: 2021 in force 2; 2022 issued 3, repealed 0, in force 7 (expected 5). Passes: in force 5.

use super::{fmt, Rule};
use crate::catalog::meta;
use crate::{Ctx, Finding};
use nianbao_model::{Layout, TableId};

pub static RULE: Rule = Rule { meta: meta("Y002"), check };

fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let Some((prev_index, prev)) = ctx.previous else { return };
    if ctx.layout() != Layout::L2021 || prev.report.effective_layout() != Layout::L2021 {
        return;
    }
    let t = &ctx.report.active_disclosure;
    for (key, label) in [("rules", "规章"), ("normative_documents", "行政规范性文件")] {
        let (Some(before), Some(issued), Some(repealed), Some(now)) = (prev.report.active_disclosure.value(key, 2), t.value(key, 0), t.value(key, 1), t.value(key, 2)) else { continue };
        let expected = before + issued - repealed;
        if (expected - now).abs() > 1e-9 {
            out.push(
                Finding::new(&RULE.meta, ctx.index, format!(
                    "表二“{label}”现行有效件数为 {}，按上年报告（第 {} 份）现行有效 {} + 本年制发 {} − 本年废止 {} 应为 {}",
                    fmt(now), prev_index + 1, fmt(before), fmt(issued), fmt(repealed), fmt(expected)
                ))
                .values(super::num(expected), super::num(now))
                .cells(vec![ctx.cell(TableId::ActiveDisclosure, key, 2)])
                .span(t.cell(key, 2).and_then(|c| c.span)),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn flags_a_stock_that_does_not_follow() {
        let f = findings("Y002", &[&fixture("000_f1bcb5344c0ff0ec.txt")]);
        // 2022: 2 + 3 − 0 = 5, printed 7. 2023: 7 + 1 − 0 = 8, printed 8.
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].report, 1);
    }
}
