//! Bearer tokens for the push API (only their SHA-256 is kept).
use crate::{
    domain::{Role, required_text},
    error::AppError,
    features::awards::ApiToken,
    platform::{actor::Actor, audit::AuditedTx, db::Db, time::now_ms},
};
use serde::Serialize;
use sqlx::Row;

fn token_hash(token: &str) -> String {
    use sha2::{Digest, Sha256};
    // Tokens are 256 random bits, so a plain hash cannot be brute-forced.
    hex::encode(Sha256::digest(token.as_bytes()))
}

#[derive(Serialize)]
struct TokenSnapshot<'a> {
    name: &'a str,
    hint: &'a str,
    revoked: bool,
}

pub async fn issue_token(db: &Db, actor: &Actor, name: &str) -> Result<String, AppError> {
    actor.require(&[Role::Admin])?;
    let name = required_text(name, "令牌用途", 40).map_err(|e| AppError::field("name", e))?;
    let token = {
        use rand::RngCore;
        let mut bytes = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        format!("bhly_{}", hex::encode(bytes))
    };
    let hint = token[token.len() - 4..].to_string();
    let who = actor.who();
    let mut tx = AuditedTx::begin(db, &who).await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO api_tokens (name, token_hash, token_hint, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(&name)
    .bind(token_hash(&token))
    .bind(&hint)
    .bind((actor.user_id > 0).then_some(actor.user_id))
    .bind(now_ms())
    .fetch_one(tx.conn())
    .await?;
    let snap = TokenSnapshot {
        name: &name,
        hint: &hint,
        revoked: false,
    };
    tx.record("api_token", id, "create", None, Some(&snap))
        .await?;
    tx.commit().await?;
    Ok(token)
}

pub async fn revoke_token(db: &Db, actor: &Actor, id: i64) -> Result<(), AppError> {
    actor.require(&[Role::Admin])?;
    let who = actor.who();
    let mut tx = AuditedTx::begin(db, &who).await?;
    let row = sqlx::query("SELECT name, token_hint, revoked_at FROM api_tokens WHERE id = $1")
        .bind(id)
        .fetch_optional(tx.conn())
        .await?
        .ok_or(AppError::NotFound)?;
    let (name, hint): (String, String) = (row.try_get("name")?, row.try_get("token_hint")?);
    if row.try_get::<Option<i64>, _>("revoked_at")?.is_some() {
        return Ok(());
    }
    sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2")
        .bind(now_ms())
        .bind(id)
        .execute(tx.conn())
        .await?;
    let snap = |revoked| TokenSnapshot {
        name: &name,
        hint: &hint,
        revoked,
    };
    tx.record(
        "api_token",
        id,
        "revoke",
        Some(&snap(false)),
        Some(&snap(true)),
    )
    .await?;
    tx.commit().await
}

pub async fn tokens(db: &Db) -> Result<Vec<ApiToken>, AppError> {
    let rows = sqlx::query(
        "SELECT id, name, token_hint, created_at, revoked_at, last_used_at FROM api_tokens ORDER BY id DESC",
    )
    .fetch_all(&db.pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(ApiToken {
                id: r.try_get("id")?,
                name: r.try_get("name")?,
                hint: r.try_get("token_hint")?,
                created_at: r.try_get("created_at")?,
                revoked_at: r.try_get("revoked_at")?,
                last_used_at: r.try_get("last_used_at")?,
            })
        })
        .collect()
}

/// The token's id if `token` is a live (issued, not revoked) token.
pub async fn check_token(db: &Db, token: &str) -> Result<Option<(i64, String)>, AppError> {
    let row =
        sqlx::query("SELECT id, name FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL")
            .bind(token_hash(token))
            .fetch_optional(&db.pool)
            .await?;
    let Some(r) = row else { return Ok(None) };
    let id: i64 = r.try_get("id")?;
    sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
        .bind(now_ms())
        .bind(id)
        .execute(&db.pool)
        .await?;
    Ok(Some((id, r.try_get("name")?)))
}
