//! 督办 (supervision orders): a supervisor turns open alerts of one project
//! into a numbered order to its owner unit (the facts from the alerts, the
//! action required, a deadline by severity); the owner answers (反馈) or asks
//! for more time before the deadline; the supervisor closes the order (办结),
//! sends it back (退回, with a new deadline), decides on the extension, or
//! reminds (催办). An order past its deadline without an answer is overdue
//! (逾期). Every step is on the order's timeline and in the trail.
// Server functions take one argument per form field.
#![allow(clippy::too_many_arguments)]
#[cfg(feature = "ssr")]
pub mod export;
#[cfg(feature = "ssr")]
pub mod files;
mod pages;
#[cfg(feature = "ssr")]
pub mod service;

pub use pages::{OrderNewPage, OrderPage, OrdersPage};

use crate::{error::AppError, kit::table::Page};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// This feature's entries in the left navigation.
pub const NAV: &[crate::kit::layout::NavItem] = {
    use crate::kit::layout::{NavItem, READERS};
    &[NavItem::new(62, "/orders", "督办", READERS)]
};

/// The trail's vocabulary for orders.
#[cfg(feature = "ssr")]
pub const TRAIL: crate::platform::trail::TrailSpec = {
    use crate::platform::trail::{Entity, ReadRule, TrailSpec};
    TrailSpec {
        entities: &[Entity::new(
            "supervision_order",
            "督办单",
            ReadRule::ProjectRecord {
                table: "supervision_orders",
            },
        )],
        actions: &[
            ("issue", "下发督办"),
            ("answer", "反馈"),
            ("extension_ask", "申请延期"),
            ("extension_grant", "同意延期"),
            ("extension_refuse", "不同意延期"),
            ("return", "退回"),
            ("close", "办结"),
            ("remind", "催办"),
            ("attach", "上传附件"),
        ],
        fields: &[
            ("order_no", "督办编号"),
            ("status", "状态"),
            ("deadline", "办理期限"),
            ("body", "内容"),
        ],
    }
};

/// Where an order stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum OrderStatus {
    /// 待反馈: issued, waiting for the owner's answer.
    Issued,
    /// 已反馈: answered, waiting for the supervisor.
    Answered,
    /// 已退回: sent back for more work, waiting for a new answer.
    Returned,
    /// 已办结.
    Closed,
}

impl OrderStatus {
    pub const ALL: [Self; 4] = [Self::Issued, Self::Answered, Self::Returned, Self::Closed];

    pub fn code(self) -> &'static str {
        match self {
            Self::Issued => "issued",
            Self::Answered => "answered",
            Self::Returned => "returned",
            Self::Closed => "closed",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Issued => "待反馈",
            Self::Answered => "已反馈",
            Self::Returned => "已退回",
            Self::Closed => "已办结",
        }
    }

    /// Waiting for the owner unit (an answer is due).
    pub fn awaits_owner(self) -> bool {
        matches!(self, Self::Issued | Self::Returned)
    }
}

impl TryFrom<String> for OrderStatus {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|v| v.code() == s)
            .ok_or(format!("unknown order status {s}"))
    }
}

/// The list filter's choices: (value, label).
pub const STATES: [(&str, &str); 5] = [
    ("open", "未办结"),
    ("overdue", "逾期"),
    ("issued", "待反馈"),
    ("answered", "已反馈"),
    ("closed", "已办结"),
];

/// One order in a list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderRow {
    pub id: i64,
    pub order_no: String,
    /// The project's page: its filing, else the award (not yet filed).
    pub link: String,
    /// The project's file (一项目一档), once the award's filing is submitted.
    pub dossier: Option<i64>,
    pub project: String,
    pub owner: String,
    pub issuer: String,
    pub severity: String,
    pub status: OrderStatus,
    pub deadline: String,
    /// Past its deadline with no answer.
    pub overdue: bool,
    /// An extension asked for and not yet decided.
    pub extension_pending: bool,
    pub created_at: i64,
}

/// One step on an order's timeline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderEvent {
    pub at: i64,
    pub label: String,
    pub actor: String,
    pub unit: String,
    pub body: String,
    pub deadline: Option<String>,
}

/// An alert an order rests on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderAlert {
    pub id: i64,
    pub rule: String,
    pub severity: String,
    pub message: String,
    pub started_on: String,
    pub cleared_on: Option<String>,
}

/// A document of an order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderFile {
    pub id: i64,
    /// 督办材料 / 整改材料.
    pub label: String,
    pub name: String,
    /// Who uploaded it.
    pub by: String,
    pub at: i64,
}

