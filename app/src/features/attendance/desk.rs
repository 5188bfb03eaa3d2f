//! The check-in hot path's shared parts: a group-commit writer and the parsed
//! areas of each project.
//!
//! At the morning peak thousands of people check in within minutes. A commit
//! per request would make the database's commit (and on SQLite its single
//! writer) the limit, so each handler queues its row and one task writes
//! whatever is queued in one transaction, then answers every handler after the
//! commit: an acknowledged check-in is durable, and the cost of a commit is
//! shared by everyone who arrived while the previous one ran.
use super::geometry::{Area, AreaLimits};
use crate::{error::AppError, platform::db::Db};
use moka::sync::Cache;
use sqlx::{Any, AnyConnection, Connection, Row, pool::PoolConnection};
use std::sync::{
    Arc,
    atomic::{AtomicBool, Ordering},
};
use tokio::sync::{mpsc, oneshot};

/// Rows written in one transaction at most.
const BATCH: usize = 1_000;
/// Check-ins waiting for the writer; handlers wait for room beyond this (the
/// server's concurrency limit stops new requests long before).
const QUEUE: usize = 8_192;
/// How long a handler waits for its check-in to be stored.
const WAIT: std::time::Duration = std::time::Duration::from_secs(10);

/// A decided check-in, ready to store.
#[derive(Debug, Clone)]
pub struct NewCheckin {
    pub user_id: i64,
    pub filing_id: i64,
    pub at: i64,
    pub day: String,
    pub lat: f64,
    pub lng: f64,
    pub accuracy_m: f64,
    pub accepted: bool,
    /// False when today's check-in is known to be counted already (saves
    /// offering it; the unique index still decides races).
    pub may_count: bool,
    pub basis: String,
    pub distance_m: Option<f64>,
    pub flags: String,
    pub device_key: String,
    pub photo_sha256: Option<String>,
    pub user_agent: Option<String>,
    pub ip: Option<String>,
}

/// What the writer stored: the row's id, and whether it is the day's counted
/// check-in for that person and project.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stored {
    pub id: i64,
    pub counted: bool,
}

struct Job {
    row: NewCheckin,
    done: oneshot::Sender<Result<Stored, AppError>>,
}

/// The live areas of a project, with the (count, highest id) they were read
/// at: ids only grow, so any addition or removal changes the pair.
struct ProjectAreas {
    signature: (i64, i64),
    areas: Arc<Vec<Area>>,
}

#[derive(Clone)]
pub struct CheckinDesk {
    pub db: Db,
    queue: mpsc::Sender<Job>,
    areas: Cache<i64, Arc<ProjectAreas>>,
    /// Makes the writer's next batch panic (tests of its recovery only).
    #[cfg_attr(not(feature = "test-hooks"), allow(dead_code))]
    poison: Arc<AtomicBool>,
}

impl CheckinDesk {
    /// Starts the writer task on the current Tokio runtime. It ends when the
    /// last clone of the desk is dropped.
    pub fn start(db: Db) -> Self {
        let (queue, rx) = mpsc::channel(QUEUE);
        let poison = Arc::new(AtomicBool::new(false));
        tokio::spawn(write_loop(db.clone(), rx, poison.clone()));
        Self {
            db,
            queue,
            areas: Cache::builder().max_capacity(50_000).build(),
            poison,
        }
    }

    /// Stores a check-in; returns after its transaction committed. A wait
    /// past [`WAIT`] (a stalled database) is answered as busy rather than
    /// held open.
    pub async fn store(&self, row: NewCheckin) -> Result<Stored, AppError> {
        let (done, answer) = oneshot::channel();
        let busy = || AppError::TooMany("打卡服务繁忙，请稍后重试".into());
        let waited = tokio::time::timeout(WAIT, async {
            self.queue
                .send(Job { row, done })
                .await
                .map_err(|_| AppError::Internal)?;
            answer.await.map_err(|_| AppError::Internal)?
        })
        .await;
        waited.unwrap_or_else(|_| Err(busy()))
    }

