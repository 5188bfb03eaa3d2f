//! Applying parsed records: created, updated or unchanged, never duplicated.
use super::{RawRecord, header_of, parse_record};
use crate::{
    domain::{CreditCode, Fen, SECTORS, SectionKind, TENDER_METHODS, UnitKind, label_of},
    error::AppError,
    features::awards::Problem,
    platform::{
        audit::{AuditedTx, Who},
        db::Db,
        time::now_ms,
    },
};
use serde::Serialize;
use sqlx::{AnyConnection, Row};
use std::collections::HashMap;

/// What the trail keeps of an award, in the words people use.
#[derive(Debug, Serialize, PartialEq)]
pub(super) struct Snapshot {
    project_code: String,
    section_code: String,
    project_name: String,
    section_name: String,
    owner: String,
    contractor: String,
    award_price: String,
    award_date: String,
    tender_method: String,
    sector: String,
    section_kind: String,
}

/// The stored columns of an award, to compare and to snapshot.
#[derive(Debug, Clone, PartialEq)]
struct Stored {
    id: i64,
    project_name: String,
    section_name: String,
    owner_unit_id: i64,
    contractor_unit_id: i64,
    price_fen: i64,
    award_date: String,
    tender_method: String,
    sector: String,
    section_kind: String,
}

/// Counts of one import.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Outcome {
    pub total: usize,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub problems: Vec<Problem>,
}

impl Outcome {
    pub fn failed(&self) -> usize {
        self.total - self.created - self.updated - self.unchanged
    }
}

