//! The contractor's objection as a plain multipart form (a reason and, if
//! chosen, a document; it works without JavaScript), redirecting back to
//! the evaluation.
use super::service;
use crate::{
    domain::Role,
    error::AppError,
    platform::{
        AppState,
        actor::{Acting, refusal},
        records::{keep, message_of},
        upload::{self, error_query},
    },
};
use axum::{
    Router,
    extract::{DefaultBodyLimit, Multipart, Path, State},
    response::{IntoResponse, Redirect, Response},
    routing::post,
};

pub fn routes(upload_limit: usize) -> Router<AppState> {
    Router::new().route(
        "/evaluations/{id}/objection",
        post(object).layer(DefaultBodyLimit::max(upload_limit + 64 * 1024)),
    )
}

fn back(id: i64, query: &str) -> Response {
    Redirect::to(&format!("/evaluations/{id}?{query}#objection")).into_response()
}

async fn object(
    State(st): State<AppState>,
    acting: Acting,
    Path(id): Path<i64>,
    form: Multipart,
) -> Response {
    let actor = match acting.require(&[Role::Contractor]) {
        Ok(a) => a,
        Err(e) => return refusal(e),
    };
    let fail = |m: &str| back(id, &format!("{}&at=objection", error_query(m)));
    let up = match upload::read_optional(form, st.settings.upload_max_bytes).await {
        Ok(u) => u,
        Err(e) => return fail(&e.message()),
    };
    // Scope first: nothing is kept for someone who may not object.
    if let Err(e) = service::check_may_object(&st.db, &actor, id).await {
        return refusal(e);
    }
    let reason = up.fields.get("reason").cloned().unwrap_or_default();
    let kept = if up.bytes.is_empty() {
        None
    } else {
        match keep(&st.files, up).await {
            Ok(k) => Some(k),
            Err(m) => return fail(m),
        }
    };
    match service::file_objection(&st.db, &actor, id, &reason, kept).await {
        Ok(_) => back(id, "done=objected"),
        Err(e @ AppError::Invalid { .. }) => fail(&message_of(&e)),
        Err(e) => refusal(e),
    }
}
