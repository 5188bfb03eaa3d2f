//! The statistics table as Excel (`/export/compliance.xlsx?period=2026-11`).
use super::{StatPeriod, UnitStats, service};
use crate::{
    domain::Role,
    error::AppError,
    kit::export::{Cell, ExportTrail, Filters, Sheet, filter, send},
    platform::{AppState, actor::Acting, time::today},
};
use axum::{Router, extract::State, routing::get};

pub const SHEET: Sheet<UnitStats> = Sheet::new(
    "合规统计",
    &[
        "排名",
        "建设单位",
        "中标项目",
        "按期备案",
        "超期备案",
        "逾期未备案",
        "补录",
        "月报应报",
        "月报按时",
        "拨付笔数",
        "拨付金额（元）",
        "到岗率（%）",
        "考评",
        "督办未办结",
        "督办逾期",
        "得分",
    ],
    &[Role::Admin, Role::Supervisor],
    |r| {
        vec![
            Cell::Int(r.rank),
            r.unit.clone().into(),
            Cell::Int(r.awards),
            Cell::Int(r.filed_on_time),
            Cell::Int(r.filed_late),
            Cell::Int(r.unfiled),
            Cell::Int(r.back_entries),
            Cell::Int(r.reports_due),
            Cell::Int(r.reports_on_time),
            Cell::Int(r.payments),
            Cell::Money(Some(r.paid_fen)),
            Cell::Percent(r.attendance_pct()),
            Cell::Int(r.evaluations),
            Cell::Int(r.orders_open),
            Cell::Int(r.orders_overdue),
            Cell::Percent(Some(r.score)),
        ]
    },
);

pub fn routes() -> Router<AppState> {
    Router::new().route(
        "/export/compliance.xlsx",
        get(
            |State(st): State<AppState>, acting: Acting, f: Filters| async move {
                send(
                    &SHEET,
                    ExportTrail::new(&st.db, Some(&f)),
                    acting,
                    |actor| async move {
                        let day = today();
                        let p = match filter(&f, "period") {
                            "" => StatPeriod::last_month(day),
                            code => StatPeriod::parse(code).ok_or_else(|| {
                                AppError::field("period", "统计期间应为月份、季度或年份")
                            })?,
                        };
                        Ok(service::compliance(&st.db, &actor, &st.settings, &p, day)
                            .await?
                            .rows)
                    },
                )
                .await
            },
        ),
    )
}
