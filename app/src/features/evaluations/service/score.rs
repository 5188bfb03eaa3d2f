//! Scoring: starting a period's evaluation (a draft on the form in force,
//! with the evidence and proposed scores), saving scores (a draft's, or a
//! correction with its reason), and what submission checks and fixes.
use super::{
    super::{EvidenceView, RECORD},
    evidence, form,
};
use crate::{
    domain::{
        RecordStatus, Role,
        evaluation::{FormItem, Grade, Period},
        record_prose,
    },
    error::{AppError, Check},
    platform::{
        actor::Actor,
        audit::AuditedTx,
        db::{Db, is_unique_violation},
        project,
        records::{self, seen_version},
        settings::Settings,
        time::{now_ms, today},
    },
};
use serde::Serialize;
use sqlx::{AnyConnection, Row};

/// The scores as the form sends them: item codes, scores and reasons in the
/// form's order.
#[derive(Debug, Clone, Default)]
pub struct ScoreForm {
    pub items: Vec<String>,
    pub scores: Vec<String>,
    pub reasons: Vec<String>,
    pub remarks: String,
}

/// One item's stored score.
#[derive(Debug, Clone, PartialEq)]
pub struct Scored {
    pub item: String,
    pub score: Option<i64>,
    pub proposed: Option<i64>,
    pub reason: Option<String>,
}

/// Parsed scores: one per item of the form, in its order.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoreInput {
    pub scores: Vec<Scored>,
    pub remarks: Option<String>,
}

impl ScoreInput {
    /// The total, once every item is scored.
    pub fn total(&self) -> Option<i64> {
        self.scores.iter().map(|s| s.score).sum()
    }
}

impl ScoreForm {
    /// Checks the scores against the form: each a whole number from 0 to
    /// the item's weight (all of them when `complete`), and a reason for a
    /// score other than the proposed one.
    pub fn parse(
        &self,
        items: &[FormItem],
        proposed: &[Option<i64>],
        complete: bool,
    ) -> Result<ScoreInput, AppError> {
        let n = items.len();
        let codes_match =
            self.items.len() == n && self.items.iter().zip(items).all(|(c, i)| *c == i.code);
        if !codes_match || self.scores.len() != n || self.reasons.len() != n {
            return Err(AppError::invalid("考评表已更新或表单已损坏，请刷新后重试"));
        }
        let mut c = Check::new();
        let mut scores = Vec::with_capacity(n);
        for (i, item) in items.iter().enumerate() {
            let field = format!("scores[{i}]");
            let score = match self.scores[i].trim() {
                "" if complete => {
                    c.fail(&field, format!("请为“{}”评分", item.name));
                    None
                }
                "" => None,
                raw => match raw.parse::<i64>() {
                    Ok(v) if (0..=item.weight).contains(&v) => Some(v),
                    _ => {
                        c.fail(&field, format!("得分须为 0–{} 的整数", item.weight));
                        None
                    }
                },
            };
            let reason = c
                .take(
                    &format!("reasons[{i}]"),
                    record_prose(&self.reasons[i], "评分理由", 200),
                )
                .flatten();
            if let (Some(s), Some(p)) = (score, proposed[i])
                && s != p
                && reason.is_none()
            {
                c.fail(
                    &format!("reasons[{i}]"),
                    format!("与系统建议分 {p} 分不同，请说明理由"),
                );
            }
            scores.push(Scored {
                item: item.code.clone(),
                score,
                proposed: proposed[i],
                reason,
            });
        }
        let remarks = c.take("remarks", record_prose(&self.remarks, "总体评价", 500));
        c.finish()?;
        Ok(ScoreInput {
            scores,
            remarks: remarks.flatten(),
        })
    }
}

/// The evaluation row the writes need.
struct Stored {
    period: String,
    form_id: i64,
    period_start: String,
    period_end: String,
    remarks: Option<String>,
    scores: Vec<Scored>,
}

