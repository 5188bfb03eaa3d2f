//! 工程进度 on the services: one record per project, one update per month,
//! corrections with reasons, bad values refused at their fields with nothing
//! written, other units refused; each progress rule raised, not raised,
//! raised once and cleared, as of a day; the overdue order issued once.
use crate::{
    helpers::{TestDb, assert_field},
    on_both,
};
use app::{
    error::AppError,
    features::{
        self,
        progress::{
            self,
            service::{MonthForm, SiteForm, save_month, save_site},
        },
    },
    platform::{db::Backend, records, rules::run},
};
use chrono::NaiveDate;

/// The demo's filed kindergarten (教育局; signed 2025-05-30, planned
/// 2025-06-15 to 2026-06-14).
pub async fn kindergarten(t: &TestDb) -> i64 {
    sqlx::query_scalar(
        "SELECT f.id FROM filings f JOIN awards a ON a.id = f.award_id WHERE a.project_code = 'PY2025-0203' AND a.section_code = '01'",
    )
    .fetch_one(&t.db.pool)
    .await
    .unwrap()
}

/// The kindergarten's site (昆阳镇) as its owner records it.
pub fn site() -> SiteForm {
    SiteForm {
        actual_start: "2025-06-18".into(),
        address: "平阳县昆阳镇城西新区凤鸣路".into(),
        point: "27.6597, 120.5381".into(),
    }
}

fn month(m: &str, pct: &str, state: &str) -> MonthForm {
    MonthForm {
        month: m.into(),
        percent: pct.into(),
        state: state.into(),
        work_done: format!("{m} 主体结构施工"),
        investment: "850000".into(),
        drop_reason: String::new(),
    }
}

const PNG: &[u8] = include_bytes!("../../src/demo_assets/site-1.png");

/// A month's update, submitted with its photo, as if on `filed` (Beijing).
pub async fn report(t: &TestDb, filing_id: i64, form: MonthForm, filed: &str) -> i64 {
    report_as(t, "jiaoyu", filing_id, form, filed).await
}

/// [`report`] by another owner.
pub async fn report_as(
    t: &TestDb,
    owner: &str,
    filing_id: i64,
    form: MonthForm,
    filed: &str,
) -> i64 {
    let owner = t.actor(owner).await;
    let id = save_month(&t.db, &owner, 0, filing_id, &form, "", "")
        .await
        .unwrap();
    records::attach(
        &t.db,
        &owner,
        &progress::RECORD,
        id,
        "photo",
        "现场.png",
        "image/png",
        PNG.len(),
        &"ab".repeat(32),
        "",
    )
    .await
    .unwrap();
    records::submit(&t.db, &owner, &progress::RECORD, id)
        .await
        .unwrap();
    backdate(t, id, filed).await;
    id
}

async fn backdate(t: &TestDb, id: i64, filed: &str) {
    let day = NaiveDate::parse_from_str(filed, "%Y-%m-%d").unwrap();
    // 10:00 Beijing = 02:00 UTC.
    let ms = day
        .and_hms_opt(2, 0, 0)
        .unwrap()
        .and_utc()
        .timestamp_millis();
    sqlx::query("UPDATE progress_months SET submitted_at = $1 WHERE id = $2")
        .bind(ms)
        .bind(id)
        .execute(&t.db.pool)
        .await
        .unwrap();
}

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// Open alerts of the project from the progress rules: (rule, subject).
async fn open(t: &TestDb, filing_id: i64) -> Vec<(String, String)> {
    sqlx::query_as(
        "SELECT kind, subject FROM alerts WHERE filing_id = $1 AND cleared_on IS NULL ORDER BY kind, subject",
    )
    .bind(filing_id)
    .fetch_all(&t.db.pool)
    .await
    .unwrap()
}

async fn progress_rules(t: &TestDb, as_of: &str) {
    run(&t.db, &t.settings, progress::rules::RULES, d(as_of))
        .await
        .unwrap();
}

