//! 两步验证 over real HTTP, as people use it: enrolment by the app's first
//! code, the code after the password, a code used once, recovery codes,
//! wrong codes against the lock, the required mode's gate, and the
//! administrator's reset.
use crate::{http::TestServer, on_both};
use app::{features::auth::two_factor, platform::db::Backend, platform::time::now_ms};
use reqwest::{Client, StatusCode, header};
use server::demo::DEMO_PASSWORD;

/// Enrols `user` through the pages' server functions; returns the secret
/// (read from the session's enrolment, as the app would scan it) and the
/// recovery codes.
async fn enrol(s: &TestServer, c: &Client) -> (Vec<u8>, Vec<String>) {
    let r = s.call(c, "account/two-factor", &[]).await;
    assert_eq!(r.status(), StatusCode::OK);
    let v: serde_json::Value = r.json().await.unwrap();
    let letters: String = v["enrol"]["secret"].as_str().unwrap().replace(' ', "");
    assert!(
        v["enrol"]["qr_svg"].as_str().unwrap().starts_with("<?xml")
            || v["enrol"]["qr_svg"].as_str().unwrap().contains("<svg")
    );
    let secret = base32_decode(&letters);
    // A wrong code is refused at its field, and nothing is kept.
    let r = s
        .call(c, "account/two-factor/confirm", &[("code", "000000")])
        .await;
    assert!(r.status().is_client_error());
    assert!(r.text().await.unwrap().contains("验证码不正确"));
    let code = two_factor::code_at(&secret, &username_of(s, c).await, now_ms()).unwrap();
    let r = s
        .call(c, "account/two-factor/confirm", &[("code", &code)])
        .await;
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
    let codes: Vec<String> = r.json().await.unwrap();
    assert_eq!(codes.len(), 10);
    (secret, codes)
}

async fn username_of(s: &TestServer, c: &Client) -> String {
    let me: serde_json::Value = s.call(c, "me", &[]).await.json().await.unwrap();
    me["username"].as_str().unwrap().to_string()
}

fn base32_decode(s: &str) -> Vec<u8> {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let (mut bits, mut n, mut out) = (0u64, 0u32, Vec::new());
    for ch in s.bytes() {
        let v = A.iter().position(|&a| a == ch).unwrap() as u64;
        bits = (bits << 5) | v;
        n += 5;
        if n >= 8 {
            out.push((bits >> (n - 8)) as u8);
            n -= 8;
        }
    }
    out
}

/// The password step: a redirect to the code page, and no session yet.
async fn password_step(s: &TestServer, user: &str) -> Client {
    let c = s.client();
    let r = s
        .call(
            &c,
            "login",
            &[("username", user), ("password", DEMO_PASSWORD)],
        )
        .await;
    assert!(
        r.status().is_redirection() || r.status().is_success(),
        "{}",
        r.status()
    );
    assert_eq!(r.headers()[header::LOCATION], "/login/code");
    let home = s.page(&c, "/").await;
    assert!(home.status().is_redirection());
    assert!(
        home.headers()[header::LOCATION]
            .to_str()
            .unwrap()
            .starts_with("/login")
    );
    c
}

