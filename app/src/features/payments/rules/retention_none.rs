//! 缺陷责任期内质保金已付清: nothing is held back while the defects
//! liability period (counted from the settlement payment) still runs.
use super::{ledgers, subject};
use crate::{
    domain::Fen,
    error::AppError,
    platform::{
        db::Db,
        rules::{Finding, On, Param, Rule, RuleInfo, Severity},
        settings::Settings,
    },
};
use chrono::{Months, NaiveDate};

pub struct RetentionNone;

static INFO: RuleInfo = RuleInfo {
    code: "retention_none",
    name: "缺陷责任期内质保金已付清",
    basis: "《建设工程质量保证金管理办法》（建质〔2017〕138号）第二条、第八条：缺陷责任期（一般 1 年，最长 2 年）届满后方返还保证金",
    severity: Severity::Warning,
    params: &[Param {
        key: "months",
        label: "缺陷责任期",
        unit: "个月",
        min: 1.0,
        max: 60.0,
        integer: true,
        get: |s| s.money.defects_months as f64,
        set: |s, v| s.money.defects_months = v as u32,
    }],
    auto_order: false,
};

#[async_trait::async_trait]
impl Rule for RetentionNone {
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
        for l in ledgers(db, as_of).await? {
            let Some(settle) = l.payments.iter().rev().find(|p| p.kind == "settlement") else {
                continue;
            };
            let Some(total) = settle.settlement_fen.filter(|t| *t > 0) else {
                continue;
            };
            let Some(ends) = settle
                .paid_on
                .checked_add_months(Months::new(s.money.defects_months))
            else {
                continue;
            };
            if as_of >= ends {
                continue;
            }
            if let Some((p, paid)) = l
                .running()
                .find(|(p, sum)| p.paid_on >= settle.paid_on && *sum >= total)
            {
                out.push(Finding {
                    on: On::Filing(l.filing_id),
                    subject: subject(p),
                    since: p.paid_on,
                    message: format!(
                        "缺陷责任期至 {ends} 未满，累计拨付 {} 万元已达结算审定价 {} 万元，未预留质保金",
                        Fen(paid).wan(),
                        Fen(total).wan()
                    ),
                    figures: serde_json::json!({ "settlement_fen": total, "paid_fen": paid, "defects_end": ends.to_string() }),
                });
            }
        }
        Ok(out)
    }
}
