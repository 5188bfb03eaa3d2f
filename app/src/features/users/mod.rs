//! User accounts: created, edited, reset and disabled by administrators.
#[cfg(feature = "ssr")]
pub mod export;
mod pages;
#[cfg(feature = "ssr")]
pub mod service;

pub use pages::{UserEditPage, UserNewPage, UsersPage};

use crate::{domain::Role, error::AppError, kit::table::Page};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// This feature's entries in the left navigation.
pub const NAV: &[crate::kit::layout::NavItem] = {
    use crate::domain::Role;
    use crate::kit::layout::NavItem;
    &[NavItem::new(
        90,
        "/admin/users",
        "用户管理",
        &[Role::SecurityAdmin],
    )]
};

/// The trail's vocabulary for user accounts.
#[cfg(feature = "ssr")]
pub const TRAIL: crate::platform::trail::TrailSpec = {
    use crate::platform::trail::{Entity, ReadRule, TrailSpec};
    TrailSpec {
        entities: &[Entity::new("user", "用户", ReadRule::AdminOrSelf)],
        actions: &[
            ("disable", "停用"),
            ("enable", "启用"),
            ("reset_password", "重置密码"),
        ],
        fields: &[
            ("username", "用户名"),
            ("display_name", "姓名"),
            ("mobile", "手机号码"),
            ("role", "角色"),
            ("unit", "所属单位"),
            ("disabled", "已停用"),
        ],
    }
};

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
    crate::with_actor!([SecurityAdmin], |actor, st| {
        service::list(&st.db, &actor, &q, &role, page).await
    })
}

#[server(endpoint = "users/get")]
pub async fn get_user(id: i64) -> Result<User, AppError> {
    crate::with_actor!([SecurityAdmin], |actor, st| {
        service::get(&st.db, &actor, id).await
    })
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
    crate::with_actor!([SecurityAdmin], |actor, st| {
        let input = service::NewUser::parse(
            &username,
            &display_name,
            &mobile,
            &role,
            &unit_id,
            &password,
        )?;
        let id = service::create(&st.db, &actor, input).await?;
        leptos_axum::redirect(&format!("/admin/users/{id}?saved=1"));
        Ok(())
    })
}

#[server(endpoint = "users/update")]
pub async fn update_user(
    id: i64,
    display_name: String,
    mobile: String,
    role: String,
    unit_id: String,
) -> Result<(), AppError> {
    crate::with_actor!([SecurityAdmin], |actor, st| {
        let input = service::UserInput::parse(&display_name, &mobile, &role, &unit_id)?;
        service::update(&st.db, &actor, id, input).await?;
        leptos_axum::redirect(&format!("/admin/users/{id}?saved=1"));
        Ok(())
    })
}

#[server(endpoint = "users/reset_password")]
pub async fn reset_password(id: i64, password: String) -> Result<(), AppError> {
    crate::with_actor!([SecurityAdmin], |actor, st| {
        service::reset_password(&st.db, &actor, id, &password).await?;
        leptos_axum::redirect(&format!("/admin/users/{id}?reset=1"));
        Ok(())
    })
}

#[server(endpoint = "users/set_disabled")]
pub async fn set_user_disabled(id: i64, disabled: bool) -> Result<(), AppError> {
    crate::with_actor!([SecurityAdmin], |actor, st| {
        service::set_disabled(&st.db, &actor, id, disabled).await?;
        leptos_axum::redirect(&format!("/admin/users/{id}?saved=1"));
        Ok(())
    })
}