async fn enrolled_users_give_a_code_after_the_password(b: Backend) {
    let s = TestServer::start(b).await;
    let c = s.logged_in("zgb").await;
    let (secret, recovery) = enrol(&s, &c).await;
    // Once enrolled, the page says so and offers no new secret.
    let v: serde_json::Value = s
        .call(&c, "account/two-factor", &[])
        .await
        .json()
        .await
        .unwrap();
    assert!(v["enrol"].is_null() && v["recovery_left"] == 10, "{v}");

    let c = password_step(&s, "zgb").await;
    let r = s.call(&c, "login/code", &[("code", "12345")]).await;
    assert!(r.status().is_client_error());
    assert!(r.text().await.unwrap().contains("验证码不正确"));
    // The code of the step after the one used at enrolment (the enrolment's
    // own code is spent).
    let code = two_factor::code_at(&secret, "zgb", now_ms() + 30_000).unwrap();
    let r = s.call(&c, "login/code", &[("code", &code)]).await;
    assert!(
        r.status().is_success() || r.status().is_redirection(),
        "{}",
        r.text().await.unwrap()
    );
    assert_eq!(s.page(&c, "/alerts").await.status(), StatusCode::OK);

    // The same code again (someone who saw it) is refused.
    let c2 = password_step(&s, "zgb").await;
    let r = s.call(&c2, "login/code", &[("code", &code)]).await;
    assert!(r.status().is_client_error(), "a code is used once");
    // A recovery code, typed in lower case without its dash, works once.
    let rc = recovery[3].replace('-', "").to_lowercase();
    let r = s.call(&c2, "login/code", &[("code", &rc)]).await;
    assert!(
        r.status().is_success() || r.status().is_redirection(),
        "{}",
        r.text().await.unwrap()
    );
    let c3 = password_step(&s, "zgb").await;
    let r = s.call(&c3, "login/code", &[("code", &rc)]).await;
    assert!(r.status().is_client_error());
    // The trail has the logins with their factor.
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'login' AND after_json LIKE '%second_factor%'",
    )
    .fetch_one(&s.t.db.pool)
    .await
    .unwrap();
    assert_eq!(n, 2);
}

fn base32_encode(bytes: &[u8]) -> String {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let (mut bits, mut n, mut out) = (0u64, 0u32, String::new());
    for &b in bytes {
        bits = (bits << 8) | u64::from(b);
        n += 8;
        while n >= 5 {
            out.push(A[((bits >> (n - 5)) & 31) as usize] as char);
            n -= 5;
        }
    }
    if n > 0 {
        out.push(A[((bits << (5 - n)) & 31) as usize] as char);
    }
    out
}

async fn stored_secret(s: &TestServer, user: &str) -> String {
    sqlx::query_scalar("SELECT totp_secret FROM users WHERE username = $1")
        .bind(user)
        .fetch_one(&s.t.db.pool)
        .await
        .unwrap()
}

async fn code_login(s: &TestServer, user: &str, secret: &[u8]) -> reqwest::Response {
    // Each check may use the same step again.
    sqlx::query("UPDATE users SET totp_last_step = 0 WHERE username = $1")
        .bind(user)
        .execute(&s.t.db.pool)
        .await
        .unwrap();
    let c = password_step(s, user).await;
    let code = two_factor::code_at(secret, user, now_ms()).unwrap();
    s.call(&c, "login/code", &[("code", &code)]).await
}

fn passed(r: &reqwest::Response) -> bool {
    r.status().is_success() || r.status().is_redirection()
}

/// The database keeps the secret sealed under the server's key and bound
/// to its user: a dump shows no secret, a secret moved to another user's
/// row does not open, and rows kept plain before sealing are sealed at
/// start-up and still work.
async fn secrets_are_kept_sealed(b: Backend) {
    let s = TestServer::start(b).await;
    let c = s.logged_in("zgb").await;
    let (secret, _) = enrol(&s, &c).await;
    let letters = base32_encode(&secret);
    let sealed = stored_secret(&s, "zgb").await;
    assert!(sealed.starts_with("sealed1:"), "{sealed}");
    assert!(!sealed.contains(&letters));
    assert!(passed(&code_login(&s, "zgb", &secret).await));

    // Moved to another user's row: it does not open there.
    sqlx::query("UPDATE users SET totp_secret = $1, totp_enabled_at = 1 WHERE username = 'zjj'")
        .bind(&sealed)
        .execute(&s.t.db.pool)
        .await
        .unwrap();
    let r = code_login(&s, "zjj", &secret).await;
    assert!(!passed(&r), "{}", r.status());

    // A row from before sealing: read as it is, then sealed once.
    sqlx::query("UPDATE users SET totp_secret = $1 WHERE username = 'zgb'")
        .bind(&letters)
        .execute(&s.t.db.pool)
        .await
        .unwrap();
    assert!(passed(&code_login(&s, "zgb", &secret).await));
    assert_eq!(two_factor::seal_stored_secrets(&s.t.db).await.unwrap(), 1);
    let resealed = stored_secret(&s, "zgb").await;
    assert!(resealed.starts_with("sealed1:") && resealed != sealed);
    assert!(passed(&code_login(&s, "zgb", &secret).await));
    assert_eq!(two_factor::seal_stored_secrets(&s.t.db).await.unwrap(), 0);
}

