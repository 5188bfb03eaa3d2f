//! Attendance: areas (here), the check-in decision (`checkin`), calendars
//! and month views (`calendar`), flagged check-ins and their photos (here).
mod calendar;
pub(super) mod checkin;
mod days;
mod leads;
mod mine;
mod rates;

pub use calendar::*;
pub use checkin::*;
pub use days::*;
pub use leads::*;
pub use mine::*;
pub use rates::*;

use super::{
    FlaggedCheckin,
    geometry::{Area, AreaLimits},
};
use crate::{
    domain::Role,
    error::AppError,
    platform::{
        actor::Actor,
        audit::AuditedTx,
        db::Db,
        project::{self, ScopeBinds, scope_sql},
        settings::Settings,
        time::now_ms,
    },
};
use serde::Serialize;
use sqlx::Row;

/// Adds an attendance area to a filing of the owner's unit. Returns its id.
pub async fn add_area(
    db: &Db,
    actor: &Actor,
    filing_id: i64,
    name: &str,
    geojson: &str,
) -> Result<i64, AppError> {
    actor.require(&[Role::Owner])?;
    // Another unit's project is refused before its input is looked at.
    project::check_owner(db, actor, filing_id).await?;
    let name = crate::domain::required_text(name, "区域名称", 30)
        .map_err(|e| AppError::field("name", e))?;
    let value: serde_json::Value = serde_json::from_str(geojson)
        .map_err(|_| AppError::field("geojson", "区域数据格式有误，请重新绘制"))?;
    let area =
        Area::parse(&value, &AreaLimits::default()).map_err(|e| AppError::field("geojson", e))?;
    let who = actor.who();
    let mut tx = AuditedTx::begin(db, &who).await?;
    project::for_owner(&mut tx, actor, filing_id).await?;
    let stored = area.to_geojson().to_string();
    // The same shape saved twice (a second click, a resent form) is one area.
    let same: Option<String> = sqlx::query_scalar(
        "SELECT name FROM attendance_areas WHERE filing_id = $1 AND geojson = $2 AND removed_at IS NULL",
    )
    .bind(filing_id)
    .bind(&stored)
    .fetch_optional(tx.conn())
    .await?;
    if let Some(existing) = same {
        return Err(AppError::field(
            "geojson",
            format!("该区域已保存为“{existing}”，无需重复保存"),
        ));
    }
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO attendance_areas (filing_id, name, geojson, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(filing_id)
    .bind(&name)
    .bind(&stored)
    .bind(actor.user_id)
    .bind(now_ms())
    .fetch_one(tx.conn())
    .await?;
    #[derive(Serialize)]
    struct Snap<'a> {
        attendance_area: String,
        geojson: &'a str,
    }
    let snap = Snap {
        attendance_area: format!(
            "{name}（{}）",
            if matches!(area, Area::Circle { .. }) {
                "圆形"
            } else {
                "多边形"
            }
        ),
        geojson: &stored,
    };
    tx.record("filing", filing_id, "area_add", None, Some(&snap))
        .await?;
    tx.commit().await?;
    Ok(id)
}

/// The projects whose current roster holds the actor (submitted filings).
pub async fn my_projects(
    db: &Db,
    actor: &Actor,
    now: i64,
) -> Result<Vec<super::MyProject>, AppError> {
    actor.require(&[Role::KeyPersonnel])?;
    let rows = sqlx::query(
        "SELECT f.id, a.project_name, a.section_name, m.role,
            (SELECT COUNT(*) FROM checkins c WHERE c.user_id = $1 AND c.filing_id = f.id AND c.day = $2 AND c.counted = 1) AS done,
            (SELECT COUNT(*) FROM attendance_areas z WHERE z.filing_id = f.id AND z.removed_at IS NULL) AS areas,
            (SELECT r.photo_required FROM attendance_rules r WHERE r.filing_id = f.id) AS photo
         FROM roster_members m JOIN filings f ON f.id = m.filing_id JOIN awards a ON a.id = f.award_id
         WHERE m.user_id = $1 AND m.removed_at IS NULL AND f.status = 'submitted'
         ORDER BY a.project_name, a.section_name",
    )
    .bind(actor.user_id)
    .bind(beijing_day(now))
    .fetch_all(&db.pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(super::MyProject {
                filing_id: r.try_get("id")?,
                project_name: r.try_get("project_name")?,
                section_name: r.try_get("section_name")?,
                role: r.try_get("role")?,
                done_today: r.try_get::<i64, _>("done")? > 0,
                has_area: r.try_get::<i64, _>("areas")? > 0,
                photo_required: r.try_get::<Option<i64>, _>("photo")? == Some(1),
            })
        })
        .collect()
}

