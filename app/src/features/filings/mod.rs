//! 标后基本信息 (contract filing): the owner unit files each awarded tender
//! section: contract facts, key personnel roster (each member gets a login
//! for check-in) and attachments. Draft → submitted (已备案); after that a
//! change is a correction with a reason. Only filed projects can be picked in
//! the later modules (see [`ProjectPicker`]).
// Server functions take one argument per form field.
#![allow(clippy::too_many_arguments)]
#[cfg(feature = "ssr")]
pub mod export;
#[cfg(feature = "ssr")]
pub mod files;
mod pages;
#[cfg(feature = "ssr")]
pub mod rules;
#[cfg(feature = "ssr")]
pub mod service;

pub use pages::{BackEntryPage, FilingPage, FilingsPage, ProjectPicker};

use crate::{error::AppError, features::awards::Award, kit::table::Page};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// This feature's entries in the left navigation.
pub const NAV: &[crate::kit::layout::NavItem] = {
    use crate::domain::Role;
    use crate::kit::layout::{NavItem, READERS};
    &[
        NavItem::new(30, "/filings", "合同备案", READERS),
        NavItem::new(
            70,
            "/filings/back-entry",
            "补录统计",
            &[Role::Admin, Role::Supervisor],
        ),
    ]
};

/// The trail's vocabulary for filings (the project's own record).
#[cfg(feature = "ssr")]
pub const TRAIL: crate::platform::trail::TrailSpec = {
    use crate::platform::trail::{Entity, ReadRule, TrailSpec};
    TrailSpec {
        entities: &[Entity::new("filing", "合同备案", ReadRule::Project)],
        actions: &[
            ("submit", "提交备案"),
            ("roster_add", "添加关键人员"),
            ("roster_remove", "移出关键人员"),
            ("attach", "上传附件"),
            ("detach", "移除附件"),
        ],
        fields: &[
            ("contract_no", "合同编号"),
            ("signed_on", "签订日期"),
            ("contract_price", "合同价"),
            ("duration_days", "工期（天）"),
            ("planned_start", "计划开工"),
            ("planned_completion", "计划竣工"),
            ("payment_terms", "付款方式"),
            ("supervisor_engineer", "监理单位"),
            ("back_entry", "补录"),
            ("price_flag", "价格偏离"),
            ("roster_member", "关键人员"),
            ("attachment", "附件"),
        ],
    }
};

/// A filing with its award, roster and attachments.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Filing {
    pub id: i64,
    pub award: Award,
    pub status: crate::domain::FilingStatus,
    pub contract_no: Option<String>,
    pub signed_on: Option<String>,
    pub contract_price_fen: Option<i64>,
    pub duration_days: Option<i64>,
    pub planned_start: Option<String>,
    pub planned_completion: Option<String>,
    pub payment_terms: Option<String>,
    pub supervisor_engineer_unit_id: Option<i64>,
    pub supervisor_engineer_name: Option<String>,
    pub remarks: Option<String>,
    pub back_entry: bool,
    pub price_flag: bool,
    pub version: i64,
    pub submitted_at: Option<i64>,
    pub updated_at: i64,
    /// The viewer is the owner unit's user and may change it.
    pub editable: bool,
    pub roster: Vec<RosterMember>,
    pub attachments: Vec<Attachment>,
}

/// A filing as lists show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FilingRow {
    pub id: i64,
    pub project_name: String,
    pub section_name: String,
    pub owner_name: String,
    pub contractor_name: String,
    pub status: crate::domain::FilingStatus,
    pub contract_no: Option<String>,
    pub contract_price_fen: Option<i64>,
    /// The contract price moved by its submitted changes.
    pub revised_price_fen: Option<i64>,
    pub signed_on: Option<String>,
    pub back_entry: bool,
    pub price_flag: bool,
    pub updated_at: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RosterMember {
    pub id: i64,
    pub role: String,
    pub name: String,
    /// Masked (330326********1234): lists never show the full number.
    pub id_number: String,
    pub mobile: String,
    pub cert_no: String,
    pub username: String,
    /// On the roster since (a Beijing day).
    pub joined_on: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Attachment {
    pub id: i64,
    pub kind: String,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub created_at: i64,
}

/// Per owner unit: awards since 2022-06-30 with and without a filing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BackEntryRow {
    pub owner_name: String,
    pub awards: i64,
    pub filed: i64,
    pub unfiled: i64,
    pub back_entries: i64,
}

/// A filed project for pickers: (filing id, "project · section").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProjectOption {
    pub id: i64,
    pub label: String,
}

