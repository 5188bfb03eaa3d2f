//! Project changes, payments and their rules, on the services: totals after
//! create/submit/void/correct, each rule raised once and cleared, bad values
//! refused at their fields with nothing written, other units refused, and
//! writes under contention.
use crate::{
    helpers::{TestDb, assert_field},
    on_both,
};
use app::{
    error::AppError,
    features::{
        changes::{self, service::ChangeForm},
        payments::{self, service::PaymentForm},
        rules,
    },
    kit::table::Rows,
    platform::{
        actor::Actor,
        db::Backend,
        project,
        records::{self, ListFilter, RecordKind},
        rules::run,
        time::today,
    },
};
use chrono::NaiveDate;

/// The demo's filed kindergarten (教育局, contract 12,580,000 元, signed
/// 2025-05-30, planned completion 2026-06-14).
async fn kindergarten(t: &TestDb) -> i64 {
    sqlx::query_scalar(
        "SELECT f.id FROM filings f JOIN awards a ON a.id = f.award_id WHERE a.project_code = 'PY2025-0203' AND a.section_code = '01'",
    )
    .fetch_one(&t.db.pool)
    .await
    .unwrap()
}

fn change_form(filing_id: i64) -> ChangeForm {
    ChangeForm {
        filing_id: filing_id.to_string(),
        kind: "schedule".into(),
        title: "雨季停工顺延工期".into(),
        content: "2025 年 7 月连续强降雨，基坑停工 30 天。".into(),
        cause: "不可抗力".into(),
        responsibility: "force_majeure".into(),
        price_delta: "500000".into(),
        days_delta: "30".into(),
        approver: "平阳县教育局".into(),
        approver_level: "owner".into(),
        approval_no: "平教基〔2025〕45号".into(),
        approved_on: "2025-08-10".into(),
    }
}

fn payment_form(
    filing_id: i64,
    kind: &str,
    paid_on: &str,
    amount: &str,
    voucher: &str,
) -> PaymentForm {
    PaymentForm {
        filing_id: filing_id.to_string(),
        kind: kind.into(),
        paid_on: paid_on.into(),
        amount: amount.into(),
        payee: "温州鳌江建筑工程有限公司".into(),
        voucher_no: voucher.into(),
        ..Default::default()
    }
}

/// A draft change on `filing_id` (a filed project of `owner`'s unit).
pub async fn a_change(t: &TestDb, owner: &Actor, filing_id: i64) -> i64 {
    let mut f = change_form(filing_id);
    f.approved_on = today().to_string();
    changes::service::save(&t.db, owner, 0, &f, "", "")
        .await
        .unwrap()
}

/// A draft advance payment on `filing_id`.
pub async fn a_payment(t: &TestDb, owner: &Actor, filing_id: i64) -> i64 {
    let f = payment_form(
        filing_id,
        "advance",
        &today().to_string(),
        "100000",
        "ZF-M1",
    );
    payments::service::save(&t.db, owner, 0, &f, "", "")
        .await
        .unwrap()
}

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj << >> endobj\n%%EOF\n";

/// Attaches the record's required document and submits it.
pub(crate) async fn file_and_submit(t: &TestDb, owner: &Actor, kind: &RecordKind, id: i64) {
    let file_kind = kind.file_kinds[0].0;
    let sha = "ab".repeat(32);
    records::attach(
        &t.db,
        owner,
        kind,
        id,
        file_kind,
        "文件.pdf",
        "application/pdf",
        PDF.len(),
        &sha,
        "",
    )
    .await
    .unwrap();
    records::submit(&t.db, owner, kind, id).await.unwrap();
}

async fn figures(t: &TestDb, owner: &Actor, id: i64) -> app::domain::ProjectFigures {
    let mut conn = t.db.pool.acquire().await.unwrap();
    let p = project::read(&mut conn, owner, id).await.unwrap();
    project::figures(&mut conn, &p, today()).await.unwrap()
}

