//! Excel export of the alert list under the link's filters.
use super::{AlertRow, service};
use crate::{
    domain::Role,
    export_route,
    kit::export::{Cell, Filters, FromQuery, Sheet, filter},
    platform::AppState,
};
use axum::Router;

pub fn routes() -> Router<AppState> {
    Router::new().route(
        "/export/alerts.xlsx",
        export_route!(filtered ALERTS, service::AlertFilter, service::list),
    )
}

impl FromQuery for service::AlertFilter {
    fn from_query(f: &Filters) -> Self {
        Self::parse(
            filter(f, "q"),
            filter(f, "state"),
            filter(f, "severity"),
            filter(f, "rule"),
            filter(f, "sector"),
            filter(f, "unit"),
        )
    }
}

const ALERTS: Sheet<AlertRow> = Sheet::new(
    "预警",
    &[
        "开始日期",
        "规则",
        "级别",
        "项目",
        "建设单位",
        "行业",
        "内容",
        "状态",
        "产生时间",
    ],
    &[Role::Admin, Role::Supervisor, Role::Owner],
    |a| {
        vec![
            a.started_on.into(),
            a.rule.into(),
            a.severity.into(),
            a.project.into(),
            a.owner.into(),
            a.sector.into(),
            a.message.into(),
            match a.cleared_on {
                Some(d) => format!("已消除（{d}）").into(),
                None => "未消除".into(),
            },
            Cell::Time(a.created_at),
        ]
    },
);