/// The areas of a filing the actor may read, with the map settings.
pub async fn areas_view(
    db: &Db,
    settings: &Settings,
    actor: &Actor,
    filing_id: i64,
) -> Result<super::AreasView, AppError> {
    let p = project::read(&mut *db.pool.acquire().await?, actor, filing_id).await?;
    let rows = sqlx::query("SELECT id, name, geojson FROM attendance_areas WHERE filing_id = $1 AND removed_at IS NULL ORDER BY id")
        .bind(filing_id)
        .fetch_all(&db.pool)
        .await?;
    Ok(super::AreasView {
        filing_id,
        project: p.label(),
        editable: p.may_write(actor),
        submitted: p.is_submitted(),
        areas: rows
            .iter()
            .map(|r| {
                Ok(super::AreaItem {
                    id: r.try_get("id")?,
                    name: r.try_get("name")?,
                    geojson: r.try_get("geojson")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()?,
        tile_url: settings.tile_url.clone(),
        tile_datum: settings.tile_datum.clone(),
    })
}

/// Removes an area (kept in the table with `removed_at`; the trail keeps it).
/// On a submitted filing, as every change after filing, it needs a reason.
pub async fn remove_area(
    db: &Db,
    actor: &Actor,
    filing_id: i64,
    area_id: i64,
    reason: &str,
) -> Result<(), AppError> {
    actor.require(&[Role::Owner])?;
    let who = actor.who();
    let mut tx = AuditedTx::begin(db, &who).await?;
    let p = project::for_owner(&mut tx, actor, filing_id).await?;
    let reason = if p.is_submitted() {
        Some(
            crate::domain::required_text(reason, "删除原因", 200)
                .map_err(|e| AppError::field("reason", e))?,
        )
    } else {
        crate::domain::optional_text(reason, "删除原因", 200)
            .map_err(|e| AppError::field("reason", e))?
    };
    let name: String = sqlx::query_scalar(
        "SELECT name FROM attendance_areas WHERE id = $1 AND filing_id = $2 AND removed_at IS NULL",
    )
    .bind(area_id)
    .bind(filing_id)
    .fetch_optional(tx.conn())
    .await?
    .ok_or(AppError::NotFound)?;
    sqlx::query("UPDATE attendance_areas SET removed_at = $1 WHERE id = $2")
        .bind(now_ms())
        .bind(area_id)
        .execute(tx.conn())
        .await?;
    #[derive(Serialize)]
    struct Snap {
        attendance_area: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    }
    tx.record(
        "filing",
        filing_id,
        "area_remove",
        Some(&Snap {
            attendance_area: name,
            reason: None,
        }),
        Some(&Snap {
            attendance_area: "（已删除）".into(),
            reason,
        }),
    )
    .await?;
    tx.commit().await
}

pub async fn flagged(db: &Db, actor: &Actor) -> Result<Vec<FlaggedCheckin>, AppError> {
    let s = ScopeBinds::of(actor);
    let rows = sqlx::query(&format!(
        "SELECT c.id, c.at, u.display_name, a.project_name, a.section_name, c.flags, c.accuracy_m,
            CASE WHEN c.photo_sha256 IS NULL THEN 0 ELSE 1 END AS has_photo
         FROM checkins c JOIN users u ON u.id = c.user_id JOIN filings f ON f.id = c.filing_id
         JOIN awards a ON a.id = f.award_id
         WHERE c.flags <> '' AND {} ORDER BY c.at DESC LIMIT 200",
        scope_sql(1)
    ))
    .bind(s.mode)
    .bind(s.unit)
    .bind(&s.sector)
    .fetch_all(&db.pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(FlaggedCheckin {
                id: r.try_get("id")?,
                has_photo: r.try_get::<i64, _>("has_photo")? == 1,
                at: r.try_get("at")?,
                person: r.try_get("display_name")?,
                project: format!(
                    "{} · {}",
                    r.try_get::<String, _>("project_name")?,
                    r.try_get::<String, _>("section_name")?
                ),
                flags: r.try_get("flags")?,
                accuracy_m: r.try_get("accuracy_m")?,
            })
        })
        .collect()
}

/// The stored photo of a check-in the actor may read (owner of the project,
/// supervisors in scope).
pub async fn photo_of(db: &Db, actor: &Actor, checkin_id: i64) -> Result<String, AppError> {
    actor.require(&[Role::Admin, Role::Supervisor, Role::Owner])?;
    let row = sqlx::query("SELECT filing_id, photo_sha256 FROM checkins WHERE id = $1")
        .bind(checkin_id)
        .fetch_optional(&db.pool)
        .await?
        .ok_or(AppError::NotFound)?;
    project::read(
        &mut *db.pool.acquire().await?,
        actor,
        row.try_get("filing_id")?,
    )
    .await?;
    row.try_get::<Option<String>, _>("photo_sha256")?
        .ok_or(AppError::NotFound)
}
