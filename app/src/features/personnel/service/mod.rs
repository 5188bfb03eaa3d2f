//! Personnel changes: the scoped list, one change, the members a change can
//! replace, and the dated roster ("who was on it on a day"). Writes are in
//! `change.rs`; what submission does to the roster is `apply`.
mod change;

pub use change::*;

use super::{ChangeRow, MemberChoice, PersonnelChange, RECORD, RosterDay, RosterEntry};
use crate::{
    domain::{ROSTER_ROLES, RecordStatus, label_of, mask_id, parse_date},
    error::AppError,
    kit::table::{Page, Rows},
    platform::{
        actor::Actor,
        db::Db,
        project,
        records::{self, ListFilter},
    },
};
use sqlx::Row;

/// Personnel changes in the actor's scope under `filter`, latest first.
pub async fn list(
    db: &Db,
    actor: &Actor,
    filter: &ListFilter,
    rows: impl Into<Rows>,
) -> Result<Page<ChangeRow>, AppError> {
    records::list_page(
        db,
        actor,
        &RECORD,
        &["r.new_name", "(SELECT m.name FROM roster_members m WHERE m.id = r.member_id)"],
        "r.id, r.filing_id, a.project_name || ' · ' || a.section_name AS project, o.name AS owner_name,
         r.role, (SELECT m.name FROM roster_members m WHERE m.id = r.member_id) AS leaving, r.new_name,
         r.reason, r.effective_on, r.fine_fen, r.credit_points, r.interview, r.censure, r.status",
        "r.effective_on DESC, r.id DESC",
        filter,
        rows.into(),
        crate::features::rule_name,
    )
    .await
}

/// One change with its files and open alerts.
pub async fn get(db: &Db, actor: &Actor, id: i64) -> Result<PersonnelChange, AppError> {
    let mut conn = db.pool.acquire().await?;
    let (p, h) = records::read(&mut conn, actor, &RECORD, id).await?;
    let r = sqlx::query(
        "SELECT c.*, m.name AS leaving_name, m.id_number AS leaving_id, m.joined_on AS leaving_since
         FROM personnel_changes c JOIN roster_members m ON m.id = c.member_id WHERE c.id = $1",
    )
    .bind(id)
    .fetch_one(&mut *conn)
    .await?;
    let files = records::files(&mut conn, &RECORD, id).await?;
    let flags = records::open_flags(&mut conn, &RECORD, &[id]).await?;
    let owner = p.may_write(actor);
    let id_number: String = r.try_get("new_id_number")?;
    let mobile: String = r.try_get("new_mobile")?;
    Ok(PersonnelChange {
        id,
        filing_id: p.id,
        project: p.label(),
        status: h.status,
        member_id: r.try_get("member_id")?,
        role: r.try_get("role")?,
        leaving: format!(
            "{}（{}）",
            r.try_get::<String, _>("leaving_name")?,
            mask_id(&r.try_get::<String, _>("leaving_id")?)
        ),
        leaving_since: r
            .try_get::<Option<String>, _>("leaving_since")?
            .unwrap_or_default(),
        new_name: r.try_get("new_name")?,
        // The owner edits the full numbers; readers see them masked.
        new_id_number: if owner {
            id_number
        } else {
            mask_id(&id_number)
        },
        new_mobile: if owner {
            mobile
        } else {
            crate::domain::Mobile::parse(&mobile)
                .map(|m| m.masked())
                .unwrap_or_default()
        },
        new_cert_no: r.try_get("new_cert_no")?,
        reason: r.try_get("reason")?,
        reason_text: r.try_get("reason_text")?,
        effective_on: r.try_get("effective_on")?,
        fine_fen: r.try_get("fine_fen")?,
        credit_points: r.try_get("credit_points")?,
        interview: r.try_get::<i64, _>("interview")? == 1,
        censure: r.try_get::<i64, _>("censure")? == 1,
        penalty_other: r.try_get("penalty_other")?,
        void_reason: r.try_get("void_reason")?,
        submitted_at: r.try_get("submitted_at")?,
        version: h.version,
        editable: owner && h.status != RecordStatus::Voided,
        files,
        flags: crate::features::flag_names(flags.get(&id)),
    })
}

/// The members a change may replace: the project's current roster.
pub async fn members(
    db: &Db,
    actor: &Actor,
    filing_id: i64,
) -> Result<Vec<MemberChoice>, AppError> {
    let mut conn = db.pool.acquire().await?;
    let p = project::read(&mut conn, actor, filing_id).await?;
    if !p.may_write(actor) {
        return Err(AppError::Forbidden);
    }
    let rows = sqlx::query(
        "SELECT id, role, name, joined_on FROM roster_members WHERE filing_id = $1 AND removed_at IS NULL ORDER BY id",
    )
    .bind(p.id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            let role: String = r.try_get("role")?;
            Ok(MemberChoice {
                id: r.try_get("id")?,
                label: format!(
                    "{} {}（{} 起）",
                    label_of(&ROSTER_ROLES, &role),
                    r.try_get::<String, _>("name")?,
                    r.try_get::<Option<String>, _>("joined_on")?
                        .unwrap_or_default()
                ),
            })
        })
        .collect()
}

/// Who was on the project's roster on `day`: joined by then and not left.
pub async fn roster_on(
    db: &Db,
    actor: &Actor,
    filing_id: i64,
    day: &str,
) -> Result<RosterDay, AppError> {
    // The project's scope first: another unit is refused whatever it sent.
    let mut conn = db.pool.acquire().await?;
    let p = project::read(&mut conn, actor, filing_id).await?;
    let day = parse_date(day, "日期").map_err(|e| AppError::field("day", e))?;
    let d = day.to_string();
    let rows = sqlx::query(
        "SELECT role, name, joined_on, left_on FROM roster_members
         WHERE filing_id = $1 AND joined_on <= $2 AND (left_on IS NULL OR left_on > $3) ORDER BY id",
    )
    .bind(p.id)
    .bind(&d)
    .bind(&d)
    .fetch_all(&mut *conn)
    .await?;
    let members = rows
        .iter()
        .map(|r| {
            Ok(RosterEntry {
                role: label_of(&ROSTER_ROLES, &r.try_get::<String, _>("role")?).to_string(),
                name: r.try_get("name")?,
                joined_on: r
                    .try_get::<Option<String>, _>("joined_on")?
                    .unwrap_or_default(),
                left_on: r.try_get("left_on")?,
            })
        })
        .collect::<Result<_, AppError>>()?;
    Ok(RosterDay {
        filing_id: p.id,
        project: p.label(),
        day: d,
        members,
    })
}

#[cfg(feature = "ssr")]
impl records::Flagged for ChangeRow {
    fn record_id(&self) -> i64 {
        self.id
    }
    fn set_flags(&mut self, names: Vec<String>) {
        self.flags = names;
    }
}
