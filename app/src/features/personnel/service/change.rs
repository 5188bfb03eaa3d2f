//! Writing a personnel change: the form's parser, drafts and corrections,
//! and what submission does to the roster (`apply`).
use super::super::RECORD;
use crate::{
    domain::{
        Fen, ROSTER_ROLES, RecordStatus, code_of, label_of, mask_id, parse_date, record_prose,
        records::PERSONNEL_REASONS,
    },
    error::{AppError, Check},
    features::filings::service::{MemberInput, enrol},
    platform::{
        actor::Actor,
        audit::AuditedTx,
        db::{Db, is_unique_violation},
        project::Project,
        records::{self, seen_version},
        time::{now_ms, today},
    },
};
use chrono::NaiveDate;
use serde::Serialize;
use sqlx::{AnyConnection, Row};

/// The change form as submitted (text).
#[derive(Debug, Clone, Default)]
pub struct ChangeForm {
    pub filing_id: String,
    pub member_id: String,
    pub new_name: String,
    pub new_id_number: String,
    pub new_mobile: String,
    pub new_cert_no: String,
    pub reason: String,
    pub reason_text: String,
    pub effective_on: String,
    pub fine: String,
    pub credit_points: String,
    pub interview: bool,
    pub censure: bool,
    pub penalty_other: String,
}

/// The member being replaced, as stored.
#[derive(Debug, Clone)]
pub struct Leaving {
    pub id: i64,
    pub role: String,
    pub name: String,
    pub id_number: String,
    pub joined_on: NaiveDate,
}

/// A parsed change.
#[derive(Debug, Clone, PartialEq)]
pub struct ChangeInput {
    pub successor: MemberInput,
    pub reason: &'static str,
    pub reason_text: Option<String>,
    pub effective_on: NaiveDate,
    pub fine_fen: i64,
    pub credit_points: i64,
    pub interview: bool,
    pub censure: bool,
    pub penalty_other: Option<String>,
}

impl ChangeForm {
    /// Checks every field. The successor is checked as the roster checks a
    /// member, except that a missing certificate is recorded (and flagged)
    /// rather than refused; the effective day lies between the leaving
    /// member's first day and today.
    pub fn parse(&self, leaving: &Leaving, today: NaiveDate) -> Result<ChangeInput, AppError> {
        let mut c = Check::new();
        let successor = match MemberInput::parse_checked(
            &leaving.role,
            &self.new_name,
            &self.new_id_number,
            &self.new_mobile,
            &self.new_cert_no,
            false,
        ) {
            Ok(m) => Some(m),
            Err(e) => {
                // The roster's field names, under this form's.
                for (field, msg) in e.field_errors().into_iter().flatten() {
                    let name = match field.as_str() {
                        "name" => "new_name",
                        "id_number" => "new_id_number",
                        "mobile" => "new_mobile",
                        "cert_no" => "new_cert_no",
                        _ => "member_id",
                    };
                    c.fail(name, msg.clone());
                }
                None
            }
        };
        if successor
            .as_ref()
            .is_some_and(|m| m.id_number.as_str() == leaving.id_number)
        {
            c.fail("new_id_number", "接替人员不能是被更换的本人");
        }
        let reason = c.take(
            "reason",
            code_of(&PERSONNEL_REASONS, &self.reason).ok_or_else(|| "请选择变更原因".to_string()),
        );
        let reason_text = c.take(
            "reason_text",
            record_prose(&self.reason_text, "原因说明", 200),
        );
        if reason == Some("other") && reason_text.as_ref().is_some_and(|t| t.is_none()) {
            c.fail("reason_text", "变更原因为“其他”时请说明");
        }
        let effective_on = c.take(
            "effective_on",
            parse_date(&self.effective_on, "生效日期").and_then(|d| {
                if d < leaving.joined_on {
                    Err(format!(
                        "生效日期不能早于原人员进入名单的日期 {}",
                        leaving.joined_on
                    ))
                } else if d > today {
                    Err("生效日期不能晚于今天：变更生效后再登记".into())
                } else {
                    Ok(d)
                }
            }),
        );
        let fine = c.take(
            "fine",
            match self.fine.trim() {
                "" | "0" | "0.00" => Ok(0),
                t => Fen::parse_yuan(t, "罚款金额").map(|f| f.0),
            },
        );
        let points = c.take(
            "credit_points",
            match self.credit_points.trim() {
                "" => Ok(0),
                t => t
                    .parse::<i64>()
                    .ok()
                    .filter(|p| (0..=100).contains(p))
                    .ok_or_else(|| "信用扣分须为 0–100 的整数".to_string()),
            },
        );
        let other = c.take(
            "penalty_other",
            record_prose(&self.penalty_other, "其他处罚", 200),
        );
        c.finish()?;
        match (
            successor,
            reason,
            reason_text,
            effective_on,
            fine,
            points,
            other,
        ) {
            (
                Some(successor),
                Some(reason),
                Some(reason_text),
                Some(effective_on),
                Some(fine_fen),
                Some(credit_points),
                Some(penalty_other),
            ) => Ok(ChangeInput {
                successor,
                reason,
                reason_text,
                effective_on,
                fine_fen,
                credit_points,
                interview: self.interview,
                censure: self.censure,
                penalty_other,
            }),
            _ => Err(AppError::Internal),
        }
    }
}

