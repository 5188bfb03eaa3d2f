//! The acting user and the one place that decides what they may see and do.
//!
//! Every server function starts with [`current_actor`] (or
//! [`require_role`]); services receive the [`Actor`] and filter by
//! [`Actor::scope`]. No page decides access on its own.
use super::{AppState, audit::Who};
use crate::{
    domain::{Role, UnitKind},
    error::AppError,
};
use sqlx::Row;

/// Request facts the server's middleware puts in the request extensions.
#[derive(Debug, Clone, Default)]
pub struct ClientInfo {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Actor {
    pub user_id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub unit_id: i64,
    pub unit_kind: UnitKind,
    pub unit_name: String,
    pub sector: Option<String>,
    pub must_change_password: bool,
    /// Has a second factor (TOTP).
    pub two_factor: bool,
    /// Must enrol a second factor before anything else (a privileged role
    /// without one, `TWO_FACTOR=required`); set per request from settings.
    pub must_enrol_two_factor: bool,
    pub client: ClientInfo,
}

/// Which records an actor may read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// Administrators and the resource office.
    All,
    /// A sector authority: projects of its sector.
    Sector(String),
    /// Owner units: their own unit's records.
    Unit(i64),
    /// A contractor unit's users: the projects it won (read only).
    Company(i64),
}

impl Actor {
    pub fn scope(&self) -> Scope {
        match (self.role, self.unit_kind, &self.sector) {
            (Role::Admin, _, _) | (_, UnitKind::ResourceOffice, _) => Scope::All,
            (Role::Supervisor, UnitKind::SectorAuthority, Some(s)) => Scope::Sector(s.clone()),
            (Role::Contractor, _, _) => Scope::Company(self.unit_id),
            _ => Scope::Unit(self.unit_id),
        }
    }

    pub fn require(&self, roles: &[Role]) -> Result<(), AppError> {
        if roles.contains(&self.role) {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }

    /// May this actor read the records of `unit_id`?
    pub fn can_read_unit(&self, unit_id: i64) -> bool {
        match self.scope() {
            Scope::All => true,
            // Sector scoping applies to projects; units other than one's own
            // are visible only through projects, which later modules add.
            Scope::Sector(_) | Scope::Unit(_) | Scope::Company(_) => unit_id == self.unit_id,
        }
    }

    /// The user's id as stored in a record's "by" column: none for the
    /// system (`user_id` 0).
    pub fn user_ref(&self) -> Option<i64> {
        (self.user_id > 0).then_some(self.user_id)
    }

    /// The trail's view of this actor.
    pub fn who(&self) -> Who {
        Who {
            // user_id 0 is the system actor (see `Actor::system`).
            user_id: self.user_ref(),
            unit_id: Some(self.unit_id),
            name: format!("{}（{}）", self.display_name, self.username),
            ip: self.client.ip.clone(),
            user_agent: self.client.user_agent.clone(),
        }
    }
}

impl Actor {
    /// The system acting as an administrator: first start, demo data,
    /// command-line tasks. Recorded in the trail under `name`.
    pub fn system(name: &str) -> Self {
        Self {
            user_id: 0,
            username: "system".into(),
            display_name: name.into(),
            role: Role::Admin,
            unit_id: 0,
            unit_kind: UnitKind::ResourceOffice,
            unit_name: String::new(),
            sector: None,
            must_change_password: false,
            two_factor: false,
            must_enrol_two_factor: false,
            client: ClientInfo::default(),
        }
    }

