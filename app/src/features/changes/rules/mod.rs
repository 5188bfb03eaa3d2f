//! The change rules (one file each) and what they read: every submitted
//! change approved by the day, in two statements.
pub mod change_large;
pub mod changes_over;

use crate::{error::AppError, platform::db::Db};
use chrono::NaiveDate;
use std::collections::HashMap;

pub const RULES: &[&dyn crate::platform::rules::Rule] =
    &[&changes_over::ChangesOver, &change_large::ChangeLarge];

/// A submitted change as the rules see it.
pub struct ChangeFact {
    pub id: i64,
    pub filing_id: i64,
    pub title: String,
    pub price_delta_fen: i64,
    pub approver_level: String,
    pub approved_on: NaiveDate,
}

/// Original contract prices of filed projects, and their changes approved
/// by `as_of` in approval order.
pub async fn facts(
    db: &Db,
    as_of: NaiveDate,
) -> Result<(HashMap<i64, i64>, Vec<ChangeFact>), AppError> {
    let prices: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT id, contract_price_fen FROM filings WHERE status = 'submitted' AND contract_price_fen IS NOT NULL",
    )
    .fetch_all(&db.pool)
    .await?;
    let rows: Vec<(i64, i64, String, i64, String, String)> = sqlx::query_as(
        "SELECT c.id, c.filing_id, c.title, c.price_delta_fen, c.approver_level, c.approved_on
         FROM project_changes c JOIN filings f ON f.id = c.filing_id
         WHERE c.status = 'submitted' AND f.status = 'submitted' AND c.approved_on <= $1
         ORDER BY c.filing_id, c.approved_on, c.id",
    )
    .bind(as_of.to_string())
    .fetch_all(&db.pool)
    .await?;
    let facts = rows
        .into_iter()
        .filter_map(
            |(id, filing_id, title, price_delta_fen, approver_level, day)| {
                Some(ChangeFact {
                    id,
                    filing_id,
                    title,
                    price_delta_fen,
                    approver_level,
                    approved_on: NaiveDate::parse_from_str(&day, "%Y-%m-%d").ok()?,
                })
            },
        )
        .collect();
    Ok((prices.into_iter().collect(), facts))
}