async fn stored(conn: &mut AnyConnection, id: i64) -> Result<Stored, AppError> {
    let r = sqlx::query(
        "SELECT period, form_id, period_start, period_end, remarks FROM evaluations WHERE id = $1",
    )
    .bind(id)
    .fetch_one(&mut *conn)
    .await?;
    let scores = sqlx::query(
        "SELECT item, score, proposed, reason FROM evaluation_scores WHERE evaluation_id = $1",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|s| {
        Ok(Scored {
            item: s.try_get("item")?,
            score: s.try_get("score")?,
            proposed: s.try_get("proposed")?,
            reason: s.try_get("reason")?,
        })
    })
    .collect::<Result<Vec<_>, AppError>>()?;
    Ok(Stored {
        period: r.try_get("period")?,
        form_id: r.try_get("form_id")?,
        period_start: r.try_get("period_start")?,
        period_end: r.try_get("period_end")?,
        remarks: r.try_get("remarks")?,
        scores,
    })
}

/// The stored scores in the form's order.
fn in_order(items: &[FormItem], scores: &[Scored]) -> Vec<Scored> {
    items
        .iter()
        .map(|i| {
            scores
                .iter()
                .find(|s| s.item == i.code)
                .cloned()
                .unwrap_or(Scored {
                    item: i.code.clone(),
                    score: None,
                    proposed: None,
                    reason: None,
                })
        })
        .collect()
}

/// The trail's view of an evaluation's scores.
#[derive(Serialize)]
struct Snap {
    eval_period: String,
    scores: String,
    total: String,
    grade: String,
    overall: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
}

impl Snap {
    fn of(
        period: &str,
        items: &[FormItem],
        scores: &[Scored],
        remarks: Option<&str>,
        grade: Option<Grade>,
        reason: Option<String>,
    ) -> Self {
        let total: Option<i64> = scores.iter().map(|s| s.score).sum();
        Self {
            eval_period: super::super::period_label(period),
            scores: items
                .iter()
                .zip(scores)
                .map(|(i, s)| {
                    let mut t = format!(
                        "{} {}/{}",
                        i.name,
                        s.score.map_or("未评".into(), |v| v.to_string()),
                        i.weight
                    );
                    if let Some(p) = s.proposed {
                        t.push_str(&format!("（建议 {p}）"));
                    }
                    if let Some(r) = &s.reason {
                        t.push_str(&format!("：{r}"));
                    }
                    t
                })
                .collect::<Vec<_>>()
                .join("；"),
            total: total.map_or("—".into(), |t| t.to_string()),
            grade: grade.map_or("—", Grade::label).to_string(),
            overall: remarks.unwrap_or("").to_string(),
            reason,
        }
    }
}

fn day(s: &str) -> Result<chrono::NaiveDate, AppError> {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| AppError::Internal)
}

/// The proposals for a form's items from the evidence.
fn proposals(items: &[FormItem], ev: &EvidenceView, red_pts: f64) -> Vec<Option<i64>> {
    items
        .iter()
        .map(|i| evidence::propose(i, &ev.facts, red_pts).0)
        .collect()
}

