//! 施工单位履约档案: a contractor's record across the county — its projects,
//! every evaluation and grade, replacements and penalties, the attendance of
//! its key personnel, and the supervision orders on its projects. For
//! supervisors (within their scope) and for the contractor itself.
mod pages;
#[cfg(feature = "ssr")]
pub mod service;

pub use pages::{ContractorPage, ContractorsPage};

use crate::{error::AppError, features::evaluations::EvalRow};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

pub const NAV: &[crate::kit::layout::NavItem] = {
    use crate::domain::Role::*;
    use crate::kit::layout::NavItem;
    &[NavItem::new(
        44,
        "/contractors",
        "履约档案",
        &[Admin, Supervisor, Contractor],
    )]
};

/// A contractor as the list shows it (figures within the viewer's scope).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct ContractorRow {
    pub unit_id: i64,
    pub name: String,
    pub projects: i64,
    pub evaluations: i64,
    pub average: Option<f64>,
    pub fails: i64,
    pub replacements: i64,
    pub fines_fen: i64,
    pub open_orders: i64,
}

/// One of its projects.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct ContractorProject {
    pub filing_id: i64,
    pub project: String,
    pub owner_name: String,
    pub sector: String,
    pub contract_price_fen: i64,
    pub signed_on: Option<String>,
    pub latest_grade: Option<String>,
    pub open_alerts: i64,
}

/// A key person's attendance on one of its projects (the last 90 days).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PersonAttendance {
    pub project: String,
    pub role: String,
    pub name: String,
    pub required: i64,
    pub counted: i64,
}

/// A replacement on one of its projects.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct ReplacementRow {
    pub id: i64,
    pub project: String,
    pub role: String,
    pub leaving: String,
    pub new_name: String,
    pub effective_on: String,
    pub reason: String,
    pub fine_fen: i64,
    pub credit_points: i64,
    pub interview: i64,
    pub censure: i64,
}

/// A supervision order on one of its projects.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct OrderRow {
    pub id: i64,
    pub order_no: String,
    pub project: String,
    pub deadline: String,
    #[cfg_attr(feature = "ssr", sqlx(try_from = "String"))]
    pub status: crate::features::orders::OrderStatus,
    pub severity: String,
}

/// The record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContractorRecord {
    pub unit_id: i64,
    pub name: String,
    pub credit_code: String,
    /// 良好 / 合格 / 不合格 counts, and the average total.
    pub grades: (i64, i64, i64),
    pub average: Option<f64>,
    pub projects: Vec<ContractorProject>,
    pub evaluations: Vec<EvalRow>,
    pub replacements: Vec<ReplacementRow>,
    pub attendance: Vec<PersonAttendance>,
    pub since: String,
    pub orders: Vec<OrderRow>,
}

#[server(endpoint = "contractors/list")]
pub async fn list_contractors(q: String) -> Result<Vec<ContractorRow>, AppError> {
    crate::with_actor!([Admin, Supervisor, Contractor], |actor, st| service::list(
        &st.db, &actor, &q
    )
    .await)
}

/// One contractor's record (0: the contractor user's own company).
#[server(endpoint = "contractors/get")]
pub async fn get_contractor(id: i64) -> Result<ContractorRecord, AppError> {
    crate::with_actor!([Admin, Supervisor, Contractor], |actor, st| service::get(
        &st.db, &actor, id
    )
    .await)
}