/// An order with its alerts, its timeline, and what the viewer may do.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderDetail {
    pub row: OrderRow,
    pub facts: String,
    pub action: String,
    pub version: i64,
    pub extension_until: Option<String>,
    pub extension_reason: Option<String>,
    pub closed_on: Option<String>,
    pub alerts: Vec<OrderAlert>,
    pub events: Vec<OrderEvent>,
    pub files: Vec<OrderFile>,
    /// The viewer is a user of the owner unit.
    pub may_answer: bool,
    /// The viewer is a supervisor whose scope holds the project.
    pub may_supervise: bool,
    /// About an award with no filing yet: documents wait for the filing.
    pub unfiled: bool,
    /// Today (Beijing), for the forms' date limits.
    pub today: String,
}

/// What a new order starts from: the project's open alerts not yet in an
/// open order, and the default deadline per severity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderDraft {
    /// None while the award has no filing (the order may ask for it).
    pub filing_id: Option<i64>,
    pub award_id: i64,
    /// The project's page (its filing, else the award).
    pub link: String,
    pub project: String,
    pub owner: String,
    pub alerts: Vec<OrderAlert>,
    /// The deadline for the most serious of the alerts (a setting per severity).
    pub deadline: String,
    pub today: String,
}

/// A page of orders and the owner units to filter by.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderList {
    pub page: Page<OrderRow>,
    /// (id, name); empty for an owner, who sees one unit only.
    pub units: Vec<(String, String)>,
}

#[server(endpoint = "orders/list")]
pub async fn list_orders(
    #[server(default)] q: String,
    #[server(default)] state: String,
    #[server(default)] severity: String,
    #[server(default)] sector: String,
    #[server(default)] unit: String,
    #[server(default)] page: i64,
) -> Result<OrderList, AppError> {
    crate::with_actor!([Admin, Supervisor, Owner], |actor, st| {
        let f = service::OrderFilter::parse(&q, &state, &severity, &sector, &unit);
        Ok(OrderList {
            page: service::list(&st.db, &actor, &f, page).await?,
            units: crate::platform::project::unit_choices(&st.db, &actor).await?,
        })
    })
}

#[server(endpoint = "orders/get")]
pub async fn get_order(id: i64) -> Result<OrderDetail, AppError> {
    crate::with_actor!([Admin, Supervisor, Owner], |actor, st| {
        service::get(&st.db, &actor, id).await
    })
}

/// What an order is about: the project `filing_id`, else the award
/// `award_id` (not yet filed).
#[cfg(feature = "ssr")]
fn target(filing_id: i64, award_id: i64) -> crate::platform::rules::On {
    use crate::platform::rules::On;
    if filing_id > 0 {
        On::Filing(filing_id)
    } else {
        On::Award(award_id)
    }
}

#[server(endpoint = "orders/draft")]
pub async fn draft_order(
    #[server(default)] filing_id: i64,
    #[server(default)] award_id: i64,
) -> Result<OrderDraft, AppError> {
    crate::with_actor!([Supervisor], |actor, st| {
        let on = target(filing_id, award_id);
        service::draft(&st.db, &st.settings, &actor, on).await
    })
}

#[server(endpoint = "orders/issue")]
pub async fn issue_order(
    #[server(default)] filing_id: i64,
    #[server(default)] award_id: i64,
    #[server(default)] alerts: Vec<i64>,
    #[server(default)] action: String,
    #[server(default)] deadline: String,
) -> Result<(), AppError> {
    crate::with_actor!([Supervisor], |actor, st| {
        let on = target(filing_id, award_id);
        // Out of scope is refused before the form is read.
        crate::platform::project::read_award(&mut *st.db.pool.acquire().await?, &actor, on).await?;
        let input = service::IssueForm::parse(&alerts, &action, &deadline)?;
        let id = service::issue(&st.db, &st.settings, &actor, on, input).await?;
        leptos_axum::redirect(&format!("/orders/{id}?done=issued"));
        Ok(())
    })
}

/// Every step after issuing: `step` is answer, extension_ask,
/// extension_grant, extension_refuse, return, close or remind.
#[server(endpoint = "orders/step")]
pub async fn order_step(
    id: i64,
    step: String,
    #[server(default)] body: String,
    #[server(default)] deadline: String,
    #[server(default)] version: String,
) -> Result<(), AppError> {
    crate::with_actor!([Supervisor, Owner], |actor, st| {
        // Another unit's order is refused before the form is read.
        service::get(&st.db, &actor, id).await?;
        let input = service::Step::parse(&step, &body, &deadline, &version)?;
        service::step(&st.db, &actor, id, input).await?;
        leptos_axum::redirect(&format!("/orders/{id}?done={step}"));
        Ok(())
    })
}
