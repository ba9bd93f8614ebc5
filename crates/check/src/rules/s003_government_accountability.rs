//! S003 — a government's report (not a department's) covers 工作考核、社会评议和责任追究结果.
//!
//! Why: 《条例》第五十条 adds this item for 人民政府 reports. Whether the body is a government is
//! inferred from its name (…人民政府), and the message says so. A warning.
//!
//! Fails: 某区人民政府 whose report never mentions 考核, 评议 or 责任追究. Passes: it mentions them.

use super::Rule;
use crate::agency::{self, BodyKind};
use crate::catalog::meta;
use crate::{Ctx, Finding};

pub static RULE: Rule = Rule { meta: meta("S003"), check };

fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let Some(name) = ctx.report.agency.as_deref() else { return };
    if agency::kind(name) != BodyKind::Government {
        return;
    }
    let text: String = ctx.parsed.prose_lines().map(|l| l.text.as_str()).collect();
    let missing: Vec<&str> = [("工作考核", "考核"), ("社会评议", "评议"), ("责任追究", "责任追究")].iter().filter(|(_, w)| !text.contains(w)).map(|(n, _)| *n).collect();
    if !missing.is_empty() {
        out.push(Finding::new(&RULE.meta, ctx.index, format!("“{name}”按名称判断为人民政府，报告应说明工作考核、社会评议和责任追究结果，未提及：{}", missing.join("、"))));
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn asks_a_government_for_accountability() {
        // 小店区 mentions 考核 but neither 评议 nor 责任追究.
        let f = findings("S003", &[&clean_2021()]);
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(f[0].message.contains("社会评议"));
        assert!(findings("S003", &[&fixture("002_2a6dab52fda6029c.txt")]).is_empty(), "a department is not asked");
    }
}
