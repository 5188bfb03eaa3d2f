//! Writes under contention, on both databases: an owner's save beside the
//! check-in writer, two corrections of one filing at once, a double submit.
use crate::{
    attendance::site,
    filings::{good_form, ready_filing},
    helpers::TestDb,
    on_both,
};
use app::{
    error::AppError,
    features::{
        attendance::service::{Reading, add_area, check_in},
        filings::service as filings,
    },
    platform::db::Backend,
};
use std::sync::{
    Arc,
    atomic::{AtomicBool, AtomicUsize, Ordering},
};

/// 2026-11-25 10:00 Beijing time.
const T0: i64 = 1_795_572_000_000;

async fn actions(t: &TestDb, id: i64, action: &str) -> i64 {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_log WHERE entity = 'filing' AND entity_id = $1 AND action = $2",
    )
    .bind(id.to_string())
    .bind(action)
    .fetch_one(&t.db.pool)
    .await
    .unwrap()
}

/// The check-in writer commits without pause while the owner saves the
/// filing, adds areas and corrects the contract: every save succeeds (on
/// SQLite a write that read first used to fail with "database is locked").
async fn owner_saves_succeed_while_check_ins_are_written(b: Backend) {
    let t = TestDb::with_demo(b).await;
    let id = site(&t).await;
    let owner = t.actor("chengjian").await;
    let pm = t.actor("13857700011").await;
    let stop = Arc::new(AtomicBool::new(false));
    let written = Arc::new(AtomicUsize::new(0));
    let writers: Vec<_> = (0..4)
        .map(|w| {
            let (desk, settings, pm) = (t.desk.clone(), t.settings.clone(), pm.clone());
            let (stop, written) = (stop.clone(), written.clone());
            tokio::spawn(async move {
                let mut i = 0;
                while !stop.load(Ordering::Relaxed) {
                    let r = Reading {
                        filing_id: id,
                        lat: 27.6625,
                        lng: 120.5655,
                        accuracy_m: 10.0,
                        device_key: "devicepm0001".into(),
                        photo_sha256: None,
                    };
                    check_in(&desk, &settings, &pm, r, T0 + w * 1_000_000 + i)
                        .await
                        .unwrap();
                    written.fetch_add(1, Ordering::Relaxed);
                    i += 1;
                }
            })
        })
        .collect();
    // Let the writer get going before the owner starts.
    while written.load(Ordering::Relaxed) < 20 {
        tokio::task::yield_now().await;
    }
    for n in 0..15 {
        let mut form = good_form();
        form.contract_price = format!("{}", 15_000_000 + n * 1000);
        let version = filings::get(&t.db, &owner, id).await.unwrap().version;
        form.version = version.to_string();
        filings::save(&t.db, &t.settings, &owner, id, &form, "现场签证调整")
            .await
            .unwrap_or_else(|e| panic!("save {n} failed beside the writer: {e:?}"));
        // A different triangle each time (the same shape twice is refused).
        let (x, y) = (120.565 + n as f64 * 0.0001, 27.662);
        let shape = format!(
            r#"{{"type":"Polygon","coordinates":[[[{x},{y}],[{},{y}],[{},{}],[{x},{y}]]]}}"#,
            x + 0.001,
            x + 0.001,
            y + 0.001
        );
        add_area(&t.db, &owner, id, &format!("临时区{n}"), &shape)
            .await
            .unwrap_or_else(|e| panic!("area {n} failed beside the writer: {e:?}"));
    }
    stop.store(true, Ordering::Relaxed);
    for w in writers {
        w.await.unwrap();
    }
    assert!(written.load(Ordering::Relaxed) >= 20);
    assert_eq!(actions(&t, id, "correct").await, 15);
}

