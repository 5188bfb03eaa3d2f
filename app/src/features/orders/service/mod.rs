//! Supervision orders: issuing from alerts (`issue`), each step after it
//! with the checks on who may take it and when (`steps`), and here the
//! scoped list and one order, with what the steps share.
mod issue;
mod steps;

pub use issue::{IssueForm, default_deadline, draft, issue, issue_automatic};
pub use steps::{Step, StepForm, step};

use super::{OrderAlert, OrderDetail, OrderEvent, OrderFile, OrderRow, OrderStatus};
use crate::{
    domain::{Role, record_prose},
    error::AppError,
    features::rule_name,
    kit::table::{Page, Rows},
    platform::{
        actor::{Actor, Scope},
        db::{Db, like_pattern},
        project::{self, ScopeBinds, scope_sql},
        rules::Severity,
        time::{now_ms, today},
    },
};
use serde::Serialize;
use sqlx::{AnyConnection, FromRow};

#[derive(FromRow)]
pub(super) struct AlertFact {
    pub(super) id: i64,
    pub(super) kind: String,
    pub(super) severity: String,
    pub(super) message: String,
    pub(super) started_on: Option<String>,
    pub(super) period: String,
    pub(super) cleared_on: Option<String>,
}

impl From<AlertFact> for OrderAlert {
    fn from(a: AlertFact) -> Self {
        Self {
            id: a.id,
            rule: rule_name(&a.kind).to_string(),
            severity: Severity::from_code(&a.severity).label().to_string(),
            message: a.message,
            started_on: a.started_on.unwrap_or(a.period),
            cleared_on: a.cleared_on,
        }
    }
}

/// A supervisor whose scope holds the project (sector authorities their
/// sector, the resource office everything).
pub fn supervises(actor: &Actor, sector: &str) -> bool {
    actor.role == Role::Supervisor
        && match actor.scope() {
            Scope::All => true,
            Scope::Sector(s) => s == sector,
            Scope::Unit(_) | Scope::Company(_) => false,
        }
}

pub(super) fn required_prose(input: &str, what: &str, max: usize) -> Result<String, String> {
    record_prose(input, what, max)?.ok_or_else(|| format!("请填写{what}"))
}

#[derive(Serialize)]
pub(super) struct Snap<'a> {
    order_no: &'a str,
    status: &'a str,
    deadline: &'a str,
    body: &'a str,
}

pub(super) async fn event(
    conn: &mut AnyConnection,
    actor: &Actor,
    order_id: i64,
    kind: &str,
    body: &str,
    deadline: Option<&str>,
) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO order_events (order_id, at, kind, user_id, actor, unit_name, body, deadline)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(order_id)
    .bind(now_ms())
    .bind(kind)
    .bind(actor.user_ref())
    .bind(&actor.display_name)
    .bind(&actor.unit_name)
    .bind(body)
    .bind(deadline)
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(FromRow)]
struct Row {
    id: i64,
    order_no: String,
    award_id: i64,
    filing_id: Option<i64>,
    /// The award's submitted filing, if any (its project's file).
    filed_id: Option<i64>,
    project_code: String,
    project_name: String,
    section_name: String,
    owner: String,
    issuer: String,
    severity: String,
    #[sqlx(try_from = "String")]
    status: OrderStatus,
    deadline: String,
    extension_until: Option<String>,
    created_at: i64,
    facts: String,
    action: String,
    version: i64,
    extension_reason: Option<String>,
    closed_on: Option<String>,
    sector: String,
    owner_unit_id: i64,
}

impl Row {
    fn list_row(&self, today: &str) -> OrderRow {
        OrderRow {
            id: self.id,
            order_no: self.order_no.clone(),
            link: project::award_link(self.filing_id, &self.project_code),
            dossier: self.filed_id,
            project: format!("{} · {}", self.project_name, self.section_name),
            owner: self.owner.clone(),
            issuer: self.issuer.clone(),
            severity: Severity::from_code(&self.severity).label().to_string(),
            status: self.status,
            deadline: self.deadline.clone(),
            overdue: self.status.awaits_owner() && self.deadline.as_str() < today,
            extension_pending: self.extension_until.is_some(),
            created_at: self.created_at,
        }
    }
}

