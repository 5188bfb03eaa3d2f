//! 进度款支付不足: at a progress payment, the total paid is below a share of
//! the completed work value confirmed for that period.
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

pub struct ProgressUnderpaid;

static INFO: RuleInfo = RuleInfo {
    code: "progress_underpaid",
    name: "进度款支付比例不足",
    basis: "财政部 住房城乡建设部《关于完善建设工程价款结算有关办法的通知》（财建〔2022〕183号）：进度款支付比例不低于已完成工程价款的 80%，2022-08-01 起签订的合同适用",
    severity: Severity::Warning,
    params: &[Param {
        key: "pct",
        label: "进度款下限",
        unit: "%",
        min: 1.0,
        max: 100.0,
        integer: false,
        get: |s| s.money.progress_min_pct,
        set: |s, v| s.money.progress_min_pct = v,
    }],
    auto_order: false,
};

#[async_trait::async_trait]
impl Rule for ProgressUnderpaid {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    async fn evaluate(
        &self,
        db: &Db,
        s: &Settings,
        as_of: NaiveDate,
    ) -> Result<Vec<Finding>, AppError> {
        let (min, from) = (s.money.progress_min_pct, s.money.progress_rule_from);
        let mut out = Vec::new();
        for l in ledgers(db, as_of).await? {
            if l.signed_on.is_none_or(|d| d < from) {
                continue;
            }
            for (p, paid) in l.running() {
                let Some(work) = p.work_value_fen.filter(|w| *w > 0 && p.kind == "progress") else {
                    continue;
                };
                if (paid as f64) * 100.0 < min * work as f64 {
                    out.push(Finding {
                        on: On::Filing(l.filing_id),
                        subject: subject(p),
                        since: p.paid_on,
                        message: format!(
                            "{} 进度款后累计拨付 {} 万元，为已完成工程价款 {} 万元的 {}，低于 {min}%",
                            p.paid_on,
                            Fen(paid).wan(),
                            Fen(work).wan(),
                            share(paid, work)
                        ),
                        figures: serde_json::json!({ "paid_fen": paid, "work_value_fen": work, "min_pct": min }),
                    });
                }
            }
        }
        Ok(out)
    }
}
