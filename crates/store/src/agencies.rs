//! Agencies: one body across the ways its name is written (an alias table the user can edit),
//! and its parent (the government a department belongs to), imported from a CSV tree.

use crate::{Store, StoreError};
use nianbao_check::agency;
use sqlx::Row;
use std::path::Path;

/// The agency id of a name as printed: through the alias table, creating the agency when new.
pub async fn resolve_agency(tx: &mut sqlx::Transaction<'_, sqlx::Any>, name: &str) -> Result<i64, StoreError> {
    let key = agency::key(name);
    if let Some(row) = sqlx::query("SELECT agency_id FROM agency_aliases WHERE alias_key = $1").bind(&key).fetch_optional(&mut **tx).await? {
        return Ok(row.try_get(0)?);
    }
    let kind = format!("{:?}", agency::kind(name)).to_lowercase();
    sqlx::query("INSERT INTO agencies (name, kind) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING").bind(name).bind(kind).execute(&mut **tx).await?;
    let id: i64 = sqlx::query("SELECT id FROM agencies WHERE name = $1").bind(name).fetch_one(&mut **tx).await?.try_get(0)?;
    sqlx::query("INSERT INTO agency_aliases (alias_key, alias, agency_id) VALUES ($1, $2, $3) ON CONFLICT (alias_key) DO NOTHING")
        .bind(&key)
        .bind(name)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(id)
}

#[derive(Debug, Clone, PartialEq)]
pub struct AgencyInfo {
    pub id: i64,
    pub name: String,
    pub parent: Option<String>,
    pub aliases: Vec<String>,
    pub reports: i64,
}

impl Store {
    /// Finds an agency by its name or any alias.
    pub async fn find_agency(&self, name: &str) -> Result<i64, StoreError> {
        let row = sqlx::query("SELECT agency_id FROM agency_aliases WHERE alias_key = $1").bind(agency::key(name)).fetch_optional(&self.pool).await?;
        match row {
            Some(r) => Ok(r.try_get(0)?),
            None => {
                let r = sqlx::query("SELECT id FROM agencies WHERE name = $1").bind(name).fetch_optional(&self.pool).await?;
                r.map(|r| r.try_get(0)).transpose()?.ok_or_else(|| StoreError::NoAgency(name.to_string()))
            }
        }
    }

    pub async fn agency_name(&self, id: i64) -> Result<String, StoreError> {
        Ok(sqlx::query("SELECT name FROM agencies WHERE id = $1").bind(id).fetch_one(&self.pool).await?.try_get(0)?)
    }

