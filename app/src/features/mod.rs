//! One module per feature: shared types and server functions in `mod.rs`,
//! pages in `pages.rs`, server-only logic in `service.rs`.
pub mod alerts;
pub mod attendance;
pub mod audit;
pub mod auth;
pub mod awards;
pub mod changes;
pub mod compliance;
pub mod contractors;
pub mod county_map;
pub mod dashboards;
pub mod dossier;
#[cfg(feature = "ssr")]
pub mod engine;
pub mod evaluations;
pub mod filings;
pub mod home;
pub mod orders;
pub mod payments;
pub mod personnel;
pub mod progress;
pub mod shell;
pub mod units;
pub mod users;

#[cfg(feature = "ssr")]
pub use engine::{Evaluation, after_record_write, evaluate_rules, evaluate_rules_as_of};

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
        .merge(alerts::export::routes())
        .merge(orders::export::routes())
        .merge(orders::files::routes(upload_limit))
        .merge(changes::export::routes())
        .merge(payments::export::routes())
        .merge(progress::export::routes())
        .merge(personnel::export::routes())
        .merge(evaluations::export::routes())
        .merge(evaluations::files::routes(upload_limit))
        .merge(compliance::export::routes())
        .merge(crate::platform::records::routes(
            upload_limit,
            RECORDS,
            |st| Box::pin(after_record_write(st)),
        ))
        .merge(units::export::routes())
        .merge(users::export::routes())
        .merge(audit::export::routes())
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
    &alerts::TRAIL,
    &orders::TRAIL,
    &changes::TRAIL,
    &payments::TRAIL,
    &progress::TRAIL,
    &personnel::TRAIL,
    &evaluations::TRAIL,
    &crate::platform::records::TRAIL,
];

/// The process's kept values of `T` (`platform::derived`) that `keep`
/// selects, as of `as_of`, brought up to date through every feature's trail
/// vocabulary: how each feature reads its snapshot.
#[cfg(feature = "ssr")]
pub async fn kept<T: crate::platform::derived::PerProject>(
    db: &crate::platform::db::Db,
    as_of: chrono::NaiveDate,
    keep: impl Fn(i64, &T) -> bool,
) -> Result<
    (
        Vec<(i64, std::sync::Arc<T>)>,
        crate::platform::derived::Served,
    ),
    crate::error::AppError,
> {
    db.cache
        .derived
        .get::<crate::platform::derived::Snapshot<T>>()
        .select(db, TRAIL, as_of, keep)
        .await
}

/// Every column that points at a stored file (by its SHA-256): the sweep
/// removes only files none of these name. A feature that keeps files adds
/// its column here.
#[cfg(feature = "ssr")]
pub const FILE_REFERENCES: &[(&str, &str)] = &[
    ("attachments", "sha256"),
    ("record_files", "sha256"),
    ("checkins", "photo_sha256"),
];

/// Every kind of project record the record kit serves (files, submit, void).
#[cfg(feature = "ssr")]
pub const RECORDS: &[&crate::platform::records::RecordKind] = &[
    &changes::RECORD,
    &payments::RECORD,
    &progress::RECORD,
    &personnel::RECORD,
    &evaluations::RECORD,
];

/// Every alert rule the engine evaluates (each feature lists its own).
#[cfg(feature = "ssr")]
pub fn rules() -> Vec<&'static dyn crate::platform::rules::Rule> {
    awards::rules::RULES
        .iter()
        .chain(filings::rules::RULES)
        .chain(changes::rules::RULES)
        .chain(payments::rules::RULES)
        .chain(progress::rules::RULES)
        .chain(personnel::rules::RULES)
        .chain(evaluations::rules::RULES)
        .chain(attendance::rules::RULES)
        .copied()
        .collect()
}

/// Every rule as people see it (for the settings page and names).
#[cfg(feature = "ssr")]
pub fn rule_infos() -> Vec<&'static crate::platform::rules::RuleInfo> {
    rules().into_iter().map(|r| r.info()).collect()
}

/// The Chinese name of a rule's code ("预警" for none).
#[cfg(feature = "ssr")]
pub fn rule_name(code: &str) -> &'static str {
    rule_infos()
        .into_iter()
        .find(|i| i.code == code)
        .map(|i| i.name)
        .unwrap_or("预警")
}

/// The names of the rules behind a record's open alerts (codes from
/// `platform::records::open_flags`).
#[cfg(feature = "ssr")]
pub fn flag_names(codes: Option<&Vec<String>>) -> Vec<String> {
    codes
        .map(|c| c.iter().map(|code| rule_name(code).to_string()).collect())
        .unwrap_or_default()
}

/// The counts beside navigation entries for `actor`, by href: what waits
/// for them. A count that fails to load is left out (the page still works).
#[cfg(feature = "ssr")]
pub async fn nav_counts(
    db: &crate::platform::db::Db,
    actor: &crate::platform::actor::Actor,
) -> Vec<(String, i64)> {
    use crate::domain::Role;
    let mut out = Vec::new();
    if matches!(actor.role, Role::Owner | Role::Supervisor)
        && let Ok(n) = orders::service::waiting(db, actor).await
        && n > 0
    {
        out.push(("/orders".to_string(), n));
    }
    if let Ok(n) = evaluations::service::waiting(db, actor).await
        && n > 0
    {
        out.push(("/evaluations".to_string(), n));
    }
    out
}

/// Every feature's navigation entries (the shell sorts them by `order`).
pub const NAV: &[&[crate::kit::layout::NavItem]] = &[
    home::NAV,
    county_map::NAV,
    dashboards::NAV,
    compliance::NAV,
    attendance::NAV,
    alerts::NAV,
    orders::NAV,
    filings::NAV,
    changes::NAV,
    payments::NAV,
    progress::NAV,
    personnel::NAV,
    evaluations::NAV,
    contractors::NAV,
    awards::NAV,
    units::NAV,
    users::NAV,
    audit::NAV,
    auth::NAV,
];

/// The features' per-process state (background writers, caches), started on
/// the database.
#[cfg(feature = "ssr")]
pub fn state(
    db: &crate::platform::db::Db,
    settings: &crate::platform::settings::Settings,
) -> crate::platform::FeatureState {
    crate::platform::FeatureState::default()
        .with(attendance::desk::CheckinDesk::start(db.clone()))
        .with(engine::RuleRunner::start(db.clone(), settings.clone()))
        .with(auth::guard::LoginGuard::new(
            settings.login_attempts_per_minute,
        ))
        .with(attendance::guard::CheckinGuard::new(
            settings.checkin_attempts_per_minute,
        ))
}