    /// The system acting as a supervisor of the resource office (unit
    /// `unit_id`): orders that rules issue by themselves (自动督办).
    pub fn system_supervisor(unit_id: i64, unit_name: &str) -> Self {
        Self {
            role: Role::Supervisor,
            unit_id,
            unit_name: unit_name.into(),
            ..Self::system("系统自动督办")
        }
    }
}

/// Loads an active user with their unit; `None` if missing or disabled.
pub async fn load_actor(
    db: &super::db::Db,
    user_id: i64,
    client: ClientInfo,
) -> Result<Option<Actor>, AppError> {
    let row = sqlx::query(
        "SELECT u.id, u.username, u.display_name, u.role, u.unit_id, u.must_change_password,
                CASE WHEN u.totp_enabled_at IS NULL THEN 0 ELSE 1 END AS two_factor, n.kind, n.name AS unit_name, n.sector
         FROM users u JOIN units n ON n.id = u.unit_id
         WHERE u.id = $1 AND u.disabled = 0",
    )
    .bind(user_id)
    .fetch_optional(&db.pool)
    .await?;
    let Some(r) = row else { return Ok(None) };
    let role: String = r.try_get("role")?;
    let kind: String = r.try_get("kind")?;
    Ok(Some(Actor {
        user_id: r.try_get("id")?,
        username: r.try_get("username")?,
        display_name: r.try_get("display_name")?,
        role: Role::parse(&role).map_err(|_| AppError::Internal)?,
        unit_id: r.try_get("unit_id")?,
        unit_kind: UnitKind::parse(&kind).map_err(|_| AppError::Internal)?,
        unit_name: r.try_get("unit_name")?,
        sector: r.try_get("sector")?,
        must_change_password: r.try_get::<i64, _>("must_change_password")? != 0,
        two_factor: r.try_get::<i64, _>("two_factor")? != 0,
        must_enrol_two_factor: false,
        client,
    }))
}

/// Request client facts inside a server function.
pub async fn client_info() -> ClientInfo {
    leptos_axum::extract::<axum::Extension<ClientInfo>>()
        .await
        .map(|e| e.0)
        .unwrap_or_default()
}

/// The logged-in user of this request, or `Unauthenticated`.
pub async fn current_actor() -> Result<Actor, AppError> {
    optional_actor().await?.ok_or(AppError::Unauthenticated)
}

/// The logged-in user, if any (pages that also serve visitors).
pub async fn optional_actor() -> Result<Option<Actor>, AppError> {
    let session = leptos_axum::extract::<tower_sessions::Session>()
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "session layer missing");
            AppError::Internal
        })?;
    let state: AppState = super::state()?;
    session_actor(&state, &session, client_info().await).await
}

/// The user of a session (also for plain axum handlers such as uploads).
pub async fn session_actor(
    state: &AppState,
    session: &tower_sessions::Session,
    client: ClientInfo,
) -> Result<Option<Actor>, AppError> {
    let db = &state.db;
    let max_ms = state.settings.session_max_ms;
    let Some(user_id) = super::session::session_user(session, max_ms).await else {
        return Ok(None);
    };
    let enrol = |mut a: Actor| {
        a.must_enrol_two_factor = state.settings.second_factor_due(a.role, a.two_factor);
        a
    };
    if let Some(mut actor) = db.cache.actors.get(&user_id) {
        actor.client = client;
        return Ok(Some(enrol(actor)));
    }
    let actor = load_actor(db, user_id, client).await?;
    if let Some(a) = &actor {
        db.cache.actors.insert(user_id, a.clone());
    }
    let actor = actor.map(enrol);
    if actor.is_none() {
        // The user was disabled or removed since logging in.
        let _ = session.flush().await;
    }
    Ok(actor)
}

/// The logged-in user, who must hold one of `roles` and have replaced the
/// first password an administrator gave them.
pub async fn require_role(roles: &[Role]) -> Result<Actor, AppError> {
    let actor = current_actor().await?;
    actor.require(roles)?;
    if actor.must_enrol_two_factor {
        return Err(AppError::invalid("请先启用两步验证"));
    }
    if actor.must_change_password {
        return Err(AppError::invalid("请先修改初始密码"));
    }
    Ok(actor)
}

