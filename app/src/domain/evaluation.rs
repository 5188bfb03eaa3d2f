//! 合同履约考评: the periods an evaluation covers, the form it is scored on,
//! grades, the scores the system proposes from its own evidence, and the
//! states of a contractor's objection (异议).
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

/// The period an evaluation covers: a calendar quarter while the project
/// runs, or its completion (the whole contract).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Period {
    Quarter { year: i32, q: u32 },
    Completion,
}

impl Period {
    /// `2026Q3` or `completion`, as stored.
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        if s == "completion" {
            return Some(Self::Completion);
        }
        let (y, q) = s.split_once('Q')?;
        let (year, q) = (y.parse().ok()?, q.parse().ok()?);
        ((2000..=2100).contains(&year) && (1..=4).contains(&q)).then_some(Self::Quarter { year, q })
    }
    pub fn of(day: NaiveDate) -> Self {
        Self::Quarter {
            year: day.year(),
            q: day.month0() / 3 + 1,
        }
    }
    pub fn code(self) -> String {
        match self {
            Self::Quarter { year, q } => format!("{year}Q{q}"),
            Self::Completion => "completion".into(),
        }
    }
    pub fn label(self) -> String {
        match self {
            Self::Quarter { year, q } => format!("{year} 年第 {q} 季度"),
            Self::Completion => "竣工考评".into(),
        }
    }
    /// A quarter's first and last day (none for the completion).
    pub fn days(self) -> Option<(NaiveDate, NaiveDate)> {
        let Self::Quarter { year, q } = self else {
            return None;
        };
        let first = NaiveDate::from_ymd_opt(year, (q - 1) * 3 + 1, 1)?;
        let next = if q == 4 {
            NaiveDate::from_ymd_opt(year + 1, 1, 1)?
        } else {
            NaiveDate::from_ymd_opt(year, q * 3 + 1, 1)?
        };
        Some((first, next.pred_opt()?))
    }
    pub fn next(self) -> Self {
        match self {
            Self::Quarter { year, q: 4 } => Self::Quarter {
                year: year + 1,
                q: 1,
            },
            Self::Quarter { year, q } => Self::Quarter { year, q: q + 1 },
            Self::Completion => Self::Completion,
        }
    }
}

/// Every quarter from the one holding `from` to the one holding `to`.
pub fn quarters(from: NaiveDate, to: NaiveDate) -> Vec<Period> {
    let (mut p, last) = (Period::of(from), Period::of(to));
    let mut out = Vec::new();
    while p <= last && out.len() < 400 {
        out.push(p);
        p = p.next();
    }
    out
}

/// What the system proposes an item's score from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Evidence {
    /// Key personnel attendance and replacements (机构人员配备).
    Personnel,
    /// Progress against the planned line and the revised completion (工期).
    Schedule,
    /// Supervision orders on the project (协调配合).
    Cooperation,
}

impl Evidence {
    pub const ALL: [Self; 3] = [Self::Personnel, Self::Schedule, Self::Cooperation];
    pub fn code(self) -> &'static str {
        match self {
            Self::Personnel => "personnel",
            Self::Schedule => "schedule",
            Self::Cooperation => "cooperation",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Self::Personnel => "关键人员考勤与更换",
            Self::Schedule => "工程进度",
            Self::Cooperation => "督办",
        }
    }
    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|e| e.code() == code)
    }
}

/// One item of the evaluation form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FormItem {
    pub code: String,
    pub name: String,
    pub weight: i64,
    pub guidance: String,
    pub evidence: Option<Evidence>,
}

/// 良好, 合格, 不合格.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Grade {
    Good,
    Pass,
    Fail,
}

impl Grade {
    pub const ALL: [Self; 3] = [Self::Good, Self::Pass, Self::Fail];
    /// The grade of a total under the form's cut-offs (良好 ≥ good_min,
    /// 合格 ≥ pass_min).
    pub fn of(total: i64, good_min: i64, pass_min: i64) -> Self {
        if total >= good_min {
            Self::Good
        } else if total >= pass_min {
            Self::Pass
        } else {
            Self::Fail
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            Self::Good => "good",
            Self::Pass => "pass",
            Self::Fail => "fail",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Self::Good => "良好",
            Self::Pass => "合格",
            Self::Fail => "不合格",
        }
    }
    pub fn badge(self) -> &'static str {
        match self {
            Self::Good => "badge badge-ok",
            Self::Pass => "badge badge-info",
            Self::Fail => "badge badge-bad",
        }
    }
    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|g| g.code() == code)
    }
}

impl TryFrom<String> for Grade {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Self::parse(&s).ok_or_else(|| format!("unknown grade {s}"))
    }
}

/// An objection's state: the contractor filed it (待答复), the owner answered
/// (待裁定), a supervisor upheld it (成立: the owner scores again) or
/// dismissed it (驳回).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ObjectionState {
    Filed,
    Answered,
    Upheld,
    Dismissed,
}

impl ObjectionState {
    pub const ALL: [Self; 4] = [Self::Filed, Self::Answered, Self::Upheld, Self::Dismissed];
    pub fn code(self) -> &'static str {
        match self {
            Self::Filed => "filed",
            Self::Answered => "answered",
            Self::Upheld => "upheld",
            Self::Dismissed => "dismissed",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Self::Filed => "异议待答复",
            Self::Answered => "异议待裁定",
            Self::Upheld => "异议成立",
            Self::Dismissed => "异议驳回",
        }
    }
    pub fn badge(self) -> &'static str {
        match self {
            Self::Filed | Self::Answered => "badge badge-warn",
            Self::Upheld => "badge badge-bad",
            Self::Dismissed => "badge badge-off",
        }
    }
    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }
}

