//! The project core: every module after filing (attendance, changes,
//! payments, progress, evaluations …) hangs its records off a filed tender
//! section, and asks here — and only here — whether the acting user may read
//! it or write to it as its owner unit.
//!
//! - [`scope_sql`] / [`ScopeBinds`]: the SQL condition for lists (awards alias `a`).
//! - [`read`]: one project for reading (404 if missing, 403 out of scope).
//! - [`for_owner`]: one project for a write by its owner unit, inside the
//!   write's transaction; on PostgreSQL the filing row is locked until commit
//!   (SQLite's write transactions hold the database lock from `BEGIN`).
use super::{
    actor::{Actor, Scope},
    audit::AuditedTx,
    db::Backend,
};
pub use crate::domain::FilingStatus;
use crate::{
    domain::{ProjectFigures, Role, records::PAYMENT_KINDS},
    error::AppError,
};
use chrono::NaiveDate;
use sqlx::AnyConnection;

/// The SQL condition limiting awards (alias `a`) to what an actor may see,
/// using placeholders `$n`, `$n+1`, `$n+2`; bind [`ScopeBinds`] in that order.
pub fn scope_sql(n: usize) -> String {
    format!(
        "(${n} = 'all' OR (${n} = 'unit' AND a.owner_unit_id = ${u}) OR (${n} = 'sector' AND a.sector = ${})
          OR (${n} = 'company' AND a.contractor_unit_id = ${u}))",
        n + 2,
        u = n + 1,
    )
}

/// The values for [`scope_sql`].
pub struct ScopeBinds {
    pub mode: &'static str,
    pub unit: i64,
    pub sector: String,
}

impl ScopeBinds {
    /// [`scope_sql`] in memory, for the values the derived snapshots keep:
    /// does this scope hold an award of `owner` in `sector` won by
    /// `contractor`?
    pub fn admits(&self, owner: i64, contractor: Option<i64>, sector: &str) -> bool {
        match self.mode {
            "all" => true,
            "unit" => owner == self.unit,
            "sector" => sector == self.sector,
            "company" => contractor == Some(self.unit),
            _ => false,
        }
    }

    /// Every project (the rule engine, which answers to no one actor).
    pub fn all() -> Self {
        Self {
            mode: "all",
            unit: 0,
            sector: String::new(),
        }
    }

    pub fn of(actor: &Actor) -> Self {
        match actor.scope() {
            Scope::All => Self {
                mode: "all",
                unit: 0,
                sector: String::new(),
            },
            Scope::Sector(s) => Self {
                mode: "sector",
                unit: 0,
                sector: s,
            },
            Scope::Unit(u) => Self {
                mode: "unit",
                unit: u,
                sector: String::new(),
            },
            Scope::Company(u) => Self {
                mode: "company",
                unit: u,
                sector: String::new(),
            },
        }
    }
}

/// The owner units with awards in the actor's scope, by name, as a list
/// filter's 建设单位 choices (ids as text); none for an owner, who sees one
/// unit only.
pub async fn unit_choices(
    db: &super::db::Db,
    actor: &Actor,
) -> Result<Vec<(String, String)>, AppError> {
    if matches!(actor.scope(), Scope::Unit(_) | Scope::Company(_)) {
        return Ok(Vec::new());
    }
    let s = ScopeBinds::of(actor);
    let units: Vec<(i64, String)> = sqlx::query_as(&format!(
        "SELECT DISTINCT o.id, o.name FROM awards a JOIN units o ON o.id = a.owner_unit_id
         WHERE {} ORDER BY o.name",
        scope_sql(1)
    ))
    .bind(s.mode)
    .bind(s.unit)
    .bind(&s.sector)
    .fetch_all(&db.pool)
    .await?;
    Ok(units
        .into_iter()
        .map(|(id, name)| (id.to_string(), name))
        .collect())
}

/// Does `actor`'s scope hold an award of `owner_unit_id` won by
/// `contractor_unit_id` in `sector`? The Rust twin of [`scope_sql`].
fn in_scope(actor: &Actor, owner_unit_id: i64, contractor_unit_id: i64, sector: &str) -> bool {
    match actor.scope() {
        Scope::All => true,
        Scope::Sector(s) => s == sector,
        Scope::Unit(u) => u == owner_unit_id,
        Scope::Company(u) => u == contractor_unit_id,
    }
}

/// What every module needs to know about a filed project.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Project {
    /// The filing's id: the project's id in every module's URL.
    pub id: i64,
    pub award_id: i64,
    pub project_name: String,
    pub section_name: String,
    pub owner_unit_id: i64,
    pub owner_name: String,
    pub contractor_unit_id: i64,
    pub contractor_name: String,
    /// Sector code (see `domain::SECTORS`).
    pub sector: String,
    /// 施工, 监理, 勘察/设计 or 其他: decides the roster's lead role.
    #[sqlx(try_from = "String")]
    pub section_kind: crate::domain::SectionKind,
    pub award_price_fen: i64,
    /// ISO date.
    pub award_date: String,
    #[sqlx(try_from = "String")]
    pub status: FilingStatus,
    pub contract_price_fen: Option<i64>,
    /// ISO date the contract was signed.
    pub signed_on: Option<String>,
    pub planned_start: Option<String>,
    pub planned_completion: Option<String>,
    pub supervisor_engineer_unit_id: Option<i64>,
    /// Bumped by every write to the filing; forms carry it back so that a
    /// stale form is refused instead of overwriting someone else's save.
    pub version: i64,
}

