//! The contractor's record, read within the viewer's scope: a sector
//! authority sees the contractor's projects of its sector, the resource
//! office all, the contractor its own (and no other company's).
use super::{
    ContractorProject, ContractorRecord, ContractorRow, OrderRow, PersonAttendance, ReplacementRow,
};
use crate::{
    domain::{Role, UnitKind, evaluation::Grade},
    error::AppError,
    features::{attendance::service::rates, evaluations},
    platform::{
        actor::Actor,
        db::{Db, like_pattern},
        project::{ScopeBinds, scope_sql},
        time::today,
    },
};

/// Contractors with projects in the actor's scope, with their figures.
pub async fn list(db: &Db, actor: &Actor, q: &str) -> Result<Vec<ContractorRow>, AppError> {
    actor.require(&[Role::Admin, Role::Supervisor, Role::Contractor])?;
    let s = ScopeBinds::of(actor);
    Ok(sqlx::query_as(&format!(
        "SELECT c.id AS unit_id, c.name,
            COUNT(DISTINCT f.id) AS projects,
            (SELECT COUNT(*) FROM evaluations e JOIN filings f2 ON f2.id = e.filing_id JOIN awards a ON a.id = f2.award_id
              WHERE a.contractor_unit_id = c.id AND e.status = 'submitted' AND {s2}) AS evaluations,
            (SELECT AVG(CAST(e.total AS DOUBLE PRECISION)) FROM evaluations e JOIN filings f2 ON f2.id = e.filing_id
              JOIN awards a ON a.id = f2.award_id
              WHERE a.contractor_unit_id = c.id AND e.status = 'submitted' AND {s2}) AS average,
            (SELECT COUNT(*) FROM evaluations e JOIN filings f2 ON f2.id = e.filing_id JOIN awards a ON a.id = f2.award_id
              WHERE a.contractor_unit_id = c.id AND e.status = 'submitted' AND e.grade = 'fail' AND {s2}) AS fails,
            (SELECT COUNT(*) FROM personnel_changes p JOIN filings f2 ON f2.id = p.filing_id JOIN awards a ON a.id = f2.award_id
              WHERE a.contractor_unit_id = c.id AND p.status = 'submitted' AND {s2}) AS replacements,
            (SELECT CAST(COALESCE(SUM(p.fine_fen), 0) AS BIGINT) FROM personnel_changes p JOIN filings f2 ON f2.id = p.filing_id
              JOIN awards a ON a.id = f2.award_id
              WHERE a.contractor_unit_id = c.id AND p.status = 'submitted' AND {s2}) AS fines_fen,
            (SELECT COUNT(*) FROM supervision_orders o JOIN awards a ON a.id = o.award_id
              WHERE a.contractor_unit_id = c.id AND o.status <> 'closed' AND {s2}) AS open_orders
         FROM units c JOIN awards a ON a.contractor_unit_id = c.id JOIN filings f ON f.award_id = a.id
         WHERE f.status = 'submitted' AND {s1} AND ($4 = '' OR c.name LIKE $4 ESCAPE '\\')
         GROUP BY c.id, c.name ORDER BY c.name",
        s1 = scope_sql(1),
        s2 = scope_sql(1),
    ))
    .bind(s.mode)
    .bind(s.unit)
    .bind(&s.sector)
    .bind(like_pattern(q))
    .fetch_all(&db.pool)
    .await?)
}

