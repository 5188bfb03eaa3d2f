//! Logging in and out, the current user, and changing one's own password.
#[cfg(feature = "ssr")]
pub mod activation;
mod activation_page;
#[cfg(feature = "ssr")]
pub mod guard;
mod pages;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod two_factor;
mod two_factor_pages;

pub use activation_page::ActivatePage;
pub use pages::{ChangePasswordPage, LoginPage};
pub use two_factor_pages::{LoginCodePage, TwoFactorPage};

use crate::{domain::Role, error::AppError};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// This feature's entries in the left navigation.
pub const NAV: &[crate::kit::layout::NavItem] = {
    use crate::kit::layout::{EVERYONE, NavItem};
    &[
        NavItem::new(110, "/account/password", "修改密码", EVERYONE),
        NavItem::new(111, "/account/two-factor", "两步验证", EVERYONE),
    ]
};

/// The trail's vocabulary for logins and passwords (records of `user`).
#[cfg(feature = "ssr")]
pub const TRAIL: crate::platform::trail::TrailSpec = crate::platform::trail::TrailSpec {
    entities: &[crate::platform::trail::Entity::new(
        service::UNKNOWN_LOGIN,
        "未知账户登录",
        crate::platform::trail::ReadRule::Admin,
    )],
    actions: &[
        ("login", "登录"),
        ("lock", "账户锁定"),
        ("login_failed", "登录失败"),
        ("logout", "退出登录"),
        ("change_password", "修改密码"),
        ("enable_2fa", "启用两步验证"),
        ("activate", "激活账号"),
    ],
    fields: &[
        ("locked_until", "锁定至"),
        ("failures", "连续失败次数"),
        ("address", "来源地址"),
        ("cause", "原因"),
        ("second_factor", "第二因素"),
    ],
};

/// The logged-in user as the browser sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CurrentUser {
    pub user_id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub unit_name: String,
    pub must_change_password: bool,
    /// A privileged user without a second factor where one is required.
    pub must_enrol_two_factor: bool,
    /// Counts shown beside navigation entries, by the entry's href (an
    /// owner's orders to answer …): `features::nav_counts`.
    pub nav_counts: Vec<(String, i64)>,
}

#[server(endpoint = "login")]
pub async fn login(username: String, password: String) -> Result<(), AppError> {
    use crate::platform::{actor, state, time::now_ms};
    actor::respond(async move {
        let st = state()?;
        let client = actor::client_info().await;
        let who = crate::platform::audit::Who {
            user_id: None,
            unit_id: None,
            name: username.trim().chars().take(64).collect(),
            ip: client.ip,
            user_agent: client.user_agent,
        };
        let guard = st.features.get::<guard::LoginGuard>()?;
        let step = service::login(
            &st.db,
            &st.settings,
            guard,
            &username,
            &password,
            &who,
            now_ms(),
        )
        .await?;
        let session = leptos_axum::extract::<tower_sessions::Session>()
            .await
            .map_err(|_| AppError::Internal)?;
        // A fresh id at login defeats session fixation.
        session.cycle_id().await.map_err(|_| AppError::Internal)?;
        let user_id = match step {
            service::LoginStep::Done(id) => id,
            service::LoginStep::Code(id) => {
                // Not logged in yet: the code page finds whom it is for.
                session
                    .insert(PENDING_USER_KEY, (id, now_ms()))
                    .await
                    .map_err(|_| AppError::Internal)?;
                leptos_axum::redirect("/login/code");
                return Ok(());
            }
        };
        start_session(&st, &session, user_id).await
    })
    .await
}

/// A new login's first step: the person's own password, with the one-time
/// activation code the owner unit passed on; then logged in.
#[server(endpoint = "activate")]
pub async fn activate(
    mobile: String,
    code: String,
    new: String,
    confirm: String,
) -> Result<(), AppError> {
    use crate::platform::{actor, state, time::now_ms};
    actor::respond(async move {
        let st = state()?;
        let client = actor::client_info().await;
        st.features
            .get::<guard::LoginGuard>()?
            .attempt(client.ip.as_deref().unwrap_or("-"))?;
        let who = crate::platform::audit::Who {
            user_id: None,
            unit_id: None,
            name: mobile.trim().chars().take(20).collect(),
            ip: client.ip,
            user_agent: client.user_agent,
        };
        let form = activation::ActivationForm {
            mobile: &mobile,
            code: &code,
            new: &new,
            confirm: &confirm,
        };
        let id = activation::activate(&st.db, &st.settings, &who, form, now_ms()).await?;
        let session = leptos_axum::extract::<tower_sessions::Session>()
            .await
            .map_err(|_| AppError::Internal)?;
        session.cycle_id().await.map_err(|_| AppError::Internal)?;
        start_session(&st, &session, id).await
    })
    .await
}

