//! From the register to the report (`statutes.md` §7, `register.md` §5.4): 表三 and 表四 of one
//! agency-year, counted from the applications, with the applications behind every cell.
//!
//! * 新收(N): received in N. 上年结转(N): open at the end of N−1. Outcome rows: concluded in N
//!   (reply, deemed abandonment or withdrawal), by the final outcome code. 结转下年度(N): open
//!   at the end of N. So 新收 + 上年结转 = 总计 + 结转 holds in every column by construction, and
//!   上年结转(N+1) = 结转下年度(N) because both are "open at the end of N".
//! * 表四(N): cases decided in N by result; cases filed by the end of N and not decided by then
//!   as 尚未审结. A case may concern an application of an earlier year.

use crate::model::{Application, CaseKind, EventKind};
use chrono::NaiveDate;
use nianbao_model::layout::{self, Layout, TableId, APPLICATIONS_TOTAL_COLUMN};
use nianbao_model::{Cell, ReadHow, Report, Row, Table};
use std::collections::BTreeMap;

/// A cell of a derived table: (table, row key, column index).
pub type CellKey = (TableId, &'static str, usize);

/// The derived report of one agency-year, and which applications make each cell.
#[derive(Debug, Clone)]
pub struct Derived {
    pub report: Report,
    /// Application numbers behind every non-zero cell (总计 cells included).
    pub drill: BTreeMap<CellKey, Vec<String>>,
}

impl Derived {
    /// The applications behind a cell, by row key and column.
    pub fn applications(&self, table: TableId, row: &str, column: usize) -> &[String] {
        self.drill.iter().find(|((t, r, c), _)| *t == table && *r == row && *c == column).map(|(_, v)| v.as_slice()).unwrap_or(&[])
    }
}

fn end_of(year: i32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, 12, 31).expect("valid year")
}

/// Derives 表三 and 表四 of `year` from the applications of one agency.
pub fn derive(agency: &str, year: i32, apps: &[Application]) -> Derived {
    let layout = Layout::required_for(year);
    let mut counts: BTreeMap<CellKey, Vec<String>> = BTreeMap::new();
    let mut add = |table: TableId, row: &'static str, column: usize, total_column: usize, number: &str| {
        counts.entry((table, row, column)).or_default().push(number.to_string());
        counts.entry((table, row, total_column)).or_default().push(number.to_string());
    };
    let (end, prev_end) = (end_of(year), end_of(year - 1));
    for a in apps {
        let col = a.applicant_type.column();
        let tc = APPLICATIONS_TOTAL_COLUMN;
        let t3 = TableId::Applications;
        if a.received > end {
            // Nothing of a later application counts, not even its 复议/诉讼 (filed later still).
            continue;
        }
        if a.received > prev_end {
            add(t3, "new_received", col, tc, &a.number);
        } else if a.is_open_on(prev_end) {
            add(t3, "carried_over", col, tc, &a.number);
        }
        match a.closure() {
            Some(c) if c.date > prev_end && c.date <= end => {
                add(t3, c.outcome.row_key(layout), col, tc, &a.number);
                add(t3, "total_processed", col, tc, &a.number);
            }
            None => add(t3, "carried_forward", col, tc, &a.number),
            Some(c) if c.date > end => add(t3, "carried_forward", col, tc, &a.number),
            Some(_) => {}
        }
        // 表四: each filed case until its decision.
        let mut open: Vec<(CaseKind, NaiveDate)> = Vec::new();
        let mut decided: Vec<(CaseKind, NaiveDate, usize)> = Vec::new();
        for e in &a.events {
            match &e.kind {
                EventKind::CaseFiled { case } => open.push((*case, e.date)),
                EventKind::CaseDecided { case, result } => {
                    if let Some(i) = open.iter().position(|(k, _)| k == case) {
                        let (k, _) = open.remove(i);
                        decided.push((k, e.date, result.column()));
                    }
                }
                _ => {}
            }
        }
        let t4 = TableId::ReviewLitigation;
        for (k, date, column) in decided {
            if date > prev_end && date <= end {
                add(t4, k.row_key(), column, 4, &a.number);
            }
        }
        // A case decided after the year, or not yet, was pending at its end if filed by then.
        for e in &a.events {
            if let EventKind::CaseFiled { case } = &e.kind {
                if e.date <= end && !decided_by(a, *case, e.date, end) {
                    add(t4, case.row_key(), 3, 4, &a.number);
                }
            }
        }
    }
    let report = build_report(agency, year, layout, &counts);
    Derived { report, drill: counts }
}

/// Whether the case of `kind` filed on `filed` was decided on or before `by`.
fn decided_by(a: &Application, kind: CaseKind, filed: NaiveDate, by: NaiveDate) -> bool {
    // Cases of one kind follow one another (a second cannot be filed while one is open), so the
    // first decision of that kind on or after the filing date is this case's.
    a.events
        .iter()
        .filter(|e| e.date >= filed)
        .find_map(|e| match &e.kind {
            EventKind::CaseDecided { case, .. } if *case == kind => Some(e.date),
            _ => None,
        })
        .is_some_and(|d| d <= by)
}

fn build_report(agency: &str, year: i32, layout: Layout, counts: &BTreeMap<CellKey, Vec<String>>) -> Report {
    let count = |t: TableId, row: &'static str, c: usize| counts.get(&(t, row, c)).map(Vec::len).unwrap_or(0);
    let given = |v: usize| Cell { how: ReadHow::Given, ..Cell::number(v as f64) };
    let table = |t: TableId| Table {
        rows: layout::rows(t, layout)
            .iter()
            .map(|def| Row { key: def.key.to_string(), cells: (0..def.fields.len()).map(|c| given(count(t, def.key, c))).collect(), label: None, label_span: None })
            .collect(),
        ..Table::default()
    };
    // 表二 is not in the register: its rows are there, blank, for the office to fill in.
    let active = Table {
        rows: layout::rows(TableId::ActiveDisclosure, layout)
            .iter()
            .map(|def| Row { key: def.key.to_string(), cells: def.fields.iter().map(|_| Cell { how: ReadHow::Given, ..Cell::blank() }).collect(), label: None, label_span: None })
            .collect(),
        ..Table::default()
    };
    Report {
        agency: Some(agency.to_string()),
        year: Some(year),
        layout: Some(layout),
        published: None,
        active_disclosure: active,
        applications: table(TableId::Applications),
        review_litigation: table(TableId::ReviewLitigation),
    }
}

/// Derives every year from `from` to `to` (inclusive).
pub fn derive_years(agency: &str, from: i32, to: i32, apps: &[Application]) -> Vec<Derived> {
    (from..=to).map(|y| derive(agency, y, apps)).collect()
}

/// The years an agency's register has anything in: first receipt year to the last year with an
/// event (at least one year).
pub fn year_span(apps: &[Application]) -> Option<(i32, i32)> {
    use chrono::Datelike;
    let first = apps.iter().map(|a| a.received.year()).min()?;
    let last = apps.iter().flat_map(|a| std::iter::once(a.received).chain(a.events.iter().map(|e| e.date))).map(|d| d.year()).max()?;
    Some((first, last))
}
