//! A key person's own record, beside the check-in button: this month's
//! calendar of their check-ins on each project (counted, refused, flagged,
//! owed), the rate, since when they are on each roster, and, for a roster
//! they have left, from when and why (the personnel change that replaced
//! them) so they know why they can no longer check in there.
use super::{calendar, member_days, month_days, on_roster};
use crate::{
    domain::{ROSTER_ROLES, Role, label_of, records::PERSONNEL_REASONS},
    error::AppError,
    features::attendance::{MyMonth, MyRoster},
    platform::{actor::Actor, db::Db, time::today},
};
use sqlx::Row;
use std::collections::HashMap;

/// The actor's month (`YYYY-MM`, "" for this one) on every roster they are
/// on, or left during or after it.
pub async fn my_month(db: &Db, actor: &Actor, month: &str) -> Result<MyMonth, AppError> {
    actor.require(&[Role::KeyPersonnel])?;
    let today = today();
    let month = if month.is_empty() {
        today.format("%Y-%m").to_string()
    } else {
        month.to_string()
    };
    let days = month_days(&month)?;
    let (first, last) = (days[0], days[days.len() - 1]);
    let rows = sqlx::query(
        "SELECT m.id, m.filing_id, m.role, m.created_at, m.joined_on, m.left_on,
                a.project_name || ' · ' || a.section_name AS project,
                (SELECT c.reason || '|' || c.new_name FROM personnel_changes c
                   WHERE c.member_id = m.id AND c.status = 'submitted') AS replaced
         FROM roster_members m JOIN filings f ON f.id = m.filing_id JOIN awards a ON a.id = f.award_id
         WHERE m.user_id = $1 AND f.status = 'submitted' AND (m.left_on IS NULL OR m.left_on > $2)
         ORDER BY m.left_on IS NOT NULL, m.id",
    )
    .bind(actor.user_id)
    .bind(first.to_string())
    .fetch_all(&db.pool)
    .await?;
    // The month's check-ins, best state per project and day.
    let mut seen: HashMap<(i64, String), &'static str> = HashMap::new();
    for r in sqlx::query(
        "SELECT filing_id, day, counted, flags FROM checkins WHERE user_id = $1 AND day >= $2 AND day <= $3",
    )
    .bind(actor.user_id)
    .bind(first.to_string())
    .bind(last.to_string())
    .fetch_all(&db.pool)
    .await?
    {
        let state = match (
            r.try_get::<i64, _>("counted")? == 1,
            r.try_get::<String, _>("flags")?.is_empty(),
        ) {
            (true, true) => "ok",
            (true, false) => "flag",
            _ => "refused",
        };
        let e = seen
            .entry((r.try_get("filing_id")?, r.try_get("day")?))
            .or_insert(state);
        if *e == "refused" {
            *e = state;
        }
    }
    let mut rosters = Vec::new();
    for r in &rows {
        let filing_id: i64 = r.try_get("filing_id")?;
        let (joined, left) = member_days(r)?;
        if joined > last {
            continue;
        }
        let cal = calendar(db, filing_id).await?;
        let (mut counted, mut required) = (0, 0);
        let cells = days
            .iter()
            .map(|d| {
                if *d > today {
                    return "future".to_string();
                }
                if !on_roster(*d, joined, left) {
                    return "out".to_string();
                }
                let need = cal.required(*d);
                required += need as i64;
                match seen.get(&(filing_id, d.to_string())).copied() {
                    Some(s @ ("ok" | "flag")) => {
                        counted += need as i64;
                        s.to_string()
                    }
                    Some(s) => s.to_string(),
                    None if need => "none".into(),
                    None => "rest".into(),
                }
            })
            .collect();
        let replaced: Option<String> = r.try_get("replaced")?;
        let left_why = left.map(|l| match replaced.as_deref().and_then(|t| t.split_once('|')) {
            Some((reason, successor)) => format!(
                "自 {l} 起您已不在本项目名单（人员变更：{}，由 {successor} 接替），不能再在此打卡",
                label_of(&PERSONNEL_REASONS, reason)
            ),
            None => format!("自 {l} 起您已不在本项目名单，不能再在此打卡"),
        });
        rosters.push(MyRoster {
            filing_id,
            project: r.try_get("project")?,
            role: label_of(&ROSTER_ROLES, &r.try_get::<String, _>("role")?).to_string(),
            joined_on: joined.to_string(),
            left: left_why,
            cells,
            counted,
            required,
        });
    }
    Ok(MyMonth {
        month,
        first_weekday: chrono::Datelike::weekday(&first).num_days_from_monday(),
        rosters,
    })
}
