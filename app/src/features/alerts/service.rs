//! The alert list (scoped, filtered, paged) and the rules' settings
//! (`settings.rs`, re-exported here).
pub use super::settings::{RuleForm, list as list_rules, save};

use super::{AlertRow, SEVERITIES, STATES};
use crate::{
    domain::{Role, SECTORS, sector_label},
    error::AppError,
    features::rule_name,
    kit::table::{Page, Rows},
    platform::{
        actor::Actor,
        db::{Db, like_pattern},
        project::{ScopeBinds, scope_sql},
        rules::Severity,
    },
};
use sqlx::FromRow;

/// The list's filters, each parsed to a known value or "" (all).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AlertFilter {
    pub q: String,
    pub state: &'static str,
    pub severity: &'static str,
    pub rule: String,
    pub sector: &'static str,
    /// An owner unit's id, 0 for all.
    pub unit: i64,
}

impl AlertFilter {
    pub fn parse(
        q: &str,
        state: &str,
        severity: &str,
        rule: &str,
        sector: &str,
        unit: &str,
    ) -> Self {
        Self {
            q: like_pattern(q),
            state: crate::kit::table::choice(&STATES, state),
            severity: crate::kit::table::choice(&SEVERITIES, severity),
            rule: crate::features::rule_infos()
                .into_iter()
                .find(|i| i.code == rule)
                .map_or(String::new(), |i| i.code.to_string()),
            sector: crate::kit::table::choice(&SECTORS, sector),
            unit: unit.trim().parse().unwrap_or(0),
        }
    }

    /// Open alerts only (the home page's count).
    pub fn open() -> Self {
        Self {
            state: "open",
            ..Self::default()
        }
    }
}

#[derive(FromRow)]
struct Row {
    id: i64,
    kind: String,
    severity: String,
    filing_id: Option<i64>,
    /// The award's submitted filing, if any (its project's file).
    filed_id: Option<i64>,
    award_id: i64,
    project_code: String,
    project_name: String,
    section_name: String,
    owner: String,
    sector: String,
    period: String,
    started_on: Option<String>,
    message: String,
    created_at: i64,
    cleared_on: Option<String>,
    order_id: Option<i64>,
    order_no: Option<String>,
}

// An alert names its award always, its filing when there is one.
const FROM: &str =
    "FROM alerts x JOIN awards a ON a.id = x.award_id JOIN units o ON o.id = a.owner_unit_id";

fn filter_sql() -> String {
    format!(
        "WHERE {}
           AND ($4 = '' OR ($4 = 'open' AND x.cleared_on IS NULL) OR ($4 = 'cleared' AND x.cleared_on IS NOT NULL))
           AND ($5 = '' OR x.severity = $5)
           AND ($6 = '' OR x.kind = $6)
           AND ($7 = '' OR a.sector = $7)
           AND ($8 = '' OR a.project_name LIKE $8 ESCAPE '\\' OR a.section_name LIKE $8 ESCAPE '\\'
                OR o.name LIKE $8 ESCAPE '\\' OR x.message LIKE $8 ESCAPE '\\')
           AND ($9 = 0 OR a.owner_unit_id = $9)",
        scope_sql(1)
    )
}

/// The alerts in the viewer's scope under `f`: open first, newest first.
pub async fn list(
    db: &Db,
    actor: &Actor,
    f: &AlertFilter,
    rows: impl Into<Rows>,
) -> Result<Page<AlertRow>, AppError> {
    actor.require(&[Role::Admin, Role::Supervisor, Role::Owner])?;
    let (limit, offset, page) = rows.into().window();
    let s = ScopeBinds::of(actor);
    let filter = filter_sql();
    let total: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) {FROM} {filter}"))
        .bind(s.mode)
        .bind(s.unit)
        .bind(&s.sector)
        .bind(f.state)
        .bind(f.severity)
        .bind(&f.rule)
        .bind(f.sector)
        .bind(&f.q)
        .bind(f.unit)
        .fetch_one(&db.pool)
        .await?;
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT x.id, x.kind, x.severity, x.filing_id,
                (SELECT f2.id FROM filings f2 WHERE f2.award_id = a.id AND f2.status = 'submitted') AS filed_id,
                x.award_id, a.project_code, a.project_name, a.section_name, o.name AS owner,
                a.sector, x.period, x.started_on, x.message, x.created_at, x.cleared_on,
                so.id AS order_id, so.order_no
         {FROM}
         LEFT JOIN supervision_orders so ON so.id = (SELECT MAX(oa.order_id) FROM order_alerts oa WHERE oa.alert_id = x.id)
         {filter}
         ORDER BY (CASE WHEN x.cleared_on IS NULL THEN 0 ELSE 1 END), x.created_at DESC, x.id DESC
         LIMIT $10 OFFSET $11"
    ))
    .bind(s.mode)
    .bind(s.unit)
    .bind(&s.sector)
    .bind(f.state)
    .bind(f.severity)
    .bind(&f.rule)
    .bind(f.sector)
    .bind(&f.q)
    .bind(f.unit)
    .bind(limit)
    .bind(offset)
    .fetch_all(&db.pool)
    .await?;
    Ok(Page {
        items: rows.into_iter().map(AlertRow::from).collect(),
        total,
        page,
        per_page: crate::kit::table::PER_PAGE,
    })
}

impl From<Row> for AlertRow {
    fn from(r: Row) -> Self {
        let severity = Severity::from_code(&r.severity);
        Self {
            id: r.id,
            rule: rule_name(&r.kind).to_string(),
            kind: r.kind,
            severity: severity.label().to_string(),
            filing_id: r.filing_id,
            dossier: r.filed_id,
            link: crate::platform::project::award_link(r.filing_id, &r.project_code),
            award_id: r.award_id,
            project: format!("{} · {}", r.project_name, r.section_name),
            owner: r.owner,
            sector: sector_label(&r.sector).to_string(),
            // Attendance alerts carry their month as the period.
            started_on: r.started_on.unwrap_or(r.period),
            message: r.message,
            created_at: r.created_at,
            cleared_on: r.cleared_on,
            order: r.order_id.zip(r.order_no),
        }
    }
}

/// How many alerts are open in the viewer's scope.
pub async fn open_count(db: &Db, actor: &Actor) -> Result<i64, AppError> {
    Ok(list(db, actor, &AlertFilter::open(), 1).await?.total)
}
