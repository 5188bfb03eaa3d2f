//! The progress rules (one file each) and what they read: every filed
//! construction project's plan, as of the day (the planned completion moved
//! by the schedule changes approved by then), and its submitted months, in
//! three statements.
pub mod completion_overdue;
pub mod paid_ahead;
pub mod progress_behind;
pub mod progress_missing;
pub mod stopped_long;

use crate::{
    domain::progress::{Light, Month, ProgressState, planned_pct},
    error::AppError,
    platform::{
        db::Db,
        derived::Served,
        project::{ScopeBinds, scope_sql},
    },
};
use chrono::NaiveDate;
use sqlx::Row;
use std::{collections::HashMap, sync::Arc};

pub const RULES: &[&dyn crate::platform::rules::Rule] = &[
    &progress_missing::ProgressMissing,
    &progress_behind::BEHIND,
    &progress_behind::FAR_BEHIND,
    &completion_overdue::CompletionOverdue,
    &stopped_long::StoppedLong,
    &paid_ahead::PaidAhead,
];

/// A month's update as the rules see it (submitted by the day).
#[derive(Debug, Clone, PartialEq)]
pub struct Reported {
    pub month: Month,
    pub percent: i64,
    pub state: ProgressState,
    /// When it was first submitted (UTC ms): on time or late.
    pub submitted_at: i64,
}

/// One filed project's plan and reports as of the day.
#[derive(Debug, Clone, PartialEq)]
pub struct Works {
    pub filing_id: i64,
    pub signed_on: Option<NaiveDate>,
    pub actual_start: Option<NaiveDate>,
    pub planned_start: Option<NaiveDate>,
    /// Planned completion moved by the schedule changes approved by the day.
    pub revised_completion: Option<NaiveDate>,
    /// The contract price plus the changes approved by the day (fen).
    pub revised_fen: i64,
    /// In month order.
    pub months: Vec<Reported>,
    /// Has a progress record (its site): the owner reports here.
    pub has_record: bool,
}

impl Works {
    pub fn latest(&self) -> Option<&Reported> {
        self.months.last()
    }
    /// Reported 已完工 (in the latest month, or any month before it).
    pub fn completed(&self) -> bool {
        self.months
            .iter()
            .any(|m| m.state == ProgressState::Completed)
    }
    /// The month first reported 已完工, if any.
    pub fn completed_month(&self) -> Option<Month> {
        self.months
            .iter()
            .find(|m| m.state == ProgressState::Completed)
            .map(|m| m.month)
    }
    /// The last day of the month first reported 已完工: the works' end.
    pub fn completed_on(&self) -> Option<NaiveDate> {
        self.completed_month().map(Month::last)
    }
    /// Is the project asked for progress? Every project that reports (has a
    /// record or a month), and every project still due to finish when the
    /// system went live; works finished before then are not asked for a
    /// history nobody kept here.
    pub fn supervised(&self, go_live: NaiveDate) -> bool {
        self.has_record
            || !self.months.is_empty()
            || self.revised_completion.is_some_and(|d| d >= go_live)
    }
    /// 序时进度 on `day`.
    pub fn planned_on(&self, day: NaiveDate) -> Option<f64> {
        Some(planned_pct(
            self.planned_start?,
            self.revised_completion?,
            day,
        ))
    }
}

impl Works {
    /// The project's light as of `as_of`, with why (the figures a supervisor
    /// acts on): the same lines the 亮灯 rules use, read at the latest
    /// reported month's end; past the revised completion unfinished is red.
    pub fn light(&self, as_of: NaiveDate, yellow: f64, red: f64) -> (Light, String) {
        if self.completed() {
            return (Light::Completed, "已报送完工".into());
        }
        if let Some(done) = self.revised_completion.filter(|d| *d < as_of) {
            let late = (as_of - done).num_days();
            return (
                Light::Red,
                format!("已超过竣工日期 {done} {late} 天仍未完工"),
            );
        }
        let Some(last) = self.latest() else {
            return (Light::NotStarted, "尚未报送月度进度".into());
        };
        if last.state == ProgressState::NotStarted {
            return (Light::NotStarted, format!("{} 报送未开工", last.month));
        }
        let stopped = if last.state == ProgressState::Stopped {
            "，停工中"
        } else {
            ""
        };
        let Some(planned) = self.planned_on(last.month.last()) else {
            return (
                Light::OnSchedule,
                format!("{} 累计完成 {}%{stopped}", last.month, last.percent),
            );
        };
        let gap = planned - last.percent as f64;
        let light = if gap > red {
            Light::Red
        } else if gap > yellow {
            Light::Yellow
        } else {
            Light::OnSchedule
        };
        let why = if gap > yellow {
            format!(
                "{} 累计完成 {}%，落后序时进度 {gap:.0} 个百分点{stopped}",
                last.month, last.percent
            )
        } else {
            format!(
                "{} 累计完成 {}%，序时进度 {planned:.0}%{stopped}",
                last.month, last.percent
            )
        };
        (light, why)
    }
}

