//! Numbers for the cells of the official layouts, so each stored cell is a small row
//! `(report_id, cell_id, value, …)` instead of repeating table, row and column names.
//! The numbering is kept in the database (`cell_keys`) and only ever extended.

use crate::StoreError;
use nianbao_model::{layout, Layout, TableId};
use sqlx::Row;
use std::collections::HashMap;

pub type CellKeys = HashMap<(Layout, TableId, String, usize), i64>;

/// Loads the numbering, adding the cells it lacks (in one transaction).
pub async fn load(pool: &sqlx::AnyPool) -> Result<CellKeys, StoreError> {
    let mut keys = CellKeys::new();
    let mut max = 0i64;
    for r in sqlx::query("SELECT cell_id, layout, tbl, row_key, col FROM cell_keys").fetch_all(pool).await? {
        let id: i64 = r.try_get(0)?;
        let (l, t): (String, String) = (r.try_get(1)?, r.try_get(2)?);
        if let (Some(l), Some(t)) = (Layout::parse(&l), TableId::from_key(&t)) {
            keys.insert((l, t, r.try_get(3)?, r.try_get::<i64, _>(4)? as usize), id);
        }
        max = max.max(id);
    }
    let mut missing = Vec::new();
    for l in [Layout::L2019, Layout::L2021] {
        for t in TableId::ALL {
            for def in layout::rows(t, l) {
                for (c, f) in def.fields.iter().enumerate() {
                    let k = (l, t, def.key.to_string(), c);
                    if let std::collections::hash_map::Entry::Vacant(e) = keys.entry(k) {
                        max += 1;
                        e.insert(max);
                        missing.push((max, l, t, def.key, c, f.key));
                    }
                }
            }
        }
    }
    if !missing.is_empty() {
        let mut tx = pool.begin().await?;
        for (id, l, t, row, c, field) in missing {
            sqlx::query("INSERT INTO cell_keys (cell_id, layout, tbl, row_key, col, field) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING")
                .bind(id)
                .bind(l.as_str())
                .bind(t.key())
                .bind(row)
                .bind(c as i64)
                .bind(field)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
    }
    Ok(keys)
}
