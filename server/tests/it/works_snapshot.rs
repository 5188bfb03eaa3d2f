//! The progress works the map, the boards and the rules read are a snapshot
//! kept per process and brought up to date from the trail
//! (`platform::derived`): after each kind of write through the
//! services it equals a recomputation from the tables, a small write
//! re-reads only its project, a second process's write on the same database
//! is seen, and a new day is read afresh; the counted check-in days, read
//! by id, follow the table.
use crate::{
    helpers::TestDb,
    money::{a_change, a_payment, file_and_submit},
    on_both,
};
use app::{
    features::{
        attendance::service::{FilingLeads, leads_in, leads_recomputed},
        awards::service as awards,
        changes,
        county_map::sites::{MapSite, sites_in, sites_recomputed},
        filings::service as filings,
        payments::{
            self,
            paid::{paid_kept, paid_recomputed},
        },
        progress::{
            self,
            rules::{Works, works_kept, works_recomputed},
            service::{MonthForm, save_month, save_site},
        },
    },
    platform::{db::Backend, db::Db, derived::Served, project::ScopeBinds, records, time::today},
};

/// The snapshot's shared values, copied to compare.
fn owned<T: Clone>(values: Vec<std::sync::Arc<T>>) -> Vec<T> {
    values.into_iter().map(|v| (*v).clone()).collect()
}

async fn read(db: &Db) -> (Vec<Works>, Served) {
    let (works, served) = works_kept(db, today(), |_| true).await.unwrap();
    (owned(works), served)
}

/// Reads through the snapshot, checks it equals a recomputation, and says
/// how it was served.
async fn check(db: &Db, truth: &Db) -> (Vec<Works>, Served) {
    let (works, served) = read(db).await;
    assert_eq!(
        works,
        works_recomputed(truth, today()).await.unwrap(),
        "the snapshot ({served:?}) equals a recomputation"
    );
    (works, served)
}

fn of(works: &[Works], id: i64) -> &Works {
    works.iter().find(|w| w.filing_id == id).unwrap()
}

