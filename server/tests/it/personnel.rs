//! 人员变更 on the services: the dated roster (the person leaving is refused
//! from the effective day and owes nothing from then; the successor checks in
//! and owes from that day; "who was on the roster on a day"), bad values at
//! their fields with nothing written, other units refused, a submitted change
//! corrected but never voided, and the four rules raised once.
use crate::{
    attendance::{T0, at, beijing_10am, site},
    helpers::{TestDb, assert_field, roster_joined},
    on_both,
};
use app::{
    error::AppError,
    features::{
        attendance::service::{check_in, month_view, my_month},
        personnel::{
            self,
            service::{ChangeForm, members, roster_on, save},
        },
    },
    platform::{db::Backend, records, rules::run},
};
use chrono::NaiveDate;

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj << >> endobj\n%%EOF\n";

pub fn form(filing_id: i64, member_id: i64, effective_on: &str) -> ChangeForm {
    let id = app::domain::IdNumber::with_check("33032619870606123").unwrap();
    ChangeForm {
        filing_id: filing_id.to_string(),
        member_id: member_id.to_string(),
        new_name: "孙立军".into(),
        new_id_number: id.as_str().into(),
        new_mobile: "13857700099".into(),
        new_cert_no: "浙233070900099".into(),
        reason: "health".into(),
        reason_text: String::new(),
        effective_on: effective_on.into(),
        fine: "5000".into(),
        credit_points: "2".into(),
        interview: true,
        censure: false,
        penalty_other: String::new(),
    }
}

pub async fn pm_of(t: &TestDb, filing_id: i64) -> i64 {
    sqlx::query_scalar(
        "SELECT id FROM roster_members WHERE filing_id = $1 AND role = 'pm' AND removed_at IS NULL",
    )
    .bind(filing_id)
    .fetch_one(&t.db.pool)
    .await
    .unwrap()
}

/// Saves, attaches the consent and submits; returns (id, the owner's message).
pub async fn replace(t: &TestDb, f: &ChangeForm) -> (i64, String) {
    let owner = t.actor("chengjian").await;
    let id = save(&t.db, &owner, 0, f, "", "").await.unwrap();
    records::attach(
        &t.db,
        &owner,
        &personnel::RECORD,
        id,
        "consent",
        "同意更换.pdf",
        "application/pdf",
        PDF.len(),
        &"ef".repeat(32),
        "",
    )
    .await
    .unwrap();
    let message = records::submit(&t.db, &owner, &personnel::RECORD, id)
        .await
        .unwrap()
        .unwrap();
    (id, message)
}

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

