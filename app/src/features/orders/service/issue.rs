//! Issuing an order from a project's open alerts: by a supervisor, or by
//! the system for rules set to 自动督办.
use super::{AlertFact, Snap, event, required_prose, supervises};
use crate::features::orders::{OrderAlert, OrderDraft, OrderStatus};
use crate::{
    domain::{Role, parse_date},
    error::{AppError, Check},
    platform::{
        actor::Actor,
        audit::AuditedTx,
        db::Db,
        project,
        rules::{On, Severity},
        settings::Settings,
        time::{now_ms, today},
    },
};
use chrono::{Datelike, Duration, NaiveDate};
use sqlx::AnyConnection;

/// The default deadline for an order of `severity` issued `on`.
pub fn default_deadline(settings: &Settings, severity: Severity, on: NaiveDate) -> NaiveDate {
    let days = match severity {
        Severity::Serious => settings.orders.days_serious,
        Severity::Warning => settings.orders.days_warning,
        Severity::Notice => settings.orders.days_notice,
    };
    on + Duration::days(days)
}

/// The award's (the project's) open alerts not in an open order. Two
/// statements, the second over the first's ids: as one statement with
/// `NOT EXISTS`, PostgreSQL kept the generic plan it made while the orders
/// table was empty (a nested loop over orders × their alerts per alert), and
/// a province's first 1,848 automatic orders took about a second each.
async fn free_alerts(conn: &mut AnyConnection, award_id: i64) -> Result<Vec<AlertFact>, AppError> {
    let open: Vec<AlertFact> = sqlx::query_as(
        "SELECT x.id, x.kind, x.severity, x.message, x.started_on, x.period, x.cleared_on FROM alerts x
         WHERE x.award_id = $1 AND x.cleared_on IS NULL ORDER BY x.created_at, x.id",
    )
    .bind(award_id)
    .fetch_all(&mut *conn)
    .await?;
    if open.is_empty() {
        return Ok(open);
    }
    // Integers from our own rows, inlined: planned with the tables as they are.
    let ids = open
        .iter()
        .map(|a| a.id.to_string())
        .collect::<Vec<_>>()
        .join(",");
    let taken: std::collections::HashSet<i64> = sqlx::query_scalar(&format!(
        "SELECT oa.alert_id FROM order_alerts oa JOIN supervision_orders o ON o.id = oa.order_id
         WHERE oa.alert_id IN ({ids}) AND o.status <> 'closed'"
    ))
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .collect();
    Ok(open
        .into_iter()
        .filter(|a| !taken.contains(&a.id))
        .collect())
}

/// What a new order on `on` (a project, or an award not yet filed) starts
/// from.
pub async fn draft(
    db: &Db,
    settings: &Settings,
    actor: &Actor,
    on: On,
) -> Result<OrderDraft, AppError> {
    actor.require(&[Role::Supervisor])?;
    let mut conn = db.pool.acquire().await?;
    let p = project::read_award(&mut conn, actor, on).await?;
    let alerts = free_alerts(&mut conn, p.award_id).await?;
    let worst = alerts
        .iter()
        .map(|a| Severity::from_code(&a.severity))
        .max()
        .unwrap_or(Severity::Warning);
    let day = today();
    Ok(OrderDraft {
        filing_id: p.filing_id,
        award_id: p.award_id,
        link: p.link(),
        project: p.label(),
        owner: p.owner_name.clone(),
        alerts: alerts.into_iter().map(OrderAlert::from).collect(),
        deadline: default_deadline(settings, worst, day).to_string(),
        today: day.to_string(),
    })
}

/// What a supervisor sends to issue an order.
#[derive(Debug)]
pub struct IssueForm {
    pub alerts: Vec<i64>,
    pub action: String,
    pub deadline: NaiveDate,
}