fn iso(s: Option<String>) -> Option<NaiveDate> {
    s.and_then(|s| NaiveDate::parse_from_str(&s, "%Y-%m-%d").ok())
}

impl crate::platform::derived::PerProject for Works {
    /// The filing (its plan and price), its award (section kind), its site
    /// record, its months and its changes.
    const ENTITIES: &'static [&'static str] =
        &["filing", "award", "progress", "progress_month", "change"];
    async fn read(db: &Db, as_of: NaiveDate, filing_id: i64) -> Result<Vec<(i64, Self)>, AppError> {
        Ok(read(db, as_of, filing_id)
            .await?
            .into_iter()
            .map(|w| (w.filing_id, w))
            .collect())
    }
}

/// The works of the projects `keep` selects, from the process's snapshot
/// (`platform::derived`): a province's are read once a day, then only the
/// projects written since.
pub async fn works_kept(
    db: &Db,
    as_of: NaiveDate,
    keep: impl Fn(i64) -> bool,
) -> Result<(Vec<Arc<Works>>, Served), AppError> {
    let (works, served) = crate::features::kept(db, as_of, |id, _: &Works| keep(id)).await?;
    Ok((works.into_iter().map(|(_, w)| w).collect(), served))
}

/// Every filed construction project with its months, as of `as_of`.
pub async fn works(db: &Db, as_of: NaiveDate) -> Result<Vec<Arc<Works>>, AppError> {
    Ok(works_kept(db, as_of, |_| true).await?.0)
}

/// [`works`] read afresh from the database, bypassing the snapshot (what
/// the snapshot must always equal).
pub async fn works_recomputed(db: &Db, as_of: NaiveDate) -> Result<Vec<Works>, AppError> {
    read(db, as_of, 0).await
}

/// [`works`] of one project (`filing_id`), read afresh.
pub async fn works_of(db: &Db, as_of: NaiveDate, filing_id: i64) -> Result<Vec<Works>, AppError> {
    read(db, as_of, filing_id).await
}

/// When one construction project's works ended (read afresh), if they did.
pub async fn completed_on(
    db: &Db,
    as_of: NaiveDate,
    filing_id: i64,
) -> Result<Option<NaiveDate>, AppError> {
    Ok(read(db, as_of, filing_id)
        .await?
        .first()
        .and_then(Works::completed_on))
}

/// [`works`] of the projects in a scope (an owner's map shows its own, not
/// the province's): the scope's filings by one statement.
pub async fn works_in(
    db: &Db,
    as_of: NaiveDate,
    scope: &ScopeBinds,
) -> Result<Vec<Arc<Works>>, AppError> {
    if scope.mode == "all" {
        return works(db, as_of).await;
    }
    let ids: std::collections::HashSet<i64> = sqlx::query_scalar(&format!(
        "SELECT f.id FROM filings f JOIN awards a ON a.id = f.award_id WHERE {}",
        scope_sql(1)
    ))
    .bind(scope.mode)
    .bind(scope.unit)
    .bind(&scope.sector)
    .fetch_all(&db.pool)
    .await?
    .into_iter()
    .collect();
    Ok(works_kept(db, as_of, |id| ids.contains(&id)).await?.0)
}

/// When works ended, as of a day: the one reading of 完工 that evaluations,
/// attendance and the statistics share.
#[derive(Debug, Default)]
pub struct Completions {
    /// Construction filings: the end of the month first reported 已完工.
    works: HashMap<i64, NaiveDate>,
    /// Supervision sections: the day the last of their project's
    /// construction sections was completed (once all were).
    supervision: HashMap<i64, NaiveDate>,
}

impl Completions {
    /// Every filing's, from the works snapshot and one statement pairing
    /// supervision sections with their project's construction sections.
    pub async fn as_of(db: &Db, as_of: NaiveDate) -> Result<Self, AppError> {
        let (works, _) = works_kept(db, as_of, |_| true).await?;
        let works: HashMap<i64, Option<NaiveDate>> = works
            .iter()
            .map(|w| (w.filing_id, w.completed_on()))
            .collect();
        let mut supervised: HashMap<i64, Option<NaiveDate>> = HashMap::new();
        for (section, builds) in sqlx::query_as::<_, (i64, i64)>(
            "SELECT s.id, c.id FROM filings s JOIN awards sa ON sa.id = s.award_id
             JOIN awards ca ON ca.project_code = sa.project_code AND ca.section_kind <> 'supervision'
             JOIN filings c ON c.award_id = ca.id AND c.status = 'submitted'
             WHERE sa.section_kind = 'supervision' AND s.status = 'submitted'",
        )
        .fetch_all(&db.pool)
        .await?
        {
            let done = works.get(&builds).copied().flatten();
            let end = supervised.entry(section).or_insert(done);
            // Open while any construction section is: the latest end.
            *end = match (*end, done) {
                (Some(a), Some(b)) => Some(a.max(b)),
                _ => None,
            };
        }
        Ok(Self {
            works: works
                .into_iter()
                .filter_map(|(id, d)| Some((id, d?)))
                .collect(),
            supervision: supervised
                .into_iter()
                .filter_map(|(id, d)| Some((id, d?)))
                .collect(),
        })
    }

