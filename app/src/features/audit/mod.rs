//! The audit trail as people see it: a record's history, the administrator's
//! trail list and the chain check.
mod pages;
#[cfg(feature = "ssr")]
pub mod service;

pub use pages::AuditPage;

use crate::{error::AppError, kit::table::Page};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

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
    use crate::platform::{actor, state};
    actor::respond(async move {
        let actor = actor::require_role(&crate::domain::Role::ALL).await?;
        service::record_history(&state()?.db, &actor, &entity, &id).await
    })
    .await
}

#[server(endpoint = "audit_trail")]
pub async fn audit_trail(page: i64, entity: String) -> Result<Page<TrailRow>, AppError> {
    use crate::{
        domain::Role,
        platform::{actor, state},
    };
    actor::respond(async move {
        actor::require_role(&[Role::Admin]).await?;
        service::trail(&state()?.db, page, &entity).await
    })
    .await
}

#[server(endpoint = "audit_verify")]
pub async fn verify_audit() -> Result<ChainStatus, AppError> {
    use crate::{
        domain::Role,
        platform::{actor, state},
    };
    actor::respond(async move {
        actor::require_role(&[Role::Admin]).await?;
        service::chain_status(&state()?.db).await
    })
    .await
}
