//! Excel export of the awards list.
use super::{Award, service};
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
    Router::new().route("/export/awards.xlsx", get(awards))
}

async fn awards(State(st): State<AppState>, acting: Acting, f: Filters) -> Response {
    let headers = [
        "项目编号",
        "标段编号",
        "项目名称",
        "标段名称",
        "建设单位",
        "中标单位",
        "中标价（元）",
        "中标通知书日期",
        "招标方式",
        "行业",
        "备案",
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
        "中标项目",
        &headers,
        fetch,
        |a: Award| {
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
                a.owner_name.into(),
                a.contractor_name.into(),
                Cell::Money(Some(a.award_price_fen)),
                a.award_date.into(),
                a.tender_method.into(),
                a.sector.into(),
                filing.into(),
            ]
        },
    )
    .await
}
