//! Excel exports of the filings list and the back-entry statistics.
use super::{BackEntryRow, FilingRow, service};
use crate::{
    domain::Role,
    export_route,
    kit::export::{Cell, Sheet},
    platform::AppState,
};
use axum::Router;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/export/filings.xlsx",
            export_route!(FILINGS, service::list, "status"),
        )
        .route(
            "/export/back-entry.xlsx",
            export_route!(BACK_ENTRY, service::back_entry_report),
        )
}

const FILINGS: Sheet<FilingRow> = Sheet::new(
    "合同备案",
    &[
        "项目名称",
        "标段名称",
        "建设单位",
        "施工单位",
        "合同编号",
        "合同价（元）",
        "签订日期",
        "状态",
        "补录",
        "价格偏离",
        "更新时间",
        "修订后合同价（元）",
    ],
    &[Role::Admin, Role::Supervisor, Role::Owner],
    |r| {
        let yes = |b: bool| if b { "是" } else { "" }.into();
        vec![
            r.project_name.into(),
            r.section_name.into(),
            r.owner_name.into(),
            r.contractor_name.into(),
            r.contract_no.into(),
            Cell::Money(r.contract_price_fen),
            r.signed_on.into(),
            r.status.label().into(),
            yes(r.back_entry),
            yes(r.price_flag),
            Cell::Time(r.updated_at),
            Cell::Money(r.revised_price_fen),
        ]
    },
);

const BACK_ENTRY: Sheet<BackEntryRow> = Sheet::new(
    "补录统计",
    &["建设单位", "中标项目", "已备案", "未备案", "其中补录"],
    &[Role::Admin, Role::Supervisor],
    |r| {
        let n = Cell::Int;
        vec![
            r.owner_name.into(),
            n(r.awards),
            n(r.filed),
            n(r.unfiled),
            n(r.back_entries),
        ]
    },
);
