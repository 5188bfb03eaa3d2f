//! 全程留痕: the one path for domain writes, and its verification.
//!
//! A domain write opens an [`AuditedTx`], makes its changes through
//! [`AuditedTx::conn`], records what changed with [`AuditedTx::record`], and
//! commits. The entry is appended in the same transaction, so a write and its
//! trail entry land together or not at all. Each entry is sealed with an
//! HMAC of itself and the previous entry's seal under the trail key
//! ([`key`]); [`verify`] walks the chain and names the first entry that was
//! edited, inserted or deleted behind the app's back, and [`heads`] publishes
//! the head once a day so that even the key's holder cannot rewrite the past
//! unseen.
pub mod follow;
pub mod heads;
pub mod key;
mod verify;

pub use key::TrailKey;
pub use verify::{VerifyReport, check_published, verify};

use super::{db::Db, time::now_ms};
use crate::error::AppError;
use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::{Any, AnyConnection, Row, Transaction};

pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Who is writing, as the trail records it.
#[derive(Debug, Clone)]
pub struct Who {
    pub user_id: Option<i64>,
    pub unit_id: Option<i64>,
    pub name: String,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

impl Who {
    /// The system itself (demo data, imports run from the command line).
    pub fn system(name: &str) -> Self {
        Self {
            user_id: None,
            unit_id: None,
            name: name.to_string(),
            ip: None,
            user_agent: None,
        }
    }
}

pub struct AuditedTx<'w> {
    tx: Transaction<'static, Any>,
    backend: super::db::Backend,
    key: TrailKey,
    who: &'w Who,
    entries: usize,
    /// The chain's head as this write has moved it (seq, hash), once its
    /// first entry has taken the head row; written back at commit.
    head: Option<(i64, String)>,
}

impl<'w> AuditedTx<'w> {
    pub async fn begin(db: &Db, who: &'w Who) -> Result<Self, AppError> {
        Ok(Self {
            tx: db.begin_write().await?,
            backend: db.backend,
            key: db.trail_key.clone(),
            who,
            entries: 0,
            head: None,
        })
    }

    /// Which database this write runs on (row locks differ).
    pub fn backend(&self) -> super::db::Backend {
        self.backend
    }

    /// The connection for the domain statements of this write.
    pub fn conn(&mut self) -> &mut AnyConnection {
        &mut self.tx
    }

