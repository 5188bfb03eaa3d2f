//! 工程进度 (progress): one record per filed project with its actual start
//! and its site (an address and a point on the map), then one update per
//! month: percent complete, state, what was done, photos. Every month is
//! kept; a correction needs a reason. The project's page shows the months as
//! a timeline and a chart against the planned line (序时进度).
// Server functions take one argument per form field.
#![allow(clippy::too_many_arguments)]
#[cfg(feature = "ssr")]
pub mod export;
mod pages;
#[cfg(feature = "ssr")]
pub mod rules;
#[cfg(feature = "ssr")]
pub mod service;
mod site_map;

pub use pages::{ProgressChart, ProgressMonthPage, ProgressPage, ProgressProjectPage};
pub use site_map::{SiteMap, point_text};

use crate::{
    domain::{RecordStatus, progress::ProgressState},
    error::AppError,
    kit::{records::RecordFile, table::Page},
};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

pub const NAV: &[crate::kit::layout::NavItem] = {
    use crate::kit::layout::{NavItem, READERS};
    &[NavItem::new(42, "/progress", "工程进度", READERS)]
};

/// File kinds of a month's update: photos of the site (required, images only).
pub const MONTH_FILE_KINDS: [(&str, &str); 2] = [("photo", "现场照片"), ("other", "其他附件")];

#[cfg(feature = "ssr")]
pub const RECORD: crate::platform::records::RecordKind = crate::platform::records::RecordKind {
    entity: "progress_month",
    table: "progress_months",
    page: "/progress/months",
    file_kinds: &MONTH_FILE_KINDS,
    photo_kinds: &["photo"],
    ..crate::platform::records::RecordKind::PLAIN
};

#[cfg(feature = "ssr")]
pub const TRAIL: crate::platform::trail::TrailSpec = {
    use crate::platform::trail::{Entity, ReadRule, TrailSpec};
    TrailSpec {
        entities: &[
            Entity::new(
                "progress",
                "工程进度",
                ReadRule::ProjectRecord { table: "progress" },
            ),
            Entity::new(
                "progress_month",
                "月度进度",
                ReadRule::ProjectRecord {
                    table: "progress_months",
                },
            ),
        ],
        actions: &[],
        fields: &[
            ("actual_start", "实际开工日期"),
            ("address", "工程地点"),
            ("site", "工地位置（WGS-84）"),
            ("month", "月份"),
            ("percent", "累计完成（%）"),
            ("state", "形象进度"),
            ("work_done", "本月完成内容"),
            ("investment", "本月完成投资（元）"),
            ("drop_reason", "进度回落原因"),
        ],
    }
};

/// A filed project's progress as the list shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProgressRow {
    pub filing_id: i64,
    pub project: String,
    pub owner_name: String,
    pub contractor_name: String,
    pub has_site: bool,
    /// The latest submitted month, its percent and state.
    pub month: Option<String>,
    pub percent: Option<i64>,
    pub state: Option<ProgressState>,
    /// 序时进度 at the end of that month (or today when nothing is reported).
    pub planned_pct: Option<f64>,
    pub revised_completion: Option<String>,
    pub flags: Vec<String>,
}

/// The progress record: actual start and site.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Site {
    pub actual_start: Option<String>,
    pub address: String,
    /// WGS-84.
    pub lat: Option<f64>,
    pub lng: Option<f64>,
    pub version: i64,
}

/// One month's update in a project's timeline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct MonthItem {
    pub id: i64,
    pub month: String,
    pub percent: i64,
    #[cfg_attr(feature = "ssr", sqlx(try_from = "String"))]
    pub state: ProgressState,
    pub work_done: String,
    pub investment_fen: Option<i64>,
    pub drop_reason: Option<String>,
    #[cfg_attr(feature = "ssr", sqlx(try_from = "String"))]
    pub status: RecordStatus,
    pub photos: i64,
    /// 序时进度 at the end of the month.
    #[cfg_attr(feature = "ssr", sqlx(skip))]
    pub planned_pct: Option<f64>,
}

/// An attendance area drawn on the site map for reference (GeoJSON, WGS-84).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AreaShape {
    pub name: String,
    pub geojson: String,
}

