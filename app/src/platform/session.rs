//! tower-sessions store on our own database (either backend), so sessions
//! live server-side next to the users they belong to.
use super::{cache::CachedSession, db::Db};
use async_trait::async_trait;
use sqlx::Row;
use tower_sessions::{
    SessionStore,
    session::{Id, Record},
    session_store::{Error, Result},
};

/// Key under which the session keeps the logged-in user's id.
pub const USER_ID_KEY: &str = "user_id";
/// When the session's user logged in (UTC ms): the absolute lifetime
/// (`SESSION_MAX_HOURS`) counts from it, however active the session.
pub const LOGIN_AT_KEY: &str = "login_at";

/// The user of a session still within its absolute lifetime. A session past
/// it (or from before the lifetime was recorded) is ended here.
pub async fn session_user(session: &tower_sessions::Session, max_ms: i64) -> Option<i64> {
    let user_id: i64 = session.get(USER_ID_KEY).await.ok().flatten()?;
    let login_at: Option<i64> = session.get(LOGIN_AT_KEY).await.ok().flatten();
    let now = super::time::now_ms();
    match login_at {
        Some(at) if now - at < max_ms => Some(user_id),
        _ => {
            let _ = session.flush().await;
            None
        }
    }
}

#[derive(Debug, Clone)]
pub struct DbSessionStore {
    db: Db,
    /// Renewals waiting to be written (session id, new expiry).
    touches: tokio::sync::mpsc::UnboundedSender<(String, i64)>,
}

impl DbSessionStore {
    /// Starts the renewal writer on the current Tokio runtime.
    pub fn new(db: Db) -> Self {
        let (touches, rx) = tokio::sync::mpsc::unbounded_channel();
        tokio::spawn(write_touches(db.clone(), rx));
        Self { db, touches }
    }
}

/// Writes renewals once a second, all in one transaction. A renewal only
/// moves an expiry forward: losing the last second of them (a crash) at
/// worst ends a session a little early, so nobody waits for it.
async fn write_touches(db: Db, mut rx: tokio::sync::mpsc::UnboundedReceiver<(String, i64)>) {
    let mut batch = Vec::new();
    while rx.recv_many(&mut batch, 10_000).await > 0 {
        let mut latest = std::collections::HashMap::new();
        latest.extend(batch.drain(..));
        let result = async {
            let mut tx = db.pool.begin().await?;
            for (id, expires) in &latest {
                sqlx::query(
                    "UPDATE sessions SET expires_at = $1 WHERE id = $2 AND expires_at < $1",
                )
                .bind(expires)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await
        }
        .await;
        if let Err(e) = result {
            tracing::warn!(error = %e, "session renewals not written");
        }
        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    }
}

fn backend(e: sqlx::Error) -> Error {
    Error::Backend(e.to_string())
}

fn user_id(record: &Record) -> Option<i64> {
    record.data.get(USER_ID_KEY).and_then(|v| v.as_i64())
}

fn expires_ms(record: &Record) -> i64 {
    (record.expiry_date.unix_timestamp_nanos() / 1_000_000) as i64
}

/// A renewal closer than this to the expiry already stored is not written:
/// with idle expiry every request renews the session, and writing each renewal
/// would cost a database write per request. The stored expiry may therefore
/// lag the real one by up to this much.
const TOUCH_MS: i64 = 60_000;

#[async_trait]
impl SessionStore for DbSessionStore {
    async fn save(&self, record: &Record) -> Result<()> {
        let data = serde_json::to_string(&record.data).map_err(|e| Error::Encode(e.to_string()))?;
        let id = record.id.to_string();
        let expires = expires_ms(record);
        let cache = &self.db.cache.sessions;
        if let Some(seen) = cache.get(&id)
            && seen.data_json == data
        {
            // Only the expiry moved: a renewal.
            let stored_expiry_ms = if (expires - seen.stored_expiry_ms).abs() < TOUCH_MS {
                seen.stored_expiry_ms
            } else {
                let _ = self.touches.send((id.clone(), expires));
                expires
            };
            cache.insert(
                id,
                CachedSession {
                    record: record.clone(),
                    stored_expiry_ms,
                    ..seen
                },
            );
            return Ok(());
        }
        sqlx::query(
            "INSERT INTO sessions (id, user_id, data, expires_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (id) DO UPDATE SET user_id = excluded.user_id, data = excluded.data, expires_at = excluded.expires_at",
        )
        .bind(&id)
        .bind(user_id(record))
        .bind(&data)
        .bind(expires)
        .execute(&self.db.pool)
        .await
        .map_err(backend)?;
        cache.insert(
            id,
            CachedSession {
                record: record.clone(),
                user_id: user_id(record),
                data_json: data,
                stored_expiry_ms: expires,
            },
        );
        Ok(())
    }

    async fn load(&self, id: &Id) -> Result<Option<Record>> {
        let now = super::time::now_ms();
        let key = id.to_string();
        if let Some(seen) = self.db.cache.sessions.get(&key) {
            if expires_ms(&seen.record) > now {
                return Ok(Some(seen.record));
            }
            self.db.cache.sessions.invalidate(&key);
            return Ok(None);
        }
        let row =
            sqlx::query("SELECT data, expires_at FROM sessions WHERE id = $1 AND expires_at > $2")
                .bind(&key)
                .bind(now)
                .fetch_optional(&self.db.pool)
                .await
                .map_err(backend)?;
        let Some(row) = row else { return Ok(None) };
        let data: String = row.try_get("data").map_err(backend)?;
        let expires: i64 = row.try_get("expires_at").map_err(backend)?;
        let expiry_date =
            time::OffsetDateTime::from_unix_timestamp_nanos(expires as i128 * 1_000_000)
                .map_err(|e| Error::Decode(e.to_string()))?;
        let record = Record {
            id: *id,
            data: serde_json::from_str(&data).map_err(|e| Error::Decode(e.to_string()))?,
            expiry_date,
        };
        self.db.cache.sessions.insert(
            key,
            CachedSession {
                record: record.clone(),
                user_id: user_id(&record),
                data_json: data,
                stored_expiry_ms: expires,
            },
        );
        Ok(Some(record))
    }

    async fn delete(&self, id: &Id) -> Result<()> {
        let key = id.to_string();
        self.db.cache.sessions.invalidate(&key);
        let user: Option<Option<i64>> =
            sqlx::query_scalar("DELETE FROM sessions WHERE id = $1 RETURNING user_id")
                .bind(&key)
                .fetch_optional(&self.db.pool)
                .await
                .map_err(backend)?;
        // Other server processes drop their copy of it (logout).
        if let Some(Some(user_id)) = user {
            self.db.forget_user(user_id).await;
        }
        Ok(())
    }
}

/// Ends every session of a user (disabled, password reset by an administrator).
/// Call [`super::db::Db::forget_user`] after the transaction commits.
pub async fn end_sessions_of(
    conn: &mut sqlx::AnyConnection,
    user_id: i64,
) -> std::result::Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM sessions WHERE user_id = $1")
        .bind(user_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Housekeeping: drops expired sessions (run periodically by the server).
pub async fn delete_expired(db: &Db) -> std::result::Result<u64, sqlx::Error> {
    let r = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
        .bind(super::time::now_ms())
        .execute(&db.pool)
        .await?;
    Ok(r.rows_affected())
}
