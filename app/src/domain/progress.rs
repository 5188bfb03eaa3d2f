//! 工程进度: the states a month's update reports, months as `YYYY-MM`, and
//! the planned line (序时进度) the rules and the chart compare against.
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

/// 形象进度状态, as a month's update reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProgressState {
    NotStarted,
    InProgress,
    Stopped,
    Completed,
}

impl ProgressState {
    pub const ALL: [Self; 4] = [
        Self::NotStarted,
        Self::InProgress,
        Self::Stopped,
        Self::Completed,
    ];
    pub fn code(self) -> &'static str {
        match self {
            Self::NotStarted => "not_started",
            Self::InProgress => "in_progress",
            Self::Stopped => "stopped",
            Self::Completed => "completed",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Self::NotStarted => "未开工",
            Self::InProgress => "在建",
            Self::Stopped => "停工",
            Self::Completed => "已完工",
        }
    }
    pub fn badge(self) -> &'static str {
        match self {
            Self::NotStarted => "badge badge-off",
            Self::InProgress => "badge badge-ok",
            Self::Stopped => "badge badge-bad",
            Self::Completed => "badge badge-info",
        }
    }
    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }
}

impl TryFrom<String> for ProgressState {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Self::parse(&s).ok_or_else(|| format!("unknown progress state {s}"))
    }
}

/// A project's light on the county map and the dashboards (亮灯): where
/// its works stand against the plan as of a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Light {
    /// Badly behind (beyond the red line) or past its revised completion.
    #[serde(rename = "r")]
    Red,
    /// Behind the planned line by more than the yellow line.
    #[serde(rename = "y")]
    Yellow,
    #[serde(rename = "g")]
    OnSchedule,
    /// Nothing reported yet, or reported 未开工.
    #[serde(rename = "n")]
    NotStarted,
    #[serde(rename = "c")]
    Completed,
}

impl Light {
    /// Most urgent first (the order of the legend and of lists).
    pub const ALL: [Self; 5] = [
        Self::Red,
        Self::Yellow,
        Self::OnSchedule,
        Self::NotStarted,
        Self::Completed,
    ];
    pub fn code(self) -> &'static str {
        match self {
            Self::Red => "red",
            Self::Yellow => "yellow",
            Self::OnSchedule => "on_schedule",
            Self::NotStarted => "not_started",
            Self::Completed => "completed",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Self::Red => "严重滞后或逾期",
            Self::Yellow => "进度滞后",
            Self::OnSchedule => "正常推进",
            Self::NotStarted => "未开工",
            Self::Completed => "已完工",
        }
    }
    /// The marker's colour (also the legend's swatch).
    pub fn colour(self) -> &'static str {
        match self {
            Self::Red => "#d93025",
            Self::Yellow => "#e8a400",
            Self::OnSchedule => "#1e8e3e",
            Self::NotStarted => "#1b5fc1",
            Self::Completed => "#8a8f98",
        }
    }
    pub fn badge(self) -> &'static str {
        match self {
            Self::Red => "badge badge-bad",
            Self::Yellow => "badge badge-warn",
            Self::OnSchedule => "badge badge-ok",
            Self::NotStarted => "badge badge-info",
            Self::Completed => "badge badge-off",
        }
    }
    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }
}

/// A calendar month, `YYYY-MM` as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month(NaiveDate);

impl Month {
    /// Reads `2026-03` (or a date input's `2026-03-15`, whose month it is).
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        let head = s.get(..7)?;
        if s.len() != 7 && s.len() != 10 {
            return None;
        }
        NaiveDate::parse_from_str(&format!("{head}-01"), "%Y-%m-%d")
            .ok()
            .map(Self)
    }
    pub fn of(day: NaiveDate) -> Self {
        Self(day.with_day(1).unwrap_or(day))
    }
    pub fn first(self) -> NaiveDate {
        self.0
    }
    pub fn last(self) -> NaiveDate {
        self.next().0.pred_opt().unwrap_or(self.0)
    }
    pub fn next(self) -> Self {
        Self(
            self.0
                .checked_add_months(chrono::Months::new(1))
                .unwrap_or(self.0),
        )
    }
    pub fn prev(self) -> Self {
        Self(
            self.0
                .checked_sub_months(chrono::Months::new(1))
                .unwrap_or(self.0),
        )
    }
    /// The day of this month, clamped to its length.
    pub fn day(self, day: u32) -> NaiveDate {
        self.0
            .with_day(day.clamp(1, 28))
            .unwrap_or(self.0)
            .max(self.0)
    }
}

impl std::fmt::Display for Month {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0.format("%Y-%m"))
    }
}

/// 序时进度: the percent planned by `day` on a straight line from the start
/// to the (revised) completion, 0 before the start and 100 from the end.
pub fn planned_pct(start: NaiveDate, completion: NaiveDate, day: NaiveDate) -> f64 {
    let total = (completion - start).num_days();
    if total <= 0 {
        return if day >= completion { 100.0 } else { 0.0 };
    }
    let done = (day - start).num_days() as f64 * 100.0 / total as f64;
    done.clamp(0.0, 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn months_read_and_step() {
        let m = Month::parse("2026-02").unwrap();
        assert_eq!(m.to_string(), "2026-02");
        assert_eq!(m.last(), d("2026-02-28"));
        assert_eq!(m.next().to_string(), "2026-03");
        assert_eq!(
            Month::parse("2026-12").unwrap().next().to_string(),
            "2027-01"
        );
        assert_eq!(m.prev().to_string(), "2026-01");
        assert_eq!(m.day(5), d("2026-02-05"));
        assert_eq!(Month::parse("2026-13"), None);
        assert_eq!(Month::parse("2026-1"), None);
        assert_eq!(Month::parse("2026-03-15").unwrap().to_string(), "2026-03");
    }

    #[test]
    fn the_planned_line_is_straight_and_clamped() {
        let (s, e) = (d("2026-01-01"), d("2026-01-11"));
        assert_eq!(planned_pct(s, e, d("2025-12-01")), 0.0);
        assert_eq!(planned_pct(s, e, d("2026-01-06")), 50.0);
        assert_eq!(planned_pct(s, e, d("2026-02-01")), 100.0);
        assert_eq!(planned_pct(s, s, s), 100.0);
    }

    #[test]
    fn states_round_trip() {
        for s in ProgressState::ALL {
            assert_eq!(ProgressState::parse(s.code()), Some(s));
        }
        assert_eq!(ProgressState::parse("done"), None);
    }
}
