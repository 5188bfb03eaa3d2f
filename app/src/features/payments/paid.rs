//! What each project was paid by a day, as the payments board and the
//! 拨付超进度 rule read it: kept per process and brought up to date from the
//! trail (`platform::derived`), so that a province's 200,000 payments are
//! summed once a day, then only the projects paid since.
use crate::{
    domain::{progress::Month, records::PAYMENT_KINDS},
    error::AppError,
    platform::{
        db::Db,
        derived::{PerProject, Served},
    },
};
use chrono::NaiveDate;
use sqlx::Row;
use std::sync::Arc;

/// One project's submitted payments paid by the day.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Paid {
    pub total_fen: i64,
    /// In the order of [`PAYMENT_KINDS`].
    pub by_kind: [i64; PAYMENT_KINDS.len()],
    /// Every month paid in, in month order (the board's twelve months and
    /// the statistics' periods are whole months).
    pub months: Vec<PaidMonth>,
}

/// A project's submitted payments paid in one month.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PaidMonth {
    pub month: Month,
    pub payments: i64,
    pub fen: i64,
}

impl Paid {
    /// Progress payments (进度款).
    pub fn progress_fen(&self) -> i64 {
        self.of_kind("progress")
    }

    /// The payments paid from month `from` to month `to`: how many, and
    /// how much (fen).
    pub fn within(&self, from: Month, to: Month) -> (i64, i64) {
        self.months
            .iter()
            .filter(|m| (from..=to).contains(&m.month))
            .fold((0, 0), |(n, fen), m| (n + m.payments, fen + m.fen))
    }

    pub fn of_kind(&self, kind: &str) -> i64 {
        PAYMENT_KINDS
            .iter()
            .position(|(k, _)| *k == kind)
            .map_or(0, |i| self.by_kind[i])
    }
}

impl PerProject for Paid {
    const ENTITIES: &'static [&'static str] = &["payment"];

    async fn read(db: &Db, as_of: NaiveDate, filing_id: i64) -> Result<Vec<(i64, Self)>, AppError> {
        let mut out: std::collections::BTreeMap<i64, Paid> = Default::default();
        // One project's filter spelt out (the index is not used for
        // `$2 = 0 OR filing_id = $2`).
        let one = if filing_id == 0 {
            "$2 = 0"
        } else {
            "filing_id = $2"
        };
        for r in sqlx::query(&format!(
            "SELECT filing_id, kind, SUBSTR(paid_on, 1, 7) AS month, COUNT(*) AS n, CAST(SUM(amount_fen) AS BIGINT) AS fen
             FROM payments WHERE status = 'submitted' AND paid_on <= $1 AND {one}
             GROUP BY filing_id, kind, SUBSTR(paid_on, 1, 7)"
        ))
        .bind(as_of.to_string())
        .bind(filing_id)
        .fetch_all(&db.pool)
        .await?
        {
            let p = out.entry(r.try_get("filing_id")?).or_default();
            let fen: i64 = r.try_get("fen")?;
            let kind: String = r.try_get("kind")?;
            let month: String = r.try_get("month")?;
            p.total_fen += fen;
            if let Some(i) = PAYMENT_KINDS.iter().position(|(k, _)| *k == kind) {
                p.by_kind[i] += fen;
            }
            let n: i64 = r.try_get("n")?;
            let Some(month) = Month::parse(&month) else {
                continue;
            };
            match p.months.iter_mut().find(|m| m.month == month) {
                Some(m) => {
                    m.payments += n;
                    m.fen += fen;
                }
                None => p.months.push(PaidMonth {
                    month,
                    payments: n,
                    fen,
                }),
            }
        }
        for p in out.values_mut() {
            p.months.sort_by_key(|m| m.month);
        }
        Ok(out.into_iter().collect())
    }
}

/// What the projects `keep` selects were paid by `as_of` (only those paid
/// at all), from the process's snapshot.
pub async fn paid_kept(
    db: &Db,
    as_of: NaiveDate,
    keep: impl Fn(i64) -> bool,
) -> Result<(Vec<(i64, Arc<Paid>)>, Served), AppError> {
    crate::features::kept(db, as_of, |id, _: &Paid| keep(id)).await
}

/// [`paid_kept`] read afresh (what the snapshot must always equal).
pub async fn paid_recomputed(db: &Db, as_of: NaiveDate) -> Result<Vec<(i64, Arc<Paid>)>, AppError> {
    Ok(Paid::read(db, as_of, 0)
        .await?
        .into_iter()
        .map(|(id, p)| (id, Arc::new(p)))
        .collect())
}
