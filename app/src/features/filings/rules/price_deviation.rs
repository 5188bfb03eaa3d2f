//! 合同价偏离中标价: the filed contract price is further from the award
//! price than a share (the filing's 价格偏离 badge, as an alert).
use super::facts;
use crate::{
    domain::Fen,
    error::AppError,
    platform::{
        db::Db,
        rules::{Finding, On, Param, Rule, RuleInfo, Severity, share},
        settings::Settings,
    },
};
use chrono::NaiveDate;

pub struct PriceDeviation;

static INFO: RuleInfo = RuleInfo {
    code: "price_deviation",
    name: "合同价偏离中标价",
    basis: "《招标投标法》第四十六条、《招标投标法实施条例》第五十七条：合同的标的、价款等主要条款应当与招标文件和中标人的投标文件的内容一致",
    severity: Severity::Warning,
    params: &[Param {
        key: "pct",
        label: "偏离上限",
        unit: "%",
        min: 1.0,
        max: 1000.0,
        integer: true,
        get: |s| s.price_deviation_pct as f64,
        set: |s, v| s.price_deviation_pct = v as i64,
    }],
    auto_order: false,
};

#[async_trait::async_trait]
impl Rule for PriceDeviation {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    async fn evaluate(
        &self,
        db: &Db,
        s: &Settings,
        as_of: NaiveDate,
    ) -> Result<Vec<Finding>, AppError> {
        let limit = s.price_deviation_pct;
        let mut out = Vec::new();
        for f in facts(db, as_of).await? {
            let gap = (f.contract_price_fen - f.award_price_fen).abs();
            // Same test as the filing's badge (service::save).
            if f.award_price_fen <= 0
                || gap as f64 * 100.0 <= limit as f64 * f.award_price_fen as f64
            {
                continue;
            }
            let Some(signed) = f.signed_day() else {
                continue;
            };
            out.push(Finding {
                on: On::Filing(f.filing_id),
                subject: String::new(),
                since: signed,
                message: format!(
                    "合同价 {} 万元，中标价 {} 万元，偏离 {}，超过 {limit}%",
                    Fen(f.contract_price_fen).wan(),
                    Fen(f.award_price_fen).wan(),
                    share(gap, f.award_price_fen)
                ),
                figures: serde_json::json!({ "contract_price_fen": f.contract_price_fen, "award_price_fen": f.award_price_fen, "limit_pct": limit }),
            });
        }
        Ok(out)
    }
}