/// Sets the HTTP status of the current server-function response from an error,
/// so clients see 401/403/404/422 rather than a blanket 500.
/// Plain form posts (no JavaScript) are left alone: leptos answers them with a
/// redirect back to the form, which a status here would break.
pub fn set_status(err: &AppError) {
    use leptos::prelude::use_context;
    let form_post = use_context::<axum::http::request::Parts>()
        .and_then(|p| {
            p.headers
                .get(axum::http::header::ACCEPT)?
                .to_str()
                .ok()
                .map(|a| a.contains("text/html"))
        })
        .unwrap_or(false);
    if let (false, Some(resp)) = (form_post, use_context::<leptos_axum::ResponseOptions>()) {
        resp.set_status(err.status());
    }
}

/// Runs a server function body and gives its error the right HTTP status.
pub async fn respond<T>(fut: impl Future<Output = Result<T, AppError>>) -> Result<T, AppError> {
    let r = fut.await;
    if let Err(e) = &r {
        set_status(e);
    }
    r
}

/// The one prologue of a server function: the acting user (holding one of
/// the roles, first password replaced) and the state, with the error's HTTP
/// status set. Roles are `domain::Role` variants, or `ANY` for every
/// logged-in user:
///
/// ```ignore
/// with_actor!([Admin, Supervisor], |actor, st| service::list(&st.db, &actor, &q).await)
/// ```
#[macro_export]
macro_rules! with_actor {
    ([$($role:ident),+], |$actor:ident, $state:ident| $body:expr) => {
        $crate::with_actor!(&[$($crate::domain::Role::$role),+], |$actor, $state| $body)
    };
    (ANY, |$actor:ident, $state:ident| $body:expr) => {
        $crate::with_actor!(&$crate::domain::Role::ALL, |$actor, $state| $body)
    };
    ($roles:expr, |$actor:ident, $state:ident| $body:expr) => {{
        $crate::platform::actor::respond(async move {
            let $actor = $crate::platform::actor::require_role($roles).await?;
            let $state = $crate::platform::state()?;
            $body
        })
        .await
    }};
}

/// The acting user of a plain axum handler (uploads, downloads, exports):
/// the same session, cache and checks as [`require_role`].
///
/// ```ignore
/// async fn download(acting: Acting, ...) -> Response {
///     let actor = match acting.require(&[Role::Owner]) { Ok(a) => a, Err(e) => return refusal(e) };
/// ```
pub struct Acting(pub Option<Actor>);

impl Acting {
    /// The user, holding one of `roles`, with the first password replaced.
    pub fn require(self, roles: &[Role]) -> Result<Actor, AppError> {
        let actor = self.0.ok_or(AppError::Unauthenticated)?;
        actor.require(roles)?;
        if actor.must_change_password {
            return Err(AppError::invalid("请先修改初始密码"));
        }
        if actor.must_enrol_two_factor {
            return Err(AppError::invalid("请先启用两步验证"));
        }
        Ok(actor)
    }
}

/// The answer of a plain handler a person opens in the browser (download,
/// upload, export) when the request is refused: a visitor goes to /login,
/// anything else gets its status and message.
pub fn refusal(e: AppError) -> axum::response::Response {
    use axum::response::IntoResponse;
    match e {
        AppError::Unauthenticated => axum::response::Redirect::to("/login").into_response(),
        other => (other.status(), other.to_string()).into_response(),
    }
}

impl axum::extract::FromRequestParts<AppState> for Acting {
    type Rejection = axum::response::Response;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        use axum::response::IntoResponse;
        let fail = |e: AppError| (e.status(), e.to_string()).into_response();
        let session = tower_sessions::Session::from_request_parts(parts, state)
            .await
            .map_err(|(status, msg)| (status, msg).into_response())?;
        let client = parts
            .extensions
            .get::<ClientInfo>()
            .cloned()
            .unwrap_or_default();
        session_actor(state, &session, client)
            .await
            .map(Acting)
            .map_err(fail)
    }
}
