//! Writing decided check-ins: one transaction per batch, a few multi-row
//! statements, and an exact row-by-row path when a counted row conflicts.
use super::{NewCheckin, Stored};
use crate::{error::AppError, platform::db::Db};
use sqlx::{Any, AnyConnection, Connection, Row, pool::PoolConnection};
use std::collections::HashSet;

/// The writer's state between batches.
pub(super) struct Writer {
    pub(super) db: Db,
    /// A connection of its own: waiting in the pool's queue behind the
    /// requests' reads would hold every waiting check-in back.
    pub(super) conn: Option<PoolConnection<Any>>,
}

impl Writer {
    /// Stores the rows in one transaction (each alone after a failure, so
    /// one bad row fails only itself); an answer per row, in order.
    pub(super) async fn write(&mut self, rows: &[NewCheckin]) -> Vec<Result<Stored, AppError>> {
        if rows.is_empty() {
            return Vec::new();
        }
        let together = match &mut self.conn {
            Some(c) => write_batch(c, rows).await,
            None => match self.db.pool.acquire().await {
                Ok(c) => write_batch(self.conn.insert(c), rows).await,
                Err(e) => Err(e),
            },
        };
        match together {
            Ok(stored) => stored.into_iter().map(Ok).collect(),
            Err(e) => {
                self.conn = None; // a fresh connection for the next batch
                tracing::error!(error = %e, rows = rows.len(), "check-in batch not stored");
                let mut answers = Vec::with_capacity(rows.len());
                for row in rows {
                    let alone = match self.db.pool.acquire().await {
                        Ok(mut c) => write_batch(&mut c, std::slice::from_ref(row)).await,
                        Err(e) => Err(e),
                    };
                    answers.push(match alone {
                        Ok(mut stored) if stored.len() == 1 => Ok(stored.remove(0)),
                        Ok(_) => Err(AppError::Internal),
                        Err(e) => {
                            tracing::error!(error = %e, user = row.user_id, "check-in not stored");
                            Err(AppError::Internal)
                        }
                    });
                }
                answers
            }
        }
    }
}

const COLUMNS: &str = "INSERT INTO checkins (user_id, filing_id, at, day, lat, lng, accuracy_m,
    accepted, counted, basis, distance_m, flags, device_key, user_agent, ip, photo_sha256)";
const WIDTH: usize = 16;
/// Rows per INSERT statement, largest first: at most 4,000 values (well within
/// both databases' limits), and few statement shapes for the statement cache.
pub(crate) const SHAPES: [usize; 9] = [256, 128, 64, 32, 16, 8, 4, 2, 1];

/// Splits `n` rows into statement sizes from [`SHAPES`].
pub(crate) fn shapes(mut n: usize) -> Vec<usize> {
    let mut out = Vec::new();
    for size in SHAPES {
        while n >= size {
            out.push(size);
            n -= size;
        }
    }
    out
}

type AnyQuery<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>;

fn bind_row<'q>(q: AnyQuery<'q>, r: &'q NewCheckin, counted: bool) -> AnyQuery<'q> {
    q.bind(r.user_id)
        .bind(r.filing_id)
        .bind(r.at)
        .bind(&r.day)
        .bind(r.lat)
        .bind(r.lng)
        .bind(r.accuracy_m)
        .bind(i64::from(r.accepted))
        .bind(i64::from(counted))
        .bind(&r.basis)
        .bind(r.distance_m)
        .bind(&r.flags)
        .bind(&r.device_key)
        .bind(r.user_agent.as_deref())
        .bind(r.ip.as_deref())
        .bind(r.photo_sha256.as_deref())
}

/// `VALUES ($1, …, $width), ($width+1, …)` for `rows` rows.
pub(crate) fn values(rows: usize, width: usize) -> String {
    let mut sql = String::from("VALUES ");
    for i in 0..rows {
        if i > 0 {
            sql.push(',');
        }
        let params: Vec<String> = (1..=width).map(|j| format!("${}", i * width + j)).collect();
        sql.push('(');
        sql.push_str(&params.join(","));
        sql.push(')');
    }
    sql
}