async fn the_roster_is_dated(b: Backend) {
    let t = TestDb::with_demo(b).await;
    let id = site(&t).await;
    roster_joined(&t.db, Some(id), beijing_10am(2026, 9, 1)).await;
    let owner = t.actor("chengjian").await;
    let old = pm_of(&t, id).await;

    // Bad values: each at its field, nothing written.
    let mut bad = form(id, old, "2099-01-01");
    bad.new_id_number = "330326198001011230".into();
    bad.new_mobile = "1385770".into();
    bad.reason = "other".into();
    bad.fine = "-1".into();
    bad.credit_points = "101".into();
    let e = save(&t.db, &owner, 0, &bad, "", "").await.unwrap_err();
    assert_field(&e, "effective_on", "晚于今天");
    assert_field(&e, "new_id_number", "");
    assert_field(&e, "new_mobile", "");
    assert_field(&e, "reason_text", "其他");
    assert_field(&e, "fine", "");
    assert_field(&e, "credit_points", "0–100");
    let e = save(&t.db, &owner, 0, &form(id, old, "2026-08-01"), "", "")
        .await
        .unwrap_err();
    assert_field(&e, "effective_on", "2026-09-01");
    let mut same = form(id, old, "2026-11-02");
    same.new_id_number = app::domain::IdNumber::with_check("33032619800101123")
        .unwrap()
        .as_str()
        .into();
    let e = save(&t.db, &owner, 0, &same, "", "").await.unwrap_err();
    assert_field(&e, "new_id_number", "本人");
    assert_eq!(t.count("personnel_changes").await, 0);

    // Other units and supervisors never write.
    let other = t.actor("jiaoyu").await;
    assert_eq!(
        save(&t.db, &other, 0, &form(id, old, "2026-11-02"), "", "")
            .await
            .unwrap_err(),
        AppError::Forbidden
    );
    assert_eq!(
        members(&t.db, &other, id).await.unwrap_err(),
        AppError::Forbidden
    );

    // The consent is needed; then the roster changes from 2026-11-02.
    let draft = save(&t.db, &owner, 0, &form(id, old, "2026-11-02"), "", "")
        .await
        .unwrap();
    let e = records::submit(&t.db, &owner, &personnel::RECORD, draft)
        .await
        .unwrap_err();
    assert_field(&e, "file", "同意更换");
    assert_eq!(
        records::submit(&t.db, &other, &personnel::RECORD, draft)
            .await
            .unwrap_err(),
        AppError::Forbidden
    );
    records::void(&t.db, &owner, &personnel::RECORD, draft, "重复录入", None)
        .await
        .unwrap();
    let (change, message) = replace(&t, &form(id, old, "2026-11-02")).await;
    assert!(message.contains("13857700099"), "{message}");

    // The person who left is refused; the successor checks in.
    let gone = t.actor("13857700011").await;
    let e = check_in(
        &t.desk,
        &t.settings,
        &gone,
        at(id, 120.5655, 27.6625, 10.0),
        T0,
    )
    .await
    .unwrap_err();
    assert!(e.to_string().contains("名单"), "{e}");
    let new = t.actor("13857700099").await;
    let r = check_in(
        &t.desk,
        &t.settings,
        &new,
        at(id, 120.5655, 27.6625, 10.0),
        T0,
    )
    .await
    .unwrap();
    assert!(r.accepted, "{r:?}");

    // Who was on the roster on a day.
    let before = roster_on(&t.db, &owner, id, "2026-11-01").await.unwrap();
    assert_eq!(before.members.len(), 1);
    assert_eq!(before.members[0].name, "赵建国");
    let after = roster_on(&t.db, &owner, id, "2026-11-02").await.unwrap();
    assert_eq!(after.members[0].name, "孙立军");
    assert_eq!(
        roster_on(&t.db, &other, id, "2026-11-02")
            .await
            .unwrap_err(),
        AppError::Forbidden
    );

    // The month view: each owes only their own days.
    let v = month_view(&t.db, &owner, id, "2026-11", T0).await.unwrap();
    let old_row = v.people.iter().find(|p| p.name == "赵建国").unwrap();
    let new_row = v.people.iter().find(|p| p.name == "孙立军").unwrap();
    assert_eq!(
        old_row.cells[0], "rest",
        "Sunday 11-01, still on the roster"
    );
    assert_eq!(old_row.cells[1], "out", "from 11-02 off the roster");
    assert_eq!(new_row.cells[0], "out");
    assert_eq!(new_row.cells[24], "ok", "checked in on the 25th");
    assert!(new_row.required > 0 && old_row.required <= 1);

    // The successor sees their month; the one who left sees why.
    let mine = my_month(&t.db, &gone, "2026-11").await.unwrap();
    let left = mine.rosters[0].left.clone().unwrap();
    assert!(
        left.contains("2026-11-02") && left.contains("孙立军"),
        "{left}"
    );
    let theirs = my_month(&t.db, &new, "2026-11").await.unwrap();
    assert_eq!(
        (theirs.rosters[0].counted, theirs.rosters[0].left.clone()),
        (1, None)
    );

    // Submitted: never voided, corrected with a reason (the day moves both).
    let e = records::void(&t.db, &owner, &personnel::RECORD, change, "撤销", None)
        .await
        .unwrap_err();
    assert_field(&e, "void_reason", "更正");
    let e = save(&t.db, &owner, change, &form(id, old, "2026-11-03"), "", "")
        .await
        .unwrap_err();
    assert_field(&e, "correction", "更正原因");
    save(
        &t.db,
        &owner,
        change,
        &form(id, old, "2026-11-03"),
        "生效日期以同意函为准",
        "",
    )
    .await
    .unwrap();
    let still = roster_on(&t.db, &owner, id, "2026-11-02").await.unwrap();
    assert_eq!(still.members[0].name, "赵建国");
    let mut swap = form(id, old, "2026-11-03");
    swap.new_name = "另一人".into();
    let e = save(&t.db, &owner, change, &swap, "换人", "")
        .await
        .unwrap_err();
    assert_field(&e, "new_name", "不能更换接替人员");
}

