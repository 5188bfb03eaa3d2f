//! The axum application: Leptos pages and server functions, health check,
//! sessions, request ids, client facts and static files.
use app::{
    App,
    platform::{AppState, actor::ClientInfo, session::DbSessionStore},
    shell,
};
use axum::{
    Router,
    extract::{ConnectInfo, Request, State},
    http::{HeaderName, StatusCode},
    middleware::{self, Next},
    response::{IntoResponse, Response},
    routing::get,
};
use leptos_axum::{LeptosRoutes, generate_route_list};
use std::net::SocketAddr;
use tower_http::{
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    trace::{DefaultOnResponse, TraceLayer},
};
use tower_sessions::{Expiry, SessionManagerLayer, cookie::SameSite};

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let sessions = SessionManagerLayer::new(DbSessionStore::new(state.db.clone()))
        .with_name("bhly_session")
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(state.settings.cookie_secure)
        .with_expiry(Expiry::OnInactivity(time::Duration::minutes(
            state.settings.session_idle_minutes,
        )))
        // Idle expiry counts from the last request, so every request renews it.
        .with_always_save(true);
    let leptos_options = state.leptos_options.clone();
    Router::new()
        .route("/healthz", get(healthz))
        .leptos_routes(&state, routes, move || shell(leptos_options.clone()))
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(sessions)
        .layer(middleware::from_fn_with_state(state.clone(), client_info))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|req: &Request| {
                    let id = req.headers().get(&REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("-");
                    // Path only: query strings may carry search terms or names.
                    tracing::info_span!("req", id = %id, method = %req.method(), path = %req.uri().path())
                })
                .on_response(DefaultOnResponse::new().level(tracing::Level::INFO)),
        )
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
        .with_state(state)
}

/// 200 when the database answers, 503 when it does not.
async fn healthz(State(state): State<AppState>) -> Response {
    if state.db.ping().await {
        (StatusCode::OK, "ok").into_response()
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response()
    }
}

/// Puts the client's IP and user agent where server functions find them.
async fn client_info(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let headers = req.headers();
    let forwarded = state
        .settings
        .trust_proxy
        .then(|| {
            headers
                .get("x-forwarded-for")?
                .to_str()
                .ok()?
                .split(',')
                .next()
                .map(|s| s.trim().to_string())
        })
        .flatten();
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string());
    let user_agent = headers
        .get(axum::http::header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(|s| s.chars().take(300).collect());
    req.extensions_mut().insert(ClientInfo {
        ip: forwarded.or(peer),
        user_agent,
    });
    next.run(req).await
}
