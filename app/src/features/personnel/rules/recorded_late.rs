//! 人员变更登记超期: a replacement recorded (submitted) more than 5 working
//! days after it took effect, or still not recorded by then.
use super::replacements;
use crate::{
    error::AppError,
    platform::{
        db::Db,
        rules::{Finding, On, Param, Rule, RuleInfo, Severity},
        settings::Settings,
        time::workdays_between,
    },
};
use chrono::NaiveDate;

pub struct RecordedLate;

static INFO: RuleInfo = RuleInfo {
    code: "personnel_late",
    name: "人员变更登记超期",
    basis: "杭州市项目经理管理办法：更换后 5 个工作日内持建设单位同意更换证明等材料登记（县参照执行；工作日按周一至周五计）",
    severity: Severity::Warning,
    params: &[Param {
        key: "days",
        label: "登记期限",
        unit: "个工作日",
        min: 1.0,
        max: 60.0,
        integer: true,
        get: |s| s.personnel.record_within_workdays as f64,
        set: |s, v| s.personnel.record_within_workdays = v as i64,
    }],
    auto_order: false,
};

#[async_trait::async_trait]
impl Rule for RecordedLate {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    async fn evaluate(
        &self,
        db: &Db,
        s: &Settings,
        as_of: NaiveDate,
    ) -> Result<Vec<Finding>, AppError> {
        let limit = s.personnel.record_within_workdays;
        let mut out = Vec::new();
        for r in replacements(db, as_of).await? {
            let recorded = r.submitted_on.unwrap_or(as_of);
            let days = workdays_between(r.effective_on, recorded);
            if days <= limit {
                continue;
            }
            let message = match r.submitted_on {
                Some(d) => format!(
                    "{} 更换 {} 起生效，{d} 才登记，相隔 {days} 个工作日，超过 {limit} 个",
                    r.role_label(),
                    r.effective_on
                ),
                None => format!(
                    "{} 更换 {} 起生效，已过 {days} 个工作日仍未提交登记",
                    r.role_label(),
                    r.effective_on
                ),
            };
            out.push(Finding {
                on: On::Filing(r.filing_id),
                subject: r.subject(),
                since: r.effective_on,
                message,
                figures: serde_json::json!({ "effective_on": r.effective_on, "recorded_on": r.submitted_on, "workdays": days, "limit": limit }),
            });
        }
        Ok(out)
    }
}
