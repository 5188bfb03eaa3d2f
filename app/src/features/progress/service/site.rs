//! The progress record: one per project, edited in place (versioned, every
//! version in the trail).
use super::{iso, site_of};
use crate::{
    domain::{datum::parse_coordinate, parse_date, record_line},
    error::{AppError, Check},
    platform::{
        actor::Actor,
        audit::AuditedTx,
        db::Db,
        records::seen_version,
        time::{now_ms, today},
    },
};
use chrono::NaiveDate;
use serde::Serialize;

/// The progress record's form as submitted (text).
#[derive(Debug, Clone, Default)]
pub struct SiteForm {
    pub actual_start: String,
    pub address: String,
    /// "lat, lng" in WGS-84 (the map fills it; a typed coordinate works too).
    pub point: String,
}

/// A parsed progress record.
#[derive(Debug, Clone, PartialEq)]
pub struct SiteInput {
    pub actual_start: Option<NaiveDate>,
    pub address: String,
    pub lat: f64,
    pub lng: f64,
}

impl SiteForm {
    /// The actual start lies between the award and today; the point is in China.
    pub fn parse(
        &self,
        award_day: Option<NaiveDate>,
        today: NaiveDate,
    ) -> Result<SiteInput, AppError> {
        let mut c = Check::new();
        let start = c.take(
            "actual_start",
            if self.actual_start.trim().is_empty() {
                Ok(None)
            } else {
                parse_date(&self.actual_start, "实际开工日期").and_then(|d| match award_day {
                    Some(a) if d < a => Err(format!("实际开工日期不能早于中标日期 {a}")),
                    _ if d > today => Err("实际开工日期不能晚于今天（尚未开工请留空）".into()),
                    _ => Ok(Some(d)),
                })
            },
        );
        let address = c.take("address", record_line(&self.address, "工程地点", 100));
        let point = c.take(
            "point",
            if self.point.trim().is_empty() {
                Err("请在地图上点选工地位置，或填写坐标".to_string())
            } else {
                parse_coordinate(&self.point)
            },
        );
        c.finish()?;
        match (start, address, point) {
            (Some(actual_start), Some(address), Some((lat, lng))) => Ok(SiteInput {
                actual_start,
                address,
                lat: round6(lat),
                lng: round6(lng),
            }),
            _ => Err(AppError::Internal),
        }
    }
}

/// Six decimals: about 0.1 m, finer than any phone's fix.
fn round6(v: f64) -> f64 {
    (v * 1e6).round() / 1e6
}

#[derive(Serialize)]
struct Snapshot {
    #[serde(skip_serializing_if = "Option::is_none")]
    actual_start: Option<String>,
    address: String,
    site: String,
}

impl Snapshot {
    fn of(i: &SiteInput) -> Self {
        Self {
            actual_start: i.actual_start.map(|d| d.to_string()),
            address: i.address.clone(),
            site: format!("{:.6}, {:.6}", i.lat, i.lng),
        }
    }
}

/// Creates or updates the project's progress record.
pub async fn save_site(
    db: &Db,
    actor: &Actor,
    filing_id: i64,
    form: &SiteForm,
    version: &str,
) -> Result<(), AppError> {
    let seen = seen_version(version)?;
    let who = actor.who();
    let mut tx = AuditedTx::begin(db, &who).await?;
    let p = crate::platform::records::project_for_new(&mut tx, actor, filing_id).await?;
    let input = form.parse(iso(Some(&p.award_date)), today())?;
    let now = now_ms();
    match site_of(tx.conn(), p.id).await? {
        None => {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO progress (filing_id, actual_start, address, site_lat, site_lng, created_by, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
            )
            .bind(p.id)
            .bind(input.actual_start.map(|d| d.to_string()))
            .bind(&input.address)
            .bind(input.lat)
            .bind(input.lng)
            .bind(actor.user_id)
            .bind(now)
            .bind(now)
            .fetch_one(tx.conn())
            .await?;
            tx.record("progress", id, "create", None, Some(&Snapshot::of(&input)))
                .await?;
        }
        Some(old) => {
            if seen.is_some_and(|v| v != old.version) {
                return Err(AppError::Conflict);
            }
            let before = SiteInput {
                actual_start: iso(old.actual_start.as_deref()),
                address: old.address.clone(),
                lat: old.lat.unwrap_or_default(),
                lng: old.lng.unwrap_or_default(),
            };
            if before == input {
                return Err(AppError::invalid("没有修改"));
            }
            let id: i64 = sqlx::query_scalar(
                "UPDATE progress SET actual_start = $1, address = $2, site_lat = $3, site_lng = $4,
                    updated_at = $5, version = version + 1
                 WHERE filing_id = $6 AND version = $7 RETURNING id",
            )
            .bind(input.actual_start.map(|d| d.to_string()))
            .bind(&input.address)
            .bind(input.lat)
            .bind(input.lng)
            .bind(now)
            .bind(p.id)
            .bind(old.version)
            .fetch_optional(tx.conn())
            .await?
            .ok_or(AppError::Conflict)?;
            tx.record(
                "progress",
                id,
                "update",
                Some(&Snapshot::of(&before)),
                Some(&Snapshot::of(&input)),
            )
            .await?;
        }
    }
    tx.commit().await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn reads_a_site_and_refuses_bad_values_at_their_fields() {
        let f = SiteForm {
            actual_start: "2025-06-01".into(),
            address: "平阳县昆阳镇城东路".into(),
            point: "27.6621234567, 120.5651".into(),
        };
        let i = f.parse(Some(d("2025-05-01")), d("2026-12-01")).unwrap();
        assert_eq!((i.lat, i.lng), (27.662123, 120.5651));
        let bad = SiteForm {
            actual_start: "2025-04-01".into(),
            address: String::new(),
            point: "48.85, 2.35".into(),
        };
        let e = bad
            .parse(Some(d("2025-05-01")), d("2026-12-01"))
            .unwrap_err();
        let fields = e.field_errors().unwrap();
        assert!(fields["actual_start"].contains("中标日期"));
        assert!(fields["address"].contains("工程地点"));
        assert!(fields["point"].contains("中国境内"));
        let future = SiteForm {
            actual_start: "2027-01-01".into(),
            ..f
        };
        let e = future.parse(None, d("2026-12-01")).unwrap_err();
        assert!(e.field_errors().unwrap()["actual_start"].contains("晚于今天"));
    }
}
