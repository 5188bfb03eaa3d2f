//! 一项目一档: everything about one filed project on one page: the contract
//! and revised totals, changes, payments, the progress chart, the dated
//! roster and its attendance, evaluations, alerts and orders, the site map
//! with the attendance areas, and one timeline of every event. It reads the
//! other modules through their own scoped services; whatever a module holds
//! for the project shows here, and lists elsewhere link to it.
mod pages;
#[cfg(feature = "ssr")]
pub mod service;

pub use pages::DossierPage;

use crate::{
    domain::{ProjectFigures, progress::Light},
    error::AppError,
    features::{
        attendance::MemberRate, changes, evaluations::EvalRow, filings::Filing,
        orders::OrderStatus, payments::PaymentRow, personnel, progress::ProgressView,
    },
};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// An alert about the project.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct DossierAlert {
    pub id: i64,
    pub kind: String,
    #[cfg_attr(feature = "ssr", sqlx(skip))]
    pub rule: String,
    pub severity: String,
    pub message: String,
    pub started_on: Option<String>,
    pub cleared_on: Option<String>,
}

/// A supervision order about the project.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct DossierOrder {
    pub id: i64,
    pub order_no: String,
    pub facts: String,
    pub deadline: String,
    #[cfg_attr(feature = "ssr", sqlx(try_from = "String"))]
    pub status: OrderStatus,
    pub issued_at: i64,
    pub closed_on: Option<String>,
}

/// One event of the project's timeline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// `YYYY-MM-DD` (a month's report: `YYYY-MM`).
    pub day: String,
    /// What kind of event (合同, 变更, 拨付, 进度, 人员, 考评, 预警, 督办).
    pub kind: String,
    pub text: String,
    pub href: Option<String>,
}

/// The project's file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dossier {
    pub filing: Filing,
    /// The light and why (construction sections; none for supervision ones).
    pub light: Option<(Light, String)>,
    pub figures: ProjectFigures,
    /// Progress, site and areas (None before the project reports).
    pub progress: Option<ProgressView>,
    pub changes: Vec<changes::ChangeRow>,
    pub payments: Vec<PaymentRow>,
    pub personnel: Vec<personnel::ChangeRow>,
    pub evaluations: Vec<EvalRow>,
    /// Key personnel attendance over the last 90 days (to completion).
    pub attendance: Vec<MemberRate>,
    pub attendance_from: String,
    pub attendance_to: String,
    pub alerts: Vec<DossierAlert>,
    pub orders: Vec<DossierOrder>,
    /// Latest first.
    pub timeline: Vec<Event>,
}

#[server(endpoint = "dossier")]
pub async fn get_dossier(filing_id: i64) -> Result<Dossier, AppError> {
    crate::with_actor!([Admin, Supervisor, Owner], |actor, st| {
        service::get(&st.db, &actor, &st.settings, filing_id).await
    })
}
