//! The government-wide tables of a parent: the sum of its agencies' reports for a year, with
//! the agencies that are missing or have errors. The 2019 and 2021 layouts are mapped where
//! they can be (表三 and 表四 are shared but for （六）其他处理; a 2021 （六） sums into the 2019
//! row), and it is said where they cannot (表二 columns differ).

use crate::{Store, StoreError};
use nianbao_model::{layout, Cell, Layout, ReadHow, Report, Row, TableId};

#[derive(Debug, Clone)]
pub struct Rollup {
    pub parent: String,
    pub year: i32,
    pub layout: Layout,
    pub report: Report,
    pub included: Vec<String>,
    pub missing: Vec<String>,
    /// (agency, error count)
    pub with_errors: Vec<(String, i64)>,
    pub notes: Vec<String>,
}

fn add(table: &mut nianbao_model::Table, key: &str, col: usize, width: usize, v: Option<f64>) {
    if table.row(key).is_none() {
        table.rows.push(Row { key: key.to_string(), cells: vec![Cell { how: ReadHow::Given, ..Cell::number(0.0) }; width], label: None, label_span: None });
    }
    if let (Some(row), Some(v)) = (table.row_mut(key), v) {
        if let Some(c) = row.cells.get_mut(col) {
            let sum = c.value.unwrap_or(0.0) + v;
            *c = Cell { how: ReadHow::Given, ..Cell::number(sum) };
        }
    }
}

/// Adds `r` into `total` (in `layout`); returns what could not be carried over.
pub fn accumulate(total: &mut Report, r: &Report, layout: Layout, who: &str) -> Vec<String> {
    let mut notes = Vec::new();
    let from = r.effective_layout();
    for id in TableId::ALL {
        for def in layout::rows(id, layout) {
            for c in 0..def.fields.len() {
                let v = match (id, from == layout) {
                    (_, true) => r.table(id).value(def.key, c),
                    (TableId::ActiveDisclosure, false) => {
                        // Only the 处理决定数量 of 许可/处罚/强制 mean the same in both layouts.
                        let field = def.fields[c].key;
                        match (def.key, field) {
                            ("licensing" | "penalty" | "coercion", "decisions") => {
                                let idx = layout::row_def(id, from, def.key).and_then(|d| d.fields.iter().position(|f| f.key == "decisions"));
                                idx.and_then(|i| r.table(id).value(def.key, i))
                            }
                            _ => None,
                        }
                    }
                    (TableId::Applications, false) => match (def.key, from) {
                        ("other", Layout::L2021) => ["other_no_correction", "other_unpaid_fee", "other_other"].iter().map(|k| r.table(id).value(k, c)).sum(),
                        ("other_no_correction" | "other_unpaid_fee" | "other_other", Layout::L2019) => None,
                        _ => r.table(id).value(def.key, c),
                    },
                    (TableId::ReviewLitigation, false) => r.table(id).value(def.key, c),
                };
                add(total.table_mut(id), def.key, c, def.fields.len(), v);
            }
        }
    }
    if from != layout {
        notes.push(format!(
            "{who} 使用 {} 版格式：表二仅“行政许可、行政处罚、行政强制”的处理决定数量可对应计入{}",
            from.as_str(),
            if layout == Layout::L2021 && from == Layout::L2019 { "；其“（六）其他处理”无法拆分到 2021 版的三行，未计入" } else { "" }
        ));
    }
    notes
}

impl Store {
    pub async fn rollup(&self, parent: &str, year: i32) -> Result<Rollup, StoreError> {
        let pid = self.find_agency(parent).await?;
        let parent_name = self.agency_name(pid).await?;
        let layout = Layout::required_for(year);
        let mut total = Report { agency: Some(format!("{parent_name}（所属部门汇总）")), year: Some(year), layout: Some(layout), ..Report::default() };
        let mut out = Rollup { parent: parent_name, year, layout, report: Report::default(), included: vec![], missing: vec![], with_errors: vec![], notes: vec![] };
        let children = self.children(pid).await?;
        if children.is_empty() {
            return Err(StoreError::Other(format!("“{}”没有下属机关；请先用 nianbao agency import 导入机关隶属关系", out.parent)));
        }
        for (id, name) in children {
            match self.report_for(id, year).await? {
                Some(r) => {
                    out.notes.extend(accumulate(&mut total, &r.report, layout, &name));
                    if r.errors > 0 {
                        out.with_errors.push((name.clone(), r.errors));
                    }
                    out.included.push(name);
                }
                None => out.missing.push(name),
            }
        }
        // Rows in layout order.
        for id in TableId::ALL {
            let defs = layout::rows(id, layout);
            total.table_mut(id).rows.sort_by_key(|r| defs.iter().position(|d| d.key == r.key));
        }
        out.report = total;
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_2021_other_rows_into_the_2019_row() {
        let v = serde_json::json!({"year": 2021, "layout": "2021", "applications": {
            "other_no_correction": [1,0,0,0,0,0,1], "other_unpaid_fee": [0,0,0,0,0,0,0], "other_other": [2,0,0,0,0,0,2]}});
        let r = nianbao_model::json::from_json(&v).unwrap();
        let mut total = Report::default();
        let notes = accumulate(&mut total, &r, Layout::L2019, "某局");
        assert_eq!(total.applications.value("other", 6), Some(3.0));
        assert_eq!(notes.len(), 1);
    }
}
