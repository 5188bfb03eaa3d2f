//! Excel exports of the filings list and the back-entry statistics.
use super::service;
use crate::{
    domain::Role,
    kit::{
        export::{Cell, Filters, filter, xlsx},
        table::Rows,
    },
    platform::{AppState, actor::Acting},
};
use axum::{Router, extract::State, response::Response, routing::get};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/export/filings.xlsx", get(filings))
        .route("/export/back-entry.xlsx", get(back_entry))
}

async fn filings(State(st): State<AppState>, acting: Acting, f: Filters) -> Response {
    let headers = [
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
    ];
    let fetch = |actor| async move {
        let page = service::list(
            &st.db,
            &actor,
            filter(&f, "q"),
            filter(&f, "status"),
            Rows::All,
        )
        .await?;
        Ok(page.items)
    };
    let roles = [Role::Admin, Role::Supervisor, Role::Owner];
    xlsx(
        acting,
        &roles,
        "合同备案",
        &headers,
        fetch,
        |r: super::FilingRow| {
            vec![
                r.project_name.into(),
                r.section_name.into(),
                r.owner_name.into(),
                r.contractor_name.into(),
                r.contract_no.into(),
                Cell::Money(r.contract_price_fen),
                r.signed_on.into(),
                r.status.label().into(),
                (if r.back_entry { "是" } else { "" }).into(),
                (if r.price_flag { "是" } else { "" }).into(),
                Cell::Time(r.updated_at),
            ]
        },
    )
    .await
}

async fn back_entry(State(st): State<AppState>, acting: Acting) -> Response {
    let headers = ["建设单位", "中标项目", "已备案", "未备案", "其中补录"];
    let fetch = |actor| async move { service::back_entry_report(&st.db, &actor).await };
    let roles = [Role::Admin, Role::Supervisor];
    xlsx(
        acting,
        &roles,
        "补录统计",
        &headers,
        fetch,
        |r: super::BackEntryRow| {
            vec![
                r.owner_name.into(),
                Cell::Int(r.awards),
                Cell::Int(r.filed),
                Cell::Int(r.unfiled),
                Cell::Int(r.back_entries),
            ]
        },
    )
    .await
}
