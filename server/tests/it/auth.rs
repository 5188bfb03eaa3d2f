//! Login, lockout, password policy, sessions.
use crate::{helpers::TestDb, on_both};
use app::{
    features::auth::service::{change_password, login},
    platform::{audit::Who, db::Backend, session::DbSessionStore, time::now_ms},
};
use server::demo::DEMO_PASSWORD;
use tower_sessions::{
    SessionStore,
    session::{Id, Record},
};

fn who() -> Who {
    Who::system("test")
}

async fn right_password_logs_in_by_name_or_mobile(b: Backend) {
    let t = TestDb::with_demo(b).await;
    let id = login(&t.db, &t.settings, "admin", DEMO_PASSWORD, &who(), now_ms())
        .await
        .unwrap();
    assert_eq!(id, t.user_id("admin").await);
    // Key personnel log in with their mobile number.
    let id = login(
        &t.db,
        &t.settings,
        "13867780001",
        DEMO_PASSWORD,
        &who(),
        now_ms(),
    )
    .await
    .unwrap();
    assert_eq!(id, t.user_id("xmjl_zhang").await);
    // Login names are case-insensitive.
    assert!(
        login(&t.db, &t.settings, "ADMIN", DEMO_PASSWORD, &who(), now_ms())
            .await
            .is_ok()
    );
}

async fn wrong_password_and_unknown_user_give_the_same_message(b: Backend) {
    let t = TestDb::with_demo(b).await;
    let e1 = login(&t.db, &t.settings, "nobody", "whatever", &who(), now_ms())
        .await
        .unwrap_err()
        .to_string();
    let e2 = login(&t.db, &t.settings, "admin", "Wrong@2026x", &who(), now_ms())
        .await
        .unwrap_err()
        .to_string();
    assert!(e1.starts_with("用户名或密码错误"), "{e1}");
    assert!(e2.starts_with("用户名或密码错误"), "{e2}");
    let empty = login(&t.db, &t.settings, "", "", &who(), now_ms())
        .await
        .unwrap_err();
    crate::helpers::assert_field(&empty, "username", "请填写");
    crate::helpers::assert_field(&empty, "password", "请填写");
}

async fn five_failures_lock_for_fifteen_minutes(b: Backend) {
    let t = TestDb::with_demo(b).await;
    let now = now_ms();
    for i in 1..=4 {
        let e = login(&t.db, &t.settings, "zjj", "Wrong@2026x", &who(), now)
            .await
            .unwrap_err()
            .to_string();
        assert!(e.contains(&format!("再错 {} 次", 5 - i)), "{e}");
    }
    let e = login(&t.db, &t.settings, "zjj", "Wrong@2026x", &who(), now)
        .await
        .unwrap_err()
        .to_string();
    assert!(e.contains("已锁定"), "{e}");
    // Locked: even the right password is refused…
    let e = login(
        &t.db,
        &t.settings,
        "zjj",
        DEMO_PASSWORD,
        &who(),
        now + 60_000,
    )
    .await
    .unwrap_err()
    .to_string();
    assert!(e.contains("已锁定"), "{e}");
    // …until 15 minutes have passed.
    let after = now + 15 * 60_000 + 1;
    assert!(
        login(&t.db, &t.settings, "zjj", DEMO_PASSWORD, &who(), after)
            .await
            .is_ok()
    );
    // The lock is in the trail.
    let locks: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'lock'")
        .fetch_one(&t.db.pool)
        .await
        .unwrap();
    assert_eq!(locks, 1);
}

async fn a_success_resets_the_failure_count(b: Backend) {
    let t = TestDb::with_demo(b).await;
    let now = now_ms();
    for _ in 0..4 {
        let _ = login(&t.db, &t.settings, "jtj", "Wrong@2026x", &who(), now).await;
    }
    login(&t.db, &t.settings, "jtj", DEMO_PASSWORD, &who(), now)
        .await
        .unwrap();
    let e = login(&t.db, &t.settings, "jtj", "Wrong@2026x", &who(), now)
        .await
        .unwrap_err()
        .to_string();
    assert!(e.contains("再错 4 次"), "{e}");
}

