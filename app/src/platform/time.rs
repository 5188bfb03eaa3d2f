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

/// The Beijing calendar day of an instant (UTC ms), without formatting.
pub fn beijing_date(ms: i64) -> chrono::NaiveDate {
    use chrono::TimeZone;
    crate::fmt::beijing()
        .timestamp_millis_opt(ms)
        .single()
        .map(|t| t.date_naive())
        .unwrap_or_default()
}

/// A stored `YYYY-MM-DD` date, without a format parser (the province's
/// reads parse tens of thousands).
pub fn iso_day(s: &str) -> Option<chrono::NaiveDate> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| s.get(r)?.parse::<u32>().ok();
    chrono::NaiveDate::from_ymd_opt(i32::try_from(num(0..4)?).ok()?, num(5..7)?, num(8..10)?)
}

/// The first instant after `day` in Beijing (UTC ms): what happened before
/// it happened by `day` (rules evaluated "as of" a day read up to here).
pub fn end_of_day_ms(day: chrono::NaiveDate) -> i64 {
    use chrono::TimeZone;
    let next = day
        .succ_opt()
        .unwrap_or(day)
        .and_hms_opt(0, 0, 0)
        .unwrap_or_default();
    crate::fmt::beijing()
        .from_local_datetime(&next)
        .single()
        .map(|t| t.timestamp_millis())
        .unwrap_or(i64::MAX)
}

/// Monday to Friday after `from` up to and including `to` (official
/// holidays and make-up days are not known here and count as they fall).
pub fn workdays_between(from: chrono::NaiveDate, to: chrono::NaiveDate) -> i64 {
    use chrono::Datelike;
    let mut n = 0;
    let mut d = from;
    while d < to {
        d = d.succ_opt().unwrap_or(to);
        if d.weekday().num_days_from_monday() < 5 {
            n += 1;
        }
    }
    n
}
