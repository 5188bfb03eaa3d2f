//! Server-side infrastructure shared by every feature: settings, the database,
//! the audit trail, sessions and the acting user. Compiled only with `ssr`.
pub mod actor;
pub mod audit;
pub mod cache;
pub mod db;
pub mod session;
pub mod settings;
pub mod storage;
pub mod time;
pub mod upload;

use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use std::sync::Arc;

/// Everything a request handler or server function needs. Leptos provides it
/// as context to every server function and page render.
#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: db::Db,
    pub settings: Arc<settings::Settings>,
    pub files: storage::FileStore,
    /// The check-in writer and area cache (one per process).
    pub checkins: crate::features::attendance::desk::CheckinDesk,
}

/// The state inside a server function.
pub fn state() -> Result<AppState, crate::error::AppError> {
    leptos::prelude::use_context::<AppState>().ok_or_else(|| {
        tracing::error!("AppState missing from context");
        crate::error::AppError::Internal
    })
}
