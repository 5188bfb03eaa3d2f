//! The background rule runner: a write asks for a run and goes on; asks
//! made during a run are served together by one more run; a run evaluates
//! as of today.
use crate::{helpers::TestDb, on_both};
use app::{features::engine::RuleRunner, platform::db::Backend};

async fn open_alerts(t: &TestDb) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM alerts WHERE cleared_on IS NULL")
        .fetch_one(&t.db.pool)
        .await
        .unwrap()
}

async fn asks_during_a_run_share_the_next_one(b: Backend) {
    // The demo's records break rules, but loading them runs none.
    let t = TestDb::with_demo(b).await;
    assert_eq!(open_alerts(&t).await, 0);
    let runner = RuleRunner::start(t.db.clone(), t.settings.clone());
    runner.run_now().await;
    assert_eq!(runner.runs(), 1);
    let raised = open_alerts(&t).await;
    assert!(raised >= 5, "{raised} alerts raised as of today");

    // Fifty writes in a burst: each asks and returns at once; one run is
    // under way (or about to start) and the rest share one more.
    let mut last = 0;
    for _ in 0..50 {
        last = runner.request();
    }
    assert_eq!(last, 51);
    runner.settled(last).await;
    let runs = runner.runs() - 1;
    assert!((1..=2).contains(&runs), "{runs} runs for 50 asks");
    // Nothing changed meanwhile: nothing raised twice.
    assert_eq!(open_alerts(&t).await, raised);
}

on_both!(asks_during_a_run_share_the_next_one);
