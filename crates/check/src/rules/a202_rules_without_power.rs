//! A202 — 规章 counts are non-zero for a body that cannot make 规章.
//!
//! Why: under the 立法法 only State Council departments and the governments of provinces,
//! autonomous regions, municipalities and 设区的市 make 规章; a county, district, township or a
//! local department reporting 规章 has most likely put 规范性文件 in the wrong row (EX-NLK2023: a
//! town reporting 6 规章 in force). A warning: the body's level is inferred from its name.
//!
//! Fails: 某县应急管理局 with 规章 现行有效件数 6. Passes: the same with 0; 太原市人民政府 with 6.

use super::{fmt, Rule};
use crate::agency;
use crate::catalog::meta;
use crate::{Ctx, Finding};
use nianbao_model::{layout, TableId};

pub static RULE: Rule = Rule { meta: meta("A202"), check };

fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let Some(name) = ctx.report.agency.as_deref() else { return };
    if agency::may_make_rules(name) {
        return;
    }
    let Some(row) = ctx.report.active_disclosure.row("rules") else { return };
    let Some(def) = layout::row_def(TableId::ActiveDisclosure, ctx.layout(), "rules") else { return };
    let nonzero: Vec<usize> = row.cells.iter().enumerate().filter(|(_, c)| c.value.is_some_and(|v| v != 0.0)).map(|(i, _)| i).collect();
    if let Some(&first) = nonzero.first() {
        let shown: Vec<String> = nonzero.iter().map(|&i| format!("{} {}", def.fields[i].label, fmt(row.cells[i].value.unwrap_or(0.0)))).collect();
        out.push(
            Finding::new(&RULE.meta, ctx.index, format!("“{name}”按名称判断不具有规章制定权，表二“规章”行却填报了{}，是否应填入“规范性文件”行", shown.join("、")))
                .cells(nonzero.iter().map(|&i| ctx.cell(TableId::ActiveDisclosure, "rules", i)).collect())
                .span(row.cells[first].span)
                .label("应为 0"),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn flags_rules_reported_by_a_district() {
        let bad = edit(&clean_2021(), "规章 | 0 | 0 | 0 |", "规章 | 0 | 0 | 6 |");
        let f = findings("A202", &[&bad]);
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(findings("A202", &[&clean_2021()]).is_empty());
    }
}
