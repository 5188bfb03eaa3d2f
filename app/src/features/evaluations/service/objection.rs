//! 异议: the contractor objects to a submitted evaluation within the
//! objection period (one objection per scoring); the owner answers; a
//! supervisor of the project's scope upholds it (the owner must score again)
//! or dismisses it. Every step is in the evaluation's trail.
use super::super::RECORD;
use crate::{
    domain::{RecordStatus, Role, evaluation::ObjectionState, record_prose},
    error::AppError,
    features::orders::service::supervises,
    platform::{
        actor::Actor,
        audit::AuditedTx,
        db::Db,
        project::{self, Project},
        records::{self, Kept, seen_version},
        time::now_ms,
    },
};
use serde::Serialize;
use sqlx::Row;

#[derive(Serialize)]
struct Snap<'a> {
    objection: &'a str,
}

fn required(input: &str, what: &str, field: &str) -> Result<String, AppError> {
    record_prose(input, what, 1000)
        .map_err(|e| AppError::field(field, e))?
        .ok_or_else(|| AppError::field(field, format!("请填写{what}")))
}

/// The day (Beijing) the objection period of a scoring at `scored_at` ends.
pub fn objection_until(scored_at: i64, days: i64) -> chrono::NaiveDate {
    crate::features::attendance::service::day_of(scored_at) + chrono::Duration::days(days)
}

