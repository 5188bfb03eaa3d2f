//! The check-in desk: check-ins decided and stored in batches.
//!
//! At the morning peak thousands of people check in within minutes. A read
//! and a commit per request would make the database's round trips (on SQLite
//! a hop to the connection's thread each) and its commit the limit, so each
//! handler queues its check-in and two tasks take whatever is queued:
//! - the decider reads every queued check-in's context (roster, areas, the
//!   person's and the device's recent check-ins) in a few statements on its
//!   own connection and decides each;
//! - the writer stores what was decided in one transaction on its own
//!   connection and answers every handler after the commit.
//!
//! The decider reads the next batch while the writer commits the last one. An
//! acknowledged check-in is durable, and each read and commit is shared by
//! everyone who arrived meanwhile. A batch holds one check-in per person and
//! per device, and none of those still being written: each decision is made on
//! what the database holds, the earlier check-ins committed.
mod write;

pub(crate) use write::{SHAPES, shapes, values};

use super::{
    Decision,
    geometry::{Area, AreaLimits},
    service::checkin::{self, Ask, Context, Outcome},
};
use crate::{error::AppError, platform::db::Db};
use moka::sync::Cache;
use sqlx::{Any, AnyConnection, pool::PoolConnection};
use std::{
    collections::{HashMap, HashSet},
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, Ordering},
    },
};
use tokio::sync::{Notify, mpsc, oneshot};
use write::Writer;

