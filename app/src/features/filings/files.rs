//! Attachment upload and download (plain axum handlers: uploads are HTML
//! multipart forms that work without JavaScript). Content is checked by its
//! bytes, not its name; downloads follow the same scoping as the filing.
use super::service;
use crate::{
    domain::Role,
    error::AppError,
    platform::{
        AppState,
        actor::{Acting, refusal},
        records,
        upload::{self, error_query},
    },
};
use axum::{
    Router,
    extract::{DefaultBodyLimit, Multipart, Path, State},
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};

pub fn routes(upload_limit: usize) -> Router<AppState> {
    Router::new()
        .route(
            "/filings/{id}/attachments",
            post(upload_attachment).layer(DefaultBodyLimit::max(upload_limit + 64 * 1024)),
        )
        .route("/files/attachments/{id}", get(download))
}

/// The content types accepted, decided from the file's first bytes (as for
/// every record's files).
pub use crate::platform::records::sniff;

async fn upload_attachment(
    State(state): State<AppState>,
    acting: Acting,
    Path(filing_id): Path<i64>,
    form: Multipart,
) -> Response {
    let actor = match acting.require(&[Role::Owner]) {
        Ok(a) => a,
        Err(e) => return refusal(e),
    };
    let back =
        |q: String| Redirect::to(&format!("/filings/{filing_id}?{q}#attachments")).into_response();
    let up = match upload::read(form, state.settings.upload_max_bytes).await {
        Ok(u) => u,
        Err(e) => return back(error_query(&e.message())),
    };
    let reason = up.fields.get("reason").cloned().unwrap_or_default();
    let kind = up.fields.get("kind").cloned().unwrap_or_default();
    // Scope and the correction reason are checked before the bytes are kept.
    match service::check_writable(&state.db, &actor, filing_id, &reason).await {
        Ok(()) => {}
        Err(AppError::Invalid { fields, message }) => {
            return back(error_query(fields.values().next().unwrap_or(&message)));
        }
        Err(e) => return refusal(e),
    }
    let Some(content_type) = sniff(&up.bytes) else {
        return back(error_query(
            "文件内容不是 PDF、JPEG 或 PNG（按文件内容判断，而非扩展名）",
        ));
    };
    let sha = match state.files.put(up.bytes.clone()).await {
        Ok(s) => s,
        Err(_) => return back(error_query("文件保存失败，请稍后重试")),
    };
    let name = if up.file_name.is_empty() {
        "附件".to_string()
    } else {
        up.file_name
    };
    match service::add_attachment(
        &state.db,
        &actor,
        filing_id,
        &kind,
        &name,
        content_type,
        up.bytes.len(),
        &sha,
        &reason,
    )
    .await
    {
        Ok(_) => back("uploaded=1".into()),
        Err(AppError::Invalid { fields, message }) => {
            back(error_query(fields.values().next().unwrap_or(&message)))
        }
        Err(e) => refusal(e),
    }
}

async fn download(State(state): State<AppState>, acting: Acting, Path(id): Path<i64>) -> Response {
    let actor = match acting.require(&[Role::Admin, Role::Supervisor, Role::Owner]) {
        Ok(a) => a,
        Err(e) => return refusal(e),
    };
    let (name, content_type, sha) =
        match service::attachment_for_download(&state.db, &actor, id).await {
            Ok(v) => v,
            Err(e) => return refusal(e),
        };
    records::inline_file(&state.files, &name, content_type, &sha).await
}

#[cfg(test)]
mod tests {
    #[test]
    fn sniffs_by_content() {
        assert_eq!(super::sniff(b"%PDF-1.4\n..."), Some("application/pdf"));
        assert_eq!(
            super::sniff(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"),
            Some("image/png")
        );
        assert_eq!(
            super::sniff(b"\xFF\xD8\xFF\xE0\0\x10JFIF\0"),
            Some("image/jpeg")
        );
        assert_eq!(super::sniff(b"hello, I am a text file named .pdf"), None);
        assert_eq!(super::sniff(b"PK\x03\x04zip"), None);
    }
}
