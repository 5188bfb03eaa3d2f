//! Which days each person was counted on a project, for the reads that span
//! a month or a year of check-ins (the attendance board, the monthly rule,
//! rates over a period, the compliance statistics): a province holds
//! millions. Check-ins are append-only (the table refuses updates and
//! deletes), so this process reads each one once, by id, into a bit per
//! day, and then only the rows added since. Ids are handed out before
//! commit, so on PostgreSQL a smaller id may become visible after a larger
//! one: each read starts after the last row taken (`at`) a minute before
//! it, and setting a bit twice changes nothing.
use crate::{error::AppError, platform::db::Db};
use chrono::NaiveDate;
use futures::TryStreamExt;
use std::{collections::HashMap, sync::Arc};
use tokio::sync::{Mutex, OwnedMutexGuard};

/// Longer than a check-in waits in the writer's queue and its transaction
/// stays open, in milliseconds.
const SETTLE_MS: i64 = 60_000;

/// One person's days on one project: bit `i` of `words` is day
/// `64 * base + i` since the epoch (a few words for a few months).
#[derive(Default)]
struct Bits {
    base: usize,
    words: Vec<u64>,
}

impl Bits {
    fn set(&mut self, i: usize) {
        let w = i / 64;
        if self.words.is_empty() {
            self.base = w;
        } else if w < self.base {
            // An earlier day than any so far (rows come in id order, days
            // mostly rising).
            let more = self.base - w;
            self.words.splice(0..0, std::iter::repeat_n(0, more));
            self.base = w;
        }
        let at = w - self.base;
        if self.words.len() <= at {
            self.words.resize(at + 1, 0);
        }
        self.words[at] |= 1 << (i % 64);
    }
}

/// Counted check-in days by (filing, person).
#[derive(Default)]
pub struct CheckinDays {
    bits: HashMap<(i64, i64), Bits>,
    /// Every row up to this id has been read.
    floor: i64,
}

fn epoch() -> NaiveDate {
    NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or_default()
}

/// `YYYY-MM-DD` (as the check-in writer stores it), without a format parser.
fn iso_day(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| s.get(r)?.parse::<u32>().ok();
    NaiveDate::from_ymd_opt(i32::try_from(num(0..4)?).ok()?, num(5..7)?, num(8..10)?)
}

fn index(day: NaiveDate) -> Option<usize> {
    usize::try_from((day - epoch()).num_days()).ok()
}

/// One person's counted days on one project.
#[derive(Clone, Copy)]
pub struct PersonDays<'a>(Option<&'a Bits>);

impl PersonDays<'_> {
    pub fn counted(self, day: NaiveDate) -> bool {
        let (Some(b), Some(i)) = (self.0, index(day)) else {
            return false;
        };
        (i / 64)
            .checked_sub(b.base)
            .and_then(|w| b.words.get(w))
            .is_some_and(|w| w & (1 << (i % 64)) != 0)
    }
}

impl CheckinDays {
    /// Was `user_id` counted on `filing_id` on `day`?
    pub fn counted(&self, filing_id: i64, user_id: i64, day: NaiveDate) -> bool {
        self.of(filing_id, user_id).counted(day)
    }

    /// `user_id`'s days on `filing_id` (one lookup for a run of days).
    pub fn of(&self, filing_id: i64, user_id: i64) -> PersonDays<'_> {
        PersonDays(self.bits.get(&(filing_id, user_id)))
    }

    fn set(&mut self, filing_id: i64, user_id: i64, day: NaiveDate) {
        if let Some(i) = index(day) {
            self.bits.entry((filing_id, user_id)).or_default().set(i);
        }
    }

    /// Reads the rows not yet read (all of them the first time).
    async fn catch_up(&mut self, db: &Db) -> Result<(), AppError> {
        let settled = crate::platform::time::now_ms() - SETTLE_MS;
        let mut floor = self.floor;
        // Streamed: a province's first read is millions of rows.
        let mut rows = sqlx::query_as::<_, (i64, i64, i64, i64, String)>(
            "SELECT id, filing_id, user_id, at, day FROM checkins WHERE id > $1 AND counted = 1",
        )
        .bind(self.floor)
        .fetch(&db.pool);
        while let Some((id, filing_id, user_id, at, day)) = rows.try_next().await? {
            if let Some(d) = iso_day(&day) {
                self.set(filing_id, user_id, d);
            }
            // Taken SETTLE ago: every smaller id was handed out before it,
            // has committed since, and is read by now.
            if at < settled {
                floor = floor.max(id);
            }
        }
        self.floor = floor;
        Ok(())
    }
}

/// The process's store (kept in `Caches::derived`).
#[derive(Default)]
pub struct CheckinDaysStore(Arc<Mutex<CheckinDays>>);

/// The counted days, brought up to date: hold the guard only while
/// counting (other readers wait for it).
pub async fn checkin_days(db: &Db) -> Result<OwnedMutexGuard<CheckinDays>, AppError> {
    let store = db.cache.derived.get::<CheckinDaysStore>();
    let mut days = store.0.clone().lock_owned().await;
    days.catch_up(db).await?;
    Ok(days)
}
