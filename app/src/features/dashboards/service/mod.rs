//! The dashboards' figures. Both start from the county map's answer (the
//! projects in scope, their light, revised price and percent), so a
//! dashboard and the map never disagree; progress adds the plans and
//! months (`works`), payments what each project was paid (`Paid`); both
//! from the process's snapshots (`platform::derived`).
pub mod attendance;

use super::{
    AlertsBoard, Delayed, LightCounts, LightGroup, PaidRow, PaymentsBoard, ProgressBoard,
    RuleCount, UnitAlerts,
};
use crate::{
    domain::{
        SECTORS, label_of,
        progress::{Light, Month},
        records::PAYMENT_KINDS,
    },
    error::AppError,
    features::{
        county_map::{
            CountyMap, MapProject,
            service::{county_map, county_map_with_works, unit_names},
        },
        payments::paid::{Paid, paid_kept},
        progress::rules::Works,
        rule_infos,
    },
    platform::{
        actor::Actor,
        db::Db,
        project::{ScopeBinds, scope_sql},
        settings::Settings,
    },
};
use chrono::NaiveDate;
use std::collections::{BTreeMap, HashMap};

/// The twelve months up to the one holding `as_of`, oldest first (every
/// board's time axis).
fn last_twelve(as_of: NaiveDate) -> Vec<Month> {
    let mut months = vec![Month::of(as_of)];
    for _ in 1..12 {
        let earlier = months[0].prev();
        months.insert(0, earlier);
    }
    months
}

/// The group of projects whose address names no town.
pub const NO_TOWN: &str = "未标明乡镇";

/// How many of the most delayed projects the board lists.
const DELAYED: usize = 10;

fn slot(l: Light) -> usize {
    Light::ALL.iter().position(|x| *x == l).unwrap_or(0)
}

/// Groups the projects by `key` (name, link), largest group first.
fn groups(map: &CountyMap, key: impl Fn(&MapProject) -> (String, String)) -> Vec<LightGroup> {
    let mut by: BTreeMap<(String, String), LightCounts> = BTreeMap::new();
    for p in &map.projects {
        by.entry(key(p)).or_default()[slot(p.light)] += 1;
    }
    let mut out: Vec<LightGroup> = by
        .into_iter()
        .map(|((name, href), counts)| LightGroup { name, href, counts })
        .collect();
    out.sort_by_key(|g| std::cmp::Reverse(g.counts.iter().sum::<i64>()));
    out
}

pub async fn progress(
    db: &Db,
    actor: &Actor,
    settings: &Settings,
    as_of: NaiveDate,
) -> Result<ProgressBoard, AppError> {
    let (map, works) = county_map_with_works(db, actor, settings, as_of).await?;
    let mut total = LightCounts::default();
    for p in &map.projects {
        total[slot(p.light)] += 1;
    }
    let by_sector = groups(&map, |p| {
        (
            label_of(&SECTORS, &p.sector).to_string(),
            format!("/map?sector={}", p.sector),
        )
    });
    let by_town = groups(&map, |p| match &p.town {
        Some(t) => (
            t.clone(),
            format!("/map?town={}", crate::kit::table::urlencode(t)),
        ),
        None => (NO_TOWN.to_string(), "/map".to_string()),
    });
    let by_owner = groups(&map, |p| {
        (
            map.unit(p.owner).to_string(),
            format!("/map?owner={}", p.owner),
        )
    });
    let mut delayed: Vec<Delayed> = map
        .projects
        .iter()
        .filter(|p| matches!(p.light, Light::Red | Light::Yellow))
        .filter_map(|p| {
            let w = works.get(&p.filing_id)?;
            let behind = w
                .latest()
                .and_then(|m| Some(w.planned_on(m.month.last())? - m.percent as f64));
            let days_late = w
                .revised_completion
                .filter(|d| *d < as_of && !w.completed())
                .map(|d| (as_of - d).num_days());
            Some(Delayed {
                filing_id: p.filing_id,
                name: p.name.clone(),
                owner: map.unit(p.owner).to_string(),
                light: p.light,
                behind,
                days_late,
                why: p.why.clone(),
            })
        })
        .collect();
    delayed.sort_by(|a, b| {
        b.days_late
            .cmp(&a.days_late)
            .then(b.behind.unwrap_or(0.0).total_cmp(&a.behind.unwrap_or(0.0)))
    });
    delayed.truncate(DELAYED);
    let scoped: Vec<&Works> = map
        .projects
        .iter()
        .filter_map(|p| works.get(&p.filing_id).map(|w| &**w))
        .collect();
    let months = last_twelve(as_of);
    let (planned, actual) = months.iter().map(|m| trend(&scoped, *m, as_of)).unzip();
    Ok(ProgressBoard {
        as_of: as_of.to_string(),
        total,
        by_sector,
        by_town,
        by_owner,
        delayed,
        months: months.iter().map(Month::to_string).collect(),
        planned,
        actual,
    })
}

