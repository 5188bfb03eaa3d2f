//! Evaluations: the scoped list, one evaluation with its evidence and
//! objections, and the periods owed. Scoring is `score`, the evidence and
//! proposals `evidence`, objections `objection`, the form `form`.
mod evidence;
pub mod form;
mod objection;
mod score;

pub use evidence::{gather, propose, span};
pub use objection::{
    check_may_object, file as file_objection, objection_until, step as objection_step,
};
pub use score::*;

use super::{DuePeriod, EvalRow, EvaluationView, EvidenceView, ItemView, ObjectionView, RECORD};
use crate::{
    domain::{
        RecordStatus, Role,
        evaluation::{Grade, ObjectionState, Period, quarters},
        label_of,
        records::OBJECTION_FILE_KINDS,
    },
    error::AppError,
    kit::{records::RecordFile, table::Rows},
    platform::{
        actor::Actor,
        db::Db,
        records::{self, ListFilter, bind_list, list_sql, open_flags},
        settings::Settings,
    },
};
use chrono::NaiveDate;
use sqlx::Row;

/// The list's filter: the record kit's (search, state, project), and the
/// evaluation's own states (a grade, an objection under way, a re-score due).
#[derive(Debug, Clone, Default)]
pub struct EvalFilter {
    pub list: ListFilter,
    /// `good`, `pass`, `fail`, `objecting`, `rescore` or "".
    pub extra: String,
    /// One contractor's evaluations (0: every contractor in scope).
    pub contractor_unit_id: i64,
}

impl EvalFilter {
    pub fn parse(q: &str, status: &str, filing_id: i64) -> Self {
        let extra = match status {
            "good" | "pass" | "fail" | "objecting" | "rescore" => status,
            _ => "",
        };
        Self {
            list: ListFilter::parse(q, status, filing_id),
            extra: extra.to_string(),
            contractor_unit_id: 0,
        }
    }
}

const COLUMNS: &str = "r.id, r.filing_id, a.project_name || ' · ' || a.section_name AS project, o.name AS owner_name,
    a.contractor_unit_id, (SELECT c.name FROM units c WHERE c.id = a.contractor_unit_id) AS contractor_name,
    r.period, r.total, r.grade, r.status,
    (SELECT x.status FROM objections x WHERE x.evaluation_id = r.id ORDER BY x.id DESC LIMIT 1) AS objection,
    r.rescore_due";

/// Evaluations in the actor's scope under `filter`, latest period first.
pub async fn list(
    db: &Db,
    actor: &Actor,
    filter: &EvalFilter,
    rows: impl Into<Rows>,
) -> Result<crate::kit::table::Page<EvalRow>, AppError> {
    actor.require(&[Role::Admin, Role::Supervisor, Role::Owner, Role::Contractor])?;
    // A contractor sees its evaluations once submitted, never the drafts.
    let mut filter = filter.clone();
    if actor.role == Role::Contractor
        && !matches!(filter.list.status.as_str(), "submitted" | "flagged")
    {
        filter.list.status = "submitted".into();
    }
    let filter = &filter;
    let (limit, offset, page) = rows.into().window();
    let from = format!(
        "{} AND ($7 = '' OR r.grade = $7
              OR ($7 = 'objecting' AND EXISTS (SELECT 1 FROM objections x WHERE x.evaluation_id = r.id
                                               AND x.status IN ('filed', 'answered')))
              OR ($7 = 'rescore' AND r.rescore_due = 1))
           AND ($8 = 0 OR a.contractor_unit_id = $8)",
        list_sql(
            &RECORD,
            &["(SELECT c.name FROM units c WHERE c.id = a.contractor_unit_id)"],
            filter.list.filing_id != 0,
        )
    );
    let mut conn = db.pool.acquire().await?;
    let total: i64 = bind_list(
        sqlx::query(&format!("SELECT COUNT(*) AS n {from}")),
        actor,
        &filter.list,
    )
    .bind(&filter.extra)
    .bind(filter.contractor_unit_id)
    .fetch_one(&mut *conn)
    .await?
    .try_get("n")?;
    let found = bind_list(
        sqlx::query(&format!(
            "SELECT {COLUMNS} {from} ORDER BY r.period_end DESC, r.id DESC LIMIT $9 OFFSET $10"
        )),
        actor,
        &filter.list,
    )
    .bind(&filter.extra)
    .bind(filter.contractor_unit_id)
    .bind(limit)
    .bind(offset)
    .fetch_all(&mut *conn)
    .await?;
    let mut items = found
        .iter()
        .map(<EvalRow as sqlx::FromRow<_>>::from_row)
        .collect::<Result<Vec<_>, _>>()?;
    let ids: Vec<i64> = items.iter().map(|r| r.id).collect();
    let flags = open_flags(&mut conn, &RECORD, &ids).await?;
    for r in &mut items {
        r.flags = crate::features::flag_names(flags.get(&r.id));
        r.contractor_link = actor.role != Role::Owner;
    }
    Ok(crate::kit::table::Page {
        items,
        total,
        page,
        per_page: crate::kit::table::PER_PAGE,
    })
}

