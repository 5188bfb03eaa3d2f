//! Security over HTTP (issue: 等保 2.0 level 3, OWASP ASVS L2): the headers
//! every answer carries and the page's script nonce, bodies over their
//! route's limit, the per-address login throttle.
use crate::{http::TestServer, on_both};
use app::platform::db::Backend;
use reqwest::{StatusCode, header};
use server::demo::DEMO_PASSWORD;

fn nonce_of(csp: &str) -> String {
    csp.split("'nonce-")
        .nth(1)
        .and_then(|r| r.split('\'').next())
        .unwrap_or_default()
        .to_string()
}

/// Pages: a policy whose nonce every inline script carries (a new one each
/// time), no framing or sniffing, no referrer abroad, never stored by the
/// browser; other answers a policy that allows nothing.
async fn pages_carry_the_security_headers(b: Backend) {
    let s = TestServer::start(b).await;
    let c = s.client();
    let r = s.page(&c, "/login").await;
    assert_eq!(r.status(), StatusCode::OK);
    let h = r.headers().clone();
    assert_eq!(h[header::X_FRAME_OPTIONS], "DENY");
    assert_eq!(h[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    assert_eq!(h[header::REFERRER_POLICY], "same-origin");
    assert_eq!(h[header::CACHE_CONTROL], "no-store");
    assert!(
        h.get(header::STRICT_TRANSPORT_SECURITY).is_none(),
        "no HSTS over plain HTTP"
    );
    let csp = h[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap()
        .to_string();
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(csp.contains("'wasm-unsafe-eval'"), "{csp}");
    assert!(!csp.contains("script-src 'self' 'unsafe-inline'"), "{csp}");
    let nonce = nonce_of(&csp);
    assert!(nonce.len() >= 16, "{csp}");
    let html = r.text().await.unwrap();
    let scripts: Vec<&str> = html
        .split("<script")
        .skip(1)
        .map(|t| t.split('>').next().unwrap())
        .collect();
    assert!(!scripts.is_empty());
    for tag in scripts {
        assert!(
            tag.contains(&format!("nonce=\"{nonce}\"")),
            "a script without the nonce: {tag}"
        );
    }
    let again = s.page(&c, "/login").await;
    let csp2 = again.headers()[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap()
        .to_string();
    assert_ne!(nonce_of(&csp2), nonce, "a nonce is used once");

    // An authenticated page and a server function's answer.
    let admin = s.logged_in("admin").await;
    let r = s.page(&admin, "/admin/units").await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()[header::CACHE_CONTROL], "no-store");
    let r = s.call(&admin, "me", &[]).await;
    assert_eq!(r.headers()[header::CACHE_CONTROL], "no-store");
    assert!(
        r.headers()[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap()
            .starts_with("default-src 'none'")
    );

    // Over HTTPS (Secure cookies), HSTS too.
    let tls = TestServer::start_with(b, |s| s.cookie_secure = true).await;
    let r = tls.page(&tls.client(), "/login").await;
    assert!(
        r.headers()[header::STRICT_TRANSPORT_SECURITY]
            .to_str()
            .unwrap()
            .starts_with("max-age=")
    );
}

/// A server function's body over the limit is 413 with a plain message
/// (it was a 500 with a transport error) and the server answers the next
/// request; an import over the upload limit goes back to its form with the
/// reason.
async fn an_oversized_body_is_refused_with_413(b: Backend) {
    let s = TestServer::start_with(b, |s| s.upload_max_bytes = 1024).await;
    let c = s.logged_in("jiaoyu").await;
    let big = "进".repeat(server::http::SERVER_FN_MAX_BYTES / 3 + 10);
    let r = s
        .call(&c, "progress/month/save", &[("work_done", big.as_str())])
        .await;
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    // The unread rest of the body makes the connection unusable: closed.
    assert_eq!(r.headers()[header::CONNECTION], "close");
    assert!(r.text().await.unwrap().contains("提交的内容过大"));
    // Nothing was written; the next request is served.
    let r = s.call(&c, "me", &[]).await;
    assert_eq!(r.status(), StatusCode::OK);
    // An import upload over the (here 1 KB) upload limit.
    let admin = s.logged_in("admin").await;
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(vec![b'a'; 200 * 1024]).file_name("中标结果.csv"),
    );
    let r = admin
        .post(s.url("/awards/import"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    // The import form (a page post) is sent back to the form with the reason.
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to = r.headers()[header::LOCATION].to_str().unwrap().to_string();
    // "文件超过 1 KB 的上限"
    assert!(to.contains("%E4%B8%8A%E9%99%90"), "{to}");
}

/// One address gets `LOGIN_ATTEMPTS_PER_MINUTE` logins a minute, then 429.
async fn logins_from_one_address_are_throttled(b: Backend) {
    let s = TestServer::start_with(b, |s| s.login_attempts_per_minute = 3).await;
    for _ in 0..3 {
        let r = s
            .call(
                &s.client(),
                "login",
                &[("username", "nobody"), ("password", "x")],
            )
            .await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }
    let r = s
        .call(
            &s.client(),
            "login",
            &[("username", "admin"), ("password", DEMO_PASSWORD)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(r.text().await.unwrap().contains("过于频繁"));
}

/// A write from another site is refused whatever its cookies; the same
/// site's pass, as do clients that send neither header.
async fn cross_site_writes_are_refused(b: Backend) {
    let s = TestServer::start(b).await;
    let admin = s.logged_in("admin").await;
    let host = s.base.trim_start_matches("http://").to_string();
    let units = s.t.count("units").await;
    let form = [
        ("kind", "contractor"),
        ("name", "跨站创建的单位"),
        ("credit_code", "91330326MA2Q0W1E2R"),
        ("sector", ""),
    ];
    for (name, value) in [
        ("sec-fetch-site", "cross-site"),
        ("sec-fetch-site", "same-site"),
        ("origin", "http://evil.example"),
    ] {
        let r = admin
            .post(s.url("/api/units/create"))
            .header(name, value)
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{name}: {value}");
        assert!(r.text().await.unwrap().contains("其他网站"));
    }
    assert_eq!(s.t.count("units").await, units);
    // Reads are not refused; the same origin writes.
    let r = admin
        .post(s.url("/api/me"))
        .header("sec-fetch-site", "same-origin")
        .header("origin", format!("http://{host}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let r = admin
        .post(s.url("/api/me"))
        .header("origin", format!("http://{host}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
}

/// Behind a proxy the client is the hop the proxy appended, not what the
/// client wrote before it.
async fn the_client_address_is_the_proxys_hop(b: Backend) {
    let s = TestServer::start_with(b, |s| s.trust_proxy = true).await;
    let r = s
        .client()
        .post(s.url("/api/login"))
        .header("x-forwarded-for", "6.6.6.6, 10.9.8.7")
        .form(&[("username", "admin"), ("password", DEMO_PASSWORD)])
        .send()
        .await
        .unwrap();
    assert!(
        r.status().is_success() || r.status().is_redirection(),
        "{}",
        r.status()
    );
    let ip: Option<String> = sqlx::query_scalar(
        "SELECT ip FROM audit_log WHERE action = 'login' ORDER BY seq DESC LIMIT 1",
    )
    .fetch_one(&s.t.db.pool)
    .await
    .unwrap();
    assert_eq!(ip.as_deref(), Some("10.9.8.7"));
}

/// Arguments that do not parse are 400 with a plain message (not 500 with
/// the parser's words); a page number past any list is an empty page, not
/// an overflow.
async fn malformed_requests_are_400_and_huge_pages_empty(b: Backend) {
    let s = TestServer::start(b).await;
    let admin = s.logged_in("admin").await;
    let auditor = s.logged_in("shenji").await;
    let r = s
        .call(
            &admin,
            "units/list",
            &[("q", ""), ("kind", ""), ("page", "abc")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let text = r.text().await.unwrap();
    assert!(text.contains("请求格式不正确"), "{text}");
    let pm = s.logged_in("xmjl_zhang").await;
    let r = s
        .call_json(
            &pm,
            "checkin",
            &serde_json::json!({"filing_id": 1, "lat": "north", "lng": 120.5}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(!r.text().await.unwrap().contains("invalid type"));
    for (endpoint, form) in [
        (
            "units/list",
            vec![("q", ""), ("kind", ""), ("page", "9223372036854775807")],
        ),
        (
            "audit_trail",
            vec![("page", "9223372036854775807"), ("entity", "")],
        ),
    ] {
        // The trail is the audit administrator's (三权分立).
        let who = if endpoint == "audit_trail" {
            &auditor
        } else {
            &admin
        };
        let r = s.call(who, endpoint, &form).await;
        assert_eq!(r.status(), StatusCode::OK, "{endpoint}");
        let v: serde_json::Value = r.json().await.unwrap();
        assert_eq!(v["items"].as_array().map(Vec::len), Some(0), "{endpoint}");
    }
}

/// A person who must replace a first password gets no download either
/// (found by reading: exports skipped the rule pages keep).
async fn downloads_wait_for_the_first_password(b: Backend) {
    let s = TestServer::start(b).await;
    sqlx::query("UPDATE users SET must_change_password = 1 WHERE username = 'zgb'")
        .execute(&s.t.db.pool)
        .await
        .unwrap();
    let zgb = s.logged_in("zgb").await;
    for path in [
        "/export/alerts.xlsx",
        "/export/orders.xlsx",
        "/files/records/1",
    ] {
        let r = zgb.get(s.url(path)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{path}");
        assert!(
            r.headers()[header::LOCATION]
                .to_str()
                .unwrap()
                .starts_with("/account/password"),
            "{path}"
        );
    }
    let admin = s.logged_in("admin").await;
    let r = admin
        .get(s.url("/export/alerts.xlsx"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
}

/// The page gate answers from the acting user the server functions cache,
/// not from a user row read on every page: a change made behind the
/// services' back shows once the user is forgotten (as every service that
/// changes an account does, and other servers on NOTIFY).
async fn the_page_gate_reads_the_cached_user(b: Backend) {
    let s = TestServer::start(b).await;
    let zgb = s.logged_in("zgb").await;
    assert_eq!(s.page(&zgb, "/alerts").await.status(), StatusCode::OK);
    let id: i64 = sqlx::query_scalar("SELECT id FROM users WHERE username = 'zgb'")
        .fetch_one(&s.t.db.pool)
        .await
        .unwrap();
    sqlx::query("UPDATE users SET must_change_password = 1 WHERE id = $1")
        .bind(id)
        .execute(&s.t.db.pool)
        .await
        .unwrap();
    assert_eq!(s.page(&zgb, "/alerts").await.status(), StatusCode::OK);
    s.t.db.forget_user(id).await;
    let r = s.page(&zgb, "/alerts").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()[header::LOCATION], "/account/password?first=1");
}

/// Another unit's project is refused before the payload is read: garbage
/// sent to it answers 403, not the field errors that would tell what the
/// form expects of a project it may not touch.
async fn another_units_project_is_refused_before_validation(b: Backend) {
    let s = TestServer::start(b).await;
    let kg = crate::progress::kindergarten(&s.t).await.to_string();
    let other = s.logged_in("chengjian").await;
    let garbage = [
        (
            "filings/add_member",
            vec![
                ("filing_id", kg.as_str()),
                ("role", "x"),
                ("name", ""),
                ("id_number", "1"),
                ("mobile", "2"),
                ("cert_no", ""),
            ],
        ),
        (
            "attendance/calendar",
            vec![
                ("filing_id", kg.as_str()),
                ("holidays", "not a date"),
                ("makeup_days", "nor this"),
            ],
        ),
    ];
    for (endpoint, form) in garbage {
        let r = s.call(&other, endpoint, &form).await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{endpoint}");
    }
    // The owner itself gets the field errors.
    let owner = s.logged_in("jiaoyu").await;
    let r = s
        .call(
            &owner,
            "attendance/calendar",
            &[
                ("filing_id", kg.as_str()),
                ("holidays", "not a date"),
                ("makeup_days", ""),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

on_both!(
    another_units_project_is_refused_before_validation,
    the_page_gate_reads_the_cached_user,
    downloads_wait_for_the_first_password,
    cross_site_writes_are_refused,
    the_client_address_is_the_proxys_hop,
    malformed_requests_are_400_and_huge_pages_empty,
    pages_carry_the_security_headers,
    an_oversized_body_is_refused_with_413,
    logins_from_one_address_are_throttled
);
