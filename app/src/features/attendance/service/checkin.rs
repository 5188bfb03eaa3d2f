//! The check-in decision: inside an area, one counted check-in a day, the
//! roster rule, and the plausibility flags.
use crate::{
    domain::Role,
    error::AppError,
    features::attendance::{
        Decision,
        desk::{self, CheckinDesk, NewCheckin, Stored},
        geometry::Area,
    },
    platform::{actor::Actor, settings::Settings},
};
use chrono::TimeZone;
use geo::{Distance, Haversine, Point};
use sqlx::{AnyConnection, Row};

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

pub(crate) fn beijing_day(ms: i64) -> String {
    crate::fmt::beijing()
        .timestamp_millis_opt(ms)
        .single()
        .map(|t| t.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

/// The limits a check-in is judged by, copied from the settings as it arrives.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_accuracy_m: f64,
    pub accuracy_cap_m: f64,
    pub max_speed_kmh: f64,
}

impl From<&Settings> for Limits {
    fn from(s: &Settings) -> Self {
        Self {
            max_accuracy_m: s.checkin_max_accuracy_m,
            accuracy_cap_m: s.checkin_accuracy_cap_m,
            max_speed_kmh: s.checkin_max_speed_kmh,
        }
    }
}

/// A check-in whose request has been checked (the person may check in, the
/// position is a position), waiting for the desk to decide and store it.
#[derive(Debug, Clone)]
pub struct Ask {
    pub user_id: i64,
    pub reading: Reading,
    /// The reading's key, kept to 64 ASCII letters and digits.
    pub device_key: String,
    pub day: String,
    pub now: i64,
    pub limits: Limits,
    pub user_agent: Option<String>,
    pub ip: Option<String>,
}

/// Everything the decision needs besides the areas, read for a whole batch
/// at once: the roster, the areas' signature and the plausibility evidence.
pub(crate) struct Context {
    on_roster: bool,
    photo_required: bool,
    pub(crate) area_signature: (i64, i64),
    /// The construction filing of the same project whose areas a
    /// supervision filing shares (the 总监 checks in on the same site).
    pub(crate) site_filing: Option<i64>,
    device_others: i64,
    /// Today's check-in on this project is already counted.
    counted_today: bool,
    same_spot_day: Option<String>,
    /// The person's previous accepted check-in anywhere: at, lat, lng, accuracy.
    previous: Option<(i64, f64, f64, f64)>,
    /// The accuracy of the one before it.
    accuracy_before: Option<f64>,
}

/// For a supervision filing `q.f`: the construction filing of the same
/// project (same 项目编号), whose site and attendance areas it shares. NULL
/// for every other filing.
const SITE: &str = "(SELECT f2.id FROM filings f1 JOIN awards a1 ON a1.id = f1.award_id
      JOIN awards a2 ON a2.project_code = a1.project_code AND a2.section_kind = 'construction'
      JOIN filings f2 ON f2.award_id = a2.id
      WHERE f1.id = q.f AND a1.section_kind = 'supervision' ORDER BY f2.id LIMIT 1)";

/// Parameters per asked check-in in [`context_sql`].
const ASK_WIDTH: usize = 9;

