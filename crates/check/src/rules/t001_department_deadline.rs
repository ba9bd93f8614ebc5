//! T001 — a department's report is published on or before 31 January of the next year.
//!
//! Why: 《条例》第四十九条: 县级以上人民政府部门 publish their report on the previous year
//! before 31 January (“前” read as on or before; not moved for weekends). A government's own
//! office publishing its own report counts as a department. Whether the body is a department
//! is inferred from its name, and the message says so.
//!
//! Fails: 某县应急管理局 2023 published 2024-02-05. Passes: published 2024-01-17.

use super::Rule;
use crate::agency::{self, BodyKind};
use crate::catalog::meta;
use crate::{Ctx, Finding};

pub static RULE: Rule = Rule { meta: meta("T001"), check };

fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let (Some(name), Some(year), Some(published)) = (ctx.report.agency.as_deref(), ctx.report.year, ctx.report.published.as_deref()) else { return };
    if agency::kind(name) != BodyKind::Department {
        return;
    }
    let deadline = format!("{}-01-31", year + 1);
    if published > deadline.as_str() {
        out.push(
            Finding::new(&RULE.meta, ctx.index, format!("“{name}”按名称判断为{}，应于 {deadline} 前发布 {year} 年度报告，实际发布日期为 {published}", BodyKind::Department.zh()))
                .values(&deadline, published)
                .span(ctx.parsed.published_span),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn flags_a_late_department() {
        let ok = fixture("002_2a6dab52fda6029c.txt");
        assert!(findings("T001", &[&ok]).is_empty());
        let late = edit(&ok, "2024-01-17", "2024-02-05");
        let f = findings("T001", &[&late]);
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(f[0].message.contains("政府部门"));
    }
}
