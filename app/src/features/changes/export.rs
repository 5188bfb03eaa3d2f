//! Excel export of the changes list (under the list's filters).
use super::{ChangeRow, service};
use crate::{
    domain::{Role, label_of, records::CHANGE_KINDS},
    export_route,
    kit::export::{Cell, Sheet},
    platform::AppState,
};
use axum::Router;

pub fn routes() -> Router<AppState> {
    Router::new().route(
        "/export/changes.xlsx",
        export_route!(records CHANGES, service::list),
    )
}

const CHANGES: Sheet<ChangeRow> = Sheet::new(
    "项目变更",
    &[
        "项目 / 标段",
        "建设单位",
        "变更类型",
        "变更标题",
        "变更金额（元）",
        "工期变化（天）",
        "批准文号",
        "批准日期",
        "状态",
        "预警",
    ],
    &[Role::Admin, Role::Supervisor, Role::Owner],
    |r| {
        vec![
            r.project.into(),
            r.owner_name.into(),
            label_of(&CHANGE_KINDS, &r.kind).to_string().into(),
            r.title.into(),
            Cell::Money(Some(r.price_delta_fen)),
            Cell::Int(r.days_delta),
            r.approval_no.into(),
            r.approved_on.into(),
            r.status.label().to_string().into(),
            r.flags.join("、").into(),
        ]
    },
);
