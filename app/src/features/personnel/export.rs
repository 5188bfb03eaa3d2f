//! Excel export of the personnel changes (under the list's filters).
use super::{ChangeRow, service};
use crate::{
    domain::{ROSTER_ROLES, Role, label_of, records::PERSONNEL_REASONS},
    export_route,
    kit::export::{Cell, Sheet},
    platform::AppState,
};
use axum::Router;

pub fn routes() -> Router<AppState> {
    Router::new().route(
        "/export/personnel.xlsx",
        export_route!(records CHANGES, service::list),
    )
}

const CHANGES: Sheet<ChangeRow> = Sheet::new(
    "人员变更",
    &[
        "生效日期",
        "项目 / 标段",
        "建设单位",
        "岗位",
        "原人员",
        "接替人员",
        "变更原因",
        "罚款（元）",
        "信用扣分",
        "处罚措施",
        "状态",
        "预警",
    ],
    &[Role::Admin, Role::Supervisor, Role::Owner],
    |r| {
        let penalties = r.penalties();
        vec![
            r.effective_on.into(),
            r.project.into(),
            r.owner_name.into(),
            label_of(&ROSTER_ROLES, &r.role).to_string().into(),
            r.leaving.into(),
            r.new_name.into(),
            label_of(&PERSONNEL_REASONS, &r.reason).to_string().into(),
            Cell::Money(Some(r.fine_fen)),
            Cell::Int(r.credit_points),
            penalties.into(),
            r.status.label().to_string().into(),
            r.flags.join("、").into(),
        ]
    },
);
