//! Excel export of the units list.
use super::{Unit, service};
use crate::{
    domain::{Role, sector_label},
    kit::{
        export::{Cell, Filters, filter, xlsx},
        table::Rows,
    },
    platform::{AppState, actor::Acting},
};
use axum::{Router, extract::State, response::Response, routing::get};

pub fn routes() -> Router<AppState> {
    Router::new().route("/export/units.xlsx", get(units))
}

async fn units(State(st): State<AppState>, acting: Acting, f: Filters) -> Response {
    let headers = ["单位名称", "类型", "统一社会信用代码", "行业", "用户数"];
    let fetch = |actor| async move {
        let page = service::list(
            &st.db,
            &actor,
            filter(&f, "q"),
            filter(&f, "kind"),
            Rows::All,
        )
        .await?;
        Ok(page.items)
    };
    xlsx(
        acting,
        &[Role::Admin],
        "单位",
        &headers,
        fetch,
        |u: Unit| {
            vec![
                u.name.into(),
                u.kind.label().into(),
                u.credit_code.into(),
                u.sector.as_deref().map(sector_label).unwrap_or("").into(),
                Cell::Int(u.user_count),
            ]
        },
    )
    .await
}
