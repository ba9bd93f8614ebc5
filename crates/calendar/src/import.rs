//! Notices as an administrator types them: the TOML of `data/holidays.toml`, or a CSV with one
//! line per festival (年份,文号,发布日期,节日,放假,上班).

use crate::{parse_date, CalendarError, Holiday, Notice};
use chrono::{Days, NaiveDate};
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    notice: Vec<RawNotice>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNotice {
    year: i32,
    number: Option<String>,
    title: Option<String>,
    issued: String,
    amends: Option<String>,
    note: Option<String>,
    #[serde(default)]
    holidays: Vec<RawHoliday>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHoliday {
    name: String,
    #[serde(default)]
    off: OneOrMany,
    #[serde(default)]
    work: OneOrMany,
}

#[derive(Deserialize, Default)]
#[serde(untagged)]
enum OneOrMany {
    #[default]
    None,
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    fn items(&self) -> Vec<&str> {
        match self {
            OneOrMany::None => Vec::new(),
            OneOrMany::One(s) => vec![s.as_str()],
            OneOrMany::Many(v) => v.iter().map(String::as_str).collect(),
        }
    }
}

/// Expands `2024-02-10..2024-02-17` (also `至`, `~`, `—`) or a single date; lists may be
/// separated by `、`, `，`, `,`, `;` or spaces.
fn dates(place: &str, text: &str) -> Result<Vec<NaiveDate>, CalendarError> {
    let mut out = Vec::new();
    let bad = || CalendarError::BadDate { place: place.to_string(), text: text.to_string() };
    for item in text.split(|c: char| matches!(c, '、' | '，' | ',' | ';' | '；') || c.is_whitespace()).filter(|s| !s.is_empty()) {
        let range: Vec<&str> = if item.contains("..") {
            item.splitn(2, "..").collect()
        } else {
            item.splitn(2, |c| matches!(c, '至' | '~' | '～' | '—')).collect()
        };
        match range.as_slice() {
            [one] => out.push(parse_date(one).ok_or_else(bad)?),
            [a, b] => {
                let (a, b) = (parse_date(a).ok_or_else(bad)?, parse_date(b).ok_or_else(bad)?);
                if b < a || (b - a).num_days() > 40 {
                    return Err(bad());
                }
                let mut d = a;
                while d <= b {
                    out.push(d);
                    d = d.checked_add_days(Days::new(1)).ok_or_else(bad)?;
                }
            }
            _ => return Err(bad()),
        }
    }
    Ok(out)
}

/// Reads notices in the TOML form of `data/holidays.toml`. `file` names the source in errors.
pub fn parse_notices_toml(file: &str, text: &str) -> Result<Vec<Notice>, CalendarError> {
    let raw: RawFile = toml::from_str(text).map_err(|e| CalendarError::Syntax { place: file.to_string(), reason: e.message().to_string() })?;
    if raw.notice.is_empty() {
        return Err(CalendarError::Invalid { place: file.to_string(), reason: "没有任何 [[notice]]".into() });
    }
    let mut out = Vec::new();
    for (i, n) in raw.notice.into_iter().enumerate() {
        let place = format!("{file} 第 {} 个通知", i + 1);
        let issued = parse_date(&n.issued).ok_or(CalendarError::BadDate { place: format!("{place}的 issued"), text: n.issued.clone() })?;
        if n.number.is_none() && n.title.is_none() {
            return Err(CalendarError::Invalid { place, reason: "须写明文号（number）或标题（title）".into() });
        }
        let mut holidays = Vec::new();
        for h in &n.holidays {
            let hp = format!("{place}（{}）", h.name);
            let mut off = Vec::new();
            for s in h.off.items() {
                off.extend(dates(&hp, s)?);
            }
            let mut work = Vec::new();
            for s in h.work.items() {
                work.extend(dates(&hp, s)?);
            }
            holidays.push(Holiday { name: h.name.trim().to_string(), off, work });
        }
        let notice = Notice { year: n.year, number: n.number, title: n.title, issued, amends: n.amends, note: n.note, holidays };
        notice.validate()?;
        out.push(notice);
    }
    Ok(out)
}

/// Which column of the CSV header means what, by name (Chinese or English).
fn column(header: &csv::StringRecord, names: &[&str]) -> Option<usize> {
    header.iter().position(|h| {
        let h = h.trim().trim_start_matches('\u{feff}').to_lowercase();
        names.iter().any(|n| h == *n)
    })
}

/// Reads notices from a CSV with a header row and one line per festival:
/// `年份,文号,发布日期,节日,放假,上班` (English headers `year,number,issued,holiday,off,work`
/// also work; 修订 / `amends` optional). Lines with the same year and 文号 form one notice.
pub fn parse_notices_csv(file: &str, text: &str) -> Result<Vec<Notice>, CalendarError> {
    let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(text.as_bytes());
    let header = rdr.headers().map_err(|e| CalendarError::Syntax { place: file.to_string(), reason: e.to_string() })?.clone();
    let need = |names: &[&str], what: &str| column(&header, names).ok_or_else(|| CalendarError::Invalid { place: file.to_string(), reason: format!("缺少“{what}”列") });
    let c_year = need(&["年份", "年度", "year"], "年份")?;
    let c_number = need(&["文号", "number"], "文号")?;
    let c_issued = need(&["发布日期", "issued"], "发布日期")?;
    let c_name = need(&["节日", "holiday", "name"], "节日")?;
    let c_off = need(&["放假", "off"], "放假")?;
    let c_work = column(&header, &["上班", "调休上班", "work"]);
    let c_amends = column(&header, &["修订", "amends"]);
    let mut out: Vec<Notice> = Vec::new();
    for (i, rec) in rdr.records().enumerate() {
        let line = i + 2;
        let place = format!("{file} 第 {line} 行");
        let rec = rec.map_err(|e| CalendarError::Syntax { place: place.clone(), reason: e.to_string() })?;
        let get = |c: usize| rec.get(c).unwrap_or("").trim();
        if rec.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let year: i32 = get(c_year).trim_end_matches('年').parse().map_err(|_| CalendarError::Invalid { place: place.clone(), reason: format!("年份“{}”无法识别", get(c_year)) })?;
        let number = get(c_number).to_string();
        if number.is_empty() {
            return Err(CalendarError::Invalid { place, reason: "文号为空".into() });
        }
        let issued = parse_date(get(c_issued)).ok_or(CalendarError::BadDate { place: format!("{place}“发布日期”列"), text: get(c_issued).to_string() })?;
        let name = get(c_name).to_string();
        if name.is_empty() {
            return Err(CalendarError::Invalid { place, reason: "节日名称为空".into() });
        }
        let off = dates(&format!("{place}“放假”列"), get(c_off))?;
        let work = match c_work {
            Some(c) => dates(&format!("{place}“上班”列"), get(c))?,
            None => Vec::new(),
        };
        let amends = c_amends.map(get).filter(|s| !s.is_empty()).map(str::to_string);
        let holiday = Holiday { name, off, work };
        match out.iter_mut().find(|n| n.year == year && n.number.as_deref() == Some(number.as_str())) {
            Some(n) => {
                if n.issued != issued {
                    return Err(CalendarError::Invalid { place, reason: format!("同一文号的发布日期不一致（{} 与 {}）", n.issued, issued) });
                }
                n.holidays.push(holiday);
            }
            None => out.push(Notice { year, number: Some(number), title: None, issued, amends, note: None, holidays: vec![holiday] }),
        }
    }
    if out.is_empty() {
        return Err(CalendarError::Invalid { place: file.to_string(), reason: "没有任何节日安排".into() });
    }
    for n in &out {
        n.validate()?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Calendar;

    #[test]
    fn a_csv_notice_as_typed_from_the_paper() {
        let csv = "年份,文号,发布日期,节日,放假,上班\n\
                   2027,国办发明电〔2026〕9号,2026-11-10,元旦,2027-01-01至2027-01-03,\n\
                   2027,国办发明电〔2026〕9号,2026-11-10,春节,2027年2月5日~2027年2月11日,2027-01-31、2027-02-20\n";
        let notices = parse_notices_csv("2027.csv", csv).unwrap();
        assert_eq!(notices.len(), 1);
        assert_eq!(notices[0].holidays.len(), 2);
        assert_eq!(notices[0].holidays[1].off.len(), 7);
        let cal = Calendar::builtin().with_notices(notices).unwrap();
        assert!(cal.covers(2027));
        assert!(!cal.is_working_day(parse_date("2027-02-08").unwrap()));
        assert!(cal.is_working_day(parse_date("2027-01-31").unwrap()));
        assert!(!cal.add_working_days(parse_date("2026-12-20").unwrap(), 20).provisional);
    }

    #[test]
    fn bad_lines_name_the_place() {
        let csv = "年份,文号,发布日期,节日,放假,上班\n2027,X号,2026-11-10,春节,2027-02-05至2027-02-11,2027-02-03\n";
        let e = parse_notices_csv("2027.csv", csv).unwrap_err().to_string();
        assert!(e.contains("不是周六或周日"), "{e}");
        let csv = "年份,文号,发布日期,节日,放假\n2027,X号,2026-11-10,春节,2027-02-35\n";
        let e = parse_notices_csv("2027.csv", csv).unwrap_err().to_string();
        assert!(e.contains("2027.csv 第 2 行") && e.contains("2027-02-35"), "{e}");
        let e = parse_notices_csv("x.csv", "年份,文号\n").unwrap_err().to_string();
        assert!(e.contains("发布日期"), "{e}");
    }

    #[test]
    fn toml_errors_are_chinese_and_name_the_file() {
        let e = parse_notices_toml("n.toml", "[[notice]]\nyear = 2027\n").unwrap_err().to_string();
        assert!(e.starts_with("n.toml"), "{e}");
        let e = parse_notices_toml("n.toml", "[[notice]]\nyear = 2027\nissued = \"2026-11-10\"\nholidays = []\n").unwrap_err().to_string();
        assert!(e.contains("文号"), "{e}");
    }
}