impl IssueForm {
    pub fn parse(alerts: &[i64], action: &str, deadline: &str) -> Result<Self, AppError> {
        let mut c = Check::new();
        if alerts.is_empty() {
            c.fail("alerts", "请至少选择一条预警");
        }
        if alerts.len() > 50 {
            c.fail("alerts", "一次最多选择 50 条预警");
        }
        let action = c.take("action", required_prose(action, "整改要求", 1000));
        let deadline = c.take("deadline", future_date(deadline, "办理期限", today(), 365));
        c.finish()?;
        let mut alerts = alerts.to_vec();
        alerts.sort_unstable();
        alerts.dedup();
        Ok(Self {
            alerts,
            action: action.expect("checked"),
            deadline: deadline.expect("checked"),
        })
    }
}

/// A date from `from` to `from + days`.
fn future_date(input: &str, what: &str, from: NaiveDate, days: i64) -> Result<NaiveDate, String> {
    let d = parse_date(input, what)?;
    if d < from {
        return Err(format!("{what}不能早于 {from}"));
    }
    let last = from + Duration::days(days);
    if d > last {
        return Err(format!("{what}不能晚于 {last}"));
    }
    Ok(d)
}

/// Issues an order on `on` (a project, or an award not yet filed) from its
/// open alerts; returns its id.
pub async fn issue(
    db: &Db,
    settings: &Settings,
    actor: &Actor,
    on: On,
    input: IssueForm,
) -> Result<i64, AppError> {
    actor.require(&[Role::Supervisor])?;
    let who = actor.who();
    let mut tx = AuditedTx::begin(db, &who).await?;
    let (id, _) = issue_in(&mut tx, settings, actor, on, input).await?;
    tx.commit().await?;
    Ok(id)
}

/// [`issue`] within the caller's write (the automatic orders of a run share
/// a few), returning the order's id and number. A refusal (`Invalid`,
/// `Forbidden`) comes before anything is written.
async fn issue_in(
    tx: &mut AuditedTx<'_>,
    settings: &Settings,
    actor: &Actor,
    on: On,
    input: IssueForm,
) -> Result<(i64, String), AppError> {
    actor.require(&[Role::Supervisor])?;
    let p = project::read_award(tx.conn(), actor, on).await?;
    if !supervises(actor, &p.sector) {
        return Err(AppError::Forbidden);
    }
    let free = free_alerts(tx.conn(), p.award_id).await?;
    let chosen: Vec<&AlertFact> = free
        .iter()
        .filter(|a| input.alerts.contains(&a.id))
        .collect();
    if chosen.len() != input.alerts.len() {
        return Err(AppError::field(
            "alerts",
            "所选预警已消除、已在督办中或不属于本项目，请刷新后重新选择",
        ));
    }
    let severity = chosen
        .iter()
        .map(|a| Severity::from_code(&a.severity))
        .max()
        .unwrap_or(Severity::Warning);
    let facts = chosen
        .iter()
        .map(|a| {
            let since = a.started_on.as_deref().unwrap_or(&a.period);
            format!("{}（自 {since} 起）", a.message)
        })
        .collect::<Vec<_>>()
        .join("\n");
    let day = today();
    let year = day.year() as i64;
    // One number per year, counted atomically on both databases.
    let seq: i64 = sqlx::query_scalar(
        "INSERT INTO order_counters (year, last) VALUES ($1, 1)
         ON CONFLICT (year) DO UPDATE SET last = order_counters.last + 1 RETURNING last",
    )
    .bind(year)
    .fetch_one(tx.conn())
    .await?;
    let order_no = format!("{}〔{year}〕{seq}号", settings.orders.prefix);
    let now = now_ms();
    let deadline = input.deadline.to_string();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO supervision_orders (order_no, year, seq, award_id, filing_id, owner_unit_id, sector,
             issuer_unit_id, issued_by, severity, facts, action, deadline, status, version, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 'issued', 1, $14, $14) RETURNING id",
    )
    .bind(&order_no)
    .bind(year)
    .bind(seq)
    .bind(p.award_id)
    .bind(p.filing_id)
    .bind(p.owner_unit_id)
    .bind(&p.sector)
    .bind(actor.unit_id)
    .bind(actor.user_ref())
    .bind(severity.code())
    .bind(&facts)
    .bind(&input.action)
    .bind(&deadline)
    .bind(now)
    .fetch_one(tx.conn())
    .await?;
    // One statement for the order's alerts (integers from our own rows).
    let pairs = chosen
        .iter()
        .map(|a| format!("({id}, {})", a.id))
        .collect::<Vec<_>>()
        .join(", ");
    sqlx::query(&format!(
        "INSERT INTO order_alerts (order_id, alert_id) VALUES {pairs}"
    ))
    .execute(tx.conn())
    .await?;
    event(
        tx.conn(),
        actor,
        id,
        "issue",
        &input.action,
        Some(&deadline),
    )
    .await?;
    let after = Snap {
        order_no: &order_no,
        status: OrderStatus::Issued.label(),
        deadline: &deadline,
        body: &input.action,
    };
    tx.record("supervision_order", id, "issue", None, Some(&after))
        .await?;
    Ok((id, order_no))
}

