//! Attendance rates of a project's roster over any span of days: what an
//! evaluation's period and a contractor's record read (the month views and
//! the monthly rule count the same way: required days on the roster, one
//! counted check-in each). [`rates_of`] reads many projects at once;
//! [`lead_rates_in`] the leads of a scope from the roster snapshot (the
//! compliance statistics read a province's).
use super::{Calendar, DaySet, checkin_days, leads_in, member_days};
use crate::features::attendance::MemberRate;
use crate::{
    error::AppError,
    platform::{db::Db, project::ScopeBinds},
};
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

/// A roster member to count.
struct Member {
    filing_id: i64,
    user_id: i64,
    name: String,
    role: String,
    joined: NaiveDate,
    left: Option<NaiveDate>,
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
    if filings.is_empty() {
        return Ok(HashMap::new());
    }
    // Integers and role codes from our own code, never from the request.
    let ids = in_list(filings);
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
    let mut members = Vec::new();
    for m in sqlx::query(&format!(
        "SELECT m.filing_id, m.user_id, m.name, m.role, m.created_at, m.joined_on, m.left_on FROM roster_members m
         WHERE m.filing_id IN ({ids}) {role_filter} AND (m.left_on IS NULL OR m.left_on > $1) ORDER BY m.filing_id, m.id"
    ))
    .bind(from.to_string())
    .fetch_all(&db.pool)
    .await?
    {
        let (joined, left) = member_days(&m)?;
        members.push(Member {
            filing_id: m.try_get("filing_id")?,
            user_id: m.try_get("user_id")?,
            name: m.try_get("name")?,
            role: m.try_get("role")?,
            joined,
            left,
        });
    }
    count(db, filings, members, from, to_of).await
}

/// The leads' (项目经理, 总监) rates of the submitted filings in `scope`
/// that `keep` selects, as [`rates_of`] counts them, with the leads from
/// the process's roster snapshot (`leads_in`) as of `as_of`.
pub async fn lead_rates_in(
    db: &Db,
    as_of: NaiveDate,
    scope: &ScopeBinds,
    keep: impl Fn(i64) -> bool,
    from: NaiveDate,
    to_of: impl Fn(i64) -> NaiveDate,
) -> Result<HashMap<i64, Vec<MemberRate>>, AppError> {
    let mut filings = Vec::new();
    let mut members = Vec::new();
    for f in leads_in(db, as_of, scope).await? {
        if !keep(f.filing_id) {
            continue;
        }
        filings.push(f.filing_id);
        for m in &f.leads {
            if m.left.is_none_or(|l| l > from) {
                members.push(Member {
                    filing_id: f.filing_id,
                    user_id: m.user_id,
                    name: m.name.clone(),
                    role: m.role.clone(),
                    joined: m.joined,
                    left: m.left,
                });
            }
        }
    }
    count(db, &filings, members, from, to_of).await
}

fn in_list(ids: &[i64]) -> String {
    ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
}

/// Each member's required days on the roster from `from` to their
/// project's `to_of`, and those counted, a word at a time.
async fn count(
    db: &Db,
    filings: &[i64],
    members: Vec<Member>,
    from: NaiveDate,
    to_of: impl Fn(i64) -> NaiveDate,
) -> Result<HashMap<i64, Vec<MemberRate>>, AppError> {
    let mut out: HashMap<i64, Vec<MemberRate>> = HashMap::new();
    // The required days of each calendar as bits, worked out once (most
    // projects share the default one), up to the latest project's last day.
    let Some(last) = filings.iter().map(|f| to_of(*f)).max() else {
        return Ok(out);
    };
    // A few projects' own calendars by id; a province's all at once (a list
    // of 10,000 ids costs more to send and plan than the table to read).
    let only = if filings.len() <= 100 {
        format!("WHERE filing_id IN ({})", in_list(filings))
    } else {
        String::new()
    };
    let wanted: std::collections::HashSet<i64> = filings.iter().copied().collect();
    let mut calendars: HashMap<i64, Calendar> = HashMap::new();
    for r in sqlx::query(&format!(
        "SELECT filing_id, workdays, holidays, makeup_days, photo_required FROM attendance_rules {only}"
    ))
    .fetch_all(&db.pool)
    .await?
    {
        let id: i64 = r.try_get("filing_id")?;
        if wanted.contains(&id) {
            calendars.insert(id, Calendar::from_row(&r)?);
        }
    }
    let default_calendar = Calendar::default();
    let mut required_days: HashMap<Option<i64>, DaySet> = HashMap::new();
    let checked = checkin_days(db).await?;
    for m in members {
        let to = to_of(m.filing_id);
        if to < from || m.joined > to {
            continue;
        }
        let own = calendars.get(&m.filing_id);
        let days = required_days
            .entry(own.map(|_| m.filing_id))
            .or_insert_with(|| {
                let cal = own.unwrap_or(&default_calendar);
                DaySet::of(from, last, |d| cal.required(d))
            });
        // On the roster from joining to the day before leaving.
        let until = m.left.and_then(|l| l.pred_opt()).map_or(to, |l| l.min(to));
        let (required, counted) =
            checked
                .of(m.filing_id, m.user_id)
                .count(days, from.max(m.joined), until);
        out.entry(m.filing_id).or_default().push(MemberRate {
            user_id: m.user_id,
            name: m.name,
            role: m.role,
            required,
            counted,
        });
    }
    Ok(out)
}
