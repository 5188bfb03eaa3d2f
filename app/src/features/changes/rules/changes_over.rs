//! 累计变更超比例: the approved changes of a project add up to more than a
//! share of its original price (county practice: above 10 % needs the
//! approval of a higher body, and supervisors want to see it).
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

pub struct ChangesOver;

static INFO: RuleInfo = RuleInfo {
    code: "changes_over",
    name: "累计变更超比例",
    basis: "县级实践：累计变更金额超过原合同价 10% 须报上级审批（阈值为设置项）",
    severity: Severity::Warning,
    params: &[Param {
        key: "pct",
        label: "累计变更上限",
        unit: "%",
        min: 1.0,
        max: 100.0,
        integer: false,
        get: |s| s.money.change_max_pct,
        set: |s, v| s.money.change_max_pct = v,
    }],
    auto_order: false,
};

#[async_trait::async_trait]
impl Rule for ChangesOver {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    async fn evaluate(
        &self,
        db: &Db,
        s: &Settings,
        as_of: NaiveDate,
    ) -> Result<Vec<Finding>, AppError> {
        let (prices, changes) = facts(db, as_of).await?;
        let limit = s.money.change_max_pct;
        let mut out = Vec::new();
        let mut i = 0;
        while i < changes.len() {
            let filing_id = changes[i].filing_id;
            let price = prices.get(&filing_id).copied().unwrap_or(0);
            let (mut sum, mut crossed) = (0i64, None);
            while i < changes.len() && changes[i].filing_id == filing_id {
                sum += changes[i].price_delta_fen;
                let over = price > 0 && (sum.abs() as f64) * 100.0 > limit * price as f64;
                // The change with which the total went (and stayed) over.
                match (over, crossed) {
                    (true, None) => crossed = Some(i),
                    (false, _) => crossed = None,
                    _ => {}
                }
                i += 1;
            }
            if let Some(at) = crossed {
                let c = &changes[at];
                out.push(Finding {
                    on: On::Filing(filing_id),
                    subject: format!("change:{}", c.id),
                    since: c.approved_on,
                    message: format!(
                        "累计变更 {} 万元，占原合同价 {} 万元的 {}，超过 {limit}%（自“{}”起）",
                        crate::domain::records::signed_wan(sum),
                        Fen(price).wan(),
                        share(sum.abs(), price),
                        c.title
                    ),
                    figures: serde_json::json!({ "change_fen": sum, "contract_price_fen": price, "limit_pct": limit }),
                });
            }
        }
        Ok(out)
    }
}