impl TryFrom<String> for ObjectionState {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Self::parse(&s).ok_or_else(|| format!("unknown objection state {s}"))
    }
}

/// What the system knows of a project for an evaluation's period, and the
/// scores it proposes from that (README: 合同履约考评).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Facts {
    /// The lowest attendance rate (percent) of the project manager or chief
    /// supervisor over the period's working days on the roster; none if no
    /// day was owed.
    pub lead_rate: Option<f64>,
    /// Replacements of roster members taking effect in the period.
    pub replacements: i64,
    /// Points behind the planned line at the period's end (negative: ahead);
    /// none without a planned line or a reported month.
    pub behind_pts: Option<f64>,
    /// Past the revised completion at the period's end and not completed.
    pub overdue: bool,
    /// Supervision orders issued on the project in the period, and those of
    /// them not answered by their deadline.
    pub orders: i64,
    pub orders_late: i64,
}

/// Points a replacement in the period takes off the personnel item.
pub const PER_REPLACEMENT: i64 = 2;
/// Points an order takes off the cooperation item, and again if it was late.
pub const PER_ORDER: i64 = 3;

impl Facts {
    /// The score the evidence supports for an item of `weight`, if the item
    /// has evidence and the period has any (rounded to whole points):
    /// - personnel: weight × the lowest lead attendance rate, less
    ///   [`PER_REPLACEMENT`] per replacement;
    /// - schedule: full on or ahead of the line, none when overdue, and in
    ///   between falling linearly to none at `red_pts` behind;
    /// - cooperation: full, less [`PER_ORDER`] per order and again per late one.
    pub fn propose(&self, evidence: Evidence, weight: i64, red_pts: f64) -> Option<i64> {
        let w = weight as f64;
        let raw = match evidence {
            Evidence::Personnel => {
                let rate = self.lead_rate?;
                (w * (rate / 100.0).min(1.0)).round() as i64 - PER_REPLACEMENT * self.replacements
            }
            Evidence::Schedule if self.overdue => 0,
            Evidence::Schedule => {
                let behind = self.behind_pts?.max(0.0);
                (w * (1.0 - behind / red_pts.max(1.0)).max(0.0)).round() as i64
            }
            Evidence::Cooperation => weight - PER_ORDER * (self.orders + self.orders_late),
        };
        Some(raw.clamp(0, weight))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn periods_read_and_span_their_quarter() {
        let p = Period::parse("2026Q3").unwrap();
        assert_eq!(p.days(), Some((d("2026-07-01"), d("2026-09-30"))));
        assert_eq!(
            Period::parse("2026Q4").unwrap().days().unwrap().1,
            d("2026-12-31")
        );
        assert_eq!(Period::parse("completion"), Some(Period::Completion));
        for bad in ["2026Q5", "2026Q0", "Q3", "2026-07", "", "1999Q1"] {
            assert_eq!(Period::parse(bad), None, "{bad}");
        }
        let qs = quarters(d("2025-11-20"), d("2026-07-01"));
        let codes: Vec<String> = qs.iter().map(|p| p.code()).collect();
        assert_eq!(codes, ["2025Q4", "2026Q1", "2026Q2", "2026Q3"]);
        assert!(Period::Completion > Period::parse("2099Q4").unwrap());
    }

    #[test]
    fn grades_at_the_cut_offs() {
        assert_eq!(Grade::of(85, 85, 60), Grade::Good);
        assert_eq!(Grade::of(84, 85, 60), Grade::Pass);
        assert_eq!(Grade::of(60, 85, 60), Grade::Pass);
        assert_eq!(Grade::of(59, 85, 60), Grade::Fail);
        assert_eq!(Grade::of(90, 95, 75), Grade::Pass);
    }

    #[test]
    fn proposals_follow_the_evidence() {
        let f = Facts {
            lead_rate: Some(50.0),
            replacements: 1,
            behind_pts: Some(15.0),
            orders: 1,
            orders_late: 1,
            ..Default::default()
        };
        assert_eq!(f.propose(Evidence::Personnel, 14, 30.0), Some(5)); // 7 − 2
        assert_eq!(f.propose(Evidence::Schedule, 15, 30.0), Some(8)); // 15 × ½ rounded
        assert_eq!(f.propose(Evidence::Cooperation, 13, 30.0), Some(7));
        let good = Facts {
            lead_rate: Some(100.0),
            behind_pts: Some(-4.0),
            ..Default::default()
        };
        assert_eq!(good.propose(Evidence::Personnel, 14, 30.0), Some(14));
        assert_eq!(good.propose(Evidence::Schedule, 15, 30.0), Some(15));
        assert_eq!(good.propose(Evidence::Cooperation, 13, 30.0), Some(13));
        let none = Facts::default();
        assert_eq!(none.propose(Evidence::Personnel, 14, 30.0), None);
        assert_eq!(none.propose(Evidence::Schedule, 15, 30.0), None);
        let overdue = Facts {
            overdue: true,
            orders: 9,
            ..Default::default()
        };
        assert_eq!(overdue.propose(Evidence::Schedule, 15, 30.0), Some(0));
        assert_eq!(overdue.propose(Evidence::Cooperation, 13, 30.0), Some(0));
    }
}
