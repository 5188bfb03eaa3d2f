//! Excel export of the supervision orders under the list's filters.
use super::{OrderRow, service};
use crate::{
    domain::Role,
    export_route,
    kit::export::{Cell, Filters, FromQuery, Sheet, filter},
    platform::AppState,
};
use axum::Router;

pub fn routes() -> Router<AppState> {
    Router::new().route(
        "/export/orders.xlsx",
        export_route!(filtered ORDERS, service::OrderFilter, service::list),
    )
}

impl FromQuery for service::OrderFilter {
    fn from_query(f: &Filters) -> Self {
        Self::parse(
            filter(f, "q"),
            filter(f, "state"),
            filter(f, "severity"),
            filter(f, "sector"),
            filter(f, "unit"),
        )
    }
}

const ORDERS: Sheet<OrderRow> = Sheet::new(
    "督办",
    &[
        "督办编号",
        "项目",
        "责任单位",
        "督办部门",
        "级别",
        "办理期限",
        "状态",
        "下发时间",
    ],
    &[Role::Admin, Role::Supervisor, Role::Owner],
    |o| {
        let status = match (o.overdue, o.extension_pending) {
            (true, _) => format!("{}（逾期）", o.status.label()),
            (false, true) => format!("{}（延期待审）", o.status.label()),
            _ => o.status.label().to_string(),
        };
        vec![
            o.order_no.into(),
            o.project.into(),
            o.owner.into(),
            o.issuer.into(),
            o.severity.into(),
            o.deadline.into(),
            status.into(),
            Cell::Time(o.created_at),
        ]
    },
);
