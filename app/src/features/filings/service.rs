//! Contract filings: drafts, corrections, rosters with logins, attachments'
//! records, lists in scope, the back-entry report and the project picker.
use super::{Attachment, BackEntryRow, Filing, FilingRow, ProjectOption, RosterMember};
use crate::{
    domain::{
        ATTACHMENT_KINDS, Fen, FilingStatus, IdNumber, Mobile, Name, ROSTER_ROLES, Role,
        SectionKind, UnitKind, code_of, label_of, mask_id, optional_text, parse_date,
        required_text,
    },
    error::{AppError, Check},
    features::{
        auth::service::{hash_password, random_password},
        awards::service as awards,
    },
    kit::table::{PER_PAGE, Page, Rows},
    platform::{
        actor::Actor,
        audit::AuditedTx,
        db::{Db, is_unique_violation, like_pattern},
        project::{self, Project, ScopeBinds, scope_sql},
        settings::{Settings, filing_obligation_start},
        time::{now_ms, today},
    },
};
use chrono::NaiveDate;
use serde::Serialize;
use sqlx::{AnyConnection, Row, any::AnyRow};

/// The filing form as submitted (text, parsed by [`FilingForm::parse`]).
#[derive(Debug, Clone, Default)]
pub struct FilingForm {
    pub contract_no: String,
    pub signed_on: String,
    pub contract_price: String,
    pub duration_days: String,
    pub planned_start: String,
    pub planned_completion: String,
    pub payment_terms: String,
    pub supervisor_engineer_unit_id: String,
    pub remarks: String,
    /// The filing's version the form was filled in against (empty: do not
    /// check, as for clients that never loaded the form).
    pub version: String,
}

/// A parsed filing form.
#[derive(Debug, Clone, PartialEq)]
pub struct FilingInput {
    pub contract_no: String,
    pub signed_on: NaiveDate,
    pub price: Fen,
    pub duration_days: i64,
    pub planned_start: NaiveDate,
    pub planned_completion: NaiveDate,
    pub payment_terms: String,
    pub supervisor_engineer_unit_id: Option<i64>,
    pub remarks: Option<String>,
}

impl FilingForm {
    /// Checks every field against the award it files (`award_date`) and today.
    pub fn parse(&self, award_date: NaiveDate, today: NaiveDate) -> Result<FilingInput, AppError> {
        let mut c = Check::new();
        let contract_no = c.take(
            "contract_no",
            required_text(&self.contract_no, "合同编号", 50),
        );
        let signed_on = c.take(
            "signed_on",
            parse_date(&self.signed_on, "合同签订日期").and_then(|d| {
                if d < award_date {
                    Err(format!("签订日期不能早于中标通知书日期 {award_date}"))
                } else if d > today {
                    Err("签订日期不能晚于今天".into())
                } else {
                    Ok(d)
                }
            }),
        );
        let price = c.take(
            "contract_price",
            Fen::parse_yuan(&self.contract_price, "合同价"),
        );
        let duration = c.take(
            "duration_days",
            self.duration_days
                .trim()
                .parse::<i64>()
                .ok()
                .filter(|d| (1..=3650).contains(d))
                .ok_or_else(|| "工期应为 1–3650 之间的整数（日历天）".to_string()),
        );
        let start = c.take(
            "planned_start",
            parse_date(&self.planned_start, "计划开工日期"),
        );
        let completion = c.take(
            "planned_completion",
            parse_date(&self.planned_completion, "计划竣工日期"),
        );
        if let (Some(s), Some(e)) = (start, completion) {
            if e <= s {
                c.fail("planned_completion", "计划竣工日期须晚于计划开工日期");
            } else if let Some(d) = duration {
                // 工期 counts calendar days including the first: 1 Mar–10 Mar is 10 days.
                let span = (e - s).num_days();
                if d != span + 1 && d != span {
                    c.fail(
                        "duration_days",
                        format!("与计划开工、竣工日期不符：按日期应为 {} 天", span + 1),
                    );
                }
            }
        }
        let payment_terms = c.take(
            "payment_terms",
            optional_text(&self.payment_terms, "付款方式", 500)
                .and_then(|t| t.ok_or_else(|| "请填写付款方式".to_string())),
        );
        let se = self.supervisor_engineer_unit_id.trim();
        let supervisor_engineer_unit_id = if se.is_empty() {
            Some(None)
        } else {
            c.take(
                "supervisor_engineer_unit_id",
                se.parse::<i64>()
                    .map(Some)
                    .map_err(|_| "请从列表中选择监理单位".to_string()),
            )
        };
        let remarks = c.take("remarks", optional_text(&self.remarks, "备注", 500));
        c.finish()?;
        match (
            contract_no,
            signed_on,
            price,
            duration,
            start,
            completion,
            payment_terms,
            supervisor_engineer_unit_id,
            remarks,
        ) {
            (
                Some(contract_no),
                Some(signed_on),
                Some(price),
                Some(duration_days),
                Some(planned_start),
                Some(planned_completion),
                Some(payment_terms),
                Some(supervisor_engineer_unit_id),
                Some(remarks),
            ) => Ok(FilingInput {
                contract_no,
                signed_on,
                price,
                duration_days,
                planned_start,
                planned_completion,
                payment_terms,
                supervisor_engineer_unit_id,
                remarks,
            }),
            _ => Err(AppError::Internal),
        }
    }
}