/// Wrong codes count with wrong passwords: the fifth locks the account for
/// the address, and then even the right code is refused.
async fn wrong_codes_lock_the_account(b: Backend) {
    let s = TestServer::start(b).await;
    let c = s.logged_in("zjj").await;
    let (secret, _) = enrol(&s, &c).await;
    let c = password_step(&s, "zjj").await;
    for _ in 0..5 {
        let r = s.call(&c, "login/code", &[("code", "000000")]).await;
        assert!(r.status().is_client_error());
    }
    let code = two_factor::code_at(&secret, "zjj", now_ms() + 30_000).unwrap();
    let r = s.call(&c, "login/code", &[("code", &code)]).await;
    assert!(r.status().is_client_error());
    assert!(r.text().await.unwrap().contains("用户名或密码错误"));
    // A code page without a password step first is refused.
    let r = s.call(&s.client(), "login/code", &[("code", &code)]).await;
    assert!(r.text().await.unwrap().contains("重新输入用户名和密码"));
}

/// TWO_FACTOR=required: an administrator without a second factor reaches
/// only the enrolment page until enrolled; owners are not asked.
async fn required_mode_gates_privileged_users(b: Backend) {
    let s = TestServer::start_with(b, |st| st.two_factor_required = true).await;
    // The security administrator (users are theirs).
    let c = s.logged_in("anquan").await;
    let r = s.page(&c, "/admin/users").await;
    assert!(r.status().is_redirection());
    assert_eq!(r.headers()[header::LOCATION], "/account/two-factor?first=1");
    let r = s
        .call(&c, "users/list", &[("q", ""), ("role", ""), ("page", "1")])
        .await;
    assert!(r.status().is_client_error());
    assert!(r.text().await.unwrap().contains("请先启用两步验证"));
    // Downloads are gated like pages.
    let r = c.get(s.url("/export/users.xlsx")).send().await.unwrap();
    assert!(r.status().is_redirection(), "{}", r.status());
    assert_eq!(r.headers()[header::LOCATION], "/account/two-factor?first=1");
    assert_eq!(
        s.page(&c, "/account/two-factor").await.status(),
        StatusCode::OK
    );
    enrol(&s, &c).await;
    assert_eq!(s.page(&c, "/admin/users").await.status(), StatusCode::OK);
    let owner = s.logged_in("jiaoyu").await;
    assert_eq!(s.page(&owner, "/filings").await.status(), StatusCode::OK);

    // The security administrator resets zgb's credentials: the second factor goes
    // with the password, to be enrolled again.
    let zgb = s.logged_in("zgb").await;
    enrol(&s, &zgb).await;
    let zgb_id = s.t.user_id("zgb").await.to_string();
    let r = s
        .call(
            &c,
            "users/reset_password",
            &[("id", zgb_id.as_str()), ("password", "Temp#Pass2026x")],
        )
        .await;
    assert!(r.status().is_success(), "{}", r.text().await.unwrap());
    let (enabled, left) = two_factor::status(&s.t.db, s.t.user_id("zgb").await)
        .await
        .unwrap();
    assert!(enabled.is_none() && left == 0);
}

on_both!(
    enrolled_users_give_a_code_after_the_password,
    secrets_are_kept_sealed,
    wrong_codes_lock_the_account,
    required_mode_gates_privileged_users,
);