async fn changes_move_the_revised_price_and_completion(b: Backend) {
    let t = TestDb::with_demo(b).await;
    let owner = t.actor("jiaoyu").await;
    let id = kindergarten(&t).await;
    let c = changes::service::save(&t.db, &owner, 0, &change_form(id), "", "")
        .await
        .unwrap();
    // A draft counts nowhere, and cannot be submitted without its approval.
    let f = figures(&t, &owner, id).await;
    assert_eq!(
        (f.change_fen, f.revised_completion.as_deref()),
        (0, Some("2026-06-14"))
    );
    let e = records::submit(&t.db, &owner, &changes::RECORD, c)
        .await
        .unwrap_err();
    assert_field(&e, "file", "变更批准文件");
    file_and_submit(&t, &owner, &changes::RECORD, c).await;
    let f = figures(&t, &owner, id).await;
    assert_eq!(f.change_fen, 50_000_000);
    assert_eq!(f.revised_fen(), 1_258_000_000 + 50_000_000);
    assert_eq!(f.revised_completion.as_deref(), Some("2026-07-14"));
    let shown = changes::service::get(&t.db, &owner, c).await.unwrap();
    assert_eq!((shown.prior_fen, shown.price_delta_fen), (0, 50_000_000));

    // A correction needs a reason and the version the form showed.
    let mut form = change_form(id);
    form.price_delta = "-200000".into();
    let v = shown.version.to_string();
    let e = changes::service::save(&t.db, &owner, c, &form, "", &v)
        .await
        .unwrap_err();
    assert_field(&e, "reason", "更正原因");
    changes::service::save(&t.db, &owner, c, &form, "按审计意见核减", &v)
        .await
        .unwrap();
    let e = changes::service::save(&t.db, &owner, c, &change_form(id), "再改", &v)
        .await
        .unwrap_err();
    assert_eq!(e, AppError::Conflict, "a stale form is refused");
    assert_eq!(figures(&t, &owner, id).await.change_fen, -20_000_000);

    // A second change shows the first as 累计变更（不含本次）.
    let mut second = change_form(id);
    second.kind = "design".into();
    second.days_delta = "0".into();
    second.price_delta = "300000".into();
    second.approval_no = "平教基〔2025〕61号".into();
    second.approved_on = "2025-10-22".into();
    let c2 = changes::service::save(&t.db, &owner, 0, &second, "", "")
        .await
        .unwrap();
    file_and_submit(&t, &owner, &changes::RECORD, c2).await;
    let shown = changes::service::get(&t.db, &owner, c2).await.unwrap();
    assert_eq!(shown.prior_fen, -20_000_000);

    // A voided change leaves the totals; it is kept with its reason.
    let e = records::void(&t.db, &owner, &changes::RECORD, c, " ", None)
        .await
        .unwrap_err();
    assert_field(&e, "void_reason", "作废原因");
    records::void(&t.db, &owner, &changes::RECORD, c, "重复登记", None)
        .await
        .unwrap();
    let f = figures(&t, &owner, id).await;
    assert_eq!((f.change_fen, f.change_days), (30_000_000, 0));
    assert_eq!(f.revised_completion.as_deref(), Some("2026-06-14"));
    let gone = changes::service::get(&t.db, &owner, c).await.unwrap();
    assert_eq!(gone.status, app::domain::RecordStatus::Voided);
    assert_eq!(gone.void_reason.as_deref(), Some("重复登记"));
    let e = changes::service::save(&t.db, &owner, c, &change_form(id), "改", "")
        .await
        .unwrap_err();
    assert!(e.to_string().contains("已作废"), "{e}");
    assert_eq!(t.count("project_changes").await, 2, "nothing is deleted");
    // Every step is in the trail.
    let steps: Vec<String> = sqlx::query_scalar(
        "SELECT action FROM audit_log WHERE entity = 'change' AND entity_id = $1 ORDER BY seq",
    )
    .bind(c.to_string())
    .fetch_all(&t.db.pool)
    .await
    .unwrap();
    assert_eq!(steps, ["create", "attach", "register", "correct", "void"]);
}

