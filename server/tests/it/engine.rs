//! The background rule runner: a write asks for a run and goes on; asks
//! made during a run are served together by one more run; a run evaluates
//! as of today.
use crate::{helpers::TestDb, on_both};
use app::{
    error::AppError,
    features::engine::RuleRunner,
    platform::{
        audit,
        db::{Backend, Db},
        rules::{self, Finding, On, Rule, RuleInfo, Severity},
        settings::Settings,
    },
};
use chrono::NaiveDate;
use std::collections::HashMap;

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

static TOLD: RuleInfo = RuleInfo {
    code: "test_told",
    name: "测试规则",
    basis: "测试用",
    severity: Severity::Notice,
    params: &[],
    auto_order: false,
};

/// A rule that finds what the test tells it.
struct Told(Vec<Finding>);

#[async_trait::async_trait]
impl Rule for Told {
    fn info(&self) -> &'static RuleInfo {
        &TOLD
    }
    async fn evaluate(&self, _: &Db, _: &Settings, _: NaiveDate) -> Result<Vec<Finding>, AppError> {
        Ok(self.0.clone())
    }
}

async fn run(t: &TestDb, told: Vec<Finding>) -> rules::Outcome {
    let today = app::platform::time::today();
    rules::run(&t.db, &t.settings, &[&Told(told)], today)
        .await
        .unwrap()
}

fn finding(on: On, subject: &str) -> Finding {
    Finding {
        on,
        subject: subject.into(),
        since: NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
        message: format!("{subject}的数字"),
        figures: serde_json::json!({ "subject": subject }),
    }
}

/// A run writes its new alerts many to a statement: each finding once (a
/// repeated one is raised once), an open one left as it is, each new one
/// stored as reported with its trail entry, about a project or an award,
/// past a statement's worth (500) in one run; then all cleared.
async fn a_run_raises_each_new_finding_once(b: Backend) {
    let t = TestDb::with_demo(b).await;
    let filing: i64 = sqlx::query_scalar("SELECT MIN(id) FROM filings")
        .fetch_one(&t.db.pool)
        .await
        .unwrap();
    let award: i64 = sqlx::query_scalar(
        "SELECT MIN(id) FROM awards WHERE id NOT IN (SELECT award_id FROM filings)",
    )
    .fetch_one(&t.db.pool)
    .await
    .unwrap();
    let out = run(&t, vec![finding(On::Filing(filing), "甲")]).await;
    assert_eq!(out.raised.len(), 1);

    let mut told = vec![
        finding(On::Filing(filing), "甲"),
        finding(On::Filing(filing), "乙"),
        finding(On::Filing(filing), "乙"),
        finding(On::Award(award), ""),
    ];
    told.extend((0..600).map(|i| finding(On::Filing(filing), &format!("第{i}项"))));
    let entries = t.count("audit_log").await;
    let out = run(&t, told).await;
    assert_eq!(out.raised.len(), 602);
    assert!(out.cleared.is_empty());
    assert_eq!(t.count("audit_log").await - entries, 602);
    assert_eq!(audit::verify(&t.db).await.unwrap().problem, None);
    let stored: HashMap<i64, (Option<i64>, i64, String)> = sqlx::query_as::<_, (i64, Option<i64>, i64, String)>(
        "SELECT id, filing_id, award_id, message FROM alerts WHERE kind = 'test_told' AND cleared_on IS NULL",
    )
    .fetch_all(&t.db.pool)
    .await
    .unwrap()
    .into_iter()
    .map(|(id, f, a, m)| (id, (f, a, m)))
    .collect();
    assert_eq!(stored.len(), 603);
    for c in &out.raised {
        let (f, a, m) = &stored[&c.alert_id];
        match c.on {
            On::Filing(id) => assert_eq!(*f, Some(id)),
            On::Award(id) => assert_eq!((*f, *a), (None, id)),
        }
        assert_eq!(m, &c.message);
        assert!(m.starts_with("测试规则："), "{m}");
    }

    let out = run(&t, Vec::new()).await;
    assert_eq!((out.raised.len(), out.cleared.len()), (0, 603));
}

on_both!(
    asks_during_a_run_share_the_next_one,
    a_run_raises_each_new_finding_once
);
