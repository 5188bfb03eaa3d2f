//! Excel exports of the alerts list and the flagged check-ins.
use super::{Alert, FlaggedCheckin, service};
use crate::{
    domain::Role,
    kit::export::{Cell, xlsx},
    platform::{AppState, actor::Acting},
};
use axum::{Router, extract::State, response::Response, routing::get};

const READERS: [Role; 3] = [Role::Admin, Role::Supervisor, Role::Owner];

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/export/alerts.xlsx", get(alerts))
        .route("/export/flagged-checkins.xlsx", get(flagged))
}

async fn alerts(State(st): State<AppState>, acting: Acting) -> Response {
    let headers = ["时间", "项目", "期间", "内容"];
    let fetch = |actor| async move { service::alerts(&st.db, &actor).await };
    xlsx(acting, &READERS, "预警", &headers, fetch, |a: Alert| {
        vec![
            Cell::Time(a.created_at),
            a.project.into(),
            a.period.into(),
            a.message.into(),
        ]
    })
    .await
}

async fn flagged(State(st): State<AppState>, acting: Acting) -> Response {
    let headers = ["时间", "人员", "项目", "异常", "定位精度（米）", "照片"];
    let fetch = |actor| async move { service::flagged(&st.db, &actor).await };
    xlsx(
        acting,
        &READERS,
        "存疑打卡",
        &headers,
        fetch,
        |c: FlaggedCheckin| {
            vec![
                Cell::Time(c.at),
                c.person.into(),
                c.project.into(),
                c.flags.into(),
                Cell::Int(c.accuracy_m.round() as i64),
                (if c.has_photo { "有" } else { "" }).into(),
            ]
        },
    )
    .await
}