async fn personnel_rules_raise_once(b: Backend) {
    let t = TestDb::with_demo(b).await;
    let id = site(&t).await;
    roster_joined(&t.db, Some(id), beijing_10am(2026, 9, 1)).await;
    let rules = personnel::rules::RULES;
    let kinds = |t: &TestDb| {
        let db = t.db.clone();
        async move {
            sqlx::query_scalar::<_, String>(
                "SELECT kind FROM alerts WHERE filing_id = $1 AND cleared_on IS NULL ORDER BY kind",
            )
            .bind(id)
            .fetch_all(&db.pool)
            .await
            .unwrap()
        }
    };
    // A draft is not a replacement yet, but is late once five working days pass.
    let owner = t.actor("chengjian").await;
    let old = pm_of(&t, id).await;
    let mut f = form(id, old, "2026-11-02");
    f.new_cert_no = String::new();
    let draft = save(&t.db, &owner, 0, &f, "", "").await.unwrap();
    // Written on 2026-11-03 (a replay as of a day reads what existed then).
    sqlx::query("UPDATE personnel_changes SET created_at = $1 WHERE id = $2")
        .bind(beijing_10am(2026, 11, 3))
        .bind(draft)
        .execute(&t.db.pool)
        .await
        .unwrap();
    run(&t.db, &t.settings, rules, d("2026-11-06"))
        .await
        .unwrap();
    assert!(
        kinds(&t).await.is_empty(),
        "4 working days: in time, a draft"
    );
    run(&t.db, &t.settings, rules, d("2026-11-10"))
        .await
        .unwrap();
    assert_eq!(kinds(&t).await, vec!["personnel_late"]);
    records::void(&t.db, &owner, &personnel::RECORD, draft, "重填", None)
        .await
        .unwrap();
    // Recorded a month after it took effect, a manager without a certificate.
    replace(&t, &f).await;
    let today = app::platform::time::today();
    run(&t.db, &t.settings, rules, today).await.unwrap();
    run(&t.db, &t.settings, rules, today).await.unwrap();
    assert_eq!(
        kinds(&t).await,
        vec!["key_replaced", "personnel_late", "successor_no_cert"],
        "raised once each"
    );
    // The certificate corrected: that alert clears.
    let change: i64 =
        sqlx::query_scalar("SELECT id FROM personnel_changes WHERE status = 'submitted'")
            .fetch_one(&t.db.pool)
            .await
            .unwrap();
    save(
        &t.db,
        &owner,
        change,
        &form(id, old, "2026-11-02"),
        "补录证书编号",
        "",
    )
    .await
    .unwrap();
    run(&t.db, &t.settings, rules, today).await.unwrap();
    assert_eq!(kinds(&t).await, vec!["key_replaced", "personnel_late"]);
    // The successor replaced too: the same role twice.
    let successor = pm_of(&t, id).await;
    let id2 = app::domain::IdNumber::with_check("33032619910303123").unwrap();
    let second = ChangeForm {
        member_id: successor.to_string(),
        new_name: "钱多多".into(),
        new_id_number: id2.as_str().into(),
        new_mobile: "13857700098".into(),
        reason: "transfer".into(),
        effective_on: today.to_string(),
        ..form(id, successor, "")
    };
    replace(&t, &second).await;
    run(&t.db, &t.settings, rules, today).await.unwrap();
    assert!(kinds(&t).await.contains(&"role_replaced_again".to_string()));
}

on_both!(the_roster_is_dated, personnel_rules_raise_once);