async fn disabled_users_cannot_log_in(b: Backend) {
    let t = TestDb::with_demo(b).await;
    let admin = t.actor("admin").await;
    let id = t.user_id("jiaoyu").await;
    app::features::users::service::set_disabled(&t.db, &admin, id, true)
        .await
        .unwrap();
    let e = login(
        &t.db,
        &t.settings,
        "jiaoyu",
        DEMO_PASSWORD,
        &who(),
        now_ms(),
    )
    .await
    .unwrap_err()
    .to_string();
    assert!(e.contains("停用"), "{e}");
}

async fn password_change_enforces_policy_and_writes_nothing_on_error(b: Backend) {
    let t = TestDb::with_demo(b).await;
    let id = t.user_id("aojiang").await;
    let before = t.count("audit_log").await;
    let e = change_password(&t.db, &who(), id, "bad", "short", "short")
        .await
        .unwrap_err();
    crate::helpers::assert_field(&e, "current", "不正确");
    crate::helpers::assert_field(&e, "new", "至少");
    let e = change_password(&t.db, &who(), id, DEMO_PASSWORD, "Abcdefgh1!", "Abcdefgh1?")
        .await
        .unwrap_err();
    crate::helpers::assert_field(&e, "confirm", "不一致");
    let e = change_password(
        &t.db,
        &who(),
        id,
        DEMO_PASSWORD,
        "aojiang@Pass1",
        "aojiang@Pass1",
    )
    .await
    .unwrap_err();
    crate::helpers::assert_field(&e, "new", "用户名");
    assert_eq!(t.count("audit_log").await, before);
    change_password(
        &t.db,
        &who(),
        id,
        DEMO_PASSWORD,
        "Xinmima#2026",
        "Xinmima#2026",
    )
    .await
    .unwrap();
    assert!(
        login(
            &t.db,
            &t.settings,
            "aojiang",
            DEMO_PASSWORD,
            &who(),
            now_ms()
        )
        .await
        .is_err()
    );
    assert!(
        login(
            &t.db,
            &t.settings,
            "aojiang",
            "Xinmima#2026",
            &who(),
            now_ms()
        )
        .await
        .is_ok()
    );
}

async fn expired_sessions_are_not_loaded(b: Backend) {
    let t = TestDb::new(b).await;
    let store = DbSessionStore::new(t.db.clone());
    let mut record = Record {
        id: Id::default(),
        data: [("user_id".to_string(), serde_json::json!(7))]
            .into_iter()
            .collect(),
        expiry_date: time::OffsetDateTime::now_utc() + time::Duration::minutes(30),
    };
    store.save(&record).await.unwrap();
    assert!(store.load(&record.id).await.unwrap().is_some());
    record.expiry_date = time::OffsetDateTime::now_utc() - time::Duration::seconds(1);
    store.save(&record).await.unwrap();
    assert!(
        store.load(&record.id).await.unwrap().is_none(),
        "an idle session must not be resumed"
    );
}

async fn sqlite_runs_in_wal_mode(b: Backend) {
    let t = TestDb::new(b).await;
    if b == Backend::Sqlite {
        let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
            .fetch_one(&t.db.pool)
            .await
            .unwrap();
        assert_eq!(mode, "wal");
    }
}

on_both!(
    right_password_logs_in_by_name_or_mobile,
    wrong_password_and_unknown_user_give_the_same_message,
    five_failures_lock_for_fifteen_minutes,
    a_success_resets_the_failure_count,
    disabled_users_cannot_log_in,
    password_change_enforces_policy_and_writes_nothing_on_error,
    expired_sessions_are_not_loaded,
    sqlite_runs_in_wal_mode,
);