    /// Makes the writer's next batch panic, to test that it recovers
    /// (compiled only with the `test-hooks` feature, which only the server's
    /// tests turn on).
    #[cfg(feature = "test-hooks")]
    pub fn panic_next_batch(&self) {
        self.poison.store(true, Ordering::Relaxed);
    }

    /// Is the writer still taking check-ins (for the health check)?
    pub fn running(&self) -> bool {
        !self.queue.is_closed()
    }

    /// The project's areas, parsed once per change of `signature`.
    /// The areas that count for `filing_id`: its own and, for a supervision
    /// filing, those of the construction filing it shares a site with.
    pub async fn areas(
        &self,
        filing_id: i64,
        site_filing: Option<i64>,
        signature: (i64, i64),
    ) -> Result<Arc<Vec<Area>>, AppError> {
        if let Some(hit) = self.areas.get(&filing_id)
            && hit.signature == signature
        {
            return Ok(hit.areas.clone());
        }
        let stored: Vec<String> = sqlx::query_scalar(
            "SELECT geojson FROM attendance_areas
             WHERE (filing_id = $1 OR filing_id = $2) AND removed_at IS NULL",
        )
        .bind(filing_id)
        .bind(site_filing)
        .fetch_all(&self.db.pool)
        .await?;
        // Stored areas were validated when drawn; limits may have changed since,
        // so they are not applied again here.
        let any_size = AreaLimits {
            min_m2: 0.0,
            max_m2: f64::MAX,
            min_radius_m: 0.0,
            max_radius_m: f64::MAX,
        };
        let areas: Arc<Vec<Area>> = Arc::new(
            stored
                .iter()
                .filter_map(|g| serde_json::from_str(g).ok())
                .filter_map(|v| Area::parse(&v, &any_size).ok())
                .collect(),
        );
        self.areas.insert(
            filing_id,
            Arc::new(ProjectAreas {
                signature,
                areas: areas.clone(),
            }),
        );
        Ok(areas)
    }
}

async fn write_loop(db: Db, mut rx: mpsc::Receiver<Job>, poison: Arc<AtomicBool>) {
    use futures::FutureExt;
    let mut jobs = Vec::with_capacity(BATCH);
    // The writer keeps a connection of its own: waiting in the pool's queue
    // behind the requests' reads would hold every waiting check-in back.
    let mut conn: Option<PoolConnection<Any>> = None;
    while rx.recv_many(&mut jobs, BATCH).await > 0 {
        // A panic in one batch must not stop check-ins for everyone: its
        // handlers are answered with an error (their senders are dropped)
        // and the writer goes on with a fresh connection.
        let batch = std::panic::AssertUnwindSafe(async {
            if poison.swap(false, Ordering::Relaxed) {
                panic!("injected check-in writer failure");
            }
            write_and_answer(&db, &mut conn, &mut jobs).await
        })
        .catch_unwind()
        .await;
        if batch.is_err() {
            tracing::error!(
                rows = jobs.len(),
                "check-in batch panicked; the writer goes on"
            );
            jobs.clear();
            conn = None;
        }
    }
}

/// Writes one batch and answers its handlers (each row alone after a
/// failure, so one bad row fails only itself).
async fn write_and_answer(db: &Db, conn: &mut Option<PoolConnection<Any>>, jobs: &mut Vec<Job>) {
    let result = match conn {
        Some(c) => write_batch(c, jobs).await,
        None => match db.pool.acquire().await {
            Ok(c) => write_batch(conn.insert(c), jobs).await,
            Err(e) => Err(e),
        },
    };
    if result.is_err() {
        *conn = None; // a fresh connection for the next batch
    }
    match result {
        Ok(stored) => {
            for (job, s) in jobs.drain(..).zip(stored) {
                // The handler may have gone (client hung up); the row stays.
                let _ = job.done.send(Ok(s));
            }
        }
        Err(e) => {
            tracing::error!(error = %e, rows = jobs.len(), "check-in batch not stored");
            // One bad row must not fail everyone who shared its batch:
            // each is tried alone, on a fresh connection.
            for job in jobs.drain(..) {
                let alone = match db.pool.acquire().await {
                    Ok(mut c) => write_batch(&mut c, std::slice::from_ref(&job)).await,
                    Err(e) => Err(e),
                };
                let answer = match alone {
                    Ok(mut stored) if stored.len() == 1 => Ok(stored.remove(0)),
                    Ok(_) => Err(AppError::Internal),
                    Err(e) => {
                        tracing::error!(error = %e, user = job.row.user_id, "check-in not stored");
                        Err(AppError::Internal)
                    }
                };
                let _ = job.done.send(answer);
            }
        }
    }
}

