//! 合规统计与通报: for a chosen period (a month, a quarter or a year), each
//! owner unit's use of the system: awards and filings (filed within the
//! filing period, late, missing), back-entries, monthly progress reported
//! on time, payments recorded, key personnel attendance on its projects,
//! evaluations done, supervision orders open and overdue; a score and a
//! ranking; the table in Excel; and the printable notice (通报) a resource
//! office sends out, naming the units below the bar on each count.
#[cfg(feature = "ssr")]
pub mod export;
mod pages;
#[cfg(feature = "ssr")]
pub mod service;

pub use pages::{CompliancePage, NoticePage};

use crate::error::AppError;
use chrono::{Datelike, NaiveDate};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

pub const NAV: &[crate::kit::layout::NavItem] = {
    use crate::domain::Role::*;
    use crate::kit::layout::NavItem;
    &[NavItem::new(
        16,
        "/compliance",
        "合规通报",
        &[Admin, Supervisor],
    )]
};

/// A statistics period: a month `2026-11`, a quarter `2026Q3` or a year
/// `2026`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatPeriod {
    pub code: String,
    pub label: String,
    pub from: String,
    pub to: String,
}

impl StatPeriod {
    pub fn parse(code: &str) -> Option<Self> {
        use crate::domain::{evaluation::Period, progress::Month};
        let code = code.trim();
        let (from, to, label) = if code.len() == 4 {
            let y: i32 = code.parse().ok()?;
            (
                NaiveDate::from_ymd_opt(y, 1, 1)?,
                NaiveDate::from_ymd_opt(y, 12, 31)?,
                format!("{y} 年"),
            )
        } else if code.contains('Q') {
            let p = Period::parse(code)?;
            let (from, to) = p.days()?;
            (from, to, p.label())
        } else if code.len() == 7 {
            let m = Month::parse(code)?;
            (
                m.first(),
                m.last(),
                format!("{} 年 {} 月", m.first().year(), m.first().month()),
            )
        } else {
            return None;
        };
        Some(Self {
            code: code.to_string(),
            label,
            from: from.to_string(),
            to: to.to_string(),
        })
    }

    /// The last complete month before `today`.
    pub fn last_month(today: NaiveDate) -> Self {
        let m = crate::domain::progress::Month::of(today).prev();
        Self::parse(&m.to_string()).expect("a month parses")
    }

    /// The periods offered: the last twelve months, the last four quarters
    /// and the last two years, latest first.
    pub fn choices(today: NaiveDate) -> Vec<(String, String)> {
        use crate::domain::{evaluation::Period, progress::Month};
        let mut out = Vec::new();
        let mut m = Month::of(today);
        for _ in 0..12 {
            out.push(m.to_string());
            m = m.prev();
        }
        let mut day = today;
        for _ in 0..4 {
            let q = Period::of(day);
            out.push(q.code());
            day = q
                .days()
                .and_then(|(first, _)| first.pred_opt())
                .unwrap_or(day);
        }
        out.push(today.year().to_string());
        out.push((today.year() - 1).to_string());
        out.into_iter()
            .filter_map(|c| Self::parse(&c).map(|p| (p.code, p.label)))
            .collect()
    }
}

/// One owner unit's figures for the period.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct UnitStats {
    pub unit_id: i64,
    pub unit: String,
    /// Awards dated in the period, and how their filings went.
    pub awards: i64,
    pub filed_on_time: i64,
    pub filed_late: i64,
    /// Past the filing period without a submitted filing.
    pub unfiled: i64,
    /// Filings submitted in the period as back-entries (补录).
    pub back_entries: i64,
    /// Monthly reports owed for months in the period (due by today), and
    /// those in by their due day.
    pub reports_due: i64,
    pub reports_on_time: i64,
    pub payments: i64,
    pub paid_fen: i64,
    /// Lead key personnel (项目经理, 总监) over the period: days owed and
    /// days with a counted check-in.
    pub att_required: i64,
    pub att_counted: i64,
    /// Evaluations of periods ending in the period, submitted.
    pub evaluations: i64,
    /// Supervision orders open now, and open past their deadline.
    pub orders_open: i64,
    pub orders_overdue: i64,
    pub score: f64,
    pub rank: i64,
}

impl UnitStats {
    pub fn filing_pct(&self) -> Option<f64> {
        let owed = self.filed_on_time + self.filed_late + self.unfiled;
        (owed > 0).then(|| self.filed_on_time as f64 * 100.0 / owed as f64)
    }
    pub fn reports_pct(&self) -> Option<f64> {
        (self.reports_due > 0)
            .then(|| self.reports_on_time as f64 * 100.0 / self.reports_due as f64)
    }
    pub fn attendance_pct(&self) -> Option<f64> {
        (self.att_required > 0).then(|| self.att_counted as f64 * 100.0 / self.att_required as f64)
    }
}

/// One count on which units fell below the bar, and those units.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Below {
    pub what: String,
    pub units: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Compliance {
    pub period: StatPeriod,
    /// Ranked, best first.
    pub rows: Vec<UnitStats>,
    pub below: Vec<Below>,
    /// Who issues the notice (the viewer's unit) and on which day.
    pub issuer: String,
    pub today: String,
    pub choices: Vec<(String, String)>,
}

#[server(endpoint = "compliance")]
pub async fn load_compliance(period: String) -> Result<Compliance, AppError> {
    crate::with_actor!([Admin, Supervisor], |actor, st| {
        let today = crate::platform::time::today();
        let p = if period.is_empty() {
            StatPeriod::last_month(today)
        } else {
            StatPeriod::parse(&period).ok_or_else(|| {
                AppError::field(
                    "period",
                    "统计期间应为月份（2026-11）、季度（2026Q3）或年份（2026）",
                )
            })?
        };
        service::compliance(&st.db, &actor, &st.settings, &p, today).await
    })
}
