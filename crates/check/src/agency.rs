//! What the agency's name tells: the same body across name variants, and whether it is a
//! government (人民政府) or a department (局/委/办…), which decides its publication deadline.

/// A key that is the same for the short and the full form of one agency's name
/// (东阿县政府办公室 / 东阿县人民政府办公室).
pub fn key(name: &str) -> String {
    name.chars().filter(|c| !c.is_whitespace()).collect::<String>().replace("人民政府", "政府")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyKind {
    /// 县级以上地方人民政府: its government-wide report is due by 31 March.
    Government,
    /// 乡镇/街道: no national deadline.
    Township,
    /// 县级以上人民政府部门 (and a government's own office reporting for itself): 31 January.
    Department,
}

impl BodyKind {
    pub fn zh(self) -> &'static str {
        match self {
            BodyKind::Government => "人民政府（政府本级）",
            BodyKind::Township => "乡镇、街道",
            BodyKind::Department => "政府部门",
        }
    }
}

/// Infers the kind of body from its name.
pub fn kind(name: &str) -> BodyKind {
    let n = key(name);
    let township = ["镇", "乡", "街道", "街道办事处", "镇政府", "乡政府", "街道办"];
    if township.iter().any(|t| n.ends_with(t)) || n.ends_with("镇人民政府") || n.ends_with("乡人民政府") {
        return BodyKind::Township;
    }
    if n.ends_with("政府") {
        return BodyKind::Government;
    }
    BodyKind::Department
}

/// The publication deadline check shared by T001 and T002: a finding when a body of `kind`
/// published its report on `year` after `month_day` of the next year.
pub fn deadline_finding(ctx: &crate::Ctx<'_>, meta: &crate::RuleMeta, kind: BodyKind, month_day: &str) -> Option<crate::Finding> {
    let (Some(name), Some(year), Some(published)) = (ctx.report.agency.as_deref(), ctx.report.year, ctx.report.published.as_deref()) else { return None };
    if self::kind(name) != kind {
        return None;
    }
    let deadline = format!("{}-{month_day}", year + 1);
    (published > deadline.as_str()).then(|| {
        crate::Finding::new(meta, ctx.index, format!("“{name}”按名称判断为{}，应于 {deadline} 前发布 {year} 年度报告，实际发布日期为 {published}", kind.zh()))
            .values(&deadline, published)
            .span(ctx.parsed.published_span)
    })
}

/// Whether a body may make 规章: a province, autonomous region, municipality or 设区的市
/// government (or its office reporting for it). Below that level, and for local departments,
/// 规章 counts must be zero. Ministries (no place name) are given the benefit of the doubt.
pub fn may_make_rules(name: &str) -> bool {
    let n = key(name);
    let below_city = ["县", "区", "镇", "乡", "街道", "旗"].iter().any(|w| {
        // A 区/县 after a 市 (太原市小店区) or at the end of the place name.
        n.find("市").map(|i| n[i..].contains(w)).unwrap_or(n.contains(w))
    });
    if below_city {
        return false;
    }
    let government = n.ends_with("政府") || n.ends_with("政府办公厅") || n.ends_with("政府办公室");
    let place = n.contains('省') || n.contains("自治区") || n.contains('市') || n.contains("自治州");
    government || !place
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_and_full_forms_share_a_key() {
        assert_eq!(key("东阿县政府办公室"), key("东阿县人民政府办公室"));
    }

    #[test]
    fn tells_governments_departments_and_townships() {
        assert_eq!(kind("太原市小店区人民政府"), BodyKind::Government);
        assert_eq!(kind("东阿县人民政府办公室"), BodyKind::Department);
        assert_eq!(kind("张店区应急管理局"), BodyKind::Department);
        assert_eq!(kind("大溪镇"), BodyKind::Township);
        assert!(may_make_rules("太原市人民政府"));
        assert!(!may_make_rules("太原市小店区人民政府"));
        assert!(!may_make_rules("张店区应急管理局"));
    }
}
