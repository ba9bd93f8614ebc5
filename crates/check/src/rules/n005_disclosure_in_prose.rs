//! N005 — figures in the prose for 规范性文件 issued and 行政许可/行政处罚 decisions match 表二.
//!
//! Why: the overview often restates 表二 (“2023年发布1件…规范性文件”); a different figure means
//! one of the two is wrong [D]. Read only in clauses that name the row and an issuing or deciding
//! verb and hold exactly one count, so a share or a subset is not compared. A warning.
//!
//! Fails: “制发规范性文件5件” with 本年制发件数 3. Passes: “规范性文件3件” with 3.

use super::{fmt, num, Rule};
use crate::catalog::meta;
use crate::prose::{self, about_other_period, mentions};
use crate::{Ctx, Finding};
use nianbao_model::TableId;

pub static RULE: Rule = Rule { meta: meta("N005"), check };

fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let t = &ctx.report.active_disclosure;
    // 本年制发件数 (2021) and 本年新制作数量 (2019) are both the first column.
    let issued_col = 0;
    let decisions = |row: &str| ctx.report.field_index(TableId::ActiveDisclosure, row, "decisions").and_then(|i| t.value(row, i).map(|v| (i, v)));
    let targets: Vec<(&str, &str, &[&str], Option<(usize, f64)>)> = vec![
        ("规范性文件", "normative_documents", &["发布", "制发", "印发", "出台", "制定", "新制作"], t.value("normative_documents", issued_col).map(|v| (issued_col, v))),
        ("行政许可", "licensing", &["办理", "作出", "决定", "受理"], decisions("licensing")),
        ("行政处罚", "penalty", &["作出", "决定", "办理", "实施"], decisions("penalty")),
    ];
    for clause in ctx.clauses.iter().filter(|c| c.section <= 1) {
        let text = clause.text;
        if prose::names_other_year(text, ctx.report.year) {
            continue;
        }
        for (word, row, verbs, table) in &targets {
            let Some((col, value)) = table else { continue };
            if !text.contains(word) || !verbs.iter().any(|v| text.contains(v)) || text.contains("解读") || text.contains("清理") {
                continue;
            }
            let counts: Vec<_> = mentions(text).into_iter().filter(|m| m.unit == "件" || m.unit == "个" || m.unit == "起").collect();
            let [m] = counts.as_slice() else { continue };
            if about_other_period(text, m.range.0) || (m.value - value).abs() < 1e-9 {
                continue;
            }
            out.push(
                Finding::new(&RULE.meta, ctx.index, format!("正文称“{word}”{} 件，表二“{}”行为 {}", fmt(m.value), if *row == "normative_documents" { "规范性文件" } else { word }, fmt(*value)))
                    .values(num(*value), num(m.value))
                    .cells(vec![ctx.cell(TableId::ActiveDisclosure, row, *col)])
                    .span(prose::span(ctx.doc, ctx.parsed, clause, m.range))
                    .label(format!("表二为 {}", fmt(*value))),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn compares_documents_issued_with_table_two() {
        assert!(findings("N005", &[&clean_2021()]).is_empty());
        assert!(findings("N005", &[&fixture("000_f1bcb5344c0ff0ec.txt")]).is_empty(), "“发布1件…规范性文件” = 1");
        let bad = edit(&clean_2021(), "刊登区政府、区政府办公室文件33件,规范性文件3件", "刊登区政府、区政府办公室文件33件,发布规范性文件5件");
        let f = findings("N005", &[&bad]);
        assert_eq!(f.len(), 1, "{f:?}");
    }
}
