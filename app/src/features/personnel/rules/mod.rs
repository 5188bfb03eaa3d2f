//! The personnel-change rules (one file each) and what they read: every
//! change not voided, with the day it was submitted (by the day evaluated),
//! in one statement.
pub mod key_replaced;
pub mod no_certificate;
pub mod recorded_late;
pub mod repeated_role;

use crate::{error::AppError, platform::db::Db};
use chrono::NaiveDate;
use sqlx::Row;

pub const RULES: &[&dyn crate::platform::rules::Rule] = &[
    &key_replaced::KeyReplaced,
    &recorded_late::RecordedLate,
    &no_certificate::NoCertificate,
    &repeated_role::RepeatedRole,
];

/// A change as the rules see it.
#[derive(Debug, Clone)]
pub struct Replacement {
    pub id: i64,
    pub filing_id: i64,
    pub role: String,
    pub leaving: String,
    pub new_name: String,
    pub new_cert_no: String,
    pub effective_on: NaiveDate,
    /// The Beijing day it was submitted, if by the day evaluated.
    pub submitted_on: Option<NaiveDate>,
}

impl Replacement {
    /// The alert subject: the record (its badge on the list and page).
    pub fn subject(&self) -> String {
        format!("personnel_change:{}", self.id)
    }
    pub fn role_label(&self) -> &'static str {
        crate::domain::label_of(&crate::domain::ROSTER_ROLES, &self.role)
    }
}

/// Every change not voided and created by `as_of`, in effective-day order.
pub async fn replacements(db: &Db, as_of: NaiveDate) -> Result<Vec<Replacement>, AppError> {
    let end = crate::platform::time::end_of_day_ms(as_of);
    let rows = sqlx::query(
        "SELECT c.id, c.filing_id, c.role, m.name AS leaving, c.new_name, c.new_cert_no, c.effective_on, c.status,
                c.submitted_at
         FROM personnel_changes c JOIN roster_members m ON m.id = c.member_id
         WHERE c.status <> 'voided' AND c.created_at < $1 ORDER BY c.effective_on, c.id",
    )
    .bind(end)
    .fetch_all(&db.pool)
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let Ok(effective_on) =
            NaiveDate::parse_from_str(&r.try_get::<String, _>("effective_on")?, "%Y-%m-%d")
        else {
            continue;
        };
        let submitted_on = r
            .try_get::<Option<i64>, _>("submitted_at")?
            .filter(|t| *t < end)
            .map(crate::features::attendance::service::day_of);
        out.push(Replacement {
            id: r.try_get("id")?,
            filing_id: r.try_get("filing_id")?,
            role: r.try_get("role")?,
            leaving: r.try_get("leaving")?,
            new_name: r.try_get("new_name")?,
            new_cert_no: r.try_get("new_cert_no")?,
            effective_on,
            submitted_on,
        });
    }
    Ok(out)
}
