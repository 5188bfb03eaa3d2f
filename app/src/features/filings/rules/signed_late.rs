//! 合同签订超期: the contract was signed more than 30 days after the award
//! notice (招标投标法 第四十六条).
use super::facts;
use crate::{
    error::AppError,
    platform::{
        db::Db,
        rules::{Finding, On, Param, Rule, RuleInfo, Severity},
        settings::Settings,
    },
};
use chrono::NaiveDate;

pub struct SignedLate;

static INFO: RuleInfo = RuleInfo {
    code: "signed_late",
    name: "合同签订超期",
    basis: "《招标投标法》第四十六条：招标人和中标人应当自中标通知书发出之日起三十日内订立书面合同",
    severity: Severity::Warning,
    params: &[Param {
        key: "days",
        label: "签订期限",
        unit: "天",
        min: 1.0,
        max: 365.0,
        integer: true,
        get: |s| s.sign_within_days as f64,
        set: |s, v| s.sign_within_days = v as i64,
    }],
    auto_order: false,
};

#[async_trait::async_trait]
impl Rule for SignedLate {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    async fn evaluate(
        &self,
        db: &Db,
        s: &Settings,
        as_of: NaiveDate,
    ) -> Result<Vec<Finding>, AppError> {
        let limit = s.sign_within_days;
        let mut out = Vec::new();
        for f in facts(db, as_of).await? {
            let (Some(award), Some(signed)) = (f.award_day(), f.signed_day()) else {
                continue;
            };
            let days = (signed - award).num_days();
            if days > limit {
                out.push(Finding {
                    on: On::Filing(f.filing_id),
                    subject: String::new(),
                    since: signed,
                    message: format!(
                        "中标通知书 {award}，合同签订 {signed}，相隔 {days} 天，超过 {limit} 天"
                    ),
                    figures: serde_json::json!({ "award_date": award, "signed_on": signed, "days": days, "limit_days": limit }),
                });
            }
        }
        Ok(out)
    }
}