/// The contexts of `rows` check-ins in one statement: `q` holds each one's
/// index, user, filing, device key, day, position, time (UTC ms) and the day
/// 24 hours before (the device's window spans those two days: its index is
/// led by the day, `0024_checkins_by_day`).
fn context_sql(rows: usize) -> String {
    format!(
        "WITH q(i, u, f, dev, day, lat, lng, t, day0) AS ({values})
         SELECT q.i,
          (SELECT COUNT(*) FROM roster_members m JOIN filings f ON f.id = m.filing_id
             WHERE m.user_id = q.u AND m.filing_id = q.f AND m.removed_at IS NULL AND f.status = 'submitted') AS on_roster,
          (SELECT COUNT(*) FROM attendance_areas z
             WHERE (z.filing_id = q.f OR z.filing_id = {SITE}) AND z.removed_at IS NULL) AS area_count,
          (SELECT r.photo_required FROM attendance_rules r WHERE r.filing_id = q.f) AS photo_required,
          (SELECT COALESCE(MAX(z.id), 0) FROM attendance_areas z
             WHERE (z.filing_id = q.f OR z.filing_id = {SITE}) AND z.removed_at IS NULL) AS area_max,
          {SITE} AS site_filing,
          (SELECT COUNT(DISTINCT d.user_id) FROM checkins d
             WHERE d.day IN (q.day0, q.day) AND d.device_key = q.dev AND d.at > q.t - {DAY_MS}
               AND d.user_id <> q.u) AS device_others,
          (SELECT COUNT(*) FROM checkins c
             WHERE c.user_id = q.u AND c.filing_id = q.f AND c.day = q.day AND c.counted = 1) AS counted_today,
          (SELECT s.day FROM checkins s WHERE s.user_id = q.u AND s.accepted = 1 AND s.day <> q.day
             AND abs(s.lat - q.lat) < 0.000005 AND abs(s.lng - q.lng) < 0.000005
             AND s.at > q.t - {SAME_SPOT_MS} LIMIT 1) AS same_spot_day,
          (SELECT p.at FROM checkins p WHERE p.user_id = q.u AND p.accepted = 1 ORDER BY p.at DESC LIMIT 1) AS prev_at,
          (SELECT p.lat FROM checkins p WHERE p.user_id = q.u AND p.accepted = 1 ORDER BY p.at DESC LIMIT 1) AS prev_lat,
          (SELECT p.lng FROM checkins p WHERE p.user_id = q.u AND p.accepted = 1 ORDER BY p.at DESC LIMIT 1) AS prev_lng,
          (SELECT p.accuracy_m FROM checkins p WHERE p.user_id = q.u AND p.accepted = 1 ORDER BY p.at DESC LIMIT 1) AS prev_acc,
          (SELECT p.accuracy_m FROM checkins p WHERE p.user_id = q.u AND p.accepted = 1 ORDER BY p.at DESC LIMIT 1 OFFSET 1) AS prev2_acc
         FROM q ORDER BY q.i",
        values = desk::values(rows, ASK_WIDTH),
    )
}

const DAY_MS: i64 = 24 * 3_600_000;
/// How far back "the same coordinates on another day" looks. Bounded so the
/// check grows with a person's recent history, not with years of it.
const SAME_SPOT_MS: i64 = 90 * DAY_MS;

/// The statement for each batch size the desk uses, built once.
static CONTEXT_SQL: std::sync::LazyLock<Vec<(usize, String)>> =
    std::sync::LazyLock::new(|| desk::SHAPES.iter().map(|&n| (n, context_sql(n))).collect());

/// The context of each ask, in order: one statement per [`desk::SHAPES`]
/// step instead of one per check-in (on SQLite each statement is a round
/// trip to the connection's thread).
pub(crate) async fn contexts(
    conn: &mut AnyConnection,
    asks: &[&Ask],
) -> Result<Vec<Context>, sqlx::Error> {
    let mut out = Vec::with_capacity(asks.len());
    let mut start = 0;
    for size in desk::shapes(asks.len()) {
        let chunk = &asks[start..start + size];
        start += size;
        let sql = &CONTEXT_SQL
            .iter()
            .find(|(n, _)| *n == size)
            .expect("a shape")
            .1;
        let mut q = sqlx::query(sql);
        for (i, a) in chunk.iter().enumerate() {
            q = q
                .bind(i as i64)
                .bind(a.user_id)
                .bind(a.reading.filing_id)
                // Keys are alphanumeric: "-" matches no stored row (an empty
                // key would match every browser that sent none).
                .bind(if a.device_key.is_empty() {
                    "-"
                } else {
                    a.device_key.as_str()
                })
                .bind(a.day.as_str())
                .bind(a.reading.lat)
                .bind(a.reading.lng)
                .bind(a.now)
                .bind(beijing_day(a.now - DAY_MS));
        }
        let rows = q.fetch_all(&mut *conn).await?;
        if rows.len() != chunk.len() {
            return Err(sqlx::Error::RowNotFound);
        }
        for row in rows {
            out.push(context_of(&row)?);
        }
    }
    Ok(out)
}

fn context_of(row: &sqlx::any::AnyRow) -> Result<Context, sqlx::Error> {
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

fn valid_position(r: &Reading) -> Result<(), AppError> {
    let valid = r.lat.is_finite()
        && r.lng.is_finite()
        && (-90.0..=90.0).contains(&r.lat)
        && (-180.0..=180.0).contains(&r.lng);
    if !valid || !r.accuracy_m.is_finite() || r.accuracy_m < 0.0 || r.accuracy_m > 100_000.0 {
        return Err(AppError::invalid("定位数据无效，请重新获取位置"));
    }
    Ok(())
}

fn not_on_roster() -> AppError {
    AppError::invalid("您不在该项目当前的关键人员名单中，不能在此打卡")
}

/// What a check-in is refused for before anything of it is kept: a
/// position that is not one, or a person not on the project's current
/// roster. The photo check-in asks this before it stores the photo.
pub async fn precheck(desk: &CheckinDesk, actor: &Actor, r: &Reading) -> Result<(), AppError> {
    actor.require(&[Role::KeyPersonnel])?;
    valid_position(r)?;
    let on_roster: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM roster_members m JOIN filings f ON f.id = m.filing_id
         WHERE m.user_id = $1 AND m.filing_id = $2 AND m.removed_at IS NULL AND f.status = 'submitted'",
    )
    .bind(actor.user_id)
    .bind(r.filing_id)
    .fetch_one(&desk.db.pool)
    .await?;
    if on_roster > 0 {
        Ok(())
    } else {
        Err(not_on_roster())
    }
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
    valid_position(&r)?;
    let device_key: String = r
        .device_key
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(64)
        .collect();
    desk.decide(Ask {
        user_id: actor.user_id,
        reading: r,
        device_key,
        day: beijing_day(now),
        now,
        limits: settings.into(),
        user_agent: actor.client.user_agent.clone(),
        ip: actor.client.ip.clone(),
    })
    .await
}

