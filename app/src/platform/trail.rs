//! What each feature tells the trail views about its records: the entity
//! codes it writes with `AuditedTx::record`, their labels, who may read a
//! record's history, and the labels of its actions and snapshot fields.
//! Each feature declares one [`TrailSpec`]; `features::TRAIL` lists them, and
//! the audit feature reads only that list (no central table to extend).
use super::{actor::Actor, db::Db, project};
use crate::{domain::Role, error::AppError};

/// Who may read the history of one record of an entity.
#[derive(Debug, Clone, Copy)]
pub enum ReadRule {
    /// The system administrator (API tokens, system records) and the
    /// audit administrator.
    Admin,
    /// The security and the audit administrator, and the user themself
    /// (user accounts).
    AdminOrSelf,
    /// Whoever may read the unit (`Actor::can_read_unit`).
    Unit,
    /// The id is an award's: its owner unit, its sector's authority, the
    /// resource office.
    Award,
    /// The id is a filed project's (filing id): `project::read`.
    Project,
    /// The id is a row of `table`, whose `filing_id` column names the
    /// project: records that belong to a project (changes, payments, …).
    ProjectRecord { table: &'static str },
}

/// One entity written to the trail.
#[derive(Debug, Clone, Copy)]
pub struct Entity {
    pub code: &'static str,
    pub label: &'static str,
    pub read: ReadRule,
}

impl Entity {
    pub const fn new(code: &'static str, label: &'static str, read: ReadRule) -> Self {
        Self { code, label, read }
    }
}

/// A feature's part of the trail vocabulary.
#[derive(Debug, Clone, Copy)]
pub struct TrailSpec {
    pub entities: &'static [Entity],
    /// (action code, label)
    pub actions: &'static [(&'static str, &'static str)],
    /// (snapshot field, label)
    pub fields: &'static [(&'static str, &'static str)],
}

/// The label of `code` among every spec's pairs picked by `pick`, or `code`.
pub fn label<'a>(
    specs: &[&TrailSpec],
    pick: fn(&TrailSpec) -> &'static [(&'static str, &'static str)],
    code: &'a str,
) -> &'a str {
    specs
        .iter()
        .flat_map(|s| pick(s).iter())
        .find(|(c, _)| *c == code)
        .map(|(_, l)| *l)
        .unwrap_or(code)
}

/// The entity of `code`, if a feature declared it.
pub fn entity(specs: &[&TrailSpec], code: &str) -> Option<Entity> {
    specs
        .iter()
        .flat_map(|s| s.entities.iter())
        .find(|e| e.code == code)
        .copied()
}

impl ReadRule {
    /// The filed projects record `id` belongs to (none for records outside
    /// a project, or gone).
    pub async fn projects(self, db: &Db, id: i64) -> Result<Vec<i64>, AppError> {
        let sql = match self {
            Self::Project => return Ok(vec![id]),
            Self::Award => "SELECT id FROM filings WHERE award_id = $1".to_string(),
            Self::ProjectRecord { table } => format!("SELECT filing_id FROM {table} WHERE id = $1"),
            Self::Admin | Self::AdminOrSelf | Self::Unit => return Ok(Vec::new()),
        };
        Ok(sqlx::query_scalar(&sql)
            .bind(id)
            .fetch_all(&db.pool)
            .await?)
    }

    /// May `actor` read the history of record `id`? `NotFound` when the
    /// record (or its project) does not exist.
    pub async fn allows(self, db: &Db, actor: &Actor, id: i64) -> Result<bool, AppError> {
        let project_id = match self {
            // The audit administrator reads every history (三权分立).
            Self::Admin => return Ok(matches!(actor.role, Role::Admin | Role::AuditAdmin)),
            Self::AdminOrSelf => {
                return Ok(matches!(actor.role, Role::SecurityAdmin | Role::AuditAdmin)
                    || actor.user_id == id);
            }
            Self::Unit => return Ok(actor.can_read_unit(id)),
            Self::Award => {
                let s = project::ScopeBinds::of(actor);
                let row: Option<i64> = sqlx::query_scalar(&format!(
                    "SELECT CASE WHEN {} THEN 1 ELSE 0 END FROM awards a WHERE a.id = $4",
                    project::scope_sql(1)
                ))
                .bind(s.mode)
                .bind(s.unit)
                .bind(&s.sector)
                .bind(id)
                .fetch_optional(&db.pool)
                .await?;
                return row.map(|v| v == 1).ok_or(AppError::NotFound);
            }
            Self::Project => id,
            Self::ProjectRecord { table } => sqlx::query_scalar::<_, i64>(&format!(
                "SELECT filing_id FROM {table} WHERE id = $1"
            ))
            .bind(id)
            .fetch_optional(&db.pool)
            .await?
            .ok_or(AppError::NotFound)?,
        };
        match project::read(&mut *db.pool.acquire().await?, actor, project_id).await {
            Ok(_) => Ok(true),
            Err(AppError::Forbidden) => Ok(false),
            Err(e) => Err(e),
        }
    }
}
