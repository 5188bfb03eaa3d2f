//! The lead key personnel (项目经理, 总监) of every submitted filing, with
//! what the attendance views group them by: a province's 10,000 projects
//! hold 20,000 of them, read once per process and then kept true from the
//! trail (`platform::derived`), as the works are. Roster writes are the
//! filing's trail entries (`roster_add`, `roster_remove`) and the personnel
//! changes' (`apply` dates the roster); an award's correction may move its
//! owner or sector.
use super::member_days;
use crate::{
    error::AppError,
    platform::{db::Db, derived::PerProject, project::ScopeBinds},
};
use chrono::NaiveDate;
use sqlx::Row;
use std::collections::BTreeMap;

/// A lead on one filing's roster.
#[derive(Debug, Clone, PartialEq)]
pub struct Lead {
    pub user_id: i64,
    pub name: String,
    /// `pm` or `chief_supervisor`.
    pub role: String,
    pub joined: NaiveDate,
    pub left: Option<NaiveDate>,
}

impl Lead {
    pub fn is_pm(&self) -> bool {
        self.role == "pm"
    }
}

/// One submitted filing's leads (in roster order) and what they are
/// grouped by.
#[derive(Debug, Clone, PartialEq)]
pub struct FilingLeads {
    pub filing_id: i64,
    pub project_name: String,
    pub supervision: bool,
    pub sector: String,
    pub owner: i64,
    pub contractor: Option<i64>,
    pub supervisor_engineer: Option<i64>,
    pub leads: Vec<Lead>,
}

impl FilingLeads {
    /// The project core's scope (`project::scope_sql`), in memory.
    pub fn in_scope(&self, s: &ScopeBinds) -> bool {
        s.admits(self.owner, self.contractor, &self.sector)
    }
}

impl PerProject for FilingLeads {
    const ENTITIES: &'static [&'static str] = &["filing", "award", "personnel_change"];

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
        let mut out: BTreeMap<i64, FilingLeads> = BTreeMap::new();
        for r in sqlx::query(&format!(
            "SELECT m.filing_id, m.user_id, m.name, m.role, m.created_at, m.joined_on, m.left_on,
                    a.project_name, a.section_kind, a.sector, a.owner_unit_id,
                    a.contractor_unit_id, f.supervisor_engineer_unit_id
             FROM roster_members m JOIN filings f ON f.id = m.filing_id JOIN awards a ON a.id = f.award_id
             WHERE f.status = 'submitted' AND m.role IN ('pm', 'chief_supervisor') AND {one}
             ORDER BY m.filing_id, m.id"
        ))
        .bind(filing_id)
        .fetch_all(&db.pool)
        .await?
        {
            let id: i64 = r.try_get("filing_id")?;
            let (joined, left) = member_days(&r)?;
            let lead = Lead {
                user_id: r.try_get("user_id")?,
                name: r.try_get("name")?,
                role: r.try_get("role")?,
                joined,
                left,
            };
            match out.get_mut(&id) {
                Some(f) => f.leads.push(lead),
                None => {
                    out.insert(
                        id,
                        FilingLeads {
                            filing_id: id,
                            project_name: r.try_get("project_name")?,
                            supervision: r.try_get::<String, _>("section_kind")? == "supervision",
                            sector: r.try_get("sector")?,
                            owner: r.try_get("owner_unit_id")?,
                            contractor: r.try_get("contractor_unit_id")?,
                            supervisor_engineer: r.try_get("supervisor_engineer_unit_id")?,
                            leads: vec![lead],
                        },
                    );
                }
            }
        }
        Ok(out.into_iter().collect())
    }
}

/// The leads of the submitted filings in `scope`, from the process's
/// snapshot.
pub async fn leads_in(
    db: &Db,
    as_of: NaiveDate,
    scope: &ScopeBinds,
) -> Result<Vec<std::sync::Arc<FilingLeads>>, AppError> {
    let (leads, _) =
        crate::features::kept(db, as_of, |_, f: &FilingLeads| f.in_scope(scope)).await?;
    Ok(leads.into_iter().map(|(_, f)| f).collect())
}

/// [`leads_in`] read afresh (what the snapshot must equal).
pub async fn leads_recomputed(db: &Db) -> Result<Vec<FilingLeads>, AppError> {
    Ok(FilingLeads::read(db, crate::platform::time::today(), 0)
        .await?
        .into_iter()
        .map(|(_, f)| f)
        .collect())
}
