//! On-site photos: a check-in with a photo arrives as one multipart post (the
//! photo and the reading together, so a required photo and its check-in are
//! stored or refused as one); supervisors and the owner view it later.
use super::service::{self, Reading};
use crate::{
    domain::Role,
    error::AppError,
    platform::{AppState, actor::Acting, time::now_ms, upload},
};
use axum::{
    Json, Router,
    extract::{DefaultBodyLimit, Multipart, Path, State},
    http::{StatusCode, header},
    response::{IntoResponse, Response},
    routing::{get, post},
};

pub fn routes(upload_limit: usize) -> Router<AppState> {
    Router::new()
        .route(
            "/api/checkin/photo",
            post(check_in_with_photo).layer(DefaultBodyLimit::max(upload_limit + 64 * 1024)),
        )
        .route("/files/checkins/{id}/photo", get(photo))
}

/// Photos as phones' cameras write them, decided by their bytes.
fn sniff_photo(bytes: &[u8]) -> Option<&'static str> {
    match infer::get(bytes)?.mime_type() {
        "image/jpeg" => Some("image/jpeg"),
        "image/png" => Some("image/png"),
        "image/webp" => Some("image/webp"),
        "image/heif" | "image/heic" => Some("image/heic"),
        _ => None,
    }
}

/// The error as the page shows it: a status and the message in Chinese
/// (field errors name their field).
fn refusal(e: AppError) -> Response {
    let message = match &e {
        AppError::Invalid { fields, message } => {
            fields.values().next().cloned().unwrap_or(message.clone())
        }
        other => other.to_string(),
    };
    (e.status(), Json(serde_json::json!({ "error": message }))).into_response()
}

async fn check_in_with_photo(
    State(state): State<AppState>,
    acting: Acting,
    form: Multipart,
) -> Response {
    let actor = match acting.require(&[Role::KeyPersonnel]) {
        Ok(a) => a,
        Err(e) => return refusal(e),
    };
    // Counted before the photo is read: the allowance is the JSON
    // check-in's, and a refused attempt costs no upload.
    if let Err(e) = state
        .features
        .get::<super::guard::CheckinGuard>()
        .and_then(|g| g.attempt(actor.user_id))
    {
        return refusal(e);
    }
    let up = match upload::read(form, state.settings.upload_max_bytes).await {
        Ok(u) => u,
        Err(upload::UploadError::NoFile) => {
            return refusal(AppError::field("photo", "请先拍摄现场照片"));
        }
        Err(e) => return refusal(AppError::field("photo", e.message())),
    };
    if sniff_photo(&up.bytes).is_none() {
        return refusal(AppError::field(
            "photo",
            "照片须为 JPEG、PNG、WebP 或 HEIC 图片（按文件内容判断）",
        ));
    }
    let number = |k: &str| up.fields.get(k).and_then(|v| v.trim().parse::<f64>().ok());
    let (Some(filing_id), Some(lat), Some(lng), Some(accuracy)) = (
        up.fields
            .get("filing_id")
            .and_then(|v| v.trim().parse::<i64>().ok()),
        number("lat"),
        number("lng"),
        number("accuracy"),
    ) else {
        return refusal(AppError::invalid("定位数据无效，请重新获取位置"));
    };
    let mut reading = Reading {
        filing_id,
        lat,
        lng,
        accuracy_m: accuracy,
        device_key: up.fields.get("device_key").cloned().unwrap_or_default(),
        photo_sha256: None,
    };
    let desk = match state.features.get::<super::desk::CheckinDesk>() {
        Ok(d) => d,
        Err(e) => return refusal(e),
    };
    // Check first, store after: a photo from someone who may not check in
    // here (or with no position) is never kept.
    let now = now_ms();
    if let Err(e) = service::precheck(desk, &actor, &reading).await {
        return refusal(e);
    }
    reading.photo_sha256 = match state.files.put(up.bytes).await {
        Ok(s) => Some(s),
        Err(e) => return refusal(e),
    };
    match service::check_in(desk, &state.settings, &actor, reading, now).await {
        Ok(decision) => Json(decision).into_response(),
        Err(e) => refusal(e),
    }
}

async fn photo(State(state): State<AppState>, acting: Acting, Path(id): Path<i64>) -> Response {
    let roles = [Role::Admin, Role::Supervisor, Role::Owner];
    let actor = match acting.require(&roles) {
        Ok(a) => a,
        Err(e) => return (e.status(), e.to_string()).into_response(),
    };
    let sha = match service::photo_of(&state.db, &actor, id).await {
        Ok(s) => s,
        Err(e) => return (e.status(), e.to_string()).into_response(),
    };
    match state.files.get(&sha).await {
        Ok(bytes) => (
            StatusCode::OK,
            [
                (
                    header::CONTENT_TYPE,
                    sniff_photo(&bytes).unwrap_or("application/octet-stream"),
                ),
                (header::CACHE_CONTROL, "private, max-age=3600"),
                (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            ],
            bytes,
        )
            .into_response(),
        Err(e) => (e.status(), e.to_string()).into_response(),
    }
}
