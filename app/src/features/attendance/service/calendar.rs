//! A project's calendar (required days) and the month views built on it.
use super::checkin::beijing_day;
use crate::{
    domain::Role,
    error::AppError,
    features::attendance::{MonthView, PersonMonth},
    platform::{actor::Actor, audit::AuditedTx, db::Db, project, time::now_ms},
};
use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use sqlx::Row;

/// Which days of a project require a check-in: weekdays, minus public
/// holidays, plus make-up workdays (调休). Without a saved rule, Monday to
/// Saturday (site work runs six days a week).
#[derive(Debug, Clone, PartialEq)]
pub struct Calendar {
    /// Monday first.
    pub workdays: [bool; 7],
    pub holidays: std::collections::BTreeSet<NaiveDate>,
    pub makeup: std::collections::BTreeSet<NaiveDate>,
    /// Every check-in must come with an on-site photo.
    pub photo_required: bool,
}

impl Default for Calendar {
    fn default() -> Self {
        Self {
            workdays: [true, true, true, true, true, true, false],
            holidays: Default::default(),
            makeup: Default::default(),
            photo_required: false,
        }
    }
}

impl Calendar {
    pub fn required(&self, day: NaiveDate) -> bool {
        if self.makeup.contains(&day) {
            return true;
        }
        !self.holidays.contains(&day)
            && self.workdays[day.weekday().num_days_from_monday() as usize]
    }

    /// From the form: `workdays` as ISO numbers ("123456"), dates separated
    /// by commas, spaces or new lines.
    pub fn parse(workdays: &str, holidays: &str, makeup: &str) -> Result<Self, AppError> {
        let mut c = crate::error::Check::new();
        let mut days = [false; 7];
        for ch in workdays.chars() {
            match ch.to_digit(10) {
                Some(d @ 1..=7) => days[d as usize - 1] = true,
                _ => c.fail("workdays", "工作日设置有误"),
            }
        }
        if !days.contains(&true) {
            c.fail("workdays", "至少选择一个需要打卡的工作日");
        }
        let dates = |text: &str, field: &str, what: &str, c: &mut crate::error::Check| {
            let mut set = std::collections::BTreeSet::new();
            for part in text
                .split([',', '，', ' ', '\n', '、', ';', '；'])
                .map(str::trim)
                .filter(|s| !s.is_empty())
            {
                match crate::domain::parse_date(part, what) {
                    Ok(d) => {
                        set.insert(d);
                    }
                    Err(_) => c.fail(field, format!("“{part}”不是有效日期，格式如 2026-10-01")),
                }
            }
            if set.len() > 366 {
                c.fail(field, "日期过多");
            }
            set
        };
        let holidays = dates(holidays, "holidays", "节假日", &mut c);
        let makeup = dates(makeup, "makeup_days", "调休上班日", &mut c);
        c.finish()?;
        Ok(Self {
            workdays: days,
            holidays,
            makeup,
            photo_required: false,
        })
    }