async fn one_record_and_one_update_per_month(b: Backend) {
    let t = TestDb::with_demo(b).await;
    let id = kindergarten(&t).await;
    let owner = t.actor("jiaoyu").await;
    // Bad values: each at its field, nothing written.
    let bad = SiteForm {
        actual_start: "2025-01-01".into(),
        address: "<script>".into(),
        point: "48.85, 2.35".into(),
    };
    let e = save_site(&t.db, &owner, id, &bad, "").await.unwrap_err();
    assert_field(&e, "actual_start", "中标日期");
    assert_field(&e, "address", "< >");
    assert_field(&e, "point", "中国境内");
    assert_eq!(t.count("progress").await, 0);
    save_site(&t.db, &owner, id, &site(), "").await.unwrap();
    let v = progress::service::view(&t.db, &owner, &t.settings, id)
        .await
        .unwrap();
    let s = v.site.clone().unwrap();
    assert_eq!((s.lat, s.lng), (Some(27.6597), Some(120.5381)));
    // One record per project: saving again edits it (versioned).
    let moved = SiteForm {
        point: "27.6601, 120.5390".into(),
        ..site()
    };
    save_site(&t.db, &owner, id, &moved, "1").await.unwrap();
    assert_eq!(t.count("progress").await, 1);
    let e = save_site(&t.db, &owner, id, &site(), "1")
        .await
        .unwrap_err();
    assert_eq!(e, AppError::Conflict, "a stale form is refused");

    // Months: bad values at their fields, nothing written.
    let e = save_month(
        &t.db,
        &owner,
        0,
        id,
        &month("2099-01", "101", "done"),
        "",
        "",
    )
    .await
    .unwrap_err();
    assert_field(&e, "month", "未来");
    assert_field(&e, "percent", "0–100");
    assert_field(&e, "state", "形象进度");
    let e = save_month(
        &t.db,
        &owner,
        0,
        id,
        &month("2025-04", "5", "in_progress"),
        "",
        "",
    )
    .await
    .unwrap_err();
    assert_field(&e, "month", "2025-05");
    assert_eq!(t.count("progress_months").await, 0);

    // A draft needs its photo before submission; a PDF is not a photo.
    let july = save_month(
        &t.db,
        &owner,
        0,
        id,
        &month("2025-07", "12", "in_progress"),
        "",
        "",
    )
    .await
    .unwrap();
    let e = records::submit(&t.db, &owner, &progress::RECORD, july)
        .await
        .unwrap_err();
    assert_field(&e, "file", "现场照片");
    let e = records::attach(
        &t.db,
        &owner,
        &progress::RECORD,
        july,
        "photo",
        "scan.pdf",
        "application/pdf",
        10,
        &"cd".repeat(32),
        "",
    )
    .await
    .unwrap_err();
    assert_field(&e, "file", "JPEG 或 PNG");
    records::void(&t.db, &owner, &progress::RECORD, july, "录错月份", None)
        .await
        .unwrap();
    report(&t, id, month("2025-07", "12", "in_progress"), "2025-08-03").await;
    // One update per month.
    let e = save_month(
        &t.db,
        &owner,
        0,
        id,
        &month("2025-07", "13", "in_progress"),
        "",
        "",
    )
    .await
    .unwrap_err();
    assert_field(&e, "month", "已填报");
    // A lower percent than before needs its reason.
    let e = save_month(
        &t.db,
        &owner,
        0,
        id,
        &month("2025-08", "10", "in_progress"),
        "",
        "",
    )
    .await
    .unwrap_err();
    assert_field(&e, "drop_reason", "12%");
    let aug = report(
        &t,
        id,
        MonthForm {
            drop_reason: "核减七月误报的土方量".into(),
            ..month("2025-08", "10", "in_progress")
        },
        "2025-09-03",
    )
    .await;
    // A correction of a submitted month needs its reason, and is kept.
    let e = save_month(
        &t.db,
        &owner,
        aug,
        id,
        &month("2025-08", "18", "in_progress"),
        "",
        "",
    )
    .await
    .unwrap_err();
    assert_field(&e, "reason", "更正原因");
    save_month(
        &t.db,
        &owner,
        aug,
        id,
        &month("2025-08", "18", "in_progress"),
        "监理复核后更正",
        "",
    )
    .await
    .unwrap();
    let m = progress::service::month(&t.db, &owner, aug).await.unwrap();
    assert_eq!((m.percent, m.prior_percent), (18, Some(12)));
    let corrections: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_log WHERE entity = 'progress_month' AND entity_id = $1 AND action = 'correct'",
    )
    .bind(aug.to_string())
    .fetch_one(&t.db.pool)
    .await
    .unwrap();
    assert_eq!(corrections, 1);
    // The page: months latest first, each with its planned percent.
    let v = progress::service::view(&t.db, &owner, &t.settings, id)
        .await
        .unwrap();
    assert_eq!(v.months.len(), 3, "the voided draft stays, marked");
    assert_eq!(v.months[0].month, "2025-08");
    assert!(v.months[0].planned_pct.unwrap() > 10.0);

    // Other units and supervisors never write; other units never read.
    let other = t.actor("chengjian").await;
    assert_eq!(
        save_site(&t.db, &other, id, &site(), "").await.unwrap_err(),
        AppError::Forbidden
    );
    assert_eq!(
        save_month(
            &t.db,
            &other,
            0,
            id,
            &month("2025-09", "20", "in_progress"),
            "",
            ""
        )
        .await
        .unwrap_err(),
        AppError::Forbidden
    );
    assert_eq!(
        save_month(
            &t.db,
            &other,
            aug,
            id,
            &month("2025-08", "30", "in_progress"),
            "x",
            ""
        )
        .await
        .unwrap_err(),
        AppError::Forbidden
    );
    assert_eq!(
        progress::service::view(&t.db, &other, &t.settings, id)
            .await
            .unwrap_err(),
        AppError::Forbidden
    );
    assert_eq!(
        progress::service::month(&t.db, &other, aug)
            .await
            .unwrap_err(),
        AppError::Forbidden
    );
    let zjj = t.actor("zjj").await;
    assert!(
        progress::service::view(&t.db, &zjj, &t.settings, id)
            .await
            .is_ok()
    );
    assert_eq!(
        save_site(&t.db, &zjj, id, &site(), "").await.unwrap_err(),
        AppError::Forbidden
    );
    let listed = progress::service::list(
        &t.db,
        &other,
        &progress::service::ProgressFilter::default(),
        1,
    )
    .await
    .unwrap();
    assert!(listed.items.iter().all(|r| r.filing_id != id));
}

