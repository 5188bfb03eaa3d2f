//! 履约考评不合格: an evaluation graded 不合格 (below the form's 合格 line).
use super::scored;
use crate::{
    domain::evaluation::Grade,
    error::AppError,
    platform::{
        db::Db,
        rules::{Finding, On, Rule, RuleInfo, Severity},
        settings::Settings,
    },
};
use chrono::NaiveDate;

pub struct Failing;

static INFO: RuleInfo = RuleInfo {
    code: "evaluation_fail",
    name: "履约考评不合格",
    basis: "平阳县招标投标标后监管通知：建设单位对施工单位合同履约情况考评登记；不合格（< 60 分，分数线为设置）供信用评价和通报使用（建筑工程承包商履约评价：良好 ≥ 85，合格 60–84，不合格 ≤ 59）",
    severity: Severity::Warning,
    params: &[],
    auto_order: false,
};

#[async_trait::async_trait]
impl Rule for Failing {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    async fn evaluate(
        &self,
        db: &Db,
        _: &Settings,
        as_of: NaiveDate,
    ) -> Result<Vec<Finding>, AppError> {
        Ok(scored(db, as_of)
            .await?
            .into_iter()
            .filter(|e| e.grade == Some(Grade::Fail))
            .map(|e| Finding {
                on: On::Filing(e.filing_id),
                subject: e.subject(),
                since: e.scored_on,
                message: format!("{} 考评 {} 分，不合格", e.label(), e.total),
                figures: serde_json::json!({ "period": e.period, "total": e.total }),
            })
            .collect())
    }
}
