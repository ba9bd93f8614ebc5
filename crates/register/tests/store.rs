//! The register in the corpus database: import in one transaction, the append-only audit trail,
//! refused conflicting events, locked years, imported holiday notices. SQLite, and PostgreSQL
//! when `NIANBAO_TEST_POSTGRES` names a server (as the store's own tests do).

use chrono::NaiveDate;
use nianbao_register::store;
use nianbao_register::{ApplicantType, Application, Event, EventKind, Outcome, RegisterError};
use nianbao_store::Store;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

async fn scenario(s: &Store) {
    let agency = format!("测试县第{}局", std::process::id());
    let g = nianbao_register::gen::generate(2, 1, 2023, 2024, 100);
    let apps = &g.agencies[0].1;
    let sum = store::import(s, &agency, "a.xlsx", "h1", apps, 0, "张三").await.unwrap();
    assert_eq!((sum.created, sum.replaced, sum.unchanged), (200, 0, 0));
    let id = store::agency_id(s, &agency).await.unwrap();
    let loaded = store::load(s, id).await.unwrap();
    assert_eq!(&loaded, apps);
    // The same file again changes nothing; a changed application gets a new record.
    let mut changed = apps.clone();
    changed[0].summary.push_str("（更正）");
    let sum = store::import(s, &agency, "a.xlsx", "h2", &changed, 0, "李四").await.unwrap();
    assert_eq!((sum.created, sum.replaced, sum.unchanged), (0, 1, 199));
    let trail = store::history(s, &agency, &apps[0].number).await.unwrap();
    assert_eq!(trail.len(), 2);
    assert_eq!((trail[0].recorded_by.as_str(), trail[1].recorded_by.as_str()), ("张三", "李四"));

    // Events: a conflicting one is refused and nothing is written.
    let mut a = Application::new("X-1", ApplicantType::Business, nianbao_deadline::Channel::Online, d("2025-03-03"));
    a.summary = "测试".into();
    store::add_application(s, &agency, &a, "王五").await.unwrap();
    let e = store::add_application(s, &agency, &a, "王五").await.unwrap_err();
    assert!(matches!(e, RegisterError::Duplicate { .. }), "{e}");
    let e = store::add_event(s, &agency, "X-1", Event::new(d("2025-03-01"), EventKind::Replied { outcome: Outcome::Granted }), "王五").await.unwrap_err().to_string();
    assert!(e.contains("早于收到申请日期"), "{e}");
    store::add_event(s, &agency, "X-1", Event::new(d("2025-03-10"), EventKind::ExtensionApproved { days: 10, approver: Some("主任".into()) }), "王五").await.unwrap();
    store::add_event(s, &agency, "X-1", Event::new(d("2025-03-20"), EventKind::Replied { outcome: Outcome::Granted }), "王五").await.unwrap();
    let e = store::add_event(s, &agency, "X-1", Event::new(d("2025-03-21"), EventKind::Replied { outcome: Outcome::OtherOther }), "王五").await.unwrap_err().to_string();
    assert!(e.contains("办结"), "{e}");
    let trail = store::history(s, &agency, "X-1").await.unwrap();
    assert_eq!(trail.iter().map(|t| t.action.as_str()).collect::<Vec<_>>(), vec!["record", "event", "event"]);
    // A wrong entry is retracted, not deleted.
    store::retract(s, &agency, "X-1", trail[2].id, "王五").await.unwrap();
    let now = store::load(s, id).await.unwrap();
    assert!(now.iter().find(|a| a.number == "X-1").unwrap().closure().is_none());
    assert_eq!(store::history(s, &agency, "X-1").await.unwrap().len(), 4);

    // A locked year: nothing that changes its tables is accepted, the rest is.
    store::lock_year(s, &agency, 2024, "管理员").await.unwrap();
    let e = store::lock_year(s, &agency, 2999, "管理员").await.unwrap_err().to_string();
    assert!(e.contains("尚未结束"), "{e}");
    let open_2024 = now
        .iter()
        .find(|a| a.received.format("%Y").to_string() == "2024" && a.closure().is_none() && a.events.iter().all(|e| e.date < d("2024-12-30")))
        .expect("an open 2024 application");
    let e = store::add_event(s, &agency, &open_2024.number, Event::new(d("2024-12-30"), EventKind::Withdrawn), "王五").await.unwrap_err();
    assert!(matches!(e, RegisterError::Locked { year: 2024, .. }), "{e}");
    store::add_event(s, &agency, &open_2024.number, Event::new(d("2025-01-06"), EventKind::Withdrawn), "王五").await.unwrap();
    let mut re = changed.clone();
    re[150].applicant_type = if re[150].applicant_type == ApplicantType::Other { ApplicantType::Business } else { ApplicantType::Other };
    let e = store::import(s, &agency, "b.xlsx", "h3", &re, 0, "李四").await.unwrap_err();
    assert!(matches!(e, RegisterError::Locked { .. }), "{e}");
    assert_eq!(store::load(s, id).await.unwrap().len(), 201, "the refused import wrote nothing");

    // Holiday notices.
    let notices = nianbao_calendar::parse_notices_csv("n.csv", "年份,文号,发布日期,节日,放假\n2027,测试〔2026〕1号,2026-11-01,元旦,2027-01-01\n").unwrap();
    store::save_notices(s, &notices, "管理员").await.unwrap();
    let back = store::calendar_notices(s).await.unwrap();
    assert!(back.iter().any(|n| n.year == 2027));
}

#[test]
fn sqlite() {
    let dir = std::env::temp_dir().join(format!("nianbao-register-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("t.db");
    let _ = std::fs::remove_file(&db);
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let s = Store::open(&db.display().to_string()).await.unwrap();
        scenario(&s).await;
    });
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn postgres() {
    let Ok(url) = std::env::var("NIANBAO_TEST_POSTGRES") else {
        eprintln!("NIANBAO_TEST_POSTGRES not set: skipped");
        return;
    };
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        // A fresh schema: the server is shared with the other crates' database tests.
        nianbao_store::drop_schema(&url).await.unwrap();
        let s = Store::open(&url).await.unwrap();
        scenario(&s).await;
    });
}