async fn progress_rules_raise_once_and_clear(b: Backend) {
    let t = TestDb::with_demo(b).await;
    let id = kindergarten(&t).await;
    let owner = t.actor("jiaoyu").await;
    save_site(&t.db, &owner, id, &site(), "").await.unwrap();

    // Not due yet on the 5th; due (June and July missing) on the 6th.
    progress_rules(&t, "2025-08-05").await;
    assert_eq!(
        open(&t, id).await,
        vec![("progress_missing".to_string(), "2025-06".to_string())]
    );
    progress_rules(&t, "2025-08-06").await;
    progress_rules(&t, "2025-08-06").await;
    assert_eq!(
        open(&t, id).await,
        vec![
            ("progress_missing".to_string(), "2025-06".to_string()),
            ("progress_missing".to_string(), "2025-07".to_string()),
        ],
        "raised once"
    );
    // Filed late: cleared.
    report(&t, id, month("2025-06", "1", "in_progress"), "2025-08-07").await;
    report(&t, id, month("2025-07", "4", "in_progress"), "2025-08-07").await;
    progress_rules(&t, "2025-08-08").await;
    assert!(open(&t, id).await.is_empty());

    // October: 5 % against a planned 38 %: red, not yellow.
    report(&t, id, month("2025-08", "4", "in_progress"), "2025-09-03").await;
    report(&t, id, month("2025-09", "4", "in_progress"), "2025-10-03").await;
    let oct = report(&t, id, month("2025-10", "5", "in_progress"), "2025-11-03").await;
    progress_rules(&t, "2025-11-04").await;
    let kinds: Vec<String> = open(&t, id).await.into_iter().map(|(k, _)| k).collect();
    assert_eq!(kinds, vec!["progress_far_behind"]);
    // Corrected to 25 %: yellow instead.
    save_month(
        &t.db,
        &owner,
        oct,
        id,
        &month("2025-10", "25", "in_progress"),
        "补报十月完成量",
        "",
    )
    .await
    .unwrap();
    progress_rules(&t, "2025-11-04").await;
    let kinds: Vec<String> = open(&t, id).await.into_iter().map(|(k, _)| k).collect();
    assert_eq!(kinds, vec!["progress_behind"]);

    // Stopped two months in a row.
    report(&t, id, month("2025-11", "25", "stopped"), "2025-12-03").await;
    progress_rules(&t, "2025-12-04").await;
    assert!(!open(&t, id).await.iter().any(|(k, _)| k == "stopped_long"));
    report(&t, id, month("2025-12", "25", "stopped"), "2026-01-03").await;
    progress_rules(&t, "2026-01-04").await;
    assert!(
        open(&t, id)
            .await
            .contains(&("stopped_long".to_string(), "2025-11".to_string()))
    );

    // Progress payments of 40 % of the price against 25 % reported.
    let pay = app::features::payments::service::PaymentForm {
        filing_id: id.to_string(),
        kind: "progress".into(),
        paid_on: "2026-01-10".into(),
        amount: "5032000".into(),
        payee: "温州鳌江建筑工程有限公司".into(),
        voucher_no: "PYJY-ZF-T-1".into(),
        period_from: "2025-06-15".into(),
        period_to: "2025-12-31".into(),
        work_value: "6290000".into(),
        labour: "0".into(),
        settlement: String::new(),
        remarks: String::new(),
    };
    let p = app::features::payments::service::save(&t.db, &owner, 0, &pay, "", "")
        .await
        .unwrap();
    crate::money::file_and_submit(&t, &owner, &app::features::payments::RECORD, p).await;
    progress_rules(&t, "2026-01-11").await;
    assert!(open(&t, id).await.iter().any(|(k, _)| k == "paid_ahead"));

    // Past the planned completion and not finished: an alert, and an order
    // issued by itself, once.
    let before: i64 = t.count("supervision_orders").await;
    let e1 = features::evaluate_rules_as_of(&t.db, &t.settings, d("2026-06-15"))
        .await
        .unwrap();
    assert!(
        open(&t, id)
            .await
            .iter()
            .any(|(k, _)| k == "completion_overdue")
    );
    assert_eq!(e1.orders.len(), 1, "{e1:?}");
    let e2 = features::evaluate_rules_as_of(&t.db, &t.settings, d("2026-06-16"))
        .await
        .unwrap();
    assert!(e2.orders.is_empty(), "ordered once");
    assert_eq!(t.count("supervision_orders").await, before + 1);
    let issued_by: Option<i64> =
        sqlx::query_scalar("SELECT issued_by FROM supervision_orders ORDER BY id DESC LIMIT 1")
            .fetch_one(&t.db.pool)
            .await
            .unwrap();
    assert_eq!(issued_by, None, "issued by the system");
    // Reported finished: cleared.
    report(
        &t,
        id,
        MonthForm {
            work_done: "竣工验收".into(),
            ..month("2026-06", "100", "completed")
        },
        "2026-06-20",
    )
    .await;
    progress_rules(&t, "2026-06-21").await;
    assert!(
        !open(&t, id)
            .await
            .iter()
            .any(|(k, _)| k == "completion_overdue")
    );
}

