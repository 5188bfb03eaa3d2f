//! Import reports: one per uploaded file, with its problems.
use super::Outcome;
use crate::{
    error::AppError,
    features::awards::ImportReport,
    platform::{actor::Actor, db::Db, time::now_ms},
};
use sqlx::{Row, any::AnyRow};

pub async fn save_report(
    db: &Db,
    actor: &Actor,
    file_name: &str,
    format: &str,
    out: &Outcome,
) -> Result<i64, AppError> {
    let problems = serde_json::to_string(&out.problems).map_err(|_| AppError::Internal)?;
    let id = sqlx::query_scalar(
        "INSERT INTO award_imports (file_name, format, total_rows, created_count, updated_count,
            unchanged_count, failed_count, problems_json, imported_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(file_name.chars().take(200).collect::<String>())
    .bind(format)
    .bind(out.total as i64)
    .bind(out.created as i64)
    .bind(out.updated as i64)
    .bind(out.unchanged as i64)
    .bind(out.failed() as i64)
    .bind(problems)
    .bind((actor.user_id > 0).then_some(actor.user_id))
    .bind(now_ms())
    .fetch_one(&db.pool)
    .await?;
    Ok(id)
}

const REPORT_SELECT: &str = "SELECT i.id, i.file_name, i.format, i.total_rows, i.created_count,
        i.updated_count, i.unchanged_count, i.failed_count, i.problems_json, i.created_at,
        COALESCE(u.display_name, '系统') AS imported_by
     FROM award_imports i LEFT JOIN users u ON u.id = i.imported_by";

fn row_to_report(r: &AnyRow) -> Result<ImportReport, AppError> {
    let problems: String = r.try_get("problems_json")?;
    Ok(ImportReport {
        id: r.try_get("id")?,
        file_name: r.try_get("file_name")?,
        format: r.try_get("format")?,
        total_rows: r.try_get("total_rows")?,
        created: r.try_get("created_count")?,
        updated: r.try_get("updated_count")?,
        unchanged: r.try_get("unchanged_count")?,
        failed: r.try_get("failed_count")?,
        problems: serde_json::from_str(&problems).unwrap_or_default(),
        imported_by: r.try_get("imported_by")?,
        created_at: r.try_get("created_at")?,
    })
}

pub async fn import_report(db: &Db, id: i64) -> Result<ImportReport, AppError> {
    let row = sqlx::query(&format!("{REPORT_SELECT} WHERE i.id = $1"))
        .bind(id)
        .fetch_optional(&db.pool)
        .await?
        .ok_or(AppError::NotFound)?;
    row_to_report(&row)
}

pub async fn recent_imports(db: &Db) -> Result<Vec<ImportReport>, AppError> {
    let rows = sqlx::query(&format!("{REPORT_SELECT} ORDER BY i.id DESC LIMIT 20"))
        .fetch_all(&db.pool)
        .await?;
    rows.iter()
        .map(|r| {
            // The list shows counts only.
            row_to_report(r).map(|mut rep| {
                rep.problems.clear();
                rep
            })
        })
        .collect()
}

// --- API tokens ---------------------------------------------------------------
