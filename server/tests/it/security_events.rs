//! Security events in the trail (等保 level 3: failed logins, lockouts,
//! logouts, exports of personal data) and the session's absolute lifetime,
//! over real HTTP.
use crate::{http::TestServer, on_both};
use app::platform::db::Backend;
use reqwest::{StatusCode, header};

/// (entity, entity_id, action, after_json) of the entries after `from`.
async fn entries_after(s: &TestServer, from: i64) -> Vec<(String, String, String, String)> {
    sqlx::query_as(
        "SELECT entity, entity_id, action, COALESCE(after_json, '') FROM audit_log WHERE seq > $1 ORDER BY seq",
    )
    .bind(from)
    .fetch_all(&s.t.db.pool)
    .await
    .unwrap()
}

async fn head(s: &TestServer) -> i64 {
    sqlx::query_scalar("SELECT seq FROM audit_head WHERE id = 1")
        .fetch_one(&s.t.db.pool)
        .await
        .unwrap()
}

async fn failed_logins_logouts_and_exports_are_recorded(b: Backend) {
    let s = TestServer::start(b).await;
    let admin_id = s.t.user_id("admin").await.to_string();
    let from = head(&s).await;
    let anon = s.client();
    for (name, password) in [("nobody", "Whatever@2026"), ("admin", "Wrong@2026")] {
        let r = s
            .call(
                &anon,
                "login",
                &[("username", name), ("password", password)],
            )
            .await;
        assert!(r.status().is_client_error(), "{name}: {}", r.status());
    }
    let got = entries_after(&s, from).await;
    assert_eq!(got.len(), 2, "{got:?}");
    assert_eq!(
        (got[0].0.as_str(), got[0].2.as_str()),
        ("login", "login_failed")
    );
    assert!(got[0].3.contains("账户不存在"), "{:?}", got[0]);
    assert!(!got[0].3.contains("nobody"), "the name tried is not kept");
    assert_eq!(
        (got[1].0.as_str(), got[1].1.as_str(), got[1].2.as_str()),
        ("user", admin_id.as_str(), "login_failed")
    );
    assert!(
        got[1].3.contains("密码错误") && got[1].3.contains("127.0.0.1"),
        "{:?}",
        got[1]
    );

    // An export of personal data (the users list), then the logout.
    let admin = s.logged_in("anquan").await;
    let admin_id = s.t.user_id("anquan").await.to_string();
    let from = head(&s).await;
    let r = admin
        .get(s.url("/export/users.xlsx?role=owner&q="))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let r = s.call(&admin, "logout", &[]).await;
    assert!(r.status().is_success() || r.status().is_redirection());
    let got = entries_after(&s, from).await;
    assert_eq!(got.len(), 2, "{got:?}");
    assert_eq!(
        (got[0].0.as_str(), got[0].1.as_str(), got[0].2.as_str()),
        ("export", "用户", "export")
    );
    assert!(
        got[0].3.contains("\"role\":\"owner\"") && got[0].3.contains("\"rows\""),
        "{:?}",
        got[0]
    );
    assert_eq!(
        (got[1].0.as_str(), got[1].1.as_str(), got[1].2.as_str()),
        ("user", admin_id.as_str(), "logout")
    );
    // A refused export writes nothing.
    let owner = s.logged_in("jiaoyu").await;
    let from = head(&s).await;
    let r = owner.get(s.url("/export/users.xlsx")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(entries_after(&s, from).await.is_empty());
    assert_eq!(
        app::platform::audit::verify(&s.t.db).await.unwrap().problem,
        None
    );
}

/// However active, a session ends its lifetime after its login: pages send
/// the user to the login, server functions find no user.
async fn a_session_ends_at_its_absolute_lifetime(b: Backend) {
    let s = TestServer::start_with(b, |st| st.session_max_ms = 3_000).await;
    let c = s.logged_in("zgb").await;
    let started = std::time::Instant::now();
    let r = s.page(&c, "/alerts").await;
    assert_eq!(r.status(), StatusCode::OK, "within its lifetime");
    // Active all along: the idle timeout (30 minutes) is never near.
    while started.elapsed() < std::time::Duration::from_millis(3_300) {
        tokio::time::sleep(std::time::Duration::from_millis(400)).await;
        let _ = s.call(&c, "me", &[]).await;
    }
    let r = s.page(&c, "/alerts").await;
    assert!(r.status().is_redirection(), "{}", r.status());
    assert!(
        r.headers()[header::LOCATION]
            .to_str()
            .unwrap()
            .starts_with("/login")
    );
    let me = s.call(&c, "me", &[]).await.text().await.unwrap();
    assert_eq!(me.trim(), "null", "{me}");
}

on_both!(
    failed_logins_logouts_and_exports_are_recorded,
    a_session_ends_at_its_absolute_lifetime,
);
