//! Formatting shared by server and browser, so both render the same text.
use chrono::{FixedOffset, TimeZone};

/// China Standard Time. A fixed offset is exact (no DST since 1991) and keeps
/// the time-zone database out of the wasm bundle.
pub fn beijing() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("valid offset")
}

/// UTC milliseconds as `2026-11-25 13:05:09` Beijing time.
pub fn datetime(ms: i64) -> String {
    beijing()
        .timestamp_millis_opt(ms)
        .single()
        .map(|t| t.format("%Y-%m-%d %H:%M:%S").to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    #[test]
    fn formats_in_beijing_time() {
        // 2026-11-25T00:00:00Z is 08:00 in Beijing.
        assert_eq!(super::datetime(1_795_564_800_000), "2026-11-25 08:00:00");
    }
}
