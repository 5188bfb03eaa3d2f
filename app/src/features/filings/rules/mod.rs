//! The filing rules (one file each) and what they read: every award with
//! its filing, if any, in one statement.
pub mod price_deviation;
pub mod signed_late;

use crate::{error::AppError, platform::db::Db};
use chrono::NaiveDate;
use sqlx::FromRow;

pub const RULES: &[&dyn crate::platform::rules::Rule] =
    &[&signed_late::SignedLate, &price_deviation::PriceDeviation];

/// A submitted filing as the filing rules see it.
#[derive(FromRow)]
pub struct FilingFact {
    pub filing_id: i64,
    pub award_price_fen: i64,
    pub award_date: String,
    pub contract_price_fen: i64,
    pub signed_on: String,
}

impl FilingFact {
    pub fn award_day(&self) -> Option<NaiveDate> {
        NaiveDate::parse_from_str(&self.award_date, "%Y-%m-%d").ok()
    }
    pub fn signed_day(&self) -> Option<NaiveDate> {
        NaiveDate::parse_from_str(&self.signed_on, "%Y-%m-%d").ok()
    }
}

/// Submitted filings of contracts signed by `as_of` (a replay sees a
/// contract from its signing day; the filing's own day is not kept apart).
pub async fn facts(db: &Db, as_of: NaiveDate) -> Result<Vec<FilingFact>, AppError> {
    Ok(sqlx::query_as::<_, FilingFact>(
        "SELECT f.id AS filing_id, a.award_price_fen, a.award_date,
                f.contract_price_fen, f.signed_on
         FROM filings f JOIN awards a ON a.id = f.award_id
         WHERE f.status = 'submitted' AND f.contract_price_fen IS NOT NULL
           AND f.signed_on IS NOT NULL AND f.signed_on <= $1
         ORDER BY f.id",
    )
    .bind(as_of.to_string())
    .fetch_all(&db.pool)
    .await?)
}
