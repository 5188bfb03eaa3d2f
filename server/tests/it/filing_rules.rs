//! The filing rules of the alert engine on the demo story: a contract signed
//! more than 30 days after its award notice, and a contract price further
//! than 20 % from the award price. Raised once, not for clean filings,
//! thresholds from settings, replayed as of a day.
use crate::{helpers::TestDb, on_both};
use app::{
    features::rules,
    platform::{db::Backend, rules::run, storage::FileStore, time::today},
};
use chrono::NaiveDate;

/// Projects with an open alert of `code`, sorted (not by the database's
/// collation, which differs between the two).
async fn open(t: &TestDb, code: &str) -> Vec<String> {
    let mut names: Vec<String> = sqlx::query_scalar(
        "SELECT a.project_name FROM alerts x JOIN filings f ON f.id = x.filing_id JOIN awards a ON a.id = f.award_id
         WHERE x.kind = $1 AND x.cleared_on IS NULL",
    )
    .bind(code)
    .fetch_all(&t.db.pool)
    .await
    .unwrap();
    names.sort();
    names
}

fn codes(found: &[(String, i64, String)]) -> Vec<&str> {
    let mut c: Vec<&str> = found.iter().map(|(code, ..)| code.as_str()).collect();
    c.sort();
    c
}

async fn filing_rules_raise_once_and_follow_their_settings(b: Backend) {
    let t = TestDb::with_demo(b).await;
    let files = FileStore::from_settings(&t.settings).unwrap();
    assert!(
        server::demo_history::load(&t.db, &files, &t.settings)
            .await
            .unwrap()
    );
    // Loading the story ran the rules as of today.
    let bridge = ["水头镇溪边大桥改建工程"];
    assert_eq!(open(&t, "signed_late").await, bridge);
    assert_eq!(open(&t, "price_deviation").await, bridge);
    let (message, started): (String, String) = sqlx::query_as(
        "SELECT message, started_on FROM alerts WHERE kind = 'signed_late' AND cleared_on IS NULL",
    )
    .fetch_one(&t.db.pool)
    .await
    .unwrap();
    assert!(
        message.contains("合同签订超期")
            && message.contains("相隔 67 天")
            && message.contains("超过 30 天"),
        "{message}"
    );
    assert_eq!(started, "2024-10-12", "the day the contract was signed");
    let message: String = sqlx::query_scalar(
        "SELECT message FROM alerts WHERE kind = 'price_deviation' AND cleared_on IS NULL",
    )
    .fetch_one(&t.db.pool)
    .await
    .unwrap();
    assert!(
        message.contains("848.00 万元")
            && message.contains("698.00 万元")
            && message.contains("21.5%"),
        "{message}"
    );

    let all = rules();
    let again = run(&t.db, &t.settings, &all, today()).await.unwrap();
    assert!(
        again.raised.is_empty() && again.cleared.is_empty(),
        "{again:?}"
    );

    // Laxer thresholds: both clear (the condition no longer holds).
    let mut lax = t.settings.clone();
    lax.sign_within_days = 90;
    lax.price_deviation_pct = 25;
    let out = run(&t.db, &lax, &all, today()).await.unwrap();
    assert_eq!(codes(&out.cleared), ["price_deviation", "signed_late"]);
    assert!(out.raised.is_empty(), "{out:?}");
    // A stricter line: 21 and 22 days are late too; 19, 15 and 14 are not.
    let mut strict = t.settings.clone();
    strict.sign_within_days = 20;
    run(&t.db, &strict, &all, today()).await.unwrap();
    assert_eq!(
        open(&t, "signed_late").await,
        [
            "平阳县104国道萧江段改建工程",
            "水头镇溪边大桥改建工程",
            "鳌江镇滨江路改造工程"
        ]
    );

    // Replayed: the day before the bridge's contract was signed it breaks
    // nothing; on that day both rules raise, dated that day.
    let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    run(&t.db, &t.settings, &all, day("2024-10-11"))
        .await
        .unwrap();
    assert!(open(&t, "signed_late").await.is_empty());
    assert!(open(&t, "price_deviation").await.is_empty());
    let out = run(&t.db, &t.settings, &all, day("2024-10-12"))
        .await
        .unwrap();
    let raised = codes(&out.raised);
    assert!(
        raised.contains(&"signed_late") && raised.contains(&"price_deviation"),
        "{out:?}"
    );
    let open_rows: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM alerts WHERE kind IN ('signed_late', 'price_deviation') AND cleared_on IS NULL AND started_on = '2024-10-12'",
    )
    .fetch_one(&t.db.pool)
    .await
    .unwrap();
    assert_eq!(open_rows, 2);
}

on_both!(filing_rules_raise_once_and_follow_their_settings);
