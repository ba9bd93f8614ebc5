//! The register in the corpus database (migration `0007_register.sql`, SQLite and PostgreSQL
//! through the store's `Any` pool): an append-only log per application — `record` (the whole
//! application: created, or replaced by a re-import), `event` (a dated event appended),
//! `retract` (an earlier log row withdrawn) — each with who and when. Nothing is updated or
//! deleted. Every change or import is one transaction, and is refused when it would change the
//! 表三/表四 of a locked year.

use crate::derive::derive;
use crate::model::{Application, Event};
use crate::RegisterError;
use chrono::Datelike;
use nianbao_calendar::Notice;
use nianbao_store::agencies::resolve_agency;
use nianbao_store::Store;
use serde::{Deserialize, Serialize};
use sqlx::Row;
use std::collections::{BTreeMap, HashMap, HashSet};

fn now() -> String {
    chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Retract {
    log_id: i64,
}

/// One row of an application's audit trail.
#[derive(Debug, Clone, PartialEq)]
pub struct LogEntry {
    pub id: i64,
    pub action: String,
    pub data: String,
    pub recorded_by: String,
    pub recorded_at: String,
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportSummary {
    pub created: usize,
    pub replaced: usize,
    pub unchanged: usize,
    pub import_id: i64,
}

fn json_err(e: serde_json::Error) -> RegisterError {
    RegisterError::Other(format!("台账记录格式错误：{e}"))
}

/// Folds one application's log rows (ordered by id).
fn fold(number: &str, rows: &[(i64, String, String)]) -> Result<Option<Application>, RegisterError> {
    let mut retracted = HashSet::new();
    for (_, action, data) in rows {
        if action == "retract" {
            let r: Retract = serde_json::from_str(data).map_err(json_err)?;
            retracted.insert(r.log_id);
        }
    }
    let mut app: Option<Application> = None;
    for (id, action, data) in rows {
        if retracted.contains(id) {
            continue;
        }
        match action.as_str() {
            "record" => app = Some(serde_json::from_str(data).map_err(json_err)?),
            "event" => {
                let e: Event = serde_json::from_str(data).map_err(json_err)?;
                if let Some(a) = app.as_mut() {
                    let pos = a.events.iter().position(|x| x.date > e.date).unwrap_or(a.events.len());
                    a.events.insert(pos, e);
                }
            }
            "retract" => {}
            other => return Err(RegisterError::Other(format!("申请 {number}：未知的记录类型 {other}"))),
        }
    }
    Ok(app)
}

/// Every application of an agency (by id), folded from the log.
pub async fn load(store: &Store, agency_id: i64) -> Result<Vec<Application>, RegisterError> {
    let mut conn = store.pool.acquire().await?;
    load_with(&mut conn, agency_id).await
}

/// `load` on a given connection (inside a write transaction, so that what is checked is what
/// the write is appended to).
async fn load_with(conn: &mut sqlx::AnyConnection, agency_id: i64) -> Result<Vec<Application>, RegisterError> {
    let rows = sqlx::query(
        "SELECT a.id, a.number, l.id, l.action, l.data FROM register_applications a JOIN register_log l ON l.application_id = a.id \
         WHERE a.agency_id = $1 ORDER BY a.id, l.id",
    )
    .bind(agency_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut out = Vec::new();
    let mut current: Option<(i64, String)> = None;
    let mut buf: Vec<(i64, String, String)> = Vec::new();
    for r in rows {
        let app_id: i64 = r.try_get(0)?;
        if current.as_ref().map(|c| c.0) != Some(app_id) {
            if let Some((_, n)) = current.take() {
                out.extend(fold(&n, &buf)?);
            }
            buf.clear();
            current = Some((app_id, r.try_get(1)?));
        }
        buf.push((r.try_get(2)?, r.try_get(3)?, r.try_get(4)?));
    }
    if let Some((_, n)) = current {
        out.extend(fold(&n, &buf)?);
    }
    Ok(out)
}

/// The agency's id by name (or alias).
pub async fn agency_id(store: &Store, name: &str) -> Result<i64, RegisterError> {
    Ok(store.find_agency(name).await?)
}

/// The agencies that keep a register here: (id, name).
pub async fn agencies(store: &Store) -> Result<Vec<(i64, String)>, RegisterError> {
    let rows = sqlx::query("SELECT DISTINCT g.id, g.name FROM agencies g JOIN register_applications a ON a.agency_id = g.id ORDER BY g.name").fetch_all(&store.pool).await?;
    rows.iter().map(|r| Ok((r.try_get(0)?, r.try_get(1)?))).collect()
}

/// The locked years of an agency: year → (by, at).
pub async fn locks(store: &Store, agency_id: i64) -> Result<BTreeMap<i32, (String, String)>, RegisterError> {
    let mut conn = store.pool.acquire().await?;
    locks_with(&mut conn, agency_id).await
}

async fn locks_with(conn: &mut sqlx::AnyConnection, agency_id: i64) -> Result<BTreeMap<i32, (String, String)>, RegisterError> {
    let rows = sqlx::query("SELECT year, locked_by, locked_at FROM register_locks WHERE agency_id = $1").bind(agency_id).fetch_all(&mut *conn).await?;
    let mut out = BTreeMap::new();
    for r in rows {
        let y: i64 = r.try_get(0)?;
        out.insert(y as i32, (r.try_get(1)?, r.try_get(2)?));
    }
    Ok(out)
}

/// Refuses a change that moves any count of a locked year.
fn guard_locks(agency: &str, locks: &BTreeMap<i32, (String, String)>, before: &[Application], after: &[Application]) -> Result<(), RegisterError> {
    for (year, (by, at)) in locks {
        let a = derive(agency, *year, before);
        let b = derive(agency, *year, after);
        if a.report != b.report {
            return Err(RegisterError::Locked { agency: agency.to_string(), year: *year, by: by.clone(), at: at.clone() });
        }
    }
    Ok(())
}

/// Imports applications (from one workbook) into an agency's register, in one transaction
/// that also reads the register it compares with: new numbers are created, changed ones get a
/// new `record` row, identical ones are left alone.
pub async fn import(store: &Store, agency: &str, file: &str, sha256: &str, apps: &[Application], skipped: usize, who: &str) -> Result<ImportSummary, RegisterError> {
    for a in apps {
        a.validate()?;
    }
    let mut tx = store.pool.begin().await?;
    let agency_id = resolve_agency(&mut tx, agency).await?;
    tx.commit().await?;
    // What is compared and checked is what the import is written onto.
    let mut tx = lock_register(store, agency_id).await?;
    let existing = load_with(&mut tx, agency_id).await?;
    let locks = locks_with(&mut tx, agency_id).await?;
    let by_number: HashMap<&str, &Application> = existing.iter().map(|a| (a.number.as_str(), a)).collect();
    let mut summary = ImportSummary::default();
    let mut new_apps: Vec<&Application> = Vec::new();
    let mut replaced: Vec<&Application> = Vec::new();
    for a in apps {
        match by_number.get(a.number.as_str()) {
            None => new_apps.push(a),
            Some(old) if *old == a => summary.unchanged += 1,
            Some(_) => replaced.push(a),
        }
    }
    if !locks.is_empty() {
        let mut after: HashMap<&str, &Application> = by_number.clone();
        for a in new_apps.iter().chain(&replaced) {
            after.insert(a.number.as_str(), a);
        }
        let after: Vec<Application> = after.into_values().cloned().collect();
        guard_locks(agency, &locks, &existing, &after)?;
    }
    let at = now();
    let import_id: i64 = sqlx::query(
        "INSERT INTO register_imports (agency_id, file, sha256, imported, unchanged, skipped, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(agency_id)
    .bind(file)
    .bind(sha256)
    .bind((new_apps.len() + replaced.len()) as i64)
    .bind(summary.unchanged as i64)
    .bind(skipped as i64)
    .bind(who)
    .bind(&at)
    .fetch_one(&mut *tx)
    .await?
    .try_get(0)?;
    // Multi-row inserts: one statement per 200 rows instead of one per row.
    for chunk in new_apps.chunks(200) {
        let mut sql = String::from("INSERT INTO register_applications (agency_id, number, created_by, created_at) VALUES ");
        for i in 0..chunk.len() {
            if i > 0 {
                sql.push(',');
            }
            let b = i * 4;
            sql.push_str(&format!("(${}, ${}, ${}, ${})", b + 1, b + 2, b + 3, b + 4));
        }
        // Only placeholders are generated; every value is bound.
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for a in chunk {
            q = q.bind(agency_id).bind(a.number.clone()).bind(who).bind(at.clone());
        }
        q.execute(&mut *tx).await?;
    }
    let ids: HashMap<String, i64> = sqlx::query("SELECT number, id FROM register_applications WHERE agency_id = $1")
        .bind(agency_id)
        .fetch_all(&mut *tx)
        .await?
        .iter()
        .map(|r| Ok((r.try_get::<String, _>(0)?, r.try_get::<i64, _>(1)?)))
        .collect::<Result<_, sqlx::Error>>()?;
    let records: Vec<(i64, String)> = new_apps
        .iter()
        .chain(&replaced)
        .map(|a| Ok((ids.get(&a.number).copied().ok_or_else(|| RegisterError::Other(format!("申请 {} 未能写入", a.number)))?, serde_json::to_string(a).map_err(json_err)?)))
        .collect::<Result<_, RegisterError>>()?;
    for chunk in records.chunks(150) {
        let mut sql = String::from("INSERT INTO register_log (application_id, action, data, import_id, recorded_by, recorded_at) VALUES ");
        for i in 0..chunk.len() {
            if i > 0 {
                sql.push(',');
            }
            let b = i * 5;
            sql.push_str(&format!("(${}, 'record', ${}, ${}, ${}, ${})", b + 1, b + 2, b + 3, b + 4, b + 5));
        }
        // Only placeholders are generated; every value is bound.
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (id, data) in chunk {
            q = q.bind(*id).bind(data.clone()).bind(import_id).bind(who).bind(at.clone());
        }
        q.execute(&mut *tx).await?;
    }
    tx.commit().await?;
    summary.created = new_apps.len();
    summary.replaced = replaced.len();
    summary.import_id = import_id;
    Ok(summary)
}

async fn application_id(store: &Store, agency_id: i64, agency: &str, number: &str) -> Result<i64, RegisterError> {
    let row = sqlx::query("SELECT id FROM register_applications WHERE agency_id = $1 AND number = $2").bind(agency_id).bind(number).fetch_optional(&store.pool).await?;
    match row {
        Some(r) => Ok(r.try_get(0)?),
        None => Err(RegisterError::NoApplication { agency: agency.to_string(), number: number.to_string() }),
    }
}

/// Adds one new application (refused when the number exists). The agency is created when it
/// is not known (as an import does).
pub async fn add_application(store: &Store, agency: &str, app: &Application, who: &str) -> Result<(), RegisterError> {
    app.validate()?;
    let mut tx = store.pool.begin().await?;
    let agency_id = resolve_agency(&mut tx, agency).await?;
    tx.commit().await?;
    add_application_to(store, agency_id, agency, app, who).await
}

/// Takes the write lock of the register before anything is read: on SQLite the transaction is
/// `BEGIN IMMEDIATE`; on PostgreSQL the agency's row is locked, so two changes of one agency's
/// register never both pass the checks against the same history.
async fn lock_register(store: &Store, agency_id: i64) -> Result<sqlx::Transaction<'static, sqlx::Any>, RegisterError> {
    let mut tx = store.write_tx().await?;
    if store.backend == nianbao_store::Backend::Postgres {
        sqlx::query("SELECT id FROM agencies WHERE id = $1 FOR UPDATE").bind(agency_id).fetch_optional(&mut *tx).await?;
    }
    Ok(tx)
}

/// Adds one new application to the agency with this id (`agency`: its name, for messages), in
/// one transaction that also checks the number is new and no locked year's tables change.
pub async fn add_application_to(store: &Store, agency_id: i64, agency: &str, app: &Application, who: &str) -> Result<(), RegisterError> {
    app.validate()?;
    let mut tx = lock_register(store, agency_id).await?;
    let existing = load_with(&mut tx, agency_id).await?;
    if existing.iter().any(|a| a.number == app.number) {
        return Err(RegisterError::Duplicate { agency: agency.to_string(), number: app.number.clone() });
    }
    let locks = locks_with(&mut tx, agency_id).await?;
    let mut after = existing.clone();
    after.push(app.clone());
    guard_locks(agency, &locks, &existing, &after)?;
    let at = now();
    let id: i64 = sqlx::query("INSERT INTO register_applications (agency_id, number, created_by, created_at) VALUES ($1, $2, $3, $4) RETURNING id")
        .bind(agency_id)
        .bind(&app.number)
        .bind(who)
        .bind(&at)
        .fetch_one(&mut *tx)
        .await?
        .try_get(0)?;
    sqlx::query("INSERT INTO register_log (application_id, action, data, recorded_by, recorded_at) VALUES ($1, 'record', $2, $3, $4)")
        .bind(id)
        .bind(serde_json::to_string(app).map_err(json_err)?)
        .bind(who)
        .bind(&at)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Appends an event to an application after checking it against its history and the locks.
pub async fn add_event(store: &Store, agency: &str, number: &str, event: Event, who: &str) -> Result<Application, RegisterError> {
    let agency_id = agency_id(store, agency).await?;
    add_event_to(store, agency_id, agency, number, event, who).await
}

/// `add_event` for the agency with this id (`agency`: its name, for messages): the history is
/// read, the event checked and appended in one write transaction.
pub async fn add_event_to(store: &Store, agency_id: i64, agency: &str, number: &str, event: Event, who: &str) -> Result<Application, RegisterError> {
    let mut tx = lock_register(store, agency_id).await?;
    let row = sqlx::query("SELECT id FROM register_applications WHERE agency_id = $1 AND number = $2").bind(agency_id).bind(number).fetch_optional(&mut *tx).await?;
    let Some(row) = row else {
        return Err(RegisterError::NoApplication { agency: agency.to_string(), number: number.to_string() });
    };
    let app_id: i64 = row.try_get(0)?;
    let existing = load_with(&mut tx, agency_id).await?;
    let Some(mut app) = existing.iter().find(|a| a.number == number).cloned() else {
        return Err(RegisterError::NoApplication { agency: agency.to_string(), number: number.to_string() });
    };
    app.add_event(event.clone())?;
    let after: Vec<Application> = existing.iter().map(|a| if a.number == number { app.clone() } else { a.clone() }).collect();
    guard_locks(agency, &locks_with(&mut tx, agency_id).await?, &existing, &after)?;
    sqlx::query("INSERT INTO register_log (application_id, action, data, recorded_by, recorded_at) VALUES ($1, 'event', $2, $3, $4)")
        .bind(app_id)
        .bind(serde_json::to_string(&event).map_err(json_err)?)
        .bind(who)
        .bind(now())
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(app)
}

/// Withdraws an earlier log row of an application (a wrong entry), keeping it in the trail.
pub async fn retract(store: &Store, agency: &str, number: &str, log_id: i64, who: &str) -> Result<(), RegisterError> {
    let agency_id = agency_id(store, agency).await?;
    retract_in(store, agency_id, agency, number, log_id, who).await
}

/// `retract` for the agency with this id (`agency`: its name, for messages), checked and
/// appended in one write transaction: the history without the row must still be consistent
/// and no locked year's tables may change.
pub async fn retract_in(store: &Store, agency_id: i64, agency: &str, number: &str, log_id: i64, who: &str) -> Result<(), RegisterError> {
    let mut tx = lock_register(store, agency_id).await?;
    let row = sqlx::query("SELECT id FROM register_applications WHERE agency_id = $1 AND number = $2").bind(agency_id).bind(number).fetch_optional(&mut *tx).await?;
    let Some(row) = row else {
        return Err(RegisterError::NoApplication { agency: agency.to_string(), number: number.to_string() });
    };
    let app_id: i64 = row.try_get(0)?;
    let rows: Vec<(i64, String, String)> = sqlx::query("SELECT id, action, data FROM register_log WHERE application_id = $1 ORDER BY id")
        .bind(app_id)
        .fetch_all(&mut *tx)
        .await?
        .iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
        .collect::<Result<_, sqlx::Error>>()?;
    let already: HashSet<i64> = rows
        .iter()
        .filter(|(_, action, _)| action == "retract")
        .filter_map(|(_, _, data)| serde_json::from_str::<Retract>(data).ok().map(|r| r.log_id))
        .collect();
    if !rows.iter().any(|(id, action, _)| *id == log_id && action != "retract") || already.contains(&log_id) {
        return Err(RegisterError::Invalid { number: number.to_string(), reason: format!("没有可撤销的记录 #{log_id}") });
    }
    let data = serde_json::to_string(&Retract { log_id }).map_err(json_err)?;
    let mut after_rows = rows.clone();
    after_rows.push((i64::MAX, "retract".into(), data.clone()));
    let after_app = fold(number, &after_rows)?;
    let Some(after_app) = after_app else {
        return Err(RegisterError::Invalid { number: number.to_string(), reason: "不能撤销申请本身的登记记录".into() });
    };
    after_app.validate()?;
    let existing = load_with(&mut tx, agency_id).await?;
    let after: Vec<Application> = existing.iter().map(|a| if a.number == number { after_app.clone() } else { a.clone() }).collect();
    guard_locks(agency, &locks_with(&mut tx, agency_id).await?, &existing, &after)?;
    sqlx::query("INSERT INTO register_log (application_id, action, data, recorded_by, recorded_at) VALUES ($1, 'retract', $2, $3, $4)")
        .bind(app_id)
        .bind(data)
        .bind(who)
        .bind(now())
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// An application's audit trail.
pub async fn history(store: &Store, agency: &str, number: &str) -> Result<Vec<LogEntry>, RegisterError> {
    let agency_id = agency_id(store, agency).await?;
    history_of(store, agency_id, agency, number).await
}

/// An application's audit trail, by agency id (`agency`: its name, for messages).
pub async fn history_of(store: &Store, agency_id: i64, agency: &str, number: &str) -> Result<Vec<LogEntry>, RegisterError> {
    let app_id = application_id(store, agency_id, agency, number).await?;
    let rows = sqlx::query("SELECT id, action, data, recorded_by, recorded_at FROM register_log WHERE application_id = $1 ORDER BY id").bind(app_id).fetch_all(&store.pool).await?;
    rows.iter()
        .map(|r| Ok(LogEntry { id: r.try_get(0)?, action: r.try_get(1)?, data: r.try_get(2)?, recorded_by: r.try_get(3)?, recorded_at: r.try_get(4)? }))
        .collect()
}

/// Locks a closed year: its 表三/表四 can no longer change. Refused for the current year or later.
pub async fn lock_year(store: &Store, agency: &str, year: i32, who: &str) -> Result<(), RegisterError> {
    let today = chrono::Local::now().date_naive();
    if year >= today.year() {
        return Err(RegisterError::Invalid { number: String::new(), reason: format!("{year} 年度尚未结束，不能锁定") });
    }
    let agency_id = agency_id(store, agency).await?;
    let mut tx = store.pool.begin().await?;
    sqlx::query("INSERT INTO register_locks (agency_id, year, locked_by, locked_at) VALUES ($1, $2, $3, $4) ON CONFLICT (agency_id, year) DO NOTHING")
        .bind(agency_id)
        .bind(year as i64)
        .bind(who)
        .bind(now())
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// The holiday notices an administrator imported.
pub async fn calendar_notices(store: &Store) -> Result<Vec<Notice>, RegisterError> {
    let rows = sqlx::query("SELECT notice_json FROM calendar_notices ORDER BY id").fetch_all(&store.pool).await?;
    let mut out: Vec<Notice> = Vec::new();
    for r in rows {
        let n: Notice = serde_json::from_str(&r.try_get::<String, _>(0)?).map_err(json_err)?;
        // A later import of the same notice replaces the earlier one.
        out.retain(|o| !(o.year == n.year && o.name() == n.name()));
        out.push(n);
    }
    Ok(out)
}

/// Stores imported notices (one transaction).
pub async fn save_notices(store: &Store, notices: &[Notice], who: &str) -> Result<(), RegisterError> {
    let at = now();
    let mut tx = store.pool.begin().await?;
    for n in notices {
        sqlx::query("INSERT INTO calendar_notices (year, name, notice_json, imported_by, imported_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(n.year as i64)
            .bind(n.name())
            .bind(serde_json::to_string(n).map_err(json_err)?)
            .bind(who)
            .bind(&at)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// An agency's name by id; `None` when there is no such agency.
pub async fn agency_name(store: &Store, agency_id: i64) -> Result<Option<String>, RegisterError> {
    let row = sqlx::query("SELECT name FROM agencies WHERE id = $1").bind(agency_id).fetch_optional(&store.pool).await?;
    Ok(row.map(|r| r.try_get(0)).transpose()?)
}
