//! Progress: the scoped list of filed projects with their latest month, one
//! project's progress page, one month's update. Writes: `site.rs` (the
//! progress record) and `month.rs` (monthly updates).
mod month;
mod site;

pub use month::*;
pub use site::*;

use super::{AreaShape, MonthItem, MonthRecord, ProgressRow, ProgressView, RECORD, Site};
use crate::{
    domain::{
        RecordStatus,
        progress::{Month, ProgressState, planned_pct},
    },
    error::AppError,
    kit::table::{Page, Rows},
    platform::{
        actor::Actor,
        db::{Db, like_pattern},
        project::{self, Project},
        records,
        settings::Settings,
        time::today,
    },
};
use chrono::NaiveDate;
use sqlx::{AnyConnection, Row};

/// The rules of this feature, whose open alerts the pages show.
pub const RULE_CODES: &[&str] = &[
    "progress_missing",
    "progress_behind",
    "progress_far_behind",
    "completion_overdue",
    "stopped_long",
    "paid_ahead",
];

/// What the progress list is filtered by.
#[derive(Debug, Clone, Default)]
pub struct ProgressFilter {
    pub q: String,
    /// A state code, `none` (nothing reported), `flagged` or "".
    pub state: String,
}

impl ProgressFilter {
    pub fn parse(q: &str, state: &str) -> Self {
        let state = match state {
            "none" | "flagged" => state,
            s if ProgressState::parse(s).is_some() => s,
            _ => "",
        };
        Self {
            q: q.trim().to_string(),
            state: state.to_string(),
        }
    }
}

pub(crate) fn iso(s: Option<&str>) -> Option<NaiveDate> {
    s.and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
}

/// The planned line of a project: (start, revised completion).
pub(crate) fn plan(
    planned_start: Option<&str>,
    planned_completion: Option<&str>,
    change_days: i64,
) -> Option<(NaiveDate, NaiveDate)> {
    let start = iso(planned_start)?;
    let end = iso(planned_completion)?.checked_add_signed(chrono::Duration::days(change_days))?;
    Some((start, end))
}

fn flags_sql() -> String {
    let codes: Vec<String> = RULE_CODES.iter().map(|c| format!("'{c}'")).collect();
    format!(
        "EXISTS (SELECT 1 FROM alerts x WHERE x.filing_id = f.id AND x.cleared_on IS NULL AND x.kind IN ({}))",
        codes.join(", ")
    )
}

type Query<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>;

/// Binds the list's `$1..$6`: scope, search, state.
fn bind_filter<'q>(q: Query<'q>, actor: &Actor, f: &ProgressFilter) -> Query<'q> {
    let s = project::ScopeBinds::of(actor);
    q.bind(s.mode)
        .bind(s.unit)
        .bind(s.sector)
        .bind(f.q.clone())
        .bind(like_pattern(&f.q))
        .bind(f.state.clone())
}