/// A roster member as the form submits it, parsed.
#[derive(Debug, Clone, PartialEq)]
pub struct MemberInput {
    pub role: &'static str,
    pub name: Name,
    pub id_number: IdNumber,
    pub mobile: Mobile,
    pub cert_no: String,
}

impl MemberInput {
    pub fn parse(
        role: &str,
        name: &str,
        id_number: &str,
        mobile: &str,
        cert_no: &str,
    ) -> Result<Self, AppError> {
        let mut c = Check::new();
        let role = c.take(
            "role",
            code_of(&ROSTER_ROLES, role).ok_or_else(|| "请选择岗位".to_string()),
        );
        let name = c.take("name", Name::parse(name, "姓名", 20));
        let id_number = c.take("id_number", IdNumber::parse(id_number));
        let mobile = c.take("mobile", Mobile::parse(mobile));
        let cert = cert_no.trim();
        let needs_cert = matches!(role, Some("pm" | "chief_supervisor"));
        // Certificates carry a province prefix: 浙233060800123.
        let cert_ok = cert.chars().count() <= 40
            && cert.chars().all(|ch| {
                ch.is_ascii_alphanumeric() || ch == '-' || ('\u{4E00}'..='\u{9FFF}').contains(&ch)
            });
        if !cert_ok {
            c.fail(
                "cert_no",
                "注册证书编号应为汉字、字母、数字或 -，最多 40 位",
            );
        } else if needs_cert && cert.is_empty() {
            c.fail("cert_no", "项目经理、总监理工程师须填写注册证书编号");
        }
        c.finish()?;
        match (role, name, id_number, mobile) {
            (Some(role), Some(name), Some(id_number), Some(mobile)) => Ok(Self {
                role,
                name,
                id_number,
                mobile,
                cert_no: cert.to_ascii_uppercase(),
            }),
            _ => Err(AppError::Internal),
        }
    }
}

// --- reading -------------------------------------------------------------------

/// A correction (after submission) needs a reason; a draft edit does not.
fn correction_of(p: &Project, reason: &str) -> Result<Option<String>, AppError> {
    if p.is_submitted() {
        Ok(Some(
            required_text(reason, "更正原因", 200).map_err(|e| AppError::field("reason", e))?,
        ))
    } else {
        Ok(None)
    }
}

