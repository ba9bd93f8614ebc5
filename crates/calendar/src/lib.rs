//! Chinese working days for statutory deadlines.
//!
//! A working day is Monday–Friday unless a State Council holiday notice makes it a day off, plus
//! any Saturday or Sunday a notice makes a working day (调休上班) — 国务院令第146号 Art. 7 with the
//! yearly 《关于X年部分节假日安排的通知》 (`statutes.md` §6.1). The notices of 2019–2026 are data
//! (`data/holidays.toml`, embedded); an administrator adds next year's with [`parse_notices_toml`]
//! or [`parse_notices_csv`]. A date in a year without a loaded notice is counted on weekdays only,
//! and every result that depends on such a date is marked **provisional**.
//!
//! No I/O here: the caller reads files and stores imported notices.

mod import;

pub use import::{parse_notices_csv, parse_notices_toml};

use chrono::{Datelike, Days, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

/// The notices shipped with nianbao.
pub const BUILTIN_TOML: &str = include_str!("../data/holidays.toml");

/// Why a notice cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error("{place}：日期“{text}”无法识别（应为 2026-01-01 或 2026-01-01..2026-01-03）")]
    BadDate { place: String, text: String },
    #[error("{place}：{reason}")]
    Invalid { place: String, reason: String },
    #[error("{place}：文件格式错误：{reason}")]
    Syntax { place: String, reason: String },
}

/// One festival's arrangement in a notice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holiday {
    pub name: String,
    /// The days off, in order.
    pub off: Vec<NaiveDate>,
    /// The weekend days that become working days.
    pub work: Vec<NaiveDate>,
}

/// One State Council notice (or an amendment of one).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    /// The year the notice arranges.
    pub year: i32,
    /// The document number (文号), e.g. 国办发明电〔2023〕7号, when known.
    pub number: Option<String>,
    /// The title, when the number is not known.
    pub title: Option<String>,
    /// The day the notice was issued; amendments apply in this order.
    pub issued: NaiveDate,
    /// The number of the notice this one amends.
    pub amends: Option<String>,
    pub note: Option<String>,
    pub holidays: Vec<Holiday>,
}

impl Notice {
    /// How the notice is named in messages: its number, else its title.
    pub fn name(&self) -> String {
        match (&self.number, &self.title) {
            (Some(n), _) => n.clone(),
            (None, Some(t)) => t.clone(),
            (None, None) => format!("{} 年节假日安排通知", self.year),
        }
    }

    /// Checks what can be checked without the other notices: working days are weekend days, no
    /// date is both off and working, dates lie near the notice's year.
    pub fn validate(&self) -> Result<(), CalendarError> {
        let place = self.name();
        if !(1990..=2200).contains(&self.year) {
            return Err(CalendarError::Invalid { place, reason: format!("年份 {} 不合理", self.year) });
        }
        let lo = NaiveDate::from_ymd_opt(self.year - 1, 12, 1).expect("valid");
        let hi = NaiveDate::from_ymd_opt(self.year + 1, 1, 31).expect("valid");
        let mut off = BTreeSet::new();
        for h in &self.holidays {
            for d in h.off.iter().chain(&h.work) {
                if *d < lo || *d > hi {
                    return Err(CalendarError::Invalid {
                        place: format!("{place}（{}）", h.name),
                        reason: format!("日期 {d} 不在 {} 年的安排范围内", self.year),
                    });
                }
            }
            off.extend(h.off.iter().copied());
            for d in &h.work {
                if !is_weekend(*d) {
                    return Err(CalendarError::Invalid {
                        place: format!("{place}（{}）", h.name),
                        reason: format!("调休上班日 {d}（{}）不是周六或周日", weekday_zh(*d)),
                    });
                }
            }
        }
        for h in &self.holidays {
            if let Some(d) = h.work.iter().find(|d| off.contains(*d)) {
                return Err(CalendarError::Invalid { place: format!("{place}（{}）", h.name), reason: format!("{d} 既是放假日又是上班日") });
            }
        }
        Ok(())
    }
}

/// What a day is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DayKind {
    /// Monday–Friday with no notice entry.
    Weekday,
    /// Saturday or Sunday with no notice entry.
    Weekend,
    /// A day off by a notice (the index into [`Calendar::holiday_names`]).
    Holiday(u16),
    /// A weekend day made a working day by a notice.
    AdjustedWorkday(u16),
}

