//! The letters an office sends: the 整改通知 (one, a batch as ZIP, merged) and the 催报通知, read
//! back from the DOCX they produce; and the places of real findings in the agency's terms.

use nianbao_model::Layout;
use nianbao_write::notice::{render, render_batch_zip, render_merged, Notice, NoticeItem, OfficeSettings};
use nianbao_write::place::{cells_from_value, place_in_agency_terms, ProseIndex};
use nianbao_write::reminder::{render_reminder, render_reminders_merged, render_reminders_zip, statutory_due_date, Reminder};
use std::io::Read;
use std::path::PathBuf;

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures")
}

/// The paragraphs of `word/document.xml` as text (table cells are paragraphs too).
fn paragraphs(docx: &[u8]) -> Vec<String> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(docx)).expect("a DOCX is a ZIP package");
    let mut xml = String::new();
    zip.by_name("word/document.xml").expect("word/document.xml").read_to_string(&mut xml).expect("UTF-8");
    let mut reader = quick_xml::Reader::from_str(&xml);
    let (mut out, mut cur, mut in_text) = (Vec::new(), String::new(), false);
    loop {
        match reader.read_event().expect("well-formed XML") {
            quick_xml::events::Event::Start(e) if e.name().as_ref() == "w:t" => in_text = true,
            quick_xml::events::Event::End(e) if e.name().as_ref() == "w:t" => in_text = false,
            quick_xml::events::Event::End(e) if e.name().as_ref() == "w:p" => out.push(std::mem::take(&mut cur)),
            quick_xml::events::Event::Text(t) if in_text => cur.push_str(&t.xml10_content()),
            quick_xml::events::Event::GeneralRef(r) if in_text => {
                cur.push_str(match r.into_inner().as_ref() {
                    "lt" => "<",
                    "gt" => ">",
                    "amp" => "&",
                    "quot" => "\"",
                    "apos" => "'",
                    _ => "",
                });
            }
            quick_xml::events::Event::Eof => break,
            _ => {}
        }
    }
    out
}

fn text(docx: &[u8]) -> String {
    paragraphs(docx).join("\n")
}

fn page_breaks(docx: &[u8]) -> usize {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(docx)).unwrap();
    let mut xml = String::new();
    zip.by_name("word/document.xml").unwrap().read_to_string(&mut xml).unwrap();
    xml.matches("<w:pageBreakBefore").count()
}

/// Findings of a seed report as the web stores them (findings-json), with their places.
fn seed_places(name: &str) -> Vec<String> {
    let path = fixtures().join("seeds").join(name);
    let doc = nianbao_parse::parse_file(&path).expect("the seed parses");
    let docs = [doc];
    let result = nianbao_check::check(&docs);
    let json = result.to_json();
    let mut out = Vec::new();
    for f in json["findings"].as_array().unwrap() {
        let i = f["report"].as_u64().unwrap() as usize;
        let parsed = result.report(i);
        let layout = parsed.report.effective_layout();
        let index = ProseIndex::new(&docs[0].source, parsed);
        let prose = f["span"]["start"].as_u64().and_then(|s| index.locate(s as usize));
        let cells = cells_from_value(&f["cells"], layout);
        let place = place_in_agency_terms(f["rule"].as_str().unwrap(), &cells, layout, prose.as_ref());
        out.push(format!("{} {} | {}", parsed.report.year.map(|y| y.to_string()).unwrap_or_default(), f["rule"].as_str().unwrap(), place));
    }
    out
}

#[test]
fn places_of_real_findings_are_in_the_agencys_terms() {
    let mut all = Vec::new();
    for seed in ["000_f1bcb5344c0ff0ec.txt", "001_6bdcad6606f9a5c6.txt", "003_5726aaf970dd957d.txt"] {
        let places = seed_places(seed);
        for p in &places {
            // Never the reader's internals.
            assert!(!p.contains("行 ") && !p.contains("第 ") && !p.contains('{') && !p.contains('_'), "{p}");
        }
        all.push(format!("== {seed}"));
        all.extend(places);
    }
    insta::assert_snapshot!(all.join("\n"));
}

