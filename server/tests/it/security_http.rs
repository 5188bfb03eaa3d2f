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
    let r = s.page(&admin, "/admin/users").await;
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

on_both!(
    pages_carry_the_security_headers,
    an_oversized_body_is_refused_with_413,
    logins_from_one_address_are_throttled
);
