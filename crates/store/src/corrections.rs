//! A reviewer's corrections of cells read from an image (OCR, issue 15; migration
//! `0010_corrections.sql`). A correction is a new version of the reading of one cell of one
//! stored report: kept with the value shown before, who and when, never updated. The stored
//! cells and report JSON take the corrected value at once, and every re-check applies the
//! corrections on top of the file read again ([`apply`]) before the rules run, so a correction
//! survives re-checks and its findings follow it. A later correction of a cell supersedes an
//! earlier one (they are applied in order).

use crate::ingest::{add_to_country_sums, Sign};
use crate::{Store, StoreError};
use nianbao_model::{layout, CellMark, ReadHow, Report, TableId};
use sqlx::Row;
use std::collections::HashMap;

/// One stored correction.
#[derive(Debug, Clone, PartialEq)]
pub struct Correction {
    pub id: i64,
    pub report_id: i64,
    pub table: TableId,
    /// The row key of report-json.
    pub row: String,
    /// The column index in the layout's order.
    pub column: usize,
    /// The value shown before, as printed in the report JSON (`""`: empty).
    pub old_value: String,
    pub new_value: f64,
    /// The account's name (`None`: removed or the command line).
    pub user: Option<String>,
    /// ISO time in UTC.
    pub at: String,
}

/// Largest value a reviewer may type (the reader's own bound on counts, 10^12).
pub const MAX_VALUE: f64 = 1e12;

/// A number as the report JSON prints it (`12`, `3.5`).
pub fn shown(v: f64) -> String {
    nianbao_model::json::number_value(Some(v)).to_string()
}

/// Applies `corrections` (in order: a later one of a cell wins) to the report. A row of the
/// layout the reading lost whole (OCR found no place for it) is added back, empty but for the
/// corrected cells, in layout order; a correction of a cell the layout has not is skipped.
/// Returns how many were applied.
pub fn apply(report: &mut Report, corrections: &[Correction]) -> usize {
    let layout = report.effective_layout();
    let mut n = 0;
    for c in corrections {
        let Some(def) = layout::row_def(c.table, layout, &c.row).filter(|d| c.column < d.fields.len()) else { continue };
        let table = report.table_mut(c.table);
        if table.row(&c.row).is_none() {
            table.rows.push(nianbao_model::Row { key: c.row.clone(), cells: vec![nianbao_model::Cell::unreadable(); def.fields.len()], label: None, label_span: None });
            let order = layout::rows(c.table, layout);
            table.rows.sort_by_key(|r| order.iter().position(|d| d.key == r.key).unwrap_or(usize::MAX));
        }
        let Some(cell) = table.row_mut(&c.row).and_then(|r| r.cells.get_mut(c.column)) else { continue };
        cell.value = Some(c.new_value);
        cell.mark = if c.new_value == 0.0 { CellMark::Zero } else { CellMark::Number };
        cell.how = ReadHow::Reviewer;
        cell.raw = Some(shown(c.new_value));
        n += 1;
    }
    n
}

fn correction_of(r: &sqlx::any::AnyRow) -> Result<Correction, StoreError> {
    let table: String = r.try_get(2)?;
    Ok(Correction {
        id: r.try_get(0)?,
        report_id: r.try_get(1)?,
        table: TableId::from_key(&table).ok_or_else(|| StoreError::Other(format!("更正记录中的表格名无法识别：{table}")))?,
        row: r.try_get(3)?,
        column: r.try_get::<i64, _>(4)? as usize,
        old_value: r.try_get(5)?,
        new_value: r.try_get(6)?,
        user: r.try_get(7)?,
        at: r.try_get(8)?,
    })
}

const SELECT: &str = "SELECT c.id, c.report_id, c.tbl, c.row_key, c.col, c.old_value, c.new_value, u.name, c.at FROM cell_corrections c LEFT JOIN users u ON u.id = c.user_id";

impl Store {
    /// The corrections of a report, oldest first.
    pub async fn corrections_of(&self, report_id: i64) -> Result<Vec<Correction>, StoreError> {
        let sql = format!("{SELECT} WHERE c.report_id = $1 ORDER BY c.id");
        sqlx::query(sqlx::AssertSqlSafe(sql)).bind(report_id).fetch_all(&self.pool).await?.iter().map(correction_of).collect()
    }

