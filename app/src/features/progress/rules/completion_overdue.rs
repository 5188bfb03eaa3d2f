//! 逾期未竣工: the planned completion, moved by the approved schedule
//! changes, has passed and no month reports 已完工. Issues a supervision
//! order by itself (自动督办, the notice's 督办信息) unless an administrator
//! switches that off.
use super::works;
use crate::{
    error::AppError,
    platform::{
        db::Db,
        rules::{Finding, On, Rule, RuleInfo, Severity},
        settings::Settings,
    },
};
use chrono::NaiveDate;

pub struct CompletionOverdue;

static INFO: RuleInfo = RuleInfo {
    code: "completion_overdue",
    name: "逾期未竣工",
    basis: "县通知“督办信息”：超过合同（含经批准的工期变更）计划竣工日期仍未完工的项目，由县资管办督办；《政府投资条例》第二十七条（按批准的建设工期实施）",
    severity: Severity::Serious,
    params: &[],
    auto_order: true,
};

#[async_trait::async_trait]
impl Rule for CompletionOverdue {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    async fn evaluate(
        &self,
        db: &Db,
        s: &Settings,
        as_of: NaiveDate,
    ) -> Result<Vec<Finding>, AppError> {
        let mut out = Vec::new();
        for w in works(db, as_of).await? {
            if !w.supervised(s.go_live) {
                continue;
            }
            let Some(due) = w.revised_completion else {
                continue;
            };
            if as_of <= due || w.completed() {
                continue;
            }
            let days = (as_of - due).num_days();
            let reported = w
                .latest()
                .map(|m| {
                    format!(
                        "，最近填报 {} 累计完成 {}%（{}）",
                        m.month,
                        m.percent,
                        m.state.label()
                    )
                })
                .unwrap_or_else(|| "，未填报进度".into());
            out.push(Finding {
                on: On::Filing(w.filing_id),
                subject: String::new(),
                since: due.succ_opt().unwrap_or(due),
                message: format!("计划竣工（含工期变更）{due}，已逾期 {days} 天{reported}"),
                figures: serde_json::json!({
                    "revised_completion": due, "overdue_days": days,
                    "percent": w.latest().map(|m| m.percent),
                }),
            });
        }
        Ok(out)
    }
}