/// Filed construction projects in the actor's scope with their latest
/// submitted month (supervision contracts follow their works' progress).
pub async fn list(
    db: &Db,
    actor: &Actor,
    filter: &ProgressFilter,
    rows: impl Into<Rows>,
) -> Result<Page<ProgressRow>, AppError> {
    actor.require(&[
        crate::domain::Role::Admin,
        crate::domain::Role::Supervisor,
        crate::domain::Role::Owner,
    ])?;
    let (limit, offset, page) = rows.into().window();
    let from = format!(
        "FROM filings f JOIN awards a ON a.id = f.award_id JOIN units o ON o.id = a.owner_unit_id
         JOIN units c ON c.id = a.contractor_unit_id
         LEFT JOIN progress p ON p.filing_id = f.id
         LEFT JOIN progress_months lm ON lm.id = (SELECT x.id FROM progress_months x
              WHERE x.filing_id = f.id AND x.status = 'submitted' ORDER BY x.month DESC LIMIT 1)
         WHERE {scope} AND f.status = 'submitted' AND a.section_kind <> 'supervision'
           AND ($4 = '' OR a.project_name LIKE $5 ESCAPE '\\' OR a.section_name LIKE $5 ESCAPE '\\'
                OR o.name LIKE $5 ESCAPE '\\' OR c.name LIKE $5 ESCAPE '\\')
           AND ($6 = '' OR lm.state = $6 OR ($6 = 'none' AND lm.id IS NULL) OR ($6 = 'flagged' AND {flagged}))",
        scope = project::scope_sql(1),
        flagged = flags_sql(),
    );
    let mut conn = db.pool.acquire().await?;
    let count = format!("SELECT COUNT(*) AS n {from}");
    let total: i64 = bind_filter(sqlx::query(&count), actor, filter)
        .fetch_one(&mut *conn)
        .await?
        .try_get("n")?;
    let sql = format!(
        "SELECT f.id AS filing_id, a.project_name || ' · ' || a.section_name AS project, o.name AS owner_name,
                c.name AS contractor_name, f.planned_start, f.planned_completion,
                CAST(COALESCE((SELECT SUM(ch.days_delta) FROM project_changes ch
                    WHERE ch.filing_id = f.id AND ch.status = 'submitted'), 0) AS BIGINT) AS change_days,
                p.site_lat, lm.month, lm.percent, lm.state
         {from} ORDER BY f.id DESC LIMIT $7 OFFSET $8",
    );
    let found = bind_filter(sqlx::query(&sql), actor, filter)
        .bind(limit)
        .bind(offset)
        .fetch_all(&mut *conn)
        .await?;
    let today = today();
    let mut items = Vec::with_capacity(found.len());
    for r in &found {
        let planned = plan(
            r.try_get::<Option<String>, _>("planned_start")?.as_deref(),
            r.try_get::<Option<String>, _>("planned_completion")?
                .as_deref(),
            r.try_get("change_days")?,
        );
        let month: Option<String> = r.try_get("month")?;
        let at = month
            .as_deref()
            .and_then(Month::parse)
            .map(|m| m.last().min(today))
            .unwrap_or(today);
        let state: Option<String> = r.try_get("state")?;
        items.push(ProgressRow {
            filing_id: r.try_get("filing_id")?,
            project: r.try_get("project")?,
            owner_name: r.try_get("owner_name")?,
            contractor_name: r.try_get("contractor_name")?,
            has_site: r.try_get::<Option<f64>, _>("site_lat")?.is_some(),
            month,
            percent: r.try_get("percent")?,
            state: state.as_deref().and_then(ProgressState::parse),
            planned_pct: planned.map(|(s, e)| planned_pct(s, e, at)),
            revised_completion: planned.map(|(_, e)| e.to_string()),
            flags: Vec::new(),
        });
    }
    let ids: Vec<i64> = items.iter().map(|r| r.filing_id).collect();
    let mut names = open_rule_names_of(&mut conn, &ids).await?;
    for item in &mut items {
        item.flags = names.remove(&item.filing_id).unwrap_or_default();
    }
    Ok(Page {
        items,
        total,
        page,
        per_page: crate::kit::table::PER_PAGE,
    })
}

/// The progress record of a project, if there is one.
pub(crate) async fn site_of(
    conn: &mut AnyConnection,
    filing_id: i64,
) -> Result<Option<Site>, AppError> {
    let r = sqlx::query(
        "SELECT actual_start, address, site_lat, site_lng, version FROM progress WHERE filing_id = $1",
    )
    .bind(filing_id)
    .fetch_optional(conn)
    .await?;
    r.map(|r| {
        Ok(Site {
            actual_start: r.try_get("actual_start")?,
            address: r.try_get("address")?,
            lat: r.try_get("site_lat")?,
            lng: r.try_get("site_lng")?,
            version: r.try_get("version")?,
        })
    })
    .transpose()
}

/// The names of the open alerts from these rules, per project of `ids`.
async fn open_rule_names_of(
    conn: &mut AnyConnection,
    ids: &[i64],
) -> Result<std::collections::HashMap<i64, Vec<String>>, AppError> {
    let mut out: std::collections::HashMap<i64, Vec<String>> = Default::default();
    if ids.is_empty() {
        return Ok(out);
    }
    // Codes and integer ids only: safe to inline.
    let codes: Vec<String> = RULE_CODES.iter().map(|c| format!("'{c}'")).collect();
    let list: Vec<String> = ids.iter().map(i64::to_string).collect();
    let rows: Vec<(i64, String)> = sqlx::query_as(&format!(
        "SELECT filing_id, kind FROM alerts WHERE cleared_on IS NULL AND kind IN ({}) AND filing_id IN ({})
         ORDER BY filing_id, kind",
        codes.join(", "),
        list.join(", ")
    ))
    .fetch_all(conn)
    .await?;
    for (filing_id, kind) in rows {
        let names = out.entry(filing_id).or_default();
        let name = crate::features::rule_name(&kind).to_string();
        if !names.contains(&name) {
            names.push(name);
        }
    }
    Ok(out)
}

/// The planned line of a filed project as of today.
async fn plan_of(
    conn: &mut AnyConnection,
    p: &Project,
) -> Result<Option<(NaiveDate, NaiveDate)>, AppError> {
    let f = project::figures(conn, p, today()).await?;
    Ok(iso(p.planned_start.as_deref()).zip(iso(f.revised_completion.as_deref())))
}

