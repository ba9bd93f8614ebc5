//! The JSON form of a report (`shared/spec/report-json.md`): keys exactly as specified.

use crate::layout::{self, Layout, TableId};
use crate::{Cell, ReadHow, Report, Row, Table, SCHEMA};
use serde_json::{json, Map, Number, Value};

/// A number as the JSON prints it: whole numbers without a fraction.
pub fn number_value(v: Option<f64>) -> Value {
    match v {
        None => Value::Null,
        Some(x) if x.fract() == 0.0 && x.abs() < 9.0e15 => Value::Number(Number::from(x as i64)),
        Some(x) => Number::from_f64(x).map(Value::Number).unwrap_or(Value::Null),
    }
}

fn table_json(report: &Report, id: TableId) -> Value {
    let layout = report.effective_layout();
    let table = report.table(id);
    let mut out = Map::new();
    for row in &table.rows {
        let values = row.cells.iter().map(|c| number_value(c.value));
        let v = match id {
            TableId::Applications => Value::Array(values.collect()),
            _ => {
                let fields = layout::row_def(id, layout, &row.key).map(|r| r.fields).unwrap_or(&[]);
                let mut m = Map::new();
                for (f, v) in fields.iter().zip(values) {
                    m.insert(f.key.to_string(), v);
                }
                Value::Object(m)
            }
        };
        out.insert(row.key.clone(), v);
    }
    Value::Object(out)
}

/// The report as `nianbao/report-v1` JSON.
pub fn to_json(report: &Report) -> Value {
    json!({
        "schema": SCHEMA,
        "agency": report.agency,
        "year": report.year,
        "layout": report.layout.map(|l| l.as_str()),
        "published": report.published,
        "active_disclosure": table_json(report, TableId::ActiveDisclosure),
        "applications": table_json(report, TableId::Applications),
        "review_litigation": table_json(report, TableId::ReviewLitigation),
    })
}

/// Why a JSON document is not a valid report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonError(pub String);

impl std::fmt::Display for JsonError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}
impl std::error::Error for JsonError {}

fn cell_from(v: &Value, place: &str) -> Result<Cell, JsonError> {
    match v {
        Value::Null => Ok(Cell { how: ReadHow::Given, ..Cell::blank() }),
        Value::Number(n) => {
            let x = n.as_f64().ok_or_else(|| JsonError(format!("{place}：数值无效")))?;
            Ok(Cell { how: ReadHow::Given, ..Cell::number(x) })
        }
        _ => Err(JsonError(format!("{place}：应为数字或 null"))),
    }
}

fn table_from(v: Option<&Value>, id: TableId, layout: Layout) -> Result<Table, JsonError> {
    let mut table = Table::default();
    let Some(v) = v else { return Ok(table) };
    if v.is_null() {
        return Ok(table);
    }
    let obj = v.as_object().ok_or_else(|| JsonError(format!("{}应为对象", id.key())))?;
    // Rows are stored in layout order whatever the order of the JSON keys.
    for def in layout::rows(id, layout) {
        let Some(rv) = obj.get(def.key) else { continue };
        let place = format!("{}.{}", id.key(), def.key);
        let cells = match (id, rv) {
            (TableId::Applications, Value::Array(a)) => {
                if a.len() != def.fields.len() {
                    return Err(JsonError(format!("{place}：应有 {} 个单元格，实有 {}", def.fields.len(), a.len())));
                }
                a.iter().enumerate().map(|(i, x)| cell_from(x, &format!("{place}[{i}]"))).collect::<Result<_, _>>()?
            }
            (TableId::Applications, _) => return Err(JsonError(format!("{place}：应为数组"))),
            (_, Value::Object(m)) => def
                .fields
                .iter()
                .map(|f| cell_from(m.get(f.key).unwrap_or(&Value::Null), &format!("{place}.{}", f.key)))
                .collect::<Result<_, _>>()?,
            _ => return Err(JsonError(format!("{place}：应为对象"))),
        };
        table.rows.push(Row { key: def.key.to_string(), cells, label: None, label_span: None });
    }
    for key in obj.keys() {
        if layout::row_def(id, layout, key).is_none() {
            return Err(JsonError(format!("{}.{}：{} 版式中没有这一行", id.key(), key, layout.as_str())));
        }
    }
    Ok(table)
}

/// Reads one `nianbao/report-v1` object.
pub fn from_json(v: &Value) -> Result<Report, JsonError> {
    let obj = v.as_object().ok_or_else(|| JsonError("报告应为 JSON 对象".into()))?;
    if let Some(s) = obj.get("schema").and_then(Value::as_str) {
        if s != SCHEMA {
            return Err(JsonError(format!("不支持的 schema：{s}")));
        }
    }
    let text = |k: &str| obj.get(k).and_then(Value::as_str).map(str::to_string);
    let year = obj.get("year").and_then(Value::as_i64).map(|y| y as i32);
    let layout = match obj.get("layout") {
        Some(Value::String(s)) => Some(Layout::parse(s).ok_or_else(|| JsonError(format!("未知版式：{s}")))?),
        _ => None,
    };
    let eff = layout.or(year.map(Layout::required_for)).unwrap_or(Layout::L2021);
    Ok(Report {
        agency: text("agency"),
        year,
        layout,
        published: text("published"),
        active_disclosure: table_from(obj.get("active_disclosure"), TableId::ActiveDisclosure, eff)?,
        applications: table_from(obj.get("applications"), TableId::Applications, eff)?,
        review_litigation: table_from(obj.get("review_litigation"), TableId::ReviewLitigation, eff)?,
    })
}

/// Reads a JSON array of reports (or one report object).
pub fn from_json_many(v: &Value) -> Result<Vec<Report>, JsonError> {
    match v {
        Value::Array(items) => items.iter().map(from_json).collect(),
        other => Ok(vec![from_json(other)?]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_a_report_and_keeps_integers_integral() {
        let src = json!({
            "schema": SCHEMA, "agency": "某县人民政府", "year": 2023, "layout": "2021", "published": null,
            "active_disclosure": {"fees": {"amount_wan_yuan": 43923.57}, "rules": {"issued": 0, "repealed": 1, "in_force": 2}},
            "applications": {"new_received": [1, 0, 0, 0, 0, 0, 1]},
            "review_litigation": {"review": {"upheld": 1, "corrected": 0, "other": 0, "pending": null, "total": 1}}
        });
        let report = from_json(&src).unwrap();
        let back = to_json(&report);
        assert_eq!(back["active_disclosure"]["fees"]["amount_wan_yuan"], json!(43923.57));
        assert_eq!(back["active_disclosure"]["rules"]["repealed"], json!(1));
        assert_eq!(back["applications"]["new_received"], json!([1, 0, 0, 0, 0, 0, 1]));
        assert_eq!(back["review_litigation"]["review"]["pending"], Value::Null);
        // Rows come out in layout order.
        let keys: Vec<_> = back["active_disclosure"].as_object().unwrap().keys().cloned().collect();
        assert_eq!(keys, vec!["rules", "fees"]);
    }

    #[test]
    fn rejects_a_row_of_the_wrong_layout() {
        let src = json!({"year": 2023, "layout": "2021", "applications": {"other": [0,0,0,0,0,0,0]}});
        assert!(from_json(&src).unwrap_err().0.contains("other"));
    }
}