/// Opens (or reopens) the filing of an award and goes to it.
#[server(endpoint = "filings/start")]
pub async fn start_filing(award_id: i64) -> Result<(), AppError> {
    crate::with_actor!([Owner], |actor, st| {
        let id = service::start(&st.db, &actor, award_id).await?;
        leptos_axum::redirect(&format!("/filings/{id}"));
        Ok(())
    })
}

#[server(endpoint = "filings/list")]
pub async fn list_filings(
    q: String,
    status: String,
    page: i64,
) -> Result<Page<FilingRow>, AppError> {
    crate::with_actor!([Admin, Supervisor, Owner], |actor, st| service::list(
        &st.db, &actor, &q, &status, page
    )
    .await)
}

#[server(endpoint = "filings/get")]
pub async fn get_filing(id: i64) -> Result<Filing, AppError> {
    crate::with_actor!([Admin, Supervisor, Owner], |actor, st| service::get(
        &st.db, &actor, id
    )
    .await)
}

#[server(endpoint = "filings/save")]
pub async fn save_filing(
    id: i64,
    contract_no: String,
    signed_on: String,
    contract_price: String,
    duration_days: String,
    planned_start: String,
    planned_completion: String,
    payment_terms: String,
    supervisor_engineer_unit_id: String,
    remarks: String,
    #[server(default)] reason: String,
    #[server(default)] version: String,
) -> Result<(), AppError> {
    crate::with_actor!([Owner], |actor, st| {
        let form = service::FilingForm {
            version,
            contract_no,
            signed_on,
            contract_price,
            duration_days,
            planned_start,
            planned_completion,
            payment_terms,
            supervisor_engineer_unit_id,
            remarks,
        };
        // The 价格偏离 badge follows the administrator's threshold (预警规则).
        let settings =
            crate::platform::rules::effective(&st.db, &st.settings, &crate::features::rule_infos())
                .await?;
        service::save(&st.db, &settings, &actor, id, &form, &reason).await?;
        crate::features::after_record_write(st).await;
        leptos_axum::redirect(&format!("/filings/{id}?saved=1"));
        Ok(())
    })
}

#[server(endpoint = "filings/submit")]
pub async fn submit_filing(id: i64) -> Result<(), AppError> {
    crate::with_actor!([Owner], |actor, st| {
        service::submit(&st.db, &actor, id).await?;
        crate::features::after_record_write(st).await;
        leptos_axum::redirect(&format!("/filings/{id}?submitted=1"));
        Ok(())
    })
}

/// Adds a roster member; the answer tells the owner the member's login
/// (and first password, when an account was opened) to hand over.
#[server(endpoint = "filings/add_member")]
pub async fn add_member(
    filing_id: i64,
    role: String,
    name: String,
    id_number: String,
    mobile: String,
    cert_no: String,
    #[server(default)] reason: String,
) -> Result<String, AppError> {
    crate::with_actor!([Owner], |actor, st| {
        crate::platform::project::check_owner(&st.db, &actor, filing_id).await?;
        let member = service::MemberInput::parse(&role, &name, &id_number, &mobile, &cert_no)?;
        service::add_member(&st.db, &actor, filing_id, member, &reason).await
    })
}

#[server(endpoint = "filings/remove_member")]
pub async fn remove_member(
    filing_id: i64,
    member_id: i64,
    #[server(default)] reason: String,
) -> Result<(), AppError> {
    crate::with_actor!([Owner], |actor, st| service::remove_member(
        &st.db, &actor, filing_id, member_id, &reason
    )
    .await)
}

#[server(endpoint = "filings/remove_attachment")]
pub async fn remove_attachment(
    filing_id: i64,
    attachment_id: i64,
    #[server(default)] reason: String,
) -> Result<(), AppError> {
    crate::with_actor!([Owner], |actor, st| {
        service::remove_attachment(&st.db, &actor, filing_id, attachment_id, &reason).await
    })
}

/// Supervising engineer units (监理单位) for the filing form.
#[server(endpoint = "filings/supervisor_engineers")]
pub async fn supervisor_engineers() -> Result<Vec<(i64, String)>, AppError> {
    crate::with_actor!([Admin, Supervisor, Owner], |_actor, st| {
        service::supervisor_engineers(&st.db).await
    })
}

#[server(endpoint = "filings/back_entry")]
pub async fn back_entry_report() -> Result<Vec<BackEntryRow>, AppError> {
    crate::with_actor!([Admin, Supervisor], |actor, st| service::back_entry_report(
        &st.db, &actor
    )
    .await)
}

/// Filed projects in the user's scope, for the later modules' pickers.
#[server(endpoint = "filings/projects")]
pub async fn project_options() -> Result<Vec<ProjectOption>, AppError> {
    crate::with_actor!([Admin, Supervisor, Owner], |actor, st| {
        service::project_options(&st.db, &actor).await
    })
}
