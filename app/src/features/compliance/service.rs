//! The statistics, in a fixed number of grouped statements whatever the
//! number of units (awards with their filings; evaluations and orders
//! grouped by owner unit), and the process's derived figures: the works
//! (plans, months and their submission times), what each project was paid
//! by month, and the lead roster with its counted days (attendance).
use super::{Below, Compliance, StatPeriod, UnitStats};
use crate::{
    domain::{Role, progress::Month},
    error::AppError,
    features::{
        attendance::service::lead_rates_in,
        county_map::service::unit_names,
        payments::paid::paid_kept,
        progress::rules::{Completions, works_in},
        rule_infos,
    },
    platform::{
        actor::Actor,
        db::Db,
        project::{ScopeBinds, scope_sql},
        settings::Settings,
        time::end_of_day_ms,
    },
};
use chrono::{Duration, NaiveDate};
use std::collections::{BTreeMap, HashMap};

/// Points off the score for each supervision order open past its deadline.
const OVERDUE_ORDER_POINTS: f64 = 5.0;

/// An award with its filing, if any.
#[derive(sqlx::FromRow)]
struct AwardRow {
    unit: i64,
    award_date: String,
    status: Option<String>,
    submitted_at: Option<i64>,
    back_entry: Option<i64>,
    filing_id: Option<i64>,
}

fn day(s: &str) -> Option<NaiveDate> {
    crate::platform::time::iso_day(s)
}

/// The Beijing day of an instant.
fn day_of(ms: i64) -> Option<NaiveDate> {
    Some(crate::platform::time::beijing_date(ms))
}

