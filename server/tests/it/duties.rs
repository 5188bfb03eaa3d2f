//! 三权分立 (等保 level 3): the system administrator, the security
//! administrator (users and roles) and the audit administrator (the trail)
//! each do only their own duty; the auditor sees what the other two did.
use crate::{http::TestServer, on_both};
use app::platform::db::Backend;
use reqwest::StatusCode;

async fn each_administrator_does_only_their_own_duty(b: Backend) {
    let s = TestServer::start(b).await;
    let (system, security, audit) = (
        s.logged_in("admin").await,
        s.logged_in("anquan").await,
        s.logged_in("shenji").await,
    );
    let users = [("q", ""), ("role", ""), ("page", "1")];
    let units = [("q", ""), ("kind", ""), ("page", "1")];
    let trail = [("page", "1"), ("entity", "")];
    for (who, c, allowed) in [
        ("system", &system, ["units/list"].as_slice()),
        ("security", &security, ["users/list"].as_slice()),
        ("audit", &audit, ["audit_trail", "audit_verify"].as_slice()),
    ] {
        for (endpoint, form) in [
            ("units/list", units.as_slice()),
            ("users/list", users.as_slice()),
            ("audit_trail", trail.as_slice()),
            ("audit_verify", [].as_slice()),
        ] {
            let r = s.call(c, endpoint, form).await;
            let expected = if allowed.contains(&endpoint) {
                StatusCode::OK
            } else {
                StatusCode::FORBIDDEN
            };
            assert_eq!(r.status(), expected, "{who} {endpoint}");
        }
    }
    // Pages as well.
    assert_eq!(
        s.page(&system, "/admin/users").await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        s.page(&security, "/admin/audit").await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        s.page(&audit, "/admin/units").await.status(),
        StatusCode::FORBIDDEN
    );

    // The security administrator cannot give themself another role.
    let me = s.t.user_id("anquan").await.to_string();
    let office =
        s.t.unit_id("平阳县公共资源交易管理办公室")
            .await
            .to_string();
    let r = s
        .call(
            &security,
            "users/update",
            &[
                ("id", me.as_str()),
                ("display_name", "赵文博"),
                ("mobile", "13905770005"),
                ("role", "audit_admin"),
                ("unit_id", office.as_str()),
            ],
        )
        .await;
    assert!(r.status().is_client_error(), "{}", r.status());
    // The auditor reads what the security administrator did.
    let r = s
        .call(&audit, "audit_trail", &[("page", "1"), ("entity", "")])
        .await;
    let body = r.text().await.unwrap();
    assert!(
        body.contains("anquan"),
        "the trail names the security administrator"
    );
}

on_both!(each_administrator_does_only_their_own_duty);
