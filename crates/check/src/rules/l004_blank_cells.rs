//! L004 — a blank cell in 表二–表四.
//!
//! Why: offices ask for complete data (“应报尽报”, HH2021); a blank is not a zero, and reading it
//! as 0 silently would hide a missing figure. One warning per row, naming its blank columns.
//!
//! Fails: （一）予以公开 printed with empty cells. Passes: the same row with 0s.

use super::Rule;
use crate::catalog::meta;
use crate::{Ctx, Finding};
use nianbao_model::{layout, CellMark, TableId};

pub static RULE: Rule = Rule { meta: meta("L004"), check };

fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let layout = ctx.layout();
    for id in TableId::ALL {
        for row in &ctx.report.table(id).rows {
            let blank: Vec<usize> = row.cells.iter().enumerate().filter(|(_, c)| c.value.is_none() && c.mark != CellMark::Unreadable).map(|(i, _)| i).collect();
            if blank.is_empty() {
                continue;
            }
            let fields = layout::row_def(id, layout, &row.key).map(|d| d.fields).unwrap_or(&[]);
            let names: Vec<&str> = blank.iter().filter_map(|&i| fields.get(i).map(|f| f.label)).collect();
            let what = if blank.len() == row.cells.len() { "整行空白".to_string() } else { format!("“{}”空白", names.join("、")) };
            out.push(
                Finding::new(&RULE.meta, ctx.index, format!("{}{}：空白不等于 0，应填写数字", layout::describe_row(id, layout, &row.key), what))
                    .cells(blank.iter().map(|&i| ctx.cell(id, &row.key, i)).collect())
                    .span(row.label_span.or_else(|| row.cells.iter().find_map(|c| c.span))),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn flags_rows_with_blank_cells() {
        let f = findings("L004", &[&clean_2019()]);
        assert!(f.iter().any(|f| f.message.contains("予以公开") && f.message.contains("整行空白")), "{f:?}");
        assert!(findings("L004", &[&clean_2021()]).is_empty());
    }
}
