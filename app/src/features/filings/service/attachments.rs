//! The filing's attachments: added (checked by content), removed, downloaded.
use super::{correction_of, for_write};
use crate::{
    domain::{ATTACHMENT_KINDS, Role, code_of, label_of},
    error::AppError,
    platform::{
        actor::Actor,
        audit::AuditedTx,
        db::Db,
        project::{self},
        time::now_ms,
    },
};
use serde::Serialize;
use sqlx::Row;

/// Records an uploaded attachment (its bytes are already in the file store).
#[allow(clippy::too_many_arguments)]
pub async fn add_attachment(
    db: &Db,
    actor: &Actor,
    filing_id: i64,
    kind: &str,
    file_name: &str,
    content_type: &str,
    size: usize,
    sha256: &str,
    reason: &str,
) -> Result<i64, AppError> {
    let kind = code_of(&ATTACHMENT_KINDS, kind)
        .ok_or_else(|| AppError::field("kind", "请选择附件类型"))?;
    let who = actor.who();
    let mut tx = AuditedTx::begin(db, &who).await?;
    let (h, correction) = for_write(&mut tx, actor, filing_id, reason).await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO attachments (filing_id, kind, file_name, content_type, size_bytes, sha256, uploaded_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(h.id)
    .bind(kind)
    .bind(file_name)
    .bind(content_type)
    .bind(size as i64)
    .bind(sha256)
    .bind(actor.user_id)
    .bind(now_ms())
    .fetch_one(tx.conn())
    .await?;
    #[derive(Serialize)]
    struct Snap {
        attachment: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    }
    let snap = Snap {
        attachment: format!(
            "{}：{}（SHA-256 {}…）",
            label_of(&ATTACHMENT_KINDS, kind),
            file_name,
            &sha256[..12]
        ),
        reason: correction,
    };
    tx.record("filing", h.id, "attach", None, Some(&snap))
        .await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn remove_attachment(
    db: &Db,
    actor: &Actor,
    filing_id: i64,
    attachment_id: i64,
    reason: &str,
) -> Result<(), AppError> {
    let who = actor.who();
    let mut tx = AuditedTx::begin(db, &who).await?;
    let (h, correction) = for_write(&mut tx, actor, filing_id, reason).await?;
    let r = sqlx::query("SELECT kind, file_name FROM attachments WHERE id = $1 AND filing_id = $2 AND removed_at IS NULL")
        .bind(attachment_id)
        .bind(h.id)
        .fetch_optional(tx.conn())
        .await?
        .ok_or(AppError::NotFound)?;
    let kind: String = r.try_get("kind")?;
    let name: String = r.try_get("file_name")?;
    sqlx::query("UPDATE attachments SET removed_at = $1 WHERE id = $2")
        .bind(now_ms())
        .bind(attachment_id)
        .execute(tx.conn())
        .await?;
    #[derive(Serialize)]
    struct Snap {
        attachment: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    }
    tx.record(
        "filing",
        h.id,
        "detach",
        Some(&Snap {
            attachment: format!("{}：{name}", label_of(&ATTACHMENT_KINDS, &kind)),
            reason: None,
        }),
        Some(&Snap {
            attachment: "（已移除）".into(),
            reason: correction,
        }),
    )
    .await?;
    tx.commit().await
}

/// An attachment for download, if the actor may read its filing:
/// (file name, content type, sha256).
pub async fn attachment_for_download(
    db: &Db,
    actor: &Actor,
    attachment_id: i64,
) -> Result<(String, String, String), AppError> {
    let r = sqlx::query(
        "SELECT filing_id, file_name, content_type, sha256 FROM attachments WHERE id = $1",
    )
    .bind(attachment_id)
    .fetch_optional(&db.pool)
    .await?
    .ok_or(AppError::NotFound)?;
    let filing_id: i64 = r.try_get("filing_id")?;
    project::read(&mut *db.pool.acquire().await?, actor, filing_id).await?;
    Ok((
        r.try_get("file_name")?,
        r.try_get("content_type")?,
        r.try_get("sha256")?,
    ))
}

/// May the actor write this filing (upload checks before storing bytes)?
pub async fn check_writable(
    db: &Db,
    actor: &Actor,
    filing_id: i64,
    reason: &str,
) -> Result<(), AppError> {
    actor.require(&[Role::Owner])?;
    let p = project::read(&mut *db.pool.acquire().await?, actor, filing_id).await?;
    if !p.may_write(actor) {
        return Err(AppError::Forbidden);
    }
    correction_of(&p, reason).map(|_| ())
}

// --- supervision views ------------------------------------------------------------