/// A contractor's record (`id` 0: the contractor user's own).
pub async fn get(db: &Db, actor: &Actor, id: i64) -> Result<ContractorRecord, AppError> {
    actor.require(&[Role::Admin, Role::Supervisor, Role::Contractor])?;
    let id = if id == 0 && actor.role == Role::Contractor {
        actor.unit_id
    } else {
        id
    };
    if actor.role == Role::Contractor && id != actor.unit_id {
        return Err(AppError::Forbidden);
    }
    let (name, credit_code, kind): (String, String, String) =
        sqlx::query_as("SELECT name, credit_code, kind FROM units WHERE id = $1")
            .bind(id)
            .fetch_optional(&db.pool)
            .await?
            .ok_or(AppError::NotFound)?;
    if !matches!(
        UnitKind::parse(&kind),
        Ok(UnitKind::Contractor | UnitKind::SupervisorEngineer)
    ) {
        return Err(AppError::NotFound);
    }
    let s = ScopeBinds::of(actor);
    let scoped = |sql: &str| sql.replace("{scope}", &scope_sql(1));
    let projects: Vec<ContractorProject> = sqlx::query_as(&scoped(
        "SELECT f.id AS filing_id, a.project_name || ' · ' || a.section_name AS project, o.name AS owner_name,
                a.sector, COALESCE(f.contract_price_fen, 0) AS contract_price_fen, f.signed_on,
                (SELECT e.grade FROM evaluations e WHERE e.filing_id = f.id AND e.status = 'submitted'
                  ORDER BY e.period_end DESC LIMIT 1) AS latest_grade,
                (SELECT COUNT(*) FROM alerts x WHERE x.filing_id = f.id AND x.cleared_on IS NULL) AS open_alerts
         FROM filings f JOIN awards a ON a.id = f.award_id JOIN units o ON o.id = a.owner_unit_id
         WHERE f.status = 'submitted' AND {scope} AND a.contractor_unit_id = $4 ORDER BY f.signed_on DESC, f.id",
    ))
    .bind(s.mode)
    .bind(s.unit)
    .bind(&s.sector)
    .bind(id)
    .fetch_all(&db.pool)
    .await?;
    let filter = evaluations::service::EvalFilter {
        contractor_unit_id: id,
        ..evaluations::service::EvalFilter::parse("", "submitted", 0)
    };
    let evals = evaluations::service::list(db, actor, &filter, crate::kit::table::Rows::All)
        .await?
        .items;
    let totals: Vec<i64> = evals.iter().filter_map(|e| e.total).collect();
    let count = |g: Grade| evals.iter().filter(|e| e.grade() == Some(g)).count() as i64;
    let grades = (count(Grade::Good), count(Grade::Pass), count(Grade::Fail));
    let average =
        (!totals.is_empty()).then(|| totals.iter().sum::<i64>() as f64 / totals.len() as f64);
    let replacements: Vec<ReplacementRow> = sqlx::query_as(&scoped(
        "SELECT p.id, a.project_name || ' · ' || a.section_name AS project, p.role, m.name AS leaving, p.new_name,
                p.effective_on, p.reason, p.fine_fen, p.credit_points, p.interview, p.censure
         FROM personnel_changes p JOIN roster_members m ON m.id = p.member_id
         JOIN filings f ON f.id = p.filing_id JOIN awards a ON a.id = f.award_id
         WHERE p.status = 'submitted' AND {scope} AND a.contractor_unit_id = $4 ORDER BY p.effective_on DESC",
    ))
    .bind(s.mode)
    .bind(s.unit)
    .bind(&s.sector)
    .bind(id)
    .fetch_all(&db.pool)
    .await?;
    let to = today();
    let from = to - chrono::Duration::days(89);
    // Owed only while the works ran: up to the month reported 已完工.
    let completed = crate::features::progress::rules::Completions::as_of(db, to).await?;
    let mut attendance = Vec::new();
    for p in &projects {
        let until = completed
            .attendance_until(p.filing_id)
            .map_or(to, |c| c.min(to));
        for m in rates(db, p.filing_id, from, until).await? {
            if m.required > 0 {
                attendance.push(PersonAttendance {
                    project: p.project.clone(),
                    role: m.role,
                    name: m.name,
                    required: m.required,
                    counted: m.counted,
                });
            }
        }
    }
    let orders: Vec<OrderRow> = sqlx::query_as(&scoped(
        "SELECT o.id, o.order_no, a.project_name || ' · ' || a.section_name AS project,
                COALESCE(o.extension_until, o.deadline) AS deadline, o.status, o.severity
         FROM supervision_orders o JOIN awards a ON a.id = o.award_id
         WHERE {scope} AND a.contractor_unit_id = $4 ORDER BY o.id DESC",
    ))
    .bind(s.mode)
    .bind(s.unit)
    .bind(&s.sector)
    .bind(id)
    .fetch_all(&db.pool)
    .await?;
    Ok(ContractorRecord {
        unit_id: id,
        name,
        credit_code,
        grades,
        average,
        projects,
        evaluations: evals,
        replacements,
        attendance,
        since: from.to_string(),
        orders,
    })
}