/// Imports records: bad ones are reported, good ones written in one
/// transaction with one trail entry per created or changed record.
pub async fn apply(
    db: &Db,
    who: &Who,
    source: &str,
    records: Vec<RawRecord>,
) -> Result<Outcome, AppError> {
    let mut out = Outcome {
        total: records.len(),
        ..Default::default()
    };
    let units = unit_codes(db).await?;
    let mut seen: HashMap<(String, String), usize> = HashMap::new();
    let mut good = Vec::new();
    for raw in &records {
        let input = match parse_record(raw) {
            Ok(i) => i,
            Err(p) => {
                out.problems.extend(p);
                continue;
            }
        };
        let mut problems = Vec::new();
        let mut unit =
            |key: &'static str, code: &CreditCode, kinds: &[UnitKind], what: &str| match units
                .get(code.as_str())
            {
                Some((id, kind, name)) if kinds.contains(kind) => Some((*id, name.clone())),
                Some((_, kind, name)) => {
                    problems.push(Problem {
                        line: raw.line,
                        column: header_of(key).into(),
                        reason: format!("{name} 登记为{}，不是{what}", kind.label()),
                    });
                    None
                }
                None => {
                    problems.push(Problem {
                        line: raw.line,
                        column: header_of(key).into(),
                        reason: format!(
                            "系统中没有信用代码为 {} 的单位，请先登记该单位",
                            code.as_str()
                        ),
                    });
                    None
                }
            };
        let owner = unit(
            "owner_credit_code",
            &input.owner_code,
            &[UnitKind::Owner],
            "建设单位",
        );
        // A supervision section is won by a supervising engineer unit.
        let contractor = if input.section_kind == SectionKind::Supervision {
            unit(
                "contractor_credit_code",
                &input.contractor_code,
                &[UnitKind::SupervisorEngineer],
                "监理单位（监理标的中标人）",
            )
        } else {
            unit(
                "contractor_credit_code",
                &input.contractor_code,
                &[UnitKind::Contractor, UnitKind::SupervisorEngineer],
                "施工或监理单位",
            )
        };
        let key = (input.project_code.clone(), input.section_code.clone());
        if let Some(first) = seen.get(&key) {
            problems.push(Problem {
                line: raw.line,
                column: header_of("section_code").into(),
                reason: format!("与第 {first} 行的项目编号和标段编号重复"),
            });
        }
        if problems.is_empty() {
            seen.insert(key, raw.line);
            if let (Some(o), Some(c)) = (owner, contractor) {
                good.push((raw.line, input, o, c));
            }
        } else {
            out.problems.extend(problems);
        }
    }
    if good.is_empty() {
        return Ok(out);
    }
    let mut tx = AuditedTx::begin(db, who).await?;
    let now = now_ms();
    for (line, input, (owner_id, owner_name), (contractor_id, contractor_name)) in good {
        let after = Snapshot {
            project_code: input.project_code.clone(),
            section_code: input.section_code.clone(),
            project_name: input.project_name.clone(),
            section_name: input.section_name.clone(),
            owner: owner_name,
            contractor: contractor_name,
            award_price: format!("{} 元", input.price.yuan()),
            award_date: input.award_date.to_string(),
            tender_method: label_of(&TENDER_METHODS, input.tender_method).into(),
            sector: label_of(&SECTORS, input.sector).into(),
            section_kind: input.section_kind.label().into(),
        };
        let wanted = Stored {
            id: 0,
            project_name: input.project_name.clone(),
            section_name: input.section_name.clone(),
            owner_unit_id: owner_id,
            contractor_unit_id: contractor_id,
            price_fen: input.price.0,
            award_date: input.award_date.to_string(),
            tender_method: input.tender_method.into(),
            sector: input.sector.into(),
            section_kind: input.section_kind.code().into(),
        };
        match find_stored(tx.conn(), &input.project_code, &input.section_code).await? {
            None => {
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO awards (project_code, section_code, project_name, section_name,
                        owner_unit_id, contractor_unit_id, award_price_fen, award_date, tender_method,
                        sector, source, created_at, updated_at, section_kind)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12, $13) RETURNING id",
                )
                .bind(&input.project_code)
                .bind(&input.section_code)
                .bind(&wanted.project_name)
                .bind(&wanted.section_name)
                .bind(owner_id)
                .bind(contractor_id)
                .bind(wanted.price_fen)
                .bind(&wanted.award_date)
                .bind(&wanted.tender_method)
                .bind(&wanted.sector)
                .bind(source)
                .bind(now)
                .bind(&wanted.section_kind)
                .fetch_one(tx.conn())
                .await?;
                tx.record("award", id, "import", None, Some(&after)).await?;
                out.created += 1;
            }
            Some(stored)
                if Stored {
                    id: stored.id,
                    ..wanted.clone()
                } == stored =>
            {
                out.unchanged += 1;
            }
            Some(stored)
                if filed(tx.conn(), stored.id).await?
                    && !filed_keeps(&stored, &wanted).is_empty() =>
            {
                // Who answers for a filed contract, and for how much, is not
                // changed by a feed (it moved projects between owners'
                // scopes): refused, for an administrator to correct.
                for key in filed_keeps(&stored, &wanted) {
                    out.problems.push(Problem {
                        line,
                        column: header_of(key).into(),
                        reason: "该标段的合同已备案，招标人、中标人、中标价、行业和标段类型不能由导入更改；如确需更正，请联系系统管理员".into(),
                    });
                }
            }
            Some(stored) => {
                let before = snapshot_of(tx.conn(), stored.id).await?;
                sqlx::query(
                    "UPDATE awards SET project_name = $1, section_name = $2, owner_unit_id = $3,
                        contractor_unit_id = $4, award_price_fen = $5, award_date = $6,
                        tender_method = $7, sector = $8, source = $9, updated_at = $10,
                        section_kind = $11
                     WHERE id = $12",
                )
                .bind(&wanted.project_name)
                .bind(&wanted.section_name)
                .bind(owner_id)
                .bind(contractor_id)
                .bind(wanted.price_fen)
                .bind(&wanted.award_date)
                .bind(&wanted.tender_method)
                .bind(&wanted.sector)
                .bind(source)
                .bind(now)
                .bind(&wanted.section_kind)
                .bind(stored.id)
                .execute(tx.conn())
                .await?;
                tx.record("award", stored.id, "import", Some(&before), Some(&after))
                    .await?;
                out.updated += 1;
            }
        }
    }
    // Nothing new or changed: no write, so nothing to commit (the trail
    // refuses a transaction without entries).
    if out.created + out.updated > 0 {
        tx.commit().await?;
    }
    Ok(out)
}