/// Everything the project's progress page shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProgressView {
    pub filing_id: i64,
    pub project: String,
    pub owner_name: String,
    pub contractor_name: String,
    pub editable: bool,
    pub signed_on: Option<String>,
    pub planned_start: Option<String>,
    pub planned_completion: Option<String>,
    /// Moved by the approved schedule changes.
    pub revised_completion: Option<String>,
    pub site: Option<Site>,
    /// Every month, latest first (drafts and voided ones too, marked).
    pub months: Vec<MonthItem>,
    pub areas: Vec<AreaShape>,
    pub tile_url: String,
    pub tile_datum: String,
    /// The month a new update is for by default (the last one not reported).
    pub next_month: String,
    pub flags: Vec<String>,
}

/// One month's update with what its page shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MonthRecord {
    pub id: i64,
    pub filing_id: i64,
    pub project: String,
    pub status: RecordStatus,
    pub month: String,
    pub percent: i64,
    pub state: ProgressState,
    pub work_done: String,
    pub investment_fen: Option<i64>,
    pub drop_reason: Option<String>,
    pub void_reason: Option<String>,
    pub version: i64,
    /// The percent of the latest earlier submitted month.
    pub prior_percent: Option<i64>,
    pub planned_pct: Option<f64>,
    pub editable: bool,
    pub files: Vec<RecordFile>,
    pub flags: Vec<String>,
}

impl MonthRecord {
    pub fn has_photo(&self) -> bool {
        self.files.iter().any(|f| f.kind == "photo")
    }
}

#[server(endpoint = "progress/list")]
pub async fn list_progress(
    q: String,
    state: String,
    page: i64,
) -> Result<Page<ProgressRow>, AppError> {
    crate::with_actor!([Admin, Supervisor, Owner], |actor, st| {
        let filter = service::ProgressFilter::parse(&q, &state);
        service::list(&st.db, &actor, &filter, page).await
    })
}

#[server(endpoint = "progress/get")]
pub async fn get_progress(filing_id: i64) -> Result<ProgressView, AppError> {
    crate::with_actor!([Admin, Supervisor, Owner], |actor, st| service::view(
        &st.db,
        &actor,
        &st.settings,
        filing_id
    )
    .await)
}

/// Saves the project's progress record (actual start, address, site point).
#[server(endpoint = "progress/site")]
pub async fn save_site(
    filing_id: i64,
    actual_start: String,
    address: String,
    point: String,
    #[server(default)] version: String,
) -> Result<(), AppError> {
    crate::with_actor!([Owner], |actor, st| {
        let form = service::SiteForm {
            actual_start,
            address,
            point,
        };
        service::save_site(&st.db, &actor, filing_id, &form, &version).await?;
        crate::features::after_record_write(st).await;
        leptos_axum::redirect(&format!("/progress/{filing_id}?done=saved#site"));
        Ok(())
    })
}

#[server(endpoint = "progress/month")]
pub async fn get_month(id: i64) -> Result<MonthRecord, AppError> {
    crate::with_actor!([Admin, Supervisor, Owner], |actor, st| service::month(
        &st.db, &actor, id
    )
    .await)
}

/// Saves a month's update: a new draft (`id` 0), a draft's edit, or a
/// correction of a submitted month (with a reason).
#[server(endpoint = "progress/month/save")]
pub async fn save_month(
    id: i64,
    filing_id: i64,
    month: String,
    percent: String,
    state: String,
    work_done: String,
    investment: String,
    #[server(default)] drop_reason: String,
    #[server(default)] reason: String,
    #[server(default)] version: String,
) -> Result<(), AppError> {
    crate::with_actor!([Owner], |actor, st| {
        let form = service::MonthForm {
            month,
            percent,
            state,
            work_done,
            investment,
            drop_reason,
        };
        let saved =
            service::save_month(&st.db, &actor, id, filing_id, &form, &reason, &version).await?;
        crate::features::after_record_write(st).await;
        leptos_axum::redirect(&format!("/progress/months/{saved}?done=saved"));
        Ok(())
    })
}