/// What the trail keeps of a change, in the words people use.
#[derive(Serialize)]
struct Snapshot {
    leaving: String,
    successor: String,
    replace_reason: String,
    effective_on: String,
    penalties: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
}

impl Snapshot {
    fn of(l: &Leaving, i: &ChangeInput, correction: Option<String>) -> Self {
        let role = label_of(&ROSTER_ROLES, &l.role);
        Self {
            leaving: format!("{role} {}（{}）", l.name, mask_id(&l.id_number)),
            successor: format!(
                "{} {}（{}，{}，证书 {}）",
                role,
                i.successor.name.as_str(),
                mask_id(i.successor.id_number.as_str()),
                i.successor.mobile.masked(),
                if i.successor.cert_no.is_empty() {
                    "未填"
                } else {
                    &i.successor.cert_no
                }
            ),
            replace_reason: match &i.reason_text {
                Some(t) => format!("{}：{t}", label_of(&PERSONNEL_REASONS, i.reason)),
                None => label_of(&PERSONNEL_REASONS, i.reason).to_string(),
            },
            effective_on: i.effective_on.to_string(),
            penalties: super::super::penalties_text(
                i.fine_fen,
                i.credit_points,
                i.interview,
                i.censure,
                i.penalty_other.as_deref(),
            ),
            reason: correction,
        }
    }
}

fn day(s: Option<String>) -> Option<NaiveDate> {
    s.and_then(|s| NaiveDate::parse_from_str(&s, "%Y-%m-%d").ok())
}

/// A member of the project; `current` only if still on the roster.
async fn leaving(
    conn: &mut AnyConnection,
    filing_id: i64,
    member_id: i64,
    current: bool,
) -> Result<Leaving, AppError> {
    let r = sqlx::query(
        "SELECT id, role, name, id_number, joined_on, created_at, removed_at FROM roster_members
         WHERE id = $1 AND filing_id = $2",
    )
    .bind(member_id)
    .bind(filing_id)
    .fetch_optional(conn)
    .await?
    .ok_or_else(|| AppError::field("member_id", "请选择本项目名单中的人员"))?;
    if current && r.try_get::<Option<i64>, _>("removed_at")?.is_some() {
        return Err(AppError::field("member_id", "该人员已不在本项目名单中"));
    }
    Ok(Leaving {
        id: r.try_get("id")?,
        role: r.try_get("role")?,
        name: r.try_get("name")?,
        id_number: r.try_get("id_number")?,
        joined_on: day(r.try_get("joined_on")?).unwrap_or_else(|| {
            crate::features::attendance::service::day_of(r.try_get("created_at").unwrap_or(0))
        }),
    })
}

