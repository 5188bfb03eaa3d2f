//! 预警规则 settings: administrators switch rules and change thresholds
//! (checked, versioned, in the trail), every run applies them; supervisors
//! read; nobody else reads or writes.
use crate::{
    helpers::{TestDb, assert_field},
    on_both,
};
use app::{
    error::AppError,
    features::{
        alerts::service::{RuleForm, list_rules as list, save},
        rule_infos, rules,
    },
    platform::{db::Backend, rules::run, storage::FileStore, time::today},
};

fn form(enabled: bool, values: &[&str], version: i64) -> RuleForm {
    RuleForm {
        enabled,
        auto_order: false,
        values: values.iter().map(|v| v.to_string()).collect(),
        version: version.to_string(),
    }
}

async fn open_of(t: &TestDb, code: &str) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM alerts WHERE kind = $1 AND cleared_on IS NULL")
        .bind(code)
        .fetch_one(&t.db.pool)
        .await
        .unwrap()
}

async fn thresholds_and_switches_apply_to_the_next_run(b: Backend) {
    let t = TestDb::with_demo(b).await;
    let files = FileStore::from_settings(&t.settings).unwrap();
    server::demo_history::load(&t.db, &files, &t.settings)
        .await
        .unwrap();
    let admin = t.actor("admin").await;
    let s = &t.settings;

    // Every rule is listed with its default in force.
    let listed = list(&t.db, s, &admin).await.unwrap();
    assert_eq!(listed.len(), rule_infos().len());
    let late = listed.iter().find(|r| r.code == "signed_late").unwrap();
    assert!(late.enabled && late.version == 0);
    assert_eq!(
        (
            late.params[0].value.as_str(),
            late.params[0].default.as_str()
        ),
        ("30", "30")
    );
    assert_eq!(late.open_alerts, 1);

    // A stricter line: the next run raises 21 and 22 days late as well.
    save(&t.db, s, &admin, "signed_late", &form(true, &["20"], 0))
        .await
        .unwrap();
    run(&t.db, s, &rules(), today()).await.unwrap();
    assert_eq!(open_of(&t, "signed_late").await, 3);
    let late = list(&t.db, s, &admin).await.unwrap();
    let late = late.iter().find(|r| r.code == "signed_late").unwrap();
    assert_eq!((late.params[0].value.as_str(), late.version), ("20", 1));

    // Switched off: raises nothing more, keeps what is open.
    save(&t.db, s, &admin, "signed_late", &form(false, &["5"], 1))
        .await
        .unwrap();
    let out = run(&t.db, s, &rules(), today()).await.unwrap();
    assert!(
        !out.raised.iter().any(|c| c.rule == "signed_late"),
        "{out:?}"
    );
    assert!(
        !out.cleared.iter().any(|c| c.rule == "signed_late"),
        "{out:?}"
    );
    assert_eq!(open_of(&t, "signed_late").await, 3);
    // On again with the default: the two that no longer hold clear.
    save(&t.db, s, &admin, "signed_late", &form(true, &["30"], 2))
        .await
        .unwrap();
    run(&t.db, s, &rules(), today()).await.unwrap();
    assert_eq!(open_of(&t, "signed_late").await, 1);

    // Each save is in the trail, before and after in words.
    let (before, after): (String, String) = sqlx::query_as(
        "SELECT before_json, after_json FROM audit_log WHERE entity = 'rule_setting' ORDER BY seq LIMIT 1",
    )
    .fetch_one(&t.db.pool)
    .await
    .unwrap();
    assert!(
        before.contains("\"签订期限\":\"30 天\"") && before.contains("启用"),
        "{before}"
    );
    assert!(after.contains("\"签订期限\":\"20 天\""), "{after}");
    let saves: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE entity = 'rule_setting'")
            .fetch_one(&t.db.pool)
            .await
            .unwrap();
    assert_eq!(saves, 3);

    // A money threshold in 元 (stored in fen in the settings).
    save(
        &t.db,
        s,
        &admin,
        "change_large",
        &form(true, &["3000000"], 0),
    )
    .await
    .unwrap();
    run(&t.db, s, &rules(), today()).await.unwrap();
    assert_eq!(
        open_of(&t, "change_large").await,
        0,
        "no change of 300 万 or more (滨江路: 210 万)"
    );

    // The attendance-rate rule honours its switch too. The demo's managers
    // joined in October and never checked in.
    crate::helpers::roster_joined(&t.db, None, 1_759_276_800_000i64).await; // 2025-10-01
    let ar = "attendance_pm";
    save(&t.db, s, &admin, ar, &form(false, &["80"], 0))
        .await
        .unwrap();
    let raised = crate::attendance::pm_alerts(&t.db, s, "2026-11").await;
    assert_eq!(raised, 0);
    save(&t.db, s, &admin, ar, &form(true, &["80"], 1))
        .await
        .unwrap();
    let raised = crate::attendance::pm_alerts(&t.db, s, "2026-11").await;
    assert!(raised > 0, "on again: the demo's managers never checked in");
}