#[test]
fn a_docx_reports_prose_findings_by_part_and_paragraph() {
    let path = fixtures().join("office/docx/000_2023.docx");
    let doc = nianbao_parse::parse_file(&path).expect("the DOCX parses");
    let parsed = &doc.reports[0];
    let index = ProseIndex::new(&doc.source, parsed);
    // Every prose line of every part is placed in that part.
    for s in &parsed.sections {
        for line in parsed.lines[s.body.0..s.body.1].iter().filter(|l| !l.is_table_row && !l.text.trim().is_empty()) {
            let at = doc.source.span(line.offsets[0] as usize, line.offsets[0] as usize + 1).start;
            let place = index.locate(at).expect("a prose line is placed").to_string();
            let part = ["一", "二", "三", "四", "五", "六"][s.number as usize - 1];
            // The signature and its date close the last part.
            assert!(place.starts_with(&format!("正文第{part}部分")) || place == "落款" || place == "发布日期", "{place} for {}", line.text);
        }
    }
}

fn item(rule: &str, place: &str, confirmed: bool) -> NoticeItem {
    NoticeItem {
        severity: "error".into(),
        rule: rule.into(),
        title: "表三总计列".into(),
        message: "各办理结果之和为 30，“（七）总计”却为 20".into(),
        place: place.into(),
        expected: Some("30".into()),
        found: Some("20".into()),
        comment: None,
        confirmed,
    }
}

fn settings() -> OfficeSettings {
    OfficeSettings {
        office: "聊城市人民政府办公室".into(),
        number_pattern: "聊政办公开函〔{year}〕{seq}号".into(),
        deadline_days: 20,
        contact: "王明".into(),
        phone: "0635-8888888".into(),
        signature: "聊城市政务公开办公室".into(),
    }
}

fn notice(agency: &str, seq: u32, items: Vec<NoticeItem>) -> Notice {
    let mut n = Notice::from_settings(&settings(), agency, Some(2025), "2026-02-10", Some(seq));
    n.items = items;
    n
}

const PLACE: &str = "表三“（三）不予公开 3.危及‘三安全一稳定’”行“自然人”列";

#[test]
fn a_default_letter_carries_the_settings_and_only_confirmed_findings() {
    let n = notice("东阿县人民政府办公室", 7, vec![item("A302", PLACE, true), item("A303", "表二“行政许可”行“本年处理决定数量”列", false)]);
    let t = text(&render(&n).unwrap());
    for want in ["聊政办公开函〔2026〕7号", "请于2026年3月2日前完成整改", "联系人：王明；联系电话：0635-8888888。", "聊城市政务公开办公室", "2026年2月10日", "A302", PLACE, "1 处错误"] {
        assert!(t.contains(want), "the letter says {want}:\n{t}");
    }
    assert!(!t.contains("A303"), "an unconfirmed finding is not listed by default");
    // Only unconfirmed findings: the letter does not say there are none, nor lists them.
    let only = notice("东阿县人民政府办公室", 8, vec![item("A303", PLACE, false)]);
    let t2 = text(&render(&only).unwrap());
    assert!(t2.contains("暂无经审核确认需要整改的问题") && !t2.contains("A303"), "{t2}");
    assert!(!t.contains("待确认") && !t.contains("尚未经审核"), "nothing to declare");
}