    fn join(set: &std::collections::BTreeSet<NaiveDate>) -> String {
        set.iter()
            .map(|d| d.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    }

    pub fn workdays_code(&self) -> String {
        (1..=7)
            .filter(|d| self.workdays[d - 1])
            .map(|d| d.to_string())
            .collect()
    }
}

/// A project's calendar (the default when none is saved).
pub async fn calendar(db: &Db, filing_id: i64) -> Result<Calendar, AppError> {
    let row = sqlx::query(
        "SELECT workdays, holidays, makeup_days, photo_required FROM attendance_rules WHERE filing_id = $1",
    )
    .bind(filing_id)
    .fetch_optional(&db.pool)
    .await?;
    row.map_or_else(|| Ok(Calendar::default()), |r| Calendar::from_row(&r))
}

impl Calendar {
    /// A saved `attendance_rules` row (validated when it was saved).
    pub(crate) fn from_row(r: &sqlx::any::AnyRow) -> Result<Self, AppError> {
        Ok(Calendar {
            photo_required: r.try_get::<i64, _>("photo_required")? != 0,
            ..Calendar::parse(
                &r.try_get::<String, _>("workdays")?,
                &r.try_get::<String, _>("holidays")?,
                &r.try_get::<String, _>("makeup_days")?,
            )
            .map_err(|_| AppError::Internal)?
        })
    }
}

/// Saves a project's calendar (owner of the filing).
pub async fn save_calendar(
    db: &Db,
    actor: &Actor,
    filing_id: i64,
    cal: &Calendar,
) -> Result<(), AppError> {
    actor.require(&[Role::Owner])?;
    let before = calendar(db, filing_id).await?;
    let who = actor.who();
    let mut tx = AuditedTx::begin(db, &who).await?;
    project::for_owner(&mut tx, actor, filing_id).await?;
    sqlx::query(
        "INSERT INTO attendance_rules (filing_id, workdays, holidays, makeup_days, photo_required, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (filing_id) DO UPDATE SET workdays = excluded.workdays, holidays = excluded.holidays,
            makeup_days = excluded.makeup_days, photo_required = excluded.photo_required,
            updated_at = excluded.updated_at",
    )
    .bind(filing_id)
    .bind(cal.workdays_code())
    .bind(Calendar::join(&cal.holidays))
    .bind(Calendar::join(&cal.makeup))
    .bind(i64::from(cal.photo_required))
    .bind(now_ms())
    .execute(tx.conn())
    .await?;
    #[derive(Serialize)]
    struct Snap {
        workdays: String,
        holidays: String,
        makeup_days: String,
        photo_required: &'static str,
    }
    const WD: [&str; 7] = ["一", "二", "三", "四", "五", "六", "日"];
    let snap = |c: &Calendar| Snap {
        workdays: (0..7)
            .filter(|i| c.workdays[*i])
            .map(|i| format!("周{}", WD[i]))
            .collect::<Vec<_>>()
            .join("、"),
        holidays: Calendar::join(&c.holidays),
        makeup_days: Calendar::join(&c.makeup),
        photo_required: if c.photo_required { "是" } else { "否" },
    };
    tx.record(
        "filing",
        filing_id,
        "calendar",
        Some(&snap(&before)),
        Some(&snap(cal)),
    )
    .await?;
    tx.commit().await
}

pub(crate) fn month_days(month: &str) -> Result<Vec<NaiveDate>, AppError> {
    let first = NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d")
        .map_err(|_| AppError::field("month", "月份格式应为 2026-11"))?;
    Ok(first
        .iter_days()
        .take_while(|d| d.month() == first.month())
        .collect())
}

/// The filing's label, if the actor may read it.
pub async fn month_view(
    db: &Db,
    actor: &Actor,
    filing_id: i64,
    month: &str,
    now: i64,
) -> Result<MonthView, AppError> {
    let p = project::read(&mut *db.pool.acquire().await?, actor, filing_id).await?;
    let project = p.label();
    let cal = calendar(db, filing_id).await?;
    let month = if month.is_empty() {
        &beijing_day(now)[..7]
    } else {
        month
    };
    let days = month_days(month)?;
    let today =
        NaiveDate::parse_from_str(&beijing_day(now), "%Y-%m-%d").map_err(|_| AppError::Internal)?;
    let (first, last) = (days[0], days[days.len() - 1]);
    // Everyone on the roster on some day of the month (the roster is dated:
    // a replaced member is off it from the replacement's effective day).
    let members = sqlx::query(
        "SELECT m.user_id, m.name, m.role, m.created_at, m.joined_on, m.left_on FROM roster_members m
         WHERE m.filing_id = $1 AND (m.left_on IS NULL OR m.left_on > $2) ORDER BY m.id",
    )
    .bind(filing_id)
    .bind(first.to_string())
    .fetch_all(&db.pool)
    .await?;
    // Each day by name: the index is led by the day (`0024_checkins_by_day`),
    // so a range of days would read every project's check-ins.
    let sql = format!(
        "SELECT user_id, day, accepted, counted, flags FROM checkins WHERE filing_id = $1 AND day IN ({})",
        (2..days.len() + 2)
            .map(|i| format!("${i}"))
            .collect::<Vec<_>>()
            .join(",")
    );
    let mut q = sqlx::query(&sql).bind(filing_id);
    for d in &days {
        q = q.bind(d.to_string());
    }
    let rows = q.fetch_all(&db.pool).await?;
    // (user, day) → best state seen.
    let mut seen: std::collections::HashMap<(i64, String), &'static str> = Default::default();
    for r in &rows {
        let key = (
            r.try_get::<i64, _>("user_id")?,
            r.try_get::<String, _>("day")?,
        );
        let counted = r.try_get::<i64, _>("counted")? == 1;
        let flagged = !r.try_get::<String, _>("flags")?.is_empty();
        let state = match (counted, flagged) {
            (true, true) => "flag",
            (true, false) => "ok",
            _ => "refused",
        };
        let rank = |s: &str| match s {
            "ok" | "flag" => 2,
            _ => 1,
        };
        let e = seen.entry(key).or_insert(state);
        if rank(state) > rank(e) {
            *e = state;
        }
    }
    let mut people = Vec::new();
    let mut missing_today = Vec::new();
    for m in &members {
        let uid: i64 = m.try_get("user_id")?;
        let name: String = m.try_get("name")?;
        let (joined, left) = member_days(m)?;
        if joined > last {
            continue;
        }
        let mut counted = 0;
        let mut req = 0;
        let cells = days
            .iter()
            .map(|d| {
                let s = seen.get(&(uid, d.to_string())).copied();
                if *d > today {
                    return "future".to_string();
                }
                // Days off the roster are neither owed nor shown as missed.
                if !on_roster(*d, joined, left) {
                    return "out".to_string();
                }
                if cal.required(*d) {
                    req += 1;
                }
                match s {
                    Some("ok") | Some("flag") => {
                        // A check-in on a day off is shown but not counted.
                        if cal.required(*d) {
                            counted += 1;
                        }
                        s.unwrap_or_default().to_string()
                    }
                    Some(other) => other.to_string(),
                    None if cal.required(*d) => "none".into(),
                    None => "rest".into(),
                }
            })
            .collect();
        if days.contains(&today)
            && cal.required(today)
            && on_roster(today, joined, left)
            && !matches!(
                seen.get(&(uid, today.to_string())),
                Some(&"ok") | Some(&"flag")
            )
        {
            missing_today.push(name.clone());
        }
        people.push(PersonMonth {
            name,
            role: m.try_get("role")?,
            cells,
            counted: counted.min(req),
            required: req,
        });
    }
    const WD: [&str; 7] = ["一", "二", "三", "四", "五", "六", "日"];
    Ok(MonthView {
        editable: p.may_write(actor),
        workdays: cal.workdays_code(),
        holidays: Calendar::join(&cal.holidays),
        makeup_days: Calendar::join(&cal.makeup),
        photo_required: cal.photo_required,
        filing_id,
        project,
        month: month.to_string(),
        weekdays: days
            .iter()
            .map(|d| WD[d.weekday().num_days_from_monday() as usize].to_string())
            .collect(),
        people,
        missing_today,
    })
}

/// The Beijing calendar day of an instant.
pub(crate) fn day_of(ms: i64) -> NaiveDate {
    crate::platform::time::beijing_date(ms)
}

/// The days a member row (`created_at`, `joined_on`, `left_on`) was on the
/// roster: from `joined_on` (rows written before the roster was dated: the
/// day they were added) up to the day before `left_on`.
pub(crate) fn member_days(
    r: &sqlx::any::AnyRow,
) -> Result<(NaiveDate, Option<NaiveDate>), AppError> {
    let iso = |s: Option<String>| s.as_deref().and_then(crate::platform::time::iso_day);
    let joined = iso(r.try_get("joined_on")?)
        .unwrap_or_else(|| day_of(r.try_get("created_at").unwrap_or(0)));
    Ok((joined, iso(r.try_get("left_on")?)))
}

/// Was a member on the roster on `day`? From the day they joined up to the
/// day before they left (from that day on they can no longer check in).
pub(crate) fn on_roster(day: NaiveDate, joined: NaiveDate, left: Option<NaiveDate>) -> bool {
    day >= joined && left.is_none_or(|l| day < l)
}
