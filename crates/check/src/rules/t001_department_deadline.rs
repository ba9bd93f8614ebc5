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
    out.extend(agency::deadline_finding(ctx, &RULE.meta, BodyKind::Department, "01-31"));
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
