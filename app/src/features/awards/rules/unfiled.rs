//! 未按期备案: an award whose contract has not been filed (no filing, or
//! one still in draft) more than 30 days after the award notice. The
//! contract is due within those 30 days (招标投标法 第四十六条), and the
//! county's notice asks for the filing once it is signed. The alert is
//! about the award (there is no project yet) and clears on the day the
//! filing is submitted.
use crate::{
    error::AppError,
    platform::{
        db::Db,
        rules::{Finding, On, Param, Rule, RuleInfo, Severity},
        settings::Settings,
    },
};
use chrono::{Duration, NaiveDate, TimeZone};
use sqlx::FromRow;

pub struct Unfiled;

static INFO: RuleInfo = RuleInfo {
    code: "award_unfiled",
    name: "中标后未按期备案",
    basis: "《招标投标法》第四十六条：自中标通知书发出之日起三十日内订立书面合同；平住建发〔2022〕4号：合同签订后及时在系统备案",
    severity: Severity::Warning,
    params: &[Param {
        key: "days",
        label: "备案期限",
        unit: "天",
        min: 1.0,
        max: 365.0,
        integer: true,
        get: |s| s.file_within_days as f64,
        set: |s, v| s.file_within_days = v as i64,
    }],
    auto_order: false,
};

#[derive(FromRow)]
struct Open {
    award_id: i64,
    award_date: String,
}

#[async_trait::async_trait]
impl Rule for Unfiled {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    async fn evaluate(
        &self,
        db: &Db,
        s: &Settings,
        as_of: NaiveDate,
    ) -> Result<Vec<Finding>, AppError> {
        let limit = s.file_within_days;
        // Notices up to this day are past their limit as of `as_of`.
        let last_notice = as_of - Duration::days(limit + 1);
        // A filing counts from the Beijing day it was submitted: one
        // submitted after `as_of` did not exist yet in a replay.
        let end_of_day = crate::fmt::beijing()
            .from_local_datetime(
                &(as_of + Duration::days(1))
                    .and_hms_opt(0, 0, 0)
                    .unwrap_or_default(),
            )
            .single()
            .map_or(i64::MAX, |t| t.timestamp_millis());
        let rows: Vec<Open> = sqlx::query_as(
            "SELECT a.id AS award_id, a.award_date FROM awards a
             LEFT JOIN filings f ON f.award_id = a.id
             WHERE a.award_date <= $1
               AND (f.id IS NULL OR f.status <> 'submitted' OR f.submitted_at IS NULL OR f.submitted_at >= $2)
             ORDER BY a.id",
        )
        .bind(last_notice.to_string())
        .bind(end_of_day)
        .fetch_all(&db.pool)
        .await?;
        Ok(rows
            .into_iter()
            .filter_map(|r| {
                let award = NaiveDate::parse_from_str(&r.award_date, "%Y-%m-%d").ok()?;
                let due = award + Duration::days(limit);
                Some(Finding {
                    on: On::Award(r.award_id),
                    subject: String::new(),
                    since: due + Duration::days(1),
                    message: format!(
                        "中标通知书 {award}，应于 {due} 前签订合同并提交备案，逾期未提交"
                    ),
                    figures: serde_json::json!({ "award_date": award, "due": due, "limit_days": limit }),
                })
            })
            .collect())
    }
}
