//! Scoped lists of a record kind: filters, paging, sums and alert badges.
use super::RecordKind;
use crate::{
    domain::Role,
    error::AppError,
    platform::{actor::Actor, db::Db, project},
};
use sqlx::AnyConnection;
use std::collections::HashMap;

/// What a record list is filtered by (the list page's query parameters).
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub q: String,
    /// `draft`, `submitted`, `voided`, `flagged` (has an open alert) or "".
    pub status: String,
    /// One project's records (0: every project in scope).
    pub filing_id: i64,
}

impl ListFilter {
    pub fn parse(q: &str, status: &str, filing_id: i64) -> Self {
        let status = match status {
            "draft" | "submitted" | "voided" | "flagged" => status,
            _ => "",
        };
        Self {
            q: q.to_string(),
            status: status.to_string(),
            filing_id: filing_id.max(0),
        }
    }
}

/// `FROM … WHERE …` of a list of `kind`'s records (alias `r`, with the
/// filing `f`, award `a` and owner unit `o`) in the actor's scope. Binds:
/// `$1..$3` scope, `$4` filing id, `$5` status, `$6` the search pattern
/// over `search` columns; bind them with [`bind_list`].
pub fn list_sql(kind: &RecordKind, search: &[&str], one_project: bool) -> String {
    let like: Vec<String> = ["a.project_name", "a.section_name", "o.name"]
        .iter()
        .chain(search)
        .map(|c| format!("{c} LIKE $6 ESCAPE '\\'"))
        .collect();
    format!(
        "FROM {table} r JOIN filings f ON f.id = r.filing_id JOIN awards a ON a.id = f.award_id
         JOIN units o ON o.id = a.owner_unit_id
         WHERE {scope} AND {project}
           AND ($5 = '' OR r.status = $5 OR ($5 = 'flagged' AND EXISTS (SELECT 1 FROM alerts x
                WHERE x.filing_id = r.filing_id AND x.cleared_on IS NULL
                  AND x.subject = '{entity}:' || CAST(r.id AS TEXT))))
           AND ($6 = '' OR {like})",
        table = kind.table,
        scope = project::scope_sql(1),
        // Spelt out for one project: the databases do not use the filing
        // index for `$4 = 0 OR …` (a province's project page read every
        // payment).
        project = if one_project {
            "r.filing_id = $4"
        } else {
            "($4 = 0 OR r.filing_id = $4)"
        },
        entity = kind.entity,
        like = like.join(" OR "),
    )
}

/// Binds [`list_sql`]'s six values.
pub fn bind_list<'q>(
    q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    actor: &Actor,
    f: &ListFilter,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    let s = project::ScopeBinds::of(actor);
    q.bind(s.mode)
        .bind(s.unit)
        .bind(s.sector)
        .bind(f.filing_id)
        .bind(f.status.clone())
        .bind(crate::platform::db::like_pattern(&f.q))
}

/// A list row of a record kind: its id, and where the names of its open
/// alerts go.
pub trait Flagged {
    fn record_id(&self) -> i64;
    fn set_flags(&mut self, names: Vec<String>);
}

/// One page (or all) of `kind`'s records in the actor's scope under
/// `filter`: `columns` over [`list_sql`]'s tables (`r`, `f`, `a`, `o`) map
/// to `T`; each row gets the names (`name_of` a rule code) of its open alerts.
#[allow(clippy::too_many_arguments)]
pub async fn list_page<T>(
    db: &Db,
    actor: &Actor,
    kind: &RecordKind,
    search: &[&str],
    columns: &str,
    order: &str,
    filter: &ListFilter,
    rows: crate::kit::table::Rows,
    name_of: fn(&str) -> &'static str,
) -> Result<crate::kit::table::Page<T>, AppError>
where
    T: for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow> + Flagged,
{
    use sqlx::Row;
    // Contractors read their own company's records (the scope says which).
    actor.require(&[Role::Admin, Role::Supervisor, Role::Owner, Role::Contractor])?;
    let (limit, offset, page) = rows.window();
    let from = list_sql(kind, search, filter.filing_id != 0);
    let mut conn = db.pool.acquire().await?;
    let total: i64 = bind_list(
        sqlx::query(&format!("SELECT COUNT(*) AS n {from}")),
        actor,
        filter,
    )
    .fetch_one(&mut *conn)
    .await?
    .try_get("n")?;
    let sql = format!("SELECT {columns} {from} ORDER BY {order} LIMIT $7 OFFSET $8");
    let found = bind_list(sqlx::query(&sql), actor, filter)
        .bind(limit)
        .bind(offset)
        .fetch_all(&mut *conn)
        .await?;
    let mut items = found
        .iter()
        .map(T::from_row)
        .collect::<Result<Vec<T>, _>>()?;
    let ids: Vec<i64> = items.iter().map(Flagged::record_id).collect();
    let flags = open_flags(&mut conn, kind, &ids).await?;
    for item in &mut items {
        if let Some(codes) = flags.get(&item.record_id()) {
            item.set_flags(codes.iter().map(|c| name_of(c).to_string()).collect());
        }
    }
    Ok(crate::kit::table::Page {
        items,
        total,
        page,
        per_page: crate::kit::table::PER_PAGE,
    })
}

/// The total of `column` over the project's submitted records of `kind`
/// dated (by `date_column`) before record `id`: 累计（不含本次）.
pub async fn sum_before(
    conn: &mut AnyConnection,
    kind: &RecordKind,
    column: &str,
    date_column: &str,
    filing_id: i64,
    id: i64,
    day: &str,
) -> Result<i64, AppError> {
    Ok(sqlx::query_scalar(&format!(
        "SELECT CAST(COALESCE(SUM({column}), 0) AS BIGINT) FROM {table}
         WHERE filing_id = $1 AND status = 'submitted' AND id <> $2
           AND ({date_column} < $3 OR ({date_column} = $4 AND id < $5))",
        table = kind.table
    ))
    .bind(filing_id)
    .bind(id)
    .bind(day)
    .bind(day)
    .bind(id)
    .fetch_one(conn)
    .await?)
}

/// The open alerts about each of `ids` (records of `kind`): id → rule codes.
pub async fn open_flags(
    conn: &mut AnyConnection,
    kind: &RecordKind,
    ids: &[i64],
) -> Result<HashMap<i64, Vec<String>>, AppError> {
    let mut out: HashMap<i64, Vec<String>> = HashMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    // Integers only, so the list is safe to inline.
    let subjects: Vec<String> = ids
        .iter()
        .map(|id| format!("'{}:{id}'", kind.entity))
        .collect();
    let rows: Vec<(String, String)> = sqlx::query_as(&format!(
        "SELECT subject, kind FROM alerts WHERE cleared_on IS NULL AND subject IN ({}) ORDER BY id",
        subjects.join(", ")
    ))
    .fetch_all(conn)
    .await?;
    for (subject, code) in rows {
        if let Some(id) = subject.rsplit(':').next().and_then(|s| s.parse().ok()) {
            out.entry(id).or_default().push(code);
        }
    }
    Ok(out)
}
