//! The server: configuration, the axum app, demo data. `main.rs` is the CLI.
pub mod backup;
pub mod config;
pub mod demo;
pub mod demo_county;
pub mod demo_evaluations;
pub mod demo_history;
pub mod demo_orders;
pub mod demo_progress;
pub mod demo_supervision;
pub mod http;
pub mod sweep;

use app::platform::{
    AppParts, AppState, audit::TrailKey, db::Db, settings::Settings, storage::FileStore,
};
use leptos::config::LeptosOptions;
use std::{net::SocketAddr, sync::Arc};

/// Leptos options from the environment, with defaults that let the binary run
/// from the repository root after a build (site files under `target/site`).
pub fn leptos_options(addr: SocketAddr) -> LeptosOptions {
    let site_root = std::env::var("LEPTOS_SITE_ROOT").unwrap_or_else(|_| "target/site".into());
    LeptosOptions::builder()
        .output_name("bhly")
        .site_root(site_root)
        .site_pkg_dir("pkg")
        .site_addr(addr)
        .build()
}

/// The trail key named by the settings (created at the first start).
pub fn trail_key(settings: &Settings) -> Result<TrailKey, sqlx::Error> {
    TrailKey::load_or_create(&settings.trail_key_file)
        .map_err(|e| sqlx::Error::Configuration(e.into()))
}

/// Connects (and migrates) the database with the settings' trail key.
pub async fn connect(settings: &Settings) -> Result<Db, sqlx::Error> {
    Db::connect(&settings.database_url, trail_key(settings)?).await
}

/// Connects (and migrates) the database and assembles the state.
pub async fn state(settings: Settings, addr: SocketAddr) -> Result<AppState, sqlx::Error> {
    let db = connect(&settings).await?;
    // Rows kept from before two-factor secrets were sealed.
    match app::features::auth::two_factor::seal_stored_secrets(&db).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(n, "sealed stored two-factor secrets"),
        Err(e) => tracing::error!(error = ?e, "two-factor secrets not sealed"),
    }
    let files =
        FileStore::from_settings(&settings).map_err(|e| sqlx::Error::Configuration(e.into()))?;
    Ok(AppState::new(AppParts {
        leptos_options: leptos_options(addr),
        features: app::features::state(&db, &settings),
        db,
        files,
        settings: Arc::new(settings),
    }))
}