impl DayKind {
    pub fn is_working(self) -> bool {
        matches!(self, DayKind::Weekday | DayKind::AdjustedWorkday(_))
    }
}

/// A date computed by counting working days; `provisional` when a counted day lies in a year
/// without a loaded notice (so a later notice may move it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Due {
    pub date: NaiveDate,
    pub provisional: bool,
}

impl Due {
    /// The date as shown to users: `2024-03-11`, or `2027-01-20（暂定）`.
    pub fn display(&self) -> String {
        if self.provisional {
            format!("{}（暂定）", self.date)
        } else {
            self.date.to_string()
        }
    }
}

impl std::fmt::Display for Due {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.display())
    }
}

/// The working-day calendar made from a set of notices.
#[derive(Debug, Clone, Default)]
pub struct Calendar {
    notices: Vec<Notice>,
    /// Date → (off?, holiday name index). Later notices (by issue date) override earlier ones.
    entries: BTreeMap<NaiveDate, (bool, u16)>,
    names: Vec<String>,
    covered: BTreeSet<i32>,
}

pub fn is_weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

pub fn weekday_zh(d: NaiveDate) -> &'static str {
    match d.weekday() {
        Weekday::Mon => "周一",
        Weekday::Tue => "周二",
        Weekday::Wed => "周三",
        Weekday::Thu => "周四",
        Weekday::Fri => "周五",
        Weekday::Sat => "周六",
        Weekday::Sun => "周日",
    }
}

/// The next calendar day (dates near the end of chrono's range are not reachable from user data,
/// which is validated to lie within years 1900–2200).
fn next(d: NaiveDate) -> NaiveDate {
    d.checked_add_days(Days::new(1)).unwrap_or(d)
}

