//! 停工超过一个月: two or more consecutive months reported 停工, the latest
//! among them (a stop of more than a month must be reported as 中止施工).
use super::works;
use crate::{
    domain::progress::ProgressState,
    error::AppError,
    platform::{
        db::Db,
        rules::{Finding, On, Rule, RuleInfo, Severity},
        settings::Settings,
    },
};
use chrono::NaiveDate;

pub struct StoppedLong;

static INFO: RuleInfo = RuleInfo {
    code: "stopped_long",
    name: "停工超过一个月",
    basis: "《建筑工程施工许可管理办法》第九条：在建的建筑工程因故中止施工的，建设单位应当自中止施工之日起一个月内向发证机关报告",
    severity: Severity::Warning,
    params: &[],
    auto_order: false,
};

#[async_trait::async_trait]
impl Rule for StoppedLong {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    async fn evaluate(
        &self,
        db: &Db,
        _s: &Settings,
        as_of: NaiveDate,
    ) -> Result<Vec<Finding>, AppError> {
        let mut out = Vec::new();
        for w in works(db, as_of).await? {
            // The run of consecutive 停工 months ending with the latest.
            let mut run: Vec<_> = Vec::new();
            for m in w.months.iter().rev() {
                let joins = run
                    .last()
                    .is_none_or(|prev: &&super::Reported| prev.month.prev() == m.month);
                if m.state == ProgressState::Stopped && joins {
                    run.push(m);
                } else {
                    break;
                }
            }
            if run.len() < 2 {
                continue;
            }
            let first = run[run.len() - 1].month;
            out.push(Finding {
                on: On::Filing(w.filing_id),
                subject: first.to_string(),
                since: first.next().first(),
                message: format!(
                    "自 {first} 起连续 {} 个月填报停工，累计完成 {}%",
                    run.len(),
                    run[0].percent
                ),
                figures: serde_json::json!({ "from": first.to_string(), "months": run.len() }),
            });
        }
        Ok(out)
    }
}