async fn follows_every_kind_of_write(b: Backend) {
    let t = TestDb::with_demo(b).await;
    let kg = crate::progress::kindergarten(&t).await;
    let owner = t.actor("jiaoyu").await;

    let (first, served) = check(&t.db, &t.db).await;
    assert_eq!(served, Served::Rebuilt);
    assert!(
        first.iter().any(|w| w.filing_id == kg),
        "the kindergarten is filed"
    );
    assert_eq!(check(&t.db, &t.db).await.1, Served::Kept, "nothing written");

    // The site record, then a month: each re-reads the one project.
    save_site(&t.db, &owner, kg, &crate::progress::site(), "")
        .await
        .unwrap();
    let (works, served) = check(&t.db, &t.db).await;
    assert_eq!(served, Served::Patched(1));
    assert!(of(&works, kg).has_record && !of(&first, kg).has_record);

    let form = MonthForm {
        month: "2025-07".into(),
        percent: "12".into(),
        state: "in_progress".into(),
        work_done: "基础施工".into(),
        investment: "850000".into(),
        drop_reason: String::new(),
    };
    let m = save_month(&t.db, &owner, 0, kg, &form, "", "")
        .await
        .unwrap();
    // A draft counts nowhere (the entry re-reads the project, unchanged).
    assert_eq!(of(&check(&t.db, &t.db).await.0, kg).months.len(), 0);
    let png = include_bytes!("../../src/demo_assets/site-1.png");
    records::attach(
        &t.db,
        &owner,
        &progress::RECORD,
        m,
        "photo",
        "现场.png",
        "image/png",
        png.len(),
        &"ab".repeat(32),
        "",
    )
    .await
    .unwrap();
    records::submit(&t.db, &owner, &progress::RECORD, m)
        .await
        .unwrap();
    let (works, served) = check(&t.db, &t.db).await;
    assert!(matches!(served, Served::Patched(1)), "{served:?}");
    assert_eq!(of(&works, kg).latest().unwrap().percent, 12);

    // An approved change moves the revised price and completion.
    let before = of(&works, kg).clone();
    let c = a_change(&t, &owner, kg).await;
    file_and_submit(&t, &owner, &changes::RECORD, c).await;
    let (works, _) = check(&t.db, &t.db).await;
    let after = of(&works, kg);
    assert_eq!(after.revised_fen, before.revised_fen + 50_000_000);
    assert!(after.revised_completion > before.revised_completion);

    // Another server process on the same database (its own caches) voids
    // the change; this process sees it at its next read.
    let other = Db::connect(&t.settings.database_url, t.db.trail_key.clone())
        .await
        .unwrap();
    records::void(&other, &owner, &changes::RECORD, c, "审批文件有误", None)
        .await
        .unwrap();
    let (works, served) = check(&t.db, &other).await;
    assert!(matches!(served, Served::Patched(1)), "{served:?}");
    assert_eq!(of(&works, kg).revised_fen, before.revised_fen);

    // What each project was paid follows the payments the same way.
    let (paid, served) = paid_kept(&t.db, today(), |_| true).await.unwrap();
    assert_eq!(served, Served::Rebuilt);
    assert_eq!(paid, paid_recomputed(&t.db, today()).await.unwrap());
    let was = paid
        .iter()
        .find(|(id, _)| *id == kg)
        .map_or(0, |(_, p)| p.total_fen);
    let p = a_payment(&t, &owner, kg).await;
    file_and_submit(&t, &owner, &payments::RECORD, p).await;
    let (paid, served) = paid_kept(&t.db, today(), |_| true).await.unwrap();
    assert!(matches!(served, Served::Patched(1)), "{served:?}");
    assert_eq!(paid, paid_recomputed(&t.db, today()).await.unwrap());
    let now = paid.iter().find(|(id, _)| *id == kg).unwrap().1.clone();
    assert_eq!(now.total_fen, was + 10_000_000);
    assert!(now.of_kind("advance") >= 10_000_000);
    let this_month = app::domain::progress::Month::of(today());
    assert!(
        now.within(this_month, this_month).1 >= 10_000_000,
        "paid this month"
    );

    // Another day: everything is read again, as of that day.
    let yesterday = today().pred_opt().unwrap();
    let (works, served) = works_kept(&t.db, yesterday, |_| true).await.unwrap();
    assert_eq!(served, Served::Rebuilt);
    assert_eq!(
        owned(works),
        works_recomputed(&t.db, yesterday).await.unwrap()
    );
}

/// Inserts a counted check-in of `who` on `day`, taken at `at` (ms), on
/// `conn` (a transaction the test may hold open).
async fn check_in(conn: &mut sqlx::AnyConnection, who: (i64, i64), day: &str, at: i64) -> i64 {
    sqlx::query_scalar(
        "INSERT INTO checkins (user_id, filing_id, at, day, lat, lng, accuracy_m, accepted, counted, basis, flags, device_key)
         VALUES ($1, $2, $3, $4, 27.66, 120.54, 10, 1, 1, 'area', '', 'test') RETURNING id",
    )
    .bind(who.0)
    .bind(who.1)
    .bind(at)
    .bind(day)
    .fetch_one(conn)
    .await
    .unwrap()
}

