//! Contract filings: drafts, corrections, rosters with logins, attachments'
//! records, lists in scope, the back-entry report and the project picker.
//! The writes are split by aggregate: the filing itself (`filing`), its
//! roster (`roster`), its attachments (`attachments`); the form parsers are
//! in `form`. Reads and the helpers the writes share are here.
mod attachments;
mod filing;
mod form;
mod roster;

pub use attachments::*;
pub use filing::*;
pub use form::*;
pub use roster::*;

use super::{Attachment, BackEntryRow, Filing, FilingRow, ProjectOption, RosterMember};
use crate::{
    domain::{FilingStatus, Mobile, Role, mask_id, required_text},
    error::AppError,
    features::awards::service as awards,
    kit::table::{PER_PAGE, Page, Rows},
    platform::{
        actor::Actor,
        audit::AuditedTx,
        db::{Db, like_pattern},
        project::{self, Project, ScopeBinds, scope_sql},
        settings::filing_obligation_start,
    },
};
use chrono::NaiveDate;
use sqlx::{AnyConnection, Row, any::AnyRow};

/// A correction (after submission) needs a reason; a draft edit does not.
pub(super) fn correction_of(p: &Project, reason: &str) -> Result<Option<String>, AppError> {
    if p.is_submitted() {
        Ok(Some(
            required_text(reason, "更正原因", 200).map_err(|e| AppError::field("reason", e))?,
        ))
    } else {
        Ok(None)
    }
}

/// Loads the filing for a write by its owner unit (locked until commit),
/// checking the reason a correction needs. Returns the project and the
/// correction's reason, if this is one.
pub(super) async fn for_write(
    tx: &mut AuditedTx<'_>,
    actor: &Actor,
    id: i64,
    reason: &str,
) -> Result<(Project, Option<String>), AppError> {
    let p = project::for_owner(tx, actor, id).await?;
    let correction = correction_of(&p, reason)?;
    Ok((p, correction))
}

pub(super) fn award_day(p: &Project) -> Result<NaiveDate, AppError> {
    NaiveDate::parse_from_str(&p.award_date, "%Y-%m-%d").map_err(|_| AppError::Internal)
}

pub async fn get(db: &Db, actor: &Actor, id: i64) -> Result<Filing, AppError> {
    let mut conn = db.pool.acquire().await?;
    let p = project::read(&mut conn, actor, id).await?;
    let award = awards::get(db, actor, p.award_id).await?;
    let r = sqlx::query(
        "SELECT f.*, s.name AS supervisor_engineer_name FROM filings f
         LEFT JOIN units s ON s.id = f.supervisor_engineer_unit_id WHERE f.id = $1",
    )
    .bind(id)
    .fetch_one(&mut *conn)
    .await?;
    let roster = roster(&mut conn, id).await?;
    let attachments = attachments(&mut conn, id).await?;
    Ok(Filing {
        id,
        editable: p.may_write(actor),
        award,
        status: FilingStatus::try_from(r.try_get::<String, _>("status")?)
            .map_err(|_| AppError::Internal)?,
        contract_no: r.try_get("contract_no")?,
        signed_on: r.try_get("signed_on")?,
        contract_price_fen: r.try_get("contract_price_fen")?,
        duration_days: r.try_get("duration_days")?,
        planned_start: r.try_get("planned_start")?,
        planned_completion: r.try_get("planned_completion")?,
        payment_terms: r.try_get("payment_terms")?,
        supervisor_engineer_unit_id: r.try_get("supervisor_engineer_unit_id")?,
        supervisor_engineer_name: r.try_get("supervisor_engineer_name")?,
        remarks: r.try_get("remarks")?,
        back_entry: r.try_get::<i64, _>("back_entry")? != 0,
        price_flag: r.try_get::<i64, _>("price_flag")? != 0,
        version: r.try_get("version")?,
        submitted_at: r.try_get("submitted_at")?,
        updated_at: r.try_get("updated_at")?,
        roster,
        attachments,
    })
}