/// Loads the filing for a write by its owner unit (locked until commit),
/// checking the reason a correction needs. Returns the project and the
/// correction's reason, if this is one.
async fn for_write(
    tx: &mut AuditedTx<'_>,
    actor: &Actor,
    id: i64,
    reason: &str,
) -> Result<(Project, Option<String>), AppError> {
    let p = project::for_owner(tx, actor, id).await?;
    let correction = correction_of(&p, reason)?;
    Ok((p, correction))
}

fn award_day(p: &Project) -> Result<NaiveDate, AppError> {
    NaiveDate::parse_from_str(&p.award_date, "%Y-%m-%d").map_err(|_| AppError::Internal)
}

pub async fn get(db: &Db, actor: &Actor, id: i64) -> Result<Filing, AppError> {
    let mut conn = db.pool.acquire().await?;
    let p = project::read(&mut conn, actor, id).await?;
    let award = awards::get(db, actor, p.award_id).await?;
    let r = sqlx::query(
        "SELECT f.*, s.name AS supervisor_engineer_name FROM filings f
         LEFT JOIN units s ON s.id = f.supervisor_engineer_unit_id WHERE f.id = $1",
    )
    .bind(id)
    .fetch_one(&mut *conn)
    .await?;
    let roster = roster(&mut conn, id).await?;
    let attachments = attachments(&mut conn, id).await?;
    Ok(Filing {
        id,
        editable: p.may_write(actor),
        award,
        status: FilingStatus::try_from(r.try_get::<String, _>("status")?)
            .map_err(|_| AppError::Internal)?,
        contract_no: r.try_get("contract_no")?,
        signed_on: r.try_get("signed_on")?,
        contract_price_fen: r.try_get("contract_price_fen")?,
        duration_days: r.try_get("duration_days")?,
        planned_start: r.try_get("planned_start")?,
        planned_completion: r.try_get("planned_completion")?,
        payment_terms: r.try_get("payment_terms")?,
        supervisor_engineer_unit_id: r.try_get("supervisor_engineer_unit_id")?,
        supervisor_engineer_name: r.try_get("supervisor_engineer_name")?,
        remarks: r.try_get("remarks")?,
        back_entry: r.try_get::<i64, _>("back_entry")? != 0,
        price_flag: r.try_get::<i64, _>("price_flag")? != 0,
        version: r.try_get("version")?,
        submitted_at: r.try_get("submitted_at")?,
        updated_at: r.try_get("updated_at")?,
        roster,
        attachments,
    })
}

async fn roster(conn: &mut AnyConnection, filing_id: i64) -> Result<Vec<RosterMember>, AppError> {
    let rows = sqlx::query(
        "SELECT m.id, m.role, m.name, m.id_number, m.mobile, m.cert_no, u.username
         FROM roster_members m JOIN users u ON u.id = m.user_id
         WHERE m.filing_id = $1 AND m.removed_at IS NULL ORDER BY m.id",
    )
    .bind(filing_id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            let id_number: String = r.try_get("id_number")?;
            let mobile: String = r.try_get("mobile")?;
            Ok(RosterMember {
                id: r.try_get("id")?,
                role: r.try_get("role")?,
                name: r.try_get("name")?,
                id_number: mask_id(&id_number),
                mobile: Mobile::parse(&mobile).map(|m| m.masked()).unwrap_or(mobile),
                cert_no: r.try_get("cert_no")?,
                username: r.try_get("username")?,
            })
        })
        .collect()
}

async fn attachments(
    conn: &mut AnyConnection,
    filing_id: i64,
) -> Result<Vec<Attachment>, AppError> {
    let rows = sqlx::query(
        "SELECT id, kind, file_name, content_type, size_bytes, created_at FROM attachments
         WHERE filing_id = $1 AND removed_at IS NULL ORDER BY id",
    )
    .bind(filing_id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Attachment {
                id: r.try_get("id")?,
                kind: r.try_get("kind")?,
                file_name: r.try_get("file_name")?,
                content_type: r.try_get("content_type")?,
                size_bytes: r.try_get("size_bytes")?,
                created_at: r.try_get("created_at")?,
            })
        })
        .collect()
}