/// The counted check-in days the boards and rates read are kept per process
/// and read by id (`attendance::service::checkin_days`): they equal the
/// table, new rows are seen, and on PostgreSQL a row whose id was handed
/// out before another's but committed after it is not missed.
async fn checkin_days_follow_the_table(b: Backend) {
    use app::features::attendance::service::checkin_days;
    let t = TestDb::with_demo(b).await;
    let day = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    let members: Vec<(i64, i64)> =
        sqlx::query_as("SELECT user_id, filing_id FROM roster_members ORDER BY id LIMIT 3")
            .fetch_all(&t.db.pool)
            .await
            .unwrap();
    let who = members[0];
    // Earlier check-ins, then the first read.
    let mut conn = t.db.pool.acquire().await.unwrap();
    for (i, m) in members.iter().enumerate() {
        for d in 10..10 + 3 * (i + 1) {
            check_in(&mut conn, *m, &format!("2001-02-{d}"), 0).await;
        }
    }
    drop(conn);
    let rows: Vec<(i64, i64, String)> =
        sqlx::query_as("SELECT filing_id, user_id, day FROM checkins WHERE counted = 1")
            .fetch_all(&t.db.pool)
            .await
            .unwrap();
    assert!(rows.len() >= 3, "{} counted check-ins", rows.len());
    {
        let days = checkin_days(&t.db).await.unwrap();
        for (f, u, d) in &rows {
            assert!(days.counted(*f, *u, day(d)));
        }
        assert!(
            !days.counted(who.1, who.0, day("2001-02-13")),
            "three days only"
        );
        assert!(!days.counted(who.1, who.0 + 1_000_000, day("2001-02-10")));
        assert!(!days.counted(who.1, who.0, day("2001-01-02")));
    }
    let now = app::platform::time::now_ms();
    let mut conn = t.db.pool.acquire().await.unwrap();
    check_in(&mut conn, who, "2001-01-02", now).await;
    drop(conn);
    assert!(
        checkin_days(&t.db)
            .await
            .unwrap()
            .counted(who.1, who.0, day("2001-01-02"))
    );

    if b == Backend::Postgres {
        // The first id is handed out in a transaction that commits last.
        let mut slow = t.db.pool.begin().await.unwrap();
        let first = check_in(&mut slow, who, "2001-01-03", now).await;
        let mut conn = t.db.pool.acquire().await.unwrap();
        let second = check_in(&mut conn, who, "2001-01-04", now).await;
        drop(conn);
        assert!(first < second);
        {
            let days = checkin_days(&t.db).await.unwrap();
            assert!(days.counted(who.1, who.0, day("2001-01-04")));
            assert!(
                !days.counted(who.1, who.0, day("2001-01-03")),
                "not committed yet"
            );
        }
        slow.commit().await.unwrap();
        assert!(
            checkin_days(&t.db)
                .await
                .unwrap()
                .counted(who.1, who.0, day("2001-01-03")),
            "the smaller id committed later is read"
        );
    }
}

/// The lead roster as the snapshot keeps it, checked against a
/// recomputation.
async fn leads(t: &TestDb) -> Vec<FilingLeads> {
    let kept = owned(leads_in(&t.db, today(), &ScopeBinds::all()).await.unwrap());
    assert_eq!(
        kept,
        leads_recomputed(&t.db).await.unwrap(),
        "the lead roster equals a recomputation"
    );
    kept
}

fn names(all: &[FilingLeads], id: i64) -> Vec<(String, Option<String>)> {
    all.iter()
        .find(|f| f.filing_id == id)
        .map(|f| {
            f.leads
                .iter()
                .map(|l| (l.name.clone(), l.left.map(|d| d.to_string())))
                .collect()
        })
        .unwrap_or_default()
}

/// The lead roster the attendance board and compliance read follows the
/// writes that change it: a filing's submission, a personnel change's
/// replacement (the leaver's last day, the successor), a correction that
/// removes a lead; and it answers by scope.
async fn the_lead_roster_follows_its_writes(b: Backend) {
    let t = TestDb::with_demo(b).await;
    let first = leads(&t).await;
    let id = crate::filings::ready_filing(&t).await;
    assert!(names(&first, id).is_empty(), "a draft has no leads here");
    let owner = t.actor("chengjian").await;
    filings::submit(&t.db, &owner, id).await.unwrap();
    let day = today().to_string();
    assert_eq!(names(&leads(&t).await, id), [("赵建国".to_string(), None)]);

    let pm = crate::personnel::pm_of(&t, id).await;
    crate::personnel::replace(&t, &crate::personnel::form(id, pm, &day)).await;
    assert_eq!(
        names(&leads(&t).await, id),
        [
            ("赵建国".to_string(), Some(day.clone())),
            ("孙立军".to_string(), None)
        ]
    );

    let successor = crate::personnel::pm_of(&t, id).await;
    filings::remove_member(&t.db, &owner, id, successor, "录入有误，撤回")
        .await
        .unwrap();
    assert_eq!(
        names(&leads(&t).await, id),
        [
            ("赵建国".to_string(), Some(day.clone())),
            ("孙立军".to_string(), Some(day.clone()))
        ]
    );

    // Another owner's scope holds none of it; the county office's does.
    let theirs = leads_in(&t.db, today(), &ScopeBinds::of(&t.actor("jiaoyu").await))
        .await
        .unwrap();
    assert!(!theirs.is_empty() && theirs.iter().all(|f| f.filing_id != id));
    let county = leads_in(&t.db, today(), &ScopeBinds::of(&t.actor("zgb").await))
        .await
        .unwrap();
    assert!(county.iter().any(|f| f.filing_id == id));
}