/// The action an automatic order asks for.
const AUTO_ACTION: &str =
    "系统按预警规则自动督办：请核实上述情况，于办理期限内整改，并反馈整改措施及佐证材料。";

/// Issues orders for the open alerts of rules set to 自动督办 that are in no
/// order yet: one order per project (or award not yet filed), in the name
/// of the resource office (the county's supervising office), by the
/// system. Returns the numbers issued.
pub async fn issue_automatic(db: &Db, settings: &Settings) -> Result<Vec<String>, AppError> {
    let overrides = crate::platform::rules::Overrides::load(db).await?;
    let codes: Vec<&str> = crate::features::rule_infos()
        .into_iter()
        .filter(|i| overrides.enabled(i.code) && overrides.auto_order(i))
        .map(|i| i.code)
        .collect();
    if codes.is_empty() {
        return Ok(Vec::new());
    }
    let Some((unit_id, unit_name)) = sqlx::query_as::<_, (i64, String)>(
        "SELECT id, name FROM units WHERE kind = 'resource_office' ORDER BY id LIMIT 1",
    )
    .fetch_optional(&db.pool)
    .await?
    else {
        return Ok(Vec::new());
    };
    let waiting: Vec<(i64, i64, String, String)> = sqlx::query_as(
        "SELECT x.id, x.award_id, x.kind, x.severity FROM alerts x
         WHERE x.cleared_on IS NULL
           AND NOT EXISTS (SELECT 1 FROM order_alerts oa WHERE oa.alert_id = x.id)
         ORDER BY x.award_id, x.id",
    )
    .fetch_all(&db.pool)
    .await?;
    // Per award: its alerts and the most serious of them.
    let mut by_project: std::collections::BTreeMap<i64, (Vec<i64>, Severity)> = Default::default();
    for (id, award_id, kind, severity) in waiting {
        if codes.contains(&kind.as_str()) {
            let e = by_project
                .entry(award_id)
                .or_insert((Vec::new(), Severity::Notice));
            e.0.push(id);
            e.1 = e.1.max(Severity::from_code(&severity));
        }
    }
    let system = Actor::system_supervisor(unit_id, &unit_name);
    let who = system.who();
    let mut issued = Vec::new();
    let by_project: Vec<_> = by_project.into_iter().collect();
    // A few projects' orders per write: a province's first run issues
    // thousands, and a commit each cost PostgreSQL more than the run's rules.
    for chunk in by_project.chunks(ORDERS_PER_WRITE) {
        let mut tx = AuditedTx::begin(db, &who).await?;
        let mut any = false;
        for (award_id, (alerts, severity)) in chunk {
            let form = IssueForm {
                alerts: alerts.clone(),
                action: AUTO_ACTION.to_string(),
                deadline: default_deadline(settings, *severity, today()),
            };
            match issue_in(&mut tx, settings, &system, On::Award(*award_id), form).await {
                Ok((_, no)) => {
                    issued.push(no);
                    any = true;
                }
                // Cleared or taken into an order meanwhile (refused before
                // anything was written): the next run sees.
                Err(AppError::Invalid { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        if any {
            tx.commit().await?;
        } else {
            tx.rollback().await?;
        }
    }
    Ok(issued)
}

/// Automatic orders issued per transaction: short enough that check-ins
/// waiting for SQLite's writer lock wait a few milliseconds.
const ORDERS_PER_WRITE: usize = 20;
