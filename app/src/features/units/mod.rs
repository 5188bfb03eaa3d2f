//! Units (单位): the resource office, sector authorities, owner units and
//! contractors. Managed by administrators.
#[cfg(feature = "ssr")]
pub mod export;
mod pages;
#[cfg(feature = "ssr")]
pub mod service;

pub use pages::{UnitEditPage, UnitNewPage, UnitsPage};

use crate::{domain::UnitKind, error::AppError, kit::table::Page};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// This feature's entries in the left navigation.
pub const NAV: &[crate::kit::layout::NavItem] = {
    use crate::domain::Role;
    use crate::kit::layout::NavItem;
    &[NavItem::new(80, "/admin/units", "单位管理", &[Role::Admin])]
};

/// The trail's vocabulary for units.
#[cfg(feature = "ssr")]
pub const TRAIL: crate::platform::trail::TrailSpec = {
    use crate::platform::trail::{Entity, ReadRule, TrailSpec};
    TrailSpec {
        entities: &[Entity::new("unit", "单位", ReadRule::Unit)],
        actions: &[],
        fields: &[
            ("kind", "单位类型"),
            ("credit_code", "统一社会信用代码"),
            ("sector", "行业"),
        ],
    }
};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Unit {
    pub id: i64,
    pub kind: UnitKind,
    pub name: String,
    pub credit_code: String,
    pub sector: Option<String>,
    pub user_count: i64,
    pub updated_at: i64,
}

/// A unit for a picker: (id, name, kind).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnitOption {
    pub id: i64,
    pub name: String,
    pub kind: UnitKind,
}

#[server(endpoint = "units/list")]
pub async fn list_units(q: String, kind: String, page: i64) -> Result<Page<Unit>, AppError> {
    crate::with_actor!([Admin], |actor, st| {
        service::list(&st.db, &actor, &q, &kind, page).await
    })
}

#[server(endpoint = "units/get")]
pub async fn get_unit(id: i64) -> Result<Unit, AppError> {
    crate::with_actor!([Admin], |actor, st| {
        service::get(&st.db, &actor, id).await
    })
}

#[server(endpoint = "units/options")]
pub async fn unit_options() -> Result<Vec<UnitOption>, AppError> {
    // The security administrator picks a unit for each account.
    crate::with_actor!([Admin, SecurityAdmin], |_actor, st| service::options(
        &st.db
    )
    .await)
}

#[server(endpoint = "units/create")]
pub async fn create_unit(
    kind: String,
    name: String,
    credit_code: String,
    sector: String,
) -> Result<(), AppError> {
    crate::with_actor!([Admin], |actor, st| {
        let input = service::UnitInput::parse(&kind, &name, &credit_code, &sector)?;
        let id = service::create(&st.db, &actor, input).await?;
        leptos_axum::redirect(&format!("/admin/units/{id}?saved=1"));
        Ok(())
    })
}

#[server(endpoint = "units/update")]
pub async fn update_unit(
    id: i64,
    kind: String,
    name: String,
    credit_code: String,
    sector: String,
) -> Result<(), AppError> {
    crate::with_actor!([Admin], |actor, st| {
        let input = service::UnitInput::parse(&kind, &name, &credit_code, &sector)?;
        service::update(&st.db, &actor, id, input).await?;
        leptos_axum::redirect(&format!("/admin/units/{id}?saved=1"));
        Ok(())
    })
}
