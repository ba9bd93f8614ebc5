//! Matching printed row labels to the layout's rows by meaning: numbering and spaces are
//! stripped, then distinctive words decide, and a fuzzy comparison catches typos.

use nianbao_model::layout::{self, Layout};

/// What a 表三 label stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolved {
    /// A row, by index in the layout's rows.
    Row(usize),
    /// A group heading covering rows `a..=b`.
    Group(usize, usize),
    /// A column header (申请人情况, 自然人 …).
    Header,
    None,
}

/// Removes white space and leading numbering (一、 （三） 1. 2、), as often as it repeats.
pub fn clean(label: &str) -> (String, bool) {
    let mut s: String = label.chars().filter(|c| !c.is_whitespace()).collect();
    let mut numbered = false;
    loop {
        let before = s.len();
        let numerals = "一二三四五六七八九十";
        let t = s.as_str();
        // 一、 / 三.
        let lead: String = t.chars().take_while(|c| numerals.contains(*c)).collect();
        if !lead.is_empty() {
            let rest = &t[lead.len()..];
            if let Some(r) = rest.strip_prefix(['、', '.', ',', '．']) {
                s = r.to_string();
            }
        }
        let t = s.clone();
        // (三) / (3)
        if let Some(r) = t.strip_prefix('(') {
            if let Some(close) = r.find(')') {
                let inner = &r[..close];
                if !inner.is_empty() && inner.chars().all(|c| numerals.contains(c) || c.is_ascii_digit()) {
                    s = r[close + 1..].to_string();
                }
            }
        }
        // 1. / 2、
        let t = s.clone();
        let digits: String = t.chars().take_while(|c| c.is_ascii_digit()).collect();
        if !digits.is_empty() && digits.len() <= 2 {
            if let Some(r) = t[digits.len()..].strip_prefix(['.', '、', ',', '．']) {
                s = r.to_string();
            }
        }
        if s.len() == before {
            break;
        }
        numbered = true;
    }
    (s, numbered)
}