fn row_to_filing(r: &AnyRow) -> Result<FilingRow, AppError> {
    Ok(FilingRow {
        id: r.try_get("id")?,
        project_name: r.try_get("project_name")?,
        section_name: r.try_get("section_name")?,
        owner_name: r.try_get("owner_name")?,
        contractor_name: r.try_get("contractor_name")?,
        status: FilingStatus::try_from(r.try_get::<String, _>("status")?)
            .map_err(|_| AppError::Internal)?,
        contract_no: r.try_get("contract_no")?,
        contract_price_fen: r.try_get("contract_price_fen")?,
        revised_price_fen: r.try_get("revised_price_fen")?,
        signed_on: r.try_get("signed_on")?,
        back_entry: r.try_get::<i64, _>("back_entry")? != 0,
        price_flag: r.try_get::<i64, _>("price_flag")? != 0,
        updated_at: r.try_get("updated_at")?,
    })
}

/// Filings in scope. `status`: "", `draft`, `submitted`, `back_entry`, `price_flag`.
pub async fn list(
    db: &Db,
    actor: &Actor,
    q: &str,
    status: &str,
    rows: impl Into<Rows>,
) -> Result<Page<FilingRow>, AppError> {
    actor.require(&[Role::Admin, Role::Supervisor, Role::Owner])?;
    let (limit, offset, page) = rows.into().window();
    let status = match status {
        "draft" | "submitted" | "back_entry" | "price_flag" => status,
        _ => "",
    };
    let s = ScopeBinds::of(actor);
    let from = "FROM filings f JOIN awards a ON a.id = f.award_id
        JOIN units o ON o.id = a.owner_unit_id JOIN units c ON c.id = a.contractor_unit_id";
    let filter = format!(
        "WHERE {} AND ($4 = '' OR a.project_name LIKE $4 ESCAPE '\\' OR a.section_name LIKE $4 ESCAPE '\\'
              OR f.contract_no LIKE $4 ESCAPE '\\' OR c.name LIKE $4 ESCAPE '\\' OR o.name LIKE $4 ESCAPE '\\')
           AND ($5 = '' OR f.status = $5 OR ($5 = 'back_entry' AND f.back_entry = 1)
                OR ($5 = 'price_flag' AND f.price_flag = 1))",
        scope_sql(1)
    );
    let pattern = like_pattern(q);
    let total: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) {from} {filter}"))
        .bind(s.mode)
        .bind(s.unit)
        .bind(&s.sector)
        .bind(&pattern)
        .bind(status)
        .fetch_one(&db.pool)
        .await?;
    let rows = sqlx::query(&format!(
        "SELECT f.id, a.project_name, a.section_name, o.name AS owner_name, c.name AS contractor_name,
                f.status, f.contract_no, f.contract_price_fen, {revised} AS revised_price_fen, f.signed_on,
                f.back_entry, f.price_flag, f.updated_at
         {from} {filter} ORDER BY f.updated_at DESC, f.id DESC LIMIT $6 OFFSET $7",
        revised = project::REVISED_PRICE_SQL
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
    Ok(Page {
        items: rows.iter().map(row_to_filing).collect::<Result<_, _>>()?,
        total,
        page,
        per_page: PER_PAGE,
    })
}

pub async fn supervisor_engineers(db: &Db) -> Result<Vec<(i64, String)>, AppError> {
    let rows =
        sqlx::query("SELECT id, name FROM units WHERE kind = 'supervisor_engineer' ORDER BY name")
            .fetch_all(&db.pool)
            .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("id")?, r.try_get("name")?)))
        .collect()
}

// --- writing -------------------------------------------------------------------

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

/// What the filing's history shows of a roster change.
#[derive(Serialize)]
struct MemberSnapshot {
    roster_member: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
}

