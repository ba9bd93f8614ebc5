//! The office's letter log and its 文号 sequence: every 整改通知 and 催报通知 issued takes the
//! next number of its issue year inside one write transaction (a batch takes consecutive
//! numbers), unless the same letter (same kind, agency, report year and content) was already
//! issued in that issue year, in which case its number is given again: downloading a letter twice
//! does not burn a number. A new issue of an unchanged letter is asked for explicitly (`fresh`).

use crate::ingest::now_iso;
use crate::{Backend, Store, StoreError};
use sqlx::Row;

/// A letter about to be issued.
#[derive(Debug, Clone, PartialEq)]
pub struct LetterRequest {
    /// "notice" (整改通知) or "reminder" (催报通知).
    pub kind: String,
    pub agency_id: i64,
    pub report_year: i64,
    /// A fingerprint of what the letter says (without its 文号 and date).
    pub content: String,
}

/// The number a letter was issued under.
#[derive(Debug, Clone, PartialEq)]
pub struct Issued {
    pub seq: i64,
    pub number: String,
    /// An earlier issue of the same letter (its number given again).
    pub reused: bool,
}

/// One row of the letter log.
#[derive(Debug, Clone, PartialEq)]
pub struct LetterRow {
    pub kind: String,
    pub agency: String,
    pub report_year: i64,
    pub issue_year: i64,
    pub seq: i64,
    pub number: String,
    pub user: Option<String>,
    pub issued_at: String,
}

impl Store {
    /// Issues `letters` in `issue_year`, in order, in one transaction: each takes the next
    /// sequence number of the year (or, unless `fresh`, the number an identical letter already
    /// took), its 文号 made by `number`.
    pub async fn issue_letters(&self, letters: &[LetterRequest], issue_year: i64, user_id: Option<i64>, fresh: bool, number: &(dyn Fn(i64) -> String + Sync)) -> Result<Vec<Issued>, StoreError> {
        let mut tx = self.write_tx().await?;
        if self.backend == Backend::Postgres {
            // Two servers issuing at once must not read the same MAX(seq).
            sqlx::query("LOCK TABLE letters IN EXCLUSIVE MODE").execute(&mut *tx).await?;
        }
        let at = now_iso();
        let mut out = Vec::with_capacity(letters.len());
        for l in letters {
            if !fresh {
                let earlier = sqlx::query(
                    "SELECT seq, number FROM letters WHERE kind = $1 AND agency_id = $2 AND report_year = $3 AND issue_year = $4 AND content = $5 ORDER BY seq DESC LIMIT 1",
                )
                .bind(&l.kind)
                .bind(l.agency_id)
                .bind(l.report_year)
                .bind(issue_year)
                .bind(&l.content)
                .fetch_optional(&mut *tx)
                .await?;
                if let Some(r) = earlier {
                    out.push(Issued { seq: r.try_get(0)?, number: r.try_get(1)?, reused: true });
                    continue;
                }
            }
            let max: Option<i64> = sqlx::query("SELECT MAX(seq) FROM letters WHERE issue_year = $1").bind(issue_year).fetch_one(&mut *tx).await?.try_get(0)?;
            let seq = max.unwrap_or(0) + 1;
            let text = number(seq);
            sqlx::query(
                "INSERT INTO letters (kind, agency_id, report_year, issue_year, seq, number, content, user_id, issued_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(&l.kind)
            .bind(l.agency_id)
            .bind(l.report_year)
            .bind(issue_year)
            .bind(seq)
            .bind(&text)
            .bind(&l.content)
            .bind(user_id)
            .bind(&at)
            .execute(&mut *tx)
            .await?;
            out.push(Issued { seq, number: text, reused: false });
        }
        tx.commit().await.map_err(|e| self.explain(StoreError::Db(e)))?;
        Ok(out)
    }

    /// The letters issued to an agency (all agencies with `None`), newest first.
    pub async fn letter_log(&self, agency_id: Option<i64>, limit: i64) -> Result<Vec<LetterRow>, StoreError> {
        // An untyped NULL parameter is refused by PostgreSQL: "all agencies" is its own query.
        let filter = if agency_id.is_some() { "l.agency_id = $2" } else { "$2 = 0" };
        let sql = format!(
            "SELECT l.kind, a.name, l.report_year, l.issue_year, l.seq, l.number, u.name, l.issued_at \
             FROM letters l JOIN agencies a ON a.id = l.agency_id LEFT JOIN users u ON u.id = l.user_id \
             WHERE {filter} ORDER BY l.issue_year DESC, l.seq DESC LIMIT $1"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(limit).bind(agency_id.unwrap_or(0)).fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| {
                Ok(LetterRow {
                    kind: r.try_get(0)?,
                    agency: r.try_get(1)?,
                    report_year: r.try_get(2)?,
                    issue_year: r.try_get(3)?,
                    seq: r.try_get(4)?,
                    number: r.try_get(5)?,
                    user: r.try_get(6)?,
                    issued_at: r.try_get(7)?,
                })
            })
            .collect()
    }
}
