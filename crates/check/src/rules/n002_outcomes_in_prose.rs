//! N002 — outcome counts in the prose (予以公开, 部分公开, 不予公开, 无法提供, 不予处理,
//! 其他处理, 办结/答复) equal the table's rows or their sums.
//!
//! Why: the overview restates the table; 东阿县 2023 says 予以公开7件 and 无法提供2件 while
//! 表三 has 4 and 1. 不予公开 and the others are compared with the sum of their sub-rows;
//! 办结/答复 with （七）总计. Figures about other years are skipped.
//!
//! Fails: “予以公开7件” with 予以公开 总计 4. Passes: “予以公开4件”.

use super::{app, fmt, num, Rule};
use crate::catalog::meta;
use crate::prose::{self, about_other_period, mentions};
use crate::{CellRef, Ctx, Finding};
use nianbao_model::{layout, Layout, TableId};

pub static RULE: Rule = Rule { meta: meta("N002"), check };

/// The outcome words and the 表三 rows whose 总计 they add up.
fn outcomes(layout: Layout) -> Vec<(&'static str, Vec<&'static str>)> {
    let group = |prefix: &str| -> Vec<&'static str> { layout::applications_rows(layout).iter().filter(|r| r.key.starts_with(prefix)).map(|r| r.key).collect() };
    let other = if layout == Layout::L2021 { group("other_") } else { vec!["other"] };
    vec![
        ("部分公开", vec!["partially_granted"]),
        ("予以公开", vec!["granted"]),
        ("不予公开", group("withheld_")),
        ("无法提供", group("unavailable_")),
        ("不予处理", group("rejected_")),
        ("其他处理", other),
        ("办结", vec!["total_processed"]),
        ("答复", vec!["total_processed"]),
    ]
}

/// After an outcome word: "及部分公开", "和无法提供", "、不予处理" — another outcome word joined to
/// it by a conjunction, with the length of the joint.
fn compound_next(rest: &str, table: &[(&'static str, Vec<&'static str>)]) -> Option<(&'static str, Vec<&'static str>, usize)> {
    let joint = ["及", "和", "与", "、", "或", "以及", "加"].iter().find(|j| rest.starts_with(*j))?;
    let tail = &rest[joint.len()..];
    table.iter().filter(|(w, _)| !matches!(*w, "办结" | "答复")).find(|(w, _)| tail.starts_with(w)).map(|(w, rows)| (*w, rows.clone(), joint.len() + w.len()))
}

fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let r = ctx.report;
    let new = app(r, "new_received", 6);
    let carried = app(r, "carried_over", 6).unwrap_or(0.0);
    let table = outcomes(ctx.layout());
    for clause in ctx.clauses.iter().filter(|c| c.section <= 1) {
        let text = clause.text;
        if ["人大", "政协", "提案", "建议", "咨询", "留言", "信访", "热线", "来电", "网民", "诉求"].iter().any(|w| text.contains(w)) || prose::names_other_year(text, r.year) {
            continue;
        }
        let mut compounded: Vec<&str> = Vec::new();
        for (word, rows) in &table {
            if compounded.contains(word) {
                continue;
            }
            let Some(at) = text.find(word) else { continue };
            // The second word of a compound ("予以公开及部分公开") is counted with the first.
            let before = &text[..at];
            if ["及", "和", "与", "、", "或", "以及", "加"].iter().any(|j| {
                before.strip_suffix(j).is_some_and(|b| table.iter().any(|(w, _)| !matches!(*w, "办结" | "答复") && b.ends_with(w)))
            }) {
                continue;
            }
            // "部分公开" contains no "予以公开", but "不予公开" must not be read as "予以公开".
            if *word == "予以公开" && text[..at].ends_with('不') {
                continue;
            }
            let mut after = at + word.len();
            // A compound count ("予以公开及部分公开42件", "不予公开和无法提供3件") is the sum of
            // the rows it names together.
            let mut rows = rows.clone();
            let mut word_shown = word.to_string();
            while let Some((joined, next_rows, len)) = compound_next(&text[after..], &table) {
                rows.extend(next_rows);
                compounded.push(joined);
                word_shown.push_str(&text[after..after + len]);
                after += len;
            }
            let (word, rows) = (&word_shown, &rows);
            let Some(m) = mentions(&text[after..]).into_iter().next() else { continue };
            // The number must follow the word closely: "予以公开7件", "办结52件", "答复13件".
            if m.unit != "件" || m.range.0 > 12 || about_other_period(text, after + m.range.0) {
                continue;
            }
            let values: Option<Vec<f64>> = rows.iter().map(|k| app(r, k, 6)).collect();
            let Some(values) = values else { continue };
            let sum: f64 = values.iter().sum();
            let mut ok = (sum - m.value).abs() < 1e-9;
            if rows == &vec!["total_processed"] && !clause.sentence.contains("申请") {
                // 办结/答复 of something other than applications.
                continue;
            }
            if rows == &vec!["total_processed"] {
                // Replies may be counted over everything handled, or over the new cases.
                ok |= new.is_some_and(|n| (n - m.value).abs() < 1e-9 || (n + carried - m.value).abs() < 1e-9);
                if text.contains("率") {
                    continue;
                }
            }
            if ok {
                continue;
            }
            let mut cells: Vec<CellRef> = rows.iter().map(|k| ctx.cell(TableId::Applications, k, 6)).collect();
            for k in rows {
                for c in 0..6 {
                    if app(r, k, c).is_some_and(|v| v != 0.0) {
                        cells.push(ctx.cell(TableId::Applications, k, c));
                    }
                }
            }
            if rows.len() == 1 {
                cells.push(ctx.cell(TableId::Applications, rows[0], 0));
            }
            cells.dedup();
            let range = (after + m.range.0, after + m.range.1);
            out.push(
                Finding::new(&RULE.meta, ctx.index, format!("正文称“{word}”{} 件，表三相应总计为 {}", fmt(m.value), fmt(sum)))
                    .values(num(sum), num(m.value))
                    .cells(cells)
                    .span(prose::span(ctx.doc, ctx.parsed, clause, range))
                    .label(format!("表三为 {}", fmt(sum))),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn flags_outcome_counts_that_differ() {
        let bad = edit(&clean_2021(), "已办结52件", "已办结50件,其中予以公开14件,无法提供9件");
        let f = findings("N002", &[&bad]);
        let words: Vec<_> = f.iter().map(|f| f.message.clone()).collect();
        assert_eq!(f.len(), 2, "{words:?}");
        assert!(words.iter().any(|m| m.contains("办结")));
        assert!(words.iter().any(|m| m.contains("无法提供")));
        assert!(findings("N002", &[&clean_2021()]).is_empty());
    }

    #[test]
    fn compound_counts_are_sums() {
        // clean_2021: 予以公开 14, 部分公开 3 → "予以公开及部分公开17件" is right, 14 is not.
        let good = edit(&clean_2021(), "已办结52件", "已办结52件,其中予以公开及部分公开17件");
        assert!(findings("N002", &[&good]).is_empty(), "{:?}", findings("N002", &[&good]).iter().map(|f| f.message.clone()).collect::<Vec<_>>());
        let bad = edit(&clean_2021(), "已办结52件", "已办结52件,其中予以公开及部分公开14件");
        let f = findings("N002", &[&bad]);
        assert_eq!(f.len(), 1);
        assert!(f[0].message.contains("予以公开及部分公开"), "{}", f[0].message);
    }
}