async fn payments_add_up_by_kind(b: Backend) {
    let t = TestDb::with_demo(b).await;
    let owner = t.actor("jiaoyu").await;
    let id = kindergarten(&t).await;
    let a = payments::service::save(
        &t.db,
        &owner,
        0,
        &payment_form(id, "advance", "2025-06-20", "1258000", "ZF-001"),
        "",
        "",
    )
    .await
    .unwrap();
    file_and_submit(&t, &owner, &payments::RECORD, a).await;
    let mut progress = payment_form(id, "progress", "2025-09-25", "1650000", "ZF-002");
    progress.period_from = "2025-06-15".into();
    progress.period_to = "2025-08-31".into();
    progress.work_value = "2900000".into();
    progress.labour = "420000".into();
    let p = payments::service::save(&t.db, &owner, 0, &progress, "", "")
        .await
        .unwrap();
    file_and_submit(&t, &owner, &payments::RECORD, p).await;
    let f = figures(&t, &owner, id).await;
    assert_eq!(f.paid_fen, 290_800_000);
    assert_eq!(f.payment_count, 2);
    let by = |k: &str| f.paid_by_kind.iter().find(|(c, _)| c == k).unwrap().1;
    assert_eq!(
        (by("advance"), by("progress"), by("settlement")),
        (125_800_000, 165_000_000, 0)
    );
    assert_eq!(f.balance_fen(), 1_258_000_000 - 290_800_000);
    let shown = payments::service::get(&t.db, &owner, p).await.unwrap();
    assert_eq!(shown.prior_fen, 125_800_000);
    // The timeline runs in date order with its running total.
    let line = payments::service::timeline(&t.db, &owner, id)
        .await
        .unwrap();
    assert_eq!(
        line.iter()
            .map(|x| (x.id, x.cumulative_fen))
            .collect::<Vec<_>>(),
        [(a, 125_800_000), (p, 290_800_000)]
    );
    assert!((line[0].cumulative_pct - 10.0).abs() < 1e-9);
    // The list shows them, newest first; the supervisor of the sector too.
    let filter = ListFilter::parse("", "", id);
    let list = payments::service::list(&t.db, &owner, &filter, 1)
        .await
        .unwrap();
    assert_eq!(list.items.iter().map(|r| r.id).collect::<Vec<_>>(), [p, a]);
    let zjj = t.actor("zjj").await;
    assert_eq!(
        payments::service::list(&t.db, &zjj, &filter, Rows::All)
            .await
            .unwrap()
            .total,
        2
    );
    let jtj = t.actor("jtj").await;
    assert_eq!(
        payments::service::list(&t.db, &jtj, &filter, Rows::All)
            .await
            .unwrap()
            .total,
        0
    );
    // Voided, the payment leaves the totals.
    records::void(&t.db, &owner, &payments::RECORD, p, "凭证号录错", None)
        .await
        .unwrap();
    assert_eq!(figures(&t, &owner, id).await.paid_fen, 125_800_000);
}

async fn raised(t: &TestDb, code: &str) -> Vec<(i64, String, Option<String>)> {
    sqlx::query_as("SELECT filing_id, subject, cleared_on FROM alerts WHERE kind = $1 ORDER BY id")
        .bind(code)
        .fetch_all(&t.db.pool)
        .await
        .unwrap()
}

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// The advance rule: raised once while it holds, honouring its setting,
/// cleared (with the day) when the payment is voided.
async fn the_advance_rule_is_raised_once_and_cleared(b: Backend) {
    let t = TestDb::with_demo(b).await;
    let owner = t.actor("jiaoyu").await;
    let id = kindergarten(&t).await;
    // The money rules (the demo's unfiled awards raise their own).
    let all = app::features::payments::rules::RULES.to_vec();
    let ok = payments::service::save(
        &t.db,
        &owner,
        0,
        &payment_form(id, "advance", "2025-06-20", "2516000", "ZF-A1"),
        "",
        "",
    )
    .await
    .unwrap();
    file_and_submit(&t, &owner, &payments::RECORD, ok).await;
    let out = run(&t.db, &t.settings, &all, today()).await.unwrap();
    assert!(out.raised.is_empty(), "20 % is within the limit: {out:?}");
    let over = payments::service::save(
        &t.db,
        &owner,
        0,
        &payment_form(id, "advance", "2025-07-20", "1887000", "ZF-A2"),
        "",
        "",
    )
    .await
    .unwrap();
    file_and_submit(&t, &owner, &payments::RECORD, over).await;
    // As of a day before the second advance, nothing breaks the rule yet.
    let out = run(&t.db, &t.settings, &all, day("2025-07-01"))
        .await
        .unwrap();
    assert!(out.raised.is_empty(), "{out:?}");
    // A higher threshold in the settings: 35 % is allowed.
    let mut lenient = t.settings.clone();
    lenient.money.advance_max_pct = 40.0;
    assert!(
        run(&t.db, &lenient, &all, today())
            .await
            .unwrap()
            .raised
            .is_empty()
    );
    let out = run(&t.db, &t.settings, &all, today()).await.unwrap();
    assert_eq!(out.raised.len(), 1, "{out:?}");
    assert!(
        out.raised[0].message.contains("35.0%"),
        "{}",
        out.raised[0].message
    );
    assert!(
        run(&t.db, &t.settings, &all, today())
            .await
            .unwrap()
            .raised
            .is_empty(),
        "raised once"
    );
    let alerts = raised(&t, "advance_over").await;
    assert_eq!(alerts, [(id, format!("payment:{over}"), None)]);
    let started: String =
        sqlx::query_scalar("SELECT started_on FROM alerts WHERE kind = 'advance_over'")
            .fetch_one(&t.db.pool)
            .await
            .unwrap();
    assert_eq!(started, "2025-07-20");
    // The payment's row shows the flag.
    let rows = payments::service::list(&t.db, &owner, &ListFilter::parse("", "flagged", id), 1)
        .await
        .unwrap();
    assert_eq!(rows.items.len(), 1);
    assert_eq!(rows.items[0].flags, ["预付款超比例"]);
    records::void(&t.db, &owner, &payments::RECORD, over, "误录", None)
        .await
        .unwrap();
    let out = run(&t.db, &t.settings, &all, today()).await.unwrap();
    assert_eq!(out.cleared.len(), 1);
    assert_eq!(
        raised(&t, "advance_over").await[0].2.as_deref(),
        Some(today().to_string().as_str())
    );
}

