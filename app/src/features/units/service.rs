use super::{Unit, UnitOption};
use crate::{
    domain::{CreditCode, Name, Role, SECTORS, UnitKind},
    error::{AppError, Check},
    kit::table::{PER_PAGE, Page, Rows},
    platform::{
        actor::{Actor, Scope},
        audit::AuditedTx,
        db::{Db, is_unique_violation, like_pattern},
        time::now_ms,
    },
};
use serde::Serialize;
use sqlx::{Row, any::AnyRow};

/// A unit as the form submits it, parsed.
#[derive(Debug, Clone)]
pub struct UnitInput {
    pub kind: UnitKind,
    pub name: Name,
    pub credit_code: CreditCode,
    pub sector: Option<String>,
}

impl UnitInput {
    pub fn parse(
        kind: &str,
        name: &str,
        credit_code: &str,
        sector: &str,
    ) -> Result<Self, AppError> {
        let mut c = Check::new();
        let kind = c.take("kind", UnitKind::parse(kind));
        let name = c.take("name", Name::parse(name, "单位名称", 60));
        let credit_code = c.take("credit_code", CreditCode::parse(credit_code));
        let sector = sector.trim();
        let sector = match kind {
            Some(UnitKind::SectorAuthority) if sector.is_empty() => {
                c.fail("sector", "行业主管部门须选择所管行业");
                None
            }
            Some(UnitKind::SectorAuthority) if !SECTORS.iter().any(|(code, _)| *code == sector) => {
                c.fail("sector", "请选择列表中的行业");
                None
            }
            Some(UnitKind::SectorAuthority) => Some(sector.to_string()),
            _ => None,
        };
        c.finish()?;
        match (kind, name, credit_code) {
            (Some(kind), Some(name), Some(credit_code)) => Ok(Self {
                kind,
                name,
                credit_code,
                sector,
            }),
            _ => Err(AppError::Internal),
        }
    }
}

/// What the audit trail keeps of a unit.
#[derive(Serialize)]
struct Snapshot<'a> {
    kind: &'a str,
    name: &'a str,
    credit_code: &'a str,
    sector: Option<&'a str>,
}

impl<'a> From<&'a Unit> for Snapshot<'a> {
    fn from(u: &'a Unit) -> Self {
        Self {
            kind: u.kind.code(),
            name: &u.name,
            credit_code: &u.credit_code,
            sector: u.sector.as_deref(),
        }
    }
}

const SELECT: &str = "SELECT n.id, n.kind, n.name, n.credit_code, n.sector, n.updated_at,
        (SELECT COUNT(*) FROM users u WHERE u.unit_id = n.id) AS user_count
     FROM units n";

fn row_to_unit(r: &AnyRow) -> Result<Unit, AppError> {
    let kind: String = r.try_get("kind")?;
    Ok(Unit {
        id: r.try_get("id")?,
        kind: UnitKind::parse(&kind).map_err(|_| AppError::Internal)?,
        name: r.try_get("name")?,
        credit_code: r.try_get("credit_code")?,
        sector: r.try_get("sector")?,
        user_count: r.try_get("user_count")?,
        updated_at: r.try_get("updated_at")?,
    })
}

pub async fn list(
    db: &Db,
    actor: &Actor,
    q: &str,
    kind: &str,
    rows: impl Into<Rows>,
) -> Result<Page<Unit>, AppError> {
    let (limit, offset, page) = rows.into().window();
    let kind = UnitKind::parse(kind).map(UnitKind::code).unwrap_or("");
    let pattern = like_pattern(&q.to_uppercase());
    let name_pattern = like_pattern(q);
    // Outside the all-seeing scope a user sees only their own unit.
    let own: i64 = match actor.scope() {
        Scope::All => 0,
        _ => actor.unit_id,
    };
    let filter = "WHERE ($1 = '' OR n.kind = $1)
          AND ($2 = '' OR n.name LIKE $2 ESCAPE '\\' OR n.credit_code LIKE $3 ESCAPE '\\')
          AND ($4 = 0 OR n.id = $4)";
    let total: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM units n {filter}"))
        .bind(kind)
        .bind(&name_pattern)
        .bind(&pattern)
        .bind(own)
        .fetch_one(&db.pool)
        .await?;
    let rows = sqlx::query(&format!(
        "{SELECT} {filter} ORDER BY n.kind, n.name LIMIT $5 OFFSET $6"
    ))
    .bind(kind)
    .bind(&name_pattern)
    .bind(&pattern)
    .bind(own)
    .bind(limit)
    .bind(offset)
    .fetch_all(&db.pool)
    .await?;
    let items = rows.iter().map(row_to_unit).collect::<Result<_, _>>()?;
    Ok(Page {
        items,
        total,
        page,
        per_page: PER_PAGE,
    })
}