async fn bad_settings_are_refused_at_the_field_and_write_nothing(b: Backend) {
    let t = TestDb::with_demo(b).await;
    let admin = t.actor("admin").await;
    let s = &t.settings;
    let before = (t.count("rule_settings").await, t.count("audit_log").await);
    for (raw, says) in [
        ("", "请填写"),
        ("abc", "须为数字"),
        ("30天", "须为数字"),
        ("<b>1</b>", "须为数字"),
        ("'; DROP TABLE alerts; --", "须为数字"),
        ("😀", "须为数字"),
        ("0", "须在 1–365 天 之间"),
        ("-5", "须在 1–365 天 之间"),
        ("366", "须在 1–365 天 之间"),
        ("1e400", "须在"),
        ("NaN", "须在"),
        ("2.5", "须为整数"),
    ] {
        let e = save(&t.db, s, &admin, "signed_late", &form(true, &[raw], 0))
            .await
            .unwrap_err();
        assert_field(&e, "p1", says);
    }
    let e = save(&t.db, s, &admin, "advance_over", &form(true, &["100.5"], 0))
        .await
        .unwrap_err();
    assert_field(&e, "p1", "须在 1–100 % 之间");
    // Nothing changed is not a save; a stale form is refused.
    let e = save(&t.db, s, &admin, "signed_late", &form(true, &["30"], 0))
        .await
        .unwrap_err();
    assert_eq!(e, AppError::invalid("没有修改"));
    let e = save(&t.db, s, &admin, "signed_late", &form(true, &["20"], 3))
        .await
        .unwrap_err();
    assert_eq!(e, AppError::Conflict);
    let e = save(&t.db, s, &admin, "no_such_rule", &form(true, &["20"], 0))
        .await
        .unwrap_err();
    assert_eq!(e, AppError::NotFound);
    // Only administrators write; supervisors read; owners do neither.
    let supervisor = t.actor("zgb").await;
    let owner = t.actor("jiaoyu").await;
    for who in [&supervisor, &owner] {
        let e = save(&t.db, s, who, "signed_late", &form(true, &["20"], 0))
            .await
            .unwrap_err();
        assert_eq!(e, AppError::Forbidden);
    }
    assert!(list(&t.db, s, &supervisor).await.is_ok());
    assert_eq!(
        list(&t.db, s, &owner).await.unwrap_err(),
        AppError::Forbidden
    );
    assert_eq!(
        (t.count("rule_settings").await, t.count("audit_log").await),
        before,
        "nothing written"
    );
    // Two administrators saving from the same form: one lands.
    let (f20, f25) = (form(true, &["20"], 0), form(true, &["25"], 0));
    let (a, b2) = tokio::join!(
        save(&t.db, s, &admin, "signed_late", &f20),
        save(&t.db, s, &admin, "signed_late", &f25),
    );
    assert!(a.is_ok() != b2.is_ok(), "{a:?} {b2:?}");
    assert_eq!(a.err().or(b2.err()), Some(AppError::Conflict));
    assert_eq!(t.count("rule_settings").await, 1);
}

/// The page over HTTP, and the form posted without JavaScript: a bad value
/// comes back to the page with the message and the typed value; a good one
/// saves and comes back to the rule.
async fn the_rules_page_and_its_plain_form(b: Backend) {
    use reqwest::{StatusCode, header};
    let s = crate::http::TestServer::start(b).await;
    let supervisor = s.logged_in("zgb").await;
    let r = s.page(&supervisor, "/admin/rules").await;
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    assert!(html.contains("合同签订超期") && html.contains("招标投标法"));
    assert!(!html.contains("name=\"p1\""), "supervisors read, no form");
    let owner = s.logged_in("jiaoyu").await;
    assert_eq!(
        s.page(&owner, "/admin/rules").await.status(),
        StatusCode::FORBIDDEN
    );

    let admin = s.logged_in("admin").await;
    let html = s.page(&admin, "/admin/rules").await.text().await.unwrap();
    assert!(html.contains("name=\"p1\""));
    let post = |p1: &'static str| {
        admin
            .post(s.url("/api/rules/save"))
            .header(header::ACCEPT, "text/html")
            .header(header::REFERER, s.url("/admin/rules"))
            .form(&[
                ("code", "signed_late"),
                ("enabled", "on"),
                ("p1", p1),
                ("version", "0"),
            ])
            .send()
    };
    let r = post("四十五").await.unwrap();
    assert!(r.status().is_redirection(), "{}", r.status());
    let back = r.headers()[header::LOCATION].to_str().unwrap();
    let back = back.trim_start_matches(&s.base).to_string();
    assert!(back.contains("__err="), "{back}");
    let html = s.page(&admin, &back).await.text().await.unwrap();
    assert!(html.contains("签订期限须为数字") && html.contains("value=\"四十五\""));
    let r = post("45").await.unwrap();
    assert_eq!(
        r.headers()[header::LOCATION],
        "/admin/rules?saved=signed_late#rule-signed_late"
    );
    let html = s
        .page(&admin, "/admin/rules?saved=signed_late")
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("已保存") && html.contains("签订期限 45 天"));
}

on_both!(
    the_rules_page_and_its_plain_form,
    thresholds_and_switches_apply_to_the_next_run,
    bad_settings_are_refused_at_the_field_and_write_nothing,
);