const COLUMN_HEADERS: &[&str] = &["申请人情况", "自然人", "法人或其他组织", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计", "信息内容"];

/// Distinctive words of each 表三 row, checked in this order.
pub(crate) const KEYWORDS: &[(&str, &[&str])] = &[
    ("new_received", &["本年新收", "新收政府信息"]),
    ("carried_over", &["上年结转"]),
    ("carried_forward", &["结转下年度", "下年度继续"]),
    ("partially_granted", &["部分公开"]),
    ("granted", &["予以公开"]),
    ("withheld_state_secret", &["国家秘密"]),
    ("withheld_law_prohibited", &["禁止公开"]),
    ("withheld_security_stability", &["三安全一稳定", "危及"]),
    ("withheld_third_party", &["第三方"]),
    ("withheld_internal_affairs", &["内部事务"]),
    ("withheld_process_info", &["过程性"]),
    ("withheld_enforcement_file", &["执法案卷"]),
    ("withheld_admin_query", &["行政查询"]),
    ("unavailable_not_held", &["不掌握"]),
    ("unavailable_needs_creation", &["另行制作", "没有现成"]),
    ("unavailable_unclear", &["仍不明确", "补正后申请"]),
    ("rejected_complaint", &["信访", "举报投诉"]),
    ("rejected_duplicate", &["重复申请"]),
    ("rejected_publication", &["出版物"]),
    ("rejected_excessive", &["大量反复"]),
    ("rejected_confirmation", &["重新出具", "确认或"]),
    ("other_no_correction", &["不补正"]),
    ("other_unpaid_fee", &["缴纳费用", "收费通知"]),
];

const GROUPS: &[(&str, &str, &str)] = &[
    ("本年度办理结果", "granted", "total_processed"),
    ("不予公开", "withheld_state_secret", "withheld_admin_query"),
    ("无法提供", "unavailable_not_held", "unavailable_unclear"),
    ("不予处理", "rejected_complaint", "rejected_confirmation"),
    ("其他处理", "other_no_correction", "other_other"),
];

/// Resolves a 表三 label. `header_zone`: no value has been read yet in the table, so bare column
/// names are headers.
pub fn applications_row(label: &str, layout: Layout, header_zone: bool) -> Resolved {
    let rows = layout::applications_rows(layout);
    let idx = |key: &str| rows.iter().position(|r| r.key == key);
    let (c, numbered) = clean(label);
    if c.is_empty() {
        return Resolved::None;
    }
    if c.contains("勾稽") {
        return Resolved::Header;
    }
    // A bare column name is a header before the data; 总计 after the data has begun is the
    // （七）总计 row whose numbering was lost.
    let is_total_row = c == "总计" && (numbered || !header_zone);
    if COLUMN_HEADERS.contains(&c.as_str()) && (header_zone || !numbered) && !is_total_row {
        return Resolved::Header;
    }
    for (key, words) in KEYWORDS {
        if words.iter().any(|w| c.contains(w)) {
            if let Some(i) = idx(key) {
                return Resolved::Row(i);
            }
        }
    }
    match c.as_str() {
        "总计" => return idx("total_processed").map(Resolved::Row).unwrap_or(Resolved::None),
        "其他" if layout == Layout::L2021 => return idx("other_other").map(Resolved::Row).unwrap_or(Resolved::None),
        _ => {}
    }
    if c.contains("其他处理") && layout == Layout::L2019 {
        return idx("other").map(Resolved::Row).unwrap_or(Resolved::None);
    }
    for (word, first, last) in GROUPS {
        if c.contains(word) {
            if let (Some(a), Some(b)) = (idx(first), idx(last)) {
                return Resolved::Group(a, b);
            }
        }
    }
    // The beginning of a label wrapped over lines ("2.其他法律行" | "政法规禁止公开"): the one
    // row whose label starts so.
    if c.chars().count() >= 4 {
        let starts: Vec<usize> = rows.iter().enumerate().filter(|(_, r)| clean(r.label).0.starts_with(&c)).map(|(i, _)| i).collect();
        if let [only] = starts.as_slice() {
            return Resolved::Row(*only);
        }
    }
    // Typos and variants: compare with every printed label.
    if c.chars().count() >= 4 {
        let best = rows
            .iter()
            .enumerate()
            .map(|(i, r)| (i, strsim::normalized_levenshtein(&clean(r.label).0, &c)))
            .max_by(|a, b| a.1.total_cmp(&b.1));
        if let Some((i, score)) = best {
            if score >= 0.7 {
                return Resolved::Row(i);
            }
        }
    }
    Resolved::None
}

/// Resolves a 表二 label to its row key.
pub fn active_disclosure_row(label: &str, layout: Layout) -> Option<&'static str> {
    let (c, _) = clean(label);
    let key = if c.contains("其他对外管理服务") {
        "other_services"
    } else if c.contains("规范性文件") {
        "normative_documents"
    } else if c == "规章" || c.ends_with("规章") && c.chars().count() <= 4 {
        "rules"
    } else if c.contains("行政许可") && c.chars().count() <= 6 {
        "licensing"
    } else if c.contains("行政处罚") && c.chars().count() <= 6 {
        "penalty"
    } else if c.contains("行政强制") && c.chars().count() <= 6 {
        "coercion"
    } else if c.contains("事业性收费") && c.chars().count() <= 8 {
        "fees"
    } else if c.contains("集中采购") && c.chars().count() <= 8 {
        "procurement"
    } else {
        return None;
    };
    layout::row_def(nianbao_model::TableId::ActiveDisclosure, layout, key).map(|r| r.key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_numbering_of_every_kind() {
        assert_eq!(clean("(三)不予公开").0, "不予公开");
        assert_eq!(clean("三、本年度办理结果").0, "本年度办理结果");
        assert_eq!(clean("5.要求行政机关确认或重新 出具已获取信息").0, "要求行政机关确认或重新出具已获取信息");
        assert_eq!(clean("(七)总计"), ("总计".to_string(), true));
    }

    #[test]
    fn resolves_rows_by_meaning_even_with_typos() {
        let rows = layout::APPLICATIONS_2021;
        let key = |r: Resolved| match r {
            Resolved::Row(i) => rows[i].key,
            other => panic!("{other:?}"),
        };
        assert_eq!(key(applications_row("1.申请人无正当理由预期不补正、行政机关不再处理", Layout::L2021, false)), "other_no_correction");
        assert_eq!(key(applications_row("3.其他", Layout::L2021, false)), "other_other");
        assert_eq!(key(applications_row("(七)总计", Layout::L2021, true)), "total_processed");
        assert_eq!(applications_row("其他", Layout::L2021, true), Resolved::Header);
        assert!(matches!(applications_row("(五)不予处理", Layout::L2021, false), Resolved::Group(..)));
        assert_eq!(active_disclosure_row("规范性文件", Layout::L2019), Some("normative_documents"));
        assert_eq!(active_disclosure_row("其他对外管理服务事项", Layout::L2021), None);
    }
}