pub async fn get(db: &Db, actor: &Actor, id: i64) -> Result<Unit, AppError> {
    if !actor.can_read_unit(id) {
        return Err(AppError::Forbidden);
    }
    find(&mut *db.pool.acquire().await?, id).await
}

async fn find(conn: &mut sqlx::AnyConnection, id: i64) -> Result<Unit, AppError> {
    let row = sqlx::query(&format!("{SELECT} WHERE n.id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?;
    row.as_ref()
        .map(row_to_unit)
        .transpose()?
        .ok_or(AppError::NotFound)
}

pub async fn options(db: &Db) -> Result<Vec<UnitOption>, AppError> {
    let rows = sqlx::query("SELECT id, name, kind FROM units ORDER BY kind, name")
        .fetch_all(&db.pool)
        .await?;
    rows.iter()
        .map(|r| {
            let kind: String = r.try_get("kind")?;
            Ok(UnitOption {
                id: r.try_get("id")?,
                name: r.try_get("name")?,
                kind: UnitKind::parse(&kind).map_err(|_| AppError::Internal)?,
            })
        })
        .collect()
}

fn duplicate_code(e: sqlx::Error) -> AppError {
    if is_unique_violation(&e, "credit_code") {
        AppError::field("credit_code", "该统一社会信用代码已登记")
    } else {
        e.into()
    }
}

pub async fn create(db: &Db, actor: &Actor, input: UnitInput) -> Result<i64, AppError> {
    actor.require(&[Role::Admin])?;
    let who = actor.who();
    let mut tx = AuditedTx::begin(db, &who).await?;
    let now = now_ms();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO units (kind, name, credit_code, sector, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $5) RETURNING id",
    )
    .bind(input.kind.code())
    .bind(input.name.as_str())
    .bind(input.credit_code.as_str())
    .bind(input.sector.as_deref())
    .bind(now)
    .fetch_one(tx.conn())
    .await
    .map_err(duplicate_code)?;
    let after = find(tx.conn(), id).await?;
    tx.record("unit", id, "create", None, Some(&Snapshot::from(&after)))
        .await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn update(db: &Db, actor: &Actor, id: i64, input: UnitInput) -> Result<(), AppError> {
    actor.require(&[Role::Admin])?;
    let who = actor.who();
    let mut tx = AuditedTx::begin(db, &who).await?;
    let before = find(tx.conn(), id).await?;
    // A unit whose users hold roles that no longer fit would leave them stranded.
    if before.kind != input.kind && before.user_count > 0 {
        return Err(AppError::field("kind", "该单位已有用户，不能更改单位类型"));
    }
    sqlx::query("UPDATE units SET kind = $1, name = $2, credit_code = $3, sector = $4, updated_at = $5 WHERE id = $6")
        .bind(input.kind.code())
        .bind(input.name.as_str())
        .bind(input.credit_code.as_str())
        .bind(input.sector.as_deref())
        .bind(now_ms())
        .bind(id)
        .execute(tx.conn())
        .await
        .map_err(duplicate_code)?;
    let after = find(tx.conn(), id).await?;
    tx.record(
        "unit",
        id,
        "update",
        Some(&Snapshot::from(&before)),
        Some(&Snapshot::from(&after)),
    )
    .await?;
    tx.commit().await?;
    db.forget_actors().await;
    Ok(())
}