/// The demo's money story breaks every rule somewhere and the clean
/// projects break none; replaying an earlier day raises only what held then.
async fn every_money_rule_fires_on_the_demo_story(b: Backend) {
    let t = TestDb::with_demo(b).await;
    let files = app::platform::storage::FileStore::from_settings(&t.settings).unwrap();
    assert!(
        server::demo_history::load(&t.db, &files, &t.settings)
            .await
            .unwrap()
    );
    let by_project = |code: &'static str| {
        let t = &t;
        async move {
            let rows: Vec<String> = sqlx::query_scalar(
                "SELECT a.project_name FROM alerts x JOIN filings f ON f.id = x.filing_id JOIN awards a ON a.id = f.award_id
                 WHERE x.kind = $1 AND x.cleared_on IS NULL ORDER BY a.project_name",
            )
            .bind(code)
            .fetch_all(&t.db.pool)
            .await
            .unwrap();
            rows
        }
    };
    assert_eq!(by_project("advance_over").await, ["鳌江镇滨江路改造工程"]);
    assert_eq!(
        by_project("overpaid").await,
        ["平阳县104国道萧江段改建工程"]
    );
    assert_eq!(
        by_project("progress_underpaid").await,
        ["平阳县城西幼儿园新建工程", "鳌江镇滨江路改造工程"]
    );
    assert_eq!(
        by_project("retention_over").await,
        ["平阳县第二中学教学楼扩建工程"]
    );
    assert_eq!(
        by_project("retention_none").await,
        ["平阳县104国道萧江段改建工程"]
    );
    assert_eq!(by_project("changes_over").await, ["鳌江镇滨江路改造工程"]);
    assert_eq!(by_project("change_large").await, ["鳌江镇滨江路改造工程"]);
    let clean: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM alerts x JOIN filings f ON f.id = x.filing_id JOIN awards a ON a.id = f.award_id
         WHERE a.project_name = '南雁镇农村公路提升工程' AND x.kind NOT LIKE 'evaluation%'",
    )
    .fetch_one(&t.db.pool)
    .await
    .unwrap();
    assert_eq!(clean, 0, "the clean project raises nothing");
    // Running again raises nothing new.
    let all = rules();
    let again = run(&t.db, &t.settings, &all, today()).await.unwrap();
    assert!(
        again.raised.is_empty() && again.cleared.is_empty(),
        "{again:?}"
    );

    // The same story replayed from the start on a fresh database, day by
    // day through 2024: the 滨江路 advance (2023-10-20) raises that day.
    let t2 = TestDb::with_demo(b).await;
    let files2 = app::platform::storage::FileStore::from_settings(&t2.settings).unwrap();
    server::demo_history::load(&t2.db, &files2, &t2.settings)
        .await
        .unwrap();
    sqlx::query("UPDATE alerts SET cleared_on = '2000-01-01' WHERE cleared_on IS NULL")
        .execute(&t2.db.pool)
        .await
        .unwrap();
    let mut first_advance = None;
    let mut d = day("2023-10-18");
    while d <= day("2023-10-22") {
        let out = run(&t2.db, &t2.settings, &all, d).await.unwrap();
        if out.raised.iter().any(|c| c.rule == "advance_over") {
            first_advance.get_or_insert(d);
        }
        d = d.succ_opt().unwrap();
    }
    assert_eq!(first_advance, Some(day("2023-10-20")));
    // Before the 104国道 settlement it was not overpaid.
    let out = run(&t2.db, &t2.settings, &all, day("2025-06-30"))
        .await
        .unwrap();
    assert!(!out.raised.iter().any(|c| c.rule == "overpaid"), "{out:?}");
    let out = run(&t2.db, &t2.settings, &all, day("2025-11-20"))
        .await
        .unwrap();
    assert!(out.raised.iter().any(|c| c.rule == "overpaid"), "{out:?}");
}