/// The planned and reported percent of the projects under way in `m`
/// (started by plan, not completed before the month), weighted by price.
fn trend(works: &[&Works], m: Month, as_of: NaiveDate) -> (Option<f64>, Option<f64>) {
    let day = m.last().min(as_of);
    let (mut weight, mut planned, mut actual) = (0.0, 0.0, 0.0);
    for w in works {
        let Some(start) = w.planned_start else {
            continue;
        };
        let done_before = w.completed_month().is_some_and(|c| c < m);
        if start > day || done_before {
            continue;
        }
        let Some(plan) = w.planned_on(day) else {
            continue;
        };
        let reported = w
            .months
            .iter()
            .rfind(|r| r.month <= m)
            .map_or(0.0, |r| r.percent as f64);
        let price = w.revised_fen.max(1) as f64;
        weight += price;
        planned += plan * price;
        actual += reported * price;
    }
    if weight == 0.0 {
        (None, None)
    } else {
        let round = |v: f64| Some((v / weight * 10.0).round() / 10.0);
        (round(planned), round(actual))
    }
}

pub async fn payments(
    db: &Db,
    actor: &Actor,
    settings: &Settings,
    as_of: NaiveDate,
) -> Result<PaymentsBoard, AppError> {
    let map = county_map(db, actor, settings, as_of).await?;
    let ahead_pts = crate::platform::rules::effective(db, settings, &rule_infos())
        .await?
        .progress
        .paid_ahead_pts;
    // The map's projects only: construction works (a supervision section's
    // fees are not the works' price).
    let listed: std::collections::HashSet<i64> = map.projects.iter().map(|p| p.filing_id).collect();
    let paid: HashMap<i64, std::sync::Arc<Paid>> = paid_kept(db, as_of, |id| listed.contains(&id))
        .await?
        .0
        .into_iter()
        .collect();
    let twelve = last_twelve(as_of);
    let mut by_kind = [0i64; PAYMENT_KINDS.len()];
    let mut by_month = [0i64; 12];
    for p in paid.values() {
        for (sum, fen) in by_kind.iter_mut().zip(p.by_kind) {
            *sum += fen;
        }
        for (sum, m) in by_month.iter_mut().zip(&twelve) {
            *sum += p.within(*m, *m).1;
        }
    }
    let mut projects: Vec<PaidRow> = map
        .projects
        .iter()
        .map(|p| {
            let (paid_fen, progress_fen) = paid
                .get(&p.filing_id)
                .map_or((0, 0), |x| (x.total_fen, x.progress_fen()));
            let revised = p.revised_fen.max(1) as f64;
            PaidRow {
                filing_id: p.filing_id,
                name: p.name.clone(),
                owner: map.unit(p.owner).to_string(),
                revised_fen: p.revised_fen,
                paid_fen,
                percent: p.percent,
                over_price: paid_fen > p.revised_fen,
                // As the 拨付超进度 rule reads it: progress payments against
                // the share the reported percent justifies.
                ahead: progress_fen as f64 * 100.0 / revised
                    > p.percent.unwrap_or(0) as f64 + ahead_pts,
            }
        })
        .collect();
    projects.sort_by(|a, b| b.paid_pct().total_cmp(&a.paid_pct()));
    let last12 = twelve.iter().map(Month::to_string).zip(by_month).collect();
    Ok(PaymentsBoard {
        as_of: as_of.to_string(),
        revised_fen: map.projects.iter().map(|p| p.revised_fen).sum(),
        paid_fen: projects.iter().map(|p| p.paid_fen).sum(),
        by_kind: PAYMENT_KINDS
            .iter()
            .zip(by_kind)
            .map(|((k, _), fen)| (k.to_string(), fen))
            .collect(),
        by_month: last12,
        projects,
        ahead_pts,
    })
}