/// Objections waiting for the actor: an owner's to answer, a supervisor's
/// to decide (within scope); none for others.
pub async fn waiting(db: &Db, actor: &Actor) -> Result<i64, AppError> {
    let state = match actor.role {
        Role::Owner => "filed",
        Role::Supervisor => "answered",
        _ => return Ok(0),
    };
    let s = crate::platform::project::ScopeBinds::of(actor);
    Ok(sqlx::query_scalar(&format!(
        "SELECT COUNT(*) FROM objections x JOIN evaluations e ON e.id = x.evaluation_id
         JOIN filings f ON f.id = e.filing_id JOIN awards a ON a.id = f.award_id
         WHERE {} AND x.status = $4",
        crate::platform::project::scope_sql(1)
    ))
    .bind(s.mode)
    .bind(s.unit)
    .bind(&s.sector)
    .bind(state)
    .fetch_one(&db.pool)
    .await?)
}

/// One filed project as the periods owed are worked out.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Evaluated {
    pub filing_id: i64,
    pub project: String,
    pub contractor_name: String,
    pub signed_on: Option<String>,
}

/// The periods a project owes by `as_of`: every quarter of the contract
/// that has ended, from the quarter before the system went live (earlier
/// ones were kept on paper), up to the quarter it was completed in; and the
/// completion once reported. Each with the day it is due by.
pub fn owed(
    signed: NaiveDate,
    completed: Option<NaiveDate>,
    settings: &Settings,
    as_of: NaiveDate,
) -> Vec<(Period, NaiveDate)> {
    let first_due_end = settings.go_live - chrono::Duration::days(92);
    let last = completed.unwrap_or(as_of).min(as_of);
    let within = chrono::Duration::days(settings.evaluation.due_within_days);
    let mut out: Vec<(Period, NaiveDate)> = quarters(signed, last)
        .into_iter()
        .filter_map(|q| {
            let (_, end) = q.days()?;
            (end < as_of && end >= first_due_end).then_some((q, end + within))
        })
        .collect();
    if let Some(c) = completed
        && c < as_of
        && c >= first_due_end
    {
        out.push((Period::Completion, c + within));
    }
    out
}