const COLUMNS: &str = "INSERT INTO checkins (user_id, filing_id, at, day, lat, lng, accuracy_m,
    accepted, counted, basis, distance_m, flags, device_key, user_agent, ip, photo_sha256)";
const WIDTH: usize = 16;
/// Rows per INSERT statement, largest first: at most 4,000 values (well within
/// both databases' limits), and few statement shapes for the statement cache.
const SHAPES: [usize; 4] = [250, 50, 10, 1];

/// Splits `n` rows into statement sizes from [`SHAPES`].
fn shapes(mut n: usize) -> Vec<usize> {
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

/// `VALUES ($1, …, $16), ($17, …)` for `rows` rows.
fn values(rows: usize) -> String {
    let mut sql = String::from(" VALUES ");
    for i in 0..rows {
        if i > 0 {
            sql.push(',');
        }
        let params: Vec<String> = (1..=WIDTH).map(|j| format!("${}", i * WIDTH + j)).collect();
        sql.push('(');
        sql.push_str(&params.join(","));
        sql.push(')');
    }
    sql
}

/// One transaction for the whole batch, a few multi-row statements: a
/// statement per row would cost a round trip each.
async fn write_batch(conn: &mut AnyConnection, jobs: &[Job]) -> Result<Vec<Stored>, sqlx::Error> {
    match write_together(conn, jobs).await? {
        Some(stored) => Ok(stored),
        None => write_row_by_row(conn, jobs).await,
    }
}

/// Offers at most one counted row per person, project and day of the batch.
/// Returns `None` (nothing written) when a counted row conflicts with one
/// stored meanwhile (a near-simultaneous check-in, or another server process).
async fn write_together(
    conn: &mut AnyConnection,
    jobs: &[Job],
) -> Result<Option<Vec<Stored>>, sqlx::Error> {
    let mut offered = std::collections::HashSet::new();
    let counted: Vec<bool> = jobs
        .iter()
        .map(|Job { row: r, .. }| {
            r.accepted && r.may_count && offered.insert((r.user_id, r.filing_id, r.day.as_str()))
        })
        .collect();
    let mut tx = conn.begin().await?;
    let mut stored = Vec::with_capacity(jobs.len());
    let mut start = 0;
    for size in shapes(jobs.len()) {
        let (chunk, counts) = (&jobs[start..start + size], &counted[start..start + size]);
        start += size;
        let sql = format!(
            "{COLUMNS}{} ON CONFLICT DO NOTHING RETURNING id, user_id, at",
            values(chunk.len())
        );
        let mut q = sqlx::query(&sql);
        for (job, c) in chunk.iter().zip(counts) {
            q = bind_row(q, &job.row, *c);
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
                .all(|(r, j)| r.1 == j.row.user_id && r.2 == j.row.at);
        if !in_order {
            return Ok(None); // dropping the transaction rolls it back
        }
        stored.extend(rows.iter().zip(counts).map(|(r, c)| Stored {
            id: r.0,
            counted: *c,
        }));
    }
    tx.commit().await?;
    Ok(Some(stored))
}

/// The exact path: each accepted row is offered as counted; the partial
/// unique index on counted rows turns a second one into a conflict, and it is
/// then stored as not counted.
async fn write_row_by_row(
    conn: &mut AnyConnection,
    jobs: &[Job],
) -> Result<Vec<Stored>, sqlx::Error> {
    let sql = format!("{COLUMNS}{} ON CONFLICT DO NOTHING RETURNING id", values(1));
    let mut tx = conn.begin().await?;
    let mut stored = Vec::with_capacity(jobs.len());
    for Job { row: r, .. } in jobs {
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
