//! Excel export of the alert list under the link's filters.
use super::{AlertRow, service};
use crate::{
    domain::Role,
    kit::export::{Cell, ExportTrail, Filters, Sheet, filter, send},
    kit::table::Rows,
    platform::{AppState, actor::Acting},
};
use axum::{Router, extract::State, routing::get};

pub fn routes() -> Router<AppState> {
    Router::new().route("/export/alerts.xlsx", get(alerts))
}

async fn alerts(
    State(st): State<AppState>,
    acting: Acting,
    f: Filters,
) -> axum::response::Response {
    let filter = service::AlertFilter::parse(
        filter(&f, "q"),
        filter(&f, "state"),
        filter(&f, "severity"),
        filter(&f, "rule"),
        filter(&f, "sector"),
        filter(&f, "unit"),
    );
    send(
        &ALERTS,
        ExportTrail::new(&st.db, Some(&f)),
        acting,
        |actor| async move {
            Ok(service::list(&st.db, &actor, &filter, Rows::All)
                .await?
                .items)
        },
    )
    .await
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