#[test]
fn a_letter_with_unreviewed_findings_says_so_and_marks_them() {
    let mut n = notice("东阿县人民政府办公室", 7, vec![item("A302", PLACE, true), item("A303", "正文第一部分第（二）段“依申请公开工作情况”", false)]);
    n.includes_unreviewed = true;
    let paras = paragraphs(&render(&n).unwrap());
    let t = paras.join("\n");
    assert!(t.contains("A303") && t.contains("2 处错误"));
    assert!(t.contains("表中第 2 项问题尚未经审核人员确认"), "{t}");
    // The mark sits in the unconfirmed item's row, not in the confirmed one's.
    let a302 = paras.iter().position(|p| p == "A302").unwrap();
    let a303 = paras.iter().position(|p| p == "A303").unwrap();
    assert!(paras[a302 - 3..a302].iter().all(|p| p != "（待确认）"));
    assert!(paras[a303 - 3..a303].iter().any(|p| p == "（待确认）"), "{:?}", &paras[a303 - 3..a303]);
}

#[test]
fn settings_round_trip_as_json_and_default_to_placeholders() {
    let s = settings();
    let json = serde_json::to_string(&s).unwrap();
    assert_eq!(serde_json::from_str::<OfficeSettings>(&json).unwrap(), s);
    // Fields left out take the defaults.
    let partial: OfficeSettings = serde_json::from_str(r#"{"office":"某县政务公开办"}"#).unwrap();
    assert_eq!(partial.office, "某县政务公开办");
    assert_eq!(partial.deadline_days, OfficeSettings::default().deadline_days);
    assert_eq!(OfficeSettings::default().number(2026, 12), "某政公开函〔2026〕12号");
    assert_eq!(s.deadline_from("2026-12-20").as_deref(), Some("2027-01-09"));
}

#[test]
fn a_batch_is_one_docx_per_agency_with_safe_names() {
    let agencies = ["东阿县人民政府办公室", "阳谷县/教育局", "  ..\\莘县:财政局?  ", "东阿县人民政府办公室"];
    let notices: Vec<Notice> = agencies.iter().enumerate().map(|(i, a)| notice(a, i as u32 + 1, vec![item("A302", PLACE, true)])).collect();
    let zip_bytes = render_batch_zip(&notices).unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(zip_bytes)).unwrap();
    let mut names: Vec<String> = (0..zip.len()).map(|i| zip.by_index(i).unwrap().name().unwrap().to_string()).collect();
    names.sort();
    assert_eq!(names, vec!["整改通知_东阿县人民政府办公室_2025.docx", "整改通知_东阿县人民政府办公室_2025_2.docx", "整改通知_莘县_财政局.docx", "整改通知_阳谷县_教育局.docx"]);
    for i in 0..zip.len() {
        let mut bytes = Vec::new();
        zip.by_index(i).unwrap().read_to_end(&mut bytes).unwrap();
        let t = text(&bytes);
        assert!(t.contains("整改通知") && t.contains(PLACE));
    }
    let mut letter = Vec::new();
    zip.by_name("整改通知_阳谷县_教育局.docx").unwrap().read_to_end(&mut letter).unwrap();
    assert!(text(&letter).contains("阳谷县/教育局：") && text(&letter).contains("聊政办公开函〔2026〕2号"));
}

#[test]
fn merged_letters_start_each_on_a_new_page() {
    let notices: Vec<Notice> = ["甲局", "乙局", "丙局"].iter().enumerate().map(|(i, a)| notice(a, i as u32 + 1, vec![item("A302", PLACE, true)])).collect();
    let bytes = render_merged(&notices).unwrap();
    assert_eq!(page_breaks(&bytes), 2);
    let t = text(&bytes);
    for a in ["甲局：", "乙局：", "丙局：", "〔2026〕1号", "〔2026〕3号"] {
        assert!(t.contains(a), "{a}");
    }
    assert!(render_merged(&[]).is_err());
}

