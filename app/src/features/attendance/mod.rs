//! 考勤区域 + 打卡 (attendance areas and check-in): areas drawn on a map
//! (`map.rs`) and validated (`geometry.rs`), the check-in decision with its
//! plausibility flags, the phone page, month calendars with rates, project
//! calendars (workdays, holidays, make-up days), and the attendance alert.
// Server functions take one argument per form field.
#![allow(clippy::too_many_arguments)]
#[cfg(feature = "ssr")]
pub mod desk;
#[cfg(feature = "ssr")]
pub mod geometry;
mod pages;
#[cfg(feature = "ssr")]
pub mod photos;
#[cfg(feature = "ssr")]
pub mod service;

mod map;

pub use map::AreasPage;
pub use pages::{AlertsPage, AttendancePage, CheckinPage};

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

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

/// An alert raised by a rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alert {
    pub id: i64,
    pub kind: String,
    pub project: String,
    pub period: String,
    pub message: String,
    pub created_at: i64,
}

#[server(endpoint = "attendance/month")]
pub async fn attendance_month(filing_id: i64, month: String) -> Result<MonthView, AppError> {
    use crate::{
        domain::Role,
        platform::{actor, state, time::now_ms},
    };
    actor::respond(async move {
        let actor = actor::require_role(&[Role::Admin, Role::Supervisor, Role::Owner]).await?;
        service::month_view(&state()?.db, &actor, filing_id, &month, now_ms()).await
    })
    .await
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
    use crate::{
        domain::Role,
        platform::{actor, state},
    };
    actor::respond(async move {
        let actor = actor::require_role(&[Role::Owner]).await?;
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
        service::save_calendar(&state()?.db, &actor, filing_id, &cal).await
    })
    .await
}

#[server(endpoint = "attendance/flagged")]
pub async fn flagged_checkins() -> Result<Vec<FlaggedCheckin>, AppError> {
    use crate::{
        domain::Role,
        platform::{actor, state},
    };
    actor::respond(async move {
        let actor = actor::require_role(&[Role::Admin, Role::Supervisor, Role::Owner]).await?;
        service::flagged(&state()?.db, &actor).await
    })
    .await
}

#[server(endpoint = "alerts/list")]
pub async fn list_alerts() -> Result<Vec<Alert>, AppError> {
    use crate::{
        domain::Role,
        platform::{actor, state},
    };
    actor::respond(async move {
        let actor = actor::require_role(&[Role::Admin, Role::Supervisor, Role::Owner]).await?;
        service::alerts(&state()?.db, &actor).await
    })
    .await
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
    pub areas: Vec<AreaItem>,
    /// Tile URL template; empty draws on a plain background.
    pub tile_url: String,
    /// `wgs84` or `gcj02`: the datum the tiles draw in.
    pub tile_datum: String,
}

#[server(endpoint = "areas/list")]
pub async fn list_areas(filing_id: i64) -> Result<AreasView, AppError> {
    use crate::{
        domain::Role,
        platform::{actor, state},
    };
    actor::respond(async move {
        let actor = actor::require_role(&[Role::Admin, Role::Supervisor, Role::Owner]).await?;
        let st = state()?;
        service::areas_view(&st.db, &st.settings, &actor, filing_id).await
    })
    .await
}

#[server(endpoint = "areas/add")]
pub async fn save_area(filing_id: i64, name: String, geojson: String) -> Result<(), AppError> {
    use crate::{
        domain::Role,
        platform::{actor, state},
    };
    actor::respond(async move {
        let actor = actor::require_role(&[Role::Owner]).await?;
        service::add_area(&state()?.db, &actor, filing_id, &name, &geojson).await?;
        Ok(())
    })
    .await
}

#[server(endpoint = "areas/remove")]
pub async fn remove_area(filing_id: i64, area_id: i64) -> Result<(), AppError> {
    use crate::{
        domain::Role,
        platform::{actor, state},
    };
    actor::respond(async move {
        let actor = actor::require_role(&[Role::Owner]).await?;
        service::remove_area(&state()?.db, &actor, filing_id, area_id).await
    })
    .await
}

#[server(endpoint = "checkin/projects")]
pub async fn my_projects() -> Result<Vec<MyProject>, AppError> {
    use crate::{
        domain::Role,
        platform::{actor, state, time::now_ms},
    };
    actor::respond(async move {
        let actor = actor::require_role(&[Role::KeyPersonnel]).await?;
        service::my_projects(&state()?.db, &actor, now_ms()).await
    })
    .await
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
    use crate::{
        domain::Role,
        platform::{actor, state, time::now_ms},
    };
    actor::respond(async move {
        let actor = actor::require_role(&[Role::KeyPersonnel]).await?;
        let st = state()?;
        let reading = service::Reading {
            filing_id,
            lat,
            lng,
            accuracy_m: accuracy,
            device_key,
            photo_sha256: None,
        };
        service::check_in(&st.checkins, &st.settings, &actor, reading, now_ms()).await
    })
    .await
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
