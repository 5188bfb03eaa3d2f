//! 统计分析: dashboards over the projects in the viewer's scope, drawn as SVG
//! on the server (`kit::chart`: they show before the wasm and print), each
//! chart with its figures as a table. Progress: projects by light, by sector
//! and by owner unit, the most delayed, the county's planned against actual
//! line. Payments: paid against the revised price per project and in total,
//! by kind and by month, and the projects paid ahead of progress or beyond
//! their price. Both read the county map's answer (one scope, one light).
//! Alerts and orders: open by rule and severity, per owner unit, and the
//! last twelve months raised, issued and closed. Attendance: the project
//! managers' and chief supervisors' on-duty rates by month, by sector, owner
//! unit and firm, who fell below the bar, and who has not checked in today.
mod pages;
#[cfg(feature = "ssr")]
pub mod service;

pub use pages::{
    AlertsDashboardPage, AttendanceDashboardPage, PaymentsDashboardPage, ProgressDashboardPage,
};

use crate::{domain::progress::Light, error::AppError};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

pub const NAV: &[crate::kit::layout::NavItem] = {
    use crate::kit::layout::{NavItem, READERS};
    &[NavItem::new(
        14,
        "/dashboards/progress",
        "统计分析",
        READERS,
    )]
};

/// Counts per light, in `Light::ALL` order.
pub type LightCounts = [i64; 5];

/// A group (sector or owner unit) and its projects by light.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LightGroup {
    pub name: String,
    /// A link to the map filtered to the group.
    pub href: String,
    pub counts: LightCounts,
}

/// One of the most delayed projects.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Delayed {
    pub filing_id: i64,
    pub name: String,
    pub owner: String,
    pub light: Light,
    /// Points behind the planned line at the latest report.
    pub behind: Option<f64>,
    /// Days past the revised completion, unfinished.
    pub days_late: Option<i64>,
    pub why: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProgressBoard {
    pub as_of: String,
    pub total: LightCounts,
    pub by_sector: Vec<LightGroup>,
    /// By the town in the site's address (未定位 for projects without one).
    pub by_town: Vec<LightGroup>,
    pub by_owner: Vec<LightGroup>,
    /// Most delayed first (overdue by days late, then by points behind).
    pub delayed: Vec<Delayed>,
    /// The last twelve months: the county's planned and reported percent,
    /// weighted by revised price over the projects under way in the month.
    pub months: Vec<String>,
    pub planned: Vec<Option<f64>>,
    pub actual: Vec<Option<f64>>,
}

/// One project's payments against its revised price.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PaidRow {
    pub filing_id: i64,
    pub name: String,
    pub owner: String,
    pub revised_fen: i64,
    pub paid_fen: i64,
    /// Latest reported percent complete.
    pub percent: Option<i64>,
    /// Paid beyond the revised price.
    pub over_price: bool,
    /// Paid ahead of the reported progress by more than the rule's points.
    pub ahead: bool,
}