    /// Appends one trail entry. `before`/`after` are the record as the user
    /// would describe it (never secrets such as password hashes).
    pub async fn record<T: Serialize>(
        &mut self,
        entity: &str,
        entity_id: impl ToString,
        action: &str,
        before: Option<&T>,
        after: Option<&T>,
    ) -> Result<(), AppError> {
        let to_json = |v: Option<&T>| {
            v.map(|v| serde_json::to_string(v).map_err(|_| AppError::Internal))
                .transpose()
        };
        // The first entry takes the head with an UPDATE, which locks it (a row
        // lock on PostgreSQL, the write lock on SQLite) until commit, so appends
        // are strictly serial; later entries of the write follow it in memory
        // (one statement per entry, not three: a run of 30,000 alerts).
        let (seq, prev_hash) = match self.head.take() {
            Some((seq, hash)) => (seq + 1, hash),
            None => {
                let head = sqlx::query(
                    "UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, last_hash",
                )
                .fetch_one(&mut *self.tx)
                .await?;
                (head.try_get("seq")?, head.try_get("last_hash")?)
            }
        };
        let mut entry = Entry {
            seq,
            at: now_ms(),
            actor_user_id: self.who.user_id,
            actor_unit_id: self.who.unit_id,
            actor_name: self.who.name.clone(),
            entity: entity.to_string(),
            entity_id: entity_id.to_string(),
            action: action.to_string(),
            before_json: to_json(before)?,
            after_json: to_json(after)?,
            ip: self.who.ip.clone(),
            user_agent: self.who.user_agent.clone(),
            prev_hash,
            hash: String::new(),
        };
        entry.hash = entry.compute_hash(Some(&self.key));
        sqlx::query(
            "INSERT INTO audit_log (seq, at, actor_user_id, actor_unit_id, actor_name, entity, entity_id, action,
                before_json, after_json, ip, user_agent, prev_hash, hash)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
        )
        .bind(entry.seq)
        .bind(entry.at)
        .bind(entry.actor_user_id)
        .bind(entry.actor_unit_id)
        .bind(&entry.actor_name)
        .bind(&entry.entity)
        .bind(&entry.entity_id)
        .bind(&entry.action)
        .bind(&entry.before_json)
        .bind(&entry.after_json)
        .bind(&entry.ip)
        .bind(&entry.user_agent)
        .bind(&entry.prev_hash)
        .bind(&entry.hash)
        .execute(&mut *self.tx)
        .await?;
        self.head = Some((entry.seq, entry.hash));
        self.entries += 1;
        Ok(())
    }

    /// Gives up the write (nothing was changed after all).
    pub async fn rollback(self) -> Result<(), AppError> {
        self.tx.rollback().await?;
        Ok(())
    }

    /// Commits the write and its entries. A write that recorded nothing is a
    /// bug: it is rolled back rather than landing untraced.
    pub async fn commit(self) -> Result<(), AppError> {
        if self.entries == 0 {
            tracing::error!("domain write without an audit entry was rolled back");
            return Err(AppError::Internal);
        }
        let mut tx = self.tx;
        if let Some((seq, hash)) = &self.head {
            sqlx::query("UPDATE audit_head SET seq = $1, last_hash = $2 WHERE id = 1")
                .bind(seq)
                .bind(hash)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

/// One trail entry as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Entry {
    pub seq: i64,
    pub at: i64,
    pub actor_user_id: Option<i64>,
    pub actor_unit_id: Option<i64>,
    pub actor_name: String,
    pub entity: String,
    pub entity_id: String,
    pub action: String,
    pub before_json: Option<String>,
    pub after_json: Option<String>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

impl Entry {
    /// The entry's seal: HMAC-SHA-256 under the trail key over every stored
    /// field but the seal itself, length-prefixed so that moving text between
    /// fields changes it. `None` is the plain SHA-256 of the entries written
    /// before the chain was keyed (`audit_head.keyed_from`).
    pub fn compute_hash(&self, key: Option<&TrailKey>) -> String {
        let mut msg = Vec::with_capacity(256);
        let mut put = |s: &str| {
            msg.extend_from_slice(&(s.len() as u64).to_be_bytes());
            msg.extend_from_slice(s.as_bytes());
        };
        let opt_i = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_else(|| "-".into());
        put(&self.seq.to_string());
        put(&self.at.to_string());
        put(&opt_i(self.actor_user_id));
        put(&opt_i(self.actor_unit_id));
        for f in [
            &self.actor_name,
            &self.entity,
            &self.entity_id,
            &self.action,
        ] {
            put(f);
        }
        for f in [
            &self.before_json,
            &self.after_json,
            &self.ip,
            &self.user_agent,
        ] {
            put(f.as_deref().unwrap_or("\u{0}null"));
        }
        put(&self.prev_hash);
        match key {
            Some(key) => key.mac(&msg),
            None => hex::encode(Sha256::digest(&msg)),
        }
    }
}

pub const ENTRY_COLUMNS: &str = "seq, at, actor_user_id, actor_unit_id, actor_name, entity, entity_id, action, \
     before_json, after_json, ip, user_agent, prev_hash, hash";

/// Entries about one record, oldest first (the 变更记录 component).
pub async fn history(db: &Db, entity: &str, entity_id: &str) -> Result<Vec<Entry>, AppError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {ENTRY_COLUMNS} FROM audit_log WHERE entity = $1 AND entity_id = $2 ORDER BY seq"
    ))
    .bind(entity)
    .bind(entity_id)
    .fetch_all(&db.pool)
    .await?)
}
