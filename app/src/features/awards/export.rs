//! Excel export of the awards list.
use super::{Award, service};
use crate::{
    domain::Role,
    export_route,
    kit::export::{Cell, Sheet},
    platform::AppState,
};
use axum::Router;

pub fn routes() -> Router<AppState> {
    Router::new().route(
        "/export/awards.xlsx",
        export_route!(AWARDS, service::list, "status"),
    )
}

const AWARDS: Sheet<Award> = Sheet::new(
    "中标项目",
    &[
        "项目编号",
        "标段编号",
        "项目名称",
        "标段名称",
        "标段类型",
        "建设单位",
        "中标单位",
        "中标价（元）",
        "中标通知书日期",
        "招标方式",
        "行业",
        "备案",
    ],
    &[Role::Admin, Role::Supervisor, Role::Owner],
    |a| {
        let filing = match a.filing_status.as_deref() {
            Some("submitted") => "已备案",
            Some(_) => "备案中",
            None => "未备案",
        };
        vec![
            a.project_code.into(),
            a.section_code.into(),
            a.project_name.into(),
            a.section_name.into(),
            a.section_kind.label().into(),
            a.owner_name.into(),
            a.contractor_name.into(),
            Cell::Money(Some(a.award_price_fen)),
            a.award_date.into(),
            a.tender_method.into(),
            a.sector.into(),
            filing.into(),
        ]
    },
);
