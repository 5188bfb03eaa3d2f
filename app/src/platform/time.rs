//! Instants are stored as UTC milliseconds (BIGINT) on both databases: sqlx's
//! `Any` driver has no chrono types, and integers compare and sort the same
//! everywhere. Calendar dates are ISO text (`YYYY-MM-DD`), which sorts too.
//! Formatting for people is in [`crate::fmt`].
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// Today's date in Beijing, the calendar every person here uses.
pub fn today() -> chrono::NaiveDate {
    chrono::Utc::now()
        .with_timezone(&crate::fmt::beijing())
        .date_naive()
}
