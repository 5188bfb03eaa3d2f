//! 项目一张图: every filed construction project in the viewer's scope at its
//! site, coloured by its light (亮灯: red, yellow, on schedule, not started,
//! completed), with a ring for open supervision orders. One compact answer
//! carries the whole scope; the filters, the legend's counts and the card run
//! in the browser over it, so a province's 10,000 projects cost one request.
mod map;
mod pages;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod sites;

pub use pages::CountyMapPage;

use crate::{domain::progress::Light, error::AppError};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

pub const NAV: &[crate::kit::layout::NavItem] = {
    use crate::kit::layout::{NavItem, READERS};
    &[NavItem::new(12, "/map", "项目一张图", READERS)]
};

/// One project on the map. Field names are one letter: the answer holds a
/// province's projects.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MapProject {
    #[serde(rename = "i")]
    pub filing_id: i64,
    #[serde(rename = "n")]
    pub name: String,
    /// The site (WGS-84 latitude, longitude), if the owner placed it.
    #[serde(rename = "p")]
    pub site: Option<(f64, f64)>,
    #[serde(rename = "l")]
    pub light: Light,
    /// Why the light is what it is ("2026-10 累计完成 40%，落后序时进度 35 个百分点").
    #[serde(rename = "w")]
    pub why: String,
    /// Sector code.
    #[serde(rename = "s")]
    pub sector: String,
    /// The town (乡镇/街道) named in the site's address.
    #[serde(rename = "t", default, skip_serializing_if = "Option::is_none")]
    pub town: Option<String>,
    /// Owner and contractor unit ids (names in [`CountyMap::units`]).
    #[serde(rename = "o")]
    pub owner: i64,
    #[serde(rename = "c")]
    pub contractor: i64,
    /// Contract price plus approved changes (fen).
    #[serde(rename = "f")]
    pub revised_fen: i64,
    /// Planned completion moved by approved changes.
    #[serde(rename = "d")]
    pub completion: Option<String>,
    /// Latest reported percent.
    #[serde(rename = "k")]
    pub percent: Option<i64>,
    /// Open alerts and open supervision orders.
    #[serde(rename = "a")]
    pub alerts: i64,
    #[serde(rename = "x")]
    pub orders: i64,
}

/// The map's one answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CountyMap {
    pub projects: Vec<MapProject>,
    /// Names of the owner and contractor units the projects name.
    pub units: Vec<(i64, String)>,
    pub as_of: String,
    pub tile_url: String,
    pub tile_datum: String,
}

impl CountyMap {
    pub fn unit(&self, id: i64) -> &str {
        self.units
            .iter()
            .find(|(u, _)| *u == id)
            .map_or("", |(_, n)| n.as_str())
    }
}

/// The filters of the map (GET parameters, so a filtered map is a link).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MapFilter {
    pub q: String,
    pub sector: String,
    pub town: String,
    pub owner: i64,
    pub contractor: i64,
    pub light: Option<Light>,
}

impl MapFilter {
    /// Does `p` pass every filter but the light (the legend counts those)?
    pub fn passes_but_light(&self, p: &MapProject, units: &CountyMap) -> bool {
        let q = self.q.trim();
        (self.sector.is_empty() || p.sector == self.sector)
            && (self.town.is_empty() || p.town.as_deref() == Some(self.town.as_str()))
            && (self.owner == 0 || p.owner == self.owner)
            && (self.contractor == 0 || p.contractor == self.contractor)
            && (q.is_empty()
                || p.name.contains(q)
                || units.unit(p.owner).contains(q)
                || units.unit(p.contractor).contains(q))
    }
    pub fn passes(&self, p: &MapProject, units: &CountyMap) -> bool {
        self.light.is_none_or(|l| p.light == l) && self.passes_but_light(p, units)
    }
}

#[server(endpoint = "county-map")]
pub async fn load_county_map() -> Result<CountyMap, AppError> {
    crate::with_actor!([Admin, Supervisor, Owner], |actor, st| {
        service::county_map(&st.db, &actor, &st.settings, crate::platform::time::today()).await
    })
}
