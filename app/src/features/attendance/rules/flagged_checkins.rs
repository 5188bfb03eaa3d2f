//! 存疑打卡频繁: one person's check-ins on one project were flagged as
//! implausible (speed, identical readings, a shared phone …) several times
//! in a calendar month. One flagged check-in may be a bad GPS fix; several
//! in a month is the pattern of a mock-location app or a colleague checking
//! in for an absent manager.
use crate::{
    error::AppError,
    platform::{
        db::Db,
        rules::{Finding, On, Param, Rule, RuleInfo, Severity},
        settings::Settings,
    },
};
use chrono::NaiveDate;
use sqlx::FromRow;

pub struct FlaggedCheckins;

static INFO: RuleInfo = RuleInfo {
    code: "flagged_checkins",
    name: "存疑打卡频繁",
    basis: "县级实践：关键人员须本人到岗履职（建质〔2011〕111号）；同一人员一个月内多次存疑打卡（定位异常、设备共用等），提示核查是否代打卡或虚拟定位（次数为设置项）",
    severity: Severity::Warning,
    params: &[Param {
        key: "count",
        label: "每月存疑次数",
        unit: "次",
        min: 1.0,
        max: 31.0,
        integer: true,
        get: |s| s.alert_flagged_per_month as f64,
        set: |s, v| s.alert_flagged_per_month = v as i64,
    }],
    auto_order: false,
};

#[derive(FromRow)]
struct Flagged {
    user_id: i64,
    filing_id: i64,
    day: String,
    display_name: String,
}

#[async_trait::async_trait]
impl Rule for FlaggedCheckins {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    async fn evaluate(
        &self,
        db: &Db,
        s: &Settings,
        as_of: NaiveDate,
    ) -> Result<Vec<Finding>, AppError> {
        let limit = s.alert_flagged_per_month;
        // Flagged check-ins are few (the partial index `checkins_flagged`).
        let rows: Vec<Flagged> = sqlx::query_as(
            "SELECT c.user_id, c.filing_id, c.day, u.display_name
             FROM checkins c JOIN users u ON u.id = c.user_id
             WHERE c.flags <> '' AND c.day <= $1
             ORDER BY c.user_id, c.filing_id, c.day, c.id",
        )
        .bind(as_of.to_string())
        .fetch_all(&db.pool)
        .await?;
        let mut out = Vec::new();
        for group in rows.chunk_by(|a, b| {
            (a.user_id, a.filing_id, &a.day[..7]) == (b.user_id, b.filing_id, &b.day[..7])
        }) {
            let n = group.len() as i64;
            if n < limit {
                continue;
            }
            let first = &group[0];
            // The day the count reached the limit.
            let reached = &group[(limit.max(1) - 1) as usize];
            let Ok(since) = NaiveDate::parse_from_str(&reached.day, "%Y-%m-%d") else {
                continue;
            };
            let month = &first.day[..7];
            out.push(Finding {
                on: On::Filing(first.filing_id),
                subject: format!("checkins:{}:{month}", first.user_id),
                since,
                message: format!(
                    "{} {month} 存疑打卡 {n} 次，达到 {limit} 次，请核查是否本人到岗",
                    first.display_name
                ),
                figures: serde_json::json!({ "user_id": first.user_id, "month": month, "flagged": n, "limit": limit }),
            });
        }
        Ok(out)
    }
}
