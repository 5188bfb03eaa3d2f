//! 更正中标信息: an administrator's correction of what the feed may no
//! longer change once the contract is filed (owner unit, contractor, award
//! price, sector), with a reason, as one recorded write. The filing follows
//! the award: it moves to the corrected owner's scope, and its price flag is
//! weighed again against the corrected price.
use super::upsert::snapshot_of;
use crate::{
    domain::{Fen, Role, SECTORS, UnitKind},
    error::{AppError, Check},
    features::awards::CorrectionView,
    platform::{actor::Actor, audit::AuditedTx, db::Db, settings::Settings, time::now_ms},
};
use sqlx::Row;

/// A parsed correction (every field checked, all errors at once).
#[derive(Debug, Clone)]
pub struct Correction {
    pub owner_unit_id: i64,
    pub contractor_unit_id: i64,
    pub price: Fen,
    pub sector: &'static str,
    pub reason: String,
}

impl Correction {
    pub fn parse(
        owner: &str,
        contractor: &str,
        price: &str,
        sector: &str,
        reason: &str,
    ) -> Result<Self, AppError> {
        let mut c = Check::new();
        let owner = owner.trim().parse::<i64>().ok();
        if owner.is_none() {
            c.fail("owner_unit_id", "请选择建设单位");
        }
        let contractor = contractor.trim().parse::<i64>().ok();
        if contractor.is_none() {
            c.fail("contractor_unit_id", "请选择中标单位");
        }
        let price = c.take(
            "award_price",
            Fen::parse_yuan(price, "中标价").and_then(|p| {
                if p.0 > 0 {
                    Ok(p)
                } else {
                    Err("中标价须大于 0".to_string())
                }
            }),
        );
        let sector = SECTORS
            .iter()
            .map(|(code, _)| *code)
            .find(|code| *code == sector.trim());
        if sector.is_none() {
            c.fail("sector", "请选择行业");
        }
        let reason = reason.trim();
        let n = reason.chars().count();
        if n < 4 {
            c.fail("reason", "请说明更正原因（不少于 4 个字）");
        } else if n > 200 {
            c.fail("reason", "更正原因不超过 200 字");
        }
        c.finish()?;
        Ok(Self {
            owner_unit_id: owner.unwrap_or_default(),
            contractor_unit_id: contractor.unwrap_or_default(),
            price: price.ok_or(AppError::Internal)?,
            sector: sector.unwrap_or_default(),
            reason: reason.to_string(),
        })
    }
}

/// The award as the correction form shows it.
pub async fn for_correction(db: &Db, actor: &Actor, id: i64) -> Result<CorrectionView, AppError> {
    actor.require(&[Role::Admin])?;
    let r = sqlx::query(
        "SELECT a.id, a.project_code, a.section_code, a.project_name, a.section_name,
                a.owner_unit_id, a.contractor_unit_id, a.award_price_fen, a.sector, f.id AS filing_id
         FROM awards a LEFT JOIN filings f ON f.award_id = a.id WHERE a.id = $1",
    )
    .bind(id)
    .fetch_optional(&db.pool)
    .await?
    .ok_or(AppError::NotFound)?;
    Ok(CorrectionView {
        id: r.try_get("id")?,
        project: format!(
            "{} · {}",
            r.try_get::<String, _>("project_name")?,
            r.try_get::<String, _>("section_name")?
        ),
        code: format!(
            "{}/{}",
            r.try_get::<String, _>("project_code")?,
            r.try_get::<String, _>("section_code")?
        ),
        owner_unit_id: r.try_get("owner_unit_id")?,
        contractor_unit_id: r.try_get("contractor_unit_id")?,
        award_price: Fen(r.try_get("award_price_fen")?).yuan().replace(',', ""),
        sector: r.try_get("sector")?,
        filing_id: r.try_get("filing_id")?,
    })
}

/// Applies a correction: the units must be an owner unit and a contractor
/// (or supervising engineer), the trail keeps before, after and the reason.
pub async fn correct(
    db: &Db,
    settings: &Settings,
    actor: &Actor,
    id: i64,
    c: &Correction,
) -> Result<(), AppError> {
    actor.require(&[Role::Admin])?;
    let who = actor.who();
    let mut tx = AuditedTx::begin(db, &who).await?;
    let kind_of = |unit: i64| {
        sqlx::query_scalar::<_, String>("SELECT kind FROM units WHERE id = $1").bind(unit)
    };
    let owner_kind = kind_of(c.owner_unit_id).fetch_optional(tx.conn()).await?;
    let contractor_kind = kind_of(c.contractor_unit_id)
        .fetch_optional(tx.conn())
        .await?;
    let mut check = Check::new();
    if owner_kind.as_deref() != Some(UnitKind::Owner.code()) {
        check.fail("owner_unit_id", "请选择一个建设单位");
    }
    if !matches!(
        contractor_kind.as_deref(),
        Some(k) if k == UnitKind::Contractor.code() || k == UnitKind::SupervisorEngineer.code()
    ) {
        check.fail("contractor_unit_id", "请选择一个施工或监理单位");
    }
    check.finish()?;
    let before = snapshot_of(tx.conn(), id).await.map_err(|e| match e {
        AppError::Internal => AppError::NotFound,
        e => e,
    })?;
    sqlx::query(
        "UPDATE awards SET owner_unit_id = $1, contractor_unit_id = $2, award_price_fen = $3,
            sector = $4, updated_at = $5 WHERE id = $6",
    )
    .bind(c.owner_unit_id)
    .bind(c.contractor_unit_id)
    .bind(c.price.0)
    .bind(c.sector)
    .bind(now_ms())
    .bind(id)
    .execute(tx.conn())
    .await?;
    // The contract price is weighed again against the corrected award price
    // (integers: |contract − award| × 100 > pct × award).
    sqlx::query(
        "UPDATE filings SET price_flag = CASE WHEN contract_price_fen IS NOT NULL
            AND ABS(contract_price_fen - $1) * 100 > $2 * $3 THEN 1 ELSE 0 END
         WHERE award_id = $4",
    )
    .bind(c.price.0)
    .bind(settings.price_deviation_pct)
    .bind(c.price.0)
    .bind(id)
    .execute(tx.conn())
    .await?;
    let after = snapshot_of(tx.conn(), id).await?;
    let mut after = serde_json::to_value(&after).map_err(|_| AppError::Internal)?;
    after["reason"] = c.reason.clone().into();
    let before = serde_json::to_value(&before).map_err(|_| AppError::Internal)?;
    tx.record("award", id, "correct", Some(&before), Some(&after))
        .await?;
    tx.commit().await
}
