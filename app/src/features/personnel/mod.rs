//! 人员变更 (key personnel changes): the owner unit records that a roster
//! member was replaced: who leaves, who arrives (with a check-in login), why,
//! from which day, the owner's consent and the penalties. Submitting it
//! dates the roster: the person leaving is off it from the effective day
//! (no more check-ins there, nothing owed), the successor owes attendance
//! from that day. A submitted change is corrected, never voided.
// Server functions take one argument per form field.
#![allow(clippy::too_many_arguments)]
#[cfg(feature = "ssr")]
pub mod export;
mod pages;
#[cfg(feature = "ssr")]
pub mod rules;
#[cfg(feature = "ssr")]
pub mod service;

pub use pages::{PersonnelChangePage, PersonnelNewPage, PersonnelPage};

use crate::{
    domain::RecordStatus,
    error::AppError,
    kit::{records::RecordFile, table::Page},
};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

pub const NAV: &[crate::kit::layout::NavItem] = {
    use crate::kit::layout::{NavItem, READERS};
    &[NavItem::new(41, "/personnel", "人员变更", READERS)]
};

#[cfg(feature = "ssr")]
pub const RECORD: crate::platform::records::RecordKind = crate::platform::records::RecordKind {
    entity: "personnel_change",
    table: "personnel_changes",
    page: "/personnel",
    file_kinds: &crate::domain::records::PERSONNEL_FILE_KINDS,
    on_submit: Some(service::apply),
    void_submitted: false,
    ..crate::platform::records::RecordKind::PLAIN
};

#[cfg(feature = "ssr")]
pub const TRAIL: crate::platform::trail::TrailSpec = {
    use crate::platform::trail::{Entity, ReadRule, TrailSpec};
    TrailSpec {
        entities: &[Entity::new(
            "personnel_change",
            "人员变更",
            ReadRule::ProjectRecord {
                table: "personnel_changes",
            },
        )],
        actions: &[],
        fields: &[
            ("leaving", "原人员"),
            ("successor", "接替人员"),
            ("replace_reason", "变更原因"),
            ("effective_on", "生效日期"),
            ("penalties", "处罚措施"),
        ],
    }
};

/// A personnel change as lists show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct ChangeRow {
    pub id: i64,
    pub filing_id: i64,
    pub project: String,
    pub owner_name: String,
    pub role: String,
    pub leaving: String,
    pub new_name: String,
    pub reason: String,
    pub effective_on: String,
    pub fine_fen: i64,
    pub credit_points: i64,
    /// 约谈 and 通报批评 (0/1).
    pub interview: i64,
    pub censure: i64,
    #[cfg_attr(feature = "ssr", sqlx(try_from = "String"))]
    pub status: RecordStatus,
    #[cfg_attr(feature = "ssr", sqlx(skip))]
    pub flags: Vec<String>,
}

impl ChangeRow {
    pub fn penalties(&self) -> String {
        penalties_text(
            self.fine_fen,
            self.credit_points,
            self.interview == 1,
            self.censure == 1,
            None,
        )
    }
}

/// One personnel change with what its page shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PersonnelChange {
    pub id: i64,
    pub filing_id: i64,
    pub project: String,
    pub status: RecordStatus,
    pub member_id: i64,
    pub role: String,
    /// The person leaving: name, masked ID, since when on the roster.
    pub leaving: String,
    pub leaving_since: String,
    pub new_name: String,
    pub new_id_number: String,
    pub new_mobile: String,
    pub new_cert_no: String,
    pub reason: String,
    pub reason_text: Option<String>,
    pub effective_on: String,
    pub fine_fen: i64,
    pub credit_points: i64,
    pub interview: bool,
    pub censure: bool,
    pub penalty_other: Option<String>,
    pub void_reason: Option<String>,
    pub submitted_at: Option<i64>,
    pub version: i64,
    pub editable: bool,
    pub files: Vec<RecordFile>,
    pub flags: Vec<String>,
}

impl PersonnelChange {
    pub fn has_consent(&self) -> bool {
        self.files.iter().any(|f| f.kind == "consent")
    }
    /// The penalties in words (约谈、通报批评、罚款 5,000.00 元 …).
    pub fn penalties(&self) -> String {
        penalties_text(
            self.fine_fen,
            self.credit_points,
            self.interview,
            self.censure,
            self.penalty_other.as_deref(),
        )
    }
}

