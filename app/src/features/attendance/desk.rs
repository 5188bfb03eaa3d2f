//! The check-in desk: one task that decides and stores check-ins in batches.
//!
//! At the morning peak thousands of people check in within minutes. A read
//! and a commit per request would make the database's round trips (on SQLite
//! a hop to the connection's thread each) and its commit the limit, so each
//! handler queues its check-in and one task takes whatever is queued: it reads
//! every check-in's context (roster, areas, the person's and the device's
//! recent check-ins) in a few statements, decides each, writes them all in one
//! transaction, then answers every handler after the commit. An acknowledged
//! check-in is durable, and the cost of a read and a commit is shared by
//! everyone who arrived while the previous batch ran. A batch holds one
//! check-in per person and device, so each decision sees the ones before it.
use super::{
    Decision,
    geometry::{Area, AreaLimits},
    service::checkin::{self, Ask, Context, Outcome},
};
use crate::{error::AppError, platform::db::Db};
use moka::sync::Cache;
use sqlx::{Any, AnyConnection, Connection, Row, pool::PoolConnection};
use std::{
    collections::HashSet,
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
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

enum Job {
    /// A check-in to decide, then store.
    Ask(Ask, oneshot::Sender<Result<Decision, AppError>>),
    /// A row decided elsewhere (the writer's own tests).
    Row(NewCheckin, oneshot::Sender<Result<Stored, AppError>>),
}

impl Job {
    /// Whose check-in it is, and on which device ("" for none).
    fn who(&self) -> (i64, &str) {
        match self {
            Job::Ask(a, _) => (a.user_id, &a.device_key),
            Job::Row(r, _) => (r.user_id, &r.device_key),
        }
    }
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
    /// Makes the writer's next batch panic (tests of its recovery only).
    #[cfg_attr(not(feature = "test-hooks"), allow(dead_code))]
    poison: Arc<AtomicBool>,
    /// Held by a test to keep the writer from taking its batch (never held
    /// otherwise: the writer's lock of it is uncontended).
    #[cfg_attr(not(feature = "test-hooks"), allow(dead_code))]
    gate: Arc<tokio::sync::Mutex<()>>,
}

impl CheckinDesk {
    /// Starts the writer task on the current Tokio runtime. It ends when the
    /// last clone of the desk is dropped.
    pub fn start(db: Db) -> Self {
        let (queue, rx) = mpsc::channel(QUEUE);
        let poison = Arc::new(AtomicBool::new(false));
        let gate = Arc::new(tokio::sync::Mutex::new(()));
        tokio::spawn(write_loop(db.clone(), rx, poison.clone(), gate.clone()));
        Self {
            db,
            queue,
            poison,
            gate,
        }
    }

    /// Decides a check-in and stores it, whatever the decision; returns after
    /// its transaction committed.
    pub async fn decide(&self, ask: Ask) -> Result<Decision, AppError> {
        self.send(|done| Job::Ask(ask, done)).await
    }

    /// Stores a row decided elsewhere; returns after its transaction committed.
    pub async fn store(&self, row: NewCheckin) -> Result<Stored, AppError> {
        self.send(|done| Job::Row(row, done)).await
    }

    /// A wait past [`WAIT`] (a stalled database) is answered as busy rather
    /// than held open.
    async fn send<T>(
        &self,
        job: impl FnOnce(oneshot::Sender<Result<T, AppError>>) -> Job,
    ) -> Result<T, AppError> {
        let (done, answer) = oneshot::channel();
        let busy = || AppError::TooMany("打卡服务繁忙，请稍后重试".into());
        let waited = tokio::time::timeout(WAIT, async {
            self.queue
                .send(job(done))
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

    /// Keeps the writer from taking a batch until the guard is dropped; what
    /// is queued meanwhile then goes together (the batches' tests only).
    #[cfg(feature = "test-hooks")]
    pub async fn hold(&self) -> tokio::sync::OwnedMutexGuard<()> {
        self.gate.clone().lock_owned().await
    }

    /// Is the writer still taking check-ins (for the health check)?
    pub fn running(&self) -> bool {
        !self.queue.is_closed()
    }
}

/// The writer's state between batches.
struct Writer {
    db: Db,
    /// The writer keeps a connection of its own: waiting in the pool's queue
    /// behind the requests' reads would hold every waiting check-in back, and
    /// on SQLite a connection that reads what it wrote keeps its page cache.
    conn: Option<PoolConnection<Any>>,
    /// Each project's parsed areas.
    areas: Cache<i64, Arc<ProjectAreas>>,
}

async fn write_loop(
    db: Db,
    mut rx: mpsc::Receiver<Job>,
    poison: Arc<AtomicBool>,
    gate: Arc<tokio::sync::Mutex<()>>,
) {
    use futures::FutureExt;
    let mut w = Writer {
        db,
        conn: None,
        areas: Cache::builder().max_capacity(50_000).build(),
    };
    let mut arrived = Vec::with_capacity(BATCH);
    let mut waiting: Vec<Job> = Vec::new();
    loop {
        if waiting.is_empty() && rx.recv_many(&mut arrived, BATCH).await == 0 {
            break;
        }
        drop(gate.lock().await);
        // What came while the gate was held or the last batch was written.
        while arrived.len() < BATCH
            && let Ok(job) = rx.try_recv()
        {
            arrived.push(job);
        }
        let batch;
        (batch, waiting) = split(waiting.drain(..).chain(arrived.drain(..)));
        // A panic in one batch must not stop check-ins for everyone: its
        // handlers are answered with an error (their senders are dropped)
        // and the writer goes on with a fresh connection.
        let rows = batch.len();
        let done = std::panic::AssertUnwindSafe(async {
            if poison.swap(false, Ordering::Relaxed) {
                panic!("injected check-in writer failure");
            }
            w.run(batch).await
        })
        .catch_unwind()
        .await;
        if done.is_err() {
            tracing::error!(rows, "check-in batch panicked; the writer goes on");
            w.conn = None;
        }
    }
}

/// The next batch, and what waits for the one after: each batch holds at
/// most one check-in per person and per device, so each is decided on what
/// the database holds (the earlier one committed), in the order they came.
fn split(jobs: impl Iterator<Item = Job>) -> (Vec<Job>, Vec<Job>) {
    let (mut batch, mut later) = (Vec::new(), Vec::new());
    let (mut people, mut devices) = (HashSet::new(), HashSet::new());
    for job in jobs {
        let (user, device) = job.who();
        // Marked even when deferred: a person's later check-in must not pass
        // an earlier one that waits.
        let new_person = people.insert(user);
        let new_device = device.is_empty() || devices.insert(device.to_owned());
        if new_person && new_device && batch.len() < BATCH {
            batch.push(job);
        } else {
            later.push(job);
        }
    }
    (batch, later)
}

/// A job whose row is in the batch's write, waiting for its answer.
enum Pending {
    Ask(Ask, Outcome, oneshot::Sender<Result<Decision, AppError>>),
    Row(oneshot::Sender<Result<Stored, AppError>>),
}

impl Writer {
    async fn connection(&mut self) -> Result<&mut AnyConnection, sqlx::Error> {
        if self.conn.is_none() {
            self.conn = Some(self.db.pool.acquire().await?);
        }
        Ok(self.conn.as_mut().expect("just set"))
    }

    /// Decides the batch's check-ins, writes them in one transaction, then
    /// answers each handler.
    async fn run(&mut self, batch: Vec<Job>) {
        let contexts = match self.read_contexts(&batch).await {
            Ok(c) => c,
            Err(e) => {
                tracing::error!(error = %e, rows = batch.len(), "check-in contexts not read");
                self.conn = None;
                return; // dropping the senders answers each handler with an error
            }
        };
        let mut contexts = contexts.into_iter();
        let (mut rows, mut pending) = (Vec::new(), Vec::new());
        for job in batch {
            match job {
                Job::Row(row, done) => {
                    rows.push(row);
                    pending.push(Pending::Row(done));
                }
                Job::Ask(ask, done) => {
                    let cx = contexts.next().expect("a context per ask");
                    if let Some(refused) = checkin::refusal(&cx, &ask) {
                        let _ = done.send(Err(refused));
                        continue;
                    }
                    let areas = match self
                        .areas(ask.reading.filing_id, cx.site_filing, cx.area_signature)
                        .await
                    {
                        Ok(a) => a,
                        Err(e) => {
                            tracing::error!(error = %e, "attendance areas not read");
                            self.conn = None;
                            let _ = done.send(Err(AppError::Internal));
                            continue;
                        }
                    };
                    let outcome = checkin::decide(&cx, &areas, &ask);
                    rows.push(checkin::row(&ask, &outcome));
                    pending.push(Pending::Ask(ask, outcome, done));
                }
            }
        }
        let stored = self.write(&rows).await;
        for (p, s) in pending.into_iter().zip(stored) {
            // The handler may have gone (client hung up); the row stays.
            match p {
                Pending::Row(done) => {
                    let _ = done.send(s);
                }
                Pending::Ask(ask, outcome, done) => {
                    let _ = done.send(s.map(|s| checkin::answer(&ask, outcome, s)));
                }
            }
        }
    }

    async fn read_contexts(&mut self, batch: &[Job]) -> Result<Vec<Context>, sqlx::Error> {
        let asks: Vec<&Ask> = batch
            .iter()
            .filter_map(|j| match j {
                Job::Ask(a, _) => Some(a),
                Job::Row(..) => None,
            })
            .collect();
        if asks.is_empty() {
            return Ok(Vec::new());
        }
        checkin::contexts(self.connection().await?, &asks).await
    }

    /// The areas that count for `filing_id`: its own and, for a supervision
    /// filing, those of the construction filing it shares a site with;
    /// parsed once per change of `signature`.
    async fn areas(
        &mut self,
        filing_id: i64,
        site_filing: Option<i64>,
        signature: (i64, i64),
    ) -> Result<Arc<Vec<Area>>, sqlx::Error> {
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
        .fetch_all(self.connection().await?)
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

    /// Stores the rows in one transaction (each alone after a failure, so
    /// one bad row fails only itself); an answer per row, in order.
    async fn write(&mut self, rows: &[NewCheckin]) -> Vec<Result<Stored, AppError>> {
        if rows.is_empty() {
            return Vec::new();
        }
        let together = match self.connection().await {
            Ok(c) => write_batch(c, rows).await,
            Err(e) => Err(e),
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
pub(super) const SHAPES: [usize; 4] = [250, 50, 10, 1];

/// Splits `n` rows into statement sizes from [`SHAPES`].
pub(super) fn shapes(mut n: usize) -> Vec<usize> {
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
    tx.commit().await?;
    Ok(Some(stored))
}

/// The exact path: each accepted row is offered as counted; the partial
/// unique index on counted rows turns a second one into a conflict, and it is
/// then stored as not counted.
async fn write_row_by_row(
    conn: &mut AnyConnection,
    jobs: &[NewCheckin],
) -> Result<Vec<Stored>, sqlx::Error> {
    let sql = format!("{COLUMNS}{} ON CONFLICT DO NOTHING RETURNING id", values(1));
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
