//! 超付: cumulative payments above the revised contract price.
use super::{ledgers, subject};
use crate::{
    domain::Fen,
    error::AppError,
    platform::{
        db::Db,
        rules::{Finding, On, Rule, RuleInfo, Severity},
        settings::Settings,
    },
};
use chrono::NaiveDate;

pub struct Overpaid;

static INFO: RuleInfo = RuleInfo {
    code: "overpaid",
    name: "累计拨付超合同价",
    basis: "《政府投资条例》第二十三条：建设投资原则上不得超过核定概算；按合同价及批准的变更拨付，不得超付",
    severity: Severity::Serious,
    params: &[],
    auto_order: false,
};

#[async_trait::async_trait]
impl Rule for Overpaid {
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
        for l in ledgers(db, as_of).await? {
            let total = l.total();
            if total <= l.revised_fen {
                continue;
            }
            if let Some((p, _)) = l.running().find(|(_, sum)| *sum > l.revised_fen) {
                out.push(Finding {
                    on: On::Filing(l.filing_id),
                    subject: subject(p),
                    since: p.paid_on,
                    message: format!(
                        "累计拨付 {} 万元，超过修订后合同价 {} 万元（超付 {} 万元）",
                        Fen(total).wan(),
                        Fen(l.revised_fen.max(0)).wan(),
                        Fen(total - l.revised_fen).wan()
                    ),
                    figures: serde_json::json!({ "paid_fen": total, "revised_price_fen": l.revised_fen }),
                });
            }
        }
        Ok(out)
    }
}
