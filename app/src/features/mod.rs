//! One module per feature: shared types and server functions in `mod.rs`,
//! pages in `pages.rs`, server-only logic in `service.rs`.
pub mod attendance;
pub mod audit;
pub mod auth;
pub mod awards;
pub mod filings;
pub mod home;
pub mod shell;
pub mod units;
pub mod users;

/// Every feature's plain axum routes (uploads, downloads, the push API,
/// Excel exports). A new feature adds its router here, beside its module.
#[cfg(feature = "ssr")]
pub fn routes(upload_limit: usize) -> axum::Router<crate::platform::AppState> {
    axum::Router::new()
        .merge(awards::api::routes(upload_limit))
        .merge(awards::export::routes())
        .merge(filings::files::routes(upload_limit))
        .merge(filings::export::routes())
        .merge(attendance::photos::routes(upload_limit))
        .merge(attendance::export::routes())
        .merge(units::export::routes())
        .merge(users::export::routes())
}

/// Every feature's trail vocabulary (entities, read rules, labels), read by
/// the audit feature's history and trail views. A new feature adds its own.
#[cfg(feature = "ssr")]
pub const TRAIL: &[&crate::platform::trail::TrailSpec] = &[
    &audit::TRAIL,
    &auth::TRAIL,
    &units::TRAIL,
    &users::TRAIL,
    &awards::TRAIL,
    &filings::TRAIL,
    &attendance::TRAIL,
];

/// Every feature's navigation entries (the shell sorts them by `order`).
pub const NAV: &[&[crate::kit::layout::NavItem]] = &[
    home::NAV,
    attendance::NAV,
    filings::NAV,
    awards::NAV,
    units::NAV,
    users::NAV,
    audit::NAV,
    auth::NAV,
];

/// The features' per-process state (background writers, caches), started on
/// the database.
#[cfg(feature = "ssr")]
pub fn state(db: &crate::platform::db::Db) -> crate::platform::FeatureState {
    crate::platform::FeatureState::default().with(attendance::desk::CheckinDesk::start(db.clone()))
}
