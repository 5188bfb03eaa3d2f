//! 项目变更 (project changes): the owner unit records each design, quantity,
//! cost or schedule change of a filed project, with its approval. A change
//! is a draft until its approval document is uploaded and it is submitted;
//! then it moves the revised contract price and planned completion (the
//! project core sums them), and later edits are corrections with a reason.
// Server functions take one argument per form field.
#![allow(clippy::too_many_arguments)]
#[cfg(feature = "ssr")]
pub mod export;
mod pages;
#[cfg(feature = "ssr")]
pub mod rules;
#[cfg(feature = "ssr")]
pub mod service;

pub use pages::{ChangeNewPage, ChangePage, ChangesPage};

use crate::{
    domain::RecordStatus,
    error::AppError,
    kit::{records::RecordFile, table::Page},
};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

pub const NAV: &[crate::kit::layout::NavItem] = {
    use crate::kit::layout::{NavItem, READERS};
    &[NavItem::new(40, "/changes", "项目变更", READERS)]
};

/// What the record kit knows about changes.
#[cfg(feature = "ssr")]
pub const RECORD: crate::platform::records::RecordKind = crate::platform::records::RecordKind {
    entity: "change",
    table: "project_changes",
    page: "/changes",
    file_kinds: &crate::domain::records::CHANGE_FILE_KINDS,
    ..crate::platform::records::RecordKind::PLAIN
};

#[cfg(feature = "ssr")]
pub const TRAIL: crate::platform::trail::TrailSpec = {
    use crate::platform::trail::{Entity, ReadRule, TrailSpec};
    TrailSpec {
        entities: &[Entity::new(
            "change",
            "项目变更",
            ReadRule::ProjectRecord {
                table: "project_changes",
            },
        )],
        actions: &[],
        fields: &[
            ("change_kind", "变更类型"),
            ("title", "变更标题"),
            ("content", "变更内容"),
            ("cause", "变更原因"),
            ("responsibility", "责任方"),
            ("price_delta", "变更金额（元）"),
            ("days_delta", "工期变化（天）"),
            ("approver", "审批机关"),
            ("approver_level", "审批层级"),
            ("approval_no", "批准文号"),
            ("approved_on", "批准日期"),
        ],
    }
};

/// A change as lists show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct ChangeRow {
    pub id: i64,
    pub filing_id: i64,
    pub project: String,
    pub owner_name: String,
    pub kind: String,
    pub title: String,
    pub price_delta_fen: i64,
    pub days_delta: i64,
    pub approval_no: String,
    pub approved_on: String,
    #[cfg_attr(feature = "ssr", sqlx(try_from = "String"))]
    pub status: RecordStatus,
    /// Names of the open alerts about this change.
    #[cfg_attr(feature = "ssr", sqlx(skip))]
    pub flags: Vec<String>,
}

/// One change with what its page shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    pub id: i64,
    pub filing_id: i64,
    pub project: String,
    pub status: RecordStatus,
    pub kind: String,
    pub title: String,
    pub content: String,
    pub cause: String,
    pub responsibility: String,
    pub price_delta_fen: i64,
    pub days_delta: i64,
    pub approver: String,
    pub approver_level: String,
    pub approval_no: String,
    pub approved_on: String,
    pub void_reason: Option<String>,
    pub version: i64,
    /// 原合同价.
    pub contract_price_fen: i64,
    /// 累计变更（不含本次）: submitted changes approved before this one.
    pub prior_fen: i64,
    pub editable: bool,
    pub files: Vec<RecordFile>,
    pub flags: Vec<String>,
    pub figures: crate::domain::ProjectFigures,
}

impl Change {
    /// Cumulative change including this one, as a share of the original price.
    pub fn share_pct(&self) -> f64 {
        crate::domain::records::pct(
            self.prior_fen + self.price_delta_fen,
            self.contract_price_fen,
        )
    }
    pub fn has_approval(&self) -> bool {
        self.files.iter().any(|f| f.kind == "approval")
    }
}

#[server(endpoint = "changes/list")]
pub async fn list_changes(
    q: String,
    status: String,
    filing_id: i64,
    page: i64,
) -> Result<Page<ChangeRow>, AppError> {
    crate::with_actor!([Admin, Supervisor, Owner], |actor, st| {
        let filter = service::Filter::parse(&q, &status, filing_id);
        service::list(&st.db, &actor, &filter, page).await
    })
}

#[server(endpoint = "changes/get")]
pub async fn get_change(id: i64) -> Result<Change, AppError> {
    crate::with_actor!([Admin, Supervisor, Owner], |actor, st| service::get(
        &st.db, &actor, id
    )
    .await)
}

/// Creates a draft (`id` 0) or saves an existing change; a submitted one
/// only as a correction with a reason, against the version the form showed.
#[server(endpoint = "changes/save")]
pub async fn save_change(
    id: i64,
    filing_id: String,
    kind: String,
    title: String,
    content: String,
    cause: String,
    responsibility: String,
    price_delta: String,
    days_delta: String,
    approver: String,
    approver_level: String,
    approval_no: String,
    approved_on: String,
    #[server(default)] reason: String,
    #[server(default)] version: String,
) -> Result<(), AppError> {
    crate::with_actor!([Owner], |actor, st| {
        let form = service::ChangeForm {
            filing_id,
            kind,
            title,
            content,
            cause,
            responsibility,
            price_delta,
            days_delta,
            approver,
            approver_level,
            approval_no,
            approved_on,
        };
        let saved = service::save(&st.db, &actor, id, &form, &reason, &version).await?;
        crate::features::after_record_write(st).await;
        leptos_axum::redirect(&format!("/changes/{saved}?done=saved"));
        Ok(())
    })
}

#[cfg(feature = "ssr")]
impl crate::platform::records::Flagged for ChangeRow {
    fn record_id(&self) -> i64 {
        self.id
    }
    fn set_flags(&mut self, names: Vec<String>) {
        self.flags = names;
    }
}
