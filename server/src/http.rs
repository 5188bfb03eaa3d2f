//! The axum application: Leptos pages and server functions, health check,
//! sessions, request ids, client facts and static files.
use app::{
    App,
    kit::form::FormFlash,
    platform::{AppState, actor::ClientInfo, session::DbSessionStore},
    shell,
};
use axum::{
    Router,
    error_handling::HandleErrorLayer,
    extract::{ConnectInfo, Request, State},
    http::{HeaderName, Method, StatusCode, header},
    middleware::{self, Next},
    response::{IntoResponse, Redirect, Response},
    routing::get,
};
use leptos_axum::{AxumRouteListing, LeptosRoutes, generate_route_list};
use std::{net::SocketAddr, sync::OnceLock};
use tower::{ServiceBuilder, limit::GlobalConcurrencyLimitLayer};
use tower_http::{
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    services::ServeDir,
    trace::{DefaultOnResponse, TraceLayer},
};
use tower_sessions::{Expiry, Session, SessionManagerLayer, cookie::SameSite};

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The app's route list, generated once per process. Generating it runs the
/// app with resource loading suppressed by a process-wide flag: a page whose
/// resource is first polled meanwhile (another router being built in the same
/// process, as the tests do) would wait forever (leptos-rs/leptos#4773).
fn route_list() -> Vec<AxumRouteListing> {
    static ROUTES: OnceLock<Vec<AxumRouteListing>> = OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

pub fn router(state: AppState) -> Router {
    let routes = route_list();
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
    let mut router = Router::new().route("/healthz", get(healthz));
    // The site's own files, served with the request's conditional headers
    // (304 when unchanged; Leptos' fallback handler passes only
    // Accept-Encoding on) and the brotli or gzip copy a release build
    // precompressed beside each file.
    for dir in SITE_DIRS {
        let path = std::path::Path::new(&*leptos_options.site_root).join(&dir[1..]);
        router = router.nest_service(
            dir,
            ServeDir::new(path).precompressed_br().precompressed_gzip(),
        );
    }
    router
        .merge(app::features::routes(state.settings.upload_max_bytes))
        .leptos_routes(&state, routes, move || shell(leptos_options.clone()))
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(middleware::from_fn_with_state(state.clone(), page_gate))
        .layer(middleware::from_fn_with_state(state.clone(), security_headers))
        .layer(middleware::from_fn(body_limits))
        .layer(middleware::from_fn(same_origin_writes))
        .layer(sessions)
        .layer(middleware::from_fn_with_state(state.clone(), client_info))
        // One limit shared by every route (the per-route `ConcurrencyLimitLayer`
        // would give each route its own); past it, shed rather than queue.
        .layer(
            ServiceBuilder::new()
                .layer(HandleErrorLayer::new(overloaded))
                .load_shed()
                .layer(GlobalConcurrencyLimitLayer::new(state.settings.max_in_flight)),
        )
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

/// A state-changing request from another site is refused, whatever its
/// cookies (SameSite=Lax is ignored by some older in-app browsers): the
/// browser's `Sec-Fetch-Site` must say same-origin (or none: typed by the
/// person), else its `Origin` must be this host. Requests with neither
/// header (no browser sends a cross-site form without one of them today)
/// and the token-authenticated push API pass.
async fn same_origin_writes(req: Request, next: Next) -> Response {
    let writes = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if writes && !req.uri().path().starts_with("/api/v1/") {
        let h = req.headers();
        let text = |name: &str| h.get(name).and_then(|v| v.to_str().ok());
        let refused = match (text("sec-fetch-site"), text("origin")) {
            (Some(site), _) => !matches!(site, "same-origin" | "none"),
            (None, Some(origin)) => {
                let host = text("host").unwrap_or_default();
                origin.split_once("://").map(|(_, h)| h) != Some(host)
            }
            (None, None) => false,
        };
        if refused {
            tracing::warn!(path = %req.uri().path(), "cross-site write refused");
            return (
                StatusCode::FORBIDDEN,
                [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
                "来自其他网站的提交已被拒绝",
            )
                .into_response();
        }
    }
    next.run(req).await
}

/// The largest body a server function takes (forms, a check-in, an area's
/// outline). Uploads and the push API have their own limits on their routes
/// (`DefaultBodyLimit`: the upload size setting plus a margin, 8 MiB).
pub const SERVER_FN_MAX_BYTES: usize = 512 * 1024;

/// A body over its route's limit is refused with 413 and a plain message,
/// before anything reads it: server functions by their declared length or
/// while their body is read here (they would fail later with a 500), the
/// other routes' own limits worded the same. The connection is closed
/// after it (`Connection: close`): the rest of the body was never read, and
/// a client that reused the connection would find it cut (a test's next
/// request failed once that way).
async fn body_limits(req: Request, next: Next) -> Response {
    let too_large = || {
        (
            StatusCode::PAYLOAD_TOO_LARGE,
            [
                (header::CONTENT_TYPE, "text/plain; charset=utf-8"),
                (header::CONNECTION, "close"),
            ],
            "提交的内容过大，超过了允许的大小",
        )
            .into_response()
    };
    let path = req.uri().path();
    let server_fn = path.starts_with("/api/") && !path.starts_with("/api/v1/");
    let req = if server_fn {
        let declared = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        if declared.is_some_and(|n| n > SERVER_FN_MAX_BYTES) {
            return too_large();
        }
        let (parts, body) = req.into_parts();
        match axum::body::to_bytes(body, SERVER_FN_MAX_BYTES).await {
            Ok(bytes) => Request::from_parts(parts, axum::body::Body::from(bytes)),
            Err(_) => return too_large(),
        }
    } else {
        req
    };
    let res = next.run(req).await;
    if res.status() == StatusCode::PAYLOAD_TOO_LARGE && !server_fn {
        return too_large();
    }
    if server_fn && res.status() == StatusCode::INTERNAL_SERVER_ERROR {
        return with_error_status(res).await;
    }
    res
}

/// A server function refused before its body ran (arguments that do not
/// parse) answers 500 from the server-function layer whatever the error:
/// give it the status of the error it carries (400 for a malformed request).
async fn with_error_status(res: Response) -> Response {
    let (mut parts, body) = res.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 64 * 1024).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    if let Ok(e) = serde_json::from_slice::<app::error::AppError>(&bytes) {
        parts.status = e.status();
    }
    Response::from_parts(parts, axum::body::Body::from(bytes))
}

/// Headers every answer carries (等保 2.0 / OWASP ASVS V14): no framing,
/// no MIME sniffing, no referrer to other sites, HSTS when served over
/// HTTPS; pages and server-function answers are not stored by the browser
/// (after logging out, Back must not show them); a strict policy on what is
/// not a page (a page's own, with its script nonce, is set while it renders:
/// `app::platform::security`). Assets (the wasm, its JS and CSS, the
/// vendored libraries) keep their names from build
/// to build, so the browser keeps them but asks each time (`no-cache`): a
/// 304 when unchanged (Last-Modified), never a stale wasm beside a new page.
/// A release build's assets go out precompressed (brotli or gzip, whichever
/// the browser takes; `cargo leptos build --release --precompress`).
async fn security_headers(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let asset = is_asset(req.uri().path());
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        header::HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::X_FRAME_OPTIONS,
        header::HeaderValue::from_static("DENY"),
    );
    h.insert(
        header::REFERRER_POLICY,
        header::HeaderValue::from_static("same-origin"),
    );
    if state.settings.cookie_secure {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            header::HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            header::HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'; sandbox"),
        );
    }
    h.insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static(if asset { "no-cache" } else { "no-store" }),
    );
    res
}

