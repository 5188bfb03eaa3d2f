//! The audit trail as people see it: a record's history, the administrator's
//! trail list and the chain check.
mod history;
mod pages;
#[cfg(feature = "ssr")]
pub mod service;

pub use history::ChangeHistory;
pub use pages::AuditPage;

use crate::{error::AppError, kit::table::Page};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// This feature's entries in the left navigation.
pub const NAV: &[crate::kit::layout::NavItem] = {
    use crate::domain::Role;
    use crate::kit::layout::NavItem;
    &[NavItem::new(
        100,
        "/admin/audit",
        "留痕审计",
        &[Role::Admin],
    )]
};

/// The trail's words shared by every record: creating, editing, correcting.
#[cfg(feature = "ssr")]
pub const TRAIL: crate::platform::trail::TrailSpec = crate::platform::trail::TrailSpec {
    entities: &[],
    actions: &[("create", "新增"), ("update", "修改"), ("correct", "更正")],
    fields: &[
        ("name", "名称"),
        ("status", "状态"),
        ("remarks", "备注"),
        ("reason", "更正原因"),
    ],
};

/// One change of a record, ready to show: (field label, before, after).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryEntry {
    pub seq: i64,
    pub at: i64,
    pub actor: String,
    pub action_label: String,
    pub changes: Vec<(String, String, String)>,
}

/// A trail entry in the administrator's list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrailRow {
    pub seq: i64,
    pub at: i64,
    pub actor: String,
    pub entity: String,
    pub entity_id: String,
    pub action_label: String,
    pub ip: Option<String>,
    pub hash: String,
}

/// The outcome of the chain check, as the admin page shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChainStatus {
    pub checked: i64,
    pub ok: bool,
    pub problem_seq: Option<i64>,
    pub message: String,
}

#[server(endpoint = "record_history")]
pub async fn record_history(entity: String, id: String) -> Result<Vec<HistoryEntry>, AppError> {
    crate::with_actor!(ANY, |actor, st| {
        service::record_history(&st.db, &actor, &entity, &id).await
    })
}

#[server(endpoint = "audit_trail")]
pub async fn audit_trail(page: i64, entity: String) -> Result<Page<TrailRow>, AppError> {
    crate::with_actor!([Admin], |_actor, st| {
        service::trail(&st.db, page, &entity).await
    })
}

#[server(endpoint = "audit_verify")]
pub async fn verify_audit() -> Result<ChainStatus, AppError> {
    crate::with_actor!([Admin], |_actor, st| {
        service::chain_status(&st.db).await
    })
}