/// Has the award a submitted filing (已备案)?
async fn filed(conn: &mut AnyConnection, award_id: i64) -> Result<bool, AppError> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM filings WHERE award_id = $1 AND status = 'submitted'",
    )
    .bind(award_id)
    .fetch_one(conn)
    .await?;
    Ok(n > 0)
}

/// The fields a filed award keeps that `wanted` would change (record keys).
fn filed_keeps(stored: &Stored, wanted: &Stored) -> Vec<&'static str> {
    [
        (
            "owner_credit_code",
            stored.owner_unit_id != wanted.owner_unit_id,
        ),
        (
            "contractor_credit_code",
            stored.contractor_unit_id != wanted.contractor_unit_id,
        ),
        ("award_price", stored.price_fen != wanted.price_fen),
        ("sector", stored.sector != wanted.sector),
        ("section_kind", stored.section_kind != wanted.section_kind),
    ]
    .into_iter()
    .filter_map(|(key, changed)| changed.then_some(key))
    .collect()
}

/// Every unit by credit code: (id, kind, name).
async fn unit_codes(db: &Db) -> Result<HashMap<String, (i64, UnitKind, String)>, AppError> {
    let rows = sqlx::query("SELECT id, kind, name, credit_code FROM units")
        .fetch_all(&db.pool)
        .await?;
    rows.iter()
        .map(|r| {
            let kind: String = r.try_get("kind")?;
            Ok((
                r.try_get("credit_code")?,
                (
                    r.try_get("id")?,
                    UnitKind::parse(&kind).map_err(|_| AppError::Internal)?,
                    r.try_get("name")?,
                ),
            ))
        })
        .collect()
}

async fn find_stored(
    conn: &mut AnyConnection,
    project_code: &str,
    section_code: &str,
) -> Result<Option<Stored>, AppError> {
    let row = sqlx::query(
        "SELECT id, project_name, section_name, owner_unit_id, contractor_unit_id,
                award_price_fen, award_date, tender_method, sector, section_kind
         FROM awards WHERE project_code = $1 AND section_code = $2",
    )
    .bind(project_code)
    .bind(section_code)
    .fetch_optional(conn)
    .await?;
    row.map(|r| {
        Ok(Stored {
            id: r.try_get("id")?,
            project_name: r.try_get("project_name")?,
            section_name: r.try_get("section_name")?,
            owner_unit_id: r.try_get("owner_unit_id")?,
            contractor_unit_id: r.try_get("contractor_unit_id")?,
            price_fen: r.try_get("award_price_fen")?,
            award_date: r.try_get("award_date")?,
            tender_method: r.try_get("tender_method")?,
            sector: r.try_get("sector")?,
            section_kind: r.try_get("section_kind")?,
        })
    })
    .transpose()
}

pub(super) async fn snapshot_of(conn: &mut AnyConnection, id: i64) -> Result<Snapshot, AppError> {
    let r = sqlx::query(
        "SELECT a.project_code, a.section_code, a.project_name, a.section_name,
                o.name AS owner_name, c.name AS contractor_name, a.award_price_fen,
                a.award_date, a.tender_method, a.sector, a.section_kind
         FROM awards a JOIN units o ON o.id = a.owner_unit_id JOIN units c ON c.id = a.contractor_unit_id
         WHERE a.id = $1",
    )
    .bind(id)
    .fetch_one(conn)
    .await?;
    let method: String = r.try_get("tender_method")?;
    let sector: String = r.try_get("sector")?;
    Ok(Snapshot {
        project_code: r.try_get("project_code")?,
        section_code: r.try_get("section_code")?,
        project_name: r.try_get("project_name")?,
        section_name: r.try_get("section_name")?,
        owner: r.try_get("owner_name")?,
        contractor: r.try_get("contractor_name")?,
        award_price: format!("{} 元", Fen(r.try_get("award_price_fen")?).yuan()),
        award_date: r.try_get("award_date")?,
        tender_method: label_of(&TENDER_METHODS, &method).into(),
        sector: label_of(&SECTORS, &sector).into(),
        section_kind: SectionKind::from_code(&r.try_get::<String, _>("section_kind")?)
            .map_or("", SectionKind::label)
            .into(),
    })
}