/// The folders of the site's own files (`target/site`): the wasm and its
/// JS and CSS, the vendored browser libraries.
const SITE_DIRS: [&str; 2] = ["/pkg", "/vendor"];

/// A site file, as opposed to pages, answers and downloads.
fn is_asset(path: &str) -> bool {
    SITE_DIRS.iter().any(|d| {
        path.strip_prefix(d)
            .is_some_and(|rest| rest.starts_with('/'))
    })
}

/// The answer past the concurrency limit: try again in a second.
async fn overloaded(_: tower::BoxError) -> Response {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [(header::RETRY_AFTER, "1")],
        "服务器繁忙，请稍后重试",
    )
        .into_response()
}

/// 200 when the database answers, 503 when it does not.
async fn healthz(State(state): State<AppState>) -> Response {
    // The check-in writer is a task of its own: a stopped one is reported.
    let writer = state
        .features
        .get::<app::features::attendance::desk::CheckinDesk>()
        .is_ok_and(|d| d.running());
    if !writer {
        return (StatusCode::SERVICE_UNAVAILABLE, "check-in writer stopped").into_response();
    }
    if state.db.ping().await {
        (StatusCode::OK, "ok").into_response()
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response()
    }
}

/// Pages other than /login need a logged-in user, and a user who still has
/// the first password an administrator gave them must change it first. Done
/// here, once, before rendering, so it also holds without JavaScript. (Server
/// functions check the session and role themselves.)
/// A server function called by a plain HTML form (no JavaScript yet, or
/// none): form-encoded and asking for HTML, so Leptos answers with a redirect.
fn is_plain_form_post(req: &Request) -> bool {
    let header_has = |name: header::HeaderName, what: &str| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains(what))
    };
    req.method() == Method::POST
        && req.uri().path().starts_with("/api/")
        && header_has(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        && header_has(header::ACCEPT, "text/html")
}

