//! 预付款超比例: advance payments above a share of the contract price.
use super::{ledgers, subject};
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

pub struct AdvanceOver;

static INFO: RuleInfo = RuleInfo {
    code: "advance_over",
    name: "预付款超比例",
    basis: "《建设工程价款结算暂行办法》（财建〔2004〕369号）第十二条：预付款不低于合同金额的 10%，不高于 30%",
    severity: Severity::Warning,
    params: &[Param {
        key: "pct",
        label: "预付款上限",
        unit: "%",
        min: 1.0,
        max: 100.0,
        integer: false,
        get: |s| s.money.advance_max_pct,
        set: |s, v| s.money.advance_max_pct = v,
    }],
    auto_order: false,
};

#[async_trait::async_trait]
impl Rule for AdvanceOver {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    async fn evaluate(
        &self,
        db: &Db,
        s: &Settings,
        as_of: NaiveDate,
    ) -> Result<Vec<Finding>, AppError> {
        let limit = s.money.advance_max_pct;
        let mut out = Vec::new();
        for l in ledgers(db, as_of).await? {
            let advances: Vec<_> = l.payments.iter().filter(|p| p.kind == "advance").collect();
            let total: i64 = advances.iter().map(|p| p.amount_fen).sum();
            if (total as f64) * 100.0 <= limit * l.price_fen as f64 {
                continue;
            }
            // The advance with which the total went over.
            let mut sum = 0;
            let crossing = advances.iter().find(|p| {
                sum += p.amount_fen;
                (sum as f64) * 100.0 > limit * l.price_fen as f64
            });
            if let Some(p) = crossing {
                out.push(Finding {
                    on: On::Filing(l.filing_id),
                    subject: subject(p),
                    since: p.paid_on,
                    message: format!(
                        "累计预付款 {} 万元，占合同价 {} 万元的 {}，超过 {limit}%",
                        Fen(total).wan(),
                        Fen(l.price_fen).wan(),
                        share(total, l.price_fen)
                    ),
                    figures: serde_json::json!({ "advance_fen": total, "contract_price_fen": l.price_fen, "limit_pct": limit }),
                });
            }
        }
        Ok(out)
    }
}