/// Why a check-in is refused without being kept: only the project's current
/// roster (of a submitted filing) checks in, with a photo where one is asked.
pub(crate) fn refusal(cx: &Context, ask: &Ask) -> Option<AppError> {
    if !cx.on_roster {
        return Some(not_on_roster());
    }
    if cx.photo_required && ask.reading.photo_sha256.is_none() {
        return Some(AppError::field(
            "photo",
            "该项目要求打卡时拍摄现场照片，请先拍照",
        ));
    }
    None
}

/// What is decided about a check-in before it is stored.
pub(crate) struct Outcome {
    accepted: bool,
    basis: String,
    message: String,
    distance_m: Option<f64>,
    flags: Vec<String>,
    may_count: bool,
}

/// Accepted or not, and why, against the project's `areas`.
pub(crate) fn decide(cx: &Context, areas: &[Area], ask: &Ask) -> Outcome {
    let (r, limits) = (&ask.reading, &ask.limits);
    let distance = areas
        .iter()
        .map(|a| a.distance_m((r.lng, r.lat)))
        .min_by(|a, b| a.total_cmp(b));
    let tolerance = r.accuracy_m.min(limits.accuracy_cap_m);
    let (accepted, basis, message) = if r.accuracy_m > limits.max_accuracy_m {
        (
            false,
            format!(
                "accuracy {:.0} > {:.0}",
                r.accuracy_m, limits.max_accuracy_m
            ),
            format!(
                "定位精度约 {:.0} 米，超过 {:.0} 米的要求。请到室外开阔处，打开手机 GPS 后重试。",
                r.accuracy_m, limits.max_accuracy_m
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
        plausibility(limits, cx, r, ask.now)
    } else {
        Vec::new()
    };
    Outcome {
        accepted,
        basis,
        message,
        distance_m: distance,
        flags,
        may_count: !cx.counted_today,
    }
}

/// The row that records `ask` as decided.
pub(crate) fn row(ask: &Ask, o: &Outcome) -> NewCheckin {
    let r = &ask.reading;
    NewCheckin {
        user_id: ask.user_id,
        filing_id: r.filing_id,
        at: ask.now,
        day: ask.day.clone(),
        lat: r.lat,
        lng: r.lng,
        accuracy_m: r.accuracy_m,
        accepted: o.accepted,
        may_count: o.may_count,
        basis: o.basis.clone(),
        distance_m: o.distance_m,
        flags: o.flags.join("；"),
        device_key: ask.device_key.clone(),
        photo_sha256: r.photo_sha256.clone(),
        user_agent: ask.user_agent.clone(),
        ip: ask.ip.clone(),
    }
}

/// The answer to the person once the row is stored.
pub(crate) fn answer(at: i64, o: Outcome, stored: Stored) -> Decision {
    let message = if o.accepted && !stored.counted {
        format!("{}（今日已打卡，本次记录但不重复计数）", o.message)
    } else {
        o.message
    };
    Decision {
        id: stored.id,
        accepted: o.accepted,
        counted: stored.counted,
        message,
        distance_m: o.distance_m,
        flags: o.flags,
        at,
    }
}

/// The reasons to doubt an accepted check-in (kept with it as evidence).
fn plausibility(limits: &Limits, cx: &Context, r: &Reading, now: i64) -> Vec<String> {
    let mut flags = Vec::new();
    if let Some((at, lat, lng, _)) = cx.previous {
        let km = Haversine.distance(Point::new(lng, lat), Point::new(r.lng, r.lat)) / 1000.0;
        let hours = ((now - at).max(1) as f64) / 3_600_000.0;
        let kmh = km / hours;
        if km > 1.0 && kmh > limits.max_speed_kmh {
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
