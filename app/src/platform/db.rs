//! One database layer for SQLite (default) and PostgreSQL, chosen at run time
//! by the URL. Queries go through sqlx's `Any` driver with portable SQL (`$N`
//! placeholders in ascending order, integers for instants and flags); each
//! backend has its own migration folder for the DDL that differs.
use sqlx::{
    Any, AnyPool, Transaction,
    any::{AnyPoolOptions, install_default_drivers},
    migrate::Migrator,
};
use std::{path::Path, time::Duration};

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("../migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("../migrations/postgres");

/// The PostgreSQL channel on which server processes announce cache changes.
const CHANGES_CHANNEL: &str = "bhly_cache";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Debug, Clone)]
pub struct Db {
    pub pool: AnyPool,
    pub backend: Backend,
    /// Sessions and users, shared by every clone of this handle.
    pub cache: std::sync::Arc<super::cache::Caches>,
    /// The key the audit trail is sealed with (kept outside the database).
    pub trail_key: super::audit::TrailKey,
    /// PostgreSQL: where [`Db::listen_for_changes`] connects.
    listen_url: Option<String>,
}

impl Db {
    /// Connects, creating the SQLite file (and its folder) if missing,
    /// applies pending migrations and checks that `trail_key` is the key the
    /// database's trail is sealed with (the first start records it).
    pub async fn connect(
        url: &str,
        trail_key: super::audit::TrailKey,
    ) -> Result<Self, sqlx::Error> {
        install_default_drivers();
        let backend = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else {
            return Err(sqlx::Error::Configuration(
                "DATABASE_URL 须以 sqlite: 或 postgres:// 开头".into(),
            ));
        };
        let listen_url = (backend == Backend::Postgres).then(|| url.to_string());
        let mut url = url.to_string();
        let options = AnyPoolOptions::new().acquire_timeout(Duration::from_secs(5));
        let options = if backend == Backend::Sqlite {
            if let Some(dir) =
                sqlite_path(&url).and_then(|p| Path::new(p).parent().map(Path::to_owned))
            {
                std::fs::create_dir_all(dir).map_err(|e| sqlx::Error::Configuration(e.into()))?;
            }
            if !url.contains("mode=") {
                url.push_str(if url.contains('?') {
                    "&mode=rwc"
                } else {
                    "?mode=rwc"
                });
            }
            // Through the `Any` driver sqlx's SQLite defaults do not all apply,
            // so each connection states what we rely on (a test checks WAL).
            options.max_connections(8).after_connect(|conn, _meta| {
                Box::pin(async move {
                    use sqlx::Executor;
                    conn.execute("PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;")
                        .await?;
                    Ok(())
                })
            })
        } else {
            // Our statements are prepared once per connection; PostgreSQL
            // would otherwise plan the check-in statement afresh on every
            // execution (milliseconds, more than running it).
            options.max_connections(16).after_connect(|conn, _meta| {
                Box::pin(async move {
                    use sqlx::Executor;
                    conn.execute("SET plan_cache_mode = force_generic_plan")
                        .await?;
                    Ok(())
                })
            })
        };
        let pool = options.connect(&url).await?;
        let db = Self {
            pool,
            backend,
            cache: Default::default(),
            trail_key,
            listen_url,
        };
        db.migrator().run(&db.pool).await?;
        db.bind_trail_key().await?;
        Ok(db)
    }

    async fn bind_trail_key(&self) -> Result<(), sqlx::Error> {
        let id = self.trail_key.id();
        sqlx::query("UPDATE audit_head SET key_id = $1 WHERE id = 1 AND key_id IS NULL")
            .bind(&id)
            .execute(&self.pool)
            .await?;
        let bound: Option<String> =
            sqlx::query_scalar("SELECT key_id FROM audit_head WHERE id = 1")
                .fetch_one(&self.pool)
                .await?;
        if bound.as_deref() != Some(id.as_str()) {
            return Err(sqlx::Error::Configuration(
                format!(
                    "留痕密钥（TRAIL_KEY_FILE）与数据库登记的不符（登记 {}，现为 {id}）：请使用原密钥文件",
                    bound.unwrap_or_default()
                )
                .into(),
            ));
        }
        Ok(())
    }

