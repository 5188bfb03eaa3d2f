//! Figures derived per project from many records (every project's works,
//! its payments), kept in memory per process and brought up to date from
//! the trail (`audit::follow`): a province's 10,000 projects are read once
//! a day, then only the projects whose records were written since. Each
//! trail entry names its project through the entity's declared read rule
//! (`trail::ReadRule::projects`), so a new kind of record needs no code
//! here. A new day, or more than [`PATCH_LIMIT`] entries since, reads
//! everything again; two servers on one database each follow the trail.
use super::{
    audit::follow,
    db::Db,
    trail::{self, TrailSpec},
};
use crate::error::AppError;
use chrono::NaiveDate;
use std::{
    collections::{BTreeMap, BTreeSet},
    future::Future,
    sync::Arc,
};

/// More entries than this since the snapshot: read everything again.
pub const PATCH_LIMIT: usize = 300;

/// A value per project, derived from its records as of a day.
pub trait PerProject: Clone + Send + Sync + Sized + 'static {
    /// The trail's entity codes whose entries may change it.
    const ENTITIES: &'static [&'static str];
    /// Every project's value (`filing_id` 0) or one project's, as of `as_of`,
    /// by filing id; a project without one is left out.
    fn read(
        db: &Db,
        as_of: NaiveDate,
        filing_id: i64,
    ) -> impl Future<Output = Result<Vec<(i64, Self)>, AppError>> + Send;
}

/// One process's copy of every project's `T` (kept in `Caches::derived`).
pub struct Snapshot<T>(tokio::sync::Mutex<Option<Snap<T>>>);

impl<T> Default for Snapshot<T> {
    fn default() -> Self {
        Self(tokio::sync::Mutex::new(None))
    }
}

struct Snap<T> {
    as_of: NaiveDate,
    /// The last trail entry about `T::ENTITIES` the values reflect.
    seq: i64,
    /// Shared with the readers: a read copies pointers, not values.
    values: BTreeMap<i64, Arc<T>>,
}

/// How a read was answered (for the tests and the benchmark).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Served {
    Kept,
    /// Re-read this many projects.
    Patched(usize),
    Rebuilt,
}

impl<T: PerProject> Snapshot<T> {
    /// The values `keep` selects (by project and value; only what is kept
    /// is copied out), in filing order, as of `as_of`: what
    /// `T::read(db, as_of, 0)` would return now.
    pub async fn select(
        &self,
        db: &Db,
        specs: &[&TrailSpec],
        as_of: NaiveDate,
        keep: impl Fn(i64, &T) -> bool,
    ) -> Result<(Vec<(i64, Arc<T>)>, Served), AppError> {
        let mut guard = self.0.lock().await;
        // The version is read before the data: a write that lands in between
        // is read again next time, never missed.
        let seq = follow::last_seq(db, T::ENTITIES).await?;
        let served = match guard.as_mut() {
            Some(s) if s.as_of == as_of && s.seq == seq => Served::Kept,
            Some(s) if s.as_of == as_of => {
                match follow::touched_since(db, T::ENTITIES, s.seq, seq, PATCH_LIMIT).await? {
                    Some(entries) => {
                        let ids = projects_of(db, specs, &entries).await?;
                        for id in &ids {
                            s.values.remove(id);
                            s.values.extend(
                                T::read(db, as_of, *id)
                                    .await?
                                    .into_iter()
                                    .map(|(id, v)| (id, Arc::new(v))),
                            );
                        }
                        s.seq = seq;
                        Served::Patched(ids.len())
                    }
                    None => Served::Rebuilt,
                }
            }
            _ => Served::Rebuilt,
        };
        if served == Served::Rebuilt {
            let values = T::read(db, as_of, 0)
                .await?
                .into_iter()
                .map(|(id, v)| (id, Arc::new(v)))
                .collect();
            *guard = Some(Snap { as_of, seq, values });
        }
        let snap = guard.as_ref().ok_or(AppError::Internal)?;
        let out = snap
            .values
            .iter()
            .filter(|(id, v)| keep(**id, v))
            .map(|(id, v)| (*id, Arc::clone(v)))
            .collect();
        Ok((out, served))
    }
}

/// The projects the entries are about (an entry about a record that no
/// longer exists, a deleted draft, concerns none).
async fn projects_of(
    db: &Db,
    specs: &[&TrailSpec],
    entries: &[(String, String)],
) -> Result<BTreeSet<i64>, AppError> {
    let mut out = BTreeSet::new();
    for (code, id) in entries {
        let (Some(entity), Ok(id)) = (trail::entity(specs, code), id.parse::<i64>()) else {
            continue;
        };
        out.extend(entity.read.projects(db, id).await?);
    }
    Ok(out)
}
