//! Attendance rates of a project's roster over any span of days: what an
//! evaluation's period and a contractor's record read (the month views and
//! the monthly rule count the same way: required days on the roster, one
//! counted check-in each). [`rates_of`] reads many projects at once (the
//! compliance statistics read a province's).
use super::{Calendar, DaySet, checkin_days, member_days};
use crate::features::attendance::MemberRate;
use crate::{error::AppError, platform::db::Db};
use chrono::NaiveDate;
use sqlx::Row;
use std::collections::HashMap;

/// Every member on the project's roster on some day of `from..=to`, with
/// their rate over the days they were on it (in roster order).
pub async fn rates(
    db: &Db,
    filing_id: i64,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<MemberRate>, AppError> {
    Ok(rates_of(db, &[filing_id], &[], from, |_| to)
        .await?
        .remove(&filing_id)
        .unwrap_or_default())
}

/// [`rates`] of the members with `roles` (all when empty) of each of
/// `filings`, from `from` to the project's own last day `to_of(filing)`:
/// two statements and the process's counted days, whatever the number.
pub async fn rates_of(
    db: &Db,
    filings: &[i64],
    roles: &[&str],
    from: NaiveDate,
    to_of: impl Fn(i64) -> NaiveDate,
) -> Result<HashMap<i64, Vec<MemberRate>>, AppError> {
    let mut out: HashMap<i64, Vec<MemberRate>> = HashMap::new();
    if filings.is_empty() {
        return Ok(out);
    }
    // Integers and role codes from our own code, never from the request.
    let ids = filings
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(",");
    let role_filter = if roles.is_empty() {
        String::new()
    } else {
        let list = roles
            .iter()
            .map(|r| format!("'{r}'"))
            .collect::<Vec<_>>()
            .join(",");
        format!("AND m.role IN ({list})")
    };
    let mut calendars: HashMap<i64, Calendar> = HashMap::new();
    for r in sqlx::query(&format!(
        "SELECT filing_id, workdays, holidays, makeup_days, photo_required FROM attendance_rules
         WHERE filing_id IN ({ids})"
    ))
    .fetch_all(&db.pool)
    .await?
    {
        calendars.insert(r.try_get("filing_id")?, Calendar::from_row(&r)?);
    }
    let members = sqlx::query(&format!(
        "SELECT m.filing_id, m.user_id, m.name, m.role, m.created_at, m.joined_on, m.left_on FROM roster_members m
         WHERE m.filing_id IN ({ids}) {role_filter} AND (m.left_on IS NULL OR m.left_on > $1) ORDER BY m.filing_id, m.id"
    ))
    .bind(from.to_string())
    .fetch_all(&db.pool)
    .await?;
    let default_calendar = Calendar::default();
    // The required days of each calendar as bits, worked out once (most
    // projects share the default one), up to the latest project's last day.
    let Some(last) = filings.iter().map(|f| to_of(*f)).max() else {
        return Ok(out);
    };
    let mut required_days: HashMap<Option<i64>, DaySet> = HashMap::new();
    let checked = checkin_days(db).await?;
    for m in &members {
        let filing_id: i64 = m.try_get("filing_id")?;
        let to = to_of(filing_id);
        let (joined, left) = member_days(m)?;
        if to < from || joined > to {
            continue;
        }
        let own = calendars.get(&filing_id);
        let days = required_days
            .entry(own.map(|_| filing_id))
            .or_insert_with(|| {
                let cal = own.unwrap_or(&default_calendar);
                DaySet::of(from, last, |d| cal.required(d))
            });
        let user_id: i64 = m.try_get("user_id")?;
        // On the roster from joining to the day before leaving.
        let until = left.and_then(|l| l.pred_opt()).map_or(to, |l| l.min(to));
        let (required, counted) =
            checked
                .of(filing_id, user_id)
                .count(days, from.max(joined), until);
        out.entry(filing_id).or_default().push(MemberRate {
            user_id,
            name: m.try_get("name")?,
            role: m.try_get("role")?,
            required,
            counted,
        });
    }
    Ok(out)
}
