//! 月度进度未按时填报: a month's update is due by a day of the next month
//! (default the 5th). One alert per project and month; a month filed late
//! clears its alert. Only the last twelve due months are read again, so an
//! old gap stays on record as it was.
use super::works;
use crate::{
    domain::progress::Month,
    error::AppError,
    platform::{
        db::Db,
        rules::{Finding, On, Param, Rule, RuleInfo, Severity},
        settings::Settings,
    },
};
use chrono::NaiveDate;

pub struct ProgressMissing;

/// How many due months each run reads.
const WINDOW: u32 = 12;

static INFO: RuleInfo = RuleInfo {
    code: "progress_missing",
    name: "月度进度未按时填报",
    basis: "县通知：建设单位按月填报工程进度（每个项目新增一次工程进度，后续月度数据直接修改）；填报期限为次月 5 日前（县实践，可调）",
    severity: Severity::Warning,
    params: &[Param {
        key: "day",
        label: "次月填报截止日",
        unit: "日",
        min: 1.0,
        max: 28.0,
        integer: true,
        get: |s| s.progress.report_by_day as f64,
        set: |s, v| s.progress.report_by_day = v as u32,
    }],
    auto_order: false,
};

/// The first month a run as of `as_of` evaluates.
fn window_start(as_of: NaiveDate) -> Month {
    (0..WINDOW).fold(Month::of(as_of), |m, _| m.prev())
}

/// The last month due by `as_of` (its deadline passed).
fn last_due(as_of: NaiveDate, by_day: u32) -> Month {
    let this = Month::of(as_of);
    if as_of > this.day(by_day) {
        this.prev()
    } else {
        this.prev().prev()
    }
}

#[async_trait::async_trait]
impl Rule for ProgressMissing {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn rereads(&self, subject: &str, as_of: NaiveDate) -> bool {
        // The months this run evaluates; a month that left the window keeps
        // its alert as it was.
        Month::parse(subject).is_some_and(|m| m >= window_start(as_of))
    }

    async fn evaluate(
        &self,
        db: &Db,
        s: &Settings,
        as_of: NaiveDate,
    ) -> Result<Vec<Finding>, AppError> {
        let by = s.progress.report_by_day;
        let due = last_due(as_of, by);
        let from = window_start(as_of);
        let mut out = Vec::new();
        for w in works(db, as_of).await? {
            if !w.supervised(s.go_live) {
                continue;
            }
            // Owed from the month the works started (or the contract was
            // signed) until the month reported 已完工.
            let Some(start) = w.actual_start.or(w.signed_on).map(Month::of) else {
                continue;
            };
            let done = w
                .months
                .iter()
                .find(|m| m.state == crate::domain::progress::ProgressState::Completed)
                .map(|m| m.month);
            // The month reported 已完工 is itself reported: owed up to before it.
            let mut m = start.max(from);
            while m <= due && done.is_none_or(|d| m < d) {
                if !w.months.iter().any(|r| r.month == m) {
                    let deadline = m.next().day(by);
                    out.push(Finding {
                        on: On::Filing(w.filing_id),
                        subject: m.to_string(),
                        since: deadline.succ_opt().unwrap_or(deadline),
                        message: format!("{m} 月度进度应于 {deadline} 前填报，尚未填报"),
                        figures: serde_json::json!({ "month": m.to_string(), "deadline": deadline }),
                    });
                }
                m = m.next();
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_month_is_due_after_the_day_of_the_next() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(last_due(d("2026-12-05"), 5).to_string(), "2026-10");
        assert_eq!(last_due(d("2026-12-06"), 5).to_string(), "2026-11");
        assert_eq!(last_due(d("2026-01-06"), 5).to_string(), "2025-12");
    }
}
