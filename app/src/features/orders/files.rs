//! Documents of an order: the supervisor's (the order's own evidence) and
//! the owner unit's (the answer's proof), uploaded as plain multipart forms
//! while the order is open, checked by content, kept in the record kit's
//! file table and downloaded through its scoped route (`/files/records/…`).
use crate::{
    domain::Role,
    error::AppError,
    platform::{
        AppState,
        actor::{Acting, Actor, refusal},
        audit::AuditedTx,
        db::Db,
        records::keep,
        time::now_ms,
        upload::{self, error_query},
    },
};
use axum::{
    Router,
    extract::{DefaultBodyLimit, Multipart, Path, State},
    response::{IntoResponse, Redirect, Response},
    routing::post,
};
use serde::Serialize;

/// The record kit's entity code for an order's files.
pub const ENTITY: &str = "supervision_order";

pub fn routes(upload_limit: usize) -> Router<AppState> {
    Router::new().route(
        "/orders/{id}/files",
        post(upload).layer(DefaultBodyLimit::max(upload_limit + 64 * 1024)),
    )
}

fn back(id: i64, query: &str) -> Response {
    Redirect::to(&format!("/orders/{id}?{query}#files")).into_response()
}

/// The kind of file `actor` adds to order `id` (the owner's answer, the
/// supervisor's order), if they may add one now; with the order's project.
pub async fn check_attach(
    db: &Db,
    actor: &Actor,
    id: i64,
) -> Result<(&'static str, i64), AppError> {
    // An order on an award not yet filed takes documents once the filing
    // exists (the record kit keeps files under a project).
    let (filing_id, owner_unit_id, sector, status): (Option<i64>, i64, String, String) =
        sqlx::query_as(
            "SELECT COALESCE(o.filing_id, f.id), o.owner_unit_id, o.sector, o.status
         FROM supervision_orders o LEFT JOIN filings f ON f.award_id = o.award_id WHERE o.id = $1",
        )
        .bind(id)
        .fetch_optional(&db.pool)
        .await?
        .ok_or(AppError::NotFound)?;
    let kind = if actor.role == Role::Owner && actor.unit_id == owner_unit_id {
        "answer"
    } else if super::service::supervises(actor, &sector) {
        "order"
    } else {
        return Err(AppError::Forbidden);
    };
    if status == "closed" {
        return Err(AppError::invalid("该督办单已办结，不能再上传附件"));
    }
    let filing_id = filing_id
        .ok_or_else(|| AppError::invalid("该中标项目尚未填报合同备案：请先填报备案，再上传材料"))?;
    Ok((kind, filing_id))
}

#[derive(Serialize)]
struct Snap {
    attachment: String,
}

async fn upload(
    State(st): State<AppState>,
    acting: Acting,
    Path(id): Path<i64>,
    form: Multipart,
) -> Response {
    let actor = match acting.require(&[Role::Supervisor, Role::Owner]) {
        Ok(a) => a,
        Err(e) => return refusal(e),
    };
    let fail = |m: &str| back(id, &format!("{}&at=files", error_query(m)));
    // Who may add a file is checked before the bytes are read and kept.
    let (kind, filing_id) = match check_attach(&st.db, &actor, id).await {
        Ok(v) => v,
        Err(AppError::Invalid { message, .. }) => return fail(&message),
        Err(e) => return refusal(e),
    };
    let up = match upload::read(form, st.settings.upload_max_bytes).await {
        Ok(u) => u,
        Err(e) => return fail(&e.message()),
    };
    let kept = match keep(&st.files, up).await {
        Ok(k) => k,
        Err(m) => return fail(m),
    };
    let (name, sha) = (&kept.name, &kept.sha256);
    let saved = async {
        let who = actor.who();
        let mut tx = AuditedTx::begin(&st.db, &who).await?;
        sqlx::query(
            "INSERT INTO record_files (entity, record_id, filing_id, kind, file_name, content_type, size_bytes, sha256, uploaded_by, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(ENTITY)
        .bind(id)
        .bind(filing_id)
        .bind(kind)
        .bind(name)
        .bind(kept.content_type)
        .bind(kept.size as i64)
        .bind(sha)
        .bind(actor.user_id)
        .bind(now_ms())
        .execute(tx.conn())
        .await?;
        let snap = Snap {
            attachment: format!("{}：{name}（SHA-256 {}…）", label(kind), &sha[..12]),
        };
        tx.record(ENTITY, id, "attach", None, Some(&snap)).await?;
        tx.commit().await
    };
    match saved.await {
        Ok(()) => back(id, "done=uploaded"),
        Err(e) => refusal(e),
    }
}

/// 督办材料 / 整改材料.
pub fn label(kind: &str) -> &'static str {
    if kind == "answer" {
        "整改材料"
    } else {
        "督办材料"
    }
}
