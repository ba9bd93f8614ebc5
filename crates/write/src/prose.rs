//! The fixed wording of a report: title, opening with the statistical period, and a minimal
//! text for each section when the agency gave none. The standard texts only state numbers the
//! tables hold, so they cannot contradict them (rules N001–N008).

use crate::Document;
use nianbao_model::{layout::APPLICATIONS_TOTAL_COLUMN, Layout, Report};

/// 机关名称 + 年份 + 政府信息公开工作年度报告.
pub fn title(report: &Report) -> String {
    let agency = report.agency.as_deref().unwrap_or("");
    match report.year {
        Some(y) => format!("{agency}{y}年政府信息公开工作年度报告"),
        None => format!("{agency}政府信息公开工作年度报告"),
    }
}

/// The document number of the official layout.
pub fn layout_notice(layout: Layout) -> &'static str {
    match layout {
        Layout::L2019 => "国办公开办函〔2019〕60号",
        Layout::L2021 => "国办公开办函〔2021〕30号",
    }
}

/// "本报告中所列数据的统计期限自2023年1月1日起至2023年12月31日止。"
pub fn period_sentence(year: i32) -> String {
    format!("本报告中所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。")
}

/// The standard opening: what the report is based on, its parts, the statistical period and
/// whom to ask.
pub fn default_preface(doc: &Document) -> String {
    let r = &doc.report;
    let who = r.agency.as_deref().map(|a| format!("由{a}")).unwrap_or_default();
    let mut s = format!(
        "本报告根据《中华人民共和国政府信息公开条例》（以下简称《条例》）和《中华人民共和国政府信息公开工作年度报告格式》（{}）要求，{who}编制。全文包括总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、政府信息公开行政复议和行政诉讼情况、存在的主要问题及改进情况、其他需要报告的事项。",
        layout_notice(doc.layout())
    );
    if let Some(y) = r.year {
        s.push_str(&period_sentence(y));
    }
    if let Some(c) = doc.contact.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        s.push_str(&format!("如对本报告有疑问，请与{c}联系。"));
    }
    s
}

fn app_total(r: &Report, row: &str) -> Option<i64> {
    r.applications.cell(row, APPLICATIONS_TOTAL_COLUMN).and_then(|c| c.count())
}

/// The standard text of section `n` (1–6), drawn from the tables.
pub fn default_section(r: &Report, n: usize) -> String {
    let year = r.year.map(|y| format!("{y}年")).unwrap_or_else(|| "本年度".into());
    match n {
        1 => {
            let mut apply = String::from("（二）依申请公开。");
            match app_total(r, "new_received") {
                Some(new) => {
                    apply.push_str(&format!("{year}，本机关共收到政府信息公开申请{new}件。"));
                    if let Some(c) = app_total(r, "carried_over") {
                        apply.push_str(&format!("上年结转政府信息公开申请{c}件。"));
                    }
                    if let (Some(t), Some(f)) = (app_total(r, "total_processed"), app_total(r, "carried_forward")) {
                        apply.push_str(&format!("本年度办理结果总计{t}件，结转下年度继续办理{f}件，"));
                    }
                    apply.push_str("办理情况详见第三部分。");
                }
                None => apply.push_str("本机关依法受理和办理政府信息公开申请，办理情况详见第三部分。"),
            }
            [
                format!("（一）主动公开。本机关按照《条例》要求，通过政府网站政府信息公开专栏等渠道主动公开政府信息，{year}主动公开情况详见第二部分。"),
                apply,
                "（三）政府信息管理。本机关落实政府信息公开属性源头认定和发布前保密审查制度，做好政府信息管理工作。".to_string(),
                "（四）政府信息公开平台建设。本机关依托政府网站政府信息公开平台发布政府信息，做好平台日常维护和内容更新。".to_string(),
                "（五）监督保障。本机关明确政府信息公开工作责任分工，将政府信息公开工作纳入工作考核，主动接受社会评议和监督，落实责任追究制度。".to_string(),
            ]
            .join("\n")
        }
        5 => "本机关政府信息公开工作仍存在一些不足，主要问题是公开内容的全面性和及时性有待提高。下一步，本机关将加强政府信息公开业务学习，完善工作机制，提升政府信息公开工作质量。".to_string(),
        6 => {
            if r.year.is_some_and(|y| y >= 2021) {
                format!("本机关{year}未收取政府信息公开信息处理费。本机关无其他需要报告的事项。")
            } else {
                "本机关无其他需要报告的事项。".to_string()
            }
        }
        _ => String::new(),
    }
}

/// The paragraphs of a text (one per non-empty line).
pub fn paragraphs(text: &str) -> Vec<&str> {
    text.lines().map(str::trim).filter(|l| !l.is_empty()).collect()
}
