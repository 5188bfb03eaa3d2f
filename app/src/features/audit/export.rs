//! Excel export of the published heads (链头公示), to keep outside the system.
use super::{HEAD_READERS, HeadRow, service};
use crate::{export_route, kit::export::Sheet, platform::AppState};
use axum::Router;

pub fn routes() -> Router<AppState> {
    Router::new().route(
        "/export/audit-heads.xlsx",
        export_route!(HEADS, service::published_heads),
    )
}

const HEADS: Sheet<HeadRow> = Sheet::new(
    "留痕链头公示",
    &["日期", "序号", "链头哈希", "公示时间"],
    HEAD_READERS,
    |h| {
        vec![
            h.day.into(),
            crate::kit::export::Cell::Int(h.seq),
            h.hash.into(),
            crate::kit::export::Cell::Time(h.at),
        ]
    },
);