async fn stored(conn: &mut AnyConnection, id: i64) -> Result<(i64, ChangeForm), AppError> {
    let r = sqlx::query("SELECT * FROM personnel_changes WHERE id = $1")
        .bind(id)
        .fetch_one(conn)
        .await?;
    let fine: i64 = r.try_get("fine_fen")?;
    Ok((
        r.try_get("member_id")?,
        ChangeForm {
            filing_id: String::new(),
            member_id: r.try_get::<i64, _>("member_id")?.to_string(),
            new_name: r.try_get("new_name")?,
            new_id_number: r.try_get("new_id_number")?,
            new_mobile: r.try_get("new_mobile")?,
            new_cert_no: r.try_get("new_cert_no")?,
            reason: r.try_get("reason")?,
            reason_text: r
                .try_get::<Option<String>, _>("reason_text")?
                .unwrap_or_default(),
            effective_on: r.try_get("effective_on")?,
            fine: Fen(fine).plain(),
            credit_points: r.try_get::<i64, _>("credit_points")?.to_string(),
            interview: r.try_get::<i64, _>("interview")? == 1,
            censure: r.try_get::<i64, _>("censure")? == 1,
            penalty_other: r
                .try_get::<Option<String>, _>("penalty_other")?
                .unwrap_or_default(),
        },
    ))
}

const TAKEN: &str = "该人员已有一条人员变更记录";

/// Saves the form: a new draft when `id` is 0, else a draft's edit or a
/// correction of a submitted change (with a reason; the persons stay, the
/// effective day moves both of them on the roster).
pub async fn save(
    db: &Db,
    actor: &Actor,
    id: i64,
    form: &ChangeForm,
    correction: &str,
    version: &str,
) -> Result<i64, AppError> {
    let seen = seen_version(version)?;
    let who = actor.who();
    let mut tx = AuditedTx::begin(db, &who).await?;
    let now = now_ms();
    if id == 0 {
        let filing_id = form
            .filing_id
            .trim()
            .parse::<i64>()
            .map_err(|_| AppError::field("filing_id", "请选择已备案的项目"))?;
        let p = records::project_for_new(&mut tx, actor, filing_id).await?;
        let member_id = form
            .member_id
            .trim()
            .parse::<i64>()
            .map_err(|_| AppError::field("member_id", "请选择被更换的人员"))?;
        let l = leaving(tx.conn(), p.id, member_id, true).await?;
        let input = form.parse(&l, today())?;
        let new_id: i64 = sqlx::query_scalar(
            "INSERT INTO personnel_changes (filing_id, status, member_id, role, new_name, new_id_number, new_mobile,
                new_cert_no, reason, reason_text, effective_on, fine_fen, credit_points, interview, censure,
                penalty_other, created_by, created_at, updated_at)
             VALUES ($1, 'draft', $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18) RETURNING id",
        )
        .bind(p.id)
        .bind(l.id)
        .bind(&l.role)
        .bind(input.successor.name.as_str())
        .bind(input.successor.id_number.as_str())
        .bind(input.successor.mobile.as_str())
        .bind(&input.successor.cert_no)
        .bind(input.reason)
        .bind(&input.reason_text)
        .bind(input.effective_on.to_string())
        .bind(input.fine_fen)
        .bind(input.credit_points)
        .bind(input.interview as i64)
        .bind(input.censure as i64)
        .bind(&input.penalty_other)
        .bind(actor.user_id)
        .bind(now)
        .bind(now)
        .fetch_one(tx.conn())
        .await
        .map_err(|e| {
            if is_unique_violation(&e, "member_id") || is_unique_violation(&e, "personnel_changes_member") {
                AppError::field("member_id", TAKEN)
            } else {
                e.into()
            }
        })?;
        tx.record(
            "personnel_change",
            new_id,
            "create",
            None,
            Some(&Snapshot::of(&l, &input, None)),
        )
        .await?;
        tx.commit().await?;
        return Ok(new_id);
    }
    let (p, h) = records::for_owner(&mut tx, actor, &RECORD, id).await?;
    h.check_version(seen)?;
    // The form's `reason` is why the person was replaced: the correction's
    // reason has its own field.
    let reason = h.correction_in(correction, "correction")?;
    let (member_id, before_form) = stored(tx.conn(), id).await?;
    let l = leaving(tx.conn(), p.id, member_id, h.status == RecordStatus::Draft).await?;
    let before = before_form.parse(&l, today())?;
    let input = form.parse(&l, today())?;
    if before == input {
        return Err(AppError::invalid("没有修改"));
    }
    if h.status == RecordStatus::Submitted {
        // The successor is on the roster with a login: a different person is
        // a new change, not a correction.
        if input.successor.id_number != before.successor.id_number
            || input.successor.mobile != before.successor.mobile
            || input.successor.name != before.successor.name
        {
            return Err(AppError::field(
                "new_name",
                "已生效的变更不能更换接替人员；如有错误，请对接替人员再登记一次人员变更",
            ));
        }
        redate(tx.conn(), id, l.id, input.effective_on).await?;
    }
    let done = sqlx::query(
        "UPDATE personnel_changes SET new_name = $1, new_id_number = $2, new_mobile = $3, new_cert_no = $4,
            reason = $5, reason_text = $6, effective_on = $7, fine_fen = $8, credit_points = $9, interview = $10,
            censure = $11, penalty_other = $12, updated_at = $13, version = version + 1
         WHERE id = $14 AND version = $15",
    )
    .bind(input.successor.name.as_str())
    .bind(input.successor.id_number.as_str())
    .bind(input.successor.mobile.as_str())
    .bind(&input.successor.cert_no)
    .bind(input.reason)
    .bind(&input.reason_text)
    .bind(input.effective_on.to_string())
    .bind(input.fine_fen)
    .bind(input.credit_points)
    .bind(input.interview as i64)
    .bind(input.censure as i64)
    .bind(&input.penalty_other)
    .bind(now)
    .bind(h.id)
    .bind(h.version)
    .execute(tx.conn())
    .await?;
    if done.rows_affected() != 1 {
        return Err(AppError::Conflict);
    }
    let action = if reason.is_some() {
        "correct"
    } else {
        "update"
    };
    tx.record(
        "personnel_change",
        h.id,
        action,
        Some(&Snapshot::of(&l, &before, None)),
        Some(&Snapshot::of(&l, &input, reason)),
    )
    .await?;
    tx.commit().await?;
    Ok(h.id)
}