    /// The corrections of several reports, oldest first, by report.
    pub async fn corrections_of_reports(&self, report_ids: &[i64]) -> Result<HashMap<i64, Vec<Correction>>, StoreError> {
        let mut out: HashMap<i64, Vec<Correction>> = HashMap::new();
        for &id in report_ids {
            let list = self.corrections_of(id).await?;
            if !list.is_empty() {
                out.insert(id, list);
            }
        }
        Ok(out)
    }

    /// Records a reviewer's value for one cell of a stored report and writes it into the stored
    /// cells and report JSON (and the corpus's sums when the report is current), in one write
    /// transaction. The findings follow with the re-check the caller runs next
    /// (`recheck_file`), which applies every correction on top of the file read again.
    pub async fn correct_cell(&self, report_id: i64, table: TableId, row: &str, column: usize, value: f64, user_id: Option<i64>) -> Result<Correction, StoreError> {
        if !value.is_finite() || !(0.0..=MAX_VALUE).contains(&value) {
            return Err(StoreError::Refused(format!("更正值 {value} 无效：应为 0 到 10^12 之间的数")));
        }
        let run = async {
            let mut tx = self.write_tx().await?;
            // Two reviewers correcting one report: the second waits for the first's report JSON
            // (SQLite's writers are already one at a time, BEGIN IMMEDIATE).
            let sql = match self.backend {
                crate::Backend::Postgres => "SELECT report_json, is_current FROM reports WHERE id = $1 FOR UPDATE",
                crate::Backend::Sqlite => "SELECT report_json, is_current FROM reports WHERE id = $1",
            };
            let found = sqlx::query(sql).bind(report_id).fetch_optional(&mut *tx).await?;
            let Some(found) = found else {
                tx.rollback().await?;
                return Err(StoreError::Refused(format!("报告 {report_id} 不存在")));
            };
            let (json, current): (String, i64) = (found.try_get(0)?, found.try_get(1)?);
            let mut v: serde_json::Value = serde_json::from_str(&json).map_err(|e| StoreError::Other(format!("报告 {report_id} 的数据损坏：{e}")))?;
            let report = nianbao_model::json::from_json(&v).map_err(|e| StoreError::Other(format!("报告 {report_id} 的数据损坏：{e}")))?;
            let layout = report.effective_layout();
            let def = layout::row_def(table, layout, row).filter(|d| column < d.fields.len());
            let (Some(def), Some(stored_row)) = (def, report.table(table).row(row)) else {
                tx.rollback().await?;
                return Err(StoreError::Refused(format!("{}没有这一单元格（行 {row}，第 {} 列），无法更正", table.short_name(), column + 1)));
            };
            let old = stored_row.cells.get(column).and_then(|c| c.value).map(shown).unwrap_or_default();
            // The report JSON: 表三 rows are arrays, the other tables objects by field.
            let slot = match table {
                TableId::Applications => v.get_mut(table.key()).and_then(|t| t.get_mut(row)).and_then(|r| r.get_mut(column)),
                _ => v.get_mut(table.key()).and_then(|t| t.get_mut(row)).and_then(|r| r.get_mut(def.fields[column].key)),
            };
            let Some(slot) = slot else {
                tx.rollback().await?;
                return Err(StoreError::Refused(format!("{}没有这一单元格（行 {row}，第 {} 列），无法更正", table.short_name(), column + 1)));
            };
            *slot = nianbao_model::json::number_value(Some(value));
            let now = crate::ingest::now_iso();
            let id: i64 = sqlx::query(
                "INSERT INTO cell_corrections (report_id, tbl, row_key, col, old_value, new_value, user_id, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
            )
            .bind(report_id)
            .bind(table.key())
            .bind(row)
            .bind(column as i64)
            .bind(old.clone())
            .bind(value)
            .bind(user_id)
            .bind(now.clone())
            .fetch_one(&mut *tx)
            .await?
            .try_get(0)?;
            sqlx::query("UPDATE reports SET report_json = $1 WHERE id = $2").bind(v.to_string()).bind(report_id).execute(&mut *tx).await?;
            // The corpus's sums hold the current reports' cells: this report's leave and come
            // back with the new value.
            if current == 1 {
                add_to_country_sums(&mut tx, report_id, Sign::Minus).await?;
            }
            if let Some(&cell_id) = self.cell_keys.get(&(layout, table, row.to_string(), column)) {
                let mark = if value == 0.0 { "zero" } else { "number" };
                let n = sqlx::query("UPDATE cells SET value = $1, semantics = $2, how = 'reviewer', raw = NULL WHERE report_id = $3 AND cell_id = $4")
                    .bind(value)
                    .bind(mark)
                    .bind(report_id)
                    .bind(cell_id)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                if n == 0 {
                    sqlx::query("INSERT INTO cells (report_id, cell_id, value, semantics, how) VALUES ($1, $2, $3, $4, 'reviewer')")
                        .bind(report_id)
                        .bind(cell_id)
                        .bind(value)
                        .bind(mark)
                        .execute(&mut *tx)
                        .await?;
                }
            }
            if current == 1 {
                add_to_country_sums(&mut tx, report_id, Sign::Plus).await?;
            }
            tx.commit().await?;
            // Remembered sums and lists read the old value.
            if let Ok(mut memo) = self.memo.lock() {
                memo.clear();
            }
            let user: Option<String> = match user_id {
                Some(u) => sqlx::query("SELECT name FROM users WHERE id = $1").bind(u).fetch_optional(&self.pool).await?.map(|r| r.try_get(0)).transpose()?,
                None => None,
            };
            Ok(Correction { id, report_id, table, row: row.to_string(), column, old_value: old, new_value: value, user, at: now })
        };
        run.await.map_err(|e| self.explain(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use nianbao_model::{Cell, Row};

    fn correction(id: i64, column: usize, v: f64) -> Correction {
        Correction { id, report_id: 1, table: TableId::Applications, row: "new_received".into(), column, old_value: String::new(), new_value: v, user: None, at: String::new() }
    }

    #[test]
    fn the_latest_correction_of_a_cell_wins_and_unknown_cells_are_skipped() {
        let mut report = Report::default();
        report.applications.rows.push(Row { key: "new_received".into(), cells: vec![Cell::unreadable(); 7], label: None, label_span: None });
        report.applications.rows.push(Row { key: "granted".into(), cells: vec![Cell::unreadable(); 7], label: None, label_span: None });
        let mut unknown_row = correction(3, 2, 9.0);
        unknown_row.row = "no_such_row".into();
        let n = apply(&mut report, &[correction(1, 6, 5.0), correction(2, 6, 0.0), unknown_row, correction(4, 7, 1.0)]);
        assert_eq!(n, 2);
        let cell = &report.applications.rows[0].cells[6];
        assert_eq!((cell.value, cell.mark, cell.how, cell.raw.as_deref()), (Some(0.0), CellMark::Zero, ReadHow::Reviewer, Some("0")));
        assert_eq!(report.applications.rows[0].cells[2].how, ReadHow::Unreadable);
        assert_eq!(report.applications.rows.len(), 2);
    }

    #[test]
    fn a_correction_of_a_row_the_reading_lost_adds_the_row_back_in_layout_order() {
        let mut report = Report::default();
        report.applications.rows.push(Row { key: "new_received".into(), cells: vec![Cell::unreadable(); 7], label: None, label_span: None });
        report.applications.rows.push(Row { key: "granted".into(), cells: vec![Cell::unreadable(); 7], label: None, label_span: None });
        let mut lost = correction(1, 2, 9.0);
        lost.row = "carried_over".into();
        assert_eq!(apply(&mut report, &[lost]), 1);
        let keys: Vec<&str> = report.applications.rows.iter().map(|r| r.key.as_str()).collect();
        assert_eq!(keys, ["new_received", "carried_over", "granted"]);
        let row = &report.applications.rows[1];
        assert_eq!(row.cells.len(), 7);
        assert_eq!((row.cells[2].value, row.cells[2].how), (Some(9.0), ReadHow::Reviewer));
        assert!(row.cells.iter().enumerate().all(|(i, c)| i == 2 || (c.value.is_none() && c.mark == CellMark::Unreadable)));
    }
}
