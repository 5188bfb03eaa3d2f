//! Units (单位): the resource office, sector authorities, owner units and
//! contractors. Managed by administrators.
mod pages;
#[cfg(feature = "ssr")]
pub mod service;

pub use pages::{UnitEditPage, UnitNewPage, UnitsPage};

use crate::{domain::UnitKind, error::AppError, kit::table::Page};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

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
    use crate::{
        domain::Role,
        platform::{actor, state},
    };
    actor::respond(async move {
        let actor = actor::require_role(&[Role::Admin]).await?;
        service::list(&state()?.db, &actor, &q, &kind, page).await
    })
    .await
}

#[server(endpoint = "units/get")]
pub async fn get_unit(id: i64) -> Result<Unit, AppError> {
    use crate::{
        domain::Role,
        platform::{actor, state},
    };
    actor::respond(async move {
        let actor = actor::require_role(&[Role::Admin]).await?;
        service::get(&state()?.db, &actor, id).await
    })
    .await
}

#[server(endpoint = "units/options")]
pub async fn unit_options() -> Result<Vec<UnitOption>, AppError> {
    use crate::{
        domain::Role,
        platform::{actor, state},
    };
    actor::respond(async move {
        actor::require_role(&[Role::Admin]).await?;
        service::options(&state()?.db).await
    })
    .await
}

#[server(endpoint = "units/create")]
pub async fn create_unit(
    kind: String,
    name: String,
    credit_code: String,
    sector: String,
) -> Result<(), AppError> {
    use crate::{
        domain::Role,
        platform::{actor, state},
    };
    actor::respond(async move {
        let actor = actor::require_role(&[Role::Admin]).await?;
        let input = service::UnitInput::parse(&kind, &name, &credit_code, &sector)?;
        let id = service::create(&state()?.db, &actor, input).await?;
        leptos_axum::redirect(&format!("/admin/units/{id}?saved=1"));
        Ok(())
    })
    .await
}

#[server(endpoint = "units/update")]
pub async fn update_unit(
    id: i64,
    kind: String,
    name: String,
    credit_code: String,
    sector: String,
) -> Result<(), AppError> {
    use crate::{
        domain::Role,
        platform::{actor, state},
    };
    actor::respond(async move {
        let actor = actor::require_role(&[Role::Admin]).await?;
        let input = service::UnitInput::parse(&kind, &name, &credit_code, &sector)?;
        service::update(&state()?.db, &actor, id, input).await?;
        leptos_axum::redirect(&format!("/admin/units/{id}?saved=1"));
        Ok(())
    })
    .await
}
