//! Excel export of the evaluations (under the list's filters).
use super::{EvalRow, service};
use crate::{
    domain::Role,
    kit::export::{Cell, ExportTrail, Filters, Sheet, filter, send},
    platform::{AppState, actor::Acting},
};
use axum::{Router, extract::State, routing::get};

pub fn routes() -> Router<AppState> {
    Router::new().route(
        "/export/evaluations.xlsx",
        get(
            |State(st): State<AppState>, acting: Acting, f: Filters| async move {
                let filing_id = filter(&f, "filing_id").parse().unwrap_or(0);
                let ef =
                    service::EvalFilter::parse(filter(&f, "q"), filter(&f, "status"), filing_id);
                send(
                    &EVALUATIONS,
                    ExportTrail::new(&st.db, Some(&f)),
                    acting,
                    |actor| async move {
                        service::list(&st.db, &actor, &ef, crate::kit::table::Rows::All)
                            .await
                            .map(|p| p.items)
                    },
                )
                .await
            },
        ),
    )
}

const EVALUATIONS: Sheet<EvalRow> = Sheet::new(
    "履约考评",
    &[
        "考评期间",
        "项目 / 标段",
        "建设单位",
        "施工单位",
        "总分",
        "等级",
        "异议",
        "状态",
        "预警",
    ],
    &[Role::Admin, Role::Supervisor, Role::Owner, Role::Contractor],
    |r| {
        let (period, grade, objection) = (
            r.period_label(),
            r.grade().map_or("", |g| g.label()).to_string(),
            r.objection().map_or("", |o| o.label()).to_string(),
        );
        vec![
            period.into(),
            r.project.into(),
            r.owner_name.into(),
            r.contractor_name.into(),
            r.total.map_or(Cell::Text(String::new()), Cell::Int),
            grade.into(),
            objection.into(),
            r.status.label().to_string().into(),
            r.flags.join("、").into(),
        ]
    },
);