const COLUMNS: &str = "o.id, o.order_no, o.award_id, o.filing_id,
        (SELECT f2.id FROM filings f2 WHERE f2.award_id = a.id AND f2.status = 'submitted') AS filed_id,
        a.project_code, a.project_name, a.section_name, ow.name AS owner,
        iu.name AS issuer, o.severity, o.status, o.deadline, o.extension_until, o.created_at, o.facts,
        o.action, o.version, o.extension_reason, o.closed_on, o.sector, o.owner_unit_id";
const FROM: &str = "FROM supervision_orders o JOIN awards a ON a.id = o.award_id
    JOIN units ow ON ow.id = o.owner_unit_id JOIN units iu ON iu.id = o.issuer_unit_id";

/// The list's filters, each parsed to a known value or "" (all).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OrderFilter {
    /// A LIKE pattern over number, project and units ("" for none).
    pub q: String,
    /// One of `super::STATES`.
    pub state: &'static str,
    pub severity: &'static str,
    pub sector: &'static str,
    /// An owner unit's id, 0 for all.
    pub unit: i64,
}

impl OrderFilter {
    pub fn parse(q: &str, state: &str, severity: &str, sector: &str, unit: &str) -> Self {
        Self {
            q: like_pattern(q),
            state: crate::kit::table::choice(&super::STATES, state),
            severity: crate::kit::table::choice(&crate::features::alerts::SEVERITIES, severity),
            sector: crate::kit::table::choice(&crate::domain::SECTORS, sector),
            unit: unit.trim().parse().unwrap_or(0),
        }
    }

    /// Orders in one state (the home page's counts).
    pub fn state(state: &str) -> Self {
        Self::parse("", state, "", "", "")
    }
}

/// The WHERE clause of the list under an [`OrderFilter`]: scope in $1–$3,
/// then state $4 (today $5), search $6, severity $7, sector $8, unit $9.
fn filter_sql() -> String {
    format!(
        "WHERE {}
           AND ($4 = '' OR ($4 = 'open' AND o.status <> 'closed')
                OR ($4 = 'overdue' AND o.status IN ('issued', 'returned') AND o.deadline < $5)
                OR ($4 = 'issued' AND o.status IN ('issued', 'returned'))
                OR ($4 = 'answered' AND o.status = 'answered') OR ($4 = 'closed' AND o.status = 'closed'))
           AND ($6 = '' OR o.order_no LIKE $6 ESCAPE '\\' OR a.project_name LIKE $6 ESCAPE '\\'
                OR ow.name LIKE $6 ESCAPE '\\' OR iu.name LIKE $6 ESCAPE '\\')
           AND ($7 = '' OR o.severity = $7)
           AND ($8 = '' OR o.sector = $8)
           AND ($9 = 0 OR o.owner_unit_id = $9)",
        scope_sql(1)
    )
}

/// How many orders in the viewer's scope match `f` (no rows read).
pub async fn count(db: &Db, actor: &Actor, f: &OrderFilter) -> Result<i64, AppError> {
    actor.require(&[Role::Admin, Role::Supervisor, Role::Owner])?;
    let s = ScopeBinds::of(actor);
    Ok(
        sqlx::query_scalar(&format!("SELECT COUNT(*) {FROM} {}", filter_sql()))
            .bind(s.mode)
            .bind(s.unit)
            .bind(&s.sector)
            .bind(f.state)
            .bind(today().to_string())
            .bind(&f.q)
            .bind(f.severity)
            .bind(f.sector)
            .bind(f.unit)
            .fetch_one(&db.pool)
            .await?,
    )
}