impl Calendar {
    /// The calendar of the notices shipped with nianbao (2019–2026).
    pub fn builtin() -> &'static Calendar {
        static CAL: OnceLock<Calendar> = OnceLock::new();
        CAL.get_or_init(|| {
            let notices = parse_notices_toml("holidays.toml", BUILTIN_TOML).expect("the shipped holiday data is valid");
            Calendar::from_notices(notices).expect("the shipped holiday data is consistent")
        })
    }

    /// A calendar from notices, applied in order of issue (amendments after what they amend).
    pub fn from_notices(mut notices: Vec<Notice>) -> Result<Calendar, CalendarError> {
        for n in &notices {
            n.validate()?;
        }
        for n in &notices {
            if let Some(a) = &n.amends {
                if !notices.iter().any(|m| m.number.as_deref() == Some(a.as_str())) {
                    return Err(CalendarError::Invalid { place: n.name(), reason: format!("所修订的通知“{a}”未载入") });
                }
            }
        }
        notices.sort_by(|a, b| (a.issued, a.amends.is_some()).cmp(&(b.issued, b.amends.is_some())));
        let mut cal = Calendar::default();
        for n in &notices {
            cal.covered.insert(n.year);
            for h in &n.holidays {
                let idx = match cal.names.iter().position(|x| *x == h.name) {
                    Some(i) => i,
                    None => {
                        cal.names.push(h.name.clone());
                        cal.names.len() - 1
                    }
                } as u16;
                for d in &h.off {
                    cal.entries.insert(*d, (true, idx));
                }
                for d in &h.work {
                    cal.entries.insert(*d, (false, idx));
                }
            }
        }
        cal.notices = notices;
        Ok(cal)
    }

    /// This calendar with more notices. A notice with the same year and number (or, without a
    /// number, the same year and title) as a loaded one replaces it.
    pub fn with_notices(&self, extra: Vec<Notice>) -> Result<Calendar, CalendarError> {
        let mut all: Vec<Notice> = self
            .notices
            .iter()
            .filter(|n| !extra.iter().any(|e| e.year == n.year && e.name() == n.name()))
            .cloned()
            .collect();
        all.extend(extra);
        Calendar::from_notices(all)
    }

    /// The calendar as it was known on `date`: only the notices issued on or before it. Shows
    /// what a deadline was before an amendment (2020: the Spring Festival extension).
    pub fn as_of(&self, date: NaiveDate) -> Calendar {
        let kept: Vec<Notice> = self.notices.iter().filter(|n| n.issued <= date).cloned().collect();
        // Amendments of notices issued later cannot exist, so this cannot fail.
        Calendar::from_notices(kept).unwrap_or_default()
    }

    pub fn notices(&self) -> &[Notice] {
        &self.notices
    }

    pub fn holiday_names(&self) -> &[String] {
        &self.names
    }

    /// Whether a notice for `year` is loaded.
    pub fn covers(&self, year: i32) -> bool {
        self.covered.contains(&year)
    }

    pub fn covered_years(&self) -> impl Iterator<Item = i32> + '_ {
        self.covered.iter().copied()
    }

    pub fn kind(&self, d: NaiveDate) -> DayKind {
        match self.entries.get(&d) {
            Some((true, i)) => DayKind::Holiday(*i),
            Some((false, i)) => DayKind::AdjustedWorkday(*i),
            None if is_weekend(d) => DayKind::Weekend,
            None => DayKind::Weekday,
        }
    }

    pub fn is_working_day(&self, d: NaiveDate) -> bool {
        self.kind(d).is_working()
    }

    /// The festival a day belongs to, if a notice lists it.
    pub fn holiday_name(&self, d: NaiveDate) -> Option<&str> {
        match self.kind(d) {
            DayKind::Holiday(i) | DayKind::AdjustedWorkday(i) => self.names.get(i as usize).map(String::as_str),
            _ => None,
        }
    }

    /// The `n`-th working day after `start` (day 0 = `start`, not counted; `n = 0` gives `start`).
    pub fn add_working_days(&self, start: NaiveDate, n: u32) -> Due {
        self.add_working_days_skipping(start, n, |_| false)
    }

    /// Like [`Calendar::add_working_days`], but days for which `skip` is true are not counted
    /// even when they are working days (paused periods).
    pub fn add_working_days_skipping(&self, start: NaiveDate, n: u32, skip: impl Fn(NaiveDate) -> bool) -> Due {
        let mut d = start;
        let mut left = n;
        let mut provisional = false;
        while left > 0 {
            let nd = next(d);
            if nd == d {
                break;
            }
            d = nd;
            if !self.covers(d.year()) {
                provisional = true;
            }
            if self.is_working_day(d) && !skip(d) {
                left -= 1;
            }
        }
        Due { date: d, provisional }
    }

    /// The number of working days in `(from, to]` (0 when `to <= from`).
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> u32 {
        let mut n = 0;
        let mut d = from;
        while d < to {
            d = next(d);
            if self.is_working_day(d) {
                n += 1;
            }
        }
        n
    }

    /// Whether counting through `(from, to]` touches a year with no notice.
    pub fn is_provisional_between(&self, from: NaiveDate, to: NaiveDate) -> bool {
        if to <= from {
            return false;
        }
        (next(from).year()..=to.year()).any(|y| !self.covers(y))
    }

    /// The working days of a year.
    pub fn working_days_in_year(&self, year: i32) -> u32 {
        match (NaiveDate::from_ymd_opt(year - 1, 12, 31), NaiveDate::from_ymd_opt(year, 12, 31)) {
            (Some(a), Some(b)) => self.working_days_between(a, b),
            _ => 0,
        }
    }

    /// The notices arranging `year`, in order of issue.
    pub fn notices_for(&self, year: i32) -> Vec<&Notice> {
        self.notices.iter().filter(|n| n.year == year).collect()
    }

    /// The festivals of `year` as they stand after all amendments: name, days off, working days.
    pub fn arrangement(&self, year: i32) -> Vec<Holiday> {
        let mut out: Vec<Holiday> = Vec::new();
        let notices = self.notices_for(year);
        for n in &notices {
            for h in &n.holidays {
                if !out.iter().any(|o| o.name == h.name) {
                    out.push(Holiday { name: h.name.clone(), off: Vec::new(), work: Vec::new() });
                }
            }
        }
        for h in out.iter_mut() {
            let idx = self.names.iter().position(|x| *x == h.name).map(|i| i as u16);
            let dates: BTreeSet<NaiveDate> =
                notices.iter().flat_map(|n| n.holidays.iter()).filter(|x| x.name == h.name).flat_map(|x| x.off.iter().chain(&x.work)).copied().collect();
            for d in dates {
                match (self.entries.get(&d), idx) {
                    (Some((true, i)), Some(j)) if *i == j => h.off.push(d),
                    (Some((false, i)), Some(j)) if *i == j => h.work.push(d),
                    _ => {}
                }
            }
        }
        out.retain(|h| !h.off.is_empty() || !h.work.is_empty());
        out.sort_by_key(|h| h.off.first().or(h.work.first()).copied());
        out
    }
}

