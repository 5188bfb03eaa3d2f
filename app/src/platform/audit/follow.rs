//! Following the trail: every domain write appends its entry in the same
//! transaction, and appends are strictly serial, so "the last entry about
//! these kinds of record" is a version of everything derived from them, and
//! the entries after a version name exactly what changed since. In-memory
//! views of the whole province (the progress works) follow the trail this
//! way instead of keeping tables of their own; two servers on one database
//! each follow it.
use crate::{error::AppError, platform::db::Db};

/// The sequence number of the last entry about any of `entities` (0: none).
/// One index probe per entity (`audit_log_entity_seq`).
pub async fn last_seq(db: &Db, entities: &[&str]) -> Result<i64, AppError> {
    if entities.is_empty() {
        return Ok(0);
    }
    let probes = (1..=entities.len())
        .map(|n| format!("SELECT MAX(seq) AS s FROM audit_log WHERE entity = ${n}"))
        .collect::<Vec<_>>()
        .join(" UNION ALL ");
    let sql = format!("SELECT CAST(MAX(s) AS BIGINT) FROM ({probes}) probes");
    let mut q = sqlx::query_scalar::<_, Option<i64>>(&sql);
    for e in entities {
        q = q.bind(*e);
    }
    Ok(q.fetch_one(&db.pool).await?.unwrap_or(0))
}

/// The (entity, entity id) of the entries about `entities` after `after` up
/// to `upto`, or `None` when there are more than `limit` (rebuild instead).
pub async fn touched_since(
    db: &Db,
    entities: &[&str],
    after: i64,
    upto: i64,
    limit: usize,
) -> Result<Option<Vec<(String, String)>>, AppError> {
    if entities.is_empty() || upto <= after {
        return Ok(Some(Vec::new()));
    }
    let list = (3..3 + entities.len())
        .map(|n| format!("${n}"))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "SELECT entity, entity_id FROM audit_log WHERE seq > $1 AND seq <= $2 AND entity IN ({list})
         ORDER BY seq LIMIT {}",
        limit + 1
    );
    let mut q = sqlx::query_as::<_, (String, String)>(&sql)
        .bind(after)
        .bind(upto);
    for e in entities {
        q = q.bind(*e);
    }
    let rows = q.fetch_all(&db.pool).await?;
    Ok((rows.len() <= limit).then_some(rows))
}