/// Check-ins decided together at most.
const BATCH: usize = 1_000;
/// Decided batches written in one transaction at most.
const MERGE: usize = 4;
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
    /// Starts the decider and the writer on the current Tokio runtime. They
    /// end when the last clone of the desk is dropped.
    pub fn start(db: Db) -> Self {
        let (queue, rx) = mpsc::channel(QUEUE);
        let poison = Arc::new(AtomicBool::new(false));
        let gate = Arc::new(tokio::sync::Mutex::new(()));
        // One decided batch waits while the writer commits the one before.
        let (decided, to_write) = mpsc::channel(1);
        let flight = Arc::new(Flight::default());
        tokio::spawn(decide_loop(
            db.clone(),
            rx,
            gate.clone(),
            flight.clone(),
            decided,
        ));
        tokio::spawn(write_loop(db.clone(), to_write, poison.clone()));
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

/// Who is in a batch decided but not yet committed: their next check-in
/// waits for that commit.
#[derive(Default)]
struct Flight {
    busy: Mutex<Busy>,
    /// Told after each commit (or a batch given up).
    committed: Notify,
}

#[derive(Default)]
struct Busy {
    people: HashMap<i64, u32>,
    devices: HashMap<String, u32>,
}

impl Flight {
    /// The next batch, and what waits for a later one: at most one check-in
    /// per person and per device, none of a person or device in flight, and
    /// each person's in the order they came. The batch's people and devices
    /// are in flight until the returned [`Landing`] is dropped.
    fn split(self: &Arc<Self>, jobs: impl Iterator<Item = Job>) -> (Vec<Job>, Vec<Job>, Landing) {
        let busy = self.busy.lock().expect("flight lock");
        let (mut batch, mut later) = (Vec::new(), Vec::new());
        let (mut people, mut devices) = (HashSet::new(), HashSet::new());
        let mut landing = Landing {
            flight: self.clone(),
            people: Vec::new(),
            devices: Vec::new(),
        };
        for job in jobs {
            let (user, device) = job.who();
            // Marked even when deferred: a person's later check-in must not
            // pass an earlier one that waits.
            let free_person = people.insert(user) && !busy.people.contains_key(&user);
            let free_device = device.is_empty()
                || (devices.insert(device.to_owned()) && !busy.devices.contains_key(device));
            if free_person && free_device && batch.len() < BATCH {
                landing.people.push(user);
                if !device.is_empty() {
                    landing.devices.push(device.to_owned());
                }
                batch.push(job);
            } else {
                later.push(job);
            }
        }
        drop(busy);
        landing.take_off();
        (batch, later, landing)
    }
}

/// A batch's people and devices in flight; dropped after its commit (or when
/// the batch is given up), which lets their next check-ins through.
struct Landing {
    flight: Arc<Flight>,
    people: Vec<i64>,
    devices: Vec<String>,
}

impl Landing {
    fn take_off(&self) {
        let mut busy = self.flight.busy.lock().expect("flight lock");
        for p in &self.people {
            *busy.people.entry(*p).or_default() += 1;
        }
        for d in &self.devices {
            *busy.devices.entry(d.clone()).or_default() += 1;
        }
    }
}

impl Drop for Landing {
    fn drop(&mut self) {
        if self.people.is_empty() {
            return;
        }
        let mut busy = self.flight.busy.lock().expect("flight lock");
        for p in &self.people {
            if let Some(n) = busy.people.get_mut(p) {
                *n -= 1;
                if *n == 0 {
                    busy.people.remove(p);
                }
            }
        }
        for d in &self.devices {
            if let Some(n) = busy.devices.get_mut(d) {
                *n -= 1;
                if *n == 0 {
                    busy.devices.remove(d);
                }
            }
        }
        drop(busy);
        self.flight.committed.notify_one();
    }
}

/// A decided batch on its way to the writer.
struct Decided {
    rows: Vec<NewCheckin>,
    pending: Vec<Pending>,
    landing: Landing,
}

/// The decider's state between batches.
struct Decider {
    db: Db,
    /// A connection of its own, as the writer's.
    conn: Option<PoolConnection<Any>>,
    /// Each project's parsed areas.
    areas: Cache<i64, Arc<ProjectAreas>>,
}

async fn decide_loop(
    db: Db,
    mut rx: mpsc::Receiver<Job>,
    gate: Arc<tokio::sync::Mutex<()>>,
    flight: Arc<Flight>,
    to_writer: mpsc::Sender<Decided>,
) {
    use futures::FutureExt;
    let mut d = Decider {
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
        // What came while the gate was held or the last batch was decided.
        while arrived.len() < BATCH
            && let Ok(job) = rx.try_recv()
        {
            arrived.push(job);
        }
        let (batch, later, landing) = flight.split(waiting.drain(..).chain(arrived.drain(..)));
        waiting = later;
        if batch.is_empty() {
            // Each waits for a check-in being written: wait for its commit.
            flight.committed.notified().await;
            continue;
        }
        // A panic in one batch must not stop check-ins for everyone: its
        // handlers are answered with an error (their senders are dropped)
        // and the desk goes on with a fresh connection.
        let rows = batch.len();
        match std::panic::AssertUnwindSafe(d.run(batch))
            .catch_unwind()
            .await
        {
            Ok((rows, pending)) => {
                let decided = Decided {
                    rows,
                    pending,
                    landing,
                };
                if to_writer.send(decided).await.is_err() {
                    break;
                }
            }
            Err(_) => {
                tracing::error!(
                    rows,
                    "check-in batch panicked while decided; the desk goes on"
                );
                d.conn = None;
            }
        }
    }
}

async fn write_loop(db: Db, mut rx: mpsc::Receiver<Decided>, poison: Arc<AtomicBool>) {
    use futures::FutureExt;
    let mut w = Writer { db, conn: None };
    let mut decided = Vec::with_capacity(MERGE);
    while rx.recv_many(&mut decided, MERGE).await > 0 {
        // Batches decided while the last commit ran go in one transaction.
        let (mut rows, mut pending, mut landings) = (Vec::new(), Vec::new(), Vec::new());
        for d in decided.drain(..) {
            rows.extend(d.rows);
            pending.extend(d.pending);
            landings.push(d.landing);
        }
        let count = rows.len();
        let done = std::panic::AssertUnwindSafe(async {
            if poison.swap(false, Ordering::Relaxed) {
                panic!("injected check-in writer failure");
            }
            let started = std::time::Instant::now();
            let stored = w.write(&rows).await;
            tracing::debug!(
                rows = count,
                write_ms = started.elapsed().as_secs_f64() * 1e3,
                "check-ins written"
            );
            answer(pending, stored);
        })
        .catch_unwind()
        .await;
        if done.is_err() {
            tracing::error!(
                rows = count,
                "check-in batch panicked while written; the writer goes on"
            );
            w.conn = None;
        }
        // Only now may these people's and devices' next check-ins be decided.
        drop(landings);
    }
}

/// Answers each handler (one may have gone, its client hung up: the row stays).
fn answer(pending: Vec<Pending>, stored: Vec<Result<Stored, AppError>>) {
    for (p, s) in pending.into_iter().zip(stored) {
        match p {
            Pending::Row(done) => {
                let _ = done.send(s);
            }
            Pending::Ask(at, outcome, done) => {
                let _ = done.send(s.map(|s| checkin::answer(at, outcome, s)));
            }
        }
    }
}

/// A job whose row is in the batch's write, waiting for its answer.
enum Pending {
    /// When it was asked (the answer's time), what was decided.
    Ask(i64, Outcome, oneshot::Sender<Result<Decision, AppError>>),
    Row(oneshot::Sender<Result<Stored, AppError>>),
}

impl Decider {
    /// Decides the batch's check-ins: the rows to write, and who waits for
    /// each. A refused check-in is answered at once and writes nothing.
    async fn run(&mut self, batch: Vec<Job>) -> (Vec<NewCheckin>, Vec<Pending>) {
        let started = std::time::Instant::now();
        let (mut rows, mut pending) = (Vec::new(), Vec::new());
        let contexts = match self.read_contexts(&batch).await {
            Ok(c) => c,
            Err(e) => {
                tracing::error!(error = %e, rows = batch.len(), "check-in contexts not read");
                self.conn = None;
                return (rows, pending); // dropping the senders answers each with an error
            }
        };
        let mut contexts = contexts.into_iter();
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
                    pending.push(Pending::Ask(ask.now, outcome, done));
                }
            }
        }
        tracing::debug!(
            rows = rows.len(),
            decide_ms = started.elapsed().as_secs_f64() * 1e3,
            "check-ins decided"
        );
        (rows, pending)
    }

    async fn connection(&mut self) -> Result<&mut AnyConnection, sqlx::Error> {
        if self.conn.is_none() {
            self.conn = Some(self.db.pool.acquire().await?);
        }
        Ok(self.conn.as_mut().expect("just set"))
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
}
