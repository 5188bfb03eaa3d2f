//! Excel export of the flagged check-ins (the alerts' is the alerts feature's).
use super::{FlaggedCheckin, service};
use crate::{
    domain::Role,
    export_route,
    kit::export::{Cell, Sheet},
    platform::AppState,
};
use axum::Router;

const READERS: &[Role] = &[Role::Admin, Role::Supervisor, Role::Owner];

pub fn routes() -> Router<AppState> {
    Router::new().route(
        "/export/flagged-checkins.xlsx",
        export_route!(FLAGGED, service::flagged),
    )
}

const FLAGGED: Sheet<FlaggedCheckin> = Sheet::new(
    "存疑打卡",
    &["时间", "人员", "项目", "异常", "定位精度（米）", "照片"],
    READERS,
    |c| {
        let photo = if c.has_photo { "有" } else { "" };
        let accuracy = Cell::Int(c.accuracy_m.round() as i64);
        vec![
            Cell::Time(c.at),
            c.person.into(),
            c.project.into(),
            c.flags.into(),
            accuracy,
            photo.into(),
        ]
    },
);
