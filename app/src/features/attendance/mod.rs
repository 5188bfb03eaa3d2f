//! 考勤区域 + 打卡 (attendance areas and check-in): area geometry and
//! validation, the check-in decision with its plausibility flags, and the
//! phone page. The owner's map drawing comes next.
#[cfg(feature = "ssr")]
pub mod geometry;
mod pages;
#[cfg(feature = "ssr")]
pub mod service;

pub use pages::CheckinPage;

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

/// One check-in: the browser's position, decided by the server.
#[server(endpoint = "checkin")]
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
        };
        service::check_in(&st.db, &st.settings, &actor, reading, now_ms()).await
    })
    .await
}

/// The answer to a check-in, shown to the person at once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Decision {
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
