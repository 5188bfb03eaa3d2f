//! Logging in and out, the current user, and changing one's own password.
#[cfg(feature = "ssr")]
pub mod guard;
mod pages;
#[cfg(feature = "ssr")]
pub mod service;

pub use pages::{ChangePasswordPage, LoginPage};

use crate::{domain::Role, error::AppError};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// This feature's entries in the left navigation.
pub const NAV: &[crate::kit::layout::NavItem] = {
    use crate::kit::layout::{EVERYONE, NavItem};
    &[NavItem::new(110, "/account/password", "修改密码", EVERYONE)]
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
    ],
    fields: &[
        ("locked_until", "锁定至"),
        ("failures", "连续失败次数"),
        ("address", "来源地址"),
        ("cause", "原因"),
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
    /// Counts shown beside navigation entries, by the entry's href (an
    /// owner's orders to answer …): `features::nav_counts`.
    pub nav_counts: Vec<(String, i64)>,
}

#[server(endpoint = "login")]
pub async fn login(username: String, password: String) -> Result<(), AppError> {
    use crate::platform::{actor, session::USER_ID_KEY, state, time::now_ms};
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
        let user_id = service::login(
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
        // owner) is replaced before anything else.
        let first = actor::load_actor(&st.db, user_id, Default::default())
            .await?
            .is_some_and(|a| a.must_change_password);
        leptos_axum::redirect(if first {
            "/account/password?first=1"
        } else {
            "/"
        });
        Ok(())
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