const SELECT: &str = "SELECT f.id, f.award_id, a.project_name, a.section_name, a.owner_unit_id,
        o.name AS owner_name, a.contractor_unit_id, c.name AS contractor_name, a.sector, a.section_kind,
        a.award_price_fen, a.award_date, f.status, f.contract_price_fen, f.signed_on, f.planned_start,
        f.planned_completion, f.supervisor_engineer_unit_id, f.version
    FROM filings f JOIN awards a ON a.id = f.award_id
    JOIN units o ON o.id = a.owner_unit_id JOIN units c ON c.id = a.contractor_unit_id
    WHERE f.id = $1";

impl Project {
    /// "项目名称 · 标段名称", as pickers and headings show it.
    pub fn label(&self) -> String {
        format!("{} · {}", self.project_name, self.section_name)
    }

    pub fn may_read(&self, actor: &Actor) -> bool {
        in_scope(
            actor,
            self.owner_unit_id,
            self.contractor_unit_id,
            &self.sector,
        )
    }

    /// The acting user is a user of the owner unit (the only writer).
    pub fn may_write(&self, actor: &Actor) -> bool {
        actor.role == Role::Owner && actor.unit_id == self.owner_unit_id
    }

    pub fn is_submitted(&self) -> bool {
        self.status == FilingStatus::Submitted
    }

    /// Refuses a form filled in against an older version.
    pub fn check_version(&self, seen: Option<i64>) -> Result<(), AppError> {
        match seen {
            Some(v) if v != self.version => Err(AppError::Conflict),
            _ => Ok(()),
        }
    }
}

impl Project {
    /// The day the contract was signed (a filed project always has one).
    pub fn signed_day(&self) -> Option<NaiveDate> {
        self.signed_on.as_deref().and_then(iso_day)
    }
}

fn iso_day(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

/// The revised contract price of the filing aliased `f`, for lists: the
/// contract price plus its submitted changes.
pub const REVISED_PRICE_SQL: &str =
    "(f.contract_price_fen + COALESCE((SELECT CAST(SUM(c.price_delta_fen) AS BIGINT)
    FROM project_changes c WHERE c.filing_id = f.id AND c.status = 'submitted'), 0))";

/// The project's money and dates as of `as_of`: the original price moved by
/// its submitted changes (approved by then), what was paid by then, by kind,
/// and its open alerts. Changes and payments are the project's own records,
/// so their sums belong here, where every module reads the project.
pub async fn figures(
    conn: &mut AnyConnection,
    p: &Project,
    as_of: NaiveDate,
) -> Result<ProjectFigures, AppError> {
    let day = as_of.to_string();
    let (change_fen, change_days, change_count): (i64, i64, i64) = sqlx::query_as(
        "SELECT CAST(COALESCE(SUM(price_delta_fen), 0) AS BIGINT), CAST(COALESCE(SUM(days_delta), 0) AS BIGINT), COUNT(*)
         FROM project_changes WHERE filing_id = $1 AND status = 'submitted' AND approved_on <= $2",
    )
    .bind(p.id)
    .bind(&day)
    .fetch_one(&mut *conn)
    .await?;
    let paid: Vec<(String, i64, i64)> = sqlx::query_as(
        "SELECT kind, CAST(COALESCE(SUM(amount_fen), 0) AS BIGINT), COUNT(*) FROM payments
         WHERE filing_id = $1 AND status = 'submitted' AND paid_on <= $2 GROUP BY kind",
    )
    .bind(p.id)
    .bind(&day)
    .fetch_all(&mut *conn)
    .await?;
    let open_alerts: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM alerts WHERE filing_id = $1 AND cleared_on IS NULL",
    )
    .bind(p.id)
    .fetch_one(&mut *conn)
    .await?;
    let paid_by_kind = PAYMENT_KINDS
        .iter()
        .map(|(code, _)| {
            let sum = paid
                .iter()
                .filter(|(k, ..)| k == code)
                .map(|(_, s, _)| *s)
                .sum();
            (code.to_string(), sum)
        })
        .collect();
    let revised_completion = p
        .planned_completion
        .as_deref()
        .and_then(iso_day)
        .and_then(|d| d.checked_add_signed(chrono::Duration::days(change_days)))
        .map(|d| d.to_string());
    Ok(ProjectFigures {
        filing_id: p.id,
        label: p.label(),
        contractor_name: p.contractor_name.clone(),
        contract_price_fen: p.contract_price_fen.unwrap_or(0),
        change_fen,
        change_count,
        change_days,
        planned_completion: p.planned_completion.clone(),
        revised_completion,
        paid_fen: paid.iter().map(|(_, s, _)| s).sum(),
        paid_by_kind,
        payment_count: paid.iter().map(|(.., n)| n).sum(),
        open_alerts,
    })
}