/// Files the contractor's objection (with its reason and, if given, a
/// document already kept). Returns the objection's id.
pub async fn file(
    db: &Db,
    actor: &Actor,
    evaluation_id: i64,
    reason: &str,
    document: Option<Kept>,
) -> Result<i64, AppError> {
    actor.require(&[Role::Contractor])?;
    let reason = required(reason, "异议理由", "reason")?;
    let who = actor.who();
    let mut tx = AuditedTx::begin(db, &who).await?;
    let (p, h) = records::read(tx.conn(), actor, &RECORD, evaluation_id).await?;
    if p.contractor_unit_id != actor.unit_id {
        return Err(AppError::Forbidden);
    }
    if h.status != RecordStatus::Submitted {
        return Err(AppError::invalid("只能对已提交的考评提出异议"));
    }
    let r = sqlx::query(
        "SELECT e.scored_at, f.objection_days FROM evaluations e JOIN evaluation_forms f ON f.id = e.form_id
         WHERE e.id = $1",
    )
    .bind(evaluation_id)
    .fetch_one(tx.conn())
    .await?;
    let scored_at: i64 = r.try_get::<Option<i64>, _>("scored_at")?.unwrap_or(0);
    let until = objection_until(scored_at, r.try_get("objection_days")?);
    if crate::platform::time::today() > until {
        return Err(AppError::invalid(format!(
            "异议期已过：本次评分的异议期至 {until}"
        )));
    }
    let now = now_ms();
    let id: Option<i64> = sqlx::query_scalar(
        "INSERT INTO objections (evaluation_id, scored_at, status, reason, filed_by, filed_at)
         VALUES ($1, $2, 'filed', $3, $4, $5) ON CONFLICT DO NOTHING RETURNING id",
    )
    .bind(evaluation_id)
    .bind(scored_at)
    .bind(&reason)
    .bind(actor.user_id)
    .bind(now)
    .fetch_optional(tx.conn())
    .await?;
    let Some(id) = id else {
        return Err(AppError::invalid("本次评分已提出过异议"));
    };
    if let Some(k) = document {
        sqlx::query(
            "INSERT INTO record_files (entity, record_id, filing_id, kind, file_name, content_type, size_bytes, sha256, uploaded_by, created_at)
             VALUES ('objection', $1, $2, 'evidence', $3, $4, $5, $6, $7, $8)",
        )
        .bind(id)
        .bind(p.id)
        .bind(&k.name)
        .bind(k.content_type)
        .bind(k.size as i64)
        .bind(&k.sha256)
        .bind(actor.user_id)
        .bind(now)
        .execute(tx.conn())
        .await?;
    }
    tx.record(
        "evaluation",
        evaluation_id,
        "objection_file",
        None,
        Some(&Snap {
            objection: &format!("{}：{reason}", ObjectionState::Filed.label()),
        }),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// May the actor object to this evaluation (for the upload route, before
/// the bytes are kept)?
pub async fn check_may_object(db: &Db, actor: &Actor, evaluation_id: i64) -> Result<(), AppError> {
    actor.require(&[Role::Contractor])?;
    let mut conn = db.pool.acquire().await?;
    let (p, _) = records::read(&mut conn, actor, &RECORD, evaluation_id).await?;
    if p.contractor_unit_id != actor.unit_id {
        return Err(AppError::Forbidden);
    }
    Ok(())
}

/// The owner answers (`answer`), a supervisor upholds (`uphold`) or
/// dismisses (`dismiss`) an objection. Returns the evaluation's id.
pub async fn step(
    db: &Db,
    actor: &Actor,
    objection_id: i64,
    step: &str,
    body: &str,
    version: &str,
) -> Result<i64, AppError> {
    actor.require(&[Role::Owner, Role::Supervisor])?;
    let seen = seen_version(version)?;
    let who = actor.who();
    let mut tx = AuditedTx::begin(db, &who).await?;
    let r = sqlx::query("SELECT evaluation_id, status, version FROM objections WHERE id = $1")
        .bind(objection_id)
        .fetch_optional(tx.conn())
        .await?
        .ok_or(AppError::NotFound)?;
    let evaluation_id: i64 = r.try_get("evaluation_id")?;
    let state =
        ObjectionState::parse(&r.try_get::<String, _>("status")?).ok_or(AppError::Internal)?;
    let filing_id: i64 = sqlx::query_scalar("SELECT filing_id FROM evaluations WHERE id = $1")
        .bind(evaluation_id)
        .fetch_one(tx.conn())
        .await?;
    // Read access first: out of scope is 403 whatever the step.
    let p: Project = project::read(tx.conn(), actor, filing_id).await?;
    if seen.is_some_and(|v| v != r.try_get::<i64, _>("version").unwrap_or(0)) {
        return Err(AppError::Conflict);
    }
    let now = now_ms();
    let (next, sql, field, what) = match step {
        "answer" => {
            if !p.may_write(actor) {
                return Err(AppError::Forbidden);
            }
            (
                ObjectionState::Answered,
                "UPDATE objections SET status = 'answered', answer = $1, answered_by = $2, answered_at = $3,
                    version = version + 1 WHERE id = $4",
                "body",
                "答复意见",
            )
        }
        "uphold" | "dismiss" => {
            if !supervises(actor, &p.sector) {
                return Err(AppError::Forbidden);
            }
            (
                if step == "uphold" {
                    ObjectionState::Upheld
                } else {
                    ObjectionState::Dismissed
                },
                "UPDATE objections SET decision_note = $1, decided_by = $2, decided_at = $3,
                    version = version + 1, status = $4 WHERE id = $5",
                "body",
                "裁定意见",
            )
        }
        _ => return Err(AppError::invalid("未知的操作")),
    };
    let allowed = matches!(
        (state, next),
        (ObjectionState::Filed, ObjectionState::Answered)
            | (
                ObjectionState::Answered,
                ObjectionState::Upheld | ObjectionState::Dismissed
            )
    );
    if !allowed {
        return Err(AppError::invalid(match state {
            ObjectionState::Filed => "建设单位答复后才能裁定",
            ObjectionState::Answered => "该异议已答复，待监管部门裁定",
            ObjectionState::Upheld | ObjectionState::Dismissed => "该异议已裁定",
        }));
    }
    let text = required(body, what, field)?;
    let mut q = sqlx::query(sql)
        .bind(&text)
        .bind(actor.user_ref())
        .bind(now);
    if next != ObjectionState::Answered {
        q = q.bind(next.code());
    }
    q.bind(objection_id).execute(tx.conn()).await?;
    if next == ObjectionState::Upheld {
        sqlx::query("UPDATE evaluations SET rescore_due = 1, version = version + 1 WHERE id = $1")
            .bind(evaluation_id)
            .execute(tx.conn())
            .await?;
    }
    tx.record(
        "evaluation",
        evaluation_id,
        &format!("objection_{step}"),
        Some(&Snap {
            objection: state.label(),
        }),
        Some(&Snap {
            objection: &format!("{}：{text}", next.label()),
        }),
    )
    .await?;
    tx.commit().await?;
    Ok(evaluation_id)
}