/// Two people correct the same filing from the same version at once: one
/// correction lands, the other is told the record changed, and nothing is
/// overwritten silently.
async fn two_simultaneous_corrections_one_wins(b: Backend) {
    let t = TestDb::with_demo(b).await;
    let id = site(&t).await;
    let owner = t.actor("chengjian").await;
    let version = filings::get(&t.db, &owner, id).await.unwrap().version;
    let tasks: Vec<_> = ["16000000", "17000000"]
        .into_iter()
        .map(|price| {
            let (db, settings, owner) = (t.db.clone(), t.settings.clone(), owner.clone());
            tokio::spawn(async move {
                let mut form = good_form();
                form.contract_price = price.into();
                form.version = version.to_string();
                filings::save(&db, &settings, &owner, id, &form, "变更结算价").await
            })
        })
        .collect();
    let mut results = Vec::new();
    for task in tasks {
        results.push(task.await.unwrap());
    }
    assert_eq!(
        results.iter().filter(|r| r.is_ok()).count(),
        1,
        "{results:?}"
    );
    let refused = results.iter().find(|r| r.is_err()).unwrap();
    assert_eq!(refused, &Err(AppError::Conflict));
    assert!(AppError::Conflict.to_string().contains("已被他人修改"));
    assert_eq!(actions(&t, id, "correct").await, 1);
    // A stale form sent again later is refused too.
    let mut stale = good_form();
    stale.version = version.to_string();
    let e = filings::save(&t.db, &t.settings, &owner, id, &stale, "再次提交")
        .await
        .unwrap_err();
    assert_eq!(e, AppError::Conflict);
    assert_eq!(actions(&t, id, "correct").await, 1);
}

/// The submit button pressed twice (two requests at once) records one
/// submission.
async fn a_double_submit_records_once(b: Backend) {
    let t = TestDb::with_demo(b).await;
    let id = ready_filing(&t).await;
    let owner = t.actor("chengjian").await;
    let tasks: Vec<_> = (0..2)
        .map(|_| {
            let (db, owner) = (t.db.clone(), owner.clone());
            tokio::spawn(async move { filings::submit(&db, &owner, id).await })
        })
        .collect();
    let mut ok = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(()) => ok += 1,
            Err(e) => assert!(e.to_string().contains("已提交"), "{e:?}"),
        }
    }
    assert_eq!(ok, 1);
    assert_eq!(actions(&t, id, "submit").await, 1);
}

/// A row the database refuses fails alone: everyone who shared its batch is
/// stored (found by reading: a failing batch failed every check-in in it).
async fn a_bad_row_fails_alone(b: Backend) {
    let t = TestDb::with_demo(b).await;
    let id = site(&t).await;
    let pm = t.user_id("13857700011").await;
    let row = |filing_id: i64, i: i64| app::features::attendance::desk::NewCheckin {
        user_id: pm,
        filing_id,
        at: T0 + i,
        day: "2026-11-25".into(),
        lat: 27.6625,
        lng: 120.5655,
        accuracy_m: 10.0,
        accepted: true,
        may_count: false,
        basis: "inside".into(),
        distance_m: Some(0.0),
        flags: String::new(),
        device_key: "devicepm0001".into(),
        photo_sha256: None,
        user_agent: None,
        ip: None,
    };
    let before = t.count("checkins").await;
    // Queued together (the writer takes whatever waits), one naming a
    // filing that does not exist.
    let mut stores = tokio::task::JoinSet::new();
    for i in 0..60 {
        let (desk, r) = (t.desk.clone(), row(if i == 30 { 999_999 } else { id }, i));
        stores.spawn(async move { desk.store(r).await });
    }
    let (mut ok, mut failed) = (0, 0);
    while let Some(answer) = stores.join_next().await {
        match answer.unwrap() {
            Ok(_) => ok += 1,
            Err(_) => failed += 1,
        }
    }
    assert_eq!((ok, failed), (59, 1));
    assert_eq!(t.count("checkins").await, before + 59);
    assert!(t.desk.running());
}

on_both!(
    a_bad_row_fails_alone,
    owner_saves_succeed_while_check_ins_are_written,
    two_simultaneous_corrections_one_wins,
    a_double_submit_records_once,
);
