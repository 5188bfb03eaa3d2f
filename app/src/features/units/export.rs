//! Excel export of the units list.
use super::{Unit, service};
use crate::{
    domain::{Role, sector_label},
    export_route,
    kit::export::{Cell, Sheet},
    platform::AppState,
};
use axum::Router;

pub fn routes() -> Router<AppState> {
    Router::new().route(
        "/export/units.xlsx",
        export_route!(UNITS, service::list, "kind"),
    )
}

const UNITS: Sheet<Unit> = Sheet::new(
    "单位",
    &["单位名称", "类型", "统一社会信用代码", "行业", "用户数"],
    &[Role::Admin],
    |u| {
        let sector = u.sector.as_deref().map(sector_label).unwrap_or("");
        vec![
            u.name.into(),
            u.kind.label().into(),
            u.credit_code.into(),
            sector.into(),
            Cell::Int(u.user_count),
        ]
    },
);