/// Parses `2024-03-05`, `2024-3-5`, `2024/3/5`, `2024.03.05` and `2024年3月5日`.
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    let s = s.strip_suffix('日').unwrap_or(s);
    let parts: Vec<&str> = s.split(|c| matches!(c, '-' | '/' | '.' | '年' | '月')).collect();
    if parts.len() != 3 || parts.iter().any(|p| p.is_empty() || p.len() > 4 || !p.bytes().all(|b| b.is_ascii_digit())) {
        return None;
    }
    let y: i32 = parts[0].parse().ok()?;
    if parts[0].len() != 4 {
        return None;
    }
    NaiveDate::from_ymd_opt(y, parts[1].parse().ok()?, parts[2].parse().ok()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        parse_date(s).unwrap()
    }

    #[test]
    fn the_shipped_notices_cover_2019_to_2026() {
        let cal = Calendar::builtin();
        assert_eq!(cal.covered_years().collect::<Vec<_>>(), (2019..=2026).collect::<Vec<_>>());
        assert!(!cal.covers(2027));
        assert_eq!(cal.notices().len(), 10);
    }

    #[test]
    fn working_weekend_days_and_holidays() {
        let cal = Calendar::builtin();
        assert!(cal.is_working_day(d("2024-02-18")), "Sunday 18 Feb 2024 is a working day");
        assert!(cal.is_working_day(d("2024-02-09")), "除夕 2024 is a normal working day");
        assert!(!cal.is_working_day(d("2024-02-15")));
        assert_eq!(cal.holiday_name(d("2024-02-15")), Some("春节"));
        assert!(!cal.is_working_day(d("2024-02-24")), "an ordinary Saturday");
        assert!(!cal.is_working_day(d("2022-12-31")), "in the 2023 notice");
    }

    #[test]
    fn amendments_override_the_notice_they_amend() {
        let cal = Calendar::builtin();
        assert!(!cal.is_working_day(d("2020-02-01")), "the extension made 1 Feb 2020 a day off");
        assert!(!cal.is_working_day(d("2019-05-02")));
        assert!(cal.is_working_day(d("2019-05-05")));
        let before = cal.as_of(d("2020-01-26"));
        assert!(before.is_working_day(d("2020-02-01")));
        let before = cal.as_of(d("2019-03-21"));
        assert!(before.is_working_day(d("2019-05-02")));
        assert!(!before.is_working_day(d("2019-05-05")));
    }

    #[test]
    fn counting_starts_the_day_after_and_marks_missing_years() {
        let cal = Calendar::builtin();
        assert_eq!(cal.add_working_days(d("2024-02-06"), 20), Due { date: d("2024-03-11"), provisional: false });
        assert_eq!(cal.add_working_days(d("2024-02-06"), 0).date, d("2024-02-06"));
        let due = cal.add_working_days(d("2026-12-18"), 20);
        assert!(due.provisional);
        assert_eq!(due.display(), format!("{}（暂定）", due.date));
        // 2026-12-21 … 2026-12-31 are 9 weekdays; then weekdays of January 2027.
        assert_eq!(due.date, d("2027-01-15"));
        assert!(!cal.add_working_days(d("2026-12-01"), 5).provisional);
    }

    #[test]
    fn arrangement_shows_the_amended_state() {
        let cal = Calendar::builtin();
        let a = cal.arrangement(2020);
        let spring = a.iter().find(|h| h.name == "春节").unwrap();
        assert_eq!(spring.off.first(), Some(&d("2020-01-24")));
        assert_eq!(spring.off.last(), Some(&d("2020-02-02")));
        assert_eq!(spring.work, vec![d("2020-01-19")]);
    }

    #[test]
    fn dates_in_the_forms_people_type() {
        for s in ["2024-3-5", "2024-03-05", "2024/3/5", "2024.03.05", "2024年3月5日", " 2024年03月05日 "] {
            assert_eq!(parse_date(s), Some(d("2024-03-05")), "{s}");
        }
        for s in ["24-3-5", "2024-13-01", "2024-02-30", "三月五日", "2024-3", ""] {
            assert_eq!(parse_date(s), None, "{s}");
        }
    }
}
