//! Award data: parsing records (one parser for files and the API), upserting
//! them idempotently, lists, import reports and API tokens.
use super::{ApiToken, Award, ImportReport, Problem};
use crate::{
    domain::{
        CreditCode, Fen, Role, SECTORS, SectionKind, TENDER_METHODS, UnitKind, code_of, code_text,
        label_of, parse_date, required_text,
    },
    error::AppError,
    kit::table::{PER_PAGE, Page, Rows},
    platform::{
        actor::Actor,
        audit::{AuditedTx, Who},
        db::{Db, like_pattern},
        project::{ScopeBinds, scope_sql},
        time::{now_ms, today},
    },
};
use chrono::NaiveDate;
use serde::Serialize;
use sqlx::{AnyConnection, Row, any::AnyRow};
use std::collections::{BTreeMap, HashMap};

/// The fields of an award record: (key in JSON, column header in files).
/// All are required but those in [`OPTIONAL`].
pub const FIELDS: [(&str, &str); 11] = [
    ("project_code", "项目编号"),
    ("section_code", "标段编号"),
    ("project_name", "项目名称"),
    ("section_name", "标段名称"),
    ("owner_credit_code", "招标人统一社会信用代码"),
    ("contractor_credit_code", "中标人统一社会信用代码"),
    ("award_price", "中标价（元）"),
    ("award_date", "中标通知书日期"),
    ("tender_method", "招标方式"),
    ("sector", "行业"),
    ("section_kind", "标段类型"),
];

/// Fields a record may leave out: without 标段类型 the section name decides
/// (`SectionKind::infer`).
pub const OPTIONAL: [&str; 1] = ["section_kind"];

pub fn header_of(key: &str) -> &'static str {
    FIELDS
        .iter()
        .find(|(k, _)| *k == key)
        .map(|(_, h)| *h)
        .unwrap_or("")
}

/// A record as it arrived: field key → text, and where it came from.
#[derive(Debug, Clone, Default)]
pub struct RawRecord {
    pub line: usize,
    pub values: BTreeMap<&'static str, String>,
}

impl RawRecord {
    fn get(&self, key: &str) -> &str {
        self.values.get(key).map(String::as_str).unwrap_or("")
    }
}

/// A record that parsed; units still to be matched by credit code.
#[derive(Debug, Clone, PartialEq)]
pub struct AwardInput {
    pub project_code: String,
    pub section_code: String,
    pub project_name: String,
    pub section_name: String,
    pub owner_code: CreditCode,
    pub contractor_code: CreditCode,
    pub price: Fen,
    pub award_date: NaiveDate,
    pub tender_method: &'static str,
    pub sector: &'static str,
    pub section_kind: SectionKind,
}

/// Parses one record, reporting every bad field at once.
pub fn parse_record(raw: &RawRecord) -> Result<AwardInput, Vec<Problem>> {
    let mut found = Found {
        line: raw.line,
        problems: Vec::new(),
    };
    let project_code = found.take(
        "project_code",
        code_text(raw.get("project_code"), "项目编号"),
    );
    let section_code = found.take(
        "section_code",
        code_text(raw.get("section_code"), "标段编号"),
    );
    let project_name = found.take(
        "project_name",
        required_text(raw.get("project_name"), "项目名称", 100),
    );
    let section_name = found.take(
        "section_name",
        required_text(raw.get("section_name"), "标段名称", 100),
    );
    let owner_code = found.take(
        "owner_credit_code",
        CreditCode::parse(raw.get("owner_credit_code")),
    );
    let contractor_code = found.take(
        "contractor_credit_code",
        CreditCode::parse(raw.get("contractor_credit_code")),
    );
    let price = found.take(
        "award_price",
        Fen::parse_yuan(raw.get("award_price"), "中标价"),
    );
    let award_date = found.take(
        "award_date",
        parse_date(raw.get("award_date"), "中标通知书日期").and_then(|d| {
            if d > today() {
                Err("中标通知书日期不能晚于今天".into())
            } else {
                Ok(d)
            }
        }),
    );
    let tender_method = found.take(
        "tender_method",
        code_of(&TENDER_METHODS, raw.get("tender_method")).ok_or_else(|| {
            format!(
                "招标方式应为：{}",
                TENDER_METHODS.map(|(_, l)| l).join("、")
            )
        }),
    );
    let sector = found.take(
        "sector",
        code_of(&SECTORS, raw.get("sector"))
            .ok_or_else(|| format!("行业应为：{}", SECTORS.map(|(_, l)| l).join("、"))),
    );
    let section_kind = match raw.get("section_kind").trim() {
        "" => section_name.as_deref().map(SectionKind::infer),
        text => found.take("section_kind", SectionKind::parse(text)),
    };
    match (
        project_code,
        section_code,
        project_name,
        section_name,
        owner_code,
        contractor_code,
        price,
        award_date,
        tender_method,
        sector,
        section_kind,
    ) {
        (
            Some(project_code),
            Some(section_code),
            Some(project_name),
            Some(section_name),
            Some(owner_code),
            Some(contractor_code),
            Some(price),
            Some(award_date),
            Some(tender_method),
            Some(sector),
            Some(section_kind),
        ) => Ok(AwardInput {
            project_code,
            section_code,
            project_name,
            section_name,
            owner_code,
            contractor_code,
            price,
            award_date,
            tender_method,
            sector,
            section_kind,
        }),
        _ => Err(found.problems),
    }
}