    /// Makes `alias` a name of `canonical` (creating `canonical` if needed) and moves the
    /// reports filed under the alias's old agency, in one transaction.
    pub async fn set_alias(&self, alias: &str, canonical: &str) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        let target = resolve_agency(&mut tx, canonical).await?;
        let key = agency::key(alias);
        let old: Option<i64> = sqlx::query("SELECT agency_id FROM agency_aliases WHERE alias_key = $1").bind(&key).fetch_optional(&mut *tx).await?.map(|r| r.try_get(0)).transpose()?;
        match old {
            Some(old) if old != target => {
                sqlx::query("UPDATE agency_aliases SET agency_id = $1 WHERE agency_id = $2").bind(target).bind(old).execute(&mut *tx).await?;
                let years: Vec<i64> = sqlx::query("SELECT DISTINCT year FROM reports WHERE agency_id = $1 AND year IS NOT NULL")
                    .bind(old)
                    .fetch_all(&mut *tx)
                    .await?
                    .iter()
                    .map(|r| r.try_get(0))
                    .collect::<Result<_, _>>()?;
                sqlx::query("UPDATE reports SET agency_id = $1 WHERE agency_id = $2").bind(target).bind(old).execute(&mut *tx).await?;
                // The two agencies' review cases become one per year (the target's kept where
                // both have one); their histories join; one report per year stays current.
                sqlx::query("DELETE FROM report_cases WHERE agency_id = $1 AND year IN (SELECT year FROM report_cases WHERE agency_id = $2)").bind(old).bind(target).execute(&mut *tx).await?;
                sqlx::query("UPDATE report_cases SET agency_id = $1, chosen_report_id = NULL WHERE agency_id = $2").bind(target).bind(old).execute(&mut *tx).await?;
                sqlx::query("UPDATE case_events SET agency_id = $1 WHERE agency_id = $2").bind(target).bind(old).execute(&mut *tx).await?;
                for year in years {
                    crate::ingest::refresh_current(&mut tx, self.backend, target, year).await?;
                }
                sqlx::query("UPDATE agencies SET parent_id = $1 WHERE parent_id = $2").bind(target).bind(old).execute(&mut *tx).await?;
                sqlx::query("DELETE FROM agencies WHERE id = $1").bind(old).execute(&mut *tx).await?;
            }
            Some(_) => {}
            None => {
                sqlx::query("INSERT INTO agency_aliases (alias_key, alias, agency_id) VALUES ($1, $2, $3)").bind(&key).bind(alias).bind(target).execute(&mut *tx).await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    /// Imports the region/agency tree: a CSV with the header `name,parent`. All or nothing.
    pub async fn import_tree(&self, csv_path: &Path) -> Result<usize, StoreError> {
        let file = csv_path.display().to_string();
        let mut reader = csv::Reader::from_path(csv_path).map_err(|e| StoreError::Csv { file: file.clone(), reason: e.to_string() })?;
        let headers = reader.headers().map_err(|e| StoreError::Csv { file: file.clone(), reason: e.to_string() })?.clone();
        let col = |n: &str| headers.iter().position(|h| h.trim() == n);
        let (Some(ni), pi) = (col("name").or(col("机关")), col("parent").or(col("上级"))) else {
            return Err(StoreError::Csv { file, reason: "第 1 行应为表头 name,parent（或 机关,上级）".into() });
        };
        let mut rows = Vec::new();
        for (i, rec) in reader.records().enumerate() {
            let rec = rec.map_err(|e| StoreError::Csv { file: file.clone(), reason: format!("第 {} 行：{e}", i + 2) })?;
            let name = rec.get(ni).unwrap_or("").trim().to_string();
            if name.is_empty() {
                return Err(StoreError::Csv { file: file.clone(), reason: format!("第 {} 行：机关名称为空", i + 2) });
            }
            let parent = pi.and_then(|p| rec.get(p)).map(str::trim).filter(|p| !p.is_empty()).map(str::to_string);
            rows.push((name, parent));
        }
        let mut tx = self.write_tx().await?;
        for (name, parent) in &rows {
            let id = resolve_agency(&mut tx, name).await?;
            if let Some(p) = parent {
                let pid = resolve_agency(&mut tx, p).await?;
                sqlx::query("UPDATE agencies SET parent_id = $1 WHERE id = $2").bind(pid).bind(id).execute(&mut *tx).await?;
            }
        }
        tx.commit().await?;
        Ok(rows.len())
    }

    pub async fn list_agencies(&self) -> Result<Vec<AgencyInfo>, StoreError> {
        let rows = sqlx::query(
            "SELECT a.id, a.name, p.name, (SELECT COUNT(*) FROM reports r WHERE r.agency_id = a.id AND r.is_current = 1) \
             FROM agencies a LEFT JOIN agencies p ON p.id = a.parent_id ORDER BY a.name",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::new();
        for r in rows {
            let id: i64 = r.try_get(0)?;
            let aliases = sqlx::query("SELECT alias FROM agency_aliases WHERE agency_id = $1 ORDER BY alias").bind(id).fetch_all(&self.pool).await?;
            out.push(AgencyInfo {
                id,
                name: r.try_get(1)?,
                parent: r.try_get(2)?,
                aliases: aliases.iter().filter_map(|a| a.try_get(0).ok()).collect(),
                reports: r.try_get(3)?,
            });
        }
        Ok(out)
    }

    /// Puts an agency under another (`None`: at the top), refusing a parent under the agency
    /// itself (the tree would become a cycle).
    pub async fn set_parent(&self, id: i64, parent: Option<i64>) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        if let Some(p) = parent {
            let sql = format!("SELECT COUNT(*) FROM agencies WHERE id = $2 AND id IN {}", crate::web::subtree_sql(1));
            let under: i64 = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).bind(p).fetch_one(&mut *tx).await?.try_get(0)?;
            if under > 0 {
                tx.rollback().await?;
                return Err(StoreError::Refused("上级不能是该机关本身或其下属机关".into()));
            }
            sqlx::query("UPDATE agencies SET parent_id = $1 WHERE id = $2").bind(p).bind(id).execute(&mut *tx).await?;
        } else {
            sqlx::query("UPDATE agencies SET parent_id = NULL WHERE id = $1").bind(id).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Registers an agency (and its parent, when given) before any of its reports arrives.
    pub async fn add_agency(&self, name: &str, parent: Option<&str>) -> Result<i64, StoreError> {
        let mut tx = self.write_tx().await?;
        let id = resolve_agency(&mut tx, name).await?;
        if let Some(p) = parent {
            let pid = resolve_agency(&mut tx, p).await?;
            let sql = format!("SELECT COUNT(*) FROM agencies WHERE id = $2 AND id IN {}", crate::web::subtree_sql(1));
            let under: i64 = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).bind(pid).fetch_one(&mut *tx).await?.try_get(0)?;
            if under > 0 {
                tx.rollback().await?;
                return Err(StoreError::Refused("上级不能是该机关本身或其下属机关".into()));
            }
            sqlx::query("UPDATE agencies SET parent_id = $1 WHERE id = $2").bind(pid).bind(id).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(id)
    }

    /// The agencies whose parent is `parent`.
    pub async fn children(&self, parent: i64) -> Result<Vec<(i64, String)>, StoreError> {
        let rows = sqlx::query("SELECT id, name FROM agencies WHERE parent_id = $1 ORDER BY name").bind(parent).fetch_all(&self.pool).await?;
        rows.iter().map(|r| Ok((r.try_get(0)?, r.try_get(1)?))).collect()
    }
}
