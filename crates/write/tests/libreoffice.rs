//! The form opens in LibreOffice with its totals shown: converted headless to XLSX and read
//! back with calamine, every total cell holds the sum of its parts. Needs `soffice`.

use calamine::{Data, Reader};
use nianbao_write::{form, grid, Document};
use std::path::PathBuf;
use std::process::Command;

/// Without `soffice` the test says so and passes, unless `NIANBAO_REQUIRE_LIBREOFFICE` is set
/// (`.ci/run` sets it, after installing LibreOffice Calc).
fn libreoffice_available() -> bool {
    let found = Command::new("soffice").arg("--version").output().is_ok_and(|o| o.status.success());
    if !found && std::env::var_os("NIANBAO_REQUIRE_LIBREOFFICE").is_some() {
        panic!("NIANBAO_REQUIRE_LIBREOFFICE is set but soffice is not installed");
    }
    found
}

#[test]
fn libreoffice_shows_the_totals() {
    if !libreoffice_available() {
        eprintln!("skipped: soffice not installed");
        return;
    }
    let seed = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/seeds/003_5726aaf970dd957d.expected.json");
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(seed).unwrap()).unwrap();
    let report = nianbao_model::json::from_json(&v[0]).unwrap();
    let dir = std::env::temp_dir().join(format!("nianbao-lo-{}", std::process::id()));
    let out = dir.join("out");
    std::fs::create_dir_all(&out).unwrap();
    let input = dir.join("form.xlsx");
    std::fs::write(&input, form::write(&form::FormSpec { doc: Document::from_report(report.clone()), previous: None }).unwrap()).unwrap();
    let status = Command::new("soffice")
        .args(["--headless", "--norestore", &format!("-env:UserInstallation=file://{}/profile", dir.display()), "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir"])
        .arg(&out)
        .arg(&input)
        .status()
        .expect("soffice runs");
    assert!(status.success());
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(out.join("form.xlsx")).unwrap();
    let mut want = report.clone();
    grid::fill_totals(&mut want);
    let mut checked = 0;
    for id in nianbao_model::TableId::ALL {
        let sheet = wb.worksheet_range(form::sheet_name(id)).unwrap();
        let g = grid::grid(id, want.effective_layout());
        for (c, v) in g.values().filter(|(_, v)| v.total) {
            let shown = sheet.get_value(((c.row + 2) as u32, c.col as u32)).cloned().unwrap_or(Data::Empty);
            let shown = match shown {
                Data::Float(x) => Some(x),
                Data::Int(i) => Some(i as f64),
                _ => None,
            };
            assert_eq!(shown, want.table(id).value(v.row, v.col), "{id:?} {} {}", v.row, v.col);
            checked += 1;
        }
    }
    eprintln!("LibreOffice shows {checked} totals");
    assert!(checked > 30);
}