impl PaidRow {
    pub fn paid_pct(&self) -> f64 {
        if self.revised_fen <= 0 {
            0.0
        } else {
            self.paid_fen as f64 * 100.0 / self.revised_fen as f64
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PaymentsBoard {
    pub as_of: String,
    pub revised_fen: i64,
    pub paid_fen: i64,
    /// (kind code, fen) in the order of `PAYMENT_KINDS`.
    pub by_kind: Vec<(String, i64)>,
    /// The last twelve months: (`YYYY-MM`, fen paid).
    pub by_month: Vec<(String, i64)>,
    /// Every project, highest paid share first.
    pub projects: Vec<PaidRow>,
    /// The points of progress payments may run ahead (the rule's setting).
    pub ahead_pts: f64,
}

#[server(endpoint = "dashboards/progress")]
pub async fn load_progress_board() -> Result<ProgressBoard, AppError> {
    crate::with_actor!([Admin, Supervisor, Owner], |actor, st| {
        service::progress(&st.db, &actor, &st.settings, crate::platform::time::today()).await
    })
}

#[server(endpoint = "dashboards/payments")]
pub async fn load_payments_board() -> Result<PaymentsBoard, AppError> {
    crate::with_actor!([Admin, Supervisor, Owner], |actor, st| {
        service::payments(&st.db, &actor, &st.settings, crate::platform::time::today()).await
    })
}

/// Open alerts of one rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuleCount {
    pub code: String,
    pub name: String,
    /// By severity: 提示, 一般, 严重.
    pub open: [i64; 3],
}

/// One owner unit's alerts and orders.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnitAlerts {
    pub unit_id: i64,
    pub unit: String,
    pub alerts_open: i64,
    pub orders_open: i64,
    pub orders_overdue: i64,
    pub orders_closed: i64,
    /// Mean days from issue to close of its closed orders.
    pub close_days: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlertsBoard {
    pub as_of: String,
    pub alerts_open: i64,
    pub alerts_serious: i64,
    pub orders_open: i64,
    pub orders_overdue: i64,
    pub orders_closed: i64,
    pub close_days: Option<f64>,
    /// Most open first.
    pub by_rule: Vec<RuleCount>,
    /// Most open orders and alerts first.
    pub by_unit: Vec<UnitAlerts>,
    /// The last twelve months: (`YYYY-MM`, alerts raised, orders issued, orders closed).
    pub by_month: Vec<(String, i64, i64, i64)>,
}

#[server(endpoint = "dashboards/alerts")]
pub async fn load_alerts_board() -> Result<AlertsBoard, AppError> {
    crate::with_actor!([Admin, Supervisor, Owner], |actor, st| {
        service::alerts(&st.db, &actor, crate::platform::time::today()).await
    })
}

/// Days lead key personnel owed (required workdays on the roster while the
/// works ran) and those with a counted check-in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Duty {
    pub required: i64,
    pub counted: i64,
}

impl Duty {
    /// Percent on duty, if any day was owed.
    pub fn rate(&self) -> Option<f64> {
        (self.required > 0).then(|| self.counted as f64 * 100.0 / self.required as f64)
    }

    pub fn add(&mut self, other: Duty) {
        self.required += other.required;
        self.counted += other.counted;
    }
}

/// A group's project managers (项目经理) and chief supervisors (总监).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DutyGroup {
    pub name: String,
    pub href: Option<String>,
    pub pm: Duty,
    pub chief: Duty,
    /// People owing days, and those of them below the bar.
    pub people: i64,
    pub below: i64,
}

impl DutyGroup {
    pub fn all(&self) -> Duty {
        let mut d = self.pm;
        d.add(self.chief);
        d
    }
}

/// One lead member's month (or today's absence).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DutyPerson {
    pub filing_id: i64,
    pub project: String,
    /// Roster role code (`pm` or `chief_supervisor`).
    pub role: String,
    pub name: String,
    /// The member's firm (contractor for a 项目经理, supervision unit for a 总监).
    pub firm: String,
    pub duty: Duty,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttendanceBoard {
    pub as_of: String,
    /// The month the groups are for, and the months one may choose.
    pub month: String,
    pub months: Vec<String>,
    /// The month is the current one, counted up to yesterday.
    pub partial: bool,
    /// The 关键人员考勤率不足 rule's bar (percent).
    pub limit_pct: f64,
    /// The last twelve months: (`YYYY-MM`, 项目经理, 总监).
    pub by_month: Vec<(String, Duty, Duty)>,
    pub total: DutyGroup,
    pub by_sector: Vec<DutyGroup>,
    pub by_owner: Vec<DutyGroup>,
    /// By firm: contractors (their 项目经理) and supervision units (their 总监).
    pub by_firm: Vec<DutyGroup>,
    /// Below the bar in the month, lowest first.
    pub below: Vec<DutyPerson>,
    /// Today (a required day on their projects): owed and checked in.
    pub today: Duty,
    /// Owed today without a counted check-in yet (`duty` is today's 1/0).
    pub missing: Vec<DutyPerson>,
}

#[server(endpoint = "dashboards/attendance")]
pub async fn load_attendance_board(month: Option<String>) -> Result<AttendanceBoard, AppError> {
    crate::with_actor!([Admin, Supervisor, Owner], |actor, st| {
        let month = match month.as_deref().filter(|m| !m.is_empty()) {
            None => None,
            Some(m) => Some(
                crate::domain::progress::Month::parse(m)
                    .ok_or_else(|| AppError::field("month", "月份格式应为 YYYY-MM"))?,
            ),
        };
        service::attendance::attendance(
            &st.db,
            &actor,
            &st.settings,
            crate::platform::time::today(),
            month,
        )
        .await
    })
}