pub async fn compliance(
    db: &Db,
    actor: &Actor,
    base: &Settings,
    period: &StatPeriod,
    today: NaiveDate,
) -> Result<Compliance, AppError> {
    actor.require(&[Role::Admin, Role::Supervisor])?;
    let settings = crate::platform::rules::effective(db, base, &rule_infos()).await?;
    let (Some(from), Some(to)) = (day(&period.from), day(&period.to)) else {
        return Err(AppError::field("period", "统计期间无效"));
    };
    let s = ScopeBinds::of(actor);
    let scoped = |sql: &str| sql.replace("{scope}", &scope_sql(1));
    let mut units: BTreeMap<i64, UnitStats> = BTreeMap::new();

    // Awards of the period and how they were filed; back-entries filed in it.
    let awards: Vec<AwardRow> = sqlx::query_as(&scoped(
        "SELECT a.owner_unit_id AS unit, a.award_date, f.status, f.submitted_at, f.back_entry, f.id AS filing_id
         FROM awards a LEFT JOIN filings f ON f.award_id = a.id WHERE {scope}",
    ))
    .bind(s.mode)
    .bind(s.unit)
    .bind(&s.sector)
    .fetch_all(&db.pool)
    .await?;
    let mut owner_of: HashMap<i64, i64> = HashMap::new();
    for a in &awards {
        let u = units.entry(a.unit).or_default();
        let submitted = a.status.as_deref() == Some("submitted");
        let filed_on = a.submitted_at.filter(|_| submitted).and_then(day_of);
        if let (Some(f), true) = (a.filing_id, submitted) {
            owner_of.insert(f, a.unit);
        }
        if let Some(awarded) = day(&a.award_date).filter(|d| (from..=to).contains(d)) {
            u.awards += 1;
            let due = awarded + Duration::days(settings.file_within_days);
            match filed_on {
                Some(d) if d <= due => u.filed_on_time += 1,
                Some(_) => u.filed_late += 1,
                None if due < today => u.unfiled += 1,
                None => {}
            }
        }
        if a.back_entry.unwrap_or(0) == 1 && filed_on.is_some_and(|d| (from..=to).contains(&d)) {
            u.back_entries += 1;
        }
    }

    // Monthly progress: each month of the period a project was under way
    // (started, not completed in an earlier month) whose report is due by
    // today, and whether it came in by its due day. The months, with their
    // last day and due instant, worked out once.
    let mut months = Vec::new();
    let mut m = Month::of(from);
    while m <= Month::of(to) {
        let due = m.next().day(settings.progress.report_by_day);
        if due < today {
            months.push((m, m.last(), end_of_day_ms(due)));
        }
        m = m.next();
    }
    for w in works_in(db, today, &s).await? {
        let Some(unit) = owner_of.get(&w.filing_id) else {
            continue;
        };
        let completed = w.completed_month();
        let Some(start) = w.actual_start.or(w.planned_start) else {
            continue;
        };
        let u = units.entry(*unit).or_default();
        for &(m, last, due_ms) in &months {
            if start <= last && completed.is_none_or(|c| c >= m) {
                u.reports_due += 1;
                if w.months
                    .binary_search_by_key(&m, |r| r.month)
                    .is_ok_and(|i| w.months[i].submitted_at <= due_ms)
                {
                    u.reports_on_time += 1;
                }
            }
        }
    }

    // Payments paid in the period (its whole months), from what each
    // project was paid (a derived value: a province's 200,000 payments are
    // not summed per request).
    let (first, last) = (Month::of(from), Month::of(to));
    for (filing, paid) in paid_kept(db, today, |f| owner_of.contains_key(&f)).await?.0 {
        let (n, fen) = paid.within(first, last);
        if n > 0 {
            let u = units.entry(owner_of[&filing]).or_default();
            u.payments += n;
            u.paid_fen += fen;
        }
    }

    // Evaluations of periods ending in the period, submitted.
    for (unit, n) in sqlx::query_as::<_, (i64, i64)>(&scoped(
        "SELECT a.owner_unit_id, COUNT(*) FROM evaluations e JOIN filings f ON f.id = e.filing_id
         JOIN awards a ON a.id = f.award_id
         WHERE {scope} AND e.status = 'submitted' AND e.period_end >= $4 AND e.period_end <= $5
         GROUP BY a.owner_unit_id",
    ))
    .bind(s.mode)
    .bind(s.unit)
    .bind(&s.sector)
    .bind(&period.from)
    .bind(&period.to)
    .fetch_all(&db.pool)
    .await?
    {
        units.entry(unit).or_default().evaluations = n;
    }

    // Orders open now, and open past their (extended) deadline.
    // The day comes first in the text, so it is $1 and the scope $2–$4.
    for (unit, open, overdue) in sqlx::query_as::<_, (i64, i64, i64)>(&format!(
        "SELECT a.owner_unit_id, COUNT(*),
                CAST(SUM(CASE WHEN COALESCE(o.extension_until, o.deadline) < $1 THEN 1 ELSE 0 END) AS BIGINT)
         FROM supervision_orders o JOIN awards a ON a.id = o.award_id
         WHERE o.status <> 'closed' AND {} GROUP BY a.owner_unit_id",
        scope_sql(2)
    ))
    .bind(today.to_string())
    .bind(s.mode)
    .bind(s.unit)
    .bind(&s.sector)
    .fetch_all(&db.pool)
    .await?
    {
        let u = units.entry(unit).or_default();
        u.orders_open = open;
        u.orders_overdue = overdue;
    }

    // Lead key personnel attendance over the period, up to yesterday and
    // while the works ran (to the month reported 已完工; a supervision
    // section's to its project's).
    let completed = Completions::as_of(db, today).await?;
    let until = |filing: i64| {
        to.min(today - Duration::days(1))
            .min(completed.attendance_until(filing).unwrap_or(to))
    };
    let in_period = |f: i64| owner_of.contains_key(&f);
    for (filing, members) in lead_rates_in(db, today, &s, in_period, from, until).await? {
        let Some(unit) = owner_of.get(&filing) else {
            continue;
        };
        let u = units.entry(*unit).or_default();
        for m in members {
            u.att_required += m.required;
            u.att_counted += m.counted;
        }
    }

    let names: HashMap<i64, String> = unit_names(db, &units.keys().copied().collect())
        .await?
        .into_iter()
        .collect();
    let mut rows: Vec<UnitStats> = units
        .into_iter()
        .map(|(id, mut u)| {
            u.unit_id = id;
            u.unit = names.get(&id).cloned().unwrap_or_default();
            let parts: Vec<f64> = [u.filing_pct(), u.reports_pct(), u.attendance_pct()]
                .into_iter()
                .flatten()
                .collect();
            let mean = if parts.is_empty() {
                100.0
            } else {
                parts.iter().sum::<f64>() / parts.len() as f64
            };
            u.score = ((mean - OVERDUE_ORDER_POINTS * u.orders_overdue as f64).max(0.0) * 10.0)
                .round()
                / 10.0;
            u
        })
        .collect();
    rows.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.unit.cmp(&b.unit)));
    for (i, r) in rows.iter_mut().enumerate() {
        r.rank = i as i64 + 1;
    }
    let who = |f: &dyn Fn(&UnitStats) -> bool| -> Vec<String> {
        rows.iter()
            .filter(|r| f(r))
            .map(|r| r.unit.clone())
            .collect()
    };
    let bar = settings.alert_attendance_pct;
    let below = vec![
        Below {
            what: format!("中标后 {} 日内未完成合同备案", settings.file_within_days),
            units: who(&|r| r.filed_late + r.unfiled > 0),
        },
        Below {
            what: "以补录方式备案合同".into(),
            units: who(&|r| r.back_entries > 0),
        },
        Below {
            what: format!(
                "月度进度未在次月 {} 日前报送",
                settings.progress.report_by_day
            ),
            units: who(&|r| r.reports_on_time < r.reports_due),
        },
        Below {
            what: format!("项目经理、总监到岗率低于 {bar:.0}%"),
            units: who(&|r| r.attendance_pct().is_some_and(|p| p < bar)),
        },
        Below {
            what: "督办事项逾期未办结".into(),
            units: who(&|r| r.orders_overdue > 0),
        },
    ];
    let issuer: String = sqlx::query_scalar("SELECT name FROM units WHERE id = $1")
        .bind(actor.unit_id)
        .fetch_optional(&db.pool)
        .await?
        .unwrap_or_default();
    Ok(Compliance {
        period: period.clone(),
        rows,
        below,
        issuer,
        today: today.to_string(),
        choices: StatPeriod::choices(today),
    })
}