    fn migrator(&self) -> &'static Migrator {
        match self.backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        }
    }

    /// Begins a transaction that will write. On SQLite it takes the write
    /// lock at once (`BEGIN IMMEDIATE`): a deferred transaction that reads
    /// first and writes later cannot wait for the lock once another writer
    /// has committed since its read (SQLITE_BUSY_SNAPSHOT, no busy timeout),
    /// which made owners' saves fail beside the check-in writer. Waiting at
    /// BEGIN honours `busy_timeout` instead. PostgreSQL needs nothing here;
    /// writers that read first lock their rows (`project::for_owner`).
    pub async fn begin_write(&self) -> Result<Transaction<'static, Any>, sqlx::Error> {
        match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await,
            Backend::Postgres => self.pool.begin().await,
        }
    }

    /// After a user's account or sessions changed (committed): this
    /// process's caches at once, other server processes on the same
    /// PostgreSQL database through NOTIFY (they listen with
    /// [`Db::listen_for_changes`]), so a disabled user or an ended session
    /// is refused everywhere within moments rather than the caches' minute.
    pub async fn forget_user(&self, user_id: i64) {
        self.cache.forget_user(user_id);
        self.notify(&format!("user:{user_id}")).await;
    }

    /// After a unit changed: every process reloads its cached users.
    pub async fn forget_actors(&self) {
        self.cache.forget_actors();
        self.notify("actors").await;
    }

    async fn notify(&self, what: &str) {
        if self.backend == Backend::Postgres
            && let Err(e) = sqlx::query("SELECT pg_notify($1, $2)")
                .bind(CHANGES_CHANNEL)
                .bind(what)
                .execute(&self.pool)
                .await
        {
            // The others' caches still expire within their TTL.
            tracing::error!(error = %e, "cache notification not sent");
        }
    }

    /// PostgreSQL: listens for the changes other processes announce and
    /// forgets what they changed; after a lost connection (notices may have
    /// been missed) everything is forgotten. Returns once listening (the
    /// server starts taking requests after that), or after the first try
    /// failed (it keeps trying in the background). Nothing to do on SQLite
    /// (one process owns the file).
    pub async fn listen_for_changes(&self) {
        let Some(url) = self.listen_url.clone() else {
            return;
        };
        let cache = self.cache.clone();
        let connect = move |url: String| async move {
            let mut l = sqlx::postgres::PgListener::connect(&url).await?;
            l.listen(CHANGES_CHANNEL).await?;
            Ok::<_, sqlx::Error>(l)
        };
        let first = connect(url.clone()).await;
        tokio::spawn(async move {
            let mut next = Some(first);
            loop {
                let attempt = match next.take() {
                    Some(first) => first,
                    None => connect(url.clone()).await,
                };
                let mut l = match attempt {
                    Ok(l) => l,
                    Err(e) => {
                        tracing::error!(error = %e, "cannot listen for cache changes; retrying");
                        tokio::time::sleep(Duration::from_secs(1)).await;
                        continue;
                    }
                };
                cache.forget_everything();
                loop {
                    match l.try_recv().await {
                        Ok(Some(n)) => match n.payload() {
                            "actors" => cache.forget_actors(),
                            p => match p.strip_prefix("user:").and_then(|id| id.parse().ok()) {
                                Some(id) => cache.forget_user(id),
                                None => cache.forget_everything(),
                            },
                        },
                        // Reconnected: what was sent meanwhile is lost.
                        Ok(None) => cache.forget_everything(),
                        Err(e) => {
                            tracing::error!(error = %e, "cache listener failed; reconnecting");
                            break;
                        }
                    }
                }
            }
        });
    }

    /// For `/healthz`: answers within a second or counts as down.
    pub async fn ping(&self) -> bool {
        let q = sqlx::query_scalar::<_, i32>("SELECT 1").fetch_one(&self.pool);
        matches!(
            tokio::time::timeout(Duration::from_secs(1), q).await,
            Ok(Ok(1))
        )
    }
}

/// The file of a `sqlite:` URL (none for memory databases).
pub fn sqlite_path(url: &str) -> Option<&str> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next()?;
    (!path.is_empty() && path != ":memory:").then_some(path)
}

/// True when the error is a unique-constraint violation on `column` (the
/// constraint names differ per backend; the column name appears in both).
pub fn is_unique_violation(e: &sqlx::Error, column: &str) -> bool {
    match e {
        sqlx::Error::Database(d) => {
            let msg = d.message();
            let code = d.code().unwrap_or_default();
            // SQLite 2067 / Postgres 23505
            (code == "2067" || code == "23505" || msg.contains("UNIQUE"))
                && (msg.contains(column) || d.constraint().is_some_and(|c| c.contains(column)))
        }
        _ => false,
    }
}

/// `%text%` for LIKE, with the wildcards in the text escaped.
pub fn like_pattern(q: &str) -> String {
    let q = q.trim();
    if q.is_empty() {
        return String::new();
    }
    let escaped: String = q
        .chars()
        .take(50)
        .flat_map(|c| match c {
            '%' | '_' | '\\' => vec!['\\', c],
            c => vec![c],
        })
        .collect();
    format!("%{escaped}%")
}
