//! The review of one agency-year (整改闭环): the versions of its report (one current), the
//! case's status with its append-only history, the reviewer's verdicts (通过 / 退回整改), the
//! choice of the current version, an agency's submission of its pre-checked upload, what
//! changed between two versions (cells and findings), the status board of a region, and the
//! office's letter settings.

use crate::ingest::{mark_pending, now_iso, record_arrival, refresh_current};
use crate::web::{subtree_sql, FindingRow};
use crate::{Store, StoreError};
use sqlx::Row;
use std::collections::{HashMap, HashSet};

/// A case's status in Chinese; `None` (no case): nothing submitted.
pub fn status_zh(status: Option<&str>) -> &'static str {
    match status {
        Some("submitted") => "待审核",
        Some("returned") => "退回整改",
        Some("resubmitted") => "已重新提交",
        Some("approved") => "通过",
        Some(_) => "待审核",
        None => "未提交",
    }
}

/// A step of a case in Chinese.
pub fn action_zh(action: &str) -> &'static str {
    match action {
        "submit" => "提交报告",
        "resubmit" => "重新提交",
        "version" => "收到新版本",
        "approve" => "审核通过",
        "return" => "退回整改",
        "choose" => "指定当前版本",
        _ => "其他",
    }
}

/// One document of an agency-year.
#[derive(Debug, Clone, PartialEq)]
pub struct Version {
    pub report_id: i64,
    /// The name it was uploaded under, else the file's name.
    pub file_name: String,
    pub format: Option<String>,
    pub sha256: String,
    pub ingested_at: String,
    pub errors: i64,
    pub warnings: i64,
    pub is_current: bool,
    /// An agency's upload not submitted yet.
    pub draft: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    pub status: String,
    pub chosen_report_id: Option<i64>,
    pub updated_at: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CaseEvent {
    pub action: String,
    pub status: String,
    pub report_id: Option<i64>,
    pub user: Option<String>,
    pub comment: String,
    pub at: String,
}

/// A reviewer's verdict on an agency-year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Approve,
    Return,
}

