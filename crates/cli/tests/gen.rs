//! The corpus generator writes reports the parser reads back exactly and the checker finds
//! the injected defects in, and no error in the others.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::process::Command;

#[test]
fn generated_reports_parse_and_carry_their_defects() {
    let dir = std::env::temp_dir().join(format!("nianbao-gen-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let out = Command::new(env!("CARGO_BIN_EXE_nianbao-gen"))
        .args(["--agencies", "24", "--years", "2019..2024", "--defects", "0.3", "--seed", "11", "--formats", "txt,html", "--out", dir.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let truth = std::fs::read_to_string(dir.join("truth.csv")).unwrap();
    let mut defects: HashMap<String, String> = HashMap::new();
    for line in truth.lines().skip(1) {
        let cols: Vec<&str> = line.split(',').collect();
        defects.insert(cols[0].to_string(), cols[2].to_string());
    }
    assert!(defects.len() > 10, "{} defects", defects.len());
    assert!(nianbao_store::ingest::collect_files(&[dir.clone()]).iter().filter(|f| f.extension().is_some_and(|e| e == "html")).count() > 50, "half are web pages");
    let files = nianbao_store::ingest::collect_files(&[dir.clone()]);
    assert_eq!(files.len(), 24 * 6);
    let docs: Vec<_> = files.iter().map(|f| nianbao_parse::parse_file(f).unwrap()).collect();
    for (f, d) in files.iter().zip(&docs) {
        assert_eq!(d.reports.len(), 1, "{}", f.display());
        let r = &d.reports[0].report;
        assert!(r.agency.is_some() && r.year.is_some() && r.published.is_some(), "{}", f.display());
        assert_eq!(r.applications.rows.len(), nianbao_model::layout::applications_rows(r.effective_layout()).len());
    }
    // All years of all agencies together, so the carry-over defects show.
    let result = nianbao_check::check(&docs);
    let mut errors_by_file: HashMap<PathBuf, HashSet<&str>> = HashMap::new();
    for f in &result.findings {
        if f.severity == nianbao_check::Severity::Error {
            errors_by_file.entry(PathBuf::from(&result.reports[f.report].0.source.file)).or_default().insert(f.rule);
        }
    }
    for f in &files {
        let got = errors_by_file.get(f).cloned().unwrap_or_default();
        match defects.get(&f.display().to_string()) {
            Some(rule) => assert!(got.contains(rule.as_str()), "{}: expected {rule}, got {got:?}", f.display()),
            None => assert!(got.is_empty(), "{}: unexpected errors {got:?}", f.display()),
        }
    }
    std::fs::remove_dir_all(&dir).ok();
}