/// The periods the owner's filed projects owe an evaluation for and have
/// not submitted (a draft is linked), soonest due first.
pub async fn due(
    db: &Db,
    settings: &Settings,
    actor: &Actor,
    as_of: NaiveDate,
) -> Result<Vec<DuePeriod>, AppError> {
    actor.require(&[Role::Owner])?;
    let projects: Vec<Evaluated> = sqlx::query_as(
        "SELECT f.id AS filing_id, a.project_name || ' · ' || a.section_name AS project, c.name AS contractor_name,
                f.signed_on
         FROM filings f JOIN awards a ON a.id = f.award_id JOIN units c ON c.id = a.contractor_unit_id
         WHERE f.status = 'submitted' AND a.owner_unit_id = $1 ORDER BY f.id",
    )
    .bind(actor.unit_id)
    .fetch_all(&db.pool)
    .await?;
    // Submitted periods are done; a draft is still owed (with its link).
    let mut done = std::collections::HashSet::new();
    let mut drafts = std::collections::HashMap::new();
    for (filing_id, period, status, id) in sqlx::query_as::<_, (i64, String, String, i64)>(
        "SELECT e.filing_id, e.period, e.status, e.id FROM evaluations e JOIN filings f ON f.id = e.filing_id
         JOIN awards a ON a.id = f.award_id WHERE e.status <> 'voided' AND a.owner_unit_id = $1",
    )
    .bind(actor.unit_id)
    .fetch_all(&db.pool)
    .await?
    {
        if status == "draft" {
            drafts.insert((filing_id, period), id);
        } else {
            done.insert((filing_id, period));
        }
    }
    let completed = crate::features::progress::rules::Completions::as_of(db, as_of).await?;
    let mut out = Vec::new();
    for p in projects {
        let Some(signed) = p.signed_on.as_deref().and_then(iso) else {
            continue;
        };
        for (period, due_on) in owed(signed, completed.of_works(p.filing_id), settings, as_of) {
            let key = (p.filing_id, period.code());
            if done.contains(&key) {
                continue;
            }
            out.push(DuePeriod {
                draft_id: drafts.get(&key).copied(),
                filing_id: p.filing_id,
                project: p.project.clone(),
                contractor_name: p.contractor_name.clone(),
                period: period.code(),
                due_on: due_on.to_string(),
                overdue: due_on < as_of,
            });
        }
    }
    out.sort_by(|a, b| a.due_on.cmp(&b.due_on).then(a.filing_id.cmp(&b.filing_id)));
    Ok(out)
}

