//! A record's files: attached (checked by content), detached with a reason,
//! downloaded within scope; `keep` stores an upload for any feature.
use super::{RecordKind, for_owner, read};
use crate::{
    domain::{RecordStatus, Role, label_of},
    error::AppError,
    kit::records::RecordFile,
    platform::{
        AppState,
        actor::{Acting, Actor, refusal},
        audit::AuditedTx,
        db::Db,
        project,
        time::now_ms,
        upload,
    },
};
use axum::{
    extract::{Path, State},
    http::{StatusCode, header},
    response::{IntoResponse, Response},
};
use serde::Serialize;
use sqlx::AnyConnection;

/// The record's files that are not removed.
pub async fn files(
    conn: &mut AnyConnection,
    kind: &RecordKind,
    id: i64,
) -> Result<Vec<RecordFile>, AppError> {
    let rows: Vec<(i64, String, String, i64, i64)> = sqlx::query_as(
        "SELECT id, kind, file_name, size_bytes, created_at FROM record_files
         WHERE entity = $1 AND record_id = $2 AND removed_at IS NULL ORDER BY id",
    )
    .bind(kind.entity)
    .bind(id)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, k, file_name, size_bytes, created_at)| RecordFile {
            id,
            kind_label: label_of(kind.file_kinds, &k).to_string(),
            kind: k,
            file_name,
            size_bytes,
            created_at,
        })
        .collect())
}

#[derive(Serialize)]
struct FileSnap {
    attachment: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
}

/// Records an uploaded file (its bytes are already in the file store).
#[allow(clippy::too_many_arguments)]
pub async fn attach(
    db: &Db,
    actor: &Actor,
    kind: &RecordKind,
    id: i64,
    file_kind: &str,
    file_name: &str,
    content_type: &str,
    size: usize,
    sha256: &str,
    reason: &str,
) -> Result<i64, AppError> {
    let Some(&(file_kind, file_label)) = kind.file_kinds.iter().find(|(c, _)| *c == file_kind)
    else {
        return Err(AppError::field("kind", "请选择附件类型"));
    };
    kind.accepts(file_kind, content_type)?;
    let who = actor.who();
    let mut tx = AuditedTx::begin(db, &who).await?;
    let (p, h) = for_owner(&mut tx, actor, kind, id).await?;
    let correction = h.correction(reason)?;
    let file_id: i64 = sqlx::query_scalar(
        "INSERT INTO record_files (entity, record_id, filing_id, kind, file_name, content_type, size_bytes, sha256, uploaded_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(kind.entity)
    .bind(id)
    .bind(p.id)
    .bind(file_kind)
    .bind(file_name)
    .bind(content_type)
    .bind(size as i64)
    .bind(sha256)
    .bind(actor.user_id)
    .bind(now_ms())
    .fetch_one(tx.conn())
    .await?;
    let snap = FileSnap {
        attachment: format!("{file_label}：{file_name}（SHA-256 {}…）", &sha256[..12]),
        reason: correction,
    };
    tx.record(kind.entity, id, "attach", None, Some(&snap))
        .await?;
    tx.commit().await?;
    Ok(file_id)
}

/// Removes a file from a record (the row stays, marked removed). The
/// required document of a submitted record cannot be removed without a
/// replacement: upload the new one first.
pub async fn detach(
    db: &Db,
    actor: &Actor,
    kind: &RecordKind,
    id: i64,
    file_id: i64,
    reason: &str,
) -> Result<(), AppError> {
    let who = actor.who();
    let mut tx = AuditedTx::begin(db, &who).await?;
    let (_, h) = for_owner(&mut tx, actor, kind, id).await?;
    let correction = h.correction(reason)?;
    let (file_kind, name): (String, String) = sqlx::query_as(
        "SELECT kind, file_name FROM record_files WHERE id = $1 AND entity = $2 AND record_id = $3 AND removed_at IS NULL",
    )
    .bind(file_id)
    .bind(kind.entity)
    .bind(id)
    .fetch_optional(tx.conn())
    .await?
    .ok_or(AppError::NotFound)?;
    let (required, required_label) = kind.required_file();
    if kind.requires_file && h.status == RecordStatus::Submitted && file_kind == required {
        let left: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM record_files WHERE entity = $1 AND record_id = $2 AND kind = $3 AND removed_at IS NULL",
        )
        .bind(kind.entity)
        .bind(id)
        .bind(required)
        .fetch_one(tx.conn())
        .await?;
        if left <= 1 {
            return Err(AppError::invalid(format!(
                "已登记的记录须保留{required_label}：请先上传新的文件，再移除此文件"
            )));
        }
    }
    sqlx::query("UPDATE record_files SET removed_at = $1 WHERE id = $2")
        .bind(now_ms())
        .bind(file_id)
        .execute(tx.conn())
        .await?;
    let label = label_of(kind.file_kinds, &file_kind);
    tx.record(
        kind.entity,
        id,
        "detach",
        Some(&FileSnap {
            attachment: format!("{label}：{name}"),
            reason: None,
        }),
        Some(&FileSnap {
            attachment: "（已移除）".into(),
            reason: correction,
        }),
    )
    .await?;
    tx.commit().await
}

