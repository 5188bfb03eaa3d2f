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
use std::{collections::HashMap, sync::Arc};
use tokio::sync::{Mutex, OwnedMutexGuard};

/// Longer than a check-in waits in the writer's queue and its transaction
/// stays open, in milliseconds.
const SETTLE_MS: i64 = 60_000;

/// Counted check-in days by (filing, person).
#[derive(Default)]
pub struct CheckinDays {
    bits: HashMap<(i64, i64), Vec<u64>>,
    /// Every row up to this id has been read.
    floor: i64,
}

fn epoch() -> NaiveDate {
    NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or_default()
}

fn index(day: NaiveDate) -> Option<usize> {
    usize::try_from((day - epoch()).num_days()).ok()
}

impl CheckinDays {
    /// Was `user_id` counted on `filing_id` on `day`?
    pub fn counted(&self, filing_id: i64, user_id: i64, day: NaiveDate) -> bool {
        let (Some(i), Some(bits)) = (index(day), self.bits.get(&(filing_id, user_id))) else {
            return false;
        };
        bits.get(i / 64).is_some_and(|w| w & (1 << (i % 64)) != 0)
    }

    fn set(&mut self, filing_id: i64, user_id: i64, day: NaiveDate) {
        let Some(i) = index(day) else {
            return;
        };
        let bits = self.bits.entry((filing_id, user_id)).or_default();
        if bits.len() <= i / 64 {
            bits.resize(i / 64 + 1, 0);
        }
        bits[i / 64] |= 1 << (i % 64);
    }

    /// Reads the rows not yet read (all of them the first time).
    async fn catch_up(&mut self, db: &Db) -> Result<(), AppError> {
        let settled = crate::platform::time::now_ms() - SETTLE_MS;
        let mut floor = self.floor;
        for (id, filing_id, user_id, at, day) in sqlx::query_as::<_, (i64, i64, i64, i64, String)>(
            "SELECT id, filing_id, user_id, at, day FROM checkins WHERE id > $1 AND counted = 1",
        )
        .bind(self.floor)
        .fetch_all(&db.pool)
        .await?
        {
            if let Ok(d) = NaiveDate::parse_from_str(&day, "%Y-%m-%d") {
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