async fn bad_values_are_refused_at_their_fields_and_write_nothing(b: Backend) {
    let t = TestDb::with_demo(b).await;
    let owner = t.actor("jiaoyu").await;
    let id = kindergarten(&t).await;
    let before = (
        t.count("project_changes").await,
        t.count("payments").await,
        t.count("audit_log").await,
    );
    let (long_title, long_remarks) = ("长".repeat(101), "备".repeat(501));
    let cases: Vec<(&str, &str, &str)> = vec![
        ("title", "", "请填写"),
        ("title", "变更😀", "表情"),
        ("title", "<script>alert(1)</script>", "< >"),
        ("title", &long_title, "不能超过"),
        ("content", "<img src=x onerror=alert(1)>", "< >"),
        ("cause", " ", "请填写"),
        ("price_delta", "abc", "数字"),
        ("price_delta", "1.234", "两位小数"),
        ("days_delta", "1.5", "整数"),
        ("days_delta", "9999", "整数"),
        ("approved_on", "2030-01-01", "晚于今天"),
        ("approved_on", "2025-01-01", "签订日期"),
        ("approved_on", "2025-02-30", ""),
        ("kind", "delete", "变更类型"),
        ("approval_no", "平\u{202E}教", "不可见"),
    ];
    for (field, value, message) in cases {
        let mut f = change_form(id);
        match field {
            "title" => f.title = value.into(),
            "content" => f.content = value.into(),
            "cause" => f.cause = value.into(),
            "price_delta" => f.price_delta = value.into(),
            "days_delta" => f.days_delta = value.into(),
            "approved_on" => f.approved_on = value.into(),
            "kind" => f.kind = value.into(),
            "approval_no" => f.approval_no = value.into(),
            _ => unreachable!(),
        }
        let e = changes::service::save(&t.db, &owner, 0, &f, "", "")
            .await
            .unwrap_err();
        assert_field(&e, field, message);
    }
    // SQL in a title is stored as text, never run.
    let mut f = change_form(id);
    f.title = "x'); DROP TABLE project_changes;--".into();
    let c = changes::service::save(&t.db, &owner, 0, &f, "", "")
        .await
        .unwrap();
    assert_eq!(
        changes::service::get(&t.db, &owner, c).await.unwrap().title,
        f.title
    );
    sqlx::query("DELETE FROM audit_log WHERE 1 = 0")
        .execute(&t.db.pool)
        .await
        .ok();
    let before = (before.0 + 1, before.1, before.2 + 1);

    let pays: Vec<(&str, &str, &str)> = vec![
        ("amount", "-5", "大于 0"),
        ("amount", "0", "大于 0"),
        ("amount", "", "请填写"),
        ("paid_on", "2027-01-01", "晚于今天"),
        ("paid_on", "2025-05-01", "签订日期"),
        ("voucher_no", "", "请填写"),
        ("voucher_no", "😀", "表情"),
        ("payee", "<b>x</b>", "< >"),
        ("kind", "bribe", "拨付类型"),
        ("labour", "-1", "大于 0"),
        ("remarks", &long_remarks, "不能超过"),
    ];
    for (field, value, message) in pays {
        let mut p = payment_form(id, "advance", "2025-06-20", "100000", "ZF-BAD");
        match field {
            "amount" => p.amount = value.into(),
            "paid_on" => p.paid_on = value.into(),
            "voucher_no" => p.voucher_no = value.into(),
            "payee" => p.payee = value.into(),
            "kind" => p.kind = value.into(),
            "labour" => p.labour = value.into(),
            "remarks" => p.remarks = value.into(),
            _ => unreachable!(),
        }
        let e = payments::service::save(&t.db, &owner, 0, &p, "", "")
            .await
            .unwrap_err();
        assert_field(&e, field, message);
    }
    // A progress payment needs its period and the confirmed work value; a
    // settlement its total; labour cannot exceed the amount.
    let e = payments::service::save(
        &t.db,
        &owner,
        0,
        &payment_form(id, "progress", "2025-09-25", "100000", "ZF-P"),
        "",
        "",
    )
    .await
    .unwrap_err();
    assert_field(&e, "period_from", "计量周期");
    assert_field(&e, "work_value", "已完成工程价款");
    let e = payments::service::save(
        &t.db,
        &owner,
        0,
        &payment_form(id, "settlement", "2025-09-25", "100000", "ZF-S"),
        "",
        "",
    )
    .await
    .unwrap_err();
    assert_field(&e, "settlement", "结算审定价");
    let mut l = payment_form(id, "advance", "2025-06-20", "100000", "ZF-L");
    l.labour = "100001".into();
    let e = payments::service::save(&t.db, &owner, 0, &l, "", "")
        .await
        .unwrap_err();
    assert_field(&e, "labour", "不能超过");

    // A payment on a draft filing (城建's hospital, started but not filed).
    let chengjian = t.actor("chengjian").await;
    let award: i64 = sqlx::query_scalar("SELECT id FROM awards WHERE project_code = 'PY2024-0118'")
        .fetch_one(&t.db.pool)
        .await
        .unwrap();
    let draft = app::features::filings::service::start(&t.db, &chengjian, award)
        .await
        .unwrap();
    let e = payments::service::save(
        &t.db,
        &chengjian,
        0,
        &payment_form(draft, "advance", "2025-06-20", "1", "X"),
        "",
        "",
    )
    .await
    .unwrap_err();
    assert_field(&e, "filing_id", "尚未提交备案");
    let before = (before.0, before.1, before.2 + 1); // the draft filing's start
    assert_eq!(
        (
            t.count("project_changes").await,
            t.count("payments").await,
            t.count("audit_log").await
        ),
        before,
        "refused saves wrote nothing"
    );
}

