//! L006 — the 部分公开 row lacks its counting note (区分处理的，只计这一情形，不计其他情形).
//!
//! Why: the note is part of the row label in the format and tells how to count a split
//! decision (once, here); a label without it suggests an altered template (EX-YL2022). Only
//! checked when the row's label was read from the report.
//!
//! Fails: a row labelled “（二）部分公开”. Passes: “（二）部分公开（区分处理的，只计这一情形，不计其他情形）”.

use super::Rule;
use crate::catalog::meta;
use crate::{Ctx, Finding};

pub static RULE: Rule = Rule { meta: meta("L006"), check };

fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let Some(row) = ctx.report.applications.row("partially_granted") else { return };
    let Some(label) = &row.label else { return };
    let compact: String = label.chars().filter(|c| !c.is_whitespace()).collect();
    if !(compact.contains("区分处理") || compact.contains("只计这一情形")) {
        out.push(
            Finding::new(&RULE.meta, ctx.index, format!("表三“{label}”行缺少计数说明“区分处理的，只计这一情形，不计其他情形”"))
                .span(row.label_span),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn flags_a_label_without_its_note() {
        let bad = edit(&clean_2021(), "(二)部分公开(区分处理的,只计这一情形,不计其他情形)", "(二)部分公开");
        assert_eq!(findings("L006", &[&bad]).len(), 1);
        assert!(findings("L006", &[&clean_2021()]).is_empty());
    }
}