#[test]
fn a_reminder_cites_the_statutory_date_and_counts_the_days_late() {
    assert_eq!(statutory_due_date("聊城市教育局", 2025), "2026-01-31");
    assert_eq!(statutory_due_date("东阿县人民政府", 2025), "2026-03-31");
    let r = Reminder::from_settings(&settings(), "聊城市教育局", 2025, "2026-02-10", Some(3));
    let t = text(&render_reminder(&r).unwrap());
    for want in ["聊政办公开函〔2026〕3号", "关于督促发布2025年政府信息公开工作年度报告的通知", "聊城市教育局：", "每年1月31日前", "已超过法定发布期限（2026年1月31日）10 天", "请你单位高度重视，于2026年3月2日前", "联系人：王明", "聊城市政务公开办公室"] {
        assert!(t.contains(want), "the reminder says {want}:\n{t}");
    }
    let g = Reminder::from_settings(&settings(), "东阿县人民政府", 2025, "2026-02-10", None);
    let t = text(&render_reminder(&g).unwrap());
    assert!(t.contains("每年3月31日前") && t.contains("法定发布期限为2026年3月31日") && !t.contains("〔2026〕"));

    let zip_bytes = render_reminders_zip(&[r.clone(), g.clone()]).unwrap();
    let zip = zip::ZipArchive::new(std::io::Cursor::new(zip_bytes)).unwrap();
    let mut names: Vec<String> = zip.file_names().map(|n| n.unwrap().to_string()).collect();
    names.sort();
    assert_eq!(names, vec!["催报通知_东阿县人民政府.docx", "催报通知_聊城市教育局.docx"]);
    assert_eq!(page_breaks(&render_reminders_merged(&[r, g]).unwrap()), 1);
}

#[test]
fn a_table_only_finding_has_no_prose_place() {
    let cells = cells_from_value(&serde_json::json!([{ "table": "review_litigation", "row": "review", "column": "total" }]), Layout::L2021);
    assert_eq!(place_in_agency_terms("A401", &cells, Layout::L2021, None), "表四“行政复议”项下“总计”列");
}

/// Without `soffice` the test says so and passes, unless `NIANBAO_REQUIRE_LIBREOFFICE` is set.
fn libreoffice_available() -> bool {
    let found = std::process::Command::new("soffice").arg("--version").output().is_ok_and(|o| o.status.success());
    if !found && std::env::var_os("NIANBAO_REQUIRE_LIBREOFFICE").is_some() {
        panic!("NIANBAO_REQUIRE_LIBREOFFICE is set but soffice is not installed");
    }
    found
}

#[test]
fn libreoffice_prints_each_merged_letter_from_a_new_page() {
    if !libreoffice_available() {
        eprintln!("skipped: soffice not installed");
        return;
    }
    let notices: Vec<Notice> = ["甲局", "乙局"].iter().enumerate().map(|(i, a)| notice(a, i as u32 + 1, vec![item("A302", PLACE, true)])).collect();
    let dir = std::env::temp_dir().join(format!("nianbao-letters-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let input = dir.join("merged.docx");
    std::fs::write(&input, render_merged(&notices).unwrap()).unwrap();
    let status = std::process::Command::new("soffice")
        .args(["--headless", "--norestore", &format!("-env:UserInstallation=file://{}/profile", dir.display()), "--convert-to", "pdf", "--outdir"])
        .arg(&dir)
        .arg(&input)
        .status()
        .expect("soffice runs");
    assert!(status.success());
    let out = std::process::Command::new("pdftotext").arg(dir.join("merged.pdf")).arg("-").output();
    let _ = std::fs::remove_dir_all(&dir);
    let Ok(out) = out else {
        eprintln!("skipped: pdftotext (poppler-utils) not installed");
        return;
    };
    let txt = String::from_utf8_lossy(&out.stdout).to_string();
    // pdftotext ends each page with a form feed.
    let pages: Vec<String> = txt.split('\u{c}').map(|p| p.replace(char::is_whitespace, "")).filter(|p| !p.is_empty()).collect();
    assert_eq!(pages.len(), 2, "one page per letter:\n{txt}");
    assert!(pages[0].contains("甲局：") && !pages[0].contains("乙局："));
    assert!(pages[1].contains("乙局：") && pages[1].contains("聊政办公开函〔2026〕2号"));
    assert!(pages[0].contains("联系人：王明") && pages[0].contains("危及"));
}
