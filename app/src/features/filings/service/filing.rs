//! The filing itself: started from an award, saved (drafts and corrections), submitted.
use super::{FilingForm, award_day, for_write};
use crate::{
    domain::{ATTACHMENT_KINDS, Fen, ROSTER_ROLES, Role, SectionKind, UnitKind, label_of},
    error::AppError,
    features::awards::service as awards,
    platform::{
        actor::Actor,
        audit::AuditedTx,
        db::{Db, is_unique_violation},
        settings::{Settings, filing_obligation_start},
        time::{now_ms, today},
    },
};
use serde::Serialize;
use sqlx::{AnyConnection, Row};

/// What the trail keeps of a filing, in the words people use.
#[derive(Serialize, PartialEq)]
struct Snapshot {
    status: &'static str,
    contract_no: Option<String>,
    signed_on: Option<String>,
    contract_price: Option<String>,
    duration_days: Option<i64>,
    planned_start: Option<String>,
    planned_completion: Option<String>,
    payment_terms: Option<String>,
    supervisor_engineer: Option<String>,
    remarks: Option<String>,
    back_entry: bool,
    price_flag: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
}

async fn snapshot(
    conn: &mut AnyConnection,
    id: i64,
    reason: Option<String>,
) -> Result<Snapshot, AppError> {
    let r = sqlx::query(
        "SELECT f.status, f.contract_no, f.signed_on, f.contract_price_fen, f.duration_days, f.planned_start,
                f.planned_completion, f.payment_terms, s.name AS se_name, f.remarks, f.back_entry, f.price_flag
         FROM filings f LEFT JOIN units s ON s.id = f.supervisor_engineer_unit_id WHERE f.id = $1",
    )
    .bind(id)
    .fetch_one(conn)
    .await?;
    let status: String = r.try_get("status")?;
    Ok(Snapshot {
        status: if status == "submitted" {
            "已备案"
        } else {
            "草稿"
        },
        contract_no: r.try_get("contract_no")?,
        signed_on: r.try_get("signed_on")?,
        contract_price: r
            .try_get::<Option<i64>, _>("contract_price_fen")?
            .map(|f| format!("{} 元", Fen(f).yuan())),
        duration_days: r.try_get("duration_days")?,
        planned_start: r.try_get("planned_start")?,
        planned_completion: r.try_get("planned_completion")?,
        payment_terms: r.try_get("payment_terms")?,
        supervisor_engineer: r.try_get("se_name")?,
        remarks: r.try_get("remarks")?,
        back_entry: r.try_get::<i64, _>("back_entry")? != 0,
        price_flag: r.try_get::<i64, _>("price_flag")? != 0,
        reason,
    })
}

/// Opens the draft filing of an award of the actor's unit (or finds it).
pub async fn start(db: &Db, actor: &Actor, award_id: i64) -> Result<i64, AppError> {
    actor.require(&[Role::Owner])?;
    let award = awards::get(db, actor, award_id).await?;
    if award.owner_unit_id != actor.unit_id {
        return Err(AppError::Forbidden);
    }
    if let Some(id) = award.filing_id {
        return Ok(id);
    }
    let who = actor.who();
    let mut tx = AuditedTx::begin(db, &who).await?;
    let now = now_ms();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO filings (award_id, status, created_at, updated_at) VALUES ($1, 'draft', $2, $2) RETURNING id",
    )
    .bind(award_id)
    .bind(now)
    .fetch_one(tx.conn())
    .await
    .map_err(|e| {
        if is_unique_violation(&e, "award_id") {
            AppError::invalid("该标段已开始备案，请刷新")
        } else {
            e.into()
        }
    })?;
    let after = snapshot(tx.conn(), id, None).await?;
    tx.record("filing", id, "create", None, Some(&after))
        .await?;
    tx.commit().await?;
    Ok(id)
}

