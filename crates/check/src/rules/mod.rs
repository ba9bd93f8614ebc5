//! The rules, one per file, named by code and slug. To add a rule: write `xNNN_slug.rs` with a
//! doc comment (what, why, the source, a failing and a passing example), a `RULE` static whose
//! code is in [`crate::catalog::CATALOG`], a `check` function and a fixture test; then list it in
//! [`ALL`].

use crate::{Ctx, Finding, RuleMeta};
use nianbao_model::layout::{self, TableId};
use nianbao_model::Report;

pub struct Rule {
    pub meta: RuleMeta,
    pub check: fn(&Ctx<'_>, &mut Vec<Finding>),
}

mod a201_disclosure_counts;
mod a202_rules_without_power;
mod a203_old_layout_items;
mod a301_carry_balance;
mod a302_outcome_total;
mod a303_row_total;
mod a304_application_counts;
mod a305_subtotals;
mod a401_review_total;
mod a402_review_counts;
mod f001_fee_before_2021;
mod f002_fee_over_notice;
mod f003_fee_confusion;
mod l001_layout_for_year;
mod l002_one_layout;
mod l003_complete_tables;
mod l004_blank_cells;
mod n001_received_in_prose;
mod n002_outcomes_in_prose;
mod n003_review_in_prose;
mod n004_unpaid_fee_notice;
mod n005_disclosure_in_prose;
mod n006_year_on_year;
mod n008_all_answered;
mod l005_fee_unit;
mod l006_partial_note;
mod s002_five_aspects;
mod s003_government_accountability;
mod s008_title_signature;
mod n007_this_year;
mod s001_six_sections;
mod s004_problems_section;
mod s005_fee_statement;
mod s006_title;
mod s007_statistical_period;
mod s009_publication_date;
mod t001_department_deadline;
mod t002_government_deadline;
mod t003_published_too_early;
mod y001_carry_over;
mod y002_documents_in_force;
mod y003_similar_prose;
mod y004_identical_tables;
mod y005_layout_reverted;

pub static ALL: &[&Rule] = &[
    &l001_layout_for_year::RULE,
    &l002_one_layout::RULE,
    &l003_complete_tables::RULE,
    &l004_blank_cells::RULE,
    &l005_fee_unit::RULE,
    &l006_partial_note::RULE,
    &s001_six_sections::RULE,
    &s002_five_aspects::RULE,
    &s003_government_accountability::RULE,
    &s004_problems_section::RULE,
    &s005_fee_statement::RULE,
    &s006_title::RULE,
    &s007_statistical_period::RULE,
    &s008_title_signature::RULE,
    &s009_publication_date::RULE,
    &a301_carry_balance::RULE,
    &a302_outcome_total::RULE,
    &a303_row_total::RULE,
    &a304_application_counts::RULE,
    &a305_subtotals::RULE,
    &a401_review_total::RULE,
    &a402_review_counts::RULE,
    &a201_disclosure_counts::RULE,
    &a202_rules_without_power::RULE,
    &a203_old_layout_items::RULE,
    &n001_received_in_prose::RULE,
    &n002_outcomes_in_prose::RULE,
    &n003_review_in_prose::RULE,
    &n004_unpaid_fee_notice::RULE,
    &n005_disclosure_in_prose::RULE,
    &n006_year_on_year::RULE,
    &n007_this_year::RULE,
    &n008_all_answered::RULE,
    &t001_department_deadline::RULE,
    &t002_government_deadline::RULE,
    &t003_published_too_early::RULE,
    &y001_carry_over::RULE,
    &y002_documents_in_force::RULE,
    &y003_similar_prose::RULE,
    &y004_identical_tables::RULE,
    &y005_layout_reverted::RULE,
    &f001_fee_before_2021::RULE,
    &f002_fee_over_notice::RULE,
    &f003_fee_confusion::RULE,
];

pub fn implemented(code: &str) -> bool {
    ALL.iter().any(|r| r.meta.code == code)
}

/// A 表三 value as a whole number of applications.
pub(crate) fn app(report: &Report, row: &str, col: usize) -> Option<f64> {
    report.applications.value(row, col)
}

/// The label of a 表三 row as printed, for messages: “（一）予以公开”.
pub(crate) fn app_row(report: &Report, row: &str) -> String {
    layout::row_def(TableId::Applications, report.effective_layout(), row)
        .map(|d| {
            let label = d.label.split('（').next().unwrap_or(d.label);
            format!("“{}{}”", d.number, label)
        })
        .unwrap_or_else(|| format!("“{row}”"))
}

pub(crate) fn app_col(col: usize) -> &'static str {
    layout::APPLICANT_COLUMNS.get(col).map(|c| c.label).unwrap_or("")
}

pub(crate) fn fmt(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

pub(crate) fn num(v: f64) -> serde_json::Value {
    nianbao_model::json::number_value(Some(v))
}

#[cfg(test)]
pub(crate) mod testing {
    //! Rule tests run the whole checker on a fixture report, changed to carry one defect.
    use crate::Finding;
    use std::path::Path;

    pub fn fixture(name: &str) -> String {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/seeds").join(name);
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    /// 太原市小店区人民政府 2023: a clean report in the 2021 layout.
    pub fn clean_2021() -> String {
        fixture("003_5726aaf970dd957d.txt")
    }

    /// 大溪镇 2019: the 2019 layout.
    pub fn clean_2019() -> String {
        fixture("004_4c838dddf2b6ea41.txt")
    }

    /// `text` with `from` replaced by `to` (which must occur).
    pub fn edit(text: &str, from: &str, to: &str) -> String {
        assert!(text.contains(from), "fixture lacks {from:?}");
        text.replacen(from, to, 1)
    }

    /// Findings of rule `code` on the documents.
    pub fn findings(code: &str, texts: &[&str]) -> Vec<Finding> {
        let docs: Vec<_> = texts.iter().enumerate().map(|(i, t)| nianbao_parse::parse_bytes(&format!("fixture{i}.txt"), t.as_bytes()).expect("fixture parses")).collect();
        crate::check(&docs).findings.into_iter().filter(|f| f.rule == code).collect()
    }
}
