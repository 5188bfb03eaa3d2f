//! Two server processes on one PostgreSQL database behind any load
//! balancer (how a province scales out): a disabled user or an ended
//! session is refused by both within a second, check-ins sent to both count
//! once a day, and the trail stays one valid chain.
use crate::{attendance::site, helpers::TestDb};
use app::{
    features::auth::service::hash_password,
    platform::{audit, db::Backend},
};
use reqwest::{Client, StatusCode};
use server::demo::DEMO_PASSWORD;
use std::time::{Duration, Instant};

/// `server serve` on a free port over the test's database.
struct Process {
    child: std::process::Child,
    base: String,
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn start(t: &TestDb) -> Process {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_server"))
        .arg("serve")
        .env("DATABASE_URL", &t.settings.database_url)
        .env("DATA_DIR", &t.settings.data_dir)
        .env("TRAIL_KEY_FILE", &t.settings.trail_key_file)
        .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
        .env("TWO_FACTOR", "optional")
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let p = Process {
        child,
        base: format!("http://127.0.0.1:{port}"),
    };
    let c = Client::new();
    for _ in 0..150 {
        if c.get(format!("{}/healthz", p.base))
            .send()
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            return p;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("server did not start");
}

/// One cookie jar for both: the session travels between them, as behind a
/// load balancer (cookies do not depend on the port).
fn client() -> Client {
    Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn call(c: &Client, p: &Process, endpoint: &str, form: &[(&str, &str)]) -> reqwest::Response {
    c.post(format!("{}/api/{endpoint}", p.base))
        .form(form)
        .send()
        .await
        .unwrap()
}

async fn login(c: &Client, p: &Process, user: &str) {
    let r = call(
        c,
        p,
        "login",
        &[("username", user), ("password", DEMO_PASSWORD)],
    )
    .await;
    assert!(
        r.status().is_success() || r.status().is_redirection(),
        "{user}: {}",
        r.status()
    );
}

/// Logs in through `p` and returns the session cookie (`name=value`).
async fn session_cookie(p: &Process, user: &str) -> String {
    let c = Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let r = call(
        &c,
        p,
        "login",
        &[("username", user), ("password", DEMO_PASSWORD)],
    )
    .await;
    let set = r
        .headers()
        .get(reqwest::header::SET_COOKIE)
        .unwrap()
        .to_str()
        .unwrap();
    set.split(';').next().unwrap().to_string()
}

/// Is `c` logged in, as `p` sees it?
async fn logged_in(c: &Client, p: &Process) -> bool {
    let me = call(c, p, "me", &[]).await.text().await.unwrap();
    me.trim() != "null"
}

/// Polls until `p` no longer sees `c` logged in; the time it took.
async fn refused_within(c: &Client, p: &Process, limit: Duration) -> Duration {
    let started = Instant::now();
    while logged_in(c, p).await {
        assert!(started.elapsed() < limit, "still logged in after {limit:?}");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    started.elapsed()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_servers_on_one_postgres_agree() {
    let t = TestDb::with_demo(Backend::Postgres).await;
    let id = site(&t).await;
    sqlx::query("UPDATE users SET password_hash = $1, must_change_password = 0 WHERE username = '13857700011'")
        .bind(hash_password(DEMO_PASSWORD).await.unwrap())
        .execute(&t.db.pool)
        .await
        .unwrap();
    let (a, b) = (start(&t).await, start(&t).await);

    // A supervisor logged in through A is served by B too (both cache the
    // session and the user).
    let zgb = client();
    login(&zgb, &a, "zgb").await;
    assert!(logged_in(&zgb, &a).await && logged_in(&zgb, &b).await);
    // The administrator disables the account through A: B refuses it
    // within a second, not after its cache's minute.
    let admin = client();
    login(&admin, &a, "anquan").await;
    let zgb_id = t.user_id("zgb").await.to_string();
    let r = call(
        &admin,
        &a,
        "users/set_disabled",
        &[("id", zgb_id.as_str()), ("disabled", "true")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
    refused_within(&zgb, &b, Duration::from_secs(1)).await;
    assert!(!logged_in(&zgb, &a).await);

    // A logout through B ends the session on A as well: the same cookie,
    // sent again to A, finds no one within a second.
    let cookie = session_cookie(&a, "jiaoyu").await;
    let with_cookie = |p: &Process| {
        Client::new()
            .post(format!("{}/api/me", p.base))
            .header(reqwest::header::COOKIE, cookie.clone())
            .send()
    };
    let me_on = |r: reqwest::Response| async move { r.text().await.unwrap().trim() != "null" };
    assert!(me_on(with_cookie(&a).await.unwrap()).await);
    assert!(me_on(with_cookie(&b).await.unwrap()).await);
    Client::new()
        .post(format!("{}/api/logout", b.base))
        .header(reqwest::header::COOKIE, cookie.clone())
        .send()
        .await
        .unwrap();
    let started = Instant::now();
    while me_on(with_cookie(&a).await.unwrap()).await {
        assert!(
            started.elapsed() < Duration::from_secs(1),
            "A still serves the session"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }

    // The project manager checks in through both at once: one is counted.
    let pm = client();
    login(&pm, &a, "13857700011").await;
    let reading = serde_json::json!({"filing_id": id, "lat": 27.6625, "lng": 120.5655, "accuracy": 12.0, "device_key": "phone0001"});
    let send = |p: &Process| {
        pm.post(format!("{}/api/checkin", p.base))
            .json(&reading)
            .send()
    };
    let (ra, rb) = tokio::join!(send(&a), send(&b));
    let (ra, rb): (serde_json::Value, serde_json::Value) = (
        ra.unwrap().json().await.unwrap(),
        rb.unwrap().json().await.unwrap(),
    );
    assert_eq!(ra["accepted"], true, "{ra}");
    assert_eq!(rb["accepted"], true, "{rb}");
    assert_ne!(
        ra["counted"], rb["counted"],
        "exactly one counted: {ra} {rb}"
    );
    let counted: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM checkins WHERE filing_id = $1 AND counted = 1")
            .bind(id)
            .fetch_one(&t.db.pool)
            .await
            .unwrap();
    assert_eq!(counted, 1);

    // Both wrote to the trail (logins, the disabling, logouts, the rules
    // each ran at start): still one chain.
    let r = audit::verify(&t.db).await.unwrap();
    assert_eq!(r.problem, None);
    // Both published the day's head at start: it is published once.
    let heads: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_log WHERE entity = 'audit_head' AND action = 'publish'",
    )
    .fetch_one(&t.db.pool)
    .await
    .unwrap();
    assert_eq!(heads, 1);
    drop((a, b));
}
