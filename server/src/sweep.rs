//! `server files sweep`: removes stored files that no record points at (a
//! photo of a refused check-in, an attachment whose record failed), never
//! one that is referenced, and never a file younger than the grace period
//! (its record may be committing right now).
use app::platform::{db::Db, storage::FileStore};
use std::collections::HashSet;

#[derive(Debug, Default)]
pub struct SweepReport {
    pub stored: usize,
    pub referenced: usize,
    /// Unreferenced but younger than the grace period.
    pub young: usize,
    pub removed: Vec<String>,
}

pub async fn sweep(
    db: &Db,
    files: &FileStore,
    grace: chrono::Duration,
    dry_run: bool,
) -> Result<SweepReport, String> {
    // Listed before the references are read: a file stored after this
    // listing is not considered at all.
    let stored = files.list_dated().await.map_err(|e| e.to_string())?;
    let mut referenced = HashSet::new();
    for (table, column) in app::features::FILE_REFERENCES {
        let shas: Vec<String> = sqlx::query_scalar(&format!(
            "SELECT DISTINCT {column} FROM {table} WHERE {column} IS NOT NULL"
        ))
        .fetch_all(&db.pool)
        .await
        .map_err(|e| format!("{table}.{column}：{e}"))?;
        referenced.extend(shas);
    }
    let cutoff = chrono::Utc::now() - grace;
    let mut report = SweepReport {
        stored: stored.len(),
        ..Default::default()
    };
    for (sha, modified) in stored {
        if referenced.contains(&sha) {
            report.referenced += 1;
        } else if modified > cutoff {
            report.young += 1;
        } else {
            if !dry_run {
                files.delete(&sha).await.map_err(|e| e.to_string())?;
            }
            report.removed.push(sha);
        }
    }
    Ok(report)
}