fn iso(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

#[derive(sqlx::FromRow)]
struct StoredScore {
    item: String,
    score: Option<i64>,
    proposed: Option<i64>,
    reason: Option<String>,
}

/// One evaluation with its form, evidence, files, alerts and objections,
/// and what the viewer may do with it.
pub async fn get(
    db: &Db,
    settings: &Settings,
    actor: &Actor,
    id: i64,
) -> Result<EvaluationView, AppError> {
    let mut conn = db.pool.acquire().await?;
    let (p, h) = records::read(&mut conn, actor, &RECORD, id).await?;
    if actor.role == Role::Contractor && h.status != RecordStatus::Submitted {
        // The owner's draft is not the contractor's to read.
        return Err(AppError::NotFound);
    }
    let r = sqlx::query(
        "SELECT period, form_id, total, grade, remarks, evidence, scored_at, rescore_due, void_reason
         FROM evaluations WHERE id = $1",
    )
    .bind(id)
    .fetch_one(&mut *conn)
    .await?;
    let form = form::version(&mut conn, r.try_get("form_id")?).await?;
    let evidence: EvidenceView =
        serde_json::from_str(&r.try_get::<String, _>("evidence")?).unwrap_or_default();
    let stored: Vec<StoredScore> = sqlx::query_as(
        "SELECT item, score, proposed, reason FROM evaluation_scores WHERE evaluation_id = $1",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let items = form
        .items
        .iter()
        .map(|i| {
            let s = stored.iter().find(|s| s.item == i.code);
            let (_, basis) = propose(i, &evidence.facts, settings.progress.behind_red_pts);
            ItemView {
                code: i.code.clone(),
                name: i.name.clone(),
                weight: i.weight,
                guidance: i.guidance.clone(),
                evidence: i.evidence,
                proposed: s.and_then(|s| s.proposed),
                basis,
                score: s.and_then(|s| s.score),
                reason: s.and_then(|s| s.reason.clone()),
            }
        })
        .collect();
    let files = records::files(&mut conn, &RECORD, id).await?;
    let flags = crate::features::flag_names(open_flags(&mut conn, &RECORD, &[id]).await?.get(&id));
    let objections = objections(&mut conn, id).await?;
    let scored_at: Option<i64> = r.try_get("scored_at")?;
    let until = scored_at.map(|t| objection_until(t, form.objection_days));
    let today = crate::platform::time::today();
    let open = objections
        .iter()
        .any(|o| matches!(o.state, ObjectionState::Filed | ObjectionState::Answered));
    let objected_now = objections
        .first()
        .is_some_and(|o| scored_at.is_some_and(|t| o.filed_at >= t));
    let grade: Option<String> = r.try_get("grade")?;
    Ok(EvaluationView {
        id,
        filing_id: p.id,
        project: p.label(),
        owner_name: p.owner_name.clone(),
        contractor_unit_id: p.contractor_unit_id,
        contractor_name: p.contractor_name.clone(),
        contractor_link: actor.role != Role::Owner,
        period: r.try_get("period")?,
        status: h.status,
        form_id: form.id,
        good_min: form.good_min,
        pass_min: form.pass_min,
        items,
        total: r.try_get("total")?,
        grade: grade.as_deref().and_then(Grade::parse),
        remarks: r
            .try_get::<Option<String>, _>("remarks")?
            .unwrap_or_default(),
        evidence,
        frozen: h.status != RecordStatus::Draft,
        scored_at,
        rescore_due: r.try_get::<i64, _>("rescore_due")? == 1,
        void_reason: r.try_get("void_reason")?,
        version: h.version,
        files,
        flags,
        editable: p.may_write(actor) && h.status != RecordStatus::Voided,
        can_object: actor.role == Role::Contractor
            && actor.unit_id == p.contractor_unit_id
            && h.status == RecordStatus::Submitted
            && !open
            && !objected_now
            && until.is_some_and(|u| today <= u),
        object_until: until.map(|u| u.to_string()),
        can_answer: p.may_write(actor)
            && objections
                .first()
                .is_some_and(|o| o.state == ObjectionState::Filed),
        can_decide: crate::features::orders::service::supervises(actor, &p.sector)
            && objections
                .first()
                .is_some_and(|o| o.state == ObjectionState::Answered),
        objections,
    })
}

/// An evaluation's objections, latest first, with who acted and the files.
async fn objections(
    conn: &mut sqlx::AnyConnection,
    evaluation_id: i64,
) -> Result<Vec<ObjectionView>, AppError> {
    let rows = sqlx::query(
        "SELECT x.id, x.status, x.reason, x.filed_at, x.answer, x.answered_at, x.decision_note, x.decided_at, x.version,
                fu.display_name AS filed_by, au.display_name AS answered_by, du.display_name AS decided_by
         FROM objections x LEFT JOIN users fu ON fu.id = x.filed_by LEFT JOIN users au ON au.id = x.answered_by
         LEFT JOIN users du ON du.id = x.decided_by
         WHERE x.evaluation_id = $1 ORDER BY x.id DESC",
    )
    .bind(evaluation_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let id: i64 = r.try_get("id")?;
        let files: Vec<(i64, String, String, i64, i64)> = sqlx::query_as(
            "SELECT id, kind, file_name, size_bytes, created_at FROM record_files
             WHERE entity = 'objection' AND record_id = $1 AND removed_at IS NULL ORDER BY id",
        )
        .bind(id)
        .fetch_all(&mut *conn)
        .await?;
        out.push(ObjectionView {
            id,
            state: ObjectionState::parse(&r.try_get::<String, _>("status")?)
                .ok_or(AppError::Internal)?,
            reason: r.try_get("reason")?,
            filed_by: r
                .try_get::<Option<String>, _>("filed_by")?
                .unwrap_or_default(),
            filed_at: r.try_get("filed_at")?,
            answer: r.try_get("answer")?,
            answered_by: r.try_get("answered_by")?,
            answered_at: r.try_get("answered_at")?,
            decision_note: r.try_get("decision_note")?,
            decided_by: r.try_get("decided_by")?,
            decided_at: r.try_get("decided_at")?,
            files: files
                .into_iter()
                .map(|(id, kind, file_name, size_bytes, created_at)| RecordFile {
                    id,
                    kind_label: label_of(&OBJECTION_FILE_KINDS, &kind).to_string(),
                    kind,
                    file_name,
                    size_bytes,
                    created_at,
                })
                .collect(),
            version: r.try_get("version")?,
        });
    }
    Ok(out)
}