/// A corrected effective day moves both persons on the roster.
async fn redate(
    conn: &mut AnyConnection,
    change_id: i64,
    leaving_id: i64,
    effective_on: NaiveDate,
) -> Result<(), AppError> {
    let d = effective_on.to_string();
    sqlx::query("UPDATE roster_members SET left_on = $1 WHERE id = $2")
        .bind(&d)
        .bind(leaving_id)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "UPDATE roster_members SET joined_on = $1 WHERE id = (SELECT successor_id FROM personnel_changes WHERE id = $2)",
    )
    .bind(&d)
    .bind(change_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Submission (the record kit calls it in its transaction): the member
/// leaves the roster from the effective day and the successor joins it that
/// day, with a check-in login. Returns the owner's message (the login).
pub fn apply<'t, 'c>(
    tx: &'t mut AuditedTx<'c>,
    actor: &'t Actor,
    id: i64,
) -> std::pin::Pin<
    Box<dyn std::future::Future<Output = Result<Option<String>, AppError>> + Send + 't>,
> {
    Box::pin(async move {
        let r = sqlx::query("SELECT filing_id FROM personnel_changes WHERE id = $1")
            .bind(id)
            .fetch_one(tx.conn())
            .await?;
        let filing_id: i64 = r.try_get("filing_id")?;
        let p: Project = crate::platform::project::for_owner(tx, actor, filing_id).await?;
        let (member_id, form) = stored(tx.conn(), id).await?;
        let l = leaving(tx.conn(), p.id, member_id, true).await?;
        let input = form.parse(&l, today())?;
        sqlx::query("UPDATE roster_members SET removed_at = $1, left_on = $2 WHERE id = $3")
            .bind(now_ms())
            .bind(input.effective_on.to_string())
            .bind(l.id)
            .execute(tx.conn())
            .await?;
        // The roster's field errors name its own form's fields: say them whole.
        let (successor_id, message) = enrol(tx, &p, &input.successor, input.effective_on)
            .await
            .map_err(|e| match e {
                AppError::Invalid { fields, message } => {
                    AppError::invalid(fields.into_values().next().unwrap_or(message))
                }
                e => e,
            })?;
        sqlx::query("UPDATE personnel_changes SET successor_id = $1 WHERE id = $2")
            .bind(successor_id)
            .bind(id)
            .execute(tx.conn())
            .await?;
        Ok(Some(message))
    })
}