/// Alerts and orders in the actor's scope: open alerts by rule and
/// severity, per owner unit the open alerts and the orders open, overdue
/// and closed with their mean days to close, and the last twelve months'
/// alerts raised and orders issued and closed. Two grouped statements and
/// one over the orders (fewer than the alerts by far).
pub async fn alerts(db: &Db, actor: &Actor, as_of: NaiveDate) -> Result<AlertsBoard, AppError> {
    use crate::domain::Role::*;
    actor.require(&[Admin, Supervisor, Owner])?;
    let s = ScopeBinds::of(actor);
    let twelve = last_twelve(as_of);
    let first = twelve[0];
    // (rule, severity, unit, open, month raised, count)
    let rows: Vec<(String, String, i64, i64, String, i64)> = sqlx::query_as(&format!(
        "SELECT x.kind, x.severity, a.owner_unit_id,
                CASE WHEN x.cleared_on IS NULL THEN 1 ELSE 0 END AS open,
                SUBSTR(COALESCE(x.started_on, ''), 1, 7) AS month, COUNT(*) AS n
         FROM alerts x JOIN awards a ON a.id = x.award_id WHERE {}
         GROUP BY x.kind, x.severity, a.owner_unit_id, CASE WHEN x.cleared_on IS NULL THEN 1 ELSE 0 END,
                  SUBSTR(COALESCE(x.started_on, ''), 1, 7)",
        scope_sql(1)
    ))
    .bind(s.mode)
    .bind(s.unit)
    .bind(&s.sector)
    .fetch_all(&db.pool)
    .await?;
    let orders: Vec<(i64, String, String, i64, Option<String>)> = sqlx::query_as(&format!(
        "SELECT a.owner_unit_id, o.status, COALESCE(o.extension_until, o.deadline), o.created_at, o.closed_on
         FROM supervision_orders o JOIN awards a ON a.id = o.award_id WHERE {}",
        scope_sql(1)
    ))
    .bind(s.mode)
    .bind(s.unit)
    .bind(&s.sector)
    .fetch_all(&db.pool)
    .await?;
    let mut by_rule: BTreeMap<String, [i64; 3]> = BTreeMap::new();
    let mut units: BTreeMap<i64, UnitAlerts> = BTreeMap::new();
    let mut months: BTreeMap<String, (i64, i64, i64)> = BTreeMap::new();
    let mut board = AlertsBoard {
        as_of: as_of.to_string(),
        alerts_open: 0,
        alerts_serious: 0,
        orders_open: 0,
        orders_overdue: 0,
        orders_closed: 0,
        close_days: None,
        by_rule: Vec::new(),
        by_unit: Vec::new(),
        by_month: Vec::new(),
    };
    let blank = |id: i64| UnitAlerts {
        unit_id: id,
        unit: String::new(),
        alerts_open: 0,
        orders_open: 0,
        orders_overdue: 0,
        orders_closed: 0,
        close_days: None,
    };
    for (kind, severity, owner, open, month, n) in rows {
        if open == 1 {
            let slot = match severity.as_str() {
                "notice" => 0,
                "serious" => 2,
                _ => 1,
            };
            by_rule.entry(kind).or_default()[slot] += n;
            board.alerts_open += n;
            if slot == 2 {
                board.alerts_serious += n;
            }
            units
                .entry(owner)
                .or_insert_with(|| blank(owner))
                .alerts_open += n;
        }
        if Month::parse(&month).is_some_and(|m| m >= first) {
            months.entry(month).or_default().0 += n;
        }
    }
    let mut closing: HashMap<i64, Vec<i64>> = HashMap::new();
    let today = as_of.to_string();
    for (owner, status, deadline, created_at, closed_on) in orders {
        let u = units.entry(owner).or_insert_with(|| blank(owner));
        let issued = crate::fmt::datetime(created_at)
            .chars()
            .take(10)
            .collect::<String>();
        if let Some(m) = Month::parse(&issued).filter(|m| *m >= first) {
            months.entry(m.to_string()).or_default().1 += 1;
        }
        if status == "closed" {
            u.orders_closed += 1;
            board.orders_closed += 1;
            if let Some(closed) = closed_on.as_deref() {
                if let Some(m) = Month::parse(closed).filter(|m| *m >= first) {
                    months.entry(m.to_string()).or_default().2 += 1;
                }
                if let (Ok(a), Ok(b)) = (
                    NaiveDate::parse_from_str(&issued, "%Y-%m-%d"),
                    NaiveDate::parse_from_str(closed, "%Y-%m-%d"),
                ) {
                    closing.entry(owner).or_default().push((b - a).num_days());
                }
            }
        } else {
            u.orders_open += 1;
            board.orders_open += 1;
            if deadline < today {
                u.orders_overdue += 1;
                board.orders_overdue += 1;
            }
        }
    }
    let mean = |v: &[i64]| (!v.is_empty()).then(|| v.iter().sum::<i64>() as f64 / v.len() as f64);
    let all: Vec<i64> = closing.values().flatten().copied().collect();
    board.close_days = mean(&all);
    let names = unit_names(db, &units.keys().copied().collect()).await?;
    for (id, u) in units.iter_mut() {
        u.unit = names
            .iter()
            .find(|(i, _)| i == id)
            .map(|(_, n)| n.clone())
            .unwrap_or_default();
        u.close_days = closing.get(id).and_then(|v| mean(v));
    }
    board.by_unit = units.into_values().collect();
    board
        .by_unit
        .sort_by_key(|u| std::cmp::Reverse((u.orders_overdue, u.orders_open, u.alerts_open)));
    board.by_rule = by_rule
        .into_iter()
        .map(|(code, open)| RuleCount {
            name: crate::features::rule_name(&code).to_string(),
            code,
            open,
        })
        .collect();
    board
        .by_rule
        .sort_by_key(|r| std::cmp::Reverse(r.open.iter().sum::<i64>()));
    for m in twelve {
        let (a, i, c) = months.get(&m.to_string()).copied().unwrap_or_default();
        board.by_month.push((m.to_string(), a, i, c));
    }
    Ok(board)
}
