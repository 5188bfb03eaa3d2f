//! 大额变更未经上级审批: a single change of at least an amount approved by the
//! owner unit itself (county practice: large changes go to a body above the
//! owner, e.g. the authority or the county government).
use super::facts;
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

pub struct ChangeLarge;

static INFO: RuleInfo = RuleInfo {
    code: "change_large",
    name: "大额变更未经上级审批",
    basis: "县级实践：单项变更金额达 50 万元须经上级主管部门或县政府审批（阈值为设置项）",
    severity: Severity::Serious,
    params: &[Param {
        key: "yuan",
        label: "单次变更金额",
        unit: "元",
        min: 1.0,
        max: 10_000_000_000.0,
        integer: true,
        get: |s| (s.money.change_large_fen / 100) as f64,
        set: |s, v| s.money.change_large_fen = v as i64 * 100,
    }],
    auto_order: false,
};

#[async_trait::async_trait]
impl Rule for ChangeLarge {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    async fn evaluate(
        &self,
        db: &Db,
        s: &Settings,
        as_of: NaiveDate,
    ) -> Result<Vec<Finding>, AppError> {
        let (_, changes) = facts(db, as_of).await?;
        let limit = s.money.change_large_fen;
        Ok(changes
            .into_iter()
            .filter(|c| c.price_delta_fen.abs() >= limit && c.approver_level == "owner")
            .map(|c| Finding {
                on: On::Filing(c.filing_id),
                subject: format!("change:{}", c.id),
                since: c.approved_on,
                message: format!(
                    "“{}”变更金额 {} 万元，达到 {} 万元，仅经建设单位自行审批",
                    c.title,
                    crate::domain::records::signed_wan(c.price_delta_fen),
                    Fen(limit).wan()
                ),
                figures: serde_json::json!({ "price_delta_fen": c.price_delta_fen, "limit_fen": limit }),
            })
            .collect())
    }
}
