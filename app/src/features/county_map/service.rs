//! The map's answer: the projects in scope with their site, light, figures
//! and open alerts and orders, in four statements whatever the scale (the
//! scoped list with grouped counts, the progress rules' `works`, the
//! unit names, the rule settings).
use super::{CountyMap, MapProject};
use crate::{
    domain::{Role, place::town_of},
    error::AppError,
    features::progress::rules::{Works, works_in},
    platform::{
        actor::Actor,
        db::Db,
        project::{ScopeBinds, scope_sql},
        settings::Settings,
    },
};
use chrono::NaiveDate;
use std::collections::{BTreeSet, HashMap};

#[derive(sqlx::FromRow)]
struct Row {
    filing_id: i64,
    name: String,
    sector: String,
    owner: i64,
    contractor: i64,
    site_lat: Option<f64>,
    site_lng: Option<f64>,
    address: Option<String>,
    alerts: i64,
    orders: i64,
}

/// Every filed construction project in the actor's scope, lit as of `as_of`
/// with the thresholds in force (the administrator's rule settings).
pub async fn county_map(
    db: &Db,
    actor: &Actor,
    base: &Settings,
    as_of: NaiveDate,
) -> Result<CountyMap, AppError> {
    Ok(county_map_with_works(db, actor, base, as_of).await?.0)
}

/// [`county_map`] and the projects' works it was lit from, by filing id
/// (the progress board reads both; reading them twice cost a province half
/// a second).
pub async fn county_map_with_works(
    db: &Db,
    actor: &Actor,
    base: &Settings,
    as_of: NaiveDate,
) -> Result<(CountyMap, HashMap<i64, std::sync::Arc<Works>>), AppError> {
    actor.require(&[Role::Admin, Role::Supervisor, Role::Owner])?;
    let s = ScopeBinds::of(actor);
    // Supervision sections share their project's site: one point per works.
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT f.id AS filing_id, a.project_name || ' · ' || a.section_name AS name, a.sector,
                a.owner_unit_id AS owner, a.contractor_unit_id AS contractor, p.site_lat, p.site_lng, p.address,
                COALESCE(x.n, 0) AS alerts, COALESCE(o.n, 0) AS orders
         FROM filings f JOIN awards a ON a.id = f.award_id
         LEFT JOIN progress p ON p.filing_id = f.id
         LEFT JOIN (SELECT filing_id, COUNT(*) AS n FROM alerts WHERE cleared_on IS NULL GROUP BY filing_id) x
           ON x.filing_id = f.id
         LEFT JOIN (SELECT award_id, COUNT(*) AS n FROM supervision_orders WHERE status <> 'closed' GROUP BY award_id) o
           ON o.award_id = a.id
         WHERE f.status = 'submitted' AND a.section_kind <> 'supervision' AND {}
         ORDER BY f.id",
        scope_sql(1)
    ))
    .bind(s.mode)
    .bind(s.unit)
    .bind(&s.sector)
    .fetch_all(&db.pool)
    .await?;
    let settings =
        crate::platform::rules::effective(db, base, &crate::features::rule_infos()).await?;
    let (yellow, red) = (
        settings.progress.behind_yellow_pts,
        settings.progress.behind_red_pts,
    );
    let works: HashMap<i64, std::sync::Arc<Works>> = works_in(db, as_of, &s)
        .await?
        .into_iter()
        .map(|w| (w.filing_id, w))
        .collect();
    let ids: BTreeSet<i64> = rows.iter().flat_map(|r| [r.owner, r.contractor]).collect();
    let mut projects = Vec::with_capacity(rows.len());
    for r in rows {
        let Some(w) = works.get(&r.filing_id) else {
            continue;
        };
        let (light, why) = w.light(as_of, yellow, red);
        projects.push(MapProject {
            filing_id: r.filing_id,
            name: r.name,
            site: r.site_lat.zip(r.site_lng),
            light,
            why,
            sector: r.sector,
            town: r.address.as_deref().and_then(town_of),
            owner: r.owner,
            contractor: r.contractor,
            revised_fen: w.revised_fen,
            completion: w.revised_completion.map(|d| d.to_string()),
            percent: w.latest().map(|m| m.percent),
            alerts: r.alerts,
            orders: r.orders,
        });
    }
    let map = CountyMap {
        projects,
        units: unit_names(db, &ids).await?,
        as_of: as_of.to_string(),
        tile_url: settings.tile_url.clone(),
        tile_datum: settings.tile_datum.clone(),
    };
    Ok((map, works))
}

/// Names of the units `ids` (one statement).
pub(crate) async fn unit_names(
    db: &Db,
    ids: &BTreeSet<i64>,
) -> Result<Vec<(i64, String)>, AppError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    // The ids are integers from our own rows, never from the request.
    Ok(sqlx::query_as(&format!(
        "SELECT id, name FROM units WHERE id IN ({list}) ORDER BY name"
    ))
    .fetch_all(&db.pool)
    .await?)
}
