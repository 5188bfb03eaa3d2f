//! 关键人员考勤率不足: a project manager's (or chief supervisor's)
//! attendance over the last finished month fell below the threshold. One
//! alert per person and month (subject `<user id>@<YYYY-MM>`); a month's
//! alert is re-read only while that month is the last finished one, so
//! earlier months' alerts stay as they were raised.
use crate::{
    error::AppError,
    features::attendance::service::{Calendar, member_days, month_days, on_roster},
    platform::{
        db::Db,
        rules::{Finding, On, Param, Rule, RuleInfo, Severity},
        settings::Settings,
    },
};
use chrono::{Datelike, NaiveDate};
use sqlx::Row;
use std::collections::HashMap;

pub struct AttendanceRate;

static INFO: RuleInfo = RuleInfo {
    code: "attendance_pm",
    name: "关键人员考勤率不足",
    basis: "平住建发〔2022〕4号按月统计项目经理、总监考勤率；到岗率参照建质〔2011〕111号（项目负责人每月在岗时间不少于规定比例）",
    severity: Severity::Warning,
    params: &[Param {
        key: "pct",
        label: "月考勤率下限",
        unit: "%",
        min: 1.0,
        max: 100.0,
        integer: false,
        get: |s| s.alert_attendance_pct,
        set: |s, v| s.alert_attendance_pct = v,
    }],
    auto_order: false,
};

/// The last month finished by `as_of` (YYYY-MM).
fn last_month(as_of: NaiveDate) -> String {
    as_of
        .with_day(1)
        .and_then(|d| d.pred_opt())
        .map(|d| d.format("%Y-%m").to_string())
        .unwrap_or_default()
}

#[async_trait::async_trait]
impl Rule for AttendanceRate {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn rereads(&self, subject: &str, as_of: NaiveDate) -> bool {
        subject.ends_with(&format!("@{}", last_month(as_of)))
    }

    async fn evaluate(
        &self,
        db: &Db,
        settings: &Settings,
        as_of: NaiveDate,
    ) -> Result<Vec<Finding>, AppError> {
        let month = last_month(as_of);
        let days = month_days(&month)?;
        let first = days[0].to_string();
        let since = as_of.with_day(1).unwrap_or(as_of);
        // Three statements: the managers, the calendars, the month's
        // counted check-ins of managers.
        let pms = sqlx::query(
            "SELECT m.filing_id, m.user_id, m.name, m.role, m.created_at, m.joined_on, m.left_on
             FROM roster_members m JOIN filings f ON f.id = m.filing_id JOIN awards a ON a.id = f.award_id
             WHERE m.role IN ('pm', 'chief_supervisor') AND (m.left_on IS NULL OR m.left_on > $1) AND f.status = 'submitted'
             ORDER BY m.filing_id, m.id",
        )
        .bind(&first)
        .fetch_all(&db.pool)
        .await?;
        // Nothing is owed after the month the works were reported 已完工
        // (a supervision section's 总监 with its project's works), as the
        // attendance board and the compliance statistics count.
        let completed = crate::features::progress::rules::Completions::as_of(db, as_of).await?;
        let mut calendars: HashMap<i64, Calendar> = HashMap::new();
        for r in sqlx::query(
            "SELECT filing_id, workdays, holidays, makeup_days, photo_required FROM attendance_rules",
        )
        .fetch_all(&db.pool)
        .await?
        {
            calendars.insert(r.try_get("filing_id")?, Calendar::from_row(&r)?);
        }
        let checked = crate::features::attendance::service::checkin_days(db).await?;
        let default_calendar = Calendar::default();
        let limit = settings.alert_attendance_pct;
        let mut out = Vec::new();
        for r in &pms {
            let (filing_id, user_id): (i64, i64) = (r.try_get("filing_id")?, r.try_get("user_id")?);
            let cal = calendars.get(&filing_id).unwrap_or(&default_calendar);
            let (joined, left) = member_days(r)?;
            let until = completed.attendance_until(filing_id);
            // Only required days on the roster count (a Sunday check-in
            // does not make up for a Monday; days before joining are not
            // owed), up to the completion.
            let required: Vec<NaiveDate> = days
                .iter()
                .copied()
                .filter(|d| {
                    cal.required(*d) && on_roster(*d, joined, left) && until.is_none_or(|u| *d <= u)
                })
                .collect();
            if required.is_empty() {
                continue;
            }
            let counted = required
                .iter()
                .filter(|d| checked.counted(filing_id, user_id, **d))
                .count();
            let rate = counted as f64 * 100.0 / required.len() as f64;
            if rate < limit {
                let name: String = r.try_get("name")?;
                // The county counts the 项目经理's and the 总监's alike.
                let role = crate::domain::label_of(
                    &crate::domain::ROSTER_ROLES,
                    &r.try_get::<String, _>("role")?,
                );
                out.push(Finding {
                    on: On::Filing(filing_id),
                    subject: format!("{user_id}@{month}"),
                    since,
                    message: format!(
                        "{role} {name} {month} 出勤率 {rate:.0}%（{counted}/{} 天），低于 {}%",
                        required.len(),
                        crate::platform::rules::fmt_num(limit)
                    ),
                    figures: serde_json::json!({
                        "month": month, "counted_days": counted, "required_days": required.len(),
                        "rate_pct": rate, "limit_pct": limit,
                    }),
                });
            }
        }
        Ok(out)
    }
}
