//! 考评得分高于记录: a submitted evaluation scores an item well above what
//! the system's own records support (e.g. full marks for key personnel
//! while the project manager's attendance was below the alert line).
use super::scored;
use crate::{
    error::AppError,
    platform::{
        db::Db,
        rules::{Finding, On, Param, Rule, RuleInfo, Severity},
        settings::Settings,
    },
};
use chrono::NaiveDate;

pub struct Overscored;

static INFO: RuleInfo = RuleInfo {
    code: "evaluation_overscored",
    name: "考评得分高于记录",
    basis: "县实践：考评须有据可查；某项得分高出系统按考勤、进度、督办记录提出的建议分超过该项分值的 20%（设置）时提示核查",
    severity: Severity::Notice,
    params: &[Param {
        key: "pct",
        label: "高出建议分",
        unit: "% 分值",
        min: 0.0,
        max: 100.0,
        integer: false,
        get: |s| s.evaluation.overscore_pct,
        set: |s, v| s.evaluation.overscore_pct = v,
    }],
    auto_order: false,
};

#[async_trait::async_trait]
impl Rule for Overscored {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    async fn evaluate(
        &self,
        db: &Db,
        s: &Settings,
        as_of: NaiveDate,
    ) -> Result<Vec<Finding>, AppError> {
        let pct = s.evaluation.overscore_pct;
        let mut out = Vec::new();
        for e in scored(db, as_of).await? {
            let over: Vec<String> = e
                .items
                .iter()
                .filter_map(|(item, score, proposed)| {
                    let (s, p) = ((*score)?, (*proposed)?);
                    ((s - p) as f64 > item.weight as f64 * pct / 100.0)
                        .then(|| format!("{} {s} 分（记录支持 {p} 分）", item.name))
                })
                .collect();
            if over.is_empty() {
                continue;
            }
            out.push(Finding {
                on: On::Filing(e.filing_id),
                subject: e.subject(),
                since: e.scored_on,
                message: format!("{}：{}", e.label(), over.join("；")),
                figures: serde_json::json!({ "period": e.period, "items": over, "limit_pct": pct }),
            });
        }
        Ok(out)
    }
}
