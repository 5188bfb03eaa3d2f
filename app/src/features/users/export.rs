//! Excel export of the users list (mobiles masked, as the list shows them).
use super::{User, service};
use crate::{
    domain::{Mobile, Role},
    export_route,
    kit::export::Sheet,
    platform::AppState,
};
use axum::Router;

pub fn routes() -> Router<AppState> {
    Router::new().route(
        "/export/users.xlsx",
        export_route!(USERS, service::list, "role"),
    )
}

const USERS: Sheet<User> = Sheet::new(
    "用户",
    &["用户名", "姓名", "手机号码", "角色", "所属单位", "状态"],
    &[Role::SecurityAdmin],
    |u| {
        let status = match (u.disabled, u.locked) {
            (true, _) => "已停用",
            (false, true) => "已锁定",
            (false, false) => "正常",
        };
        let mobile = Mobile::parse(&u.mobile)
            .map(|m| m.masked())
            .unwrap_or_default();
        let (role, unit) = (u.role.label(), u.unit_name);
        vec![
            u.username.into(),
            u.display_name.into(),
            mobile.into(),
            role.into(),
            unit.into(),
            status.into(),
        ]
    },
);