/// Runs a plain form post; when Leptos redirects back with the error
/// (`__err`), keeps what was typed (secrets aside) for the page it lands on,
/// so the form shows the typed values rather than the stored ones.
async fn keep_form_on_error(session: Session, req: Request, next: Next) -> Response {
    let (parts, body) = req.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 256 * 1024).await else {
        return StatusCode::PAYLOAD_TOO_LARGE.into_response();
    };
    let path = parts.uri.path().to_string();
    let response = next
        .run(Request::from_parts(
            parts,
            axum::body::Body::from(bytes.clone()),
        ))
        .await;
    let failed = response
        .headers()
        .get(header::LOCATION)
        .and_then(|l| l.to_str().ok())
        .is_some_and(|l| l.contains("__err="));
    if failed {
        let fields = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&bytes)
            .unwrap_or_default()
            .into_iter()
            .filter(|(k, _)| FormFlash::keeps(k))
            .collect();
        if let Err(e) = session
            .insert(FormFlash::SESSION_KEY, FormFlash { path, fields })
            .await
        {
            tracing::warn!(error = %e, "form values not kept");
        }
    }
    response
}

/// Hands the page that a failed plain post redirected to (its URL carries
/// `__err`) what that post carried, once.
async fn take_form_flash(session: &Session, req: &mut Request) {
    if !req.uri().query().is_some_and(|q| q.contains("__err=")) {
        return;
    }
    if let Ok(Some(flash)) = session.remove::<FormFlash>(FormFlash::SESSION_KEY).await {
        req.extensions_mut().insert(flash);
    }
}

async fn page_gate(
    State(state): State<AppState>,
    session: Session,
    req: Request,
    next: Next,
) -> Response {
    if is_plain_form_post(&req) {
        return keep_form_on_error(session, req, next).await;
    }
    let path = req.uri().path();
    // Pages and downloads (exports and files carry a dot too): a person
    // with a first password to replace gets none of them.
    let download = path.starts_with("/export/") || path.starts_with("/files/");
    let is_page = req.method() == Method::GET
        && !path.starts_with("/api/")
        && !path.starts_with("/pkg/")
        && path != "/healthz"
        && (download
            || !path
                .rsplit('/')
                .next()
                .is_some_and(|last| last.contains('.')));
    if !is_page {
        return next.run(req).await;
    }
    if path == "/login" || path == "/login/code" || path == "/activate" {
        let mut req = req;
        take_form_flash(&session, &mut req).await;
        return next.run(req).await;
    }
    // The acting user from the caches the server functions use: a page
    // load reads no user row unless the cache has expired.
    let actor = app::platform::actor::session_actor(&state, &session, ClientInfo::default())
        .await
        .ok()
        .flatten();
    // (must change the first password, must enrol a second factor)
    let gate = actor.map(|a| (a.must_change_password, a.must_enrol_two_factor));
    match gate {
        None => Redirect::to("/login").into_response(),
        Some((true, _)) if path != "/account/password" => {
            Redirect::to("/account/password?first=1").into_response()
        }
        Some((false, true)) if path != "/account/two-factor" => {
            Redirect::to("/account/two-factor?first=1").into_response()
        }
        Some(_) => {
            let mut req = req;
            take_form_flash(&session, &mut req).await;
            next.run(req).await
        }
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
                // The hop our proxy appended (the last); the ones before it
                // are whatever the client wrote.
                .rsplit(',')
                .next()
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
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