/// May the actor add a file to this record (checked before the bytes are kept)?
pub async fn check_writable(
    db: &Db,
    actor: &Actor,
    kind: &RecordKind,
    id: i64,
    reason: &str,
) -> Result<(), AppError> {
    actor.require(&[Role::Owner])?;
    let mut conn = db.pool.acquire().await?;
    let (p, h) = read(&mut conn, actor, kind, id).await?;
    if !p.may_write(actor) {
        return Err(AppError::Forbidden);
    }
    if h.status == RecordStatus::Voided {
        return Err(AppError::invalid("该记录已作废，不能再修改"));
    }
    h.correction(reason).map(|_| ())
}

/// A file for download, if the actor may read its project:
/// (file name, content type, sha256).
pub async fn file_for_download(
    db: &Db,
    actor: &Actor,
    file_id: i64,
) -> Result<(String, String, String), AppError> {
    let (filing_id, name, content_type, sha): (i64, String, String, String) = sqlx::query_as(
        "SELECT filing_id, file_name, content_type, sha256 FROM record_files WHERE id = $1",
    )
    .bind(file_id)
    .fetch_optional(&db.pool)
    .await?
    .ok_or_else(|| project::missing(actor))?;
    project::read(&mut *db.pool.acquire().await?, actor, filing_id).await?;
    Ok((name, content_type, sha))
}

// --- plain-form routes ----------------------------------------------------------

/// An uploaded file checked by content and stored.
pub struct Kept {
    pub name: String,
    pub content_type: &'static str,
    pub size: usize,
    pub sha256: String,
}

/// Checks an upload's content (PDF, JPEG, PNG) and keeps its bytes, or says
/// why not (for the file field).
pub async fn keep(
    files: &crate::platform::storage::FileStore,
    up: upload::Upload,
) -> Result<Kept, &'static str> {
    let content_type =
        sniff(&up.bytes).ok_or("文件内容不是 PDF、JPEG 或 PNG（按文件内容判断，而非扩展名）")?;
    let size = up.bytes.len();
    let sha256 = files
        .put(up.bytes)
        .await
        .map_err(|_| "文件保存失败，请稍后重试")?;
    let name = if up.file_name.is_empty() {
        "附件".to_string()
    } else {
        up.file_name
    };
    Ok(Kept {
        name,
        content_type,
        size,
        sha256,
    })
}

/// The content types accepted, decided from the file's first bytes.
pub fn sniff(bytes: &[u8]) -> Option<&'static str> {
    match infer::get(bytes)?.mime_type() {
        "application/pdf" => Some("application/pdf"),
        "image/jpeg" => Some("image/jpeg"),
        "image/png" => Some("image/png"),
        _ => None,
    }
}

pub(super) async fn download(
    State(st): State<AppState>,
    acting: Acting,
    Path(id): Path<i64>,
) -> Response {
    let actor =
        match acting.require(&[Role::Admin, Role::Supervisor, Role::Owner, Role::Contractor]) {
            Ok(a) => a,
            Err(e) => return refusal(e),
        };
    let (name, content_type, sha) = match file_for_download(&st.db, &actor, id).await {
        Ok(v) => v,
        Err(e) => return refusal(e),
    };
    inline_file(&st.files, &name, content_type, &sha).await
}

/// A stored file shown inline in the browser (never sniffed as another
/// type, never cached), or the refusal if it cannot be read.
pub async fn inline_file(
    files: &crate::platform::storage::FileStore,
    name: &str,
    content_type: String,
    sha: &str,
) -> Response {
    match files.get(sha).await {
        Ok(bytes) => (
            StatusCode::OK,
            [
                (header::CONTENT_TYPE, content_type),
                (
                    header::CONTENT_DISPOSITION,
                    crate::kit::export::disposition("inline", name),
                ),
                (header::X_CONTENT_TYPE_OPTIONS, "nosniff".into()),
                (header::CACHE_CONTROL, "private, no-store".into()),
            ],
            bytes,
        )
            .into_response(),
        Err(e) => refusal(e),
    }
}

// --- lists ----------------------------------------------------------------------
