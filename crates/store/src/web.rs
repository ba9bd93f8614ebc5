//! What the web workbench (`nianbao serve`) reads and writes: accounts and sessions, reviewers'
//! decisions on findings, the report list with filters, one report with its findings, an
//! agency's years and a region's dashboard. Every query that lists reports can be limited to a
//! region: an agency and every agency under it (`agencies.parent_id`, recursively).

use crate::{Store, StoreError};
use sqlx::Row;
use std::collections::HashMap;

/// The role of an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Sees and does everything.
    Admin,
    /// Sees the agencies under its region.
    Reviewer,
    /// An agency's own account (填报单位): bound to one agency (`region_id`), it files that
    /// agency's report and keeps its register, and sees nothing of other agencies. It never
    /// decides on findings or reports: that is the supervising office's work.
    Agency,
}

impl Role {
    pub fn key(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Reviewer => "reviewer",
            Role::Agency => "agency",
        }
    }
    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "admin" => Some(Role::Admin),
            "reviewer" => Some(Role::Reviewer),
            "agency" => Some(Role::Agency),
            _ => None,
        }
    }
    pub fn zh(self) -> &'static str {
        match self {
            Role::Admin => "管理员",
            Role::Reviewer => "审核员",
            Role::Agency => "填报单位",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct User {
    pub id: i64,
    pub name: String,
    pub role: Role,
    /// The region root of a reviewer; the agency itself for an agency account.
    pub region_id: Option<i64>,
    pub region_name: Option<String>,
}

impl User {
    /// The region to limit queries to: `None` for an administrator (everything). A reviewer
    /// without a region sees nothing (`Some(-1)` matches no agency).
    pub fn scope(&self) -> Option<i64> {
        match self.role {
            Role::Admin => None,
            Role::Reviewer | Role::Agency => Some(self.region_id.unwrap_or(-1)),
        }
    }

    /// The agency an agency account is bound to; `None` for office accounts.
    pub fn agency_id(&self) -> Option<i64> {
        match self.role {
            Role::Agency => self.region_id,
            Role::Admin | Role::Reviewer => None,
        }
    }

    /// Whether this is a supervising office's account (administrator or reviewer), the only
    /// ones that decide on findings, approve or return reports and send letters.
    pub fn is_office(&self) -> bool {
        matches!(self.role, Role::Admin | Role::Reviewer)
    }
}

/// The SQL of "agency ids in the subtree of `$n`" (UNION stops on a cycle in the tree).
pub(crate) fn subtree_sql(n: usize) -> String {
    format!("(WITH RECURSIVE sub(id) AS (SELECT id FROM agencies WHERE id = ${n} UNION SELECT a.id FROM agencies a JOIN sub ON a.parent_id = sub.id) SELECT id FROM sub)")
}

fn now_iso() -> String {
    chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// The key a decision on a finding is stored under: what stays the same when the report is
/// checked again or its file is ingested again (the finding's row id does not).
pub fn finding_key(agency_id: Option<i64>, agency_name: Option<&str>, year: Option<i64>, rule: &str, cells: &str, message: &str) -> String {
    let who = match (agency_id, agency_name) {
        (Some(id), _) => format!("a{id}"),
        (None, Some(n)) => format!("n{n}"),
        (None, None) => "-".to_string(),
    };
    let year = year.map(|y| y.to_string()).unwrap_or_default();
    // Findings that point at no cell are told apart by their message.
    let detail = if cells == "[]" || cells.is_empty() { message } else { cells };
    format!("{who}|{year}|{rule}|{detail}")
}

/// The filters and order of the report list.
#[derive(Debug, Clone, Default)]
pub struct ReportQuery {
    /// Limit to this region (subtree); `None`: all.
    pub scope: Option<i64>,
    /// Part of the agency name.
    pub search: Option<String>,
    pub year: Option<i32>,
    pub agency_id: Option<i64>,
    /// "errors" (with errors), "warnings" (warnings, no errors), "clean".
    pub status: Option<String>,
    /// Only reports with a finding of one of these rules.
    pub rules: Vec<String>,
    /// Only reports whose agency-year's review case has this status ("submitted", "returned",
    /// "resubmitted", "approved").
    pub case_status: Option<String>,
    /// "agency", "year", "errors", "warnings", "published", each optionally with "-" in front
    /// for descending.
    pub sort: Option<String>,
    pub offset: i64,
    pub limit: i64,
}

/// One sum of `Store::cell_sums`: (year, layout, row, column, sum).
pub type CellSum = (i64, String, String, i64, f64);

/// What the stored data is made of, cheaply read: any new file or version (a new
/// `source_files` row), a step of a review case (another version made current), re-check (new finding rows), alias or change of the agency tree gives
/// another value.
pub type Generation = (i64, i64, i64, i64);

/// Remembered answers by query, with the generation they were read at.
pub(crate) type Memo = HashMap<String, (Generation, std::sync::Arc<dyn std::any::Any + Send + Sync>)>;

/// At most this many answers are remembered.
const MEMO_ENTRIES: usize = 512;

/// An account as the administrator's page lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct UserRow {
    pub user: User,
    pub disabled: bool,
    pub created_at: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ReportRow {
    pub id: i64,
    pub agency_id: Option<i64>,
    pub agency: String,
    pub parent: Option<String>,
    pub year: Option<i64>,
    pub layout: Option<String>,
    pub published: Option<String>,
    pub errors: i64,
    pub warnings: i64,
    /// Findings with a decision, of `findings`.
    pub findings: i64,
    pub decided: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ReportDetail {
    pub id: i64,
    pub agency_id: Option<i64>,
    pub agency: String,
    pub parent: Option<String>,
    pub year: Option<i64>,
    pub layout: Option<String>,
    pub published: Option<String>,
    pub title: Option<String>,
    pub file: String,
    pub is_current: bool,
    /// An agency's upload not submitted yet (its pre-check).
    pub draft: bool,
    /// The source file's format ("docx", "pdf", "xlsx": a filled fill-in form, …).
    pub format: Option<String>,
    pub report_json: String,
    pub prose_json: String,
    pub errors: i64,
    pub warnings: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FindingRow {
    pub id: i64,
    pub rule: String,
    pub severity: String,
    pub kind: String,
    pub message: String,
    pub expected: Option<String>,
    pub found: Option<String>,
    /// JSON array of {table, row, column}.
    pub cells: String,
    pub line: Option<i64>,
    pub column: Option<i64>,
    pub start: Option<i64>,
    pub end: Option<i64>,
    pub key: String,
    /// On a filled fill-in form: the sheet and cell the finding points at (`表三!D6`).
    pub cell: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    pub status: String,
    pub comment: String,
    pub user: Option<String>,
    pub at: String,
}

/// A report of a stored file: (report id, agency id, agency, year, errors, warnings).
pub type FileReport = (i64, Option<i64>, String, Option<i64>, i64, i64);

/// What became of one uploaded file.
#[derive(Debug, Clone, PartialEq)]
pub struct FileResult {
    pub status: String,
    pub error: Option<String>,
    pub reports: Vec<FileReport>,
}

/// One agency of a region in a year's dashboard.
#[derive(Debug, Clone, PartialEq)]
pub struct AgencyYear {
    pub agency_id: i64,
    pub agency: String,
    pub report_id: Option<i64>,
    pub published: Option<String>,
    pub errors: i64,
    pub warnings: i64,
}

fn user_from(r: &sqlx::any::AnyRow, offset: usize) -> Result<User, StoreError> {
    let role: String = r.try_get(offset + 2)?;
    Ok(User {
        id: r.try_get(offset)?,
        name: r.try_get(offset + 1)?,
        role: Role::parse(&role).unwrap_or(Role::Agency),
        region_id: r.try_get(offset + 3)?,
        region_name: r.try_get(offset + 4)?,
    })
}

const USER_COLUMNS: &str = "u.id, u.name, u.role, u.region_id, g.name";

impl Store {
    /// Adds an account; the name must be new.
    pub async fn add_user(&self, name: &str, password_hash: &str, role: Role, region_id: Option<i64>) -> Result<i64, StoreError> {
        let exists = sqlx::query("SELECT id FROM users WHERE name = $1").bind(name).fetch_optional(&self.pool).await?;
        if exists.is_some() {
            return Err(StoreError::Other(format!("用户“{name}”已存在")));
        }
        let id: i64 = sqlx::query("INSERT INTO users (name, password_hash, role, region_id, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id")
            .bind(name)
            .bind(password_hash)
            .bind(role.key())
            .bind(region_id)
            .bind(now_iso())
            .fetch_one(&self.pool)
            .await?
            .try_get(0)?;
        Ok(id)
    }

    /// An account and its password hash, by name.
    pub async fn user_by_name(&self, name: &str) -> Result<Option<(User, String)>, StoreError> {
        let sql = format!("SELECT {USER_COLUMNS}, u.password_hash FROM users u LEFT JOIN agencies g ON g.id = u.region_id WHERE u.name = $1 AND u.disabled_at IS NULL");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(name).fetch_optional(&self.pool).await?;
        row.map(|r| Ok((user_from(&r, 0)?, r.try_get(5)?))).transpose()
    }

    /// Every account, by name, with whether it is disabled and when it was made.
    pub async fn list_users(&self) -> Result<Vec<UserRow>, StoreError> {
        let sql = format!("SELECT {USER_COLUMNS}, u.disabled_at, u.created_at FROM users u LEFT JOIN agencies g ON g.id = u.region_id ORDER BY u.name");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| {
                let disabled: Option<String> = r.try_get(5)?;
                Ok(UserRow { user: user_from(r, 0)?, disabled: disabled.is_some(), created_at: r.try_get(6)? })
            })
            .collect()
    }

    /// Changes an account's password; its open sessions end.
    pub async fn set_password(&self, user_id: i64, password_hash: &str) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        let n = sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2").bind(password_hash).bind(user_id).execute(&mut *tx).await?.rows_affected();
        if n == 0 {
            return Err(StoreError::Other("没有这个用户".into()));
        }
        sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(user_id).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Disables or enables an account. Disabling ends its sessions; the account stays, so its
    /// decisions keep their author.
    pub async fn set_user_disabled(&self, user_id: i64, disabled: bool) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        // A literal NULL rather than a bound `None`: the Any driver's NULLs carry a type.
        let n = if disabled {
            sqlx::query("UPDATE users SET disabled_at = $1 WHERE id = $2").bind(now_iso()).bind(user_id).execute(&mut *tx).await?
        } else {
            sqlx::query("UPDATE users SET disabled_at = NULL WHERE id = $1").bind(user_id).execute(&mut *tx).await?
        }
        .rows_affected();
        if n == 0 {
            return Err(StoreError::Other("没有这个用户".into()));
        }
        if disabled {
            sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(user_id).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Changes an account's role and region; its open sessions end so the new rights apply.
    pub async fn set_user_role(&self, user_id: i64, role: Role, region_id: Option<i64>) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        let n = sqlx::query("UPDATE users SET role = $1, region_id = $2 WHERE id = $3").bind(role.key()).bind(region_id).bind(user_id).execute(&mut *tx).await?.rows_affected();
        if n == 0 {
            return Err(StoreError::Other("没有这个用户".into()));
        }
        sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(user_id).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn create_session(&self, token_hash: &str, user_id: i64, csrf: &str, expires_at: &str) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO sessions (token_hash, user_id, csrf, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(token_hash)
            .bind(user_id)
            .bind(csrf)
            .bind(now_iso())
            .bind(expires_at)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The account of a session that has not expired, with the session's CSRF token.
    pub async fn session_user(&self, token_hash: &str) -> Result<Option<(User, String)>, StoreError> {
        let sql = format!(
            "SELECT {USER_COLUMNS}, s.csrf FROM sessions s JOIN users u ON u.id = s.user_id LEFT JOIN agencies g ON g.id = u.region_id \
             WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.disabled_at IS NULL"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(token_hash).bind(now_iso()).fetch_optional(&self.pool).await?;
        row.map(|r| Ok((user_from(&r, 0)?, r.try_get(5)?))).transpose()
    }

    pub async fn delete_session(&self, token_hash: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1 OR expires_at <= $2").bind(token_hash).bind(now_iso()).execute(&self.pool).await?;
        Ok(())
    }

    /// Whether `agency` is `region` or under it.
    pub async fn in_region(&self, agency: Option<i64>, scope: Option<i64>) -> Result<bool, StoreError> {
        let Some(region) = scope else { return Ok(true) };
        let Some(agency) = agency else { return Ok(false) };
        let sql = format!("SELECT COUNT(*) FROM agencies WHERE id = $2 AND id IN {}", subtree_sql(1));
        let n: i64 = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(region).bind(agency).fetch_one(&self.pool).await?.try_get(0)?;
        Ok(n > 0)
    }

    /// The agencies of a region (the root and everything under it), by name; all for `None`.
    pub async fn region_agencies(&self, scope: Option<i64>) -> Result<Vec<(i64, String)>, StoreError> {
        let rows = match scope {
            Some(region) => {
                let sql = format!("SELECT id, name FROM agencies WHERE id IN {} ORDER BY name", subtree_sql(1));
                sqlx::query(sqlx::AssertSqlSafe(sql)).bind(region).fetch_all(&self.pool).await?
            }
            None => sqlx::query("SELECT id, name FROM agencies ORDER BY name").fetch_all(&self.pool).await?,
        };
        rows.iter().map(|r| Ok((r.try_get(0)?, r.try_get(1)?))).collect()
    }

    /// One page of the current reports, filtered and sorted, and how many match in all.
    pub async fn list_reports(&self, q: &ReportQuery) -> Result<(Vec<ReportRow>, i64), StoreError> {
        let (mut rows, total) = self.memoized(format!("list_reports {q:?}"), self.list_reports_uncached(q)).await?;
        // Decisions change without a new generation: counted for the page each time.
        for row in rows.iter_mut().filter(|r| r.findings > 0) {
            let keys: Vec<String> = self.findings_of(row.id).await?.into_iter().map(|f| f.key).collect();
            row.decided = self.decisions_for(&keys).await?.len() as i64;
        }
        Ok((rows, total))
    }

    async fn list_reports_uncached(&self, q: &ReportQuery) -> Result<(Vec<ReportRow>, i64), StoreError> {
        let mut clauses = vec!["r.is_current = 1".to_string()];
        let mut texts: Vec<String> = Vec::new();
        let mut ints: Vec<i64> = Vec::new();
        // Placeholders are numbered in bind order: the integers first, then the texts.
        let mut int_clauses: Vec<String> = Vec::new();
        if let Some(region) = q.scope {
            ints.push(region);
            int_clauses.push(format!("r.agency_id IN {}", subtree_sql(ints.len())));
        }
        if let Some(y) = q.year {
            ints.push(i64::from(y));
            int_clauses.push(format!("r.year = ${}", ints.len()));
        }
        if let Some(a) = q.agency_id {
            ints.push(a);
            int_clauses.push(format!("r.agency_id = ${}", ints.len()));
        }
        clauses.extend(int_clauses);
        if let Some(s) = q.search.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            let escaped = s.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
            texts.push(format!("%{escaped}%"));
            let n = ints.len() + texts.len();
            clauses.push(format!("(COALESCE(a.name, r.agency_name, '') LIKE ${n} ESCAPE '\\' OR COALESCE(p.name, '') LIKE ${n} ESCAPE '\\')"));
        }
        let rules: Vec<&String> = q.rules.iter().filter(|r| !r.is_empty() && r.len() <= 16).take(20).collect();
        if !rules.is_empty() {
            let mut marks = Vec::new();
            for r in rules {
                texts.push(r.clone());
                marks.push(format!("${}", ints.len() + texts.len()));
            }
            clauses.push(format!("EXISTS (SELECT 1 FROM findings x WHERE x.report_id = r.id AND x.rule IN ({}))", marks.join(",")));
        }
        if let Some(c) = q.case_status.as_deref().filter(|c| !c.is_empty()) {
            texts.push(c.to_string());
            let n = ints.len() + texts.len();
            clauses.push(format!("EXISTS (SELECT 1 FROM report_cases k WHERE k.agency_id = r.agency_id AND k.year = r.year AND k.status = ${n})"));
        }
        match q.status.as_deref() {
            Some("errors") => clauses.push("r.errors > 0".into()),
            Some("warnings") => clauses.push("r.errors = 0 AND r.warnings > 0".into()),
            Some("clean") => clauses.push("r.errors = 0 AND r.warnings = 0".into()),
            _ => {}
        }
        let sort = q.sort.as_deref().unwrap_or("agency");
        let (key, desc) = match sort.strip_prefix('-') {
            Some(k) => (k, true),
            None => (sort, false),
        };
        let column = match key {
            "year" => "r.year",
            "errors" => "r.errors",
            "warnings" => "r.warnings",
            "published" => "r.published",
            "parent" => "p.name",
            _ => "COALESCE(a.name, r.agency_name, '')",
        };
        let dir = if desc { "DESC" } else { "ASC" };
        let cond = clauses.join(" AND ");
        let from = "FROM reports r LEFT JOIN agencies a ON a.id = r.agency_id LEFT JOIN agencies p ON p.id = a.parent_id";
        // The count joins the agencies only when the search needs their names.
        let searching = q.search.as_deref().is_some_and(|s| !s.trim().is_empty());
        let count_from = if searching { from } else { "FROM reports r" };
        let count_sql = format!("SELECT COUNT(*) {count_from} WHERE {cond}");
        let mut cq = sqlx::query(sqlx::AssertSqlSafe(count_sql));
        for i in &ints {
            cq = cq.bind(*i);
        }
        for t in &texts {
            cq = cq.bind(t.clone());
        }
        let total: i64 = cq.fetch_one(&self.pool).await?.try_get(0)?;
        let sql = format!(
            "SELECT r.id, r.agency_id, COALESCE(a.name, r.agency_name, ''), p.name, r.year, r.layout, r.published, r.errors, r.warnings \
             {from} WHERE {cond} ORDER BY {column} {dir}, r.year DESC, r.id LIMIT {} OFFSET {}",
            q.limit.clamp(1, 1000),
            q.offset.max(0)
        );
        let mut lq = sqlx::query(sqlx::AssertSqlSafe(sql));
        for i in &ints {
            lq = lq.bind(*i);
        }
        for t in &texts {
            lq = lq.bind(t.clone());
        }
        let mut out = Vec::new();
        for r in lq.fetch_all(&self.pool).await? {
            out.push(ReportRow {
                id: r.try_get(0)?,
                agency_id: r.try_get(1)?,
                agency: r.try_get(2)?,
                parent: r.try_get(3)?,
                year: r.try_get(4)?,
                layout: r.try_get(5)?,
                published: r.try_get(6)?,
                errors: r.try_get(7)?,
                warnings: r.try_get(8)?,
                findings: 0,
                decided: 0,
            });
        }
        // Findings of the page's reports, counted for those rows only (not for every row sorted).
        if !out.is_empty() {
            let ids = out.iter().map(|r| r.id.to_string()).collect::<Vec<_>>().join(",");
            let sql = format!("SELECT report_id, COUNT(*) FROM findings WHERE report_id IN ({ids}) GROUP BY report_id");
            let counts: HashMap<i64, i64> =
                sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(&self.pool).await?.iter().map(|r| Ok((r.try_get(0)?, r.try_get(1)?))).collect::<Result<_, StoreError>>()?;
            for row in &mut out {
                row.findings = counts.get(&row.id).copied().unwrap_or(0);
            }
        }
        Ok((out, total))
    }

    /// A stored report by id (current or not).
    pub async fn report_detail(&self, id: i64) -> Result<Option<ReportDetail>, StoreError> {
        let row = sqlx::query(
            "SELECT r.id, r.agency_id, COALESCE(a.name, r.agency_name, ''), p.name, r.year, r.layout, r.published, r.title, f.path, r.is_current, \
             r.report_json, r.prose_json, r.errors, r.warnings, r.draft, f.format \
             FROM reports r JOIN source_files f ON f.id = r.file_id LEFT JOIN agencies a ON a.id = r.agency_id LEFT JOIN agencies p ON p.id = a.parent_id \
             WHERE r.id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        let Some(r) = row else { return Ok(None) };
        Ok(Some(ReportDetail {
            id: r.try_get(0)?,
            agency_id: r.try_get(1)?,
            agency: r.try_get(2)?,
            parent: r.try_get(3)?,
            year: r.try_get(4)?,
            layout: r.try_get(5)?,
            published: r.try_get(6)?,
            title: r.try_get(7)?,
            file: r.try_get(8)?,
            is_current: r.try_get::<i64, _>(9)? == 1,
            report_json: r.try_get(10)?,
            prose_json: r.try_get(11)?,
            errors: r.try_get(12)?,
            warnings: r.try_get(13)?,
            draft: r.try_get::<i64, _>(14)? == 1,
            format: r.try_get(15)?,
        }))
    }

    /// The findings of a report, errors first, each with its decision key.
    pub async fn findings_of(&self, report_id: i64) -> Result<Vec<FindingRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT x.id, x.rule, x.severity, x.kind, x.message, x.expected, x.found, x.cells, x.line, x.col_no, x.start_byte, x.end_byte, \
             r.agency_id, r.agency_name, r.year, x.cell \
             FROM findings x JOIN reports r ON r.id = x.report_id WHERE x.report_id = $1 ORDER BY x.id",
        )
        .bind(report_id)
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::new();
        for r in rows {
            let rule: String = r.try_get(1)?;
            let cells: String = r.try_get(7)?;
            let message: String = r.try_get(4)?;
            let agency_name: Option<String> = r.try_get(13)?;
            let key = finding_key(r.try_get(12)?, agency_name.as_deref(), r.try_get(14)?, &rule, &cells, &message);
            out.push(FindingRow {
                id: r.try_get(0)?,
                rule,
                severity: r.try_get(2)?,
                kind: r.try_get(3)?,
                message,
                expected: r.try_get(5)?,
                found: r.try_get(6)?,
                cells,
                line: r.try_get(8)?,
                column: r.try_get(9)?,
                start: r.try_get(10)?,
                end: r.try_get(11)?,
                key,
                cell: r.try_get(15)?,
            });
        }
        let rank = |s: &str| match s {
            "error" => 0,
            "warning" => 1,
            _ => 2,
        };
        out.sort_by_key(|f| (rank(&f.severity), f.id));
        Ok(out)
    }

    /// The decisions stored under any of `keys`.
    pub async fn decisions_for(&self, keys: &[String]) -> Result<HashMap<String, Decision>, StoreError> {
        let mut out = HashMap::new();
        for chunk in keys.chunks(100) {
            let marks: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
            let sql = format!(
                "SELECT d.finding_key, d.status, d.comment, u.name, d.decided_at FROM review_decisions d LEFT JOIN users u ON u.id = d.user_id \
                 WHERE d.finding_key IN ({})",
                marks.join(",")
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for k in chunk {
                q = q.bind(k.clone());
            }
            for r in q.fetch_all(&self.pool).await? {
                out.insert(r.try_get(0)?, Decision { status: r.try_get(1)?, comment: r.try_get(2)?, user: r.try_get(3)?, at: r.try_get(4)? });
            }
        }
        Ok(out)
    }

    /// Records (or replaces) the decision on a finding. `status`: "confirmed", "dismissed", or
    /// "open" to withdraw the decision.
    pub async fn decide(&self, finding: &FindingRow, agency_id: Option<i64>, year: Option<i64>, status: &str, comment: &str, user_id: i64) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        sqlx::query("DELETE FROM review_decisions WHERE finding_key = $1").bind(&finding.key).execute(&mut *tx).await?;
        if status != "open" {
            sqlx::query(
                "INSERT INTO review_decisions (finding_key, agency_id, year, rule, status, comment, user_id, decided_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(&finding.key)
            .bind(agency_id)
            .bind(year)
            .bind(&finding.rule)
            .bind(status)
            .bind(comment)
            .bind(user_id)
            .bind(now_iso())
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// A stored file, by its content hash: its status and reports.
    pub async fn file_result(&self, sha: &str) -> Result<Option<FileResult>, StoreError> {
        let row = sqlx::query("SELECT id, status, error FROM source_files WHERE sha256 = $1 ORDER BY id").bind(sha).fetch_optional(&self.pool).await?;
        let Some(row) = row else { return Ok(None) };
        let file_id: i64 = row.try_get(0)?;
        let reports = sqlx::query(
            "SELECT r.id, r.agency_id, COALESCE(a.name, r.agency_name, ''), r.year, r.errors, r.warnings FROM reports r LEFT JOIN agencies a ON a.id = r.agency_id \
             WHERE r.file_id = $1 ORDER BY r.idx",
        )
        .bind(file_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(Some(FileResult {
            status: row.try_get(1)?,
            error: row.try_get(2)?,
            reports: reports
                .iter()
                .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?, r.try_get(4)?, r.try_get(5)?)))
                .collect::<Result<_, sqlx::Error>>()?,
        }))
    }

    /// The years a region has current reports for, newest first.
    pub async fn report_years(&self, scope: Option<i64>) -> Result<Vec<i64>, StoreError> {
        self.memoized(format!("report_years {scope:?}"), self.report_years_uncached(scope)).await
    }

    async fn report_years_uncached(&self, scope: Option<i64>) -> Result<Vec<i64>, StoreError> {
        let (cond, bind) = match scope {
            Some(r) => (format!("AND r.agency_id IN {}", subtree_sql(1)), Some(r)),
            None => (String::new(), None),
        };
        let sql = format!("SELECT DISTINCT r.year FROM reports r WHERE r.is_current = 1 AND r.year IS NOT NULL {cond} ORDER BY r.year DESC");
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        if let Some(b) = bind {
            q = q.bind(b);
        }
        q.fetch_all(&self.pool).await?.iter().map(|r| Ok(r.try_get(0)?)).collect()
    }

    /// Every agency of a region with its current report of `year`, if any (newest version).
    pub async fn agencies_in_year(&self, scope: Option<i64>, year: i32) -> Result<Vec<AgencyYear>, StoreError> {
        self.memoized(format!("agencies_in_year {scope:?} {year}"), self.agencies_in_year_uncached(scope, year)).await
    }

    async fn agencies_in_year_uncached(&self, scope: Option<i64>, year: i32) -> Result<Vec<AgencyYear>, StoreError> {
        let agencies = self.region_agencies(scope).await?;
        let (cond, bind) = match scope {
            Some(r) => (format!("AND r.agency_id IN {}", subtree_sql(2)), Some(r)),
            None => (String::new(), None),
        };
        let sql = format!(
            "SELECT r.agency_id, r.id, r.published, r.errors, r.warnings FROM reports r \
             WHERE r.is_current = 1 AND r.year = $1 AND r.agency_id IS NOT NULL {cond} ORDER BY r.id"
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(i64::from(year));
        if let Some(b) = bind {
            q = q.bind(b);
        }
        let mut found: HashMap<i64, (i64, Option<String>, i64, i64)> = HashMap::new();
        for r in q.fetch_all(&self.pool).await? {
            found.insert(r.try_get(0)?, (r.try_get(1)?, r.try_get(2)?, r.try_get(3)?, r.try_get(4)?));
        }
        Ok(agencies
            .into_iter()
            .map(|(id, name)| {
                let f = found.remove(&id);
                AgencyYear {
                    agency_id: id,
                    agency: name,
                    report_id: f.as_ref().map(|f| f.0),
                    published: f.as_ref().and_then(|f| f.1.clone()),
                    errors: f.as_ref().map(|f| f.2).unwrap_or(0),
                    warnings: f.as_ref().map(|f| f.3).unwrap_or(0),
                }
            })
            .collect())
    }

    /// Findings by rule among the current reports of a region and year: (rule, severity, count).
    pub async fn findings_by_rule(&self, scope: Option<i64>, year: i32) -> Result<Vec<(String, String, i64)>, StoreError> {
        self.memoized(format!("findings_by_rule {scope:?} {year}"), self.findings_by_rule_uncached(scope, year)).await
    }

    async fn findings_by_rule_uncached(&self, scope: Option<i64>, year: i32) -> Result<Vec<(String, String, i64)>, StoreError> {
        let (cond, bind) = match scope {
            Some(r) => (format!("AND r.agency_id IN {}", subtree_sql(2)), Some(r)),
            None => (String::new(), None),
        };
        let sql = format!(
            "SELECT x.rule, x.severity, COUNT(*) FROM findings x JOIN reports r ON r.id = x.report_id \
             WHERE r.is_current = 1 AND r.year = $1 {cond} GROUP BY x.rule, x.severity ORDER BY COUNT(*) DESC, x.rule"
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(i64::from(year));
        if let Some(b) = bind {
            q = q.bind(b);
        }
        q.fetch_all(&self.pool).await?.iter().map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?))).collect()
    }

    /// The data's current generation. (PostgreSQL sums BIGINTs as NUMERIC, which the Any driver
    /// cannot read: the sum is cast back.)
    pub async fn generation(&self) -> Result<Generation, StoreError> {
        let r = sqlx::query(
            "SELECT (SELECT COALESCE(MAX(id), 0) FROM source_files) * 1000003 + (SELECT COALESCE(MAX(id), 0) FROM case_events), (SELECT COUNT(*) FROM agency_aliases), \
             (SELECT CAST(COALESCE(SUM(id * 31 + COALESCE(parent_id, 0)), 0) AS BIGINT) FROM agencies), (SELECT COALESCE(MAX(id), 0) * 1000003 + COUNT(*) FROM findings)",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?))
    }

    fn remembered<T: Clone + Send + Sync + 'static>(&self, key: &str, generation: Generation) -> Option<T> {
        let memo = self.memo.lock().ok()?;
        let (g, value) = memo.get(key)?;
        (*g == generation).then(|| value.downcast_ref::<T>().cloned()).flatten()
    }

    fn remember<T: Send + Sync + 'static>(&self, key: String, generation: Generation, value: T) {
        if let Ok(mut memo) = self.memo.lock() {
            memo.retain(|_, (g, _)| *g == generation);
            if memo.len() >= MEMO_ENTRIES {
                memo.clear();
            }
            memo.insert(key, (generation, std::sync::Arc::new(value)));
        }
    }

    /// `compute`'s answer, remembered under `key` while the data's generation is unchanged.
    async fn memoized<T, F>(&self, key: String, compute: F) -> Result<T, StoreError>
    where
        T: Clone + Send + Sync + 'static,
        F: std::future::Future<Output = Result<T, StoreError>>,
    {
        let generation = self.generation().await?;
        if let Some(found) = self.remembered::<T>(&key, generation) {
            return Ok(found);
        }
        let found = compute.await?;
        self.remember(key, generation, found.clone());
        Ok(found)
    }

    /// Sums of the cells of one table over the current reports of a region, per year (one year
    /// or every year): (year, layout, row, column, sum). Remembered while the data is unchanged.
    pub async fn cell_sums(&self, scope: Option<i64>, year: Option<i32>, table: &str) -> Result<Vec<CellSum>, StoreError> {
        self.memoized(format!("cell_sums {scope:?} {year:?} {table}"), self.cell_sums_uncached(scope, year, table)).await
    }

    async fn cell_sums_uncached(&self, scope: Option<i64>, year: Option<i32>, table: &str) -> Result<Vec<CellSum>, StoreError> {
        let year_cond = |alias: &str| if year.is_some() { format!(" AND {alias}.year = $2") } else { String::new() };
        let sql = match scope {
            // The whole corpus: its sums are kept up to date by ingest (`country_sums`).
            None => format!(
                "SELECT s.year, k.layout, k.row_key, k.col, s.total FROM country_sums s JOIN cell_keys k ON k.cell_id = s.cell_id \
                 WHERE k.tbl = $1 AND s.n > 0{}",
                year_cond("s")
            ),
            // Grouped by integers first (year, cell id) and labelled after: sorting millions of
            // cells by their text keys is what made a large region's sums slow.
            Some(_) => {
                let region = subtree_sql(if year.is_some() { 3 } else { 2 });
                format!(
                    "SELECT s.year, k.layout, k.row_key, k.col, s.total FROM (\
                       SELECT COALESCE(r.year, 0) AS year, c.cell_id AS cell_id, SUM(c.value) AS total FROM cells c \
                       JOIN reports r ON r.id = c.report_id \
                       WHERE r.is_current = 1 AND c.cell_id IN (SELECT cell_id FROM cell_keys WHERE tbl = $1) AND c.value IS NOT NULL \
                       AND r.agency_id IN {region}{} GROUP BY 1, 2) s JOIN cell_keys k ON k.cell_id = s.cell_id",
                    year_cond("r")
                )
            }
        };
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(table.to_string());
        if let Some(y) = year {
            q = q.bind(i64::from(y));
        }
        if let Some(s) = scope {
            q = q.bind(s);
        }
        // Sums kept by adding and taking away carry the rounding of floating point; the values
        // are counts and 万元 with at most four decimals.
        let tidy = |v: f64| (v * 1e6).round() / 1e6;
        q.fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?, tidy(r.try_get::<Option<f64>, _>(4)?.unwrap_or(0.0)))))
            .collect()
    }

    /// The agencies that have agencies under them, of a region (all for `None`), by name.
    pub async fn parent_agencies(&self, scope: Option<i64>) -> Result<Vec<(i64, String)>, StoreError> {
        let (cond, bind) = match scope {
            Some(r) => (format!("AND a.id IN {}", subtree_sql(1)), Some(r)),
            None => (String::new(), None),
        };
        let sql = format!("SELECT a.id, a.name FROM agencies a WHERE EXISTS (SELECT 1 FROM agencies c WHERE c.parent_id = a.id) {cond} ORDER BY a.name");
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        if let Some(b) = bind {
            q = q.bind(b);
        }
        q.fetch_all(&self.pool).await?.iter().map(|r| Ok((r.try_get(0)?, r.try_get(1)?))).collect()
    }

    /// Checks a stored file's reports again and replaces their findings: with the agency's
    /// other years when it has them (`recheck_agency`), else the file alone. Decisions are kept
    /// (they are stored by finding key).
    pub async fn recheck_file(&self, path: &str, agency_id: Option<i64>) -> Result<(), StoreError> {
        if let Some(a) = agency_id {
            if self.recheck_agency(a).await? {
                return Ok(());
            }
        }
        let rows = sqlx::query("SELECT r.id, r.idx FROM reports r JOIN source_files f ON f.id = r.file_id WHERE f.path = $1")
            .bind(path)
            .fetch_all(&self.pool)
            .await?;
        // A reviewer's corrections go on top of the file read again, before the rules run.
        let mut fixes: Vec<(usize, Vec<crate::corrections::Correction>)> = Vec::new();
        for r in &rows {
            let (report_id, idx): (i64, i64) = (r.try_get(0)?, r.try_get(1)?);
            let list = self.corrections_of(report_id).await?;
            if !list.is_empty() {
                fixes.push((idx as usize, list));
            }
        }
        // CPU work, off the async runtime.
        let owned = path.to_string();
        let store = self.clone();
        let result = tokio::task::spawn_blocking(move || {
            let mut doc = std::sync::Arc::unwrap_or_clone(store.parse_stored(std::path::Path::new(&owned)).map_err(|e| StoreError::Other(e.to_string()))?);
            for (idx, list) in &fixes {
                if let Some(parsed) = doc.reports.get_mut(*idx) {
                    crate::corrections::apply(&mut parsed.report, list);
                }
            }
            let result = nianbao_check::check(std::slice::from_ref(&doc));
            Ok::<_, StoreError>(result.findings.iter().map(crate::ingest::StoredFinding::from).collect::<Vec<_>>())
        })
        .await
        .map_err(|e| StoreError::Other(format!("重新检查中断：{e}")))??;
        let mut tx = self.write_tx().await?;
        for r in rows {
            let (report_id, idx): (i64, i64) = (r.try_get(0)?, r.try_get(1)?);
            sqlx::query("DELETE FROM findings WHERE report_id = $1").bind(report_id).execute(&mut *tx).await?;
            let (mut errors, mut warnings) = (0i64, 0i64);
            for f in result.iter().filter(|f| f.report as i64 == idx) {
                let f = f.clone();
                errors += i64::from(f.severity == "error");
                warnings += i64::from(f.severity == "warning");
                sqlx::query(
                    "INSERT INTO findings (report_id, rule, severity, kind, message, expected, found, cells, line, col_no, start_byte, end_byte, cell) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
                )
                .bind(report_id)
                .bind(f.rule)
                .bind(f.severity)
                .bind(f.kind)
                .bind(f.message)
                .bind(f.expected)
                .bind(f.found)
                .bind(f.cells)
                .bind(f.span.map(|s| s.line as i64))
                .bind(f.span.map(|s| s.column as i64))
                .bind(f.span.map(|s| s.start as i64))
                .bind(f.span.map(|s| s.end as i64))
                .bind(f.span.and_then(|s| s.cell).map(|c| c.to_string()))
                .execute(&mut *tx)
                .await?;
            }
            sqlx::query("UPDATE reports SET errors = $1, warnings = $2 WHERE id = $3").bind(errors).bind(warnings).bind(report_id).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }
}
