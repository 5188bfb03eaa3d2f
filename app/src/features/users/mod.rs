//! User accounts: created, edited, reset and disabled by administrators.
mod pages;
#[cfg(feature = "ssr")]
pub mod service;

pub use pages::{UserEditPage, UserNewPage, UsersPage};

use crate::{domain::Role, error::AppError, kit::table::Page};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub mobile: String,
    pub role: Role,
    pub unit_id: i64,
    pub unit_name: String,
    pub disabled: bool,
    pub locked: bool,
    pub must_change_password: bool,
}

#[server(endpoint = "users/list")]
pub async fn list_users(q: String, role: String, page: i64) -> Result<Page<User>, AppError> {
    use crate::platform::{actor, state};
    actor::respond(async move {
        let actor = actor::require_role(&[Role::Admin]).await?;
        service::list(&state()?.db, &actor, &q, &role, page).await
    })
    .await
}

#[server(endpoint = "users/get")]
pub async fn get_user(id: i64) -> Result<User, AppError> {
    use crate::platform::{actor, state};
    actor::respond(async move {
        let actor = actor::require_role(&[Role::Admin]).await?;
        service::get(&state()?.db, &actor, id).await
    })
    .await
}

#[server(endpoint = "users/create")]
#[allow(clippy::too_many_arguments)]
pub async fn create_user(
    username: String,
    display_name: String,
    mobile: String,
    role: String,
    unit_id: String,
    password: String,
) -> Result<(), AppError> {
    use crate::platform::{actor, state};
    actor::respond(async move {
        let actor = actor::require_role(&[Role::Admin]).await?;
        let input = service::NewUser::parse(
            &username,
            &display_name,
            &mobile,
            &role,
            &unit_id,
            &password,
        )?;
        let id = service::create(&state()?.db, &actor, input).await?;
        leptos_axum::redirect(&format!("/admin/users/{id}?saved=1"));
        Ok(())
    })
    .await
}

#[server(endpoint = "users/update")]
pub async fn update_user(
    id: i64,
    display_name: String,
    mobile: String,
    role: String,
    unit_id: String,
) -> Result<(), AppError> {
    use crate::platform::{actor, state};
    actor::respond(async move {
        let actor = actor::require_role(&[Role::Admin]).await?;
        let input = service::UserInput::parse(&display_name, &mobile, &role, &unit_id)?;
        service::update(&state()?.db, &actor, id, input).await?;
        leptos_axum::redirect(&format!("/admin/users/{id}?saved=1"));
        Ok(())
    })
    .await
}

#[server(endpoint = "users/reset_password")]
pub async fn reset_password(id: i64, password: String) -> Result<(), AppError> {
    use crate::platform::{actor, state};
    actor::respond(async move {
        let actor = actor::require_role(&[Role::Admin]).await?;
        service::reset_password(&state()?.db, &actor, id, &password).await?;
        leptos_axum::redirect(&format!("/admin/users/{id}?reset=1"));
        Ok(())
    })
    .await
}

#[server(endpoint = "users/set_disabled")]
pub async fn set_user_disabled(id: i64, disabled: bool) -> Result<(), AppError> {
    use crate::platform::{actor, state};
    actor::respond(async move {
        let actor = actor::require_role(&[Role::Admin]).await?;
        service::set_disabled(&state()?.db, &actor, id, disabled).await?;
        leptos_axum::redirect(&format!("/admin/users/{id}?saved=1"));
        Ok(())
    })
    .await
}