async fn fetch(conn: &mut AnyConnection, id: i64, lock: bool) -> Result<Option<Project>, AppError> {
    let sql = if lock {
        format!("{SELECT} FOR UPDATE OF f")
    } else {
        SELECT.to_string()
    };
    Ok(sqlx::query_as::<_, Project>(&sql)
        .bind(id)
        .fetch_optional(conn)
        .await?)
}

/// What an id that names nothing answers: to someone who may see every
/// project, that it is missing; to anyone else the same as another unit's
/// record (`Forbidden`), so that ids cannot be probed for what exists.
pub fn missing(actor: &Actor) -> AppError {
    if matches!(actor.scope(), Scope::All) {
        AppError::NotFound
    } else {
        AppError::Forbidden
    }
}

/// The project for reading: `Forbidden` if it is outside the actor's scope
/// (or missing, see [`missing`]).
pub async fn read(conn: &mut AnyConnection, actor: &Actor, id: i64) -> Result<Project, AppError> {
    let p = fetch(conn, id, false)
        .await?
        .ok_or_else(|| missing(actor))?;
    if !p.may_read(actor) {
        return Err(AppError::Forbidden);
    }
    Ok(p)
}

/// An award as seen before (or without) its filing: what alerts and orders
/// about an award not yet filed need. Every filed project is one too.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AwardRef {
    pub award_id: i64,
    /// The filing, once one exists (draft or submitted).
    pub filing_id: Option<i64>,
    pub project_name: String,
    pub section_name: String,
    pub project_code: String,
    pub owner_unit_id: i64,
    pub owner_name: String,
    pub contractor_unit_id: i64,
    pub sector: String,
}

impl AwardRef {
    /// "项目名称 · 标段名称".
    pub fn label(&self) -> String {
        format!("{} · {}", self.project_name, self.section_name)
    }

    pub fn may_read(&self, actor: &Actor) -> bool {
        in_scope(
            actor,
            self.owner_unit_id,
            self.contractor_unit_id,
            &self.sector,
        )
    }

    /// Where people see it: the filing, else the award in the award list.
    pub fn link(&self) -> String {
        award_link(self.filing_id, &self.project_code)
    }
}

/// The page of a project: its filing, else its award in the award list.
pub fn award_link(filing_id: Option<i64>, project_code: &str) -> String {
    match filing_id {
        Some(id) => format!("/filings/{id}"),
        None => format!("/awards?q={}", crate::kit::table::urlencode(project_code)),
    }
}

/// The award a filing or an award id names, for reading (403 out of scope
/// or missing, see [`missing`]).
pub async fn read_award(
    conn: &mut AnyConnection,
    actor: &Actor,
    on: super::rules::On,
) -> Result<AwardRef, AppError> {
    use super::rules::On;
    let (cond, id) = match on {
        On::Filing(id) => ("f.id = $1", id),
        On::Award(id) => ("a.id = $1", id),
    };
    let a: AwardRef = sqlx::query_as(&format!(
        "SELECT a.id AS award_id, f.id AS filing_id, a.project_name, a.section_name, a.project_code,
                a.owner_unit_id, o.name AS owner_name, a.contractor_unit_id, a.sector
         FROM awards a LEFT JOIN filings f ON f.award_id = a.id JOIN units o ON o.id = a.owner_unit_id
         WHERE {cond}"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await?
    .ok_or_else(|| missing(actor))?;
    if !a.may_read(actor) {
        return Err(AppError::Forbidden);
    }
    Ok(a)
}

/// Refuses a write on a project the actor's unit does not own, before the
/// write's payload is even parsed (another unit learns nothing from field
/// errors). The write checks again inside its transaction.
pub async fn check_owner(db: &super::db::Db, actor: &Actor, id: i64) -> Result<(), AppError> {
    actor.require(&[Role::Owner])?;
    let p = fetch(&mut *db.pool.acquire().await?, id, false)
        .await?
        .ok_or_else(|| missing(actor))?;
    if p.may_write(actor) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// The project for a write by its owner unit, inside the write's
/// transaction (locked until commit on PostgreSQL).
pub async fn for_owner(
    tx: &mut AuditedTx<'_>,
    actor: &Actor,
    id: i64,
) -> Result<Project, AppError> {
    actor.require(&[Role::Owner])?;
    let lock = tx.backend() == Backend::Postgres;
    let p = fetch(tx.conn(), id, lock)
        .await?
        .ok_or_else(|| missing(actor))?;
    if !p.may_write(actor) {
        return Err(AppError::Forbidden);
    }
    Ok(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scope_sql_numbers_its_placeholders() {
        assert!(scope_sql(3).contains("$3 = 'all'"));
        assert!(scope_sql(3).contains("a.sector = $5"));
    }

    #[test]
    fn filing_status_reads_only_known_codes() {
        assert_eq!(
            FilingStatus::try_from("submitted".to_string()),
            Ok(FilingStatus::Submitted)
        );
        assert!(FilingStatus::try_from("x".to_string()).is_err());
    }
}