fn describe(role: &str, name: &str, id_number: &str, mobile: &str) -> String {
    let mobile = Mobile::parse(mobile)
        .map(|m| m.masked())
        .unwrap_or_default();
    format!(
        "{} {}（{}，{}）",
        label_of(&ROSTER_ROLES, role),
        name,
        mask_id(id_number),
        mobile
    )
}

/// Adds a member and links or opens their login. Returns the message for
/// the owner: the login name, and the first password when one was made.
pub async fn add_member(
    db: &Db,
    actor: &Actor,
    filing_id: i64,
    m: MemberInput,
    reason: &str,
) -> Result<String, AppError> {
    let who = actor.who();
    let mut tx = AuditedTx::begin(db, &who).await?;
    let (h, correction) = for_write(&mut tx, actor, filing_id, reason).await?;
    let supervising = matches!(m.role, "chief_supervisor" | "supervising_engineer");
    // On a supervision contract the winner is the supervising engineer unit.
    let unit_id = if supervising && h.section_kind == SectionKind::Supervision {
        h.contractor_unit_id
    } else if supervising {
        h.supervisor_engineer_unit_id
            .ok_or_else(|| AppError::field("role", "请先在合同信息中选择监理单位并保存"))?
    } else {
        h.contractor_unit_id
    };
    let existing =
        sqlx::query("SELECT id, role, username, display_name FROM users WHERE mobile = $1")
            .bind(m.mobile.as_str())
            .fetch_optional(tx.conn())
            .await?;
    let (user_id, message) = match existing {
        Some(r) => {
            let role: String = r.try_get("role")?;
            if role != Role::KeyPersonnel.code() {
                return Err(AppError::field(
                    "mobile",
                    "该手机号已用于其他角色的账号，请换用本人其他手机号",
                ));
            }
            let display: String = r.try_get("display_name")?;
            if display != m.name.as_str() {
                return Err(AppError::field(
                    "mobile",
                    format!("该手机号已登记为“{display}”的账号，与所填姓名不符"),
                ));
            }
            let username: String = r.try_get("username")?;
            (
                r.try_get::<i64, _>("id")?,
                format!(
                    "{} 已有账号（登录名 {username}），已关联到本项目",
                    m.name.as_str()
                ),
            )
        }
        None => {
            let password = random_password();
            let hash = hash_password(&password).await?;
            let now = now_ms();
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO users (username, display_name, mobile, role, unit_id, password_hash,
                    must_change_password, created_at, updated_at)
                 VALUES ($1, $2, $1, $3, $4, $5, 1, $6, $6) RETURNING id",
            )
            .bind(m.mobile.as_str())
            .bind(m.name.as_str())
            .bind(Role::KeyPersonnel.code())
            .bind(unit_id)
            .bind(hash)
            .bind(now)
            .fetch_one(tx.conn())
            .await
            .map_err(|e| {
                if is_unique_violation(&e, "username") {
                    AppError::field("mobile", "该手机号已被用作其他账号的登录名")
                } else {
                    e.into()
                }
            })?;
            #[derive(Serialize)]
            struct NewAccount<'a> {
                username: &'a str,
                display_name: &'a str,
                mobile: String,
                role: &'a str,
            }
            let snap = NewAccount {
                username: m.mobile.as_str(),
                display_name: m.name.as_str(),
                mobile: m.mobile.masked(),
                role: Role::KeyPersonnel.code(),
            };
            tx.record("user", id, "create", None, Some(&snap)).await?;
            (
                id,
                format!(
                    "已为 {} 开通账号：登录名 {}，初始密码 {}。请当面转交本人，首次登录须修改密码。此密码只显示这一次。",
                    m.name.as_str(),
                    m.mobile.as_str(),
                    password
                ),
            )
        }
    };
    sqlx::query(
        "INSERT INTO roster_members (filing_id, role, name, id_number, mobile, cert_no, user_id, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(h.id)
    .bind(m.role)
    .bind(m.name.as_str())
    .bind(m.id_number.as_str())
    .bind(m.mobile.as_str())
    .bind(&m.cert_no)
    .bind(user_id)
    .bind(now_ms())
    .execute(tx.conn())
    .await
    .map_err(|e| {
        // SQLite names the columns, PostgreSQL the index.
        if is_unique_violation(&e, "id_number") || is_unique_violation(&e, "roster_person") {
            AppError::field("id_number", "此人已在本项目名单中")
        } else {
            e.into()
        }
    })?;
    let snap = MemberSnapshot {
        roster_member: describe(
            m.role,
            m.name.as_str(),
            m.id_number.as_str(),
            m.mobile.as_str(),
        ),
        reason: correction,
    };
    tx.record("filing", h.id, "roster_add", None, Some(&snap))
        .await?;
    tx.commit().await?;
    Ok(message)
}

