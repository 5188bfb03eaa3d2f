use app::features::attendance::desk::CheckinDesk;
use app::platform::{
    actor::{Actor, ClientInfo, load_actor},
    db::{Backend, Db},
    settings::Settings,
};
use sqlx::{Connection, Row};
use std::path::PathBuf;

pub struct TestDb {
    pub db: Db,
    /// The check-in writer on this database.
    pub desk: CheckinDesk,
    /// The login throttle, as the server holds it.
    pub guard: app::features::auth::guard::LoginGuard,
    pub settings: Settings,
    /// Removes the database when the test ends.
    _guard: Guard,
}

pub enum Guard {
    Sqlite(PathBuf),
    Postgres { admin_url: String, name: String },
}

fn unique(prefix: &str) -> String {
    use rand::Rng;
    format!(
        "{prefix}_{}_{:08x}",
        std::process::id(),
        rand::thread_rng().r#gen::<u32>()
    )
}

/// The server to create test databases on (trust auth, CREATEDB).
pub fn postgres_admin_url() -> String {
    std::env::var("TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// A new, empty database (nothing created in it yet) and a data folder for
/// it, both removed when the guard drops: (settings, guard).
pub async fn empty_database(backend: Backend) -> (Settings, Guard) {
    sqlx::any::install_default_drivers();
    let (url, guard, data_dir) = match backend {
        Backend::Sqlite => {
            let dir = std::env::temp_dir().join(unique("bhly_test"));
            std::fs::create_dir_all(&dir).unwrap();
            (
                format!("sqlite://{}/test.db", dir.display()),
                Guard::Sqlite(dir.clone()),
                dir,
            )
        }
        Backend::Postgres => {
            let admin_url = postgres_admin_url();
            let name = unique("bhly_test");
            let mut conn = sqlx::AnyConnection::connect(&admin_url)
                .await
                .expect("PostgreSQL reachable for tests");
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(&mut conn)
                .await
                .unwrap();
            conn.close().await.ok();
            let base = admin_url.rsplit_once('/').map(|(b, _)| b).unwrap();
            let dir = std::env::temp_dir().join(&name);
            (
                format!("{base}/{name}"),
                Guard::Postgres { admin_url, name },
                dir,
            )
        }
    };
    let mut settings = Settings::with_data_dir(data_dir);
    settings.database_url = url;
    (settings, guard)
}

impl TestDb {
    pub async fn new(backend: Backend) -> Self {
        let (settings, guard) = empty_database(backend).await;
        let url = settings.database_url.clone();
        // In the test's folder, so that the CLI (TRAIL_KEY_FILE) can use it.
        let key = app::platform::audit::TrailKey::load_or_create(&settings.trail_key_file)
            .expect("trail key");
        let db = Db::connect(&url, key).await.expect("connect and migrate");
        // As `serve --demo` runs: a second factor offered, not imposed (the
        // tests that need it required set it).
        let mut settings = settings;
        settings.two_factor_required = false;
        Self {
            desk: CheckinDesk::start(db.clone()),
            guard: app::features::auth::guard::LoginGuard::new(settings.login_attempts_per_minute),
            db,
            settings,
            _guard: guard,
        }
    }

    /// Loads the demo units and accounts.
    pub async fn with_demo(backend: Backend) -> Self {
        let t = Self::new(backend).await;
        let files = app::platform::storage::FileStore::from_settings(&t.settings).unwrap();
        assert!(server::demo::load(&t.db, &files).await.unwrap());
        t
    }

    pub async fn user_id(&self, username: &str) -> i64 {
        sqlx::query_scalar("SELECT id FROM users WHERE username = $1")
            .bind(username)
            .fetch_one(&self.db.pool)
            .await
            .unwrap()
    }

    pub async fn actor(&self, username: &str) -> Actor {
        let id = self.user_id(username).await;
        load_actor(
            &self.db,
            id,
            ClientInfo {
                ip: Some("127.0.0.1".into()),
                user_agent: Some("test".into()),
            },
        )
        .await
        .unwrap()
        .unwrap()
    }

    pub async fn unit_id(&self, name: &str) -> i64 {
        sqlx::query_scalar("SELECT id FROM units WHERE name = $1")
            .bind(name)
            .fetch_one(&self.db.pool)
            .await
            .unwrap()
    }

    /// Drops the append-only triggers of the audit trail, as someone with
    /// direct database access could, so a test can tamper with it.
    pub async fn drop_audit_guard(&self) {
        let sql = match self.db.backend {
            Backend::Sqlite => {
                "DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;"
            }
            Backend::Postgres => "DROP TRIGGER audit_log_no_change ON audit_log",
        };
        sqlx::raw_sql(sql).execute(&self.db.pool).await.unwrap();
    }

    pub async fn count(&self, table: &str) -> i64 {
        sqlx::query(&format!("SELECT COUNT(*) AS n FROM {table}"))
            .fetch_one(&self.db.pool)
            .await
            .unwrap()
            .get("n")
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        match self {
            Guard::Sqlite(dir) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            Guard::Postgres { admin_url, name } => {
                // Its files (trail key, uploads) live in a folder of its name.
                let _ = std::fs::remove_dir_all(std::env::temp_dir().join(&*name));
                let (url, name) = (admin_url.clone(), name.clone());
                // Drop cannot await; a short-lived runtime on another thread can.
                let _ = std::thread::spawn(move || {
                    tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                        .unwrap()
                        .block_on(async move {
                            if let Ok(mut c) = sqlx::AnyConnection::connect(&url).await {
                                let _ = sqlx::query(&format!(
                                    "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                                ))
                                .execute(&mut c)
                                .await;
                            }
                        })
                })
                .join();
            }
        }
    }
}

pub fn assert_field(err: &app::error::AppError, field: &str, contains: &str) {
    let fields = err
        .field_errors()
        .unwrap_or_else(|| panic!("expected field errors, got {err:?}"));
    let msg = fields
        .get(field)
        .unwrap_or_else(|| panic!("no error for {field}: {fields:?}"));
    assert!(
        msg.contains(contains),
        "{field}: {msg} should contain {contains}"
    );
}

/// Runs each listed `async fn(Backend)` once on SQLite and once on PostgreSQL.
#[macro_export]
macro_rules! on_both {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() { super::$name(app::platform::db::Backend::Sqlite).await }) *
        }
        mod postgres {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() { super::$name(app::platform::db::Backend::Postgres).await }) *
        }
    };
}

