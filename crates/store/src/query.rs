//! Reading reports back from the database.

use crate::{Store, StoreError};
use nianbao_model::Report;
use sqlx::Row;

/// A report as stored: the model, its prose sections and its finding counts.
#[derive(Debug, Clone)]
pub struct StoredReport {
    pub id: i64,
    pub agency: String,
    pub year: Option<i32>,
    pub file: String,
    pub report: Report,
    /// (section number, heading, text)
    pub prose: Vec<(u8, String, String)>,
    pub errors: i64,
    pub warnings: i64,
}

fn prose_from(json: &str) -> Vec<(u8, String, String)> {
    let v: serde_json::Value = serde_json::from_str(json).unwrap_or(serde_json::Value::Null);
    v.as_array()
        .map(|a| {
            a.iter()
                .map(|s| (s["number"].as_u64().unwrap_or(0) as u8, s["heading"].as_str().unwrap_or("").to_string(), s["text"].as_str().unwrap_or("").to_string()))
                .collect()
        })
        .unwrap_or_default()
}

impl Store {
    /// The current report of an agency for a year (its current version).
    pub async fn report_for(&self, agency_id: i64, year: i32) -> Result<Option<StoredReport>, StoreError> {
        let row = sqlx::query(
            "SELECT r.id, a.name, r.year, f.path, r.report_json, r.prose_json, r.errors, r.warnings \
             FROM reports r JOIN source_files f ON f.id = r.file_id JOIN agencies a ON a.id = r.agency_id \
             WHERE r.agency_id = $1 AND r.year = $2 AND r.is_current = 1 ORDER BY r.id DESC",
        )
        .bind(agency_id)
        .bind(i64::from(year))
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let json: String = row.try_get(4)?;
        let value: serde_json::Value = serde_json::from_str(&json).map_err(|e| StoreError::Other(format!("报告数据损坏：{e}")))?;
        let report = nianbao_model::json::from_json(&value).map_err(|e| StoreError::Other(format!("报告数据损坏：{e}")))?;
        Ok(Some(StoredReport {
            id: row.try_get(0)?,
            agency: row.try_get(1)?,
            year: row.try_get::<Option<i64>, _>(2)?.map(|y| y as i32),
            file: row.try_get(3)?,
            report,
            prose: prose_from(&row.try_get::<String, _>(5)?),
            errors: row.try_get(6)?,
            warnings: row.try_get(7)?,
        }))
    }

    /// Counts for a summary line: (current files, failed files, reports, findings).
    pub async fn counts(&self) -> Result<(i64, i64, i64, i64), StoreError> {
        let one = |sql: &'static str| async move { sqlx::query(sql).fetch_one(&self.pool).await.and_then(|r| r.try_get::<i64, _>(0)) };
        Ok((
            one("SELECT COUNT(*) FROM source_files WHERE status = 'ok'").await?,
            one("SELECT COUNT(*) FROM source_files WHERE status = 'failed'").await?,
            one("SELECT COUNT(*) FROM reports WHERE is_current = 1").await?,
            one("SELECT COUNT(*) FROM findings x JOIN reports r ON r.id = x.report_id WHERE r.is_current = 1").await?,
        ))
    }
}
