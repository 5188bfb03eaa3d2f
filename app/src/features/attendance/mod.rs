//! 考勤区域 + 打卡 (attendance areas and check-in): areas drawn on a map
//! (`map.rs`) and validated (`geometry.rs`), the check-in decision with its
//! plausibility flags, the phone page, month calendars with rates, project
//! calendars (workdays, holidays, make-up days), and the attendance alert.
// Server functions take one argument per form field.
#![allow(clippy::too_many_arguments)]
#[cfg(feature = "ssr")]
pub mod desk;
#[cfg(feature = "ssr")]
pub mod export;
#[cfg(feature = "ssr")]
pub mod geometry;
#[cfg(feature = "ssr")]
pub mod guard;
mod pages;
#[cfg(feature = "ssr")]
pub mod photos;
#[cfg(feature = "ssr")]
pub mod rules;
#[cfg(feature = "ssr")]
pub mod service;

mod map;

pub use map::AreasPage;
pub use pages::{AttendancePage, CheckinPage};

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// This feature's entries in the left navigation.
pub const NAV: &[crate::kit::layout::NavItem] = {
    use crate::domain::Role;
    use crate::kit::layout::{NavItem, READERS};
    &[
        NavItem::new(20, "/checkin", "今日打卡", &[Role::KeyPersonnel]),
        NavItem::new(50, "/attendance", "考勤统计", READERS),
    ]
};

/// The trail's vocabulary for attendance (written on the filing's record).
#[cfg(feature = "ssr")]
pub const TRAIL: crate::platform::trail::TrailSpec = crate::platform::trail::TrailSpec {
    entities: &[],
    actions: &[
        ("area_add", "添加考勤区域"),
        ("area_remove", "删除考勤区域"),
        ("calendar", "修改考勤日历"),
        ("alert", "预警"),
        ("alert_clear", "预警消除"),
    ],
    fields: &[
        ("attendance_area", "考勤区域"),
        ("geojson", "区域坐标（GeoJSON）"),
        ("workdays", "打卡工作日"),
        ("holidays", "节假日"),
        ("makeup_days", "调休上班日"),
        ("photo_required", "打卡须拍现场照片"),
        ("alert", "预警"),
    ],
};

/// One roster member's attendance over a span.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MemberRate {
    pub user_id: i64,
    pub name: String,
    /// Roster role code (`pm`, `chief_supervisor` …).
    pub role: String,
    /// Required days on the roster, and those with a counted check-in.
    pub required: i64,
    pub counted: i64,
}

impl MemberRate {
    /// Percent, if any day was owed.
    pub fn rate(&self) -> Option<f64> {
        (self.required > 0).then(|| self.counted as f64 * 100.0 / self.required as f64)
    }
    /// The project manager or chief supervisor: the roles the county counts.
    pub fn is_lead(&self) -> bool {
        matches!(self.role.as_str(), "pm" | "chief_supervisor")
    }
}

/// A project the person is on the roster of, for the check-in page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MyProject {
    pub filing_id: i64,
    pub project_name: String,
    pub section_name: String,
    pub role: String,
    /// Already counted today.
    pub done_today: bool,
    pub has_area: bool,
    /// Check-ins here need an on-site photo.
    pub photo_required: bool,
}

/// A key person's own month on every roster they are (or were) on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MyMonth {
    pub month: String,
    /// 0 = Monday: where the month's first day sits in a week row.
    pub first_weekday: u32,
    pub rosters: Vec<MyRoster>,
}

/// One roster in a key person's own month.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MyRoster {
    pub filing_id: i64,
    pub project: String,
    pub role: String,
    pub joined_on: String,
    /// Why they can no longer check in here (they left the roster).
    pub left: Option<String>,
    /// One per day: ok, flag, refused, none (owed, missed), rest, out, future.
    pub cells: Vec<String>,
    pub counted: i64,
    pub required: i64,
}

impl MyRoster {
    pub fn rate(&self) -> Option<f64> {
        (self.required > 0).then(|| self.counted as f64 * 100.0 / self.required as f64)
    }
}

/// One person's month on one project.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PersonMonth {
    pub name: String,
    pub role: String,
    /// One per day of the month: `ok` counted, `flag` counted but flagged,
    /// `refused` only refused attempts, `none` nothing on a required day,
    /// `rest` not a required day, `future` not yet.
    pub cells: Vec<String>,
    pub counted: i64,
    pub required: i64,
}

impl PersonMonth {
    /// Accepted days / required days so far, in percent.
    pub fn rate(&self) -> Option<f64> {
        (self.required > 0).then(|| self.counted as f64 * 100.0 / self.required as f64)
    }
}

/// A project's attendance calendar for a month.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MonthView {
    pub filing_id: i64,
    pub project: String,
    /// YYYY-MM
    pub month: String,
    /// Weekday labels (一 … 日) per day.
    pub weekdays: Vec<String>,
    pub people: Vec<PersonMonth>,
    /// Roster members without a counted check-in today (a required day).
    pub missing_today: Vec<String>,
    /// The owner may change the calendar below.
    pub editable: bool,
    /// Required weekdays as ISO numbers ("123456"), holidays and make-up days.
    pub workdays: String,
    pub holidays: String,
    pub makeup_days: String,
    pub photo_required: bool,
}

/// A flagged (accepted but doubtful) check-in, for owners and supervisors.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FlaggedCheckin {
    pub id: i64,
    pub has_photo: bool,
    pub at: i64,
    pub person: String,
    pub project: String,
    pub flags: String,
    pub accuracy_m: f64,
}