pub fn penalties_text(
    fine_fen: i64,
    points: i64,
    interview: bool,
    censure: bool,
    other: Option<&str>,
) -> String {
    let mut v = Vec::new();
    if fine_fen > 0 {
        v.push(format!("罚款 {} 元", crate::domain::Fen(fine_fen).yuan()));
    }
    if points > 0 {
        v.push(format!("信用扣 {points} 分"));
    }
    if interview {
        v.push("约谈".to_string());
    }
    if censure {
        v.push("通报批评".to_string());
    }
    if let Some(o) = other {
        v.push(o.to_string());
    }
    if v.is_empty() {
        "无".into()
    } else {
        v.join("；")
    }
}

/// A roster member as the replacement form offers them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MemberChoice {
    pub id: i64,
    pub label: String,
}

/// Who was on a project's roster on a day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RosterDay {
    pub filing_id: i64,
    pub project: String,
    pub day: String,
    pub members: Vec<RosterEntry>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RosterEntry {
    pub role: String,
    pub name: String,
    pub joined_on: String,
    pub left_on: Option<String>,
}

#[server(endpoint = "personnel/list")]
pub async fn list_changes(
    q: String,
    status: String,
    filing_id: i64,
    page: i64,
) -> Result<Page<ChangeRow>, AppError> {
    crate::with_actor!([Admin, Supervisor, Owner], |actor, st| {
        let filter = crate::platform::records::ListFilter::parse(&q, &status, filing_id);
        service::list(&st.db, &actor, &filter, page).await
    })
}

#[server(endpoint = "personnel/get")]
pub async fn get_change(id: i64) -> Result<PersonnelChange, AppError> {
    crate::with_actor!([Admin, Supervisor, Owner], |actor, st| service::get(
        &st.db, &actor, id
    )
    .await)
}

/// The current roster of a project the owner may write, for the form.
#[server(endpoint = "personnel/members")]
pub async fn replaceable_members(filing_id: i64) -> Result<Vec<MemberChoice>, AppError> {
    crate::with_actor!([Owner], |actor, st| service::members(
        &st.db, &actor, filing_id
    )
    .await)
}

/// Who was on the project's roster on `day` (YYYY-MM-DD).
#[server(endpoint = "personnel/roster_on")]
pub async fn roster_on(filing_id: i64, day: String) -> Result<RosterDay, AppError> {
    crate::with_actor!([Admin, Supervisor, Owner], |actor, st| service::roster_on(
        &st.db, &actor, filing_id, &day
    )
    .await)
}

#[server(endpoint = "personnel/save")]
pub async fn save_change(
    id: i64,
    filing_id: String,
    member_id: String,
    new_name: String,
    new_id_number: String,
    new_mobile: String,
    new_cert_no: String,
    reason: String,
    reason_text: String,
    effective_on: String,
    fine: String,
    credit_points: String,
    #[server(default)] interview: Option<String>,
    #[server(default)] censure: Option<String>,
    penalty_other: String,
    #[server(default)] correction: String,
    #[server(default)] version: String,
) -> Result<(), AppError> {
    crate::with_actor!([Owner], |actor, st| {
        let form = service::ChangeForm {
            filing_id,
            member_id,
            new_name,
            new_id_number,
            new_mobile,
            new_cert_no,
            reason,
            reason_text,
            effective_on,
            fine,
            credit_points,
            interview: interview.is_some(),
            censure: censure.is_some(),
            penalty_other,
        };
        let saved = service::save(&st.db, &actor, id, &form, &correction, &version).await?;
        crate::features::after_record_write(st).await;
        leptos_axum::redirect(&format!("/personnel/{saved}?done=saved"));
        Ok(())
    })
}

/// Submits a change: the roster changes from its effective day. Returns the
/// successor's login (and first password, shown this once).
#[server(endpoint = "personnel/submit")]
pub async fn submit_change(id: i64) -> Result<String, AppError> {
    crate::with_actor!([Owner], |actor, st| {
        let message = crate::platform::records::submit(&st.db, &actor, &RECORD, id).await?;
        crate::features::after_record_write(st).await;
        Ok(message.unwrap_or_default())
    })
}
