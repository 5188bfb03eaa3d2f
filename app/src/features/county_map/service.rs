//! The map's answer: the projects in scope with their site, light, figures
//! and open alerts and orders. The sites and the works come from the
//! process's kept snapshots (`sites`, the progress rules' `works`); the
//! database is asked only for the open counts, the unit names and the rule
//! settings, whatever the scale.
use super::{CountyMap, MapProject, sites::sites_in};
use crate::{
    domain::Role,
    error::AppError,
    features::progress::rules::{Works, works_kept},
    platform::{actor::Actor, db::Db, project::ScopeBinds, settings::Settings},
};
use chrono::NaiveDate;
use std::{
    collections::{BTreeSet, HashMap, HashSet},
    sync::Arc,
};

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
) -> Result<(CountyMap, HashMap<i64, Arc<Works>>), AppError> {
    actor.require(&[Role::Admin, Role::Supervisor, Role::Owner])?;
    let s = ScopeBinds::of(actor);
    let sites = sites_in(db, as_of, &s).await?;
    let filings: HashSet<i64> = sites.iter().map(|m| m.filing_id).collect();
    let works: HashMap<i64, Arc<Works>> = works_kept(db, as_of, |id| filings.contains(&id))
        .await?
        .0
        .into_iter()
        .map(|w| (w.filing_id, w))
        .collect();
    // A province-wide map counts everything; a scoped one only its own.
    let whole = s.mode == "all";
    let alerts = open_counts(
        db,
        "SELECT filing_id, COUNT(*) FROM alerts WHERE cleared_on IS NULL AND filing_id IS NOT NULL",
        "filing_id",
        (!whole).then_some(&filings),
    )
    .await?;
    let awards: HashSet<i64> = sites.iter().map(|m| m.award_id).collect();
    let orders = open_counts(
        db,
        "SELECT award_id, COUNT(*) FROM supervision_orders WHERE status <> 'closed' AND award_id IS NOT NULL",
        "award_id",
        (!whole).then_some(&awards),
    )
    .await?;
    let settings =
        crate::platform::rules::effective(db, base, &crate::features::rule_infos()).await?;
    let (yellow, red) = (
        settings.progress.behind_yellow_pts,
        settings.progress.behind_red_pts,
    );
    let ids: BTreeSet<i64> = sites.iter().flat_map(|m| [m.owner, m.contractor]).collect();
    let mut projects = Vec::with_capacity(sites.len());
    for m in &sites {
        let Some(w) = works.get(&m.filing_id) else {
            continue;
        };
        let (light, why) = w.light(as_of, yellow, red);
        projects.push(MapProject {
            filing_id: m.filing_id,
            name: m.name.clone(),
            site: m.site(),
            light,
            why,
            sector: m.sector.clone(),
            town: m.town.clone(),
            owner: m.owner,
            contractor: m.contractor,
            revised_fen: w.revised_fen,
            completion: w.revised_completion.map(|d| d.to_string()),
            percent: w.latest().map(|m| m.percent),
            alerts: alerts.get(&m.filing_id).copied().unwrap_or(0),
            orders: orders.get(&m.award_id).copied().unwrap_or(0),
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

/// Open alerts or orders counted per `key` (one grouped statement over the
/// partial or small table), limited to the keys `only` when given.
async fn open_counts(
    db: &Db,
    select: &str,
    key: &str,
    only: Option<&HashSet<i64>>,
) -> Result<HashMap<i64, i64>, AppError> {
    let within = match only {
        None => String::new(),
        Some(ids) if ids.is_empty() => return Ok(HashMap::new()),
        // The ids are integers from our own rows, never from the request.
        Some(ids) => format!(
            " AND {key} IN ({})",
            ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
        ),
    };
    let rows: Vec<(i64, i64)> = sqlx::query_as(&format!("{select}{within} GROUP BY {key}"))
        .fetch_all(&db.pool)
        .await?;
    Ok(rows.into_iter().collect())
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
