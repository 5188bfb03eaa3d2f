//! 资金拨付 (fund disbursements): the owner unit records each payment made
//! to the contractor, with its voucher. Payments are what happened: they are
//! recorded even when they break a rule, and the rules flag them. A payment
//! is a draft until its voucher is uploaded and it is submitted.
// Server functions take one argument per form field.
#![allow(clippy::too_many_arguments)]
#[cfg(feature = "ssr")]
pub mod export;
mod pages;
#[cfg(feature = "ssr")]
pub mod paid;
#[cfg(feature = "ssr")]
pub mod rules;
#[cfg(feature = "ssr")]
pub mod service;

pub use pages::{PaymentNewPage, PaymentPage, PaymentsPage};

use crate::{
    domain::RecordStatus,
    error::AppError,
    kit::{records::RecordFile, table::Page},
};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

pub const NAV: &[crate::kit::layout::NavItem] = {
    use crate::kit::layout::{NavItem, READERS};
    &[NavItem::new(45, "/payments", "资金拨付", READERS)]
};

#[cfg(feature = "ssr")]
pub const RECORD: crate::platform::records::RecordKind = crate::platform::records::RecordKind {
    entity: "payment",
    table: "payments",
    page: "/payments",
    file_kinds: &crate::domain::records::PAYMENT_FILE_KINDS,
    ..crate::platform::records::RecordKind::PLAIN
};

#[cfg(feature = "ssr")]
pub const TRAIL: crate::platform::trail::TrailSpec = {
    use crate::platform::trail::{Entity, ReadRule, TrailSpec};
    TrailSpec {
        entities: &[Entity::new(
            "payment",
            "资金拨付",
            ReadRule::ProjectRecord { table: "payments" },
        )],
        actions: &[],
        fields: &[
            ("payment_kind", "拨付类型"),
            ("paid_on", "拨付日期"),
            ("amount", "金额（元）"),
            ("payee", "收款单位"),
            ("voucher_no", "凭证号"),
            ("period", "计量周期"),
            ("work_value", "已完成工程价款（元）"),
            ("labour", "其中人工费（元）"),
            ("settlement", "结算审定价（元）"),
        ],
    }
};

/// A payment as lists show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct PaymentRow {
    pub id: i64,
    pub filing_id: i64,
    pub project: String,
    pub owner_name: String,
    pub kind: String,
    pub paid_on: String,
    pub amount_fen: i64,
    pub payee: String,
    pub voucher_no: String,
    pub labour_fen: i64,
    #[cfg_attr(feature = "ssr", sqlx(try_from = "String"))]
    pub status: RecordStatus,
    #[cfg_attr(feature = "ssr", sqlx(skip))]
    pub flags: Vec<String>,
}

/// One payment with what its page shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Payment {
    pub id: i64,
    pub filing_id: i64,
    pub project: String,
    pub contractor_name: String,
    pub status: RecordStatus,
    pub kind: String,
    pub paid_on: String,
    pub amount_fen: i64,
    pub payee: String,
    pub voucher_no: String,
    pub period_from: Option<String>,
    pub period_to: Option<String>,
    pub work_value_fen: Option<i64>,
    pub labour_fen: i64,
    pub settlement_fen: Option<i64>,
    pub remarks: Option<String>,
    pub void_reason: Option<String>,
    pub version: i64,
    /// Paid before this one (submitted payments, in date order).
    pub prior_fen: i64,
    pub editable: bool,
    pub files: Vec<RecordFile>,
    pub flags: Vec<String>,
    pub figures: crate::domain::ProjectFigures,
}

impl Payment {
    pub fn has_voucher(&self) -> bool {
        self.files.iter().any(|f| f.kind == "voucher")
    }
}

/// One submitted payment on a project's timeline, with the running total.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimelinePoint {
    pub id: i64,
    pub paid_on: String,
    pub kind: String,
    pub amount_fen: i64,
    pub cumulative_fen: i64,
    /// Cumulative as a share of the revised contract price (percent).
    pub cumulative_pct: f64,
}

/// A new payment's defaults for a project: the payee is its contractor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PaymentDefaults {
    pub payee: String,
}

#[server(endpoint = "payments/list")]
pub async fn list_payments(
    q: String,
    status: String,
    filing_id: i64,
    page: i64,
) -> Result<Page<PaymentRow>, AppError> {
    crate::with_actor!([Admin, Supervisor, Owner], |actor, st| {
        let filter = crate::platform::records::ListFilter::parse(&q, &status, filing_id);
        service::list(&st.db, &actor, &filter, page).await
    })
}

#[server(endpoint = "payments/get")]
pub async fn get_payment(id: i64) -> Result<Payment, AppError> {
    crate::with_actor!([Admin, Supervisor, Owner], |actor, st| service::get(
        &st.db, &actor, id
    )
    .await)
}

/// The project's submitted payments in date order, with running totals.
#[server(endpoint = "payments/timeline")]
pub async fn payment_timeline(filing_id: i64) -> Result<Vec<TimelinePoint>, AppError> {
    crate::with_actor!([Admin, Supervisor, Owner], |actor, st| service::timeline(
        &st.db, &actor, filing_id
    )
    .await)
}

#[server(endpoint = "payments/defaults")]
pub async fn new_payment_defaults(filing_id: i64) -> Result<PaymentDefaults, AppError> {
    crate::with_actor!([Owner], |actor, st| service::defaults(
        &st.db, &actor, filing_id
    )
    .await)
}

#[server(endpoint = "payments/save")]
pub async fn save_payment(
    id: i64,
    filing_id: String,
    kind: String,
    paid_on: String,
    amount: String,
    payee: String,
    voucher_no: String,
    period_from: String,
    period_to: String,
    work_value: String,
    labour: String,
    settlement: String,
    remarks: String,
    #[server(default)] reason: String,
    #[server(default)] version: String,
) -> Result<(), AppError> {
    crate::with_actor!([Owner], |actor, st| {
        let form = service::PaymentForm {
            filing_id,
            kind,
            paid_on,
            amount,
            payee,
            voucher_no,
            period_from,
            period_to,
            work_value,
            labour,
            settlement,
            remarks,
        };
        let saved = service::save(&st.db, &actor, id, &form, &reason, &version).await?;
        crate::features::after_record_write(st).await;
        leptos_axum::redirect(&format!("/payments/{saved}?done=saved"));
        Ok(())
    })
}

#[cfg(feature = "ssr")]
impl crate::platform::records::Flagged for PaymentRow {
    fn record_id(&self) -> i64 {
        self.id
    }
    fn set_flags(&mut self, names: Vec<String>) {
        self.flags = names;
    }
}
