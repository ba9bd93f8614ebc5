//! N004 — (2021 layout) applications closed because the fee was not paid (（六）2) while
//! section 六 says no fee notice was issued.
//!
//! Why: row （六）2 only exists after a 收费通知 under 国办函〔2020〕109号: an application cannot
//! lapse for non-payment unless a fee was asked for (FEE-SC).
//!
//! Fails: （六）2 总计 1 and “未发出收费通知”. Passes: （六）2 总计 0.

use super::{app, fmt, Rule};
use crate::catalog::meta;
use crate::{Ctx, Finding};
use nianbao_model::{Layout, TableId};

pub static RULE: Rule = Rule { meta: meta("N004"), check };

const NO_NOTICE: &[&str] = &["未发出收费通知", "未发出信息处理费收费通知", "没有发出收费通知", "未向申请人发出收费通知", "未发出缴费通知", "收费通知0", "发出收费通知0件"];

fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    if ctx.layout() != Layout::L2021 {
        return;
    }
    let Some(unpaid) = app(ctx.report, "other_unpaid_fee", 6).filter(|v| *v > 0.0) else { return };
    for (i, line) in ctx.parsed.lines.iter().enumerate().filter(|(_, l)| !l.is_table_row) {
        let compact: String = line.text.chars().filter(|c| !c.is_whitespace()).collect();
        if let Some(w) = NO_NOTICE.iter().find(|w| compact.contains(*w)) {
            let at = line.text.find(&w[..3]).unwrap_or(0);
            let _ = i;
            out.push(
                Finding::new(&RULE.meta, ctx.index, format!("表三“（六）2.申请人逾期未按收费通知要求缴纳费用”为 {} 件，正文却称未发出收费通知", fmt(unpaid)))
                    .cells(vec![ctx.cell(TableId::Applications, "other_unpaid_fee", 6)])
                    .span(Some(ctx.doc.source.span_in(line, at, line.text.len()))),
            );
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn flags_unpaid_fees_without_a_notice() {
        let t = edit(&clean_2021(), "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请 | 1 | 0 | 0 | 0 | 0 | 0 | 1 |");
        let bad = edit(&t, "本机关2023年度未收取政府信息公开信息处理费。", "本机关2023年度未发出收费通知。");
        assert_eq!(findings("N004", &[&bad]).len(), 1);
        assert!(findings("N004", &[&t]).is_empty());
    }
}
