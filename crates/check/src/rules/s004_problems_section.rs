//! S004 — section 五 is not empty and names both the problems and the improvements.
//!
//! Why: the format asks for “存在的主要问题及改进情况”; a section naming only achievements, or
//! only plans, does not answer it (莆田 通报 named unfilled problem sections, DEF-PT2010).
//!
//! Fails: 五 saying only “无”. Passes: “主要问题：……改进措施：……”.

use super::Rule;
use crate::catalog::meta;
use crate::{Ctx, Finding};

pub static RULE: Rule = Rule { meta: meta("S004"), check };

fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let Some(section) = ctx.parsed.section(5) else { return };
    let text: String = ctx.parsed.section_lines(5).iter().filter(|l| !l.is_table_row).map(|l| l.text.as_str()).collect();
    let problems = ["问题", "不足", "短板", "差距", "薄弱", "欠缺", "有待"].iter().any(|w| text.contains(w) || section.heading.contains("问题") && !text.is_empty());
    let fixes = ["改进", "措施", "下一步", "加强", "提升", "整改", "完善", "将"].iter().any(|w| text.contains(w));
    let missing = match (text.trim().is_empty(), problems, fixes) {
        (true, _, _) => "内容为空",
        (false, false, _) => "未写明存在的问题",
        (false, true, false) => "未写明改进情况",
        _ => return,
    };
    out.push(Finding::new(&RULE.meta, ctx.index, format!("第五部分“存在的主要问题及改进情况”{missing}")).span(section.heading_span));
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn flags_an_empty_problems_section() {
        let t = clean_2021();
        let a = t.find("五、存在的主要问题及改进情况\n").unwrap() + "五、存在的主要问题及改进情况\n".len();
        let b = t.find("六、其他需要报告的事项").unwrap();
        let bad = format!("{}无\n{}", &t[..a], &t[b..]);
        assert_eq!(findings("S004", &[&bad]).len(), 1);
        assert!(findings("S004", &[&clean_2021()]).is_empty());
    }
}
