//! L003 — each table has every row and column of its layout: 表二 6 (2021) or 8 (2019) rows,
//! 表三 7 columns × 25 or 23 rows, 表四 15 cells.
//!
//! Why: the format is a unified template; “严禁擅自删减报告事项” (CQ2019). A row or a table left
//! out cannot be checked and hides data. Labels are matched by meaning, so a renamed but
//! recognisable row counts as present.
//!
//! Fails: a 表三 without the （四）无法提供 rows. Passes: every row printed (blank cells are L004).

use super::Rule;
use crate::catalog::meta;
use crate::{Ctx, Finding};
use nianbao_model::{layout, TableId};

pub static RULE: Rule = Rule { meta: meta("L003"), check };

fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let layout = ctx.layout();
    for id in TableId::ALL {
        let table = ctx.report.table(id);
        let defs = layout::rows(id, layout);
        if table.rows.is_empty() {
            out.push(Finding::new(&RULE.meta, ctx.index, format!("缺少{}（{}）", id.short_name(), id.title())).values(defs.len(), 0));
            continue;
        }
        let missing: Vec<String> = defs.iter().filter(|d| table.row(d.key).is_none()).map(|d| d.printed()).collect();
        if !missing.is_empty() {
            let shown: Vec<String> = missing.iter().take(6).map(|m| format!("“{m}”")).collect();
            let more = if missing.len() > 6 { format!("等 {} 行", missing.len()) } else { String::new() };
            out.push(
                Finding::new(&RULE.meta, ctx.index, format!("{}（{} 版）缺少{}{}", id.short_name(), layout.as_str(), shown.join("、"), more))
                    .values(defs.len(), defs.len() - missing.len())
                    .span(table.span),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn flags_missing_rows() {
        let bad = edit(&clean_2021(), "2.没有现成信息需要另行制作 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | ||\n", "");
        let f = findings("L003", &[&bad]);
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(f[0].message.contains("没有现成信息需要另行制作"), "{}", f[0].message);
        assert!(findings("L003", &[&clean_2021()]).is_empty());
    }
}