async fn other_units_can_neither_read_nor_write(b: Backend) {
    let t = TestDb::with_demo(b).await;
    let owner = t.actor("jiaoyu").await;
    let id = kindergarten(&t).await;
    let c = changes::service::save(&t.db, &owner, 0, &change_form(id), "", "")
        .await
        .unwrap();
    let p = payments::service::save(
        &t.db,
        &owner,
        0,
        &payment_form(id, "advance", "2025-06-20", "100000", "ZF-X"),
        "",
        "",
    )
    .await
    .unwrap();
    let other = t.actor("chengjian").await;
    let jtj = t.actor("jtj").await; // the transport authority: another sector
    for who in [&other, &jtj] {
        assert_eq!(
            changes::service::get(&t.db, who, c).await.unwrap_err(),
            AppError::Forbidden
        );
        assert_eq!(
            payments::service::get(&t.db, who, p).await.unwrap_err(),
            AppError::Forbidden
        );
        let list = changes::service::list(&t.db, who, &ListFilter::parse("", "", id), 1)
            .await
            .unwrap();
        assert_eq!(list.total, 0);
    }
    let e = changes::service::save(&t.db, &other, 0, &change_form(id), "", "")
        .await
        .unwrap_err();
    assert_eq!(e, AppError::Forbidden);
    let e = changes::service::save(&t.db, &other, c, &change_form(id), "", "")
        .await
        .unwrap_err();
    assert_eq!(e, AppError::Forbidden);
    let e = payments::service::save(
        &t.db,
        &other,
        p,
        &payment_form(id, "advance", "2025-06-20", "1", "Y"),
        "",
        "",
    )
    .await
    .unwrap_err();
    assert_eq!(e, AppError::Forbidden);
    for kind in [&changes::RECORD, &payments::RECORD] {
        let rid = if kind.entity == "change" { c } else { p };
        assert_eq!(
            records::submit(&t.db, &other, kind, rid).await.unwrap_err(),
            AppError::Forbidden
        );
        assert_eq!(
            records::void(&t.db, &other, kind, rid, "恶意作废", None)
                .await
                .unwrap_err(),
            AppError::Forbidden
        );
        let e = records::attach(
            &t.db,
            &other,
            kind,
            rid,
            kind.file_kinds[0].0,
            "x.pdf",
            "application/pdf",
            1,
            &"cd".repeat(32),
            "",
        )
        .await
        .unwrap_err();
        assert_eq!(e, AppError::Forbidden);
        // Supervisors read but never write.
        let zgb = t.actor("zgb").await;
        assert_eq!(
            records::submit(&t.db, &zgb, kind, rid).await.unwrap_err(),
            AppError::Forbidden
        );
    }
    // A record id that does not exist answers as another unit's record does
    // (ids cannot be probed); to the county office, which sees all, it is
    // not found.
    assert_eq!(
        changes::service::get(&t.db, &owner, 999_999)
            .await
            .unwrap_err(),
        AppError::Forbidden
    );
    assert_eq!(
        changes::service::get(&t.db, &t.actor("zgb").await, 999_999)
            .await
            .unwrap_err(),
        AppError::NotFound
    );
    assert_eq!(t.count("record_files").await, 0);
}