/// Backdates when a filing's roster (or, with `None`, every roster) joined:
/// the dated roster's `joined_on` is the Beijing day of `at`.
pub async fn roster_joined(db: &app::platform::db::Db, filing_id: Option<i64>, at: i64) {
    let day = chrono::DateTime::from_timestamp_millis(at)
        .unwrap()
        .with_timezone(&app::fmt::beijing())
        .date_naive()
        .to_string();
    sqlx::query(
        "UPDATE roster_members SET created_at = $1, joined_on = $2 WHERE $3 = 0 OR filing_id = $4",
    )
    .bind(at)
    .bind(day)
    .bind(filing_id.unwrap_or(0))
    .bind(filing_id.unwrap_or(0))
    .execute(&db.pool)
    .await
    .unwrap();
    // Written behind the services' back: what was derived is read again.
    db.cache.derived.clear();
}

/// A fresh bucket on a local S3-compatible server (moto's server mode,
/// installed by `scripts/setup.sh`): `TEST_S3_ENDPOINT`, or one started
/// here on 127.0.0.1:5055 when nothing answers there (it stays up for the
/// next run). Never skipped: without the server this fails, saying so.
pub async fn s3_storage() -> app::platform::settings::StorageConfig {
    static STARTED: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    let endpoint = STARTED
        .get_or_init(|| async {
            if let Ok(e) = std::env::var("TEST_S3_ENDPOINT") {
                return e;
            }
            let endpoint = "http://127.0.0.1:5055".to_string();
            let up = || async {
                reqwest::get(format!("{endpoint}/moto-api/"))
                    .await
                    .is_ok_and(|r| r.status().is_success())
            };
            if !up().await {
                // Left running on purpose: the next test run finds it up.
                #[allow(clippy::zombie_processes)]
                let _ = std::process::Command::new("python3")
                    .args(["-m", "moto.server", "-H", "127.0.0.1", "-p", "5055"])
                    .stdout(std::process::Stdio::null())
                    .stderr(std::process::Stdio::null())
                    .spawn()
                    .expect("python3 for the local S3 server (scripts/setup.sh installs moto)");
                for _ in 0..150 {
                    if up().await {
                        break;
                    }
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                }
                assert!(
                    up().await,
                    "the local S3 server (moto) did not start: run scripts/setup.sh test"
                );
            }
            endpoint
        })
        .await
        .clone();
    let bucket = unique("bhly-test").replace('_', "-");
    let r = reqwest::Client::new()
        .put(format!("{endpoint}/{bucket}"))
        .send()
        .await
        .expect("local S3 server");
    assert!(
        r.status().is_success(),
        "bucket not created: {}",
        r.status()
    );
    app::platform::settings::StorageConfig::S3 {
        bucket,
        endpoint: Some(endpoint),
        region: "us-east-1".into(),
        keys: Some(("test".into(), "test".into())),
    }
}
