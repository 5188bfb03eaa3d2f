//! 同一岗位多次更换: the same role of one project replaced more than once.
use super::replacements;
use crate::{
    error::AppError,
    platform::{
        db::Db,
        rules::{Finding, On, Param, Rule, RuleInfo, Severity},
        settings::Settings,
    },
};
use chrono::NaiveDate;
use std::collections::BTreeMap;

pub struct RepeatedRole;

static INFO: RuleInfo = RuleInfo {
    code: "role_replaced_again",
    name: "同一岗位多次更换",
    basis: "杭州市项目经理管理办法：频繁更换从严处理；金华 2022 年规定：主要管理人员更换不超过 50%",
    severity: Severity::Warning,
    params: &[Param {
        key: "times",
        label: "允许更换次数",
        unit: "次",
        min: 1.0,
        max: 10.0,
        integer: true,
        get: |s| s.personnel.max_per_role as f64,
        set: |s, v| s.personnel.max_per_role = v as i64,
    }],
    auto_order: false,
};

#[async_trait::async_trait]
impl Rule for RepeatedRole {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    async fn evaluate(
        &self,
        db: &Db,
        s: &Settings,
        as_of: NaiveDate,
    ) -> Result<Vec<Finding>, AppError> {
        let max = s.personnel.max_per_role.max(1) as usize;
        let mut by_role: BTreeMap<(i64, String), Vec<super::Replacement>> = BTreeMap::new();
        for r in replacements(db, as_of).await? {
            if r.submitted_on.is_some() {
                by_role
                    .entry((r.filing_id, r.role.clone()))
                    .or_default()
                    .push(r);
            }
        }
        Ok(by_role
            .into_iter()
            .filter(|(_, v)| v.len() > max)
            .map(|((filing_id, role), v)| {
                let names: Vec<String> = v
                    .iter()
                    .map(|r| format!("{}→{}（{}）", r.leaving, r.new_name, r.effective_on))
                    .collect();
                Finding {
                    on: On::Filing(filing_id),
                    subject: format!("role:{role}"),
                    since: v[max].effective_on,
                    message: format!(
                        "{} 已更换 {} 次：{}",
                        v[0].role_label(),
                        v.len(),
                        names.join("；")
                    ),
                    figures: serde_json::json!({ "role": role, "times": v.len(), "limit": max }),
                }
            })
            .collect())
    }
}
