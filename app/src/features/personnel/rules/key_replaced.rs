//! 项目经理/总监更换: a 项目经理 or 总监理工程师 was replaced. Always noted
//! for supervisors: the county weighs each such replacement (credit points,
//! "中标后立即更换" treated more severely).
use super::replacements;
use crate::{
    error::AppError,
    platform::{
        db::Db,
        rules::{Finding, On, Rule, RuleInfo, Severity},
        settings::Settings,
    },
};
use chrono::NaiveDate;

pub struct KeyReplaced;

static INFO: RuleInfo = RuleInfo {
    code: "key_replaced",
    name: "项目经理/总监更换",
    basis: "建质〔2011〕111号及各地项目经理管理办法：项目负责人、总监理工程师原则上不得更换，更换须经建设单位同意并报监督机构（杭州、金华等地规定）",
    severity: Severity::Notice,
    params: &[],
    auto_order: false,
};

#[async_trait::async_trait]
impl Rule for KeyReplaced {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    async fn evaluate(
        &self,
        db: &Db,
        _s: &Settings,
        as_of: NaiveDate,
    ) -> Result<Vec<Finding>, AppError> {
        Ok(replacements(db, as_of)
            .await?
            .into_iter()
            .filter(|r| {
                r.submitted_on.is_some() && matches!(r.role.as_str(), "pm" | "chief_supervisor")
            })
            .map(|r| Finding {
                on: On::Filing(r.filing_id),
                subject: r.subject(),
                since: r.effective_on,
                message: format!(
                    "{} {} 更换为 {}，{} 起生效",
                    r.role_label(),
                    r.leaving,
                    r.new_name,
                    r.effective_on
                ),
                figures: serde_json::json!({ "role": r.role, "effective_on": r.effective_on }),
            })
            .collect())
    }
}
