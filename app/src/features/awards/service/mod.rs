//! Award data: parsing records (`record`, one parser for files and the
//! API), upserting them idempotently (`upsert`), import reports
//! (`reports`), API tokens (`tokens`); the scoped list and one award here.
mod correct;
mod record;
mod reports;
mod tokens;
mod upsert;

pub use correct::*;
pub use record::*;
pub use reports::*;
pub use tokens::*;
pub use upsert::*;

use super::Award;
use crate::{
    domain::{Role, SectionKind},
    error::AppError,
    kit::table::{PER_PAGE, Page, Rows},
    platform::{
        actor::Actor,
        db::{Db, like_pattern},
        project::{ScopeBinds, scope_sql},
        time::today,
    },
};
use chrono::NaiveDate;
use sqlx::{Row, any::AnyRow};

const LIST_SELECT: &str =
    "SELECT a.id, a.project_code, a.section_code, a.project_name, a.section_name,
        a.owner_unit_id, o.name AS owner_name, c.name AS contractor_name, a.award_price_fen,
        a.award_date, a.tender_method, a.sector, a.section_kind, f.id AS filing_id, f.status AS filing_status
     FROM awards a
     JOIN units o ON o.id = a.owner_unit_id
     JOIN units c ON c.id = a.contractor_unit_id
     LEFT JOIN filings f ON f.award_id = a.id";

pub(crate) fn row_to_award(r: &AnyRow) -> Result<Award, AppError> {
    let award_date: String = r.try_get("award_date")?;
    let days = NaiveDate::parse_from_str(&award_date, "%Y-%m-%d")
        .map(|d| (today() - d).num_days())
        .unwrap_or(0);
    Ok(Award {
        id: r.try_get("id")?,
        project_code: r.try_get("project_code")?,
        section_code: r.try_get("section_code")?,
        project_name: r.try_get("project_name")?,
        section_name: r.try_get("section_name")?,
        owner_unit_id: r.try_get("owner_unit_id")?,
        owner_name: r.try_get("owner_name")?,
        contractor_name: r.try_get("contractor_name")?,
        award_price_fen: r.try_get("award_price_fen")?,
        award_date,
        tender_method: r.try_get("tender_method")?,
        sector: r.try_get("sector")?,
        section_kind: SectionKind::try_from(r.try_get::<String, _>("section_kind")?)
            .map_err(|_| AppError::Internal)?,
        filing_id: r.try_get("filing_id")?,
        filing_status: r.try_get("filing_status")?,
        days_since_award: days,
        can_file: false,
    })
}

/// Awards in the actor's scope. `status`: "" all, `pending` (no submitted
/// filing yet: 待备案), `filed` (已备案).
pub async fn list(
    db: &Db,
    actor: &Actor,
    q: &str,
    status: &str,
    rows: impl Into<Rows>,
) -> Result<Page<Award>, AppError> {
    actor.require(&[Role::Admin, Role::Supervisor, Role::Owner])?;
    let (limit, offset, page) = rows.into().window();
    let status = match status {
        "pending" | "filed" => status,
        _ => "",
    };
    let pattern = like_pattern(q);
    let s = ScopeBinds::of(actor);
    let filter = format!(
        "WHERE {} AND ($4 = '' OR a.project_name LIKE $4 ESCAPE '\\' OR a.section_name LIKE $4 ESCAPE '\\'
              OR a.project_code LIKE $4 ESCAPE '\\' OR o.name LIKE $4 ESCAPE '\\')
           AND ($5 = '' OR ($5 = 'filed' AND f.status = 'submitted')
                OR ($5 = 'pending' AND (f.status IS NULL OR f.status = 'draft')))",
        scope_sql(1)
    );
    let total: i64 = sqlx::query_scalar(&format!(
        "SELECT COUNT(*) FROM awards a JOIN units o ON o.id = a.owner_unit_id
         LEFT JOIN filings f ON f.award_id = a.id {filter}"
    ))
    .bind(s.mode)
    .bind(s.unit)
    .bind(&s.sector)
    .bind(&pattern)
    .bind(status)
    .fetch_one(&db.pool)
    .await?;
    let rows = sqlx::query(&format!(
        "{LIST_SELECT} {filter} ORDER BY a.award_date DESC, a.id DESC LIMIT $6 OFFSET $7"
    ))
    .bind(s.mode)
    .bind(s.unit)
    .bind(&s.sector)
    .bind(&pattern)
    .bind(status)
    .bind(limit)
    .bind(offset)
    .fetch_all(&db.pool)
    .await?;
    let mut items: Vec<Award> = rows.iter().map(row_to_award).collect::<Result<_, _>>()?;
    for a in &mut items {
        a.can_file = actor.role == Role::Owner && a.owner_unit_id == actor.unit_id;
    }
    Ok(Page {
        items,
        total,
        page,
        per_page: PER_PAGE,
    })
}

/// One award in the actor's scope.
pub async fn get(db: &Db, actor: &Actor, id: i64) -> Result<Award, AppError> {
    let s = ScopeBinds::of(actor);
    let row = sqlx::query(&format!("{LIST_SELECT} WHERE a.id = $1"))
        .bind(id)
        .fetch_optional(&db.pool)
        .await?
        .ok_or(AppError::NotFound)?;
    let award = row_to_award(&row)?;
    let visible: Option<i64> = sqlx::query_scalar(&format!(
        "SELECT a.id FROM awards a WHERE a.id = $1 AND {}",
        scope_sql(2)
    ))
    .bind(id)
    .bind(s.mode)
    .bind(s.unit)
    .bind(&s.sector)
    .fetch_optional(&db.pool)
    .await?;
    visible.map(|_| award).ok_or(AppError::Forbidden)
}

// --- import reports ---------------------------------------------------------