pub async fn remove_member(
    db: &Db,
    actor: &Actor,
    filing_id: i64,
    member_id: i64,
    reason: &str,
) -> Result<(), AppError> {
    let who = actor.who();
    let mut tx = AuditedTx::begin(db, &who).await?;
    let (h, correction) = for_write(&mut tx, actor, filing_id, reason).await?;
    let r = sqlx::query(
        "SELECT role, name, id_number, mobile FROM roster_members WHERE id = $1 AND filing_id = $2 AND removed_at IS NULL",
    )
    .bind(member_id)
    .bind(h.id)
    .fetch_optional(tx.conn())
    .await?
    .ok_or(AppError::NotFound)?;
    let text = describe(
        &r.try_get::<String, _>("role")?,
        &r.try_get::<String, _>("name")?,
        &r.try_get::<String, _>("id_number")?,
        &r.try_get::<String, _>("mobile")?,
    );
    sqlx::query("UPDATE roster_members SET removed_at = $1 WHERE id = $2")
        .bind(now_ms())
        .bind(member_id)
        .execute(tx.conn())
        .await?;
    let before = MemberSnapshot {
        roster_member: text,
        reason: None,
    };
    let after = MemberSnapshot {
        roster_member: "（已移出）".into(),
        reason: correction,
    };
    tx.record("filing", h.id, "roster_remove", Some(&before), Some(&after))
        .await?;
    tx.commit().await
}

