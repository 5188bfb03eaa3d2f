//! 拨付超进度: the progress payments made by the day exceed the share of the
//! revised price that the latest reported percent justifies, by more than a
//! margin (percentage points of the revised price).
use super::works;
use crate::{
    domain::Fen,
    error::AppError,
    platform::{
        db::Db,
        rules::{Finding, On, Param, Rule, RuleInfo, Severity},
        settings::Settings,
    },
};
use chrono::NaiveDate;
use std::collections::HashMap;

pub struct PaidAhead;

static INFO: RuleInfo = RuleInfo {
    code: "paid_ahead",
    name: "拨付超进度",
    basis: "《政府投资条例》第二十三条、财建〔2022〕183号：进度款按已完成工程价款计量支付，不得超进度拨付",
    severity: Severity::Warning,
    params: &[Param {
        key: "points",
        label: "允许超出",
        unit: "个百分点",
        min: 0.0,
        max: 50.0,
        integer: false,
        get: |s| s.progress.paid_ahead_pts,
        set: |s, v| s.progress.paid_ahead_pts = v,
    }],
    auto_order: false,
};

#[async_trait::async_trait]
impl Rule for PaidAhead {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    async fn evaluate(
        &self,
        db: &Db,
        s: &Settings,
        as_of: NaiveDate,
    ) -> Result<Vec<Finding>, AppError> {
        let margin = s.progress.paid_ahead_pts;
        let paid: HashMap<i64, i64> =
            crate::features::payments::paid::paid_kept(db, as_of, |_| true)
                .await?
                .0
                .into_iter()
                .map(|(id, p)| (id, p.progress_fen()))
                .filter(|(_, fen)| *fen > 0)
                .collect();
        let mut out = Vec::new();
        for w in works(db, as_of).await? {
            let (Some(&paid), Some(last)) = (paid.get(&w.filing_id), w.latest()) else {
                continue;
            };
            if w.revised_fen <= 0 {
                continue;
            }
            let paid_pct = paid as f64 * 100.0 / w.revised_fen as f64;
            if paid_pct > last.percent as f64 + margin {
                out.push(Finding {
                    on: On::Filing(w.filing_id),
                    subject: String::new(),
                    since: as_of.min(last.month.next().first()),
                    message: format!(
                        "累计拨付进度款 {} 万元，占修订后合同价 {paid_pct:.1}%，而 {} 累计完成 {}%",
                        Fen(paid).wan(),
                        last.month,
                        last.percent
                    ),
                    figures: serde_json::json!({
                        "paid_fen": paid, "revised_fen": w.revised_fen,
                        "paid_pct": (paid_pct * 10.0).round() / 10.0, "percent": last.percent, "margin_pts": margin,
                    }),
                });
            }
        }
        Ok(out)
    }
}
