//! Attendance rates of a project's roster over any span of days: what an
//! evaluation's period and a contractor's record read (the month views and
//! the monthly rule count the same way: required days on the roster, one
//! counted check-in each).
use super::{Calendar, calendar, member_days, on_roster};
use crate::features::attendance::MemberRate;
use crate::{error::AppError, platform::db::Db};
use chrono::NaiveDate;
use sqlx::Row;
use std::collections::HashSet;

/// Every member on the project's roster on some day of `from..=to`, with
/// their rate over the days they were on it (in roster order).
pub async fn rates(
    db: &Db,
    filing_id: i64,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<MemberRate>, AppError> {
    if to < from {
        return Ok(Vec::new());
    }
    let cal: Calendar = calendar(db, filing_id).await?;
    let members = sqlx::query(
        "SELECT m.user_id, m.name, m.role, m.created_at, m.joined_on, m.left_on FROM roster_members m
         WHERE m.filing_id = $1 AND (m.left_on IS NULL OR m.left_on > $2) ORDER BY m.id",
    )
    .bind(filing_id)
    .bind(from.to_string())
    .fetch_all(&db.pool)
    .await?;
    let mut checked: HashSet<(i64, String)> = HashSet::new();
    for r in sqlx::query(
        "SELECT user_id, day FROM checkins WHERE filing_id = $1 AND counted = 1 AND day >= $2 AND day <= $3",
    )
    .bind(filing_id)
    .bind(from.to_string())
    .bind(to.to_string())
    .fetch_all(&db.pool)
    .await?
    {
        checked.insert((r.try_get("user_id")?, r.try_get("day")?));
    }
    let mut out = Vec::with_capacity(members.len());
    for m in &members {
        let (joined, left) = member_days(m)?;
        if joined > to {
            continue;
        }
        let user_id: i64 = m.try_get("user_id")?;
        let (mut required, mut counted) = (0, 0);
        for day in from.iter_days().take_while(|d| *d <= to) {
            if !cal.required(day) || !on_roster(day, joined, left) {
                continue;
            }
            required += 1;
            if checked.contains(&(user_id, day.to_string())) {
                counted += 1;
            }
        }
        out.push(MemberRate {
            user_id,
            name: m.try_get("name")?,
            role: m.try_get("role")?,
            required,
            counted,
        });
    }
    Ok(out)
}
