//! `nianbao ingest`: parse and check files in parallel (rayon), write each file's reports in
//! one transaction. A file is known by its content hash: the same content twice (under any
//! name) changes nothing. A report belongs to its agency and year, never to a file name: a new
//! document of an agency-year (a corrected file, the PDF of a DOCX) is a new version of that
//! report and becomes its current one (`reports.is_current`, see `refresh_current`). An
//! unreadable file is recorded as a failure and the batch goes on; after a crash, what was
//! committed is whole and the rest is done again on the next run.

use crate::agencies::resolve_agency;
use crate::{Store, StoreError};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use nianbao_model::TableId;
use nianbao_parse::ParsedDocument;
use rayon::prelude::*;
use sha2::{Digest, Sha256};
use sqlx::Row;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// File names that are never reports (sidecars of fixtures, notes, scripts).
fn is_sidecar(p: &Path) -> bool {
    let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
    name.starts_with('.')
        || [".json", ".md", ".snap", ".py", ".sh", ".csv", ".toml", ".lock", ".error.txt", ".db", ".db-wal", ".db-shm"].iter().any(|s| name.ends_with(s))
}

/// Every file under the given paths, recursively, in a stable order.
pub fn collect_files(paths: &[PathBuf]) -> Vec<PathBuf> {
    fn walk(p: &Path, out: &mut Vec<PathBuf>) {
        if p.is_dir() {
            let Ok(rd) = std::fs::read_dir(p) else { return };
            let mut entries: Vec<PathBuf> = rd.flatten().map(|e| e.path()).collect();
            entries.sort();
            for e in entries {
                walk(&e, out);
            }
        } else if !is_sidecar(p) {
            out.push(p.to_path_buf());
        }
    }
    let mut out = Vec::new();
    for p in paths {
        if p.is_file() {
            // A file named explicitly is ingested whatever its name.
            out.push(p.clone());
        } else {
            walk(p, &mut out);
        }
    }
    out
}

/// A finding, owned, ready to be stored.
#[derive(Clone)]
pub struct StoredFinding {
    pub report: usize,
    pub rule: String,
    pub severity: String,
    pub kind: String,
    pub message: String,
    pub expected: Option<String>,
    pub found: Option<String>,
    pub cells: String,
    pub span: Option<nianbao_model::Span>,
}

enum Work {
    Known,
    Parsed { path: String, sha: String, size: usize, doc: Box<ParsedDocument>, findings: Vec<StoredFinding> },
    Failed { path: String, sha: String, size: usize, error: String },
}

#[derive(Debug, Default, Clone)]
pub struct IngestSummary {
    pub files: usize,
    pub unchanged: usize,
    pub written: usize,
    pub failed: usize,
    pub reports: usize,
    pub findings: usize,
    pub elapsed: Duration,
    pub failures: Vec<String>,
    /// Agencies whose reports were checked again together, across files.
    pub rechecked_agencies: usize,
}

/// Parses and checks one file; what the writer stores.
pub fn analyse(path: &Path, bytes: &[u8]) -> Result<(ParsedDocument, Vec<StoredFinding>), String> {
    let name = path.display().to_string();
    let doc = nianbao_parse::parse_bytes(&name, bytes).map_err(|e| e.to_string())?;
    let result = nianbao_check::check(std::slice::from_ref(&doc));
    let findings = result.findings.iter().map(StoredFinding::from).collect();
    Ok((doc, findings))
}

/// [`analyse`] through [`crate::parse_remembered`] (a scan read by OCR is not read again by the
/// re-checks that follow).
fn analyse_remembered(path: &Path, sha: &str, bytes: &[u8]) -> Result<(ParsedDocument, Vec<StoredFinding>), String> {
    let doc = crate::parse_remembered(&path.display().to_string(), sha, bytes).map_err(|e| e.to_string())?;
    let result = nianbao_check::check(std::slice::from_ref(&*doc));
    let findings = result.findings.iter().map(StoredFinding::from).collect();
    Ok((std::sync::Arc::unwrap_or_clone(doc), findings))
}

