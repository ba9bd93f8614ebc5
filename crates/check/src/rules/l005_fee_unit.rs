//! L005 — the 表二 fee amount is not in 万元: the column header says 元, the cell carries a 元
//! unit, or the prose gives the same figure in 元.
//!
//! Why: the 2021 format prints 本年收费金额（单位：万元）; an amount in 元 overstates the fees ten
//! thousand times when reports are summed (EX-YL2022).
//!
//! Fails: 行政事业性收费 `251000元`. Passes: `25.1` under （单位：万元）.

use super::{fmt, Rule};
use crate::catalog::meta;
use crate::{Ctx, Finding};
use nianbao_model::{Layout, TableId};

pub static RULE: Rule = Rule { meta: meta("L005"), check };

fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    if ctx.layout() != Layout::L2021 {
        return;
    }
    let t = &ctx.report.active_disclosure;
    let Some(cell) = t.cell("fees", 0) else { return };
    let Some(v) = cell.value else { return };
    let raw_in_yuan = cell.raw.as_deref().is_some_and(|r| r.ends_with('元') && !r.ends_with("万元"));
    let header_in_yuan = t.headers.iter().any(|h| h.contains("收费金额") && (h.contains("单位:元") || h.contains("(元)")) && !h.contains("万元"));
    if raw_in_yuan || header_in_yuan {
        out.push(
            Finding::new(&RULE.meta, ctx.index, format!("表二“行政事业性收费”本年收费金额 {} 的单位是元，格式规定为万元（应为 {}）", fmt(v), fmt(v / 10_000.0)))
                .values(super::num(v / 10_000.0), super::num(v))
                .cells(vec![ctx.cell(TableId::ActiveDisclosure, "fees", 0)])
                .span(cell.span)
                .label("单位应为万元"),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn flags_an_amount_in_yuan() {
        let bad = edit(&clean_2021(), "行政事业性收费 | 43923.57 |", "行政事业性收费 | 251000元 |");
        assert_eq!(findings("L005", &[&bad]).len(), 1);
        assert!(findings("L005", &[&clean_2021()]).is_empty());
    }
}