/// Whose password was right, and when: the code must follow within five
/// minutes, in the same session.
#[cfg(feature = "ssr")]
const PENDING_USER_KEY: &str = "pending_2fa";

/// Logs the session in as `user_id` and sends the user on: to replace a
/// first password, to enrol a second factor, or home.
#[cfg(feature = "ssr")]
async fn start_session(
    st: &crate::platform::AppState,
    session: &tower_sessions::Session,
    user_id: i64,
) -> Result<(), AppError> {
    use crate::platform::{actor, session::USER_ID_KEY, time::now_ms};
    session
        .insert(USER_ID_KEY, user_id)
        .await
        .map_err(|_| AppError::Internal)?;
    // The session's absolute lifetime counts from here.
    session
        .insert(crate::platform::session::LOGIN_AT_KEY, now_ms())
        .await
        .map_err(|_| AppError::Internal)?;
    // A first password (given by an administrator or shown once to an
    // owner) is replaced before anything else; then a required second factor.
    let a = actor::load_actor(&st.db, user_id, Default::default()).await?;
    let first = a.as_ref().is_some_and(|a| a.must_change_password);
    let enrol = a
        .as_ref()
        .is_some_and(|a| st.settings.second_factor_due(a.role, a.two_factor));
    leptos_axum::redirect(if first {
        "/account/password?first=1"
    } else if enrol {
        "/account/two-factor?first=1"
    } else {
        "/"
    });
    Ok(())
}