/// Records an uploaded attachment (its bytes are already in the file store).
#[allow(clippy::too_many_arguments)]
pub async fn add_attachment(
    db: &Db,
    actor: &Actor,
    filing_id: i64,
    kind: &str,
    file_name: &str,
    content_type: &str,
    size: usize,
    sha256: &str,
    reason: &str,
) -> Result<i64, AppError> {
    let kind = code_of(&ATTACHMENT_KINDS, kind)
        .ok_or_else(|| AppError::field("kind", "请选择附件类型"))?;
    let who = actor.who();
    let mut tx = AuditedTx::begin(db, &who).await?;
    let (h, correction) = for_write(&mut tx, actor, filing_id, reason).await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO attachments (filing_id, kind, file_name, content_type, size_bytes, sha256, uploaded_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(h.id)
    .bind(kind)
    .bind(file_name)
    .bind(content_type)
    .bind(size as i64)
    .bind(sha256)
    .bind(actor.user_id)
    .bind(now_ms())
    .fetch_one(tx.conn())
    .await?;
    #[derive(Serialize)]
    struct Snap {
        attachment: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    }
    let snap = Snap {
        attachment: format!(
            "{}：{}（SHA-256 {}…）",
            label_of(&ATTACHMENT_KINDS, kind),
            file_name,
            &sha256[..12]
        ),
        reason: correction,
    };
    tx.record("filing", h.id, "attach", None, Some(&snap))
        .await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn remove_attachment(
    db: &Db,
    actor: &Actor,
    filing_id: i64,
    attachment_id: i64,
    reason: &str,
) -> Result<(), AppError> {
    let who = actor.who();
    let mut tx = AuditedTx::begin(db, &who).await?;
    let (h, correction) = for_write(&mut tx, actor, filing_id, reason).await?;
    let r = sqlx::query("SELECT kind, file_name FROM attachments WHERE id = $1 AND filing_id = $2 AND removed_at IS NULL")
        .bind(attachment_id)
        .bind(h.id)
        .fetch_optional(tx.conn())
        .await?
        .ok_or(AppError::NotFound)?;
    let kind: String = r.try_get("kind")?;
    let name: String = r.try_get("file_name")?;
    sqlx::query("UPDATE attachments SET removed_at = $1 WHERE id = $2")
        .bind(now_ms())
        .bind(attachment_id)
        .execute(tx.conn())
        .await?;
    #[derive(Serialize)]
    struct Snap {
        attachment: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    }
    tx.record(
        "filing",
        h.id,
        "detach",
        Some(&Snap {
            attachment: format!("{}：{name}", label_of(&ATTACHMENT_KINDS, &kind)),
            reason: None,
        }),
        Some(&Snap {
            attachment: "（已移除）".into(),
            reason: correction,
        }),
    )
    .await?;
    tx.commit().await
}

/// An attachment for download, if the actor may read its filing:
/// (file name, content type, sha256).
pub async fn attachment_for_download(
    db: &Db,
    actor: &Actor,
    attachment_id: i64,
) -> Result<(String, String, String), AppError> {
    let r = sqlx::query(
        "SELECT filing_id, file_name, content_type, sha256 FROM attachments WHERE id = $1",
    )
    .bind(attachment_id)
    .fetch_optional(&db.pool)
    .await?
    .ok_or(AppError::NotFound)?;
    let filing_id: i64 = r.try_get("filing_id")?;
    project::read(&mut *db.pool.acquire().await?, actor, filing_id).await?;
    Ok((
        r.try_get("file_name")?,
        r.try_get("content_type")?,
        r.try_get("sha256")?,
    ))
}

/// May the actor write this filing (upload checks before storing bytes)?
pub async fn check_writable(
    db: &Db,
    actor: &Actor,
    filing_id: i64,
    reason: &str,
) -> Result<(), AppError> {
    actor.require(&[Role::Owner])?;
    let p = project::read(&mut *db.pool.acquire().await?, actor, filing_id).await?;
    if !p.may_write(actor) {
        return Err(AppError::Forbidden);
    }
    correction_of(&p, reason).map(|_| ())
}

// --- supervision views ------------------------------------------------------------

/// Per owner unit in scope: awards since 2022-06-30, filed or not, and back-entries.
pub async fn back_entry_report(db: &Db, actor: &Actor) -> Result<Vec<BackEntryRow>, AppError> {
    actor.require(&[Role::Admin, Role::Supervisor])?;
    let s = ScopeBinds::of(actor);
    let rows = sqlx::query(&format!(
        "SELECT o.name AS owner_name, COUNT(a.id) AS awards,
                SUM(CASE WHEN f.status = 'submitted' THEN 1 ELSE 0 END) AS filed,
                SUM(CASE WHEN f.status = 'submitted' AND f.back_entry = 1 THEN 1 ELSE 0 END) AS back_entries
         FROM awards a JOIN units o ON o.id = a.owner_unit_id LEFT JOIN filings f ON f.award_id = a.id
         WHERE a.award_date >= $1 AND {}
         GROUP BY o.id, o.name ORDER BY o.name",
        scope_sql(2)
    ))
    .bind(filing_obligation_start().to_string())
    .bind(s.mode)
    .bind(s.unit)
    .bind(&s.sector)
    .fetch_all(&db.pool)
    .await?;
    rows.iter()
        .map(|r| {
            let awards: i64 = r.try_get("awards")?;
            let filed: i64 = r.try_get::<Option<i64>, _>("filed")?.unwrap_or(0);
            Ok(BackEntryRow {
                owner_name: r.try_get("owner_name")?,
                awards,
                filed,
                unfiled: awards - filed,
                back_entries: r.try_get::<Option<i64>, _>("back_entries")?.unwrap_or(0),
            })
        })
        .collect()
}

/// Submitted filings in the actor's scope, for the later modules' pickers.
pub async fn project_options(db: &Db, actor: &Actor) -> Result<Vec<ProjectOption>, AppError> {
    let s = ScopeBinds::of(actor);
    let rows = sqlx::query(&format!(
        "SELECT f.id, a.project_name, a.section_name FROM filings f JOIN awards a ON a.id = f.award_id
         WHERE f.status = 'submitted' AND {} ORDER BY a.project_name, a.section_name",
        scope_sql(1)
    ))
    .bind(s.mode)
    .bind(s.unit)
    .bind(&s.sector)
    .fetch_all(&db.pool)
    .await?;
    rows.iter()
        .map(|r| {
            let (p, sec): (String, String) =
                (r.try_get("project_name")?, r.try_get("section_name")?);
            Ok(ProjectOption {
                id: r.try_get("id")?,
                label: format!("{p} · {sec}"),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn good() -> FilingForm {
        FilingForm {
            contract_no: "PYJS-2025-001".into(),
            signed_on: "2025-04-01".into(),
            contract_price: "1000000".into(),
            duration_days: "10".into(),
            planned_start: "2025-05-01".into(),
            planned_completion: "2025-05-10".into(),
            payment_terms: "按月进度付款 80%".into(),
            supervisor_engineer_unit_id: String::new(),
            remarks: String::new(),
            version: String::new(),
        }
    }

    #[test]
    fn accepts_a_consistent_form() {
        let f = good().parse(d("2025-03-20"), d("2025-06-01")).unwrap();
        assert_eq!(f.duration_days, 10);
        assert_eq!(f.price, Fen(100_000_000));
    }

    #[test]
    fn refuses_inconsistent_dates_at_their_fields() {
        let mut f = good();
        f.signed_on = "2025-03-01".into();
        f.duration_days = "30".into();
        let e = f.parse(d("2025-03-20"), d("2025-06-01")).unwrap_err();
        let fields = e.field_errors().unwrap();
        assert!(fields["signed_on"].contains("早于中标"));
        assert!(fields["duration_days"].contains("应为 10 天"));

        let mut f = good();
        f.signed_on = "2025-07-01".into();
        f.planned_completion = "2025-04-01".into();
        f.contract_price = "0".into();
        let e = f.parse(d("2025-03-20"), d("2025-06-01")).unwrap_err();
        let fields = e.field_errors().unwrap();
        assert!(fields["signed_on"].contains("晚于今天"));
        assert!(fields["planned_completion"].contains("晚于计划开工"));
        assert!(fields["contract_price"].contains("大于 0"));
    }

    #[test]
    fn members_need_valid_ids_and_pm_certificates() {
        let id = IdNumber::with_check("33032619800101123").unwrap();
        assert!(MemberInput::parse("pm", "张三", id.as_str(), "13867780001", "浙233 <b>").is_err());
        assert!(
            MemberInput::parse("pm", "张三", id.as_str(), "13867780001", "浙233060800123").is_ok()
        );
        let e = MemberInput::parse("pm", "张三", id.as_str(), "13867780001", "").unwrap_err();
        assert!(e.field_errors().unwrap()["cert_no"].contains("须填写"));
        assert!(
            MemberInput::parse("safety_officer", "李四", id.as_str(), "13867780001", "").is_ok()
        );
        let e = MemberInput::parse("boss", "<b>", "123", "1", "").unwrap_err();
        assert_eq!(e.field_errors().unwrap().len(), 4);
    }
}
