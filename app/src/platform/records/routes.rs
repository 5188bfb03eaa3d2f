//! The plain-form routes for submit, void and files (they work without
//! JavaScript), redirecting back to the record's page.
use super::{
    RecordKind, attach, check_writable, detach, files::download, keep, seen_version, submit, void,
};
use crate::{
    domain::Role,
    error::AppError,
    platform::{
        AppState,
        actor::{Acting, refusal},
        upload::{self, error_query},
    },
};
use axum::{
    Form, Router,
    extract::{DefaultBodyLimit, Multipart, Path, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use std::collections::HashMap;

/// What runs after a record's state changed (the features' alert rules).
pub type AfterWrite =
    fn(AppState) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>>;

/// The routes of every declared record kind: files, submission and void.
pub fn routes(
    upload_limit: usize,
    kinds: &'static [&'static RecordKind],
    after: AfterWrite,
) -> Router<AppState> {
    let find = move |entity: &str| kinds.iter().copied().find(|k| k.entity == entity);
    Router::new()
        .route(
            "/records/{entity}/{id}/files",
            post(
                move |State(st): State<AppState>,
                      acting: Acting,
                      Path((entity, id)): Path<(String, i64)>,
                      form: Multipart| async move {
                    match find(&entity) {
                        Some(k) => upload_file(st, acting, k, id, form).await,
                        None => StatusCode::NOT_FOUND.into_response(),
                    }
                },
            )
            .layer(DefaultBodyLimit::max(upload_limit + 64 * 1024)),
        )
        .route(
            "/records/{entity}/{id}/{action}",
            post(
                move |State(st): State<AppState>,
                      acting: Acting,
                      Path((entity, id, action)): Path<(String, i64, String)>,
                      Form(form): Form<HashMap<String, String>>| async move {
                    match find(&entity) {
                        Some(k) => act(st, acting, k, id, &action, form, after).await,
                        None => StatusCode::NOT_FOUND.into_response(),
                    }
                },
            ),
        )
        .route("/files/records/{id}", get(download))
}

fn back(kind: &RecordKind, id: i64, query: &str, anchor: &str) -> Response {
    Redirect::to(&format!("{}/{id}?{query}#{anchor}", kind.page)).into_response()
}

/// The first message of an error, for the `?error=` of a redirect.
pub fn message_of(e: &AppError) -> String {
    match e {
        AppError::Invalid { fields, message } => fields
            .values()
            .next()
            .cloned()
            .unwrap_or_else(|| message.clone()),
        other => other.to_string(),
    }
}

async fn act(
    st: AppState,
    acting: Acting,
    kind: &'static RecordKind,
    id: i64,
    action: &str,
    form: HashMap<String, String>,
    after: AfterWrite,
) -> Response {
    let actor = match acting.require(&[Role::Owner]) {
        Ok(a) => a,
        Err(e) => return refusal(e),
    };
    let text = |k: &str| form.get(k).cloned().unwrap_or_default();
    let (result, done, anchor) = match action {
        "submit" => (
            submit(&st.db, &actor, kind, id).await.map(|_| ()),
            "submitted",
            "actions",
        ),
        "void" => {
            let version = match seen_version(&text("version")) {
                Ok(v) => v,
                Err(e) => return back(kind, id, &error_query(&message_of(&e)), "actions"),
            };
            (
                void(&st.db, &actor, kind, id, &text("void_reason"), version).await,
                "voided",
                "actions",
            )
        }
        "detach" => {
            let Ok(file_id) = text("file_id").parse::<i64>() else {
                return StatusCode::UNPROCESSABLE_ENTITY.into_response();
            };
            (
                detach(&st.db, &actor, kind, id, file_id, &text("reason")).await,
                "detached",
                "files",
            )
        }
        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    match result {
        Ok(()) => {
            after(st).await;
            back(kind, id, &format!("done={done}"), anchor)
        }
        Err(e @ (AppError::Invalid { .. } | AppError::Conflict)) => back(
            kind,
            id,
            &format!("{}&at={action}", error_query(&message_of(&e))),
            anchor,
        ),
        Err(e) => refusal(e),
    }
}

async fn upload_file(
    st: AppState,
    acting: Acting,
    kind: &'static RecordKind,
    id: i64,
    form: Multipart,
) -> Response {
    let actor = match acting.require(&[Role::Owner]) {
        Ok(a) => a,
        Err(e) => return refusal(e),
    };
    let fail = |m: &str| back(kind, id, &format!("{}&at=files", error_query(m)), "files");
    let up = match upload::read(form, st.settings.upload_max_bytes).await {
        Ok(u) => u,
        Err(e) => return fail(&e.message()),
    };
    let reason = up.fields.get("reason").cloned().unwrap_or_default();
    let file_kind = up.fields.get("kind").cloned().unwrap_or_default();
    // Scope and the correction reason are checked before the bytes are kept.
    match check_writable(&st.db, &actor, kind, id, &reason).await {
        Ok(()) => {}
        Err(e @ AppError::Invalid { .. }) => return fail(&message_of(&e)),
        Err(e) => return refusal(e),
    }
    let kept = match keep(&st.files, up).await {
        Ok(k) => k,
        Err(m) => return fail(m),
    };
    match attach(
        &st.db,
        &actor,
        kind,
        id,
        &file_kind,
        &kept.name,
        kept.content_type,
        kept.size,
        &kept.sha256,
        &reason,
    )
    .await
    {
        Ok(_) => back(kind, id, "done=uploaded", "files"),
        Err(e @ AppError::Invalid { .. }) => fail(&message_of(&e)),
        Err(e) => refusal(e),
    }
}