#[server(endpoint = "attendance/month")]
pub async fn attendance_month(filing_id: i64, month: String) -> Result<MonthView, AppError> {
    use crate::platform::time::now_ms;
    crate::with_actor!([Admin, Supervisor, Owner], |actor, st| {
        service::month_view(&st.db, &actor, filing_id, &month, now_ms()).await
    })
}

/// Saves a project's attendance calendar. `w1`…`w7` are the weekday boxes.
#[server(endpoint = "attendance/calendar")]
pub async fn save_calendar(
    filing_id: i64,
    #[server(default)] w1: Option<String>,
    #[server(default)] w2: Option<String>,
    #[server(default)] w3: Option<String>,
    #[server(default)] w4: Option<String>,
    #[server(default)] w5: Option<String>,
    #[server(default)] w6: Option<String>,
    #[server(default)] w7: Option<String>,
    holidays: String,
    makeup_days: String,
    #[server(default)] photo_required: Option<String>,
) -> Result<(), AppError> {
    crate::with_actor!([Owner], |actor, st| {
        crate::platform::project::check_owner(&st.db, &actor, filing_id).await?;
        let days: String = [w1, w2, w3, w4, w5, w6, w7]
            .iter()
            .enumerate()
            .filter(|(_, v)| v.is_some())
            .map(|(i, _)| char::from(b'1' + i as u8))
            .collect();
        let cal = service::Calendar {
            photo_required: photo_required.is_some(),
            ..service::Calendar::parse(&days, &holidays, &makeup_days)?
        };
        service::save_calendar(&st.db, &actor, filing_id, &cal).await
    })
}

#[server(endpoint = "attendance/flagged")]
pub async fn flagged_checkins() -> Result<Vec<FlaggedCheckin>, AppError> {
    crate::with_actor!([Admin, Supervisor, Owner], |actor, st| {
        service::flagged(&st.db, &actor).await
    })
}

/// A saved attendance area (GeoJSON in WGS-84).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AreaItem {
    pub id: i64,
    pub name: String,
    pub geojson: String,
}

/// What the area map needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AreasView {
    pub filing_id: i64,
    pub project: String,
    pub editable: bool,
    /// The filing is submitted: removing an area needs a reason.
    pub submitted: bool,
    pub areas: Vec<AreaItem>,
    /// Tile URL template; empty draws on a plain background.
    pub tile_url: String,
    /// `wgs84` or `gcj02`: the datum the tiles draw in.
    pub tile_datum: String,
}

#[server(endpoint = "areas/list")]
pub async fn list_areas(filing_id: i64) -> Result<AreasView, AppError> {
    crate::with_actor!([Admin, Supervisor, Owner], |actor, st| {
        service::areas_view(&st.db, &st.settings, &actor, filing_id).await
    })
}

#[server(endpoint = "areas/add")]
pub async fn save_area(filing_id: i64, name: String, geojson: String) -> Result<(), AppError> {
    crate::with_actor!([Owner], |actor, st| {
        service::add_area(&st.db, &actor, filing_id, &name, &geojson).await?;
        Ok(())
    })
}

#[server(endpoint = "areas/remove")]
pub async fn remove_area(
    filing_id: i64,
    area_id: i64,
    #[server(default)] reason: String,
) -> Result<(), AppError> {
    crate::with_actor!([Owner], |actor, st| {
        service::remove_area(&st.db, &actor, filing_id, area_id, &reason).await
    })
}

#[server(endpoint = "checkin/projects")]
pub async fn my_projects() -> Result<Vec<MyProject>, AppError> {
    use crate::platform::time::now_ms;
    crate::with_actor!([KeyPersonnel], |actor, st| {
        service::my_projects(&st.db, &actor, now_ms()).await
    })
}

/// The key person's own month (`YYYY-MM`, "" for this one).
#[server(endpoint = "checkin/mine")]
pub async fn load_my_month(month: String) -> Result<MyMonth, AppError> {
    crate::with_actor!([KeyPersonnel], |actor, st| {
        service::my_month(&st.db, &actor, &month).await
    })
}

/// One check-in: the browser's position, decided by the server. JSON in, as a
/// phone's page sends it (also the benchmark's request).
#[server(endpoint = "checkin", input = leptos::server_fn::codec::Json)]
pub async fn check_in(
    filing_id: i64,
    lat: f64,
    lng: f64,
    accuracy: f64,
    device_key: String,
) -> Result<Decision, AppError> {
    use crate::platform::time::now_ms;
    crate::with_actor!([KeyPersonnel], |actor, st| {
        let st = st;
        let reading = service::Reading {
            filing_id,
            lat,
            lng,
            accuracy_m: accuracy,
            device_key,
            photo_sha256: None,
        };
        st.features
            .get::<guard::CheckinGuard>()?
            .attempt(actor.user_id)?;
        let desk = st.features.get::<desk::CheckinDesk>()?;
        service::check_in(desk, &st.settings, &actor, reading, now_ms()).await
    })
}

/// The answer to a check-in, shown to the person at once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Decision {
    /// The stored check-in.
    pub id: i64,
    pub accepted: bool,
    /// The day's first accepted check-in on this project (later ones are kept
    /// but not counted again).
    pub counted: bool,
    pub message: String,
    /// Metres to the nearest area (0 inside), when areas exist.
    pub distance_m: Option<f64>,
    /// Plausibility flags (accepted but suspicious), in Chinese.
    pub flags: Vec<String>,
    /// Server time (UTC ms).
    pub at: i64,
}