/// Two corrections of one payment from the same version: one lands, the
/// other is told it was modified; a double submit of a new payment makes one.
async fn concurrent_corrections_and_double_submits(b: Backend) {
    let t = TestDb::with_demo(b).await;
    let owner = t.actor("jiaoyu").await;
    let id = kindergarten(&t).await;
    let p = payments::service::save(
        &t.db,
        &owner,
        0,
        &payment_form(id, "advance", "2025-06-20", "1258000", "ZF-C1"),
        "",
        "",
    )
    .await
    .unwrap();
    file_and_submit(&t, &owner, &payments::RECORD, p).await;
    let v = payments::service::get(&t.db, &owner, p)
        .await
        .unwrap()
        .version
        .to_string();
    let tasks: Vec<_> = ["1258001", "1258002"]
        .into_iter()
        .map(|amount| {
            let (db, owner, v) = (t.db.clone(), owner.clone(), v.clone());
            let form = payment_form(id, "advance", "2025-06-20", amount, "ZF-C1");
            tokio::spawn(async move {
                payments::service::save(&db, &owner, p, &form, "金额更正", &v).await
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
    assert!(
        results
            .iter()
            .any(|r| r.as_ref().err() == Some(&AppError::Conflict)),
        "{results:?}"
    );

    let tasks: Vec<_> = (0..2)
        .map(|_| {
            let (db, owner) = (t.db.clone(), owner.clone());
            let form = payment_form(id, "advance", "2025-07-01", "5000", "ZF-TWICE");
            tokio::spawn(
                async move { payments::service::save(&db, &owner, 0, &form, "", "").await },
            )
        })
        .collect();
    let mut ok = 0;
    for task in tasks {
        if let Ok(Ok(_)) = task.await {
            ok += 1;
        }
    }
    assert_eq!(ok, 1, "a double submit records one payment");
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM payments WHERE voucher_no = 'ZF-TWICE'")
        .fetch_one(&t.db.pool)
        .await
        .unwrap();
    assert_eq!(n, 1);
    // The same for a change's approval number.
    let c = changes::service::save(&t.db, &owner, 0, &change_form(id), "", "")
        .await
        .unwrap();
    let e = changes::service::save(&t.db, &owner, 0, &change_form(id), "", "")
        .await
        .unwrap_err();
    assert_field(&e, "approval_no", "已在本项目登记过");
    assert!(c > 0);
}

on_both!(
    changes_move_the_revised_price_and_completion,
    payments_add_up_by_kind,
    the_advance_rule_is_raised_once_and_cleared,
    every_money_rule_fires_on_the_demo_story,
    bad_values_are_refused_at_their_fields_and_write_nothing,
    other_units_can_neither_read_nor_write,
    concurrent_corrections_and_double_submits,
);
