//! In-process caches for the two lookups nearly every request makes: its
//! session and its user. Changes made through this process invalidate them at
//! once; entries also expire after [`TTL`], which bounds how long a change made
//! by another server process on the same PostgreSQL database takes to show.
use super::actor::Actor;
use moka::sync::Cache;
use std::time::Duration;
use tower_sessions::session::Record;

pub const TTL: Duration = Duration::from_secs(60);

/// A session as last seen, with the expiry last written to the database.
#[derive(Debug, Clone)]
pub struct CachedSession {
    pub record: Record,
    pub user_id: Option<i64>,
    /// `record.data` as stored, to tell a real change from a renewal.
    pub data_json: String,
    pub stored_expiry_ms: i64,
}

#[derive(Clone)]
pub struct Caches {
    pub sessions: Cache<String, CachedSession>,
    /// Active users with their unit, without request facts.
    pub actors: Cache<i64, Actor>,
    /// Views derived from many records (one per type), which keep themselves
    /// true by following the trail (`audit::follow`).
    pub derived: std::sync::Arc<Derived>,
}

/// One value per type, made on first use: a feature keeps its derived view
/// here without the platform knowing its type.
#[derive(Default)]
pub struct Derived(
    std::sync::Mutex<
        std::collections::HashMap<
            std::any::TypeId,
            std::sync::Arc<dyn std::any::Any + Send + Sync>,
        >,
    >,
);

impl Derived {
    pub fn get<T: Default + Send + Sync + 'static>(&self) -> std::sync::Arc<T> {
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let v = map
            .entry(std::any::TypeId::of::<T>())
            .or_insert_with(|| std::sync::Arc::new(T::default()))
            .clone();
        // The entry under T's TypeId was made as a T.
        v.downcast::<T>().unwrap_or_else(|_| unreachable!())
    }

    /// Drops every derived value (after writes that bypassed the trail:
    /// the demo's backdating); each is made again on its next use.
    pub fn clear(&self) {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }
}

impl std::fmt::Debug for Caches {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Caches")
            .field("sessions", &self.sessions.entry_count())
            .field("actors", &self.actors.entry_count())
            .finish()
    }
}

impl Default for Caches {
    fn default() -> Self {
        Self {
            sessions: Cache::builder()
                .max_capacity(200_000)
                .time_to_live(TTL)
                .support_invalidation_closures()
                .build(),
            actors: Cache::builder()
                .max_capacity(200_000)
                .time_to_live(TTL)
                .build(),
            derived: Default::default(),
        }
    }
}

impl Caches {
    /// After a user's account changed (role, unit, password, disabled): their
    /// sessions and user record are read from the database again.
    pub fn forget_user(&self, user_id: i64) {
        self.actors.invalidate(&user_id);
        // Only fails when closures were not enabled at build time (they are).
        let _ = self
            .sessions
            .invalidate_entries_if(move |_, s| s.user_id == Some(user_id));
    }

    /// After a unit changed (name, kind, sector): every cached user is reloaded.
    pub fn forget_actors(&self) {
        self.actors.invalidate_all();
    }

    /// When changes may have been missed (another process's notices lost).
    pub fn forget_everything(&self) {
        self.actors.invalidate_all();
        self.sessions.invalidate_all();
    }
}