pub(super) async fn roster(
    conn: &mut AnyConnection,
    filing_id: i64,
) -> Result<Vec<RosterMember>, AppError> {
    let rows = sqlx::query(
        "SELECT m.id, m.role, m.name, m.id_number, m.mobile, m.cert_no, u.username, m.joined_on
         FROM roster_members m JOIN users u ON u.id = m.user_id
         WHERE m.filing_id = $1 AND m.removed_at IS NULL ORDER BY m.id",
    )
    .bind(filing_id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            let id_number: String = r.try_get("id_number")?;
            let mobile: String = r.try_get("mobile")?;
            Ok(RosterMember {
                id: r.try_get("id")?,
                role: r.try_get("role")?,
                name: r.try_get("name")?,
                id_number: mask_id(&id_number),
                mobile: Mobile::parse(&mobile).map(|m| m.masked()).unwrap_or(mobile),
                cert_no: r.try_get("cert_no")?,
                username: r.try_get("username")?,
                joined_on: r.try_get("joined_on")?,
            })
        })
        .collect()
}

pub(super) async fn attachments(
    conn: &mut AnyConnection,
    filing_id: i64,
) -> Result<Vec<Attachment>, AppError> {
    let rows = sqlx::query(
        "SELECT id, kind, file_name, content_type, size_bytes, created_at FROM attachments
         WHERE filing_id = $1 AND removed_at IS NULL ORDER BY id",
    )
    .bind(filing_id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Attachment {
                id: r.try_get("id")?,
                kind: r.try_get("kind")?,
                file_name: r.try_get("file_name")?,
                content_type: r.try_get("content_type")?,
                size_bytes: r.try_get("size_bytes")?,
                created_at: r.try_get("created_at")?,
            })
        })
        .collect()
}

fn row_to_filing(r: &AnyRow) -> Result<FilingRow, AppError> {
    Ok(FilingRow {
        id: r.try_get("id")?,
        project_name: r.try_get("project_name")?,
        section_name: r.try_get("section_name")?,
        owner_name: r.try_get("owner_name")?,
        contractor_name: r.try_get("contractor_name")?,
        status: FilingStatus::try_from(r.try_get::<String, _>("status")?)
            .map_err(|_| AppError::Internal)?,
        contract_no: r.try_get("contract_no")?,
        contract_price_fen: r.try_get("contract_price_fen")?,
        revised_price_fen: r.try_get("revised_price_fen")?,
        signed_on: r.try_get("signed_on")?,
        back_entry: r.try_get::<i64, _>("back_entry")? != 0,
        price_flag: r.try_get::<i64, _>("price_flag")? != 0,
        updated_at: r.try_get("updated_at")?,
    })
}

