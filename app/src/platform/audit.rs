//! 全程留痕: the one path for domain writes, and its verification.
//!
//! A domain write opens an [`AuditedTx`], makes its changes through
//! [`AuditedTx::conn`], records what changed with [`AuditedTx::record`], and
//! commits. The entry is appended in the same transaction, so a write and its
//! trail entry land together or not at all. Each entry holds the SHA-256 of the
//! previous one; [`verify`] walks the chain and names the first entry that was
//! edited, inserted or deleted behind the app's back.
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
    who: &'w Who,
    entries: usize,
}

impl<'w> AuditedTx<'w> {
    pub async fn begin(db: &Db, who: &'w Who) -> Result<Self, AppError> {
        Ok(Self {
            tx: db.begin_write().await?,
            backend: db.backend,
            who,
            entries: 0,
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
        // Taking the head with an UPDATE locks it (a row lock on PostgreSQL, the
        // write lock on SQLite) until commit, so appends are strictly serial.
        let head = sqlx::query(
            "UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, last_hash",
        )
        .fetch_one(&mut *self.tx)
        .await?;
        let mut entry = Entry {
            seq: head.try_get("seq")?,
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
            prev_hash: head.try_get("last_hash")?,
            hash: String::new(),
        };
        entry.hash = entry.compute_hash();
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
        sqlx::query("UPDATE audit_head SET last_hash = $1 WHERE id = 1")
            .bind(&entry.hash)
            .execute(&mut *self.tx)
            .await?;
        self.entries += 1;
        Ok(())
    }

    /// Commits the write and its entries. A write that recorded nothing is a
    /// bug: it is rolled back rather than landing untraced.
    pub async fn commit(self) -> Result<(), AppError> {
        if self.entries == 0 {
            tracing::error!("domain write without an audit entry was rolled back");
            return Err(AppError::Internal);
        }
        self.tx.commit().await?;
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
    /// SHA-256 over every stored field but the hash itself, length-prefixed so
    /// that moving text between fields changes the hash.
    pub fn compute_hash(&self) -> String {
        let mut h = Sha256::new();
        let opt_i = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_else(|| "-".into());
        let fields: [&str; 2] = [&self.seq.to_string(), &self.at.to_string()];
        let mut put = |s: &str| {
            h.update((s.len() as u64).to_be_bytes());
            h.update(s.as_bytes());
        };
        for f in fields {
            put(f);
        }
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
            match f {
                Some(s) => put(s),
                None => put("\u{0}null"),
            }
        }
        put(&self.prev_hash);
        hex::encode(h.finalize())
    }
}

pub const ENTRY_COLUMNS: &str = "seq, at, actor_user_id, actor_unit_id, actor_name, entity, entity_id, action, \
     before_json, after_json, ip, user_agent, prev_hash, hash";

/// What verification found.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct VerifyReport {
    pub checked: i64,
    pub head_seq: i64,
    /// The first entry found wrong: its sequence number and what is wrong.
    pub problem: Option<(i64, String)>,
}

/// Walks the whole chain in order. Reads in pages so memory stays flat.
pub async fn verify(db: &Db) -> Result<VerifyReport, AppError> {
    let head = sqlx::query("SELECT seq, last_hash FROM audit_head WHERE id = 1")
        .fetch_one(&db.pool)
        .await?;
    let head_seq: i64 = head.try_get("seq")?;
    let head_hash: String = head.try_get("last_hash")?;
    let mut expected_seq = 1i64;
    let mut prev = GENESIS.to_string();
    let mut checked = 0i64;
    let problem = |checked: i64, seq: i64, msg: String| -> Result<VerifyReport, AppError> {
        Ok(VerifyReport {
            checked,
            head_seq,
            problem: Some((seq, msg)),
        })
    };
    loop {
        let page: Vec<Entry> = sqlx::query_as(&format!(
            "SELECT {ENTRY_COLUMNS} FROM audit_log WHERE seq >= $1 AND seq <= $2 ORDER BY seq LIMIT 1000"
        ))
        .bind(expected_seq)
        .bind(head_seq)
        .fetch_all(&db.pool)
        .await?;
        if page.is_empty() {
            break;
        }
        for e in page {
            if e.seq != expected_seq {
                return problem(
                    checked,
                    expected_seq,
                    format!("第 {expected_seq} 条记录缺失（被删除）"),
                );
            }
            if e.prev_hash != prev {
                return problem(
                    checked,
                    e.seq,
                    format!(
                        "第 {} 条记录与前一条不衔接（前一条被改动，或本条被插入）",
                        e.seq
                    ),
                );
            }
            if e.compute_hash() != e.hash {
                return problem(checked, e.seq, format!("第 {} 条记录的内容被改动", e.seq));
            }
            prev = e.hash;
            expected_seq += 1;
            checked += 1;
        }
    }
    if checked < head_seq {
        return problem(
            checked,
            checked + 1,
            format!("第 {} 条及以后的记录缺失（被删除）", checked + 1),
        );
    }
    if prev != head_hash {
        return problem(
            checked,
            checked,
            format!("链尾与登记的链头不符，第 {checked} 条可能为伪造追加"),
        );
    }
    // The walk stopped at the head it read: entries appended since moved
    // the head with them; an entry past the head now was not written by the
    // writer (one statement, so both are read at one moment).
    let (now_seq, last_seq): (i64, Option<i64>) = sqlx::query_as(
        "SELECT (SELECT seq FROM audit_head WHERE id = 1), (SELECT MAX(seq) FROM audit_log)",
    )
    .fetch_one(&db.pool)
    .await?;
    if last_seq.is_some_and(|last| last > now_seq) {
        return problem(
            checked,
            now_seq + 1,
            format!("第 {} 条记录在链头之后，可能为伪造追加", now_seq + 1),
        );
    }
    Ok(VerifyReport {
        checked,
        head_seq,
        problem: None,
    })
}

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
