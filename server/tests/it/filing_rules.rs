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

fn codes(found: &[app::platform::rules::Change]) -> Vec<&str> {
    let mut c: Vec<&str> = found.iter().map(|c| c.rule).collect();
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

/// The alerts of the unfiled-award rule on award `award`: (started, cleared).
async fn unfiled_on(t: &TestDb, award: i64) -> Vec<(String, Option<String>)> {
    sqlx::query_as(
        "SELECT started_on, cleared_on FROM alerts WHERE kind = 'award_unfiled' AND award_id = $1 ORDER BY id",
    )
    .bind(award)
    .fetch_all(&t.db.pool)
    .await
    .unwrap()
}

/// 未按期备案: an award with no submitted filing 30 days after its notice.
/// Not raised within the 30 days, raised once after, cleared on the day the
/// filing is submitted (a draft does not count), the threshold honoured,
/// and a day-by-day replay; the alert is the owner's to see, not another
/// unit's.
async fn an_award_not_filed_in_time_raises_until_filed(b: Backend) {
    use app::features::awards::rules::unfiled::Unfiled;
    let t = TestDb::with_demo(b).await;
    let rule: [&dyn app::platform::rules::Rule; 1] = [&Unfiled];
    let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    // One award without a filing, noticed on 1 September 2026; the others
    // are moved out of the way (noticed today).
    let (award, owner_unit): (i64, i64) = sqlx::query_as(
        "SELECT a.id, a.owner_unit_id FROM awards a LEFT JOIN filings f ON f.award_id = a.id
         WHERE f.id IS NULL ORDER BY a.id LIMIT 1",
    )
    .fetch_one(&t.db.pool)
    .await
    .unwrap();
    sqlx::query("UPDATE awards SET award_date = CASE WHEN id = $1 THEN '2026-09-01' ELSE $2 END")
        .bind(award)
        .bind(today().to_string())
        .execute(&t.db.pool)
        .await
        .unwrap();

    // Due on 1 October (30 days): nothing that day, raised the next.
    let out = run(&t.db, &t.settings, &rule, day("2026-10-01"))
        .await
        .unwrap();
    assert!(out.raised.is_empty(), "{out:?}");
    let out = run(&t.db, &t.settings, &rule, day("2026-10-02"))
        .await
        .unwrap();
    assert_eq!(out.raised.len(), 1, "{out:?}");
    assert_eq!(out.raised[0].on, app::platform::rules::On::Award(award));
    assert!(
        out.raised[0].message.contains("中标通知书 2026-09-01")
            && out.raised[0].message.contains("应于 2026-10-01 前"),
        "{}",
        out.raised[0].message
    );
    assert_eq!(unfiled_on(&t, award).await, [("2026-10-02".into(), None)]);
    // Raised once.
    let again = run(&t.db, &t.settings, &rule, day("2026-10-05"))
        .await
        .unwrap();
    assert!(
        again.raised.is_empty() && again.cleared.is_empty(),
        "{again:?}"
    );

    // The owner unit sees it in its list (no filing yet, so the link goes
    // to the award); another owner unit does not.
    let owner_login: String = sqlx::query_scalar(
        "SELECT username FROM users WHERE unit_id = $1 AND role = 'owner' ORDER BY id LIMIT 1",
    )
    .bind(owner_unit)
    .fetch_one(&t.db.pool)
    .await
    .unwrap();
    let mine = crate::alerts_list::alerts(&t.db, &t.actor(&owner_login).await)
        .await
        .unwrap();
    let a = mine
        .iter()
        .find(|a| a.kind == "award_unfiled")
        .expect("listed");
    assert_eq!(a.filing_id, None);
    assert!(a.link.starts_with("/awards?q="), "{}", a.link);
    let other: String = sqlx::query_scalar(
        "SELECT u.username FROM users u WHERE u.role = 'owner' AND u.unit_id <> $1 ORDER BY u.id LIMIT 1",
    )
    .bind(owner_unit)
    .fetch_one(&t.db.pool)
    .await
    .unwrap();
    let theirs = crate::alerts_list::alerts(&t.db, &t.actor(&other).await)
        .await
        .unwrap();
    assert!(
        theirs.iter().all(|a| a.kind != "award_unfiled"),
        "{theirs:?}"
    );

    // A laxer limit clears it; back at 30 days it is raised anew.
    let mut lax = t.settings.clone();
    lax.file_within_days = 60;
    let out = run(&t.db, &lax, &rule, day("2026-10-05")).await.unwrap();
    assert_eq!(out.cleared.len(), 1, "{out:?}");
    run(&t.db, &t.settings, &rule, day("2026-10-05"))
        .await
        .unwrap();
    assert_eq!(unfiled_on(&t, award).await.len(), 2);

    // A draft filing is not a filing; one submitted at 10:00 on 10 October
    // (Beijing) clears the alert as of that day, not before.
    let submitted_at = 1_791_597_600_000i64; // 2026-10-10 10:00 +08:00
    sqlx::query(
        "INSERT INTO filings (award_id, status, created_at, updated_at) VALUES ($1, 'draft', $2, $2)",
    )
    .bind(award)
    .bind(submitted_at)
    .execute(&t.db.pool)
    .await
    .unwrap();
    let out = run(&t.db, &t.settings, &rule, day("2026-10-09"))
        .await
        .unwrap();
    assert!(out.cleared.is_empty(), "a draft: {out:?}");
    sqlx::query("UPDATE filings SET status = 'submitted', submitted_at = $1 WHERE award_id = $2")
        .bind(submitted_at)
        .bind(award)
        .execute(&t.db.pool)
        .await
        .unwrap();
    let out = run(&t.db, &t.settings, &rule, day("2026-10-09"))
        .await
        .unwrap();
    assert!(out.cleared.is_empty(), "submitted the next day: {out:?}");
    let out = run(&t.db, &t.settings, &rule, day("2026-10-10"))
        .await
        .unwrap();
    assert_eq!(out.cleared.len(), 1, "{out:?}");
    assert_eq!(
        unfiled_on(&t, award).await.last().unwrap().1.as_deref(),
        Some("2026-10-10")
    );

    // Replayed day by day from 28 September to 12 October: open from the
    // 2nd up to (not including) the 10th.
    let mut d = day("2026-09-28");
    while d <= day("2026-10-12") {
        run(&t.db, &t.settings, &rule, d).await.unwrap();
        let open: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM alerts WHERE kind = 'award_unfiled' AND award_id = $1 AND cleared_on IS NULL",
        )
        .bind(award)
        .fetch_one(&t.db.pool)
        .await
        .unwrap();
        let late = d >= day("2026-10-02") && d < day("2026-10-10");
        assert_eq!(open, late as i64, "as of {d}");
        d = d.succ_opt().unwrap();
    }
}

on_both!(
    filing_rules_raise_once_and_follow_their_settings,
    an_award_not_filed_in_time_raises_until_filed
);