/// Filings in scope. `status`: "", `draft`, `submitted`, `back_entry`, `price_flag`.
pub async fn list(
    db: &Db,
    actor: &Actor,
    q: &str,
    status: &str,
    rows: impl Into<Rows>,
) -> Result<Page<FilingRow>, AppError> {
    actor.require(&[Role::Admin, Role::Supervisor, Role::Owner])?;
    let (limit, offset, page) = rows.into().window();
    let status = match status {
        "draft" | "submitted" | "back_entry" | "price_flag" => status,
        _ => "",
    };
    let s = ScopeBinds::of(actor);
    let from = "FROM filings f JOIN awards a ON a.id = f.award_id
        JOIN units o ON o.id = a.owner_unit_id JOIN units c ON c.id = a.contractor_unit_id";
    let filter = format!(
        "WHERE {} AND ($4 = '' OR a.project_name LIKE $4 ESCAPE '\\' OR a.section_name LIKE $4 ESCAPE '\\'
              OR f.contract_no LIKE $4 ESCAPE '\\' OR c.name LIKE $4 ESCAPE '\\' OR o.name LIKE $4 ESCAPE '\\')
           AND ($5 = '' OR f.status = $5 OR ($5 = 'back_entry' AND f.back_entry = 1)
                OR ($5 = 'price_flag' AND f.price_flag = 1))",
        scope_sql(1)
    );
    let pattern = like_pattern(q);
    let total: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) {from} {filter}"))
        .bind(s.mode)
        .bind(s.unit)
        .bind(&s.sector)
        .bind(&pattern)
        .bind(status)
        .fetch_one(&db.pool)
        .await?;
    let rows = sqlx::query(&format!(
        "SELECT f.id, a.project_name, a.section_name, o.name AS owner_name, c.name AS contractor_name,
                f.status, f.contract_no, f.contract_price_fen, {revised} AS revised_price_fen, f.signed_on,
                f.back_entry, f.price_flag, f.updated_at
         {from} {filter} ORDER BY f.updated_at DESC, f.id DESC LIMIT $6 OFFSET $7",
        revised = project::REVISED_PRICE_SQL
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
    Ok(Page {
        items: rows.iter().map(row_to_filing).collect::<Result<_, _>>()?,
        total,
        page,
        per_page: PER_PAGE,
    })
}

pub async fn supervisor_engineers(db: &Db) -> Result<Vec<(i64, String)>, AppError> {
    let rows =
        sqlx::query("SELECT id, name FROM units WHERE kind = 'supervisor_engineer' ORDER BY name")
            .fetch_all(&db.pool)
            .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("id")?, r.try_get("name")?)))
        .collect()
}

// --- writing -------------------------------------------------------------------

/// Per owner unit in scope: awards since 2022-06-30, filed or not, and back-entries.
pub async fn back_entry_report(db: &Db, actor: &Actor) -> Result<Vec<BackEntryRow>, AppError> {
    actor.require(&[Role::Admin, Role::Supervisor])?;
    let s = ScopeBinds::of(actor);
    let rows = sqlx::query(&format!(
        "SELECT o.name AS owner_name, COUNT(a.id) AS awards,
                SUM(CASE WHEN f.status = 'submitted' THEN 1 ELSE 0 END) AS filed,
                SUM(CASE WHEN f.status = 'submitted' AND f.back_entry = 1 THEN 1 ELSE 0 END) AS back_entries
         FROM awards a JOIN units o ON o.id = a.owner_unit_id LEFT JOIN filings f ON f.award_id = a.id
         WHERE a.award_date >= $1 AND {}
         GROUP BY o.id, o.name ORDER BY o.name",
        scope_sql(2)
    ))
    .bind(filing_obligation_start().to_string())
    .bind(s.mode)
    .bind(s.unit)
    .bind(&s.sector)
    .fetch_all(&db.pool)
    .await?;
    rows.iter()
        .map(|r| {
            let awards: i64 = r.try_get("awards")?;
            let filed: i64 = r.try_get::<Option<i64>, _>("filed")?.unwrap_or(0);
            Ok(BackEntryRow {
                owner_name: r.try_get("owner_name")?,
                awards,
                filed,
                unfiled: awards - filed,
                back_entries: r.try_get::<Option<i64>, _>("back_entries")?.unwrap_or(0),
            })
        })
        .collect()
}

/// Submitted filings in the actor's scope, for the later modules' pickers.
pub async fn project_options(db: &Db, actor: &Actor) -> Result<Vec<ProjectOption>, AppError> {
    let s = ScopeBinds::of(actor);
    let rows = sqlx::query(&format!(
        "SELECT f.id, a.project_name, a.section_name FROM filings f JOIN awards a ON a.id = f.award_id
         WHERE f.status = 'submitted' AND {} ORDER BY a.project_name, a.section_name",
        scope_sql(1)
    ))
    .bind(s.mode)
    .bind(s.unit)
    .bind(&s.sector)
    .fetch_all(&db.pool)
    .await?;
    rows.iter()
        .map(|r| {
            let (p, sec): (String, String) =
                (r.try_get("project_name")?, r.try_get("section_name")?);
            Ok(ProjectOption {
                id: r.try_get("id")?,
                label: format!("{p} · {sec}"),
            })
        })
        .collect()
}
