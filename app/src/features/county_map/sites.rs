//! What the map shows of each project that changes only with its filing,
//! award and site record (name, sector, units, the site's point and town),
//! kept per process and brought up to date from the trail
//! (`platform::derived`), as the works are. Reading it for a province's
//! 10,000 projects was most of the map's time on SQLite (the joined
//! statement, 35–42 ms); a kept copy is filtered in memory.
use crate::{
    domain::place::town_of,
    error::AppError,
    platform::{db::Db, derived::PerProject, project::ScopeBinds},
};
use chrono::NaiveDate;
use std::sync::Arc;

/// One filed construction project's place on the map.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct MapSite {
    pub filing_id: i64,
    pub award_id: i64,
    /// 项目名称 · 标段名称.
    pub name: String,
    pub sector: String,
    pub owner: i64,
    pub contractor: i64,
    pub site_lat: Option<f64>,
    pub site_lng: Option<f64>,
    /// The town (乡镇/街道) named in the site's address (filled after reading).
    #[sqlx(default)]
    pub town: Option<String>,
    #[sqlx(default)]
    address: Option<String>,
}

impl MapSite {
    pub fn site(&self) -> Option<(f64, f64)> {
        self.site_lat.zip(self.site_lng)
    }
}

impl PerProject for MapSite {
    /// The filing (its status), its award (names, units, sector), its site.
    const ENTITIES: &'static [&'static str] = &["filing", "award", "progress"];

    async fn read(
        db: &Db,
        _as_of: NaiveDate,
        filing_id: i64,
    ) -> Result<Vec<(i64, Self)>, AppError> {
        // One project's filter spelt out (an index is not used for `$1 = 0 OR …`).
        let one = if filing_id == 0 {
            "$1 = 0"
        } else {
            "f.id = $1"
        };
        // Supervision sections share their project's site: one point per works.
        let rows: Vec<MapSite> = sqlx::query_as(&format!(
            "SELECT f.id AS filing_id, a.id AS award_id,
                    a.project_name || ' · ' || a.section_name AS name, a.sector,
                    a.owner_unit_id AS owner, a.contractor_unit_id AS contractor,
                    p.site_lat, p.site_lng, p.address
             FROM filings f JOIN awards a ON a.id = f.award_id
             LEFT JOIN progress p ON p.filing_id = f.id
             WHERE f.status = 'submitted' AND a.section_kind <> 'supervision' AND {one}
             ORDER BY f.id"
        ))
        .bind(filing_id)
        .fetch_all(&db.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|mut r| {
                // Only the town is kept: the address itself is not shown.
                r.town = r.address.take().as_deref().and_then(town_of);
                (r.filing_id, r)
            })
            .collect())
    }
}

/// The map's rows of the projects in `scope`, in filing order, from the
/// process's snapshot.
pub async fn sites_in(
    db: &Db,
    as_of: NaiveDate,
    scope: &ScopeBinds,
) -> Result<Vec<Arc<MapSite>>, AppError> {
    let (sites, _) = crate::features::kept(db, as_of, |_, m: &MapSite| {
        scope.admits(m.owner, Some(m.contractor), &m.sector)
    })
    .await?;
    Ok(sites.into_iter().map(|(_, m)| m).collect())
}

/// [`sites_in`] for every project, read afresh (what the snapshot must equal).
pub async fn sites_recomputed(db: &Db) -> Result<Vec<MapSite>, AppError> {
    Ok(MapSite::read(db, crate::platform::time::today(), 0)
        .await?
        .into_iter()
        .map(|(_, m)| m)
        .collect())
}
