//! 履约考评未按期登记: a project owes the evaluation of a finished quarter
//! (or of its completion) and none was submitted within the days allowed.
//! One alert per project, naming every period missing.
use crate::{
    error::AppError,
    features::{evaluations::service::owed, progress::rules::Completions},
    platform::{
        db::Db,
        rules::{Finding, On, Param, Rule, RuleInfo, Severity},
        settings::Settings,
        time::end_of_day_ms,
    },
};
use chrono::NaiveDate;
use std::collections::HashSet;

pub struct Missing;

static INFO: RuleInfo = RuleInfo {
    code: "evaluation_missing",
    name: "履约考评未按期登记",
    basis: "平阳县招标投标标后监管通知：对已备案项目，建设单位须对施工单位合同履约情况考评登记；按季度及竣工考评，期满后 15 日内登记为县实践（未见成文期限，设置可调）",
    severity: Severity::Warning,
    params: &[Param {
        key: "days",
        label: "期满后登记期限",
        unit: "天",
        min: 1.0,
        max: 90.0,
        integer: true,
        get: |s| s.evaluation.due_within_days as f64,
        set: |s, v| s.evaluation.due_within_days = v as i64,
    }],
    auto_order: false,
};

#[async_trait::async_trait]
impl Rule for Missing {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    async fn evaluate(
        &self,
        db: &Db,
        s: &Settings,
        as_of: NaiveDate,
    ) -> Result<Vec<Finding>, AppError> {
        let projects: Vec<(i64, Option<String>)> = sqlx::query_as(
            "SELECT id, signed_on FROM filings WHERE status = 'submitted' ORDER BY id",
        )
        .fetch_all(&db.pool)
        .await?;
        let done: HashSet<(i64, String)> = sqlx::query_as::<_, (i64, String)>(
            "SELECT filing_id, period FROM evaluations WHERE status = 'submitted' AND submitted_at < $1",
        )
        .bind(end_of_day_ms(as_of))
        .fetch_all(&db.pool)
        .await?
        .into_iter()
        .collect();
        let completed = Completions::as_of(db, as_of).await?;
        let mut out = Vec::new();
        for (filing_id, signed) in projects {
            let Some(signed) = signed.and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok())
            else {
                continue;
            };
            let missing: Vec<_> = owed(signed, completed.of_works(filing_id), s, as_of)
                .into_iter()
                .filter(|(p, due)| *due < as_of && !done.contains(&(filing_id, p.code())))
                .collect();
            let Some(first) = missing.iter().map(|(_, d)| *d).min() else {
                continue;
            };
            let names: Vec<String> = missing
                .iter()
                .map(|(p, due)| format!("{}（{due} 前）", p.label()))
                .collect();
            out.push(Finding {
                on: On::Filing(filing_id),
                subject: String::new(),
                since: first,
                message: format!("未登记 {}", names.join("、")),
                figures: serde_json::json!({
                    "periods": missing.iter().map(|(p, _)| p.code()).collect::<Vec<_>>(),
                }),
            });
        }
        Ok(out)
    }
}
