//! The audit trail as people see it: a record's history, the administrator's
//! trail list and the chain check, and the daily published heads (链头公示)
//! that supervisors print or export and check the chain against.
#[cfg(feature = "ssr")]
pub mod export;
mod heads_page;
mod history;
mod pages;
#[cfg(feature = "ssr")]
pub mod service;

pub use heads_page::HeadsPage;
pub use history::ChangeHistory;
pub use pages::AuditPage;

use crate::{error::AppError, kit::table::Page};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// This feature's entries in the left navigation.
pub const NAV: &[crate::kit::layout::NavItem] = {
    use crate::domain::Role;
    use crate::kit::layout::NavItem;
    &[
        NavItem::new(100, "/admin/audit", "留痕审计", &[Role::AuditAdmin]),
        NavItem::new(
            101,
            "/audit/heads",
            "留痕公示",
            &[Role::Admin, Role::Supervisor, Role::AuditAdmin],
        ),
    ]
};

/// The trail's words shared by every record: creating, editing, correcting.
#[cfg(feature = "ssr")]
pub const TRAIL: crate::platform::trail::TrailSpec = crate::platform::trail::TrailSpec {
    entities: &[
        crate::platform::trail::Entity::new(
            crate::platform::audit::heads::ENTITY,
            "留痕链头",
            crate::platform::trail::ReadRule::Admin,
        ),
        crate::platform::trail::Entity::new(
            crate::kit::export::EXPORT_ENTITY,
            "Excel 导出",
            crate::platform::trail::ReadRule::Admin,
        ),
    ],
    actions: &[
        ("create", "新增"),
        ("update", "修改"),
        ("correct", "更正"),
        (crate::platform::audit::heads::ACTION, "公示链头"),
        ("export", "导出 Excel"),
    ],
    fields: &[
        ("name", "名称"),
        ("status", "状态"),
        ("remarks", "备注"),
        ("reason", "更正原因"),
        ("rows", "行数"),
        ("filters", "筛选条件"),
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
    crate::with_actor!([AuditAdmin], |_actor, st| {
        service::trail(&st.db, page, &entity).await
    })
}

#[server(endpoint = "audit_verify")]
pub async fn verify_audit() -> Result<ChainStatus, AppError> {
    crate::with_actor!([AuditAdmin], |_actor, st| {
        service::chain_status(&st.db).await
    })
}

/// One published head as the 链头公示 page lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HeadRow {
    pub day: String,
    /// The last trail entry before the publication, and its seal.
    pub seq: i64,
    pub hash: String,
    pub at: i64,
}

/// Who may read and check the published heads.
pub const HEAD_READERS: &[crate::domain::Role] = &[
    crate::domain::Role::Admin,
    crate::domain::Role::Supervisor,
    crate::domain::Role::AuditAdmin,
];

#[server(endpoint = "published_heads")]
pub async fn load_published_heads() -> Result<Vec<HeadRow>, AppError> {
    crate::with_actor!(HEAD_READERS, |actor, st| {
        service::published_heads(&st.db, &actor).await
    })
}

/// Checks a head copied from a printed or exported 链头公示 against the chain.
#[server(endpoint = "check_published_head")]
pub async fn check_published_head(seq: String, hash: String) -> Result<ChainStatus, AppError> {
    crate::with_actor!(HEAD_READERS, |actor, st| {
        service::check_head(&st.db, &actor, &seq, &hash).await
    })
}
