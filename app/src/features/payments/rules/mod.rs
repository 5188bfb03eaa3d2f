//! The payment rules (one file each) and what they read: every filed
//! project's prices and its submitted payments up to the day, in two
//! statements.
pub mod advance_over;
pub mod overpaid;
pub mod progress_underpaid;
pub mod retention_none;
pub mod retention_over;

use crate::{error::AppError, platform::db::Db};
use chrono::NaiveDate;

pub const RULES: &[&dyn crate::platform::rules::Rule] = &[
    &advance_over::AdvanceOver,
    &overpaid::Overpaid,
    &progress_underpaid::ProgressUnderpaid,
    &retention_over::RetentionOver,
    &retention_none::RetentionNone,
];

/// A submitted payment as the rules see it.
pub struct Pay {
    pub id: i64,
    pub kind: String,
    pub paid_on: NaiveDate,
    pub amount_fen: i64,
    pub work_value_fen: Option<i64>,
    pub settlement_fen: Option<i64>,
}

/// One filed project's money as of the day.
pub struct Ledger {
    pub filing_id: i64,
    pub price_fen: i64,
    /// Price plus the changes approved by the day.
    pub revised_fen: i64,
    pub signed_on: Option<NaiveDate>,
    /// In payment order (date, then id).
    pub payments: Vec<Pay>,
}

impl Ledger {
    /// Each payment with the cumulative total paid through it.
    pub fn running(&self) -> impl Iterator<Item = (&Pay, i64)> {
        self.payments.iter().scan(0i64, |sum, p| {
            *sum += p.amount_fen;
            Some((p, *sum))
        })
    }
    pub fn total(&self) -> i64 {
        self.payments.iter().map(|p| p.amount_fen).sum()
    }
}

#[derive(sqlx::FromRow)]
struct PayRow {
    filing_id: i64,
    id: i64,
    kind: String,
    paid_on: String,
    amount_fen: i64,
    work_value_fen: Option<i64>,
    settlement_fen: Option<i64>,
}

fn day(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

/// Every filed project with a price, and its payments made by `as_of`.
pub async fn ledgers(db: &Db, as_of: NaiveDate) -> Result<Vec<Ledger>, AppError> {
    let at = as_of.to_string();
    let projects: Vec<(i64, i64, Option<String>, i64)> = sqlx::query_as(
        "SELECT f.id, f.contract_price_fen, f.signed_on,
                CAST(COALESCE((SELECT SUM(c.price_delta_fen) FROM project_changes c
                     WHERE c.filing_id = f.id AND c.status = 'submitted' AND c.approved_on <= $1), 0) AS BIGINT)
         FROM filings f WHERE f.status = 'submitted' AND f.contract_price_fen IS NOT NULL ORDER BY f.id",
    )
    .bind(&at)
    .fetch_all(&db.pool)
    .await?;
    let pays: Vec<PayRow> = sqlx::query_as(
        "SELECT filing_id, id, kind, paid_on, amount_fen, work_value_fen, settlement_fen FROM payments
         WHERE status = 'submitted' AND paid_on <= $1 ORDER BY filing_id, paid_on, id",
    )
    .bind(&at)
    .fetch_all(&db.pool)
    .await?;
    let mut by_filing: std::collections::HashMap<i64, Vec<Pay>> = Default::default();
    for r in pays {
        if let Some(paid_on) = day(&r.paid_on) {
            by_filing.entry(r.filing_id).or_default().push(Pay {
                id: r.id,
                kind: r.kind,
                paid_on,
                amount_fen: r.amount_fen,
                work_value_fen: r.work_value_fen,
                settlement_fen: r.settlement_fen,
            });
        }
    }
    Ok(projects
        .into_iter()
        .map(|(filing_id, price_fen, signed_on, change_fen)| Ledger {
            filing_id,
            price_fen,
            revised_fen: price_fen + change_fen,
            signed_on: signed_on.as_deref().and_then(day),
            payments: by_filing.remove(&filing_id).unwrap_or_default(),
        })
        .collect())
}

/// The subject of an alert about one payment.
pub fn subject(p: &Pay) -> String {
    format!("payment:{}", p.id)
}