impl From<&nianbao_check::Finding> for StoredFinding {
    fn from(f: &nianbao_check::Finding) -> StoredFinding {
        let v = f.to_json(None);
        StoredFinding {
            report: f.report,
            rule: f.rule.to_string(),
            severity: f.severity.key().to_string(),
            kind: v["kind"].as_str().unwrap_or("").to_string(),
            message: f.message.clone(),
            expected: f.expected.as_ref().map(|e| e.to_string()),
            found: f.found.as_ref().map(|e| e.to_string()),
            cells: v["cells"].to_string(),
            span: f.span,
        }
    }
}

async fn insert_finding(tx: &mut sqlx::Transaction<'_, sqlx::Any>, report_id: i64, f: &StoredFinding) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO findings (report_id, rule, severity, kind, message, expected, found, cells, line, col_no, start_byte, end_byte, cell) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
    )
    .bind(report_id)
    .bind(f.rule.clone())
    .bind(f.severity.clone())
    .bind(f.kind.clone())
    .bind(f.message.clone())
    .bind(f.expected.clone())
    .bind(f.found.clone())
    .bind(f.cells.clone())
    .bind(f.span.map(|s| s.line as i64))
    .bind(f.span.map(|s| s.column as i64))
    .bind(f.span.map(|s| s.start as i64))
    .bind(f.span.map(|s| s.end as i64))
    .bind(f.span.and_then(|s| s.cell).map(|c| c.to_string()))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub(crate) fn sha256(bytes: &[u8]) -> String {
    let d = Sha256::digest(bytes);
    d.iter().map(|b| format!("{b:02x}")).collect()
}

impl Store {
    async fn known_files(&self) -> Result<HashSet<String>, StoreError> {
        let rows = sqlx::query("SELECT sha256 FROM source_files").fetch_all(&self.pool).await?;
        Ok(rows.iter().map(|r| r.get::<String, _>(0)).collect())
    }

    /// Ingests files and directories. `progress`: draw a progress bar on standard error.
    pub async fn ingest(&self, paths: &[PathBuf], progress: bool) -> Result<IngestSummary, StoreError> {
        self.ingest_inner(paths, progress).await.map_err(|e| self.explain(e))
    }

