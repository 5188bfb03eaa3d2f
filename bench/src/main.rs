//! The check-in benchmark's tools; `scripts/bench-checkin.sh` runs them in
//! order and records the figures (docs/benchmarks.md).
//!
//! - `seed`: a fresh database with a synthetic county (people, projects, one
//!   ~20-vertex area each, earlier check-ins) and a logged-in session per person;
//! - `ceiling`: the raw insert rate of check-in rows through sqlx, 1,000 per
//!   transaction, on that same database;
//! - `load`: check-ins over HTTP as those people, as fast as possible or at a
//!   fixed rate, with latencies; optionally records every acknowledged id;
//! - `writer`: the desk's writer stage alone, decided rows stored in batches;
//! - `verify`: every acknowledged id is in the database (after a kill -9).
mod load;
mod province;
mod seed;
mod writer;

use clap::{Parser, Subcommand};
use std::path::PathBuf;

#[derive(Parser)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Fill an empty database and write the people file (one session each).
    Seed {
        #[arg(long)]
        db: String,
        #[arg(long, default_value_t = 10_000)]
        people: i64,
        #[arg(long, default_value_t = 2_000)]
        projects: i64,
        #[arg(long, default_value_t = 1_000_000)]
        checkins: i64,
        #[arg(long)]
        out: PathBuf,
    },
    /// Insert check-in rows straight through sqlx, 1,000 per transaction.
    Ceiling {
        #[arg(long)]
        db: String,
        #[arg(long)]
        people: PathBuf,
        #[arg(long, default_value_t = 100_000)]
        rows: usize,
    },
    /// Drive check-ins over HTTP.
    Load(load::Args),
    /// The desk's writer stage alone: rows stored by `tasks` callers at once.
    Writer {
        #[arg(long)]
        db: String,
        #[arg(long)]
        people: PathBuf,
        #[arg(long, default_value_t = 46)]
        tasks: usize,
        #[arg(long, default_value_t = 15.0)]
        seconds: f64,
        /// What stores the rows (see writer.rs).
        #[arg(long, value_enum, default_value_t = writer::Mode::Desk)]
        mode: writer::Mode,
    },
    /// Seed a province (the check-in seed at province size, then contracts,
    /// sites, monthly progress, payments and changes).
    Province {
        #[arg(long)]
        db: String,
        #[arg(long, default_value_t = 50_000)]
        people: i64,
        #[arg(long, default_value_t = 10_000)]
        projects: i64,
        #[arg(long, default_value_t = 5_000_000)]
        checkins: i64,
        #[arg(long)]
        out: PathBuf,
    },
    /// Time the province's alert evaluation and each supervision view.
    Views {
        #[arg(long)]
        db: String,
        #[arg(long, default_value_t = 20)]
        runs: usize,
        /// Skip the alert evaluation (already run on this database).
        #[arg(long)]
        no_evaluate: bool,
    },
    /// Check that every acknowledged check-in id is stored.
    Verify {
        #[arg(long)]
        db: String,
        #[arg(long)]
        acks: PathBuf,
    },
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let cli = Cli::parse();
    // RUST_LOG=app::platform::rules=debug shows where an evaluation's time goes.
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    // The load generator shares the machine with the server: one thread.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    rt.block_on(async move {
        match cli.command {
            Command::Seed {
                db,
                people,
                projects,
                checkins,
                out,
            } => seed::seed(&db, people, projects, checkins, &out).await,
            Command::Ceiling { db, people, rows } => seed::ceiling(&db, &people, rows).await,
            Command::Load(args) => load::run(args).await,
            Command::Writer {
                db,
                people,
                tasks,
                seconds,
                mode,
            } => writer::run(&db, &people, tasks, seconds, mode).await,
            Command::Verify { db, acks } => seed::verify(&db, &acks).await,
            Command::Province {
                db,
                people,
                projects,
                checkins,
                out,
            } => province::seed_province(&db, people, projects, checkins, &out).await,
            Command::Views {
                db,
                runs,
                no_evaluate,
            } => province::views(&db, runs, !no_evaluate).await,
        }
    })
}
