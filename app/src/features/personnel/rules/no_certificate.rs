//! 接替人员无注册证书: the successor in a role that needs a registration
//! certificate (项目经理, 总监理工程师) was recorded without one.
use super::replacements;
use crate::{
    domain::records::CERT_ROLES,
    error::AppError,
    platform::{
        db::Db,
        rules::{Finding, On, Rule, RuleInfo, Severity},
        settings::Settings,
    },
};
use chrono::NaiveDate;

pub struct NoCertificate;

static INFO: RuleInfo = RuleInfo {
    code: "successor_no_cert",
    name: "接替人员无注册证书",
    basis: "《注册建造师管理规定》《注册监理工程师管理规定》：项目经理、总监理工程师须具备相应注册资格；接替人员资格不得低于原人员（金华 2022 年规定）",
    severity: Severity::Serious,
    params: &[],
    auto_order: false,
};

#[async_trait::async_trait]
impl Rule for NoCertificate {
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
                r.submitted_on.is_some()
                    && CERT_ROLES.contains(&r.role.as_str())
                    && r.new_cert_no.trim().is_empty()
            })
            .map(|r| Finding {
                on: On::Filing(r.filing_id),
                subject: r.subject(),
                since: r.effective_on,
                message: format!("接替的{} {} 未登记注册证书编号", r.role_label(), r.new_name),
                figures: serde_json::json!({ "role": r.role }),
            })
            .collect())
    }
}