/// One transaction for the whole batch, a few multi-row statements: a
/// statement per row would cost a round trip each.
async fn write_batch(
    conn: &mut AnyConnection,
    rows: &[NewCheckin],
) -> Result<Vec<Stored>, sqlx::Error> {
    match write_together(conn, rows).await? {
        Some(stored) => Ok(stored),
        None => write_row_by_row(conn, rows).await,
    }
}

/// Offers at most one counted row per person, project and day of the batch.
/// Returns `None` (nothing written) when a counted row conflicts with one
/// stored meanwhile (a near-simultaneous check-in, or another server process).
async fn write_together(
    conn: &mut AnyConnection,
    jobs: &[NewCheckin],
) -> Result<Option<Vec<Stored>>, sqlx::Error> {
    let mut offered = HashSet::new();
    let counted: Vec<bool> = jobs
        .iter()
        .map(|r| {
            r.accepted && r.may_count && offered.insert((r.user_id, r.filing_id, r.day.as_str()))
        })
        .collect();
    let began = std::time::Instant::now();
    let mut tx = conn.begin().await?;
    let mut stored = Vec::with_capacity(jobs.len());
    let mut start = 0;
    for size in shapes(jobs.len()) {
        let (chunk, counts) = (&jobs[start..start + size], &counted[start..start + size]);
        start += size;
        let sql = format!(
            "{COLUMNS} {} ON CONFLICT DO NOTHING RETURNING id, user_id, at",
            values(chunk.len(), WIDTH)
        );
        let mut q = sqlx::query(&sql);
        for (job, c) in chunk.iter().zip(counts) {
            q = bind_row(q, job, *c);
        }
        let mut rows = q
            .fetch_all(&mut *tx)
            .await?
            .iter()
            .map(|r| Ok((r.try_get("id")?, r.try_get("user_id")?, r.try_get("at")?)))
            .collect::<Result<Vec<(i64, i64, i64)>, sqlx::Error>>()?;
        // Ids are handed out in VALUES order; each is checked against its row.
        rows.sort_unstable();
        let in_order = rows.len() == chunk.len()
            && rows
                .iter()
                .zip(chunk)
                .all(|(r, j)| r.1 == j.user_id && r.2 == j.at);
        if !in_order {
            return Ok(None); // dropping the transaction rolls it back
        }
        stored.extend(rows.iter().zip(counts).map(|(r, c)| Stored {
            id: r.0,
            counted: *c,
        }));
    }
    let inserted = began.elapsed();
    tx.commit().await?;
    // Where a batch's time goes (RUST_LOG=app::features::attendance::desk=debug).
    tracing::debug!(
        rows = jobs.len(),
        insert_ms = inserted.as_secs_f64() * 1e3,
        commit_ms = (began.elapsed() - inserted).as_secs_f64() * 1e3,
        "check-in batch committed"
    );
    Ok(Some(stored))
}

/// The exact path: each accepted row is offered as counted; the partial
/// unique index on counted rows turns a second one into a conflict, and it is
/// then stored as not counted.
async fn write_row_by_row(
    conn: &mut AnyConnection,
    jobs: &[NewCheckin],
) -> Result<Vec<Stored>, sqlx::Error> {
    let sql = format!(
        "{COLUMNS} {} ON CONFLICT DO NOTHING RETURNING id",
        values(1, WIDTH)
    );
    let mut tx = conn.begin().await?;
    let mut stored = Vec::with_capacity(jobs.len());
    for r in jobs {
        let offer = r.accepted && r.may_count;
        let first = bind_row(sqlx::query(&sql), r, offer)
            .fetch_optional(&mut *tx)
            .await?;
        let (row, counted) = match first {
            Some(row) => (row, offer),
            None => (
                bind_row(sqlx::query(&sql), r, false)
                    .fetch_one(&mut *tx)
                    .await?,
                false,
            ),
        };
        stored.push(Stored {
            id: row.try_get("id")?,
            counted,
        });
    }
    tx.commit().await?;
    Ok(stored)
}
