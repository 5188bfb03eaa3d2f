//! Attendance areas and the check-in decision.
use super::{
    Decision,
    desk::{CheckinDesk, NewCheckin},
    geometry::{Area, AreaLimits},
};
use crate::{
    domain::Role,
    error::AppError,
    platform::{actor::Actor, audit::AuditedTx, db::Db, project, settings::Settings, time::now_ms},
};
use chrono::TimeZone;
use geo::{Distance, Haversine, Point};
use serde::Serialize;
use sqlx::Row;

/// Why a position outside every area is refused, in the unit people use
/// for that distance; a position hundreds of kilometres away is no position
/// on a site, and is called what it is.
fn far_message(d: f64) -> String {
    if d < 1_000.0 {
        format!("不在考勤区域内：距最近的考勤区域约 {d:.0} 米")
    } else if d < 100_000.0 {
        format!("不在考勤区域内：距最近的考勤区域约 {:.1} 公里", d / 1_000.0)
    } else {
        format!(
            "定位位置异常：距考勤区域约 {:.0} 公里，不可能在工地附近。请确认手机已开启 GPS 定位、未使用虚拟定位软件后重试。",
            d / 1_000.0
        )
    }
}

/// Adds an attendance area to a filing of the owner's unit. Returns its id.
pub async fn add_area(
    db: &Db,
    actor: &Actor,
    filing_id: i64,
    name: &str,
    geojson: &str,
) -> Result<i64, AppError> {
    actor.require(&[Role::Owner])?;
    let name = crate::domain::required_text(name, "区域名称", 30)
        .map_err(|e| AppError::field("name", e))?;
    let value: serde_json::Value = serde_json::from_str(geojson)
        .map_err(|_| AppError::field("geojson", "区域数据格式有误，请重新绘制"))?;
    let area =
        Area::parse(&value, &AreaLimits::default()).map_err(|e| AppError::field("geojson", e))?;
    let who = actor.who();
    let mut tx = AuditedTx::begin(db, &who).await?;
    project::for_owner(&mut tx, actor, filing_id).await?;
    let stored = area.to_geojson().to_string();
    // The same shape saved twice (a second click, a resent form) is one area.
    let same: Option<String> = sqlx::query_scalar(
        "SELECT name FROM attendance_areas WHERE filing_id = $1 AND geojson = $2 AND removed_at IS NULL",
    )
    .bind(filing_id)
    .bind(&stored)
    .fetch_optional(tx.conn())
    .await?;
    if let Some(existing) = same {
        return Err(AppError::field(
            "geojson",
            format!("该区域已保存为“{existing}”，无需重复保存"),
        ));
    }
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO attendance_areas (filing_id, name, geojson, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(filing_id)
    .bind(&name)
    .bind(&stored)
    .bind(actor.user_id)
    .bind(now_ms())
    .fetch_one(tx.conn())
    .await?;
    #[derive(Serialize)]
    struct Snap<'a> {
        attendance_area: String,
        geojson: &'a str,
    }
    let snap = Snap {
        attendance_area: format!(
            "{name}（{}）",
            if matches!(area, Area::Circle { .. }) {
                "圆形"
            } else {
                "多边形"
            }
        ),
        geojson: &stored,
    };
    tx.record("filing", filing_id, "area_add", None, Some(&snap))
        .await?;
    tx.commit().await?;
    Ok(id)
}

/// The projects whose current roster holds the actor (submitted filings).
pub async fn my_projects(
    db: &Db,
    actor: &Actor,
    now: i64,
) -> Result<Vec<super::MyProject>, AppError> {
    actor.require(&[Role::KeyPersonnel])?;
    let rows = sqlx::query(
        "SELECT f.id, a.project_name, a.section_name, m.role,
            (SELECT COUNT(*) FROM checkins c WHERE c.user_id = $1 AND c.filing_id = f.id AND c.day = $2 AND c.counted = 1) AS done,
            (SELECT COUNT(*) FROM attendance_areas z WHERE z.filing_id = f.id AND z.removed_at IS NULL) AS areas,
            (SELECT r.photo_required FROM attendance_rules r WHERE r.filing_id = f.id) AS photo
         FROM roster_members m JOIN filings f ON f.id = m.filing_id JOIN awards a ON a.id = f.award_id
         WHERE m.user_id = $1 AND m.removed_at IS NULL AND f.status = 'submitted'
         ORDER BY a.project_name, a.section_name",
    )
    .bind(actor.user_id)
    .bind(beijing_day(now))
    .fetch_all(&db.pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(super::MyProject {
                filing_id: r.try_get("id")?,
                project_name: r.try_get("project_name")?,
                section_name: r.try_get("section_name")?,
                role: r.try_get("role")?,
                done_today: r.try_get::<i64, _>("done")? > 0,
                has_area: r.try_get::<i64, _>("areas")? > 0,
                photo_required: r.try_get::<Option<i64>, _>("photo")? == Some(1),
            })
        })
        .collect()
}