/// The map's rows as the snapshot keeps them for `scope`, checked (for
/// the whole province) against a recomputation.
async fn sites(t: &TestDb, scope: &ScopeBinds) -> Vec<MapSite> {
    let all = owned(sites_in(&t.db, today(), &ScopeBinds::all()).await.unwrap());
    assert_eq!(
        all,
        sites_recomputed(&t.db).await.unwrap(),
        "the map's rows equal a recomputation"
    );
    owned(sites_in(&t.db, today(), scope).await.unwrap())
}

/// The map's rows (names, units, site and town) follow the writes that
/// change them: a site placed, a filing submitted, an award's correction;
/// and they answer by scope.
async fn the_map_rows_follow_their_writes(b: Backend) {
    let t = TestDb::with_demo(b).await;
    let all = ScopeBinds::all();
    let kg = crate::progress::kindergarten(&t).await;
    let first = sites(&t, &all).await;
    let row = |rows: &[MapSite], id: i64| rows.iter().find(|m| m.filing_id == id).cloned();
    let before = row(&first, kg).expect("the kindergarten is on the map");
    assert_eq!((before.site(), before.town.as_deref()), (None, None));

    let owner = t.actor("jiaoyu").await;
    save_site(&t.db, &owner, kg, &crate::progress::site(), "")
        .await
        .unwrap();
    let after = row(&sites(&t, &all).await, kg).unwrap();
    assert_eq!(after.site(), Some((27.6597, 120.5381)));
    assert_eq!(after.town.as_deref(), Some("昆阳镇"));

    // A draft is not on the map; submitted, it is.
    let id = crate::filings::ready_filing(&t).await;
    assert!(row(&sites(&t, &all).await, id).is_none());
    filings::submit(&t.db, &t.actor("chengjian").await, id)
        .await
        .unwrap();
    let added = row(&sites(&t, &all).await, id).expect("submitted: on the map");

    // The administrator's correction moves the award to another owner and
    // sector: its row follows, and so does the scope that holds it.
    let theirs = sites(&t, &ScopeBinds::of(&owner)).await;
    assert!(theirs.iter().any(|m| m.filing_id == kg));
    assert!(
        theirs
            .iter()
            .all(|m| m.owner == owner.unit_id && m.filing_id != id)
    );
    let award: i64 = sqlx::query_scalar("SELECT award_id FROM filings WHERE id = $1")
        .bind(id)
        .fetch_one(&t.db.pool)
        .await
        .unwrap();
    let c = awards::Correction::parse(
        &owner.unit_id.to_string(),
        &added.contractor.to_string(),
        "16,000,000.00",
        "other",
        "交易平台录入错误，依中标通知书更正",
    )
    .unwrap();
    awards::correct(&t.db, &t.settings, &t.actor("admin").await, award, &c)
        .await
        .unwrap();
    let moved = row(&sites(&t, &all).await, id).unwrap();
    assert_eq!(
        (moved.owner, moved.sector.as_str()),
        (owner.unit_id, "other")
    );
    assert_ne!(moved.owner, added.owner);
    let theirs = sites(&t, &ScopeBinds::of(&owner)).await;
    assert!(theirs.iter().any(|m| m.filing_id == id), "now the owner's");

    // The county office's scope holds them all.
    let county = sites(&t, &ScopeBinds::of(&t.actor("zgb").await)).await;
    assert_eq!(county.len(), sites_recomputed(&t.db).await.unwrap().len());
}

on_both!(
    follows_every_kind_of_write,
    checkin_days_follow_the_table,
    the_lead_roster_follows_its_writes,
    the_map_rows_follow_their_writes
);
