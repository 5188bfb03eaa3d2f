//! Server-side infrastructure shared by every feature: settings, the database,
//! the audit trail, sessions and the acting user. Compiled only with `ssr`.
pub mod actor;
pub mod audit;
pub mod cache;
pub mod db;
pub mod derived;
pub mod project;
pub mod records;
pub mod rules;
pub mod security;
pub mod session;
pub mod settings;
pub mod storage;
pub mod throttle;
pub mod time;
pub mod trail;
pub mod upload;

use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use std::sync::Arc;

/// Everything a request handler or server function needs. Leptos provides it
/// as context to every server function and page render. Shared behind one
/// `Arc`: axum clones the state for each middleware and extractor of every
/// request, and this makes each clone one count instead of a dozen (the
/// site options alone are a dozen shared strings). Measured on the check-in
/// benchmark it gains nothing beyond the noise (docs/benchmarks.md).
#[derive(Clone)]
pub struct AppState(Arc<AppParts>);

/// What [`AppState`] shares.
#[derive(Clone)]
pub struct AppParts {
    pub leptos_options: LeptosOptions,
    pub db: db::Db,
    pub settings: Arc<settings::Settings>,
    pub files: storage::FileStore,
    /// What features keep per process (the check-in writer, …), by type.
    pub features: FeatureState,
}

impl AppState {
    pub fn new(parts: AppParts) -> Self {
        Self(Arc::new(parts))
    }
}

impl std::ops::Deref for AppState {
    type Target = AppParts;
    fn deref(&self) -> &AppParts {
        &self.0
    }
}

/// What leptos_axum's routes and file handler take from the state.
impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

/// Per-process state that features own, keyed by its type, so that the
/// platform names no feature (`features::state` assembles it at start-up).
#[derive(Clone, Default)]
pub struct FeatureState(Arc<axum::http::Extensions>);

impl FeatureState {
    pub fn with<T: Clone + Send + Sync + 'static>(mut self, value: T) -> Self {
        Arc::make_mut(&mut self.0).insert(value);
        self
    }

    /// The feature's state; `Internal` if it was never put in (a wiring bug).
    pub fn get<T: Send + Sync + 'static>(&self) -> Result<&T, crate::error::AppError> {
        self.0.get::<T>().ok_or_else(|| {
            tracing::error!(state = std::any::type_name::<T>(), "feature state missing");
            crate::error::AppError::Internal
        })
    }

    /// The feature's state if it was put in (state that is optional, such as
    /// the background rule runner, which tests may leave out).
    pub fn find<T: Send + Sync + 'static>(&self) -> Option<&T> {
        self.0.get::<T>()
    }
}

/// The state inside a server function.
pub fn state() -> Result<AppState, crate::error::AppError> {
    leptos::prelude::use_context::<AppState>().ok_or_else(|| {
        tracing::error!("AppState missing from context");
        crate::error::AppError::Internal
    })
}