/// A cell whose value differs between two versions.
#[derive(Debug, Clone, PartialEq)]
pub struct CellChange {
    pub table: String,
    pub row: String,
    pub column: i64,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// What changed from the previous version of an agency-year to this one. Findings are matched
/// by their key (agency, year, rule, cells), the key decisions are stored under.
#[derive(Debug, Clone, Default)]
pub struct Changes {
    pub previous: Option<i64>,
    pub cells: Vec<CellChange>,
    /// The previous version's findings this one no longer has.
    pub fixed: Vec<FindingRow>,
    pub remaining: Vec<FindingRow>,
    pub new: Vec<FindingRow>,
}

/// When an agency's report of a year is due (条例 Art. 49): departments by 31 January, 县级以上
/// governments by 31 March of the next year; townships have no national deadline.
pub fn deadline_for(agency: &str, year: i32) -> Option<chrono::NaiveDate> {
    match nianbao_check::agency::kind(agency) {
        nianbao_check::agency::BodyKind::Department => chrono::NaiveDate::from_ymd_opt(year + 1, 1, 31),
        nianbao_check::agency::BodyKind::Government => chrono::NaiveDate::from_ymd_opt(year + 1, 3, 31),
        nianbao_check::agency::BodyKind::Township => None,
    }
}

/// One agency of a region on the status board.
#[derive(Debug, Clone, PartialEq)]
pub struct BoardRow {
    pub agency_id: i64,
    pub agency: String,
    pub report_id: Option<i64>,
    pub published: Option<String>,
    pub errors: i64,
    pub warnings: i64,
    /// The case's status (`None`: nothing submitted).
    pub status: Option<String>,
    pub updated_at: Option<String>,
    pub deadline: Option<chrono::NaiveDate>,
}

impl Store {
    /// Every version of an agency-year, oldest first (drafts included).
    pub async fn versions(&self, agency_id: i64, year: i64) -> Result<Vec<Version>, StoreError> {
        let rows = sqlx::query(
            "SELECT r.id, COALESCE(f.original_name, f.path), f.format, f.sha256, f.ingested_at, r.errors, r.warnings, r.is_current, r.draft \
             FROM reports r JOIN source_files f ON f.id = r.file_id WHERE r.agency_id = $1 AND r.year = $2 ORDER BY r.id",
        )
        .bind(agency_id)
        .bind(year)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let name: String = r.try_get(1)?;
                Ok(Version {
                    report_id: r.try_get(0)?,
                    // A path on the server is never shown: its last component only.
                    file_name: name.rsplit(['/', '\\']).next().unwrap_or("").to_string(),
                    format: r.try_get(2)?,
                    sha256: r.try_get(3)?,
                    ingested_at: r.try_get(4)?,
                    errors: r.try_get(5)?,
                    warnings: r.try_get(6)?,
                    is_current: r.try_get::<i64, _>(7)? == 1,
                    draft: r.try_get::<i64, _>(8)? == 1,
                })
            })
            .collect()
    }

    /// The current report of an agency-year, if any.
    pub async fn current_report(&self, agency_id: i64, year: i64) -> Result<Option<i64>, StoreError> {
        let row = sqlx::query("SELECT id FROM reports WHERE agency_id = $1 AND year = $2 AND is_current = 1").bind(agency_id).bind(year).fetch_optional(&self.pool).await?;
        Ok(row.map(|r| r.try_get(0)).transpose()?)
    }

    pub async fn case_of(&self, agency_id: i64, year: i64) -> Result<Option<Case>, StoreError> {
        let row = sqlx::query("SELECT status, chosen_report_id, updated_at FROM report_cases WHERE agency_id = $1 AND year = $2")
            .bind(agency_id)
            .bind(year)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| Ok(Case { status: r.try_get(0)?, chosen_report_id: r.try_get(1)?, updated_at: r.try_get(2)? })).transpose()
    }

    /// A case's history, oldest first.
    pub async fn case_events(&self, agency_id: i64, year: i64) -> Result<Vec<CaseEvent>, StoreError> {
        let rows = sqlx::query(
            "SELECT e.action, e.status, e.report_id, u.name, e.comment, e.at FROM case_events e LEFT JOIN users u ON u.id = e.user_id \
             WHERE e.agency_id = $1 AND e.year = $2 ORDER BY e.id",
        )
        .bind(agency_id)
        .bind(year)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Ok(CaseEvent { action: r.try_get(0)?, status: r.try_get(1)?, report_id: r.try_get(2)?, user: r.try_get(3)?, comment: r.try_get(4)?, at: r.try_get(5)? }))
            .collect()
    }

    /// 通过 or 退回整改 (with the reviewer's comment), recorded with who and when.
    pub async fn review_case(&self, agency_id: i64, year: i64, verdict: Verdict, comment: &str, user_id: i64) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        let current: Option<i64> = sqlx::query("SELECT id FROM reports WHERE agency_id = $1 AND year = $2 AND is_current = 1")
            .bind(agency_id)
            .bind(year)
            .fetch_optional(&mut *tx)
            .await?
            .map(|r| r.try_get(0))
            .transpose()?;
        let Some(current) = current else {
            tx.rollback().await?;
            return Err(StoreError::Refused("该机关本年度尚未提交报告，无法审核".into()));
        };
        let (action, status) = match verdict {
            Verdict::Approve => ("approve", "approved"),
            Verdict::Return => ("return", "returned"),
        };
        let now = now_iso();
        sqlx::query(
            "INSERT INTO report_cases (agency_id, year, status, updated_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (agency_id, year) DO UPDATE SET status = excluded.status, updated_at = excluded.updated_at",
        )
        .bind(agency_id)
        .bind(year)
        .bind(status)
        .bind(now.clone())
        .execute(&mut *tx)
        .await?;
        insert_event(&mut tx, agency_id, year, action, status, Some(current), Some(user_id), comment, &now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// A reviewer makes one version of its agency-year the current one.
    pub async fn choose_version(&self, report_id: i64, user_id: i64) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        let (agency, year, draft) = match identified_report(&mut tx, report_id, "这份报告未识别出机关或年度，不能作为当前版本").await {
            Ok(found) => found,
            Err(refused @ StoreError::Refused(_)) => {
                tx.rollback().await?;
                return Err(refused);
            }
            Err(e) => return Err(e),
        };
        if draft == 1 {
            tx.rollback().await?;
            return Err(StoreError::Refused("这份报告尚未由填报单位提交，不能作为当前版本".into()));
        }
        let now = now_iso();
        let status: String = sqlx::query("SELECT status FROM report_cases WHERE agency_id = $1 AND year = $2")
            .bind(agency)
            .bind(year)
            .fetch_optional(&mut *tx)
            .await?
            .map(|r| r.try_get(0))
            .transpose()?
            .unwrap_or_else(|| "submitted".to_string());
        sqlx::query(
            "INSERT INTO report_cases (agency_id, year, status, chosen_report_id, updated_at) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (agency_id, year) DO UPDATE SET chosen_report_id = excluded.chosen_report_id, updated_at = excluded.updated_at",
        )
        .bind(agency)
        .bind(year)
        .bind(status.clone())
        .bind(report_id)
        .bind(now.clone())
        .execute(&mut *tx)
        .await?;
        refresh_current(&mut tx, self.backend, agency, year).await?;
        insert_event(&mut tx, agency, year, "choose", &status, Some(report_id), Some(user_id), "", &now).await?;
        mark_pending(&mut tx, agency, -report_id).await?;
        tx.commit().await?;
        Ok(())
    }

    /// An agency submits its pre-checked upload: it becomes the latest version of its
    /// agency-year (已提交, or 已重新提交 after a return). The agency's later years are checked again.
    pub async fn submit_draft(&self, report_id: i64, user_id: i64) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        let (agency, year, draft) = match identified_report(&mut tx, report_id, "未能识别报告的机关或年度，不能提交").await {
            Ok(found) => found,
            Err(refused @ StoreError::Refused(_)) => {
                tx.rollback().await?;
                return Err(refused);
            }
            Err(e) => return Err(e),
        };
        if draft == 0 {
            tx.rollback().await?;
            return Err(StoreError::Refused("这份报告已经提交".into()));
        }
        sqlx::query("UPDATE reports SET draft = 0 WHERE id = $1").bind(report_id).execute(&mut *tx).await?;
        // A choice made before names an older version: the submitted one is the newest word.
        sqlx::query("UPDATE report_cases SET chosen_report_id = NULL WHERE agency_id = $1 AND year = $2").bind(agency).bind(year).execute(&mut *tx).await?;
        refresh_current(&mut tx, self.backend, agency, year).await?;
        record_arrival(&mut tx, agency, year, report_id, Some(user_id)).await?;
        mark_pending(&mut tx, agency, -report_id).await?;
        tx.commit().await?;
        Ok(())
    }

    /// What changed from the version before `report_id` (the latest earlier submitted version of
    /// its agency-year) to it.
    pub async fn changes(&self, report_id: i64) -> Result<Changes, StoreError> {
        let row = sqlx::query("SELECT agency_id, year FROM reports WHERE id = $1").bind(report_id).fetch_optional(&self.pool).await?;
        let Some(row) = row else { return Ok(Changes::default()) };
        let (agency, year): (Option<i64>, Option<i64>) = (row.try_get(0)?, row.try_get(1)?);
        let (Some(agency), Some(year)) = (agency, year) else { return Ok(Changes::default()) };
        let previous: Option<i64> = sqlx::query("SELECT MAX(id) FROM reports WHERE agency_id = $1 AND year = $2 AND id < $3 AND draft = 0")
            .bind(agency)
            .bind(year)
            .bind(report_id)
            .fetch_one(&self.pool)
            .await?
            .try_get(0)?;
        let Some(previous) = previous else { return Ok(Changes::default()) };
        self.changes_between(previous, report_id).await
    }

    /// What changed from report `before` to report `after`: cells and findings.
    pub async fn changes_between(&self, before: i64, after: i64) -> Result<Changes, StoreError> {
        let cells = |id: i64| async move {
            let rows = sqlx::query(
                "SELECT k.tbl, k.row_key, k.col, c.value, c.semantics, k.cell_id FROM cells c JOIN cell_keys k ON k.cell_id = c.cell_id WHERE c.report_id = $1",
            )
            .bind(id)
            .fetch_all(&self.pool)
            .await?;
            rows.iter()
                .map(|r| {
                    let value: Option<f64> = r.try_get(3)?;
                    let semantics: String = r.try_get(4)?;
                    let shown = match value {
                        Some(v) => nianbao_model::json::number_value(Some(v)).to_string(),
                        None => semantics,
                    };
                    Ok((r.try_get::<i64, _>(5)?, (r.try_get::<String, _>(0)?, r.try_get::<String, _>(1)?, r.try_get::<i64, _>(2)?, shown)))
                })
                .collect::<Result<HashMap<i64, (String, String, i64, String)>, StoreError>>()
        };
        let (old, new) = (cells(before).await?, cells(after).await?);
        let mut ids: Vec<i64> = old.keys().chain(new.keys()).copied().collect::<HashSet<_>>().into_iter().collect();
        ids.sort_unstable();
        let mut changed = Vec::new();
        for id in ids {
            let (a, b) = (old.get(&id), new.get(&id));
            if a.map(|x| &x.3) != b.map(|x| &x.3) {
                let k = a.or(b).expect("one side has the cell");
                changed.push(CellChange { table: k.0.clone(), row: k.1.clone(), column: k.2, before: a.map(|x| x.3.clone()), after: b.map(|x| x.3.clone()) });
            }
        }
        let (was, is) = (self.findings_of(before).await?, self.findings_of(after).await?);
        let was_keys: HashSet<&str> = was.iter().map(|f| f.key.as_str()).collect();
        let is_keys: HashSet<&str> = is.iter().map(|f| f.key.as_str()).collect();
        let fixed = was.iter().filter(|f| !is_keys.contains(f.key.as_str())).cloned().collect();
        let remaining = is.iter().filter(|f| was_keys.contains(f.key.as_str())).cloned().collect();
        let new = is.iter().filter(|f| !was_keys.contains(f.key.as_str())).cloned().collect();
        Ok(Changes { previous: Some(before), cells: changed, fixed, remaining, new })
    }

    /// Every agency of a region with its current report of `year`, the case's status and the
    /// deadline: those without a report first, then by deadline and name.
    pub async fn status_board(&self, scope: Option<i64>, year: i32) -> Result<Vec<BoardRow>, StoreError> {
        let list = self.agencies_in_year(scope, year).await?;
        let (cond, bind) = match scope {
            Some(r) => (format!("AND agency_id IN {}", subtree_sql(2)), Some(r)),
            None => (String::new(), None),
        };
        let sql = format!("SELECT agency_id, status, updated_at FROM report_cases WHERE year = $1 {cond}");
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(i64::from(year));
        if let Some(b) = bind {
            q = q.bind(b);
        }
        let mut cases: HashMap<i64, (String, String)> = HashMap::new();
        for r in q.fetch_all(&self.pool).await? {
            cases.insert(r.try_get(0)?, (r.try_get(1)?, r.try_get(2)?));
        }
        let mut rows: Vec<BoardRow> = list
            .into_iter()
            .map(|a| {
                let case = cases.get(&a.agency_id);
                BoardRow {
                    deadline: deadline_for(&a.agency, year),
                    agency_id: a.agency_id,
                    report_id: a.report_id,
                    published: a.published,
                    errors: a.errors,
                    warnings: a.warnings,
                    // No status exactly when there is no report (未提交, the dashboard's
                    // 未发布); a current report without a case yet awaits review.
                    status: a.report_id.map(|_| case.map(|c| c.0.clone()).unwrap_or_else(|| "submitted".into())),
                    updated_at: case.map(|c| c.1.clone()),
                    agency: a.agency,
                }
            })
            .collect();
        rows.sort_by(|a, b| {
            (a.report_id.is_some(), a.deadline.is_none(), a.deadline, &a.agency).cmp(&(b.report_id.is_some(), b.deadline.is_none(), b.deadline, &b.agency))
        });
        Ok(rows)
    }

    /// An agency's uploads it has not submitted yet (its pre-checks): (report id, year, errors,
    /// warnings, file name), newest first.
    pub async fn drafts_of(&self, agency_id: i64) -> Result<Vec<(i64, Option<i64>, i64, i64, String)>, StoreError> {
        let rows = sqlx::query(
            "SELECT r.id, r.year, r.errors, r.warnings, COALESCE(f.original_name, f.path) FROM reports r JOIN source_files f ON f.id = r.file_id \
             WHERE r.agency_id = $1 AND r.draft = 1 ORDER BY r.id DESC",
        )
        .bind(agency_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let name: String = r.try_get(4)?;
                Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?, name.rsplit(['/', '\\']).next().unwrap_or("").to_string()))
            })
            .collect()
    }

    /// The office's letter settings as stored (a JSON object), if an administrator set them.
    pub async fn office_settings(&self) -> Result<Option<String>, StoreError> {
        let row = sqlx::query("SELECT settings_json FROM office_settings WHERE id = 1").fetch_optional(&self.pool).await?;
        Ok(row.map(|r| r.try_get(0)).transpose()?)
    }

    pub async fn set_office_settings(&self, json: &str, user_id: i64) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        sqlx::query(
            "INSERT INTO office_settings (id, settings_json, updated_by, updated_at) VALUES (1, $1, $2, $3) \
             ON CONFLICT (id) DO UPDATE SET settings_json = excluded.settings_json, updated_by = excluded.updated_by, updated_at = excluded.updated_at",
        )
        .bind(json)
        .bind(user_id)
        .bind(now_iso())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// The agency, year and draft flag (1 = not yet submitted) of a report; refused when there is
