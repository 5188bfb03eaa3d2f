//! Excel exports of the alerts list and the flagged check-ins.
use super::{Alert, FlaggedCheckin, service};
use crate::{
    domain::Role,
    export_route,
    kit::export::{Cell, Sheet},
    platform::AppState,
};
use axum::Router;

const READERS: &[Role] = &[Role::Admin, Role::Supervisor, Role::Owner];

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/export/alerts.xlsx",
            export_route!(ALERTS, service::alerts),
        )
        .route(
            "/export/flagged-checkins.xlsx",
            export_route!(FLAGGED, service::flagged),
        )
}

const ALERTS: Sheet<Alert> = Sheet::new(
    "预警",
    &["时间", "项目", "期间", "内容"],
    READERS,
    |a| {
        vec![
            Cell::Time(a.created_at),
            a.project.into(),
            a.period.into(),
            match a.cleared_on {
                Some(d) => format!("{}（已消除 {d}）", a.message).into(),
                None => a.message.into(),
            },
        ]
    },
);

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