    async fn ingest_inner(&self, paths: &[PathBuf], progress: bool) -> Result<IngestSummary, StoreError> {
        let start = Instant::now();
        let files = collect_files(paths);
        let known = self.known_files().await?;
        let bar = ProgressBar::with_draw_target(Some(files.len() as u64), if progress { ProgressDrawTarget::stderr() } else { ProgressDrawTarget::hidden() });
        bar.set_style(
            ProgressStyle::with_template("{bar:40} {pos}/{len} 个文件  {per_sec}  {msg}").unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        let mut summary = IngestSummary { files: files.len(), ..IngestSummary::default() };
        let (tx, rx) = std::sync::mpsc::sync_channel::<Work>(64);
        let worker = std::thread::spawn(move || {
            files.par_iter().for_each_with(tx, |tx, path| {
                let name = path.display().to_string();
                // A file over the size limit is refused before it is read into memory.
                let limit = nianbao_parse::Limits::default().file_bytes;
                let too_big = std::fs::metadata(path).ok().map(|m| m.len()).filter(|&n| n > limit as u64);
                let read = match too_big {
                    Some(n) => Err(std::io::Error::other(format!("文件大小 {} MB 超过 {} MB 上限", n / 1_000_000, limit / 1_000_000))),
                    None => std::fs::read(path),
                };
                let work = match read {
                    Err(e) => Work::Failed { path: name, sha: String::new(), size: 0, error: format!("无法读取文件：{e}") },
                    Ok(bytes) => {
                        let sha = sha256(&bytes);
                        if known.contains(&sha) {
                            Work::Known
                        } else {
                            match analyse_remembered(path, &sha, &bytes) {
                                Ok((doc, findings)) => Work::Parsed { path: name, sha, size: bytes.len(), doc: Box::new(doc), findings },
                                Err(error) => Work::Failed { path: name, sha, size: bytes.len(), error },
                            }
                        }
                    }
                };
                let _ = tx.send(work);
            });
        });
        while let Ok(work) = rx.recv() {
            match work {
                Work::Known => summary.unchanged += 1,
                Work::Parsed { path, sha, size, doc, findings } => {
                    summary.reports += doc.reports.len();
                    summary.findings += findings.len();
                    match self.write_file(&path, &sha, size, None, Ok((&doc, &findings)), None, Filing::default()).await? {
                        Some(_) => summary.written += 1,
                        // Another process stored the same file meanwhile.
                        None => summary.unchanged += 1,
                    }
                }
                Work::Failed { path, sha, size, error } => {
                    summary.failed += 1;
                    summary.failures.push(error.clone());
                    if !sha.is_empty() {
                        self.write_file(&path, &sha, size, None, Err(&error), None, Filing::default()).await?;
                    }
                    bar.set_message(format!("失败 {}", summary.failed));
                }
            }
            bar.inc(1);
        }
        let _ = worker.join();
        bar.set_message("跨年度核对");
        // Every pending re-check, this run's and any a killed run left.
        summary.rechecked_agencies = self.finish_rechecks().await?;
        if self.backend == crate::Backend::Sqlite && summary.written > 0 {
            // Planner statistics, sampled (analysis_limit bounds the work to well under a second
            // on 100,000 reports): without them SQLite sorts the web list of a large corpus the
            // slow way.
            sqlx::query("PRAGMA analysis_limit=1000").execute(&self.pool).await?;
            sqlx::query("ANALYZE").execute(&self.pool).await?;
        }
        bar.finish_and_clear();
        summary.elapsed = start.elapsed();
        Ok(summary)
    }

    /// Writes one file, its reports, cells and findings, in one transaction, with the
    /// cross-year re-check of its agencies recorded as pending work (`pending_rechecks`); each
    /// report becomes a version of its agency-year (current unless `filing.draft`).
    /// Returns the agencies the file's reports belong to, or `None` when a file of the same
    /// content is already stored (under any name). `original`: the name the file was uploaded
    /// under. `region`: the reports must belong to agencies already known and under this agency
    /// (an office reviewer's or an agency account's upload); anything else is refused and
    /// nothing is written.
    #[allow(clippy::too_many_arguments)]
    pub async fn write_file(
        &self,
        path: &str,
        sha: &str,
        size: usize,
        original: Option<&str>,
        content: Result<(&ParsedDocument, &[StoredFinding]), &str>,
        region: Option<i64>,
        filing: Filing,
    ) -> Result<Option<Vec<i64>>, StoreError> {
        let mut agencies = Vec::new();
        let mut tx = self.write_tx().await?;
        if self.backend == crate::Backend::Postgres {
            // Writers of the same content (several machines ingesting one share) one at a time.
            sqlx::query("SELECT COUNT(*) FROM (SELECT pg_advisory_xact_lock(hashtext($1))) l").bind(format!("file:{sha}")).fetch_one(&mut *tx).await?;
        }
        // The agencies first: a refusal must come before anything is written.
        let mut report_agencies: Vec<Option<i64>> = Vec::new();
        if let Ok((doc, _)) = &content {
            for parsed in &doc.reports {
                let id = match (&parsed.report.agency, region) {
                    (Some(name), None) => Some(resolve_agency(&mut tx, name).await?),
                    (Some(name), Some(region)) => {
                        let key = nianbao_check::agency::key(name);
                        let found: Option<i64> =
                            sqlx::query("SELECT agency_id FROM agency_aliases WHERE alias_key = $1").bind(&key).fetch_optional(&mut *tx).await?.map(|r| r.try_get(0)).transpose()?;
                        let inside = match found {
                            Some(id) => {
                                let sql = format!("SELECT COUNT(*) FROM agencies WHERE id = $2 AND id IN {}", crate::web::subtree_sql(1));
                                let n: i64 = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(region).bind(id).fetch_one(&mut *tx).await?.try_get(0)?;
                                n > 0
                            }
                            None => false,
                        };
                        if !inside {
                            tx.rollback().await?;
                            return Err(StoreError::Refused(format!("报告所属机关“{name}”不在您负责的区域内，未入库（如确属本区域，请管理员先在机关树中登记该机关）")));
                        }
                        found
                    }
                    (None, Some(_)) => {
                        tx.rollback().await?;
                        return Err(StoreError::Refused("未能识别报告所属机关，审核员只能上传本区域机关的报告，未入库".into()));
                    }
                    (None, None) => None,
                };
                report_agencies.push(id);
            }
        }
        if sqlx::query("SELECT id FROM source_files WHERE sha256 = $1").bind(sha).fetch_optional(&mut *tx).await?.is_some() {
            tx.rollback().await?;
            return Ok(None);
        }
        // `version` counts the documents stored under this name (shown only); it decides nothing.
        let version: i64 = sqlx::query("SELECT COALESCE(MAX(version), 0) FROM source_files WHERE path = $1").bind(path).fetch_one(&mut *tx).await?.try_get(0)?;
        let (status, error, format) = match &content {
            Ok((doc, _)) => ("ok", None, Some(format!("{:?}", doc.format).to_lowercase())),
            Err(e) => ("failed", Some(e.to_string()), None),
        };
        let now = now_iso();
        let file_id: i64 = sqlx::query(
            "INSERT INTO source_files (path, sha256, size, format, status, error, parser_version, version, is_current, ingested_at, original_name) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9, $10) RETURNING id",
        )
        .bind(path)
        .bind(sha)
        .bind(size as i64)
        .bind(format)
        .bind(status)
        .bind(error)
        .bind(nianbao_parse::PARSER_VERSION)
        .bind(version + 1)
        .bind(now)
        .bind(original)
        .fetch_one(&mut *tx)
        .await?
        .try_get(0)?;
        if let Ok((doc, findings)) = content {
            for (idx, parsed) in doc.reports.iter().enumerate() {
                let r = &parsed.report;
                let agency_id = report_agencies.get(idx).copied().flatten();
                agencies.extend(agency_id);
                let mine: Vec<&StoredFinding> = findings.iter().filter(|f| f.report == idx).collect();
                let errors = mine.iter().filter(|f| f.severity == "error").count() as i64;
                let warnings = mine.iter().filter(|f| f.severity == "warning").count() as i64;
                let prose: Vec<serde_json::Value> = parsed
                    .sections
                    .iter()
                    .map(|s| {
                        let body: Vec<&str> = parsed.section_lines(s.number).iter().filter(|l| !l.is_table_row).map(|l| l.text.as_str()).collect();
                        serde_json::json!({ "number": s.number, "heading": s.heading, "text": body.join("\n") })
                    })
                    .collect();
                let report_id: i64 = sqlx::query(
                    "INSERT INTO reports (file_id, idx, agency_id, agency_name, year, layout, published, title, report_json, prose_json, errors, warnings, draft) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id",
                )
                .bind(file_id)
                .bind(idx as i64)
                .bind(agency_id)
                .bind(r.agency.clone())
                .bind(r.year.map(i64::from))
                .bind(r.layout.map(|l| l.as_str().to_string()))
                .bind(r.published.clone())
                .bind(parsed.title.as_ref().map(|t| t.value.clone()))
                .bind(nianbao_model::json::to_json(r).to_string())
                .bind(serde_json::Value::Array(prose).to_string())
                .bind(errors)
                .bind(warnings)
                .bind(i64::from(filing.draft))
                .fetch_one(&mut *tx)
                .await?
                .try_get(0)?;
                insert_cells(&mut tx, self.backend, &self.cell_keys, report_id, r).await?;
                for f in mine {
                    insert_finding(&mut tx, report_id, f).await?;
                }
                match (agency_id, r.year) {
                    _ if filing.draft => {}
                    (Some(a), Some(y)) => {
                        // The newest submitted document is the agency's word, whatever version a
                        // reviewer chose before.
                        sqlx::query("UPDATE report_cases SET chosen_report_id = NULL WHERE agency_id = $1 AND year = $2")
                            .bind(a)
                            .bind(i64::from(y))
                            .execute(&mut *tx)
                            .await?;
                        refresh_current(&mut tx, self.backend, a, i64::from(y)).await?;
                        record_arrival(&mut tx, a, i64::from(y), report_id, filing.user_id).await?;
                    }
                    // No identity: current on its own.
                    _ => {
                        sqlx::query("UPDATE reports SET is_current = 1 WHERE id = $1").bind(report_id).execute(&mut *tx).await?;
                        add_to_country_sums(&mut tx, report_id, Sign::Plus).await?;
                    }
                }
            }
        }
        agencies.sort_unstable();
        agencies.dedup();
        for a in &agencies {
            // The token changes with every file, so a re-check that read the agency's files
            // before this one was committed does not clear this file's work.
            mark_pending(&mut tx, *a, file_id).await?;
        }
        tx.commit().await?;
        Ok(Some(agencies))
    }

    /// Runs every pending re-check (this run's, a killed run's, another process's) until none is
    /// left. Returns how many agencies were checked across files.
    pub async fn finish_rechecks(&self) -> Result<usize, StoreError> {
        let mut done = 0;
        loop {
            let rows = sqlx::query("SELECT agency_id, token FROM pending_rechecks ORDER BY agency_id").fetch_all(&self.pool).await?;
            if rows.is_empty() {
                return Ok(done);
            }
            for r in rows {
                let (agency, token): (i64, i64) = (r.try_get(0)?, r.try_get(1)?);
                if self.recheck_pending(agency, Some(token)).await? {
                    done += 1;
                }
            }
        }
    }

    /// `nianbao recheck`: every agency with current reports is checked again across its years
    /// (the findings of a database written before re-checks were kept as pending work, or after
    /// the rules changed). Returns how many agencies were checked across files.
    pub async fn recheck_all(&self) -> Result<usize, StoreError> {
        let run = async {
            let mut tx = self.write_tx().await?;
            sqlx::query(
                "INSERT INTO pending_rechecks (agency_id, token) \
                 SELECT DISTINCT r.agency_id, 0 FROM reports r WHERE r.is_current = 1 AND r.agency_id IS NOT NULL \
                 ON CONFLICT (agency_id) DO NOTHING",
            )
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            self.finish_rechecks().await
        };
        run.await.map_err(|e| self.explain(e))
    }

    /// Checks all current reports of an agency together (so the rules across years see every
    /// year, whatever file each came from) and replaces their findings, in one transaction.
    /// Returns false when a source file is no longer readable (the stored findings stay).
    pub async fn recheck_agency(&self, agency_id: i64) -> Result<bool, StoreError> {
        self.recheck_pending(agency_id, None).await
    }

    /// `recheck_agency`, clearing the agency's pending re-check if its token is still `token`
    /// (a file committed meanwhile renews the token, and its re-check stays pending).
    async fn recheck_pending(&self, agency_id: i64, token: Option<i64>) -> Result<bool, StoreError> {
        let rows = sqlx::query(
            "SELECT r.id, f.path, r.idx FROM reports r JOIN source_files f ON f.id = r.file_id WHERE r.agency_id = $1 AND r.is_current = 1 ORDER BY f.path, r.idx",
        )
        .bind(agency_id)
        .fetch_all(&self.pool)
        .await?;
        let wanted: Vec<(i64, String, usize)> = rows.iter().map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get::<i64, _>(2)? as usize))).collect::<Result<_, sqlx::Error>>()?;
        let mut paths: Vec<String> = wanted.iter().map(|w| w.1.clone()).collect();
        paths.dedup();
        // Only the current versions are checked together: a file may also hold reports of
        // years another document now stands for.
        let keep: Vec<(String, usize)> = wanted.iter().map(|w| (w.1.clone(), w.2)).collect();
        // A reviewer's corrections go on top of the file read again, before the rules run.
        let ids: Vec<i64> = wanted.iter().map(|w| w.0).collect();
        let mut by_id = if paths.len() < 2 { Default::default() } else { self.corrections_of_reports(&ids).await? };
        let fixes: std::collections::HashMap<(String, usize), Vec<crate::corrections::Correction>> =
            wanted.iter().filter_map(|w| by_id.remove(&w.0).map(|c| ((w.1.clone(), w.2), c))).collect();
        let store = self.clone();
        // Parsing and checking are CPU work: off the async runtime (the workbench keeps answering).
        let checked = if paths.len() < 2 {
            None
        } else {
            tokio::task::spawn_blocking(move || {
                let mut docs = Vec::new();
                // Per document, the report index in its file of each report kept.
                let mut original_idx: Vec<Vec<usize>> = Vec::new();
                for p in &paths {
                    // A remembered document is shared: copied only then.
                    let mut doc = std::sync::Arc::unwrap_or_clone(store.parse_stored(Path::new(p)).ok()?);
                    let kept: Vec<usize> = (0..doc.reports.len()).filter(|k| keep.iter().any(|(f, i)| f == p && i == k)).collect();
                    let mut k = 0;
                    doc.reports.retain(|_| {
                        k += 1;
                        kept.contains(&(k - 1))
                    });
                    for (j, k) in kept.iter().enumerate() {
                        if let Some(list) = fixes.get(&(p.clone(), *k)) {
                            crate::corrections::apply(&mut doc.reports[j].report, list);
                        }
                    }
                    docs.push(doc);
                    original_idx.push(kept);
                }
                let result = nianbao_check::check(&docs);
                // Owned: (file, report index in its file, its findings).
                let per_report: Vec<(String, usize, Vec<StoredFinding>)> = result
                    .reports
                    .iter()
                    .enumerate()
                    .map(|(i, (doc, k))| {
                        let d = paths.iter().position(|p| *p == doc.source.file);
                        let k = d.and_then(|d| original_idx[d].get(*k).copied()).unwrap_or(*k);
                        (doc.source.file.clone(), k, result.findings.iter().filter(|f| f.report == i).map(StoredFinding::from).collect())
                    })
                    .collect();
                Some(per_report)
            })
            .await
            .map_err(|e| StoreError::Other(format!("跨年度核对中断：{e}")))?
        };
        let mut tx = self.write_tx().await?;
        if self.backend == crate::Backend::Postgres {
            // Two re-checks of one agency (two ingests) one after the other, never interleaved.
            sqlx::query("SELECT COUNT(*) FROM (SELECT pg_advisory_xact_lock(hashtext($1))) l").bind(format!("agency:{agency_id}")).fetch_one(&mut *tx).await?;
        }
        let Some(result) = checked else {
            // One file (its own check is complete) or an unreadable file (the stored findings stay).
            clear_pending(&mut tx, agency_id, token).await?;
            tx.commit().await?;
            return Ok(false);
        };
        for (file, k, findings) in &result {
            let Some((report_id, _, _)) = wanted.iter().find(|w| w.1 == *file && w.2 == *k) else { continue };
            sqlx::query("DELETE FROM findings WHERE report_id = $1").bind(*report_id).execute(&mut *tx).await?;
            let (mut errors, mut warnings) = (0i64, 0i64);
            for f in findings {
                errors += i64::from(f.severity == "error");
                warnings += i64::from(f.severity == "warning");
                insert_finding(&mut tx, *report_id, f).await?;
            }
            sqlx::query("UPDATE reports SET errors = $1, warnings = $2 WHERE id = $3").bind(errors).bind(warnings).bind(*report_id).execute(&mut *tx).await?;
        }
        clear_pending(&mut tx, agency_id, token).await?;
        tx.commit().await?;
        Ok(true)
    }
}

