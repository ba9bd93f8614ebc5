//! T002 — a government-wide report is published on or before 31 March of the next year.
//!
//! Why: 《条例》第四十九条 [R]: the disclosure office of each 县级以上地方人民政府 publishes the
//! government's report before 31 March. The body is inferred from its name (…人民政府); the
//! message says so. Townships have no national deadline and are not checked.
//!
//! Fails: 太原市小店区人民政府 2023 published 2024-04-02. Passes: 2024-01-18.

use super::Rule;
use crate::agency::{self, BodyKind};
use crate::catalog::meta;
use crate::{Ctx, Finding};

pub static RULE: Rule = Rule { meta: meta("T002"), check };

fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    out.extend(agency::deadline_finding(ctx, &RULE.meta, BodyKind::Government, "03-31"));
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn flags_a_late_government_report() {
        assert!(findings("T002", &[&clean_2021()]).is_empty());
        let late = edit(&clean_2021(), "发布时间: 2024-02-02", "发布时间: 2024-04-02");
        assert_eq!(findings("T002", &[&late]).len(), 1);
    }
}