/// no such report, or with `unidentified` when its agency or year was not recognised.
async fn identified_report(tx: &mut sqlx::Transaction<'_, sqlx::Any>, report_id: i64, unidentified: &str) -> Result<(i64, i64, i64), StoreError> {
    let row = sqlx::query("SELECT agency_id, year, draft FROM reports WHERE id = $1").bind(report_id).fetch_optional(&mut **tx).await?;
    let Some(row) = row else {
        return Err(StoreError::Refused("没有这份报告".into()));
    };
    let (agency, year, draft): (Option<i64>, Option<i64>, i64) = (row.try_get(0)?, row.try_get(1)?, row.try_get(2)?);
    let (Some(agency), Some(year)) = (agency, year) else {
        return Err(StoreError::Refused(unidentified.into()));
    };
    Ok((agency, year, draft))
}

#[allow(clippy::too_many_arguments)]
async fn insert_event(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    agency_id: i64,
    year: i64,
    action: &str,
    status: &str,
    report_id: Option<i64>,
    user_id: Option<i64>,
    comment: &str,
    at: &str,
) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO case_events (agency_id, year, action, status, report_id, user_id, comment, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
        .bind(agency_id)
        .bind(year)
        .bind(action)
        .bind(status)
        .bind(report_id)
        .bind(user_id)
        .bind(comment)
        .bind(at)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deadlines_follow_the_kind_of_body() {
        let date = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d);
        assert_eq!(deadline_for("东阿县统计局", 2025), date(2026, 1, 31));
        assert_eq!(deadline_for("东阿县人民政府", 2025), date(2026, 3, 31));
        assert_eq!(deadline_for("大溪镇", 2025), None, "townships have no national deadline");
    }
}
