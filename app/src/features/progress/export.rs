//! Excel export of the progress list (under the list's filters).
use super::{ProgressRow, service};
use crate::{
    domain::Role,
    error::AppError,
    export_route,
    kit::{
        export::{Cell, Sheet},
        table::{Page, Rows},
    },
    platform::{AppState, actor::Actor, db::Db},
};
use axum::Router;

pub fn routes() -> Router<AppState> {
    Router::new().route(
        "/export/progress.xlsx",
        export_route!(PROGRESS, list, "state"),
    )
}

async fn list(
    db: &Db,
    actor: &Actor,
    q: &str,
    state: &str,
    rows: Rows,
) -> Result<Page<ProgressRow>, AppError> {
    service::list(db, actor, &service::ProgressFilter::parse(q, state), rows).await
}

const PROGRESS: Sheet<ProgressRow> = Sheet::new(
    "工程进度",
    &[
        "项目 / 标段",
        "建设单位",
        "施工单位",
        "最近填报月份",
        "累计完成（%）",
        "序时进度（%）",
        "形象进度",
        "修订后计划竣工",
        "已标注工地位置",
        "预警",
    ],
    &[Role::Admin, Role::Supervisor, Role::Owner],
    |r| {
        vec![
            r.project.into(),
            r.owner_name.into(),
            r.contractor_name.into(),
            r.month.unwrap_or_default().into(),
            Cell::Percent(r.percent.map(|p| p as f64)),
            Cell::Percent(r.planned_pct),
            r.state
                .map(|s| s.label().to_string())
                .unwrap_or_else(|| "未填报".into())
                .into(),
            r.revised_completion.unwrap_or_default().into(),
            (if r.has_site { "是" } else { "否" }).to_string().into(),
            r.flags.join("、").into(),
        ]
    },
);
