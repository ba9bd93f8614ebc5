//! S008 — the agency in the title equals the signature (落款).
//!
//! Why: a report copied from another unit keeps the other unit's name in one of the two
//! (DEF-LC). Names are compared through the agency key, so 东阿县政府办公室 and
//! 东阿县人民政府办公室 are the same.
//!
//! Fails: title 某县应急管理局, signed 某县民政局. Passes: the same agency, short or full.

use super::Rule;
use crate::agency;
use crate::catalog::meta;
use crate::{Ctx, Finding};

pub static RULE: Rule = Rule { meta: meta("S008"), check };

fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let (Some(title), Some(sig)) = (&ctx.parsed.title, &ctx.parsed.signature) else { return };
    let Some(name) = ctx.report.agency.as_deref() else { return };
    let (a, b) = (agency::key(name), agency::key(&sig.value));
    // The signature may be the name alone or the name with a seal note; compare the names.
    if !(a.contains(&b) || b.contains(&a)) {
        out.push(Finding::new(&RULE.meta, ctx.index, format!("标题中的机关“{name}”与落款“{}”不一致（标题：{}）", sig.value, title.value)).span(sig.span));
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn flags_a_signature_of_another_agency() {
        let t = edit(&clean_2021(), "2024年1月18日", "太原市小店区人民政府\n2024年1月18日");
        assert!(findings("S008", &[&t]).is_empty());
        let bad = edit(&clean_2021(), "2024年1月18日", "太原市迎泽区人民政府\n2024年1月18日");
        assert_eq!(findings("S008", &[&bad]).len(), 1);
    }
}