/// A project's progress page: the record, every month, the areas.
pub async fn view(
    db: &Db,
    actor: &Actor,
    settings: &Settings,
    filing_id: i64,
) -> Result<ProgressView, AppError> {
    let mut conn = db.pool.acquire().await?;
    let p = project::read(&mut conn, actor, filing_id).await?;
    if !p.is_submitted() {
        return Err(AppError::invalid(
            "该项目尚未提交备案，备案后才能填报工程进度",
        ));
    }
    let planned = plan_of(&mut conn, &p).await?;
    let site = site_of(&mut conn, p.id).await?;
    let mut months: Vec<MonthItem> = sqlx::query_as(
        "SELECT m.id, m.month, m.percent, m.state, m.work_done, m.investment_fen, m.drop_reason, m.status,
                (SELECT COUNT(*) FROM record_files rf WHERE rf.entity = 'progress_month' AND rf.record_id = m.id
                   AND rf.kind = 'photo' AND rf.removed_at IS NULL) AS photos
         FROM progress_months m WHERE m.filing_id = $1 ORDER BY m.month DESC, m.id DESC",
    )
    .bind(p.id)
    .fetch_all(&mut *conn)
    .await?;
    for m in &mut months {
        m.planned_pct = planned
            .zip(Month::parse(&m.month))
            .map(|((s, e), month)| planned_pct(s, e, month.last()));
    }
    let areas = sqlx::query_as::<_, (String, String)>(
        "SELECT name, geojson FROM attendance_areas WHERE filing_id = $1 AND removed_at IS NULL ORDER BY id",
    )
    .bind(p.id)
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|(name, geojson)| AreaShape { name, geojson })
    .collect();
    let now = Month::of(today());
    let next_month = months
        .iter()
        .filter(|m| m.status != RecordStatus::Voided)
        .filter_map(|m| Month::parse(&m.month))
        .max()
        .map(|m| m.next().min(now))
        .or_else(|| {
            site.as_ref()
                .and_then(|s| iso(s.actual_start.as_deref()))
                .or(p.signed_day())
                .map(Month::of)
        })
        .unwrap_or(now)
        .to_string();
    Ok(ProgressView {
        filing_id: p.id,
        project: p.label(),
        owner_name: p.owner_name.clone(),
        contractor_name: p.contractor_name.clone(),
        editable: p.may_write(actor),
        signed_on: p.signed_on.clone(),
        planned_start: p.planned_start.clone(),
        planned_completion: p.planned_completion.clone(),
        revised_completion: planned.map(|(_, e)| e.to_string()),
        site,
        months,
        areas,
        tile_url: settings.tile_url.clone(),
        tile_datum: settings.tile_datum.clone(),
        next_month,
        flags: open_rule_names_of(&mut conn, &[p.id])
            .await?
            .remove(&p.id)
            .unwrap_or_default(),
    })
}

/// The percent of the latest submitted month before `month` (not `id`).
pub(crate) async fn prior_percent(
    conn: &mut AnyConnection,
    filing_id: i64,
    month: &str,
    id: i64,
) -> Result<Option<i64>, AppError> {
    Ok(sqlx::query_scalar(
        "SELECT percent FROM progress_months WHERE filing_id = $1 AND status = 'submitted' AND month < $2 AND id <> $3
         ORDER BY month DESC LIMIT 1",
    )
    .bind(filing_id)
    .bind(month)
    .bind(id)
    .fetch_optional(conn)
    .await?)
}

/// One month's update.
pub async fn month(db: &Db, actor: &Actor, id: i64) -> Result<MonthRecord, AppError> {
    let mut conn = db.pool.acquire().await?;
    let (p, h) = records::read(&mut conn, actor, &RECORD, id).await?;
    let r = sqlx::query("SELECT * FROM progress_months WHERE id = $1")
        .bind(id)
        .fetch_one(&mut *conn)
        .await?;
    let month: String = r.try_get("month")?;
    let state: String = r.try_get("state")?;
    let planned = plan_of(&mut conn, &p).await?;
    let flags = records::open_flags(&mut conn, &RECORD, &[id]).await?;
    Ok(MonthRecord {
        id,
        filing_id: p.id,
        project: p.label(),
        status: h.status,
        prior_percent: prior_percent(&mut conn, p.id, &month, id).await?,
        planned_pct: planned
            .zip(Month::parse(&month))
            .map(|((s, e), m)| planned_pct(s, e, m.last())),
        month,
        percent: r.try_get("percent")?,
        state: ProgressState::parse(&state).ok_or(AppError::Internal)?,
        work_done: r.try_get("work_done")?,
        investment_fen: r.try_get("investment_fen")?,
        drop_reason: r.try_get("drop_reason")?,
        void_reason: r.try_get("void_reason")?,
        version: h.version,
        editable: p.may_write(actor) && h.status != RecordStatus::Voided,
        files: records::files(&mut conn, &RECORD, id).await?,
        flags: crate::features::flag_names(flags.get(&id)),
    })
}
