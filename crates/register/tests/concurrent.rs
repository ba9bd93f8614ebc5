//! Changes of one register arriving at the same time (two clerks, two browser tabs): each is
//! checked against the history it is appended to, so of several final outcomes recorded at once
//! exactly one is kept and the others are refused. SQLite (a file, several connections), and
//! PostgreSQL when `NIANBAO_TEST_POSTGRES` names a server.

use chrono::NaiveDate;
use nianbao_register::store;
use nianbao_register::{ApplicantType, Application, Event, EventKind, Outcome, RegisterError};
use nianbao_store::Store;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

async fn race(s: &Store) {
    let agency = format!("并发测试局{}", std::process::id());
    let agency = agency.as_str();
    let a = Application::new("C-1", ApplicantType::NaturalPerson, nianbao_deadline::Channel::InPerson, d("2025-03-03"));
    store::add_application(s, agency, &a, "甲").await.unwrap();
    let id = store::agency_id(s, agency).await.unwrap();
    let outcomes = [Outcome::Granted, Outcome::PartiallyGranted, Outcome::UnavailableNotHeld, Outcome::RejectedDuplicate, Outcome::OtherOther, Outcome::WithheldStateSecret];
    let tasks: Vec<_> = outcomes
        .iter()
        .enumerate()
        .map(|(i, o)| {
            let (s, agency) = (s.clone(), agency.to_string());
            let e = Event::new(d("2025-03-20"), EventKind::Replied { outcome: *o });
            tokio::spawn(async move { store::add_event_to(&s, id, &agency, "C-1", e, &format!("办理人{i}")).await })
        })
        .collect();
    let mut kept = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(_) => kept += 1,
            Err(RegisterError::Conflict { reason, .. }) => assert!(reason.contains("办结"), "{reason}"),
            Err(e) => panic!("unexpected: {e}"),
        }
    }
    assert_eq!(kept, 1, "exactly one reply is recorded");
    let trail = store::history_of(s, id, agency, "C-1").await.unwrap();
    assert_eq!(trail.len(), 2, "the application and one reply");
    let app = store::load(s, id).await.unwrap().pop().unwrap();
    app.validate().unwrap();
    assert_eq!(app.events.len(), 1);
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().worker_threads(4).enable_all().build().unwrap()
}

#[test]
fn of_concurrent_final_outcomes_exactly_one_is_kept() {
    let dir = std::env::temp_dir().join(format!("nianbao-register-concurrent-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    runtime().block_on(async {
        let s = Store::open(&dir.join("c.db").display().to_string()).await.unwrap();
        race(&s).await;
    });
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn of_concurrent_final_outcomes_exactly_one_is_kept_on_postgres() {
    let Ok(url) = std::env::var("NIANBAO_TEST_POSTGRES") else {
        eprintln!("NIANBAO_TEST_POSTGRES not set: skipped");
        return;
    };
    runtime().block_on(async {
        // A fresh schema: the server is shared with the other crates' database tests.
        nianbao_store::drop_schema(&url).await.unwrap();
        let s = Store::open(&url).await.unwrap();
        race(&s).await;
    });
}