/// Problems of one record, collected field by field.
struct Found {
    line: usize,
    problems: Vec<Problem>,
}

impl Found {
    fn take<T>(&mut self, key: &'static str, r: Result<T, String>) -> Option<T> {
        r.map_err(|reason| {
            self.problems.push(Problem {
                line: self.line,
                column: header_of(key).to_string(),
                reason,
            })
        })
        .ok()
    }
}

/// What the trail keeps of an award, in the words people use.
#[derive(Debug, Serialize, PartialEq)]
struct Snapshot {
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
                good.push((input, o, c));
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
    for (input, (owner_id, owner_name), (contractor_id, contractor_name)) in good {
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

async fn snapshot_of(conn: &mut AnyConnection, id: i64) -> Result<Snapshot, AppError> {
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

const LIST_SELECT: &str =
    "SELECT a.id, a.project_code, a.section_code, a.project_name, a.section_name,
        a.owner_unit_id, o.name AS owner_name, c.name AS contractor_name, a.award_price_fen,
        a.award_date, a.tender_method, a.sector, a.section_kind, f.id AS filing_id, f.status AS filing_status
     FROM awards a
     JOIN units o ON o.id = a.owner_unit_id
     JOIN units c ON c.id = a.contractor_unit_id
     LEFT JOIN filings f ON f.award_id = a.id";

pub(crate) fn row_to_award(r: &AnyRow) -> Result<Award, AppError> {
    let award_date: String = r.try_get("award_date")?;
    let days = NaiveDate::parse_from_str(&award_date, "%Y-%m-%d")
        .map(|d| (today() - d).num_days())
        .unwrap_or(0);
    Ok(Award {
        id: r.try_get("id")?,
        project_code: r.try_get("project_code")?,
        section_code: r.try_get("section_code")?,
        project_name: r.try_get("project_name")?,
        section_name: r.try_get("section_name")?,
        owner_unit_id: r.try_get("owner_unit_id")?,
        owner_name: r.try_get("owner_name")?,
        contractor_name: r.try_get("contractor_name")?,
        award_price_fen: r.try_get("award_price_fen")?,
        award_date,
        tender_method: r.try_get("tender_method")?,
        sector: r.try_get("sector")?,
        section_kind: SectionKind::try_from(r.try_get::<String, _>("section_kind")?)
            .map_err(|_| AppError::Internal)?,
        filing_id: r.try_get("filing_id")?,
        filing_status: r.try_get("filing_status")?,
        days_since_award: days,
        can_file: false,
    })
}

/// Awards in the actor's scope. `status`: "" all, `pending` (no submitted
/// filing yet: 待备案), `filed` (已备案).
pub async fn list(
    db: &Db,
    actor: &Actor,
    q: &str,
    status: &str,
    rows: impl Into<Rows>,
) -> Result<Page<Award>, AppError> {
    actor.require(&[Role::Admin, Role::Supervisor, Role::Owner])?;
    let (limit, offset, page) = rows.into().window();
    let status = match status {
        "pending" | "filed" => status,
        _ => "",
    };
    let pattern = like_pattern(q);
    let s = ScopeBinds::of(actor);
    let filter = format!(
        "WHERE {} AND ($4 = '' OR a.project_name LIKE $4 ESCAPE '\\' OR a.section_name LIKE $4 ESCAPE '\\'
              OR a.project_code LIKE $4 ESCAPE '\\' OR o.name LIKE $4 ESCAPE '\\')
           AND ($5 = '' OR ($5 = 'filed' AND f.status = 'submitted')
                OR ($5 = 'pending' AND (f.status IS NULL OR f.status = 'draft')))",
        scope_sql(1)
    );
    let total: i64 = sqlx::query_scalar(&format!(
        "SELECT COUNT(*) FROM awards a JOIN units o ON o.id = a.owner_unit_id
         LEFT JOIN filings f ON f.award_id = a.id {filter}"
    ))
    .bind(s.mode)
    .bind(s.unit)
    .bind(&s.sector)
    .bind(&pattern)
    .bind(status)
    .fetch_one(&db.pool)
    .await?;
    let rows = sqlx::query(&format!(
        "{LIST_SELECT} {filter} ORDER BY a.award_date DESC, a.id DESC LIMIT $6 OFFSET $7"
    ))
    .bind(s.mode)
    .bind(s.unit)
    .bind(&s.sector)
    .bind(&pattern)
    .bind(status)
    .bind(limit)
    .bind(offset)
    .fetch_all(&db.pool)
    .await?;
    let mut items: Vec<Award> = rows.iter().map(row_to_award).collect::<Result<_, _>>()?;
    for a in &mut items {
        a.can_file = actor.role == Role::Owner && a.owner_unit_id == actor.unit_id;
    }
    Ok(Page {
        items,
        total,
        page,
        per_page: PER_PAGE,
    })
}

/// One award in the actor's scope.
pub async fn get(db: &Db, actor: &Actor, id: i64) -> Result<Award, AppError> {
    let s = ScopeBinds::of(actor);
    let row = sqlx::query(&format!("{LIST_SELECT} WHERE a.id = $1"))
        .bind(id)
        .fetch_optional(&db.pool)
        .await?
        .ok_or(AppError::NotFound)?;
    let award = row_to_award(&row)?;
    let visible: Option<i64> = sqlx::query_scalar(&format!(
        "SELECT a.id FROM awards a WHERE a.id = $1 AND {}",
        scope_sql(2)
    ))
    .bind(id)
    .bind(s.mode)
    .bind(s.unit)
    .bind(&s.sector)
    .fetch_optional(&db.pool)
    .await?;
    visible.map(|_| award).ok_or(AppError::Forbidden)
}

// --- import reports ---------------------------------------------------------

pub async fn save_report(
    db: &Db,
    actor: &Actor,
    file_name: &str,
    format: &str,
    out: &Outcome,
) -> Result<i64, AppError> {
    let problems = serde_json::to_string(&out.problems).map_err(|_| AppError::Internal)?;
    let id = sqlx::query_scalar(
        "INSERT INTO award_imports (file_name, format, total_rows, created_count, updated_count,
            unchanged_count, failed_count, problems_json, imported_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(file_name.chars().take(200).collect::<String>())
    .bind(format)
    .bind(out.total as i64)
    .bind(out.created as i64)
    .bind(out.updated as i64)
    .bind(out.unchanged as i64)
    .bind(out.failed() as i64)
    .bind(problems)
    .bind((actor.user_id > 0).then_some(actor.user_id))
    .bind(now_ms())
    .fetch_one(&db.pool)
    .await?;
    Ok(id)
}

const REPORT_SELECT: &str = "SELECT i.id, i.file_name, i.format, i.total_rows, i.created_count,
        i.updated_count, i.unchanged_count, i.failed_count, i.problems_json, i.created_at,
        COALESCE(u.display_name, '系统') AS imported_by
     FROM award_imports i LEFT JOIN users u ON u.id = i.imported_by";

fn row_to_report(r: &AnyRow) -> Result<ImportReport, AppError> {
    let problems: String = r.try_get("problems_json")?;
    Ok(ImportReport {
        id: r.try_get("id")?,
        file_name: r.try_get("file_name")?,
        format: r.try_get("format")?,
        total_rows: r.try_get("total_rows")?,
        created: r.try_get("created_count")?,
        updated: r.try_get("updated_count")?,
        unchanged: r.try_get("unchanged_count")?,
        failed: r.try_get("failed_count")?,
        problems: serde_json::from_str(&problems).unwrap_or_default(),
        imported_by: r.try_get("imported_by")?,
        created_at: r.try_get("created_at")?,
    })
}

pub async fn import_report(db: &Db, id: i64) -> Result<ImportReport, AppError> {
    let row = sqlx::query(&format!("{REPORT_SELECT} WHERE i.id = $1"))
        .bind(id)
        .fetch_optional(&db.pool)
        .await?
        .ok_or(AppError::NotFound)?;
    row_to_report(&row)
}

pub async fn recent_imports(db: &Db) -> Result<Vec<ImportReport>, AppError> {
    let rows = sqlx::query(&format!("{REPORT_SELECT} ORDER BY i.id DESC LIMIT 20"))
        .fetch_all(&db.pool)
        .await?;
    rows.iter()
        .map(|r| {
            // The list shows counts only.
            row_to_report(r).map(|mut rep| {
                rep.problems.clear();
                rep
            })
        })
        .collect()
}

// --- API tokens ---------------------------------------------------------------

fn token_hash(token: &str) -> String {
    use sha2::{Digest, Sha256};
    // Tokens are 256 random bits, so a plain hash cannot be brute-forced.
    hex::encode(Sha256::digest(token.as_bytes()))
}

#[derive(Serialize)]
struct TokenSnapshot<'a> {
    name: &'a str,
    hint: &'a str,
    revoked: bool,
}

pub async fn issue_token(db: &Db, actor: &Actor, name: &str) -> Result<String, AppError> {
    actor.require(&[Role::Admin])?;
    let name = required_text(name, "令牌用途", 40).map_err(|e| AppError::field("name", e))?;
    let token = {
        use rand::RngCore;
        let mut bytes = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        format!("bhly_{}", hex::encode(bytes))
    };
    let hint = token[token.len() - 4..].to_string();
    let who = actor.who();
    let mut tx = AuditedTx::begin(db, &who).await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO api_tokens (name, token_hash, token_hint, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(&name)
    .bind(token_hash(&token))
    .bind(&hint)
    .bind((actor.user_id > 0).then_some(actor.user_id))
    .bind(now_ms())
    .fetch_one(tx.conn())
    .await?;
    let snap = TokenSnapshot {
        name: &name,
        hint: &hint,
        revoked: false,
    };
    tx.record("api_token", id, "create", None, Some(&snap))
        .await?;
    tx.commit().await?;
    Ok(token)
}

pub async fn revoke_token(db: &Db, actor: &Actor, id: i64) -> Result<(), AppError> {
    actor.require(&[Role::Admin])?;
    let who = actor.who();
    let mut tx = AuditedTx::begin(db, &who).await?;
    let row = sqlx::query("SELECT name, token_hint, revoked_at FROM api_tokens WHERE id = $1")
        .bind(id)
        .fetch_optional(tx.conn())
        .await?
        .ok_or(AppError::NotFound)?;
    let (name, hint): (String, String) = (row.try_get("name")?, row.try_get("token_hint")?);
    if row.try_get::<Option<i64>, _>("revoked_at")?.is_some() {
        return Ok(());
    }
    sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2")
        .bind(now_ms())
        .bind(id)
        .execute(tx.conn())
        .await?;
    let snap = |revoked| TokenSnapshot {
        name: &name,
        hint: &hint,
        revoked,
    };
    tx.record(
        "api_token",
        id,
        "revoke",
        Some(&snap(false)),
        Some(&snap(true)),
    )
    .await?;
    tx.commit().await
}

pub async fn tokens(db: &Db) -> Result<Vec<ApiToken>, AppError> {
    let rows = sqlx::query(
        "SELECT id, name, token_hint, created_at, revoked_at, last_used_at FROM api_tokens ORDER BY id DESC",
    )
    .fetch_all(&db.pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(ApiToken {
                id: r.try_get("id")?,
                name: r.try_get("name")?,
                hint: r.try_get("token_hint")?,
                created_at: r.try_get("created_at")?,
                revoked_at: r.try_get("revoked_at")?,
                last_used_at: r.try_get("last_used_at")?,
            })
        })
        .collect()
}

/// The token's id if `token` is a live (issued, not revoked) token.
pub async fn check_token(db: &Db, token: &str) -> Result<Option<(i64, String)>, AppError> {
    let row =
        sqlx::query("SELECT id, name FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL")
            .bind(token_hash(token))
            .fetch_optional(&db.pool)
            .await?;
    let Some(r) = row else { return Ok(None) };
    let id: i64 = r.try_get("id")?;
    sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
        .bind(now_ms())
        .bind(id)
        .execute(&db.pool)
        .await?;
    Ok(Some((id, r.try_get("name")?)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(pairs: &[(&'static str, &str)]) -> RawRecord {
        RawRecord {
            line: 2,
            values: pairs.iter().map(|(k, v)| (*k, v.to_string())).collect(),
        }
    }

    #[test]
    fn reports_every_bad_field_with_its_column() {
        let bad = raw(&[
            ("project_code", "PY 1"),
            ("award_price", "-3"),
            ("tender_method", "抽签"),
        ]);
        let problems = parse_record(&bad).unwrap_err();
        let columns: Vec<&str> = problems.iter().map(|p| p.column.as_str()).collect();
        assert!(columns.contains(&"项目编号"));
        assert!(columns.contains(&"中标价（元）"));
        assert!(columns.contains(&"招标方式"));
        assert!(columns.contains(&"行业"));
        assert!(problems.iter().all(|p| p.line == 2));
    }
}
