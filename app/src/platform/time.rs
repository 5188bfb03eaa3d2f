//! Instants are stored as UTC milliseconds (BIGINT) on both databases: sqlx's
//! `Any` driver has no chrono types, and integers compare and sort the same
//! everywhere. Formatting for people is in [`crate::fmt`].
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}