/// Saves the filing's facts: in a draft as an edit, after submission as a
/// correction that needs `reason`.
pub async fn save(
    db: &Db,
    settings: &Settings,
    actor: &Actor,
    id: i64,
    form: &FilingForm,
    reason: &str,
) -> Result<(), AppError> {
    let who = actor.who();
    let mut tx = AuditedTx::begin(db, &who).await?;
    let (p, correction) = for_write(&mut tx, actor, id, reason).await?;
    p.check_version(form.version.trim().parse().ok())?;
    let mut input = form.parse(award_day(&p)?, today())?;
    // A supervision contract's supervising engineer unit is its winner.
    if p.section_kind == SectionKind::Supervision {
        input.supervisor_engineer_unit_id = None;
    }
    if let Some(se) = input.supervisor_engineer_unit_id {
        let kind: Option<String> = sqlx::query_scalar("SELECT kind FROM units WHERE id = $1")
            .bind(se)
            .fetch_optional(tx.conn())
            .await?;
        if kind.as_deref() != Some(UnitKind::SupervisorEngineer.code()) {
            return Err(AppError::field(
                "supervisor_engineer_unit_id",
                "请从列表中选择监理单位",
            ));
        }
    }
    // Changing the supervising engineer would strand its members' logins.
    if p.supervisor_engineer_unit_id.is_some()
        && p.supervisor_engineer_unit_id != input.supervisor_engineer_unit_id
    {
        let members: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM roster_members WHERE filing_id = $1 AND removed_at IS NULL
             AND role IN ('chief_supervisor', 'supervising_engineer')",
        )
        .bind(id)
        .fetch_one(tx.conn())
        .await?;
        if members > 0 {
            return Err(AppError::field(
                "supervisor_engineer_unit_id",
                "名单中已有监理人员，请先移出后再更换监理单位",
            ));
        }
    }
    let before = snapshot(tx.conn(), id, None).await?;
    let back_entry =
        input.signed_on >= filing_obligation_start() && input.signed_on < settings.go_live;
    let deviation =
        (input.price.0 - p.award_price_fen).abs() as f64 / p.award_price_fen as f64 * 100.0;
    let price_flag = deviation > settings.price_deviation_pct as f64;
    sqlx::query(
        "UPDATE filings SET contract_no = $1, signed_on = $2, contract_price_fen = $3, duration_days = $4,
            planned_start = $5, planned_completion = $6, payment_terms = $7, supervisor_engineer_unit_id = $8,
            remarks = $9, back_entry = $10, price_flag = $11, version = version + 1, updated_at = $12
         WHERE id = $13",
    )
    .bind(&input.contract_no)
    .bind(input.signed_on.to_string())
    .bind(input.price.0)
    .bind(input.duration_days)
    .bind(input.planned_start.to_string())
    .bind(input.planned_completion.to_string())
    .bind(&input.payment_terms)
    .bind(input.supervisor_engineer_unit_id)
    .bind(&input.remarks)
    .bind(back_entry as i64)
    .bind(price_flag as i64)
    .bind(now_ms())
    .bind(id)
    .execute(tx.conn())
    .await?;
    let action = if correction.is_some() {
        "correct"
    } else {
        "update"
    };
    let mut after = snapshot(tx.conn(), id, None).await?;
    // A save that changes nothing is not a version (dropping the transaction
    // rolls back the version bump).
    if after == before {
        return Err(AppError::invalid("没有修改：内容与已保存的相同"));
    }
    after.reason = correction;
    tx.record("filing", id, action, Some(&before), Some(&after))
        .await?;
    tx.commit().await
}

/// Submits a complete draft (已备案).
pub async fn submit(db: &Db, actor: &Actor, id: i64) -> Result<(), AppError> {
    let who = actor.who();
    let mut tx = AuditedTx::begin(db, &who).await?;
    let (p, _) = for_write(&mut tx, actor, id, "-").await?;
    if p.is_submitted() {
        return Err(AppError::invalid("该备案已提交"));
    }
    let mut missing = Vec::new();
    let saved: Option<String> = sqlx::query_scalar("SELECT contract_no FROM filings WHERE id = $1")
        .bind(id)
        .fetch_one(tx.conn())
        .await?;
    if saved.is_none() {
        missing.push("合同信息（请先填写并保存）");
    }
    // The lead the section's kind needs: 项目经理, 总监理工程师 or 项目负责人.
    let lead = p.section_kind.lead_role();
    let leads: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM roster_members WHERE filing_id = $1 AND removed_at IS NULL AND role = $2",
    )
    .bind(id)
    .bind(lead)
    .fetch_one(tx.conn())
    .await?;
    let lead_missing = format!("关键人员名单中的{}", label_of(&ROSTER_ROLES, lead));
    if leads == 0 {
        missing.push(&lead_missing);
    }
    for (kind, label) in &ATTACHMENT_KINDS[..2] {
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM attachments WHERE filing_id = $1 AND kind = $2 AND removed_at IS NULL",
        )
        .bind(id)
        .bind(*kind)
        .fetch_one(tx.conn())
        .await?;
        if n == 0 {
            missing.push(label);
        }
    }
    if !missing.is_empty() {
        return Err(AppError::invalid(format!(
            "尚不能提交，缺少：{}",
            missing.join("、")
        )));
    }
    let before = snapshot(tx.conn(), id, None).await?;
    let now = now_ms();
    sqlx::query("UPDATE filings SET status = 'submitted', submitted_at = $1, updated_at = $1, version = version + 1 WHERE id = $2")
        .bind(now)
        .bind(id)
        .execute(tx.conn())
        .await?;
    let after = snapshot(tx.conn(), id, None).await?;
    tx.record("filing", id, "submit", Some(&before), Some(&after))
        .await?;
    tx.commit().await
}
