//! The desk's writer stage alone: decided rows handed to
//! `CheckinDesk::store` by `tasks` callers at once (each waits for its
//! commit before the next), so the writer commits batches of about `tasks`
//! rows. No HTTP and no decisions: what the writer costs a row, to set
//! beside `bench/indexes.py` (SQLite alone) at the same batch size.
//!
//! The other modes write batches of `tasks` rows straight from one task, to
//! tell the desk's own cost from sqlx's and SQLite's:
//! - `any`: the writer's statements (multi-row `VALUES … RETURNING`) through
//!   sqlx's `Any` driver, as the app runs them;
//! - `any-no-returning`: the same without `RETURNING`;
//! - `any-anonymous`: the same with SQLite's anonymous `?` parameters;
//! - `any-rows`: one single-row statement per row;
//! - `native`: the writer's statements through sqlx's own SQLite driver.
use crate::seed::{PHONE_UA, Person, jitter, read_people, trail_key};
use app::{
    features::attendance::desk::{CheckinDesk, NewCheckin},
    platform::db::Db,
};
use rand::{Rng, SeedableRng};
use sqlx::Connection;
use std::{path::Path, sync::Arc, time::Instant};

type Res<T> = Result<T, Box<dyn std::error::Error>>;

/// What stores the rows (see the module's comment).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Mode {
    Desk,
    Any,
    AnyNoReturning,
    AnyAnonymous,
    AnyRows,
    Native,
}

impl Mode {
    /// As on the command line (`any-rows`), for the printed figures.
    fn name(self) -> String {
        use clap::ValueEnum;
        self.to_possible_value()
            .expect("no mode is skipped")
            .get_name()
            .to_owned()
    }
}

pub async fn run(url: &str, people: &Path, tasks: usize, seconds: f64, mode: Mode) -> Res<()> {
    let people = Arc::new(read_people(people)?);
    let db = Db::connect(url, trail_key()?).await?;
    if mode != Mode::Desk {
        return direct(db, url, &people, tasks, seconds, mode).await;
    }
    let desk = CheckinDesk::start(db);
    let until = Instant::now() + std::time::Duration::from_secs_f64(seconds);
    let started = Instant::now();
    let mut callers = Vec::new();
    let day = today();
    for t in 0..tasks {
        let (desk, people, day) = (desk.clone(), people.clone(), day.clone());
        callers.push(tokio::spawn(async move {
            let mut rng = rand::rngs::StdRng::from_entropy();
            let mut stored = 0u64;
            // Each caller its own people, so no row waits for another's commit.
            let mine: Vec<&Person> = people.iter().skip(t).step_by(tasks).collect();
            while Instant::now() < until {
                let p = mine[rng.gen_range(0..mine.len())];
                if desk.store(row(&mut rng, p, &day)).await.is_ok() {
                    stored += 1;
                }
            }
            stored
        }));
    }
    let mut rows = 0;
    for c in callers {
        rows += c.await?;
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "{}",
        serde_json::json!({"mode": "writer", "writer": Mode::Desk.name(), "tasks": tasks, "rows": rows, "seconds": secs, "rows_per_s": rows as f64 / secs})
    );
    Ok(())
}

fn today() -> String {
    chrono::Utc::now()
        .with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).expect("offset"))
        .format("%Y-%m-%d")
        .to_string()
}

/// A decided check-in of `p`, accepted, at a point near their site.
fn row(rng: &mut impl Rng, p: &Person, day: &str) -> NewCheckin {
    let (lat, lng) = jitter(rng, p.lat, p.lng, 60.0);
    let accuracy = f64::from(rng.gen_range(50..300)) / 10.0;
    NewCheckin {
        user_id: p.user_id,
        filing_id: p.filing_id,
        at: chrono::Utc::now().timestamp_millis(),
        day: day.to_owned(),
        lat,
        lng,
        accuracy_m: accuracy,
        accepted: true,
        // Repeats of the day, as most check-ins at the top rate are.
        may_count: false,
        basis: format!("distance 0.0 <= tolerance {accuracy:.1}"),
        distance_m: Some(0.0),
        flags: String::new(),
        device_key: p.device_key.clone(),
        photo_sha256: None,
        user_agent: Some(PHONE_UA.into()),
        ip: Some("10.0.0.1".into()),
    }
}

// The writer's statement as `desk/write.rs` builds it (its builders are the
// app's own, not public), returning only the id: change both together.
const COLUMNS: &str = "INSERT INTO checkins (user_id, filing_id, at, day, lat, lng, accuracy_m,
    accepted, counted, basis, distance_m, flags, device_key, user_agent, ip, photo_sha256)";

