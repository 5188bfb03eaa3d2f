//! Award data (交易平台联动): tender sections awarded on the trading platform,
//! imported from CSV/XLSX by administrators or pushed by the platform to
//! `POST /api/v1/awards` with a bearer token. Keyed by (project code,
//! section code): the same record imported again updates, never duplicates.
#[cfg(feature = "ssr")]
pub mod api;
mod correct_page;
#[cfg(feature = "ssr")]
pub mod export;
#[cfg(feature = "ssr")]
pub mod import;
mod pages;
#[cfg(feature = "ssr")]
pub mod rules;
#[cfg(feature = "ssr")]
pub mod service;

pub use correct_page::AwardCorrectPage;
pub use pages::{ApiTokensPage, AwardImportPage, AwardsPage, ImportReportPage, filing_state};

use crate::{error::AppError, kit::table::Page};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// This feature's entries in the left navigation.
pub const NAV: &[crate::kit::layout::NavItem] = {
    use crate::kit::layout::{NavItem, READERS};
    &[NavItem::new(40, "/awards", "中标项目", READERS)]
};

/// The trail's vocabulary for award data and API tokens.
#[cfg(feature = "ssr")]
pub const TRAIL: crate::platform::trail::TrailSpec = {
    use crate::platform::trail::{Entity, ReadRule, TrailSpec};
    TrailSpec {
        entities: &[
            Entity::new("award", "中标项目", ReadRule::Award),
            Entity::new("api_token", "接口令牌", ReadRule::Admin),
        ],
        actions: &[("import", "导入"), ("revoke", "吊销")],
        fields: &[
            ("project_code", "项目编号"),
            ("section_code", "标段编号"),
            ("project_name", "项目名称"),
            ("section_name", "标段名称"),
            ("owner", "建设单位"),
            ("contractor", "中标单位"),
            ("award_price", "中标价"),
            ("award_date", "中标通知书日期"),
            ("tender_method", "招标方式"),
            ("hint", "尾号"),
            ("revoked", "已吊销"),
        ],
    }
};

/// An awarded tender section as lists show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Award {
    pub id: i64,
    pub project_code: String,
    pub section_code: String,
    pub project_name: String,
    pub section_name: String,
    pub owner_unit_id: i64,
    pub owner_name: String,
    pub contractor_name: String,
    pub award_price_fen: i64,
    /// YYYY-MM-DD
    pub award_date: String,
    pub tender_method: String,
    pub sector: String,
    pub section_kind: crate::domain::SectionKind,
    pub filing_id: Option<i64>,
    pub filing_status: Option<String>,
    /// Days from the award notice to today (Beijing calendar).
    pub days_since_award: i64,
    /// The viewer is the owner unit's user and may file it.
    pub can_file: bool,
}

/// One problem of an import: where (line and column as the file has them)
/// and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Problem {
    /// Line in the file (the header is line 1), or index in a JSON array (from 0).
    pub line: usize,
    pub column: String,
    pub reason: String,
}

/// The outcome of one import (file or API call).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportReport {
    pub id: i64,
    pub file_name: String,
    pub format: String,
    pub total_rows: i64,
    pub created: i64,
    pub updated: i64,
    pub unchanged: i64,
    pub failed: i64,
    pub problems: Vec<Problem>,
    pub imported_by: String,
    pub created_at: i64,
}

/// A bearer token for the platform's push API (the secret itself is shown
/// only once, when issued).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApiToken {
    pub id: i64,
    pub name: String,
    /// The last four characters, to tell tokens apart.
    pub hint: String,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
    pub last_used_at: Option<i64>,
}

#[server(endpoint = "awards/list")]
pub async fn list_awards(q: String, status: String, page: i64) -> Result<Page<Award>, AppError> {
    crate::with_actor!([Admin, Supervisor, Owner], |actor, st| {
        service::list(&st.db, &actor, &q, &status, page).await
    })
}

/// An award as the correction form (更正中标信息) shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CorrectionView {
    pub id: i64,
    pub project: String,
    /// 项目编号/标段编号
    pub code: String,
    pub owner_unit_id: i64,
    pub contractor_unit_id: i64,
    /// In 元, as typed into the form.
    pub award_price: String,
    pub sector: String,
    pub filing_id: Option<i64>,
}

#[server(endpoint = "awards/correction")]
pub async fn load_correction(id: i64) -> Result<CorrectionView, AppError> {
    crate::with_actor!([Admin], |actor, st| {
        service::for_correction(&st.db, &actor, id).await
    })
}

/// Corrects what a feed may not change of a filed award, with a reason.
#[server(endpoint = "awards/correct")]
pub async fn correct_award(
    id: i64,
    owner_unit_id: String,
    contractor_unit_id: String,
    award_price: String,
    sector: String,
    reason: String,
) -> Result<(), AppError> {
    crate::with_actor!([Admin], |actor, st| {
        let c = service::Correction::parse(
            &owner_unit_id,
            &contractor_unit_id,
            &award_price,
            &sector,
            &reason,
        )?;
        service::correct(&st.db, &st.settings, &actor, id, &c).await?;
        crate::features::evaluate_rules(&st).await;
        leptos_axum::redirect("/awards?corrected=1");
        Ok(())
    })
}

#[server(endpoint = "awards/imports")]
pub async fn list_imports() -> Result<Vec<ImportReport>, AppError> {
    crate::with_actor!([Admin], |_actor, st| {
        service::recent_imports(&st.db).await
    })
}

#[server(endpoint = "awards/import_report")]
pub async fn get_import(id: i64) -> Result<ImportReport, AppError> {
    crate::with_actor!([Admin], |_actor, st| {
        service::import_report(&st.db, id).await
    })
}

#[server(endpoint = "awards/tokens")]
pub async fn list_tokens() -> Result<Vec<ApiToken>, AppError> {
    crate::with_actor!([Admin], |_actor, st| service::tokens(&st.db).await)
}

/// Issues a token; the answer is the secret, shown once.
#[server(endpoint = "awards/issue_token")]
pub async fn issue_token(name: String) -> Result<String, AppError> {
    crate::with_actor!([Admin], |actor, st| {
        service::issue_token(&st.db, &actor, &name).await
    })
}

#[server(endpoint = "awards/revoke_token")]
pub async fn revoke_token(id: i64) -> Result<(), AppError> {
    crate::with_actor!([Admin], |actor, st| {
        service::revoke_token(&st.db, &actor, id).await
    })
}