async fn write_scores(
    conn: &mut AnyConnection,
    id: i64,
    scores: &[Scored],
) -> Result<(), AppError> {
    sqlx::query("DELETE FROM evaluation_scores WHERE evaluation_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    for s in scores {
        sqlx::query(
            "INSERT INTO evaluation_scores (evaluation_id, item, score, proposed, reason) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(id)
        .bind(&s.item)
        .bind(s.score)
        .bind(s.proposed)
        .bind(&s.reason)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Starts the evaluation of `period` for a filed project of the owner: a
/// draft on the form in force, with the evidence read now and the proposed
/// scores. A quarter can be evaluated once it has ended; the completion
/// once the project reported 已完工.
pub async fn start(
    db: &Db,
    settings: &Settings,
    actor: &Actor,
    filing_id: i64,
    period: &str,
) -> Result<i64, AppError> {
    actor.require(&[Role::Owner])?;
    // The project's scope first: another unit is refused whatever it sent.
    let p = project::read(&mut *db.pool.acquire().await?, actor, filing_id).await?;
    if !p.may_write(actor) {
        return Err(AppError::Forbidden);
    }
    let period =
        Period::parse(period).ok_or_else(|| AppError::field("period", "请选择考评期间"))?;
    let now = today();
    if let Some((_, last)) = period.days()
        && last >= now
    {
        return Err(AppError::field("period", "季度结束后才能考评该季度"));
    }
    let completed = crate::features::progress::rules::completed_on(db, now, p.id).await?;
    let (from, to) = evidence::span(&p, period, completed, now).ok_or_else(|| {
        AppError::field(
            "period",
            match period {
                Period::Completion => "项目尚未填报完工，不能进行竣工考评",
                _ => "该季度不在合同履约期内",
            },
        )
    })?;
    let ev = evidence::gather(db, &p, from, to, now).await?;
    let form = form::current(db).await?;
    let proposed = proposals(&form.items, &ev, settings.progress.behind_red_pts);
    let who = actor.who();
    let mut tx = AuditedTx::begin(db, &who).await?;
    records::project_for_new(&mut tx, actor, filing_id).await?;
    let t = now_ms();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO evaluations (filing_id, status, period, period_start, period_end, form_id, evidence,
            created_by, created_at, updated_at)
         VALUES ($1, 'draft', $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(p.id)
    .bind(period.code())
    .bind(from.to_string())
    .bind(to.to_string())
    .bind(form.id)
    .bind(serde_json::to_string(&ev).map_err(|_| AppError::Internal)?)
    .bind(actor.user_id)
    .bind(t)
    .bind(t)
    .fetch_one(tx.conn())
    .await
    .map_err(|e| {
        if is_unique_violation(&e, "period") || is_unique_violation(&e, "evaluations_once") {
            AppError::field("period", "该期间已有考评记录")
        } else {
            e.into()
        }
    })?;
    let scores: Vec<Scored> = form
        .items
        .iter()
        .zip(&proposed)
        .map(|(i, p)| Scored {
            item: i.code.clone(),
            score: None,
            proposed: *p,
            reason: None,
        })
        .collect();
    write_scores(tx.conn(), id, &scores).await?;
    tx.record(
        "evaluation",
        id,
        "create",
        None,
        Some(&Snap::of(
            &period.code(),
            &form.items,
            &scores,
            None,
            None,
            None,
        )),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Saves the scores: a draft's (its evidence and proposals read afresh), or
/// a correction of a submitted evaluation (every item scored, a reason).
pub async fn save(
    db: &Db,
    settings: &Settings,
    actor: &Actor,
    id: i64,
    input: &ScoreForm,
    correction: &str,
    version: &str,
) -> Result<(), AppError> {
    let seen = seen_version(version)?;
    // The draft's evidence is read before the write lock is taken.
    let fresh = {
        let mut conn = db.pool.acquire().await?;
        let (p, h) = records::read(&mut conn, actor, &RECORD, id).await?;
        if h.status == RecordStatus::Draft && p.may_write(actor) {
            let s = stored(&mut conn, id).await?;
            drop(conn);
            Some(
                evidence::gather(db, &p, day(&s.period_start)?, day(&s.period_end)?, today())
                    .await?,
            )
        } else {
            None
        }
    };
    let who = actor.who();
    let mut tx = AuditedTx::begin(db, &who).await?;
    let (_, h) = records::for_owner(&mut tx, actor, &RECORD, id).await?;
    h.check_version(seen)?;
    let reason = h.correction_in(correction, "correction")?;
    let s = stored(tx.conn(), id).await?;
    let form = form::version(tx.conn(), s.form_id).await?;
    let before = in_order(&form.items, &s.scores);
    let submitted = h.status == RecordStatus::Submitted;
    let proposed: Vec<Option<i64>> = match (&fresh, submitted) {
        (Some(ev), false) => proposals(&form.items, ev, settings.progress.behind_red_pts),
        _ => before.iter().map(|s| s.proposed).collect(),
    };
    let parsed = input.parse(&form.items, &proposed, submitted)?;
    if parsed.scores == before && parsed.remarks == s.remarks {
        return Err(AppError::invalid("没有修改"));
    }
    let total = parsed.total();
    let grade = total.map(|t| Grade::of(t, form.good_min, form.pass_min));
    let now = now_ms();
    let done = sqlx::query(
        "UPDATE evaluations SET total = $1, grade = $2, remarks = $3,
            evidence = COALESCE($4, evidence),
            scored_at = CASE WHEN status = 'submitted' THEN $5 ELSE scored_at END,
            rescore_due = CASE WHEN status = 'submitted' THEN 0 ELSE rescore_due END,
            updated_at = $6, version = version + 1
         WHERE id = $7 AND version = $8",
    )
    .bind(total)
    .bind(grade.map(Grade::code))
    .bind(&parsed.remarks)
    .bind(
        fresh
            .as_ref()
            .map(serde_json::to_string)
            .transpose()
            .map_err(|_| AppError::Internal)?,
    )
    .bind(now)
    .bind(now)
    .bind(id)
    .bind(h.version)
    .execute(tx.conn())
    .await?;
    if done.rows_affected() == 0 {
        return Err(AppError::Conflict);
    }
    write_scores(tx.conn(), id, &parsed.scores).await?;
    let old_grade = before
        .iter()
        .map(|s| s.score)
        .sum::<Option<i64>>()
        .map(|t| Grade::of(t, form.good_min, form.pass_min));
    tx.record(
        "evaluation",
        id,
        if submitted { "correct" } else { "update" },
        Some(&Snap::of(
            &s.period,
            &form.items,
            &before,
            s.remarks.as_deref(),
            old_grade,
            None,
        )),
        Some(&Snap::of(
            &s.period,
            &form.items,
            &parsed.scores,
            parsed.remarks.as_deref(),
            grade,
            reason,
        )),
    )
    .await?;
    tx.commit().await
}

/// The record kit's step at submission: every item scored, every score
/// other than the proposal explained; the total, grade and the start of the
/// objection period are fixed with the evidence last read.
pub fn finish<'t, 'c>(
    tx: &'t mut AuditedTx<'c>,
    _actor: &'t Actor,
    id: i64,
) -> std::pin::Pin<
    Box<dyn std::future::Future<Output = Result<Option<String>, AppError>> + Send + 't>,
> {
    Box::pin(async move {
        let s = stored(tx.conn(), id).await?;
        let form = form::version(tx.conn(), s.form_id).await?;
        let scores = in_order(&form.items, &s.scores);
        for (item, sc) in form.items.iter().zip(&scores) {
            if sc.score.is_none() {
                return Err(AppError::field(
                    "submit",
                    format!("“{}”尚未评分，请评完各项再提交", item.name),
                ));
            }
            if let (Some(v), Some(p)) = (sc.score, sc.proposed)
                && v != p
                && sc.reason.is_none()
            {
                return Err(AppError::field(
                    "submit",
                    format!("“{}”得分与建议分 {p} 不同，请填写理由后再提交", item.name),
                ));
            }
        }
        let total: i64 = scores.iter().filter_map(|s| s.score).sum();
        let grade = Grade::of(total, form.good_min, form.pass_min);
        sqlx::query(
            "UPDATE evaluations SET total = $1, grade = $2, scored_at = submitted_at WHERE id = $3",
        )
        .bind(total)
        .bind(grade.code())
        .bind(id)
        .execute(tx.conn())
        .await?;
        Ok(Some(format!("总分 {total}，{}", grade.label())))
    })
}