/// `VALUES ($1, …), …` for `rows` rows of 16; with `anonymous`, SQLite's
/// `?` (no name for the driver to look up per value).
fn values(rows: usize, anonymous: bool) -> String {
    (0..rows)
        .map(|i| {
            let p: Vec<String> = (1..=16)
                .map(|j| {
                    if anonymous {
                        "?".into()
                    } else {
                        format!("${}", i * 16 + j)
                    }
                })
                .collect();
            format!("({})", p.join(","))
        })
        .collect::<Vec<_>>()
        .join(",")
}

macro_rules! bind_row {
    ($q:expr, $r:expr) => {
        $q.bind($r.user_id)
            .bind($r.filing_id)
            .bind($r.at)
            .bind(&$r.day)
            .bind($r.lat)
            .bind($r.lng)
            .bind($r.accuracy_m)
            .bind(1i64)
            .bind(0i64)
            .bind(&$r.basis)
            .bind($r.distance_m)
            .bind(&$r.flags)
            .bind(&$r.device_key)
            .bind($r.user_agent.as_deref())
            .bind($r.ip.as_deref())
            .bind($r.photo_sha256.as_deref())
    };
}

/// Batches of `batch` rows from one task, committed one after the other.
async fn direct(
    db: Db,
    url: &str,
    people: &[Person],
    batch: usize,
    seconds: f64,
    mode: Mode,
) -> Res<()> {
    let day = today();
    let mut rng = rand::thread_rng();
    let returning = if mode == Mode::AnyNoReturning {
        ""
    } else {
        " RETURNING id"
    };
    let anonymous = mode == Mode::AnyAnonymous;
    let many = format!(
        "{COLUMNS} VALUES {} ON CONFLICT DO NOTHING{returning}",
        values(batch, anonymous)
    );
    let one = format!(
        "{COLUMNS} VALUES {} ON CONFLICT DO NOTHING RETURNING id",
        values(1, false)
    );
    let mut any = db.pool.acquire().await?;
    let mut native = if mode == Mode::Native {
        let options: sqlx::sqlite::SqliteConnectOptions = url.parse()?;
        Some(sqlx::SqliteConnection::connect_with(&options).await?)
    } else {
        None
    };
    let (started, until) = (
        Instant::now(),
        Instant::now() + std::time::Duration::from_secs_f64(seconds),
    );
    let (mut rows, mut commits, mut commit_s) = (0usize, 0usize, 0f64);
    while Instant::now() < until {
        let jobs: Vec<NewCheckin> = (0..batch)
            .map(|_| {
                let p = &people[rng.gen_range(0..people.len())];
                row(&mut rng, p, &day)
            })
            .collect();
        match (mode, native.as_mut()) {
            (Mode::Native, Some(c)) => {
                let mut tx = c.begin().await?;
                let mut q = sqlx::query(&many);
                for r in &jobs {
                    q = bind_row!(q, r);
                }
                q.fetch_all(&mut *tx).await?;
                let t = Instant::now();
                tx.commit().await?;
                commit_s += t.elapsed().as_secs_f64();
            }
            (Mode::AnyRows, _) => {
                let mut tx = any.begin().await?;
                for r in &jobs {
                    bind_row!(sqlx::query(&one), r).fetch_one(&mut *tx).await?;
                }
                let t = Instant::now();
                tx.commit().await?;
                commit_s += t.elapsed().as_secs_f64();
            }
            (Mode::Any | Mode::AnyNoReturning | Mode::AnyAnonymous, _) => {
                let mut tx = any.begin().await?;
                let mut q = sqlx::query(&many);
                for r in &jobs {
                    q = bind_row!(q, r);
                }
                if returning.is_empty() {
                    q.execute(&mut *tx).await?;
                } else {
                    q.fetch_all(&mut *tx).await?;
                }
                let t = Instant::now();
                tx.commit().await?;
                commit_s += t.elapsed().as_secs_f64();
            }
            (Mode::Desk | Mode::Native, _) => {
                unreachable!("the desk runs in `run`; native has its connection")
            }
        }
        rows += batch;
        commits += 1;
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "{}",
        serde_json::json!({"mode": "writer", "writer": mode.name(), "tasks": batch, "rows": rows, "seconds": secs,
            "rows_per_s": rows as f64 / secs, "commit_ms": commit_s * 1e3 / commits as f64,
            "us_per_row": secs * 1e6 / rows as f64})
    );
    Ok(())
}
