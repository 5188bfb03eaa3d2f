//! 链头公示: once a day the chain's head (sequence number and seal) is
//! recorded as a trail entry of its own, which supervisors print or export.
//! A copy kept outside the system lets anyone later check that the chain
//! still holds that seal at that number: a rewrite of anything before it
//! changes every later seal, even when done by someone holding the key.
use super::{AuditedTx, Who};
use crate::{error::AppError, platform::db::Db};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

pub const ENTITY: &str = "audit_head";
pub const ACTION: &str = "publish";

/// One published head.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PublishedHead {
    pub day: String,
    /// The last entry before the publication, and its seal.
    pub seq: i64,
    pub hash: String,
    /// When it was published (UTC milliseconds).
    #[serde(default)]
    pub at: i64,
}

/// Publishes the head for `day` unless it is published already. Two
/// servers may both try: the head row is locked first, so the second finds
/// the first's entry and does nothing.
pub async fn publish_if_due(db: &Db, day: NaiveDate) -> Result<Option<PublishedHead>, AppError> {
    let who = Who::system("系统（链头公示）");
    let mut tx = AuditedTx::begin(db, &who).await?;
    sqlx::query("UPDATE audit_head SET seq = seq WHERE id = 1")
        .execute(tx.conn())
        .await?;
    let day_s = day.to_string();
    let done: Option<i64> = sqlx::query_scalar(
        "SELECT seq FROM audit_log WHERE entity = $1 AND entity_id = $2 AND action = $3",
    )
    .bind(ENTITY)
    .bind(&day_s)
    .bind(ACTION)
    .fetch_optional(tx.conn())
    .await?;
    if done.is_some() {
        tx.rollback().await?;
        return Ok(None);
    }
    let (seq, hash): (i64, String) =
        sqlx::query_as("SELECT seq, last_hash FROM audit_head WHERE id = 1")
            .fetch_one(tx.conn())
            .await?;
    let head = PublishedHead {
        day: day_s.clone(),
        seq,
        hash,
        at: crate::platform::time::now_ms(),
    };
    tx.record(ENTITY, &day_s, ACTION, None, Some(&head)).await?;
    tx.commit().await?;
    Ok(Some(head))
}

/// The published heads, newest first (at most `limit`).
pub async fn list(db: &Db, limit: i64) -> Result<Vec<PublishedHead>, AppError> {
    let rows: Vec<(i64, Option<String>)> = sqlx::query_as(
        "SELECT at, after_json FROM audit_log WHERE entity = $1 AND action = $2 ORDER BY seq DESC LIMIT $3",
    )
    .bind(ENTITY)
    .bind(ACTION)
    .bind(limit)
    .fetch_all(&db.pool)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(at, json)| {
            let mut h: PublishedHead = serde_json::from_str(json.as_deref()?).ok()?;
            h.at = at;
            Some(h)
        })
        .collect())
}
