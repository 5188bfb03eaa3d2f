//! Calendar dates as people type them and as spreadsheets store them.
use chrono::{Datelike, NaiveDate};

/// Parses `2024-03-05`, `2024/3/5`, `2024.3.5` or `2024年3月5日`.
pub fn parse_date(input: &str, what: &str) -> Result<NaiveDate, String> {
    let s = input.trim();
    if s.is_empty() {
        return Err(format!("请填写{what}"));
    }
    let norm: String = s
        .trim_end_matches('日')
        .chars()
        .map(|c| {
            if matches!(c, '/' | '.' | '年' | '月') {
                '-'
            } else {
                c
            }
        })
        .collect();
    let date = NaiveDate::parse_from_str(&norm, "%Y-%m-%d")
        .map_err(|_| format!("{what}格式应为 2024-03-05"))?;
    // A well-formed date outside the years a contract can have: say so,
    // rather than blaming the format.
    if !(1990..=2100).contains(&date.year()) {
        return Err(format!("{what}超出合理范围（1990—2100 年）"));
    }
    Ok(date)
}

/// An Excel serial day number (1900 date system) as a date.
pub fn excel_serial(days: f64) -> Option<NaiveDate> {
    let base = NaiveDate::from_ymd_opt(1899, 12, 30)?;
    (days.is_finite() && days > 0.0 && days < 100_000.0)
        .then(|| base.checked_add_days(chrono::Days::new(days.floor() as u64)))
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_date_out_of_range_is_called_so() {
        assert_eq!(
            parse_date("1900-01-01", "签订日期").unwrap_err(),
            "签订日期超出合理范围（1990—2100 年）"
        );
        assert_eq!(
            parse_date("2024-13-01", "签订日期").unwrap_err(),
            "签订日期格式应为 2024-03-05"
        );
    }

    #[test]
    fn parses_common_forms() {
        let d = NaiveDate::from_ymd_opt(2024, 3, 5).unwrap();
        for s in [
            "2024-03-05",
            "2024/3/5",
            "2024.3.5",
            "2024年3月5日",
            " 2024-3-05 ",
        ] {
            assert_eq!(parse_date(s, "日期").unwrap(), d, "{s}");
        }
        assert_eq!(excel_serial(45356.0), Some(d));
    }

    #[test]
    fn refuses_bad_dates() {
        for s in [
            "",
            "2024-02-30",
            "24-3-5",
            "1800-01-01",
            "tomorrow",
            "2024-03-05T00:00",
        ] {
            assert!(parse_date(s, "签订日期").is_err(), "{s}");
        }
    }
}
