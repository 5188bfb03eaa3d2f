//! 质保金预留超比例: after the settlement payment, more is held back than a
//! share of the settlement.
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

pub struct RetentionOver;

static INFO: RuleInfo = RuleInfo {
    code: "retention_over",
    name: "质保金预留超比例",
    basis: "《建设工程质量保证金管理办法》（建质〔2017〕138号）第七条：保证金总预留比例不得高于工程价款结算总额的 3%",
    severity: Severity::Warning,
    params: &[Param {
        key: "pct",
        label: "质保金上限",
        unit: "%",
        min: 0.0,
        max: 100.0,
        integer: false,
        get: |s| s.money.retention_max_pct,
        set: |s, v| s.money.retention_max_pct = v,
    }],
    auto_order: false,
};

#[async_trait::async_trait]
impl Rule for RetentionOver {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    async fn evaluate(
        &self,
        db: &Db,
        s: &Settings,
        as_of: NaiveDate,
    ) -> Result<Vec<Finding>, AppError> {
        let max = s.money.retention_max_pct;
        let mut out = Vec::new();
        for l in ledgers(db, as_of).await? {
            let Some(settle) = l.payments.iter().rev().find(|p| p.kind == "settlement") else {
                continue;
            };
            let Some(total) = settle.settlement_fen.filter(|t| *t > 0) else {
                continue;
            };
            let held = total - l.total();
            if (held as f64) * 100.0 > max * total as f64 {
                out.push(Finding {
                    on: On::Filing(l.filing_id),
                    subject: subject(settle),
                    since: settle.paid_on,
                    message: format!(
                        "结算审定价 {} 万元，结算后仍未付 {} 万元，占 {}，超过 {max}%",
                        Fen(total).wan(),
                        Fen(held).wan(),
                        share(held, total)
                    ),
                    figures: serde_json::json!({ "settlement_fen": total, "held_fen": held, "max_pct": max }),
                });
            }
        }
        Ok(out)
    }
}