/// Projects finished before the system went live are not asked for a
/// history; a project that reports is.
async fn old_works_are_not_asked_for_progress(b: Backend) {
    let t = TestDb::with_demo(b).await;
    let id = kindergarten(&t).await;
    progress_rules(&t, "2026-12-06").await;
    assert!(
        open(&t, id).await.is_empty(),
        "finished before go-live, no record"
    );
    let mut s = t.settings.clone();
    s.go_live = d("2026-06-01");
    run(&t.db, &s, progress::rules::RULES, d("2026-12-06"))
        .await
        .unwrap();
    assert!(
        open(&t, id)
            .await
            .iter()
            .any(|(k, _)| k == "completion_overdue"),
        "due to finish after go-live"
    );
}

on_both!(
    one_record_and_one_update_per_month,
    progress_rules_raise_once_and_clear,
    old_works_are_not_asked_for_progress,
    the_demo_tells_the_progress_story,
);

/// The demo county's progress story loads on both databases and shows what
/// it promises: every works project on the map with its months, the overdue
/// bridge under an automatic order, the stopped, behind and late cases, and
/// a late replacement with a penalty.
async fn the_demo_tells_the_progress_story(b: Backend) {
    let t = TestDb::with_demo(b).await;
    let files = app::platform::storage::FileStore::from_settings(&t.settings).unwrap();
    server::demo_history::load(&t.db, &files, &t.settings)
        .await
        .unwrap();
    server::demo_orders::load(&t.db, &t.settings).await.unwrap();
    if let Err(e) = server::demo_progress::load(&t.db, &files, &t.settings).await {
        panic!("{e}: {:?}", e.field_errors());
    }
    let sites: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM progress WHERE site_lat IS NOT NULL")
        .fetch_one(&t.db.pool)
        .await
        .unwrap();
    assert_eq!(sites, 9);
    let open_kinds: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT kind FROM alerts WHERE cleared_on IS NULL ORDER BY kind",
    )
    .fetch_all(&t.db.pool)
    .await
    .unwrap();
    for kind in [
        "completion_overdue",
        "stopped_long",
        "progress_far_behind",
        "progress_behind",
        "progress_missing",
        "paid_ahead",
        "key_replaced",
        "personnel_late",
    ] {
        assert!(
            open_kinds.iter().any(|k| k == kind),
            "{kind} in {open_kinds:?}"
        );
    }
    let automatic: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM supervision_orders WHERE issued_by IS NULL")
            .fetch_one(&t.db.pool)
            .await
            .unwrap();
    assert_eq!(automatic, 1, "the overdue bridge, ordered by the system");
    // The list names the open alerts of each project (only the owner's own).
    let jtfz = t.actor("jtfz").await;
    let flagged = progress::service::list(
        &t.db,
        &jtfz,
        &progress::service::ProgressFilter::parse("", "flagged"),
        1,
    )
    .await
    .unwrap();
    let bridge = flagged
        .items
        .iter()
        .find(|r| r.project.starts_with("水头镇溪边大桥"))
        .unwrap();
    assert!(
        bridge.flags.contains(&"逾期未竣工".to_string()),
        "{:?}",
        bridge.flags
    );
    assert!(
        flagged.items.iter().all(|r| !r.project.contains("管廊")),
        "another unit's"
    );
}
