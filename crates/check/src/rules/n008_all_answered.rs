//! N008 — 结转下年度 > 0 while the prose says every application was answered.
//!
//! Why: an application carried into next year was not concluded; “全部答复/均已办结” and a
//! carry-forward cannot both be true (东阿县 2020: “全部进行了规范答复”, 11 carried forward).
//! A warning: the prose may mean “answered on time so far”.
//!
//! Fails: “全部办结” with 结转下年度 5. Passes: “已办结52件，转下年办理5件”.

use super::{app, fmt, Rule};
use crate::catalog::meta;
use crate::prose;
use crate::{Ctx, Finding};
use nianbao_model::TableId;

pub static RULE: Rule = Rule { meta: meta("N008"), check };

const ALL_DONE: &[&str] = &["全部进行了规范答复", "全部答复", "均已答复", "全部办结", "均已办结", "全部按时答复", "已全部办结", "均按时办结", "全部予以答复"];

fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let Some(forward) = app(ctx.report, "carried_forward", 6).filter(|v| *v > 0.0) else { return };
    for clause in ctx.clauses.iter().filter(|c| c.section <= 1) {
        if clause.text.contains("提案") || clause.text.contains("建议") {
            continue;
        }
        if let Some(w) = ALL_DONE.iter().find(|w| clause.text.contains(*w)) {
            let at = clause.text.find(w).unwrap_or(0);
            out.push(
                Finding::new(&RULE.meta, ctx.index, format!("正文称“{w}”，表三却有 {} 件结转下年度继续办理", fmt(forward)))
                    .cells(vec![ctx.cell(TableId::Applications, "carried_forward", 6)])
                    .span(prose::span(ctx.doc, ctx.parsed, clause, (at, at + w.len()))),
            );
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn flags_all_answered_with_a_carry_forward() {
        let bad = edit(&clean_2021(), "已办结52件", "全部办结");
        assert_eq!(findings("N008", &[&bad]).len(), 1);
        assert!(findings("N008", &[&clean_2021()]).is_empty());
    }
}