/// The areas of a filing the actor may read, with the map settings.
pub async fn areas_view(
    db: &Db,
    settings: &Settings,
    actor: &Actor,
    filing_id: i64,
) -> Result<super::AreasView, AppError> {
    let p = project::read(&mut *db.pool.acquire().await?, actor, filing_id).await?;
    let rows = sqlx::query("SELECT id, name, geojson FROM attendance_areas WHERE filing_id = $1 AND removed_at IS NULL ORDER BY id")
        .bind(filing_id)
        .fetch_all(&db.pool)
        .await?;
    Ok(super::AreasView {
        filing_id,
        project: p.label(),
        editable: p.may_write(actor),
        submitted: p.is_submitted(),
        areas: rows
            .iter()
            .map(|r| {
                Ok(super::AreaItem {
                    id: r.try_get("id")?,
                    name: r.try_get("name")?,
                    geojson: r.try_get("geojson")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()?,
        tile_url: settings.tile_url.clone(),
        tile_datum: settings.tile_datum.clone(),
    })
}

/// Removes an area (kept in the table with `removed_at`; the trail keeps it).
/// On a submitted filing, as every change after filing, it needs a reason.
pub async fn remove_area(
    db: &Db,
    actor: &Actor,
    filing_id: i64,
    area_id: i64,
    reason: &str,
) -> Result<(), AppError> {
    actor.require(&[Role::Owner])?;
    let who = actor.who();
    let mut tx = AuditedTx::begin(db, &who).await?;
    let p = project::for_owner(&mut tx, actor, filing_id).await?;
    let reason = if p.is_submitted() {
        Some(
            crate::domain::required_text(reason, "删除原因", 200)
                .map_err(|e| AppError::field("reason", e))?,
        )
    } else {
        crate::domain::optional_text(reason, "删除原因", 200)
            .map_err(|e| AppError::field("reason", e))?
    };
    let name: String = sqlx::query_scalar(
        "SELECT name FROM attendance_areas WHERE id = $1 AND filing_id = $2 AND removed_at IS NULL",
    )
    .bind(area_id)
    .bind(filing_id)
    .fetch_optional(tx.conn())
    .await?
    .ok_or(AppError::NotFound)?;
    sqlx::query("UPDATE attendance_areas SET removed_at = $1 WHERE id = $2")
        .bind(now_ms())
        .bind(area_id)
        .execute(tx.conn())
        .await?;
    #[derive(Serialize)]
    struct Snap {
        attendance_area: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    }
    tx.record(
        "filing",
        filing_id,
        "area_remove",
        Some(&Snap {
            attendance_area: name,
            reason: None,
        }),
        Some(&Snap {
            attendance_area: "（已删除）".into(),
            reason,
        }),
    )
    .await?;
    tx.commit().await
}

/// A position reported by the phone.
#[derive(Debug, Clone)]
pub struct Reading {
    pub filing_id: i64,
    pub lat: f64,
    pub lng: f64,
    pub accuracy_m: f64,
    /// A random key the page keeps in the browser (one per device).
    pub device_key: String,
    /// The on-site photo, already in the file store.
    pub photo_sha256: Option<String>,
}

fn beijing_day(ms: i64) -> String {
    crate::fmt::beijing()
        .timestamp_millis_opt(ms)
        .single()
        .map(|t| t.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

/// Everything the decision needs besides the areas, read in one statement:
/// the roster, the areas' signature and the plausibility evidence.
struct Context {
    on_roster: bool,
    photo_required: bool,
    area_signature: (i64, i64),
    /// The construction filing of the same project whose areas a
    /// supervision filing shares (the 总监 checks in on the same site).
    site_filing: Option<i64>,
    device_others: i64,
    /// Today's check-in on this project is already counted.
    counted_today: bool,
    same_spot_day: Option<String>,
    /// The person's previous accepted check-in anywhere: at, lat, lng, accuracy.
    previous: Option<(i64, f64, f64, f64)>,
    /// The accuracy of the one before it.
    accuracy_before: Option<f64>,
}

/// For a supervision filing: the construction filing of the same project
/// (same 项目编号), whose site and attendance areas it shares. `$2` is the
/// filing checked in on. NULL for every other filing.
pub(super) const SITE: &str = "(SELECT f2.id FROM filings f1 JOIN awards a1 ON a1.id = f1.award_id
      JOIN awards a2 ON a2.project_code = a1.project_code AND a2.section_kind = 'construction'
      JOIN filings f2 ON f2.award_id = a2.id
      WHERE f1.id = $2 AND a1.section_kind = 'supervision' ORDER BY f2.id LIMIT 1)";

/// The check-in's one read (built once: the site subquery appears three
/// times). `$1` user, `$2` filing, `$3` device, `$4` device window start,
/// `$5` day, `$6`/`$7` position, `$8` same-spot window start.
static CONTEXT_SQL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!(
        "SELECT
          (SELECT COUNT(*) FROM roster_members m JOIN filings f ON f.id = m.filing_id
             WHERE m.user_id = $1 AND m.filing_id = $2 AND m.removed_at IS NULL AND f.status = 'submitted') AS on_roster,
          (SELECT COUNT(*) FROM attendance_areas z
             WHERE (z.filing_id = $2 OR z.filing_id = {SITE}) AND z.removed_at IS NULL) AS area_count,
          (SELECT r.photo_required FROM attendance_rules r WHERE r.filing_id = $2) AS photo_required,
          (SELECT COALESCE(MAX(z.id), 0) FROM attendance_areas z
             WHERE (z.filing_id = $2 OR z.filing_id = {SITE}) AND z.removed_at IS NULL) AS area_max,
          {SITE} AS site_filing,
          (SELECT COUNT(DISTINCT d.user_id) FROM checkins d
             WHERE d.device_key = $3 AND d.at > $4 AND d.user_id <> $1) AS device_others,
          (SELECT COUNT(*) FROM checkins c
             WHERE c.user_id = $1 AND c.filing_id = $2 AND c.day = $5 AND c.counted = 1) AS counted_today,
          (SELECT s.day FROM checkins s WHERE s.user_id = $1 AND s.accepted = 1 AND s.day <> $5
             AND abs(s.lat - $6) < 0.000005 AND abs(s.lng - $7) < 0.000005 AND s.at > $8 LIMIT 1) AS same_spot_day,
          (SELECT p.at FROM checkins p WHERE p.user_id = $1 AND p.accepted = 1 ORDER BY p.at DESC LIMIT 1) AS prev_at,
          (SELECT p.lat FROM checkins p WHERE p.user_id = $1 AND p.accepted = 1 ORDER BY p.at DESC LIMIT 1) AS prev_lat,
          (SELECT p.lng FROM checkins p WHERE p.user_id = $1 AND p.accepted = 1 ORDER BY p.at DESC LIMIT 1) AS prev_lng,
          (SELECT p.accuracy_m FROM checkins p WHERE p.user_id = $1 AND p.accepted = 1 ORDER BY p.at DESC LIMIT 1) AS prev_acc,
          (SELECT p.accuracy_m FROM checkins p WHERE p.user_id = $1 AND p.accepted = 1 ORDER BY p.at DESC LIMIT 1 OFFSET 1) AS prev2_acc"
    )
});

/// How far back "the same coordinates on another day" looks. Bounded so the
/// check grows with a person's recent history, not with years of it.
const SAME_SPOT_DAYS: i64 = 90;

async fn context(
    db: &Db,
    user_id: i64,
    r: &Reading,
    device_key: &str,
    day: &str,
    now: i64,
) -> Result<Context, AppError> {
    let row = sqlx::query(&CONTEXT_SQL)
        .bind(user_id)
        .bind(r.filing_id)
        // Keys are alphanumeric: "-" matches no stored row (an empty key would
        // match every browser that sent none).
        .bind(if device_key.is_empty() {
            "-"
        } else {
            device_key
        })
        .bind(now - 24 * 3_600_000)
        .bind(day)
        .bind(r.lat)
        .bind(r.lng)
        .bind(now - SAME_SPOT_DAYS * 24 * 3_600_000)
        .fetch_one(&db.pool)
        .await?;
    let previous = match (
        row.try_get::<Option<i64>, _>("prev_at")?,
        row.try_get::<Option<f64>, _>("prev_lat")?,
        row.try_get::<Option<f64>, _>("prev_lng")?,
        row.try_get::<Option<f64>, _>("prev_acc")?,
    ) {
        (Some(at), Some(lat), Some(lng), Some(acc)) => Some((at, lat, lng, acc)),
        _ => None,
    };
    Ok(Context {
        on_roster: row.try_get::<i64, _>("on_roster")? > 0,
        photo_required: row.try_get::<Option<i64>, _>("photo_required")? == Some(1),
        area_signature: (row.try_get("area_count")?, row.try_get("area_max")?),
        site_filing: row.try_get("site_filing")?,
        device_others: row.try_get("device_others")?,
        counted_today: row.try_get::<i64, _>("counted_today")? > 0,
        same_spot_day: row.try_get("same_spot_day")?,
        previous,
        accuracy_before: row.try_get("prev2_acc")?,
    })
}

/// Decides a check-in and records it, whatever the decision. Returns after
/// the record is committed.
pub async fn check_in(
    desk: &CheckinDesk,
    settings: &Settings,
    actor: &Actor,
    r: Reading,
    now: i64,
) -> Result<Decision, AppError> {
    actor.require(&[Role::KeyPersonnel])?;
    let valid = r.lat.is_finite()
        && r.lng.is_finite()
        && (-90.0..=90.0).contains(&r.lat)
        && (-180.0..=180.0).contains(&r.lng);
    if !valid || !r.accuracy_m.is_finite() || r.accuracy_m < 0.0 || r.accuracy_m > 100_000.0 {
        return Err(AppError::invalid("定位数据无效，请重新获取位置"));
    }
    let device_key: String = r
        .device_key
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(64)
        .collect();
    let day = beijing_day(now);
    let cx = context(&desk.db, actor.user_id, &r, &device_key, &day, now).await?;
    // Only the project's current roster (and only submitted filings).
    if !cx.on_roster {
        return Err(AppError::invalid(
            "您不在该项目当前的关键人员名单中，不能在此打卡",
        ));
    }
    if cx.photo_required && r.photo_sha256.is_none() {
        return Err(AppError::field(
            "photo",
            "该项目要求打卡时拍摄现场照片，请先拍照",
        ));
    }
    let areas = desk
        .areas(r.filing_id, cx.site_filing, cx.area_signature)
        .await?;
    let distance = areas
        .iter()
        .map(|a| a.distance_m((r.lng, r.lat)))
        .min_by(|a, b| a.total_cmp(b));
    let tolerance = r.accuracy_m.min(settings.checkin_accuracy_cap_m);
    let (accepted, basis, message) = if r.accuracy_m > settings.checkin_max_accuracy_m {
        (
            false,
            format!(
                "accuracy {:.0} > {:.0}",
                r.accuracy_m, settings.checkin_max_accuracy_m
            ),
            format!(
                "定位精度约 {:.0} 米，超过 {:.0} 米的要求。请到室外开阔处，打开手机 GPS 后重试。",
                r.accuracy_m, settings.checkin_max_accuracy_m
            ),
        )
    } else {
        match distance {
            None => (
                false,
                "no area".into(),
                "该项目尚未设置考勤区域，请联系建设单位".to_string(),
            ),
            Some(d) if d <= tolerance => (
                true,
                format!("distance {d:.1} <= tolerance {tolerance:.1}"),
                // The page shows the server's time beside it.
                "打卡成功".to_string(),
            ),
            Some(d) => (
                false,
                format!("distance {d:.1} > tolerance {tolerance:.1}"),
                far_message(d),
            ),
        }
    };
    let flags = if accepted {
        plausibility(settings, &cx, &r, now)
    } else {
        Vec::new()
    };
    let stored = desk
        .store(NewCheckin {
            user_id: actor.user_id,
            filing_id: r.filing_id,
            at: now,
            day,
            lat: r.lat,
            lng: r.lng,
            accuracy_m: r.accuracy_m,
            accepted,
            may_count: !cx.counted_today,
            basis,
            distance_m: distance,
            flags: flags.join("；"),
            device_key,
            photo_sha256: r.photo_sha256.clone(),
            user_agent: actor.client.user_agent.clone(),
            ip: actor.client.ip.clone(),
        })
        .await?;
    let message = if accepted && !stored.counted {
        format!("{message}（今日已打卡，本次记录但不重复计数）")
    } else {
        message
    };
    Ok(Decision {
        id: stored.id,
        accepted,
        counted: stored.counted,
        message,
        distance_m: distance,
        flags,
        at: now,
    })
}

/// The reasons to doubt an accepted check-in (kept with it as evidence).
fn plausibility(settings: &Settings, cx: &Context, r: &Reading, now: i64) -> Vec<String> {
    let mut flags = Vec::new();
    if let Some((at, lat, lng, _)) = cx.previous {
        let km = Haversine.distance(Point::new(lng, lat), Point::new(r.lng, r.lat)) / 1000.0;
        let hours = ((now - at).max(1) as f64) / 3_600_000.0;
        let kmh = km / hours;
        if km > 1.0 && kmh > settings.checkin_max_speed_kmh {
            flags.push(format!(
                "移动速度异常：距上次打卡 {km:.1} 公里，仅隔 {:.0} 分钟（约 {kmh:.0} 公里/小时）",
                hours * 60.0
            ));
        }
    }
    if let Some(day) = &cx.same_spot_day {
        flags.push(format!("坐标与 {day} 的打卡完全相同（精确到米）"));
    }
    let previous_accuracy = cx.previous.map(|p| p.3);
    if r.accuracy_m == 0.0 {
        flags.push("定位精度为 0 米，不可能是真实定位".into());
    } else if previous_accuracy == Some(r.accuracy_m) && cx.accuracy_before == Some(r.accuracy_m) {
        flags.push(format!("定位精度连续多次完全相同（{} 米）", r.accuracy_m));
    }
    if cx.device_others > 0 {
        flags.push(format!(
            "同一设备 24 小时内还被另外 {} 人用于打卡",
            cx.device_others
        ));
    }
    flags
}

// --- attendance views and alerts ----------------------------------------------

use super::{FlaggedCheckin, MonthView, PersonMonth};
use crate::platform::project::{ScopeBinds, scope_sql};
use chrono::{Datelike, NaiveDate};

/// Which days of a project require a check-in: weekdays, minus public
/// holidays, plus make-up workdays (调休). Without a saved rule, Monday to
/// Saturday (site work runs six days a week).
#[derive(Debug, Clone, PartialEq)]
pub struct Calendar {
    /// Monday first.
    pub workdays: [bool; 7],
    pub holidays: std::collections::BTreeSet<NaiveDate>,
    pub makeup: std::collections::BTreeSet<NaiveDate>,
    /// Every check-in must come with an on-site photo.
    pub photo_required: bool,
}

impl Default for Calendar {
    fn default() -> Self {
        Self {
            workdays: [true, true, true, true, true, true, false],
            holidays: Default::default(),
            makeup: Default::default(),
            photo_required: false,
        }
    }
}

impl Calendar {
    pub fn required(&self, day: NaiveDate) -> bool {
        if self.makeup.contains(&day) {
            return true;
        }
        !self.holidays.contains(&day)
            && self.workdays[day.weekday().num_days_from_monday() as usize]
    }

    /// From the form: `workdays` as ISO numbers ("123456"), dates separated
    /// by commas, spaces or new lines.
    pub fn parse(workdays: &str, holidays: &str, makeup: &str) -> Result<Self, AppError> {
        let mut c = crate::error::Check::new();
        let mut days = [false; 7];
        for ch in workdays.chars() {
            match ch.to_digit(10) {
                Some(d @ 1..=7) => days[d as usize - 1] = true,
                _ => c.fail("workdays", "工作日设置有误"),
            }
        }
        if !days.contains(&true) {
            c.fail("workdays", "至少选择一个需要打卡的工作日");
        }
        let dates = |text: &str, field: &str, what: &str, c: &mut crate::error::Check| {
            let mut set = std::collections::BTreeSet::new();
            for part in text
                .split([',', '，', ' ', '\n', '、', ';', '；'])
                .map(str::trim)
                .filter(|s| !s.is_empty())
            {
                match crate::domain::parse_date(part, what) {
                    Ok(d) => {
                        set.insert(d);
                    }
                    Err(_) => c.fail(field, format!("“{part}”不是有效日期，格式如 2026-10-01")),
                }
            }
            if set.len() > 366 {
                c.fail(field, "日期过多");
            }
            set
        };
        let holidays = dates(holidays, "holidays", "节假日", &mut c);
        let makeup = dates(makeup, "makeup_days", "调休上班日", &mut c);
        c.finish()?;
        Ok(Self {
            workdays: days,
            holidays,
            makeup,
            photo_required: false,
        })
    }

    fn join(set: &std::collections::BTreeSet<NaiveDate>) -> String {
        set.iter()
            .map(|d| d.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    }

    pub fn workdays_code(&self) -> String {
        (1..=7)
            .filter(|d| self.workdays[d - 1])
            .map(|d| d.to_string())
            .collect()
    }
}

/// A project's calendar (the default when none is saved).
pub async fn calendar(db: &Db, filing_id: i64) -> Result<Calendar, AppError> {
    let row = sqlx::query(
        "SELECT workdays, holidays, makeup_days, photo_required FROM attendance_rules WHERE filing_id = $1",
    )
    .bind(filing_id)
    .fetch_optional(&db.pool)
    .await?;
    row.map_or_else(|| Ok(Calendar::default()), |r| Calendar::from_row(&r))
}

impl Calendar {
    /// A saved `attendance_rules` row (validated when it was saved).
    pub(super) fn from_row(r: &sqlx::any::AnyRow) -> Result<Self, AppError> {
        Ok(Calendar {
            photo_required: r.try_get::<i64, _>("photo_required")? != 0,
            ..Calendar::parse(
                &r.try_get::<String, _>("workdays")?,
                &r.try_get::<String, _>("holidays")?,
                &r.try_get::<String, _>("makeup_days")?,
            )
            .map_err(|_| AppError::Internal)?
        })
    }
}

/// Saves a project's calendar (owner of the filing).
pub async fn save_calendar(
    db: &Db,
    actor: &Actor,
    filing_id: i64,
    cal: &Calendar,
) -> Result<(), AppError> {
    actor.require(&[Role::Owner])?;
    let before = calendar(db, filing_id).await?;
    let who = actor.who();
    let mut tx = AuditedTx::begin(db, &who).await?;
    project::for_owner(&mut tx, actor, filing_id).await?;
    sqlx::query(
        "INSERT INTO attendance_rules (filing_id, workdays, holidays, makeup_days, photo_required, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (filing_id) DO UPDATE SET workdays = excluded.workdays, holidays = excluded.holidays,
            makeup_days = excluded.makeup_days, photo_required = excluded.photo_required,
            updated_at = excluded.updated_at",
    )
    .bind(filing_id)
    .bind(cal.workdays_code())
    .bind(Calendar::join(&cal.holidays))
    .bind(Calendar::join(&cal.makeup))
    .bind(i64::from(cal.photo_required))
    .bind(now_ms())
    .execute(tx.conn())
    .await?;
    #[derive(Serialize)]
    struct Snap {
        workdays: String,
        holidays: String,
        makeup_days: String,
        photo_required: &'static str,
    }
    const WD: [&str; 7] = ["一", "二", "三", "四", "五", "六", "日"];
    let snap = |c: &Calendar| Snap {
        workdays: (0..7)
            .filter(|i| c.workdays[*i])
            .map(|i| format!("周{}", WD[i]))
            .collect::<Vec<_>>()
            .join("、"),
        holidays: Calendar::join(&c.holidays),
        makeup_days: Calendar::join(&c.makeup),
        photo_required: if c.photo_required { "是" } else { "否" },
    };
    tx.record(
        "filing",
        filing_id,
        "calendar",
        Some(&snap(&before)),
        Some(&snap(cal)),
    )
    .await?;
    tx.commit().await
}

pub(super) fn month_days(month: &str) -> Result<Vec<NaiveDate>, AppError> {
    let first = NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d")
        .map_err(|_| AppError::field("month", "月份格式应为 2026-11"))?;
    Ok(first
        .iter_days()
        .take_while(|d| d.month() == first.month())
        .collect())
}

/// The filing's label, if the actor may read it.
pub async fn month_view(
    db: &Db,
    actor: &Actor,
    filing_id: i64,
    month: &str,
    now: i64,
) -> Result<MonthView, AppError> {
    let p = project::read(&mut *db.pool.acquire().await?, actor, filing_id).await?;
    let project = p.label();
    let cal = calendar(db, filing_id).await?;
    let month = if month.is_empty() {
        &beijing_day(now)[..7]
    } else {
        month
    };
    let days = month_days(month)?;
    let today =
        NaiveDate::parse_from_str(&beijing_day(now), "%Y-%m-%d").map_err(|_| AppError::Internal)?;
    let (first, last) = (days[0], days[days.len() - 1]);
    let members = sqlx::query(
        "SELECT m.user_id, m.name, m.role, m.created_at, m.removed_at FROM roster_members m
         WHERE m.filing_id = $1 AND (m.removed_at IS NULL OR m.removed_at >= $2) ORDER BY m.id",
    )
    .bind(filing_id)
    .bind(
        crate::fmt::beijing()
            .from_local_datetime(&first.and_hms_opt(0, 0, 0).unwrap_or_default())
            .single()
            .map(|t| t.timestamp_millis())
            .unwrap_or(0),
    )
    .fetch_all(&db.pool)
    .await?;
    let rows = sqlx::query(
        "SELECT user_id, day, accepted, counted, flags FROM checkins WHERE filing_id = $1 AND day >= $2 AND day <= $3",
    )
    .bind(filing_id)
    .bind(first.to_string())
    .bind(last.to_string())
    .fetch_all(&db.pool)
    .await?;
    // (user, day) → best state seen.
    let mut seen: std::collections::HashMap<(i64, String), &'static str> = Default::default();
    for r in &rows {
        let key = (
            r.try_get::<i64, _>("user_id")?,
            r.try_get::<String, _>("day")?,
        );
        let counted = r.try_get::<i64, _>("counted")? == 1;
        let flagged = !r.try_get::<String, _>("flags")?.is_empty();
        let state = match (counted, flagged) {
            (true, true) => "flag",
            (true, false) => "ok",
            _ => "refused",
        };
        let rank = |s: &str| match s {
            "ok" | "flag" => 2,
            _ => 1,
        };
        let e = seen.entry(key).or_insert(state);
        if rank(state) > rank(e) {
            *e = state;
        }
    }
    let mut people = Vec::new();
    let mut missing_today = Vec::new();
    for m in &members {
        let uid: i64 = m.try_get("user_id")?;
        let name: String = m.try_get("name")?;
        let joined = day_of(m.try_get("created_at")?);
        let left = m.try_get::<Option<i64>, _>("removed_at")?.map(day_of);
        let mut counted = 0;
        let mut req = 0;
        let cells = days
            .iter()
            .map(|d| {
                let s = seen.get(&(uid, d.to_string())).copied();
                if *d > today {
                    return "future".to_string();
                }
                // Days off the roster are neither owed nor shown as missed.
                if !on_roster(*d, joined, left) {
                    return "out".to_string();
                }
                if cal.required(*d) {
                    req += 1;
                }
                match s {
                    Some("ok") | Some("flag") => {
                        // A check-in on a day off is shown but not counted.
                        if cal.required(*d) {
                            counted += 1;
                        }
                        s.unwrap_or_default().to_string()
                    }
                    Some(other) => other.to_string(),
                    None if cal.required(*d) => "none".into(),
                    None => "rest".into(),
                }
            })
            .collect();
        if days.contains(&today)
            && cal.required(today)
            && on_roster(today, joined, left)
            && !matches!(
                seen.get(&(uid, today.to_string())),
                Some(&"ok") | Some(&"flag")
            )
        {
            missing_today.push(name.clone());
        }
        people.push(PersonMonth {
            name,
            role: m.try_get("role")?,
            cells,
            counted: counted.min(req),
            required: req,
        });
    }
    const WD: [&str; 7] = ["一", "二", "三", "四", "五", "六", "日"];
    Ok(MonthView {
        editable: p.may_write(actor),
        workdays: cal.workdays_code(),
        holidays: Calendar::join(&cal.holidays),
        makeup_days: Calendar::join(&cal.makeup),
        photo_required: cal.photo_required,
        filing_id,
        project,
        month: month.to_string(),
        weekdays: days
            .iter()
            .map(|d| WD[d.weekday().num_days_from_monday() as usize].to_string())
            .collect(),
        people,
        missing_today,
    })
}

pub async fn flagged(db: &Db, actor: &Actor) -> Result<Vec<FlaggedCheckin>, AppError> {
    let s = ScopeBinds::of(actor);
    let rows = sqlx::query(&format!(
        "SELECT c.id, c.at, u.display_name, a.project_name, a.section_name, c.flags, c.accuracy_m,
            CASE WHEN c.photo_sha256 IS NULL THEN 0 ELSE 1 END AS has_photo
         FROM checkins c JOIN users u ON u.id = c.user_id JOIN filings f ON f.id = c.filing_id
         JOIN awards a ON a.id = f.award_id
         WHERE c.flags <> '' AND {} ORDER BY c.at DESC LIMIT 200",
        scope_sql(1)
    ))
    .bind(s.mode)
    .bind(s.unit)
    .bind(&s.sector)
    .fetch_all(&db.pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(FlaggedCheckin {
                id: r.try_get("id")?,
                has_photo: r.try_get::<i64, _>("has_photo")? == 1,
                at: r.try_get("at")?,
                person: r.try_get("display_name")?,
                project: format!(
                    "{} · {}",
                    r.try_get::<String, _>("project_name")?,
                    r.try_get::<String, _>("section_name")?
                ),
                flags: r.try_get("flags")?,
                accuracy_m: r.try_get("accuracy_m")?,
            })
        })
        .collect()
}

/// The stored photo of a check-in the actor may read (owner of the project,
/// supervisors in scope).
pub async fn photo_of(db: &Db, actor: &Actor, checkin_id: i64) -> Result<String, AppError> {
    actor.require(&[Role::Admin, Role::Supervisor, Role::Owner])?;
    let row = sqlx::query("SELECT filing_id, photo_sha256 FROM checkins WHERE id = $1")
        .bind(checkin_id)
        .fetch_optional(&db.pool)
        .await?
        .ok_or(AppError::NotFound)?;
    project::read(
        &mut *db.pool.acquire().await?,
        actor,
        row.try_get("filing_id")?,
    )
    .await?;
    row.try_get::<Option<String>, _>("photo_sha256")?
        .ok_or(AppError::NotFound)
}

/// The Beijing calendar day of an instant.
pub(super) fn day_of(ms: i64) -> NaiveDate {
    NaiveDate::parse_from_str(&beijing_day(ms), "%Y-%m-%d").unwrap_or_default()
}

/// Was a member on the roster on `day`? From the day they joined up to the
/// day before they left (from that day on they can no longer check in).
pub(super) fn on_roster(day: NaiveDate, joined: NaiveDate, left: Option<NaiveDate>) -> bool {
    day >= joined && left.is_none_or(|l| day < l)
}

#[cfg(test)]
mod tests {
    #[test]
    fn distances_read_in_the_right_unit() {
        assert!(super::far_message(492.4).ends_with("约 492 米"));
        assert!(super::far_message(13_260.0).ends_with("约 13.3 公里"));
        let m = super::far_message(13_764_600.0);
        assert!(
            m.starts_with("定位位置异常：距考勤区域约 13765 公里"),
            "{m}"
        );
    }
}
