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

#[derive(Debug, Clone)]
pub struct DbSessionStore {
    db: Db,
}

impl DbSessionStore {
    pub fn new(db: Db) -> Self {
        Self { db }
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
            && (expires - seen.stored_expiry_ms).abs() < TOUCH_MS
        {
            cache.insert(
                id,
                CachedSession {
                    record: record.clone(),
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
        sqlx::query("DELETE FROM sessions WHERE id = $1")
            .bind(&key)
            .execute(&self.db.pool)
            .await
            .map_err(backend)?;
        Ok(())
    }
}

/// Ends every session of a user (disabled, password reset by an administrator).
/// Call [`super::cache::Caches::forget_user`] after the transaction commits.
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
