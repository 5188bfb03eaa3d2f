//! Excel export of the users list (mobiles masked, as the list shows them).
use super::{User, service};
use crate::{
    domain::{Mobile, Role},
    kit::{
        export::{Filters, filter, xlsx},
        table::Rows,
    },
    platform::{AppState, actor::Acting},
};
use axum::{Router, extract::State, response::Response, routing::get};

pub fn routes() -> Router<AppState> {
    Router::new().route("/export/users.xlsx", get(users))
}

async fn users(State(st): State<AppState>, acting: Acting, f: Filters) -> Response {
    let headers = ["用户名", "姓名", "手机号码", "角色", "所属单位", "状态"];
    let fetch = |actor| async move {
        let page = service::list(
            &st.db,
            &actor,
            filter(&f, "q"),
            filter(&f, "role"),
            Rows::All,
        )
        .await?;
        Ok(page.items)
    };
    xlsx(
        acting,
        &[Role::Admin],
        "用户",
        &headers,
        fetch,
        |u: User| {
            let status = if u.disabled {
                "已停用"
            } else if u.locked {
                "已锁定"
            } else {
                "正常"
            };
            vec![
                u.username.into(),
                u.display_name.into(),
                Mobile::parse(&u.mobile)
                    .map(|m| m.masked())
                    .unwrap_or_default()
                    .into(),
                u.role.label().into(),
                u.unit_name.into(),
                status.into(),
            ]
        },
    )
    .await
}
