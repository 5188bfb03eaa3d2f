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

impl Bits {
    /// The word of absolute word index `w` (0 outside).
    fn word(&self, w: usize) -> u64 {
        w.checked_sub(self.base)
            .and_then(|i| self.words.get(i))
            .copied()
            .unwrap_or(0)
    }
}

/// A set of days as bits (a calendar's required days over a window), to
/// count a person's days by words rather than one day at a time.
pub struct DaySet(Bits);

impl DaySet {
    /// The days from `from` to `to` that `keep` selects.
    pub fn of(from: NaiveDate, to: NaiveDate, keep: impl Fn(NaiveDate) -> bool) -> Self {
        let mut b = Bits::default();
        if let Some(i) = index(from) {
            b.base = i / 64;
        }
        for (d, i) in from
            .iter_days()
            .take_while(|d| *d <= to)
            .zip(index(from).unwrap_or(0)..)
        {
            if keep(d) {
                b.set(i);
            }
        }
        Self(b)
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

use crate::platform::time::iso_day;

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

impl PersonDays<'_> {
    /// Of `set`'s days from `from` to `to` (both included): how many there
    /// are, and on how many of them this person was counted.
    pub fn count(self, set: &DaySet, from: NaiveDate, to: NaiveDate) -> (i64, i64) {
        let set = &set.0;
        let (Some(lo), Some(hi)) = (index(from), index(to)) else {
            return (0, 0);
        };
        // Only the words the set has.
        let first = (lo / 64).max(set.base);
        let last = (hi / 64).min((set.base + set.words.len()).saturating_sub(1));
        if lo > hi || set.words.is_empty() || first > last {
            return (0, 0);
        }
        let (mut owed, mut counted) = (0, 0);
        for w in first..=last {
            let mut m = set.word(w);
            if w == lo / 64 {
                m &= !0u64 << (lo % 64);
            }
            if w == hi / 64 {
                m &= !0u64 >> (63 - hi % 64);
            }
            owed += i64::from(m.count_ones());
            if let Some(p) = self.0 {
                counted += i64::from((m & p.word(w)).count_ones());
            }
        }
        (owed, counted)
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

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Datelike;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    /// Counting by words equals counting day by day, over every window of
    /// a year and a half and a person whose days span word edges.
    #[test]
    fn counting_by_words_equals_counting_days() {
        let (from, to) = (d("2025-11-20"), d("2027-03-10"));
        let weekdays = |x: NaiveDate| chrono::Datelike::weekday(&x).num_days_from_monday() < 6;
        let set = DaySet::of(from, to, weekdays);
        let mut days = CheckinDays::default();
        let counted: Vec<NaiveDate> = from
            .iter_days()
            .take_while(|x| *x <= to)
            .filter(|x| x.ordinal() % 3 != 0 && x.ordinal() % 7 != 1)
            .collect();
        // Out of order, as rows may come.
        for x in counted.iter().rev() {
            days.set(1, 2, *x);
        }
        let person = days.of(1, 2);
        let nobody = days.of(1, 3);
        let starts = [
            d("2025-11-01"),
            from,
            d("2026-01-01"),
            d("2026-02-28"),
            d("2026-07-15"),
        ];
        let ends = [
            d("2026-01-01"),
            d("2026-03-31"),
            d("2026-12-31"),
            to,
            d("2027-06-01"),
        ];
        for lo in starts {
            for hi in ends {
                let mut want = (0, 0);
                for x in lo.iter_days().take_while(|x| *x <= hi) {
                    if x >= from && x <= to && weekdays(x) {
                        want.0 += 1;
                        want.1 += i64::from(person.counted(x));
                    }
                }
                assert_eq!(person.count(&set, lo, hi), want, "{lo}..{hi}");
                assert_eq!(nobody.count(&set, lo, hi), (want.0, 0));
            }
        }
        assert_eq!(person.count(&set, to, from), (0, 0));
    }
}