/// Records that the agency's reports must be checked again across years, under `token` (which
/// `clear_pending` must see unchanged to remove the work).
pub(crate) async fn mark_pending(tx: &mut sqlx::Transaction<'_, sqlx::Any>, agency_id: i64, token: i64) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO pending_rechecks (agency_id, token) VALUES ($1, $2) ON CONFLICT (agency_id) DO UPDATE SET token = excluded.token")
        .bind(agency_id)
        .bind(token)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Removes an agency's pending re-check if no file renewed it since it was read.
async fn clear_pending(tx: &mut sqlx::Transaction<'static, sqlx::Any>, agency_id: i64, token: Option<i64>) -> Result<(), StoreError> {
    let Some(token) = token else { return Ok(()) };
    sqlx::query("DELETE FROM pending_rechecks WHERE agency_id = $1 AND token = $2").bind(agency_id).bind(token).execute(&mut **tx).await?;
    Ok(())
}

/// Whether a file's cells go into the corpus's sums or come out of them.
#[derive(Clone, Copy)]
pub(crate) enum Sign {
    Plus,
    Minus,
}

/// Adds the values of one report to `country_sums` (or takes them away, when another version
/// of its agency-year becomes current), per year and cell.
pub(crate) async fn add_to_country_sums(tx: &mut sqlx::Transaction<'_, sqlx::Any>, report_id: i64, sign: Sign) -> Result<(), StoreError> {
    let minus = match sign {
        Sign::Plus => "",
        Sign::Minus => "-",
    };
    // Only the sign is put into the statement; the file is bound.
    let sql = format!(
        "INSERT INTO country_sums (year, cell_id, total, n) \
         SELECT COALESCE(r.year, 0), c.cell_id, {minus}SUM(c.value), {minus}COUNT(*) FROM cells c JOIN reports r ON r.id = c.report_id \
         WHERE r.id = $1 AND c.value IS NOT NULL GROUP BY COALESCE(r.year, 0), c.cell_id \
         ON CONFLICT (year, cell_id) DO UPDATE SET total = country_sums.total + excluded.total, n = country_sums.n + excluded.n"
    );
    sqlx::query(sqlx::AssertSqlSafe(sql)).bind(report_id).execute(&mut **tx).await?;
    Ok(())
}

/// Who files a document and how (`write_file`).
#[derive(Debug, Clone, Copy, Default)]
pub struct Filing {
    /// The account that uploaded it (`None`: the command line).
    pub user_id: Option<i64>,
    /// An agency account's upload kept for its pre-check: stored with its findings but not a
    /// version of the agency-year until the agency submits it.
    pub draft: bool,
}

/// Makes exactly one report of an agency-year current: the version a reviewer chose (if it is
/// still a submitted report of that agency-year), else the latest submitted one. The corpus's
/// sums follow. This is the one place `reports.is_current` is set for reports with an identity.
pub(crate) async fn refresh_current(tx: &mut sqlx::Transaction<'_, sqlx::Any>, backend: crate::Backend, agency_id: i64, year: i64) -> Result<Option<i64>, StoreError> {
    if backend == crate::Backend::Postgres {
        // Two writers of one agency-year (two documents at once) one after the other: the second
        // then sees the first's report and keeps exactly one current. (SQLite's writers are
        // already serialised by BEGIN IMMEDIATE.)
        sqlx::query("SELECT COUNT(*) FROM (SELECT pg_advisory_xact_lock(hashtext($1))) l").bind(format!("case:{agency_id}:{year}")).fetch_one(&mut **tx).await?;
    }
    let chosen: Option<i64> = sqlx::query(
        "SELECT c.chosen_report_id FROM report_cases c JOIN reports r ON r.id = c.chosen_report_id \
         WHERE c.agency_id = $1 AND c.year = $2 AND r.agency_id = $1 AND r.year = $2 AND r.draft = 0",
    )
    .bind(agency_id)
    .bind(year)
    .fetch_optional(&mut **tx)
    .await?
    .map(|r| r.try_get(0))
    .transpose()?
    .flatten();
    let wanted: Option<i64> = match chosen {
        Some(c) => Some(c),
        None => sqlx::query("SELECT MAX(id) FROM reports WHERE agency_id = $1 AND year = $2 AND draft = 0")
            .bind(agency_id)
            .bind(year)
            .fetch_one(&mut **tx)
            .await?
            .try_get(0)?,
    };
    let now: Vec<i64> = sqlx::query("SELECT id FROM reports WHERE agency_id = $1 AND year = $2 AND is_current = 1")
        .bind(agency_id)
        .bind(year)
        .fetch_all(&mut **tx)
        .await?
        .iter()
        .map(|r| r.try_get(0))
        .collect::<Result<_, _>>()?;
    for old in now.iter().filter(|id| Some(**id) != wanted) {
        sqlx::query("UPDATE reports SET is_current = 0 WHERE id = $1").bind(*old).execute(&mut **tx).await?;
        add_to_country_sums(tx, *old, Sign::Minus).await?;
    }
    if let Some(w) = wanted.filter(|w| !now.contains(w)) {
        sqlx::query("UPDATE reports SET is_current = 1 WHERE id = $1").bind(w).execute(&mut **tx).await?;
        add_to_country_sums(tx, w, Sign::Plus).await?;
    }
    Ok(wanted)
}

/// A submitted version arrived for an agency-year: the case opens (待审核), or a returned or
/// approved one is submitted again (已重新提交); the step is recorded with who and when.
pub(crate) async fn record_arrival(tx: &mut sqlx::Transaction<'_, sqlx::Any>, agency_id: i64, year: i64, report_id: i64, user_id: Option<i64>) -> Result<(), StoreError> {
    let status: Option<String> = sqlx::query("SELECT status FROM report_cases WHERE agency_id = $1 AND year = $2")
        .bind(agency_id)
        .bind(year)
        .fetch_optional(&mut **tx)
        .await?
        .map(|r| r.try_get(0))
        .transpose()?;
    let now = now_iso();
    let (action, next) = match status.as_deref() {
        None => {
            sqlx::query("INSERT INTO report_cases (agency_id, year, status, updated_at) VALUES ($1, $2, 'submitted', $3)")
                .bind(agency_id)
                .bind(year)
                .bind(now.clone())
                .execute(&mut **tx)
                .await?;
            ("submit", "submitted")
        }
        Some("returned") | Some("approved") => ("resubmit", "resubmitted"),
        Some(s) => ("version", if s == "resubmitted" { "resubmitted" } else { "submitted" }),
    };
    sqlx::query("UPDATE report_cases SET status = $1, updated_at = $2 WHERE agency_id = $3 AND year = $4")
        .bind(next)
        .bind(now.clone())
        .bind(agency_id)
        .bind(year)
        .execute(&mut **tx)
        .await?;
    sqlx::query("INSERT INTO case_events (agency_id, year, action, status, report_id, user_id, comment, at) VALUES ($1, $2, $3, $4, $5, $6, '', $7)")
        .bind(agency_id)
        .bind(year)
        .bind(action)
        .bind(next)
        .bind(report_id)
        .bind(user_id)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Every cell of a report, a few rows per statement.
async fn insert_cells(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    backend: crate::Backend,
    keys: &crate::cell_keys::CellKeys,
    report_id: i64,
    r: &nianbao_model::Report,
) -> Result<(), StoreError> {
    let layout = r.effective_layout();
    let mut all = Vec::new();
    for id in TableId::ALL {
        for row in &r.table(id).rows {
            for (i, cell) in row.cells.iter().enumerate() {
                if let Some(&cell_id) = keys.get(&(layout, id, row.key.clone(), i)) {
                    all.push((cell_id, cell));
                }
            }
        }
    }
    const COLS: usize = 9;
    // Short statements: sqlx's cost per bound value grows with the statement's size.
    for chunk in all.chunks(20) {
        let mut sql = String::from("INSERT INTO cells (report_id, cell_id, value, semantics, how, raw, line, start_byte, end_byte) VALUES ");
        for i in 0..chunk.len() {
            if i > 0 {
                sql.push(',');
            }
            let b = i * COLS;
            sql.push('(');
            let params: Vec<String> = (1..=COLS)
                .map(|k| match (k, backend) {
                    // sqlx 0.9's Any driver declares a NULL double as float4 on PostgreSQL, which
                    // the server then rejects; a blank is sent as NaN and turned into NULL here.
                    // (SQLite stores a bound NaN as NULL by itself.)
                    (3, crate::Backend::Postgres) => format!("NULLIF(${}, 'NaN')", b + k),
                    _ => format!("${}", b + k),
                })
                .collect();
            sql.push_str(&params.join(","));
            sql.push(')');
        }
        // Only placeholders are generated; every value is bound.
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()));
        for (cell_id, c) in chunk {
            let mark = serde_json::to_value(c.mark).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
            let how = serde_json::to_value(c.how).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
            // The printed text is kept only when it says more than the number.
            let plain = c.value.map(|v| nianbao_model::json::number_value(Some(v)).to_string());
            let raw = c.raw.clone().filter(|r| Some(r) != plain.as_ref());
            q = q
                .bind(report_id)
                .bind(*cell_id)
                .bind(c.value.unwrap_or(f64::NAN))
                .bind(mark)
                .bind(how)
                .bind(raw)
                .bind(c.span.map(|s| s.line as i64))
                .bind(c.span.map(|s| s.start as i64))
                .bind(c.span.map(|s| s.end as i64));
        }
        q.execute(&mut **tx).await?;
    }
    Ok(())
}

pub(crate) fn now_iso() -> String {
    chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string()
}