/// The second step of a login: the code from the authenticator app (or a
/// recovery code).
#[server(endpoint = "login/code")]
pub async fn verify_login_code(code: String) -> Result<(), AppError> {
    use crate::platform::{actor, state, time::now_ms};
    actor::respond(async move {
        let st = state()?;
        let session = leptos_axum::extract::<tower_sessions::Session>()
            .await
            .map_err(|_| AppError::Internal)?;
        let pending: Option<(i64, i64)> = session
            .get(PENDING_USER_KEY)
            .await
            .map_err(|_| AppError::Internal)?;
        let Some((user_id, at)) = pending.filter(|(_, at)| now_ms() - at < 5 * 60_000) else {
            return Err(AppError::invalid("登录已超时，请返回重新输入用户名和密码"));
        };
        let _ = at;
        let client = actor::client_info().await;
        st.features
            .get::<guard::LoginGuard>()?
            .attempt(client.ip.as_deref().unwrap_or("-"))?;
        let username: String = sqlx::query_scalar("SELECT username FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_one(&st.db.pool)
            .await?;
        let who = crate::platform::audit::Who {
            user_id: Some(user_id),
            unit_id: None,
            name: username,
            ip: client.ip,
            user_agent: client.user_agent,
        };
        two_factor::check_login_code(&st.db, &st.settings, &who, user_id, &code, now_ms()).await?;
        session
            .remove::<(i64, i64)>(PENDING_USER_KEY)
            .await
            .map_err(|_| AppError::Internal)?;
        session.cycle_id().await.map_err(|_| AppError::Internal)?;
        start_session(&st, &session, user_id).await
    })
    .await
}

/// The enrolment page's state: enrolled (since, recovery codes left), or a
/// fresh secret to scan (kept in the session until confirmed).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TwoFactorView {
    pub enabled_at: Option<i64>,
    pub recovery_left: i64,
    pub enrol: Option<EnrolView>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnrolView {
    /// The secret in base32, in groups of four.
    pub secret: String,
    /// The otpauth URL as a QR code (SVG).
    pub qr_svg: String,
}

#[cfg(feature = "ssr")]
const ENROL_SECRET_KEY: &str = "totp_enrol";

#[server(endpoint = "account/two-factor")]
pub async fn load_two_factor() -> Result<TwoFactorView, AppError> {
    use crate::platform::{actor, state};
    actor::respond(async move {
        let actor = actor::current_actor().await?;
        let st = state()?;
        let (enabled_at, recovery_left) = two_factor::status(&st.db, actor.user_id).await?;
        if enabled_at.is_some() {
            return Ok(TwoFactorView {
                enabled_at,
                recovery_left,
                enrol: None,
            });
        }
        let secret = two_factor::new_secret();
        let e = two_factor::enrolment(&secret, &actor.username)?;
        let session = leptos_axum::extract::<tower_sessions::Session>()
            .await
            .map_err(|_| AppError::Internal)?;
        session
            .insert(ENROL_SECRET_KEY, hex::encode(&secret))
            .await
            .map_err(|_| AppError::Internal)?;
        Ok(TwoFactorView {
            enabled_at,
            recovery_left,
            enrol: Some(EnrolView {
                secret: e.secret,
                qr_svg: e.qr_svg,
            }),
        })
    })
    .await
}

/// Confirms the enrolment with the app's first code; returns the recovery
/// codes (shown once).
#[server(endpoint = "account/two-factor/confirm")]
pub async fn confirm_two_factor(code: String) -> Result<Vec<String>, AppError> {
    use crate::platform::{actor, state, time::now_ms};
    actor::respond(async move {
        let actor = actor::current_actor().await?;
        let st = state()?;
        if two_factor::status(&st.db, actor.user_id).await?.0.is_some() {
            return Err(AppError::invalid("两步验证已启用"));
        }
        let session = leptos_axum::extract::<tower_sessions::Session>()
            .await
            .map_err(|_| AppError::Internal)?;
        let secret: Option<String> = session
            .get(ENROL_SECRET_KEY)
            .await
            .map_err(|_| AppError::Internal)?;
        let Some(secret) = secret.and_then(|s| hex::decode(s).ok()) else {
            return Err(AppError::invalid("请刷新页面，重新扫描二维码"));
        };
        let codes = two_factor::confirm(
            &st.db,
            &actor.who(),
            actor.user_id,
            &actor.username,
            &secret,
            &code,
            now_ms(),
        )
        .await?;
        let _ = session.remove::<String>(ENROL_SECRET_KEY).await;
        Ok(codes)
    })
    .await
}

#[server(endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    let session = leptos_axum::extract::<tower_sessions::Session>()
        .await
        .map_err(|_| AppError::Internal)?;
    if let Ok(Some(actor)) = crate::platform::actor::optional_actor().await {
        let st = crate::platform::state()?;
        service::record_logout(&st.db, &actor.who(), actor.user_id).await?;
    }
    session.flush().await.map_err(|_| AppError::Internal)?;
    leptos_axum::redirect("/login");
    Ok(())
}

#[server(endpoint = "me")]
pub async fn fetch_current_user() -> Result<Option<CurrentUser>, AppError> {
    let Some(a) = crate::platform::actor::optional_actor().await? else {
        return Ok(None);
    };
    let nav_counts = crate::features::nav_counts(&crate::platform::state()?.db, &a).await;
    Ok(Some(CurrentUser {
        user_id: a.user_id,
        username: a.username,
        display_name: a.display_name,
        role: a.role,
        unit_name: a.unit_name,
        must_change_password: a.must_change_password,
        must_enrol_two_factor: a.must_enrol_two_factor,
        nav_counts,
    }))
}

#[server(endpoint = "change_password")]
pub async fn change_password(
    current: String,
    new: String,
    confirm: String,
) -> Result<(), AppError> {
    use crate::platform::{actor, session::USER_ID_KEY, state};
    actor::respond(async move {
        let actor = actor::current_actor().await?;
        let st = state()?;
        service::change_password(
            &st.db,
            &actor.who(),
            actor.user_id,
            &current,
            &new,
            &confirm,
        )
        .await?;
        // Every session of the user ended; this one continues under a new id.
        let session = leptos_axum::extract::<tower_sessions::Session>()
            .await
            .map_err(|_| AppError::Internal)?;
        session.cycle_id().await.map_err(|_| AppError::Internal)?;
        session
            .insert(USER_ID_KEY, actor.user_id)
            .await
            .map_err(|_| AppError::Internal)?;
        leptos_axum::redirect("/?password_changed=1");
        Ok(())
    })
    .await
}
