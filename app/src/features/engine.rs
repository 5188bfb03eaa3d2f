//! When the county's alert rules run: as of a given date (the CLI, tests),
//! after a write to a project's records, after a rule's setting changes,
//! and hourly. Runs go through one [`RuleRunner`] per process, one at a
//! time: a record write asks for a run and waits for it at most ten seconds
//! (a province's evaluation takes 12–35 s, and every write used to wait
//! for all of it); asks that arrive during a run are served together by one
//! more run after it.
use crate::{
    error::AppError,
    platform::{AppState, db::Db, settings::Settings},
};
use std::sync::{
    Arc,
    atomic::{AtomicU64, Ordering},
};
use tokio::sync::{Notify, watch};

/// What one evaluation did: the engine's raised and cleared alerts, and the
/// numbers of the orders rules issued by themselves (自动督办).
#[derive(Debug, Default)]
pub struct Evaluation {
    pub outcome: crate::platform::rules::Outcome,
    pub orders: Vec<String>,
}

/// Evaluates every rule as of `as_of`, then issues the automatic orders.
pub async fn evaluate_rules_as_of(
    db: &Db,
    settings: &Settings,
    as_of: chrono::NaiveDate,
) -> Result<Evaluation, AppError> {
    let outcome = crate::platform::rules::run(db, settings, &super::rules(), as_of).await?;
    let began = std::time::Instant::now();
    let orders = super::orders::service::issue_automatic(db, settings).await?;
    tracing::debug!(
        orders = orders.len(),
        ms = began.elapsed().as_millis() as u64,
        "automatic orders issued"
    );
    Ok(Evaluation { outcome, orders })
}

/// Evaluates the rules as of today; a failure is logged (the write it
/// follows has landed).
async fn evaluate_today(db: &Db, settings: &Settings) {
    let today = crate::platform::time::today();
    match evaluate_rules_as_of(db, settings, today).await {
        Ok(e) => {
            let (raised, cleared) = (e.outcome.raised.len(), e.outcome.cleared.len());
            if raised + cleared + e.orders.len() > 0 {
                tracing::info!(raised, cleared, orders = e.orders.len(), "alert rules")
            }
        }
        Err(e) => tracing::error!(error = %e, "alert rules failed"),
    }
}

/// The process's rule runs, one at a time (see the module).
#[derive(Clone)]
pub struct RuleRunner(Arc<Inner>);

struct Inner {
    wake: Notify,
    /// Asks so far; a run serves every ask made before it started.
    asked: AtomicU64,
    /// The last ask a finished run served.
    served: watch::Sender<u64>,
    /// Runs finished.
    runs: AtomicU64,
}

impl RuleRunner {
    /// Starts the runner's task on the current runtime.
    pub fn start(db: Db, settings: Settings) -> Self {
        let inner = Arc::new(Inner {
            wake: Notify::new(),
            asked: AtomicU64::new(0),
            served: watch::channel(0).0,
            runs: AtomicU64::new(0),
        });
        let runner = inner.clone();
        tokio::spawn(async move {
            loop {
                runner.wake.notified().await;
                // Every ask counted by now followed a committed write: this
                // run reads it.
                let serves = runner.asked.load(Ordering::SeqCst);
                let (db, settings) = (db.clone(), settings.clone());
                // A panic in a rule fails this run only.
                if tokio::spawn(async move { evaluate_today(&db, &settings).await })
                    .await
                    .is_err()
                {
                    tracing::error!("alert rules panicked");
                }
                runner.runs.fetch_add(1, Ordering::SeqCst);
                runner.served.send_replace(serves);
            }
        });
        Self(inner)
    }

    /// Asks for a run and returns at once; the number identifies the ask.
    pub fn request(&self) -> u64 {
        let n = self.0.asked.fetch_add(1, Ordering::SeqCst) + 1;
        // A permit is kept when the task is busy: one more run follows.
        self.0.wake.notify_one();
        n
    }

    /// Waits until a run that started after ask `n` has finished.
    pub async fn settled(&self, n: u64) {
        let mut served = self.0.served.subscribe();
        let _ = served.wait_for(|s| *s >= n).await;
    }

    /// Runs finished so far.
    pub fn runs(&self) -> u64 {
        self.0.runs.load(Ordering::SeqCst)
    }

    /// Asks for a run and waits for it (a rule's setting changed: the lists
    /// the administrator goes to next must show what it decides).
    pub async fn run_now(&self) {
        let n = self.request();
        self.settled(n).await;
    }
}

/// How long a record write waits for the run it asked for: a county's run
/// takes well under a second, so the page that follows shows the record's
/// flags at once; a province's (about 20 s) no longer holds every write.
const WRITE_WAITS_FOR_RULES: std::time::Duration = std::time::Duration::from_secs(10);

/// After a write to a project's records: a run, waited for up to
/// [`WRITE_WAITS_FOR_RULES`] (the run goes on after that). (A state without
/// a runner, as the HTTP tests build it, runs inline: their trail counts
/// stay exact.)
pub async fn after_record_write(st: AppState) {
    match st.features.find::<RuleRunner>() {
        Some(r) => {
            let n = r.request();
            let _ = tokio::time::timeout(WRITE_WAITS_FOR_RULES, r.settled(n)).await;
        }
        None => evaluate_today(&st.db, &st.settings).await,
    }
}

/// A run now, waited for (settings changed, an award corrected, hourly).
pub async fn evaluate_rules(st: &AppState) {
    match st.features.find::<RuleRunner>() {
        Some(r) => r.run_now().await,
        None => evaluate_today(&st.db, &st.settings).await,
    }
}