/// The orders in the viewer's scope under `f`: overdue first, then by
/// deadline.
pub async fn list(
    db: &Db,
    actor: &Actor,
    f: &OrderFilter,
    rows: impl Into<Rows>,
) -> Result<Page<OrderRow>, AppError> {
    let total = count(db, actor, f).await?;
    let (limit, offset, page) = rows.into().window();
    let s = ScopeBinds::of(actor);
    let day = today().to_string();
    let filter = filter_sql();
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} {FROM} {filter}
         ORDER BY (CASE WHEN o.status IN ('issued', 'returned') AND o.deadline < $5 THEN 0
                        WHEN o.status = 'closed' THEN 2 ELSE 1 END), o.deadline, o.id DESC
         LIMIT $10 OFFSET $11"
    ))
    .bind(s.mode)
    .bind(s.unit)
    .bind(&s.sector)
    .bind(f.state)
    .bind(&day)
    .bind(&f.q)
    .bind(f.severity)
    .bind(f.sector)
    .bind(f.unit)
    .bind(limit)
    .bind(offset)
    .fetch_all(&db.pool)
    .await?;
    Ok(Page {
        items: rows.iter().map(|r| r.list_row(&day)).collect(),
        total,
        page,
        per_page: crate::kit::table::PER_PAGE,
    })
}

/// Open orders waiting for the viewer's side: an owner's answers due, a
/// supervisor's answers to look at (the home page's 待办).
pub async fn waiting(db: &Db, actor: &Actor) -> Result<i64, AppError> {
    let state = if actor.role == Role::Owner {
        "issued"
    } else {
        "answered"
    };
    count(db, actor, &OrderFilter::state(state)).await
}

/// One order with its alerts and timeline, if the viewer may read it.
pub async fn get(db: &Db, actor: &Actor, id: i64) -> Result<OrderDetail, AppError> {
    actor.require(&[Role::Admin, Role::Supervisor, Role::Owner])?;
    let mut conn = db.pool.acquire().await?;
    let r: Row = sqlx::query_as(&format!("SELECT {COLUMNS} {FROM} WHERE o.id = $1"))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(AppError::NotFound)?;
    let award = project::read_award(
        &mut conn,
        actor,
        crate::platform::rules::On::Award(r.award_id),
    )
    .await?;
    let alerts: Vec<AlertFact> = sqlx::query_as(
        "SELECT x.id, x.kind, x.severity, x.message, x.started_on, x.period, x.cleared_on
         FROM order_alerts oa JOIN alerts x ON x.id = oa.alert_id WHERE oa.order_id = $1 ORDER BY x.id",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let events: Vec<(i64, String, String, String, String, Option<String>)> = sqlx::query_as(
        "SELECT at, kind, actor, unit_name, body, deadline FROM order_events WHERE order_id = $1 ORDER BY id",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let files: Vec<(i64, String, String, String, i64)> = sqlx::query_as(
        "SELECT rf.id, rf.kind, rf.file_name, u.display_name, rf.created_at FROM record_files rf
         JOIN users u ON u.id = rf.uploaded_by
         WHERE rf.entity = $1 AND rf.record_id = $2 AND rf.removed_at IS NULL ORDER BY rf.id",
    )
    .bind(super::files::ENTITY)
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let day = today().to_string();
    Ok(OrderDetail {
        files: files
            .into_iter()
            .map(|(id, kind, name, by, at)| OrderFile {
                id,
                label: super::files::label(&kind).to_string(),
                name,
                by,
                at,
            })
            .collect(),
        row: r.list_row(&day),
        may_answer: actor.role == Role::Owner && actor.unit_id == r.owner_unit_id,
        may_supervise: supervises(actor, &r.sector),
        unfiled: award.filing_id.is_none(),
        facts: r.facts,
        action: r.action,
        version: r.version,
        extension_until: r.extension_until,
        extension_reason: r.extension_reason,
        closed_on: r.closed_on,
        alerts: alerts.into_iter().map(OrderAlert::from).collect(),
        events: events
            .into_iter()
            .map(|(at, kind, actor, unit, body, deadline)| OrderEvent {
                at,
                label: Step::label(&kind).to_string(),
                actor,
                unit,
                body,
                deadline,
            })
            .collect(),
        today: day,
    })
}