    /// A construction filing's completion (the 竣工 evaluation is owed
    /// from it); None for a supervision section.
    pub fn of_works(&self, filing_id: i64) -> Option<NaiveDate> {
        self.works.get(&filing_id).copied()
    }

    /// The last day a filing's key personnel are owed attendance: its works'
    /// completion, or a supervision section's project's; None while open.
    pub fn attendance_until(&self, filing_id: i64) -> Option<NaiveDate> {
        self.of_works(filing_id)
            .or_else(|| self.supervision.get(&filing_id).copied())
    }
}

/// Three statements: the filings, their approved changes, their months;
/// of one project (`filing_id`) or of all (0).
async fn read(db: &Db, as_of: NaiveDate, filing_id: i64) -> Result<Vec<Works>, AppError> {
    let day = as_of.to_string();
    // One project's filter spelt out (`$n = 0 OR id = $n` uses no index, and
    // PostgreSQL's generic plan read every month for one project's).
    let one = |col: &str, n: usize| {
        if filing_id == 0 {
            format!("${n} = 0")
        } else {
            format!("{col} = ${n}")
        }
    };
    let filings = sqlx::query(&format!(
        "SELECT f.id, f.signed_on, f.planned_start, f.planned_completion, COALESCE(f.contract_price_fen, 0) AS price,
                p.actual_start, p.id AS progress_id
         FROM filings f JOIN awards a ON a.id = f.award_id LEFT JOIN progress p ON p.filing_id = f.id
         WHERE f.status = 'submitted' AND a.section_kind <> 'supervision' AND {}
         ORDER BY f.id",
        one("f.id", 1)
    ))
    .bind(filing_id)
    .fetch_all(&db.pool)
    .await?;
    let mut changes: HashMap<i64, (i64, i64)> = HashMap::new();
    for r in sqlx::query(&format!(
        "SELECT filing_id, CAST(SUM(price_delta_fen) AS BIGINT) AS fen, CAST(SUM(days_delta) AS BIGINT) AS days
         FROM project_changes WHERE status = 'submitted' AND approved_on <= $1 AND {}
         GROUP BY filing_id",
        one("filing_id", 2)
    ))
    .bind(&day)
    .bind(filing_id)
    .fetch_all(&db.pool)
    .await?
    {
        changes.insert(r.try_get("filing_id")?, (r.try_get("fen")?, r.try_get("days")?));
    }
    let mut months: HashMap<i64, Vec<Reported>> = HashMap::new();
    for r in sqlx::query(&format!(
        "SELECT filing_id, month, percent, state, submitted_at FROM progress_months
         WHERE status = 'submitted' AND submitted_at < $1 AND month <= $2 AND {}
         ORDER BY filing_id, month",
        one("filing_id", 3)
    ))
    .bind(crate::platform::time::end_of_day_ms(as_of))
    .bind(Month::of(as_of).to_string())
    .bind(filing_id)
    .fetch_all(&db.pool)
    .await?
    {
        let (Some(month), Some(state)) = (
            Month::parse(&r.try_get::<String, _>("month")?),
            ProgressState::parse(&r.try_get::<String, _>("state")?),
        ) else {
            continue;
        };
        months
            .entry(r.try_get("filing_id")?)
            .or_default()
            .push(Reported {
                month,
                percent: r.try_get("percent")?,
                state,
                submitted_at: r.try_get("submitted_at")?,
            });
    }
    let mut out = Vec::with_capacity(filings.len());
    for r in filings {
        let id: i64 = r.try_get("id")?;
        let (fen, days) = changes.get(&id).copied().unwrap_or((0, 0));
        out.push(Works {
            filing_id: id,
            signed_on: iso(r.try_get("signed_on")?),
            actual_start: iso(r.try_get("actual_start")?),
            planned_start: iso(r.try_get("planned_start")?),
            revised_completion: iso(r.try_get("planned_completion")?)
                .and_then(|d| d.checked_add_signed(chrono::Duration::days(days))),
            revised_fen: r.try_get::<i64, _>("price")? + fen,
            months: months.remove(&id).unwrap_or_default(),
            has_record: r.try_get::<Option<i64>, _>("progress_id")?.is_some(),
        });
    }
    Ok(out)
}
