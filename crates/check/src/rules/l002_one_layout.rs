//! L002 — one layout throughout: 表二 and 表三 follow the same layout.
//!
//! Why: a 2021 表二 (本年制发件数) with a 2019 表三 (one-row （六）其他处理), or the reverse, is
//! neither format: the template was patched together (国办公开办函〔2021〕30号, EX-XX2019).
//!
//! Fails: 表二 with 本年制发件数 and 表三 with a single （六）其他处理 row. Passes: both 2021.

use super::Rule;
use crate::catalog::meta;
use crate::{Ctx, Finding};
use nianbao_model::TableId;

pub static RULE: Rule = Rule { meta: meta("L002"), check };

fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let ev = &ctx.parsed.layout_evidence;
    let t2 = ev.iter().find(|e| e.0 == TableId::ActiveDisclosure).map(|e| e.1);
    let t3 = ev.iter().find(|e| e.0 == TableId::Applications).map(|e| e.1);
    if let (Some(a), Some(b)) = (t2, t3) {
        if a != b {
            out.push(
                Finding::new(&RULE.meta, ctx.index, format!("表二为 {} 版格式，表三却为 {} 版格式，全文应使用同一版式", a.as_str(), b.as_str()))
                    .values(a.as_str(), b.as_str())
                    .span(ctx.report.applications.span),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn flags_a_2021_table_two_with_a_2019_table_three() {
        let old = clean_2019();
        let start = old.find("三、收到和处理").unwrap();
        let new = clean_2021();
        let t2 = &new[new.find("二、主动公开").unwrap()..new.find("三、收到和处理").unwrap()];
        let mixed = format!("{}{}{}", &old[..old.find("二、主动公开").unwrap()], t2, &old[start..]);
        let f = findings("L002", &[&mixed]);
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(findings("L002", &[&clean_2021()]).is_empty());
    }
}
