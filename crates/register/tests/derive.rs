//! A generated register (every event kind): every derived agency-year passes the table rules of
//! `nianbao check` and equals the generator's independent count; the carry-over links years; a
//! derived report goes through the writer's full lint (render → parse → every rule).

use nianbao_model::TableId;
use nianbao_register::gen::{differences, generate};
use nianbao_register::{check_reports, derive, Application, EventKind};

#[test]
fn derived_tables_pass_check_and_equal_the_independent_count() {
    let g = generate(7, 3, 2019, 2025, 150);
    assert_eq!(g.applications(), 3 * 7 * 150);
    // Every event kind occurs somewhere.
    let all: Vec<&Application> = g.agencies.iter().flat_map(|(_, a)| a.iter()).collect();
    let kinds: std::collections::BTreeSet<&str> = all.iter().flat_map(|a| a.events.iter().map(|e| e.kind.zh())).collect();
    assert_eq!(kinds.len(), 16, "{kinds:?}");
    for (agency, apps) in &g.agencies {
        for a in apps {
            a.validate().unwrap();
        }
        let reports: Vec<_> = (2019..=2025).map(|y| derive(agency, y, apps)).collect();
        for d in &reports {
            let year = d.report.year.unwrap();
            let diffs = differences(d, &g.truth[&(agency.clone(), year)]);
            assert!(diffs.is_empty(), "{agency} {year}: {diffs:#?}");
        }
        let findings = check_reports(&reports.iter().map(|d| d.report.clone()).collect::<Vec<_>>());
        assert!(findings.is_empty(), "{agency}: {:#?}", findings.iter().map(|f| format!("{} {}", f.rule, f.message)).collect::<Vec<_>>());
        for w in reports.windows(2) {
            assert_eq!(w[0].report.applications.row("carried_forward").unwrap().cells, w[1].report.applications.row("carried_over").unwrap().cells);
        }
        // Layouts follow the year: （六） is one row in 2019–2020.
        assert!(reports[0].report.applications.row("other").is_some());
        assert!(reports[2].report.applications.row("other_other").is_some());
    }
}

#[test]
fn a_broken_table_is_caught_by_the_same_check() {
    let g = generate(3, 1, 2023, 2024, 80);
    let (agency, apps) = &g.agencies[0];
    let mut d = derive(agency, 2024, apps);
    let cell = &mut d.report.applications.row_mut("granted").unwrap().cells[0];
    cell.value = Some(cell.value.unwrap() + 1.0);
    let rules: Vec<&str> = check_reports(&[d.report]).iter().map(|f| f.rule).collect();
    assert!(rules.contains(&"A302") && rules.contains(&"A303"), "{rules:?}");
}

#[test]
fn drill_down_lists_the_applications_of_each_cell() {
    let g = generate(11, 1, 2024, 2025, 120);
    let (agency, apps) = &g.agencies[0];
    let d = derive(agency, 2025, apps);
    for ((table, row, col), numbers) in &d.drill {
        let v = d.report.table(*table).value(row, *col).unwrap();
        assert_eq!(v as usize, numbers.len(), "{row}[{col}]");
    }
    // Each application of the granted row really was granted in 2025.
    for n in d.applications(TableId::Applications, "granted", 6) {
        let a = apps.iter().find(|a| &a.number == n).unwrap();
        let c = a.closure().unwrap();
        assert_eq!(c.date.format("%Y").to_string(), "2025");
        assert!(a.events.iter().any(|e| e.kind == EventKind::Replied { outcome: nianbao_register::Outcome::Granted }));
    }
}

#[test]
fn a_derived_report_passes_the_full_check_after_rendering() {
    let g = generate(5, 1, 2024, 2024, 60);
    let (agency, apps) = &g.agencies[0];
    let d = derive(agency, 2024, apps);
    let doc = nianbao_write::Document::from_report(d.report.clone());
    let lint = nianbao_write::lint::lint(&doc, nianbao_write::Format::Md, "register").unwrap();
    assert!(lint.mismatch.is_none(), "{:?}", lint.mismatch);
    let errors: Vec<_> = lint.rules.iter().filter(|(_, s)| *s == nianbao_check::Severity::Error).collect();
    assert!(errors.is_empty(), "{}", lint.text);
}
